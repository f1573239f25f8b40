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
from spatial.config import Key, register_section
from spatial.errors import ConfigError
from spatial.pipeline import RunContext, register_step, write_csv
from spatial.run_results import IndicesResults

__all__: list[str] = []

register_section(
    "indices",
    {
        "indicators": Key(str, path=True, help="indicator table: indicator, direction, subsystem, weight"),
        "normalize": Key(str, "minmax", choices=("minmax", "zscore")),
        "pooling": Key(str, "pooled", choices=("pooled", "per_period")),
        "shift": Key((float, int), 0.0, help="added after normalising (e.g. 0.0001 before logs)"),
        "weighting": Key(str, "entropy", choices=("entropy", "critic", "cv", "equal", "user")),
        "method": Key(str, "weighted_sum", choices=("weighted_sum", "topsis")),
        "name": Key(str, "index", help="name of the overall index variable"),
        "combine": Key(str, choices=("multiplicative", "linear"), help="combine weighting with the 'weight' column"),
        "alpha": Key((float, int), 0.5, help="subjective share of the linear combination"),
        "obstacle": Key(bool, False, help="obstacle degree of the indicators (min-max indices)"),
        "obstacle_top": Key(int, 3, help="main obstacles listed per unit and period"),
        "coupling": Key(bool, True, help="coupling coordination of the subsystems (needs >= 2)"),
        "coupling_weights": Key(list, help="contribution of each subsystem to T (default equal)"),
        "coupling_formula": Key(str, "classical", choices=("classical", "revised")),
        "coupling_exponent": Key((float, int), help="adjustment exponent k of the classical coupling degree"),
        "grading": Key(str, "ten_level", choices=("ten_level", "three_level", "four_level", "coupling_stage")),
        "inequality": Key(list, [], help="variables for Theil, Dagum Gini, CV, sigma convergence, densities", items=str),
        "group": Key(str, help="text column of groups, or 'china_region'"),
        "weight": Key(str, help="weight column (e.g. population) of the Theil index"),
        "allow_singletons": Key(bool, False, help="keep groups with a single unit"),
        "kde": Key(bool, True, help="kernel density figures of the inequality variables"),
        "geodetector_y": Key(str, help="response of the geographical detector"),
        "geodetector_factors": Key(list, help="factors of the geographical detector", items=str, min_items=1),
        "geodetector_period": Key((int, str), help="one period (default: all rows pooled)"),
        "discretize": Key(str, "quantile", choices=("quantile", "natural_breaks", "equal_interval")),
        "classes": Key(int, 5, help="classes of numeric factors"),
        "categorical": Key(list, [], help="numeric factors that are already strata codes"),
        "singletons": Key(str, "keep", choices=("keep", "drop", "error")),
        "lq_industries": Key(list, help="industry size columns for location quotients", items=str, min_items=1),
        "lq_total": Key(str, help="column of unit totals (default: sum of the industries)"),
        "dea_inputs": Key(list, help="DEA input columns"),
        "dea_outputs": Key(list, help="DEA desirable output columns"),
        "dea_undesirable": Key(list, [], help="DEA undesirable output columns"),
        "dea_model": Key(str, "super_sbm", choices=("ccr", "bcc", "sbm", "super_sbm")),
        "dea_orientation": Key(str, "input", choices=("input", "output")),
        "dea_rts": Key(str, "crs", choices=("crs", "vrs")),
        "dea_frontier": Key(str, "contemporaneous", choices=("contemporaneous", "global")),
        "dea_name": Key(str, "dea_efficiency", help="panel variable of the DEA efficiency"),
        "productivity": Key(str, choices=("gml", "malmquist"), help="productivity index from the DEA columns"),
        "productivity_name": Key(str, "gtfp", help="panel variable of the cumulative productivity index"),
        "markov": Key(list, [], help="variables for classic and spatial Markov chains of their classes"),
        "markov_k": Key(int, 5, help="quantile classes of the Markov chains"),
        "markov_lang": Key(str, "en", choices=("en", "zh")),
        "gravity_weight": Key(str, help="weight of the centre of gravity (GDP, population, ...)"),
        "gravity_lon": Key(str, "lon", help="longitude column of the units' locations"),
        "gravity_lat": Key(str, "lat", help="latitude column of the units' locations"),
        "lq_basis": Key(str, "employment", choices=("employment", "output", "firms", "other")),
        "lq_exponent": Key((float, int), help="adjustment exponent k: lq_adjusted = LQ^k"),
        "lq_score": Key(list, help="score range [low, high] that [m/2, 2m] maps onto, e.g. [50, 100]"),
    },
)


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


