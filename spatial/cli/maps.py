"""Map and report commands: ``spatial map`` (one map of a column) and ``spatial report`` (the
whole analysis of a config file as one self-contained HTML page)."""

from __future__ import annotations

from pathlib import Path

import click

from spatial.cli import STATE

_SCHEMES = ["quantiles", "natural_breaks", "equal_interval", "std_mean", "user_defined"]
_TILES = ["OpenStreetMap", "CartoDB positron", "CartoDB voyager", "CartoDB dark_matter"]
_OUTPUTS = (".html", ".png", ".svg", ".pdf")


def _progress(text: str) -> None:
    if not STATE.quiet:
        click.echo(text, err=True)


def _split(text: str | None) -> list[str] | None:
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


def _boundaries_source(value: str) -> dict:
    """A boundary file path, or the name of a bundled boundary dataset."""
    from spatial import datasets

    if not Path(value).expanduser().exists() and value in datasets.catalog():
        return {"dataset": value}
    return {"path": value}


def _load(file: Path, column: str, id_column: str | None, time_column: str | None, boundaries: str | None,
          boundary_id: str | None, layer: str | None, encoding: str | None, match_names: str | None):
    """(units GeoDataFrame, values as a wide frame or a column name, id column of units or None)."""
    from spatial.errors import SchemaError

    if boundaries is None:
        from spatial._fs import display_path
        from spatial.io import read_boundaries, require_columns

        if time_column:
            raise SchemaError("--time needs a panel table and --boundaries; a boundary file maps one column as it is")
        units = read_boundaries(file, layer=layer, encoding=encoding, id_column=id_column)
        require_columns(units, [column], display_path(file))
        return units, column, id_column
    from spatial.config import validate_config
    from spatial.pipeline import load_panel

    if not id_column:
        raise SchemaError("--id is required with --boundaries (the unit id column of the table)")
    panel_spec = {"path": str(file), "id": id_column, "variables": [column]}
    if time_column:
        panel_spec["time"] = time_column
    if encoding:
        panel_spec["encoding"] = encoding
    bounds = _boundaries_source(boundaries)
    for key, value in (("id", boundary_id), ("layer", layer), ("match_names", _split(match_names))):
        if value is not None:
            bounds[key] = value
    panel = load_panel(validate_config({"panel": panel_spec, "boundaries": bounds}, where="command line"))
    return panel.geometry, panel.wide(column), None


