"""Fast, canonical conversion between sparse matrices and libpysal ``Graph`` objects.

A ``Graph`` stores a MultiIndexed adjacency table ordered focal-then-neighbour by the ids' order,
with every island as a self-loop of weight 0. Building that table from a CSR matrix directly (the
MultiIndex codes are the CSR row and column indices) is several times faster than
``Graph.from_sparse``, which re-sorts through pandas; the result is identical.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from weights._checks import first_items, match_ids
from weights.errors import WeightsError

__all__ = ["SparseWeights", "canonical_csr", "graph_from_sparse", "graph_from_pairs", "graph_ids", "matrix_of", "reorder"]


@dataclass(frozen=True, eq=False)
class SparseWeights:
    """Checked weights as a CSR matrix and its ids, for paths that never need a ``Graph``.

    Importing libpysal loads scikit-learn, scipy.stats, geopandas and its example catalogue (about
    a second); an estimation from a weights file needs only the matrix. This carries the attributes
    of a ``Graph`` that the estimators read (``unique_ids``, ``sparse``, ``transformation``, ``n``)
    and the transforms of :mod:`weights.transform` accept it; :meth:`to_graph` builds the ``Graph``
    when one is needed (same ids, same order, islands as zero rows).

    Examples
    --------
    >>> w = SparseWeights(("a", "b"), sparse.csr_array(np.array([[0, 2.0], [1.0, 0]])))
    >>> w.n, w.to_graph().n_edges
    (2, 2)
    """

    unique_ids: tuple[str, ...]
    sparse: sparse.csr_array
    transformation: str = "O"

    @property
    def n(self) -> int:
        return len(self.unique_ids)

    def to_graph(self):
        """The libpysal ``Graph`` of these weights."""
        return graph_from_sparse(self.sparse, self.unique_ids, transformation=self.transformation)


def canonical_csr(matrix) -> sparse.csr_array:
    """``matrix`` as a float CSR array without duplicate entries or explicit zeros, indices sorted."""
    csr = sparse.csr_array(matrix, dtype="float64")
    csr.sum_duplicates()
    csr.eliminate_zeros()
    csr.sort_indices()
    return csr


def graph_from_sparse(matrix, ids: Sequence[str], *, transformation: str = "O"):
    """A ``Graph`` from an n x n sparse matrix whose rows and columns follow ``ids``.

    Explicit zeros are removed; a row without any nonzero weight becomes an island (a self-loop
    of weight 0, libpysal's convention).

    Examples
    --------
    >>> m = sparse.csr_array(np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]]))
    >>> g = graph_from_sparse(m, ["b", "a", "c"])
    >>> g.unique_ids.tolist(), g.isolates.tolist(), g.n_edges
    (['b', 'a', 'c'], ['c'], 2)
    """
    from libpysal.graph import Graph

    csr = canonical_csr(matrix)
    n = csr.shape[0]
    if csr.shape != (n, n) or n != len(ids):
        raise WeightsError(f"a {csr.shape[0]} x {csr.shape[1]} matrix cannot carry {len(ids)} ids")
    rows, cols, data = links_with_islands(csr)
    level = pd.Index(list(ids), dtype=object)
    if level.has_duplicates:
        raise WeightsError(f"repeated ids: {first_items(level[level.duplicated()].unique().tolist())}")
    index = pd.MultiIndex(
        levels=[level, level], codes=[rows, cols], names=["focal", "neighbor"], verify_integrity=False
    )
    return Graph(pd.Series(data, index=index, name="weight"), transformation=transformation, is_sorted=True)


def links_with_islands(csr: sparse.csr_array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, weight) of every link of a CSR matrix, each island as a zero self-link, in row order."""
    counts = np.diff(csr.indptr)
    rows = np.repeat(np.arange(csr.shape[0], dtype=np.int64), counts)
    cols = csr.indices.astype(np.int64)
    data = csr.data.astype("float64")
    islands = np.flatnonzero(counts == 0)
    if islands.size:
        rows = np.concatenate([rows, islands])
        cols = np.concatenate([cols, islands])
        data = np.concatenate([data, np.zeros(islands.size)])
        order = np.lexsort((cols, rows))
        rows, cols, data = rows[order], cols[order], data[order]
    return rows, cols, data


def graph_from_pairs(rows, cols, data, ids: Sequence[str], *, transformation: str = "O"):
    """A ``Graph`` from (row, column, weight) positions into ``ids``; repeated pairs are summed."""
    n = len(ids)
    matrix = sparse.csr_array(
        (np.asarray(data, dtype="float64"), (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))),
        shape=(n, n),
    )
    return graph_from_sparse(matrix, ids, transformation=transformation)


def graph_ids(graph) -> list[str]:
    """The ids of a graph in its order, as text."""
    return [str(i) for i in graph.unique_ids]


def matrix_of(graph) -> sparse.csr_array:
    """The weights as a CSR array in the graph's id order (islands are zero rows).

    Examples
    --------
    >>> m = sparse.csr_array(np.array([[0, 2.0], [0, 0]]))
    >>> matrix_of(graph_from_sparse(m, ["x", "y"])).toarray().tolist()
    [[0.0, 2.0], [0.0, 0.0]]
    """
    if isinstance(graph, SparseWeights):
        return sparse.csr_array(graph.sparse, dtype="float64", copy=True)
    adjacency = graph._adjacency
    n = len(graph.unique_ids)
    codes = adjacency.index.codes
    level = adjacency.index.levels[0]
    if level.equals(pd.Index(graph.unique_ids)) and adjacency.index.levels[1].equals(level):
        rows, cols = np.asarray(codes[0]), np.asarray(codes[1])
    else:  # a Graph built elsewhere with sorted levels: map labels to positions in id order
        position = pd.Index(graph.unique_ids)
        rows = position.get_indexer(adjacency.index.get_level_values(0))
        cols = position.get_indexer(adjacency.index.get_level_values(1))
    matrix = sparse.csr_array((adjacency.to_numpy(dtype="float64"), (rows, cols)), shape=(n, n))
    matrix.eliminate_zeros()
    return matrix


def reorder(graph, ids: Sequence[str], *, what: str = "the weights"):
    """The graph with its units in the order of ``ids`` (same set required).

    Raises
    ------
    WeightsError
        When the id sets differ (both differences listed).
    """
    current = graph_ids(graph)
    wanted = [str(i) for i in ids]
    if current == wanted:
        return graph
    match_ids(current, wanted, what=what)
    position = pd.Index(current).get_indexer(wanted)
    matrix = matrix_of(graph)[position][:, position]
    return graph_from_sparse(matrix, wanted, transformation=graph.transformation)
