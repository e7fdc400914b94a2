"""MLP017 data-leakage."""

from __future__ import annotations

import ast
from typing import Set

from ...apis.sklearn_api import HELDOUT_FITTERS, SAMPLER, is_heldout_fitter_name
from ...registry import Rule, register
from ._sklearn_flow import FlowFeeder


@register
class DataLeakage(FlowFeeder, Rule):
    """## What it does
    Flags two ways test rows leak into training, within one function or module scope:

    1. **Fitted before the split.** A transformer, feature selector or resampler is
       fitted on data that a later `train_test_split` splits: `scaler.fit(X)`,
       `X = scaler.fit_transform(X)`, `df[num] = imputer.fit_transform(df[num])`,
       `SelectKBest(...).fit(X, y)`, `TfidfVectorizer().fit_transform(texts)`,
       `SMOTE().fit_resample(X, y)` — and then `train_test_split(X, ...)` (or a frame
       derived from it: `df.drop(...)`, `X_s[cols]`, `np.hstack([...])`). Reported at the
       fitting call.
    2. **Fitted on held-out data.** `fit`/`fit_transform`/`partial_fit`/`fit_predict`/
       `fit_resample` whose data argument is test or validation data: a test part of a
       `train_test_split` in the same scope, or a name such as `X_test`, `test_df`,
       `df_test`, `X_val`, `x_valid`, `valid_texts`, `X_holdout`, `Xte`, `X_te` (also
       `X_test[cols]`, `test_df.values`). Reported at that call, for any receiver
       (a scaler or a model).

    Transformers are scikit-learn's preprocessing, feature-extraction, feature-selection,
    decomposition, imputation, manifold, random-projection and kernel-approximation
    classes, `category_encoders` and `feature_engine`, and names of unknown origin
    spelled like one (`scaler`, `imputer`, `encoder`, `vectorizer`, `pca`, `selector`…).
    A `LabelEncoder` fitted on a column of a frame (`df["sex"] = le.fit_transform(
    df["sex"])`, also in a loop over columns) is a feature transformer, except on the
    column that the split then uses as the target (`y = df["label"]`,
    `train_test_split(X, df["label"])`).

    Not leakage: `transform(X_test)` with a transformer fitted on the training part;
    calibrators and meta-learners meant to be fitted on a validation set
    (`CalibratedClassifierCV(cv="prefit")`, `IsotonicRegression`, `FrozenEstimator`,
    threshold tuners, and receivers named `calibrator`, `iso`, `blender`, `meta_model`,
    `stacker`…), and data named like predictions (`p_val`, `val_preds`, `oof_valid`);
    `eval_set=`/`validation_data=`/`val_dataloaders` (evaluation, not fitting); refitting
    a model on all rows after model selection (`model.fit(X, y)`: estimators are never
    judged by part 1); label encoders on the target (`LabelEncoder().fit_transform(y)`;
    the class set is not a statistic of the test rows); fitting on combined data built
    by a call (`pd.concat([X_train, X_val])`).

    ## Why is this bad?
    A scaler's mean, an imputer's medians, a vectorizer's IDF weights, a selector's
    chosen features or an oversampler's synthetic rows computed with the test rows carry
    information about them into training: the test score is optimistic and the model is
    not evaluated on unseen data. Zhang et al. list it as the *Data Leakage* smell;
    seed 003 shows how such mistakes survive into production when the pipeline is not
    engineered ("just a binary").

    ## Example
    ```python
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X = StandardScaler().fit_transform(X)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    ```

    ## Use instead
    ```python
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    model = make_pipeline(StandardScaler(), LogisticRegression())
    model.fit(X_train, y_train)
    ```

    ## Options
    None.

    ## Known limitations
    - **Scope-local data flow.** Facts follow names within one function or module
      scope, in source order: plain assignment, tuple unpacking of `train_test_split`,
      subscripts and attributes (`df[cols]`, `X.values`), methods on the data
      (`df.drop(...)`), numpy/pandas/tensor wrappers (`np.hstack`, `pd.DataFrame`) and
      column assignment (`df[c] = ...`). Not followed: data passed to or returned from
      functions, other scopes, containers filled later, `self.` attributes, loops run
      more than once.
    - Only `train_test_split` counts as the split. Fitting on the full data before
      cross-validation (`cross_val_score(model, X_scaled, y)`, `KFold.split`) and manual
      normalisation (`(X - X.mean()) / X.std()`) are not reported.
    - Held-out data is recognised by split tracking and by its name; a test set named
      `df2` is missed, and a training set named `X_val` is reported. Test code
      (`test_*.py`, `conftest.py`, `test*` functions, `Test*` classes) is not judged by
      part 2, where `test_df` is usually fixture data.
    - A receiver of unknown origin that is not spelled like a transformer
      (`preprocessor.fit(X)`) gets the benefit of the doubt in part 1.

    ## References
    - Ciavotta, "MLOps, the hard way" (seed 003), the "just a binary" antipattern and
      its engineering debts.
    - Zhang et al., "Code Smells for Machine Learning Applications" (CAIN 2022), the
      *Data Leakage* smell.
    - scikit-learn docs, [Common pitfalls: data
      leakage](https://scikit-learn.org/stable/common_pitfalls.html#data-leakage).
    - dslinter `data-leakage` checker; mlpylint *Data Leakage*.
    """

    code = "MLP017"
    added_in = "0.2.0"
    triggers = ("fit",)
    name = "data-leakage"
    message = "{what}; {fix}"
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
        if what == "split":
            seen = flow.union_seen(flow.split_inputs(node))
            if not seen:
                return
            targets = flow.target_columns(node.args)
            for fid in sorted(seen, key=lambda i: (flow.fits[i].call.lineno, flow.fits[i].call.col_offset)):
                info = flow.fits[fid]
                if fid in self._reported:
                    continue
                if info.column is not None and info.column in targets:
                    continue  # a label encoder on the target column
                self._reported.add(fid)
                if info.kind == SAMPLER:
                    fix = "split first and resample only the training part"
                    why = "its synthetic rows are built from rows that end up in the test set"
                else:
                    fix = "split first and fit on the training part only (or use a Pipeline)"
                    why = "statistics of the test rows leak into training"
                self.report(
                    info.call,
                    what=(
                        f"{flow.label(info)} is fitted on data that train_test_split() splits "
                        f"later (line {node.lineno}): {why}"
                    ),
                    fix=fix,
                )
            return
        if what != "fit" or id(node) in self._reported:
            return
        func = node.func
        if not isinstance(func, ast.Attribute):
            return
        data = flow.data_arg(node)
        name = flow.heldout(data)
        if name is None or flow.in_test_code():
            return
        if obj.label in HELDOUT_FITTERS or is_heldout_fitter_name(obj.label):
            return  # calibration / blending on a validation set is what it is for
        receiver = func.value
        if isinstance(receiver, ast.Attribute) and is_heldout_fitter_name(receiver.attr):
            return
        self._reported.add(id(node))
        self.report(
            node,
            what=(
                f"{func.attr}() fits on held-out data '{name}': what the test/validation rows "
                "contain leaks into the model and the evaluation is optimistic"
            ),
            fix=f"fit on the training split and only transform or predict '{name}'",
        )
