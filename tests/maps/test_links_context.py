"""The weights map: units outside the study drawn as no data, line width by weight, top-k links of a dense W."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pandas as pd
from shapely import box

from maps import links_map


def _has(html: str, text: str) -> bool:
    """The text on the page, as it is or as the map's JSON escapes it."""
    return text in html or json.dumps(text)[1:-1] in html


def _units(n: int) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=[box(i, 0, i + 1, 1) for i in range(n)], crs=4326,
                            index=[f"u{i}" for i in range(n)])


def test_outside_units_are_no_data_not_islands():
    edges = pd.DataFrame({"focal": ["u0", "u1"], "neighbor": ["u1", "u0"], "weight": [1.0, 1.0]})
    html = links_map(_units(3), edges, lang="zh", outside=["u2"]).to_html()
    assert _has(html, "0 个孤岛") and _has(html, "不在样本中（无数据）")
    assert not _has(html, "线宽表示权重")  # equal weights: equal lines


def test_dense_weights_keep_the_strongest_links_drawn_by_weight():
    units = _units(12)
    ids = list(units.index)
    rows = [{"focal": a, "neighbor": b, "weight": 1.0 / (1 + abs(i - j)) ** 2}
            for i, a in enumerate(ids) for j, b in enumerate(ids) if i != j]
    html = links_map(units, pd.DataFrame(rows), top_k=3).to_html()
    assert _has(html, "the 3 strongest links of each unit") and _has(html, "line width: weight")
    lines = html[html.find("L.polyline"):]
    widths = {float(w) for w in re.findall(r'"weight": ([0-9.]+)', lines)}
    assert len(widths) > 1  # lines of several widths
    # each unit keeps its 3 strongest links: its nearest neighbours only
    assert "12 links" not in html
