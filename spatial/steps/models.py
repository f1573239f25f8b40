"""Pipeline step ``[models]``: fit the configured spatial regressions, print them, write the tables.

It runs after the weights step and uses ``ctx.results.weights`` (name -> libpysal Graph);
without a weights step it builds row-standardised queen contiguity from the panel's boundaries.
Results go to ``ctx.results.models``, a :class:`~spatial.run_results.ModelsResults` (``results``:
model -> Result, the journal tables, and the selection, Bayesian comparison, robustness set and
heterogeneity results when run).

Shape::

    [models]
    y = "log(gsp)"                     # a column or log(column)
    x = ["log(pcap)", "log(pc)", "log(emp)", "unemp"]
    models = ["ols", "sar", "sem", "sdm"]   # ols, slx, sar, sem, sdm, sdem, sac
    period = 1986                      # fit one period (a cross-section); omit for the pooled panel
    fe = "twoway"                      # panels: none (pooled), unit, time or twoway fixed effects
    lee_yu = false                     # Lee-Yu bias correction of the fixed-effects estimates
                                       # (dynamic models: Yu-de Jong-Lee, on unless lee_yu = false)
    dynamic = "both"                   # dynamic SAR/SDM: "tau" y(t-1), "eta" W y(t-1), "both"
    random_effects = false             # random unit effects instead (sar, sem, sdm, sdem)
    conditional_se = false             # with random_effects: coefficient SEs given phi and rho (as R splm)
    estimator = "gmm"                  # ml (default) or gmm: spatial 2SLS, het-robust GM, GS2SLS
                                       # (a cross-section: period, or a table without time), or with
                                       # fe = "unit" the within GM of splm's spgm (sar, sdm, sem, sdem,
                                       # sac), or random_effects = true its random-effects GM
    gmm_moments = "initial"            # gmm random-effects sem/sdem/sac: or "weights", "fullweights"
    endog = ["dig"]                    # gmm: endogenous regressors (not in x) ...
    instruments = ["rugged_x_year"]    # ... and their external instruments (one at least each)
    w_lags = 2                         # gmm lag models: W X, W^2 X instrument W y
    select = true                      # also run the model selection procedure and print its table
    bayes = true                       # Bayesian comparison of ols, slx, sar, sdm, sem, sdem (default: with
                                       # select; alone it uses fe / period above)
    bayes_priors = {sar = 0.5, sdm = 0.5}  # prior model probabilities (default: equal over bayes_models)
    bayes_models = ["sar", "sdm"]      # models compared when run alone (default: all six)
    weights = "queen"                  # a name from the weights step (default: its first), or a
                                       # robustness set ["w1", "w2"]: every model under each W side by
                                       # side (models_robustness_*); the main outputs use the first
    wx = ["log(pcap)"]                 # regressors lagged in SLX/SDM/SDEM (default: all of x)
    draws = 1000                       # simulation draws for the effects' standard errors
    cov = "cluster"                    # auto (information/hessian), robust, cluster (by unit),
                                       # driscoll_kraay (bandwidth = floor(4 (T/100)^(2/9)) unless given)
    seed = 20240601                    # recorded in every output
    language = "en"                    # or "zh": labels of the comparison table
    table_formats = ["csv", "txt", "tex", "html"]   # also "xlsx", "docx"

    [models.heterogeneity]             # optional: one model by group of units (W restricted to each)
    by = "three_regions"               # a column of the panel or boundaries, or three_regions,
                                       # four_regions, north_south (mainland China)
    model = "sdm"                      # default: the last of models
    groups = ["East", "Central", "West"]   # default: all, sorted
    coefficients = ["log(pcap)"]       # compared across groups (default: all but the constant)
    permutations = 500                 # regroupings per pair for the permutation test (0: Wald only)
    islands = "keep"                   # units without a neighbour inside their group: keep, drop, error

Outputs: ``models_table.<format>`` (the models side by side), ``models_effects_table.<format>``
(regressors as rows, Direct | Indirect | Total columns per model with effects), ``models_params.csv`` (one row per
model and parameter), ``models_effects.csv`` (one row per model, regressor and effect),
``models_tests.csv`` and ``models_<model>.json`` for each model (with ``dynamic``, also
``models_effects_long_run.csv``: the long-run effects; ``models_effects.csv`` holds the short run); with ``select``,
``models_selection.csv`` and ``.txt`` (the selection table, also shown in the report); with
the Bayesian comparison, ``models_bayes.csv`` (model, log_marginal, prior, probability, mode,
integration_error), ``models_bayes.json`` (the same with the interval and quadrature) and
``models_bayes_table.<format>`` (the journal table, in the table formats and language); with
``[models.heterogeneity]``, ``models_heterogeneity_table.<format>`` (the groups side by side, the
difference tests as notes), ``models_heterogeneity_tests.csv`` (Wald and permutation tests) and
``models_heterogeneity.json``. The permutation test uses ``seed``.
"""

