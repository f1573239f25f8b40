"""Map and report output under hostile or degenerate data (shared/RELIABILITY.md F1-F6).

Unit names, column names, titles and values carry script-injection payloads; none may reach a
page raw, in HTML, in a JavaScript template literal or in the embedded GeoJSON.
"""

from __future__ import annotations

import datetime as dt
import decimal

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import box

import maps
from maps.errors import FieldError, MapWarning
from maps.report import Paragraph, Report, table
from spatial.cli import main
from tests.faults.test_input_faults import expect_error
from tests.maps.conftest import PAYLOADS, hostile_units, payload_series  # noqa: F401 (fixture)
from tests.maps.pagedata import geojson_features, view_specs

# Raw forms that must never appear in a page (each would run or break code).
RAW = ("<script>document.title", "<img src=x", "${document", "`backtick`", "\\x3cimg", "\\u003cimg",
       "document.title='x'")


def assert_inert(html: str) -> None:
    for raw in RAW:
        assert raw not in html, raw


def hostile_maps(units) -> list:
    ids = ["01", "02", "03", "04"]
    values = pd.DataFrame({PAYLOADS[0]: [1.0, 2.0, 3.0, 4.0], PAYLOADS[2]: [4.0, 3.0, 2.0, 1.0]}, index=ids)
    return [
        maps.choropleth(units, values, id="code", names=["name"], label=PAYLOADS[1], title=PAYLOADS[3]),
        maps.lisa_map(units, payload_series(["HH", "LL", "ns", "island"]), id="code", names=["name"],
                      title=PAYLOADS[0], pvalues=payload_series([0.01, 0.02, 0.5, np.nan])),
        maps.significance_map(units, payload_series([0.01, 0.02, 0.5, 0.9]), id="code", names=["name"], title=PAYLOADS[1]),
        maps.hotspot_map(units, payload_series([3.0, -3.0, 0.1, 1.0]), payload_series([0.001, 0.01, 0.5, 0.2]),
                         id="code", names=["name"], title=PAYLOADS[2]),
        maps.effects_map(units, pd.DataFrame({PAYLOADS[3]: [1.0, 2.0, 3.0, 4.0]}, index=ids), variable=PAYLOADS[0],
                         id="code", names=["name"]),
        maps.links_map(units, pd.DataFrame({"focal": ["01", "02"], "neighbor": ["02", "01"]}), id="code",
                       names=["name"], title=PAYLOADS[1]),
    ]


def test_f1_payloads_never_reach_the_page_raw(hostile_units):
    for m in hostile_maps(hostile_units):
        assert_inert(m.to_html())


def test_f2_tooltip_values_and_aliases_are_escaped_in_the_display_copy(hostile_units):
    m = maps.choropleth(hostile_units, "gdp", id="code", names=["name"], label=PAYLOADS[1])
    html = m.to_html()
    names = [f["properties"]["_name"] for f in geojson_features(html)[0]]
    assert any("&lt;img src=x onerror=" in n for n in names)
    assert not any("<img" in n or "<script" in n for n in names)
    spec = view_specs(html)[0]
    aliases = spec["aliases"]  # tooltip headings, inserted as HTML by the page
    assert aliases[1].startswith("&lt;img src=x") and "<" not in "".join(aliases)
    assert "<img" not in spec["title"] and "&#36;" not in spec["title"]  # title is PAYLOADS[1] escaped once
    assert "parse_html" not in html


def test_f3_fields_and_serialisation():
    units = gpd.GeoDataFrame(
        {"code": ["a", "b", "c"], "when": pd.to_datetime(["2020-01-01", "2021-01-01", None]),
         "money": [decimal.Decimal("1.5"), decimal.Decimal("2.5"), None], "day": [dt.date(2020, 1, 1)] * 3,
         "gdp": [1.0, np.inf, -np.inf], "other": gpd.GeoSeries([box(0, 0, 1, 1)] * 3)},
        geometry=[box(i, 0, i + 1, 1) for i in range(3)], crs=4326,
    )
    with pytest.raises(FieldError, match=r"field 'gpd' is not in the layer; available columns: 'code', 'when'"):
        maps.choropleth(units, "gpd", id="code")
    with pytest.warns(MapWarning, match="2 infinite values shown as no data"):
        html = maps.choropleth(units, "gdp", id="code", names=["when", "day"]).to_html()
    assert "Infinity" not in html.split("var spec")[1] and "NaN" not in html.split("var spec")[1]
    assert "2020-01-01T00:00:00" in html  # datetimes become ISO text; the extra geometry column is dropped
    assert "1.5" in view_specs(maps.choropleth(units, "money", id="code").to_html())[0]["texts"][0]
    with pytest.raises(FieldError, match="holds dates or periods"):
        maps.choropleth(units, "when", id="code")


