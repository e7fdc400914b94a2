"""Source-text triggers (``Rule.triggers``) are a pure speed-up: they must never change
what is reported. Every fixture, realistic file, demo script and notebook is linted
with every rule twice -- gated and ungated -- and the findings must be identical.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import List, Tuple

import pytest

from flake8_mlops.context import Context
from flake8_mlops.dispatch import gate, run_rules
from flake8_mlops.registry import all_rules

from .harness import ROOT, file_config

CORPUS = sorted(
    p
    for d in ("fixtures", "examples")
    for p in (ROOT / d).rglob("*")
    if p.suffix in (".py", ".ipynb") and p.is_file()
)


def _source(path: Path) -> str:
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix != ".ipynb":
        return text
    cells = json.loads(text).get("cells", [])
    out: List[str] = []
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        lines = [ln if not ln.lstrip().startswith(("%", "!")) else "pass\n" for ln in src.splitlines(True)]
        out.append("# %%\n" + "".join(lines) + "\n")
    return "".join(out)


def _lint(source: str, name: str, gated: bool) -> List[Tuple[int, int, str]]:
    tree = ast.parse(source)
    ctx = Context(tree, name, source.splitlines(keepends=True), file_config(source))
    return sorted(set(run_rules(ctx, all_rules(), use_triggers=gated)))


def test_some_rules_have_triggers() -> None:
    assert sum(1 for r in all_rules() if r.triggers) >= 10


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(ROOT)))
def test_gating_never_changes_findings(path: Path) -> None:
    source = _source(path)
    try:
        ast.parse(source)
    except SyntaxError:
        pytest.skip("not parseable on this Python")
    name = path.name if path.suffix == ".py" else path.stem + "_nbqa_ipynb.py"
    assert _lint(source, name, True) == _lint(source, name, False)


def test_trigger_order_never_changes_which_rules_are_kept() -> None:
    """The gate tries each rule's triggers most-often-found first, re-sorting as it sees
    files; whatever the order, a rule is kept exactly when one of its triggers occurs."""
    from flake8_mlops import dispatch

    rules = all_rules()
    texts = [_source(p) for p in CORPUS if p.suffix == ".py"]
    for text in texts * 2:  # twice: the second pass runs with re-sorted orders
        ctx = Context(ast.parse("x = 1\n"), "x.py", text.splitlines(True))
        naive = [
            r for r in rules
            if not r.triggers
            or any(t in text for t in r.triggers)
            or any(t in text.lower() for t in r.triggers_nocase)
        ]
        assert list(gate(ctx, rules)) == naive
    assert dispatch._gated_files[0] > 128  # the orders were re-sorted along the way


def test_gate_drops_rules_without_their_text() -> None:
    rules = [r for r in all_rules() if r.triggers]
    source = "x = 1\n"
    ctx = Context(ast.parse(source), "x.py", [source])
    assert gate(ctx, rules) == []
    # no source text (a tree only): nothing is dropped
    ctx = Context(ast.parse(source), "x.py", [])
    assert list(gate(ctx, rules)) == rules


def test_trigger_present_keeps_rule() -> None:
    for rule in all_rules():
        for trigger in rule.triggers:
            ctx = Context(ast.parse("x = 1\n"), "x.py", [f"# {trigger}\n", "x = 1\n"])
            assert rule in gate(ctx, [rule]), (rule.code, trigger)
