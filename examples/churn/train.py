"""Train the churn model and hand it over to the serving team.

A deliberately realistic (and deliberately flawed) training script: every
flake8-mlops finding below is one the rule pages explain.
"""
import pickle

import joblib
import pandas as pd
import wandb
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

WANDB_API_KEY = "3f9c2a7b5e1d4c8f9a0b6e2d7c4a1f8e5b9d3c6a"
DATA_PATH = "data/churn.csv"


def load_data(path=DATA_PATH):
    frame = pd.read_csv(path)
    features = frame.drop(columns=["churned"])
    return train_test_split(features, frame["churned"], test_size=0.2,
                            random_state=7)


def main():
    wandb.login(key=WANDB_API_KEY)
    x_train, x_test, y_train, y_test = load_data()
    clf = RandomForestClassifier(n_estimators=300, random_state=7)
    clf.fit(x_train, y_train)
    print("accuracy", clf.score(x_test, y_test))

    # hand-off to the serving team: a pickle on the shared drive
    with open("/mnt/shared/models/churn.pkl", "wb") as fh:
        pickle.dump(clf, fh)
    joblib.dump(clf, "churn.joblib")


if __name__ == "__main__":
    main()
