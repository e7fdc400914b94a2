"""MLP008 manual-hyperparameter-search."""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Set, Tuple

from ...apis.experiments import name_tokens
from ...apis.models import model_constructor
from ...facts import TRACKERS_OPTION
from ...names import CONVENTIONAL_NAMES
from ...registry import Rule, register

#: iterables that enumerate a hyperparameter grid whatever their arguments
_GRID_FACTORIES = frozenset(
    {"sklearn.model_selection.ParameterGrid", "sklearn.model_selection.ParameterSampler"}
)
_PRODUCT = frozenset({"itertools.product"})
_NUMPY_RANGES = frozenset(
    {"numpy.linspace", "numpy.logspace", "numpy.geomspace", "numpy.arange"}
)
#: wrappers whose iteration is the iteration of their first argument
_WRAPPERS = frozenset({"tqdm.tqdm", "tqdm.auto.tqdm", "tqdm.notebook.tqdm", "tqdm.std.tqdm"})
#: sklearn helpers that fit the estimator they are given
_FITTING_HELPERS = frozenset(
    {
        "sklearn.model_selection.cross_val_score",
        "sklearn.model_selection.cross_validate",
        "sklearn.model_selection.cross_val_predict",
        "sklearn.model_selection.validation_curve",
        "sklearn.model_selection.learning_curve",
    }
)
#: method names that only tracker objects have (run.log_metric, writer.add_scalar…)
_TRACKER_METHODS = frozenset(
    {
        "log_metric", "log_metrics", "log_param", "log_params", "add_scalar", "add_scalars",
        "add_hparams", "report_scalar", "log_artifact", "log_table",
    }
)
#: optuna's trial object reports/suggests per trial
_TRIAL_METHODS = frozenset({"report", "set_user_attr", "should_prune"})
#: constructors whose arguments are hyperparameters besides model classes
_CONFIG_CALL_SUFFIXES = ("TrainingArguments", "Config", "Args", "Params", "set_params")
_OPTIMIZER_PREFIXES = ("torch.optim.", "keras.optimizers.", "optax.", "transformers.get_")
#: keyword names that carry data, labels or bookkeeping rather than a hyperparameter
_DATA_KEYWORDS = frozenset(
    {
        "name", "path", "file", "filename", "fname", "key", "columns", "column", "col",
        "cols", "target", "label", "labels", "split", "subset", "dataset", "data", "x", "y",
        "title", "color", "ax", "hue", "sep", "encoding", "index", "axis", "on", "how",
        "figsize", "fontsize", "loc", "fold", "desc", "msg", "message", "prefix", "suffix",
        "run_name", "tag", "tags", "verbose", "random_state", "seed", "epoch", "step",
        "marker", "linestyle", "alpha", "s", "c", "end", "flush", "file_name", "sheet_name",
    }
)
#: loop-variable words that name a data partition, a repetition or a seed, not a setting
_NON_HP_VAR_WORDS = frozenset(
    {
        "seed", "seeds", "fold", "folds", "epoch", "epochs", "rep", "repeat", "split", "path",
        "file", "filename", "col", "column", "feature", "dataset", "target", "lang",
        "language", "year", "month", "day", "site", "subject", "patient", "user", "store",
        "region", "category", "label", "country", "city", "ticker", "symbol", "sensor",
    }
)
#: builtins that only format or inspect a value
_NEUTRAL_BUILTINS = frozenset(
    {"print", "str", "repr", "len", "format", "isinstance", "round", "abs", "sorted", "list",
     "tuple", "dict", "set", "enumerate", "zip", "range", "min", "max", "sum", "id", "type"}
)


class _Calls:
    """What the calls of a loop nest or a function say: whether one trains, one tracks,
    and which local functions it calls. Cheap call facts are kept as calls are met; the
    rest is judged from ``calls`` (call, qualified name) by :meth:`ManualHyperparameterSearch._judge`,
    only for the nests and functions ``finish`` needs (most files have no nest)."""

    __slots__ = ()
    trains: bool
    tracks: bool
    callees: Set[str]
    calls: List[Tuple[ast.Call, Optional[str]]]
    judged: bool


