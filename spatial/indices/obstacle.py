"""Obstacle degree model (障碍度模型): which indicators hold a composite index back.

For unit i, period t and indicator j of a :class:`~spatial.indices.CompositeIndex`:

* factor contribution ``F_j = w_j`` (the indicator's weight in the overall index; for a
  per-period index the weight of that period);
* deviation ``I_ij = 1 - x_ij`` (distance of the normalised indicator from its best value 1;
  a ``shift`` added in normalising is taken off first);
* obstacle degree ``O_ij = F_j I_ij / sum_k F_k I_ik`` (shares summing to 1 per unit and period);
* subsystem obstacle degree ``U_is = sum_{j in s} O_ij``.

The tables are long (one row per unit, period and indicator or subsystem) with ranks, and
:meth:`ObstacleResult.top` lists the main obstacles of each unit and period as papers print them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from spatial.errors import SchemaError
from spatial.indices.composite import CompositeIndex

__all__ = ["ObstacleResult", "obstacle_degree"]


@dataclass(frozen=True)
class ObstacleResult:
    """Obstacle degrees per indicator (``indicators``) and per subsystem (``subsystems``).

    ``indicators`` columns: the keys, ``indicator``, ``subsystem``, ``contribution`` (F),
    ``deviation`` (I), ``obstacle`` (O) and ``rank`` (1 = largest obstacle of that unit and
    period); ``subsystems``: the keys, ``subsystem``, ``obstacle`` and ``rank``.
    """

    indicators: pd.DataFrame
    subsystems: pd.DataFrame
    options: dict[str, Any] = field(default_factory=dict)

    def top(self, k: int = 3) -> pd.DataFrame:
        """The ``k`` largest obstacles of each unit and period, one row each:
        ``obstacle_1`` .. ``obstacle_k`` (indicator names) and ``degree_1`` .. ``degree_k``.

        Raises
        ------
        SchemaError
            ``k`` below 1 or above the number of indicators.
        """
        n = self.indicators["indicator"].nunique()
        if not 1 <= int(k) <= n:
            raise SchemaError(f"k must be between 1 and the number of indicators ({n}), got {k}")
        keys = [c for c in self.options["keys"]]
        best = self.indicators[self.indicators["rank"] <= k].sort_values([*keys, "rank", "indicator"])
        best = best.assign(position=best.groupby(keys, sort=False).cumcount() + 1)
        best = best[best["position"] <= k]
        names = best.pivot(index=keys, columns="position", values="indicator")
        degrees = best.pivot(index=keys, columns="position", values="obstacle")
        names.columns = [f"obstacle_{p}" for p in names.columns]
        degrees.columns = [f"degree_{p}" for p in degrees.columns]
        return names.join(degrees).reset_index()


def obstacle_degree(index: CompositeIndex) -> ObstacleResult:
    """Obstacle degrees of every indicator and subsystem of a composite index.

    Parameters
    ----------
    index
        A result of :func:`~spatial.indices.composite_index` normalised by ``minmax`` (the
        deviation ``1 - x`` needs indicators on [0, 1]).

    Raises
    ------
    SchemaError
        An index normalised by z-scores (no best value of 1), or a unit and period that reaches
        the best value on every weighted indicator (no obstacle to share out), named.

    Examples
    --------
    >>> from spatial import datasets
    >>> from spatial.indices import composite_index
    >>> produc = datasets.load("us_produc")
    >>> system = {"gsp": "positive", "pcap": "positive", "unemp": "negative"}
    >>> result = obstacle_degree(composite_index(produc, system, id="fips", time="year"))
    >>> result.top(2).columns.tolist()
    ['fips', 'year', 'obstacle_1', 'obstacle_2', 'degree_1', 'degree_2']
    """
    if not isinstance(index, CompositeIndex):
        raise SchemaError(f"obstacle_degree needs a CompositeIndex (from composite_index), got {type(index).__name__}")
    options = index.options
    if options["normalize"] != "minmax":
        raise SchemaError(
            f"the obstacle degree needs indicators normalised to [0, 1] (normalize='minmax'); this index used "
            f"{options['normalize']!r}"
        )
    id_name, time_name = index.id_name, index.time_name
    keys = [id_name] + ([time_name] if time_name else [])
    weights = index.weights[index.weights["scope"] == index.name]
    indicators = weights["indicator"].drop_duplicates().tolist()
    normalized = index.normalized
    x = normalized[indicators].to_numpy(dtype=float) - float(options["shift"])
    deviation = np.clip(1.0 - x, 0.0, 1.0)
    if options["pooling"] == "pooled":
        w = np.broadcast_to(weights.set_index("indicator")["weight"].reindex(indicators).to_numpy(), x.shape)
    else:
        table = weights.pivot(index=time_name or "period", columns="indicator", values="weight")[indicators]
        w = table.reindex(normalized[time_name]).to_numpy()
    share = w * deviation
    total = share.sum(axis=1)
    none = total <= 0
    if none.any():
        cells = normalized.loc[none, keys].astype(str).agg(", ".join, axis=1).tolist()
        raise SchemaError(
            f"{int(none.sum())} units and periods reach the best value of every weighted indicator ({cells[:5]}): "
            "they have no obstacle to share out; leave them out"
        )
    obstacle = share / total[:, None]
    system = index.weights[index.weights["scope"] != index.name][["scope", "indicator"]].drop_duplicates()
    member = dict(zip(system["indicator"], system["scope"], strict=False))
    n, m = x.shape
    long = normalized[keys].loc[normalized.index.repeat(m)].reset_index(drop=True)
    long["indicator"] = np.tile(indicators, n)
    long["subsystem"] = [member.get(name, index.name) for name in long["indicator"]]
    long["contribution"] = w.reshape(-1)
    long["deviation"] = deviation.reshape(-1)
    long["obstacle"] = obstacle.reshape(-1)
    long["rank"] = long.groupby(keys, sort=False)["obstacle"].rank(ascending=False, method="min").astype("int64")
    by_subsystem = long.groupby([*keys, "subsystem"], sort=False)["obstacle"].sum().reset_index()
    by_subsystem["rank"] = (
        by_subsystem.groupby(keys, sort=False)["obstacle"].rank(ascending=False, method="min").astype("int64")
    )
    return ObstacleResult(long, by_subsystem, {"keys": keys, "index": index.name, "pooling": options["pooling"]})
