"""The admissible interval of rho (or lambda): where I - rho W is non-singular.

Examples
--------
>>> from libpysal.graph import Graph
>>> from spatial import datasets
>>> from spatial.linalg import rho_interval, weights_matrix
>>> states = datasets.load("us48_states")
>>> w = weights_matrix(Graph.build_contiguity(states.set_index("fips"), rook=False).transform("r"))
>>> interval = rho_interval(w, use_eigenvalues=True)
>>> round(float(interval.lower), 4), float(interval.upper), interval.source
(-1.3924, 1.0, 'eigenvalues')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import linalg as sla

from spatial.errors import NumericalError

if TYPE_CHECKING:
    from spatial.linalg.weights import WeightsMatrix

__all__ = ["Interval", "rho_interval", "lower_bound_from_eigensolver"]


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
