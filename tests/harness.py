"""Shared test helpers: fixture discovery, ``# expect:`` annotations, running the rules.

Fixture conventions (``fixtures/MLPnnn/*.py``):

* ``x = torch.load(p)  # expect: MLP003`` — a finding of that code on that line;
  ``# expect: MLP003:5`` also pins the (1-based) column; several codes are
  comma-separated;
* ``# mlp-options: --mlp-foo=a,b`` — plugin options for this file;
* ``# requires-python: >=3.12`` — skipped on older interpreters;
* files named ``ok_*`` must expect nothing; every other file must expect something.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set, Tuple

from flake8_mlops.context import Context
from flake8_mlops.dispatch import run_rules
from flake8_mlops.options import Config, collect_options, split_list
from flake8_mlops.registry import all_rules

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

EXPECT_RE = re.compile(r"#\s*expect:\s*([A-Z0-9:, ]+)")
OPTIONS_RE = re.compile(r"^#\s*mlp-options:\s*(.+)$", re.M)
REQUIRES_RE = re.compile(r"^#\s*requires-python:\s*>=\s*(\d+)\.(\d+)", re.M)

Expectation = Tuple[int, str, Optional[int]]


def rule_codes() -> List[str]:
    return [r.code for r in all_rules()]


def fixture_files(code: Optional[str] = None) -> List[Path]:
    dirs = [FIXTURES / code] if code else sorted(p for p in FIXTURES.glob("MLP*") if p.is_dir())
    files: List[Path] = []
    for d in dirs:
        files.extend(sorted(d.glob("*.py")))
    return files


def expectations(source: str) -> Set[Expectation]:
    out: Set[Expectation] = set()
    for lineno, line in enumerate(source.splitlines(), start=1):
        m = EXPECT_RE.search(line)
        if not m:
            continue
        for item in m.group(1).split(","):
            item = item.strip()
            if not item:
                continue
            code, _, col = item.partition(":")
            out.add((lineno, code, int(col) if col else None))
    return out


def file_config(source: str) -> Config:
    values: Dict[str, object] = {}
    declared = {o.flag: o for o in collect_options(all_rules())}
    for m in OPTIONS_RE.finditer(source):
        for part in m.group(1).split():
            flag, _, value = part.partition("=")
            opt = declared.get(flag)
            if opt is None:
                raise ValueError(f"unknown option in fixture header: {flag}")
            values[opt.dest] = split_list(value) if opt.is_list else value
    return Config(values)


def requires_python(source: str) -> Optional[Tuple[int, int]]:
    m = REQUIRES_RE.search(source)
    return (int(m.group(1)), int(m.group(2))) if m else None


def lint(
    source: str,
    filename: str = "example.py",
    codes: Optional[Sequence[str]] = None,
    config: Optional[Config] = None,
) -> List[Tuple[int, int, str]]:
    """Run the selected rules in-process on ``source`` (as flake8 would, minus noqa)."""
    tree = ast.parse(source, filename=filename)
    rules = [r for r in all_rules() if codes is None or r.code in codes]
    ctx = Context(tree, filename, source.splitlines(keepends=True), config)
    return sorted(set(run_rules(ctx, rules)))


def compare(found: Sequence[Tuple[int, int, str]], expected: Set[Expectation]) -> Tuple[Set, Set]:
    """(missing, extra) between findings and expectations; columns checked when pinned."""
    got = {(line, text.split()[0]) for line, _, text in found}
    got_cols = {(line, text.split()[0], col + 1) for line, col, text in found}
    want = {(line, code) for line, code, _ in expected}
    missing = want - got
    extra = got - want
    for line, code, col in expected:
        if col is not None and (line, code) in got and (line, code, col) not in got_cols:
            missing.add((line, f"{code}:{col}"))
    return missing, extra


def python_ok(source: str) -> bool:
    need = requires_python(source)
    return need is None or sys.version_info[:2] >= need
