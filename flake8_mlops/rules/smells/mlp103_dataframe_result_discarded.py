"""MLP103 dataframe-result-discarded."""

from __future__ import annotations

import ast
from typing import Optional

from ...registry import Rule, register
from ...types import DATAFRAME, TypeFeeder, is_pandas, short, types_of

#: pandas methods that return a new object unless told ``inplace=True`` (and a few
#: without ``inplace`` that are just as often mistaken for in-place updates:
#: ``astype``, ``assign``, ``merge``, ``append`` before pandas 2...)
RETURNS_NEW = frozenset(
    {
        "dropna", "fillna", "ffill", "bfill", "drop", "drop_duplicates", "rename",
        "rename_axis", "reset_index", "set_index", "sort_values", "sort_index", "replace",
        "interpolate", "where", "mask", "clip", "query", "set_axis",
        "astype", "assign", "merge", "join", "reindex", "round", "abs", "convert_dtypes",
        "infer_objects", "append", "combine_first", "explode", "melt", "pivot", "pivot_table",
        "stack", "unstack", "droplevel", "swaplevel", "reorder_levels", "add_prefix",
        "add_suffix", "filter", "select_dtypes", "shift", "diff", "pct_change", "cumsum",
        "cumprod", "rank", "nlargest", "nsmallest", "truncate", "asfreq", "tz_localize",
        "tz_convert", "to_frame", "transpose",
    }
)
#: side-effect-free previews and copies: the result is the only effect, so a bare
#: statement does nothing (outside a notebook cell's displayed last line)
PREVIEWS = frozenset(
    {"copy", "head", "tail", "sample", "describe", "value_counts", "nunique", "isna",
     "isnull", "notna", "notnull", "corr", "cov", "duplicated", "memory_usage", "groupby"}
)
#: reductions: on a *DataFrame* they return a new Series (on a Series, a scalar: not
#: reported), so ``df.isna().sum()`` as a statement in a script shows nothing
FRAME_REDUCTIONS = frozenset(
    {"sum", "mean", "median", "std", "var", "min", "max", "count", "mode", "quantile",
     "skew", "kurt", "prod", "any", "all", "idxmax", "idxmin", "sem"}
)
#: methods that take a function: discarded only when the function is visibly pure
MAPPERS = frozenset({"apply", "map", "applymap", "transform", "agg", "aggregate"})
#: methods of a pandas grouper (``df.groupby(k)``, ``df.resample(r)``...) whose result is
#: a new object
_GROUPERS = frozenset({"groupby", "resample", "rolling", "expanding", "ewm"})
_GROUP_RESULTS = frozenset(
    {"mean", "sum", "count", "size", "max", "min", "median", "std", "var", "first", "last",
     "nunique", "describe", "prod", "quantile", "ffill", "bfill", "fillna", "cumsum",
     "cumcount", "rank", "shift", "diff", "head", "tail"}
)
#: NumPy element-wise functions (ufuncs) that are pure when mapped
_NUMPY_PURE = frozenset(
    {"log", "log1p", "log2", "log10", "exp", "expm1", "sqrt", "cbrt", "abs", "absolute",
     "fabs", "round", "rint", "floor", "ceil", "trunc", "sign", "square", "tanh", "sinh",
     "cosh", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "isnan", "isfinite",
     "isinf", "negative", "reciprocal", "float32", "float64", "int32", "int64"}
)
#: context managers under which a statement runs for the error it raises
_PROBES = frozenset(
    {"raises", "warns", "assertRaises", "assertRaisesRegex", "assertWarns",
     "assertWarnsRegex", "suppress", "deprecated_call"}
)
#: builtins that are pure when passed to ``apply``/``map``
_PURE_BUILTINS = frozenset({"str", "int", "float", "bool", "len", "abs", "round", "repr"})


