"""MLP115 nondeterministic-torch."""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Set, Tuple

from ...apis.torch_modes import (
    CONFIGURABLE_TRAINERS,
    CUDNN_DETERMINISTIC,
    DEBUG_MODE_CALLS,
    DETERMINISM_CALLS,
    DETERMINISM_KEYWORDS,
    FULL_DETERMINISM,
    TORCH_HEADS,
)
from ...registry import Rule, register
from ...script_shape import ScriptShapeFeeder
from ..mlops._test_modules import is_test_filename

_MISSING = object()
_Attribute = ast.Attribute
_Name = ast.Name
#: libraries whose ``Trainer.train()`` trains a torch model
_HF_HEADS = frozenset({"transformers", "trl", "setfit", "sentence_transformers"})
_LIGHTNING_HEADS = frozenset({"lightning"})
_HINTS = ("determinis", "reproducib")
#: the last part of CUDNN_DETERMINISTIC: an assigned attribute must end so to resolve to it
_CUDNN_ATTR = CUDNN_DETERMINISTIC.rsplit(".", 1)[-1]

# What ``_note_determinism`` makes of a resolved name, computed once per name:
# (kind decided before the keywords: one of the three below or 0,
#  a configurable trainer?, a ``Trainer.from_argparse_args``?, a library function?)
_DET_CALL, _DEBUG_CALL, _FULL_CALL = 1, 2, 3
_q_kinds: Dict[str, Tuple[int, bool, bool, bool]] = {}
#: function name -> names a project helper like ``make_deterministic``
_hint_names: Dict[str, bool] = {}


def _q_kind(qualname: str) -> Tuple[int, bool, bool, bool]:
    found = _q_kinds.get(qualname)
    if found is None:
        pre = (
            _DET_CALL if qualname in DETERMINISM_CALLS
            else _DEBUG_CALL if qualname in DEBUG_MODE_CALLS
            else _FULL_CALL if qualname in FULL_DETERMINISM
            else 0
        )
        if len(_q_kinds) > 50_000:  # bounded: a long-lived process sees many names
            _q_kinds.clear()
            _no_kw.clear()
        found = _q_kinds[qualname] = (
            pre,
            qualname in CONFIGURABLE_TRAINERS,
            qualname.endswith("Trainer.from_argparse_args"),
            qualname.split(".", 1)[0] in TORCH_HEADS,
        )
        # what a call of it without keywords needs (configurable trainers need **kwargs)
        _no_kw[qualname] = (
            _FULL if pre or found[2] else _NOTHING if found[3] else _HINT
        )
    return found


#: what ``_note_determinism`` does for a call without keywords, per qualified name
#: (filled by ``_q_kind``; the fast path of ``visit_Call``): nothing (a library
#: function), only the project-helper name test, or the whole method
_NOTHING, _HINT, _FULL = 0, 1, 2
_no_kw: Dict[str, int] = {}


def _hint_name(name: str) -> bool:
    found = _hint_names.get(name)
    if found is None:
        low = name.lower()
        if len(_hint_names) > 50_000:
            _hint_names.clear()
        found = _hint_names[name] = any(h in low for h in _HINTS) and "algorithms" not in low
    return found


