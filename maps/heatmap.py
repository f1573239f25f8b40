"""The weights matrix as a heatmap: one cell per pair of units, coloured by weight (n <= 400).

A reader sees the structure of W at a glance: contiguity as a band along the diagonal when units
are ordered by region, a dense economic W as a filled square, an island as an empty row and
column, a repaired island's links outlined in red. Above 400 units a cell is smaller than a
printed dot, so the figure is refused with a message that says what to draw instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from maps._display import require_fields
from maps._escape import figure_text
from maps._fonts import font_rc
from maps._i18n import Lang, word
from maps.errors import MapInputError, hint

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["weights_heatmap", "MAX_UNITS", "LABELLED_UNITS", "heatmap_order"]

#: Most units the heatmap draws (a cell of a 400 x 400 matrix is about 0.4 mm wide on a page).
MAX_UNITS = 400
#: Most units whose names label the rows and columns (more would overlap).
LABELLED_UNITS = 60


def _sort_key(ids: Sequence[str]):
    """Numeric ids (adcodes, FIPS codes) in numeric order, others as text."""
    if all(i.lstrip("-").isdigit() for i in ids):
        return lambda i: (int(i), i)
    return lambda i: (0, i)


def heatmap_order(ids: Iterable[object], groups: Mapping[str, object] | pd.Series | None = None) -> list[str]:
    """Units in the heatmap's order: by group (region) when given, then by id.

    Examples
    --------
    >>> heatmap_order(["110000", "20", "3"])
    ['3', '20', '110000']
    >>> heatmap_order(["a", "b", "c"], groups={"a": "west", "b": "east", "c": "east"})
    ['b', 'c', 'a']
    """
    ids = [str(i) for i in ids]
    key = _sort_key(ids)
    if groups is None:
        return sorted(ids, key=key)
    group = {str(k): ("" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
             for k, v in dict(groups).items()}
    missing = [i for i in ids if i not in group]
    if missing:
        raise MapInputError(f"groups: {len(missing)} units have no group ({', '.join(map(repr, missing[:10]))}); "
                            "give every unit its region, or leave groups out to order by id")
    return sorted(ids, key=lambda i: (group[i], key(i)))


def weights_heatmap(
    edges: pd.DataFrame,
    *,
    ids: Sequence[object] | None = None,
    focal: str = "focal",
    neighbor: str = "neighbor",
    weight: str = "weight",
    labels: Mapping[str, str] | pd.Series | None = None,
    groups: Mapping[str, object] | pd.Series | None = None,
    island_links: Iterable[Sequence[object]] | None = None,
    title: str | None = None,
    lang: Lang = "en",
    max_units: int = MAX_UNITS,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """The weights matrix as a heatmap: row = focal unit, column = neighbour, colour = weight.

    Parameters
    ----------
    edges
        One row per directed link (columns ``focal``, ``neighbor`` and ``weight``), e.g.
        ``graph.adjacency.reset_index()`` of a libpysal ``Graph``; zero weights are not links.
    ids
        Every unit of W, islands included (default: the ids in ``edges``).
    labels
        Text for each id on the axes (e.g. province names); default the ids. Drawn only for
        ``n <= 60``; Chinese labels use a CJK font.
    groups
        Region of each id: units ordered by region, then id, with a line between regions.
    island_links
        Pairs of ids whose link an island policy added: their cells are outlined in red.
    max_units
        Refuse more units than this (default 400).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    MapInputError
        For more than ``max_units`` units, links naming ids not in ``ids``, or weights that are
        not finite numbers.
    FieldError
        For missing columns.

    Examples
    --------
    >>> from spatial import datasets
    >>> from libpysal.graph import Graph
    >>> states = datasets.load("us48_states").set_index("postal")
    >>> edges = Graph.build_contiguity(states, rook=False).transform("r").adjacency.reset_index()
    >>> fig = weights_heatmap(edges, labels=states["state"])
    >>> fig.axes[0].get_title()
    'Spatial weights matrix (48 units, 107 links)'
    """
    import matplotlib
    from matplotlib.colors import LinearSegmentedColormap
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    require_fields(edges, [focal, neighbor, weight], "the edge list")
    links = pd.DataFrame({"focal": edges[focal].astype(str).to_numpy(), "neighbor": edges[neighbor].astype(str).to_numpy(),
                          "w": pd.to_numeric(edges[weight], errors="coerce").to_numpy(dtype=float)})
    bad = links[~np.isfinite(links["w"])]
    if len(bad):
        rows = ", ".join(f"{a}->{b}" for a, b in bad[["focal", "neighbor"]].head(5).itertuples(index=False))
        raise MapInputError(f"{len(bad)} weights are not finite numbers (first: {rows}); fix or drop those links")
    links = links[(links["w"] != 0) & (links["focal"] != links["neighbor"])]
    universe = [str(i) for i in (ids if ids is not None else pd.unique(links[["focal", "neighbor"]].to_numpy().ravel()))]
    n = len(universe)
    if n > max_units:
        raise MapInputError(f"the matrix heatmap draws at most {max_units} units and W has {n}: a cell would be smaller "
                            f"than a printed dot. Draw its links instead (maps.links_map, or {hint('kind', 'links')}), "
                            "or pass a subset of the units")
    unknown = sorted((set(links["focal"]) | set(links["neighbor"])) - set(universe))
    if unknown:
        raise MapInputError(f"the edge list names {len(unknown)} ids that are not in ids: "
                            f"{', '.join(map(repr, unknown[:10]))}")
    order = heatmap_order(universe, groups)
    outlined = sorted({tuple(sorted(map(str, pair))) for pair in (island_links or ())})
    strays = [pair for pair in outlined if len(pair) != 2 or not set(pair) <= set(universe)]
    if strays:
        raise MapInputError(f"island_links: {len(strays)} pairs are not pairs of units of W: {strays[:5]!r}")
    position = {u: k for k, u in enumerate(order)}
    matrix = np.full((n, n), np.nan)
    matrix[links["focal"].map(position).to_numpy(), links["neighbor"].map(position).to_numpy()] = links["w"].to_numpy()
    names = {str(k): str(v) for k, v in dict(labels).items()} if labels is not None else {}
    shown = [names.get(u, u) for u in order]
    undirected = len({frozenset(p) for p in links[["focal", "neighbor"]].itertuples(index=False, name=None)})
    heading = title if title is not None else word("heatmap_title", lang, n=n, links=undirected)
    size = figsize or ((7.2, 6.2) if n > 20 else (5.6, 4.8))
    colours = LinearSegmentedColormap.from_list("weights", ["#deebf7", "#6baed6", "#08306b"]).with_extremes(bad="white")
    with matplotlib.rc_context(font_rc([*shown, heading])):
        fig = Figure(figsize=size, layout="constrained")
        ax = fig.add_subplot()
        top = float(np.nanmax(matrix)) if len(links) else 1.0
        image = ax.imshow(np.ma.masked_invalid(matrix), cmap=colours, vmin=0, vmax=top or 1.0,
                          interpolation="nearest", aspect="equal")
        ax.set_xlim(-0.5, n - 0.5)
        ax.set_ylim(n - 0.5, -0.5)
        for k in range(n + 1) if n <= 120 else ():  # a light grid where cells are big enough to see it
            ax.axhline(k - 0.5, color="#eeeeee", linewidth=0.3, zorder=0)
            ax.axvline(k - 0.5, color="#eeeeee", linewidth=0.3, zorder=0)
        if groups is not None:
            group = {str(k): str(v) for k, v in dict(groups).items()}
            cuts = [k for k in range(1, n) if group[order[k]] != group[order[k - 1]]]
            for k in cuts:
                ax.axhline(k - 0.5, color="#555555", linewidth=0.8)
                ax.axvline(k - 0.5, color="#555555", linewidth=0.8)
        for a, b in outlined:
            for i, j in ((a, b), (b, a)):
                ax.add_patch(Rectangle((position[j] - 0.5, position[i] - 0.5), 1, 1, fill=False,
                                       edgecolor="#d7301f", linewidth=1.4))
        if n <= LABELLED_UNITS:
            fontsize = 7 if n <= 35 else 5
            ax.set_xticks(range(n), [figure_text(t) for t in shown], rotation=90, fontsize=fontsize)
            ax.set_yticks(range(n), [figure_text(t) for t in shown], fontsize=fontsize)
        else:
            ax.set_xticks([])
            ax.set_yticks([])
        ordered = word("heatmap_by_region" if groups is not None else "heatmap_by_id", lang)
        ax.set_xlabel(f"{word('nv_neighbour', lang)} ({ordered})", fontsize=8)
        ax.set_ylabel(f"{word('heatmap_unit', lang)} ({ordered})", fontsize=8)
        ax.tick_params(length=0)
        ax.set_title(figure_text(heading), fontsize=10)
        bar = fig.colorbar(image, ax=ax, shrink=0.75, pad=0.02)
        bar.set_label(word("nv_weight", lang), fontsize=8)
        bar.ax.tick_params(labelsize=7)
        if outlined:
            proxy = Rectangle((0, 0), 1, 1, fill=False, edgecolor="#d7301f", linewidth=1.4,
                              label=word("heatmap_island", lang, n=len(outlined)))
            fig.legend(handles=[proxy], loc="outside lower center", fontsize=7, frameon=False)
    return fig
