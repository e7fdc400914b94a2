"""The rule base class and the registry every rule joins with ``@register``.

A rule is a class with a ``code`` (``MLPnnn``), a kebab-case ``name``, a one-line
``message`` template and handler methods named after AST node types:

* ``visit_<NodeType>(self, node)`` runs when the single walk enters such a node,
  after the resolver has seen it;
* ``leave_<NodeType>(self, node)`` runs when the walk leaves it (all children seen);
* ``finish(self)`` runs once after the whole module was walked (absence rules).

Scopes: ``visit_FunctionDef``/``visit_AsyncFunctionDef``/``visit_ClassDef``/``visit_Lambda``
run in the *enclosing* scope (where decorators, defaults and bases are evaluated); the
def's own scope opens just before its body, so inside the body ``ctx.scope.node`` is the
def, and ``leave_<Def>`` still runs inside it (it closes right after).

Rules are instantiated once per linted file with the file's :class:`Context` as
``self.ctx``, so instance attributes are per-file state. Rules report with
``self.report(node, **fields)``; nothing is printed or raised to flake8 directly.

The class docstring is the rule's documentation (see ``flake8_mlops/docs.py``).
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, ClassVar, Dict, FrozenSet, List, Optional, Sequence, Tuple, Type

if TYPE_CHECKING:  # pragma: no cover
    from .context import Context
    from .options import Option

CODE_RE = re.compile(r"^MLP\d{3}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

#: code -> rule class, filled by ``@register`` when ``flake8_mlops.rules`` is imported
REGISTRY: Dict[str, Type["Rule"]] = {}


class Rule:
    """Base class of every rule."""

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    #: one-line ``str.format`` template; the code is prepended by :meth:`report`
    message: ClassVar[str] = ""
    #: "MLOps antipatterns" | "ML code smells" | "user rules"
    family: ClassVar[str] = ""
    added_in: ClassVar[str] = "0.1.0"
    #: how sure a finding is: "high" | "medium" | "low"
    confidence: ClassVar[str] = "high"
    #: plugin options this rule reads (documented on its page)
    options: ClassVar[Sequence["Option"]] = ()
    #: True when the rule reads ``self.ctx.facts`` (module facts: trains, tracks, …);
    #: the dispatcher then collects them during the walk
    uses_facts: ClassVar[bool] = False
    #: source-text prefilter: when non-empty, the rule runs on a file only if at least
    #: one of these substrings occurs in its source (e.g. ``("trust_remote_code",)``).
    #: Every finding of the rule must need one of them in the text (an import, an API
    #: name); ``tests/test_triggers.py`` checks that gating never changes a finding.
    triggers: ClassVar[Tuple[str, ...]] = ()
    #: lower-case substrings matched case-insensitively, for rules that judge names in
    #: any case (``to_PKL``): the rule also runs when one occurs in the lowered source
    triggers_nocase: ClassVar[Tuple[str, ...]] = ()
    #: node types (class names, e.g. ``"Name"``) whose ``visit_`` handler of this rule
    #: does nothing until the rule calls ``self.ctx.visit_from_now_on(ast.Name)``: until
    #: some rule does, the walk does not push such leaves at all (there are more ``Name``
    #: nodes than any other kind). The rule asks before the nodes it needs are reached:
    #: from a ``visit_`` handler of their enclosing node, or from a statement's handler
    #: for the statements after it.
    lazy_visits: ClassVar[FrozenSet[str]] = frozenset()
    #: False for a rule that reads more than the linted text under nbqa (MLP019 reads the
    #: original notebook, whose magics nbqa hides from the text): not gated there
    gate_under_nbqa: ClassVar[bool] = True

    def __init__(self, ctx: "Context") -> None:
        self.ctx = ctx

    def report(
        self,
        node: "ast.AST | Tuple[int, int]",
        message: Optional[str] = None,
        **fields: object,
    ) -> None:
        """Record a finding at ``node`` (its first line) or at ``(line, col)``."""
        if isinstance(node, tuple):
            line, col = node
        else:
            line, col = node.lineno, node.col_offset  # type: ignore[attr-defined]
        text = (message if message is not None else self.message).format(**fields)
        self.ctx.add(line, col, f"{self.code} {text}")


def shared(key: str):  # type: ignore[no-untyped-def]
    """Mark a handler as a *shared collector* (e.g. ``@shared("types")``).

    Several rules inherit the same collector from a mixin so that each works when
    selected alone. The dispatcher runs a collector **once per node** for the whole
    selection (from the first selected rule that has it, before the rules' own
    handlers for that node) instead of once per rule. A rule that overrides the handler
    is dispatched normally; its override may still call the collector through
    ``super()`` (collectors must be idempotent per node).
    """

    def mark(fn):  # type: ignore[no-untyped-def]
        fn.__mlp_shared__ = key
        return fn

    return mark


def register(cls: Type[Rule]) -> Type[Rule]:
    """Class decorator: validate a rule's metadata and add it to :data:`REGISTRY`."""
    if not CODE_RE.match(cls.code):
        raise ValueError(f"{cls.__name__}: bad rule code {cls.code!r}")
    if cls.code == "MLP000":
        raise ValueError("MLP000 is reserved for internal errors")
    if not NAME_RE.match(cls.name):
        raise ValueError(f"{cls.__name__}: bad rule name {cls.name!r}")
    if "\n" in cls.message or not cls.message:
        raise ValueError(f"{cls.__name__}: message must be one non-empty line")
    if cls.code in REGISTRY and REGISTRY[cls.code] is not cls:
        raise ValueError(f"duplicate rule code {cls.code}")
    if not cls.family:
        cls.family = {
            "0": "MLOps antipatterns",
            "1": "ML code smells",
            "9": "user rules",
        }.get(cls.code[3], "other")
    REGISTRY[cls.code] = cls
    return cls


def all_rules() -> List[Type[Rule]]:
    """Every registered rule, sorted by code (imports the rule modules once)."""
    from . import rules  # noqa: F401  (registers every rule)

    return [REGISTRY[c] for c in sorted(REGISTRY)]
