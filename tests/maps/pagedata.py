"""Read back what a rendered map embeds: the view specification and the units' polygons.

The decoders here are written from the format's description (``maps/_topology.py`` docstring),
independently of the encoder, so the map tests check the encoding as well as the content.
"""

from __future__ import annotations

import json
import re

_DIGIT = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")}


def numbers(text: str) -> list[int]:
    """The unsigned numbers of a base-64 varint string."""
    out, value, shift = [], 0, 0
    for char in text:
        digit = _DIGIT[char]
        value |= (digit & 31) << shift
        if digit & 32:
            shift += 5
        else:
            out.append(value)
            value, shift = 0, 0
    assert shift == 0, f"unterminated number in {text[:40]!r}"
    return out


def _signed(u: int) -> int:
    return -(u + 1) // 2 if u % 2 else u // 2


def decode_arcs(data: dict) -> list[list[tuple[int, int]]]:
    """The arcs of a layer's data, as integer points."""
    arcs, x, y = [], 0, 0
    for part in data["arcs"].split(".") if data["arcs"] else []:
        values = numbers(part)
        points = []
        for dx, dy in zip(values[0::2], values[1::2], strict=True):
            x, y = x + _signed(dx), y + _signed(dy)
            points.append((x, y))
        arcs.append(points)
    return arcs


def decode_units(data: dict) -> list[dict]:
    """GeoJSON geometries (MultiPolygon, lon/lat) of the units of a layer's data."""
    scale = data["scale"]
    arcs = decode_arcs(data)
    geometries, previous = [], 0
    for unit in data["units"].split("|") if data["n"] else []:
        polygons = []
        for polygon in unit.split(";") if unit else []:
            rings = []
            for ring_text in polygon.split(","):
                ring: list[tuple[int, int]] = []
                for ref in numbers(ring_text):
                    index = previous + _signed(ref // 2)
                    previous = index
                    points = arcs[index][::-1] if ref % 2 else arcs[index]
                    ring.extend(points[1:] if ring else points)
                assert ring[0] == ring[-1], "a ring does not close"
                rings.append([[px / scale, py / scale] for px, py in ring])
            polygons.append(rings)
        geometries.append({"type": "MultiPolygon", "coordinates": polygons})
    assert len(geometries) == data["n"]
    return geometries


def units_data(html: str) -> list[dict]:
    """The data of every units layer in a page."""
    return [json.loads(m) for m in re.findall(r"spatialPanel\.units\((\{.*?\})\);\n", html, flags=re.S)]


def geojson_features(html: str) -> list[list[dict]]:
    """The units of every layer in a page as GeoJSON features with ``_k`` (position) and ``_name``."""
    return [
        [{"type": "Feature", "properties": {"_k": k, "_name": name}, "geometry": geometry}
         for k, (name, geometry) in enumerate(zip(data["names"], decode_units(data), strict=True))]
        for data in units_data(html)
    ]


def view_specs(html: str) -> list[dict]:
    """The ``spec`` object of every view control in a page, with codes and texts decoded to one list per view."""
    specs = []
    for match in re.findall(r"var spec = (\{.*?\});\n", html, flags=re.S):
        spec = json.loads(match)
        spec["codes"] = [numbers(c) for c in spec["codes"]]
        table = spec["texts"]["table"]
        spec["texts"] = [[table[i] for i in numbers(index)] for index in spec["texts"]["index"]]
        specs.append(spec)
    return specs
