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

from spatial.cli import STATE, uses_weights
from spatial.cli.inputs import LOADER_KEYS, input_options
from spatial.operations import FIT, FIT_BY, SELECT, TABLE, without_ml_defaults

__all__ = ["fit_cmd"]

_SPLIT = re.compile(r",|\s+(?![^()]*\))")


def _terms(values: tuple[str, ...]) -> list[str]:
    """Regressors from repeated/variadic --x values, also comma- or space-separated."""
    out: list[str] = []
    for value in values:
        out += [t.strip() for t in _SPLIT.split(value) if t and t.strip()]
    return out


def _progress(text: str) -> None:
    if not STATE.quiet:
        click.echo(text, err=True)


def _read_weights(path: Path, panel, transform: str, *, restrict: str, id_normalize: str | None):
    """The panel (restricted to the file's units with ``--restrict intersection``, recorded) and the weights
    file aligned to it by key, with the loader's ``--restrict`` and ``--id-normalize`` as on every command."""
    import weights

    from spatial.weights_file import read_aligned_weights

    # ids matched by key (the message says how to fix a mismatch); matrix=True: no Graph, so
    # libpysal (and the sklearn, scipy.stats, geopandas it loads) stays out of the fit
    panel, graph = read_aligned_weights(path, panel, restrict=restrict, id_normalize=id_normalize, matrix=True)
    if transform == "r":
        graph = weights.row_standardize(graph)
    return panel, graph


@click.command("fit")
@input_options(FIT, TABLE, FIT_BY, contiguity=None, argument="table_path", required=False, metavar="[DATA]",
               several_weights=True)
def fit_cmd(table_path, data, id_column, time_column, weights_file, contiguity, boundaries, json, out, table,
            allow_nonconverged, overwrite, transform, stat, lang, digits, layout, labels, by, groups, coefficients,
            permutations, islands, **values) -> None:
    """Estimate a spatial regression (OLS, SLX, SAR, SEM, SDM, SDEM, SAC) and print its summary.

    With --by, the model is fitted in each group of units and the groups are printed side by side
    with Wald and permutation tests of equal coefficients. With --weights repeated, the model under
    each W side by side (a robustness set, named by the file stems)."""
    from spatial._fs import check_output, display_path
    from spatial.errors import NumericalError, SpatialPanelError

    loader = {k: values.pop(k) for k in (*LOADER_KEYS, "match_names")}
    files = tuple(weights_file or ())
    weights_file = files[0] if files else None
    if len(files) > 1 and by is not None:
        raise click.UsageError("--by with several --weights is not supported; give one --weights per run of "
                               "`spatial fit --by`")
    json_out, table_out = json, table
    if table_path is None and data is None:
        raise click.UsageError("give the data table as the first argument or with --data")
    if table_path and data:
        raise click.UsageError("give the data table once (argument or --data)")
    table_path = table_path or data
    if json_out and out:
        raise click.UsageError("give the JSON output once (--json or --out)")
    json_out = json_out or out
    if (values["fe"] != "none" or values["random_effects"]) and time_column is None:
        raise click.UsageError("--fe unit|time|twoway and --random-effects need a panel: give --time COLUMN")
    if values["dynamic"] and time_column is None:
        raise click.UsageError("--dynamic needs a panel: a lag of y in time does not exist in a cross-section; give "
                               "--time COLUMN")
    _check_weights_source(weights_file, contiguity, boundaries)
    if by is None and (groups or permutations or coefficients or islands != "keep"):
        raise click.UsageError("--groups, --permutations, --compare and --group-islands need --by COLUMN|PRESET")
    inputs = [p for p in (table_path, *files, boundaries) if p is not None]
    tests_out = differences_path(table_out) if by is not None and table_out is not None else None
    targets = [check_output(p, inputs=inputs, overwrite=overwrite) for p in (json_out, table_out, tests_out)
               if p is not None]
    if len({t.resolve() for t in targets}) < len(targets):
        raise SpatialPanelError("--json and --table name the same file; choose two paths")

    from spatial.labels import check_labels, parse_labels
    from spatial.models import compare, fit

    values["x"] = _terms(values["x"])
    values["wx"] = _terms(values["wx"]) or None
    endog, instruments = _terms(values["endog"]), _terms(values["instruments"])
    if values["estimator"] != "gmm" and (endog or instruments):
        raise click.UsageError("--endog and --instruments need --estimator gmm")
    values["endog"], values["instruments"] = endog or None, instruments or None
    values["period"] = _period(values["period"])
    names = parse_labels(labels)
    check_labels(names, [values["y"], *values["x"], *(values["wx"] or []), *endog])  # a typo costs nothing
    layout = TABLE.keywords({}, stat=stat, lang=lang, digits=digits, layout=layout, labels=names)
    panel, graph = _load_inputs(table_path, id_column, time_column, [values["y"], *values["x"], *endog, *instruments],
                                weights_file, contiguity, boundaries, transform, loader)
    options = without_ml_defaults(FIT.keywords({}, **values))
    if len(files) > 1:
        _fit_robustness(panel, graph, files, options, transform=transform, loader=loader, layout=layout,
                        json_out=json_out, table_out=table_out, overwrite=overwrite,
                        allow_nonconverged=allow_nonconverged)
        return
    if by is not None:
        _fit_by(panel, graph, options, by=by, groups=groups, permutations=permutations, coefficients=coefficients,
                islands=islands, layout=layout, json_out=json_out, table_out=table_out, overwrite=overwrite,
                allow_nonconverged=allow_nonconverged)
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fit(panel, graph, **options)
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


