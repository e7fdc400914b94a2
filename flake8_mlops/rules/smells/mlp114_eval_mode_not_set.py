"""MLP114 eval-mode-not-set."""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Set, Tuple

from ...apis.models import is_model_name
from ...apis.torch_modes import (
    EVAL_HOOK_PREFIXES,
    EVAL_HOOKS,
    EVAL_READY,
    EVAL_READY_HEADS,
    MANAGED_BASES,
    NO_GRAD,
    NOT_TORCH_MODEL_WORDS,
    SET_GRAD_ENABLED,
    TORCH_MODEL_WORDS,
)
from ...names import LOCAL
from ...registry import Rule, register
from ...types import MODULE, TypeFeeder

_TUPLES = "MLP114.tuples"  # scope.data: name -> (origin, binding count) from tuple unpacking
#: methods that return the module they are called on
_CHAIN = frozenset(
    {"to", "cuda", "cpu", "half", "float", "double", "bfloat16", "requires_grad_", "share_memory",
     "eval", "train", "to_empty"}
)
#: attribute calls of a model that run one of its submodules (or part of its forward):
#: ``model.features(x)`` (torchvision VGG/DenseNet/MobileNet), ``model.backbone(x)``,
#: ``model.encoder(x)``, ``model.module(x)`` (DDP), timm's ``forward_features``. An
#: allow-list: ``nn.Module`` methods (``eval``, ``to``, ``parameters``, ``apply``,
#: ``state_dict``, ``register_*``, ``zero_grad``...) and project methods (``predict``,
#: ``encode``, ``generate``, ``init_weights``) are never model calls here
_SUBMODULES = frozenset(
    {"features", "forward_features", "forward_head", "encoder", "decoder", "backbone", "head",
     "heads", "classifier", "fc", "neck", "stem", "embed", "embedding", "embeddings", "embedder",
     "projector", "projection", "proj", "pooler", "lm_head", "model", "module", "base_model",
     "transformer", "text_encoder", "image_encoder", "vision_model", "text_model", "visual",
     "feature_extractor", "net", "network", "mlp", "body"}
)
# origins of a model binding
_NAMED = frozenset({ast.Name, ast.Attribute})  # argument classes _text may spell
_NameNode = ast.Name
_AttributeNode = ast.Attribute
_StarredNode = ast.Starred
_TRAIN_MODE = "train"  # a network built here / loaded by torch.load: training mode
_EVAL = "eval"  # bound through .eval() / .train(False)
_PRETRAINED = "pretrained"  # HF from_pretrained & co: eval mode unless .train() is called
_NOT_TORCH = "not-torch"  # TorchScript, ONNX, Keras, sklearn...: not ours to judge
_LOADER = "loader"  # a project loader (load_model(p)): may set eval mode itself
_ALIAS = "alias"  # ``model = self.model``: the attribute's own switches count


class _Class:
    __slots__ = ("managed", "evals", "attrs")

    def __init__(self, managed: bool) -> None:
        self.managed = managed
        self.evals: Set[str] = set()
        #: self.<attr> -> origins of the values assigned to it in any method
        self.attrs: Dict[str, List[Tuple[str, Optional[str]]]] = {}


class _Frame:
    __slots__ = (
        "node", "cls", "managed", "has_eval", "nograd", "decorated", "self_name", "params", "kind", "evals",
    )

    def __init__(self, node: Optional[ast.AST], kind: str, cls: Optional[_Class], managed: bool) -> None:
        self.node = node
        self.kind = kind  # "module" | "class" | "function"
        self.cls = cls
        self.managed = managed
        self.has_eval = False
        #: spellings switched to eval mode so far in this frame
        self.evals: Set[str] = set()
        self.nograd: List[ast.AST] = []
        self.decorated: Optional[ast.AST] = None
        self.self_name: Optional[str] = None
        self.params: Set[str] = set()


class _Candidate:
    __slots__ = ("report", "text", "frame", "category", "origins", "label", "eval_before", "call")

    def __init__(self, report: ast.AST, text: str, frame: _Frame, category: str, label: str) -> None:
        self.report = report
        self.text = text
        #: what is called, for the message: ``model`` or ``model.features``
        self.call = text
        self.frame = frame
        self.category = category  # "param" | "local" | "name" | "self"
        self.origins: List[Tuple[str, Optional[str]]] = []
        self.label = label
        #: module-level code: was this spelling switched to eval mode earlier in the file?
        self.eval_before = False


