"""MLP103 dataframe-result-discarded."""

from __future__ import annotations

import ast

from ...registry import Rule, register
from ...types import TypeFeeder, is_pandas, short, types_of

#: pandas methods that return a new object unless told ``inplace=True`` (and a few
#: without ``inplace`` that are just as often mistaken for in-place updates)
RETURNS_NEW = frozenset(
    {
        "dropna", "fillna", "ffill", "bfill", "drop", "drop_duplicates", "rename",
        "rename_axis", "reset_index", "set_index", "sort_values", "sort_index", "replace",
        "interpolate", "where", "mask", "clip", "query", "set_axis",
        "astype", "assign", "merge", "join", "reindex", "round", "abs", "convert_dtypes",
    }
)


#: methods no str/list/ndarray has: enough, with a pandas-only module, to read an
#: unannotated parameter as a DataFrame (``def clean(df): df.dropna()``)
FRAME_ONLY = frozenset(
    {"dropna", "fillna", "drop_duplicates", "sort_values", "sort_index", "reset_index",
     "set_index", "query", "assign", "astype", "rename", "merge", "reindex", "bfill", "ffill",
     "interpolate", "explode", "melt", "pivot", "pivot_table"}
)


@register
class DataframeResultDiscarded(TypeFeeder, Rule):
    """## What it does
    Flags a pandas method that returns a new object used as a bare statement, so that
    its result is thrown away: `df.dropna()`, `df.drop(columns=["id"])`,
    `df["age"].fillna(0)`, `df.sort_values("ts")`, `df.astype({...})` without
    `inplace=True` and without an assignment. The receiver must be known to be a pandas
    DataFrame or Series (shared type inference, `flake8_mlops/types.py`).

    Checked methods: `dropna`, `fillna`, `ffill`, `bfill`, `drop`, `drop_duplicates`,
    `rename`, `rename_axis`, `reset_index`, `set_index`, `sort_values`, `sort_index`,
    `replace`, `interpolate`, `where`, `mask`, `clip`, `query`, `set_axis`, `astype`,
    `assign`, `merge`, `join`, `reindex`, `round`, `abs`, `convert_dtypes`.

    Not flagged: `inplace=True` (or a non-literal `inplace=`, or `**kwargs`); the last
    expression of a notebook cell (Jupyter displays it: that is how one looks at data);
    plotting and display calls (`df.plot()`, `df.head()`, `df.info()`), which are not in
    the list; methods of polars/pyspark objects and of objects of unknown type.

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
      which strings and arrays share.
    - Only receivers whose pandas type the file shows are checked (see MLP105).
    - In a notebook, only the *last* expression of a cell counts as displayed; a
      discarded call earlier in the cell is reported.
    - A method called for its side effect on a copy inside a chained call
      (`df.assign(...).to_csv(p)`) is fine and not reported: only a bare statement is.

    ## References
    - Zhang, Cruz, van Deursen, "Code Smells for Machine Learning Applications",
      CAIN 2022, smell 7 "In-Place APIs Misused".
    - pandas docs, [Copy-on-Write](https://pandas.pydata.org/docs/user_guide/copy_on_write.html)
      (why `inplace` is being phased out: assign the result).
    """

    code = "MLP103"
    name = "dataframe-result-discarded"
    message = (
        "{recv}.{method}() returns a new pandas object that is discarded here; "
        "assign it ({recv} = {recv}.{method}(...)) or the call has no effect"
    )
    confidence = "high"

    def visit_Expr(self, node: ast.Expr) -> None:
        call = node.value
        if not isinstance(call, ast.Call):
            return
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in RETURNS_NEW:
            return
        ctx = self.ctx
        kw = ctx.keyword(call, "inplace")
        if kw is not None and not ctx.is_false(kw.value):
            return
        if ctx.has_star_kwargs(call):
            return
        if ctx.is_cell_display(node):
            return
        facts = types_of(ctx)
        if not is_pandas(facts.kind_of(func.value)):
            if func.attr not in FRAME_ONLY or not facts.pandas_parameter(func.value):
                return
        self.report(call, recv=short(func.value, 30), method=func.attr)
