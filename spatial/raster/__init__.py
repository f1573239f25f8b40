"""Raster inputs: zonal statistics of GeoTIFF (or any GDAL raster) stacks as panel variables.

Regional economists measure with rasters (night-time lights, population grids, land cover,
elevation, pollution); this package turns them into one number per region and period:

* :func:`zonal_stats` - statistics of one raster for every polygon (a cross-section);
* :func:`zonal_panel` - the same for a stack (files with the period in their name, or a
  multi-band file with band dates) as a long (id, period) table that joins
  :class:`spatial.SpatialPanel` by key (``panel.with_variables(result.values())``);
* :func:`pixel_areas`, :func:`row_areas` - ground areas of pixels (exact on the ellipsoid for
  longitude/latitude grids);
* :func:`open_raster`, :func:`raster_layers` - checked opening and stack discovery.

Boundary pixels count by the exact fraction of their area inside each polygon (exactextract) and
by their ground area; nodata is honoured; polygons are reprojected to the raster's CRS, never the
raster to the polygons'. Memory is bounded by ``max_pixels`` (windows read one at a time), and a
Dask backend spreads the layers of a stack over a local or remote cluster with identical results.
Statistic definitions: :mod:`spatial.raster._zonal`.

Examples
--------
>>> from spatial import datasets
>>> from spatial.raster import zonal_stats
>>> table = zonal_stats(datasets.load("china_provinces"), datasets.path("china_dem"), id="adcode",
...                     stats=["mean", "std"], name="elevation")
>>> table.loc["110000"].round().tolist()    # Beijing: mean and std of elevation (m)
[314.0, 307.0]
"""

from __future__ import annotations

from spatial.raster._area import pixel_areas, row_areas
from spatial.raster._panel import Backend, ZonalResult, zonal_panel, zonal_stats
from spatial.raster._panel import _default_name as default_variable_name
from spatial.raster._panel import _select_periods as select_periods
from spatial.raster._source import RasterLayer, open_raster, raster_layers
from spatial.raster._zonal import DEFAULT_MAX_PIXELS, PixelRule, Stat, ZonalSpec

__all__ = [
    "default_variable_name",
    "select_periods",
    "ZonalSpec",
    "zonal_stats",
    "zonal_panel",
    "ZonalResult",
    "Stat",
    "PixelRule",
    "Backend",
    "DEFAULT_MAX_PIXELS",
    "pixel_areas",
    "row_areas",
    "open_raster",
    "raster_layers",
    "RasterLayer",
]
