"""Zonal statistics of one raster layer over polygons, weighted by exact pixel coverage and area.

The engine is exactextract (ISciences, the library behind R's exactextractr): for every pixel a
polygon touches it computes the exact fraction ``f`` of the pixel inside the polygon. We add the
ground area ``A`` of each pixel (:mod:`spatial.raster._area`), so every statistic is an areal
statistic: a pixel counts by the km² of it that lies in the region.

Definitions (sums over pixels with a valid value, i.e. not nodata and not NaN):

========== ====================================================================================
count      Σ f: the number of valid pixels in the region (fractions of boundary pixels count)
sum        Σ v·f: the total of a *count* raster (e.g. persons per pixel)
area_sum   Σ v·f·A: the total of a *density* raster per km² (e.g. persons per km²), A in km²
mean       Σ v·f·A / Σ f·A: the area-weighted mean
std        population standard deviation with the weights f·A
median     weighted median with the weights f·A: the value that splits the weight in halves
           (the midpoint of two values on an exact tie; the usual median for equal weights)
min, max   over pixels that touch the region
share      Σ_{v=c} f·A / Σ f·A for each class c in ``classes`` (land-cover shares)
========== ====================================================================================

``pixels="all_touched"`` sets f = 1 for every pixel the polygon touches.

Memory is bounded: exactextract reads each polygon's pixels in windows of at most
``max_pixels`` pixels (about 40 bytes each: value, coverage, area and masks) through GDAL's
block cache (``gdal_cache_mb``), so the peak does not grow with the raster's size. ``median``
is the exception: it keeps the values of one polygon at a time (16 bytes per pixel inside the
polygon).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from spatial._fs import display_path
from spatial.choices import PixelRule, Stat
from spatial._options import check_option
from spatial.errors import CRSError, RasterFileError, SchemaError, first_items
from spatial.raster._area import PixelGeometry
from spatial.raster._source import RasterLayer, _gdal_message, open_raster
from spatial.hints import hint

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["Stat", "PixelRule", "ZonalSpec", "layer_stats", "DEFAULT_MAX_PIXELS"]


DEFAULT_MAX_PIXELS = 4_194_304  # 2048 x 2048 pixels in memory at once (about 170 MB)
_DEFAULT_GDAL_CACHE_MB = 256
_PARTIAL_TOLERANCE = 1e-3  # polygons with more than 0.1 % of their area outside the raster are reported

# stat -> exactextract operation (weights = pixel areas)
_OPERATIONS = {
    "count": "count",
    "sum": "sum",
    "area_sum": "weighted_sum",
    "mean": "weighted_mean",
    "std": "weighted_stdev",
    "min": "min",
    "max": "max",
}


@dataclass(frozen=True)
class ZonalSpec:
    """What to compute for each layer; validated once, shipped to Dask workers as is."""

    stats: tuple[str, ...] = ("mean",)
    classes: tuple[float, ...] = ()
    pixels: str = "fraction"
    nodata: float | None = None
    assume_crs: str | None = None
    max_pixels: int = DEFAULT_MAX_PIXELS
    gdal_cache_mb: int = _DEFAULT_GDAL_CACHE_MB

    @classmethod
    def build(
        cls,
        stats: Sequence[str] | str,
        *,
        classes: Sequence[float] | None = None,
        pixels: str = "fraction",
        nodata: float | None = None,
        assume_crs: str | None = None,
        max_pixels: int = DEFAULT_MAX_PIXELS,
    ) -> ZonalSpec:
        stats = (stats,) if isinstance(stats, str) else tuple(stats)
        if not stats:
            raise SchemaError("stats is empty; choose at least one of " + ", ".join(repr(s) for s in _stat_names()))
        for stat in stats:
            check_option("stats", stat, Stat)
        repeated = sorted({s for s in stats if stats.count(s) > 1})
        if repeated:
            raise SchemaError(f"stats repeats {first_items(repeated)}")
        check_option("pixels", pixels, PixelRule)
        classes = tuple(float(c) for c in (classes or ()))
        if ("share" in stats) != bool(classes):
            raise SchemaError(
                "the 'share' statistic needs classes= (the raster values to measure, e.g. [10, 20])"
                if "share" in stats else "classes= is only used by the 'share' statistic; add 'share' to stats"
            )
        if nodata is not None and not isinstance(nodata, (int, float)):
            raise SchemaError(f"nodata must be a number, got {nodata!r}")
        if not isinstance(max_pixels, int) or max_pixels < 1024:
            raise SchemaError(f"max_pixels must be an integer of at least 1024, got {max_pixels!r}")
        return cls(stats, classes, pixels, None if nodata is None else float(nodata), assume_crs, max_pixels)

    def columns(self, name: str) -> list[str]:
        """Output column names, in order: ``<name>_<stat>`` and ``<name>_share_<class>``."""
        out = []
        for stat in self.stats:
            if stat == "share":
                out.extend(f"{name}_share_{_class_label(c)}" for c in self.classes)
            else:
                out.append(f"{name}_{stat}")
        return out


def _stat_names() -> tuple[str, ...]:
    from typing import get_args

    return get_args(Stat)


def _class_label(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def prepare_polygons(boundaries: gpd.GeoDataFrame, id: str) -> gpd.GeoDataFrame:
    """Check a polygon layer for zonal statistics: a CRS, text ids, unique, valid polygons.

    Raises
    ------
    SchemaError
        ``boundaries`` is not a GeoDataFrame or lacks the id column.
    CRSError
        The layer has no CRS.
    IdMismatchError, GeometryError
        Repeated ids; missing, empty, non-polygonal or invalid geometries.
    """
    import geopandas as gpd

    from spatial.geometry import check_geometries
    from spatial.io import ids_as_strings, require_columns

    if not isinstance(boundaries, gpd.GeoDataFrame):
        raise SchemaError(f"boundaries must be a GeoDataFrame (read_boundaries), got {type(boundaries).__name__}")
    require_columns(boundaries, [id], "the boundaries")
    if boundaries.crs is None:
        raise CRSError(
            "the boundaries have no CRS, so they cannot be placed on the raster; set it "
            "(read_boundaries(..., assume_crs=...) or gdf.set_crs(...))"
        )
    frame = boundaries[[id, boundaries.geometry.name]].copy()
    frame[id] = ids_as_strings(frame[id], id)
    frame, _ = check_geometries(frame, id)
    return frame.reset_index(drop=True)


class _AreaSource:
    """exactextract weights: the ground area (km²) of each pixel, computed per window."""

    def __new__(cls, grid: PixelGeometry, dataset):
        from exactextract.raster import RasterSource

        class AreaSource(RasterSource):
            def __init__(self):
                super().__init__()
                self.set_name("pixel_area")

            def res(self):
                return (grid.transform.a, -grid.transform.e)

            def extent(self):
                b = dataset.bounds
                return (b.left, b.bottom, b.right, b.top)

            def srs_wkt(self):
                return dataset.crs.to_wkt()

            def nodata_value(self):
                return None

            def read_window(self, x0, y0, nx, ny):
                return grid.window(x0, y0, nx, ny)

        return AreaSource()


def _value_source(dataset, band: int, nodata: float | None, shown: str):
    """exactextract values: one band read by windows, as float64 with NaN for every missing pixel.

    Missing means the file's nodata value or mask, NaN, or the user's ``nodata``. (exactextract
    does not always honour a NumPy mask when the source declares no nodata value, but it always
    skips NaN, so masked pixels are passed as NaN.) Read errors name the file.
    """
    from exactextract.raster import RasterioRasterSource
    from rasterio.errors import RasterioError

    class ValueSource(RasterioRasterSource):
        def nodata_value(self):
            return None

        def read_window(self, x0, y0, nx, ny):
            try:
                data = super().read_window(x0, y0, nx, ny)
            except RasterioError as exc:
                raise RasterFileError(
                    f"raster {shown} cannot be read at pixels ({x0}, {y0}) ({_gdal_message(exc)}); the file is "
                    "truncated or damaged: copy or download it again"
                ) from None
            values = np.asarray(np.ma.getdata(data), dtype="float64")
            missing = np.ma.getmaskarray(data)
            if nodata is not None:
                missing = missing | (values == nodata)
            if missing.any():
                values = np.where(missing, np.nan, values)
            return values

    return ValueSource(dataset, band)


def _weighted_median(values, coverage, weights) -> float:
    """Weighted median of ``values`` with the weights ``coverage * weights``.

    The value ``m`` that splits the weight in halves: the smallest value whose cumulative weight
    reaches half the total; when it reaches exactly half, the midpoint of that value and the next
    (the usual median when the weights are equal). Pixels of zero weight do not count.
    """
    data = np.ma.asarray(values)
    x = np.asarray(np.ma.getdata(data), dtype="float64")
    weight = np.asarray(coverage, dtype="float64") * np.asarray(weights, dtype="float64")
    keep = ~np.ma.getmaskarray(data) & np.isfinite(x) & (weight > 0)
    if not keep.any():
        return math.nan
    x, w = x[keep], weight[keep]
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    cumulative = np.cumsum(w)
    half = cumulative[-1] / 2.0
    k = int(np.searchsorted(cumulative, half * (1 - 1e-12)))
    if k + 1 < len(x) and abs(cumulative[k] - half) <= 1e-12 * cumulative[-1]:
        return float((x[k] + x[k + 1]) / 2.0)
    return float(x[k])


def _all_touched_median(values, coverage, weights) -> float:
    return _weighted_median(values, (np.asarray(coverage) > 0).astype("float64"), weights)


def _operations(spec: ZonalSpec) -> tuple[list, dict[str, str]]:
    """exactextract operations and the map from their field names to our statistic names."""
    args = "(coverage_weight=none)" if spec.pixels == "all_touched" else ""
    ops: list = []
    fields: dict[str, str] = {}
    for i, stat in enumerate(spec.stats):
        if stat == "median":
            median = _all_touched_median if spec.pixels == "all_touched" else _weighted_median
            ops.append(median)
            fields[median.__name__] = stat
        elif stat == "share":
            ops += [f"f{i}_frac=weighted_frac{args}", f"f{i}_unique=unique"]
            fields[f"f{i}_frac"] = stat
        else:
            op = _OPERATIONS[stat]
            # count/min/max/sum do not use weights; all_touched changes count and sum only
            op_args = args if stat in {"count", "sum", "area_sum", "mean", "std"} else ""
            ops.append(f"f{i}={op}{op_args}")
            fields[f"f{i}"] = stat
    if "count" not in spec.stats:
        ops.append("valid_count=count")  # tells polygons without valid pixels (NaN, never 0)
    return ops, fields


def layer_stats(layer: RasterLayer, polygons: gpd.GeoDataFrame, spec: ZonalSpec) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Statistics of one raster layer for every polygon, in the polygons' row order.

    Returns the statistics (columns named by statistic, ``share_<class>`` for shares) and the
    diagnostics (``inside``: share of each polygon's area inside the raster's extent;
    ``valid``: whether any valid pixel touched it). Rows without a valid pixel are all NaN.
    """
    import rasterio
    import shapely
    from exactextract import exact_extract

    shown = display_path(layer.path)
    with rasterio.Env(GDAL_CACHEMAX=spec.gdal_cache_mb), open_raster(layer.path, assume_crs=spec.assume_crs) as dataset:
        band = _band(dataset, layer, shown)
        grid = PixelGeometry.of(dataset)
        target = polygons.to_crs(grid.crs) if not grid.crs.equals(polygons.crs) else polygons
        inside = _inside_share(target.geometry.to_numpy(), dataset.bounds, shapely)
        ops, fields = _operations(spec)
        features = target[[target.geometry.name]].assign(_row=np.arange(len(target)))
        raw = exact_extract(  # errors raised while reading (RasterFileError) pass through unchanged
            _value_source(dataset, band, spec.nodata, shown), features, ops,
            weights=_AreaSource(grid, dataset), include_cols=["_row"], output="pandas",
            strategy="feature-sequential", max_cells_in_memory=spec.max_pixels,
        )
    raw = raw.sort_values("_row").reset_index(drop=True)
    valid = raw["f" + str(spec.stats.index("count")) if "count" in spec.stats else "valid_count"].to_numpy() > 0
    out = {}
    for column, stat in fields.items():
        if stat == "share":
            out.update(_shares(raw[column], raw[column.replace("_frac", "_unique")], spec.classes))
        else:
            out[stat] = raw[column].astype("float64").to_numpy()
    stats = pd.DataFrame(out)
    stats.loc[~valid, :] = np.nan
    diagnostics = pd.DataFrame({"inside": inside, "valid": valid})
    return stats, diagnostics


