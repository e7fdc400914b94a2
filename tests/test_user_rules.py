"""User rules MLP9xx (``--mlp-rules``, ast-grep rule files) through the real tools.

Every run is a real ``flake8`` (or ``nbqa``, ``ast-grep``, ``flake8-mlops``) subprocess in a
temporary project; ``--isolated`` unless the test is about configuration files.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Sequence, Set, Tuple

import pytest

pytest.importorskip("ast_grep_py")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "house_rules.yml"

RULES = textwrap.dedent(
    """\
    id: no-legacy-feature-store
    language: python
    rule:
      pattern: legacy_fs.get_features($$$)
    message: legacy_fs.get_features() reads the retired feature store; use featurestore.v2
    severity: warning
    metadata:
      code: MLP901
    ---
    id: no-load-in-predict
    language: Python
    rule:
      any:
        - pattern: pickle.load($$$)
        - pattern: joblib.load($$$)
      inside:
        kind: function_definition
        has:
          field: name
          regex: ^predict$
        stopBy: end
    message: $$$ model loaded inside predict(), once per request; load it at start-up
    metadata:
      code: MLP902
    ---
    id: no-print-in-library
    language: PYTHON
    rule:
      pattern: print($A)
    files: ["src/**/*.py"]
    ignores: ["src/**/cli.py"]
    message: print($A) in library code; use logging
    severity: info
    metadata:
      code: MLP903
    """
)

SERVE = textwrap.dedent(
    """\
    import pickle

    import joblib
    import legacy_fs


    def predict(path, rows):
        model = joblib.load(path)
        print(rows)
        extra = legacy_fs.get_features(
            rows["id"], "v1")
        return model.predict(rows), extra


    def load(path):
        with open(path, "rb") as fh:
            return pickle.load(fh)


    FEATURES = legacy_fs.get_features("all")  # noqa: MLP901
    OTHER = legacy_fs.get_features("x")  # noqa: E501
    SILENT = legacy_fs.get_features("y")  # noqa
    """
)

Finding = Tuple[str, int, int, str]


def run(cmd: Sequence[str], cwd: Path, rc: Tuple[int, ...] = (0, 1)) -> subprocess.CompletedProcess:
    proc = subprocess.run(list(cmd), cwd=str(cwd), capture_output=True, text=True, timeout=180)
    assert proc.returncode in rc, f"rc={proc.returncode}\nstdout={proc.stdout}\nstderr={proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def flake8(args: Sequence[str], cwd: Path, rc: Tuple[int, ...] = (0, 1)) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "flake8", *args], cwd, rc)


def findings(stdout: str, prefix: str = "MLP9") -> Set[Finding]:
    out = set()
    for line in stdout.splitlines():
        path, lineno, col, rest = line.split(":", 3)
        code = rest.split()[0]
        if code.startswith(prefix):
            out.add((path[2:] if path.startswith("./") else path, int(lineno), int(col), code))
    return out


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    (tmp_path / "rules.yml").write_text(RULES, encoding="utf-8")
    pkg = tmp_path / "src" / "acme"
    pkg.mkdir(parents=True)
    (pkg / "serve.py").write_text(SERVE, encoding="utf-8")
    (pkg / "cli.py").write_text('print("usage: acme")\n', encoding="utf-8")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "job.py").write_text(SERVE, encoding="utf-8")
    return tmp_path


SERVE_PATH = "src/acme/serve.py"
JOB_PATH = "scripts/job.py"
EXPECTED = {
    (SERVE_PATH, 8, 13, "MLP902"),
    (SERVE_PATH, 9, 5, "MLP903"),
    (SERVE_PATH, 10, 13, "MLP901"),
    (SERVE_PATH, 21, 9, "MLP901"),  # a noqa for another code does not hide it
    (JOB_PATH, 8, 13, "MLP902"),
    (JOB_PATH, 10, 13, "MLP901"),
    (JOB_PATH, 21, 9, "MLP901"),
}


# --------------------------------------------------------------------------- findings
def test_findings_noqa_files_and_messages(proj):
    proc = flake8(["--isolated", "--mlp-rules=rules.yml", "src", "scripts"], proj, rc=(1,))
    assert findings(proc.stdout) == EXPECTED
    # built-in rules run in the same flake8 run (MLP003 on pickle.load)
    assert any(" MLP003 " in line for line in proc.stdout.splitlines())
    lines = proc.stdout.splitlines()
    assert f"{SERVE_PATH}:9:5: MLP903 print(rows) in library code; use logging" in lines
    # $$$ is not a named meta-variable: kept as written
    tail = "MLP902 $$$ model loaded inside predict(), once per request; load it at start-up"
    assert any(line.endswith(tail) for line in lines)


@pytest.mark.parametrize(
    "args, codes",
    [
        (["--select=MLP902"], {"MLP902"}),
        (["--select=MLP9"], {"MLP901", "MLP902", "MLP903"}),
        (["--select=E,F,W"], set()),
        (["--select=E", "--extend-select=MLP903"], {"MLP903"}),
        (["--extend-ignore=MLP9"], set()),
        (["--extend-ignore=MLP901,MLP903"], {"MLP902"}),
        (["--ignore=MLP90"], set()),
    ],
    ids=["select-one", "select-family", "select-other", "extend-select", "extend-ignore-family",
         "extend-ignore-two", "ignore-prefix"],
)
def test_selection(proj, args, codes):
    proc = flake8(["--isolated", "--mlp-rules=rules.yml", *args, "src"], proj)
    assert {code for *_, code in findings(proc.stdout)} == codes


def test_deselected_user_rules_are_never_run(proj, monkeypatch):
    """flake8's DecisionEngine pruning keeps selected MLP9xx classes and drops the others."""
    from flake8.main.application import Application

    from flake8_mlops.plugin import Plugin

    monkeypatch.chdir(proj)
    try:
        for argv, expected in (
            (["--select=MLP003,MLP902"], {"MLP003", "MLP902"}),
            (["--select=MLP003"], {"MLP003"}),
            (["--extend-ignore=MLP90"], None),
        ):
            app = Application()
            app.initialize(["--isolated", "--mlp-rules=rules.yml", *argv])
            codes = {r.code for r in Plugin._rules or ()}
            if expected is None:
                assert not {c for c in codes if c.startswith("MLP9")}
                assert "MLP003" in codes
            else:
                assert codes == expected
    finally:
        Application().initialize(["--isolated"])  # leave the plugin's class state clean