#: methods no str/list/ndarray has: enough, with a pandas-only module, to read an
#: unannotated parameter as a DataFrame (``def clean(df): df.dropna()``). Not ``rename``
#: (``pathlib.Path.rename`` moves a file) nor ``query`` (database clients run it).
FRAME_ONLY = frozenset(
    {"dropna", "fillna", "drop_duplicates", "sort_values", "sort_index", "reset_index",
     "set_index", "assign", "astype", "merge", "reindex", "bfill", "ffill",
     "interpolate", "explode", "melt", "pivot", "pivot_table"}
)
#: the subset read as pandas on a column of such a parameter (``df["amount"].fillna(0)``,
#: ``df.amount.dropna()``, ``df.loc[m, "a"].fillna(0)``): Series methods only
COLUMN_ONLY = frozenset(
    {"dropna", "fillna", "drop_duplicates", "sort_values", "sort_index", "reset_index",
     "astype", "reindex", "bfill", "ffill", "interpolate", "explode"}
)
#: pandas accessors whose methods all return a new object (``df["a"].str.lower()``)
_ACCESSORS = frozenset({"str", "dt"})
#: accessor methods that may not return a pandas object (``s.str.cat()`` joins into one str)
_ACCESSOR_SKIP = frozenset({"cat"})
#: a parameter's attribute that is not a column
_NOT_COLUMNS = frozenset(
    {"T", "at", "attrs", "axes", "columns", "dtypes", "empty", "flags", "iat", "iloc",
     "index", "loc", "ndim", "shape", "size", "style", "values", "plot", "sparse", "array",
     "str", "dt", "cat", "name"}
)

_PREVIEW_MESSAGE = (
    "{recv}.{method}() builds a new pandas object that is discarded here (a bare "
    "statement displays nothing outside a notebook cell's last line); print or assign "
    "it, or delete the line"
)


def _nbconvert_export(lines) -> bool:  # type: ignore[no-untyped-def]
    """A script written by ``jupyter nbconvert --to script`` (``# In[3]:`` markers):
    the engine does not know its cells, so previews in it get the benefit of the doubt."""
    for line in lines[:400]:
        if line.startswith("# In[") and line.rstrip().endswith("]:"):
            return True
    return False


