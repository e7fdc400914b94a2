"""MLP119 threshold-dependent-validation."""

from __future__ import annotations

import ast
from typing import Dict, List, NamedTuple, Optional, Set, Tuple

from ...apis.metrics import (
    FREE_EVAL_METRICS,
    metric_function_kind,
    named_metric_kind,
    names_threshold_free_metric,
    scorer_kind,
)
from ...registry import Rule, register

# hyperparameter searches whose ``scoring=`` chooses the model
_SEARCH_CLASSES = frozenset(
    {"GridSearchCV", "RandomizedSearchCV", "HalvingGridSearchCV", "HalvingRandomSearchCV"}
)
_SEARCH_HEADS = ("sklearn.", "dask_ml.")
_OTHER_SEARCHES = {
    "skopt.BayesSearchCV": 4,  # scoring is the 5th positional parameter
    "skopt.searchcv.BayesSearchCV": 4,
    "tune_sklearn.TuneSearchCV": None,
    "tune_sklearn.TuneGridSearchCV": None,
    "optuna.integration.OptunaSearchCV": None,
    "optuna.integration.sklearn.OptunaSearchCV": None,
    "optuna_integration.OptunaSearchCV": None,
    "optuna_integration.sklearn.OptunaSearchCV": None,
}
# cross-validation helpers: a score source, never a finding on their own
_CV_SCORERS = frozenset({"cross_val_score", "cross_validate"})


class _Selector(NamedTuple):
    """A framework API that keeps the best model by a *named* metric.

    ``keyword``/``position``: where the metric name is; ``keep``: how the API is told to
    keep the best (``"kw_true:<kw>:<pos>"`` -- only when that keyword is literally True;
    ``"top_k"`` -- Lightning's ``save_top_k`` not 0/-1; ``""`` -- always, a tuner);
    ``prefix``: the prefix a validation metric name carries (``val_``), required when set.
    """

    keyword: str
    position: Optional[int]
    keep: str
    prefix: str
    fix: str


_FIX_HF = (
    "compute a threshold-free metric (e.g. roc_auc) in compute_metrics and select on it, "
    'or on "eval_loss"'
)
_FIX_KERAS = 'monitor "val_loss" or a threshold-free metric such as keras.metrics.AUC'
_FIX_TUNER = 'optimise "val_loss" or a threshold-free metric such as AUC'
_HF = _Selector("metric_for_best_model", None, "kw_true:load_best_model_at_end:-1", "", _FIX_HF)
_KERAS_TUNER = _Selector("objective", 1, "", "", _FIX_TUNER)
_RAY = _Selector("metric", None, "", "", _FIX_TUNER)
_SELECTORS: Dict[str, _Selector] = {
    "transformers.TrainingArguments": _HF,
    "transformers.Seq2SeqTrainingArguments": _HF,
    "transformers.training_args.TrainingArguments": _HF,
    "transformers.training_args_seq2seq.Seq2SeqTrainingArguments": _HF,
    "trl.SFTConfig": _HF,
    "trl.trainer.SFTConfig": _HF,
    "keras.callbacks.ModelCheckpoint": _Selector(
        "monitor", 1, "kw_true:save_best_only:3", "val_", _FIX_KERAS
    ),
    "keras.callbacks.EarlyStopping": _Selector(
        "monitor", 0, "kw_true:restore_best_weights:6", "val_", _FIX_KERAS
    ),
    "lightning.pytorch.callbacks.ModelCheckpoint": _Selector(
        "monitor", 2, "top_k", "val", _FIX_TUNER
    ),
    "lightning.pytorch.callbacks.model_checkpoint.ModelCheckpoint": _Selector(
        "monitor", 2, "top_k", "val", _FIX_TUNER
    ),
    "ray.tune.run": _RAY,
    "ray.tune.TuneConfig": _RAY,
    "ray.tune.tune_config.TuneConfig": _RAY,
}
for _tuner in ("RandomSearch", "Hyperband", "BayesianOptimization", "GridSearch"):
    for _head in ("keras_tuner", "keras_tuner.tuners", "kerastuner", "kerastuner.tuners"):
        _SELECTORS[f"{_head}.{_tuner}"] = _KERAS_TUNER
_LOG_METHODS = frozenset({"log", "log_metric", "log_metrics", "log_dict"})
_TUNER_OBJECTIVES = frozenset({"keras_tuner.Objective", "kerastuner.Objective"})
_METRIC_PREFIXES = ("eval_", "val_", "validation_", "valid_", "mean_", "val/", "eval/")
_ML_HEADS = frozenset(
    {"sklearn", "torchmetrics", "optuna", "optuna_integration", "hyperopt", "skopt",
     "tune_sklearn", "dask_ml", "transformers", "trl", "keras", "tensorflow", "tf_keras",
     "evaluate", "xgboost", "lightgbm", "catboost", "lightning", "pytorch_lightning",
     "ray", "keras_tuner", "kerastuner"}
)
_HYPEROPT_FMIN = frozenset({"hyperopt.fmin", "hyperopt.fmin.fmin"})
_OPTUNA_STUDIES = frozenset({"optuna.create_study", "optuna.load_study"})
# wrappers that keep a score a score: np.mean(scores), float(acc), round(f1, 3)
_PASS_THROUGH_FUNCS = frozenset(
    {"numpy.mean", "numpy.median", "numpy.nanmean", "numpy.max", "numpy.min",
     "statistics.mean", "statistics.median", "numpy.round", "numpy.float64",
     "numpy.asarray", "numpy.array"}
)
_PASS_THROUGH_BUILTINS = frozenset({"float", "round", "abs"})
_PASS_THROUGH_METHODS = frozenset(
    {"mean", "median", "max", "min", "item", "round", "tolist", "numpy", "cpu", "detach"}
)
_SAVE_CALLS = frozenset(
    {"save", "save_model", "save_pretrained", "save_checkpoint", "save_weights", "dump",
     "log_model", "deepcopy", "state_dict"}
)
_SCORES = "MLP119.scores"  # scope.data: name -> metric label (bound to a dependent score)
_CONTAINERS = "MLP119.containers"  # scope.data: name -> metric label (holds such scores)
_TUNED = "MLP119.tuned"  # scope.data: name -> True (labels cut at a *variable* threshold)
# ``best_threshold = t`` / ``best_epoch = epoch`` record a cut-off or a time, not a model
_NOT_A_CHOICE = ("thresh", "thr", "cutoff", "cut_off", "epoch", "step", "iter")
_COMPARE_OPS = (ast.Gt, ast.GtE, ast.Lt, ast.LtE)

