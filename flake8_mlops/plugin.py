"""The flake8 entry point ``MLP``: one checker class for every MLPnnn rule.

flake8 instantiates :class:`Plugin` once per file with the AST it already parsed; the
plugin never parses, imports or executes the linted code itself. ``parse_options`` runs
once per process: it reads the ``--mlp-*`` options and prunes the rules that flake8's
decision engine would throw away anyway (``--select``/``--ignore``/``--extend-*``), falling
back to every rule if that internal API ever changes.
"""

from __future__ import annotations

import ast
import logging
from typing import Any, Iterator, List, Optional, Sequence, Tuple, Type

from . import __version__
from . import baseline as _baseline
from . import user_rules as _user_rules
from .context import Context
from .dispatch import run_rules
from .options import Config, collect_options, config_from_namespace
from .registry import Rule, all_rules

LOG = logging.getLogger(__name__)


def selected_rules(options: Any, rules: Sequence[Type[Rule]]) -> List[Type[Rule]]:
    """The rules flake8 would report, decided by flake8's own DecisionEngine.

    Any failure of that internal API keeps every rule (a slower run, never a lost one).
    """
    try:
        from flake8.style_guide import Decision, DecisionEngine

        engine = DecisionEngine(options)
        return [r for r in rules if engine.decision_for(r.code) is Decision.Selected]
    except Exception:  # pragma: no cover - depends on flake8 internals
        LOG.debug("flake8-mlops: DecisionEngine unavailable, running every rule", exc_info=True)
        return list(rules)


class Plugin:
    """flake8 AST plugin running every selected flake8-mlops rule in one walk."""

    name = "flake8-mlops"
    version = __version__

    _rules: Optional[List[Type[Rule]]] = None
    _config: Config = Config()
    _baseline: Optional[_baseline.Baseline] = None

    def __init__(self, tree: ast.AST, filename: str = "(none)", lines: Optional[Sequence[str]] = None):
        self.tree = tree
        self.filename = filename
        self.lines = lines if lines is not None else []

    @classmethod
    def add_options(cls, parser: Any) -> None:
        for opt in collect_options(all_rules()):
            parser.add_option(
                opt.flag,
                default=None,
                parse_from_config=True,
                comma_separated_list=opt.is_list,
                help=f"{opt.help} (default: {opt.default_text()})",
            )
        _baseline.add_option(parser)
        _user_rules.add_option(parser)

    @classmethod
    def parse_options(cls, options: Any) -> None:
        rules = all_rules()
        cls._config = config_from_namespace(options, collect_options(rules))
        # user rules (--mlp-rules, MLP9nn) are selected like built-in ones
        cls._rules = selected_rules(options, rules + _user_rules.from_options(options))
        cls._baseline = _baseline.from_options(options)

    def run(self) -> Iterator[Tuple[int, int, str, type]]:
        rules = self._rules if self._rules is not None else all_rules()
        if not rules:
            return
        try:
            ctx = Context(self.tree, self.filename, self.lines, self._config)
            findings = run_rules(ctx, rules)
        except Exception as exc:  # the engine itself must never abort flake8 either
            LOG.debug("flake8-mlops: engine failure on %s", self.filename, exc_info=True)
            yield (1, 0, f"MLP000 internal error in engine ({type(exc).__name__}); please report", type(self))
            return
        found = sorted(set(findings))
        if self._baseline is not None:
            try:
                found = self._baseline.filter(self.filename, self.tree, self.lines, found)
            except Exception:  # a baseline problem must not lose findings or abort flake8
                LOG.debug("flake8-mlops: baseline failure on %s", self.filename, exc_info=True)
        for line, col, text in found:
            yield line, col, text, type(self)


def lint_source(
    source: str,
    filename: str = "example.py",
    select: Optional[Sequence[str]] = None,
    config: Optional[Config] = None,
) -> List[Tuple[int, int, str]]:
    """Run the rules on a source string without flake8 (docs, tests, tooling).

    ``select`` is a list of codes or code prefixes; None runs every rule. Syntax errors
    give no findings, as under flake8 (which reports E999 itself).
    """
    try:
        tree = ast.parse(source, filename=filename)
    except (SyntaxError, ValueError):
        return []
    rules = all_rules()
    if select is not None:
        rules = [r for r in rules if any(r.code.startswith(s) for s in select)]
    ctx = Context(tree, filename, source.splitlines(keepends=True), config)
    return sorted(set(run_rules(ctx, rules)))
