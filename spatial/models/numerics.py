"""The numerical building blocks of the models that other parts of ``spatial`` share.

The log-determinant machinery and the sparse weights matrix now live in :mod:`spatial.linalg`
(re-exported here for existing callers), the formula-term parser (used by the CLI) and the grouping
rule of :func:`fit_by_group` (used by :mod:`spatial.heterogeneity`). Public so that no module
outside :mod:`spatial.models` imports its private modules.
"""

from spatial.linalg import DENSE_LIMIT, EigenLogDet, Interval, LULogDet, WeightsMatrix, power_traces, rho_interval
from spatial.linalg import weights_matrix
from spatial.models._design import parse_term
from spatial.models._subgroup import _groups as unit_groups

__all__ = ["parse_term", "DENSE_LIMIT", "EigenLogDet", "Interval", "LULogDet", "power_traces", "rho_interval",
           "unit_groups", "WeightsMatrix", "weights_matrix"]
