"""Global spatial autocorrelation for every period of a panel: Moran's I, Geary's C, Getis-Ord G,
and the bivariate Moran's I, in one tidy table per call.

The statistics and their analytical moments come from esda; the permutation inference is run
here with a seeded ``numpy.random.Generator`` (esda's global statistics draw from numpy's global
random state). Islands are left out of every statistic and counted in the table.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import special

from spatial.choices import Statistic
from spatial._options import check_option
from spatial.errors import SpatialPanelError
from spatial.esda._input import (
    FAILED_COLUMNS,
    Errors,
    Prepared,
    Transform,
    UndefinedStatisticWarning,
    check_permutations,
    finish,
    prepare,
    rng_for,
    select_periods,
    select_variables,
    undefined_reason,
)
from spatial.esda._permutation import count_tails, permutation_distribution, tail_pvalues

if TYPE_CHECKING:
    from spatial.panel import SpatialPanel

__all__ = [
    "GlobalAutocorrelation",
    "Statistic",
    "UndefinedStatisticWarning",
    "global_autocorrelation",
    "moran",
    "geary",
    "getis_ord",
    "moran_bv",
]


_NAMES = {"moran": "moran_i", "geary": "geary_c", "getis_ord": "getis_ord_g"}
_TITLES = {
    "moran_i": "Moran's I",
    "geary_c": "Geary's C",
    "getis_ord_g": "Getis-Ord General G",
    "bivariate_moran_i": "Bivariate Moran's I",
}
COLUMNS = [
    "period", "variable", "lag_variable", "statistic", "inference", "value", "expected", "variance", "z",
    "p_upper", "p_lower", "p_two_sided", "n", "n_islands", "transform", "permutations", "seed",
]


@dataclass(frozen=True)
class GlobalAutocorrelation:
    """Global statistics by period: one row per (period, variable, statistic, inference).

    ``inference`` is ``"normality"``, ``"randomisation"`` (analytical moments) or
    ``"permutation"`` (``expected`` and ``variance`` are then the mean and variance of the
    simulated values). One-sided p-values are the tails of the statistic: ``p_upper`` =
    P(T >= t), ``p_lower`` = P(T <= t); ``p_two_sided`` is twice the smaller, capped at 1.
    Positive autocorrelation is the upper tail for Moran's I and G and the lower tail for
    Geary's C (which is below 1 under positive autocorrelation).
    """

    table: pd.DataFrame
    failed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FAILED_COLUMNS))
    islands: tuple[str, ...] = ()
    transform: str = "r"
    permutations: int = 0
    seed: int | None = None

    @property
    def n_islands(self) -> int:
        return len(self.islands)

    def series(self, statistic: str = "moran_i", *, inference: str = "randomisation", column: str = "value"):
        """One column of the table as periods x variables, e.g. Moran's I over time."""
        rows = self.table[(self.table["statistic"] == statistic) & (self.table["inference"] == inference)]
        return rows.pivot(index="period", columns="variable", values=column)

    def summary(self, *, inference: str | None = None) -> str:
        """Each statistic as a periods x variables table, with significance stars.

        Stars use the one-sided p-value of positive autocorrelation (``p_upper``; ``p_lower``
        for Geary's C) under permutation when computed, else under randomisation:
        * p < 0.1, ** p < 0.05, *** p < 0.01. The full table has z and every p-value.
        """
        if self.table.empty:
            return "no statistic computed" + (f"; failed: {len(self.failed)}" if len(self.failed) else "")
        lines = []
        for statistic, rows in self.table.groupby("statistic", sort=False):
            available = set(rows["inference"])
            chosen = inference or ("permutation" if "permutation" in available else "randomisation")
            rows = rows[rows["inference"] == chosen]
            tail = "p_lower" if statistic == "geary_c" else "p_upper"
            cells = rows.assign(
                cell=[f"{v:.4f}{_stars(p)}" for v, p in zip(rows["value"], rows[tail], strict=True)],
                name=[v if lv == v else f"{v}~W{lv}" for v, lv in zip(rows["variable"], rows["lag_variable"],
                                                                         strict=True)],
            ).pivot(index="period", columns="name", values="cell")
            order = list(dict.fromkeys(
                v if lv == v else f"{v}~W{lv}" for v, lv in zip(rows["variable"], rows["lag_variable"], strict=True)
            ))
            islands = f", {self.n_islands} islands left out" if self.n_islands else ""
            source = (f"{self.permutations} permutations, seed {self.seed}" if chosen == "permutation" else chosen)
            lines.append(
                f"{_TITLES.get(statistic, statistic)} by period ({rows['transform'].iloc[0]} weights, "
                f"{int(rows['n'].iloc[0])} units{islands}); one-sided p ({tail}, {source}): "
                "* <0.1 ** <0.05 *** <0.01"
            )
            lines.append(cells[order].rename_axis(columns=None).to_string())
        if len(self.failed):
            lines.append("not computed: " + "; ".join(
                f"{r.statistic} {r.variable} {r.period}: {r.reason}" for r in self.failed.itertuples(index=False)
            ))
        return "\n".join(lines)

    def to_json(self) -> str:
        """The table and its settings as JSON (NaN becomes null)."""
        return json.dumps(
            {
                "statistics": json.loads(self.table.to_json(orient="records")),
                "failed": json.loads(self.failed.to_json(orient="records")),
                "islands": list(self.islands),
                "transform": self.transform,
                "permutations": self.permutations,
                "seed": self.seed,
                "p_values": "p_upper = P(T >= t), p_lower = P(T <= t), p_two_sided = 2 min(p_upper, p_lower)",
            },
            indent=2,
            ensure_ascii=False,
        )


