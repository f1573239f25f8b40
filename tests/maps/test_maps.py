"""Interactive maps: choropleth over periods, LISA/significance/Gi* maps, effects and links maps."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import maps
from maps._classify import NO_DATA_COLOR
from maps.errors import FieldError, MapError, MapInputError
from tests.maps.conftest import squares
from tests.maps.pagedata import geojson_features, view_specs

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "columbus_lisa_quadrants"


def test_choropleth_over_periods_pools_classes_and_keeps_ids(us_panel):
    wide = us_panel.wide("unemp")
    shuffled = wide.sample(frac=1.0, random_state=3)  # rows in another order: matched by id
    html = maps.choropleth(us_panel.geometry, shuffled, label="unemp", k=4).to_html()
    spec = view_specs(html)[0]
    assert spec["views"] == [str(y) for y in wide.columns] and spec["initial"] == 16 and spec["slider"]
    features = geojson_features(html)[0]
    assert len(features) == 48
    california = next(f for f in features if f["properties"]["_name"].startswith("California"))
    k = california["properties"]["_k"]
    assert spec["texts"][0][k] == "7.2" and spec["texts"][16][k] == "6.7"  # 1970 and 1986, formatted in Python
    # one set of breaks for all periods: a colour means the same value every year
    assert len({json.dumps(view) for view in spec["styles"]}) == 1
    assert "breaks pooled over all periods" in spec["legends"][0]
    assert spec["codes"][0] != spec["codes"][16]  # the period selector changes colours


def test_choropleth_no_data_colour_and_legend(us_panel):
    values = us_panel.wide("gsp")[1986].copy()
    values.iloc[:3] = np.nan
    spec = view_specs(maps.choropleth(us_panel.geometry, values, k=5).to_html())[0]
    legend = spec["legends"][0]
    assert "Quantiles, 5 classes" in legend and "no data" in legend and "(3)" in legend
    no_data = len(spec["styles"][0]) - 1
    assert spec["styles"][0][no_data]["fillColor"] == NO_DATA_COLOR
    assert spec["codes"][0].count(no_data) == 3


def test_degenerate_choropleths_render(us_panel):
    geometry = us_panel.geometry
    constant = pd.Series(5.0, index=geometry.index)
    assert "constant value" in view_specs(maps.choropleth(geometry, constant).to_html())[0]["legends"][0]
    missing = pd.Series(np.nan, index=geometry.index)
    spec = view_specs(maps.choropleth(geometry, missing).to_html())[0]
    assert "no data" in spec["legends"][0] and set(spec["codes"][0]) == {0}
    few = pd.Series([1.0, 2.0] * 24, index=geometry.index)
    assert "2 classes &lt; 5 requested" in view_specs(maps.choropleth(geometry, few).to_html())[0]["legends"][0]


def test_choropleth_bad_input():
    units = squares(["a", "b"], gdp=[1.0, 2.0])
    with pytest.raises(FieldError, match="'gpd' is not in the layer; available columns: 'code', 'gdp'"):
        maps.choropleth(units, "gpd", id="code")
    with pytest.raises(MapInputError, match="ids are not units of the map"):
        maps.choropleth(units, pd.Series([1.0], index=["zz"]), id="code")
    with pytest.raises(MapError, match="scheme='jenks' is not allowed"):
        maps.choropleth(units, "gdp", id="code", scheme="jenks")
    with pytest.raises(MapError, match="tiles='Google'"):
        maps.choropleth(units, "gdp", id="code", tiles="Google")


def test_no_tiles_by_default_and_tiles_by_name():
    units = squares(["a", "b"], gdp=[1.0, 2.0])
    assert "tile.openstreetmap" not in maps.choropleth(units, "gdp", id="code").to_html()
    assert "tile.openstreetmap.org" in maps.choropleth(units, "gdp", id="code", tiles="OpenStreetMap").to_html()


def _columbus():
    data = pd.read_csv(REFERENCE / "columbus.csv")
    edges = pd.read_csv(REFERENCE / "columbus_queen_edges.csv")
    ids = data["POLYID"].to_numpy()
    position = {v: i for i, v in enumerate(ids)}
    w = sp.csr_matrix((np.ones(len(edges)), ([position[v] for v in edges.focal], [position[v] for v in edges.neighbor])),
                      shape=(len(ids), len(ids)))
    w = sp.diags(1 / np.asarray(w.sum(axis=1)).ravel()) @ w
    reference = json.loads((REFERENCE / "columbus_moran.json").read_text(encoding="utf-8"))["local_moran"]
    return data["CRIME"].to_numpy(), w, reference


def test_lisa_quadrants_match_spdep_on_columbus():
    crime, w, reference = _columbus()
    lag = w @ crime
    labels = maps.lisa_clusters(crime, lag, np.zeros(len(crime)))  # all significant: the quadrants alone
    expected = [{"High-High": "HH", "Low-Low": "LL", "High-Low": "HL", "Low-High": "LH"}[q]
                for q in reference["quadrant_mean"]]
    assert labels.tolist() == expected
    p = np.asarray(reference["conditional_TRUE_default"]["p_two_sided"])
    significant = maps.lisa_clusters(crime, lag, p, alpha=0.05)
    assert (significant == "ns").sum() == (p >= 0.05).sum()
    assert all(s == e for s, e, pv in zip(significant, expected, p, strict=True) if pv < 0.05)


def test_lisa_map_labels_islands_and_an_all_not_significant_period():
    units = squares(["a", "b", "c"])
    clusters = pd.DataFrame({2000: ["HH", "Not significant", "island"], 2001: ["not significant"] * 2 + ["island"]},
                            index=["a", "b", "c"])
    spec = view_specs(maps.lisa_map(units, clusters, id="code", alpha=0.05).to_html())[0]
    assert spec["views"] == ["2000", "2001"]
    assert "High-High</td><td class=\"n\">(1)" in spec["legends"][0]
    assert "Not significant</td><td class=\"n\">(2)" in spec["legends"][1]  # honest: every category listed
    assert "Island (no neighbours)" in spec["legends"][1] and spec["texts"][1][2] == "Island (no neighbours)"
    island = spec["styles"][0][spec["codes"][0][2]]
    assert island["dashArray"] and island["fillColor"] == "#ffffff"
    with pytest.raises(MapError, match="unknown LISA cluster labels 'hot'"):
        maps.lisa_map(units, pd.Series(["hot", "HH", "LL"], index=["a", "b", "c"]), id="code")


def test_significance_and_hotspot_maps():
    units = squares(["a", "b", "c", "d"])
    p = pd.Series([0.0005, 0.03, 0.5, np.nan], index=list("abcd"))
    spec = view_specs(maps.significance_map(units, p, id="code", islands=["d"]).to_html())[0]
    assert spec["texts"][0][:3] == ["&lt;0.001", "0.030", "0.500"] and spec["texts"][0][3] == "Island (no neighbours)"
    z = pd.Series([3.1, -2.1, 1.8, 0.2], index=list("abcd"))
    gp = pd.Series([0.002, 0.04, 0.08, 0.6], index=list("abcd"))
    spec = view_specs(maps.hotspot_map(units, z, gp, id="code").to_html())[0]
    legend = spec["legends"][0]
    for label in ("Hot spot 99%</td><td class=\"n\">(1)", "Cold spot 95%</td><td class=\"n\">(1)",
                  "Hot spot 90%</td><td class=\"n\">(1)", "Not significant</td><td class=\"n\">(1)"):
        assert label in legend
    given = pd.Series(["hot spot 95%", "not significant", "not significant", "island"], index=list("abcd"))
    legend = view_specs(maps.hotspot_map(units, z, gp, categories=given, id="code").to_html())[0]["legends"][0]
    assert "Hot spot 95%</td><td class=\"n\">(1)" in legend and "Island (no neighbours)</td><td class=\"n\">(1)" in legend


def test_effects_map_views_and_diverging_palette():
    units = squares(["a", "b", "c"])
    effects = pd.DataFrame({"direct": [1.0, 1.2, 1.1], "received": [-0.2, 0.3, 0.1], "emitted": [0.1, 0.2, 0.3]},
                           index=["a", "b", "c"])
    spec = view_specs(maps.effects_map(units, effects, variable="log(pcap)", id="code", k=3).to_html())[0]
    assert spec["views"] == ["Direct effect", "Spillover received", "Spillover emitted"] and not spec["slider"]
    assert spec["styles"][1][0]["fillColor"] != spec["styles"][0][0]["fillColor"]  # RdBu_r where values span zero
    zh = view_specs(maps.effects_map(units, effects, variable="x", id="code", lang="zh").to_html())[0]
    assert zh["views"][0] == "直接效应"


def test_effects_map_continuous_scale_states_the_range_and_centres_signed_values_on_zero():
    from maps._classify import palette
    from maps._continuous import STEPS

    units = squares(["a", "b", "c", "d"])
    effects = pd.DataFrame({"direct": [1.204, 1.226, 1.248, np.nan], "received": [-0.1, 0.0, 0.4, 0.2]},
                           index=["a", "b", "c", "d"])
    spec = view_specs(maps.effects_map(units, effects, variable="x", id="code").to_html())[0]
    fills = [[spec["styles"][v][c]["fillColor"] for c in codes] for v, codes in enumerate(spec["codes"])]
    blues, diverging = palette("PuBuGn", STEPS), palette("RdBu_r", STEPS)
    # a narrow range is not stretched over the ramp: the scale runs from 0, so 1.204..1.248 (3.5 % of
    # their size) take two neighbouring steps at the top, in proportion to the values
    steps = [round(v / 1.248 * (STEPS - 1)) for v in (1.204, 1.226, 1.248)]
    assert steps == [61, 62, 63]
    assert fills[0] == [blues[s] for s in steps] + [NO_DATA_COLOR]
    legend = spec["legends"][0]
    assert "Continuous scale" in legend and "range 1.204 to 1.248 (spread 0.044)" in legend
    assert "the scale starts at 0" in legend and "<span>0</span>" in legend
    assert "left:96.47%;width:3.53%" in legend  # the data's stretch of the bar: 1.204/1.248 to 1.248/1.248
    assert "spatial-colourbar" in legend and "no data</td><td class=\"n\">(1)" in legend
    # signed values: scale -0.4..0.4 so that 0 sits at the middle step (the neutral colour)
    assert fills[1] == [diverging[round(0.3 / 0.8 * (STEPS - 1))], diverging[round(0.5 * (STEPS - 1))],
                        diverging[-1], diverging[round(0.6 / 0.8 * (STEPS - 1))]]
    assert "centred on 0" in spec["legends"][1] and "<span>0</span>" in spec["legends"][1]
    assert len(spec["styles"][1]) == 4  # only the steps in use travel to the page
    # classification schemes stay available, with their class counts
    classed = view_specs(maps.effects_map(units, effects, variable="x", id="code", scheme="quantiles", k=3).to_html())[0]
    assert "Quantiles, 3 classes" in classed["legends"][0]
    zh = view_specs(maps.effects_map(units, effects, variable="x", id="code", lang="zh").to_html())[0]
    assert "连续色阶" in zh["legends"][0] and "取值范围 1.204 至 1.248" in zh["legends"][0]
    with pytest.raises(MapError, match="'continuous', 'quantiles'"):
        maps.effects_map(units, effects, variable="x", id="code", scheme="jenks")


def test_effects_ramp_reaches_zero_whatever_the_sign():
    """The continuous ramp's rule (maps._continuous): one-sign values run from 0 to the largest magnitude,
    so colour differences are in proportion to the values; a wide relative spread still uses the ramp."""
    from maps._classify import palette
    from maps._continuous import STEPS

    units = squares(["a", "b", "c"])
    effects = pd.DataFrame({"negative": [-0.3, -0.15, -0.03], "wide": [0.1, 0.55, 1.0]}, index=["a", "b", "c"])
    spec = view_specs(maps.effects_map(units, effects, variable="x", id="code").to_html())[0]
    fills = [[spec["styles"][v][c]["fillColor"] for c in codes] for v, codes in enumerate(spec["codes"])]
    reversed_, blues = palette("PuBuGn_r", STEPS), palette("PuBuGn", STEPS)
    # -0.3..0: the most negative value at the dark end (position 0 of the reversed ramp)
    assert fills[0] == [reversed_[round((v + 0.3) / 0.3 * (STEPS - 1))] for v in (-0.3, -0.15, -0.03)]
    assert fills[1] == [blues[round(v / 1.0 * (STEPS - 1))] for v in (0.1, 0.55, 1.0)]  # steps 6, 35, 63
    assert "<span>-0.3</span><span>-0.15</span><span>0</span>" in spec["legends"][0]


def test_links_map_counts_links_once_and_highlights_islands():
    import geopandas as gpd
    from libpysal.graph import Graph
    from shapely import box

    units = gpd.GeoDataFrame({"code": ["a", "b", "c"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(5, 0, 6, 1)],
                             crs=4326)
    graph = Graph.build_contiguity(units.set_index("code"), rook=True)
    html = maps.links_map(units, graph.adjacency.reset_index(), id="code").to_html()
    spec = view_specs(html)[0]
    assert "1 links, 1 islands" in spec["title"]
    assert spec["texts"][0] == ["1 neighbours", "1 neighbours", "Island (no neighbours)"]
    assert spec["aliases"] == ["Unit", "Connectivity"]  # the tooltip read "neighbours  1 neighbours"
    assert html.count("L.polyline(") == 1
    with pytest.raises(MapInputError, match="names 1 ids that are not units"):
        maps.links_map(units, pd.DataFrame({"focal": ["a"], "neighbor": ["zz"]}), id="code")


def test_chinese_legend_uses_chinese_punctuation(us_panel):
    """'分位数, 5 类' (a half-width comma after Chinese text) read as untranslated in the zh report."""
    spec = view_specs(maps.choropleth(us_panel.geometry, us_panel.wide("gsp")[1986], k=5, lang="zh").to_html())[0]
    assert "分位数，5 类" in spec["legends"][0] and "分位数, " not in spec["legends"][0]
