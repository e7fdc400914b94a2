"""``flake8 --format=mlp-sarif``: the real flake8, output validated against SARIF 2.1.0.

The schema is the official OASIS ``sarif-schema-2.1.0.json`` shipped in
``fixtures/sarif/`` (see the README there), so the tests never download anything.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import List, Set, Tuple

import pytest

jsonschema = pytest.importorskip("jsonschema")

from flake8_mlops.docs import sections, summary  # noqa: E402
from flake8_mlops.registry import all_rules  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "fixtures" / "sarif" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
LINE_RE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) ")

TRAIN = textwrap.dedent(
    '''\
    import os
    import torch


    def restore(path):
        return torch.load(path)


    model = torch.load("model.pt")
    x = 1 ;y = 2
    '''
)


def validate(doc: dict) -> None:
    jsonschema.Draft4Validator(SCHEMA).validate(doc)


def flake8(args: List[str], cwd: Path) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "flake8", "--isolated", *args], cwd=str(cwd),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def artifact_uris(doc: dict) -> Set[str]:
    results = doc["runs"][0]["results"]
    return {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}


def results_of(doc: dict) -> Set[Tuple[str, int, int, str]]:
    out = set()
    for res in doc["runs"][0]["results"]:
        loc = res["locations"][0]["physicalLocation"]
        out.add((loc["artifactLocation"]["uri"], loc["region"]["startLine"],
                 loc["region"].get("startColumn", 1), res["ruleId"]))
    return out


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(TRAIN)
    (tmp_path / "src" / "broken.py").write_text("def f(:\n    pass\n")
    (tmp_path / "clean.py").write_text("print('hello')\n")
    return tmp_path


def test_schema_fixture_is_the_official_sarif_schema():
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    assert SCHEMA["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    assert SCHEMA["properties"]["version"]["enum"] == ["2.1.0"]


def test_every_flake8_result_in_valid_sarif(tree):
    text = flake8(["--extend-select=MLP", "src", "clean.py"], tree).stdout
    sarif = flake8(["--extend-select=MLP", "--format=mlp-sarif", "src", "clean.py"], tree)
    doc = json.loads(sarif.stdout)
    validate(doc)
    assert sarif.returncode == 1  # exit code stays flake8's
    expected = {(m["path"].replace("\\", "/"), int(m["line"]), int(m["col"]), m["code"])
                for m in map(LINE_RE.match, text.splitlines())}
    assert results_of(doc) == expected
    codes = {code for *_, code in expected}
    assert {"MLP003", "F401", "E999", "E702"} <= codes
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["message"]["text"].startswith(res["ruleId"] + " ")
        if res["ruleId"] == "E999":
            assert res["level"] == "error"


def test_mlp_rule_metadata_is_complete(tree):
    doc = json.loads(flake8(["--format=mlp-sarif", "clean.py"], tree).stdout)
    validate(doc)
    assert doc["runs"][0]["results"] == []
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    repo = re.search(r'^Repository = "([^"]+)"', pyproject, re.M).group(1)
    for rule in all_rules():
        desc = rules[rule.code]
        assert desc["name"] == rule.name
        assert desc["shortDescription"]["text"] == summary(rule)
        assert desc["fullDescription"]["text"] == " ".join(sections(rule)["What it does"].split())
        assert desc["help"]["markdown"].startswith(f"# {rule.code} {rule.name}")
        assert desc["helpUri"] == f"{repo}/blob/main/docs/rules/{rule.code}.md"
        assert (ROOT / "docs" / "rules" / f"{rule.code}.md").exists()
        assert desc["properties"]["family"] == rule.family


def test_output_file_is_replaced_atomically_not_appended(tree):
    out = tree / "reports" / "flake8.sarif"
    for _ in range(2):  # flake8's own formatters append; SARIF must stay one document
        proc = flake8(["--format=mlp-sarif", f"--output-file={out}", "src"], tree)
        assert proc.stdout == ""
    doc = json.loads(out.read_text(encoding="utf-8"))
    validate(doc)
    assert any(r["ruleId"] == "MLP003" for r in doc["runs"][0]["results"])
    assert sorted(p.name for p in out.parent.iterdir()) == ["flake8.sarif"]


def test_paths_outside_the_working_directory_are_file_uris(tree):
    doc = json.loads(flake8(["--format=mlp-sarif", str(tree / "src" / "train.py")], tree / "src").stdout)
    validate(doc)
    uris = artifact_uris(doc)
    assert uris == {"train.py"}
    other = tree / "elsewhere"
    other.mkdir()
    doc = json.loads(flake8(["--format=mlp-sarif", str(tree / "src" / "train.py")], other).stdout)
    validate(doc)
    uris = artifact_uris(doc)
    assert uris == {(tree / "src" / "train.py").resolve().as_uri()}
