"""The [rasters] pipeline step, the `spatial zonal` command and the bundled raster, end to end."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import box

from spatial import datasets
from spatial.cli import main
from spatial.config import load_config
from spatial.errors import CoverageWarning
from spatial.pipeline import run
from spatial.raster import zonal_stats
from tests.spatial.raster.synthetic import write_raster


def test_bundled_raster_matches_its_manifest_and_loads_as_values():
    entry = datasets.info("china_dem")
    assert entry.kind == "raster" and entry.id is None and entry.crs == "EPSG:4326"
    values = datasets.load("china_dem")
    assert values.shape == (225, 350) and int(values.count()) == 59650
    assert (int(values.min()), int(values.max())) == (-160, 7393)


@pytest.mark.parametrize("level", ["china_elevation.toml", "china_elevation_prefectures.toml"])
def test_china_demo_adds_elevation_and_ruggedness_and_maps_them(tmp_path, level):
    config = load_config(datasets.data_dir() / "demo" / level)
    with pytest.warns(CoverageWarning, match="extend beyond"):  # Hainan / Sansha reach south of the grid
        ctx = run(config, output=tmp_path / "out", echo=lambda _: None)
    assert ctx.panel.variables == ["rep_lat", "elevation_mean", "elevation_std"]
    boundaries = config["boundaries"]["dataset"]
    direct = zonal_stats(datasets.load(boundaries), datasets.path("china_dem"), id="adcode", stats=["mean", "std"],
                         name="elevation")
    got = ctx.panel.data.droplevel(1)[["elevation_mean", "elevation_std"]]
    pd.testing.assert_frame_equal(got.sort_index(), direct.sort_index(), check_names=False, check_index_type=False)
    files = {p.name for p in (tmp_path / "out").iterdir()}
    assert {"rasters_zonal.csv", "rasters_elevation_mean.png", "rasters_elevation_std.png", "run.json"} <= files
    assert (tmp_path / "out" / "rasters_elevation_mean.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    record = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    raster = next(i for i in record["inputs"] if i["role"] == "raster")
    assert raster["sha256"] == datasets.info("china_dem").sha256 and raster["file"] == "dem_0p2deg.tif"
    assert "elevation_mean" in record["panel"]["variables"]
    if level == "china_elevation.toml":
        tibet = ctx.panel.data.loc[("540000", 0)]
        assert tibet["elevation_mean"] > 4500 and direct["elevation_mean"].idxmax() == "540000"


def _panel_with_stack(tmp_path, years_on_disk, panel_years):
    folder = tmp_path / "lights"
    folder.mkdir()
    rng = np.random.default_rng(5)
    for year in years_on_disk:
        write_raster(folder / f"viirs_{year}_avg.tif", rng.gamma(2.0, 2.0, (20, 30)), west=110, north=32, res=0.1,
                     crs="EPSG:4326")
    ids = ["0101", "0102", "0201"]
    gpd.GeoDataFrame({"code": ids}, geometry=[box(110.2, 30.3, 111.1, 31.6), box(111.1, 30.3, 112.8, 31.6),
                                             box(110.2, 31.6, 112.8, 31.95)], crs="EPSG:4326"
                     ).to_file(tmp_path / "units.gpkg")
    rows = [(c, y, float(i + y - 2000)) for i, c in enumerate(ids) for y in panel_years]
    pd.DataFrame(rows, columns=["code", "year", "gdp"]).sample(frac=1, random_state=1).to_csv(
        tmp_path / "panel.csv", index=False)
    return folder


def test_stack_joins_the_panel_by_id_and_year(tmp_path):
    folder = _panel_with_stack(tmp_path, [2012, 2013, 2014, 2015], [2013, 2014])
    (tmp_path / "run.toml").write_text(
        '[panel]\npath = "panel.csv"\nid = "code"\ntime = "year"\n\n[boundaries]\npath = "units.gpkg"\n\n'
        '[rasters]\npath = "lights"\npattern = "_(?P<period>\\\\d{4})_"\nstats = ["mean", "sum"]\nname = "ntl"\n'
        "maps = false\n", encoding="utf-8")
    lines = []
    ctx = run(load_config(tmp_path / "run.toml"), output=tmp_path / "out", echo=lines.append)
    assert ctx.panel.variables == ["gdp", "ntl_mean", "ntl_sum"]
    units = gpd.read_file(tmp_path / "units.gpkg")
    for year in (2013, 2014):
        direct = zonal_stats(units, folder / f"viirs_{year}_avg.tif", id="code", stats=["mean", "sum"], name="ntl")
        got = ctx.panel.data.xs(year, level=1)[["ntl_mean", "ntl_sum"]]
        pd.testing.assert_frame_equal(got.loc[direct.index], direct, check_names=False, check_index_type=False)
    assert any("not read: 2012, 2015" in line for line in lines)
    written = pd.read_csv(tmp_path / "out" / "rasters_zonal.csv", dtype={"code": str})
    assert list(written.columns) == ["code", "year", "ntl_mean", "ntl_sum"] and len(written) == 6


def test_time_invariant_raster_fills_every_period(tmp_path):
    _panel_with_stack(tmp_path, [2012], [2013, 2014])
    (tmp_path / "run.toml").write_text(
        '[panel]\npath = "panel.csv"\nid = "code"\ntime = "year"\n\n[boundaries]\npath = "units.gpkg"\n\n'
        '[rasters]\npath = "lights/viirs_2012_avg.tif"\nname = "base"\nmaps = true\n', encoding="utf-8")
    ctx = run(load_config(tmp_path / "run.toml"), output=tmp_path / "out", echo=lambda _: None)
    wide = ctx.panel.wide("base_mean")
    assert (wide[2013] == wide[2014]).all() and wide.notna().all().all()
    assert (tmp_path / "out" / "rasters_base_mean.png").is_file()


def test_cli_zonal_on_bundled_data_and_on_a_stack(tmp_path, capsys):
    code = main(["zonal", "china_dem", "--boundaries", "china_provinces", "--stats", "mean,max",
                 "--out", str(tmp_path / "prov.csv")])
    assert code == 0
    table = pd.read_csv(tmp_path / "prov.csv", dtype={"adcode": str})
    assert list(table.columns) == ["adcode", "china_dem_mean", "china_dem_max"] and len(table) == 34
    assert table.set_index("adcode").loc["540000", "china_dem_max"] == 6949
    _panel_with_stack(tmp_path, [2012, 2013], [2012])
    code = main(["zonal", str(tmp_path / "lights"), "--boundaries", str(tmp_path / "units.gpkg"), "--id", "code",
                 "--pattern", r"_(?P<period>\d{4})_", "--stats", "median,count", "--all-touched",
                 "--out", str(tmp_path / "ntl.csv")])
    assert code == 0, capsys.readouterr().err
    stack = pd.read_csv(tmp_path / "ntl.csv", dtype={"code": str})
    assert list(stack.columns) == ["code", "period", "viirs_avg_median", "viirs_avg_count"] and len(stack) == 6
    assert "wrote ntl.csv: 3 units, 2 periods" in capsys.readouterr().out


def test_cli_zonal_keeps_the_study_area_as_a_run_does(tmp_path, capsys):
    """``zonal --keep mainland`` measures the 31 mainland provinces (the bundled boundaries' filter, as
    ``[boundaries] keep`` in a run) and lists the removed units; the kept values are unchanged."""
    code = main(["zonal", "china_dem", "--boundaries", "china_provinces", "--stats", "max", "--keep", "mainland",
                 "--out", str(tmp_path / "mainland.csv")])
    assert code == 0
    table = pd.read_csv(tmp_path / "mainland.csv", dtype={"adcode": str})
    assert len(table) == 31 and not table["adcode"].isin(["710000", "810000", "820000"]).any()
    assert table.set_index("adcode").loc["540000", "china_dem_max"] == 6949
    assert "3 units outside the study area (keep mainland" in capsys.readouterr().err
    code = main(["zonal", "china_dem", "--boundaries", "china_provinces", "--keep", "nosuch",
                 "--out", str(tmp_path / "bad.csv")])
    assert code != 0 and "nosuch" in capsys.readouterr().err and not (tmp_path / "bad.csv").exists()
