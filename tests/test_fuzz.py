"""Property tests: random programs never break a rule; MLP003 obeys name resolution.

1. ``hypothesmith`` programs (from the grammar and from libcst nodes) run through every
   registered rule in-process: no exception, no ``MLP000``, well-formed findings on lines
   where some AST node starts.
2. A targeted generator writes ML-ish programs that load checkpoints with ``torch.load``
   / ``joblib.load`` through random import styles and aliases, keyword orders, multi-line
   calls, nesting (functions, async defs, decorators, classes, methods, if/with/try/for
   blocks, lambdas) and unrelated statements. It knows which calls must fire, so MLP003
   is checked exactly; and for every rule: renaming an alias changes nothing, appending
   an unrelated statement removes nothing, findings sit where a node starts.

Examples per test: 40 by default (see tests/conftest.py; ``MLP_FUZZ_EXAMPLES`` for more).
"""

from __future__ import annotations

import ast
import builtins
import keyword
import re
import warnings
from dataclasses import dataclass, field
from typing import List, Optional, Set, Tuple

import pytest

hypothesis = pytest.importorskip("hypothesis")
hypothesmith = pytest.importorskip("hypothesmith")

from hypothesis import assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from flake8_mlops.names import CONVENTIONAL_NAMES  # noqa: E402

from .harness import lint  # noqa: E402

# hypothesmith compiles what it generates; its SyntaxWarnings are not ours
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

FINDING_RE = re.compile(r"^MLP\d{3} \S")


