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
    probe = _probes(weights.n, probes, seed)
    if weights.symmetric_similar:  # z is not needed after S z: its array takes S^2 z, S^4 z, ...
        operator, moments, reuse = (matrix if weights.symmetric else _scaled(weights)), _symmetric_quadratics, True
    else:
        operator, moments, reuse = matrix, _probe_quadratics, False

    def run(part: np.ndarray) -> np.ndarray:
        part = np.ascontiguousarray(part)
        return moments(_Products(operator, part.shape, spare=part if reuse else None), part, order)

    if weights.n >= _SPLIT_FROM and probes >= 2 and _spare_core():
        # the columns are independent: two threads (the sparse products release the GIL), the same numbers
        with ThreadPoolExecutor(2) as pool:
            quads = np.hstack(list(pool.map(run, np.array_split(probe, 2, axis=1))))
    else:
        quads = run(probe)
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


try:  # the kernel behind csr_matrix @ dense block, writing into a given array (scipy's private module)
    from scipy.sparse._sparsetools import csr_matvecs as _CSR_MATVECS
except ImportError:  # pragma: no cover - a scipy without it: the public product, a new array each time
    _CSR_MATVECS = None


_PROBE_ROWS = 8192  # rows of probes drawn at a time


def _probes(n: int, probes: int, seed: int) -> np.ndarray:
    """Rademacher probes, (n, probes): the draws of ``rng.choice([-1, 1], (n, probes))`` with
    ``rng = np.random.default_rng(seed)``, taken directly (the same stream, without choice's overhead)
    and in blocks of rows (the stream continues across calls; no n x probes integer array)."""
    rng = np.random.default_rng(seed)
    signs = np.array([-1.0, 1.0])
    out = np.empty((n, probes))
    for start in range(0, n, _PROBE_ROWS):
        block = out[start : start + _PROBE_ROWS]
        np.take(signs, rng.integers(0, 2, size=block.shape, dtype=np.int64), out=block)
    return out


class _Products:
    """x -> M x for dense (n, p) blocks x, written alternately into two arrays made once.

    ``M @ x`` maps and zeroes a fresh n x p array for every product; at n = 100,489 and 50 probes the
    15 products of the symmetric estimator spent 0.14-0.35 s of system time on it (against ~0.2 s of
    arithmetic; numpy asks for huge pages, which the kernel zeroes and at times compacts). The result of a
    call stays valid until the call after the next.
    """

    def __init__(self, matrix, shape: tuple[int, int], *, spare: np.ndarray | None = None) -> None:
        """``spare``: an (n, p) float array that may be overwritten from the second product on (its values
        are used only as the input of the first)."""
        self.matrix = matrix
        self._buffers = [np.empty(shape), np.empty(shape) if spare is None else spare] \
            if _CSR_MATVECS is not None else []
        self._turn = 0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if not self._buffers or x.dtype != np.float64 or self.matrix.dtype != np.float64:
            return self.matrix @ x
        out = self._buffers[self._turn]
        self._turn ^= 1
        out.fill(0.0)  # csr_matvecs adds M x to out
        n_rows, n_cols = self.matrix.shape
        _CSR_MATVECS(n_rows, n_cols, x.shape[1], self.matrix.indptr, self.matrix.indices, self.matrix.data,
                     np.ascontiguousarray(x).ravel(), out.ravel())
        return out


def _probe_quadratics(product: _Products, probe: np.ndarray, order: int) -> np.ndarray:
    """z' W^k z for each probe column z and k = 1..order: an (order, probes) array."""
    out = np.empty((order, probe.shape[1]))
    current = probe
    for k in range(order):
        current = product(current)
        out[k] = np.einsum("ij,ij->j", probe, current)
    return out


def _symmetric_quadratics(product: _Products, probe: np.ndarray, order: int) -> np.ndarray:
    """(S^a z)'(S^b z), a = floor(k/2), b = k - a, for each probe column z and k = 1..order (S symmetric)."""
    out = np.empty((order, probe.shape[1]))
    current, a = probe, 0  # current = S^a z
    while True:
        if 1 <= 2 * a <= order:
            out[2 * a - 1] = np.einsum("ij,ij->j", current, current)
        if 2 * a + 1 > order:
            return out
        following = product(current)
        out[2 * a] = np.einsum("ij,ij->j", current, following)
        current, a = following, a + 1
