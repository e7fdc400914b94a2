"""The plugin as users run it: the real ``flake8`` command in a subprocess.

Every run happens in a fresh temporary directory, with ``--isolated`` unless the test is
about configuration files, so this repository's own ``setup.cfg`` never leaks in. The
tests use MLP003 only (the stable rule); "every rule" questions iterate the registry.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import List, Sequence, Set, Tuple

import pytest

from .harness import FIXTURES, expectations, lint

LINE_RE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) (?P<msg>.+)$")
PYLINT_RE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): \[(?P<code>[A-Z]+\d+)\] (?P<msg>.+)$")

# Clean under pycodestyle/pyflakes defaults, so any other code in the output is a surprise.
SAMPLE = textwrap.dedent(
    '''\
    import joblib as jl
    import torch


    def restore(path):
        return torch.load(path)  # expect: MLP003


    model = jl.load("model.joblib")  # expect: MLP003
    weights = torch.load("w.pt", weights_only=True)
    state = {"net": torch.load("net.pt", map_location="cpu")}  # expect: MLP003
    print(model, weights, state, restore)
    '''
)

# Has an unused import (F401) and a long line (E501) besides MLP003 findings.
NOISY = textwrap.dedent(
    '''\
    import os
    import torch

    net = torch.load("checkpoint.pt")  # expect: MLP003
    description = "a very long line that goes on and on and on and on and on and on and on and on"
    '''
)


def flake8(args: Sequence[str], cwd: Path, check_rc: Tuple[int, ...] = (0, 1)) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", *args],
        cwd=str(cwd),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode in check_rc, f"rc={proc.returncode}\nstdout={proc.stdout}\nstderr={proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def parse(stdout: str) -> List[Tuple[str, int, int, str, str]]:
    out = []
    for raw in stdout.splitlines():
        m = LINE_RE.match(raw)
        assert m, f"unexpected output line: {raw!r}"
        out.append((m["path"], int(m["line"]), int(m["col"]), m["code"], m["msg"]))
    return out


def codes_by_line(stdout: str, prefix: str = "") -> Set[Tuple[str, int, str]]:
    return {(p, line, code) for p, line, _, code, _ in parse(stdout) if code.startswith(prefix)}


def expected_mlp(path: str, source: str) -> Set[Tuple[str, int, str]]:
    return {(path, line, code) for line, code, _ in expectations(source)}


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    (tmp_path / "a.py").write_text(SAMPLE, encoding="utf-8")
    (tmp_path / "b.py").write_text(NOISY, encoding="utf-8")
    return tmp_path


ALL_EXPECTED = expected_mlp("a.py", SAMPLE) | expected_mlp("b.py", NOISY)


# ----------------------------------------------------------------------- selection


def test_default_selection_runs_mlp(proj):
    """MLP is not in flake8's default ignore list, so it reports without any opt-in."""
    proc = flake8(["--isolated", "a.py", "b.py"], proj, check_rc=(1,))
    assert codes_by_line(proc.stdout, "MLP") == ALL_EXPECTED
    # the ordinary checkers still run next to it
    assert ("b.py", 1, "F401") in codes_by_line(proc.stdout)
    assert ("b.py", 5, "E501") in codes_by_line(proc.stdout)


def test_default_selection_clean_file_exits_zero(tmp_path):
    (tmp_path / "ok.py").write_text('import torch\n\nw = torch.load("w.pt", weights_only=True)\n')
    proc = flake8(["--isolated", "ok.py"], tmp_path, check_rc=(0,))
    assert proc.stdout == ""


def test_select_only_mlp003(proj):
    proc = flake8(["--isolated", "--select", "MLP003", "a.py", "b.py"], proj, check_rc=(1,))
    assert codes_by_line(proc.stdout) == ALL_EXPECTED


def test_select_prefix_mlp(proj):
    proc = flake8(["--isolated", "--select=MLP", "a.py", "b.py"], proj, check_rc=(1,))
    assert codes_by_line(proc.stdout) == ALL_EXPECTED


def test_select_other_code_drops_mlp(proj):
    proc = flake8(["--isolated", "--select", "F401", "a.py", "b.py"], proj, check_rc=(1,))
    assert codes_by_line(proc.stdout) == {("b.py", 1, "F401")}


def test_extend_select_adds_mlp_to_narrow_select(proj):
    args = ["--isolated", "--select", "F", "--extend-select", "MLP", "a.py", "b.py"]
    proc = flake8(args, proj, check_rc=(1,))
    assert codes_by_line(proc.stdout) == ALL_EXPECTED | {("b.py", 1, "F401")}


