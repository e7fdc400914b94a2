"""MLP112 forward-called-directly."""

from __future__ import annotations

import ast
from typing import Dict, Optional

from ...apis.models import (
    MODULE_PASSTHROUGH_METHODS,
    PASSTHROUGH_FUNCTIONS,
    ModelInfo,
    model_base,
    model_constructor,
)
from ...names import LOCAL, Scope
from ...registry import Rule, register

_TORCH_LIBS = frozenset({"torch", "transformers", "sentence_transformers"})
_MODULE_KINDS = frozenset({"network", "pretrained"})
#: methods of an nn.Module that return the module itself
_RETURNS_SELF = MODULE_PASSTHROUGH_METHODS | {"train", "requires_grad_", "apply", "share_memory"}
_NAMES = "MLP112.names"  # scope.data: name -> bool (bound to an nn.Module)
_CLASSES = "MLP112.classes"  # scope.data: class name -> bool (derives from nn.Module)
_ATTRS = "MLP112.attrs"  # class scope.data: attribute of self -> bool


def _is_torch_module_info(info: Optional[ModelInfo], qualname: str) -> bool:
    if info is None or info.library not in _TORCH_LIBS or info.kind not in _MODULE_KINDS:
        return False
    # transformers' TF*/Flax* classes are Keras/Flax models, without a forward()
    return not any(p.startswith(("TF", "Flax")) for p in qualname.split("."))


