"""Scope-local data flow for MLP016 (preprocessing outside a pipeline) and MLP017 (leakage).

One :class:`Flow` per rule instance follows, inside each scope (module, function), which
names hold:

* **taint** — the output of a fitted transformer (``X_s = scaler.fit_transform(X)``,
  ``X_s = scaler.transform(X)`` after ``scaler.fit(...)``), by the id of the fitting call;
* **seen** — rows a transformer or sampler was fitted on (``scaler.fit(X)`` marks ``X``,
  ``X_s = scaler.fit_transform(X)`` marks ``X`` and ``X_s``);
* **held-out** — the test parts of a ``train_test_split`` (odd positions of its result).

Facts travel through plain assignment, subscripts and attributes (``df[cols]``,
``X.values``), method calls on the data (``df.drop(...)``, ``X.reshape(...)``), numpy /
pandas / tensor / DMatrix wrappers (``np.hstack``, ``pd.DataFrame``, ``xgb.DMatrix``),
column assignment (``df[num] = scaler.fit_transform(df[num])`` adds to ``df``) and the
train/test pairs of ``train_test_split``. They do **not** travel through calls of
unknown functions, returns, other scopes, containers filled later, or loops' order
(the walk is in source order). Objects (which name is a transformer, an estimator, a
pipeline) are looked up through enclosing scopes; data facts are scope-local.
"""

from __future__ import annotations

import ast
from typing import Dict, FrozenSet, Iterable, List, NamedTuple, Optional, Set, Tuple

from ...apis.models import is_model_name
from ...apis.sklearn_api import (
    CV_FUNCTIONS,
    DATA_WRAPPERS_PREFIXES,
    ESTIMATOR,
    FIT_CALLS,
    NO_TRANSFORM,
    PIPELINE,
    SAMPLER,
    SPLIT_FUNCTIONS,
    TARGET,
    TRAINING_FUNCTIONS,
    TRANSFORMER,
    is_heldout_name,
    is_transformer_name,
    object_kind,
)
from ...names import Scope
from ...registry import shared
from ._test_modules import is_test_filename

_EMPTY: FrozenSet[int] = frozenset()
_NO_COLS: FrozenSet[str] = frozenset()
#: ML libraries with fit/transform objects that are not scikit-learn estimators
_OTHER_ML_HEADS = frozenset({"pyspark", "h2o", "torchvision", "transformers", "tokenizers"})
#: methods of a Series that keep it the same column
_SAME_COLUMN_METHODS = frozenset(
    {"to_numpy", "astype", "map", "replace", "ravel", "reshape", "fillna", "copy", "squeeze"}
)
#: keywords of a Keras-style ``fit`` (an sklearn ``fit`` takes none of them)
_KERAS_FIT_KEYWORDS = frozenset(
    {"epochs", "validation_data", "validation_split", "steps_per_epoch", "initial_epoch"}
)
#: methods whose result is a prediction, a score or a plot, not the data
_RESULT_METHODS = frozenset(
    {
        "predict", "predict_proba", "predict_log_proba", "decision_function", "score",
        "inverse_transform", "evaluate", "plot", "hist", "describe", "corr", "sum", "mean",
        "std", "var", "min", "max", "count", "nunique", "value_counts", "isna", "isnull",
        "get_feature_names_out", "fit", "partial_fit",
    }
)


class Facts(NamedTuple):
    taint: FrozenSet[int] = _EMPTY
    seen: FrozenSet[int] = _EMPTY
    heldout: bool = False

    def union(self, other: "Facts") -> "Facts":
        if not other.taint and not other.seen and not other.heldout:
            return self
        return Facts(self.taint | other.taint, self.seen | other.seen, self.heldout or other.heldout)


NO_FACTS = Facts()


