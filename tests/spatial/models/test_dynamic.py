"""Dynamic spatial panels against the independent dense implementation, SDPDmod, a known DGP; bad input."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from libpysal.graph import Graph, read_gal

from spatial import SpatialPanel
from spatial.errors import SpatialPanelError
from spatial.models import fit
from spatial.models._dynamic import NonStationaryWarning

REF = Path(__file__).resolve().parents[2] / "reference"
DYN = REF / "dynamic_produc"
EXPECTED = json.loads((DYN / "expected.json").read_text())
X = ["log(pcap)", "log(pc)", "log(emp)", "unemp"]


@pytest.fixture(scope="module")
def produc():
    data = pd.read_csv(REF / "produc" / "produc.csv")
    order = {s: str(i + 1) for i, s in enumerate(sorted(data["state"].unique()))}
    data["id"] = data["state"].map(order)
    panel = SpatialPanel(data.drop(columns=["state"]), id="id", time="year")
    w = read_gal(str(REF / "produc_effects" / "us48_queen_produc.gal")).transform("r")
    return panel, w


def _fit_case(panel, w, case, **kw):
    return fit(panel, w, y="log(gsp)", x=X, model="sdm" if case["durbin"] else "sar", fe=case["fe"],
               dynamic=case["lags"], lee_yu=case["correct"], **kw)


@pytest.mark.parametrize("name", sorted(EXPECTED["produc"]))
def test_produc_matches_the_independent_dense_implementation(produc, name):
    panel, w = produc
    ref = EXPECTED["produc"][name]
    result = _fit_case(panel, w, ref["case"], draws=0)
    estimates = np.array(ref["delta"] + [ref["rho"]])
    # rtol 1e-6 plus atol 1e-7 (the two optimisers locate rho to ~1e-8; coefficients near zero, such as
    # W*log(pcap) = -0.0005, then differ by a few 1e-9 in absolute terms, far below their SE of 0.03)
    np.testing.assert_allclose(result.params.to_numpy(), estimates, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(result.std_errors.to_numpy(), ref["se"][:-1], rtol=1e-4)
    assert result.sigma2 == pytest.approx(ref["sigma2"], rel=1e-6)
    assert result.loglik == pytest.approx(ref["loglik"], rel=1e-8)
    assert result.details["uncorrected"]["rho"] == pytest.approx(ref["uncorrected"]["rho"], rel=1e-6)
    assert result.details["stability"] == pytest.approx(ref["stability"], rel=1e-6)
    for horizon, effects in (("short_run", result.effects), ("long_run", result.long_run_effects)):
        for j, variable in enumerate(X):
            for kind in ("direct", "indirect", "total"):
                assert effects.estimates.at[variable, kind] == pytest.approx(
                    ref["effects"][horizon][j][kind], rel=1e-6, abs=1e-9)


def test_first_period_is_the_initial_condition(produc):
    panel, w = produc
    result = fit(panel, w, y="log(gsp)", x=X, model="sdm", fe="unit", dynamic="both", draws=0)
    assert result.nobs == 48 * 16 and result.n_periods == 16
    assert 1970 not in set(result.residuals.index.get_level_values(1))
    assert result.details["first_period"] == 1970 and result.details["panel_periods"] == 17
    assert result.spec.lee_yu is True  # default on with fixed effects


def test_sdpdmod_agrees_up_to_its_grid_log_determinant(produc):
    """SDPDmod 0.0.6 (sdpdmod.R): its uncorrected coefficients are ours at its rho (to 1e-6); its rho,
    from a log-determinant tabulated on a 0.001 grid, is within 1e-2 of ours, and our exact
    log-likelihood is higher at our rho. Its bias-corrected values are not compared (see README)."""
    from spatial.models._design import build_design
    from spatial.models._dynamic import DynamicProfile, dynamic_data
    from spatial.models._logdet import EigenLogDet
    from spatial.models._weights import weights_matrix

    panel, w = produc
    theirs = json.loads((DYN / "sdpdmod.json").read_text())
    matrix = weights_matrix(w)
    design = build_design(panel, matrix, y="log(gsp)", x=X, wx=None, constant=False, durbin=True, n_spatial=1)
    for fe, key in (("unit", "sdm_both_individual"), ("twoway", "sdm_both_twoways")):
        data = dynamic_data(design, lags="both", fe=fe, bias_correction=True, collinear="error")
        profile = DynamicProfile(data)
        rho_theirs = theirs[key]["uncorrected"][-1]
        np.testing.assert_allclose(profile.delta(rho_theirs), theirs[key]["uncorrected"][:-1], rtol=1e-6, atol=1e-9)
        ours = fit(panel, w, y="log(gsp)", x=X, model="sdm", fe=fe, dynamic="both", draws=0)
        rho_ours = ours.details["uncorrected"]["rho"]
        assert abs(rho_ours - rho_theirs) < 1e-2
        ld = EigenLogDet(matrix)
        assert profile.loglik(rho_ours, ld) > profile.loglik(rho_theirs, ld)


@pytest.fixture(scope="module")
def synthetic():
    arrays = np.load(DYN / "synthetic.npz")
    Y, Xs, W = arrays["Y"], arrays["X"], arrays["W"]
    n, T = Y.shape
    ids = [f"u{i:03d}" for i in range(n)]
    rows = [{"id": ids[i], "t": 2000 + t, "y": Y[i, t], "x1": Xs[i, t, 0], "x2": Xs[i, t, 1]}
            for i in range(n) for t in range(T)]
    frame = pd.DataFrame(rows).sample(frac=1.0, random_state=3)  # shuffled rows: aligned by key
    focal, neighbor = np.nonzero(W)
    graph = Graph.from_arrays([ids[i] for i in focal], [ids[j] for j in neighbor], W[focal, neighbor])
    return SpatialPanel(frame, id="id", time="t"), graph


def test_synthetic_recovers_the_known_dynamic_sdm(synthetic):
    panel, w = synthetic
    ref = EXPECTED["synthetic"]["sdm_both_twoway_corrected"]
    true = EXPECTED["synthetic"]["true"]
    before = panel.data.copy()
    result = fit(panel, w, y="y", x=["x1", "x2"], model="sdm", fe="twoway", dynamic="both", draws=0)
    pd.testing.assert_frame_equal(panel.data, before)  # the input is not mutated
    ids = result.residuals.index.get_level_values(0)
    assert set(ids) == set(panel.entities) and ids[0].startswith("u")  # the original ids, not positions
    np.testing.assert_allclose(result.params.to_numpy(), ref["delta"] + [ref["rho"]], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(result.std_errors.to_numpy(), ref["se"][:-1], rtol=1e-4)
    truth = {"tau": true["tau"], "eta": true["eta"], "x1": true["beta"][0], "x2": true["beta"][1],
             "W*x1": true["theta"][0], "W*x2": true["theta"][1], "rho": true["rho"]}
    z = {k: (result.params[k] - v) / result.std_errors[k] for k, v in truth.items()}
    assert all(abs(v) < 3.0 for v in z.values()), z


def test_effects_inference_contract(produc):
    panel, w = produc
    kw = dict(y="log(gsp)", x=X, model="sdm", fe="twoway", dynamic="both", draws=300, seed=7)
    a, b = fit(panel, w, **kw), fit(panel, w, **kw)
    pd.testing.assert_frame_equal(a.long_run_effects.std_errors, b.long_run_effects.std_errors)
    for eff in (a.effects, a.long_run_effects):
        assert eff.draws == 300 and eff.seed == 7
        total = eff.estimates["direct"] + eff.estimates["indirect"]
        np.testing.assert_allclose(total, eff.estimates["total"], rtol=0, atol=1e-12)
        assert (eff.std_errors.to_numpy() > 0).all()
    units = a.long_run_effects.units("log(emp)")
    assert units["direct"].mean() == pytest.approx(a.long_run_effects.direct["log(emp)"], rel=1e-10)
    data = json.loads(a.to_json())
    assert data["dynamic"] == "both" and data["effects_horizon"] == "short_run"
    assert set(data["long_run_effects"]["unemp"]) == {"direct", "indirect", "total"}
    text = a.summary()
    assert "Long-run effects" in text and "Short-run effects" in text and "tau" in text


def test_nonstationary_estimate_warns_and_reports_no_long_run_effects(produc):
    panel, w = produc
    with pytest.warns(NonStationaryWarning, match="not stationary"):
        result = fit(panel, w, y="log(gsp)", x=X, model="sdm", fe="time", dynamic="both", draws=50)
    assert result.long_run_effects is None and result.details["stability"] > 1
    assert "long-run effects do not exist" in result.details["long_run_effects"]
    assert result.effects is not None


def _small_panel(periods):
    rng = np.random.default_rng(0)
    ids = [f"{i:02d}" for i in range(9)]
    frame = pd.DataFrame([{"id": i, "t": t, "y": rng.normal(), "x": rng.normal()} for i in ids for t in periods])
    focal, neighbor = [], []
    for a in range(9):
        for b in range(9):
            if a != b and abs(a // 3 - b // 3) + abs(a % 3 - b % 3) == 1:
                focal.append(ids[a])
                neighbor.append(ids[b])
    return frame, Graph.from_arrays(focal, neighbor, np.ones(len(focal))).transform("r")


def test_bad_input_is_refused_with_a_clear_message():
    frame, w = _small_panel([2001, 2002])
    panel = SpatialPanel(frame, id="id", time="t")
    with pytest.raises(SpatialPanelError, match="at least 3 periods"):
        fit(panel, w, y="y", x=["x"], model="sar", fe="unit", dynamic="tau")
    frame, w = _small_panel([2001, 2002, 2004, 2005])
    panel = SpatialPanel(frame, id="id", time="t")
    with pytest.raises(SpatialPanelError, match=r"consecutive periods.*2002 -> 2004.*all 9 units"):
        fit(panel, w, y="y", x=["x"], model="sar", fe="unit", dynamic="tau")
    section = SpatialPanel(frame[frame["t"] == 2001].drop(columns="t"), id="id")
    with pytest.raises(SpatialPanelError, match="cross-section"):
        fit(section, w, y="y", x=["x"], model="sar", dynamic="tau")
    with pytest.raises(SpatialPanelError, match="needs the whole panel"):
        fit(panel, w, y="y", x=["x"], model="sar", dynamic="tau", period=2001)
    with pytest.raises(SpatialPanelError, match="lag models sar, sdm"):
        fit(panel, w, y="y", x=["x"], model="sem", fe="unit", dynamic="tau")
    with pytest.raises(SpatialPanelError, match="fixed effects"):
        fit(panel, w, y="y", x=["x"], model="sar", dynamic="tau", lee_yu=True)
    with pytest.raises(SpatialPanelError, match="dynamic"):
        fit(panel, w, y="y", x=["x"], model="sar", dynamic="lag2")


def test_quarterly_periods_are_checked_for_gaps():
    frame, w = _small_panel(["2019-Q1", "2019-Q2", "2019-Q4"])
    panel = SpatialPanel(frame, id="id", time="t")
    with pytest.raises(SpatialPanelError, match="2019-Q2 -> 2019-Q4"):
        fit(panel, w, y="y", x=["x"], model="sar", fe="unit", dynamic="tau")


def test_large_n_path_agrees_with_the_dense_path():
    """Hutchinson traces and the sparse log-determinant (the path above 2000 units) against eigenvalues."""
    from spatial.models import _dynamic_fit

    arrays = np.load(DYN / "synthetic.npz")
    Y, Xs, W = arrays["Y"], arrays["X"], arrays["W"]
    n, T = Y.shape
    ids = [f"u{i:03d}" for i in range(n)]
    frame = pd.DataFrame([{"id": ids[i], "t": t, "y": Y[i, t], "x1": Xs[i, t, 0], "x2": Xs[i, t, 1]}
                          for i in range(n) for t in range(T)])
    focal, neighbor = np.nonzero(W)
    w = Graph.from_arrays([ids[i] for i in focal], [ids[j] for j in neighbor], W[focal, neighbor])
    panel = SpatialPanel(frame, id="id", time="t")
    dense = fit(panel, w, y="y", x=["x1", "x2"], model="sdm", fe="twoway", dynamic="both", draws=0)
    limit = _dynamic_fit.DENSE_LIMIT
    try:
        _dynamic_fit.DENSE_LIMIT = 10
        with warnings.catch_warnings():
            warnings.simplefilter("error", NonStationaryWarning)
            sparse_ = fit(panel, w, y="y", x=["x1", "x2"], model="sdm", fe="twoway", dynamic="both", draws=0,
                          per_unit=False)
    finally:
        _dynamic_fit.DENSE_LIMIT = limit
    assert sparse_.spec.logdet == "lu"
    # the bias correction and information use stochastic traces there (100 probes): a small fraction of a SE
    diff = (sparse_.params - dense.params).abs() / dense.std_errors
    assert diff.max() < 0.05, diff
    np.testing.assert_allclose(sparse_.std_errors, dense.std_errors, rtol=0.02)
    np.testing.assert_allclose(sparse_.long_run_effects.estimates, dense.long_run_effects.estimates, rtol=0.02,
                               atol=1e-3)


def test_delta_method_standard_errors_against_a_dense_gradient(produc):
    """Delta-method SEs of the long-run effects: an independent dense check of one of them."""
    panel, w = produc
    result = fit(panel, w, y="log(gsp)", x=X, model="sdm", fe="twoway", dynamic="both", draws=0)
    assert result.long_run_effects.inference == "delta"
    from spatial.models._weights import weights_matrix

    Wd = weights_matrix(w).matrix.toarray()
    n = Wd.shape[0]
    names = list(result.params.index)
    theta0 = result.params.to_numpy()

    def total_lr(v):
        p = dict(zip(names, v, strict=True))
        M = np.linalg.inv((1 - p["tau"]) * np.eye(n) - (p["rho"] + p["eta"]) * Wd)
        return (M @ (p["log(emp)"] * np.eye(n) + p["W*log(emp)"] * Wd)).sum() / n

    grad = np.array([(total_lr(theta0 + h) - total_lr(theta0 - h)) / (2e-6)
                     for h in np.eye(len(names)) * 1e-6])
    se = float(np.sqrt(grad @ result.cov.to_numpy() @ grad))
    assert result.long_run_effects.std_errors.at["log(emp)", "total"] == pytest.approx(se, rel=1e-4)


def test_time_effects_transformation_refuses_islands_and_unstandardised_weights():
    frame, w = _small_panel([2001, 2002, 2003, 2004])
    frame = pd.concat([frame, pd.DataFrame([{"id": "zz", "t": t, "y": 0.3 * t, "x": 1.0 / t}
                                            for t in [2001, 2002, 2003, 2004]])])
    focal, neighbor, weight = w.adjacency.index.get_level_values(0), w.adjacency.index.get_level_values(1), w.adjacency
    island = Graph.from_arrays(list(focal) + ["zz"], list(neighbor) + ["zz"], list(weight) + [0.0])
    panel = SpatialPanel(frame, id="id", time="t")
    with pytest.raises(SpatialPanelError, match="1 islands.*zz"):
        fit(panel, island, y="y", x=["x"], model="sar", fe="twoway", dynamic="tau", allow_islands=True)
    binary = Graph.from_arrays(list(focal), list(neighbor), np.ones(len(focal)))
    small = SpatialPanel(frame[frame["id"] != "zz"], id="id", time="t")
    with pytest.raises(SpatialPanelError, match="not row-standardised"):
        fit(small, binary, y="y", x=["x"], model="sar", fe="time", dynamic="tau")
    result = fit(small, binary, y="y", x=["x"], model="sar", fe="unit", dynamic="tau", draws=0)  # any W with unit FE
    assert result.spec.lee_yu and result.details["corrected"] in (True, False)


def test_information_standard_errors_agree_with_the_numerical_observed_hessian(produc):
    """A second path: SEs from the inverse numerical Hessian of the full log-likelihood (observed
    information) at the ML estimate. Expected and observed information differ in finite samples:
    within 10 percent on Produc (largest gap: rho, 0.0255 vs 0.0234)."""
    from spatial.models._design import build_design
    from spatial.models._dynamic import dynamic_data
    from spatial.models._logdet import EigenLogDet
    from spatial.models._weights import weights_matrix

    panel, w = produc
    result = fit(panel, w, y="log(gsp)", x=X, model="sdm", fe="unit", dynamic="both", lee_yu=False, draws=0)
    matrix = weights_matrix(w)
    design = build_design(panel, matrix, y="log(gsp)", x=X, wx=None, constant=False, durbin=True, n_spatial=1)
    data = dynamic_data(design, lags="both", fe="unit", bias_correction=False, collinear="error")
    ld = EigenLogDet(matrix)

    def loglik(v):
        e = data.y - v[-2] * data.Wy - data.Z @ v[:-2]
        return data.n_periods * ld(v[-2]) - data.nobs / 2 * np.log(2 * np.pi * v[-1]) - e @ e / (2 * v[-1])

    v0 = np.concatenate([result.params.to_numpy(), [result.sigma2]])
    k = len(v0)
    h = np.maximum(np.abs(v0), 1.0) * 1e-5
    h[-1] = 1e-8
    H = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            a, b = np.eye(k)[i] * h[i], np.eye(k)[j] * h[j]
            H[i, j] = (loglik(v0 + a + b) - loglik(v0 + a - b) - loglik(v0 - a + b) + loglik(v0 - a - b)) / (4 * h[i] * h[j])
    observed = np.sqrt(np.diag(np.linalg.inv(-H)))[:-1]
    np.testing.assert_allclose(result.std_errors.to_numpy(), observed, rtol=0.1)


def test_the_family_check_refuses_before_any_data_are_read():
    from spatial.models.catalog import model_info
    from spatial.models.families import FitOptions, family_for

    family = family_for(model_info("sem"), FitOptions(dynamic="tau", fe="unit"))
    assert family.name == "dynamic"
    with pytest.raises(SpatialPanelError, match="lag models sar, sdm"):
        family.check(model_info("sem"), FitOptions(dynamic="tau", fe="unit"))
    with pytest.raises(SpatialPanelError, match="information matrix"):
        family.check(model_info("sdm"), FitOptions(dynamic="tau", fe="unit", cov="cluster"))
