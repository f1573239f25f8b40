"""Panels at scale (no nT x nT matrix) and a simulation on the China provinces W."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from spatial import SpatialPanel
from spatial.models import fit


def grid_graph(side: int):
    from libpysal.graph import Graph

    ids = np.arange(side * side).reshape(side, side)
    pairs = [(ids[:, :-1], ids[:, 1:]), (ids[:-1, :], ids[1:, :])]
    focal = np.concatenate([np.concatenate([a.ravel(), b.ravel()]) for a, b in pairs])
    neighbor = np.concatenate([np.concatenate([b.ravel(), a.ravel()]) for a, b in pairs])
    names = np.array([f"u{i:05d}" for i in range(side * side)], dtype=object)
    return Graph.from_arrays(names[focal], names[neighbor], np.ones(len(focal))).transform("r")


def simulate_sdm(W: sparse.csr_matrix, ids, T: int, *, rho: float, beta, theta, seed: int) -> pd.DataFrame:
    """y_t = (I - rho W)^-1 (X_t b + W X_t t + mu + gamma_t + e_t): a two-way FE SDM."""
    from scipy.sparse import linalg as sla

    n = W.shape[0]
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, T, len(beta)))
    mu = rng.normal(size=n)
    gamma = rng.normal(size=T)
    lu = sla.splu(sparse.csc_matrix(sparse.identity(n) - rho * W))
    y = np.empty((n, T))
    for t in range(T):
        xt = X[:, t, :]
        y[:, t] = lu.solve(xt @ beta + (W @ xt) @ theta + mu + gamma[t] + rng.normal(scale=0.5, size=n))
    frame = pd.DataFrame({"id": np.repeat(ids, T), "year": np.tile(np.arange(2000, 2000 + T), n), "y": y.ravel()})
    for k in range(len(beta)):
        frame[f"x{k + 1}"] = X[:, :, k].ravel()
    return frame


def test_large_panel_runs_on_the_sparse_path_without_kronecker():
    """n = 3,600 x T = 10: a dense nT x nT matrix would take 10 GB; the fit stays sparse."""
    graph = grid_graph(60)
    ids = [str(i) for i in graph.unique_ids]
    W = sparse.csr_matrix(graph.sparse)
    frame = simulate_sdm(W, ids, 10, rho=0.5, beta=np.array([1.0, -0.5]), theta=np.array([0.3, 0.0]), seed=4)
    panel = SpatialPanel(frame, id="id", time="year")
    result = fit(panel, graph, y="y", x=["x1", "x2"], model="sdm", fe="twoway", draws=100, seed=1)
    assert result.details["logdet"] == "lu" and result.effects.method in ("lu", "traces")
    assert result.effects.per_unit is None  # per-unit effects are dense: off above 2000 units
    assert abs(result.rho - 0.5) < 4 * result.std_errors["rho"]
    np.testing.assert_allclose(result.effects.direct + result.effects.indirect, result.effects.total, atol=1e-12)


def test_two_way_sdm_recovers_parameters_on_china_provinces():
    """Data from a known two-way FE SDM on the China provinces W (Hainan connected), T = 15."""
    import weights
    from spatial import datasets

    provinces = datasets.load("china_provinces")
    provinces = provinces[provinces["mainland"]].reset_index(drop=True)
    built = weights.build(provinces, kind="queen", id="adcode", islands="connect", transform="row")
    graph = built.graph
    ids = [str(i) for i in graph.unique_ids]
    assert len(ids) == 31 and graph.cardinalities.min() > 0  # Hainan linked to its nearest province
    W = sparse.csr_matrix(graph.sparse)
    truth = {"rho": 0.4, "x1": 1.0, "x2": -0.5, "W*x1": 0.3, "W*x2": 0.2}
    frame = simulate_sdm(W, ids, 15, rho=truth["rho"], beta=np.array([1.0, -0.5]), theta=np.array([0.3, 0.2]),
                         seed=2024)
    panel = SpatialPanel(frame.sample(frac=1, random_state=1), id="id", time="year")
    result = fit(panel, graph, y="y", x=["x1", "x2"], model="sdm", fe="twoway", lee_yu=True, draws=200, seed=5)
    for name, value in truth.items():
        assert abs(result.params[name] - value) < 3 * result.std_errors[name], name
    assert result.fixed_effects["unit"].shape == (31, 3) and result.fixed_effects["time"].shape == (15, 3)


@pytest.mark.parametrize("fe", ["unit", "time", "twoway"])
def test_every_fixed_effect_with_every_model_converges(fe):
    graph = grid_graph(7)
    ids = [str(i) for i in graph.unique_ids]
    frame = simulate_sdm(sparse.csr_matrix(graph.sparse), ids, 6, rho=0.3, beta=np.array([1.0, 0.5]),
                         theta=np.array([0.2, -0.2]), seed=9)
    panel = SpatialPanel(frame, id="id", time="year")
    for model in ("ols", "slx", "sar", "sem", "sdm", "sdem"):
        result = fit(panel, graph, y="y", x=["x1", "x2"], model=model, fe=fe, draws=20, seed=1)
        assert result.converged and result.spec.fe == fe and np.all(np.isfinite(result.std_errors)), model
        if result.effects is not None:
            np.testing.assert_allclose(result.effects.direct + result.effects.indirect, result.effects.total,
                                       atol=1e-12)
    sac = fit(panel, graph, y="y", x=["x1", "x2"], model="sac", fe="unit", draws=0) if fe == "unit" else None
    assert sac is None or sac.converged
