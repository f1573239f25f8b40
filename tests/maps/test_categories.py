"""Categorical maps (coupling coordination grades): legend order and counts, unknown keys, escaping."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely import box

from maps.categories import category_map
from maps.errors import MapError


def _units() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=[box(i, 0, i + 1, 1) for i in range(4)], crs=4326, index=["a", "b", "c", "d"])


def test_legend_lists_every_category_with_counts_per_period():
    labels = pd.DataFrame({2000: [1, 1, 2, None], 2010: [2, 3, 3, 3]}, index=["a", "b", "c", "d"])
    html = category_map(_units(), labels, [(1, "low"), (2, "middle"), (3, "high")], title="grades").to_html()
    for text in ("low", "middle", "high"):
        assert text in html
    legend = html[html.index('"legends"') :]
    assert legend.index("low") < legend.index("middle") < legend.index("high")


def test_unknown_keys_and_colour_count_are_errors():
    with pytest.raises(MapError, match="not among the categories: '9'"):
        category_map(_units(), pd.Series([1, 9, 1, 1], index=list("abcd")), [(1, "low"), (2, "high")])
    with pytest.raises(MapError, match="2 categories need 2 colours"):
        category_map(_units(), pd.Series([1, 2, 1, 1], index=list("abcd")), [(1, "low"), (2, "high")], colors=["#fff"])


def test_category_text_is_escaped():
    payload = "</script><script>alert(1)</script>${x}"
    html = category_map(_units(), pd.Series([1, 1, 1, 1], index=list("abcd")), [(1, payload)]).to_html()
    assert "<script>alert(1)" not in html
    assert "${x}" not in html
