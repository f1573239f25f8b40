"""Distance weights: hand-computed values, great-circle vs pyproj geodesic, libpysal agreement, ties, limits."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from pyproj import Geod

from tests.weights.helpers import edges_of
from weights import WeightsError, distance_band, inverse_distance, kernel, knn, row_standardize
from weights._geodesy import haversine_km
from weights._graph import matrix_of, reorder

TRIANGLE = pd.DataFrame({"id": ["a", "b", "c"], "x": [0.0, 3.0, 0.0], "y": [0.0, 0.0, 4.0]})


def _random_points(n: int, seed: int = 1) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    rng = np.random.default_rng(seed)
    xy = rng.random((n, 2)) * 1000
    table = pd.DataFrame({"id": [f"p{k:04d}" for k in range(n)], "x": xy[:, 0], "y": xy[:, 1]})
    layer = gpd.GeoDataFrame(table[["id"]], geometry=gpd.points_from_xy(table.x, table.y), crs="EPSG:3857")
    return table, layer.set_index("id")


@pytest.mark.parametrize(("alpha", "expected"), [
    (1.0, {("a", "b"): 1 / 3, ("a", "c"): 1 / 4, ("b", "c"): 1 / 5}),
    (2.0, {("a", "b"): 1 / 9, ("a", "c"): 1 / 16, ("b", "c"): 1 / 25}),
])
def test_inverse_distance_by_hand(alpha, expected):
    w = inverse_distance(TRIANGLE, id="id", xy=("x", "y"), metric="euclidean", alpha=alpha)
    for (i, j), value in expected.items():
        assert w.adjacency[(i, j)] == pytest.approx(value, rel=1e-15)
        assert w.adjacency[(j, i)] == pytest.approx(value, rel=1e-15)
    row = row_standardize(w)
    if alpha == 1.0:  # row a: (1/3, 1/4) / (7/12)
        assert row.adjacency[("a", "b")] == pytest.approx(4 / 7, rel=1e-15)
        assert row.adjacency[("a", "c")] == pytest.approx(3 / 7, rel=1e-15)


def test_inverse_distance_with_a_cutoff_and_a_distance_band_by_hand():
    w = inverse_distance(TRIANGLE, id="id", xy=("x", "y"), metric="euclidean", cutoff=4.0)
    assert edges_of(w) == {("a", "b"), ("b", "a"), ("a", "c"), ("c", "a")}
    band = distance_band(TRIANGLE, id="id", xy=("x", "y"), metric="euclidean", threshold=4.0)
    assert set(band.adjacency[band.adjacency > 0].to_numpy()) == {1.0}
    assert edges_of(band) == edges_of(w)


def test_haversine_of_one_degree_on_the_equator():
    assert float(haversine_km(0.0, 0.0, 1.0, 0.0)) == pytest.approx(6371.0088 * np.pi / 180, rel=1e-15)


def test_great_circle_against_pyproj_geodesic(capitals):
    ids = capitals["province_adcode"]
    w_geo = inverse_distance(capitals, id="province_adcode", xy=("lon", "lat"), metric="geodesic", alpha=1)
    w_hav = inverse_distance(capitals, id="province_adcode", xy=("lon", "lat"), metric="haversine", alpha=1)
    lon = dict(zip(ids, capitals["lon"].astype(float), strict=True))
    lat = dict(zip(ids, capitals["lat"].astype(float), strict=True))
    focal, neighbour = (np.asarray(v) for v in w_geo.index_pairs)
    _, _, metres = Geod(ellps="WGS84").inv([lon[i] for i in focal], [lat[i] for i in focal],
                                          [lon[j] for j in neighbour], [lat[j] for j in neighbour])
    # geodesic weights are 1 / (pyproj's geodesic distance in km), to rounding
    assert_allclose(w_geo.adjacency.to_numpy(), 1000.0 / np.asarray(metres), rtol=1e-12)
    # the sphere differs from the WGS84 ellipsoid by less than 0.5 % at these distances
    ratio = w_hav.adjacency.to_numpy() / w_geo.adjacency.reindex(w_hav.adjacency.index).to_numpy()
    assert np.all(np.abs(ratio - 1) < 0.005)


def test_knn_geodesic_equals_a_brute_force_search(capitals):
    ids = capitals["province_adcode"].tolist()
    w = knn(capitals, id="province_adcode", xy=("lon", "lat"), metric="geodesic", k=3)
    lon, lat = capitals["lon"].astype(float).to_numpy(), capitals["lat"].astype(float).to_numpy()
    i, j = np.meshgrid(np.arange(len(ids)), np.arange(len(ids)), indexing="ij")
    _, _, d = Geod(ellps="WGS84").inv(lon[i.ravel()], lat[i.ravel()], lon[j.ravel()], lat[j.ravel()])
    d = d.reshape(len(ids), len(ids))
    np.fill_diagonal(d, np.inf)
    expected = {(ids[a], ids[b]) for a in range(len(ids)) for b in np.argsort(d[a], kind="stable")[:3]}
    assert edges_of(w) == expected


def test_knn_matches_libpysal_on_random_points():
    from libpysal.graph import Graph

    table, layer = _random_points(1500)
    ours = knn(table, id="id", xy=("x", "y"), metric="euclidean", k=5)
    assert edges_of(ours) == edges_of(Graph.build_knn(layer, k=5))
    assert set(ours.cardinalities) == {5}


def test_knn_ties_are_broken_by_id_and_rows_can_be_shuffled():
    gx, gy = np.meshgrid(np.arange(10.0), np.arange(10.0))
    grid = pd.DataFrame({"id": [f"0{int(y)}{int(x)}" for x, y in zip(gx.ravel(), gy.ravel(), strict=True)],
                         "x": gx.ravel(), "y": gy.ravel()})
    w = knn(grid, id="id", xy=("x", "y"), metric="euclidean", k=3)
    # (5, 5) has four neighbours at distance 1: 045, 054, 056, 065; the first three ids win
    assert sorted(w.neighbors["055"]) == ["045", "054", "056"]
    for seed in (1, 2):
        shuffled = knn(grid.sample(frac=1, random_state=seed), id="id", xy=("x", "y"), metric="euclidean", k=3)
        assert reorder(shuffled, w.unique_ids).adjacency.equals(w.adjacency)


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # inside libpysal, on its zero self-distances
def test_distance_band_matches_libpysal():
    from libpysal.graph import Graph

    table, layer = _random_points(800)
    ours = distance_band(table, id="id", xy=("x", "y"), metric="euclidean", threshold=90.0, allow_islands=True)
    assert edges_of(ours) == edges_of(Graph.build_distance_band(layer, 90.0))
    inverse = distance_band(table, id="id", xy=("x", "y"), metric="euclidean", threshold=90.0, binary=False,
                            alpha=1.0, allow_islands=True)
    theirs = Graph.build_distance_band(layer, 90.0, binary=False, alpha=-1.0)
    theirs = theirs.adjacency[theirs.adjacency > 0]
    assert_allclose(inverse.adjacency[inverse.adjacency > 0].sort_index().to_numpy(), theirs.sort_index().to_numpy(),
                    rtol=1e-12)


def test_a_threshold_that_isolates_units_names_the_smallest_that_does_not():
    table, _ = _random_points(300)
    xy = table[["x", "y"]].to_numpy()
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(d, np.inf)
    smallest = d.min(axis=1).max()
    with pytest.raises(WeightsError, match=f"smallest distance that gives every unit a neighbour is {smallest:.6g}"):
        distance_band(table, id="id", xy=("x", "y"), metric="euclidean", threshold=smallest * 0.9)
    w = distance_band(table, id="id", xy=("x", "y"), metric="euclidean", threshold=smallest)
    assert len(w.isolates) == 0


def test_a_threshold_over_the_link_budget_is_refused_before_building():
    table, _ = _random_points(500)
    with pytest.raises(WeightsError, match=r"would link about [\d,]+ pairs .* use k nearest neighbours"):
        distance_band(table, id="id", xy=("x", "y"), metric="euclidean", threshold=2000.0, max_links=10_000)
    with pytest.raises(WeightsError, match="249,500 links"):
        inverse_distance(table, id="id", xy=("x", "y"), metric="euclidean", max_links=10_000)


@pytest.mark.parametrize("function", ["triangular", "gaussian", "bisquare", "epanechnikov"])
def test_fixed_kernel_matches_libpysal(function):
    from libpysal.graph import Graph

    table, layer = _random_points(600)
    ours = kernel(table, id="id", xy=("x", "y"), metric="euclidean", function=function, bandwidth=80.0)
    name = {"epanechnikov": "parabolic"}.get(function, function)
    theirs = Graph.build_kernel(layer, kernel=name, bandwidth=80.0)
    theirs = theirs.adjacency[theirs.adjacency > 0]
    ours = ours.adjacency[ours.adjacency > 0]  # without islands' zero self-links
    assert ours.index.sort_values().equals(theirs.index.sort_values())
    # libpysal measures distance through scikit-learn's expanded formula sqrt(x'x + y'y - 2 x'y), which
    # loses ~1e-13 of d; near the bandwidth K(1 - z) turns that into ~1e-12 absolute: hence atol.
    assert_allclose(ours.sort_index().to_numpy(), theirs.sort_index().to_numpy(), rtol=1e-12, atol=1e-10)


def test_adaptive_kernel_by_brute_force():
    table, _ = _random_points(200)
    w = kernel(table, id="id", xy=("x", "y"), metric="euclidean", function="triangular", k=4, adaptive=True)
    xy = table[["x", "y"]].to_numpy()
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(d, np.inf)
    h = np.sort(d, axis=1)[:, 3] * 1.0000001
    expected = np.where(d <= h[:, None], 1 - d / h[:, None], 0.0)
    assert_allclose(matrix_of(w).toarray(), expected, rtol=1e-12, atol=1e-15)
    assert set(w.cardinalities) == {4}


def test_lonlat_layers_need_a_great_circle_metric(us_states):
    with pytest.raises(WeightsError, match=r"geographic CRS .*metric='haversine'"):
        knn(us_states, id="fips", k=4)
    with pytest.raises(WeightsError, match="would measure degrees"):
        knn(us_states, id="fips", k=4, metric="euclidean")
    with pytest.raises(WeightsError, match="no CRS"):
        knn(TRIANGLE, id="id", xy=("x", "y"), k=1)


def test_projected_points_are_converted_for_great_circle_distances(capitals):
    layer = gpd.GeoDataFrame(capitals[["province_adcode"]], geometry=gpd.points_from_xy(
        capitals["lon"].astype(float), capitals["lat"].astype(float)), crs="EPSG:4326")
    projected = layer.to_crs("EPSG:3857")
    a = inverse_distance(layer, id="province_adcode", metric="haversine")
    b = inverse_distance(projected, id="province_adcode", metric="haversine")
    assert_allclose(a.adjacency.to_numpy(), b.adjacency.to_numpy(), rtol=1e-9)


def test_polygons_reduced_to_points(us_states):
    centroid = knn(us_states, id="fips", k=4, metric="haversine")
    inside = knn(us_states, id="fips", k=4, metric="haversine", points="representative")
    assert centroid.n_edges == inside.n_edges == 192
    shuffled = knn(us_states.sample(frac=1, random_state=3), id="fips", k=4, metric="haversine")
    assert edges_of(shuffled) == edges_of(centroid)


def test_duplicate_locations():
    table = pd.DataFrame({"id": ["a", "b", "c", "d"], "x": [0.0, 0.0, 1.0, 5.0], "y": [0.0, 0.0, 1.0, 5.0]})
    with pytest.raises(WeightsError, match="'a=b'"):
        knn(table, id="id", xy=("x", "y"), metric="euclidean", k=1)
    kept = knn(table, id="id", xy=("x", "y"), metric="euclidean", k=1, duplicates="keep")
    assert kept.neighbors["a"] == ("b",) and kept.neighbors["b"] == ("a",)
    with pytest.raises(WeightsError, match="infinite .*'a=b'"):
        inverse_distance(table, id="id", xy=("x", "y"), metric="euclidean")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"alpha": 0.0}, "alpha"), ({"alpha": np.nan}, "alpha"), ({"cutoff": -1.0}, "cutoff"),
])
def test_bad_inverse_distance_options(kwargs, message):
    with pytest.raises(WeightsError, match=message):
        inverse_distance(TRIANGLE, id="id", xy=("x", "y"), metric="euclidean", **kwargs)


def test_non_numeric_coordinates_are_named():
    table = TRIANGLE.assign(x=["0", "abc", "0"])
    with pytest.raises(WeightsError, match="b: 'abc'"):
        knn(table, id="id", xy=("x", "y"), metric="euclidean", k=1)
