"""Read back what a rendered map embeds: the view specification and the GeoJSON features."""

from __future__ import annotations

import json
import re


def view_specs(html: str) -> list[dict]:
    """The ``spec`` object of every view control in a page."""
    return [json.loads(m) for m in re.findall(r"var spec = (\{.*?\});\n", html, flags=re.S)]


def geojson_features(html: str) -> list[list[dict]]:
    """The features of every GeoJSON layer in a page."""
    return [json.loads(m)["features"] for m in re.findall(r"_add\((\{\"features\".*?\})\);\n", html, flags=re.S)]
