"""Opening rasters safely, and listing the layers (file, band, period) of a raster stack.

A stack is a folder, a glob or a list of files with the period in each file name (read by a
regular expression the user gives), or one multi-band file whose bands are labelled with
periods. Every file is opened and checked before any statistic is computed, so a damaged file
is named at once, never after an hour of work.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from spatial._fs import PathLike, display_path
from spatial.errors import CRSError, RasterFileError, first_items
from spatial.hints import hint

if TYPE_CHECKING:
    import rasterio

__all__ = ["RasterLayer", "open_raster", "raster_layers", "period_label", "RASTER_SUFFIXES"]

# File types recognised when a folder is given (any GDAL raster can be named explicitly).
RASTER_SUFFIXES = frozenset({".tif", ".tiff", ".vrt", ".nc", ".img", ".asc", ".grd", ".bil", ".jp2", ".hdf", ".h5"})
_GLOB_CHARS = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class RasterLayer:
    """One band of one raster file, with its period (``None`` for a time-invariant raster)."""

    path: str
    band: int | None = None  # None: the file's only band (a multi-band file then needs band=)
    period: object = None

    @property
    def name(self) -> str:
        return Path(self.path).name


def _gdal_message(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return re.sub(r"(/[^\s'\"]+/)([^/\s'\"]+)", r"\2", text)  # basenames only, never local paths


def _crs_or_none(dataset: rasterio.io.DatasetReader):
    """The dataset's CRS, or ``None`` when GDAL has none (or an empty one)."""
    crs = dataset.crs
    if crs is None:
        return None
    try:
        return None if not crs.to_wkt() else crs
    except Exception:  # rasterio raises CRSError for a CRS it cannot express
        return None


def open_raster(path: PathLike, *, assume_crs: str | None = None) -> rasterio.io.DatasetReader:
    """Open a raster file for reading and check that it can be used.

    Checks that the file exists and opens, that it has a CRS (or ``assume_crs``), that its grid
    is north-up and not rotated, and that its last block can be read (a truncated file fails
    here, not halfway through a computation).

    Parameters
    ----------
    path
        Any raster GDAL reads: GeoTIFF, VRT, netCDF, ERDAS Imagine, ...
    assume_crs
        CRS to use when the file has none, e.g. ``"EPSG:4326"``; never applied to a file that
        has one.

    Returns
    -------
    rasterio.io.DatasetReader
        Open dataset; close it (or use it in a ``with`` block). With ``assume_crs`` it is a
        :class:`rasterio.vrt.WarpedVRT` carrying the CRS on the unchanged grid.

    Raises
    ------
    RasterFileError
        Missing, unreadable, truncated, rotated or south-up files (naming the file).
    CRSError
        No CRS and no ``assume_crs``.

    Examples
    --------
    >>> from spatial import datasets
    >>> with open_raster(datasets.path("china_dem")) as dem:
    ...     dem.shape, dem.crs.to_epsg()
    ((225, 350), 4326)
    """
    import rasterio
    from rasterio.errors import RasterioError

    source = Path(path).expanduser()
    shown = display_path(source)
    if not source.exists():
        raise RasterFileError(f"raster file {shown} does not exist")
    if source.is_dir():
        raise RasterFileError(f"{shown} is a folder; give a raster file, or a folder with pattern= for a stack")
    try:
        dataset = rasterio.open(source)
    except RasterioError as exc:
        raise RasterFileError(
            f"cannot read {shown} as a raster ({_gdal_message(exc)}); the file is damaged, truncated or not a "
            "raster: copy it again or convert it to GeoTIFF"
        ) from None
    try:
        _check_grid(dataset, shown)
        _check_last_block(dataset, shown)
        if _crs_or_none(dataset) is None:
            if assume_crs is None:
                raise CRSError(
                    f"raster {shown} has no coordinate reference system, so polygons cannot be placed on it; "
                    f"state it with {hint('raster_assume_crs', 'EPSG:XXXX')}, e.g. EPSG:4326 for longitude/latitude grids"
                )
            return _with_crs(dataset, assume_crs, shown)
    except BaseException:
        dataset.close()
        raise
    return dataset


