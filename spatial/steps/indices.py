"""Pipeline step ``[indices]``: composite indices, coupling coordination, inequality, geographic
detector and location quotients, computed from the validated panel.

It runs right after the panel is loaded and before weights, ESDA and models, because its indices
become panel variables: the overall index (``name``), each subsystem index, and with two or more
subsystems the coupling coordination degree (``<name>_D``) are added to ``ctx.panel`` (a new
:class:`~spatial.SpatialPanel`), so later steps can map them, test them with Moran's I or use
them in models. Every result object is kept in ``ctx.results.indices``, an
:class:`~spatial.run_results.IndicesResults` (fields ``composite``, ``coupling``, ``theil``,
``dagum_gini``, ``sigma``, ``cv``, ``kde``, ``geodetector``, ``lq``, ``dea``, ``markov``...).

Shape::

    [indices]
    indicators = "indicators.csv"    # indicator, direction, optional subsystem and weight
    normalize = "minmax"             # or "zscore"
    pooling = "pooled"               # or "per_period"
    weighting = "entropy"            # "critic", "cv", "equal", "user"
    combine = "multiplicative"       # optional: with the subjective 'weight' column (AHP); or "linear"
    alpha = 0.5                      # subjective share of the linear rule
    obstacle = true                  # obstacle degree tables (indices_obstacle*.csv)
    method = "weighted_sum"          # or "topsis"
    name = "index"
    grading = "ten_level"            # of the coupling coordination degree
    coupling_formula = "classical"   # or "revised" (Wang Shujia et al. 2021)
    coupling_exponent = 5            # optional adjustment exponent k (classical; default 1/n)
    inequality = ["index"]           # Theil, Dagum Gini (with group), CV, sigma, kernel densities
    theil_kind = "T"                 # or "L" (mean log deviation)
    sigma_statistic = "cv"           # or "sd_log" (dispersion of sigma convergence)
    group = "china_region"           # or a text column of the panel table
    geodetector_y = "index"
    geodetector_factors = ["gdp_pc", "urban_rate"]
    lq_industries = ["manufacturing", "services"]
    lq_basis = "employment"          # or "output", "firms"
    lq_score = [50, 100]             # optional linear score of the LQ
    dea_inputs = ["capital", "labour", "energy"]
    dea_outputs = ["gdp"]
    dea_undesirable = ["so2", "cod"]
    dea_model = "super_sbm"          # "ccr", "bcc", "sbm"; dea_rts, dea_orientation, dea_frontier
    productivity = "gml"             # or "malmquist": cumulative index added as productivity_name
    markov = ["index"]               # Markov chains of quantile classes (spatial with boundaries)
    gravity_weight = "gdp"           # centre of gravity and ellipses (gravity_lon, gravity_lat columns)

Every key is declared with its index operation in :mod:`spatial.operations_indices` (the command
``spatial index NAME`` has the same options) and computed by its workflow function in
:mod:`spatial.indices.workflow`.

Outputs (in the run's folder): ``indices_scores.csv``, ``indices_weights.csv``,
``indices_obstacle.csv`` (+ ``_subsystems``, ``_top``),
``indices_coupling.csv``, ``indices_theil_<var>.csv`` (+ ``_groups``), ``indices_gini_<var>.csv``
(+ ``_within``, ``_between``), ``indices_sigma_<var>.csv``, ``indices_cv_<var>.csv``,
``indices_kde_<var>.png`` / ``.svg``, ``indices_geodetector_*.csv``, ``indices_lq.csv``,
``indices_dea.csv``, ``indices_gml.csv`` / ``indices_malmquist.csv`` (+ ``_distances``),
``indices_markov_<var>.csv`` (+ ``_summary``, ``.png``, ``.svg``),
``indices_gravity_centres.csv`` (+ ``_moves``, ``_ellipses``, ``indices_gravity_map.png`` / ``.svg``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spatial._fs import safe_name, sha256
from spatial.config import register_section
from spatial.errors import ConfigError
from spatial.operations_indices import (
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
    INDICES_KEYS,
)
from spatial.pipeline import RunContext, register_step, write_csv
from spatial.run_results import IndicesResults

__all__: list[str] = []

def _write_tables(ctx: RunContext, stem: str, tables: dict, names: dict[str, str] | None = None) -> None:
    """Write a workflow's tables as ``<stem>.csv`` (the main one) and ``<stem>_<suffix>.csv``.

    ``names`` renames suffixes (``{"": "centres"}``); a suffix named None is not written.
    """
    for suffix, frame in tables.items():
        name = (names or {}).get(suffix, suffix)
        if frame is None or name is None:
            continue
        write_csv(ctx, f"{stem}_{name}.csv" if name else f"{stem}.csv", frame, index=False)


def _planned(spec: dict[str, Any]) -> list[str]:
    """Every file name the step will write, so that all are checked before computing."""
    names = []
    if spec["indicators"]:
        names += ["indices_scores.csv", "indices_weights.csv"]
        if spec["method"] == "topsis":
            names.append("indices_distances.csv")
        if spec["obstacle"]:
            names += ["indices_obstacle.csv", "indices_obstacle_subsystems.csv", "indices_obstacle_top.csv"]
    for var in spec["inequality"]:
        names += [f"indices_theil_{var}.csv", f"indices_sigma_{var}.csv", f"indices_cv_{var}.csv"]
        if spec["group"]:
            names += [
                f"indices_theil_{var}_groups.csv",
                f"indices_gini_{var}.csv",
                f"indices_gini_{var}_within.csv",
                f"indices_gini_{var}_between.csv",
            ]
        if spec["kde"]:
            names += [f"indices_kde_{var}.png", f"indices_kde_{var}.svg"]
    if spec["geodetector_factors"]:
        names += [f"indices_geodetector_{t}.csv" for t in ("factor", "interaction", "risk", "risk_means", "ecological")]
    if spec["lq_industries"]:
        names.append("indices_lq.csv")
    if spec["gravity_weight"]:
        names += [f"indices_gravity_{t}" for t in ("centres.csv", "moves.csv", "ellipses.csv", "map.png", "map.svg")]
    for var in spec["markov"]:
        names += [f"indices_markov_{var}.csv", f"indices_markov_{var}_summary.csv", f"indices_markov_{var}.png",
                  f"indices_markov_{var}.svg"]
    if spec["dea_inputs"]:
        names.append("indices_dea.csv")
        if spec["productivity"]:
            names += [f"indices_{spec['productivity']}.csv", f"indices_{spec['productivity']}_distances.csv"]
    return names


def _check(values: dict[str, Any], **_: Any) -> dict[str, Any]:
    """Keys that need each other, refused when the config is read (so ``--dry-run`` finds them too)."""
    needs = [("geodetector_factors", "geodetector_y", "the response"), ("dea_inputs", "dea_outputs",
             "the desirable outputs"), ("productivity", "dea_inputs", "the DEA inputs and outputs")]
    for key, needed, what in needs:
        if values[key] and not values[needed]:
            raise ConfigError(f"[indices] {key} needs {needed} ({what})")
    score = values["lq_score"]
    if score is not None and (len(score) != 2 or not all(isinstance(v, (int, float)) for v in score)):
        raise ConfigError(f"[indices] lq_score must be [low, high], got {score!r}")
    if values["productivity"] == "malmquist" and values["dea_undesirable"]:
        raise ConfigError("[indices] productivity = 'malmquist' has no undesirable outputs; use 'gml'")
    return values


register_section("indices", INDICES_KEYS, check=_check)  # keys declared in spatial.operations_indices


def _markov(ctx: RunContext, spec: dict[str, Any], results: dict[str, Any]) -> None:
    """Classic Markov chains of the variables' quantile classes; spatial ones when the panel has geometry."""
    from spatial.indices.workflow import run_markov

    graph = None
    if getattr(ctx.panel, "geometry", None) is not None:
        import weights

        graph = weights.queen(ctx.panel.geometry)
    for var in spec["markov"]:
        run = run_markov(ctx.panel, **INDEX_MARKOV.keywords(
            spec, value=var, weights=graph, kind="spatial" if graph is not None else "classic"))
        results.setdefault("markov", {})[var] = run.result
        _write_tables(ctx, f"indices_markov_{var}", run.tables, {"states": None, "tests": None})
        if ctx.output is not None:
            stem = ctx.output / safe_name(f"indices_markov_{var}", limit=200)
            for path in run.result.plot(stem, lang=spec["markov_lang"], overwrite=ctx.overwrite):
                ctx.wrote(path)
        kind = "spatial Markov (queen contiguity)" if graph is not None else "Markov"
        ctx.echo(f"{kind} chain of {var!r}: {spec['markov_k']} quantile classes")


