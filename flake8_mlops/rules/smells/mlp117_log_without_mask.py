"""MLP117 log-without-mask."""

from __future__ import annotations

import ast
import re
from typing import Optional, Tuple

from ... import lazy_re
from ...registry import Rule, register

#: logarithms that return -inf / NaN silently on 0 / negative input
_LOGS = frozenset(
    {
        "numpy.log", "numpy.log2", "numpy.log10",
        "torch.log", "torch.log2", "torch.log10",
        "tensorflow.math.log", "tensorflow.log", "keras.ops.log", "keras.backend.log",
        "jax.numpy.log",
    }
)
#: calls whose result is a safe log input (clipped, shifted, strictly positive)
_GUARD_CALLS = frozenset(
    {
        "clip", "clamp", "clamp_min", "clip_by_value", "maximum", "fmax",
        "nan_to_num", "softplus", "exp", "len", "finfo", "iinfo", "masked_fill",
        "relu6",
    }
)
#: constructors that wrap a value without changing it (``torch.tensor(0.5)``)
_WRAPPERS = frozenset({"tensor", "array", "asarray", "constant", "float32", "float64", "as_tensor"})
_EPS_NAME = lazy_re.compile(
    r"(^|_)(eps|epsilon|tiny|smooth|smoothing|jitter|min_value|min_val|floor)(_|\d|$)", re.I
)
_COUNT_HEADS = frozenset(
    {"n", "k", "num", "total", "nb", "max", "vocab", "len", "length", "size", "dim", "base"}
)
_CAMEL = lazy_re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _is_count_name(name: str) -> bool:
    """``n_samples``, ``N``, ``num_classes``, ``vocabSize``, ``k`` -> True; ``nodes`` -> False."""
    head = _CAMEL.sub("_", name).lower().strip("_").split("_")[0].rstrip("0123456789")
    return head in _COUNT_HEADS


#: attributes that are positive sizes
_SIZE_ATTRS = frozenset({"shape", "size", "ndim", "n_samples", "n_features"})
_LOG_SPACE = {"softmax": "log_softmax", "sigmoid": "logsigmoid (torch.nn.functional) / log_sigmoid"}
#: scope.data: name -> (value, binding count right after the assignment, the statement,
#: the node whose statement list holds it) for plain ``name = value`` assignments
_REBOUND = "MLP117.rebound"
_BODY_FIELDS = ("body", "orelse", "finalbody", "handlers")
_Name = ast.Name


