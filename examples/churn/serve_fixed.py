"""The same service with the findings fixed: nothing to report."""
import logging
import os
from functools import lru_cache

import mlflow
import yaml
from flask import Flask, jsonify, request
from transformers import AutoModelForSequenceClassification, AutoTokenizer

TICKET_MODEL = "acme-support/ticket-router"
TICKET_REVISION = "3f9c2a7b5e1d4c8f9a0b6e2d7c4a1f8e5b9d3c6a"

app = Flask(__name__)
log = logging.getLogger("churn-api")

with open("config.yaml") as fh:
    CONFIG = yaml.safe_load(fh)

DB_URL = os.environ["CHURN_DB_URL"]
churn_model = mlflow.sklearn.load_model("models:/churn/Production")
tokenizer = AutoTokenizer.from_pretrained(TICKET_MODEL, revision=TICKET_REVISION)
ticket_model = AutoModelForSequenceClassification.from_pretrained(
    TICKET_MODEL,
    revision=TICKET_REVISION,
)


@lru_cache(maxsize=4)
def churn_model_version(version):
    return mlflow.sklearn.load_model(f"models:/churn/{version}")


@app.get("/healthz")
def healthz():
    return jsonify(status="ok", models=["churn", "ticket-router"])


@app.route("/predict", methods=["POST"])
def predict():
    rows = request.get_json()["rows"]
    preds = churn_model.predict(rows).tolist()
    log.info("churn predict rows=%d positives=%d", len(rows), sum(preds))
    return jsonify(preds)


@app.route("/predict/<version>", methods=["POST"])
def predict_version(version):
    rows = request.get_json()["rows"]
    preds = churn_model_version(version).predict(rows).tolist()
    log.info("churn predict version=%s rows=%d", version, len(rows))
    return jsonify(preds)


@app.route("/route-ticket", methods=["POST"])
def route_ticket():
    text = request.get_json()["text"]
    inputs = tokenizer(text, return_tensors="pt")
    logits = ticket_model(**inputs).logits
    queue = int(logits.argmax())
    log.info("ticket routed chars=%d queue=%d", len(text), queue)
    return jsonify({"queue": queue})


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8080, debug=os.getenv("FLASK_DEBUG") == "1")