from __future__ import annotations

from typing import Any, get_args

import pandas as pd

from spatial._fs import write_text_atomic
from spatial._options import config_seed
from spatial.choices import BayesModel
from spatial.config import register_section
from spatial.errors import ConfigError
from spatial.models.catalog import MODELS
from spatial.operations import FIT, FIT_BY, HETEROGENEITY_KEYS, MODELS_KEYS, TABLE, without_ml_defaults
from spatial.pipeline import RunContext, register_step, write_csv
from spatial.run_results import ModelsResults, ModelsRobustness
from spatial.steps.weights_choice import chosen_weights

_BAYES = get_args(BayesModel)  # spatial.models._bayes.BAYES_MODELS, without importing numpy

__all__: list[str] = []

register_section(
    "models",
    MODELS_KEYS,  # declared in spatial.operations (FIT, TABLE, SELECT)
    check=lambda values, **_: _check(values) or values,  # refused when the config is read, before any output
)


def _check(spec: dict[str, Any]) -> None:
    if spec["draws"] < 0:
        raise ConfigError("[models] draws must be a non-negative integer")
    if spec.get("bandwidth") is not None and (spec["bandwidth"] < 0 or spec["cov"] != "driscoll_kraay"):
        raise ConfigError(f"[models] bandwidth = {spec['bandwidth']} sets the Driscoll-Kraay kernel: a whole number "
                          "of periods (0 or more) with cov = \"driscoll_kraay\"")
    if not 0 <= spec["table_digits"] <= 10:
        raise ConfigError(f"[models] table_digits = {spec['table_digits']}: give 0 to 10 decimals")
    _check_labels(spec)
    config_seed(spec["seed"], "[models] seed")
    # which models a family fits, read from the catalog's spatial terms (it imports no numpy)
    one_parameter = [m for m, info in MODELS.items() if info.n_spatial == 1]
    spatial = [m for m, info in MODELS.items() if info.n_spatial >= 1]  # GMM also fits the random-effects SARAR
    covered = spatial if spec["estimator"] == "gmm" else one_parameter
    if spec["random_effects"] and any(m not in covered for m in spec["models"]):
        raise ConfigError(f"[models] random_effects = true applies to models {', '.join(covered)} only"
                          + ("" if spec["estimator"] == "gmm" else " (sac too with estimator = \"gmm\")")
                          + f"; models = {spec['models']}")
    if spec["conditional_se"] and not spec["random_effects"]:
        raise ConfigError("[models] conditional_se = true applies to random-effects fits; set random_effects = "
                          "true or leave conditional_se out")
    if spec.get("dynamic"):
        lag_models = [m for m, info in MODELS.items() if info.lag and not info.error]
        static = [m for m in spec["models"] if m not in lag_models]
        if static:
            raise ConfigError(f"[models] dynamic = {spec['dynamic']!r} applies to models {' and '.join(lag_models)}; "
                              f"remove {static} from models (or dynamic)")
        if spec["period"] is not None or spec["random_effects"]:
            raise ConfigError("[models] dynamic needs all periods and fixed effects (or none): remove period and "
                              "random_effects")
        if spec.get("heterogeneity") or (isinstance(spec.get("weights"), list) and len(spec["weights"]) > 1):
            raise ConfigError("[models] dynamic models are not run by group or under a robustness set of weights "
                              "yet; remove [models.heterogeneity] or the list of weights")
    if spec["fe"] != "none" and spec["period"] is not None:
        raise ConfigError("[models] fe and period exclude each other: fixed effects need all periods")
    _check_gmm(spec)
    spec["heterogeneity"] = _heterogeneity(spec)
    _check_bayes(spec)


def _check_bayes(spec: dict[str, Any]) -> None:
    if spec["bayes"] is None:
        spec["bayes"] = bool(spec["select"])
    models = list(_BAYES) if spec["select"] else spec["bayes_models"]
    priors = spec["bayes_priors"]
    if priors is not None:
        if not spec["bayes"]:
            raise ConfigError("[models] bayes_priors needs the Bayesian comparison (bayes = true)")
        from spatial.errors import SpatialPanelError
        from spatial.models import check_priors

        try:
            check_priors(models, priors)
        except SpatialPanelError as exc:
            raise ConfigError(f"[models] bayes_priors: {exc}") from None


