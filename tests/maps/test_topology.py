"""The shared-arc encoding of map units (maps/_topology.py), read back by the independent decoder
of tests/maps/pagedata.py: every unit comes back as the display geometry, shared edges once."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely import box
from shapely.geometry import MultiPolygon, Point, Polygon, shape

from maps._topology import encode, encode_unsigned
from maps.errors import MapInputError
from tests.maps.pagedata import decode_arcs, decode_units, numbers


def _decoded(geometries, precision):
    topology = encode(geometries, precision)
    return topology, [shape(g) for g in decode_units(topology.to_dict())]


def _vertices(geometry) -> set[tuple[float, float]]:
    return {tuple(c) for c in shapely.get_coordinates(geometry).tolist()}


def test_numbers_round_trip_through_the_independent_decoder():
    rng = np.random.default_rng(0)
    values = np.concatenate([np.arange(70), rng.integers(0, 2**40, size=200), [2**62, 0, 31, 32, 1023, 1024]])
    assert numbers(encode_unsigned(values)) == values.tolist()
    assert set(encode_unsigned(values)) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    with pytest.raises(ValueError, match="non-negative"):
        encode_unsigned([-1])


def test_grid_edges_are_stored_once():
    n = 3
    cells = [box(x, y, x + 1, y + 1) for y in range(n) for x in range(n)]
    topology, decoded = _decoded(cells, precision=0)
    # 2n(n+1) unit edges; at each of the grid's 4 corners only one cell passes, so its two edges are one arc
    assert topology.n_arcs == 2 * n * (n + 1) - 4
    for cell, back in zip(cells, decoded, strict=True):
        assert back.equals(cell) and _vertices(back) == _vertices(cell)


def test_hole_filled_by_another_unit_is_one_closed_arc_and_multipolygons_keep_their_parts():
    donut = Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(3, 3), (3, 6), (6, 6), (6, 3)]])
    island = box(3, 3, 6, 6)
    apart = MultiPolygon([box(20, 0, 21, 1), box(30, 0, 31, 1)])
    topology, decoded = _decoded([donut, island, apart], precision=0)
    assert topology.n_arcs == 4  # donut's outline, the ring shared by hole and island, two squares
    assert decoded[0].equals(donut) and len(decoded[0].geoms[0].interiors) == 1
    assert decoded[1].equals(island)
    assert decoded[2].equals(apart) and len(decoded[2].geoms) == 2
    clockwise_input = shapely.orient_polygons(donut, exterior_cw=True)
    back = shape(decode_units(encode([clockwise_input], 0).to_dict())[0]).geoms[0]
    assert back.exterior.is_ccw and not back.interiors[0].is_ccw  # oriented for the page's nonzero fill


def test_western_and_southern_coordinates_at_six_decimals():
    rng = np.random.default_rng(3)
    polys = []
    for _ in range(30):
        x, y = rng.uniform(-179, 179), rng.uniform(-89, 89)
        polys.append(shapely.convex_hull(shapely.multipoints(np.round(rng.normal([x, y], 0.01, (12, 2)), 6))))
    topology, decoded = _decoded(polys, precision=6)
    for poly, back in zip(polys, decoded, strict=True):
        assert back.equals(poly)
        assert np.allclose(sorted(_vertices(back)), sorted(_vertices(poly)), atol=1e-9)


def test_bundled_counties_round_trip_with_shared_arcs():
    from maps._display import display_layer
    from spatial import datasets

    counties = datasets.load("china_counties")
    layer = display_layer(counties, id="adcode", names=["name_zh"])
    geometries = layer.frame.geometry.to_numpy()
    topology, decoded = _decoded(geometries, layer.precision)
    assert topology.n_units == len(decoded) == len(counties)
    segments = [frozenset(pair) for arc in decode_arcs(topology.to_dict()) for pair in zip(arc[:-1], arc[1:])]
    assert len(segments) == len(set(segments))  # a border between two counties is stored once
    ring_points = int(shapely.get_num_coordinates(geometries).sum()) - int(shapely.get_num_interior_rings(
        shapely.get_parts(geometries)).sum()) - len(shapely.get_parts(geometries))
    assert len(segments) < 0.6 * ring_points  # each ring on its own would draw every border twice
    for original, back in zip(geometries, decoded, strict=True):
        # rounding for display leaves a few outlines touching themselves (invalid), so equality is
        # checked only where GEOS can; the area and the vertices are checked everywhere
        assert back.area == pytest.approx(original.area, abs=1e-9)
        assert _vertices(back) <= _vertices(original)
        assert not original.is_valid or shapely.equals(original, back)


def test_rings_that_round_to_repeated_points_lose_only_the_repeats():
    square = Polygon([(0, 0), (1, 0), (1.0004, 0.0004), (1, 1), (0, 1), (0.0001, 0.0001), (0, 0)])
    topology, decoded = _decoded([square], precision=2)
    assert decoded[0].equals(box(0, 0, 1, 1)) and topology.n_points == 5


def test_points_and_lines_are_refused_with_their_ids():
    with pytest.raises(MapInputError, match=r"1 units are not polygons \('b' \(Point\)\)"):
        encode([box(0, 0, 1, 1), Point(3, 3)], 0, ids=["a", "b"])
