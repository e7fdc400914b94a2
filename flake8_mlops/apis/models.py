"""Model facts: which library calls build, train, load or pickle a model.

Shared by the rules that need to know "is this a model?" (MLP002 pickle-model-handoff,
and later MLP014 model-loaded-per-request, MLP016 preprocessing-outside-pipeline,
MLP020 unversioned-model-artifact, MLP021 training-serving-entangled). Everything here
is keyed by *canonical* qualified names as returned by ``Context.qualname`` (``cPickle``
is ``pickle``, ``tensorflow.keras`` is ``keras``, ``pytorch_lightning`` is
``lightning.pytorch``). Nothing here imports an ML library.

Entry points:

* :func:`model_constructor` — a call that *builds* a model (estimator, pipeline, network,
  pretrained model, booster) -> :class:`ModelInfo` (library and kind) or None;
* :data:`MODEL_LOADERS` / :func:`model_loader` — calls that *load* a model from storage
  with a model-aware API (``mlflow.sklearn.load_model``, ``keras.models.load_model``…);
  generic pickle loaders are in :mod:`flake8_mlops.apis.serialization`;
* :func:`model_base` — a base class that makes a user class a model (``nn.Module``,
  ``BaseEstimator``, ``LightningModule``, ``keras.Model``…);
* :func:`model_annotation` — an annotation (qualified name) that types a model;
* :data:`FIT_METHODS`, :data:`TRAIN_METHODS`, :data:`STATE_DICT_METHODS`,
  :data:`MODULE_PASSTHROUGH_METHODS` — method names with model meaning;
* :func:`is_model_name` — the "a variable spelled like a model" heuristic;
* :data:`PICKLE_DUMPERS` — calls that write an arbitrary object as a pickle;
* :data:`NATIVE_SAVE_FIX` — per library, the format to use instead of a pickle.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, NamedTuple, Optional


class ModelInfo(NamedTuple):
    #: "sklearn", "xgboost", "lightgbm", "catboost", "torch", "keras", "transformers",
    #: "sentence_transformers", "statsmodels", "prophet", "gensim", "fastai", "other"
    library: str
    #: "estimator" (predicts), "transformer" (preprocessing: scalers, encoders,
    #: vectorizers, PCA…), "pipeline" (Pipeline/make_pipeline/ColumnTransformer…),
    #: "search" (GridSearchCV…), "network" (nn.Module, keras model), "booster"
    #: (xgboost/lightgbm native), "pretrained" (hub model), "trainer" (HF/Lightning
    #: Trainer holding a model)
    kind: str


# ------------------------------------------------------------------ scikit-learn
#: sklearn sub-packages whose public classes are predictors
SKLEARN_ESTIMATOR_MODULES: FrozenSet[str] = frozenset(
    {
        "linear_model", "ensemble", "tree", "svm", "neighbors", "naive_bayes",
        "neural_network", "discriminant_analysis", "gaussian_process", "kernel_ridge",
        "cluster", "mixture", "isotonic", "cross_decomposition", "semi_supervised",
        "multiclass", "multioutput", "calibration", "dummy", "covariance", "frozen",
    }
)
#: sklearn sub-packages whose public classes are (fitted) preprocessing transformers
SKLEARN_TRANSFORMER_MODULES: FrozenSet[str] = frozenset(
    {
        "preprocessing", "feature_extraction", "feature_selection", "decomposition",
        "impute", "manifold", "random_projection", "kernel_approximation",
    }
)
#: classes in those packages that are not fitted models
SKLEARN_NOT_MODELS: FrozenSet[str] = frozenset(
    {"KDTree", "BallTree", "DistanceMetric"}
)
#: explicit sklearn names outside the module rule above
SKLEARN_EXPLICIT: Dict[str, ModelInfo] = {
    "sklearn.pipeline.Pipeline": ModelInfo("sklearn", "pipeline"),
    "sklearn.pipeline.make_pipeline": ModelInfo("sklearn", "pipeline"),
    "sklearn.pipeline.FeatureUnion": ModelInfo("sklearn", "pipeline"),
    "sklearn.pipeline.make_union": ModelInfo("sklearn", "pipeline"),
    "sklearn.compose.ColumnTransformer": ModelInfo("sklearn", "pipeline"),
    "sklearn.compose.make_column_transformer": ModelInfo("sklearn", "pipeline"),
    "sklearn.compose.TransformedTargetRegressor": ModelInfo("sklearn", "estimator"),
    "sklearn.model_selection.GridSearchCV": ModelInfo("sklearn", "search"),
    "sklearn.model_selection.RandomizedSearchCV": ModelInfo("sklearn", "search"),
    "sklearn.model_selection.HalvingGridSearchCV": ModelInfo("sklearn", "search"),
    "sklearn.model_selection.HalvingRandomSearchCV": ModelInfo("sklearn", "search"),
    "sklearn.model_selection.TunedThresholdClassifierCV": ModelInfo("sklearn", "estimator"),
    "sklearn.model_selection.FixedThresholdClassifier": ModelInfo("sklearn", "estimator"),
    "sklearn.feature_selection.RFE": ModelInfo("sklearn", "transformer"),
    "sklearn.base.clone": ModelInfo("sklearn", "estimator"),
    # imbalanced-learn pipelines and ensembles follow the sklearn API
    "imblearn.pipeline.Pipeline": ModelInfo("sklearn", "pipeline"),
    "imblearn.pipeline.make_pipeline": ModelInfo("sklearn", "pipeline"),
    # sklearn-compatible estimators from other packages
    "umap.UMAP": ModelInfo("sklearn", "transformer"),
    "umap.umap_.UMAP": ModelInfo("sklearn", "transformer"),
    "hdbscan.HDBSCAN": ModelInfo("sklearn", "estimator"),
    "skorch.NeuralNetClassifier": ModelInfo("torch", "estimator"),
    "skorch.NeuralNetRegressor": ModelInfo("torch", "estimator"),
    "skorch.NeuralNet": ModelInfo("torch", "estimator"),
}


def _is_class_name(name: str) -> bool:
    """``LogisticRegression``, ``PCA`` — not ``ENGLISH_STOP_WORDS`` or ``train``."""
    return bool(name) and name[0].isupper() and not (name.isupper() and "_" in name)


def _sklearn(qualname: str) -> Optional[ModelInfo]:
    explicit = SKLEARN_EXPLICIT.get(qualname)
    if explicit is not None:
        return explicit
    parts = qualname.split(".")
    if len(parts) < 3 or parts[0] not in ("sklearn", "imblearn"):
        return None
    last = parts[-1]
    if not _is_class_name(last) or last in SKLEARN_NOT_MODELS:
        return None
    sub = parts[1]
    if parts[0] == "imblearn":
        return ModelInfo("sklearn", "estimator") if sub == "ensemble" else None
    if sub in SKLEARN_ESTIMATOR_MODULES:
        return ModelInfo("sklearn", "estimator")
    if sub in SKLEARN_TRANSFORMER_MODULES:
        return ModelInfo("sklearn", "transformer")
    return None


# ------------------------------------------------------------ boosting libraries
_BOOSTERS: Dict[str, ModelInfo] = {
    **{
        f"xgboost.{mod}{cls}": ModelInfo("xgboost", "estimator")
        for mod in ("", "sklearn.", "dask.")
        for cls in (
            "XGBClassifier", "XGBRegressor", "XGBRanker", "XGBRFClassifier", "XGBRFRegressor", "XGBModel",
        )
    },
    "xgboost.train": ModelInfo("xgboost", "booster"),
    "xgboost.Booster": ModelInfo("xgboost", "booster"),
    "xgboost.core.Booster": ModelInfo("xgboost", "booster"),
    "xgboost.training.train": ModelInfo("xgboost", "booster"),
    **{
        f"lightgbm.{mod}{cls}": ModelInfo("lightgbm", "estimator")
        for mod in ("", "sklearn.", "dask.")
        for cls in ("LGBMClassifier", "LGBMRegressor", "LGBMRanker", "LGBMModel")
    },
    "lightgbm.train": ModelInfo("lightgbm", "booster"),
    "lightgbm.Booster": ModelInfo("lightgbm", "booster"),
    "lightgbm.basic.Booster": ModelInfo("lightgbm", "booster"),
    **{
        f"catboost.{cls}": ModelInfo("catboost", "estimator")
        for cls in ("CatBoostClassifier", "CatBoostRegressor", "CatBoostRanker", "CatBoost")
    },
}

# ----------------------------------------------------------------------- torch
#: ``torch.nn`` classes that are not trainable model parts
_TORCH_NN_NOT_MODELS: FrozenSet[str] = frozenset(
    {"Parameter", "UninitializedParameter", "Buffer", "UninitializedBuffer", "Module"}
)
_TORCHVISION_NOT_MODELS: FrozenSet[str] = frozenset(
    {"get_weight", "get_model_weights", "get_model_builder", "list_models", "Weights", "WeightsEnum"}
)
_TORCH_EXPLICIT: Dict[str, ModelInfo] = {
    "timm.create_model": ModelInfo("torch", "network"),
    "torch.compile": ModelInfo("torch", "network"),
    "torch.ao.quantization.quantize_dynamic": ModelInfo("torch", "network"),
    "torch.quantization.quantize_dynamic": ModelInfo("torch", "network"),
    "torch.hub.load": ModelInfo("torch", "pretrained"),
    "torchvision.models.get_model": ModelInfo("torch", "pretrained"),
    "peft.get_peft_model": ModelInfo("transformers", "pretrained"),
    "peft.PeftModel.from_pretrained": ModelInfo("transformers", "pretrained"),
}


def _torch(qualname: str) -> Optional[ModelInfo]:
    explicit = _TORCH_EXPLICIT.get(qualname)
    if explicit is not None:
        return explicit
    parts = qualname.split(".")
    last = parts[-1]
    if qualname.startswith("torch.nn.") and len(parts) >= 3:
        # torch.nn.Linear, torch.nn.modules.conv.Conv2d, torch.nn.parallel.DataParallel
        if parts[2] in ("functional", "init", "utils") or not _is_class_name(last):
            return None
        if last in _TORCH_NN_NOT_MODELS or last.endswith("Loss"):
            return None
        return ModelInfo("torch", "network")
    if qualname.startswith("torchvision.models.") and len(parts) >= 3:
        # torchvision.models.resnet18, torchvision.models.detection.fasterrcnn_resnet50_fpn
        if last in _TORCHVISION_NOT_MODELS or last.endswith("Weights") or last.startswith("_"):
            return None
        if last[0].islower() and len(parts) == 3 and last in _TORCHVISION_SUBPACKAGES:
            return None
        return ModelInfo("torch", "pretrained")
    if qualname.startswith("segmentation_models_pytorch.") and _is_class_name(last):
        return ModelInfo("torch", "network")
    return None


_TORCHVISION_SUBPACKAGES: FrozenSet[str] = frozenset(
    {"detection", "segmentation", "video", "quantization", "optical_flow", "feature_extraction"}
)

# ---------------------------------------------------------------- transformers
_HF_NOT_MODEL = re.compile(r"(Tokenizer|Config|Processor|FeatureExtractor|ImageProcessor|Collator)")
_HF_MODEL = re.compile(r"^(TF|Flax)?(AutoModel\w*|\w+For\w+|\w+Model|\w+LMHeadModel)$")
_HF_TRAINERS: FrozenSet[str] = frozenset(
    {
        "transformers.Trainer", "transformers.Seq2SeqTrainer", "trl.SFTTrainer",
        "trl.DPOTrainer", "trl.RewardTrainer", "trl.PPOTrainer",
        "lightning.pytorch.Trainer", "lightning.Trainer", "setfit.Trainer",
    }
)


def _transformers(qualname: str) -> Optional[ModelInfo]:
    if qualname in _HF_TRAINERS:
        return ModelInfo("transformers" if not qualname.startswith("lightning") else "torch", "trainer")
    if qualname in ("transformers.pipeline", "transformers.pipelines.pipeline"):
        return ModelInfo("transformers", "pipeline")
    if qualname in ("sentence_transformers.SentenceTransformer", "sentence_transformers.CrossEncoder"):
        return ModelInfo("sentence_transformers", "pretrained")
    if not qualname.startswith("transformers."):
        return None
    parts = qualname.split(".")
    cls = parts[-1]
    if cls in ("from_pretrained", "from_config") and len(parts) >= 3:
        cls = parts[-2]
    if _HF_NOT_MODEL.search(cls) or not _HF_MODEL.match(cls):
        return None
    return ModelInfo("transformers", "pretrained")


# ----------------------------------------------------------------------- keras
_KERAS: Dict[str, ModelInfo] = {
    "keras.Sequential": ModelInfo("keras", "network"),
    "keras.Model": ModelInfo("keras", "network"),
    "keras.models.Sequential": ModelInfo("keras", "network"),
    "keras.models.Model": ModelInfo("keras", "network"),
    "keras.models.clone_model": ModelInfo("keras", "network"),
}


def _keras(qualname: str) -> Optional[ModelInfo]:
    info = _KERAS.get(qualname)
    if info is not None:
        return info
    if qualname.startswith("keras.applications.") and _is_class_name(qualname.rsplit(".", 1)[-1]):
        return ModelInfo("keras", "pretrained")
    return None


# ------------------------------------------------------------ other model libs
_STATSMODELS_CLASSES: FrozenSet[str] = frozenset(
    {
        "OLS", "WLS", "GLS", "GLM", "Logit", "Probit", "MNLogit", "Poisson",
        "NegativeBinomial", "QuantReg", "MixedLM", "RLM", "ARIMA", "SARIMAX",
        "ExponentialSmoothing", "SimpleExpSmoothing", "Holt", "VAR", "AutoReg", "UnobservedComponents",
    }
)
_STATSMODELS_FORMULAS: FrozenSet[str] = frozenset(
    {
        "ols", "wls", "gls", "glm", "logit", "probit", "mnlogit", "poisson",
        "negativebinomial", "quantreg", "mixedlm", "rlm",
    }
)
_OTHER: Dict[str, ModelInfo] = {
    "prophet.Prophet": ModelInfo("prophet", "estimator"),
    "fbprophet.Prophet": ModelInfo("prophet", "estimator"),
    "pmdarima.auto_arima": ModelInfo("statsmodels", "estimator"),
    "pmdarima.ARIMA": ModelInfo("statsmodels", "estimator"),
    "pmdarima.arima.auto_arima": ModelInfo("statsmodels", "estimator"),
    "fastai.learner.Learner": ModelInfo("fastai", "trainer"),
    "fastai.vision.all.vision_learner": ModelInfo("fastai", "trainer"),
    "fastai.vision.all.cnn_learner": ModelInfo("fastai", "trainer"),
    "fastai.tabular.all.tabular_learner": ModelInfo("fastai", "trainer"),
    "fastai.text.all.text_classifier_learner": ModelInfo("fastai", "trainer"),
}


def _other(qualname: str) -> Optional[ModelInfo]:
    info = _OTHER.get(qualname)
    if info is not None:
        return info
    parts = qualname.split(".")
    last = parts[-1]
    if parts[0] == "statsmodels":
        if last in _STATSMODELS_CLASSES:
            return ModelInfo("statsmodels", "estimator")
        if last in _STATSMODELS_FORMULAS and "formula" in parts:
            return ModelInfo("statsmodels", "estimator")
        return None
    if parts[0] == "gensim" and len(parts) >= 3 and parts[1] == "models" and _is_class_name(last):
        return ModelInfo("gensim", "estimator")
    if parts[0] == "lifelines" and last.endswith("Fitter"):
        return ModelInfo("other", "estimator")
    return None


def model_constructor(qualname: Optional[str]) -> Optional[ModelInfo]:
    """The model a call to ``qualname`` builds (class, factory or training function).

    ``sklearn.linear_model.LogisticRegression`` -> ("sklearn", "estimator"),
    ``sklearn.preprocessing.StandardScaler`` -> ("sklearn", "transformer"),
    ``xgboost.train`` -> ("xgboost", "booster"), ``torch.nn.Linear`` -> ("torch",
    "network"), ``transformers.AutoModel.from_pretrained`` -> ("transformers",
    "pretrained"). ``sklearn.model_selection.KFold``, ``torch.nn.CrossEntropyLoss``,
    ``transformers.AutoTokenizer.from_pretrained`` -> None.
    """
    if not qualname:
        return None
    info = _constructor_cache.get(qualname, _MISSING)
    if info is _MISSING:
        if len(_constructor_cache) > _CACHE_LIMIT:
            _constructor_cache.clear()
        info = _constructor_cache[qualname] = _model_constructor(qualname)
    return info  # type: ignore[return-value]


# pure functions of a name, called for the same few hundred names over and over:
# remembered (bounded) per process
_MISSING = object()
_CACHE_LIMIT = 50_000
_constructor_cache: Dict[str, Optional[ModelInfo]] = {}
_model_name_cache: Dict[str, bool] = {}


def _model_constructor(qualname: str) -> Optional[ModelInfo]:
    head = qualname.split(".", 1)[0]
    if head in ("sklearn", "imblearn", "umap", "hdbscan", "skorch"):
        return _sklearn(qualname)
    if head in ("xgboost", "lightgbm", "catboost"):
        return _BOOSTERS.get(qualname)
    if head in ("torch", "torchvision", "timm", "peft", "segmentation_models_pytorch"):
        return _torch(qualname)
    if head in ("transformers", "sentence_transformers", "trl", "lightning", "setfit"):
        return _transformers(qualname)
    if head == "keras":
        return _keras(qualname)
    return _other(qualname)


# --------------------------------------------------------------------- loaders
_MLFLOW_FLAVOR_LIBRARY: Dict[str, str] = {
    "sklearn": "sklearn", "pytorch": "torch", "keras": "keras", "tensorflow": "keras",
    "xgboost": "xgboost", "lightgbm": "lightgbm", "catboost": "catboost",
    "transformers": "transformers", "sentence_transformers": "sentence_transformers",
    "statsmodels": "statsmodels", "prophet": "prophet", "pyfunc": "other",
    "onnx": "other", "spark": "other", "h2o": "other", "fastai": "fastai",
}

#: model-aware loaders (qualified name -> library). Generic pickle/joblib/torch.load
#: loaders are in ``serialization.UNSAFE_LOADERS`` (they load anything, not only models).
MODEL_LOADERS: Dict[str, str] = {
    **{f"mlflow.{flavor}.load_model": lib for flavor, lib in _MLFLOW_FLAVOR_LIBRARY.items()},
    "mlflow.pyfunc.load_pyfunc": "other",
    "keras.models.load_model": "keras",
    "keras.saving.load_model": "keras",
    "tensorflow.saved_model.load": "keras",
    "torch.jit.load": "torch",
    "skops.io.load": "sklearn",
    "onnxruntime.InferenceSession": "other",
    "xgboost.Booster": "xgboost",
    "lightgbm.Booster": "lightgbm",
    "gensim.models.Word2Vec.load": "gensim",
    "gensim.models.KeyedVectors.load": "gensim",
    "gensim.models.KeyedVectors.load_word2vec_format": "gensim",
    "fastai.learner.load_learner": "fastai",
}


def model_loader(qualname: Optional[str]) -> Optional[str]:
    """Library of the model a model-aware loader returns, else None."""
    if not qualname:
        return None
    lib = MODEL_LOADERS.get(qualname)
    if lib is None and qualname.startswith("mlflow.") and qualname.endswith(".load_model"):
        lib = "other"
    return lib


# ---------------------------------------------------------- bases, annotations
#: base classes that make a user-defined class a model
MODEL_BASES: Dict[str, ModelInfo] = {
    "torch.nn.Module": ModelInfo("torch", "network"),
    "torch.nn.modules.module.Module": ModelInfo("torch", "network"),
    "lightning.pytorch.LightningModule": ModelInfo("torch", "network"),
    "lightning.LightningModule": ModelInfo("torch", "network"),
    "lightning.pytorch.core.LightningModule": ModelInfo("torch", "network"),
    "sklearn.base.BaseEstimator": ModelInfo("sklearn", "estimator"),
    "sklearn.base.ClassifierMixin": ModelInfo("sklearn", "estimator"),
    "sklearn.base.RegressorMixin": ModelInfo("sklearn", "estimator"),
    "sklearn.base.ClusterMixin": ModelInfo("sklearn", "estimator"),
    "sklearn.base.TransformerMixin": ModelInfo("sklearn", "transformer"),
    "keras.Model": ModelInfo("keras", "network"),
    "keras.models.Model": ModelInfo("keras", "network"),
    "keras.Sequential": ModelInfo("keras", "network"),
    "transformers.PreTrainedModel": ModelInfo("transformers", "pretrained"),
    "transformers.modeling_utils.PreTrainedModel": ModelInfo("transformers", "pretrained"),
    "transformers.TFPreTrainedModel": ModelInfo("transformers", "pretrained"),
}


def model_base(qualname: Optional[str]) -> Optional[ModelInfo]:
    """Info when subclassing ``qualname`` makes a model (``class Net(nn.Module)``,
    ``class MyForest(RandomForestClassifier)``), else None."""
    if not qualname:
        return None
    info = MODEL_BASES.get(qualname)
    if info is not None:
        return info
    if _is_class_name(qualname.rsplit(".", 1)[-1]):
        return model_constructor(qualname)
    return None


def model_annotation(qualname: Optional[str]) -> Optional[ModelInfo]:
    """Info when an annotation names a model type (``nn.Module``, ``BaseEstimator``,
    ``Pipeline``, ``LogisticRegression``, ``PreTrainedModel``…), else None."""
    return model_base(qualname)


#: annotations that say "this is plain data, not a model"
DATA_ANNOTATIONS: FrozenSet[str] = frozenset(
    {
        "str", "bytes", "int", "float", "bool", "dict", "list", "tuple", "set", "Path",
        "pathlib.Path", "os.PathLike", "typing.Dict", "typing.List", "typing.Tuple",
        "typing.Mapping", "typing.Sequence", "pandas.DataFrame", "pandas.Series",
        "numpy.ndarray", "torch.Tensor",
    }
)

# ------------------------------------------------------------------- methods
#: methods that fit the receiver in place (``clf.fit(X, y)`` makes ``clf`` a fitted model)
FIT_METHODS: FrozenSet[str] = frozenset({"fit", "partial_fit", "fit_transform", "fit_predict"})
#: methods that train (for "does this module train" questions; ``train`` is ambiguous
#: on its own: ``model.train()`` in torch only switches the mode)
TRAIN_METHODS: FrozenSet[str] = frozenset({"fit", "partial_fit", "fit_generator", "train"})
#: methods whose result is the weights, not the model
STATE_DICT_METHODS: FrozenSet[str] = frozenset(
    {"state_dict", "get_weights", "named_parameters", "parameters", "get_params", "get_booster_config"}
)
#: methods that return the (same or an equivalent) model: ``model.cpu()``,
#: ``model.to(device)``, ``model.eval()``, ``clf.get_booster()``
MODULE_PASSTHROUGH_METHODS: FrozenSet[str] = frozenset(
    {"cpu", "cuda", "to", "eval", "half", "float", "double", "bfloat16", "get_booster", "merge_and_unload"}
)
#: functions whose first argument comes back as the result (by last name component)
PASSTHROUGH_FUNCTIONS: FrozenSet[str] = frozenset({"copy.deepcopy", "copy.copy"})
PASSTHROUGH_NAMES: FrozenSet[str] = frozenset({"unwrap_model", "unwrap"})
#: attributes that hold a fitted model of their owner (``grid.best_estimator_``)
MODEL_ATTRIBUTES: FrozenSet[str] = frozenset(
    {
        "best_estimator_", "estimator_", "estimators_", "best_model", "best_model_",
        "booster_", "final_estimator_",
    }
)
#: attributes of a model that still are (parts of) the model
MODEL_PART_ATTRIBUTES: FrozenSet[str] = frozenset({"module", "named_steps", "steps", "base_model", "model"})

# ------------------------------------------------------------ name heuristic
#: whole words that name a model (also plural forms and with a number: ``model2``)
MODEL_NAME_WORDS: FrozenSet[str] = frozenset(
    {
        "model", "models", "clf", "clfs", "classifier", "classifiers", "regressor",
        "regressors", "estimator", "estimators", "pipeline", "pipelines", "pipe",
        "net", "booster", "mdl", "ensemble",
    }
)
#: short algorithm tags allowed after a model word (``model_rf``, ``clf_xgb``)
MODEL_NAME_TAGS: FrozenSet[str] = frozenset(
    {
        "rf", "lr", "xgb", "lgb", "lgbm", "svm", "svc", "knn", "dt", "nb", "gb", "gbm",
        "cat", "cb", "nn", "cnn", "rnn", "lstm", "mlp", "ada", "et", "best", "final",
        "trained", "fitted", "tuned", "full", "sk", "cv",
    }
)
#: first words that make the name a function, flag, count or config rather than a model
_NOT_MODEL_HEADS: FrozenSet[str] = frozenset(
    {
        "train", "load", "build", "get", "create", "make", "fit", "save", "run", "export",
        "serve", "predict", "init", "setup", "is", "has", "use", "with", "enable", "num",
        "n", "select", "choose", "register", "evaluate", "eval", "score", "test", "tune",
        "update", "compile", "wrap", "log", "download", "upload", "fetch", "deploy", "to",
        "from", "per", "by", "for", "each", "default", "dump", "pickle", "serialize",
    }
)
_NOT_MODEL_BEFORE_LAST: FrozenSet[str] = frozenset(
    {"per", "by", "for", "of", "n", "num", "each", "to", "from"}
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def is_model_name(name: str) -> bool:
    """True for names that, bound to an unknown value, almost surely hold a model.

    ``model``, ``clf``, ``best_model``, ``rf_model``, ``finalModel``, ``model_2``,
    ``model_rf``, ``policy_net``, ``pipe``, ``classifiers`` -> True;
    ``model_path``, ``model_name``, ``n_estimators``, ``results_per_model``,
    ``train_model``, ``is_pipeline``, ``modeler`` -> False.
    """
    known = _model_name_cache.get(name)
    if known is None:
        if len(_model_name_cache) > _CACHE_LIMIT:
            _model_name_cache.clear()
        known = _model_name_cache[name] = _is_model_name(name)
    return known


def _is_model_name(name: str) -> bool:
    snake = _CAMEL.sub("_", name).lower().strip("_")
    tokens = [t for t in snake.split("_") if t]
    # drop a trailing number: model2, model_2, clf_3
    while tokens and tokens[-1].isdigit():
        tokens.pop()
    if tokens:
        tail = tokens[-1].rstrip("0123456789")
        tokens[-1] = tail or tokens[-1]
    if not tokens:
        return False
    if tokens[0] in _NOT_MODEL_HEADS and len(tokens) > 1:
        return False
    last = tokens[-1]
    if last in MODEL_NAME_WORDS:
        if len(tokens) >= 2 and tokens[-2] in _NOT_MODEL_BEFORE_LAST:
            return False
        return True
    # model_rf, clf_xgb, model_best
    if len(tokens) == 2 and tokens[0] in MODEL_NAME_WORDS and last in MODEL_NAME_TAGS:
        return True
    return False


#: receivers whose attributes are configuration, not objects (``args.model`` is a name)
CONFIG_ROOTS: FrozenSet[str] = frozenset(
    {"args", "arguments", "opt", "opts", "options", "cfg", "config", "conf", "hparams",
     "hp", "params", "settings", "flags", "FLAGS", "training_args", "model_args", "cli"}
)


# ------------------------------------------------------------------ pickling
class Dumper(NamedTuple):
    #: position and keyword of the object argument
    position: int
    keyword: str


#: calls that write an arbitrary Python object as a pickle (qualified name -> object arg)
PICKLE_DUMPERS: Dict[str, Dumper] = {
    **{
        f"{mod}.{fn}": Dumper(0, "obj")
        for mod in ("pickle", "dill", "cloudpickle")
        for fn in ("dump", "dumps")
    },
    "pickle._dump": Dumper(0, "obj"),
    "pickle._dumps": Dumper(0, "obj"),
    "joblib.dump": Dumper(0, "value"),
    "joblib.numpy_pickle.dump": Dumper(0, "value"),
    "torch.save": Dumper(0, "obj"),
    "torch.serialization.save": Dumper(0, "obj"),
    "pandas.to_pickle": Dumper(0, "obj"),
}
#: ``pickle.Pickler(f).dump(obj)``
PICKLER_CLASSES: FrozenSet[str] = frozenset(
    {"pickle.Pickler", "pickle._Pickler", "dill.Pickler", "cloudpickle.Pickler", "cloudpickle.CloudPickler"}
)

# ---------------------------------------------------------------- the fixes
NATIVE_SAVE_FIX: Dict[str, str] = {
    "sklearn": (
        "log it with mlflow.sklearn.log_model or save it with skops.io or ONNX "
        "(formats that record signature and dependencies)"
    ),
    "xgboost": "save it with save_model('model.json'/'.ubj') or log it with mlflow.xgboost.log_model",
    "lightgbm": "save it with booster.save_model('model.txt') or log it with mlflow.lightgbm.log_model",
    "catboost": "save it with save_model('model.cbm') or log it with mlflow.catboost.log_model",
    "torch": "save its state_dict() (ideally as safetensors) or log it with mlflow.pytorch.log_model",
    "keras": "save it with model.save('model.keras') or log it with mlflow.tensorflow.log_model",
    "transformers": (
        "save it with save_pretrained() (safetensors) or log it with mlflow.transformers.log_model"
    ),
    "sentence_transformers": (
        "save it with model.save() or log it with mlflow.sentence_transformers.log_model"
    ),
    "statsmodels": "log it with mlflow.statsmodels.log_model (records the environment and signature)",
    "prophet": "serialize it with prophet.serialize.model_to_json or log it with mlflow.prophet.log_model",
    "gensim": (
        "log it to a model registry with its environment (e.g. mlflow.pyfunc) "
        "or export the vectors in word2vec format"
    ),
    "fastai": "log it with mlflow.fastai.log_model or save the weights with learn.save()",
}
GENERIC_FIX = (
    "log it with mlflow.<flavor>.log_model, or use skops, ONNX or the library's native "
    "save_model (formats that record signature and dependencies)"
)
