"""A choropleth over 10 periods: ``maps.choropleth`` against folium's own ``TimeSliderChoropleth``.

Cases: the bundled prefecture layer (372 units) and a synthetic 70 x 70 grid (4,900 units),
both in the same process on the same values. folium's page is built the way its docs show
(GeoJSON of the layer as is, one style per feature and period computed in Python with the same
classes); it loads Leaflet, jQuery, Bootstrap and D3 from CDNs, so its size excludes them, while
ours includes Leaflet inline (about 165 kB) and a simplified display copy of the geometry. Ratios
are ours / folium: below 1 means faster or smaller.

Run: ``python -m bench maps`` (or ``make bench``).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

PERIODS = list(range(2010, 2020))


def _prefectures():
    import geopandas as gpd

    from spatial.datasets import data_dir

    layer = gpd.read_parquet(data_dir() / "china" / "prefectures.parquet")
    return layer.set_index("adcode")[["name_zh", "geometry"]]


def _grid(side: int):
    import geopandas as gpd
    from shapely import box

    cells = [box(x * 0.1, y * 0.1, x * 0.1 + 0.1, y * 0.1 + 0.1) for y in range(side) for x in range(side)]
    return gpd.GeoDataFrame({"name": [f"cell {i}" for i in range(side * side)]}, geometry=cells, crs=4326,
                            index=[f"u{i:05d}" for i in range(side * side)])


def _values(ids, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.lognormal(size=(len(ids), len(PERIODS))), index=ids, columns=PERIODS)


def _ours(units, values) -> str:
    import maps

    return maps.choropleth(units, values, label="gdp").to_html()


def _folium(units, values) -> str:
    import folium
    from folium.plugins import TimeSliderChoropleth

    from maps._classify import classify

    classes = classify(values.to_numpy().ravel(), k=5)
    stamps = [str(int(pd.Timestamp(f"{p}-01-01").timestamp())) for p in PERIODS]
    styles = {}
    for position in range(len(values)):
        codes = classes.codes(values.iloc[position].to_numpy())
        styles[str(position)] = {s: {"color": classes.colors[c], "opacity": 0.8} for s, c in zip(stamps, codes, strict=True)}
    frame = units.reset_index(drop=True)
    m = folium.Map(tiles=None)
    TimeSliderChoropleth(frame.to_json(), styledict=styles).add_to(m)
    return m.get_root().render()


def _timed(function, *args) -> tuple[float, str]:
    best, html = float("inf"), ""
    for _ in range(3):
        started = time.perf_counter()
        html = function(*args)
        best = min(best, time.perf_counter() - started)
    return best, html


def main() -> None:
    for name, units in (("prefectures (372 units)", _prefectures()), ("grid 70x70 (4,900 units)", _grid(70))):
        values = _values(units.index, seed=1)
        ours, ours_html = _timed(_ours, units, values)
        theirs, their_html = _timed(_folium, units, values)
        size_ours, size_theirs = len(ours_html.encode()), len(their_html.encode())
        print(f"{name}: ours {ours:.2f} s, {size_ours / 1e6:.2f} MB (Leaflet inline); "
              f"folium TimeSliderChoropleth {theirs:.2f} s, {size_theirs / 1e6:.2f} MB (+ CDN scripts); "
              f"time ratio {ours / theirs:.2f}, size ratio {size_ours / size_theirs:.2f}")


if __name__ == "__main__":
    main()
