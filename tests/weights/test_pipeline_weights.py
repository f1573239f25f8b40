"""The [weights] pipeline section: validation of the tables, the robustness set, outputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from spatial.config import validate_config
from spatial.errors import ConfigError
from spatial.pipeline import run
from weights import read_weights, write_weights
from weights._graph import matrix_of
from tests.helpers import mainland_by_name

BASE = {"panel": {"dataset": "us_produc", "id": "fips", "time": "year", "variables": ["gsp", "emp"]},
        "boundaries": {"dataset": "us48_states"}}


def _config(weights: dict) -> dict:
    return {**BASE, "weights": weights}


@pytest.mark.parametrize(("weights", "message"), [
    ({}, "names no matrix"),
    ({"q": {"kind": "qeen"}}, "did you mean 'queen'"),
    ({"q": {"kind": "queen", "alpha": 2}}, "unknown key 'alpha' for queen weights"),
    ({"q": {"kind": "knn"}}, r"\(knn\) needs 'k'"),
    ({"q": {"kind": "queen", "transform": "W"}}, "transform = 'W' is not allowed"),
    ({"n": {"kind": "nested", "distance": "d", "variable": "gsp"}}, "refers to 'd', which is not a matrix defined"),
    ({"q": {"kind": "queen", "formats": ["shp"]}}, "formats"),
    ({"q": {"kind": "queen", "islands": "drop"}}, "remove them from the panel table instead"),
    ({"q": "queen"}, "must be dict"),
])
def test_bad_weights_tables_are_named(weights, message):
    with pytest.raises(ConfigError, match=message):
        validate_config(_config(weights))


def test_the_demo_builds_row_standardised_queen_weights(tmp_path):
    from spatial.config import load_config
    from spatial.datasets import data_dir

    ctx = run(load_config(data_dir() / "demo" / "us_produc.toml"), output=tmp_path / "out", echo=lambda _: None)
    graph = ctx.results["weights"]["queen"]
    assert graph.transformation == "R" and graph.n_edges == 214
    assert [str(i) for i in graph.unique_ids] == [str(e) for e in ctx.panel.entities]
    assert {"weights_queen.csv", "weights_summary.txt"} <= set(ctx.outputs)
    assert read_weights(tmp_path / "out" / "weights_queen.csv", ids=ctx.panel.entities).n_edges == 214
    assert ctx.results["weights_info"]["queen"]["kind"] == "queen"


def test_a_robustness_set_on_china(tmp_path, mainland):
    rng = np.random.default_rng(0)
    rows = [(code, year, float(rng.lognormal(10, 0.5))) for code in mainland["adcode"] for year in (2018, 2019)]
    pd.DataFrame(rows, columns=["adcode", "year", "gdp_pc"]).sample(frac=1, random_state=1).to_csv(
        tmp_path / "panel.csv", index=False)
    from weights import build

    own = build(mainland, kind="rook", id="adcode", islands="connect").graph
    write_weights(own, tmp_path / "own.gal")
    (tmp_path / "analysis.toml").write_text("""
[project]
output = "out"
[panel]
path = "panel.csv"
id = "adcode"
time = "year"
[boundaries]
dataset = "china_provinces"
id = "adcode"
restrict = "intersection"          # the panel has the 31 mainland provinces
[weights.queen]
kind = "queen"
islands = "connect"
formats = ["csv", "mat"]
[weights.invdist]
kind = "inverse_distance"
alpha = 2
metric = "haversine"
points_dataset = "china_capitals"
points_id = "province_adcode"
transform = "none"
[weights.econ]
kind = "economic"
variable = "gdp_pc"
periods = "2019:2019"
[weights.nested]
kind = "nested"
distance = "invdist"
variable = "gdp_pc"
[weights.mix]
kind = "mixed"
of = ["queen", "econ"]
phi = 0.5
[weights.own]
kind = "file"
path = "own.gal"
""", encoding="utf-8")
    from spatial.config import load_config
    from spatial.errors import DroppedDataWarning

    with pytest.warns(DroppedDataWarning):
        ctx = run(load_config(tmp_path / "analysis.toml"), echo=lambda _: None)
    graphs = ctx.results["weights"]
    entities = [str(e) for e in ctx.panel.entities]
    assert all([str(i) for i in g.unique_ids] == entities for g in graphs.values())
    assert graphs["queen"].neighbors["460000"] == ("440000",)
    # nested = row-standardise(W_d diag(Ybar_i / Ybar)) with W_d the unstandardised 1/d^2
    wide = ctx.panel.wide("gdp_pc")
    expected = matrix_of(graphs["invdist"]).toarray() @ np.diag(wide.mean(axis=1) / wide.to_numpy().mean())
    expected /= expected.sum(axis=1, keepdims=True)
    assert_allclose(matrix_of(graphs["nested"]).toarray(), expected, rtol=1e-12)
    mix = 0.5 * matrix_of(graphs["queen"]).toarray() + 0.5 * matrix_of(graphs["econ"]).toarray()
    assert_allclose(matrix_of(graphs["mix"]).toarray(), mix / mix.sum(axis=1, keepdims=True), rtol=1e-12)
    assert graphs["own"].n_edges == own.n_edges
    assert (tmp_path / "out" / "weights_queen.mat").is_file()
    summary = (tmp_path / "out" / "weights_summary.txt").read_text(encoding="utf-8")
    assert "460000 <-> 440000" in summary and "'mix'" in summary


def test_a_name_keyed_study_of_the_mainland_uses_bundled_capitals_and_a_whole_layer_file(tmp_path):
    """The new-user path of issue 13: a table keyed by Chinese names, keep = "mainland", the capitals'
    1/d^2 W without naming the capitals' id column (the bundled dataset's id is the default), and a W
    file of all 34 units that follows the study area (the three units outside it leave it, recorded)."""
    from spatial import datasets
    from spatial.config import load_config
    from spatial.errors import DroppedDataWarning
    from weights import build

    layer = datasets.load("china_provinces")
    rng = np.random.default_rng(1)
    pd.DataFrame([(name, year, float(rng.lognormal(10, 0.5))) for name in layer["name_zh"] for year in (2018, 2019)],
                 columns=["province", "year", "gdp_pc"]).to_csv(tmp_path / "panel.csv", index=False)
    write_weights(build(layer, kind="queen", id="adcode", islands="connect").graph, tmp_path / "all34.gal")
    (tmp_path / "study.toml").write_text("""
[project]
output = "out"
""" + mainland_by_name() + """[weights.W1]
kind = "inverse_distance"
alpha = 2
metric = "haversine"
points_dataset = "china_capitals"
[weights.own]
kind = "file"
path = "all34.gal"
""", encoding="utf-8")
    with pytest.warns(DroppedDataWarning):
        ctx = run(load_config(tmp_path / "study.toml"), echo=lambda _: None)
    graphs = ctx.results["weights"]
    assert ctx.panel.n_units == 31
    assert all(len(g.unique_ids) == 31 for g in graphs.values())
    assert "710000" not in {str(i) for i in graphs["own"].unique_ids}
    assert_allclose(matrix_of(graphs["W1"]).sum(axis=1), 1.0)
