"""Transformations of weights; each returns a new ``Graph`` and leaves its input unchanged.

* row-standardisation: every row sums to 1; an island stays a zero row (never NaN);
* binary: every link weighs 1;
* spectral normalisation: W / rho(W), the largest absolute eigenvalue, for matrices such as
  inverse distance whose relative row weights carry meaning (row-standardising would erase
  the difference between remote and central units);
* double standardisation: W / sum(W), all weights summing to 1 (libpysal's "D");
* symmetrisation: (W + W') / 2 (``"average"``), or the union / intersection of the links
  with the larger / smaller of the two weights.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy import sparse

from weights.choices import Transform
from weights._checks import check_option
from weights._graph import SparseWeights, graph_from_sparse, graph_ids, matrix_of
from weights.errors import WeightsError

__all__ = [
    "Transform",
    "SymmetrizeMethod",
    "transform",
    "row_standardize",
    "binary",
    "spectral_normalize",
    "double_standardize",
    "symmetrize",
    "TRANSFORM_NAMES",
]

SymmetrizeMethod = Literal["average", "union", "intersection"]

TRANSFORM_NAMES = {
    "O": "original",
    "R": "row-standardised",
    "B": "binary",
    "D": "double-standardised (sum 1)",
    "V": "variance-stabilised",
    "C": "custom (spectral normalisation, symmetrisation or a mix)",
}
"""Readable names of libpysal's transformation codes (``Graph.transformation``)."""


def _new(graph, matrix, code: str):
    if isinstance(graph, SparseWeights):  # stays a matrix: no Graph (nor libpysal) is needed
        csr = sparse.csr_array(matrix, dtype="float64")
        csr.eliminate_zeros()
        return SparseWeights(tuple(graph.unique_ids), csr, code)
    return graph_from_sparse(matrix, graph_ids(graph), transformation=code)


def row_standardize(graph):
    """Rows sum to 1; islands stay zero rows.

    Examples
    --------
    >>> from weights._graph import graph_from_sparse
    >>> g = graph_from_sparse(np.array([[0, 1, 3], [1, 0, 0], [0, 0, 0]]), ["a", "b", "c"])
    >>> row_standardize(g).sparse.toarray().tolist()
    [[0.0, 0.25, 0.75], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    matrix = matrix_of(graph)
    sums = np.asarray(matrix.sum(axis=1)).ravel()
    scale = np.divide(1.0, sums, out=np.zeros_like(sums), where=sums > 0)
    return _new(graph, sparse.diags_array(scale) @ matrix, "R")


def binary(graph):
    """Every link weighs 1."""
    matrix = matrix_of(graph)
    matrix.data[:] = 1.0
    return _new(graph, matrix, "B")


def spectral_normalize(graph):
    """W divided by its spectral radius (largest |eigenvalue|), so rho lies in (1/lambda_min, 1).

    Raises
    ------
    WeightsError
        For a graph without any link.

    Examples
    --------
    >>> from weights._graph import graph_from_sparse
    >>> g = graph_from_sparse(np.array([[0, 2.0], [2.0, 0]]), ["a", "b"])
    >>> spectral_normalize(g).sparse.toarray().tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    from weights.spectrum import spectral_radius

    radius = spectral_radius(graph)
    if not radius > 0:
        raise WeightsError("spectral normalisation needs at least one link (the spectral radius is 0)")
    return _new(graph, matrix_of(graph) / radius, "C")


def double_standardize(graph):
    """All weights divided by their sum (libpysal's "D" transformation).

    Raises
    ------
    WeightsError
        For a graph without any link.
    """
    matrix = matrix_of(graph)
    total = float(matrix.sum())
    if not total > 0:
        raise WeightsError("double standardisation needs at least one link (the weights sum to 0)")
    return _new(graph, matrix / total, "D")


def symmetrize(graph, *, method: SymmetrizeMethod = "average"):
    """A symmetric version of W.

    Parameters
    ----------
    method
        ``"average"``: (W + W') / 2. ``"union"``: a link wherever either direction has one,
        weighing the larger of the two. ``"intersection"``: only links present both ways,
        weighing the smaller.

    Examples
    --------
    >>> from weights._graph import graph_from_sparse
    >>> g = graph_from_sparse(np.array([[0, 1.0], [0, 0]]), ["a", "b"])
    >>> symmetrize(g, method="union").sparse.toarray().tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    check_option("method", method, SymmetrizeMethod)
    matrix = matrix_of(graph)
    transposed = sparse.csr_array(matrix.T)
    if method == "average":
        result = (matrix + transposed) * 0.5
    elif method == "union":
        result = matrix.maximum(transposed)
    else:
        result = matrix.minimum(transposed)
    return _new(graph, result, "C")


def transform(graph, how: Transform):
    """Apply one transformation by name: ``"none"``, ``"row"``, ``"binary"``, ``"spectral"``,
    ``"double"`` or ``"symmetric"`` (average).

    Raises
    ------
    WeightsError
        For an unknown name (listing the allowed ones).
    """
    check_option("transform", how, Transform)
    if how == "none":
        return graph
    return {
        "row": row_standardize,
        "binary": binary,
        "spectral": spectral_normalize,
        "double": double_standardize,
        "symmetric": symmetrize,
    }[how](graph)
