"""Getis-Ord Gi* hot and cold spots at 90, 95 and 99 percent confidence, by period.

Gi* includes each unit in its own neighbourhood (self-weight: the largest weight of its row, 1
for binary weights). The z-score uses the general Ord and Getis (1995) variance,
``s^2 (n S1_i - W_i^2) / ((n - 1) n^2 ybar^2)`` with ``W_i`` and ``S1_i`` the sum and the sum of
squares of row i. esda's ``G_Local`` puts the row sum in place of ``S1_i``, which is right only
for binary weights: with row-standardised or distance weights its z-scores change with a
rescaling of a row, which they must not. Here they equal esda's for binary weights and do not
depend on the transform (both tested). Conditional permutation inference is seeded.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import sparse, special

from spatial._options import check_option
from spatial.esda._input import (
    FAILED_COLUMNS,
    Adjust,
    Errors,
    Transform,
    check_permutations,
    finish,
    prepare,
    rng_for,
    select_periods,
    select_variables,
    significant,
    unit_table,
)
from spatial.esda._permutation import conditional_simulation, folded_pvalue, neighbour_draws, split_self_weights

if TYPE_CHECKING:
    from spatial.panel import SpatialPanel

__all__ = ["HotSpots", "hot_spots", "CATEGORIES"]

LEVELS = (99, 95, 90)
CATEGORIES = (
    "hot spot 99%", "hot spot 95%", "hot spot 90%",
    "cold spot 99%", "cold spot 95%", "cold spot 90%",
    "not significant", "island",
)
COLUMNS = [
    "period", "variable", "id", "value", "G", "expected", "variance", "z", "p_norm", "p_sim",
    "p_sim_two_sided", "confidence", "category", "permutations", "seed",
]


@dataclass(frozen=True)
class HotSpots:
    """Gi* by unit, variable and period, with its hot/cold spot category.

    ``p_norm`` is two-sided (normal approximation of ``z``), ``p_sim`` the conditional
    permutation pseudo p-value on the side of the observed value and ``p_sim_two_sided`` twice
    it. A unit is a hot (cold) spot at confidence c when its two-sided p-value (``p_column``),
    after the multiple-testing ``adjust``, is at most 1 - c/100 and z is positive (negative).
    """

    table: pd.DataFrame
    failed: pd.DataFrame
    islands: tuple[str, ...] = ()
    permutations: int = 0
    seed: int | None = None
    adjust: str = "none"
    transform: str = "r"
    p_column: str = "p_sim_two_sided"

    @property
    def n_islands(self) -> int:
        return len(self.islands)

    def counts(self) -> pd.DataFrame:
        """Number of units per category by (period, variable), islands included."""
        counts = self.table.groupby(["period", "variable"], sort=False)["category"].value_counts().unstack(fill_value=0)
        return counts.reindex(columns=list(CATEGORIES), fill_value=0)

    def summary(self) -> str:
        lines = [
            f"Getis-Ord Gi* hot spots ({self.transform} weights with self-weight; {self.p_column}, adjust "
            f"{self.adjust}" + (f"; {self.permutations} permutations, seed {self.seed}" if self.permutations else "")
            + (f"; {self.n_islands} islands labelled 'island'" if self.n_islands else "") + ")",
            self.counts().to_string(),
        ]
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps(
            {
                "hot_spots": json.loads(self.table.to_json(orient="records")),
                "failed": json.loads(self.failed.to_json(orient="records")),
                "islands": list(self.islands),
                "settings": {"permutations": self.permutations, "seed": self.seed, "adjust": self.adjust,
                             "transform": self.transform, "p_column": self.p_column},
            },
            indent=2,
            ensure_ascii=False,
        )


def star_weights(graph, transform: str):
    """Weights with each unit in its own neighbourhood (self-weight = the row's largest weight)."""
    if transform == "b":
        return graph.transform("B").assign_self_weight(1)
    row_max = np.asarray(abs(graph.sparse).max(axis=1).todense()).ravel()
    star = graph.assign_self_weight(row_max)
    return star.transform("R") if transform == "r" else star


def gi_star(y: np.ndarray, weights: sparse.spmatrix) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Gi*, its expectation, variance and z-score for weights that include the diagonal."""
    n = len(y)
    weights = sparse.csr_matrix(weights)
    total = y.sum()
    row_sum = np.asarray(weights.sum(axis=1)).ravel()
    row_squares = np.asarray(weights.multiply(weights).sum(axis=1)).ravel()
    mean = total / n
    var_y = (y @ y) / n - mean**2
    g = (weights @ y) / total
    expected = row_sum / n
    variance = var_y * (n * row_squares - row_sum**2) / ((n - 1) * n**2 * mean**2)
    return g, expected, variance, (g - expected) / np.sqrt(variance)


def hot_spots(
    panel: SpatialPanel,
    w: Any,
    variables: str | Sequence[str] | None = None,
    *,
    periods: Any = None,
    permutations: int = 999,
    seed: int | None = None,
    adjust: Adjust = "none",
    transform: Transform = "r",
    errors: Errors = "raise",
) -> HotSpots:
    """Getis-Ord Gi* hot and cold spots of non-negative variables, by period.

    Parameters
    ----------
    panel, w, variables, periods, errors
        As :func:`spatial.esda.global_autocorrelation`.
    permutations, seed
        Conditional permutations (0: normal approximation only) and their seed (required).
    adjust
        ``"none"``, ``"fdr"`` or ``"bonferroni"``, applied at each confidence level.
    transform
        ``"r"`` row-standardised, ``"b"`` binary or ``"as_given"``, each with the self-weight;
        G values depend on it, z-scores and p-values do not.

    Returns
    -------
    HotSpots
        One row per (period, variable, unit); islands are labelled ``"island"``.

    Raises
    ------
    IdMismatchError
        When the ids of the panel and of the weights differ.
    SchemaError
        Unknown variables or periods; fewer than 4 units with neighbours.
    UndefinedStatisticError
        For constant, missing or negative values (``errors="raise"``), others attached.
    SpatialPanelError
        Permutations without a seed, or an option that is not allowed.

    Examples
    --------
    >>> from libpysal.graph import Graph
    >>> from spatial import SpatialPanel, datasets
    >>> from spatial.esda import hot_spots
    >>> panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year",
    ...                      geometry=datasets.load("us48_states"))
    >>> w = Graph.build_contiguity(panel.geometry, rook=False)
    >>> spots = hot_spots(panel, w, "unemp", periods=1986, seed=5)
    >>> spots.counts().loc[(1986, "unemp"), ["hot spot 99%", "cold spot 99%"]].tolist()
    [2, 5]
    """
    check_option("adjust", adjust, Adjust)
    check_option("transform", transform, Transform)
    check_option("errors", errors, Errors)
    permutations = check_permutations(permutations, seed)
    names = select_variables(panel, variables)
    chosen = select_periods(panel, periods)
    prep = prepare(panel, w, transform="as_given")
    star = star_weights(prep.graph, transform).sparse
    off_diagonal, self_weights = split_self_weights(star)
    n = len(prep.ids)
    p_column = "p_sim_two_sided" if permutations else "p_norm"
    frames, failed = [], []
    for variable, period, y in prep.defined_values(names, chosen, "gi_star", failed, nonnegative_for="Gi*"):
        g, expected, variance, z = gi_star(y, star)
        frame = pd.DataFrame({
            "period": period, "variable": variable, "id": prep.ids, "value": y, "G": g,
            "expected": expected, "variance": variance, "z": z, "p_norm": 2 * special.ndtr(-np.abs(z)),
        })
        if permutations:
            rng = rng_for(seed, "gi_star", variable, period)
            draws = neighbour_draws(n, int(np.diff(off_diagonal.indptr).max()), permutations, rng)
            total = y.sum()

            def statistic(rows: slice, lags: np.ndarray, y=y, total=total) -> np.ndarray:
                return (lags + (self_weights[rows] * y[rows])[:, None]) / total

            sim = conditional_simulation(y, off_diagonal, g, statistic, draws)
            frame["p_sim"] = folded_pvalue(sim.n_upper, permutations)
            frame["p_sim_two_sided"] = np.minimum(1.0, 2 * frame["p_sim"])
        p = frame[p_column].to_numpy()
        confidence = np.zeros(n, dtype=int)
        for level in sorted(LEVELS):  # 90, 95, 99: the highest level reached wins
            mask, _ = significant(p, 1 - level / 100, adjust)
            confidence[mask] = level
        side = np.where(z > 0, "hot", "cold")
        frame["confidence"] = confidence
        labels = [f"{s} spot {c}%" for s, c in zip(side, confidence, strict=True)]
        frame["category"] = np.where(confidence > 0, labels, "not significant")
        frame = prep.with_islands(frame, variable, period, confidence=0, category="island")
        frames.append(frame.reindex(columns=COLUMNS))
    result = HotSpots(
        table=unit_table(frames, COLUMNS, permutations, seed),
        failed=pd.DataFrame(failed, columns=FAILED_COLUMNS),
        islands=prep.islands,
        permutations=permutations,
        seed=seed if permutations else None,
        adjust=adjust,
        transform=transform,
        p_column=p_column,
    )
    return finish(result, failed, errors, "Gi*")