def _dea(ctx: RunContext, spec: dict[str, Any], results: dict[str, Any]) -> None:
    from spatial.indices.workflow import run_dea, run_productivity

    efficiency = run_dea(ctx.panel, **INDEX_DEA.keywords(spec)).result
    results["dea"] = efficiency
    keys = [ctx.panel.id_name] + ([ctx.panel.time_name] if ctx.panel.time_name else [])
    variable = efficiency.table.set_index(keys)[["efficiency"]].rename(columns={"efficiency": spec["dea_name"]})
    ctx.panel = ctx.panel.with_variables(variable)
    write_csv(ctx, "indices_dea.csv", efficiency.table, index=False)
    ctx.echo(f"DEA efficiency ({efficiency.options['formula']}): variable {spec['dea_name']} added")
    method = spec["productivity"]
    if method:
        run = run_productivity(ctx.panel, **INDEX_PRODUCTIVITY.keywords(spec))
        index = run.result
        results[method] = index
        level = index.panel_variable(spec["productivity_name"]).set_index(keys)
        ctx.panel = ctx.panel.with_variables(level)
        _write_tables(ctx, f"indices_{method}", run.tables)
        ctx.echo(f"{index.options['index']}: cumulative index added as {spec['productivity_name']}")


def _composite(ctx: RunContext, spec: dict[str, Any], results: dict[str, Any]) -> None:
    from spatial.indices.workflow import run_composite, run_coupling, run_obstacle

    source = Path(spec["indicators"])
    ctx.inputs.append(
        {
            "role": "indicators",
            "file": source.name,
            "path": str(source),
            **({"sha256": sha256(source)} if source.is_file() else {}),
        }
    )
    if not source.is_file():
        raise ConfigError(f"[indices] indicators: file {source.name} does not exist")
    composite = run_composite(ctx.panel, **INDEX_COMPOSITE.keywords(
        spec, indicators=source, shift=float(spec["shift"]), alpha=float(spec["alpha"]))).result
    results["composite"] = composite
    ctx.panel = composite.add_to(ctx.panel)
    ctx.echo(
        f"Composite index {composite.name!r}: {composite.options['weighting']} weights, "
        f"{composite.options['normalize']} ({composite.options['pooling']}), {composite.options['method']}; "
        f"variables added: {', '.join(composite.columns)}"
    )
    write_csv(ctx, "indices_scores.csv", composite.to_frame(), index=False)  # tidy: one row per unit, period, scope
    write_csv(ctx, "indices_weights.csv", composite.weights, index=False)
    if spec["obstacle"]:
        obstacle = run_obstacle(composite, top=spec["obstacle_top"])
        results["obstacle"] = obstacle.result
        _write_tables(ctx, "indices_obstacle", obstacle.tables)
    if composite.distances is not None:
        write_csv(ctx, "indices_distances.csv", composite.distances, index=False)
    if spec["coupling"] and len(composite.subsystems) >= 2:
        coupling = run_coupling(composite, **INDEX_COUPLING.keywords(
            spec, grading=spec["grading"], exponent=spec["coupling_exponent"])).result
        results["coupling"] = coupling
        keys = [ctx.panel.id_name] + ([ctx.panel.time_name] if ctx.panel.time_name else [])
        degree = coupling.table.set_index(keys)[["D"]].rename(columns={"D": f"{composite.name}_D"})
        ctx.panel = ctx.panel.with_variables(degree)
        ctx.echo(
            f"Coupling coordination of {', '.join(composite.subsystems)} ({coupling.options['formula']}): "
            f"variable {composite.name}_D added"
        )
        write_csv(ctx, "indices_coupling.csv", coupling.table, index=False)


