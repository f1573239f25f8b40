"""Core commands: datasets, demo, run, check, reshape."""

from __future__ import annotations

from pathlib import Path

import click

from spatial.cli import STATE
from spatial.cli.inputs import KEEP_HELP, MATCH_PARENT_HELP


def _echo(text: str) -> None:
    click.echo(text)


def _progress(text: str) -> None:
    if not STATE.quiet:
        click.echo(text, err=True)


@click.command("datasets")
def datasets_cmd() -> None:
    """List the bundled datasets, one line each (name, kind, rows, title)."""
    from spatial import datasets

    entries = datasets.catalog()
    width = max(len(n) for n in entries)
    for name, entry in entries.items():
        click.echo(f"{name:<{width}}  {entry.kind:<10}  {entry.rows:>6} rows  {entry.title}")
    click.echo(f"\nFiles in {datasets.data_dir()}; provenance in README.md there.")


def _run_config(config, output: Path | None, overwrite: bool, write: bool) -> None:
    from spatial.pipeline import run

    ctx = run(config, output=output, write=write, overwrite=overwrite, echo=_echo)
    if ctx.output is not None:
        _progress(f"wrote {len(ctx.outputs)} files to {ctx.output}: {', '.join(ctx.outputs)}")


@click.command("demo")
@click.option("--out", "output", type=click.Path(file_okay=False, path_type=Path), default=Path("spatial-demo"),
              show_default=True, help="Folder for the report (report.html), tables and run.json.")
@click.option("--overwrite", is_flag=True, help="Replace the files of an earlier demo in --out.")
def demo_cmd(output: Path, overwrite: bool) -> None:
    """Run the analysis on the bundled US states productivity panel (48 states, 1970-1986) and
    write its full HTML report to ./spatial-demo/report.html.

    The bundled files go through exactly the code a user's files go through.
    """
    from spatial._fs import display_path
    from spatial.config import load_config
    from spatial.datasets import data_dir

    config = load_config(data_dir() / "demo" / "us_produc.toml")
    _progress("spatial demo: US states productivity panel (Munnell 1990), bundled data")
    _run_config(config, output, overwrite, write=True)
    click.echo(f"Report: {display_path(output / 'report.html')} (open it in a browser; it works offline)")


@click.command("run")
@click.argument("config_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "output", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: [project] output in the config).")
@click.option("--overwrite", is_flag=True, help="Replace existing output files (never the inputs).")
@click.option("--dry-run", is_flag=True,
              help="Validate the config and the inputs and list the outputs; estimate and write nothing.")
def run_cmd(config_file: Path, output: Path | None, overwrite: bool, dry_run: bool) -> None:
    """Run the analysis described by CONFIG_FILE (TOML; keys in docs/config.md, a commented example from
    `spatial config template`)."""
    from spatial.config import load_config

    config = load_config(config_file)
    if dry_run:
        _dry_run(config, output)
    else:
        _run_config(config, output, overwrite, write=True)


def _dry_run(config, output: Path | None) -> None:
    """Read and validate every input (the table, the boundaries and the weights) and list the outputs a
    run would write; nothing is estimated and nothing is written."""
    from spatial._fs import display_path
    from spatial.pipeline import RunContext, load_steps, ordered_steps, planned_outputs

    load_steps()
    # the weights read files and build matrices (inputs, not estimates); they may use variables that the
    # rasters and indices steps add, and then they are checked by the run itself
    checked = ("panel", "weights") if not ({"rasters", "indices"} & set(config.sections)) else ("panel",)
    ctx = RunContext(config=config, output=None, overwrite=False, echo=click.echo)
    for name, step in ordered_steps():
        if name in checked:
            step(ctx)
    folder = Path(output or config["project"]["output"]).expanduser()
    names = planned_outputs(config)
    click.echo(f"would write up to {len(names)} outputs to {display_path(folder)} (names ending in * are one per "
               "variable or period):")
    for name in names:
        exists = not name.endswith("*") and (folder / name).exists()
        click.echo(f"  {name}" + ("   (exists: the run needs --overwrite)" if exists else ""))
    click.echo("dry run: the config and the inputs are valid; nothing was estimated or written")


@click.group("config")
def config_cmd() -> None:
    """Config files: a complete, commented template to start from (keys in docs/config.md)."""


@config_cmd.command("template")
@click.option("--out", "output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: print to standard output).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language of the comments.")
@click.option("--overwrite", is_flag=True, help="Replace --out if it exists.")
def config_template_cmd(output: Path | None, lang: str, overwrite: bool) -> None:
    """Write a complete, commented TOML config for a typical provincial study of China: every section
    and key, the ones such a study sets filled in, the others commented out with their defaults."""
    from spatial._fs import check_output, display_path, write_text_atomic
    from spatial.config_docs import config_template

    text = config_template(lang)
    if output is None:
        click.echo(text, nl=False)
        return
    write_text_atomic(check_output(output, overwrite=overwrite), text)
    _progress(f"wrote {display_path(output)}; edit it, then `spatial run {output.name} --dry-run`")


