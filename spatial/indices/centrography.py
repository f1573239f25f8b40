"""Centre of gravity (weighted mean centre), its migration, and the standard deviational ellipse.

Points are the units' locations (longitude / latitude in degrees, e.g. city seats or polygon
centroids), projected to an Albers equal-area conic fitted to their extent (standard parallels at
1/6 and 5/6 of the latitude range, central meridian at the mid longitude) unless a projected CRS
is given, so that distances and areas are in km.

* **centre of gravity** of each period: ``X = sum w_i x_i / sum w_i``, ``Y`` likewise (``w`` the
  weight variable: GDP, population, ...), reported in the projection and in longitude / latitude;
* **migration** between consecutive periods: geodesic distance on the WGS84 ellipsoid (km), the
  initial bearing (degrees clockwise from north) and its compass direction (N, NE, ... / 北, 东北 ...);
* **standard deviational ellipse** (ArcGIS *Directional Distribution* conventions, one standard
  deviation): with ``x~ = x - X`` and the weighted moments ``Sxx = sum w x~^2 / sum w``, ``Syy``,
  ``Sxy``, the rotation ``theta`` solves ``tan theta = (A + B) / C`` with ``A = Sxx - Syy``,
  ``B = sqrt(A^2 + 4 Sxy^2)``, ``C = 2 Sxy``; it is the bearing of the major axis (clockwise from
  north, in [0, 180)). The axes are ``sigma_x = sqrt(2) sqrt(sum w (x~ cos theta - y~ sin theta)^2
  / sum w)`` and ``sigma_y = sqrt(2) sqrt(sum w (x~ sin theta + y~ cos theta)^2 / sum w)``
  (``sigma_y`` along ``theta``: the major semi-axis); ``sqrt(2)`` is ArcGIS's correction factor
  (since ArcGIS 10.0) that makes one standard deviation cover about 63 % of the points' weight.
  Reported in km with the area ``pi a b`` and the flattening ``1 - b / a``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from spatial.errors import SchemaError
from spatial.indices._common import cells, long_table

if TYPE_CHECKING:
    from spatial.panel import SpatialPanel

__all__ = ["GravityResult", "gravity_centre", "ellipse_moments", "COMPASS"]

COMPASS = [
    ("N", "北"), ("NE", "东北"), ("E", "东"), ("SE", "东南"),
    ("S", "南"), ("SW", "西南"), ("W", "西"), ("NW", "西北"),
]
CORRECTION = float(np.sqrt(2.0))


def ellipse_moments(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> dict[str, float]:
    """Weighted centre and standard deviational ellipse of projected points (ArcGIS conventions).

    Returns ``x``, ``y`` (centre), ``rotation`` (degrees, bearing of the major axis), ``sigma_x``,
    ``sigma_y`` (ArcGIS's XStdDist and YStdDist, in the units of the coordinates), ``major``,
    ``minor`` (semi-axes), ``area`` and ``flattening``.

    Examples
    --------
    >>> import numpy as np
    >>> m = ellipse_moments(np.array([-2.0, -1, 1, 2]), np.array([-2.0, -1, 1, 2]), np.ones(4))
    >>> round(m["rotation"], 6), round(m["major"], 6), round(m["minor"], 6)
    (45.0, 3.162278, 0.0)
    """
    w = np.asarray(w, dtype=float)
    total = w.sum()
    cx, cy = float(w @ x / total), float(w @ y / total)
    dx, dy = x - cx, y - cy
    sxx, syy, sxy = (w @ (dx * dx)) / total, (w @ (dy * dy)) / total, (w @ (dx * dy)) / total
    a = sxx - syy
    b = np.sqrt(a * a + 4 * sxy * sxy)
    if abs(sxy) <= 1e-15 * max(sxx + syy, 1e-300):
        theta = np.pi / 2 if sxx > syy else 0.0
    else:
        theta = float(np.arctan((a + b) / (2 * sxy)))
    sigma_x = CORRECTION * np.sqrt(w @ (dx * np.cos(theta) - dy * np.sin(theta)) ** 2 / total)
    sigma_y = CORRECTION * np.sqrt(w @ (dx * np.sin(theta) + dy * np.cos(theta)) ** 2 / total)
    major, minor = max(sigma_x, sigma_y), min(sigma_x, sigma_y)
    rotation = np.degrees(theta) % 180.0
    if sigma_x > sigma_y:  # the major axis lies across theta
        rotation = (rotation + 90.0) % 180.0
    return {
        "x": cx, "y": cy, "rotation": float(rotation), "sigma_x": float(sigma_x), "sigma_y": float(sigma_y),
        "major": float(major), "minor": float(minor), "area": float(np.pi * major * minor),
        "flattening": float(1 - minor / major) if major > 0 else 0.0,
    }


@dataclass(frozen=True)
class GravityResult:
    """Centres, migration and ellipses per period.

    ``centres``: period, ``x_km``, ``y_km`` (projected), ``lon``, ``lat``, ``weight_total``;
    ``moves``: period_from, period, ``distance_km``, ``bearing`` (degrees clockwise from north),
    ``direction`` / ``direction_zh``, ``dx_km``, ``dy_km``;
    ``ellipses``: period, centre, ``rotation`` (major axis bearing, degrees), ``major_km``,
    ``minor_km``, ``sigma_x_km``, ``sigma_y_km``, ``area_km2``, ``flattening``, ``correction``;
    ``options``: the weight, the projection (PROJ string) and the conventions.
    """

    centres: pd.DataFrame
    moves: pd.DataFrame
    ellipses: pd.DataFrame
    options: dict[str, Any] = field(default_factory=dict)

    def outline(self, period, n: int = 90) -> pd.DataFrame:
        """Longitude / latitude of ``n`` points on the ellipse of ``period`` (for maps)."""
        from pyproj import Transformer

        time = self.options.get("time") or "period"
        row = self.ellipses[self.ellipses[time] == period]
        if row.empty:
            raise SchemaError(f"no ellipse for period {period!r}; periods: {self.ellipses[time].tolist()}")
        e = row.iloc[0]
        t = np.linspace(0, 2 * np.pi, n)
        bearing = np.radians(e["rotation"])
        along = np.array([np.sin(bearing), np.cos(bearing)])  # major-axis direction (east, north)
        across = np.array([np.cos(bearing), -np.sin(bearing)])
        pts = (e["major_km"] * np.cos(t)[:, None] * along + e["minor_km"] * np.sin(t)[:, None] * across) * 1000
        inverse = Transformer.from_crs(self.options["projection"], "EPSG:4326", always_xy=True)
        lon, lat = inverse.transform(e["x_km"] * 1000 + pts[:, 0], e["y_km"] * 1000 + pts[:, 1])
        return pd.DataFrame({"lon": lon, "lat": lat})

    def plot(self, path, *, lang: str = "en", title: str | None = None, overwrite: bool = False):
        """Static map of the centre's path and the ellipses (lon / lat), PNG (300 dpi) and SVG."""
        from spatial.indices.figures import plot_gravity

        return plot_gravity(self, path, lang=lang, title=title, overwrite=overwrite)

    def map(self, *, lang: str = "en"):
        """Interactive map (folium) of the centres' path and the ellipses, one layer per period."""
        from spatial.indices.figures import gravity_map

        return gravity_map(self, lang=lang)


def _projection(lon: np.ndarray, lat: np.ndarray) -> str:
    lo, hi = float(lat.min()), float(lat.max())
    span = max(hi - lo, 1e-6)
    return (
        f"+proj=aea +lat_1={lo + span / 6:.4f} +lat_2={hi - span / 6:.4f} +lat_0={(lo + hi) / 2:.4f} "
        f"+lon_0={(float(lon.min()) + float(lon.max())) / 2:.4f} +datum=WGS84 +units=m +no_defs"
    )


def _compass(bearing: float) -> tuple[str, str]:
    return COMPASS[int(((bearing % 360) + 22.5) // 45) % 8]


def gravity_centre(
    data: pd.DataFrame | SpatialPanel,
    weight: str,
    *,
    id: str | None = None,
    time: str | None = None,
    lon: str = "lon",
    lat: str = "lat",
    projection: str | None = None,
) -> GravityResult:
    """Weighted centre of gravity per period, its migration, and the standard deviational ellipse.

    Parameters
    ----------
    data
        Long table with the unit's location (``lon``, ``lat`` in degrees) and the weight column.
    weight
        Non-negative weight (GDP, population, ...); each period needs a positive total.
    projection
        A PROJ string or CRS of an equal-area projection; default an Albers conic fitted to the
        points (see the module docstring).

    Raises
    ------
    SchemaError
        Negative weights (named cells), a period whose weights sum to 0, longitudes / latitudes
        out of range, fewer than 3 units in a period (no ellipse).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"city": ["a", "b", "c"] * 2, "year": [2000] * 3 + [2010] * 3,
    ...                   "lon": [110.0, 112.0, 111.0] * 2, "lat": [30.0, 30.0, 31.0] * 2,
    ...                   "gdp": [1.0, 1.0, 1.0, 1.0, 3.0, 1.0]})
    >>> moves = gravity_centre(d, "gdp", id="city", time="year").moves
    >>> moves[["direction", "direction_zh"]].iloc[0].tolist()
    ['E', '东']
    """
    from pyproj import Geod, Transformer

    table = long_table(data, id=id, time=time, values=[weight, lon, lat], what="the gravity centre data")
    frame = table.frame
    negative = frame[weight].to_numpy() < 0
    if negative.any():
        raise SchemaError(
            f"the weight {weight!r} has {int(negative.sum())} negative values at {cells(frame, negative)}; a centre of "
            "gravity needs non-negative weights (shift or drop them)"
        )
    lons, lats = frame[lon].to_numpy(), frame[lat].to_numpy()
    outside = (np.abs(lons) > 180) | (np.abs(lats) > 90)
    if outside.any():
        raise SchemaError(
            f"{lon!r} / {lat!r} must be longitude / latitude in degrees; out of range at {cells(frame, outside)}"
        )
    crs = projection or _projection(lons, lats)
    forward = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    inverse = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    px, py = forward.transform(lons, lats)
    px, py = np.asarray(px) / 1000.0, np.asarray(py) / 1000.0
    geod = Geod(ellps="WGS84")
    centres, ellipses = [], []
    periods = sorted(pd.unique(frame["period"])) if table.has_time else list(pd.unique(frame["period"]))
    for period in periods:
        rows = (frame["period"] == period).to_numpy()
        w = frame.loc[rows, weight].to_numpy()
        if not w.sum() > 0:
            raise SchemaError(f"period {period}: the weights {weight!r} sum to 0; the centre is undefined")
        if rows.sum() < 3:
            raise SchemaError(f"period {period}: an ellipse needs at least 3 units, found {int(rows.sum())}")
        m = ellipse_moments(px[rows], py[rows], w)
        clon, clat = inverse.transform(m["x"] * 1000, m["y"] * 1000)
        centres.append({"period": period, "x_km": m["x"], "y_km": m["y"], "lon": float(clon), "lat": float(clat),
                        "weight_total": float(w.sum())})
        ellipses.append({"period": period, "x_km": m["x"], "y_km": m["y"], "lon": float(clon), "lat": float(clat),
                         "rotation": m["rotation"], "major_km": m["major"], "minor_km": m["minor"],
                         "sigma_x_km": m["sigma_x"], "sigma_y_km": m["sigma_y"], "area_km2": m["area"],
                         "flattening": m["flattening"], "correction": "sqrt(2)"})
    centres = pd.DataFrame(centres)
    moves = []
    for a, b in zip(centres.itertuples(index=False), list(centres.itertuples(index=False))[1:], strict=False):
        bearing, _, metres = geod.inv(a.lon, a.lat, b.lon, b.lat)
        bearing = float(bearing) % 360.0
        en, zh = _compass(bearing)
        moves.append({"period_from": a.period, "period": b.period, "distance_km": float(metres) / 1000.0,
                      "bearing": bearing, "direction": en, "direction_zh": zh, "dx_km": b.x_km - a.x_km,
                      "dy_km": b.y_km - a.y_km})
    columns = ["period_from", "period", "distance_km", "bearing", "direction", "direction_zh", "dx_km", "dy_km"]
    moves = pd.DataFrame(moves, columns=columns)
    time_name = table.time_name or "period"
    rename = {"period": time_name}
    options = {"weight": weight, "projection": crs, "id": table.id_name, "time": table.time_name,
               "ellipse": "ArcGIS Directional Distribution, one standard deviation, correction sqrt(2), weighted",
               "distance": "geodesic on WGS84 (km)", "bearing": "degrees clockwise from north"}
    return GravityResult(centres.rename(columns=rename), moves, pd.DataFrame(ellipses).rename(columns=rename), options)
