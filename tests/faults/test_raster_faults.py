"""Bad raster input (shared/RELIABILITY.md, raster cases of issue 9): the exception class, the
message naming the problem and the fix, and no output created or changed.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import box

from spatial.cli import main
from spatial.errors import (
    CoverageWarning,
    CRSError,
    MissingDataError,
    RasterFileError,
    SchemaError,
    SpatialPanelError,
)
from spatial.raster import zonal_panel, zonal_stats
from tests.conftest import folder_snapshot
from tests.spatial.raster.synthetic import write_raster


def units(crs: str = "EPSG:3857") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"code": ["01", "02", "03"]},
                            geometry=[box(0, 0, 2, 2), box(2, 0, 4, 2), box(40, 40, 41, 41)], crs=crs)


def run_cli(args: list, folder: Path, capsys) -> tuple[int, str]:
    before = folder_snapshot(folder)
    code = main([str(a) for a in args])
    err = capsys.readouterr().err
    assert folder_snapshot(folder) == before, "a failing command must not write or change files"
    return code, err


def test_raster_without_crs_is_refused_unless_a_crs_is_assumed(tmp_path):
    path = write_raster(tmp_path / "nocrs.tif", np.ones((4, 4)), crs=None)
    with pytest.raises(CRSError, match=r"nocrs.tif has no coordinate reference system.*assume_crs='EPSG:XXXX'"):
        zonal_stats(units().iloc[:2], path, id="code")
    table = zonal_stats(units().iloc[:2], path, id="code", assume_crs="EPSG:3857")
    assert table["nocrs_mean"].tolist() == [1.0, 1.0]


def test_polygons_entirely_outside_get_nan_and_a_warning_never_zero(tmp_path):
    path = write_raster(tmp_path / "small.tif", np.full((4, 4), 5.0))
    with pytest.warns(CoverageWarning, match=r"1 polygons lie entirely outside small.tif: '03'.*NaN \(never 0\)"):
        result = zonal_panel(units(), path, id="code", stats=["mean", "sum", "count", "area_sum"])
    row = result.table.set_index("code").loc["03"]
    assert row.isna().all()
    assert result.missing.values.tolist() == [["03", None, "outside the raster"]]


def test_polygons_on_nodata_only_get_nan_and_a_warning(tmp_path):
    values = np.full((4, 4), 5.0)
    values[:2, :2] = -9999  # the top-left 2x2 block is nodata: polygon box(0, 2, 2, 4)
    path = write_raster(tmp_path / "holes.tif", values, nodata=-9999)
    frame = gpd.GeoDataFrame({"code": ["a", "b"]}, geometry=[box(0, 2, 2, 4), box(2, 0, 4, 4)], crs="EPSG:3857")
    with pytest.warns(CoverageWarning, match=r"1 polygons cover only nodata pixels of holes.tif: 'a'"):
        table = zonal_stats(frame, path, id="code", stats=["sum", "count"])
    assert table.loc["a"].isna().all() and table.loc["b"].tolist() == [40.0, 8.0]


def test_stack_missing_a_panel_period_is_refused(tmp_path):
    for year in (2010, 2011):
        write_raster(tmp_path / f"ndvi_{year}.tif", np.ones((4, 4)))
    with pytest.raises(SchemaError, match=r"no layer for 1 of the panel's 3 periods: 2012; rasters cover 2010, 2011"):
        zonal_panel(units().iloc[:2], tmp_path, id="code", pattern=r"(?P<period>\d{4})", periods=[2010, 2011, 2012])


def test_period_kinds_that_differ_are_explained(tmp_path):
    for month in ("2010-01", "2010-02"):
        write_raster(tmp_path / f"no2_{month}.tif", np.ones((4, 4)))
    with pytest.raises(SchemaError, match="numbers vs text"):
        zonal_panel(units().iloc[:2], tmp_path, id="code", pattern=r"_(?P<period>[\d-]+)\.tif", periods=[2010])


@pytest.mark.parametrize("damage", ["garbage", "truncated_half", "truncated_tail"])
def test_corrupt_or_truncated_geotiff_names_the_file(tmp_path, damage):
    path = tmp_path / "damaged.tif"
    if damage == "garbage":
        path.write_bytes(b"II*\x00" + bytes(range(256)) * 4)
    else:
        good = write_raster(tmp_path / "good.tif", np.random.default_rng(0).normal(size=(256, 256)), block=64)
        data = good.read_bytes()
        path.write_bytes(data[: len(data) // 2] if damage == "truncated_half" else data[:-2000])
    with pytest.raises(RasterFileError, match=r"damaged.tif .*(damaged|truncated)"):
        zonal_stats(units().iloc[:2], path, id="code")


def test_damaged_block_inside_the_file_is_named_during_the_computation(tmp_path):
    good = write_raster(tmp_path / "good.tif", np.random.default_rng(0).normal(size=(256, 256)), block=64,
                        compress="deflate")
    data = bytearray(good.read_bytes())
    start = len(data) // 5  # inside an early compressed tile; the last tile stays intact
    data[start:start + 3000] = b"\xff" * 3000
    (tmp_path / "scrambled.tif").write_bytes(bytes(data))
    with pytest.raises(RasterFileError, match=r"raster scrambled.tif cannot be read at pixels .* damaged"):
        zonal_stats(units().iloc[:2].assign(geometry=[box(0, 0, 256, 256), box(0, 0, 9, 9)]),
                    tmp_path / "scrambled.tif", id="code")


def test_missing_raster_file(tmp_path):
    with pytest.raises(RasterFileError, match=r"raster file nothere.tif does not exist"):
        zonal_stats(units(), tmp_path / "nothere.tif", id="code")


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        (r"(?P<period>\d{4", r"not a valid regular expression"),
        (r"(\d{4})", r"needs a named group \(\?P<period>"),
        (r"_(?P<period>\d{4})_v2", r"2 of 2 files .* do not match pattern"),
    ],
)
def test_unreadable_pattern(tmp_path, pattern, message):
    for year in (2010, 2011):
        write_raster(tmp_path / f"pop_{year}.tif", np.ones((4, 4)))
    with pytest.raises(RasterFileError, match=message):
        zonal_panel(units().iloc[:2], tmp_path, id="code", pattern=pattern)


def test_stack_without_pattern_duplicate_periods_and_empty_globs(tmp_path):
    for name in ("a_2010.tif", "b_2010.tif"):
        write_raster(tmp_path / name, np.ones((4, 4)))
    with pytest.raises(RasterFileError, match="no pattern says which period"):
        zonal_panel(units(), tmp_path, id="code")
    with pytest.raises(RasterFileError, match=r"same period: '2010 \(a_2010.tif, b_2010.tif\)'"):
        zonal_panel(units(), tmp_path, id="code", pattern=r"(?P<period>\d{4})")
    with pytest.raises(RasterFileError, match=r"no file matches '\*.nc'"):
        zonal_panel(units(), str(tmp_path / "*.nc"), id="code")


def test_multiband_file_needs_a_band_or_band_periods(tmp_path):
    path = write_raster(tmp_path / "multi.tif", np.ones((3, 4, 4)))
    with pytest.raises(RasterFileError, match="has 3 bands; choose one with band="):
        zonal_stats(units().iloc[:2], path, id="code")
    with pytest.raises(RasterFileError, match="bands 1, 2, 3 have no description"):
        zonal_panel(units().iloc[:2], path, id="code", band_periods="descriptions")
    with pytest.raises(RasterFileError, match="has 3 bands but band_periods gives 2 labels"):
        zonal_panel(units().iloc[:2], path, id="code", band_periods=[2000, 2001])


def test_unknown_statistic_and_share_without_classes(tmp_path):
    path = write_raster(tmp_path / "s.tif", np.ones((4, 4)))
    with pytest.raises(Exception, match=r"stats='average' is not allowed; choose one of 'mean'"):
        zonal_stats(units(), path, id="code", stats=["average"])
    with pytest.raises(SchemaError, match="needs classes="):
        zonal_stats(units(), path, id="code", stats=["share"])


def test_boundaries_without_crs(tmp_path):
    path = write_raster(tmp_path / "b.tif", np.ones((4, 4)))
    with pytest.raises(CRSError, match="the boundaries have no CRS"):
        zonal_stats(units().set_crs(None, allow_override=True), path, id="code")


def test_cli_bad_raster_exits_2_without_output(tmp_path, capsys):
    bounds = tmp_path / "units.gpkg"
    units().to_file(bounds)
    (tmp_path / "broken.tif").write_bytes(b"not a tiff at all")
    code, err = run_cli(["zonal", tmp_path / "broken.tif", "--boundaries", bounds, "--id", "code",
                         "--out", tmp_path / "out.csv"], tmp_path, capsys)
    assert code == 2 and "broken.tif" in err and "Traceback" not in err
    code, err = run_cli(["zonal", tmp_path / "broken.tif", "--boundaries", bounds, "--id", "code",
                         "--out", bounds], tmp_path, capsys)
    assert code == 2 and "it is one of the inputs" in err


def test_pipeline_refuses_units_without_pixels(tmp_path):
    write_raster(tmp_path / "elev.tif", np.full((4, 4), 3.0))
    bounds = tmp_path / "units.gpkg"
    units().to_file(bounds)
    pd.DataFrame({"code": ["01", "02", "03"], "pop": [1.0, 2.0, 3.0]}).to_csv(tmp_path / "table.csv", index=False)
    config = tmp_path / "run.toml"
    config.write_text(
        '[panel]\npath = "table.csv"\nid = "code"\n\n[boundaries]\npath = "units.gpkg"\n\n'
        '[rasters]\npath = "elev.tif"\n', encoding="utf-8")
    from spatial.config import load_config
    from spatial.pipeline import run

    inputs = folder_snapshot(tmp_path)
    with pytest.warns(CoverageWarning), pytest.raises(MissingDataError, match=r"'03: outside the raster'.*never"):
        run(load_config(config), output=tmp_path / "out", echo=lambda _: None)
    assert not list((tmp_path / "out").glob("rasters_*"))
    assert {k: v for k, v in folder_snapshot(tmp_path).items() if not k.startswith("out")} == inputs


def test_pipeline_mismatched_periods_stop_before_any_raster_is_read(tmp_path):
    folder = tmp_path / "lights"
    folder.mkdir()
    for year in (2001, 2002):
        write_raster(folder / f"lights_{year}.tif", np.ones((4, 4)))
    bounds = tmp_path / "units.gpkg"
    units().iloc[:2].to_file(bounds)
    rows = [(c, y, 1.0) for c in ("01", "02") for y in (2001, 2002, 2003)]
    pd.DataFrame(rows, columns=["code", "year", "gdp"]).to_csv(tmp_path / "panel.csv", index=False)
    config = tmp_path / "run.toml"
    config.write_text(
        '[panel]\npath = "panel.csv"\nid = "code"\ntime = "year"\n\n[boundaries]\npath = "units.gpkg"\n\n'
        '[rasters]\npath = "lights"\npattern = "_(?P<period>\\\\d{4})"\n', encoding="utf-8")
    from spatial.config import load_config
    from spatial.pipeline import run

    with pytest.raises(SchemaError, match=r"no layer for 1 of the panel's 3 periods: 2003"):
        run(load_config(config), output=tmp_path / "out", echo=lambda _: None)
    assert not (tmp_path / "out" / "rasters_zonal.csv").exists()


def test_unreachable_dask_scheduler_is_a_clear_error(tmp_path, monkeypatch):
    import distributed

    def refuse(address, **kwargs):
        raise OSError(f"Timed out trying to connect to {address} after 10 s")

    monkeypatch.setattr(distributed, "Client", refuse)
    path = write_raster(tmp_path / "d.tif", np.ones((4, 4)))
    with pytest.raises(SpatialPanelError, match=r"cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'.*omit"):
        zonal_panel(units().iloc[:2], path, id="code", backend="dask", dask_address="tcp://127.0.0.1:9")