def _inequality(ctx: RunContext, spec: dict[str, Any], results: dict[str, Any]) -> None:
    from spatial.indices import coefficient_of_variation
    from spatial.indices.workflow import run_convergence, run_gini, run_kde, run_theil

    singletons = "allow" if spec["allow_singletons"] else "error"
    group = spec["group"]
    for var in spec["inequality"]:
        given = {"value": var, "singletons": singletons}
        theil = run_theil(ctx.panel, **INDEX_THEIL.keywords(spec, **given))
        results.setdefault("theil", {})[var] = theil.result
        _write_tables(ctx, f"indices_theil_{var}", theil.tables, None if group else {"groups": None})
        if group:
            gini = run_gini(ctx.panel, **INDEX_GINI.keywords(spec, **given))
            results.setdefault("dagum_gini", {})[var] = gini.result
            _write_tables(ctx, f"indices_gini_{var}", gini.tables)
        if ctx.panel.n_periods >= 2:
            convergence = run_convergence(ctx.panel, **INDEX_CONVERGENCE.keywords(spec, **given))
            sigma, cv = convergence.result, convergence.tables["cv"]
            results.setdefault("sigma", {})[var] = sigma
            write_csv(ctx, f"indices_sigma_{var}.csv", sigma.series.merge(sigma.trend, on="group"), index=False)
        else:  # one period: no convergence, the coefficient of variation alone
            cv = coefficient_of_variation(ctx.panel, var, group=group, singletons=singletons)
        results.setdefault("cv", {})[var] = cv
        write_csv(ctx, f"indices_cv_{var}.csv", cv, index=False)
        if spec["kde"]:
            kde = run_kde(ctx.panel, **INDEX_KDE.keywords(spec, value=var)).result
            results.setdefault("kde", {})[var] = kde
            if ctx.output is not None:
                report = ctx.config.sections.get("report") or {}
                lang = "zh" if "zh" in (spec["markov_lang"], report.get("lang")) else "en"
                for path in kde.plot(ctx.output / safe_name(f"indices_kde_{var}", limit=200), lang=lang,
                                     overwrite=ctx.overwrite):
                    ctx.wrote(path)
        ctx.echo(f"Inequality of {var!r}: Theil" + (", Dagum Gini" if group else "") + ", CV, sigma convergence")


