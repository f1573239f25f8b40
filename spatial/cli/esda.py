"""``spatial moran``, ``spatial lisa``, ``spatial hotspots``: spatial autocorrelation of a panel.

Inputs as in ``spatial check``: a long table (one row per unit and period) with boundaries (from
which queen or rook contiguity is built) and/or a weights file (any format that
:func:`weights.read_weights` reads: ``.gal``, ``.gwt``, edge or matrix ``.csv``, ``.xlsx``...).
``--seed`` is required whenever permutations are used and is written into the outputs. Outputs
are checked before any computation and written atomically: ``.csv`` (formula-safe) or ``.json``
by the suffix of ``--out``; figures as PNG (300 dpi) and SVG.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from spatial._options import MAX_SEED
from spatial.cli import STATE, uses_weights
from spatial.cli.inputs import LOADER_KEYS, input_options
from spatial.operations import HOTSPOTS, LISA, MORAN

__all__ = ["moran_cmd", "lisa_cmd", "hotspots_cmd"]

_TABLE_SUFFIXES = (".csv", ".json")


def _split(text: str | list[str] | None) -> list[str] | None:
    """A comma-separated flag value as a list (the declared list options arrive split already)."""
    if isinstance(text, list):
        return text or None
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


def _progress(text: str) -> None:
    if not STATE.quiet:
        click.echo(text, err=True)


def _check_seed(permutations: int, seed: int | None) -> None:
    if permutations and seed is None:
        raise click.UsageError(
            f"--seed is required with --permutations {permutations} (it is written into the outputs so the "
            "p-values can be reproduced); or pass --permutations 0 for analytical p-values"
        )


def _load(options: dict[str, Any], also: list[str] | None = None):
    """The validated panel and the weights (read from a file or built from the boundaries).

    ``also`` names variables needed besides ``--variables`` (the lag variable of a bivariate test).
    """
    from spatial.cli.inputs import panel_config
    from spatial.config import validate_config
    from spatial.pipeline import load_panel

    since = len(STATE.warnings)
    if options["boundaries"] is None and options["weights_file"] is None:
        raise click.UsageError("give --boundaries (contiguity is built from them) or a --weights file")
    variables = _split(options["variables"])
    if variables is not None and also:
        variables = list(dict.fromkeys(variables + also))
    raw = panel_config(
        options["table"], options["id_column"], boundaries=options["boundaries"], time=options["time_column"],
        variables=variables, match_names=_split(options["match_names"]), **{k: options[k] for k in LOADER_KEYS},
    )
    panel = load_panel(validate_config(raw, where="command line"))
    import weights

    if options["weights_file"] is not None:  # aligned by key, with the id options of the boundaries
        from spatial.pipeline import echo_repairs
        from spatial.weights_file import read_aligned_weights

        before = len(panel.dropped)
        panel, graph = read_aligned_weights(options["weights_file"], panel, restrict=options["restrict"],
                                            id_normalize=options["id_normalize"])
        echo_repairs(panel.dropped.iloc[before:], _progress)
    else:
        graph = (weights.rook if options["contiguity"] == "rook" else weights.queen)(panel.geometry)
    name = options["weights_file"].name if options["weights_file"] is not None else f"{options['contiguity']} contiguity"
    uses_weights(graph, name, since)
    return panel, graph


def _outputs(options: dict[str, Any], extra: list[Path]) -> list[Path]:
    """Check every output before the computation."""
    from spatial._fs import check_output
    from spatial.errors import OutputError

    files = options["weights_file"]
    files = list(files) if isinstance(files, (list, tuple)) else [files]  # several: ``moran`` robustness set
    inputs = [p for p in (options["table"], options["boundaries"], *files) if p is not None]
    checked = []
    if options["output"] is not None:
        if options["output"].suffix.lower() not in _TABLE_SUFFIXES:
            raise OutputError(f"--out must end in .csv or .json, got {options['output'].name!r}")
        checked.append(check_output(options["output"], inputs=inputs, overwrite=options["overwrite"]))
    for path in extra:
        checked.append(check_output(path, inputs=inputs, overwrite=options["overwrite"]))
    return checked


def _write(path: Path, result, table, partial: bool = False, panel=None) -> None:
    """The result as JSON or CSV; a CSV keyed by unit id gets the user's unit names (``label``)."""
    from spatial._fs import display_path, write_text_atomic
    from spatial.cli import mark_partial
    from spatial.csv_output import write_csv_file
    from spatial.panel import with_unit_labels
    from spatial.pipeline import partial_json

    table = with_unit_labels(table, panel)
    if path.suffix.lower() == ".json":
        write_text_atomic(path, (partial_json(result.to_json(), result.failed) if partial else result.to_json()) + "\n")
    else:
        write_csv_file(path, table.assign(partial=True) if partial else table, index=False)
    if partial:
        mark_partial(path)
    _progress(f"wrote {display_path(path)}: {len(table)} rows" + (" (partial)" if partial else ""))


