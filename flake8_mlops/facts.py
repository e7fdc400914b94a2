"""Module facts shared by the absence rules ("this module trains and never tracks").

The dispatcher feeds every ``Call`` to :meth:`ModuleFacts.see_call` during its single
walk (after the resolver, before the rules), so by the time rules run ``finish()`` the
facts describe the whole file. Rules read them as ``self.ctx.facts``; nothing here walks
the tree again.

What counts:

* **training**: ``x.fit(X, ...)``/``x.partial_fit``/``x.fit_generator`` with arguments on
  a receiver that is not a library function (``scipy.stats.norm.fit`` is not training),
  ``xgboost.train``/``lightgbm.train``/``catboost``'s ``fit``, a ``.train()`` call on a
  receiver bound from a known trainer class (HF ``Trainer``/``SFTTrainer``, …) or named
  like one (``trainer.train()``), and a torch step (``optimizer.step()`` after a
  ``backward()`` call in the file). ``model.train()`` alone (a mode switch) is not.
* **tracking**: any call into an experiment-tracker module (the ``--mlp-trackers`` list
  plus the defaults below), a tracker callback/logger class, or ``SummaryWriter``.
* **registry**: model-registry calls (``mlflow.register_model``, ``log_model(...,
  registered_model_name=...)``, ``wandb``/``neptune`` artifacts, ``sagemaker`` model
  packages, …) — a subset of tracking that rules may ask for separately.
* **fairness**: any call into fairlearn/aif360 or a fairness metric function.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Dict, FrozenSet, List, Optional, Tuple

from .options import Option

if TYPE_CHECKING:  # pragma: no cover
    from .context import Context

#: tracker modules whose use anywhere in a module counts as "tracked"
DEFAULT_TRACKERS = (
    "mlflow",
    "wandb",
    "neptune",
    "neptune_client",
    "comet_ml",
    "aim",
    "clearml",
    "dvclive",
    "sacred",
    "guild",
    "tensorboardX",
    "torch.utils.tensorboard",
    "tensorboard",
    "polyaxon",
    "determined",
    "kedro_mlflow",
    "azureml.core.Run",
    "sagemaker.experiments",
    "vertexai.init",
    "google.cloud.aiplatform",
)

TRACKERS_OPTION = Option(
    "--mlp-trackers",
    "extra experiment-tracker modules or callables (qualified names) whose use counts "
    "as tracking, e.g. acme.tracking,acme.log_run",
    default=DEFAULT_TRACKERS,
)

#: qualified-name suffixes of tracker callbacks/loggers (Keras, Lightning, HF)
TRACKER_CLASS_NAMES = frozenset(
    {
        "TensorBoard",
        "TensorBoardLogger",
        "MLFlowLogger",
        "WandbLogger",
        "CometLogger",
        "NeptuneLogger",
        "WandbCallback",
        "MLflowCallback",
        "CometCallback",
        "NeptuneCallback",
        "DVCLiveCallback",
        "ClearMLCallback",
        "SummaryWriter",
    }
)

#: ``report_to=`` values of HF TrainingArguments that log to a tracker
HF_REPORT_TO = frozenset(
    {"mlflow", "wandb", "comet_ml", "neptune", "tensorboard", "clearml", "dvclive", "aim", "all"}
)

REGISTRY_CALLS = frozenset(
    {
        "mlflow.register_model",
        "mlflow.tracking.MlflowClient",
        "mlflow.MlflowClient",
        "wandb.log_artifact",
        "wandb.Artifact",
        "wandb.use_artifact",
        "wandb.link_model",
        "sagemaker.model.Model",
        "sagemaker.ModelPackage",
        "google.cloud.aiplatform.Model.upload",
        "bentoml.models.create",
        "clearml.OutputModel",
    }
)

FAIRNESS_MODULES = ("fairlearn", "aif360", "aequitas", "responsibleai", "raiwidgets")
FAIRNESS_FUNCTIONS = frozenset(
    {
        "demographic_parity_difference",
        "demographic_parity_ratio",
        "equalized_odds_difference",
        "equalized_odds_ratio",
        "equal_opportunity_difference",
        "MetricFrame",
        "disparate_impact_ratio",
    }
)

#: trainer classes whose ``.train()``/``.fit()`` trains a model
TRAINER_CLASSES = frozenset(
    {
        "transformers.Trainer",
        "transformers.Seq2SeqTrainer",
        "trl.SFTTrainer",
        "trl.DPOTrainer",
        "trl.PPOTrainer",
        "trl.RewardTrainer",
        "trl.ORPOTrainer",
        "trl.GRPOTrainer",
        "setfit.Trainer",
        "setfit.SetFitTrainer",
        "lightning.Trainer",
        "lightning.pytorch.Trainer",
        "pytorch_lightning.Trainer",
        "sentence_transformers.SentenceTransformerTrainer",
        "ultralytics.YOLO",
    }
)

#: library functions that train when called
TRAINING_FUNCTIONS = frozenset(
    {
        "xgboost.train",
        "lightgbm.train",
        "catboost.train",
        "gensim.models.Word2Vec",
        "fasttext.train_supervised",
        "fasttext.train_unsupervised",
        "spacy.cli.train",
    }
)

_FIT_METHODS = frozenset({"fit", "partial_fit", "fit_generator", "train_on_batch"})
#: every method name is_training_call() can accept
_TRAINING_METHODS = _FIT_METHODS | {"train", "step"}
_TRAINER_NAME_HINT = ("trainer",)


_UNSET = object()


class ModuleFacts:
    """What a module does, collected call by call during the walk."""

    def __init__(self, ctx: "Context") -> None:
        self.ctx = ctx
        self.trackers: FrozenSet[str] = ctx.config.get_set(TRACKERS_OPTION)
        self._tracker_cache: Dict[str, bool] = {}
        self._qualname_kinds: Dict[str, Tuple[bool, ...]] = {}
        self._tracker_heads = frozenset(t.split(".", 1)[0] for t in self.trackers)
        #: calls that train, in source order
        self.training_calls: List[ast.Call] = []
        #: calls into an experiment tracker, in source order
        self.tracker_calls: List[ast.Call] = []
        self.registry_calls: List[ast.Call] = []
        self.fairness_calls: List[ast.Call] = []
        self._saw_backward = False

    # ----------------------------------------------------------- questions
    @property
    def trains(self) -> bool:
        return bool(self.training_calls)

    @property
    def first_training_call(self) -> Optional[ast.Call]:
        return self.training_calls[0] if self.training_calls else None

    @property
    def tracks(self) -> bool:
        return bool(self.tracker_calls)

    @property
    def uses_registry(self) -> bool:
        return bool(self.registry_calls)

    @property
    def assesses_fairness(self) -> bool:
        return bool(self.fairness_calls)

    def is_tracker(self, qualname: Optional[str]) -> bool:
        if not qualname:
            return False
        known = self._tracker_cache.get(qualname)
        if known is None:
            known = self._tracker_cache[qualname] = self._is_tracker(qualname)
        return known

    def _is_tracker(self, qualname: str) -> bool:
        if qualname.split(".", 1)[0] not in self._tracker_heads:
            return qualname.rsplit(".", 1)[-1] in TRACKER_CLASS_NAMES
        for t in self.trackers:
            if qualname == t or qualname.startswith(t + "."):
                return True
        return qualname.rsplit(".", 1)[-1] in TRACKER_CLASS_NAMES

    def is_training_call(self, node: ast.Call, qualname: object = _UNSET) -> bool:
        """True when ``node`` trains a model (see the module docstring)."""
        ctx = self.ctx
        func = node.func
        if qualname is _UNSET:
            qualname = ctx.call_name(node)
        if qualname in TRAINING_FUNCTIONS:
            return True
        if not isinstance(func, ast.Attribute):
            return False
        method = func.attr
        receiver = func.value
        if method in _FIT_METHODS:
            if not (node.args or node.keywords):
                return False
            if qualname is not None and ctx.qualname(receiver) is not None:
                # ``stats.norm.fit(data)``: a library function; but a module-level
                # trainer object bound from a known class is resolved as LOCAL, not here
                return False
            return True
        if method == "train":
            if isinstance(receiver, ast.Name):
                value = ctx.resolver.constant(receiver.id)
                if isinstance(value, ast.Call) and ctx.qualname(value.func) in TRAINER_CLASSES:
                    return True
                low = receiver.id.lower()
                if any(h in low for h in _TRAINER_NAME_HINT):
                    return True
            if isinstance(receiver, ast.Attribute) and "trainer" in receiver.attr.lower():
                return True
            return False
        if method == "step" and self._saw_backward and isinstance(receiver, (ast.Name, ast.Attribute)):
            name = receiver.id if isinstance(receiver, ast.Name) else receiver.attr
            low = name.lower()
            return "optim" in low or low in ("opt", "sgd", "adam")
        return False

    # ---------------------------------------------------------- collection
    def see_call(self, node: ast.Call) -> None:
        ctx = self.ctx
        qualname = ctx.call_name(node)
        func = node.func
        is_attr = isinstance(func, ast.Attribute)
        if is_attr and func.attr == "backward":  # type: ignore[attr-defined]
            self._saw_backward = True
        if qualname is not None:
            kinds = self._qualname_kinds.get(qualname)
            if kinds is None:
                kinds = self._qualname_kinds[qualname] = self._classify(qualname)
            if kinds:
                tracker, registry, mlflow, fairness, config = kinds
                if tracker:
                    self.tracker_calls.append(node)
                if registry or (mlflow and ctx.keyword(node, "registered_model_name")):
                    self.registry_calls.append(node)
                if fairness:
                    self.fairness_calls.append(node)
                if config:
                    report_to = ctx.keyword(node, "report_to")
                    if report_to is not None and self._reports_to_tracker(report_to.value):
                        self.tracker_calls.append(node)
        # is_training_call()'s own first tests, inline: most calls are neither a training
        # function nor a method call with a training method name
        if (
            qualname in TRAINING_FUNCTIONS
            or (is_attr and func.attr in _TRAINING_METHODS)  # type: ignore[attr-defined]
        ) and self.is_training_call(node, qualname):
            self.training_calls.append(node)

    def _classify(self, qualname: str) -> Tuple[bool, ...]:
        """What a qualified name is to the module facts, computed once per name:
        (tracker, registry call, mlflow, fairness, config with ``report_to``); ``()``
        when it is none of them."""
        head = qualname.split(".", 1)[0]
        kinds = (
            self.is_tracker(qualname),
            qualname in REGISTRY_CALLS,
            qualname.startswith("mlflow."),
            head in FAIRNESS_MODULES or qualname.rsplit(".", 1)[-1] in FAIRNESS_FUNCTIONS,
            qualname.endswith("TrainingArguments") or qualname.endswith("Config"),
        )
        return kinds if any(kinds) else ()

    def _reports_to_tracker(self, value: ast.AST) -> bool:
        items = value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
        for item in items:
            text = self.ctx.literal_str(item)
            if text is None:
                return True  # not a literal: benefit of the doubt
            if text in HF_REPORT_TO:
                return True
        return False
