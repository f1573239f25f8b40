"""The weights map's connectivity view in a real browser (Chromium, network blocked): a click on a unit
fills it and its neighbours, draws the links to them and lists the neighbours with the weights of
the W the map was made from; the island link (Hainan--Guangdong of the queen W of China's
provinces) is marked; a second click, a click beside the units and Escape clear it."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from maps._format import format_number
from maps._neighbours import ISLAND_NEIGHBOUR, NEIGHBOUR, SELECTED
from tests.maps.test_browser import Page, browser  # noqa: F401  (the browser fixture)

GUANGDONG, HAINAN = "440000", "460000"


@pytest.fixture(scope="module")
def provinces():
    from spatial import datasets

    frame = datasets.load("china_provinces")
    mainland = frame[frame["mainland"]].copy()
    mainland.index = mainland["adcode"].astype(str)
    return mainland


@pytest.fixture(scope="module")
def queen(provinces):
    from weights.builder import build

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Hainan has no neighbour before the island policy
        return build(provinces, kind="queen", islands="connect", transform="row")


@pytest.fixture(scope="module")
def queen_page(tmp_path_factory, provinces, queen):
    import maps

    edges = queen.graph.adjacency.reset_index()
    edges["raw"] = 1.0  # a binary contiguity W before row-standardisation
    added = pd.DataFrame([link.__dict__ for link in queen.islands.added])
    m = maps.links_map(provinces, edges, names=["name_zh"], lang="zh", island_links=added, raw="raw")
    path = tmp_path_factory.mktemp("neighbours") / "queen.html"
    path.write_text(m.to_html(), encoding="utf-8")
    return path


class View(Page):
    def __init__(self, browser, path):
        super().__init__(browser, path)
        self.map_id = self.page.evaluate("document.querySelector('.folium-map').id")

    def order(self) -> list[str]:
        """The ids of the units layer, in its order (the ids close each name: '广东省 (440000)')."""
        names = self.page.evaluate(
            "(id) => { const layer = Object.values(window[id]._layers).find(l => l.spatialNames);"
            " return layer.spatialNames.map(n => spatialNeighbours.plain(n)); }", self.map_id)
        return [name.rsplit("(", 1)[1].rstrip(")") for name in names]

    def click_unit(self, unit: str) -> None:
        k = self.order().index(unit)
        x, y = self.page.evaluate(
            """([id, k]) => { const map = window[id];
                const layer = Object.values(map._layers).find(l => l.spatialNames);
                const point = map.latLngToContainerPoint(layer.spatialConnectivity.points[k]);
                const box = map.getContainer().getBoundingClientRect();
                return [box.left + point.x, box.top + point.y]; }""", [self.map_id, k])
        self.page.mouse.click(x, y)
        self.page.wait_for_timeout(150)

    def panel(self) -> dict:
        return self.page.evaluate(
            """(id) => { const panel = document.querySelector('#' + id + ' [data-spatial=neighbours]');
                const rows = [...panel.querySelectorAll('tr[data-k]')].map(
                    tr => [...tr.querySelectorAll('td')].map(td => td.textContent));
                const head = [...panel.querySelectorAll('th')].map(th => th.textContent);
                const title = panel.querySelector('.spatial-title');
                const count = panel.querySelector('.spatial-count');
                return {shown: panel.style.display !== 'none', head: head, rows: rows,
                        title: title ? title.textContent : null, count: count ? count.textContent : null,
                        island: [...panel.querySelectorAll('tr.spatial-island-link')].length}; }""", self.map_id)

    def fills(self) -> list[str]:
        return super().fills(self.map_id)

    def link_lines(self) -> list[dict]:
        """The links the view draws (not the static links of the map: those are not in a layer group)."""
        return self.page.evaluate(
            """(id) => { const out = [];
                Object.values(window[id]._layers).forEach(l => {
                  if (l instanceof L.LayerGroup && !(l instanceof L.FeatureGroup)) {
                    l.eachLayer(p => out.push({color: p.options.color, dash: p.options.dashArray,
                                               weight: p.options.weight})); } });
                return out; }""", self.map_id)


def _expected(queen, provinces, unit: str) -> list[tuple[str, str, str]]:
    """(name, weight, raw) of each neighbour of ``unit`` in the W, strongest first."""
    row = queen.graph.adjacency.loc[unit]
    row = row[row != 0]
    return sorted(((f"{provinces.loc[j, 'name_zh']} ({j})", format_number(w), "1") for j, w in row.items()),
                  key=lambda item: item[0])


def test_click_lists_the_neighbours_and_weights_of_the_w(browser, queen_page, queen, provinces):  # noqa: F811
    view = View(browser, queen_page)
    order = view.order()
    before = view.fills()
    view.click_unit(GUANGDONG)
    panel = view.panel()
    assert panel["shown"] and panel["title"] == f"{provinces.loc[GUANGDONG, 'name_zh']} ({GUANGDONG})"
    assert panel["head"] == ["邻居", "权重（行标准化）", "原始权重", ""]
    listed = sorted((name, weight, raw) for name, weight, raw, _ in panel["rows"])
    assert listed == _expected(queen, provinces, GUANGDONG)
    assert len(listed) == int(queen.graph.cardinalities[GUANGDONG]) == 5 and panel["count"] == "5 个邻居"
    marks = {name: kind for name, _, _, kind in panel["rows"]}
    assert marks[f"{provinces.loc[HAINAN, 'name_zh']} ({HAINAN})"] == "孤岛连接"
    assert panel["island"] == 1 and sum(1 for kind in marks.values() if kind) == 1
    # the unit and its neighbours filled, one link to each (the island link red and dashed)
    fills = view.fills()
    neighbours = set(queen.graph.adjacency.loc[GUANGDONG].pipe(lambda r: r[r != 0]).index)
    for k, unit in enumerate(order):
        expected = (SELECTED if unit == GUANGDONG else ISLAND_NEIGHBOUR if unit == HAINAN
                    else NEIGHBOUR if unit in neighbours else None)
        assert fills[k] == (expected["fillColor"] if expected else before[k]), unit
    lines = view.link_lines()
    assert len(lines) == 5 and sum(1 for line in lines if line["color"] == "#d7301f" and line["dash"]) == 1
    # a second click on the unit clears the view
    view.click_unit(GUANGDONG)
    assert not view.panel()["shown"] and view.fills() == before and view.link_lines() == []
    assert view.errors == [] and view.requests == []
    view.page.close()


def test_island_neighbour_row_click_escape_and_background_clear(browser, queen_page, queen, provinces):  # noqa: F811
    view = View(browser, queen_page)
    before = view.fills()
    view.click_unit(HAINAN)
    panel = view.panel()
    assert [row[0] for row in panel["rows"]] == [f"{provinces.loc[GUANGDONG, 'name_zh']} ({GUANGDONG})"]
    assert panel["rows"][0][3] == "孤岛连接" and panel["count"] == "1 个邻居"
    # a click on the listed neighbour selects it
    view.page.locator(f"#{view.map_id} [data-spatial=neighbours] tr[data-k]").first.click()
    view.page.wait_for_timeout(100)
    assert view.panel()["title"].endswith(f"({GUANGDONG})")
    view.page.keyboard.press("Escape")
    view.page.wait_for_timeout(100)
    assert not view.panel()["shown"] and view.fills() == before
    # a click beside the units (the sea east of Taiwan's latitude) clears it too
    view.click_unit(GUANGDONG)
    assert view.panel()["shown"]
    x, y = view.page.evaluate(
        """(id) => { const map = window[id]; const point = map.latLngToContainerPoint([22, 128]);
            const box = map.getContainer().getBoundingClientRect();
            return [box.left + point.x, box.top + point.y]; }""",
        view.map_id)
    view.page.mouse.click(x, y)
    view.page.wait_for_timeout(100)
    assert not view.panel()["shown"] and view.fills() == before and view.link_lines() == []
    assert view.errors == [] and view.requests == []
    view.page.close()


def test_weights_that_are_not_row_standardised_list_the_row_share(browser, tmp_path):  # noqa: F811
    """Inverse distance between US states' points (not row-standardised): each neighbour's weight and its
    share of the row, as the W gives them."""
    import maps
    from spatial import datasets
    from weights.builder import build

    states = datasets.load("us48_states")
    states.index = states["fips"].astype(str)
    built = build(states, kind="inverse_distance", alpha=1, cutoff=1000, metric="haversine", transform="none")
    edges = built.graph.adjacency.reset_index()
    path = tmp_path / "invdist.html"
    path.write_text(maps.links_map(states, edges, top_k=3).to_html(), encoding="utf-8")
    view = View(browser, path)
    texas = states.index[states["state"] == "Texas"][0]
    view.click_unit(texas)
    panel = view.panel()
    assert panel["head"] == ["Neighbour", "Weight", "Row-standardised", ""]
    row = built.graph.adjacency.loc[texas]
    row = row[row != 0]
    names = dict(zip(states.index, states["state"], strict=True))
    expected = sorted((f"{names[j]} ({j})", format_number(w), format_number(w / row.sum())) for j, w in row.items())
    assert sorted((name, w, s) for name, w, s, _ in panel["rows"]) == expected
    assert len(expected) > 3  # more neighbours listed than the 3 strongest links drawn
    weights = [float(w.replace(",", "")) for _, w, _, _ in panel["rows"]]
    assert weights == sorted(weights, reverse=True)  # strongest first
    assert view.errors == [] and view.requests == []
    view.page.close()


def test_hostile_names_in_the_list_are_text(browser, tmp_path, hostile_units):  # noqa: F811
    import maps
    from tests.maps.conftest import PAYLOADS

    edges = pd.DataFrame({"focal": ["01", "02", "02", "03", "03", "04"],
                          "neighbor": ["02", "01", "03", "02", "04", "03"], "weight": [1.0, 0.5, 0.5, 0.5, 0.5, 1.0]})
    path = tmp_path / "hostile.html"
    path.write_text(maps.links_map(hostile_units, edges, id="code", names=["name"]).to_html(), encoding="utf-8")
    raw = path.read_text(encoding="utf-8")
    view = View(browser, path)
    scripts = view.page.evaluate("document.scripts.length")
    view.page.evaluate("document.querySelectorAll('[data-spatial=legend]').forEach(e => e.style.display = 'none')")
    view.click_unit("02")
    panel = view.panel()
    assert panel["title"] == f"{PAYLOADS[1]} (02)"
    assert sorted(row[0] for row in panel["rows"]) == sorted([f"{PAYLOADS[0]} (01)", f"{PAYLOADS[2]} (03)"])
    assert view.page.title() != "x"
    assert view.page.evaluate("document.scripts.length") == scripts == raw.count("<script>")
    assert view.page.evaluate("document.querySelectorAll('img').length") == 0
    assert view.errors == [] and view.requests == []
    view.page.close()