def test_per_file_ignores(proj):
    args = ["--isolated", "--mlp-rules=rules.yml", "--per-file-ignores=scripts/*:MLP901", "src", "scripts"]
    proc = flake8(args, proj, rc=(1,))
    assert findings(proc.stdout) == {f for f in EXPECTED if not (f[0] == JOB_PATH and f[3] == "MLP901")}


def test_parallel_jobs_equal_serial(proj):
    args = ["--isolated", "--mlp-rules=rules.yml", "src", "scripts"]
    serial = flake8([*args, "-j", "1"], proj, rc=(1,))
    parallel = flake8([*args, "-j", "2"], proj, rc=(1,))
    assert sorted(serial.stdout.splitlines()) == sorted(parallel.stdout.splitlines())


def test_several_rule_files(proj):
    (proj / "more.yml").write_text(textwrap.dedent(
        """\
        id: no-eval
        language: python
        rule: {pattern: eval($X)}
        message: eval($X) runs arbitrary code
        metadata: {code: MLP950}
        """
    ))
    (proj / "src" / "acme" / "calc.py").write_text("value = eval(text)\n")
    proc = flake8(["--isolated", "--mlp-rules=rules.yml,more.yml", "--select=MLP950", "src"], proj, rc=(1,))
    assert proc.stdout.splitlines() == ["src/acme/calc.py:1:9: MLP950 eval(text) runs arbitrary code"]


