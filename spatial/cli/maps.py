"""Map and report commands: ``spatial map`` (one map of a column) and ``spatial report`` (the
whole analysis of a config file as one self-contained HTML page)."""

from __future__ import annotations

from pathlib import Path

import click

from spatial.cli import STATE
from spatial.cli.inputs import input_options
from spatial.operations import MAP

_OUTPUTS = (".html", ".png", ".svg", ".pdf")


def _progress(text: str) -> None:
    if not STATE.quiet:
        click.echo(text, err=True)


def _load(file: Path, column: str, id_column: str | None, time_column: str | None, boundaries: str | None,
          loader: dict, names: list[str] | None):
    """(units GeoDataFrame, values as a wide frame or a column name, id column of units or None, the
    ``names`` of the tooltips).

    A table joined to ``boundaries`` is read as every command reads it (``spatial check``'s options:
    bundled names, name matching, the study area, encodings), and its units are named in the tooltips
    as the table names them (unless ``--names`` chooses boundary columns); a boundary file is mapped
    as it is."""
    from spatial.errors import SchemaError

    if boundaries is None:
        from spatial._fs import display_path
        from spatial.io import read_boundaries, require_columns

        joined = [f"--{k.replace('_', '-')}" for k in ("time", "keep", "restrict", "match_names", "match_parent", "id_normalize",
                                                       "sheet", "boundary_id")
                  if (time_column if k == "time" else loader.get(k)) not in (None, "error")]
        if joined:
            raise SchemaError(f"{', '.join(joined)} need a table and --boundaries; a boundary file maps one column "
                              "as it is")
        units = read_boundaries(file, layer=loader["layer"], encoding=loader["boundary_encoding"] or loader["encoding"],
                                id_column=id_column, assume_crs=loader["assume_crs"])
        require_columns(units, [column], display_path(file))
        return units, column, id_column, names
    from spatial.cli.inputs import panel_config, split_list
    from spatial.config import validate_config
    from spatial.pipeline import load_panel, with_context
    from spatial.unit_label import display_units

    if not id_column:
        raise SchemaError("--id is required with --boundaries (the unit id column of the table)")
    raw = panel_config(file, id_column, boundaries=boundaries, time=time_column, variables=[column],
                       **{**loader, "match_names": split_list(loader["match_names"])})
    categories = _categories(file, column, loader)
    if categories is not None:  # text labels (LISA clusters, grades): mapped through numeric codes
        import tempfile

        from spatial.io import read_table

        table = read_table(file, sheet=loader.get("sheet"), encoding=loader.get("encoding"))
        table[column] = table[column].map({c: i for i, c in enumerate(categories)})
        with tempfile.TemporaryDirectory() as folder:
            coded = Path(folder) / "coded.csv"
            table.to_csv(coded, index=False, encoding="utf-8")
            raw["panel"].update({"path": str(coded), "encoding": "utf-8"})
            raw["panel"].pop("sheet", None)
            config = validate_config(raw, where="command line")
            panel = load_panel(config)
        labels = panel.wide(column).apply(lambda c: c.map(lambda v: categories[int(v)] if v == v else None))
        units, names = display_units(with_context(config, panel), panel, names)
        return units, labels, None, names
    config = validate_config(raw, where="command line")
    panel = load_panel(config)
    units, names = display_units(with_context(config, panel), panel, names)  # units outside the study: no data
    return units, panel.wide(column), None, names


def _categories(file: Path, column: str, loader: dict) -> list[str] | None:
    """The labels of a text column in their order of first appearance (None for a numeric column)."""
    import pandas as pd

    from spatial.io import read_table

    table = read_table(file, sheet=loader.get("sheet"), encoding=loader.get("encoding"))
    if column not in table.columns:
        return None
    values = table[column].dropna()
    if values.empty or pd.to_numeric(values, errors="coerce").notna().all():
        return None
    return [str(v) for v in dict.fromkeys(values.astype(str))]


