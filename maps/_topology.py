"""Polygons as quantised shared arcs in a compact text form, for web maps of thousands of units.

TopoJSON's idea (arcs shared by neighbouring units are stored once, coordinates are integers on a
grid and delta-encoded), written as a few strings instead of nested JSON arrays, so that a county
map or a 50,000-cell grid stays a few megabytes and decodes in the browser in a single pass
(``maps/templates/units.js``, function ``decodeUnits``).

The format (version 1):

* Coordinates are integers ``X = round(lon * scale)``, ``Y = round(lat * scale)`` with
  ``scale = 10 ** precision``.
* Numbers are written as base-64 digits, alphabet ``A-Z a-z 0-9 - _`` (value 0 to 63), five
  bits per digit, least significant first; a digit of 32 or more means "more digits follow"
  (value - 32 holds its five bits). Signed numbers are zig-zag mapped first
  (0, -1, 1, -2 ... -> 0, 1, 2, 3 ...).
* ``arcs``: the arcs separated by ``.``; an arc is its points' (dX, dY) pairs (signed), each
  relative to the previous point of the whole stream (the first from (0, 0)), so consecutive
  arcs, which are neighbours on the map, cost a digit or two per coordinate.
* ``units``: one entry per unit, separated by ``|``; its polygons separated by ``;``; a
  polygon's rings (exterior first, then holes) separated by ``,``; a ring is its arcs as
  unsigned numbers ``2 * zigzag(i - previous i) + reversed`` (``previous i`` runs over the
  whole stream from 0). A ring is the arcs' points in order, the first point of each arc after
  the first dropped (it repeats the previous arc's last point); a reversed arc is read backwards.
* Exteriors run counter-clockwise and holes clockwise (in lon/lat), so that a page can fill many
  units as one path with the nonzero rule.

Arcs are cut at junctions, the points where the rings passing through differ in their
neighbouring points (where three or more units meet, or a unit's boundary leaves another's), so
an edge shared by two units is one arc read forwards by one and backwards by the other; a ring
without junctions (an island, or a hole filled by one other unit) is one closed arc.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from maps.errors import MapInputError

__all__ = ["ALPHABET", "Topology", "encode", "encode_unsigned"]

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_CHARS = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)


@dataclass(frozen=True)
class Topology:
    """A layer's polygons as shared arcs (see the module docstring for the format)."""

    scale: int
    arcs: str
    units: str
    n_units: int
    n_arcs: int
    n_points: int

    def to_dict(self) -> dict:
        """What a page embeds (through ``tojson``)."""
        return {"format": 1, "scale": self.scale, "arcs": self.arcs, "units": self.units, "n": self.n_units}


