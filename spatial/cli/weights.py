"""``spatial weights``: build, inspect and convert spatial weights.

* ``spatial weights build BOUNDARIES_OR_POINTS --id COL --kind KIND [options] --out FILE`` builds
  weights, prints their summary (with every choice made: metric, islands, links added) and
  writes them (format from the extension: .gal, .gwt, .csv, .xlsx, .mtx, .mat, .dta);
* ``spatial weights --info FILE`` (or ``spatial weights info FILE``) prints the summary of a file;
* ``spatial weights convert FILE --out FILE`` converts between formats, optionally transforming.

Boundaries are read through the same reader as every other command (CRS, encodings, zipped
shapefiles). Outputs are checked before any computation, never written over an input or an
existing file without ``--overwrite``, and written atomically.
"""

from __future__ import annotations

from pathlib import Path

import click

from spatial.cli import STATE
from spatial.operations import WEIGHTS_BUILD, WEIGHTS_CONVERT, WEIGHTS_INFO

__all__ = ["weights_cmd"]

_TABLE_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm"}


def _progress(text: str) -> None:
    if not STATE.quiet:
        click.echo(text, err=True)


def _print_info(path: Path, fmt: str | None, eigen: str, encoding: str | None) -> None:
    from spatial._fs import display_path
    from weights.io import read_weights
    from weights.summary import summarize

    graph = read_weights(path, format=fmt, encoding=encoding)
    click.echo(str(summarize(graph, name=display_path(path), eigen=eigen)))


@click.group("weights", invoke_without_command=True)
@click.option("--info", "info_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Print the summary of a weights file and exit.")
@WEIGHTS_INFO.options("format", "eigen")
@click.pass_context
def weights_cmd(ctx: click.Context, info_file: Path | None, fmt: str | None, eigen: str) -> None:
    """Build, inspect and convert spatial weights.

    Examples: `spatial weights build provinces.shp --id adcode --kind queen --islands connect
    --out queen.gal`; `spatial weights --info queen.gal`.
    """
    if ctx.invoked_subcommand is not None:
        return
    if info_file is None:
        click.echo(ctx.get_help())
        return
    _print_info(info_file, fmt, eigen, None)


@weights_cmd.command("info")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@WEIGHTS_INFO.options()
def info_cmd(path: Path, fmt: str | None, encoding: str | None, eigen: str) -> None:
    """Print the summary of the weights file PATH: size, neighbours, islands, components, rho interval."""
    _print_info(path, fmt, eigen, encoding)


def _periods(text: str | None):
    """``2010:2019`` (inclusive range) or ``2010,2015,2019``; digits become integers."""
    if not text:
        return None

    def label(token: str):
        token = token.strip()
        return int(token) if token.lstrip("-").isdigit() else token

    if ":" in text:
        first, last = text.split(":", 1)
        return slice(label(first), label(last))
    return [label(t) for t in text.split(",") if t.strip()]


def _read_values(path: Path, id_column: str, time: str | None, encoding: str | None):
    from spatial.io import read_table, require_columns

    from spatial.periods import parse_periods

    table = read_table(path, encoding=encoding)
    require_columns(table, [c for c in (id_column, time) if c], f"values table {path.name}")
    if time is not None:
        table[time] = parse_periods(table[time], time)
    return table


def _read_units(path: Path, id_column: str, xy: str | None, layer, encoding, assume_crs):
    from spatial.errors import BoundaryFileError
    from spatial.io import read_boundaries, read_table, require_columns

    if xy is not None or path.suffix.lower() in _TABLE_SUFFIXES:
        table = read_table(path, encoding=encoding)
        require_columns(table, [id_column], f"table {path.name}")
        return table
    try:
        return read_boundaries(path, layer=layer, encoding=encoding, assume_crs=assume_crs, id_column=id_column)
    except BoundaryFileError:
        if path.suffix.lower() != ".parquet":
            raise
        table = read_table(path)  # a plain Parquet table of points (with --xy) or groups
        require_columns(table, [id_column], f"table {path.name}")
        return table


