"""Regular expressions compiled on first use.

The rule tables hold about 80 module-level patterns. Compiling them all when flake8 loads
the plugin was about half of the plugin's import cost, and a typical run uses half of
them (most key shapes, mount points and packaging spellings are only tried once a cheap
substring test has passed). :func:`compile` returns a stand-in that compiles its pattern
the first time any attribute is asked for; from then on ``search``/``match``/... are the
compiled pattern's own bound methods, stored on the instance, so a hot call costs what
it costs on a real pattern.
"""

from __future__ import annotations

import re
from typing import Any, List

# what a rule may call on a pattern; each becomes an instance attribute on first use
_DELEGATED = (
    "search", "match", "fullmatch", "sub", "subn", "finditer", "findall", "split",
    "pattern", "flags", "groups", "groupindex",
)


#: every pattern made here, so that a test can compile them all (a typo in a rarely used
#: pattern must fail the suite, not a user's run)
ALL: List["LazyPattern"] = []


class LazyPattern:
    """A stand-in for ``re.compile(pattern, flags)`` that compiles on first use."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._source = (pattern, flags)
        ALL.append(self)

    def compiled(self) -> "re.Pattern[str]":
        """The real pattern (compiled now if it was not yet)."""
        real = re.compile(*self._source)
        for name in _DELEGATED:
            setattr(self, name, getattr(real, name))
        self.compiled = lambda: real  # type: ignore[method-assign]
        return real

    def __getattr__(self, name: str) -> Any:
        # only reached while the pattern is not compiled yet (afterwards the delegated
        # names are instance attributes) or for a name not delegated
        if name.startswith("__") or name == "_source":
            raise AttributeError(name)
        return getattr(self.compiled(), name)

    def __repr__(self) -> str:
        return f"lazy_re.compile({self._source[0]!r}, {self._source[1]!r})"


def compile(pattern: str, flags: int = 0) -> Any:  # noqa: A001 - mirrors re.compile
    """``re.compile``, deferred until the pattern is first used (see the module doc).

    Typed ``Any`` so that call sites keep their ``re.Pattern`` annotations."""
    return LazyPattern(pattern, flags)
