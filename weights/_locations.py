"""Unit locations and the neighbour searches every distance-based builder shares.

:func:`locate` turns a GeoDataFrame (points or polygons) or a table with coordinate columns into
:class:`Locations`: ids, coordinates and the distance metric, decided explicitly. A geographic
CRS (longitude/latitude) never gets Euclidean distances: the caller must choose great-circle
(``"haversine"``) or ellipsoidal (``"geodesic"``) distances, or reproject.

Searches use a KD-tree (on unit vectors for the sphere) and compute every reported distance
exactly with the chosen metric. Ties in k-nearest neighbours are broken by id (text order), so
the result does not depend on the order of the input rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from weights.choices import Metric, PointsOption
from weights import _geodesy
from weights.progress import steps
from weights._checks import check_option, first_items, unit_ids
from weights.errors import WeightsError, hint

__all__ = ["Metric", "PointsOption", "Locations", "locate"]


_GREAT_CIRCLE = ("haversine", "geodesic")
_TIE = 1e-12  # relative margin under which two distances are treated as a possible tie

BLOCK_CELLS = 2_000_000  # distances computed per block of rows (memory bound)


@dataclass(frozen=True, eq=False)
class Locations:
    """Ids, coordinates and the metric of a set of units.

    ``xy`` holds projected coordinates for ``"euclidean"`` and longitude/latitude degrees for the
    great-circle metrics; distances are in ``unit`` (km for great-circle metrics).
    """

    ids: pd.Index
    xy: np.ndarray
    metric: str
    unit: str
    source: str

    @property
    def n(self) -> int:
        return len(self.ids)

    @cached_property
    def _search(self) -> np.ndarray:
        return _geodesy.unit_vectors(self.xy) if self.metric in _GREAT_CIRCLE else self.xy

    @cached_property
    def tree(self):
        from scipy.spatial import cKDTree

        return cKDTree(self._search)

    @cached_property
    def _rank(self) -> np.ndarray:
        """Position of each id in text order: the tie-break that makes results order-free."""
        order = np.argsort(np.asarray(self.ids, dtype=str), kind="stable")
        rank = np.empty(self.n, dtype=np.int64)
        rank[order] = np.arange(self.n)
        return rank

    def distance(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Exact distances between units at positions ``i`` and ``j`` (vectorised)."""
        a, b = self.xy[i], self.xy[j]
        if self.metric == "haversine":
            return _geodesy.haversine_km(a[..., 0], a[..., 1], b[..., 0], b[..., 1])
        if self.metric == "geodesic":
            return _geodesy.geodesic_km(a[..., 0], a[..., 1], b[..., 0], b[..., 1])
        return np.hypot(a[..., 0] - b[..., 0], a[..., 1] - b[..., 1])

    def _search_radius(self, distance: np.ndarray | float) -> np.ndarray:
        """A search radius that surely contains every unit within ``distance`` (exact metric)."""
        distance = np.asarray(distance, dtype="float64")
        if self.metric == "haversine":
            return _geodesy.chord_for_km(distance * (1 + 1e-9)) + 1e-15
        if self.metric == "geodesic":
            return _geodesy.chord_for_km(distance / (1 - _geodesy.GEODESIC_SLACK)) + 1e-15
        return distance * (1 + 1e-9) + 1e-12 * np.abs(self.xy).max(initial=0.0)

    def _exact_lower_bound(self, search_distance: np.ndarray) -> np.ndarray:
        """The least exact distance of a unit found at ``search_distance`` in the tree."""
        if self.metric == "haversine":
            return _geodesy.km_for_chord(search_distance) * (1 - 1e-9)
        if self.metric == "geodesic":
            return _geodesy.km_for_chord(search_distance) * (1 - _geodesy.GEODESIC_SLACK)
        return search_distance * (1 - 1e-9)

    # ------------------------------------------------------------------ searches

    def knn(self, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The ``k`` nearest other units of every unit: (rows, cols, distances), ties broken by id."""
        n = self.n
        if not 1 <= k < n:
            raise WeightsError(f"k={k} nearest neighbours needs 1 <= k < n = {n}")
        queried = min(k + 2, n)
        search_d, cand = self.tree.query(self._search, k=queried)
        rows = np.repeat(np.arange(n), queried).reshape(n, queried)
        exact = self.distance(rows, cand)
        exact = np.where(cand == rows, np.inf, exact)  # never one's own neighbour
        order = np.lexsort((self._rank[cand], exact), axis=1)
        cand = np.take_along_axis(cand, order, axis=1)
        exact = np.take_along_axis(exact, order, axis=1)
        kth = exact[:, k - 1]
        outside = self._exact_lower_bound(search_d[:, -1])
        safe = (kth < outside * (1 - _TIE)) | (queried == n)
        out_cols = cand[:, :k].copy()
        out_dist = exact[:, :k].copy()
        for i in np.flatnonzero(~safe):  # ties or a metric that needs a wider search
            out_cols[i], out_dist[i] = self._knn_row(i, k, kth[i])
        return np.repeat(np.arange(n), k), out_cols.ravel(), out_dist.ravel()

    def _knn_row(self, i: int, k: int, upper: float) -> tuple[np.ndarray, np.ndarray]:
        found = np.asarray(self.tree.query_ball_point(self._search[i], r=float(self._search_radius(upper))))
        found = found[found != i]
        dist = self.distance(np.full(found.size, i), found)
        order = np.lexsort((self._rank[found], dist))[:k]
        return found[order], dist[order]

    def nearest_distance(self) -> np.ndarray:
        """Distance from every unit to its nearest other unit."""
        _, _, dist = self.knn(1)
        return dist

    def count_within(self, threshold: float) -> int:
        """Number of directed links within ``threshold`` (an upper estimate for geodesic distances)."""
        radius = float(self._search_radius(threshold))
        return int(self.tree.count_neighbors(self.tree, radius)) - self.n

    def within(self, threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every ordered pair of distinct units within ``threshold``: (rows, cols, distances)."""
        pairs = self.tree.query_pairs(float(self._search_radius(threshold)), output_type="ndarray")
        i, j = pairs[:, 0], pairs[:, 1]
        dist = self.distance(i, j)
        keep = dist <= threshold
        i, j, dist = i[keep], j[keep], dist[keep]
        return np.concatenate([i, j]), np.concatenate([j, i]), np.concatenate([dist, dist])

    def all_pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every ordered pair of distinct units with its distance, computed in blocks of rows."""
        n = self.n
        rows_out, cols_out, dist_out = [], [], []
        block = max(1, BLOCK_CELLS // max(n, 1))
        everyone = np.arange(n)
        with steps("weights: distances between all units (row blocks)", -(-n // block)) as advance:
            for start in range(0, n, block):
                rows = np.arange(start, min(n, start + block))
                r = np.repeat(rows, n)
                c = np.tile(everyone, rows.size)
                keep = r != c
                r, c = r[keep], c[keep]
                rows_out.append(r)
                cols_out.append(c)
                dist_out.append(self.distance(r, c))
                advance()
        if not rows_out:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0)
        return np.concatenate(rows_out), np.concatenate(cols_out), np.concatenate(dist_out)

    def duplicate_groups(self) -> list[list[str]]:
        """Groups of ids that share exactly the same location."""
        xy = self.xy + 0.0  # -0.0 == 0.0
        order = np.lexsort((xy[:, 1], xy[:, 0]))
        same = np.all(xy[order][1:] == xy[order][:-1], axis=1)
        if not same.any():
            return []
        starts = np.flatnonzero(np.r_[True, ~same])
        ends = np.r_[starts[1:], len(order)]
        return [[str(self.ids[i]) for i in order[a:b]] for a, b in zip(starts, ends, strict=True) if b - a > 1]


# ---------------------------------------------------------------------------------------------


def _geometries(data, ids: pd.Index):
    import geopandas as gpd

    geoms = data.geometry if isinstance(data, gpd.GeoDataFrame) else data
    missing = geoms.isna().to_numpy()
    empty = np.zeros(len(geoms), dtype=bool)
    empty[~missing] = geoms[~missing].is_empty.to_numpy()
    if missing.any() or empty.any():
        bad = [f"{i} ({'missing' if m else 'empty'})" for i, m, e in zip(ids, missing, empty, strict=True) if m or e]
        raise WeightsError(
            f"{len(bad)} units have no geometry: {first_items(bad)}; fix the layer or drop those units first"
        )
    return geoms


def _unit_of(crs) -> str:
    try:
        unit = crs.axis_info[0].unit_name
    except (AttributeError, IndexError):
        return "CRS units"
    return {"metre": "m", "meter": "m", "kilometre": "km", "US survey foot": "ftUS", "foot": "ft"}.get(unit, unit)


def _polygon_points(geoms, points: str):
    """Centroids (area-true for lon/lat layers) or representative points of polygons."""
    if points == "representative":
        return geoms.representative_point(), "representative points"
    crs = geoms.crs
    if crs is not None and crs.is_geographic:
        minx, miny, maxx, maxy = geoms.total_bounds
        laea = f"+proj=laea +lat_0={(miny + maxy) / 2} +lon_0={(minx + maxx) / 2} +datum=WGS84 +units=m"
        return geoms.to_crs(laea).centroid.to_crs(crs), "centroids (computed in an equal-area projection)"
    return geoms.centroid, "centroids"


def _coordinates_from_geometry(data, ids: pd.Index, points: str) -> tuple[np.ndarray, object, str]:
    geoms = _geometries(data, ids)
    kinds = set(geoms.geom_type)
    if kinds <= {"Point"}:
        pts, source = geoms, "points"
    elif kinds <= {"Polygon", "MultiPolygon"}:
        pts, source = _polygon_points(geoms, points)
    else:
        raise WeightsError(
            f"distance weights need points or polygons; the layer holds {sorted(kinds)}"
        )
    return np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()]).astype("float64"), geoms.crs, source


def _coordinates_from_table(data: pd.DataFrame, ids: pd.Index, xy: tuple[str, str]) -> np.ndarray:
    columns = []
    for name in xy:
        if name not in data.columns:
            available = first_items(list(data.columns), 15)
            raise WeightsError(f"no coordinate column {name!r}; available columns: {available}")
        values = pd.to_numeric(data[name], errors="coerce").to_numpy(dtype="float64")
        bad = ~np.isfinite(values)
        if bad.any():
            shown = [f"{i}: {v!r}" for i, v in zip(ids[bad], data[name].to_numpy()[bad], strict=True)]
            raise WeightsError(
                f"coordinate column {name!r} has {int(bad.sum())} missing or non-numeric values ({first_items(shown)})"
            )
        columns.append(values)
    return np.column_stack(columns)


def locate(
    data,
    *,
    id: str | None = None,
    metric: Metric | None = None,
    points: PointsOption = "centroid",
    xy: tuple[str, str] | None = None,
) -> Locations:
    """The locations of the units and the distance metric, chosen explicitly.

    Parameters
    ----------
    data
        A GeoDataFrame of points or polygons, a table with coordinate columns ``xy``, or
        :class:`Locations` already resolved (returned as they are).
    id
        Id column (default: the index).
    metric
        ``"euclidean"`` (projected coordinates, CRS units), ``"haversine"`` (great circle on a
        sphere, km) or ``"geodesic"`` (WGS84 ellipsoid, km). Required for a geographic CRS, for
        a table without a CRS, and for a layer without one. ``None`` means Euclidean in a
        projected CRS.
    points
        For polygons: ``"centroid"`` (for lon/lat layers computed in an equal-area projection)
        or ``"representative"`` (a point surely inside each polygon).
    xy
        Coordinate columns (x/longitude, y/latitude) of a plain table.

    Raises
    ------
    WeightsError
        A geographic CRS (or unknown CRS) without a great-circle metric, coordinates out of the
        longitude/latitude range, missing or empty geometries, non-numeric coordinates.
    """
    import geopandas as gpd

    if isinstance(data, Locations):
        if metric is not None and metric != data.metric:
            raise WeightsError(f"metric={metric!r} differs from the locations' metric {data.metric!r}")
        return data
    check_option("points", points, PointsOption)
    if metric is not None:
        check_option("metric", metric, Metric)
    ids = unit_ids(data, id)
    is_geo = isinstance(data, gpd.GeoDataFrame | gpd.GeoSeries)
    if xy is not None:
        coords, crs, source = _coordinates_from_table(data, ids, tuple(xy)), None, f"columns {xy[0]}/{xy[1]}"
    elif is_geo:
        coords, crs, source = _coordinates_from_geometry(data, ids, points)
    else:
        raise WeightsError(
            "distance weights need a GeoDataFrame or the coordinate columns of a table (xy=('lon', 'lat'))"
        )
    if metric is None:
        if crs is None:
            raise WeightsError(
                f"the coordinates have no CRS, so their distance is ambiguous: pass {hint('metric', 'euclidean')} for "
                f"projected coordinates, or {hint('metric', 'haversine')} / {hint('metric', 'geodesic')} for "
                "longitude/latitude"
            )
        if crs.is_geographic:
            raise WeightsError(
                f"the layer is in a geographic CRS ({crs.to_string()}): degrees are not distances. "
                f"Choose great-circle distances with {hint('metric', 'haversine')} (sphere) or {hint('metric', 'geodesic')} "
                "(ellipsoid), both in km, or reproject to a projected CRS for Euclidean distances"
            )
        metric = "euclidean"
    if metric == "euclidean" and crs is not None and crs.is_geographic:
        raise WeightsError(
            f"metric='euclidean' on a geographic CRS ({crs.to_string()}) would measure degrees; use "
            "metric='haversine' or 'geodesic', or reproject to a projected CRS first"
        )
    if metric in _GREAT_CIRCLE:
        if crs is not None and not crs.is_geographic:
            lonlat = gpd.GeoSeries(gpd.points_from_xy(coords[:, 0], coords[:, 1]), crs=crs).to_crs("EPSG:4326")
            coords = np.column_stack([lonlat.x.to_numpy(), lonlat.y.to_numpy()])
            source += " (converted to longitude/latitude)"
        outside = (np.abs(coords[:, 0]) > 180) | (np.abs(coords[:, 1]) > 90)
        if outside.any():
            raise WeightsError(
                f"{int(outside.sum())} points are outside the longitude/latitude range "
                f"({first_items(ids[outside].tolist())}); "
                f"metric={metric!r} needs degrees (x = longitude, y = latitude)"
            )
        unit = "km"
    else:
        unit = _unit_of(crs) if crs is not None else "coordinate units"
    return Locations(ids=ids, xy=coords, metric=metric, unit=unit, source=source)
