"""MLP019 in notebooks: the raw ``.ipynb`` scan, ``python -m flake8_mlops.notebook`` and
the nbqa entry point, run for real.

Expectations live in the fixture notebooks: ``# expect: MLP019`` marks an install that
both entry points report (a magic in a mixed cell, or Python code); ``# expect-cli: MLP019``
marks one only the notebook command can report (a cell nbqa drops: all magics, ``%%bash``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Set, Tuple

import pytest

from flake8_mlops import notebook
from flake8_mlops.apis.packaging import scan_command

from .harness import FIXTURES, ROOT

NB_DIR = FIXTURES / "notebooks"
PIP_NB = NB_DIR / "mlp019_pip_magics.ipynb"
OK_NB = NB_DIR / "ok_mlp019_pinned_installs.ipynb"
EXPECT = re.compile(r"#\s*expect(?P<cli>-cli)?:\s*(?P<codes>[A-Z0-9:, ]+)")
LINE = re.compile(
    r"^(?P<nb>.+?):cell_(?P<cell>\d+):(?P<line>\d+):(?P<col>\d+): (?P<code>MLP\d{3}) (?P<msg>.+)$")


def _expected(path: Path, cli: bool) -> Set[Tuple[int, int, int]]:
    """(cell, line, col or 0) of MLP019 expectations; magics only for the CLI."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = set()
    number = 0
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        number += 1
        for lineno, text in enumerate("".join(cell["source"]).splitlines(), start=1):
            m = EXPECT.search(text)
            if not m:
                continue
            is_magic = text.lstrip().startswith(("!", "%")) or re.match(r"^\s*\w+\s*=\s*[!%]", text)
            for item in m.group("codes").split(","):
                code, _, col = item.strip().partition(":")
                if code != "MLP019":
                    continue
                if m.group("cli") and not cli:
                    continue
                if cli and not (is_magic or m.group("cli") or _in_shell_cell(cell)):
                    continue  # Python-level installs are flake8's (through nbqa)
                out.add((number, lineno, int(col) if col else 0))
    return out


def _in_shell_cell(cell: dict) -> bool:
    return "".join(cell["source"]).lstrip().startswith(("%%bash", "%%sh"))


def _run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flake8_mlops.notebook", *args],
        cwd=str(cwd),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _rows(stdout: str, name: str):
    rows = []
    for raw in stdout.splitlines():
        m = LINE.match(raw)
        assert m, f"unexpected output line: {raw!r}"
        assert m["nb"].endswith(name)
        rows.append((int(m["cell"]), int(m["line"]), int(m["col"]), m["code"], m["msg"]))
    return rows


def _match(rows, expected):
    got = {(c, l) for c, l, _, _, _ in rows}
    want = {(c, l) for c, l, _ in expected}
    assert got == want, f"missing={sorted(want - got)} extra={sorted(got - want)}"
    cols = {(c, l): col for c, l, col, _, _ in rows}
    for c, l, col in expected:
        if col:
            assert cols[(c, l)] == col, (c, l)


