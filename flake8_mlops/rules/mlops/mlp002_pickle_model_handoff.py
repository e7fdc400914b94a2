"""MLP002 pickle-model-handoff."""

from __future__ import annotations

import ast
import re
from typing import Dict, List, NamedTuple, Optional, Tuple

from ... import lazy_re
from ...apis.models import (
    CONFIG_ROOTS,
    DATA_ANNOTATIONS,
    FIT_METHODS,
    GENERIC_FIX,
    MODEL_ATTRIBUTES,
    MODEL_PART_ATTRIBUTES,
    MODULE_PASSTHROUGH_METHODS,
    NATIVE_SAVE_FIX,
    PASSTHROUGH_FUNCTIONS,
    PASSTHROUGH_NAMES,
    PICKLE_DUMPERS,
    PICKLER_CLASSES,
    STATE_DICT_METHODS,
    is_model_name,
    model_annotation,
    model_base,
    model_constructor,
    model_loader,
)
from ...names import LOCAL, Scope
from ...registry import Rule, register

_KEY = "MLP002"

# fact states
_MODEL = 1  # holds a model (or a container holding one)
_NOT = 2  # holds something that is certainly not a model (literal data, a state_dict…)
_UNKNOWN = 3  # rebound to something we cannot judge: the name heuristic decides
_CLASS = 4  # a user class deriving from a model base: calling it builds a model


class Fact(NamedTuple):
    state: int
    library: Optional[str] = None
    kind: str = "estimator"


_NOT_FACT = Fact(_NOT)
_UNKNOWN_FACT = Fact(_UNKNOWN)


class Hit(NamedTuple):
    """A model found in an expression: how to name it and which library made it."""

    label: str
    library: Optional[str]
    kind: str


#: calls whose result is plain data (builtins, by bare name when not rebound)
_DATA_BUILTINS = frozenset(
    {"dict", "list", "set", "tuple", "frozenset", "str", "bytes", "len", "sorted", "zip", "range"}
)
#: library prefixes whose calls return data, never a model
_DATA_PREFIXES = (
    "numpy.", "pandas.", "json.", "collections.", "polars.", "scipy.sparse.", "yaml.safe_load", "csv.",
)
#: …except these, which can return any pickled object
_ANY_OBJECT_LOADERS = frozenset({"pandas.read_pickle", "numpy.load", "pandas.io.pickle.read_pickle"})

#: top-level package -> library key of NATIVE_SAVE_FIX (to tailor advice for names of
#: unknown origin)
_LIBRARY_OF_IMPORT = {
    "sklearn": "sklearn", "imblearn": "sklearn", "xgboost": "xgboost", "lightgbm": "lightgbm",
    "catboost": "catboost", "torch": "torch", "torchvision": "torch", "lightning": "torch",
    "timm": "torch", "keras": "keras", "tensorflow": "keras", "transformers": "transformers",
    "statsmodels": "statsmodels", "prophet": "prophet",
}

_HELPERS = "MLP002.helpers"
#: a function whose name says it pickles (``save_pickle``, ``dump_pkl``, ``joblib_save``)
_PICKLE_HELPER_NAME = lazy_re.compile(r"pickle|pkl|joblib|dill", re.I)
_NOT_PICKLE_HELPER = lazy_re.compile(r"load|read|unpickle|open|get", re.I)
#: libraries whose own functions are judged by the tables, never by their spelling
_LIBRARY_HEADS = frozenset(
    {"pickle", "joblib", "dill", "cloudpickle", "pandas", "numpy", "torch", "sklearn", "mlflow", "skops"}
)

_KIND_WORDS = {"transformer": "fitted transformer", "trainer": "trainer", "pipeline": "pipeline"}


def _dotted(expr: ast.AST) -> Optional[str]:
    parts = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return None
    parts.append(expr.id)
    return ".".join(reversed(parts))


def _short(expr: ast.AST, limit: int = 40) -> str:
    """A short source-like label for messages (cheap for the common shapes)."""
    if isinstance(expr, ast.Call):
        head = _dotted(expr.func)
        if head is not None:
            return _clip(head + "(...)", limit)
    elif isinstance(expr, ast.Subscript):
        head = _dotted(expr.value)
        key = expr.slice
        if head is not None and isinstance(key, ast.Constant):
            return _clip(f"{head}[{key.value!r}]", limit)
    else:
        head = _dotted(expr)
        if head is not None:
            return _clip(head, limit)
    try:
        text = ast.unparse(expr)
    except Exception:  # pragma: no cover - unparse handles every parsed node
        return "object"
    return _clip(" ".join(text.split()), limit)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


#: last components of the dumpers' qualified names (``pickle.dump`` -> ``dump``); the
#: module renames of ``names.canonical`` never produce one
_DUMPER_METHODS = frozenset(q.rsplit(".", 1)[-1] for q in PICKLE_DUMPERS) | {"dump"}
_helper_names: Dict[str, bool] = {}


