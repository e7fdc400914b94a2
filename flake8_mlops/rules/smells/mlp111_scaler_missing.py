"""MLP111 scaler-missing."""

from __future__ import annotations

import ast
import re
from typing import Dict, List, Optional, Tuple

from ... import lazy_re
from ...apis.estimators import (
    BINARY_OUTPUT,
    NON_SCALING,
    PENALISED,
    PIPELINES,
    RAW_LOADER_PREFIXES,
    SCALER_CLASSES,
    SYNTHETIC_PREFIX,
    UNIONS,
    is_scale_sensitive,
    is_scaling_function,
)
from ...apis.sklearn_api import CV_FUNCTIONS, name_tokens as _name_tokens, sklearn_last
from ...registry import Rule, register
from ._estimators import Bindings, in_test_code, unwrap_fit

# provenance of a data expression
RAW = "raw"  # traced to a loader, never scaled
OK = "ok"  # scaled, normalised, or on one scale by construction (embeddings, toy data)
UNKNOWN = "unknown"

_FIT_METHODS = frozenset({"fit", "fit_predict", "fit_transform", "partial_fit"})
#: methods that keep the values of the data they are called on
_SAME_VALUES = frozenset(
    {
        "drop", "dropna", "fillna", "astype", "to_numpy", "copy", "reshape", "select_dtypes",
        "sample", "reset_index", "set_index", "head", "tail", "query", "sort_values", "ravel",
        "squeeze", "filter", "drop_duplicates", "rename", "to_frame", "infer_objects",
        "sort_index", "take", "loc", "iloc",
    }
)
#: numpy/pandas functions that combine arrays without changing values
_COMBINERS = frozenset(
    {
        "numpy.array", "numpy.asarray", "numpy.hstack", "numpy.vstack", "numpy.concatenate",
        "numpy.column_stack", "numpy.stack", "numpy.asanyarray", "numpy.ascontiguousarray",
        "pandas.DataFrame", "pandas.concat", "pandas.get_dummies", "pandas.merge",
    }
)
#: methods that return embedding vectors (one scale by construction)
_EMBEDDING_METHODS = frozenset(
    {"encode", "embed_documents", "embed_query", "get_text_features", "get_image_features"}
)
_EMBED_WORDS = frozenset({"embed", "embeds", "embedding", "embeddings", "embedder"})
_SCALE_WORDS = frozenset(
    {
        "scaled", "scale", "scaler", "std", "standardized", "standardised", "standardize",
        "standardise", "normalized", "normalised", "normalize", "normalise", "norm", "normed",
        "zscore", "minmax", "emb", "embs", "embedding", "embeddings", "vectors", "tfidf",
    }
)
_SCALER_OBJ_WORDS = frozenset(
    {"scaler", "scalar", "normalizer", "normaliser", "standardizer", "tfidf", "sc", "ss", "mms"}
)
_SCALE_CALL = lazy_re.compile(r"(scal|normali[sz]|standardi[sz]|zscore)", re.I)


def _scale_call(text: str) -> bool:
    """``_SCALE_CALL.search(text)``, without compiling the pattern for ASCII text (all but
    exotic names): there case-insensitive matching is matching the lower-cased text."""
    if text.isascii():
        low = text.lower()
        return (
            "scal" in low or "normalis" in low or "normaliz" in low or "standardis" in low
            or "standardiz" in low or "zscore" in low
        )
    return _SCALE_CALL.search(text) is not None


#: random draws are synthetic data on one scale (``rng.normal(size=(50, 3))``)
_RANDOM_PREFIXES = ("numpy.random.", "torch.randn", "torch.rand")
_RANDOM_DRAWS = frozenset(
    {"normal", "standard_normal", "uniform", "random", "rand", "randn", "multivariate_normal"}
)
_PLOTTING = frozenset({"matplotlib", "seaborn", "plotly", "altair", "bokeh"})
_SEARCHES = frozenset(
    {"GridSearchCV", "RandomizedSearchCV", "HalvingGridSearchCV", "HalvingRandomSearchCV"}
)


