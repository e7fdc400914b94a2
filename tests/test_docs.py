"""Docs come from the rule docstrings; these tests keep them complete, current and true."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from flake8_mlops.docs import (
    REQUIRED_SECTIONS,
    code_blocks,
    render_options_table,
    render_page,
    render_table,
    sections,
)
from flake8_mlops.registry import CODE_RE, all_rules

from .harness import ROOT, lint

RULES = all_rules()
IDS = [r.code for r in RULES]


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_docstring_has_every_section(rule):
    sec = sections(rule)
    missing = [h for h in REQUIRED_SECTIONS if not sec.get(h)]
    assert not missing, f"{rule.code} docstring lacks: {missing}"


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_page_is_current(rule):
    page = ROOT / "docs" / "rules" / f"{rule.code}.md"
    assert page.exists(), f"run scripts/gen_docs.py: {page} missing"
    assert page.read_text(encoding="utf-8") == render_page(rule), (
        f"{page.name} is stale; run python scripts/gen_docs.py"
    )


def test_readme_table_is_current():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert render_table(RULES) in readme, "README rule table is stale; run python scripts/gen_docs.py"
    assert render_options_table(RULES) in readme, "README options table is stale; run python scripts/gen_docs.py"


def test_no_orphan_pages():
    codes = set(IDS)
    for page in (ROOT / "docs" / "rules").glob("*.md"):
        assert page.stem in codes, f"{page} documents no registered rule"


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_example_fires_and_fix_does_not(rule):
    sec = sections(rule)
    bad = code_blocks(sec["Example"])
    good = code_blocks(sec["Use instead"])
    assert bad and good, f"{rule.code}: Example and Use instead need ```python blocks"
    for block in bad:
        codes = {t.split()[0] for _, _, t in lint(block, codes=[rule.code])}
        assert rule.code in codes, f"{rule.code}: Example does not trigger the rule:\n{block}"
    for block in good:
        found = lint(block, codes=[rule.code])
        assert not found, f"{rule.code}: Use instead triggers the rule: {found}"


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_metadata(rule):
    assert CODE_RE.match(rule.code)
    assert rule.confidence in ("high", "medium", "low")
    assert "\n" not in rule.message
    sec = sections(rule)
    refs = sec["References"]
    if rule.code.startswith("MLP0"):
        assert re.search(r"seed 00[0-3]", refs), f"{rule.code}: References must cite its seed"


def test_codes_unique_and_in_changelog():
    assert len(IDS) == len(set(IDS))
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    for code in IDS:
        assert code in changelog, f"{code} is not in CHANGELOG.md"


def test_every_rule_module_is_imported():
    pkg = ROOT / "flake8_mlops" / "rules"
    init = (pkg / "__init__.py").read_text(encoding="utf-8")
    for path in pkg.rglob("mlp[0-9][0-9][0-9]_*.py"):
        assert path.stem in init, f"{path} is not imported by rules/__init__.py"


def test_gen_docs_check_mode_agrees():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_docs.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