def _compute(function, partial: bool):
    """Run ``function``. When some variables or periods fail: stop before anything is written, or
    with ``--partial`` keep the others (returned with the error, which the caller warns about)."""
    from spatial.esda import UndefinedStatisticError

    try:
        return function(), None
    except UndefinedStatisticError as exc:
        if not partial:
            raise exc.advised("nothing was written. Pass --partial to write the others, marked as partial") from None
        return exc.partial, exc


def _warn_partial(failure) -> None:
    if failure is not None:
        import warnings

        from spatial.errors import SpatialWarning

        warnings.warn(f"partial results (--partial): {failure}", SpatialWarning, stacklevel=2)


def _figure_paths(stem: Path | None) -> list[Path]:
    return [] if stem is None else [stem.with_suffix(".png"), stem.with_suffix(".svg")]


@click.command("moran")
@input_options(MORAN, several_weights=True)
def moran_cmd(statistics: list[str], lag_variable: str | None, figure: Path | None, language: str, **options) -> None:
    """Global Moran's I (and Geary's C, Getis-Ord G) of each variable in each period of TABLE.

    One row per period, variable, statistic and inference (normality, randomisation,
    permutation), with one-sided (p_upper, p_lower) and two-sided p-values. With --weights
    repeated, the statistics under each W side by side (a robustness set, named by the file stems).
    """
    from spatial import esda

    _check_seed(options["permutations"], options["seed"])
    files = tuple(options["weights_file"] or ())
    if len(files) > 1:
        _moran_robustness(files, statistics, lag_variable, figure, language, options)
        return
    options["weights_file"] = files[0] if files else None
    figures = _figure_paths(figure)
    _outputs(options, figures)
    panel, graph = _load(options, also=[lag_variable] if lag_variable else None)
    common = {"periods": _split(options["periods"]), "permutations": options["permutations"],
              "seed": options["seed"], "transform": options["transform"]}
    if lag_variable:
        variables = _split(options["variables"]) or [v for v in panel.variables if v != lag_variable]
        results, failures = [], []
        for variable in variables:
            result, failure = _compute(lambda v=variable: esda.moran_bv(panel, graph, v, lag_variable, **common),
                                       options["errors"] == "record")
            results.append(result)
            failures.append(failure)
        import pandas as pd

        result = esda.GlobalAutocorrelation(
            table=pd.concat([r.table for r in results], ignore_index=True),
            failed=pd.concat([r.failed for r in results], ignore_index=True),
            islands=results[0].islands, transform=results[0].transform,
            permutations=results[0].permutations, seed=results[0].seed,
        )
        failure = next((f for f in failures if f is not None), None)
        statistic = "bivariate_moran_i"
    else:
        chosen = _split(statistics) or ["moran"]
        result, failure = _compute(lambda: esda.global_autocorrelation(
            panel, graph, _split(options["variables"]), statistics=chosen, **common), options["errors"] == "record")
        statistic = "moran_i" if "moran" in chosen else {"geary": "geary_c", "getis_ord": "getis_ord_g"}[chosen[0]]
    click.echo(result.summary())
    if options["output"] is not None:
        _write(options["output"], result, result.table, partial=failure is not None, panel=panel)
    if figure is not None and not result.table.empty:
        from spatial.esda import moran_over_time, save_figure

        drawn = moran_over_time(result, statistic=statistic, language=language)
        save_figure(drawn, figure, overwrite=options["overwrite"])
        _progress(f"wrote {figure.with_suffix('.png').name} and {figure.with_suffix('.svg').name}")
    _warn_partial(failure)