@click.command("check")
@click.argument("table", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--id", "id_column", required=True, help="Unit id column of the table.")
@click.option("--time", "time_column", help="Period column (omit for a cross-section).")
@click.option("--variables", help="Comma-separated numeric variables to keep.")
@click.option("--sheet", help="Excel sheet name.")
@click.option("--encoding", help="Text encoding of the table (e.g. gbk).")
@click.option("--boundaries", type=click.Path(dir_okay=False, path_type=Path),
              help="Boundary file, or a bundled dataset name (china_provinces), to align to.")
@click.option("--boundary-id", help="Id column of the boundaries (default: --id).")
@click.option("--layer", help="Layer of the boundary file.")
@click.option("--boundary-encoding", help="Encoding of a shapefile .dbf without .cpg (e.g. gbk).")
@click.option("--assume-crs", help="CRS for a boundary file without one, e.g. EPSG:4326.")
@click.option("--match-names", help="Comma-separated boundary columns that name the units.")
@click.option("--match-parent", help=MATCH_PARENT_HELP)
@click.option("--keep", "keep_column", help=KEEP_HELP)
@click.option("--id-normalize", help="Id normalisation for both sides, e.g. strip,zfill5.")
@click.option("--balance", type=click.Choice(["error", "drop_units"]), default="error", show_default=True)
@click.option("--missing", type=click.Choice(["error", "drop_units"]), default="error", show_default=True)
@click.option("--restrict", type=click.Choice(["error", "intersection"]), default="error", show_default=True)
@click.option("--repair", type=click.Choice(["none", "make_valid"]), default="none", show_default=True)
@click.option("--drop-bad-geometry", is_flag=True, help="Drop units with missing/empty/non-polygon geometry.")
@click.option("--dissolve-by-id", is_flag=True, help="Union boundary rows that share an id.")
@click.option("--coerce-numeric", is_flag=True, help="Read numbers written with thousands separators.")
def check_cmd(table: Path, id_column: str, time_column: str | None, variables: str | None, sheet: str | None,
              encoding: str | None, boundaries: Path | None, boundary_id: str | None, layer: str | None,
              boundary_encoding: str | None, assume_crs: str | None, match_names: str | None,
              match_parent: str | None, keep_column: str | None, id_normalize: str | None, balance: str, missing: str, restrict: str, repair: str,
              drop_bad_geometry: bool, dissolve_by_id: bool, coerce_numeric: bool) -> None:
    """Validate TABLE (CSV, XLSX, Parquet) and optional boundaries; print the panel summary.

    Nothing is written. Every problem is reported with the rows or ids concerned and the option
    that changes the behaviour.
    """
    from spatial.cli.inputs import panel_config, split_list
    from spatial.config import validate_config
    from spatial.pipeline import echo_repairs, load_panel

    raw = panel_config(
        table, id_column, boundaries=boundaries, time=time_column, variables=split_list(variables), sheet=sheet,
        encoding=encoding, id_normalize=id_normalize, balance=balance, missing=missing, coerce_numeric=coerce_numeric,
        boundary_id=boundary_id, layer=layer, boundary_encoding=boundary_encoding, assume_crs=assume_crs,
        match_names=split_list(match_names), match_parent=match_parent, keep=keep_column, restrict=restrict, repair=repair,
        bad_geometry="drop_units" if drop_bad_geometry else "error",
        duplicate_geometry="dissolve" if dissolve_by_id else "error",
    )
    panel_obj = load_panel(validate_config(raw, where="command line"))
    click.echo(panel_obj.summary())
    echo_repairs(panel_obj.dropped, click.echo)


@click.command("reshape")
@click.argument("table", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--id", "id_column", required=True, help="Unit id column.")
@click.option("--out", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Long table to write (.csv).")
@click.option("--pattern", default=r"^(?P<variable>.*?)[_\s.-]?(?P<period>\d{4})$", show_default=True,
              help="Regex splitting column names into (?P<variable>) and (?P<period>).")
@click.option("--value-name", help="Variable name for columns named by a bare period (2010, 2011, ...).")
@click.option("--time-name", default="year", show_default=True, help="Name of the period column.")
@click.option("--keep", help="Comma-separated columns copied to every row (names, groups).")
@click.option("--sheet", help="Excel sheet name.")
@click.option("--encoding", help="Text encoding of a CSV table.")
@click.option("--overwrite", is_flag=True, help="Replace --out if it exists.")
def reshape_cmd(table: Path, id_column: str, output: Path, pattern: str, value_name: str | None,
                time_name: str, keep: str | None, sheet: str | None, encoding: str | None,
                overwrite: bool) -> None:
    """Turn a wide TABLE (one column per period, e.g. gdp_2010, gdp_2011) into a long table."""
    from spatial._fs import check_output, display_path
    from spatial.io import read_table, wide_to_long
    from spatial.csv_output import write_csv_file

    target = check_output(output, inputs=[table], overwrite=overwrite)
    frame = read_table(table, sheet=sheet, encoding=encoding)
    keep_columns = [k.strip() for k in keep.split(",")] if keep else None
    long = wide_to_long(frame, id_column, pattern=pattern, value_name=value_name, time_name=time_name,
                        keep=keep_columns)
    write_csv_file(target, long, index=False)
    click.echo(f"wrote {display_path(target)}: {len(long)} rows, columns {', '.join(map(str, long.columns))}")