def _torch_model_name(name: str) -> bool:
    low = name.lower()
    last = low.rstrip("0123456789").rsplit("_", 1)[-1]
    if last in NOT_TORCH_MODEL_WORDS:
        return False
    if is_model_name(name):
        return True
    if last in TORCH_MODEL_WORDS:
        head = low.split("_", 1)[0]
        return head not in ("build", "make", "create", "get", "load", "init", "train", "num", "n", "is")
    return False


@register
class EvalModeNotSet(TypeFeeder, Rule):
    """## What it does
    Flags inference under `torch.no_grad()` / `torch.inference_mode()` (a `with` block,
    several items such as `with torch.no_grad(), autocast():` included, or the
    `@torch.no_grad()` / `@torch.inference_mode()` decorator; also
    `torch.set_grad_enabled(False)` with a literal `False`) that **calls a model** while
    nothing in the function switches a model to evaluation mode: no `.eval()` call and
    no `.train(False)` / `.train(mode=flag)` call anywhere in the function. Reported on the
    `with` line (on the `def` line for the decorator); the message names the model.

    A *model call* is `m(...)`, `m.forward(...)`, or a call of a submodule of `m` by a
    usual submodule name — `m.features(x)`, `m.backbone(x)`, `m.encoder(x)`,
    `m.decoder(x)`, `m.head(x)`, `m.classifier(x)`, `m.fc(x)`, `m.embeddings(x)`,
    `m.module(x)` (DDP), `m.forward_features(x)` (timm) — where `m` is
    - a name or `self.<attr>` that the shared type inference knows is an `nn.Module`
      (built from `torch.nn`/`torchvision`/`timm`, a local `nn.Module` subclass, an
      annotated parameter, `self.net = Net()` in `__init__`), or
    - a name spelled like a network (`model`, `net`, `policy_net`, `best_model`,
      `encoder`, `backbone`, `teacher`, `self.model`...), which covers the usual
      `def evaluate(model, loader)` parameter and a model bound at module level.

    It is **not** reported (benefit of the doubt) when
    - the model is a module-level name or `self.<attr>` and the same spelling
      (`model`, `self.model`) gets `.eval()` / `.train(False)` anywhere in the file —
      at module level, in another function, in `__init__` — or the class calls
      `self.eval()`; a model bound as `model = Net().to(dev).eval()`. A variable bound
      inside the function itself counts only its own function's calls (another
      function's `model` is another object). Top-level code (scripts, `# %%` and nbqa
      notebooks) runs in order, so there only an *earlier* `.eval()` on that spelling
      counts (a later `model.eval()` does not excuse a loss computed in training mode);
    - the model is a parameter, the function has callers in the file, and every one
      of them passes a model it switched to eval mode before the call
      (`model.eval(); evaluate(model, loader)`); a call that passes `*args`/`**kwargs`
      or an expression gets the benefit of the doubt;
    - the model was bound from a Hugging Face `from_pretrained` (which returns it in eval
      mode) and the file never calls `.train()` on that spelling, or from
      `pipeline(...)`, `SentenceTransformer`, `torch.jit.load`/`script`/`trace`,
      ONNX Runtime, Keras or scikit-learn objects (not `nn.Module`s whose mode we toggle);
    - the model comes from a project loader whose name says so (`load_model(path)`,
      `restore(...)`; Lightning's `load_from_checkpoint` is *not* one: it returns
      training mode), or from a function of the file that calls `.eval()`;
    - the code runs where a framework manages the mode: Lightning
      `validation_step`/`test_step`/`predict_step`/`on_validation_*`… hooks, HF
      `Trainer` subclasses and callbacks, and any method of an `nn.Module` /
      `LightningModule` subclass (its mode is the caller's business);
    - `no_grad` only guards tensor work without a model call: weight initialisation,
      EMA / target-network parameter copies (`p.mul_(d).add_(q)`, `p.copy_(q)`),
      metrics on tensors, HF `pipe(text)` and `trainer.evaluate()` calls.

    ## Why is this bad?
    `no_grad()` only stops gradient bookkeeping; it does not change layer behaviour.
    A module left in training mode keeps applying dropout and updates batch-norm running
    statistics with the evaluation batches, so predictions are noisy and the model
    itself drifts while being "evaluated". Zhang et al. catalogue this as *Training /
    Evaluation Mode Improper Toggling*.

    ## Example
    ```python
    import torch


    def evaluate(model, loader):
        correct = 0
        with torch.no_grad():
            for xb, yb in loader:
                correct += (model(xb).argmax(1) == yb).sum().item()
        return correct / len(loader.dataset)
    ```

    ## Use instead
    ```python
    import torch


    def evaluate(model, loader):
        model.eval()
        correct = 0
        with torch.no_grad():
            for xb, yb in loader:
                correct += (model(xb).argmax(1) == yb).sum().item()
        model.train()
        return correct / len(loader.dataset)
    ```

    ## Options
    None.

    ## Known limitations
    - Single-file and spelling-based for the suppressions: an `.eval()` on the same
      spelling anywhere in the file counts, even in a branch that never runs, and a mode
      switch done in another module (a caller elsewhere, a project `predict()` helper) is
      not seen: add `# noqa: MLP114` there. A parameter model with no caller in the file
      is reported (the catalogue asks for the switch in the function itself).
    - Any `.eval()` call in the function counts for every model it calls (a function
      that sets `encoder.eval()` but calls `decoder` is not reported).
    - Submodule calls are recognised by an allow-list of usual names (`features`,
      `backbone`, `encoder`, `head`, `classifier`...) one level below the model
      (`model.features(x)`, `self.model.encoder(x)`); other attribute calls of a model
      (`model.predict(x)`, `model.encode(x)`, `model.generate(...)`, `model.blocks[0](x)`,
      `model.encoder.layer(x)`) are not model calls, and neither are `nn.Module` methods
      (`eval`, `to`, `parameters`, `apply`, `state_dict`, `register_*`, `zero_grad`).
    - Models reached through containers (`models[i](x)`), attributes of other objects
      (`self.ema.module(x)`, `trainer.model(x)`) or unrecognisable names
      (`f(x)` holding a network) are not recognised.
    - Modules without dropout or batch-norm behave the same in both modes; the rule
      cannot see the architecture and still reports them.
    - A caller that does `model.eval()` only counts when it is in the same file and
      calls the function by name (`evaluate(model, ...)` or `self.evaluate(...)`).
    - Networks that are run without gradients on purpose while training — a DQN
      target network, an action-selection step of a policy being trained — are
      reported when nothing in the file calls `.eval()` on them.

    ## References
    - Zhang, Cruz, van Deursen, "Code Smells for Machine Learning Applications",
      CAIN 2022, smell 18 "Training / Evaluation Mode Improper Toggling".
    - PyTorch docs,
      [Module.eval](https://pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.eval)
      and
      [Locally disabling gradient computation](https://pytorch.org/docs/stable/notes/autograd.html)
      (no_grad vs eval mode).
    """

    code = "MLP114"
    added_in = "0.2.0"
    name = "eval-mode-not-set"
    message = (
        "{call}(...) runs under {where} but nothing in this {scope} calls {model}.eval(): "
        "dropout and batch-norm still act as in training; call {model}.eval() before "
        "inference (and .train() after)"
    )
    confidence = "medium"
    triggers = ("no_grad", "inference_mode", "set_grad_enabled")

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self._frames: List[_Frame] = [_Frame(None, "module", None, False)]
        self._managed_classes: Set[str] = set()
        self._evals: Set[str] = set()
        self._trains: Set[str] = set()
        #: function/method name -> its call sites
        self._callers: Dict[str, List["_Site"]] = {}
        #: function name -> its frames (to ask "does it call .eval()?")
        self._defs: Dict[str, List[_Frame]] = {}
        self._candidates: Dict[int, List[_Candidate]] = {}
        self._order: List[ast.AST] = []
        self._nograd_withs: Set[int] = set()
        self._def_names: Dict[int, Set[str]] = {}
        self.types.listen(self.code, self._after_assign)  # not a leave_Assign of our own

    # ------------------------------------------------------------- frames
    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        managed = False
        for base in node.bases:
            if isinstance(base, ast.Subscript):
                base = base.value
            q = self.ctx.qualname(base)
            if q is not None:
                if q in MANAGED_BASES:
                    managed = True
            elif isinstance(base, ast.Name) and base.id in self._managed_classes:
                managed = True
        if managed:
            self._managed_classes.add(node.name)
        cls = _Class(managed)
        self._frames.append(_Frame(node, "class", cls, managed or self._frames[-1].managed))

    def leave_ClassDef(self, node: ast.ClassDef) -> None:
        if len(self._frames) > 1:
            self._frames.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        outer = self._frames[-1]
        cls = outer.cls if outer.kind == "class" else None
        managed = outer.managed
        if cls is not None and (
            node.name in EVAL_HOOKS or node.name.startswith(EVAL_HOOK_PREFIXES)
        ):
            managed = True
        frame = _Frame(node, "function", cls if cls is not None else outer.cls, managed)
        args = node.args
        names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
        frame.params = set(names)
        if cls is not None and names and not any(
            isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list
        ):
            frame.self_name = names[0]
        elif outer.kind == "function":
            frame.self_name = outer.self_name  # closures inside a method see ``self``
        for dec in node.decorator_list:
            if self._is_no_grad(dec, decorator=True):
                frame.decorated = node
        self._defs.setdefault(node.name, []).append(frame)
        self._frames.append(frame)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def leave_FunctionDef(self, node: ast.AST) -> None:
        if len(self._frames) > 1:
            self._frames.pop()

    leave_AsyncFunctionDef = leave_FunctionDef

    # ---------------------------------------------------------- no_grad
    def _is_no_grad(self, expr: ast.expr, decorator: bool = False) -> bool:
        call = expr if isinstance(expr, ast.Call) else None
        func = expr.func if call is not None else expr
        q = self.ctx.qualname(func)
        if q is None:
            return False
        if q in NO_GRAD:
            if call is None:
                return decorator or False
            mode = self.ctx.arg(call, 0, "mode")
            return mode is None or not self.ctx.is_false(mode)
        if q in SET_GRAD_ENABLED and call is not None:
            return self.ctx.is_false(self.ctx.arg(call, 0, "mode"))
        return False

    def visit_With(self, node: ast.With) -> None:
        frame = self._frames[-1]
        for item in node.items:
            if self._is_no_grad(item.context_expr):
                frame.nograd.append(node)
                self._nograd_withs.add(id(node))
                return

    visit_AsyncWith = visit_With  # type: ignore[assignment]

    def leave_With(self, node: ast.With) -> None:
        if id(node) in self._nograd_withs:
            frame = self._frames[-1]
            if frame.nograd and frame.nograd[-1] is node:
                frame.nograd.pop()

    leave_AsyncWith = leave_With  # type: ignore[assignment]

    # ------------------------------------------------------------- facts
    def _after_assign(self, node: ast.Assign) -> None:
        """Run by the shared type feeder after each assignment (see __init__)."""
        if node.__class__ is not ast.Assign:
            return  # an annotated assignment
        frame = self._frames[-1]
        value = node.value
        # (a pure function of the value: tested once, not per target; only calls chain)
        has_eval = value.__class__ is ast.Call and self._chain_has_eval(value)
        for target in node.targets:
            tcls = target.__class__
            if tcls is _NameNode:
                if has_eval:
                    self._note_eval(frame, _text(target))
                continue  # the common ``name = value``
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                if frame.self_name and target.value.id == frame.self_name and frame.cls is not None:
                    frame.cls.attrs.setdefault(target.attr, []).append(self._origin(value))
            if has_eval and isinstance(target, (ast.Name, ast.Attribute)):
                self._note_eval(frame, _text(target))
            elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, ast.Call):
                # ``processor, model = load_captioner()``: remember where the names came from
                origin = self._origin(node.value)
                scope = self.ctx.scope
                table = scope.data.setdefault(_TUPLES, {})
                for elt in target.elts:
                    if isinstance(elt, ast.Name):
                        # the resolver binds after this handler: its count will be +1
                        table[elt.id] = (origin, scope.assign_count.get(elt.id, 0) + 1)  # type: ignore[index]

    def _note_eval(self, frame: _Frame, text: Optional[str]) -> None:
        frame.has_eval = True
        if text:
            frame.evals.add(text)
            self._evals.add(text)
            if frame.cls is not None:
                frame.cls.evals.add(text)

    def visit_Call(self, node: ast.Call) -> None:
        frame = self._frames[-1]
        func = node.func
        has_args = bool(node.args or node.keywords)
        if func.__class__ is _NameNode:
            if has_args:
                # (_call_site's first case inlined: nothing in eval mode yet)
                if self._evals:
                    site = self._call_site(node, frame, False)
                else:
                    site = _Site(frame, False, node, None, None)
                sites = self._callers.get(func.id)
                if sites is None:
                    self._callers[func.id] = [site]
                else:
                    sites.append(site)
        elif func.__class__ is _AttributeNode:
            attr = func.attr
            if has_args:
                if self._evals:
                    site = self._call_site(node, frame, True)
                else:
                    site = _Site(frame, True, node, None, None)
                sites = self._callers.get(attr)
                if sites is None:
                    self._callers[attr] = [site]
                else:
                    sites.append(site)
            if attr == "eval" and not node.args and not node.keywords:
                self._note_eval(frame, _text(func.value))
            elif attr == "train":
                mode = self.ctx.arg(node, 0, "mode")
                if mode is None or self.ctx.is_true(mode):
                    text = _text(func.value)
                    if text:
                        self._trains.add(text)
                else:  # train(False), train(mode=is_training): may switch to eval
                    self._note_eval(frame, _text(func.value))
        if frame.managed or frame.kind == "class":
            return
        where = frame.nograd[0] if frame.nograd else frame.decorated
        if where is None:
            return
        cand = self._model_call(node, frame, where)
        if cand is not None:
            cand.eval_before = cand.text in self._evals
            lst = self._candidates.get(id(where))
            if lst is None:
                lst = self._candidates[id(where)] = []
                self._order.append(where)
            lst.append(cand)

    def _defined_in(self, owner: ast.AST) -> Set[str]:
        """Names of the functions and classes defined directly in ``owner``'s body (cached)."""
        names = self._def_names.get(id(owner))
        if names is None:
            names = self._def_names[id(owner)] = {
                stmt.name
                for stmt in getattr(owner, "body", None) or ()
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            }
        return names

    def _call_site(self, node: ast.Call, frame: _Frame, method: bool) -> "_Site":
        """Which arguments of this call were switched to eval mode before it."""
        if not self._evals:
            # nothing switched to eval mode yet (most calls): _arg_in_eval is then
            # False for a name or an attribute and True for anything else (a call,
            # with or without .eval() in its chain, a literal, a starred argument), a
            # function of the node alone: worked out when a finding needs it (_Site.evald)
            return _Site(frame, method, node, None, None)
        arg_in_eval = self._arg_in_eval
        args = node.args
        evald = [arg_in_eval(a, frame) for a in args] if args else []
        kw_evald = (
            {kw.arg: arg_in_eval(kw.value, frame) for kw in node.keywords if kw.arg} if node.keywords else {}
        )
        return _Site(frame, method, node, evald, kw_evald)

    def _arg_in_eval(self, arg: ast.expr, frame: _Frame) -> bool:
        cls = arg.__class__
        if cls is _NameNode:
            text: Optional[str] = arg.id  # type: ignore[attr-defined]
        elif cls is _AttributeNode:
            text = _text(arg)
            if text is None:
                return False  # ``a[0].model``: not a spelling we track
        else:
            # evaluate(model.eval(), loader); any other call, literal...: unknown,
            # benefit of the doubt
            return True
        if text not in self._evals:
            return False  # never switched anywhere so far (the common, cheap case)
        if text in frame.evals:
            return True
        if isinstance(arg, ast.Name) and not (
            frame.kind == "function" and self.ctx.resolver.lookup_scope(arg.id) is self.ctx.scope
        ):
            return text in self._evals  # a global model switched earlier in the file
        return False

    # ------------------------------------------------------------ models
    def _model_call(self, node: ast.Call, frame: _Frame, where: ast.AST) -> Optional[_Candidate]:
        func = node.func
        recv: ast.expr = func
        if isinstance(func, ast.Attribute) and func.attr == "forward":
            recv = func.value
        label = "torch.inference_mode()" if self._is_inference(where) else "torch.no_grad()"
        cand = self._receiver(recv, frame, where, label)
        if (
            cand is None
            and isinstance(func, ast.Attribute)
            and func.attr in _SUBMODULES
            and isinstance(func.value, (ast.Name, ast.Attribute))
        ):
            # ``model.features(x)``: a submodule of a model runs in the model's mode
            cand = self._receiver(func.value, frame, where, label)
            if cand is not None:
                cand.call = f"{cand.text}.{func.attr}"
        return cand

    def _receiver(
        self, recv: ast.expr, frame: _Frame, where: ast.AST, label: str
    ) -> Optional[_Candidate]:
        """A candidate when ``recv`` is a model (by type or by name), else None."""
        res = self.ctx.resolver
        if isinstance(recv, ast.Name):
            name = recv.id
            scope = res.lookup_scope(name)
            if scope is None or scope.bindings.get(name) != LOCAL:
                return None
            kind = self.types.kind_of(recv)
            if kind is not None and kind != MODULE:
                return None
            if kind is None and not _torch_model_name(name):
                return None
            if name not in frame.params and name in self._defined_in(scope.node or self.ctx.tree):
                return None  # ``Model(cfg)``: a local class or function, not a network
            category = "name"  # bound in an enclosing scope (module-level model, closure)
            if frame.kind == "function" and scope.node is frame.node:
                if name in frame.params and scope.assign_count.get(name, 0) == 1:
                    category = "param"
                else:
                    category = "local"
            cand = _Candidate(where, name, frame, category, label)
            value = scope.constants.get(name)
            if value is not None:
                cand.origins.append(self._origin(value))
            else:
                entry = scope.data.get(_TUPLES, {}).get(name)  # type: ignore[union-attr]
                if entry is not None and entry[1] == scope.assign_count.get(name, 0):
                    cand.origins.append(entry[0])
            return cand
        if (
            isinstance(recv, ast.Attribute)
            and isinstance(recv.value, ast.Name)
            and frame.self_name is not None
            and recv.value.id == frame.self_name
            and frame.cls is not None
        ):
            kind = self.types.kind_of(recv)
            if kind is not None and kind != MODULE:
                return None
            if kind is None and not _torch_model_name(recv.attr):
                return None
            return _Candidate(where, f"{recv.value.id}.{recv.attr}", frame, "self", label)
        return None

    def _is_inference(self, where: ast.AST) -> bool:
        items: List[ast.expr] = []
        if isinstance(where, (ast.With, ast.AsyncWith)):
            items = [i.context_expr for i in where.items]
        elif isinstance(where, (ast.FunctionDef, ast.AsyncFunctionDef)):
            items = list(where.decorator_list)
        for expr in items:
            func = expr.func if isinstance(expr, ast.Call) else expr
            q = self.ctx.qualname(func) or ""
            if q.endswith("inference_mode"):
                return True
        return False

    @staticmethod
    def _chain_has_eval(value: ast.expr) -> bool:
        while isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
            attr = value.func.attr
            if attr not in _CHAIN:
                return False
            if attr == "eval":
                return True
            if attr == "train" and (value.args or value.keywords):
                return True  # train(False) / train(mode=flag)
            value = value.func.value
        return False

    def _origin(self, value: ast.expr) -> Tuple[str, Optional[str]]:
        """How a model binding starts out: (origin, local function name or None)."""
        if self._chain_has_eval(value):
            return _EVAL, None
        while isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
            if value.func.attr not in _CHAIN:
                break
            value = value.func.value
        if isinstance(value, ast.Attribute):
            # ``model = self.model``: an alias of an attribute switched elsewhere?
            return _ALIAS, _text(value)
        if not isinstance(value, ast.Call):
            return _TRAIN_MODE, None
        func = value.func
        q = self.ctx.qualname(func)
        if q is not None:
            if q in EVAL_READY or q.split(".", 1)[0] in EVAL_READY_HEADS:
                head = q.split(".", 1)[0]
                if head in ("transformers", "sentence_transformers", "peft", "diffusers", "setfit"):
                    return _PRETRAINED, None
                return _NOT_TORCH, None
            return _TRAIN_MODE, None
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        low = name.lower()
        if isinstance(func, ast.Attribute) and low == "from_pretrained":
            return _PRETRAINED, None
        if isinstance(func, ast.Name) and name in self._defs:
            return _TRAIN_MODE, name
        if ("load" in low or "restore" in low) and low != "load_from_checkpoint":
            return _LOADER, None
        return _TRAIN_MODE, None

    # ------------------------------------------------------------ finish
    def finish(self) -> None:
        for where in self._order:
            for cand in self._candidates.get(id(where), []):
                if not self._suppressed(cand):
                    scope = "function" if cand.frame.kind == "function" else "module"
                    self.report(where, call=cand.call, model=cand.text, where=cand.label, scope=scope)
                    break

    def _suppressed(self, cand: _Candidate) -> bool:
        frame = cand.frame
        if frame.kind == "function" and frame.has_eval:
            return True
        text = cand.text
        if frame.kind == "module":
            # top-level code (scripts, notebooks) runs in order: only an earlier
            # ``model.eval()`` (or a function defined earlier that calls it) counts
            if cand.eval_before:
                return True
        elif cand.category in ("name", "self") and text in self._evals:
            # the same spelling switched to eval mode elsewhere: a caller, module level,
            # another method (a local variable of this function is another object)
            return True
        if cand.category == "self":
            cls = frame.cls
            if cls is None:
                return True
            if "self" in cls.evals or (frame.self_name and frame.self_name in cls.evals):
                return True
            attr = text.split(".", 1)[1]
            cand.origins.extend(cls.attrs.get(attr, []))
        for origin, local in cand.origins:
            if origin in (_EVAL, _NOT_TORCH, _LOADER):
                return True
            if origin == _PRETRAINED and text not in self._trains:
                return True
            if origin == _ALIAS:
                if local is not None and local in self._evals:
                    return True
                continue
            if local is not None and any(f.has_eval for f in self._defs.get(local, [])):
                return True
        if cand.category == "param" and isinstance(frame.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return self._callers_switch(frame, text)
        return False

    def _callers_switch(self, frame: _Frame, param: str) -> bool:
        """True when the function has callers in the file and every one of them passes
        a model it switched to eval mode before the call."""
        fn = frame.node
        args = fn.args  # type: ignore[union-attr]
        positional = [a.arg for a in (*args.posonlyargs, *args.args)]
        index = positional.index(param) if param in positional else None
        name = fn.name  # type: ignore[union-attr]
        sites = [s for s in self._callers.get(name, []) if s.frame is not frame]
        if not sites:
            return False
        for site in sites:
            if site.star:
                continue
            if param in site.kw_evald:
                if not site.kw_evald[param]:
                    return False
                continue
            if index is None:
                continue
            i = index - 1 if (site.method and frame.self_name is not None) else index
            if 0 <= i < len(site.evald):
                if not site.evald[i]:
                    return False
        return True


class _Site:
    """A call site: the caller's frame and, per argument, whether it was in eval mode
    (``evald``/``kw_evald`` None: nothing was in eval mode yet, see _call_site)."""

    __slots__ = ("frame", "method", "node", "_evald", "_kw_evald")

    def __init__(
        self,
        frame: _Frame,
        method: bool,
        node: ast.Call,
        evald: Optional[List[bool]],
        kw_evald: Optional[Dict[str, bool]],
    ) -> None:
        self.frame = frame
        self.method = method
        self.node = node
        self._evald = evald
        self._kw_evald = kw_evald

    @property
    def star(self) -> bool:
        """``f(*args)`` / ``f(**kwargs)``: arguments cannot be matched to parameters."""
        node = self.node
        return any(isinstance(a, ast.Starred) for a in node.args) or any(
            kw.arg is None for kw in node.keywords
        )

    @property
    def evald(self) -> List[bool]:
        if self._evald is None:
            args = self.node.args
            self._evald = [a.__class__ not in _NAMED for a in args] if args else []
        return self._evald

    @property
    def kw_evald(self) -> Dict[str, bool]:
        if self._kw_evald is None:
            keywords = self.node.keywords
            self._kw_evald = (
                {kw.arg: kw.value.__class__ not in _NAMED for kw in keywords if kw.arg}
                if keywords else {}
            )
        return self._kw_evald


def _text(expr: ast.expr) -> Optional[str]:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
        return f"{expr.value.id}.{expr.attr}"
    if isinstance(expr, ast.Attribute):
        inner = _text(expr.value)  # type: ignore[arg-type]
        return f"{inner}.{expr.attr}" if inner else None
    return None
