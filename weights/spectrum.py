"""Extreme eigenvalues of a weights matrix: the valid interval of rho and the spectral radius.

For a spatial lag model y = rho W y + ..., (I - rho W) is invertible for rho strictly between
1 / lambda_min and 1 / lambda_max, the extreme (real parts of the) eigenvalues of W.

* n <= 2000: all eigenvalues, densely. A symmetric W, or one similar to a symmetric matrix by
  a diagonal scaling (a row-standardised symmetric W is: D^-1 C is similar to
  D^-1/2 C D^-1/2), uses the symmetric solver; any other W uses the general one and real parts.
* larger n, ``method="auto"`` (the default): guaranteed bounds in a few sparse products, never
  an eigensolver. The largest eigenvalue of a non-negative W is its Perron root r; when every
  row sums to the same c (row-standardised, or k nearest neighbours) r = c exactly, otherwise
  the Collatz-Wielandt ratios max_i (Wx)_i / x_i of a few power iterations bound it from above.
  Every |lambda| <= r, so the interval reported is (-1/r, 1/r): admissible, and its lower end
  (and the upper end when r is only bounded) is marked "or wider": the exact interval contains
  it. A row-standardised W gives (-1 or wider, 1).
* larger n, ``method="sparse"``: ARPACK's extremal solvers on the sparse matrix (Lanczos for the
  symmetric form), on demand: the exact ends, at the cost of seconds to minutes for n = 100,000.

Fully isolated units (no link in or out) contribute eigenvalues 0 and are set aside.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import sparse

from weights._checks import check_option
from weights._graph import matrix_of
from weights.errors import WeightsError

__all__ = ["EigenRange", "eigen_range", "rho_interval", "spectral_radius", "perron_bound", "DENSE_LIMIT",
           "EigenMethod"]

DENSE_LIMIT = 2000
"""Largest n for which all eigenvalues are computed densely."""

EigenMethod = Literal["auto", "dense", "sparse"]


@dataclass(frozen=True)
class EigenRange:
    """The extreme real parts of the eigenvalues of W and how they were computed."""

    lambda_min: float
    lambda_max: float
    method: str
    #: True when lambda_min (lambda_max) is only a bound, lower (upper): the exact interval of rho then
    #: extends beyond the reported end ("or wider").
    bounded_min: bool = False
    bounded_max: bool = False

    @property
    def rho_interval(self) -> tuple[float, float]:
        """(1 / lambda_min, 1 / lambda_max); an infinite end where that side has no bound."""
        low = 1.0 / self.lambda_min if self.lambda_min < 0 else -np.inf
        high = 1.0 / self.lambda_max if self.lambda_max > 0 else np.inf
        return (low, high)

    @property
    def wider(self) -> tuple[bool, bool]:
        """(lower end, upper end): whether the exact interval of rho may extend beyond that end."""
        return (self.bounded_min, self.bounded_max)


def _is_symmetric(matrix: sparse.csr_array) -> bool:
    difference = abs(matrix - matrix.T)
    scale = max(1.0, float(np.abs(matrix.data).max(initial=0.0)))
    return difference.nnz == 0 or float(difference.max()) <= 1e-12 * scale


def symmetric_scaling(matrix: sparse.csr_array) -> np.ndarray | None:
    """Positive d with d_i w_ij = d_j w_ji on every link (then D^1/2 W D^-1/2 is symmetric), or None.

    d is fixed along a breadth-first spanning forest of the links and then checked on every link.
    """
    from scipy.sparse import csgraph

    matrix = sparse.csr_array(matrix, dtype="float64")
    pattern = sparse.csr_array(matrix, copy=True)
    pattern.data[:] = 1.0
    if (pattern - pattern.T).count_nonzero():
        return None  # a one-way link
    n = matrix.shape[0]
    transposed = sparse.csr_array(matrix.T)
    # up[c] = the parent of c in a breadth-first spanning forest (a root is its own parent) and
    # step[c] = log(w_parent,child / w_child,parent): log d_c = log d_parent + step[c]
    up, step = np.arange(n), np.zeros(n)
    _, labels = csgraph.connected_components(pattern, directed=False)
    _, roots = np.unique(labels, return_index=True)
    for root in roots:
        order, parent = csgraph.breadth_first_order(pattern, int(root), directed=False, return_predecessors=True)
        child = order[1:]
        if child.size == 0:
            continue  # an island: nothing to scale
        par = parent[child]
        up[child] = par
        step[child] = np.log(np.asarray(matrix[par, child]).ravel()) - np.log(np.asarray(transposed[par, child]).ravel())
    # depth of every unit (integer pointer doubling, exact), then one vectorised pass per depth, parents first
    depth, jump = (up != np.arange(n)).astype(np.int64), up.copy()
    while not np.array_equal(jump[jump], jump):
        depth = depth + depth[jump]
        jump = jump[jump]
    by_depth = np.argsort(depth, kind="stable")
    starts = np.searchsorted(depth[by_depth], np.arange(1, depth.max(initial=0) + 2))
    log_d = np.zeros(n)
    for lo, hi in zip(starts[:-1].tolist(), starts[1:].tolist(), strict=True):
        level = by_depth[lo:hi]
        log_d[level] = log_d[up[level]] + step[level]
    d = np.exp(log_d - log_d.max(initial=0.0))
    coo = sparse.coo_array(matrix)
    lhs = d[coo.row] * coo.data
    rhs = d[coo.col] * np.asarray(transposed[coo.row, coo.col]).ravel()
    return d if np.all(np.abs(lhs - rhs) <= 1e-9 * np.maximum(np.abs(lhs), 1e-300)) else None


def eigen_range(graph, *, method: EigenMethod = "auto") -> EigenRange:
    """The smallest and largest real parts of the eigenvalues of the graph's matrix.

    Raises
    ------
    WeightsError
        When the sparse eigensolver does not converge (the message says so; use
        ``method="dense"`` for n in the low thousands).

    Examples
    --------
    >>> from weights._graph import graph_from_sparse
    >>> chain = graph_from_sparse(np.eye(5, k=1) + np.eye(5, k=-1), list("abcde"))
    >>> r = eigen_range(chain)
    >>> round(r.lambda_max, 6), [round(v, 6) for v in r.rho_interval]
    (1.732051, [-0.57735, 0.57735])
    """
    check_option("method", method, EigenMethod)
    matrix = matrix_of(graph)
    n_all = matrix.shape[0]
    linked = (np.diff(matrix.indptr) > 0) | (np.bincount(matrix.indices, minlength=n_all) > 0)
    has_isolated = not linked.all()
    matrix = sparse.csr_array(matrix[linked][:, linked])
    n = matrix.shape[0]
    if n == 0:
        return EigenRange(0.0, 0.0, "no links")
    use_dense = method == "dense" or (method == "auto" and n <= DENSE_LIMIT)
    if method == "auto" and not use_dense:
        radius, exact = perron_bound(matrix)
        low, high = -radius, radius
        label = ("largest = common row sum" if exact else "largest bounded by Collatz-Wielandt ratios") + \
            "; smallest bounded by -largest (method='sparse' computes both)"
        return EigenRange(low, high, label, bounded_min=True, bounded_max=not exact)
    symmetric = _is_symmetric(matrix)
    scaling = None if symmetric else symmetric_scaling(matrix)
    form = matrix
    if scaling is not None:
        root = np.sqrt(scaling)
        form = sparse.csr_array(sparse.diags_array(root) @ matrix @ sparse.diags_array(1.0 / root))
        form = sparse.csr_array((form + form.T) * 0.5)
    real_symmetric = symmetric or scaling is not None
    if use_dense:
        dense = form.toarray()
        if real_symmetric:
            values = np.linalg.eigvalsh(dense)
            label = "dense, symmetric" if symmetric else "dense, symmetric-similar"
        else:
            values = np.linalg.eigvals(dense).real
            label = "dense, real parts"
        low, high = float(values.min()), float(values.max())
    else:
        low, high, label = _sparse_extremes(matrix, form, real_symmetric)
    if has_isolated:
        low, high = min(low, 0.0), max(high, 0.0)
    return EigenRange(low, high, label)


def perron_bound(matrix, *, iterations: int = 100, tol: float = 1e-6) -> tuple[float, bool]:
    """An upper bound of the Perron root (largest eigenvalue) of a non-negative matrix, and whether it is exact.

    Exact when every row sums to the same value (that sum). Otherwise the Collatz-Wielandt bound
    max_i (Wx)_i / x_i for a positive x, with x improved by power iterations on W + I (primitive,
    so they converge also for bipartite graphs) until the lower bound min_i (Wx)_i / x_i is within
    ``tol`` (relative); the smallest upper bound seen is returned. Cost: ``iterations`` sparse
    products at most.

    Examples
    --------
    >>> chain = sparse.csr_array(np.eye(5, k=1) + np.eye(5, k=-1))
    >>> bound, exact = perron_bound(chain)
    >>> round(bound, 5), exact
    (1.73205, False)
    """
    matrix = sparse.csr_array(matrix, dtype="float64")
    sums = np.asarray(matrix.sum(axis=1)).ravel()
    if sums.size and np.ptp(sums) <= 1e-12 * max(1.0, float(np.abs(sums).max())):
        return float(sums[0]), True
    x = np.ones(matrix.shape[0])
    lower, upper = 0.0, float(sums.max(initial=0.0))  # the max row sum bounds the Perron root
    for _ in range(iterations):
        y = matrix @ x
        ratio = y / x
        lower, upper = max(lower, float(ratio.min())), min(upper, float(ratio.max()))
        if upper - lower <= tol * upper:
            break
        x = y + x
        x /= x.max()
        x = np.maximum(x, 1e-300)  # stays positive (a column without links would decay to zero)
    return upper, upper - lower <= 1e-12 * max(upper, 1.0)


def _sparse_extremes(matrix, form, real_symmetric: bool) -> tuple[float, float, str]:
    from scipy.sparse import linalg as sla

    n = matrix.shape[0]
    row_sums = np.asarray(matrix.sum(axis=1)).ravel()
    constant_rows = np.ptp(row_sums) <= 1e-12 * max(1.0, abs(row_sums).max())
    try:
        if real_symmetric:
            low = float(sla.eigsh(form, k=1, which="SA", return_eigenvectors=False, maxiter=20 * n)[0])
            high = float(row_sums[0]) if constant_rows else \
                float(sla.eigsh(form, k=1, which="LA", return_eigenvectors=False, maxiter=20 * n)[0])
            label = "sparse Lanczos (ARPACK)"
        else:
            low = float(sla.eigs(matrix, k=1, which="SR", return_eigenvectors=False, maxiter=20 * n)[0].real)
            high = float(row_sums[0]) if constant_rows else \
                float(sla.eigs(matrix, k=1, which="LR", return_eigenvectors=False, maxiter=20 * n)[0].real)
            label = "sparse Arnoldi (ARPACK), real parts"
    except sla.ArpackNoConvergence:
        raise WeightsError(
            f"the sparse eigensolver did not converge for the {n} x {n} weights matrix; the interval of rho "
            "could not be computed (method='dense' computes every eigenvalue, slowly for large n)"
        ) from None
    if constant_rows:
        label += f"; largest = common row sum {row_sums[0]:g}"
    return low, high, label


def rho_interval(graph, *, method: EigenMethod = "auto") -> tuple[float, float]:
    """The open interval (1 / lambda_min, 1 / lambda_max) in which I - rho W is invertible.

    Above n = 2000 with ``method="auto"`` the ends may be bounds (see the module notes and
    :attr:`EigenRange.wider`): an admissible interval that the exact one contains.

    Examples
    --------
    >>> from weights._graph import graph_from_sparse
    >>> chain = graph_from_sparse(np.eye(3, k=1) + np.eye(3, k=-1), ["a", "b", "c"])
    >>> [round(v, 6) for v in rho_interval(chain)]
    [-0.707107, 0.707107]
    """
    return eigen_range(graph, method=method).rho_interval


def spectral_radius(graph, *, method: EigenMethod = "auto") -> float:
    """The largest |eigenvalue| of a non-negative W (its Perron root: the largest real eigenvalue).

    Always computed, never bounded: where ``method="auto"`` would only bound it (large n, rows
    with different sums), the sparse eigensolver runs.
    """
    found = eigen_range(graph, method=method)
    if found.bounded_max:
        found = eigen_range(graph, method="sparse")
    return float(found.lambda_max)
