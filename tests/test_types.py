"""Unit tests for flake8_mlops.types (the shared scope-local type inference)."""

from __future__ import annotations

import ast
import textwrap
from typing import Dict, Optional

import pytest

from flake8_mlops.context import Context
from flake8_mlops.dispatch import run_rules
from flake8_mlops.registry import Rule
from flake8_mlops.types import TypeFeeder, types_of


class _Probe(TypeFeeder, Rule):
    """Records kind_of(x) for every ``reveal(x)`` statement, keyed by line."""

    code = "MLP999"
    name = "probe"
    message = "probe"
    seen: Dict[int, Optional[str]] = {}

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id == "reveal" and node.args:
            type(self).seen[node.lineno] = types_of(self.ctx).kind_of(node.args[0])


def kinds(source: str, filename: str = "t.py") -> Dict[int, Optional[str]]:
    source = textwrap.dedent(source)
    _Probe.seen = {}
    ctx = Context(ast.parse(source), filename, source.splitlines(True))
    run_rules(ctx, [_Probe])
    return [kind for _, kind in sorted(_Probe.seen.items())]


def test_readers_and_constructors():
    assert kinds(
        """
        import pandas as pd
        import numpy as np
        reveal(pd.read_csv("a.csv"))
        reveal(pd.read_parquet("a.parquet"))
        reveal(pd.DataFrame({"a": [1]}))
        reveal(pd.Series([1]))
        reveal(pd.concat([a, b]))
        reveal(pd.merge(a, b))
        reveal(np.zeros(3))
        reveal(np.array([1, 2]))
        reveal(pd.read_csv("a.csv", chunksize=10))
        reveal(pd.read_html("x"))
        reveal(pd.read_excel("a.xlsx", sheet_name=None))
        """
    ) == ["DataFrame", "DataFrame", "DataFrame", "Series", "pandas", "DataFrame",
          "ndarray", "ndarray", None, None, None]


def test_from_imports_and_aliases():
    assert kinds(
        """
        from pandas import read_csv, DataFrame as DF
        reveal(read_csv("a.csv"))
        reveal(DF())
        """
    ) == ["DataFrame", "DataFrame"]


def test_names_methods_and_subscripts():
    assert kinds(
        """
        import pandas as pd
        df = pd.read_csv("a.csv")
        clean = df.dropna().rename(columns={"a": "b"})
        reveal(clean)
        reveal(df["a"])
        reveal(df[["a", "b"]])
        reveal(df[df["a"] > 0])
        reveal(df.loc[:, "a"])
        reveal(df.groupby("a").mean())
        reveal(df["a"].value_counts())
        reveal(df.to_numpy())
        reveal(df.merge(clean, on="a"))
        reveal(df.to_dict())
        reveal(df.dropna(inplace=True))
        """
    ) == ["DataFrame", "Series", "DataFrame", "DataFrame", "pandas", "pandas", "Series",
          "ndarray", "DataFrame", None, None]


def test_rebinding_is_flow_ordered():
    assert kinds(
        """
        import pandas as pd
        df = pd.read_csv("a.csv")
        reveal(df)
        df = df.to_dict()
        reveal(df)
        frame = pd.DataFrame()
        for frame in frames:
            reveal(frame)
        x = pd.DataFrame()
        x += 1
        reveal(x)
        """
    ) == ["DataFrame", None, None, None]


def test_shadowing_and_lookalikes():
    assert kinds(
        """
        import polars as pl
        import pyspark.pandas as ps
        import modin.pandas as mpd
        import dask.dataframe as dd
        from polars import Polars
        reveal(pl.read_csv("a.csv"))
        reveal(ps.read_csv("a.csv"))
        reveal(mpd.read_csv("a.csv"))
        reveal(dd.read_csv("a.csv"))
        pd = Polars()
        reveal(pd.read_csv("a.csv"))
        np = object()
        reveal(np.zeros(3))
        df = {"a": 1}
        reveal(df)
        """
    ) == [None, None, None, None, None, None, None]


def test_unimported_conventional_pd_and_local_def():
    assert kinds(
        """
        reveal(pd.read_csv("a.csv"))
        def read_csv(p):
            return {}
        reveal(read_csv("a.csv"))
        """
    ) == ["DataFrame", None]


