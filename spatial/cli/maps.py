"""Map and report commands: ``spatial map`` (one map of a column) and ``spatial report`` (the
whole analysis of a config file as one self-contained HTML page)."""

from __future__ import annotations

from pathlib import Path

import click

from spatial.cli import STATE
from spatial.cli.inputs import input_options
from spatial.operations import MAP
from spatial.operations_core import REPORT

_OUTPUTS = (".html", ".png", ".svg", ".pdf")
_SEED_UNUSED = ("--seed is for --kind lisa on a numeric column (the permutations of the clusters it computes); this "
                "map computes nothing")


def _progress(text: str) -> None:
    if not STATE.quiet:
        click.echo(text, err=True)


def _load(file: Path, column: str, id_column: str | None, time_column: str | None, boundaries: str | None,
          loader: dict, names: list[str] | None, as_text: bool = False):
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

        joined = [f"--{k.replace('_', '-')}" for k in ("time", "keep", "restrict", "match_names", "match_parent",
                                                       "id_normalize", "sheet", "boundary_id", "balance", "missing",
                                                       "coerce_numeric")
                  if (time_column if k == "time" else loader.get(k)) not in (None, "error", False)]
        if joined:
            raise SchemaError(f"{', '.join(joined)} need a table and --boundaries; a boundary file maps one column "
                              "as it is")
        units = read_boundaries(file, layer=loader["layer"], encoding=loader["boundary_encoding"] or loader["encoding"],
                                id_column=id_column, assume_crs=loader["assume_crs"])
        require_columns(units, [column], display_path(file))
        if as_text:  # labels (numbers too) of a boundary file's column, by unit id
            ids = units[id_column].astype(str) if id_column else units.index.astype(str)
            labels = units[column].map(lambda v: None if v is None or v != v else _label(v))
            return units, labels.set_axis(ids).to_frame(column), id_column, names
        return units, column, id_column, names
    from spatial.cli.inputs import panel_config, split_list
    from spatial.config import validate_config
    from spatial.pipeline import load_panel, with_context
    from spatial.unit_label import display_units

    if not id_column:
        raise SchemaError("--id is required with --boundaries (the unit id column of the table)")
    raw = panel_config(file, id_column, boundaries=boundaries, time=time_column, variables=[column],
                       **{**loader, "match_names": split_list(loader["match_names"])})
    categories = _categories(file, column, loader, as_text)
    if categories is not None:  # text labels (LISA clusters, grades): mapped through numeric codes
        import tempfile

        from spatial.io import read_table

        table = read_table(file, sheet=loader.get("sheet"), encoding=loader.get("encoding"))
        table[column] = table[column].map(lambda v: None if v is None or v != v else _label(v)).map(
            {c: i for i, c in enumerate(categories)})
        with tempfile.TemporaryDirectory() as folder:
            coded = Path(folder) / "coded.csv"
            table.to_csv(coded, index=False, encoding="utf-8")
            raw["panel"].update({"path": str(coded), "encoding": "utf-8"})
            raw["panel"].pop("sheet", None)
            config = validate_config(raw, where="command line")
            panel = load_panel(config)
        labels = panel.wide(column).apply(lambda c: c.map(lambda v: categories[int(v)] if v == v else None))
        units, names = display_units(with_context(config, panel), panel.unit_labels, names)
        return units, labels, None, names
    config = validate_config(raw, where="command line")
    panel = load_panel(config)
    # units outside the study drawn as no data; tooltips name the units as the table does
    units, names = display_units(with_context(config, panel), panel.unit_labels, names)
    return units, panel.wide(column), None, names


