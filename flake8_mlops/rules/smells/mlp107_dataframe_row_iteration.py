"""MLP107 dataframe-row-iteration."""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Set

from ...names import LOCAL
from ...registry import Rule, register
from ...types import SERIES, AssignFeeder, short, types_of

#: wrappers that only decorate an iterable (progress bars, counters)
_WRAPPERS = frozenset(
    {
        "tqdm.tqdm", "tqdm.auto.tqdm", "tqdm.notebook.tqdm", "tqdm.tqdm_notebook",
        "tqdm.std.tqdm", "tqdm.rich.tqdm",
    }
)
#: receivers that are a small preview of the frame: iterating them is fine
_PREVIEW_METHODS = frozenset({"head", "tail", "sample", "nlargest", "nsmallest"})
#: pandas indexers whose subscript with the loop index is a per-row access
_INDEXERS = frozenset({"loc", "iloc", "at", "iat"})

#: builtins that compute on a value (no I/O); any other builtin (print, open, input,
#: next, ...) makes the loop one that does real work per row
_PURE_BUILTINS = frozenset(
    {
        "float", "int", "str", "bool", "round", "abs", "min", "max", "len", "sum", "getattr",
        "isinstance", "list", "tuple", "dict", "set", "sorted", "any", "all", "divmod", "pow",
        "zip", "range", "enumerate", "reversed",
    }
)
#: numeric functions a vectorised form replaces directly
_PURE_FUNCTIONS = frozenset(
    {
        "numpy.log", "numpy.log1p", "numpy.log2", "numpy.log10", "numpy.exp", "numpy.expm1",
        "numpy.sqrt", "numpy.square", "numpy.abs", "numpy.absolute", "numpy.sign",
        "numpy.floor", "numpy.ceil", "numpy.round", "numpy.clip", "numpy.maximum",
        "numpy.minimum", "numpy.power", "numpy.isnan", "numpy.isfinite", "numpy.isinf",
        "numpy.where", "numpy.float32", "numpy.float64", "numpy.int64", "numpy.int32",
        "pandas.isna", "pandas.isnull", "pandas.notna", "pandas.notnull", "pandas.to_numeric",
        "pandas.to_datetime", "pandas.Timestamp", "pandas.Timedelta",
    }
)
#: methods of str (and of plain values) that the `.str`/`.dt` accessors vectorise
_VALUE_METHODS = frozenset(
    {
        "lower", "upper", "strip", "lstrip", "rstrip", "split", "rsplit", "replace",
        "startswith", "endswith", "title", "capitalize", "casefold", "isdigit", "isalpha",
        "isnumeric", "isspace", "zfill", "item",
    }
)
#: methods of a local list/dict/set accumulating per-row values
_CONTAINER_METHODS = frozenset({"append", "extend", "add", "update", "get", "setdefault", "insert"})
#: reductions of a known pandas object or array (pure computations)
_REDUCTIONS = frozenset(
    {"mean", "std", "sum", "min", "max", "median", "var", "count", "nunique", "quantile",
     "abs", "round", "idxmax", "idxmin", "any", "all", "prod"}
)
_SINK_METHODS = frozenset({"append", "add", "extend", "insert"})
_CONTAINER_CALLS = frozenset(
    {"collections.defaultdict", "collections.Counter", "collections.OrderedDict", "collections.deque"}
)
_LITERALS = (ast.Dict, ast.List, ast.Tuple, ast.Set, ast.JoinedStr)
#: record literals: a row's fields copied into a dict/list/tuple/set
_RECORDS = (ast.Dict, ast.List, ast.Tuple, ast.Set)
_RECORD_MESSAGE = (
    "loop over {source} copies fields of {recv} into records one row at a time (a slow "
    "Python loop); build them at once with .to_dict(\"records\") on the needed columns "
    "of {recv}, after whole-column operations for computed fields"
)
_COMPARE_SKIP = (ast.Is, ast.IsNot)

_ITERROWS, _ITERTUPLES, _INDEX = "iterrows", "itertuples", "index"


