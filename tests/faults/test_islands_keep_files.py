"""RELIABILITY D5 with ``--islands keep``: every file `spatial weights build` writes, `weights info` reads.

Islands kept on request are written and read back in every format; a W without any link (a
distance band below every nearest-neighbour distance, or disjoint polygons) is refused at build
time, naming the smallest distance that links every unit, and nothing is written.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely import box

from spatial.cli import main
from tests.faults.test_input_faults import expect_error

FORMATS = ["gal", "gwt", "csv", "xlsx", "mtx", "mat", "dta"]


@pytest.fixture
def units(tmp_path):
    layer = gpd.GeoDataFrame({"code": ["a", "b", "c", "d"]},
                             geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1), box(10, 10, 11, 11)],
                             crs="EPSG:3857")
    layer.to_file(tmp_path / "units.gpkg")
    apart = gpd.GeoDataFrame({"code": ["a", "b"]}, geometry=[box(0, 0, 1, 1), box(5, 5, 6, 6)], crs="EPSG:3857")
    apart.to_file(tmp_path / "apart.gpkg")
    return tmp_path


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", [["--kind", "queen"], ["--kind", "distance_band", "--threshold", "1.5"]])
def test_d5_kept_islands_are_written_so_that_info_reads_them(units, capsys, fmt, kind):
    out = units / f"w.{fmt}"
    code = main([str(a) for a in ["weights", "build", units / "units.gpkg", "--id", "code", *kind,
                                  "--islands", "keep", "--out", out]])
    err = capsys.readouterr().err
    assert code == 0 and "islands kept as zero rows ('d')" in err, err
    code = main(["weights", "info", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "island" in captured.out.lower()


@pytest.mark.parametrize("fmt", ["gal", "gwt", "csv", "mtx"])
def test_d5_threshold_below_every_neighbour_is_refused_with_the_minimum(units, capsys, fmt):
    args = ["weights", "build", units / "units.gpkg", "--id", "code", "--kind", "distance_band",
            "--threshold", "0.001", "--islands", "keep", "--out", units / f"w.{fmt}"]
    expect_error(args, units, capsys, "leaves 4 of 4 units without neighbours",
                 "the smallest distance that gives every unit a neighbour is")


def test_d5_polygons_without_any_contiguity_are_refused(units, capsys):
    args = ["weights", "build", units / "apart.gpkg", "--id", "code", "--kind", "queen", "--islands", "keep",
            "--out", units / "w.gal"]
    expect_error(args, units, capsys, "queen weights of these 2 units have no link at all")


def test_d5_writer_refuses_what_the_reader_rejects(tmp_path):
    import numpy as np
    from scipy import sparse

    from weights import WeightsError, write_weights
    from weights._graph import graph_from_sparse

    empty = graph_from_sparse(sparse.csr_array(np.zeros((2, 2))), ["a", "b"])
    with pytest.raises(WeightsError, match="every weight is zero"):
        write_weights(empty, tmp_path / "w.gwt")
    assert list(tmp_path.iterdir()) == []
