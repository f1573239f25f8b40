"""The numerical floor of the estimation engine: sparse linear algebra on the spatial weights.

Everything the estimator families share and nothing that knows about models, steps or the CLI
(this package imports only :mod:`spatial.errors`, :mod:`spatial.hints`, :mod:`spatial.progress` and
:mod:`weights`; a test keeps it so):

:mod:`~spatial.linalg.weights`
    :class:`WeightsMatrix`, the weights as the engine sees them: a checked CSR matrix in the
    panel's unit order with its islands, row sums, symmetry, similarity to a symmetric matrix,
    eigenvalues and spectral radius (:func:`weights_matrix` builds it from a libpysal ``Graph``).
:mod:`~spatial.linalg.interval`
    :class:`Interval`, the admissible rho: (1/lambda_min, 1/lambda_max) from the eigenvalues, or
    (-1/r, 1/r) from the spectral radius with the lower end refined by a sparse eigensolver.
:mod:`~spatial.linalg.logdet`
    ln|I - rho W| and its derivatives behind one protocol, :class:`LogDet`: eigenvalues (dense,
    exact), sparse LU (exact; symmetric and unpivoted when W is similar to a symmetric matrix) and
    the Barry-Pace Monte Carlo approximation. :func:`make_logdet` picks one.
:mod:`~spatial.linalg.grid`
    The log-determinant at many rho at once with an error bound (the quadrature of the Bayesian
    model comparison).
:mod:`~spatial.linalg.traces`
    tr(W^k), exact or by random probes.
:mod:`~spatial.linalg.solve`
    Reduced-form solves (I - rho W)^-1 b (Neumann series or sparse LU) and the dense inverse for
    small n.

Examples
--------
>>> from libpysal.graph import Graph
>>> from spatial import datasets
>>> from spatial.linalg import make_logdet, rho_interval, weights_matrix
>>> states = datasets.load("us48_states")
>>> w = weights_matrix(Graph.build_contiguity(states.set_index("fips"), rook=False).transform("r"))
>>> w.n, w.row_stochastic, w.symmetric_similar
(48, True, True)
>>> f = make_logdet(w, "auto", rho_interval(w, use_eigenvalues=True))
>>> f.method, round(float(f.derivative(0.0, 1)[0]), 12)  # f'(0) = -tr(W) = 0
('eigen', 0.0)
"""

from spatial.linalg.interval import Interval, lower_bound_from_eigensolver, rho_interval
from spatial.linalg.logdet import (
    DENSE_LIMIT,
    EigenLogDet,
    LogDet,
    LogdetMethod,
    LULogDet,
    MonteCarloLogDet,
    default_method,
    make_logdet,
)
from spatial.linalg.solve import dense_inverse, reduced_form
from spatial.linalg.traces import power_traces
from spatial.linalg.weights import WeightsMatrix, as_graph, weights_matrix

__all__ = ["WeightsMatrix", "weights_matrix", "as_graph", "Interval", "rho_interval", "lower_bound_from_eigensolver",
           "DENSE_LIMIT", "LogDet", "LogdetMethod", "EigenLogDet", "LULogDet", "MonteCarloLogDet", "default_method",
           "make_logdet", "power_traces", "reduced_form", "dense_inverse"]
