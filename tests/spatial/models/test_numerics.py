"""The private numerics, each alone: log-determinants, intervals, traces, Hessian and information."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from libpysal.graph import Graph
from scipy import sparse

from spatial import SpatialPanel
from spatial.models import _information, _likelihood
from spatial.models._design import build_design
from spatial.models._logdet import (
    EigenLogDet,
    LULogDet,
    MonteCarloLogDet,
    lower_bound_from_eigensolver,
    power_traces,
    rho_interval,
)
from spatial.models._weights import weights_matrix
from tests.spatial.models.synthetic import knn_graph, lattice_graph, synthetic_panel


@pytest.fixture(scope="module")
def lattice():
    return weights_matrix(lattice_graph(30)[0])  # 900 units, row-standardised queen


@pytest.fixture(scope="module")
def knn():
    return weights_matrix(knn_graph(400, k=4, seed=2)[0])  # asymmetric: complex eigenvalues


def test_facts_of_the_weights(lattice, knn):
    assert lattice.row_stochastic and not lattice.symmetric and lattice.symmetric_similar
    assert knn.row_stochastic and not knn.symmetric_similar
    assert np.iscomplexobj(knn.eigenvalues())
    assert not np.iscomplexobj(lattice.eigenvalues())


@pytest.mark.parametrize("which", ["lattice", "knn"])
def test_lu_log_determinant_equals_the_eigenvalue_one(which, lattice, knn):
    weights = lattice if which == "lattice" else knn
    interval = rho_interval(weights, use_eigenvalues=True)
    eigen, lu = EigenLogDet(weights), LULogDet(weights, interval)
    for rho in (-0.8, -0.2, 0.3, 0.7, 0.95):
        assert lu(rho) == pytest.approx(eigen(rho), rel=1e-10, abs=1e-9)
    dense = np.linalg.slogdet(np.eye(weights.n) - 0.7 * weights.matrix.toarray())
    assert dense[0] == 1 and eigen(0.7) == pytest.approx(dense[1], rel=1e-10)


@pytest.mark.parametrize("which", ["lattice", "knn"])
def test_lu_derivatives_from_checked_windows(which, lattice, knn):
    weights = lattice if which == "lattice" else knn
    interval = rho_interval(weights, use_eigenvalues=True)
    eigen, lu = EigenLogDet(weights), LULogDet(weights, interval)
    rhos = np.array([0.41, 0.43, 0.46])
    for order in (1, 2):
        np.testing.assert_allclose(lu.derivative(rhos, order), eigen.derivative(rhos, order), rtol=1e-7)


def test_monte_carlo_log_determinant_is_close(lattice):
    """Barry-Pace: an approximation; on 900 units within 0.5 percent of the exact value for |rho| <= 0.7."""
    eigen = EigenLogDet(lattice)
    approx = MonteCarloLogDet(lattice, order=60, probes=60, seed=1)
    for rho in (-0.7, -0.3, 0.3, 0.7):
        assert approx(rho) == pytest.approx(eigen(rho), rel=5e-3)
    assert approx.derivative(np.array([0.5]), 1)[0] == pytest.approx(eigen.derivative(np.array([0.5]), 1)[0], rel=2e-2)


def test_power_traces_exact_and_stochastic(lattice):
    exact = power_traces(lattice, 6, exact=True)
    W = lattice.matrix.toarray()
    assert exact[0] == pytest.approx(0.0, abs=1e-9)
    assert exact[2] == pytest.approx(np.trace(W @ W @ W), rel=1e-10)
    estimated = power_traces(lattice, 6, exact=False, probes=200, seed=3)
    assert estimated[1] == pytest.approx(exact[1], rel=1e-12)  # tr(W^2) is always exact
    np.testing.assert_allclose(estimated[2:], exact[2:], rtol=0.05)


def _plain_probe_traces(matrix, order: int, probes: int, seed: int) -> np.ndarray:
    """The plain Hutchinson estimator mean_z z'W^k z with power_traces' probes, written here independently."""
    rng = np.random.default_rng(seed)
    z = np.where(rng.integers(0, 2, size=(matrix.shape[0], probes), dtype=np.int64) == 1, 1.0, -1.0)
    out, current = np.empty(order), z
    for k in range(order):
        current = matrix @ current
        out[k] = np.mean(np.sum(z * current, axis=0))
    return out


def test_symmetric_form_probe_traces_unbiased_and_no_noisier_than_plain_probes(lattice):
    """For W similar to a symmetric S, tr(W^k) is estimated by (S^a z)'(S^b z) (half the sparse products).

    Over 200 probe seeds on the 900-unit row-standardised lattice (degrees 3, 5 and 8, so D is not a
    multiple of I): the mean error of every order 3..30 is within 3.5 standard errors of zero, and
    the root mean square error is at most that of the plain z'W^k z at every order (the variance
    argument in power_traces); a2(0.63) = sum_j 0.63^j tr(W^(j+1)) / n likewise.
    """
    order, seeds, n = 30, 200, lattice.n
    exact = power_traces(lattice, order, exact=True)
    new = np.array([power_traces(lattice, order, exact=False, probes=50, seed=s) for s in range(seeds)])
    plain = np.array([_plain_probe_traces(lattice.matrix, order, 50, s) for s in range(seeds)])
    error = new[:, 2:] - exact[2:]
    assert np.all(np.abs(error.mean(axis=0)) <= 3.5 * error.std(axis=0, ddof=1) / np.sqrt(seeds))
    rms_new = np.sqrt((error**2).mean(axis=0))
    rms_plain = np.sqrt(((plain[:, 2:] - exact[2:]) ** 2).mean(axis=0))
    assert np.all(rms_new <= rms_plain)
    weights = 0.63 ** np.arange(order)
    a2_new, a2_plain = (new - exact) @ weights / n, (plain[:, :order] - exact) @ weights / n
    a2_plain += (exact[:2] - plain[:, :2]) @ weights[:2] / n  # tr(W) and tr(W^2) are exact in both
    assert np.sqrt(np.mean(a2_new**2)) <= np.sqrt(np.mean(a2_plain**2))


def test_symmetric_probe_traces_equal_plain_ones_for_a_symmetric_w():
    graph, _ = lattice_graph(20)
    binary = weights_matrix(graph.transform("b"))
    assert binary.symmetric
    for seed in (0, 7):
        ours = power_traces(binary, 12, exact=False, probes=30, seed=seed)
        plain = _plain_probe_traces(binary.matrix, 12, 30, seed)
        np.testing.assert_allclose(ours[2:], plain[2:], rtol=1e-12)


def test_probe_traces_of_a_matrix_not_similar_to_a_symmetric_one(knn):
    """The plain estimator stays for asymmetric W (here: 4-nearest neighbours, complex eigenvalues)."""
    ours = power_traces(knn, 8, exact=False, probes=40, seed=3)
    np.testing.assert_allclose(ours[2:], _plain_probe_traces(knn.matrix, 8, 40, 3)[2:], rtol=1e-12)


def test_interval_from_eigenvalues_and_from_the_spectral_radius(lattice):
    eig = np.real(lattice.eigenvalues())
    exact = rho_interval(lattice, use_eigenvalues=True)
    assert (exact.lower, exact.upper) == pytest.approx((1 / eig.min(), 1 / eig.max()))
    assert exact.upper == pytest.approx(1.0)
    radius = rho_interval(lattice, use_eigenvalues=False)
    assert (radius.lower, radius.upper) == pytest.approx((-1.0, 1.0))  # inside the exact interval
    solver = lower_bound_from_eigensolver(lattice, radius.upper)
    assert solver.lower == pytest.approx(exact.lower, rel=1e-6)
    assert solver.lower >= exact.lower  # never outside the admissible interval


@pytest.fixture(scope="module")
def design():
    frame, graph = synthetic_panel(12, rho=0.4, seed=5)
    panel = SpatialPanel(frame, id="id")
    weights = weights_matrix(graph)
    return build_design(panel, weights, y="y", x=["x1", "x2"], wx=None, constant=True, durbin=False)


@pytest.mark.parametrize("model", ["sar", "sem", "sac"])
def test_analytical_hessian_matches_the_numerical_one(design, model):
    weights = design.weights
    logdet = EigenLogDet(weights)
    rho = 0.35 if model in ("sar", "sac") else None
    lam = 0.2 if model in ("sem", "sac") else None
    beta = np.array([1.0, 0.8, -0.4])
    sigma2 = 1.3

    def loglik(theta):
        k = design.k
        b = theta[:k]
        r = theta[k] if rho is not None else 0.0
        l_ = theta[k + (rho is not None)] if lam is not None else 0.0
        return _likelihood.full_loglik(design, logdet, b, theta[-1], r, l_)

    point = np.concatenate([beta, [rho] if rho is not None else [], [lam] if lam is not None else [], [sigma2]])
    numerical = _information.numerical_hessian(loglik, point, step=1e-4)
    f2 = {v: logdet.derivative(np.array([v]), 2)[0] for v in (rho, lam) if v is not None}
    analytical = _information.observed_hessian(design, beta, sigma2, rho=rho, lam=lam,
                                               f2_rho=f2.get(rho, 0.0), f2_lam=f2.get(lam, 0.0))
    np.testing.assert_allclose(analytical, numerical, rtol=1e-5, atol=1e-5 * np.abs(numerical).max())


@pytest.mark.parametrize("model", ["sar", "sem", "sac"])
def test_information_matrix_is_the_expected_negative_hessian(design, model):
    """At the true parameters the observed Hessian averages to minus the information matrix:
    checked by simulating y from the model 200 times (the two agree to Monte Carlo error)."""
    weights = design.weights
    W = weights.matrix
    n = weights.n
    rho = 0.35 if model in ("sar", "sac") else None
    lam = 0.2 if model in ("sem", "sac") else None
    beta = np.array([1.0, 0.8, -0.4])
    sigma2 = 1.0
    A = sparse.identity(n) - (rho or 0.0) * W
    B = sparse.identity(n) - (lam or 0.0) * W
    rng = np.random.default_rng(0)
    logdet = EigenLogDet(weights)
    f2_rho = logdet.derivative(np.array([rho]), 2)[0] if rho is not None else 0.0
    f2_lam = logdet.derivative(np.array([lam]), 2)[0] if lam is not None else 0.0
    total = 0.0
    from scipy.sparse.linalg import spsolve

    for _ in range(200):
        e = rng.standard_normal(n)
        y = spsolve(A.tocsc(), design.X @ beta + spsolve(B.tocsc(), e))
        d = _with_y(design, y)
        total = total - _information.observed_hessian(d, beta, sigma2, rho=rho, lam=lam, f2_rho=f2_rho, f2_lam=f2_lam)
    average = total / 200
    info = _information.information_matrix(design, beta, sigma2, rho=rho, lam=lam)
    np.testing.assert_allclose(np.diag(average), np.diag(info), rtol=0.08)


def _with_y(design, y):
    from dataclasses import replace

    return replace(design, y=y, _lags={})


def test_concentrated_likelihood_is_finite_inside_the_interval(design):
    weights = design.weights
    logdet = EigenLogDet(weights)
    interval = rho_interval(weights, use_eigenvalues=True)
    lag, error = _likelihood.LagProfile(design), _likelihood.ErrorProfile(design)
    for rho in np.linspace(*interval.inner(1e-6), 25):
        assert np.isfinite(lag.loglik(rho, logdet)) and np.isfinite(error.loglik(rho, logdet))


def test_weights_checks_name_the_offending_units():
    from weights.errors import WeightsError

    bad = Graph.from_arrays(["a", "b", "c"], ["b", "a", "c"], [1.0, -1.0, 0.0])
    with pytest.raises(WeightsError, match="non-negative"):
        weights_matrix(bad)
    selfish = Graph.from_arrays(["a", "a", "b"], ["a", "b", "a"], [1.0, 1.0, 1.0])
    with pytest.raises(WeightsError, match="own neighbours"):
        weights_matrix(selfish)


def test_design_is_unit_major_in_the_weights_order():
    frame, graph = synthetic_panel(4, rho=0.3, seed=1, periods=3)
    panel = SpatialPanel(frame, id="id", time="t")
    weights = weights_matrix(graph)
    d = build_design(panel, weights, y="y", x=["x1"], wx=None, constant=True, durbin=True)
    assert d.n_periods == 3 and d.nobs == 48
    assert list(d.index.get_level_values(0)[:3]) == [weights.ids[0]] * 3
    Y = d.y.reshape(16, 3)
    np.testing.assert_allclose(d.Wy.reshape(16, 3), weights.matrix @ Y)  # W applied period by period
    expected = pd.Series(d.y, index=d.index)
    assert expected.loc[(weights.ids[5], 2)] == pytest.approx(panel.data.loc[(weights.ids[5], 2), "y"])


def test_serial_blas_limits_blas_to_one_thread_and_restores_it():
    from threadpoolctl import threadpool_info

    from spatial.linalg.threads import SERIAL_FROM_ROWS, serial_blas

    def blas_threads():
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]

    before = blas_threads()
    with serial_blas(SERIAL_FROM_ROWS):
        assert blas_threads() and all(t == 1 for t in blas_threads())
    assert blas_threads() == before
    with serial_blas(SERIAL_FROM_ROWS - 1):  # small: OpenBLAS keeps to one thread by itself; nothing is changed
        assert blas_threads() == before


@pytest.mark.parametrize("kind", ["text", "numbers"])
def test_weights_ids_are_the_graphs_unique_ids_in_their_order(kind):
    """weights_matrix reads the ids from the adjacency's index codes; they must be graph.unique_ids, in order,
    for shuffled edges, an isolate, text ids with leading zeros and Chinese names, and integer ids."""
    rng = np.random.default_rng(4)
    names = (["007", "010", "北京", "上海", "a b", "0", "x", "island"] if kind == "text" else
             [40, 3, 17, 8, 25, 11, 9, 99])
    edges = [(i, j) for i in range(7) for j in range(i + 1, 7) if rng.random() < 0.5]
    edges += [(j, i) for i, j in edges] + [(7, 7)]
    edges = [edges[k] for k in rng.permutation(len(edges))]
    focal = [names[i] for i, _ in edges]
    neighbor = [names[j] for _, j in edges]
    weight = [0.0 if i == j else 1.0 for i, j in edges]
    graph = Graph.from_arrays(focal, neighbor, weight)
    matrix = weights_matrix(graph, allow_islands=True)
    assert matrix.ids == tuple(str(i) for i in graph.unique_ids)
    assert matrix.islands == (str(names[7]),)
    np.testing.assert_array_equal(matrix.matrix.toarray(), np.asarray(graph.sparse.toarray()))


@pytest.mark.parametrize("which", ["lattice", "knn"])
def test_probe_traces_same_numbers_in_one_or_two_threads(which, lattice, knn, monkeypatch):
    """The probe columns are split over two threads only when a core is free: the traces must not depend on it."""
    from spatial.linalg import traces

    weights = lattice if which == "lattice" else knn
    monkeypatch.setattr(traces, "_SPLIT_FROM", 100)
    results = []
    for free in (True, False):
        monkeypatch.setattr(traces, "_spare_core", lambda free=free: free)
        results.append(power_traces(weights, 10, exact=False, probes=21, seed=5))
    np.testing.assert_array_equal(results[0], results[1])


@pytest.mark.parametrize("which", ["lattice", "knn"])
def test_probe_traces_same_numbers_with_scipys_public_product(which, lattice, knn, monkeypatch):
    """The products write into reused arrays through scipy's csr_matvecs; the public M @ x gives the same numbers."""
    from spatial.linalg import traces

    weights = lattice if which == "lattice" else knn
    buffered = power_traces(weights, 9, exact=False, probes=13, seed=2)
    monkeypatch.setattr(traces, "_CSR_MATVECS", None)
    np.testing.assert_array_equal(buffered, power_traces(weights, 9, exact=False, probes=13, seed=2))


def test_probes_drawn_in_blocks_of_rows_are_one_stream(monkeypatch):
    from spatial.linalg import traces

    whole = np.where(np.random.default_rng(8).integers(0, 2, size=(103, 7), dtype=np.int64) == 1, 1.0, -1.0)
    monkeypatch.setattr(traces, "_PROBE_ROWS", 10)  # 11 blocks, the last one of 3 rows (21 draws: odd)
    np.testing.assert_array_equal(traces._probes(103, 7, 8), whole)
