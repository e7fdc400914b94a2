"""Serve churn predictions and a support-ticket classifier over HTTP."""
import joblib
import torch
import yaml
from flask import Flask, jsonify, request
from transformers import AutoModelForSequenceClassification, AutoTokenizer

app = Flask(__name__)

with open("config.yaml") as fh:
    CONFIG = yaml.load(fh, Loader=yaml.FullLoader)

churn_model = joblib.load("churn.joblib")
tokenizer = AutoTokenizer.from_pretrained("distilbert-base-uncased")
ticket_model = AutoModelForSequenceClassification.from_pretrained(
    "acme-support/ticket-router",
    trust_remote_code=True,
)
ticket_model.load_state_dict(torch.load("ticket_head.pt"))

DB_URL = "postgresql://svc_churn:Winter2024!@db.internal:5432/churn"


@app.route("/predict", methods=["POST"])
def predict():
    rows = request.get_json()["rows"]
    return jsonify(churn_model.predict(rows).tolist())


@app.route("/predict/<version>", methods=["POST"])
def predict_version(version):
    model = joblib.load(f"models/churn-{version}.joblib")
    return jsonify(model.predict(request.get_json()["rows"]).tolist())


@app.route("/route-ticket", methods=["POST"])
def route_ticket():
    text = request.get_json()["text"]
    inputs = tokenizer(text, return_tensors="pt")
    with torch.no_grad():
        logits = ticket_model(**inputs).logits
    return jsonify({"queue": int(logits.argmax())})


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8080, debug=True)
