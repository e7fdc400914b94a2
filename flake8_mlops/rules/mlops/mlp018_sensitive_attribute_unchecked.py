"""MLP018 sensitive-attribute-unchecked."""

from __future__ import annotations

from functools import lru_cache

import ast
from typing import Dict, FrozenSet, List, Optional, Tuple

from ...apis.experiments import SENSITIVE_OPTION, name_tokens
from ...registry import Rule, register

#: words that make a variable (or keyword) a list of model inputs
_FEATURE_WORDS = frozenset(
    {"feature", "features", "feat", "feats", "predictors", "predictor", "inputs",
     "covariates", "regressors", "explanatory"}
)
_COLUMN_WORDS = frozenset({"cols", "columns", "col", "vars", "variables", "fields", "attributes", "attrs"})
#: qualifiers that turn ``cols`` into model inputs (``num_cols``, ``categorical_columns``)
_INPUT_QUALIFIERS = frozenset(
    {"num", "numeric", "numerical", "cat", "categorical", "continuous", "input", "model",
     "train", "training", "selected", "use", "used", "keep", "final", "ordinal", "binary",
     "bool", "x", "onehot", "ohe", "encode", "scale", "scaled", "discrete", "nominal"}
)
#: words that mean the names are kept *out* of the model (or used only for auditing)
_EXCLUDE_WORDS = frozenset(
    {"drop", "dropped", "exclude", "excluded", "excluding", "ignore", "ignored", "sensitive",
     "protected", "leak", "leaky", "leakage", "id", "ids", "remove", "removed", "unused",
     "target", "targets", "label", "labels", "fairness", "fair", "group", "groups", "audit",
     "meta", "metadata", "pii", "private", "demographic", "demographics", "bias", "y",
     "stratify", "strat", "index", "key", "keys", "blacklist", "blocklist", "deny", "skip",
     "display", "report", "plot", "eda"}
)
#: callables whose argument is the training input matrix
_TRAIN_INPUT_CALLS = frozenset(
    {
        "sklearn.model_selection.train_test_split",
        "sklearn.model_selection.cross_val_score",
        "sklearn.model_selection.cross_validate",
        "sklearn.model_selection.cross_val_predict",
        "xgboost.DMatrix",
        "lightgbm.Dataset",
        "catboost.Pool",
    }
)
_COLUMN_TRANSFORMERS = {
    "sklearn.compose.ColumnTransformer": 2,
    "sklearn.compose.make_column_transformer": 1,
}
#: assigned values that can hold a column list
_LIST_VALUES = (ast.List, ast.Tuple, ast.BinOp)
_LIST_VALUE_TYPES = frozenset(_LIST_VALUES)
#: substrings of the lower-cased name that every word of _FEATURE_WORDS or _COLUMN_WORDS
#: holds: a name with none of them (and no ``X`` prefix) is not a feature name
_FEATURE_HINTS = (
    "feat", "predictor", "inputs", "covariates", "regressors", "explanatory",
    "col", "var", "fields", "attr",
)
_Attribute = ast.Attribute
_Name = ast.Name


@lru_cache(maxsize=4096)
def _is_feature_name(name: str) -> bool:
    if name[:1] not in ("X", "x"):
        # cheap test first: the name's words (name_tokens) are lower-cased parts of it
        low = name.lower()
        if not any(map(low.__contains__, _FEATURE_HINTS)):
            return False
    tokens = name_tokens(name)
    if not tokens or any(t in _EXCLUDE_WORDS for t in tokens):
        return False
    if any(t in _FEATURE_WORDS for t in tokens):
        return True
    if name[:1] in ("X", "x") and (len(name) == 1 or not name[1].isalpha() or name[1].isupper()):
        return True  # X, X_train, x_tr, X2, XTrain
    if any(t in _COLUMN_WORDS for t in tokens):
        return any(t in _INPUT_QUALIFIERS for t in tokens)
    return False