_Attribute = ast.Attribute
_Name = ast.Name
_TOKENS: Dict[str, Tuple[str, ...]] = {}


def name_tokens(name: str) -> Tuple[str, ...]:
    """:func:`~flake8_mlops.apis.sklearn_api.name_tokens`, split once per name (two
    regular expressions a call; the same few names come back all the time)."""
    tokens = _TOKENS.get(name)
    if tokens is None:
        tokens = _TOKENS[name] = _name_tokens(name)
    return tokens


_KINDS: Dict[str, Tuple[bool, Optional[str], Optional[str]]] = {}


def _kind(q: str) -> Tuple[bool, Optional[str], Optional[str]]:
    """(a call of ``q`` scales features, its class when a pipeline / union, its name when
    a cross-validation function) for a resolved call name."""
    last = sklearn_last(q)
    scales = bool(
        is_scaling_function(q) or last in SCALER_CLASSES or (
            _scale_call(q.rsplit(".", 1)[-1]) and q.split(".", 1)[0] not in _PLOTTING
        )
    )
    if last in PIPELINES:
        return scales, last, None
    if last in CV_FUNCTIONS and q.split(".", 1)[0] == "sklearn":
        return scales, None, last
    return scales, None, None


#: stands for a ``("scaler", "passthrough")`` pipeline slot
_PLACEHOLDER = ast.Constant(value="<scaler slot>")


def _combine(states: List[str]) -> str:
    if not states:
        return UNKNOWN
    if OK in states:
        return OK
    if UNKNOWN in states:
        return UNKNOWN
    return RAW


def _is_toy(expr: ast.AST, depth: int = 0) -> bool:
    """A literal nested list of numbers (``[[0.0], [1.0]]``)."""
    if depth > 3:
        return False
    if isinstance(expr, ast.Constant):
        return True
    if isinstance(expr, ast.UnaryOp):
        return isinstance(expr.operand, ast.Constant)
    if isinstance(expr, (ast.List, ast.Tuple)):
        return all(_is_toy(e, depth + 1) for e in expr.elts)
    return False


