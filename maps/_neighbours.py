"""The connectivity view of the weights map (as GeoDa's): click a unit, see its neighbours.

The page gets, for every unit of the map, its neighbours (the ``LISTED`` strongest when there are
more) with their weights, each weight's share of the unit's row (the row-standardised weight), the
raw weight when the caller has it, which links an island policy added, and where to draw the links;
``maps/templates/neighbours.js`` turns a click into the highlight and the list.

The data travel as one JSON literal (:func:`maps._escape.script_json`): indices as base-64 varint
digits (:func:`maps._topology.encode_unsigned`), numbers as text formatted in Python
(:func:`maps._format.format_numbers`) and kept once in small tables. Every text in it is escaped
with :func:`maps._escape.safe_text`; the script decodes it to plain text and shows it with
``textContent``. Unit names are not repeated: the script reads the units layer's.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
from folium.elements import MacroElement
from folium.template import Template

from maps._escape import safe_text, script_json
from maps._format import format_numbers
from maps._i18n import Lang, word
from maps._literal import Verbatim
from maps._topology import encode_unsigned

__all__ = ["LISTED", "connectivity_data", "add_connectivity_view"]

#: Neighbours listed per unit at most (its strongest): a dense W of 3,000 counties stays small.
LISTED = 100

SELECTED = {"fillColor": "#2171b5", "fillOpacity": 0.9, "color": "#08306b", "weight": 2.2, "opacity": 1,
            "dashArray": ""}
NEIGHBOUR = {"fillColor": "#9ecae1", "fillOpacity": 0.9, "color": "#08306b", "weight": 1.4, "opacity": 1,
             "dashArray": ""}
ISLAND_NEIGHBOUR = {"fillColor": "#fcbba1", "fillOpacity": 0.9, "color": "#d7301f", "weight": 1.8, "opacity": 1,
                    "dashArray": "5 3"}

_CSS = """
.spatial-neighbours { position: relative; max-width: 340px; }
.spatial-neighbours .spatial-close { position: absolute; top: 2px; right: 4px; border: 0; background: none;
  font-size: 16px; line-height: 1; cursor: pointer; color: #555; }
.spatial-neighbours .spatial-title { padding-right: 18px; }
.spatial-neighbours .spatial-neighbour-list { max-height: 260px; overflow-y: auto; }
.spatial-neighbours th { text-align: left; font-weight: 600; padding: 1px 4px; border-bottom: 1px solid #bbb; }
.spatial-neighbours tr[data-k] { cursor: pointer; }
.spatial-neighbours tr[data-k]:hover { background: #eef3f8; }
.spatial-neighbours tr.spatial-island-link td { color: #b2182b; }
.spatial-neighbours td.spatial-link-kind { font-size: 11px; }
"""


@cache
def _script() -> str:
    text = (resources.files("maps") / "templates" / "neighbours.js").read_text(encoding="utf-8")
    return text.replace("</", "<\\/")


def _table(texts: list[str]) -> tuple[list[str], np.ndarray]:
    """Distinct texts (escaped) and the position of each text in that list."""
    codes, uniques = pd.factorize(pd.Series(texts, dtype=object), sort=False)
    return [safe_text(t) for t in uniques], codes


def connectivity_data(
    ids: pd.Index,
    links: pd.DataFrame,
    points: list[tuple[float, float]],
    *,
    island: set[frozenset[str]] = frozenset(),
    raw: bool = False,
    lang: Lang = "en",
    listed: int = LISTED,
) -> dict:
    """What the connectivity view needs, as plain JSON-ready data.

    Parameters
    ----------
    ids
        The map's units, in the order of its units layer (ids as text).
    links
        Every link of the W, one row per directed link: columns ``focal``, ``neighbor`` (ids as
        text), ``w`` (non-zero weight) and, when ``raw``, ``raw`` (the weight before any
        transformation). Links to units that are not drawn count but are not listed.
    points
        (lat, lon) where each unit's links start, in the order of ``ids``.
    island
        Unordered pairs of ids whose link an island policy added.

    Examples
    --------
    >>> links = pd.DataFrame({"focal": ["a", "b", "b"], "neighbor": ["b", "a", "c"], "w": [1.0, 0.5, 0.5]})
    >>> data = connectivity_data(pd.Index(["a", "b", "c"]), links, [(0, 0), (0, 1), (0, 2)])
    >>> data["columns"], data["wt"]
    (['Neighbour', 'Weight (row-standardised)'], ['1', '0.5'])
    """
    position = pd.Series(np.arange(len(ids)), index=ids)
    degree = links.groupby("focal").size().reindex(ids, fill_value=0).to_numpy()
    sums = links.groupby("focal")["w"].sum()
    drawn = links[links["focal"].isin(position.index) & links["neighbor"].isin(position.index)].copy()
    drawn["k"] = position.reindex(drawn["focal"]).to_numpy()
    drawn["j"] = position.reindex(drawn["neighbor"]).to_numpy()
    drawn["share"] = drawn["w"].to_numpy() / sums.reindex(drawn["focal"]).to_numpy()
    drawn = drawn.sort_values(["k", "w", "j"], ascending=[True, False, True], kind="stable")
    drawn = drawn.groupby("k", sort=False).head(listed)
    shown = drawn.groupby("k").size().reindex(range(len(ids)), fill_value=0).to_numpy()
    row_standardised = bool(len(sums)) and bool(np.allclose(sums.to_numpy(), 1.0, rtol=0, atol=1e-9))
    weights = drawn["w"].to_numpy(dtype=float)
    wt, w = _table(format_numbers(weights))
    first = pd.Series(weights).groupby(w).first()  # the number behind each weight text
    columns = [word("nv_neighbour", lang), word("nv_weight_row" if row_standardised else "nv_weight", lang)]
    data = {"count": encode_unsigned(degree), "listed": encode_unsigned(shown),
            "nbr": encode_unsigned(drawn["j"].to_numpy()), "w": encode_unsigned(w), "wt": wt,
            "wv": [float(v) for v in first.sort_index().to_numpy()], "s": None, "st": [], "r": None, "rt": []}
    if not row_standardised:
        data["st"], codes = _table(format_numbers(drawn["share"].to_numpy(dtype=float)))
        data["s"] = encode_unsigned(codes)
        columns.append(word("nv_row", lang))
    if raw:
        data["rt"], codes = _table(format_numbers(pd.to_numeric(drawn["raw"], errors="coerce").to_numpy(dtype=float),
                                                  missing="n/a"))
        data["r"] = encode_unsigned(codes)
        columns.append(word("nv_raw", lang))
    data["island"] = sorted([int(position[a]), int(position[b])] for a, b in (sorted(p) for p in island)
                            if a in position.index and b in position.index)
    data["points"] = [[float(lat), float(lon)] for lat, lon in points]
    data["columns"] = [safe_text(c) for c in columns]
    data["styles"] = {"selected": SELECTED, "neighbour": NEIGHBOUR, "island": ISLAND_NEIGHBOUR}
    data["words"] = {key: safe_text(word(f"nv_{key}", lang)) for key in ("count", "one", "more", "island", "clear")}
    return data


class _ConnectivityView(MacroElement):
    """Attaches the view to the map's units layer (``spatialNeighbours.attach`` in neighbours.js)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        spatialNeighbours.attach({{ this._parent.get_name() }}, {{ this.layer.get_name() }}, {{ this.payload }});
        {% endmacro %}
        """
    )

    def __init__(self, layer, payload: str):
        super().__init__()
        self._name = "ConnectivityView"
        self.layer = layer
        self.payload = payload  # script_json: inert inside <script>, never template source


def add_connectivity_view(m, data: dict) -> None:
    """Add the view to a map made by :func:`maps._leaflet.build_map` (its units layer gets the clicks)."""
    from maps._leaflet import _UnitsLayer

    layer = next(child for child in m._children.values() if isinstance(child, _UnitsLayer))
    m.get_root().header.add_child(Verbatim(f"<style>{_CSS}</style>\n<script>{_script()}</script>"),
                                  name="spatial_neighbours")
    _ConnectivityView(layer, script_json(data)).add_to(m)
