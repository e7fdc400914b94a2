"""The resolver: qualified names through imports, aliases and scopes."""

from __future__ import annotations

import ast

import pytest

from flake8_mlops.context import Context
from flake8_mlops.dispatch import run_rules
from flake8_mlops.registry import Rule


def resolve_calls(source: str, filename: str = "m.py"):
    """{call source text: qualified name or None} for every call, as rules see them."""
    seen = {}

    class Probe(Rule):
        code, name, message = "MLP999", "probe", "probe"

        def visit_Call(self, node):
            seen[ast.unparse(node.func)] = self.ctx.call_name(node)

    tree = ast.parse(source)
    ctx = Context(tree, filename, source.splitlines(True))
    run_rules(ctx, [Probe])
    return seen


@pytest.mark.parametrize(
    "source, call, expected",
    [
        ("import joblib as jl\njl.load(p)", "jl.load", "joblib.load"),
        ("from torch import load as tl\ntl(p)", "tl", "torch.load"),
        ("import torch.hub\ntorch.hub.load(r)", "torch.hub.load", "torch.hub.load"),
        ("import torch.hub as th\nth.load(r)", "th.load", "torch.hub.load"),
        ("from torch import hub\nhub.load(r)", "hub.load", "torch.hub.load"),
        ("import cPickle\ncPickle.load(f)", "cPickle.load", "pickle.load"),
        ("import _pickle as p\np.loads(b)", "p.loads", "pickle.loads"),
        ("from sklearn.externals import joblib\njoblib.load(p)", "joblib.load", "joblib.load"),
        ("import tensorflow as tf\ntf.keras.models.load_model(p)", "tf.keras.models.load_model",
         "keras.models.load_model"),
        ("from tensorflow import keras\nkeras.models.load_model(p)", "keras.models.load_model",
         "keras.models.load_model"),
        # unbound conventional names: read as the library (VS Code lints one cell at a time)
        ("np.load(p)", "np.load", "numpy.load"),
        # relative imports are the user's own code
        ("from . import joblib\njoblib.load(p)", "joblib.load", None),
        # a local def shadows an earlier import from then on
        ("from joblib import load\ndef load(p):\n    pass\nload(p)", "load", None),
        # a later import re-binds
        ("def load(p):\n    pass\nfrom joblib import load\nload(p)", "load", "joblib.load"),
        # assignment shadows
        ("import pickle\npickle = Fake()\npickle.load(f)", "pickle.load", None),
        # unknown attribute chains on calls are not resolved
        ("import torch\ntorch.nn.Linear(1, 2).load(p)", "torch.nn.Linear(1, 2).load", None),
        # star import: unbound names are unknown
        ("from mylib import *\nnp.load(p)", "np.load", None),
    ],
)
def test_module_level(source, call, expected):
    assert resolve_calls(source)[call] == expected


def test_parameter_shadows_module_inside_function_only():
    src = (
        "import pickle\n"
        "def restore(pickle):\n"
        "    return pickle.load(f)\n"
        "x = pickle.loads(b)\n"
    )
    seen = resolve_calls(src)
    assert seen["pickle.load"] is None
    assert seen["pickle.loads"] == "pickle.loads"


def test_class_body_not_visible_from_methods():
    src = (
        "import joblib\n"
        "class Store:\n"
        "    joblib = None\n"
        "    def get(self):\n"
        "        return joblib.load(p)\n"
    )
    assert resolve_calls(src)["joblib.load"] == "joblib.load"


def test_import_inside_function_is_local_to_it():
    src = (
        "def f():\n"
        "    import joblib as jb\n"
        "    jb.load(p)\n"
        "def g():\n"
        "    jb.load(p)\n"
    )
    seen = []

    class Probe(Rule):
        code, name, message = "MLP999", "probe", "probe"

        def visit_Call(self, node):
            seen.append(self.ctx.call_name(node))

    ctx = Context(ast.parse(src), "m.py", src.splitlines(True))
    run_rules(ctx, [Probe])
    assert seen == ["joblib.load", None]


def test_once_bound_constants():
    src = (
        "MODEL = 'model.pkl'\n"
        "TWICE = 'a'\n"
        "TWICE = 'b'\n"
        "def f(param='x'):\n"
        "    local = 'local.pkl'\n"
        "    use(MODEL, TWICE, param, local)\n"
    )
    values = {}

    class Probe(Rule):
        code, name, message = "MLP999", "probe", "probe"

        def visit_Call(self, node):
            if isinstance(node.func, ast.Name) and node.func.id == "use":
                for a in node.args:
                    values[a.id] = self.ctx.literal_str(a)

    ctx = Context(ast.parse(src), "m.py", src.splitlines(True))
    run_rules(ctx, [Probe])
    assert values == {"MODEL": "model.pkl", "TWICE": None, "param": None, "local": "local.pkl"}


def test_notebook_modes_and_cell_display():
    from flake8_mlops.context import notebook_mode

    assert notebook_mode("nb7f3a9c1d_nbqa_ipynb.py", []) == "nbqa"
    assert notebook_mode("analysis.ipynb", []) == "cell"
    assert notebook_mode("script.py", ["# %%\n", "x = 1\n"]) == "percent"
    assert notebook_mode("script.py", ["x = 1\n"]) is None

    src = "# %%\nimport pandas as pd\ndf.head()\n# %%\ndf.describe()\nx = 1\n"
    tree = ast.parse(src)
    ctx = Context(tree, "s.py", src.splitlines(True))
    flags = [ctx.is_cell_display(s) for s in tree.body]
    assert flags == [False, True, False, False]


def test_scope_table_finds_the_innermost_visible_entry_and_stops_at_a_binding():
    from flake8_mlops.names import Resolver

    res = Resolver()
    res.scope.data["facts"] = {"model": 1}
    res.bind("model")
    res.push("class", None)
    res.scope.data["facts"] = {"model": 2}  # a class body: not visible from its methods
    res.push("function", None)
    assert res.scope_table("facts", "model") == {"model": 1}
    res.bind("model")  # re-bound here without an entry: hides the module's
    assert res.scope_table("facts", "model") is None
    assert res.scope_table("facts", "other") is None
