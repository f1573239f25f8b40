"""Bayesian model comparison against an independent implementation and R SDPDmod (tests/reference/bayes_comparison)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from libpysal.graph import read_gal

from spatial import SpatialPanel
from spatial.errors import SpatialPanelError
from spatial.models import compare_bayes

REF = Path(__file__).resolve().parents[2] / "reference"
BAYES = REF / "bayes_comparison"
MODELS = ["ols", "slx", "sar", "sdm", "sem", "sdem"]
PRODUC_X = ["log(pcap)", "log(pc)", "log(emp)", "unemp"]
SDPDMOD_FE = {"none": "none", "unit": "individual", "time": "time", "twoway": "twoways"}


@pytest.fixture(scope="module")
def fixture():
    return json.loads((BAYES / "bayes_reference.json").read_text())


@pytest.fixture(scope="module")
def sdpdmod():
    return json.loads((BAYES / "sdpdmod_blmp.json").read_text())


@pytest.fixture(scope="module")
def columbus():
    data = pd.read_csv(REF / "columbus_models" / "columbus.csv")
    panel = SpatialPanel(data, id="POLYID", variables=["CRIME", "INC", "HOVAL"])
    return panel, read_gal(str(REF / "columbus_models" / "columbus_queen.gal")).transform("r")


@pytest.fixture(scope="module")
def produc():
    table = pd.read_csv(REF / "produc" / "produc.csv")
    states = pd.read_csv(REF / "produc" / "produc_states.csv")
    table["id"] = table["state"].map(dict(zip(states["produc_state"], states["id"].astype(str), strict=True)))
    panel = SpatialPanel(table, id="id", time="year", variables=["gsp", "pcap", "pc", "emp", "unemp"])
    return panel, read_gal(str(REF / "produc_effects" / "us48_queen_produc.gal")).transform("r")


def _check(out, block):
    assert list(out.table["model"]) == MODELS
    for m in MODELS:
        ours = float(out.log_marginals[m])
        assert ours == pytest.approx(block[m]["log_marginal"], abs=1e-6), m
        assert block[m]["grid_error"] < 1e-6
        assert float(out.probabilities[m]) == pytest.approx(block["probability"][m], abs=1e-6), m
    assert out.table["integration_error"].max() < 1e-8
    assert out.interval == pytest.approx(block["interval"], rel=1e-10)


def test_columbus_matches_independent_implementation(columbus, fixture):
    panel, w = columbus
    out = compare_bayes(panel, w, y="CRIME", x=["INC", "HOVAL"])
    _check(out, fixture["columbus_none"])
    assert out.best == "sdem" and out.n_periods == 1


@pytest.mark.parametrize("fe", ["none", "unit", "time", "twoway"])
def test_produc_matches_independent_implementation(produc, fixture, fe):
    panel, w = produc
    out = compare_bayes(panel, w, y="log(gsp)", x=PRODUC_X, fe=fe)
    _check(out, fixture[f"produc_{fe}"])
    assert out.nobs == 816 and out.fe == fe


@pytest.mark.parametrize("fe", ["none", "unit", "time", "twoway"])
def test_fixture_reproduces_sdpdmod(fixture, sdpdmod, fe):
    """The fixture's integrands reproduce blmpSDPD on SDPDmod's own grid and (odd) summation."""
    block, theirs = fixture[f"produc_{fe}"], sdpdmod[f"produc_{SDPDMOD_FE[fe]}"]["lmarginal"]
    for m in MODELS:
        value = block[m].get("sdpdmod_convention", block[m]["log_marginal"])
        tol = 1e-5 if fe == "none" and m in ("sem", "sdem") else 1e-8  # see the README: R's cross-products
        assert value == pytest.approx(theirs[m], abs=tol), m


@pytest.mark.parametrize("fe", ["unit", "twoway"])
def test_least_squares_models_match_sdpdmod_directly(produc, sdpdmod, fe):
    panel, w = produc
    out = compare_bayes(panel, w, y="log(gsp)", x=PRODUC_X, fe=fe, models=["ols", "slx"])
    theirs = sdpdmod[f"produc_{SDPDMOD_FE[fe]}"]["lmarginal"]
    for m in ("ols", "slx"):
        assert float(out.log_marginals[m]) == pytest.approx(theirs[m], rel=1e-10)


def test_lu_path_agrees_with_eigenvalues(produc):
    panel, w = produc
    exact = compare_bayes(panel, w, y="log(gsp)", x=PRODUC_X, fe="unit", logdet="eigen")
    lu = compare_bayes(panel, w, y="log(gsp)", x=PRODUC_X, fe="unit", logdet="lu")
    assert lu.logdet == "lu"
    np.testing.assert_allclose(lu.log_marginals, exact.log_marginals, rtol=0, atol=1e-6)
    assert lu.interval == pytest.approx(exact.interval, rel=1e-6)


def test_user_priors_shift_probabilities(produc):
    panel, w = produc
    equal = compare_bayes(panel, w, y="log(gsp)", x=PRODUC_X, fe="twoway", models=["sar", "sem"])
    priors = {"sar": 0.9, "sem": 0.1}
    tilted = compare_bayes(panel, w, y="log(gsp)", x=PRODUC_X, fe="twoway", models=["sar", "sem"], priors=priors)
    odds = equal.probabilities["sar"] / equal.probabilities["sem"] * 9.0
    assert tilted.probabilities["sar"] / tilted.probabilities["sem"] == pytest.approx(odds, rel=1e-10)
    assert list(tilted.table["prior"]) == [0.9, 0.1]


def test_outputs_render_and_serialise(columbus):
    panel, w = columbus
    out = compare_bayes(panel, w, y="CRIME", x=["INC", "HOVAL"])
    text = out.summary()
    assert "SDEM" in text and "log-marginal" in text and "Gauss-Kronrod" in text
    data = json.loads(json.dumps(out.to_dict(), allow_nan=False))
    assert data["best"] == "sdem" and len(data["table"]) == 6
    assert data["table"][0]["mode"] is None and data["table"][2]["mode"] == pytest.approx(out.table["mode"][2])
    assert math.isclose(sum(r["probability"] for r in data["table"]), 1.0, rel_tol=1e-12)


@pytest.mark.parametrize("priors, message", [
    ({"sar": 0.5, "sem": 0.6}, "sum to 1"),
    ({"sar": 1.2, "sem": -0.2}, "negative"),
    ({"sar": 1.0}, "missing: sem"),
    ({"sar": 0.5, "sem": 0.25, "sdm": 0.25}, "not compared: sdm"),
    ({"sar": "half", "sem": 0.5}, "finite number"),
])
def test_bad_priors_are_refused(columbus, priors, message):
    panel, w = columbus
    with pytest.raises(SpatialPanelError, match=message):
        compare_bayes(panel, w, y="CRIME", x=["INC", "HOVAL"], models=["sar", "sem"], priors=priors)


@pytest.mark.parametrize("models, message", [
    (["sar", "sac"], "not covered: sac.*2-D integral"),
    (["sar", "probit"], "not covered: probit"),
    ([], "models is empty"),
    (["sar", "sar"], "repeated: sar"),
])
def test_models_not_covered_are_refused(columbus, models, message):
    panel, w = columbus
    with pytest.raises(SpatialPanelError, match=message):
        compare_bayes(panel, w, y="CRIME", x=["INC", "HOVAL"], models=models)
