"""The weights map: links between neighbours drawn over the polygons, islands highlighted."""

from __future__ import annotations

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
) -> OfflineMap:
    """Polygons with a line between the representative points of every pair of neighbours.

    Parameters
    ----------
    edges
        One row per directed link with columns ``focal`` and ``neighbor`` (unit ids), e.g.
        ``graph.adjacency.reset_index()`` of a libpysal ``Graph``; rows with a zero weight
        (libpysal's marker of an island) are not links. A pair listed both ways is one line.

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
    if "weight" in edges.columns:
        pairs = pairs[pd.to_numeric(edges["weight"], errors="coerce").fillna(0).to_numpy() != 0]
    pairs = pairs[pairs[focal] != pairs[neighbor]]
    known = set(layer.ids) | set(layer.not_drawn)
    unknown = sorted((set(pairs[focal]) | set(pairs[neighbor])) - known)
    if unknown:
        raise MapInputError(f"the edge list names {len(unknown)} ids that are not units of the map: "
                            f"{', '.join(map(repr, unknown[:10]))}")
    degree = pairs.groupby(focal).size().reindex(layer.ids, fill_value=0)
    undirected = {tuple(sorted(p)) for p in pairs.itertuples(index=False)}
    points = dict(zip(layer.ids, shapely.point_on_surface(layer.frame.geometry.to_numpy()), strict=True))
    lines = [[(points[a].x, points[a].y), (points[b].x, points[b].y)] for a, b in sorted(undirected)
             if a in points and b in points]
    islands = int((degree == 0).sum())
    has = style("#fdf6e3", outline="#777777", weight=0.8, opacity=0.9)
    alone = style("#ff7f00", outline="#000000", weight=1.6, dash="4 3", opacity=0.9)
    codes = tuple(int(d == 0) for d in degree)
    texts = tuple(word("n_neighbours", lang, n=d) if d else word("island", lang) for d in degree)
    rows = [(has, safe_text(word("has_neighbours", lang)), len(codes) - islands),
            (alone, safe_text(word("island", lang)), islands)]
    heading = word("weights_title", lang, links=len(undirected), islands=islands)
    view = View(heading, (has, alone), codes, texts, legend_table(rows))
    m = build_map(layer, [view], title=title or heading, value_label=word("neighbours", lang),
                  selector=word("view", lang), lang=lang, tiles=tiles, height=height, layer_name=word("units", lang))
    if lines:
        folium.PolyLine(
            [[(y, x) for x, y in line] for line in lines], color="#3b4cc0", weight=1.2, opacity=0.8,
            name=safe_text(word("links", lang)),
        ).add_to(m)
    _move_layer_control_last(m)
    return m


def _move_layer_control_last(m: OfflineMap) -> None:
    """Keep the layer control after every layer so that it lists them all."""
    controls = [(k, v) for k, v in m._children.items() if isinstance(v, folium.LayerControl)]
    for key, control in controls:
        del m._children[key]
        m._children[key] = control