class Obj(NamedTuple):
    """What a receiver is: ``kind`` (TRANSFORMER, TARGET, SAMPLER, ESTIMATOR, PIPELINE,
    "library", or None when unknown) and a label for messages."""

    kind: Optional[str]
    label: str
    #: kind known from a constructor (True) or guessed from the spelling (False)
    known: bool = True


class FitInfo(NamedTuple):
    call: ast.Call
    label: str
    kind: str
    method: str
    #: for a label encoder used on one literal column (``df["sex"] = le.fit_transform(
    #: df["sex"])``): that column, so that encoding the *target* column can be told apart
    column: Optional[str] = None


class _State:
    __slots__ = ("data", "objs", "fitted", "columns")

    def __init__(self) -> None:
        self.data: Dict[str, Facts] = {}
        #: name (or ``self.attr``) -> object kind/label
        self.objs: Dict[str, Obj] = {}
        #: name -> the call that last fitted it
        self.fitted: Dict[str, ast.Call] = {}
        #: name -> the literal DataFrame column(s) it holds (``y = df["label"]``)
        self.columns: Dict[str, FrozenSet[str]] = {}


def _key(expr: ast.AST) -> Optional[str]:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "self":
        return "self." + expr.attr
    return None


def _in_test_code(ctx) -> bool:  # type: ignore[no-untyped-def]
    if is_test_filename(ctx.filename):
        return True
    scope: Optional[Scope] = ctx.scope
    while scope is not None:
        if scope.kind == "function" and getattr(scope.node, "name", "").startswith("test"):
            return True
        if scope.kind == "class" and getattr(scope.node, "name", "").startswith("Test"):
            return True
        scope = scope.parent
    return False


# Pure functions of a qualified name, cached (bounded: names come from the linted code).
_named_events: Dict[str, Optional[Tuple[str, "Obj"]]] = {}
_bound_objs: Dict[str, Optional["Obj"]] = {}


def _named_event(q: str) -> Optional[Tuple[str, "Obj"]]:
    """What a call of the imported name ``q`` is to the flow (see :meth:`Flow.on_call`)."""
    last = q.rsplit(".", 1)[-1]
    sklearn = q.split(".", 1)[0] == "sklearn"
    event: Optional[Tuple[str, Obj]] = None
    if last in SPLIT_FUNCTIONS and sklearn:
        event = ("split", Obj(None, last))
    elif q in TRAINING_FUNCTIONS:
        event = ("train", Obj(ESTIMATOR, q))
    elif last in CV_FUNCTIONS and sklearn:
        event = ("cv", Obj(ESTIMATOR, last))
    if len(_named_events) > 50_000:
        _named_events.clear()
    _named_events[q] = event
    return event


def _bound_obj(q: str) -> Optional["Obj"]:
    """The object a name bound to a call of the imported ``q`` holds, if the flow knows it."""
    kind = object_kind(q)
    obj: Optional[Obj] = None
    if kind is not None:
        obj = Obj(kind, q.rsplit(".", 1)[-1])
    elif q.split(".", 1)[0] in _OTHER_ML_HEADS:
        obj = Obj("library", q)  # Spark ML & co: not judged by spelling
    if len(_bound_objs) > 50_000:
        _bound_objs.clear()
    _bound_objs[q] = obj
    return obj


