"""MLP110 hyperparameters-implicit."""

from __future__ import annotations

import ast
from typing import Dict, FrozenSet, List, Optional, Set, Tuple

from ...apis.estimators import (
    NOT_HYPERPARAMETERS,
    TORCH_OPTIMIZERS,
    search_grid_position,
    torch_optimizer,
    tunable_estimator,
)
from ...apis.sklearn_api import sklearn_last
from ...registry import Rule, register
from ._estimators import Bindings, in_test_code, unwrap_fit

#: keys of a grid / set_params call, or None for "unknown, assume everything"
Keys = Optional[FrozenSet[str]]

#: LR schedulers that set the learning rate themselves
_LR_SETTING_SCHEDULERS = frozenset({"OneCycleLR", "CyclicLR"})
#: keywords under which meta-estimators take their inner estimator(s)
_INNER_KEYWORDS = ("estimator", "base_estimator", "final_estimator", "regressor", "classifier")


_Call = ast.Call
_Attribute = ast.Attribute
_Name = ast.Name

# what a resolved call name is to this rule, worked out once per name (a pure function
# of the name): most resolved calls (numpy, pandas, torch.nn...) are _NOTHING
_NOTHING = ("",)
_SEARCH, _SCHEDULER, _OPTIMIZER, _CURVE, _SKLEARN = "search", "scheduler", "optimizer", "curve", "sklearn"
_KINDS: Dict[str, Tuple] = {}  # type: ignore[type-arg]


def _kind(q: str) -> Tuple:  # type: ignore[type-arg]
    grid_at = search_grid_position(q)
    if grid_at is not None:
        return (_SEARCH, grid_at)
    last = q.rsplit(".", 1)[-1]
    if last in _LR_SETTING_SCHEDULERS and q.startswith("torch.optim.lr_scheduler."):
        return (_SCHEDULER,)
    opt = torch_optimizer(q)
    if opt is not None:
        return (_OPTIMIZER, opt)
    slast = sklearn_last(q)
    if slast is None:
        return _NOTHING
    if slast == "validation_curve":
        return (_CURVE,)
    return (_SKLEARN, slast, tunable_estimator(q))


def _grid_keys(  # type: ignore[no-untyped-def]
    ctx, expr: Optional[ast.AST], depth: int = 0
) -> Tuple[bool, Keys]:
    """(non-empty?, keys) of a search grid: a dict literal, a list of dicts, or a name
    bound once to one; anything else is non-empty with unknown keys."""
    if expr is None:
        return False, None
    if isinstance(expr, ast.Name) and depth < 2:
        value = ctx.resolver.constant(expr.id)
        if value is not None:
            return _grid_keys(ctx, value, depth + 1)
        return True, None
    if isinstance(expr, ast.Dict):
        if not expr.keys:
            return False, None
        keys: Set[str] = set()
        for k in expr.keys:
            if isinstance(k, ast.Constant) and isinstance(k.value, str):
                keys.add(k.value)
            else:
                return True, None  # ``**base`` or a computed key
        return True, frozenset(keys)
    if isinstance(expr, (ast.List, ast.Tuple)):
        if not expr.elts:
            return False, None
        out: Set[str] = set()
        any_nonempty = False
        for elt in expr.elts:
            nonempty, keys_ = _grid_keys(ctx, elt, depth + 1)
            if not nonempty:
                continue
            any_nonempty = True
            if keys_ is None:
                return True, None
            out |= keys_
        return any_nonempty, frozenset(out)
    return True, None


def _grid_candidates(expr: Optional[ast.AST]) -> List[ast.AST]:
    """Estimator objects listed as grid *values* (``{"clf": [SVC(), RF()]}``)."""
    out: List[ast.AST] = []
    if isinstance(expr, ast.Dict):
        dicts: List[ast.AST] = [expr]
    elif isinstance(expr, (ast.List, ast.Tuple)):
        dicts = list(expr.elts)
    else:
        dicts = []
    for d in dicts:
        if not isinstance(d, ast.Dict):
            continue
        for v in d.values:
            if isinstance(v, (ast.List, ast.Tuple)):
                out.extend(e for e in v.elts if isinstance(e, ast.Call))
            elif isinstance(v, ast.Call):
                out.append(v)
    return out


