"""``spatial index ...``: composite indices, coupling coordination, inequality, geographic detector,
location quotients, AHP, obstacle degree, DEA and productivity, Markov chains, centre of gravity.

Every command reads one long table (CSV, XLSX or Parquet: one row per unit and period), checks
all its outputs before computing (never over an input, never over an existing file without
``--overwrite``), and writes formula-safe CSV tables atomically. Multi-table results go to
siblings of ``--out`` (``scores.csv`` -> ``scores_weights.csv``).
"""

from __future__ import annotations

from pathlib import Path

import click

from spatial.cli import STATE
from spatial.operations import INDEX_GEODETECTOR

__all__ = ["index_cmd"]

_GRADINGS = ("ten_level", "three_level", "four_level", "coupling_stage")


def _split(text: str | None) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()] if text else []


def _numbers(text: str | None, option: str) -> list[float] | None:
    if not text:
        return None
    try:
        return [float(t) for t in _split(text)]
    except ValueError:
        raise click.BadParameter(f"expected comma-separated numbers, got {text!r}", param_hint=option) from None


def _apply(decorators: list, func):
    """Apply click option decorators in the order they are listed (the first is the outermost)."""
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


#: The parameters of a declared index operation that _table_options adds (shared by every index command).
_TABLE_PARAMS = ("id", "time", "output", "sheet", "encoding", "overwrite")


def _table_options(func):
    """The options every command shares: the input table, its keys, reading and overwriting."""
    decorators = [
        click.argument("table", type=click.Path(dir_okay=False, path_type=Path)),
        click.option("--id", "id_column", required=True, help="Unit id column."),
        click.option("--time", "time_column", help="Period column (omit for a cross-section)."),
        click.option(
            "--out",
            "output",
            required=True,
            type=click.Path(dir_okay=False, path_type=Path),
            help="Main output table (.csv); other tables are written beside it.",
        ),
        click.option("--sheet", help="Excel sheet name."),
        click.option("--encoding", help="Text encoding of a CSV table (e.g. gbk)."),
        click.option("--overwrite", is_flag=True, help="Replace existing outputs (never the inputs)."),
    ]
    return _apply(decorators, func)


class _Outputs:
    """The files a command will write, checked before any computation."""

    def __init__(self, main: Path, suffixes: list[str], inputs: list[Path], overwrite: bool) -> None:
        from spatial._fs import check_output

        self.paths = {
            suffix: check_output(
                main if not suffix else main.with_name(f"{main.stem}_{suffix}.csv"), inputs=inputs, overwrite=overwrite
            )
            for suffix in ["", *suffixes]
        }

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


def _singletons(allow: bool) -> str:
    return "allow" if allow else "error"


def _period(text: str):
    """A period given on the command line: whole numbers as ``int`` (like the table's periods)."""
    return int(text) if text.lstrip("-").isdigit() else text


def _progress(text: str) -> None:
    if not STATE.quiet:
        click.echo(text, err=True)


@click.group("index", context_settings={"help_option_names": ["-h", "--help"]})
def index_cmd() -> None:
    """Composite indices, coupling coordination, inequality, geographic detector, location quotients,
    AHP, obstacle degree, DEA efficiency and productivity (GML, Malmquist), Markov chains, centre of gravity.

    Inputs are long tables: one row per unit (--id) and period (--time).
    """


def _system_options(func):
    """The indicator system and its weighting, shared by ``composite`` and ``obstacle``."""
    decorators = [
        click.option(
            "--indicators",
            required=True,
            type=click.Path(dir_okay=False, path_type=Path),
            help="Indicator table: indicator, direction (positive/negative), optional subsystem and weight.",
        ),
        click.option(
            "--pooling",
            type=click.Choice(["pooled", "per_period"]),
            default="pooled",
            show_default=True,
            help="Normalise and weight over all periods (comparable over time) or within each period.",
        ),
        click.option(
            "--weighting",
            type=click.Choice(["entropy", "critic", "cv", "equal", "user"]),
            default="entropy",
            show_default=True,
        ),
        click.option(
            "--combine",
            type=click.Choice(["multiplicative", "linear"]),
            help="Combine the objective --weighting with the subjective 'weight' column (e.g. AHP) by this rule.",
        ),
        click.option(
            "--alpha", type=float, default=0.5, show_default=True, help="Subjective share of --combine linear."
        ),
    ]
    return _apply(decorators, func)


