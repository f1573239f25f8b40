"""Checks of boundary geometries: duplicates, missing/empty/non-polygonal and invalid shapes.

Every repair is opt-in and reported: the caller receives the repaired frame and a list of
records saying which unit was changed or removed and why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from spatial.choices import BadGeometry, DuplicateGeometry, RepairOption
from spatial._options import check_option
from spatial.errors import GeometryError, IdMismatchError, first_items
from spatial.hints import hint

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["check_geometries", "RepairOption", "BadGeometryOption", "DuplicateOption"]

BadGeometryOption = BadGeometry
DuplicateOption = DuplicateGeometry

_POLYGONAL = {"Polygon", "MultiPolygon"}


def _equal_area_areas(frame: gpd.GeoDataFrame) -> np.ndarray:
    """Areas in km² (equal-area projection for geographic data, CRS units² otherwise)."""
    if frame.crs is not None and frame.crs.is_geographic:
        return frame.geometry.to_crs("+proj=cea +datum=WGS84 +units=km").area.to_numpy()
    return frame.geometry.area.to_numpy()


def check_geometries(
    frame: gpd.GeoDataFrame,
    id_column: str,
    *,
    repair: RepairOption = "none",
    bad_geometry: BadGeometryOption = "error",
    duplicates: DuplicateOption = "error",
) -> tuple[gpd.GeoDataFrame, list[dict]]:
    """Validate a polygon layer keyed by ``id_column``; return it (possibly repaired) and the repairs.

    Parameters
    ----------
    frame
        The boundary layer; ``id_column`` holds text ids.
    id_column
        The unit key.
    repair
        ``"make_valid"`` repairs invalid polygons with ``shapely.make_valid`` and records each
        repaired id with its area before and after; ``"none"`` raises instead.
    bad_geometry
        ``"drop_units"`` removes units whose geometry is missing, empty or not polygonal (each
        recorded); ``"error"`` raises.
    duplicates
        ``"dissolve"`` unions rows that share an id (multi-part regions stored as several rows)
        and records it; ``"error"`` raises.

    Returns
    -------
    (GeoDataFrame, list of dict)
        The layer indexed by nothing in particular (same columns), and one record per change
        with keys ``id``, ``what`` and ``reason``.

    Raises
    ------
    IdMismatchError
        Repeated or missing ids.
    GeometryError
        Missing, empty, non-polygonal or invalid geometries, with counts, ids and reasons.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Polygon
    >>> bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    >>> square = Polygon([(2, 0), (3, 0), (3, 1), (2, 1)])
    >>> layer = gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=[bowtie, square], crs="EPSG:3857")
    >>> fixed, changes = check_geometries(layer, "id", repair="make_valid")
    >>> changes[0]["id"], changes[0]["what"], round(fixed.geometry.iloc[0].area, 2)
    ('a', 'repaired', 0.5)
    """
    import shapely

    check_option("repair", repair, RepairOption)
    check_option("bad_geometry", bad_geometry, BadGeometryOption)
    check_option("duplicates", duplicates, DuplicateOption)
    records: list[dict] = []
    ids = frame[id_column]
    if ids.isna().any():
        rows = np.flatnonzero(ids.isna().to_numpy())
        raise IdMismatchError(
            f"{len(rows)} boundary rows have no {id_column!r} (rows {first_items((rows + 1).tolist())}); "
            "every polygon needs an id"
        )
    repeated = ids[ids.duplicated(keep=False)]
    if len(repeated):
        counts = repeated.value_counts()
        listed = first_items([f"{k} x{v}" for k, v in counts.items()])
        if duplicates == "error":
            raise IdMismatchError(
                f"{len(counts)} ids appear on several boundary rows ({listed}); if they are parts of "
                f"one region, dissolve them with {hint('dissolve_by_id', 'dissolve')}"
            )
        frame = _dissolve(frame, id_column)
        records += [
            {"id": k, "what": "dissolved", "reason": f"{v} boundary rows unioned into one"} for k, v in counts.items()
        ]

    geoms = frame.geometry
    kinds = pd.Series(np.where(geoms.isna(), "missing", ""), index=frame.index, dtype=object)
    present = ~geoms.isna()
    kinds[present & geoms.is_empty] = "empty"
    kinds[present & ~geoms.is_empty & ~geoms.geom_type.isin(_POLYGONAL)] = geoms.geom_type.astype(str)
    bad = kinds != ""
    if bad.any():
        described = [f"{i} ({k})" for i, k in zip(frame.loc[bad, id_column], kinds[bad], strict=True)]
        if bad_geometry == "error":
            raise GeometryError(
                f"{int(bad.sum())} units have missing, empty or non-polygon geometries: "
                f"{first_items(described)}; fix the layer, or drop them with {hint('drop_bad_geometry', 'drop_units')}"
                ", which removes them from the panel and the weights"
            )
        records += [
            {"id": i, "what": "dropped", "reason": f"geometry {k}"}
            for i, k in zip(frame.loc[bad, id_column], kinds[bad], strict=True)
        ]
        frame = frame.loc[~bad]

    coords, owner = shapely.get_coordinates(frame.geometry.to_numpy(), return_index=True)
    broken = np.unique(owner[~np.isfinite(coords).all(axis=1)])
    if broken.size:  # no repair can invent a coordinate: always an error
        listed = [f"{frame[id_column].iloc[k]} ({shapely.is_valid_reason(frame.geometry.iloc[k])})" for k in broken]
        raise GeometryError(
            f"{broken.size} polygons have non-finite (infinite or NaN) coordinates: {first_items(listed, 5)}; "
            "the layer is damaged or was exported with bad numbers: fix these coordinates in the source"
        )
    valid = frame.geometry.is_valid.to_numpy()
    if not valid.all():
        invalid = frame.loc[~valid]
        reasons = shapely.is_valid_reason(invalid.geometry.to_numpy())
        described = [f"{i}: {r}" for i, r in zip(invalid[id_column], reasons, strict=True)]
        if repair == "none":
            raise GeometryError(
                f"{len(invalid)} invalid polygons ({first_items(described, 5)}); repair them with "
                f"{hint('repair', 'make_valid')}, which records each change, or fix the layer"
            )
        before = _equal_area_areas(invalid)
        frame = frame.copy()
        repaired = shapely.make_valid(invalid.geometry.to_numpy())
        repaired = np.array([_polygonal_part(g) for g in repaired], dtype=object)
        frame.loc[~valid, frame.geometry.name] = repaired
        after = _equal_area_areas(frame.loc[~valid])
        records += [
            {"id": i, "what": "repaired", "reason": f"make_valid ({r}); area {a0:.6g} -> {a1:.6g}"}
            for i, r, a0, a1 in zip(invalid[id_column], reasons, before, after, strict=True)
        ]
    return frame, records


def _polygonal_part(geom):
    """Keep the polygonal part of a ``make_valid`` result (it may add stray lines or points)."""
    import shapely

    if geom.geom_type in _POLYGONAL:
        return geom
    polygons = [g for g in getattr(geom, "geoms", []) if g.geom_type in _POLYGONAL]
    return shapely.union_all(polygons) if polygons else geom


def _dissolve(frame: gpd.GeoDataFrame, id_column: str) -> gpd.GeoDataFrame:
    order = list(dict.fromkeys(frame[id_column]))
    dissolved = frame.dissolve(by=id_column, aggfunc="first", sort=False).reset_index()
    return dissolved.set_index(id_column).loc[order].reset_index()[list(frame.columns)]
