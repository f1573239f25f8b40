"""``spatial index ...``: composite indices, coupling coordination, inequality, geographic detector,
location quotients, AHP, obstacle degree, DEA and productivity, Markov chains, centre of gravity.

Every command reads one long table (CSV, XLSX or Parquet: one row per unit and period), checks
all its outputs before computing (never over an input, never over an existing file without
``--overwrite``), and writes formula-safe CSV tables atomically. Multi-table results go to
siblings of ``--out`` (``scores.csv`` -> ``scores_weights.csv``).

Each command's options are generated from its declaration in :mod:`spatial.operations_indices`
and it computes with the operation's workflow function (:mod:`spatial.indices.workflow`), the
one the ``[indices]`` step of a run and Python call too.
"""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import click

from spatial.choices import Grading
from spatial.cli import STATE
from spatial.operations_indices import (
    INDEX_AHP,
    INDEX_COMPOSITE,
    INDEX_CONVERGENCE,
    INDEX_COUPLING,
    INDEX_DEA,
    INDEX_GEODETECTOR,
    INDEX_GINI,
    INDEX_GRAVITY,
    INDEX_KDE,
    INDEX_LQ,
    INDEX_MARKOV,
    INDEX_OBSTACLE,
    INDEX_PRODUCTIVITY,
    INDEX_THEIL,
)

__all__ = ["index_cmd"]

_GRADINGS = get_args(Grading)  # or a grading CSV


def _numbers(values: list[str] | None, option: str) -> list[float] | None:
    """The numbers of a comma-separated option (already split), or None when it was not given."""
    if not values:
        return None
    try:
        return [float(t) for t in values]
    except ValueError:
        raise click.BadParameter(f"expected comma-separated numbers, got {','.join(values)!r}",
                                 param_hint=option) from None


def _pair(values: list[str] | None, option: str, example: str) -> tuple[float, float] | None:
    """Two numbers (``low,high``) or None."""
    numbers = _numbers(values, option)
    if numbers is not None and len(numbers) != 2:
        raise click.BadParameter(f"give two numbers, e.g. {example}", param_hint=option)
    return None if numbers is None else (numbers[0], numbers[1])


_table_argument = click.argument("table", type=click.Path(dir_okay=False, path_type=Path))


class _Outputs:
    """The files a command will write, checked before any computation."""

    def __init__(self, main: Path, suffixes: list[str], inputs: list[Path], overwrite: bool) -> None:
        from spatial._fs import check_output

        self.main = main
        self.paths = {
            suffix: check_output(
                main if not suffix else main.with_name(f"{main.stem}_{suffix}.csv"), inputs=inputs, overwrite=overwrite
            )
            for suffix in ["", *suffixes]
        }

    def figures(self, suffixes: tuple[str, ...], inputs: list[Path], overwrite: bool) -> list[Path]:
        """Check the figures (``.png``, ``.svg``, ...) written beside the main table."""
        from spatial._fs import check_output

        return [check_output(self.main.with_suffix(s), inputs=inputs, overwrite=overwrite) for s in suffixes]

    def write_all(self, tables: dict) -> None:
        """Write each table (``None`` ones skipped) to the output of its suffix, in order."""
        for suffix, frame in tables.items():
            if frame is not None:
                self.write(suffix, frame)

    def write(self, suffix: str, frame, **kwargs) -> None:
        from spatial._fs import display_path
        from spatial.csv_output import write_csv_file

        path = self.paths[suffix]
        write_csv_file(path, frame, index=False, **kwargs)
        _progress(f"wrote {display_path(path)}: {len(frame)} rows")


def _read(table: Path, sheet: str | None, encoding: str | None):
    from spatial.io import read_table

    return read_table(table, sheet=sheet, encoding=encoding)


def _start(table: Path, output: Path, suffixes: list[str], overwrite: bool, sheet, encoding, inputs=()):
    """Check every output (``--out`` and its ``_<suffix>`` siblings) first, then read TABLE."""
    outputs = _Outputs(output, suffixes, [table, *inputs], overwrite)
    return outputs, _read(table, sheet, encoding)


def _period(text: str):
    """A period given on the command line: whole numbers as ``int`` (like the table's periods)."""
    return int(text) if text.lstrip("-").isdigit() else text