def _check_gmm(spec: dict[str, Any]) -> None:
    if spec["estimator"] != "gmm":
        if spec.get("endog") or spec.get("instruments"):
            raise ConfigError("[models] endog and instruments need estimator = \"gmm\"")
        return
    clash = [k for k in ("dynamic", "lee_yu") if spec.get(k)]
    if spec.get("random_effects") and spec["fe"] != "none":
        clash.append("random_effects")
    if clash or spec["fe"] not in ("none", "unit"):
        raise ConfigError(f"[models] estimator = \"gmm\" fits cross-sections, panels with fe = \"unit\" and "
                          f"random-effects panels; remove {clash or ['fe']} (or use estimator = \"ml\")")
    within = [m for m, info in MODELS.items() if info.n_spatial >= 1]  # the within GM: sar, sem, sdm, sdem, sac
    if spec["fe"] == "unit" and any(m not in within for m in spec["models"]):
        raise ConfigError(f"[models] estimator = \"gmm\" with fe = \"unit\" covers {', '.join(within)}; "
                          f"models = {spec['models']}")
    least = [m for m in spec["models"] if MODELS[m].family == "least_squares"]
    if least and not spec.get("endog"):
        raise ConfigError(f"[models] estimator = \"gmm\" of {least} without endog is least squares itself; remove "
                          "them from models or give endog and instruments")
    if spec["w_lags"] < 1:
        raise ConfigError(f"[models] w_lags = {spec['w_lags']}: give 1 or more powers of W")


def fit_keywords(spec: dict[str, Any], model: str) -> dict[str, Any]:
    """The keywords of :func:`spatial.models.fit` for ``model`` from the ``[models]`` values (declared in FIT):
    the lagged regressors of a Durbin model, the GMM keywords only with ``estimator = "gmm"``."""
    keywords = FIT.keywords(spec, model=model, wx=spec["wx"] if MODELS[model].durbin else None,
                            period=spec.get("period"))
    return without_ml_defaults(keywords)


def _check_labels(spec: dict[str, Any]) -> None:
    from spatial.errors import SpatialPanelError
    from spatial.labels import check_labels

    labels = spec.get("labels") or {}
    bad = {k: v for k, v in labels.items() if not isinstance(v, str) or not v.strip()}
    if bad:
        raise ConfigError(f"[models.labels] {bad}: every label must be non-blank text, e.g. dig = \"数字经济\"")
    try:
        check_labels(labels, [spec["y"], *spec["x"], *(spec.get("wx") or []), *(spec.get("endog") or [])],
                     where="[models.labels]")
    except SpatialPanelError as error:
        raise ConfigError(str(error)) from None


def _table_options(spec: dict[str, Any]) -> dict[str, Any]:
    """The keywords of :func:`spatial.models.compare` that the config sets."""
    return TABLE.keywords(spec, labels=spec.get("labels") or None)


def _heterogeneity(spec: dict[str, Any]) -> dict[str, Any] | None:
    """The checked ``[models.heterogeneity]`` table with its defaults, or None."""
    raw = spec.get("heterogeneity")
    if raw is None:
        return None
    from spatial.io import close_matches

    where = "[models.heterogeneity]"
    checked = {}
    for key, value in raw.items():
        if value is None:  # a default filled in by an earlier check
            continue
        if key not in HETEROGENEITY_KEYS:
            near = close_matches(key, list(HETEROGENEITY_KEYS), n=1)
            raise ConfigError(f"unknown key {key!r} in {where}" + (f" (did you mean {near[0]!r}?)" if near else ""))
        declared = HETEROGENEITY_KEYS[key]
        if not isinstance(value, declared.type) or isinstance(value, bool):
            raise ConfigError(f"{where} {key} must be {declared.type.__name__}, got {value!r}")
        if declared.type is list and (not value or any(not isinstance(v, str) or not v.strip() for v in value)):
            raise ConfigError(f"{where} {key} must list names that are not blank, got {value!r}")
        if declared.choices is not None and value not in declared.choices:
            raise ConfigError(f"{where} {key} = {value!r} is not allowed; choose one of "
                              + ", ".join(map(repr, declared.choices)))
        checked[key] = value
    for key, declared in HETEROGENEITY_KEYS.items():
        checked.setdefault(key, declared.default)
    if checked["by"] is None:
        raise ConfigError(f"{where} needs 'by': a column of the panel or boundaries, or three_regions, four_regions "
                          "or north_south")
    checked["model"] = checked["model"] or spec["models"][-1]
    top = FIT_BY.param("permutations").high
    if not 0 <= checked["permutations"] <= top:
        raise ConfigError(f"{where} permutations must be between 0 and {top}, got {checked['permutations']}")
    return checked


