"""Zonal statistics of a raster, or of a stack of rasters, as a table that joins the panel by key."""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from spatial._fs import PathLike
from spatial.choices import Backend
from spatial._options import check_option
from spatial.errors import CoverageWarning, SchemaError, first_items
from spatial.raster._area import PixelGeometry
from spatial.raster._grid import LayerGrid, check_stack, reprojection
from spatial.raster._source import RasterLayer, open_raster, raster_layers
from spatial.raster._zonal import (
    DEFAULT_MAX_PIXELS,
    PixelRule,
    Stat,
    ZonalSpec,
    layer_problems,
    layer_stats,
    prepare_polygons,
)

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["Backend", "ZonalResult", "zonal_stats", "zonal_panel"]



@dataclass(frozen=True)
class ZonalResult:
    """Zonal statistics of a raster stack: one row per unit and period.

    Attributes
    ----------
    table
        Long table: the id column, the period column (absent for a time-invariant raster) and
        one column per statistic (``<name>_<stat>``), rows in (period, boundary row) order.
    variables
        The statistic columns of :attr:`table`.
    id, time
        Names of the key columns (``time`` is ``None`` for a time-invariant raster).
    layers
        The layers used: period, file (basename) and band.
    skipped
        Periods of the stack that were not asked for (``periods=``) and not read.
    missing
        Unit x period cells without any valid pixel (statistics NaN): id, period, reason.
    partial
        Units partly outside a raster's extent: id, period, share of the area inside.
    spec
        The options used (for run.json and reports).
    """

    table: pd.DataFrame
    variables: tuple[str, ...]
    id: str
    time: str | None
    layers: pd.DataFrame
    skipped: tuple[Any, ...] = ()
    missing: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["id", "period", "reason"]))
    partial: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["id", "period", "inside"]))
    spec: dict = field(default_factory=dict)

    def values(self) -> pd.DataFrame:
        """The statistics indexed by id (and period): the shape ``SpatialPanel.with_variables`` takes."""
        keys = [self.id] if self.time is None else [self.id, self.time]
        return self.table.set_index(keys)[list(self.variables)]

    def __repr__(self) -> str:
        periods = "time-invariant" if self.time is None else f"{len(self.layers)} periods"
        return (f"ZonalResult({self.table[self.id].nunique()} units, {periods}, variables={list(self.variables)}, "
                f"missing={len(self.missing)})")


def _default_name(layers: list[RasterLayer]) -> str:
    stem = Path(layers[0].path).stem
    if layers[0].period is not None:
        stem = stem.replace(str(layers[0].period), "")
    stem = re.sub(r"[^0-9A-Za-z]+", "_", stem).strip("_")
    return stem or "raster"


def _run_layer(layer: RasterLayer, shared: tuple) -> tuple[pd.DataFrame, pd.DataFrame]:
    polygons, spec = shared
    return layer_stats(layer, polygons, spec)


def _select_periods(layers: list[RasterLayer], periods: Sequence | None) -> tuple[list[RasterLayer], tuple]:
    if periods is None or (len(layers) == 1 and layers[0].period is None):
        return layers, ()
    wanted = list(dict.fromkeys(periods))
    have = {layer.period for layer in layers}
    lacking = [p for p in wanted if p not in have]
    if lacking:
        hint = ""
        if {type(p) for p in wanted} != {type(p) for p in have}:
            hint = " (the panel's periods and the rasters' are of different kinds: numbers vs text; fix the pattern)"
        raise SchemaError(
            f"the rasters have no layer for {len(lacking)} of the panel's {len(wanted)} periods: "
            f"{first_items(lacking)}; rasters cover {first_items(sorted(have, key=str))}{hint}. Add the missing "
            "rasters or restrict the panel to the periods the rasters cover"
        )
    chosen = [layer for layer in layers if layer.period in set(wanted)]
    skipped = tuple(layer.period for layer in layers if layer.period not in set(wanted))
    return chosen, skipped


def _warn(problems: dict[tuple[str, tuple[str, ...]], list], details: dict, source: str) -> None:
    for (kind, ids), periods in problems.items():
        where = "" if periods == [None] else f" (periods {first_items(periods, 5)})"
        if kind == "outside":
            text = (f"{len(ids)} polygons lie entirely outside {source}{where}: {first_items(ids)}; "
                    "their statistics are NaN (never 0)")
        elif kind == "nodata":
            text = (f"{len(ids)} polygons cover only nodata pixels of {source}{where}: {first_items(ids)}; "
                    "their statistics are NaN (never 0)")
        else:
            shares = details[(kind, ids)]
            listed = first_items([f"{i} ({s} inside)" for i, s in zip(ids, shares, strict=True)])
            text = (f"{len(ids)} polygons extend beyond the extent of {source}{where}: {listed}; their statistics "
                    "describe only the part inside")
        warnings.warn(text, CoverageWarning, stacklevel=4)


