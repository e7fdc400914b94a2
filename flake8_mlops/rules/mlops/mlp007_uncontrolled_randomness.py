"""MLP007 uncontrolled-randomness."""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Set, Tuple

from ...apis.models import model_constructor
from ...apis.sklearn_api import SEEDING_WRAPPERS, Randomness, randomness, sklearn_last
from ...registry import Rule, register
from ...script_shape import ScriptShapeFeeder

_MISSING = object()

#: module heads whose import makes a module deep-learning code
_DL_HEADS = {"torch": "torch", "lightning": "torch", "pytorch_lightning": "torch",
             "tensorflow": "TensorFlow/Keras", "keras": "TensorFlow/Keras", "tf_keras": "TensorFlow/Keras"}
#: module heads whose import means ``model.fit`` may well be scikit-learn-style
_CLASSIC_HEADS = frozenset({"sklearn", "xgboost", "lightgbm", "catboost", "statsmodels", "imblearn"})
#: heads of libraries whose Trainer seeds itself (``TrainingArguments.seed`` = 42)
_SELF_SEEDING_HEADS = frozenset({"transformers", "trl", "setfit", "sentence_transformers", "ultralytics"})
#: fastai ``Learner`` methods that train
_FASTAI_FIT = frozenset({"fit_one_cycle", "fine_tune", "fit_flat_cos", "fit_sgdr"})
#: RNG constructors that seed when given an argument
_SEEDED_RNGS = frozenset(
    {
        "numpy.random.default_rng", "numpy.random.RandomState", "numpy.random.Generator",
        "numpy.random.seed", "random.Random", "random.seed",
    }
)
_KERAS_FIT_KEYWORDS = frozenset(
    {"epochs", "validation_data", "validation_split", "steps_per_epoch", "initial_epoch"}
)
_FIT_METHODS = frozenset({"fit", "partial_fit", "fit_generator", "train_on_batch"})
_SKLEARN_PREFIXES = ("sklearn.", "imblearn.")  # what sklearn_last() accepts
#: qualified name -> (sklearn_last, randomness) of sklearn/imblearn names; for other
#: names True when they are a self-seeding library's ``...Trainer``, else False (pure)
_QUAL_INFO: Dict[str, object] = {}


def _qual_info(qualname: str) -> object:
    if len(_QUAL_INFO) > 50_000:  # bounded: a long-lived process sees many names
        _QUAL_INFO.clear()
    if not qualname.startswith(_SKLEARN_PREFIXES):  # sklearn_last(qualname) is None
        info: object = qualname.endswith("Trainer") and qualname.split(".", 1)[0] in _SELF_SEEDING_HEADS
    else:
        info = (sklearn_last(qualname), randomness(qualname))
    _QUAL_INFO[qualname] = info
    return info


_Attribute = ast.Attribute
_Name = ast.Name

# What the called name or method says, as bits, computed once per spelling (pure; the
# same names repeat in every file): visit_Call reads one small int per call.
_SEEDS = 1  # the name says seeding (see _note_seed)
_EXTRA = 2  # a method _extra_training may accept
_COMPILE = 4  # ``.compile``
_NAME_BITS: Dict[str, int] = {}
_ATTR_BITS: Dict[str, int] = {}


def _seedish(name: str) -> bool:
    low = name.lower()
    return "seed" in low or "reproducib" in low or ("determinis" in low and "algorithm" not in low)


def _attr_bits(attr: str) -> int:
    bits = _SEEDS if _seedish(attr) else 0
    if attr == "step" or attr in _FASTAI_FIT:
        bits |= _EXTRA
    if attr == "compile":
        bits |= _COMPILE
    return bits


_FIX = {
    "torch": "call torch.manual_seed(<int>) (or lightning.seed_everything / transformers.set_seed)",
    "TensorFlow/Keras": "call keras.utils.set_random_seed(<int>) (or tf.random.set_seed)",
}


