"""MLP108 empty-column-misinit."""

from __future__ import annotations

import ast
from typing import Optional

from ...registry import Rule, register
from ...types import DATAFRAME, TypeFeeder, short, types_of
from .mlp102_chain_indexing import FrameParameterEvidence


def _placeholder(value: ast.AST) -> Optional[str]:
    """``"0"`` or ``'""'`` when ``value`` is the literal int 0 or the empty string."""
    if isinstance(value, ast.Constant):
        v = value.value
        if type(v) is int and v == 0:
            return "0"
        if v == "" and isinstance(v, str):
            return '""'
    return None


@register
class EmptyColumnMisinit(FrameParameterEvidence, TypeFeeder, Rule):
    """## What it does
    Flags a DataFrame column initialised with the scalar `0` or `""`:
    `df["col"] = 0`, `df["col"] = ""`, and `df.assign(col=0)` / `df.assign(col="")`.
    The receiver must be known to be a pandas DataFrame (shared type inference,
    `flake8_mlops/types.py`) and the column a literal string. `0.0`, `False`,
    `np.nan`, `pd.NA`, `None` and any computed value are not flagged, nor are dicts,
    polars or pyspark frames.

    The rule is syntactic: the AST cannot tell a placeholder that will later be filled
    ("value not known yet") from a real default (a flag that is 0 unless set, a counter
    that starts at 0). Use `np.nan` / `pd.NA` for the former and `# noqa: MLP108` for
    the latter.

    ## Why is this bad?
    Zhang et al. list this as the "Empty Column Misinitialization" smell: a new column
    meant to be filled later, initialised with `0` or an empty string, is
    indistinguishable from real data. Rows that are never filled look like genuine zeros
    or blanks, `isna()`/`dropna()`/`fillna()` no longer see them, and they flow into
    statistics and training as values. Initialising with `np.nan` (or `pd.NA`) keeps
    "missing" detectable.

    ## Example
    ```python
    import pandas as pd

    df = pd.read_csv("users.csv", dtype={"user_id": "string"})
    df["score"] = 0
    df["segment"] = ""
    ```

    ## Use instead
    ```python
    import numpy as np
    import pandas as pd

    df = pd.read_csv("users.csv", dtype={"user_id": "string"})
    df["score"] = np.nan
    df["segment"] = pd.NA
    ```

    ## Options
    None.

    ## Known limitations
    - An unannotated parameter counts as a DataFrame only under a narrow fallback: the
      module imports pandas and no other dataframe library, the parameter is never
      re-bound, and the same function also uses it as a DataFrame while it still holds
      the parameter: a DataFrame-only member (`iterrows`, `itertuples`, `merge`,
      `select_dtypes`, `set_index`, `pivot_table`, `assign`, `applymap`, `to_records`)
      or a two-axis `.loc[rows, cols]` / `.iloc[rows, cols]`. Subscripts alone never
      decide (dict-of-lists and JSON code looks the same), nor do members a Series
      shares (`s.loc["a"]`, `groupby`, `dropna`). Such findings are reported at the end
      of the function, on the offending line.
    - A column that already exists and is *reset* to 0, and a binary label column that
      starts at 0 before some rows are set to 1, are reported all the same: add
      `# noqa: MLP108` where 0 is the intended value.
    - `df.loc[:, "c"] = 0`, `df.insert(i, "c", 0)` and columns named by a variable are
      not checked.
    - Frames converted from other libraries count: `x.toPandas()` (pyspark) and
      `x.to_pandas()` (polars, pyarrow, datasets, cudf) are DataFrames, except a
      visible column (`t.column("a").to_pandas()`, a Series) and `batched=` iterators.
    - A parameter assigned through subscripts only is never taken as a DataFrame, even
      though MLP103/MLP105/MLP107 accept a plain parameter on pandas-only *members*
      (`dropna`, `.values`, `iterrows`): `counts["n"] = 0` and `cfg["a"]["b"] = ""` are
      dict code. A pytest fixture parameter is a DataFrame when the fixture says so:
      a parameter of a test (`test_*` function or `Test*` method) or of a fixture that
      pytest fills from a fixture defined in the same module counts as that fixture's
      result when the fixture visibly returns a frame (`@pytest.fixture def claims():
      return pd.DataFrame({...})`; see `flake8_mlops/types.py`). Fixtures from
      `conftest.py`, names overridden by `@pytest.mark.parametrize`, and the result of
      an imported helper (`out = fix_amounts(claims)`: its return type is unknown) are
      not followed.

    ## References
    - Zhang, Cruz, van Deursen, "Code Smells for Machine Learning Applications",
      CAIN 2022, smell 5 "Empty Column Misinitialization".
    - pandas docs, [Working with missing data](https://pandas.pydata.org/docs/user_guide/missing_data.html).
    """

    code = "MLP108"
    added_in = "0.2.0"
    triggers = ("pandas", "pd.", "toPandas")
    name = "empty-column-misinit"
    message = (
        "column {column!r} of {frame} initialised with {value}: unfilled rows will look like "
        "real data; use np.nan or pd.NA for values not known yet"
    )
    confidence = "medium"

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self._frames_init()

    def visit_Assign(self, node: ast.Assign) -> None:
        if len(node.targets) != 1:
            return
        target = node.targets[0]
        if not isinstance(target, ast.Subscript):
            return
        value = _placeholder(node.value)
        if value is None:
            return
        column = self.ctx.literal_str(target.slice)
        if column is None:
            return
        fields = {"column": column, "frame": short(target.value, 30), "value": value}
        if types_of(self.ctx).kind_of(target.value) != DATAFRAME:
            self._defer(target.value, lambda: self.report(node, **fields))
            return
        self.report(node, **fields)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr != "assign" or not node.keywords:
            return
        hits = [(kw.arg, _placeholder(kw.value)) for kw in node.keywords if kw.arg]
        hits = [(c, v) for c, v in hits if v is not None]
        if not hits:
            return
        frame = short(func.value, 30)

        def emit() -> None:
            for column, value in hits:
                self.report(node, column=column, frame=frame, value=value)

        if types_of(self.ctx).kind_of(func.value) != DATAFRAME:
            # ``param.assign(...)`` is itself DataFrame-only evidence for the fallback
            self._defer(func.value, emit)
            return
        emit()
