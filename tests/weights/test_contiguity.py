"""Contiguity: reference graphs (us48, Columbus), China's provinces, topology defects, higher orders."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import Polygon, box

from tests.weights.helpers import REFERENCE, edges_of, quiet, squares
from weights import IslandWarning, WeightsError, higher_order, queen, read_weights, rook
from weights._graph import reorder
from weights.contiguity import contiguity


def _us48_reference() -> set[tuple[str, str]]:
    """The shared reference queen graph (ids 1..48 in Produc order) with ids mapped to FIPS."""
    states = pd.read_csv(REFERENCE / "weights_us48_queen" / "produc_states.csv", dtype=str)
    fips = dict(zip(states["id"], states["fips"], strict=True))
    reference = read_weights(REFERENCE / "weights_us48_queen" / "us48_queen_produc.gal")
    return {(fips[a], fips[b]) for a, b in edges_of(reference)}


def test_us48_queen_equals_the_reference_link_by_link(us_states):
    w = queen(us_states, id="fips")
    assert w.n == 48 and w.n_edges == 214
    assert edges_of(w) == _us48_reference()
    assert list(w.unique_ids) == us_states["fips"].tolist()  # the input's order


def test_us48_rook_differs_only_at_the_four_corners(us_states):
    queen_links, rook_links = edges_of(queen(us_states, id="fips")), edges_of(rook(us_states, id="fips"))
    assert rook_links < queen_links
    # Arizona 04 - Colorado 08 and New Mexico 35 - Utah 49 meet at a single point
    assert queen_links - rook_links == {("04", "08"), ("08", "04"), ("35", "49"), ("49", "35")}


@pytest.mark.parametrize("strict", [False, True])
def test_columbus_queen_matches_the_reference(columbus, strict):
    w = queen(columbus, id="POLYID", strict=strict)
    reference = read_weights(REFERENCE / "weights_columbus_queen" / "columbus_queen.gal")
    assert w.n_edges == 236
    assert edges_of(w) == edges_of(reference)


def test_china_province_neighbour_counts(provinces):
    with pytest.warns(IslandWarning, match="460000"):
        w = queen(provinces, id="adcode")
    counts = w.cardinalities
    expected = {"150000": 8, "610000": 8, "130000": 7, "510000": 7, "650000": 3, "110000": 2,
                "460000": 0, "710000": 0}
    assert {k: int(counts[k]) for k in expected} == expected
    assert sorted(map(str, w.isolates)) == ["460000", "710000"]


def test_mainland_only_hainan_is_an_island(mainland):
    w = quiet(queen, mainland, id="adcode")
    assert list(map(str, w.isolates)) == ["460000"]
    assert w.n == 31


def test_islands_are_explicit_zero_self_loops(mainland):
    w = quiet(queen, mainland, id="adcode")
    assert w.adjacency[("460000", "460000")] == 0
    assert not np.isnan(w.adjacency.to_numpy()).any()


def test_shuffled_rows_with_text_ids_give_the_same_graph(provinces):
    named = provinces.assign(code=provinces["name_zh"])  # Chinese names as ids
    shuffled = named.sample(frac=1, random_state=7)
    a = quiet(queen, named, id="code")
    b = quiet(queen, shuffled, id="code")
    assert list(b.unique_ids) == shuffled["code"].tolist()
    assert reorder(b, a.unique_ids).adjacency.equals(a.adjacency)
    assert sorted(map(str, a.isolates)) == ["台湾省", "海南省"]


def test_leading_zeros_are_kept_and_shuffling_changes_nothing():
    layer = squares(["007", "010", "0100", "100"], columns=2)
    w = rook(layer, id="code")
    assert edges_of(w) == {("007", "010"), ("010", "007"), ("007", "0100"), ("0100", "007"),
                           ("010", "100"), ("100", "010"), ("0100", "100"), ("100", "0100")}
    shuffled = rook(layer.iloc[[3, 1, 0, 2]], id="code")
    assert edges_of(shuffled) == edges_of(w)


def test_matches_libpysal_on_the_prefectures(prefectures):
    from libpysal.graph import Graph

    ours = quiet(queen, prefectures, id="adcode")
    theirs = Graph.build_contiguity(prefectures.set_index("adcode"), rook=False)
    assert edges_of(ours) == edges_of(theirs)
    ours_rook = quiet(rook, prefectures, id="adcode")
    theirs_rook = Graph.build_contiguity(prefectures.set_index("adcode"), rook=True)
    assert edges_of(ours_rook) == edges_of(theirs_rook)


def test_strict_and_vertex_agree_on_a_clean_coverage(prefectures):
    for rule in ("queen", "rook"):
        vertex = quiet(contiguity, prefectures, id="adcode", rule=rule)
        strict = quiet(contiguity, prefectures, id="adcode", rule=rule, strict=True)
        assert edges_of(vertex) == edges_of(strict)


def test_a_shared_edge_without_shared_vertices_needs_strict():
    # B's top edge lies along A's bottom edge, but no vertex of one is a vertex of the other
    a = Polygon([(0, 0), (4, 0), (4, 2), (0, 2)])
    b = Polygon([(1, -2), (3, -2), (3, 0), (1, 0)])
    layer = gpd.GeoDataFrame({"code": ["a", "b"]}, geometry=[a, b], crs="EPSG:3857")
    with pytest.warns(IslandWarning, match="strict=True"):
        assert rook(layer, id="code").n_edges == 0
    assert edges_of(rook(layer, id="code", strict=True)) == {("a", "b"), ("b", "a")}


def test_tolerance_bridges_a_gap_between_boundaries():
    a = box(0, 0, 1, 1)
    b = box(1.0005, 0, 2, 1)  # a sliver of 0.0005 between the two units
    c = box(3, 0, 4, 1)  # far away
    layer = gpd.GeoDataFrame({"code": ["a", "b", "c"]}, geometry=[a, b, c], crs="EPSG:3857")
    with pytest.warns(IslandWarning):
        assert queen(layer, id="code").n_edges == 0
    with pytest.warns(IslandWarning):  # c stays alone
        snapped = rook(layer, id="code", tolerance=0.001)
    assert edges_of(snapped) == {("a", "b"), ("b", "a")}
    with pytest.warns(IslandWarning):
        assert edges_of(queen(layer, id="code", tolerance=0.001)) == {("a", "b"), ("b", "a")}


def test_tolerance_rook_needs_a_shared_segment_not_a_corner():
    a, b = box(0, 0, 1, 1), box(1.0002, 1.0002, 2, 2)  # diagonal, corners 0.0003 apart
    layer = gpd.GeoDataFrame({"code": ["a", "b"]}, geometry=[a, b], crs="EPSG:3857")
    assert edges_of(queen(layer, id="code", tolerance=0.001)) == {("a", "b"), ("b", "a")}
    with pytest.warns(IslandWarning):
        assert rook(layer, id="code", tolerance=0.001).n_edges == 0


@pytest.mark.parametrize("order", [2, 3])
@pytest.mark.parametrize("cumulative", [False, True])
def test_higher_order_matches_libpysal(us_states, order, cumulative):
    first = queen(us_states, id="fips")
    ours = higher_order(first, order=order, cumulative=cumulative)
    theirs = first.higher_order(k=order, lower_order=cumulative)
    assert edges_of(ours) == edges_of(theirs)
    built = queen(us_states, id="fips", order=order, cumulative=cumulative)
    assert edges_of(built) == edges_of(ours)


def test_second_order_on_a_chain_by_hand():
    layer = squares(list("abcde"), columns=5)
    second = rook(layer, id="code", order=2)
    assert edges_of(second) == {("a", "c"), ("c", "a"), ("b", "d"), ("d", "b"), ("c", "e"), ("e", "c")}


def test_multipolygon_parts_and_holes():
    ring = box(0, 0, 3, 3).difference(box(1, 1, 2, 2))  # a polygon with a hole
    core = box(1, 1, 2, 2)  # fills the hole
    far = gpd.GeoSeries([box(10, 0, 11, 1), box(3, 0, 4, 1)]).union_all()  # a part touches the ring
    layer = gpd.GeoDataFrame({"code": ["ring", "core", "far"]}, geometry=[ring, core, far], crs="EPSG:3857")
    w = queen(layer, id="code")
    assert edges_of(w) == {("ring", "core"), ("core", "ring"), ("ring", "far"), ("far", "ring")}
    with pytest.warns(IslandWarning, match="'far'"):  # the part shares a corner with the ring, not an edge
        assert edges_of(rook(layer, id="code")) == {("ring", "core"), ("core", "ring")}


def test_no_warning_when_islands_are_rare():
    layer = squares([f"u{k:03d}" for k in range(200)], columns=20)
    lone = gpd.GeoDataFrame({"code": ["lone"]}, geometry=[box(100, 100, 101, 101)], crs="EPSG:3857")
    with warnings.catch_warnings():
        warnings.simplefilter("error", IslandWarning)
        w = queen(pd.concat([layer, lone], ignore_index=True), id="code")  # 1 island of 201 units (< 1 %)
    assert list(map(str, w.isolates)) == ["lone"]


def test_bad_geometries_are_named():
    layer = squares(["a", "b", "c"])
    layer.loc[1, "geometry"] = None
    with pytest.raises(WeightsError, match=r"'b \(missing\)'"):
        queen(layer, id="code")


def test_points_are_not_polygons():
    layer = gpd.GeoDataFrame({"code": ["a"]}, geometry=gpd.points_from_xy([0], [0]), crs="EPSG:3857")
    with pytest.raises(WeightsError, match=r"a \(Point\)"):
        queen(layer, id="code")


@pytest.mark.parametrize(("option", "value", "message"), [
    ("order", 0, "order"), ("tolerance", -1.0, "tolerance"), ("rule", "bishop", "rule='bishop'"),
])
def test_bad_options(option, value, message):
    with pytest.raises(WeightsError, match=message):
        contiguity(squares(["a", "b"]), id="code", **{option: value})


def test_invalid_polygons_are_refused_by_the_strict_method():
    bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    layer = gpd.GeoDataFrame({"code": ["x", "y"]}, geometry=[bowtie, box(1, 0, 2, 1)], crs="EPSG:3857")
    with pytest.raises(WeightsError, match="x: Self-intersection"):
        queen(layer, id="code", strict=True)
