"""Baselines: adopt flake8-mlops on an old code base without fixing every finding first.

``flake8-mlops baseline PATH... -o .mlp-baseline.json`` records today's MLP findings;
``flake8 --mlp-baseline=.mlp-baseline.json`` (or ``mlp-baseline = …`` in the flake8
configuration) then suppresses exactly those and reports every new one.

A finding is identified by a fingerprint that survives line shifts:

* the file's path, relative to the directory of the baseline file (``/``-separated; an
  nbqa temporary file counts as its notebook);
* the code (``MLP003``);
* a hash of the normalized source of the statement the finding is on: a simple statement
  is unparsed from the AST (formatting and comments do not matter); for a compound
  statement's header line (``def``/``with``/``for``…), or a line outside any statement,
  the whitespace-normalized physical line;
* the occurrence index among the findings of that file with the same code and hash, in
  line order (two identical ``torch.load(p)`` lines stay two entries).

Only the hash of the statement is stored, never its text (a baseline of MLP001 findings
must not copy the secrets it found). A baseline suppresses MLP findings only; other
flake8 codes are untouched. A baseline that cannot be read, is not JSON, or has another
format version stops flake8 with one line on stderr and exit status 2.
"""

from __future__ import annotations

import ast
import json
import os
import sys
from collections import defaultdict
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from . import __version__
from .options import Option

FORMAT = "flake8-mlops-baseline"
FORMAT_VERSION = 1

BASELINE_OPTION = Option(
    "--mlp-baseline",
    "baseline file written by `flake8-mlops baseline`; its findings are not reported",
    default="",
    is_list=False,
)

Key = Tuple[str, str, str, int]  # (path, code, fingerprint, occurrence index)
Finding = Tuple[int, int, str]  # (line, col, "MLPnnn message")


class BaselineError(Exception):
    """The baseline file cannot be used (one line, shown to the user)."""


# ----------------------------------------------------------------------- fingerprints
#: nodes that are not statements but hold statement bodies
_CONTAINERS = tuple(getattr(ast, n) for n in ("excepthandler", "match_case") if hasattr(ast, n))


