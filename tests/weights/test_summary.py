"""Summaries and the interval of rho: dense eigenvalues against numpy, sparse solvers against dense."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.weights.helpers import quiet
from weights import eigen_range, knn, queen, rho_interval, row_standardize, summarize
from weights._graph import graph_from_sparse, matrix_of


def _numpy_interval(graph) -> tuple[float, float]:
    values = np.linalg.eigvals(matrix_of(graph).toarray()).real
    return 1 / values.min(), 1 / values.max()


def test_us48_queen_summary(us_states):
    s = summarize(queen(us_states, id="fips"), name="queen")
    assert (s.n, s.n_links, s.neighbours_min, s.neighbours_max, s.islands, s.symmetric, s.n_components) == \
        (48, 214, 1, 8, (), True, 1)
    assert s.neighbours_mean == pytest.approx(214 / 48)
    assert dict(s.histogram) == {"1": 1, "2": 4, "3": 9, "4": 11, "5": 10, "6": 9, "7": 2, "8": 2}
    assert s.rho_interval == pytest.approx(_numpy_interval(queen(us_states, id="fips")), rel=1e-10)
    text = str(s)
    assert "214 links" in text and "rho interval" in text and "symmetric: yes" in text
    json.dumps(s.to_dict())


def test_binary_chain_has_an_upper_bound_below_one():
    # chain of 5 plus an island: eigenvalues +-sqrt(3), +-1, 0, 0 -> rho in (-0.577, 0.577), not (-1, 1)
    chain = np.eye(6, k=1) + np.eye(6, k=-1)
    chain[4, 5] = chain[5, 4] = 0
    g = graph_from_sparse(chain, list("abcdef"))
    low, high = rho_interval(g)
    assert (low, high) == pytest.approx((-1 / np.sqrt(3), 1 / np.sqrt(3)), rel=1e-12)
    s = summarize(g)
    assert s.islands == ("f",) and s.component_sizes == (5, 1)
    assert "spillovers cannot cross components" in str(s)


def test_asymmetric_knn_uses_real_parts():
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"id": [f"u{k}" for k in range(30)], "x": rng.random(30), "y": rng.random(30)})
    w = row_standardize(knn(table, id="id", xy=("x", "y"), metric="euclidean", k=3))
    assert np.iscomplexobj(np.linalg.eigvals(matrix_of(w).toarray()))
    found = eigen_range(w)
    assert found.method == "dense, real parts"
    assert found.rho_interval == pytest.approx(_numpy_interval(w), rel=1e-10)
    s = summarize(w)
    assert not s.symmetric and s.asymmetric_links > 0


def test_sparse_solver_agrees_with_dense_on_the_prefectures(prefectures):
    w = row_standardize(quiet(queen, prefectures, id="adcode"))  # islands, symmetric-similar
    dense, sparse = eigen_range(w, method="dense"), eigen_range(w, method="sparse")
    assert dense.method == "dense, symmetric-similar"
    assert sparse.lambda_min == pytest.approx(dense.lambda_min, rel=1e-8)
    assert sparse.lambda_max == pytest.approx(dense.lambda_max, rel=1e-12)
    assert dense.lambda_max == pytest.approx(1.0, rel=1e-12)


def test_sparse_solver_on_an_asymmetric_binary_graph():
    rng = np.random.default_rng(5)
    table = pd.DataFrame({"id": [f"u{k}" for k in range(400)], "x": rng.random(400), "y": rng.random(400)})
    w = knn(table, id="id", xy=("x", "y"), metric="euclidean", k=4)
    dense, sparse = eigen_range(w, method="dense"), eigen_range(w, method="sparse")
    assert sparse.lambda_max == 4.0  # every row sums to 4: the Perron root, exactly
    assert sparse.lambda_min == pytest.approx(dense.lambda_min, rel=1e-8)


def test_wide_cardinality_ranges_are_binned():
    rng = np.random.default_rng(2)
    n = 60
    dense = np.zeros((n, n))
    for i in range(n):
        picks = rng.choice([j for j in range(n) if j != i], size=i % 40 + 1, replace=False)
        dense[i, picks] = 1
    s = summarize(graph_from_sparse(dense, [f"u{k}" for k in range(n)]), eigen="none")
    assert sum(count for _, count in s.histogram) == n and len(s.histogram) <= 13
    assert s.rho_interval is None and "not computed" in str(s)


def test_symmetric_scaling_with_an_island():
    """A row-standardised symmetric graph with an island is still similar to a symmetric matrix."""
    import numpy as np
    from scipy import sparse

    from weights.spectrum import symmetric_scaling

    binary = np.array([[0, 1, 1, 0], [1, 0, 1, 0], [1, 1, 0, 0], [0, 0, 0, 0]], dtype=float)
    rows = binary.sum(axis=1, keepdims=True)
    standardised = np.divide(binary, rows, out=np.zeros_like(binary), where=rows > 0)
    d = symmetric_scaling(sparse.csr_array(standardised))
    assert d is not None
    scaled = np.sqrt(d)[:, None] * standardised / np.sqrt(d)[None, :]
    np.testing.assert_allclose(scaled, scaled.T, atol=1e-12)


def _lattice(side: int):
    from scipy import sparse

    index = np.arange(side * side).reshape(side, side)
    rows, cols = [], []
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            if dr or dc:
                a = index[max(0, -dr):side - max(0, dr), max(0, -dc):side - max(0, dc)]
                b = index[max(0, dr):side - max(0, -dr), max(0, dc):side - max(0, -dc)]
                rows.append(a.ravel())
                cols.append(b.ravel())
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    matrix = sparse.csr_array((np.ones(rows.size), (rows, cols)), shape=(side * side,) * 2)
    return graph_from_sparse(matrix, [f"c{k}" for k in range(side * side)])


@pytest.mark.parametrize("standardise", [False, True])
def test_large_n_auto_gives_an_admissible_interval_inside_the_exact_one(monkeypatch, standardise):
    """Above DENSE_LIMIT, auto bounds the ends without an eigensolver; the exact interval contains them."""
    import weights.spectrum as spectrum

    w = _lattice(20)  # queen lattice, 400 units: exact eigenvalues in numpy for the reference
    assert matrix_of(w).sum() == 2 * (2 * 20 * 19 + 2 * 19 * 19)  # queen links of a 20 x 20 lattice
    w = row_standardize(w) if standardise else w
    exact_low, exact_high = _numpy_interval(w)
    monkeypatch.setattr(spectrum, "DENSE_LIMIT", 100)
    found = eigen_range(w)
    low, high = found.rho_interval
    assert exact_low < low < 0 < high <= exact_high * (1 + 1e-12)  # admissible: inside the exact interval
    assert found.wider == (True, not standardise)
    if standardise:  # rows sum to one: upper end exactly 1, lower end -1 "or wider"
        assert (low, high) == (-1.0, 1.0)
    else:  # the Collatz-Wielandt bound of the Perron root is tight after a few iterations
        assert high == pytest.approx(exact_high, rel=1e-3)
    s = summarize(w)
    assert "or wider" in str(s) and s.to_dict()["rho_interval_wider"] == list(found.wider)
    assert eigen_range(w, method="sparse").rho_interval == pytest.approx((exact_low, exact_high), rel=1e-6)
    assert spectrum.spectral_radius(w) == pytest.approx(1 / exact_high, rel=1e-8)  # never a bound


def test_perron_bound_is_an_upper_bound_for_asymmetric_weights():
    from weights.spectrum import perron_bound

    rng = np.random.default_rng(3)
    dense = (rng.random((80, 80)) < 0.05) * rng.random((80, 80))
    np.fill_diagonal(dense, 0)
    bound, exact = perron_bound(dense)
    radius = np.abs(np.linalg.eigvals(dense)).max()
    assert bound >= radius - 1e-12 and not exact
    assert perron_bound(np.ones((4, 4)) - np.eye(4)) == (3.0, True)