def _label(value) -> str:
    """A category's text: 3.0 read from a table is the category 3."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _categories(file: Path, column: str, loader: dict, as_text: bool = False) -> list[str] | None:
    """The labels of a text column in their order of first appearance (None for a numeric column, unless
    ``as_text``: numbers as categories)."""
    from spatial.io import read_table
    from spatial.panel import reads_as_numbers

    table = read_table(file, sheet=loader.get("sheet"), encoding=loader.get("encoding"))
    if column not in table.columns:
        return None
    values = table[column].dropna()
    if values.empty or (not as_text and reads_as_numbers(values, coerce_numeric=bool(loader.get("coerce_numeric")))):
        return None
    return [str(v) for v in dict.fromkeys(values.map(_label))]


@click.command("map")
@input_options(MAP, weights=False, id_required=False, argument="file")
def map_cmd(file: Path, column: str | None, kind: str | None, output: Path, id_column: str | None,
            time_column: str | None, period: str | None, seed: int | None, boundaries: str | None,
            names: list[str] | None, scheme: str,
            k: int, breaks: list[str] | None, cmap: str | None, title: str | None, lang: str, tiles: str | None,
            inset: str, overwrite: bool, **loader) -> None:
    """Map FILE: a column of a boundary file or of a table joined to --boundaries; the LISA clusters,
    hot spots or per-unit effects our commands write; or a weights file's links (see --kind)."""
    from spatial._fs import check_output, display_path
    from spatial.cli.map_kinds import detect_kind
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
    kind = kind or detect_kind(file, column, boundaries, loader)
    if kind not in (None, "choropleth", "categories", "lisa") and suffix != ".html":
        raise SchemaError(f"--kind {kind} is drawn as an interactive map: write .html (figures, .png .svg .pdf, are "
                          "drawn for choropleths and LISA clusters)")
    shown = dict(names=names, title=title, lang=lang, tiles=tiles)
    from maps.errors import MapError

    try:
        results = kind in ("hotspots", "effects") or (kind == "lisa" and boundaries is not None
                                                       and _is_results(file, column, loader))
        if seed is not None and (results or kind == "links"):
            raise SchemaError(_SEED_UNUSED)
        if kind == "links":
            _links_output(file, target, id_column, boundaries, loader, **shown)
        elif results:
            _results_output(file, kind, column, target, suffix, id_column, time_column, period, boundaries, loader,
                            scheme=scheme if _given("scheme") else None, k=k, cmap=cmap, inset=inset, **shown)
        else:
            if column is None:
                raise SchemaError("--column is required: the column to map (or --kind links to draw the contiguity "
                                  "of a boundary file)")
            _column_output(file, kind, column, target, suffix, id_column, time_column, period, seed, boundaries, loader,
                           options={"scheme": scheme, "k": k, "breaks": cut, "cmap": cmap, "title": title,
                                    "lang": lang}, tiles=tiles, inset=inset, names=names)
    except MapError as exc:
        raise SchemaError(str(exc)) from None
    click.echo(f"wrote {display_path(target)}")


def _given(name: str) -> bool:
    """Whether the option was typed (not its default)."""
    from click.core import ParameterSource

    context = click.get_current_context()
    return context.get_parameter_source(name) not in (ParameterSource.DEFAULT, None)


def _is_results(file: Path, column: str | None, loader: dict) -> bool:
    """Whether a LISA map reads the table of ``spatial lisa --out`` (one row per unit, period and variable,
    ``--column`` naming the variable), not a column of cluster labels."""
    from spatial.cli.map_kinds import read_results

    columns = read_results(file, loader).columns
    return column is None or column == "cluster" and "variable" in columns or column not in columns


