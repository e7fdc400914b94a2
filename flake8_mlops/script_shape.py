"""Is this module a script? Shared by the rules that judge whole training scripts
(MLP007's unseeded deep-learning training, MLP115's missing determinism).

A module *looks like a script* when it has an ``if __name__ == "__main__":`` block, is a
notebook (nbqa or ``# %%`` cells), trains at module level, or calls one of its own
top-level functions at module level (``main()``). The facts are collected once per file
by a shared collector (:class:`ScriptShapeFeeder`), whatever number of rules use them.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, List, Set

from .registry import shared

if TYPE_CHECKING:  # pragma: no cover
    from .context import Context


def is_main_guard(test: ast.AST) -> bool:
    """``__name__ == "__main__"`` (either side)."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    consts = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return bool(names and consts)


class ScriptShape:
    """Module-level facts: a main guard, the top-level defs, the top-level bare calls."""

    def __init__(self) -> None:
        self.main_guard = False
        self.local_defs: Set[str] = set()
        self.top_calls: List[str] = []


def script_shape(ctx: "Context") -> ScriptShape:
    shape = ctx.__dict__.get("_mlp_script_shape")
    if shape is None:
        shape = ctx.__dict__["_mlp_script_shape"] = ScriptShape()
    return shape  # type: ignore[no-any-return]


class ScriptShapeFeeder:
    """Mixin: feeds :class:`ScriptShape` (shared collectors) and answers
    :meth:`looks_like_script`."""

    ctx: "Context"

    @shared("script-shape")
    def visit_If(self, node: ast.If) -> None:
        if self.ctx.scope.kind == "module" and is_main_guard(node.test):
            script_shape(self.ctx).main_guard = True

    @shared("script-shape")
    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if self.ctx.scope.kind == "module":
            script_shape(self.ctx).local_defs.add(node.name)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    @shared("script-shape")
    def visit_Expr(self, node: ast.Expr) -> None:
        # ``main()`` called at module level (no __main__ guard)
        if self.ctx.scope.kind == "module" and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Name):
                script_shape(self.ctx).top_calls.append(func.id)

    def looks_like_script(self, trains_at_module_level: bool) -> bool:
        shape = script_shape(self.ctx)
        return (
            shape.main_guard
            or self.ctx.notebook in ("nbqa", "percent")
            or trains_at_module_level
            or any(name in shape.local_defs for name in shape.top_calls)
        )
