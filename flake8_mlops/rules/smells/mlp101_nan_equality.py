"""MLP101 nan-equality."""

from __future__ import annotations

import ast
from typing import Optional, Tuple

from ...apis.numerics import FLOAT_NAN_FIX, MISSING_CONSTANTS
from ...registry import Rule, register

_NAN_STRINGS = frozenset({"nan", "+nan", "-nan"})
#: dataframe libraries whose column expressions treat NaN == NaN as true (Spark SQL,
#: polars): a comparison built on them is not this smell
_NAN_EQUAL_LIBS = ("pyspark", "polars")


@register
class NanEquality(Rule):
    """## What it does
    Flags `==` and `!=` comparisons against a NaN or missing-value constant:
    `np.nan` (`np.NaN`, `np.NAN`), `math.nan`, `torch.nan`, `float("nan")`, `pd.NA` and
    `pd.NaT`, however they are spelled (`from numpy import nan`, `import math as m`, a
    module constant bound once to `float("nan")`).

    Names are resolved through imports: a local variable called `nan`, or `np` bound to
    something other than NumPy, is not a NaN constant.

    ## Why is this bad?
    NaN is not equal to anything, itself included, so `x == np.nan` is always `False`
    and `x != np.nan` always `True`: the filter keeps nothing (or everything) and
    missing values pass silently. `pd.NA` propagates instead: `x == pd.NA` is `pd.NA`,
    which raises in an `if`. Zhang et al. list this as the smell "NaN Equivalence
    Comparison Misused".

    ## Example
    ```python
    import numpy as np

    missing = df[df["age"] == np.nan]
    if value != float("nan"):
        total += value
    ```

    ## Use instead
    ```python
    import math

    import pandas as pd

    missing = df[df["age"].isna()]
    if not math.isnan(value):
        total += value
    if pd.isna(row.label):
        skipped += 1
    ```

    ## Options
    None.

    ## Known limitations
    - Comparisons whose other side is a PySpark or polars column expression
      (`F.col("x") == float("nan")`, `pl.col("x") == np.nan`), or any column of a file
      that imports PySpark or polars, are not reported: those engines define NaN as
      equal to itself.
    - `x is np.nan` is not reported (it is true for the `np.nan` object itself, but not
      for NaNs computed elsewhere); prefer `np.isnan` there too.
    - A NaN that reaches the comparison through a function parameter or a value bound
      more than once is not recognised.

    ## References
    - Zhang, Cruz, van Deursen, "Code Smells for Machine Learning Applications",
      CAIN 2022, smell 2 "NaN Equivalence Comparison Misused".
    - NumPy docs, [numpy.isnan](https://numpy.org/doc/stable/reference/generated/numpy.isnan.html);
      pandas docs, [Working with missing data](https://pandas.pydata.org/docs/user_guide/missing_data.html).
    - Ruff PLW0177 (nan-comparison).
    """

    code = "MLP101"
    added_in = "0.2.0"
    triggers = ("nan", "NaN", "Nan", "NA")
    name = "nan-equality"
    message = "'{op}' against {const} is {result}: {why}; use {fix}"
    confidence = "high"

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self._nan_equal_lib = False

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.split(".")[0] in _NAN_EQUAL_LIBS:
                self._nan_equal_lib = True

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and not node.level and node.module.split(".")[0] in _NAN_EQUAL_LIBS:
            self._nan_equal_lib = True

    def visit_Compare(self, node: ast.Compare) -> None:
        left = node.left
        for op, right in zip(node.ops, node.comparators):
            if isinstance(op, (ast.Eq, ast.NotEq)):
                for const, other in ((right, left), (left, right)):
                    found = self._missing_constant(const)
                    if found is None or self._nan_equal_side(other):
                        continue
                    label, fix = found
                    sym = "==" if isinstance(op, ast.Eq) else "!="
                    if label.startswith("pd."):
                        result, why = "pd.NA/False, never a clean bool", "missing values do not compare"
                        if label == "pd.NA":
                            result, why = "pd.NA, not a bool", "missing values propagate through comparisons"
                    else:
                        result = "always False" if sym == "==" else "always True"
                        why = "NaN equals nothing, not even itself"
                    self.report(node, op=sym, const=label, result=result, why=why, fix=fix)
                    return
            left = right

    # ------------------------------------------------------------------ helpers
    def _missing_constant(self, expr: ast.expr, depth: int = 0) -> Optional[Tuple[str, str]]:
        """(display label, fix) when ``expr`` is a NaN / NA constant."""
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, (ast.USub, ast.UAdd)):
            expr = expr.operand
        if isinstance(expr, (ast.Name, ast.Attribute)):
            q = self.ctx.qualname(expr)
            if q is not None:
                fix = MISSING_CONSTANTS.get(q)
                if fix is None:
                    return None
                mod, _, attr = q.rpartition(".")
                short = {"numpy": "np", "pandas": "pd"}.get(mod, mod)
                return f"{short}.{attr}", fix
            if isinstance(expr, ast.Name) and depth < 2 and self.ctx.resolver.is_local(expr.id):
                bound = self.ctx.resolver.constant(expr.id)
                if bound is not None and bound is not expr:
                    found = self._missing_constant(bound, depth + 1)
                    if found is not None:
                        return f"{expr.id} ({found[0]})", found[1]
            return None
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Name)
            and expr.func.id == "float"
            and self.ctx.resolver.binding("float") is None
            and len(expr.args) == 1
            and not expr.keywords
        ):
            text = self.ctx.literal_str(expr.args[0])
            if text is not None and text.strip().lower() in _NAN_STRINGS:
                return f'float("{text}")', FLOAT_NAN_FIX
        return None

    def _nan_equal_side(self, expr: ast.expr) -> bool:
        """The other operand is a PySpark/polars expression (NaN == NaN is true there)."""
        root = expr
        while True:
            if isinstance(root, ast.Call):
                root = root.func
            elif isinstance(root, (ast.Attribute, ast.Subscript)):
                root = root.value
            else:
                break
        q = self.ctx.qualname(root) if isinstance(root, ast.Name) else None
        if q is not None and q.split(".")[0] in _NAN_EQUAL_LIBS:
            return True
        if isinstance(expr, ast.Call):
            fq = self.ctx.qualname(expr.func)
            if fq is not None and fq.split(".")[0] in _NAN_EQUAL_LIBS:
                return True
        return self._nan_equal_lib and isinstance(expr, (ast.Subscript, ast.Attribute, ast.Call))
