"""Keeps benchmarks/bench.py from rotting: its in-process parts on a few fixtures.

No network (``--corpus`` only), no flake8 subprocesses, no timing assertions.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks" / "bench.py"
FIXTURES = ROOT / "fixtures"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("mlp_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


@pytest.fixture(scope="module")
def sources(bench):
    files = bench.collect_files([FIXTURES])[:6]
    assert files, "no fixture files found"
    loaded, _skipped = bench.load_sources(files)
    assert loaded
    return loaded


def test_inprocess_measurements(bench, sources):
    res = bench.measure_inprocess(sources, repeats=1)
    assert res["files"] == len(sources)
    assert res["lines"] == sum(s.nlines for s in sources)
    assert res["nodes"] > 0 and res["rules"]
    for key in ("parse_s", "walk_s", "plugin_s", "plugin_over_parse", "lines_per_s", "plugin_peak_bytes"):
        assert res[key] is not None and res[key] >= 0


def test_scaling_and_profile(bench, sources):
    sc = bench.measure_scaling(sources, sizes=(100, 300), min_total=0.0)
    assert [r["target_lines"] for r in sc["rows"]] == [100, 300]
    assert all(r["lines"] >= r["target_lines"] for r in sc["rows"])
    assert sc["largest_over_smallest"] is not None
    assert sc["walk_largest_over_smallest"] is not None
    rep = sc["repeated"]["rows"]
    assert len(rep) == 2 and rep[1]["lines"] > rep[0]["lines"]
    assert sc["repeated"]["largest_over_smallest"] is not None
    prof = bench.profile_plugin(sources, bench.parse_all(sources), top=5)
    assert prof["self_time_by_module"] and "tottime" in prof["top_tottime"]


def test_main_with_corpus_json(bench, tmp_path, capsys):
    out = tmp_path / "bench.json"
    res = bench.main([
        "--corpus", str(FIXTURES / "MLP003"), "--no-flake8", "--repeats", "1", "--sizes", "200,400",
        "--min-time", "0", "--profile", "never", "--json", str(out),
    ])
    assert res["summary"].startswith("SUMMARY overhead=n/a plugin/parse=")
    assert json.loads(out.read_text())["summary"] == res["summary"]
    assert "SUMMARY" in capsys.readouterr().out


def test_future_imports_are_neutralised(bench):
    text = "from __future__ import annotations\nx = 1\n"
    src = bench.Source("a.py", text)
    [(size, module)] = bench.synthetic_modules([src, src], sizes=(4,))
    compile(module, "synthetic.py", "exec")  # no misplaced __future__ import


def test_instruction_mode_needs_valgrind(bench, monkeypatch):
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="valgrind"):
        bench.measure_instructions(["a.py"])
