"""MLP014 model-loaded-per-request."""

from __future__ import annotations

from typing import Set

from ...apis.serving import ServingRule
from ...registry import register


@register
class ModelLoadedPerRequest(ServingRule):
    """## What it does
    Flags a model **loaded inside a route handler** (Flask, Quart, FastAPI, Starlette; see
    MLP011 for how routes are found), so that every request reads and deserialises it
    again. Loads are `pickle`/`dill`/`cloudpickle` `load`, `joblib.load`, `torch.load`,
    `keras` `load_model`, `mlflow.*.load_model` and other libraries' `load_model`,
    `*.from_pretrained(...)`, `transformers.pipeline(...)`, `SentenceTransformer(...)`,
    `onnxruntime.InferenceSession(...)`, `torch.jit.load`, `torch.hub.load`, `spacy.load`,
    `skops.io.load`, `timm.create_model(..., pretrained=True)` and `model.load_model(path)`.
    The finding is reported on the load call.

    Loads in a function of the same file that a handler calls are reported too (on the
    load, inside that helper): `model = get_model()` in the handler, or a FastAPI
    dependency `model=Depends(get_model)`, loads on every request unless the helper caches.

    Not reported: loads at module level, in start-up hooks (`lifespan=`,
    `@app.on_event("startup")`, `@app.before_first_request`, `before_serving`), in helpers
    decorated with a cache (`functools.lru_cache`/`cache`, `cachetools.cached`, any
    decorator named `*cache*`/`*memo*`), and loads whose result is stored in a global
    (`global model`), an attribute (`app.state.model = ...`, `self.model = ...`) or a
    container (`MODELS[name] = ...`) — the lazy-load and reload-endpoint patterns.
    `pickle.loads` of cached bytes is not a model load.

    ## Why is this bad?
    Seed 000 (§5) lists ad-hoc deployment among the core antipatterns. Loading the model in
    the handler adds the whole deserialisation (seconds for a transformer, hundreds of
    megabytes of memory) to every request's latency, lets concurrent requests hold several
    copies, and makes a missing or corrupt model file a per-request 500 instead of a
    start-up failure the orchestrator can see.

    ## Example
    ```python
    import joblib
    from fastapi import FastAPI

    app = FastAPI()


    @app.post("/predict")
    def predict(features: list[float]):
        model = joblib.load("model.joblib")
        return {"label": int(model.predict([features])[0])}
    ```

    ## Use instead
    ```python
    from contextlib import asynccontextmanager

    import joblib
    from fastapi import FastAPI

    models = {}


    @asynccontextmanager
    async def lifespan(app):
        models["clf"] = joblib.load("model.joblib")
        yield
        models.clear()


    app = FastAPI(lifespan=lifespan)


    @app.post("/predict")
    def predict(features: list[float]):
        return {"label": int(models["clf"].predict([features])[0])}
    ```

    ## Options
    None of its own (`--mlp-health-routes` and `--mlp-monitoring-calls` are shared with
    MLP011/MLP012 and do not change this rule).

    ## Known limitations
    - Helpers are followed only inside the file (by name, up to five calls deep); a loader
      imported from another module gets the benefit of the doubt.
    - A handler of a flask `MethodView` whose `__init__` loads the model is not reported,
      although Flask builds a view instance per request by default.
    - A load whose result is assigned to an attribute or a global is taken as a cache,
      even when the handler then uses it once and drops it.
    - Loading tokenizers and processors with `from_pretrained` in a handler is reported:
      they are files read on every request too.

    ## References
    - Virmani & Kuppam, "MLOps Antipatterns and Mitigation Approaches", IJCTT 72(2), 2024
      (seed 000), §5 Ad-hoc Deployment and Monitoring.
    - FastAPI docs, [Lifespan events](https://fastapi.tiangolo.com/advanced/events/)
      (the "load the ML model once" example).
    - Python docs,
      [functools.lru_cache](https://docs.python.org/3/library/functools.html#functools.lru_cache).
    """

    code = "MLP014"
    added_in = "0.2.0"
    triggers = ("flask", "fastapi", "starlette", "quart", "dash")
    name = "model-loaded-per-request"
    message = (
        "{func}() loads the model on every request to route '{handler}'; load it once at "
        "module level or in a startup/lifespan hook, or cache the loader with functools.lru_cache"
    )
    confidence = "high"

    def finish(self) -> None:
        sf = self.serving
        seen: Set[int] = set()
        for f in sf.handlers():
            for call, name, _owner in sf.per_request_loads(f):
                if id(call) in seen:
                    continue
                seen.add(id(call))
                self.report(call, func=name, handler=f.key)
