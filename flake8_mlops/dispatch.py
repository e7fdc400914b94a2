"""The single traversal: one iterative pre-order walk dispatching to every rule.

For each node the walk (1) updates the resolver (imports, bindings, scopes), then
(2) calls the ``visit_<Type>`` handlers of the selected rules; after a node's children it
calls the ``leave_<Type>`` handlers and closes scopes. Children are visited in source
order, so "bound before use" questions are answered the way a reader would.

A rule that raises is switched off for the rest of the file and reported once as
``MLP000 internal error in MLPnnn (ExcType); please report``; the other rules go on.
The walk is iterative, so deeply nested code cannot hit the recursion limit.
"""

from __future__ import annotations

import ast
import operator
from typing import Callable, Dict, FrozenSet, List, Optional, Sequence, Tuple, Type

from .context import Context
from .names import Resolver
from .registry import Rule

Handler = Callable[[ast.AST], None]

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_LEAVE = object()
_OPEN = object()


def _scope_children(node: ast.AST) -> Tuple[List[ast.AST], List[ast.AST]]:
    """(evaluated in the enclosing scope, evaluated in the new scope), in source order."""
    if isinstance(node, ast.ClassDef):
        outer: List[ast.AST] = [*node.decorator_list, *node.bases, *node.keywords]
        return outer, list(node.body)
    if isinstance(node, ast.Lambda):
        return [node.args], [node.body]
    fn: ast.FunctionDef = node  # type: ignore[assignment]
    outer = [*fn.decorator_list, fn.args]
    if fn.returns is not None:
        outer.append(fn.returns)
    return outer, list(fn.body)


def _open_scope(res: Resolver, node: ast.AST) -> None:
    if isinstance(node, ast.ClassDef):
        res.push("class", node)
    else:
        res.push("function", node)
        res.bind_arguments(node.args)  # type: ignore[attr-defined]


# Node types the resolver must see when the walk *leaves* them (the value is evaluated
# before the target is bound).
_BIND_ON_LEAVE = (ast.Assign, ast.AnnAssign, ast.AugAssign)

# Node types whose entry changes bindings (everything else skips the resolver).
_BINDERS = frozenset(
    t
    for t in (
        ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
        ast.For, ast.AsyncFor, ast.comprehension, ast.withitem, ast.NamedExpr,
        ast.ExceptHandler,
        getattr(ast, "MatchAs", None), getattr(ast, "MatchStar", None),
        getattr(ast, "MatchMapping", None),
    )
    if t is not None
)

# Singleton leaf nodes no rule needs (Load/Store/Del contexts, operators): about a third
# of all nodes, never dispatched. Rules read ``node.op``/``node.ops`` directly.
_SKIP = (ast.expr_context, ast.operator, ast.boolop, ast.cmpop, ast.unaryop)

_fields_cache: Dict[type, Tuple[str, ...]] = {}
_SCALARS = frozenset({str, int, float, bytes, bool, complex, type(Ellipsis)})


def _all_ast_classes() -> set:
    out = set()
    todo = [ast.AST]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        out.add(cls)
    return out


def _node_classes() -> frozenset:
    """Every concrete node class ``ast.parse`` can produce, minus the skipped leaves: one
    set lookup on ``item.__class__`` replaces two ``isinstance`` calls per child."""
    return frozenset(c for c in _all_ast_classes() if not issubclass(c, _SKIP))


_WALKED = _node_classes()
_STMTS = frozenset(c for c in _WALKED if issubclass(c, ast.stmt))
# field values that are never walked: scalars, None and the skipped singleton leaves
_INERT = frozenset(
    {type(None), *_SCALARS}
    | {c for c in _all_ast_classes() if issubclass(c, _SKIP)}
)


# fields that never hold a walked node in any Python version: names, numbers, flags, and
# the skipped operator/context leaves (``op``, ``ops``, ``ctx``); not even read
_NEVER_NODES = frozenset({
    "id", "ctx", "attr", "arg", "name", "asname", "module", "level", "kind", "is_async",
    "type_comment", "conversion", "simple", "op", "ops", "tag",
})


def _child_fields(t: type) -> Tuple[str, ...]:
    fields = _fields_cache.get(t)
    if fields is None:
        if issubclass(t, ast.Constant):
            fields = ()  # ``value`` is a Python scalar (or a tuple/frozenset of them)
        else:
            fields = tuple(f for f in t._fields if f not in _NEVER_NODES)  # type: ignore[attr-defined]
        _fields_cache[t] = fields
    return fields


