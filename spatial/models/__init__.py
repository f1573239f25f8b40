"""Spatial regression models: OLS, SLX, SAR, SEM, SDM, SDEM, SAC by maximum likelihood.

One function fits every model and returns a frozen :class:`Result`; :func:`compare` puts several
results side by side as journals print them. The numerics are private modules, each testable
alone: ``_logdet`` (log-determinants), ``_likelihood`` (concentrated likelihoods),
``_information`` (information matrix and Hessian), ``_diagnostics`` (LM, LR, Wald, Hausman);
effects live in :mod:`spatial.models.effects` (also importable as :mod:`spatial.effects`); the
model table is :mod:`spatial.models.catalog`.

Examples
--------
>>> from libpysal.graph import Graph
>>> from spatial import SpatialPanel, datasets
>>> from spatial.models import fit, lr_test
>>> states = datasets.load("us48_states")
>>> panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year", geometry=states)
>>> w = Graph.build_contiguity(states.set_index("fips"), rook=False).transform("r")
>>> ols = fit(panel, w, y="log(gsp)", x=["log(pcap)", "log(emp)"], model="ols", period=1986)
>>> sorted(ols.tests)[:3]
['lm_error', 'lm_lag', 'moran']
>>> sdm = fit(panel, w, y="log(gsp)", x=["log(pcap)", "log(emp)"], model="sdm", period=1986, draws=0)
>>> sar = fit(panel, w, y="log(gsp)", x=["log(pcap)", "log(emp)"], model="sar", period=1986, draws=0)
>>> lr_test(sdm, sar).df  # SDM vs SAR: the two W*x coefficients
2.0
"""

from importlib import import_module
from typing import TYPE_CHECKING

# Loaded on first use, so that the CLI can read the model table (spatial.models.catalog) without
# importing numpy, scipy and pandas.
_LAZY = {
    "fit": ("spatial.models._fit", "fit"),
    "Result": ("spatial.models.result", "Result"),
    "TestResult": ("spatial.models.result", "TestResult"),
    "compare": ("spatial.models.table", "compare"),
    "ComparisonTable": ("spatial.models.table", "ComparisonTable"),
    "effects_table": ("spatial.models.table", "effects_table"),
    "lr_test": ("spatial.models._diagnostics", "compare_lr"),
    "fit_random_effects": ("spatial.models._random_effects", "fit_random_effects"),
    "hausman_fe_re": ("spatial.models._random_effects", "hausman_fe_re"),
    "mundlak_test": ("spatial.models._mundlak", "mundlak_test"),
    "select": ("spatial.models._selection", "select"),
    "compare_bayes": ("spatial.models._bayes", "compare_bayes"),
    "BayesComparison": ("spatial.models._bayes", "BayesComparison"),
    "BAYES_MODELS": ("spatial.models._bayes", "BAYES_MODELS"),
    "check_priors": ("spatial.models._bayes", "check_priors"),
    "check_bayes_models": ("spatial.models._bayes", "check_models"),
    "bayes_table": ("spatial.models.bayes_table", "bayes_table"),
    "Selection": ("spatial.models._selection", "Selection"),
    "fit_by_group": ("spatial.models._subgroup", "fit_by_group"),
    "GroupResults": ("spatial.models._subgroup", "GroupResults"),
}

__all__ = list(_LAZY)

if TYPE_CHECKING:
    from spatial.models._bayes import BAYES_MODELS, BayesComparison, check_priors, compare_bayes  # noqa: F401
    from spatial.models._bayes import check_models as check_bayes_models  # noqa: F401
    from spatial.models._diagnostics import compare_lr as lr_test  # noqa: F401
    from spatial.models.bayes_table import bayes_table  # noqa: F401
    from spatial.models._fit import fit  # noqa: F401
    from spatial.models._mundlak import mundlak_test  # noqa: F401
    from spatial.models._random_effects import fit_random_effects, hausman_fe_re  # noqa: F401
    from spatial.models._selection import Selection, select  # noqa: F401
    from spatial.models._subgroup import GroupResults, fit_by_group  # noqa: F401
    from spatial.models.result import Result, TestResult  # noqa: F401
    from spatial.models.table import ComparisonTable, compare, effects_table  # noqa: F401


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'spatial.models' has no attribute {name!r}")
    module, attribute = _LAZY[name]
    value = getattr(import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
