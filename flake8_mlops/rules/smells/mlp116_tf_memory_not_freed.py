"""MLP116 tf-memory-not-freed."""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Set, Tuple

from ...apis.models import model_constructor
from ...apis.torch_modes import CLEAR_SESSION, KERAS_BASES, KERAS_BUILDERS
from ...names import LOCAL
from ...registry import Rule, register


class _Loop:
    __slots__ = ("parent", "clear", "calls", "builds")

    def __init__(self, parent: Optional["_Loop"]) -> None:
        self.parent = parent
        self.clear = False
        #: names of local functions called in the loop (nested loops included)
        self.calls: Set[str] = set()
        #: (call, local function name or None for a direct Keras constructor)
        self.builds: List[Tuple[ast.Call, Optional[str], str]] = []


class _Func:
    __slots__ = ("builds", "clears", "callees")

    def __init__(self) -> None:
        self.builds = False
        self.clears = False
        self.callees: Set[str] = set()


class _Frame:
    __slots__ = ("func", "loops")

    def __init__(self, func: Optional[_Func]) -> None:
        self.func = func
        self.loops: List[_Loop] = []


@register
class TfMemoryNotFreed(Rule):
    """## What it does
    Flags a Keras / TensorFlow model built inside a `for` or `while` loop when nothing in
    the loop frees the previous models' state with `clear_session()`. Reported on the
    construction line inside the loop.

    *Building a model* is a call of `keras.Sequential`, `keras.Model` (functional or
    subclass API), `keras.models.Sequential`/`Model`/`clone_model`, a
    `keras.applications.*` network (all spellings: `tf.keras…`, `tensorflow.keras…`,
    `from keras.models import Sequential`), an instance of a class of the file deriving
    from `keras.Model`, or a call of a function of the file that builds one (followed
    through the file's own functions: `build_model(hp)`, `train_fold(i)` that calls
    `build_model()`).

    *Freeing* is a call of `keras.backend.clear_session()` / `keras.utils.clear_session()`
    (also `tf.keras.backend.clear_session()`, `from keras import backend as K;
    K.clear_session()`, TF1's `tf.compat.v1.reset_default_graph()`) anywhere in the loop
    body or an enclosing loop, at the start or the end, directly or inside a function of
    the file called from the loop — including the builder itself
    (`def build_model(): keras.backend.clear_session(); ...`).

    Not flagged: a model built once outside the loop; layers added in a loop
    (`model.add(Dense(...))` builds no new model); keras-tuner's `tuner.search(...)`
    (the tuner manages sessions); PyTorch models built in a loop; models built in a
    comprehension (`[build() for _ in range(3)]`, an ensemble kept on purpose).

    ## Why is this bad?
    Keras keeps global state for every model it creates (the graph, layer-name
    counters, cached functions, optimizer slots). Building one model per fold, per
    hyperparameter or per experiment in a loop therefore grows memory with every
    iteration and slows each new build down, until a long search runs out of (GPU)
    memory. `del model` and `gc.collect()` alone do not release that global state.
    Zhang et al. catalogue this as *Memory not Freed*.

    ## Example
    ```python
    from tensorflow import keras

    for units in (32, 64, 128):
        model = keras.Sequential([keras.layers.Dense(units, activation="relu"), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(X_train, y_train, epochs=10)
    ```

    ## Use instead
    ```python
    from tensorflow import keras

    for units in (32, 64, 128):
        keras.backend.clear_session()
        model = keras.Sequential([keras.layers.Dense(units, activation="relu"), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(X_train, y_train, epochs=10)
    ```

    ## Options
    None.

    ## Known limitations
    - `del model` followed by `gc.collect()` is *not* accepted as freeing (it does not
      reset Keras' global state); a project helper with another name that calls
      `clear_session()` is only seen when it is defined in the same file.
    - Builders imported from other modules (`from models import build_model`) are not
      followed: a loop that only calls them is not reported.
    - `keras.models.load_model(...)` in a loop is not counted as building a model.
    - An ensemble deliberately kept in memory (`models.append(model)` in the loop)
      is still reported: clearing the session would break the kept models; add
      `# noqa: MLP116` there.
    - Any clear in the loop counts, even under a condition that rarely holds.

    ## References
    - Zhang, Cruz, van Deursen, "Code Smells for Machine Learning Applications",
      CAIN 2022, smell 12 "Memory not Freed".
    - Keras docs, [clear_session](https://keras.io/api/utils/config_utils/#clearsession-function)
      ("If you are creating many models in a loop, this global state will consume an
      increasing amount of memory over time").
    """

    code = "MLP116"
    added_in = "0.2.0"
    name = "tf-memory-not-freed"
    message = (
        "{what} builds a new Keras model on every iteration of this loop without "
        "clear_session(): Keras' global state keeps every old model and memory grows; "
        "call keras.backend.clear_session() at the start of the loop body"
    )
    confidence = "medium"
    triggers = ("keras",)

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self._frames: List[_Frame] = [_Frame(None)]
        self._funcs: Dict[str, _Func] = {}
        self._keras_classes: Set[str] = set()
        self._loops: List[_Loop] = []

    # ------------------------------------------------------------ frames
    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        func = self._funcs.get(node.name)
        if func is None:
            func = self._funcs[node.name] = _Func()
        self._frames.append(_Frame(func))

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def leave_FunctionDef(self, node: ast.AST) -> None:
        if len(self._frames) > 1:
            self._frames.pop()

    leave_AsyncFunctionDef = leave_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for base in node.bases:
            q = self.ctx.qualname(base)
            if (q is not None and q in KERAS_BASES) or (
                isinstance(base, ast.Name) and base.id in self._keras_classes
            ):
                self._keras_classes.add(node.name)
        self._frames.append(_Frame(None))

    def leave_ClassDef(self, node: ast.ClassDef) -> None:
        if len(self._frames) > 1:
            self._frames.pop()

    # ------------------------------------------------------------- loops
    def visit_For(self, node: ast.AST) -> None:
        frame = self._frames[-1]
        loop = _Loop(frame.loops[-1] if frame.loops else None)
        frame.loops.append(loop)
        self._loops.append(loop)

    visit_AsyncFor = visit_While = visit_For  # type: ignore[assignment]

    def leave_For(self, node: ast.AST) -> None:
        frame = self._frames[-1]
        if not frame.loops:
            return
        loop = frame.loops.pop()
        if loop.parent is not None:
            loop.parent.clear = loop.parent.clear or loop.clear
            loop.parent.calls |= loop.calls

    leave_AsyncFor = leave_While = leave_For  # type: ignore[assignment]

    # ------------------------------------------------------------- calls
    def visit_Call(self, node: ast.Call) -> None:
        frame = self._frames[-1]
        loop = frame.loops[-1] if frame.loops else None
        func = node.func
        q = self.ctx.call_name(node)
        if q is not None:
            if q in CLEAR_SESSION:
                if frame.func is not None:
                    frame.func.clears = True
                if loop is not None:
                    loop.clear = True
                return
            if not self._is_keras_builder(q):
                return
            what = q.rsplit(".", 1)[-1] + "(...)"
            if frame.func is not None:
                frame.func.builds = True
            if loop is not None and not self._in_comprehension(node):
                loop.builds.append((node, None, what))
            return
        if not isinstance(func, ast.Name):
            if isinstance(func, ast.Attribute) and func.attr == "clear_session":
                # ``backend.clear_session()`` through an unresolved module object
                if frame.func is not None:
                    frame.func.clears = True
                if loop is not None:
                    loop.clear = True
            return
        name = func.id
        if self.ctx.resolver.binding(name) not in (LOCAL, None):
            return
        if name in self._keras_classes:
            if frame.func is not None:
                frame.func.builds = True
            if loop is not None and not self._in_comprehension(node):
                loop.builds.append((node, None, f"{name}(...)"))
            return
        if frame.func is not None:
            frame.func.callees.add(name)
        if loop is not None:
            loop.calls.add(name)
            if not self._in_comprehension(node):
                loop.builds.append((node, name, f"{name}(...)"))

    def _in_comprehension(self, node: ast.Call) -> bool:
        parent = self.ctx.parent
        return isinstance(parent, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)) and (
            getattr(parent, "elt", None) is node or getattr(parent, "value", None) is node
        )

    @staticmethod
    def _is_keras_builder(q: str) -> bool:
        if q in KERAS_BUILDERS:
            return True
        info = model_constructor(q)
        return info is not None and info.library == "keras" and info.kind in ("network", "pretrained")

    # ------------------------------------------------------------ finish
    def finish(self) -> None:
        builds = {n for n, f in self._funcs.items() if f.builds}
        clears = {n for n, f in self._funcs.items() if f.clears}
        changed = True
        rounds = 0
        while changed and rounds < 20:
            changed = False
            rounds += 1
            for n, f in self._funcs.items():
                if n not in builds and f.callees & builds:
                    builds.add(n)
                    changed = True
                if n not in clears and f.callees & clears:
                    clears.add(n)
                    changed = True
        reported: Set[int] = set()
        for loop in self._loops:
            for call, local, what in loop.builds:
                if local is not None and local not in builds:
                    continue
                if local is not None and local in clears:
                    continue
                if self._loop_clears(loop, clears) or id(call) in reported:
                    continue
                reported.add(id(call))
                self.report(call, what=what)

    @staticmethod
    def _loop_clears(loop: Optional[_Loop], clears: Set[str]) -> bool:
        while loop is not None:
            if loop.clear or loop.calls & clears:
                return True
            loop = loop.parent
        return False
