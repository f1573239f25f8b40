"""One workflow function per ``spatial index`` operation, shared by the command, the pipeline and Python.

Each ``run_<operation>`` takes the table (a long DataFrame or a :class:`~spatial.SpatialPanel`)
and the operation's keywords as declared in :mod:`spatial.operations_indices` (the command and
the ``[indices]`` step build them with ``Operation.keywords``), computes the result, and returns
an :class:`IndexRun`: the result object and the tables the operation writes, keyed by suffix
(``""`` is the main table; ``spatial index theil --out t.csv`` writes ``t.csv`` and
``t_groups.csv``, a run ``indices_theil_<var>.csv`` and ``indices_theil_<var>_groups.csv``).
A table that does not apply (no groups, no TOPSIS distances) is None.

Examples
--------
>>> from spatial import datasets
>>> produc = datasets.load("us_produc")
>>> run = run_theil(produc, "gsp", id="fips", time="year")
>>> list(run.tables), round(float(run.tables[""]["theil"].iloc[0]), 4)
(['', 'groups'], 0.4968)
>>> run = run_convergence(produc, "gsp", id="fips", time="year")
>>> list(run.tables)
['', 'trend', 'cv']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from spatial.choices import (
    CombineRule,
    Dispersion,
    MarkovKind,
    MarkovPooling,
    Orientation,
    PoolingOption,
    ProductivityMethod,
    SingletonOption,
    Solver,
    WeightingOption,
)
from spatial.errors import SchemaError
from spatial.hints import hint

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["IndexRun", "run_composite", "run_obstacle", "run_coupling", "run_theil", "run_gini", "run_convergence",
           "run_kde", "run_ahp", "run_dea", "run_productivity", "run_markov", "run_gravity", "run_geodetector",
           "run_lq"]


@dataclass(frozen=True)
class IndexRun:
    """The result of one index operation and its tables by suffix (``""``: the main one; None: not produced)."""

    result: Any
    tables: dict[str, pd.DataFrame | None]


def run_composite(data, indicators, **keywords) -> IndexRun:
    """:func:`~spatial.indices.composite_index` with the scores and their ranks side by side (main table),
    the weights (``weights``) and, for TOPSIS, the distances to the ideal solutions (``distances``)."""
    from spatial.indices import composite_index

    result = composite_index(data, indicators, **keywords)
    keys = [c for c in result.scores.columns if c not in result.columns]
    ranks = result.ranks.rename(columns={c: f"rank_{c}" for c in result.columns})
    scores = result.scores.merge(ranks, on=keys)
    return IndexRun(result, {"": scores, "weights": result.weights, "distances": result.distances})


def run_obstacle(
    data,
    indicators=None,
    *,
    id: str | None = None,
    time: str | None = None,
    pooling: PoolingOption = "pooled",
    weighting: WeightingOption = "entropy",
    combine: CombineRule | None = None,
    alpha: float = 0.5,
    top: int = 3,
) -> IndexRun:
    """Obstacle degree of every indicator (main table), subsystem (``subsystems``) and the ``top`` main
    obstacles per unit and period (``top``).

    ``data`` is a table with ``indicators`` (the composite index is built min-max normalised, as
    ``composite`` does), or a :class:`~spatial.indices.CompositeIndex` already built (the run's).
    """
    from spatial.indices import CompositeIndex, composite_index, obstacle_degree

    if isinstance(data, CompositeIndex):
        index = data
    else:
        if indicators is None:
            raise SchemaError("run_obstacle needs indicators= (the indicator table) unless data is a CompositeIndex")
        index = composite_index(data, indicators, id=id, time=time, pooling=pooling, weighting=weighting,
                                combine=combine, alpha=alpha)
    result = obstacle_degree(index)
    return IndexRun(result, {"": result.indicators, "subsystems": result.subsystems, "top": result.top(top)})


def run_coupling(data, subsystems=None, **keywords) -> IndexRun:
    """:func:`~spatial.indices.coupling_coordination`: C, T, D and classes (main table), units per class
    and period (``counts``)."""
    from spatial.indices import coupling_coordination

    result = coupling_coordination(data, subsystems, **keywords)
    return IndexRun(result, {"": result.table, "counts": result.counts()})


def run_theil(data, value: str, **keywords) -> IndexRun:
    """:func:`~spatial.indices.theil` per period (main table) and by group (``groups``)."""
    from spatial.indices import theil

    result = theil(data, value, **keywords)
    return IndexRun(result, {"": result.summary, "groups": result.groups})


def run_gini(data, value: str, **keywords) -> IndexRun:
    """:func:`~spatial.indices.dagum_gini` per period (main table), within (``within``) and between
    groups (``between``)."""
    from spatial.indices import dagum_gini

    result = dagum_gini(data, value, **keywords)
    return IndexRun(result, {"": result.summary, "within": result.within_groups, "between": result.between_groups})


def run_convergence(
    data,
    value: str,
    *,
    id: str | None = None,
    time: str | None = None,
    group: str | None = None,
    statistic: Dispersion = "sd_log",
    singletons: SingletonOption = "error",
) -> IndexRun:
    """Sigma convergence (its series: main table; its trend: ``trend``) and the coefficient of variation
    per period (``cv``); the result is the :class:`~spatial.indices.SigmaConvergence`."""
    from spatial.indices import coefficient_of_variation, sigma_convergence

    result = sigma_convergence(data, value, id=id, time=time, group=group, statistic=statistic,
                               singletons=singletons)
    cv = coefficient_of_variation(data, value, id=id, time=time, group=group, singletons=singletons)
    return IndexRun(result, {"": result.series, "trend": result.trend, "cv": cv})


def run_kde(data, value: str, **keywords) -> IndexRun:
    """:func:`~spatial.indices.kernel_density`: the curves (main table) and bandwidths (``bandwidths``);
    ``result.plot(path)`` draws the figure."""
    from spatial.indices import kernel_density

    result = kernel_density(data, value, **keywords)
    return IndexRun(result, {"": result.curves, "bandwidths": result.bandwidths})


def run_ahp(matrix, **keywords) -> IndexRun:
    """:func:`~spatial.indices.ahp_weights`: the weights (main table) and the consistency check
    (``consistency``)."""
    from spatial.indices import ahp_weights

    result = ahp_weights(matrix, **keywords)
    return IndexRun(result, {"": result.weights, "consistency": result.summary()})


def run_dea(data, inputs, outputs, undesirable=(), **keywords) -> IndexRun:
    """:func:`~spatial.indices.dea`: efficiency and slacks per unit and period (main table)."""
    from spatial.indices import dea

    result = dea(data, inputs, outputs, undesirable, **keywords)
    return IndexRun(result, {"": result.table})


def run_productivity(
    data,
    inputs: Sequence[str],
    outputs: Sequence[str],
    undesirable: Sequence[str] = (),
    *,
    id: str | None = None,
    time: str | None = None,
    method: ProductivityMethod = "gml",
    orientation: Orientation = "input",
    solver: Solver = "batched",
) -> IndexRun:
    """Productivity change between consecutive periods and its decomposition (main table), and the distance
    functions per unit and period (``distances``): :func:`~spatial.indices.gml` (with undesirable outputs)
    or :func:`~spatial.indices.malmquist` (``orientation``).

    Raises
    ------
    SchemaError
        ``method="malmquist"`` with undesirable outputs (the Malmquist index has none; use ``method="gml"``).
    """
    from spatial._options import check_option
    from spatial.indices import gml, malmquist

    check_option("method", method, ProductivityMethod)
    undesirable = list(undesirable or ())
    if method == "gml":
        result = gml(data, inputs, outputs, undesirable, id=id, time=time, solver=solver)
    else:
        if undesirable:
            raise SchemaError(f"the Malmquist index has no undesirable outputs; use {hint('index.productivity', 'gml')}")
        result = malmquist(data, inputs, outputs, id=id, time=time, orientation=orientation, solver=solver)
    return IndexRun(result, {"": result.table, "distances": result.distances})


def run_markov(
    data,
    value: str,
    weights=None,
    *,
    id: str | None = None,
    time: str | None = None,
    kind: MarkovKind = "classic",
    k: int = 5,
    m: int | None = None,
    pooling: MarkovPooling | None = None,
    breaks: Sequence[float] | None = None,
    lag_breaks: Sequence[float] | None = None,
) -> IndexRun:
    """A Markov chain of the classes of ``value``: the transition table papers print (main table), per-class
    steady state, sojourn and first passage times (``summary``), the unit states (``states``) and, for the
    spatial chain, its homogeneity tests (``tests``); ``result.plot(path)`` draws the heatmaps.

    ``kind``: ``classic`` (quantile classes, ``pooling`` per_period by default), ``spatial`` (Rey 2001,
    conditioned on the class of the spatial lag under ``weights``, a libpysal Graph; pooled by default)
    or ``lisa`` (LISA quadrants under ``weights``).

    Raises
    ------
    SchemaError
        ``kind`` spatial or lisa without ``weights``.
    """
    from spatial._options import check_option
    from spatial.indices import lisa_markov, markov_chain, spatial_markov

    check_option("kind", kind, MarkovKind)
    if kind != "classic" and weights is None:
        raise SchemaError(f"a {kind} Markov chain needs weights= (a libpysal Graph keyed by the unit ids)")
    if kind == "classic":
        result = markov_chain(data, value, id=id, time=time, k=k, pooling=pooling or "per_period", breaks=breaks)
        chain, tests = result, None
    elif kind == "spatial":
        result = spatial_markov(data, value, weights, id=id, time=time, k=k, m=m, pooling=pooling or "pooled",
                                breaks=breaks, lag_breaks=lag_breaks)
        chain, tests = result.markov, result.tests()
    else:
        result = lisa_markov(data, value, weights, id=id, time=time)
        chain, tests = result, None
    return IndexRun(result, {"": result.table(), "summary": chain.summary(), "states": chain.states, "tests": tests})


def run_gravity(data, weight: str, **keywords) -> IndexRun:
    """:func:`~spatial.indices.gravity_centre`: the centres per period (main table), their migration
    (``moves``) and the standard deviational ellipses (``ellipses``)."""
    from spatial.indices import gravity_centre

    result = gravity_centre(data, weight, **keywords)
    return IndexRun(result, {"": result.centres, "moves": result.moves, "ellipses": result.ellipses})


GEODETECTOR_TABLES = ("interaction", "risk", "risk_means", "ecological")


def run_geodetector(data, y: str, factors, **keywords) -> IndexRun:
    """:func:`~spatial.indices.geodetector`: the factor detector (main table), interaction, risk,
    risk_means and ecological tables."""
    from spatial.indices import geodetector

    result = geodetector(data, y, factors, **keywords)
    return IndexRun(result, {"": result.factor, **{name: getattr(result, name) for name in GEODETECTOR_TABLES}})


def run_lq(data, industries, **keywords) -> IndexRun:
    """:func:`~spatial.indices.location_quotient`: one row per unit, period and industry (main table)."""
    from spatial.indices import location_quotient

    result = location_quotient(data, industries, **keywords)
    return IndexRun(result, {"": result})