def parses(source: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
    return True


def node_starts(source: str) -> Set[Tuple[int, int]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(source)
    return {
        (n.lineno, n.col_offset)
        for n in ast.walk(tree)
        if getattr(n, "lineno", None) is not None and getattr(n, "col_offset", None) is not None
    }


def check_well_formed(source: str, findings) -> None:
    internal = [f for f in findings if f[2].startswith("MLP000")]
    assert not internal, f"{internal}\n--- source ---\n{source}"
    starts = node_starts(source)
    start_lines = {line for line, _ in starts}
    n_lines = max(1, len(source.splitlines()))
    for line, col, text in findings:
        assert FINDING_RE.match(text) and "\n" not in text, text
        assert 1 <= line <= n_lines and col >= 0, (line, col, text)
        assert line in start_lines, f"{text!r} on line {line}, where no AST node starts\n{source}"


def lint_all(source: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lint(source)


# --------------------------------------------------------------------- hypothesmith


@given(hypothesmith.from_grammar())
def test_grammar_programs_never_break_a_rule(source):
    assume(parses(source))
    check_well_formed(source, lint_all(source))


@settings(max_examples=max(5, settings().max_examples // 5))
@given(hypothesmith.from_node())
def test_libcst_programs_never_break_a_rule(source):
    # from_node is ~10x slower per example than from_grammar, hence fewer examples
    assume(parses(source))
    check_well_formed(source, lint_all(source))


# ------------------------------------------------------------------ targeted programs

_RESERVED = (
    set(keyword.kwlist)
    | set(dir(builtins))
    | set(CONVENTIONAL_NAMES)
    | {"torch", "joblib", "load", "functools", "self", "i", "serialization"}
)
ALIAS = st.from_regex(r"[a-z][a-z]{0,7}", fullmatch=True).filter(lambda s: s not in _RESERVED)

A_TORCH, A_JOBLIB = "__ALIAS_TORCH__", "__ALIAS_JOBLIB__"

# (import line, callee) — the callee spelled through that import
TORCH_IMPORTS = [
    ("import torch", "torch.load"),
    (f"import torch as {A_TORCH}", f"{A_TORCH}.load"),
    ("from torch import load", "load"),
    (f"from torch import load as {A_TORCH}", A_TORCH),
    ("import torch.serialization", "torch.serialization.load"),
    (f"from torch import serialization as {A_TORCH}", f"{A_TORCH}.load"),
]
JOBLIB_IMPORTS = [
    ("import joblib", "joblib.load"),
    (f"import joblib as {A_JOBLIB}", f"{A_JOBLIB}.load"),
    ("from joblib import load", "load"),
    (f"from joblib import load as {A_JOBLIB}", A_JOBLIB),
]

PRELUDE = [
    "import functools",
    "",
    'PATH = "checkpoints/model.pt"',
    "FLAG = bool(len(PATH))",
    "OFF = False",
    "OPTS = {}",
    "ARGV = []",
]

# statement shapes around the call: (prefix, suffix)
SHAPES = [
    ("v{n} = ", ""),
    ("v{n}: object = ", ""),
    ("", ""),
    ("print(", ")"),
    ("v{n} = [", "]"),
    ('v{n} = {{"state": ', "}}"),
    ("v{n} = lambda: ", ""),
    ("v{n} = lambda p{n}=PATH: ", ""),
    ("v{n} = None if ARGV else ", ""),
]

UNRELATED = [
    'u{n} = len("abc") + {n}',
    'print("step", {n})',
    "pass",
    "u{n} = [i * 2 for i in range({n})]",
    "u{n}: int = {n}",
    "assert {n} >= 0",
    '"""A docstring-like string."""',
    "u{n} = {{'lr': 1e-3, 'epochs': {n}}}",
]

WRAPPERS = ["def", "async", "decorated", "class", "method", "if", "with", "try", "for", "while"]


@dataclass
class Program:
    lines: List[str] = field(default_factory=list)
    #: (line index into lines, column) of every call that must fire MLP003
    fires: List[Tuple[int, int]] = field(default_factory=list)

    def render(self, torch_alias: str, joblib_alias: str) -> str:
        text = "\n".join(self.lines) + "\n"
        return text.replace(A_TORCH, torch_alias).replace(A_JOBLIB, joblib_alias)

    def expected(self) -> Set[int]:
        return {i + 1 for i, _ in self.fires}


def _wrap(kind: str, n: int, body: List[Tuple[str, Optional[int]]]) -> List[Tuple[str, Optional[int]]]:
    """Indent ``body`` (lines with an optional fire column) under a block of ``kind``."""

    def ind(lines, k=1):
        return [("    " * k + t if t else t, None if c is None else c + 4 * k) for t, c in lines]

    if kind == "def":
        return [(f"def fn{n}(p{n}, *args, key{n}=None, **kwargs):", None)] + ind(body)
    if kind == "async":
        return [(f"async def afn{n}(p{n}):", None), ("    await p{}".format(n), None)] + ind(body)
    if kind == "decorated":
        return [("@functools.lru_cache(maxsize=None)", None), (f"def cached{n}():", None)] + ind(body)
    if kind == "class":
        return [(f"class C{n}:", None), (f'    """Holder {n}."""', None)] + ind(body)
    if kind == "method":
        head = [(f"class M{n}(object):", None), ("    @staticmethod", None), (f"    def m{n}(x{n}):", None)]
        return head + ind(body, 2)
    if kind == "if":
        return [(f"if len(ARGV) > {n}:", None)] + ind(body) + [("else:", None), (f"    e{n} = None", None)]
    if kind == "with":
        return [(f"with open(PATH, 'rb') as fh{n}:", None)] + ind(body)
    if kind == "try":
        handler = [("except (OSError, RuntimeError) as exc:", None), ("    raise", None)]
        return [("try:", None)] + ind(body) + handler
    if kind == "for":
        return [(f"for it{n} in range({n} + 1):", None)] + ind(body)
    if kind == "while":
        return [(f"while len(ARGV) < {n}:", None)] + ind(body) + [("    break", None)]
    raise AssertionError(kind)


@st.composite
def torch_call(draw, callee: str):
    """(argument text list, fires?) for a torch.load call."""
    args = [draw(st.sampled_from(['"ckpt.pt"', "PATH", "open(PATH, 'rb')"]))]
    weights = draw(st.sampled_from([None, "True", "False", "FLAG", "OFF"]))
    kws = []
    if draw(st.booleans()):
        kws.append(draw(st.sampled_from(['map_location="cpu"', "map_location=lambda s, loc: s"])))
    if draw(st.booleans()):
        kws.append("mmap=True")
    if weights is not None:
        kws.append(f"weights_only={weights}")
    kws = list(draw(st.permutations(kws)))
    star = draw(st.booleans()) and draw(st.booleans())
    if star:
        kws.append("**OPTS")
    if weights is None:
        fires = not star
    else:
        fires = weights in ("False", "OFF")
    return args + kws, fires


@st.composite
def joblib_call(draw, callee: str):
    args = [draw(st.sampled_from(['"model.joblib"', "PATH", 'f"{PATH}.joblib"']))]
    if draw(st.booleans()):
        args.append(draw(st.sampled_from(['mmap_mode="r"', "mmap_mode=None"])))
    return args, True


@st.composite
def item(draw, n: int, torch_callee: str, joblib_callee: str):
    """One top-level item: a loader call or an unrelated statement, possibly nested."""
    kind = draw(st.sampled_from(["torch", "joblib", "other"]))
    if kind == "other":
        body: List[Tuple[str, Optional[int]]] = [(draw(st.sampled_from(UNRELATED)).format(n=n), None)]
    else:
        callee = torch_callee if kind == "torch" else joblib_callee
        args, fires = draw(torch_call(callee) if kind == "torch" else joblib_call(callee))
        prefix, suffix = draw(st.sampled_from(SHAPES))
        prefix, suffix = prefix.format(n=n), suffix.format(n=n)
        col = len(prefix) if fires else None
        if draw(st.booleans()):
            body = [(f"{prefix}{callee}({', '.join(args)}){suffix}", col)]
        else:  # one argument per line, trailing comma
            body = [(f"{prefix}{callee}(", col)] + [(f"    {a}," if a else a, None) for a in args]
            body.append((f"){suffix}", None))
        if draw(st.booleans()):
            body.insert(0, (draw(st.sampled_from(UNRELATED)).format(n=n + 100), None))
        if draw(st.booleans()):
            body.append((draw(st.sampled_from(UNRELATED)).format(n=n + 200), None))
    for depth, wrapper in enumerate(draw(st.lists(st.sampled_from(WRAPPERS), max_size=3))):
        body = _wrap(wrapper, n * 10 + depth, body)
    return body


@st.composite
def programs(draw):
    t_imp, t_callee = draw(st.sampled_from(TORCH_IMPORTS))
    j_choices = [c for c in JOBLIB_IMPORTS if not (t_callee == "load" and c[1] == "load")]
    j_imp, j_callee = draw(st.sampled_from(j_choices))
    imports = [t_imp, j_imp]
    if draw(st.booleans()):
        imports.reverse()
    prog = Program(lines=imports + PRELUDE)
    for n in range(draw(st.integers(1, 6))):
        prog.lines.append("")
        for text, col in draw(item(n, t_callee, j_callee)):
            if col is not None:
                prog.fires.append((len(prog.lines), col))
            prog.lines.append(text)
    return prog


def mlp003(findings) -> Set[Tuple[int, int]]:
    return {(line, col) for line, col, text in findings if text.startswith("MLP003")}


def everything(findings) -> Set[Tuple[int, str]]:
    return {(line, text.split()[0]) for line, _, text in findings}


@given(programs(), st.lists(ALIAS, min_size=4, max_size=4, unique=True))
def test_targeted_loads_exact_and_alias_invariant(prog, aliases):
    source = prog.render(aliases[0], aliases[1])
    assert parses(source), source
    found = lint_all(source)
    check_well_formed(source, found)
    want = {(i + 1, col) for i, col in prog.fires}
    assert mlp003(found) == want, f"\n{source}"

    renamed = prog.render(aliases[2], aliases[3])
    assert everything(lint_all(renamed)) == everything(found), f"\n{source}\n--- renamed ---\n{renamed}"


@given(programs(), ALIAS, st.sampled_from(UNRELATED))
def test_appending_unrelated_code_removes_nothing(prog, alias, tail):
    source = prog.render(alias, alias + "x")
    before = everything(lint_all(source))
    after = everything(lint_all(source + "\n" + tail.format(n=999) + "\n"))
    assert before <= after, f"lost {sorted(before - after)}\n{source}"


@given(programs(), ALIAS)
def test_shadowing_the_loader_silences_it(prog, alias):
    """The same program with every loader name rebound to a local function fires nothing."""
    source = prog.render(alias, alias + "x")
    tree = ast.parse(source)
    bound = set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
    shadows = [f"def {name}(*a, **k):\n    return None\n" for name in sorted(bound) if name != "functools"]
    lines = source.splitlines()
    last_import = max(i for i, ln in enumerate(lines) if ln.startswith(("import ", "from ")))
    shadowed = "\n".join(lines[: last_import + 1] + shadows + lines[last_import + 1:]) + "\n"
    # rebinding the module name to a function makes ``torch.load`` an attribute of a
    # local object and ``load`` a local function: nothing can be resolved to a loader
    assert not mlp003(lint_all(shadowed)), shadowed
