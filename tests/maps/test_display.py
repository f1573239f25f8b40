"""The display copy: fields checked, serialisation fixed, geometry reprojected and simplified."""

from __future__ import annotations

import datetime as dt
import decimal

import numpy as np
import pandas as pd
import pytest
import shapely

from maps._display import align_values, display_layer, plain_values, require_fields
from maps.errors import FieldError, MapInputError, MapWarning
from tests.maps.conftest import squares


def test_field_error_lists_available_columns():
    units = squares(["a", "b"], gdp=[1.0, 2.0])
    with pytest.raises(FieldError, match=r"field 'gpd' is not in the layer; available columns: 'code', 'gdp'"):
        require_fields(units, ["gpd"])
    with pytest.raises(FieldError, match="'nope'"):
        display_layer(units, id="code", names=["nope"])


def test_no_crs_and_duplicate_ids_are_errors():
    units = squares(["a", "b"]).set_crs(None, allow_override=True)
    with pytest.raises(MapInputError, match="no CRS"):
        display_layer(units, id="code")
    with pytest.raises(MapInputError, match=r"ids repeat \(1: 'a'\)"):
        display_layer(squares(["a", "a"]), id="code")


def test_values_are_plain_numbers_with_infinities_counted():
    with pytest.warns(MapWarning, match="2 infinite values shown as no data"):
        numbers = plain_values(pd.Series([1.0, np.inf, -np.inf, np.nan]), "gdp")
    assert np.isnan(numbers[1:]).all()
    assert plain_values(pd.Series([decimal.Decimal("1.5"), None], dtype=object), "d").tolist()[0] == 1.5
    with pytest.raises(FieldError, match="not numeric"):
        plain_values(pd.Series(["a", "b"]), "name")
    with pytest.raises(FieldError, match="holds dates or periods"):
        plain_values(pd.Series(pd.to_datetime(["2020-01-01"])), "date")


def test_names_escape_and_datetimes_become_iso_text():
    units = squares(["a", "b"], name=["<b>x</b>", None], when=[dt.date(2020, 1, 2), pd.Timestamp("2021-03-04")])
    layer = display_layer(units, id="code", names=["name", "when"], simplify=None)
    assert layer.frame["_name"].tolist() == ["&lt;b&gt;x&lt;/b&gt; · 2020-01-02 (a)", "2021-03-04T00:00:00 (b)"]
    assert list(layer.frame.columns) == ["_id", "_name", "geometry"]  # extra columns never reach the page


def test_reprojected_for_display_and_simplified_with_topology_kept():
    from spatial import datasets

    states = datasets.load("us48_states").to_crs(5070)  # analysis CRS: projected metres
    layer = display_layer(states, id="fips")
    assert layer.frame.crs.to_epsg() == 4326 and states.crs.to_epsg() == 5070  # the input is untouched
    assert 2000 < layer.tolerance_m < 20000
    before = shapely.get_num_coordinates(states.geometry.to_numpy()).sum()
    after = shapely.get_num_coordinates(layer.frame.geometry.to_numpy()).sum()
    assert after < 0.7 * before
    # shared borders stay shared: the same pairs of states touch before and after
    def touching(geoms):
        tree = shapely.STRtree(geoms)
        left, right = tree.query(geoms, predicate="intersects")
        return {(a, b) for a, b in zip(left, right, strict=True) if a < b}
    original = touching(states.to_crs(4326).geometry.to_numpy())
    shown = touching(layer.frame.geometry.to_numpy())
    assert len(original ^ shown) <= 2  # corner contacts (AZ-CO, NM-UT) may open by a few metres
    assert display_layer(states, id="fips", simplify=None).tolerance_m is None


def test_units_without_geometry_are_listed_not_silently_dropped():
    units = squares(["a", "b", "c"])
    units.loc[1, "geometry"] = None
    with pytest.warns(MapWarning, match="1 units have no geometry and are not drawn: 'b'"):
        layer = display_layer(units, id="code", simplify=None)
    assert layer.not_drawn == ("b",) and list(layer.ids) == ["a", "c"]


def test_values_align_by_id_not_position():
    layer = display_layer(squares(["01", "02", "03"]), id="code", simplify=None)
    shuffled = pd.Series([3.0, 1.0], index=["03", "01"])
    assert align_values(layer, shuffled, "v").iloc[:, 0].tolist()[0] == 1.0
    assert np.isnan(align_values(layer, shuffled, "v").iloc[1, 0])
    with pytest.raises(MapInputError, match=r"1 ids are not units of the map \('1'\)"):
        align_values(layer, pd.Series([1.0], index=["1"]), "v")
