"""Core commands: datasets, demo, run, check, reshape."""

from __future__ import annotations

from pathlib import Path

import click

from spatial.cli import STATE
from spatial.operations_core import CHECK, CONFIG_TEMPLATE, DEMO, RESHAPE, RUN


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
@DEMO.options()
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
@RUN.options()
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
@CONFIG_TEMPLATE.options()
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
@CHECK.options()
def check_cmd(table: Path, **values) -> None:
    """Validate TABLE (CSV, XLSX, Parquet) and optional boundaries; print the panel summary.

    Nothing is written. Every problem is reported with the rows or ids concerned and the option
    that changes the behaviour.
    """
    from spatial.inputs import load_inputs
    from spatial.pipeline import echo_repairs

    panel_obj = load_inputs(table, **CHECK.keywords({}, **CHECK.received(values)))
    click.echo(panel_obj.summary())
    echo_repairs(panel_obj.dropped, click.echo)


@click.command("reshape")
@click.argument("table", type=click.Path(dir_okay=False, path_type=Path))
@RESHAPE.options()
def reshape_cmd(table: Path, output: Path, sheet: str | None, encoding: str | None, overwrite: bool, **values) -> None:
    """Turn a wide TABLE (one column per period, e.g. gdp_2010, gdp_2011) into a long table."""
    from spatial._fs import check_output, display_path
    from spatial.csv_output import write_csv_file
    from spatial.io import read_table, wide_to_long

    target = check_output(output, inputs=[table], overwrite=overwrite)
    frame = read_table(table, sheet=sheet, encoding=encoding)
    long = wide_to_long(frame, **RESHAPE.keywords({}, **RESHAPE.received(values)))
    write_csv_file(target, long, index=False)
    click.echo(f"wrote {display_path(target)}: {len(long)} rows, columns {', '.join(map(str, long.columns))}")
