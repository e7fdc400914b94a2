"""Every fixture, run with only its own rule selected: exact set of (line, code)."""

from __future__ import annotations

import pytest

from .harness import FIXTURES, compare, expectations, file_config, fixture_files, lint, python_ok, rule_codes

CASES = [pytest.param(p, id=f"{p.parent.name}/{p.name}") for p in fixture_files()]


@pytest.mark.parametrize("path", CASES)
def test_fixture(path):
    code = path.parent.name
    source = path.read_text(encoding="utf-8")
    if not python_ok(source):
        pytest.skip("needs a newer Python")
    expected = expectations(source)
    if path.name.startswith("ok_"):
        assert not expected, "ok_* fixtures must not expect findings"
    else:
        assert expected, "a positive fixture must expect at least one finding"
    assert all(c == code for _, c, _ in expected), "fixtures expect only their own code"
    found = lint(source, filename=str(path), codes=[code], config=file_config(source))
    missing, extra = compare(found, expected)
    assert not missing and not extra, (
        f"missing={sorted(missing)} extra={sorted(extra)}\nfound={found}"
    )


@pytest.mark.parametrize("code", rule_codes())
def test_every_rule_has_positive_and_negative_fixtures(code):
    files = fixture_files(code)
    names = [p.name for p in files]
    assert any(n.startswith("ok_") for n in names), f"{code}: no ok_* fixture"
    assert any(not n.startswith("ok_") for n in names), f"{code}: no positive fixture"


def test_fixture_folders_name_real_rules():
    codes = set(rule_codes())
    for d in FIXTURES.glob("MLP*"):
        assert d.name in codes, f"fixtures/{d.name} has no rule"
