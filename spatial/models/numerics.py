"""The numerical building blocks of the models that other parts of ``spatial`` share.

The log-determinant machinery and the sparse weights matrix (used by :mod:`spatial.effects`), the
formula-term parser (used by the CLI) and the grouping rule of :func:`fit_by_group` (used by
:mod:`spatial.heterogeneity`). Public so that no module outside :mod:`spatial.models` imports its
private modules.
"""

from spatial.models._design import parse_term
from spatial.models._logdet import DENSE_LIMIT, EigenLogDet, Interval, LULogDet, power_traces, rho_interval
from spatial.models._subgroup import _groups as unit_groups
from spatial.models._weights import WeightsMatrix, weights_matrix

__all__ = ["parse_term", "DENSE_LIMIT", "EigenLogDet", "Interval", "LULogDet", "power_traces", "rho_interval",
           "unit_groups", "WeightsMatrix", "weights_matrix"]
