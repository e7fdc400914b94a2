"""Recognise test modules (MLP006, MLP015; the file-name test also MLP016/MLP017, MLP110/MLP111, MLP115).

A module is a test module when it imports ``pytest``/``unittest`` or defines a
``test_*`` function at module or class level. Rules that mix this in get
``self._test_module`` filled during the walk and decide in ``finish()``.
"""

from __future__ import annotations

import ast
import os

TEST_FRAMEWORKS = ("pytest", "unittest")


def is_test_filename(filename: str) -> bool:
    """``test_*.py``, ``*_test.py`` and ``conftest.py``. Directories are not judged: a
    project checked out under a ``test/`` folder is not test code."""
    base = os.path.basename(filename or "")
    return base.startswith("test_") or base.endswith("_test.py") or base == "conftest.py"


class TestModuleMixin:
    """Adds ``_test_module`` (complete only in ``finish()``) to a rule."""

    _test_module = False

    def visit_Import(self, node: ast.Import) -> None:
        if any(a.name.split(".")[0] in TEST_FRAMEWORKS for a in node.names):
            self._test_module = True

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and not node.level and node.module.split(".")[0] in TEST_FRAMEWORKS:
            self._test_module = True

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        kind = self.ctx.scope.kind  # type: ignore[attr-defined]
        if node.name.startswith("test_") and kind in ("module", "class"):
            self._test_module = True

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]
