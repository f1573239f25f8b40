"""The log-determinant f(rho) = ln|I - rho W| and its derivatives, the cost that decides scale.

Every strategy satisfies one protocol, :class:`LogDet`: ``f(rho)`` (the value), ``f.derivative(rho,
order)`` (d^k f / d rho^k for an array of rho), ``f.coarse()`` (a cheap approximation used to locate a
maximum before exact values refine it), and the attributes ``method``, ``exact`` and ``n``.
:func:`make_logdet` chooses one:

``eigen``
    Exact, from all eigenvalues: f = sum ln|1 - rho lambda_i|. A W similar to a symmetric matrix
    (a row-standardised symmetric W) uses the symmetric solver and real eigenvalues; any other W
    complex ones. Dense: for n up to a few thousand.
``lu``
    Exact values from a sparse LU factorisation of I - rho W (of the symmetric I - rho S when W is
    similar to a symmetric S, without pivoting since it is positive definite inside the bounds:
    in effect a sparse LDL' Cholesky-type factorisation).
    Derivatives (the traces tr(W A^-1) = -f' and tr((W A^-1)^2) = -f'') come from a Chebyshev
    interpolant of the exact values on a short window, checked against one more exact value.
``mc``
    The Barry and Pace (1999) Monte Carlo approximation f ~ -sum_k rho^k tr(W^k) / k with
    tr(W) and tr(W^2) exact and the higher traces estimated from random probes (``seed``).

Examples
--------
>>> from libpysal.graph import Graph
>>> from spatial import datasets
>>> from spatial.linalg import make_logdet, rho_interval, weights_matrix
>>> states = datasets.load("us48_states")
>>> w = weights_matrix(Graph.build_contiguity(states.set_index("fips"), rook=False).transform("r"))
>>> interval = rho_interval(w, use_eigenvalues=True)
>>> eigen, lu = make_logdet(w, "eigen", interval), make_logdet(w, "lu", interval)
>>> bool(abs(eigen(0.4) - lu(0.4)) < 1e-10), round(eigen(0.4), 6)
(True, -1.00976)
"""

from __future__ import annotations

from typing import Literal, Protocol, runtime_checkable

import numpy as np
from numpy.polynomial import Chebyshev
from scipy import sparse
from scipy.sparse import linalg as sla

from spatial.errors import NumericalError
from spatial.linalg.interval import Interval
from spatial.linalg.traces import power_traces
from spatial.linalg.weights import WeightsMatrix
from spatial.progress import progress

__all__ = ["DENSE_LIMIT", "LogDet", "LogdetMethod", "EigenLogDet", "LULogDet", "MonteCarloLogDet", "make_logdet",
           "default_method"]

DENSE_LIMIT = 2000  # above this many units nothing dense n x n is formed unless asked for
_WINDOW_NODES = 8
_WINDOW_TOL = 1e-9  # relative agreement of the interpolant with an exact value (derivatives to ~1e-7)

LogdetMethod = Literal["eigen", "lu", "mc"]


@runtime_checkable
class LogDet(Protocol):
    """What every log-determinant strategy offers (see the module docstring)."""

    method: str
    exact: bool
    n: int

    def __call__(self, rho: float) -> float: ...

    def derivative(self, rho, order: int) -> np.ndarray: ...

    def coarse(self) -> LogDet: ...


def default_method(n: int) -> str:
    """``"eigen"`` up to :data:`DENSE_LIMIT` units, ``"lu"`` above."""
    return "eigen" if n <= DENSE_LIMIT else "lu"


