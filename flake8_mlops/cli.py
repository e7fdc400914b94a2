"""The ``flake8-mlops`` command: a thin shell over the plugin's registry, docs and flake8.

Sub-commands:

* ``flake8-mlops rules [--format table|json] [--mlp-rules FILE]`` — every rule: code, name,
  family, whether flake8 runs it by default, confidence and the one-line summary; user rules
  (MLP9nn, family "user") from ``--mlp-rules`` or the flake8 configuration's ``mlp-rules``;
* ``flake8-mlops explain MLPnnn`` — the rule page (the same text as ``docs/rules/MLPnnn.md``,
  rendered from the rule's docstring by :mod:`flake8_mlops.docs`);
* ``flake8-mlops check PATH... [-- FLAKE8_ARGS...]`` — ``.py`` files through flake8's own
  application (in this process, with ``--extend-select=MLP`` and the user's flake8
  configuration), ``.ipynb`` files through ``nbqa flake8`` plus the notebook-only scan of
  :mod:`flake8_mlops.notebook` (the install magics nbqa hides). Exit status as flake8's:
  0 clean, 1 findings; 2 for bad arguments or a missing tool;
* ``flake8-mlops baseline PATH... -o FILE`` — record today's findings (see
  :mod:`flake8_mlops.baseline`).

Bad arguments print one line (``usage: …`` then the error on the same line) on stderr and
exit 2. Nothing here imports or runs the linted code.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from typing import Any, Dict, List, NoReturn, Optional, Sequence, Set, Tuple

from . import __version__

PROG = "flake8-mlops"
USAGE = f"usage: {PROG} {{rules,explain,check,baseline}} ... (see {PROG} --help)"
#: above this many files ``check`` lints in chunks and reports progress on stderr
PROGRESS_THRESHOLD = 50
CHUNK = 50
_NBQA_LINE = re.compile(r"^(?P<nb>.+?):cell_(?P<cell>\d+):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) ")


class UsageError(Exception):
    """A bad command line: reported as one line with the usage, exit 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing a multi-line usage and exiting."""

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        raise UsageError(message)


def _fail(message: str, usage: str = USAGE) -> int:
    print(f"{usage}: error: {message}" if usage else f"{PROG}: error: {message}", file=sys.stderr)
    return 2


# --------------------------------------------------------------------------- rules
def rule_rows() -> List[Dict[str, Any]]:
    """One dict per registered rule (the JSON of ``flake8-mlops rules --format json``)."""
    from .docs import summary
    from .registry import all_rules
    from .sarif import help_uri

    rows = []
    for rule in all_rules():
        rows.append(
            {
                "code": rule.code,
                "name": rule.name,
                "family": rule.family,
                # flake8 >= 6 runs every plugin code unless --select narrows the selection
                "default": "on",
                "confidence": rule.confidence,
                "added_in": rule.added_in,
                "summary": summary(rule),
                "message": rule.message,
                "options": [
                    {"flag": o.flag, "default": list(o.default) if o.is_list else o.default}
                    for o in rule.options
                ],
                "help_uri": help_uri(rule.code),
            }
        )
    return rows


def user_rule_specs(rules_arg: Optional[str]) -> List[Any]:
    """The user rules of ``--mlp-rules`` (argument) or of the flake8 configuration.

    flake8 reads its configuration (``setup.cfg``/``tox.ini``/``.flake8``, ``pyproject.toml``
    with flake8-pyproject) and the plugin validates the rule files exactly as in a lint
    run: a broken file prints one line and raises ``SystemExit(2)``.
    """
    from . import user_rules

    argv = [f"{user_rules.RULES_OPTION.flag}={rules_arg}"] if rules_arg else []
    # a configured baseline is irrelevant here and must not stop the listing
    app = _flake8_app(["--mlp-baseline=", *argv])
    paths = user_rules.paths_from_options(app.options)
    if not paths:
        return []
    return user_rules.load(paths)


def user_rule_rows(specs: Sequence[Any]) -> List[Dict[str, Any]]:
    return [
        {
            "code": s.code,
            "name": s.id,
            "family": "user",
            "default": "off" if s.severity == "off" else "on",
            "confidence": "high",
            "added_in": "",
            "summary": s.message,
            "message": s.message,
            "options": [],
            "help_uri": s.url,
            "severity": s.severity,
            "source": s.path,
        }
        for s in specs
    ]


def _user_specs_or_status(rules_arg: Optional[str]) -> Tuple[List[Any], int]:
    from .user_rules import UserRulesError

    try:
        return user_rule_specs(rules_arg), 0
    except SystemExit as exc:  # the plugin already printed the one-line reason
        return [], int(exc.code) if isinstance(exc.code, int) else 2
    except UserRulesError as exc:
        print(f"{PROG}: error: --mlp-rules: {exc}", file=sys.stderr)
        return [], 2


def cmd_rules(args: argparse.Namespace) -> int:
    specs, status = _user_specs_or_status(args.mlp_rules)
    if status:
        return status
    rows = rule_rows() + user_rule_rows(specs)
    if args.format == "json":
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    headers = ("code", "name", "family", "default", "confidence", "summary")
    table = [headers] + [tuple(str(r[h]) for h in headers) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers) - 1)]
    for row in table:
        cells = [row[i].ljust(widths[i]) for i in range(len(headers) - 1)] + [row[-1]]
        print("  ".join(cells).rstrip())
    return 0


# ------------------------------------------------------------------------- explain
def cmd_explain(args: argparse.Namespace) -> int:
    from .docs import render_page
    from .registry import REGISTRY, all_rules

    all_rules()
    code = args.code.strip().upper()
    rule = REGISTRY.get(code)
    if rule is None and code.startswith("MLP9"):
        specs, status = _user_specs_or_status(args.mlp_rules)
        if status:
            return status
        for spec in specs:
            if spec.code == code:
                sys.stdout.write(_user_rule_page(spec))
                return 0
    if rule is None:
        return _fail(f"unknown rule code {args.code!r} (run '{PROG} rules' for the list)",
                     f"usage: {PROG} explain MLPnnn")
    sys.stdout.write(render_page(rule))
    return 0


def _user_rule_page(spec: Any) -> str:
    import yaml

    parts = [f"# {spec.code} {spec.id}", "", f"User rule from `{spec.path}` (severity: {spec.severity}).",
             "", spec.message, ""]
    if spec.note:
        parts += [spec.note.strip(), ""]
    if spec.url:
        parts += [f"More: {spec.url}", ""]
    parts += ["```yaml", yaml.safe_dump(spec.config, sort_keys=False).rstrip(), "```", ""]
    return "\n".join(parts)


# --------------------------------------------------------------------------- check
def _flake8_app(argv: Sequence[str]):
    from flake8.main.application import Application

    app = Application()
    app.initialize(list(argv))
    return app


def discover(paths: Sequence[str], flake8_args: Sequence[str]) -> Tuple[List[str], List[str], Any]:
    """(python files flake8 would lint, notebooks, flake8 options) for the given paths.

    Python files come from flake8's own discovery (its ``exclude``/``filename`` settings);
    notebooks from the same walk with the ``*.ipynb`` pattern.
    """
    from flake8.discover_files import expand_paths

    app = _flake8_app([*flake8_args, *paths])
    opts = app.options
    common = dict(stdin_display_name=opts.stdin_display_name, exclude=opts.exclude)
    py_files = [p for p in expand_paths(paths=paths, filename_patterns=opts.filename, **common)
                if not p.endswith(".ipynb")]
    notebooks = [p for p in expand_paths(paths=paths, filename_patterns=["*.ipynb"], **common)
                 if p.endswith(".ipynb")]
    return py_files, sorted(set(notebooks)), opts


def _run_flake8(argv: Sequence[str]) -> Tuple[int, bool]:
    """Run flake8's application in this process: (result count, catastrophic failure)."""
    from flake8.main.application import Application

    app = Application()
    app.run(list(argv))
    return app.result_count, app.catastrophic_failure