def _band(dataset, layer: RasterLayer, shown: str) -> int:
    if layer.band is None:
        if dataset.count > 1:
            raise RasterFileError(
                f"raster {shown} has {dataset.count} bands; choose one with {hint('band')}, or read the bands as "
                "periods with band_periods="
            )
        return 1
    if not 1 <= layer.band <= dataset.count:
        raise RasterFileError(f"raster {shown} has {dataset.count} bands; band {layer.band} does not exist")
    return layer.band


def _inside_share(geometries: np.ndarray, bounds, shapely) -> np.ndarray:
    """Share of each polygon's area inside the raster's extent (1 when wholly inside)."""
    box = shapely.box(bounds.left, bounds.bottom, bounds.right, bounds.top)
    shapely.prepare(box)
    share = np.ones(len(geometries))
    within = shapely.contains(box, geometries)
    for i in np.flatnonzero(~within):
        area = shapely.area(geometries[i])
        share[i] = shapely.area(shapely.intersection(geometries[i], box)) / area if area > 0 else 0.0
    return share


def _shares(fractions: pd.Series, values: pd.Series, classes: tuple[float, ...]) -> dict[str, np.ndarray]:
    out = {f"share_{_class_label(c)}": np.zeros(len(fractions)) for c in classes}
    for row, (frac, unique) in enumerate(zip(fractions, values, strict=True)):
        frac = np.asarray(frac, dtype="float64")
        unique = np.asarray(unique, dtype="float64")
        for c in classes:
            hit = np.isclose(unique, c, rtol=1e-9, atol=0.0) if c != 0 else unique == 0
            out[f"share_{_class_label(c)}"][row] = float(frac[hit].sum())
    return out


@dataclass(frozen=True)
class LayerProblem:
    """Polygons a layer does not cover: ``kind`` is 'outside', 'nodata' or 'partial'."""

    kind: str
    ids: tuple[str, ...]
    detail: tuple[str, ...] = field(default=())


def layer_problems(ids: pd.Series, diagnostics: pd.DataFrame) -> list[LayerProblem]:
    """Polygons wholly outside the layer, inside it on nodata only, or partly outside it."""
    inside = diagnostics["inside"].to_numpy()
    valid = diagnostics["valid"].to_numpy()
    problems = []
    outside = ~valid & (inside <= 0)
    if outside.any():
        problems.append(LayerProblem("outside", tuple(ids[outside])))
    nodata = ~valid & (inside > 0)
    if nodata.any():
        problems.append(LayerProblem("nodata", tuple(ids[nodata])))
    partial = valid & (inside < 1 - _PARTIAL_TOLERANCE)
    if partial.any():
        problems.append(
            LayerProblem("partial", tuple(ids[partial]), tuple(f"{s:.1%}" for s in inside[partial]))
        )
    return problems
