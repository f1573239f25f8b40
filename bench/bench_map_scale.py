"""Interactive maps at county and grid scale, measured in Chromium with the network blocked.

Cases: the bundled China counties (2,877 units) over 20 periods, and a 224 x 224 grid
(50,176 cells) over 10 periods. For each: the time to build the page in Python, its size, the
time from navigation to the units drawn (load event, then two animation frames, read from the
page's own clock), the JavaScript heap after load, and the time to switch periods (median over the
periods, to the next frame). Goals (issue 19): counties under 2 s and under 5 MB; the grid usable
under 30 MB.

The peer: folium's own ``GeoJson`` layer (SVG paths, GeoJSON properties, ``GeoJsonTooltip``)
of the same display copy for *one* period, with Leaflet inlined instead of its CDN links so that
it opens offline too. Ratios are ours (all periods) / folium (one period).

Run: ``python -m bench map_scale``. Needs Chromium (``shutil.which("chromium")``) and playwright.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
_DRAWN = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))"
_SWITCH = """async ([id, n]) => {
    const select = document.querySelector('#' + id + ' select.spatial-view-select');
    const times = [];
    for (let i = 0; i < n; i++) {
        const start = performance.now();
        select.value = String(i);
        select.dispatchEvent(new Event('change'));
        await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
        times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
}"""


def _counties():
    from spatial import datasets

    counties = datasets.load("china_counties").set_index("adcode")[["name_zh", "geometry"]]
    return counties, list(range(2001, 2021))


def _grid(side: int = 224):
    import geopandas as gpd
    from shapely import box

    step = 0.05
    cells = [box(100 + x * step, 25 + y * step, 100 + (x + 1) * step, 25 + (y + 1) * step)
             for y in range(side) for x in range(side)]
    units = gpd.GeoDataFrame({"name": [f"cell {i}" for i in range(side * side)]}, geometry=cells, crs=4326,
                             index=[f"g{i:05d}" for i in range(side * side)])
    return units, list(range(2011, 2021))


def _ours(units, values) -> str:
    import maps

    return maps.choropleth(units, values, label="value").to_html()


def _folium(units, values) -> str:
    """folium's GeoJson of our display copy, last period, SVG (its default), Leaflet inlined."""
    import folium

    from maps import _assets
    from maps._classify import classify
    from maps._display import display_layer

    layer = display_layer(units)
    last = values.iloc[:, -1].reindex(layer.ids).to_numpy()
    classes = classify(values.to_numpy().ravel(), k=5)
    colours = [classes.colors[c] if c >= 0 else "#cccccc" for c in classes.codes(last)]
    frame = layer.frame.assign(value=[f"{v:.4g}" for v in last], colour=colours)
    m = folium.Map(tiles=None)
    folium.GeoJson(frame, style_function=lambda f: {"fillColor": f["properties"]["colour"], "weight": 0.6,
                                                     "color": "#555", "fillOpacity": 0.85},
                   tooltip=folium.GeoJsonTooltip(["_name", "value"])).add_to(m)
    minx, miny, maxx, maxy = layer.frame.total_bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    page = m.get_root().render()
    page = re.sub(r"<script src=[^>]*></script>|<link rel=\"stylesheet\" href=[^>]*/>", "", page)
    return page.replace("<head>", "<head>" + _assets.inline_head(), 1)


def _open(browser, path: Path, periods: int | None) -> dict:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(300_000)  # folium's SVG grid takes minutes
    errors: list[str] = []
    blocked: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    drawn = page.evaluate(_DRAWN) / 1000
    heap = page.evaluate("performance.memory ? performance.memory.usedJSHeapSize / 1e6 : NaN")
    switch = float("nan")
    if periods:
        map_id = page.evaluate("document.querySelector('.folium-map').id")
        switch = page.evaluate(_SWITCH, [map_id, periods]) / 1000
    page.close()
    return {"drawn": drawn, "heap": heap, "switch": switch, "errors": errors, "blocked": blocked}


def _best(browser, path: Path, periods: int | None, runs: int = 3) -> dict:
    results = [_open(browser, path, periods) for _ in range(runs)]
    best = min(results, key=lambda r: r["drawn"])
    best["errors"] = sorted({e for r in results for e in r["errors"]})
    best["blocked"] = sorted({b for r in results for b in r["blocked"]})
    return best


def main() -> None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("   skipped: playwright is not installed")
        return
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("   skipped: Chromium is not installed")
        return
    with tempfile.TemporaryDirectory(prefix="bench_map_scale_") as tmp, sync_playwright() as playwright:
        folder = Path(tmp)
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        for name, (units, periods) in (("China counties", _counties()), ("grid 224x224", _grid())):
            rng = np.random.default_rng(1)
            values = pd.DataFrame(rng.lognormal(size=(len(units), len(periods))), index=units.index, columns=periods)
            started = time.perf_counter()
            ours_html = _ours(units, values)
            build = time.perf_counter() - started
            theirs_html = _folium(units, values)
            ours_path, theirs_path = folder / "ours.html", folder / "folium.html"
            ours_path.write_text(ours_html, encoding="utf-8")
            theirs_path.write_text(theirs_html, encoding="utf-8")
            ours = _best(browser, ours_path, len(periods))
            theirs = _best(browser, theirs_path, None, runs=1 if len(units) > 10_000 else 3)
            size_ours, size_theirs = ours_path.stat().st_size / 1e6, theirs_path.stat().st_size / 1e6
            print(f"{name} ({len(units):,} units x {len(periods)} periods): ours build {build:.1f} s, "
                  f"{size_ours:.2f} MB, drawn {ours['drawn']:.2f} s, heap {ours['heap']:.0f} MB, "
                  f"period switch {ours['switch'] * 1000:.0f} ms (median); folium GeoJson one period "
                  f"{size_theirs:.2f} MB, drawn {theirs['drawn']:.2f} s, heap {theirs['heap']:.0f} MB; "
                  f"size ratio {size_ours / size_theirs:.2f}, load ratio {ours['drawn'] / theirs['drawn']:.2f}")
            for who, result in (("ours", ours), ("folium", theirs)):
                if result["errors"] or result["blocked"]:
                    print(f"   {who}: page errors {result['errors'][:3]}, blocked requests {result['blocked'][:3]}")
        browser.close()


if __name__ == "__main__":
    main()
