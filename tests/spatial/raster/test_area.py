"""Pixel areas against GeographicLib (through pyproj.Geod), and geographic-raster sums against
geodesic polygon areas.

Tolerance of the province test, rtol 1e-5 (looser than 1e-6 on purpose): coverage fractions are
computed in the plane of longitude/latitude, so within one boundary pixel the area is taken as
uniform, and polygon edges are straight lines in longitude/latitude (we densify them to 0.01°
before asking GeographicLib, whose edges are geodesics). Observed errors are below 1e-6 for every
province larger than 10,000 km².
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from affine import Affine

from spatial import datasets
from spatial.errors import CoverageWarning
from spatial.raster import pixel_areas, row_areas, zonal_stats
from spatial.raster._area import PixelGeometry
from tests.spatial.raster.synthetic import write_raster

GEOD = pyproj.Geod(ellps="WGS84")


def geodesic_area_km2(geometry) -> float:
    oriented = shapely.orient_polygons(geometry)  # GeographicLib sums signed ring areas
    return abs(GEOD.geometry_area_perimeter(oriented)[0]) / 1e6


def test_a_hemisphere_of_one_degree_rows_is_half_the_ellipsoid():
    grid = PixelGeometry(Affine(1.0, 0, -180, 0, -1.0, 90), pyproj.CRS("EPSG:4326"), 360, 180)
    north = grid.row_areas(0, 90).sum() * 360
    # the equator is a geodesic: the polygon through four points on it bounds the northern hemisphere
    hemisphere = abs(GEOD.polygon_area_perimeter([0, 90, 180, 270], [0, 0, 0, 0])[0]) / 1e6
    assert north == pytest.approx(hemisphere, rel=1e-12)


@pytest.mark.parametrize("south", [-80.0, -5.0, 0.0, 40.0, 75.0])
def test_one_cell_matches_the_geodesic_area_of_its_densified_outline(south):
    grid = PixelGeometry(Affine(2.5, 0, 100, 0, -2.5, south + 2.5), pyproj.CRS("EPSG:4326"), 1, 1)
    cell = shapely.segmentize(shapely.box(100, south, 102.5, south + 2.5), 0.001)
    assert grid.row_areas(0, 1)[0] == pytest.approx(geodesic_area_km2(cell), rel=1e-6)


def test_projected_pixels_have_their_nominal_area(tmp_path):
    path = write_raster(tmp_path / "utm.tif", np.ones((3, 4)), west=500_000, north=4_000_000, res=250,
                        crs="EPSG:32650")
    from spatial.raster import open_raster

    with open_raster(path) as raster:
        assert np.allclose(pixel_areas(raster), 0.0625) and row_areas(raster).shape == (3,)


def test_web_mercator_pixels_get_a_warning_about_their_ground_area(tmp_path):
    path = write_raster(tmp_path / "merc.tif", np.ones((4, 4)), west=12e6, north=5e6, res=1e5, crs="EPSG:3857")
    polygons = gpd.GeoDataFrame({"code": ["a"]}, geometry=[shapely.box(12.05e6, 4.7e6, 12.3e6, 4.9e6)], crs="EPSG:3857")
    with pytest.warns(CoverageWarning, match="not an equal-area projection"):
        zonal_stats(polygons, path, id="code")


def test_a_raster_of_ones_sums_to_the_geodesic_area_of_each_province(tmp_path):
    path = write_raster(tmp_path / "ones.tif", np.ones((450, 700), dtype="float32"), west=69.9, north=59.93125,
                        res=0.1, crs="EPSG:4326")
    provinces = datasets.load("china_provinces")
    table = zonal_stats(provinces, path, id="adcode", stats=["area_sum", "mean"], name="ones")
    dense = provinces.set_index("adcode").geometry.segmentize(0.01)
    expected = dense.map(geodesic_area_km2)
    large = expected[(expected > 10_000) & (expected.index != "460000")]  # Hainan reaches south of the grid
    assert len(large) == 30  # all but Shanghai, Hong Kong, Macau and Hainan
    np.testing.assert_allclose(table.loc[large.index, "ones_area_sum"], large, rtol=1e-5)
    assert np.allclose(table["ones_mean"], 1.0)
    assert table.loc["460000", "ones_area_sum"] < 0.95 * expected["460000"]  # only the part inside counts
