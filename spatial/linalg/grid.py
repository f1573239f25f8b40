"""ln|I - r W| for many r at once, as the log-marginal quadrature needs it (:mod:`spatial.models._marginal`).

``coarse(r)`` is for scanning the whole interval, ``window(a, b)`` returns an accurate callable on
[a, b] and a bound of its absolute error. From the eigenvalues both are exact; with sparse LU the
scan uses a cubic spline through exact values at the edges of equal pieces of the interval, and the
window the pieces' Chebyshev interpolants of exact LU values (built once, shared by the models),
checked at extra points whose largest deviation is the error bound.
"""

from __future__ import annotations

import numpy as np
from numpy.polynomial import Chebyshev
from scipy.interpolate import CubicSpline

from spatial.linalg.logdet import EigenLogDet, LULogDet

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
    """Sparse LU values: a spline through exact values for the scan, cached Chebyshev pieces for the quadrature.

    The interval is cut into ``PIECES`` (64) equal pieces whose 65 edges carry exact LU values (they
    also make the cubic spline of the scan). A window [a, b] is served by the pieces it touches:
    each gets a degree-6 polynomial through exact values at its Chebyshev-Lobatto points (the two
    ends are the shared edges), checked at two more exact values; if they disagree by more than
    ``1e-11 n`` (absolute) a degree-12 one (its points include the degree-6 ones), and if that
    fails too the piece is halved. Pieces are built once and shared by every model; the largest
    deviation seen at the checks of the pieces used is the error bound returned.
    """

    method = "lu"
    PIECES = 64
    DEGREE = 12

    def __init__(self, ld: LULogDet) -> None:
        self.ld = ld
        self.tol = 1e-11 * max(ld.n, 1)
        self.lo, self.hi = ld.interval.inner(1e-9)
        self.edges = np.linspace(self.lo, self.hi, self.PIECES + 1)
        self._pieces: dict[int, tuple[list, float]] = {}
        self._spline = None

    def coarse(self, r) -> np.ndarray:
        if self._spline is None:
            self._spline = CubicSpline(self.edges, [self.ld(v) for v in self.edges])
        return self._spline(np.atleast_1d(np.asarray(r, dtype="float64")))

    def _fit(self, a: float, b: float, depth: int = 0):
        k = np.arange(self.DEGREE + 1)
        nodes = 0.5 * (a + b) - 0.5 * (b - a) * np.cos(np.pi * k / self.DEGREE)
        nodes[0], nodes[-1] = a, b  # exactly the edges, whose values are cached
        checks = a + (b - a) * np.array([0.291, 0.817])
        for degree in (self.DEGREE // 2, self.DEGREE):  # nested Lobatto points: the degree-12 fit reuses the 6's
            chosen = nodes[::self.DEGREE // degree]
            poly = Chebyshev.fit(chosen, [self.ld(v) for v in chosen], degree, domain=[a, b])
            error = max(abs(float(poly(c)) - self.ld(c)) for c in checks)
            if error <= self.tol:
                return [(a, b, poly)], error
        if depth >= 10:
            return [(a, b, poly)], error
        mid = 0.5 * (a + b)
        left, e1 = self._fit(a, mid, depth + 1)
        right, e2 = self._fit(mid, b, depth + 1)
        return left + right, max(e1, e2)

    def window(self, a: float, b: float):
        a, b = max(a, self.lo), min(b, self.hi)
        first = int(np.clip(np.searchsorted(self.edges, a, side="right") - 1, 0, self.PIECES - 1))
        last = int(np.clip(np.searchsorted(self.edges, b, side="left") - 1, first, self.PIECES - 1))
        pieces, error = [], 0.0
        for k in range(first, last + 1):
            if k not in self._pieces:
                self._pieces[k] = self._fit(float(self.edges[k]), float(self.edges[k + 1]))
            more, e = self._pieces[k]
            pieces += more
            error = max(error, e)
        starts = np.array([p[0] for p in pieces[1:]])

        def value(r):
            r = np.clip(np.atleast_1d(np.asarray(r, dtype="float64")), self.lo, self.hi)
            which = np.searchsorted(starts, r, side="right")
            out = np.empty(len(r))
            for k in np.unique(which):
                mask = which == k
                out[mask] = pieces[k][2](r[mask])
            return out

        return value, float(error)


def logdet_grid(ld):
    """The grid adapter of a log-determinant object from :func:`spatial.linalg.make_logdet`."""
    if isinstance(ld, EigenLogDet):
        return ExactGrid(ld)
    if isinstance(ld, LULogDet):
        return LUGrid(ld)
    raise TypeError(f"no grid adapter for {type(ld).__name__}")
