"""Moved to :mod:`spatial.linalg` (the numerical floor); the old import path stays for the tests that use it."""

from spatial.linalg.interval import Interval, lower_bound_from_eigensolver, rho_interval
from spatial.linalg.logdet import DENSE_LIMIT, EigenLogDet, LULogDet, MonteCarloLogDet, make_logdet
from spatial.linalg.traces import power_traces

__all__ = ["DENSE_LIMIT", "Interval", "EigenLogDet", "LULogDet", "MonteCarloLogDet", "make_logdet",
           "rho_interval", "power_traces", "lower_bound_from_eigensolver"]