@index_cmd.command("composite")
@_table_options
@_system_options
@click.option("--normalize", type=click.Choice(["minmax", "zscore"]), default="minmax", show_default=True)
@click.option("--shift", type=float, default=0.0, show_default=True, help="Constant added after normalising.")
@click.option("--method", type=click.Choice(["weighted_sum", "topsis"]), default="weighted_sum", show_default=True)
@click.option("--name", default="index", show_default=True, help="Name of the overall index column.")
def composite_cmd(
    table,
    id_column,
    time_column,
    output,
    sheet,
    encoding,
    overwrite,
    indicators,
    normalize,
    pooling,
    shift,
    weighting,
    method,
    name,
    combine,
    alpha,
) -> None:
    """Composite index of TABLE from an indicator system (entropy weights by default).

    Writes the scores with ranks (--out), the weights table (_weights) and, for TOPSIS, the
    distances to the ideal solutions (_distances).
    """
    from spatial.indices import composite_index

    suffixes = ["weights"] + (["distances"] if method == "topsis" else [])
    outputs, frame = _start(table, output, suffixes, overwrite, sheet, encoding, inputs=[indicators])
    result = composite_index(
        frame,
        indicators,
        id=id_column,
        time=time_column,
        normalize=normalize,
        pooling=pooling,
        shift=shift,
        weighting=weighting,
        method=method,
        name=name,
        combine=combine,
        alpha=alpha,
    )
    keys = [c for c in result.scores.columns if c not in result.columns]
    ranks = result.ranks.rename(columns={c: f"rank_{c}" for c in result.columns})
    scores = result.scores.merge(ranks, on=keys)
    outputs.write_all({"": scores, "weights": result.weights, "distances": result.distances})


@index_cmd.command("coupling")
@_table_options
@click.option("--subsystems", required=True, help="Comma-separated columns with the subsystem indices (>= 2).")
@click.option("--weights", "weights_text", help="Comma-separated contributions to T (sum 1); equal by default.")
@click.option(
    "--grading",
    default="ten_level",
    show_default=True,
    help=f"Grading of D: {', '.join(_GRADINGS)}, or a CSV with lower, upper, label_zh, label_en.",
)
@click.option("--scale", type=float, default=1.0, show_default=True, help="Divide the indices by this (e.g. 100).")
@click.option(
    "--synchronous",
    default="0.8,1.2",
    show_default=True,
    help="Band (low, high] of U1/U2 where neither subsystem lags.",
)
@click.option(
    "--formula",
    type=click.Choice(["classical", "revised"]),
    default="classical",
    show_default=True,
    help="Coupling degree: classical [prod U / mean^n]^k, or revised (Wang Shujia et al. 2021).",
)
@click.option("--exponent", type=float, help="Adjustment exponent k of the classical formula (default 1/n).")
def coupling_cmd(
    table,
    id_column,
    time_column,
    output,
    sheet,
    encoding,
    overwrite,
    subsystems,
    weights_text,
    grading,
    scale,
    synchronous,
    formula,
    exponent,
) -> None:
    """Coupling degree C, coordination degree D and graded classes of 2 or more subsystems.

    The formula used (with its exponent) is written in the ``formula`` column.
    """
    from spatial.indices import coupling_coordination

    band = _numbers(synchronous, "--synchronous")
    if band is None or len(band) != 2:
        raise click.BadParameter("give two numbers, e.g. 0.8,1.2", param_hint="--synchronous")
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
    result = coupling_coordination(
        _read(table, sheet, encoding),
        _split(subsystems),
        id=id_column,
        time=time_column,
        weights=_numbers(weights_text, "--weights"),
        grading=grading,
        synchronous=(band[0], band[1]),
        scale=scale,
        formula=formula,
        exponent=exponent,
    )
    outputs.write_all({"": result.table, "counts": result.counts()})


def _inequality_options(func):
    decorators = [
        click.option("--value", required=True, help="The variable (e.g. GDP per capita)."),
        click.option("--group", help="Group column, or china_region (East/Central/West/Northeast)."),
        click.option("--allow-singletons", is_flag=True, help="Keep groups with a single unit."),
    ]
    return _apply(decorators, func)


