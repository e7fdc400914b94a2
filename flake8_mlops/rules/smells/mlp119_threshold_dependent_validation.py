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

# class aliases: ``x.__class__ is _Call`` is the cheapest node test (parsed trees only
# hold these exact classes)
_Name = ast.Name
_Call = ast.Call
_Attribute = ast.Attribute
_Subscript = ast.Subscript
_Compare = ast.Compare
_Constant = ast.Constant
_Tuple = ast.Tuple
_List = ast.List
_Dict = ast.Dict
_BinOp = ast.BinOp
_IfExp = ast.IfExp
_UnaryOp = ast.UnaryOp
_USub = ast.USub
_BoolOp = ast.BoolOp
_ListComp = ast.ListComp
_DictComp = ast.DictComp
_GeneratorExp = ast.GeneratorExp
_AST = ast.AST
#: the values _score() may find a score in besides a call, and those _cuts_labels() may
#: answer True for
_SCORED_VALUES = frozenset(
    {_Name, _Subscript, _Tuple, _List, _Dict, _UnaryOp, _ListComp, _GeneratorExp, _DictComp}
)
_CUT_VALUES = frozenset({_Call, _Compare, _ListComp, _GeneratorExp, _IfExp, _BinOp})

# What _score makes of a resolved callee, per qualified name (pure; the same names repeat
# in every file): 0 nothing, 1 a threshold-dependent metric, 2 a cross-validation scorer,
# 3 a pass-through wrapper (np.mean...)
_SCORE_CODES: Dict[str, int] = {}


def _score_code(func: str) -> int:
    code = _SCORE_CODES.get(func)
    if code is None:
        if len(_SCORE_CODES) > 50_000:  # bounded: a long-lived process sees many names
            _SCORE_CODES.clear()
        if metric_function_kind(func) == "dependent":
            code = 1
        elif func.startswith("sklearn.") and func.rsplit(".", 1)[-1] in _CV_SCORERS:
            code = 2
        elif func in _PASS_THROUGH_FUNCS:
            code = 3
        else:
            code = 0
        _SCORE_CODES[func] = code
    return code


# What visit_Call does with a resolved callee, per qualified name (pure): in the low
# bits 0 nothing, 1 a threshold-free metric, 2 a search, 3 a selector, 4 evaluate.load,
# 5 hyperopt fmin, 6 numpy.argmax; plus _LOGS when its last part is a logging method
_CALL_ACTIONS: Dict[str, int] = {}
_LOGS = 8
_MAX_MIN_SORTED = frozenset({"max", "min", "sorted"})
_KEYWORD_MARKERS = frozenset({"scoring", "eval_metric", "metrics"})


