"""``spatial zonal``: zonal statistics of a raster (or a raster stack) per polygon, as a CSV table."""

from __future__ import annotations

from pathlib import Path

import click

from spatial.cli import STATE
from spatial.operations import ZONAL


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


def _study_area(polygons, keep: str, id_column: str):
    """The polygons the ``--keep`` filter retains (as ``[boundaries] keep`` does in a run); the removed
    units are listed on stderr, never dropped silently."""
    from spatial.errors import first_items
    from spatial.subset import keep_mask, parse_keep

    study = parse_keep(keep, base=Path.cwd())
    mask = keep_mask(polygons, study, id_column=id_column).to_numpy()
    removed = polygons.loc[~mask, id_column].astype(str).tolist()
    if removed and not STATE.quiet:
        click.echo(f"  {len(removed)} units {study.reason()}: "
                   f"{first_items(removed)}", err=True)
    return polygons.loc[mask].reset_index(drop=True)


@click.command("zonal")
@click.argument("source")
@ZONAL.options()
def zonal_cmd(source: str, boundaries: str, id: str | None, output: Path, stats: list[str] | None,
              band_periods: list[str] | None, classes: list[str] | None, layer: str | None,
              boundary_encoding: str | None, keep: str | None, overwrite: bool, **values) -> None:
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

    id_column = id
    raster_path, raster_dataset = _bundled_or_path(source, ("raster",))
    boundary_path, boundary_dataset = _bundled_or_path(boundaries, ("boundaries",))
    if id_column is None:
        if boundary_dataset is None:
            raise SchemaError("--id is required: the id column of the boundaries")
        id_column = datasets.info(boundary_dataset).id
    inputs = [boundary_path] + ([raster_path] if raster_path.exists() else [])
    target = check_output(output, inputs=inputs, overwrite=overwrite)
    polygons = read_boundaries(boundary_path, layer=layer, encoding=boundary_encoding, id_column=id_column)
    if keep:
        polygons = _study_area(polygons, keep, id_column)
    labels = band_periods
    if values["dask_address"]:
        values["backend"] = "dask"  # an address implies the Dask backend
    given = {**values, "id": id_column, "stats": stats or ["mean"], "classes": classes,
             "name": values["name"] or raster_dataset, "max_pixels": values["max_pixels"] or DEFAULT_MAX_PIXELS,
             "band_periods": "descriptions" if labels == ["descriptions"] else labels}
    result = zonal_panel(polygons, raster_path, **ZONAL.keywords({}, **given))
    write_csv_file(target, result.table, index=False)
    periods = "time-invariant" if result.time is None else f"{len(result.layers)} periods"
    click.echo(f"wrote {display_path(target)}: {result.table[id_column].nunique()} units, {periods}, "
               f"columns {', '.join(result.variables)}")
    if not STATE.quiet and len(result.missing):
        click.echo(f"  {len(result.missing)} cells without valid pixels (left empty): see the warning above",
                   err=True)
