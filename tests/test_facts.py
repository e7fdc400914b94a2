"""Module facts collected during the walk (trains / tracks / registry / fairness)."""

from __future__ import annotations

import ast

from flake8_mlops.context import Context
from flake8_mlops.dispatch import run_rules
from flake8_mlops.options import Config
from flake8_mlops.registry import Rule


def facts_of(source: str, config: Config = None):
    captured = {}

    class Probe(Rule):
        code, name, message = "MLP999", "probe", "probe"
        uses_facts = True

        def finish(self):
            captured["facts"] = self.ctx.facts

    ctx = Context(ast.parse(source), "m.py", source.splitlines(True), config)
    run_rules(ctx, [Probe])
    return captured["facts"]


def test_sklearn_fit_is_training_and_first_call_is_located():
    f = facts_of("from sklearn.svm import SVC\nclf = SVC()\n\nclf.fit(X, y)\nclf.fit(X2, y2)\n")
    assert f.trains and f.first_training_call.lineno == 4
    assert not f.tracks


def test_library_fit_and_mode_switch_are_not_training():
    f = facts_of("import scipy.stats as st\nst.norm.fit(data)\nmodel.train()\nmodel.fit()\n")
    assert not f.trains


def test_trainer_and_torch_loop():
    src = (
        "from transformers import Trainer\n"
        "trainer = Trainer(model=m, args=a)\n"
        "trainer.train()\n"
    )
    assert facts_of(src).trains
    loop = "for x, y in dl:\n    loss = crit(net(x), y)\n    loss.backward()\n    optimizer.step()\n"
    assert facts_of(loop).trains
    assert not facts_of("optimizer.step()\n").trains


def test_trackers_registry_fairness_and_option():
    f = facts_of("import mlflow\nmlflow.log_metric('acc', 0.9)\nmlflow.register_model(u, 'churn')\n")
    assert f.tracks and f.uses_registry
    f = facts_of("from torch.utils.tensorboard import SummaryWriter\nw = SummaryWriter()\n")
    assert f.tracks
    f = facts_of("from fairlearn.metrics import MetricFrame\nMetricFrame(metrics=m, y_true=y, y_pred=p, sensitive_features=s)\n")
    assert f.assesses_fairness
    f = facts_of("from transformers import TrainingArguments\nTrainingArguments('out', report_to='wandb')\n")
    assert f.tracks
    f = facts_of("from transformers import TrainingArguments\nTrainingArguments('out', report_to='none')\n")
    assert not f.tracks
    house = "import acme.tracking as tr\ntr.log_run(metrics)\n"
    assert not facts_of(house).tracks
    assert facts_of(house, Config({"mlp_trackers": ("acme.tracking",)})).tracks
