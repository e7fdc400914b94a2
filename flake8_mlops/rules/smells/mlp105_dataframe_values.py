"""MLP105 dataframe-values."""

from __future__ import annotations

import ast

from ...registry import Rule, register
from ...types import TypeFeeder, short, types_of


@register
class DataframeValues(TypeFeeder, Rule):
    """## What it does
    Flags reading `.values` on a pandas DataFrame or Series. The receiver must be known
    to be pandas through the shared type inference (`flake8_mlops/types.py`): a name
    bound to `pd.read_csv(...)`, `pd.DataFrame(...)`, `pd.concat(...)`, a frame method
    result (`df.dropna()`, `df.merge(...)`), a column (`df["price"]`), a parameter
    annotated `pd.DataFrame`/`pd.Series`, or such an expression written inline
    (`pd.read_csv(p).values`, `df.drop(columns="y").values`).

    `dict.values()` (a call), `.values` on polars/pyspark/dask/modin objects, on NumPy
    arrays, on objects of unknown type (an attribute, a helper's result, an unannotated
    parameter in a module that also imports another dataframe library) and on names
    rebound to something else are not flagged.

    ## Why is this bad?
    Zhang et al. list this as the "Dataframe Conversion API Misused" smell: `.values`
    is ambiguous -- it returns a NumPy array for plain columns but an
    ExtensionArray (categoricals, nullable integers, timezone-aware datetimes) or an
    object array for others, and whether it copies is unspecified. pandas itself
    recommends `.to_numpy()` (explicit `dtype=`, `copy=`, `na_value=`) or `.array`.

    ## Example
    ```python
    import pandas as pd

    df = pd.read_csv("train.csv")
    X = df.drop(columns=["label"]).values
    y = df["label"].values
    ```

    ## Use instead
    ```python
    import pandas as pd

    df = pd.read_csv("train.csv")
    X = df.drop(columns=["label"]).to_numpy()
    y = df["label"].to_numpy()
    counts = {"a": 1}.values()
    ```

    ## Options
    None.

    ## Known limitations
    - An unannotated function parameter that is never re-bound counts as a pandas object
      when the module imports pandas and no other dataframe library (polars, pyspark,
      dask, modin, cudf, vaex, xarray, ibis): the catalogue's "imports pandas and the
      name is not bound to something else".
    - Otherwise only receivers whose pandas type the file shows are checked: a DataFrame
      stored on `self` or returned by a project helper is not followed (annotate it, e.g.
      `def load() -> pd.DataFrame`, to get the check).
    - `.values` of `df.loc[...]`/`df.iloc[...]`/`df.groupby(...).sum()` is flagged (they
      are pandas objects); `.values` of a pandas `Index` (`df.columns.values`) is not.
    - `.values` of a *column* of an unannotated parameter (`df["a"].values` with `df` a
      plain parameter) is not flagged: a dict of arrays reads the same.
    - A parameter of a test (`test_*` function or `Test*` method) or of a fixture that
      pytest fills from a fixture defined in the same module counts as that fixture's
      result when the fixture visibly returns a frame (`@pytest.fixture def claims():
      return pd.DataFrame({...})`; see `flake8_mlops/types.py`). Fixtures from
      `conftest.py`, names overridden by `@pytest.mark.parametrize`, and the result of
      an imported helper (`out = fix_amounts(claims)`: its return type is unknown) are
      not followed.

    ## References
    - Zhang, Cruz, van Deursen, "Code Smells for Machine Learning Applications",
      CAIN 2022, smell 8 "Dataframe Conversion API Misused".
    - pandas docs, [DataFrame.values](
      https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.values.html)
      and [DataFrame.to_numpy](https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.to_numpy.html).
    - Ruff PD011 (pandas-use-of-dot-values), which matches the spelling only.
    """

    code = "MLP105"
    added_in = "0.2.0"
    triggers = ("values",)
    name = "dataframe-values"
    message = (
        "use {recv}.to_numpy() instead of {recv}.values: on a pandas {kind}, .values may "
        "return an ExtensionArray or an object array"
    )
    confidence = "high"

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr != "values" or not isinstance(node.ctx, ast.Load):
            return
        parent = self.ctx.parent
        if isinstance(parent, ast.Call) and parent.func is node:
            return  # ``x.values()``: a mapping, not pandas
        facts = types_of(self.ctx)
        kind = facts.kind_of(node.value)
        if kind is None and facts.pandas_parameter(node.value):
            kind = "pandas"  # an unannotated parameter in a pandas-only module
        if kind in ("DataFrame", "Series", "pandas"):
            label = kind if kind != "pandas" else "object"
            self.report(node, recv=short(node.value, 30), kind=label)
