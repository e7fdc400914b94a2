"""Import and binding tracking: turn expressions into qualified names.

The :class:`Resolver` is fed by the dispatcher during its single walk, before any rule
sees a node, so rules always ask about the bindings *as they stand at that point of the
source*.  It answers one question: "which library object does this expression name?"

    import joblib as jl              ->  jl.load        -> "joblib.load"
    from torch import load as tl     ->  tl             -> "torch.load"
    import torch.hub                 ->  torch.hub.load -> "torch.hub.load"
    def load(): ...                  ->  load           -> None  (a local function)
    def f(pickle): pickle.load(x)    ->  pickle.load    -> None  (a parameter)

Scopes follow Python's rules closely enough for linting: module, class and function
scopes (lambdas and comprehensions share their enclosing function's scope); a function
does not see its class's body; ``global``/``nonlocal`` are ignored. Bindings are
flow-ordered: a name rebound later in the file resolves to its new meaning from then on.

Names that are never bound anywhere visible resolve through a small table of community
conventions (``np``, ``pd``, ``torch``, ``pickle``…) so that a notebook cell linted on
its own (VS Code) still works; a binding of the same name always wins.
"""

from __future__ import annotations

import ast
from typing import Any, Dict, Iterator, List, Optional, Tuple

# A name bound to something that is not an import (a def, a class, a variable, a parameter).
LOCAL = "<local>"

#: Names whose unbound use we read as the usual library (only when nothing binds them).
CONVENTIONAL_NAMES: Dict[str, str] = {
    "np": "numpy",
    "numpy": "numpy",
    "pd": "pandas",
    "pandas": "pandas",
    "torch": "torch",
    "tf": "tensorflow",
    "keras": "keras",
    "pickle": "pickle",
    "joblib": "joblib",
    "dill": "dill",
    "cloudpickle": "cloudpickle",
    "yaml": "yaml",
    "sklearn": "sklearn",
    "mlflow": "mlflow",
    "wandb": "wandb",
    "transformers": "transformers",
    "datasets": "datasets",
    "huggingface_hub": "huggingface_hub",
    "os": "os",
    "subprocess": "subprocess",
    "shutil": "shutil",
}

#: Module spellings that are the same API under another name.
CANONICAL_PREFIXES: Dict[str, str] = {
    "cPickle": "pickle",
    "_pickle": "pickle",
    "pickle5": "pickle",
    "sklearn.externals.joblib": "joblib",
    "tensorflow.keras": "keras",
    "tensorflow.python.keras": "keras",
    "tf_keras": "keras",
    "pytorch_lightning": "lightning.pytorch",
    "ruamel_yaml": "ruamel.yaml",
}


#: first dotted component -> the CANONICAL_PREFIXES entries starting with it, in order
_CANONICAL_BY_HEAD: Dict[str, List[Tuple[str, str]]] = {}
for _prefix, _repl in CANONICAL_PREFIXES.items():
    _CANONICAL_BY_HEAD.setdefault(_prefix.split(".", 1)[0], []).append((_prefix, _repl))


def canonical(qualname: str) -> str:
    """Map alternative module spellings to one canonical qualified name."""
    entries = _CANONICAL_BY_HEAD.get(qualname.partition(".")[0])
    if entries is None:
        return qualname  # the common case: one partition and one dict miss
    for prefix, repl in entries:
        if qualname == prefix or qualname.startswith(prefix + "."):
            return repl + qualname[len(prefix):]
    return qualname


class Scope:
    """One namespace. ``bindings`` maps a name to a qualified name or :data:`LOCAL`."""

    __slots__ = ("kind", "node", "parent", "bindings", "constants", "assign_count", "data")

    def __init__(self, kind: str, node: Optional[ast.AST], parent: Optional["Scope"]):
        self.kind = kind  # "module" | "class" | "function"
        self.node = node
        self.parent = parent
        self.bindings: Dict[str, str] = {}
        # name -> the value expression it was bound to, while bound exactly once
        self.constants: Dict[str, ast.expr] = {}
        self.assign_count: Dict[str, int] = {}
        # free per-scope storage for rules: {rule code: anything}
        self.data: Dict[str, object] = {}


