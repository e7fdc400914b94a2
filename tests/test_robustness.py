"""Odd inputs never crash the plugin; broken rules are contained; linted code never runs."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import List, Tuple

import pytest

import flake8_mlops.plugin as plugin_mod
from flake8_mlops.context import Context
from flake8_mlops.dispatch import run_rules
from flake8_mlops.options import Config
from flake8_mlops.plugin import Plugin, lint_source
from flake8_mlops.registry import Rule, all_rules

from .harness import lint

TORCH_LOAD = 'import torch\nx = torch.load("a.pt")\n'


def flake8(args, cwd: Path) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", *args],
        cwd=str(cwd),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    return proc


def out_codes(stdout: str) -> List[Tuple[str, int, str]]:
    rows = []
    for raw in stdout.splitlines():
        path, line, _col, rest = raw.split(":", 3)
        rows.append((path, int(line), rest.split()[0]))
    return rows


def no_internal_errors(findings) -> None:
    bad = [f for f in findings if f[2].startswith("MLP000")]
    assert not bad, bad


@pytest.fixture(autouse=True)
def fresh_plugin_state(monkeypatch):
    """Plugin keeps the parsed selection on the class; never let a test see another's."""
    monkeypatch.setattr(Plugin, "_rules", None)
    monkeypatch.setattr(Plugin, "_config", Config())


def run_plugin(source: str, filename: str = "t.py"):
    tree = ast.parse(source)
    return list(Plugin(tree, filename, source.splitlines(keepends=True)).run())


# ------------------------------------------------------------------ odd files, flake8


def test_odd_files_through_flake8(tmp_path):
    (tmp_path / "syntax.py").write_text('import torch\nx = torch.load("a.pt"\n')
    (tmp_path / "empty.py").write_bytes(b"")
    (tmp_path / "comments.py").write_text("# just a comment\n# torch.load('x')\n")
    (tmp_path / "bom.py").write_bytes(b"\xef\xbb\xbf" + TORCH_LOAD.encode())
    (tmp_path / "latin1.py").write_bytes(
        b'# -*- coding: latin-1 -*-\nimport torch\nname = "caf\xe9"\nx = torch.load("a.pt")\n'
    )
    (tmp_path / "crlf.py").write_bytes(TORCH_LOAD.replace("\n", "\r\n").encode())
    (tmp_path / "noeol.py").write_text(TORCH_LOAD.rstrip("\n"))
    (tmp_path / "tabs.py").write_text('import torch\nif True:\n\tx = torch.load("a.pt")\n')
    proc = flake8(["--select=MLP,E9", "."], tmp_path)
    got = sorted(out_codes(proc.stdout))
    assert got == [
        ("./bom.py", 2, "MLP003"),
        ("./crlf.py", 2, "MLP003"),
        ("./latin1.py", 4, "MLP003"),
        ("./noeol.py", 2, "MLP003"),
        ("./syntax.py", 2, "E999"),
        ("./tabs.py", 3, "MLP003"),
    ]


def test_undecodable_file_without_cookie(tmp_path):
    """Invalid UTF-8 and no coding cookie: flake8 7 falls back to latin-1 and lints it
    (older versions reported E902); either way no traceback and no MLP000."""
    (tmp_path / "bad.py").write_bytes(b'import torch\nname = "caf\xe9"\nx = torch.load("a.pt")\n')
    proc = flake8(["--select=MLP,E9", "bad.py"], tmp_path)
    got = out_codes(proc.stdout)
    codes = {c for _, _, c in got}
    assert "MLP000" not in codes
    if codes & {"E902", "E999"}:
        assert not {c for c in codes if c.startswith("MLP")}
    else:
        assert got == [("bad.py", 3, "MLP003")]


def test_syntax_error_gives_no_mlp(tmp_path):
    (tmp_path / "s.py").write_text("import torch\ndef f(:\n    return torch.load('x')\n")
    proc = flake8(["s.py"], tmp_path)
    codes = [c for _, _, c in out_codes(proc.stdout)]
    assert codes == ["E999"]


# ---------------------------------------------------------------- odd files, in-process


