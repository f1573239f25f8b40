"""E5 and C1 for spatial autocorrelation: degenerate variables, few permutations, mismatched ids,
absent periods, a missing seed. Each CLI case checks the exit code, the message, and that no
output file was created."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from spatial import SpatialPanel
from spatial.cli import main
from spatial.errors import IdMismatchError, MissingDataError, SchemaError
from spatial.esda import (
    PermutationWarning,
    UndefinedStatisticError,
    global_autocorrelation,
    hot_spots,
    local_moran,
    moran,
    moran_residuals,
)
from spatial.esda._input import undefined_reason
from tests.conftest import folder_snapshot
from tests.helpers import grid_layer, long_panel


@pytest.fixture
def grid():
    from libpysal.graph import Graph

    ids = [f"{i:03d}" for i in range(8)]
    layer = grid_layer(ids)
    table = long_panel(ids, [2000, 2001])
    return ids, layer, table, Graph.build_contiguity(layer.set_index("code"), rook=True)


def test_e5_constant_variable_others_still_computed(grid):
    ids, layer, table, graph = grid
    panel = SpatialPanel(table.assign(flat=1.5), id="code", time="year", geometry=layer, geometry_id="code")
    for function in (moran, local_moran, hot_spots):
        with pytest.raises(UndefinedStatisticError, match=r"'flat' \(it is constant \(1.5 for all 8 units") as caught:
            function(panel, graph, ["gdp", "flat", "pop"], permutations=0)
        assert caught.value.partial is not None and set(caught.value.partial.table["variable"]) == {"gdp", "pop"}
        clean = function(panel, graph, ["gdp", "pop"], permutations=0)
        pd.testing.assert_frame_equal(caught.value.partial.table, clean.table)


def test_e5_all_missing_values():
    ids = pd.Index(["a", "b", "c", "d"])
    assert undefined_reason(np.full(4, np.nan), ids) == "all values are missing"
    assert undefined_reason(np.array([1.0, np.nan, 2.0, 3.0]), ids) == "1 missing values (units 'b')"
    # in a panel, missing values are refused when it is built; an all-missing variable never gets through
    with pytest.raises(MissingDataError, match="empty: 2"):
        SpatialPanel(pd.DataFrame({"code": ["a", "b"], "gdp": [1.0, 2.0], "empty": [np.nan, np.nan]}), id="code")
    from libpysal.graph import Graph

    graph = Graph.from_arrays(["a", "b", "c", "d"], ["b", "c", "d", "a"], [1.0] * 4)
    with pytest.raises(MissingDataError, match="all residuals are missing; Moran's I is undefined"):
        moran_residuals(pd.Series(np.nan, index=list("abcd")), graph)


def test_e5_few_permutations_warn_with_the_floor(grid):
    ids, layer, table, graph = grid
    panel = SpatialPanel(table, id="code", time="year", geometry=layer, geometry_id="code")
    with pytest.warns(PermutationWarning, match=r"1/\(50\+1\) = 0.0196; use at least 99"):
        result = moran(panel, graph, "gdp", permutations=50, seed=1)
    assert result.table.loc[result.table["inference"] == "permutation", "p_upper"].min() >= 1 / 51


def test_c1_weights_and_panel_ids_differ(grid):
    from libpysal.graph import Graph

    ids, layer, table, graph = grid
    panel = SpatialPanel(table, id="code", time="year")
    other = Graph.from_arrays([str(int(i)) for i in ids], [str(int(i)) for i in ids[1:] + ids[:1]], [1.0] * len(ids))
    for function in (moran, local_moran, hot_spots):
        expected = r"8 only in the panel \('000', '001'.*8 only in the weights \('0', '1'"
        with pytest.raises(IdMismatchError, match=expected):
            function(panel, other, "gdp", permutations=0)


def test_absent_period_and_unknown_variable(grid):
    ids, layer, table, graph = grid
    panel = SpatialPanel(table, id="code", time="year")
    with pytest.raises(SchemaError, match=r"period 1999 is not in the panel \(periods: 2000, 2001\)"):
        global_autocorrelation(panel, graph, "gdp", periods=[2000, 1999], permutations=0)
    with pytest.raises(SchemaError, match="did you mean 'gdp'"):
        local_moran(panel, graph, "gpd", permutations=0)


def _cli_inputs(tmp_path: Path, table: pd.DataFrame, layer) -> list[str]:
    table.to_csv(tmp_path / "panel.csv", index=False)
    layer.to_file(tmp_path / "units.gpkg")
    return [str(tmp_path / "panel.csv"), "--id", "code", "--time", "year", "--boundaries", str(tmp_path / "units.gpkg"),
            "--contiguity", "rook"]


@pytest.mark.parametrize(("args", "fragment"), [
    (["moran", "--variables", "gdp"], "--seed is required with --permutations 999"),
    (["lisa", "--variables", "gdp", "--permutations", "0", "--periods", "1999"], "period 1999 is not in the panel"),
    (["hotspots", "--variables", "gdp,flat", "--permutations", "0"], "'flat' (it is constant"),
    (["moran", "--variables", "gdp", "--seed", "1", "--out", "bad.txt"], "--out must end in .csv or .json"),
])
def test_cli_errors_exit_2_and_write_nothing(grid, tmp_path, capsys, args, fragment):
    ids, layer, table, graph = grid
    inputs = _cli_inputs(tmp_path, table.assign(flat=1.0), layer)
    before = folder_snapshot(tmp_path)
    out = [] if "--out" in args else ["--out", str(tmp_path / "result.csv")]
    code = main([args[0], *inputs, *args[1:], *out])
    assert code == 2
    assert fragment in capsys.readouterr().err
    assert folder_snapshot(tmp_path) == before  # also when only 'flat' failed: nothing without --partial (E5)


def test_cli_ids_differ_from_weights_file(grid, tmp_path, capsys):
    from libpysal.graph import Graph

    ids, layer, table, graph = grid
    table.to_csv(tmp_path / "panel.csv", index=False)
    Graph.from_arrays([str(int(i)) for i in ids], [str(int(i)) for i in ids[1:] + ids[:1]],
                      [1.0] * len(ids)).to_gal(str(tmp_path / "w.gal"))
    before = folder_snapshot(tmp_path)
    code = main(["moran", str(tmp_path / "panel.csv"), "--id", "code", "--time", "year", "--weights",
                 str(tmp_path / "w.gal"), "--permutations", "0", "--out", str(tmp_path / "m.csv")])
    assert code == 2
    err = capsys.readouterr().err
    assert "panel and the weights file w.gal ids differ: 8 only in the panel ('000'" in err
    assert "pass --id-normalize zfill3" in err
    assert folder_snapshot(tmp_path) == before
