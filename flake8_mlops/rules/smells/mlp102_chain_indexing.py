"""MLP102 chain-indexing."""

from __future__ import annotations

import ast

from ...registry import Rule, register
from ...types import DATAFRAME, TypeFeeder, short, types_of


@register
class ChainIndexing(TypeFeeder, Rule):
    """## What it does
    Flags chained indexing on a pandas DataFrame: a subscript applied to the result of
    another subscript of the frame, `df["col"][row]`, `df[mask]["col"]`,
    `df[["a", "b"]][mask]`, for reads and for writes (`df["col"][mask] = value`), and
    writes that start with `.loc`/`.iloc` (`df.loc[mask]["col"] = value`). Each chain is
    reported once, at its first two indexing steps.

    The receiver must be known to be a DataFrame (shared type inference,
    `flake8_mlops/types.py`): `pd.read_*`, `pd.DataFrame(...)`, frame methods, a column
    list subscript, a parameter annotated `pd.DataFrame`. Indexing a Series, a NumPy
    array, a dict of lists (`data["a"][0]`) or an object of unknown type is not flagged;
    nor is `df["col"].iloc[0]` or `df.loc[row, "col"]` (single indexing calls).

    ## Why is this bad?
    Zhang et al. list this as the "Chain Indexing" smell. Each `[]` is a separate call
    that may return a view or a copy, depending on the data's layout: a write through a
    chain (`df["price"][df["price"] < 0] = 0`) may modify a temporary copy and be lost
    (pandas warns `SettingWithCopyWarning`; under Copy-on-Write, the default in pandas 3,
    it never updates `df`). Reads through a chain are slower, build intermediate
    objects, and hide the same habit in code that is later turned into a write.

    ## Example
    ```python
    import pandas as pd

    df = pd.read_csv("prices.csv", dtype={"price": "float64"})
    df["price"][df["price"] < 0] = 0
    first = df[df["qty"] > 0]["price"]
    ```

    ## Use instead
    ```python
    import pandas as pd

    df = pd.read_csv("prices.csv", dtype={"price": "float64"})
    df.loc[df["price"] < 0, "price"] = 0
    first = df.loc[df["qty"] > 0, "price"]
    ```

    ## Options
    None.

    ## Known limitations
    - Only chains that start on a known DataFrame are found; a chain on a Series
      (`s[mask][0]`) or on a frame of unknown type is not.
    - Chains split over two statements (`sub = df[mask]; sub["c"] = 1`) are not
      followed.
    - Reads that start with `.loc`/`.iloc` (`df.iloc[train_idx][features]`, the usual
      cross-validation idiom) are not reported: they cannot lose a write. Writes through
      them are.

    ## References
    - Zhang, Cruz, van Deursen, "Code Smells for Machine Learning Applications",
      CAIN 2022, smell 3 "Chain Indexing".
    - pandas docs, [Returning a view versus a copy](
      https://pandas.pydata.org/docs/user_guide/indexing.html#returning-a-view-versus-a-copy)
      and [Copy-on-Write](https://pandas.pydata.org/docs/user_guide/copy_on_write.html).
    """

    code = "MLP102"
    name = "chain-indexing"
    message = (
        "chained indexing {expr} on a pandas DataFrame {what}; index once with "
        ".loc[rows, cols] / .iloc[...] instead"
    )
    confidence = "high"

    def visit_Subscript(self, node: ast.Subscript) -> None:
        inner = node.value
        if not isinstance(inner, ast.Subscript):
            return
        base = inner.value
        if isinstance(base, ast.Attribute) and base.attr in ("loc", "iloc"):
            if not isinstance(node.ctx, ast.Store):
                return  # ``df.iloc[rows][cols]`` reads: a common, harmless idiom
            base = base.value
        if types_of(self.ctx).kind_of(base) != DATAFRAME:
            return
        if isinstance(node.ctx, ast.Store):
            what = "may write to a temporary copy"
        else:
            what = "builds an intermediate object"
        self.report(node, expr=short(node, 40), what=what)
