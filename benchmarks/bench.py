#!/usr/bin/env python3
"""Performance benchmark of flake8-mlops on real ML code (see benchmarks/README.md).

Measures, on a corpus of real Python files:

(a) flake8's wall time with the plugin and every MLP rule on, against flake8 with the
    plugin *not loaded at all* (same ``--select E,W,F``), as an overhead ratio;
(b) the plugin's in-process time (``run_rules`` with every rule on pre-parsed trees)
    against ``ast.parse`` of the same files, and a bare ``ast.walk`` for scale;
(c) the plugin's lines per second;
(d) the plugin run's peak memory (tracemalloc, trees already parsed);
(e) scaling on synthetic modules of ~1k to ~100k lines;
(f) ``flake8 -j 2`` and ``-j 1`` give the same findings.

The default corpus is downloaded once from PyPI (pinned, sha256-checked) into a cache
outside the repository: ``--cache-dir`` > ``$MLP_BENCH_CACHE`` >
``~/.cache/flake8-mlops-bench``. ``--corpus DIR`` benchmarks any directory of ``.py``
files instead and never touches the network. The test suite never downloads anything.

    python benchmarks/bench.py              # full run (downloads once, ~5 min)
    python benchmarks/bench.py --quick      # sklearn examples only, fewer repeats
    python benchmarks/bench.py --corpus DIR --json
"""

from __future__ import annotations

import argparse
import ast
import cProfile
import gc
import hashlib
import io
import json
import os
import pstats
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import tracemalloc
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

# Targets (the README explains each).
TARGET_OVERHEAD = 1.10  # flake8 E,W,F + every MLP rule <= 1.10x flake8 E,W,F alone
TARGET_PLUGIN_PARSE = 1.5  # plugin time <= 1.5x ast.parse of the same files
TARGET_LINEAR = 1.5  # per-1k-lines cost at the largest size <= 1.5x the smallest (fixed content mix)

DEFAULT_SIZES = (1_000, 3_000, 10_000, 30_000, 100_000)
QUICK_SIZES = (1_000, 3_000, 10_000, 30_000)

#: Pinned corpus parts. ``select`` picks the archive members to keep (POSIX paths).
CORPUS_PARTS: Dict[str, Dict[str, Any]] = {
    # scikit-learn's gallery: ~300 real ML scripts (data loading, models, plots).
    "sklearn-examples": {
        "project": "scikit-learn",
        "version": "1.5.2",
        "kind": "sdist",
        "select": lambda p: len(p.parts) > 2 and p.parts[1] == "examples" and p.suffix == ".py",
        "strip": 1,  # drop the "scikit_learn-1.5.2/" top folder
    },
    # A large pure-Python ML library: training loops, hub loading, (de)serialization.
    # The model zoo (transformers/models/, ~800k lines of near-identical generated
    # code) is kept out of the default set; --full adds it.
    "transformers-core": {
        "project": "transformers",
        "version": "4.44.2",
        "kind": "wheel",
        "select": lambda p: p.suffix == ".py" and p.parts[0] == "transformers"
        and (len(p.parts) < 2 or p.parts[1] != "models"),
        "strip": 0,
    },
    "transformers-models": {
        "project": "transformers",
        "version": "4.44.2",
        "kind": "wheel",
        "select": lambda p: p.suffix == ".py" and len(p.parts) > 2
        and p.parts[:2] == ("transformers", "models"),
        "strip": 0,
    },
}
DEFAULT_PARTS = ("sklearn-examples", "transformers-core")
QUICK_PARTS = ("sklearn-examples",)
FULL_PARTS = ("sklearn-examples", "transformers-core", "transformers-models")

# the same folders flake8 skips by default
EXCLUDED_DIRS = {".svn", "CVS", ".bzr", ".hg", ".git", "__pycache__", ".tox", ".nox", ".eggs", "*.egg"}

PYPI = "https://pypi.org"

#: In-process timings use this process's CPU time: on a shared machine it is disturbed far
#: less by other load than wall time is (the code measured is single-threaded).
CLOCK = time.process_time
PLUGIN_DIST = "flake8-mlops"

# A flake8 launcher that drops this plugin from flake8's plugin discovery, so the
# baseline run does not even import flake8_mlops (a true "without the plugin").
WITHOUT_PLUGIN_LAUNCHER = r"""
import sys
import flake8.plugins.finder as finder
from flake8 import utils

_orig = finder.find_plugins

def find_plugins(cfg, opts):
    return [p for p in _orig(cfg, opts) if utils.normalize_pypi_name(p.package) != %r]

finder.find_plugins = find_plugins
from flake8.main.cli import main
sys.exit(main(sys.argv[1:]))
""" % PLUGIN_DIST


def log(msg: str = "") -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- corpus
def cache_dir(arg: Optional[str]) -> Path:
    if arg:
        return Path(arg).expanduser()
    env = os.environ.get("MLP_BENCH_CACHE")
    if env:
        return Path(env).expanduser()
    return Path("~/.cache/flake8-mlops-bench").expanduser()