_FIX_SEARCH = 'add a threshold-free metric such as "roc_auc" or "average_precision" and refit on it'
_FIX_COMPARE = (
    "compare candidates on a threshold-free metric such as roc_auc_score, "
    "average_precision_score or log_loss"
)
_FIX_OPTUNA = "return a threshold-free score such as roc_auc_score, average_precision_score or log_loss"


def _terminal(expr: ast.AST) -> Optional[str]:
    """``self.best_acc`` -> "best_acc"; ``best["f1"]`` -> "best"; ``best`` -> "best"."""
    while isinstance(expr, ast.Subscript):
        expr = expr.value
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Name):
        return expr.id
    return None


def _is_best_like(expr: ast.AST) -> bool:
    name = _terminal(expr)
    if name is None:
        return False
    low = name.lower()
    return "best" in low or "highest" in low or low.startswith(("max_", "top_"))


def _cuts_labels(value: ast.AST) -> bool:
    """Cheap shape test for labels made by a cut: ``p > t``, ``(p > t).astype(int)``,
    ``np.where(p > t, 1, 0)``, ``(p > t) * 1``."""
    if isinstance(value, ast.Compare):
        return True
    if isinstance(value, (ast.ListComp, ast.GeneratorExp)):  # [1 if p > t else 0 for p in ps]
        return _cuts_labels(value.elt)
    if isinstance(value, ast.IfExp):
        return isinstance(value.test, ast.Compare)
    if isinstance(value, ast.BinOp):
        return isinstance(value.left, ast.Compare) or isinstance(value.right, ast.Compare)
    if isinstance(value, ast.Call):
        func = value.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Compare):
            return True
        return any(isinstance(a, ast.Compare) for a in value.args)
    return False


def _is_threshold_name(name: str) -> bool:
    """``thr``, ``thresholds``, ``best_thresh``, ``cutoff``, ``cut_offs``."""
    return any(
        token.startswith(("thr", "cutoff")) or token in ("cut", "cuts")
        for token in name.lower().split("_")
    )


def _names_choice(expr: ast.AST) -> bool:
    name = (_terminal(expr) or "").lower()
    return not any(word in name for word in _NOT_A_CHOICE)


def _pairs(target: ast.AST, value: ast.AST) -> List[Tuple[ast.AST, Optional[ast.AST]]]:
    """``a, b = x, y`` -> [(a, x), (b, y)]; other shapes pair each name with None."""
    if isinstance(target, (ast.Tuple, ast.List)):
        if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
            out: List[Tuple[ast.AST, Optional[ast.AST]]] = []
            for t, v in zip(target.elts, value.elts):
                out.extend(_pairs(t, v))
            return out
        return [(t, None) for t in _target_names(target)]
    return [(target, value)]


def _target_names(target: ast.AST) -> List[ast.AST]:
    if isinstance(target, (ast.Tuple, ast.List)):
        out: List[ast.AST] = []
        for elt in target.elts:
            out.extend(_target_names(elt))
        return out
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return [target]


