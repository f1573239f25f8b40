"""Pipeline step ``[esda]``: global spatial autocorrelation by period, LISA clusters, hot spots.

It runs after the weights step and uses ``ctx.results.weights`` (a dict name -> libpysal
Graph); without a weights step it builds queen contiguity from the panel's boundaries. Results
are kept in ``ctx.results.esda`` as an :class:`~spatial.run_results.EsdaResults` (the result objects themselves)
for the report. A variable for which a statistic is undefined (constant, missing) is reported
and listed in ``esda_failed.csv``; the others are computed.

Shape::

    [esda]
    variables = ["gsp", "unemp"]    # global statistics (default: every panel variable)
    statistics = ["moran"]          # and/or "geary", "getis_ord"
    periods = [1970, 1986]          # default: all
    permutations = 999              # 0: analytical inference only
    seed = 20240601                 # required with permutations; recorded in the outputs
    weights = "queen"               # a name from the weights step (default: its first), or a
                                    # robustness set ["w1", "w2", "w3"]: global statistics under each
                                    # W side by side (esda_global_weights.csv); LISA, hot spots and
                                    # figures use the first
    transform = "r"                 # "b" binary, "as_given"
    lisa = ["unemp"]                # variables for local Moran (default: none)
    lisa_periods = [1970, 1986]     # LISA and hot spots; default: first and last period (+ transitions)
    alpha = 0.05
    adjust = "none"                 # or "fdr", "bonferroni"
    hot_spots = ["unemp"]           # variables for Getis-Ord Gi* (default: none)
    labels = "postal"               # boundary column with short names for the scatter plots
    language = "en"                 # or "zh": figure texts
    figures = true
    table_formats = ["csv", "txt", "tex", "html"]   # esda_moran_table; also "md", "xlsx", "docx"

Outputs (in the run's folder): ``esda_global.csv`` / ``.json``, ``esda_moran_table.<format>``
(Moran's I by year as papers print it: years as rows, I with stars and p per variable; formats
from ``table_formats``), ``esda_moran_over_time.png`` /
``.svg``, ``esda_lisa.csv`` / ``.json``, ``esda_transitions.csv``, ``esda_scatter_<var>_<period>
.png`` / ``.svg``, ``esda_hot_spots.csv``, ``esda_failed.csv`` (only when something failed).
With several weights, ``esda_global.csv`` / ``.json`` hold the first W (as with one) and
``esda_global_weights.csv`` holds every statistic, period and variable under each W (a ``weights``
column, long form) with the side-by-side view (one column per W) in the report.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from spatial._fs import write_text_atomic
from spatial._options import config_seed
from spatial.config import register_section
from spatial.errors import ConfigError
from spatial.operations import ESDA_KEYS
from spatial.pipeline import RunContext, partial_json, register_step, write_csv
from spatial.run_results import EsdaResults
from spatial.steps.weights_choice import chosen_weights

__all__ = ["EsdaResults"]

# declared in spatial.operations (moran, lisa, hotspots); table_formats checked here
register_section("esda", ESDA_KEYS, check=lambda values, **_: _check(values) or values)


_FORMATS = ("csv", "txt", "md", "tex", "html", "xlsx", "docx")


def _check(spec: dict[str, Any]) -> None:
    unknown = [f for f in spec["table_formats"] if f not in _FORMATS]
    if unknown:
        raise ConfigError(f"[esda] table_formats {unknown} not known; choose from {', '.join(_FORMATS)}")


def _labels(panel, column: str | None):
    """The names of the scatter plots' points: the boundary column ``labels`` names, else the user's
    own unit names (a table matched by name), else None (the ids)."""
    if column is None:
        return panel.unit_labels
    if panel.geometry is None:
        return None
    if column not in panel.geometry.columns:
        raise ConfigError(
            f"[esda] labels = {column!r} is not a boundary column; available: "
            + ", ".join(c for c in panel.geometry.columns if c != "geometry")
        )
    return panel.geometry[column].astype(str)


def _esda_step(ctx: RunContext) -> None:
    if "esda" not in ctx.config or ctx.panel is None:
        return
    from spatial.esda import UndefinedStatisticError

    try:
        _esda(ctx)
    except UndefinedStatisticError as exc:  # the run stops; the staging folder is discarded
        raise exc.advised("nothing was written. Set [project] partial = true to keep the others, "
                          "marked as partial") from None


def _esda(ctx: RunContext) -> None:
    from spatial import esda

    spec = ctx.config["esda"]
    if spec["seed"] is not None:
        config_seed(spec["seed"], "[esda] seed")
    if spec["permutations"] and spec["seed"] is None:
        raise ConfigError("[esda] seed is required with permutations (it is recorded in the outputs); "
                          "or set permutations = 0")
    panel = ctx.panel
    labels = _labels(panel, spec["labels"])
    chosen = chosen_weights(ctx, spec, "esda", row_standardise=False)
    name, graph = next(iter(chosen.items()))
    inference = {"permutations": spec["permutations"], "seed": spec["seed"], "transform": spec["transform"],
                 # a failing variable or period stops the run (nothing is written) unless partial = true
                 "errors": "record" if ctx.config["project"]["partial"] else "raise"}
    # Check the table outputs before the work (figures are checked when saved).
    planned = ["esda_global.csv", "esda_global.json"]
    planned += ["esda_lisa.csv", "esda_lisa.json", "esda_transitions.csv"] if spec["lisa"] else []
    planned += ["esda_hot_spots.csv"] if spec["hot_spots"] else []
    planned += ["esda_global_weights.csv"] if len(chosen) > 1 else []
    moran = "moran" in spec["statistics"]
    planned += [f"esda_moran_table.{f}" for f in spec["table_formats"]] if moran else []
    planned += [f"esda_moran_robustness_table.{f}" for f in spec["table_formats"]] if moran and len(chosen) > 1 else []
    paths = {file: ctx.output_path(file) for file in planned}

    failed = []
    result = esda.global_autocorrelation(panel, graph, spec["variables"], statistics=spec["statistics"],
                                         periods=spec["periods"], **inference)
    failed.append(result.failed)
    by_year = esda.moran_table(result, lang=spec["language"]) if moran and (
        result.table["statistic"] == "moran_i").any() else None
    ctx.echo(f"Spatial autocorrelation ({name})")
    ctx.echo(result.summary())
    if paths["esda_global.csv"] is not None:
        _write_result(ctx, "esda_global", result, paths["esda_global.json"])
        if spec["figures"] and not result.table.empty:
            figure = esda.moran_over_time(result, statistic=result.table["statistic"].iloc[0],
                                          language=spec["language"])
            _save(ctx, figure, "esda_moran_over_time")
        if by_year is not None:
            for fmt in spec["table_formats"]:
                by_year.write(paths[f"esda_moran_table.{fmt}"], overwrite=True)  # checked with the plan
                ctx.wrote(paths[f"esda_moran_table.{fmt}"])
    robustness = _robustness(ctx, panel, chosen, spec, inference, failed, paths, first=result) if len(chosen) > 1 \
        else None

    periods = spec["lisa_periods"] or [panel.periods[0], panel.periods[-1]]
    lisa, moves, spots = None, [], None
    if spec["lisa"]:
        lisa = esda.local_moran(panel, graph, spec["lisa"], periods=periods, alpha=spec["alpha"],
                                adjust=spec["adjust"], **inference)
        failed.append(lisa.failed)
        ctx.echo(lisa.summary())
        computed = list(dict.fromkeys(lisa.table["period"]))
        if len(computed) >= 2:
            for variable in dict.fromkeys(lisa.table["variable"]):
                move = esda.transitions(lisa, variable=variable, start=computed[0], end=computed[-1])
                moves.append(move)
                ctx.echo(move.summary())
        if paths["esda_lisa.csv"] is not None:
            _write_result(ctx, "esda_lisa", lisa, paths["esda_lisa.json"])
            if moves:
                units = pd.concat([m.units.assign(variable=m.variable, start=m.start, end=m.end) for m in moves],
                                  ignore_index=True)
                write_csv(ctx, "esda_transitions.csv", units, index=False)
            if spec["figures"]:
                for (period, variable), _ in lisa.table.groupby(["period", "variable"], sort=False):
                    figure = esda.moran_scatter(lisa, variable=variable, period=period, labels=labels,
                                                language=spec["language"])
                    _save(ctx, figure, f"esda_scatter_{_slug(variable)}_{_slug(period)}")

    if spec["hot_spots"]:
        spots = esda.hot_spots(panel, graph, spec["hot_spots"], periods=periods, adjust=spec["adjust"],
                               **inference)
        failed.append(spots.failed)
        ctx.echo(spots.summary())
        if paths["esda_hot_spots.csv"] is not None:
            _write_result(ctx, "esda_hot_spots", spots, None)

    failures = pd.concat([f for f in failed if len(f)], ignore_index=True) if any(len(f) for f in failed) else None
    if failures is not None:
        write_csv(ctx, "esda_failed.csv", failures, index=False)
    ctx.results.esda = EsdaResults(weights=name, global_autocorrelation=result, moran_table=by_year, lisa=lisa,
                                   transitions=moves, hot_spots=spots, failed=failures, robustness=robustness)


def _robustness(ctx: RunContext, panel, chosen: dict[str, Any], spec: dict[str, Any], inference: dict,
                failed: list, paths: dict, *, first) -> pd.DataFrame:
    """The global statistics under every W of a robustness set, long form with a ``weights`` column.

    ``first`` is the result already computed under the first W."""
    from spatial import esda

    names = list(chosen)
    tables = [first.table.assign(weights=names[0])]
    for name in names[1:]:
        graph = chosen[name]
        result = esda.global_autocorrelation(panel, graph, spec["variables"], statistics=spec["statistics"],
                                             periods=spec["periods"], **inference)
        failed.append(result.failed.assign(weights=name) if len(result.failed) else result.failed)
        tables.append(result.table.assign(weights=name))
    long = pd.concat(tables, ignore_index=True)
    ctx.echo("")
    ctx.echo(f"Robustness: global statistics under each weights matrix ({', '.join(chosen)})")
    ctx.echo(side_by_side(long).to_string())
    if paths.get("esda_global_weights.csv") is not None:
        partial = any(len(f) for f in failed)  # only with [project] partial = true (else the step stopped)
        write_csv(ctx, "esda_global_weights.csv", long.assign(partial=True) if partial else long, index=False)
        if partial:
            ctx.mark_partial("esda_global_weights.csv")
        if (long["statistic"] == "moran_i").any():
            table = esda.moran_table(long, lang=spec["language"])  # Moran's I by year under each W, side by side
            for fmt in spec["table_formats"]:
                path = paths[f"esda_moran_robustness_table.{fmt}"]
                table.write(path, overwrite=True)  # checked with the plan
                ctx.wrote(path)
    return long


def side_by_side(long: pd.DataFrame) -> pd.DataFrame:
    """One row per statistic, variable and period; value, z and p of each W side by side.

    The inference shown is the permutation one when permutations were run, else randomisation.
    """
    inference = "permutation" if (long["inference"] == "permutation").any() else "randomisation"
    rows = long[long["inference"] == inference]
    wide = rows.pivot_table(index=["statistic", "variable", "period"], columns="weights",
                            values=["value", "z", "p_two_sided"], aggfunc="first", sort=False)
    order = list(dict.fromkeys(long["weights"]))
    wide = wide.reindex(columns=[(v, w) for w in order for v in ("value", "z", "p_two_sided")])
    wide.columns = [f"{w}: {'p' if v == 'p_two_sided' else v}" for v, w in wide.columns]
    return wide


def _slug(value: Any) -> str:
    text = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in str(value))
    return text or "x"


def _write_result(ctx: RunContext, stem: str, result, json_path) -> None:
    """The table (and JSON) of a result; with failures (``[project] partial = true``) both are marked
    partial: a ``partial`` column, ``"partial": true`` with the failures, and run.json's ``partial``."""
    partial = len(result.failed) > 0
    write_csv(ctx, f"{stem}.csv", result.table.assign(partial=True) if partial else result.table, index=False)
    if json_path is not None:
        _write_json(ctx, json_path, partial_json(result.to_json(), result.failed) if partial else result.to_json())
    if partial:
        ctx.mark_partial(f"{stem}.csv")
        if json_path is not None:
            ctx.mark_partial(json_path.name)


def _write_json(ctx: RunContext, path, text: str) -> None:
    if path is not None:
        write_text_atomic(path, text + "\n")
        ctx.wrote(path)


def _save(ctx: RunContext, figure, stem: str) -> None:
    from spatial.esda import save_figure

    if ctx.output is None:
        return
    inputs = [i["path"] for i in ctx.inputs if i.get("path")]
    for path in save_figure(figure, ctx.output / stem, inputs=inputs, overwrite=ctx.overwrite):
        ctx.wrote(path)


def _planned(config) -> list[str]:
    """Every file the step may write (figures by variable and period as prefixes)."""
    if "esda" not in config:
        return []
    return ["esda_global.csv", "esda_global.json", "esda_lisa.csv", "esda_lisa.json", "esda_transitions.csv",
            "esda_hot_spots.csv", "esda_failed.csv", "esda_global_weights.csv", "esda_moran_over_time*",
            "esda_moran_table.*", "esda_moran_robustness_table.*",
            "esda_scatter_*"]


register_step("esda", _esda_step, plan=_planned)