def test_parameter_annotations_and_scopes():
    assert kinds(
        """
        from typing import Optional
        import pandas as pd
        import numpy as np
        import torch.nn as nn

        def f(df: pd.DataFrame, s: "pd.Series", o: Optional[pd.DataFrame], a: np.ndarray,
              m: nn.Module, u: pd.DataFrame | None, plain):
            reveal(df)
            reveal(s)
            reveal(o)
            reveal(a)
            reveal(m)
            reveal(u)
            reveal(plain)

        def g(df: pd.DataFrame):
            df = df.to_dict()
            reveal(df)

        def h():
            local = pd.read_csv("x")
            return local

        reveal(local)
        top: pd.DataFrame = load()
        reveal(top)
        """
    ) == ["DataFrame", "Series", "DataFrame", "ndarray", "nn.Module", "DataFrame", None,
          None, None, "DataFrame"]


def test_torch_and_sklearn():
    assert kinds(
        """
        import torch
        from torch import nn
        import torchvision
        from sklearn.ensemble import RandomForestClassifier

        class Net(nn.Module):
            pass

        class Deeper(Net):
            pass

        class Plain:
            pass

        model = Net()
        reveal(model)
        reveal(Deeper())
        reveal(Plain())
        reveal(torchvision.models.resnet18())
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        reveal(opt)
        reveal(torch.optim.lr_scheduler.StepLR(opt, 1))
        reveal(RandomForestClassifier())
        reveal(model.to("cuda"))
        """
    ) == ["nn.Module", "nn.Module", None, "nn.Module", "Optimizer", None, "Estimator",
          "nn.Module"]


def test_train_test_split_unpacking():
    assert kinds(
        """
        import pandas as pd
        from sklearn.model_selection import train_test_split
        df = pd.read_csv("a.csv")
        X = df.drop(columns=["y"])
        y = df["y"]
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
        reveal(X_train)
        reveal(y_test)
        a, b = df, {}
        reveal(a)
        reveal(b)
        """
    ) == ["DataFrame", "Series", "DataFrame", None]


def test_feeding_is_idempotent():
    source = "import pandas as pd\ndf = pd.read_csv('a')\n"
    tree = ast.parse(source)
    ctx = Context(tree, "t.py", source.splitlines(True))
    facts = types_of(ctx)
    assert types_of(ctx) is facts
    assign = tree.body[1]
    facts.feed(assign)
    facts.feed(assign)
    assert ctx.scope.data["_types"]["df"] == ("DataFrame", 1)


@pytest.mark.parametrize(
    "src",
    ["from x import *\nreveal(df)\n", "reveal(undefined.values)\n", "a = b = pd.DataFrame()\nreveal(a)\n"],
)
def test_never_crashes(src):
    kinds(src)


def test_concat_kinds():
    assert kinds(
        """
        import pandas as pd
        a = pd.read_csv("a")
        b = pd.read_csv("b")
        reveal(pd.concat([a, b], ignore_index=True))
        reveal(pd.concat([a["x"], b["x"]]))
        reveal(pd.concat([a["x"], b["x"]], axis=1))
        reveal(pd.concat(frames))
        reveal(pd.concat([a, b["x"]]))
        """
    ) == ["DataFrame", "Series", "DataFrame", "pandas", "pandas"]


def test_groupby_and_apply():
    assert kinds(
        """
        import pandas as pd
        df = pd.read_csv("a")
        reveal(df.groupby("k")["v"].sum())
        reveal(df.resample("D").mean())
        reveal(df.apply(len, axis=1))
        reveal(df.columns)
        reveal(df.index)
        reveal(df.groupby("k"))
        """
    ) == ["pandas", "pandas", "pandas", None, None, None]


