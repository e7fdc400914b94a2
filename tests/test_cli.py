"""The ``flake8-mlops`` console script: rules, explain, check, and its bad-argument errors.

Most tests call :func:`flake8_mlops.cli.main` in this process (fast); a few run the
installed console script to prove the ``[project.scripts]`` entry works. Every ``check``
runs in a temporary directory with ``--isolated`` after ``--`` so this repository's own
flake8 configuration never leaks in.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from flake8_mlops import cli
from flake8_mlops.docs import render_page, summary
from flake8_mlops.registry import all_rules

SCRIPT = shutil.which("flake8-mlops")
HAS_NBQA = shutil.which("nbqa") is not None or __import__("importlib").util.find_spec("nbqa") is not None

UNSAFE = 'import torch\n\nmodel = torch.load("model.pt")\n'
CLEAN = 'import json\n\nprint(json.dumps({"a": 1}))\n'


def notebook(*cells: str) -> str:
    return json.dumps(
        {
            "cells": [
                {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                 "source": src}
                for src in cells
            ],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


def run(capsys, *argv: str):
    rc = cli.main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


# ---------------------------------------------------------------------------- rules
def test_rules_table_lists_every_rule(capsys):
    rc, out, err = run(capsys, "rules")
    assert rc == 0 and not err
    lines = out.splitlines()
    assert lines[0].split()[:5] == ["code", "name", "family", "default", "confidence"]
    body = {line.split()[0]: line for line in lines[1:]}
    assert list(body) == [r.code for r in all_rules()]
    for rule in all_rules():
        assert rule.name in body[rule.code]
        assert summary(rule)[:30] in body[rule.code]


def test_rules_json(capsys):
    rc, out, _ = run(capsys, "rules", "--format", "json")
    assert rc == 0
    rows = json.loads(out)
    assert [r["code"] for r in rows] == [r.code for r in all_rules()]
    by_code = {r["code"]: r for r in rows}
    mlp003 = by_code["MLP003"]
    assert mlp003["name"] == "unsafe-deserialization"
    assert mlp003["family"] == "MLOps antipatterns"
    assert mlp003["default"] == "on"
    assert mlp003["help_uri"].endswith("/docs/rules/MLP003.md")
    for row in rows:
        assert set(row) >= {"code", "name", "family", "default", "confidence", "summary", "options"}


# -------------------------------------------------------------------------- explain
@pytest.mark.parametrize("code", ["MLP003", "mlp003", " MLP003 "])
def test_explain_prints_the_rule_page(capsys, code):
    rc, out, err = run(capsys, "explain", code)
    assert rc == 0 and not err
    rule = {r.code: r for r in all_rules()}["MLP003"]
    assert out == render_page(rule)


def test_explain_matches_the_generated_docs_for_every_rule(capsys):
    docs = Path(__file__).resolve().parent.parent / "docs" / "rules"
    for rule in all_rules():
        rc, out, _ = run(capsys, "explain", rule.code)
        assert rc == 0
        page = docs / f"{rule.code}.md"
        if page.exists():
            assert out == page.read_text(encoding="utf-8"), f"{rule.code}: docs out of date?"


# ------------------------------------------------------------------- bad arguments
@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["rules", "--format", "xml"],
        ["rules", "extra"],
        ["explain"],
        ["explain", "MLP999"],
        ["explain", "E501"],
        ["check"],
        ["check", "definitely/not/here.py"],
        ["check", "--bogus", "."],
        ["baseline", "."],
        ["rules", "--", "--isolated"],
    ],
)
def test_bad_arguments_one_line_with_usage_exit_2(capsys, argv):
    rc, out, err = run(capsys, *argv)
    assert rc == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("usage: flake8-mlops") and ": error: " in lines[0]


# ---------------------------------------------------------------------------- check
@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "train.py").write_text(UNSAFE)
    (tmp_path / "pkg" / "clean.py").write_text(CLEAN)
    return tmp_path


def test_check_python_files_like_flake8(capsys, project):
    rc, out, err = run(capsys, "check", "pkg", "--", "--isolated")
    assert rc == 1, err
    assert out.splitlines() == [
        f"pkg{__import__('os').sep}train.py:3:9: MLP003 "
        + out.split(" MLP003 ", 1)[1].splitlines()[0]
    ]
    assert "torch.load()" in out
    assert err == ""  # few files: no progress


def test_check_clean_and_exit_zero(capsys, project):
    rc, out, _ = run(capsys, "check", "pkg/clean.py", "--", "--isolated")
    assert (rc, out) == (0, "")
    rc, out, _ = run(capsys, "check", "--exit-zero", "pkg", "--", "--isolated")
    assert rc == 0 and "MLP003" in out


def test_check_honours_flake8_selection_after_dashdash(capsys, project):
    rc, out, _ = run(capsys, "check", "pkg", "--", "--isolated", "--extend-ignore=MLP003")
    assert (rc, out) == (0, "")


def test_check_progress_on_stderr_when_many_files(capsys, project, monkeypatch):
    monkeypatch.setattr(cli, "PROGRESS_THRESHOLD", 3)
    monkeypatch.setattr(cli, "CHUNK", 2)
    for i in range(5):
        (project / "pkg" / f"m{i}.py").write_text(UNSAFE if i == 4 else CLEAN)
    rc, out, err = run(capsys, "check", "pkg", "--", "--isolated")
    assert rc == 1
    assert len([line for line in out.splitlines() if " MLP003 " in line]) == 2
    assert err.splitlines()[0] == "flake8-mlops: checking 7 Python files and 0 notebooks"
    assert err.splitlines()[-1] == "flake8-mlops: [7/7] Python files checked"
    rc, _, err = run(capsys, "check", "--no-progress", "pkg", "--", "--isolated")
    assert rc == 1 and "[7/7]" not in err


@pytest.mark.skipif(not HAS_NBQA, reason="nbqa is not installed")
def test_check_notebooks_nbqa_plus_notebook_scan(capsys, project):
    (project / "nb.ipynb").write_text(
        notebook(
            "!pip install transformers",  # dropped by nbqa: only the notebook scan sees it
            'import torch\n%pip install lightgbm\nmodel = torch.load("m.pt")',  # mixed cell
            "print(model)",
        )
    )
    rc, out, err = run(capsys, "check", "nb.ipynb", "pkg/clean.py", "--", "--isolated")
    assert rc == 1, err
    found = sorted(re.findall(r"^nb\.ipynb:cell_(\d+):(\d+):\d+: (MLP\d+)", out, re.M))
    assert found == [("1", "1", "MLP019"), ("2", "2", "MLP019"), ("2", "3", "MLP003")], out


@pytest.mark.skipif(SCRIPT is None, reason="console script not installed (pip install -e .)")
def test_console_script_runs(tmp_path):
    (tmp_path / "train.py").write_text(UNSAFE)
    proc = subprocess.run([SCRIPT, "check", "train.py", "--", "--isolated"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "MLP003" in proc.stdout, proc.stderr
    proc = subprocess.run([SCRIPT, "explain", "MLP003"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("# MLP003 unsafe-deserialization")
    proc = subprocess.run([SCRIPT, "nope"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1
    assert "Traceback" not in proc.stderr