class Flow:
    """Per-file data-flow tracker (see the module docstring), shared by the rules that
    use it (:func:`shared_flow`): each call and assignment is processed once."""

    def __init__(self, ctx, key: str) -> None:  # type: ignore[no-untyped-def]
        self.ctx = ctx
        self.key = key
        #: id(fit call) -> what was fitted
        self.fits: Dict[int, FitInfo] = {}
        self._event_node: Optional[ast.AST] = None
        self._event: Optional[Tuple[str, Obj]] = None
        self._fed: Optional[ast.AST] = None

    def event(self, node: ast.Call) -> Optional[Tuple[str, Obj]]:
        """:meth:`on_call` once per call node, however many rules ask."""
        if node is not self._event_node:
            self._event_node = node
            self._event = self.on_call(node)
        return self._event

    def feed(self, node: ast.AST) -> None:
        """Bindings of an ``Assign``/``AnnAssign``/``For`` node, once per node."""
        if node is self._fed:
            return
        self._fed = node
        t = type(node)
        if t is ast.Assign:
            self.assign(node.targets, node.value)  # type: ignore[attr-defined]
        elif t is ast.AnnAssign:
            if node.value is not None:  # type: ignore[attr-defined]
                self.assign([node.target], node.value)  # type: ignore[attr-defined]
        elif t is ast.For:
            self.assign([node.target], None)  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ state
    def state(self, scope: Optional[Scope] = None) -> _State:
        scope = scope or self.ctx.scope
        st = scope.data.get(self.key)
        if st is None:
            st = _State()
            scope.data[self.key] = st
        return st  # type: ignore[return-value]

    def _scopes(self) -> Iterable[Scope]:
        return self.ctx.resolver.visible_scopes()

    def _lookup_obj(self, key: str) -> Optional[Obj]:
        for scope in self._scopes():
            st = scope.data.get(self.key)
            if st is not None and key in st.objs:  # type: ignore[operator]
                return st.objs[key]  # type: ignore[union-attr]
            if "." not in key and key in scope.bindings:
                return None  # bound here to something we did not classify
        return None

    def _lookup_fitted(self, key: str) -> Optional[ast.Call]:
        for scope in self._scopes():
            st = scope.data.get(self.key)
            if st is not None and key in st.fitted:  # type: ignore[operator]
                return st.fitted[key]  # type: ignore[union-attr]
            if "." not in key and key in scope.bindings:
                return None
        return None

    # ---------------------------------------------------------------- objects
    def obj(self, expr: ast.AST) -> Obj:
        """What ``expr`` (a method receiver) is."""
        ctx = self.ctx
        if isinstance(expr, ast.Call):
            func = expr.func
            q = ctx.call_name(expr)
            if q is not None:
                kind = object_kind(q)
                return Obj(kind, q.rsplit(".", 1)[-1]) if kind else Obj("library" if q else None, q)
            if isinstance(func, ast.Attribute) and func.attr in ("fit", "set_params", "set_output"):
                return self.obj(func.value)  # fit() returns the estimator itself
            return Obj(None, "object", False)
        if isinstance(expr, (ast.Name, ast.Attribute)):
            if ctx.qualname(expr) is not None:
                return Obj("library", ctx.qualname(expr) or "")
            key = _key(expr)
            if key is not None:
                found = self._lookup_obj(key)
                if found is not None:
                    return found
            name = expr.id if isinstance(expr, ast.Name) else expr.attr
            if is_transformer_name(name):
                return Obj(TRANSFORMER, name, False)
            if is_model_name(name):
                return Obj(ESTIMATOR, name, False)
            return Obj(None, name, False)
        return Obj(None, "object", False)

    # ------------------------------------------------------------------- data
    @staticmethod
    def data_arg(call: ast.Call) -> Optional[ast.expr]:
        if call.args and not isinstance(call.args[0], ast.Starred):
            return call.args[0]
        for kw in call.keywords:
            if kw.arg in ("X", "x", "raw_documents", "data"):
                return kw.value
        return None

    def root_name(self, expr: Optional[ast.AST]) -> Optional[str]:
        """``df`` for ``df``, ``df[cols]``, ``df.loc[:, c].values``, ``df.drop(...)``."""
        depth = 0
        while expr is not None and depth < 12:
            depth += 1
            if isinstance(expr, ast.Name):
                return expr.id
            if isinstance(expr, (ast.Subscript, ast.Attribute)):
                if self.ctx.qualname(expr) is not None:
                    return None
                expr = expr.value
            elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
                if expr.func.attr in _RESULT_METHODS or self.ctx.call_name(expr) is not None:
                    return None
                expr = expr.func.value
            else:
                return None
        return None

    def facts(self, expr: Optional[ast.AST], depth: int = 0) -> Facts:
        """What the value of ``expr`` holds (taint, seen rows, held-out)."""
        if expr is None or depth > 8:
            return NO_FACTS
        if isinstance(expr, ast.Name):
            return self.state().data.get(expr.id, NO_FACTS)
        if isinstance(expr, (ast.Subscript, ast.Attribute)):
            if self.ctx.qualname(expr) is not None:
                return NO_FACTS
            return self.facts(expr.value, depth + 1)
        if isinstance(expr, ast.Starred):
            return self.facts(expr.value, depth + 1)
        if isinstance(expr, (ast.List, ast.Tuple)):
            out = NO_FACTS
            for elt in expr.elts:
                out = out.union(self.facts(elt, depth + 1)._replace(heldout=False))
            return out
        if isinstance(expr, ast.BinOp):
            return self.facts(expr.left, depth + 1).union(self.facts(expr.right, depth + 1))
        if isinstance(expr, ast.Call):
            return self._call_facts(expr, depth)
        return NO_FACTS

    def _call_facts(self, call: ast.Call, depth: int) -> Facts:
        ctx = self.ctx
        func = call.func
        q = ctx.call_name(call)
        if q is not None:
            if q.startswith(DATA_WRAPPERS_PREFIXES):
                out = NO_FACTS
                for arg in call.args:
                    out = out.union(self.facts(arg, depth + 1)._replace(heldout=False))
                return out
            return NO_FACTS
        if not isinstance(func, ast.Attribute):
            return NO_FACTS
        method = func.attr
        receiver = func.value
        if method in ("transform", "fit_transform"):
            obj = self.obj(receiver)
            data = self.facts(self.data_arg(call), depth + 1)
            fit_id = self.transform_source(call, obj)
            if fit_id is None:
                return Facts(_EMPTY, data.seen)
            taint = data.taint | {fit_id} if self.fits[fit_id].kind == TRANSFORMER else data.taint
            seen = data.seen | {fit_id} if method == "fit_transform" else data.seen
            return Facts(taint, seen)
        if method == "fit_resample":
            obj = self.obj(receiver)
            data = self.facts(self.data_arg(call), depth + 1)
            if obj.kind == SAMPLER:
                fit_id = self.register(call, obj, method)
                return Facts(data.taint, data.seen | {fit_id})
            return Facts(data.taint, data.seen)
        if method in _RESULT_METHODS:
            return NO_FACTS
        out = self.facts(receiver, depth + 1)
        for arg in call.args:
            out = out.union(self.facts(arg, depth + 1)._replace(heldout=False))
        return out

    @staticmethod
    def _frame_column(call: ast.Call) -> Optional[ast.Subscript]:
        """The ``df[col]`` a label encoder is fitted on (through ``.astype(str)``,
        ``.fillna(...)``, ``.values``), else None."""
        arg = Flow.data_arg(call)
        for _ in range(4):
            if (
                isinstance(arg, ast.Call)
                and isinstance(arg.func, ast.Attribute)
                and arg.func.attr in _SAME_COLUMN_METHODS
            ):
                arg = arg.func.value
            elif isinstance(arg, ast.Attribute) and arg.attr == "values":
                arg = arg.value
            else:
                break
        if isinstance(arg, ast.Subscript) and isinstance(arg.value, (ast.Name, ast.Attribute)):
            return arg
        return None

    def _is_feature_target(self, call: ast.Call) -> bool:
        """``df[col] = le.fit_transform(df[col])``: a label encoder used on a column of a
        frame counts as a transformer (the Kaggle loop); when the column is a literal it
        is remembered, and ignored where that column turns out to be the target."""
        return self._frame_column(call) is not None

    @staticmethod
    def _literal_column(call: ast.Call) -> Optional[str]:
        sub = Flow._frame_column(call)
        if sub is not None and isinstance(sub.slice, ast.Constant):
            value = sub.slice.value
            return value if isinstance(value, str) else None
        return None

    def columns(self, expr: Optional[ast.AST], depth: int = 0) -> FrozenSet[str]:
        """Literal column(s) a single-column expression holds: ``df["label"]``,
        ``df.pop("label")``, ``df["label"].values``, ``le.fit_transform(df["label"])``,
        or a name bound to one."""
        if expr is None or depth > 6:
            return _NO_COLS
        if isinstance(expr, ast.Name):
            return self.state().columns.get(expr.id, _NO_COLS)
        if isinstance(expr, ast.Subscript):
            if isinstance(expr.slice, ast.Constant) and isinstance(expr.slice.value, str):
                return frozenset({expr.slice.value})
            return _NO_COLS
        if isinstance(expr, ast.Attribute):
            if expr.attr in ("values", "T", "array"):
                return self.columns(expr.value, depth + 1)
            return _NO_COLS
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
            method = expr.func.attr
            if method == "pop" and expr.args and isinstance(expr.args[0], ast.Constant):
                value = expr.args[0].value
                return frozenset({value}) if isinstance(value, str) else _NO_COLS
            if method in ("transform", "fit_transform"):
                return self.columns(self.data_arg(expr), depth + 1)
            if method in _SAME_COLUMN_METHODS:
                return self.columns(expr.func.value, depth + 1)
        return _NO_COLS

    def target_columns(self, exprs: Iterable[Optional[ast.AST]]) -> FrozenSet[str]:
        out: FrozenSet[str] = _NO_COLS
        for e in exprs:
            out = out | self.columns(e)
        return out

    def transform_source(self, call: ast.Call, obj: Optional[Obj] = None) -> Optional[int]:
        """For ``t.fit_transform(X)`` / ``t.transform(X)``: the id of the fit behind the
        output (registered), or None when ``t`` is not a feature transformer we saw fitted."""
        func = call.func
        if not isinstance(func, ast.Attribute):
            return None
        receiver = func.value
        obj = obj or self.obj(receiver)
        kind = obj.kind
        column = None
        if kind == TARGET and self._is_feature_target(call):
            kind = TRANSFORMER
            column = self._literal_column(call)
        if kind != TRANSFORMER:
            return None
        if func.attr == "fit_transform":
            return self.register(call, obj._replace(kind=kind), "fit_transform", column)
        # transform(): the output depends on the last fit of that object
        if (
            isinstance(receiver, ast.Call)
            and isinstance(receiver.func, ast.Attribute)
            and receiver.func.attr == "fit"
        ):
            return self.register(receiver, obj._replace(kind=kind), "fit")
        key = _key(receiver)
        if key is None:
            return None
        fit_call = self._lookup_fitted(key)
        if fit_call is None:
            return None
        return id(fit_call) if id(fit_call) in self.fits else None

    def register(self, call: ast.Call, obj: Obj, method: str, column: Optional[str] = None) -> int:
        fid = id(call)
        if fid not in self.fits:
            kind = obj.kind or TRANSFORMER
            self.fits[fid] = FitInfo(call, obj.label, kind, method, column)
        return fid

    # ------------------------------------------------------------------ events
    def on_call(self, node: ast.Call) -> Optional[Tuple[str, Obj]]:
        """Record a fit; returns ("fit", receiver) for fit calls, ("split", …) for
        ``train_test_split``, ("train", …) for ``xgb.train``-style functions."""
        ctx = self.ctx
        func = node.func
        q = ctx.call_name(node)
        if q is not None:
            try:
                return _named_events[q]
            except KeyError:
                return _named_event(q)
        if not isinstance(func, ast.Attribute) or func.attr not in FIT_CALLS:
            return None
        if not (node.args or node.keywords):
            return None
        obj = self.obj(func.value)
        if obj.kind == "library":
            return None
        method = func.attr
        kind = obj.kind
        column = None
        if kind == TARGET and self._is_feature_target(node):
            kind = TRANSFORMER
            obj = obj._replace(kind=kind)
            column = self._literal_column(node)
        if kind in (TRANSFORMER, SAMPLER) and method != "fit_predict":
            fid = self.register(node, obj, method, column)
            root = self.root_name(self.data_arg(node))
            if root is not None:
                st = self.state()
                old = st.data.get(root, NO_FACTS)
                st.data[root] = old._replace(seen=old.seen | {fid})
            key = _key(func.value)
            if key is not None and method in ("fit", "fit_transform", "partial_fit"):
                self._set_fitted(key, node)
        elif method in ("fit", "partial_fit", "fit_predict"):
            key = _key(func.value)
            if key is not None:
                self._set_fitted(key, node)
        return ("fit", obj)

    def _set_fitted(self, key: str, node: ast.Call) -> None:
        # store where the object lives (module-level scaler fitted in a function)
        for scope in self._scopes():
            st = scope.data.get(self.key)
            if st is not None and key in st.objs:  # type: ignore[operator]
                st.fitted[key] = node  # type: ignore[union-attr]
                return
            if "." not in key and key in scope.bindings:
                break
        self.state().fitted[key] = node

    def is_estimator_fit(self, node: ast.Call, obj: Obj) -> bool:
        if obj.kind in (ESTIMATOR, PIPELINE):
            return True
        if obj.kind is None and any(kw.arg in _KERAS_FIT_KEYWORDS for kw in node.keywords):
            return True
        return False

    def split_inputs(self, node: ast.Call) -> List[Facts]:
        return [self.facts(a) for a in node.args if not isinstance(a, ast.Starred)]

    def heldout(self, expr: Optional[ast.AST]) -> Optional[str]:
        """The name of held-out data ``expr`` is (by split tracking or by its name)."""
        if expr is None:
            return None
        if isinstance(expr, ast.Name):
            if self.state().data.get(expr.id, NO_FACTS).heldout or is_heldout_name(expr.id):
                return expr.id
            return None
        root = self.root_name(expr)
        if root is not None and (self.state().data.get(root, NO_FACTS).heldout or is_heldout_name(root)):
            return root
        return None

    def in_test_code(self) -> bool:
        return _in_test_code(self.ctx)

    # ------------------------------------------------------------- assignment
    def assign(self, targets: List[ast.AST], value: Optional[ast.AST]) -> None:
        if value is None:
            for t in targets:
                self._bind(t, NO_FACTS, None)
            return
        split = self._split_call(value)
        for target in targets:
            if split is not None and isinstance(target, (ast.Tuple, ast.List)):
                self._bind_split(target, split)
                continue
            if isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)) and len(
                target.elts
            ) == len(value.elts):
                for t, v in zip(target.elts, value.elts):
                    self.assign([t], v)
                continue
            self._bind(target, self.facts(value), value)

    def _split_call(self, value: ast.AST) -> Optional[ast.Call]:
        if value.__class__ is ast.Call:
            q = self.ctx.call_name(value)  # type: ignore[arg-type]
            if q is not None:
                event = _named_events[q] if q in _named_events else _named_event(q)
                if event is not None and event[0] == "split":
                    return value  # type: ignore[return-value]
        return None

    def _bind_split(self, target: ast.AST, call: ast.Call) -> None:
        inputs = self.split_inputs(call)
        elts = target.elts  # type: ignore[attr-defined]
        args = [a for a in call.args if not isinstance(a, ast.Starred)]
        if len(elts) == 2 * len(inputs) and not any(isinstance(e, ast.Starred) for e in elts):
            for i, elt in enumerate(elts):
                src = inputs[i // 2]
                self._bind(elt, Facts(src.taint, src.seen, i % 2 == 1), None)
                if isinstance(elt, ast.Name):
                    cols = self.columns(args[i // 2])
                    if cols:
                        self.state().columns[elt.id] = cols
            return
        merged = NO_FACTS
        for f in inputs:
            merged = merged.union(f)
        for elt in elts:
            self._bind(elt, merged._replace(heldout=False), None)

    def _bind(self, target: ast.AST, facts: Facts, value: Optional[ast.AST]) -> None:
        st = self.state()
        if isinstance(target, ast.Starred):
            target = target.value
        if isinstance(target, ast.Name):
            name = target.id
            if facts.taint or facts.seen or facts.heldout:
                st.data[name] = facts
            else:
                st.data.pop(name, None)
            cols = self.columns(value) if value is not None else _NO_COLS
            if cols:
                st.columns[name] = cols
            else:
                st.columns.pop(name, None)
            self._bind_obj(name, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self._bind(elt, facts._replace(heldout=False), None)
        elif isinstance(target, ast.Subscript):
            # df[cols] = scaler.fit_transform(df[cols]): df now holds the output too
            root = self.root_name(target.value)
            if root is not None and (facts.taint or facts.seen):
                old = st.data.get(root, NO_FACTS)
                st.data[root] = Facts(old.taint | facts.taint, old.seen | facts.seen, old.heldout)
        elif isinstance(target, ast.Attribute):
            key = _key(target)
            if key is not None:
                self._bind_obj(key, value)

    def _bind_obj(self, key: str, value: Optional[ast.AST]) -> None:
        st = self.state()
        st.fitted.pop(key, None)
        obj: Optional[Obj] = None
        if isinstance(value, ast.Call):
            func = value.func
            q = self.ctx.call_name(value)
            if q is not None:
                obj = _bound_objs[q] if q in _bound_objs else _bound_obj(q)
            elif isinstance(func, ast.Attribute) and func.attr in ("fit", "partial_fit"):
                inner = self.obj(func.value)
                if inner.known and inner.kind is not None:
                    obj = inner
                    st.fitted[key] = value
        elif isinstance(value, (ast.Name, ast.Attribute)):
            src = _key(value)
            if src is not None:
                obj = self._lookup_obj(src)
        if obj is not None:
            st.objs[key] = obj
        else:
            st.objs.pop(key, None)
            if value is not None:
                # bound to something unknown: remember it is *not* a known object, so
                # the name heuristic decides (drop any stale classification)
                pass

    @staticmethod
    def label(info: FitInfo) -> str:
        return f"{info.label}.{info.method}()"

    @staticmethod
    def travels(info: FitInfo) -> bool:
        """Could this fitted transformer go into a Pipeline (has ``transform``)?"""
        return info.kind == TRANSFORMER and info.label not in NO_TRANSFORM

    def union_seen(self, facts: Iterable[Facts]) -> Set[int]:
        out: Set[int] = set()
        for f in facts:
            out |= f.seen
        return out


def shared_flow(ctx) -> Flow:  # type: ignore[no-untyped-def]
    """The file's one :class:`Flow` (created on first use)."""
    flow = ctx.__dict__.get("_mlp_sklearn_flow")
    if flow is None:
        flow = Flow(ctx, "sklearn.flow")
        ctx.__dict__["_mlp_sklearn_flow"] = flow
    return flow  # type: ignore[no-any-return]


class FlowFeeder:
    """Mixin of the rules built on the shared :class:`Flow` (MLP016, MLP017): feeds its
    bindings once per node for all of them (shared collectors, see ``registry.shared``)."""

    ctx: "object"

    @property
    def flow(self) -> Flow:
        return shared_flow(self.ctx)

    @shared("sklearn-flow")
    def leave_Assign(self, node: ast.Assign) -> None:
        shared_flow(self.ctx).feed(node)

    @shared("sklearn-flow")
    def leave_AnnAssign(self, node: ast.AnnAssign) -> None:
        shared_flow(self.ctx).feed(node)

    @shared("sklearn-flow")
    def visit_For(self, node: ast.For) -> None:
        shared_flow(self.ctx).feed(node)
