"""MLP109 dot-for-matmul."""

from __future__ import annotations

import ast
from typing import Optional

from ...registry import Rule, register
from ...types import DATAFRAME, TypeFeeder, types_of

_DOT = frozenset({"numpy.dot"})
_FROM_DATA = frozenset(
    {"numpy.array", "numpy.asarray", "numpy.asanyarray", "numpy.ascontiguousarray", "numpy.asfortranarray"}
)
_FROM_SHAPE = frozenset({"numpy.zeros", "numpy.ones", "numpy.empty", "numpy.full"})
_LIKE = frozenset(
    {"numpy.zeros_like", "numpy.ones_like", "numpy.empty_like", "numpy.full_like", "numpy.copy"}
)
_ALWAYS_2D = frozenset(
    {"numpy.eye", "numpy.identity", "numpy.outer", "numpy.tri", "numpy.diagflat", "numpy.vander",
     "numpy.asmatrix", "numpy.matrix", "numpy.mat"}
)
#: one array in, an array of at least two dimensions out (2-D for the 1-D/2-D input these
#: calls are written for): ``np.atleast_2d(x)``, ``np.vstack([a, b])``,
#: ``np.column_stack((x1, x2))``; with several positional arrays ``atleast_2d`` returns a
#: list, so only the one-argument form counts
_AT_LEAST_2D = frozenset(
    {"numpy.atleast_2d", "numpy.vstack", "numpy.row_stack", "numpy.column_stack"}
)
_ALWAYS_1D = frozenset({"numpy.arange", "numpy.linspace", "numpy.logspace", "numpy.geomspace"})
#: numpy.random functions taking the dimensions as positional ints
_DIMS_ARGS = frozenset({"numpy.random.rand", "numpy.random.randn"})
_MAX_DEPTH = 4
_SHAPES = "MLP109.shapes"  # scope.data: name -> (ndim, binding count after the assignment)


