"""Transformations return new graphs; islands stay zero rows; spectral normalisation by the eigenvalues."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from tests.weights.helpers import quiet
from weights import (
    binary,
    double_standardize,
    inverse_distance,
    knn,
    queen,
    row_standardize,
    spectral_normalize,
    symmetrize,
)
from weights._graph import graph_from_sparse, matrix_of
from weights.transform import transform

ISLAND = graph_from_sparse(np.array([[0, 2.0, 1.0, 0], [2.0, 0, 0, 0], [1.0, 0, 0, 0], [0, 0, 0, 0]]),
                           ["a", "b", "c", "d"])


def test_row_standardisation_keeps_islands_as_zero_rows():
    row = row_standardize(ISLAND)
    dense = matrix_of(row).toarray()
    assert_allclose(dense.sum(axis=1), [1, 1, 1, 0])
    assert not np.isnan(row.adjacency.to_numpy()).any()
    assert list(map(str, row.isolates)) == ["d"] and row.transformation == "R"
    assert_allclose(dense[0], [0, 2 / 3, 1 / 3, 0])


def test_transforms_return_new_graphs_and_leave_the_input_alone():
    before = ISLAND.adjacency.copy()
    for how in ("row", "binary", "spectral", "double", "symmetric"):
        out = transform(ISLAND, how)
        assert out is not ISLAND
        assert list(out.unique_ids) == ["a", "b", "c", "d"]
    assert ISLAND.adjacency.equals(before)
    assert transform(ISLAND, "none") is ISLAND


def test_binary_and_double():
    assert set(binary(ISLAND).adjacency[binary(ISLAND).adjacency > 0]) == {1.0}
    assert matrix_of(double_standardize(ISLAND)).sum() == pytest.approx(1.0, rel=1e-15)


def test_spectral_normalisation_divides_by_the_largest_eigenvalue(capitals):
    w = inverse_distance(capitals, id="province_adcode", xy=("lon", "lat"), metric="haversine", alpha=1)
    dense = matrix_of(w).toarray()
    radius = np.abs(np.linalg.eigvals(dense)).max()
    out = spectral_normalize(w)
    assert_allclose(matrix_of(out).toarray(), dense / radius, rtol=1e-12)
    assert np.abs(np.linalg.eigvals(matrix_of(out).toarray())).max() == pytest.approx(1.0, rel=1e-12)


def test_symmetrisation_methods(us_states):
    w = knn(us_states, id="fips", k=3, metric="haversine")
    dense = matrix_of(w).toarray()
    assert_allclose(matrix_of(symmetrize(w)).toarray(), (dense + dense.T) / 2)
    assert_allclose(matrix_of(symmetrize(w, method="union")).toarray(), np.maximum(dense, dense.T))
    assert_allclose(matrix_of(symmetrize(w, method="intersection")).toarray(), np.minimum(dense, dense.T))


def test_row_standardised_queen_rows_sum_to_one(mainland):
    row = row_standardize(quiet(queen, mainland, id="adcode"))
    sums = np.asarray(matrix_of(row).sum(axis=1)).ravel()
    islands = np.asarray([str(i) == "460000" for i in row.unique_ids])
    assert_allclose(sums[~islands], 1.0) and sums[islands].tolist() == [0.0]
