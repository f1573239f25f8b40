"""Contract tests for every estimator (DESIGN convention 13) and the Result object."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from libpysal.graph import Graph

from spatial import SpatialPanel
from spatial.models import Result, fit

MODELS = ["ols", "slx", "sar", "sem", "sdm", "sdem", "sac"]
NAMES = ["北京", "天津", "河北", "山西", "<b>内蒙古</b>", "辽宁", "吉林", "0101", "0102", "0103", "x&y", "z"]


def _ring_panel(seed: int = 0):
    """12 units on a ring of 2 neighbours each side, text ids (Chinese, markup, leading zeros)."""
    rng = np.random.default_rng(seed)
    n = len(NAMES)
    focal, neighbor = [], []
    for i in range(n):
        for step in (-2, -1, 1, 2):
            focal.append(NAMES[i])
            neighbor.append(NAMES[(i + step) % n])
    graph = Graph.from_arrays(focal, neighbor, np.ones(len(focal))).transform("r")
    W = np.asarray(graph.sparse.toarray())
    x1, x2 = rng.standard_normal(n), rng.standard_normal(n)
    y = np.linalg.solve(np.eye(n) - 0.3 * W, 1 + x1 - 0.5 * x2 + rng.standard_normal(n) * 0.5)
    order = [str(i) for i in graph.unique_ids]
    frame = pd.DataFrame({"region": order, "y": y, "x1": x1, "x2": x2 + 3})
    return frame, graph


@pytest.fixture(scope="module")
def ring():
    return _ring_panel()


def _fit(frame, graph, model, **kwargs):
    panel = SpatialPanel(frame, id="region")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit(panel, graph, y="y", x=["x1", "log(x2)"], model=model, **{"draws": 200, "seed": 5, **kwargs})


@pytest.mark.parametrize("model", MODELS)
def test_inputs_are_not_mutated(ring, model):
    frame, graph = ring
    before_frame, before_adjacency = frame.copy(deep=True), graph.adjacency.copy()
    panel = SpatialPanel(frame, id="region")
    before_panel = panel.data.copy(deep=True)
    fit(panel, graph, y="y", x=["x1", "log(x2)"], model=model, draws=50)
    pd.testing.assert_frame_equal(frame, before_frame)
    pd.testing.assert_series_equal(graph.adjacency, before_adjacency)
    pd.testing.assert_frame_equal(panel.data, before_panel)


@pytest.mark.parametrize("model", MODELS)
def test_outputs_are_indexed_by_the_original_ids(ring, model):
    frame, graph = ring
    r = _fit(frame, graph, model)
    assert set(r.residuals.index.get_level_values(0)) == set(NAMES)
    assert r.residuals.loc["0101"].shape == (1,)
    assert (r.fitted + r.residuals).loc["北京"].iloc[0] == pytest.approx(frame.set_index("region").at["北京", "y"])
    if r.effects is not None and r.effects.per_unit is not None:
        assert set(r.effects.per_unit.index) == set(NAMES)


@pytest.mark.parametrize("model", MODELS)
def test_summary_renders_and_escapes(ring, model):
    frame, graph = ring
    r = _fit(frame, graph, model)
    text = r.summary()
    assert "log(x2)" in text and "Log-likelihood" in text
    html = r.summary("html")
    assert "<script" not in html and "<b>" not in html
    latex = r.summary("latex")
    assert r"\begin{tabular}" in latex
    frame_ = r.to_frame()
    assert list(frame_["parameter"]) == list(r.params.index)
    data = json.loads(r.to_json())
    for key in ("model", "nobs", "params", "sigma2", "loglik", "aic", "effects", "tests"):
        assert key in data
    assert set(data["params"]["x1"]) == {"estimate", "std_error", "z", "p_value"}


@pytest.mark.parametrize("model", ["slx", "sar", "sdm", "sdem", "sac"])
def test_direct_plus_indirect_is_total(ring, model):
    frame, graph = ring
    eff = _fit(frame, graph, model).effects
    np.testing.assert_allclose(eff.direct + eff.indirect, eff.total, rtol=0, atol=1e-12)


@pytest.mark.parametrize("model", ["sar", "sdm", "sac"])
def test_same_seed_same_result(ring, model):
    frame, graph = ring
    a, b = _fit(frame, graph, model), _fit(frame, graph, model)
    pd.testing.assert_frame_equal(a.effects.std_errors, b.effects.std_errors)
    assert a.effects.seed == 5 and a.effects.draws == 200
    c = _fit(frame, graph, model, seed=6)
    assert not np.allclose(a.effects.std_errors.to_numpy(), c.effects.std_errors.to_numpy(), rtol=1e-12)


@pytest.mark.parametrize("model", MODELS)
def test_shuffled_rows_give_the_same_estimates(ring, model):
    frame, graph = ring
    shuffled = frame.sample(frac=1.0, random_state=3).reset_index(drop=True)
    a, b = _fit(frame, graph, model), _fit(shuffled, graph, model)
    pd.testing.assert_series_equal(a.params, b.params, rtol=1e-10)
    pd.testing.assert_series_equal(a.std_errors, b.std_errors, rtol=1e-8)
    assert a.loglik == pytest.approx(b.loglik, rel=1e-12)


def test_result_is_frozen(ring):
    frame, graph = ring
    r = _fit(frame, graph, "sar")
    assert isinstance(r, Result)
    with pytest.raises(AttributeError):
        r.loglik = 0.0  # type: ignore[misc]


def test_pooled_panel_uses_every_period():
    from tests.spatial.models.synthetic import synthetic_panel

    frame, graph = synthetic_panel(7, rho=0.4, seed=9, periods=4)
    panel = SpatialPanel(frame, id="id", time="t")
    r = fit(panel, graph, y="y", x=["x1", "x2"], model="sar", draws=0)
    assert (r.nobs, r.n_units, r.n_periods) == (196, 49, 4)
    assert r.params["rho"] == pytest.approx(0.4, abs=0.15)
    one = fit(panel, graph, y="y", x=["x1", "x2"], model="sar", period=2, draws=0)
    assert (one.nobs, one.n_periods) == (49, 1)


def test_log_terms_and_conf_int(ring):
    frame, graph = ring
    r = _fit(frame, graph, "sar")
    ci = r.conf_int()
    assert (ci["lower"] < r.params).all() and (r.params < ci["upper"]).all()
    assert math.isfinite(r.pseudo_r2) and 0 < r.r2 < 1
