"""The HTML report: sections, escaping, inlined assets, size warning, atomic save."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import maps
from maps import _assets
from maps.errors import MapError, MapWarning
from maps.report import MapBlock, Paragraph, Report, moran_chart, table
from tests.maps.conftest import squares


def test_assets_are_inlined_with_versions_and_licence():
    (leaflet,) = _assets.assets()
    assert leaflet.name == "Leaflet" and re.fullmatch(r"1\.\d+\.\d+", leaflet.version)
    assert leaflet.license == "BSD-2-Clause" and "django-js-lib-leaflet" in leaflet.package
    css = _assets.leaflet_css()
    assert "url(images/" not in css and "data:image/png;base64," in css
    assert "</script" not in _assets.leaflet_js() and "L.map" not in _assets.leaflet_js()[:10]
    assert "Redistribution and use" in _assets.license_text()


def test_report_sections_tables_and_maps_are_self_contained():
    report = Report("Growth <b>2024</b>", lang="en", version="9.9")
    report.add("inputs", Paragraph("3 units & 2 periods"), table(pd.DataFrame({"x": [1.23456, 20000.0]})))
    m = maps.choropleth(squares(["a", "b"], gdp=[1.0, 2.0]), "gdp", id="code")
    report.add("maps", Report.map_block("gdp <i>", m))
    series = pd.DataFrame({"period": [2000, 2001], "I": [0.2, 0.3], "p_value": [0.2, 0.01]})
    report.add("moran", moran_chart(series), table(series, pvalues=("p_value",)))
    html = report.to_html()
    assert "<title>Growth &lt;b&gt;2024&lt;/b&gt;</title>" in html and "gdp &lt;i&gt;" in html
    assert "3 units &amp; 2 periods" in html and ">1.235<" in html and ">20,000<" in html and ">&lt;0.001<" not in html
    assert html.count("<script>") >= 2 and "<script src=" not in html and "<link" not in html
    assert html.count("Leaflet 1.") >= 1 and html.count("L.map(") == 1
    assert [s for s in re.findall(r'data-section="(\w+)"', html)] == ["inputs", "maps", "moran"]
    assert "<polyline" in html and html.count("<circle") == 2


def test_report_chinese_labels_and_unknown_section():
    report = Report("省级增长", lang="zh")
    report.add("moran", Paragraph("x"))
    assert "全局莫兰指数时序" in report.to_html() and 'lang="zh-CN"' in report.to_html()
    with pytest.raises(MapError, match="needs a title"):
        report.add("whatever", Paragraph("x"))
    report.add("whatever", Paragraph("x"), title="Extra <section>")
    assert "Extra &lt;section&gt;" in report.to_html()
    with pytest.raises(MapError, match="lang='fr' is not allowed"):
        Report("x", lang="fr")


def test_report_warns_when_large_and_saves_atomically(tmp_path, monkeypatch):
    import maps.report as module

    report = Report("t")
    report.add("inputs", Paragraph("x" * 2000))
    monkeypatch.setattr(module, "SIZE_WARNING_BYTES", 1000)
    with pytest.warns(MapWarning, match="MB; browsers may be slow"):
        report.to_html()
    monkeypatch.setattr(module, "SIZE_WARNING_BYTES", 10**9)
    target = report.save(tmp_path / "r.html")
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    with pytest.raises(MapError, match="already exists; pass overwrite=True"):
        report.save(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]  # no temporary file left behind


def test_table_formats_numbers_in_python():
    frame = pd.DataFrame({"name": ["=cmd", "<x>"], "v": [1234567.891, None], "n": [3, 12000]})
    block = table(frame)
    assert block.rows == (("=cmd", "1,234,568", "3"), ("<x>", "", "12,000"))
    assert block.numeric == (False, True, True)
    assert isinstance(Report.map_block("t", maps.choropleth(squares(["a"], v=[1.0]), "v", id="code")), MapBlock)


def test_maps_of_the_same_units_carry_their_outlines_once():
    """Twenty effects maps of the 31 provinces made the zh report 2.2 MB, each map repeating the
    outlines; the report defines each distinct outline set once and the maps refer to it."""
    units = squares(["a", "b", "c"], gdp=[1.0, 2.0, 3.0], pop=[3.0, 1.0, 2.0])
    other = squares(["a", "b"], gdp=[1.0, 2.0])
    report = Report("t")
    for column in ("gdp", "pop", "gdp"):
        report.add("maps", Report.map_block(column, maps.choropleth(units, column, id="code")))
    report.add("maps", Report.map_block("other", maps.choropleth(other, "gdp", id="code")))
    html = report.to_html()
    arcs = re.findall(r'"arcs": "([^"]+)"', html)
    assert len(arcs) == 2 and all(html.count(a) == 1 for a in arcs)  # three maps of units, one copy
    assert html.count("spatialPanel.define(") == 2 and html.count("spatialPanel.shape(") == 4
    standalone = maps.choropleth(units, "gdp", id="code").get_root().render()  # a map file keeps its own outlines
    assert "spatialPanel.shape(" not in standalone and '"arcs"' in standalone


def test_moran_chart_ticks_are_round_numbers():
    """The zh provincial chart was ticked 0.64, 0.47, 0.29, 0.12, -0.05 (five even splits of the range)."""
    series = pd.DataFrame({"period": range(2011, 2023), "I": [0.561, 0.560, 0.576, 0.573, 0.544, 0.529, 0.573, 0.578,
                                                              0.585, 0.573, 0.563, 0.589], "p_value": [0.002] * 12})
    chart = moran_chart(series)
    labels = [text for _, text in chart.yticks]
    assert labels == ["0.0", "0.2", "0.4", "0.6"]
    ys = [y for y, _ in chart.yticks]
    assert ys == sorted(ys, reverse=True) and chart.zero == ys[0]  # 0 is a tick, on the zero line