def test_f3_cli_missing_column_is_an_error_that_writes_nothing(tmp_path, capsys):
    from spatial import datasets

    expect_error(["map", datasets.path("us48_states"), "--column", "gsp", "--id", "fips", "--out", tmp_path / "m.html"],
                 tmp_path, capsys, "'gsp'", "postal", "state")


def test_f4_display_only_reprojection_and_simplification():
    from spatial import datasets

    states = datasets.load("us48_states").to_crs(5070)
    before = states.geometry.copy()
    values = pd.Series(np.arange(48.0), index=states["fips"])
    html = maps.choropleth(states, values, id="fips").to_html()
    coords = np.array([c for f in geojson_features(html)[0] for c in _points(f["geometry"])])
    assert coords[:, 0].min() > -125 and coords[:, 0].max() < -66 and coords[:, 1].min() > 24  # lon/lat
    assert states.geometry.equals(before) and states.crs.to_epsg() == 5070  # analysis data untouched
    assert "geometry simplified for display (tolerance" in html


def _points(geometry: dict):
    def walk(item):
        if isinstance(item[0], (int, float)):
            yield item
        else:
            for inner in item:
                yield from walk(inner)
    return list(walk(geometry["coordinates"]))


def test_f5_degenerate_maps_render_with_honest_legends(hostile_units):
    constant = maps.choropleth(hostile_units, pd.Series(2.0, index=hostile_units["code"]), id="code")
    assert "constant value" in view_specs(constant.to_html())[0]["legends"][0]
    empty = maps.choropleth(hostile_units, pd.Series(np.nan, index=hostile_units["code"]), id="code")
    assert "no data" in view_specs(empty.to_html())[0]["legends"][0]
    all_ns = maps.lisa_map(hostile_units, payload_series(["ns"] * 4), id="code")
    assert 'Not significant</td><td class="n">(4)' in view_specs(all_ns.to_html())[0]["legends"][0]


def test_f6_report_escapes_everything_and_embeds_data_with_tojson(hostile_units):
    report = Report(PAYLOADS[0], lang="en")
    report.add("inputs", Paragraph(PAYLOADS[1]), table(pd.DataFrame({PAYLOADS[2]: [PAYLOADS[3], "=1+1"]})))
    for i, m in enumerate(hostile_maps(hostile_units)):
        report.add("maps", Report.map_block(PAYLOADS[i % 4], m))
    html = report.to_html()
    assert_inert(html)
    assert "&lt;/script&gt;&lt;script&gt;" in html.split("</title>")[0]


def _hostile_project(folder):
    """A boundary file and a panel table whose unit names are payloads, and a config with [report]."""
    ids = ["01", "02", "03", "04"]
    units = gpd.GeoDataFrame({"code": ids, "name": list(PAYLOADS)},
                             geometry=[box(i, 0, i + 1, 1) for i in range(4)], crs=4326)
    units.to_file(folder / "units.geojson", driver="GeoJSON")
    rows = [(i, year, float(k + year - 2000)) for k, i in enumerate(ids) for year in (2000, 2001)]
    pd.DataFrame(rows, columns=["code", "year", "gdp"]).to_csv(folder / "panel.csv", index=False)
    (folder / "a.toml").write_text(
        '[project]\nname = "</script><script>document.title=\'x\'</script>"\noutput = "out"\n'
        '[panel]\npath = "panel.csv"\nid = "code"\ntime = "year"\n'
        '[boundaries]\npath = "units.geojson"\nid = "code"\n', encoding="utf-8")
    return folder / "a.toml"


def test_f6_pipeline_report_from_hostile_files_has_no_raw_payload_or_path(tmp_path, capsys):
    config = _hostile_project(tmp_path)
    assert main(["report", str(config)]) == 0, capsys.readouterr().err
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert_inert(html)
    assert str(tmp_path) not in html  # reports never embed absolute local paths
    assert "units.geojson" in html and "panel.csv" in html