def test_severity_off_disables_a_rule(proj):
    text = RULES.replace("severity: warning", "severity: off")
    (proj / "rules.yml").write_text(text)
    proc = flake8(["--isolated", "--mlp-rules=rules.yml", "src"], proj)
    assert "MLP901" not in {code for *_, code in findings(proc.stdout)}
    assert "MLP902" in {code for *_, code in findings(proc.stdout)}


def test_decorator_pattern_is_accepted(proj):
    """tree-sitter wraps a lone decorator in an error node; ast-grep (and we) accept it."""
    (proj / "deco.yml").write_text(textwrap.dedent(
        """\
        id: no-lru-cache-on-methods
        language: python
        rule:
          pattern: "@functools.lru_cache($$$)"
          inside: {kind: class_definition, stopBy: end}
        message: lru_cache on a method keeps every instance alive
        metadata: {code: MLP960}
        """
    ))
    (proj / "src" / "acme" / "cache.py").write_text(textwrap.dedent(
        """\
        import functools


        class Model:
            @functools.lru_cache(maxsize=None)
            def embed(self, text):
                return text


        @functools.lru_cache(maxsize=128)
        def tokenizer(name):
            return name
        """
    ))
    args = ["--isolated", "--mlp-rules=deco.yml", "--select=MLP960", "src/acme/cache.py"]
    proc = flake8(args, proj, rc=(1,))
    assert proc.stdout.splitlines() == [
        "src/acme/cache.py:5:5: MLP960 lru_cache on a method keeps every instance alive"
    ]


def test_syntax_error_file_gives_e999_only(proj):
    (proj / "src" / "acme" / "broken.py").write_text("def f(:\n    print(x)\n")
    proc = flake8(["--isolated", "--mlp-rules=rules.yml", "src/acme/broken.py"], proj, rc=(1,))
    assert [line.split()[1] for line in proc.stdout.splitlines()] == ["E999"]


# ------------------------------------------------------------------------ configuration
CONFIGS = {
    "setup.cfg": "[metadata]\nname = demo\n\n[flake8]\nmlp-rules = lint/house.yml\n",
    "tox.ini": "[tox]\nenvlist = py311\n\n[flake8]\nmlp-rules = lint/house.yml\n",
    ".flake8": "[flake8]\nmlp-rules =\n    lint/house.yml,\n",
}


@pytest.mark.parametrize("cfg_name", sorted(CONFIGS))
def test_rules_file_from_config(proj, cfg_name):
    """``mlp-rules`` in the flake8 configuration, relative to the configuration file."""
    (proj / "lint").mkdir()
    (proj / "rules.yml").rename(proj / "lint" / "house.yml")
    (proj / cfg_name).write_text(CONFIGS[cfg_name])
    proc = flake8(["--select=MLP9", "src", "scripts"], proj, rc=(1,))
    assert findings(proc.stdout) == EXPECTED
    # from a subdirectory flake8 still finds the configuration and the rule file
    proc = flake8(["--select=MLP9", "acme"], proj / "src", rc=(1,))
    assert {(line, code) for _, line, _, code in findings(proc.stdout)} == {
        (line, code) for path, line, _, code in EXPECTED if path == SERVE_PATH
    }


def test_command_line_overrides_config(proj):
    (proj / "setup.cfg").write_text("[flake8]\nmlp-rules = missing.yml\n")
    proc = flake8(["--select=MLP9", "--mlp-rules=rules.yml", "src"], proj, rc=(1,))
    assert findings(proc.stdout)


# ---------------------------------------------------------------------------- bad input
GOOD_DOC = "id: a\nlanguage: python\nrule:\n  pattern: f($X)\nmessage: m\nmetadata:\n  code: MLP901\n"