def _pickle_helper_name(name: str) -> bool:
    """The name says it pickles and does not say it loads (cached: names repeat)."""
    known = _helper_names.get(name)
    if known is None:
        if len(_helper_names) > 50_000:
            _helper_names.clear()
        known = _helper_names[name] = bool(_PICKLE_HELPER_NAME.search(name)) and not _NOT_PICKLE_HELPER.search(name)
    return known


_Name = ast.Name
_Attribute = ast.Attribute
_Dict = ast.Dict
_Call = ast.Call
#: assigned values ``model_of`` never finds a model in and ``_is_plain_data`` calls data:
#: ``name = <one of these>`` always records _NOT_FACT (the fast path of leave_Assign)
_PLAIN_VALUES = frozenset(
    {ast.Constant, ast.JoinedStr, ast.BinOp, ast.BoolOp, ast.Compare, ast.UnaryOp, ast.Lambda}
)
#: …and these when every element is a constant (``results = []``, ``_backends = ["torch"]``,
#: ``cfg = {"lr": 0.1}``): no element can hold a model
_LITERAL_CONTAINERS = frozenset({ast.List, ast.Tuple, ast.Set, ast.Dict})
_Constant = ast.Constant


def _constant_elements(value: ast.AST) -> bool:
    """All elements (dict values) of a literal container are constants."""
    for elt in value.values if value.__class__ is _Dict else value.elts:  # type: ignore[attr-defined]
        if elt.__class__ is not _Constant:
            return False
    return True


_CONTAINER_ADDS = frozenset({"append", "add", "insert", "extend"})

_HISTORY_NAME = lazy_re.compile(r"(?i)^h$|hist|log|result|score|metric|loss")


