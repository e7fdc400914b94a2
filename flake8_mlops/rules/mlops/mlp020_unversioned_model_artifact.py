"""MLP020 unversioned-model-artifact."""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Tuple

from ... import lazy_re
from ...apis.experiments import (
    NOT_MODEL_RECEIVER,
    NON_MODEL_EXTENSIONS,
    constant_path,
    is_model_file_text,
    is_modelish,
    path_extension,
)
from ...apis.models import model_constructor, model_loader
from ...facts import TRACKERS_OPTION
from ...apis.experiments import OpenedFiles
from ...registry import Rule, register

#: functions that write their first argument (the model) to the path in ``path_arg``
_SAVE_FUNCTIONS: Dict[str, Tuple[int, str, bool]] = {
    # name: (path position, path keyword, object must look like a model)
    **{f"{mod}.dump": (1, "file", True) for mod in ("pickle", "dill", "cloudpickle")},
    "joblib.dump": (1, "filename", True),
    "torch.save": (1, "f", True),
    "torch.serialization.save": (1, "f", True),
    "torch.jit.save": (1, "f", False),
    "keras.models.save_model": (1, "filepath", False),
    "keras.saving.save_model": (1, "filepath", False),
    "tensorflow.saved_model.save": (1, "export_dir", False),
    "skops.io.dump": (1, "file", False),
    "onnx.save": (1, "f", False),
    "onnx.save_model": (1, "f", False),
    "safetensors.torch.save_file": (1, "filename", True),
    "safetensors.torch.save_model": (1, "filename", False),
    "safetensors.numpy.save_file": (1, "filename", True),
}
#: model methods that write the receiver to a path given as first argument
_SAVE_METHODS_ANY_RECEIVER = frozenset({"save_pretrained", "save_model", "save_weights"})
_SAVE_METHODS_MODEL_RECEIVER = frozenset({"save", "to_disk", "export"})
_SAVE_METHODS = _SAVE_METHODS_ANY_RECEIVER | _SAVE_METHODS_MODEL_RECEIVER
#: calls that publish a model to a versioned store (besides the module facts)
_PUBLISH_METHODS = frozenset({"push_to_hub"})
#: locations versioned by the platform that packages them (SageMaker per training job)
_PLATFORM_DIRS = ("/opt/ml/",)
#: scratch locations: a model staged there is handed on (uploaded, logged), not kept
_PATH_KEYWORDS = {"save_pretrained": "save_directory", "save_model": "output_dir", "save_weights": "filepath"}
_SCRATCH_DIRS = ("/tmp/", "/var/tmp/", "/dev/shm/")
#: classes whose instances are not models although they have save_pretrained/save
_NOT_MODEL_CLASS = lazy_re.compile(
    r"(Tokenizer|Processor|Config|FeatureExtractor|Collator|Vectorizer|Scaler|Encoder)"
)
_FIT_METHODS = frozenset({"fit", "partial_fit", "fit_generator"})

# node classes, for ``x.__class__ is _Name`` tests in the hot handlers
_Attribute = ast.Attribute
_Call = ast.Call
_Dict = ast.Dict
_List = ast.List
_Name = ast.Name
_Tuple = ast.Tuple