def _progress(text: str) -> None:
    if not STATE.quiet:
        click.echo(text, err=True)


def _wrote(paths) -> None:
    from spatial._fs import display_path

    for path in paths:
        _progress(f"wrote {display_path(path)}")


@click.group("index", context_settings={"help_option_names": ["-h", "--help"]})
def index_cmd() -> None:
    """Composite indices, coupling coordination, inequality, geographic detector, location quotients,
    AHP, obstacle degree, DEA efficiency and productivity (GML, Malmquist), Markov chains, centre of gravity.

    Inputs are long tables: one row per unit (--id) and period (--time).
    """


@index_cmd.command("composite")
@_table_argument
@INDEX_COMPOSITE.options()
def composite_cmd(table, output, sheet, encoding, overwrite, **values) -> None:
    """Composite index of TABLE from an indicator system (entropy weights by default).

    Writes the scores with ranks (--out), the weights table (_weights) and, for TOPSIS, the
    distances to the ideal solutions (_distances).
    """
    from spatial.indices.workflow import run_composite

    suffixes = ["weights"] + (["distances"] if values["method"] == "topsis" else [])
    outputs, frame = _start(table, output, suffixes, overwrite, sheet, encoding, inputs=[values["indicators"]])
    outputs.write_all(run_composite(frame, **INDEX_COMPOSITE.keywords({}, **values)).tables)


@index_cmd.command("coupling")
@_table_argument
@INDEX_COUPLING.options()
def coupling_cmd(table, output, sheet, encoding, overwrite, **values) -> None:
    """Coupling degree C, coordination degree D and graded classes of 2 or more subsystems.

    The formula used (with its exponent) is written in the ``formula`` column.
    """
    from spatial.indices.workflow import run_coupling

    default = INDEX_COUPLING.param("synchronous").default
    band = _pair(values["synchronous"], "--synchronous", "0.8,1.2") or (default[0], default[1])
    grading = values["grading"]
    inputs = [table]
    if grading not in _GRADINGS:
        grading_path = Path(grading).expanduser()
        if not grading_path.is_file():
            raise click.BadParameter(
                f"{grading!r} is neither {', '.join(_GRADINGS)} nor a file", param_hint="--grading"
            )
        inputs.append(grading_path)
    outputs = _Outputs(output, ["counts"], inputs, overwrite)
    if grading not in _GRADINGS:
        grading = _read(Path(grading), None, None)
    run = run_coupling(_read(table, sheet, encoding), **INDEX_COUPLING.keywords(
        {}, **{**values, "weights": _numbers(values["weights"], "--weights"), "grading": grading,
               "synchronous": band}))
    outputs.write_all(run.tables)


@index_cmd.command("theil")
@_table_argument
@INDEX_THEIL.options()
def theil_cmd(table, output, sheet, encoding, overwrite, **values) -> None:
    """Theil index per period with its between/within decomposition by --group (_groups)."""
    from spatial.indices.workflow import run_theil

    outputs, frame = _start(table, output, ["groups"] if values["group"] else [], overwrite, sheet, encoding)
    outputs.write_all(run_theil(frame, **INDEX_THEIL.keywords({}, **values)).tables)


@index_cmd.command("gini")
@_table_argument
@INDEX_GINI.options()
def gini_cmd(table, output, sheet, encoding, overwrite, **values) -> None:
    """Dagum Gini coefficient per period: within, net between and transvariation (_within, _between)."""
    from spatial.indices.workflow import run_gini

    if not values["group"]:
        raise click.UsageError("the Dagum decomposition needs --group (a column, or china_region)")
    outputs, frame = _start(table, output, ["within", "between"], overwrite, sheet, encoding)
    outputs.write_all(run_gini(frame, **INDEX_GINI.keywords({}, **values)).tables)


@index_cmd.command("convergence")
@_table_argument
@INDEX_CONVERGENCE.options()
def convergence_cmd(table, output, sheet, encoding, overwrite, **values) -> None:
    """Sigma convergence (dispersion per period, _trend) and the coefficient of variation (_cv)."""
    from spatial.indices.workflow import run_convergence

    outputs, frame = _start(table, output, ["trend", "cv"], overwrite, sheet, encoding)
    outputs.write_all(run_convergence(frame, **INDEX_CONVERGENCE.keywords({}, **values)).tables)