def _statements(tree: ast.AST) -> List[ast.stmt]:
    out: List[ast.stmt] = []
    stack: List[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                out.append(child)
                stack.append(child)
            elif isinstance(child, _CONTAINERS):
                stack.append(child)
    return out


_COMPOUND = tuple(
    getattr(ast, name) for name in (
        "FunctionDef", "AsyncFunctionDef", "ClassDef", "If", "For", "AsyncFor", "While", "With",
        "AsyncWith", "Try", "TryStar", "Match",
    ) if hasattr(ast, name)
)


def _normalize_line(text: str) -> str:
    return " ".join(text.split())


class _Locator:
    """Innermost statement of a line, and its normalized text."""

    def __init__(self, tree: ast.AST, lines: Sequence[str]) -> None:
        self.lines = lines
        self.stmts = [s for s in _statements(tree) if getattr(s, "end_lineno", None)]

    def text(self, line: int) -> str:
        best: Optional[ast.stmt] = None
        for s in self.stmts:
            if s.lineno <= line <= s.end_lineno:  # type: ignore[operator]
                # innermost: the latest start, then the shortest span
                rank = (s.lineno, -s.end_lineno)  # type: ignore[operator]
                if best is None or rank > (best.lineno, -best.end_lineno):  # type: ignore[operator]
                    best = s
        if best is not None and not isinstance(best, _COMPOUND):
            try:
                return "stmt:" + ast.unparse(best)
            except Exception:  # pragma: no cover - unparse failure: fall back to the line
                pass
        physical = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return "line:" + _normalize_line(physical)


def _digest(code: str, text: str) -> str:
    import hashlib  # here, not at the top: loading it costs every flake8 run ~3 ms

    return hashlib.sha256(f"{code}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()[:20]


def display_path(filename: str, root: str) -> str:
    """The path recorded for ``filename``: relative to ``root``, ``/``-separated."""
    from .notebook import original_notebook

    nb = original_notebook(filename)
    path = os.path.abspath(nb or filename)
    try:
        rel = os.path.relpath(path, root)
    except ValueError:  # another drive on Windows
        rel = path
    return rel.replace(os.sep, "/")


def keyed(filename: str, root: str, tree: ast.AST, lines: Sequence[str],
          findings: Iterable[Finding]) -> List[Tuple[Key, Finding]]:
    """Each MLP finding with its baseline key (in line order)."""
    path = display_path(filename, root)
    locator: Optional[_Locator] = None
    counts: Dict[Tuple[str, str], int] = defaultdict(int)
    out: List[Tuple[Key, Finding]] = []
    for finding in sorted(findings):
        line, _col, text = finding
        code = text.split(" ", 1)[0]
        if not code.startswith("MLP") or code == "MLP000":
            continue
        if locator is None:
            locator = _Locator(tree, lines)
        digest = _digest(code, locator.text(line))
        index = counts[(code, digest)]
        counts[(code, digest)] += 1
        out.append(((path, code, digest, index), finding))
    return out


# --------------------------------------------------------------------------- the file
class Baseline:
    def __init__(self, path: str, keys: Set[Key]) -> None:
        self.path = path
        self.root = os.path.dirname(os.path.abspath(path))
        self.keys = keys

    def filter(self, filename: str, tree: ast.AST, lines: Sequence[str],
               findings: Sequence[Finding]) -> List[Finding]:
        """``findings`` without those recorded in the baseline."""
        if not self.keys or not findings:
            return list(findings)
        suppressed = {f for key, f in keyed(filename, self.root, tree, lines, findings) if key in self.keys}
        return [f for f in findings if f not in suppressed]


def load(path: str) -> Baseline:
    """Read a baseline file. Raises :class:`BaselineError` with a one-line reason."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        raise BaselineError(f"baseline file {path} does not exist "
                            "(create it with: flake8-mlops baseline PATH... -o FILE)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"cannot read baseline file {path}: {exc.__class__.__name__}: {exc}") from None
    except ValueError as exc:
        raise BaselineError(f"baseline file {path} is not valid JSON ({exc}); "
                            "regenerate it with flake8-mlops baseline") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BaselineError(f"{path} is not a flake8-mlops baseline file")
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise BaselineError(
            f"baseline file {path} has format version {version!r} (written by flake8-mlops "
            f"{data.get('tool_version', '?')}); this flake8-mlops {__version__} reads version "
            f"{FORMAT_VERSION}: regenerate it with flake8-mlops baseline"
        )
    keys: Set[Key] = set()
    entries = data.get("findings")
    if not isinstance(entries, list):
        raise BaselineError(f"baseline file {path} has no findings list; regenerate it")
    for i, entry in enumerate(entries):
        try:
            keys.add((str(entry["path"]), str(entry["code"]), str(entry["fingerprint"]), int(entry["index"])))
        except (TypeError, KeyError, ValueError):
            raise BaselineError(f"baseline file {path}: entry {i} is malformed; regenerate it") from None
    return Baseline(path, keys)


def from_options(options: Any) -> Optional[Baseline]:
    """The baseline named by ``--mlp-baseline``, or None. Exits 2 (one line) when unusable."""
    path = getattr(options, BASELINE_OPTION.dest, None)
    if not path or not str(path).strip():
        return None
    try:
        return load(str(path).strip())
    except BaselineError as exc:
        print(f"flake8-mlops: error: --mlp-baseline: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def add_option(parser: Any) -> None:
    parser.add_option(
        BASELINE_OPTION.flag,
        default=None,
        parse_from_config=True,
        normalize_paths=True,
        help=f"{BASELINE_OPTION.help} (default: none)",
    )


# ----------------------------------------------------------------------------- writing
class _Collect:
    """Stands in for flake8's formatter: keeps every reported violation."""

    def __init__(self) -> None:
        self.violations: List[Any] = []

    def __getattr__(self, name: str) -> Any:
        return lambda *a, **k: None

    def handle(self, error: Any) -> None:
        self.violations.append(error)


def collect(paths: Sequence[str], flake8_args: Sequence[str] = ()) -> Dict[str, List[Finding]]:
    """MLP findings of a real in-process flake8 run (config, noqa, selection honoured)."""
    from flake8.main.application import Application

    app = Application()
    # the existing baseline (from a config file) must not hide what we are recording
    argv = ["--extend-select=MLP", *flake8_args, f"{BASELINE_OPTION.flag}=", *paths]
    app.initialize(argv)
    sink = _Collect()
    app.formatter = sink  # type: ignore[assignment]
    app.make_guide()
    app.make_file_checker_manager(argv)
    app.run_checks()
    app.report_errors()
    out: Dict[str, List[Finding]] = defaultdict(list)
    for v in sink.violations:
        if v.code.startswith("MLP") and v.code != "MLP000":
            out[v.filename].append((v.line_number, v.column_number - 1, f"{v.code} {v.text}"))
    return out


def write_baseline(paths: Sequence[str], output: str, flake8_args: Sequence[str] = ()) -> int:
    """Record the findings of ``paths`` in ``output`` (atomically). Returns their number."""
    from .sarif import write_atomic

    root = os.path.dirname(os.path.abspath(output))
    entries: List[Dict[str, Any]] = []
    for filename, findings in sorted(collect(paths, flake8_args).items()):
        try:
            with open(filename, "rb") as fh:
                source = fh.read().decode("utf-8", "surrogateescape")
            tree = ast.parse(source)
        except (OSError, SyntaxError, ValueError):
            continue  # flake8 reported E902/E999 there; nothing of ours to record
        lines = source.splitlines(keepends=True)
        for (path, code, digest, index), (line, _col, text) in keyed(filename, root, tree, lines, findings):
            entries.append({"path": path, "code": code, "fingerprint": digest, "index": index,
                            "line": line, "message": text.split(" ", 1)[1] if " " in text else ""})
    doc = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "tool_version": __version__,
        "findings": sorted(entries, key=lambda e: (e["path"], e["line"], e["code"], e["index"])),
    }
    try:
        write_atomic(output, json.dumps(doc, indent=2) + "\n")
    except OSError as exc:
        raise BaselineError(f"cannot write {output}: {exc}") from None
    return len(entries)