def _column_output(file: Path, kind: str | None, column: str, target: Path, suffix: str, id_column, time_column,
                   period, seed: int | None, boundaries, loader: dict, *, options: dict, tiles, inset: str,
                   names) -> None:
    """A choropleth of a numeric column, or categories (LISA labels among them) of a text column."""
    import pandas as pd

    from spatial._fs import atomic_path, write_text_atomic
    from spatial.errors import SchemaError

    if kind == "lisa" and _numeric(file, column, boundaries, loader):
        if boundaries is None or seed is None:
            raise SchemaError(f"--column {column} holds numbers, not LISA cluster labels: give --seed N (and "
                              "--boundaries) to compute its clusters here (queen contiguity, 999 permutations), or "
                              f"compute them with `spatial lisa FILE --variables {column} ... --out lisa.csv` and "
                              "map that file (spatial map lisa.csv --boundaries ...)")
        _computed_lisa(file, column, target, suffix, id_column, time_column, period, seed, boundaries, loader,
                       title=options["title"], lang=options["lang"], tiles=tiles, inset=inset, names=names)
        return
    if seed is not None:
        raise SchemaError(_SEED_UNUSED)
    units, values, unit_id, names = _load(file, column, id_column, time_column, boundaries, loader, names,
                                          as_text=kind in ("categories", "lisa"))
    shown_period = _period_value(values, period)
    text = not isinstance(values, str) and not values.empty and not all(
        pd.api.types.is_numeric_dtype(d) for d in values.dtypes)
    if kind == "choropleth" and text:
        raise SchemaError(f"--column {column} holds text, not numbers: map it with --kind categories (or --kind lisa "
                          "for LISA cluster labels)")
    if text:
        _category_output(units, values, target, suffix, column, shown_period, options["title"], options["lang"], tiles,
                         inset, names, lisa=None if kind is None else kind == "lisa")
        return
    if suffix == ".html":
        import maps

        m = maps.choropleth(units, values, id=unit_id, names=names, label=column, tiles=tiles,
                            period=shown_period, **options)
        write_text_atomic(target, m.to_html())
        return
    from maps.static import choropleth_figure

    fig = choropleth_figure(units, values, id=unit_id, label=column, period=shown_period, inset=inset,
                            inset_lines=_inset_lines(inset), **options)
    with atomic_path(target) as tmp:
        fig.savefig(tmp, dpi=300, format=suffix[1:])


def _computed_lisa(file: Path, column: str, target: Path, suffix: str, id_column, time_column, period, seed: int,
                   boundaries, loader: dict, *, title, lang, tiles, inset: str, names) -> None:
    """LISA clusters of ``column`` computed as `spatial lisa` computes them by default (queen contiguity of
    the boundaries, row-standardised, 999 conditional permutations, alpha 0.05), then mapped."""
    import weights
    from spatial import esda
    from spatial.cli.inputs import panel_config, split_list
    from spatial.config import validate_config
    from spatial.pipeline import load_panel, with_context

    raw = panel_config(file, id_column, boundaries=boundaries, time=time_column, variables=[column],
                       **{**loader, "match_names": split_list(loader["match_names"])})
    config = validate_config(raw, where="command line")
    panel = load_panel(config)
    result = esda.local_moran(panel, weights.queen(panel.geometry), [column], permutations=999, seed=seed)
    table = result.table
    clusters = table.pivot(index="id", columns="period", values="cluster")
    pvalues = table.pivot(index="id", columns="period", values="p_sim").astype(float)
    from spatial.unit_label import display_units

    units, names = display_units(with_context(config, panel), panel.unit_labels, names)
    shown = _period_value(clusters, period)
    heading = title or f"LISA: {column} (queen, 999 permutations, seed {seed})"
    if suffix != ".html":
        _category_output(units, clusters, target, suffix, heading, shown, title or heading, lang, tiles, inset, names,
                         lisa=True)
        return
    import maps
    from spatial._fs import write_text_atomic

    m = maps.lisa_map(units, clusters, pvalues=pvalues, alpha=0.05, names=names, title=heading, label=column,
                      period=shown, tiles=tiles, lang=lang)
    write_text_atomic(target, m.to_html())


def _numeric(file: Path, column: str, boundaries, loader: dict) -> bool:
    """Whether ``column`` of the table (or of the boundary file) holds numbers only."""
    import pandas as pd

    if boundaries is not None:
        return _categories(file, column, loader) is None
    from spatial.io import read_boundaries

    units = read_boundaries(file, layer=loader["layer"], encoding=loader["boundary_encoding"] or loader["encoding"],
                            assume_crs=loader["assume_crs"])
    return column in units.columns and pd.api.types.is_numeric_dtype(units[column])


def _inset_lines(inset: str):
    """The bundled South China Sea line for the inset (data/build/PROVENANCE_china_lines.md)."""
    if inset != "south_china_sea":
        return None
    from spatial import datasets

    return datasets.load("china_scs_line")