def _markov(ctx: RunContext, spec: dict[str, Any], results: dict[str, Any]) -> None:
    """Classic Markov chains of the variables' quantile classes; spatial ones when the panel has geometry."""
    from spatial.indices import markov_chain, spatial_markov

    graph = None
    if getattr(ctx.panel, "geometry", None) is not None:
        import weights

        graph = weights.queen(ctx.panel.geometry)
    for var in spec["markov"]:
        if graph is not None:
            chain = spatial_markov(ctx.panel, var, graph, k=spec["markov_k"])
            table, summary = chain.table(), chain.markov.summary()
        else:
            chain = markov_chain(ctx.panel, var, k=spec["markov_k"])
            table, summary = chain.table(), chain.summary()
        results.setdefault("markov", {})[var] = chain
        write_csv(ctx, f"indices_markov_{var}.csv", table, index=False)
        write_csv(ctx, f"indices_markov_{var}_summary.csv", summary, index=False)
        if ctx.output is not None:
            stem = ctx.output / safe_name(f"indices_markov_{var}", limit=200)
            for path in chain.plot(stem, lang=spec["markov_lang"], overwrite=ctx.overwrite):
                ctx.wrote(path)
        kind = "spatial Markov (queen contiguity)" if graph is not None else "Markov"
        ctx.echo(f"{kind} chain of {var!r}: {spec['markov_k']} quantile classes")


def _dea(ctx: RunContext, spec: dict[str, Any], results: dict[str, Any]) -> None:
    from spatial.indices import dea, gml, malmquist

    if not spec["dea_outputs"]:
        raise ConfigError("[indices] dea_inputs needs dea_outputs (the desirable outputs)")
    columns = (spec["dea_inputs"], spec["dea_outputs"], spec["dea_undesirable"])
    efficiency = dea(
        ctx.panel, *columns, model=spec["dea_model"], orientation=spec["dea_orientation"], rts=spec["dea_rts"],
        frontier=spec["dea_frontier"],
    )
    results["dea"] = efficiency
    keys = [ctx.panel.id_name] + ([ctx.panel.time_name] if ctx.panel.time_name else [])
    variable = efficiency.table.set_index(keys)[["efficiency"]].rename(columns={"efficiency": spec["dea_name"]})
    ctx.panel = ctx.panel.with_variables(variable)
    write_csv(ctx, "indices_dea.csv", efficiency.table, index=False)
    ctx.echo(f"DEA efficiency ({efficiency.options['formula']}): variable {spec['dea_name']} added")
    method = spec["productivity"]
    if method:
        if method == "gml":
            index = gml(ctx.panel, *columns)
        else:
            if spec["dea_undesirable"]:
                raise ConfigError("[indices] productivity = 'malmquist' has no undesirable outputs; use 'gml'")
            index = malmquist(ctx.panel, *columns[:2], orientation=spec["dea_orientation"])
        results[method] = index
        level = index.panel_variable(spec["productivity_name"]).set_index(keys)
        ctx.panel = ctx.panel.with_variables(level)
        write_csv(ctx, f"indices_{method}.csv", index.table, index=False)
        write_csv(ctx, f"indices_{method}_distances.csv", index.distances, index=False)
        ctx.echo(f"{index.options['index']}: cumulative index added as {spec['productivity_name']}")