@index_cmd.command("kde")
@_table_argument
@INDEX_KDE.options()
def kde_cmd(table, output, sheet, encoding, overwrite, title, **values) -> None:
    """Kernel densities per period: the curves (--out, CSV) and the figure beside it (.png 300 dpi, .svg)."""
    from spatial.indices.workflow import run_kde

    outputs = _Outputs(output, ["bandwidths"], [table], overwrite)
    outputs.figures((".png", ".svg"), [table], overwrite)
    frame = _read(table, sheet, encoding)
    periods = [_period(p) for p in values["periods"]] if values["periods"] else None
    try:
        width = float(values["bandwidth"])
    except ValueError:
        width = values["bandwidth"]
    run = run_kde(frame, **INDEX_KDE.keywords({}, **{**values, "periods": periods, "bandwidth": width}))
    outputs.write_all(run.tables)
    _wrote(run.result.plot(output, title=title, overwrite=overwrite))


@index_cmd.command("geodetector")
@_table_argument
@INDEX_GEODETECTOR.options()
def geodetector_cmd(table, output, sheet, encoding, overwrite, **values) -> None:
    """Geographical detector: factor (--out), interaction, risk, risk_means and ecological tables."""
    from spatial.indices.workflow import GEODETECTOR_TABLES, run_geodetector

    outputs, frame = _start(table, output, list(GEODETECTOR_TABLES), overwrite, sheet, encoding)
    period = None if values["period"] is None else _period(values["period"])
    run = run_geodetector(frame, **INDEX_GEODETECTOR.keywords(
        {}, **{**values, "period": period, "categorical": values["categorical"] or []}))
    outputs.write_all(run.tables)


@index_cmd.command("lq")
@_table_argument
@INDEX_LQ.options()
def lq_cmd(table, output, sheet, encoding, overwrite, **values) -> None:
    """Location quotients (区位熵) per unit, period and industry, classed as cluster / specialised."""
    from spatial.indices.workflow import run_lq

    score = _pair(values["score"], "--score", "50,100")
    outputs, frame = _start(table, output, [], overwrite, sheet, encoding)
    outputs.write_all(run_lq(frame, **INDEX_LQ.keywords({}, **{**values, "score": score})).tables)


@index_cmd.command("ahp")
@click.argument("matrix", type=click.Path(dir_okay=False, path_type=Path))
@INDEX_AHP.options()
def ahp_cmd(matrix, output, sheet, encoding, overwrite, **values) -> None:
    """AHP weights of a pairwise comparison MATRIX (first column and header: the criteria), with CR.

    Put the weights into the indicator table's ``weight`` column and run ``composite --combine``
    to combine them with entropy or CRITIC weights.
    """
    from spatial.indices.workflow import run_ahp

    outputs, frame = _start(matrix, output, ["consistency"], overwrite, sheet, encoding)
    labelled = frame.set_index(frame.columns[0])
    labelled.index = labelled.index.map(str)
    run = run_ahp(labelled, **INDEX_AHP.keywords({}, **values))
    if run.result.forced:
        _progress(f"warning: CR = {run.result.cr:.4f} exceeds {values['threshold']:g}; accepted because of --force")
    outputs.write_all(run.tables)


@index_cmd.command("obstacle")
@_table_argument
@INDEX_OBSTACLE.options()
def obstacle_cmd(table, output, sheet, encoding, overwrite, **values) -> None:
    """Obstacle degree (障碍度) of every indicator (--out), subsystem (_subsystems) and the top ones (_top).

    The composite index is built as ``composite`` does (min-max normalisation).
    """
    from spatial.indices.workflow import run_obstacle

    outputs, frame = _start(table, output, ["subsystems", "top"], overwrite, sheet, encoding,
                            inputs=[values["indicators"]])
    outputs.write_all(run_obstacle(frame, **INDEX_OBSTACLE.keywords({}, **values)).tables)