@register
class PickleModelHandoff(Rule):
    """## What it does
    Flags a **model** written as an opaque pickle: `pickle`/`cPickle`/`dill`/`cloudpickle`
    `dump`/`dumps` (also `Pickler(f).dump`), `joblib.dump`, `pandas.to_pickle`, and
    `torch.save` of a whole module rather than its `state_dict()`.

    An argument counts as a model when, in the walk so far, it is:
    - built by a known model API: sklearn estimators, transformers, `Pipeline`,
      `make_pipeline`, `ColumnTransformer`, `GridSearchCV`…; `xgboost`/`lightgbm`/`catboost`
      models and `train()` boosters; `torch.nn` modules, `torchvision.models.*`,
      `timm.create_model`; `transformers` `AutoModel*`/`*For*`/`*Model` `.from_pretrained`,
      `pipeline()`, `Trainer`; `keras.Sequential`/`Model`/`keras.applications.*`;
      statsmodels, Prophet, gensim, fastai learners; a model-aware loader
      (`mlflow.*.load_model`, `keras.models.load_model`);
    - an instance of a class defined in the file that derives from `nn.Module`,
      `LightningModule`, `BaseEstimator`/the sklearn mixins, `keras.Model`,
      `PreTrainedModel` or a model class;
    - fitted in the file (`x.fit(...)`, `x.partial_fit(...)`, `x.fit_transform(...)`;
      `y = x.fit(...)` is the estimator again, except for Keras where it is a History);
    - a parameter annotated with a model type (`nn.Module`, `BaseEstimator`, `Pipeline`,
      `Optional[...]` of one), or `grid.best_estimator_`, `pipe.named_steps[...]`,
      `model.module`, `model.cpu()`, `copy.deepcopy(model)`;
    - a dict/list/tuple literal, or a name bound to one, that holds a model
      (`{"model": clf, "scaler": scaler}`), also filled later (`bundle["m"] = clf`,
      `models.append(clf)`);
    - a name, parameter or attribute of unknown origin **spelled like a model**:
      `model`, `models`, `clf`, `classifier`, `regressor`, `estimator`, `pipeline`,
      `pipe`, `net`, `booster`, with a prefix or number (`best_model`, `rf_model`,
      `policy_net`, `model_2`, `model_rf`, `finalModel`) — `model_path`, `n_estimators`,
      `results_per_model`, `train_model` are not. `self.model`, `trainer.model` count;
      `args.model`/`cfg.model` (configuration) do not.

    Names bound to plain data (literals, comprehensions, `np`/`pd`/`json` results, a
    `state_dict()`), functions and classes are never models, whatever their spelling.
    `pickle.dump(self, f)` in a method of a model class counts.

    Pickling helpers are followed: a function of the same file that passes one of its
    parameters to a pickler (`def save_object(path, obj): dill.dump(obj, f)`) is judged
    at each call by the argument given for that parameter; an imported helper whose name
    says it pickles (`save_pickle`, `dump_pkl`, `joblib_save`) is judged by its arguments.

    ## Why is this bad?
    A pickle stores references to the classes that made the object, not a description of
    the model: it loads only with the same library versions, has no input/output
    signature, and records no dependencies. Handing such a file from the data scientist's
    notebook to production is the "disconnected development and operations" antipattern
    (seed 000, §2): the artifact silently depends on the training environment, and
    version drift breaks or, worse, changes predictions. Seed 002 (#1) calls moving model
    files around by hand a sign of missing MLOps practice. A pickle also runs code when
    loaded (MLP003).

    ## Example
    ```python
    import joblib
    from sklearn.ensemble import RandomForestClassifier

    clf = RandomForestClassifier(n_estimators=200, random_state=0)
    clf.fit(X_train, y_train)
    joblib.dump(clf, "model.joblib")
    ```

    ## Use instead
    ```python
    import mlflow
    import skops.io as sio
    from sklearn.ensemble import RandomForestClassifier

    clf = RandomForestClassifier(n_estimators=200, random_state=0)
    clf.fit(X_train, y_train)
    mlflow.sklearn.log_model(clf, "model", input_example=X_train[:5])
    sio.dump(clf, "model.skops")
    ```

    ## Options
    None.

    ## Known limitations
    - **Fitted preprocessing counts.** A fitted scaler, encoder or vectorizer
      (`joblib.dump(scaler, "scaler.pkl")`) is reported: it is fitted in the module, it is
      needed at serving time, and it breaks across library versions just like the model.
      Putting it in a `Pipeline` with the model (MLP016) and logging that is the fix. A
      label encoder's *vocabulary* (`le.classes_`, a dict) is data and passes.
    - **Names spelled like a model are trusted.** `model = load_my_model()` followed by
      `joblib.dump(model, p)` fires although the origin is unknown: in practice a
      variable named `model` that is pickled is a model. A name bound in the same scope to
      a literal, a comprehension, a function or a class is not judged by its spelling
      (`model = {"W1": w1}` passes). Rename, or add `# noqa: MLP002`, when a variable
      named like a model holds something else.
    - `torch.save` of a checkpoint dict passes when its values are `state_dict()` calls or
      names bound to them; a dict holding a whole module (`{"model": model}`) fires.
    - Results of unknown calls are not models (`joblib.dump(train(X, y), p)` passes) unless
      the call is an inline `.fit(...)`. Facts are flow-ordered: a model assigned after a
      function that pickles it is only found through its spelling.
    - `self.<attr>` facts are shared across the methods of a class; other attribute
      chains are judged by their spelling only.
    - Helpers defined in another module are only recognised by a name containing
      `pickle`/`pkl`/`joblib`/`dill`; a `save_object()` imported from `utils` is not
      followed. Methods that pickle a parameter are not followed either.

    ## References
    - Virmani & Kuppam, "MLOps Antipatterns and Mitigation Approaches", IJCTT 72(2), 2024
      (seed 000), §2 Disconnected Development and Operations (the pickle hand-off example).
    - Prathish, "7 MLOps 'Smells'" (seed 002), #1 directly manipulating model artifacts.
    - scikit-learn docs, [Model persistence](https://scikit-learn.org/stable/model_persistence.html)
      (pickle/joblib caveats, skops, ONNX).
    - PyTorch docs, [Saving and loading
      models](https://pytorch.org/tutorials/beginner/saving_loading_models.html) (save the `state_dict`).
    - MLflow docs, [Models](https://mlflow.org/docs/latest/models.html) (flavors, signatures, environments).
    """

    code = "MLP002"
    triggers = ("dump", "save", "pickle")
    # pickling helpers are recognised by name in any case (_PICKLE_HELPER_NAME)
    triggers_nocase = ("pickle", "pkl", "joblib", "dill")
    name = "pickle-model-handoff"
    message = "{what} {label} serialized with {func}() is an opaque pickle tied to this environment; {fix}"
    confidence = "medium"

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        #: (helper name, its finding) for calls of names not bound yet; dropped in
        #: finish() when the module defines that name itself (its dumps are judged there)
        self._deferred: List[Tuple[str, Tuple[int, int, str]]] = []
        #: id(def node) -> facts from parameter annotations
        self._param_facts: Dict[int, Dict[str, Fact]] = {}
        #: a pickling helper was seen (else no call can be one: skip the scope walk)
        self._has_helpers = False

    # ------------------------------------------------------------- fact storage
    def _facts(self, scope: Optional[Scope] = None) -> Dict[str, Fact]:
        scope = scope or self.ctx.scope
        facts = scope.data.get(_KEY)
        if facts is None:
            facts = {}
            scope.data[_KEY] = facts
        return facts  # type: ignore[return-value]

    def _class_scope(self) -> Optional[Scope]:
        """The class whose method we are in (for ``self.<attr>`` facts)."""
        scope: Optional[Scope] = self.ctx.scope
        while scope is not None:
            if scope.kind == "class":
                return scope
            scope = scope.parent
        return None

    def _lookup(self, name: str) -> Optional[Fact]:
        """Fact for ``name`` as Python would resolve it here; None when unbound."""
        param_facts = self._param_facts
        # Resolver.visible_scopes() inlined (no generator): the current scope, then its
        # non-class parents
        scope: Optional[Scope] = self.ctx.resolver.scope
        first = True
        while scope is not None:
            if first or scope.kind != "class":
                facts = scope.data.get(_KEY)
                if facts and name in facts:  # type: ignore[operator]
                    return facts[name]  # type: ignore[index]
                if param_facts and scope.kind == "function":
                    params = param_facts.get(id(scope.node))
                    if params and name in params:
                        return params[name]
                value = scope.bindings.get(name)
                if value is not None:
                    return _UNKNOWN_FACT if value == LOCAL else _NOT_FACT  # imports
            first = False
            scope = scope.parent
        return None

    def _self_key(self, expr: ast.AST) -> Optional[str]:
        if (
            isinstance(expr, ast.Attribute)
            and isinstance(expr.value, ast.Name)
            and expr.value.id == "self"
        ):
            return "self." + expr.attr
        return None

    def _binding_scope(self, name: str) -> Scope:
        """The scope that binds ``name`` as seen from here (the current one if none)."""
        return self.ctx.resolver.lookup_scope(name) or self.ctx.scope

    def _set(self, target: ast.AST, fact: Fact, where_bound: bool = False) -> None:
        if isinstance(target, ast.Name):
            scope = self._binding_scope(target.id) if where_bound else None
            self._facts(scope)[target.id] = fact
            return
        key = self._self_key(target)
        if key is not None:
            cls = self._class_scope()
            if cls is not None:
                self._facts(cls)[key] = fact

    def _get_self(self, expr: ast.AST) -> Optional[Fact]:
        key = self._self_key(expr)
        if key is None:
            return None
        cls = self._class_scope()
        if cls is None:
            return None
        return self._facts(cls).get(key)

    def _self_model(self) -> Optional[Hit]:
        """``self`` in a method of a model class (``pickle.dump(self, f)`` in ``save``)."""
        scope = self.ctx.scope
        if scope.kind != "function" or scope.parent is None or scope.parent.kind != "class":
            return None
        cls = scope.parent
        name = getattr(cls.node, "name", "")
        fact = self._facts(cls.parent).get(name) if cls.parent is not None else None
        if fact is not None and fact.state == _CLASS:
            return Hit(f"'self' ({name})", fact.library, fact.kind)
        if is_model_name(name):
            return Hit(f"'self' ({name})", None, "estimator")
        return None

    # ---------------------------------------------------------- model judgement
    def model_of(self, expr: Optional[ast.AST], depth: int = 0) -> Optional[Hit]:
        """The model ``expr`` evaluates to (or holds), else None."""
        if expr is None or depth > 6:
            return None
        ctx = self.ctx
        if isinstance(expr, ast.Name):
            if expr.id == "self":
                return self._self_model()
            # labels are built only for a hit (most expressions are no model)
            fact = self._lookup(expr.id)
            if fact is not None and fact.state != _UNKNOWN:
                return Hit(f"'{expr.id}'", fact.library, fact.kind) if fact.state == _MODEL else None
            if is_model_name(expr.id):
                return Hit(f"'{expr.id}'", None, "estimator")
            return None
        if isinstance(expr, ast.Attribute):
            if ctx.qualname(expr) is not None:
                return None  # a module attribute (torchvision.models), not an object
            fact = self._get_self(expr)
            if fact is not None and fact.state != _UNKNOWN:
                return Hit(f"'{_short(expr)}'", fact.library, fact.kind) if fact.state == _MODEL else None
            attr = expr.attr
            if attr in MODEL_ATTRIBUTES:
                return Hit(f"'{_short(expr)}'", None, "estimator")
            root = expr.value
            while isinstance(root, (ast.Attribute, ast.Subscript, ast.Call)):
                root = root.func if isinstance(root, ast.Call) else root.value
            if isinstance(root, ast.Name) and root.id in CONFIG_ROOTS:
                return None
            if attr in MODEL_PART_ATTRIBUTES:
                inner = self.model_of(expr.value, depth + 1)
                if inner is not None:
                    return Hit(f"'{_short(expr)}'", inner.library, inner.kind)
            if is_model_name(attr):
                return Hit(f"'{_short(expr)}'", None, "estimator")
            return None
        if isinstance(expr, ast.Subscript):
            inner = self.model_of(expr.value, depth + 1)
            if inner is not None:
                return Hit(f"'{_short(expr)}'", inner.library, inner.kind)
            return None
        if isinstance(expr, ast.Call):
            return self._call_model(expr, depth)
        if isinstance(expr, (ast.Dict, ast.List, ast.Tuple, ast.Set)):
            elts = expr.values if isinstance(expr, ast.Dict) else expr.elts
            for elt in elts:
                if elt.__class__ is _Constant:
                    continue  # model_of(constant) is None: skip the call
                inner = self.model_of(elt, depth + 1)
                if inner is not None:
                    kind = type(expr).__name__.lower()
                    return Hit(f"{inner.label} (in a {kind})", inner.library, inner.kind)
            return None
        if isinstance(expr, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            return self.model_of(expr.elt, depth + 1)
        if isinstance(expr, ast.DictComp):
            return self.model_of(expr.value, depth + 1)
        if isinstance(expr, ast.IfExp):
            return self.model_of(expr.body, depth + 1) or self.model_of(expr.orelse, depth + 1)
        if isinstance(expr, ast.Starred):
            return self.model_of(expr.value, depth + 1)
        if isinstance(expr, ast.NamedExpr):
            return self.model_of(expr.value, depth + 1)
        return None

    def _call_model(self, call: ast.Call, depth: int) -> Optional[Hit]:
        ctx = self.ctx
        func = call.func
        qualname = ctx.call_name(call)
        # the label is built only for a hit (most calls make no model)
        if qualname is not None:
            info = model_constructor(qualname)
            if info is not None:
                return Hit(f"'{_short(call)}'", info.library, info.kind)
            lib = model_loader(qualname)
            if lib is not None:
                return Hit(f"'{_short(call)}'", lib, "estimator")
            if qualname in PASSTHROUGH_FUNCTIONS and call.args:
                return self.model_of(call.args[0], depth + 1)
            return None
        if isinstance(func, ast.Name):
            fact = self._lookup(func.id)
            if fact is not None and fact.state == _CLASS:
                return Hit(f"'{_short(call)}'", fact.library, fact.kind)
            if func.id in PASSTHROUGH_NAMES and call.args:
                return self.model_of(call.args[0], depth + 1)
            return None
        if not isinstance(func, ast.Attribute):
            return None
        method = func.attr
        if method in STATE_DICT_METHODS:
            return None
        if method in PASSTHROUGH_NAMES and call.args:
            return self.model_of(call.args[0], depth + 1)
        receiver = func.value
        if method in ("fit", "partial_fit"):
            # sklearn-style fit returns the estimator; Keras returns a History
            if isinstance(receiver, (ast.Name, ast.Attribute)) and ctx.qualname(receiver) is not None:
                return None  # scipy.stats.norm.fit(data) -> parameters
            inner = self.model_of(receiver, depth + 1)
            if inner is not None and inner.library == "keras":
                return None
            label = f"'{_short(call)}'"
            return Hit(label, inner.library if inner else None, inner.kind if inner else "estimator")
        if method in MODULE_PASSTHROUGH_METHODS:
            inner = self.model_of(receiver, depth + 1)
            if inner is not None:
                return Hit(f"'{_short(call)}'", inner.library, inner.kind)
        return None

    def _is_plain_data(self, value: ast.AST) -> bool:
        """Values that are certainly not a model (when ``model_of`` found none)."""
        # the call test first (the common case; it excludes the literal types below)
        if isinstance(value, ast.Call):
            func = value.func
            if isinstance(func, ast.Attribute):
                attr = func.attr
                if attr in STATE_DICT_METHODS:
                    return True
                if attr == "fit":
                    return True  # a Keras History (model_of ruled out an estimator)
            qualname = self.ctx.call_name(value)
            if qualname is not None:
                if qualname in _ANY_OBJECT_LOADERS:
                    return False
                if qualname.startswith(_DATA_PREFIXES):
                    return True
                if qualname in PASSTHROUGH_FUNCTIONS and value.args:
                    return self._is_plain_data(value.args[0])
                return False
            if isinstance(func, ast.Name) and func.id in _DATA_BUILTINS and self._lookup(func.id) is None:
                return True
            return False
        if isinstance(
            value,
            (
                ast.Constant, ast.JoinedStr, ast.Dict, ast.List, ast.Tuple, ast.Set,
                ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.BinOp,
                ast.BoolOp, ast.Compare, ast.UnaryOp, ast.Lambda,
            ),
        ):
            return True
        if isinstance(value, ast.Name):
            fact = self._lookup(value.id)
            return fact is not None and fact.state == _NOT
        return False

    def _value_fact(self, value: ast.AST) -> Fact:
        hit = self.model_of(value)
        if hit is not None:
            return Fact(_MODEL, hit.library, hit.kind)
        if self._is_plain_data(value):
            return _NOT_FACT
        return _UNKNOWN_FACT

    # ------------------------------------------------------------ fact handlers
    def _assign(self, target: ast.AST, value: Optional[ast.AST]) -> None:
        if isinstance(target, (ast.Name, ast.Attribute)):
            if isinstance(target, ast.Attribute) and self._self_key(target) is None:
                return
            if value is None:
                self._set(target, _UNKNOWN_FACT)
                return
            if (
                isinstance(target, ast.Name)
                and isinstance(value, ast.Call)
                and isinstance(value.func, ast.Attribute)
                and value.func.attr == "fit"
            ):
                # ``y = x.fit(...)``: the estimator for sklearn-style APIs; with an
                # unknown library only a model-like target name is trusted
                hit = self.model_of(value.func.value)
                if hit is None or hit.library is None:
                    # ``m = make_model(cfg).fit(X, y)``: an estimator built and fitted
                    # inline is the sklearn idiom, unless the module is Keras code
                    inline = (
                        isinstance(value.func.value, ast.Call)
                        and value.args
                        and not _HISTORY_NAME.search(target.id)
                        and not self._imports_keras()
                    )
                    if inline or is_model_name(target.id):
                        self._set(target, Fact(_MODEL, None, "estimator"))
                    else:
                        self._set(target, _UNKNOWN_FACT)
                    return
            self._set(target, self._value_fact(value))
        elif isinstance(target, (ast.Tuple, ast.List)):
            values = value.elts if isinstance(value, (ast.Tuple, ast.List)) else None
            if values is not None and len(values) != len(target.elts):
                values = None
            for i, elt in enumerate(target.elts):
                self._assign(elt, values[i] if values is not None else None)
        elif isinstance(target, ast.Starred):
            self._assign(target.value, None)
        elif isinstance(target, ast.Subscript):
            # bundle["model"] = clf  -> bundle holds a model
            hit = self.model_of(value) if value is not None else None
            if hit is not None:
                self._mark_container(target.value, hit)

    def _mark_container(self, container: ast.AST, hit: Hit) -> None:
        if isinstance(container, ast.Name) or self._self_key(container) is not None:
            self._set(container, Fact(_MODEL, hit.library, hit.kind), where_bound=True)

    def leave_Assign(self, node: ast.Assign) -> None:
        targets = node.targets
        value = node.value
        if len(targets) == 1:
            target = targets[0]
            if target.__class__ is _Name:
                # fast path for the most common statements, ``x = 0`` / ``x = []``: what
                # _assign records for them without judging the value
                vcls = value.__class__
                if vcls in _PLAIN_VALUES or (vcls in _LITERAL_CONTAINERS and _constant_elements(value)):
                    fact = _NOT_FACT
                elif vcls is _Call and (
                    value.func.__class__ is _Name  # type: ignore[attr-defined]
                    or (value.func.__class__ is _Attribute and value.func.attr != "fit")  # type: ignore[attr-defined]
                ):
                    # ``x = f(...)`` (no ``.fit``): _assign's _value_fact, without the
                    # detours (model_of of a call is _call_model)
                    hit = self._call_model(value, 0)  # type: ignore[arg-type]
                    if hit is not None:
                        fact = Fact(_MODEL, hit.library, hit.kind)
                    elif self._is_plain_data(value):
                        fact = _NOT_FACT
                    else:
                        fact = _UNKNOWN_FACT
                else:
                    fact = None
                if fact is not None:
                    scope = self.ctx.resolver.scope
                    facts = scope.data.get(_KEY)
                    if facts is None:
                        facts = scope.data[_KEY] = {}
                    facts[target.id] = fact  # type: ignore[index]
                    return
        for target in targets:
            self._assign(target, value)

    def leave_AnnAssign(self, node: ast.AnnAssign) -> None:
        ann = self._annotation_fact(node.annotation)
        if ann is not None and isinstance(node.target, (ast.Name, ast.Attribute)):
            if ann.state == _NOT or node.value is None or self.model_of(node.value) is None:
                self._set(node.target, ann)
                return
        if node.value is not None or isinstance(node.target, ast.Name):
            self._assign(node.target, node.value)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self._assign(node.target, node.value)

    def _loop_target(self, target: ast.AST, iterable: ast.AST) -> None:
        if isinstance(target, ast.Name):
            hit = self.model_of(iterable)
            self._set(target, Fact(_MODEL, hit.library, hit.kind) if hit else _UNKNOWN_FACT)
        else:
            self._assign(target, None)

    def visit_For(self, node: ast.For) -> None:
        self._loop_target(node.target, node.iter)

    def visit_AsyncFor(self, node: ast.AsyncFor) -> None:
        self._loop_target(node.target, node.iter)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        self._loop_target(node.target, node.iter)

    def visit_withitem(self, node: ast.withitem) -> None:
        if node.optional_vars is not None:
            self._assign(node.optional_vars, None)

    def _annotation_fact(self, ann: Optional[ast.AST]) -> Optional[Fact]:
        """MODEL for model types (also inside Optional/Union/|), NOT for data types."""
        if ann is None:
            return None
        if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
            try:
                ann = ast.parse(ann.value, mode="eval").body
            except SyntaxError:
                return None
        if isinstance(ann, ast.BinOp) and isinstance(ann.op, ast.BitOr):
            return self._annotation_fact(ann.left) or self._annotation_fact(ann.right)
        if isinstance(ann, ast.Subscript):
            qualname = self.ctx.qualname(ann.value)
            outer = qualname or ""
            if outer.rsplit(".", 1)[-1] in ("Optional", "Union", "Annotated"):
                inner = ann.slice
                elts = inner.elts if isinstance(inner, ast.Tuple) else [inner]
                for elt in elts:
                    fact = self._annotation_fact(elt)
                    if fact is not None and fact.state == _MODEL:
                        return fact
                return None
            ann = ann.value  # its qualname is the one just resolved
        else:
            qualname = self.ctx.qualname(ann)
        if qualname is None and isinstance(ann, ast.Name):
            fact = self._lookup(ann.id)
            if fact is not None and fact.state == _CLASS:
                return Fact(_MODEL, fact.library, fact.kind)
            if fact is None and ann.id in DATA_ANNOTATIONS:
                return _NOT_FACT
            return None
        info = model_annotation(qualname)
        if info is not None:
            return Fact(_MODEL, info.library, info.kind)
        if qualname in DATA_ANNOTATIONS:
            return _NOT_FACT
        return None

    def _enclosing(self, node: ast.AST) -> Optional[Scope]:
        """The scope a def/class statement binds its name in (whether or not the
        dispatcher has opened the new scope when ``visit_`` runs)."""
        scope = self.ctx.scope
        return scope.parent if scope.node is node else scope

    def _function(self, node: ast.AST) -> None:
        scope = self.ctx.resolver.scope  # _enclosing() inlined
        outer = scope.parent if scope.node is node else scope
        if outer is not None:
            outer_facts = outer.data.get(_KEY)
            if outer_facts is None:
                outer_facts = outer.data[_KEY] = {}
            outer_facts[node.name] = _NOT_FACT  # type: ignore[attr-defined,index]
        # annotations are resolved here, in the enclosing scope; the facts are consulted
        # by _lookup when the function's own scope is searched
        args = node.args  # type: ignore[attr-defined]
        facts: Optional[Dict[str, Fact]] = None
        for group in (args.posonlyargs, args.args, args.kwonlyargs):
            for arg in group:
                annotation = arg.annotation
                if annotation is None:
                    continue
                fact = self._annotation_fact(annotation)
                if fact is not None:
                    if facts is None:
                        facts = {}
                    facts[arg.arg] = fact
        if facts:
            self._param_facts[id(node)] = facts

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._function(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        scope = self.ctx.resolver.scope  # _enclosing() inlined
        parent = scope.parent if scope.node is node else scope
        if parent is None:
            return
        if not node.bases:  # the loop below finds nothing: the common ``class X:``
            facts = parent.data.get(_KEY)
            if facts is None:
                facts = parent.data[_KEY] = {}
            facts[node.name] = _UNKNOWN_FACT  # type: ignore[index]
            return
        fact = _UNKNOWN_FACT
        for base in node.bases:
            qualname = self.ctx.qualname(base)
            info = model_base(qualname) if qualname else None
            if info is not None:
                fact = Fact(_CLASS, info.library, info.kind)
                break
            if qualname is None and isinstance(base, ast.Name):
                base_fact = self._facts(parent).get(base.id)
                if base_fact is not None and base_fact.state == _CLASS:
                    fact = base_fact
                    break
        self._facts(parent)[node.name] = fact

    # --------------------------------------------------------------- the calls
    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        fcls = func.__class__
        if fcls is _Attribute:
            attr = func.attr  # type: ignore[attr-defined]
            if attr in FIT_METHODS:
                self._mark_fitted(func.value, attr)  # type: ignore[attr-defined]
            elif attr in _CONTAINER_ADDS:
                args = node.args
                if args:
                    hit = self.model_of(args[-1])
                    if hit is not None:
                        self._mark_container(func.value, hit)  # type: ignore[attr-defined]
            # fast rejection of most method calls, the tests that open _check_dump and
            # _check_helper: no dumper's last name component, no name that says it pickles
            if attr not in _DUMPER_METHODS:
                known = _helper_names.get(attr)
                if known is None:
                    known = _pickle_helper_name(attr)
                if not known:
                    return
        elif fcls is _Name:
            # the same for ``f(...)``: no dumper, no helper seen, no pickling name
            if (
                PICKLE_DUMPERS.get(self.ctx.call_name(node)) is None  # type: ignore[arg-type]
                and not self._has_helpers
            ):
                known = _helper_names.get(func.id)  # type: ignore[attr-defined]
                if known is None:
                    known = _pickle_helper_name(func.id)  # type: ignore[attr-defined]
                if not known:
                    return
        elif isinstance(func, ast.Attribute):  # a node subclass: no shortcut
            receiver = func.value
            if func.attr in FIT_METHODS:
                self._mark_fitted(receiver, func.attr)
            elif func.attr in _CONTAINER_ADDS and node.args:
                hit = self.model_of(node.args[-1])
                if hit is not None:
                    self._mark_container(receiver, hit)
        if not self._check_dump(node):
            self._check_helper(node)

    def _mark_fitted(self, receiver: ast.AST, method: str) -> None:
        if not isinstance(receiver, (ast.Name, ast.Attribute)):
            return
        if self.ctx.qualname(receiver) is not None:
            return  # scipy.stats.norm.fit(data): a library function, not a model
        if isinstance(receiver, ast.Attribute) and self._self_key(receiver) is None:
            return
        current = self.model_of(receiver)
        if current is not None:
            fact = Fact(_MODEL, current.library, current.kind)
        else:
            fact = Fact(_MODEL, None, "transformer" if method == "fit_transform" else "estimator")
        self._set(receiver, fact, where_bound=True)

    def _check_dump(self, node: ast.Call) -> bool:
        """Judge a pickling call; True when ``node`` is one (whatever the verdict)."""
        ctx = self.ctx
        func = node.func
        if func.__class__ is ast.Attribute and func.attr not in _DUMPER_METHODS:  # type: ignore[attr-defined]
            # an attribute call's qualified name ends with its attribute: no dumper
            return False
        func_name = ctx.call_name(node)
        spec = PICKLE_DUMPERS.get(func_name) if func_name else None
        if spec is None:
            if (
                isinstance(func, ast.Attribute)
                and func.attr == "dump"
                and isinstance(func.value, ast.Call)
            ):
                pickler = ctx.call_name(func.value)
                if pickler in PICKLER_CLASSES:
                    func_name = pickler + ".dump"
                    obj = ctx.arg(node, 0, "obj")
                    if not self._judge(node, obj, func_name):
                        self._note_helper(obj, func_name)
                    return True
            return False
        obj = ctx.arg(node, spec.position, spec.keyword)
        if not self._judge(node, obj, func_name):  # type: ignore[arg-type]
            self._note_helper(obj, func_name)  # type: ignore[arg-type]
        return True

    # A module-local pickling helper: ``def save_object(path, obj): dill.dump(obj, f)``.
    # Calls of it are judged like the dump itself (by the argument bound to ``obj``).
    def _note_helper(self, obj: Optional[ast.AST], dump_name: str) -> None:
        scope = self.ctx.scope
        if not isinstance(obj, ast.Name) or scope.kind != "function" or scope.parent is None:
            return
        fn = scope.node
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return
        if scope.parent.kind == "class":
            return  # methods: the receiver is unknown at call sites
        params = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)]
        kwonly = [a.arg for a in fn.args.kwonlyargs]
        if obj.id in params:
            position: Optional[int] = params.index(obj.id)
        elif obj.id in kwonly:
            position = None
        else:
            return
        fact = self._lookup(obj.id)
        if fact is not None and fact.state != _UNKNOWN:
            return  # annotated as data (or as a model, already reported)
        self._has_helpers = True
        helpers = scope.parent.data.setdefault(_HELPERS, {})
        helpers[fn.name] = (position, obj.id, dump_name)  # type: ignore[index]

    def _check_helper(self, node: ast.Call) -> None:
        func = node.func
        ctx = self.ctx
        if isinstance(func, ast.Name):
            if self._has_helpers:
                helper = self._helper(func.id)
                if helper is not None:
                    position, keyword, dump_name = helper
                    obj = ctx.arg(node, position if position is not None else -1, keyword)
                    self._judge(node, obj, f"{func.id}() via {dump_name}")
                    return
            # every other path needs a name that says it pickles: the cheap test first
            if not _pickle_helper_name(func.id):
                return
            binding = ctx.resolver.binding(func.id)
            if binding == LOCAL:
                return  # a function of this module that is no pickling helper we saw
            if binding is None:
                # not bound yet: maybe a function defined further down this module,
                # whose own dump calls are judged there; decide in finish()
                for arg in (*node.args, *(kw.value for kw in node.keywords)):
                    if self._judge(node, arg, func.id):
                        self._deferred.append((func.id, ctx.findings[-1]))
                        return
                return
            name = func.id
        elif isinstance(func, ast.Attribute):
            name = func.attr
            if not _pickle_helper_name(name):
                return
            qualname = ctx.call_name(node)
            if qualname is None or qualname.split(".", 1)[0] in _LIBRARY_HEADS:
                return
        else:
            return
        if ctx.call_name(node) in PICKLE_DUMPERS:
            return
        for arg in (*node.args, *(kw.value for kw in node.keywords)):
            if self._judge(node, arg, f"{name}"):
                return

    def _helper(self, name: str) -> Optional[tuple]:
        for scope in self.ctx.resolver.visible_scopes():
            helpers = scope.data.get(_HELPERS)
            if helpers and name in helpers:  # type: ignore[operator]
                return helpers[name]  # type: ignore[index]
            if name in scope.bindings:
                return None
        return None

    def _judge(self, node: ast.Call, obj: Optional[ast.AST], func_name: str) -> bool:
        hit = self.model_of(obj)
        if hit is None:
            return False
        library = hit.library
        if library is None and func_name.startswith("torch."):
            library = "torch"
        if library is None:
            library = self._imported_model_library()
        fix = NATIVE_SAVE_FIX.get(library or "", GENERIC_FIX)
        if hit.kind == "transformer" and library == "sklearn":
            fix = "put it in a Pipeline with the model and " + fix
        what = _KIND_WORDS.get(hit.kind, "model")
        self.report(node, what=what, label=hit.label, func=func_name, fix=fix)
        return True

    def _imports_keras(self) -> bool:
        return any(
            v.split(".", 1)[0] in ("keras", "tensorflow")
            for v in self.ctx.resolver.module.bindings.values()
        )

    def _imported_model_library(self) -> Optional[str]:
        """The one model library the module imports (to tailor the advice), else None."""
        found = set()
        for value in self.ctx.resolver.module.bindings.values():
            head = value.split(".", 1)[0]
            lib = _LIBRARY_OF_IMPORT.get(head)
            if lib is not None:
                found.add(lib)
        return found.pop() if len(found) == 1 else None

    def finish(self) -> None:
        if not self._deferred:
            return
        module = self.ctx.resolver.module.bindings
        for name, finding in self._deferred:
            if module.get(name) == LOCAL and finding in self.ctx.findings:
                self.ctx.findings.remove(finding)
