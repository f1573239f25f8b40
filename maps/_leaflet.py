"""The folium map every function returns: Leaflet inlined, no tiles by default, one layer of
units whose colours, tooltip values and legend switch between views (periods or measures).

Built for county and grid scale: the units are drawn on one canvas (Leaflet ``preferCanvas``),
their outlines travel as quantised shared arcs (:mod:`maps._topology`), and each view is a class
code and a text index per unit in compact strings that the page switches between
(``maps/templates/units.js``, inlined with Leaflet). The China counties over 20 periods are
under 1 MB; a 50,000-cell grid over 10 periods under 5 MB (``bench/bench_map_scale.py``).

Every string that reaches the page is escaped with :func:`maps._escape.safe_text` (names,
labels, legends) and data enter scripts through ``tojson`` (which escapes ``<``, ``>``, ``&``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import folium
from folium.elements import MacroElement
from folium.map import Layer
from folium.template import Template

from maps import _assets
from maps.choices import Tiles
from maps._literal import LiteralFigure, UnsafePageError, Verbatim, adopt
from maps._classify import check_choice
from maps._display import DisplayLayer
from maps._escape import safe_text
from maps._i18n import Lang, word
from maps._topology import encode, encode_unsigned

__all__ = ["OfflineMap", "View", "Tiles", "build_map", "map_parts", "shapes_script", "MAP_CSS", "PAGE_CSS"]


MAP_CSS = """
.folium-map.leaflet-container { background: #f4f5f2; }
.spatial-panel-control { background: rgba(255,255,255,.94); padding: 6px 9px; border-radius: 5px;
  box-shadow: 0 1px 4px rgba(0,0,0,.3); font: 12px/1.35 system-ui, "Noto Sans CJK SC", "PingFang SC",
  "Microsoft YaHei", sans-serif; max-width: 300px; }
.spatial-panel-control { position: relative; }
.spatial-panel-control .spatial-title { font-weight: 600; font-size: 13px; margin-bottom: 4px; padding-right: 22px; }
.spatial-legend-toggle { position: absolute; top: 4px; right: 5px; width: 18px; height: 18px; padding: 0;
  border: 1px solid #999; border-radius: 3px; background: #fff; font: 14px/14px system-ui, sans-serif;
  color: #333; cursor: pointer; }
.spatial-panel-control select { max-width: 170px; font: inherit; }
.spatial-panel-control input[type=range] { width: 100%; margin: 4px 0 2px; }
.spatial-panel-control table { border-collapse: collapse; margin-top: 4px; }
.spatial-panel-control td { padding: 1px 4px; vertical-align: middle; }
.spatial-panel-control td.n { color: #555; text-align: right; }
.spatial-swatch { display: inline-block; width: 18px; height: 12px; border: 1px solid #666; }
.spatial-caption { color: #333; }
.spatial-note { color: #555; font-size: 11px; margin-top: 3px; max-width: 260px; }
@media print { .spatial-panel-control select, .spatial-panel-control input, .spatial-legend-toggle { display: none; } }
"""
PAGE_CSS = "html, body { width: 100%; height: 100%; margin: 0; padding: 0; }"
_SKIP_IN_REPORT = ("spatial_assets", "spatial_page")


class OfflineMap(folium.Map):
    """A :class:`folium.Map` whose page needs no network: Leaflet is inlined, no CDN links.

    ``save()``, ``get_root().render()`` and notebook display all give self-contained HTML.
    """

    default_js: list = []
    default_css: list = []
    # folium's Map template without the page-wide styles and the jQuery call, so that several
    # maps can live in one report page.
    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>
                #{{ this.get_name() }} {
                    position: {{this.position}};
                    width: {{this.width[0]}}{{this.width[1]}};
                    height: {{this.height[0]}}{{this.height[1]}};
                    left: {{this.left[0]}}{{this.left[1]}};
                    top: {{this.top[0]}}{{this.top[1]}};
                }
            </style>
        {% endmacro %}
        {% macro html(this, kwargs) %}
            <div class="folium-map" id={{ this.get_name()|tojson }} ></div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map(
                {{ this.get_name()|tojson }},
                {
                    center: {{ this.location|tojson }},
                    crs: L.CRS.{{ this.crs }},
                    ...{{this.options|tojavascript}}
                }
            );
            {%- if this.control_scale %}
            L.control.scale({imperial: {{ this.imperial|tojson }}}).addTo({{ this.get_name() }});
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, *, title: str = "", height: int | str = "100%", tiles: str | None = None,
                 imperial: bool = True, **kwargs):
        kwargs.setdefault("prefer_canvas", True)  # one canvas, not an SVG path per unit: county and grid scale
        super().__init__(tiles=None, height=height, control_scale=True, zoom_snap=0.25, **kwargs)
        self.imperial = bool(imperial)  # miles beside km on the scale bar; never in Chinese or for metric data
        figure = adopt(self)  # a page that never renders run-time text as a template
        if tiles is not None:
            check_choice("tiles", tiles, Tiles)
            folium.TileLayer(tiles=tiles, name=safe_text(tiles)).add_to(self)
        figure.title = safe_text(title) if title else None
        figure.header.add_child(Verbatim(_assets.inline_head()), name="spatial_assets")
        figure.header.add_child(Verbatim(f"<style>{PAGE_CSS}</style>"), name="spatial_page")
        figure.header.add_child(Verbatim(f"<style>{MAP_CSS}</style>"), name="spatial_map_css")
        self.display_notes: tuple[str, ...] = ()

    def to_html(self) -> str:
        """The whole page as one self-contained HTML string."""
        return self.get_root().render()


@dataclass(frozen=True)
class View:
    """One state of the layer: a label (period or measure), a style per class, each unit's class
    (index into ``styles``) and tooltip text, and the legend (HTML built from escaped text)."""

    label: str
    styles: tuple[dict, ...]
    codes: tuple[int, ...]
    texts: tuple[str, ...]
    legend: str


class _UnitsLayer(Layer):
    """The units: polygons decoded in the page from quantised shared arcs (:mod:`maps._topology`)
    and drawn on the map's canvas; names (escaped) for the tooltips."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {% if this.shared %}
        var {{ this.get_name() }} = spatialPanel.units(spatialPanel.shape({{ this.shared|tojson }},
            {{ this.data["names"]|tojson }}));
        {% else %}
        var {{ this.get_name() }} = spatialPanel.units({{ this.data|tojson }});
        {% endif %}
        {% endmacro %}
        """
    )

    def __init__(self, data: dict, name: str):
        super().__init__(name=name, overlay=True)
        self._name = "SpatialUnits"
        self.data = data
        self.shared: str | None = None  # in a report: the key of the outlines given once for every map

    def share(self) -> tuple[str, dict]:
        """Render the outlines by reference (``spatialPanel.shape(key, names)``); the key (a hash of
        the outlines, so that maps of the same units share one copy) and the outlines to define once."""
        import hashlib
        import json

        shape = {k: v for k, v in self.data.items() if k != "names"}
        self.shared = hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()[:16]
        return self.shared, shape


class _ViewControl(MacroElement):
    """Title, view selector (with a slider for periods), legend and tooltips; restyles the layer
    (``spatialPanel.views`` in ``maps/templates/units.js``)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
        var spec = {{ this.spec|tojson }};
        spatialPanel.views({{ this._parent.get_name() }}, {{ this.layer.get_name() }}, spec);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, layer: _UnitsLayer, spec: dict):
        super().__init__()
        self._name = "ViewControl"
        self.layer = layer
        self.spec = spec


def _texts(views: list[View]) -> dict:
    """Every view's tooltip texts (escaped) as one table of distinct texts and, per view, the
    position of each unit's text in it (base-64 varint digits, see :mod:`maps._topology`)."""
    import pandas as pd

    flat = pd.Series([t for v in views for t in v.texts], dtype=object)
    codes, uniques = pd.factorize(flat, sort=False)
    n = len(views[0].texts) if views else 0
    index = [encode_unsigned(codes[i * n:(i + 1) * n]) for i in range(len(views))]
    return {"table": [safe_text(t) for t in uniques], "index": index}


def build_map(
    layer: DisplayLayer,
    views: list[View],
    *,
    title: str,
    value_label: str,
    selector: str,
    lang: Lang = "en",
    slider: bool = False,
    initial: int = -1,
    tiles: str | None = None,
    height: int | str = "100%",
    layer_name: str | None = None,
) -> OfflineMap:
    """Assemble the map: units layer (shared arcs on a canvas), view control with tooltips, layer
    control, fitted bounds. Views carry per-unit class codes and texts as compact strings that
    the page switches between; there is one layer, whatever the number of views."""
    m = OfflineMap(title=title, tiles=tiles, height=height, imperial=lang == "en" and not layer.metric)
    notes = []
    if layer.tolerance_m:
        tol = f"{layer.tolerance_m / 1000:.2g} km" if layer.tolerance_m >= 1000 else f"{layer.tolerance_m:.2g} m"
        notes.append(word("simplified", lang, tol=tol))
    if layer.not_drawn:
        notes.append(word("not_drawn", lang, n=len(layer.not_drawn)))
    m.display_notes = tuple(notes)
    if layer.n:  # before the layer, so that the units are projected once, at the fitted zoom
        minx, miny, maxx, maxy = layer.frame.total_bounds
        fit = folium.map.FitBounds([[float(miny), float(minx)], [float(maxy), float(maxx)]])
        fit.options["animate"] = False  # the view is final when the legend is placed (units.js placeLegend)
        fit.add_to(m)
    topology = encode(layer.frame.geometry.to_numpy(), layer.precision, ids=list(layer.ids))
    data = topology.to_dict() | {"names": list(layer.frame["_name"])}  # escaped by display_layer
    units = _UnitsLayer(data, safe_text(layer_name or title or value_label))
    units.add_to(m)
    note_html = "".join(f'<div class="spatial-note">{safe_text(n)}</div>' for n in notes)
    spec = {
        "title": safe_text(title),
        "selector": safe_text(selector),
        "aliases": [safe_text(word("name", lang)), safe_text(value_label)],
        "views": [safe_text(v.label) for v in views],
        "slider": slider,
        "styles": [list(v.styles) for v in views],
        "codes": [encode_unsigned(v.codes) for v in views],
        "texts": _texts(views),
        "legends": [v.legend + note_html for v in views],
        "initial": initial % len(views),
        "toggle": [safe_text(word("legend_hide", lang)), safe_text(word("legend_show", lang))],
    }
    _ViewControl(units, spec).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m


def map_parts(m: folium.Map, shapes: dict[str, dict] | None = None) -> tuple[str, str, str]:
    """The map's own head elements, body and script, for embedding several maps in one page
    (the page then inlines Leaflet once, see :func:`maps._assets.inline_head`).

    With ``shapes`` (a dict the caller keeps), the units' outlines are not written into the script
    but added to ``shapes`` under a key of their content, and the script refers to them: the page
    defines each distinct outline set once (:func:`shapes_script`), so that twenty maps of the 31
    provinces carry their outlines once, not twenty times."""
    figure = m.get_root()
    if not isinstance(figure, LiteralFigure):
        raise UnsafePageError(f"map_parts needs a map made by this package (its page is a {type(figure).__name__}, "
                              "which renders text as a template twice)")
    if shapes is not None:
        for child in _descendants(m):
            if isinstance(child, _UnitsLayer):
                key, shape = child.share()
                shapes.setdefault(key, shape)
    figure.prepare()
    head = "\n".join(
        child.render() for name, child in figure.header._children.items() if name not in _SKIP_IN_REPORT
    )
    return head, figure.html.render(), figure.script.render()


def _descendants(element):
    for child in element._children.values():
        yield child
        yield from _descendants(child)


def shapes_script(shapes: dict[str, dict]) -> str:
    """The script that defines the outlines :func:`map_parts` collected (JSON escaped for a page:
    ``<``, ``>``, ``&`` and quotes as unicode escapes, as ``tojson`` does)."""
    from markupsafe import Markup
    from jinja2.utils import htmlsafe_json_dumps

    return str(Markup("").join(
        Markup("spatialPanel.define({}, {});\n").format(htmlsafe_json_dumps(key), htmlsafe_json_dumps(shape))
        for key, shape in shapes.items()))


def legend_table(rows: list[tuple[dict, str, int | None]]) -> str:
    """Legend rows (style, label already escaped, count) as an HTML table."""
    cells = []
    for style, label, count in rows:
        border = f"border: {max(1, int(style.get('weight', 1)))}px {'dashed' if style.get('dashArray') else 'solid'} " \
                 f"{style.get('color', '#666')};"
        swatch = f'<span class="spatial-swatch" style="background:{style["fillColor"]};{border}"></span>'
        n = "" if count is None else f"({count})"
        cells.append(f'<tr><td>{swatch}</td><td>{label}</td><td class="n">{n}</td></tr>')
    return "<table>" + "".join(cells) + "</table>"


def style(fill: str, *, outline: str = "#555555", weight: float = 0.6, dash: str | None = None,
          opacity: float = 0.85) -> dict:
    """A Leaflet path style (colours are ours, never user text)."""
    out = {"fillColor": fill, "fillOpacity": opacity, "color": outline, "weight": weight, "opacity": 1}
    out["dashArray"] = dash if dash else ""
    return out