# ------------------------------------------------------------------ the CLI, for real
def test_cli_reports_every_install_magic_including_dropped_cells(tmp_path):
    dst = tmp_path / PIP_NB.name
    shutil.copyfile(PIP_NB, dst)
    proc = _run_cli(dst.name, cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr == ""
    rows = _rows(proc.stdout, dst.name)
    _match(rows, _expected(PIP_NB, cli=True))
    assert all(code == "MLP019" for _, _, _, code, _ in rows)
    # the first cell (all magics) is reported: nbqa drops it
    assert any(cell == 1 for cell, *_ in rows)
    assert all("\n" not in msg and "unpinned" in msg for *_, msg in rows)


def test_cli_ok_notebook_is_silent_exit_zero(tmp_path):
    dst = tmp_path / OK_NB.name
    shutil.copyfile(OK_NB, dst)
    proc = _run_cli(dst.name, cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_cli_accepts_folders_and_several_notebooks(tmp_path):
    (tmp_path / "nbs").mkdir()
    shutil.copyfile(PIP_NB, tmp_path / "nbs" / PIP_NB.name)
    shutil.copyfile(OK_NB, tmp_path / "nbs" / OK_NB.name)
    ckpt = tmp_path / "nbs" / ".ipynb_checkpoints"
    ckpt.mkdir()
    shutil.copyfile(PIP_NB, ckpt / "mlp019_pip_magics-checkpoint.ipynb")
    proc = _run_cli("nbs", cwd=tmp_path)
    assert proc.returncode == 1
    names = {line.split(":cell_")[0] for line in proc.stdout.splitlines()}
    assert names == {str(Path("nbs") / PIP_NB.name)}


def _write_nb(path: Path, cells) -> None:
    path.write_text(json.dumps({"cells": cells, "metadata": {},
                    "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")


def test_cli_bad_input(tmp_path):
    _write_nb(tmp_path / "markdown_only.ipynb",
              [{"cell_type": "markdown", "metadata": {}, "source": ["# hi"]}])
    _write_nb(tmp_path / "empty.ipynb", [])
    proc = _run_cli("markdown_only.ipynb", "empty.ipynb", cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")

    (tmp_path / "broken.ipynb").write_text("{not json", encoding="utf-8")
    proc = _run_cli("broken.ipynb", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and "broken.ipynb" in proc.stderr
    assert "Traceback" not in proc.stderr

    proc = _run_cli("missing.ipynb", cwd=tmp_path)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1

    (tmp_path / "list.ipynb").write_text("[1, 2]", encoding="utf-8")
    shutil.copyfile(PIP_NB, tmp_path / PIP_NB.name)
    proc = _run_cli("list.ipynb", PIP_NB.name, cwd=tmp_path)
    assert proc.returncode == 2  # worst status wins; findings are still printed
    assert "MLP019" in proc.stdout and len(proc.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------------- nbqa, for real
def _nbqa(nb: Path, *extra: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "nbqa", "flake8", nb.name, "--select=MLP019", "--isolated", *extra],
        cwd=str(nb.parent),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_nbqa_reports_mixed_cell_installs_at_the_placeholder(tmp_path):
    dst = tmp_path / PIP_NB.name
    shutil.copyfile(PIP_NB, dst)
    proc = _nbqa(dst)
    rows = _rows(proc.stdout, dst.name)
    _match(rows, _expected(PIP_NB, cli=False))
    # every magic nbqa can show is also in the CLI's output, at the same place
    cli = _rows(_run_cli(dst.name, cwd=tmp_path).stdout, dst.name)
    magic_rows = {(c, l, col) for c, l, col, _, msg in rows if "install of unpinned" in msg}
    assert magic_rows and magic_rows <= {(c, l, col) for c, l, col, _, _ in cli}
    assert sorted(p.name for p in tmp_path.iterdir()) == [dst.name]


def test_nbqa_temporary_file_name_is_what_we_parse(tmp_path):
    """nbqa names its file <stem><8 chars>_nbqa_ipynb.py next to the notebook.

    nbqa rewrites the temporary name back to the notebook's in the tool's output, so a
    tiny module prints its arguments reversed to let us see the real name.
    """
    tool = tmp_path / "tools"
    tool.mkdir()
    (tool / "showname.py").write_text(
        "import sys\nprint('\\n'.join(a[::-1] for a in sys.argv[1:]))\n", encoding="utf-8"
    )
    work = tmp_path / "work"
    work.mkdir()
    dst = work / "my.notebook-v2.ipynb"
    shutil.copyfile(PIP_NB, dst)
    env = dict(os.environ, PYTHONPATH=str(tool))
    proc = subprocess.run(
        [sys.executable, "-m", "nbqa", "showname", dst.name],
        cwd=str(work), capture_output=True, text=True, timeout=120, env=env,
    )
    names = [line[::-1] for line in proc.stdout.split() if line[::-1].endswith("_nbqa_ipynb.py")]
    assert len(names) == 1, proc.stdout + proc.stderr
    name = Path(names[0]).name
    assert name.startswith("my.notebook-v2")
    assert len(name) == len("my.notebook-v2") + 8 + len("_nbqa_ipynb.py")
    assert notebook._NBQA_TEMP.match(name).group("stem") == "my.notebook-v2"
    # and the plugin finds the notebook from that name
    (work / name).write_text("", encoding="utf-8")
    assert notebook.original_notebook(str(work / name)) == str(dst)


def test_nbqa_ok_notebook_is_silent(tmp_path):
    dst = tmp_path / OK_NB.name
    shutil.copyfile(OK_NB, dst)
    proc = _nbqa(dst)
    assert (proc.returncode, proc.stdout) == (0, "")


# ------------------------------------------------ nbqa mode: bad input stays silent
NBQA_TEMP_SOURCE = (
    "# %%NBQA-CELL-SEPa1b2c3\n"
    "import sys\n"
    'hash("0badc0de")\n'
    "import numpy as np\n"
)


def _flake8(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select=MLP", path.name],
        cwd=str(path.parent), capture_output=True, text=True, timeout=120,
    )


@pytest.mark.parametrize(
    "original",
    [
        None,  # the notebook is missing
        "{not json",  # invalid JSON
        "[]",  # JSON, not a notebook
        json.dumps({"cells": [], "nbformat": 4, "nbformat_minor": 5, "metadata": {}}),  # no code cells
        json.dumps({"cells": [{"cell_type": "code", "source": 42}],
                   "nbformat": 4, "nbformat_minor": 5, "metadata": {}}),
    ],
    ids=["missing", "invalid-json", "not-a-notebook", "no-code-cells", "odd-source"],
)
def test_nbqa_mode_bad_original_is_silent(tmp_path, original):
    temp = tmp_path / "nbk3j9x_a2_nbqa_ipynb.py"
    temp.write_text(NBQA_TEMP_SOURCE, encoding="utf-8")
    if original is not None:
        (tmp_path / "nb.ipynb").write_text(original, encoding="utf-8")
    proc = _flake8(temp)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "MLP000" not in proc.stdout and "MLP019" not in proc.stdout, proc.stdout


def test_nbqa_mode_mismatched_cells_are_skipped(tmp_path):
    """The temporary file does not line up with the notebook: skipped, not guessed."""
    _write_nb(tmp_path / "nb.ipynb", [
        {"cell_type": "code", "metadata": {}, "source": ["import os\n", "%pip install torch\n"]},
        {"cell_type": "code", "metadata": {}, "source": ["x = 1\n"]},
    ])
    temp = tmp_path / "nbabcdefgh_nbqa_ipynb.py"
    temp.write_text(NBQA_TEMP_SOURCE, encoding="utf-8")  # one segment, two kept cells
    proc = _flake8(temp)
    assert proc.stdout == "" and "Traceback" not in proc.stderr


# ------------------------------------------------------------------ the scan itself
def test_scan_counts_code_cells_like_nbqa():
    cells = notebook.parse_notebook(json.dumps({"cells": [
        {"cell_type": "markdown", "source": "x"},
        {"cell_type": "code", "source": ""},
        {"cell_type": "raw", "source": "!pip install a"},
        {"cell_type": "code", "source": ["!pip install a\n"]},
    ], "nbformat": 4, "nbformat_minor": 5, "metadata": {}}))
    assert [c.number for c in cells] == [1, 2]
    found = notebook.scan_cells(cells)
    assert [(f.cell, f.line, f.col, f.dropped) for f in found] == [(2, 1, 0, True)]


@pytest.mark.parametrize(
    "source, count",
    [
        ("!pip install torch", 1),
        ("%pip install -q 'transformers>=4'", 1),
        ("  !pip3 install numpy", 1),
        ("out = !pip install tqdm", 1),
        ("!{sys.executable} -m pip install optuna", 1),
        ("!python -m pip install \\\n    polars", 1),
        ("%conda install -y faiss-cpu", 1),
        ("%%bash\npip install a && pip install b==1.0", 1),
        ("%%capture\n!pip install rich\nimport rich", 1),
        ("%%writefile setup.sh\npip install polars", 0),
        ("!pip install torch==2.3.1", 0),
        ("!pip install -r requirements.txt", 0),
        ("!pip install {pkg}", 0),
        ("!pip list", 0),
        ("!pip install torch  # noqa: MLP019", 0),
        ("!pip install torch  # noqa", 0),
        ("!pip install torch  # noqa: E501", 1),
        ("x = 5 % 2\nprint('pip install torch')", 0),
        ("%time model.fit(X, y)", 0),
    ],
)
def test_scan_cell_magics(source, count):
    cell = notebook.CodeCell(1, source, ())
    assert len(notebook.scan_cell(cell)) == count


@pytest.mark.parametrize(
    "command, unpinned",
    [
        ("pip install torch", ["torch"]),
        ("pip install -U pip setuptools wheel", ["pip", "setuptools", "wheel"]),
        ("pip install --upgrade pip==24.2 && pip install 'numpy<2'", ["numpy"]),
        ("python -m pip install -e . -r requirements.txt", []),
        ("pip install -c constraints.txt torch", []),
        ("pip install torch==2.1.0+cu118 --index-url https://download.pytorch.org/whl/cu118", []),
        ("pip install numpy==1.*", ["numpy"]),
        ("pip install git+https://github.com/a/b.git@main", ["b"]),
        ("pip install git+https://github.com/a/b.git@4b825dc", []),
        ("pip install ./dist/pkg-1.0-py3-none-any.whl", []),
        ("uv pip install polars==0.20.31 httpx", ["httpx"]),
        ("conda install -y numpy=1.26.4 scipy", ["scipy"]),
        ("sudo -H pip3 install requests", ["requests"]),
        ("pip -q install rich", ["rich"]),
        ("pip freeze", None),
        ("echo pip install torch", None),
        ("pip download torch", None),
    ],
)
def test_install_command_judgement(command, unpinned):
    found = scan_command(command)
    if unpinned is None:
        assert found == []
    else:
        assert [n for _, names in found for n in names] == unpinned


def test_original_notebook_lookup(tmp_path):
    (tmp_path / "nb.ipynb").write_text("{}", encoding="utf-8")
    assert notebook.original_notebook(
        str(tmp_path / "nbx1y2z3w4_nbqa_ipynb.py")) == str(tmp_path / "nb.ipynb")
    assert notebook.original_notebook(str(tmp_path / "other1234567_nbqa_ipynb.py")) is None
    assert notebook.original_notebook(str(tmp_path / "nb_nbqa_ipynb.py")) is None
    assert notebook.original_notebook("") is None


def test_readme_mentions_nothing_stale():
    """The notebook module documents its own command line."""
    source = (ROOT / "flake8_mlops" / "notebook.py").read_text(encoding="utf-8")
    assert "python -m flake8_mlops.notebook" in source


def test_cli_exit_zero_keeps_output_and_returns_zero():
    import subprocess
    import sys

    notebook = Path(__file__).resolve().parent.parent / "examples" / "churn" / "explore.ipynb"
    proc = subprocess.run(
        [sys.executable, "-m", "flake8_mlops.notebook", "--exit-zero", str(notebook)],
        capture_output=True, text=True,
    )
    assert proc.returncode == 0
    assert ":cell_1:1:1: MLP019 " in proc.stdout
