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
