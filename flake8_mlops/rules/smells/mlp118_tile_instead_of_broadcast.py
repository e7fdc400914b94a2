"""MLP118 tile-instead-of-broadcast."""

from __future__ import annotations

import ast
from typing import Dict, List, Optional

from ...names import LOCAL
from ...registry import Rule, register
from ...types import AssignFeeder, short, types_of

#: functions that materialise a tiled copy of their first argument
_TILE_FUNCS = frozenset(
    {
        "numpy.tile", "torch.tile", "tensorflow.tile", "keras.ops.tile", "keras.backend.tile",
        "jax.numpy.tile", "cupy.tile",
    }
)
#: torch.Tensor methods with tile semantics (``ndarray.repeat`` is ``np.repeat``: not these)
_TILE_METHODS = frozenset({"repeat", "tile"})

_ELEMENTWISE_NAMES = (
    "add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "power",
    "maximum", "minimum", "fmax", "fmin", "equal", "not_equal", "less", "less_equal",
    "greater", "greater_equal", "logical_and", "logical_or", "logical_xor", "hypot",
    "arctan2", "where", "mod", "remainder",
)
_TORCH_ELEMENTWISE = (
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "pow",
    "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge", "where", "hypot", "atan2",
    "remainder", "fmod", "logical_and", "logical_or",
)
_TF_ELEMENTWISE = (
    "add", "subtract", "multiply", "divide", "truediv", "pow", "maximum", "minimum", "equal",
    "not_equal", "less", "less_equal", "greater", "greater_equal", "where",
)
#: elementwise functions that broadcast their operands
_ELEMENTWISE_FUNCS = frozenset(
    [f"numpy.{n}" for n in _ELEMENTWISE_NAMES]
    + [f"jax.numpy.{n}" for n in _ELEMENTWISE_NAMES]
    + [f"torch.{n}" for n in _TORCH_ELEMENTWISE]
    + [f"tensorflow.{n}" for n in _TF_ELEMENTWISE]
    + [f"tensorflow.math.{n}" for n in _TF_ELEMENTWISE]
    + [f"keras.ops.{n}" for n in _TF_ELEMENTWISE]
)
_ARITH = (
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.BitAnd,
    ast.BitOr, ast.BitXor,
)
_NOT_ELEMENTWISE_CMP = (ast.In, ast.NotIn, ast.Is, ast.IsNot)

#: torch functions that create a tensor
_TORCH_CREATORS = frozenset(
    {
        "tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "full", "rand", "randn",
        "randint", "arange", "linspace", "logspace", "eye", "stack", "cat", "concat",
        "zeros_like", "ones_like", "empty_like", "full_like", "rand_like", "randn_like",
        "Tensor", "FloatTensor", "LongTensor",
    }
)
#: tensor methods that return a tensor (followed back to the receiver)
_TENSOR_METHODS = frozenset(
    {
        "unsqueeze", "view", "reshape", "to", "cuda", "cpu", "float", "half", "double", "long",
        "int", "bool", "detach", "clone", "contiguous", "permute", "transpose", "squeeze",
        "flatten", "t", "type_as", "view_as", "reshape_as",
    }
)
#: torch functions that do not return a tensor
_TORCH_NOT_TENSOR = frozenset(
    {"load", "device", "no_grad", "enable_grad", "inference_mode", "manual_seed", "save",
     "compile", "jit", "is_tensor", "numel", "get_default_dtype", "set_grad_enabled", "dtype",
     "Generator", "Size", "finfo", "iinfo", "cuda", "backends", "hub"}
)
_TENSOR_ANNOTATIONS = frozenset({"torch.Tensor", "torch.FloatTensor", "torch.LongTensor"})
_MAX_DEPTH = 4


class _Candidate:
    __slots__ = ("call", "label", "scope", "count", "uses", "ok", "op")

    def __init__(self, call: ast.Call, label: str, scope: object, count: int) -> None:
        self.call = call
        self.label = label
        self.scope = scope
        self.count = count
        self.uses = 0
        self.ok = True
        self.op = ""


