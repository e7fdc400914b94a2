"""Every ``--mlp-*`` option from every place flake8 reads configuration.

One project holds one sample per option, each showing the option's effect (a finding
that disappears, or one that appears). The real ``flake8`` runs in a subprocess with the
options in ``setup.cfg``, ``tox.ini``, ``.flake8`` and, with flake8-pyproject installed,
``pyproject.toml`` ``[tool.flake8]``; a control run with ``--isolated`` shows every sample
behaving the other way without them. A new ``--mlp-*`` option fails
:func:`test_every_option_is_covered` until it gets a sample here.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib import util
from pathlib import Path
from typing import Dict, Sequence, Set, Tuple

import pytest

SAMPLES: Dict[str, str] = {
    # --mlp-trackers: a team tracker counts as tracking, MLP009 goes away
    "train.py": """\
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import accuracy_score
        import acme.tracking

        clf = LogisticRegression(max_iter=1000).fit(X_train, y_train)
        preds = clf.predict(X_test)
        acc = accuracy_score(y_test, preds)
        print(acc)
        acme.tracking.record("accuracy", acc)
        """,
    # --mlp-health-routes: /_alive counts as a health route, MLP011 goes away
    "serve.py": """\
        import joblib
        from fastapi import FastAPI

        app = FastAPI()
        model = joblib.load("model.joblib")


        @app.get("/_alive")
        def alive():
            return {"ok": True}


        @app.post("/predict")
        def predict(features: list[float]):
            return {"score": float(model.predict_proba([features])[0, 1])}
        """,
    # --mlp-monitoring-calls: the team hook counts as monitoring, MLP012 goes away
    "hook.py": """\
        import joblib
        from acme import observability
        from flask import Flask, jsonify, request

        app = Flask(__name__)
        model = joblib.load("model.joblib")


        @app.get("/healthz")
        def healthz():
            return "ok"


        @app.post("/predict")
        def predict():
            rows = request.json["rows"]
            preds = model.predict(rows).tolist()
            observability.capture("churn", rows, preds)
            return jsonify(preds)
        """,
    # --mlp-sensitive-attributes: first_language becomes protected, MLP018 appears
    "fair.py": """\
        from sklearn.tree import DecisionTreeClassifier

        FEATURE_COLUMNS = ["first_language", "income"]
        DecisionTreeClassifier().fit(df[FEATURE_COLUMNS], df["y"])
        """,
    # --mlp-baseline: the recorded MLP003 finding goes away
    "legacy.py": """\
        import torch

        net = torch.load("checkpoint.pt")
        """,
    # --mlp-rules: a house rule, MLP901 appears
    "features.py": """\
        import legacy_fs

        rows = legacy_fs.get_features("churn")
        """,
}

RULES = """\
id: no-legacy-feature-store
language: python
rule:
  pattern: legacy_fs.get_features($$$)
message: the legacy feature store is retired
metadata:
  code: MLP901