def _fields_getter(fields: Tuple[str, ...]) -> Optional[Callable[[ast.AST], Tuple[object, ...]]]:
    """A C-speed getter returning the values of two or more ``fields`` as a tuple (None
    for fewer: the walk reads a single field directly)."""
    return operator.attrgetter(*fields) if len(fields) > 1 else None  # type: ignore[return-value]


_SCOPE_SET = frozenset(_SCOPES)
_static_plans: Dict[type, Tuple[bool, bool, bool, Tuple[str, ...], Optional[Callable]]] = {}


def _static_plan(t: type) -> Tuple[bool, bool, bool, Tuple[str, ...], Optional[Callable]]:
    """What the walk does with a node type whatever the rules: (is a statement, changes
    bindings, opens a scope, child fields in reverse order, their getter)."""
    plan = _static_plans.get(t)
    if plan is None:
        rfields = _child_fields(t)[::-1]
        plan = _static_plans[t] = (t in _STMTS, t in _BINDERS, t in _SCOPE_SET, rfields, _fields_getter(rfields))
    return plan


_BIND_ON_LEAVE_SET = frozenset(_BIND_ON_LEAVE)
_live_cache: Dict[Tuple[frozenset, frozenset], Tuple[frozenset, frozenset]] = {}


def _live_types(visits: Dict[type, object], leaves: Dict[type, object]) -> Tuple[frozenset, frozenset]:
    """(node types worth pushing on the walk's stack, field-value types never pushed).

    A node type is dead for this selection of rules when no handler visits or leaves it,
    it binds no name, opens no scope and cannot have children (``Name``, ``Constant``,
    ``alias``, ``Pass``...): such nodes are most of an AST's leaves, and skipping them at
    push time saves a stack entry each. Cached per set of handled node types."""
    key = (frozenset(visits), frozenset(leaves))
    cached = _live_cache.get(key)
    if cached is not None:
        return cached
    handled = key[0] | key[1] | _BINDERS | _SCOPE_SET | _BIND_ON_LEAVE_SET
    dead = frozenset(t for t in _WALKED if t not in handled and not _child_fields(t))
    result = (_WALKED - dead, _INERT | dead)
    _live_cache[key] = result
    return result


def _lazy_types(
    rule_classes: Sequence[Type[Rule]],
    visits: Dict[type, List[Tuple[str, str]]],
    leaves: Dict[type, List[Tuple[str, str]]],
    live: frozenset,
) -> frozenset:
    """Live leaf types whose every handler belongs to a rule that visits them lazily
    (:attr:`~flake8_mlops.registry.Rule.lazy_visits`): skipped until a rule asks.
    Cached per selection of rules."""
    key = tuple(rule_classes)
    cached = _lazy_cache.get(key)
    if cached is not None:
        return cached
    lazy_codes: Dict[str, FrozenSet[str]] = {c.code: c.lazy_visits for c in rule_classes if c.lazy_visits}
    if not lazy_codes:
        _lazy_cache[key] = frozenset()
        return _lazy_cache[key]
    out = set()
    for t, entries in visits.items():
        if (
            t in live
            and t not in leaves
            and not _child_fields(t)
            and t not in _BINDERS
            and all(t.__name__ in lazy_codes.get(code, ()) for code, _ in entries)
        ):
            out.add(t)
    _lazy_cache[key] = frozenset(out)
    return _lazy_cache[key]


_lazy_cache: Dict[Tuple[type, ...], frozenset] = {}


_handler_cache: Dict[Tuple[type, ...], Tuple[Dict[type, List[Tuple[str, str]]], Dict[type, List[Tuple[str, str]]]]] = {}