BAD_FILES = {
    "tabs": ("id: a\nlanguage: python\nrule:\n\tpattern: f()\nmetadata:\n  code: MLP901\n", "invalid YAML"),
    "yaml-syntax": ("id: [a\n", "invalid YAML"),
    "unknown-key": (GOOD_DOC + "severity_level: high\n", "unknown key 'severity_level'"),
    "rewriters": (GOOD_DOC + "rewriters: []\n", "not supported"),
    "code-outside-range": (GOOD_DOC.replace("MLP901", "MLP101"), "outside MLP900-MLP999"),
    "code-not-mlp": (GOOD_DOC.replace("MLP901", "E901"), "outside MLP900-MLP999"),
    "code-four-digits": (GOOD_DOC.replace("MLP901", "MLP9001"), "outside MLP900-MLP999"),
    "missing-code": (GOOD_DOC.replace("  code: MLP901\n", "  owner: ml-platform\n"), "is missing"),
    "missing-metadata": (GOOD_DOC.replace("metadata:\n  code: MLP901\n", ""), "is missing"),
    "missing-id": (GOOD_DOC.replace("id: a\n", ""), "'id' is missing"),
    "missing-rule": ("id: a\nlanguage: python\nmetadata:\n  code: MLP901\n", "'rule' is missing"),
    "other-language": (GOOD_DOC.replace("python", "JavaScript"), "'language' must be python"),
    "duplicate-codes": (GOOD_DOC + "---\n" + GOOD_DOC.replace("id: a", "id: b"), "duplicate code MLP901"),
    "duplicate-ids": (GOOD_DOC + "---\n" + GOOD_DOC.replace("MLP901", "MLP902"), "duplicate rule id 'a'"),
    "invalid-pattern": (GOOD_DOC.replace("f($X)", "f("), "is not valid Python"),
    "invalid-pattern-inside": (GOOD_DOC.replace("f($X)", "f(a b)"), "is not valid Python"),
    "empty-pattern": (GOOD_DOC.replace("f($X)", "''"), "empty"),
    "invalid-kind": (GOOD_DOC.replace("pattern: f($X)", "kind: function_defn"), "function_defn"),
    "invalid-regex": (GOOD_DOC.replace("pattern: f($X)", "regex: '(unclosed'"), "regex"),
    "misspelled-rule-key": (GOOD_DOC.replace("pattern:", "patern:"), "unknown field `patern`"),
    "bad-constraint": (GOOD_DOC + "constraints:\n  X:\n    regex: '['\n", "regex"),
    "bad-severity": (GOOD_DOC + "severity: fatal\n", "'severity' must be one of"),
    "not-a-mapping": ("- id: a\n", "must be a mapping"),
    "empty": ("", "has no rules"),
}


def assert_one_line_error(proc: subprocess.CompletedProcess, needle: str) -> None:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("flake8-mlops: error: --mlp-rules: "), lines[0]
    assert needle in lines[0], lines[0]
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_rule_file_exits_2_with_one_line(proj, case):
    text, needle = BAD_FILES[case]
    (proj / "bad.yml").write_text(text, encoding="utf-8")
    proc = flake8(["--isolated", "--mlp-rules=bad.yml", "src"], proj, rc=(2,))
    assert_one_line_error(proc, needle)
    assert "bad.yml" in proc.stderr


def test_duplicate_codes_across_files(proj):
    (proj / "other.yml").write_text(GOOD_DOC.replace("id: a", "id: other"))
    (proj / "first.yml").write_text(GOOD_DOC)
    proc = flake8(["--isolated", "--mlp-rules=first.yml,other.yml", "src"], proj, rc=(2,))
    assert_one_line_error(proc, "duplicate code MLP901")


@pytest.mark.parametrize("where", ["missing", "directory", "not-utf8"])
def test_unreadable_rule_file(proj, where):
    if where == "directory":
        (proj / "rules.d").mkdir()
        name = "rules.d"
    elif where == "not-utf8":
        (proj / "latin1.yml").write_bytes(GOOD_DOC.replace("m\n", "caf\xe9\n").encode("latin-1"))
        name = "latin1.yml"
    else:
        name = "nowhere.yml"
    proc = flake8(["--isolated", f"--mlp-rules={name}", "src"], proj, rc=(2,))
    assert_one_line_error(proc, name)