def test_extend_select_alone_equals_default(proj):
    plain = flake8(["--isolated", "a.py", "b.py"], proj)
    extended = flake8(["--isolated", "--extend-select", "MLP", "a.py", "b.py"], proj)
    assert plain.stdout == extended.stdout


@pytest.mark.parametrize("flag", ["--ignore", "--extend-ignore"])
@pytest.mark.parametrize("value", ["MLP003", "MLP", "MLP0"])
def test_ignore_and_extend_ignore(proj, flag, value):
    proc = flake8(["--isolated", f"{flag}={value}", "a.py", "b.py"], proj)
    found = codes_by_line(proc.stdout)
    assert not {c for _, _, c in found if c.startswith("MLP")}
    assert ("b.py", 1, "F401") in found


def test_extend_ignore_of_other_code_keeps_mlp(proj):
    proc = flake8(["--isolated", "--extend-ignore=E501,F401", "a.py", "b.py"], proj, check_rc=(1,))
    assert codes_by_line(proc.stdout) == ALL_EXPECTED


# -------------------------------------------------------------------------- noqa


def test_noqa_comments(tmp_path):
    src = textwrap.dedent(
        '''\
        import torch

        a = torch.load("a.pt")  # noqa: MLP003
        b = torch.load("b.pt")  # noqa: E501
        c = torch.load("c.pt")  # noqa:MLP003,E501
        d = torch.load("d.pt")  # noqa: MLP
        e = torch.load("e.pt")  # noqa
        f = torch.load(  # noqa: MLP003
            "f.pt",
        )
        g = torch.load(
            "g.pt",
        )  # noqa: MLP003
        h = torch.load("h.pt")  # NOQA:MLP003
        print(a, b, c, d, e, f, g, h)
        '''
    )
    (tmp_path / "n.py").write_text(src)
    proc = flake8(["--isolated", "--select=MLP", "n.py"], tmp_path, check_rc=(1,))
    lines = {line for _, line, _ in codes_by_line(proc.stdout)}
    # noqa: E501 does not cover MLP003 (line 4); a noqa on the closing line of a
    # multi-line call does not cover a finding reported on its first line (line 11).
    assert lines == {4, 11}


def test_disable_noqa_reports_everything(tmp_path):
    (tmp_path / "n.py").write_text('import torch\n\na = torch.load("a.pt")  # noqa: MLP003\n')
    proc = flake8(["--isolated", "--disable-noqa", "--select=MLP", "n.py"], tmp_path, check_rc=(1,))
    assert codes_by_line(proc.stdout) == {("n.py", 3, "MLP003")}


# ---------------------------------------------------------------- per-file-ignores


def test_per_file_ignores_on_command_line(proj):
    args = ["--isolated", "--per-file-ignores=a.py:MLP003", "--select=MLP", "a.py", "b.py"]
    proc = flake8(args, proj, check_rc=(1,))
    assert codes_by_line(proc.stdout) == expected_mlp("b.py", NOISY)