def _handler_table(
    rule_classes: Sequence[Type[Rule]],
) -> Tuple[Dict[type, List[Tuple[str, str]]], Dict[type, List[Tuple[str, str]]]]:
    """``{ast.Call: [("MLP003", "visit_Call"), ...]}`` per node type, cached per selection.

    A handler marked ``@shared(key)`` (see :func:`flake8_mlops.registry.shared`) that
    several selected rules inherit unchanged is listed once, from the first rule that
    has it, ahead of the rules' own handlers for that node type.
    """
    key = tuple(rule_classes)
    cached = _handler_cache.get(key)
    if cached is not None:
        return cached
    tables: Dict[str, Dict[type, List[Tuple[str, str]]]] = {"v": {}, "l": {}}
    shared_seen: Dict[Tuple[str, str, type], bool] = {}
    for cls in rule_classes:
        for attr, node_type, shared_key in _class_handlers(cls):
            table = tables[attr[0]]
            entries = table.setdefault(node_type, [])
            if shared_key is None:
                entries.append((cls.code, attr))
                continue
            seen_key = (shared_key, attr[0], node_type)
            if seen_key in shared_seen:
                continue
            shared_seen[seen_key] = True
            # shared collectors go before every rule's own handler for this node type
            n_shared = sum(1 for e in entries if e[1].startswith("#"))
            entries.insert(n_shared, (cls.code, "#" + attr))
    visits, leaves = tables["v"], tables["l"]
    _handler_cache[key] = (visits, leaves)
    return visits, leaves


_class_handler_cache: Dict[type, Tuple[Tuple[str, type, Optional[str]], ...]] = {}


def _class_handlers(cls: Type[Rule]) -> Tuple[Tuple[str, type, Optional[str]], ...]:
    """``(attr, node type, shared key or None)`` for each ``visit_``/``leave_`` handler of a
    rule class, found once per class (the per-selection tables are built from these)."""
    found = _class_handler_cache.get(cls)
    if found is None:
        out = []
        for attr in dir(cls):
            if not (attr.startswith("visit_") or attr.startswith("leave_")):
                continue
            node_type = getattr(ast, attr[6:], None)
            if not (isinstance(node_type, type) and issubclass(node_type, ast.AST)):
                continue
            out.append((attr, node_type, getattr(getattr(cls, attr), "__mlp_shared__", None)))
        found = _class_handler_cache[cls] = tuple(out)
    return found


def _bind_enter(res: Resolver, node: ast.AST) -> None:
    """Resolver work done when entering ``node``."""
    t = type(node)
    if t is ast.Import:
        res.visit_import(node)  # type: ignore[arg-type]
    elif t is ast.ImportFrom:
        res.visit_import_from(node)  # type: ignore[arg-type]
    elif t is ast.FunctionDef or t is ast.AsyncFunctionDef or t is ast.ClassDef:
        # decorators, defaults, bases and annotations are resolved in the enclosing
        # scope; the new scope opens at the _OPEN marker pushed before the body
        res.bind(node.name)  # type: ignore[attr-defined]
    elif t is ast.For or t is ast.AsyncFor or t is ast.comprehension:
        res.bind_target(node.target)  # type: ignore[attr-defined]
    elif t is ast.withitem:
        if node.optional_vars is not None:  # type: ignore[attr-defined]
            res.bind_target(node.optional_vars)  # type: ignore[attr-defined]
    elif t is ast.NamedExpr:
        res.bind_target(node.target)  # type: ignore[attr-defined]
    elif t is ast.ExceptHandler:
        if node.name:  # type: ignore[attr-defined]
            res.bind(node.name)  # type: ignore[attr-defined]
    elif t is ast.Global or t is ast.Nonlocal:
        pass
    elif t.__name__ in ("MatchAs", "MatchStar"):
        if getattr(node, "name", None):
            res.bind(node.name)  # type: ignore[attr-defined]
    elif t.__name__ == "MatchMapping":
        if getattr(node, "rest", None):
            res.bind(node.rest)  # type: ignore[attr-defined]


def _bind_leave(res: Resolver, node: ast.AST) -> None:
    t = type(node)
    if t is ast.Assign:
        value = node.value  # type: ignore[attr-defined]
        for target in node.targets:  # type: ignore[attr-defined]
            res.bind_target(target, value)
    elif t is ast.AnnAssign:
        res.bind_target(node.target, node.value)  # type: ignore[attr-defined]
    elif t is ast.AugAssign:
        res.bind_target(node.target)  # type: ignore[attr-defined]
    elif t in _SCOPES:
        res.pop()


# Trigger statistics of this process: trigger -> [files searched, files where found].
# Each rule's triggers are tried most-often-found first (re-sorted at 8, 32, 128...
# files), so that a rule whose triggers occur is kept after one search instead of
# several; the order never changes which rules are kept, only how soon that is known.
_trigger_stats: Dict[str, List[int]] = {}
_trigger_order: Dict[type, Tuple[str, ...]] = {}
_gated_files = [0, 8]  # files gated so far, next re-sort