def test_bad_rule_file_from_config(proj):
    (proj / "bad.yml").write_text(BAD_FILES["tabs"][0])
    (proj / "tox.ini").write_text("[flake8]\nmlp-rules = ./bad.yml\n")
    proc = flake8(["src"], proj, rc=(2,))
    assert_one_line_error(proc, "invalid YAML")


MISSING_EXTRA_RUNNER = textwrap.dedent(
    """\
    import sys

    sys.modules["ast_grep_py"] = None  # as if flake8-mlops[rules] were not installed
    from flake8.main.cli import main

    sys.exit(main())
    """
)


def test_missing_extra(proj):
    (proj / "runner.py").write_text(MISSING_EXTRA_RUNNER)
    proc = run([sys.executable, "runner.py", "--isolated", "--mlp-rules=rules.yml", "src"], proj, rc=(2,))
    assert_one_line_error(proc, 'ast-grep-py is not installed; pip install "flake8-mlops[rules]"')
    # without --mlp-rules nothing needs ast-grep-py
    proc = run([sys.executable, "runner.py", "--isolated", "--select=MLP003", "src"], proj, rc=(1,))
    assert " MLP003 " in proc.stdout


# ------------------------------------------------------------------------ other tools
def test_same_findings_as_the_ast_grep_cli(tmp_path):
    """The shipped example runs unchanged in the ast-grep CLI, with the same findings."""
    exe = shutil.which("ast-grep") or shutil.which("sg")
    if exe is None:
        pytest.skip("the ast-grep CLI (pip install ast-grep-cli) is not installed")
    shutil.copy(EXAMPLE, tmp_path / "house_rules.yml")
    pkg = tmp_path / "src" / "acme"
    pkg.mkdir(parents=True)
    (pkg / "serve.py").write_text(textwrap.dedent(
        """\
        import joblib
        import legacy_fs
        import requests

        BUCKET = "s3://acme-ml-prod/models"


        def predict(features, path="model.joblib"):
            model = joblib.load(path)
            print("predicting", len(features))
            extra = legacy_fs.get_features(features["id"])
            resp = requests.post("http://scorer/v1", json=extra)
            ok = requests.get("http://health", timeout=2)
            return model.predict(features), resp, ok


        def load_model(path):
            return joblib.load(path)
        """
    ))
    (pkg / "cli.py").write_text('print("usage: acme")\n')
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_api.py").write_text('r = requests.get(url, params={"a": 1})\nprint(r)\n')
    proc = run([exe, "scan", "--rule", "house_rules.yml", "--json=compact", "."], tmp_path, rc=(0, 1))
    by_id = {}
    import yaml

    for doc in yaml.safe_load_all(EXAMPLE.read_text()):
        by_id[doc["id"]] = doc["metadata"]["code"]
    cli = {
        (m["file"].replace("\\", "/"), m["range"]["start"]["line"] + 1, m["range"]["start"]["column"] + 1,
         by_id[m["ruleId"]], m["message"])
        for m in json.loads(proc.stdout)
    }
    proc = flake8(["--isolated", "--select=MLP9", "--mlp-rules=house_rules.yml", "."], tmp_path, rc=(1,))
    ours = set()
    for line in proc.stdout.splitlines():
        path, lineno, col, rest = line.split(":", 3)
        code, message = rest.strip().split(" ", 1)
        ours.add((path[2:] if path.startswith("./") else path, int(lineno), int(col), code, message))
    assert ours == cli
    assert {code for *_, code, _ in ours} == {"MLP901", "MLP902", "MLP903", "MLP904", "MLP905"}


