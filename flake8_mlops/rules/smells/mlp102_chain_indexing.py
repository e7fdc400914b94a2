"""MLP102 chain-indexing."""

from __future__ import annotations

import ast
from typing import Any, Callable, Dict, List, Optional, Set

from ...registry import Rule, register
from ...types import DATAFRAME, TypeFeeder, short, types_of

#: members only a pandas *DataFrame* has (no dict, list, str, ndarray or Series has
#: them); polars/pyspark/dask/modin modules are excluded by ``pandas_parameter``
FRAME_ONLY_MEMBERS = frozenset(
    {"iterrows", "itertuples", "merge", "select_dtypes", "set_index", "pivot_table",
     "assign", "applymap", "to_records"}
)


class _Frame:
    __slots__ = ("fn", "evidence", "pending")

    def __init__(self, fn: ast.AST) -> None:
        self.fn = fn
        self.evidence: Set[str] = set()
        self.pending: List[Any] = []


class FrameParameterEvidence:
    """Private helper (shared by MLP102 and MLP108): the narrow fallback for an
    unannotated, never re-bound parameter of a pandas-only module. A finding on such a
    parameter is held until the end of its function and kept only when the same
    function also uses the parameter as a *DataFrame*: a DataFrame-only member
    (``df.iterrows()``, ``df.merge(...)``, ``df.set_index(...)``, ``df.assign(...)``...)
    or a two-axis ``df.loc[rows, cols]`` / ``df.iloc[rows, cols]``, while it still holds
    the parameter. Dict code (``data["a"][0]``) has neither."""

    ctx: Any
    _frames: List[_Frame]

    def _frames_init(self) -> None:
        self._frames = []

    def visit_FunctionDef(self, node: ast.AST) -> None:
        self._frames.append(_Frame(node))

    visit_AsyncFunctionDef = visit_FunctionDef

    def leave_FunctionDef(self, node: ast.AST) -> None:
        frame = self._frames.pop() if self._frames else None
        if frame is None or frame.fn is not node:
            return
        for name, emit in frame.pending:
            if name in frame.evidence:
                emit()

    leave_AsyncFunctionDef = leave_FunctionDef

    def _own_parameter(self, name: str) -> Optional[_Frame]:
        """The innermost function's frame when ``name`` is read in that function's own
        scope and still holds its parameter (bound once)."""
        if not self._frames:
            return None
        frame = self._frames[-1]
        res = self.ctx.resolver
        scope = res.scope
        if scope.node is not frame.fn or res.lookup_scope(name) is not scope:
            return None
        if scope.assign_count.get(name, 0) != 1:
            return None
        return frame

    def visit_Attribute(self, node: ast.Attribute) -> None:
        value = node.value
        if type(value) is not ast.Name:
            return
        attr = node.attr
        if attr in FRAME_ONLY_MEMBERS:
            pass
        elif attr in ("loc", "iloc"):
            sub = self.ctx.parent
            if not (
                isinstance(sub, ast.Subscript)
                and sub.value is node
                and isinstance(sub.slice, ast.Tuple)
                and len(sub.slice.elts) == 2
            ):
                return
        else:
            return
        frame = self._own_parameter(value.id)
        if frame is not None:
            frame.evidence.add(value.id)

    def _defer(self, base: ast.expr, emit: Callable[[], None]) -> bool:
        """Hold ``emit`` until the function ends when ``base`` is an unannotated
        parameter of a pandas-only module; True when deferred."""
        if type(base) is not ast.Name or not types_of(self.ctx).pandas_parameter(base):
            return False
        frame = self._own_parameter(base.id)  # type: ignore[attr-defined]
        if frame is None:
            return False
        frame.pending.append((base.id, emit))  # type: ignore[attr-defined]
        return True


@register
class ChainIndexing(FrameParameterEvidence, TypeFeeder, Rule):
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
    - An unannotated parameter counts as a DataFrame only under a narrow fallback: the
      module imports pandas and no other dataframe library, the parameter is never
      re-bound, and the same function also uses it as a DataFrame while it still holds
      the parameter: a DataFrame-only member (`iterrows`, `itertuples`, `merge`,
      `select_dtypes`, `set_index`, `pivot_table`, `assign`, `applymap`, `to_records`)
      or a two-axis `.loc[rows, cols]` / `.iloc[rows, cols]`. Subscripts alone never
      decide (dict-of-lists and JSON code looks the same), nor do members a Series
      shares (`s.loc["a"]`, `groupby`, `dropna`). Such findings are reported at the end
      of the function, on the offending line.
    - Only chains that start on a known DataFrame are found; a chain on a Series
      (`s[mask][0]`) or on a frame of unknown type is not.
    - Chains split over two statements (`sub = df[mask]; sub["c"] = 1`) are not
      followed.
    - Reads that start with `.loc`/`.iloc` (`df.iloc[train_idx][features]`, the usual
      cross-validation idiom) are not reported: they cannot lose a write. Writes through
      them are.
    - A parameter of a test (`test_*` function or `Test*` method) or of a fixture that
      pytest fills from a fixture defined in the same module counts as that fixture's
      result when the fixture visibly returns a frame (`@pytest.fixture def claims():
      return pd.DataFrame({...})`; see `flake8_mlops/types.py`). Fixtures from
      `conftest.py`, names overridden by `@pytest.mark.parametrize`, and the result of
      an imported helper (`out = fix_amounts(claims)`: its return type is unknown) are
      not followed.

    ## References
    - Zhang, Cruz, van Deursen, "Code Smells for Machine Learning Applications",
      CAIN 2022, smell 3 "Chain Indexing".
    - pandas docs, [Returning a view versus a copy](
      https://pandas.pydata.org/docs/user_guide/indexing.html#returning-a-view-versus-a-copy)
      and [Copy-on-Write](https://pandas.pydata.org/docs/user_guide/copy_on_write.html).
    """

    code = "MLP102"
    added_in = "0.2.0"
    triggers = ("pandas", "pd.", "toPandas")
    name = "chain-indexing"
    message = (
        "chained indexing {expr} on a pandas DataFrame {what}; index once with "
        ".loc[rows, cols] / .iloc[...] instead"
    )
    confidence = "high"

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self._frames_init()

    def visit_Subscript(self, node: ast.Subscript) -> None:
        inner = node.value
        if not isinstance(inner, ast.Subscript):
            return
        base = inner.value
        if isinstance(base, ast.Attribute) and base.attr in ("loc", "iloc"):
            if not isinstance(node.ctx, ast.Store):
                return  # ``df.iloc[rows][cols]`` reads: a common, harmless idiom
            base = base.value
        if isinstance(node.ctx, ast.Store):
            what = "may write to a temporary copy"
        else:
            what = "builds an intermediate object"
        fields: Dict[str, Any] = {"expr": short(node, 40), "what": what}
        if types_of(self.ctx).kind_of(base) != DATAFRAME:
            self._defer(base, lambda: self.report(node, **fields))
            return
        self.report(node, **fields)
