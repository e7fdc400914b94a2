"""flake8_mlops.lazy_re: patterns compile on first use and then behave as re's own."""

from __future__ import annotations

import re

import pytest

from flake8_mlops import lazy_re
from flake8_mlops.registry import all_rules


def test_compiles_on_first_use_only() -> None:
    pattern = lazy_re.compile(r"(?P<word>ab+)c", re.I)
    assert "search" not in vars(pattern)
    m = pattern.search("xxABBc")
    assert m is not None and m.group("word") == "ABB"
    # afterwards the compiled pattern's own bound methods are on the instance
    assert "search" in vars(pattern)
    assert pattern.compiled() is pattern.compiled()
    assert pattern.compiled().pattern == r"(?P<word>ab+)c"
    assert pattern.flags & re.I
    assert pattern.sub("-", "abc abbc") == "- -"
    assert pattern.groupindex["word"] == 1


def test_bad_pattern_fails_at_first_use() -> None:
    pattern = lazy_re.compile(r"(unclosed")
    with pytest.raises(re.error):
        pattern.match("x")


def test_every_pattern_of_the_plugin_compiles() -> None:
    list(all_rules())  # imports every rule and API table
    mine = [p for p in lazy_re.ALL if p._source[0] != r"(unclosed"]
    assert len(mine) > 60  # the tables' patterns are made lazily
    for pattern in mine:
        assert isinstance(pattern.compiled(), re.Pattern), pattern
