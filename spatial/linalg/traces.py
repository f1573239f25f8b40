"""Traces of powers of W, tr(W^k): exact from the eigenvalues or estimated by random probes.

Examples
--------
>>> from libpysal.graph import Graph
>>> from spatial import datasets
>>> from spatial.linalg import power_traces, weights_matrix
>>> states = datasets.load("us48_states")
>>> w = weights_matrix(Graph.build_contiguity(states.set_index("fips"), rook=False).transform("r"))
>>> exact = power_traces(w, 4, exact=True)
>>> float(exact[0]), bool(abs(exact[1] - power_traces(w, 4, exact=False)[1]) < 1e-12)  # tr(W) = 0; tr(W^2) exact
(0.0, True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import sparse

if TYPE_CHECKING:
    from spatial.linalg.weights import WeightsMatrix

__all__ = ["power_traces"]

_SPLIT_FROM = 20_000  # units from which the probes are split over two threads (when a core is free)


def power_traces(weights: WeightsMatrix, order: int, *, exact: bool, probes: int = 50, seed: int = 0) -> np.ndarray:
    """tr(W^k) for k = 1..order.

    Exact from the eigenvalues (``exact=True``, dense) or estimated by Hutchinson's method with
    Rademacher probes z, tr(W) and tr(W^2) always exact (``seed`` fixes the probes):

    - W similar to a symmetric S = D^1/2 W D^-1/2 (symmetric W; row-standardised symmetric
      contiguity or distance weights): tr(W^k) = tr(S^k) is estimated by the mean of u_a'u_b with
      u_a = S^a z, a = floor(k/2), b = k - a. Both are unbiased and only ceil(order/2) sparse
      products are needed, half of the plain estimator's. Its variance is never larger: for a
      symmetric A, var(z'Az) = 2 sum_{i != j} A_ij^2, and (W^k + W^k')_ij / 2 =
      S^k_ij (sqrt(d_j/d_i) + sqrt(d_i/d_j)) / 2 is at least S^k_ij in size; for a symmetric W
      (d = 1) the two estimators are the same numbers up to rounding.
    - otherwise the mean of z'W^k z (``order`` sparse products).
    """
    if exact:
        eig = weights.eigenvalues()
        return np.array([float(np.real(np.sum(eig**k))) for k in range(1, order + 1)])
    matrix = weights.matrix
    rng = np.random.default_rng(seed)
    # the draws of rng.choice([-1, 1], size), taken directly (the same stream, without choice's overhead)
    probe = np.array([-1.0, 1.0])[rng.integers(0, 2, size=(weights.n, probes), dtype=np.int64)]
    if weights.symmetric_similar:
        operator, moments = (matrix if weights.symmetric else _scaled(weights)), _symmetric_quadratics
    else:
        operator, moments = matrix, _probe_quadratics
    split = weights.n >= _SPLIT_FROM and probes >= 2 and _spare_core()
    halves = np.array_split(probe, 2, axis=1) if split else [probe]
    if len(halves) == 1:
        quads = moments(operator, probe, order)
    else:  # the columns are independent: two threads (the sparse products release the GIL), same numbers
        with ThreadPoolExecutor(2) as pool:
            quads = np.hstack(list(pool.map(lambda part: moments(operator, np.ascontiguousarray(part), order),
                                            halves)))
    traces = quads.mean(axis=1)
    traces[0] = float(matrix.diagonal().sum())
    if order > 1:
        traces[1] = float(matrix.multiply(matrix.T).sum())
    return traces


def _spare_core() -> bool:
    """Whether a second core is free: two or more usable CPUs and a 1-minute load average of at most their
    number minus one. On a busy machine the second thread only waits for a core (measured on 2 cores at load
    10, n = 100,489: GM lag fit 3.3 s and 0.88 s of CPU in one thread against 3.8 s and 0.98 s in two); the
    numbers are the same either way."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # not available (Windows)
        return cpus > 1
    return cpus > 1 and load <= cpus - 1


def _scaled(weights: WeightsMatrix):
    """S = D^1/2 W D^-1/2 entry by entry (S_ij = W_ij sqrt(d_i / d_j)): symmetric up to rounding."""
    matrix = weights.matrix
    root = np.sqrt(weights.similarity)
    rows = np.repeat(np.arange(weights.n), np.diff(matrix.indptr))
    return sparse.csr_matrix((matrix.data * root[rows] / root[matrix.indices], matrix.indices, matrix.indptr),
                             shape=matrix.shape)


def _probe_quadratics(matrix, probe: np.ndarray, order: int) -> np.ndarray:
    """z' W^k z for each probe column z and k = 1..order: an (order, probes) array."""
    out = np.empty((order, probe.shape[1]))
    current = probe
    for k in range(order):
        current = matrix @ current
        out[k] = np.einsum("ij,ij->j", probe, current)
    return out


def _symmetric_quadratics(symmetric, probe: np.ndarray, order: int) -> np.ndarray:
    """(S^a z)'(S^b z), a = floor(k/2), b = k - a, for each probe column z and k = 1..order (S symmetric)."""
    out = np.empty((order, probe.shape[1]))
    current, a = probe, 0  # current = S^a z
    while True:
        if 1 <= 2 * a <= order:
            out[2 * a - 1] = np.einsum("ij,ij->j", current, current)
        if 2 * a + 1 > order:
            return out
        following = symmetric @ current
        out[2 * a] = np.einsum("ij,ij->j", current, following)
        current, a = following, a + 1
