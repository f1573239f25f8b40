"""GMM through every surface: config run, CLI and Python agree on the same fit."""

from __future__ import annotations

import json
import tomllib
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest
from libpysal.graph import read_gal

from spatial import SpatialPanel
from spatial.cli import main
from spatial.errors import SpatialPanelError
from tests.helpers import produc_run_config
from spatial.models import fit

REF = Path(__file__).resolve().parents[2] / "reference" / "columbus_models"
CONFIG = """
[project]
output = "out"
[panel]
path = "columbus.csv"
id = "POLYID"
variables = ["HOVAL", "INC", "CRIME", "DISCBD"]
[weights.w]
kind = "file"
path = "columbus_queen.gal"
transform = "row"
[models]
y = "HOVAL"
x = ["INC"]
models = ["ols", "sar", "sem"]
estimator = "gmm"
endog = ["CRIME"]
instruments = ["DISCBD"]
draws = 50
table_formats = ["csv", "md"]
"""


@pytest.fixture()
def folder(tmp_path):
    for name in ("columbus.csv", "columbus_queen.gal"):
        shutil.copy(REF / name, tmp_path / name)
    return tmp_path


def python_fit(model):
    panel = SpatialPanel(pd.read_csv(REF / "columbus.csv"), id="POLYID", variables=["HOVAL", "INC", "CRIME", "DISCBD"])
    w = read_gal(str(REF / "columbus_queen.gal")).transform("r")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # weak instruments (F about 4 in spreg's example)
        return fit(panel, w, y="HOVAL", x=["INC"], model=model, estimator="gmm", endog=["CRIME"],
                   instruments=["DISCBD"], draws=50, seed=20240601)


def test_config_run_matches_python(folder):
    (folder / "run.toml").write_text(CONFIG, encoding="utf-8")
    assert main(["run", str(folder / "run.toml")]) == 0
    for model in ("ols", "sar", "sem"):
        written = json.loads((folder / "out" / f"models_{model}.json").read_text(encoding="utf-8"))
        ours = python_fit(model)
        assert written["estimator"] == "gmm" and written["loglik"] is None
        for name, row in written["params"].items():
            assert row["estimate"] == pytest.approx(ours.params[name], rel=1e-12)
    table = (folder / "out" / "models_table.md").read_text(encoding="utf-8")
    assert "Log-likelihood" not in table and "Estimator" in table and "First-stage F" in table


def test_config_refuses_gmm_with_fixed_effects(folder):
    (folder / "run.toml").write_text(CONFIG.replace('estimator = "gmm"', 'estimator = "gmm"\nfe = "unit"'),
                                     encoding="utf-8")
    assert main(["run", str(folder / "run.toml")]) == 2
    assert not (folder / "out").exists() or not list((folder / "out").glob("models_*"))


def test_cli_matches_python(folder, capsys):
    out = folder / "sar.json"
    code = main(["fit", str(folder / "columbus.csv"), "--id", "POLYID", "--y", "HOVAL", "--x", "INC", "--model", "sar",
                 "--estimator", "gmm", "--endog", "CRIME", "--instruments", "DISCBD", "--weights",
                 str(folder / "columbus_queen.gal"), "--effects-draws", "50", "--seed", "20240601", "--json", str(out)])
    assert code == 0
    captured = capsys.readouterr()
    assert "weak instruments: first-stage F CRIME = 4.28" in captured.err
    written = json.loads(out.read_text(encoding="utf-8"))
    ours = python_fit("sar")
    assert written["params"]["rho"]["estimate"] == pytest.approx(ours.params["rho"], rel=1e-12)
    assert written["tests"]["anselin_kelejian"]["statistic"] == pytest.approx(
        ours.tests["anselin_kelejian"].statistic, rel=1e-12)


def test_cli_endog_needs_gmm(folder, capsys):
    code = main(["fit", str(folder / "columbus.csv"), "--id", "POLYID", "--y", "HOVAL", "--x", "INC",
                 "--endog", "CRIME", "--instruments", "DISCBD", "--weights", str(folder / "columbus_queen.gal")])
    assert code == 2
    assert "--estimator gmm" in capsys.readouterr().err


def test_report_of_gmm_models_has_no_likelihood_rows():
    from spatial.config import validate_config
    from spatial.pipeline import run
    from spatial.steps.report import build_report

    cfg = validate_config({
        "panel": {"dataset": "us_produc", "id": "fips", "time": "year", "variables": ["gsp", "pcap", "emp", "unemp"]},
        "boundaries": {"dataset": "us48_states"},
        "models": {"y": "log(gsp)", "x": ["log(pcap)", "unemp"], "models": ["sar", "sem"], "period": 1986,
                   "estimator": "gmm", "draws": 50},
        "report": {"periods": [1986]}})
    ctx = run(cfg, write=False, echo=lambda text: None)
    html = build_report(ctx).to_html()
    assert "GMM/IV" in html or "Estimator" in html
    assert "Log-likelihood" not in html and ">None<" not in html


