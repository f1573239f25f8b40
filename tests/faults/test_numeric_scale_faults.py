"""Numerical failures of the estimation engine (RELIABILITY E2, issue 12 item 2): badly scaled data
are rescaled internally by powers of two and mapped back, or refused with the variable named;
a perfect fit and a rho on a bound (effects undefined) stop with exit code 3; LAPACK never
prints to stdout; a regressor on a 1e-13 scale is estimated, not silently zeroed.

The reference for every rescaled fit is the same fit on the unscaled data (the estimators are
equivariant: b_j -> b_j c_y / c_j, sigma2 -> c_y^2 sigma2, lnL -> lnL - N ln c_y)."""

from __future__ import annotations

import json
import math
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from libpysal.graph import read_gal

from spatial import SpatialPanel
from spatial.cli import main
from spatial.errors import BoundaryWarning, NumericalError
from spatial.models import fit
from tests.conftest import folder_snapshot
from tests.spatial.models.synthetic import lattice_graph

REF = Path(__file__).resolve().parents[1] / "reference" / "columbus_models"
X = ["INC", "HOVAL"]


@pytest.fixture(scope="module")
def columbus():
    data = pd.read_csv(REF / "columbus.csv")[["POLYID", "CRIME", "INC", "HOVAL"]]
    return data, read_gal(str(REF / "columbus_queen.gal")).transform("r")


def _fit(frame, w, model, **kw):
    panel = SpatialPanel(frame, id="POLYID", variables=["CRIME", *X])
    return fit(panel, w, y="CRIME", x=X, model=model, draws=200, seed=3, **kw)


def _scaled(data, column, factor):
    out = data.copy()
    out[column] = out[column] * factor
    return out


@pytest.mark.parametrize("model", ["ols", "sar", "sem", "sdm"])
def test_huge_dependent_variable_is_rescaled_and_mapped_back(columbus, model):
    data, w = columbus
    base = _fit(data, w, model)
    big = _fit(_scaled(data, "CRIME", 1e150), w, model)
    np.testing.assert_allclose(big.params.drop(["rho", "lambda"], errors="ignore") / 1e150,
                               base.params.drop(["rho", "lambda"], errors="ignore"), rtol=1e-6)
    np.testing.assert_allclose(big.std_errors / np.where(big.params.index.isin(["rho", "lambda"]), 1, 1e150),
                               base.std_errors, rtol=1e-4)
    assert big.sigma2 == pytest.approx(base.sigma2 * 1e300, rel=1e-6)
    assert big.loglik == pytest.approx(base.loglik - base.nobs * math.log(1e150), rel=1e-9)
    if base.effects is not None:
        np.testing.assert_allclose(big.effects.estimates.to_numpy() / 1e150, base.effects.estimates.to_numpy(),
                                   rtol=1e-6)
    for name, test in base.tests.items():
        assert big.tests[name].statistic == pytest.approx(test.statistic, rel=1e-5, abs=1e-8)


@pytest.mark.parametrize("model", ["ols", "sar", "sem", "sdm"])
def test_tiny_dependent_variable_is_refused_naming_it(columbus, model, capfd):
    data, w = columbus
    with pytest.raises(NumericalError, match=r"CRIME is on a scale of about 1e-29\d.*Rescale CRIME"):
        _fit(_scaled(data, "CRIME", 1e-300), w, model)
    out, err = capfd.readouterr()
    assert "DLASCL" not in out + err and "illegal value" not in out + err  # LAPACK never reached


@pytest.mark.parametrize("model", ["ols", "sar", "sdm", "sem"])
def test_regressor_on_a_tiny_scale_is_not_zeroed(columbus, model):
    data, w = columbus
    base = _fit(data, w, model)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # e.g. "covariance is not symmetric PSD" in the draws
        tiny = _fit(_scaled(data, "INC", 1e-13), w, model)
    for name in ("INC", "W*INC"):
        if name in base.params.index:
            assert tiny.params[name] == pytest.approx(base.params[name] * 1e13, rel=1e-6)
            assert tiny.std_errors[name] == pytest.approx(base.std_errors[name] * 1e13, rel=1e-4)
    assert tiny.params["HOVAL"] == pytest.approx(base.params["HOVAL"], rel=1e-6)
    if base.effects is not None:
        assert tiny.effects.total["INC"] == pytest.approx(base.effects.total["INC"] * 1e13, rel=1e-6)


def test_fixed_effects_panel_is_equivariant_under_rescaling():
    graph, ids = lattice_graph(5)
    rng = np.random.default_rng(7)
    T = 4
    frame = pd.DataFrame({"id": np.repeat(ids, T), "t": np.tile(np.arange(2000, 2000 + T), len(ids)),
                          "x": rng.standard_normal(len(ids) * T)})
    frame["y"] = 0.5 * frame["x"] + rng.standard_normal(len(frame)) + np.repeat(rng.standard_normal(len(ids)), T)
    scaled = frame.assign(y=frame["y"] * 2.0**-300 * 3, x=frame["x"] * 1e-13)
    a = fit(SpatialPanel(frame, id="id", time="t"), graph, y="y", x=["x"], model="sdm", fe="unit", draws=0)
    b = fit(SpatialPanel(scaled, id="id", time="t"), graph, y="y", x=["x"], model="sdm", fe="unit", draws=0)
    factor = 2.0**-300 * 3 / 1e-13
    assert b.params["x"] == pytest.approx(a.params["x"] * factor, rel=1e-6)
    assert b.params["W*x"] == pytest.approx(a.params["W*x"] * factor, rel=1e-6)
    assert b.rho == pytest.approx(a.rho, rel=1e-7)
    unit_a, unit_b = a.fixed_effects["unit"], b.fixed_effects["unit"]
    np.testing.assert_allclose(unit_b["effect"] / (2.0**-300 * 3), unit_a["effect"], rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("model", ["ols", "sar", "sem", "sdm"])
def test_perfect_fit_is_a_numerical_error(columbus, model):
    data, w = columbus
    exact = data.assign(CRIME=1 + 2 * data["INC"] - 0.5 * data["HOVAL"])
    with pytest.raises(NumericalError, match=rf"{model}: perfect fit.*sigma2 ~ 0.*CRIME is an exact linear function"):
        _fit(exact, w, model)


@pytest.fixture()
def on_the_bound():
    graph, ids = lattice_graph(8)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"id": ids, "y": 5 + 1e-4 * rng.standard_normal(64), "x": rng.standard_normal(64)})
    return frame, graph