@index_cmd.command("theil")
@_table_options
@_inequality_options
@click.option("--weight", help="Positive weight column (e.g. population) for a weighted Theil index.")
@click.option("--kind", type=click.Choice(["T", "L"]), default="T", show_default=True)
def theil_cmd(
    table, id_column, time_column, output, sheet, encoding, overwrite, value, group, allow_singletons, weight, kind
) -> None:
    """Theil index per period with its between/within decomposition by --group (_groups)."""
    from spatial.indices import theil

    outputs, frame = _start(table, output, ["groups"] if group else [], overwrite, sheet, encoding)
    result = theil(
        frame,
        value,
        id=id_column,
        time=time_column,
        group=group,
        weight=weight,
        kind=kind,
        singletons=_singletons(allow_singletons),
    )
    outputs.write_all({"": result.summary, "groups": result.groups})


@index_cmd.command("gini")
@_table_options
@_inequality_options
def gini_cmd(table, id_column, time_column, output, sheet, encoding, overwrite, value, group, allow_singletons) -> None:
    """Dagum Gini coefficient per period: within, net between and transvariation (_within, _between)."""
    from spatial.indices import dagum_gini

    if not group:
        raise click.UsageError("the Dagum decomposition needs --group (a column, or china_region)")
    outputs, frame = _start(table, output, ["within", "between"], overwrite, sheet, encoding)
    result = dagum_gini(
        frame,
        value,
        id=id_column,
        time=time_column,
        group=group,
        singletons=_singletons(allow_singletons),
    )
    outputs.write_all({"": result.summary, "within": result.within_groups, "between": result.between_groups})


@index_cmd.command("convergence")
@_table_options
@_inequality_options
@click.option("--statistic", type=click.Choice(["sd_log", "cv"]), default="sd_log", show_default=True)
def convergence_cmd(
    table, id_column, time_column, output, sheet, encoding, overwrite, value, group, allow_singletons, statistic
) -> None:
    """Sigma convergence (dispersion per period, _trend) and the coefficient of variation (_cv)."""
    from spatial.indices import coefficient_of_variation, sigma_convergence

    outputs, frame = _start(table, output, ["trend", "cv"], overwrite, sheet, encoding)
    singletons = _singletons(allow_singletons)
    result = sigma_convergence(
        frame, value, id=id_column, time=time_column, group=group, statistic=statistic, singletons=singletons
    )
    cv = coefficient_of_variation(frame, value, id=id_column, time=time_column, group=group, singletons=singletons)
    outputs.write_all({"": result.series, "trend": result.trend, "cv": cv})


@index_cmd.command("kde")
@_table_options
@click.option("--value", required=True, help="The variable.")
@click.option("--periods", help="Comma-separated periods (default: all).")
@click.option("--bandwidth", default="scott", show_default=True, help="scott, silverman or a number.")
@click.option("--title", help="Figure title.")
def kde_cmd(
    table, id_column, time_column, output, sheet, encoding, overwrite, value, periods, bandwidth, title
) -> None:
    """Kernel densities per period: the curves (--out, CSV) and the figure beside it (.png 300 dpi, .svg)."""
    from spatial._fs import check_output, display_path
    from spatial.indices import kernel_density

    outputs = _Outputs(output, ["bandwidths"], [table], overwrite)
    for suffix in (".png", ".svg"):
        check_output(output.with_suffix(suffix), inputs=[table], overwrite=overwrite)
    frame = _read(table, sheet, encoding)
    chosen = [_period(p) for p in _split(periods)] if periods else None
    try:
        width = float(bandwidth)
    except ValueError:
        width = bandwidth
    result = kernel_density(frame, value, id=id_column, time=time_column, periods=chosen, bandwidth=width)
    outputs.write_all({"": result.curves, "bandwidths": result.bandwidths})
    for path in result.plot(output, title=title, overwrite=overwrite):
        _progress(f"wrote {display_path(path)}")


@index_cmd.command("geodetector")
@_table_options
@INDEX_GEODETECTOR.options(exclude=_TABLE_PARAMS)
def geodetector_cmd(table, id_column, time_column, output, sheet, encoding, overwrite, y, factors, period, discretize,
                    k, categorical, singletons, alpha) -> None:
    """Geographical detector: factor (--out), interaction, risk, risk_means and ecological tables."""
    from spatial.indices import geodetector

    tables = ["interaction", "risk", "risk_means", "ecological"]
    outputs, frame = _start(table, output, tables, overwrite, sheet, encoding)
    result = geodetector(frame, **INDEX_GEODETECTOR.keywords(
        {}, y=y, factors=factors, id=id_column, time=time_column, period=None if period is None else _period(period),
        discretize=discretize, k=k, categorical=categorical or [], singletons=singletons, alpha=alpha))
    outputs.write_all({"": result.factor, **{name: getattr(result, name) for name in tables}})


