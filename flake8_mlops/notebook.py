"""Notebook scan for findings flake8 cannot see: package installs in IPython magics (MLP019).

``nbqa flake8`` hides every IPython magic from flake8 plugins: a magic line in a mixed
cell becomes a ``hash("…")`` placeholder and a cell made only of magics (the usual
``!pip install …`` first cell) is dropped. One scan of the ``.ipynb`` JSON serves two
entry points:

* under nbqa, MLP019 finds the original notebook next to nbqa's temporary file
  (``<stem><8 random chars>_nbqa_ipynb.py`` -> ``<stem>.ipynb``) and reports the installs
  of mixed cells at the placeholder's line (see :func:`nbqa_findings`);
* ``python -m flake8_mlops.notebook NOTEBOOK…`` prints every finding of the scan,
  dropped cells included, in nbqa's format ``path.ipynb:cell_N:L:C: MLP019 message``
  (code cells counted from 1, as nbqa counts them; ``C`` is 1-based). Exit status: 1
  when something was found, 0 when not, 2 when an input could not be read (one line on
  stderr per such input).

Bad input never raises: a notebook without code cells has no findings; an unreadable or
invalid notebook found next to a temporary file is ignored.
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

from .apis.packaging import describe, scan_command

CODE = "MLP019"
NBQA_SUFFIX = "_nbqa_ipynb.py"
#: nbqa's temporary file: ``tempfile.mkstemp(prefix=<stem>, suffix="_nbqa_ipynb.py")``
#: adds 8 characters from ``[a-z0-9_]``
_NBQA_TEMP = re.compile(r"^(?P<stem>.*)[a-z0-9_]{8}_nbqa_ipynb\.py$")
NBQA_CELL_SEP = "# %%NBQA-CELL-SEP"

#: cell magics whose body is shell script
SHELL_CELL_MAGICS = frozenset({"bash", "sh", "zsh", "system"})
#: cell magics whose body is still IPython source (nbqa keeps the cell for the first six)
IPYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "pypy", "python", "python3", "prun"})
#: cell magics nbqa keeps (it lints their body)
NBQA_KEPT_CELL_MAGICS = frozenset({"time", "timeit", "capture", "pypy", "python", "python3"})
#: line magics that install packages (their arguments follow the tool name)
INSTALL_LINE_MAGICS = frozenset({"pip", "conda", "mamba", "micromamba", "uv"})
#: line magics that run a shell command
SHELL_LINE_MAGICS = frozenset({"sx", "system"})
_NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z0-9]+(?:[,\s]+[A-Z0-9]+)*))?", re.I)
_ASSIGN_MAGIC = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*=\s*(?=[!%])")
#: the strings that make nbqa drop a cell (already-transformed magics)
_TRANSFORMED = (
    "get_ipython().run_cell_magic",
    "get_ipython().system",
    "get_ipython().getoutput",
    "get_ipython().run_line_magic",
)


class Finding(NamedTuple):
    cell: int  #: code cell number, from 1
    line: int  #: line in the cell, from 1
    col: int  #: 0-based column of the magic
    message: str  #: without the code
    dropped: bool  #: True when nbqa drops the whole cell (no line to report through it)


class CodeCell(NamedTuple):
    number: int
    source: str
    tags: Tuple[str, ...]


class NotebookError(Exception):
    """The notebook could not be read or is not a notebook."""


# --------------------------------------------------------------------------- reading
def read_notebook(path: str) -> List[CodeCell]:
    """The notebook's code cells (numbered from 1). Raises :class:`NotebookError`."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise NotebookError(f"cannot read: {exc.__class__.__name__}: {exc}") from None
    return parse_notebook(text)


def parse_notebook(text: str) -> List[CodeCell]:
    data = _load(text)
    cells = data.get("cells") if isinstance(data, dict) else None
    if cells is None and isinstance(data, dict) and isinstance(data.get("worksheets"), list):
        # nbformat 3: cells live in worksheets and code is under "input"
        cells = []
        for ws in data["worksheets"]:
            if isinstance(ws, dict) and isinstance(ws.get("cells"), list):
                cells.extend(ws["cells"])
    if not isinstance(cells, list):
        raise NotebookError("not a Jupyter notebook (no cells)")
    out: List[CodeCell] = []
    number = 0
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        number += 1
        src = cell.get("source", cell.get("input", ""))
        if isinstance(src, list):
            src = "".join(s for s in src if isinstance(s, str))
        if not isinstance(src, str):
            src = ""
        meta = cell.get("metadata")
        tags = meta.get("tags", ()) if isinstance(meta, dict) else ()
        out.append(CodeCell(number, src, tuple(t for t in tags if isinstance(t, str))
                            if isinstance(tags, (list, tuple)) else ()))
    return out