def test_config_period_reaches_fit():
    """[models] period = 1986 fits that cross-section (its key type differs from the keyword's, so it is
    passed explicitly); it was dropped once, which fitted the pooled panel instead."""
    from spatial.config import validate_config
    from spatial.steps.models import fit_keywords

    cfg = validate_config({"panel": {"dataset": "us_produc", "id": "fips", "time": "year", "variables": ["gsp"]},
                           "models": {"y": "gsp", "x": ["gsp"], "models": ["sar"], "period": 1986}})
    assert fit_keywords(cfg["models"], "sar")["period"] == 1986


PRODUC = Path(__file__).resolve().parents[2] / "reference"


def _produc_csv(tmp_path):
    """Produc with the state ids of the .gal file, written as tmp_path/produc.csv."""
    table = pd.read_csv(PRODUC / "produc" / "produc.csv")
    states = pd.read_csv(PRODUC / "produc" / "produc_states.csv")
    table["id"] = table["state"].map(dict(zip(states["produc_state"], states["id"], strict=True)))
    table.to_csv(tmp_path / "produc.csv", index=False)


def test_random_effects_gmm_through_cli_and_config(tmp_path, capsys):
    """EC2SLS (random_effects=True, estimator gmm): the CLI's JSON and a config run both give splm's
    spgm(model="random") estimates (tests/reference/produc_gmm); no likelihood anywhere."""
    from spatial.config import validate_config
    from spatial.pipeline import run

    ref = json.loads((PRODUC / "produc_gmm" / "expected.json").read_text())["cases"]["random_lag"]
    rho = ref["estimates"][ref["names"].index("lambda")]
    _produc_csv(tmp_path)
    out = tmp_path / "re.json"
    code = main(["fit", str(tmp_path / "produc.csv"), "--id", "id", "--time", "year", "--y", "log(gsp)",
                 "--x", "log(pcap)", "--x", "log(pc)", "--x", "log(emp)", "--x", "unemp", "--model", "sar",
                 "--estimator", "gmm", "--random-effects", "--weights",
                 str(PRODUC / "produc_effects" / "us48_queen_produc.gal"), "--effects-draws", "0", "--json", str(out)])
    assert code == 0, capsys.readouterr().err
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["estimator"] == "gmm" and written["loglik"] is None and written["spec"]["random_effects"]
    assert written["params"]["rho"]["estimate"] == pytest.approx(rho, rel=1e-6)
    assert written["params"]["rho"]["std_error"] == pytest.approx(ref["std_errors"][0], rel=1e-4)

    cfg = validate_config({
        "panel": {"dataset": "us_produc", "id": "fips", "time": "year", "variables": ["gsp", "pcap", "pc", "emp",
                                                                                        "unemp"]},
        "boundaries": {"dataset": "us48_states"},
        "models": {"y": "log(gsp)", "x": ["log(pcap)", "log(pc)", "log(emp)", "unemp"], "models": ["sar"],
                   "estimator": "gmm", "random_effects": True, "draws": 0}})
    ctx = run(cfg, write=False, echo=lambda text: None)
    fitted = ctx.results["models"]["results"]["sar"]
    assert fitted.spec.random_effects and fitted.loglik is None
    assert fitted.params["rho"] == pytest.approx(rho, rel=1e-6)


def test_config_random_effects_gmm_covers_the_spatial_models_with_sac():
    """GMM fits the random-effects (and within) SARAR; ML's random effects stop at one spatial parameter."""
    from spatial.config import validate_config
    from spatial.errors import ConfigError

    def models(names, **extra):
        return validate_config({"panel": {"dataset": "us_produc", "id": "fips", "time": "year", "variables": ["gsp"]},
                                "models": {"y": "gsp", "x": ["gsp"], "models": names, **extra}})

    models(["sar", "sac"], estimator="gmm", random_effects=True)
    models(["sem", "sac"], estimator="gmm", fe="unit")
    with pytest.raises(ConfigError, match="random_effects = true applies to models sar, sem, sdm, sdem, sac only"):
        models(["sar", "slx"], estimator="gmm", random_effects=True)
    with pytest.raises(ConfigError, match="applies to models sar, sem, sdm, sdem only .sac too with estimator"):
        models(["sar", "sac"], random_effects=True)