@register
class UncontrolledRandomness(ScriptShapeFeeder, Rule):
    """## What it does
    Flags randomness that is never seeded, in two forms.

    **(1) scikit-learn calls without `random_state`.** A splitter, estimator or function
    whose result depends on `random_state`, called without it or with
    `random_state=None`, only where it actually draws random numbers:
    - always: `train_test_split` (unless `shuffle=False`), `ShuffleSplit`,
      `StratifiedShuffleSplit`, `GroupShuffleSplit`, `RepeatedKFold`,
      `RepeatedStratifiedKFold`, `RandomizedSearchCV`, `HalvingRandomSearchCV`,
      `ParameterSampler`, `permutation_importance`, `sklearn.utils.resample`/`shuffle`,
      `DecisionTree*`, `ExtraTree*`, `RandomForest*`, `ExtraTrees*`, `RandomTreesEmbedding`,
      `GradientBoosting*`, `HistGradientBoosting*`, `Bagging*`, `AdaBoost*`,
      `IsolationForest`, `SGD*`, `Perceptron`, `PassiveAggressive*`, `RANSACRegressor`,
      `MLP*`, `BernoulliRBM`, `KMeans`, `MiniBatchKMeans`, `BisectingKMeans`,
      `SpectralClustering`, `GaussianMixture`, `BayesianGaussianMixture`, `TruncatedSVD`,
      `LatentDirichletAllocation`, `FastICA`, `(MiniBatch)DictionaryLearning`,
      `(MiniBatch)SparsePCA`, `TSNE`, random projections, `RBFSampler`, `Nystroem`,
      `SkewedChi2Sampler`, the `make_*` dataset generators, and imbalanced-learn's
      samplers (`SMOTE`, `RandomUnderSampler`…) and random ensembles;
    - `KFold`/`StratifiedKFold`/`GroupKFold`/`StratifiedGroupKFold` and `learning_curve`
      only with `shuffle=True`;
    - `LogisticRegression(CV)` only with `solver` `"sag"`, `"saga"` or `"liblinear"`;
      `Ridge`/`RidgeClassifier` only with `"sag"`/`"saga"`; `Lasso`/`ElasticNet`
      (and their `CV`/`MultiTask` forms) only with `selection="random"`; `SVC`/`NuSVC`
      only with `probability=True`; `DummyClassifier` only with
      `strategy="stratified"`/`"uniform"`.

    An estimator passed to `Bagging*`/`AdaBoost*` (which seed their members from their
    own `random_state`) is judged through the wrapper only. A non-literal
    `random_state=seed`, `shuffle=flag` or `solver=cfg.solver`, and `**params`, get the
    benefit of the doubt. XGBoost, LightGBM and CatBoost are deterministic by default
    and are not flagged.

    **(2) Deep-learning training scripts that never seed.** A module that trains with
    torch (a loop calling `optimizer.step()`, Lightning `Trainer.fit`) or
    TensorFlow/Keras (`model.fit`) and is a *script* — it has an
    `if __name__ == "__main__":` block, trains at module level, calls its own `main()`
    at module level, or is a notebook (nbqa, `# %%` cells) — but calls no seeding
    function anywhere: `torch.manual_seed`, `torch.cuda.manual_seed_all`,
    `tf.random.set_seed`, `keras.utils.set_random_seed`, `transformers.set_seed`,
    `lightning.seed_everything`, `np.random.seed`, `random.seed`, a seeded
    `np.random.default_rng(seed)`/`RandomState(seed)`/`random.Random(seed)`, or any
    function whose name contains `seed`, `determinis` or `reproducib` (a project's own
    `set_seed(42)`, `seed_everything(cfg.seed)`, `make_reproducible()`). Reported once,
    at the first training call.

    Hugging Face `Trainer`s (`transformers`, `trl`, `setfit`, `sentence_transformers`)
    seed themselves from `TrainingArguments.seed` (42 by default), so modules that train
    through them are not reported by (2). Library modules (training only inside
    functions, no script entry point) and inference code are not judged by (2).

    ## Why is this bad?
    Unseeded shuffles, initialisations and bootstrap samples make every run different:
    a score cannot be reproduced, two experiments cannot be compared, and a regression
    cannot be told from noise. Zhang et al. catalogue it as *Randomness Uncontrolled*;
    seed 003 recounts how a model that cannot be rebuilt the same way becomes "just a
    binary" nobody can maintain.

    ## Example
    ```python
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import train_test_split

    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
    clf = RandomForestClassifier(n_estimators=300)
    ```

    ## Use instead
    ```python
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import KFold, train_test_split

    SEED = 42
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=SEED)
    clf = RandomForestClassifier(n_estimators=300, random_state=SEED)
    cv = KFold(n_splits=5)
    lr = LogisticRegression(max_iter=1000)
    ```

    ## Options
    None.

    ## Known limitations
    - `random_state` set after construction (`clf.set_params(random_state=0)`,
      `clf.random_state = 0`, or through a parameter grid) is not seen: (1) still fires.
    - `random_state` given positionally is not recognised (scikit-learn's signatures
      make it keyword-only).
    - `PCA`, `NMF`, `LinearSVC`, `KernelPCA` and `IterativeImputer` use randomness only
      for some solvers or data shapes chosen at run time and are not flagged.
    - (2) counts any seeding call anywhere in the module, even one in a function that
      is never called, and any callee whose name contains `seed`, `determinis` or
      `reproducib` (`enable_full_determinism(42)` counts;
      `torch.use_deterministic_algorithms(True)` alone does not seed and does not count). A `.fit` of unknown
      origin counts as deep-learning training only when it has Keras keywords
      (`epochs=`…), its receiver was `compile()`d, or the module imports torch/TF/Keras
      and no scikit-learn-style library. A module whose `main()` is run by an entry
      point (no `__main__` block) is treated as a library. A single notebook cell
      linted on its own (VS Code) is not judged by (2): the seed may be in another cell.

    ## References
    - Ciavotta, "MLOps, the hard way" (seed 003), the "just a binary" antipattern.
    - Zhang et al., "Code Smells for Machine Learning Applications" (CAIN 2022), the
      *Randomness Uncontrolled* smell.
    - scikit-learn docs, [Controlling
      randomness](https://scikit-learn.org/stable/common_pitfalls.html#controlling-randomness).
    - PyTorch docs, [Reproducibility](https://pytorch.org/docs/stable/notes/randomness.html);
      Keras docs, `keras.utils.set_random_seed`.
    - dslinter `randomness-control-*` checkers; mlpylint *Randomness Uncontrolled*.
    """

    code = "MLP007"
    added_in = "0.2.0"
    name = "uncontrolled-randomness"
    message = "{what}"
    confidence = "medium"
    uses_facts = True

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        #: ids of calls passed to a seeding wrapper (BaggingClassifier(DecisionTree…))
        self._wrapped: Set[int] = set()
        self._seeded = False
        self._self_seeding_trainer = False
        self._module_main_call = False
        self._dl_framework: Optional[str] = None
        self._classic_import = False
        self._self_seeding_import = False
        self._compiled: Set[str] = set()
        #: (call, framework, at module level) of deep-learning training calls
        self._dl_training: List[Tuple[ast.Call, str, bool]] = []

    # ------------------------------------------------------------------ imports
    def _note_module(self, module: str) -> None:
        head = module.split(".", 1)[0]
        fw = _DL_HEADS.get(head)
        if fw is not None and self._dl_framework is None:
            self._dl_framework = fw
        if head in _CLASSIC_HEADS:
            self._classic_import = True
        if head in _SELF_SEEDING_HEADS:
            self._self_seeding_import = True

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._note_module(alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and not node.level:
            self._note_module(node.module)

    # ------------------------------------------------------------ script shape

    # ------------------------------------------------------------------- calls
    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        qualname = ctx.call_name(node)
        func = node.func
        fcls = func.__class__
        if fcls is _Attribute:
            attr = func.attr  # type: ignore[attr-defined]
            bits = _ATTR_BITS.get(attr)
            if bits is None:
                if len(_ATTR_BITS) > 50_000:  # bounded: a long-lived process sees many names
                    _ATTR_BITS.clear()
                bits = _ATTR_BITS[attr] = _attr_bits(attr)
        elif fcls is _Name:
            fid = func.id  # type: ignore[attr-defined]
            bits = _NAME_BITS.get(fid)
            if bits is None:
                if len(_NAME_BITS) > 50_000:
                    _NAME_BITS.clear()
                bits = _NAME_BITS[fid] = _SEEDS if _seedish(fid) else 0
        else:
            bits = 0
        if not self._seeded and (bits & _SEEDS or (node.args and qualname in _SEEDED_RNGS)):
            self._note_seed(node, qualname, bits)
        training_calls = ctx.facts.training_calls
        if training_calls and training_calls[-1] is node:
            self._note_training(node)
        elif bits & _EXTRA and self._extra_training(node, func):  # type: ignore[arg-type]
            self._dl_training.append((node, "torch", not ctx.in_function))
        if bits & _COMPILE and func.value.__class__ is _Name:  # type: ignore[attr-defined]
            if node.args or node.keywords:
                self._compiled.add(func.value.id)  # type: ignore[attr-defined]
        if qualname is None:
            return
        info = _QUAL_INFO.get(qualname)
        if info is None:
            info = _qual_info(qualname)
        if info is False:
            return  # neither scikit-learn nor a self-seeding Trainer: the common case
        if info is True:
            self._self_seeding_trainer = True
            return
        last, entry = info  # type: ignore[misc]
        if last in SEEDING_WRAPPERS:
            for arg in node.args:
                self._wrapped.add(id(arg))
            for kw in node.keywords:
                if kw.arg in ("estimator", "base_estimator"):
                    self._wrapped.add(id(kw.value))
        if entry is None or id(node) in self._wrapped:
            return
        if not self._uses_randomness(node, entry):
            return
        kw = ctx.keyword(node, entry.seed_keyword)
        if kw is not None:
            if ctx.literal(kw.value, _MISSING) is not None:
                return  # an int, or a non-literal: benefit of the doubt
            state = "random_state=None"
        else:
            if ctx.has_star_kwargs(node):
                return
            state = "no random_state"
        self.report(
            node,
            what=(
                f"{last}() draws random numbers with {state}: {entry.what} from run to run "
                "and cannot be reproduced; pass random_state=<int>"
            ),
        )

    def _uses_randomness(self, node: ast.Call, entry: Randomness) -> bool:
        ctx = self.ctx
        cond = entry.condition
        if cond == "always":
            return True
        kw = ctx.keyword(node, entry.keyword)
        if cond == "unless_false":
            return kw is None or not ctx.is_false(kw.value)
        if kw is None:
            return False
        if cond == "kw_true":
            return ctx.is_true(kw.value)
        if cond == "kw_in":
            value = ctx.literal_str(kw.value)
            return value is not None and value in entry.values
        return False

    def _note_seed(self, node: ast.Call, qualname: Optional[str], bits: int) -> None:
        """``bits & _SEEDS``: the called name or method says seeding (``set_seed``,
        ``seed_everything``, ``make_reproducible``, ``enable_determinism``)."""
        if self._seeded:
            return
        if bits & _SEEDS:
            self._seeded = True
            return
        if qualname in _SEEDED_RNGS and node.args:
            if self.ctx.literal(node.args[0], _MISSING) is not None:
                self._seeded = True

    def _note_training(self, node: ast.Call) -> None:
        framework = self._training_framework(node)
        if framework is None:
            return
        at_module = not self.ctx.in_function
        self._dl_training.append((node, framework, at_module))

    @staticmethod
    def _extra_training(node: ast.Call, func: ast.Attribute) -> bool:
        """Torch training the module facts do not count: the AMP step
        ``scaler.step(optimizer)`` and fastai's ``learn.fine_tune(...)``."""
        if func.attr == "step" and node.args:
            arg = node.args[0]
            name = arg.id if isinstance(arg, ast.Name) else getattr(arg, "attr", "")
            return "opt" in name.lower()
        if func.attr in _FASTAI_FIT and (node.args or node.keywords):
            recv = func.value
            name = recv.id if isinstance(recv, ast.Name) else getattr(recv, "attr", "")
            return "learn" in name.lower()
        return False

    def _receiver_origin(self, receiver: ast.AST) -> Optional[str]:
        """Library of the object a Name receiver was built by (bound once), else None."""
        if not isinstance(receiver, ast.Name):
            return None
        value = self.ctx.resolver.constant(receiver.id)
        if isinstance(value, ast.Call):
            q = self.ctx.qualname(value.func)
            if q is not None:
                if q.split(".", 1)[0] in ("lightning",) and q.endswith("Trainer"):
                    return "torch"
                info = model_constructor(q)
                if info is not None:
                    return info.library
                return q.split(".", 1)[0]
        return None

    def _training_framework(self, node: ast.Call) -> Optional[str]:
        func = node.func
        if not isinstance(func, ast.Attribute):
            return None  # xgboost.train & co: not deep learning
        method = func.attr
        receiver = func.value
        default = self._dl_framework
        if method == "step":
            return "torch"
        if method == "train":
            origin = self._receiver_origin(receiver)
            if origin in _SELF_SEEDING_HEADS or (origin is None and self._self_seeding_import):
                self._self_seeding_trainer = True
                return None
            return default
        if method not in _FIT_METHODS:
            return None
        origin = self._receiver_origin(receiver)
        if origin in ("keras", "tensorflow"):
            return "TensorFlow/Keras"
        if origin == "torch":
            return "torch"
        if origin is not None:
            return None  # sklearn, xgboost, statsmodels…
        if default is None:
            return None
        if any(kw.arg in _KERAS_FIT_KEYWORDS for kw in node.keywords) or method == "fit_generator":
            return default
        if isinstance(receiver, ast.Name) and receiver.id in self._compiled:
            return default
        name = receiver.id if isinstance(receiver, ast.Name) else getattr(receiver, "attr", "")
        if "trainer" in name.lower():
            return default
        if self._classic_import:
            return None
        return default

    # ------------------------------------------------------------------ finish
    def finish(self) -> None:
        if self._seeded or self._self_seeding_trainer or not self._dl_training:
            return
        ctx = self.ctx
        if ctx.notebook == "cell":
            return
        script = self.looks_like_script(any(at_module for _, _, at_module in self._dl_training))
        if not script:
            return
        node, framework, _ = self._dl_training[0]
        self.report(
            node,
            what=(
                f"this {framework} training script never seeds its random number generators: "
                "weight initialisation, shuffling and dropout change from run to run; "
                f"{_FIX.get(framework, _FIX['torch'])} before training"
            ),
        )