def _load(text: str) -> Any:
    """Parse with nbformat when it is installed (it also upgrades old formats), else json."""
    try:
        import nbformat  # type: ignore
    except Exception:  # pragma: no cover - nbformat is an optional extra
        nbformat = None
    if nbformat is not None:
        import warnings

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return nbformat.reads(text, as_version=4)
        except Exception:
            pass  # fall back to plain json (e.g. a schema nbformat rejects)
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise NotebookError(f"invalid JSON: {exc}") from None


# ----------------------------------------------------------------------------- scan
def _logical_lines(source: str) -> List[Tuple[int, str]]:
    """(1-based first line, text) with backslash continuations joined."""
    out: List[Tuple[int, str]] = []
    lines = source.split("\n")
    i = 0
    while i < len(lines):
        start = i
        text = lines[i]
        while text.endswith("\\") and i + 1 < len(lines):
            i += 1
            text = text[:-1] + " " + lines[i]
        out.append((start + 1, text))
        i += 1
    return out


def _suppressed(text: str) -> bool:
    m = _NOQA.search(text)
    if m is None:
        return False
    codes = m.group("codes")
    if not codes:
        return True
    return any(c and CODE.startswith(c) for c in re.split(r"[,\s]+", codes.upper()))


def _shell_installs(command: str) -> List[Tuple[str, List[str]]]:
    return [(tool, names) for tool, names in scan_command(command) if names]


def _message(prefix: str, tool: str, names: Sequence[str]) -> str:
    sep = " " if prefix.startswith("%%") else ""
    return (
        f"{prefix}{sep}{tool} install of unpinned {describe(names)} installs packages at run "
        "time; pin exact versions (pkg==x.y.z) or declare them in a locked requirements file"
    )


def _line_magic_install(body: str) -> Optional[Tuple[str, str]]:
    """(prefix ``!``/``%``, shell command) when a magic line runs a command."""
    if body.startswith("!"):
        return "!", body.lstrip("!")
    if body.startswith("%") and not body.startswith("%%"):
        parts = body[1:].split(None, 1)
        if not parts:
            return None
        name = parts[0]
        rest = parts[1] if len(parts) > 1 else ""
        if name in INSTALL_LINE_MAGICS:
            return "%", name + " " + rest
        if name in SHELL_LINE_MAGICS:
            return "%" + name + " ", rest
    return None


def scan_cell(cell: CodeCell) -> List[Finding]:
    """Install magics of one code cell (unpinned requirements only)."""
    source = cell.source
    dropped = nbqa_drops(cell)
    lines = _logical_lines(source)
    out: List[Finding] = []
    shell_body = ""
    first = 0
    while first < len(lines) and not lines[first][1].strip():
        first += 1
    if first < len(lines):
        head = lines[first][1].strip()
        if head.startswith("%%"):
            parts = head[2:].split()
            magic = parts[0] if parts else ""
            if magic in SHELL_CELL_MAGICS or (magic == "script" and len(parts) > 1
                                              and parts[1].rsplit("/", 1)[-1] in ("bash", "sh", "zsh")):
                shell_body = "%%" + magic
            elif magic not in IPYTHON_CELL_MAGICS:
                return out  # %%writefile, %%html, %%sql…: not run as IPython or shell
            lines = lines[first + 1:]
    for lineno, text in lines:
        stripped = text.lstrip()
        col = len(text) - len(stripped)
        if not stripped or stripped.startswith("#"):
            continue
        if shell_body:
            kind, command = shell_body, stripped
        else:
            m = _ASSIGN_MAGIC.match(stripped)
            body = stripped[m.end():] if m else stripped
            got = _line_magic_install(body)
            if got is None:
                continue
            kind, command = got
        if _suppressed(text):
            continue
        for tool, names in _shell_installs(command):
            out.append(Finding(cell.number, lineno, col, _message(kind, tool, names), dropped))
    return out


def nbqa_drops(cell: CodeCell) -> bool:
    """True when nbqa 1.x leaves this code cell out of the temporary file."""
    src = cell.source
    if not src:
        return True
    if any(t in src for t in _TRANSFORMED):
        return True
    lines = src.splitlines(keepends=True)
    if all(line.startswith(("%", "?", "!")) for line in lines if line.strip()):
        return True
    head = src.lstrip("\n").split("\n", 1)[0].strip()
    if head.startswith("%%"):
        magic = head[2:].split()[0] if head[2:].split() else ""
        return magic not in NBQA_KEPT_CELL_MAGICS
    return False