def _sort_triggers() -> None:
    stats = _trigger_stats
    for cls, triggers in list(_trigger_order.items()):
        _trigger_order[cls] = tuple(sorted(
            cls.triggers,  # type: ignore[attr-defined]
            key=lambda t: -(stats[t][1] + 1) / (stats[t][0] + 2) if t in stats else -0.5,
        ))


def gate(ctx: Context, rule_classes: Sequence[Type[Rule]]) -> Sequence[Type[Rule]]:
    """Drop the rules whose ``triggers`` (source substrings) are all absent from the file:
    a few C-speed substring searches save their whole share of the walk."""
    text = ctx.text
    if text is None:
        return rule_classes
    counts = _gated_files
    counts[0] += 1
    if counts[0] == counts[1]:
        counts[1] *= 4
        _sort_triggers()
    kept = []
    nbqa = ctx.notebook == "nbqa"
    # rules share triggers ("fit", the web frameworks...): search the text once for each
    found: Dict[str, bool] = {}
    stats = _trigger_stats
    order = _trigger_order
    lowered: Optional[str] = None
    for cls in rule_classes:
        triggers = cls.triggers
        if triggers and not (nbqa and not cls.gate_under_nbqa):
            known = order.get(cls)
            if known is None:
                if len(order) > 10_000:  # rule classes made per run (user rules) in a long-lived process
                    order.clear()
                known = order[cls] = triggers
            triggers = known
            for trigger in triggers:
                if found.get(trigger):  # already found for another rule: no search
                    break
            else:
                for trigger in triggers:
                    if trigger in found:
                        continue  # already searched for another rule, absent
                    hit = found[trigger] = trigger in text
                    counter = stats.get(trigger)
                    if counter is None:
                        counter = stats[trigger] = [0, 0]
                    counter[0] += 1
                    if hit:
                        counter[1] += 1
                        break
                else:
                    if not cls.triggers_nocase:
                        continue
                    if lowered is None:
                        lowered = text.lower()
                    if not any(t in lowered for t in cls.triggers_nocase):
                        continue
        kept.append(cls)
    return kept