class EigenLogDet:
    """Exact log-determinant and derivatives from all eigenvalues of W."""

    method = "eigen"
    exact = True

    def __init__(self, weights: WeightsMatrix) -> None:
        self.eigenvalues = weights.eigenvalues()
        self.n = weights.n

    def __call__(self, rho: float) -> float:
        return float(np.sum(np.log(np.abs(1.0 - rho * self.eigenvalues))))

    def derivative(self, rho, order: int) -> np.ndarray:
        """d^k f / d rho^k = -(k-1)! sum lambda^k / (1 - rho lambda)^k, for an array of rho."""
        rho = np.atleast_1d(np.asarray(rho, dtype="float64"))
        factorial = float(np.prod(np.arange(1, order)))
        out = np.empty(len(rho))
        with progress("log-determinant derivatives (blocks of 256 draws)", -(-len(rho) // 256)) as advance:
            for start in range(0, len(rho), 256):  # bounded memory for many draws
                chunk = rho[start:start + 256, None]
                ratio = self.eigenvalues[None, :] / (1.0 - chunk * self.eigenvalues[None, :])
                out[start:start + 256] = -factorial * np.real(np.sum(ratio**order, axis=1))
                advance()
        return out

    def coarse(self) -> EigenLogDet:
        return self


class _Window:
    """A Chebyshev interpolant of the exact log-determinant on [lo, hi]."""

    def __init__(self, exact, lo: float, hi: float, nodes: int) -> None:
        self.lo, self.hi, self.nodes = lo, hi, nodes
        self.poly = Chebyshev.interpolate(lambda x: np.array([exact(v) for v in x]), nodes - 1, domain=[lo, hi])
        self._derivs = {0: self.poly}

    def covers(self, lo: float, hi: float) -> bool:
        return self.lo <= lo and hi <= self.hi

    def derivative(self, rho: np.ndarray, order: int) -> np.ndarray:
        if order not in self._derivs:
            self._derivs[order] = self.poly.deriv(order)
        return self._derivs[order](rho)


class LULogDet:
    """Exact log-determinant by sparse LU; derivatives from checked Chebyshev windows."""

    method = "lu"
    exact = True

    def __init__(self, weights: WeightsMatrix, interval: Interval) -> None:
        self.weights = weights
        self.n = weights.n
        self.interval = interval
        self._values: dict[float, float] = {}
        self._windows: list[_Window] = []
        self._identity = sparse.identity(self.n, format="csc")
        if weights.symmetric_similar:
            self._matrix = sparse.csc_matrix(weights.symmetric_form())
        else:
            self._matrix = sparse.csc_matrix(weights.matrix)
        self.factorisations = 0

    def __call__(self, rho: float) -> float:
        rho = float(rho)
        if rho not in self._values:
            self._values[rho] = self._factorise(rho)
        return self._values[rho]

    def _factorise(self, rho: float) -> float:
        a = (self._identity - rho * self._matrix).tocsc()
        options = {"SymmetricMode": True}
        pivot = 0.0 if self.weights.symmetric_similar else 0.1
        try:
            lu = sla.splu(a, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=pivot, options=options)
        except RuntimeError as exc:
            raise NumericalError(
                f"I - {rho:.6g} W is singular (sparse LU failed: {exc}) while computing ln|I - rho W|"
            ) from None
        except MemoryError:
            raise NumericalError(
                f"out of memory in the sparse LU of I - rho W (n = {self.n}); use logdet='mc' (an approximation)"
            ) from None
        self.factorisations += 1
        pivots = np.abs(lu.U.diagonal())
        if not np.all(np.isfinite(pivots)) or pivots.min() <= 1e-13 * pivots.max():
            raise NumericalError(
                f"I - {rho:.6g} W is singular (smallest LU pivot {pivots.min():.3g}, largest {pivots.max():.3g}); "
                "rho lies on a bound 1/lambda of the weights"
            )
        return float(np.sum(np.log(pivots)))

    def window(self, lo: float, hi: float, *, nodes: int = _WINDOW_NODES, check: bool = True) -> _Window:
        """An interpolant of the exact f on [lo, hi] (inside the admissible interval).

        With ``check`` the interpolant is compared with one more exact value and refined until
        they agree to 1e-9 (relative); without, the caller checks it with :meth:`agrees`.
        """
        inner_lo, inner_hi = self.interval.inner(1e-6)
        lo, hi = max(lo, inner_lo), min(hi, inner_hi)
        for window in self._windows:
            if window.covers(lo, hi) and window.nodes >= nodes:
                return window
        if hi - lo < 1e-12:
            lo, hi = lo - 1e-6, hi + 1e-6
        while True:
            window = _Window(self, lo, hi, nodes)
            if not check or self.agrees(window, 0.5 * (lo + hi) + 0.3 * (hi - lo)) or nodes >= 64:
                break
            nodes *= 2
        self._windows.append(window)
        return window

    def agrees(self, window: _Window, rho: float) -> bool:
        """Whether the interpolant matches the exact value at ``rho`` (one more factorisation)."""
        exact = self(rho)
        return abs(window.derivative(np.array([rho]), 0)[0] - exact) <= _WINDOW_TOL * max(1.0, abs(exact))

    def derivative(self, rho, order: int) -> np.ndarray:
        rho = np.atleast_1d(np.asarray(rho, dtype="float64"))
        lo, hi = float(rho.min()), float(rho.max())
        for window in self._windows:
            if window.covers(lo, hi):
                return window.derivative(rho, order)
        span = max(hi - lo, 0.02 * self.interval.width)
        window = self.window(lo - 0.05 * span, hi + 0.05 * span)
        return window.derivative(rho, order)

    def coarse(self) -> MonteCarloLogDet:
        """A cheap approximation to locate the maximum before the exact windows refine it."""
        if not hasattr(self, "_coarse"):
            self._coarse = MonteCarloLogDet(self.weights, order=30, probes=10, seed=0)
        return self._coarse


class MonteCarloLogDet:
    """Barry-Pace (1999) approximation: f(rho) ~ -sum_{k=1}^{m} rho^k tr(W^k) / k."""

    method = "mc"
    exact = False

    def __init__(self, weights: WeightsMatrix, *, order: int = 50, probes: int = 30, seed: int = 0) -> None:
        self.n = weights.n
        self.order, self.probes, self.seed = order, probes, seed
        self.traces = power_traces(weights, order, exact=False, probes=probes, seed=seed)
        self._k = np.arange(1, order + 1)

    def __call__(self, rho: float) -> float:
        return float(-np.sum(rho**self._k * self.traces / self._k))

    def derivative(self, rho, order: int) -> np.ndarray:
        rho = np.atleast_1d(np.asarray(rho, dtype="float64"))
        k = self._k
        # d^j/drho^j rho^k = k!/(k-j)! rho^(k-j)
        falling = np.ones_like(k, dtype="float64")
        for step in range(order):
            falling = falling * (k - step)
        powers = np.where(k[None, :] >= order, rho[:, None] ** np.maximum(k[None, :] - order, 0), 0.0)
        return -np.sum(falling[None, :] * powers * self.traces[None, :] / k[None, :], axis=1)

    def coarse(self) -> MonteCarloLogDet:
        return self


def make_logdet(weights: WeightsMatrix, method: str, interval: Interval, *, seed: int = 0) -> LogDet:
    """The log-determinant strategy for ``method`` in "eigen", "lu", "mc" ("auto": :func:`default_method`)."""
    if method == "auto":
        method = default_method(weights.n)
    if method == "eigen":
        return EigenLogDet(weights)
    if method == "lu":
        return LULogDet(weights, interval)
    return MonteCarloLogDet(weights, seed=seed)
