"""Ground area of raster pixels, in km².

Geographic rasters (longitude/latitude grids) have pixels that shrink towards the poles: a
0.1° pixel covers 123 km² at the equator and 62 km² at 60°N. The area of a pixel bounded by two
meridians and two parallels on the CRS's ellipsoid is exact in closed form,

    A = Δλ · b²/2 · [g(φ₂) − g(φ₁)],   g(φ) = sin φ / (1 − e² sin² φ) + artanh(e sin φ) / e,

with Δλ in radians, b the semi-minor axis and e the eccentricity (the area of an ellipsoidal
zone between two parallels, divided along the meridians). Projected rasters have the same
nominal area for every pixel (the CRS's linear unit squared, converted to km²); that is the
ground area only in an equal-area projection, so other projections get a warning when their
areal scale departs from 1 by more than 1 % over the raster.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

from spatial.errors import CoverageWarning

if TYPE_CHECKING:
    import pyproj
    import rasterio

__all__ = ["pixel_areas", "row_areas", "PixelGeometry"]


class PixelGeometry:
    """The pixel grid of a raster and the ground area of its pixels (km²)."""

    def __init__(self, transform, crs: pyproj.CRS, width: int, height: int) -> None:
        self.transform = transform
        self.crs = crs
        self.width, self.height = width, height
        self.geographic = bool(crs.is_geographic)
        if self.geographic:
            ellipsoid = crs.ellipsoid
            a = ellipsoid.semi_major_metre
            flattening = 1.0 / ellipsoid.inverse_flattening if ellipsoid.inverse_flattening else 0.0
            self._e2 = flattening * (2.0 - flattening)
            self._b2 = (a * (1.0 - flattening)) ** 2
            self._degree = crs.axis_info[0].unit_conversion_factor  # radians per CRS unit
            self._nominal = None
        else:
            metres = crs.axis_info[0].unit_conversion_factor
            self._nominal = abs(transform.a * transform.e) * metres * metres / 1e6

    @classmethod
    def of(cls, dataset: rasterio.io.DatasetReader) -> PixelGeometry:
        import pyproj

        return cls(dataset.transform, pyproj.CRS.from_user_input(dataset.crs.to_wkt()), dataset.width, dataset.height)

    def _zone(self, latitude: np.ndarray) -> np.ndarray:
        s = np.sin(np.clip(latitude * self._degree, -np.pi / 2, np.pi / 2))
        if self._e2 == 0.0:
            return 2.0 * s
        e = np.sqrt(self._e2)
        return s / (1.0 - self._e2 * s * s) + np.arctanh(e * s) / e

    def row_areas(self, row_start: int, rows: int) -> np.ndarray:
        """Area (km²) of one pixel in each of ``rows`` rows starting at ``row_start``."""
        if not self.geographic:
            return np.full(rows, self._nominal)
        t = self.transform
        edges = t.f + t.e * np.arange(row_start, row_start + rows + 1, dtype="float64")
        zone = self._zone(edges)
        return np.abs(np.diff(zone)) * self._b2 / 2.0 * abs(t.a) * self._degree / 1e6

    def window(self, col_start: int, row_start: int, cols: int, rows: int) -> np.ndarray:
        """Pixel areas (km²) of a window, shape (rows, cols)."""
        return np.repeat(self.row_areas(row_start, rows)[:, None], cols, axis=1)

    def warn_if_not_equal_area(self, shown: str) -> None:
        """Warn when a projected CRS's areal scale varies by more than 1 % over the raster."""
        if self.geographic:
            return
        import pyproj
        from pyproj.exceptions import ProjError

        t = self.transform
        xs = t.c + t.a * self.width * np.array([0.0, 0.5, 1.0])
        ys = t.f + t.e * self.height * np.array([0.0, 0.5, 1.0])
        xx, yy = np.meshgrid(xs, ys)
        try:
            to_lonlat = pyproj.Transformer.from_crs(self.crs, self.crs.geodetic_crs, always_xy=True)
            lon, lat = to_lonlat.transform(xx.ravel(), yy.ravel())
            factors = pyproj.Proj(self.crs).get_factors(lon, lat, errcheck=False)
            scale = np.asarray(factors.areal_scale, dtype="float64")
        except (ProjError, ValueError, TypeError):
            return
        scale = scale[np.isfinite(scale)]
        if scale.size and np.max(np.abs(scale - 1.0)) > 0.01:
            warnings.warn(
                f"raster {shown} is in {self.crs.name}, not an equal-area projection: the ground area of its "
                f"pixels differs from their nominal area by up to {np.max(np.abs(scale - 1.0)):.0%}; area-weighted "
                "statistics (mean, std, median, shares) and area_sum use nominal areas. Warp the raster to an "
                "equal-area CRS (e.g. EPSG:6933) for exact areas",
                CoverageWarning,
                stacklevel=3,
            )


def row_areas(dataset: rasterio.io.DatasetReader) -> np.ndarray:
    """Ground area (km²) of one pixel in each row of a raster.

    Examples
    --------
    >>> from spatial import datasets
    >>> from spatial.raster import open_raster
    >>> with open_raster(datasets.path("china_dem")) as dem:
    ...     areas = row_areas(dem)
    >>> round(float(areas[0]), 1), round(float(areas[-1]), 1)   # 0.2° pixels at 59.8°N and 15.0°N
    (249.9, 475.9)
    """
    return PixelGeometry.of(dataset).row_areas(0, dataset.height)


def pixel_areas(dataset: rasterio.io.DatasetReader, window=None) -> np.ndarray:
    """Ground area (km²) of every pixel of a raster, or of a :class:`rasterio.windows.Window`.

    Examples
    --------
    >>> from rasterio.windows import Window
    >>> from spatial import datasets
    >>> from spatial.raster import open_raster
    >>> with open_raster(datasets.path("china_dem")) as dem:
    ...     pixel_areas(dem, Window(0, 0, 3, 2)).shape
    (2, 3)
    """
    grid = PixelGeometry.of(dataset)
    if window is None:
        return grid.window(0, 0, dataset.width, dataset.height)
    return grid.window(int(window.col_off), int(window.row_off), int(window.width), int(window.height))