def _selected(opts: Any, code: str) -> bool:
    try:
        from flake8.style_guide import Decision, DecisionEngine

        return DecisionEngine(opts).decision_for(code) is Decision.Selected
    except Exception:  # pragma: no cover - flake8 internals
        return True


def _check_notebooks(notebooks: Sequence[str], flake8_args: Sequence[str], opts: Any) -> Tuple[int, int]:
    """nbqa flake8 plus the notebook-only scan: (findings, status 0|2)."""
    from .notebook import CODE, NotebookError, scan_notebook

    if shutil.which("nbqa") is None:
        try:
            import nbqa  # noqa: F401
        except ImportError:
            print(f"{PROG}: error: nbqa is not installed; to lint notebooks run "
                  f"pip install 'flake8-mlops[notebooks]'", file=sys.stderr)
            return 0, 2
    cmd = [sys.executable, "-m", "nbqa", "flake8", *notebooks, "--extend-select=MLP", *flake8_args]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    seen: Set[Tuple[str, int, int, str]] = set()
    count = 0
    for line in proc.stdout.splitlines():
        m = _NBQA_LINE.match(line)
        if m:
            seen.add((os.path.normpath(m["nb"]), int(m["cell"]), int(m["line"]), m["code"]))
            count += 1
        if line.strip():
            print(line)
    status = 0
    if proc.returncode not in (0, 1) or (proc.stderr.strip() and not count and proc.returncode):
        msg = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"
        print(f"{PROG}: nbqa flake8 failed: {msg}", file=sys.stderr)
        status = 2
    if not _selected(opts, CODE):
        return count, status
    for nb in notebooks:
        try:
            findings = scan_notebook(nb)
        except NotebookError as exc:
            print(f"{nb}: {exc}", file=sys.stderr)
            status = 2
            continue
        for f in findings:
            if (os.path.normpath(nb), f.cell, f.line, CODE) in seen:
                continue  # nbqa already reported it through the plugin
            print(f"{nb}:cell_{f.cell}:{f.line}:{f.col + 1}: {CODE} {f.message}")
            count += 1
    return count, status


