"""MLP021 training-serving-entangled."""

from __future__ import annotations

import ast
from typing import Optional

from ...apis.models import model_constructor
from ...apis.serving import ServingRule
from ...facts import TRACKERS_OPTION
from ...registry import register


@register
class TrainingServingEntangled(ServingRule):
    """## What it does
    Flags a module that both **trains a model** and **serves predictions** over HTTP: it
    defines a Flask, Quart, FastAPI or Starlette prediction route (see MLP011 for how
    routes and predictions are found) and, anywhere in the file (module level, a
    `__main__` block, a helper, a `/train` handler), trains: `fit`/`partial_fit`/
    `fit_generator` with data, `xgboost.train`/`lightgbm.train`, a trainer's `.train()`
    (HF `Trainer`, Lightning), or an optimizer step after `backward()`. The finding is on
    the first training call.

    Fitting a preprocessing transformer bound in the file (`LabelEncoder().fit(labels)`,
    a `StandardScaler`) is not training a model. A module with routes but no prediction
    route (a training-job API, an admin service) and a batch scoring script with no routes
    are not reported.

    ## Why is this bad?
    Seed 003 calls it "just a binary": one program that loads data, trains, and serves, so
    that nothing can be versioned, scaled or rolled back on its own. Every deploy of the
    API retrains (or can retrain) the model, the serving image carries the whole training
    stack, the model served is whatever the last process fitted rather than a reviewed,
    registered artifact, and training and inference code drift apart without anyone
    noticing (training/serving skew).

    ## Example
    ```python
    import pandas as pd
    from fastapi import FastAPI
    from sklearn.linear_model import LogisticRegression

    app = FastAPI()
    frame = pd.read_csv("train.csv")
    clf = LogisticRegression(max_iter=500)
    clf.fit(frame.drop(columns=["y"]), frame["y"])


    @app.post("/predict")
    def predict(row: dict):
        return {"label": int(clf.predict(pd.DataFrame([row]))[0])}
    ```

    ## Use instead
    ```python
    import mlflow
    import pandas as pd
    from fastapi import FastAPI

    app = FastAPI()
    clf = mlflow.sklearn.load_model("models:/churn/Production")


    @app.post("/predict")
    def predict(row: dict):
        return {"label": int(clf.predict(pd.DataFrame([row]))[0])}
    ```

    ## Options
    `--mlp-trackers` does not change this rule (it is read by the module facts the rule
    shares with MLP007–MLP009). `--mlp-health-routes` and `--mlp-monitoring-calls` are
    shared with MLP011/MLP012 and do not change it either.

    ## Known limitations
    - Training is recognised by its calls (the module facts); a `train()` function
      imported from a training package and called from the service is not seen.
    - Online learning (`partial_fit` in a feedback route) is reported: it is training in
      the serving process; add `# noqa: MLP021` when that is the design.
    - Serving frameworks other than Flask, Quart, FastAPI and Starlette (Ray Serve,
      BentoML, Gradio, Streamlit) are not covered.

    ## References
    - Ciavotta, "MLOps, the hard way" (seed 003), "just a binary": no separation of
      concerns between training and serving.
    - Virmani & Kuppam, "MLOps Antipatterns and Mitigation Approaches", IJCTT 72(2), 2024
      (seed 000), §2 Disconnected Development and Operations.
    - Google Cloud, [MLOps: continuous delivery and automation pipelines in machine
      learning](https://cloud.google.com/architecture/mlops-continuous-delivery-and-automation-pipelines-in-machine-learning).
    """

    code = "MLP021"
    added_in = "0.2.0"
    triggers = ("flask", "fastapi", "starlette", "quart", "dash")
    name = "training-serving-entangled"
    message = (
        "this module trains a model ({call}) and also serves predictions (route '{route}'); "
        "train in a separate job and serve a registered, versioned artifact"
    )
    confidence = "medium"
    uses_facts = True
    options = (*ServingRule.options, TRACKERS_OPTION)

    def finish(self) -> None:
        handlers = self.serving.prediction_handlers()
        if not handlers:
            return
        call = self._first_model_training()
        if call is None:
            return
        self.report(call, call=_call_text(call), route=handlers[0].key)

    def _first_model_training(self) -> Optional[ast.Call]:
        resolver = self.ctx.resolver
        for call in self.ctx.facts.training_calls:
            func = call.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                value = resolver.module.constants.get(func.value.id)
                if isinstance(value, ast.Call):
                    info = model_constructor(self.ctx.qualname(value.func))
                    if info is not None and info.kind == "transformer":
                        continue
            elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
                info = model_constructor(self.ctx.qualname(func.value.func))
                if info is not None and info.kind == "transformer":
                    continue
            return call
        return None


def _call_text(call: ast.Call) -> str:
    func = call.func
    try:
        text = ast.unparse(func)
    except Exception:  # pragma: no cover
        return "fit"
    if len(text) > 30:
        text = "…" + text[-29:]
    return text + "()"