def journal_tables(results: dict[str, Any], options: dict[str, Any], *, effects_rows: bool = True):
    """The models side by side and the effects table (None without effects), columns "(1) SAR"...

    One builder for the files and the report (which passes its own ``lang`` and, showing the
    effects table beside it, ``effects_rows=False``)."""
    from spatial.models import compare, effects_table

    named = {f"({i}) {m.upper()}": r for i, (m, r) in enumerate(results.items(), 1)}
    with_effects = {k: r for k, r in named.items() if r.effects is not None}
    table = compare(named, effects=effects_rows or not with_effects, **options)
    effects = None
    if with_effects:
        keep = {k: v for k, v in options.items() if k != "layout"}
        effects = effects_table(with_effects if len(with_effects) > 1 else next(iter(with_effects.values())),
                                **keep)
    return table, effects


def _planned(spec: dict[str, Any]) -> list[str]:
    """Every file the step writes."""
    planned = [f"models_table.{f}" for f in spec["table_formats"]]
    if any(MODELS[m].lag or MODELS[m].durbin for m in spec["models"]):  # the others have no effects
        planned += [f"models_effects_table.{f}" for f in spec["table_formats"]]
    planned += ["models_params.csv", "models_effects.csv", "models_tests.csv"]
    planned += [f"models_{m}.json" for m in spec["models"]]
    if spec.get("dynamic"):
        planned.append("models_effects_long_run.csv")
    if spec["select"]:
        planned += ["models_selection.csv", "models_selection.txt"]
    if spec["bayes"]:
        planned += ["models_bayes.csv", "models_bayes.json"]
        planned += [f"models_bayes_table.{f}" for f in spec["table_formats"]]
    if isinstance(spec.get("weights"), list) and len(spec["weights"]) > 1:
        planned += [f"models_robustness_table.{f}" for f in spec["table_formats"]]
        planned += ["models_robustness_params.csv", "models_robustness_effects.csv"]
    if spec.get("heterogeneity") is not None:
        planned += [f"models_heterogeneity_table.{f}" for f in spec["table_formats"]]
        planned += [f"models_heterogeneity_tests_table.{f}" for f in spec["table_formats"]]
        planned += ["models_heterogeneity_tests.csv", "models_heterogeneity.json"]
    return planned


def _models_step(ctx: RunContext) -> None:
    if "models" not in ctx.config or ctx.panel is None:
        return
    spec = ctx.config["models"]
    _check(spec)
    chosen = chosen_weights(ctx, spec, "models", row_standardise=True)
    name, graph = next(iter(chosen.items()))
    paths = {file: ctx.output_path(file) for file in _planned(spec)}  # checked before the estimation
    results = _fit_models(ctx, spec, graph)
    options = _table_options(spec)
    table, effects_table = journal_tables(results, options)
    ctx.echo(f"Spatial regressions (weights: {name})")
    for result in results.values():
        ctx.echo("")
        ctx.echo(result.summary())
    ctx.echo("")
    ctx.echo(table.to_text())
    choice = _select(ctx, spec, graph) if spec["select"] else None
    bayes = choice.bayes if choice is not None else _bayes(ctx, spec, graph) if spec["bayes"] else None
    fitted = ModelsResults(
        weights=name, results=results, table=table, effects_table=effects_table, table_options=options,
        selection=choice, bayes=bayes, robustness=_robustness(ctx, spec, chosen, results) if len(chosen) > 1 else None,
        heterogeneity=_heterogeneity_fit(ctx, spec, graph))
    ctx.results.models = fitted
    if ctx.output is not None:
        _write(ctx, spec, fitted, paths)


def _select(ctx: RunContext, spec: dict[str, Any], graph):
    """The model selection procedure (``select = true``), echoed."""
    from spatial.models import select

    choice = select(ctx.panel, graph, y=spec["y"], x=spec["x"], allow_islands=spec["allow_islands"],
                    logdet=spec["logdet"], lee_yu=spec["lee_yu"], bayes=spec["bayes"], priors=spec["bayes_priors"])
    ctx.echo("")
    ctx.echo(choice.summary())
    return choice


