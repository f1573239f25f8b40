"""The sparse path on a few thousand units (never dense), and cross-checks with spreg."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from libpysal.graph import read_gal

from spatial import SpatialPanel
from spatial.models import fit
from spatial.models._weights import WeightsMatrix
from tests.spatial.models.synthetic import synthetic_panel

REF = Path(__file__).resolve().parents[2] / "reference" / "columbus_models"


@pytest.fixture(scope="module")
def grid():
    frame, graph = synthetic_panel(55, rho=0.45, seed=11, theta=(0.3, 0.2))  # 3025 units
    return SpatialPanel(frame, id="id"), graph


def test_large_n_never_forms_a_dense_matrix(grid, monkeypatch):
    panel, graph = grid

    def refuse(*_args, **_kwargs):
        raise AssertionError("a dense n x n computation was attempted above the dense limit")

    monkeypatch.setattr(WeightsMatrix, "dense_inverse", refuse)
    monkeypatch.setattr(WeightsMatrix, "eigenvalues", refuse)
    r = fit(panel, graph, y="y", x=["x1", "x2"], model="sdm", draws=300, seed=1)
    assert r.details["logdet"] == "lu" and r.details["cov"] == "hessian" and r.effects.method == "lu"
    assert r.effects.per_unit is None
    assert r.rho_bounds == pytest.approx((-1.0, 1.0))  # spectral radius interval of a row-stochastic W
    assert r.converged
    truth = {"x1": 1.0, "x2": -0.5, "W*x1": 0.3, "W*x2": 0.2, "rho": 0.45}
    for name, value in truth.items():
        assert abs(r.params[name] - value) < 4 * r.std_errors[name], name
    np.testing.assert_allclose(r.effects.direct + r.effects.indirect, r.effects.total, atol=1e-12)


def test_sparse_lu_path_equals_the_eigenvalue_path():
    frame, graph = synthetic_panel(25, rho=0.6, seed=4)
    panel = SpatialPanel(frame, id="id")
    for model in ("sar", "sem"):
        dense = fit(panel, graph, y="y", x=["x1", "x2"], model=model, logdet="eigen", cov="hessian", draws=0)
        sparse_ = fit(panel, graph, y="y", x=["x1", "x2"], model=model, logdet="lu", draws=0)
        pd.testing.assert_series_equal(dense.params, sparse_.params, rtol=1e-7)
        pd.testing.assert_series_equal(dense.std_errors, sparse_.std_errors, rtol=1e-6)
        assert dense.loglik == pytest.approx(sparse_.loglik, rel=1e-12)
    dense = fit(panel, graph, y="y", x=["x1", "x2"], model="sar", logdet="eigen", draws=0)
    sparse_ = fit(panel, graph, y="y", x=["x1", "x2"], model="sar", logdet="lu", effects="lu", draws=0)
    pd.testing.assert_frame_equal(dense.effects.estimates, sparse_.effects.estimates, rtol=1e-7)


def test_monte_carlo_log_determinant_is_an_approximation():
    frame, graph = synthetic_panel(30, rho=0.5, seed=8)
    panel = SpatialPanel(frame, id="id")
    exact = fit(panel, graph, y="y", x=["x1", "x2"], model="sar", draws=0)
    approx = fit(panel, graph, y="y", x=["x1", "x2"], model="sar", logdet="mc", draws=0)
    assert approx.details["logdet"] == "mc" and approx.effects.method == "traces"
    assert approx.params["rho"] == pytest.approx(exact.params["rho"], abs=0.02)


@pytest.fixture(scope="module")
def columbus():
    import libpysal

    data = pd.read_csv(REF / "columbus.csv")
    panel = SpatialPanel(data, id="POLYID", variables=["CRIME", "INC", "HOVAL"])
    w = libpysal.io.open(str(REF / "columbus_queen.gal")).read()
    w.transform = "r"
    return panel, data, w


def test_against_spreg_ml_lag_and_ml_error(columbus):
    import spreg
    from libpysal.graph import Graph

    panel, data, w = columbus
    y = data[["CRIME"]].to_numpy()
    X = data[["INC", "HOVAL"]].to_numpy()
    graph = Graph.from_W(w)
    lag = spreg.ML_Lag(y, X, w, method="full")
    ours = fit(panel, graph, y="CRIME", x=["INC", "HOVAL"], model="sar", draws=0)
    np.testing.assert_allclose(ours.params.to_numpy(), lag.betas.ravel(), rtol=1e-5)
    np.testing.assert_allclose(ours.std_errors.to_numpy(), lag.std_err, rtol=1e-4)
    assert ours.loglik == pytest.approx(lag.logll, rel=1e-8)
    assert ours.aic == pytest.approx(lag.aic + 2, rel=1e-8)  # spreg does not count sigma2
    error = spreg.ML_Error(y, X, w, method="full")
    ours = fit(panel, graph, y="CRIME", x=["INC", "HOVAL"], model="sem", draws=0)
    np.testing.assert_allclose(ours.params.to_numpy(), error.betas.ravel(), rtol=1e-5)
    np.testing.assert_allclose(ours.std_errors.to_numpy(), error.std_err, rtol=1e-4)


def test_against_spreg_ols_diagnostics(columbus):
    import spreg
    from libpysal.graph import Graph

    panel, data, w = columbus
    ols = spreg.OLS(data[["CRIME"]].to_numpy(), data[["INC", "HOVAL"]].to_numpy(), w=w, spat_diag=True,
                    moran=True)
    ours = fit(panel, Graph.from_W(w), y="CRIME", x=["INC", "HOVAL"], model="ols")
    assert ours.tests["lm_error"].statistic == pytest.approx(ols.lm_error[0], rel=1e-8)
    assert ours.tests["lm_lag"].statistic == pytest.approx(ols.lm_lag[0], rel=1e-8)
    assert ours.tests["robust_lm_error"].statistic == pytest.approx(ols.rlm_error[0], rel=1e-8)
    assert ours.tests["robust_lm_lag"].statistic == pytest.approx(ols.rlm_lag[0], rel=1e-8)
    assert ours.tests["sarma"].statistic == pytest.approx(ols.lm_sarma[0], rel=1e-8)
    assert ours.tests["moran"].statistic == pytest.approx(ols.moran_res[1], rel=1e-8)


def test_spreg_sdm_direct_effect_misses_the_theta_term(columbus):
    """The issue's example: spreg's SDM direct effect for INC is -0.9607; the correct value
    (spatialreg, and ours) is -1.0250, because the theta tr(W A^-1)/n term is not dropped."""
    panel, data, w = columbus
    from libpysal.graph import Graph

    ours = fit(panel, Graph.from_W(w), y="CRIME", x=["INC", "HOVAL"], model="sdm", draws=0)
    assert ours.effects.direct["INC"] == pytest.approx(-1.02498783531283, rel=1e-6)
    beta, theta, rho = ours.params["INC"], ours.params["W*INC"], ours.params["rho"]
    W = np.asarray(Graph.from_W(w).sparse.toarray())
    Ainv = np.linalg.inv(np.eye(49) - rho * W)
    without_theta = beta * np.trace(Ainv) / 49
    assert without_theta == pytest.approx(-0.9607, abs=5e-4)
    assert ours.effects.direct["INC"] == pytest.approx(without_theta + theta * np.trace(Ainv @ W) / 49, rel=1e-10)


def test_reads_a_gal_file_with_libpysal_graph():
    graph = read_gal(str(REF / "columbus_queen.gal"))
    assert graph.n == 49
