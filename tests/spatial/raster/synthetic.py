"""Small synthetic rasters written inside each test (never committed), with exact expectations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
from affine import Affine


def write_raster(
    path: Path,
    values: np.ndarray,
    *,
    west: float = 0.0,
    north: float | None = None,
    res: float = 1.0,
    crs: str | None = "EPSG:3857",
    nodata: float | None = None,
    descriptions: list[str] | None = None,
    block: int | None = None,
    compress: str | None = None,
) -> Path:
    """Write ``values`` (rows x cols, or bands x rows x cols) as a GeoTIFF; north defaults to rows * res."""
    values = np.asarray(values)
    bands = values if values.ndim == 3 else values[None]
    count, height, width = bands.shape
    north = height * res if north is None else north
    profile = {"driver": "GTiff", "width": width, "height": height, "count": count, "dtype": bands.dtype.name,
               "transform": Affine(res, 0.0, west, 0.0, -res, north), "nodata": nodata}
    if crs is not None:
        profile["crs"] = crs
    if block is not None:
        profile.update(tiled=True, blockxsize=block, blockysize=block)
    if compress is not None:
        profile["compress"] = compress
    with rasterio.open(path, "w", **profile) as out:
        out.write(bands)
        for i, text in enumerate(descriptions or []):
            out.set_band_description(i + 1, text)
    return path


def pixel_boxes(width: int, height: int, *, west: float = 0.0, north: float | None = None, res: float = 1.0):
    """Shapely boxes of every pixel, shape (height, width)."""
    import shapely

    north = height * res if north is None else north
    xs = west + res * np.arange(width)
    ys = north - res * np.arange(height)
    return np.array([[shapely.box(x, y - res, x + res, y) for x in xs] for y in ys])
