"""``.pre-commit-hooks.yaml`` through the real ``pre-commit try-repo``.

The project's installable files are copied into a temporary git repository (so the test
sees the working tree, committed or not), and a second temporary repository with a
Python file and a notebook is linted by both hooks. pre-commit builds the hook
environments itself (a virtualenv, ``pip install`` of this project, flake8 and nbqa from
the package index) in a temporary store for every ``try-repo`` call: about 30 s, so the
test makes a single call (the clean files in it must not be reported). Skipped when
pre-commit or git is missing, or when the package index cannot be reached.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

needs_pre_commit = [
    pytest.mark.skipif(importlib.util.find_spec("pre_commit") is None, reason="pre-commit is not installed"),
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
]

GIT_ENV = {
    "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
}
NETWORK_ERRORS = ("Could not find a version", "No matching distribution", "Connection", "Temporary failure")


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=str(cwd), check=True, capture_output=True,
                   env={**os.environ, **GIT_ENV})


def notebook(*cells: str) -> str:
    return json.dumps({
        "cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": c}
                  for c in cells],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    })


@pytest.fixture(scope="module")
def repos(tmp_path_factory):
    base = tmp_path_factory.mktemp("precommit")
    proj = base / "flake8-mlops"
    proj.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, proj / name)
    shutil.copytree(ROOT / "flake8_mlops", proj / "flake8_mlops",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    git("init", "-q", cwd=proj)
    git("add", "-A", cwd=proj)
    git("commit", "-q", "-m", "snapshot", cwd=proj)

    target = base / "target"
    target.mkdir()
    (target / "train.py").write_text('import torch\n\nmodel = torch.load("model.pt")\nprint(model)\n')
    (target / "clean.py").write_text("print('hello')\n")
    (target / "explore.ipynb").write_text(notebook(
        "!pip install transformers",  # a cell nbqa drops: only the notebook scan sees it
        'import torch\nmodel = torch.load("m.pt")\nprint(model)',
    ))
    (target / "ok.ipynb").write_text(
        notebook("import json", "%pip install lightgbm==4.3.0", "print(json.dumps({}))"))
    git("init", "-q", cwd=target)
    git("add", "-A", cwd=target)
    return proj, target, base / "home"


def try_repo(repos, *args: str) -> subprocess.CompletedProcess:
    proj, target, home = repos
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(proj), *args],
        cwd=str(target), capture_output=True, text=True, timeout=300,
        env={**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"},
    )
    if proc.returncode == 3 or "An unexpected error has occurred" in proc.stdout + proc.stderr:
        log = (home / "pre-commit.log")
        text = proc.stdout + proc.stderr + (log.read_text() if log.exists() else "")
        if any(marker in text for marker in NETWORK_ERRORS):
            pytest.skip("pre-commit could not install the hook environment (package index unreachable)")
        pytest.fail(f"pre-commit failed:\n{text}")
    return proc


def test_manifest_declares_both_hooks():
    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    py = hooks["flake8-mlops"]
    assert py["entry"] == "flake8 --extend-select=MLP"
    assert (py["language"], py["types"], py["require_serial"]) == ("python", ["python"], True)
    nb = hooks["flake8-mlops-notebooks"]
    assert nb["entry"] == "flake8-mlops check"  # nbqa flake8 + the notebook-only scan
    assert (nb["language"], nb["types"]) == ("python", ["jupyter"])
    assert any(dep.startswith("nbqa") for dep in nb["additional_dependencies"])


@needs_pre_commit[0]
@needs_pre_commit[1]
def test_hooks_find_python_and_notebook_findings(repos):
    proc = try_repo(repos, "--all-files", "--verbose")
    out = proc.stdout
    assert proc.returncode == 1, out
    assert re.search(r"^flake8-mlops\.+Failed$", out, re.M), out
    assert re.search(r"^flake8-mlops \(notebooks\)\.+Failed$", out, re.M), out
    assert re.search(r"^train\.py:3:9: MLP003 ", out, re.M), out
    assert re.search(r"^explore\.ipynb:cell_2:2:\d+: MLP003 ", out, re.M), out
    assert re.search(r"^explore\.ipynb:cell_1:1:1: MLP019 ", out, re.M), out  # the dropped cell
    assert "clean.py" not in out and "ok.ipynb" not in out
