"""Per-file state shared by all rules during the single walk.

The context owns the resolver (bindings and qualified names), knows the file's mode
(plain script, nbqa notebook, single notebook cell, percent-format cells), the current
statement and parent of the node being visited, and collects the findings. It also
offers the small argument helpers every rule needs, so rules never re-implement
"is this keyword a literal True" or "what string does this name hold".
"""

from __future__ import annotations

import ast
import bisect
import os
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple

from .facts import ModuleFacts
from .names import Resolver, Scope
from .options import Config

NBQA_SUFFIX = "_nbqa_ipynb.py"
NBQA_CELL_SEP = "# %%NBQA-CELL-SEP"

Finding = Tuple[int, int, str]

_MISSING = object()


def notebook_mode(filename: str, lines: Sequence[str]) -> Optional[str]:
    """``"nbqa"`` (whole notebook via nbqa), ``"cell"`` (one cell, e.g. VS Code),
    ``"percent"`` (a ``# %%`` cell script), or None for a plain module."""
    base = os.path.basename(filename or "")
    if base.endswith(NBQA_SUFFIX):
        return "nbqa"
    if base.endswith(".ipynb"):
        return "cell"
    for line in lines[:200]:
        if line.startswith("# %%"):
            return "percent"
    return None


class _CallNames(dict):  # type: ignore[type-arg]
    """Call node -> its qualified name, resolved on first lookup (``__missing__``).

    :meth:`Context.call_name` is this dict's own ``__getitem__``: after the first lookup
    of a call (the walk resolves every call when it is visited) a rule's lookup is one
    C-level dict hit with no Python frame, which matters at ~15 lookups per call."""

    __slots__ = ("resolver",)

    def __init__(self, resolver: Resolver) -> None:
        super().__init__()
        self.resolver = resolver

    def __missing__(self, call: ast.Call) -> Optional[str]:
        name = self[call] = self.resolver.qualname(call.func)
        return name