def test_rho_on_a_bound_leaves_the_effects_undefined(on_the_bound):
    frame, graph = on_the_bound
    with pytest.warns(BoundaryWarning):
        r = fit(SpatialPanel(frame, id="id"), graph, y="y", x=["x"], model="sar", constant=False, draws=50)
    assert r.at_boundary and r.effects is None
    assert r.effects_undefined.startswith("undefined: rho = ") and "I - rho W is singular" in r.effects_undefined
    text = r.summary()
    assert "effects undefined" in text and "Direct" not in text and "direct" not in text.lower().split("warning")[0]
    assert json.loads(r.to_json())["effects_undefined"] == r.effects_undefined


def _write_gal(graph, path: Path) -> None:
    lines = [f"0 {graph.n}"]
    for unit in graph.unique_ids:
        neighbours = list(graph[unit].index)
        lines += [f"{unit} {len(neighbours)}", " ".join(str(v) for v in neighbours)]
    path.write_text("\n".join(lines) + "\n")


def test_cli_rho_on_a_bound_exits_3_unless_allowed(on_the_bound, tmp_path, capsys):
    frame, graph = on_the_bound
    table, gal = tmp_path / "data.csv", tmp_path / "w.gal"
    frame.to_csv(table, index=False, float_format="%.17g")
    _write_gal(graph, gal)
    args = ["fit", str(table), "--id", "id", "--y", "y", "--x", "x", "--model", "sar", "--no-constant",
            "--weights", str(gal), "--effects-draws", "20", "--json", str(tmp_path / "r.json")]
    before = folder_snapshot(tmp_path)
    assert main(args) == 3
    err = capsys.readouterr().err
    assert "numerical error: the effects are undefined: rho = " in err and "--allow-nonconverged" in err
    assert folder_snapshot(tmp_path) == before
    assert main([*args, "--allow-nonconverged"]) == 0
    written = json.loads((tmp_path / "r.json").read_text())
    assert written["effects"] is None and written["effects_undefined"].startswith("undefined")


def test_cli_scale_faults_exit_3_with_nothing_on_stdout_from_lapack(columbus, tmp_path, capfd):
    data, _ = columbus
    shutil.copy(REF / "columbus_queen.gal", tmp_path / "w.gal")
    for label, frame in (("tiny", _scaled(data, "CRIME", 1e-300)),
                         ("perfect", data.assign(CRIME=1 + 2 * data["INC"] - 0.5 * data["HOVAL"]))):
        table = tmp_path / f"{label}.csv"
        frame.to_csv(table, index=False, float_format="%.17g")
        before = folder_snapshot(tmp_path)
        code = main(["fit", str(table), "--id", "POLYID", "--y", "CRIME", "--x", "INC,HOVAL", "--model", "sem",
                     "--weights", str(tmp_path / "w.gal"), "--json", str(tmp_path / f"{label}.json")])
        out, err = capfd.readouterr()
        assert code == 3, err
        assert "\nnumerical error: " in err and ("Rescale CRIME" in err or "perfect fit" in err)
        assert "DLASCL" not in out and "illegal value" not in out and "Traceback" not in err
        assert folder_snapshot(tmp_path) == before


def test_pipeline_stops_with_exit_3_when_effects_are_undefined(on_the_bound, tmp_path, capsys):
    frame, graph = on_the_bound
    frame.to_csv(tmp_path / "data.csv", index=False, float_format="%.17g")
    _write_gal(graph, tmp_path / "w.gal")
    config = """
[project]
output = "out"
[panel]
path = "data.csv"
id = "id"
[weights.w]
kind = "file"
path = "w.gal"
transform = "row"
[models]
y = "y"
x = ["x"]
models = ["sar"]
constant = false
draws = 20
table_formats = ["csv"]
"""
    (tmp_path / "run.toml").write_text(config, encoding="utf-8")
    assert main(["run", str(tmp_path / "run.toml")]) == 3
    err = capsys.readouterr().err
    assert "[models] sar: the effects are undefined: rho = " in err and "allow_nonconverged = true" in err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("models_*"))
    (tmp_path / "run.toml").write_text(config.replace('models = ["sar"]', 'models = ["sar"]\nallow_nonconverged = true'),
                                       encoding="utf-8")
    assert main(["run", str(tmp_path / "run.toml"), "--overwrite"]) == 0
    written = json.loads((tmp_path / "out" / "models_sar.json").read_text(encoding="utf-8"))
    assert written["effects"] is None and written["effects_undefined"].startswith("undefined")
