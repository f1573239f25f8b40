"""`spatial moran|lisa|hotspots` and the [esda] pipeline step, on the bundled US panel."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from spatial.cli import main
from spatial.datasets import path as dataset_path


def _inputs() -> list[str]:
    return [str(dataset_path("us_produc")), "--id", "fips", "--time", "year",
            "--boundaries", str(dataset_path("us48_states"))]


def test_moran_command_writes_table_and_figure(tmp_path, capsys):
    out = tmp_path / "moran.csv"
    code = main(["moran", *_inputs(), "--variables", "unemp,gsp", "--periods", "1970,1986", "--seed", "5",
                 "--statistics", "moran,geary", "--out", str(out), "--figure", str(tmp_path / "trend")])
    assert code == 0
    table = pd.read_csv(out)
    assert set(table["statistic"]) == {"moran_i", "geary_c"} and set(table["period"]) == {1970, 1986}
    assert set(table.loc[table["inference"] == "permutation", "seed"]) == {5}
    assert (tmp_path / "trend.png").is_file() and (tmp_path / "trend.svg").is_file()
    assert "Moran's I by period" in capsys.readouterr().out


def test_moran_command_bivariate_json(tmp_path):
    out = tmp_path / "bv.json"
    assert main(["moran", *_inputs(), "--variables", "unemp", "--bivariate", "emp", "--periods", "1986",
                 "--seed", "1", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["statistics"][0]["lag_variable"] == "emp" and data["seed"] == 1


def test_lisa_command_with_transitions_and_labels(tmp_path, capsys):
    out = tmp_path / "lisa.csv"
    code = main(["lisa", *_inputs(), "--variables", "unemp", "--periods", "1986", "--seed", "3", "--adjust", "fdr",
                 "--out", str(out), "--transitions", "1970,1986", "--figure", str(tmp_path / "scatter"),
                 "--labels", "postal"])
    assert code == 0
    table = pd.read_csv(out, dtype={"id": str})
    assert set(table["period"]) == {1970, 1986} and set(table["seed"]) == {3}
    moves = pd.read_csv(tmp_path / "lisa_transitions.csv")
    assert len(moves) == 48 and set(moves["start"]) == {1970}
    assert (tmp_path / "scatter.png").is_file()
    assert "type I: the unit moved" in capsys.readouterr().out


def test_hotspots_command(tmp_path):
    out = tmp_path / "hot.csv"
    assert main(["hotspots", *_inputs(), "--variables", "unemp", "--periods", "1986", "--permutations", "0",
                 "--out", str(out)]) == 0
    table = pd.read_csv(out)
    assert len(table) == 48 and table["category"].str.contains("spot").any()


def test_weights_file(tmp_path):
    from libpysal.graph import Graph

    from spatial import datasets

    states = datasets.load("us48_states").set_index("fips")
    Graph.build_contiguity(states, rook=True).to_gal(str(tmp_path / "rook.gal"))
    out = tmp_path / "m.csv"
    assert main(["moran", str(dataset_path("us_produc")), "--id", "fips", "--time", "year", "--variables", "unemp",
                 "--weights", str(tmp_path / "rook.gal"), "--permutations", "0", "--out", str(out)]) == 0
    assert len(pd.read_csv(out)) == 34  # 17 periods x normality, randomisation


def test_pipeline_step(tmp_path):
    from spatial.config import validate_config
    from spatial.pipeline import run

    config = validate_config({
        "panel": {"dataset": "us_produc", "id": "fips", "time": "year", "variables": ["gsp", "unemp"]},
        "boundaries": {"dataset": "us48_states"},
        "esda": {"variables": ["gsp", "unemp"], "periods": [1980, 1986], "seed": 1, "lisa": ["unemp"],
                 "hot_spots": ["unemp"], "labels": "postal"},
    })
    lines: list[str] = []
    ctx = run(config, output=tmp_path / "out", echo=lines.append)
    results = ctx.results["esda"]  # typed: the result objects themselves
    assert results.lisa is not None and results.transitions and results.hot_spots is not None
    assert results.failed is None
    assert set(results.global_autocorrelation.table["period"]) == {1980, 1986}
    written = set(ctx.outputs)
    assert {"esda_global.csv", "esda_global.json", "esda_lisa.csv", "esda_transitions.csv", "esda_hot_spots.csv",
            "esda_moran_over_time.png", "esda_scatter_unemp_1986.svg"} <= written
    assert any("Moran's I by period" in line for line in lines)


def test_pipeline_uses_named_weights_from_the_weights_step(us_panel, us_graph):
    from libpysal.graph import Graph

    from spatial.config import validate_config
    from spatial.pipeline import RunContext
    from spatial.steps.esda import _esda_step

    config = validate_config({"panel": {"dataset": "us_produc", "id": "fips", "time": "year"},
                              "esda": {"variables": ["unemp"], "periods": [1986], "permutations": 0,
                                       "weights": "rook"}})
    rook = Graph.build_contiguity(us_panel.geometry, rook=True)
    ctx = RunContext(config=config, output=None, echo=lambda _: None, panel=us_panel,
                     results={"weights": {"queen": us_graph, "rook": rook}})
    _esda_step(ctx)
    from spatial.esda import moran

    expected = moran(us_panel, rook, "unemp", periods=1986, permutations=0).table
    pd.testing.assert_frame_equal(ctx.results["esda"].global_autocorrelation.table, expected)
    assert ctx.results["esda"].weights == "rook"
    bad = validate_config({"panel": {"dataset": "us_produc", "id": "fips", "time": "year"},
                           "esda": {"permutations": 0, "weights": "knn"}})
    with pytest.raises(ValueError, match="'knn' is not among the weights built: queen, rook"):
        _esda_step(RunContext(config=bad, output=None, panel=us_panel, results={"weights": {"queen": us_graph,
                                                                                             "rook": rook}}))


def test_demo_config_prints_the_moran_series(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Moran's I by period" in out
    header = next(line for line in out.splitlines() if line.split()[:5] == ["gsp", "pcap", "pc", "emp", "unemp"])
    assert header
