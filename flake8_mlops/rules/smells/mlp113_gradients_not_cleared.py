"""MLP113 gradients-not-cleared."""

from __future__ import annotations

import ast
from typing import List, Optional, Set

from ... import lazy_re
from ...names import LOCAL
from ...registry import Rule, register

_OPT_NAME = lazy_re.compile(r"(^|_)(optim|optimizer|optimiser|optimizers|opt|opts)\d*(_|$)")
_OPT_PACKAGES = ("torch.optim.", "bitsandbytes.optim.", "torch_optimizer.", "apex.optimizers.")
_OPT_EXCLUDED = ("torch.optim.lr_scheduler.", "torch.optim.swa_utils.")
_OPT_FACTORIES = frozenset(
    {
        "transformers.AdamW", "transformers.Adafactor", "transformers.optimization.AdamW",
        "transformers.optimization.Adafactor", "timm.optim.create_optimizer_v2",
        "timm.optim.create_optimizer",
    }
)
_BACKWARD_ATTRS = frozenset({"backward", "manual_backward"})
_BACKWARD_FUNCS = frozenset({"torch.autograd.backward"})
_OPTS = "MLP113.optimizers"  # scope.data: name -> bool (bound to an optimizer)


class _Frame:
    __slots__ = ("loop", "backward", "step", "clear")

    def __init__(self, loop: ast.AST) -> None:
        self.loop = loop
        self.backward: Optional[ast.Call] = None
        self.step: Optional[str] = None
        self.clear = False


def _terminal(expr: ast.expr) -> Optional[str]:
    """``self.optimizer`` -> "optimizer"; ``optimizers[0]`` -> "optimizers"; ``opt`` -> "opt"."""
    while isinstance(expr, ast.Subscript):
        expr = expr.value
    if isinstance(expr, ast.Call):  # self.optimizers()
        expr = expr.func
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Name):
        return expr.id
    return None


