"""MLP009 untracked-metrics."""

from __future__ import annotations

from functools import lru_cache

import ast
from typing import Dict, List, Optional, Tuple

from ... import lazy_re
from ...apis.experiments import (
    METRIC_FUNCTIONS,
    METRIC_OBJECT_FACTORIES,
    is_metric_function,
    is_modelish,
    name_tokens,
)
from ...facts import TRACKERS_OPTION
from ...names import Scope
from ...registry import Rule, register

_KEY = "MLP009"

_API = 2  # the value comes from a metric API (sklearn.metrics, .score, .evaluate)
_NAMED = 1  # a computed value whose name says it is a metric (val_acc = correct / total)

#: functions/methods whose result carries a metric given as an argument
_WRAPPER_FUNCTIONS = frozenset(
    {
        "numpy.mean", "numpy.round", "numpy.std", "numpy.median", "numpy.array", "numpy.max",
        "numpy.min", "numpy.average", "statistics.mean", "statistics.stdev", "json.dumps",
        "pandas.DataFrame", "pandas.Series", "pandas.DataFrame.from_dict",
        "pandas.DataFrame.from_records", "pandas.concat", "yaml.dump", "yaml.safe_dump",
        "tabulate.tabulate", "pprint.pformat",
    }
)
_WRAPPER_BUILTINS = frozenset(
    {"round", "float", "str", "int", "abs", "format", "dict", "list", "tuple", "max", "min", "sum",
     "sorted", "repr"}
)
_PASS_METHODS = frozenset(
    {"mean", "std", "item", "round", "tolist", "items", "values", "copy", "to_dict", "max", "min",
     "median", "sort_values", "get", "describe", "T", "transpose", "reset_index", "to_frame", "numpy"}
)
_LOG_LEVELS = frozenset(
    {"debug", "info", "warning", "warn", "error", "critical", "exception", "log", "success"}
)
_LOGGER_NAMES = frozenset({"logger", "log", "LOGGER", "LOG", "_logger", "_log", "_LOGGER", "logging"})
_WRITE_METHODS = frozenset({"write", "writelines", "writerow", "writerows", "write_text"})
_FRAME_WRITERS = frozenset({"to_csv", "to_json", "to_string", "to_markdown"})
_FILE_DUMPERS = frozenset({"json.dump", "yaml.dump", "yaml.safe_dump", "numpy.savetxt", "csv.writer"})

#: words that make a computed name a metric (``val_acc``, ``test_f1``, ``rmse``)
_METRIC_WORDS = frozenset(
    {"accuracy", "f1", "auc", "roc", "rmse", "mae", "mape", "r2", "bleu", "rouge", "wer",
     "iou", "precision", "recall", "fscore", "mse", "acc", "top1", "top5", "map50"}
)
#: words that need a split/aggregate qualifier to be a metric (``acc`` is also an account)
_AMBIGUOUS_WORDS = frozenset({"acc", "precision", "recall", "mse", "mae"})
_QUALIFIERS = frozenset(
    {"val", "valid", "validation", "test", "train", "eval", "best", "mean", "avg", "epoch",
     "top1", "top5", "dev", "holdout", "oof", "cv", "macro", "micro", "weighted", "overall", "final"}
)


_NOT_METRIC_WORDS = frozenset(
    {"loss", "fn", "func", "fns", "name", "names", "metric", "list", "history", "hist", "fig", "plot"}
)