@pytest.mark.parametrize(
    "source",
    [
        "",
        "\n\n\n",
        "# only a comment\n",
        '"""only a docstring"""\n',
        "pass",
        "import torch\n" * 3,
        "\\\n\n",
    ],
    ids=["empty", "blank-lines", "comment", "docstring", "pass-no-eol", "dup-imports", "continuation"],
)
def test_trivial_sources(source):
    tree = ast.parse(source)
    ctx = Context(tree, "t.py", source.splitlines(keepends=True))
    findings = run_rules(ctx, all_rules())
    no_internal_errors(findings)
    assert run_plugin(source) == [(ln, c, t, Plugin) for ln, c, t in sorted(set(findings))]


def test_lint_source_syntax_error_is_silent():
    assert lint_source("def f(:\n") == []
    # a null byte: ValueError (3.11) or SyntaxError (3.12+), silent either way
    assert lint_source("import torch\nx = torch.load('a')\n\x00\n") == []
    assert lint_source("\ufeffimport torch\n") == []  # a BOM inside a str is a syntax error
    assert [f[2].split()[0] for f in lint_source(TORCH_LOAD)] == ["MLP003"]


def test_bom_and_latin1_bytes_parse_in_process():
    bom = b"\xef\xbb\xbf" + TORCH_LOAD.encode()
    latin = b'# -*- coding: latin-1 -*-\nimport torch\nname = "caf\xe9"\nx = torch.load("a.pt")\n'
    for raw, line in ((bom, 2), (latin, 4)):
        tree = ast.parse(raw)
        text = raw.decode("utf-8-sig") if raw is bom else raw.decode("latin-1")
        found = list(Plugin(tree, "t.py", text.splitlines(keepends=True)).run())
        assert [(f[0], f[2].split()[0]) for f in found if f[2].startswith("MLP003")] == [(line, "MLP003")]


