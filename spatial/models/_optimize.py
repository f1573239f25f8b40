"""Bounded maximisation of concentrated log-likelihoods: a coarse grid first, then Brent.

The grid guards against a local optimum (RELIABILITY E3): the bounded Brent search starts in the
grid cell around the best grid value. Several separate local maxima on the grid are reported.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import optimize

__all__ = ["Maximum", "maximise_1d", "maximise_2d"]


@dataclass(frozen=True)
class Maximum:
    x: tuple[float, ...]
    value: float
    converged: bool
    message: str
    local_maxima: int  # separate local maxima seen on the coarse grid


def _safe(fun: Callable[[float], float]) -> Callable[[float], float]:
    def wrapped(x: float) -> float:
        value = fun(x)
        return value if math.isfinite(value) else -math.inf
    return wrapped


def _count_local_maxima(values: np.ndarray) -> int:
    finite = np.where(np.isfinite(values), values, -np.inf)
    inner = (finite[1:-1] > finite[:-2]) & (finite[1:-1] >= finite[2:])
    edges = int(finite[0] > finite[1]) + int(finite[-1] > finite[-2])
    return int(inner.sum()) + edges


def maximise_1d(fun: Callable[[float], float], lo: float, hi: float, *, grid: int = 41,
                xatol: float = 1e-11) -> Maximum:
    """Maximise ``fun`` on [lo, hi]: grid of ``grid`` points, then Brent in the best cell."""
    fun = _safe(fun)
    points = np.linspace(lo, hi, grid)
    values = np.array([fun(p) for p in points])
    if not np.isfinite(values).any():
        return Maximum((float("nan"),), -math.inf, False, "the log-likelihood is not finite on the search grid", 0)
    best = int(np.argmax(values))
    a, b = points[max(best - 1, 0)], points[min(best + 1, grid - 1)]
    result = optimize.minimize_scalar(lambda x: -fun(x), bounds=(a, b), method="bounded",
                                      options={"xatol": xatol, "maxiter": 500})
    x, value = float(result.x), float(-result.fun)
    if values[best] > value:  # Brent never does worse than the grid
        x, value = float(points[best]), float(values[best])
    return Maximum((x,), value, bool(result.success), str(result.message), _count_local_maxima(values))


def maximise_2d(fun: Callable[[float, float], float], box: tuple[tuple[float, float], tuple[float, float]],
                *, grid: int = 15, xatol: float = 1e-10) -> Maximum:
    """Maximise ``fun(a, b)`` on a box by nested 1-D searches (the profile over ``b`` for each ``a``)."""
    (alo, ahi), (blo, bhi) = box
    fun = _safe_2d(fun)
    inner_messages: list[str] = []

    def profile(a: float) -> float:
        found = maximise_1d(lambda b: fun(a, b), blo, bhi, grid=max(7, grid // 2), xatol=xatol)
        if not found.converged:
            inner_messages.append(found.message)
        return found.value

    outer = maximise_1d(profile, alo, ahi, grid=grid, xatol=xatol)
    a = outer.x[0]
    inner = maximise_1d(lambda b: fun(a, b), blo, bhi, grid=grid, xatol=xatol)
    converged = outer.converged and inner.converged and not inner_messages
    message = outer.message if outer.converged else f"outer search: {outer.message}"
    return Maximum((a, inner.x[0]), inner.value, converged, message, max(outer.local_maxima, inner.local_maxima))


def _safe_2d(fun):
    def wrapped(a: float, b: float) -> float:
        value = fun(a, b)
        return value if math.isfinite(value) else -math.inf
    return wrapped
