"""Random-effects SAR and SEM against a brute-force dense likelihood; Hausman; model selection; subgroups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from libpysal.graph import Graph
from scipy import linalg, optimize

from spatial import SpatialPanel
from spatial.models import fit, fit_by_group, hausman_fe_re, select


def lattice(side: int) -> Graph:
    """Rook contiguity on a side x side grid, ids with leading zeros, row-standardised."""
    focal, neighbor = [], []
    for r in range(side):
        for c in range(side):
            for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                if 0 <= r + dr < side and 0 <= c + dc < side:
                    focal.append(f"{r * side + c:03d}")
                    neighbor.append(f"{(r + dr) * side + c + dc:03d}")
    return Graph.from_arrays(focal, neighbor, np.ones(len(focal))).transform("r")


def random_effects_panel(model: str, *, side: int = 4, T: int = 5, seed: int = 0):
    w = lattice(side)
    ids = [str(i) for i in w.unique_ids]
    n = len(ids)
    W = w.sparse.toarray()
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=(n, T)), rng.normal(size=(n, T))
    mu = rng.normal(scale=0.8, size=(n, 1))
    eps = rng.normal(scale=0.5, size=(n, T))
    if model == "sar":
        y = np.linalg.solve(np.eye(n) - 0.4 * W, 1.0 + 2.0 * x1 - x2 + mu + eps)
    else:
        y = 1.0 + 2.0 * x1 - x2 + mu + np.linalg.solve(np.eye(n) - 0.5 * W, eps)
    frame = pd.DataFrame({"id": np.repeat(ids, T), "year": np.tile(np.arange(2000, 2000 + T), n),
                          "y": y.ravel(), "x1": x1.ravel(), "x2": x2.ravel()})
    return SpatialPanel(frame, id="id", time="year"), w


def dense_loglik(model, y, X, W, T, beta, spatial, phi, sigma2):
    """The Gaussian log-likelihood with the full nT x nT covariance (unit-major stacking)."""
    n = W.shape[0]
    NT = n * T
    Wf = np.kron(W, np.eye(T))
    J = np.kron(np.eye(n), np.ones((T, T)))
    if model == "sar":
        A = np.eye(NT) - spatial * Wf
        r = A @ y - X @ beta
        omega = sigma2 * (np.eye(NT) + phi * J)
        jac = np.linalg.slogdet(A)[1]
    else:
        B = np.eye(n) - spatial * W
        r = y - X @ beta
        omega = sigma2 * (phi * J + np.kron(np.linalg.inv(B.T @ B), np.eye(T)))
        jac = 0.0
    chol = linalg.cho_factor(omega)
    return (jac - 0.5 * NT * np.log(2 * np.pi) - np.sum(np.log(np.diag(chol[0])))
            - 0.5 * float(r @ linalg.cho_solve(chol, r)))


@pytest.mark.parametrize("model", ["sar", "sem"])
def test_random_effects_maximise_the_dense_likelihood(model):
    panel, w = random_effects_panel(model)
    result = fit(panel, w, y="y", x=["x1", "x2"], model=model, random_effects=True, draws=0)
    data = panel.align([str(i) for i in w.unique_ids]).data
    y = data["y"].to_numpy()
    X = np.column_stack([np.ones(len(y)), data["x1"], data["x2"]])
    W = w.sparse.toarray()
    spatial = "rho" if model == "sar" else "lambda"
    beta = result.params[["const", "x1", "x2"]].to_numpy()
    phi = result.params["phi"]

    def negative(v):
        return -dense_loglik(model, y, X, W, 5, v[:3], v[3], np.exp(v[4]), np.exp(v[5]))

    start = np.concatenate([beta, [result.params[spatial], np.log(phi), np.log(result.sigma2)]])
    assert -negative(start) == pytest.approx(result.loglik, rel=1e-10)  # same likelihood, computed densely
    best = optimize.minimize(negative, start + 0.05, method="BFGS", options={"gtol": 1e-9})
    assert -best.fun <= result.loglik + 1e-7  # nothing better exists nearby
    np.testing.assert_allclose(best.x, start, atol=2e-4)
    assert result.spec.random_effects and result.details["theta"] == pytest.approx(1 / np.sqrt(1 + 5 * phi))
    assert np.all(np.isfinite(result.std_errors))


def test_random_effects_pooled_limit():
    """Without between-unit variation phi sits at 0 (flagged) and the fit is the pooled SAR."""
    from spatial.errors import BoundaryWarning

    w = lattice(5)
    W = w.sparse.toarray()
    rng = np.random.default_rng(3)
    x1, x2, eps = rng.normal(size=(3, 25, 4))
    eps -= eps.mean(axis=1, keepdims=True)  # errors without any between-unit variation
    y = np.linalg.solve(np.eye(25) - 0.4 * W, 1.0 + 2.0 * x1 - x2 + eps)
    ids = [str(i) for i in w.unique_ids]
    frame = pd.DataFrame({"id": np.repeat(ids, 4), "year": np.tile(np.arange(4), 25), "y": y.ravel(),
                          "x1": x1.ravel(), "x2": x2.ravel()})
    flat = SpatialPanel(frame, id="id", time="year")
    with pytest.warns(BoundaryWarning, match="phi"):
        random = fit(flat, w, y="y", x=["x1", "x2"], model="sar", random_effects=True, draws=0)
    pooled = fit(flat, w, y="y", x=["x1", "x2"], model="sar", draws=0)
    assert random.at_boundary and random.params["phi"] < 1e-8
    np.testing.assert_allclose(random.params[pooled.params.index], pooled.params, rtol=1e-5, atol=1e-7)
    assert random.loglik == pytest.approx(pooled.loglik, rel=1e-8)


def test_hausman_statistic_and_undefined_case():
    from dataclasses import replace

    panel, w = random_effects_panel("sem", side=6, T=6, seed=5)
    fe = fit(panel, w, y="y", x=["x1", "x2"], model="sem", fe="unit", lee_yu=True, draws=0)
    re = fit(panel, w, y="y", x=["x1", "x2"], model="sem", random_effects=True, draws=0)
    names = ["x1", "x2", "lambda"]
    inflated = replace(fe, cov=fe.cov * 4.0)  # a V_FE - V_RE that is positive definite
    test = hausman_fe_re(inflated, re)
    d = fe.params[names].to_numpy() - re.params[names].to_numpy()
    V = inflated.cov.loc[names, names].to_numpy() - re.cov.loc[names, names].to_numpy()
    assert test.df == 3 and test.statistic == pytest.approx(float(d @ np.linalg.solve(V, d)), rel=1e-10)
    shrunk = replace(fe, cov=fe.cov * 0.25)  # V_FE - V_RE negative definite: no statistic, said plainly
    undefined = hausman_fe_re(shrunk, re)
    assert np.isnan(undefined.statistic) and "not positive definite" in undefined.note


def test_selection_on_produc(produc, us_states):
    panel = SpatialPanel(produc, id="fips", time="year", geometry=us_states)
    w = Graph.build_contiguity(us_states.set_index("fips"), rook=False).transform("r")
    choice = select(panel, w, y="log(gsp)", x=["log(pcap)", "log(pc)", "log(emp)", "unemp"])
    assert (choice.model, choice.fe, choice.random_effects) == ("sdm", "twoway", False)
    assert choice.recommendation == "SDM with two-way (unit and time) fixed effects"
    table = choice.table
    assert list(table.columns) == ["step", "model", "test", "statistic", "df", "p_value", "decision"]
    lr = table.loc[table["test"] == "LR SDM vs SAR (theta = 0)", "statistic"].item()
    sdm, sar = choice.results["sdm_twoway"], choice.results["sar_twoway"]
    assert lr == pytest.approx(2 * (sdm.loglik - sar.loglik), rel=1e-12)
    assert "Recommended: SDM" in choice.summary()
    assert choice.to_dict()["table"][0]["df"] == 47.0


def test_subgroups_restrict_w_and_report_islands():
    from spatial import datasets

    provinces = datasets.load("china_provinces")
    provinces = provinces[provinces["mainland"]].copy()
    ids = provinces["adcode"].astype(str).tolist()
    rng = np.random.default_rng(11)
    T = 6
    frame = pd.DataFrame({"adcode": np.repeat(ids, T), "year": np.tile(np.arange(T), len(ids)),
                          "x": rng.normal(size=len(ids) * T)})
    frame["y"] = 1.5 * frame["x"] + rng.normal(scale=0.3, size=len(frame))
    panel = SpatialPanel(frame, id="adcode", time="year", geometry=provinces[["adcode", "region", "geometry"]])
    w = Graph.build_contiguity(panel.geometry, rook=False).transform("r")
    by = fit_by_group(panel, w, group="region", y="y", x=["x"], model="sar", fe="unit", draws=0)
    assert sorted(by.results) == sorted(provinces["region"].unique())
    assert sum(len(u) for u in by.units.values()) == len(ids)
    hainan = "460000"
    assert hainan in by.islands["East"]  # Hainan has no land neighbour in the East group
    for result in by.results.values():
        assert abs(result.params["x"] - 1.5) < 0.2
    assert "islands kept: '460000'" in by.summary()
    with pytest.raises(Exception, match="no neighbour inside the group"):
        fit_by_group(panel, w, group="region", y="y", x=["x"], model="sar", fe="unit", islands="error")
