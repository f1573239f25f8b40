"""The weights map: links between neighbours drawn over the polygons, islands highlighted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import folium
import pandas as pd

from maps._display import display_layer, require_fields
from maps._escape import safe_text
from maps._i18n import Lang, word
from maps._leaflet import OfflineMap, View, build_map, legend_table, style
from maps.errors import MapInputError

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["links_map"]


def links_map(
    units: gpd.GeoDataFrame,
    edges: pd.DataFrame,
    *,
    id: str | None = None,
    names: list[str] | None = None,
    focal: str = "focal",
    neighbor: str = "neighbor",
    title: str | None = None,
    tiles: str | None = None,
    lang: Lang = "en",
    simplify: float | str | None = "auto",
    height: int | str = "100%",
    outside: Sequence[str] = (),
    top_k: int | None = None,
) -> OfflineMap:
    """Polygons with a line between the representative points of every pair of neighbours.

    Lines are as wide as their weight when the weights differ (inverse distance, economic W);
    a dense W (more than ``top_k`` neighbours per unit; default 8 when the weights differ) keeps
    each unit's ``top_k`` strongest links, said in the legend, instead of a web of equal lines.

    Parameters
    ----------
    edges
        One row per directed link with columns ``focal`` and ``neighbor`` (unit ids), e.g.
        ``graph.adjacency.reset_index()`` of a libpysal ``Graph``; rows with a zero weight
        (libpysal's marker of an island) are not links. A pair listed both ways is one line.
    outside
        Ids of units drawn for context but not in the analysis (Taiwan when the study keeps the
        mainland): shown as "not in the sample (no data)", never as islands.
    top_k
        Strongest links kept per unit for a dense W (``None``: 8 when the weights differ, else all).

    Raises
    ------
    FieldError
        For missing ``focal``/``neighbor`` columns.
    MapInputError
        For links naming ids that are not units of the map.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely import box
    >>> units = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(5, 0, 6, 1)],
    ...                          crs=4326, index=["a", "b", "c"])
    >>> edges = pd.DataFrame({"focal": ["a", "b"], "neighbor": ["b", "a"], "weight": [1.0, 1.0]})
    >>> html = links_map(units, edges).to_html()
    >>> "1 links, 1 islands" in html
    True
    """
    import shapely

    require_fields(edges, [focal, neighbor], "the edge list")
    layer = display_layer(units, id=id, names=names, simplify=simplify)
    pairs = edges[[focal, neighbor]].astype(str)
    pairs["_w"] = pd.to_numeric(edges["weight"], errors="coerce").fillna(0).to_numpy() if "weight" in edges.columns \
        else 1.0
    pairs = pairs[(pairs["_w"] != 0) & (pairs[focal] != pairs[neighbor])]
    # weights that differ within a unit's row (distance, economic W); a row-standardised contiguity W
    # (1/k in each row) is drawn with equal lines
    weighted = bool(len(pairs)) and bool((pairs.groupby(focal)["_w"].nunique() > 1).any())
    k = top_k if top_k is not None else (8 if weighted else None)
    dense = k is not None and len(pairs) and pairs.groupby(focal).size().max() > k
    if dense:  # each unit's k strongest links
        pairs = pairs.sort_values("_w", ascending=False, kind="stable").groupby(focal, sort=False).head(k)
    known = set(layer.ids) | set(layer.not_drawn)
    unknown = sorted((set(pairs[focal]) | set(pairs[neighbor])) - known)
    if unknown:
        raise MapInputError(f"the edge list names {len(unknown)} ids that are not units of the map: "
                            f"{', '.join(map(repr, unknown[:10]))}")
    out = {str(i) for i in outside}
    degree = pairs.groupby(focal).size().reindex(layer.ids, fill_value=0)
    strength: dict[tuple[str, str], float] = {}
    for a, b, w in pairs[[focal, neighbor, "_w"]].itertuples(index=False):
        key = (a, b) if a <= b else (b, a)
        strength[key] = max(strength.get(key, 0.0), abs(float(w)))
    undirected = sorted(strength)
    points = dict(zip(layer.ids, shapely.point_on_surface(layer.frame.geometry.to_numpy()), strict=True))
    lines = [([(points[a].x, points[a].y), (points[b].x, points[b].y)], strength[a, b]) for a, b in undirected
             if a in points and b in points]
    context = [i in out for i in layer.ids]
    islands = int(sum(d == 0 and not c for d, c in zip(degree, context, strict=True)))
    has = style("#fdf6e3", outline="#777777", weight=0.8, opacity=0.9)
    alone = style("#ff7f00", outline="#000000", weight=1.6, dash="4 3", opacity=0.9)
    absent = style("#e0e0e0", outline="#9e9e9e", weight=0.6, opacity=0.9)
    codes = tuple(2 if c else int(d == 0) for d, c in zip(degree, context, strict=True))
    texts = tuple(word("outside", lang) if c else word("n_neighbours", lang, n=d) if d else word("island", lang)
                  for d, c in zip(degree, context, strict=True))
    rows = [(has, safe_text(word("has_neighbours", lang)), codes.count(0)),
            (alone, safe_text(word("island", lang)), islands)]
    if out:
        rows.append((absent, safe_text(word("outside", lang)), codes.count(2)))
    heading = word("weights_title", lang, links=len(undirected), islands=islands)
    legend = legend_table(rows)
    if dense:
        legend += f'<div class="spatial-note">{safe_text(word("top_k_links", lang, k=k))}</div>'
    if weighted:
        legend += f'<div class="spatial-note">{safe_text(word("width_by_weight", lang))}</div>'
    view = View(heading, (has, alone, absent), codes, texts, legend)
    m = build_map(layer, [view], title=title or heading, value_label=word("neighbours", lang),
                  selector=word("view", lang), lang=lang, tiles=tiles, height=height, layer_name=word("units", lang))
    if lines:
        group = folium.FeatureGroup(name=safe_text(word("links", lang)))
        top = max(w for _, w in lines) or 1.0
        widths = {line_id: round(0.6 + 3.4 * w / top, 1) if weighted else 1.2 for line_id, (_, w) in enumerate(lines)}
        for width in sorted(set(widths.values())):  # one polyline per width: few elements even for dense W
            folium.PolyLine([[(y, x) for x, y in line] for i, (line, _) in enumerate(lines) if widths[i] == width],
                            color="#3b4cc0", weight=width, opacity=0.8).add_to(group)
        group.add_to(m)
    _move_layer_control_last(m)
    return m


def _move_layer_control_last(m: OfflineMap) -> None:
    """Keep the layer control after every layer so that it lists them all."""
    controls = [(k, v) for k, v in m._children.items() if isinstance(v, folium.LayerControl)]
    for key, control in controls:
        del m._children[key]
        m._children[key] = control