class Resolver:
    """Tracks bindings during the walk and resolves expressions to qualified names."""

    def __init__(self) -> None:
        self.module = Scope("module", None, None)
        self.scope = self.module
        #: every name bound anywhere so far (for the conventional-name fallback)
        self._ever_bound: set = set()
        #: True once ``from x import *`` was seen: unbound names are then unknown
        self.star_import = False

    # ----------------------------------------------------------------- scopes
    def push(self, kind: str, node: ast.AST) -> Scope:
        self.scope = Scope(kind, node, self.scope)
        return self.scope

    def pop(self) -> None:
        if self.scope.parent is not None:
            self.scope = self.scope.parent

    def visible_scopes(self) -> Iterator[Scope]:
        """The scopes whose names code here can see, innermost first (class bodies are
        visible only to code directly inside them). Rules walk per-scope facts with it."""
        scope: Optional[Scope] = self.scope
        first = True
        while scope is not None:
            if scope.kind != "class" or first:
                yield scope
            first = False
            scope = scope.parent

    def scope_table(self, key: str, name: str) -> Optional[Any]:
        """The per-scope table ``scope.data[key]`` (a dict or set a rule keeps) that holds
        ``name`` as code here sees it: searched through :meth:`visible_scopes`, innermost
        first, and not past the scope that binds ``name`` (a binding without an entry
        hides the outer ones). None when no visible table holds it."""
        scope: Optional[Scope] = self.scope
        first = True
        while scope is not None:  # visible_scopes() inlined: rules call this per name
            if first or scope.kind != "class":
                table = scope.data.get(key)
                if table and name in table:
                    return table
                if name in scope.bindings:
                    return None
            first = False
            scope = scope.parent
        return None

    def lookup_scope(self, name: str) -> Optional[Scope]:
        """The scope whose binding of ``name`` is visible here (None when unbound)."""
        # visible_scopes() inlined: this runs for every name resolved in the file
        scope: Optional[Scope] = self.scope
        if name in scope.bindings:  # type: ignore[union-attr]
            return scope
        scope = scope.parent  # type: ignore[union-attr]
        while scope is not None:
            if scope.kind != "class" and name in scope.bindings:
                return scope
            scope = scope.parent
        return None

    def binding(self, name: str) -> Optional[str]:
        """The qualified name ``name`` refers to here, :data:`LOCAL`, or None if unbound."""
        scope = self.lookup_scope(name)
        if scope is None:
            return None
        return scope.bindings[name]

    # --------------------------------------------------------------- binding
    def bind(self, name: str, value: str = LOCAL, node: Optional[ast.expr] = None) -> None:
        scope = self.scope
        if (
            value == LOCAL
            and isinstance(node, ast.Constant)
            and node.value is None
            and scope.bindings.get(name, LOCAL) != LOCAL
        ):
            # ``try: import torch / except ImportError: torch = None``: the optional
            # import idiom; where the module is used, it is the import that runs
            scope.assign_count[name] = scope.assign_count.get(name, 0) + 1
            scope.constants.pop(name, None)
            return
        scope.bindings[name] = value
        self._ever_bound.add(name)
        count = scope.assign_count.get(name, 0) + 1
        scope.assign_count[name] = count
        if count == 1 and node is not None:
            scope.constants[name] = node
        else:
            scope.constants.pop(name, None)

    def bind_target(self, target: ast.AST, value: Optional[ast.expr] = None) -> None:
        """Bind every name in an assignment target (tuples, starred, nested)."""
        if isinstance(target, ast.Name):
            self.bind(target.id, LOCAL, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self.bind_target(elt)
        elif isinstance(target, ast.Starred):
            self.bind_target(target.value)
        # attributes and subscripts bind nothing

    def bind_arguments(self, args: ast.arguments) -> None:
        for arg in (*getattr(args, "posonlyargs", ()), *args.args, *args.kwonlyargs):
            self.bind(arg.arg)
        if args.vararg is not None:
            self.bind(args.vararg.arg)
        if args.kwarg is not None:
            self.bind(args.kwarg.arg)

    def visit_import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.bind(alias.asname, canonical(alias.name))
            else:
                # ``import torch.hub`` binds ``torch`` to the package
                top = alias.name.split(".", 1)[0]
                self.bind(top, canonical(top))

    def visit_import_from(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            # relative import: our own package, never a library we know
            for alias in node.names:
                if alias.name != "*":
                    self.bind(alias.asname or alias.name)
            return
        for alias in node.names:
            if alias.name == "*":
                self.star_import = True
                continue
            self.bind(alias.asname or alias.name, canonical(node.module + "." + alias.name))

    # ------------------------------------------------------------- resolving
    def qualname(self, expr: ast.AST) -> Optional[str]:
        """Qualified name of a Name/Attribute chain bound to an import, else None."""
        attrs: List[str] = []
        while isinstance(expr, ast.Attribute):
            attrs.append(expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return None
        name = expr.id
        # lookup_scope() inlined: this runs for every call of the file
        scope: Optional[Scope] = self.scope
        base = scope.bindings.get(name)  # type: ignore[union-attr]
        if base is None:
            scope = scope.parent  # type: ignore[union-attr]
            while scope is not None:
                if scope.kind != "class":
                    base = scope.bindings.get(name)
                    if base is not None:
                        break
                scope = scope.parent
        if base is None:
            if name in self._ever_bound or self.star_import:
                return None
            base = CONVENTIONAL_NAMES.get(name)
            if base is None:
                return None
        elif base == LOCAL:
            return None
        if attrs:
            attrs.reverse()
            return canonical(base + "." + ".".join(attrs))
        return base

    def is_local(self, name: str) -> bool:
        """True when ``name`` is bound here to something that is not an import."""
        return self.binding(name) == LOCAL

    def constant(self, name: str) -> Optional[ast.expr]:
        """The expression a name was bound to, if bound exactly once, by a plain
        ``name = value`` assignment, in the innermost scope that binds it (else None).

        ``Context.literal`` uses it for once-bound string/bool constants; rules may use it
        for once-bound dicts (``**LOAD_KWARGS``) or constructor calls (``clf = SVC()``).
        """
        scope = self.lookup_scope(name)
        if scope is None:
            return None
        return scope.constants.get(name)

    def ever_bound(self, name: str) -> bool:
        """True when ``name`` has been bound anywhere in the file so far."""
        return name in self._ever_bound
