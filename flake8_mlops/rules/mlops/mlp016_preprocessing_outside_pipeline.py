"""MLP016 preprocessing-outside-pipeline."""

from __future__ import annotations

import ast
from typing import Set

from ...registry import Rule, register
from ._sklearn_flow import FlowFeeder


def _on_self(call: ast.Call) -> bool:
    func = call.func
    recv = func.value if isinstance(func, ast.Attribute) else None
    return isinstance(recv, ast.Attribute) and isinstance(recv.value, ast.Name) and recv.value.id == "self"


@register
class PreprocessingOutsidePipeline(FlowFeeder, Rule):
    """## What it does
    Flags a fitted preprocessing step whose output trains a model without both being
    in one `Pipeline`: within one function or module scope, a transformer is fitted
    (`fit`/`fit_transform`) and an estimator is then fitted on its output — directly,
    through `train_test_split`, or through frames and arrays derived from it
    (`df[num] = scaler.fit_transform(df[num])`, `X = df.drop(...)`, `X_train[cols]`,
    `np.hstack([...])`, `xgb.DMatrix(...)`).

    Reported at the **transformer's fit**: that is the line to move into a
    `Pipeline`/`make_pipeline`/`ColumnTransformer`. One finding per fitting call, however
    many models use its output.

    Transformers are scikit-learn's preprocessing, feature-extraction, feature-selection,
    decomposition, imputation, random-projection and kernel-approximation classes,
    `category_encoders` and `feature_engine`, and names of unknown origin spelled like
    one (`scaler`, `imputer`, `encoder`, `vectorizer`, `tfidf`, `pca`, `selector`…).
    Estimators are scikit-learn, XGBoost, LightGBM, CatBoost and imbalanced-learn models,
    searches (`GridSearchCV`), pipelines, Keras models, `xgboost.train`/`lightgbm.train`,
    the estimator given to `cross_val_score`/`cross_validate`/`cross_val_predict`/
    `learning_curve`/`validation_curve`/`permutation_test_score` (its `X` argument),
    names spelled like a model (`model`, `clf`, `regressor`) and any `fit` with Keras
    keywords (`epochs=`, `validation_data=`).

    A `LabelEncoder` fitted on a column of a frame (`df["sex"] = le.fit_transform(
    df["sex"])`, also in a loop over columns) is a feature transformer, except on the
    column the model is given as its target (`y = df["label"]` … `fit(X, y)`).

    Not reported: preprocessing inside a `Pipeline`/`ColumnTransformer` (they are not
    transformers here), transformers that were loaded rather than fitted
    (`scaler = joblib.load(...)`, inference code), label encoders on the target
    (`y = LabelEncoder().fit_transform(df["label"])`), transformers kept on `self`
    (`self.scaler.fit_transform(X)` in a model class: the instance carries its own
    preprocessing, a hand-made pipeline), embeddings without a `transform`
    (`TSNE`), and preprocessing whose output only feeds plots or statistics.

    ## Why is this bad?
    A transform fitted outside the model object does not travel with it: serving code
    has to re-implement or separately load the scaler, encoder or vectorizer, in the
    right order and version, and any mismatch silently skews predictions. Seed 002 (#2)
    names this "difficulty reproducing data transformations for inference"; a Pipeline
    makes the preprocessing part of the artifact that is versioned and deployed.

    ## Example
    ```python
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler()
    X_train_s = scaler.fit_transform(X_train)
    clf = LogisticRegression(max_iter=1000)
    clf.fit(X_train_s, y_train)
    ```

    ## Use instead
    ```python
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    clf.fit(X_train, y_train)
    ```

    ## Options
    None.

    ## Known limitations
    - **Scope-local data flow.** The transformer's fit and the model's fit must be in
      the same function or module scope (a notebook is one module scope). Data passed
      to or returned from a function (`X = preprocess(df)`), stored in containers or on
      `self`, or built by unknown calls is not followed; see MLP017 for the exact list of
      what is.
    - A transformer fitted in one place and saved next to the model (`joblib.dump(scaler,
      ...)`) is still reported: shipping two artifacts that must be applied in order is
      the antipattern the rule is about.
    - A `ColumnTransformer` or `Pipeline` fitted on its own and followed by a separate
      model fit is not reported (the catalogue counts them as pipelines), nor is a
      receiver of unknown origin whose name does not look like a transformer
      (`preprocessor.fit_transform(X)`).
    - Deep-learning loops (`DataLoader`, custom `train_step`) are not recognised as
      estimators; Keras `model.fit` is.
    - Test code (`test_*.py`, `conftest.py`, `test*` functions, `Test*` classes) is not
      judged: toy models fitted on scaled fixtures are not deployed.
    - Clustering and other unsupervised estimators count as models (`KMeans().fit(X_s)`
      after a scaler fires), also in exploratory notebooks.

    ## References
    - Prathish, "7 MLOps 'Smells'" (seed 002), #2 difficulty reproducing data
      transformations for inference.
    - scikit-learn docs, [Pipelines and composite
      estimators](https://scikit-learn.org/stable/modules/compose.html).
    - Zhang et al., "Code Smells for Machine Learning Applications" (CAIN 2022), the
      *Data Leakage* smell (pipelines as the fix).
    """

    code = "MLP016"
    added_in = "0.2.0"
    triggers = ("fit",)
    name = "preprocessing-outside-pipeline"
    message = (
        "{fitted} fits preprocessing outside a Pipeline and {model} trains on its output "
        "(line {line}): the preprocessing will not travel with the model (training/serving "
        "skew); put both in a Pipeline (make_pipeline/ColumnTransformer)"
    )
    confidence = "medium"

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self._reported: Set[int] = set()

    def visit_Call(self, node: ast.Call) -> None:
        flow = self.flow
        event = flow.event(node)
        if event is None:
            return
        what, obj = event
        if what == "train":
            data = node.args[1] if len(node.args) > 1 else None
            if data is None:
                kw = self.ctx.keyword(node, "dtrain") or self.ctx.keyword(node, "train_set")
                data = kw.value if kw is not None else None
            model = f"{obj.label}()"
        elif what == "cv":
            data = self.ctx.arg(node, 1, "X")
            model = f"the estimator in {obj.label}()"
        elif what == "fit" and flow.is_estimator_fit(node, obj):
            data = flow.data_arg(node)
            func = node.func
            model = f"{obj.label}.{func.attr}()" if isinstance(func, ast.Attribute) else obj.label
        else:
            return
        if data is None:
            return
        taint = flow.facts(data).taint
        if not taint or flow.in_test_code():
            return
        targets = flow.target_columns([self._target_arg(node, what)])
        for fid in sorted(taint, key=lambda i: (flow.fits[i].call.lineno, flow.fits[i].call.col_offset)):
            info = flow.fits[fid]
            if fid in self._reported or not flow.travels(info):
                continue
            if info.column is not None and info.column in targets:
                continue  # the label encoder encoded the target column
            if _on_self(info.call):
                continue  # self.scaler: the object that owns it carries it to serving
            self._reported.add(fid)
            self.report(info.call, fitted=flow.label(info), model=model, line=node.lineno)

    def _target_arg(self, node: ast.Call, what: str):  # type: ignore[no-untyped-def]
        if what == "train":
            return self.ctx.kwarg(node, "label")
        if what == "cv":
            return self.ctx.arg(node, 2, "y")
        return self.ctx.arg(node, 1, "y")