def _stars(p: float) -> str:
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


def _analytical(inference: str, value: float, expected: float, variance: float) -> dict[str, Any]:
    z = (value - expected) / np.sqrt(variance)
    upper, lower = float(special.ndtr(-z)), float(special.ndtr(z))
    return {
        "inference": inference, "value": value, "expected": expected, "variance": variance, "z": z,
        "p_upper": upper, "p_lower": lower, "p_two_sided": min(1.0, 2 * min(upper, lower)),
    }


def _simulated(value: float, simulated: np.ndarray) -> dict[str, Any]:
    permutations = len(simulated)
    upper, lower, two = tail_pvalues(*count_tails(simulated, value), permutations)
    sd = simulated.std()
    return {
        "inference": "permutation", "value": value, "expected": simulated.mean(), "variance": sd**2,
        "z": (value - simulated.mean()) / sd if sd > 0 else np.nan,
        "p_upper": float(upper), "p_lower": float(lower), "p_two_sided": float(two),
    }


def _moran_rows(y: np.ndarray, prep: Prepared, permutations: int, rng) -> list[dict]:
    import esda

    graph = prep.graph
    result = esda.Moran(y, graph, transformation=graph.transformation, permutations=0)
    rows = [
        _analytical("normality", result.I, result.EI, result.VI_norm),
        _analytical("randomisation", result.I, result.EI, result.VI_rand),
    ]
    if permutations:
        matrix = graph.sparse.tocsr()
        z = y - y.mean()
        scale = len(y) / matrix.sum() / (z @ z)
        rows.append(_simulated(result.I, permutation_distribution(
            z, lambda Z: scale * np.einsum("ij,ij->j", Z, matrix @ Z), permutations, rng
        )))
    return rows


def _geary_rows(y: np.ndarray, prep: Prepared, permutations: int, rng) -> list[dict]:
    import esda

    graph = prep.graph
    result = esda.Geary(y, graph, transformation=graph.transformation, permutations=0)
    rows = [
        _analytical("normality", result.C, result.EC, result.VC_norm),
        _analytical("randomisation", result.C, result.EC, result.VC_rand),
    ]
    if permutations:
        matrix = graph.sparse.tocsr()
        z = y - y.mean()
        margins = np.asarray(matrix.sum(axis=1)).ravel() + np.asarray(matrix.sum(axis=0)).ravel()
        scale = (len(y) - 1) / (2 * matrix.sum() * (z @ z))

        def statistic(Z: np.ndarray) -> np.ndarray:
            return scale * (margins @ (Z * Z) - 2 * np.einsum("ij,ij->j", Z, matrix @ Z))

        rows.append(_simulated(result.C, permutation_distribution(z, statistic, permutations, rng)))
    return rows