@click.command("map")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--column", required=True, help="Variable to map.")
@click.option("--out", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Map to write: .html (interactive, self-contained), .png (300 dpi), .svg or .pdf.")
@click.option("--id", "id_column", help="Unit id column (of the table; of FILE when it is a boundary file).")
@click.option("--time", "time_column", help="Period column of a panel table (the HTML map gets a period selector).")
@click.option("--period", help="Period shown (figures: default the last; HTML: the one shown first).")
@click.option("--boundaries", help="Boundary file or bundled dataset (e.g. china_provinces) when FILE is a table.")
@click.option("--boundary-id", help="Id column of the boundaries.")
@click.option("--match-names", help="Comma-separated boundary columns that name the units (codes or names).")
@click.option("--layer", help="Layer of the boundary file.")
@click.option("--encoding", help="Text encoding of FILE (e.g. gbk).")
@click.option("--names", help="Comma-separated columns naming units in tooltips.")
@click.option("--scheme", type=click.Choice(_SCHEMES), default="quantiles", show_default=True)
@click.option("--k", type=int, default=5, show_default=True, help="Number of classes.")
@click.option("--breaks", help="Comma-separated class upper bounds (with --scheme user_defined).")
@click.option("--cmap", help="matplotlib colormap (default YlOrRd; RdBu_r for std_mean).")
@click.option("--title", help="Title of the map.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@click.option("--tiles", type=click.Choice(_TILES), help="Base map (needs the network); default none.")
@click.option("--inset", type=click.Choice(["none", "south_china_sea"]), default="none", show_default=True,
              help="Figures of China: South China Sea islands in an inset.")
@click.option("--overwrite", is_flag=True, help="Replace --out if it exists.")
def map_cmd(file: Path, column: str, output: Path, id_column: str | None, time_column: str | None,
            period: str | None, boundaries: str | None, boundary_id: str | None, match_names: str | None,
            layer: str | None, encoding: str | None, names: str | None, scheme: str, k: int, breaks: str | None,
            cmap: str | None, title: str | None, lang: str, tiles: str | None, inset: str, overwrite: bool) -> None:
    """Map COLUMN of FILE: a boundary file with the column, or a table joined to --boundaries."""
    from spatial._fs import atomic_path, check_output, display_path, write_text_atomic
    from spatial.errors import SchemaError

    suffix = output.suffix.lower()
    if suffix not in _OUTPUTS:
        raise SchemaError(f"--out {output.name}: write .html, .png, .svg or .pdf")
    inputs = [file] + ([Path(boundaries)] if boundaries and Path(boundaries).exists() else [])
    target = check_output(output, inputs=inputs, overwrite=overwrite)
    units, values, unit_id = _load(file, column, id_column, time_column, boundaries, boundary_id, layer, encoding,
                                   match_names)
    shown_period = _period_value(values, period)
    try:
        cut = [float(b) for b in _split(breaks)] if breaks else None
    except ValueError:
        raise SchemaError(f"--breaks {breaks!r} must be comma-separated numbers") from None
    options = {"scheme": scheme, "k": k, "breaks": cut, "cmap": cmap, "title": title, "lang": lang}
    from maps.errors import MapError

    try:
        if suffix == ".html":
            import maps

            m = maps.choropleth(units, values, id=unit_id, names=_split(names), label=column, tiles=tiles,
                                period=shown_period, **options)
            write_text_atomic(target, m.to_html())
        else:
            from maps.static import choropleth_figure

            fig = choropleth_figure(units, values, id=unit_id, label=column, period=shown_period, inset=inset, **options)
            with atomic_path(target) as tmp:
                fig.savefig(tmp, dpi=300, format=suffix[1:])
    except MapError as exc:
        raise SchemaError(str(exc)) from None
    click.echo(f"wrote {display_path(target)}")


def _period_value(values, period: str | None):
    """The period label as it appears in the columns of a wide frame (years are numbers)."""
    import pandas as pd

    if period is None or not isinstance(values, pd.DataFrame):
        return period
    for column in values.columns:
        if str(column) == period:
            return column
    from spatial.errors import SchemaError

    raise SchemaError(f"--period {period!r} is not in the panel; periods: {', '.join(map(str, values.columns[:20]))}")


def _with_report(config, *, lang: str | None, title: str | None):
    """The configuration with a ``[report]`` section (added if absent, overridden by the options)."""
    from spatial.config import Config, validate_config

    raw = {name: dict(values) for name, values in config.raw.items()}
    section = raw.setdefault("report", {})
    if lang:
        section["lang"] = lang
    if title:
        section["title"] = title
    base = config.source.parent if config.source is not None else None
    checked = validate_config(raw, base=base, where=config.source.name if config.source else "config")
    return Config(sections=checked.sections, source=config.source, raw=raw)


def precheck_report(folder: Path, file: str, overwrite: bool) -> None:
    """Refuse, before any computation, to replace an existing report without ``overwrite``."""
    from spatial._fs import check_output

    if folder.is_dir():
        check_output(folder / file, overwrite=overwrite)


@click.command("report")
@click.argument("config_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "output", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: [project] output in the config).")
@click.option("--lang", type=click.Choice(["en", "zh"]), help="Language of the report (default: [report] lang or en).")
@click.option("--title", help="Title of the report (default: [report] title or [project] name).")
@click.option("--overwrite", is_flag=True, help="Replace existing output files (never the inputs).")
def report_cmd(config_file: Path, output: Path | None, lang: str | None, title: str | None, overwrite: bool) -> None:
    """Run the whole analysis of CONFIG_FILE and write one self-contained HTML report."""
    from spatial._fs import display_path
    from spatial.config import load_config
    from spatial.pipeline import run

    config = _with_report(load_config(config_file), lang=lang, title=title)
    folder = Path(output or config["project"]["output"]).expanduser()
    precheck_report(folder, config["report"]["file"], overwrite)
    ctx = run(config, output=folder, overwrite=overwrite, echo=click.echo if not STATE.quiet else (lambda text: None))
    click.echo(f"report written to {display_path(folder / config['report']['file'])}")
    _progress(f"wrote {len(ctx.outputs)} files to {display_path(folder)}: {', '.join(ctx.outputs)}")
