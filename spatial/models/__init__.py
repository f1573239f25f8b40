"""Spatial regression models: OLS, SLX, SAR, SEM, SDM, SDEM, SAC by maximum likelihood.

One function fits every model and returns a frozen :class:`Result`; :func:`compare` puts several
results side by side as journals print them. The numerics are private modules, each testable
alone: ``_logdet`` (log-determinants), ``_likelihood`` (concentrated likelihoods),
``_information`` (information matrix and Hessian), ``_diagnostics`` (LM, LR, Wald, Hausman);
effects live in :mod:`spatial.effects`.

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

from spatial.models._diagnostics import compare_lr as lr_test
from spatial.models._fit import fit
from spatial.models._random_effects import fit_random_effects, hausman_fe_re
from spatial.models._selection import Selection, select
from spatial.models._subgroup import GroupResults, fit_by_group
from spatial.models.result import Result, TestResult
from spatial.models.table import ComparisonTable, compare

__all__ = ["fit", "Result", "TestResult", "compare", "ComparisonTable", "lr_test", "fit_random_effects",
           "hausman_fe_re", "select", "Selection", "fit_by_group", "GroupResults"]