@index_cmd.command("lq")
@_table_options
@click.option("--industries", required=True, help="Comma-separated industry size columns.")
@click.option("--total", help="Column with each unit's total (default: sum of the industries).")
@click.option("--specialised", type=float, default=1.0, show_default=True)
@click.option("--cluster", type=float, default=1.5, show_default=True)
@click.option(
    "--basis",
    type=click.Choice(["employment", "output", "firms", "other"]),
    default="employment",
    show_default=True,
    help="What the industry sizes measure (written into the table).",
)
@click.option("--exponent", type=float, help="Adjustment exponent k: adds lq_adjusted = LQ^k.")
@click.option("--score", "score_text", help="Score range low,high (e.g. 50,100): maps [m/2, 2m] linearly onto it.")
@click.option(
    "--score-anchor",
    type=click.Choice(["mean", "one"]),
    default="mean",
    show_default=True,
    help="m of the score: the industry's mean LQ in the period, or 1.",
)
def lq_cmd(
    table,
    id_column,
    time_column,
    output,
    sheet,
    encoding,
    overwrite,
    industries,
    total,
    specialised,
    cluster,
    basis,
    exponent,
    score_text,
    score_anchor,
) -> None:
    """Location quotients (区位熵) per unit, period and industry, classed as cluster / specialised."""
    from spatial.indices import location_quotient

    score = _numbers(score_text, "--score")
    if score is not None and len(score) != 2:
        raise click.BadParameter("give two numbers, e.g. 50,100", param_hint="--score")
    outputs, frame = _start(table, output, [], overwrite, sheet, encoding)
    result = location_quotient(
        frame,
        _split(industries),
        id=id_column,
        time=time_column,
        total=total,
        specialised=specialised,
        cluster=cluster,
        basis=basis,
        exponent=exponent,
        score=None if score is None else (score[0], score[1]),
        score_anchor=score_anchor,
    )
    outputs.write("", result)


@index_cmd.command("ahp")
@click.argument("matrix", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Weights table (.csv); the consistency check goes to _consistency beside it.",
)
@click.option("--method", type=click.Choice(["eigenvector", "geometric", "arithmetic"]), default="eigenvector",
              show_default=True)
@click.option("--threshold", type=float, default=0.1, show_default=True, help="Largest acceptable CR.")
@click.option("--force", is_flag=True, help="Accept a matrix whose CR exceeds --threshold (recorded).")
@click.option("--sheet", help="Excel sheet name.")
@click.option("--encoding", help="Text encoding of a CSV table (e.g. gbk).")
@click.option("--overwrite", is_flag=True, help="Replace existing outputs (never the inputs).")
def ahp_cmd(matrix, output, method, threshold, force, sheet, encoding, overwrite) -> None:
    """AHP weights of a pairwise comparison MATRIX (first column and header: the criteria), with CR.

    Put the weights into the indicator table's ``weight`` column and run ``composite --combine``
    to combine them with entropy or CRITIC weights.
    """
    from spatial.indices import ahp_weights

    outputs, frame = _start(matrix, output, ["consistency"], overwrite, sheet, encoding)
    labelled = frame.set_index(frame.columns[0])
    labelled.index = labelled.index.map(str)
    result = ahp_weights(labelled, method=method, threshold=threshold, force=force)
    if result.forced:
        _progress(f"warning: CR = {result.cr:.4f} exceeds {threshold:g}; accepted because of --force")
    outputs.write_all({"": result.weights, "consistency": result.summary()})


@index_cmd.command("obstacle")
@_table_options
@_system_options
@click.option("--top", type=int, default=3, show_default=True, help="Main obstacles listed per unit and period.")
def obstacle_cmd(
    table, id_column, time_column, output, sheet, encoding, overwrite, indicators, pooling, weighting, combine, alpha,
    top,
) -> None:
    """Obstacle degree (障碍度) of every indicator (--out), subsystem (_subsystems) and the top ones (_top).

    The composite index is built as ``composite`` does (min-max normalisation).
    """
    from spatial.indices import composite_index, obstacle_degree

    outputs, frame = _start(table, output, ["subsystems", "top"], overwrite, sheet, encoding, inputs=[indicators])
    index = composite_index(
        frame, indicators, id=id_column, time=time_column, pooling=pooling, weighting=weighting, combine=combine,
        alpha=alpha,
    )
    result = obstacle_degree(index)
    outputs.write_all({"": result.indicators, "subsystems": result.subsystems, "top": result.top(top)})


