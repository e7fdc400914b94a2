"""MLP015 machine-specific-path."""

from __future__ import annotations

import ast
from typing import List, Optional, Tuple

from ...apis.paths import COMPARE_METHODS, PATTERN_CALLS, PROSE_KEYWORDS, machine_specific
from ...registry import Rule, register
from ._test_modules import TestModuleMixin


def _shown(text: str) -> str:
    text = text.strip()
    return repr(text if len(text) <= 60 else text[:57] + "...")


@register
class MachineSpecificPath(TestModuleMixin, Rule):
    """## What it does
    Flags string literals that are absolute paths tied to one person's machine or one
    hosted notebook service:

    - home folders: `/Users/<name>/…` (macOS), `/home/<name>/…` (Linux),
      `C:\\Users\\<name>\\…` / `C:/Users/<name>/…` (Windows);
    - any other drive-letter path with at least one component (`D:\\datasets\\x.csv`,
      `E:/models`);
    - personal folders under the home directory: `~/Downloads`, `~/Desktop`,
      `~/Documents`, `~/Dropbox`, `~/OneDrive` (also spelled `$HOME/...`);
    - hosted-notebook mounts: `/content/drive` (Colab's Google Drive) and
      `/kaggle/input` (Kaggle datasets);
    - the same locations written as `file://` URLs.

    The literal must *be* the path (it starts with it, leading spaces aside); f-strings
    are judged by their first literal part, and a once-bound constant is reported where
    the literal is written. The finding is on the literal's own line, also inside
    multi-line calls, dicts and statements.

    Not flagged: other URLs, `~/.cache/...` and other home-relative tool folders,
    `Path.home()`, `/opt/ml` (SageMaker), `/mnt`, `/tmp`, `/app`, `/srv`, `/data`,
    `/workspace`, a bare drive (`"C:"`, `"D:\\"`), templated names (`/home/<user>`,
    `/Users/{user}`, `/home/$USER`), the homes of shared images and CI runners
    (`/home/jovyan`, `/home/runner`), and strings that are not locations: docstrings and
    other bare string statements, `help=`/`description=`/`epilog=`/`usage=`/`metavar=`
    texts, regular expressions and glob patterns given to `re`/`fnmatch`, prefixes given
    to `startswith`/`endswith`/`replace`, operands of comparisons and strings inside
    `assert` statements, and every string of a test module (one that imports
    `pytest`/`unittest` or defines `test_*` functions), where fake paths are test data
    for path-handling code.

    ## Why is this bad?
    A path into someone's home folder, Downloads folder, a Windows drive or a Colab
    Drive mount runs only where it was written: the next person, the CI job, the
    scheduler and the production container all fail, or, worse, silently read a
    different file that happens to be there. It is the code-level trace of the "local
    notebook" and "disconnected development and operations" antipatterns: work that
    cannot move from one machine to the pipeline.

    ## Example
    ```python
    import pandas as pd

    df = pd.read_csv("/Users/ana/Downloads/churn_2023.csv")
    MODEL_DIR = r"C:\\Users\\ana\\models"
    ```

    ## Use instead
    ```python
    import os
    from pathlib import Path

    import pandas as pd

    DATA_DIR = Path(os.environ.get("DATA_DIR", "data"))
    df = pd.read_csv(DATA_DIR / "churn_2023.csv")
    CACHE = Path("~/.cache/acme").expanduser()
    MODEL_DIR = Path("/opt/ml/model")
    ```

    ## Options
    None.

    ## Known limitations
    - A path assembled from pieces (`os.path.join("/Users", user, "data")`,
      `Path.home() / "Downloads"`) is not judged.
    - `/root/...`, `/Volumes/...`, network shares (`\\\\server\\share`) and other
      machine-level locations are not flagged: they are often container or mount
      conventions rather than one person's machine.
    - A path that appears only inside a longer string (a shell command, a log message)
      is not flagged.
    - Every drive-letter path fires, including system paths such as
      `C:\\Program Files\\Tesseract-OCR\\tesseract.exe`: they tie the code to one
      Windows set-up too; use a configuration value or `shutil.which`.

    ## References
    - Virmani & Kuppam, "MLOps Antipatterns and Mitigation Approaches", IJCTT 72(2), 2024
      (seed 000), §2 Disconnected Development and Operations.
    - Prathish, "7 MLOps 'Smells'" (seed 002), smell #3 "You use local notebooks".
    - Python docs, [pathlib.Path.home](https://docs.python.org/3/library/pathlib.html#pathlib.Path.home).
    """

    code, name = "MLP015", "machine-specific-path"
    added_in = "0.2.0"
    triggers = ("/Users/", "/home/", ":\\", ":/", "~/", "~\\", "HOME", "/content/", "/kaggle/")
    message = "{path} points into {why}, which exists on one machine only; {fix}"
    confidence = "high"

    _FIX = (
        "take the location from configuration or an environment variable, "
        "or use a path relative to the project"
    )

    def _skipped(self, node: ast.AST) -> bool:
        ctx = self.ctx
        parent = ctx.parent
        if isinstance(parent, ast.Expr):
            return True  # docstrings and other bare strings
        if isinstance(parent, (ast.Compare, ast.JoinedStr, ast.FormattedValue)):
            return True
        if isinstance(parent, ast.keyword) and parent.arg in PROSE_KEYWORDS:
            return True
        if isinstance(ctx.stmt, ast.Assert):
            return True
        if isinstance(parent, ast.Call) and node in parent.args:
            func = parent.func
            if isinstance(func, ast.Attribute) and func.attr in COMPARE_METHODS:
                return True
            if ctx.call_name(parent) in PATTERN_CALLS:
                return True
        if isinstance(parent, ast.Tuple):
            # ``p.startswith(("/Users/", ...))``: checked one level up via the stmt
            stmt = ctx.stmt
            call = getattr(stmt, "value", None)
            test = getattr(stmt, "test", None)
            for expr in (call, test):
                if (
                    isinstance(expr, ast.Call)
                    and isinstance(expr.func, ast.Attribute)
                    and expr.func.attr in COMPARE_METHODS
                    and parent in expr.args
                ):
                    return True
        return False

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self._found: List[Tuple[ast.AST, str, str]] = []

    def _check(self, node: ast.AST, text: str) -> None:
        why = machine_specific(text)
        if why is None or self._skipped(node):
            return
        self._found.append((node, text, why))

    def finish(self) -> None:
        if self._test_module:
            return  # fake paths are test data for path handling code
        for node, text, why in self._found:
            self.report(node, path=_shown(text), why=why, fix=self._FIX)

    # Every location machine_specific() accepts holds a "/" or a "\\" (home folders,
    # mounts and file:// URLs start with "/", drive paths and ~/$HOME folders need a
    # separator): two substring tests reject almost every string before the regexes.

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if type(value) is str and ("/" in value or "\\" in value):
            self._check(node, value)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        first: Optional[ast.AST] = node.values[0] if node.values else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            text = first.value
            if "/" not in text and "\\" not in text:
                return
            if len(node.values) > 1:
                text += "{}"  # a formatted value follows (a template user name is skipped)
            self._check(node, text)
