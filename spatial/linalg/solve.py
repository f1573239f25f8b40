"""Reduced-form solves: (I - rho W)^-1 b without forming a dense n x n inverse (unless asked for).

Examples
--------
>>> import numpy as np
>>> from libpysal.graph import Graph
>>> from spatial import datasets
>>> from spatial.linalg import weights_matrix, reduced_form
>>> states = datasets.load("us48_states")
>>> w = weights_matrix(Graph.build_contiguity(states.set_index("fips"), rook=False).transform("r"))
>>> b = np.ones(w.n)
>>> bool(np.allclose(reduced_form(w, 0.5, b), 2.0))  # row-stochastic W: (I - rho W)^-1 1 = 1 / (1 - rho)
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from spatial.errors import NumericalError

if TYPE_CHECKING:
    from spatial.linalg.weights import WeightsMatrix

__all__ = ["reduced_form", "dense_inverse"]

_NEUMANN_RADIUS = 0.98  # |rho| * spectral radius below this: the Neumann series converges fast enough


def reduced_form(weights: WeightsMatrix, rho: float, v: np.ndarray) -> np.ndarray:
    """(I - rho W)^-1 v for each period of stacked (unit-major) ``v``.

    The Neumann series sum_j (rho W)^j v when it converges fast (|rho| r(W) < 0.98), else one
    sparse LU solve for all periods at once. Never dense.

    Raises
    ------
    NumericalError
        When I - rho W is singular (rho on a bound 1/lambda of W).
    """
    from scipy.sparse import linalg as sla

    block = v.reshape(weights.n, -1)
    if abs(rho) * weights.spectral_radius() < _NEUMANN_RADIUS:
        total = block.copy()
        term = block
        for _ in range(5000):
            term = rho * (weights.matrix @ term)
            total += term
            if np.max(np.abs(term)) <= 1e-15 * max(np.max(np.abs(total)), 1e-300):
                return total.reshape(v.shape)
    a = sparse.csc_matrix(sparse.identity(weights.n) - rho * weights.matrix)
    try:
        return sla.splu(a).solve(block).reshape(v.shape)
    except RuntimeError as exc:
        raise NumericalError(f"I - {rho:.6g} W is singular (sparse LU failed: {exc})") from None


def dense_inverse(weights: WeightsMatrix, rho: float) -> np.ndarray:
    """(I - rho W)^-1 as a dense array (n up to a few thousand); the last two are cached on ``weights``.

    Raises
    ------
    NumericalError
        A singular I - rho W, or a dense inverse that does not fit in memory.
    """
    from scipy import linalg

    cache = weights._cache.setdefault("inverse", {})
    if rho not in cache:
        try:
            cache[rho] = linalg.inv(np.eye(weights.n) - rho * weights.matrix.toarray())
        except (linalg.LinAlgError, ValueError) as exc:
            raise NumericalError(f"I - {rho:.6g} W is singular: {exc}") from None
        except MemoryError:
            raise NumericalError(
                f"a dense {weights.n} x {weights.n} inverse does not fit in memory; use the sparse methods "
                "(logdet='lu', cov='hessian', per_unit=False)"
            ) from None
        while len(cache) > 2:
            cache.pop(next(iter(cache)))
    return cache[rho]
