"""MLP006's repository markers (DVC, git-lfs) on real temporary repositories.

Bad input must stay correct and never raise: a broken ``dvc.yaml`` (counted as absent, with
one warning line per file and process), no PyYAML, an unreadable ``.gitattributes``,
symlinked and looping data folders. The markers are cached once per
directory and per process, and the rule works under ``flake8 -j`` (forked workers).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_mlops import repo_markers

from .harness import lint


@pytest.fixture(autouse=True)
def _fresh_cache():
    repo_markers.clear_cache()
    yield
    repo_markers.clear_cache()


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "src").mkdir()
    (root / "data").mkdir()
    return root


def _dvc_yaml(outs: str) -> str:
    return "stages:\n  s:\n    cmd: x\n    outs:\n      - " + outs + "\n"


def _codes(root: Path, source: str, rel: str = "src/train.py"):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")
    return [(line, text.split()[0]) for line, _, text in lint(source, filename=str(path), codes=["MLP006"])]


READ = "import pandas as pd\ndf = pd.read_csv({!r})\n"


def test_relative_path_resolves_against_script_folder_and_repo_root(tmp_path):
    root = _repo(tmp_path)
    (root / "data" / "train.csv.dvc").write_text("outs:\n- path: train.csv\n", encoding="utf-8")
    (root / "src" / "local.csv.dvc").write_text("outs:\n- path: local.csv\n", encoding="utf-8")
    assert _codes(root, READ.format("data/train.csv")) == []  # from the repo root
    assert _codes(root, READ.format("local.csv")) == []  # from the script's folder
    assert _codes(root, READ.format("../data/train.csv")) == []
    assert _codes(root, READ.format("data/other.csv")) == [(2, "MLP006")]


def test_walk_stops_at_the_repository_root(tmp_path):
    root = _repo(tmp_path)
    # a marker above the repository must not count
    (tmp_path / "dvc.yaml").write_text(_dvc_yaml("repo/data"), encoding="utf-8")
    (tmp_path / ".gitattributes").write_text("*.csv filter=lfs\n", encoding="utf-8")
    assert _codes(root, READ.format("data/train.csv")) == [(2, "MLP006")]


def test_an_existing_file_is_judged_where_it_is(tmp_path):
    root = _repo(tmp_path)
    (root / ".gitattributes").write_text("src/**/*.csv filter=lfs\n", encoding="utf-8")
    (root / "data" / "x.csv").write_text("a\n", encoding="utf-8")
    # src/data/x.csv would be covered, but the file that exists is data/x.csv
    assert _codes(root, READ.format("data/x.csv")) == [(2, "MLP006")]


def test_a_dvc_folder_also_marks_the_root(tmp_path):
    root = tmp_path / "proj"
    (root / ".dvc").mkdir(parents=True)
    (root / "dvc.yaml").write_text(_dvc_yaml("data/prepared"), encoding="utf-8")
    assert _codes(root, READ.format("data/prepared/part-0.csv"), rel="nb/explore.py") == []
    assert _codes(root, READ.format("data/raw.csv"), rel="nb/explore.py") == [(2, "MLP006")]


def test_broken_dvc_yaml_counts_as_absent_with_one_warning(tmp_path, capsys):
    root = _repo(tmp_path)
    (root / "dvc.yaml").write_text("stages: [unclosed\n  - : :\n\t", encoding="utf-8")
    (root / "dvc.lock").write_bytes(b"\xff\xfe\x00garbage: [")
    found = _codes(root, READ.format("data/train.csv"))
    assert found == [(2, "MLP006")]  # no MLP000, no exception
    assert _codes(root, READ.format("data/other.csv")) == [(2, "MLP006")]
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2, err  # one line per broken file, not one per linted file
    assert all(line.startswith("flake8-mlops: warning: cannot parse ") for line in err)
    assert any("dvc.yaml" in line for line in err) and any("dvc.lock" in line for line in err)


def test_broken_dvc_yaml_through_real_flake8_warns_once(tmp_path):
    root = _repo(tmp_path)
    (root / "dvc.yaml").write_text("stages: [unclosed\n  - : :\n\t", encoding="utf-8")
    for name in ("a.py", "b.py", "c.py"):
        (root / name).write_text(READ.format("data/train.csv"), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "-j1", "--select=MLP006", "a.py", "b.py", "c.py"],
        cwd=root, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.count("MLP006") == 3
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot parse" in lines[0] and "dvc.yaml" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


def test_dvc_yaml_of_unexpected_shapes(tmp_path):
    root = _repo(tmp_path)
    (root / "dvc.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    (root / "data" / "dvc.yaml").write_text(
        "stages:\n  a: null\n  b: [1, 2]\n  c:\n    outs: 7\n"
        "  d:\n    outs:\n      - {path: 3}\n      - tracked.csv\n",
        encoding="utf-8",
    )
    assert _codes(root, READ.format("data/tracked.csv")) == []
    assert _codes(root, READ.format("data/untracked.csv")) == [(2, "MLP006")]


def test_without_pyyaml_dvc_yaml_is_absent_but_dvc_files_count(tmp_path, monkeypatch):
    root = _repo(tmp_path)
    (root / "dvc.yaml").write_text(_dvc_yaml("data/out.csv"), encoding="utf-8")
    (root / "data" / "train.csv.dvc").write_text("outs:\n- path: train.csv\n", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "yaml", None)  # ``import yaml`` now fails
    assert _codes(root, READ.format("data/out.csv")) == [(2, "MLP006")]
    assert _codes(root, READ.format("data/train.csv")) == []


def test_unreadable_gitattributes(tmp_path):
    root = _repo(tmp_path)
    (root / ".gitattributes").mkdir()  # reading it fails with IsADirectoryError
    assert _codes(root, READ.format("data/train.parquet")) == [(2, "MLP006")]
    (root / ".gitattributes").rmdir()
    (root / ".gitattributes").write_bytes(b"\x80\x81 binary\n*.parquet filter=lfs -text\n[bad\n")
    repo_markers.clear_cache()
    assert _codes(root, READ.format("data/train.parquet")) == []


def test_gitattributes_precedence(tmp_path):
    root = _repo(tmp_path)
    (root / ".gitattributes").write_text("*.csv filter=lfs\ndata/small/*.csv -filter\n", encoding="utf-8")
    (root / "data" / "nested").mkdir()
    (root / "data" / "nested" / ".gitattributes").write_text("keep.csv !filter\n", encoding="utf-8")
    (root / "data" / "small").mkdir()
    for rel in ("data/big.csv", "data/small/tiny.csv", "data/nested/keep.csv", "data/nested/other.csv"):
        (root / rel).write_text("a,b\n", encoding="utf-8")  # existing files: judged where they are
    assert _codes(root, READ.format("data/big.csv")) == []
    assert _codes(root, READ.format("data/small/tiny.csv")) == [(2, "MLP006")]
    assert _codes(root, READ.format("data/nested/keep.csv")) == [(2, "MLP006")]
    assert _codes(root, READ.format("data/nested/other.csv")) == []


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_symlinked_and_looping_data_folders(tmp_path):
    root = _repo(tmp_path)
    external = tmp_path / "bigdisk" / "churn"
    external.mkdir(parents=True)
    (external / "train.csv.dvc").write_text("outs:\n- path: train.csv\n", encoding="utf-8")
    os.symlink(external, root / "data" / "churn")
    os.symlink(root / "data" / "loop", root / "data" / "loop")  # a self-referencing link
    assert _codes(root, READ.format("data/churn/train.csv")) == []
    assert _codes(root, READ.format("data/churn/test.csv")) == [(2, "MLP006")]
    assert _codes(root, READ.format("data/loop/x.csv")) == [(2, "MLP006")]


def test_no_repository_at_all(tmp_path):
    folder = tmp_path / "loose"
    folder.mkdir()
    (folder / "train.csv.dvc").write_text("outs:\n- path: train.csv\n", encoding="utf-8")
    assert _codes(folder, READ.format("train.csv"), rel="script.py") == []
    assert _codes(folder, READ.format("test.csv"), rel="script.py") == [(2, "MLP006")]


def test_each_directory_is_read_once(tmp_path, monkeypatch):
    root = _repo(tmp_path)
    calls = []
    real = repo_markers._read_dir
    monkeypatch.setattr(repo_markers, "_read_dir", lambda d: calls.append(d) or real(d))
    for _ in range(3):
        _codes(root, READ.format("data/a.csv") + "b = pd.read_csv('data/b.csv')\n")
    assert len(calls) == len(set(calls)) and calls


def test_flake8_jobs_in_forked_workers(tmp_path):
    root = _repo(tmp_path)
    (root / "dvc.yaml").write_text(_dvc_yaml("data/tracked"), encoding="utf-8")
    for i in range(6):
        (root / "src" / f"job_{i}.py").write_text(
            "import pandas as pd\n"
            f"a = pd.read_csv('data/tracked/part_{i}.csv')\n"
            f"b = pd.read_csv('data/untracked_{i}.csv')\n",
            encoding="utf-8",
        )
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select=MLP006", "--jobs=3", "src"],
        cwd=str(root), capture_output=True, text=True, timeout=180,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = sorted(proc.stdout.splitlines())
    assert len(lines) == 6, proc.stdout
    assert all(":3:5: MLP006 " in line and "untracked_" in line for line in lines)