@register
class DotForMatmul(TypeFeeder, Rule):
    """## What it does
    Flags `np.dot(a, b)` when the code shows that both operands are 2-D arrays: nested
    list literals (`[[1, 2], [3, 4]]`, also wrapped in `np.array`/`np.asarray`),
    arrays built with a two-element shape (`np.zeros((n, m))`, `np.ones`, `np.empty`,
    `np.full`, `np.random.rand(n, m)`, `np.random.normal(size=(n, m))`), `np.eye`,
    `np.identity`, `np.outer`, `np.diagflat`, `np.vander`, `np.asmatrix`/`np.matrix`,
    one-argument `np.atleast_2d(x)`, `np.vstack(...)`/`np.row_stack(...)` and
    `np.column_stack(...)` (2-D for the vectors and matrices they are used on), results of `.reshape(a, b)` / `np.reshape(x, (a, b))`,
    `.T` of any of these, the array of a pandas DataFrame (`df.to_numpy()`,
    `df.values`, `df[["a", "b"]].to_numpy()`, `np.asarray(df)`: a frame's array is
    always 2-D; the frame's type comes from the shared type inference), names bound once
    to such an expression, and names (parameters included) re-bound to one by a plain
    assignment directly in the function or module body when that assignment is the
    binding in effect at the call (`a = np.asarray(a).reshape(-1, 3)`).

    Operands that are 1-D (vectors: `np.dot(v, w)` is an inner product, and fine) or
    whose shape the code does not show (function parameters, loaded data, model outputs)
    are not reported.

    ## Why is this bad?
    For 2-D arrays `np.dot` is matrix multiplication, but its semantics change with the
    number of dimensions (a scalar product for 1-D, a sum-product over the last and
    second-to-last axes for N-D), so the intent is unclear and a later change of shape
    silently changes the result. `np.matmul` / the `@` operator say "matrix product",
    broadcast over stacks of matrices and reject scalars. Zhang et al. list this as the
    smell "Matrix Multiplication API Misused".

    ## Example
    ```python
    import numpy as np

    weights = np.random.randn(64, 10)
    batch = np.zeros((32, 64))
    logits = np.dot(batch, weights)
    ```

    ## Use instead
    ```python
    import numpy as np

    weights = np.random.randn(64, 10)
    batch = np.zeros((32, 64))
    logits = batch @ weights
    similarity = np.dot(np.ones(3), np.arange(3))
    ```

    ## Options
    None.

    ## Known limitations
    - Shapes come only from what the AST shows: `np.dot(X, W)` on a loaded matrix
      (`np.load`), a Series' or an untyped frame's values, or a function parameter that
      is not re-bound is not reported even when both are 2-D at run time — also when
      only a docstring or a comment states the shape ("X: (n, d), Y: (m, d)").
    - `np.atleast_2d`, `np.vstack` and `np.column_stack` are read as 2-D; given 3-D
      input they return 3-D, where `np.dot` is not a matrix product either (still a
      smell, but the message says "2-D").
    - A re-binding under an `if`, a loop or a `with` is not used (other paths may bind
      another shape); a later re-binding by any means makes the name unknown again.
    - Method calls (`a.dot(b)`) and `np.inner`/`np.vdot` are not checked.

    ## References
    - Zhang, Cruz, van Deursen, "Code Smells for Machine Learning Applications",
      CAIN 2022, smell 9 "Matrix Multiplication API Misused".
    - NumPy docs, [numpy.dot](https://numpy.org/doc/stable/reference/generated/numpy.dot.html)
      (for 2-D arrays it recommends `matmul` or `a @ b`) and
      [numpy.matmul](https://numpy.org/doc/stable/reference/generated/numpy.matmul.html).
    """

    code = "MLP109"
    added_in = "0.2.0"
    triggers = ("dot",)
    name = "dot-for-matmul"
    message = (
        "np.dot() on two 2-D arrays is a matrix product; "
        "use np.matmul(a, b) or a @ b, which states the intent"
    )
    confidence = "high"

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        # run by the shared type feeder after each assignment (no handler of our own)
        types_of(ctx).listen(self.code, self._after_assign)

    def _after_assign(self, node: ast.AST) -> None:
        if node.__class__ is not ast.Assign:
            return  # an annotated assignment
        if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
            return
        name = node.targets[0].id
        scope = self.ctx.scope
        table = scope.data.get(_SHAPES)
        ndim = self._ndim(node.value) if isinstance(node.value, (ast.Call, ast.Attribute)) else None
        if ndim != 2:
            if table is not None:
                table.pop(name, None)  # type: ignore[attr-defined]
            return
        owner = self.ctx.tree if scope.node is None else scope.node
        if not any(stmt is node for stmt in getattr(owner, "body", ())):
            return  # under an if/loop/with: other paths may bind another shape
        if table is None:
            table = scope.data[_SHAPES] = {}
        table[name] = (ndim, scope.assign_count.get(name, 0) + 1)  # type: ignore[index]

    def visit_Call(self, node: ast.Call) -> None:
        if self.ctx.call_name(node) not in _DOT:
            return
        a = self.ctx.arg(node, 0, "a")
        b = self.ctx.arg(node, 1, "b")
        if a is None or b is None:
            return
        if self._ndim(a) == 2 and self._ndim(b) == 2:
            self.report(node)

    # --------------------------------------------------------------- shapes
    def _ndim(self, expr: ast.expr, depth: int = 0) -> Optional[int]:
        if depth > _MAX_DEPTH:
            return None
        ctx = self.ctx
        if isinstance(expr, (ast.List, ast.Tuple)):
            return _literal_ndim(expr)
        if isinstance(expr, ast.Name):
            if not ctx.resolver.is_local(expr.id):
                return None
            bound = ctx.resolver.constant(expr.id)
            if bound is None or bound is expr:
                return self._rebound_ndim(expr.id)
            return self._ndim(bound, depth + 1)
        if isinstance(expr, ast.Attribute):
            if expr.attr == "T":
                inner = self._ndim(expr.value, depth + 1)
                return 2 if inner == 2 else None
            if expr.attr == "values" and self._is_frame(expr.value):
                return 2  # a DataFrame's array is 2-D
            return None
        if not isinstance(expr, ast.Call):
            return None
        func = expr.func
        q = ctx.qualname(func)
        if q is None:
            if isinstance(func, ast.Attribute) and func.attr == "reshape":
                return _shape_len(expr.args, expr.keywords)
            if isinstance(func, ast.Attribute) and func.attr == "to_numpy":
                return 2 if self._is_frame(func.value) else None
            return None
        if q in _FROM_DATA:
            if ctx.keyword(expr, "ndmin") is not None or not expr.args:
                return None
            if self._is_frame(expr.args[0]):
                return 2  # np.asarray(df)
            return self._ndim(expr.args[0], depth + 1)
        if q in _FROM_SHAPE:
            shape = ctx.arg(expr, 0, "shape")
            return _shape_ndim(shape)
        if q in _LIKE:
            if ctx.keyword(expr, "shape") is not None or not expr.args:
                return None
            return self._ndim(expr.args[0], depth + 1)
        if q in _ALWAYS_2D:
            return 2
        if q in _AT_LEAST_2D:
            if len(expr.args) != 1 or isinstance(expr.args[0], ast.Starred):
                return None
            if q == "numpy.atleast_2d" and expr.keywords:
                return None
            return 2
        if q in _ALWAYS_1D:
            return 1
        if q == "numpy.reshape":
            return _shape_ndim(ctx.arg(expr, 1, "newshape") or ctx.arg(expr, 1, "shape"))
        if q in _DIMS_ARGS:
            if expr.keywords or any(isinstance(a, ast.Starred) for a in expr.args):
                return None
            return len(expr.args) or None
        if q.startswith("numpy.random.") and q.count(".") == 2:
            size = ctx.kwarg(expr, "size")
            if size is None and q in ("numpy.random.random", "numpy.random.random_sample"):
                size = expr.args[0] if expr.args else None
            return _shape_ndim(size)
        return None

    def _is_frame(self, expr: ast.expr) -> bool:
        """A pandas DataFrame (not a Series, not "either") by the shared type facts."""
        return types_of(self.ctx).kind_of(expr) == DATAFRAME

    def _rebound_ndim(self, name: str) -> Optional[int]:
        """Shape of a name re-bound by a plain assignment directly in the function or
        module body (``a = np.asarray(a).reshape(-1, 3)``), when that assignment is
        the binding visible here."""
        scope = self.ctx.resolver.lookup_scope(name)
        if scope is None:
            return None
        entry = scope.data.get(_SHAPES, {}).get(name)  # type: ignore[union-attr]
        if entry is None or entry[1] != scope.assign_count.get(name, 0):
            return None
        return entry[0]


