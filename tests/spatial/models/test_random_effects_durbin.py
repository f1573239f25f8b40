"""Random-effects SDM and SDEM (issue 15 item 7), checked as RE SAR and SEM are: against an
independent brute-force maximisation of the dense nT-dimensional Gaussian likelihood (with W X
stacked into the regressors by Kronecker products, not by our design code), and against the pooled
SDM in the limit without between-unit variation."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from spatial import SpatialPanel
from spatial.errors import BoundaryWarning
from spatial.models import fit
from tests.spatial.models.test_panel_random import dense_loglik, lattice, random_effects_panel


@pytest.mark.parametrize("model,base", [("sdm", "sar"), ("sdem", "sem")])
def test_random_effects_durbin_maximise_the_dense_likelihood(model, base):
    T = 5
    panel, w = random_effects_panel(base, T=T)
    result = fit(panel, w, y="y", x=["x1", "x2"], model=model, random_effects=True, draws=50, seed=2)
    data = panel.align([str(i) for i in w.unique_ids]).data
    W = w.sparse.toarray()
    lag = np.kron(W, np.eye(T))  # unit-major stacking: W applies within each period
    x = data[["x1", "x2"]].to_numpy()
    y = data["y"].to_numpy()
    X = np.column_stack([np.ones(len(y)), x, lag @ x])
    names = ["const", "x1", "x2", "W*x1", "W*x2"]
    assert list(result.params.index[:5]) == names
    spatial = "rho" if base == "sar" else "lambda"
    beta = result.params[names].to_numpy()
    phi = result.params["phi"]

    def negative(v):
        return -dense_loglik(base, y, X, W, T, v[:5], v[5], np.exp(v[6]), np.exp(v[7]))

    start = np.concatenate([beta, [result.params[spatial], np.log(phi), np.log(result.sigma2)]])
    assert -negative(start) == pytest.approx(result.loglik, rel=1e-10)
    best = optimize.minimize(negative, start + 0.03, method="BFGS", options={"gtol": 1e-9})
    assert -best.fun <= result.loglik + 1e-7
    np.testing.assert_allclose(best.x, start, atol=3e-4)
    assert np.all(np.isfinite(result.std_errors))
    effects = result.effects
    assert effects is not None and set(effects.variables) == {"x1", "x2"}
    np.testing.assert_allclose(effects.direct + effects.indirect, effects.total, atol=1e-12)
    if model == "sdem":  # effects are the coefficients themselves
        assert effects.indirect["x1"] == pytest.approx(result.params["W*x1"], rel=1e-12)
    data = json.loads(result.to_json())
    assert data["random_effects"] is True and data["spec"]["wx"] == ["x1", "x2"]


def test_random_effects_sdm_pooled_limit():
    w = lattice(5)
    W = w.sparse.toarray()
    rng = np.random.default_rng(4)
    x1, eps = rng.normal(size=(2, 25, 4))
    eps -= eps.mean(axis=1, keepdims=True)  # no between-unit variation: phi -> 0
    y = np.linalg.solve(np.eye(25) - 0.3 * W, 1.0 + 2.0 * x1 + 0.8 * (W @ x1) + eps)
    ids = [str(i) for i in w.unique_ids]
    frame = pd.DataFrame({"id": np.repeat(ids, 4), "year": np.tile(np.arange(4), 25), "y": y.ravel(),
                          "x1": x1.ravel()})
    flat = SpatialPanel(frame, id="id", time="year")
    with pytest.warns(BoundaryWarning, match="phi"):
        random = fit(flat, w, y="y", x=["x1"], model="sdm", random_effects=True, draws=0)
    pooled = fit(flat, w, y="y", x=["x1"], model="sdm", draws=0)
    assert random.params["phi"] < 1e-8
    np.testing.assert_allclose(random.params[pooled.params.index], pooled.params, rtol=1e-5, atol=1e-7)
    assert random.loglik == pytest.approx(pooled.loglik, rel=1e-8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        chosen = fit(flat, w, y="y", x=["x1"], model="sdm", random_effects=True, wx=[], draws=0)
    assert "W*x1" not in chosen.params.index