def test_gmm_moments_through_cli_and_config(tmp_path, capsys):
    """--gmm-moments / [models] gmm_moments reach the random-effects GM of the error (splm's moments="fullweights")."""
    from spatial.config import validate_config
    from spatial.pipeline import run

    ref = json.loads((PRODUC / "produc_gmm" / "expected.json").read_text())["cases"]["random_error_fullweights"]
    _produc_csv(tmp_path)
    out = tmp_path / "re.json"
    code = main(["fit", str(tmp_path / "produc.csv"), "--id", "id", "--time", "year", "--y", "log(gsp)",
                 "--x", "log(pcap)", "--x", "log(pc)", "--x", "log(emp)", "--x", "unemp", "--model", "sem",
                 "--estimator", "gmm", "--random-effects", "--gmm-moments", "fullweights", "--weights",
                 str(PRODUC / "produc_effects" / "us48_queen_produc.gal"), "--json", str(out)])
    assert code == 0, capsys.readouterr().err
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["spec"]["gmm_moments"] == "fullweights"
    assert written["params"]["lambda"]["estimate"] == pytest.approx(ref["errcomp"]["rho"], rel=1e-6)

    cfg = validate_config({
        "panel": {"dataset": "us_produc", "id": "fips", "time": "year", "variables": ["gsp", "pcap", "pc", "emp",
                                                                                        "unemp"]},
        "boundaries": {"dataset": "us48_states"},
        "models": {"y": "log(gsp)", "x": ["log(pcap)", "log(pc)", "log(emp)", "unemp"], "models": ["sem"],
                   "estimator": "gmm", "random_effects": True, "gmm_moments": "fullweights", "draws": 0}})
    ctx = run(cfg, write=False, echo=lambda text: None)
    fitted = ctx.results["models"]["results"]["sem"]
    assert fitted.params["lambda"] == pytest.approx(ref["errcomp"]["rho"], rel=1e-6)


GMM_SETS = """
models = ["sar", "sem"]
estimator = "gmm"
fe = "unit"
draws = 0
weights = {weights}
table_formats = ["csv"]
{heterogeneity}
[weights.queen]
kind = "queen"
[weights.knn]
kind = "knn"
k = 5
metric = "haversine"
"""


def test_gmm_under_a_robustness_set_and_by_group():
    """GMM under several W equals each W run on its own; by group, lambda of the within GM (no standard error)
    is left out of the tests with a warning, and asking for it is refused naming the fix."""
    from spatial.config import validate_config
    from spatial.errors import SpatialWarning
    from spatial.heterogeneity import heterogeneity
    from spatial.pipeline import run

    def ctx(weights, heterogeneity=""):
        text = produc_run_config(GMM_SETS.format(weights=weights, heterogeneity=heterogeneity),
                                 x=["log(pcap)", "log(emp)", "unemp"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SpatialWarning)
            return run(validate_config(tomllib.loads(text)), write=False, echo=lambda text: None)

    both = ctx('["queen", "knn"]', '[models.heterogeneity]\nby = "region"\nmodel = "sem"\ngroups = ["5", "8"]')
    alone = ctx('"knn"')
    robust = both.results["models_robustness"]["results"]
    for model in ("sar", "sem"):
        fitted = robust["knn"][model]
        assert fitted.spec.estimator == "gmm" and fitted.loglik is None
        pd.testing.assert_series_equal(fitted.params, alone.results["models"]["results"][model].params, rtol=1e-12)
    het = both.results["heterogeneity"]
    assert "lambda" not in het.differences.wald.index and "log(pcap)" in het.differences.wald.index
    assert all(r.spec.estimator == "gmm" for r in het.groups.results.values())

    panel, w = both.panel, both.results["weights"]["queen"]
    with pytest.warns(SpatialWarning, match="lambda not compared across groups: no standard error"):
        heterogeneity(panel, w, by="region", groups=["5", "8"], y="log(gsp)", x=["log(pcap)", "log(emp)"],
                      model="sem", fe="unit", estimator="gmm", draws=0)
    with pytest.raises(SpatialPanelError, match="lambda has no standard error in group.*leave it out of the "
                                                "coefficients compared"):
        heterogeneity(panel, w, by="region", groups=["5", "8"], y="log(gsp)", x=["log(pcap)", "log(emp)"],
                      model="sem", fe="unit", estimator="gmm", draws=0, coefficients=["log(pcap)", "lambda"])


def test_cli_fit_by_group_with_gmm(tmp_path, capsys):
    from spatial import datasets

    code = main(["fit", str(datasets.path("us_produc")), "--id", "fips", "--time", "year", "--y", "log(gsp)",
                 "--x", "log(pcap)", "--x", "log(emp)", "--model", "sar", "--fe", "unit", "--estimator", "gmm",
                 "--contiguity", "queen", "--boundaries", str(datasets.path("us48_states")), "--effects-draws", "0",
                 "--by", "region", "--groups", "5,8", "--table", str(tmp_path / "het.csv")])
    assert code == 0, capsys.readouterr().err
    assert "Tests of equal coefficients across groups (region)" in capsys.readouterr().out
    tests = pd.read_csv(tmp_path / "het_tests.csv", encoding="utf-8-sig")
    assert tests.iloc[:, 0].astype(str).str.contains("rho").any()
