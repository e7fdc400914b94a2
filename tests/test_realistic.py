"""Realistic ML code (fixtures/realistic/): every rule on, exact set of (line, code).

These files were written and labelled from the catalogue alone, by people who had not read
the rules' code: scripts, notebooks-as-scripts, services, configs and tests, with the
near-misses real code bases contain. They guard precision and recall across rules, where
the per-code fixtures guard each rule's own spellings.
"""

from __future__ import annotations

import pytest

from .harness import FIXTURES, compare, expectations, lint

FILES = sorted((FIXTURES / "realistic").glob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_realistic_file(path):
    source = path.read_text(encoding="utf-8")
    expected = expectations(source)
    found = [f for f in lint(source, filename=str(path)) if not f[2].startswith("MLP000")]
    missing, extra = compare(found, expected)
    assert not missing and not extra, (
        f"missing={sorted(missing)} extra={sorted(extra)}"
    )


def test_no_internal_errors_on_realistic_code():
    for path in FILES:
        found = lint(path.read_text(encoding="utf-8"), filename=str(path))
        assert not [f for f in found if f[2].startswith("MLP000")], path
