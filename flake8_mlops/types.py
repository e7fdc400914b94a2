"""Scope-local type inference shared by the ML code-smell rules (MLP1xx).

The smell rules must fire only where the receiver *is* a pandas object, a NumPy array,
a torch module, an optimizer or an estimator -- never on a spelling (`.values` on any
name, any variable called `df`). This module answers one question during the single
walk: **what kind of object does this expression hold?**

    facts = types_of(ctx)          # one TypeFacts per file, stored on the context
    facts.feed(assign_node)        # from a rule's leave_Assign / leave_AnnAssign
    facts.kind_of(expr)            # "DataFrame" | "Series" | "pandas" | "ndarray"
                                   # | "nn.Module" | "Optimizer" | "Estimator" | None

``"pandas"`` means "a DataFrame or a Series, we cannot tell which"; use
:func:`is_pandas` to accept all three pandas kinds.

How it decides (in order; anything else is ``None`` = unknown, and rules stay silent):

1. **Resolved constructors and readers** (through imports, see ``names.py``):
   ``pandas.read_*`` (not ``read_html``/``read_pickle``; ``read_excel`` only with a
   literal single ``sheet_name``; no ``chunksize=``/``iterator=``), ``pandas.DataFrame``,
   ``pandas.concat`` (a DataFrame/Series when every listed item is one, or
   ``axis=1``; else either kind), ``pandas.merge``/``merge_asof``/``merge_ordered``/
   ``pivot_table``/``crosstab``/``get_dummies``/``json_normalize`` (DataFrame),
   ``pandas.Series``; ``numpy.array``/``asarray``/``zeros``/``ones``/``empty``/``full``/
   ``arange``/``linspace``/``stack``/``concatenate``/... and ``numpy.random.*`` samplers
   (ndarray); ``torch.optim.<Class>`` (Optimizer); model constructors from
   :mod:`flake8_mlops.apis.models` (torch/torchvision/timm networks -> nn.Module,
   sklearn estimators/transformers/pipelines/searches -> Estimator).
   A shadowed module (``pd = Polars()``, ``np = something``) resolves to nothing, and
   look-alike libraries (polars, pyspark, dask, modin, cudf) have other qualified names,
   so they are never pandas.
2. **Methods on known receivers**: a pandas object's frame-returning methods
   (``dropna``, ``merge``, ``query``, ``assign``, ``sort_values``...) keep its kind;
   ``value_counts`` gives a Series; ``df.groupby(...).<agg>()``,
   ``df.groupby(...)["c"].<agg>()`` and ``.apply(...)`` give pandas, and ``.agg`` with a
   list, a dict or named aggregations gives a DataFrame;
   ``.to_numpy()``/``.values`` give an ndarray; ``.T`` of a DataFrame is a DataFrame;
   ``df.pop("c")`` is a Series. Conversions from other frame libraries, on any
   receiver: ``x.toPandas()`` (pyspark) is a DataFrame; ``x.to_pandas()`` (polars,
   pyarrow, datasets, cudf, modin) is a DataFrame, a Series when the receiver is
   visibly a column (``t.column("a")``, ``s.to_series()``, ``pl.Series(...)``), either
   kind for a subscript (``t["a"]`` vs ``ds["train"]``), unknown with ``batched=``.
3. **Subscripts and columns of frames**: ``df["c"]`` is a Series, ``df[["a", "b"]]``
   and ``df[a:b]`` are DataFrames, so are boolean row masks (``df[df["a"] > 0]``,
   ``df[~m]``, ``df[a & b]``), ``df[expr]`` and ``df.loc[...]``/``df.iloc[...]`` are
   pandas; ``df.price`` is a Series unless the name is a DataFrame attribute
   (``columns``, ``index``, ``dtypes``, ``shape``, ``plot``... see
   :data:`FRAME_ATTRIBUTES`), so ``df.columns.values`` is not pandas.
4. **Names** bound by ``name = <expr>`` (or ``name: T = <expr>``) in the scope chain:
   the kind is recorded per scope (``scope.data["_types"]``) together with the binding
   count the resolver will have right after this assignment; any later binding of the
   name by other means (``for``, ``with``, ``import``, ``def``, ``+=``, walrus) changes
   the count and the recorded kind is ignored. Rebinding by assignment is flow-ordered:
   ``df = pd.read_csv(p); df = df.to_dict()`` makes ``df`` unknown again.
   ``a, b, c, d = train_test_split(X, y)`` gives each target the kind of its source.
5. **Annotations**: parameters never rebound in the function (``def f(df: pd.DataFrame)``,
   ``Optional[pd.DataFrame]``, string annotations) and annotated assignments.
   **pytest fixtures**: an unannotated, never rebound parameter of a test (a ``test*``
   function at module level or in a ``Test*`` class) or of another fixture takes the
   kind of the module-level ``@pytest.fixture`` of that name (or ``name=`` alias) when
   the fixture ends in ``return X`` / ``yield X`` after simple statements and ``X`` (or
   the call a name ``X`` is bound to once there) is a call rooted in an imported name
   (``pd.DataFrame({...})``, ``pd.read_csv(...)``); not when ``parametrize`` overrides it,
   nor for fixtures defined twice, in conftest.py or returning the fixture's locals.
6. **Local classes and functions** (defined once, directly in a scope of the chain): a
   call to a class deriving (directly or through another local class) from ``nn.Module``
   (nn.Module) or an sklearn base/estimator (Estimator); a call to a function whose
   return annotation names a kind (``def load(p) -> pd.DataFrame``); a call, after its
   definition, to an unannotated, undecorated function whose body ends with a
   ``return`` and whose every ``return`` gives the same known kind (``def load(p):
   df = pd.read_csv(p); ...; return df``) — generators and bare returns never count.
7. **Attributes of ``self``**: ``self.df = pd.read_csv(p)`` in any method records the
   kind on the class scope (``scope.data["_self_types"]``) for the methods walked after
   it; two assignments of different kinds make the attribute unknown. Static methods
   and a rebound ``self`` are ignored.

Feeding is idempotent (guarded by node id), so several rules may feed the same
assignment; a rule selected alone still gets complete facts as long as it feeds from
its own ``leave_Assign``/``leave_AnnAssign`` (use :class:`TypeFeeder` as a mixin).
Nothing here imports a library or walks a subtree; every answer is a few dict lookups.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Callable, Dict, FrozenSet, List, Optional, Set, Tuple

from .apis.models import model_base, model_constructor
from .names import LOCAL, Scope
from .registry import shared

if TYPE_CHECKING:  # pragma: no cover
    from .context import Context

DATAFRAME = "DataFrame"
SERIES = "Series"
PANDAS = "pandas"
NDARRAY = "ndarray"
MODULE = "nn.Module"
OPTIMIZER = "Optimizer"
ESTIMATOR = "Estimator"

PANDAS_KINDS: FrozenSet[str] = frozenset({DATAFRAME, SERIES, PANDAS})
#: dataframe libraries whose presence turns the unannotated-parameter fallback off
_OTHER_FRAME_LIBS: FrozenSet[str] = frozenset(
    {"polars", "pyspark", "dask", "modin", "cudf", "vaex", "xarray", "ibis", "databricks", "koalas"}
)

_KEY = "_types"

#: pandas top-level functions -> kind of the result
PANDAS_FUNCTIONS: Dict[str, str] = {
    "pandas.DataFrame": DATAFRAME,
    "pandas.Series": SERIES,
    "pandas.concat": PANDAS,
    "pandas.merge": DATAFRAME,
    "pandas.merge_asof": DATAFRAME,
    "pandas.merge_ordered": DATAFRAME,
    "pandas.pivot_table": DATAFRAME,
    "pandas.pivot": DATAFRAME,
    "pandas.melt": DATAFRAME,
    "pandas.crosstab": DATAFRAME,
    "pandas.get_dummies": DATAFRAME,
    "pandas.json_normalize": DATAFRAME,
    "pandas.DataFrame.from_dict": DATAFRAME,
    "pandas.DataFrame.from_records": DATAFRAME,
}
#: ``pandas.read_*`` that do not return one DataFrame
_NOT_FRAME_READERS: FrozenSet[str] = frozenset(
    {"read_html", "read_pickle", "read_hdf", "read_sql_query_chunks", "read_spss"}
)
_CHUNKING = ("chunksize", "iterator")

#: methods of a DataFrame/Series that return a new object of the same kind
SAME_KIND_METHODS: FrozenSet[str] = frozenset(
    {
        "dropna", "fillna", "ffill", "bfill", "drop", "drop_duplicates", "rename",
        "rename_axis", "reset_index", "set_index", "sort_values", "sort_index", "replace",
        "astype", "copy", "head", "tail", "sample", "filter", "reindex", "query", "assign",
        "where", "mask", "clip", "round", "abs", "interpolate", "isna", "isnull", "notna",
        "notnull", "convert_dtypes", "infer_objects", "shift", "diff", "pct_change",
        "cumsum", "cumprod", "nlargest", "nsmallest", "set_axis", "truncate", "asfreq",
        "tz_localize", "tz_convert", "add_prefix", "add_suffix", "explode",
    }
)
#: methods that always give a DataFrame when called on a DataFrame
FRAME_METHODS: FrozenSet[str] = frozenset(
    {"merge", "join", "pivot", "pivot_table", "melt", "select_dtypes", "describe", "transpose",
     "corr", "cov", "to_frame"}
)
#: methods of a pandas object that give a Series
SERIES_METHODS: FrozenSet[str] = frozenset({"value_counts", "map"})
#: reductions on a groupby / resample / rolling object of a pandas receiver
GROUPBY_AGGREGATES: FrozenSet[str] = frozenset(
    {
        "agg", "aggregate", "mean", "sum", "count", "size", "max", "min", "median", "std",
        "var", "first", "last", "nunique", "transform", "describe", "prod", "quantile",
    }
)
GROUPERS: FrozenSet[str] = frozenset({"groupby", "resample", "rolling", "expanding", "ewm"})

#: numpy functions returning an ndarray
NUMPY_ARRAY_FUNCTIONS: FrozenSet[str] = frozenset(
    {
        "array", "asarray", "asanyarray", "ascontiguousarray", "zeros", "ones", "empty",
        "full", "zeros_like", "ones_like", "empty_like", "full_like", "arange", "linspace",
        "logspace", "geomspace", "eye", "identity", "stack", "vstack", "hstack", "dstack",
        "column_stack", "concatenate", "tile", "repeat",
        "loadtxt", "genfromtxt", "fromfile", "frombuffer", "diag", "outer", "matmul", "dot",
    }
)
NUMPY_RANDOM_FUNCTIONS: FrozenSet[str] = frozenset(
    {"rand", "randn", "randint", "random", "normal", "uniform", "choice", "permutation",
     "standard_normal", "binomial", "poisson", "beta", "exponential"}
)

#: annotations -> kind
ANNOTATIONS: Dict[str, str] = {
    "pandas.DataFrame": DATAFRAME,
    "pandas.core.frame.DataFrame": DATAFRAME,
    "pandas.Series": SERIES,
    "pandas.core.series.Series": SERIES,
    "numpy.ndarray": NDARRAY,
    "numpy.typing.NDArray": NDARRAY,
    "numpy.typing.ArrayLike": "",  # not necessarily an array
    "torch.nn.Module": MODULE,
    "torch.optim.Optimizer": OPTIMIZER,
    "torch.optim.optimizer.Optimizer": OPTIMIZER,
}
#: DataFrame attributes that are not columns (``df.<name>`` is a Series otherwise)
FRAME_ATTRIBUTES: FrozenSet[str] = frozenset(
    {
        "T", "at", "attrs", "axes", "columns", "dtypes", "empty", "flags", "iat", "iloc",
        "index", "loc", "ndim", "shape", "size", "style", "values", "plot", "sparse",
        "array", "str", "dt", "cat", "name", "ftypes",
    }
)
_OPTIONAL = frozenset({"typing.Optional", "typing_extensions.Optional"})

_SPLITTERS: FrozenSet[str] = frozenset({"sklearn.model_selection.train_test_split"})

#: conversions to pandas from other frame libraries (any receiver)
_TO_PANDAS = "to_pandas"  # polars, pyarrow, datasets, cudf, modin, pyspark.pandas
_TO_PANDAS_SPARK = "toPandas"  # pyspark DataFrame: always a pandas DataFrame
#: receivers whose ``.to_pandas()`` is a pandas Series (a single column)
_COLUMN_CALLS: FrozenSet[str] = frozenset({"get_column", "column", "to_series", "drop_in_place"})
_SERIES_CONSTRUCTORS: FrozenSet[str] = frozenset(
    {"polars.Series", "pyarrow.array", "pyarrow.chunked_array", "cudf.Series",
     "modin.pandas.Series", "pyspark.pandas.Series"}
)
#: pytest fixture decorators and the parametrize marker (which overrides a fixture)
_FIXTURES: FrozenSet[str] = frozenset({"pytest.fixture", "pytest_asyncio.fixture"})
_PARAMETRIZE = "pytest.mark.parametrize"
_COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.With, ast.AsyncWith)

# node classes as module globals: ``x.__class__ is _Name`` is the cheapest type test
# (feed and kind_of run for every assignment of the file)
_Name = ast.Name
_Call = ast.Call
_Attribute = ast.Attribute
_Subscript = ast.Subscript
_Assign = ast.Assign
_IfExp = ast.IfExp
_NamedExpr = ast.NamedExpr


_MISSING = object()
_DYNAMIC = object()  # the kind depends on the call's arguments
#: qualified call name -> kind, None, or _DYNAMIC (see _static_call_kind)
_STATIC_CALL_KINDS: Dict[str, object] = {}


def _static_call_kind(q: str) -> object:
    """What TypeFacts._qualified_call_kind answers for calls of ``q`` when the answer
    does not depend on the call (then it is the same for every call), else _DYNAMIC."""
    if q.startswith("pandas."):
        kind = PANDAS_FUNCTIONS.get(q)
        if q == "pandas.concat":
            return _DYNAMIC
        if kind is not None:
            return kind
        tail = q[len("pandas."):]
        if tail.startswith("read_") and "." not in tail and tail not in _NOT_FRAME_READERS:
            return _DYNAMIC
        return None
    if q.startswith("numpy."):
        tail = q[len("numpy."):]
        if tail in NUMPY_ARRAY_FUNCTIONS:
            return NDARRAY
        if tail.startswith("random.") and tail[len("random."):] in NUMPY_RANDOM_FUNCTIONS:
            return _DYNAMIC
        return None
    if q.startswith("torch.optim.") and q.count(".") == 2:
        last = q.rsplit(".", 1)[1]
        if last[:1].isupper() and last not in ("Optimizer",):
            return OPTIMIZER
        return None
    info = model_constructor(q)
    if info is not None:
        return TypeFacts._model_kind(info.library, info.kind)
    return None


def _self_parameter(scope: Scope) -> str:
    """The first parameter of a method (the function of ``scope`` directly in a class,
    not a static or class method), or "" (the static part of TypeFacts._self_table)."""
    cls = scope.parent
    if cls is None or cls.kind != "class":
        return ""
    args = getattr(scope.node, "args", None)
    if not isinstance(args, ast.arguments):
        return ""
    first = (args.posonlyargs or args.args or [None])[0]
    if first is None:
        return ""
    for deco in getattr(scope.node, "decorator_list", ()):
        if isinstance(deco, ast.Name) and deco.id in ("staticmethod", "classmethod"):
            return ""
    return first.arg


def is_pandas(kind: Optional[str]) -> bool:
    """True for "DataFrame", "Series" and "pandas"."""
    return kind in PANDAS_KINDS


def types_of(ctx: "Context") -> "TypeFacts":
    """The file's :class:`TypeFacts`, created on first use and stored on the context."""
    facts = ctx.__dict__.get("_types")
    if facts is None:
        facts = ctx.__dict__.setdefault("_types", TypeFacts(ctx))
    return facts


