"""Experiment and artifact facts: hyperparameter loops, metrics, model files, transfers,
protected attributes.

Shared by MLP008 (manual-hyperparameter-search), MLP009 (untracked-metrics), MLP010
(manual-artifact-transfer), MLP018 (sensitive-attribute-unchecked) and MLP020
(unversioned-model-artifact). Tables are keyed by canonical qualified names (see
``flake8_mlops.names.canonical``). The few helpers that take a ``Context`` only look at
an expression and the resolver's once-bound values; they never walk a subtree.
"""

from __future__ import annotations

from functools import lru_cache

import ast
import re
from typing import TYPE_CHECKING, Dict, FrozenSet, List, Optional, Tuple

from ..options import Option
from .models import (
    MODEL_ATTRIBUTES,
    is_model_name,
    model_constructor,
    model_loader,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..context import Context

# ------------------------------------------------------------------ file names
#: extensions of serialized model files (lower case, with the dot)
MODEL_EXTENSIONS: Tuple[str, ...] = (
    ".pkl", ".pickle", ".joblib", ".pt", ".pth", ".h5", ".hdf5", ".keras", ".onnx",
    ".safetensors", ".ckpt", ".bin", ".model", ".sav", ".skops", ".cbm", ".ubj", ".pth.tar",
    ".mlmodel", ".tflite", ".pb", ".gguf",
)
#: extensions that say "this file is data, code, config or a report", even when the
#: name contains ``model`` (``model_inputs.csv``, ``model.py``, ``model_card.md``)
NON_MODEL_EXTENSIONS: FrozenSet[str] = frozenset(
    {
        ".py", ".ipynb", ".csv", ".tsv", ".parquet", ".feather", ".txt", ".md", ".rst",
        ".yaml", ".yml", ".ini", ".cfg", ".toml", ".log", ".png", ".jpg", ".jpeg", ".gif",
        ".svg", ".pdf", ".html", ".sql", ".sh", ".xlsx", ".xls", ".npy", ".npz", ".arrow",
        ".jsonl", ".zip", ".gz", ".tar", ".whl", ".lock", ".env",
    }
)
_EXT_RE = re.compile(r"(\.[A-Za-z0-9]+)$")


def path_extension(text: str) -> str:
    """Lower-case final extension of a path or URL (``''`` when there is none)."""
    base = text.rstrip("/").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    m = _EXT_RE.search(base)
    return m.group(1).lower() if m else ""


def is_model_file_text(text: str) -> bool:
    """A path string that names a model artifact: a model extension, or ``model`` in
    the name with no data/code extension (``models/``, ``best_model``, ``model.json``)."""
    low = text.strip().lower()
    if not low or low.startswith("-"):
        return False
    base = low.rstrip("/")
    if base.endswith(MODEL_EXTENSIONS):
        return True
    if "model" in low:
        return path_extension(low) not in NON_MODEL_EXTENSIONS
    return False


def name_says_model_file(name: str) -> bool:
    """``model_path``, ``MODEL_DIR``, ``best_model_file`` (a variable holding a model
    file) — not ``modeling``-style words that only contain the letters."""
    low = name.lower()
    if "model" not in low or "modeling" in low or "modelling" in low:
        return False
    tokens = name_tokens(name)
    # model_name / model_id / MODEL_TYPE hold an identifier, not a file
    return not (tokens and tokens[-1] in _IDENTIFIER_WORDS)


_IDENTIFIER_WORDS = frozenset(
    {"name", "names", "id", "ids", "type", "version", "class", "cls", "kind", "card"}
)


# -------------------------------------------------------------- string values
def const_str(ctx: "Context", expr: Optional[ast.AST]) -> Optional[str]:
    """A string literal or a once-bound constant string, else None."""
    return ctx.literal_str(expr)


def constant_path(ctx: "Context", expr: Optional[ast.AST], depth: int = 0) -> Optional[str]:
    """The path an expression always evaluates to, when every part is literal.

    ``"model.pkl"``, ``MODEL_PATH`` (bound once to a literal), ``os.path.join("out",
    "m.pt")``, ``Path("models") / "m.pt"``, ``str(Path("m.pt"))``, ``"a" + "b"``.
    f-strings with an interpolation, parameters, ``args.*`` and environment reads are
    not constant (None).
    """
    if expr is None or depth > 6:
        return None
    text = ctx.literal_str(expr)
    if text is not None:
        return text
    if isinstance(expr, ast.Name):
        if expr.id == "__file__" and not ctx.resolver.ever_bound("__file__"):
            return "<script>"
        value = ctx.resolver.constant(expr.id)
        if value is not None and value is not expr and not isinstance(value, ast.Constant):
            return constant_path(ctx, value, depth + 1)
        return None
    if isinstance(expr, ast.Attribute) and expr.attr in ("parent", "parents"):
        base = constant_path(ctx, expr.value, depth + 1)
        return None if base is None else base + "/.."
    if (
        isinstance(expr, ast.Subscript)
        and isinstance(expr.value, ast.Attribute)
        and expr.value.attr == "parents"
    ):
        base = constant_path(ctx, expr.value.value, depth + 1)
        return None if base is None else base + "/.."
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr in ("resolve", "absolute", "expanduser")
        and not expr.args
        and ctx.qualname(expr.func) is None
    ):
        return constant_path(ctx, expr.func.value, depth + 1)
    if isinstance(expr, ast.JoinedStr):
        if all(isinstance(v, ast.Constant) for v in expr.values):
            return "".join(str(v.value) for v in expr.values)  # type: ignore[attr-defined]
        return None
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Div, ast.Add)):
        left = constant_path(ctx, expr.left, depth + 1)
        right = constant_path(ctx, expr.right, depth + 1)
        if left is None or right is None:
            return None
        return left + ("/" if isinstance(expr.op, ast.Div) else "") + right
    if isinstance(expr, ast.Call):
        name = ctx.qualname(expr.func)
        if expr.keywords or not expr.args:
            return None
        if name in ("os.path.dirname", "os.path.abspath", "os.path.realpath") and len(expr.args) == 1:
            return constant_path(ctx, expr.args[0], depth + 1)
        if name in ("os.path.join", "posixpath.join", "pathlib.Path", "pathlib.PurePath",
                    "pathlib.PosixPath") or (
            isinstance(expr.func, ast.Name) and expr.func.id == "str" and not ctx.resolver.ever_bound("str")
        ):
            parts = [constant_path(ctx, a, depth + 1) for a in expr.args]
            if any(p is None for p in parts):
                return None
            return "/".join(parts)  # type: ignore[arg-type]
    return None


