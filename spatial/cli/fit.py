"""``spatial fit``: estimate one spatial regression from a table and weights, print it, write JSON.

    spatial fit data.csv --id code --y "log(gdp)" --x "log(k)" "log(l)" open --model sdm \\
        --weights queen.gal --json sdm.json
    spatial fit data.csv --id code --boundaries provinces.shp --contiguity queen --y y --x x1,x2

Outputs are checked before the estimation (never over an input, never over an existing file
without ``--overwrite``) and written atomically. A fit whose optimiser did not converge exits
with code 3 and writes nothing, as does one whose rho lies on a bound (its effects are undefined),
unless ``--allow-nonconverged``.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import click

from spatial._options import MAX_SEED
from spatial.cli import STATE, uses_weights
from spatial.cli.inputs import KEEP_HELP
from spatial.models.catalog import MODEL_NAMES as _MODELS

__all__ = ["fit_cmd"]

_SPLIT = re.compile(r",|\s+(?![^()]*\))")


def _terms(values: tuple[str, ...]) -> list[str]:
    """Regressors from repeated/variadic --x values, also comma- or space-separated."""
    out: list[str] = []
    for value in values:
        out += [t.strip() for t in _SPLIT.split(value) if t and t.strip()]
    return out


class _Variadic(click.Option):
    """An option that takes every following word up to the next option: ``--x a b c``."""

    def add_to_parser(self, parser, ctx):
        super().add_to_parser(parser, ctx)
        for name in self.opts:
            option = parser._long_opt.get(name) or parser._short_opt.get(name)
            if option is None:
                continue
            original = option.process

            def process(value, state, original=original):
                values = [value]
                while state.rargs and not state.rargs[0].startswith("-"):
                    values.append(state.rargs.pop(0))
                for item in values:
                    original(item, state)

            option.process = process


def _progress(text: str) -> None:
    if not STATE.quiet:
        click.echo(text, err=True)


def _read_weights(path: Path, panel, transform: str):
    import weights

    from spatial.weights_file import read_aligned_weights

    # ids matched by key (the message says how to fix a mismatch); matrix=True: no Graph, so
    # libpysal (and the sklearn, scipy.stats, geopandas it loads) stays out of the fit
    _, graph = read_aligned_weights(path, panel, matrix=True)
    if transform == "r":
        graph = weights.row_standardize(graph)
    return graph


def _unit_options(func):
    """Which units and how ids match: the options ``spatial check`` and ``moran`` share."""
    decorators = [
        click.option("--match-names", help="Comma-separated boundary columns that name the units."),
        click.option("--id-normalize", help="Id normalisation for both sides, e.g. strip,zfill5."),
        click.option("--keep", help=KEEP_HELP),
        click.option("--restrict", type=click.Choice(["error", "intersection"]), default="error", show_default=True,
                     help="Keep only the units common to the table and the boundaries (recorded)."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


@click.command("fit")
@click.argument("data", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--data", "data_option", type=click.Path(dir_okay=False, path_type=Path),
              help="The table (CSV, XLSX, Parquet); or give it as the first argument.")
@click.option("--id", "id_column", required=True, help="Unit id column.")
@click.option("--time", "time_column", help="Period column (a panel; pooled with --fe none).")
@click.option("--period", help="Fit only this period of a panel (a cross-section).")
@click.option("--y", "y", required=True, help="Dependent variable: a column or log(column).")
@click.option("--x", "x", multiple=True, required=True, cls=_Variadic,
              help="Regressors: --x x1 x2 log(x3) (or comma-separated, or repeated).")
@click.option("--wx", multiple=True, cls=_Variadic, help="Regressors whose W* lag enters SLX/SDM/SDEM (default: all).")
@click.option("--model", type=click.Choice(_MODELS), default="sar", show_default=True)
@click.option("--fe", type=click.Choice(["none", "unit", "time", "twoway"]), default="none", show_default=True,
              help="Fixed effects of a panel (none: pooled over periods); needs --time.")
@click.option("--lee-yu/--no-lee-yu", "lee_yu", default=None,
              help="Lee-Yu (2010) bias correction of a fixed-effects model (static: off by default; dynamic: the "
                   "Yu-de Jong-Lee correction, on by default with --fe).")
@click.option("--dynamic", type=click.Choice(["tau", "eta", "both"]),
              help="Dynamic SAR/SDM: tau adds y(t-1), eta W*y(t-1), both both (xsmle dlag(1|2|3)); the first period "
                   "is the initial condition. Short- and long-run effects.")
@click.option("--random-effects", "random_effects", is_flag=True,
              help="Random unit effects (SAR, SEM; needs --time, with --fe none).")
@click.option("--no-constant", is_flag=True, help="Leave out the intercept.")
@click.option("--weights", "weights_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Weights file (.gal, .gwt, .csv, .xlsx, .mtx, ...), keyed by the --id values.")
@click.option("--contiguity", type=click.Choice(["queen", "rook"]), help="Build contiguity weights from --boundaries.")
@click.option("--boundaries", type=click.Path(dir_okay=False, path_type=Path),
              help="Boundary file or bundled dataset name (china_provinces) for --contiguity.")
@_unit_options
@click.option("--boundary-id", help="Id column of the boundaries (default: --id).")
@click.option("--transform", type=click.Choice(["r", "none"]), default="r", show_default=True,
              help="r: row-standardise the weights; none: use them as given.")
@click.option("--logdet", type=click.Choice(["auto", "eigen", "lu", "mc"]), default="auto", show_default=True)
@click.option("--cov", type=click.Choice(["auto", "information", "hessian", "robust", "cluster", "driscoll_kraay"]),
              default="auto", show_default=True,
              help="Covariance: information or hessian (ML default by size), or a robust sandwich: robust "
                   "(heteroskedasticity), cluster (by unit) or driscoll_kraay (cross-sectional and serial "
                   "correlation). Tests and effects use it.")
@click.option("--bandwidth", type=click.IntRange(0), default=None,
              help="Driscoll-Kraay Bartlett bandwidth in periods (default floor(4 (T/100)^(2/9))).")
@click.option("--estimator", type=click.Choice(["ml", "gmm"]), default="ml", show_default=True,
              help="ml: maximum likelihood (least squares for OLS/SLX); gmm: spatial 2SLS / het-robust GM / GS2SLS "
                   "(a cross-section: one period), with --endog and --instruments.")
@click.option("--endog", multiple=True, cls=_Variadic, help="With --estimator gmm: endogenous regressors (not in --x).")
@click.option("--instruments", multiple=True, cls=_Variadic,
              help="With --estimator gmm: external instruments of the --endog regressors (at least one each).")
@click.option("--w-lags", "w_lags", type=click.IntRange(1, 10), default=2, show_default=True,
              help="With --estimator gmm: powers of W in the instruments of W y (W X, W^2 X, ...).")
@click.option("--gmm-errors", "gmm_errors", type=click.Choice(["het"]), default="het", show_default=True,
              help="With --estimator gmm: the moment conditions of the spatial error (het: Arraiz et al. 2010).")
@click.option("--effects", "effects_method", type=click.Choice(["auto", "exact", "lu", "traces"]), default="auto",
              show_default=True)
@click.option("--inference", type=click.Choice(["simulation", "delta"]), default="simulation", show_default=True)
@click.option("--effects-draws", "draws", type=click.IntRange(0), default=1000, show_default=True)
@click.option("--seed", type=click.IntRange(0, MAX_SEED), default=12345, show_default=True,
              help="Seed of the effects draws (recorded).")
@click.option("--allow-islands", is_flag=True, help="Keep units without neighbours.")
@click.option("--drop-collinear", is_flag=True, help="Drop (and report) collinear regressors instead of stopping.")
@click.option("--allow-nonconverged", is_flag=True,
              help="Write results even if the optimiser did not converge or rho is on a bound (effects undefined).")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), help="Write the results as JSON.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="Same as --json.")
@click.option("--table", "table_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a journal table (.txt, .md, .csv, .html, .tex, .xlsx, .docx).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True, help="Table labels.")
@click.option("--labels", "labels", multiple=True,
              help="Names of the variables in the table: NAME=LABEL (repeatable, e.g. dig=数字经济) or a CSV "
                   "file with columns variable,label.")
@click.option("--digits", type=click.IntRange(0, 10), default=3, show_default=True,
              help="Decimals of every number in the table.")
@click.option("--table-layout", type=click.Choice(["rows", "columns"]), default="rows", show_default=True,
              help="columns: W*X and Direct | Indirect | Total beside the model, as papers print an SDM.")
@click.option("--encoding", help="Text encoding of a CSV table (e.g. gbk).")
@click.option("--overwrite", is_flag=True, help="Replace existing output files (never the inputs).")
@click.option("--by", "by",
              help="Fit by group of units, W restricted to each group, and test whether coefficients differ: a "
                   "column of the table or boundaries, or for mainland China three_regions (East/Central/West), "
                   "four_regions (with the Northeast) or north_south.")
@click.option("--groups", "groups", help="With --by: the groups to fit, comma-separated, in this order (default: all).")
@click.option("--permutations", type=click.IntRange(0, 100_000), default=0, show_default=True,
              help="With --by: random regroupings per pair of groups for the permutation test of coefficient "
                   "differences (uses --seed; 0: Wald tests only).")
@click.option("--compare", "compare_terms", multiple=True, cls=_Variadic,
              help="With --by: the coefficients to compare (default: all but the constant).")
@click.option("--group-islands", type=click.Choice(["keep", "drop", "error"]), default="keep", show_default=True,
              help="With --by: units left without a neighbour inside their group.")
def fit_cmd(data, data_option, id_column, time_column, period, y, x, wx, model, fe, lee_yu, dynamic, random_effects,
            no_constant, weights_file, contiguity, boundaries, boundary_id, transform, logdet, cov, bandwidth,
            estimator, endog, instruments, w_lags, gmm_errors,
            effects_method, inference, draws, seed, allow_islands, drop_collinear, allow_nonconverged, json_out, out,
            table_out, lang, labels, digits, table_layout, encoding, overwrite, by, groups, permutations, compare_terms, group_islands,
            **units) -> None:
    """Estimate a spatial regression (OLS, SLX, SAR, SEM, SDM, SDEM, SAC) and print its summary.

    With --by, the model is fitted in each group of units and the groups are printed side by side
    with Wald and permutation tests of equal coefficients."""
    from spatial._fs import check_output, display_path
    from spatial.errors import NumericalError, SpatialPanelError

    table_path = data or data_option
    if table_path is None:
        raise click.UsageError("give the data table as the first argument or with --data")
    if data and data_option:
        raise click.UsageError("give the data table once (argument or --data)")
    if json_out and out:
        raise click.UsageError("give the JSON output once (--json or --out)")
    json_out = json_out or out
    if (fe != "none" or random_effects) and time_column is None:
        raise click.UsageError("--fe unit|time|twoway and --random-effects need a panel: give --time COLUMN")
    if dynamic and time_column is None:
        raise click.UsageError("--dynamic needs a panel: a lag of y in time does not exist in a cross-section; give "
                               "--time COLUMN")
    _check_weights_source(weights_file, contiguity, boundaries)
    if by is None and (groups or permutations or compare_terms or group_islands != "keep"):
        raise click.UsageError("--groups, --permutations, --compare and --group-islands need --by COLUMN|PRESET")
    inputs = [p for p in (table_path, weights_file, boundaries) if p is not None]
    targets = [check_output(p, inputs=inputs, overwrite=overwrite) for p in (json_out, table_out) if p is not None]
    if len({t.resolve() for t in targets}) < len(targets):
        raise SpatialPanelError("--json and --table name the same file; choose two paths")

    from spatial.labels import check_labels, parse_labels
    from spatial.models import compare, fit

    regressors = _terms(x)
    lagged = _terms(wx) or None
    endog, instruments = _terms(endog), _terms(instruments)
    gmm = dict(estimator=estimator, endog=endog or None, instruments=instruments or None, w_lags=w_lags,
               gmm_errors=gmm_errors) if estimator == "gmm" else {}
    if estimator != "gmm" and (endog or instruments):
        raise click.UsageError("--endog and --instruments need --estimator gmm")
    names = parse_labels(labels)
    check_labels(names, [y, *regressors, *(lagged or []), *endog])  # before the estimation: a typo costs nothing
    layout = dict(lang=lang, labels=names, digits=digits, layout=table_layout)
    panel, graph = _load_inputs(table_path, id_column, time_column, [y, *regressors, *endog, *instruments],
                                weights_file, contiguity,
                                boundaries, boundary_id, transform, encoding, units)
    options = dict(model=model, fe=fe, wx=lagged, constant=not no_constant, period=_period(period), logdet=logdet,
                   cov=cov, bandwidth=bandwidth, effects=effects_method, inference=inference, draws=draws, seed=seed,
                   allow_islands=allow_islands, collinear="drop" if drop_collinear else "error", lee_yu=lee_yu,
                   random_effects=random_effects, **gmm, **({"dynamic": dynamic} if dynamic else {}))
    if by is not None:
        _fit_by(panel, graph, y, regressors, options, by=by, groups=groups, permutations=permutations,
                coefficients=_terms(compare_terms) or None, islands=group_islands, layout=layout, json_out=json_out,
                table_out=table_out, overwrite=overwrite, allow_nonconverged=allow_nonconverged)
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fit(panel, graph, y=y, x=regressors, model=model, fe=fe, wx=lagged, constant=not no_constant,
                     period=_period(period), logdet=logdet, cov=cov, bandwidth=bandwidth, effects=effects_method,
                     inference=inference,
                     draws=draws, seed=seed, allow_islands=allow_islands,
                     collinear="drop" if drop_collinear else "error", lee_yu=lee_yu, random_effects=random_effects,
                     dynamic=dynamic, **gmm)
    for warning in caught:
        _progress(f"warning: {warning.message}")
    click.echo(result.summary())
    if not result.converged and not allow_nonconverged:
        raise NumericalError(
            f"the optimiser did not converge ({result.details.get('optimizer')}); nothing was written. "
            "Check the data and weights, or pass --allow-nonconverged to keep the results"
        )
    if result.effects_undefined and not allow_nonconverged:
        raise NumericalError(
            f"the effects are {result.effects_undefined}; nothing was written. Check the model and the weights, or "
            "pass --allow-nonconverged to keep the results (written without effects)"
        )
    if json_out is not None:
        result.to_json(json_out, overwrite=overwrite)
        _progress(f"wrote {display_path(json_out)}")
    if table_out is not None:
        compare([result], effects=result.effects is not None, **layout).write(table_out, overwrite=overwrite)
        _progress(f"wrote {display_path(table_out)}")


def _fit_by(panel, graph, y: str, regressors: list[str], options: dict, *, by: str, groups: str | None,
            permutations: int, coefficients: list[str] | None, islands: str, layout: dict, json_out, table_out,
            overwrite: bool, allow_nonconverged: bool) -> None:
    """``fit --by``: the model by group, side by side, with the tests of equal coefficients."""
    from spatial._fs import check_output, display_path, write_text_atomic
    from spatial.errors import NumericalError
    from spatial.heterogeneity import heterogeneity

    chosen = [g.strip() for g in groups.split(",") if g.strip()] if groups else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        het = heterogeneity(panel, graph, by=by, y=y, x=regressors, groups=chosen, coefficients=coefficients,
                            permutations=permutations, islands=islands, language=layout["lang"], **options)
    for warning in caught:
        _progress(f"warning: {warning.message}")
    click.echo(het.summary())
    failed = [g for g, r in het.groups.results.items() if not r.converged or r.effects_undefined]
    if failed and not allow_nonconverged:
        raise NumericalError(f"the fit of group(s) {', '.join(failed)} did not converge or has undefined effects; "
                             "nothing was written. Pass --allow-nonconverged to keep the results")
    if json_out is not None:
        write_text_atomic(check_output(json_out, overwrite=overwrite), het.to_json())
        _progress(f"wrote {display_path(json_out)}")
    if table_out is not None:
        effects = any(r.effects is not None for r in het.groups.results.values())
        het.table(effects=effects, **layout).write(table_out, overwrite=overwrite)
        _progress(f"wrote {display_path(table_out)}")


def _period(text: str | None):
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        return text


def _load_inputs(table_path: Path, id_column: str, time_column: str | None, terms: list[str], weights_file,
                 contiguity, boundaries, boundary_id, transform: str, encoding, units: dict):
    """The validated panel and its weights graph (for ``spatial fit`` and ``spatial select``), read as
    ``spatial check`` and a config run read them (:func:`spatial.cli.inputs.panel_config`)."""
    from spatial._fs import display_path
    from spatial.cli.inputs import panel_config, split_list
    from spatial.config import validate_config
    from spatial.models.numerics import parse_term
    from spatial.pipeline import load_panel

    since = len(STATE.warnings)
    columns = sorted({parse_term(t).column for t in terms})
    raw = panel_config(table_path, id_column, boundaries=boundaries, time=time_column, variables=columns,
                       encoding=encoding, boundary_id=boundary_id, match_names=split_list(units["match_names"]),
                       keep=units["keep"], restrict=units["restrict"], id_normalize=units["id_normalize"])
    panel = load_panel(validate_config(raw, where="command line"))
    periods = "period" if panel.n_periods == 1 else "periods"
    _progress(f"{panel.n_units} units x {panel.n_periods} {periods} from {display_path(table_path)}")
    if weights_file is not None:
        graph = _read_weights(weights_file, panel, transform)
        source = display_path(weights_file)
    else:
        import weights

        graph = weights.build(panel.geometry.reset_index(), kind=contiguity, id=panel.id_name, islands="keep",
                              transform="row" if transform == "r" else "none").graph
        source = f"{contiguity} contiguity of {boundaries if not Path(boundaries).exists() else display_path(boundaries)}"
    _progress(f"weights: {source}" + (", row-standardised" if transform == "r" else ", as given"))
    uses_weights(graph, source, since)
    return panel, graph


@click.command("select")
@click.argument("data", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--id", "id_column", required=True, help="Unit id column.")
@click.option("--time", "time_column", required=True, help="Period column.")
@click.option("--y", "y", required=True, help="Dependent variable: a column or log(column).")
@click.option("--x", "x", multiple=True, required=True, cls=_Variadic, help="Regressors: --x x1 x2 log(x3).")
@click.option("--weights", "weights_file", type=click.Path(dir_okay=False, path_type=Path), help="Weights file.")
@click.option("--contiguity", type=click.Choice(["queen", "rook"]), help="Build contiguity weights from --boundaries.")
@click.option("--boundaries", type=click.Path(dir_okay=False, path_type=Path),
              help="Boundary file or bundled dataset name (china_provinces) for --contiguity.")
@_unit_options
@click.option("--boundary-id", help="Id column of the boundaries (default: --id).")
@click.option("--transform", type=click.Choice(["r", "none"]), default="r", show_default=True)
@click.option("--alpha", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.05, show_default=True,
              help="Significance level of the decisions.")
@click.option("--no-random-effects", is_flag=True, help="Skip the random-effects fits and the Hausman test.")
@click.option("--no-bayes", is_flag=True, help="Skip the Bayesian comparison (posterior model probabilities).")
@click.option("--prior", "priors", multiple=True, metavar="MODEL=P",
              help="Prior probability of each of ols, slx, sar, sdm, sem, sdem in the Bayesian comparison "
                   "(all six, summing to 1; default: equal).")
@click.option("--allow-islands", is_flag=True, help="Keep units without neighbours.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the selection as JSON.")
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False, path_type=Path), help="Write the table as CSV.")
@click.option("--encoding", help="Text encoding of a CSV table (e.g. gbk).")
@click.option("--overwrite", is_flag=True, help="Replace existing output files (never the inputs).")
def select_cmd(data, id_column, time_column, y, x, weights_file, contiguity, boundaries, boundary_id, transform, alpha,
               no_random_effects, no_bayes, priors, allow_islands, json_out, csv_out, encoding, overwrite,
               **units) -> None:
    """Run the model selection procedure on a panel and print the table and the recommended model."""
    from spatial.cli.bayes import parse_priors
    from spatial.errors import SpatialPanelError

    _check_weights_source(weights_file, contiguity, boundaries)
    prior_values = parse_priors(priors)
    if no_bayes and prior_values is not None:
        raise SpatialPanelError("--prior sets the priors of the Bayesian comparison, which --no-bayes turns off; "
                                "drop one of them")
    if prior_values is not None:
        from spatial.models._bayes import BAYES_MODELS, check_priors

        check_priors(BAYES_MODELS, prior_values)  # refused before reading the data
    inputs = [p for p in (data, weights_file, boundaries) if p is not None]
    _check_targets(inputs, json_out, csv_out, overwrite)
    from spatial.models import select

    regressors = _terms(x)
    panel, graph = _load_inputs(data, id_column, time_column, [y, *regressors], weights_file, contiguity, boundaries,
                                boundary_id, transform, encoding, units)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        choice = select(panel, graph, y=y, x=regressors, alpha=alpha, random_effects=not no_random_effects,
                        allow_islands=allow_islands, bayes=not no_bayes, priors=prior_values)
    for warning in caught:
        _progress(f"warning: {warning.message}")
    click.echo(choice.summary())
    _write_outputs(choice.to_dict(), choice.table, json_out, csv_out, inputs, overwrite)


def _check_weights_source(weights_file, contiguity, boundaries) -> None:
    """Exactly one of --weights and --contiguity, the latter with --boundaries."""
    if (weights_file is None) == (contiguity is None):
        raise click.UsageError("give exactly one of --weights FILE or --contiguity queen|rook (with --boundaries)")
    if contiguity and boundaries is None:
        raise click.UsageError("--contiguity needs --boundaries FILE")


def _check_targets(inputs, json_out, csv_out, overwrite) -> None:
    """Refuse outputs over an input, over an existing file without --overwrite, or twice the same path."""
    from spatial._fs import check_output
    from spatial.errors import SpatialPanelError

    targets = [check_output(p, inputs=inputs, overwrite=overwrite) for p in (json_out, csv_out) if p is not None]
    if len({t.resolve() for t in targets}) < len(targets):
        raise SpatialPanelError("--json and --csv name the same file; choose two paths")


def _write_outputs(document: dict, table, json_out, csv_out, inputs, overwrite) -> None:
    """Write the JSON document and the CSV table (paths checked before the work by :func:`_check_targets`)."""
    import json

    from spatial._fs import check_output, display_path, write_text_atomic
    from spatial.csv_output import write_csv_file

    if json_out is not None:
        write_text_atomic(check_output(json_out, inputs=inputs, overwrite=overwrite),
                          json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        _progress(f"wrote {display_path(json_out)}")
    if csv_out is not None:
        write_csv_file(check_output(csv_out, inputs=inputs, overwrite=overwrite), table, index=False)
        _progress(f"wrote {display_path(csv_out)}")