@register
class HyperparametersImplicit(Rule):
    """## What it does
    Flags a scikit-learn estimator or a torch optimizer constructed with **every
    hyperparameter left at its default**: `RandomForestClassifier()`, `SVC()`,
    `KMeans()`, `torch.optim.Adam(model.parameters())`.

    Judged estimators (resolved through imports, any module path): ensembles
    (`RandomForest*`, `ExtraTrees*`, `GradientBoosting*`, `HistGradientBoosting*`,
    `AdaBoost*`, `Bagging*`, `IsolationForest`), trees, SVMs (`SVC`, `SVR`, `NuSVC`,
    `NuSVR`, `LinearSVC`, `LinearSVR`, `OneClassSVM`), regularised linear models
    (`LogisticRegression`, `Ridge`, `RidgeClassifier`, `Lasso`, `ElasticNet`,
    `LassoLars`, `SGD*`, `PassiveAggressive*`, `HuberRegressor`, `QuantileRegressor`,
    `Poisson`/`Gamma`/`TweedieRegressor`, `KernelRidge`), neighbours (`KNeighbors*`,
    `RadiusNeighbors*`, `LocalOutlierFactor`), `MLPClassifier`/`MLPRegressor`,
    `MultinomialNB`/`BernoulliNB`/`ComplementNB`/`CategoricalNB`, clustering and
    mixtures (`KMeans`, `MiniBatchKMeans`, `BisectingKMeans`, `DBSCAN`, `HDBSCAN`,
    `OPTICS`, `AgglomerativeClustering`, `SpectralClustering`, `Birch`,
    `GaussianMixture`, `BayesianGaussianMixture`, `EllipticEnvelope`), Gaussian
    processes, and imbalanced-learn's `BalancedRandomForestClassifier`. Judged
    optimizers: the `torch.optim` classes (`SGD`, `Adam`, `AdamW`, `RMSprop`,
    `Adagrad`, …).

    An argument that does not set a hyperparameter does not count: `random_state`,
    `n_jobs`, `verbose`, `copy`/`copy_X`, `cache_size`, `oob_score`, `warm_start`,
    `memory`, `precompute`, and for optimizers the parameters themselves
    and `foreach`/`fused`/`capturable`/`differentiable`. Any other keyword or positional
    argument (`max_iter=1000`, `class_weight=...`, `probability=True`, `weight_decay=...`,
    a positional learning rate) counts as a choice made explicitly.

    Not flagged:
    - `**cfg` / `*args` in the call (the values come from a config);
    - an object whose name later gets `.set_params(...)` or an attribute assigned
      (`clf.C = 10`) in the same scope;
    - an estimator given to `GridSearchCV`, `RandomizedSearchCV`, `Halving*SearchCV`,
      skopt's `BayesSearchCV`, `OptunaSearchCV` or tune-sklearn with a non-empty grid
      (inline or through a name), also as a step of a pipeline or the inner estimator of
      a meta-estimator when the grid tunes it (`clf__C`, `estimator__max_depth`), and
      estimators listed as grid values (`{"clf": [SVC(), RandomForestClassifier()]}`),
      and an estimator whose `validation_curve` sweeps a hyperparameter;
    - when a search's estimator cannot be followed (`GridSearchCV(build_pipeline(),
      GRID)`, a `Pipeline(steps)` assembled with `append`), an estimator anywhere in
      the module whose step name the grid tunes (`clf__C` for a step `("clf", SVC())`)
      or whose key hyperparameters it names (`{"C": [...]}` for an `SVC`); a grid of
      unknown content (a parameter, a call) then counts for every estimator;
    - an optimizer whose param groups carry their own `"lr"`, that is later given to
      `OneCycleLR`/`CyclicLR` (they set the learning rate), or whose `param_groups` are
      edited;
    - test code (`test_*.py`, `*_test.py`, `conftest.py`,
      modules importing `pytest`, `test*` functions and `Test*` classes);
    - preprocessing transformers, pipelines, searches, dummy estimators, meta-estimators,
      the self-tuning `*CV` estimators (`LogisticRegressionCV`, `RidgeCV`…) and estimators
      with nothing worth tuning (`LinearRegression`, `GaussianNB`,
      `LinearDiscriminantAnalysis`, `NearestNeighbors`).

    Quick baseline lists in notebooks (`models = [LogisticRegression(), SVC()]`) are
    flagged like any other construction: the catalogue asks for it, and the fix
    (naming the values you compare) costs one line.

    ## Why is this bad?
    Defaults change between library versions (`n_estimators` went from 10 to 100,
    `LogisticRegression`'s solver changed) and differ between libraries, so a model
    built with implicit hyperparameters cannot be reproduced or compared reliably, and
    nobody can tell whether the value was chosen or forgotten. Zhang et al. catalogue
    it as *Hyperparameter not Explicitly Set*.

    ## Example
    ```python
    import torch
    from sklearn.ensemble import RandomForestClassifier

    clf = RandomForestClassifier(random_state=0)
    optimizer = torch.optim.Adam(model.parameters())
    ```

    ## Use instead
    ```python
    import torch
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import GridSearchCV
    from sklearn.svm import SVC

    clf = RandomForestClassifier(n_estimators=300, max_depth=12, random_state=0)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-4)
    search = GridSearchCV(SVC(), {"C": [0.1, 1, 10]})
    ```

    ## Options
    None.

    ## Known limitations
    - XGBoost, LightGBM and CatBoost models are not judged (the catalogue names
      scikit-learn; `XGBClassifier()` is also how a saved booster is loaded).
    - An estimator handed to a helper that runs the search (`tune(SVC(), grid)`), or
      `set_params` called in another scope or through a loop over a list of models, is
      not seen, so such an estimator is still flagged. A grid is matched to pipeline
      steps by name; `make_pipeline` steps are named after their lower-cased class.
    - The torch learning rate set later by a warm-up helper that is not `OneCycleLR`/
      `CyclicLR` and does not touch `param_groups` in this file is not seen.
    - An optimizer given a name or a call of unknown content as its parameters
      (`Adam(param_groups)` built in a loop, `Adam(get_groups(model))`) gets the benefit
      of the doubt.

    ## References
    - Zhang, Cruz, van Deursen, "Code Smells for Machine Learning Applications",
      CAIN 2022, smell 11 "Hyperparameter not Explicitly Set".
    - scikit-learn docs, [Tuning the hyper-parameters of an
      estimator](https://scikit-learn.org/stable/modules/grid_search.html).
    - PyTorch docs, [torch.optim](https://pytorch.org/docs/stable/optim.html).
    - dslinter `hyperparameters-*` checkers; mlpylint *Hyperparameter Not Explicitly Set*.
    """

    code = "MLP110"
    added_in = "0.2.0"
    name = "hyperparameters-implicit"
    message = "{what}"
    confidence = "medium"
    #: every finding needs a resolved scikit-learn / imbalanced-learn name, or a
    #: ``torch.optim.*`` one: its "optim" part comes from the file's text (``import
    #: torch.optim``, ``from torch import optim``, ``torch.optim.Adam``), so a torch file
    #: without "optim" (inference code, pipelines) cannot have a finding
    triggers = ("sklearn", "imblearn", "optim")

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self._names = Bindings(ctx, "MLP110.objects")
        #: id(constructor) -> (node, message, suggested keys; empty for optimizers)
        self._cands: Dict[int, Tuple[ast.Call, str, Tuple[str, ...]]] = {}
        #: containers whose parts could not all be read (``Pipeline(steps)`` built by hand)
        self._opaque: Set[int] = set()
        #: grid keys of searches whose estimator we could not follow (None: unknown keys)
        self._loose: List[Keys] = []
        #: id(container) -> [(path or None, id(child object))]
        self._children: Dict[int, List[Tuple[Optional[str], int]]] = {}
        #: (id(object), keys) set by a search / set_params / attribute assignment
        self._tunes: List[Tuple[int, Keys]] = []
        self._exempt: Set[int] = set()

    # ---------------------------------------------------------------- objects
    def _obj_id(self, expr: Optional[ast.AST], visited: bool = False) -> Optional[int]:
        """The object (constructor or container call) an expression stands for
        (``visited``: ``expr`` was already visited by the walk, its call name is known)."""
        expr = unwrap_fit(expr)
        if expr.__class__ is _Call:
            # a library constructor; a project helper's result is not followed
            if visited:
                q = self.ctx.call_name(expr)
            else:
                q = self.ctx.qualname(expr.func)  # type: ignore[union-attr]
            return id(expr) if q is not None else None
        if expr is not None:
            found = self._names.lookup(expr)
            if found is not None:
                return found  # type: ignore[no-any-return]
        return None

    def _in_test(self) -> bool:
        return in_test_code(self.ctx)

    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        q = ctx.call_name(node)
        if q is None:
            func = node.func
            if func.__class__ is _Attribute and func.attr == "set_params":
                oid = self._obj_id(func.value)
                if oid is not None:
                    self._tunes.append((oid, self._kw_keys(node)))
            return
        kind = _KINDS.get(q)
        if kind is None:
            kind = _KINDS[q] = _kind(q)
        if kind is _NOTHING:
            return
        tag = kind[0]
        if tag is _SEARCH:
            self._search(node, kind[1])
            return
        if tag is _SCHEDULER:
            oid = self._obj_id(ctx.arg(node, 0, "optimizer"))
            if oid is not None:
                self._tunes.append((oid, None))
            return
        if tag is _OPTIMIZER:
            opt = kind[1]
            if not self._optimizer_set(node) and not self._in_test():
                what = (
                    f"torch.optim.{opt}() leaves every hyperparameter at its default "
                    f"(lr={TORCH_OPTIMIZERS[opt]}); set lr explicitly (or tune it) so the choice is recorded"
                )
                self._cands[id(node)] = (node, what, ())
            return
        if tag is _CURVE:
            # the curve sweeps ``param_name`` over ``param_range``
            oid = self._obj_id(ctx.arg(node, 0, "estimator"))
            name = ctx.literal_str(ctx.kwarg(node, "param_name"))
            keys: Keys = frozenset({name}) if name else None
            if oid is not None:
                self._tunes.append((oid, keys))
            else:
                self._loose.append(keys)
            return
        self._note_children(node, kind[1])
        tunable = kind[2]
        if tunable is None or self._estimator_set(node) or self._in_test():
            return
        cls, suggested = tunable
        what = (
            f"{cls}() leaves every hyperparameter at its default; set {'/'.join(suggested)} "
            f"explicitly (or tune {'it' if len(suggested) == 1 else 'them'}) so the choice is recorded"
        )
        self._cands[id(node)] = (node, what, suggested)

    @staticmethod
    def _kw_keys(node: ast.Call) -> Keys:
        keys: Set[str] = set()
        for kw in node.keywords:
            if kw.arg is None:
                return None
            keys.add(kw.arg)
        if node.args:
            return None
        return frozenset(keys)

    @staticmethod
    def _estimator_set(node: ast.Call) -> bool:
        if node.args:
            return True  # positional hyperparameters, or *args
        return any(kw.arg is None or kw.arg not in NOT_HYPERPARAMETERS for kw in node.keywords)

    def _optimizer_set(self, node: ast.Call) -> bool:
        ctx = self.ctx
        if any(isinstance(a, ast.Starred) for a in node.args) or len(node.args) > 1:
            return True
        for kw in node.keywords:
            if kw.arg is None or (kw.arg != "params" and kw.arg not in NOT_HYPERPARAMETERS):
                return True
        params = ctx.arg(node, 0, "params")
        if params is None:
            return True  # nothing to judge
        return not self._plain_parameters(params)

    def _plain_parameters(self, expr: ast.AST, depth: int = 0) -> bool:
        """True when ``expr`` is surely the model's parameters without own ``lr``:
        ``model.parameters()``, ``filter(f, m.parameters())``, ``list(...)``, a
        comprehension of tensors, a literal list of groups none of which has ``lr``,
        or a name bound once to one of these."""
        if depth > 3:
            return False
        if isinstance(expr, ast.Call):
            func = expr.func
            if isinstance(func, ast.Attribute) and func.attr in ("parameters", "named_parameters"):
                return True
            if isinstance(func, ast.Name) and func.id in ("filter", "list", "iter") and expr.args:
                return self._plain_parameters(expr.args[-1], depth + 1)
            q = self.ctx.qualname(func)
            if q in ("itertools.chain",) and expr.args:
                return all(self._plain_parameters(a, depth + 1) for a in expr.args)
            return False
        if isinstance(expr, (ast.ListComp, ast.GeneratorExp)):
            return not isinstance(expr.elt, ast.Dict)
        if isinstance(expr, (ast.List, ast.Tuple)):
            if not expr.elts:
                return False
            for elt in expr.elts:
                if not isinstance(elt, ast.Dict):
                    return False
                for k in elt.keys:
                    if k is None:
                        return False  # ``{**group}``
                    if isinstance(k, ast.Constant) and k.value == "lr":
                        return False
            return True
        if isinstance(expr, ast.Name):
            value = self.ctx.resolver.constant(expr.id)
            if value is not None:
                return self._plain_parameters(value, depth + 1)
        return False

    def _note_children(self, node: ast.Call, last: str) -> None:
        """Remember the estimators a pipeline / meta-estimator holds, by grid path."""
        ctx = self.ctx
        children: List[Tuple[Optional[str], int]] = []
        if last == "Pipeline":
            steps = ctx.arg(node, 0, "steps")
            if isinstance(steps, ast.Name):
                steps = ctx.resolver.constant(steps.id)
            if isinstance(steps, (ast.List, ast.Tuple)):
                for elt in steps.elts:
                    if isinstance(elt, ast.Tuple) and len(elt.elts) >= 2:
                        name = ctx.literal_str(elt.elts[0])
                        oid = self._obj_id(elt.elts[1])
                        if oid is not None:
                            children.append((name, oid))
                    else:
                        self._opaque.add(id(node))
            else:
                self._opaque.add(id(node))
        elif last == "make_pipeline":
            if any(isinstance(a, ast.Starred) for a in node.args):
                self._opaque.add(id(node))
            seen: Dict[str, int] = {}
            for arg in node.args:
                target = unwrap_fit(arg)
                if isinstance(target, ast.Name):
                    value = self._names.lookup(target)
                    cls = None
                else:
                    value = None
                    cls = ctx.qualname(target.func) if isinstance(target, ast.Call) else None
                name = cls.rsplit(".", 1)[-1].lower() if cls else None
                if name is not None:
                    seen[name] = seen.get(name, 0) + 1
                oid = self._obj_id(arg) if value is None else value
                if oid is not None:
                    children.append((name, oid))
            # duplicated class names get suffixes in make_pipeline: path unknown
            children = [(n if n is None or seen.get(n, 0) == 1 else None, o) for n, o in children]
        else:
            if node.args:
                oid = self._obj_id(node.args[0])
                if oid is not None:
                    children.append(("estimator", oid))
            for kw in node.keywords:
                if kw.arg in _INNER_KEYWORDS:
                    oid = self._obj_id(kw.value)
                    if oid is not None:
                        children.append((kw.arg, oid))
                elif kw.arg == "estimators" and isinstance(kw.value, (ast.List, ast.Tuple)):
                    for elt in kw.value.elts:
                        if isinstance(elt, ast.Tuple) and len(elt.elts) >= 2:
                            oid = self._obj_id(elt.elts[1])
                            if oid is not None:
                                children.append((ctx.literal_str(elt.elts[0]), oid))
        if children:
            self._children[id(node)] = children

    def _search(self, node: ast.Call, grid_at: Tuple[int, str]) -> None:
        ctx = self.ctx
        grid = ctx.arg(node, grid_at[0], grid_at[1])
        grid_value = grid
        if isinstance(grid, ast.Name):
            grid_value = ctx.resolver.constant(grid.id) or grid
        for cand in _grid_candidates(grid_value):
            self._exempt.add(id(cand))
            inner = unwrap_fit(cand)
            if inner is not None:
                self._exempt.add(id(inner))
        nonempty, keys = _grid_keys(ctx, grid)
        if not nonempty:
            return
        oid = self._obj_id(ctx.arg(node, 0, "estimator"))
        if oid is not None:
            self._tunes.append((oid, keys))
        else:
            # ``GridSearchCV(build_pipeline(), {"clf__C": ...})``: matched by name in finish
            self._loose.append(keys)

    # ------------------------------------------------------------ assignments
    def leave_Assign(self, node: ast.Assign) -> None:
        value = node.value
        for target in node.targets:
            self._bind(target, value)

    def leave_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value)

    def _bind(self, target: ast.AST, value: ast.AST) -> None:
        if target.__class__ is _Attribute:
            obj = target.value  # type: ignore[attr-defined]
            if not (obj.__class__ is _Name and obj.id == "self"):
                # ``clf.C = 10``: a hyperparameter set after construction
                if target.attr not in NOT_HYPERPARAMETERS:  # type: ignore[attr-defined]
                    oid = self._obj_id(obj)
                    if oid is not None:
                        self._tunes.append((oid, None))
                return
        inner = unwrap_fit(value)
        cls = inner.__class__
        if cls is _Call:
            # leave handler: the value's calls were visited, their names are known
            oid = self._obj_id(inner, visited=True)
            if oid is not None:
                self._names.record(target, oid)
        elif (cls is _Name or cls is _Attribute) and not self._names.empty:
            oid = self._names.lookup(inner)
            if oid is not None:
                self._names.record(target, oid)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        # ``for g in opt.param_groups: g["lr"] = ...`` (warm-up by hand)
        if node.attr == "param_groups":
            oid = self._obj_id(node.value)
            if oid is not None:
                self._tunes.append((oid, None))

    # ------------------------------------------------------------------ finish
    def finish(self) -> None:
        if not self._cands:
            return
        tuned: Set[int] = set()
        stack = list(self._tunes)
        seen: Set[Tuple[int, Keys]] = set()
        while stack:
            oid, keys = stack.pop()
            if (oid, keys) in seen:
                continue
            seen.add((oid, keys))
            if keys is None or any("__" not in k and k not in NOT_HYPERPARAMETERS for k in keys):
                tuned.add(oid)
            if oid in self._opaque:
                self._loose.append(keys)
            for path, child in self._children.get(oid, ()):
                if keys is None or path is None:
                    stack.append((child, None))
                    continue
                prefix = path + "__"
                sub = frozenset(k[len(prefix):] for k in keys if k.startswith(prefix))
                if sub:
                    stack.append((child, sub))
        paths: Dict[int, Set[str]] = {}
        for children in self._children.values():
            for path, child in children:
                if path is not None:
                    paths.setdefault(child, set()).add(path)
        for oid, (node, what, suggested) in sorted(
            self._cands.items(), key=lambda kv: (kv[1][0].lineno, kv[1][0].col_offset)
        ):
            if oid in tuned or oid in self._exempt:
                continue
            if suggested and self._loosely_tuned(paths.get(oid, set()), suggested):
                continue
            self.report(node, what=what)

    def _loosely_tuned(self, paths: Set[str], suggested: Tuple[str, ...]) -> bool:
        """A search we could not follow to its estimator may tune this one: its grid
        names the step (``clf__C`` for a step named ``clf``) or one of the estimator's
        own hyperparameters (``{"C": [...]}`` for an ``SVC``); unknown keys tune all."""
        for keys in self._loose:
            if keys is None:
                return True
            for key in keys:
                head, sep, rest = key.partition("__")
                if sep and head in paths:
                    return True
                leaf = key.rsplit("__", 1)[-1]
                if leaf in suggested:
                    return True
        return False