def _geodetector(ctx: RunContext, spec: dict[str, Any], results: dict[str, Any]) -> None:
    from spatial.indices.workflow import run_geodetector

    run = run_geodetector(ctx.panel, **INDEX_GEODETECTOR.keywords(spec, period=spec["geodetector_period"]))
    results["geodetector"] = gd = run.result
    _write_tables(ctx, "indices_geodetector", run.tables, {"": "factor"})
    best = gd.factor.sort_values("q", ascending=False).iloc[0]
    ctx.echo(
        f"Geographical detector of {spec['geodetector_y']!r}: strongest factor {best['factor']} (q = {best['q']:.3f})"
    )


def _gravity(ctx: RunContext, spec: dict[str, Any], results: dict[str, Any]) -> None:
    from spatial.indices.workflow import run_gravity

    run = run_gravity(ctx.panel, **INDEX_GRAVITY.keywords(spec))
    results["gravity"] = gravity = run.result
    _write_tables(ctx, "indices_gravity", run.tables, {"": "centres"})
    if ctx.output is not None:
        for path in gravity.plot(ctx.output / "indices_gravity_map", overwrite=ctx.overwrite):
            ctx.wrote(path)
    ctx.echo(f"Centre of gravity of {spec['gravity_weight']!r}: {len(gravity.moves)} moves, standard "
             "deviational ellipses (ArcGIS conventions)")


def _indices_step(ctx: RunContext) -> None:
    if "indices" not in ctx.config:
        return
    spec = ctx.config["indices"]
    for name in _planned(spec):
        ctx.output_path(name)  # refuse existing outputs before any computation
    results: dict[str, Any] = {}
    if spec["indicators"]:
        _composite(ctx, spec, results)
    _inequality(ctx, spec, results)
    if spec["geodetector_factors"]:
        _geodetector(ctx, spec, results)
    if spec["lq_industries"]:
        from spatial.indices.workflow import run_lq

        score = spec["lq_score"]
        score = None if score is None else (float(score[0]), float(score[1]))
        results["lq"] = run_lq(ctx.panel, **INDEX_LQ.keywords(spec, score=score, exponent=spec["lq_exponent"])).result
        write_csv(ctx, "indices_lq.csv", results["lq"], index=False)
    if spec["dea_inputs"]:
        _dea(ctx, spec, results)
    if spec["markov"]:
        _markov(ctx, spec, results)
    if spec["gravity_weight"]:
        _gravity(ctx, spec, results)
    ctx.results.indices = IndicesResults(**results)


register_step("indices", _indices_step, plan=lambda config: _planned(config["indices"]) if "indices" in config else [])