def test_notebook_through_nbqa(proj):
    nbformat = pytest.importorskip("nbformat")
    if shutil.which("nbqa") is None:
        pytest.skip("nbqa is not installed")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import legacy_fs\nrows = legacy_fs.get_features(1)"),
        nbformat.v4.new_markdown_cell("# Scoring"),
        nbformat.v4.new_code_cell(
            "def predict(p):\n    return joblib.load(p)\n\n\nx = legacy_fs.get_features(2)  # noqa: MLP901"
        ),
    ]
    nbformat.write(nb, str(proj / "src" / "explore.ipynb"))
    args = ["nbqa", "flake8", "src/explore.ipynb", "--isolated", "--select=MLP9", "--mlp-rules=rules.yml"]
    proc = run(args, proj, rc=(1,))
    assert sorted(proc.stdout.splitlines()) == [
        "src/explore.ipynb:cell_1:2:8: MLP901 legacy_fs.get_features() reads the retired feature store; "
        "use featurestore.v2",
        "src/explore.ipynb:cell_2:2:12: MLP902 $$$ model loaded inside predict(), once per request; "
        "load it at start-up",
    ]


def test_baseline_covers_user_rules(proj):
    out = proj / ".mlp-baseline.json"
    run(["flake8-mlops", "baseline", "src", "-o", str(out), "--", "--isolated", "--mlp-rules=rules.yml"],
        proj)
    assert {e["code"] for e in json.loads(out.read_text())["findings"]} >= {"MLP901", "MLP902", "MLP903"}
    serve = proj / "src" / "acme" / "serve.py"
    serve.write_text("import legacy_fs\n\n" + serve.read_text() + "NEW = legacy_fs.get_features('z')\n")
    proc = flake8(["--isolated", "--mlp-rules=rules.yml", f"--mlp-baseline={out}", "--select=MLP9", "src"],
                  proj, rc=(1,))
    assert [(line, code) for _, line, _, code in findings(proc.stdout)] == [(25, "MLP901")]


# ------------------------------------------------------------------ flake8-mlops command
def test_rules_command_lists_user_rules(proj):
    proc = run(["flake8-mlops", "rules", "--mlp-rules", "rules.yml"], proj, rc=(0,))
    rows = [line.split() for line in proc.stdout.splitlines()]
    user = [r for r in rows if r[0].startswith("MLP9")]
    assert [(r[0], r[1], r[2]) for r in user] == [
        ("MLP901", "no-legacy-feature-store", "user"),
        ("MLP902", "no-load-in-predict", "user"),
        ("MLP903", "no-print-in-library", "user"),
    ]
    assert any(r[0] == "MLP003" for r in rows)  # built-in rules are still listed
    proc = run(["flake8-mlops", "rules", "--format", "json", "--mlp-rules", "rules.yml"], proj, rc=(0,))
    data = {row["code"]: row for row in json.loads(proc.stdout)}
    assert data["MLP903"]["family"] == "user"
    assert data["MLP903"]["severity"] == "info"
    assert data["MLP003"]["family"] != "user"


def test_rules_command_reads_the_config(proj):
    (proj / "setup.cfg").write_text("[flake8]\nmlp-rules = ./rules.yml\n")
    proc = run(["flake8-mlops", "rules"], proj, rc=(0,))
    assert "no-print-in-library" in proc.stdout
    proc = run(["flake8-mlops", "explain", "MLP903"], proj, rc=(0,))
    assert proc.stdout.startswith("# MLP903 no-print-in-library")
    assert "pattern: print($A)" in proc.stdout


def test_rules_command_bad_file(proj):
    (proj / "bad.yml").write_text(BAD_FILES["unknown-key"][0])
    proc = run(["flake8-mlops", "rules", "--mlp-rules", "bad.yml"], proj, rc=(2,))
    assert_one_line_error(proc, "unknown key")


def test_shipped_example_is_valid():
    from flake8_mlops.user_rules import load

    specs = load([str(EXAMPLE)])
    assert [s.code for s in specs] == ["MLP901", "MLP902", "MLP903", "MLP904", "MLP905"]
    assert len({s.id for s in specs}) == len(specs)