def _dea_options(func):
    decorators = [
        click.option("--inputs", required=True, help="Comma-separated input columns."),
        click.option("--outputs", required=True, help="Comma-separated desirable output columns."),
        click.option("--undesirable", help="Comma-separated undesirable output columns (SBM, super-SBM, GML)."),
        click.option("--solver", type=click.Choice(["batched", "loop"]), default="batched", show_default=True,
                     help="Batched column generation, or one full program per unit (slow reference)."),
    ]
    return _apply(decorators, func)


@index_cmd.command("dea")
@_table_options
@_dea_options
@click.option("--model", type=click.Choice(["ccr", "bcc", "sbm", "super_sbm"]), default="super_sbm",
              show_default=True)
@click.option("--orientation", type=click.Choice(["input", "output"]), default="input", show_default=True,
              help="Radial models only.")
@click.option("--rts", type=click.Choice(["crs", "vrs"]), default="crs", show_default=True, help="SBM models.")
@click.option("--frontier", type=click.Choice(["contemporaneous", "global"]), default="contemporaneous",
              show_default=True)
@click.option("--keep-infeasible", is_flag=True, help="Leave units without solution empty instead of failing.")
def dea_cmd(
    table, id_column, time_column, output, sheet, encoding, overwrite, inputs, outputs, undesirable, solver, model,
    orientation, rts, frontier, keep_infeasible,
) -> None:
    """DEA efficiency per unit and period (CCR, BCC, SBM with undesirable outputs, super-SBM).

    The model stated in the ``model`` column; slacks in the variables' own units.
    """
    from spatial.indices import dea

    outputs_, frame = _start(table, output, [], overwrite, sheet, encoding)
    result = dea(
        frame, _split(inputs), _split(outputs), _split(undesirable), id=id_column, time=time_column, model=model,
        orientation=orientation, rts=rts, frontier=frontier, infeasible="nan" if keep_infeasible else "error",
        solver=solver,
    )
    outputs_.write("", result.table)


@index_cmd.command("productivity")
@_table_options
@_dea_options
@click.option("--method", type=click.Choice(["gml", "malmquist"]), default="gml", show_default=True,
              help="GML (Oh 2010, with undesirable outputs) or Malmquist (Färe et al. 1994).")
@click.option("--orientation", type=click.Choice(["input", "output"]), default="input", show_default=True,
              help="Malmquist only.")
def productivity_cmd(
    table, id_column, time_column, output, sheet, encoding, overwrite, inputs, outputs, undesirable, solver, method,
    orientation,
) -> None:
    """Productivity change between consecutive periods with its decomposition (--out) and the
    distance functions per unit and period (_distances)."""
    from spatial.indices import gml, malmquist

    if not time_column:
        raise click.UsageError("productivity indices compare periods: give --time")
    outputs_, frame = _start(table, output, ["distances"], overwrite, sheet, encoding)
    if method == "gml":
        result = gml(frame, _split(inputs), _split(outputs), _split(undesirable), id=id_column, time=time_column,
                     solver=solver)
    else:
        if undesirable:
            raise click.UsageError("the Malmquist index has no undesirable outputs; use --method gml")
        result = malmquist(frame, _split(inputs), _split(outputs), id=id_column, time=time_column,
                           orientation=orientation, solver=solver)
    outputs_.write_all({"": result.table, "distances": result.distances})


@index_cmd.command("markov")
@_table_options
@click.option("--value", required=True, help="The variable whose classes move.")
@click.option("--kind", type=click.Choice(["classic", "spatial", "lisa"]), default="classic", show_default=True,
              help="Classic chain, spatial Markov (Rey 2001, needs --weights) or LISA quadrant chain.")
@click.option("--weights", "weights_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Weights file (.gal, .gwt, edge or matrix .csv ...) keyed by the unit ids.")
@click.option("--k", "classes", type=int, default=5, show_default=True, help="Quantile classes.")
@click.option("--m", "lag_classes", type=int, help="Quantile classes of the spatial lag (default --k).")
@click.option("--pooling", type=click.Choice(["per_period", "pooled"]),
              help="Quantiles per period or of all periods (default: per_period classic, pooled spatial).")