def weights_names(files) -> dict[str, Path]:
    """The files of a robustness set by name (their stems), refusing two files of the same stem."""
    names: dict[str, Path] = {}
    for path in files:
        if path.stem in names:
            raise click.UsageError(f"--weights {names[path.stem]} and --weights {path} share the name {path.stem!r}, "
                                   "which names their columns; rename one of the files")
        names[path.stem] = path
    return names


def _moran_robustness(files, statistics, lag_variable, figure, language: str, options: dict[str, Any]) -> None:
    """``moran --weights W1 --weights W2 ...``: the statistics under each W, then Moran's I by year under each
    W side by side (as a config's ``[esda] weights = [...]`` writes ``esda_moran_robustness_table``)."""
    import json

    import pandas as pd

    from spatial import esda
    from spatial.steps.esda import side_by_side

    for given, flag in ((lag_variable, "--bivariate"), (figure, "--figure")):
        if given is not None:
            raise click.UsageError(f"{flag} with several --weights is not supported; give one --weights per run")
    names = weights_names(files)
    _outputs(options, [])
    chosen = _split(statistics) or ["moran"]
    common = {"periods": _split(options["periods"]), "permutations": options["permutations"],
              "seed": options["seed"], "transform": options["transform"]}
    panel, graphs = None, {}
    for name, path in names.items():
        loaded, graph = _load({**options, "weights_file": path})
        if panel is not None and list(loaded.entities) != list(panel.entities):
            raise click.UsageError(f"--weights {path} and the weights before it cover different units; with several "
                                   "--weights every file must cover the same units (give --keep or fix the files)")
        panel, graphs[name] = loaded, graph
    results, failure = {}, None
    for name, graph in graphs.items():
        results[name], failed = _compute(lambda g=graph: esda.global_autocorrelation(
            panel, g, _split(options["variables"]), statistics=chosen, **common), options["errors"] == "record")
        failure = failure or failed
        click.echo(f"Weights {name}")
        click.echo(results[name].summary())
    long = pd.concat([r.table.assign(weights=n) for n, r in results.items()], ignore_index=True)
    click.echo("")
    click.echo(f"Robustness: global statistics under each weights matrix ({', '.join(names)})")
    if not long.empty:
        click.echo(side_by_side(long).to_string())
    if (long["statistic"] == "moran_i").any():
        click.echo("")
        click.echo(esda.moran_table(long, lang=language).to_text())
    if options["output"] is not None:
        first = next(iter(results.values()))
        failed = [r.failed.assign(weights=n) for n, r in results.items() if len(r.failed)]
        combined = esda.GlobalAutocorrelation(
            table=long, failed=pd.concat(failed, ignore_index=True) if failed else first.failed,
            transform=first.transform, permutations=first.permutations, seed=first.seed)
        document = json.loads(combined.to_json())
        document["islands"] = {n: list(r.islands) for n, r in results.items()}
        document["weights"] = {n: str(p) for n, p in names.items()}
        from types import SimpleNamespace

        written = SimpleNamespace(failed=combined.failed,
                                  to_json=lambda: json.dumps(document, indent=2, ensure_ascii=False))
        _write(options["output"], written, long, partial=failure is not None, panel=panel)
    _warn_partial(failure)