def encode_unsigned(values) -> str:
    """Non-negative integers as base-64 varint digits (vectorised).

    Examples
    --------
    >>> encode_unsigned([0, 1, 31, 32, 1000])
    'ABfgBof'
    """
    v = np.asarray(values, dtype=np.int64).ravel()
    if v.size == 0:
        return ""
    if (v < 0).any():
        raise ValueError("encode_unsigned takes non-negative integers")
    digits = np.maximum(1, (np.floor(np.log2(np.maximum(v, 1))).astype(np.int64) // 5) + 1)
    digits[v == 0] = 1
    total = int(digits.sum())
    out = np.empty(total, dtype=np.uint8)
    starts = np.concatenate(([0], np.cumsum(digits)[:-1]))
    rest = v.copy()
    for d in range(int(digits.max())):
        alive = digits > d
        chunk = rest[alive] & 31
        more = digits[alive] > d + 1
        out[starts[alive] + d] = _CHARS[chunk + 32 * more]
        rest[alive] >>= 5
    return out.tobytes().decode("ascii")


def _zigzag(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=np.int64)
    return np.where(values >= 0, 2 * values, -2 * values - 1)


def _polygons(geometries, ids) -> tuple[np.ndarray, np.ndarray]:
    """The polygons of the units (multi-part units split) and, for each, the position of its unit."""
    import shapely

    geoms = np.asarray(geometries, dtype=object)
    kinds = shapely.get_type_id(geoms)
    collections = np.flatnonzero(kinds == shapely.GeometryType.GEOMETRYCOLLECTION)
    wrong = np.flatnonzero(~np.isin(kinds, [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON,
                                            shapely.GeometryType.GEOMETRYCOLLECTION, -1]))
    if len(wrong):
        names = ", ".join(f"{ids[i] if ids is not None else i!r} ({geoms[i].geom_type})" for i in wrong[:10])
        raise MapInputError(f"{len(wrong)} units are not polygons ({names}); maps of units draw areas "
                            "(buffer points or lines into areas first)")
    parts, unit = shapely.get_parts(geoms, return_index=True)
    if len(collections):  # a collection's members may be multipolygons; its points and lines are not drawn
        inner, which = shapely.get_parts(parts, return_index=True)
        parts, unit = inner, unit[which]
        keep = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
        parts, unit = parts[keep], unit[keep]
    keep = ~shapely.is_empty(parts)
    # exteriors counter-clockwise, holes clockwise: a page may fill many units as one path (nonzero rule)
    return shapely.orient_polygons(parts[keep], exterior_cw=False), unit[keep]


def _quantised_rings(parts: np.ndarray, scale: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Integer points of every ring (closing point and repeated consecutive points removed), the
    ring of each point, the polygon of each ring (exterior first, then holes), and which polygons
    are kept: a ring that rounds to fewer than 3 points encloses nothing and is left out (with its
    holes, if it is an exterior)."""
    import shapely

    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, point_ring = shapely.get_coordinates(rings, return_index=True)
    q = np.rint(coords * scale).astype(np.int64)
    starts = np.flatnonzero(np.diff(point_ring, prepend=-1))
    first = np.zeros(len(q), dtype=bool)
    first[starts] = True
    last = np.zeros(len(q), dtype=bool)
    last[np.concatenate((starts[1:], [len(q)])) - 1] = True
    same = np.zeros(len(q), dtype=bool)
    same[1:] = (q[1:] == q[:-1]).all(axis=1)
    keep = first | (~last & ~same)
    q, point_ring = q[keep], point_ring[keep]
    # a ring whose last points rounded onto its first point: drop that repeated closing point
    starts = np.flatnonzero(np.diff(point_ring, prepend=-1))
    ends = np.concatenate((starts[1:], [len(q)])) - 1
    closing = ends[(ends > starts) & (q[ends] == q[starts]).all(axis=1)]
    keep = np.ones(len(q), dtype=bool)
    keep[closing] = False
    q, point_ring = q[keep], point_ring[keep]
    flat = np.bincount(point_ring, minlength=len(rings)) < 3
    exterior = np.ones(len(rings), dtype=bool)
    exterior[1:] = ring_part[1:] != ring_part[:-1]
    kept_part = np.ones(len(parts), dtype=bool)
    kept_part[ring_part[flat & exterior]] = False
    kept_ring = ~flat & kept_part[ring_part]
    renumber = np.cumsum(kept_ring) - 1
    kept_point = kept_ring[point_ring]
    part_number = np.cumsum(kept_part) - 1
    return q[kept_point], renumber[point_ring[kept_point]], part_number[ring_part[kept_ring]], kept_part


def _point_ids(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One id per distinct point (ordered by x, then y) and the distinct points."""
    if not len(q):
        return np.empty(0, dtype=np.int64), np.empty((0, 2), dtype=np.int64)
    low = q.min(axis=0)
    span = int(q[:, 1].max() - low[1]) + 1
    key = (q[:, 0] - low[0]) * span + (q[:, 1] - low[1])
    keys, pid = np.unique(key, return_inverse=True)
    points = np.stack([keys // span + low[0], keys % span + low[1]], axis=1)
    return pid.ravel(), points


def encode(geometries, precision: int, ids=None) -> Topology:
    """Encode polygons (EPSG:4326, already rounded to ``precision`` decimals) as shared arcs.

    Parameters
    ----------
    geometries
        Shapely polygons or multipolygons, one per unit (drawn in this order).
    precision
        Decimal places kept of longitude and latitude (the grid is ``10 ** -precision`` degrees).
    ids
        The units' ids, to name a unit whose geometry is not polygonal.

    Raises
    ------
    MapInputError
        For a unit that is a point or a line.

    Examples
    --------
    >>> from shapely import box
    >>> topo = encode([box(0, 0, 1, 1), box(1, 0, 2, 1)], precision=0)
    >>> topo.n_arcs  # the shared edge is stored once
    3
    >>> topo.units
    'AE|DI'
    """
    scale = 10 ** int(precision)
    geometries = np.asarray(geometries, dtype=object)
    parts, part_unit = _polygons(geometries, ids)
    q, point_ring, ring_part, kept_part = _quantised_rings(parts, scale)
    part_unit = part_unit[kept_part]
    pid, points = _point_ids(q)
    n_rings = len(ring_part)
    lengths = np.bincount(point_ring, minlength=n_rings)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    position = np.arange(len(pid)) - starts[point_ring]
    size = lengths[point_ring]
    base = starts[point_ring]
    prev = pid[base + (position - 1) % size]
    nxt = pid[base + (position + 1) % size]
    # a junction: a point that the rings pass with different neighbouring points
    triple = np.stack([pid, np.minimum(prev, nxt), np.maximum(prev, nxt)], axis=1)
    order = np.lexsort(triple.T[::-1])
    ordered = triple[order]
    new_visit = np.ones(len(ordered), dtype=bool)
    new_visit[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    kinds = np.bincount(ordered[new_visit, 0], minlength=len(points))
    junction = kinds[pid] > 1
    # each ring starts at its first junction, or (no junction: one closed arc) at its smallest point
    big = np.iinfo(np.int64).max
    first_junction = np.full(n_rings, big)
    np.minimum.at(first_junction, point_ring[junction], position[junction])
    smallest = np.full(n_rings, big)
    np.minimum.at(smallest, point_ring, pid)
    at_smallest = np.full(n_rings, big)
    hit = pid == smallest[point_ring]
    np.minimum.at(at_smallest, point_ring[hit], position[hit])
    start = np.where(first_junction < big, first_junction, at_smallest)
    rotated_at = base + (position + start[point_ring]) % size
    cut = junction[rotated_at]
    cut[starts] = True  # every ring's (rotated) first point opens an arc
    # each ring rotated, then closed by its first point: an arc is a slice [a, b] of this sequence
    closed = np.empty(len(pid) + n_rings, dtype=np.int64)
    shifted = np.arange(len(pid)) + point_ring
    closed[shifted] = pid[rotated_at]
    closed[starts + lengths + np.arange(n_rings)] = pid[rotated_at[starts]] if n_rings else []
    arc_first = shifted[cut]
    arc_ring = point_ring[cut]
    following = np.append(arc_first[1:], len(closed))  # the next arc's first point, or after the closing point
    same_ring = np.append(arc_ring[1:] == arc_ring[:-1], False)
    arc_last = np.where(same_ring, following, following - 1)
    forward = closed.tobytes()
    backward = closed[::-1].tobytes()
    total = 8 * len(closed)
    arc_index: dict[bytes, int] = {}
    kept: list[tuple[int, int]] = []
    refs = np.empty((len(arc_first), 2), dtype=np.int64)
    for i, (a, b) in enumerate(zip((8 * arc_first).tolist(), (8 * (arc_last + 1)).tolist(), strict=True)):
        key = forward[a:b]
        found = arc_index.get(key)
        if found is not None:
            refs[i] = (found, 0)
            continue
        found = arc_index.get(backward[total - b:total - a])
        if found is not None:
            refs[i] = (found, 1)
            continue
        arc_index[key] = len(kept)
        refs[i] = (len(kept), 0)
        kept.append((a // 8, b // 8))
    spans = np.array(kept, dtype=np.int64).reshape(-1, 2)
    sizes = spans[:, 1] - spans[:, 0]
    stream = closed[np.repeat(spans[:, 0] - np.cumsum(sizes) + sizes, sizes) + np.arange(int(sizes.sum()))]
    arcs_text = _arcs_text(points[stream], sizes)
    arcs_per_ring = np.bincount(arc_ring, minlength=n_rings)
    units_text = _units_text(len(geometries), part_unit, ring_part, refs, arcs_per_ring)
    return Topology(scale, arcs_text, units_text, len(geometries), len(kept), int(sizes.sum()))


def _grouped(values: np.ndarray, counts: np.ndarray) -> list[str]:
    """Unsigned ``values`` encoded, as one string per group of ``counts`` consecutive values."""
    text = encode_unsigned(values)
    digits = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    last = np.flatnonzero(~np.isin(digits, _CHARS[32:]))  # the last digit of every number
    ends = np.concatenate(([0], last + 1))  # where the first j numbers end
    bounds = ends[np.concatenate(([0], np.cumsum(counts)))]
    return [text[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def _arcs_text(stream: np.ndarray, sizes: np.ndarray) -> str:
    """The arcs' points (one stream, ``sizes`` points per arc) as delta-encoded digits, arcs split by ``.``."""
    if not len(sizes):
        return ""
    deltas = np.diff(stream, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    return ".".join(_grouped(_zigzag(deltas).ravel(), 2 * sizes))


def _units_text(n_units: int, part_unit: np.ndarray, ring_part: np.ndarray, refs: np.ndarray,
                arcs_per_ring: np.ndarray) -> str:
    steps = np.diff(refs[:, 0], prepend=0)
    rings = _grouped(2 * _zigzag(steps) + refs[:, 1], arcs_per_ring)
    polygons: list[list[str]] = [[] for _ in range(len(part_unit))]
    for text, part in zip(rings, ring_part.tolist(), strict=True):
        polygons[part].append(text)
    units: list[list[str]] = [[] for _ in range(n_units)]
    for rings_text, unit in zip(polygons, part_unit.tolist(), strict=True):
        units[unit].append(",".join(rings_text))
    return "|".join(";".join(unit) for unit in units)