def _fit_by(panel, graph, options: dict, *, by: str, groups: list[str] | None, permutations: int,
            coefficients: tuple[str, ...], islands: str, layout: dict, json_out, table_out, overwrite: bool,
            allow_nonconverged: bool) -> None:
    """``fit --by``: the model by group, side by side, with the tests of equal coefficients."""
    from spatial._fs import check_output, display_path, write_text_atomic
    from spatial.errors import NumericalError
    from spatial.heterogeneity import heterogeneity

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        het = heterogeneity(panel, graph, by=by, groups=groups, coefficients=_terms(coefficients) or None,
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
        side, tests = het.tables(**layout)
        tests_out = differences_path(table_out)
        for path, journal in ((table_out, side), (tests_out, tests)):
            journal.write(path, overwrite=overwrite)
            _progress(f"wrote {display_path(path)}")


def _fit_robustness(panel, graph, files, options: dict, *, transform: str, loader: dict, layout: dict, json_out,
                    table_out, overwrite: bool, allow_nonconverged: bool) -> None:
    """``fit --weights W1 --weights W2 ...``: the model under each W (``graph`` is the first, read with the
    panel), printed and written side by side as a config's ``[models] weights = [...]`` writes
    ``models_robustness_table`` (:func:`spatial.steps.models.robustness_table`); ``--json`` gets
    ``{"robustness": {W: result}}``."""
    import json

    from spatial._fs import display_path, write_text_atomic
    from spatial.cli.esda import weights_names
    from spatial.errors import NumericalError
    from spatial.models import fit
    from spatial.steps.models import robustness_table

    names = weights_names(files)
    graphs = {next(iter(names)): graph}
    for name, path in list(names.items())[1:]:
        since = len(STATE.warnings)
        aligned, graphs[name] = _read_weights(path, panel, transform, restrict=loader["restrict"],
                                              id_normalize=loader["id_normalize"])
        if aligned.n_units != panel.n_units:
            lacking = [i for i in panel.entities if i not in set(aligned.entities)]
            raise click.UsageError(f"--weights {path} lacks {len(lacking)} units of the panel that the first "
                                   f"--weights covers ({', '.join(map(str, lacking[:5]))}); with several --weights "
                                   "every file must cover the same units: add them to the file, or leave them out "
                                   "of the table (--keep)")
        _progress(f"weights: {display_path(path)}" + (", row-standardised" if transform == "r" else ", as given"))
        uses_weights(graphs[name], display_path(path), since)
    results = {}
    for name, w in graphs.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            results[name] = fit(panel, w, **options)
        for warning in caught:
            _progress(f"warning: {warning.message}")
        click.echo(f"Weights {name}")
        click.echo(results[name].summary())
    failed = [n for n, r in results.items() if not r.converged or r.effects_undefined]
    if failed and not allow_nonconverged:
        raise NumericalError(f"the fit under --weights {', '.join(failed)} did not converge or has undefined "
                             "effects; nothing was written. Pass --allow-nonconverged to keep the results")
    model = next(iter(results.values())).model
    table = robustness_table({n: {model: r} for n, r in results.items()}, [model], layout)
    click.echo("")
    click.echo(f"Robustness: the model under each weights matrix ({', '.join(names)})")
    click.echo(table.to_text())
    if json_out is not None:
        document = {"robustness": {n: r.to_dict() for n, r in results.items()},
                    "weights": {n: str(p) for n, p in names.items()}}
        write_text_atomic(json_out, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        _progress(f"wrote {display_path(json_out)}")
    if table_out is not None:
        table.write(table_out, overwrite=overwrite)
        _progress(f"wrote {display_path(table_out)}")


def differences_path(table_out: Path) -> Path:
    """Where ``fit --by --table T`` writes the tests of equal coefficients: beside T, as ``T_tests``."""
    table_out = Path(table_out)
    return table_out.with_name(f"{table_out.stem}_tests{table_out.suffix}")


def _period(text: str | None):
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        return text


def _load_inputs(table_path: Path, id_column: str, time_column: str | None, terms: list[str], weights_file,
                 contiguity, boundaries, transform: str, loader: dict):
    """The validated panel and its weights graph (for ``spatial fit`` and ``spatial select``), read as
    ``spatial check`` and a config run read them (:func:`spatial.cli.inputs.panel_config`)."""
    from spatial._fs import display_path
    from spatial.cli.inputs import panel_config, split_list
    from spatial.config import validate_config
    from spatial.models.numerics import parse_term
    from spatial.pipeline import echo_repairs, load_panel

    since = len(STATE.warnings)
    columns = sorted({parse_term(t).column for t in terms})
    loader = {**loader, "match_names": split_list(loader["match_names"])}
    raw = panel_config(table_path, id_column, boundaries=boundaries, time=time_column, variables=columns, **loader)
    panel = load_panel(validate_config(raw, where="command line"))
    periods = "period" if panel.n_periods == 1 else "periods"
    _progress(f"{panel.n_units} units x {panel.n_periods} {periods} from {display_path(table_path)}")
    if weights_file is not None:
        before = len(panel.dropped)
        panel, graph = _read_weights(weights_file, panel, transform, restrict=loader["restrict"],
                                     id_normalize=loader["id_normalize"])
        echo_repairs(panel.dropped.iloc[before:], _progress)
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
@input_options(SELECT, contiguity=None, argument="data")
def select_cmd(data, id_column, time_column, weights_file, contiguity, boundaries, transform, json, csv, overwrite,
               y, x, priors, **values) -> None:
    """Run the model selection procedure on a panel and print the table and the recommended model."""
    from spatial.cli.bayes import parse_priors
    from spatial.errors import SpatialPanelError

    loader = {k: values.pop(k) for k in (*LOADER_KEYS, "match_names")}
    _check_weights_source(weights_file, contiguity, boundaries)
    prior_values = parse_priors(priors)
    if not values["bayes"] and prior_values is not None:
        raise SpatialPanelError("--prior sets the priors of the Bayesian comparison, which --no-bayes turns off; "
                                "drop one of them")
    if prior_values is not None:
        from spatial.models import BAYES_MODELS, check_priors

        check_priors(BAYES_MODELS, prior_values)  # refused before reading the data
    from spatial.models import select

    regressors = _terms(x)
    _analyse_and_write(
        lambda panel, graph: select(panel, graph, **SELECT.keywords({}, y=y, x=regressors, priors=prior_values,
                                                                    **values), allow_islands=values["allow_islands"]),
        data, id_column, time_column, [y, *regressors], weights_file, contiguity, boundaries, transform, loader,
        json, csv, overwrite)


def _analyse_and_write(analyse, data, id_column, time_column, terms, weights_file, contiguity, boundaries, transform,
                       loader, json, csv, overwrite, *, table=None, journal=None) -> None:
    """Load the panel and W, run ``analyse(panel, graph)`` (its warnings printed on stderr), print its summary and
    write its JSON/CSV (and with ``table``, the journal table ``journal(out)`` by the path's extension): the path
    shared by ``select`` and ``bayes``. The targets are checked before any reading."""
    inputs = [p for p in (data, weights_file, boundaries) if p is not None]
    _check_targets(inputs, json, csv, overwrite, table)
    panel, graph = _load_inputs(data, id_column, time_column, terms, weights_file, contiguity, boundaries, transform,
                                loader)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = analyse(panel, graph)
    for warning in caught:
        _progress(f"warning: {warning.message}")
    click.echo(out.summary())
    _write_outputs(out.to_dict(), out.table, json, csv, inputs, overwrite)
    if table is not None:
        from spatial._fs import check_output, display_path

        journal(out).write(check_output(table, inputs=inputs, overwrite=overwrite), overwrite=True)
        _progress(f"wrote {display_path(table)}")


def _check_weights_source(weights_file, contiguity, boundaries) -> None:
    """Exactly one of --weights and --contiguity, the latter with --boundaries."""
    if (weights_file is None) == (contiguity is None):
        raise click.UsageError("give exactly one of --weights FILE or --contiguity queen|rook (with --boundaries)")
    if contiguity and boundaries is None:
        raise click.UsageError("--contiguity needs --boundaries FILE")


def _check_targets(inputs, json_out, csv_out, overwrite, table_out=None) -> None:
    """Refuse outputs over an input, over an existing file without --overwrite, or twice the same path."""
    from spatial._fs import check_output
    from spatial.errors import SpatialPanelError

    given = {flag: p for flag, p in (("--json", json_out), ("--csv", csv_out), ("--table", table_out)) if p is not None}
    targets = {flag: check_output(p, inputs=inputs, overwrite=overwrite).resolve() for flag, p in given.items()}
    if len(set(targets.values())) < len(targets):
        same = [flag for flag, t in targets.items() if list(targets.values()).count(t) > 1]
        raise SpatialPanelError(f"{' and '.join(same)} name the same file; choose different paths")


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
