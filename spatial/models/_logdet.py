"""The log-determinant f(rho) = ln|I - rho W| and its derivatives, the cost that decides scale.

Three ways, chosen by :func:`make_logdet`:

``eigen``
    Exact, from all eigenvalues: f = sum ln|1 - rho lambda_i|. A W similar to a symmetric matrix
    (a row-standardised symmetric W) uses the symmetric solver and real eigenvalues; any other W
    complex ones. Dense: for n up to a few thousand.
``lu``
    Exact values from a sparse LU factorisation of I - rho W (of the symmetric I - rho S when W is
    similar to a symmetric S, without pivoting since it is positive definite inside the bounds).
    Derivatives (the traces tr(W A^-1) = -f' and tr((W A^-1)^2) = -f'') come from a Chebyshev
    interpolant of the exact values on a short window, checked against one more exact value.
``mc``
    The Barry and Pace (1999) Monte Carlo approximation f ~ -sum_k rho^k tr(W^k) / k with
    tr(W) and tr(W^2) exact and the higher traces estimated from random probes (``seed``).

Also here: the interval of rho in which I - rho W is non-singular (:func:`rho_interval`) and the
traces of powers of W (:func:`power_traces`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.polynomial import Chebyshev
from scipy import sparse
from scipy.sparse import linalg as sla

from spatial.progress import progress
from spatial.errors import NumericalError
from spatial.models._weights import WeightsMatrix

__all__ = ["DENSE_LIMIT", "Interval", "EigenLogDet", "LULogDet", "MonteCarloLogDet", "make_logdet",
           "rho_interval", "power_traces", "lower_bound_from_eigensolver"]

DENSE_LIMIT = 2000  # above this many units nothing dense n x n is formed unless asked for
_WINDOW_NODES = 8
_WINDOW_TOL = 1e-9  # relative agreement of the interpolant with an exact value (derivatives to ~1e-7)


@dataclass(frozen=True)
class Interval:
    """The admissible rho (or lambda): I - rho W is non-singular strictly inside (lower, upper)."""

    lower: float
    upper: float
    source: str  # "eigenvalues", "spectral radius", "eigensolver"

    @property
    def width(self) -> float:
        return self.upper - self.lower

    def inner(self, margin: float = 1e-9) -> tuple[float, float]:
        """The interval shrunk by a relative margin (the log-determinant is -inf at the bounds)."""
        pad = margin * self.width
        return self.lower + pad, self.upper - pad


def rho_interval(weights: WeightsMatrix, *, use_eigenvalues: bool) -> Interval:
    """(1/lambda_min, 1/lambda_max) from the eigenvalues (their real parts when complex).

    Without all eigenvalues (large n) the interval is (-1/r, 1/r) with r the spectral radius:
    always admissible because every |lambda| <= r; its lower end is extended by
    :func:`lower_bound_from_eigensolver` only if an estimate reaches it.
    """
    if use_eigenvalues:
        values = np.real(weights.eigenvalues())
        low, high = values.min(), values.max()
        if low >= 0 or high <= 0:
            raise NumericalError("the eigenvalues of W are all of one sign; W is not a valid weights matrix")
        return Interval(1.0 / low, 1.0 / high, "eigenvalues")
    radius = weights.spectral_radius()
    return Interval(-1.0 / radius, 1.0 / radius, "spectral radius")


def lower_bound_from_eigensolver(weights: WeightsMatrix, upper: float) -> Interval:
    """The exact lower bound 1/lambda_min from a sparse eigensolver (for large n, when needed)."""
    if weights.symmetric_similar:
        value = sla.eigsh(weights.symmetric_form(), k=1, which="SA", tol=1e-10, return_eigenvectors=False)[0]
    else:
        value = np.real(sla.eigs(weights.matrix, k=1, which="SR", tol=1e-10, return_eigenvectors=False)[0])
    if value >= 0:
        raise NumericalError("the smallest eigenvalue of W is not negative; W is not a valid weights matrix")
    # A Ritz value lies inside the spectrum: keep a small safety margin towards zero.
    return Interval(1.0 / value * (1 - 1e-8), upper, "eigensolver")


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


def power_traces(weights: WeightsMatrix, order: int, *, exact: bool, probes: int = 50, seed: int = 0) -> np.ndarray:
    """tr(W^k) for k = 1..order.

    Exact from the eigenvalues (``exact=True``, dense) or estimated by Hutchinson's method with
    Rademacher probes, tr(W) and tr(W^2) always exact (``seed`` fixes the probes).
    """
    matrix = weights.matrix
    if exact:
        eig = weights.eigenvalues()
        return np.array([float(np.real(np.sum(eig**k))) for k in range(1, order + 1)])
    rng = np.random.default_rng(seed)
    probe = rng.choice(np.array([-1.0, 1.0]), size=(weights.n, probes))
    traces = np.empty(order)
    current = probe
    for k in range(order):
        current = matrix @ current
        traces[k] = float(np.mean(np.einsum("ij,ij->j", probe, current)))
    traces[0] = float(matrix.diagonal().sum())
    if order > 1:
        traces[1] = float(matrix.multiply(matrix.T).sum())
    return traces


def make_logdet(weights: WeightsMatrix, method: str, interval: Interval, *, seed: int = 0):
    """The log-determinant object for ``method`` in "eigen", "lu", "mc"."""
    if method == "eigen":
        return EigenLogDet(weights)
    if method == "lu":
        return LULogDet(weights, interval)
    return MonteCarloLogDet(weights, seed=seed)