@weights_cmd.command("build")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@WEIGHTS_BUILD.options()
def build_cmd(source: Path, *, id: str | None, output: Path | None, format: str | None, transform: str,
              values: Path | None, time: str | None, **given) -> None:
    """Build weights from SOURCE (boundaries, a points table with --xy, or a values table; a file or a bundled
    dataset such as china_provinces or china_capitals) and print the summary."""
    from spatial._fs import check_output, display_path
    from spatial.sources import POINT_COLUMNS, resolve_source
    from weights.builder import build

    id_column, fmt, transform_name, values_path, time_column = id, format, transform, values, time
    (kind, overwrite, force, layer, encoding, assume_crs, xy, metric, points, order, cumulative, strict, tolerance,
     k, threshold, inverse, alpha, cutoff, function, bandwidth, adaptive, duplicates, group, variable, periods, ties,
     max_links, islands, connect_k, repair, drop_bad_geometry, dissolve_by_id, eigen) = (given.pop(name) for name in (
        "kind", "overwrite", "force", "layer", "encoding", "assume_crs", "xy", "metric", "points", "order",
        "cumulative", "strict", "tolerance", "k", "threshold", "inverse", "alpha", "cutoff", "function", "bandwidth",
        "adaptive", "duplicates", "group", "variable", "periods", "ties", "max_links", "islands", "connect_k",
        "repair", "drop_bad_geometry", "dissolve_by_id", "eigen"))
    assert not given, sorted(given)
    from weights.io import infer_format, write_weights

    shown = str(source)
    source, dataset = resolve_source(source)
    if dataset is not None:
        id_column = id_column or dataset.id
        if dataset.kind == "points" and xy is None:
            xy = ",".join(POINT_COLUMNS)
    else:
        shown = display_path(source)
    if id_column is None:
        raise click.UsageError("--id is required for a file SOURCE (the unit id column)")

    inputs = [source] + ([values_path] if values_path else [])
    target = None
    if output is not None:
        infer_format(output, fmt)  # an unknown extension fails before any work
        target = check_output(output, inputs=inputs, overwrite=overwrite)
    options = {
        "metric": metric, "points": points, "order": order, "cumulative": cumulative, "strict": strict,
        "tolerance": tolerance, "k": k, "threshold": threshold, "alpha": alpha, "cutoff": cutoff,
        "function": function, "bandwidth": bandwidth, "adaptive": adaptive, "duplicates": duplicates,
        "group": group, "variable": variable, "periods": _periods(periods), "ties": ties, "max_links": max_links,
        "xy": tuple(c.strip() for c in xy.split(",")) if xy else None,
    }
    if inverse:
        options["binary"] = False
    if kind == "economic":
        options["time"] = time_column
    options = {key: value for key, value in options.items() if value is not None}
    _progress(f"spatial weights: {kind} from {shown}")
    if kind == "economic":
        data = _read_values(source, id_column, time_column, encoding)
    else:
        data = _read_units(source, id_column, xy, layer, encoding, assume_crs)
        if hasattr(data, "geometry") and xy is None:  # polygons: the checks of `spatial check` (RELIABILITY A4)
            from spatial.geometry import check_geometries
            from spatial.pipeline import echo_repairs

            data, repairs = check_geometries(
                data, id_column, repair=repair, bad_geometry="drop_units" if drop_bad_geometry else "error",
                duplicates="dissolve" if dissolve_by_id else "error",
            )
            import pandas as pd

            echo_repairs(pd.DataFrame(repairs, columns=["id", "what", "reason"]), _progress)
    if kind == "nested":
        if values_path is None or variable is None:
            raise click.UsageError("--kind nested needs --values TABLE and --variable (and --time for a panel)")
        options["values"] = _read_values(values_path, id_column, time_column, encoding)
        options["values_id"] = id_column
        options["time"] = time_column
    elif kind == "economic" and variable is None:
        raise click.UsageError("--kind economic needs --variable (and --time for a panel table)")
    built = build(data, kind=kind, id=id_column, islands=islands, connect_k=connect_k, transform=transform_name,
                  **options)
    click.echo(str(built.summary(name=shown, eigen=eigen)))
    if target is not None:
        write_weights(built.graph, target, format=fmt, overwrite=overwrite, force=force)
        _progress(f"wrote {display_path(target)}")


@weights_cmd.command("convert")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@WEIGHTS_CONVERT.options()
def convert_cmd(source: Path, output: Path, from_fmt, fmt, transform_name: str, encoding, overwrite: bool,
                force: bool) -> None:
    """Convert the weights file SOURCE to another format (e.g. .gal to .mat for Elhorst's MATLAB code)."""
    from spatial._fs import check_output, display_path
    from weights.io import infer_format, read_weights, write_weights
    from weights.transform import transform

    infer_format(output, fmt)
    target = check_output(output, inputs=[source], overwrite=overwrite)
    graph = transform(read_weights(source, format=from_fmt, encoding=encoding), transform_name)
    write_weights(graph, target, format=fmt, overwrite=overwrite, force=force)
    click.echo(f"wrote {display_path(target)}: {graph.n} units, {int(graph.n_edges)} links ({transform_name})")
