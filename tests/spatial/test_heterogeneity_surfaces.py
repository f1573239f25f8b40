"""Regional heterogeneity through the CLI (``fit --by``) and the config (``[models.heterogeneity]``).

Reference: the Python API (:func:`spatial.heterogeneity.heterogeneity`, itself checked against
independent computations in ``test_heterogeneity.py``); each surface must give its numbers.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from libpysal.graph import Graph

from spatial import SpatialPanel, datasets
from spatial.cli import main
from spatial.heterogeneity import heterogeneity
from tests.conftest import folder_snapshot
from tests.helpers import produc_run_config

X = ["log(pcap)", "log(emp)", "unemp"]
GROUPS = ["5", "8"]  # South Atlantic and Mountain census divisions: 8 states each, linked inside


@pytest.fixture(scope="module")
def expected():
    states = datasets.load("us48_states").set_index("fips")
    panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year")
    w = Graph.build_contiguity(states, rook=False).transform("r")
    return heterogeneity(panel, w, by="region", groups=GROUPS, y="log(gsp)", x=X, model="sar", fe="twoway",
                         draws=0, permutations=9, seed=3)


def _fit(tmp_path, *extra):
    return main(["fit", str(datasets.path("us_produc")), "--id", "fips", "--time", "year", "--y", "log(gsp)",
                 "--x", *X, "--model", "sar", "--fe", "twoway", "--contiguity", "queen",
                 "--boundaries", str(datasets.path("us48_states")), "--effects-draws", "0", *extra])


def test_fit_by_column_prints_writes_and_equals_python(tmp_path, capsys, expected):
    code = _fit(tmp_path, "--by", "region", "--groups", ",".join(GROUPS), "--permutations", "9", "--seed", "3",
                "--json", str(tmp_path / "het.json"), "--table", str(tmp_path / "het.html"))
    assert code == 0
    out = capsys.readouterr().out
    assert "Tests of equal coefficients across groups (region)" in out and "Permutation test" in out
    data = json.loads((tmp_path / "het.json").read_text(encoding="utf-8"))
    assert data["by"] == "region" and list(data["results"]) == GROUPS
    assert sorted(data["units"]["5"]) == sorted(expected.groups.units["5"])
    wald = {row["coefficient"]: row for row in data["differences"]["wald"]}
    for name, row in expected.differences.wald.iterrows():
        assert wald[name]["statistic"] == pytest.approx(row["statistic"], rel=1e-9)
        assert wald[name]["df"] == row["df"] == (4 * 1 if name == "joint" else 1)
    perm = [row["permutation_p"] for row in data["differences"]["pairwise"]]
    assert perm == pytest.approx(expected.differences.pairwise["permutation_p"].tolist(), rel=1e-12)
    assert data["differences"]["seed"] == 3 and data["differences"]["permutations"] == 9
    assert data["results"]["8"]["params"]["rho"]["estimate"] == pytest.approx(
        float(expected.groups.results["8"].params["rho"]), rel=1e-9)
    html = (tmp_path / "het.html").read_text(encoding="utf-8")
    assert "Wald tests of equal coefficients" in html and "joint chi2(4) = " in html
    tests = (tmp_path / "het_tests.html").read_text(encoding="utf-8")  # each coefficient's tests, beside it
    assert "Tests of equal coefficients across groups" in tests and "seed 3" in tests
    assert f"{expected.differences.wald.loc['joint', 'statistic']:.3f}" in tests


def test_group_options_without_by_are_refused_before_any_work(tmp_path, capsys):
    before = folder_snapshot(tmp_path)
    code = _fit(tmp_path, "--permutations", "9", "--json", str(tmp_path / "x.json"))
    assert code == 2
    assert "need --by" in capsys.readouterr().err
    assert folder_snapshot(tmp_path) == before


def test_unknown_grouping_names_the_choices(tmp_path, capsys):
    code = _fit(tmp_path, "--by", "three_region")
    assert code == 2
    err = capsys.readouterr().err
    assert "three_region" in err and "three_regions" in err


CONFIG = produc_run_config("""
models = ["sar"]
fe = "twoway"
draws = 0
seed = 3
table_formats = ["csv", "html"]
[models.heterogeneity]
by = "region"
groups = ["5", "8"]
permutations = 9
""", name="heterogeneity", x=["log(pcap)", "log(emp)", "unemp"])


def test_config_heterogeneity_writes_its_outputs(tmp_path, capsys, expected):
    (tmp_path / "study.toml").write_text(CONFIG, encoding="utf-8")
    assert main(["run", str(tmp_path / "study.toml")]) == 0
    out = tmp_path / "out"
    for name in ("models_heterogeneity_table.csv", "models_heterogeneity_table.html",
                 "models_heterogeneity_tests.csv", "models_heterogeneity.json"):
        assert (out / name).is_file(), name
    tests = pd.read_csv(out / "models_heterogeneity_tests.csv", encoding="utf-8-sig")
    wald = tests[tests["test"] == "wald"].set_index("coefficient")
    pd.testing.assert_series_equal(wald["statistic"], expected.differences.wald["statistic"], rtol=1e-9,
                                   check_names=False)
    pairs = tests[tests["test"] == "pairwise"]
    assert pairs["permutation_p"].tolist() == pytest.approx(
        expected.differences.pairwise["permutation_p"].tolist(), rel=1e-12)
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert "models_heterogeneity.json" in json.dumps(run)


@pytest.mark.parametrize(("extra", "message"), [
    ('permutatons = 9', "did you mean 'permutations'"),
    ('islands = "sometimes"', "islands = 'sometimes' is not allowed"),
])
def test_config_heterogeneity_mistakes_are_named(tmp_path, capsys, extra, message):
    (tmp_path / "study.toml").write_text(CONFIG.replace("permutations = 9", extra), encoding="utf-8")
    before = folder_snapshot(tmp_path)
    assert main(["run", str(tmp_path / "study.toml")]) == 2
    assert message in capsys.readouterr().err
    assert folder_snapshot(tmp_path) == before


def test_report_has_the_heterogeneity_section(tmp_path):
    config = CONFIG + '\n[report]\nlang = "zh"\nvariables = ["gsp"]\n'
    (tmp_path / "study.toml").write_text(config, encoding="utf-8")
    assert main(["report", str(tmp_path / "study.toml")]) == 0
    html = next((tmp_path / "out").glob("*.html")).read_text(encoding="utf-8")
    assert "区域异质性" in html and "组间系数差异检验" in html and "置换检验 p 值" in html


def test_china_three_regions_from_the_cli_alone(tmp_path, capsys):
    """A provincial study keyed by Chinese names: bundled boundaries, mainland filter, 东中西 groups."""
    import numpy as np

    provinces = datasets.load("china_provinces")
    rng = np.random.default_rng(1)
    rows = [{"province": name, "year": year, "k": rng.lognormal(8, 0.5), "l": rng.lognormal(6, 0.3)}
            for name in provinces.loc[provinces["mainland"], "name_zh"] for year in range(2011, 2019)]
    frame = pd.DataFrame(rows)
    frame["gdp"] = np.exp(0.4 * np.log(frame["k"]) + 0.5 * np.log(frame["l"]) + rng.normal(0, 0.1, len(frame)))
    frame.to_csv(tmp_path / "panel.csv", index=False, encoding="utf-8-sig")
    code = main(["fit", str(tmp_path / "panel.csv"), "--id", "province", "--time", "year", "--y", "log(gdp)",
                 "--x", "log(k)", "log(l)", "--model", "sar", "--fe", "twoway", "--contiguity", "queen",
                 "--boundaries", "china_provinces", "--boundary-id", "adcode", "--match-names", "name_zh",
                 "--keep", "mainland", "--allow-islands", "--by", "three_regions", "--permutations", "4",
                 "--effects-draws", "0", "--seed", "1", "--lang", "zh", "--json", str(tmp_path / "het.json")])
    assert code == 0, capsys.readouterr().err
    data = json.loads((tmp_path / "het.json").read_text(encoding="utf-8"))
    assert {g: len(ids) for g, ids in data["units"].items()} == {"东部": 11, "中部": 8, "西部": 12}
    assert "460000" in data["islands"]["东部"]  # Hainan has no neighbour inside the East
    assert [row["coefficient"] for row in data["differences"]["wald"]][-1] == "joint"