def _literal_ndim(expr: ast.expr) -> Optional[int]:
    if not isinstance(expr, (ast.List, ast.Tuple)) or not expr.elts:
        return None
    kinds = {isinstance(e, (ast.List, ast.Tuple)) for e in expr.elts}
    if kinds == {False}:
        return 1 if not any(isinstance(e, ast.Starred) for e in expr.elts) else None
    if kinds == {True}:
        inner = {_literal_ndim(e) for e in expr.elts}
        return 2 if inner == {1} else None
    return None


def _shape_ndim(shape: Optional[ast.expr]) -> Optional[int]:
    """Number of dimensions of a shape argument: ``(n, m)`` -> 2, ``n`` (an int) -> 1."""
    if shape is None:
        return None
    if isinstance(shape, (ast.Tuple, ast.List)):
        if any(isinstance(e, ast.Starred) for e in shape.elts):
            return None
        return len(shape.elts) or None
    if isinstance(shape, ast.Constant) and isinstance(shape.value, int):
        return 1
    return None


def _shape_len(args, keywords) -> Optional[int]:  # type: ignore[no-untyped-def]
    if keywords or any(isinstance(a, ast.Starred) for a in args):
        return None
    if len(args) == 1:
        return _shape_ndim(args[0])
    return len(args) or None