@register
class TileInsteadOfBroadcast(AssignFeeder, Rule):
    """## What it does
    Flags a tiling call -- `np.tile`, `torch.tile`, `tf.tile`, `keras.ops.tile`,
    `jnp.tile`, or `Tensor.repeat` / `Tensor.tile` on a known torch tensor -- whose
    result is used only as an operand of elementwise operations: `+ - * / // % **`,
    `& | ^`, comparisons, `+=`-style updates, and the elementwise functions
    (`np.add`, `np.multiply`, `np.maximum`, `np.where`, `torch.mul`, `torch.where`,
    `tf.add`, `tf.math.multiply`, ...). Either inline (`a * np.tile(b, (n, 1))`) or
    through a name bound once to the tile whose every use in the file is such an
    operand (`w = np.tile(b, (n, 1))` ... `x * w`).

    Two more conditions make the tile one that broadcasting replaces:
    - the repetition counts are a literal tuple/list (or several `.repeat` arguments)
      of two or more counts with at least one literal `1` -- the "stretch a row or a
      size-1 axis" shape (`(n, 1)`, `(1, m, 1)`, `.repeat(b, 1, 1)`); a 1-D repetition
      (`np.tile(a, 3)`) or a periodic tiling (`(2, 2)`) is not reported;
    - the other operand is shown to be an array of the target shape: its shape is read
      in the counts (`X - np.tile(mu, (X.shape[0], 1))`, `x + pos.repeat(x.size(0), 1,
      1)`, also through `n = len(X)`), or it is a known NumPy array or torch tensor, or
      another tile (`np.tile(a, ...) - np.tile(b, ...)`, the pairwise-difference idiom).

    A tensor is "known torch" when it comes from a torch constructor
    (`torch.randn`, `torch.tensor`, `torch.zeros`, ...), from a parameter annotated
    `torch.Tensor`, from a chain of tensor methods on one (`.to(device)`, `.float()`,
    `.view(...)`), or from `.unsqueeze(...)` (a torch-only method).

    Not reported: a tile that is returned, stored on an object or in a container,
    concatenated, passed to another function or model, indexed, or read for its shape;
    a tile whose other operand is a number (`np.tile(x, 3) + 1`: the tile makes the
    shape); `np.repeat` and `torch.repeat_interleave` (they repeat elements, a different
    operation); `ndarray.repeat`, pandas `Series.repeat`, `itertools.repeat`,
    `str * n`; `expand`, `np.broadcast_to` and `tf.broadcast_to` (already broadcasting).

    ## Why is this bad?
    Zhang et al. list this as the "Broadcasting Feature Not Used" smell: NumPy,
    PyTorch and TensorFlow broadcast operands of elementwise operations, so tiling one
    operand to the other's shape first materialises an n-times larger copy for nothing
    -- extra memory (often the largest tensor of the step) and extra time. Adding a
    size-1 axis (`b[None, :]`, `b.unsqueeze(0)`, `tf.expand_dims(b, 0)`) lets the
    operation broadcast without the copy; when a real array of that shape is needed,
    `np.broadcast_to` / `Tensor.expand` give a view.

    ## Example
    ```python
    import numpy as np

    X = np.random.rand(1000, 16)
    mean = X.mean(axis=0)
    centred = X - np.tile(mean, (X.shape[0], 1))
    ```

    ## Use instead
    ```python
    import numpy as np

    X = np.random.rand(1000, 16)
    mean = X.mean(axis=0)
    centred = X - mean[None, :]
    grid = np.tile(np.arange(4), (3, 1))
    ```

    ## Options
    None.

    ## Known limitations
    - The rule does not know shapes. A tile next to an operand of unknown type whose
      shape the counts do not read (`np.tile(k, (n, 1)) * gain`) is not reported, since
      the tile may be what makes the shape, nor is a tile whose counts are a variable
      (`np.tile(b, reps)`); conversely, a known array operand that is
      smaller than the tiled result (`np.tile(b, (n, 1)) * w` with `w` of shape `(d,)`)
      is reported although the tile makes the `(n, d)` shape -- use `np.broadcast_to`
      there, or `# noqa: MLP118`.
    - `x.repeat(...)` is checked only when the file shows that `x` is a torch tensor;
      tensors coming from a model, a data loader or an unannotated parameter are not
      followed. `einops.repeat` and `np.repeat(x[None], n, axis=0)` (tiling by another
      name) are not reported.
    - Method forms of elementwise operations (`a.mul(t)`, `a.add_(t)`) do not count as
      elementwise uses, so such code stays silent.
    - A name is followed only while it is bound once and every use in the file is an
      elementwise operand; uses in code walked before the binding (a function defined
      earlier that reads a global) are not seen.

    ## References
    - Zhang, Cruz, van Deursen, "Code Smells for Machine Learning Applications",
      CAIN 2022, smell 16 "Broadcasting Feature Not Used".
    - NumPy docs, [Broadcasting](https://numpy.org/doc/stable/user/basics.broadcasting.html)
      and [numpy.broadcast_to](https://numpy.org/doc/stable/reference/generated/numpy.broadcast_to.html);
      PyTorch docs, [Broadcasting semantics](https://pytorch.org/docs/stable/notes/broadcasting.html)
      and [Tensor.expand](https://pytorch.org/docs/stable/generated/torch.Tensor.expand.html).
    """

    code = "MLP118"
    added_in = "0.2.0"
    triggers = ("tile", "repeat")
    # visit_Name follows a candidate's uses: the walk visits names once one exists
    lazy_visits = frozenset({"Name"})
    name = "tile-instead-of-broadcast"
    message = (
        "{func} materialises a tiled copy only to feed an elementwise {op}; rely on "
        "broadcasting instead (add a size-1 axis: x[None, :], unsqueeze, expand_dims)"
    )
    confidence = "medium"

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self._tiles: Dict[int, str] = {}  # id(tile call) -> label
        self._cands: Dict[tuple, _Candidate] = {}  # (id(scope), name) -> candidate
        self._cand_names: set = set()  # the names in _cands (a cheap first test)
        self._torch_seen: Optional[bool] = None

    # ---------------------------------------------------------------- tiles
    def visit_Call(self, node: ast.Call) -> None:
        # _tile_label's cheap tests first, sparing its call on most calls
        if not node.args:
            return
        q = self.ctx.call_name(node)
        if q is not None:
            if q not in _TILE_FUNCS:
                return
        else:
            func = node.func
            if not (isinstance(func, ast.Attribute) and func.attr in _TILE_METHODS):
                return
        label = self._tile_label(node)
        if label is None:
            return
        if not self._tiles:
            # from now on, the shared type feeder calls _after_assign after each
            # assignment (before the first tile, _bind has nothing to do)
            types_of(self.ctx).listen(self.code, self._after_assign)
        self._tiles[id(node)] = label
        op = self._elementwise_use(node, self.ctx.parent, node)
        if op:
            self.report(node, func=label, op=op)

    def _tile_label(self, node: ast.Call) -> Optional[str]:
        if not node.args:
            return None
        q = self.ctx.call_name(node)
        if q is not None:
            return f"{short(node.func, 30)}()" if q in _TILE_FUNCS else None
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _TILE_METHODS:
            if self._torch_tensor(func.value, 0):
                return f"{short(node.func, 30)}()"
        return None

    # ------------------------------------------------------ once-bound names
    def _after_assign(self, node: ast.AST) -> None:
        if node.__class__ is ast.Assign:
            if len(node.targets) == 1:  # type: ignore[attr-defined]
                self._bind(node.targets[0], node.value)  # type: ignore[attr-defined]
        elif node.value is not None:  # type: ignore[attr-defined]
            self._bind(node.target, node.value)  # type: ignore[attr-defined]

    def _bind(self, target: ast.expr, value: ast.expr) -> None:
        if not isinstance(target, ast.Name) or id(value) not in self._tiles:
            return
        scope = self.ctx.scope
        if scope.kind == "class":
            return
        name = target.id
        # the resolver binds the target right after the leave handlers
        count = scope.assign_count.get(name, 0) + 1
        cand = _Candidate(value, self._tiles[id(value)], scope, count)  # type: ignore[arg-type]
        if not self._cands:
            self.ctx.visit_from_now_on(ast.Name)  # its uses are in the statements after
        self._cands[(id(scope), name)] = cand
        self._cand_names.add(name)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id not in self._cand_names or not isinstance(node.ctx, ast.Load):
            return
        scope = self.ctx.resolver.lookup_scope(node.id)
        if scope is None:
            return
        cand = self._cands.get((id(scope), node.id))
        if cand is None or not cand.ok:
            return
        if scope.assign_count.get(node.id, 0) != cand.count:
            return  # another binding of the name
        op = self._elementwise_use(node, self.ctx.parent, cand.call)
        if op:
            cand.uses += 1
            cand.op = cand.op or op
        else:
            cand.ok = False

    def finish(self) -> None:
        for (_, name), cand in self._cands.items():
            if not cand.ok or not cand.uses:
                continue
            if cand.scope.assign_count.get(name, 0) != cand.count:  # type: ignore[attr-defined]
                continue  # re-bound later (``w += 1``, a loop, another assignment)
            self.report(cand.call, func=cand.label, op=cand.op)

    # ----------------------------------------------------------- elementwise
    def _elementwise_use(self, node: ast.expr, parent: Optional[ast.AST], tile: ast.Call) -> str:
        """The elementwise operation ``node`` (the tile or a name bound to it) is a direct
        operand of, or "" -- also "" when nothing shows that another operand is an array
        of the tiled shape (then the tile may be what makes the shape)."""
        if isinstance(parent, ast.BinOp):
            if not isinstance(parent.op, _ARITH):
                return ""
            other = parent.right if parent.left is node else parent.left
            if not self._array_operand(other, tile):
                return ""
            return _OP_NAMES.get(type(parent.op), "operation")
        if isinstance(parent, ast.AugAssign):
            if parent.value is node and isinstance(parent.op, _ARITH):
                if self._array_operand(parent.target, tile):
                    return "in-place " + _OP_NAMES.get(type(parent.op), "operation")
            return ""
        if isinstance(parent, ast.Compare):
            if any(isinstance(op, _NOT_ELEMENTWISE_CMP) for op in parent.ops):
                return ""
            operands = [parent.left, *parent.comparators]
            others = [o for o in operands if o is not node]
            if len(others) != len(operands) - 1 or not others:
                return ""
            if not all(self._array_operand(o, tile) for o in others):
                return ""
            return "comparison"
        if isinstance(parent, ast.Call) and node in parent.args:
            q = self.ctx.call_name(parent)
            if q not in _ELEMENTWISE_FUNCS or any(isinstance(a, ast.Starred) for a in parent.args):
                return ""
            others = [a for a in parent.args if a is not node]
            if not any(self._array_operand(o, tile) for o in others):
                return ""
            return f"{short(parent.func, 30)}() call"
        return ""

    def _array_operand(self, other: ast.expr, tile: ast.Call) -> bool:
        """Does the code show that broadcasting replaces the tile next to ``other``?

        The repetition counts must keep an axis (a literal ``1`` among two or more
        counts: ``(n, 1)``, ``(1, m, 1)``, ``.repeat(b, 1, 1)``) -- the "stretch a row /
        a size-1 axis" shape that broadcasting does; and ``other`` must be an array of
        the target shape: named in a count's shape query (``X.shape[0]``, ``len(X)``,
        ``x.size(0)``, ``tf.shape(x)[0]``, also through ``n = len(X)``), a known NumPy
        array or torch tensor, or another tile (the pairwise-difference idiom)."""
        if self._is_number(other):
            return False
        reps = self._reps(tile)
        if reps is None or len(reps) < 2 or not any(self.ctx.literal(r) == 1 for r in reps):
            return False
        if isinstance(other, ast.Call) and self._tile_label(other) is not None:
            return True
        roots = _roots(other, 0)
        subjects: set = set()
        for rep in reps:
            subjects |= _shape_subjects(rep, 0, self.ctx)
        if roots & subjects:
            return True
        if self._known_array(other):
            return True
        return any(self._known_array(ast.Name(id=n, ctx=ast.Load())) for n in roots)

    def _reps(self, tile: ast.Call) -> Optional[List[ast.expr]]:
        """The repetition counts of a tile call as a list, or None when not literal."""
        if self.ctx.call_name(tile) in _TILE_FUNCS:
            spec = self.ctx.arg(tile, 1, None)
            if spec is None:
                for kw in tile.keywords:
                    if kw.arg in ("reps", "dims", "multiples"):
                        spec = kw.value
        else:
            args = tile.args
            if any(isinstance(a, ast.Starred) for a in args):
                return None
            spec = args[0] if len(args) == 1 else ast.Tuple(elts=list(args), ctx=ast.Load())
        if isinstance(spec, ast.Name):
            spec = self.ctx.resolver.constant(spec.id)
        if isinstance(spec, (ast.Tuple, ast.List)):
            if any(isinstance(e, ast.Starred) for e in spec.elts):
                return None
            return list(spec.elts)
        return None

    def _known_array(self, expr: ast.expr) -> bool:
        if types_of(self.ctx).kind_of(expr) == "ndarray":
            return True
        return self._torch_tensor(expr, 0)

    def _is_number(self, expr: ast.expr) -> bool:
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, (ast.USub, ast.UAdd)):
            expr = expr.operand
        if isinstance(expr, ast.Name):
            expr = self.ctx.resolver.constant(expr.id) or expr
        return isinstance(expr, ast.Constant) and isinstance(expr.value, (int, float, complex, bool))

    # ---------------------------------------------------------------- torch
    def _torch_tensor(self, expr: ast.expr, depth: int) -> bool:
        if depth > _MAX_DEPTH:
            return False
        ctx = self.ctx
        if isinstance(expr, ast.Call):
            q = ctx.qualname(expr.func)
            if q is not None:
                return _torch_function(q)
            func = expr.func
            if isinstance(func, ast.Attribute) and func.attr in _TENSOR_METHODS:
                if func.attr == "unsqueeze" and self._imports_torch():
                    return True
                return self._torch_tensor(func.value, depth + 1)
            return False
        if isinstance(expr, ast.Subscript):
            return self._torch_tensor(expr.value, depth + 1)
        if isinstance(expr, ast.Name):
            res = ctx.resolver
            scope = res.lookup_scope(expr.id)
            if scope is None or scope.bindings.get(expr.id) != LOCAL:
                return False
            bound = scope.constants.get(expr.id)
            if bound is not None:
                return self._torch_tensor(bound, depth + 1)
            if scope.kind == "function" and scope.assign_count.get(expr.id) == 1:
                args = getattr(scope.node, "args", None)
                if isinstance(args, ast.arguments):
                    for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
                        if arg.arg == expr.id and arg.annotation is not None:
                            return _annotation_name(ctx, arg.annotation) in _TENSOR_ANNOTATIONS
            return False
        return False

    def _imports_torch(self) -> bool:
        if self._torch_seen:
            return True
        seen = any(
            v == "torch" or v.startswith("torch.")
            for v in self.ctx.resolver.module.bindings.values()
        )
        if seen:
            self._torch_seen = True
        return seen


