"""MLP003 unsafe-deserialization."""

from __future__ import annotations

import ast

from ...apis.serialization import SAFE_YAML_LOADERS, UNSAFE_LOADERS, UNSAFE_YAML_LOADERS
from ...registry import Rule, register


@register
class UnsafeDeserialization(Rule):
    """## What it does
    Flags calls that load a file format able to run code while it is read:
    `pickle`/`cPickle`/`dill`/`cloudpickle` `load`/`loads`/`Unpickler`, `jsonpickle.decode`,
    `shelve.open`, `joblib.load`, `pandas.read_pickle`, `numpy.load(..., allow_pickle=True)`,
    `torch.load` without `weights_only=True` (or with `weights_only=False`),
    `keras.models.load_model(..., safe_mode=False)` (also through `tf.keras`),
    `yaml.load`/`yaml.load_all` without a safe `Loader`, and `yaml.unsafe_load`/`full_load`.

    Names are resolved through imports: `import joblib as jl; jl.load(p)`,
    `from torch import load`, `from pickle import loads as pl` are all found, while a
    local `def load()` or a method such as `model.load(path)` is not.

    ## Why is this bad?
    Pickle-based formats store *instructions*, not just data: unpickling a file calls
    whatever callables the file names, so a model file from a shared drive, a bucket or
    a hub is code you run with your credentials. Virmani & Kuppam list the lack of
    security controls around model artifacts among the core MLOps antipatterns; a model
    that can be swapped by anyone who can write to its storage is an open door for model
    poisoning and remote code execution.

    ## Example
    ```python
    import joblib
    import torch

    model = joblib.load("model.joblib")
    state = torch.load("weights.pt")
    ```

    ## Use instead
    ```python
    import skops.io as sio
    import torch

    model = sio.load("model.skops", trusted=["sklearn.linear_model.LogisticRegression"])
    state = torch.load("weights.pt", weights_only=True)
    ```

    ## Options
    None.

    ## Known limitations
    - A keyword that is not a literal (`weights_only=flag`, `allow_pickle=cfg.allow`,
      `Loader=MyLoader`) or a `**kwargs` that may hold it gets the benefit of the doubt.
    - A `yaml` `Loader` that is not one of PyYAML's named classes (for example a
      project's own `SafeLoader` subclass) is assumed safe.
    - `torch.load` fires without `weights_only=True` even on torch ≥ 2.6, whose default
      is safe: the code then depends on the installed version, so spell it out.
    - Loads of files the same script just wrote are still reported; add `# noqa: MLP003`
      where the file never leaves the process's own control.
    - Not flagged: `torch.jit.load`, `torch.hub.load` (MLP005's concern),
      `mlflow.*.load_model`, `skops.io.load`, XGBoost/LightGBM native loads, safetensors.

    ## References
    - Virmani & Kuppam, "MLOps Antipatterns and Mitigation Approaches", IJCTT 72(2), 2024
      (seed 000), §4 Lack of Security and Governance, §4.3 Solution.
    - Python docs, [pickle — security warning](https://docs.python.org/3/library/pickle.html).
    - PyTorch docs, [torch.load](https://pytorch.org/docs/stable/generated/torch.load.html).
    - Bandit [B301](https://bandit.readthedocs.io/en/latest/blacklists/blacklist_calls.html#b301-pickle),
      B506 (yaml_load), B614 (pytorch_load); Ruff S301, S506.
    """

    code = "MLP003"
    triggers = ("load", "pickle", "Pickle", "shelve")
    name = "unsafe-deserialization"
    message = "{func}() can run code hidden in the file it loads; {fix}"
    confidence = "high"

    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        func = ctx.call_name(node)
        if func is None:
            return
        entry = UNSAFE_LOADERS.get(func)
        if entry is None:
            return
        cond = entry.condition
        if cond == "never":
            pass
        elif cond == "kw_true":
            kw = ctx.keyword(node, entry.keyword)
            if kw is None:
                if ctx.has_star_kwargs(node):
                    return
            elif not ctx.is_false(kw.value):
                return  # True, or a non-literal: benefit of the doubt
        elif cond == "kw_true_fires":
            if not ctx.is_true(ctx.kwarg(node, entry.keyword)):
                return
        elif cond == "kw_false_fires":
            if not ctx.is_false(ctx.kwarg(node, entry.keyword)):
                return
        elif cond == "yaml_loader":
            loader = ctx.arg(node, 1, entry.keyword)
            if loader is None:
                if ctx.has_star_kwargs(node) or ctx.has_star_args(node):
                    return
            else:
                loader_name = ctx.qualname(loader)
                if loader_name is None or loader_name in SAFE_YAML_LOADERS:
                    return
                if loader_name not in UNSAFE_YAML_LOADERS and "Safe" in loader_name:
                    return
                if loader_name.split(".")[0] != "yaml":
                    return
        self.report(node, func=func, fix=entry.fix)