def zonal_panel(
    boundaries: gpd.GeoDataFrame,
    source: PathLike | Sequence[PathLike],
    *,
    id: str,
    stats: Sequence[Stat] | Stat = ("mean",),
    pattern: str | None = None,
    band: int | None = None,
    band_periods: Sequence[Any] | Literal["descriptions"] | None = None,
    periods: Sequence[Any] | None = None,
    classes: Sequence[float] | None = None,
    pixels: PixelRule = "fraction",
    nodata: float | None = None,
    assume_crs: str | None = None,
    name: str | None = None,
    time: str = "period",
    backend: Backend = "single",
    dask_address: str | None = None,
    dask_workers: int | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> ZonalResult:
    """Zonal statistics of a raster or a raster stack for every polygon: a long (id, period) table.

    The polygons are reprojected to each raster's CRS (the raster is never resampled). Pixels
    count by the exact fraction of their area inside each polygon, times their ground area
    (see :mod:`spatial.raster` for the definition of every statistic).

    Parameters
    ----------
    boundaries
        Polygon layer (e.g. from :func:`spatial.read_boundaries`) with a CRS.
    source
        A raster file, a folder, a glob (``"lights/*.tif"``) or a list of files.
    id
        Id column of ``boundaries`` (read as text).
    stats
        Any of ``"mean"``, ``"sum"``, ``"area_sum"``, ``"min"``, ``"max"``, ``"median"``,
        ``"std"``, ``"count"``, ``"share"``.
    pattern
        Regular expression with a ``(?P<period>...)`` group, searched in each file name.
    band
        Band to read from every file; required for multi-band files read one band at a time.
    band_periods
        For a multi-band file whose bands are periods: ``"descriptions"`` or one label per band.
    periods
        The periods wanted (e.g. the panel's): each must have a raster (else ``SchemaError``);
        other layers are not read and are listed in :attr:`ZonalResult.skipped`.
    classes
        Raster values whose area share ``"share"`` measures (land-cover classes).
    pixels
        ``"fraction"`` weights boundary pixels by the fraction inside the polygon;
        ``"all_touched"`` counts every touched pixel fully.
    nodata
        A value to treat as missing in addition to the file's own nodata value.
    assume_crs
        CRS for rasters that have none (never overrides a stored CRS).
    name
        Prefix of the variables (default: the file name without its period).
    time
        Name of the period column.
    backend
        ``"single"`` computes in this process; ``"dask"`` sends one task per layer to a Dask
        cluster: a local one (``dask_workers`` processes) or the scheduler at ``dask_address``.
        The results are identical.
    max_pixels
        Most raster pixels held in memory at once per process (memory bound, about 40 bytes
        each).

    Returns
    -------
    ZonalResult

    Raises
    ------
    RasterFileError
        Missing, damaged or truncated rasters, patterns that are invalid or match nothing.
    CRSError
        A raster or the boundaries without a CRS.
    SchemaError
        Unknown statistics, periods the rasters do not cover.
    IdMismatchError, GeometryError
        Repeated ids or unusable polygons.

    Warns
    -----
    CoverageWarning
        Polygons wholly outside a raster or on nodata only (their statistics are NaN, never 0),
        and polygons partly outside a raster's extent.

    Examples
    --------
    >>> from spatial import datasets
    >>> provinces = datasets.load("china_provinces")
    >>> result = zonal_panel(provinces, datasets.path("china_dem"), id="adcode", stats=["mean", "std"],
    ...                      name="elevation")
    >>> result.variables
    ('elevation_mean', 'elevation_std')
    >>> row = result.table.set_index("adcode").loc["540000"]     # Tibet
    >>> round(row["elevation_mean"]), round(row["elevation_std"])
    (4720, 849)
    """
    spec = ZonalSpec.build(stats, classes=classes, pixels=pixels, nodata=nodata, assume_crs=assume_crs,
                           max_pixels=max_pixels)
    check_option("backend", backend, Backend)
    polygons = prepare_polygons(boundaries, id)
    layers = raster_layers(source, pattern=pattern, band=band, band_periods=band_periods)
    layers, skipped = _select_periods(layers, periods)
    crs_checked = set()
    grids = []
    for layer in layers:  # every file checked (open, CRS, grid, last block) before the long work
        with open_raster(layer.path, assume_crs=assume_crs) as dataset:
            grids.append(LayerGrid.of(layer.name if layer.band is None else f"{layer.name} band {layer.band}", dataset))
            if dataset.crs.to_wkt() not in crs_checked:
                crs_checked.add(dataset.crs.to_wkt())
                PixelGeometry.of(dataset).warn_if_not_equal_area(layer.name)
    check_stack(grids)
    reprojected = reprojection(polygons.crs, grids)
    shared = (polygons, spec)
    if backend == "dask":
        from spatial.raster._dask import map_layers

        outputs = map_layers(_run_layer, layers, shared, address=dask_address, workers=dask_workers)
    else:
        from spatial.progress import progress

        outputs = []
        with progress("zonal statistics (layers)", len(layers)) as advance:
            for layer in layers:
                outputs.append(_run_layer(layer, shared))
                advance(1)
    name = name or _default_name(layers)
    result = _assemble(polygons, id, layers, outputs, spec, name, time, skipped, backend)
    result.spec["reprojection"] = reprojected
    return result


def _assemble(polygons, id, layers, outputs, spec, name, time, skipped, backend) -> ZonalResult:
    ids = polygons[id]
    time_invariant = len(layers) == 1 and layers[0].period is None
    frames, missing, partial = [], [], []
    problems: dict = {}
    details: dict = {}
    for layer, (stats, diagnostics) in zip(layers, outputs, strict=True):
        stats = stats.set_axis([f"{name}_{c}" for c in stats.columns], axis=1)
        keys = {id: ids.to_numpy()} if time_invariant else {id: ids.to_numpy(), time: layer.period}
        frames.append(pd.concat([pd.DataFrame(keys), stats], axis=1))
        for problem in layer_problems(ids, diagnostics):
            problems.setdefault((problem.kind, problem.ids), []).append(layer.period)
            details[(problem.kind, problem.ids)] = problem.detail
            if problem.kind == "partial":
                partial += [(i, layer.period, s) for i, s in zip(problem.ids, problem.detail, strict=True)]
            else:
                reason = "outside the raster" if problem.kind == "outside" else "only nodata pixels"
                missing += [(i, layer.period, reason) for i in problem.ids]
    table = pd.concat(frames, ignore_index=True)
    source = layers[0].name if len(layers) == 1 else f"the {len(layers)} rasters"
    _warn(problems, details, source)
    listed = pd.DataFrame([(x.period, x.name, x.band or 1) for x in layers], columns=["period", "file", "band"])
    return ZonalResult(
        table=table,
        variables=tuple(spec.columns(name)),
        id=id,
        time=None if time_invariant else time,
        layers=listed,
        skipped=skipped,
        missing=pd.DataFrame(missing, columns=["id", "period", "reason"]),
        partial=pd.DataFrame(partial, columns=["id", "period", "inside"]),
        spec={"stats": list(spec.stats), "classes": list(spec.classes), "pixels": spec.pixels,
              "nodata": spec.nodata, "assume_crs": spec.assume_crs, "max_pixels": spec.max_pixels,
              "backend": backend, "name": name},
    )


def zonal_stats(
    boundaries: gpd.GeoDataFrame,
    raster: PathLike,
    *,
    id: str,
    stats: Sequence[Stat] | Stat = ("mean",),
    band: int | None = None,
    classes: Sequence[float] | None = None,
    pixels: PixelRule = "fraction",
    nodata: float | None = None,
    assume_crs: str | None = None,
    name: str | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> pd.DataFrame:
    """Zonal statistics of one raster band for every polygon, indexed by id.

    The single-raster form of :func:`zonal_panel` (same parameters and definitions); the
    result joins a cross-section by id.

    Raises
    ------
    RasterFileError, CRSError, SchemaError, IdMismatchError, GeometryError
        As :func:`zonal_panel`.

    Examples
    --------
    >>> from spatial import datasets
    >>> prefectures = datasets.load("china_prefectures")
    >>> table = zonal_stats(prefectures, datasets.path("china_dem"), id="adcode", stats="mean", name="elev")
    >>> round(table.loc["510100", "elev_mean"])    # Chengdu (plains and the mountains to the west)
    756
    """
    return zonal_panel(
        boundaries, raster, id=id, stats=stats, band=band, classes=classes, pixels=pixels, nodata=nodata,
        assume_crs=assume_crs, name=name, max_pixels=max_pixels,
    ).values()