@click.command("lisa")
@input_options(LISA)
def lisa_cmd(alpha: float, adjust: str, moments: str, scale: str, transition_periods: list[str] | None,
             figure: Path | None, labels: str | None, language: str, **options) -> None:
    """Local Moran (LISA) clusters HH, LL, HL, LH, not significant, island, by period of TABLE."""
    from spatial import esda

    _check_seed(options["permutations"], options["seed"])
    pair = _split(transition_periods)
    if pair is not None and len(pair) != 2:
        raise click.BadParameter("expected START,END", param_hint="--transitions")
    if pair is not None and options["output"] is None:
        raise click.UsageError("--transitions needs --out (the transitions go beside it)")
    extra = _figure_paths(figure)
    if pair is not None:
        extra.append(options["output"].with_name(f"{options['output'].stem}_transitions{options['output'].suffix}"))
    _outputs(options, extra)
    panel, graph = _load(options)
    periods = _split(options["periods"])
    if pair is not None and periods is not None:
        periods = list(dict.fromkeys(periods + pair))
    result, failure = _compute(lambda: esda.local_moran(
        panel, graph, _split(options["variables"]), periods=periods, permutations=options["permutations"],
        seed=options["seed"], alpha=alpha, adjust=adjust, transform=options["transform"], moments=moments,
        scale=scale), options["errors"] == "record")
    click.echo(result.summary())
    if options["output"] is not None:
        _write(options["output"], result, result.table, partial=failure is not None, panel=panel)
    if pair is not None:
        _write_transitions(result, panel, pair, extra[-1])
    if figure is not None and not result.table.empty:
        labels = _labels(panel, labels)
        last = result.table["period"].iloc[-1]
        first_variable = result.table["variable"].iloc[0]
        fig = esda.moran_scatter(result, variable=first_variable, period=last, labels=labels, language=language)
        esda.save_figure(fig, figure, overwrite=options["overwrite"])
        _progress(f"wrote {figure.with_suffix('.png').name} and {figure.with_suffix('.svg').name}")
    _warn_partial(failure)


def _write_transitions(result, panel, pair: list[str], target: Path) -> None:
    import pandas as pd

    from spatial import esda
    from spatial._fs import display_path, write_text_atomic
    from spatial.csv_output import write_csv_file

    start, end = _period(panel, pair[0]), _period(panel, pair[1])
    variables = dict.fromkeys(result.table["variable"])
    moves = [esda.transitions(result, variable=v, start=start, end=end) for v in variables]
    for move in moves:
        click.echo(move.summary())
    if target.suffix.lower() == ".json":
        write_text_atomic(target, "[\n" + ",\n".join(m.to_json() for m in moves) + "\n]\n")
    else:
        from spatial.panel import with_unit_labels

        units = pd.concat([m.units.assign(variable=m.variable, start=start, end=end) for m in moves], ignore_index=True)
        write_csv_file(target, with_unit_labels(units, panel), index=False)
    _progress(f"wrote {display_path(target)}: transitions of {len(moves)} variables")


def _period(panel, text: str):
    from spatial.esda import select_periods

    return select_periods(panel, [text])[0]


def _labels(panel, column: str | None):
    """Short names by id from a boundary or table text column; without one, the user's own unit names
    (a table matched by name), else None (the ids)."""
    if column is None:
        return panel.unit_labels
    from spatial.errors import SchemaError
    from spatial.io import close_matches

    if panel.geometry is not None and column in panel.geometry.columns:
        return panel.geometry[column].astype(str)
    if column in panel.labels.columns:
        return panel.labels[column].groupby(level=0).first().astype(str)
    available = ([c for c in panel.geometry.columns if c != "geometry"] if panel.geometry is not None else []) + list(
        panel.labels.columns
    )
    hint = close_matches(column, available)
    raise SchemaError(
        f"--labels {column!r} is neither a boundary nor a text column"
        + (f" (did you mean {' or '.join(map(repr, hint))}?)" if hint else "")
        + f"; available: {', '.join(available) or '(none)'}"
    )


@click.command("hotspots")
@input_options(HOTSPOTS)
def hotspots_cmd(adjust: str, **options) -> None:
    """Getis-Ord Gi* hot and cold spots at 90/95/99 percent, by period of TABLE."""
    from spatial import esda

    _check_seed(options["permutations"], options["seed"])
    _outputs(options, [])
    panel, graph = _load(options)
    result, failure = _compute(lambda: esda.hot_spots(
        panel, graph, _split(options["variables"]), periods=_split(options["periods"]),
        permutations=options["permutations"], seed=options["seed"], adjust=adjust,
        transform=options["transform"]), options["errors"] == "record")
    click.echo(result.summary())
    if options["output"] is not None:
        _write(options["output"], result, result.table, partial=failure is not None, panel=panel)
    _warn_partial(failure)
