"""Prototype API from the exploration notebook: it trains the model when it starts."""
import logging

import pandas as pd
from fastapi import FastAPI
from sklearn.ensemble import RandomForestClassifier

log = logging.getLogger("churn-demo")
app = FastAPI(title="churn-demo")

frame = pd.read_csv("data/churn.csv")
clf = RandomForestClassifier(n_estimators=300, random_state=7)
clf.fit(frame.drop(columns=["churned"]), frame["churned"])


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


@app.post("/predict")
def predict(rows: list[dict]):
    proba = clf.predict_proba(pd.DataFrame(rows))[:, 1]
    log.info("predict rows=%d mean=%.3f", len(rows), float(proba.mean()))
    return {"churn_probability": proba.tolist()}