def cmd_check(args: argparse.Namespace) -> int:
    missing = [p for p in args.paths if p != "-" and not os.path.exists(p)]
    if missing:
        return _fail(f"no such file or directory: {missing[0]}", CHECK_USAGE)
    base = ["--extend-select=MLP", *args.flake8_args]
    if args.format:
        base.append(f"--format={args.format}")
    try:
        py_files, notebooks, opts = discover(args.paths, base)
    except SystemExit as exc:  # flake8 rejected an option after "--"
        return int(exc.code) if isinstance(exc.code, int) else 2
    total = 0
    status = 0
    if py_files:
        chunked = len(py_files) + len(notebooks) > PROGRESS_THRESHOLD and not args.format
        if args.progress or (chunked and args.progress is None):
            print(f"{PROG}: checking {len(py_files)} Python files and {len(notebooks)} notebooks",
                  file=sys.stderr)
        if chunked:
            size = max(CHUNK, -(-len(py_files) // 10))  # at most ~10 progress lines
            for start in range(0, len(py_files), size):
                part = py_files[start:start + size]
                n, failed = _run_flake8([*base, *part])
                total += n
                status = 1 if failed else status
                if args.progress is not False:
                    print(f"{PROG}: [{start + len(part)}/{len(py_files)}] Python files checked",
                          file=sys.stderr)
        else:
            # one flake8 run, so that one-document formats (mlp-sarif) stay one document
            n, failed = _run_flake8([*base, *py_files])
            total += n
            status = 1 if failed else status
    if notebooks:
        n, nb_status = _check_notebooks(notebooks, args.flake8_args, opts)
        total += n
        status = max(status, nb_status)
        if args.progress or (args.progress is None and len(notebooks) > PROGRESS_THRESHOLD):
            print(f"{PROG}: {len(notebooks)} notebooks checked", file=sys.stderr)
    if status:
        return status
    return 1 if total and not args.exit_zero else 0


# ------------------------------------------------------------------------ baseline
def cmd_baseline(args: argparse.Namespace) -> int:
    from .baseline import BaselineError, write_baseline

    missing = [p for p in args.paths if not os.path.exists(p)]
    if missing:
        return _fail(f"no such file or directory: {missing[0]}", BASELINE_USAGE)
    try:
        py_files, _notebooks, _opts = discover(args.paths, ["--extend-select=MLP", *args.flake8_args])
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else 2
    try:
        n = write_baseline(py_files, args.output, [*args.flake8_args])
    except BaselineError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    print(f"{PROG}: wrote {n} findings from {len(py_files)} files to {args.output}", file=sys.stderr)
    return 0


# ---------------------------------------------------------------------------- main
RULES_USAGE = f"usage: {PROG} rules [--format table|json] [--mlp-rules FILE]"
CHECK_USAGE = f"usage: {PROG} check [--exit-zero] [--format FMT] PATH... [-- FLAKE8_ARGS...]"
BASELINE_USAGE = f"usage: {PROG} baseline PATH... -o FILE [-- FLAKE8_ARGS...]"


def build_parser() -> _Parser:
    parser = _Parser(prog=PROG, description="flake8-mlops: MLOps antipatterns for flake8.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    p = sub.add_parser("rules", help="list every rule")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--mlp-rules", default=None, metavar="FILE",
                   help="also list the user rules of these YAML files (default: the flake8 configuration's)")
    p.set_defaults(func=cmd_rules, usage=RULES_USAGE)

    p = sub.add_parser("explain", help="show a rule's page")
    p.add_argument("code", metavar="MLPnnn")
    p.add_argument("--mlp-rules", default=None, metavar="FILE", help="user rule files (for MLP9nn)")
    p.set_defaults(func=cmd_explain, usage=f"usage: {PROG} explain MLPnnn")

    p = sub.add_parser("check", help="lint .py files and notebooks",
                       epilog="Arguments after -- are passed to flake8 (and to nbqa flake8).")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    p.add_argument("--format", default=None, help="flake8 formatter, e.g. mlp-sarif (Python files)")
    p.add_argument("--progress", dest="progress", action="store_true", default=None,
                   help="always report progress on stderr")
    p.add_argument("--no-progress", dest="progress", action="store_false")
    p.set_defaults(func=cmd_check, usage=CHECK_USAGE)

    p = sub.add_parser("baseline", help="record today's findings so that only new ones are reported")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p.set_defaults(func=cmd_baseline, usage=BASELINE_USAGE)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    flake8_args: List[str] = []
    if "--" in args_list:
        i = args_list.index("--")
        args_list, flake8_args = args_list[:i], args_list[i + 1:]
    parser = build_parser()
    if not args_list:
        return _fail("a command is required")
    usage = USAGE
    sub_usages = {"rules": RULES_USAGE,
                  "explain": f"usage: {PROG} explain MLPnnn", "check": CHECK_USAGE,
                  "baseline": BASELINE_USAGE}
    usage = sub_usages.get(args_list[0], USAGE)
    try:
        args = parser.parse_args(args_list)
    except UsageError as exc:
        return _fail(str(exc), usage)
    if args.command is None:
        return _fail("a command is required")
    if flake8_args and args.command not in ("check", "baseline"):
        return _fail("'--' arguments are only for check and baseline", usage)
    args.flake8_args = flake8_args
    try:
        return int(args.func(args))
    except BrokenPipeError:  # pragma: no cover - e.g. piped into head
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