class _Frame(_Calls):
    """One loop (``for`` statement or comprehension) on the walk's loop stack."""

    __slots__ = ("node", "kind", "vars", "strong", "weak", "trains", "tracks", "callees",
                 "inner_flow", "calls", "judged")

    def __init__(self, node: ast.AST, kind: Optional[str], names: Set[str]) -> None:
        self.node = node
        #: None (not a hyperparameter loop), "num", "str", "range" or "grid"
        self.kind = kind
        self.vars = names
        self.strong = False  # a loop variable reaches a model/optimizer/config constructor
        self.weak = False  # … a keyword, dict value or attribute (``lr=lr``, ``cfg.lr = lr``)
        self.trains = False
        self.tracks = False
        self.callees: Set[str] = set()
        self.inner_flow = False  # an inner hyperparameter loop of this nest has a flow
        self.calls: List[Tuple[ast.Call, Optional[str]]] = []
        self.judged = False

    def flows(self) -> bool:
        if self.kind is None:
            return False
        if self.kind == "range":
            return self.strong
        return self.strong or self.weak


class _Func(_Calls):
    __slots__ = ("trains", "tracks", "callees", "calls", "judged")

    def __init__(self) -> None:
        self.trains = False
        self.tracks = False
        self.callees: Set[str] = set()
        self.calls: List[Tuple[ast.Call, Optional[str]]] = []
        self.judged = False


def _target_names(target: ast.AST) -> Set[str]:
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        out: Set[str] = set()
        for elt in target.elts:
            out |= _target_names(elt)
        return out
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return set()


def _value_names(expr: ast.AST) -> List[str]:
    """Loop-variable candidates in an argument: ``lr``, ``float(lr)``, ``lr * 2``, ``10 ** p``."""
    if isinstance(expr, ast.Name):
        return [expr.id]
    if isinstance(expr, ast.BinOp):
        return _value_names(expr.left) + _value_names(expr.right)
    if isinstance(expr, ast.UnaryOp):
        return _value_names(expr.operand)
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Name)
        and expr.func.id in ("int", "float")
        and expr.args
    ):
        return _value_names(expr.args[0])
    return []


_NOT_TRAINING_SECOND = frozenset({"test", "val", "data", "loader", "set", "df", "split", "transform"})


def _is_train_function_name(name: str) -> bool:
    """``train``, ``train_model``, ``fit_and_score``, ``run_training`` — not
    ``train_test_split`` or ``training_data``."""
    tokens = name_tokens(name)
    if not tokens:
        return False
    if name.lower() in ("train_test_split", "train_val_split"):
        return False
    if tokens[0] in ("train", "fit"):
        return not (len(tokens) > 1 and tokens[1] in _NOT_TRAINING_SECOND)
    return len(tokens) == 2 and tokens[0] in ("run", "do") and tokens[1] in ("training", "train")