_PRINTERS = frozenset({"pprint.pprint", "pprint.pp", "rich.print", "tqdm.tqdm.write", "tqdm.write"})
_CONTAINER_UPDATES = frozenset({"append", "extend", "update", "add", "insert"})
#: the only method names ``visit_Call`` can act on: a qualified name's last component is
#: the called attribute, so any other ``x.attr(...)`` is neither a sink nor a container
#: update and is rejected before anything is resolved or built
_CALL_ATTRS = (
    _LOG_LEVELS | _WRITE_METHODS | _FRAME_WRITERS | _CONTAINER_UPDATES
    | {q.rsplit(".", 1)[-1] for q in _PRINTERS | _FILE_DUMPERS}
)
_SINK_NAMES = _PRINTERS | _FILE_DUMPERS
#: methods whose call ``metric`` may take for a metric value by itself
_API_METHODS = frozenset({"score", "evaluate", "compute"})
#: expression types ``metric`` always answers None for (checked first: the common case)
_NEVER_METRIC = frozenset(
    {ast.Constant, ast.Compare, ast.BoolOp, ast.Lambda, ast.ListComp, ast.SetComp,
     ast.DictComp, ast.GeneratorExp, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom,
     ast.Slice}
)


_Name = ast.Name
#: assignment targets other than a name (nothing to record for them without a metric value)
_OTHER_TARGETS = frozenset({ast.Attribute, ast.Subscript, ast.Tuple, ast.List, ast.Starred})

#: a metric word as a substring of the lower-cased name: every token of name_tokens()
#: is a substring of ``name.lower()``, so without a match no token is a metric word
_METRIC_HINT = lazy_re.compile("|".join(sorted(_METRIC_WORDS)))


@lru_cache(maxsize=4096)
def _named_metric(name: str) -> bool:
    if _METRIC_HINT.search(name.lower()) is None:
        return False  # most names: no tokenizing
    tokens = name_tokens(name)
    words = [t for t in tokens if t in _METRIC_WORDS]
    if not words:
        return False
    if any(t in _NOT_METRIC_WORDS for t in tokens):
        return False
    if all(w in _AMBIGUOUS_WORDS for w in words):
        return any(t in _QUALIFIERS for t in tokens)
    return True


