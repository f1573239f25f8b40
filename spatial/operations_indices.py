"""The ``spatial index ...`` operations, each declared once: its command's options, its ``[indices]``
keys and its Python keywords.

One :class:`~spatial.operation.Operation` per command (composite, coupling, theil, gini,
convergence, kde, ahp, obstacle, dea, productivity, markov, gravity, geodetector, lq). The
commands build their click options from it (``@INDEX_THEIL.options()``), the pipeline's
``[indices]`` section is :data:`INDICES_KEYS` (the keys of every operation, validated with the
declared types and values), and both call the operation's workflow function in
:mod:`spatial.indices.workflow` with :meth:`Operation.keywords`. ``tests/test_operations.py``
checks per operation that flags, keys and Python keywords are the declared ones.

An option that is not on every surface says why (``why=``). The operations are registered in
:data:`spatial.operations.OPERATIONS` (``INDEX_OPERATIONS``).

Examples
--------
>>> INDEX_THEIL.param("kind").choices
('T', 'L')
>>> INDEX_THEIL.param("value").key, INDEX_GINI.param("value").key  # a run lists the variables once
('inequality', 'inequality')
>>> INDICES_KEYS["dea_model"].choices
('ccr', 'bcc', 'sbm', 'super_sbm')
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from spatial.choices import (
    RTS,
    AggregationOption,
    AHPMethod,
    CombineRule,
    CouplingFormula,
    DEAModel,
    DiscretizeOption,
    Dispersion,
    Frontier,
    Grading,
    Infeasible,
    Language,
    LQBasis,
    MarkovKind,
    MarkovPooling,
    NormalizeOption,
    Orientation,
    PoolingOption,
    ProductivityMethod,
    ScoreAnchor,
    SingletonOption,
    SingletonStrata,
    Solver,
    TheilKind,
    WeightingOption,
)
from spatial.operation import Operation, Param, section_keys

__all__ = ["INDEX_COMPOSITE", "INDEX_COUPLING", "INDEX_THEIL", "INDEX_GINI", "INDEX_CONVERGENCE", "INDEX_KDE",
           "INDEX_AHP", "INDEX_OBSTACLE", "INDEX_DEA", "INDEX_PRODUCTIVITY", "INDEX_MARKOV", "INDEX_GRAVITY",
           "INDEX_GEODETECTOR", "INDEX_LQ", "INDEX_OPERATIONS", "INDICES_KEYS", "TABLE_PARAMS"]

_REQUIRED = {"required": True}  # required on the command line; optional in [indices] (the analysis is not run)
_PANEL_KEY = "a run reads its table once with [panel] {key}; Python: pass the table (or a SpatialPanel)"
_DEFAULT_RUN = "a run uses the default ({value}); Python: {keyword}="

#: The parameters of every index command's table (the input table's keys, reading and the outputs).
TABLE_PARAMS = ("id", "time", "output", "sheet", "encoding", "overwrite")


def _index_table(outputs: str) -> tuple[Param, ...]:
    """The table options every index command shares (``outputs``: what a run writes instead of --out)."""
    return (
        Param("id", str, None, "Unit id column.", required=True, key=None, why=_PANEL_KEY.format(key="id")),
        Param("time", str, None, "Period column (omit for a cross-section).", key=None,
              why=_PANEL_KEY.format(key="time")),
        Param("output", Path, None, "Main output table (.csv); other tables are written beside it.", flag="--out",
              required=True, key=None, keyword=False,
              why=f"a run writes {outputs} into its folder"),
        Param("sheet", str, None, "Excel sheet name.", key="panel.sheet", keyword=False,
              why="Python: read_table(sheet=)"),
        Param("encoding", str, None, "Text encoding of a CSV table (e.g. gbk).", key="panel.encoding",
              keyword=False, why="Python: read_table(encoding=)"),
        Param("overwrite", bool, False, "Replace existing outputs (never the inputs).", key=None, keyword=False,
              why="spatial run --overwrite, for the whole run"),
    )


# -- composite and obstacle: one indicator system, its normalisation and weighting -----------------
_SYSTEM = (
    Param("indicators", Path, None, "Indicator table: indicator, direction (positive/negative), optional subsystem "
          "and weight.", click=_REQUIRED),
    Param("pooling", PoolingOption, "pooled", "Normalise and weight over all periods (comparable over time) or "
          "within each period."),
    Param("weighting", WeightingOption, "entropy", "Objective weights (entropy, critic, cv), equal weights, or the "
          "indicator table's weight column (user)."),
    Param("combine", CombineRule, None, "Combine the objective --weighting with the subjective 'weight' column "
          "(e.g. AHP) by this rule."),
    Param("alpha", float, 0.5, "Subjective share of --combine linear.", key_type=(float, int)),
)

INDEX_COMPOSITE = Operation(
    "index composite", command="index composite", section="indices", function="spatial.indices:composite_index",
    positional=("data",),
    params=(
        *_index_table("indices_scores.csv (one row per unit, period and scope), indices_weights.csv"),
        *_SYSTEM,
        Param("normalize", NormalizeOption, "minmax", "Normalisation of the indicators."),
        Param("shift", float, 0.0, "Constant added after normalising (e.g. 0.0001 before logs).",
              key_type=(float, int)),
        Param("method", AggregationOption, "weighted_sum", "Aggregation: weighted sum or TOPSIS."),
        Param("name", str, "index", "Name of the overall index column (a run adds it as a panel variable)."),
    ),
)

INDEX_OBSTACLE = Operation(
    "index obstacle", command="index obstacle", section="indices", function="spatial.indices.workflow:run_obstacle",
    positional=("data",),
    params=(
        *_index_table("indices_obstacle.csv (+ _subsystems, _top)"),
        *_SYSTEM,
        Param("top", int, 3, "Main obstacles listed per unit and period.", low=1, key="obstacle_top"),
        Param("obstacle", bool, False, "obstacle degree of the composite index's indicators (min-max indices)",
              flag=None, keyword=False, why="a run computes it from its composite index when obstacle = true; "
              "the command is the switch"),
    ),
)

# -- coupling coordination -------------------------------------------------------------------------
INDEX_COUPLING = Operation(
    "index coupling", command="index coupling", section="indices",
    function="spatial.indices:coupling_coordination", positional=("data",),
    params=(
        *_index_table("indices_coupling.csv"),
        Param("subsystems", list, None, "Comma-separated columns with the subsystem indices (>= 2).", items=str,
              click=_REQUIRED, key=None,
              why="a run couples the subsystems of its composite index (the indicator table's subsystem column)"),
        Param("weights", list, None, "Comma-separated contributions to T (sum 1); equal by default.",
              key="coupling_weights"),
        Param("grading", str, "ten_level", "Grading of D: ten_level, three_level, four_level, coupling_stage, or a CSV "
              "with lower, upper, label_zh, label_en.", key_type=Grading,
              why="a command also takes a grading CSV; a config names a bundled grading"),
        Param("scale", float, 1.0, "Divide the indices by this (e.g. 100).", key=None,
              why="a run couples composite indices, which are on [0, 1] already"),
        Param("synchronous", list, [0.8, 1.2], "Band (low, high] of U1/U2 where neither subsystem lags.", key=None,
              why=_DEFAULT_RUN.format(value="0.8, 1.2", keyword="synchronous")),
        Param("formula", CouplingFormula, "classical", "Coupling degree: classical [prod U / mean^n]^k, or revised "
              "(Wang Shujia et al. 2021).", key="coupling_formula"),
        Param("exponent", float, None, "Adjustment exponent k of the classical formula (default 1/n).",
              key="coupling_exponent", key_type=(float, int)),
        Param("coupling", bool, True, "coupling coordination of the composite index's subsystems (needs >= 2)",
              flag=None, keyword=False, why="a run couples the subsystems of its composite index unless "
              "coupling = false; the command is the switch"),
    ),
)

# -- inequality: theil, gini, convergence, kde of the variables listed in [indices] inequality -----
_INEQUALITY_WHY = "a run computes Theil, Dagum Gini (with group), CV, sigma convergence and densities of each variable"
_VALUE = Param("value", str, None, "The variable (e.g. GDP per capita).", click=_REQUIRED, key="inequality",
               key_type=list, key_default=[], items=str, why=_INEQUALITY_WHY)
_GROUP = Param("group", str, None, "Group column, or china_region (East/Central/West/Northeast).")
_SINGLETONS = Param("singletons", SingletonOption, "error", "Keep groups with a single unit.",
                    flag="--allow-singletons", flag_value="allow", key="allow_singletons", key_type=bool,
                    why="an on/off switch on the command line and in a config; Python: singletons='allow'",
                    hint="allow_singletons")

INDEX_THEIL = Operation(
    "index theil", command="index theil", section="indices", function="spatial.indices:theil", positional=("data",),
    params=(
        *_index_table("indices_theil_<var>.csv (+ _groups)"),
        _VALUE, _GROUP, _SINGLETONS,
        Param("weight", str, None, "Positive weight column (e.g. population) for a weighted Theil index."),
        Param("kind", TheilKind, "T", "Theil T (GE(1)) or Theil L (mean log deviation, GE(0)).", key="theil_kind"),
    ),
)

INDEX_GINI = Operation(
    "index gini", command="index gini", section="indices", function="spatial.indices:dagum_gini",
    positional=("data",),
    params=(
        *_index_table("indices_gini_<var>.csv (+ _within, _between)"),
        _VALUE, _GROUP, _SINGLETONS,
    ),
)

INDEX_CONVERGENCE = Operation(
    "index convergence", command="index convergence", section="indices",
    function="spatial.indices.workflow:run_convergence", positional=("data",),
    params=(
        *_index_table("indices_sigma_<var>.csv and indices_cv_<var>.csv"),
        _VALUE, _GROUP, _SINGLETONS,
        Param("statistic", Dispersion, "sd_log", "Dispersion of sigma convergence: standard deviation of logs, or "
              "the coefficient of variation.", key="sigma_statistic", key_default="cv",
              why="a run has reported the coefficient of variation (cv) since it began; the command sd_log"),
    ),
)

INDEX_KDE = Operation(
    "index kde", command="index kde", section="indices", function="spatial.indices:kernel_density",
    positional=("data",),
    params=(
        *_index_table("indices_kde_<var>.png and .svg"),
        Param("value", str, None, "The variable.", click=_REQUIRED, key="inequality", key_type=list, key_default=[],
              items=str, why=_INEQUALITY_WHY),
        Param("periods", list, None, "Comma-separated periods (default: all).", items=str, key=None,
              why=_DEFAULT_RUN.format(value="every period", keyword="periods")),
        Param("bandwidth", str, "scott", "scott, silverman or a number.", key=None,
              why=_DEFAULT_RUN.format(value="scott", keyword="bandwidth")),
        Param("grid_size", int, 256, "", flag=None, key=None, why="Python only: points of the density grid"),
        Param("title", str, None, "Figure title.", key=None, keyword=False,
              why="the figure's title: KernelDensity.plot(title=); a run titles it with the variable"),
        Param("kde", bool, True, "kernel density figures of the inequality variables", flag=None, keyword=False,
              why="a run draws them unless kde = false; the command is the switch"),
    ),
)

# -- AHP: weights of a pairwise comparison matrix --------------------------------------------------
_AHP_WHY = ("AHP weights come from a pairwise matrix before a study: spatial index ahp, then the weights go into the "
            "indicator table's weight column ([indices] combine)")
INDEX_AHP = Operation(
    "index ahp", command="index ahp", section=None, function="spatial.indices:ahp_weights", positional=("matrix",),
    params=(
        Param("output", Path, None, "Weights table (.csv); the consistency check goes to _consistency beside it.",
              flag="--out", required=True, key=None, keyword=False, why=_AHP_WHY),
        Param("method", AHPMethod, "eigenvector", "Priority vector: principal eigenvector, geometric or arithmetic "
              "mean of the normalised columns.", key=None, why=_AHP_WHY),
        Param("threshold", float, 0.1, "Largest acceptable CR.", key=None, why=_AHP_WHY),
        Param("force", bool, False, "Accept a matrix whose CR exceeds --threshold (recorded).", key=None,
              why=_AHP_WHY),
        Param("sheet", str, None, "Excel sheet name.", key=None, keyword=False, why=_AHP_WHY),
        Param("encoding", str, None, "Text encoding of a CSV table (e.g. gbk).", key=None, keyword=False,
              why=_AHP_WHY),
        Param("overwrite", bool, False, "Replace existing outputs (never the inputs).", key=None, keyword=False,
              why=_AHP_WHY),
    ),
)

# -- DEA efficiency and productivity ---------------------------------------------------------------
_DEA = (
    Param("inputs", list, None, "Comma-separated input columns.", click=_REQUIRED, key="dea_inputs"),
    Param("outputs", list, None, "Comma-separated desirable output columns.", click=_REQUIRED, key="dea_outputs"),
    Param("undesirable", list, None, "Comma-separated undesirable output columns (SBM, super-SBM, GML).",
          key="dea_undesirable", key_default=[]),
    Param("solver", Solver, "batched", "Batched column generation, or one full program per unit (slow reference).",
          key=None, why=_DEFAULT_RUN.format(value="batched", keyword="solver")),
)
_ORIENTATION = Param("orientation", Orientation, "input", "Radial models (and Malmquist) only.",
                     key="dea_orientation")

INDEX_DEA = Operation(
    "index dea", command="index dea", section="indices", function="spatial.indices:dea", positional=("data",),
    params=(
        *_index_table("indices_dea.csv"),
        *_DEA,
        Param("model", DEAModel, "super_sbm", "The DEA model.", key="dea_model"),
        _ORIENTATION,
        Param("rts", RTS, "crs", "Returns to scale (SBM models).", key="dea_rts"),
        Param("frontier", Frontier, "contemporaneous", "Reference frontier: each period's own, or all periods'.",
              key="dea_frontier"),
        Param("infeasible", Infeasible, "error", "Leave units without solution empty instead of failing.",
              flag="--keep-infeasible", flag_value="nan", key=None,
              why="a run stops at a unit without solution (its efficiency becomes a panel variable)"),
        Param("name", str, "dea_efficiency", "panel variable of the DEA efficiency", flag=None, key="dea_name",
              keyword=False, why="a run adds the efficiency to its panel under this name; a command writes a table"),
    ),
)

INDEX_PRODUCTIVITY = Operation(
    "index productivity", command="index productivity", section="indices",
    function="spatial.indices.workflow:run_productivity", positional=("data",),
    params=(
        *_index_table("indices_gml.csv or indices_malmquist.csv (+ _distances)"),
        *_DEA,
        Param("method", ProductivityMethod, "gml", "GML (Oh 2010, with undesirable outputs) or Malmquist (Färe et "
              "al. 1994).", key="productivity", key_default=None,
              why="in a config the key is the switch: productivity = 'gml' or 'malmquist' (default: none)"),
        _ORIENTATION,
        Param("name", str, "gtfp", "panel variable of the cumulative productivity index", flag=None,
              key="productivity_name", keyword=False,
              why="a run adds the cumulative index to its panel under this name; a command writes a table"),
    ),
)

# -- Markov chains ---------------------------------------------------------------------------------
_MARKOV_DEFAULT = "a run uses the default ({value}); the command's --{flag}, Python: {keyword}="
INDEX_MARKOV = Operation(
    "index markov", command="index markov", section="indices", function="spatial.indices.workflow:run_markov",
    positional=("data",),
    params=(
        *_index_table("indices_markov_<var>.csv (+ _summary, .png, .svg)"),
        Param("value", str, None, "The variable whose classes move.", click=_REQUIRED, key="markov", key_type=list,
              key_default=[], why="a run computes the chain of each listed variable"),
        Param("kind", MarkovKind, "classic", "Classic chain, spatial Markov (Rey 2001, needs --weights) or LISA "
              "quadrant chain.", key=None,
              why="a run uses the spatial chain (queen contiguity) when it has boundaries, the classic one otherwise"),
        Param("weights", Path, None, "Weights file (.gal, .gwt, edge or matrix .csv ...) keyed by the unit ids.",
              key=None, why="a run builds queen contiguity from its boundaries; Python: a libpysal Graph"),
        Param("k", int, 5, "Quantile classes.", low=1, key="markov_k"),
        Param("m", int, None, "Quantile classes of the spatial lag (default --k).", low=1, key=None,
              why=_MARKOV_DEFAULT.format(value="--k classes", flag="m", keyword="m")),
        Param("pooling", MarkovPooling, None, "Quantiles per period or of all periods (default: per_period classic, "
              "pooled spatial).", key=None, why=_MARKOV_DEFAULT.format(value="by kind", flag="pooling",
                                                                       keyword="pooling")),
        Param("breaks", list, None, "Comma-separated fixed class bounds instead of quantiles.", key=None,
              why=_MARKOV_DEFAULT.format(value="quantiles", flag="breaks", keyword="breaks")),
        Param("lag_breaks", list, None, "Comma-separated fixed class bounds of the spatial lag.", key=None,
              why=_MARKOV_DEFAULT.format(value="quantiles", flag="lag-breaks", keyword="lag_breaks")),
        Param("lang", Language, "en", "Figure labels.", key="markov_lang", keyword=False,
              why="the figure's language: result.plot(lang=)"),
    ),
)

# -- centre of gravity -----------------------------------------------------------------------------
INDEX_GRAVITY = Operation(
    "index gravity", command="index gravity", section="indices", function="spatial.indices:gravity_centre",
    positional=("data",),
    params=(
        *_index_table("indices_gravity_centres.csv (+ _moves, _ellipses, indices_gravity_map.png/.svg)"),
        Param("weight", str, None, "Weight of the centre (GDP, population, ...), non-negative.", click=_REQUIRED,
              key="gravity_weight"),
        Param("lon", str, "lon", "Longitude column (degrees).", key="gravity_lon"),
        Param("lat", str, "lat", "Latitude column (degrees).", key="gravity_lat"),
        Param("projection", str, None, "Equal-area PROJ string or CRS (default: Albers conic fitted to the points).",
              key="gravity_projection"),
        Param("lang", Language, "en", "Figure and map labels.", key=None, keyword=False,
              why="the figure's language: result.plot(lang=), result.map(lang=); a run's figure is in English"),
    ),
)

# -- geographical detector and location quotients --------------------------------------------------
INDEX_GEODETECTOR = Operation(
    "index geodetector", command="index geodetector", section="indices",
    function="spatial.indices:geodetector", positional=("data",),
    params=(
        *_index_table("indices_geodetector_<table>.csv"),
        Param("y", str, None, "Response variable.", click=_REQUIRED, key="geodetector_y"),
        Param("factors", list, None, "Comma-separated factor columns.", click=_REQUIRED, items=str,
              key="geodetector_factors", min_items=1),
        Param("period", str, None, "Use this period only (default: all rows pooled).", key="geodetector_period",
              key_type=(int, str)),
        Param("discretize", DiscretizeOption, "quantile", "Classes of numeric factors: quantiles, natural breaks "
              "(Jenks) or equal intervals."),
        Param("k", int, 5, "Classes of numeric factors.", key="classes"),
        Param("categorical", list, [], "Comma-separated numeric factors that are already strata codes."),
        Param("singletons", SingletonStrata, "keep", "Strata with one observation."),
        Param("alpha", float, 0.05, "", key=None,
              why="[indices] alpha is the composite index's subjective share; a run tests the risk detector at 0.05"),
    ),
)

INDEX_LQ = Operation(
    "index lq", command="index lq", section="indices", function="spatial.indices:location_quotient",
    positional=("data",),
    params=(
        *_index_table("indices_lq.csv"),
        Param("industries", list, None, "Comma-separated industry size columns.", click=_REQUIRED, items=str,
              key="lq_industries", min_items=1),
        Param("total", str, None, "Column with each unit's total (default: sum of the industries).", key="lq_total"),
        Param("specialised", float, 1.0, "", key=None, why="a run classes LQ >= 1 as specialised (the default)"),
        Param("cluster", float, 1.5, "", key=None, why="a run classes LQ >= 1.5 as a cluster (the default)"),
        Param("basis", LQBasis, "employment", "What the industry sizes measure (written into the table).",
              key="lq_basis"),
        Param("exponent", float, None, "Adjustment exponent k: adds lq_adjusted = LQ^k.", key="lq_exponent",
              key_type=(float, int)),
        Param("score", list, None, "Score range low,high (e.g. 50,100): maps [m/2, 2m] linearly onto it.",
              key="lq_score"),
        Param("score_anchor", ScoreAnchor, "mean", "m of the score: the industry's mean LQ in the period, or 1.",
              key=None, why="a run anchors the score at the industry's mean LQ (the default)"),
    ),
)



def _hinted(operation: Operation) -> Operation:
    """``operation`` with the hint names messages use for its options (:func:`spatial.hints.hint`):
    ``index.KEY`` for an option with an [indices] key (one option on every index command that has it),
    ``index.COMMAND.NAME`` for one without; the table's options keep the loader's (``encoding``...).
    So ``--k`` of markov is not ``--k`` of weights build, nor ``--bandwidth`` of kde that of fit."""
    command = operation.name.rpartition(" ")[2]
    return replace(operation, params=tuple(
        p if p.name in TABLE_PARAMS or p.hint != p.name else
        replace(p, hint=f"index.{p.key}" if p.key and "." not in p.key else f"index.{command}.{p.name}")
        for p in operation.params))


(INDEX_COMPOSITE, INDEX_OBSTACLE, INDEX_COUPLING, INDEX_THEIL, INDEX_GINI, INDEX_CONVERGENCE, INDEX_KDE,
 INDEX_GEODETECTOR, INDEX_LQ, INDEX_DEA, INDEX_PRODUCTIVITY, INDEX_MARKOV, INDEX_GRAVITY, INDEX_AHP) = map(_hinted, (
    INDEX_COMPOSITE, INDEX_OBSTACLE, INDEX_COUPLING, INDEX_THEIL, INDEX_GINI, INDEX_CONVERGENCE, INDEX_KDE,
    INDEX_GEODETECTOR, INDEX_LQ, INDEX_DEA, INDEX_PRODUCTIVITY, INDEX_MARKOV, INDEX_GRAVITY, INDEX_AHP))

#: Every index operation, in the order of the [indices] section (and of docs/config.md).
INDEX_OPERATIONS: dict[str, Operation] = {op.name: op for op in (
    INDEX_COMPOSITE, INDEX_OBSTACLE, INDEX_COUPLING, INDEX_THEIL, INDEX_GINI, INDEX_CONVERGENCE, INDEX_KDE,
    INDEX_GEODETECTOR, INDEX_LQ, INDEX_DEA, INDEX_PRODUCTIVITY, INDEX_MARKOV, INDEX_GRAVITY, INDEX_AHP)}

#: The keys of ``[indices]``: those of every index operation run by the pipeline.
INDICES_KEYS = section_keys("indices", INDEX_OPERATIONS.values())
