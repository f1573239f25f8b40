"""OLS regression diagnostics against spreg (issue 15 item 6): F, Jarque-Bera, Breusch-Pagan,
Koenker-Bassett, White, condition number and VIF on Columbus and Baltimore. Reference values:
tests/reference/ols_diagnostics/expected.json from make_fixture.py (spreg 1.9.0)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from libpysal.graph import Graph, read_gal

from spatial import SpatialPanel
from spatial.models import fit

REF = Path(__file__).resolve().parents[2] / "reference"
EXPECTED = json.loads((REF / "ols_diagnostics" / "expected.json").read_text(encoding="utf-8"))


def _baltimore_knn():
    data = pd.read_csv(REF / "ols_diagnostics" / "baltimore.csv")
    ids = data["STATION"].astype(str).to_numpy()
    return data, Graph.from_arrays(ids, np.roll(ids, 1), np.ones(len(ids))).transform("r")  # any W: not used


@pytest.fixture(scope="module")
def fits():
    out = {}
    columbus = pd.read_csv(REF / "columbus_models" / "columbus.csv")
    w = read_gal(str(REF / "columbus_models" / "columbus_queen.gal")).transform("r")
    spec = EXPECTED["columbus"]
    out["columbus"] = fit(SpatialPanel(columbus, id="POLYID", variables=[spec["y"], *spec["x"]]), w,
                          y=spec["y"], x=spec["x"], model="ols")
    data, ring = _baltimore_knn()
    spec = EXPECTED["baltimore"]
    out["baltimore"] = fit(SpatialPanel(data, id="STATION", variables=[spec["y"], *spec["x"]]), ring,
                           y=spec["y"], x=spec["x"], model="ols")
    return out


@pytest.mark.parametrize("case", ["columbus", "baltimore"])
@pytest.mark.parametrize("key,ours", [("jarque_bera", "jarque_bera"), ("breusch_pagan", "breusch_pagan"),
                                      ("koenker_bassett", "koenker_bassett"), ("white", "white")])
def test_chi2_diagnostics_match_spreg(fits, case, key, ours):
    statistic, df = EXPECTED[case][key]
    test = fits[case].diagnostics[ours]
    assert test.statistic == pytest.approx(statistic, rel=1e-6)
    assert test.df == df


@pytest.mark.parametrize("case", ["columbus", "baltimore"])
def test_f_condition_number_and_vif_match_spreg(fits, case):
    ref = EXPECTED[case]
    r = fits[case]
    assert r.diagnostics["f_test"].statistic == pytest.approx(ref["f"][0], rel=1e-6)
    assert r.diagnostics["f_test"].p_value == pytest.approx(ref["f"][1], rel=1e-5)
    assert r.details["condition_number"] == pytest.approx(ref["condition_number"], rel=1e-6)
    for name, value in ref["vif"].items():
        assert r.details["vif"][name] == pytest.approx(value, rel=1e-6)
    data = json.loads(r.to_json())
    assert set(data["diagnostics"]) == {"f_test", "jarque_bera", "breusch_pagan", "koenker_bassett", "white"}
    assert "Regression diagnostics" in r.summary() and "Condition number" in r.summary()


def test_no_diagnostics_without_a_constant_or_for_ml_models(fits):
    columbus = pd.read_csv(REF / "columbus_models" / "columbus.csv")
    w = read_gal(str(REF / "columbus_models" / "columbus_queen.gal")).transform("r")
    panel = SpatialPanel(columbus, id="POLYID", variables=["CRIME", "INC", "HOVAL"])
    assert fit(panel, w, y="CRIME", x=["INC", "HOVAL"], model="ols", constant=False).diagnostics == {}
    assert fit(panel, w, y="CRIME", x=["INC", "HOVAL"], model="sar", draws=0).diagnostics == {}