def _get_json(url: str) -> Any:
    headers = {"Accept": "application/json", "User-Agent": "flake8-mlops-bench"}
    req = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.load(resp)


def pypi_release_file(project: str, version: str, kind: str) -> Tuple[str, str, str]:
    """(url, sha256, filename) of the release's sdist or pure-Python wheel.

    Tries PyPI's per-version JSON first, then the project JSON's ``releases`` table
    (some mirrors only serve the latter). URLs may be relative to the JSON's URL.
    """
    candidates = [f"{PYPI}/pypi/{project}/{version}/json", f"{PYPI}/pypi/{project}/json"]
    last_exc: Optional[Exception] = None
    for url in candidates:
        try:
            data = _get_json(url)
        except Exception as exc:  # 404 on mirrors, network hiccups
            last_exc = exc
            continue
        if url.endswith(f"/{version}/json"):
            files = data.get("urls")
        else:
            files = data.get("releases", {}).get(version)
        for f in files or ():
            name = f["filename"]
            ok = (
                f.get("packagetype") == "sdist" and name.endswith(".tar.gz")
                if kind == "sdist"
                else name.endswith("-py3-none-any.whl")
            )
            if ok:
                return urllib.parse.urljoin(url, f["url"]), f["digests"]["sha256"], name
    raise RuntimeError(f"no {kind} of {project}=={version} on {PYPI} ({last_exc})")


def fetch(project: str, version: str, kind: str, dest_dir: Path) -> Path:
    """Download one pinned release file into ``dest_dir`` (once), verifying its sha256."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    stamp = dest_dir / f"{project}-{version}-{kind}.sha256"
    if stamp.exists():
        name, digest = stamp.read_text().split()
        path = dest_dir / name
        if path.exists():
            return path
    url, digest, name = pypi_release_file(project, version, kind)
    path = dest_dir / name
    log(f"downloading {name} ...")
    h = hashlib.sha256()
    tmp = path.with_suffix(path.suffix + ".part")
    with urllib.request.urlopen(url, timeout=300) as resp, open(tmp, "wb") as out:
        for chunk in iter(lambda: resp.read(1 << 20), b""):
            h.update(chunk)
            out.write(chunk)
    if h.hexdigest() != digest:
        tmp.unlink()
        raise RuntimeError(f"sha256 mismatch for {name}: got {h.hexdigest()}, PyPI says {digest}")
    tmp.replace(path)
    stamp.write_text(f"{name} {digest}\n")
    return path


def _safe_relpath(name: str, strip: int) -> Optional[PurePosixPath]:
    p = PurePosixPath(name)
    if p.is_absolute() or ".." in p.parts or len(p.parts) <= strip:
        return None
    return PurePosixPath(*p.parts[strip:])


def extract(archive: Path, kind: str, select: Callable[[PurePosixPath], bool], strip: int, out: Path) -> int:
    """Copy the selected ``.py`` members of an sdist/wheel into ``out``; returns the count.

    Only regular files are written, by content, to paths built here (no links, no
    absolute or ``..`` paths), so a hostile archive cannot write outside ``out``.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=out.name + ".", dir=out.parent))
    count = 0
    try:
        if kind == "sdist":
            with tarfile.open(archive, "r:gz") as tar:
                for m in tar:
                    if not m.isfile() or not select(PurePosixPath(m.name)):
                        continue
                    rel = _safe_relpath(m.name, strip)
                    f = tar.extractfile(m)
                    if rel is None or f is None:
                        continue
                    target = tmp.joinpath(*rel.parts)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(f.read())
                    count += 1
        else:
            with zipfile.ZipFile(archive) as zf:
                for info in zf.infolist():
                    if info.is_dir() or not select(PurePosixPath(info.filename)):
                        continue
                    rel = _safe_relpath(info.filename, strip)
                    if rel is None:
                        continue
                    target = tmp.joinpath(*rel.parts)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(zf.read(info))
                    count += 1
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return count


def ensure_corpus(cache: Path, parts: Sequence[str]) -> List[Path]:
    """The folders of the requested corpus parts, downloading/extracting what is missing."""
    dirs = []
    for key in parts:
        spec = CORPUS_PARTS[key]
        out = cache / "corpus" / f"{key}-{spec['version']}"
        if not (out / ".complete").exists():
            archive = fetch(spec["project"], spec["version"], spec["kind"], cache / "downloads")
            n = extract(archive, spec["kind"], spec["select"], spec["strip"], out)
            (out / ".complete").write_text(f"{n}\n")
            log(f"extracted {n} files to {out}")
        dirs.append(out)
    return dirs


def collect_files(dirs: Iterable[Path]) -> List[Path]:
    files: List[Path] = []
    for d in dirs:
        d = Path(d)
        if d.is_file():
            files.append(d)
            continue
        for root, subdirs, names in os.walk(d):
            subdirs[:] = sorted(s for s in subdirs if s not in EXCLUDED_DIRS and not s.endswith(".egg"))
            files.extend(Path(root, n) for n in sorted(names) if n.endswith(".py"))
    return files