@register
class ThresholdDependentValidation(Rule):
    """## What it does
    Flags **model selection** that ranks candidates only by a threshold-dependent
    classification metric (accuracy, balanced accuracy, F1/F-beta, precision, recall,
    Jaccard, MCC) with no threshold-free metric (ROC AUC, average precision, log loss,
    Brier score) in the selection:

    - a hyperparameter search — `GridSearchCV`, `RandomizedSearchCV`,
      `HalvingGridSearchCV`, `HalvingRandomSearchCV` (also dask-ml), skopt
      `BayesSearchCV`, tune-sklearn and Optuna `OptunaSearchCV` — whose `scoring=` is such
      a scorer: a string (`"f1"`, `"accuracy"`, `"precision_macro"`…), a name bound once
      to one, `make_scorer(f1_score)`, `get_scorer("f1")`, or a list/dict made only of
      such scorers (whatever `refit=` names);
    - a comparison that keeps the better candidate, `if f1 > best_f1: best_model = model`,
      or `is_best = acc > best_acc`. One side must be named `best…`/`highest…`/`max_…`/
      `top_…`, the other a score; the `if` body must keep something (assign a name
      other than the compared best score from a name, attribute, call or subscript,
      e.g. `chosen = m`, `best_state = copy.deepcopy(...)`, or call `save`/`dump`/`save_pretrained`/
      `log_model`/`deepcopy`/`state_dict`); assigning only the best score, a counter,
      a flag, a message, a `best_epoch` or a `best_threshold` is not keeping a model.
      A score is a call of `accuracy_score`/`f1_score`/`precision_score`/… (resolved
      through imports; also torchmetrics' functional metrics), a `cross_val_score`/
      `cross_validate` with such a `scoring=`, a Keras `History` read with a literal
      threshold-dependent key (`hist.history["val_accuracy"][-1]`,
      `max(hist.history["val_acc"])`, `np.mean(h.history["accuracy"][-3:])`; also
      `acc`, `precision`, `recall`, `f1` and their `val_` forms), or a name bound to one
      of those (`.mean()`, `.item()`, `np.mean`, `float`, `round`, unary minus keep it a
      score);
    - `max(models, key=lambda m: f1_score(...))`, and `max`/`min`/`sorted(...)[0]` with a
      `key=`, `np.argmax(...)` and `scores.index(max(scores))` over a dict or list filled
      with such scores (`scores[name] = acc`, `results.append((name, f1))`, a
      comprehension, a dict literal holding one);
    - an Optuna objective that returns such a score, reported at `study.optimize(...)`
      (the study bound to `optuna.create_study`/`load_study`), and a hyperopt objective
      returning such a score or its negation (`{"loss": -acc, ...}`), reported at
      `fmin(...)`;
    - frameworks that keep the best model by a named metric: Hugging Face
      `TrainingArguments`/`Seq2SeqTrainingArguments`/trl `SFTConfig` with
      `load_best_model_at_end=True` and `metric_for_best_model="accuracy"` (or `"f1"`,
      `"eval_precision"`…); Keras `ModelCheckpoint(monitor="val_accuracy",
      save_best_only=True)` and `EarlyStopping(monitor="val_accuracy",
      restore_best_weights=True)`; Lightning `ModelCheckpoint(monitor="val_acc")` (unless
      `save_top_k` is 0 or -1); Keras Tuner `RandomSearch`/`Hyperband`/
      `BayesianOptimization`/`GridSearch` with `objective="val_accuracy"` (or
      `kt.Objective("val_f1", ...)`); Ray Tune `tune.run`/`TuneConfig` with
      `metric="mean_accuracy"`.

    Findings are reported on the search constructor, the selector call, the
    `optimize`/`fmin` call, or the selecting comparison or `max`/`argmax` call.

    Searches, framework selectors and tuner objectives name their selection metric, so
    they are judged on that metric alone: `scoring="recall"` selects on recall even when
    the script later prints a ROC AUC. A hand-written selection (comparison, `max`,
    `argmax`) inside a loop is dropped when the same loop computes or names a
    threshold-free metric (each candidate is seen on it too); outside any loop it is
    dropped when the module computes or names one anywhere. Threshold-free metrics are:
    `roc_auc_score`, `average_precision_score`, `log_loss`, `brier_score_loss`,
    `roc_curve`, `precision_recall_curve`, `RocCurveDisplay`, torchmetrics `AUROC`/
    `AveragePrecision`, `keras.metrics.AUC` or `metrics=["AUC"]`, a `scoring=` naming
    `"roc_auc"`/`"average_precision"`/`"neg_log_loss"`, `eval_metric="auc"`/`"logloss"`,
    `evaluate.load("roc_auc")`, a Keras `History` read of one (`hist.history["val_auc"]`),
    a selector on a loss (`monitor="val_loss"`,
    `metric_for_best_model="eval_loss"`), or a logged key naming one
    (`self.log("val_auroc", ...)`, `mlflow.log_metric("roc_auc", ...)`,
    `wandb.log({"val/auc": ...})`).

    Accuracy, F1 and friends used only to *report* (printed, logged, written, a release
    gate `if f1 < MIN_F1`), Keras `compile(metrics=["accuracy"])`, and searches with the
    default `scoring=None` or a regression scorer are not flagged.

    ## Why is this bad?
    Accuracy, F1, precision and recall score hard labels, i.e. the classifier *after*
    one decision threshold (0.5 or the arg-max). Choosing a model or its hyperparameters
    by them confounds the quality of the model with the quality of that arbitrary
    threshold: a better-ranking model can lose to a worse one because the default cut
    suits the other, and the choice flips when class balance or costs change. Zhang et
    al. list this as the smell "Threshold-Dependent Validation" and recommend
    threshold-independent metrics such as ROC AUC for validation; tune the threshold
    separately afterwards (e.g. `TunedThresholdClassifierCV`).

    ## Example
    ```python
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import GridSearchCV

    search = GridSearchCV(
        RandomForestClassifier(random_state=0),
        {"max_depth": [4, 8, None]},
        scoring="f1",
        cv=5,
    )
    search.fit(X_train, y_train)
    ```

    ## Use instead
    ```python
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import GridSearchCV

    search = GridSearchCV(
        RandomForestClassifier(random_state=0),
        {"max_depth": [4, 8, None]},
        scoring={"f1": "f1", "ap": "average_precision"},
        refit="ap",
        cv=5,
    )
    search.fit(X_train, y_train)
    ```

    ## Options
    None.

    ## Known limitations
    - A hand-written selection inside a loop is silenced by a threshold-free metric
      computed or read in that same loop (every candidate is seen on it too: `auc =
      roc_auc_score(...)` printed next to the accuracy that picks the winner). An AUC
      computed only after the loop, for the final report, or in another sweep does not
      silence it. A selection outside any loop (`max(results, key=...)`) is silenced by
      a threshold-free metric anywhere in the module. A multi-metric
      `scoring=["accuracy", "roc_auc"]` is silent even with `refit="accuracy"`.
    - A search with the default `scoring=None` is not flagged, although a classifier's
      `score()` is accuracy: the estimator cannot always be told to be a classifier.
    - Tuning the decision threshold itself is not flagged: a metric computed on labels
      cut at a *variable* threshold (`f1_score(y, proba >= t)`, or `pred = (proba > t)`
      first) is not a selection score; comparisons inside a loop over thresholds
      (`for thr in thresholds`, `for cutoff in ...`, `for t in np.linspace(0.05, 0.95,
      19)`), `best_threshold = t`, `max(thresholds, key=...)` and
      `thresholds[np.argmax(f1s)]` are skipped. A cut at a literal (`proba > 0.5`) is
      still one fixed threshold and counts.
    - Multi-class problems with no probabilistic output are flagged like binary ones
      (the catalogue's letter); add `# noqa: MLP119` where hard labels are all you have.
    - Scores computed by project helpers (`val_acc = evaluate(model)`), by hand
      (`correct / total`), by HF `evaluate.load("accuracy")` or read from logs are not
      recognised, nor are champion/challenger comparisons against a name without
      `best` (`if new_acc > prod_acc: promote(model)`), feature selection
      (`RFECV(scoring="accuracy")`), `validation_curve`, or selections through pandas
      (`df.sort_values("f1")`, `idxmax()`); a `cross_val_score` used only to print a
      comparison is not selection.
    - Monitor keys of Lightning, Keras and Ray are free-form logged names: `"val_acc"`
      is read as accuracy by its spelling, and a custom name (`"val_score"`) is unknown.
    - A Keras `History` is recognised by its shape (`<x>.history["<literal key>"]`, or a
      name bound once to `<x>.history`), not by type; a key held in a variable
      (`hist.history[metric]`) or read with `.get(...)` is not a score.
    - Score names are tracked per scope by plain assignment; a score passed through a
      project function, stored on `self`, or unpacked from a tuple is lost.
    - A non-literal `scoring=`, `monitor=` or `metric_for_best_model=` (from a config, a
      parameter, `**kwargs`) gets the benefit of the doubt.

    ## References
    - Zhang, Cruz, van Deursen, "Code Smells for Machine Learning Applications",
      CAIN 2022, smell 22 "Threshold-Dependent Validation".
    - scikit-learn user guide,
      [The scoring parameter](https://scikit-learn.org/stable/modules/model_evaluation.html#scoring-parameter)
      and
      [Tuning the decision threshold](https://scikit-learn.org/stable/modules/classification_threshold.html).
    """

    code = "MLP119"
    added_in = "0.2.0"
    name = "threshold-dependent-validation"
    message = "{what} selects models at one decision threshold; {fix}"
    confidence = "medium"
    #: every finding resolves an API under one of these packages (``tf.keras``,
    #: ``tensorflow.keras``, ``keras_tuner`` and ``pytorch_lightning`` contain them)
    triggers = (
        "sklearn", "dask_ml", "skopt", "tune_sklearn", "optuna", "hyperopt",
        "torchmetrics", "transformers", "trl", "keras", "lightning", "ray",
    )

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self._free_seen = False
        self._candidates: List[Tuple[ast.AST, str, str, bool]] = []
        self._reported: set = set()
        #: function name -> metric label, for functions returning a dependent score
        self._objectives: Dict[str, str] = {}
        #: cheap gate: nothing to do until the file imports an ML library we know
        #: (a lone notebook cell may use the conventional ``sklearn`` unimported)
        self._active = ctx.notebook == "cell"
        #: per enclosing ``for``: does it loop over thresholds (``for thr in ...``)?
        self._loops: List[bool] = []
        #: the enclosing ``for`` nodes (parallel to ``_loops``)
        self._loop_nodes: List[ast.AST] = []
        #: ids of the loops in which a threshold-free metric is computed or read
        self._free_loops: Set[int] = set()

    def _mark_free(self) -> None:
        """A threshold-free metric is computed here: in the module, and in every
        enclosing loop (a hand-written selection in such a loop sees it per candidate)."""
        self._free_seen = True
        self._free_loops.update(id(n) for n in self._loop_nodes)

    def visit_For(self, node: ast.For) -> None:
        self._loop_nodes.append(node)
        if not self._active:
            self._loops.append(False)
            return
        threshold_loop = any(
            isinstance(t, ast.Name) and _is_threshold_name(t.id)
            for t in [*_target_names(node.target), node.iter]
        ) or self._unit_range(node.iter)
        self._loops.append(threshold_loop)

    def _unit_range(self, expr: ast.AST) -> bool:
        """``np.linspace(0.05, 0.95, 19)`` / ``np.arange(0.1, 1.0, 0.1)``: a grid of
        probabilities, i.e. candidate thresholds."""
        if not isinstance(expr, ast.Call) or not expr.args:
            return False
        if self.ctx.qualname(expr.func) not in ("numpy.linspace", "numpy.arange"):
            return False
        values = [self.ctx.literal(a) for a in expr.args[:2]]
        return all(isinstance(v, (int, float)) and 0 <= v <= 1 for v in values) and any(
            isinstance(v, float) for v in values
        )

    def leave_For(self, node: ast.For) -> None:
        if self._loops:
            self._loops.pop()
        if self._loop_nodes:
            self._loop_nodes.pop()

    visit_AsyncFor = visit_For
    leave_AsyncFor = leave_For

    def visit_Import(self, node: ast.Import) -> None:
        if not self._active:
            self._active = any(a.name.split(".", 1)[0] in _ML_HEADS for a in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if not self._active and node.module and not node.level:
            self._active = node.module.split(".", 1)[0] in _ML_HEADS

    # ------------------------------------------------------------- scoring
    def _scoring(self, expr: Optional[ast.AST], depth: int = 0) -> Tuple[str, List[str]]:
        """("dependent", labels) | ("free", []) | ("unknown", []) | ("other", [])."""
        if expr is None:
            return "other", []
        if isinstance(expr, ast.Constant):
            if isinstance(expr.value, str):
                kind = scorer_kind(expr.value)
                if kind == "dependent":
                    return "dependent", [f'"{expr.value}"']
                return (kind or "other"), []
            return ("other" if expr.value is None else "unknown"), []
        if isinstance(expr, ast.Name):
            value = self.ctx.resolver.constant(expr.id)
            if value is None or depth > 3:
                return "unknown", []
            return self._scoring(value, depth + 1)
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set, ast.Dict)):
            items = expr.values if isinstance(expr, ast.Dict) else expr.elts
            if not items or any(isinstance(i, ast.Starred) for i in items):
                return "unknown", []
            if isinstance(expr, ast.Dict) and any(k is None for k in expr.keys):
                return "unknown", []
            kinds = [self._scoring(i, depth + 1) for i in items]
            if any(k == "free" for k, _ in kinds):
                return "free", []
            if any(k == "unknown" for k, _ in kinds):
                return "unknown", []
            labels = [lab for k, labs in kinds if k == "dependent" for lab in labs]
            if labels:
                return "dependent", ["[" + ", ".join(labels) + "]"] if len(labels) > 1 else labels
            return "other", []
        if isinstance(expr, ast.Call):
            func = self.ctx.qualname(expr.func)
            if func is None:
                return "unknown", []
            last = func.rsplit(".", 1)[-1]
            if func.startswith("sklearn.") and last == "make_scorer":
                return self._make_scorer(expr)
            if func.startswith("sklearn.") and last == "get_scorer":
                name = self.ctx.literal_str(self.ctx.arg(expr, 0, "scoring"))
                kind = scorer_kind(name) if name else None
                if kind == "dependent":
                    return "dependent", [f'get_scorer("{name}")']
                return (kind or "unknown"), []
        return "unknown", []

    def _make_scorer(self, call: ast.Call) -> Tuple[str, List[str]]:
        ctx = self.ctx
        score_func = ctx.arg(call, 0, "score_func")
        name = ctx.qualname(score_func) if score_func is not None else None
        kind = metric_function_kind(name) if name else None
        if kind == "free":
            return "free", []
        if kind != "dependent":
            return "unknown", []
        for kw in ("needs_proba", "needs_threshold"):
            value = ctx.kwarg(call, kw)
            if value is not None and not ctx.is_false(value):
                return "unknown", []
        method = ctx.kwarg(call, "response_method")
        if method is not None and ctx.literal_str(method) != "predict":
            return "unknown", []
        if ctx.has_star_kwargs(call):
            return "unknown", []
        return "dependent", [f"make_scorer({name.rsplit('.', 1)[-1]})"]  # type: ignore[union-attr]

    # -------------------------------------------------------------- scores
    def _lookup(self, key: str, name: str) -> Optional[str]:
        scope = self.ctx.resolver.lookup_scope(name)
        if scope is None:
            return None
        table = scope.data.get(key)
        return table.get(name) if table else None  # type: ignore[union-attr]

    def _store(self, key: str, name: str, label: Optional[str]) -> None:
        data = self.ctx.scope.data
        table = data.get(key)
        if label is None:
            if table:
                table.pop(name, None)  # type: ignore[union-attr]
            return
        if table is None:
            table = data[key] = {}
        table[name] = label  # type: ignore[index]

    def _score(self, expr: Optional[ast.AST], depth: int = 0) -> Optional[str]:
        """The metric label when ``expr`` is a threshold-dependent score (or holds one)."""
        if expr is None or depth > 6:
            return None
        ctx = self.ctx
        if isinstance(expr, ast.Name):
            return self._lookup(_SCORES, expr.id) or self._lookup(_CONTAINERS, expr.id)
        if isinstance(expr, ast.Subscript):
            return self._history_key(expr) or self._score(expr.value, depth + 1)
        if isinstance(expr, (ast.Tuple, ast.List)):
            for elt in expr.elts:
                label = self._score(elt, depth + 1)
                if label:
                    return label
            return None
        if isinstance(expr, ast.Dict):
            for value in expr.values:
                label = self._score(value, depth + 1)
                if label:
                    return label
            return None
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
            return self._score(expr.operand, depth + 1)  # hyperopt: return -acc
        if isinstance(expr, (ast.ListComp, ast.DictComp, ast.GeneratorExp)):
            elt = expr.value if isinstance(expr, ast.DictComp) else expr.elt
            return self._score(elt, depth + 1)
        if not isinstance(expr, ast.Call):
            return None
        func = ctx.qualname(expr.func)
        if func is not None:
            kind = metric_function_kind(func)
            if kind == "dependent":
                if self._tuning_threshold(expr):
                    return None  # f1_score(y, proba > t): tuning the threshold itself
                return func.rsplit(".", 1)[-1]
            last = func.rsplit(".", 1)[-1]
            if func.startswith("sklearn.") and last in _CV_SCORERS:
                status, labels = self._scoring(ctx.kwarg(expr, "scoring"), 1)
                if status == "dependent":
                    return f"{last}(scoring={labels[0]})"
                return None
            if func in _PASS_THROUGH_FUNCS and expr.args:
                return self._score(expr.args[0], depth + 1)
            return None
        if (
            isinstance(expr.func, ast.Name)
            and expr.func.id in ("max", "min")
            and len(expr.args) == 1
            and not expr.keywords
            and isinstance(expr.args[0], ast.Subscript)
            and not ctx.resolver.ever_bound(expr.func.id)
        ):
            # max(hist.history["val_accuracy"]): the best epoch's score
            return self._history_key(expr.args[0]) or self._score(expr.args[0].value, depth + 1)
        if isinstance(expr.func, ast.Name) and expr.func.id in _PASS_THROUGH_BUILTINS:
            if expr.args and not ctx.resolver.ever_bound(expr.func.id):
                return self._score(expr.args[0], depth + 1)
            return None
        if isinstance(expr.func, ast.Attribute) and expr.func.attr in _PASS_THROUGH_METHODS:
            return self._score(expr.func.value, depth + 1)
        return None

    def _history_metric(self, sub: ast.Subscript) -> Optional[str]:
        """The literal key of a Keras ``History`` read: ``hist.history["val_accuracy"]``,
        ``model.history.history["acc"]``, or ``h["val_f1"]`` with ``h`` bound once to
        ``<x>.history``; None for anything else."""
        base = sub.value
        if isinstance(base, ast.Name):
            bound = self.ctx.resolver.constant(base.id)
            if not (isinstance(bound, ast.Attribute) and bound.attr == "history"):
                return None
        elif not (isinstance(base, ast.Attribute) and base.attr == "history"):
            return None
        return self.ctx.literal_str(sub.slice)

    def _history_key(self, sub: ast.Subscript) -> Optional[str]:
        """``hist.history["val_accuracy"]`` -> 'History["val_accuracy"]' when the key names
        a threshold-dependent metric (accuracy, acc, precision, recall, f1 and their
        ``val_`` forms)."""
        key = self._history_metric(sub)
        if key and named_metric_kind(key, _METRIC_PREFIXES) == "dependent":
            return f'History["{key}"]'
        return None

    def visit_Subscript(self, node: ast.Subscript) -> None:
        """A History read of a threshold-free metric (``hist.history["val_auc"]``)
        names one, like a logged key."""
        if not self._active:
            return
        key = self._history_metric(node)
        if key and names_threshold_free_metric(key):
            self._mark_free()

    def _tuning_threshold(self, expr: ast.AST, limit: int = 80) -> bool:
        """Does ``expr`` cut scores at a *variable* threshold (``proba >= t``), or use a
        name bound to such labels? Small bounded look at one call's arguments."""
        ctx = self.ctx
        seen = 0
        for sub in ast.walk(expr):
            seen += 1
            if seen > limit:
                return False
            if isinstance(sub, ast.Compare) and all(isinstance(op, _COMPARE_OPS) for op in sub.ops):
                sides = [sub.left, *sub.comparators]
                if not any(
                    isinstance(ctx.literal(side), (int, float))
                    or (isinstance(side, ast.UnaryOp) and isinstance(side.operand, ast.Constant))
                    for side in sides
                ):
                    return True
            elif isinstance(sub, ast.Name) and sub is not expr and self._lookup(_TUNED, sub.id):
                return True
        return False

    # ----------------------------------------------------------- bindings
    def leave_Assign(self, node: ast.Assign) -> None:
        if not self._active:
            return
        self._bind(node.targets, node.value)

    def leave_AnnAssign(self, node: ast.AnnAssign) -> None:
        if not self._active:
            return
        if node.value is not None:
            self._bind([node.target], node.value)

    def _bind(self, targets: List[ast.expr], value: ast.expr) -> None:
        label = self._score(value)
        tuned = (_cuts_labels(value) and self._tuning_threshold(value, 24)) or None
        for target in targets:
            if isinstance(target, ast.Name):
                self._store(_TUNED, target.id, tuned)
                self._store(_SCORES, target.id, label)
                self._store(_CONTAINERS, target.id, None)
                if label and isinstance(
                    value, (ast.Dict, ast.List, ast.ListComp, ast.DictComp, ast.Tuple)
                ):
                    self._store(_SCORES, target.id, None)
                    self._store(_CONTAINERS, target.id, label)
            elif isinstance(target, (ast.Tuple, ast.List)):
                for sub in _target_names(target):
                    if isinstance(sub, ast.Name):
                        self._store(_SCORES, sub.id, None)
                        self._store(_CONTAINERS, sub.id, None)
            elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                if label:  # scores[name] = acc
                    self._store(_CONTAINERS, target.value.id, label)
        if isinstance(value, ast.Compare) and any(
            isinstance(t, (ast.Name, ast.Attribute)) and _is_best_like(t) for t in targets
        ):
            self._compare(value, require_action=None)  # is_best = acc > best_acc

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._objectives.pop(node.name, None)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Return(self, node: ast.Return) -> None:
        if not self._active:
            return
        scope = self.ctx.scope
        if scope.kind != "function" or not isinstance(scope.node, ast.FunctionDef):
            return
        label = self._score(node.value)
        if label:
            self._objectives[scope.node.name] = label

    # ------------------------------------------------------------ selection
    def visit_If(self, node: ast.If) -> None:
        if not self._active:
            return
        test = node.test
        tests = test.values if isinstance(test, ast.BoolOp) else [test]
        for t in tests:
            if isinstance(t, ast.Compare):
                self._compare(t, require_action=node.body)

    def _compare(self, cmp: ast.Compare, require_action: Optional[List[ast.stmt]]) -> None:
        if any(self._loops):
            return  # for thr in np.linspace(...): tuning the threshold, not the model
        if len(cmp.ops) != 1 or not isinstance(cmp.ops[0], (ast.Gt, ast.GtE, ast.Lt, ast.LtE)):
            return
        left, right = cmp.left, cmp.comparators[0]
        for score, best in ((left, right), (right, left)):
            if not _is_best_like(best) or _is_best_like(score):
                continue
            label = self._score(score)
            if label is None or (isinstance(score, ast.Name) and self._lookup(_CONTAINERS, score.id)):
                continue
            if require_action is not None and not self._selects(require_action, best):
                continue
            self._candidate(cmp, f"comparing {label}", _FIX_COMPARE)
            return

    def _selects(self, body: List[ast.stmt], best: ast.AST) -> bool:
        """Does an ``if`` body keep a candidate? It assigns something other than the
        compared best score (``best_model = model``, ``chosen = m``,
        ``best_state = copy.deepcopy(...)``), or saves / copies / logs a model. Counters,
        flags, messages, epochs and thresholds (``patience = 0``, ``best_epoch = epoch``,
        ``best_t = t``) do not count."""
        best_text = ast.unparse(best)
        stack: List[ast.stmt] = list(body)
        seen = 0
        while stack and seen < 40:
            stmt = stack.pop()
            seen += 1
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    for sub, value in _pairs(target, stmt.value):
                        if self._keeps(sub, value, best_text):
                            return True
                if isinstance(stmt.value, ast.Call) and self._is_save(stmt.value):
                    return True
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                if self._is_save(stmt.value):
                    return True
            elif isinstance(stmt, (ast.If, ast.With, ast.Try)):
                stack.extend(stmt.body)
                stack.extend(getattr(stmt, "orelse", []))
        return False

    def _keeps(self, target: ast.AST, value: Optional[ast.AST], best_text: str) -> bool:
        if not isinstance(target, (ast.Name, ast.Attribute, ast.Subscript)):
            return False
        if not _names_choice(target) or ast.unparse(target) == best_text:
            return False
        if value is not None:
            if isinstance(value, ast.BinOp) and (
                self._score(value.left) is not None or self._score(value.right) is not None
            ):
                return False  # best_acc_pct = acc * 100
            if isinstance(value, (ast.Constant, ast.JoinedStr, ast.UnaryOp, ast.BinOp)):
                return _is_best_like(target) and not isinstance(value, ast.Constant)
            if self._score(value) is not None:
                return False  # best_score = f1: another copy of the score
        return _is_best_like(target) or isinstance(
            value, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)
        )

    @staticmethod
    def _is_save(call: ast.Call) -> bool:
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        return name in _SAVE_CALLS

    def visit_Call(self, node: ast.Call) -> None:
        if not self._active:
            return
        ctx = self.ctx
        func = ctx.call_name(node)
        if func is not None:
            self._library_call(node, func)
        elif isinstance(node.func, ast.Attribute):
            attr = node.func.attr
            if attr == "append" and isinstance(node.func.value, ast.Name) and node.args:
                label = self._score(node.args[0])
                if label:
                    self._store_container(node.func.value.id, label)
            elif attr == "optimize" and node.args:
                self._optuna(node)
            elif attr == "index" and node.args:  # scores.index(max(scores))
                self._pick(node, node.func.value)
            elif attr in _LOG_METHODS and node.args:
                self._logged_keys(node.args[0])
        if func is not None and func.rsplit(".", 1)[-1] in _LOG_METHODS and node.args:
            self._logged_keys(node.args[0])  # mlflow.log_metric("auc", ...), wandb.log({...})
        elif isinstance(node.func, ast.Name) and node.func.id in ("max", "min", "sorted"):
            if ctx.resolver.ever_bound(node.func.id) or not node.args:
                return
            if node.func.id == "sorted" and not isinstance(ctx.parent, ast.Subscript):
                return
            self._max_call(node)
        # free-metric markers that are keywords of any call
        for kw in node.keywords:
            if kw.arg == "scoring":
                if self._scoring(kw.value, 1)[0] == "free":
                    self._mark_free()
            elif kw.arg == "eval_metric":
                self._eval_metric(kw.value)
            elif kw.arg == "metrics" and isinstance(kw.value, (ast.List, ast.Tuple)):
                for elt in kw.value.elts:
                    name = ctx.literal_str(elt)
                    if name and named_metric_kind(name) == "free":
                        self._mark_free()

    def _logged_keys(self, first: ast.AST) -> None:
        keys = first.keys if isinstance(first, ast.Dict) else [first]
        for key in keys:
            name = self.ctx.literal_str(key) if key is not None else None
            if name and names_threshold_free_metric(name):
                self._mark_free()
                return

    def _store_container(self, name: str, label: str) -> None:
        scope = self.ctx.resolver.lookup_scope(name)
        if scope is None:
            return
        table = scope.data.get(_CONTAINERS)
        if table is None:
            table = scope.data[_CONTAINERS] = {}
        table[name] = label  # type: ignore[index]

    def _eval_metric(self, value: ast.AST) -> None:
        values = value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
        for v in values:
            name = self.ctx.literal_str(v)
            if name and name.lower() in FREE_EVAL_METRICS:
                self._mark_free()

    def _library_call(self, node: ast.Call, func: str) -> None:
        ctx = self.ctx
        kind = metric_function_kind(func)
        if kind == "free":
            self._mark_free()
            return
        if kind == "dependent":
            return
        last = func.rsplit(".", 1)[-1]
        if (last in _SEARCH_CLASSES and func.startswith(_SEARCH_HEADS)) or func in _OTHER_SEARCHES:
            position = _OTHER_SEARCHES.get(func)
            scoring = ctx.arg(node, position, "scoring") if position else ctx.kwarg(node, "scoring")
            status, labels = self._scoring(scoring)
            if status == "dependent":
                self._candidate(node, f"{last}(scoring={labels[0]})", _FIX_SEARCH, True)
            return
        selector = _SELECTORS.get(func)
        if selector is not None:
            self._selector(node, last, selector)
            return
        if func == "evaluate.load":
            name = ctx.literal_str(ctx.arg(node, 0, "path"))
            if name and named_metric_kind(name) == "free":
                self._mark_free()
            return
        if func in _HYPEROPT_FMIN:
            self._objective(node, ctx.arg(node, 0, "fn"), "a hyperopt objective")
            return
        if func == "numpy.argmax" and node.args:
            self._pick(node, node.args[0])

    def _metric_names(self, expr: Optional[ast.AST]) -> Optional[List[str]]:
        """Literal metric names: "val_accuracy", ["val_f1", ...], kt.Objective("val_acc", ...)."""
        if expr is None:
            return None
        items = expr.elts if isinstance(expr, (ast.List, ast.Tuple)) else [expr]
        names: List[str] = []
        for item in items:
            if isinstance(item, ast.Call) and self.ctx.qualname(item.func) in _TUNER_OBJECTIVES:
                item = self.ctx.arg(item, 0, "name")
            name = self.ctx.literal_str(item)
            if name is None:
                return None
            names.append(name)
        return names or None

    def _selector(self, node: ast.Call, last: str, sel: _Selector) -> None:
        ctx = self.ctx
        if sel.position is not None:
            names = self._metric_names(ctx.arg(node, sel.position, sel.keyword))
        else:
            names = self._metric_names(ctx.kwarg(node, sel.keyword))
        if names is None:
            return
        kinds = [named_metric_kind(n, _METRIC_PREFIXES) for n in names]
        if "free" in kinds:
            self._mark_free()
            return
        if any(k != "dependent" for k in kinds):
            return
        if sel.prefix and not all(n.lower().startswith(sel.prefix) for n in names):
            return  # monitor="accuracy": the training metric, an odd choice but not validation
        if sel.keep.startswith("kw_true:"):
            _, keyword, pos = sel.keep.split(":")
            position = int(pos)
            value = ctx.arg(node, position, keyword) if position >= 0 else ctx.kwarg(node, keyword)
            if not ctx.is_true(value):
                return
        elif sel.keep == "top_k":
            expr = ctx.kwarg(node, "save_top_k")
            if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
                return  # save_top_k=-1: every checkpoint is kept, none is chosen
            top_k = ctx.literal(expr, 1)
            if top_k == 0 or not isinstance(top_k, int):
                return
        label = names[0] if len(names) == 1 else names
        if len(names) == 1:
            what = f'{last}({sel.keyword}="{label}")'
        else:
            what = f"{last}({sel.keyword}={label})"
        self._candidate(node, what, sel.fix, True)

    def _pick(self, node: ast.Call, container: ast.AST) -> None:
        """``np.argmax(scores)`` / ``scores.index(max(scores))`` over a score list."""
        parent = self.ctx.parent
        if isinstance(parent, ast.Call):  # int(np.argmax(scores))
            parent = None
        if isinstance(parent, ast.Subscript) and not _names_choice(parent.value):
            return  # thresholds[np.argmax(f1s)]
        if isinstance(container, ast.Name):
            label = self._lookup(_CONTAINERS, container.id)
            if label:
                self._candidate(node, f"picking the best {label}", _FIX_COMPARE)

    def _max_call(self, node: ast.Call) -> None:
        """``max(models, key=lambda m: f1_score(...))``, ``max(scores, key=scores.get)``."""
        key = self.ctx.kwarg(node, "key")
        source = node.args[0]
        if isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute):
            if source.func.attr in ("items", "keys") and not source.args:
                source = source.func.value
        if not _names_choice(source):
            return  # max(thresholds, key=...): tuning a cut-off, not choosing a model
        label: Optional[str] = None
        if isinstance(source, ast.Name):
            label = self._lookup(_CONTAINERS, source.id)
            if label and key is None:
                return  # max(scores): the best score, not a choice
        if label is None and isinstance(key, ast.Lambda):
            label = self._score(key.body)
            if label is None and isinstance(key.body, ast.Call):
                # key=lambda m: -f1_score(...) / abs(...) are caught above; look one level in
                for arg in key.body.args:
                    label = self._score(arg)
                    if label:
                        break
        elif label is None and isinstance(key, ast.Attribute) and key.attr == "get":
            if isinstance(key.value, ast.Name):
                label = self._lookup(_CONTAINERS, key.value.id)
        if label is None and isinstance(key, ast.Lambda) and isinstance(key.body, ast.UnaryOp):
            label = self._score(key.body.operand)
        if label:
            what = node.func.id if isinstance(node.func, ast.Name) else "max"
            self._candidate(node, f"{what}() over {label}", _FIX_COMPARE)

    def _optuna(self, node: ast.Call) -> None:
        receiver = node.func.value  # type: ignore[attr-defined]
        study = receiver
        if isinstance(receiver, ast.Name):
            study = self.ctx.resolver.constant(receiver.id)
        if not isinstance(study, ast.Call) or self.ctx.qualname(study.func) not in _OPTUNA_STUDIES:
            return
        self._objective(node, node.args[0], "an Optuna objective")

    def _objective(self, node: ast.Call, objective: Optional[ast.AST], what: str) -> None:
        if isinstance(objective, ast.Lambda) and isinstance(objective.body, ast.Call):
            objective = objective.body.func  # optimize(lambda t: objective(t, X, y))
        if isinstance(objective, ast.Name):
            label = self._objectives.get(objective.id)
            if label:
                self._candidate(node, f"{what} returning {label}", _FIX_OPTUNA, True)

    # --------------------------------------------------------------- report
    def _candidate(self, node: ast.AST, what: str, fix: str, explicit: bool = False) -> None:
        """``explicit``: the API names its selection metric itself (a search's
        ``scoring=``, a checkpoint's ``monitor=``, a tuner's objective); it is judged on
        that metric alone. A hand-written comparison inside a loop is dropped when a
        threshold-free metric is computed in that loop (the candidates are seen on it
        too); outside any loop, when the module computes one anywhere."""
        if id(node) in self._reported:
            return
        self._reported.add(id(node))
        loop = id(self._loop_nodes[-1]) if self._loop_nodes else None
        self._candidates.append((node, what, fix, explicit, loop))

    def finish(self) -> None:
        for node, what, fix, explicit, loop in self._candidates:
            if explicit:
                self.report(node, what=what, fix=fix)
            elif loop is not None:
                if loop not in self._free_loops:
                    self.report(node, what=what, fix=fix)
            elif not self._free_seen:
                self.report(node, what=what, fix=fix)