def test_self_attributes_returns_and_columns():
    assert kinds(
        """
        import pandas as pd

        def load(path) -> pd.DataFrame:
            return fetch(path)

        def load(path) -> pd.DataFrame:  # redefined: not trusted
            return fetch(path)

        def read(path) -> "pd.Series":
            return fetch(path)

        class Data:
            def __init__(self, path):
                self.df = pd.read_csv(path)
                self.mixed = pd.read_csv(path)
                self.raw = open(path)

            def swap(self):
                self.mixed = {}

            def use(self):
                reveal(self.df)
                reveal(self.mixed)
                reveal(self.raw)
                reveal(self.df.price)
                reveal(self.df.columns)
                reveal(self.df.pop("y"))

            @staticmethod
            def helper(self):
                reveal(self.df)

        reveal(load("x"))
        reveal(read("x"))
        """
    ) == ["DataFrame", None, None, "Series", None, "Series", None, None, "Series"]


def test_to_pandas_conversions():
    assert kinds(
        """
        import polars as pl
        import pyarrow as pa

        def f(feats, sdf, ds, tbl, s):
            reveal(feats.to_pandas())
            reveal(sdf.toPandas())
            reveal(sdf.limit(10).toPandas())
            reveal(pl.read_csv("x.csv").to_pandas())
            reveal(ds["train"].to_pandas())
            reveal(ds.to_pandas(batched=True))
            reveal(ds.to_pandas(batched=False))
            reveal(tbl.column("a").to_pandas())
            reveal(pl.Series([1, 2]).to_pandas())
            reveal(pa.array([1, 2]).to_pandas())
            pdf = feats.to_pandas()
            reveal(pdf)
            reveal(pdf["a"])
            reveal(feats.to_numpy())
        """
    ) == ["DataFrame", "DataFrame", "DataFrame", "DataFrame", "pandas", None, "DataFrame",
          "Series", "Series", "Series", "DataFrame", "Series", None]


def test_pytest_fixture_parameters():
    assert kinds(
        """
        import pandas as pd
        import pytest

        @pytest.fixture
        def claims():
            return pd.DataFrame({"a": [1]})

        @pytest.fixture(name="frame")
        def _frame():
            df = pd.read_csv("x.csv")
            df["b"] = 1
            yield df

        @pytest.fixture
        def counts():
            return {"n": 0}

        @pytest.fixture
        def derived(claims):
            reveal(claims)
            out = claims.copy()
            return out

        @pytest.fixture
        def branchy():
            if flag:
                return {}
            return pd.DataFrame()

        def test_a(claims, frame, counts, derived, branchy):
            reveal(claims)
            reveal(frame)
            reveal(counts)
            reveal(derived)
            reveal(branchy)

        @pytest.mark.parametrize("claims", [{"a": 1}])
        def test_b(claims):
            reveal(claims)

        def helper(claims):
            reveal(claims)

        class TestC:
            def test_c(self, claims):
                reveal(claims)

        class Other:
            def test_d(self, claims):
                reveal(claims)

        def test_annotated(claims: dict):
            reveal(claims)
        """
    ) == ["DataFrame", "DataFrame", "DataFrame", None, None, None, None, None, "DataFrame",
          None, None]


def test_groupby_agg_with_several_functions_is_a_frame():
    assert kinds(
        """
        import pandas as pd
        def f(df: pd.DataFrame):
            reveal(df.groupby("r")["m"].agg(["mean", "max"]))
            reveal(df.groupby("r").agg({"m": "sum"}))
            reveal(df.groupby("r").agg(total=("m", "sum")))
            reveal(df.groupby("r")["m"].agg("mean"))
            reveal(cfg.groupby("r").agg(["mean"]))
        """
    ) == ["DataFrame", "DataFrame", "DataFrame", "pandas", None]


def test_local_unannotated_loader_returns_its_kind():
    assert kinds(
        """
        import pandas as pd
        import torch.nn as nn

        def load(path):
            df = pd.read_csv(path)
            df = df[df["a"] != 0]
            return df

        def maybe(path):
            if path:
                return pd.read_csv(path)

        def rows(path):
            yield pd.read_csv(path)

        def either(path, raw):
            if raw:
                return pd.read_csv(path)
            return pd.read_csv(path).to_numpy()

        def build():
            return nn.Linear(3, 1)

        reveal(load("a.csv"))
        reveal(maybe("a.csv"))
        reveal(rows("a.csv"))
        reveal(either("a.csv", True))
        reveal(build())

        def early():
            return late()

        def late():
            return pd.read_csv("x.csv")
        """
    ) == ["DataFrame", None, None, None, "nn.Module"]