class TypeFacts:
    """Per-file type facts; see the module docstring for the rules."""

    def __init__(self, ctx: "Context") -> None:
        self.ctx = ctx
        self._fed: Set[int] = set()
        # id(scope) -> {class name: kind or ""} for classes defined directly in it
        self._classes: Dict[int, Dict[str, object]] = {}
        # (number of module bindings when computed, module imports pandas only)
        self._pandas_module: Tuple[int, bool] = (-1, False)
        # module-level pytest fixtures: name -> kind ("" unknown) or the returned expr
        self._fixtures: Optional[Dict[str, object]] = None
        # id(function def) -> kinds of its ``return`` values (None: bare/unknown/yield)
        self._returns: Dict[int, Set[Optional[str]]] = {}
        #: called with each Assign/AnnAssign after it is fed, by the shared feeder of
        #: :class:`AssignFeeder` (see there): a rule's own work on assignments without
        #: a leave_Assign handler of its own
        self.listeners: List[Tuple[str, Callable[[ast.AST], None]]] = []

    # ------------------------------------------------------------------ feeding
    def see_return(self, node: ast.AST) -> None:
        """Record what a ``return`` (or ``yield``) of the current function gives back, so
        that a call to a local, unannotated function takes the kind of its returns."""
        scope = self.ctx.resolver.scope
        fn = scope.node
        if scope.kind != "function" or type(fn) is not ast.FunctionDef:
            return
        kinds = self._returns.get(id(fn))
        if kinds is None:
            kinds = self._returns[id(fn)] = set()
        if isinstance(node, ast.Return) and node.value is not None:
            kinds.add(self.kind_of(node.value))
        else:
            kinds.add(None)

    def feed(self, node: ast.AST) -> None:
        """Record the kinds bound by an Assign/AnnAssign, then call the
        :attr:`listeners`; call from ``leave_Assign`` / ``leave_AnnAssign`` (before the
        resolver binds the targets). Idempotent: a node is recorded (and heard) once."""
        key = id(node)
        fed = self._fed
        if key in fed:
            return
        fed.add(key)
        if node.__class__ is _Assign:
            value = node.value  # type: ignore[attr-defined]
            kind = self.kind_of(value)
            targets = node.targets  # type: ignore[attr-defined]
            if len(targets) == 1 and targets[0].__class__ is _Name:
                # ``name = value`` (most assignments): _record inlined
                name = targets[0].id
                scope = self.ctx.resolver.scope
                data = scope.data
                table = data.get(_KEY)
                if table is None:
                    table = data[_KEY] = {}
                table[name] = (kind, scope.assign_count.get(name, 0) + 1)  # type: ignore[index]
            else:
                for target in targets:
                    self._record_target(target, value, kind)
        elif isinstance(node, ast.Assign):  # a subclass of ast.Assign (hand-made trees)
            value = node.value
            kind = self.kind_of(value)
            for target in node.targets:
                self._record_target(target, value, kind)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None and isinstance(node.target, ast.Name):
                kind = self.annotation_kind(node.annotation) or self.kind_of(node.value)
                self._record(node.target.id, kind)
        if self.listeners:
            for item in tuple(self.listeners):  # a failing one is dropped meanwhile
                try:
                    item[1](node)
                except Exception as exc:  # one rule's bug must not stop the shared feed
                    self._listener_failed(item, node, exc)

    def listen(self, code: str, listener: Callable[[ast.AST], None]) -> None:
        """Call ``listener(node)`` after each assignment is recorded (see AssignFeeder);
        ``code`` is the rule's, for the internal-error finding if the listener raises."""
        self.listeners.append((code, listener))

    def _listener_failed(self, item: Tuple[str, Callable[[ast.AST], None]], node: ast.AST, exc: BaseException) -> None:
        """Drop a listener that raised and report it once, as the dispatcher does for a
        failing handler (the rule's other handlers keep running)."""
        if item in self.listeners:
            self.listeners.remove(item)
        line = getattr(node, "lineno", 1) or 1
        self.ctx.add(line, 0, f"MLP000 internal error in {item[0]} ({type(exc).__name__}); please report")

    def _record_target(self, target: ast.AST, value: ast.expr, kind: Optional[str]) -> None:
        if isinstance(target, ast.Name):
            self._record(target.id, kind)
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            table = self._self_table(target.value.id)
            if table is not None:
                old = table.get(target.attr, kind)
                table[target.attr] = kind if old == kind else ""  # "" = conflicting kinds
        elif isinstance(target, (ast.Tuple, ast.List)):
            kinds = self._unpack(value, len(target.elts))
            for i, elt in enumerate(target.elts):
                if isinstance(elt, ast.Name):
                    self._record(elt.id, kinds[i] if kinds else None)

    def _unpack(self, value: ast.expr, n: int) -> Optional[Tuple[Optional[str], ...]]:
        if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == n:
            if any(isinstance(e, ast.Starred) for e in value.elts):
                return None
            return tuple(self.kind_of(e) for e in value.elts)
        if isinstance(value, ast.Call) and self.ctx.call_name(value) in _SPLITTERS:
            args = value.args
            if args and not any(isinstance(a, ast.Starred) for a in args) and n == 2 * len(args):
                return tuple(self.kind_of(args[i // 2]) for i in range(n))
        return None

    def _self_table(self, name: str) -> Optional[Dict[str, Optional[str]]]:
        """Attribute kinds of ``self`` when ``name`` is the (never rebound) first
        parameter of a method: stored on the class scope, shared by its methods."""
        scope = self.ctx.resolver.lookup_scope(name)
        if scope is None or scope.kind != "function" or scope.assign_count.get(name) != 1:
            return None
        data = scope.data
        me = data.get("_types.self")
        if me is None:
            me = data["_types.self"] = _self_parameter(scope)
        if me != name:
            return None
        return scope.parent.data.setdefault("_self_types", {})  # type: ignore[union-attr,return-value]

    def _self_attr_kind(self, name: str, attr: str) -> Optional[str]:
        if name not in ("self", "cls") and not name.startswith("self"):
            return None
        table = self._self_table(name)
        if not table:
            return None
        return table.get(attr) or None

    def _record(self, name: str, kind: Optional[str]) -> None:
        scope = self.ctx.scope
        table = scope.data.get(_KEY)
        if table is None:
            table = scope.data[_KEY] = {}
        # the resolver binds the name right after this: its count will be this + 1
        table[name] = (kind, scope.assign_count.get(name, 0) + 1)  # type: ignore[index]

    # ----------------------------------------------------------------- queries
    def kind_of(self, expr: Optional[ast.AST]) -> Optional[str]:
        """The kind of object ``expr`` holds, or None when unknown."""
        t = expr.__class__  # None falls through every test below
        if t is _Name:
            return self._name_kind(expr.id)  # type: ignore[attr-defined]
        if t is _Call:
            return self._call_kind(expr)  # type: ignore[arg-type]
        if t is _Subscript:
            return self._subscript_kind(expr)  # type: ignore[arg-type]
        if t is _Attribute:
            attr = expr.attr  # type: ignore[attr-defined]
            owner = expr.value  # type: ignore[attr-defined]
            if owner.__class__ is _Name:
                oid = owner.id
                # the test of _self_attr_kind, done here to spare the call for other names
                if oid == "self" or oid == "cls" or oid.startswith("self"):
                    kind = self._self_attr_kind(oid, attr)
                    if kind is not None:
                        return kind
            if attr == "values" or attr == "T":
                base = self.kind_of(owner)
                if attr == "values" and is_pandas(base):
                    return NDARRAY
                if attr == "T" and base in (DATAFRAME, NDARRAY):
                    return base
                return None
            if attr not in FRAME_ATTRIBUTES and not attr.startswith("_"):
                # ``df.price``: attribute access to a column
                if self.kind_of(owner) == DATAFRAME:
                    return SERIES
            return None
        if t is _IfExp:
            a = self.kind_of(expr.body)  # type: ignore[attr-defined]
            b = self.kind_of(expr.orelse)  # type: ignore[attr-defined]
            return a if a is not None and a == b else None
        if t is _NamedExpr:
            return self.kind_of(expr.value)  # type: ignore[attr-defined]
        return None

    def is_pandas(self, expr: Optional[ast.AST]) -> bool:
        return is_pandas(self.kind_of(expr))

    def pandas_parameter(self, expr: Optional[ast.AST]) -> bool:
        """The catalogue's fallback for pandas receivers: ``expr`` is a plain, unannotated
        parameter of the current function, never re-bound, in a module that imports pandas
        and no other dataframe library (polars, pyspark, dask, modin, cudf, vaex, xarray,
        ibis). Rules use it only for members that exist on pandas objects alone
        (``dropna``, ``merge``, ``.values``), never for subscripts, which dict code shares.
        """
        if type(expr) is not ast.Name:
            return False
        name = expr.id  # type: ignore[attr-defined]
        res = self.ctx.resolver
        scope = res.lookup_scope(name)
        if scope is None or scope is not res.scope or scope.kind != "function":
            return False
        if scope.bindings.get(name) != LOCAL or scope.assign_count.get(name, 0) != 1:
            return False
        args = getattr(scope.node, "args", None)
        if not isinstance(args, ast.arguments):
            return False
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
            if arg.arg == name:
                if arg.annotation is not None:
                    return False  # annotated: the annotation decides (kind_of)
                break
        else:
            return False
        bindings = res.module.bindings
        seen, verdict = self._pandas_module
        if seen != len(bindings):
            heads = {v.split(".", 1)[0] for v in bindings.values()}
            verdict = "pandas" in heads and not (heads & _OTHER_FRAME_LIBS)
            self._pandas_module = (len(bindings), verdict)
        return verdict

    def _name_kind(self, name: str) -> Optional[str]:
        res = self.ctx.resolver
        scope = res.scope
        if name not in scope.bindings:  # lookup_scope's first test, inlined
            scope = res.lookup_scope(name)
        if scope is None or scope.bindings.get(name) != LOCAL:
            return None
        count = scope.assign_count.get(name, 0)
        table = scope.data.get(_KEY)
        if table is not None:
            entry = table.get(name)  # type: ignore[attr-defined]
            if entry is not None and entry[1] == count:
                return entry[0]
        if count == 1 and scope.kind == "function":
            return self._param_kind(scope, name)
        return None

    def _param_kind(self, scope: Scope, name: str) -> Optional[str]:
        node = scope.node
        # the function's parameters by name (first of a name), listed once per scope
        params = scope.data.get("_types.params")
        if params is None:
            params = {}
            args = getattr(node, "args", None)
            if isinstance(args, ast.arguments):
                for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
                    params.setdefault(arg.arg, arg)
            scope.data["_types.params"] = params
        arg = params.get(name)  # type: ignore[attr-defined]
        if arg is None:
            return None
        if arg.annotation is None:
            return self._fixture_kind(node, scope, name)
        return self.annotation_kind(arg.annotation)

    # ---------------------------------------------------------- pytest fixtures
    def _fixture_kind(self, func: ast.AST, scope: Scope, name: str) -> Optional[str]:
        """Kind of an unannotated parameter of a test (``test_*`` function or method of a
        ``Test*`` class) or of a fixture, filled by pytest with the module-level fixture
        of the same name (``@pytest.fixture def claims(): return pd.DataFrame(...)``)."""
        if not isinstance(func, ast.FunctionDef):
            return None
        parent = scope.parent
        if parent is None:
            return None
        if parent.kind == "class":
            cls = parent.node
            if not (isinstance(cls, ast.ClassDef) and cls.name.startswith("Test")):
                return None
            if parent.parent is None or parent.parent.kind != "module":
                return None
        elif parent.kind != "module":
            return None
        if not (func.name.startswith("test") or self._is_fixture(func)):
            return None
        for deco in func.decorator_list:  # ``@pytest.mark.parametrize("claims", ...)``
            if isinstance(deco, ast.Call) and self.ctx.qualname(deco.func) == _PARAMETRIZE:
                names = self.ctx.literal(deco.args[0]) if deco.args else None
                if not isinstance(names, (str, list, tuple)) or name in (
                    [n.strip() for n in names.split(",")] if isinstance(names, str) else names
                ):
                    return None
        table = self._fixtures
        if table is None:
            table = self._fixtures = self._scan_fixtures()
        kind = table.get(name)
        if isinstance(kind, ast.AST):
            kind = self._fixture_value_kind(kind) or ""
            table[name] = kind
        return kind or None  # type: ignore[return-value]

    def _is_fixture(self, func: ast.FunctionDef) -> bool:
        for deco in func.decorator_list:
            target = deco.func if isinstance(deco, ast.Call) else deco
            if self.ctx.qualname(target) in _FIXTURES:
                return True
        return False

    def _scan_fixtures(self) -> Dict[str, object]:
        """Module-level fixtures whose body ends in ``return X`` / ``yield X`` after
        simple statements only; ``X`` is kept (its kind is computed on first use)."""
        table: Dict[str, object] = {}
        counts = self.ctx.resolver.module.assign_count
        for stmt in self.ctx.tree.body:
            if not isinstance(stmt, ast.FunctionDef) or not self._is_fixture(stmt):
                continue
            fixture_name = stmt.name
            for deco in stmt.decorator_list:
                if isinstance(deco, ast.Call):
                    alias = self.ctx.literal(self.ctx.kwarg(deco, "name"))
                    if isinstance(alias, str):
                        fixture_name = alias
            if counts.get(stmt.name, 0) > 1 or fixture_name in table:
                table[fixture_name] = ""  # defined twice: unknown
                continue
            value = _returned(stmt)
            table[fixture_name] = value if value is not None else ""
        return table

    def _fixture_value_kind(self, value: ast.expr) -> Optional[str]:
        """Kind of a fixture's returned expression, read from the test's scope: only
        expressions rooted in an imported name (``pd.DataFrame(...)``,
        ``pd.read_csv(...).astype(...)``) are trusted, never the fixture's locals."""
        root: ast.AST = value
        while True:
            if isinstance(root, ast.Call):
                root = root.func
            elif isinstance(root, (ast.Attribute, ast.Subscript)):
                root = root.value
            else:
                break
        if not isinstance(root, ast.Name) or not isinstance(value, ast.Call):
            return None
        q = self.ctx.qualname(root)
        if q is None or q.split(".", 1)[0] in ("self", "cls"):
            return None
        return self.kind_of(value)

    def annotation_kind(self, ann: Optional[ast.AST]) -> Optional[str]:
        """Kind named by an annotation (``pd.DataFrame``, ``Optional[np.ndarray]``,
        ``"pd.Series"``, ``npt.NDArray[np.float32]``, ``nn.Module``), else None."""
        if ann is None:
            return None
        if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
            try:
                ann = ast.parse(ann.value.strip(), mode="eval").body
            except SyntaxError:
                return None
        if isinstance(ann, ast.Subscript):
            q = self.ctx.qualname(ann.value)
            if q in _OPTIONAL:
                return self.annotation_kind(ann.slice)
            if q == "numpy.typing.NDArray":
                return NDARRAY
            return None
        if isinstance(ann, ast.BinOp) and isinstance(ann.op, ast.BitOr):
            # ``pd.DataFrame | None``
            if isinstance(ann.right, ast.Constant) and ann.right.value is None:
                return self.annotation_kind(ann.left)
            return None
        q = self.ctx.qualname(ann)
        if q is None:
            return None
        kind = ANNOTATIONS.get(q)
        if kind is not None:
            return kind or None
        info = model_base(q)
        if info is not None:
            return self._model_kind(info.library, info.kind)
        return None

    @staticmethod
    def _model_kind(library: str, kind: str) -> Optional[str]:
        if library == "torch" and kind in ("network", "pretrained"):
            return MODULE
        if library == "sklearn" and kind in ("estimator", "transformer", "pipeline", "search"):
            return ESTIMATOR
        return None

    def _call_kind(self, call: ast.Call) -> Optional[str]:
        func = call.func
        fcls = func.__class__
        if fcls is _Attribute:
            method = func.attr  # type: ignore[attr-defined]
            if method == _TO_PANDAS or method == _TO_PANDAS_SPARK:
                return self._to_pandas_kind(call, func)  # type: ignore[arg-type]
        elif isinstance(func, ast.Attribute):  # a subclass (hand-made trees)
            return self._call_kind_slow(call)
        q = self.ctx.call_name(call)
        if q is not None:
            # most qualified calls (os.path.join, torch.cat...) give a kind that depends
            # on the name alone: looked up once per process
            kind = _STATIC_CALL_KINDS.get(q, _MISSING)
            if kind is _MISSING:
                return self._qualified_call_kind(q, call)
            if kind is not _DYNAMIC:
                return kind  # type: ignore[return-value]
            return self._dynamic_call_kind(q, call)
        if fcls is _Name or isinstance(func, ast.Name):
            return self._local_def_kind(func.id)  # type: ignore[attr-defined]
        if fcls is not _Attribute:
            return None
        return self._method_call_kind(call, func)  # type: ignore[arg-type]

    def _call_kind_slow(self, call: ast.Call) -> Optional[str]:
        """_call_kind for a func node of a subclass of ast.Attribute (never parsed)."""
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in (_TO_PANDAS, _TO_PANDAS_SPARK):
            return self._to_pandas_kind(call, func)
        q = self.ctx.call_name(call)
        if q is not None:
            return self._qualified_call_kind(q, call)
        return self._method_call_kind(call, func)  # type: ignore[arg-type]

    def _method_call_kind(self, call: ast.Call, func: ast.Attribute) -> Optional[str]:
        """``recv.method(...)`` whose name does not resolve through the imports."""
        method = func.attr
        recv = func.value
        # df.groupby(...).mean(): the aggregate of a pandas grouper
        grouper = recv.value if isinstance(recv, ast.Subscript) else recv  # gb["col"].sum()
        if (
            method in GROUPBY_AGGREGATES
            and isinstance(grouper, ast.Call)
            and isinstance(grouper.func, ast.Attribute)
            and grouper.func.attr in GROUPERS
        ):
            if not is_pandas(self.kind_of(grouper.func.value)):
                return None
            if method in ("agg", "aggregate") and (
                (call.args and isinstance(call.args[0], (ast.List, ast.Tuple, ast.Dict)))
                or any(kw.arg is not None for kw in call.keywords)
            ):
                # .agg(["mean", "max"]) / .agg({"a": "sum"}) / .agg(total=("a", "sum"))
                return DATAFRAME
            return PANDAS
        base = self.kind_of(recv)
        if base is None:
            return None
        if is_pandas(base):
            if method in SAME_KIND_METHODS:
                if method in ("head", "tail", "sample", "copy") or not self._inplace(call):
                    return base
                return None
            if method in FRAME_METHODS and base == DATAFRAME:
                return DATAFRAME
            if method == "pop" and base == DATAFRAME:
                return SERIES
            if method in SERIES_METHODS:
                return SERIES
            if method == "to_numpy":
                return NDARRAY
            if method == "apply":
                return PANDAS
            return None
        if base == NDARRAY:
            if method in ("reshape", "astype", "copy", "flatten", "ravel", "squeeze", "transpose", "clip"):
                return NDARRAY
            return None
        if base == MODULE and method in ("to", "cuda", "cpu", "train", "eval", "float", "half", "double"):
            return MODULE
        return None

    def _to_pandas_kind(self, call: ast.Call, func: ast.Attribute) -> Optional[str]:
        """``x.toPandas()`` (pyspark) is a DataFrame; ``x.to_pandas()`` (polars, pyarrow,
        datasets, cudf, modin) a DataFrame, or a Series for a visible column
        (``pl.Series(...)``, ``t.column("a")``), or either for a subscript (``t["a"]``
        is a column of a table, ``ds["train"]`` a split of a dataset dict)."""
        if func.attr == _TO_PANDAS_SPARK:
            return DATAFRAME
        batched = self.ctx.keyword(call, "batched")  # datasets: an iterator of frames
        if batched is not None and not self.ctx.is_false(batched.value):
            return None
        if self.ctx.has_star_kwargs(call):
            return None
        recv = func.value
        if isinstance(recv, ast.Subscript):
            return PANDAS
        if isinstance(recv, ast.Call):
            inner = recv.func
            if isinstance(inner, ast.Attribute) and inner.attr in _COLUMN_CALLS:
                return SERIES
            if self.ctx.call_name(recv) in _SERIES_CONSTRUCTORS:
                return SERIES
        return DATAFRAME

    def _concat_kind(self, call: ast.Call) -> str:
        """``pd.concat([a, b])``: a DataFrame when every listed item is one (or
        ``axis=1``/``axis="columns"``), a Series when every item is one, else pandas."""
        axis = self.ctx.literal(self.ctx.kwarg(call, "axis"))
        if axis in (1, "columns"):
            return DATAFRAME
        items = call.args[0] if call.args else self.ctx.kwarg(call, "objs")
        if isinstance(items, (ast.List, ast.Tuple)) and items.elts:
            kinds = {self.kind_of(e) for e in items.elts}
            if len(kinds) == 1:
                only = kinds.pop()
                if only in (DATAFRAME, SERIES):
                    return only
        return PANDAS

    def _inplace(self, call: ast.Call) -> bool:
        kw = self.ctx.keyword(call, "inplace")
        return kw is not None and not self.ctx.is_false(kw.value)

    def _qualified_call_kind(self, q: str, call: ast.Call) -> Optional[str]:
        """The kind of a call of the imported name ``q``."""
        kind = _STATIC_CALL_KINDS.get(q, _MISSING)
        if kind is _MISSING:
            kind = _static_call_kind(q)
            if len(_STATIC_CALL_KINDS) > 50_000:
                _STATIC_CALL_KINDS.clear()
            _STATIC_CALL_KINDS[q] = kind
        if kind is not _DYNAMIC:
            return kind  # type: ignore[return-value]
        return self._dynamic_call_kind(q, call)

    def _dynamic_call_kind(self, q: str, call: ast.Call) -> Optional[str]:
        """The calls whose kind depends on their arguments (see _static_call_kind):
        ``pandas.concat``, the ``pandas.read_*`` frame readers, NumPy's random samplers."""
        if q == "pandas.concat":
            return self._concat_kind(call)
        if q.startswith("pandas."):
            ctx = self.ctx
            if any(ctx.keyword(call, k) is not None for k in _CHUNKING):
                return None
            if ctx.has_star_kwargs(call):
                return PANDAS
            if q == "pandas.read_excel":
                sheet = ctx.kwarg(call, "sheet_name")
                if sheet is not None and not isinstance(ctx.literal(sheet), (str, int)):
                    return None
            if q == "pandas.read_json" and ctx.keyword(call, "typ") is not None:
                return PANDAS
            return DATAFRAME
        if call.args or call.keywords:  # np.random.rand() alone is a float
            return NDARRAY
        return None

    # ------------------------------------------------------------ local classes
    def _local_def_kind(self, name: str) -> Optional[str]:
        """Kind of ``name(...)`` for a class or function defined once in the scope chain."""
        res = self.ctx.resolver
        scope = res.lookup_scope(name)
        if scope is None or scope.bindings.get(name) != LOCAL:
            return None
        if scope.assign_count.get(name, 0) != 1:
            return None
        defs = self._classes.get(id(scope))
        if defs is None:
            defs = self._scan_defs(scope)
        kind = defs.get(name)
        if isinstance(kind, tuple):  # an unannotated def: the kind all its returns share
            fn = kind[1]
            stmt = self.ctx.stmt
            if stmt is None or stmt.lineno <= (fn.end_lineno or fn.lineno):
                return None  # not walked to its end yet (or called from inside itself)
            kinds = self._returns.get(id(fn), set())
            resolved = ""
            if len(kinds) == 1 and None not in kinds and isinstance(fn.body[-1], ast.Return):
                resolved = next(iter(kinds)) or ""
            defs[name] = resolved
            return resolved or None
        if isinstance(kind, ast.AST):  # a def's return annotation, resolved lazily
            kind = self.annotation_kind(kind) or ""
            defs[name] = kind
        return kind or None

    def _scan_defs(self, scope: Scope) -> Dict[str, object]:
        """Classes defined directly in ``scope`` whose bases make them modules or
        estimators, and functions with a return annotation (only the scope's own
        statements are read, not nested code)."""
        owner = self.ctx.tree if scope.node is None else scope.node
        body = getattr(owner, "body", [])
        classes: Dict[str, object] = {}
        self._classes[id(scope)] = classes
        for stmt in body if isinstance(body, list) else ():
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if isinstance(stmt, ast.AsyncFunctionDef):
                    continue
                if stmt.returns is not None:
                    classes[stmt.name] = stmt.returns
                elif not stmt.decorator_list:
                    classes[stmt.name] = ("def", stmt)
                continue
            if not isinstance(stmt, ast.ClassDef):
                continue
            kind = ""
            for base in stmt.bases:
                if isinstance(base, ast.Name) and isinstance(classes.get(base.id), str):
                    kind = classes[base.id]  # type: ignore[assignment]
                else:
                    info = model_base(self.ctx.qualname(base))
                    if info is not None:
                        kind = self._model_kind(info.library, info.kind) or ""
                if kind:
                    break
            classes[stmt.name] = kind
        return classes

    # --------------------------------------------------------------- subscripts
    def _subscript_kind(self, node: ast.Subscript) -> Optional[str]:
        value = node.value
        if isinstance(value, ast.Attribute) and value.attr in ("loc", "iloc"):
            return PANDAS if self.is_pandas(value.value) else None
        base = self.kind_of(value)
        if base == NDARRAY:
            return NDARRAY if isinstance(node.slice, (ast.Slice, ast.Tuple)) else None
        if base != DATAFRAME:
            return None
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return SERIES
        if isinstance(key, ast.List):
            return DATAFRAME
        if isinstance(key, ast.Slice):
            return DATAFRAME
        if isinstance(key, ast.Name):
            lit = self.ctx.literal(key)
            if isinstance(lit, str):
                return SERIES
        if isinstance(key, (ast.Compare, ast.BoolOp)) or (
            isinstance(key, ast.UnaryOp) and isinstance(key.op, ast.Invert)
        ) or (isinstance(key, ast.BinOp) and isinstance(key.op, (ast.BitAnd, ast.BitOr))):
            return DATAFRAME  # a boolean row mask: df[df["a"] > 0], df[~m], df[a & b]
        return PANDAS


class _FactsHandler(property):
    """A handler read from the file's TypeFacts (a property subclass, so that it can
    carry the ``__mlp_shared__`` mark of :func:`~flake8_mlops.registry.shared`)."""


def _facts_handler(method: str) -> property:
    """A shared collector (key "types") whose value, read on a rule instance, is the
    bound method ``method`` of the file's :class:`TypeFacts`."""

    def get(self: "AssignFeeder") -> Callable[[ast.AST], None]:
        return getattr(types_of(self.ctx), method)  # type: ignore[no-any-return]

    return shared("types")(_FactsHandler(get))  # type: ignore[no-any-return]


class AssignFeeder:
    """Mixin: feeds the file's :class:`TypeFacts` from ``leave_Assign`` /
    ``leave_AnnAssign``, then calls :attr:`TypeFacts.listeners`. The handlers are shared
    collectors (:func:`~flake8_mlops.registry.shared`): with many smell rules selected
    the dispatcher runs them once per assignment, not once per rule. A rule with work of
    its own to do on each assignment (after the types are recorded, before the resolver
    binds the targets) appends a method to ``types_of(ctx).listeners`` in ``__init__``
    (or when it starts to need it) rather than overriding these handlers: one handler
    invocation per assignment instead of one per rule."""

    ctx: "Context"

    # ``rule.leave_Assign`` is the bound method ``types_of(rule.ctx).feed`` itself (the
    # dispatcher reads each handler once per file): one Python call per assignment
    leave_Assign = leave_AnnAssign = _facts_handler("feed")


class TypeFeeder(AssignFeeder):
    """Mixin for smell rules: feeds the file's :class:`TypeFacts` from the rule's own
    ``leave_Assign``/``leave_AnnAssign`` (see :class:`AssignFeeder`) so the rule works
    when selected alone, and records what local functions return. A rule that
    overrides these handlers must call ``super()``."""

    @property
    def types(self) -> TypeFacts:
        return types_of(self.ctx)

    # ``rule.visit_Return`` is ``types_of(rule.ctx).see_return`` (see AssignFeeder)
    visit_Return = _facts_handler("see_return")
    visit_Yield = visit_Return  # a generator returns no frame
    visit_YieldFrom = visit_Return


def _returned(func: ast.FunctionDef) -> Optional[ast.expr]:
    """The value a fixture hands out: its last statement ``return X`` / ``yield X``
    (after simple statements only), with ``X`` a name bound once there to a call
    followed (``df = pd.DataFrame(...); return df``)."""
    body = func.body
    if not body or any(isinstance(stmt, _COMPOUND) for stmt in body[:-1]):
        return None
    last = body[-1]
    if isinstance(last, ast.Return):
        value = last.value
    elif isinstance(last, ast.Expr) and isinstance(last.value, ast.Yield):
        value = last.value.value
    else:
        return None
    if isinstance(value, ast.Name):
        bound = None
        for stmt in body[:-1]:
            if not isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                continue
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for t in targets:
                if isinstance(t, (ast.Tuple, ast.List, ast.Starred)):
                    return None  # unpacking: not followed
                if isinstance(t, ast.Name) and t.id == value.id:
                    if bound is not None or not isinstance(stmt, ast.Assign) or len(targets) != 1:
                        return None
                    bound = stmt.value
        value = bound
    return value if isinstance(value, ast.Call) else None


def short(expr: ast.AST, limit: int = 40) -> str:
    """Source spelling of a (receiver) expression for messages, shortened."""
    try:
        text = ast.unparse(expr)
    except Exception:  # pragma: no cover - unparse is total on parsed trees
        return "the object"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
