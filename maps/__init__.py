"""Maps, static figures and the HTML report, built from plain frames.

This package imports nothing else of the application; every user-derived string passes through
:func:`maps._escape.safe_text` before it reaches a page, and every page inlines its scripts
(Leaflet), so it opens with the network off.

Interactive maps (folium, self-contained): :func:`choropleth`, :func:`lisa_map`,
:func:`significance_map`, :func:`hotspot_map`, :func:`effects_map`, :func:`links_map`.
Static figures (matplotlib): :mod:`maps.static`. The report: :class:`maps.report.Report`.
"""

from maps._escape import safe_text
from maps.choropleth import choropleth
from maps.clusters import hotspot_map, lisa_clusters, lisa_map, significance_map
from maps.effects import effects_map
from maps.errors import AssetError, FieldError, MapError, MapInputError, MapWarning
from maps.links import links_map

__all__ = [
    "safe_text",
    "choropleth",
    "lisa_map",
    "lisa_clusters",
    "significance_map",
    "hotspot_map",
    "effects_map",
    "links_map",
    "MapError",
    "FieldError",
    "MapInputError",
    "AssetError",
    "MapWarning",
]