def run_rules(
    ctx: Context, rule_classes: Sequence[Type[Rule]], use_triggers: bool = True
) -> List[Tuple[int, int, str]]:
    """Walk ``ctx.tree`` once with every rule in ``rule_classes``; return the findings.
    Rules whose :attr:`~flake8_mlops.registry.Rule.triggers` do not occur in the source
    are not run (``use_triggers=False`` runs them anyway, for tests)."""
    if use_triggers:
        rule_classes = gate(ctx, rule_classes)
    visit_names, leave_names = _handler_table(rule_classes)
    instances: Dict[str, Rule] = {cls.code: cls(ctx) for cls in rule_classes}
    broken: Dict[str, bool] = {}
    facts_first = any(cls.uses_facts for cls in rule_classes)
    res = ctx.resolver

    def bound(names: Dict[type, List[Tuple[str, str]]], t: type) -> Tuple[Tuple[str, Handler], ...]:
        """The handlers of node type ``t``, bound to this file's rule instances when the
        walk first meets the type (most files use a fraction of the handled types)."""
        return tuple(
            (code, getattr(instances[code], attr[1:] if attr[0] == "#" else attr))
            for code, attr in names.get(t, ())
            if code not in broken
        )

    # per node type, computed on first sight in this file: (is statement, changes
    # bindings, opens a scope, needs a leave step, visit handlers, child fields in reverse
    # order, a C getter of those fields or None)
    plans: Dict[type, Tuple[bool, bool, bool, bool, Tuple[Tuple[str, Handler], ...], Tuple[str, ...], Optional[Callable]]] = {}
    leaves: Dict[type, Tuple[Tuple[str, Handler], ...]] = {}
    leave_types = _BIND_ON_LEAVE_SET | frozenset(leave_names)

    def plan_for(t: type) -> Tuple[bool, bool, bool, bool, Tuple[Tuple[str, Handler], ...], Tuple[str, ...], Optional[Callable]]:
        is_stmt, is_binder, is_scope, rfields, getter = _static_plan(t)
        handlers = bound(visit_names, t)
        if t is ast.Call:
            if facts_first and "facts" not in broken:
                # module facts are collected before any rule sees the call (they resolve
                # its name: every call name is then resolved on visit, as documented)
                handlers = (("facts", ctx.facts.see_call), *handlers)
            elif handlers or leave_names:
                # resolve the call's name on visit, before an assignment around it rebinds
                # names, whichever rule asks first (rules skip resolving calls they reject)
                handlers = (("names", ctx.call_name), *handlers)
        plan = (is_stmt, is_binder, is_scope, t in leave_types, handlers, rfields, getter)
        plans[t] = plan
        return plan

    def fail(code: str, node: object, exc: BaseException) -> None:
        """Switch ``code`` off for the rest of the file and report it once."""
        if broken.get(code):
            return
        broken[code] = True
        plans.clear()  # rebuilt without the broken rule's handlers
        leaves.clear()
        line = getattr(node, "lineno", 1) or 1
        ctx.add(line, 0, f"MLP000 internal error in {code} ({type(exc).__name__}); please report")

    tree = ctx.tree
    live, ignore = _live_types(visit_names, leave_names)
    lazy = _lazy_types(rule_classes, visit_names, leave_names, live)
    if lazy:
        # leaves that only lazily-visiting rules handle: not pushed until a rule asks
        live, ignore = set(live) - lazy, set(ignore) | lazy

        def visit_from_now_on(node_type: type) -> None:
            if node_type in lazy:
                live.add(node_type)  # type: ignore[union-attr]
                ignore.discard(node_type)  # type: ignore[union-attr]

        ctx._visit_hook = visit_from_now_on

    # stack items: (node, parent, enclosing statement), or (node, _LEAVE, (parent, stmt))
    # when leaving a node, or (node, _OPEN, None) where a def/class/lambda body starts
    stack: List[Tuple[ast.AST, object, object]] = [(tree, None, None)]
    push = stack.append
    pop = stack.pop
    ast_node = ast.AST
    skip = _SKIP
    while stack:
        node, parent, stmt = pop()
        if parent is _LEAVE:
            handlers = leaves.get(node.__class__)
            if handlers is None:
                handlers = leaves[node.__class__] = bound(leave_names, node.__class__)
            if handlers:
                ctx.parent, ctx.stmt = stmt  # type: ignore[misc]
                for code, handler in handlers:
                    try:
                        handler(node)
                    except Exception as exc:  # a rule bug must never abort flake8
                        fail(code, node, exc)
            _bind_leave(res, node)
            continue
        if parent is _OPEN:
            _open_scope(res, node)
            continue
        t = node.__class__
        plan = plans.get(t)
        if plan is None:
            plan = plan_for(t)
        is_stmt, is_binder, is_scope, has_leave, handlers, rfields, getter = plan
        if is_stmt:
            stmt = node
        if is_binder:
            _bind_enter(res, node)
        if handlers:
            ctx.parent = parent  # type: ignore[assignment]
            ctx.stmt = stmt  # type: ignore[assignment]
            for code, handler in handlers:
                try:
                    handler(node)
                except Exception as exc:  # a rule bug must never abort flake8
                    fail(code, node, exc)
        if is_scope:
            push((node, _LEAVE, (parent, stmt)))
            outer, inner = _scope_children(node)
            for child in reversed(inner):
                push((child, node, stmt))
            push((node, _OPEN, None))
            for child in reversed(outer):
                push((child, node, stmt))
            continue
        if has_leave:
            push((node, _LEAVE, (parent, stmt)))
        if not rfields:
            continue
        # children, pushed last-first so that they pop in source order; leaves nothing
        # looks at are never pushed (see _live_types)
        if getter is None:  # one field (Attribute, Expr, keyword...): no call needed
            values = (getattr(node, rfields[0], None),)
        else:
            try:
                values = getter(node)
            except AttributeError:  # a hand-made node missing a field
                values = tuple(getattr(node, name, None) for name in rfields)
        for value in values:
            cls = value.__class__
            if cls in live:
                push((value, node, stmt))
            elif cls is list:
                for item in reversed(value):  # type: ignore[call-overload]
                    if item.__class__ in live or (
                        item.__class__ not in ignore
                        and isinstance(item, ast_node)
                        and not isinstance(item, skip)
                    ):
                        push((item, node, stmt))
            elif cls not in ignore and isinstance(value, ast_node) and not isinstance(value, skip):
                push((value, node, stmt))  # a node class made after import (subclass)

    for code, rule in instances.items():
        finish = getattr(rule, "finish", None)
        if finish is None or code in broken:
            continue
        ctx.parent = None
        ctx.stmt = None
        try:
            finish()
        except Exception as exc:
            fail(code, None, exc)
    return ctx.findings
