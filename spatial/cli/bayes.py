"""``spatial bayes``: log-marginal likelihoods and posterior model probabilities (LeSage 2014).

    spatial bayes data.csv --id code --time year --fe twoway --y "log(gdp)" --x "log(k)" "log(l)" \\
        --weights queen.gal --prior sar=0.25 --prior sdm=0.25 --prior sem=0.25 --prior sdem=0.25 \\
        --models sar sdm sem sdem --json bayes.json

A cross-section (no ``--time``, or ``--period``) or a panel (pooled, or ``--fe`` unit, time,
two-way). ``spatial select`` shows the same table beside its tests.
"""

from __future__ import annotations

import click

from spatial.cli.fit import _analyse_and_write, _check_weights_source, _period, _terms
from spatial.cli.inputs import LOADER_KEYS, input_options
from spatial.operations import BAYES

__all__ = ["bayes_cmd", "parse_priors"]


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
@input_options(BAYES, contiguity=None, argument="data")
def bayes_cmd(data, id_column, time_column, weights_file, contiguity, boundaries, transform, json, csv, overwrite, y, x,
              models, priors, wx, period, table, lang, digits, **values) -> None:
    """Log-marginal likelihoods and posterior probabilities of OLS, SLX, SAR, SDM, SEM, SDEM."""
    from spatial.models import BAYES_MODELS, check_bayes_models, check_priors

    _check_weights_source(weights_file, contiguity, boundaries)
    fe = values["fe"]
    if fe != "none" and time_column is None:
        raise click.UsageError(f"--fe {fe} needs a panel: give --time")
    chosen = check_bayes_models([m.lower() for m in _terms(models)] or list(BAYES_MODELS))
    prior_values = parse_priors(priors)
    check_priors(chosen, prior_values)  # refused before reading the data
    loader = {k: values.pop(k) for k in (*LOADER_KEYS, "match_names")}
    from spatial.models import bayes_table, compare_bayes

    regressors = _terms(x)
    _analyse_and_write(
        lambda panel, graph: compare_bayes(panel, graph, **BAYES.keywords(
            {}, y=y, x=regressors, models=chosen, priors=prior_values, wx=_terms(wx) or None, period=_period(period),
            **values)),
        data, id_column, time_column, [y, *regressors], weights_file, contiguity, boundaries, transform, loader,
        json, csv, overwrite, table=table,
        journal=lambda comparison: bayes_table(comparison, lang=lang, digits=digits))
