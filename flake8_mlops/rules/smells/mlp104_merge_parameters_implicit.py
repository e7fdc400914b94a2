"""MLP104 merge-parameters-implicit."""

from __future__ import annotations

import ast
from typing import List, Optional

from ...registry import Rule, register
from ...types import DATAFRAME, PANDAS, TypeFeeder, short, types_of

_MERGE_FUNCTIONS = frozenset({"pandas.merge", "pandas.core.reshape.merge.merge"})
# positions after ``left, right`` (pd.merge) or ``right`` (DataFrame.merge)
_POS = {"how": 0, "on": 1, "left_on": 2, "right_on": 3, "left_index": 4, "right_index": 5,
        "validate": 10}


@register
class MergeParametersImplicit(TypeFeeder, Rule):
    """## What it does
    Flags `pd.merge(left, right, ...)` and `df.merge(right, ...)` calls that leave any of
    these implicit: the join type (`how=`), the keys (`on=`, or `left_on=`/`left_index=`
    together with `right_on=`/`right_index=`) and the expected cardinality
    (`validate=`). The message names what is missing.

    The method form is checked only when the receiver is known to be a pandas
    DataFrame (see `flake8_mlops/types.py`: a name bound to `pd.read_csv(...)`,
    `pd.DataFrame(...)`, a frame method result, a parameter annotated `pd.DataFrame`);
    `merge` methods of polars, pyspark, dask or of unknown objects are not checked.
    A call with `**kwargs` gets the benefit of the doubt.

    ## Why is this bad?
    Zhang et al. list this as the "Merge API Parameter Not Explicitly Set" smell. With
    the defaults, pandas joins on *every* column the two frames happen to share, as an
    inner join, with no check of the keys' uniqueness: a new shared column silently
    changes the keys, an inner join silently drops unmatched rows, and a duplicated key
    on the "one" side multiplies rows -- and the training set changes without an error.
    Spelling out `how`, `on` and `validate` documents the intent and makes pandas raise
    `MergeError` when the data break it.

    ## Example
    ```python
    import pandas as pd

    users = pd.read_parquet("users.parquet")
    orders = pd.read_parquet("orders.parquet")
    joined = orders.merge(users, on="user_id")
    ```

    ## Use instead
    ```python
    import pandas as pd

    users = pd.read_parquet("users.parquet")
    orders = pd.read_parquet("orders.parquet")
    joined = orders.merge(users, how="left", on="user_id", validate="many_to_one")
    ```

    ## Options
    None.

    ## Known limitations
    - An unannotated function parameter that is never re-bound counts as a pandas object
      when the module imports pandas and no other dataframe library (polars, pyspark,
      dask, modin, cudf, vaex, xarray, ibis): the catalogue's "imports pandas and the
      name is not bound to something else".
    - Values are not judged: any explicit `how=`/`on=`/`validate=` counts, including
      `how="inner"` (the default, now stated).
    - `DataFrame.join` (index joins) and `pd.merge_asof`/`merge_ordered` are not checked.
    - A `.merge` on a frame whose type the file does not show (an attribute, a helper's
      result, a parameter in a module that also imports polars/pyspark/…) is not
      checked; `pd.merge(...)` always is.

    ## References
    - Zhang, Cruz, van Deursen, "Code Smells for Machine Learning Applications",
      CAIN 2022, smell 6 "Merge API Parameter Not Explicitly Set".
    - pandas docs, [DataFrame.merge](https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.merge.html)
      (`validate`).
    """

    code = "MLP104"
    added_in = "0.2.0"
    triggers = ("merge",)
    name = "merge-parameters-implicit"
    message = (
        "{call}() leaves {missing} to pandas defaults (silent row loss or duplication); "
        "set how=, the keys (on=) and validate= explicitly"
    )
    confidence = "medium"

    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr == "merge") and not isinstance(func, ast.Name):
            return
        qual = ctx.call_name(node)
        if qual in _MERGE_FUNCTIONS:
            offset, call = 2, "pd.merge"
        elif qual is None and isinstance(func, ast.Attribute):
            facts = types_of(ctx)
            if facts.kind_of(func.value) not in (DATAFRAME, PANDAS) and not facts.pandas_parameter(func.value):
                return
            offset, call = 1, short(func.value, 30) + ".merge"
        else:
            return
        if ctx.has_star_kwargs(node) or ctx.has_star_args(node):
            return
        missing = self._missing(node, offset)
        if missing:
            self.report(node, call=call, missing=", ".join(missing))

    def _given(self, node: ast.Call, offset: int, name: str) -> Optional[ast.expr]:
        return self.ctx.arg(node, offset + _POS[name], name)

    def _missing(self, node: ast.Call, offset: int) -> List[str]:
        out: List[str] = []
        if self._given(node, offset, "how") is None:
            out.append("how=")
        if self._given(node, offset, "on") is None:
            left = self._key(node, offset, "left_on", "left_index")
            right = self._key(node, offset, "right_on", "right_index")
            if not (left and right):
                out.append("on=")
        if self._given(node, offset, "validate") is None:
            out.append("validate=")
        return out

    def _key(self, node: ast.Call, offset: int, on: str, index: str) -> bool:
        return self._given(node, offset, on) is not None or self._index(node, offset, index)

    def _index(self, node: ast.Call, offset: int, name: str) -> bool:
        value = self._given(node, offset, name)
        return value is not None and not self.ctx.is_false(value)