class Source:
    __slots__ = ("path", "text", "lines", "nlines")

    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.nlines = len(self.lines)


def load_sources(files: Iterable[Path]) -> Tuple[List[Source], List[str]]:
    """Readable, parseable sources (skipped files are returned by name)."""
    out: List[Source] = []
    skipped: List[str] = []
    for f in files:
        try:
            text = f.read_bytes().decode("utf-8")
            ast.parse(text, filename=str(f))
        except (UnicodeDecodeError, SyntaxError, ValueError):
            skipped.append(str(f))
            continue
        out.append(Source(str(f), text))
    return out, skipped


# ------------------------------------------------------------------ in-process parts
def _plugin_api():
    from flake8_mlops.context import Context
    from flake8_mlops.dispatch import run_rules
    from flake8_mlops.registry import all_rules

    return Context, run_rules, all_rules


def _best(fn: Callable[[], Any], repeats: int, min_total: float = 0.0) -> Tuple[float, Any, List[float]]:
    """min CPU time of ``fn`` over ``repeats`` runs (more while the total < ``min_total``)."""
    times: List[float] = []
    result = None
    total = 0.0
    while len(times) < repeats or total < min_total:
        gc.collect()
        t0 = CLOCK()
        result = fn()
        dt = CLOCK() - t0
        times.append(dt)
        total += dt
        if len(times) >= 1000:
            break
    return min(times), result, times


def parse_all(sources: Sequence[Source]) -> List[ast.AST]:
    return [ast.parse(s.text, filename=s.path) for s in sources]


def walk_all(trees: Sequence[ast.AST]) -> int:
    n = 0
    for tree in trees:
        for _ in ast.walk(tree):
            n += 1
    return n


def plugin_all(
    sources: Sequence[Source], trees: Sequence[ast.AST], rules: Optional[Sequence[type]] = None
) -> int:
    """What flake8 does per file with the plugin: a Context, then the single walk."""
    Context, run_rules, all_rules = _plugin_api()
    rules = list(all_rules()) if rules is None else rules
    n = 0
    for s, tree in zip(sources, trees):
        ctx = Context(tree, s.path, s.lines)
        n += len(run_rules(ctx, rules))
    return n


def measure_inprocess(sources: Sequence[Source], repeats: int) -> Dict[str, Any]:
    """(b) plugin vs ast.parse vs ast.walk, (c) lines/s, (d) peak memory."""
    _, _, all_rules = _plugin_api()
    rules = list(all_rules())
    nlines = sum(s.nlines for s in sources)
    t_parse, trees, parse_runs = _best(lambda: parse_all(sources), repeats)
    t_walk, nodes, _ = _best(lambda: walk_all(trees), repeats)
    plugin_all(sources, trees, rules)  # warm-up: imports, handler table
    t_plugin, findings, plugin_runs = _best(lambda: plugin_all(sources, trees, rules), repeats)
    mem = measure_memory(sources, trees, rules)
    return {
        "files": len(sources),
        "lines": nlines,
        "nodes": nodes,
        "rules": [r.code for r in rules],
        "findings": findings,
        "parse_s": t_parse,
        "walk_s": t_walk,
        "plugin_s": t_plugin,
        "parse_runs_s": parse_runs,
        "plugin_runs_s": plugin_runs,
        "plugin_over_parse": t_plugin / t_parse if t_parse else None,
        "walk_over_parse": t_walk / t_parse if t_parse else None,
        "plugin_over_walk": t_plugin / t_walk if t_walk else None,
        "lines_per_s": nlines / t_plugin if t_plugin else None,
        "parse_lines_per_s": nlines / t_parse if t_parse else None,
        **mem,
    }