def _bayes(ctx: RunContext, spec: dict[str, Any], graph):
    """The Bayesian comparison alone (``bayes = true`` without ``select``), echoed."""
    from spatial.models import compare_bayes

    bayes = compare_bayes(ctx.panel, graph, y=spec["y"], x=spec["x"], models=spec["bayes_models"],
                          fe=spec["fe"], period=spec["period"], priors=spec["bayes_priors"], wx=spec["wx"],
                          logdet=spec["logdet"] if spec["logdet"] in ("eigen", "lu") else "auto",
                          allow_islands=spec["allow_islands"])
    ctx.echo("")
    ctx.echo(bayes.summary())
    return bayes


def _write(ctx: RunContext, spec: dict[str, Any], fitted: ModelsResults, paths: dict) -> None:
    """Every file of the step, from its typed results."""
    if fitted.robustness is not None:
        _write_robustness(ctx, spec, fitted.robustness, paths)
    if fitted.heterogeneity is not None:
        _write_heterogeneity(ctx, spec, fitted.heterogeneity, paths)
    if fitted.selection is not None:
        write_csv(ctx, "models_selection.csv", fitted.selection.table, index=False)
        write_text_atomic(paths["models_selection.txt"], fitted.selection.summary() + "\n")
        ctx.wrote(paths["models_selection.txt"])
    if fitted.bayes is not None:
        import json

        from spatial.models import bayes_table

        write_csv(ctx, "models_bayes.csv", fitted.bayes.table, index=False)
        write_text_atomic(paths["models_bayes.json"],
                          json.dumps(fitted.bayes.to_dict(), indent=2, ensure_ascii=False) + "\n")
        ctx.wrote(paths["models_bayes.json"])
        journal = bayes_table(fitted.bayes, lang=spec["language"], digits=spec["table_digits"])
        for fmt in spec["table_formats"]:
            journal.write(paths[f"models_bayes_table.{fmt}"], overwrite=True)  # checked with the other outputs
            ctx.wrote(paths[f"models_bayes_table.{fmt}"])
    for fmt in spec["table_formats"]:
        path = paths[f"models_table.{fmt}"]
        fitted.table.write(path, overwrite=True)  # checked above (never an input; existing only with overwrite)
        ctx.wrote(path)
        if fitted.effects_table is not None and paths.get(f"models_effects_table.{fmt}") is not None:
            fitted.effects_table.write(paths[f"models_effects_table.{fmt}"], overwrite=True)
            ctx.wrote(paths[f"models_effects_table.{fmt}"])
    results = fitted.results
    params = pd.concat([r.to_frame() for r in results.values()], ignore_index=True)
    write_csv(ctx, "models_params.csv", params, index=False)
    effects = [r.effects.to_frame().assign(model=m) for m, r in results.items() if r.effects is not None]
    empty = pd.DataFrame(columns=["variable", "effect", "estimate", "std_error", "z", "p_value", "model"])
    write_csv(ctx, "models_effects.csv", pd.concat(effects, ignore_index=True) if effects else empty, index=False)
    if spec.get("dynamic"):
        long_run = [r.long_run_effects.to_frame().assign(model=m) for m, r in results.items()
                    if r.long_run_effects is not None]
        write_csv(ctx, "models_effects_long_run.csv", pd.concat(long_run, ignore_index=True) if long_run else empty,
                  index=False)
    tests = pd.DataFrame([{"model": m, "test": t.name, "statistic": t.statistic, "df": t.df, "p_value": t.p_value}
                          for m, r in results.items() for t in r.tests.values()])
    write_csv(ctx, "models_tests.csv", tests, index=False)
    for model, result in results.items():
        path = paths[f"models_{model}.json"]
        write_text_atomic(path, result.to_json())
        ctx.wrote(path)


def _fit_models(ctx: RunContext, spec: dict[str, Any], graph) -> dict[str, Any]:
    """Every configured model under one weights matrix."""
    from spatial.models import fit

    results = {model: fit(ctx.panel, graph, **fit_keywords(spec, model)) for model in spec["models"]}
    if not spec.get("allow_nonconverged", False):
        _check_numerics(results)
    return results