def _torch_function(q: str) -> bool:
    """``torch.randn``, ``torch.log``, ``torch.nn.functional.softmax``: a tensor result."""
    if q.startswith("torch.nn.functional."):
        return q.count(".") == 3
    if not q.startswith("torch.") or q.count(".") != 1:
        return False
    name = q[6:]
    return name in _TORCH_CREATORS or (name[:1].islower() and name not in _TORCH_NOT_TENSOR)


_OP_NAMES = {
    ast.Add: "addition", ast.Sub: "subtraction", ast.Mult: "multiplication",
    ast.Div: "division", ast.FloorDiv: "floor division", ast.Mod: "modulo",
    ast.Pow: "power", ast.BitAnd: "bitwise and", ast.BitOr: "bitwise or",
    ast.BitXor: "bitwise xor",
}


def _roots(expr: Optional[ast.AST], depth: int) -> set:
    """Names of the arrays an operand is made of: ``X`` -> {"X"}, ``X[:, None]``,
    ``x.reshape(-1, 1)``, ``x.float()`` -> {"x"}, ``(a - m)`` -> {"a", "m"}; never
    function arguments (``np.sqrt(1 / n)`` is not ``n``). Bounded to four levels."""
    if expr is None or depth > 4:
        return set()
    if isinstance(expr, ast.Name):
        return {expr.id}
    if isinstance(expr, (ast.Attribute, ast.Subscript)):
        return _roots(expr.value, depth + 1)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
        return _roots(expr.func.value, depth + 1)
    if isinstance(expr, ast.BinOp):
        return _roots(expr.left, depth + 1) | _roots(expr.right, depth + 1)
    if isinstance(expr, ast.UnaryOp):
        return _roots(expr.operand, depth + 1)
    return set()


