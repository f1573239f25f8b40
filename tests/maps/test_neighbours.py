"""The data of the weights map's connectivity view (the browser side is in test_browser_neighbours.py):
every link of W listed with its weight and row share, the strongest first and at most LISTED per unit,
island links checked against the edge list, and the payload inert inside a script."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import box

from maps import links_map
from maps._escape import script_json
from maps._neighbours import connectivity_data
from tests.maps.pagedata import numbers as decode_unsigned
from maps.errors import FieldError, MapInputError


def _units(n: int) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=[box(i, 0, i + 1, 1) for i in range(n)], crs=4326,
                            index=[f"u{i}" for i in range(n)])


def _dense(n: int) -> pd.DataFrame:
    ids = [f"u{i}" for i in range(n)]
    return pd.DataFrame([{"focal": a, "neighbor": b, "w": 1.0 / abs(i - j)}
                         for i, a in enumerate(ids) for j, b in enumerate(ids) if i != j])


def test_each_unit_lists_its_strongest_links_with_their_row_share():
    links = _dense(6)
    ids = pd.Index([f"u{i}" for i in range(6)])
    data = connectivity_data(ids, links, [(0.0, float(i)) for i in range(6)], listed=3)
    counts, listed = decode_unsigned(data["count"]), decode_unsigned(data["listed"])
    assert counts == [5] * 6 and listed == [3] * 6
    nbr, w, s = decode_unsigned(data["nbr"]), decode_unsigned(data["w"]), decode_unsigned(data["s"])
    assert nbr[:3] == [1, 2, 3]  # u0: the nearest first
    assert nbr[3:6] == [0, 2, 3]  # u1: u0 and u2 tie at 1, the first in the map's order first
    row = np.array([1.0, 1 / 2, 1 / 3, 1 / 4, 1 / 5])
    assert [data["wt"][k] for k in w[:3]] == ["1", "0.5", "0.3333"]
    assert [data["st"][k] for k in s[:3]] == [f"{v:.4f}".rstrip("0") for v in row[:3] / row.sum()]
    assert data["columns"] == ["Neighbour", "Weight", "Row-standardised"]


def test_row_standardised_weights_are_one_column_and_raw_weights_a_third():
    links = pd.DataFrame({"focal": ["a", "b", "b", "c"], "neighbor": ["b", "a", "c", "b"], "w": [1.0, 0.5, 0.5, 1.0],
                          "raw": [1.0, 1.0, 1.0, 1.0]})
    data = connectivity_data(pd.Index(["a", "b", "c"]), links, [(0, 0)] * 3, raw=True, lang="zh")
    assert data["columns"] == ["邻居", "权重（行标准化）", "原始权重"] and data["s"] is None
    assert [data["rt"][k] for k in decode_unsigned(data["r"])] == ["1"] * 4


def test_the_page_lists_every_link_not_only_the_top_k_drawn():
    html = links_map(_units(12), _dense(12).rename(columns={"w": "weight"}), top_k=3).to_html()
    payload = re.search(r"spatialNeighbours\.attach\([^,]+, [^,]+, (.*)\);", html).group(1)
    assert decode_unsigned(re.search(r'"count":"([^"]*)"', payload).group(1)) == [11] * 12
    assert "var spatialNeighbours" in html and "</script" not in payload


def test_island_links_must_be_links_of_the_edge_list():
    edges = pd.DataFrame({"focal": ["u0", "u1", "u1", "u2"], "neighbor": ["u1", "u0", "u2", "u1"], "weight": 1.0})
    html = links_map(_units(3), edges, island_links=[("u2", "u1")]).to_html()
    assert '"island":[[1,2]]' in html and "Island-repair links" in html
    with pytest.raises(MapInputError, match=r"1 island links are not links of the edge list: 'u0' - 'u2'"):
        links_map(_units(3), edges, island_links=[("u0", "u2")])
    with pytest.raises(FieldError, match="'neighbor' is not in the island links"):
        links_map(_units(3), edges, island_links=pd.DataFrame({"island": ["u2"]}))
    with pytest.raises(FieldError, match="'raw_w' is not in the edge list"):
        links_map(_units(3), edges, raw="raw_w")
    assert "spatialNeighbours.attach" not in links_map(_units(3), edges, connectivity=False).to_html()


def test_script_json_cannot_close_the_script():
    text = script_json({"a": "</script><!--", "b": "\u2028'&"})
    assert "<" not in text and ">" not in text and "&" not in text and "'" not in text and "\u2028" not in text
    assert text == '{"a":"\\u003c/script\\u003e\\u003c!--","b":"\\u2028\\u0027\\u0026"}'