def _links_output(file: Path, target: Path, id_column, boundaries, loader: dict, *, names, title, lang, tiles) -> None:
    import maps
    from spatial._fs import write_text_atomic
    from spatial.cli.map_kinds import links_inputs

    units, edges, outside = links_inputs(file, id_column, boundaries, loader)
    m = maps.links_map(units, edges, names=names, title=title, lang=lang, tiles=tiles, outside=outside)
    write_text_atomic(target, m.to_html())


def _results_output(file: Path, kind: str, column, target: Path, suffix: str, id_column, time_column, period,
                    boundaries, loader: dict, *, scheme, k: int, cmap, inset: str, names, title, lang, tiles) -> None:
    """A LISA, hot-spot or effects map of the table (or JSON) our commands write."""
    import maps
    from spatial._fs import write_text_atomic
    from spatial.cli.map_kinds import result_frames

    units, frames, variable, names = result_frames(file, kind, column, id_column, time_column, boundaries, loader,
                                                   names)
    if kind == "effects":
        import pandas as pd

        effects = pd.DataFrame({c: f.iloc[:, 0] for c, f in frames.items()})
        m = maps.effects_map(units, effects.astype(float), variable=variable or column or file.stem, names=names, title=title,
                             lang=lang, tiles=tiles, scheme=scheme or "continuous", k=k, cmap=cmap)
        write_text_atomic(target, m.to_html())
        return
    clusters = frames.get("cluster")
    shown_period = _period_value(next(iter(frames.values())), period)
    label = variable or column
    if kind == "lisa" and suffix != ".html":
        _category_output(units, clusters, target, suffix, label, shown_period, title, lang, tiles, inset, names,
                         lisa=True)
        return
    if kind == "lisa":
        p = next((f for c, f in frames.items() if c != "cluster"), None)
        m = maps.lisa_map(units, clusters, pvalues=None if p is None else _numbers(p), names=names,
                          title=title or (f"LISA: {label}" if label else None), label=label, period=shown_period,
                          tiles=tiles, lang=lang)
    else:
        z, p = _numbers(frames["z"]), _numbers(next(f for c, f in frames.items() if c not in ("z", "category")))
        m = maps.hotspot_map(units, z, p, categories=frames.get("category"), names=names,
                             title=title or (f"Gi*: {label}" if label else None), period=shown_period, tiles=tiles,
                             lang=lang)
    write_text_atomic(target, m.to_html())


def _numbers(frame):
    """A results table's numbers as floats; the empty cells of an island (no p-value, no z) are missing."""
    return frame.replace("", None).astype(float)


_LISA = ("HH", "LL", "LH", "HL", "not significant", "island", "High-High", "Low-Low", "Low-High", "High-Low")


def _category_output(units, labels, target: Path, suffix: str, column: str, period, title, lang: str, tiles,
                     inset: str, names, lisa: bool | None = None) -> None:
    """A map of a text column: LISA clusters with their colours, other labels as categories (``lisa``:
    which of them, None: LISA when every label is a LISA cluster)."""
    import maps
    from spatial._fs import atomic_path, write_text_atomic
    from spatial.errors import SchemaError

    found = {v for v in labels.to_numpy().ravel() if v is not None and v == v}
    if lisa is None:
        lisa = found <= set(_LISA)
    if suffix == ".html":
        if lisa:
            m = maps.lisa_map(units, labels, names=names, title=title or column, label=column, period=period,
                              tiles=tiles, lang=lang)
        else:
            categories = [(c, c) for c in sorted(found, key=_order)]
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
    fig = lisa_figure(units, shown, title=title or column, lang=lang, inset=inset, inset_lines=_inset_lines(inset))
    with atomic_path(target) as tmp:
        fig.savefig(tmp, dpi=300, format=suffix[1:])


def _order(label: str):
    """Numbers in numeric order (grade 2 before 10), then text in alphabetical order."""
    try:
        return (0, float(label), "")
    except ValueError:
        return (1, 0.0, label)


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
@REPORT.options()
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