def _call_action(func: str) -> int:
    action = _CALL_ACTIONS.get(func)
    if action is None:
        if len(_CALL_ACTIONS) > 50_000:
            _CALL_ACTIONS.clear()
        kind = metric_function_kind(func)
        last = func.rsplit(".", 1)[-1]
        if kind == "free":
            code = 1
        elif kind == "dependent":
            code = 0
        elif (last in _SEARCH_CLASSES and func.startswith(_SEARCH_HEADS)) or func in _OTHER_SEARCHES:
            code = 2
        elif func in _SELECTORS:
            code = 3
        elif func == "evaluate.load":
            code = 4
        elif func in _HYPEROPT_FMIN:
            code = 5
        elif func == "numpy.argmax":
            code = 6
        else:
            code = 0
        action = _CALL_ACTIONS[func] = code | (_LOGS if last in _LOG_METHODS else 0)
    return action

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
    cls = value.__class__
    if cls is _Call:  # the common value: tested first
        func = value.func
        if func.__class__ is _Attribute and func.value.__class__ is _Compare:
            return True
        for a in value.args:
            if a.__class__ is _Compare:
                return True
        return False
    if cls is _Compare:
        return True
    if cls is _ListComp or cls is _GeneratorExp:  # [1 if p > t else 0 for p in ps]
        return _cuts_labels(value.elt)
    if cls is _IfExp:
        return value.test.__class__ is _Compare
    if cls is _BinOp:
        return value.left.__class__ is _Compare or value.right.__class__ is _Compare
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
        #: the last statement inside which a name was bound or a scope opened (walrus,
        #: comprehension, lambda): its calls may not resolve now as they did on visit
        self._binds_in: Optional[ast.AST] = None
        #: True while _bind scores an assignment's value whose calls resolve now as they
        #: did when visited: their cached ``ctx.call_name`` is used
        self._visited = False
        #: True once a name was bound to labels cut at a variable threshold (_TUNED)
        self._any_tuned = False
        #: True once anything was stored in a scope table (_SCORES, _CONTAINERS,
        #: _TUNED): until then every lookup misses (most files compute no such score)
        self._any_stored = False

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
        target = node.target
        if target.__class__ is _Name:
            threshold_loop = _is_threshold_name(target.id)  # type: ignore[attr-defined]
        else:
            threshold_loop = any(
                isinstance(t, ast.Name) and _is_threshold_name(t.id) for t in _target_names(target)
            )
        if not threshold_loop:
            it = node.iter
            threshold_loop = (it.__class__ is _Name and _is_threshold_name(it.id)) or self._unit_range(it)  # type: ignore[attr-defined]
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
        if not self._any_stored:
            return None
        scope = self.ctx.resolver.lookup_scope(name)
        if scope is None:
            return None
        table = scope.data.get(key)
        return table.get(name) if table else None  # type: ignore[union-attr]

    def _store(self, key: str, name: str, label: Optional[str]) -> None:
        data = self.ctx.resolver.scope.data
        table = data.get(key)
        if label is None:
            if table:
                table.pop(name, None)  # type: ignore[union-attr]
            return
        self._any_stored = True
        if table is None:
            table = data[key] = {}
        table[name] = label  # type: ignore[index]

    def _score(self, expr: Optional[ast.AST], depth: int = 0) -> Optional[str]:
        """The metric label when ``expr`` is a threshold-dependent score (or holds one)."""
        if expr is None or depth > 6:
            return None
        cls = expr.__class__
        if cls is _Call:
            return self._score_call(expr, depth)  # type: ignore[arg-type]
        if cls is _Name:
            if not self._any_stored:
                return None  # no table holds anything yet
            # _lookup(_SCORES) or _lookup(_CONTAINERS): one scope lookup for both
            scope = self.ctx.resolver.lookup_scope(expr.id)  # type: ignore[attr-defined]
            if scope is None:
                return None
            data = scope.data
            if not data:
                return None
            table = data.get(_SCORES)
            label = table.get(expr.id) if table else None  # type: ignore[union-attr, attr-defined]
            if label:
                return label  # type: ignore[no-any-return]
            table = data.get(_CONTAINERS)
            return table.get(expr.id) if table else None  # type: ignore[union-attr, attr-defined]
        if cls is _Subscript:
            return self._history_key(expr) or self._score(expr.value, depth + 1)  # type: ignore[arg-type, attr-defined]
        if cls is _Tuple or cls is _List:
            for elt in expr.elts:  # type: ignore[attr-defined]
                label = self._score(elt, depth + 1)
                if label:
                    return label
            return None
        if cls is _Dict:
            for value in expr.values:  # type: ignore[attr-defined]
                label = self._score(value, depth + 1)
                if label:
                    return label
            return None
        if cls is _UnaryOp:
            if expr.op.__class__ is _USub:  # type: ignore[attr-defined]
                return self._score(expr.operand, depth + 1)  # type: ignore[attr-defined]  # hyperopt: return -acc
            return None
        if cls is _ListComp or cls is _GeneratorExp:
            return self._score(expr.elt, depth + 1)  # type: ignore[attr-defined]
        if cls is _DictComp:
            return self._score(expr.value, depth + 1)  # type: ignore[attr-defined]
        return None

    def _score_call(self, expr: ast.Call, depth: int) -> Optional[str]:
        ctx = self.ctx
        efunc = expr.func
        # ctx.call_name() is the name resolved when the call was visited: the same as
        # resolving now when nothing was bound in between (see _bind)
        func = ctx.call_name(expr) if self._visited else ctx.qualname(efunc)
        if func is not None:
            code = _SCORE_CODES.get(func)
            if code is None:
                code = _score_code(func)
            if code == 0:
                return None
            if code == 1:  # a threshold-dependent metric
                if self._tuning_threshold(expr):
                    return None  # f1_score(y, proba > t): tuning the threshold itself
                return func.rsplit(".", 1)[-1]
            if code == 2:  # cross_val_score / cross_validate
                status, labels = self._scoring(ctx.kwarg(expr, "scoring"), 1)
                if status == "dependent":
                    return f"{func.rsplit('.', 1)[-1]}(scoring={labels[0]})"
                return None
            if expr.args:  # code 3: a pass-through wrapper
                return self._score(expr.args[0], depth + 1)
            return None
        fcls = efunc.__class__
        if fcls is _Name:
            fid = efunc.id  # type: ignore[attr-defined]
            if fid == "max" or fid == "min":
                args = expr.args
                if (
                    len(args) == 1
                    and not expr.keywords
                    and args[0].__class__ is _Subscript
                    and not ctx.resolver.ever_bound(fid)
                ):
                    # max(hist.history["val_accuracy"]): the best epoch's score
                    return self._history_key(args[0]) or self._score(args[0].value, depth + 1)  # type: ignore[arg-type, attr-defined]
                return None
            if fid in _PASS_THROUGH_BUILTINS:
                if expr.args and not ctx.resolver.ever_bound(fid):
                    return self._score(expr.args[0], depth + 1)
            return None
        if fcls is _Attribute and efunc.attr in _PASS_THROUGH_METHODS:  # type: ignore[attr-defined]
            return self._score(efunc.value, depth + 1)  # type: ignore[attr-defined]
        return None

    def _history_metric(self, sub: ast.Subscript) -> Optional[str]:
        """The literal key of a Keras ``History`` read: ``hist.history["val_accuracy"]``,
        ``model.history.history["acc"]``, or ``h["val_f1"]`` with ``h`` bound once to
        ``<x>.history``; None for anything else."""
        base = sub.value
        bcls = base.__class__
        if bcls is _Attribute:
            if base.attr != "history":  # type: ignore[attr-defined]
                return None
        elif bcls is _Name:
            # the key must be a literal string (a constant, or a name bound once to one):
            # the slice is tested before the base name is looked up
            key = sub.slice
            kcls = key.__class__
            if kcls is _Constant:
                if not isinstance(key.value, str):  # type: ignore[attr-defined]
                    return None
            elif kcls is not _Name:
                return None
            bound = self.ctx.resolver.constant(base.id)  # type: ignore[attr-defined]
            if not (isinstance(bound, ast.Attribute) and bound.attr == "history"):
                return None
        else:
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
        base = node.value.__class__
        if base is not _Name and base is not _Attribute:
            return  # not a History read (see _history_metric)
        key = self._history_metric(node)
        if key and names_threshold_free_metric(key):
            self._mark_free()

    def _tuning_threshold(self, expr: ast.AST, limit: int = 80) -> bool:
        """Does ``expr`` cut scores at a *variable* threshold (``proba >= t``), or use a
        name bound to such labels? Small bounded look at one call's arguments."""
        ctx = self.ctx
        # ast.walk(expr)'s breadth-first order (operators and contexts included), without
        # its generators; only the first ``limit`` nodes are looked at, so children are
        # queued only while the queue is not longer than that
        todo = [expr]
        i = 0
        while i < len(todo) and i < limit:
            sub = todo[i]
            i += 1
            if len(todo) <= limit:
                for field in sub._fields:
                    value = getattr(sub, field, None)
                    if isinstance(value, _AST):
                        todo.append(value)
                    elif value.__class__ is list:
                        for item in value:
                            if isinstance(item, _AST):
                                todo.append(item)
            if isinstance(sub, ast.Compare) and all(isinstance(op, _COMPARE_OPS) for op in sub.ops):
                sides = [sub.left, *sub.comparators]
                if not any(
                    isinstance(ctx.literal(side), (int, float))
                    or (isinstance(side, ast.UnaryOp) and isinstance(side.operand, ast.Constant))
                    for side in sides
                ):
                    return True
            elif (
                sub.__class__ is _Name
                and self._any_tuned  # else no scope has a _TUNED table
                and sub is not expr
                and self._lookup(_TUNED, sub.id)  # type: ignore[attr-defined]
            ):
                return True
        return False

    # ----------------------------------------------------------- bindings
    def _binds(self, node: ast.AST) -> None:
        self._binds_in = self.ctx.stmt

    # The resolver binds names inside an expression only at these nodes (a lambda also
    # opens a scope): an assignment without any has been resolved in one state throughout.
    visit_NamedExpr = visit_comprehension = visit_Lambda = _binds

    def leave_Assign(self, node: ast.Assign) -> None:
        if not self._active:
            return
        self._bind(node.targets, node.value, node)

    def leave_AnnAssign(self, node: ast.AnnAssign) -> None:
        if not self._active:
            return
        if node.value is not None:
            self._bind([node.target], node.value, node)

    def _bind(self, targets: List[ast.expr], value: ast.expr, stmt: ast.stmt) -> None:
        # The value's calls were all visited, and the targets are bound after this
        # handler: unless something inside the statement bound a name, every call of
        # the value resolves now as it did when visited (ctx.call_name).
        cls = value.__class__
        if cls is _Call:
            self._visited = self._binds_in is not stmt
            label = self._score_call(value, 0)  # type: ignore[arg-type]
        elif cls in _SCORED_VALUES and (cls is not _Name or self._any_stored):
            self._visited = self._binds_in is not stmt
            label = self._score(value)
        else:
            label = None  # what _score() answers for any other value
        self._visited = False
        tuned = (cls in _CUT_VALUES and _cuts_labels(value) and self._tuning_threshold(value, 24)) or None
        if label is None and tuned is None:
            # the common case: no score, no cut; a Name target only forgets what the
            # scope knew of it (the three _store(..., None) calls below)
            data = self.ctx.resolver.scope.data if self._any_stored else None
            if data:  # else this scope has no table to forget anything from
                for target in targets:
                    tcls = target.__class__
                    if tcls is _Name:
                        name = target.id  # type: ignore[attr-defined]
                        for key in (_TUNED, _SCORES, _CONTAINERS):
                            table = data.get(key)
                            if table:
                                table.pop(name, None)  # type: ignore[attr-defined]
                    elif tcls is _Tuple or tcls is _List:
                        for sub in _target_names(target):
                            if isinstance(sub, ast.Name):
                                self._store(_SCORES, sub.id, None)
                                self._store(_CONTAINERS, sub.id, None)
            if value.__class__ is _Compare and any(
                isinstance(t, (ast.Name, ast.Attribute)) and _is_best_like(t) for t in targets
            ):
                self._compare(value, require_action=None)  # type: ignore[arg-type]  # is_best = acc > best_acc
            return
        for target in targets:
            if isinstance(target, ast.Name):
                self._store(_TUNED, target.id, tuned)
                if tuned:
                    self._any_tuned = True
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
        cls = test.__class__
        if cls is _Compare:
            self._compare(test, require_action=node.body)  # type: ignore[arg-type]
        elif cls is _BoolOp:
            for t in test.values:  # type: ignore[attr-defined]
                if t.__class__ is _Compare:
                    self._compare(t, require_action=node.body)

    def _compare(self, cmp: ast.Compare, require_action: Optional[List[ast.stmt]]) -> None:
        if any(self._loops):
            return  # for thr in np.linspace(...): tuning the threshold, not the model
        if len(cmp.ops) != 1 or not isinstance(cmp.ops[0], (ast.Gt, ast.GtE, ast.Lt, ast.LtE)):
            return
        left, right = cmp.left, cmp.comparators[0]
        # exactly one side must be best-like (the best), the other is the score
        left_best = _is_best_like(left)
        if left_best == _is_best_like(right):
            return
        score, best = (right, left) if left_best else (left, right)
        label = self._score(score)
        if label is None or (isinstance(score, ast.Name) and self._lookup(_CONTAINERS, score.id)):
            return
        if require_action is not None and not self._selects(require_action, best):
            return
        self._candidate(cmp, f"comparing {label}", _FIX_COMPARE)

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
        nfunc = node.func
        if func is not None:
            action = _CALL_ACTIONS.get(func)
            if action is None:
                action = _call_action(func)
            if action & 7:
                self._library_call(node, func, action & 7)
            if action & _LOGS and node.args:
                self._logged_keys(node.args[0])  # mlflow.log_metric("auc", ...), wandb.log({...})
            elif nfunc.__class__ is _Name and nfunc.id in _MAX_MIN_SORTED:  # type: ignore[attr-defined]
                if not self._max_min_sorted(node, nfunc.id):  # type: ignore[attr-defined]
                    return
        else:
            fcls = nfunc.__class__
            if fcls is _Attribute:
                attr = nfunc.attr  # type: ignore[attr-defined]
                if attr == "append" and nfunc.value.__class__ is _Name and node.args:  # type: ignore[attr-defined]
                    label = self._score(node.args[0])
                    if label:
                        self._store_container(nfunc.value.id, label)  # type: ignore[attr-defined]
                elif attr == "optimize" and node.args:
                    self._optuna(node)
                elif attr == "index" and node.args:  # scores.index(max(scores))
                    self._pick(node, nfunc.value)  # type: ignore[attr-defined]
                elif attr in _LOG_METHODS and node.args:
                    self._logged_keys(node.args[0])
            elif fcls is _Name and nfunc.id in _MAX_MIN_SORTED:  # type: ignore[attr-defined]
                if not self._max_min_sorted(node, nfunc.id):  # type: ignore[attr-defined]
                    return
        # free-metric markers that are keywords of any call
        for kw in node.keywords:
            arg = kw.arg
            if arg not in _KEYWORD_MARKERS:
                continue
            if arg == "scoring":
                if self._scoring(kw.value, 1)[0] == "free":
                    self._mark_free()
            elif arg == "eval_metric":
                self._eval_metric(kw.value)
            elif arg == "metrics" and isinstance(kw.value, (ast.List, ast.Tuple)):
                for elt in kw.value.elts:
                    name = ctx.literal_str(elt)
                    if name and named_metric_kind(name) == "free":
                        self._mark_free()

    def _max_min_sorted(self, node: ast.Call, name: str) -> bool:
        """A call of ``max``/``min``/``sorted``; False: the call's keywords are not
        looked at either."""
        ctx = self.ctx
        if ctx.resolver.ever_bound(name) or not node.args:
            return False
        if name == "sorted" and not isinstance(ctx.parent, ast.Subscript):
            return False
        self._max_call(node)
        return True

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
        self._any_stored = True
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

    def _library_call(self, node: ast.Call, func: str, code: int) -> None:
        """``code``: what _call_action() found ``func`` to be (not 0)."""
        ctx = self.ctx
        if code == 1:  # a threshold-free metric
            self._mark_free()
            return
        last = func.rsplit(".", 1)[-1]
        if code == 2:  # a search
            position = _OTHER_SEARCHES.get(func)
            scoring = ctx.arg(node, position, "scoring") if position else ctx.kwarg(node, "scoring")
            status, labels = self._scoring(scoring)
            if status == "dependent":
                self._candidate(node, f"{last}(scoring={labels[0]})", _FIX_SEARCH, True)
            return
        if code == 3:
            self._selector(node, last, _SELECTORS[func])
            return
        if code == 4:  # evaluate.load
            name = ctx.literal_str(ctx.arg(node, 0, "path"))
            if name and named_metric_kind(name) == "free":
                self._mark_free()
            return
        if code == 5:  # hyperopt fmin
            self._objective(node, ctx.arg(node, 0, "fn"), "a hyperopt objective")
            return
        if code == 6 and node.args:  # numpy.argmax
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
