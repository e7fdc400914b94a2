"""Estimator facts for MLP110 (hyperparameters-implicit) and MLP111 (scaler-missing).

Keyed like :mod:`flake8_mlops.apis.sklearn_api`: scikit-learn (and imbalanced-learn)
classes by the *last* component of their qualified name (``sklearn.svm.SVC`` and
``sklearn.svm._classes.SVC`` are the same class), torch optimizers by qualified name.
Nothing here imports an ML library.

Decisions recorded here (the rule pages repeat them):

* **MLP110 judges scikit-learn estimators and torch optimizers only**, as the catalogue
  words it. XGBoost, LightGBM and CatBoost wrappers are not judged: the catalogue names
  scikit-learn, and ``xgb.XGBClassifier()`` with no arguments is also the documented way
  to build an empty model before ``load_model(path)``.
* Preprocessing transformers, scalers, encoders, imputers, vectorisers, decompositions,
  pipelines, searches, dummy estimators, meta-estimators (``OneVsRestClassifier``…), the
  self-tuning ``*CV`` estimators (``LogisticRegressionCV``, ``RidgeCV``…) and estimators
  with no hyperparameter worth setting (``LinearRegression``, ``GaussianNB``,
  ``LinearDiscriminantAnalysis``, ``NearestNeighbors``…) are not in :data:`HYPERPARAMETERS`.
* **MLP111's scale-sensitive set** is the catalogue's list (SVC/SVR, KNeighbors*, PCA,
  penalised LogisticRegression, MLP*, KMeans, SGD*) plus their direct siblings
  (NuSVC/NuSVR/LinearSVC/LinearSVR, RadiusNeighbors*, KernelPCA, LogisticRegressionCV,
  MiniBatchKMeans). Ridge/Lasso/ElasticNet are scale-sensitive through their penalty but
  are not in the catalogue's list and are not judged.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Optional, Tuple

from .sklearn_api import sklearn_last

# ------------------------------------------------------------------ MLP110

#: scikit-learn / imbalanced-learn estimators whose hyperparameters are worth setting,
#: with the ones the message suggests
HYPERPARAMETERS: Dict[str, Tuple[str, ...]] = {
    # ensembles
    "RandomForestClassifier": ("n_estimators", "max_depth", "min_samples_leaf"),
    "RandomForestRegressor": ("n_estimators", "max_depth", "min_samples_leaf"),
    "ExtraTreesClassifier": ("n_estimators", "max_depth", "min_samples_leaf"),
    "ExtraTreesRegressor": ("n_estimators", "max_depth", "min_samples_leaf"),
    "GradientBoostingClassifier": ("n_estimators", "learning_rate", "max_depth"),
    "GradientBoostingRegressor": ("n_estimators", "learning_rate", "max_depth"),
    "HistGradientBoostingClassifier": ("learning_rate", "max_iter", "max_leaf_nodes"),
    "HistGradientBoostingRegressor": ("learning_rate", "max_iter", "max_leaf_nodes"),
    "AdaBoostClassifier": ("n_estimators", "learning_rate"),
    "AdaBoostRegressor": ("n_estimators", "learning_rate"),
    "BaggingClassifier": ("n_estimators", "max_samples"),
    "BaggingRegressor": ("n_estimators", "max_samples"),
    "IsolationForest": ("n_estimators", "contamination"),
    "BalancedRandomForestClassifier": ("n_estimators", "max_depth", "sampling_strategy"),
    # trees
    "DecisionTreeClassifier": ("max_depth", "min_samples_leaf"),
    "DecisionTreeRegressor": ("max_depth", "min_samples_leaf"),
    "ExtraTreeClassifier": ("max_depth", "min_samples_leaf"),
    "ExtraTreeRegressor": ("max_depth", "min_samples_leaf"),
    # SVMs
    "SVC": ("C", "kernel", "gamma"),
    "SVR": ("C", "epsilon", "gamma"),
    "NuSVC": ("nu", "kernel", "gamma"),
    "NuSVR": ("nu", "C", "gamma"),
    "LinearSVC": ("C",),
    "LinearSVR": ("C", "epsilon"),
    "OneClassSVM": ("nu", "gamma"),
    # regularised linear models
    "LogisticRegression": ("C", "penalty"),
    "Ridge": ("alpha",),
    "RidgeClassifier": ("alpha",),
    "Lasso": ("alpha",),
    "ElasticNet": ("alpha", "l1_ratio"),
    "LassoLars": ("alpha",),
    "SGDClassifier": ("loss", "alpha", "penalty"),
    "SGDRegressor": ("loss", "alpha", "penalty"),
    "PassiveAggressiveClassifier": ("C",),
    "PassiveAggressiveRegressor": ("C",),
    "HuberRegressor": ("epsilon", "alpha"),
    "QuantileRegressor": ("quantile", "alpha"),
    "PoissonRegressor": ("alpha",),
    "GammaRegressor": ("alpha",),
    "TweedieRegressor": ("power", "alpha"),
    "KernelRidge": ("alpha", "kernel"),
    # neighbours
    "KNeighborsClassifier": ("n_neighbors", "weights"),
    "KNeighborsRegressor": ("n_neighbors", "weights"),
    "RadiusNeighborsClassifier": ("radius", "weights"),
    "RadiusNeighborsRegressor": ("radius", "weights"),
    "LocalOutlierFactor": ("n_neighbors", "contamination"),
    # neural networks
    "MLPClassifier": ("hidden_layer_sizes", "alpha", "learning_rate_init"),
    "MLPRegressor": ("hidden_layer_sizes", "alpha", "learning_rate_init"),
    # naive Bayes with a smoothing prior
    "MultinomialNB": ("alpha",),
    "BernoulliNB": ("alpha",),
    "ComplementNB": ("alpha",),
    "CategoricalNB": ("alpha",),
    # clustering and mixtures
    "KMeans": ("n_clusters",),
    "MiniBatchKMeans": ("n_clusters", "batch_size"),
    "BisectingKMeans": ("n_clusters",),
    "DBSCAN": ("eps", "min_samples"),
    "HDBSCAN": ("min_cluster_size",),
    "OPTICS": ("min_samples",),
    "AgglomerativeClustering": ("n_clusters", "linkage"),
    "SpectralClustering": ("n_clusters",),
    "Birch": ("n_clusters", "threshold"),
    "GaussianMixture": ("n_components", "covariance_type"),
    "BayesianGaussianMixture": ("n_components", "covariance_type"),
    "EllipticEnvelope": ("contamination",),
    # gaussian processes
    "GaussianProcessClassifier": ("kernel",),
    "GaussianProcessRegressor": ("kernel", "alpha"),
}

#: keywords that configure running, output or bookkeeping, not the model: setting only
#: these still leaves every hyperparameter at its default
NOT_HYPERPARAMETERS: FrozenSet[str] = frozenset(
    {
        "random_state", "n_jobs", "verbose", "copy", "copy_X", "cache_size",
        "oob_score", "warm_start", "memory", "precompute",
        # torch optimizers: implementation switches
        "foreach", "fused", "capturable", "differentiable",
    }
)

#: torch optimizers (``torch.optim.<name>``) -> the default learning rate (for messages)
TORCH_OPTIMIZERS: Dict[str, str] = {
    "SGD": "0.001",
    "Adam": "0.001",
    "AdamW": "0.001",
    "Adamax": "0.002",
    "NAdam": "0.002",
    "RAdam": "0.001",
    "RMSprop": "0.01",
    "Adagrad": "0.01",
    "Adadelta": "1.0",
    "ASGD": "0.01",
    "Rprop": "0.01",
    "LBFGS": "1",
    "SparseAdam": "0.001",
    "Adafactor": "0.01",
}


def torch_optimizer(qualname: Optional[str]) -> Optional[str]:
    """``"Adam"`` for ``torch.optim.Adam`` / ``torch.optim.adam.Adam``, else None."""
    if not qualname or not qualname.startswith("torch.optim."):
        return None
    parts = qualname.split(".")
    if len(parts) not in (3, 4) or (len(parts) == 4 and parts[2] in ("lr_scheduler", "swa_utils")):
        return None
    last = parts[-1]
    return last if last in TORCH_OPTIMIZERS else None


def tunable_estimator(qualname: Optional[str]) -> Optional[Tuple[str, Tuple[str, ...]]]:
    """(class name, suggested hyperparameters) for an estimator MLP110 judges."""
    last = sklearn_last(qualname)
    if last is None:
        return None
    keys = HYPERPARAMETERS.get(last)
    return (last, keys) if keys is not None else None


#: hyperparameter searches -> position and keyword of their grid argument
SEARCHES: Dict[str, Tuple[int, str]] = {
    "sklearn.model_selection.GridSearchCV": (1, "param_grid"),
    "sklearn.model_selection.RandomizedSearchCV": (1, "param_distributions"),
    "sklearn.model_selection.HalvingGridSearchCV": (1, "param_grid"),
    "sklearn.model_selection.HalvingRandomSearchCV": (1, "param_distributions"),
    "skopt.BayesSearchCV": (1, "search_spaces"),
    "skopt.searchcv.BayesSearchCV": (1, "search_spaces"),
    "optuna.integration.OptunaSearchCV": (1, "param_distributions"),
    "optuna_integration.OptunaSearchCV": (1, "param_distributions"),
    "tune_sklearn.TuneSearchCV": (1, "param_distributions"),
    "tune_sklearn.TuneGridSearchCV": (1, "param_grid"),
}


def search_grid_position(qualname: Optional[str]) -> Optional[Tuple[int, str]]:
    if not qualname:
        return None
    found = SEARCHES.get(qualname)
    if found is not None:
        return found
    last = sklearn_last(qualname)
    if last is not None:
        return SEARCHES.get("sklearn.model_selection." + last)
    return None


# ------------------------------------------------------------------ MLP111

#: scale-sensitive estimators (by class name)
SCALE_SENSITIVE: FrozenSet[str] = frozenset(
    {
        "SVC", "SVR", "NuSVC", "NuSVR", "LinearSVC", "LinearSVR",
        "KNeighborsClassifier", "KNeighborsRegressor",
        "RadiusNeighborsClassifier", "RadiusNeighborsRegressor",
        "PCA", "KernelPCA",
        "LogisticRegression", "LogisticRegressionCV",
        "MLPClassifier", "MLPRegressor",
        "KMeans", "MiniBatchKMeans",
        "SGDClassifier", "SGDRegressor",
    }
)
#: of those, the ones that are scale-sensitive only through their penalty
PENALISED: FrozenSet[str] = frozenset({"LogisticRegression", "LogisticRegressionCV"})

#: scaler classes (a step or a fitted object that puts features on one scale)
SCALER_CLASSES: FrozenSet[str] = frozenset(
    {
        "StandardScaler", "MinMaxScaler", "MaxAbsScaler", "RobustScaler", "Normalizer",
        "QuantileTransformer", "PowerTransformer",
        # row-normalising vectorisers (norm="l2" by default)
        "TfidfVectorizer", "TfidfTransformer", "HashingVectorizer",
    }
)
#: scaling functions (``sklearn.preprocessing.scale(X)``)
SCALER_FUNCTIONS: FrozenSet[str] = frozenset(
    {
        "scale", "minmax_scale", "maxabs_scale", "robust_scale", "normalize",
        "quantile_transform", "power_transform",
    }
)
#: non-sklearn calls whose result is normalised vectors
OTHER_NORMALISERS: FrozenSet[str] = frozenset(
    {"torch.nn.functional.normalize", "faiss.normalize_L2", "scipy.stats.zscore"}
)
#: sklearn transformers known *not* to rescale features: a pipeline step of these
#: classes is no scaler (every other resolved transformer gets the benefit of the doubt)
NON_SCALING: FrozenSet[str] = frozenset(
    {
        "SimpleImputer", "KNNImputer", "IterativeImputer", "MissingIndicator",
        "OrdinalEncoder", "TargetEncoder", "LabelEncoder",
        "PolynomialFeatures", "SplineTransformer",
        "CountVectorizer", "DictVectorizer", "FeatureHasher",
        "SelectKBest", "SelectPercentile", "VarianceThreshold", "SelectFromModel", "RFE",
        "RFECV", "SequentialFeatureSelector", "GenericUnivariateSelect",
        "PCA", "TruncatedSVD", "KernelPCA", "IncrementalPCA", "FastICA", "NMF",
        # imbalanced-learn samplers keep the feature scale
        "SMOTE", "SMOTENC", "SMOTEN", "ADASYN", "BorderlineSMOTE", "SVMSMOTE",
        "RandomOverSampler", "RandomUnderSampler", "SMOTETomek", "SMOTEENN",
        "NearMiss", "TomekLinks", "EditedNearestNeighbours",
    }
)
#: transformers whose whole output is 0/1 columns: a pipeline step of these leaves
#: nothing to rescale (but inside a ColumnTransformer they say nothing about the
#: other columns)
BINARY_OUTPUT: FrozenSet[str] = frozenset(
    {"OneHotEncoder", "Binarizer", "LabelBinarizer", "MultiLabelBinarizer", "KBinsDiscretizer"}
)
#: pipeline builders (steps are ``(name, est)`` pairs or positional estimators)
PIPELINES: FrozenSet[str] = frozenset({"Pipeline", "make_pipeline"})
#: containers whose parts may hold a scaler (``ColumnTransformer`` & co)
UNIONS: FrozenSet[str] = frozenset(
    {"ColumnTransformer", "make_column_transformer", "FeatureUnion", "make_union"}
)


def is_scale_sensitive(last: Optional[str]) -> bool:
    return last in SCALE_SENSITIVE if last else False


def is_scaler_class(last: Optional[str]) -> bool:
    return last in SCALER_CLASSES if last else False


def is_scaling_function(qualname: Optional[str]) -> bool:
    if not qualname:
        return False
    if qualname in OTHER_NORMALISERS:
        return True
    last = sklearn_last(qualname)
    return last in SCALER_FUNCTIONS if last else False


#: datasets whose features are on one scale by construction (synthetic generators)
SYNTHETIC_PREFIX = "sklearn.datasets.make_"
#: loaders of raw tabular data
RAW_LOADER_PREFIXES: Tuple[str, ...] = (
    "pandas.read_", "sklearn.datasets.load_", "sklearn.datasets.fetch_",
    "numpy.load", "numpy.loadtxt", "numpy.genfromtxt", "polars.read_",
)
