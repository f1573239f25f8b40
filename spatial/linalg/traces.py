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

from concurrent.futures import ThreadPoolExecutor

import numpy as np

if TYPE_CHECKING:
    from spatial.linalg.weights import WeightsMatrix

__all__ = ["power_traces"]

_SPLIT_FROM = 20_000  # units from which the probes are split over two threads


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
    # the draws of rng.choice([-1, 1], size), taken directly (the same stream, without choice's overhead)
    probe = np.array([-1.0, 1.0])[rng.integers(0, 2, size=(weights.n, probes), dtype=np.int64)]
    halves = [probe] if weights.n < _SPLIT_FROM or probes < 2 else np.array_split(probe, 2, axis=1)
    if len(halves) == 1:
        quads = _probe_quadratics(matrix, probe, order)
    else:  # the columns are independent: two threads (the sparse products release the GIL), same numbers
        with ThreadPoolExecutor(2) as pool:
            quads = np.hstack(list(pool.map(lambda part: _probe_quadratics(matrix, np.ascontiguousarray(part), order),
                                            halves)))
    traces = quads.mean(axis=1)
    traces[0] = float(matrix.diagonal().sum())
    if order > 1:
        traces[1] = float(matrix.multiply(matrix.T).sum())
    return traces


def _probe_quadratics(matrix, probe: np.ndarray, order: int) -> np.ndarray:
    """z' W^k z for each probe column z and k = 1..order: an (order, probes) array."""
    out = np.empty((order, probe.shape[1]))
    current = probe
    for k in range(order):
        current = matrix @ current
        out[k] = np.einsum("ij,ij->j", probe, current)
    return out
