"""Real-code sweep: every rule over a real tree of Python files must never raise.

Default tree: the standard library (about 0.8M lines, well under a minute). Set
``MLP_SWEEP=site-packages`` to sweep every installed package too (several minutes), or
``MLP_SWEEP=/some/dir`` for any folder. The run prints its wall time per 1,000 lines.
"""

from __future__ import annotations

import ast
import os
import site
import sysconfig
import time
import warnings
from pathlib import Path

import pytest

from flake8_mlops.context import Context
from flake8_mlops.dispatch import run_rules
from flake8_mlops.registry import all_rules


def _roots():
    choice = os.environ.get("MLP_SWEEP", "stdlib")
    if choice == "stdlib":
        return [Path(sysconfig.get_paths()["stdlib"])]
    if choice == "site-packages":
        return [Path(sysconfig.get_paths()["stdlib"])] + [Path(p) for p in site.getsitepackages()]
    return [Path(choice)]


@pytest.mark.sweep
def test_no_rule_raises_on_real_code():
    rules = all_rules()
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = lines = 0
    errors = []
    elapsed = 0.0
    seen = set()
    for root in _roots():
        for path in root.rglob("*.py"):
            if root == stdlib and "site-packages" in path.parts:
                continue  # the stdlib sweep is the stdlib only
            real = path.resolve()
            if real in seen:
                continue
            seen.add(real)
            try:
                source = path.read_text(encoding="utf-8")
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    tree = ast.parse(source)
            except (SyntaxError, ValueError, UnicodeDecodeError, OSError, RecursionError):
                continue
            text_lines = source.splitlines(True)
            start = time.perf_counter()
            findings = run_rules(Context(tree, str(path), text_lines), rules)
            elapsed += time.perf_counter() - start
            files += 1
            lines += len(text_lines)
            errors.extend(f"{path}:{ln}: {msg}" for ln, _, msg in findings if msg.startswith("MLP000"))
    per_k = 1e6 * elapsed / max(lines, 1)  # ms per 1,000 lines
    print(f"\nsweep: {files} files, {lines} lines, {elapsed:.1f}s in the plugin, {per_k:.2f} ms per 1,000 lines")
    assert files > 100
    assert not errors, "\n".join(errors[:20])
