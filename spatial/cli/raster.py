"""``spatial zonal``: zonal statistics of a raster (or a raster stack) per polygon, as a CSV table."""

from __future__ import annotations

from pathlib import Path

import click

from spatial.cli import STATE


def _split(text: str | None) -> list[str] | None:
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


def _bundled_or_path(value: str, kinds: tuple[str, ...]) -> tuple[Path, str | None]:
    """A path as given, or a bundled dataset of one of ``kinds`` when no such file exists."""
    from spatial import datasets

    path = Path(value).expanduser()
    if path.exists() or any(c in value for c in "*?["):
        return path, None
    entry = datasets.catalog().get(value)
    if entry is not None and entry.kind in kinds:
        return datasets.path(value), value
    return path, None


@click.command("zonal")
@click.argument("source")
@click.option("--boundaries", required=True,
              help="Polygon file (or a bundled boundaries dataset, e.g. china_provinces).")
@click.option("--id", "id_column", help="Id column of the boundaries (default: the bundled dataset's id).")
@click.option("--out", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Table to write (.csv): id, period (for a stack) and one column per statistic.")
@click.option("--stats", default="mean", show_default=True,
              help="Comma-separated: mean, sum, area_sum, min, max, median, std, count, share.")
@click.option("--pattern",
              help=r"Regex with (?P<period>...) read from each file name of a stack, e.g. '_(?P<period>\d{4})'.")
@click.option("--band", type=int, help="Band to read (required for multi-band files read one band at a time).")
@click.option("--band-periods", help="Bands are periods: 'descriptions' or comma-separated labels, one per band.")
@click.option("--classes", help="Comma-separated raster values measured by the 'share' statistic.")
@click.option("--all-touched", is_flag=True,
              help="Count every pixel a polygon touches fully (default: exact fractions).")
@click.option("--nodata", type=float, help="A value to treat as missing, besides the file's own nodata.")
@click.option("--assume-crs", help="CRS for rasters without one, e.g. EPSG:4326.")
@click.option("--name", help="Prefix of the output columns (default: the file name without its period).")
@click.option("--layer", help="Layer of the boundary file.")
@click.option("--boundary-encoding", help="Encoding of a shapefile .dbf without .cpg (e.g. gbk).")
@click.option("--dask", "use_dask", is_flag=True, help="Compute the layers on a Dask cluster (local by default).")
@click.option("--dask-address", help="Scheduler of an existing Dask cluster, e.g. tcp://host:8786 (implies --dask).")
@click.option("--workers", type=int, help="Worker processes of the local Dask cluster (default 2).")
@click.option("--max-pixels", type=int, help="Most pixels in memory at once per process (about 40 bytes each).")
@click.option("--overwrite", is_flag=True, help="Replace --out if it exists.")
def zonal_cmd(source: str, boundaries: str, id_column: str | None, output: Path, stats: str, pattern: str | None,
              band: int | None, band_periods: str | None, classes: str | None, all_touched: bool,
              nodata: float | None, assume_crs: str | None, name: str | None, layer: str | None,
              boundary_encoding: str | None, use_dask: bool, dask_address: str | None, workers: int | None,
              max_pixels: int | None, overwrite: bool) -> None:
    """Zonal statistics of SOURCE per polygon: a raster file, a folder or glob of rasters, or a bundled raster.

    Boundary pixels count by the exact share of their area inside each polygon and by their
    ground area (exact for longitude/latitude grids). Polygons are reprojected to the raster's
    CRS. Polygons the raster does not cover get empty cells and a warning, never 0.
    """
    from spatial import datasets
    from spatial._fs import check_output, display_path
    from spatial.errors import SchemaError
    from spatial.io import read_boundaries
    from spatial.csv_output import write_csv_file
    from spatial.raster import DEFAULT_MAX_PIXELS, zonal_panel

    raster_path, raster_dataset = _bundled_or_path(source, ("raster",))
    boundary_path, boundary_dataset = _bundled_or_path(boundaries, ("boundaries",))
    if id_column is None:
        if boundary_dataset is None:
            raise SchemaError("--id is required: the id column of the boundaries")
        id_column = datasets.info(boundary_dataset).id
    inputs = [boundary_path] + ([raster_path] if raster_path.exists() else [])
    target = check_output(output, inputs=inputs, overwrite=overwrite)
    polygons = read_boundaries(boundary_path, layer=layer, encoding=boundary_encoding, id_column=id_column)
    labels = _split(band_periods)
    result = zonal_panel(
        polygons, raster_path, id=id_column, stats=_split(stats) or [], pattern=pattern, band=band,
        band_periods="descriptions" if labels == ["descriptions"] else labels, classes=_split(classes),
        pixels="all_touched" if all_touched else "fraction", nodata=nodata, assume_crs=assume_crs,
        name=name or raster_dataset, backend="dask" if (use_dask or dask_address) else "single",
        dask_address=dask_address, dask_workers=workers, max_pixels=max_pixels or DEFAULT_MAX_PIXELS,
    )
    write_csv_file(target, result.table, index=False)
    periods = "time-invariant" if result.time is None else f"{len(result.layers)} periods"
    click.echo(f"wrote {display_path(target)}: {result.table[id_column].nunique()} units, {periods}, "
               f"columns {', '.join(result.variables)}")
    if not STATE.quiet and len(result.missing):
        click.echo(f"  {len(result.missing)} cells without valid pixels (left empty): see the warning above",
                   err=True)
