"""scikit-learn facts for MLP007 (randomness), MLP016 (pipelines) and MLP017 (leakage).

Keyed by the *last* component of a qualified name under ``sklearn.`` or ``imblearn.``
(``sklearn.ensemble.RandomForestClassifier`` and the private
``sklearn.ensemble._forest.RandomForestClassifier`` are the same class). Whether a class
is an estimator or a transformer at all is answered by
:func:`flake8_mlops.apis.models.model_constructor`; this module adds what that table does
not say: which APIs draw random numbers and under which arguments, which transformers
encode *targets*, which objects resample, and which names look like held-out data.
Nothing here imports an ML library.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, NamedTuple, Optional, Tuple

from .models import model_constructor

# ------------------------------------------------------------------ randomness


class Randomness(NamedTuple):
    """When a call draws random numbers (so ``random_state`` matters).

    ``condition``:

    * ``"always"`` — every call;
    * ``"kw_true"`` — only when keyword ``keyword`` is literally ``True``
      (``KFold(shuffle=True)``, ``SVC(probability=True)``);
    * ``"kw_in"`` — only when keyword ``keyword`` is a literal in ``values``
      (``LogisticRegression(solver="saga")``, ``Lasso(selection="random")``);
    * ``"unless_false"`` — unless keyword ``keyword`` is literally ``False``
      (``train_test_split(shuffle=False)`` does not shuffle).

    ``what`` says in the message what changes between runs.
    """

    condition: str = "always"
    keyword: str = ""
    values: Tuple[str, ...] = ()
    what: str = "results change"
    #: the keyword that seeds it (``random_state`` everywhere in sklearn/imblearn)
    seed_keyword: str = "random_state"


_ALWAYS = Randomness()
_SPLIT = Randomness(what="the split changes")
_DATA = Randomness(what="the generated data changes")
_SHUFFLE = Randomness("kw_true", "shuffle", what="the folds change")
_SAG = Randomness("kw_in", "solver", ("sag", "saga"))
_RANDOM_SELECTION = Randomness("kw_in", "selection", ("random",))

#: class/function name -> when it is random (heads ``sklearn`` and ``imblearn``)
RANDOM_APIS: Dict[str, Randomness] = {
    # splitters and CV helpers
    "train_test_split": Randomness("unless_false", "shuffle", what="the split changes"),
    "ShuffleSplit": _SPLIT,
    "StratifiedShuffleSplit": _SPLIT,
    "GroupShuffleSplit": _SPLIT,
    "RepeatedKFold": Randomness(what="the folds change"),
    "RepeatedStratifiedKFold": Randomness(what="the folds change"),
    "KFold": _SHUFFLE,
    "StratifiedKFold": _SHUFFLE,
    "GroupKFold": _SHUFFLE,  # shuffle= exists since scikit-learn 1.6
    "StratifiedGroupKFold": _SHUFFLE,
    "learning_curve": Randomness("kw_true", "shuffle"),
    "RandomizedSearchCV": Randomness(what="the sampled candidates change"),
    "HalvingRandomSearchCV": Randomness(what="the sampled candidates change"),
    "ParameterSampler": Randomness(what="the sampled candidates change"),
    "permutation_importance": Randomness(what="the importances change"),
    "resample": Randomness(what="the sample changes"),
    "shuffle": Randomness(what="the order changes"),
    # trees and ensembles
    "DecisionTreeClassifier": _ALWAYS,
    "DecisionTreeRegressor": _ALWAYS,
    "ExtraTreeClassifier": _ALWAYS,
    "ExtraTreeRegressor": _ALWAYS,
    "RandomForestClassifier": _ALWAYS,
    "RandomForestRegressor": _ALWAYS,
    "ExtraTreesClassifier": _ALWAYS,
    "ExtraTreesRegressor": _ALWAYS,
    "RandomTreesEmbedding": _ALWAYS,
    "GradientBoostingClassifier": _ALWAYS,
    "GradientBoostingRegressor": _ALWAYS,
    "HistGradientBoostingClassifier": _ALWAYS,
    "HistGradientBoostingRegressor": _ALWAYS,
    "BaggingClassifier": _ALWAYS,
    "BaggingRegressor": _ALWAYS,
    "AdaBoostClassifier": _ALWAYS,
    "AdaBoostRegressor": _ALWAYS,
    "IsolationForest": _ALWAYS,
    # linear models
    "SGDClassifier": _ALWAYS,
    "SGDRegressor": _ALWAYS,
    "SGDOneClassSVM": _ALWAYS,
    "Perceptron": _ALWAYS,  # shuffle=True by default
    "PassiveAggressiveClassifier": _ALWAYS,
    "PassiveAggressiveRegressor": _ALWAYS,
    "LogisticRegression": Randomness("kw_in", "solver", ("sag", "saga", "liblinear")),
    "LogisticRegressionCV": Randomness("kw_in", "solver", ("sag", "saga", "liblinear")),
    "Ridge": _SAG,
    "RidgeClassifier": _SAG,
    "Lasso": _RANDOM_SELECTION,
    "ElasticNet": _RANDOM_SELECTION,
    "LassoCV": _RANDOM_SELECTION,
    "ElasticNetCV": _RANDOM_SELECTION,
    "MultiTaskLasso": _RANDOM_SELECTION,
    "MultiTaskElasticNet": _RANDOM_SELECTION,
    "RANSACRegressor": _ALWAYS,
    # SVMs, neural networks
    "SVC": Randomness("kw_true", "probability"),
    "NuSVC": Randomness("kw_true", "probability"),
    "MLPClassifier": _ALWAYS,
    "MLPRegressor": _ALWAYS,
    "BernoulliRBM": _ALWAYS,
    # clustering, mixtures, decompositions, embeddings
    "KMeans": _ALWAYS,  # k-means++ seeding and n_init restarts
    "MiniBatchKMeans": _ALWAYS,
    "BisectingKMeans": _ALWAYS,
    "SpectralClustering": _ALWAYS,
    "GaussianMixture": _ALWAYS,
    "BayesianGaussianMixture": _ALWAYS,
    "TruncatedSVD": _ALWAYS,  # algorithm="randomized" by default
    "LatentDirichletAllocation": _ALWAYS,
    "FastICA": _ALWAYS,
    "DictionaryLearning": _ALWAYS,
    "MiniBatchDictionaryLearning": _ALWAYS,
    "SparsePCA": _ALWAYS,
    "MiniBatchSparsePCA": _ALWAYS,
    "TSNE": Randomness(what="the embedding changes"),
    "GaussianRandomProjection": _ALWAYS,
    "SparseRandomProjection": _ALWAYS,
    "RBFSampler": _ALWAYS,
    "Nystroem": _ALWAYS,
    "SkewedChi2Sampler": _ALWAYS,
    "DummyClassifier": Randomness("kw_in", "strategy", ("stratified", "uniform")),
    # dataset generators
    **{
        name: _DATA
        for name in (
            "make_classification", "make_regression", "make_blobs", "make_moons",
            "make_circles", "make_friedman1", "make_friedman2", "make_friedman3",
            "make_multilabel_classification", "make_gaussian_quantiles",
            "make_hastie_10_2", "make_s_curve", "make_swiss_roll", "make_low_rank_matrix",
            "make_sparse_uncorrelated", "make_biclusters", "make_checkerboard",
        )
    },
    # imbalanced-learn samplers and ensembles
    **{
        name: _ALWAYS
        for name in (
            "SMOTE", "SMOTENC", "SMOTEN", "ADASYN", "BorderlineSMOTE", "SVMSMOTE", "KMeansSMOTE",
            "RandomOverSampler", "RandomUnderSampler", "ClusterCentroids", "SMOTETomek",
            "SMOTEENN", "BalancedRandomForestClassifier", "BalancedBaggingClassifier",
            "EasyEnsembleClassifier", "RUSBoostClassifier",
        )
    },
}

#: meta-estimators that seed the estimators they are given from their own
#: ``random_state`` (``BaggingClassifier(DecisionTreeClassifier(), random_state=0)``
#: makes the inner tree reproducible): the inner call is not judged
SEEDING_WRAPPERS: FrozenSet[str] = frozenset(
    {
        "BaggingClassifier", "BaggingRegressor", "AdaBoostClassifier", "AdaBoostRegressor",
        "BalancedBaggingClassifier", "EasyEnsembleClassifier", "RUSBoostClassifier",
    }
)

_SKLEARN_HEADS = ("sklearn", "imblearn")


def sklearn_last(qualname: Optional[str]) -> Optional[str]:
    """``"RandomForestClassifier"`` for any ``sklearn.``/``imblearn.`` qualified name."""
    if not qualname:
        return None
    head, _, rest = qualname.partition(".")
    if head not in _SKLEARN_HEADS or not rest:
        return None
    return qualname.rsplit(".", 1)[-1]


def randomness(qualname: Optional[str]) -> Optional[Randomness]:
    """When a call of ``qualname`` is random, else None (not random or unknown)."""
    last = sklearn_last(qualname)
    if last is None:
        return None
    return RANDOM_APIS.get(last)


# ------------------------------------------------------------- transformers

#: transformers that encode the *target* (labels), not features: fitted on ``y`` they
#: neither leak (the class set is known) nor belong in a feature pipeline
TARGET_TRANSFORMERS: FrozenSet[str] = frozenset(
    {"LabelEncoder", "LabelBinarizer", "MultiLabelBinarizer"}
)
#: transformers with no ``transform`` for new rows (fit_transform only): they cannot
#: travel with a model, so MLP016 has no fix to offer (MLP017 still judges them)
NO_TRANSFORM: FrozenSet[str] = frozenset({"TSNE", "MDS", "SpectralEmbedding"})

#: sklearn-compatible transformers outside scikit-learn (qualified name prefixes)
EXTRA_TRANSFORMER_PREFIXES: Tuple[str, ...] = (
    "category_encoders.",
    "feature_engine.",
)
#: feature selectors: sklearn.feature_selection.* and these
SELECTOR_MODULE = "sklearn.feature_selection."

#: what kind of object a constructor call builds, for MLP016/MLP017
TRANSFORMER = "transformer"
TARGET = "target"  # LabelEncoder & co
SAMPLER = "sampler"  # imblearn over/under-samplers (fit_resample)
ESTIMATOR = "estimator"  # predicts: sklearn/xgboost/lightgbm/catboost/keras models
PIPELINE = "pipeline"  # Pipeline/make_pipeline/ColumnTransformer/FeatureUnion


_object_kinds: Dict[str, Optional[str]] = {}


def object_kind(qualname: Optional[str]) -> Optional[str]:
    """TRANSFORMER / TARGET / SAMPLER / ESTIMATOR / PIPELINE for a constructor, else None.
    Cached per name (bounded: names come from the linted code)."""
    if not qualname:
        return None
    try:
        return _object_kinds[qualname]
    except KeyError:
        pass
    if len(_object_kinds) > 50_000:
        _object_kinds.clear()
    kind = _object_kinds[qualname] = _object_kind(qualname)
    return kind


def _object_kind(qualname: str) -> Optional[str]:
    last = qualname.rsplit(".", 1)[-1]
    head = qualname.split(".", 1)[0]
    sub = qualname.split(".")[1:2]
    if head == "imblearn" and sub in (["over_sampling"], ["under_sampling"], ["combine"]):
        return SAMPLER
    if qualname.startswith(EXTRA_TRANSFORMER_PREFIXES) and last[:1].isupper():
        return TRANSFORMER
    info = model_constructor(qualname)
    if info is None:
        return None
    if info.kind == "transformer":
        return TARGET if last in TARGET_TRANSFORMERS else TRANSFORMER
    if info.kind == "pipeline":
        return PIPELINE
    if info.kind in ("estimator", "search"):
        if qualname == "sklearn.base.clone":
            return None
        return ESTIMATOR
    if info.kind == "network" and info.library == "keras":
        return ESTIMATOR
    return None


#: names of unknown origin that almost surely hold a (feature) transformer
TRANSFORMER_NAME_WORDS: FrozenSet[str] = frozenset(
    {
        "scaler", "scalar", "imputer", "encoder", "enc", "ohe", "vectorizer", "vectoriser",
        "vectorize", "vect", "vec", "tfidf", "pca", "svd", "selector", "normalizer",
        "normaliser", "binarizer", "discretizer", "kbest", "poly", "standardizer",
    }
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def name_tokens(name: str) -> Tuple[str, ...]:
    """``X_test_scaled`` -> (x, test, scaled); ``testDF`` -> (test, df)."""
    snake = _CAMEL.sub("_", name).lower()
    return tuple(t for t in re.split(r"[_\d]+", snake) if t)


def is_transformer_name(name: str) -> bool:
    """``scaler``, ``std_scaler``, ``tfidf_vec``, ``ohe`` -> True; ``scaler_path`` -> False."""
    tokens = name_tokens(name)
    return bool(tokens) and tokens[-1] in TRANSFORMER_NAME_WORDS


# ----------------------------------------------------------- held-out data names

#: whole words that mark held-out data
_HELDOUT_WORDS: FrozenSet[str] = frozenset(
    {"test", "tst", "val", "valid", "validation", "holdout", "heldout", "oot"}
)
#: words that make it training data after all (``X_train_val``, ``trainval_df``,
#: ``full_df``) or not data (``test_size``, ``val_ratio``, ``test_path``)
_NOT_HELDOUT_WORDS: FrozenSet[str] = frozenset(
    {
        "train", "trn", "tr", "trainval", "full", "all", "fit", "size", "ratio", "frac",
        "split", "path", "dir", "file", "url", "idx", "index", "indices", "ids", "mask",
        "pct", "fraction", "loss", "score", "scores", "acc", "metric", "metrics", "pred",
        "preds", "predictions", "proba", "probs", "fn", "func", "loader", "dl", "steps",
        "batches", "freq", "every", "interval", "n", "num", "count", "p", "oof", "logits",
        "margin", "margins",
    }
)
#: compact spellings: ``Xte``, ``xtest``, ``Xval``, ``ytest``, ``X_te``
_COMPACT_HELDOUT = re.compile(r"^[xXyY]_?(te|test|tst|va|val|valid|ho)$")


def is_heldout_name(name: str) -> bool:
    """True for names of test/validation data: ``X_test``, ``test_df``, ``df_val``,
    ``x_valid``, ``valid_texts``, ``Xte``, ``X_holdout``, ``test``.

    False for ``X_train``, ``X_train_val``, ``test_size``, ``val_loss``, ``test_path``,
    ``latest``, ``contest_df``, ``interval``.
    """
    if _COMPACT_HELDOUT.match(name):
        return True
    tokens = name_tokens(name)
    if not tokens:
        return False
    if any(t in _NOT_HELDOUT_WORDS for t in tokens):
        return False
    return any(t in _HELDOUT_WORDS for t in tokens)


#: fitting methods (for "fitted on held-out data")
FIT_CALLS: FrozenSet[str] = frozenset({"fit", "fit_transform", "partial_fit", "fit_predict", "fit_resample"})
#: methods whose result is the transformer's output
TRANSFORM_CALLS: FrozenSet[str] = frozenset({"transform", "fit_transform"})

#: library functions that wrap or combine arrays/frames without changing their rows'
#: origin: their result holds what their data arguments held
DATA_WRAPPERS_PREFIXES: Tuple[str, ...] = (
    "numpy.", "pandas.", "scipy.sparse.", "torch.tensor", "torch.from_numpy",
    "torch.as_tensor", "torch.Tensor", "torch.FloatTensor", "tensorflow.convert_to_tensor",
    "tensorflow.constant", "xgboost.DMatrix", "lightgbm.Dataset", "catboost.Pool",
)

#: library functions that train on their data arguments (arg position of the data)
TRAINING_FUNCTIONS: Dict[str, Tuple[int, str]] = {
    "xgboost.train": (1, "dtrain"),
    "lightgbm.train": (1, "train_set"),
}

#: functions that fit a clone of their estimator on their ``X`` (position 1)
CV_FUNCTIONS: FrozenSet[str] = frozenset(
    {
        "cross_val_score", "cross_validate", "cross_val_predict", "learning_curve",
        "validation_curve", "permutation_test_score",
    }
)

#: estimators that are *meant* to be fitted on held-out data (calibration of a prefit
#: model, blending/stacking meta-learners, threshold tuning)
HELDOUT_FITTERS: FrozenSet[str] = frozenset(
    {
        "CalibratedClassifierCV", "IsotonicRegression", "FrozenEstimator",
        "FixedThresholdClassifier", "TunedThresholdClassifierCV",
    }
)
_HELDOUT_FITTER_WORDS: FrozenSet[str] = frozenset(
    {"calib", "calibrator", "calibrated", "calibration", "isotonic", "iso", "platt",
     "blender", "blend", "meta", "stacker", "temperature", "threshold"}
)


def is_heldout_fitter_name(name: str) -> bool:
    """``calibrator``, ``iso_reg``, ``meta_model``, ``blender`` -> True."""
    return any(t in _HELDOUT_FITTER_WORDS for t in name_tokens(name))


#: split functions (outputs: train/test pairs per input array)
SPLIT_FUNCTIONS: FrozenSet[str] = frozenset({"train_test_split"})
