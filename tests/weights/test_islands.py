"""Island policies (keep, drop, connect), always recorded, and components."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from shapely import box

from tests.weights.helpers import edges_of, quiet, squares
from weights import WeightsError, apply_island_policy, components, knn, queen
from weights._graph import graph_from_sparse
from weights._locations import locate


def test_connect_links_hainan_to_guangdong_and_records_it(mainland):
    w = quiet(queen, mainland, id="adcode")
    fixed, report = apply_island_policy(w, "connect", frame=mainland, id="adcode")
    assert list(map(str, fixed.isolates)) == []
    assert fixed.neighbors["460000"] == ("440000",)  # exactly one neighbour: Guangdong
    assert "460000" in fixed.neighbors["440000"]
    assert int(fixed.cardinalities["440000"]) == int(w.cardinalities["440000"]) + 1
    [link] = report.added
    assert (link.island, link.neighbor, link.unit, link.measured) == ("460000", "440000", "km", "boundary")
    assert 5 < link.distance < 40  # across the Qiongzhou Strait
    assert "460000 <-> 440000" in "\n".join(report.lines())
    assert report.to_dict()["added"][0]["neighbor"] == "440000"
    assert fixed.n_edges == w.n_edges + 2


def test_connect_taiwan_and_hainan_in_the_34_units(provinces):
    w = quiet(queen, provinces, id="adcode")
    fixed, report = apply_island_policy(w, "connect", frame=provinces, id="adcode")
    assert {(a.island, a.neighbor) for a in report.added} == {("460000", "440000"), ("710000", "350000")}
    assert fixed.n_components == 1


def test_connect_k_nearest_by_points():
    table = pd.DataFrame({"id": ["a", "b", "c", "far"], "x": [0.0, 1.0, 2.0, 10.0], "y": [0.0, 0.0, 0.0, 0.0]})
    locations = locate(table, id="id", xy=("x", "y"), metric="euclidean")
    w = graph_from_sparse(np.array([[0, 1.0, 0, 0], [1.0, 0, 1.0, 0], [0, 1.0, 0, 0], [0, 0, 0, 0]]),
                          ["a", "b", "c", "far"])
    fixed, report = apply_island_policy(w, "connect", locations=locations, k=2)
    assert sorted(fixed.neighbors["far"]) == ["b", "c"]
    assert [(a.neighbor, a.distance) for a in report.added] == [("c", 8.0), ("b", 9.0)]


def test_drop_records_the_dropped_units(mainland):
    w = quiet(queen, mainland, id="adcode")
    kept, report = apply_island_policy(w, "drop")
    assert "460000" not in set(map(str, kept.unique_ids)) and kept.n == 30
    assert report.dropped == ("460000",)
    assert "dropped" in report.lines()[0]


def test_keep_changes_nothing_and_reports():
    layer = squares(["a", "b"], columns=1)
    layer["geometry"] = [layer.geometry.iloc[0], box(10, 10, 11, 11)]
    lone = quiet(queen, layer, id="code")
    same, report = apply_island_policy(lone, "keep")
    assert same is lone and report.islands == ("a", "b")


def test_connect_needs_locations():
    w = graph_from_sparse(np.zeros((2, 2)), ["a", "b"])
    with pytest.raises(WeightsError, match="needs the units' geometries or points"):
        apply_island_policy(w, "connect")


def test_components_are_listed_largest_first(us_states):
    w = knn(us_states, id="fips", k=1, metric="haversine")
    table = components(w)
    assert table["size"].sum() == 48 and table["size"].is_monotonic_decreasing
    assert set().union(*table["units"]) == set(us_states["fips"])


def test_components_of_a_graph_with_an_island():
    w = graph_from_sparse(np.array([[0, 1.0, 0], [1.0, 0, 0], [0, 0, 0]]), ["a", "b", "c"])
    assert components(w)["size"].tolist() == [2, 1]
    assert edges_of(w) == {("a", "b"), ("b", "a")}
