"""The demo report and a hostile report in a real browser (Playwright driving Debian's Chromium).

The network is blocked: every request that is not the report file itself is aborted and
recorded, and none may be attempted. Locally these tests skip when Chromium or Playwright is
missing; CI sets SPATIAL_REQUIRE_BROWSER=1 (in .ci/run) so that they fail instead.
"""

from __future__ import annotations

import io
import os
import shutil

import numpy as np
import pytest

from maps._format import format_number
from tests.maps.conftest import PAYLOADS

LAUNCH_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _unavailable(reason: str):
    if os.environ.get("SPATIAL_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required (SPATIAL_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(f"{reason}; install Debian's chromium (make system-deps) to run the browser tests")


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        _unavailable("Chromium is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install playwright)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=LAUNCH_FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory):
    from spatial.config import load_config
    from spatial.datasets import data_dir
    from spatial.pipeline import run

    folder = tmp_path_factory.mktemp("demo")
    run(load_config(data_dir() / "demo" / "us_produc.toml"), output=folder, echo=lambda text: None)
    return folder / "report.html"


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    from spatial.cli import main
    from tests.faults.test_map_faults import _hostile_project

    folder = tmp_path_factory.mktemp("hostile")
    assert main(["report", str(_hostile_project(folder)), "--lang", "zh"]) == 0
    return folder / "out" / "report.html"


class Page:
    """A page opened with the network blocked, collecting console errors and attempted requests."""

    def __init__(self, browser, path):
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", self._route)
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")
        self.page.wait_for_timeout(300)

    def _route(self, route):
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()

    def map_id(self, caption: str) -> str:
        return self.page.evaluate(
            """(caption) => [...document.querySelectorAll('figure.map-block')]
                 .find(f => f.querySelector('figcaption').textContent === caption)
                 .querySelector('.folium-map').id""", caption)

    def fills(self, map_id: str) -> list[str]:
        """The fill colour of every unit of the map (drawn on a canvas, so read from the layer)."""
        return self.page.evaluate(
            "(id) => { const units = Object.values(window[id]._layers).find(l => l.spatialNames);"
            " return units.getLayers().map(p => p.options.fillColor); }", map_id)

    def units_drawn(self, map_id: str) -> int:
        """How many unit polygons the map's units layer holds, each projected on the map."""
        return self.page.evaluate(
            "(id) => { const units = Object.values(window[id]._layers).find(l => l.spatialNames);"
            " return units.getLayers().filter(p => p._map && p._parts.length).length; }", map_id)

    def hover_unit(self, map_id: str, name_prefix: str, at: tuple[float, float] | None = None) -> str:
        """Move the mouse onto the unit whose tooltip name starts with ``name_prefix`` (its centre, or the
        point ``at`` as fractions of its bounds, west-east and south-north); the tooltip text."""
        self.page.locator(f"#{map_id}").scroll_into_view_if_needed()
        x, y = self.page.evaluate(
            """([id, prefix, at]) => {
                const map = window[id];
                const layer = Object.values(map._layers).find(l => l.spatialNames);
                const parser = document.createElement('textarea');
                let target = null;
                layer.eachLayer(l => { parser.innerHTML = layer.spatialNames[l.spatialK];
                                       if (parser.value.startsWith(prefix)) { target = l; } });
                const b = target.getBounds();
                const where = at === null ? target.getCenter()
                    : L.latLng(b.getSouth() + at[1] * (b.getNorth() - b.getSouth()),
                               b.getWest() + at[0] * (b.getEast() - b.getWest()));
                const point = map.latLngToContainerPoint(where);
                const box = map.getContainer().getBoundingClientRect();
                return [box.left + point.x, box.top + point.y];
            }""", [map_id, name_prefix, list(at) if at else None])
        self.page.mouse.move(1, 1)  # leave any unit first, so the tooltip is built afresh
        self.page.wait_for_timeout(50)
        self.page.mouse.move(x, y, steps=4)
        # Leaflet's canvas tests what is under the mouse at most every 32 ms, so the steps above may
        # all fall in one interval: move once more, after it, to where the unit is
        self.page.wait_for_timeout(60)
        self.page.mouse.move(x + 0.5, y)
        self.page.wait_for_timeout(150)
        return self.page.locator(".leaflet-tooltip").last.inner_text()


def test_demo_report_offline_no_errors_polygons_drawn(browser, demo_report, us_panel):
    view = Page(browser, demo_report)
    assert view.requests == []
    assert view.errors == []
    maps_shown = view.page.locator(".folium-map")
    assert maps_shown.count() >= 4
    for map_id in view.page.evaluate("[...document.querySelectorAll('.folium-map')].map(e => e.id)"):
        assert view.units_drawn(map_id) >= 48
    from PIL import Image

    shot = Image.open(io.BytesIO(maps_shown.first.screenshot())).convert("RGB")
    pixels = np.asarray(shot).reshape(-1, 3)
    assert len(np.unique(pixels, axis=0)) > 20 and pixels.std() > 20  # not blank
    view.page.close()


def test_demo_report_tooltip_and_period_selector(browser, demo_report, us_panel):
    view = Page(browser, demo_report)
    gsp = view.map_id("gsp")
    texas_1986 = format_number(us_panel.wide("gsp").loc["48", 1986])
    tooltip = view.hover_unit(gsp, "Texas")
    assert "Texas (48)" in tooltip and texas_1986 in tooltip
    before = view.fills(gsp)
    view.page.locator(f"#{gsp} select.spatial-view-select").select_option(label="1970")
    after = view.fills(gsp)
    assert len(before) == len(after) == 48 and before != after
    tooltip = view.hover_unit(gsp, "Texas")
    assert format_number(us_panel.wide("gsp").loc["48", 1970]) in tooltip
    assert view.errors == [] and view.requests == []
    view.page.close()


def test_demo_report_tables_fit_their_box_text_wraps(browser, demo_report):
    """The model selection table (long tests and decisions) ran 300 px past its box, the decision
    column cut off (seen in docs/screenshots); text cells wrap, so only journal tables may scroll."""
    view = Page(browser, demo_report)
    wide = view.page.evaluate(
        """() => [...document.querySelectorAll('.table-wrap')]
             .filter(w => !w.querySelector('table').classList.contains('journal'))
             .filter(w => w.scrollWidth > w.clientWidth + 1)
             .map(w => w.closest('section').dataset.section)""")
    assert wide == []
    assert view.page.locator('[data-section="selection"] table').count() >= 1
    view.page.close()


def test_hostile_names_leave_title_and_dom_unchanged(browser, hostile_report):
    raw = hostile_report.read_text(encoding="utf-8")
    view = Page(browser, hostile_report)
    page = view.page
    title = "</script><script>document.title='x'</script>"
    assert page.title() == title  # shown as text, never run
    scripts = page.evaluate("document.scripts.length")
    assert scripts == raw.count("<script>")
    map_ids = page.evaluate("[...document.querySelectorAll('.folium-map')].map(e => e.id)")
    assert map_ids
    # the four small test squares sit where the legend is drawn: hide it so the mouse reaches them
    page.evaluate("document.querySelectorAll('.spatial-panel-control').forEach(e => e.style.display = 'none')")
    for name in PAYLOADS:
        tooltip = view.hover_unit(map_ids[0], name[:12])
        assert name in tooltip  # the payload is displayed as plain text
    assert page.title() == title
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"], img[onerror]').length") == 0
    assert page.evaluate("document.scripts.length") == scripts
    assert view.errors == [] and view.requests == []
    page.close()


# --- the whole hostile corpus (tests/hostile.py) in a browser -----------------------------------

_SAFE_TITLE_PROBE = """() => {
    const attributes = [...document.querySelectorAll('*')].flatMap(e => [...e.attributes].map(a => a.name))
        .filter(name => name.startsWith('on'));
    const links = document.querySelectorAll('a[href^="javascript:"], [src^="javascript:"]').length;
    // the report's own figures (PNG data in figure.image) are not counted: any other image was injected
    const images = [...document.images].filter(i => !(i.closest('figure.image')
        && i.getAttribute('src').startsWith('data:image/png;base64,'))).length;
    return {title: document.title, handlers: attributes, links: links, images: images,
            scripts: document.scripts.length};
}"""


def _assert_nothing_ran(view, raw: str, title: str) -> None:
    state = view.page.evaluate(_SAFE_TITLE_PROBE)
    assert state["title"] == title, state["title"]  # every payload that runs would set document.title
    assert state["handlers"] == [] and state["links"] == 0 and state["images"] == 0, state
    assert state["scripts"] == raw.count("<script>")
    assert view.errors == [] and view.requests == []


@pytest.fixture(scope="module")
def hostile_choropleth(tmp_path_factory):
    """One page: a unit per payload (its name), the payloads as period labels, title and label."""
    import maps
    from tests.hostile import JOINED
    from tests.test_hostile import IDS, _wide, corpus_units

    frame = _wide()
    m = maps.choropleth(corpus_units(), frame, id="code", names=["name"], label=JOINED, title=JOINED)
    path = tmp_path_factory.mktemp("corpus") / "choropleth.html"
    path.write_text(m.to_html(), encoding="utf-8")
    return path, frame, IDS


def test_corpus_names_and_period_labels_switch_and_hover_as_text(browser, hostile_choropleth):
    from tests.hostile import JOINED, PAYLOADS

    path, frame, ids = hostile_choropleth
    raw = path.read_text(encoding="utf-8")
    view = Page(browser, path)
    page = view.page
    map_id = page.evaluate("document.querySelector('.folium-map').id")
    select = page.locator(f"#{map_id} select.spatial-view-select")
    assert select.locator("option").all_text_contents() == list(PAYLOADS)  # period labels shown as text
    assert page.locator(f"#{map_id} .spatial-title").inner_text() == JOINED
    fills = []
    for i in range(len(PAYLOADS)):  # every period, chosen by its hostile label
        select.select_option(index=i)
        fills.append(view.fills(map_id))
    assert len({tuple(f) for f in fills}) > 1
    page.evaluate("document.querySelectorAll('.spatial-panel-control').forEach(e => e.style.display = 'none')")
    last = frame.columns[-1]
    for uid, name in zip(ids, PAYLOADS, strict=True):
        tooltip = view.hover_unit(map_id, name)
        assert name in tooltip, (name, tooltip)
        assert format_number(frame.loc[uid, last]) in tooltip
    _assert_nothing_ran(view, raw, JOINED)
    page.close()


def test_corpus_report_hover_and_period_switch_in_every_map(browser, tmp_path_factory):
    """The report of a project whose unit names, columns, title and project name are the corpus."""
    from spatial.cli import main
    from tests.hostile import JOINED, PAYLOADS
    from tests.test_hostile import project_files

    folder = tmp_path_factory.mktemp("corpus_report")
    config = project_files(folder)[0]
    assert main(["report", str(config)]) == 0
    path = folder / "out" / "report.html"
    raw = path.read_text(encoding="utf-8")
    view = Page(browser, path)
    page = view.page
    map_ids = page.evaluate("[...document.querySelectorAll('.folium-map')].map(e => e.id)")
    assert len(map_ids) >= 2
    for map_id in map_ids:
        select = page.locator(f"#{map_id} select.spatial-view-select")
        if select.count():
            for i in range(select.locator("option").count()):
                select.select_option(index=i)
    page.evaluate("document.querySelectorAll('.spatial-panel-control').forEach(e => e.style.display = 'none')")
    hovered = 0
    page.set_default_timeout(3000)
    for map_id in map_ids:
        caption = page.evaluate("(id) => document.getElementById(id).closest('figure').querySelector('figcaption')"
                                ".textContent", map_id)
        for name in PAYLOADS:
            # off the centre, where the links of a weights map run
            assert name in view.hover_unit(map_id, name, at=(0.2, 0.35)), (caption, name)
            hovered += 1
    assert hovered == len(map_ids) * len(PAYLOADS)
    assert JOINED in page.locator("body").inner_text()
    _assert_nothing_ran(view, raw, JOINED)
    page.close()


# --- county scale: the bundled counties over 20 periods on one canvas -------------------------------

@pytest.fixture(scope="module")
def county_map(tmp_path_factory):
    import pandas as pd

    import maps
    from spatial import datasets

    counties = datasets.load("china_counties")
    rng = np.random.default_rng(19)
    values = pd.DataFrame(rng.lognormal(size=(len(counties), 20)), index=counties["adcode"],
                          columns=list(range(2001, 2021)))
    path = tmp_path_factory.mktemp("counties") / "counties.html"
    path.write_text(maps.choropleth(counties, values, id="adcode", names=["name_zh"], label="gdp").to_html(),
                    encoding="utf-8")
    return path, counties, values


def test_county_map_draws_every_unit_and_switches_periods(browser, county_map):
    from tests.maps.pagedata import view_specs

    path, counties, values = county_map
    spec = view_specs(path.read_text(encoding="utf-8"))[0]
    view = Page(browser, path)
    page = view.page
    map_id = page.evaluate("document.querySelector('.folium-map').id")
    assert view.units_drawn(map_id) == len(counties) == 2877
    assert page.locator(f"#{map_id} canvas").count() == 1 and page.locator(f"#{map_id} path.leaflet-interactive").count() == 0
    shot = Image_open(page.locator(f"#{map_id}").screenshot())
    assert len(np.unique(shot.reshape(-1, 3), axis=0)) > 20  # drawn, in several colours
    select = page.locator(f"#{map_id} select.spatial-view-select")
    for period in (0, 7, 19):
        select.select_option(index=period)
        expected = [spec["styles"][period][c]["fillColor"] for c in spec["codes"][period]]
        assert view.fills(map_id) == expected  # the page shows this period's classes, unit by unit
    page.evaluate("document.querySelectorAll('.spatial-panel-control').forEach(e => e.style.display = 'none')")
    import shapely

    county = counties.loc[counties["name_zh"] == "若羌县"].iloc[0]
    minx, miny, maxx, maxy = county.geometry.bounds
    inside = shapely.point_on_surface(county.geometry)
    tooltip = view.hover_unit(map_id, "若羌县", at=((inside.x - minx) / (maxx - minx), (inside.y - miny) / (maxy - miny)))
    assert "若羌县" in tooltip and format_number(values.loc[county["adcode"], 2020]) in tooltip
    assert view.errors == [] and view.requests == []
    page.close()


def Image_open(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


# --- the legend covers no unit at the initial view --------------------------------------------------

def _legend_maps():
    import pandas as pd

    import maps
    from spatial import datasets

    rng = np.random.default_rng(3)
    us, cn = datasets.load("us48_states"), datasets.load("china_provinces")
    labels = np.array(["HH", "LL", "HL", "LH", "ns"])
    yield "us_choropleth", maps.choropleth(us, pd.DataFrame(rng.lognormal(size=(len(us), 3)), index=us["fips"],
                                                              columns=[1986, 1987, 1988]), id="fips", names=["state"], label="gsp")
    yield "us_lisa", maps.lisa_map(us, pd.Series(rng.choice(labels, len(us)), index=us["fips"]), id="fips", names=["state"])
    yield "cn_choropleth", maps.choropleth(cn, pd.Series(rng.lognormal(size=len(cn)), index=cn["adcode"]), id="adcode",
                                           names=["name_zh"], label="gdp", lang="zh")
    yield "cn_lisa", maps.lisa_map(cn, pd.Series(rng.choice(labels, len(cn)), index=cn["adcode"]), id="adcode",
                                   names=["name_zh"], lang="zh")


@pytest.mark.parametrize("size", [(1280, 900), (1000, 430)])
def test_legend_covers_no_unit_at_the_initial_view(browser, tmp_path, size):
    """Legend placement (units.js placeLegend) on the US states and the China provinces: with the
    legend hidden, the pixels under its box are all map background (no unit drawn there), in a
    roomy page and in a wide, short one (the report's frame) where every corner needs a refit."""
    background = np.array([0xf4, 0xf5, 0xf2])
    corners = set()
    for name, fmap in _legend_maps():
        path = tmp_path / f"{name}.html"
        path.write_text(fmap.to_html(), encoding="utf-8")
        page = browser.new_page(viewport={"width": size[0], "height": size[1]})
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        box = page.evaluate("""() => { const m = document.querySelector('.folium-map').getBoundingClientRect();
            const d = document.querySelector('.spatial-panel-control').getBoundingClientRect();
            return [d.left - m.left, d.top - m.top, d.right - m.left, d.bottom - m.top]; }""")
        corners.add(page.evaluate("document.querySelector('.folium-map').getAttribute('data-legend-corner')"))
        page.evaluate("document.querySelector('.spatial-panel-control').style.visibility = 'hidden'")
        shot = Image_open(page.locator(".folium-map").screenshot())
        left, top, right, bottom = (int(round(v)) for v in box)
        under = shot[max(top, 0):bottom, max(left, 0):right].reshape(-1, 3)
        assert len(under) > 1000, name
        drawn = np.abs(under.astype(int) - background).max(axis=1) > 6
        assert drawn.sum() == 0, f"{name} at {size}: {drawn.sum()} pixels of units under the legend"
        page.close()
    assert all(c for c in corners)


def test_demo_report_weights_map_click_lists_the_written_w(browser, demo_report):
    """In the report (several maps in one page), a click on Texas in the weights map lists the neighbours
    and weights of the W the run wrote (weights_queen.csv), the raw contiguity weight beside each."""
    import pandas as pd

    written = pd.read_csv(demo_report.parent / "weights_queen.csv", dtype={"focal": str, "neighbor": str})
    texas = written[written["focal"] == "48"]
    view = Page(browser, demo_report)
    page = view.page
    map_id = view.map_id("queen")
    page.locator(f"#{map_id}").scroll_into_view_if_needed()
    x, y = page.evaluate(
        """(id) => { const map = window[id];
            const layer = Object.values(map._layers).find(l => l.spatialNames);
            const k = layer.spatialNames.findIndex(n => n.endsWith('(48)'));
            const point = map.latLngToContainerPoint(layer.spatialConnectivity.points[k]);
            const box = map.getContainer().getBoundingClientRect();
            return [box.left + point.x, box.top + point.y]; }""", map_id)
    page.mouse.click(x, y)
    page.wait_for_timeout(150)
    rows = page.evaluate(
        """(id) => [...document.querySelectorAll('#' + id + ' [data-spatial=neighbours] tr[data-k]')]
            .map(tr => [...tr.querySelectorAll('td')].map(td => td.textContent))""", map_id)
    listed = sorted((name.rsplit("(", 1)[1].rstrip(")"), weight, raw) for name, weight, raw, _ in rows)
    assert listed == sorted((j, format_number(w), "1") for j, w in zip(texas["neighbor"], texas["weight"], strict=True))
    assert len(listed) == 4  # Louisiana, Arkansas, Oklahoma, New Mexico
    # the other maps of the page are untouched: only the weights map has a connectivity view
    assert page.evaluate("document.querySelectorAll('[data-spatial=neighbours]').length") == 1
    assert view.errors == [] and view.requests == []
    page.close()