@register
class ManualHyperparameterSearch(Rule):
    """## What it does
    Flags a loop nest that tries hyperparameter values by hand — iterating over literal
    collections of settings, training a model for each, and logging no trial to an
    experiment tracker inside the loop. One finding per loop nest, on the line of its
    outermost hyperparameter loop (a `for` statement or a comprehension).

    A loop is a **hyperparameter loop** when it iterates over:
    - a literal list/tuple/set of constants (numbers, strings, `None`, tuples or dicts of
      constants), or a name bound once to one (`LEARNING_RATES = [1e-3, 1e-4]`), a key
      of a once-bound dict literal (`grid["C"]`), `.items()`/`.values()` of a literal dict
      of settings, a comprehension over such a literal;
    - `itertools.product(...)` of such literals, `ParameterGrid(...)`/`ParameterSampler(...)`;
    - `range(...)`/`np.linspace`/`np.logspace`/`np.geomspace`/`np.arange` with literal
      arguments (`range(epochs)` is not; a literal `range` counts only when its variable
      is passed to a model, optimizer or config constructor: `KNeighborsClassifier(n_neighbors=k)`);
    - any of these through `enumerate(...)` or `tqdm(...)`;

    and a loop variable reaches the training set-up: an argument of a model/optimizer/
    config constructor (`SVC(C=c)`, `torch.optim.Adam(p, lr=lr)`, `TrainingArguments(...)`,
    `set_params(**params)`), a keyword of any call (`train(lr=lr)`) other than data and
    bookkeeping keywords (`columns=`, `label=`, `random_state=`…), a value of a dict
    literal (`{"max_depth": d}`), an attribute or item assignment (`cfg.lr = lr`), or —
    for numeric values — a positional argument of a function of the project
    (`train_and_eval(lr, depth)`). Loop variables named like a seed, fold, epoch or a
    data partition (`store`, `region`, `dataset`, `target`…) never count.

    The nest **trains** when any call in it trains (`fit`/`partial_fit`/`fit_generator`
    with arguments, `xgboost.train`, `trainer.train()`, an optimizer step —
    `ctx.facts.is_training_call`), calls `cross_val_score`/`cross_validate`/
    `cross_val_predict`/`validation_curve`, calls a function of the same file that
    trains (followed through nested calls), or calls a project function named like
    training (`train_model`, `fit_and_score`, `run_training`).

    The nest **logs** when any call in it goes to an experiment tracker (the
    `--mlp-trackers` modules, tracker callbacks such as `WandbCallback`/`TensorBoard`,
    HF `TrainingArguments(report_to=...)`), to an object bound from one (`run =
    wandb.init()`, `with mlflow.start_run() as run`, `writer = SummaryWriter()`), to a
    tracker-only method (`log_metric`, `add_scalar`, `log_params`, …), to optuna's
    `trial.report`, or to a function of the file that does; an `autolog()` call anywhere
    in the module logs every fit.

    ## Why is this bad?
    Trying settings in a hand-written loop and reading the results off the console or a
    spreadsheet is the "manual experimentation and tracking" antipattern (seed 000, §3,
    whose example is exactly `for learning_rate in [...]: for num_layers in [...]`): the
    trials leave no record of parameters, metrics, code version and data, so the best
    run cannot be reproduced, compared or audited later.

    ## Example
    ```python
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import f1_score

    for n_estimators in [100, 300, 500]:
        for max_depth in [4, 8, None]:
            clf = RandomForestClassifier(n_estimators=n_estimators, max_depth=max_depth)
            clf.fit(X_train, y_train)
            print(n_estimators, max_depth, f1_score(y_val, clf.predict(X_val)))
    ```

    ## Use instead
    ```python
    import mlflow
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import f1_score

    for n_estimators in [100, 300, 500]:
        for max_depth in [4, 8, None]:
            with mlflow.start_run(nested=True):
                mlflow.log_params({"n_estimators": n_estimators, "max_depth": max_depth})
                clf = RandomForestClassifier(n_estimators=n_estimators, max_depth=max_depth)
                clf.fit(X_train, y_train)
                mlflow.log_metric("f1", f1_score(y_val, clf.predict(X_val)))
    ```
    A tuner that records its trials (`GridSearchCV` with `cv_results_` logged, Optuna,
    Ray Tune) is the other fix.

    ## Options
    `--mlp-trackers` adds tracker modules or callables (qualified names) whose calls
    count as logging, e.g. an in-house `acme.tracking` wrapper.

    ## Known limitations
    - Grids built at run time (`for lr in cfg.lrs`, `for params in load_grid()`) are
      not literal and are not judged; neither are `while` loops.
    - A loop over a list or dict of model *objects* (`for name, model in models.items()`)
      is model comparison, not hyperparameter search, and passes.
    - Training hidden in a function of another module is only seen when its name says
      so (`train_model`, `fit_and_score`); tracking hidden in another module's function
      (`log_run(...)` imported from `utils`) is not seen: add it to `--mlp-trackers`.
    - Results collected in the loop and logged to a tracker after it (one run for the
      whole search) still fire: the trials themselves are not recorded.
    - A seed sweep (`for seed in [0, 1, 2]`) is not a search and passes by its name;
      loops inside test functions (`def test_*`) check each setting and pass.
    - A loop over literal model *names* passed to a model factory
      (`for name in ["bert-base-uncased", "roberta-base"]: AutoModel.from_pretrained(name)`)
      counts as a search over the backbone.

    ## References
    - Virmani & Kuppam, "MLOps Antipatterns and Mitigation Approaches", IJCTT 72(2), 2024
      (seed 000), §3 Manual Experimentation and Tracking (§3.2 nested `for` loops, §3.3
      MLflow runs).
    - Prathish, "7 MLOps 'Smells'" (seed 002), #6 manual experiment tracking.
    - MLflow docs, [Hyperparameter
      tuning](https://mlflow.org/docs/latest/traditional-ml/hyperparameter-tuning/index.html);
      Optuna docs, [Pythonic search space](https://optuna.readthedocs.io/).
    """

    code = "MLP008"
    added_in = "0.2.0"
    triggers = ("fit", "Fit", "FIT", "train", "Train", "TRAIN", "Word2Vec", "backward", "cross_val", "validation_curve")
    name = "manual-hyperparameter-search"
    message = (
        "hand-written search over {what} trains a model per setting but logs no trial to an "
        "experiment tracker; log each trial (mlflow.start_run(nested=True), wandb.log) or "
        "use a tuner that records them (GridSearchCV, Optuna)"
    )
    confidence = "medium"
    options = (TRACKERS_OPTION,)
    uses_facts = True

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self._loops: List[_Frame] = []
        self._funcs: Dict[str, _Func] = {}
        self._func_stack: List[Tuple[str, _Func]] = []
        self._tracker_names: Set[str] = set()
        self._nests: List[_Frame] = []
        self._autolog = False
        #: the outermost hyperparameter loop on the stack (None: no such loop open). Only
        #: its call facts can matter (inner ones pass their flow up; plain loops have no
        #: loop variables to follow), so calls are recorded there only.
        self._outer_hp: Optional[_Frame] = None
        #: ids of calls of a conventional name left unbound (``np(...)``): a callee
        #: although it has a qualified name
        self._unbound_callees: Set[int] = set()

    # ------------------------------------------------------------ loop kinds
    def _literal_kind(self, expr: ast.AST, depth: int = 0) -> Optional[str]:
        """"num"/"str" when ``expr`` is a literal collection of settings, else None."""
        ctx = self.ctx
        if depth > 3:
            return None
        if isinstance(expr, ast.Name):
            value = ctx.resolver.constant(expr.id)
            if value is None or value is expr or isinstance(value, ast.Name):
                return None
            return self._literal_kind(value, depth + 1)
        if isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Name):
            value = ctx.resolver.constant(expr.value.id)
            key = ctx.literal_str(expr.slice)
            if isinstance(value, ast.Dict) and key is not None:
                for k, v in zip(value.keys, value.values):
                    if k is not None and ctx.literal_str(k) == key:
                        return self._literal_kind(v, depth + 1)
            return None
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            if not expr.elts:
                return None
            kinds = set()
            for elt in expr.elts:
                k = self._value_kind(elt)
                if k is None:
                    return None
                kinds.add(k)
            return "str" if kinds == {"str"} else "num"
        if isinstance(expr, (ast.ListComp, ast.GeneratorExp)) and len(expr.generators) == 1:
            inner = self._iter_kind(expr.generators[0].iter, depth + 1)
            return "num" if inner in ("num", "range") else None
        if isinstance(expr, ast.Call):
            func = expr.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr in ("items", "values")
                and not expr.args
            ):
                base = func.value
                if isinstance(base, ast.Name):
                    base = ctx.resolver.constant(base.id) or base
                if isinstance(base, ast.Dict) and base.values:
                    if all(self._value_kind(v) is not None for v in base.values):
                        return "num"
                return None
            name = ctx.qualname(func)
            if name in _NUMPY_RANGES and expr.args and all(self._value_kind(a) == "num" for a in expr.args):
                return "num"
        return None

    def _value_kind(self, elt: ast.AST) -> Optional[str]:
        if isinstance(elt, ast.Constant):
            if elt.value is Ellipsis or isinstance(elt.value, bytes):
                return None
            return "str" if isinstance(elt.value, str) else "num"
        if isinstance(elt, ast.UnaryOp) and isinstance(elt.operand, ast.Constant):
            return "num"
        if isinstance(elt, ast.BinOp):
            left, right = self._value_kind(elt.left), self._value_kind(elt.right)
            return "num" if left == right == "num" else None
        if isinstance(elt, (ast.Tuple, ast.List)):
            if all(self._value_kind(e) is not None for e in elt.elts):
                return "num"
            return None
        if isinstance(elt, ast.Dict):
            if all(k is not None and isinstance(k, ast.Constant) for k in elt.keys) and all(
                self._value_kind(v) is not None for v in elt.values
            ):
                return "num"
            return None
        return None

    def _iter_kind(self, expr: ast.AST, depth: int = 0) -> Optional[str]:
        ctx = self.ctx
        if isinstance(expr, ast.Call):
            name = ctx.qualname(expr.func)
            func = expr.func
            if name in _GRID_FACTORIES:
                return "grid"
            if name in _PRODUCT and expr.args:
                for a in expr.args:
                    if isinstance(a, ast.Starred):
                        inner = a.value
                        # product(*grid.values()) of a literal dict of lists
                        if not (
                            isinstance(inner, ast.Call)
                            and isinstance(inner.func, ast.Attribute)
                            and inner.func.attr == "values"
                            and self._literal_kind(inner, depth + 1)
                        ) and self._literal_kind(inner, depth + 1) is None:
                            return None
                    elif (
                        self._literal_kind(a, depth + 1) is None
                        and self._iter_kind(a, depth + 1) not in ("num", "str", "range")
                    ):
                        return None
                return "grid"
            if isinstance(func, ast.Name) and func.id == "range" and not ctx.resolver.ever_bound("range"):
                if expr.args and all(_literal_int(ctx, a) for a in expr.args):
                    return "range"
                return None
            if (
                isinstance(func, ast.Name)
                and func.id == "enumerate"
                and not ctx.resolver.ever_bound("enumerate")
            ) or name in _WRAPPERS:
                if expr.args:
                    return self._iter_kind(expr.args[0], depth + 1)
                return None
        return self._literal_kind(expr, depth)

    # ------------------------------------------------------------- the loops
    def _push(self, node: ast.AST, iters: List[Tuple[ast.AST, ast.AST]]) -> None:
        kind: Optional[str] = None
        names: Set[str] = set()
        if self._func_stack and any(name.startswith("test") for name, _ in self._func_stack):
            iters = []  # a test looping over settings checks each one; not a search
        for target, it in iters:
            k = self._iter_kind(it)
            if k is None:
                continue  # most loops: not over settings, the variable names do not matter
            these = _target_names(target)
            if any(w in _NON_HP_VAR_WORDS for n in these for w in name_tokens(n)):
                continue
            kind = kind or k
            names |= these
        frame = _Frame(node, kind, names)
        if kind is not None and self._outer_hp is None:
            self._outer_hp = frame
        self._loops.append(frame)

    def _pop(self, node: ast.AST) -> None:
        if not self._loops or self._loops[-1].node is not node:
            return
        frame = self._loops.pop()
        if frame is self._outer_hp:
            self._outer_hp = None
        if frame.kind is None:
            if self._loops:
                self._loops[-1].inner_flow |= frame.inner_flow
            return
        outer_hp = any(f.kind is not None for f in self._loops)
        flow = frame.flows() or frame.inner_flow
        if outer_hp:
            self._loops[-1].inner_flow |= flow
            return
        if flow:
            self._nests.append(frame)

    def visit_For(self, node: ast.For) -> None:
        self._push(node, [(node.target, node.iter)])

    def leave_For(self, node: ast.For) -> None:
        self._pop(node)

    def visit_AsyncFor(self, node: ast.AsyncFor) -> None:
        self._push(node, [(node.target, node.iter)])

    def leave_AsyncFor(self, node: ast.AsyncFor) -> None:
        self._pop(node)

    def _comp(self, node: ast.AST) -> None:
        self._push(node, [(g.target, g.iter) for g in node.generators])  # type: ignore[attr-defined]

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _comp

    def leave_ListComp(self, node: ast.AST) -> None:
        self._pop(node)

    leave_SetComp = leave_GeneratorExp = leave_DictComp = leave_ListComp

    # ------------------------------------------------------------ functions
    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._func_stack.append((node.name, _Func()))

    visit_AsyncFunctionDef = visit_FunctionDef

    def leave_FunctionDef(self, node: ast.FunctionDef) -> None:
        if not self._func_stack:
            return
        name, facts = self._func_stack.pop()
        known = self._funcs.get(name)
        if known is None:
            self._funcs[name] = facts
        else:
            known.trains |= facts.trains
            known.tracks |= facts.tracks
            known.callees |= facts.callees
            known.calls += facts.calls

    leave_AsyncFunctionDef = leave_FunctionDef

    # ---------------------------------------------------------- tracker objects
    def _is_tracker_call(self, node: ast.AST) -> bool:
        if not isinstance(node, ast.Call):
            return False
        facts = self.ctx.facts
        if facts.tracker_calls and facts.tracker_calls[-1] is node:
            return True  # module facts saw this call first (see_call runs before rules)
        return facts.is_tracker(self.ctx.call_name(node))

    def leave_Assign(self, node: ast.Assign) -> None:
        value = node.value
        # the value's calls were all visited (module facts first): with no tracker call
        # recorded in the module, the value is none
        if value.__class__ is _Call and (
            (self.ctx.facts.tracker_calls and self._is_tracker_call(value))
            or (self._tracker_names and self._receiver_is_tracker(value.func))
        ):
            for target in node.targets:
                key = self._key(target)
                if key:
                    self._tracker_names.add(key)
        if self._outer_hp is not None and isinstance(node.targets[0], (ast.Attribute, ast.Subscript)):
            for n in _value_names(node.value):
                frame = self._frame_of(n)
                if frame is not None:
                    frame.weak = True

    def visit_withitem(self, node: ast.withitem) -> None:
        if node.optional_vars is not None and self._is_tracker_call(node.context_expr):
            key = self._key(node.optional_vars)
            if key:
                self._tracker_names.add(key)

    @staticmethod
    def _key(expr: ast.AST) -> Optional[str]:
        if isinstance(expr, ast.Name):
            return expr.id
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "self":
            return "self." + expr.attr
        return None

    def _receiver_is_tracker(self, func: ast.AST) -> bool:
        if not self._tracker_names or not isinstance(func, ast.Attribute):
            return False
        key = self._key(func.value)
        return key is not None and key in self._tracker_names

    # ----------------------------------------------------------------- calls
    def _frame_of(self, name: str) -> Optional[_Frame]:
        for frame in reversed(self._loops):
            if name in frame.vars:
                return frame
        return None

    def visit_Dict(self, node: ast.Dict) -> None:
        if self._outer_hp is None:
            return  # no loop variable to follow
        for key, value in zip(node.keys, node.values):
            k = self.ctx.literal_str(key) if key is not None else None
            if key is not None and (k is None or k.lower() in _DATA_KEYWORDS):
                continue
            for n in _value_names(value):
                frame = self._frame_of(n)
                if frame is not None:
                    frame.weak = True

    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        name = ctx.call_name(node)
        outer = self._outer_hp
        func_stack = self._func_stack
        if name and name.endswith(".autolog"):
            if self._loops or func_stack:
                tracks = self._call_tracks(node)
            else:
                tracks = ctx.facts.is_tracker(name)
            if tracks:
                self._autolog = True
        if outer is None and not func_stack:
            return  # nothing to record: no function, no loop variable to follow
        func = node.func
        # The receiver test depends on the tracker objects bound so far: taken now. The
        # rest of what the call says is judged later from (node, name), when needed.
        tracks_now = self._tracker_names and self._receiver_is_tracker(func)
        if (
            name is not None
            and func.__class__ is _Name
            and func.id in CONVENTIONAL_NAMES  # type: ignore[attr-defined]
            and ctx.resolver.binding(func.id) is None  # type: ignore[attr-defined]
        ):
            self._unbound_callees.add(id(node))
        call = (node, name)
        if outer is not None:
            outer.calls.append(call)
            if tracks_now:
                outer.tracks = True
        if func_stack:
            f = func_stack[-1][1]
            f.calls.append(call)
            if tracks_now:
                f.tracks = True
        if outer is not None:
            self._flows(node, name)

    def _call_tracks(self, node: ast.Call) -> bool:
        """The call logs to a tracker (as judged when it is visited)."""
        func = node.func
        if self._is_tracker_call(node) or self._receiver_is_tracker(func):
            return True
        if isinstance(func, ast.Attribute):
            if func.attr in _TRACKER_METHODS:
                return True
            return (
                func.attr in _TRIAL_METHODS
                and isinstance(func.value, ast.Name)
                and func.value.id == "trial"
            )
        return False

    def _judge(self, holder: _Calls) -> _Calls:
        """Fold the recorded calls of a nest or function into trains/tracks/callees."""
        if holder.judged:
            return holder
        holder.judged = True
        facts = self.ctx.facts
        # module facts judged each call when it was visited (see_call runs before the
        # rules): the call trains/tracks iff it was recorded there
        training = {id(c) for c in facts.training_calls}
        tracking = {id(c) for c in facts.tracker_calls}
        unbound = self._unbound_callees
        trains, tracks, callees = holder.trains, holder.tracks, holder.callees
        for node, name in holder.calls:
            func = node.func
            if not trains and (id(node) in training or name in _FITTING_HELPERS):
                trains = True
            if not tracks:
                if id(node) in tracking:
                    tracks = True
                elif isinstance(func, ast.Attribute):
                    if func.attr in _TRACKER_METHODS or (
                        func.attr in _TRIAL_METHODS
                        and isinstance(func.value, ast.Name)
                        and func.value.id == "trial"
                    ):
                        tracks = True
            if isinstance(func, ast.Name):
                # the name is None exactly when it is bound locally or not at all
                if name is None or id(node) in unbound:
                    callees.add(func.id)
                elif not trains and not _is_library(name) and _is_train_function_name(func.id):
                    # imported from the project: judged by its name only
                    trains = True
            elif (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == "self"
            ):
                callees.add(func.attr)
        holder.trains, holder.tracks = trains, tracks
        return holder

    def _flows(self, node: ast.Call, name: Optional[str]) -> None:
        func = node.func
        strong_call = False
        if name is not None:
            info = model_constructor(name)
            strong_call = (
                info is not None
                or name.startswith(_OPTIMIZER_PREFIXES)
                or name.endswith(_CONFIG_CALL_SUFFIXES)
            )
        if isinstance(func, ast.Attribute) and func.attr == "set_params":
            strong_call = True
        project_function = (
            isinstance(func, ast.Name)
            and func.id not in _NEUTRAL_BUILTINS
            and (name is None or not _is_library(name))
        )
        for kw in node.keywords:
            if kw.arg is None:
                if isinstance(kw.value, ast.Name):
                    frame = self._frame_of(kw.value.id)
                    if frame is not None:
                        frame.strong = True
                continue
            for n in _value_names(kw.value):
                frame = self._frame_of(n)
                if frame is None:
                    continue
                if strong_call:
                    frame.strong = True
                elif kw.arg.lower() not in _DATA_KEYWORDS and not _neutral(func):
                    frame.weak = True
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                continue
            for n in _value_names(arg):
                frame = self._frame_of(n)
                if frame is None:
                    continue
                if strong_call:
                    frame.strong = True
                elif project_function and frame.kind in ("num", "grid"):
                    frame.weak = True

    # ---------------------------------------------------------------- finish
    def _closure(self, names: Set[str], attr: str) -> bool:
        seen: Set[str] = set()
        todo = list(names)
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            facts = self._funcs.get(name)
            if facts is None:
                if attr == "trains" and _is_train_function_name(name):
                    return True
                continue
            self._judge(facts)
            if getattr(facts, attr):
                return True
            todo.extend(facts.callees)
        return False

    def finish(self) -> None:
        if self._autolog:
            return
        for frame in self._nests:
            self._judge(frame)
            if frame.tracks or self._closure(frame.callees, "tracks"):
                continue
            if not (frame.trains or self._closure(frame.callees, "trains")):
                continue
            what = ", ".join(sorted(frame.vars)) or "settings"
            self.report(frame.node, what=what)


_Call = ast.Call
_Name = ast.Name

_LIBRARY_HEADS = frozenset(
    {"sklearn", "torch", "keras", "tensorflow", "xgboost", "lightgbm", "catboost", "numpy",
     "pandas", "transformers", "scipy", "statsmodels", "os", "sys", "json", "math",
     "random", "itertools", "functools", "matplotlib", "seaborn", "logging", "time"}
)


def _is_library(qualname: str) -> bool:
    return qualname.split(".", 1)[0] in _LIBRARY_HEADS


def _literal_int(ctx, expr: ast.AST) -> bool:  # type: ignore[no-untyped-def]
    if isinstance(expr, ast.UnaryOp):
        expr = expr.operand
    value = ctx.literal(expr)
    return isinstance(value, int) and not isinstance(value, bool)


def _neutral(func: ast.AST) -> bool:
    """print/format/logging-style calls: a keyword there is not a setting."""
    if isinstance(func, ast.Name):
        return func.id in _NEUTRAL_BUILTINS
    if isinstance(func, ast.Attribute):
        return func.attr in _NEUTRAL_METHODS
    return False


_NEUTRAL_METHODS = frozenset(
    {"format", "append", "info", "debug", "warning", "write", "set_description", "set_postfix"}
)