@register
class ScalerMissing(Rule):
    """## What it does
    Flags a **scale-sensitive estimator** used with no feature scaling before it:
    `SVC`, `SVR`, `NuSVC`, `NuSVR`, `LinearSVC`, `LinearSVR`, `KNeighbors*`,
    `RadiusNeighbors*`, `PCA`, `KernelPCA`, `LogisticRegression`/`LogisticRegressionCV`
    (unless `penalty=None`/`"none"`; the default is `l2`), `MLPClassifier`/`MLPRegressor`,
    `KMeans`, `MiniBatchKMeans`, `SGDClassifier`/`SGDRegressor`.

    Scaling is `StandardScaler`, `MinMaxScaler`, `MaxAbsScaler`, `RobustScaler`,
    `Normalizer`, `QuantileTransformer`, `PowerTransformer`, the row-normalising
    vectorisers `TfidfVectorizer`/`TfidfTransformer`/`HashingVectorizer` (unless
    `norm=None`), the functions `scale`, `minmax_scale`, `maxabs_scale`, `robust_scale`,
    `normalize`, `quantile_transform`, `power_transform`, `scipy.stats.zscore`,
    `torch.nn.functional.normalize`, and division (`X / 255`, `(X - mu) / sd`).

    Two shapes are reported:

    1. **In a pipeline** (`Pipeline([...])`, `make_pipeline(...)`, also imbalanced-learn's):
       the first scale-sensitive step with no scaling step before it, reported on that
       step. A `ColumnTransformer`/`make_column_transformer`/`FeatureUnion`/nested
       pipeline step counts as scaling when any of its parts (or `remainder=`) is a
       scaler. A step whose whole output is 0/1 columns (`OneHotEncoder`, `Binarizer`,
       `KBinsDiscretizer` unless `encode="ordinal"`) leaves nothing to rescale and
       counts as scaling too (inside a `ColumnTransformer` it does not: the other
       columns may pass through raw). Any step whose class cannot be resolved, `FunctionTransformer`, and
       resolved transformers outside a known list of non-scaling ones (imputers,
       encoders, `CountVectorizer`, `PolynomialFeatures`, selectors, decompositions,
       samplers) get the benefit of the doubt and count as scaling, and so does a
       `("scaler", "passthrough")` slot (a grid may fill it). Steps given by a
       name bound once in the file (`pre = ColumnTransformer(...)`) are looked up.
    2. **Fitted directly**: `est.fit(X, ...)` (also `fit_predict`, `fit_transform`,
       `partial_fit`, `SVC().fit(X, y)`, a `GridSearchCV(SVC(), grid)` object, and
       `cross_val_score(est, X, y)` & co), reported on the call. The data `X` is
       traced back inside the scope through assignments, `train_test_split`,
       subscripts, `.values`/`.drop(...)`/`.to_numpy()`-style methods and
       `np.hstack`/`pd.DataFrame`/`pd.concat`-style wrappers:
       - traced to a loader (`pd.read_*`, `sklearn.datasets.load_*`/`fetch_*`,
         `np.load*`, `np.genfromtxt`) without passing a scaler → reported;
       - passed through a scaler (`scaler.fit_transform(X)`, `scaler.transform(X)`,
         `scale(X)`, `df[cols] = scaler.fit_transform(df[cols])`, division) or a
         one-hot encoder, or a single column (`df[["price"]]`) → fine;
       - of unknown origin (a parameter, a call of a project function, a loop variable)
         → reported only when the whole module shows no scaling at all (no scaler
         class or function imported or called, no `normalize_embeddings=True`, no call
         of a function named like `scale_features`/`normalize`, no division by a
         `.std()`/`.max()`/`255`), the way dslinter judges a file. A single
         notebook cell linted on its own (VS Code) is not judged this way.

    Not flagged: data from the synthetic generators `sklearn.datasets.make_*` and
    random draws (`rng.normal(...)`, `np.random.*`: every feature on one scale by
    construction), embedding vectors (results of `.encode(...)` — with or without
    `normalize_embeddings=True` — `embed_documents`, `embed_query`,
    `get_text_features`, a project function named like `embed`/`get_embeddings`),
    literal toy arrays, data in a variable whose name says it is
    scaled or an embedding (`X_scaled`, `X_std`, `X_norm`, `emb`, `embeddings`,
    `vectors`) or loaded from a file so named (`np.load("embeddings.npy")`,
    `pd.read_csv("features_scaled.csv")`), tree models and other scale-insensitive
    estimators, and test code (`test_*.py`, `*_test.py`, `conftest.py`, modules
    importing `pytest`, `test*` functions, `Test*` classes).

    ## Why is this bad?
    Distance-, margin- and gradient-based estimators weigh every feature by its
    numeric range: a feature in dollars drowns one in years, an `l2` penalty shrinks
    small-unit coefficients harder, SGD and MLPs converge slowly or not at all. The
    model is silently worse, and the loss of accuracy is easy to blame on the
    algorithm. Zhang et al. catalogue it as *No Scaling before Scaling-sensitive
    Operation*.

    ## Example
    ```python
    import pandas as pd
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.impute import SimpleImputer
    from sklearn.svm import SVC

    model = make_pipeline(SimpleImputer(), SVC(C=1.0))

    df = pd.read_csv("loans.csv")
    X, y = df.drop(columns="default"), df["default"]
    knn = KNeighborsClassifier(n_neighbors=7)
    knn.fit(X, y)
    ```

    ## Use instead
    ```python
    import pandas as pd
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    model = make_pipeline(StandardScaler(), SVC(C=1.0))

    df = pd.read_csv("loans.csv")
    X, y = df.drop(columns="default"), df["default"]
    X_scaled = StandardScaler().fit_transform(X)
    knn = KNeighborsClassifier(n_neighbors=7)
    knn.fit(X_scaled, y)
    ```

    ## Options
    None.

    ## Known limitations
    - Ridge, Lasso and ElasticNet are penalised too, but they are not in the catalogue's
      list and are not judged.
    - Data scaled in another function and passed in is of unknown origin: it is judged
      only by the module-wide "any scaling at all" test, so scaling done in another
      module hides the finding and a module whose scaler is used on other data hides it
      too.
    - Data whose features already share one scale (pixels, counts from
      `CountVectorizer`, one-hot columns) but was loaded from a file is still reported;
      use `# noqa: MLP111` there.
    - Only the first unscaled scale-sensitive step of a pipeline is reported; scale-
      sensitive estimators nested in meta-estimators (`OneVsRestClassifier(SVC())`)
      inside a pipeline, and `ColumnTransformer` parts, are not judged.
    - A pipeline fitted on data that was scaled before it is still reported (the
      scaler should be a step).
    - Names are trusted: `X_scaled = df[cols]` (a misleading name) is taken as scaled.
    - A single column (`df["text"]`, `df[["price"]]`) counts as needing no scaling, so
      `LinearSVC().fit(CountVectorizer().fit_transform(df["text"]), y)` is not
      reported, while the same steps in a pipeline are (`CountVectorizer` is no scaler).

    ## References
    - Zhang, Cruz, van Deursen, "Code Smells for Machine Learning Applications",
      CAIN 2022, smell 10 "No Scaling before Scaling-sensitive Operation".
    - scikit-learn docs, [Importance of feature
      scaling](https://scikit-learn.org/stable/auto_examples/preprocessing/plot_scaling_importance.html).
    - dslinter `scaler-missing` checker; mlpylint *No Scaling Before Scaling-Sensitive
      Operation*.
    """

    code = "MLP111"
    added_in = "0.2.0"
    name = "scaler-missing"
    message = "{what}"
    confidence = "medium"
    # every finding names a scale-sensitive class (SCALE_SENSITIVE) in the source: the
    # class name is the last part of a qualified name built from the file's own text.
    # "SVC"/"SVR" cover the SVMs, "MLPC"/"MLPR" and "SGDC"/"SGDR" the MLP*/SGD* estimators
    # (not "SV"/"MLP"/"SGD", which also match CSV, SVD, torch's SGD, "MLP" model classes)
    triggers = (
        "SVC", "SVR", "Neighbors", "PCA", "LogisticRegression", "MLPC", "MLPR", "KMeans",
        "SGDC", "SGDR",
    )

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self._objs = Bindings(ctx, "MLP111.objects")
        self._data = Bindings(ctx, "MLP111.data")
        self._module_scales = False
        #: while judging ``df[col] = ...``: a single column is not "scaled" by itself
        self._strict = False
        #: (call, message) for fits on data of unknown origin (judged in finish)
        self._unknown: List[Tuple[ast.Call, str]] = []

    # --------------------------------------------------------------- objects
    def _constructor(self, expr: Optional[ast.AST], depth: int = 0) -> Optional[ast.Call]:
        """The constructor call an object expression stands for (through names)."""
        expr = unwrap_fit(expr)
        if isinstance(expr, ast.Call):
            return expr
        if expr is None or depth > 3:
            return None
        value = self._objs.lookup(expr)
        if isinstance(value, ast.Call):
            return self._constructor(value, depth + 1)
        if isinstance(expr, ast.Name):
            const = self.ctx.resolver.constant(expr.id)
            if isinstance(const, ast.Call):
                return self._constructor(const, depth + 1)
        return None

    def _class(self, call: ast.Call) -> Optional[str]:
        q = self.ctx.qualname(call.func)
        return sklearn_last(q)

    def _sensitive(self, call: Optional[ast.Call]) -> Optional[str]:
        """The class name when ``call`` builds a scale-sensitive estimator."""
        if call is None:
            return None
        last = self._class(call)
        if not is_scale_sensitive(last):
            return None
        if last in PENALISED:
            kw = self.ctx.keyword(call, "penalty")
            if kw is not None:
                value = self.ctx.literal(kw.value, "<expr>")
                if value is None or value in ("none", "<expr>"):
                    return None
            if any(k.arg is None for k in call.keywords):
                return None
        return last

    def _step_kind(self, expr: ast.AST, depth: int = 0) -> str:
        """"skip" | "scaler" | "binary" | "sensitive" | "plain" | "unknown" for a step."""
        if expr is _PLACEHOLDER:
            return "unknown"
        if isinstance(expr, ast.Constant) and (expr.value is None or expr.value in ("passthrough", "drop")):
            return "skip"
        call = self._constructor(expr)
        if call is None or depth > 4:
            return "unknown"
        if self._sensitive(call):
            return "sensitive"
        q = self.ctx.qualname(call.func)
        last = sklearn_last(q)
        if last is None:
            return "unknown"
        if last in SCALER_CLASSES:
            norm = self.ctx.keyword(call, "norm")
            if norm is not None and isinstance(norm.value, ast.Constant) and norm.value.value is None:
                return "plain"
            return "scaler"
        if last in BINARY_OUTPUT:
            encode = self.ctx.literal_str(self.ctx.kwarg(call, "encode"))
            return "plain" if last == "KBinsDiscretizer" and encode == "ordinal" else "binary"
        if last in PIPELINES:
            parts = self._parts(call, last)
            if parts is None:
                return "scaler"
            kinds = [self._step_kind(p, depth + 1) for p in parts]
            return "scaler" if any(k in ("scaler", "unknown", "binary") for k in kinds) else "plain"
        if last in UNIONS:
            return "scaler" if self._contains_scaling(call, last, depth + 1) else "plain"
        if last in NON_SCALING or is_scale_sensitive(last):
            return "plain"
        return "unknown"

    def _parts(self, call: ast.Call, last: str) -> Optional[List[ast.AST]]:
        """The estimators inside a pipeline / union, or None when not literal."""
        ctx = self.ctx
        parts: List[ast.AST] = []
        if last in ("make_pipeline", "make_union"):
            if any(isinstance(a, ast.Starred) for a in call.args):
                return None
            parts = list(call.args)
        elif last == "make_column_transformer":
            for a in call.args:
                if not (isinstance(a, ast.Tuple) and a.elts):
                    return None
                parts.append(a.elts[0])
        else:
            index = {"Pipeline": 1, "FeatureUnion": 1, "ColumnTransformer": 1}[last]
            key = {
                "Pipeline": "steps", "FeatureUnion": "transformer_list", "ColumnTransformer": "transformers",
            }[last]
            items = ctx.arg(call, 0, key)
            if isinstance(items, ast.Name):
                items = ctx.resolver.constant(items.id)
            if not isinstance(items, (ast.List, ast.Tuple)):
                return None
            for elt in items.elts:
                if not (isinstance(elt, ast.Tuple) and len(elt.elts) > index):
                    return None
                part = elt.elts[index]
                step = ctx.literal_str(elt.elts[0]) or ""
                if (
                    isinstance(part, ast.Constant)
                    and (part.value is None or part.value == "passthrough")
                    and _scale_call(step)
                ):
                    # ``("scaler", "passthrough")``: a slot a grid fills with scalers
                    part = _PLACEHOLDER
                parts.append(part)
        remainder = ctx.kwarg(call, "remainder")
        if remainder is not None:
            parts.append(remainder)
        return parts

    def _contains_scaling(self, call: ast.Call, last: str, depth: int) -> bool:
        parts = self._parts(call, last)
        if parts is None:
            return True  # not literal: benefit of the doubt
        return any(self._step_kind(p, depth) in ("scaler", "unknown") for p in parts)

    # ------------------------------------------------------------------ data
    @staticmethod
    def _one_column(index: ast.AST) -> bool:
        if isinstance(index, ast.Constant) and isinstance(index.value, str):
            return True
        if isinstance(index, ast.List) and len(index.elts) == 1:
            elt = index.elts[0]
            return isinstance(elt, ast.Constant) and isinstance(elt.value, str)
        return False

    def _state(self, expr: Optional[ast.AST], depth: int = 0) -> str:
        if expr is None or depth > 10:
            return UNKNOWN
        ctx = self.ctx
        if isinstance(expr, (ast.List, ast.Tuple)):
            if _is_toy(expr):
                return OK
            return _combine([self._state(e, depth + 1) for e in expr.elts])
        if isinstance(expr, ast.Name):
            if any(t in _SCALE_WORDS for t in name_tokens(expr.id)):
                return OK  # ``X_scaled``, ``X_std``, ``embeddings``: the name says so
            value = self._data.lookup(expr)
            if value is not None:
                return value  # type: ignore[no-any-return]
            return UNKNOWN
        if isinstance(expr, (ast.Subscript, ast.Attribute)):
            if ctx.qualname(expr) is not None:
                return UNKNOWN
            if isinstance(expr, ast.Subscript) and not self._strict and self._one_column(expr.slice):
                return OK  # ``df[["price"]]``, ``df["price"]``: one feature, nothing to balance
            value = expr.value
            if isinstance(expr, ast.Attribute) and isinstance(value, ast.Name) and value.id == "self":
                return UNKNOWN
            return self._state(expr.value, depth + 1)
        if isinstance(expr, ast.Starred):
            return self._state(expr.value, depth + 1)
        if isinstance(expr, (ast.ListComp, ast.GeneratorExp)):
            return self._state(expr.elt, depth + 1)
        if isinstance(expr, ast.BinOp):
            return OK if isinstance(expr.op, (ast.Div, ast.FloorDiv)) else UNKNOWN
        if isinstance(expr, ast.Call):
            return self._call_state(expr, depth)
        return UNKNOWN

    def _call_state(self, call: ast.Call, depth: int) -> str:
        ctx = self.ctx
        q = ctx.qualname(call.func)
        if q is not None:
            if is_scaling_function(q):
                return OK
            if q.startswith(SYNTHETIC_PREFIX) or q.startswith(_RANDOM_PREFIXES):
                return OK
            if q.startswith(RAW_LOADER_PREFIXES):
                path = ctx.literal_str(call.args[0]) if call.args else None
                if path is not None and any(t in _SCALE_WORDS for t in re.split(r"[^a-z]+", path.lower())):
                    return OK  # ``np.load("embeddings.npy")``, ``read_csv("scaled.csv")``
                return RAW
            if q in _COMBINERS:
                args = [a for a in call.args]
                if not args:
                    return UNKNOWN
                return _combine([self._state(a, depth + 1) for a in args])
            return UNKNOWN
        func = call.func
        fname = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if any(t in _EMBED_WORDS for t in name_tokens(fname)):
            return OK  # ``embed(encoder, texts)``, ``get_embeddings(batch)``
        if not isinstance(func, ast.Attribute):
            return UNKNOWN
        method = func.attr
        if method in _EMBEDDING_METHODS or method in _RANDOM_DRAWS:
            return OK
        if method in ("transform", "fit_transform"):
            kind = self._transformer_kind(func.value)
            if kind in ("scaler", "binary"):
                return OK
            if kind == "plain":
                data = call.args[0] if call.args else ctx.kwarg(call, "X")
                return self._state(data, depth + 1)
            return UNKNOWN
        if method in _SAME_VALUES:
            return self._state(func.value, depth + 1)
        return UNKNOWN

    def _transformer_kind(self, receiver: ast.AST) -> str:
        call = self._constructor(receiver)
        if call is not None:
            last = self._class(call)
            if last in ("PCA", "KernelPCA") and self.ctx.is_true(self.ctx.kwarg(call, "whiten")):
                return "scaler"
            kind = self._step_kind(call)
            if kind == "sensitive":
                return "plain"
            return kind
        name = receiver.id if isinstance(receiver, ast.Name) else getattr(receiver, "attr", "")
        if any(t in _SCALER_OBJ_WORDS for t in name_tokens(name)):
            return "scaler"
        return "unknown"

    # ----------------------------------------------------------------- calls
    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        q = ctx.call_name(node)
        func = node.func
        if q is not None:
            # what the name means here, worked out once per name (a pure function of it)
            kind = _KINDS.get(q)
            if kind is None:
                kind = _KINDS[q] = _kind(q)
            scales, pipeline, cv = kind
            if not self._module_scales:
                if scales:
                    self._module_scales = True
                else:
                    self._note_scaling(node, None)  # its keywords
            if pipeline is not None:
                if not in_test_code(ctx):
                    self._check_pipeline(node, pipeline)
            elif cv is not None:
                est = ctx.arg(node, 0, "estimator")
                self._check_fit(node, est, ctx.arg(node, 1, "X"), cv)
            return
        self._note_scaling(node, func)
        if func.__class__ is _Attribute and func.attr in _FIT_METHODS and (node.args or node.keywords):
            data = node.args[0] if node.args else ctx.kwarg(node, "X")
            self._check_fit(node, func.value, data, func.attr)

    def _note_scaling(self, node: ast.Call, func: Optional[ast.AST]) -> None:
        """A call that scales features (a resolved one was judged by its name already;
        ``func`` is the callee of an unresolved one, else None)."""
        if self._module_scales:
            return
        if func is not None:
            name = func.id if func.__class__ is _Name else getattr(func, "attr", "")
            if name and _scale_call(name):
                self._module_scales = True
                return
        for kw in node.keywords:
            if kw.arg == "normalize_embeddings" and not self.ctx.is_false(kw.value):
                self._module_scales = True
                return

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if not node.module or node.level:
            return
        for alias in node.names:
            q = node.module + "." + alias.name
            if sklearn_last(q) in SCALER_CLASSES or is_scaling_function(q):
                self._module_scales = True

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if self._module_scales or not isinstance(node.op, ast.Div):
            return
        right = node.right
        if isinstance(right, ast.Constant) and right.value in (255, 255.0):
            self._module_scales = True
        elif isinstance(right, ast.Call) and isinstance(right.func, ast.Attribute):
            if right.func.attr in ("std", "max", "norm", "ptp"):
                self._module_scales = True
        elif isinstance(right, (ast.Name, ast.Attribute)):
            name = right.id if isinstance(right, ast.Name) else right.attr
            if any(t in ("std", "sd", "sigma", "scale", "norm", "stdev") for t in name_tokens(name)):
                self._module_scales = True

    def _check_pipeline(self, node: ast.Call, last: str) -> None:
        parts = self._parts(node, last)
        if not parts:
            return
        scaled = False
        for part in parts:
            kind = self._step_kind(part)
            if kind == "sensitive" and not scaled:
                cls = self._sensitive(self._constructor(part)) or "estimator"
                self.report(
                    part,
                    what=(
                        f"{cls} is sensitive to feature scale but this pipeline has no scaler before it; "
                        f"add StandardScaler() (or another scaler) as an earlier step"
                    ),
                )
                return
            if kind in ("scaler", "unknown", "sensitive", "binary"):
                scaled = True

    def _check_fit(
        self, node: ast.Call, receiver: Optional[ast.AST], data: Optional[ast.AST], method: str
    ) -> None:
        if receiver is None or data is None:
            return
        call = self._constructor(receiver)
        if call is None:
            return
        cls = self._sensitive(call)
        if cls is None:
            last = self._class(call)
            if last in _SEARCHES:
                cls = self._sensitive(self._constructor(self.ctx.arg(call, 0, "estimator")))
        if cls is None or in_test_code(self.ctx):
            return
        state = self._state(data)
        if state == OK:
            return
        what_call = f"{cls}.{method}()" if method in _FIT_METHODS else f"{method}({cls})"
        if state == RAW:
            self.report(
                node,
                what=(
                    f"{what_call} on features that were never scaled: {cls} is sensitive to feature scale; "
                    f"scale them first (make_pipeline(StandardScaler(), {cls}(...)))"
                ),
            )
        else:
            self._unknown.append(
                (
                    node,
                    f"{what_call} in a module that never scales its features: {cls} is sensitive to "
                    f"feature scale; put a scaler before it (make_pipeline(StandardScaler(), {cls}(...)))",
                )
            )

    # ------------------------------------------------------------ assignments
    def leave_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._bind(target, node.value)

    def leave_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value)

    def leave_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name):
            self._data.record(node.target, OK if isinstance(node.op, (ast.Div, ast.FloorDiv)) else UNKNOWN)

    def _bind(self, target: ast.AST, value: ast.AST) -> None:
        ctx = self.ctx
        if isinstance(target, (ast.Name, ast.Attribute)) and not isinstance(target, ast.Subscript):
            inner = unwrap_fit(value)
            if isinstance(inner, ast.Call) and ctx.qualname(inner.func) is not None:
                self._objs.record(target, inner)
            elif isinstance(inner, (ast.Name, ast.Attribute)):
                found = self._constructor(inner)
                if found is not None:
                    self._objs.record(target, found)
        if isinstance(target, ast.Name):
            self._data.record(target, self._state(value))
        elif isinstance(target, (ast.Tuple, ast.List)):
            elts = target.elts
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(elts):
                for t, v in zip(elts, value.elts):
                    self._bind(t, v)
                return
            states = self._split_states(value, len(elts))
            for i, elt in enumerate(elts):
                if isinstance(elt, ast.Starred):
                    elt = elt.value
                if isinstance(elt, ast.Name):
                    self._data.record(elt, states[i] if states else self._state(value))
        elif isinstance(target, ast.Subscript):
            # df[cols] = scaler.fit_transform(df[cols]): df now holds scaled columns
            root = target.value
            while isinstance(root, (ast.Subscript, ast.Attribute)):
                root = root.value
            if isinstance(root, ast.Name):
                # one scaled column does not make the frame scaled unless a scaler did it
                self._strict = True
                try:
                    state = self._state(value)
                finally:
                    self._strict = False
                if state == OK:
                    self._data.record(root, OK, rebinds=False)
                elif state == UNKNOWN and isinstance(value, ast.Call):
                    self._data.record(root, UNKNOWN, rebinds=False)

    def _split_states(self, value: ast.AST, n: int) -> Optional[List[str]]:
        """States of ``a, b, c, d = train_test_split(X, y)`` targets, by position."""
        if not isinstance(value, ast.Call):
            return None
        q = self.ctx.qualname(value.func)
        if sklearn_last(q) != "train_test_split":
            return None
        args = [a for a in value.args if not isinstance(a, ast.Starred)]
        if len(args) != len(value.args) or n != 2 * len(args):
            return None
        return [self._state(args[i // 2]) for i in range(n)]

    # ------------------------------------------------------------------ finish
    def finish(self) -> None:
        if self._module_scales or self.ctx.notebook == "cell":
            return  # a single notebook cell: the scaler may be in another cell
        for node, what in self._unknown:
            self.report(node, what=what)
