"""Plugin options: declared once, registered with flake8, parsed into a typed Config.

Every option is prefixed ``--mlp-`` (flake8 options share one global namespace) and is
readable from ``setup.cfg``, ``tox.ini`` and ``.flake8`` (``parse_from_config``). List
options are comma-separated. Rules declare the options they read in their ``options``
attribute so that the rule pages document them; the values live in :class:`Config`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Tuple


@dataclass(frozen=True)
class Option:
    """A ``--mlp-*`` option. ``default`` is a tuple for list options, else a str."""

    flag: str
    help: str
    default: Any = ()
    is_list: bool = True

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")

    @property
    def ini_name(self) -> str:
        return self.flag.lstrip("-")

    def default_text(self) -> str:
        if self.is_list:
            return ", ".join(self.default) if self.default else "(empty)"
        return str(self.default) if self.default else "(empty)"


def split_list(value: Any) -> Tuple[str, ...]:
    """Parse a comma/newline separated option value (or an already split list)."""
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        parts: Iterable[str] = (str(v) for v in value)
        text = ",".join(parts)
    else:
        text = str(value)
    return tuple(p.strip() for p in text.replace("\n", ",").split(",") if p.strip())


@dataclass
class Config:
    """The parsed values of every plugin option, keyed by option dest."""

    values: Dict[str, Any] = field(default_factory=dict)

    def get(self, option: Option) -> Any:
        return self.values.get(option.dest, option.default)

    def get_set(self, option: Option, extend_default: bool = True) -> FrozenSet[str]:
        """A list option as a set; user values extend the default unless told not to."""
        given = self.values.get(option.dest)
        if given is None:
            return frozenset(option.default)
        if extend_default:
            return frozenset(option.default) | frozenset(given)
        return frozenset(given)


def collect_options(rule_classes: Iterable[type]) -> List[Option]:
    """All options declared by the given rules, each flag once."""
    seen: Dict[str, Option] = {}
    for cls in rule_classes:
        for opt in getattr(cls, "options", ()):
            seen.setdefault(opt.flag, opt)
    return [seen[k] for k in sorted(seen)]


def config_from_namespace(options: Any, declared: Iterable[Option]) -> Config:
    values: Dict[str, Any] = {}
    for opt in declared:
        raw: Optional[Any] = getattr(options, opt.dest, None)
        if raw is None:
            continue
        values[opt.dest] = split_list(raw) if opt.is_list else str(raw)
    return Config(values)