class Context:
    def __init__(
        self,
        tree: ast.AST,
        filename: str,
        lines: Sequence[str],
        config: Optional[Config] = None,
    ) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines
        self.config = config or Config()
        self.resolver = Resolver()
        self.notebook = notebook_mode(filename, lines)
        self.findings: List[Finding] = []
        # set by the dispatcher for the node being visited
        self.parent: Optional[ast.AST] = None
        self.stmt: Optional[ast.stmt] = None
        self._display_stmts: Optional[Set[int]] = None
        #: module facts (trains / tracks / registry / fairness), filled during the walk
        #: when a selected rule sets ``uses_facts``; complete only in ``finish()``
        self.facts = ModuleFacts(self)
        #: set by the walk when some node types are visited lazily (Rule.lazy_visits)
        self._visit_hook: Optional[Callable[[type], None]] = None
        self._call_names = _CallNames(self.resolver)
        #: ``call_name(call)``: qualified name of the called function, resolved once per
        #: call node (when the walk first meets it) and cached: every rule, and later
        #: leave handlers that look at an assignment's value, get the same answer
        #: without resolving again. ``jl.load(f)`` -> ``"joblib.load"``; None when the
        #: callee is not an imported name.
        self.call_name: Callable[[ast.Call], Optional[str]] = self._call_names.__getitem__

    def visit_from_now_on(self, node_type: type) -> None:
        """Ask the walk to visit ``node_type`` nodes from here on, for a rule that lists
        the type in :attr:`~flake8_mlops.registry.Rule.lazy_visits` (a no-op when the walk
        visits them anyway)."""
        hook = self._visit_hook
        if hook is not None:
            hook(node_type)

    @property
    def text(self) -> Optional[str]:
        """The whole source, joined once; None when only a tree was given."""
        text = self.__dict__.get("_text", _MISSING)
        if text is _MISSING:
            text = "".join(self.lines) or None
            self.__dict__["_text"] = text
        return text  # type: ignore[return-value]

    # --------------------------------------------------------------- findings
    def add(self, line: int, col: int, text: str) -> None:
        self.findings.append((line, col, text))

    # ---------------------------------------------------------------- names
    def qualname(self, expr: ast.AST) -> Optional[str]:
        """``jl.load`` -> ``"joblib.load"`` through the file's imports, else None."""
        return self.resolver.qualname(expr)

    @property
    def scope(self) -> Scope:
        return self.resolver.scope

    @property
    def in_function(self) -> bool:
        scope: Optional[Scope] = self.resolver.scope
        while scope is not None:
            if scope.kind == "function":
                return True
            scope = scope.parent
        return False

    # ------------------------------------------------------------- literals
    def literal(self, expr: Optional[ast.AST], default: Any = None) -> Any:
        """The Python value of a literal constant, following a name bound once to one.

        Returns ``default`` for anything that is not a literal (parameters, attributes,
        f-strings, calls, names bound more than once).
        """
        if expr is None:
            return default
        if isinstance(expr, ast.Constant):
            return expr.value
        if isinstance(expr, ast.Name):
            const = self.resolver.constant(expr.id)
            if isinstance(const, ast.Constant):
                return const.value
        return default

    def literal_str(self, expr: Optional[ast.AST]) -> Optional[str]:
        value = self.literal(expr)
        return value if isinstance(value, str) else None

    # ------------------------------------------------------------ arguments
    @staticmethod
    def keyword(call: ast.Call, name: str) -> Optional[ast.keyword]:
        for kw in call.keywords:
            if kw.arg == name:
                return kw
        return None

    def kwarg(self, call: ast.Call, name: str, default: Any = None) -> Any:
        """The AST value of keyword ``name`` or ``default`` when it is absent."""
        kw = self.keyword(call, name)
        return kw.value if kw is not None else default

    @staticmethod
    def has_star_kwargs(call: ast.Call) -> bool:
        """``f(**opts)``: any keyword could be hiding in there."""
        return any(kw.arg is None for kw in call.keywords)

    @staticmethod
    def has_star_args(call: ast.Call) -> bool:
        return any(isinstance(a, ast.Starred) for a in call.args)

    def arg(self, call: ast.Call, position: int, name: Optional[str] = None) -> Optional[ast.expr]:
        """Argument by keyword ``name`` or by position (None when absent or after ``*args``)."""
        if name is not None:
            kw = self.keyword(call, name)
            if kw is not None:
                return kw.value
        args = call.args
        for i, a in enumerate(args):
            if isinstance(a, ast.Starred):
                return None
            if i == position:
                return a
        return None

    def is_true(self, expr: Optional[ast.AST]) -> bool:
        """Literally ``True`` (or a name bound once to ``True``)."""
        return self.literal(expr, _MISSING) is True

    def is_false(self, expr: Optional[ast.AST]) -> bool:
        return self.literal(expr, _MISSING) is False

    # ------------------------------------------------------------ notebooks
    def is_cell_display(self, stmt: ast.stmt) -> bool:
        """True for a notebook cell's last top-level expression (it is displayed)."""
        if self.notebook is None or not isinstance(stmt, ast.Expr):
            return False
        if self._display_stmts is None:
            self._display_stmts = self._compute_display_stmts()
        return id(stmt) in self._display_stmts

    def _compute_display_stmts(self) -> Set[int]:
        body = getattr(self.tree, "body", [])
        if self.notebook == "cell":
            return {id(body[-1])} if body else set()
        marker = NBQA_CELL_SEP if self.notebook == "nbqa" else "# %%"
        seps = [i + 1 for i, line in enumerate(self.lines) if line.startswith(marker)]
        result: Set[int] = set()
        for i, stmt in enumerate(body):
            end = getattr(stmt, "end_lineno", stmt.lineno) or stmt.lineno
            nxt = body[i + 1].lineno if i + 1 < len(body) else None
            if nxt is None:
                result.add(id(stmt))
                continue
            # is there a cell separator strictly between this statement and the next?
            k = bisect.bisect_right(seps, end)
            if k < len(seps) and seps[k] < nxt:
                result.add(id(stmt))
        return result


def string_parts(expr: ast.AST) -> List[Tuple[str, ast.AST]]:
    """Constant string pieces of an expression: a str constant, or the literal parts of
    an f-string / ``"a" + "b"`` concatenation, each with its node (for line numbers)."""
    out: List[Tuple[str, ast.AST]] = []
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        out.append((expr.value, expr))
    elif isinstance(expr, ast.JoinedStr):
        for v in expr.values:
            if isinstance(v, ast.Constant) and isinstance(v.value, str):
                out.append((v.value, expr))
    return out


Dict  # re-export for type hints in rules