def measure_memory(
    sources: Sequence[Source], trees: Sequence[ast.AST], rules: Sequence[type]
) -> Dict[str, Any]:
    """(d) Peak memory the plugin allocates on top of the already-parsed trees."""
    gc.collect()
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        plugin_all(sources, trees, rules)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return {
        "plugin_peak_bytes": max(0, peak - base),
        "process_maxrss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def _strip_future(text: str) -> str:
    # ``from __future__`` must open a module: neutralise it before concatenating
    out = []
    for line in text.splitlines(keepends=True):
        if line.startswith("from __future__ import"):
            line = "pass\n" if not line.rstrip().endswith("(") and not line.rstrip().endswith("\\") else line
        out.append(line)
    return "".join(out)


def synthetic_modules(
    sources: Sequence[Source], sizes: Sequence[int], seed: int = 0
) -> List[Tuple[int, str]]:
    """One module per size: whole corpus files concatenated (deterministic shuffled order,
    cycled if the corpus is too small) until the size is reached. Every size is a prefix
    of the same stream, so the content mix is comparable across sizes."""
    pool = []
    for s in sources:
        text = _strip_future(s.text)
        if not text.endswith("\n"):
            text += "\n"
        try:
            ast.parse(text)
        except SyntaxError:
            continue
        pool.append(text)
    if not pool:
        return []
    random.Random(seed).shuffle(pool)
    out = []
    for size in sizes:
        chunks: List[str] = []
        n = 0
        i = 0
        while n < size:
            t = pool[i % len(pool)]
            chunks.append(t)
            n += t.count("\n")
            i += 1
        out.append((size, "".join(chunks)))
    return out


def measure_scaling(
    sources: Sequence[Source], sizes: Sequence[int], min_total: float = 0.3
) -> Dict[str, Any]:
    """(e) parse and plugin time per synthetic module size; per-1k-lines cost."""
    Context, run_rules, all_rules = _plugin_api()
    rules = list(all_rules())
    import inspect

    ungated = {"use_triggers": False} if "use_triggers" in inspect.signature(run_rules).parameters else {}
    rows = []
    for size, text in synthetic_modules(sources, sizes):
        lines = text.splitlines(keepends=True)
        tree = ast.parse(text)
        nodes = sum(1 for _ in ast.walk(tree))
        t_parse, _, _ = _best(lambda: ast.parse(text), 3, min_total)

        def run() -> int:
            # every rule runs at every size: the source-text triggers would otherwise
            # skip more rules on the small modules (fewer trigger words) and make the
            # per-line cost grow with size for a reason that is not the algorithm
            return len(run_rules(Context(tree, "synthetic.py", lines), rules, **ungated))

        run()
        t_plugin, findings, _ = _best(run, 3, min_total)
        t_walk, _, _ = _best(lambda: walk_all([tree]), 3, min_total)
        rows.append({
            "target_lines": size,
            "lines": len(lines),
            "nodes": nodes,
            "findings": findings,
            "parse_s": t_parse,
            "plugin_s": t_plugin,
            "plugin_ms_per_1k_lines": 1000 * t_plugin / len(lines) * 1000,
            "plugin_us_per_1k_nodes": 1e6 * t_plugin / nodes * 1000,
            "parse_ms_per_1k_lines": 1000 * t_parse / len(lines) * 1000,
            "plugin_over_parse": t_plugin / t_parse if t_parse else None,
            "walk_s": t_walk,
            "plugin_over_walk": t_plugin / t_walk if t_walk else None,
        })
    ratio = walk_ratio = None
    if len(rows) >= 2:
        ratio = rows[-1]["plugin_ms_per_1k_lines"] / rows[0]["plugin_ms_per_1k_lines"]
        walk_ratio = (rows[-1]["walk_s"] / rows[-1]["lines"]) / (rows[0]["walk_s"] / rows[0]["lines"])
    repeated = measure_repeated(sources, sizes, min_total)
    return {
        "rows": rows,
        "largest_over_smallest": ratio,
        # the same ratio for a bare ast.walk: what the memory hierarchy alone adds
        "walk_largest_over_smallest": walk_ratio,
        # the verdict: per-line cost at a fixed content mix (see measure_repeated)
        "linear": repeated["largest_over_smallest"] is not None
        and repeated["largest_over_smallest"] <= TARGET_LINEAR,
        "repeated": repeated,
    }


def measure_repeated(
    sources: Sequence[Source], sizes: Sequence[int], min_total: float = 0.3
) -> Dict[str, Any]:
    """Per-line plugin cost of the smallest synthetic module repeated up to each size.

    The prefix series above mixes two things: how the algorithm grows, and what the
    growing stream contains (a web-framework file switches the serving rules on, a pandas
    file the type inference). Repeating one module keeps the content mix fixed, so any
    growth of the per-line cost here is the algorithm's (or the memory hierarchy's)."""
    Context, run_rules, all_rules = _plugin_api()
    rules = list(all_rules())
    mods = synthetic_modules(sources, sizes[:1])
    if not mods:
        return {"rows": [], "largest_over_smallest": None}
    unit = mods[0][1]
    unit_lines = unit.count("\n")
    rows = []
    for size in sizes:
        text = unit * max(1, round(size / unit_lines))
        lines = text.splitlines(keepends=True)
        tree = ast.parse(text)

        def run() -> int:
            return len(run_rules(Context(tree, "repeated.py", lines), rules, use_triggers=False))

        run()
        t_plugin, _, _ = _best(run, 3, min_total)
        rows.append({"lines": len(lines), "plugin_s": t_plugin,
                     "plugin_ms_per_1k_lines": 1000 * t_plugin / len(lines) * 1000})
    ratio = rows[-1]["plugin_ms_per_1k_lines"] / rows[0]["plugin_ms_per_1k_lines"] if len(rows) >= 2 else None
    return {"rows": rows, "largest_over_smallest": ratio}


def profile_plugin(sources: Sequence[Source], trees: Sequence[ast.AST], top: int = 25) -> Dict[str, Any]:
    """cProfile of the plugin run: top functions and self-time grouped by module."""
    _, _, all_rules = _plugin_api()
    rules = list(all_rules())
    prof = cProfile.Profile()
    prof.enable()
    plugin_all(sources, trees, rules)
    prof.disable()
    stats = pstats.Stats(prof)
    groups: Dict[str, float] = {}
    total = 0.0
    raw = stats.stats  # type: ignore[attr-defined]
    for (filename, _line, func), (_cc, _nc, tt, _ct, _callers) in raw.items():
        total += tt
        if "flake8_mlops" in filename:
            key = filename.split("flake8_mlops", 1)[1].lstrip("/\\")
        elif filename == "~":
            key = "builtins: " + func.strip("<>").split(" of ")[0][:50]
        else:
            key = os.path.basename(filename)
        groups[key] = groups.get(key, 0.0) + tt
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(top)
    return {
        "self_time_by_module": sorted(([k, v, v / total if total else 0.0] for k, v in groups.items()),
                                      key=lambda r: -r[1]),
        "top_tottime": buf.getvalue(),
    }


def rule_costs(sources: Sequence[Source], trees: Sequence[ast.AST], repeats: int) -> Dict[str, float]:
    """CPU seconds of the engine alone (walk + resolver, no rule) and the marginal cost of
    each rule on top (``engine + rule`` - ``engine``; includes dispatching its node types).
    Configurations are interleaved per round and the best of the rounds is kept."""
    _, _, all_rules = _plugin_api()
    configs: Dict[str, List[type]] = {"engine (walk + resolver, no rule)": []}
    configs.update({r.code: [r] for r in all_rules()})
    best: Dict[str, float] = {}
    for _ in range(repeats):
        for key, rules in configs.items():
            t, _, _ = _best(lambda: plugin_all(sources, trees, rules), 1)
            best[key] = min(best.get(key, t), t)
    engine = best.pop("engine (walk + resolver, no rule)")
    return {"engine (walk + resolver, no rule)": engine, **{k: v - engine for k, v in best.items()}}


# ------------------------------------------------------------------------ flake8 runs
def flake8_cmd(with_plugin: bool, select: str, jobs: int, paths: Sequence[str]) -> List[str]:
    if with_plugin:
        base = [sys.executable, "-m", "flake8"]
    else:
        base = [sys.executable, "-c", WITHOUT_PLUGIN_LAUNCHER]
    return base + ["--isolated", f"--select={select}", f"-j{jobs}", *paths]


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_flake8(
    with_plugin: bool, select: str, jobs: int, paths: Sequence[str]
) -> Tuple[float, float, List[str]]:
    """(wall seconds, CPU seconds of flake8 and its workers, sorted output lines)."""
    cmd = flake8_cmd(with_plugin, select, jobs, paths)
    c0 = _children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    cpu = _children_cpu() - c0
    if proc.returncode not in (0, 1):
        raise RuntimeError(
            f"flake8 failed ({proc.returncode}): {' '.join(cmd[:4])}...\n{proc.stderr[-2000:]}"
        )
    return dt, cpu, sorted(proc.stdout.splitlines())


def plugin_really_absent() -> bool:
    """The baseline launcher must not load flake8-mlops (checked on ``--version``)."""
    out = subprocess.run([sys.executable, "-c", WITHOUT_PLUGIN_LAUNCHER, "--version"],
                         capture_output=True, text=True).stdout
    full = subprocess.run([sys.executable, "-m", "flake8", "--version"],
                          capture_output=True, text=True).stdout
    return PLUGIN_DIST in full and PLUGIN_DIST not in out


def compile_plugin() -> None:
    """Write the plugin's bytecode before timing flake8 subprocesses.

    flake8, pyflakes and pycodestyle are imported from the ``.pyc`` files pip wrote when it
    installed them. An editable install of the plugin has none until Python writes them on
    first import, and never does under ``PYTHONDONTWRITEBYTECODE`` (set on some machines
    and CI images): each flake8 run would then compile the plugin's ~60 modules from
    source (about 0.3 s), a cost no installed user pays. Compiling once here measures the
    installed steady state for both configurations alike."""
    import compileall

    import flake8_mlops

    compileall.compile_dir(os.path.dirname(flake8_mlops.__file__), quiet=1)


def measure_flake8(paths: Sequence[str], repeats: int) -> Dict[str, Any]:
    """(a) overhead and (f) -j2 vs -j1, from subprocess runs of flake8 -j1.

    Configurations, interleaved per round to spread machine drift evenly:
      base   : flake8 without the plugin loaded, --select E,W,F
      pruned : plugin loaded, --select E,W,F (the plugin prunes every rule)
      full   : plugin loaded, --select E,W,F,MLP (every MLP rule runs)
    Each run records wall time and the CPU time (user+sys) of the flake8 process; the
    verdict uses the best CPU time, which other load on the machine disturbs least.
    """
    compile_plugin()
    if not plugin_really_absent():
        raise RuntimeError(
            "the without-plugin launcher still loads flake8-mlops (or the plugin is not installed)"
        )
    configs = {
        "base": (False, "E,W,F"),
        "pruned": (True, "E,W,F"),
        "full": (True, "E,W,F,MLP"),
    }
    wall: Dict[str, List[float]] = {k: [] for k in configs}
    cpu: Dict[str, List[float]] = {k: [] for k in configs}
    outputs: Dict[str, List[str]] = {}
    for r in range(repeats):
        for name, (plug, sel) in configs.items():
            dt, ct, out = run_flake8(plug, sel, 1, paths)
            wall[name].append(dt)
            cpu[name].append(ct)
            outputs[name] = out
            log(f"  flake8 {name:6s} -j1 round {r + 1}/{repeats}: wall {dt:.2f}s cpu {ct:.2f}s")
    best = {k: min(v) for k, v in cpu.items()}
    med = {k: statistics.median(v) for k, v in cpu.items()}
    best_wall = {k: min(v) for k, v in wall.items()}
    med_wall = {k: statistics.median(v) for k, v in wall.items()}
    mlp_lines = [x for x in outputs["full"] if ": MLP" in x]
    non_mlp_full = [x for x in outputs["full"] if ": MLP" not in x]
    dt2, _, out_j2 = run_flake8(True, "E,W,F,MLP", 2, paths)
    log(f"  flake8 full   -j2: wall {dt2:.2f}s")
    return {
        "repeats": repeats,
        "wall_s": wall,
        "cpu_s": cpu,
        "best_cpu_s": best,
        "median_cpu_s": med,
        "best_wall_s": best_wall,
        "median_wall_s": med_wall,
        "overhead_best": best["full"] / best["base"],
        "overhead_median": med["full"] / med["base"],
        "overhead_best_wall": best_wall["full"] / best_wall["base"],
        "overhead_median_wall": med_wall["full"] / med_wall["base"],
        "pruned_overhead_best": best["pruned"] / best["base"],
        "findings_ewf": len(outputs["base"]),
        "findings_mlp": len(mlp_lines),
        "mlp_codes": sorted({x.split(": ", 1)[1].split()[0] for x in mlp_lines}),
        "ewf_same_with_plugin": non_mlp_full == outputs["base"],
        "jobs2_s": dt2,
        "jobs_identical": out_j2 == outputs["full"],
    }


def measure_instructions(files: Sequence[str], every: int = 10) -> Dict[str, Any]:
    """(a) in instructions: flake8 ``base`` vs ``full`` on every ``every``-th corpus file,
    each run under valgrind's callgrind (the two runs in parallel).

    CPU time on small shared machines moves by 20 % between identical runs, more than the
    10 % the overhead target allows; an instruction count is the same from run to run.
    Instructions are not seconds (flake8's regex-heavy checks and the plugin's Python code
    run at different instructions per cycle) and the plugin's import is a larger share of a
    sample than of the whole corpus, so read it as the repeatable companion of (a)."""
    import concurrent.futures
    import shutil

    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise RuntimeError("valgrind is not installed")
    compile_plugin()
    sample = list(files)[::every]

    def count(with_plugin: bool, select: str) -> int:
        cmd = flake8_cmd(with_plugin, select, 1, sample)
        cmd[0] = os.path.realpath(sys.executable)  # the binary, not a shim valgrind would trace
        # a fixed hash seed: set and dict orders (and so the counts) repeat exactly
        out = subprocess.run([valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
                             capture_output=True, text=True, env=dict(os.environ, PYTHONHASHSEED="0"))
        for line in out.stderr.splitlines():
            if "Collected" in line:
                return int(line.split()[-1])
        raise RuntimeError("callgrind printed no instruction count: " + out.stderr[-300:])

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        base = pool.submit(count, False, "E,W,F")
        full = pool.submit(count, True, "E,W,F,MLP")
        n_base, n_full = base.result(), full.result()
    return {"files": len(sample), "every": every, "base_instructions": n_base,
            "full_instructions": n_full, "overhead": n_full / n_base}


# ------------------------------------------------------------------------------ main
def _mark(ok: Optional[bool]) -> str:
    return "n/a " if ok is None else ("PASS" if ok else "MISS")


def _mb(n: float) -> str:
    return f"{n / 2**20:.1f}MB"


def main(argv: Optional[Sequence[str]] = None) -> Dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", metavar="DIR", action="append",
                    help="benchmark this directory of .py files (repeatable); no download")
    ap.add_argument("--cache-dir",
                    help="download cache (default $MLP_BENCH_CACHE or ~/.cache/flake8-mlops-bench)")
    ap.add_argument("--quick", action="store_true",
                    help="sklearn examples only, fewer repeats, sizes up to 30k")
    ap.add_argument("--full", action="store_true",
                    help="also the transformers model zoo (~950k lines in all)")
    ap.add_argument("--repeats", type=int, help="flake8 and in-process repeats (default 3, --quick 1)")
    ap.add_argument("--sizes", help="comma-separated synthetic sizes in lines (default 1000,...,100000)")
    ap.add_argument("--min-time", type=float, default=0.3,
                    help="repeat each scaling measurement until it has run this many seconds (default 0.3)")
    ap.add_argument("--no-flake8", action="store_true", help="skip the flake8 subprocess parts (a) and (f)")
    ap.add_argument("--instructions", type=int, nargs="?", const=10, metavar="N",
                    help="also measure (a) in instructions under valgrind on every N-th file (default 10)")
    ap.add_argument("--profile", choices=("auto", "always", "never"), default="auto",
                    help="cProfile the plugin run (auto: when plugin/parse misses its target)")
    ap.add_argument("--json", nargs="?", const="-", metavar="FILE",
                    help="write the results as JSON (to stdout: -)")
    args = ap.parse_args(argv)

    repeats = args.repeats or (1 if args.quick else 3)
    if args.sizes:
        sizes = tuple(int(x) for x in args.sizes.split(","))
    else:
        sizes = QUICK_SIZES if args.quick else DEFAULT_SIZES
    if args.corpus:
        dirs = [Path(d) for d in args.corpus]
        corpus_desc = [str(d) for d in dirs]
    else:
        parts = QUICK_PARTS if args.quick else FULL_PARTS if args.full else DEFAULT_PARTS
        dirs = ensure_corpus(cache_dir(args.cache_dir), parts)
        corpus_desc = [f"{p} ({CORPUS_PARTS[p]['project']}=={CORPUS_PARTS[p]['version']})" for p in parts]
    files = collect_files(dirs)
    sources, skipped = load_sources(files)
    if not sources:
        raise SystemExit("no parseable .py files in the corpus")
    import flake8
    import flake8_mlops

    results: Dict[str, Any] = {
        "corpus": corpus_desc,
        "python": sys.version.split()[0],
        "flake8": flake8.__version__,
        "flake8_mlops": flake8_mlops.__version__,
        "cpus": os.cpu_count(),
        "skipped_files": skipped,
    }
    out = sys.stdout if args.json != "-" else sys.stderr
    p = lambda s="": print(s, file=out, flush=True)  # noqa: E731
    nlines = sum(s.nlines for s in sources)
    p(f"corpus: {', '.join(corpus_desc)}")
    p(f"        {len(sources)} files, {nlines} lines ({len(skipped)} unparseable skipped); "
      f"Python {results['python']}, flake8 {results['flake8']}, flake8-mlops {results['flake8_mlops']}")

    # (b)(c)(d)
    log("in-process measurements ...")
    inp = measure_inprocess(sources, repeats=args.repeats or 3)
    results["inprocess"] = inp
    ok_parse = inp["plugin_over_parse"] <= TARGET_PLUGIN_PARSE
    p(f"rules: {' '.join(inp['rules'])} ({inp['findings']} findings, {inp['nodes']} AST nodes)")
    p(f"(b) ast.parse {inp['parse_s']:.3f}s  ast.walk {inp['walk_s']:.3f}s  plugin {inp['plugin_s']:.3f}s  "
      f"(best of {len(inp['plugin_runs_s'])})")
    p(f"    plugin/parse = {inp['plugin_over_parse']:.2f}x  "
      f"[target <= {TARGET_PLUGIN_PARSE}x: {_mark(ok_parse)}]  "
      f"walk/parse = {inp['walk_over_parse']:.2f}x  plugin/walk = {inp['plugin_over_walk']:.2f}x")
    p(f"(c) plugin {inp['lines_per_s']:,.0f} lines/s  (ast.parse {inp['parse_lines_per_s']:,.0f} lines/s)")
    p(f"(d) plugin peak (tracemalloc, over parsed trees) {_mb(inp['plugin_peak_bytes'])}; "
      f"process max RSS {_mb(inp['process_maxrss_bytes'])}")

    # (e)
    log("scaling ...")
    sc = measure_scaling(sources, sizes, min_total=args.min_time)
    results["scaling"] = sc
    p("(e) scaling (synthetic modules of concatenated corpus files):")
    p("      lines     nodes  parse_s  plugin_s  ms/1k lines  us/1k nodes  plugin/parse")
    for r in sc["rows"]:
        p(f"    {r['lines']:7d}  {r['nodes']:8d}  {r['parse_s']:7.4f}  {r['plugin_s']:8.4f}  "
          f"{r['plugin_ms_per_1k_lines']:11.3f}  {r['plugin_us_per_1k_nodes']:11.1f}  "
          f"{r['plugin_over_parse']:12.2f}")
    if sc["largest_over_smallest"] is not None:
        p(f"    per-line cost largest/smallest = {sc['largest_over_smallest']:.2f}x (content mix changes "
          f"with size); a bare ast.walk over the same modules: {sc['walk_largest_over_smallest']:.2f}x")
    rep = sc["repeated"]
    if rep["largest_over_smallest"] is not None:
        sizes_txt = ", ".join(f"{r['lines']}: {r['plugin_ms_per_1k_lines']:.1f}" for r in rep["rows"])
        p(f"    same module repeated (fixed content mix), ms/1k lines: {sizes_txt}")
        p(f"    per-line cost largest/smallest at a fixed mix = {rep['largest_over_smallest']:.2f}x  "
          f"[target <= {TARGET_LINEAR}x: {_mark(sc['linear'])}]")

    # (a)(f)
    fl: Optional[Dict[str, Any]] = None
    if not args.no_flake8:
        log("flake8 runs ...")
        fl = measure_flake8([str(d) for d in dirs], repeats)
        results["flake8_runs"] = fl
        ok_over = fl["overhead_best"] <= TARGET_OVERHEAD
        b, m, bw = fl["best_cpu_s"], fl["median_cpu_s"], fl["best_wall_s"]
        p(f"(a) flake8 -j1 CPU seconds, best of {repeats} (median; best wall):")
        for key, label in (("base", "without plugin, E,W,F"), ("pruned", "plugin loaded, E,W,F"),
                           ("full", "plugin loaded, E,W,F,MLP")):
            p(f"      {label:26s} {b[key]:7.2f}s ({m[key]:.2f}s; wall {bw[key]:.2f}s)")
        p(f"    overhead = {fl['overhead_best']:.3f}x (median {fl['overhead_median']:.3f}x; wall best "
          f"{fl['overhead_best_wall']:.3f}x, median {fl['overhead_median_wall']:.3f}x)  "
          f"[target <= {TARGET_OVERHEAD}x: {_mark(ok_over)}]")
        p(f"    plugin loaded but pruned = "
          f"{fl['pruned_overhead_best']:.3f}x; {fl['findings_ewf']} E/W/F + {fl['findings_mlp']} MLP "
          f"findings ({', '.join(fl['mlp_codes']) or 'none'}); "
          f"E/W/F identical with plugin: {fl['ewf_same_with_plugin']}")
        p(f"(f) flake8 -j2 ({fl['jobs2_s']:.2f}s) vs -j1 sorted output identical: {fl['jobs_identical']}")
    if args.instructions:
        log("flake8 under callgrind ...")
        ins = measure_instructions([str(f) for f in files], args.instructions)
        results["instructions"] = ins
        p(f"(a) in instructions, {ins['files']} files (1 in {ins['every']}): without plugin "
          f"{ins['base_instructions'] / 1e6:,.0f}M, with every MLP rule {ins['full_instructions'] / 1e6:,.0f}M: "
          f"overhead = {ins['overhead']:.3f}x  [target <= {TARGET_OVERHEAD}x: "
          f"{_mark(ins['overhead'] <= TARGET_OVERHEAD)}]")

    # profile
    want_profile = args.profile == "always" or (args.profile == "auto" and not ok_parse)
    if want_profile:
        trees = parse_all(sources)
        prof = profile_plugin(sources, trees)
        prof["cpu_s_by_part"] = costs = rule_costs(sources, trees, args.repeats or 3)
        results["profile"] = prof
        p(f"cost split (CPU s, best of {args.repeats or 3}; ast.parse = {inp['parse_s']:.3f}s):")
        for key, secs in costs.items():
            p(f"    {secs:7.3f}s  {secs / inp['parse_s']:5.2f}x parse  {key}")
        p("profile of the plugin run (self time by module):")
        for key, secs, share in prof["self_time_by_module"][:15]:
            p(f"    {share:6.1%}  {secs:7.3f}s  {key}")
        p(prof["top_tottime"])

    summary = (
        f"SUMMARY overhead={fl['overhead_best']:.2f}x " if fl else "SUMMARY overhead=n/a "
    ) + (
        f"plugin/parse={inp['plugin_over_parse']:.2f}x lines/s={inp['lines_per_s']:.0f} "
        f"peak={inp['plugin_peak_bytes'] / 2**20:.0f}MB "
        f"scaling={'linear' if sc['linear'] else 'nonlinear'}"
        f"({sc['repeated']['largest_over_smallest'] or 0:.2f}x fixed mix, "
        f"{sc['largest_over_smallest'] or 0:.2f}x stream) "
        f"jobs={('identical' if fl['jobs_identical'] else 'DIFFERENT') if fl else 'n/a'}"
    )
    if "instructions" in results:  # the repeatable companion of (a), when measured
        summary += f" overhead_instructions={results['instructions']['overhead']:.3f}x"
    results["summary"] = summary
    results["targets"] = {
        "overhead": None if fl is None else fl["overhead_best"] <= TARGET_OVERHEAD,
        "plugin_over_parse": ok_parse,
        "linear": sc["linear"],
    }
    if "instructions" in results:
        results["targets"]["overhead_instructions"] = results["instructions"]["overhead"] <= TARGET_OVERHEAD
    p(summary)
    if args.json:
        text = json.dumps(results, indent=2, default=str)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n")
    return results


if __name__ == "__main__":
    main()
