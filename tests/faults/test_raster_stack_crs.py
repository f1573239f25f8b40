"""RELIABILITY A3 for `spatial zonal`: several spatial inputs in different CRSs.

Polygons in another CRS than the raster are reprojected to the raster's CRS and the
reprojection is stated (warning, result spec, run.json and report); a stack whose layers differ
in CRS, resolution or grid is refused naming the layers, with nothing written.
"""

from __future__ import annotations

import numpy as np
import pytest

from spatial.errors import CRSError, RasterFileError
from spatial.raster import zonal_panel
from spatial.raster._grid import ReprojectionWarning
from tests.faults.test_raster_faults import run_cli, units
from tests.spatial.raster.synthetic import write_raster

PATTERN = r"_(?P<period>\d{4})\.tif"


def stack(folder, odd: dict):
    """Three yearly layers on one 1 m grid; ``odd`` overrides write_raster options of 2002."""
    for year in (2001, 2002, 2003):
        options = odd if year == 2002 else {}
        shape = options.pop("shape", (8, 8)) if year == 2002 else (8, 8)
        write_raster(folder / f"ndvi_{year}.tif", np.full(shape, float(year)), **dict(options))
    return folder


@pytest.mark.parametrize(
    ("odd", "error", "fragment"),
    [
        ({"crs": "EPSG:32650"}, CRSError,
         r"2 different CRSs \(EPSG:3857 \(WGS 84 / Pseudo-Mercator\): 'ndvi_2001.tif', 'ndvi_2003.tif'; "
         r"EPSG:32650 \(WGS 84 / UTM zone 50N\): 'ndvi_2002.tif'\)"),
        ({"res": 0.5, "shape": (16, 16)}, RasterFileError, r"differ in resolution: 'ndvi_2002.tif \(0.5 x 0.5"),
        ({"west": 1.0}, RasterFileError, r"differ in grid \(origin or rows x columns\): 'ndvi_2002.tif .*from \(1, 8\)"),
        ({"shape": (9, 8), "north": 8.0}, RasterFileError, r"differ in grid .*'ndvi_2002.tif \(1 x 1, 9 x 8 pixels"),
    ],
)
def test_a3_stack_layers_that_differ_are_refused_by_name(tmp_path, odd, error, fragment):
    stack(tmp_path, dict(odd))
    with pytest.raises(error, match=fragment):
        zonal_panel(units().iloc[:2], tmp_path, id="code", pattern=PATTERN)


def test_a3_stack_mismatch_through_the_cli_writes_nothing(tmp_path, capsys):
    stack(tmp_path, {"crs": "EPSG:32650"})
    units().iloc[:2].to_file(tmp_path / "units.gpkg")
    code, err = run_cli(["zonal", tmp_path, "--boundaries", tmp_path / "units.gpkg", "--id", "code",
                         "--pattern", PATTERN, "--out", tmp_path / "z.csv"], tmp_path, capsys)
    assert code == 2 and "different CRSs" in err and "ndvi_2002.tif" in err, err


def test_a3_reprojection_of_the_polygons_is_stated(tmp_path, capsys):
    raster = write_raster(tmp_path / "dem.tif", np.arange(64.0).reshape(8, 8))
    lonlat = units().iloc[:2].to_crs("EPSG:4326")
    with pytest.warns(ReprojectionWarning, match=r"reprojected from EPSG:4326 \(WGS 84\) to the rasters' CRS "
                                                  r"EPSG:3857 \(WGS 84 / Pseudo-Mercator\)"):
        result = zonal_panel(lonlat, raster, id="code")
    assert "EPSG:4326" in result.spec["reprojection"]
    same = zonal_panel(units().iloc[:2], raster, id="code")
    assert same.spec["reprojection"] is None
    np.testing.assert_allclose(result.table.iloc[:, 1], same.table.iloc[:, 1], rtol=1e-6)

    lonlat.to_file(tmp_path / "units.gpkg")
    from spatial.cli import main

    assert main(["zonal", str(raster), "--boundaries", str(tmp_path / "units.gpkg"), "--id", "code",
                 "--out", str(tmp_path / "z.csv")]) == 0
    assert "warning: the boundaries were reprojected from EPSG:4326" in capsys.readouterr().err


def test_a3_reprojection_in_run_json_and_the_report(tmp_path, capsys):
    import json

    from spatial.cli import main

    write_raster(tmp_path / "dem.tif", np.arange(64.0).reshape(8, 8))
    units().iloc[:2].to_crs("EPSG:4326").to_file(tmp_path / "units.gpkg")
    (tmp_path / "panel.csv").write_text("code,year,gdp\n01,2001,1\n02,2001,2\n01,2002,3\n02,2002,5\n")
    (tmp_path / "a.toml").write_text(
        '[panel]\npath = "panel.csv"\nid = "code"\ntime = "year"\n\n[boundaries]\npath = "units.gpkg"\n\n'
        '[rasters]\npath = "dem.tif"\nname = "elev"\nmaps = false\n\n[report]\n', encoding="utf-8")
    assert main(["run", str(tmp_path / "a.toml"), "--out", str(tmp_path / "out")]) == 0, capsys.readouterr().err
    record = json.loads((tmp_path / "out" / "run.json").read_text())
    raster = [i for i in record["inputs"] if i.get("role") == "raster"]
    assert raster and "reprojected from EPSG:4326" in raster[0]["reprojection"]
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Reprojection: the boundaries were reprojected from EPSG:4326 (WGS 84)" in html