def _getis_ord_rows(y: np.ndarray, prep: Prepared, permutations: int, rng) -> list[dict]:
    import esda

    graph = prep.graph.transform("B")  # General G is defined on binary weights (esda forces them)
    result = esda.G(y, graph, permutations=0)
    rows = [_analytical("randomisation", result.G, result.EG, result.VG)]
    if permutations:
        matrix = graph.sparse.tocsr()
        denominator = y.sum() ** 2 - (y * y).sum()
        rows.append(_simulated(result.G, permutation_distribution(
            y, lambda Y: np.einsum("ij,ij->j", Y, matrix @ Y) / denominator, permutations, rng
        )))
    return rows


_COMPUTE = {"moran": _moran_rows, "geary": _geary_rows, "getis_ord": _getis_ord_rows}


def global_autocorrelation(
    panel: SpatialPanel,
    w: Any,
    variables: str | Sequence[str] | None = None,
    *,
    statistics: Sequence[Statistic] = ("moran",),
    periods: Any = None,
    permutations: int = 999,
    seed: int | None = None,
    transform: Transform = "r",
    errors: Errors = "raise",
) -> GlobalAutocorrelation:
    """Global spatial autocorrelation of each variable in each period.

    Parameters
    ----------
    panel
        The validated panel; it is aligned to the weights' ids by key.
    w
        Spatial weights: a libpysal ``Graph`` keyed by the panel's ids (a ``W`` is converted).
    variables
        One name or several; all numeric variables by default.
    statistics
        Any of ``"moran"``, ``"geary"``, ``"getis_ord"`` (General G, on non-negative variables,
        always with binary weights as defined by Getis and Ord).
    periods
        One period or several; all periods by default.
    permutations
        Random permutations for pseudo p-values (0: analytical inference only). Below 99 a
        warning notes that the smallest pseudo p-value is 1/(permutations + 1).
    seed
        Required with permutations; recorded in the result. Each (statistic, variable, period)
        gets its own stream, so results do not depend on what else is in the call.
    transform
        ``"r"`` row-standardised (default), ``"b"`` binary, ``"as_given"`` the weights unchanged.
    errors
        A variable for which a statistic is undefined (constant, missing values; negative values
        for G) raises :class:`UndefinedStatisticError` after every other variable was computed
        (they are in its ``partial``); ``"record"`` returns them with a warning and the failures
        in ``result.failed``.

    Returns
    -------
    GlobalAutocorrelation
        Tidy table: one row per (period, variable, statistic, inference).

    Raises
    ------
    IdMismatchError
        When the ids of the panel and of the weights differ.
    SchemaError
        Unknown variables or periods; fewer than 4 units with neighbours.
    UndefinedStatisticError
        For constant or missing variables (``errors="raise"``), with the other results attached.
    SpatialPanelError
        Permutations without a seed, or an option that is not allowed.

    Examples
    --------
    >>> from libpysal.graph import Graph
    >>> from spatial import SpatialPanel, datasets
    >>> from spatial.esda import global_autocorrelation
    >>> panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year",
    ...                      geometry=datasets.load("us48_states"))
    >>> w = Graph.build_contiguity(panel.geometry, rook=False)
    >>> result = global_autocorrelation(panel, w, ["unemp"], statistics=["moran", "geary"],
    ...                                 periods=[1970, 1986], seed=1)
    >>> result.series("moran_i").round(4)
    variable   unemp
    period
    1970      0.2699
    1986      0.4752
    """
    for statistic in statistics:
        check_option("statistics", statistic, Statistic)
    check_option("transform", transform, Transform)
    check_option("errors", errors, Errors)
    permutations = check_permutations(permutations, seed)
    names = select_variables(panel, variables)
    chosen = select_periods(panel, periods)
    prep = prepare(panel, w, transform=transform)
    rows: list[dict] = []
    failed: list[dict] = []
    for statistic in statistics:
        name = _NAMES[statistic]
        needs = "General G" if statistic == "getis_ord" else None
        for variable, period, y in prep.defined_values(names, chosen, name, failed, nonnegative_for=needs):
            rng = rng_for(seed, name, variable, period) if permutations else None
            for row in _COMPUTE[statistic](y, prep, permutations, rng):
                rows.append(_row(row, period, variable, variable, name, prep,
                                 "b" if statistic == "getis_ord" else prep.transform, permutations, seed))
    result = GlobalAutocorrelation(
        table=_table(rows),
        failed=pd.DataFrame(failed, columns=FAILED_COLUMNS),
        islands=prep.islands,
        transform=prep.transform,
        permutations=permutations,
        seed=seed if permutations else None,
    )
    return finish(result, failed, errors, "the statistic")


