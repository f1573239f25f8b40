"""Every kind of `spatial map` in a real browser (network blocked), each made by the command line
alone from the files the other commands write; and the legend, placed again after a zoom and after a
change of period, still covers no unit (or is collapsed to its title when no corner is free).

Chromium and Playwright as in tests/maps/test_browser.py (skipped locally without them, required in CI).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spatial import datasets
from spatial.cli import main
from tests.maps.test_browser import Image_open, Page, browser  # noqa: F401 (the browser fixture)
from tests.spatial.test_map_kinds import BOUNDS, outputs  # noqa: F401 (files written by the commands)

LEGEND = ".spatial-panel-control[data-spatial=legend]"
BACKGROUND = np.array([0xf4, 0xf5, 0xf2])  # the map's background (maps._leaflet.MAP_CSS)

_LEGEND_BOX = """() => { const m = document.querySelector('.folium-map').getBoundingClientRect();
    const d = document.querySelector('[data-spatial=legend]').getBoundingClientRect();
    return [d.left - m.left, d.top - m.top, d.right - m.left, d.bottom - m.top]; }"""


def unit_pixels_under_legend(page) -> int:
    """Pixels of units (not background) under the legend's box, with the map's controls hidden for the shot."""
    box = page.evaluate(_LEGEND_BOX)
    controls = "document.querySelectorAll('.leaflet-control').forEach(e => e.style.visibility = '{}')"
    page.evaluate(controls.format("hidden"))  # the legend, and the layer control a tall legend may reach
    shot = Image_open(page.locator(".folium-map").screenshot())
    page.evaluate(controls.format(""))
    left, top, right, bottom = (int(round(v)) for v in box)
    under = shot[max(top, 0):bottom, max(left, 0):right].reshape(-1, 3)
    assert len(under) > 100
    return int((np.abs(under.astype(int) - BACKGROUND).max(axis=1) > 6).sum())


@pytest.fixture(scope="module")
def cli_maps(outputs, tmp_path_factory):  # noqa: F811
    """One page per kind, each written by `spatial map` from a file another command wrote."""
    folder = tmp_path_factory.mktemp("kind_pages")
    states = datasets.load("us48_states")
    grades = pd.DataFrame({"id": states["fips"], "grade": ["<b>low</b>", "middle", "high"] * 16})
    grades.to_csv(folder / "grades.csv", index=False)
    runs = {
        "lisa": [outputs["lisa.csv"], *BOUNDS, "--column", "gsp"],
        "hotspots": [outputs["hot.csv"], *BOUNDS],
        "effects": [outputs["fit.json"], *BOUNDS, "--column", "log(pcap)"],
        "links": [outputs["inv.gwt"], "--boundaries", "us48_states"],
        "contiguity": ["us48_states", "--kind", "links"],
        "categories": [folder / "grades.csv", "--id", "id", *BOUNDS, "--column", "grade"],
    }
    pages = {}
    for kind, args in runs.items():
        pages[kind] = folder / f"{kind}.html"
        assert main(["map", *map(str, args), "--out", str(pages[kind])]) == 0, kind
    return pages


LEGEND_TEXT = {"lisa": "Low-Low", "hotspots": "Cold spot 95%", "effects": "Continuous scale",
               "links": "line width: weight", "contiguity": "Has neighbours", "categories": "middle"}


@pytest.mark.parametrize("kind", list(LEGEND_TEXT))
def test_each_kind_renders_offline_with_its_legend_clear_of_units(browser, cli_maps, kind):  # noqa: F811
    view = Page(browser, cli_maps[kind])
    page = view.page
    map_id = page.evaluate("document.querySelector('.folium-map').id")
    assert view.units_drawn(map_id) == 48
    legend = page.locator(LEGEND)
    assert legend.count() == 1 and legend.is_visible()
    assert LEGEND_TEXT[kind] in legend.inner_text()
    shot = Image_open(page.locator(".folium-map").screenshot())
    assert len(np.unique(shot.reshape(-1, 3), axis=0)) > 10  # drawn, not blank
    if kind in ("links", "contiguity"):
        assert page.evaluate(f"Object.values(window['{map_id}']._layers).filter(l => l instanceof L.Polyline"
                             " && !(l instanceof L.Polygon)).length") >= 1  # the links' lines are on the map
    assert unit_pixels_under_legend(page) == 0
    if kind == "categories":
        assert "<b>low</b>" in legend.inner_text()  # a user label shown as text
        assert page.locator(LEGEND + " b").count() == 0
    assert view.errors == [] and view.requests == []
    page.close()


def test_lisa_tooltip_and_period_switch(browser, cli_maps, outputs):  # noqa: F811
    lisa = pd.read_csv(outputs["lisa.csv"], dtype={"id": str})
    gsp = lisa[lisa["variable"] == "gsp"].set_index(["period", "id"])
    view = Page(browser, cli_maps["lisa"])
    page = view.page
    map_id = page.evaluate("document.querySelector('.folium-map').id")
    names = {"not significant": "Not significant", "LL": "Low-Low", "HH": "High-High", "LH": "Low-High",
             "HL": "High-Low"}
    page.locator(f"#{map_id} select.spatial-view-select").select_option(label="1970")
    tooltip = view.hover_unit(map_id, "Montana")
    assert names[gsp.loc[(1970, "30"), "cluster"]] in tooltip
    assert view.errors == [] and view.requests == []
    page.close()


# --- the legend after zoom and after a change of period ---------------------------------------------

def _us_map(path):
    import maps

    us = datasets.load("us48_states")
    values = pd.DataFrame(np.random.default_rng(5).lognormal(size=(len(us), 3)), index=us["fips"],
                          columns=[1986, 1987, 1988])
    m = maps.choropleth(us, values, id="fips", names=["state"], label="gsp", period=1986)
    path.write_text(m.to_html(), encoding="utf-8")
    return path


def _state(page) -> tuple[str, str]:
    return (page.evaluate("document.querySelector('.folium-map').getAttribute('data-legend-collapsed')"),
            page.evaluate("document.querySelector('.folium-map').getAttribute('data-legend-corner')"))


def test_legend_placed_again_after_zoom_collapses_then_reopens(browser, tmp_path):  # noqa: F811
    view = Page(browser, _us_map(tmp_path / "us.html"))
    page = view.page
    assert _state(page)[0] == "no" and unit_pixels_under_legend(page) == 0
    for _ in range(2):  # zoom in with the map's own button: the units fill the frame, no corner is free
        page.locator(".leaflet-control-zoom-in").click()
        page.wait_for_timeout(600)
    collapsed, corner = _state(page)
    if collapsed == "auto":
        assert not page.locator(".spatial-panel-body").is_visible()
        assert page.locator(LEGEND).bounding_box()["height"] < 40  # its title and button only
    else:
        assert unit_pixels_under_legend(page) == 0, corner
    assert collapsed == "auto"  # at this zoom the US fills the 1280 x 900 frame
    for _ in range(2):  # back out: room again, so the legend that collapsed for want of it opens again
        page.locator(".leaflet-control-zoom-out").click()
        page.wait_for_timeout(600)
    assert _state(page)[0] == "no" and page.locator(".spatial-panel-body").is_visible()
    assert unit_pixels_under_legend(page) == 0
    assert view.errors == [] and view.requests == []
    page.close()


def test_legend_opened_by_the_user_stays_open_and_closed_stays_closed(browser, tmp_path):  # noqa: F811
    view = Page(browser, _us_map(tmp_path / "us.html"))
    page = view.page
    toggle = page.locator(".spatial-legend-toggle")
    assert toggle.get_attribute("aria-expanded") == "true" and toggle.get_attribute("title") == "Hide the legend"
    toggle.click()
    assert _state(page)[0] == "user" and not page.locator(".spatial-panel-body").is_visible()
    page.locator(".leaflet-control-zoom-out").click()  # room everywhere: a legend the user closed stays closed
    page.wait_for_timeout(600)
    assert _state(page)[0] == "user"
    page.locator(".leaflet-control-zoom-in").click()
    page.locator(".leaflet-control-zoom-in").click()
    page.wait_for_timeout(600)
    toggle.click()  # opened by the user where it must cover units: it stays open, in the least covering corner
    page.locator(".leaflet-control-zoom-in").click()
    page.wait_for_timeout(600)
    assert _state(page)[0] == "no" and page.locator(".spatial-panel-body").is_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert view.errors == [] and view.requests == []
    page.close()


def _growing_legend_map(path):
    """Two periods of the US states whose second legend is much taller (fourteen rows instead of two),
    built from views directly so that only the legend's size changes between them."""
    from maps._display import display_layer
    from maps._leaflet import View, build_map, legend_table, style

    layer = display_layer(datasets.load("us48_states"), id="fips", names=["state"])
    styles = (style("#fdae61"), style("#2b83ba"))
    codes = tuple(i % 2 for i in range(layer.n))
    texts = tuple("a" if c else "b" for c in codes)
    short = legend_table([(styles[0], "low", 24), (styles[1], "high", 24)])
    tall = legend_table([(styles[i % 2], f"row {i}", 1) for i in range(14)])
    views = [View("2001", styles, codes, texts, short), View("2002", styles, codes[::-1], texts, tall)]
    path.write_text(build_map(layer, views, title="grown", value_label="x", selector="Period", slider=True,
                              initial=0).to_html(), encoding="utf-8")
    return path


@pytest.mark.parametrize("size", [(1280, 900), (1000, 430)])
def test_legend_placed_again_after_a_change_of_period(browser, tmp_path, size):  # noqa: F811
    path = _growing_legend_map(tmp_path / "grown.html")
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    before = page.locator(LEGEND).bounding_box()["height"]
    assert unit_pixels_under_legend(page) == 0
    page.locator("select.spatial-view-select").select_option(label="2002")
    page.wait_for_timeout(200)
    assert page.locator(LEGEND).bounding_box()["height"] > before + 150  # fourteen rows
    assert unit_pixels_under_legend(page) == 0, _state(page)
    page.locator("input.spatial-view-slider").fill("0")  # back by the slider: still clear
    page.wait_for_timeout(200)
    assert unit_pixels_under_legend(page) == 0, _state(page)
    assert errors == []
    page.close()
