"""Classification metrics for MLP119 (threshold-dependent validation).

Two kinds of metric matter when a script *chooses* a model:

* **threshold-dependent** metrics score hard labels, i.e. the classifier's output after
  one fixed decision threshold (accuracy, F1, precision, recall, Jaccard, MCC);
* **threshold-free** metrics score the ranking or the probabilities themselves
  (ROC AUC, average precision, log loss, Brier score) or draw the whole curve.

The tables below hold scikit-learn scorer strings, metric functions (keyed by their last
name component under ``sklearn.metrics`` / ``torchmetrics``), and the metric names used by
Hugging Face ``TrainingArguments(metric_for_best_model=...)`` and Keras callbacks
(``monitor=...``). Regression and clustering scorers are in neither table, so they never
count. Nothing here imports an ML library.
"""

from __future__ import annotations

from typing import FrozenSet, Optional

_AVERAGES = ("", "_binary", "_macro", "_micro", "_weighted", "_samples")

#: sklearn scorer strings that score hard labels (``scoring="f1"``)
DEPENDENT_SCORERS: FrozenSet[str] = frozenset(
    {"accuracy", "balanced_accuracy", "matthews_corrcoef"}
    | {base + avg for base in ("f1", "precision", "recall", "jaccard") for avg in _AVERAGES}
)

#: sklearn scorer strings that score probabilities / rankings
FREE_SCORERS: FrozenSet[str] = frozenset(
    {
        "roc_auc", "roc_auc_ovr", "roc_auc_ovo", "roc_auc_ovr_weighted",
        "roc_auc_ovo_weighted", "average_precision", "neg_log_loss", "neg_brier_score",
        "top_k_accuracy", "d2_log_loss_score", "d2_brier_score",
    }
)

#: sklearn.metrics functions (last component) that score hard labels
DEPENDENT_SKLEARN_FUNCS: FrozenSet[str] = frozenset(
    {
        "accuracy_score", "balanced_accuracy_score", "f1_score", "fbeta_score",
        "precision_score", "recall_score", "jaccard_score", "matthews_corrcoef",
    }
)

#: torchmetrics functional metrics (last component) that score hard labels
DEPENDENT_TORCHMETRICS_FUNCS: FrozenSet[str] = frozenset(
    {
        "accuracy", "f1_score", "fbeta_score", "precision", "recall", "jaccard_index",
        "matthews_corrcoef",
        "binary_accuracy", "multiclass_accuracy", "multilabel_accuracy",
        "binary_f1_score", "multiclass_f1_score", "multilabel_f1_score",
        "binary_precision", "multiclass_precision", "multilabel_precision",
        "binary_recall", "multiclass_recall", "multilabel_recall",
    }
)

#: sklearn.metrics names (any component) that are threshold-free metrics or curves
FREE_SKLEARN_NAMES: FrozenSet[str] = frozenset(
    {
        "roc_auc_score", "average_precision_score", "log_loss", "brier_score_loss",
        "roc_curve", "precision_recall_curve", "det_curve", "top_k_accuracy_score",
        "d2_log_loss_score", "d2_brier_score",
        "RocCurveDisplay", "PrecisionRecallDisplay", "DetCurveDisplay",
    }
)

#: lower-cased fragments of torchmetrics / keras metric names that are threshold-free
FREE_NAME_FRAGMENTS = ("auroc", "averageprecision", "average_precision", "roc", "auc",
                       "log_loss", "logloss", "brier", "crossentropy", "curve")

#: metric names as Hugging Face / Keras / evaluate spell them (prefix stripped)
DEPENDENT_METRIC_NAMES: FrozenSet[str] = frozenset(
    {
        "accuracy", "acc", "balanced_accuracy", "f1", "f1_score", "f1_macro", "f1_micro",
        "f1_weighted", "macro_f1", "micro_f1", "weighted_f1", "precision", "recall",
        "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
        "matthews_correlation", "mcc",
    }
)

#: gradient-boosting ``eval_metric=`` values that are threshold-free (xgboost, lightgbm,
#: catboost spellings)
FREE_EVAL_METRICS: FrozenSet[str] = frozenset(
    {"auc", "aucpr", "pr_auc", "average_precision", "logloss", "mlogloss",
     "binary_logloss", "multi_logloss", "prauc", "crossentropy", "multiclass"}
)


def scorer_kind(name: str) -> Optional[str]:
    """``"dependent"`` / ``"free"`` for a sklearn scorer string, else None."""
    if name in DEPENDENT_SCORERS:
        return "dependent"
    if name in FREE_SCORERS:
        return "free"
    return None


def metric_function_kind(qualname: str) -> Optional[str]:
    """``"dependent"`` / ``"free"`` for a resolved metric function or class, else None."""
    parts = qualname.split(".")
    head = parts[0]
    if head == "sklearn" and "metrics" in parts:
        if parts[-1] in DEPENDENT_SKLEARN_FUNCS:
            return "dependent"
        if any(p in FREE_SKLEARN_NAMES for p in parts):
            return "free"
        return None
    if head == "torchmetrics":
        if "functional" in parts and parts[-1] in DEPENDENT_TORCHMETRICS_FUNCS:
            return "dependent"
        if any(f in parts[-1].lower() for f in FREE_NAME_FRAGMENTS):
            return "free"
        return None
    if head == "keras" and "metrics" in parts:
        last = parts[-1].lower()
        if any(f in last for f in FREE_NAME_FRAGMENTS):
            return "free"
    return None


def named_metric_kind(name: str, prefixes=("eval_", "val_", "validation_", "valid_")) -> Optional[str]:
    """Kind of a logged metric name (``"eval_f1"``, ``"val_accuracy"``, ``"val_auc"``)."""
    low = name.lower()
    for prefix in prefixes:
        if low.startswith(prefix):
            low = low[len(prefix):]
            break
    if low in DEPENDENT_METRIC_NAMES:
        return "dependent"
    if any(f in low for f in FREE_NAME_FRAGMENTS) or low in ("loss", "log_loss"):
        return "free"
    return None


def names_threshold_free_metric(name: str) -> bool:
    """A logged key that names a threshold-free metric (``"val_auc"``, ``"roc_auc"``,
    ``"test/average_precision"``, ``"log_loss"``); a bare ``"loss"`` does not count."""
    low = name.lower()
    return any(f in low for f in FREE_NAME_FRAGMENTS)
