"""Notebooks through the real ``nbqa flake8``: exact findings per (cell, line).

Each ``fixtures/notebooks/*.ipynb`` states its expectations inside its code cells with
``# expect: MLPnnn`` (optionally ``:col``) on the line that must fire. Code cells are
numbered from 1 as nbqa numbers them (markdown cells do not count, empty and magic
cells do). The codes a notebook is linted with are those it expects plus those named in
the notebook metadata (``{"flake8_mlops": {"codes": [...]}}``) or in a ``# codes:`` comment
in its first code cell, so a notebook that must stay silent still selects its rules.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List, Optional, Set, Tuple

import pytest

from .harness import EXPECT_RE, FIXTURES, rule_codes

NOTEBOOKS = sorted((FIXTURES / "notebooks").glob("*.ipynb"))
CODES_RE = re.compile(r"^#\s*codes:\s*([A-Z0-9, ]+)$", re.M)
NBQA_RE = re.compile(
    r"^(?P<nb>[^:]+):cell_(?P<cell>\d+):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) (?P<msg>.+)$"
)

Expect = Tuple[int, int, str, Optional[int]]  # (cell, line in cell, code, 1-based col or None)


def code_cells(nb: dict) -> List[str]:
    out = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            src = cell["source"]
            out.append("".join(src) if isinstance(src, list) else src)
    return out


def notebook_expectations(nb: dict) -> Set[Expect]:
    found: Set[Expect] = set()
    for n, src in enumerate(code_cells(nb), start=1):
        for lineno, line in enumerate(src.splitlines(), start=1):
            m = EXPECT_RE.search(line)
            if not m:
                continue
            for item in m.group(1).split(","):
                item = item.strip()
                if item:
                    code, _, col = item.partition(":")
                    found.add((n, lineno, code, int(col) if col else None))
    return found


def notebook_codes(nb: dict) -> Set[str]:
    codes = {code for _, _, code, _ in notebook_expectations(nb)}
    codes.update(nb.get("metadata", {}).get("flake8_mlops", {}).get("codes", []))
    cells = code_cells(nb)
    if cells:
        for m in CODES_RE.finditer(cells[0]):
            codes.update(c.strip() for c in m.group(1).split(",") if c.strip())
    return codes


def run_nbqa(nb_path: Path, codes: Set[str]) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "nbqa", "flake8", nb_path.name, "--select=" + ",".join(sorted(codes)),
         "--isolated"],
        cwd=str(nb_path.parent),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_there_are_notebook_fixtures():
    assert NOTEBOOKS, "fixtures/notebooks/ holds no notebook"
    assert any(notebook_expectations(json.loads(p.read_text(encoding="utf-8"))) for p in NOTEBOOKS)
    assert any(p.name.startswith("ok_") for p in NOTEBOOKS)


@pytest.mark.parametrize("src", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_findings_match_expectations(src, tmp_path):
    nb = json.loads(src.read_text(encoding="utf-8"))
    expected = notebook_expectations(nb)
    codes = notebook_codes(nb)
    assert codes, f"{src.name}: no codes (add # expect:, metadata flake8_mlops.codes or # codes:)"
    known = set(rule_codes())
    if not codes <= known:
        pytest.skip(f"rules not registered yet: {sorted(codes - known)}")
    if src.name.startswith("ok_"):
        assert not expected, "ok_* notebooks must not expect findings"
    else:
        assert expected, "a positive notebook must expect at least one finding"

    dst = tmp_path / src.name
    shutil.copyfile(src, dst)
    proc = run_nbqa(dst, codes)
    rows = []
    for raw in proc.stdout.splitlines():
        m = NBQA_RE.match(raw)
        assert m, f"unexpected nbqa output line: {raw!r}\nstderr={proc.stderr}"
        assert m["nb"] == src.name
        rows.append((int(m["cell"]), int(m["line"]), int(m["col"]), m["code"], m["msg"]))
    assert proc.returncode == (1 if expected else 0), proc.stdout + proc.stderr

    got = {(cell, line, code) for cell, line, _, code, _ in rows}
    want = {(cell, line, code) for cell, line, code, _ in expected}
    assert got == want, f"missing={sorted(want - got)} extra={sorted(got - want)}"
    cols = {(cell, line, code): col for cell, line, col, code, _ in rows}
    for cell, line, code, col in expected:
        if col is not None:
            assert cols[(cell, line, code)] == col, (cell, line, code)
    assert all("MLP000" not in r[3] for r in rows)
    # nbqa must leave the notebook untouched (flake8 does not fix anything)
    assert dst.read_bytes() == src.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [src.name]


def test_security_notebook_shape():
    """The main fixture keeps the features that make it a realistic nbqa test."""
    path = FIXTURES / "notebooks" / "mlp0xx_security.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    kinds = [c["cell_type"] for c in nb["cells"]]
    cells = code_cells(nb)
    assert "markdown" in kinds
    assert any(c.startswith("!pip install") for c in cells), "an all-magic cell"
    assert any(c.startswith("%matplotlib inline\n") and "\n" in c for c in cells), "a mixed magic cell"
    assert "" in cells, "an empty code cell"
    assert any(c.startswith("%%") for c in cells), "a cell magic"
    assert "import torch" in cells[0] and "import joblib" in cells[0]
    assert "MLP003" in notebook_codes(nb)


def test_unselected_codes_do_not_leak(tmp_path):
    """Selecting another code silences MLP003 in the notebook (selection reaches flake8)."""
    src = FIXTURES / "notebooks" / "mlp0xx_security.ipynb"
    dst = tmp_path / src.name
    shutil.copyfile(src, dst)
    proc = run_nbqa(dst, {"F401"})
    assert "MLP003" not in proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "nbqa", "flake8", dst.name, "--isolated", "--extend-ignore=MLP003"],
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "MLP003" not in proc.stdout and "Traceback" not in proc.stderr