def test_ten_thousand_lines_all_rules():
    chunk = textwrap.dedent(
        '''\
        import torch
        import joblib as jl


        def step_{i}(batch, model):
            out = model(batch)
            loss = out.loss * {i}
            state = torch.load("ckpt_{i}.pt")
            safe = torch.load("ckpt_{i}.pt", weights_only=True)
            return loss, state, safe, jl.load(f"m_{{batch}}.joblib")


        class Block{i}:
            """Docstring."""

            def forward(self, x):
                if x is None:
                    return [y for y in range({i}) if y % 2]
                return {{"k": x, "v": lambda z: z + {i}}}
        '''
    )
    parts = [chunk.format(i=i) for i in range(10_000 // chunk.count("\n") + 1)]
    source = "\n".join(parts)
    assert source.count("\n") >= 10_000
    start = time.perf_counter()
    findings = lint(source)
    elapsed = time.perf_counter() - start
    no_internal_errors(findings)
    mlp003 = [f for f in findings if f[2].startswith("MLP003")]
    assert len(mlp003) == 2 * len(parts)
    assert elapsed < 20, f"10k lines took {elapsed:.1f}s"


def _deepest(make, lo: int, hi: int) -> int:
    """Largest n in [lo, hi] for which ``ast.parse(make(n))`` succeeds (bisection)."""

    def ok(n: int) -> bool:
        try:
            ast.parse(make(n))
            return True
        except (SyntaxError, RecursionError, MemoryError):
            return False

    assert ok(lo)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if ok(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


DEEP = {
    "parens": lambda n: "import torch\nx = " + "(" * n + 'torch.load("a")' + ")" * n + "\n",
    "nested-calls": lambda n: "import torch\nx = " + "torch.load(" * n + '"a"' + ")" * n + "\n",
    "binop-chain": lambda n: "import torch\nx = " + " + ".join(['torch.load("a")'] * n) + "\n",
    "unary-chain": lambda n: "import torch\nx = " + "-" * n + 'torch.load("a")' + "\n",
    "attr-chain": lambda n: "import torch\nx = torch" + ".m" * n + '.load("a")\n',
    "nested-ifs": lambda n: "import torch\n"
    + "".join(" " * i + "if x:\n" for i in range(n))
    + " " * n
    + 'y = torch.load("a")\n',
    "nested-defs": lambda n: "import torch\n"
    + "".join(" " * i + f"def f{i}(a{i}):\n" for i in range(n))
    + " " * n
    + 'return torch.load("a")\n',
    "nested-classes": lambda n: "import torch\n"
    + "".join(" " * i + f"class C{i}:\n" for i in range(n))
    + " " * n
    + 'y = torch.load("a")\n',
    "nested-lambdas": lambda n: "import torch\nf = " + "lambda: " * n + 'torch.load("a")\n',
    "nested-tuple-target": lambda n: "(" * n + "a," + ")" * n + " = [[1]]\n",
}


# Depths flake8 itself survives (its own parse in a worker and pyflakes recurse: a
# 500-term binop chain already makes *pyflakes* abort the whole flake8 run).
FLAKE8_DEPTH = {"parens": 199, "nested-calls": 200, "binop-chain": 200, "unary-chain": 200, "attr-chain": 200,
                "nested-lambdas": 400, "nested-ifs": 99, "nested-defs": 99, "nested-classes": 99,
                "nested-tuple-target": 200}


@pytest.mark.parametrize("kind", sorted(DEEP))
def test_deeply_nested_code_every_rule(kind):
    """At depths real flake8 can lint, no rule may fail."""
    source = DEEP[kind](FLAKE8_DEPTH[kind])
    findings = lint(source)
    no_internal_errors(findings)
    if "torch.load" in source:
        assert any(f[2].startswith("MLP003") for f in findings), kind


@pytest.mark.parametrize("kind", sorted(DEEP))
def test_deepest_parseable_code(kind):
    """At the deepest nesting ast.parse accepts, the engine and MLP003 still work, and
    whatever another rule does is contained (at most one MLP000 per rule, never a raise)."""
    make = DEEP[kind]
    depth = _deepest(make, 2, 6000)
    source = make(depth)
    only_003 = lint(source, codes=["MLP003"])
    no_internal_errors(only_003)
    if "torch.load" in source:
        assert any(f[2].startswith("MLP003") for f in only_003), kind
    every = run_plugin(source)  # never raises
    internal = [t for _, _, t, _ in every if t.startswith("MLP000")]
    assert len(internal) == len(set(internal))
    assert not any("in engine" in t or "in MLP003" in t for t in internal), internal


def test_deep_nesting_through_flake8(tmp_path):
    for kind, depth in FLAKE8_DEPTH.items():
        (tmp_path / f"deep_{kind.replace('-', '_')}.py").write_text(DEEP[kind](depth))
    proc = flake8(["--select=MLP", "-j", "1", "."], tmp_path)
    assert "failed during execution" not in proc.stderr, proc.stderr
    got = out_codes(proc.stdout)
    want = {f"./deep_{k.replace('-', '_')}.py" for k in FLAKE8_DEPTH if "torch.load" in DEEP[k](2)}
    assert {p for p, _, _ in got} == want
    assert {c for _, _, c in got} == {"MLP003"}


MODERN = {
    "match": '''
import torch
match command:
    case {"action": "load", "path": str(path)}:
        m = torch.load(path)  # expect
    case [torch, *rest]:
        m = torch.load(rest)
    case Point(x=0, y=torch) if torch:
        pass
    case {**kw}:
        pass
    case str() | bytes() as raw:
        pass
    case _:
        m = None
''',
    "walrus": '''
import torch
if (state := torch.load("a.pt")) is not None:  # expect
    print(state)
values = [y for x in range(3) if (y := torch.load(x))]  # expect
''',
    "async": '''
import torch
import joblib


async def serve(request):
    async with lock as torch_:
        m = joblib.load(request.path)  # expect
    async for batch in stream():
        await batch
    return [torch.load(p) async for p in paths()]  # expect
''',
    "fstrings": '''
import torch
name = "x"
msg = f"{f'{name!r:>{10}}'} {torch.load(f'{name}.pt')}"  # expect
other = f"{'torch.load(x)'}"
''',
    "lambdas": '''
import torch
load = lambda p, *a, k=1, **kw: torch.load(p)  # expect
shadow = lambda torch: torch.load("x")
nested = lambda: (lambda: torch.load("y"))  # expect
''',
    "star-import": '''
from torch import *
from os.path import *
x = load("a.pt")
import torch
y = torch.load("b.pt")  # expect
''',
    "global-nonlocal": '''
import torch
counter = 0


def outer():
    global counter
    x = 1

    def inner():
        nonlocal x
        x += 1
        return torch.load("c")  # expect
    return inner
''',
    "decorators-and-defaults": '''
import functools
import torch


@functools.lru_cache(maxsize=None)
def cached(path, device="cpu", *, strict: bool = True, **extra) -> "torch.nn.Module":
    return torch.load(path, map_location=device)  # expect


class Model(torch.nn.Module, metaclass=type):
    loader = staticmethod(torch.load)
    weights = torch.load("w.pt")  # expect

    def load(self):
        return torch.load("v.pt", weights_only=True)
''',
    "try-star-with": '''
import torch
try:
    with open("a") as fh, open("b") as gh:
        m = torch.load(fh)  # expect
except* ValueError as eg:
    pass
finally:
    del m
''',
    "posonly-and-annotations": '''
import torch
x: int
y: "torch.Tensor" = torch.load("a")  # expect


def f(a, /, b, *, c):
    z: torch.Tensor
    return torch.load(a)  # expect
''',
    "misc-syntax": '''
import torch
assert torch.load("a"), "msg"  # expect
del torch.x
print(*torch.load("b"), **{"k": 1})  # expect
s = {torch.load("c") for _ in ()}  # expect
d = {k: v for k, v in torch.load("d").items()}  # expect
g = (torch.load(p) for p in ps)  # expect
e = torch.load("e")[0]["k"]  # expect
t = torch.load("f") if cond else None  # expect
b = ...
raise SystemExit(torch.load("g"))  # expect
''',
}


@pytest.mark.parametrize("name", sorted(MODERN))
def test_modern_syntax_never_crashes(name):
    source = MODERN[name]
    findings = lint(source)
    no_internal_errors(findings)
    want = {i for i, line in enumerate(source.splitlines(), 1) if line.endswith("# expect")}
    got = {line for line, _, text in findings if text.startswith("MLP003")}
    assert got == want, (name, sorted(got), sorted(want))


@pytest.mark.skipif(sys.version_info < (3, 12), reason="PEP 695 needs Python 3.12")
def test_pep695_generics():
    source = textwrap.dedent(
        '''\
        import torch

        type Loader[T] = Callable[[str], T]


        def restore[T: torch.nn.Module](path: str, cls: type[T]) -> T:
            return torch.load(path)  # expect


        class Box[T, *Ts, **P]:
            def get(self) -> T:
                return torch.load("x")  # expect
        '''
    )
    findings = lint(source)
    no_internal_errors(findings)
    want = {i for i, line in enumerate(source.splitlines(), 1) if line.endswith("# expect")}
    assert {line for line, _, text in findings if text.startswith("MLP003")} == want


# ------------------------------------------------------------- broken-rule containment


def _broken_rule(code: str, where: str):
    class Broken(Rule):
        name = "broken"
        message = "never"

        def visit_Call(self, node):
            if where == "visit":
                1 / 0

        def leave_Call(self, node):
            if where == "leave":
                1 / 0

        def finish(self):
            if where == "finish":
                1 / 0

    Broken.code = code
    return Broken


SOURCE_FOR_BROKEN = textwrap.dedent(
    '''\
    import joblib
    import torch

    a = torch.load("a.pt")
    b = joblib.load("b.joblib")
    c = torch.load("c.pt", weights_only=True)
    '''
)


@pytest.mark.parametrize("where, code", [("visit", "MLP991"), ("leave", "MLP992"), ("finish", "MLP993")])
def test_broken_rule_reports_once_and_others_continue(where, code):
    # distinct codes per variant: dispatch caches handler tables by the tuple of codes
    rules = list(all_rules()) + [_broken_rule(code, where)]
    tree = ast.parse(SOURCE_FOR_BROKEN)
    ctx = Context(tree, "t.py", SOURCE_FOR_BROKEN.splitlines(keepends=True))
    findings = run_rules(ctx, rules)
    internal = [f for f in findings if f[2].startswith("MLP000")]
    assert [f[2] for f in internal] == [f"MLP000 internal error in {code} (ZeroDivisionError); please report"]
    if where != "finish":
        assert internal[0][0] == 4  # the first call the rule choked on
    mlp003 = sorted((line, text.split()[0]) for line, _, text in findings if text.startswith("MLP003"))
    assert mlp003 == [(4, "MLP003"), (5, "MLP003")]
    # and what the healthy rules say equals a run without the broken one
    healthy = lint(SOURCE_FOR_BROKEN)
    assert sorted(set(f for f in findings if not f[2].startswith("MLP000"))) == healthy


def test_broken_rule_through_plugin(monkeypatch):
    broken = _broken_rule("MLP994", "visit")
    monkeypatch.setattr(Plugin, "_rules", list(all_rules()) + [broken])
    out = run_plugin(SOURCE_FOR_BROKEN)
    texts = [t for _, _, t, _ in out]
    assert texts.count("MLP000 internal error in MLP994 (ZeroDivisionError); please report") == 1
    assert sum(t.startswith("MLP003") for t in texts) == 2
    assert all(cls is Plugin for *_, cls in out)


def test_plugin_run_survives_engine_failure(monkeypatch):
    def explode(ctx, rules):
        raise RuntimeError("engine bug")

    monkeypatch.setattr(plugin_mod, "run_rules", explode)
    out = run_plugin(SOURCE_FOR_BROKEN)
    assert out == [(1, 0, "MLP000 internal error in engine (RuntimeError); please report", Plugin)]


def test_plugin_run_survives_context_failure(monkeypatch):
    def explode(*a, **k):
        raise ValueError("bad context")

    monkeypatch.setattr(plugin_mod, "Context", explode)
    out = run_plugin("x = 1\n")
    assert [t for _, _, t, _ in out] == ["MLP000 internal error in engine (ValueError); please report"]


def test_plugin_with_no_selected_rules_yields_nothing(monkeypatch):
    monkeypatch.setattr(Plugin, "_rules", [])
    assert run_plugin(SOURCE_FOR_BROKEN) == []


def test_plugin_without_lines_argument():
    tree = ast.parse(TORCH_LOAD)
    out = list(Plugin(tree).run())
    assert [(ln, t.split()[0]) for ln, _, t, _ in out] == [(2, "MLP003")]


# ---------------------------------------------------------------- never runs the code

EVIL = textwrap.dedent(
    '''\
    """Importing or executing this module writes a marker file and dies."""
    from pathlib import Path

    Path(__file__).with_name("EXECUTED").write_text("module body ran")
    raise SystemExit(99)

    import torch

    model = torch.load("model.pt")
    '''
)

TRAP = (
    "from pathlib import Path\n"
    'Path(__file__).with_name("IMPORTED_{name}").write_text("x")\n'
    "raise ImportError\n"
)


def test_linted_code_is_never_imported_or_executed(tmp_path):
    (tmp_path / "evil.py").write_text(EVIL)
    (tmp_path / "uses_evil.py").write_text('import evil\nimport joblib\nm = joblib.load("x")\n')
    # look-alike libraries next to the code: importing any of them leaves a marker
    libs = ["torch", "joblib", "yaml", "numpy", "pandas", "transformers", "tensorflow", "keras", "sklearn",
            "mlflow", "dill", "cloudpickle", "huggingface_hub", "datasets", "wandb", "safetensors"]
    for name in libs:
        (tmp_path / f"{name}.py").write_text(TRAP.format(name=name))
    proc = flake8(["--select=MLP", "evil.py", "uses_evil.py"], tmp_path)
    assert not (tmp_path / "EXECUTED").exists()
    assert not sorted(p.name for p in tmp_path.glob("IMPORTED_*"))
    assert sorted(out_codes(proc.stdout)) == [("evil.py", 9, "MLP003"), ("uses_evil.py", 3, "MLP003")]
    # in-process too: linting never imports the names it resolves
    before = set(sys.modules)
    findings = lint(EVIL)
    assert [(f[0], f[2].split()[0]) for f in findings] == [(9, "MLP003")]
    assert not {m for m in set(sys.modules) - before if m.split(".")[0] in libs}


# ------------------------------------------------- engine regressions (bugs found while testing)


def test_optional_import_fallback_keeps_the_module():
    source = textwrap.dedent(
        '''\
        try:
            import torch
        except ImportError:  # pragma: no cover
            torch = None


        def restore(path):
            return torch.load(path)
        '''
    )
    assert [(line, t.split()[0]) for line, _, t in lint(source, codes=["MLP003"])] == [(8, "MLP003")]


class _Spy(Rule):
    """Records (event, node line, ctx.stmt line) for a few handlers."""

    name = "spy"
    message = "spy"
    events: List[Tuple[str, int, object]] = []

    def _rec(self, event, node):
        stmt = self.ctx.stmt
        self.events.append((event, node.lineno, None if stmt is None else stmt.lineno))

    def visit_Call(self, node):
        self._rec("visit_Call", node)

    def leave_If(self, node):
        self._rec("leave_If", node)

    def leave_FunctionDef(self, node):
        self._rec("leave_FunctionDef", node)


def _spy_run(code: str, source: str):
    spy = type("Spy" + code, (_Spy,), {"code": code, "events": []})
    ctx = Context(ast.parse(source), "t.py", source.splitlines(keepends=True))
    assert run_rules(ctx, [spy]) == []
    return spy.events


def test_ctx_stmt_in_leave_handlers_is_the_left_statement():
    source = "def f(x):\n    if x:\n        y = 1\n        z = 2\n    return x\n"
    events = _spy_run("MLP971", source)
    assert ("leave_If", 2, 2) in events
    assert ("leave_FunctionDef", 1, 1) in events


def test_decorators_are_visited_before_the_body():
    source = '@register("a")\ndef f():\n    run("b")\n'
    events = _spy_run("MLP972", source)
    assert [line for ev, line, _ in events if ev == "visit_Call"] == [1, 3]


def test_defaults_resolve_in_the_enclosing_scope():
    source = textwrap.dedent(
        '''\
        import torch


        def build(torch=None, init=torch.load("init.pt")):
            return init
        '''
    )
    assert [(line, t.split()[0]) for line, _, t in lint(source, codes=["MLP003"])] == [(4, "MLP003")]


def test_a_failing_assignment_listener_does_not_stop_the_shared_type_feed():
    """Smell rules hear assignments through TypeFacts listeners (one shared handler per
    assignment); a listener that raises is dropped and reported once, and the type
    facts other rules rely on keep being fed."""
    from flake8_mlops.registry import Rule
    from flake8_mlops.types import TypeFeeder, types_of

    class BrokenListener(TypeFeeder, Rule):
        code = "MLP995"
        name = "broken-listener"
        message = "never"

        def __init__(self, ctx):
            super().__init__(ctx)
            types_of(ctx).listen(self.code, self._after_assign)

        def _after_assign(self, node):
            raise ZeroDivisionError

    source = textwrap.dedent(
        '''\
        import pandas as pd

        df = pd.read_csv("a.csv", dtype=str)
        df2 = df.copy()
        y = df2.values
        '''
    )
    broken_first = [BrokenListener] + list(all_rules())  # the broken rule owns the feed
    findings = run_rules(Context(ast.parse(source), "t.py", source.splitlines(True)), broken_first)
    internal = [f for f in findings if f[2].startswith("MLP000")]
    assert internal == [(3, 0, "MLP000 internal error in MLP995 (ZeroDivisionError); please report")]
    assert sorted(set(f for f in findings if not f[2].startswith("MLP000"))) == lint(source)
    # df2's kind was recorded after the failure: the feed kept running
    assert [f[0] for f in findings if f[2].startswith("MLP105")] == [5]