@register
class ForwardCalledDirectly(Rule):
    """## What it does
    Flags `x.forward(...)` where `x` is known to be a PyTorch `nn.Module`:

    - bound (in the same or an enclosing scope) to a module constructor or loader —
      `torch.nn.*` layers and containers, `torchvision.models.*`, `timm.create_model`,
      transformers `AutoModel*`/`*For*`/`*Model` classes and their `from_pretrained`,
      `SentenceTransformer`, `torch.compile`, `nn.DataParallel`/`DistributedDataParallel`;
    - an instance of a class of the file that derives from `nn.Module`,
      `LightningModule`, `PreTrainedModel` (directly or through another such class);
    - the result of `.to(device)`, `.cuda()`, `.eval()`, `.train()`, `copy.deepcopy()`
      of such a module, or a parameter annotated `nn.Module`;
    - `self.<attr>.forward(...)` inside a class whose methods assign `self.<attr>` such a
      module (typically in `__init__`);
    - a plain function parameter (`def predict(model, batch): model.forward(batch)`)
      when all of these hold: it has no annotation, it is never re-bound in the function,
      it is not the first parameter of a method (`self`, whatever its name) nor `cls`/`ctx`,
      the file imports `torch` (or Lightning), no top-level class of the file defines a
      `forward` without deriving from an `nn.Module`-like base (a project `Pipeline` with
      its own `forward` would make such parameters ambiguous), the function is not a hook
      (its name contains `hook`) and is not inside a `torch.autograd.Function`.

    Not flagged: `super().forward(...)` (the normal way to extend a parent's forward),
    `self.forward(...)` inside the module's own methods (an internal call of a module on
    itself, common in `predict()`/`training_step()` helpers: calling `self(...)` there
    would run the hooks a second time when the caller already went through `__call__`),
    `layer.forward(x)` inside a custom `torch.autograd.Function`, calls inside hooks,
    receivers of unknown type, and references that are not calls
    (`inspect.signature(model.forward)`, `torch.jit.trace(model.forward, x)`).

    ## Why is this bad?
    `nn.Module.__call__` does more than run `forward`: it runs the registered forward
    pre-hooks and hooks and sets up backward hooks, which profilers, pruning, quantization
    observers, feature extractors, activation checkpointing and wrappers such as
    `DistributedDataParallel` or FSDP rely on. Calling `forward()` directly silently skips
    all of it. Zhang et al. list this as the smell "Pytorch Call Method Misused".

    ## Example
    ```python
    import torch
    from torchvision.models import resnet18

    model = resnet18(weights=None).to("cuda")
    with torch.no_grad():
        logits = model.forward(images)
    ```

    ## Use instead
    ```python
    import torch
    from torch import nn
    from torchvision.models import resnet18

    model = resnet18(weights=None).to("cuda")
    with torch.no_grad():
        logits = model(images)


    class Residual(nn.Linear):
        def forward(self, x):
            return x + super().forward(x)
    ```

    ## Options
    None.

    ## Known limitations
    - A module that reaches the call through a container (`self.layers[i].forward(x)`),
      a loop variable, `*args` or a return value of a project function is not recognised;
      nor is an unannotated parameter in a file without a torch import or with a
      non-Module class of its own that defines `forward`.
    - The parameter fallback trusts that, in a torch file, a parameter whose `forward`
      is called is a module: a parameter holding some other object with a `forward`
      method defined in another file would be reported (add `# noqa: MLP112`, or
      annotate the parameter with its type).
    - `self.forward(...)` inside the class itself is deliberately not reported.
    - Classes imported from other files of the project are unknown (single-file
      analysis), unless the receiver is an attribute assigned from a known constructor.

    ## References
    - Zhang, Cruz, van Deursen, "Code Smells for Machine Learning Applications",
      CAIN 2022, smell 19 "Pytorch Call Method Misused".
    - PyTorch docs, [torch.nn.Module](https://pytorch.org/docs/stable/generated/torch.nn.Module.html)
      (note under `forward`: call the module instance instead).
    """

    code = "MLP112"
    added_in = "0.2.0"
    triggers = ("forward",)
    name = "forward-called-directly"
    message = (
        "{recv}.forward(...) bypasses nn.Module.__call__, so forward/backward hooks are "
        "skipped; call {recv}(...) instead"
    )
    confidence = "high"

    # ------------------------------------------------------------ bookkeeping
    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        is_mod = any(self._is_module_class_ref(b) for b in node.bases)
        self._data(self.ctx.scope, _CLASSES)[node.name] = is_mod
        self._data(self.ctx.scope, _NAMES)[node.name] = False

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._data(self.ctx.scope, _NAMES)[node.name] = False
        self._data(self.ctx.scope, _CLASSES)[node.name] = False

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def leave_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._record(target, node.value)

    def leave_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._record(node.target, node.value)

    def visit_For(self, node: ast.For) -> None:
        self._forget(node.target)

    visit_AsyncFor = visit_For  # type: ignore[assignment]

    def visit_withitem(self, node: ast.withitem) -> None:
        if node.optional_vars is not None:
            self._forget(node.optional_vars)

    def _record(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self._data(self.ctx.scope, _NAMES)[target.id] = self._is_module(value)
        elif isinstance(target, ast.Attribute):
            cls_scope = self._self_class_scope(target.value)
            if cls_scope is None:
                return
            if isinstance(value, ast.Constant) and value.value is None:
                return  # ``self.head = None`` before the real assignment
            attrs = self._data(cls_scope, _ATTRS)
            attrs[target.attr] = attrs.get(target.attr, True) and self._is_module(value)
        else:
            self._forget(target)

    def _forget(self, target: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self._data(self.ctx.scope, _NAMES)[target.id] = False
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self._forget(elt)
        elif isinstance(target, ast.Starred):
            self._forget(target.value)

    @staticmethod
    def _data(scope: Scope, key: str) -> Dict[str, bool]:
        d = scope.data.get(key)
        if d is None:
            d = scope.data[key] = {}
        return d  # type: ignore[return-value]

    # ---------------------------------------------------------------- check
    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr != "forward":
            return
        recv = func.value
        if isinstance(recv, ast.Name) and self._self_class_scope(recv) is not None:
            return  # self.forward(...) inside the module's own methods
        if self._is_module(recv) or self._module_parameter(recv):
            self.report(node, recv=_short(recv))

    # ------------------------------------------------- parameter fallback
    def _module_parameter(self, expr: ast.expr) -> bool:
        """An unannotated, never re-bound parameter whose ``.forward(...)`` is called, in
        a torch module with no non-Module class of its own defining ``forward``; not in a
        hook, not inside a ``torch.autograd.Function``, not ``self``/``cls``."""
        if not isinstance(expr, ast.Name) or expr.id in ("self", "cls", "ctx"):
            return False
        name = expr.id
        res = self.ctx.resolver
        scope = res.lookup_scope(name)
        if scope is None or scope.kind != "function" or scope.bindings.get(name) != LOCAL:
            return False
        if scope.assign_count.get(name, 0) != 1:
            return False  # re-bound: the parameter is not what reaches the call
        fn = scope.node
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or "hook" in fn.name.lower():
            return False
        a = fn.args
        params = [*a.posonlyargs, *a.args, *a.kwonlyargs]
        for i, arg in enumerate(params):
            if arg.arg == name:
                if arg.annotation is not None:
                    return False  # the annotation decides (see _name_is_module)
                if i == 0 and scope.parent is not None and scope.parent.kind == "class":
                    return False  # the instance of a method, whatever it is called
                break
        else:
            return False  # *args / **kwargs
        if not self._torch_module_file():
            return False
        outer = scope.parent
        while outer is not None:
            if outer.kind == "class" and self._autograd_function(outer.node):
                return False
            outer = outer.parent
        return True

    def _torch_module_file(self) -> bool:
        """The file imports torch (or Lightning) and none of its classes that define
        ``forward`` is something other than a Module (computed once)."""
        verdict = self.ctx.__dict__.get("_mlp112_torch_file")
        if verdict is None:
            heads = {v.split(".", 1)[0] for v in self.ctx.resolver.module.bindings.values()}
            verdict = bool(heads & {"torch", "lightning", "pytorch_lightning"})
            if verdict:
                verdict = not self._foreign_forward_classes()
            self.ctx.__dict__["_mlp112_torch_file"] = verdict
        return bool(verdict)

    def _foreign_forward_classes(self) -> bool:
        """A top-level class of the file defines ``forward`` without deriving (directly
        or through another top-level class) from a torch module or autograd Function."""
        local: Dict[str, bool] = {}
        for stmt in getattr(self.ctx.tree, "body", ()):
            if not isinstance(stmt, ast.ClassDef):
                continue
            is_mod = False
            for base in stmt.bases:
                b = base.value if isinstance(base, ast.Subscript) else base
                if isinstance(b, ast.Name) and b.id in local:
                    is_mod = is_mod or local[b.id]
                    continue
                q = self.ctx.qualname(b)
                if q is not None and (_is_torch_module_info(model_base(q), q) or _autograd_name(q)):
                    is_mod = True
            local[stmt.name] = is_mod
            if not is_mod and any(
                isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and f.name == "forward"
                for f in stmt.body
            ):
                return True
        return False

    def _autograd_function(self, cls: Optional[ast.AST]) -> bool:
        if not isinstance(cls, ast.ClassDef):
            return False
        for base in cls.bases:
            q = self.ctx.qualname(base)
            if q is not None and _autograd_name(q):
                return True
        return False

    # ------------------------------------------------------------ inference
    def _is_module(self, expr: ast.expr, depth: int = 0) -> bool:
        if depth > 6:
            return False
        ctx = self.ctx
        if isinstance(expr, ast.Name):
            return self._name_is_module(expr.id)
        if isinstance(expr, ast.Attribute):
            cls_scope = self._self_class_scope(expr.value)
            if cls_scope is not None:
                return bool(cls_scope.data.get(_ATTRS, {}).get(expr.attr, False))  # type: ignore[union-attr]
            return False
        if isinstance(expr, ast.Call):
            func = expr.func
            q = ctx.qualname(func)
            if q is not None:
                if q in PASSTHROUGH_FUNCTIONS and expr.args:
                    return self._is_module(expr.args[0], depth + 1)
                return _is_torch_module_info(model_constructor(q), q)
            if isinstance(func, ast.Name):
                return self._name_is_module_class(func.id)
            if isinstance(func, ast.Attribute) and func.attr in _RETURNS_SELF:
                return self._is_module(func.value, depth + 1)
        return False

    def _name_is_module(self, name: str) -> bool:
        res = self.ctx.resolver
        scope = res.lookup_scope(name)
        if scope is None or scope.bindings.get(name) != LOCAL:
            return False
        known = scope.data.get(_NAMES, {}).get(name)  # type: ignore[union-attr]
        if known is not None:
            return bool(known)
        # a parameter annotated nn.Module
        fn = scope.node
        if scope.kind == "function" and isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            a = fn.args
            for arg in (*a.posonlyargs, *a.args, *a.kwonlyargs):
                if arg.arg == name and arg.annotation is not None:
                    q = self.ctx.qualname(arg.annotation)
                    return q is not None and _is_torch_module_info(model_base(q), q)
        return False

    def _name_is_module_class(self, name: str) -> bool:
        scope = self.ctx.resolver.lookup_scope(name)
        if scope is None or scope.bindings.get(name) != LOCAL:
            return False
        return bool(scope.data.get(_CLASSES, {}).get(name, False))  # type: ignore[union-attr]

    def _is_module_class_ref(self, base: ast.expr) -> bool:
        if isinstance(base, ast.Subscript):  # Generic-style bases
            base = base.value
        q = self.ctx.qualname(base)
        if q is not None:
            return _is_torch_module_info(model_base(q), q)
        if isinstance(base, ast.Name):
            return self._name_is_module_class(base.id)
        return False

    def _self_class_scope(self, expr: ast.expr) -> Optional[Scope]:
        """The class scope when ``expr`` is the ``self`` parameter of a method."""
        if not isinstance(expr, ast.Name):
            return None
        scope = self.ctx.scope
        # lambdas/comprehensions inside a method share its scope; nested defs do not
        fn = scope.node
        if scope.kind != "function" or not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        parent = scope.parent
        if parent is None or parent.kind != "class":
            return None
        args = [*fn.args.posonlyargs, *fn.args.args]
        if not args or args[0].arg != expr.id:
            return None
        for dec in fn.decorator_list:
            if isinstance(dec, ast.Name) and dec.id == "staticmethod":
                return None
        if self.ctx.resolver.lookup_scope(expr.id) is not scope:
            return None
        return parent


def _autograd_name(q: str) -> bool:
    return q in ("torch.autograd.Function", "torch.autograd.function.Function")


def _short(expr: ast.expr) -> str:
    try:
        text = ast.unparse(expr)
    except Exception:  # pragma: no cover
        return "module"
    return text if len(text) <= 40 else "module"