def _check_grid(dataset: rasterio.io.DatasetReader, shown: str) -> None:
    t = dataset.transform
    if t.b != 0 or t.d != 0:
        raise RasterFileError(
            f"raster {shown} has a rotated grid; warp it to a north-up grid first (gdalwarp), "
            "since zonal statistics need rows and columns aligned with the axes"
        )
    if t.e >= 0 or t.a <= 0:
        raise RasterFileError(
            f"raster {shown} is not north-up (pixel size {t.a}, {t.e}); flip it with gdalwarp or "
            "`gdal_translate` so that rows run from north to south"
        )
    if dataset.count < 1:
        raise RasterFileError(f"raster {shown} has no bands")


def _check_last_block(dataset: rasterio.io.DatasetReader, shown: str) -> None:
    """Read the bottom-right block of every band: truncated files lose their last blocks first."""
    from rasterio.errors import RasterioError
    from rasterio.windows import Window

    height, width = dataset.block_shapes[0]
    height, width = min(height, dataset.height), min(width, dataset.width)
    window = Window(dataset.width - width, dataset.height - height, width, height)
    try:
        for band in dataset.indexes:
            dataset.read(band, window=window)
    except RasterioError as exc:
        raise RasterFileError(
            f"raster {shown} cannot be read to the end ({_gdal_message(exc)}); the file is truncated or "
            "damaged: copy or download it again"
        ) from None


def _with_crs(dataset, assume_crs: str, shown: str):
    from rasterio.crs import CRS
    from rasterio.vrt import WarpedVRT

    try:
        crs = CRS.from_user_input(assume_crs)
    except Exception as exc:
        raise CRSError(f"{assume_crs!r} (given with {hint('raster_assume_crs')}) is not a valid CRS: {exc}") from None
    class WithCRS(WarpedVRT):
        """A VRT on the source's own grid: it only adds the CRS (no resampling); closes its source."""

        def close(self):
            source = self.src_dataset
            super().close()
            source.close()

    return WithCRS(dataset, src_crs=crs, crs=crs, transform=dataset.transform, width=dataset.width,
                   height=dataset.height)


def period_label(text: str) -> object:
    """A period read from a name: whole numbers become ``int`` (like the panel's periods), else text.

    Examples
    --------
    >>> period_label("2015"), period_label("2015-06")
    (2015, '2015-06')
    """
    text = str(text).strip()
    return int(text) if re.fullmatch(r"[+-]?\d+", text) else text


def _files(source: PathLike | Sequence[PathLike]) -> tuple[list[Path], str]:
    """The files named by ``source`` (file, folder, glob or list) and how to name the source."""
    if isinstance(source, (str, Path)) or hasattr(source, "__fspath__"):
        text = str(source)
        path = Path(text).expanduser()
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix.lower() in RASTER_SUFFIXES and p.is_file())
            if not files:
                raise RasterFileError(
                    f"folder {display_path(path)} holds no raster files ({', '.join(sorted(RASTER_SUFFIXES))})"
                )
            return files, f"folder {display_path(path)}"
        if _GLOB_CHARS.search(text) and not path.exists():
            files = sorted(Path(p) for p in glob.glob(str(path)) if Path(p).is_file())
            if not files:
                raise RasterFileError(f"no file matches {Path(text).name!r} in {display_path(path.parent)}")
            return files, f"pattern {Path(text).name!r}"
        return [path], display_path(path)
    files = [Path(p).expanduser() for p in source]
    if not files:
        raise RasterFileError("the list of raster files is empty")
    return files, f"{len(files)} files"


def _compile(pattern: str) -> re.Pattern:
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise RasterFileError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from None
    if "period" not in regex.groupindex:
        raise RasterFileError(
            f"pattern {pattern!r} needs a named group (?P<period>...) that captures the period, "
            r"e.g. 'lights_(?P<period>\d{4})\.tif'"
        )
    return regex