@click.option("--breaks", help="Comma-separated fixed class bounds instead of quantiles.")
@click.option("--lag-breaks", help="Comma-separated fixed class bounds of the spatial lag.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True, help="Figure labels.")
def markov_cmd(
    table, id_column, time_column, output, sheet, encoding, overwrite, value, kind, weights_file, classes,
    lag_classes, pooling, breaks, lag_breaks, lang,
) -> None:
    """Markov transition matrices of classes (--out, the table papers print), per-class steady
    state, sojourn and first passage times (_summary), unit states (_states), for the spatial chain
    the homogeneity tests (_tests), and a heatmap figure beside --out (.png 300 dpi, .svg)."""
    from spatial._fs import check_output, display_path
    from spatial.indices import lisa_markov, markov_chain, spatial_markov

    if not time_column:
        raise click.UsageError("a Markov chain needs --time")
    if kind != "classic" and weights_file is None:
        raise click.UsageError(f"--kind {kind} needs --weights (a weights file keyed by the unit ids)")
    suffixes = ["summary", "states"] + (["tests"] if kind == "spatial" else [])
    inputs = [weights_file] if weights_file else []
    outputs, frame = _start(table, output, suffixes, overwrite, sheet, encoding, inputs=inputs)
    for suffix in (".png", ".svg"):
        check_output(output.with_suffix(suffix), inputs=[table, *inputs], overwrite=overwrite)
    graph = None
    if weights_file is not None:
        from weights.io import read_weights

        ids = sorted({str(v) for v in frame[id_column]}) if id_column in frame.columns else None
        graph = read_weights(weights_file, ids=ids)
    cut, lag_cut = _numbers(breaks, "--breaks"), _numbers(lag_breaks, "--lag-breaks")
    if kind == "classic":
        result = markov_chain(frame, value, id=id_column, time=time_column, k=classes,
                              pooling=pooling or "per_period", breaks=cut)
        chain, main_table, tests = result, result.table(), None
    elif kind == "spatial":
        result = spatial_markov(frame, value, graph, id=id_column, time=time_column, k=classes, m=lag_classes,
                                pooling=pooling or "pooled", breaks=cut, lag_breaks=lag_cut)
        chain, main_table, tests = result.markov, result.table(), result.tests()
    else:
        result = lisa_markov(frame, value, graph, id=id_column, time=time_column)
        chain, main_table, tests = result, result.table(), None
    outputs.write_all({"": main_table, "summary": chain.summary(), "states": chain.states, "tests": tests})
    for path in result.plot(output.with_suffix(""), lang=lang, overwrite=overwrite):
        _progress(f"wrote {display_path(path)}")


@index_cmd.command("gravity")
@_table_options
@click.option("--weight", required=True, help="Weight of the centre (GDP, population, ...), non-negative.")
@click.option("--lon", default="lon", show_default=True, help="Longitude column (degrees).")
@click.option("--lat", default="lat", show_default=True, help="Latitude column (degrees).")
@click.option("--projection", help="Equal-area PROJ string or CRS (default: Albers conic fitted to the points).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True, help="Figure labels.")
def gravity_cmd(table, id_column, time_column, output, sheet, encoding, overwrite, weight, lon, lat, projection,
                lang) -> None:
    """Centre of gravity per period (--out), its migration (_moves: km, bearing, direction), the
    standard deviational ellipses (_ellipses, ArcGIS conventions), a static figure (.png, .svg) and
    an interactive map (.html) beside --out."""
    from spatial._fs import check_output, display_path, write_text_atomic
    from spatial.indices import gravity_centre

    outputs, frame = _start(table, output, ["moves", "ellipses"], overwrite, sheet, encoding)
    html = check_output(output.with_suffix(".html"), inputs=[table], overwrite=overwrite)
    for suffix in (".png", ".svg"):
        check_output(output.with_suffix(suffix), inputs=[table], overwrite=overwrite)
    result = gravity_centre(frame, weight, id=id_column, time=time_column, lon=lon, lat=lat, projection=projection)
    outputs.write_all({"": result.centres, "moves": result.moves, "ellipses": result.ellipses})
    for path in result.plot(output.with_suffix(""), lang=lang, overwrite=overwrite):
        _progress(f"wrote {display_path(path)}")
    write_text_atomic(html, result.map(lang=lang).get_root().render())
    _progress(f"wrote {display_path(html)}")