def _table(rows: list[dict]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=COLUMNS)
    table["seed"] = table["seed"].astype("Int64")
    return table


def _row(values, period, variable, lag_variable, statistic, prep, transform, permutations, seed) -> dict:
    return {
        "period": period, "variable": variable, "lag_variable": lag_variable, "statistic": statistic, **values,
        "n": len(prep.ids), "n_islands": len(prep.islands), "transform": transform,
        "permutations": permutations if values["inference"] == "permutation" else 0,
        "seed": seed if values["inference"] == "permutation" else None,
    }


def moran(
    panel: SpatialPanel,
    w: Any,
    variables: str | Sequence[str] | None = None,
    *,
    periods: Any = None,
    permutations: int = 999,
    seed: int | None = None,
    transform: Transform = "r",
    errors: Errors = "raise",
) -> GlobalAutocorrelation:
    """Global Moran's I by period: normality, randomisation and permutation inference.

    Same parameters as :func:`global_autocorrelation` (``statistics=("moran",)``).

    Raises
    ------
    IdMismatchError, SchemaError, UndefinedStatisticError, SpatialPanelError
        As :func:`global_autocorrelation`.

    Examples
    --------
    >>> from libpysal.graph import Graph
    >>> from spatial import SpatialPanel, datasets
    >>> from spatial.esda import moran
    >>> panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year",
    ...                      geometry=datasets.load("us48_states"))
    >>> w = Graph.build_contiguity(panel.geometry, rook=False)
    >>> result = moran(panel, w, "unemp", periods=1986, seed=7)
    >>> result.table[["inference", "value", "z", "p_upper"]].round(4)
           inference   value       z  p_upper
    0      normality  0.4752  5.1043    0.000
    1  randomisation  0.4752  5.1264    0.000
    2    permutation  0.4752  5.1669    0.001
    """
    return global_autocorrelation(panel, w, variables, statistics=("moran",), periods=periods,
                                  permutations=permutations, seed=seed, transform=transform, errors=errors)


def geary(
    panel: SpatialPanel,
    w: Any,
    variables: str | Sequence[str] | None = None,
    *,
    periods: Any = None,
    permutations: int = 999,
    seed: int | None = None,
    transform: Transform = "r",
    errors: Errors = "raise",
) -> GlobalAutocorrelation:
    """Geary's C by period (below 1 under positive autocorrelation; see ``p_lower``).

    Same parameters as :func:`global_autocorrelation` (``statistics=("geary",)``).

    Raises
    ------
    IdMismatchError, SchemaError, UndefinedStatisticError, SpatialPanelError
        As :func:`global_autocorrelation`.
    """
    return global_autocorrelation(panel, w, variables, statistics=("geary",), periods=periods,
                                  permutations=permutations, seed=seed, transform=transform, errors=errors)


