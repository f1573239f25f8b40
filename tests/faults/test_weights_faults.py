"""Bad weights input (shared/RELIABILITY.md section D, and A6), through the CLI and the Python API.

Each error case asserts the exception class (or exit code 2 with one line on stderr), part of
the message, and that no file in the working folder was created or changed.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import box

from spatial import datasets
from spatial.cli import main
from tests.conftest import folder_snapshot
from weights import IslandWarning, WeightsError, build, read_weights, summarize, write_weights
from weights._graph import graph_from_sparse


def run_cli(args: list, folder: Path, capsys) -> tuple[int, str]:
    before = folder_snapshot(folder)
    code = main([str(a) for a in args])
    err = capsys.readouterr().err
    assert folder_snapshot(folder) == before, "a failing command must not write or change files"
    return code, err


def expect_error(args, folder, capsys, *fragments: str) -> str:
    code, err = run_cli(args, folder, capsys)
    assert code == 2, err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and err.strip().endswith(errors[0]), err
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    return err


def expect_raise(folder: Path, func, error, match: str):
    before = folder_snapshot(folder)
    with pytest.raises(error, match=match):
        func()
    assert folder_snapshot(folder) == before


@pytest.fixture
def folder(tmp_path) -> Path:
    return tmp_path


# D1: islands (zero rows) ------------------------------------------------------------------------


def test_d1_islands_are_listed_and_stay_zero_rows_never_nan(folder):
    provinces = datasets.load("china_provinces")
    mainland = provinces[provinces["mainland"]]
    with pytest.warns(IslandWarning, match="460000"):
        built = build(mainland, kind="queen", id="adcode", transform="row")
    assert list(map(str, built.graph.isolates)) == ["460000"]
    assert not np.isnan(built.graph.adjacency.to_numpy()).any()
    assert "islands: 1 ('460000')" in str(built.summary())
    write_weights(built.graph, folder / "w.gwt")
    assert "460000 460000 0" in (folder / "w.gwt").read_text(encoding="utf-8")


def test_d1_connect_without_locations_is_refused(folder):
    from weights import apply_island_policy

    lonely = graph_from_sparse(np.array([[0, 1.0, 0], [1.0, 0, 0], [0, 0, 0]]), ["a", "b", "c"])
    expect_raise(folder, lambda: apply_island_policy(lonely, "connect"), WeightsError, "geometries or points")


# D2: disconnected components ----------------------------------------------------------------------


def test_d2_components_are_reported_with_their_sizes():
    layer = gpd.GeoDataFrame({"code": list("abcd")}, crs="EPSG:3857",
                             geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(5, 0, 6, 1), box(6, 0, 7, 1)])
    with pytest.warns(IslandWarning, match=r"2 components \(sizes 2, 2\)"):
        w = build(layer, kind="rook", id="code").graph
    assert "spillovers cannot cross components" in str(summarize(w))


# D3: asymmetric W ----------------------------------------------------------------------------------


def test_d3_asymmetry_is_flagged_in_the_summary():
    states = datasets.load("us48_states")
    w = build(states, kind="knn", id="fips", k=3, metric="haversine").graph
    summary = summarize(w)
    assert not summary.symmetric and "links lack an equal reverse link" in str(summary)
    assert summary.eigen_method == "dense, real parts"


# D4: invalid entries ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("content", "fragments"), [
    ("0 3 u id\na b 1\nb a 1\nc c 2\n", ["units are their own neighbours", "'c'", "allow_self"]),
    ("0 2 u id\na b -1\nb a 1\n", ["negative weights", "('a', 'b')"]),
    ("0 2 u id\na b nan\nb a 1\n", ["missing (NaN) weights", "('a', 'b')"]),
    ("0 2 u id\na b inf\nb a 1\n", ["infinite weights", "('a', 'b')"]),
    ("0 2 u id\na b 0\nb a 0\n", ["every weight is zero"]),
    ("0 2 u id\na b 1\na b 1\n", ["repeats links", "a->b"]),
    ("0 2 u id\na b\n", ["line 2", "expected 'focal neighbour weight'"]),
])
def test_d4_bad_gwt_entries_are_located(folder, capsys, content, fragments):
    (folder / "bad.gwt").write_text(content, encoding="utf-8")
    expect_error(["weights", "convert", folder / "bad.gwt", "--out", folder / "out.gal"], folder, capsys, *fragments)
    expect_error(["weights", "info", folder / "bad.gwt"], folder, capsys, fragments[0])


@pytest.mark.parametrize(("content", "fragment"), [
    ("id,a,b,c\na,0,1,0\nb,1,0,0\n", "a weights matrix must be square"),
    ("id,a,x\na,0,1\nb,1,0\n", "1 only in the columns of bad.csv ('x'), 1 only in the data ('b')"),
    ("id,a,b\na,0,one\nb,1,0\n", "(a, b) = 'one'"),
    ("id,a,b\na,0,\nb,1,0\n", "empty or non-numeric cells"),
    ("id,a,b\na,1,1\nb,1,0\n", "units are their own neighbours"),
])
def test_d4_bad_full_matrices(folder, capsys, content, fragment):
    (folder / "bad.csv").write_text(content, encoding="utf-8")
    expect_error(["weights", "convert", folder / "bad.csv", "--out", folder / "out.gal"], folder, capsys, fragment)


def test_d4_self_neighbours_only_when_allowed(folder):
    (folder / "self.gwt").write_text("0 2 u id\na a 1\na b 1\nb a 1\n", encoding="utf-8")
    expect_raise(folder, lambda: read_weights(folder / "self.gwt"), WeightsError, "own neighbours")
    assert read_weights(folder / "self.gwt", allow_self=True).adjacency[("a", "a")] == 1.0


# C1/D4: ids that do not match the data ---------------------------------------------------------------


def test_ids_that_differ_from_the_data_are_listed(folder):
    write_weights(graph_from_sparse(np.array([[0, 1.0], [1.0, 0]]), ["01", "02"]), folder / "w.gal")
    expect_raise(folder, lambda: read_weights(folder / "w.gal", ids=["1", "2"]), WeightsError,
                 r"2 only in the weights file w.gal \('01', '02'\), 2 only in the data \('1', '2'\).*leading zeros")


# A2: distance weights on a geographic CRS --------------------------------------------------------------


def test_a2_distances_on_lonlat_need_a_great_circle_choice(folder, capsys):
    expect_error(["weights", "build", datasets.path("us48_states"), "--id", "fips", "--kind", "inverse_distance",
                  "--out", folder / "w.gwt"], folder, capsys, "geographic CRS", "--metric haversine")


# D5: thresholds ------------------------------------------------------------------------------------------


def test_d5_a_threshold_that_leaves_islands_names_the_smallest_that_does_not(folder, capsys):
    expect_error(["weights", "build", datasets.path("us48_states"), "--id", "fips", "--kind", "distance_band",
                  "--metric", "haversine", "--threshold", "100", "--out", folder / "w.gwt"], folder, capsys,
                 "leaves", "the smallest distance that gives every unit a neighbour is", "km")


def test_d5_a_threshold_too_large_fails_before_allocating(folder, capsys):
    rng = np.random.default_rng(0)
    pd.DataFrame({"id": [f"p{k}" for k in range(3000)], "x": rng.random(3000), "y": rng.random(3000)}).to_csv(
        folder / "points.csv", index=False)
    expect_error(["weights", "build", folder / "points.csv", "--id", "id", "--xy", "x,y", "--metric", "euclidean",
                  "--kind", "distance_band", "--threshold", "10", "--max-links", "1000000", "--out", folder / "w.gwt"],
                 folder, capsys, "would link about 8,997,000 pairs", "use k nearest neighbours")


# duplicate points for knn; all-equal values for economic distance -----------------------------------------


def test_duplicate_points_for_knn(folder, capsys):
    pd.DataFrame({"id": ["a", "b", "c"], "x": [1.0, 1.0, 2.0], "y": [0.0, 0.0, 0.0]}).to_csv(
        folder / "points.csv", index=False)
    expect_error(["weights", "build", folder / "points.csv", "--id", "id", "--xy", "x,y", "--metric", "euclidean",
                  "--kind", "knn", "--k", "1", "--out", folder / "w.gwt"], folder, capsys, "'a=b'", "duplicates='keep'")


def test_all_equal_values_for_economic_distance(folder, capsys):
    pd.DataFrame({"id": ["a", "b", "c"], "year": [2020] * 3, "gdp": [5.0] * 3}).to_csv(
        folder / "values.csv", index=False)
    expect_error(["weights", "build", folder / "values.csv", "--id", "id", "--time", "year", "--kind", "economic",
                  "--variable", "gdp", "--out", folder / "w.gwt"], folder, capsys, "same mean", "undefined")


# A6: topology defects that produce spurious islands ---------------------------------------------------------


def test_a6_spurious_islands_warn_and_strict_or_tolerance_fix_them(folder):
    cells = [box(k, 0, k + 1, 1) for k in range(5)]
    cells[2] = box(2.0004, 0, 2.9996, 1)  # slivers on both sides of the middle unit
    layer = gpd.GeoDataFrame({"code": [f"0{k}" for k in range(5)]}, geometry=cells, crs="EPSG:3857")
    with pytest.warns(IslandWarning, match="retry with strict=True or a snapping tolerance"):
        built = build(layer, kind="queen", id="code")
    assert built.islands.islands == ("02",)
    with warnings.catch_warnings():
        warnings.simplefilter("error", IslandWarning)
        fixed = build(layer, kind="queen", id="code", tolerance=0.001)
    assert fixed.graph.neighbors["02"] == ("01", "03")
    assert fixed.options["method"] == "tolerance" and "tolerance=0.001" in fixed.describe()[0]


# G2 for weights files: never over an input -----------------------------------------------------------------


def test_convert_refuses_to_write_over_its_input(folder, capsys):
    write_weights(graph_from_sparse(np.array([[0, 1.0], [1.0, 0]]), ["a", "b"]), folder / "w.gal")
    expect_error(["weights", "convert", folder / "w.gal", "--out", folder / "w.gal"], folder, capsys,
                 "it is one of the inputs")
    expect_error(["weights", "build", datasets.path("us48_states"), "--id", "fips", "--kind", "queen",
                  "--out", folder / "w.gal"], folder, capsys, "already exists", "--overwrite")