@register
class NondeterministicTorch(ScriptShapeFeeder, Rule):
    """## What it does
    Flags a PyTorch **training script** that never asks for deterministic kernels.
    Reported once, on the first torch training call in source order: the first
    optimizer step — `optimizer.step()` (a receiver named like an optimizer: `optim…`,
    `opt`, `sgd`, `adam`) that comes after a `backward()` call anywhere earlier in the
    file, or AMP's `scaler.step(optimizer)` — or the first Hugging Face `trainer.train()`
    / Lightning `trainer.fit(...)`. It is *not* reported on `loss.backward()`: in
    `loss.backward(); optimizer.step()` the finding and its `# noqa: MLP115` go on the
    `optimizer.step()` line (for a step under a condition, as in gradient accumulation,
    on that conditional `step()` line).

    *Torch training* is, from the shared module facts: an `optimizer.step()` after a
    `backward()` (also `accelerator.backward(loss)` and AMP's `scaler.step(optimizer)`),
    a Hugging Face `Trainer`/`SFTTrainer`/… `.train()` call, or a Lightning
    `Trainer(...).fit(...)`. scikit-learn, XGBoost and Keras `fit` calls are not torch
    training. The module must import torch, Lightning or a Hugging Face training
    library, and be a *script*: an `if __name__ == "__main__":` block, training at
    module level, a module-level call of one of its own functions (`main()`), or a
    notebook (nbqa, `# %%` cells). Library modules (training only inside functions,
    no entry point), test files (`test_*.py`, `*_test.py`, `conftest.py`, modules importing
    `pytest` or `unittest`; a folder name alone does not make a test) and single notebook cells (VS Code) are not judged.

    Determinism is requested — anywhere in the file, including a helper function of the
    file — by any of:
    - `torch.use_deterministic_algorithms(True)` (also `warn_only=True`; a non-literal
      mode gets the benefit of the doubt), the old `torch.set_deterministic(True)`, or
      `torch.set_deterministic_debug_mode("warn"|"error"|1|2)`;
    - `torch.backends.cudnn.deterministic = True` (also after
      `from torch.backends import cudnn`; a non-literal value counts);
    - a `deterministic=` argument that is not `False`/`None` on any call: Lightning's
      `Trainer(deterministic=True)` or `"warn"`, Hugging Face / Accelerate
      `set_seed(seed, deterministic=True)`; HF `TrainingArguments(full_determinism=True)`;
      MosaicML Composer `Trainer(deterministic_mode=True)`;
    - `transformers.enable_full_determinism(seed)`;
    - `**kwargs` given to Lightning's `Trainer` or HF `TrainingArguments` (the setting may
      come from a config), and `Trainer.from_argparse_args(args)`;
    - a call of a project function whose name contains `determinis` or `reproducib`
      (`make_deterministic()`, `enable_reproducibility(cfg)`).

    Seeding alone (`torch.manual_seed`, `lightning.seed_everything(42, workers=True)`,
    `transformers.set_seed(42)`) does not count: it fixes the random numbers, not the
    choice of nondeterministic CUDA kernels (that is MLP007's concern).
    `torch.backends.cudnn.benchmark = False` alone does not count either.

    ## Why is this bad?
    Many CUDA kernels (cuDNN convolution algorithms picked by benchmarking, atomic-add
    reductions in `index_add_`, `scatter_add_`, embedding backward, CTC loss…) give
    slightly different results on every run even with every seed fixed. Two runs of the
    same script then train different models, so a regression cannot be told from noise
    and a reported result cannot be reproduced. Zhang et al. catalogue this as
    *Deterministic Algorithm Option Not Used*.

    ## Example
    ```python
    import torch

    torch.manual_seed(0)
    model = torch.nn.Linear(10, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(xb), yb)
        loss.backward()
        optimizer.step()
    ```

    ## Use instead
    ```python
    import torch

    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    model = torch.nn.Linear(10, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(xb), yb)
        loss.backward()
        optimizer.step()
    ```

    ## Options
    None.

    ## Known limitations
    - Determinism switched on in another module (a project `utils.set_seed()` that also
      sets `cudnn.deterministic`, a launcher, a Lightning/Hydra YAML config with
      `trainer.deterministic: true`) is not seen unless the helper's name says
      `determinis`/`reproducib`: add `# noqa: MLP115` on the reported line.
    - Any occurrence counts, even in a function that is never called or a branch that
      never runs.
    - CLI-driven settings (`HfArgumentParser` parsing `--full_determinism`) are not
      seen; the script is reported.
    - Deterministic algorithms slow some models down; teams that accept run-to-run
      noise on purpose should disable the rule (`extend-ignore = MLP115`).
    - fastai `Learner.fit_one_cycle` and other training front-ends not in the module
      facts are not recognised as torch training.

    ## References
    - Zhang, Cruz, van Deursen, "Code Smells for Machine Learning Applications",
      CAIN 2022, smell 13 "Deterministic Algorithm Option Not Used".
    - PyTorch docs, [Reproducibility](https://pytorch.org/docs/stable/notes/randomness.html)
      and
      [torch.use_deterministic_algorithms](https://pytorch.org/docs/stable/generated/torch.use_deterministic_algorithms.html).
    - Lightning docs, `Trainer(deterministic=True)`; Hugging Face
      `transformers.enable_full_determinism`.
    """

    code = "MLP115"
    added_in = "0.2.0"
    name = "nondeterministic-torch"
    message = (
        "this torch training script never enables deterministic algorithms: CUDA kernels "
        "give different results run to run even with fixed seeds; call "
        "torch.use_deterministic_algorithms(True) (or Lightning Trainer(deterministic=True)) "
        "before {what}"
    )
    confidence = "medium"
    uses_facts = True
    triggers = ("torch", "lightning", "transformers", "trl", "accelerate", "peft", "timm", "setfit")

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self._deterministic = False
        self._heads: Set[str] = set()
        #: (call, at module level)
        self._training: List[tuple] = []
        #: the module facts' list (filled in place during the walk), read once
        self._training_calls: List[ast.Call] = ctx.facts.training_calls

    # ------------------------------------------------------------- imports
    def _note(self, module: str) -> None:
        self._heads.add(module.split(".", 1)[0].replace("pytorch_lightning", "lightning"))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._note(alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and not node.level:
            self._note(node.module)

    # --------------------------------------------------------- determinism
    def _assigns_cudnn(self, targets: List[ast.expr], value: Optional[ast.expr]) -> None:
        for target in targets:
            if (
                type(target) is ast.Attribute
                and target.attr == _CUDNN_ATTR  # cheap test before resolving
                and self.ctx.qualname(target) == CUDNN_DETERMINISTIC
            ):
                if value is None or not self._off(value):
                    self._deterministic = True

    def visit_Assign(self, node: ast.Assign) -> None:
        if self._deterministic:
            return
        # runs on every assignment: the cheap attribute-name test first, inline
        for target in node.targets:
            if target.__class__ is _Attribute and target.attr == _CUDNN_ATTR:
                self._assigns_cudnn(node.targets, node.value)
                return

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if not self._deterministic:
            self._assigns_cudnn([node.target], node.value)

    def _off(self, value: ast.expr) -> bool:
        lit = self.ctx.literal(value, _MISSING)
        return lit is False or lit is None or lit == 0 or lit == "default"

    def _note_determinism(self, node: ast.Call, qualname: Optional[str]) -> None:
        ctx = self.ctx
        if qualname is not None:
            pre, configurable, from_argparse, library = _q_kind(qualname)
            if pre:
                if pre == _DET_CALL:
                    mode = ctx.arg(node, 0, "mode")
                    if mode is None or not self._off(mode):
                        self._deterministic = True
                elif pre == _DEBUG_CALL:
                    mode = ctx.arg(node, 0, "debug_mode")
                    if mode is None or not self._off(mode):
                        self._deterministic = True
                else:
                    self._deterministic = True
                return
        for kw in node.keywords:
            if kw.arg in DETERMINISM_KEYWORDS and not self._off(kw.value):
                self._deterministic = True
                return
        if qualname is not None:
            if (configurable and ctx.has_star_kwargs(node)) or from_argparse:
                self._deterministic = True
                return
            if library:
                return  # a library function: only the entries above count
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if _hint_name(name):
            self._deterministic = True

    # ------------------------------------------------------------ training
    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if not self._deterministic:
            # _note_determinism inline for the common calls, those without keywords
            # (same outcome): see _no_kw
            qualname = self.ctx.call_name(node)
            if node.keywords:
                self._note_determinism(node, qualname)
            else:
                if qualname is None:
                    todo = _HINT
                else:
                    todo = _no_kw.get(qualname)
                    if todo is None:
                        _q_kind(qualname)
                        todo = _no_kw[qualname]
                if todo == _HINT:
                    cls = func.__class__
                    name = func.id if cls is _Name else func.attr if cls is _Attribute else ""
                    hint = _hint_names.get(name)
                    if hint is None:
                        hint = _hint_name(name)
                    if hint:
                        self._deterministic = True
                elif todo:
                    self._note_determinism(node, qualname)
        training_calls = self._training_calls
        if training_calls and training_calls[-1] is node:
            if self._torch_training(node):
                self._training.append((node, not self.ctx.in_function))
        elif func.__class__ is _Attribute and func.attr == "step" and node.args:
            arg = node.args[0]
            name = arg.id if isinstance(arg, ast.Name) else getattr(arg, "attr", "")
            if "opt" in name.lower():  # AMP: scaler.step(optimizer)
                self._training.append((node, not self.ctx.in_function))

    def _receiver_origin(self, receiver: ast.AST) -> Optional[str]:
        if not isinstance(receiver, ast.Name):
            return None
        value = self.ctx.resolver.constant(receiver.id)
        if isinstance(value, ast.Call):
            q = self.ctx.qualname(value.func)
            if q is not None:
                return q
        return None

    def _torch_training(self, node: ast.Call) -> bool:
        func = node.func
        if not isinstance(func, ast.Attribute):
            return False  # xgboost.train & co
        method = func.attr
        heads = self._heads
        if method == "step":
            return "torch" in heads or bool(heads & TORCH_HEADS)
        if isinstance(func.value, ast.Call):  # pl.Trainer(max_epochs=3).fit(model)
            q = self.ctx.qualname(func.value.func) or ""
            return method == "fit" and q.split(".", 1)[0] in _LIGHTNING_HEADS and q.endswith("Trainer")
        origin = self._receiver_origin(func.value)
        origin_head = origin.split(".", 1)[0] if origin else None
        if method == "train":
            if origin_head is not None:
                return origin_head in _HF_HEADS or origin_head in _LIGHTNING_HEADS
            return bool(heads & _HF_HEADS)
        if method == "fit":
            if origin is not None:
                return origin_head in _LIGHTNING_HEADS and origin.endswith("Trainer")
            recv = func.value
            name = recv.id if isinstance(recv, ast.Name) else getattr(recv, "attr", "")
            return "trainer" in name.lower() and bool(heads & _LIGHTNING_HEADS)
        return False

    # -------------------------------------------------------------- finish
    def finish(self) -> None:
        if self._deterministic or not self._training:
            return
        ctx = self.ctx
        if ctx.notebook == "cell" or is_test_filename(ctx.filename):
            return
        if self._heads & {"pytest", "unittest"}:
            return  # a test module (the shared file-name test does not judge folders)
        if not (self._heads & TORCH_HEADS):
            return
        script = self.looks_like_script(any(at_module for _, at_module in self._training))
        if not script:
            return
        node = self._training[0][0]
        what = "training"
        func = node.func
        if isinstance(func, ast.Attribute):
            recv = func.value
            rname = recv.id if isinstance(recv, ast.Name) else getattr(recv, "attr", "")
            if rname and len(rname) <= 30:
                what = f"{rname}.{func.attr}()"
        self.report(node, what=what)
