"""RELIABILITY A4 for `spatial weights build`: the geometry checks of `spatial check`.

A bow-tie, a spike (ring self-intersection) and non-finite coordinates stop the build with the
ids and shapely's reason, before anything is written; ``--repair make_valid`` repairs and lists
the first two, never the third.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely import Polygon, box

from spatial.cli import main
from tests.faults.test_input_faults import expect_error

BOWTIE = Polygon([(1, 0), (2, 1), (2, 0), (1, 1), (1, 0)])
SPIKE = Polygon([(1, 0), (2, 0), (2, 1), (2, 2), (2, 1), (1, 1), (1, 0)])
NONFINITE = Polygon([(1, 0), (2, 0), (np.inf, 1), (1, 1)])


def layer(folder, middle, name):
    frame = gpd.GeoDataFrame({"code": ["a", "b", "c"]}, geometry=[box(0, 0, 1, 1), middle, box(2, 0, 3, 1)],
                             crs="EPSG:3857")
    path = folder / f"{name}.parquet"  # GeoParquet keeps every coordinate as written (inf included)
    frame.to_parquet(path)
    return path


def build(path, *extra):
    return ["weights", "build", path, "--id", "code", "--kind", "queen", "--out", path.parent / "w.gal", *extra]


@pytest.mark.parametrize(("geometry", "reason"), [(BOWTIE, "Self-intersection"), (SPIKE, "Ring Self-intersection")])
def test_a4_invalid_polygons_stop_the_build_and_can_be_repaired(tmp_path, capsys, geometry, reason):
    path = layer(tmp_path, geometry, "units")
    err = expect_error(build(path), tmp_path, capsys, "1 invalid polygons", f"b: {reason}", "--repair make_valid")
    assert "not an option" not in err
    assert main([str(a) for a in build(path, "--repair", "make_valid")]) == 0
    err = capsys.readouterr().err
    assert "repair b: repaired - make_valid" in err and (tmp_path / "w.gal").exists()


def test_a4_non_finite_coordinates_are_never_repaired(tmp_path, capsys):
    path = layer(tmp_path, NONFINITE, "units")
    for extra in ([], ["--repair", "make_valid"]):
        expect_error(build(path, *extra), tmp_path, capsys, "1 polygons have non-finite",
                     "b (Invalid Coordinate[inf 1])")


def test_a4_empty_geometry_as_in_check(tmp_path, capsys):
    from shapely import Polygon as P

    path = layer(tmp_path, P(), "units")
    err = expect_error(build(path), tmp_path, capsys, "b (empty)", "--drop-bad-geometry")
    assert "not an option" not in err
    assert main([str(a) for a in build(path, "--drop-bad-geometry", "--islands", "connect")]) == 0
    assert "repair b: dropped - geometry empty" in capsys.readouterr().err
