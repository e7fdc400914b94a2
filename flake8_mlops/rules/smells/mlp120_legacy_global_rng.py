"""MLP120 legacy-global-rng."""

from __future__ import annotations

import ast

from ...apis.numerics import LEGACY_GLOBAL_RNG, LEGACY_RNG_MODULES
from ...registry import Rule, register

#: legacy function -> the ``numpy.random.Generator`` method that replaces it
_GENERATOR_METHOD = {
    "rand": "random",
    "random_sample": "random",
    "ranf": "random",
    "sample": "random",
    "randn": "standard_normal",
    "randint": "integers",
    "random_integers": "integers",
}


@register
class LegacyGlobalRng(Rule):
    """## What it does
    Flags calls to NumPy's legacy global random state: `np.random.seed(...)` and the
    module-level distribution functions `np.random.rand`, `randn`, `randint`, `choice`,
    `shuffle`, `permutation`, `normal`, `uniform`, … (the list of Ruff NPY002), also
    through `from numpy.random import randn` or `import numpy.random as npr`.

    Not flagged: `np.random.default_rng(seed)` and every method of the `Generator` it
    returns, explicit `np.random.RandomState(seed)` instances and their methods, bit
    generators (`PCG64`, `SeedSequence`). A `RandomState` *instance* is legacy too, but
    its state is local and seedable, which is what this smell is about, and scikit-learn
    still accepts it as `random_state`.

    ## Why is this bad?
    The module-level functions share one hidden `RandomState` for the whole process:
    any library that draws from it, or re-seeds it, changes your numbers, and a
    `np.random.seed(42)` at the top of a script does not make a function that is
    imported and called elsewhere reproducible. Zhang et al. list uncontrolled
    randomness among the ML code smells ("Randomness Uncontrolled"); NumPy itself
    recommends creating a `Generator` with `default_rng(seed)` and passing it along.

    ## Example
    ```python
    import numpy as np

    np.random.seed(42)
    idx = np.random.permutation(len(X))
    noise = np.random.randn(100, 3)
    ```

    ## Use instead
    ```python
    import numpy as np

    rng = np.random.default_rng(42)
    idx = rng.permutation(len(X))
    noise = rng.standard_normal((100, 3))
    legacy = np.random.RandomState(0).randint(0, 10, size=5)
    ```

    ## Options
    None.

    ## Known limitations
    - `np.random.seed` inside a project's `seed_everything()` helper is still reported:
      seeding the global state is the legacy API this rule retires; add
      `# noqa: MLP120` where a third-party library really reads NumPy's global state.
    - An alias bound by assignment (`rnd = np.random; rnd.rand()`) is not followed.
    - Python's `random` module and `torch.manual_seed` are not this rule's concern
      (see MLP007 uncontrolled-randomness).

    ## References
    - Zhang, Cruz, van Deursen, "Code Smells for Machine Learning Applications",
      CAIN 2022, smell 14 "Randomness Uncontrolled".
    - NumPy docs, [Random sampling — quick start](https://numpy.org/doc/stable/reference/random/index.html)
      and [NEP 19](https://numpy.org/neps/nep-0019-rng-policy.html).
    - Ruff [NPY002](https://docs.astral.sh/ruff/rules/numpy-legacy-random/) (numpy-legacy-random).
    """

    code = "MLP120"
    added_in = "0.2.0"
    triggers = ("random",)
    name = "legacy-global-rng"
    message = "np.random.{func}() {what} NumPy's hidden global RNG; {fix}"
    confidence = "high"

    def visit_Call(self, node: ast.Call) -> None:
        func = self.ctx.call_name(node)
        if func is None:
            return
        module, _, attr = func.rpartition(".")
        if module not in LEGACY_RNG_MODULES or attr not in LEGACY_GLOBAL_RNG:
            return
        if attr == "seed":
            what = "seeds"
            fix = "create rng = np.random.default_rng(seed) and pass the Generator along"
        elif attr in ("get_state", "set_state"):
            what = "reads or replaces the state of"
            fix = "keep a np.random.default_rng(seed) Generator object instead"
        else:
            what = "draws from"
            method = _GENERATOR_METHOD.get(attr, attr)
            fix = f"use rng = np.random.default_rng(seed) and rng.{method}(...)"
        self.report(node, func=attr, what=what, fix=fix)
