"""The single walk visits what rules ask for: every node of a handled type, in source
order, however the walk prunes leaves no selected rule looks at."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path
from typing import List

import pytest

from flake8_mlops.context import Context
from flake8_mlops.dispatch import _SKIP, run_rules
from flake8_mlops.registry import Rule

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "fixtures" / "realistic").glob("*.py"))[:12] + sorted((ROOT / "examples").rglob("*.py"))


def _node_types() -> List[type]:
    out, todo = [], [ast.AST]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__ == "ast" and cls._fields is not None and not issubclass(cls, _SKIP):
            out.append(cls)
    return out


def _spy(code: str, types: List[type]) -> type:
    """A rule with a ``visit_<T>`` for each of ``types`` that logs what it sees."""
    seen: List[ast.AST] = []

    def make(t):
        def visit(self, node):
            assert type(node) is t
            seen.append(node)
        return visit

    attrs = {"code": code, "name": "spy", "message": "spy", "seen": seen}
    attrs.update({f"visit_{t.__name__}": make(t) for t in types})
    return type("Spy" + code, (Rule,), attrs)


def _walk_order(tree: ast.AST) -> List[ast.AST]:
    """Pre-order, fields in declaration order: what a reader sees top to bottom (scopes
    aside, which the engine splits into outer/inner parts)."""
    out: List[ast.AST] = []

    def rec(node):
        if isinstance(node, _SKIP):
            return
        out.append(node)
        for _, value in ast.iter_fields(node):
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        rec(item)
            elif isinstance(value, ast.AST):
                rec(value)

    rec(tree)
    return out


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_node_of_a_handled_type_is_visited(path):
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    spy = _spy("MLP981", _node_types())
    ctx = Context(tree, str(path), source.splitlines(keepends=True))
    run_rules(ctx, [spy])
    want = Counter(type(n) for n in ast.walk(tree) if not isinstance(n, _SKIP))
    assert Counter(type(n) for n in spy.seen) == want


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_leaf_only_rules_see_leaves_in_source_order(path):
    # only leaf types handled: the walk must still descend through every other node
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    spy = _spy("MLP982", [ast.Name, ast.Constant, ast.alias])
    ctx = Context(tree, str(path), source.splitlines(keepends=True))
    run_rules(ctx, [spy])
    leaves = [n for n in ast.walk(tree) if type(n) in (ast.Name, ast.Constant, ast.alias)]
    assert len(spy.seen) == len(leaves)
    # outside def/class/lambda bodies the order is the reading order
    top = [n for n in _walk_order(tree) if type(n) in (ast.Name, ast.Constant, ast.alias)]
    if not any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)) for n in ast.walk(tree)):
        assert spy.seen == top
    else:
        assert Counter(map(id, spy.seen)) == Counter(map(id, top))


def test_hand_made_tree_with_missing_fields_does_not_crash():
    # a tree built by a tool, not by ast.parse: optional fields left unset
    call = ast.Call(func=ast.Attribute(value=ast.Name(id="torch", ctx=ast.Load()), attr="load", ctx=ast.Load()),
                    args=[ast.Constant(value="m.pt")])
    tree = ast.Module(body=[ast.Import(names=[ast.alias(name="torch")]), ast.Expr(value=call)], type_ignores=[])
    ast.fix_missing_locations(tree)
    spy = _spy("MLP983", [ast.Call, ast.Constant])
    findings = run_rules(Context(tree, "t.py", []), [spy])
    assert findings == []
    assert [type(n) for n in spy.seen] == [ast.Call, ast.Constant]


# ------------------------------------------------------------------- lazy visits

_LAZY_SRC = '''
a = 1
b = a
for row in rows:
    c = row + a
d = c
'''


def _lazy_spy(code: str, lazy: bool) -> type:
    seen: List[str] = []

    def visit_For(self, node):
        self.ctx.visit_from_now_on(ast.Name)

    def visit_Name(self, node):
        seen.append(node.id)

    return type("LazySpy" + code, (Rule,), {
        "code": code, "name": "spy", "message": "spy", "seen": seen,
        "visit_For": visit_For, "visit_Name": visit_Name,
        "lazy_visits": frozenset({"Name"}) if lazy else frozenset(),
    })


def test_lazily_visited_names_are_walked_once_a_rule_asks():
    tree = ast.parse(_LAZY_SRC)
    spy = _lazy_spy("MLP986", lazy=True)
    run_rules(Context(tree, "t.py", _LAZY_SRC.splitlines(True)), [spy])
    # nothing before the loop; the loop's target and iterable, and everything after
    assert spy.seen == ["row", "rows", "c", "row", "a", "d", "c"]


def test_a_rule_that_visits_names_eagerly_keeps_them_all():
    tree = ast.parse(_LAZY_SRC)
    lazy, eager = _lazy_spy("MLP987", lazy=True), _lazy_spy("MLP988", lazy=False)
    run_rules(Context(tree, "t.py", _LAZY_SRC.splitlines(True)), [lazy, eager])
    every = ["a", "b", "a", "row", "rows", "c", "row", "a", "d", "c"]
    assert eager.seen == every and lazy.seen == every
