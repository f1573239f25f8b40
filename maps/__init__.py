"""Maps, static figures and the HTML report, built from plain frames.

This package imports nothing else of the application; every user-derived string passes through
:func:`maps._escape.safe_text` before it reaches a page (:func:`maps._escape.figure_text` before
it reaches a figure), every page renders folium's templates once with user text as data, never as
template source (:mod:`maps._literal`), and every page inlines its scripts (Leaflet), so it opens
with the network off.

Interactive maps (folium, self-contained): :func:`choropleth`, :func:`lisa_map`,
:func:`significance_map`, :func:`hotspot_map`, :func:`effects_map`, :func:`links_map` (a click on a
unit lists its neighbours and weights). Static figures (matplotlib): :mod:`maps.static`, and the weights
matrix heatmap :func:`weights_heatmap` (n <= 400). The report: :class:`maps.report.Report`.

The public names load on first use, so that ``from maps._escape import safe_text`` (which the
estimators' renderers need) does not import folium, branca or matplotlib.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from maps._escape import safe_text
from maps.errors import AssetError, FieldError, MapError, MapInputError, MapWarning

# public name -> module, loaded on first use (folium and jinja2 are heavy)
_LAZY = {
    "choropleth": "maps._choropleth",
    "lisa_map": "maps.clusters",
    "lisa_clusters": "maps.clusters",
    "significance_map": "maps.clusters",
    "hotspot_map": "maps.clusters",
    "effects_map": "maps.effects",
    "links_map": "maps.links",
    "weights_heatmap": "maps.heatmap",
}

__all__ = [
    "safe_text",
    "choropleth",
    "lisa_map",
    "lisa_clusters",
    "significance_map",
    "hotspot_map",
    "effects_map",
    "links_map",
    "weights_heatmap",
    "MapError",
    "FieldError",
    "MapInputError",
    "AssetError",
    "MapWarning",
]

if TYPE_CHECKING:
    from maps._choropleth import choropleth  # noqa: F401
    from maps.clusters import hotspot_map, lisa_clusters, lisa_map, significance_map  # noqa: F401
    from maps.effects import effects_map  # noqa: F401
    from maps.heatmap import weights_heatmap  # noqa: F401
    from maps.links import links_map  # noqa: F401


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'maps' has no attribute {name!r}")
    value = getattr(import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
