"""Distances on the Earth: great-circle (haversine on a sphere) and geodesic (WGS84 ellipsoid).

Both return kilometres. The sphere has the IUGG mean radius R1 = 6371.0088 km; haversine then
differs from the ellipsoidal geodesic by at most about 0.5 %. Tree searches use chord lengths
between unit vectors, which order pairs exactly as great-circle distance does.
"""

from __future__ import annotations

import numpy as np

__all__ = ["EARTH_RADIUS_KM", "haversine_km", "geodesic_km", "unit_vectors", "chord_for_km", "GEODESIC_SLACK"]

EARTH_RADIUS_KM = 6371.0088
GEODESIC_SLACK = 0.01
"""Relative bound used to search candidates for geodesic distances: |geodesic / haversine - 1| < 1 %."""


def haversine_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in km between points given in degrees (vectorised).

    Examples
    --------
    >>> round(float(haversine_km(0.0, 0.0, 1.0, 0.0)), 4)  # one degree of the equator
    111.1951
    """
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype="float64")) for v in (lon1, lat1, lon2, lat2))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def geodesic_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Geodesic distance in km on the WGS84 ellipsoid (pyproj's Karney algorithm, vectorised).

    Examples
    --------
    >>> round(float(geodesic_km(0.0, 0.0, 1.0, 0.0)), 4)
    111.3195
    """
    from pyproj import Geod

    lon1, lat1, lon2, lat2 = np.broadcast_arrays(*(np.asarray(v, dtype="float64") for v in (lon1, lat1, lon2, lat2)))
    if lon1.size == 0:
        return np.zeros(lon1.shape)
    _, _, metres = Geod(ellps="WGS84").inv(lon1.ravel(), lat1.ravel(), lon2.ravel(), lat2.ravel())
    return np.asarray(metres).reshape(lon1.shape) / 1000.0


def unit_vectors(lonlat: np.ndarray) -> np.ndarray:
    """Points on the unit sphere (n x 3) for tree searches on lon/lat degrees (n x 2)."""
    lon, lat = np.radians(lonlat[:, 0]), np.radians(lonlat[:, 1])
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def chord_for_km(distance_km) -> np.ndarray:
    """Chord length between unit vectors that corresponds to a great-circle distance in km."""
    angle = np.minimum(np.asarray(distance_km, dtype="float64") / EARTH_RADIUS_KM, np.pi)
    return 2.0 * np.sin(angle / 2.0)


def km_for_chord(chord) -> np.ndarray:
    """Great-circle distance in km for a chord length between unit vectors."""
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord, dtype="float64") / 2.0, 0.0, 1.0))
