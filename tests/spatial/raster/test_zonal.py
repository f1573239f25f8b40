"""Zonal statistics against exact expectations on synthetic rasters and an independent brute force.

The brute force computes each pixel's coverage as the exact area of (pixel box ∩ polygon) with
shapely, independently of exactextract's algorithm; statistics then follow their definitions in
numpy. Tolerance rtol 1e-6: exactextract's coverage fractions agree with shapely's to ~1e-8.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import box

from spatial.errors import CoverageWarning
from spatial.raster import zonal_panel, zonal_stats
from tests.spatial.raster.synthetic import pixel_boxes, write_raster


def layer(polygons, ids=None, crs="EPSG:3857") -> gpd.GeoDataFrame:
    ids = ids or [f"{i:02d}" for i in range(1, len(polygons) + 1)]
    return gpd.GeoDataFrame({"code": ids}, geometry=list(polygons), crs=crs)


def brute_force(values: np.ndarray, polygon, *, west=0.0, north=None, res=1.0, areas=None) -> dict:
    """Every statistic from exact shapely coverage fractions (areas: pixel areas, default equal)."""
    boxes = pixel_boxes(values.shape[1], values.shape[0], west=west, north=north, res=res)
    f = shapely.area(shapely.intersection(boxes, polygon)) / res**2
    a = np.ones_like(values, dtype="float64") if areas is None else areas
    keep = (f > 0) & np.isfinite(values)
    v, f, a = values[keep], f[keep], a[keep]
    w = f * a
    mean = (v * w).sum() / w.sum()
    order = np.argsort(v, kind="stable")
    cumulative = np.cumsum(w[order])
    median = v[order][np.searchsorted(cumulative, cumulative[-1] / 2)]
    return {"count": f.sum(), "sum": (v * f).sum(), "area_sum": (v * w).sum(), "mean": mean,
            "std": np.sqrt((w * (v - mean) ** 2).sum() / w.sum()), "median": median,
            "min": v.min(), "max": v.max()}


def test_constant_raster_gives_the_constant_for_every_shape(tmp_path):
    path = write_raster(tmp_path / "c.tif", np.full((10, 12), 7.25))
    polygons = [box(0.3, 0.2, 9.7, 8.9), shapely.Point(5, 5).buffer(3.3), box(2, 2, 3, 3)]
    table = zonal_stats(layer(polygons), path, id="code", stats=["mean", "median", "min", "max", "std"])
    assert np.allclose(table[["c_mean", "c_median", "c_min", "c_max"]], 7.25, rtol=0, atol=1e-12)
    assert np.allclose(table["c_std"], 0.0, atol=1e-9)


def test_half_pixel_gets_half_weight(tmp_path):
    # pixels (row 0): [10, 40]; the polygon covers all of the first and the left half of the second
    path = write_raster(tmp_path / "h.tif", np.array([[10.0, 40.0]]))
    table = zonal_stats(layer([box(0, 0, 1.5, 1)]), path, id="code", stats=["count", "sum", "mean"])
    assert table.loc["01"].tolist() == pytest.approx([1.5, 30.0, 20.0], rel=1e-12)
    touched = zonal_stats(layer([box(0, 0, 1.5, 1)]), path, id="code", stats=["count", "mean"],
                          pixels="all_touched")
    assert touched.loc["01"].tolist() == pytest.approx([2.0, 25.0], rel=1e-12)


def test_checkerboard_gives_known_shares(tmp_path):
    board = (np.indices((8, 8)).sum(axis=0) % 2).astype("uint8")  # 0 at the top-left pixel
    path = write_raster(tmp_path / "board.tif", board)
    polygons = [box(0, 0, 8, 8), box(0, 5, 3, 8), box(0.5, 7, 1.5, 8)]  # all, 3x3 top-left, two half pixels
    table = zonal_stats(layer(polygons), path, id="code", stats=["share", "mean"], classes=[0, 1])
    assert table["board_share_0"].tolist() == pytest.approx([0.5, 5 / 9, 0.5], rel=1e-12)
    assert table["board_share_1"].tolist() == pytest.approx([0.5, 4 / 9, 0.5], rel=1e-12)
    assert (table["board_share_0"] + table["board_share_1"]).tolist() == pytest.approx([1, 1, 1], rel=1e-12)


def test_irregular_polygons_match_the_brute_force(tmp_path):
    rng = np.random.default_rng(7)
    values = rng.normal(100, 25, (24, 30)).round(3)
    values[3, 4] = np.nan
    values[10:12, 10:14] = -999.0
    path = write_raster(tmp_path / "r.tif", values, west=500_000, north=4_000_000, res=1000, crs="EPSG:32650",
                        nodata=-999.0)
    polygons = [shapely.Polygon(rng.uniform([500_000, 3_976_000], [530_000, 4_000_000], (7, 2))).convex_hull
                for _ in range(8)]
    polygons.append(shapely.Point(512_000, 3_990_000).buffer(6_500).difference(shapely.Point(512_000, 3_990_000)
                                                                                .buffer(2_000)))  # a ring
    stats = ["count", "sum", "area_sum", "mean", "std", "median", "min", "max"]
    table = zonal_stats(layer(polygons, crs="EPSG:32650"), path, id="code", stats=stats, name="v")
    clean = np.where(values == -999.0, np.nan, values)
    for i, polygon in enumerate(polygons):
        expected = brute_force(clean, polygon, west=500_000, north=4_000_000, res=1000)
        expected["area_sum"] *= 1.0  # 1 km² pixels: area_sum equals sum
        got = table.iloc[i]
        for stat in stats:
            assert got[f"v_{stat}"] == pytest.approx(expected[stat], rel=1e-6, abs=1e-6), (i, stat)


def test_geographic_pixels_are_weighted_by_their_ground_area(tmp_path):
    # a north-south ramp over 20 degrees of latitude: area weighting pulls the mean south
    rng = np.random.default_rng(3)
    values = (2.0 * np.arange(40)[:, None] + rng.uniform(0, 1, (40, 10))).round(2)  # grows southwards
    path = write_raster(tmp_path / "g.tif", values, west=100, north=60, res=0.5, crs="EPSG:4326")
    polygon = shapely.Polygon([(100.3, 40.2), (104.7, 59.6), (104.9, 41.1)])
    got = zonal_stats(layer([polygon], crs="EPSG:4326"), path, id="code",
                      stats=["mean", "median", "std", "area_sum", "sum"]).iloc[0]
    import pyproj
    from affine import Affine

    from spatial.raster._area import PixelGeometry

    grid = PixelGeometry(Affine(0.5, 0, 100, 0, -0.5, 60), pyproj.CRS("EPSG:4326"), 10, 40)
    expected = brute_force(values, polygon, west=100, north=60, res=0.5, areas=grid.window(0, 0, 10, 40))
    for stat in ("mean", "median", "std", "area_sum", "sum"):
        assert got[f"g_{stat}"] == pytest.approx(expected[stat], rel=1e-6), stat
    plain = brute_force(values, polygon, west=100, north=60, res=0.5)
    assert got["g_mean"] - plain["mean"] > 0.5  # southern pixels are larger: the weighting matters


def test_reprojected_polygons_give_the_same_result_as_polygons_in_the_raster_crs(tmp_path):
    values = np.arange(200, dtype="float64").reshape(10, 20)
    path = write_raster(tmp_path / "p.tif", values, west=110, north=35, res=0.1, crs="EPSG:4326")
    lonlat = layer([box(110.23, 34.12, 111.57, 34.88), box(111.02, 34.31, 111.9, 34.6)], crs="EPSG:4326")
    mercator = lonlat.to_crs("EPSG:3857")
    direct = zonal_stats(mercator.to_crs("EPSG:4326"), path, id="code", stats=["mean", "count"])
    reprojected = zonal_stats(mercator, path, id="code", stats=["mean", "count"])
    pd.testing.assert_frame_equal(direct, reprojected, rtol=1e-12)


def test_nodata_nan_and_user_nodata_are_never_counted(tmp_path):
    values = np.array([[1.0, 2.0, 3.0], [4.0, np.nan, -1.0]])
    path = write_raster(tmp_path / "n.tif", values, nodata=3.0)
    frame = layer([box(0, 0, 3, 2)])
    table = zonal_stats(frame, path, id="code", stats=["count", "mean", "min"])
    assert table.loc["01"].tolist() == pytest.approx([4.0, 6 / 4, -1.0])
    extra = zonal_stats(frame, path, id="code", stats=["count", "mean", "min"], nodata=-1)
    assert extra.loc["01"].tolist() == pytest.approx([3.0, 7 / 3, 1.0])


def test_integer_raster_with_nodata_ignores_the_fill_value(tmp_path):
    values = np.array([[5, -32768], [7, 9]], dtype="int16")
    path = write_raster(tmp_path / "i.tif", values, nodata=-32768)
    table = zonal_stats(layer([box(0, 0, 2, 2)]), path, id="code", stats=["min", "max", "mean", "count"])
    assert table.loc["01"].tolist() == pytest.approx([5, 9, 7, 3])


def test_results_follow_the_ids_not_the_row_order(tmp_path):
    values = np.arange(24, dtype="float64").reshape(4, 6)
    path = write_raster(tmp_path / "o.tif", values)
    frame = layer([box(i, 0, i + 1, 4) for i in range(6)], ids=["007", "010", "湖北", "09", "1", "01"])
    shuffled = frame.iloc[[3, 0, 5, 1, 4, 2]]
    a = zonal_stats(frame, path, id="code")
    b = zonal_stats(shuffled, path, id="code")
    pd.testing.assert_frame_equal(a.loc[b.index], b)
    assert list(b.index) == ["09", "007", "01", "010", "1", "湖北"]
    assert a.loc["007", "o_mean"] == pytest.approx(np.mean(values[:, 0]))


@pytest.fixture
def stack(tmp_path):
    folder = tmp_path / "lights"
    folder.mkdir()
    rng = np.random.default_rng(11)
    for year in (2001, 2002, 2003):
        write_raster(folder / f"lights_{year}.tif", rng.gamma(2, 3, (60, 80)).astype("float32"),
                     west=100, north=40, res=0.05, crs="EPSG:4326", block=16)
    polygons = [shapely.Point(101 + (i % 4) * 0.8, 37.5 + (i // 4) * 0.6).buffer(0.37, 8) for i in range(12)]
    polygons.append(box(100.12, 37.13, 103.91, 39.87).difference(box(101, 38, 102, 39)))  # 4,000 pixels, a hole
    return folder, layer(polygons, crs="EPSG:4326")


def test_stack_becomes_a_long_table_keyed_by_id_and_period(stack):
    folder, units = stack
    result = zonal_panel(units, folder, id="code", pattern=r"_(?P<period>\d{4})\.tif$", stats=["mean", "max"])
    assert result.time == "period" and result.variables == ("lights_mean", "lights_max")
    assert list(result.table.columns) == ["code", "period", "lights_mean", "lights_max"]
    assert result.table.groupby("period").size().to_dict() == {2001: 13, 2002: 13, 2003: 13}
    one = zonal_stats(units, folder / "lights_2002.tif", id="code", stats=["mean", "max"], name="lights")
    pd.testing.assert_frame_equal(result.values().xs(2002, level="period"), one, check_names=False)


def test_periods_select_the_layers_and_list_the_rest(stack):
    folder, units = stack
    result = zonal_panel(units, str(folder / "lights_*.tif"), id="code", pattern=r"(?P<period>\d{4})",
                         periods=[2003, 2001])
    assert sorted(result.table["period"].unique()) == [2001, 2003]
    assert result.skipped == (2002,)


def test_windowed_and_dask_paths_give_the_single_process_result(stack, monkeypatch):
    from distributed import LocalCluster

    from spatial.raster import _zonal

    folder, units = stack
    kwargs = {"id": "code", "pattern": r"_(?P<period>\d{4})", "stats": ["mean", "std", "median", "sum", "max"]}
    single = zonal_panel(units, folder, **kwargs)
    windows = []
    plain_source = _zonal._value_source

    def recording_source(*args):
        source = plain_source(*args)
        read = source.read_window
        source.read_window = lambda x0, y0, nx, ny: windows.append(nx * ny) or read(x0, y0, nx, ny)
        return source

    monkeypatch.setattr(_zonal, "_value_source", recording_source)
    windowed = zonal_panel(units, folder, max_pixels=1024, **kwargs)  # the large polygon needs several windows
    # exactextract splits the big polygon's 4,000-pixel box into windows of about max_pixels (a
    # window may exceed it by a row and a column)
    assert max(windows) <= 1.25 * 1024 and len(windows) > 3 * len(units)
    monkeypatch.undo()
    pd.testing.assert_frame_equal(single.table, windowed.table, rtol=1e-12)
    with LocalCluster(n_workers=1, processes=False, threads_per_worker=2, dashboard_address=None) as cluster:
        remote = zonal_panel(units, folder, backend="dask", dask_address=cluster.scheduler_address, **kwargs)
    pd.testing.assert_frame_equal(single.table, remote.table, check_exact=True)


def test_dask_local_cluster_by_default(stack):
    folder, units = stack
    kwargs = {"id": "code", "pattern": r"_(?P<period>\d{4})"}
    local = zonal_panel(units, folder, backend="dask", dask_workers=1, **kwargs)
    pd.testing.assert_frame_equal(zonal_panel(units, folder, **kwargs).table, local.table, check_exact=True)


def test_band_descriptions_label_the_periods_of_a_multiband_file(tmp_path):
    bands = np.stack([np.full((4, 4), float(k)) for k in (1, 2, 3)])
    path = write_raster(tmp_path / "pm25.tif", bands, descriptions=["2019", "2017", "2018"])
    result = zonal_panel(layer([box(0, 0, 2, 2)]), path, id="code", band_periods="descriptions")
    assert result.table[["period", "pm25_mean"]].values.tolist() == [[2017, 2.0], [2018, 3.0], [2019, 1.0]]
    labelled = zonal_panel(layer([box(0, 0, 2, 2)]), path, id="code", band_periods=["a", "b", "c"])
    assert labelled.table["period"].tolist() == ["a", "b", "c"]
    second = zonal_stats(layer([box(0, 0, 2, 2)]), path, id="code", band=2)
    assert second.iloc[0, 0] == 2.0


def test_partly_outside_polygons_are_reported_with_their_share_inside(tmp_path):
    path = write_raster(tmp_path / "e.tif", np.ones((4, 4)))
    with pytest.warns(CoverageWarning, match=r"'02 \(25.0% inside\)'"):
        result = zonal_panel(layer([box(1, 1, 2, 2), box(3, 3, 5, 5)]), path, id="code", stats=["mean", "sum"])
    assert result.partial.values.tolist() == [["02", None, "25.0%"]]
    assert result.table["e_sum"].tolist() == pytest.approx([1.0, 1.0])


def test_no_warning_for_polygons_wholly_inside(tmp_path):
    path = write_raster(tmp_path / "q.tif", np.ones((4, 4)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        zonal_stats(layer([box(0, 0, 4, 4)]), path, id="code")