@register
class GradientsNotCleared(Rule):
    """## What it does
    Flags a `for`/`while` loop that calls `loss.backward()` (also `scaler.scale(loss)
    .backward()`, `accelerator.backward(loss)`, `self.manual_backward(loss)`,
    `torch.autograd.backward`) and steps an optimizer (`optimizer.step()`,
    `scaler.step(optimizer)`), but never clears the gradients anywhere in the loop body,
    nested loops included. The finding is reported on the `for`/`while` line of the
    innermost loop that contains both the backward call and the step (the loop that
    lacks the clear), so the finding and its `# noqa: MLP113` go on the loop line (the
    first line of a multi-line `for` header). An outer loop (the epoch loop around a
    batch loop) is not reported again for the same backward call; when the step is
    only in the outer loop (one step per epoch), the outer loop is the one reported.

    Clearing is any call whose name contains `zero_grad` (`optimizer.zero_grad()`,
    `model.zero_grad()`, `opt.zero_grad(set_to_none=True)`, a helper
    `zero_grad(model)`), an assignment to a parameter's `.grad`
    (`for p in model.parameters(): p.grad = None`) or `p.grad.zero_()`. A clear under a
    condition counts (gradient accumulation: `if (i + 1) % accum == 0: step; zero_grad`),
    so accumulation is never reported as long as the clear is there; an AMP loop
    (`scaler.scale(loss).backward()` + `scaler.step(optimizer)`) with no clear is.

    An optimizer is a receiver bound in the file to a `torch.optim` class (or
    transformers/timm/bitsandbytes/apex optimizer factory), or one whose name says so
    (`optimizer`, `opt`, `optim`, `self.optimizer`, `opt_g`, `d_optimizer`,
    `self.optimizers()`); `scheduler.step()`, `env.step(action)` and DeepSpeed's
    `engine.step()` (which clears gradients itself) are not optimizer steps.

    ## Why is this bad?
    PyTorch accumulates gradients: every `backward()` adds into `.grad`. Without a
    `zero_grad()` per step each update uses the sum of all previous batches' gradients,
    so training diverges or quietly learns the wrong thing. Zhang et al. list this as
    the smell "Gradients Not Cleared before Backward Propagation".

    ## Example
    ```python
    import torch

    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
    ```

    ## Use instead
    ```python
    import torch

    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for step, (xb, yb) in enumerate(loader):
        loss = loss_fn(model(xb), yb) / accum_steps
        loss.backward()
        if (step + 1) % accum_steps == 0:
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
    ```

    ## Options
    None.

    ## Known limitations
    - A clear hidden in a project function whose name does not contain `zero_grad`
      (`reset_state(model)`) is not seen, and the loop is reported; add
      `# noqa: MLP113` on the loop line.
    - A `zero_grad()` only *outside* the loop (once per epoch around an inner batch loop)
      does not count for the inner loop: that is the bug this rule is for.
    - Optimizers held under names that do not look like optimizers and are not bound to
      a known optimizer class in the same file (`self.adam.step()`) are not recognised.
    - Backward and step in separate helper functions called from the loop are not
      followed (single pass, no inter-procedural analysis).

    ## References
    - Zhang, Cruz, van Deursen, "Code Smells for Machine Learning Applications",
      CAIN 2022, smell 20 "Gradients Not Cleared before Backward Propagation".
    - PyTorch docs,
      [torch.optim: taking an optimization step](https://pytorch.org/docs/stable/optim.html)
      and the
      [optimization loop tutorial](https://pytorch.org/tutorials/beginner/basics/optimization_tutorial.html).
    """

    code = "MLP113"
    added_in = "0.2.0"
    triggers = ("backward",)
    name = "gradients-not-cleared"
    message = (
        "this loop runs {backward} and {step} but never zero_grad(): gradients "
        "accumulate across iterations; call optimizer.zero_grad() every step "
        "(or every N steps when accumulating on purpose)"
    )
    confidence = "high"

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self._stack: List[Optional[_Frame]] = []
        self._reported: Set[int] = set()

    # ----------------------------------------------------------------- loops
    def visit_For(self, node: ast.AST) -> None:
        self._stack.append(_Frame(node))

    visit_AsyncFor = visit_For
    visit_While = visit_For

    def leave_For(self, node: ast.AST) -> None:
        frame = self._stack.pop() if self._stack else None
        if frame is None:
            return
        if frame.backward is not None and frame.step and not frame.clear:
            if id(frame.backward) not in self._reported:
                self._reported.add(id(frame.backward))
                self.report(
                    frame.loop,
                    backward=_describe(frame.backward),
                    step=frame.step,
                )
        parent = self._stack[-1] if self._stack else None
        if parent is not None:
            if parent.backward is None:
                parent.backward = frame.backward
            parent.step = parent.step or frame.step
            parent.clear = parent.clear or frame.clear

    leave_AsyncFor = leave_For
    leave_While = leave_For

    # -------------------------------------------- function and class barriers
    def visit_FunctionDef(self, node: ast.AST) -> None:
        self._stack.append(None)

    def leave_FunctionDef(self, node: ast.AST) -> None:
        if self._stack:
            self._stack.pop()

    visit_AsyncFunctionDef = visit_Lambda = visit_ClassDef = visit_FunctionDef
    leave_AsyncFunctionDef = leave_Lambda = leave_ClassDef = leave_FunctionDef

    # ----------------------------------------------------------------- facts
    def leave_Assign(self, node: ast.Assign) -> None:
        frame = self._frame()
        for target in node.targets:
            if frame is not None and isinstance(target, ast.Attribute) and target.attr == "grad":
                frame.clear = True
            if isinstance(target, ast.Name):
                opts = self.ctx.scope.data.setdefault(_OPTS, {})
                opts[target.id] = self._is_optimizer_ctor(node.value)  # type: ignore[index]

    def visit_Call(self, node: ast.Call) -> None:
        frame = self._frame()
        if frame is None:
            return
        func = node.func
        name = _terminal(func)
        if name is None:
            return
        if "zero_grad" in name or "clear_grad" in name:
            frame.clear = True
            return
        if isinstance(func, ast.Attribute):
            attr = func.attr
            if attr == "zero_" and _mentions_grad(func.value):
                frame.clear = True
            elif attr in _BACKWARD_ATTRS:
                if frame.backward is None:
                    frame.backward = node
            elif attr == "step":
                if self._is_optimizer(func.value):
                    frame.step = f"{_short(func.value)}.step()"
                elif node.args and self._is_optimizer(node.args[0]):
                    frame.step = f"{_short(func.value)}.step({_short(node.args[0])})"
            elif attr == "optimizer_step" and node.args:
                frame.step = f"{attr}()"
        elif self.ctx.call_name(node) in _BACKWARD_FUNCS and frame.backward is None:
            frame.backward = node

    # --------------------------------------------------------------- helpers
    def _frame(self) -> Optional[_Frame]:
        return self._stack[-1] if self._stack else None

    def _is_optimizer(self, expr: ast.expr) -> bool:
        if isinstance(expr, ast.Name):
            scope = self.ctx.resolver.lookup_scope(expr.id)
            if scope is not None and scope.bindings.get(expr.id) == LOCAL:
                if scope.data.get(_OPTS, {}).get(expr.id):  # type: ignore[union-attr]
                    return True
        name = _terminal(expr)
        if name is None or "sched" in name.lower():
            return False
        return bool(_OPT_NAME.search(name.lower()))

    def _is_optimizer_ctor(self, value: ast.expr) -> bool:
        if not isinstance(value, ast.Call):
            return False
        q = self.ctx.qualname(value.func)
        if q is None:
            return False
        if q in _OPT_FACTORIES:
            return True
        if q.startswith(_OPT_EXCLUDED) or not q.startswith(_OPT_PACKAGES):
            return False
        last = q.rsplit(".", 1)[-1]
        return last[:1].isupper()


def _mentions_grad(expr: ast.expr) -> bool:
    while isinstance(expr, ast.Attribute):
        if expr.attr == "grad":
            return True
        expr = expr.value
    return False


def _short(expr: ast.expr) -> str:
    try:
        text = ast.unparse(expr)
    except Exception:  # pragma: no cover
        return "optimizer"
    return text if len(text) <= 40 else "optimizer"


def _describe(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        recv = func.value
        if isinstance(recv, ast.Name):
            return f"{recv.id}.{func.attr}()"
        return f"{func.attr}()"
    return "backward()"
