"""NumPy / math / torch numeric facts for the smell rules (MLP101, MLP109, MLP117, MLP120).

Keyed by canonical qualified names as returned by ``Context.qualname``. Nothing here
imports NumPy or torch.
"""

from __future__ import annotations

from typing import Dict, FrozenSet

# ------------------------------------------------------------------ MLP101
#: constants that never compare equal (NaN) or whose ``==`` is not a bool (pd.NA)
#: -> the check to use instead
MISSING_CONSTANTS: Dict[str, str] = {
    "numpy.nan": "np.isnan(x) (or pd.isna(x) for pandas data)",
    "numpy.NaN": "np.isnan(x) (or pd.isna(x) for pandas data)",
    "numpy.NAN": "np.isnan(x) (or pd.isna(x) for pandas data)",
    "math.nan": "math.isnan(x)",
    "torch.nan": "torch.isnan(x)",
    "pandas.NA": "pd.isna(x)",
    "pandas.NaT": "pd.isna(x)",
}
FLOAT_NAN_FIX = "math.isnan(x) (np.isnan / pd.isna for arrays and frames)"

# ------------------------------------------------------------------ MLP120
#: ``numpy.random`` functions that use (or set) the hidden global RandomState
#: (the list of Ruff NPY002 / NumPy's legacy "simple random data" and distributions)
LEGACY_GLOBAL_RNG: FrozenSet[str] = frozenset(
    {
        "beta", "binomial", "bytes", "chisquare", "choice", "dirichlet", "exponential",
        "f", "gamma", "geometric", "get_state", "gumbel", "hypergeometric", "laplace",
        "logistic", "lognormal", "logseries", "multinomial", "multivariate_normal",
        "negative_binomial", "noncentral_chisquare", "noncentral_f", "normal", "pareto",
        "permutation", "poisson", "power", "rand", "randint", "randn", "random",
        "random_integers", "random_sample", "ranf", "rayleigh", "sample", "seed",
        "set_state", "shuffle", "standard_cauchy", "standard_exponential",
        "standard_gamma", "standard_normal", "standard_t", "triangular", "uniform",
        "vonmises", "wald", "weibull", "zipf",
    }
)
LEGACY_RNG_MODULES: FrozenSet[str] = frozenset({"numpy.random", "numpy.random.mtrand"})