def raster_layers(
    source: PathLike | Sequence[PathLike],
    *,
    pattern: str | None = None,
    band: int | None = None,
    band_periods: Sequence[object] | Literal["descriptions"] | None = None,
) -> list[RasterLayer]:
    """List the layers of a raster source, each with its period, sorted by period.

    Parameters
    ----------
    source
        A raster file, a folder of rasters, a glob (``"lights/*.tif"``) or a list of files.
    pattern
        Regular expression with a ``(?P<period>...)`` group, searched in each file name; needed
        when there are several files. Every file must match: none is skipped silently.
    band
        The band to read from each file (1-based) when bands are not periods; required for
        multi-band files (checked when the file is read).
    band_periods
        For one multi-band file whose bands are periods: ``"descriptions"`` reads each band's
        description (e.g. ``2015``), or give one label per band.

    Raises
    ------
    RasterFileError
        No files, an invalid pattern, files that do not match it, repeated periods, several
        files without a pattern, or band labels that are missing or do not fit the bands.

    Examples
    --------
    >>> from spatial import datasets
    >>> raster_layers(datasets.path("china_dem"))[0].period is None
    True
    """
    files, shown = _files(source)
    if band_periods is not None:
        if len(files) != 1:
            raise RasterFileError(f"band_periods labels the bands of one file, but {shown} names {len(files)} files")
        if pattern is not None:
            raise RasterFileError("give either pattern= (periods in file names) or band_periods= (periods in bands)")
        return _band_layers(files[0], band_periods)
    if pattern is None:
        if len(files) > 1:
            raise RasterFileError(
                f"{shown} holds {len(files)} rasters ({first_items([f.name for f in files], 3)}) but no pattern "
                r"says which period each holds; give pattern=, e.g. '(?P<period>\d{4})'"
            )
        return [RasterLayer(str(files[0]), band, None)]
    regex = _compile(pattern)
    layers, unmatched = [], []
    for path in files:
        match = regex.search(path.name)
        if match is None or not match.group("period"):
            unmatched.append(path.name)
            continue
        layers.append(RasterLayer(str(path), band, period_label(match.group("period"))))
    if unmatched:
        raise RasterFileError(
            f"{len(unmatched)} of {len(files)} files in {shown} do not match pattern {pattern!r}: "
            f"{first_items(unmatched)}; fix the pattern or move these files (none is skipped silently)"
        )
    return _sorted_unique(layers)


def _band_layers(path: Path, band_periods) -> list[RasterLayer]:
    with open_raster(path) as dataset:
        count, descriptions = dataset.count, list(dataset.descriptions)
    shown = display_path(path)
    if isinstance(band_periods, str):
        if band_periods != "descriptions":
            raise RasterFileError(f"band_periods={band_periods!r}: use 'descriptions' or one label per band")
        missing = [i + 1 for i, d in enumerate(descriptions) if not d]
        if missing:
            raise RasterFileError(
                f"{shown}: bands {first_items(missing)} have no description to read a period from; "
                "give band_periods as a list with one label per band"
            )
        labels = descriptions
    else:
        labels = list(band_periods)
        if len(labels) != count:
            raise RasterFileError(f"{shown} has {count} bands but band_periods gives {len(labels)} labels")
    return _sorted_unique([RasterLayer(str(path), i + 1, period_label(label)) for i, label in enumerate(labels)])


def _sorted_unique(layers: list[RasterLayer]) -> list[RasterLayer]:
    seen: dict[object, list[str]] = {}
    for layer in layers:
        seen.setdefault(layer.period, []).append(layer.name + (f" band {layer.band}" if layer.band else ""))
    repeated = [f"{p} ({', '.join(names)})" for p, names in seen.items() if len(names) > 1]
    if repeated:
        raise RasterFileError(f"several rasters claim the same period: {first_items(repeated)}; keep one per period")
    kinds = {type(layer.period) for layer in layers}
    if len(kinds) > 1:
        raise RasterFileError(
            f"periods mix numbers and text ({first_items([layer.period for layer in layers])}); "
            "make the pattern capture the same kind of label from every file"
        )
    return sorted(layers, key=lambda layer: layer.period)