@register
class UntrackedMetrics(Rule):
    """## What it does
    Flags evaluation metrics that are printed, logged to the console or written to a
    csv/txt/json file by hand, in a module that never calls an experiment tracker.

    A value is a **metric** when it comes from:
    - a `sklearn.metrics` function (`accuracy_score`, `f1_score`, `classification_report`,
      `confusion_matrix`, `mean_squared_error`, … — not `make_scorer`/`get_scorer`),
      `cross_val_score`/`cross_validate`, `scipy.stats.pearsonr`/`spearmanr`, BLEU helpers;
    - `est.score(X, y)` (two arguments, or one on a model-like receiver), `.evaluate(...)`
      on a model, trainer, learner or evaluator (`model.evaluate(x, y)`,
      `trainer.evaluate()`), `metric.compute(...)` on an `evaluate.load(...)` or
      `torchmetrics` object;
    - a name, container or expression built from one: `acc = accuracy_score(...)`,
      `loss, acc = model.evaluate(...)`, `results.append(acc)`, `scores[name] = f1`,
      `{"f1": f1}`, `f"{acc:.3f}"`, `round(acc, 3)`, `scores.mean()`, `pd.DataFrame(results)`;
    - in a module that trains, a computed value whose name says it is a metric
      (`val_acc = correct / total`, `test_f1`, `rmse`, `best_auc`; `acc`, `precision`,
      `recall`, `mse`, `mae` need a split or aggregate word such as `val_`, `test_`,
      `mean_`, `best_`).

    Reported sinks: `print`/`pprint`, `logging` and logger calls (`logger.info(...)`,
    loguru), `f.write(...)`/`writelines`/`Path.write_text`, `csv` `writerow(s)`,
    `json.dump`/`yaml.dump` to a file, `np.savetxt`, and `to_csv`/`to_json`/`to_string`/
    `to_markdown` of a frame of metrics. Each such call is reported, at its first line.
    The decision is taken at the end of the module: any tracker call (the `--mlp-trackers`
    modules, `SummaryWriter`, tracker callbacks, HF `report_to=`) silences the rule for
    the whole file.

    A printed training loss alone is not a metric, and metrics returned to a caller,
    asserted in a test or passed to a tracker are not "printed".

    ## Why is this bad?
    Metrics that only exist in a terminal scroll-back or a hand-written `results.csv`
    cannot be compared across runs or tied to the code, data and parameters that produced
    them: the "manual experimentation and tracking" antipattern (seed 000, §3) and the
    manual experiment tracking smell (seed 002, #6). An experiment tracker records each
    run's metrics with its parameters and artifacts.

    ## Example
    ```python
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score

    clf = LogisticRegression(max_iter=1000).fit(X_train, y_train)
    preds = clf.predict(X_test)
    print(f"accuracy={accuracy_score(y_test, preds):.3f}")
    f1 = f1_score(y_test, preds)
    with open("metrics.txt", "w") as fh:
        fh.write(f"f1: {f1}\\n")
    ```

    ## Use instead
    ```python
    import mlflow
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score

    with mlflow.start_run():
        clf = LogisticRegression(max_iter=1000).fit(X_train, y_train)
        preds = clf.predict(X_test)
        mlflow.log_metrics({"accuracy": accuracy_score(y_test, preds), "f1": f1_score(y_test, preds)})
    ```

    ## Options
    `--mlp-trackers` adds tracker modules or callables (qualified names) whose use counts
    as tracking, e.g. an in-house `acme.tracking` wrapper.

    ## Known limitations
    - **Logging counts as printing.** `logger.info("AUC %.3f", auc)` is reported: a log
      line is not an experiment record. Silence it with `# noqa: MLP009` where the log
      is shipped to a system that does track runs.
    - A cell's last expression (`accuracy_score(y, p)` displayed in a notebook) is not
      reported; only explicit prints and writes are.
    - Hand-computed metrics are recognised only by their variable names (and only in
      modules that train); `print(correct / total)` passes.
    - Keras `history.history[...]` values and Lightning `self.log(...)` are not treated
      as hand-printed metrics (Lightning logs to its configured logger).
    - Metric helpers of other modules (`compute_metrics()` imported from `utils`) are
      unknown: their results are metrics only when named like one.
    - Tracking anywhere in the module silences every finding, even prints of metrics
      that are never logged.

    ## References
    - Virmani & Kuppam, "MLOps Antipatterns and Mitigation Approaches", IJCTT 72(2), 2024
      (seed 000), §3 Manual Experimentation and Tracking (§3.3 `mlflow.log_metric`).
    - Prathish, "7 MLOps 'Smells'" (seed 002), #6 manual model versioning and experiment
      tracking.
    - MLflow docs, [Tracking](https://mlflow.org/docs/latest/tracking.html); W&B docs,
      [Log metrics](https://docs.wandb.ai/guides/track/log).
    """

    code = "MLP009"
    added_in = "0.2.0"
    name = "untracked-metrics"
    message = (
        "evaluation metric {what} is {verb} by hand and this module logs nothing to an "
        "experiment tracker; log it with mlflow.log_metric, wandb.log or dvclive so runs "
        "can be compared"
    )
    confidence = "medium"
    options = (TRACKERS_OPTION,)
    uses_facts = True

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        #: (call, label, verb, strength)
        self._sinks: List[Tuple[ast.Call, str, str, int]] = []
        #: False until a metric name is recorded in some scope: until then every name
        #: lookup answers None and there is nothing to forget on a rebinding
        self._marked = False
        #: False until a call that ``metric`` could take for a metric API (a sklearn
        #: metric, ``.score``/``.evaluate``/``.compute``) has been visited. A value's calls
        #: are all visited before its assignment is left, so until then (and with nothing
        #: marked) ``metric`` of an assigned value is None: leave_Assign skips it.
        self._api_seen = False

    # ------------------------------------------------------------ metric names
    def _metrics(self, scope: Scope) -> Dict[str, Tuple[int, str]]:
        data = scope.data.get(_KEY)
        if data is None:
            data = scope.data[_KEY] = {}
        return data  # type: ignore[return-value]

    def _lookup(self, name: str) -> Optional[Tuple[int, str]]:
        if not self._marked:
            return None
        table = self.ctx.resolver.scope_table(_KEY, name)
        return None if table is None else table[name]  # type: ignore[no-any-return]

    def _mark(self, target: ast.AST, hit: Optional[Tuple[int, str]]) -> None:
        if hit is None and not self._marked:
            return  # nothing recorded anywhere: nothing to forget
        if isinstance(target, ast.Name):
            if hit is not None:
                self._metrics(self.ctx.scope)[target.id] = hit
                self._marked = True
            else:
                data = self.ctx.scope.data.get(_KEY)
                if data:
                    data.pop(target.id, None)  # type: ignore[attr-defined]
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self._mark(elt, hit if hit is None or not isinstance(elt, ast.Starred) else hit)
        elif isinstance(target, ast.Starred):
            self._mark(target.value, hit)

    # ------------------------------------------------------------ the metric test
    def metric(self, expr: Optional[ast.AST], depth: int = 0) -> Optional[Tuple[int, str]]:
        """(strength, label) when ``expr`` carries an evaluation metric, else None."""
        if expr is None or depth > 6 or type(expr) in _NEVER_METRIC:
            return None
        ctx = self.ctx
        if isinstance(expr, ast.Name):
            return self._lookup(expr.id)
        if isinstance(expr, ast.Call):
            func = expr.func
            name = ctx.call_name(expr)
            if name is not None and is_metric_function(name):
                return (_API, name.rsplit(".", 1)[-1] + "()")  # type: ignore[union-attr]
            if isinstance(func, ast.Attribute):
                method = func.attr
                receiver = func.value
                if name is None and method == "score" and (
                    len(expr.args) >= 2 or (expr.args and is_modelish(ctx, receiver))
                ):
                    return (_API, "score()")
                if name is None and method == "evaluate" and self._evaluator(receiver):
                    return (_API, "evaluate()")
                if method == "compute" and self._metric_object(receiver):
                    return (_API, "compute()")
                if method in _PASS_METHODS or method == "format":
                    hit = self.metric(receiver, depth + 1)
                    if hit is not None:
                        return hit
                if method in ("format", "join"):
                    return self._any(list(expr.args) + [k.value for k in expr.keywords], depth)
            if name in _WRAPPER_FUNCTIONS or (
                isinstance(func, ast.Name) and func.id in _WRAPPER_BUILTINS and name is None
                and not ctx.resolver.ever_bound(func.id)
            ):
                return self._any(list(expr.args) + [k.value for k in expr.keywords], depth)
            return None
        if isinstance(expr, (ast.Subscript, ast.Attribute)):
            return self.metric(expr.value, depth + 1)
        if isinstance(expr, ast.BinOp):
            return self.metric(expr.left, depth + 1) or self.metric(expr.right, depth + 1)
        if isinstance(expr, ast.UnaryOp):
            return self.metric(expr.operand, depth + 1)
        if isinstance(expr, ast.IfExp):
            return self.metric(expr.body, depth + 1) or self.metric(expr.orelse, depth + 1)
        if isinstance(expr, ast.JoinedStr):
            return self._any([v.value for v in expr.values if isinstance(v, ast.FormattedValue)], depth)
        if isinstance(expr, ast.FormattedValue):
            return self.metric(expr.value, depth + 1)
        if isinstance(expr, ast.Dict):
            return self._any([v for v in expr.values if v is not None], depth)
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            return self._any(expr.elts, depth)
        if isinstance(expr, ast.Starred):
            return self.metric(expr.value, depth + 1)
        return None

    def _any(self, exprs: List[ast.AST], depth: int) -> Optional[Tuple[int, str]]:
        best: Optional[Tuple[int, str]] = None
        for e in exprs:
            hit = self.metric(e, depth + 1)
            if hit is not None and (best is None or hit[0] > best[0]):
                best = hit
        return best

    def _evaluator(self, receiver: ast.AST) -> bool:
        if is_modelish(self.ctx, receiver):
            return True
        if isinstance(receiver, ast.Name):
            # ``best = build_model(); best.fit(x, y); best.evaluate(...)``: fitted here
            for call in self.ctx.facts.training_calls:
                func = call.func
                if (
                    isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Name)
                    and func.value.id == receiver.id
                ):
                    return True
        name = receiver.id if isinstance(receiver, ast.Name) else getattr(receiver, "attr", "")
        low = name.lower()
        return any(w in low for w in ("trainer", "evaluator", "learner", "learn"))

    def _metric_object(self, receiver: ast.AST) -> bool:
        if not isinstance(receiver, ast.Name):
            return False
        value = self.ctx.resolver.constant(receiver.id)
        if not isinstance(value, ast.Call):
            return False
        name = self.ctx.qualname(value.func) or ""
        return name.startswith(METRIC_OBJECT_FACTORIES)

    # ------------------------------------------------------------- bindings
    def leave_Assign(self, node: ast.Assign) -> None:
        targets = node.targets
        if not (self._marked or self._api_seen) and len(targets) == 1:
            # fast path (most assignments of most files): the value is no metric and
            # _mark(target, None) is a no-op while nothing is marked; only a name
            # spelled like a metric can be recorded
            target = targets[0]
            tcls = target.__class__
            if tcls is _Name:
                name = target.id  # type: ignore[attr-defined]
                if _named_metric(name) and self._named(name, node.value):
                    self._mark(target, (_NAMED, name))
                return
            if tcls in _OTHER_TARGETS:
                return
        hit = self.metric(node.value) if self._marked or self._api_seen else None
        for target in targets:
            if isinstance(target, ast.Subscript):
                # results["f1"] = f1 -> results holds metrics
                if hit is not None and isinstance(target.value, ast.Name):
                    self._mark(target.value, hit)
                continue
            if (
                hit is None
                and isinstance(target, ast.Name)
                and _named_metric(target.id)  # cached; most names stop here
                and self._named(target.id, node.value)
            ):
                self._mark(target, (_NAMED, target.id))
                continue
            self._mark(target, hit if hit is None else (hit[0], self._label(target, hit)))

    def leave_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            hit = self.metric(node.value) if self._marked or self._api_seen else None
            self._mark(node.target, hit if hit is None else (hit[0], self._label(node.target, hit)))

    def leave_AugAssign(self, node: ast.AugAssign) -> None:
        if not (self._marked or self._api_seen):
            return
        hit = self.metric(node.value)
        if hit is not None and isinstance(node.target, ast.Name):
            self._mark(node.target, hit)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self._mark(node.target, self.metric(node.value))

    def visit_For(self, node: ast.For) -> None:
        hit = self.metric(node.iter)
        self._mark(node.target, hit)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        hit = self.metric(node.iter)
        if hit is not None:
            self._mark(node.target, hit)

    @staticmethod
    def _label(target: ast.AST, hit: Tuple[int, str]) -> str:
        return target.id if isinstance(target, ast.Name) else hit[1]

    def _named(self, name: str, value: ast.AST) -> bool:
        if not _named_metric(name):
            return False
        if isinstance(value, (ast.Constant, ast.Lambda, ast.List, ast.Dict, ast.ListComp, ast.DictComp)):
            return False
        if isinstance(value, ast.Call):
            qual = self.ctx.qualname(value.func) or ""
            if qual.startswith(("torchmetrics.", "evaluate.", "keras.metrics.", "sklearn.metrics.")):
                return False  # a metric object or scorer, not a value
        return True

    # ----------------------------------------------------------------- sinks
    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        func = node.func
        # Fast rejection (most calls): only ``print``, the sink/dumper names and the
        # methods in _CALL_ATTRS can be a sink or a container update.
        ftype = type(func)
        if ftype is ast.Attribute:
            attr = func.attr  # type: ignore[attr-defined]
            if not self._api_seen:
                name = ctx.call_name(node)
                if attr in _API_METHODS or (
                    name is not None
                    and (name in METRIC_FUNCTIONS or name.startswith("sklearn.metrics."))
                ):
                    self._api_seen = True
            if attr not in _CALL_ATTRS:
                return
            name = ctx.call_name(node)
        elif ftype is ast.Name:
            name = ctx.call_name(node)
            if name is not None and not self._api_seen and (
                name in METRIC_FUNCTIONS or name.startswith("sklearn.metrics.")
            ):
                self._api_seen = True
            if name not in _SINK_NAMES and func.id != "print":  # type: ignore[attr-defined]
                return
        elif isinstance(func, (ast.Name, ast.Attribute)):  # a subclass: no shortcut
            name = ctx.call_name(node)
            self._api_seen = True
        else:
            return  # ``f()(x)``, ``fs[0](x)``: no name, not a method
        verb = None
        args: Optional[List[ast.AST]] = None  # the printed arguments, built once a sink
        skip_level = False  # ``logger.log(level, msg, ...)``: the level is not printed
        if isinstance(func, ast.Name) and func.id == "print" and not ctx.resolver.ever_bound("print"):
            verb = "printed"
        elif name in _PRINTERS:
            verb = "printed"
        elif isinstance(func, ast.Attribute):
            method = func.attr
            if method in _LOG_LEVELS and self._is_logger(func.value, name):
                verb = "logged to the console"
                skip_level = method == "log"
            elif method in _WRITE_METHODS and name is None:
                verb = "written to a file"
            elif method in _FRAME_WRITERS and name is None:
                hit = self.metric(func.value)
                if hit is not None:
                    self._sinks.append((node, hit[1], "written to a file", hit[0]))
                return
        if verb is None and name in _FILE_DUMPERS and len(node.args) >= 2:
            verb = "written to a file"
            args = [node.args[1]] if name == "numpy.savetxt" else [node.args[0]]
        if verb is None:
            # container updates: results.append(acc), scores.update({...})
            if (
                isinstance(func, ast.Attribute)
                and func.attr in _CONTAINER_UPDATES
                and isinstance(func.value, ast.Name)
                and name is None
            ):
                hit = self._any(node.args, 0)
                if hit is not None:
                    self._metrics(self._binding_scope(func.value.id))[func.value.id] = hit
                    self._marked = True
            return
        if args is None:
            args = list(node.args) + [
                k.value for k in node.keywords if k.arg not in ("file", "sep", "end")
            ]
            if skip_level and args:
                args = args[1:]
        hit = self._any(args, 0)
        if hit is not None:
            self._sinks.append((node, hit[1], verb, hit[0]))

    def _binding_scope(self, name: str) -> Scope:
        scope = self.ctx.resolver.lookup_scope(name)
        return scope if scope is not None else self.ctx.scope

    def _is_logger(self, receiver: ast.AST, call_name: Optional[str]) -> bool:
        if call_name is not None:
            head = call_name.split(".", 1)[0]
            return head in ("logging", "loguru", "structlog") or call_name.startswith("absl.logging")
        if isinstance(receiver, ast.Name):
            if receiver.id in _LOGGER_NAMES:
                return True
            value = self.ctx.resolver.constant(receiver.id)
            if isinstance(value, ast.Call):
                qual = self.ctx.qualname(value.func) or ""
                return qual in ("logging.getLogger", "structlog.get_logger", "loguru.logger.bind")
            return False
        if isinstance(receiver, ast.Attribute):
            return receiver.attr in _LOGGER_NAMES
        return False

    def finish(self) -> None:
        facts = self.ctx.facts
        if facts.tracks:
            return
        seen = set()
        for node, label, verb, strength in self._sinks:
            if strength == _NAMED and not facts.trains:
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            self.report(node, what=label if label.endswith("()") else f"'{label}'", verb=verb)