def test_per_file_ignores_glob(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text(SAMPLE)
    (tmp_path / "src.py").write_text(SAMPLE)
    args = ["--isolated", "--per-file-ignores=tests/*:MLP", "--select=MLP", "."]
    proc = flake8(args, tmp_path, check_rc=(1,))
    assert {p for p, _, _ in codes_by_line(proc.stdout)} == {"./src.py"}


# ------------------------------------------------------------------- config files

CONFIG_FILES = {
    "setup.cfg": "[flake8]\n",
    "tox.ini": "[tox]\nenvlist = py311\n\n[flake8]\n",
    ".flake8": "[flake8]\n",
}


@pytest.mark.parametrize("cfg_name", sorted(CONFIG_FILES))
def test_config_extend_ignore(proj, cfg_name):
    (proj / cfg_name).write_text(CONFIG_FILES[cfg_name] + "extend-ignore = MLP003\n")
    proc = flake8(["a.py", "b.py"], proj)
    assert not {c for _, _, c in codes_by_line(proc.stdout) if c.startswith("MLP")}
    assert ("b.py", 1, "F401") in codes_by_line(proc.stdout)
    # --isolated skips the file, so the findings come back
    proc = flake8(["--isolated", "a.py", "b.py"], proj)
    assert codes_by_line(proc.stdout, "MLP") == ALL_EXPECTED


@pytest.mark.parametrize("cfg_name", sorted(CONFIG_FILES))
def test_config_per_file_ignores(proj, cfg_name):
    pfi = "per-file-ignores =\n    a.py:MLP003\n    b.py:F401\n"
    (proj / cfg_name).write_text(CONFIG_FILES[cfg_name] + pfi)
    proc = flake8(["a.py", "b.py"], proj, check_rc=(1,))
    found = codes_by_line(proc.stdout)
    assert {x for x in found if x[2].startswith("MLP")} == expected_mlp("b.py", NOISY)
    assert ("b.py", 1, "F401") not in found


@pytest.mark.parametrize("cfg_name", sorted(CONFIG_FILES))
def test_config_select(proj, cfg_name):
    (proj / cfg_name).write_text(CONFIG_FILES[cfg_name] + "select = MLP003\n")
    proc = flake8(["a.py", "b.py"], proj, check_rc=(1,))
    assert codes_by_line(proc.stdout) == ALL_EXPECTED


def test_config_extend_select_with_narrow_select(proj):
    (proj / "setup.cfg").write_text("[flake8]\nselect = F\nextend-select = MLP\n")
    proc = flake8(["a.py", "b.py"], proj, check_rc=(1,))
    assert codes_by_line(proc.stdout) == ALL_EXPECTED | {("b.py", 1, "F401")}


def test_dot_flake8_wins_over_setup_cfg(proj):
    # flake8 reads the first of setup.cfg / tox.ini / .flake8 that has a [flake8] section,
    # in that order; only that one file counts.
    (proj / "setup.cfg").write_text("[metadata]\nname = demo\n")
    (proj / ".flake8").write_text("[flake8]\nextend-ignore = MLP\n")
    proc = flake8(["a.py", "b.py"], proj)
    assert not {c for _, _, c in codes_by_line(proc.stdout) if c.startswith("MLP")}


# -------------------------------------------------------------- parallel and format


def _many_files_tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    shutil.copytree(FIXTURES, root / "fixtures")
    gen = root / "gen"
    gen.mkdir()
    for i in range(40):
        alias = f"t{i}"
        body = [f"import torch as {alias}", "import joblib", ""]
        for j in range(i % 5 + 1):
            body.append(f"m{j} = {alias}.load('m{j}.pt')")
            body.append(f"s{j} = {alias}.load('m{j}.pt', weights_only=True)")
        body.append("clf = joblib.load('clf.joblib')" if i % 2 else "clf = None")
        (gen / f"mod_{i:02d}.py").write_text("\n".join(body) + "\n")
    return root


def test_jobs_parallel_output_equals_serial(tmp_path):
    root = _many_files_tree(tmp_path)
    serial = flake8(["--isolated", "-j", "1", "."], root, check_rc=(1,))
    parallel = flake8(["--isolated", "-j", "2", "."], root, check_rc=(1,))
    assert sorted(serial.stdout.splitlines()) == sorted(parallel.stdout.splitlines())
    assert serial.stdout.encode() and "MLP000" not in serial.stdout
    mlp = [x for x in parse(serial.stdout) if x[3] == "MLP003"]
    assert len({x[0] for x in mlp}) >= 40  # every generated file and the fixtures
    # the MLP findings of each fixture are exactly what its # expect: lines say
    for path in sorted((root / "fixtures").glob("MLP003/*.py")):
        rel = "./" + str(path.relative_to(root))
        want = {(rel, line, code) for line, code, _ in expectations(path.read_text())}
        got = {(p, line, code) for p, line, _, code, _ in mlp if p == rel}
        assert got == want, rel


def _call_cols(source: str) -> dict:
    """line -> 1-based column of the outermost call starting on that line."""
    cols: dict = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            cur = cols.get(node.lineno)
            if cur is None or node.col_offset + 1 < cur:
                cols[node.lineno] = node.col_offset + 1
    return cols


def test_default_format_path_line_col_code_message(proj):
    proc = flake8(["--isolated", "--select=MLP003", "a.py", "b.py"], proj, check_rc=(1,))
    rows = parse(proc.stdout)
    assert rows
    sources = {"a.py": SAMPLE, "b.py": NOISY}
    for path, line, col, code, msg in rows:
        src = sources[path]
        assert col == _call_cols(src)[line], (path, line, col)
        in_process = {(ln, c + 1, text) for ln, c, text in lint(src, codes=["MLP003"])}
        assert (line, col, f"{code} {msg}") in in_process
        assert "\n" not in msg and msg.endswith(("safetensors", "ONNX"))


def test_pylint_format(proj):
    proc = flake8(["--isolated", "--select=MLP003", "--format=pylint", "a.py", "b.py"], proj, check_rc=(1,))
    rows = []
    for raw in proc.stdout.splitlines():
        m = PYLINT_RE.match(raw)
        assert m, raw
        rows.append((m["path"], int(m["line"]), m["code"]))
    assert set(rows) == ALL_EXPECTED


def test_show_source_points_at_call(proj):
    proc = flake8(["--isolated", "--select=MLP003", "--show-source", "a.py"], proj, check_rc=(1,))
    lines = proc.stdout.splitlines()
    i = next(k for k, ln in enumerate(lines) if ln.startswith("a.py:9:"))
    assert lines[i + 1] == 'model = jl.load("model.joblib")  # expect: MLP003'
    assert lines[i + 2] == "        ^"


def test_count_and_statistics(proj):
    args = ["--isolated", "--select=MLP003", "--count", "--statistics", "a.py", "b.py"]
    proc = flake8(args, proj, check_rc=(1,))
    assert re.search(rf"^{len(ALL_EXPECTED)}\s+MLP003 ", proc.stdout, re.M)


# ------------------------------------------------------------------ plugin loading


def test_require_plugins(proj):
    proc = flake8(["--isolated", "--require-plugins", "flake8-mlops", "a.py"], proj, check_rc=(1,))
    assert codes_by_line(proc.stdout, "MLP") == expected_mlp("a.py", SAMPLE)
    clean = proj / "clean.py"
    clean.write_text("x = 1\n")
    flake8(["--isolated", "--require-plugins", "flake8-mlops", "clean.py"], proj, check_rc=(0,))


def test_version_lists_plugin(tmp_path):
    proc = flake8(["--version"], tmp_path, check_rc=(0,))
    assert "flake8-mlops" in proc.stdout


def test_plugin_options_are_registered_and_accepted(proj):
    """Every --mlp-* option of every registered rule is accepted on the command line."""
    from flake8_mlops.options import collect_options
    from flake8_mlops.registry import all_rules

    opts = collect_options(all_rules())
    args = ["--isolated"]
    for opt in opts:
        if opt.default:  # a rule's own default is always a valid value
            args.append(f"{opt.flag}={','.join(opt.default) if opt.is_list else opt.default}")
    proc = flake8(args + ["--select=MLP003", "a.py"], proj, check_rc=(1,))
    assert codes_by_line(proc.stdout) == expected_mlp("a.py", SAMPLE)


SPY_RUNNER = textwrap.dedent(
    '''\
    """Registers a spy rule, then runs flake8's real CLI in this process."""
    import sys
    from pathlib import Path

    from flake8_mlops.registry import Rule, register

    MARK = Path(sys.argv.pop(1))


    @register
    class Spy(Rule):
        code = "MLP998"
        name = "spy"
        message = "spy ran"

        def __init__(self, ctx):
            super().__init__(ctx)
            with open(MARK, "a") as fh:
                fh.write(ctx.filename + "\\n")

        def visit_Module(self, node):
            self.report((1, 0))


    from flake8.main.cli import main

    sys.exit(main())
    '''
)


@pytest.mark.parametrize(
    "select, spy_runs, codes",
    [
        (["--select", "E"], False, set()),
        (["--select", "MLP003"], False, {"MLP003"}),
        (["--select", "E", "--extend-select", "MLP998"], True, {"MLP998"}),
        (["--select", "MLP"], True, {"MLP003", "MLP998"}),
        (["--extend-ignore", "MLP998"], False, {"MLP003"}),
        ([], True, {"MLP003", "MLP998"}),
    ],
    ids=["select-E", "select-MLP003", "extend-select-spy", "select-MLP", "extend-ignore-spy", "default"],
)
def test_parse_options_prunes_unselected_rules(proj, select, spy_runs, codes):
    """A rule flake8 would discard is never even instantiated (not just filtered later)."""
    (proj / "spy_runner.py").write_text(SPY_RUNNER)
    mark = proj / "spy.log"
    proc = subprocess.run(
        [sys.executable, "spy_runner.py", str(mark), "--isolated", "-j", "1", *select, "a.py"],
        cwd=str(proj),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    assert mark.exists() is spy_runs
    assert {c for _, _, c in codes_by_line(proc.stdout) if c.startswith("MLP")} == codes
