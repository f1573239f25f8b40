"""Composite indices from an indicator system: weighted sums and (entropy-)TOPSIS.

The steps: normalise the indicators (:mod:`spatial.indices.normalize`), weight them
(:mod:`spatial.indices.weighting`), and aggregate per unit and period, for every subsystem
(with the subsystem's own weights, summing to 1) and for the whole system (weights over all
indicators). ``method="topsis"`` ranks by relative closeness ``D- / (D+ + D-)`` to the ideal
(best value of every weighted indicator) and anti-ideal solutions, taken over the same pool as
the normalisation (all periods, or each period).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from spatial.choices import AggregationOption
from spatial._options import check_option
from spatial.errors import SchemaError
from spatial.indices._common import CROSS_SECTION, IndicatorWarning, LongTable, long_table, rank_within
from spatial.indices.normalize import NormalizeOption, PoolingOption, indicator_system, normalize
from spatial.indices.ahp import CombineRule, combine_weights
from spatial.indices.weighting import WeightingOption, indicator_weights

if TYPE_CHECKING:
    from spatial.panel import SpatialPanel

__all__ = ["CompositeIndex", "composite_index", "AggregationOption"]


@dataclass(frozen=True)
class CompositeIndex:
    """Scores of a composite index, with the weights and every choice that produced them.

    Attributes
    ----------
    scores
        One row per unit and period: the keys, one column per subsystem, and the overall index
        (named ``options["name"]``).
    ranks
        Same shape: rank within each period, 1 = highest score.
    weights
        One row per scope (subsystem or the overall index), period (``"pooled"`` when pooled) and
        indicator: direction, the method's intermediate quantities, and ``weight``.
    normalized
        The normalised indicators, one row per unit and period.
    distances
        TOPSIS only: ``d_plus``, ``d_minus`` and ``closeness`` per scope, unit and period.
    options
        normalize, pooling, shift, weighting, method, name, subsystems, nobs.
    """

    scores: pd.DataFrame
    ranks: pd.DataFrame
    weights: pd.DataFrame
    normalized: pd.DataFrame
    distances: pd.DataFrame | None
    options: dict[str, Any] = field(default_factory=dict)
    id_name: str = "id"
    time_name: str | None = None

    @property
    def name(self) -> str:
        return self.options["name"]

    @property
    def subsystems(self) -> list[str]:
        return list(self.options["subsystems"])

    @property
    def columns(self) -> list[str]:
        """The score columns: the subsystems, then the overall index."""
        return [*self.subsystems, self.name]

    def to_frame(self) -> pd.DataFrame:
        """Tidy form: one row per unit, period and scope with ``score`` and ``rank``."""
        keys = [c for c in self.scores.columns if c not in self.columns]
        score = self.scores.melt(id_vars=keys, value_vars=self.columns, var_name="scope", value_name="score")
        rank = self.ranks.melt(id_vars=keys, value_vars=self.columns, var_name="scope", value_name="rank")
        return score.merge(rank, on=[*keys, "scope"])

    def add_to(self, panel: SpatialPanel) -> SpatialPanel:
        """A new panel with the scores as variables (named as in :attr:`scores`), for Moran, models, maps.

        Raises
        ------
        SchemaError
            If a score name is already a variable of the panel, or the units differ.
        """
        keys = [self.id_name] + ([self.time_name] if self.time_name else [])
        values = self.scores.set_index(keys)[self.columns]
        return panel.with_variables(values)


def composite_index(
    data: pd.DataFrame | SpatialPanel,
    indicators,
    *,
    id: str | None = None,
    time: str | None = None,
    normalize: NormalizeOption = "minmax",
    pooling: PoolingOption = "pooled",
    shift: float = 0.0,
    weighting: WeightingOption = "entropy",
    method: AggregationOption = "weighted_sum",
    name: str = "index",
    combine: CombineRule | None = None,
    alpha: float = 0.5,
) -> CompositeIndex:
    """Build a composite index (and subsystem indices) from an indicator system.

    Parameters
    ----------
    data
        Long table (one row per unit and period) or a :class:`~spatial.SpatialPanel`.
    indicators
        The indicator system: a table or file with ``indicator``, ``direction`` and optional
        ``subsystem`` and ``weight`` columns, or a mapping ``{indicator: direction}``
        (see :func:`~spatial.indices.normalize.indicator_system`).
    id, time
        Key columns of a plain table (a panel knows its own).
    normalize, pooling, shift
        Normalisation (``minmax`` or ``zscore``), over all periods (``pooled``, comparable over
        time) or within each period, plus a constant shift.
    weighting
        ``entropy``, ``critic``, ``cv``, ``equal`` or ``user`` (the table's ``weight`` column).
    method
        ``weighted_sum`` or ``topsis``.
    name
        Name of the overall index column.
    combine, alpha
        Combined subjective-objective weights: the objective ``weighting`` (entropy, CRITIC or
        CV) is combined with the subjective weights in the table's ``weight`` column (e.g. from
        :func:`~spatial.indices.ahp_weights`), rescaled within each subsystem, by the
        ``multiplicative`` or ``linear`` rule (``alpha`` = subjective share); see
        :func:`~spatial.indices.combine_weights`. The weights table states the rule.

    Raises
    ------
    SchemaError
        Bad indicator tables, unknown options, negative normalised values under the entropy
        method, a subsystem whose indicators are all constant, a name that is also a subsystem.
    MissingDataError
        Missing indicator values, naming the indicator, units and periods.

    Examples
    --------
    >>> from spatial import datasets
    >>> produc = datasets.load("us_produc")
    >>> system = {"gsp": "positive", "pcap": "positive", "unemp": "negative"}
    >>> result = composite_index(produc, system, id="fips", time="year")
    >>> result.weights[["indicator", "weight"]].round(3).to_dict("list")
    {'indicator': ['gsp', 'pcap', 'unemp'], 'weight': [0.493, 0.488, 0.019]}
    >>> result.scores.shape
    (816, 3)
    """
    check_option("normalize", normalize, NormalizeOption)
    check_option("pooling", pooling, PoolingOption)
    check_option("weighting", weighting, WeightingOption)
    check_option("method", method, AggregationOption)
    system = indicator_system(indicators)
    if name in system.subsystems or name in system.indicators:
        raise SchemaError(f"name={name!r} is also a subsystem or indicator name; choose another name")
    if weighting == "user" and not system.has_weights:
        raise SchemaError("weighting='user' needs a 'weight' column in the indicator table")
    if combine is not None:
        check_option("combine", combine, CombineRule)
        if weighting not in ("entropy", "critic", "cv"):
            raise SchemaError(
                f"combine={combine!r} combines objective weights (weighting='entropy', 'critic' or 'cv') with the "
                f"subjective 'weight' column; weighting={weighting!r} is not objective"
            )
        if not system.has_weights:
            raise SchemaError(
                f"combine={combine!r} needs the subjective weights in a 'weight' column of the indicator table"
            )
    table = long_table(data, id=id, time=time, values=system.indicators, what="the indicator data")
    frame = table.frame
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", IndicatorWarning)
        x = _normalize(frame, system, normalize, pooling, shift)
    for w in caught:
        warnings.warn(w.message, w.category, stacklevel=2)
    scopes = [(sub, system.members(sub)) for sub in system.subsystems] + [(name, system.indicators)]
    single = [f"{sub} ({cols[0]})" for sub, cols in scopes[:-1] if len(cols) == 1]
    if single:
        warnings.warn(
            f"subsystems with a single indicator: {', '.join(single)}; each gets weight 1 and its score is "
            "that normalised indicator",
            IndicatorWarning,
            stacklevel=2,
        )
    blocks = (
        [("pooled", np.ones(len(frame), bool))]
        if pooling == "pooled"
        else [(p, (frame["period"] == p).to_numpy()) for p in pd.unique(frame["period"])]
    )
    given = system.table.set_index("indicator")["weight"]
    directions = system.directions
    scores = frame[["id", "period"]].copy()
    weight_tables, distance_tables = [], []
    for scope, cols in scopes:
        column = np.full(len(frame), np.nan)
        for period, rows in blocks:
            block = x.loc[rows, cols]
            try:
                weights = indicator_weights(block, weighting, given=given)
                if combine is not None:
                    mixed = combine_weights(
                        given.reindex(cols), weights.set_index("indicator")["weight"], rule=combine, alpha=alpha
                    )
                    weights = weights.drop(columns="weight").merge(mixed, on="indicator")
            except SchemaError as exc:
                where = f"subsystem {scope!r}" if scope != name else "the index"
                raise SchemaError(f"{where}{'' if period == 'pooled' else f', period {period}'}: {exc}") from None
            w = weights["weight"].to_numpy()
            if method == "weighted_sum":
                column[rows] = block.to_numpy() @ w
            else:
                d_plus, d_minus, closeness = _topsis(block.to_numpy(), w, scope)
                column[rows] = closeness
                distance_tables.append(
                    pd.DataFrame(
                        {
                            "id": frame.loc[rows, "id"].to_numpy(),
                            "period": frame.loc[rows, "period"].to_numpy(),
                            "scope": scope,
                            "d_plus": d_plus,
                            "d_minus": d_minus,
                            "closeness": closeness,
                        }
                    )
                )
            weights.insert(0, "period", period)
            weights.insert(0, "scope", scope)
            weights.insert(3, "direction", weights["indicator"].map(directions))
            weight_tables.append(weights)
        scores[scope] = column
    ranks = scores[["id", "period"]].copy()
    for scope, _ in scopes:
        ranks[scope] = rank_within(scores, scope)
    weights = pd.concat(weight_tables, ignore_index=True)
    if not table.has_time:
        weights = weights.drop(columns="period")
    normalized = pd.concat([frame[["id", "period"]], x], axis=1)
    distances = pd.concat(distance_tables, ignore_index=True) if distance_tables else None
    options = {
        "normalize": normalize,
        "pooling": pooling,
        "shift": shift,
        "weighting": weighting,
        "combine": None if combine is None else weight_tables[0]["rule"].iloc[0],
        "method": method,
        "name": name,
        "subsystems": system.subsystems,
        "nobs": len(frame),
    }
    return CompositeIndex(
        scores=table.labelled(scores),
        ranks=table.labelled(ranks),
        weights=weights.rename(columns={"period": table.time_name or "period"}),
        normalized=table.labelled(normalized),
        distances=table.labelled(distances) if distances is not None else None,
        options=options,
        id_name=table.id_name,
        time_name=table.time_name,
    )


def _normalize(frame: pd.DataFrame, system, method: str, pooling: str, shift: float) -> pd.DataFrame:
    return normalize(
        frame[system.indicators],
        system.directions,
        periods=frame["period"],
        method=method,
        pooling=pooling,
        shift=shift,
    )


def _topsis(values: np.ndarray, weights: np.ndarray, scope: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distances to the ideal and anti-ideal solutions and the relative closeness."""
    v = values * weights
    d_plus = np.sqrt(((v - v.max(axis=0)) ** 2).sum(axis=1))
    d_minus = np.sqrt(((v - v.min(axis=0)) ** 2).sum(axis=1))
    total = d_plus + d_minus
    if (total == 0).any():
        raise SchemaError(
            f"TOPSIS for {scope!r}: every observation has the same weighted indicators, so the ideal and "
            "anti-ideal solutions coincide; the closeness is undefined"
        )
    return d_plus, d_minus, d_minus / total


def panel_table(result: CompositeIndex) -> LongTable:
    """The scores as a :class:`LongTable` (used by coupling coordination)."""
    frame = result.scores.rename(columns={result.id_name: "id"})
    if not result.time_name:
        return LongTable(frame.assign(period=CROSS_SECTION), result.id_name, None)
    return LongTable(frame.rename(columns={result.time_name: "period"}), result.id_name, result.time_name)
