"""Fixed-effects spatial panels against Elhorst's algorithm, splm and plm (tests/reference/produc)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from libpysal.graph import Graph, read_gal

from spatial import SpatialPanel
from spatial.models import fit

HERE = Path(__file__).resolve().parents[2] / "reference"
PRODUC = HERE / "produc"
EFFECTS = HERE / "produc_effects"
X = ["log(pcap)", "log(pc)", "log(emp)", "unemp"]
FE = {"individual": "unit", "twoways": "twoway"}


def reference(model: str, fe: str) -> dict:
    folder = PRODUC if model == "sem" else EFFECTS
    return json.loads((folder / f"produc_panel_{model}_fe_{fe}.json").read_text())


@pytest.fixture(scope="module")
def produc_panel():
    table = pd.read_csv(PRODUC / "produc.csv")
    states = pd.read_csv(PRODUC / "produc_states.csv")
    table["id"] = table["state"].map(dict(zip(states["produc_state"], states["id"].astype(str), strict=True)))
    return SpatialPanel(table, id="id", time="year", variables=["gsp", "pcap", "pc", "emp", "unemp"])


@pytest.fixture(scope="module")
def produc_w():
    return read_gal(str(EFFECTS / "us48_queen_produc.gal")).transform("r")


CASES = [(m, fe, key) for m in ("sar", "sem", "sdm") for fe in ("individual", "twoways")
         for key in ("own_elhorst_ML", "own_elhorst_LeeYu")]


@pytest.mark.parametrize(("model", "fe", "key"), CASES)
def test_matches_elhorst(produc_panel, produc_w, model, fe, key):
    ref = reference(model, fe)[key]
    result = fit(produc_panel, produc_w, y="log(gsp)", x=X, model=model, fe=FE[fe], lee_yu=key.endswith("LeeYu"),
                 draws=0)
    names = list(ref["coefficients"])
    np.testing.assert_allclose(result.params[names], list(ref["coefficients"].values()), rtol=1e-6)
    np.testing.assert_allclose(result.std_errors[names], [ref["std_errors"][n] for n in names], rtol=1e-4)
    assert result.sigma2 == pytest.approx(ref["sigma2"], rel=1e-6)
    assert result.sigma2_se == pytest.approx(ref["sigma2_se"], rel=1e-4)
    assert result.loglik == pytest.approx(ref["logLik"], rel=1e-6)
    assert result.spec.fe == FE[fe] and result.n_units == 48 and result.n_periods == 17
    assert "const" not in result.params.index


@pytest.mark.parametrize(("model", "fe", "key"), [c for c in CASES if c[0] != "sem"])
def test_effects_match_elhorst(produc_panel, produc_w, model, fe, key):
    ref = reference(model, fe)[key]["effects"]
    result = fit(produc_panel, produc_w, y="log(gsp)", x=X, model=model, fe=FE[fe], lee_yu=key.endswith("LeeYu"),
                 draws=1000, seed=20240601)
    eff = result.effects
    assert list(eff.variables) == ref["variables"]
    for kind in ("direct", "indirect", "total"):
        np.testing.assert_allclose(eff.estimates[kind], ref["point"][kind], rtol=1e-6)
        np.testing.assert_allclose(eff.delta_std_errors[kind], ref["delta_se"][kind], rtol=1e-4)
        # different random numbers: each simulated SD has a Monte Carlo error of about 2.2 percent
        np.testing.assert_allclose(eff.simulation_std_errors[kind], ref["simulation"]["sd"][kind], rtol=0.10)
        np.testing.assert_allclose(eff.direct + eff.indirect, eff.total, rtol=0, atol=1e-12)


@pytest.mark.parametrize("model", ["sar", "sem", "sdm"])
def test_individual_effects_match_splm(produc_panel, produc_w, model):
    ref = reference(model, "individual")["splm_ML"]
    result = fit(produc_panel, produc_w, y="log(gsp)", x=X, model=model, fe="unit", draws=0)
    spatial = {"sar": "rho", "sdm": "rho", "sem": "lambda"}[model]
    splm_name = {"sar": "lambda", "sdm": "lambda", "sem": "rho"}[model]  # splm's names are swapped
    coefficients = dict(ref["coefficients"])
    coefficients[spatial] = coefficients.pop(splm_name)
    names = list(coefficients)
    np.testing.assert_allclose(result.params[names], list(coefficients.values()), rtol=1e-6)
    assert result.sigma2 == pytest.approx(ref["sigma2"], rel=1e-6)
    loglik = ref.get("logLik_full_from_splm", ref["logLik"])
    assert result.loglik == pytest.approx(loglik, rel=1e-6)


def test_two_way_differs_from_splm_by_design(produc_panel, produc_w):
    """splm applies W to the demeaned y; Elhorst (and we) demean W y: rho 0.196914 vs 0.196664."""
    ref = reference("sar", "twoways")
    result = fit(produc_panel, produc_w, y="log(gsp)", x=X, model="sar", fe="twoway", draws=0)
    assert result.rho == pytest.approx(ref["own_elhorst_ML"]["coefficients"]["rho"], rel=1e-6)
    assert abs(result.rho - ref["splm_ML"]["coefficients"]["lambda"]) > 1e-4


def test_lm_tests_and_fe_regressions_match_splm_and_plm(produc_panel, produc_w):
    ref = json.loads((PRODUC / "produc_panel_ols_fe.json").read_text())
    keys = {"lm_error": "lme", "lm_lag": "lml", "robust_lm_error": "rlme", "robust_lm_lag": "rlml"}
    for fe, splm, plm in (("none", "pooling", "pooled_ols"), ("unit", "individual", "fe_individual"),
                          ("twoway", "twoways", "fe_twoways")):
        result = fit(produc_panel, produc_w, y="log(gsp)", x=X, model="ols", fe=fe)
        for ours, theirs in keys.items():
            assert result.tests[ours].statistic == pytest.approx(
                ref["splm_slmtest"][f"{splm}_{theirs}"]["statistic"], rel=1e-8)
        assert result.loglik == pytest.approx(ref[plm]["logLik_ml_demeaned"], rel=1e-10)
        for name, values in ref[plm]["coefficients"].items():
            name = "const" if name == "(Intercept)" else name
            assert result.params[name] == pytest.approx(values["estimate"], rel=1e-8)
            assert result.std_errors[name] == pytest.approx(values["std_error"], rel=1e-8)  # df absorbs the FE


def test_bundled_fips_panel_gives_the_same_estimates(produc, us_states, produc_panel, produc_w):
    """datasets us_produc + us48_states (FIPS ids, queen W built here) equal the reference's ids 1..48."""
    panel = SpatialPanel(produc, id="fips", time="year", geometry=us_states)
    w = Graph.build_contiguity(us_states.set_index("fips"), rook=False).transform("r")
    assert w.n_edges == 214
    ours = fit(panel, w, y="log(gsp)", x=X, model="sdm", fe="twoway", lee_yu=True, draws=0)
    ref = reference("sdm", "twoways")["own_elhorst_LeeYu"]
    names = list(ref["coefficients"])
    np.testing.assert_allclose(ours.params[names], list(ref["coefficients"].values()), rtol=1e-6)
    assert ours.loglik == pytest.approx(ref["logLik"], rel=1e-6)


