"""ln|I - r W| for many r at once, as the log-marginal quadrature needs it (see :mod:`._marginal`).

``coarse(r)`` is for scanning the whole interval, ``window(a, b)`` returns an accurate callable on
[a, b] and a bound of its absolute error. From the eigenvalues both are exact; with sparse LU the
scan uses the Barry-Pace approximation and the window a Chebyshev interpolant of exact LU values,
checked at extra points whose largest deviation is the error bound.
"""

from __future__ import annotations

import numpy as np
from numpy.polynomial import Chebyshev
from scipy.interpolate import CubicSpline

from spatial.models._logdet import EigenLogDet, LULogDet

__all__ = ["ExactGrid", "LUGrid", "logdet_grid"]


class ExactGrid:
    """Exact values from all eigenvalues of W (n up to DENSE_LIMIT)."""

    method = "eigen"

    def __init__(self, ld: EigenLogDet) -> None:
        self.eigenvalues = ld.eigenvalues

    def __call__(self, r) -> np.ndarray:
        r = np.atleast_1d(np.asarray(r, dtype="float64"))
        out = np.empty(len(r))
        for start in range(0, len(r), 128):
            chunk = r[start:start + 128, None]
            out[start:start + 128] = np.sum(np.log(np.abs(1.0 - chunk * self.eigenvalues[None, :])), axis=1)
        return out

    def coarse(self, r) -> np.ndarray:
        return self(r)

    def window(self, a: float, b: float):
        return self, 0.0


class LUGrid:
    """Sparse LU values: a spline through 65 exact values for the scan, piecewise Chebyshev interpolants for the quadrature.

    A window [a, b] gets a degree-16 interpolant of exact LU values at Chebyshev points; it is
    checked at two more exact values and halved until each piece agrees to ``1e-11 n``
    (absolute); the largest deviation seen at the checks is the error bound returned.
    """

    method = "lu"
    degree = 16

    def __init__(self, ld: LULogDet) -> None:
        self.ld = ld
        self.tol = 1e-11 * max(ld.n, 1)

    def coarse(self, r) -> np.ndarray:
        if not hasattr(self, "_spline"):
            lo, hi = self.ld.interval.inner(1e-9)
            nodes = np.linspace(lo, hi, 65)
            self._spline = CubicSpline(nodes, [self.ld(v) for v in nodes])
        return self._spline(np.atleast_1d(np.asarray(r, dtype="float64")))

    def _pieces(self, a: float, b: float, depth: int = 0):
        poly = Chebyshev.interpolate(lambda x: np.array([self.ld(v) for v in x]), self.degree, domain=[a, b])
        checks = a + (b - a) * np.array([0.291, 0.817])
        error = max(abs(float(poly(c)) - self.ld(c)) for c in checks)
        if error <= self.tol or depth >= 12:
            return [(a, b, poly)], error
        mid = 0.5 * (a + b)
        left, e1 = self._pieces(a, mid, depth + 1)
        right, e2 = self._pieces(mid, b, depth + 1)
        return left + right, max(e1, e2)

    def window(self, a: float, b: float):
        lo, hi = self.ld.interval.inner(1e-9)
        a, b = max(a, lo), min(b, hi)
        pieces, error = self._pieces(a, b)
        edges = np.array([p[0] for p in pieces[1:]])

        def value(r):
            r = np.clip(np.atleast_1d(np.asarray(r, dtype="float64")), a, b)
            which = np.searchsorted(edges, r, side="right")
            out = np.empty(len(r))
            for k in np.unique(which):
                mask = which == k
                out[mask] = pieces[k][2](r[mask])
            return out

        return value, float(error)


def logdet_grid(ld):
    """The grid adapter of a log-determinant object from :func:`spatial.models._logdet.make_logdet`."""
    if isinstance(ld, EigenLogDet):
        return ExactGrid(ld)
    if isinstance(ld, LULogDet):
        return LUGrid(ld)
    raise TypeError(f"no grid adapter for {type(ld).__name__}")
