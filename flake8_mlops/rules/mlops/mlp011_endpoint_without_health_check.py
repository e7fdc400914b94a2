"""MLP011 endpoint-without-health-check."""

from __future__ import annotations

from ...apis.serving import ServingRule, describe_framework
from ...registry import register


@register
class EndpointWithoutHealthCheck(ServingRule):
    """## What it does
    Flags a Flask, Quart, FastAPI or Starlette **app module** — one that constructs the app
    (`Flask(...)`, `FastAPI(...)`, `Starlette(...)`, also inside an app factory) — whose
    routes serve predictions but which defines no health or readiness route. The finding
    is reported on the app construction line.

    A route serves predictions when its handler, or a function of the same file it calls
    (also through `Depends(...)` or a callback it hands over), calls
    `predict`/`predict_proba`/`predict_log_proba` on anything, calls `transform`,
    `generate`, `encode`, `decision_function`, `run`… on a model object, or calls a model
    object itself (`model(x)`, `clf(text)`, `state["clf"](text)`). A model object is a name
    bound in the file to a model load or construction (`joblib.load`, `torch.load`,
    `from_pretrained`, `pipeline(...)`, `onnxruntime.InferenceSession`, `spacy.load`,
    estimators…) or a name spelled like a model (`model`, `clf`, `pipe`, `self.model`,
    `app.state.model`, `models[name]`).

    Routes are found on the app and on the routers/blueprints of the file:
    `@app.route/get/post/put/patch/delete/api_route/websocket(...)`, `add_url_rule`,
    `add_api_route`, `add_route`, flask-restful `add_resource`, Starlette
    `Route(...)`/`WebSocketRoute(...)` lists, and class-based views (`MethodView`, `View`,
    `HTTPEndpoint`, `Resource`).

    A health route is a route whose literal path contains one of the configured paths as
    whole segments, after any prefix and with no path parameters: `/healthz`,
    `/api/v1/health` and `/health/live` count; `/metrics`, `/` and `/jobs/{id}/status` do not.

    ## Why is this bad?
    Seed 000 (§5, ad-hoc deployment and monitoring) describes models pushed to production
    with no operational checks. Without a liveness/readiness probe the orchestrator
    (Kubernetes, ECS, a load balancer) cannot tell a replica that is still loading the
    model, or whose model failed to load, from a healthy one: traffic is routed to it and
    requests fail, and a hung process is never restarted.

    ## Example
    ```python
    import joblib
    from fastapi import FastAPI

    app = FastAPI()
    model = joblib.load("model.joblib")


    @app.post("/predict")
    def predict(features: list[float]):
        return {"score": float(model.predict_proba([features])[0, 1])}
    ```

    ## Use instead
    ```python
    import joblib
    from fastapi import FastAPI

    app = FastAPI()
    model = joblib.load("model.joblib")


    @app.get("/healthz")
    def healthz():
        return {"status": "ok", "model_loaded": model is not None}


    @app.post("/predict")
    def predict(features: list[float]):
        return {"score": float(model.predict_proba([features])[0, 1])}
    ```

    ## Options
    `--mlp-health-routes` adds paths to the health-route list (comma-separated; matched
    as whole path segments). `--mlp-monitoring-calls` is shared with MLP012 and does not
    change this rule.

    ## Known limitations
    - Only modules that construct the app are judged; a router module with prediction
      routes and no health route passes (the probe usually lives next to the app).
    - Benefit of the doubt: a route whose path is not a literal (a setting, a variable),
      a router or blueprint included from another module (`include_router`,
      `register_blueprint`), or a health-check extension (`healthcheck`, `flask_healthz`,
      `fastapi_health`) counts as a possible health route.
    - Handlers that cannot be found (lambdas, views built at run time, imported
      functions) are not judged; a prediction made only through a function imported from
      another module is not seen.
    - Django, Ray Serve, BentoML, gRPC and other frameworks are not covered.

    ## References
    - Virmani & Kuppam, "MLOps Antipatterns and Mitigation Approaches", IJCTT 72(2), 2024
      (seed 000), §5 Ad-hoc Deployment and Monitoring.
    - Kubernetes docs, [Configure liveness, readiness and startup
      probes](https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/).
    - FastAPI docs, [Lifespan events](https://fastapi.tiangolo.com/advanced/events/)
      (load the model once, report readiness).
    """

    code = "MLP011"
    added_in = "0.2.0"
    triggers = ("flask", "fastapi", "starlette", "quart", "dash")
    name = "endpoint-without-health-check"
    message = (
        "{framework} app serves predictions ({route}) but defines no health or readiness route; "
        "add e.g. GET /healthz that reports whether the model is loaded"
    )
    confidence = "medium"

    def finish(self) -> None:
        sf = self.serving
        app = sf.first_app()
        if app is None:
            return
        handlers = sf.prediction_handlers()
        if not handlers or sf.has_health_route():
            return
        call, framework, _, _ = app
        self.report(call, framework=describe_framework(framework), route=f"'{handlers[0].key}'")
