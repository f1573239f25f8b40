"""``spatial bayes``: log-marginal likelihoods and posterior model probabilities (LeSage 2014).

    spatial bayes data.csv --id code --time year --fe twoway --y "log(gdp)" --x "log(k)" "log(l)" \\
        --weights queen.gal --prior sar=0.25 --prior sdm=0.25 --prior sem=0.25 --prior sdem=0.25 \\
        --models sar sdm sem sdem --json bayes.json

A cross-section (no ``--time``, or ``--period``) or a panel (pooled, or ``--fe`` unit, time,
two-way). ``spatial select`` shows the same table beside its tests.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import click

from spatial.cli.fit import (
    _check_targets,
    _check_weights_source,
    _load_inputs,
    _period,
    _progress,
    _terms,
    _unit_options,
    _Variadic,
    _write_outputs,
)

__all__ = ["bayes_cmd", "parse_priors"]

_BAYES = ("ols", "slx", "sar", "sdm", "sem", "sdem")


def parse_priors(values: tuple[str, ...]) -> dict[str, float] | None:
    """``("sar=0.5", "sem=0.5")`` -> ``{"sar": 0.5, "sem": 0.5}``; None when none are given.

    Raises
    ------
    click.UsageError
        A value that is not MODEL=NUMBER, or a model given twice.

    Examples
    --------
    >>> parse_priors(("sar=0.75", "SEM=0.25"))
    {'sar': 0.75, 'sem': 0.25}
    """
    if not values:
        return None
    out: dict[str, float] = {}
    for value in values:
        model, sep, number = value.partition("=")
        model = model.strip().lower()
        try:
            probability = float(number)
        except ValueError:
            probability = None
        if not sep or not model or probability is None:
            raise click.UsageError(f"--prior {value!r}: give MODEL=PROBABILITY, e.g. --prior sdm=0.5")
        if model in out:
            raise click.UsageError(f"--prior gives {model} twice")
        out[model] = probability
    return out


@click.command("bayes")
@click.argument("data", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--id", "id_column", required=True, help="Unit id column.")
@click.option("--time", "time_column", help="Period column (a panel).")
@click.option("--period", help="Use only this period of a panel (a cross-section).")
@click.option("--y", "y", required=True, help="Dependent variable: a column or log(column).")
@click.option("--x", "x", multiple=True, required=True, cls=_Variadic, help="Regressors: --x x1 x2 log(x3).")
@click.option("--wx", multiple=True, cls=_Variadic, help="Regressors whose W* lag enters SLX/SDM/SDEM (default: all).")
@click.option("--models", "models", multiple=True, cls=_Variadic,
              help=f"Models compared (default: {' '.join(_BAYES)}).")
@click.option("--fe", type=click.Choice(["none", "unit", "time", "twoway"]), default="none", show_default=True,
              help="Fixed effects of a panel, removed by demeaning (none: pooled).")
@click.option("--prior", "priors", multiple=True, metavar="MODEL=P",
              help="Prior model probability (repeatable; together they sum to 1; default: equal).")
@click.option("--weights", "weights_file", type=click.Path(dir_okay=False, path_type=Path), help="Weights file.")
@click.option("--contiguity", type=click.Choice(["queen", "rook"]), help="Build contiguity weights from --boundaries.")
@click.option("--boundaries", type=click.Path(dir_okay=False, path_type=Path),
              help="Boundary file or bundled dataset name (china_provinces) for --contiguity.")
@_unit_options
@click.option("--boundary-id", help="Id column of the boundaries (default: --id).")
@click.option("--transform", type=click.Choice(["r", "none"]), default="r", show_default=True)
@click.option("--logdet", type=click.Choice(["auto", "eigen", "lu"]), default="auto", show_default=True)
@click.option("--allow-islands", is_flag=True, help="Keep units without neighbours.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), help="Write the comparison as JSON.")
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False, path_type=Path), help="Write the table as CSV.")
@click.option("--encoding", help="Text encoding of a CSV table (e.g. gbk).")
@click.option("--overwrite", is_flag=True, help="Replace existing output files (never the inputs).")
def bayes_cmd(data, id_column, time_column, period, y, x, wx, models, fe, priors, weights_file, contiguity, boundaries,
              boundary_id, transform, logdet, allow_islands, json_out, csv_out, encoding, overwrite, **units) -> None:
    """Log-marginal likelihoods and posterior probabilities of OLS, SLX, SAR, SDM, SEM, SDEM."""
    from spatial.models._bayes import BAYES_MODELS, _check_models, check_priors

    _check_weights_source(weights_file, contiguity, boundaries)
    if fe != "none" and time_column is None:
        raise click.UsageError(f"--fe {fe} needs a panel: give --time")
    chosen = _check_models([m.lower() for m in _terms(models)] or list(BAYES_MODELS))
    prior_values = parse_priors(priors)
    check_priors(chosen, prior_values)  # refused before reading the data
    inputs = [p for p in (data, weights_file, boundaries) if p is not None]
    _check_targets(inputs, json_out, csv_out, overwrite)
    from spatial.models import compare_bayes

    regressors = _terms(x)
    panel, graph = _load_inputs(data, id_column, time_column, [y, *regressors], weights_file, contiguity, boundaries,
                                boundary_id, transform, encoding, units)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = compare_bayes(panel, graph, y=y, x=regressors, models=chosen, fe=fe, priors=prior_values,
                            wx=_terms(wx) or None, period=_period(period), logdet=logdet, allow_islands=allow_islands)
    for warning in caught:
        _progress(f"warning: {warning.message}")
    click.echo(out.summary())
    _write_outputs(out.to_dict(), out.table, json_out, csv_out, inputs, overwrite)