def scan_cells(cells: Iterable[CodeCell]) -> List[Finding]:
    out: List[Finding] = []
    for cell in cells:
        out.extend(scan_cell(cell))
    return out


def scan_notebook(path: str) -> List[Finding]:
    """Every install-magic finding of a notebook. Raises :class:`NotebookError`."""
    return scan_cells(read_notebook(path))


# ------------------------------------------------------------------------ under nbqa
def original_notebook(temp_filename: str) -> Optional[str]:
    """``/dir/nb3k9x_a1b_nbqa_ipynb.py`` -> ``/dir/nb.ipynb`` when that file exists."""
    base = os.path.basename(temp_filename or "")
    m = _NBQA_TEMP.match(base)
    if m is None or not m.group("stem"):
        return None
    path = os.path.join(os.path.dirname(temp_filename), m.group("stem") + ".ipynb")
    try:
        return path if os.path.isfile(path) else None
    except (OSError, ValueError):
        return None


def _segments(lines: Sequence[str]) -> List[int]:
    """0-based indexes of nbqa's cell separator lines in the temporary file."""
    return [i for i, line in enumerate(lines) if line.startswith(NBQA_CELL_SEP)]


_PLACEHOLDER = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]*\s*=\s*)?hash\(")


def _placeholder_col(line: str) -> Optional[int]:
    """Column of nbqa's ``hash(…)`` placeholder (also ``out = hash(…)``), else None."""
    stripped = line.lstrip()
    if _PLACEHOLDER.match(stripped):
        return len(line) - len(stripped)
    return None


def nbqa_findings(temp_filename: str, lines: Sequence[str]) -> List[Tuple[int, int, str]]:
    """Findings of mixed cells as ``(temp line, col, message)`` for nbqa's temporary file.

    Kept cells are matched to the temporary file's ``# %%NBQA-CELL-SEP`` segments in
    order; an install is reported where its cell line sits in the segment, if that line
    holds nbqa's ``hash(…)`` placeholder (a cell whose magics changed its line count is
    masked as one placeholder: its installs go to that line). Anything that does not
    line up is skipped silently.
    """
    path = original_notebook(temp_filename)
    if path is None:
        return []
    try:
        cells = read_notebook(path)
    except NotebookError:
        return []
    kept = [c for c in cells if not nbqa_drops(c)]
    seps = _segments(lines)
    if len(kept) != len(seps):
        return []
    out: List[Tuple[int, int, str]] = []
    for k, cell in enumerate(kept):
        findings = scan_cell(cell)
        if not findings:
            continue
        start = seps[k] + 1  # 0-based index of the cell's first line
        end = seps[k + 1] if k + 1 < len(seps) else len(lines)
        segment = [line.rstrip("\r\n") for line in lines[start:end]]
        while segment and not segment[-1].strip():
            segment.pop()
        whole_cell = len(segment) == 1 and segment[0].startswith("hash(")
        for f in findings:
            idx = 0 if whole_cell else f.line - 1
            if idx >= len(segment):
                continue
            col = _placeholder_col(segment[idx])
            if col is None:
                continue
            out.append((start + idx + 1, col, f.message))
    return out


# ----------------------------------------------------------------------------- CLI
def _expand(paths: Sequence[str]) -> List[str]:
    out: List[str] = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
                out.extend(os.path.join(root, f) for f in sorted(files) if f.endswith(".ipynb"))
        else:
            out.append(p)
    return out


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    exit_zero = "--exit-zero" in args
    args = [a for a in args if a != "--exit-zero"]
    if not args or args[0] in ("-h", "--help"):
        print(
            "usage: python -m flake8_mlops.notebook [--exit-zero] NOTEBOOK_OR_DIR [...]\n"
            "Report package installs in notebook magics (%pip/!pip/%conda), which nbqa hides\n"
            "from flake8, as path.ipynb:cell_N:L:C: MLP019 message. Exit 1 when findings "
            "(0 with --exit-zero, as flake8's option), 2 on unreadable input.",
            file=sys.stdout if args else sys.stderr,
        )
        return 0 if args else 2
    status = 0
    for path in _expand(args):
        try:
            findings = scan_notebook(path)
        except NotebookError as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            status = 2
            continue
        for f in findings:
            print(f"{path}:cell_{f.cell}:{f.line}:{f.col + 1}: {CODE} {f.message}")
        if findings and status == 0 and not exit_zero:
            status = 1
    return status


if __name__ == "__main__":  # pragma: no cover - exercised through subprocess in tests
    sys.exit(main())


Dict  # re-export for type hints
