"""MLP012 unmonitored-prediction."""

from __future__ import annotations

from ...apis.serving import ServingRule
from ...registry import register


@register
class UnmonitoredPrediction(ServingRule):
    """## What it does
    Flags a **prediction route handler** (Flask, Quart, FastAPI, Starlette; see MLP011 for
    how routes and predictions are found) that neither logs nor monitors anything: no call
    into a logging or monitoring library, no monitoring hook, in the handler or in the
    functions of the same file it calls. Reported on the handler's `def` line.

    Monitoring calls are:
    - calls under the configured qualified-name prefixes (`logging`, `loguru`, `structlog`,
      `logfire`, `mlflow`, `wandb`, `evidently`, `whylogs`, `arize`, `nannyml`, `fiddler`,
      `langfuse`, `prometheus_client`, `aioprometheus`, `opentelemetry`, `datadog`,
      `ddtrace`, `sentry_sdk`, `statsd`, `newrelic`, `flask.current_app.logger`);
    - methods of objects bound to such calls (`log = logging.getLogger(__name__)`,
      `PREDICTIONS = Counter(...)` then `PREDICTIONS.labels(...).inc()`), logger-named
      receivers (`logger.info`, `app.logger.warning`, `self.log.debug`) and Prometheus
      metric methods (`.inc`, `.observe`, `.labels`);
    - user hooks: functions or methods whose name says they log or monitor
      (`log_prediction`, `record_metrics`, `monitor.track_request`, `audit`), handed the
      data directly or as a callback (`background_tasks.add_task(log_prediction, ...)`),
      and names given in `--mlp-monitoring-calls`;
    - a monitoring decorator on the handler, or a request hook of the file that logs every
      request (`@app.middleware("http")`, `@app.after_request`, a `BaseHTTPMiddleware`).

    ## Why is this bad?
    A model in production meets data it was not trained on. Seeds 000 (§5), 002 (#5, no
    model monitoring) and 003 describe services that return predictions and keep no record
    of what they saw or said: drift, broken upstream features and silent accuracy loss go
    unnoticed until a business metric drops, and nobody can reconstruct why a prediction
    was made.

    ## Example
    ```python
    import joblib
    from flask import Flask, jsonify, request

    app = Flask(__name__)
    model = joblib.load("model.joblib")


    @app.route("/predict", methods=["POST"])
    def predict():
        rows = request.get_json()["rows"]
        return jsonify(model.predict(rows).tolist())
    ```

    ## Use instead
    ```python
    import logging

    import joblib
    from flask import Flask, jsonify, request

    app = Flask(__name__)
    log = logging.getLogger("churn-api")
    model = joblib.load("model.joblib")


    @app.route("/predict", methods=["POST"])
    def predict():
        rows = request.get_json()["rows"]
        preds = model.predict(rows).tolist()
        log.info("predict n=%d positives=%d", len(rows), sum(preds))
        return jsonify(preds)
    ```

    ## Options
    `--mlp-monitoring-calls` adds qualified-name prefixes (`acme.monitoring`) or bare
    function names (`log_prediction`) that count as monitoring (comma-separated; extends
    the default list). `--mlp-health-routes` is shared with MLP011 and does not change
    this rule.

    ## Known limitations
    - Any monitoring call counts, even one that does not mention the inputs or outputs
      (`log.info("request received")`): the rule looks for the absence of monitoring,
      not its quality.
    - `print()` is not monitoring: use a logger so the records carry levels and context.
    - Request-level instrumentation (`Instrumentator().instrument(app)`, OpenTelemetry
      auto-instrumentation) records latencies and status codes, not the model's inputs and
      outputs, and does not count unless the file also defines a logging request hook.
    - A prediction made only through a function imported from another module is not
      seen, and neither is monitoring done inside an imported function.
    - Writes of predictions to a database or a queue are not recognised as monitoring;
      name the function `record_prediction` or list it in `--mlp-monitoring-calls`.

    ## References
    - Virmani & Kuppam, "MLOps Antipatterns and Mitigation Approaches", IJCTT 72(2), 2024
      (seed 000), §5 Ad-hoc Deployment and Monitoring.
    - Prathish, "7 MLOps 'Smells'" (seed 002), #5 no model monitoring.
    - Ciavotta, "MLOps, the hard way" (seed 003), monitoring the model in production.
    - Evidently docs, [Data drift](https://docs.evidentlyai.com/);
      Prometheus Python client, [Instrumenting](https://prometheus.github.io/client_python/).
    """

    code = "MLP012"
    added_in = "0.2.0"
    triggers = ("flask", "fastapi", "starlette", "quart", "dash")
    name = "unmonitored-prediction"
    message = (
        "prediction route '{handler}' logs neither its inputs nor its outputs; log them or feed "
        "a monitoring hook (logging, evidently, whylogs, Prometheus) to detect drift"
    )
    confidence = "medium"

    def finish(self) -> None:
        sf = self.serving
        for f in sf.prediction_handlers():
            if not sf.monitored(f):
                self.report(f.node, handler=f.key)
