"""The build front: recorded choices, island policies, warnings and option checks."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tests.weights.helpers import edges_of, squares
from weights import IslandWarning, WeightsError, build
from weights._graph import matrix_of


def test_queen_with_connect_records_the_added_link(mainland):
    with warnings.catch_warnings():
        warnings.simplefilter("error", IslandWarning)  # the policy was chosen: no warning
        built = build(mainland, kind="queen", id="adcode", islands="connect", transform="row")
    assert built.graph.transformation == "R"
    assert built.graph.neighbors["460000"] == ("440000",)
    text = str(built.summary(name="queen"))
    assert "460000 <-> 440000 (boundary distance" in text and "transform: row" in text
    record = built.to_dict()
    assert record["islands"]["added"][0]["neighbor"] == "440000" and record["options"]["method"] == "vertex"


def test_default_keep_warns_about_islands(provinces):
    with pytest.warns(IslandWarning, match="2 of 34 units have no neighbour"):
        built = build(provinces, kind="queen", id="adcode")
    assert built.islands.policy == "keep" and set(built.islands.islands) == {"460000", "710000"}


def test_distance_band_islands_are_an_error_until_a_policy_is_chosen(capitals):
    kwargs = {"kind": "distance_band", "id": "province_adcode", "xy": ("lon", "lat"), "metric": "haversine",
              "threshold": 600.0}
    with pytest.raises(WeightsError, match="the smallest distance that gives every unit a neighbour"):
        build(capitals, **kwargs)
    with pytest.warns(IslandWarning, match="2 components"):  # islands connected, a 3-unit cluster remains apart
        built = build(capitals, islands="connect", **kwargs)
    assert len(built.graph.isolates) == 0 and built.islands.added
    assert all(link.measured == "points" and link.unit == "km" for link in built.islands.added)
    with pytest.warns(IslandWarning, match="2 components"):
        weighted = build(capitals, islands="connect", binary=False, alpha=2.0, **kwargs)
    link = weighted.islands.added[0]
    assert weighted.graph.adjacency[(link.island, link.neighbor)] == pytest.approx(link.distance ** -2, rel=1e-12)


def test_records_metric_unit_and_points(capitals, us_states):
    built = build(capitals, kind="inverse_distance", id="province_adcode", xy=("lon", "lat"), metric="geodesic",
                  alpha=2, transform="spectral")
    assert built.options["metric"] == "geodesic" and built.options["unit"] == "km"
    assert built.options["points"] == "columns lon/lat" and built.transform == "spectral"
    assert np.abs(np.linalg.eigvals(matrix_of(built.graph).toarray())).max() == pytest.approx(1.0, rel=1e-10)
    knn = build(us_states, kind="knn", id="fips", k=4, metric="haversine")
    assert "equal-area" in knn.options["points"]


def test_nested_through_build(capitals):
    rng = np.random.default_rng(1)
    values = pd.DataFrame({"province_adcode": capitals["province_adcode"], "gdp": rng.lognormal(10, 0.5, 34)})
    built = build(capitals, kind="nested", id="province_adcode", xy=("lon", "lat"), metric="haversine", alpha=1,
                  values=values, variable=None, values_id="province_adcode", transform="row")
    assert built.options["distance"] == "inverse_distance" and built.graph.n == 34


def test_economic_through_build_with_dropped_ties():
    values = pd.Series([1.0, 1.0, 3.0], index=["a", "b", "c"], name="gdp_pc")
    built = build(values, kind="economic", ties="drop")
    assert ("a", "b") not in edges_of(built.graph)
    assert any("1 pairs with equal means left unlinked" in note for note in built.notes)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"kind": "queen", "treshold": 3}, "option 'treshold' does not apply to queen weights"),
    ({"kind": "knn", "threshold": 3, "metric": "euclidean"}, "does not apply to knn"),
    ({"kind": "hexagon"}, "kind='hexagon' is not allowed"),
    ({"kind": "queen", "islands": "ignore"}, "islands='ignore' is not allowed"),
    ({"kind": "queen", "transform": "W"}, "transform='W' is not allowed"),
    ({"kind": "knn", "metric": "euclidean"}, "need k="),
])
def test_bad_requests_are_named(kwargs, message):
    with pytest.raises(WeightsError, match=message):
        build(squares(["a", "b", "c"]), id="code", **kwargs)


def test_higher_order_contiguity_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error", IslandWarning)
        built = build(squares(list("abcde"), columns=5), kind="rook", id="code", order=2)
    assert built.graph.n_edges == 6