@register
class LogWithoutMask(Rule):
    """## What it does
    Flags `np.log`/`np.log2`/`np.log10`, `torch.log`/`log2`/`log10`, `tf.math.log`
    (TF1 `tf.log`), `keras.ops.log` and `jax.numpy.log` whose argument has no guard
    against zero or negative values anywhere in it:

    - a clip (`np.clip`, `torch.clamp`, `x.clamp(min=eps)`, `tf.clip_by_value`,
      `np.maximum(x, eps)`, `np.where`, `np.nan_to_num`, `masked_fill`) counts as a guard;
    - a name whose binding in effect is such a guard (`p = np.clip(p, eps, 1 - eps)`
      on an earlier line, also re-binding the same name) is guarded, and so are
      expressions of it (`np.log(1 - p)`);
    - so does adding something (`p + 1e-8`, `x + eps`, `1 + counts`,
      `np.finfo(float).eps`), and a strictly positive input (`np.exp`, `softplus`,
      `len(...)`, `.shape`/`.size`);
    - a numeric constant (`np.log(2 * np.pi)`), a name bound once to one, and scalar
      counts by naming convention (`n_samples`, `num_classes`, `vocab_size`, `k`) are
      not reported.

    `np.log1p`, `log_softmax`, `logsigmoid`, `math.log` (which raises instead of
    returning -inf) and `np.ma.log` (masked) are never reported.

    ## Why is this bad?
    `log(0)` is `-inf` and `log` of a negative number is `NaN`, without an exception:
    one zero probability turns the loss into `inf`/`NaN` and the gradients with it, and
    the training run is lost several steps later, far from the cause. Zhang et al. list
    this as the smell "Missing the Mask of Invalid Value": clip the input, add an
    epsilon, or use an API that works in log space.

    ## Example
    ```python
    import numpy as np
    import torch

    nll = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    log_probs = torch.log(torch.softmax(logits, dim=-1))
    ```

    ## Use instead
    ```python
    import numpy as np
    import torch

    eps = 1e-7
    p = np.clip(p, eps, 1 - eps)
    nll = -np.mean(y * np.log(np.clip(p, eps, 1 - eps)) + (1 - y) * np.log(1 - p + eps))
    log_probs = torch.log_softmax(logits, dim=-1)
    idf = np.log((1 + n_docs) / (1 + doc_freq)) + 1
    entropy_max = np.log(num_classes)
    ```

    ## Options
    None.

    ## Known limitations
    - The rule does not know values: `np.log(df["price"])` is reported even when prices
      are positive by construction; add `# noqa: MLP117` there (or `np.log(df["price"]
      .clip(lower=...))`).
    - A guard applied to the variable on an earlier line (`p = np.clip(p, eps, 1)` and
      later `np.log(p)`, `np.log(1 - p)`) is seen when that assignment is the binding in
      effect at the call: `p` bound once in the scope, or re-bound by a plain
      assignment in the same statement list as the call (or as a block enclosing it)
      with no other binding of `p` in between. A re-binding under an `if`/loop/`with`
      that the call is not inside, or any later binding by other means (`for p in`,
      `p += x`, a walrus), makes the call reported again. In a loop, a re-binding
      after the call (`p = p - lr * g` at the end of the body) is not seen.
    - Method forms (`tensor.log()`, `series.apply(np.log)`) are not checked.
    - Any addition counts as a guard, even of a value that may be negative.

    ## References
    - Zhang, Cruz, van Deursen, "Code Smells for Machine Learning Applications",
      CAIN 2022, smell 15 "Missing the Mask of Invalid Value".
    - PyTorch docs, [torch.log](https://pytorch.org/docs/stable/generated/torch.log.html),
      [torch.clamp](https://pytorch.org/docs/stable/generated/torch.clamp.html);
      TensorFlow docs, [tf.clip_by_value](https://www.tensorflow.org/api_docs/python/tf/clip_by_value).
    """

    code = "MLP117"
    added_in = "0.2.0"
    triggers = ("log",)
    name = "log-without-mask"
    message = "{func}() on {arg} has no guard against 0 or negative values (gives -inf/NaN silently); {fix}"
    confidence = "medium"

    # ---------------------------------------------------------- bindings
    # Runs on every assignment: only the entry is stored here; the end of its statement
    # list (``_body_end``) is worked out when a log call asks for the binding.
    def leave_Assign(self, node: ast.Assign) -> None:
        targets = node.targets
        if len(targets) != 1:
            return
        target = targets[0]
        if target.__class__ is not _Name:
            return
        # inline _record: a plain ``name = value`` (the resolver binds the name right
        # after this handler: its count will be +1)
        ctx = self.ctx
        scope = ctx.resolver.scope
        table = scope.data.get(_REBOUND)
        if table is None:
            table = scope.data[_REBOUND] = {}
        name = target.id
        table[name] = (node.value, scope.assign_count.get(name, 0) + 1, node, ctx.parent)

    def leave_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None and isinstance(node.target, ast.Name):
            self._record(node.target.id, node, node.value)

    def _record(self, name: str, stmt: ast.stmt, value: ast.expr) -> None:
        """Remember a plain ``name = value`` with the parent of the statement list it
        stands in (the resolver binds the name right after this handler: its count will
        be +1)."""
        ctx = self.ctx
        scope = ctx.scope
        table = scope.data.get(_REBOUND)
        if table is None:
            table = scope.data[_REBOUND] = {}
        table[name] = (value, scope.assign_count.get(name, 0) + 1, stmt, ctx.parent)  # type: ignore[index]

    @staticmethod
    def _body_end(stmt: ast.stmt, parent: Optional[ast.AST]) -> Optional[Tuple[int, int]]:
        """(line, col) where the statement list holding ``stmt`` ends."""
        if parent is None:
            return None
        # the statement lists of one node never overlap in the source, so the list that
        # holds ``stmt`` is the one whose span covers it: O(1), not a scan of the list
        # (a scan made long module bodies quadratic)
        here = (stmt.lineno, stmt.col_offset)
        for field in _BODY_FIELDS:
            body = getattr(parent, field, None)
            if not isinstance(body, list) or not body:
                continue
            first, last = body[0], body[-1]
            end = (last.end_lineno or last.lineno, last.end_col_offset or 0)
            if (first.lineno, first.col_offset) <= here <= end:
                return end
        return None

    def _binding_in_effect(self, name: str) -> Optional[ast.expr]:
        """The value of the plain assignment that binds ``name`` at this point, when it
        stands in the statement list of the current statement or of a block around it
        and no other binding of the name came after it."""
        ctx = self.ctx
        scope = ctx.resolver.lookup_scope(name)
        if scope is None:
            return None
        entry = scope.data.get(_REBOUND, {}).get(name)  # type: ignore[union-attr]
        if entry is None:
            return None
        value, count, stmt, parent = entry
        if count != scope.assign_count.get(name, 0):
            return None
        end = self._body_end(stmt, parent)
        if end is None:
            return None  # not in a statement list: never in effect
        here = ctx.stmt
        if here is None:
            return None
        start = (here.lineno, here.col_offset)
        if start < (stmt.end_lineno or stmt.lineno, stmt.end_col_offset or 0) or start > end:
            return None
        return value

    # ------------------------------------------------------------- calls
    def visit_Call(self, node: ast.Call) -> None:
        func = self.ctx.call_name(node)
        if func not in _LOGS:
            return
        if not node.args or isinstance(node.args[0], ast.Starred):
            return
        if any(k.arg in (None, "where") for k in node.keywords):
            return  # np.log(x, where=x > 0, out=...) is a mask; **kwargs may hold one
        arg = node.args[0]
        if self._safe(arg, 0):
            return
        fix = "clip it (np.clip / torch.clamp / tf.clip_by_value) or add an epsilon"
        inner = arg.func if isinstance(arg, ast.Call) else None
        inner_name = inner.attr if isinstance(inner, ast.Attribute) else getattr(inner, "id", None)
        if inner_name in _LOG_SPACE:
            fix = f"use {_LOG_SPACE[inner_name]} instead of log({inner_name}(...))"
        short = func.replace("numpy.", "np.").replace("tensorflow.", "tf.")
        self.report(node, func=short, arg=_short(arg), fix=fix)

    # ---------------------------------------------------------------- guards
    def _safe(self, expr: ast.expr, depth: int) -> bool:
        """True when the expression is constant, positive by construction, or guarded."""
        if depth > 8:
            return True  # deep arithmetic: benefit of the doubt
        ctx = self.ctx
        if isinstance(expr, ast.Constant):
            return True
        if isinstance(expr, ast.Name):
            if _EPS_NAME.search(expr.id) or _is_count_name(expr.id):
                return True
            if ctx.qualname(expr) is not None:
                return True  # math.pi style module constants
            if not ctx.resolver.is_local(expr.id) or depth >= 3:
                return False
            bound = ctx.resolver.constant(expr.id)
            if bound is None:
                bound = self._binding_in_effect(expr.id)
            if bound is not None and bound is not expr:
                return self._safe(bound, depth + 1)
            return False
        if isinstance(expr, ast.Attribute):
            if expr.attr in _SIZE_ATTRS or _EPS_NAME.search(expr.attr) or _is_count_name(expr.attr):
                return True
            return ctx.qualname(expr) is not None  # np.pi, np.e
        if isinstance(expr, ast.Subscript):
            return isinstance(expr.value, ast.Attribute) and expr.value.attr in _SIZE_ATTRS
        if isinstance(expr, ast.UnaryOp):
            return self._safe(expr.operand, depth + 1)
        if isinstance(expr, ast.BinOp):
            if isinstance(expr.op, ast.Add):
                return True  # p + eps, 1 + x: shifted away from zero
            return self._safe(expr.left, depth + 1) and self._safe(expr.right, depth + 1) or (
                self._guarded(expr.left, depth + 1) or self._guarded(expr.right, depth + 1)
            )
        if isinstance(expr, ast.Call):
            return self._guard_call(expr)
        return False

    def _guarded(self, expr: ast.expr, depth: int) -> bool:
        """A clip or an addition somewhere in the operands of an arithmetic expression."""
        if depth > 8:
            return True
        if isinstance(expr, ast.BinOp):
            if isinstance(expr.op, ast.Add):
                return True
            return self._guarded(expr.left, depth + 1) or self._guarded(expr.right, depth + 1)
        if isinstance(expr, ast.Call):
            return self._guard_call(expr)
        if isinstance(expr, ast.Name):
            return bool(_EPS_NAME.search(expr.id))
        return False

    def _guard_call(self, call: ast.Call) -> bool:
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name is None:
            return False
        if name in _GUARD_CALLS:
            return True
        if name == "where":
            # np.where(p > 0, p, eps): a branch that is a constant or an epsilon
            return any(
                isinstance(a, ast.Constant) or (isinstance(a, ast.Name) and _EPS_NAME.search(a.id))
                for a in call.args[1:]
            )
        if name in _WRAPPERS and len(call.args) >= 1:
            return self._safe(call.args[0], 7)
        if name in ("float", "int", "abs") and len(call.args) == 1:
            return self._safe(call.args[0], 7)
        return False


def _short(expr: ast.expr) -> str:
    try:
        text = ast.unparse(expr)
    except Exception:  # pragma: no cover
        return "its input"
    return f"'{text}'" if len(text) <= 40 else "its input"