@index_cmd.command("dea")
@_table_argument
@INDEX_DEA.options()
def dea_cmd(table, output, sheet, encoding, overwrite, **values) -> None:
    """DEA efficiency per unit and period (CCR, BCC, SBM with undesirable outputs, super-SBM).

    The model stated in the ``model`` column; slacks in the variables' own units.
    """
    from spatial.indices.workflow import run_dea

    outputs, frame = _start(table, output, [], overwrite, sheet, encoding)
    run = run_dea(frame, **INDEX_DEA.keywords({}, **{**values, "undesirable": values["undesirable"] or []}))
    outputs.write_all(run.tables)


@index_cmd.command("productivity")
@_table_argument
@INDEX_PRODUCTIVITY.options()
def productivity_cmd(table, output, sheet, encoding, overwrite, **values) -> None:
    """Productivity change between consecutive periods with its decomposition (--out) and the
    distance functions per unit and period (_distances)."""
    from spatial.indices.workflow import run_productivity

    if not values["time"]:
        raise click.UsageError("productivity indices compare periods: give --time")
    outputs, frame = _start(table, output, ["distances"], overwrite, sheet, encoding)
    if values["method"] == "malmquist" and values["undesirable"]:
        raise click.UsageError("the Malmquist index has no undesirable outputs; use --method gml")
    run = run_productivity(frame, **INDEX_PRODUCTIVITY.keywords(
        {}, **{**values, "undesirable": values["undesirable"] or []}))
    outputs.write_all(run.tables)


@index_cmd.command("markov")
@_table_argument
@INDEX_MARKOV.options()
def markov_cmd(table, output, sheet, encoding, overwrite, lang, **values) -> None:
    """Markov transition matrices of classes (--out, the table papers print), per-class steady
    state, sojourn and first passage times (_summary), unit states (_states), for the spatial chain
    the homogeneity tests (_tests), and a heatmap figure beside --out (.png 300 dpi, .svg)."""
    from spatial.indices.workflow import run_markov

    kind, weights_file = values["kind"], values["weights"]
    if not values["time"]:
        raise click.UsageError("a Markov chain needs --time")
    if kind != "classic" and weights_file is None:
        raise click.UsageError(f"--kind {kind} needs --weights (a weights file keyed by the unit ids)")
    suffixes = ["summary", "states"] + (["tests"] if kind == "spatial" else [])
    inputs = [weights_file] if weights_file else []
    outputs, frame = _start(table, output, suffixes, overwrite, sheet, encoding, inputs=inputs)
    outputs.figures((".png", ".svg"), [table, *inputs], overwrite)
    graph = None
    if weights_file is not None:
        from weights.io import read_weights

        ids = sorted({str(v) for v in frame[values["id"]]}) if values["id"] in frame.columns else None
        graph = read_weights(weights_file, ids=ids)
    run = run_markov(frame, **INDEX_MARKOV.keywords({}, **{
        **values, "weights": graph, "breaks": _numbers(values["breaks"], "--breaks"),
        "lag_breaks": _numbers(values["lag_breaks"], "--lag-breaks")}))
    outputs.write_all(run.tables)
    _wrote(run.result.plot(output.with_suffix(""), lang=lang, overwrite=overwrite))


@index_cmd.command("gravity")
@_table_argument
@INDEX_GRAVITY.options()
def gravity_cmd(table, output, sheet, encoding, overwrite, lang, **values) -> None:
    """Centre of gravity per period (--out), its migration (_moves: km, bearing, direction), the
    standard deviational ellipses (_ellipses, ArcGIS conventions), a static figure (.png, .svg) and
    an interactive map (.html) beside --out."""
    from spatial._fs import write_text_atomic
    from spatial.indices.workflow import run_gravity

    outputs, frame = _start(table, output, ["moves", "ellipses"], overwrite, sheet, encoding)
    html, *_ = outputs.figures((".html", ".png", ".svg"), [table], overwrite)
    run = run_gravity(frame, **INDEX_GRAVITY.keywords({}, **values))
    outputs.write_all(run.tables)
    _wrote(run.result.plot(output.with_suffix(""), lang=lang, overwrite=overwrite))
    write_text_atomic(html, run.result.map(lang=lang).get_root().render())
    _wrote([html])