@register
class UnversionedModelArtifact(OpenedFiles, Rule):
    """## What it does
    Flags a model written to a **constant** file name in a module that never calls an
    experiment tracker or model registry:
    - `joblib.dump`, `pickle`/`dill`/`cloudpickle` `dump` (also to `open("model.pkl",
      "wb")`, directly or through `with open(...) as f`), `torch.save`,
      `safetensors.torch.save_file` — when the object is a model or its weights (a model
      constructor, a fitted object, a `state_dict()`, a checkpoint dict holding one, a
      name spelled like a model);
    - `torch.jit.save`, `keras.models.save_model`, `tf.saved_model.save`,
      `skops.io.dump`, `onnx.save`, `safetensors.torch.save_model`;
    - `.save_pretrained(path)` (HF models, not tokenizers/processors/configs),
      `.save_model(path)` (HF `Trainer`, XGBoost, LightGBM, CatBoost, fastText),
      `.save_weights(path)`, and `.save(path)`/`.to_disk(path)` on a model (Keras,
      gensim, sentence-transformers, spaCy) or with a model file extension.

    A path is constant when every part of it is literal: a string, a module constant
    bound once (`MODEL_PATH = "model.pkl"`), `os.path.join`/`Path(...)`/`/` of such parts.
    An f-string with an interpolation (`f"model_{run_id}.pt"`), a parameter, `args.*`
    or an environment read is not constant. SageMaker's `/opt/ml/…` paths are versioned
    by the training job and pass.

    The decision is taken at the end of the module: a call into an experiment tracker
    (the `--mlp-trackers` modules, tracker callbacks, HF `report_to=`), a model-registry
    call (`mlflow.register_model`, `MlflowClient`, W&B artifacts, SageMaker model
    packages, …) or `push_to_hub` anywhere in the file silences the rule.

    ## Why is this bad?
    Writing `model.pkl` to the same place on every run overwrites the previous model with
    no record of which code, data and parameters produced it — "if models aren't
    versioned … you will have zero traceability when things go wrong" (seed 002, #6). A
    registry or tracker keeps each version with its lineage and lets you roll back.

    ## Example
    ```python
    import joblib
    from sklearn.ensemble import RandomForestClassifier

    clf = RandomForestClassifier(n_estimators=200).fit(X_train, y_train)
    joblib.dump(clf, "models/model.joblib")
    ```

    ## Use instead
    ```python
    import mlflow
    from sklearn.ensemble import RandomForestClassifier

    with mlflow.start_run():
        clf = RandomForestClassifier(n_estimators=200).fit(X_train, y_train)
        mlflow.sklearn.log_model(clf, "model", registered_model_name="churn-rf")
    ```
    A file name that carries a version (`f"models/model-{run_id}.joblib"`) also passes,
    though a registry is the better fix.

    ## Options
    `--mlp-trackers` adds tracker modules or callables (qualified names) whose use counts
    as tracking, e.g. an in-house `acme.tracking` wrapper.

    ## Known limitations
    - Versioning done outside the code (DVC `outs`, a CI job that renames the file) is
      not visible; add `# noqa: MLP020` or a tracker call.
    - A path built from a run-time directory (`os.path.join(args.output_dir, "model.pt")`)
      gets the benefit of the doubt, even when that directory is the same on every run.
    - Keras/Lightning `ModelCheckpoint(filepath="best.h5")` callbacks are not judged.
    - `.save(path)` on an object whose name does not look like a model is judged only by
      the file extension (`.h5`, `.keras`, `.pt`, `.model`…).
    - Fitted preprocessing objects alone (`joblib.dump(scaler, "scaler.pkl")`) are not
      models here.

    ## References
    - Prathish, "7 MLOps 'Smells'" (seed 002), #6 your model versioning, experiment
      tracking, retraining and monitoring process is manual.
    - Virmani & Kuppam, "MLOps Antipatterns and Mitigation Approaches", IJCTT 72(2), 2024
      (seed 000), §3 Manual Experimentation and Tracking (model versions), §7.
    - MLflow docs, [Model Registry](https://mlflow.org/docs/latest/model-registry.html);
      W&B docs, [Artifacts](https://docs.wandb.ai/guides/artifacts).
    """

    code = "MLP020"
    added_in = "0.2.0"
    triggers = ("dump", "save", "to_disk", "export", "push_to_hub")
    name = "unversioned-model-artifact"
    message = (
        "{api} writes the model to the fixed path '{path}' and nothing in this module tracks "
        "or registers it, so each run overwrites the last model; log it to a registry "
        "(mlflow.<flavor>.log_model, W&B artifact) or put a version/run id in the name"
    )
    confidence = "medium"
    options = (TRACKERS_OPTION,)
    uses_facts = True

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self._found: List[Tuple[ast.Call, str, str]] = []
        self._opened: Dict[str, ast.AST] = {}
        self._published = False

    # ------------------------------------------------ names that hold a model
    # (a light flow: fitted receivers and assignments from model expressions, per scope)
    def _models(self, scope) -> set:  # type: ignore[no-untyped-def]
        data = scope.data.get("MLP020")
        if data is None:
            data = scope.data["MLP020"] = set()
        return data  # type: ignore[return-value]

    def _holds_model(self, expr: Optional[ast.AST]) -> bool:
        cls = expr.__class__
        if cls is _Name:
            if self.ctx.resolver.scope_table("MLP020", expr.id) is not None:  # type: ignore[union-attr]
                return True
        elif cls is _Dict:
            return (
                any(self._holds_model(v) for v in expr.values if v is not None)  # type: ignore[union-attr]
                or is_modelish(self.ctx, expr)
            )
        elif cls is _List or cls is _Tuple:
            return any(self._holds_model(e) for e in expr.elts) or is_modelish(self.ctx, expr)  # type: ignore[union-attr]
        elif cls is _Call:
            func = expr.func  # type: ignore[union-attr]
            if func.__class__ is _Attribute and func.attr == "state_dict":
                return self._holds_model(func.value) or is_modelish(self.ctx, expr)
        return is_modelish(self.ctx, expr)

    def _assign_name(self, name: str, value: Optional[ast.AST]) -> None:
        if value is not None and self._holds_model(value):
            self._models(self.ctx.resolver.scope).add(name)
        else:
            # no set made for a scope that never held a model (an empty set reads alike)
            models = self.ctx.resolver.scope.data.get("MLP020")
            if models:
                models.discard(name)  # type: ignore[attr-defined]

    def _assign(self, target: ast.AST, value: Optional[ast.AST]) -> None:
        cls = target.__class__
        if cls is _Name:
            self._assign_name(target.id, value)  # type: ignore[attr-defined]
        elif cls is _Tuple or cls is _List:
            values = (
                value.elts
                if isinstance(value, (ast.Tuple, ast.List))
                and len(value.elts) == len(target.elts)
                else None
            )
            for i, elt in enumerate(target.elts):
                self._assign(elt, values[i] if values is not None else None)

    def leave_Assign(self, node: ast.Assign) -> None:
        value = node.value
        for target in node.targets:
            if target.__class__ is _Name:
                self._assign_name(target.id, value)  # type: ignore[attr-defined]
            else:
                self._assign(target, value)

    def _path(self, expr: Optional[ast.AST]) -> Optional[str]:
        """The constant path ``expr`` writes to (following ``open(...)``), else None."""
        if expr is None:
            return None
        if isinstance(expr, ast.Name) and expr.id in self._opened:
            expr = self._opened[expr.id]
        elif (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Name)
            and expr.func.id == "open"
            and expr.args
        ):
            expr = expr.args[0]
        path = constant_path(self.ctx, expr)
        if path is None or not path.strip() or path.startswith(_PLATFORM_DIRS + _SCRATCH_DIRS):
            return None
        if path_extension(path) in NON_MODEL_EXTENSIONS:
            return None
        return path

    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        name = ctx.call_name(node)
        func = node.func
        is_attribute = func.__class__ is _Attribute
        if is_attribute and func.attr in _PUBLISH_METHODS:  # type: ignore[attr-defined]
            self._published = True
            return
        if name is not None and node.keywords and ctx.is_true(ctx.kwarg(node, "push_to_hub")):
            self._published = True
        if (
            is_attribute
            and func.attr in _FIT_METHODS  # type: ignore[attr-defined]
            and func.value.__class__ is _Name  # type: ignore[attr-defined]
            and (node.args or node.keywords)
            and ctx.qualname(func.value) is None
            and not self._not_model_receiver(func.value)
        ):
            scope = ctx.resolver.lookup_scope(func.value.id) or ctx.scope
            self._models(scope).add(func.value.id)
        spec = _SAVE_FUNCTIONS.get(name)  # type: ignore[arg-type]
        if spec is not None:
            position, keyword, needs_model = spec
            obj = ctx.arg(node, 0)
            if needs_model and not self._holds_model(obj):
                return
            path = self._path(ctx.arg(node, position, keyword))
            if path is not None:
                self._found.append((node, name + "()", path))  # type: ignore[operator]
            return
        if not is_attribute or name is not None:
            return
        method = func.attr  # type: ignore[attr-defined]
        # the method is the cheap test; the receiver is judged only for a save method
        if method not in _SAVE_METHODS:
            return
        receiver = func.value
        if self._not_model_receiver(receiver):
            return
        if method in _SAVE_METHODS_ANY_RECEIVER:
            pass
        elif method in _SAVE_METHODS_MODEL_RECEIVER:
            path_arg = ctx.arg(node, 0)
            text = ctx.literal_str(path_arg)
            if not (self._model_receiver(receiver) or (text is not None and _model_extension(text))):
                return
            if method == "export" and not self._model_receiver(receiver):
                return
        else:
            return
        keyword = _PATH_KEYWORDS.get(method, "path")
        arg = ctx.arg(node, 0, keyword)
        if arg is None and method == "save_model":
            arg = ctx.arg(node, 0, "fname") or ctx.arg(node, 0, "filename")
        path = self._path(arg)
        if path is not None and "tokenizer" not in path.lower():
            self._found.append((node, f".{method}()", path))

    def _not_model_receiver(self, receiver: ast.AST) -> bool:
        """``tokenizer.save_pretrained``, ``fig.save``, ``fast.save_pretrained`` where
        ``fast = PreTrainedTokenizerFast(...)``."""
        label = _receiver_label(receiver)
        if label and NOT_MODEL_RECEIVER.search(label):
            return True
        if isinstance(receiver, ast.Name):
            value = self.ctx.resolver.constant(receiver.id)
            if isinstance(value, ast.Call):
                qual = self.ctx.qualname(value.func) or ""
                if _NOT_MODEL_CLASS.search(qual):
                    return True
                info = model_constructor(qual)
                if info is not None and info.kind == "transformer":
                    return True
        return False

    def _model_receiver(self, receiver: ast.AST) -> bool:
        ctx = self.ctx
        if self._holds_model(receiver):
            return True
        if isinstance(receiver, ast.Name):
            value = ctx.resolver.constant(receiver.id)
            if isinstance(value, ast.Call):
                qual = ctx.qualname(value.func)
                if model_constructor(qual) is not None or model_loader(qual) is not None:
                    return True
                if qual and qual.startswith(("spacy.", "gensim.", "fasttext.", "torch.jit.")):
                    return True
        return False

    def finish(self) -> None:
        facts = self.ctx.facts
        if facts.tracks or facts.uses_registry or self._published:
            return
        for node, api, path in self._found:
            shown = path if len(path) <= 60 else path[:59] + "…"
            self.report(node, api=api, path=shown)


def _receiver_label(receiver: ast.AST) -> str:
    if isinstance(receiver, ast.Name):
        return receiver.id
    if isinstance(receiver, ast.Attribute):
        return receiver.attr
    return ""


def _model_extension(text: str) -> bool:
    """``model.h5``, ``w2v.model``, ``saved_model/`` — a path that names a model file."""
    ext = path_extension(text)
    if ext in _MODEL_FILE_EXTS:
        return True
    return ext == "" and "model" in text.lower() and is_model_file_text(text)


_MODEL_FILE_EXTS = frozenset(
    {".h5", ".hdf5", ".keras", ".pt", ".pth", ".model", ".ckpt", ".onnx", ".joblib", ".safetensors",
     ".pkl", ".bin"}
)
