"""The weights map: links between neighbours drawn over the polygons, islands highlighted."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import folium
import pandas as pd

from maps._display import display_layer, require_fields
from maps._escape import safe_text
from maps._i18n import Lang, word
from maps._neighbours import add_connectivity_view, connectivity_data
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
    island_links: pd.DataFrame | Iterable[Sequence[str]] | None = None,
    raw: str | None = None,
    connectivity: bool = True,
) -> OfflineMap:
    """Polygons with a line between the representative points of every pair of neighbours.

    Lines are as wide as their weight when the weights differ (inverse distance, economic W);
    a dense W (more than ``top_k`` neighbours per unit; default 8 when the weights differ) keeps
    each unit's ``top_k`` strongest links, said in the legend, instead of a web of equal lines.
    Links that an island policy added (``island_links``) are drawn dashed in red and listed in the
    legend.

    A click on a unit shows its neighbours, as GeoDa's connectivity view: the unit and its
    neighbours filled, the links to them drawn (island links dashed), and a panel listing each
    neighbour with its weight, its row-standardised weight (unless the W is row-standardised) and
    its raw weight (``raw``), and whether the link repairs an island. A second click on the unit,
    a click beside the units, the panel's close button or Escape clears it. The list holds every
    link of the W (the strongest 100 of a unit with more), not only the ``top_k`` drawn.

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
    island_links
        Links an island policy added (e.g. Hainan--Guangdong in a queen W of China's provinces):
        pairs of ids, or a frame with columns ``island`` and ``neighbor`` (the ``added`` records of
        an island report). Each must be a link of ``edges``.
    raw
        Column of ``edges`` holding the weight before the transformation (e.g. 1 for every link of
        a row-standardised contiguity W), listed beside the weight in the connectivity view.
    connectivity
        Whether a click on a unit shows its neighbours (the view's data grow with the number of
        links; ``False`` leaves them out).

    Raises
    ------
    FieldError
        For missing ``focal``/``neighbor`` columns.
    MapInputError
        For links naming ids that are not units of the map, or island links that are not links.

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

    require_fields(edges, [focal, neighbor] + ([raw] if raw else []), "the edge list")
    layer = display_layer(units, id=id, names=names, simplify=simplify)
    pairs = edges[[focal, neighbor]].astype(str)
    pairs["_w"] = pd.to_numeric(edges["weight"], errors="coerce").fillna(0).to_numpy() if "weight" in edges.columns \
        else 1.0
    if raw:
        pairs["_raw"] = edges[raw].to_numpy()
    pairs = pairs[(pairs["_w"] != 0) & (pairs[focal] != pairs[neighbor])]
    every = pairs  # all links of the W: the connectivity view lists them, whatever top_k draws
    # weights that differ within a unit's row (distance, economic W); a row-standardised contiguity W
    # (1/k in each row) is drawn with equal lines
    weighted = bool(len(pairs)) and bool((pairs.groupby(focal)["_w"].nunique() > 1).any())
    k = top_k if top_k is not None else (8 if weighted else None)
    dense = k is not None and len(pairs) and pairs.groupby(focal).size().max() > k
    if dense:  # each unit's k strongest links
        pairs = pairs.sort_values("_w", ascending=False, kind="stable").groupby(focal, sort=False).head(k)
    known = set(layer.ids) | set(layer.not_drawn)
    unknown = sorted((set(every[focal]) | set(every[neighbor])) - known)
    if unknown:
        raise MapInputError(f"the edge list names {len(unknown)} ids that are not units of the map: "
                            f"{', '.join(map(repr, unknown[:10]))}")
    repaired = _island_pairs(island_links, every[[focal, neighbor]])
    out = {str(i) for i in outside}
    degree = pairs.groupby(focal).size().reindex(layer.ids, fill_value=0)
    strength: dict[tuple[str, str], float] = {}
    for a, b, w in pairs[[focal, neighbor, "_w"]].itertuples(index=False):
        key = (a, b) if a <= b else (b, a)
        strength[key] = max(strength.get(key, 0.0), abs(float(w)))
    points = dict(zip(layer.ids, shapely.point_on_surface(layer.frame.geometry.to_numpy()), strict=True))
    for a, b in (sorted(pair) for pair in repaired):  # drawn whatever top_k keeps
        strength.setdefault((a, b), 0.0)
    undirected = sorted(strength)
    lines = [([(points[a].x, points[a].y), (points[b].x, points[b].y)], strength[a, b]) for a, b in undirected
             if a in points and b in points and frozenset((a, b)) not in repaired]
    island_lines = [[(points[a].y, points[a].x), (points[b].y, points[b].x)] for a, b in undirected
                    if a in points and b in points and frozenset((a, b)) in repaired]
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
    if repaired:
        rows.append((_ISLAND_LINK, safe_text(word("island_links", lang)), len(repaired)))
    heading = word("weights_title", lang, links=len(undirected), islands=islands)
    legend = legend_table(rows)
    if repaired:
        label = dict(zip(layer.ids, layer.frame["_name"], strict=True))  # escaped names
        shown = [" – ".join(label.get(i, safe_text(i)) for i in pair) for pair in sorted(map(sorted, repaired))]
        listed = "; ".join(shown[:10]) + (" ..." if len(shown) > 10 else "")
        note = word("island_links_list", lang, pairs=listed)  # names escaped above, our words plain
        legend += f'<div class="spatial-note spatial-island-links">{note}</div>'
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
            _inert(folium.PolyLine([[(y, x) for x, y in line] for i, (line, _) in enumerate(lines)
                                    if widths[i] == width], color="#3b4cc0", weight=width, opacity=0.8)).add_to(group)
        group.add_to(m)
    if island_lines:
        group = folium.FeatureGroup(name=safe_text(word("island_links", lang)))
        _inert(folium.PolyLine(island_lines, color=_ISLAND_LINK["color"], weight=2.6, opacity=0.95,
                               dash_array="6 4")).add_to(group)
        group.add_to(m)
    if connectivity and layer.n:
        add_connectivity_view(m, _view_data(layer, every.rename(columns={focal: "focal", neighbor: "neighbor"}),
                                            points, repaired, raw=raw is not None, lang=lang))
    _move_layer_control_last(m)
    return m


def _inert(line: folium.PolyLine) -> folium.PolyLine:
    """A line that takes no clicks or hovers: they go to the unit beneath (the lines start inside the units)."""
    line.options["interactive"] = False  # folium's PolyLine drops this option from its keywords
    return line


_ISLAND_LINK = style("#fcbba1", outline="#d7301f", weight=2.6, dash="6 4", opacity=0.9)


def _island_pairs(island_links, links: pd.DataFrame) -> set[frozenset[str]]:
    """The island links as unordered id pairs, each checked to be a link of the edge list."""
    if island_links is None:
        return set()
    if isinstance(island_links, pd.DataFrame):
        require_fields(island_links, ["island", "neighbor"], "the island links")
        given = island_links[["island", "neighbor"]].astype(str).itertuples(index=False, name=None)
    else:
        given = [tuple(map(str, pair)) for pair in island_links]
        wrong = [pair for pair in given if len(pair) != 2]
        if wrong:
            raise MapInputError(f"island_links takes pairs of ids; got {wrong[:3]!r}")
    pairs = {frozenset(pair) for pair in given}
    present = {frozenset(pair) for pair in links.itertuples(index=False, name=None)}
    missing = sorted(tuple(sorted(p)) for p in pairs - present)
    if missing:
        raise MapInputError(f"{len(missing)} island links are not links of the edge list: "
                            f"{', '.join(' - '.join(map(repr, p)) for p in missing[:10])}; pass the edges of the "
                            "weights after the island policy")
    return pairs


def _view_data(layer, links: pd.DataFrame, points: dict, repaired: set, *, raw: bool, lang: Lang) -> dict:
    """The connectivity view's data for the drawn units (links with columns focal, neighbor, _w, _raw)."""
    frame = links.rename(columns={"_w": "w", "_raw": "raw"})
    where = [(round(points[i].y, layer.precision), round(points[i].x, layer.precision)) for i in layer.ids]
    return connectivity_data(layer.ids, frame, where, island=repaired, raw=raw, lang=lang)


def _move_layer_control_last(m: OfflineMap) -> None:
    """Keep the layer control after every layer so that it lists them all."""
    controls = [(k, v) for k, v in m._children.items() if isinstance(v, folium.LayerControl)]
    for key, control in controls:
        del m._children[key]
        m._children[key] = control