@click.command("map")
@input_options(MAP, weights=False, id_required=False, argument="file")
def map_cmd(file: Path, column: str, output: Path, id_column: str | None, time_column: str | None,
            period: str | None, boundaries: str | None, names: list[str] | None, scheme: str, k: int,
            breaks: list[str] | None, cmap: str | None, title: str | None, lang: str, tiles: str | None, inset: str,
            overwrite: bool, **loader) -> None:
    """Map COLUMN of FILE: a boundary file with the column, or a table joined to --boundaries."""
    import pandas as pd

    from spatial._fs import atomic_path, check_output, display_path, write_text_atomic
    from spatial.errors import SchemaError

    suffix = output.suffix.lower()
    if suffix not in _OUTPUTS:
        raise SchemaError(f"--out {output.name}: write .html, .png, .svg or .pdf")
    inputs = [file] + ([Path(boundaries)] if boundaries and Path(boundaries).exists() else [])
    target = check_output(output, inputs=inputs, overwrite=overwrite)
    try:
        cut = [float(b) for b in breaks] if breaks else None
    except ValueError:
        raise SchemaError(f"--breaks {','.join(breaks)!r} must be comma-separated numbers") from None
    units, values, unit_id, names = _load(file, column, id_column, time_column, boundaries, loader, names)
    shown_period = _period_value(values, period)
    options = {"scheme": scheme, "k": k, "breaks": cut, "cmap": cmap, "title": title, "lang": lang}
    from maps.errors import MapError

    try:
        if not isinstance(values, str) and not values.empty and not all(
                pd.api.types.is_numeric_dtype(d) for d in values.dtypes):
            _category_output(units, values, target, suffix, column, shown_period, title, lang, tiles, inset, names)
            click.echo(f"wrote {display_path(target)}")
            return
        if suffix == ".html":
            import maps

            m = maps.choropleth(units, values, id=unit_id, names=names, label=column, tiles=tiles,
                                period=shown_period, **options)
            write_text_atomic(target, m.to_html())
        else:
            from maps.static import choropleth_figure

            lines = None
            if inset == "south_china_sea":  # the bundled dashed line (data/build/PROVENANCE_china_lines.md)
                from spatial import datasets

                lines = datasets.load("china_scs_line")
            fig = choropleth_figure(units, values, id=unit_id, label=column, period=shown_period, inset=inset,
                                    inset_lines=lines, **options)
            with atomic_path(target) as tmp:
                fig.savefig(tmp, dpi=300, format=suffix[1:])
    except MapError as exc:
        raise SchemaError(str(exc)) from None
    click.echo(f"wrote {display_path(target)}")


_LISA = ("HH", "LL", "LH", "HL", "not significant", "island", "High-High", "Low-Low", "Low-High", "High-Low")


def _category_output(units, labels, target: Path, suffix: str, column: str, period, title, lang: str, tiles,
                     inset: str, names) -> None:
    """A map of a text column: LISA clusters with their colours, other labels as categories."""
    import maps
    from spatial._fs import atomic_path, write_text_atomic
    from spatial.errors import SchemaError

    found = {v for v in labels.to_numpy().ravel() if v is not None}
    lisa = found <= set(_LISA)
    if suffix == ".html":
        if lisa:
            m = maps.lisa_map(units, labels, names=names, title=title or column, label=column, period=period,
                              tiles=tiles, lang=lang)
        else:
            categories = [(c, c) for c in sorted(found)]
            from maps.categories import category_map

            m = category_map(units, labels, categories, names=names, title=title or column, label=column,
                                  period=period, tiles=tiles, lang=lang)
        write_text_atomic(target, m.to_html())
        return
    if not lisa:
        raise SchemaError(f"--column {column} holds text labels: a figure (.png, .svg, .pdf) of categories is drawn "
                          "for LISA clusters only; write .html for other categories")
    from maps.static import lisa_figure

    shown = labels[period] if period is not None else labels.iloc[:, -1]
    lines = None
    if inset == "south_china_sea":
        from spatial import datasets

        lines = datasets.load("china_scs_line")
    fig = lisa_figure(units, shown, title=title or column, lang=lang, inset=inset, inset_lines=lines)
    with atomic_path(target) as tmp:
        fig.savefig(tmp, dpi=300, format=suffix[1:])


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
