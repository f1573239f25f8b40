"""Synthetic lattices and panels drawn from known spatial models (shared by tests and bench)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from libpysal.graph import Graph
from scipy import sparse
from scipy.sparse.linalg import splu


def lattice_graph(side: int, *, prefix: str = "u"):
    """Queen contiguity on a side x side grid, row-standardised; text ids with leading zeros."""
    n = side * side
    index = np.arange(n).reshape(side, side)
    rows, cols = [], []
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            if dr == 0 and dc == 0:
                continue
            a = index[max(0, -dr):side - max(0, dr), max(0, -dc):side - max(0, dc)]
            b = index[max(0, dr):side - max(0, -dr), max(0, dc):side - max(0, -dc)]
            rows.append(a.ravel())
            cols.append(b.ravel())
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    ids = np.array([f"{prefix}{i:06d}" for i in range(n)], dtype=object)
    return Graph.from_arrays(ids[rows], ids[cols], np.ones(len(rows))).transform("r"), ids


def knn_graph(n: int, *, k: int, seed: int):
    """k nearest neighbours of random points, row-standardised (asymmetric)."""
    rng = np.random.default_rng(seed)
    xy = rng.random((n, 2))
    distance = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(distance, np.inf)
    nearest = np.argsort(distance, axis=1)[:, :k]
    ids = np.array([f"p{i:04d}" for i in range(n)], dtype=object)
    return Graph.from_arrays(np.repeat(ids, k), ids[nearest.ravel()], np.ones(n * k)).transform("r"), ids


def synthetic_panel(side: int, *, rho: float, seed: int, periods: int = 1, theta=(0.0, 0.0), lam: float = 0.0):
    """y = rho W y + 1 + x1 - 0.5 x2 + W X theta + u, u = lam W u + e, on a side x side lattice."""
    graph, _ = lattice_graph(side)
    ids = np.array([str(i) for i in graph.unique_ids], dtype=object)  # the order of graph.sparse
    n = len(ids)
    W = sparse.csr_matrix(graph.sparse)
    rng = np.random.default_rng(seed)
    frames = []
    A = splu(sparse.csc_matrix(sparse.identity(n) - rho * W))
    B = splu(sparse.csc_matrix(sparse.identity(n) - lam * W))
    for t in range(periods):
        X = rng.standard_normal((n, 2))
        mean = 1.0 + X @ np.array([1.0, -0.5]) + (W @ X) @ np.asarray(theta)
        y = A.solve(mean + B.solve(rng.standard_normal(n)))
        frames.append(pd.DataFrame({"id": ids, "t": t, "y": y, "x1": X[:, 0], "x2": X[:, 1]}))
    frame = pd.concat(frames, ignore_index=True)
    return (frame if periods > 1 else frame.drop(columns="t")), graph