def getis_ord(
    panel: SpatialPanel,
    w: Any,
    variables: str | Sequence[str] | None = None,
    *,
    periods: Any = None,
    permutations: int = 999,
    seed: int | None = None,
    transform: Transform = "r",
    errors: Errors = "raise",
) -> GlobalAutocorrelation:
    """Getis-Ord General G by period, on non-negative variables, with binary weights.

    Same parameters as :func:`global_autocorrelation` (``statistics=("getis_ord",)``).

    Raises
    ------
    IdMismatchError, SchemaError, UndefinedStatisticError, SpatialPanelError
        As :func:`global_autocorrelation`; negative values make G undefined.
    """
    return global_autocorrelation(panel, w, variables, statistics=("getis_ord",), periods=periods,
                                  permutations=permutations, seed=seed, transform=transform, errors=errors)


def moran_bv(
    panel: SpatialPanel,
    w: Any,
    x: str,
    y: str,
    *,
    periods: Any = None,
    permutations: int = 999,
    seed: int | None = None,
    transform: Transform = "r",
    errors: Errors = "raise",
) -> GlobalAutocorrelation:
    """Bivariate Moran's I of ``x`` against the spatial lag of ``y``, by period.

    I = zx' W zy / (n - 1) with both variables standardised (esda's ``Moran_BV``). It has no
    analytical moments: inference is by permuting ``y`` (seeded), so ``permutations`` must be
    positive.

    Raises
    ------
    SpatialPanelError
        When ``permutations`` is 0 or no seed is given.
    IdMismatchError, SchemaError, UndefinedStatisticError
        As :func:`global_autocorrelation`.

    Examples
    --------
    >>> from libpysal.graph import Graph
    >>> from spatial import SpatialPanel, datasets
    >>> from spatial.esda import moran_bv
    >>> panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year",
    ...                      geometry=datasets.load("us48_states"))
    >>> w = Graph.build_contiguity(panel.geometry, rook=False)
    >>> result = moran_bv(panel, w, "unemp", "emp", periods=1986, seed=3)
    >>> result.table[["variable", "lag_variable", "inference"]].iloc[0].tolist()
    ['unemp', 'emp', 'permutation']
    """
    import esda

    check_option("transform", transform, Transform)
    check_option("errors", errors, Errors)
    if not permutations:
        raise SpatialPanelError("the bivariate Moran's I has no analytical inference: pass permutations > 0 and a seed")
    permutations = check_permutations(permutations, seed)
    select_variables(panel, [x, y])
    chosen = select_periods(panel, periods)
    prep = prepare(panel, w, transform=transform)
    matrix = prep.graph.sparse.tocsr()
    rows, failed = [], []
    for period in chosen:
        xs, ys = prep.values(x, period), prep.values(y, period)
        reasons = [f"{name}: {r}" for name, v in ((x, xs), (y, ys)) if (r := undefined_reason(v, prep.ids))]
        if reasons:
            failed.append({"period": period, "variable": f"{x}~W{y}", "statistic": "bivariate_moran_i",
                           "reason": "; ".join(reasons)})
            continue
        result = esda.Moran_BV(xs, ys, prep.graph, transformation=prep.graph.transformation, permutations=0)
        rng = rng_for(seed, "bivariate_moran_i", x, y, period)

        def statistic(Z: np.ndarray, zx: np.ndarray = result.zx) -> np.ndarray:
            return (zx @ (matrix @ Z)) / (len(zx) - 1.0)

        simulated = permutation_distribution(result.zy, statistic, permutations, rng)
        rows.append(_row(_simulated(result.I, simulated), period, x, y, "bivariate_moran_i", prep,
                         prep.transform, permutations, seed))
    result = GlobalAutocorrelation(
        table=_table(rows),
        failed=pd.DataFrame(failed, columns=FAILED_COLUMNS),
        islands=prep.islands,
        transform=prep.transform,
        permutations=permutations,
        seed=seed,
    )
    return finish(result, failed, errors, "the bivariate Moran's I")
