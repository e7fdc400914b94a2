"""MLP106 read-without-dtype."""

from __future__ import annotations

import ast

from ...registry import Rule, register

#: pandas CSV readers that infer column types when ``dtype=`` is absent
CSV_READERS = {
    "pandas.read_csv": "read_csv",
    "pandas.read_table": "read_table",
    "pandas.io.parsers.read_csv": "read_csv",
    "pandas.io.parsers.read_table": "read_table",
    "pandas.io.parsers.readers.read_csv": "read_csv",
    "pandas.io.parsers.readers.read_table": "read_table",
}
#: keywords that fix the column types as explicitly as ``dtype=`` does
TYPE_KEYWORDS = ("dtype", "converters")


@register
class ReadWithoutDtype(Rule):
    """## What it does
    Flags `pandas.read_csv` and `pandas.read_table` calls without `dtype=` (however
    pandas is imported: `import pandas as pd`, `from pandas import read_csv`).

    Not flagged: calls with `converters=` (the column types are then set explicitly,
    column by column), calls with `**kwargs` (the dtypes may be in there), and the
    look-alike readers of polars, pyspark, dask and modin (`pl.read_csv`,
    `spark.read.csv`, `dd.read_csv`), which have other qualified names.

    Still flagged: `usecols=` alone (it picks the columns, not their types), and
    `dtype_backend=` alone (it picks the array family -- NumPy or pyarrow -- while every
    column's type is still guessed from the data).

    ## Why is this bad?
    Zhang et al. list this as the "Columns and DataType Not Explicitly Set" smell:
    without `dtype=`, pandas guesses each column's type from the rows it reads. An ID
    column with leading zeros becomes an integer, a column that is empty in this file
    becomes float, a zip code turns into a number, and the next data drop with one
    malformed row silently turns a numeric feature into `object`. The pipeline keeps
    running on differently typed data and the model quietly changes. Setting the types
    also documents the schema and lowers memory use.

    ## Example
    ```python
    import pandas as pd

    df = pd.read_csv("transactions.csv", usecols=["user_id", "amount"])
    ```

    ## Use instead
    ```python
    import pandas as pd

    df = pd.read_csv(
        "transactions.csv",
        usecols=["user_id", "amount"],
        dtype={"user_id": "string", "amount": "float64"},
    )
    ```

    ## Options
    None.

    ## Known limitations
    - Any `dtype=` counts, including a single type for every column or a mapping that
      covers only some of the columns; the rule does not check the file's columns.
    - Reading the same file again after an explicit `astype(...)` is still reported:
      pass the types to the reader, or add `# noqa: MLP106` to a throwaway exploration.
    - Other readers (`read_excel`, `read_json`, `read_fwf`) are not checked.

    ## References
    - Zhang, Cruz, van Deursen, "Code Smells for Machine Learning Applications",
      CAIN 2022, smell 4 "Columns and DataType Not Explicitly Set".
    - pandas docs, [read_csv: dtype](https://pandas.pydata.org/docs/reference/api/pandas.read_csv.html).
    """

    code = "MLP106"
    added_in = "0.2.0"
    triggers = ("read_csv", "read_table")
    name = "read-without-dtype"
    message = (
        "pd.{func}() without dtype= lets pandas guess every column's type from the data; "
        "pass dtype={{column: type}} to fix the schema"
    )
    confidence = "medium"

    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        func = CSV_READERS.get(ctx.call_name(node) or "")
        if func is None:
            return
        if ctx.has_star_kwargs(node):
            return
        for kw in TYPE_KEYWORDS:
            if ctx.keyword(node, kw) is not None:
                return
        if len(node.args) > 10 or ctx.has_star_args(node):
            return  # pandas < 1 positional form: dtype is the 11th argument
        self.report(node, func=func)
