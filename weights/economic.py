"""Economic weights: economic distance, nested economic-geographic weights and mixtures.

* economic distance: ``w_ij = 1 / |Ybar_i - Ybar_j|`` (i != j), Ybar_i the mean of a variable
  (per-capita GDP is usual) over the chosen periods;
* nested: ``W_e = W_d diag(Ybar_1 / Ybar, ..., Ybar_n / Ybar)``, W_d a distance matrix, Ybar the
  mean over all units and chosen periods: the weight of neighbour j grows with j's economic size;
* mixed: ``phi W_1 + (1 - phi) W_2``, e.g. geographic and economic weights.

Values come as a Series of unit means (indexed by id), a wide table (units x periods, as
``SpatialPanel.wide(variable)`` returns) or a long table (``id``, ``time`` and ``variable``
columns). Missing values in the chosen periods are an error, never skipped.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from weights.choices import TieOption
from weights._checks import MAX_LINKS, check_option, first_items, match_ids, unit_ids
from weights._graph import graph_from_pairs, graph_from_sparse, graph_ids, matrix_of, reorder
from weights.errors import WeightsError

__all__ = ["TieOption", "period_means", "economic_distance", "nested", "mixed", "tied_pairs"]


_TIE_SCALE = 1e-12  # differences below this share of the values' spread are ties (rounding noise)


def _values_table(values, *, id, time, variable) -> pd.DataFrame:
    """Units x periods table of the values (a Series becomes one column)."""
    if isinstance(values, pd.Series):
        frame = values.to_frame(name=values.name if values.name is not None else "value")
        frame.index = unit_ids(values, None)
        return frame
    if not isinstance(values, pd.DataFrame):
        raise WeightsError(f"values must be a pandas Series or DataFrame, got {type(values).__name__}")
    if variable is None:  # wide: ids in the index (or the id column), one column per period
        frame = values.set_index(id) if id is not None else values
        frame = frame.copy()
        frame.index = unit_ids(values, id)
        return frame
    missing = [c for c in (id, time, variable) if c is not None and c not in values.columns]
    if missing or id is None:
        raise WeightsError(
            f"a long values table needs id, variable (and time) columns; missing {missing or ['id']}; "
            f"available: {first_items(list(values.columns), 15)}"
        )
    if time is None:
        return _values_table(values.set_index(id)[variable].rename(variable), id=None, time=None, variable=None)
    keys = values[[id, time]].astype(str)
    repeated = keys.duplicated(keep=False)
    if repeated.any():
        shown = [f"{a}/{b}" for a, b in keys[repeated].drop_duplicates().itertuples(index=False)]
        raise WeightsError(f"{int(repeated.sum())} rows repeat a (unit, period) pair ({first_items(shown)})")
    table = values.pivot(index=id, columns=time, values=variable)
    table.index = unit_ids(table, None)
    return table


def _select_periods(table: pd.DataFrame, periods) -> pd.DataFrame:
    if periods is None:
        return table
    if isinstance(periods, slice):
        try:
            chosen = table.loc[:, periods]
        except (TypeError, KeyError):
            raise WeightsError(
                f"periods {periods.start!r}..{periods.stop!r} do not match the period labels "
                f"({first_items(list(table.columns))})"
            ) from None
    else:
        wanted = list(periods)
        absent = [p for p in wanted if p not in table.columns]
        if absent:
            raise WeightsError(
                f"periods {first_items(absent)} are not in the values; available: {first_items(list(table.columns))}"
            )
        chosen = table.loc[:, wanted]
    if chosen.shape[1] == 0:
        raise WeightsError(f"no period selected by {periods!r}; available: {first_items(list(table.columns))}")
    return chosen


def _numeric(table: pd.DataFrame) -> pd.DataFrame:
    numbers = table.apply(pd.to_numeric, errors="coerce").astype("float64")
    bad = ~np.isfinite(numbers.to_numpy())
    if bad.any():
        rows, cols = np.nonzero(bad)
        shown = [f"{table.index[r]}/{table.columns[c]}={table.iat[r, c]!r}" for r, c in zip(rows, cols, strict=True)]
        raise WeightsError(
            f"{int(bad.sum())} missing or non-numeric values in the chosen periods ({first_items(shown, 5)}); "
            "economic weights need a value for every unit and period: fill them or choose other periods"
        )
    return numbers


def period_means(
    values,
    *,
    id: str | None = None,
    time: str | None = None,
    variable: str | None = None,
    periods: Sequence | slice | None = None,
) -> pd.Series:
    """The mean of each unit over the chosen periods (indexed by id, as text).

    Parameters
    ----------
    values
        A Series (one value per unit), a wide table (units x periods; ids in the index or the
        ``id`` column) or a long table with ``id``, ``time`` and ``variable`` columns.
    periods
        The periods to average: a list of labels, a slice of labels (inclusive), or all.

    Raises
    ------
    WeightsError
        For missing or non-numeric values in the chosen periods (listed), unknown periods,
        repeated ids or (unit, period) rows.

    Examples
    --------
    >>> wide = pd.DataFrame({2010: [1.0, 3.0], 2011: [2.0, 5.0]}, index=["a", "b"])
    >>> period_means(wide).tolist()
    [1.5, 4.0]
    >>> period_means(wide, periods=[2011]).tolist()
    [2.0, 5.0]
    """
    table = _numeric(_select_periods(_values_table(values, id=id, time=time, variable=variable), periods))
    return pd.Series(table.mean(axis=1).to_numpy(), index=table.index, name=variable or "mean")


def _overall_mean(values, *, id, time, variable, periods) -> float:
    table = _numeric(_select_periods(_values_table(values, id=id, time=time, variable=variable), periods))
    return float(table.to_numpy().mean())


def tied_pairs(means: pd.Series) -> list[tuple[str, str]]:
    """Pairs of units whose means are equal (up to rounding noise): economic distance is zero."""
    values = means.to_numpy(dtype="float64")
    spread = float(np.ptp(values)) if values.size else 0.0
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    ids = means.index
    pairs = []
    start = 0
    for k in range(1, len(values) + 1):
        if k == len(values) or sorted_values[k] - sorted_values[start] > _TIE_SCALE * spread:
            group = sorted(str(ids[i]) for i in order[start:k])
            pairs += [(a, b) for x, a in enumerate(group) for b in group[x + 1:]]
            start = k
    return pairs


def economic_distance(
    values,
    *,
    id: str | None = None,
    time: str | None = None,
    variable: str | None = None,
    periods: Sequence | slice | None = None,
    ties: TieOption = "error",
    max_links: int = MAX_LINKS,
):
    """Economic-distance weights ``w_ij = 1 / |Ybar_i - Ybar_j|`` between every pair of units.

    Parameters
    ----------
    values, id, time, variable, periods
        The variable and the periods to average (see :func:`period_means`).
    ties
        Units with equal means have an infinite weight: ``"error"`` refuses (listing the pairs);
        ``"drop"`` leaves those pairs unlinked.
    max_links
        Refuse more than this many links (the matrix is dense: n(n-1) links).

    Returns
    -------
    libpysal.graph.Graph
        Keyed by id in the order of the values; weights in 1 / (the variable's unit).

    Raises
    ------
    WeightsError
        Equal means (with ``ties="error"``), all values equal, missing values, too many units.

    Examples
    --------
    >>> gdp = pd.Series([10.0, 12.0, 16.0], index=["a", "b", "c"])
    >>> w = economic_distance(gdp)
    >>> [float(w.adjacency[p]) for p in [("a", "b"), ("a", "c"), ("b", "c")]]
    [0.5, 0.16666666666666666, 0.25]
    """
    check_option("ties", ties, TieOption)
    means = period_means(values, id=id, time=time, variable=variable, periods=periods)
    n = len(means)
    if n * (n - 1) > max_links:
        raise WeightsError(
            f"economic distance links all {n} units ({n * (n - 1):,} links, more than max_links={max_links:,}); "
            "nest it in a sparse distance matrix instead (nested)"
        )
    tied = tied_pairs(means)
    if tied and len(tied) == n * (n - 1) // 2:
        raise WeightsError(
            f"all {n} units have the same mean of {means.name!r} ({means.iloc[0]:g}); economic distance is undefined"
        )
    if tied and ties == "error":
        shown = [f"{a}={b}" for a, b in tied]
        raise WeightsError(
            f"{len(tied)} pairs of units have equal means of {means.name!r} ({first_items(shown, 5)}), so their "
            "economic distance is 0 and the weight infinite; use other periods, or pass ties='drop' to leave "
            "those pairs unlinked (recorded)"
        )
    values_ = means.to_numpy()
    rows, cols = np.nonzero(~np.eye(n, dtype=bool))
    gap = np.abs(values_[rows] - values_[cols])
    if tied:
        position = {u: i for i, u in enumerate(means.index)}
        tied_mask = np.zeros((n, n), dtype=bool)
        for a, b in tied:
            tied_mask[position[a], position[b]] = tied_mask[position[b], position[a]] = True
        keep = ~tied_mask[rows, cols]
        rows, cols, gap = rows[keep], cols[keep], gap[keep]
    return graph_from_pairs(rows, cols, 1.0 / gap, list(means.index))


def nested(
    distance,
    values,
    *,
    id: str | None = None,
    time: str | None = None,
    variable: str | None = None,
    periods: Sequence | slice | None = None,
):
    """Nested economic-geographic weights ``W_d diag(Ybar_1 / Ybar, ..., Ybar_n / Ybar)``.

    Column j of the distance weights ``distance`` is scaled by unit j's mean over the chosen
    periods relative to the mean over all units and periods. Row-standardise the result if the
    model needs it.

    Raises
    ------
    WeightsError
        When the values' ids differ from the graph's (both differences listed), for missing
        values, or for non-positive means (the weights would be negative or vanish).

    Examples
    --------
    >>> from weights._graph import graph_from_sparse
    >>> wd = graph_from_sparse(np.array([[0, 1.0, 0.5], [1.0, 0, 0.25], [0.5, 0.25, 0]]), ["a", "b", "c"])
    >>> w = nested(wd, pd.Series([1.0, 2.0, 3.0], index=["a", "b", "c"]))
    >>> w.sparse.toarray().round(4).tolist()     # column j times Ybar_j / 2
    [[0.0, 1.0, 0.75], [0.5, 0.0, 0.375], [0.25, 0.25, 0.0]]
    """
    ids = graph_ids(distance)
    means = period_means(values, id=id, time=time, variable=variable, periods=periods)
    match_ids(list(means.index), ids, what="the values")
    means = means.reindex(ids)
    overall = _overall_mean(values, id=id, time=time, variable=variable, periods=periods)
    bad = means[means <= 0]
    if len(bad) or overall <= 0:
        shown = [f"{u}={v:g}" for u, v in bad.items()]
        raise WeightsError(
            f"nested weights need positive values (e.g. GDP per capita); {len(bad)} units have a mean <= 0 "
            f"({first_items(shown)})"
        )
    scale = sparse.diags_array(means.to_numpy() / overall)
    return graph_from_sparse(matrix_of(distance) @ scale, ids)


def mixed(first, second, *, phi: float):
    """``phi * first + (1 - phi) * second`` on the union of their links.

    The second graph is aligned to the first by id. Both are used as given: row-standardise
    them first if each should weigh equally per unit.

    Raises
    ------
    WeightsError
        For phi outside [0, 1] or graphs with different ids.

    Examples
    --------
    >>> from weights._graph import graph_from_sparse
    >>> a = graph_from_sparse(np.array([[0, 1.0], [1.0, 0]]), ["x", "y"])
    >>> b = graph_from_sparse(np.array([[0, 0.0], [3.0, 0]]), ["y", "x"])
    >>> mixed(a, b, phi=0.25).sparse.toarray().tolist()
    [[0.0, 2.5], [0.25, 0.0]]
    """
    if not (np.isfinite(phi) and 0.0 <= phi <= 1.0):
        raise WeightsError(f"phi={phi!r} must lie in [0, 1]")
    ids = graph_ids(first)
    second = reorder(second, ids, what="the second weights")
    combined = phi * matrix_of(first) + (1.0 - phi) * matrix_of(second)
    return graph_from_sparse(combined, ids)
