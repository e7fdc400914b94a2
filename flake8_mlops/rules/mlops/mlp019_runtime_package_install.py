"""MLP019 runtime-package-install."""

from __future__ import annotations

import ast
from typing import List, Optional, Tuple

from ...apis.packaging import (
    COMMAND_RUNNERS,
    IPYTHON_LINE_MAGIC_METHOD,
    IPYTHON_SHELL_METHODS,
    OPAQUE,
    PIP_MAIN_FUNCTIONS,
    describe,
    install_args,
    pip_main_args,
    split_shell,
    unpinned_requirements,
)
from ...notebook import nbqa_findings
from ...registry import Rule, register

#: the attribute calls this rule looks at: the last components of the command runners and
#: pip entry points (an attribute call's qualified name ends with its attribute) and
#: IPython's helpers; any other attribute call is rejected before its callee is resolved
_JUDGED_ATTRS = frozenset(
    {q.rsplit(".", 1)[-1] for q in (*COMMAND_RUNNERS, *PIP_MAIN_FUNCTIONS)}
    | IPYTHON_SHELL_METHODS
    | {IPYTHON_LINE_MAGIC_METHOD}
)

_FIX = "declare pinned dependencies (requirements.txt / pyproject) and install them before the code runs"


@register
class RuntimePackageInstall(Rule):
    """## What it does
    Flags code that installs Python packages while it runs, when any requirement is
    unpinned:

    - `subprocess.run`/`call`/`check_call`/`check_output`/`Popen`/`getoutput`,
      `os.system`, `os.popen`, `asyncio.create_subprocess_shell`/`_exec` running
      `pip install`, `pip3 install`, `python -m pip install`,
      `[sys.executable, "-m", "pip", "install", ...]`, `uv pip install`, or
      `conda`/`mamba`/`micromamba install` — as one command string, a list of words,
      `"...".split()` or `shlex.split("...")`;
    - pip's programmatic entry point (`pip.main(["install", ...])`);
    - IPython's helpers as notebooks exported to `.py` write them
      (`get_ipython().system("pip install x")`, `get_ipython().run_line_magic("pip", "install x")`);
    - in notebooks, `%pip install` / `!pip install` lines (see *Notebook behavior*).

    A requirement is **unpinned** when it is a bare name (`torch`), a range
    (`torch>=2`, `~=`, `<`, `!=`), a wildcard (`==2.*`) or a VCS link with no ref or a
    moving branch (`git+https://…@main`). **Pinned** (no finding): `pkg==1.2.3`
    (`pkg=1.2.3` for conda), `-r requirements.txt` / `-c constraints.txt` /
    `--file env.txt` (assumed to be a lock), local projects and archives (`-e .`, `.`,
    `./libs/x`, `dist/x.whl`), VCS links at a commit or tag. The installer's own tooling is
    not exempt (`pip install -U pip` fires). `pip freeze`, `pip list`,
    `pip show` and a `pip install` inside a message string (`print`, `raise`, logging)
    are not installs.

    A requirement that is not a literal (an f-string hole, `{pkg}`/`$PKG` in a magic)
    gets the benefit of the doubt, with two exceptions the rule follows: a loop variable
    over a literal list (`for pkg in ["xgboost", "lightgbm"]: ... pkg`). A function
    parameter (`def install(package): ...`) is not a literal and gets the benefit of the
    doubt, whatever its callers pass. The
    finding is on the first line of the installing call.

    ## Why is this bad?
    Installing packages from code makes the environment depend on the moment the code
    runs: an unpinned `pip install` pulls whatever version is newest that day, so two
    runs of the same notebook or job train with different libraries, a release breaks
    production without any change to your code, and nothing in the repository states
    what the model needs. Virmani & Kuppam (seed 000, §2) describe exactly this gap
    between a data scientist's environment and production, and recommend declaring
    pinned dependencies (`requirements.txt`, a Dockerfile) instead.

    ## Example
    ```python
    import subprocess
    import sys

    subprocess.check_call([sys.executable, "-m", "pip", "install", "lightgbm"])
    ```

    ## Use instead
    ```python
    import subprocess
    import sys

    # requirements.txt: lightgbm==4.3.0 (or better: install it in the image / venv)
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-r", "requirements.txt"])
    subprocess.check_call([sys.executable, "-m", "pip", "install", "lightgbm==4.3.0"])
    print("missing lightgbm: run pip install lightgbm")
    ```

    ## Options
    None.

    ## Notebook behavior
    `nbqa flake8` hides every IPython magic from flake8 plugins: a magic line in a mixed
    cell becomes a `hash("…")` placeholder, and a cell made only of magics (the usual
    `!pip install …` first cell, or a `%%bash` cell) is dropped. Both are covered by
    one scan of the `.ipynb` file:

    - under nbqa, the rule finds the original notebook next to nbqa's temporary file
      (`<stem><8 random characters>_nbqa_ipynb.py` -> `<stem>.ipynb`), reads it, and
      reports the install magics of *mixed* cells at the placeholder's line, so they come
      back as `nb.ipynb:cell_N:L:C: MLP019 …`;
    - `python -m flake8_mlops.notebook NOTEBOOK…` scans notebooks directly and prints
      every install-magic finding, dropped cells included, in the same format (exit
      status 1 when something was found, 2 when a notebook could not be read).

    Recognised magics: `!pip …`, `%pip …`, `%conda …`/`%mamba …`/`%uv …`, `!python -m pip …`,
    `!{sys.executable} -m pip …`, `out = !pip …`, `%sx`/`%system`, and `pip` lines of
    `%%bash`/`%%sh`/`%%script bash` cells; `%%capture`/`%%time` cells are read as IPython.
    Because the magic line is replaced by the placeholder, flake8's `# noqa` cannot be
    used on it; a `# noqa` or `# noqa: MLP019` comment at the end of the magic line itself
    is honoured by both entry points instead.

    ## Known limitations
    - Requirements files are not opened: `-r requirements.txt` is assumed to pin.
    - A ref in a VCS link that is not a known moving branch (`@v1.2`, `@release`) is
      taken as a pin.
    - A command built at run time (`cmd = ["pip", "install"] + extra`, a command from a
      config file) is not followed; only literal words, once-bound constants and loop
      variables over literal lists are read; helper parameters are not followed.
    - In notebooks, a line inside a multi-line Python string that starts with `!pip` is
      read as a magic; a notebook whose cells nbqa drops or keeps differently from
      nbqa 1.x (for example with `--nbqa-process-cells`) is skipped silently under nbqa
      (the `python -m flake8_mlops.notebook` entry point still reports it).
    - `apt-get install`, `npm install` and other system package managers are not
      judged.

    ## References
    - Virmani & Kuppam, "MLOps Antipatterns and Mitigation Approaches", IJCTT 72(2), 2024
      (seed 000), §2 Disconnected Development and Operations, §2 solution
      (requirements.txt with specific versions, containerisation).
    - pip docs, [Repeatable installs](https://pip.pypa.io/en/stable/topics/repeatable-installs/).
    - IPython docs, [%pip magic](https://ipython.readthedocs.io/en/stable/interactive/magics.html#magic-pip).
    - nbQA docs, [Known limitations: magics](https://nbqa.readthedocs.io/en/latest/known-limitations.html).
    """

    code, name = "MLP019", "runtime-package-install"
    added_in = "0.2.0"
    triggers = ("install",)
    gate_under_nbqa = False  # nbqa hides `!pip install` magics from the text
    message = "{api} installs unpinned {names} at run time; {fix}"
    confidence = "high"

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        #: loop variable -> literal values, for the loops we are inside
        self._loops: List[Tuple[str, List[str]]] = []

    # ------------------------------------------------------------- loops
    def visit_For(self, node: ast.For) -> None:
        values: Optional[List[str]] = None
        if isinstance(node.target, ast.Name) and isinstance(node.iter, (ast.List, ast.Tuple, ast.Set)):
            values = []
            for elt in node.iter.elts:
                text = self.ctx.literal_str(elt)
                if text is None:
                    values = None
                    break
                values.append(text)
        name = node.target.id if values is not None else ""  # type: ignore[union-attr]
        self._loops.append((name, values or []))

    def leave_For(self, node: ast.For) -> None:
        if self._loops:
            self._loops.pop()

    # ------------------------------------------------------------ commands
    def _words(self, expr: Optional[ast.expr], depth: int = 0) -> Optional[List[List[str]]]:
        """The command(s) an argument holds, as lists of words (None: unreadable)."""
        if expr is None or depth > 3:
            return None
        ctx = self.ctx
        text = ctx.literal_str(expr)
        if text is not None:
            return split_shell(text)
        if isinstance(expr, ast.JoinedStr):
            parts = []
            for v in expr.values:
                if isinstance(v, ast.Constant) and isinstance(v.value, str):
                    parts.append(v.value)
                else:
                    parts.append(" {} " if self._is_executable(v) else "{x}")
            return split_shell("".join(parts))
        if isinstance(expr, (ast.List, ast.Tuple)):
            words: List[str] = []
            for e in expr.elts:
                if isinstance(e, ast.Starred):
                    inner = self._constant_list(e.value)
                    words.extend(inner if inner is not None else [OPAQUE])
                else:
                    words.append(self._word(e))
            return [words]
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            # ["pip", "install"] + PACKAGES
            left = self._words(expr.left, depth + 1)
            right = self._words(expr.right, depth + 1)
            if left is not None and len(left) == 1 and isinstance(expr.left, (ast.List, ast.Tuple, ast.Name)):
                tail = right[0] if right is not None and len(right) == 1 else [OPAQUE]
                if isinstance(expr.right, (ast.List, ast.Tuple, ast.Name)):
                    return [left[0] + tail]
            return None
        if isinstance(expr, ast.Call):
            func = expr.func
            # "pip install x".split() / shlex.split("pip install x")
            if isinstance(func, ast.Attribute) and func.attr == "split" and not expr.args:
                text = ctx.literal_str(func.value)
                if text is not None:
                    return [text.split()]
            if ctx.call_name(expr) == "shlex.split" and expr.args:
                text = ctx.literal_str(expr.args[0])
                if text is not None:
                    return split_shell(text)
            return None
        if isinstance(expr, ast.Name):
            value = ctx.resolver.constant(expr.id)
            if isinstance(value, (ast.List, ast.Tuple, ast.JoinedStr, ast.Call)):
                return self._words(value, depth + 1)
        return None

    def _constant_list(self, expr: ast.expr) -> Optional[List[str]]:
        """The words of a name bound once to a list/tuple literal (``*REQUIREMENTS``)."""
        if isinstance(expr, (ast.List, ast.Tuple)):
            value: Optional[ast.expr] = expr
        elif isinstance(expr, ast.Name):
            value = self.ctx.resolver.constant(expr.id)
        else:
            return None
        if not isinstance(value, (ast.List, ast.Tuple)):
            return None
        return [self._word(e) if not isinstance(e, ast.Starred) else OPAQUE for e in value.elts]

    def _is_executable(self, expr: ast.AST) -> bool:
        if isinstance(expr, ast.FormattedValue):
            expr = expr.value
        return self.ctx.qualname(expr) == "sys.executable"

    def _word(self, expr: ast.expr) -> str:
        ctx = self.ctx
        text = ctx.literal_str(expr)
        if text is not None:
            return text
        if self._is_executable(expr):
            return OPAQUE
        if isinstance(expr, ast.Name):
            for name, values in reversed(self._loops):
                if name == expr.id:
                    return "\x01" + expr.id  # resolved below, per loop value
            if self._param_index(expr.id) is not None:
                return "\x02" + expr.id
        return OPAQUE

    def _param_index(self, name: str) -> Optional[int]:
        scope = self.ctx.scope
        node = scope.node
        if scope.kind != "function" or not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        params = [*node.args.posonlyargs, *node.args.args]
        for i, arg in enumerate(params):
            if arg.arg == name:
                return i
        for arg in node.args.kwonlyargs:
            if arg.arg == name:
                return -1
        return None

    def _command_expr(self, node: ast.Call, how: str) -> Optional[ast.expr]:
        ctx = self.ctx
        if how == "exec":
            if not node.args or any(isinstance(a, ast.Starred) for a in node.args):
                return None
            return ast.List(elts=list(node.args), ctx=ast.Load())
        return ctx.arg(node, 0, "args" if how == "argv" else "cmd") or ctx.arg(node, 0, "command")

    # ------------------------------------------------------------ handlers
    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        func = node.func
        if type(func) is ast.Attribute and func.attr not in _JUDGED_ATTRS:
            return  # cheap exit before resolving the callee: not a runner, pip or IPython
        qual = ctx.call_name(node)
        commands: Optional[List[List[str]]] = None
        api = qual or ""
        pip_main = False
        if qual in COMMAND_RUNNERS:
            commands = self._words(self._command_expr(node, COMMAND_RUNNERS[qual]))
            api = qual + "()"
        elif qual in PIP_MAIN_FUNCTIONS:
            first = ctx.arg(node, 0, "args")
            commands = self._words(first)
            pip_main = True
            api = qual + "()"
        else:
            got = self._ipython(node)
            if got is None:
                return
            api, commands = got
        if not commands:
            return
        for words in commands:
            got = pip_main_args(words) if pip_main else install_args(words)
            if got is None:
                continue
            tool, args = got
            self._judge(node, api, tool, args)

    def _ipython(self, node: ast.Call) -> Optional[Tuple[str, Optional[List[List[str]]]]]:
        """``get_ipython().system("pip install x")`` / ``.run_line_magic("pip", "install x")``."""
        func = node.func
        if not isinstance(func, ast.Attribute) or not isinstance(func.value, ast.Call):
            return None
        inner = func.value.func
        if not isinstance(inner, ast.Name) or inner.id != "get_ipython":
            return None
        bound = self.ctx.resolver.binding("get_ipython")
        if bound is not None and not bound.startswith("IPython"):
            return None
        ctx = self.ctx
        if func.attr in IPYTHON_SHELL_METHODS and node.args:
            return "get_ipython()." + func.attr + "()", self._words(node.args[0])
        if func.attr == IPYTHON_LINE_MAGIC_METHOD and len(node.args) >= 2:
            magic = ctx.literal_str(node.args[0])
            line = ctx.literal_str(node.args[1])
            if magic in ("pip", "conda", "mamba", "micromamba", "uv") and line is not None:
                return "%" + magic, split_shell(magic + " " + line)
            if magic in ("sx", "system") and line is not None:
                return "%" + magic, split_shell(line)
        return None

    def _judge(self, node: ast.Call, api: str, tool: str, args: List[str]) -> None:
        # loop variables over literal lists: judge every value
        expanded: List[str] = []
        params: List[str] = []
        for word in args:
            if word.startswith("\x01"):
                name = word[1:]
                for loop_name, values in reversed(self._loops):
                    if loop_name == name:
                        expanded.extend(values)
                        break
            elif word.startswith("\x02"):
                params.append(word[1:])
                expanded.append(OPAQUE)
            else:
                expanded.append(word)
        names = unpinned_requirements(tool, expanded)
        if names:
            self.report(node, api=api, names=describe(names), fix=_FIX)
            return
        # a helper's parameter (``def install(pkg): pip install pkg``) is not a literal:
        # the catalogue gives it the benefit of the doubt, whatever its callers pass

    def finish(self) -> None:
        if self.ctx.notebook == "nbqa":
            for line, col, text in nbqa_findings(self.ctx.filename, self.ctx.lines):
                self.report((line, col), message=text.replace("{", "{{").replace("}", "}}"))