class _Loop:
    """Per-loop state collected during the walk."""

    __slots__ = (
        "node", "kind", "recv", "recv_name", "row", "idx", "derived", "last_access",
        "vector", "blocked", "label", "record", "records",
    )

    def __init__(self, node: ast.AST) -> None:
        self.node = node
        self.kind: Optional[str] = None  # None: a loop this rule does not judge
        self.recv: Optional[ast.expr] = None
        self.recv_name: Optional[str] = None
        self.row: Optional[str] = None  # iterrows/itertuples row variable
        self.idx: Optional[str] = None  # row label / position variable
        self.derived: Set[str] = set()  # names holding per-row values
        self.last_access = 0
        self.vector = False  # evidence of a per-row computation or write
        self.record = False  # evidence of per-row record building only
        self.records: Set[str] = set()  # names bound to record literals of row fields
        self.blocked = False
        self.label = ""


@register
class DataframeRowIteration(AssignFeeder, Rule):
    """## What it does
    Flags a `for` loop that walks a pandas DataFrame row by row -- over `df.iterrows()`,
    `df.itertuples()`, `range(len(df))`, `range(df.shape[0])` or `df.index` (also
    wrapped in `enumerate(...)` or `tqdm(...)`) -- when its body reads or writes the
    frame per row (`row["col"]`, `row.col`, `getattr(row, "col")`, `df.loc[i, "col"]`,
    `df.at[i, "col"]`, `df.iat[i, j]`, `df.iloc[i]`, `df["col"][i]`) and does only work
    that a column operation replaces:

    - arithmetic, comparisons or boolean logic on row values (also through local names
      bound to them: `price = row["price"]`);
    - writing a value back per row (`df.loc[i, "c"] = ...`, `df.at[i, "c"] = ...`,
      `out[i] = ...`, `lookup[row.id] = row.label`);
    - appending a row value to a list or set (`names.append(row["name"])`) or
      accumulating it (`total += row["amount"]`);
    - an `if` on a row value (a boolean mask);
    - copying row fields into one record per row -- a dict, list, tuple or set literal
      appended to a local list or set, directly or through a name
      (`items.append({"id": row["id"], "price": round(row["price"], -2)})`,
      `item = {"id": rec.sku}; out.append(item)`, `pairs.append((src, dst))`): the
      vectorised form is `df[cols].to_dict("records")` (or `list(zip(...))` of columns),
      and the message says so.

    The receiver must be a known pandas DataFrame (see `flake8_mlops/types.py`), or an
    unannotated, never re-bound function parameter in a module that imports pandas and
    no other dataframe library.

    Loops that are fine and not reported: loops whose body calls anything other than
    pure value functions (builtins such as `float`/`round`/`min`, `math.*`, NumPy
    ufuncs, `pd.isna`, str methods, and `append`/`add`/`get` on a local list, dict or
    set) -- so per-row I/O, API requests, database writes, plotting, `print`/logging,
    file writes and model calls on one row stay silent; loops with `break`, `return`,
    `yield`, `await`, `raise` or `assert` (early exit, validation or streaming) or a
    nested `while` loop (an iterative algorithm per row); loops over a preview
    (`df.head(5).iterrows()`, `df.sample(3)`, `nlargest`); `range(0, len(df), batch)`
    (batches, not rows); groupby groups, dicts, polars/Spark frames and objects of
    unknown type; and loops that only format row fields into strings
    (`prompts.append(f"Q: {row['q']}")`, building a prompt or a log line), which this
    rule leaves alone on purpose. A record loop with any call the rule does not know as
    pure (`model.predict(...)` or `embed(...)` per row, `requests.post(json=record)`,
    `writer.writerow(record)`, `json.dumps`, logging) stays silent like any other loop.

    The finding is reported on the `for` line.

    ## Why is this bad?
    Zhang et al. list this as the "Unnecessary Iteration" smell: a Python-level loop
    over rows boxes every row into a Series (`iterrows` also loses dtypes) and runs
    interpreted code per element, typically 100-1000x slower than the equivalent
    column operation, which runs in compiled NumPy code. The vectorised form is also
    shorter and harder to get wrong (writing to `row` in `iterrows` does not write back
    to the frame).

    ## Example
    ```python
    import pandas as pd

    orders = pd.read_csv("orders.csv")
    totals = []
    for _, row in orders.iterrows():
        totals.append(row["price"] * row["quantity"])
    for i in range(len(orders)):
        orders.loc[i, "discounted"] = orders.loc[i, "price"] * 0.9
    records = []
    for _, row in orders.iterrows():
        records.append({"id": row["id"], "price": row["price"]})
    ```

    ## Use instead
    ```python
    import pandas as pd
    import requests

    orders = pd.read_csv("orders.csv")
    totals = (orders["price"] * orders["quantity"]).tolist()
    orders["discounted"] = orders["price"] * 0.9
    records = orders[["id", "price"]].to_dict("records")
    for _, row in orders.iterrows():
        requests.post("https://api.example.com/orders", json={"id": row["id"]})
    for _, row in orders.head(5).iterrows():
        print(row["id"], row["price"] * 2)
    ```

    ## Options
    None.

    ## Known limitations
    - Only `for` statements are checked; comprehensions over `iterrows()` and
      `df.apply(f, axis=1)` (also a per-row loop) are not reported.
    - Any call to a function the rule does not know as pure (a project helper such as
      `clean(row["text"])`) makes the loop count as real per-row work and silences it,
      even when that helper could be vectorised.
    - Loops that format row fields into f-strings appended to a list are not reported,
      although string concatenation of columns replaces many of them. Record loops are
      reported only when the record goes into a local list/set (`append`, `extend`,
      `add`, `insert`) or a subscript; a record built and then dropped, or kept in a
      dict with `update`, is not.
    - Frames whose pandas type the file does not show (a frame stored on `self` by
      another module, a helper's unannotated result, the group of a `groupby` loop) are
      not followed.
    - A parameter of a test (`test_*` function or `Test*` method) or of a fixture that
      pytest fills from a fixture defined in the same module counts as that fixture's
      result when the fixture visibly returns a frame (`@pytest.fixture def claims():
      return pd.DataFrame({...})`; see `flake8_mlops/types.py`). Fixtures from
      `conftest.py`, names overridden by `@pytest.mark.parametrize`, and the result of
      an imported helper (`out = fix_amounts(claims)`: its return type is unknown) are
      not followed.
    - A `range(len(df))` loop is judged only by its accesses to pandas objects with
      the loop index; a loop that reads only NumPy arrays by index is not reported.

    ## References
    - Zhang, Cruz, van Deursen, "Code Smells for Machine Learning Applications",
      CAIN 2022, smell 1 "Unnecessary Iteration".
    - pandas docs, [DataFrame.iterrows](
      https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.iterrows.html) (notes
      on dtypes and on not modifying rows) and the user guide's
      [enhancing performance](https://pandas.pydata.org/docs/user_guide/enhancingperf.html).
    - Ruff PERF401 (manual list comprehension) and the pandas-vet discussion of
      `iterrows`, which match spellings only.
    """

    code = "MLP107"
    added_in = "0.2.0"
    triggers = ("pandas", "pd.", "toPandas")
    # visit_Name notes row reads inside a judged loop: the walk visits names once one opens
    lazy_visits = frozenset({"Name"})
    name = "dataframe-row-iteration"
    message = (
        "loop over {source} handles {recv} one row at a time; use vectorised column "
        "operations instead (arithmetic on whole columns, np.where, .map, .tolist())"
    )
    confidence = "medium"

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        # loops (judged or not) and None barriers for def/lambda/class
        self._stack: List[Optional[_Loop]] = []
        self._judged = 0  # judged loops currently open
        self._seq = 0  # monotonic counter of per-row accesses
        self._snaps: Dict[int, int] = {}  # id(op node) -> counter at entry
        self._listening = False  # _after_assign registered with the type feeder

    # ------------------------------------------------------------------ types
    # leave_Assign / leave_AnnAssign: the shared type feeder (AssignFeeder), which calls
    # _after_assign once a judged loop has opened (before, no assignment has a snapshot)
    def _after_assign(self, node: ast.AST) -> None:
        if node.__class__ is ast.Assign:
            self._leave_assign(node, node.targets)  # type: ignore[attr-defined]
        elif node.value is not None:  # type: ignore[attr-defined]
            self._leave_assign(node, [node.target])  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ loops
    def visit_For(self, node: ast.For) -> None:
        loop = _Loop(node)
        if isinstance(node, ast.For):
            self._classify(loop, node)
        self._stack.append(loop)
        if loop.kind is not None:
            if not self._listening:
                self._listening = True
                types_of(self.ctx).listen(self.code, self._after_assign)
            self._judged += 1
            self.ctx.visit_from_now_on(ast.Name)  # before the loop's children are pushed

    visit_AsyncFor = visit_For

    def visit_While(self, node: ast.While) -> None:
        self._block_all(node)  # an iterative algorithm per row, not a column operation
        self._stack.append(_Loop(node))

    def leave_For(self, node: ast.AST) -> None:
        if not self._stack:
            return
        loop = self._stack.pop()
        if loop is None:
            return
        if loop.kind is not None:
            self._judged -= 1
            if loop.blocked or not (loop.vector or loop.record):
                return
            recv = short(loop.recv, 30)  # type: ignore[arg-type]
            if loop.vector:
                self.report(node, source=loop.label, recv=recv)
            else:
                self.report(node, message=_RECORD_MESSAGE, source=loop.label, recv=recv)

    leave_AsyncFor = leave_While = leave_For

    def visit_FunctionDef(self, node: ast.AST) -> None:
        self._stack.append(None)

    def leave_FunctionDef(self, node: ast.AST) -> None:
        if self._stack:
            self._stack.pop()

    visit_AsyncFunctionDef = visit_Lambda = visit_ClassDef = visit_FunctionDef
    leave_AsyncFunctionDef = leave_Lambda = leave_ClassDef = leave_FunctionDef

    # ------------------------------------------------ early exits and streaming
    def visit_Break(self, node: ast.AST) -> None:
        loop = self._stack[-1] if self._stack else None
        if loop is not None:
            loop.blocked = True

    def _block_all(self, node: ast.AST) -> None:
        if self._judged:
            for loop in self._open_loops():
                loop.blocked = True

    visit_Return = visit_Yield = visit_YieldFrom = visit_Await = visit_Raise = _block_all
    visit_Assert = _block_all

    # ------------------------------------------------------------- evidence
    def _enter_op(self, node: ast.AST) -> None:
        if self._judged:
            self._snaps[id(node)] = self._seq

    def _leave_op(self, node: ast.AST) -> None:
        snap = self._snaps.pop(id(node), None)
        if snap is None or snap == self._seq:
            return
        if isinstance(node, ast.Compare) and all(isinstance(op, _COMPARE_SKIP) for op in node.ops):
            return  # ``row["x"] is None``: a null guard, not a computation
        for loop in self._open_loops():
            if loop.last_access > snap:
                loop.vector = True

    visit_BinOp = visit_UnaryOp = visit_Compare = visit_BoolOp = visit_AugAssign = _enter_op
    leave_BinOp = leave_UnaryOp = leave_Compare = leave_BoolOp = leave_AugAssign = _leave_op

    def visit_Assign(self, node: ast.Assign) -> None:
        self._enter_assign(node, node.targets)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._enter_assign(node, [node.target])

    def _enter_assign(self, node: ast.AST, targets: List[ast.expr]) -> None:
        if not self._judged:
            return
        self._snaps[id(node)] = self._seq
        for target in targets:
            if not isinstance(target, ast.Subscript):
                continue
            for loop in self._open_loops():
                if loop.kind is not None and self._access_of(loop, target):
                    loop.vector = True  # ``df.loc[i, "c"] = ...``: a column assignment

    def _leave_assign(self, node: ast.AST, targets: List[ast.expr]) -> None:
        snap = self._snaps.pop(id(node), None)
        if snap is None or snap == self._seq:
            return
        value = getattr(node, "value", None)
        text = isinstance(value, ast.JoinedStr)
        record = isinstance(value, _RECORDS)
        for loop in self._open_loops():
            if loop.last_access <= snap:
                continue
            for target in targets:
                if text and isinstance(target, ast.Name):
                    continue  # ``prompt = f"Q: {row['q']}"``: formatted text, not a value
                if isinstance(target, ast.Name):
                    loop.derived.add(target.id)
                    if record:  # ``item = {"id": row["id"]}``: judged where it goes
                        loop.records.add(target.id)
                elif isinstance(target, (ast.Tuple, ast.List)):
                    loop.derived.update(e.id for e in target.elts if isinstance(e, ast.Name))
                elif isinstance(target, (ast.Subscript, ast.Attribute)):
                    loop.vector = True  # ``out[i] = row["a"]``, ``lookup[row.id] = row.x``

    def visit_If(self, node: ast.If) -> None:
        if not self._judged:
            return
        test = node.test
        for loop in self._open_loops():
            if loop.kind is not None and self._access_of(loop, test):
                loop.vector = True  # ``if row["active"]:`` is a boolean mask

    # ------------------------------------------------------------- accesses
    def visit_Subscript(self, node: ast.Subscript) -> None:
        if self._judged:
            self._note(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if self._judged:
            parent = self.ctx.parent
            if isinstance(parent, ast.Call) and parent.func is node and node.attr != "get":
                return  # a method call on the row, not a field
            self._note(node)

    def visit_Name(self, node: ast.Name) -> None:
        if self._judged and isinstance(node.ctx, ast.Load):
            self._note(node)

    def _note(self, node: ast.expr) -> None:
        stmt = self.ctx.stmt
        for loop in self._open_loops():
            if loop.kind is None or stmt is loop.node:
                continue
            if self._access_of(loop, node):
                self._seq += 1
                loop.last_access = self._seq

    def _access_of(self, loop: _Loop, node: ast.expr) -> bool:
        """Is ``node`` itself a per-row read of ``loop``'s frame?"""
        t = type(node)
        if t is ast.Name:
            return node.id in loop.derived  # type: ignore[attr-defined]
        if t is ast.Attribute:
            base = node.value  # type: ignore[attr-defined]
            if node.attr.startswith("_"):  # type: ignore[attr-defined]
                return False
            return type(base) is ast.Name and base.id == loop.row
        if t is ast.Call:  # ``row.get("c")``, ``getattr(row, "c")``
            func = node.func  # type: ignore[attr-defined]
            if isinstance(func, ast.Attribute) and func.attr == "get":
                return isinstance(func.value, ast.Name) and func.value.id == loop.row
            args = node.args  # type: ignore[attr-defined]
            if isinstance(func, ast.Name) and func.id == "getattr" and args:
                first = args[0]
                return isinstance(first, ast.Name) and first.id == loop.row
            return False
        if t is not ast.Subscript:
            return False
        base = node.value  # type: ignore[attr-defined]
        if type(base) is ast.Name and base.id == loop.row:
            return True  # ``row["price"]``, ``row[1]``
        if loop.idx is None or not _mentions(node.slice, loop.idx):  # type: ignore[attr-defined]
            return False
        return self._frame_like(loop, base)

    def _frame_like(self, loop: _Loop, base: ast.expr) -> bool:
        """``base`` of ``base[i...]``: ``df.loc``/``df.at``..., or a column ``df["c"]``,
        ``df.c``, ``df["c"].iloc``, of the loop's frame or another pandas object."""
        if isinstance(base, ast.Attribute) and base.attr in _INDEXERS:
            owner = base.value
            if isinstance(owner, (ast.Subscript, ast.Attribute)) and not (
                isinstance(owner, ast.Attribute) and owner.attr in _INDEXERS
            ):
                return self._is_frame(loop, _column_owner(owner)) or self._is_frame(loop, owner)
            return self._is_frame(loop, owner)
        if isinstance(base, ast.Subscript):  # ``df["c"][i]``
            return self._is_frame(loop, base.value)
        if isinstance(base, ast.Attribute) and base.attr not in _INDEXERS:  # ``df.c[i]``
            return self._is_frame(loop, base.value)
        return False

    def _is_frame(self, loop: _Loop, expr: Optional[ast.expr]) -> bool:
        if expr is None:
            return False
        if loop.recv_name is not None and isinstance(expr, ast.Name) and expr.id == loop.recv_name:
            return True
        facts = types_of(self.ctx)
        kind = facts.kind_of(expr)
        return kind in ("DataFrame", "pandas")

    # ---------------------------------------------------------------- calls
    def visit_Call(self, node: ast.Call) -> None:
        if not self._judged:
            return
        stmt = self.ctx.stmt
        pure = self._pure_call(node)
        sink = pure and self._is_sink(node)
        if sink:
            self._snaps[id(node)] = self._seq
        for loop in self._open_loops():
            if loop.kind is None or stmt is loop.node:
                continue
            if not pure:
                loop.blocked = True
            elif self._access_of(loop, node):
                self._seq += 1
                loop.last_access = self._seq

    def leave_Call(self, node: ast.Call) -> None:
        snap = self._snaps.pop(id(node), None)
        if snap is None or snap == self._seq:
            return
        args = node.args
        literal = any(isinstance(a, _RECORDS) for a in args)
        for loop in self._open_loops():
            if loop.last_access > snap:
                if literal or any(isinstance(a, ast.Name) and a.id in loop.records for a in args):
                    loop.record = True  # ``items.append({"id": row["id"]})``
                else:
                    loop.vector = True  # ``names.append(row["name"])``

    def _is_sink(self, node: ast.Call) -> bool:
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr in _SINK_METHODS):
            return False
        # formatted text appended (``prompts.append(f"Q: {row['q']}")``) is not evidence
        return bool(node.args) and not any(isinstance(a, ast.JoinedStr) for a in node.args)

    def _pure_call(self, node: ast.Call) -> bool:
        func = node.func
        ctx = self.ctx
        if isinstance(func, ast.Name):
            binding = ctx.resolver.binding(func.id)
            if binding is None:
                return func.id in _PURE_BUILTINS
            if binding == LOCAL:
                return False
        q = ctx.call_name(node)
        if q is not None:
            return q in _PURE_FUNCTIONS or q.startswith("math.")
        if not isinstance(func, ast.Attribute):
            return False
        method = func.attr
        recv = func.value
        if method == "get" and isinstance(recv, ast.Name):
            if any(loop is not None and loop.row == recv.id for loop in self._stack):
                return True
        if method in _VALUE_METHODS:
            return not (isinstance(recv, ast.Name) and ctx.resolver.binding(recv.id) not in (LOCAL,))
        if method in _CONTAINER_METHODS:
            return self._local_container(recv)
        if method in _REDUCTIONS:
            return types_of(ctx).kind_of(recv) in ("DataFrame", "Series", "pandas", "ndarray")
        return False

    def _local_container(self, expr: ast.expr) -> bool:
        if not isinstance(expr, ast.Name):
            return False
        bound = self.ctx.resolver.constant(expr.id)
        if bound is None:
            return False
        if isinstance(bound, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)):
            return True
        if isinstance(bound, ast.Call):
            func = bound.func
            if isinstance(func, ast.Name) and func.id in ("list", "dict", "set"):
                return self.ctx.resolver.binding(func.id) is None
            return self.ctx.qualname(func) in _CONTAINER_CALLS
        return False

    # ------------------------------------------------------------- classify
    def _classify(self, loop: _Loop, node: ast.For) -> None:
        it = node.iter
        target: Optional[ast.expr] = node.target
        # enumerate(x) / tqdm(x, total=...): look through the wrapper
        for _ in range(2):
            if not isinstance(it, ast.Call) or not it.args:
                break
            func = it.func
            builtin = self.ctx.resolver.binding("enumerate") is None
            if isinstance(func, ast.Name) and func.id == "enumerate" and builtin:
                if not (isinstance(target, ast.Tuple) and len(target.elts) == 2):
                    return
                it, target = it.args[0], target.elts[1]
            elif self.ctx.call_name(it) in _WRAPPERS:
                it = it.args[0]
            else:
                break
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute):
            method = it.func.attr
            if method not in (_ITERROWS, _ITERTUPLES):
                return
            recv = it.func.value
            if not self._frame_receiver(recv, frame_only=True):
                return
            loop.recv = recv
            loop.label = f"{short(recv, 30)}.{method}()"
            if method == _ITERROWS:
                if not (isinstance(target, ast.Tuple) and len(target.elts) == 2):
                    return
                idx, row = target.elts
                loop.idx = idx.id if isinstance(idx, ast.Name) and idx.id != "_" else None
                loop.row = row.id if isinstance(row, ast.Name) else None
            elif isinstance(target, ast.Name):
                loop.row = target.id
            elif isinstance(target, ast.Tuple):
                loop.derived.update(e.id for e in target.elts if isinstance(e, ast.Name) and e.id != "_")
            else:
                return
            loop.kind = method
        else:
            recv = self._index_source(it)
            if recv is None or not isinstance(target, ast.Name):
                return
            if not self._frame_receiver(recv, frame_only=False):
                return
            loop.recv = recv
            loop.idx = target.id
            loop.kind = _INDEX
            loop.label = short(it, 40)
        if isinstance(loop.recv, ast.Name):
            loop.recv_name = loop.recv.id

    def _index_source(self, it: ast.expr) -> Optional[ast.expr]:
        """``range(len(df))``, ``range(1, len(df))``, ``range(len(df) - 1)``,
        ``range(df.shape[0])``, ``range(n)`` with ``n = len(df)``, ``df.index`` -> df."""
        if isinstance(it, ast.Attribute) and it.attr == "index":
            return it.value
        if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range"):
            return None
        if self.ctx.resolver.binding("range") is not None or it.keywords:
            return None
        if len(it.args) == 2:
            start = it.args[0]
            if not (isinstance(start, ast.Constant) and isinstance(start.value, int)):
                return None
            stop = it.args[1]
        elif len(it.args) == 1:
            stop = it.args[0]
        else:
            return None  # a step: batches, not rows
        return self._length_of(stop, 0)

    def _length_of(self, expr: ast.expr, depth: int) -> Optional[ast.expr]:
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Sub)):
            if isinstance(expr.right, ast.Constant) and isinstance(expr.right.value, int):
                return self._length_of(expr.left, depth)
            return None
        if isinstance(expr, ast.Name) and depth == 0:
            bound = self.ctx.resolver.constant(expr.id)
            return self._length_of(bound, 1) if bound is not None else None
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "len":
            if len(expr.args) == 1 and self.ctx.resolver.binding("len") is None:
                arg = expr.args[0]
                if isinstance(arg, ast.Attribute) and arg.attr == "index":
                    return arg.value
                return arg
            return None
        if (
            isinstance(expr, ast.Subscript)
            and isinstance(expr.value, ast.Attribute)
            and expr.value.attr == "shape"
            and isinstance(expr.slice, ast.Constant)
            and expr.slice.value == 0
        ):
            return expr.value.value
        return None

    def _frame_receiver(self, recv: ast.expr, frame_only: bool) -> bool:
        if isinstance(recv, ast.Call) and isinstance(recv.func, ast.Attribute):
            if recv.func.attr in _PREVIEW_METHODS:
                return False
        if isinstance(recv, ast.Subscript) and isinstance(recv.slice, ast.Slice):
            return False  # ``df[:10]``, ``df.iloc[:5]``: a preview
        if isinstance(recv, ast.Name):
            bound = self.ctx.resolver.constant(recv.id)
            if (
                isinstance(bound, ast.Call)
                and isinstance(bound.func, ast.Attribute)
                and bound.func.attr in _PREVIEW_METHODS
            ):
                return False  # ``top = df.head(10)``
        facts = types_of(self.ctx)
        kind = facts.kind_of(recv)
        if kind is not None:
            if kind == SERIES:
                return not frame_only
            return kind in ("DataFrame", "pandas")
        return facts.pandas_parameter(recv)

    # --------------------------------------------------------------- helpers
    def _open_loops(self):  # type: ignore[no-untyped-def]
        """Open loops of the current function, innermost first."""
        for loop in reversed(self._stack):
            if loop is None:
                return
            yield loop


def _column_owner(expr: ast.expr) -> Optional[ast.expr]:
    """``df["c"]`` / ``df.c`` -> ``df``."""
    if isinstance(expr, (ast.Subscript, ast.Attribute)):
        return expr.value
    return None


def _mentions(key: ast.expr, name: str) -> bool:
    """Does the subscript key use the loop index (``i``, ``i + 1``, ``(i, "c")``,
    ``i:i + 1``)? Bounded to the key's first two levels."""
    def hit(e: Optional[ast.expr], depth: int) -> bool:
        if e is None:
            return False
        if isinstance(e, ast.Name):
            return e.id == name
        if depth >= 2:
            return False
        if isinstance(e, ast.BinOp):
            return hit(e.left, depth + 1) or hit(e.right, depth + 1)
        if isinstance(e, ast.Slice):
            return hit(e.lower, depth + 1) or hit(e.upper, depth + 1)
        return False

    if isinstance(key, ast.Tuple):
        return bool(key.elts) and hit(key.elts[0], 0)
    return hit(key, 0)