def test_shuffled_rows_and_periods_give_identical_estimates(produc_panel, produc_w):
    base = fit(produc_panel, produc_w, y="log(gsp)", x=X, model="sdm", fe="twoway", draws=50, seed=3)
    frame = produc_panel.data.reset_index()
    shuffled = frame.sample(frac=1.0, random_state=7).reset_index(drop=True)
    shuffled["year"] = shuffled["year"].astype(str)  # periods as text sort the same way
    other = SpatialPanel(shuffled, id="id", time="year")
    result = fit(other, produc_w, y="log(gsp)", x=X, model="sdm", fe="twoway", draws=50, seed=3)
    np.testing.assert_allclose(result.params, base.params, rtol=1e-10)
    np.testing.assert_allclose(result.std_errors, base.std_errors, rtol=1e-8)
    pd.testing.assert_frame_equal(result.effects.std_errors, base.effects.std_errors)  # same seed, same draws
    assert (frame.columns == produc_panel.data.reset_index().columns).all()  # input untouched


def test_recovered_fixed_effects_reproduce_the_data(produc_panel, produc_w):
    result = fit(produc_panel, produc_w, y="log(gsp)", x=X, model="sar", fe="twoway", draws=0)
    fixed = result.fixed_effects
    assert fixed["unit"]["effect"].sum() == pytest.approx(0, abs=1e-10)
    assert fixed["time"]["effect"].sum() == pytest.approx(0, abs=1e-10)
    data = produc_panel.align([str(i) for i in produc_w.unique_ids]).data  # the weights' unit order
    y = np.log(data["gsp"]).to_numpy()
    Xr = np.column_stack([np.log(data["pcap"]), np.log(data["pc"]), np.log(data["emp"]), data["unemp"]])
    W = produc_w.sparse.toarray()
    wy = (W @ y.reshape(48, 17)).ravel()
    ids = data.index.get_level_values(0)
    years = data.index.get_level_values(1)
    fitted = (result.rho * wy + Xr @ result.params[X].to_numpy() + fixed["intercept"]
              + fixed["unit"]["effect"].reindex(ids).to_numpy() + fixed["time"]["effect"].reindex(years).to_numpy())
    residual = (y - fitted).reshape(48, 17)
    np.testing.assert_allclose(residual.mean(axis=1), 0, atol=1e-10)  # unit means of the residuals vanish
    np.testing.assert_allclose(residual.mean(axis=0), 0, atol=1e-10)
    assert float(np.abs(residual).max()) < 0.5


def test_json_has_panel_fields(produc_panel, produc_w):
    data = json.loads(fit(produc_panel, produc_w, y="log(gsp)", x=X, model="sem", fe="unit", lee_yu=True).to_json())
    assert (data["fe"], data["n_units"], data["n_periods"], data["lee_yu"]) == ("unit", 48, 17, True)
    assert set(data["fixed_effects"]["unit"]) == set(produc_panel.entities)
    assert "Lee-Yu" in fit(produc_panel, produc_w, y="log(gsp)", x=X, model="sar", fe="unit", lee_yu=True,
                           draws=0).summary()