@register
class SensitiveAttributeUnchecked(Rule):
    """## What it does
    Flags protected attributes (`gender`, `sex`, `race`, `ethnicity`, `religion`, `age`,
    `marital_status`, `nationality`, `disability`, `pregnancy` by default) selected as
    training features by literal column name, in a module that trains a model and never
    runs a fairness assessment. Names match case-insensitively and as a whole (`"Sex"`,
    `"AGE"` match; `"age_group"`, `"sex_ratio"` do not).

    A string literal counts as **selected as a feature** when it is an element of:
    - a list/tuple literal bound to a feature-named variable: `features`, `FEATURES`,
      `feature_cols`, `cat_features`, `X_cols`, `predictors`, `numeric_cols`,
      `categorical_columns`… (`cols`/`columns` need a qualifier such as `num_`, `cat_`,
      `input_`, `model_`, `selected_`); names with `drop`, `exclude`, `sensitive`,
      `protected`, `target`, `id`, `group`, `audit`, `demographic`… never count;
    - a column selection `df[[...]]` / `df.loc[:, [...]]` assigned to a feature-named
      variable (`X = df[["age", "income"]]`, also inside `pd.get_dummies(...)` or with
      `.values`) or passed to a training call (`model.fit(df[[...]], y)`,
      `train_test_split(df[[...]], y)`, `cross_val_score`, `xgb.DMatrix`, …); a
      selection through a name bound once to a list literal is followed to that literal;
    - the column list of a `ColumnTransformer`/`make_column_transformer` transformer;
    - a keyword argument named like features (`features=[...]`, `cat_features=[...]`,
      `categorical_feature=[...]`), and `pd.get_dummies(..., columns=[...])`.

    The module **trains** when it has a training call (`ctx.facts`: `fit` with arguments,
    `xgboost.train`, `trainer.train()`, an optimizer step, …); it **assesses fairness**
    when it calls anything from `fairlearn`, `aif360`, `aequitas`, `responsibleai`/
    `raiwidgets`, or a `MetricFrame`/demographic-parity/equalized-odds function. The
    decision is taken at the end of the module; the finding is on the line of the first
    protected name in the literal.

    ## Why is this bad?
    Training on protected attributes (or checking nothing about them) is how models end up
    discriminating: seed 000, §6 (Lack of Ethical Considerations) shows "training a model
    on a dataset that has … sensitive features" with no fairness or bias evaluation. If a
    protected attribute is a feature, measure the model's behaviour across its groups
    (fairlearn's `MetricFrame`, demographic parity, equalized odds) — or drop it and
    still check for proxies.

    ## Example
    ```python
    from sklearn.linear_model import LogisticRegression

    FEATURES = ["age", "income", "gender", "tenure"]
    X = df[FEATURES]
    clf = LogisticRegression(max_iter=1000).fit(X, df["approved"])
    ```

    ## Use instead
    ```python
    from fairlearn.metrics import MetricFrame, selection_rate
    from sklearn.linear_model import LogisticRegression

    FEATURES = ["age", "income", "gender", "tenure"]
    X = df[FEATURES]
    clf = LogisticRegression(max_iter=1000).fit(X, df["approved"])
    frame = MetricFrame(metrics=selection_rate, y_true=df["approved"],
                        y_pred=clf.predict(X), sensitive_features=df["gender"])
    ```

    ## Options
    `--mlp-sensitive-attributes` adds column names (comma-separated, case-insensitive)
    to the default list, e.g. `--mlp-sensitive-attributes=zip_code,first_language`, or
    in `setup.cfg`/`tox.ini`/`.flake8`:
    ```ini
    [flake8]
    mlp-sensitive-attributes = zip_code, first_language
    ```

    ## Known limitations
    - Only literal column names are seen: features chosen at run time (`df.drop(columns=
      ["target"])` keeping everything else, a list read from a YAML file) are not.
    - Names that are only dropped (`df.drop(columns=["gender"])`) or plotted are not
      features; a list bound to an unqualified name (`cols = [...]`) counts only when it
      reaches a feature-named variable or a training call through a column selection.
    - Proxies (`zip_code`, `first_name`) are not in the default list; add them with the
      option.
    - A fairness assessment in another module of the project (a separate evaluation
      script) is not seen; silence with `# noqa: MLP018` on the line.

    ## References
    - Virmani & Kuppam, "MLOps Antipatterns and Mitigation Approaches", IJCTT 72(2), 2024
      (seed 000), §6 Lack of Ethical Considerations (§6.2, §6.3).
    - Fairlearn docs, [Assessment](https://fairlearn.org/main/user_guide/assessment/index.html);
      AIF360, [metrics](https://aif360.readthedocs.io/).
    """

    code = "MLP018"
    added_in = "0.2.0"
    triggers = ("fit", "train", "Word2Vec", "backward")
    name = "sensitive-attribute-unchecked"
    message = (
        "protected attribute {names} is selected as a model feature in a module that runs "
        "no fairness assessment; evaluate the model across its groups (fairlearn "
        "MetricFrame, demographic parity, equalized odds) or drop it"
    )
    confidence = "medium"
    options = (SENSITIVE_OPTION,)
    uses_facts = True

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self._sensitive: FrozenSet[str] = frozenset(
            s.lower() for s in ctx.config.get_set(SENSITIVE_OPTION)
        )
        #: id(list literal) -> (the node of its first protected name, the names)
        self._candidates: Dict[int, Tuple[ast.AST, List[str]]] = {}

    # -------------------------------------------------------------- literals
    def _protected(self, seq: Optional[ast.AST]) -> Optional[Tuple[ast.AST, List[str]]]:
        """(first protected element, names) of a literal list/tuple of strings."""
        if isinstance(seq, ast.Constant) and isinstance(seq.value, str):
            return (seq, [seq.value]) if seq.value.strip().lower() in self._sensitive else None
        if not isinstance(seq, (ast.List, ast.Tuple, ast.Set)):
            return None
        first: Optional[ast.AST] = None
        names: List[str] = []
        for elt in seq.elts:
            if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                if elt.value.strip().lower() in self._sensitive:
                    if first is None:
                        first = elt
                    names.append(elt.value)
        return (first, names) if first is not None else None

    def _resolve_list(self, expr: Optional[ast.AST], depth: int = 0) -> Optional[ast.AST]:
        """The list literal an expression selects: itself, or a name bound once to one
        (also ``A + B`` of such)."""
        if expr is None or depth > 3:
            return None
        if isinstance(expr, (ast.List, ast.Tuple)):
            return expr
        if isinstance(expr, ast.Name):
            value = self.ctx.resolver.constant(expr.id)
            if value is not None and value is not expr:
                return self._resolve_list(value, depth + 1)
        return None

    def _candidate(self, seq: Optional[ast.AST]) -> None:
        if seq is None or id(seq) in self._candidates:
            return
        hit = self._protected(seq)
        if hit is not None:
            self._candidates[id(seq)] = hit

    def _candidate_expr(self, expr: Optional[ast.AST], depth: int = 0) -> None:
        """A column-list expression that reaches the model: a literal, a once-bound
        name, or a concatenation of them."""
        if expr is None or depth > 3:
            return
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            self._candidate_expr(expr.left, depth + 1)
            self._candidate_expr(expr.right, depth + 1)
            return
        if isinstance(expr, ast.Name):
            value = self.ctx.resolver.constant(expr.id)
            if value is not None and value is not expr:
                self._candidate_expr(value, depth + 1)
            return
        if isinstance(expr, (ast.List, ast.Tuple)):
            self._candidate(expr)

    # --------------------------------------------------------- feature lists
    def _assigned(self, targets: List[ast.AST], value: Optional[ast.AST]) -> None:
        # the value's shape is the cheap test: most assignments bind a call or a name
        if not isinstance(value, _LIST_VALUES):
            return
        for t in targets:
            cls = t.__class__
            if cls is _Name:
                if _is_feature_name(t.id):
                    break
            elif cls is _Attribute and _is_feature_name(t.attr):
                break
        else:
            return
        self._candidate_expr(value)

    def visit_Assign(self, node: ast.Assign) -> None:
        value = node.value
        if value.__class__ in _LIST_VALUE_TYPES:
            self._assigned(node.targets, value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        value = node.value
        if value.__class__ in _LIST_VALUE_TYPES:
            self._assigned([node.target], value)

    # ---------------------------------------------------------- selections
    def visit_Subscript(self, node: ast.Subscript) -> None:
        sl = node.slice
        cls = sl.__class__
        if cls is ast.Tuple:
            value = node.value
            if not (sl.elts and value.__class__ is ast.Attribute and value.attr in ("loc", "iloc")):
                return
            sl = sl.elts[-1]
            cls = sl.__class__
        if cls is ast.Name:
            if self._resolve_list(sl) is None:
                return
        elif cls is not ast.List and cls is not ast.BinOp:
            return
        if node.ctx.__class__ is not ast.Load:
            return
        if self._feeds_model(node):
            self._candidate_expr(sl)

    def _feeds_model(self, node: ast.AST) -> bool:
        """The selection is assigned to a feature-named variable or given to a training
        call (checked on the statement and the direct parent call only)."""
        ctx = self.ctx
        stmt = ctx.stmt
        parent = ctx.parent
        if isinstance(parent, ast.Call) and node in parent.args:
            if ctx.facts.is_training_call(parent) or ctx.call_name(parent) in _TRAIN_INPUT_CALLS:
                return True
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if any(t is node for t in targets):
                return False
            for t in targets:
                elts = t.elts if isinstance(t, (ast.Tuple, ast.List)) else [t]
                for e in elts:
                    n = e.id if isinstance(e, ast.Name) else getattr(e, "attr", "")
                    if n and _is_feature_name(n):
                        return True
        return False

    # ------------------------------------------------------------- calls
    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        name = ctx.call_name(node)
        for kw in node.keywords:
            arg = kw.arg
            if arg is None:
                continue
            if _is_feature_name(arg) or (arg == "columns" and name == "pandas.get_dummies"):
                self._candidate_expr(kw.value)
        index = _COLUMN_TRANSFORMERS.get(name)  # type: ignore[arg-type]
        if index is None:
            return
        if name == "sklearn.compose.ColumnTransformer":
            transformers = ctx.arg(node, 0, "transformers")
            items = transformers.elts if isinstance(transformers, (ast.List, ast.Tuple)) else []
        else:
            items = list(node.args)
        for item in items:
            if isinstance(item, ast.Tuple) and len(item.elts) > index:
                self._candidate_expr(item.elts[index])

    def finish(self) -> None:
        facts = self.ctx.facts
        if not facts.trains or facts.assesses_fairness:
            return
        for first, names in self._candidates.values():
            shown = "/".join(repr(n) for n in dict.fromkeys(names))
            self.report(first, names=shown)