def mentions_model_file(ctx: "Context", expr: Optional[ast.AST], depth: int = 0) -> Optional[str]:
    """A short label when ``expr`` (a path argument) names a model artifact, else None.

    Literal paths are judged by their text (:func:`is_model_file_text`); names and
    attributes by their spelling (``model_path``, ``cfg.model_dir``); f-strings,
    ``os.path.join``/``Path`` calls and ``/`` joins by any of their parts.
    """
    if expr is None or depth > 5:
        return None
    text = ctx.literal_str(expr)
    if text is not None:
        return repr(_short(text)) if is_model_file_text(text) else None
    if isinstance(expr, ast.Name):
        value = ctx.resolver.constant(expr.id)
        if value is not None and not isinstance(value, ast.Constant) and value is not expr:
            inner = mentions_model_file(ctx, value, depth + 1)
            if inner is not None:
                return expr.id
        return expr.id if name_says_model_file(expr.id) else None
    if isinstance(expr, ast.Attribute):
        return _dotted(expr) if name_says_model_file(expr.attr) else None
    if isinstance(expr, ast.JoinedStr):
        literal = "".join(
            v.value for v in expr.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
        if literal and is_model_file_text(literal):
            shown = "".join(
                v.value if isinstance(v, ast.Constant) else "{…}" for v in expr.values  # type: ignore[misc]
            )
            return repr(_short(shown))
        if path_extension(literal) in NON_MODEL_EXTENSIONS:
            return None
        for v in expr.values:
            if isinstance(v, ast.FormattedValue):
                hit = mentions_model_file(ctx, v.value, depth + 1)
                if hit is not None:
                    return hit
        return None
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Div, ast.Add)):
        right_text = ctx.literal_str(expr.right)
        if right_text is not None and path_extension(right_text) in NON_MODEL_EXTENSIONS:
            return None
        return (
            mentions_model_file(ctx, expr.right, depth + 1)
            or mentions_model_file(ctx, expr.left, depth + 1)
        )
    if isinstance(expr, ast.Call):
        func = expr.func
        name = ctx.qualname(func)
        if name in ("os.path.join", "posixpath.join", "pathlib.Path", "pathlib.PurePath") or (
            isinstance(func, ast.Name) and func.id in ("str", "Path", "open")
        ) or (
            isinstance(func, ast.Attribute) and func.attr in ("joinpath", "as_posix", "resolve", "absolute")
        ):
            args = list(expr.args)
            if name is None and isinstance(func, ast.Attribute):
                args = [func.value] if func.attr != "joinpath" else [func.value, *args]
            if isinstance(func, ast.Name) and func.id == "open":
                args = args[:1]
            last = ctx.literal_str(args[-1]) if args else None
            if last is not None and path_extension(last) in NON_MODEL_EXTENSIONS:
                return None
            for a in reversed(args):
                hit = mentions_model_file(ctx, a, depth + 1)
                if hit is not None:
                    return hit
    return None


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _dotted(expr: ast.AST) -> str:
    parts: List[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if isinstance(expr, ast.Name):
        parts.append(expr.id)
    else:
        parts.append("…")
    return ".".join(reversed(parts))


# -------------------------------------------------------------- model objects
#: receivers that are never the model although they have save-like methods
NOT_MODEL_RECEIVER = re.compile(
    r"(?i)(tokeni[sz]er|processor|feature_extractor|config|vectori[sz]er|scaler|encoder$|"
    r"^img|image|fig|plot|workbook|^wb$|^df|frame|writer|doc|pdf)"
)


def is_modelish(ctx: "Context", expr: Optional[ast.AST], depth: int = 0) -> bool:
    """Cheap "does this expression hold a model (or its weights)" test.

    True for names/attributes spelled like a model (:func:`is_model_name`), names
    bound once to a model constructor, a model-aware loader, an inline ``.fit(...)``
    or ``torch.jit.script/trace``; ``x.state_dict()`` of such an expression;
    ``grid.best_estimator_``; dict/list literals holding one.
    Preprocessing transformers (scalers, encoders) are not models here.
    """
    if expr is None or depth > 4:
        return False
    if isinstance(expr, ast.Name):
        value = ctx.resolver.constant(expr.id)
        if value is not None and value is not expr:
            if isinstance(value, (ast.Constant, ast.JoinedStr, ast.ListComp, ast.DictComp, ast.SetComp)):
                return False
            if isinstance(value, (ast.Call, ast.Dict, ast.List, ast.Tuple, ast.Attribute)):
                if is_modelish(ctx, value, depth + 1):
                    return True
        if ctx.qualname(expr) is not None:
            return False
        return is_model_name(expr.id)
    if isinstance(expr, ast.Attribute):
        if expr.attr in MODEL_ATTRIBUTES:
            return True
        if ctx.qualname(expr) is not None:
            return False
        root = expr.value
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and root.id in _CONFIG_ROOTS:
            return False
        return is_model_name(expr.attr)
    if isinstance(expr, ast.Call):
        name = ctx.qualname(expr.func)
        info = model_constructor(name)
        if info is not None:
            return info.kind != "transformer"
        if model_loader(name) is not None:
            return True
        if name in ("torch.jit.script", "torch.jit.trace", "torch.compile", "copy.deepcopy"):
            return bool(expr.args) and (name != "copy.deepcopy" or is_modelish(ctx, expr.args[0], depth + 1))
        func = expr.func
        if isinstance(func, ast.Attribute):
            if func.attr in ("fit",) and expr.args:
                return is_modelish(ctx, func.value, depth + 1) or isinstance(func.value, ast.Call)
            if func.attr in ("state_dict", "get_booster", "cpu", "to", "eval", "merge_and_unload"):
                return is_modelish(ctx, func.value, depth + 1)
        return False
    if isinstance(expr, ast.Dict):
        return any(is_modelish(ctx, v, depth + 1) for v in expr.values if v is not None)
    if isinstance(expr, (ast.List, ast.Tuple)):
        return any(is_modelish(ctx, e, depth + 1) for e in expr.elts)
    return False


_CONFIG_ROOTS = frozenset(
    {"args", "arguments", "opt", "opts", "options", "cfg", "config", "conf", "hparams",
     "hp", "params", "settings", "flags", "FLAGS", "training_args", "model_args", "cli"}
)

# ------------------------------------------------------------------ metrics
#: sklearn.metrics names that are not metric values (scorer factories, displays)
SKLEARN_METRIC_NOT_VALUES: FrozenSet[str] = frozenset(
    {"make_scorer", "get_scorer", "get_scorer_names", "check_scoring"}
)
#: functions outside sklearn.metrics whose result is an evaluation score
METRIC_FUNCTIONS: FrozenSet[str] = frozenset(
    {
        "sklearn.model_selection.cross_val_score",
        "sklearn.model_selection.cross_validate",
        "scipy.stats.pearsonr",
        "scipy.stats.spearmanr",
        "evaluate.evaluator",
        "nltk.translate.bleu_score.sentence_bleu",
        "nltk.translate.bleu_score.corpus_bleu",
        "sacrebleu.corpus_bleu",
        "ragas.evaluate",
    }
)
#: calls that build a stateful metric object whose ``compute()`` gives the value
METRIC_OBJECT_FACTORIES: Tuple[str, ...] = ("evaluate.load", "datasets.load_metric", "torchmetrics.")


def is_metric_function(qualname: Optional[str]) -> bool:
    if not qualname:
        return False
    if qualname in METRIC_FUNCTIONS:
        return True
    if qualname.startswith("sklearn.metrics."):
        last = qualname.rsplit(".", 1)[-1]
        if last in SKLEARN_METRIC_NOT_VALUES or not last[:1].islower():
            return False
        return not last.startswith("plot_")
    return False


# ------------------------------------------------------- protected attributes
DEFAULT_SENSITIVE_ATTRIBUTES: Tuple[str, ...] = (
    "gender", "sex", "race", "ethnicity", "religion", "age", "marital_status",
    "nationality", "disability", "pregnancy",
)
SENSITIVE_OPTION = Option(
    "--mlp-sensitive-attributes",
    "column names (case-insensitive, whole name) treated as protected attributes by "
    "MLP018; given values extend the default list",
    default=DEFAULT_SENSITIVE_ATTRIBUTES,
)

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@lru_cache(maxsize=4096)
def name_tokens(name: str) -> Tuple[str, ...]:
    """``numericFeatures`` -> ["numeric", "features"]; ``X_train`` -> ["x", "train"]."""
    snake = _CAMEL.sub("_", name).lower()
    return tuple(t for t in re.split(r"[_\W]+", snake) if t)


class OpenedFiles:
    """Rule mixin: remembers names bound by ``with open(path) as f`` in ``self._opened``
    (name -> path expression), so a later ``upload(f)``/``dump(m, f)`` knows the file."""

    _opened: Dict[str, ast.AST]

    def visit_withitem(self, node: ast.withitem) -> None:
        target, value = node.optional_vars, node.context_expr
        if not isinstance(target, ast.Name):
            return
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id == "open"
            and value.args
        ):
            self._opened[target.id] = value.args[0]
        else:
            self._opened.pop(target.id, None)
