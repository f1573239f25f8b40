"""The allowed values of the map options, declared once as ``Literal`` types.

The map functions annotate and check their keywords with these types; ``spatial`` builds the
command-line choices and config values of ``spatial map`` and ``[report]`` from the same types.
This module imports nothing, so a command line can list the choices without loading numpy.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["Scheme", "Tiles", "Inset", "Lang", "MapKind"]

Scheme = Literal["quantiles", "natural_breaks", "equal_interval", "std_mean", "user_defined"]
Tiles = Literal["OpenStreetMap", "CartoDB positron", "CartoDB voyager", "CartoDB dark_matter"]
Inset = Literal["none", "south_china_sea"]
Lang = Literal["en", "zh"]
MapKind = Literal["choropleth", "lisa", "hotspots", "effects", "links", "categories"]
