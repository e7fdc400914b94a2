"""Shared helpers of MLP110 (hyperparameters-implicit) and MLP111 (scaler-missing).

:class:`Bindings` remembers, per scope, what a plain ``name = value`` assignment (or a
``self.attr = value`` in a method) bound, together with the resolver's binding count
right after that assignment, so any later rebinding by other means (``for``, ``with``,
``import``, a second assignment we did not record) makes the entry stale. It is a small
copy of the idea in :mod:`flake8_mlops.types`, kept private to these two rules.
"""

from __future__ import annotations

import ast
from typing import Any, Dict, Optional, Tuple

from ...names import Scope

_STALE = object()


def _class_scope(scope: Optional[Scope]) -> Optional[Scope]:
    """The class whose method we are in (``self.attr`` lives there)."""
    while scope is not None:
        if scope.kind == "class":
            return scope
        scope = scope.parent
    return None


def self_attr(expr: ast.AST) -> Optional[str]:
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "self":
        return expr.attr
    return None


class Bindings:
    """name -> value recorded at assignment, flow-ordered and scope-aware."""

    def __init__(self, ctx: Any, key: str) -> None:
        self.ctx = ctx
        self.key = key
        #: nothing recorded yet in this file: every lookup is None (the common case)
        self.empty = True

    def _table(self, scope: Scope) -> Dict[str, Tuple[Any, int]]:
        table = scope.data.get(self.key)
        if table is None:
            table = {}
            scope.data[self.key] = table
        self.empty = False  # the caller writes to the table
        return table  # type: ignore[return-value]

    def record(self, target: ast.AST, value: Any, rebinds: bool = True) -> None:
        """Remember ``value`` for a Name or ``self.attr`` target (call from ``leave_*``,
        before the resolver binds the target: ``rebinds`` adds that binding's count)."""
        ctx = self.ctx
        if isinstance(target, ast.Name):
            name = target.id
            scope = ctx.scope
            if not rebinds:
                found = ctx.resolver.lookup_scope(name)
                if found is None:
                    return
                scope = found
            count = scope.assign_count.get(name, 0) + (1 if rebinds else 0)
            self._table(scope)[name] = (value, count)
            return
        attr = self_attr(target)
        if attr is not None:
            cls = _class_scope(ctx.scope)
            if cls is None:
                return
            table = self._table(cls)
            key = "self." + attr
            old = table.get(key)
            if old is not None and old[0] is not value and rebinds:
                table[key] = (_STALE, -1)  # assigned in two places: unknown
            else:
                table[key] = (value, -1)

    def lookup(self, expr: ast.AST) -> Any:
        """The recorded value for a Name / ``self.attr``, else None."""
        if self.empty:
            return None
        ctx = self.ctx
        if isinstance(expr, ast.Name):
            name = expr.id
            scope = ctx.resolver.lookup_scope(name)
            if scope is None:
                return None
            table = scope.data.get(self.key)
            if not table:
                return None
            entry = table.get(name)  # type: ignore[union-attr]
            if entry is None or entry[1] != scope.assign_count.get(name, 0):
                return None
            return entry[0]
        attr = self_attr(expr)
        if attr is not None:
            cls = _class_scope(ctx.scope)
            if cls is None:
                return None
            table = cls.data.get(self.key)
            if not table:
                return None
            entry = table.get("self." + attr)  # type: ignore[union-attr]
            if entry is None or entry[0] is _STALE:
                return None
            return entry[0]
        return None


_Call = ast.Call
_Attribute = ast.Attribute
_RETURNS_SELF = frozenset({"fit", "set_output", "partial_fit"})


def unwrap_fit(expr: Optional[ast.AST]) -> Optional[ast.AST]:
    """``SVC(C=1).fit(X, y)`` -> the constructor call (``fit`` returns the estimator)."""
    # at most four levels; ``__class__ is`` tests: this runs for most assignments
    for _ in range(4):
        if expr.__class__ is not _Call:
            return expr
        func = expr.func  # type: ignore[union-attr]
        if func.__class__ is _Attribute and func.attr in _RETURNS_SELF:
            expr = func.value
        else:
            return expr
    return expr


def in_test_code(ctx: Any) -> bool:
    """Test modules and test functions (``_sklearn_flow``'s test) plus pytest modules."""
    from ..mlops._sklearn_flow import _in_test_code

    if _in_test_code(ctx):
        return True
    # a pytest module (fixtures need not be named test*); directories are not judged:
    # a project checked out under ``.../test/`` is not test code
    return ctx.resolver.module.bindings.get("pytest") == "pytest"
