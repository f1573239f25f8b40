"""Random-effects SAR and SEM against R splm's ``spreml`` on Produc, with splm's conditional standard
errors as an option (issue 15 item 7; see tests/reference/produc_random/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from libpysal.graph import read_gal

from spatial import SpatialPanel
from spatial.cli import main
from spatial.errors import SpatialPanelError
from spatial.models import fit

REF = Path(__file__).resolve().parents[2] / "reference"
X = ["log(pcap)", "log(pc)", "log(emp)", "unemp"]
# (our model, splm's key, splm's name of the spatial parameter, ours)
CASES = [("sar", "sar_re", "lambda", "rho"), ("sem", "sem_re", "rho", "lambda")]


@pytest.fixture(scope="module")
def produc():
    table = pd.read_csv(REF / "produc" / "produc.csv")
    states = pd.read_csv(REF / "produc" / "produc_states.csv")
    table["id"] = table["state"].map(dict(zip(states["produc_state"], states["id"].astype(str), strict=True)))
    panel = SpatialPanel(table, id="id", time="year", variables=["gsp", "pcap", "pc", "emp", "unemp"])
    w = read_gal(str(REF / "produc_effects" / "us48_queen_produc.gal")).transform("r")
    return panel, w, table


@pytest.fixture(scope="module")
def splm():
    return json.loads((REF / "produc_random" / "splm_random_effects.json").read_text())


def _spatial(ref: dict) -> tuple[dict, dict]:
    return ({**(ref["arcoef"] or {}), **ref["errcomp"]}, {**(ref["arcoef_se"] or {}), **ref["errcomp_se"]})


@pytest.mark.parametrize("model, key, theirs, ours", CASES)
def test_random_effects_match_splm(produc, splm, model, key, theirs, ours):
    panel, w, _ = produc
    ref = splm[key]
    full = fit(panel, w, y="log(gsp)", x=X, model=model, random_effects=True, draws=0)
    conditional = fit(panel, w, y="log(gsp)", x=X, model=model, random_effects=True, conditional_se=True, draws=0)
    names = ["const", *X]
    values, errors = _spatial(ref)
    for r in (full, conditional):
        assert r.loglik == pytest.approx(ref["loglik"], rel=1e-9)
        np.testing.assert_allclose(r.params[names], list(ref["coefficients"].values()), rtol=2e-5)
        assert r.params[ours] == pytest.approx(values[theirs], rel=2e-5)
        assert r.params["phi"] == pytest.approx(values["phi"], rel=2e-5)
        assert r.sigma2 == pytest.approx(ref["sigma2"]["idios"], rel=2e-5)
        assert r.std_errors[ours] == pytest.approx(errors[theirs], rel=2e-3)
        assert r.std_errors["phi"] == pytest.approx(errors["phi"], rel=2e-3)
    np.testing.assert_allclose(conditional.std_errors[names], list(ref["std_errors"].values()), rtol=1e-5)
    # the default (full information) accounts for the estimation of phi and rho: larger coefficient SEs here
    assert (full.std_errors[names].to_numpy() > conditional.std_errors[names].to_numpy()).all()
    assert not np.allclose(full.std_errors[names], list(ref["std_errors"].values()), rtol=1e-2)
    # conditional: no covariance between the coefficients and (rho or lambda, phi); that block unchanged
    assert np.all(conditional.cov.loc[names, [ours, "phi"]].to_numpy() == 0)
    np.testing.assert_allclose(conditional.cov.loc[[ours, "phi"], [ours, "phi"]],
                               full.cov.loc[[ours, "phi"], [ours, "phi"]], rtol=1e-12)
    assert conditional.spec.random_effects and "conditional" in conditional.details["cov"]
    assert "conditional on phi" in " ".join(conditional.details["notes"])


def test_conditional_se_needs_random_effects_everywhere(produc, tmp_path, capsys):
    panel, w, table = produc
    with pytest.raises(SpatialPanelError, match="conditional_se applies to random-effects fits.*random_effects=True"):
        fit(panel, w, y="log(gsp)", x=X, model="sar", fe="unit", conditional_se=True)
    table.to_csv(tmp_path / "produc.csv", index=False)
    lines = [f"0 {w.n}"]
    for unit in w.unique_ids:
        lines += [f"{unit} {len(w[unit])}", " ".join(str(v) for v in w[unit].index)]
    (tmp_path / "w.gal").write_text("\n".join(lines) + "\n")
    args = ["fit", str(tmp_path / "produc.csv"), "--id", "id", "--time", "year", "--y", "log(gsp)", "--x", *X,
            "--model", "sem", "--weights", str(tmp_path / "w.gal"), "--effects-draws", "0"]
    assert main([*args, "--conditional-se"]) == 2
    assert "--random-effects" in capsys.readouterr().err
    assert main([*args, "--random-effects", "--conditional-se", "--json", str(tmp_path / "sem.json")]) == 0
    data = json.loads((tmp_path / "sem.json").read_text())
    python = fit(panel, w, y="log(gsp)", x=X, model="sem", random_effects=True, conditional_se=True, draws=0)
    assert data["spec"]["conditional_se"] is True
    # the CLI orders the units as its GAL file does: the optimiser stops within 1e-7 of the same point
    assert data["params"]["log(pcap)"]["std_error"] == pytest.approx(python.std_errors["log(pcap)"], rel=1e-6)