def _check_numerics(results: dict[str, Any]) -> None:
    """Stop before anything is written when a fit did not converge or its effects are undefined
    (RELIABILITY E2/E3, as ``spatial fit`` without ``--allow-nonconverged``)."""
    from spatial.errors import NumericalError

    for model, result in results.items():
        if not result.converged:
            raise NumericalError(f"[models] {model}: the optimiser did not converge "
                                 f"({result.details.get('optimizer')}); nothing was written. Check the data and "
                                 "weights, or set allow_nonconverged = true in [models] to keep the results")
        if result.effects_undefined:
            raise NumericalError(f"[models] {model}: the effects are {result.effects_undefined}; nothing was "
                                 "written. Set allow_nonconverged = true in [models] to keep the results "
                                 "(written without effects)")


def _robustness(ctx: RunContext, spec: dict[str, Any], chosen: dict[str, Any],
                first: dict[str, Any]) -> ModelsRobustness:
    """The same models under every W of a robustness set, side by side (model-major, then W)."""
    names = list(chosen)
    by_weights = {names[0]: first} | {w: _fit_models(ctx, spec, chosen[w]) for w in names[1:]}
    table = robustness_table(by_weights, spec["models"], _table_options(spec))
    ctx.echo("")
    ctx.echo(f"Robustness: the models under each weights matrix ({', '.join(names)})")
    ctx.echo(table.to_text())
    return ModelsRobustness(weights=tuple(names), results=by_weights, table=table, models=tuple(spec["models"]))


def robustness_table(by_weights: dict[str, dict[str, Any]], models: list[str], options: dict[str, Any]):
    """The same models under every W side by side, "(1) SDM W1", "(2) SDM W2"... (model-major, then W);
    one builder for the files and the report (which passes its own ``lang``)."""
    from spatial.models import compare

    columns = {f"({i}) {model.upper()} {w}": by_weights[w][model]
               for i, (model, w) in enumerate(((m, w) for m in models for w in by_weights), 1)}
    return compare(columns, effects=True, **options)


def _write_robustness(ctx: RunContext, spec: dict[str, Any], robust: ModelsRobustness, paths: dict) -> None:
    for fmt in spec["table_formats"]:
        path = paths[f"models_robustness_table.{fmt}"]
        robust.table.write(path, overwrite=True)  # checked with the plan
        ctx.wrote(path)
    params = [r.to_frame().assign(weights=w) for w, models in robust.results.items() for r in models.values()]
    write_csv(ctx, "models_robustness_params.csv", pd.concat(params, ignore_index=True), index=False)
    effects = [r.effects.to_frame().assign(model=m, weights=w) for w, models in robust.results.items()
               for m, r in models.items() if r.effects is not None]
    empty = pd.DataFrame(columns=["variable", "effect", "estimate", "std_error", "z", "p_value", "model", "weights"])
    write_csv(ctx, "models_robustness_effects.csv", pd.concat(effects, ignore_index=True) if effects else empty,
              index=False)


def _heterogeneity_fit(ctx: RunContext, spec: dict[str, Any], graph):
    """``[models.heterogeneity]``: the configured model by group, echoed; None when not configured."""
    het_spec = spec["heterogeneity"]
    if het_spec is None:
        return None
    from spatial.heterogeneity import heterogeneity

    model = het_spec["model"]
    fit_options = fit_keywords(spec, model)
    het = heterogeneity(ctx.panel, graph, **FIT_BY.keywords(het_spec, y=spec["y"], x=spec["x"], seed=spec["seed"],
                                                            language=spec["language"]),
                        **{k: v for k, v in fit_options.items() if k not in ("y", "x", "seed", "dynamic")})
    ctx.echo("")
    ctx.echo(f"{model.upper()} by group ({het.by})")
    ctx.echo(het.summary())
    return het


def _write_heterogeneity(ctx: RunContext, spec: dict[str, Any], het, paths: dict) -> None:
    table, tests = het.tables(**_table_options(spec))
    for fmt in spec["table_formats"]:
        for stem, journal in (("models_heterogeneity_table", table), ("models_heterogeneity_tests_table", tests)):
            path = paths[f"{stem}.{fmt}"]
            journal.write(path, overwrite=True)  # checked with the plan (never an input; existing only with overwrite)
            ctx.wrote(path)
    write_csv(ctx, "models_heterogeneity_tests.csv", het.tests_frame(), index=False)
    path = paths["models_heterogeneity.json"]
    write_text_atomic(path, het.to_json())
    ctx.wrote(path)


register_step("models", _models_step, plan=lambda config: _planned(config["models"]) if "models" in config else [])