@register
class DataframeResultDiscarded(TypeFeeder, Rule):
    """## What it does
    Flags a pandas method that returns a new object used as a bare statement, so that
    its result is thrown away: `df.dropna()`, `df.drop(columns=["id"])`,
    `df["age"].fillna(0)`, `df.sort_values("ts")`, `df.astype({...})` without
    `inplace=True` and without an assignment. The receiver must be known to be a pandas
    DataFrame or Series (shared type inference, `flake8_mlops/types.py`).

    Checked methods (the catalogue's "a pandas method that returns a new object"):

    - methods that return a modified copy unless told `inplace=True`, and their look-alikes
      without `inplace`: `dropna`, `fillna`, `ffill`, `bfill`, `drop`, `drop_duplicates`,
      `rename`, `rename_axis`, `reset_index`, `set_index`, `sort_values`, `sort_index`,
      `replace`, `interpolate`, `where`, `mask`, `clip`, `query`, `set_axis`, `astype`,
      `assign`, `merge`, `join`, `reindex`, `round`, `abs`, `convert_dtypes`,
      `infer_objects`, `append`, `combine_first`, `explode`, `melt`, `pivot`,
      `pivot_table`, `stack`, `unstack`, `droplevel`, `swaplevel`, `reorder_levels`,
      `add_prefix`, `add_suffix`, `filter`, `select_dtypes`, `shift`, `diff`,
      `pct_change`, `cumsum`, `cumprod`, `rank`, `nlargest`, `nsmallest`, `truncate`,
      `asfreq`, `tz_localize`, `tz_convert`, `to_frame`, `transpose`;
    - previews and copies, whose result is their only effect: `copy`, `head`, `tail`,
      `sample`, `describe`, `value_counts`, `nunique`, `isna`/`isnull`/`notna`/`notnull`,
      `duplicated`, `corr`, `cov`, `memory_usage`, and a bare `groupby(...)`; and
      reductions of a known *DataFrame*, which return a new Series (`df.isna().sum()`,
      `df.mean()`, `df.count()`, `df.max()`, ...);
    - results of a grouper of a known frame (`df.groupby(k)`, `df.groupby(k)["c"]`,
      `df.resample(...)`, `rolling`, `expanding`, `ewm`) followed by an aggregate or a
      transform: `sum`, `mean`, `count`, `size`, `agg`, `ffill`, `cumsum`, `shift`, ...;
    - `apply`, `map`, `applymap`, `transform`, `agg`/`aggregate` only when the function
      passed is visibly free of side effects: a dict literal (`s.map({"N": "north"})`), a
      (list of) aggregation name(s) (`"sum"`, `["min", "max"]`), a NumPy element-wise
      function (`np.log1p`, `np.sqrt`, ...), a builtin conversion (`str`, `float`, `len`,
      ...) or a lambda whose body calls nothing (`lambda v: v * 100`);
    - any `.str`/`.dt` accessor method of a known Series (`df["name"].str.strip()`,
      `s.dt.tz_localize("UTC")`): each returns a new Series.

    Not flagged: `inplace=True` (or a non-literal `inplace=`, or `**kwargs`); the last
    expression of a notebook cell (Jupyter displays it: that is how one looks at data);
    calls kept for their effect (`info()`, `plot()`/`hist()`/`boxplot()`, `style`, `to_*`
    exports, `update`/`insert`/`pop`, `pipe`, `apply(print)`, `apply(save_row)`, a lambda
    that calls anything); reductions of a Series or of an object that may be one
    (`s.mean()`, `df["c"].sum()`: a scalar); methods of polars/pyspark objects and of
    objects of unknown type; calls made for the error they raise (directly under
    `with pytest.raises(...)`, `self.assertRaises(...)`, `pytest.warns`,
    `contextlib.suppress`, or in the body of a `try` with `except` handlers:
    `try: df[c].astype(float) except ValueError: ...`). In a script written by
    `jupyter nbconvert --to script` (`# In[3]:` markers) previews and reductions are not
    reported either: the cells are gone, so which line was displayed is unknown.

    The finding is reported on the first line of the call.

    ## Why is this bad?
    Zhang et al. list this as the "In-Place APIs Misused" smell: pandas methods return
    a new object by default, so `df.dropna()` on its own line does nothing. The
    developer believes the missing values were removed, and the following steps train
    on the uncleaned data with no error to point at the mistake.

    ## Example
    ```python
    import pandas as pd

    df = pd.read_csv("train.csv", dtype={"age": "float64"})
    df.dropna(subset=["age"])
    df.drop(columns=["id"])
    features = df.to_numpy()
    ```

    ## Use instead
    ```python
    import pandas as pd

    df = pd.read_csv("train.csv", dtype={"age": "float64"})
    df = df.dropna(subset=["age"])
    df.drop(columns=["id"], inplace=True)
    features = df.to_numpy()
    ```

    ## Options
    None.

    ## Known limitations
    - An unannotated function parameter that is never re-bound counts as a pandas object
      when the module imports pandas and no other dataframe library (polars, pyspark,
      dask, modin, cudf, vaex, xarray, ibis): the catalogue's "imports pandas and the
      name is not bound to something else"; for such parameters only frame-only
      methods count (`dropna`, `fillna`, `sort_values`, `merge`, …), not `replace`/`round`/`clip`,
      which strings and arrays share, nor `rename` (`pathlib.Path.rename` moves a file)
      or `query` (database clients run it). A column of such a parameter
      (`df["amount"]`, `df.amount`, `df.loc[m, "amount"]`) is read as a Series for the
      Series-only methods `dropna`, `fillna`, `astype`, `drop_duplicates`,
      `sort_values`, `sort_index`, `reset_index`, `reindex`, `ffill`, `bfill`,
      `interpolate`, `explode` and for `.str`/`.dt` accessor calls -- not for
      `replace`/`round`/`clip` (`cfg["name"].replace("-", "_")` is a str), nor for
      attributes of `self`.
    - `.str.<method>()` / `.dt.<method>()` on a known Series (`df["name"].str.strip()`)
      return a new Series and are reported (not `.str.cat()`, which may give a str).
    - A parameter of a test (`test_*` function or `Test*` method) or of a fixture that
      pytest fills from a fixture defined in the same module counts as that fixture's
      result when the fixture visibly returns a frame (`@pytest.fixture def claims():
      return pd.DataFrame({...})`; see `flake8_mlops/types.py`). Fixtures from
      `conftest.py`, names overridden by `@pytest.mark.parametrize`, and the result of
      an imported helper (`out = fix_amounts(claims)`: its return type is unknown) are
      not followed.
    - Only receivers whose pandas type the file shows are checked (see MLP105).
    - In a notebook, only the *last* expression of a cell counts as displayed; a
      discarded call earlier in the cell is reported (`df.head()` followed by
      `df.shape` in the same cell shows only the shape). A preview in a plain script is
      reported too: it prints nothing there; use `print(df.head())` or delete it.
    - `apply`/`map` with a named project function are never reported (it may write to
      a file or a list); nor is `df.describe().T` (an attribute, not a call).
    - A method called for its side effect on a copy inside a chained call
      (`df.assign(...).to_csv(p)`) is fine and not reported: only a bare statement is.

    ## References
    - Zhang, Cruz, van Deursen, "Code Smells for Machine Learning Applications",
      CAIN 2022, smell 7 "In-Place APIs Misused".
    - pandas docs, [Copy-on-Write](https://pandas.pydata.org/docs/user_guide/copy_on_write.html)
      (why `inplace` is being phased out: assign the result).
    """

    code = "MLP103"
    added_in = "0.2.0"
    triggers = ("pandas", "pd.", "toPandas")
    name = "dataframe-result-discarded"
    message = (
        "{recv}.{method}() returns a new pandas object that is discarded here; "
        "assign it ({recv} = {recv}.{method}(...)) or the call has no effect"
    )
    confidence = "high"

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self._nbconvert: Optional[bool] = None

    def visit_Expr(self, node: ast.Expr) -> None:
        call = node.value
        if not isinstance(call, ast.Call):
            return
        func = call.func
        if not isinstance(func, ast.Attribute):
            return
        method = func.attr
        recv = func.value
        if (
            type(recv) is ast.Attribute
            and recv.attr in _ACCESSORS
            and method not in _ACCESSOR_SKIP
            and not method.startswith("_")
        ):
            self._accessor(node, call, recv)
            return
        preview = method in PREVIEWS
        mapper = method in MAPPERS
        if not (
            preview or mapper or method in RETURNS_NEW or method in _GROUP_RESULTS
            or method in FRAME_REDUCTIONS
        ):
            return
        ctx = self.ctx
        kw = ctx.keyword(call, "inplace")
        if kw is not None and not ctx.is_false(kw.value):
            return
        if ctx.has_star_kwargs(call):
            return
        if ctx.is_cell_display(node):
            return
        if mapper and not self._pure_mapper(call):
            return
        if self._called_for_exception(node):
            return
        facts = types_of(ctx)
        kind = facts.kind_of(recv)
        if is_pandas(kind):
            if method in FRAME_REDUCTIONS and not (preview or method in RETURNS_NEW):
                if kind != DATAFRAME:
                    return  # a Series' (or unsure) reduction is a scalar
                preview = True
            elif not (preview or mapper or method in RETURNS_NEW):
                return
        elif self._pandas_grouper(recv):
            if method not in _GROUP_RESULTS and not mapper:
                return
            preview = True
        elif type(recv) is ast.Name:
            if method not in FRAME_ONLY or not facts.pandas_parameter(recv):
                return
        elif method not in COLUMN_ONLY or not self._parameter_column(recv):
            return
        if preview:
            if self._in_nbconvert_export():
                return
            self.report(call, message=_PREVIEW_MESSAGE, recv=short(recv, 30), method=method)
            return
        self.report(call, recv=short(recv, 30), method=method)

    # --------------------------------------------------------------- helpers
    def _accessor(self, node: ast.Expr, call: ast.Call, recv: ast.Attribute) -> None:
        """``df["name"].str.lower()`` / ``s.dt.round("h")`` as a bare statement: every
        ``.str``/``.dt`` method returns a new Series (none works in place)."""
        ctx = self.ctx
        owner = recv.value
        facts = types_of(ctx)
        if not (is_pandas(facts.kind_of(owner)) or self._parameter_column(owner)):
            return
        if ctx.is_cell_display(node) or ctx.has_star_kwargs(call):
            return
        if self._called_for_exception(node):
            return
        method = f"{recv.attr}.{call.func.attr}"  # type: ignore[attr-defined]
        self.report(call, recv=short(owner, 30), method=method)

    def _parameter_column(self, expr: ast.expr) -> bool:
        """A column of a pandas parameter (see ``TypeFacts.pandas_parameter``):
        ``df["amount"]``, ``df.loc[mask, "amount"]``, ``df.amount`` -- not ``self.x``."""
        if type(expr) is ast.Subscript:
            base = expr.value  # type: ignore[attr-defined]
            if type(base) is ast.Attribute and base.attr in ("loc", "iloc"):  # type: ignore[attr-defined]
                base = base.value  # type: ignore[attr-defined]
        elif type(expr) is ast.Attribute:
            attr = expr.attr  # type: ignore[attr-defined]
            if attr in _NOT_COLUMNS or attr.startswith("_"):
                return False
            base = expr.value  # type: ignore[attr-defined]
        else:
            return False
        if type(base) is not ast.Name or base.id in ("self", "cls"):  # type: ignore[attr-defined]
            return False
        return types_of(self.ctx).pandas_parameter(base)

    def _called_for_exception(self, node: ast.Expr) -> bool:
        """The statement probes for an error: directly in ``with pytest.raises(...)`` /
        ``self.assertRaises(...)`` / ``pytest.warns`` / ``contextlib.suppress``, or in
        the body of a ``try`` that has ``except`` handlers."""
        parent = self.ctx.parent
        if isinstance(parent, ast.Try) or type(parent).__name__ == "TryStar":
            return bool(getattr(parent, "handlers", None)) and any(
                stmt is node for stmt in parent.body  # type: ignore[attr-defined]
            )
        if isinstance(parent, (ast.With, ast.AsyncWith)):
            for item in parent.items:
                expr = item.context_expr
                func = expr.func if isinstance(expr, ast.Call) else None
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in _PROBES:
                    return True
        return False

    def _in_nbconvert_export(self) -> bool:
        if self._nbconvert is None:
            self._nbconvert = _nbconvert_export(self.ctx.lines)
        return self._nbconvert

    def _pandas_grouper(self, expr: ast.expr) -> bool:
        """``df.groupby(k)`` / ``df.groupby(k)["c"]`` / ``df.resample("D")`` on a pandas
        receiver of known type."""
        if isinstance(expr, ast.Subscript):
            expr = expr.value
        if not isinstance(expr, ast.Call) or not isinstance(expr.func, ast.Attribute):
            return False
        if expr.func.attr not in _GROUPERS:
            return False
        return is_pandas(types_of(self.ctx).kind_of(expr.func.value))

    def _pure_mapper(self, call: ast.Call) -> bool:
        """The function given to ``apply``/``map``/``agg``/``transform`` visibly has no
        side effect: a mapping literal, a (list of) aggregation name(s), a NumPy function,
        a pure builtin or a lambda whose body calls nothing."""
        fn = call.args[0] if call.args else None
        if fn is None:
            for name in ("func", "arg"):
                fn = self.ctx.kwarg(call, name)
                if fn is not None:
                    break
        if fn is None:
            return False
        if isinstance(fn, ast.Dict):
            return True
        if isinstance(fn, ast.Constant):
            return isinstance(fn.value, str)
        if isinstance(fn, (ast.List, ast.Tuple)):
            return bool(fn.elts) and all(
                isinstance(e, ast.Constant) and isinstance(e.value, str) for e in fn.elts
            )
        if isinstance(fn, ast.Lambda):
            return _calls_nothing(fn.body)
        if isinstance(fn, ast.Name) and fn.id in _PURE_BUILTINS:
            return self.ctx.resolver.lookup_scope(fn.id) is None  # not shadowed
        q = self.ctx.qualname(fn)
        if q is None:
            return False
        if q.startswith("numpy.") and q.count(".") == 1:
            return q[len("numpy."):] in _NUMPY_PURE
        return q in ("math.sqrt", "math.log", "math.exp", "math.floor", "math.ceil")


def _calls_nothing(expr: ast.expr) -> bool:
    """A small lambda body with no call, await, yield or walrus (bounded walk)."""
    todo = [expr]
    seen = 0
    while todo:
        node = todo.pop()
        seen += 1
        if seen > 60:
            return False
        if isinstance(node, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)):
            return False
        todo.extend(ast.iter_child_nodes(node))
    return True