_SHAPE_FUNCS = frozenset({"len"})
_SHAPE_QUALNAMES = frozenset({"tensorflow.shape", "numpy.shape", "keras.ops.shape", "jax.numpy.shape"})


def _shape_subjects(  # type: ignore[no-untyped-def]
    expr: Optional[ast.AST], depth: int, ctx, hop: bool = True
) -> set:
    """Names whose shape a repetition count reads: ``X.shape[0]``, ``len(X)``,
    ``x.size(0)``, ``tf.shape(x)[0]`` -> the array's root name; one hop through a
    once-bound name (``n = len(X)``). Bounded to four levels."""
    if expr is None or depth > 4:
        return set()
    if isinstance(expr, ast.Name):
        if not hop:
            return set()
        bound = ctx.resolver.constant(expr.id)
        return _shape_subjects(bound, depth + 1, ctx, False) if bound is not None else set()
    if isinstance(expr, ast.Attribute):
        if expr.attr == "shape":
            return _roots(expr.value, 0)
        return set()
    if isinstance(expr, ast.Subscript):
        return _shape_subjects(expr.value, depth + 1, ctx, hop)
    if isinstance(expr, ast.BinOp):
        return _shape_subjects(expr.left, depth + 1, ctx, hop) | _shape_subjects(
            expr.right, depth + 1, ctx, hop
        )
    if isinstance(expr, ast.Call):
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr in ("size", "dim"):
            return _roots(func.value, 0)
        if expr.args and (
            (isinstance(func, ast.Name) and func.id in _SHAPE_FUNCS)
            or ctx.qualname(func) in _SHAPE_QUALNAMES
        ):
            return _roots(expr.args[0], 0)
        if isinstance(func, ast.Name) and func.id == "int" and expr.args:
            return _shape_subjects(expr.args[0], depth + 1, ctx, hop)
    return set()


def _annotation_name(ctx, ann: ast.expr) -> Optional[str]:  # type: ignore[no-untyped-def]
    if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
        try:
            ann = ast.parse(ann.value.strip(), mode="eval").body
        except SyntaxError:
            return None
    if isinstance(ann, ast.Subscript):  # Optional[torch.Tensor]
        q = ctx.qualname(ann.value)
        if q in ("typing.Optional",):
            return _annotation_name(ctx, ann.slice)
        return None
    if isinstance(ann, ast.BinOp) and isinstance(ann.op, ast.BitOr):
        if isinstance(ann.right, ast.Constant) and ann.right.value is None:
            return _annotation_name(ctx, ann.left)
        return None
    return ctx.qualname(ann)
