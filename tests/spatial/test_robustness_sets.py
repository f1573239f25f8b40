"""Robustness sets: ``[esda]`` and ``[models]`` under several weights matrices, side by side.

Reference: each W of the set run on its own (a one-W config); the set must give the same numbers
under every W, and the first W's main outputs must be unchanged by the set.
"""

from __future__ import annotations

import pandas as pd
import pytest

from spatial.cli import main
from tests.conftest import folder_snapshot

CONFIG = """
[project]
name = "robustness"
output = "{out}"
[panel]
dataset = "us_produc"
id = "fips"
time = "year"
variables = ["gsp", "pcap", "emp", "unemp"]
[boundaries]
dataset = "us48_states"
id = "fips"
[weights.queen]
kind = "queen"
[weights.invdist]
kind = "inverse_distance"
alpha = 2
metric = "haversine"
[esda]
variables = ["unemp"]
periods = [1970, 1986]
permutations = 99
seed = 5
weights = {weights}
figures = false
[models]
y = "log(gsp)"
x = ["log(pcap)", "log(emp)", "unemp"]
models = ["sar", "sdm"]
fe = "twoway"
draws = 0
weights = {weights}
table_formats = ["csv"]
"""


def _run(tmp_path, out: str, weights: str, command: str = "run") -> None:
    path = tmp_path / f"{out}.toml"
    path.write_text(CONFIG.format(out=out, weights=weights), encoding="utf-8")
    assert main([command, str(path)]) == 0


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("robustness")
    _run(tmp_path, "both", '["queen", "invdist"]')
    _run(tmp_path, "queen", '"queen"')
    _run(tmp_path, "invdist", '"invdist"')
    return tmp_path


def _csv(path):
    return pd.read_csv(path, encoding="utf-8-sig", dtype={"period": str})


def test_moran_under_each_weights_equals_the_single_runs(runs):
    long = _csv(runs / "both" / "esda_global_weights.csv")
    assert list(dict.fromkeys(long["weights"])) == ["queen", "invdist"]
    for name in ("queen", "invdist"):
        alone = _csv(runs / name / "esda_global.csv")
        mine = long[long["weights"] == name].drop(columns="weights").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone, check_dtype=False, rtol=1e-12)
    pd.testing.assert_frame_equal(_csv(runs / "both" / "esda_global.csv"), _csv(runs / "queen" / "esda_global.csv"))


def test_models_under_each_weights_equal_the_single_runs(runs):
    params = _csv(runs / "both" / "models_robustness_params.csv")
    for name in ("queen", "invdist"):
        alone = _csv(runs / name / "models_params.csv")
        mine = params[params["weights"] == name].drop(columns="weights").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone, check_dtype=False, rtol=1e-10)
    table = pd.read_csv(runs / "both" / "models_robustness_table.csv", encoding="utf-8-sig")
    assert [c for c in table.columns if c.startswith("(")] == ["(1) SAR queen", "(2) SAR invdist", "(3) SDM queen",
                                                               "(4) SDM invdist"]
    pd.testing.assert_frame_equal(_csv(runs / "both" / "models_params.csv"), _csv(runs / "queen" / "models_params.csv"))


def test_report_shows_the_robustness_section(tmp_path):
    _run(tmp_path, "report", '["queen", "invdist"]', command="report")
    html = next((tmp_path / "report").glob("*.html")).read_text(encoding="utf-8")
    assert "Robustness across weights matrices" in html
    assert "I (unemp, invdist)" in html and "(4) SDM invdist" in html  # Moran by year under each W, side by side


@pytest.mark.parametrize(("weights", "message"), [
    ('["queen", "knn"]', "weights = 'knn' is not among the weights built: queen, invdist"),
    ('["queen", "queen"]', "each once"),
    ("[]", "each once"),
])
def test_unknown_or_repeated_names_are_refused_before_writing(tmp_path, capsys, weights, message):
    path = tmp_path / "bad.toml"
    path.write_text(CONFIG.format(out="out", weights=weights), encoding="utf-8")
    before = folder_snapshot(tmp_path)
    assert main(["run", str(path)]) == 2
    assert message in capsys.readouterr().err
    assert folder_snapshot(tmp_path) == before