def _composite(ctx: RunContext, spec: dict[str, Any], results: dict[str, Any]) -> None:
    from spatial.indices import composite_index, coupling_coordination

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
    composite = composite_index(
        ctx.panel,
        source,
        normalize=spec["normalize"],
        pooling=spec["pooling"],
        shift=float(spec["shift"]),
        weighting=spec["weighting"],
        method=spec["method"],
        name=spec["name"],
        combine=spec["combine"],
        alpha=float(spec["alpha"]),
    )
    results["composite"] = composite
    ctx.panel = composite.add_to(ctx.panel)
    ctx.echo(
        f"Composite index {composite.name!r}: {composite.options['weighting']} weights, "
        f"{composite.options['normalize']} ({composite.options['pooling']}), {composite.options['method']}; "
        f"variables added: {', '.join(composite.columns)}"
    )
    write_csv(ctx, "indices_scores.csv", composite.to_frame(), index=False)
    write_csv(ctx, "indices_weights.csv", composite.weights, index=False)
    if spec["obstacle"]:
        from spatial.indices import obstacle_degree

        obstacle = obstacle_degree(composite)
        results["obstacle"] = obstacle
        write_csv(ctx, "indices_obstacle.csv", obstacle.indicators, index=False)
        write_csv(ctx, "indices_obstacle_subsystems.csv", obstacle.subsystems, index=False)
        write_csv(ctx, "indices_obstacle_top.csv", obstacle.top(spec["obstacle_top"]), index=False)
    if composite.distances is not None:
        write_csv(ctx, "indices_distances.csv", composite.distances, index=False)
    if spec["coupling"] and len(composite.subsystems) >= 2:
        coupling = coupling_coordination(
            composite,
            weights=spec["coupling_weights"],
            grading=spec["grading"],
            formula=spec["coupling_formula"],
            exponent=spec["coupling_exponent"],
        )
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
    from spatial.indices import coefficient_of_variation, dagum_gini, kernel_density, sigma_convergence, theil

    singletons = "allow" if spec["allow_singletons"] else "error"
    group = spec["group"]
    for var in spec["inequality"]:
        t = theil(ctx.panel, var, group=group, weight=spec["weight"], singletons=singletons)
        results.setdefault("theil", {})[var] = t
        write_csv(ctx, f"indices_theil_{var}.csv", t.summary, index=False)
        if group:
            write_csv(ctx, f"indices_theil_{var}_groups.csv", t.groups, index=False)
            g = dagum_gini(ctx.panel, var, group=group, singletons=singletons)
            results.setdefault("dagum_gini", {})[var] = g
            write_csv(ctx, f"indices_gini_{var}.csv", g.summary, index=False)
            write_csv(ctx, f"indices_gini_{var}_within.csv", g.within_groups, index=False)
            write_csv(ctx, f"indices_gini_{var}_between.csv", g.between_groups, index=False)
        if ctx.panel.n_periods >= 2:
            sigma = sigma_convergence(ctx.panel, var, group=group, statistic="cv", singletons=singletons)
            results.setdefault("sigma", {})[var] = sigma
            write_csv(ctx, f"indices_sigma_{var}.csv", sigma.series.merge(sigma.trend, on="group"), index=False)
        cv = coefficient_of_variation(ctx.panel, var, group=group, singletons=singletons)
        results.setdefault("cv", {})[var] = cv
        write_csv(ctx, f"indices_cv_{var}.csv", cv, index=False)
        if spec["kde"]:
            kde = kernel_density(ctx.panel, var)
            results.setdefault("kde", {})[var] = kde
            if ctx.output is not None:
                report = ctx.config.sections.get("report") or {}
                lang = "zh" if "zh" in (spec["markov_lang"], report.get("lang")) else "en"
                for path in kde.plot(ctx.output / safe_name(f"indices_kde_{var}", limit=200), lang=lang,
                                     overwrite=ctx.overwrite):
                    ctx.wrote(path)
        ctx.echo(f"Inequality of {var!r}: Theil" + (", Dagum Gini" if group else "") + ", CV, sigma convergence")


def _geodetector(ctx: RunContext, spec: dict[str, Any], results: dict[str, Any]) -> None:
    from spatial.indices import geodetector

    if not spec["geodetector_y"]:
        raise ConfigError("[indices] geodetector_factors needs geodetector_y (the response)")
    gd = geodetector(
        ctx.panel,
        spec["geodetector_y"],
        spec["geodetector_factors"],
        period=spec["geodetector_period"],
        discretize=spec["discretize"],
        k=spec["classes"],
        categorical=spec["categorical"],
        singletons=spec["singletons"],
    )
    results["geodetector"] = gd
    for table in ("factor", "interaction", "risk", "risk_means", "ecological"):
        write_csv(ctx, f"indices_geodetector_{table}.csv", getattr(gd, table), index=False)
    best = gd.factor.sort_values("q", ascending=False).iloc[0]
    ctx.echo(
        f"Geographical detector of {spec['geodetector_y']!r}: strongest factor {best['factor']} (q = {best['q']:.3f})"
    )


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
        from spatial.indices import location_quotient

        score = spec["lq_score"]
        if score is not None and len(score) != 2:
            raise ConfigError(f"[indices] lq_score must be [low, high], got {score!r}")
        lq = location_quotient(
            ctx.panel,
            spec["lq_industries"],
            total=spec["lq_total"],
            basis=spec["lq_basis"],
            exponent=spec["lq_exponent"],
            score=None if score is None else (float(score[0]), float(score[1])),
        )
        results["lq"] = lq
        write_csv(ctx, "indices_lq.csv", lq, index=False)
    if spec["dea_inputs"]:
        _dea(ctx, spec, results)
    if spec["markov"]:
        _markov(ctx, spec, results)
    if spec["gravity_weight"]:
        from spatial.indices import gravity_centre

        gravity = gravity_centre(ctx.panel, spec["gravity_weight"], lon=spec["gravity_lon"], lat=spec["gravity_lat"])
        results["gravity"] = gravity
        write_csv(ctx, "indices_gravity_centres.csv", gravity.centres, index=False)
        write_csv(ctx, "indices_gravity_moves.csv", gravity.moves, index=False)
        write_csv(ctx, "indices_gravity_ellipses.csv", gravity.ellipses, index=False)
        if ctx.output is not None:
            for path in gravity.plot(ctx.output / "indices_gravity_map", overwrite=ctx.overwrite):
                ctx.wrote(path)
        ctx.echo(f"Centre of gravity of {spec['gravity_weight']!r}: {len(gravity.moves)} moves, standard "
                 "deviational ellipses (ArcGIS conventions)")
    ctx.results.indices = IndicesResults(**results)


register_step("indices", _indices_step, plan=lambda config: _planned(config["indices"]) if "indices" in config else [])