"""

#: option -> (value in the configuration, finding without it, finding with it)
OPTIONS: Dict[str, Tuple[str, Set[Tuple[str, int, str]], Set[Tuple[str, int, str]]]] = {
    "mlp-trackers": ("acme.tracking", {("train.py", 8, "MLP009")}, set()),
    "mlp-health-routes": ("/_alive", {("serve.py", 4, "MLP011")}, set()),
    "mlp-monitoring-calls": ("acme.observability.capture", {("hook.py", 15, "MLP012")}, set()),
    "mlp-sensitive-attributes": ("zip_code,first_language", set(), {("fair.py", 3, "MLP018")}),
    "mlp-baseline": ("lint/mlp-baseline.json", {("legacy.py", 3, "MLP003")}, set()),
    "mlp-rules": ("lint/house_rules.yml", set(), {("features.py", 3, "MLP901")}),
}

SELECT = "--select=MLP003,MLP009,MLP011,MLP012,MLP018,MLP9"


def flake8(args: Sequence[str], cwd: Path, rc: Tuple[int, ...] = (0, 1)) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "flake8", *args], cwd=str(cwd), capture_output=True,
                          text=True, timeout=180)
    assert proc.returncode in rc, f"rc={proc.returncode}\nstdout={proc.stdout}\nstderr={proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


#: the code each sample is about (the samples may trigger other rules, e.g. MLP003 on joblib.load)
WATCHED = {"train.py": "MLP009", "serve.py": "MLP011", "hook.py": "MLP012", "fair.py": "MLP018",
           "legacy.py": "MLP003", "features.py": "MLP901"}


def found(stdout: str) -> Set[Tuple[str, int, str]]:
    out = set()
    for line in stdout.splitlines():
        path, lineno, _col, rest = line.split(":", 3)
        name, code = Path(path).name, rest.split()[0]
        if WATCHED.get(name) == code:
            out.add((name, int(lineno), code))
    return out


def without_options() -> Set[Tuple[str, int, str]]:
    return set().union(*(before for _, before, _ in OPTIONS.values()))


def with_options() -> Set[Tuple[str, int, str]]:
    return set().union(*(after for _, _, after in OPTIONS.values()))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("config_proj")
    for name, text in SAMPLES.items():
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    (root / "sub").mkdir()
    lint = root / "lint"
    lint.mkdir()
    (lint / "house_rules.yml").write_text(RULES, encoding="utf-8")
    proc = subprocess.run(
        ["flake8-mlops", "baseline", "legacy.py", "-o", "lint/mlp-baseline.json", "--", "--isolated"],
        cwd=str(root), capture_output=True, text=True, timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    return root


def ini_text(header: str) -> str:
    lines = [header, "[flake8]"] + [f"{opt} = {value}" for opt, (value, _, _) in OPTIONS.items()]
    return "\n".join(lines) + "\n"


def toml_text() -> str:
    lines = ["[project]", 'name = "demo"', "", "[tool.flake8]"]
    for opt, (value, _, _) in OPTIONS.items():
        if "," in value:  # TOML arrays work too
            items = ", ".join(f'"{v}"' for v in value.split(","))
            lines.append(f"{opt} = [{items}]")
        else:
            lines.append(f'{opt} = "{value}"')
    return "\n".join(lines) + "\n"


CONFIG_FILES = {
    "setup.cfg": lambda: ini_text("[metadata]\nname = demo\n"),
    "tox.ini": lambda: ini_text("[tox]\nenvlist = py311\n"),
    ".flake8": lambda: ini_text(""),
}


def test_every_option_is_covered():
    from flake8_mlops.baseline import BASELINE_OPTION
    from flake8_mlops.options import collect_options
    from flake8_mlops.registry import all_rules
    from flake8_mlops.user_rules import RULES_OPTION

    flags = {o.ini_name for o in collect_options(all_rules())}
    flags |= {BASELINE_OPTION.ini_name, RULES_OPTION.ini_name}
    assert flags == set(OPTIONS)


def test_control_run_without_configuration(project):
    proc = flake8(["--isolated", SELECT, *SAMPLES], project)
    assert found(proc.stdout) == without_options()


@pytest.mark.parametrize("cfg_name", sorted(CONFIG_FILES))
def test_options_from_ini_files(project, cfg_name):
    cfg = project / cfg_name
    cfg.write_text(CONFIG_FILES[cfg_name]())
    try:
        proc = flake8([SELECT, *SAMPLES], project)
        assert found(proc.stdout) == with_options()
        # from a subdirectory: flake8 finds the file upwards; paths with a / are
        # relative to the configuration file
        proc = flake8([SELECT, *(f"../{name}" for name in SAMPLES)], project / "sub")
        assert found(proc.stdout) == with_options()
        # the command line wins over the configuration
        proc = flake8([SELECT, "--mlp-sensitive-attributes=zip_code", "fair.py"], project)
        assert found(proc.stdout) == set()
    finally:
        cfg.unlink()


def test_options_from_pyproject_with_flake8_pyproject(project):
    if util.find_spec("flake8p") is None:
        pytest.skip("flake8-pyproject is not installed")
    cfg = project / "pyproject.toml"
    cfg.write_text(toml_text())
    try:
        proc = flake8([SELECT, *SAMPLES], project)
        assert found(proc.stdout) == with_options()
        # --toml-config names the file when flake8 runs elsewhere
        args = [SELECT, "--toml-config=../pyproject.toml", *(f"../{n}" for n in SAMPLES)]
        proc = flake8(args, project / "sub")
        assert found(proc.stdout) == with_options()
    finally:
        cfg.unlink()


def test_pyproject_without_tool_flake8_changes_nothing(project):
    cfg = project / "pyproject.toml"
    cfg.write_text('[project]\nname = "demo"\n')
    try:
        proc = flake8([SELECT, *SAMPLES], project)
        assert found(proc.stdout) == without_options()
    finally:
        cfg.unlink()
