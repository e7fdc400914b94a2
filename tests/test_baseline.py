"""Baselines: ``flake8-mlops baseline`` then ``flake8 --mlp-baseline`` (the real flake8).

The fingerprints must survive moved, re-indented and re-commented code, suppress exactly
the recorded findings (identical statements are counted), report every new one, and an
unusable baseline must stop flake8 with one line and exit 2.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import List, Tuple

import pytest

from flake8_mlops import cli
from flake8_mlops.baseline import FORMAT_VERSION

LINE_RE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) ")

ORIGINAL = textwrap.dedent(
    '''\
    import pickle

    import torch


    def restore(path):
        return torch.load(path)


    model = torch.load("model.pt")
    backup = torch.load("model.pt")
    backup = torch.load("model.pt")
    '''
)

# The same findings, moved around: new header, function moved below, reformatted call,
# comments added, statement order changed.
MOVED = textwrap.dedent(
    '''\
    """Training script."""
    import pickle

    import torch

    backup = torch.load("model.pt")  # TODO: weights_only
    model = torch.load(
        "model.pt"
    )
    backup = torch.load('model.pt')


    def restore(path):
        # restore a checkpoint
        return torch.load(path)
    '''
)


def flake8(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select=MLP", *args],
                          cwd=str(cwd), capture_output=True, text=True, timeout=120)


def findings(proc: subprocess.CompletedProcess) -> List[Tuple[str, int, str]]:
    assert "Traceback" not in proc.stderr, proc.stderr
    return [(m["path"], int(m["line"]), m["code"]) for m in map(LINE_RE.match, proc.stdout.splitlines())]


@pytest.fixture
def repo(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(ORIGINAL)
    (tmp_path / "src" / "other.py").write_text('import joblib\n\nclf = joblib.load("clf.joblib")\n')
    rc = cli.main(["baseline", "src", "-o", ".mlp-baseline.json", "--", "--isolated"])
    _out, err = capsys.readouterr()
    assert rc == 0, err
    assert "wrote 5 findings" in err
    return tmp_path


def test_baseline_file_records_fingerprints_not_source(repo):
    doc = json.loads((repo / ".mlp-baseline.json").read_text())
    assert doc["format_version"] == FORMAT_VERSION
    entries = doc["findings"]
    assert {(e["path"], e["code"]) for e in entries} == {
        ("src/train.py", "MLP003"), ("src/other.py", "MLP003")}
    backups = [e for e in entries if e["line"] in (11, 12)]
    assert backups[0]["fingerprint"] == backups[1]["fingerprint"]
    assert sorted(e["index"] for e in backups) == [0, 1]
    assert "model.pt" not in json.dumps(entries[0]["fingerprint"])
    assert sorted(p.name for p in repo.iterdir()) == [".mlp-baseline.json", "src"]  # no temp file left


def test_baseline_suppresses_exactly_the_recorded_findings(repo):
    assert findings(flake8(repo, "src")) != []
    proc = flake8(repo, "--mlp-baseline=.mlp-baseline.json", "src")
    assert (proc.returncode, findings(proc)) == (0, [])


def test_moved_code_stays_suppressed_and_new_findings_are_reported(repo):
    (repo / "src" / "train.py").write_text(MOVED)
    proc = flake8(repo, "--mlp-baseline=.mlp-baseline.json", "src")
    assert (proc.returncode, findings(proc)) == (0, [])

    # a new finding, and a third copy of a recorded statement: both reported, nothing else
    (repo / "src" / "train.py").write_text(
        MOVED + 'data = pickle.load(open("data.pkl", "rb"))\nbackup = torch.load("model.pt")\n'
    )
    proc = flake8(repo, "--mlp-baseline=.mlp-baseline.json", "src")
    assert proc.returncode == 1
    assert findings(proc) == [("src/train.py", 16, "MLP003"), ("src/train.py", 17, "MLP003")]

    # a changed statement is a new finding
    (repo / "src" / "other.py").write_text('import joblib\n\nclf = joblib.load("clf-v2.joblib")\n')
    assert ("src/other.py", 3, "MLP003") in findings(flake8(repo, "--mlp-baseline=.mlp-baseline.json", "src"))


def test_baseline_from_config_file_and_other_working_directory(repo):
    (repo / "setup.cfg").write_text("[flake8]\nselect = MLP\nmlp-baseline = .mlp-baseline.json\n")
    proc = subprocess.run([sys.executable, "-m", "flake8", "src"], cwd=str(repo),
                          capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stdout) == (0, ""), proc.stderr
    # from src/ with an explicit path: paths are relative to the baseline file, not the cwd
    proc = flake8(repo / "src", f"--mlp-baseline={repo / '.mlp-baseline.json'}", "train.py", "other.py")
    assert (proc.returncode, proc.stdout) == (0, ""), proc.stderr
    # regenerating with the config in place records everything again (the old baseline is ignored)
    rc = cli.main(["baseline", "src", "-o", "again.json"])
    assert rc == 0
    assert len(json.loads((repo / "again.json").read_text())["findings"]) == 5


@pytest.mark.parametrize(
    "content, reason",
    [
        ("not json {", "not valid JSON"),
        ('{"format": "something-else"}', "not a flake8-mlops baseline"),
        ('{"format": "flake8-mlops-baseline", "format_version": 99, "tool_version": "9.0", "findings": []}',
         "format version 99"),
        ('{"format": "flake8-mlops-baseline", "format_version": 1, "findings": [{"path": 1}]}',
         "malformed"),
        (None, "does not exist"),
    ],
)
def test_unusable_baseline_is_one_line_and_exit_2(repo, content, reason):
    bad = repo / "bad.json"
    if content is not None:
        bad.write_text(content)
    for extra in ((), ("--jobs=2",)):
        proc = flake8(repo, "--mlp-baseline=bad.json", *extra, "src")
        assert proc.returncode == 2, proc.stderr
        assert proc.stdout == ""
        lines = proc.stderr.splitlines()
        assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert lines[0].startswith("flake8-mlops: error: --mlp-baseline: ") and reason in lines[0]


def test_secrets_are_not_copied_into_the_baseline(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    secret = "sk-live-51HxQ2kD9fJ3mZ8pL0aB7cV4nR6tY1uW"
    (tmp_path / "cfg.py").write_text(f'OPENAI_API_KEY = "{secret}"\n')
    assert cli.main(["baseline", "cfg.py", "-o", "b.json", "--", "--isolated"]) == 0
    capsys.readouterr()
    text = (tmp_path / "b.json").read_text()
    assert [e["code"] for e in json.loads(text)["findings"]] == ["MLP001"]
    assert secret not in text and secret[:12] not in text


def test_baseline_command_bad_arguments(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    bad = (["baseline", "-o", "x.json"], ["baseline", "missing_dir", "-o", "x.json"], ["baseline", "."])
    for argv in bad:
        assert cli.main(argv) == 2
        _out, err = capsys.readouterr()
        assert len(err.splitlines()) == 1 and err.startswith("usage: flake8-mlops baseline")
    assert not (tmp_path / "x.json").exists()
