"""The Hausman test that always answers (issue 15 item 5): Mundlak's regression-based version.

References: on Produc the classic spatial Hausman statistic is undefined (V_FE - V_RE not
positive definite) for SAR and SEM, while the Mundlak version gives a number with df 4; in the
SEM the within coefficients of the Mundlak-augmented random-effects model equal the fixed-effects
estimates (the linear-model identity of Mundlak 1978) to 2e-3; on simulated panels the test
rejects when the unit effects are correlated with x and not when they are independent."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from libpysal.graph import Graph

from spatial import SpatialPanel
from spatial.errors import SpatialPanelError
from spatial.models import fit, hausman_fe_re, mundlak_test, select
from tests.spatial.models.test_panel_random import lattice

X = ["log(pcap)", "log(pc)", "log(emp)", "unemp"]


@pytest.fixture(scope="module")
def produc_inputs(produc, us_states):
    panel = SpatialPanel(produc, id="fips", time="year", geometry=us_states)
    return panel, Graph.build_contiguity(us_states.set_index("fips"), rook=False).transform("r")


@pytest.mark.parametrize("model", ["sar", "sem"])
def test_mundlak_answers_where_the_classic_test_is_undefined(produc_inputs, model):
    panel, w = produc_inputs
    fixed = fit(panel, w, y="log(gsp)", x=X, model=model, fe="unit", lee_yu=True, draws=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        random = fit(panel, w, y="log(gsp)", x=X, model=model, random_effects=True, draws=0)
    assert np.isnan(hausman_fe_re(fixed, random).statistic)
    test, augmented = mundlak_test(panel, w, y="log(gsp)", x=X, model=model)
    assert np.isfinite(test.statistic) and test.df == 4.0 and 0 <= test.p_value < 0.01
    assert "Mundlak (1978)" in test.note and "df 4" in test.note
    if model == "sem":
        for name in X:
            assert augmented.params[name] == pytest.approx(fixed.params[name], abs=2e-3)


def _panel(correlated: bool, seed: int):
    w = lattice(7)
    ids = [str(i) for i in w.unique_ids]
    n, T = len(ids), 6
    rng = np.random.default_rng(seed)
    mu = rng.normal(size=n)
    x = rng.normal(size=(n, T)) + (1.5 * mu[:, None] if correlated else 0.0)
    W = w.sparse.toarray()
    y = np.linalg.solve(np.eye(n) - 0.3 * W, 1.0 + x + mu[:, None] + 0.5 * rng.normal(size=(n, T)))
    frame = pd.DataFrame({"id": np.repeat(ids, T), "t": np.tile(np.arange(T), n), "y": y.ravel(),
                          "x": x.ravel(), "z": np.repeat(rng.normal(size=n), T)})
    return SpatialPanel(frame, id="id", time="t"), w


def test_mundlak_rejects_correlated_effects_only():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bad, _ = mundlak_test(*_panel(True, 1), y="y", x=["x", "z"], model="sar")
        good, _ = mundlak_test(*_panel(False, 1), y="y", x=["x", "z"], model="sar")
    assert bad.df == 1.0  # z is time-invariant: only the mean of x enters
    assert bad.p_value < 1e-6 and good.p_value > 0.05


def test_mundlak_needs_a_time_varying_regressor():
    panel, w = _panel(False, 2)
    with pytest.raises(SpatialPanelError, match="varies over time within units; none of z does"):
        mundlak_test(panel, w, y="y", x=["z"], model="sar")


def test_selection_reports_which_version_decided(produc_inputs):
    panel, w = produc_inputs
    choice = select(panel, w, y="log(gsp)", x=X)
    table = choice.table.set_index("model")
    row = table.loc["SAR RE + unit means"]
    assert row["test"].startswith("Hausman, Mundlak version") and row["df"] == 4.0 and np.isfinite(row["statistic"])
    assert row["decision"] == "reject random effects: fixed effects"
    assert any("Mundlak (regression-based), the classic one being undefined" in r for r in choice.reasons)
