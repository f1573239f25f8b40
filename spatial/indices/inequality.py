"""Regional inequality and convergence: Theil, Dagum Gini, coefficient of variation, sigma
convergence and kernel densities across periods.

All functions compute per period and, given a grouping (a text column, or ``"china_region"``
for the built-in East / Central / West / Northeast grouping of Chinese provinces), decompose by
group.

* Theil T (``kind="T"``): ``T = sum s_i ln(s_i / pi_i)`` with value shares ``s_i`` and weight
  (e.g. population) shares ``pi_i`` (equal when no weight is given);
  ``T = sum_g S_g T_g`` (within) ``+ sum_g S_g ln(S_g / Pi_g)`` (between).
  Theil L (``kind="L"``, mean log deviation) swaps the roles: ``L = sum pi_i ln(pi_i / s_i)``.
* Dagum (1997) Gini: ``G = G_w + G_nb + G_t`` (within groups, net between groups,
  transvariation), with within-group Ginis ``G_jj``, between-group Ginis ``G_jh`` and the relative
  economic affluence ``D_jh`` of each pair (groups ordered by mean, richer first).
* Coefficient of variation ``sd / mean`` (weighted: Williamson's index), sigma convergence (the
  dispersion over time with its linear trend), Gaussian kernel densities per period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from spatial.choices import Dispersion, SingletonOption, TheilKind
from spatial._options import check_option
from spatial.errors import SchemaError, first_items
from spatial.hints import hint
from spatial.indices._common import LongTable, check_positive, long_table

if TYPE_CHECKING:
    from spatial.panel import SpatialPanel

__all__ = [
    "CHINA_REGION",
    "TheilResult",
    "theil",
    "DagumGini",
    "dagum_gini",
    "gini",
    "coefficient_of_variation",
    "SigmaConvergence",
    "sigma_convergence",
    "KernelDensity",
    "kernel_density",
]

CHINA_REGION = "china_region"


# ------------------------------------------------------------------------------------------ input


def _grouped(
    data, value: str, *, id, time, group: str | None, weight: str | None, singletons: str, what: str
) -> LongTable:
    """Long table with ``value``, optional ``weight`` and a text ``group`` column."""
    from spatial.indices._common import _is_panel

    builtin = group == CHINA_REGION
    text = [group] if group is not None and not builtin else []
    values = [value] + ([weight] if weight else [])
    table = long_table(data, id=id, time=time, values=values, text=text, what=what)
    frame = table.frame
    if builtin:
        geometry = data.geometry if _is_panel(data) else None
        if geometry is not None and "region" in geometry.columns and geometry["region"].notna().all():
            frame = frame.assign(group=frame["id"].map(geometry["region"]).astype(str).to_numpy())
        else:
            from spatial.indices.regions import china_region

            frame = frame.assign(group=china_region(frame["id"]).to_numpy())
    elif group is not None:
        frame = frame.rename(columns={group: "group"}).assign(group=lambda f: f["group"].astype(str).str.strip())
    if weight:
        frame = frame.rename(columns={weight: "weight"})
        check_positive(frame, "weight", allow_zero=False, why="weights (e.g. population) must be positive")
    if group is not None:
        counts = frame.groupby(["period", "group"]).size()
        lonely = counts[counts < 2]
        check_option("singletons", singletons, SingletonOption)
        if not lonely.empty and singletons == "error":
            listed = [f"{g} in {p}" if table.has_time else str(g) for p, g in lonely.index]
            raise SchemaError(
                f"{len(lonely)} groups have a single unit ({first_items(listed, 5)}): their within-group inequality "
                f"is 0 by construction; merge them into larger groups, or pass {hint('allow_singletons', 'allow')} "
                "to keep them"
            )
    return LongTable(frame, table.id_name, table.time_name)


def _periods(frame: pd.DataFrame):
    for period in pd.unique(frame["period"]):
        yield period, frame[frame["period"] == period]


def _parts(block: pd.DataFrame, grouped: bool):
    """``("all", block)`` and, with groups, ``(group, its rows)`` for each group in order."""
    yield "all", block
    if grouped:
        for g in pd.unique(block["group"]):
            yield g, block[block["group"] == g]


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, x * np.log(np.where(x > 0, y, 1.0)), 0.0)


# ------------------------------------------------------------------------------------------ Theil


@dataclass(frozen=True)
class TheilResult:
    """Theil index per period, and its decomposition by group when a grouping was given.

    ``summary``: period, ``theil``, and with groups ``between``, ``within``, ``between_share``,
    ``within_share``. ``groups``: period, group, ``n``, ``value_share``, ``weight_share``,
    ``theil`` (within the group), ``contribution`` (its part of ``within``) and
    ``contribution_share`` (of the total).
    """

    summary: pd.DataFrame
    groups: pd.DataFrame | None
    options: dict[str, Any] = field(default_factory=dict)


def _theil_parts(y: np.ndarray, w: np.ndarray, kind: str) -> tuple[np.ndarray, np.ndarray]:
    s = w * y / (w * y).sum()
    p = w / w.sum()
    return (s, p) if kind == "T" else (p, s)


def theil(
    data: pd.DataFrame | SpatialPanel,
    value: str,
    *,
    id: str | None = None,
    time: str | None = None,
    group: str | None = None,
    weight: str | None = None,
    kind: TheilKind = "T",
    singletons: SingletonOption = "error",
) -> TheilResult:
    """Theil index per period, decomposed into between- and within-group parts.

    Parameters
    ----------
    value
        The variable (a level such as GDP per capita; with ``weight``, the per-weight level).
    group
        A text column of groups, or ``"china_region"`` (East / Central / West / Northeast).
    weight
        Optional positive weights such as population; value shares become ``w y / sum w y``.
    kind
        ``"T"`` (Theil T, zero values allowed) or ``"L"`` (mean log deviation, values > 0).
    singletons
        ``"error"`` refuses a group with a single unit; ``"allow"`` keeps it (within part 0).

    Raises
    ------
    SchemaError
        Negative values (zero for Theil L), non-positive weights, a group of one unit, no
        positive total.
    MissingDataError
        Missing values, groups or weights (unit and period).

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"id": list("abcd"), "gdp": [1.0, 2.0, 3.0, 6.0], "zone": ["x", "x", "y", "y"]})
    >>> theil(data, "gdp", id="id", group="zone").summary.round(4)
        theil  between  within  between_share  within_share
    0  0.1874   0.1308  0.0566         0.6979        0.3021
    """
    check_option("kind", kind, TheilKind)
    table = _grouped(
        data, value, id=id, time=time, group=group, weight=weight, singletons=singletons, what="the Theil data"
    )
    frame = table.frame
    check_positive(
        frame,
        value,
        allow_zero=kind == "T",
        why="Theil takes logs of value shares" + ("" if kind == "T" else " (use kind='T' for zeros)"),
    )
    rows, group_rows = [], []
    for period, block in _periods(frame):
        y = block[value].to_numpy()
        w = block["weight"].to_numpy() if weight else np.ones(len(y))
        if not y.sum() > 0:
            raise SchemaError(f"all values of {value!r} are 0 in period {period}; the Theil index is undefined")
        a, b = _theil_parts(y, w, kind)  # T: (value shares, weight shares); L: swapped
        total = float(_xlogy(a, a / b).sum())
        row = {"period": period, "theil": total}
        if group is not None:
            labels = block["group"].to_numpy()
            between = within = 0.0
            for g in pd.unique(labels):
                mask = labels == g
                a_g, b_g = a[mask].sum(), b[mask].sum()
                inner = float(_xlogy(a[mask] / a_g, (a[mask] / a_g) / (b[mask] / b_g)).sum()) if a_g > 0 else 0.0
                between += float(_xlogy(np.array([a_g]), np.array([a_g / b_g]))[0])
                within += a_g * inner
                s_g, p_g = (a_g, b_g) if kind == "T" else (b_g, a_g)
                group_rows.append(
                    {
                        "period": period,
                        "group": g,
                        "n": int(mask.sum()),
                        "value_share": s_g,
                        "weight_share": p_g,
                        "theil": inner,
                        "contribution": a_g * inner,
                        "contribution_share": a_g * inner / total if total > 0 else np.nan,
                    }
                )
            row.update(
                between=between,
                within=within,
                between_share=between / total if total > 0 else np.nan,
                within_share=within / total if total > 0 else np.nan,
            )
        rows.append(row)
    options = {"value": value, "kind": kind, "group": group, "weight": weight, "singletons": singletons}
    groups = table.labelled(pd.DataFrame(group_rows)) if group is not None else None
    return TheilResult(table.labelled(pd.DataFrame(rows)), groups, options)


# ------------------------------------------------------------------------------------------ Gini


def _positive_gap_sums(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """``sum_{i,r} max(a_i - b_r, 0)`` and ``sum_{i,r} max(b_r - a_i, 0)`` in O((n + m) log m)."""
    b_sorted = np.sort(b)
    prefix = np.concatenate([[0.0], np.cumsum(b_sorted)])
    below = np.searchsorted(b_sorted, a, side="left")
    a_over_b = float((a * below - prefix[below]).sum())
    # sum over pairs of (a - b) = n_b sum(a) - n_a sum(b), so the other side follows
    b_over_a = a_over_b - (len(b) * a.sum() - len(a) * b.sum())
    return a_over_b, float(b_over_a)


def gini(values: Sequence[float] | np.ndarray) -> float:
    """The Gini coefficient ``sum_i sum_r |y_i - y_r| / (2 n^2 mean)``.

    Raises
    ------
    SchemaError
        For negative values or a zero mean.

    Examples
    --------
    >>> gini([1.0, 1.0, 1.0])
    0.0
    >>> round(gini([0.0, 0.0, 0.0, 1.0]), 4)
    0.75
    """
    y = np.asarray(values, dtype=float)
    if (y < 0).any() or not y.mean() > 0:
        raise SchemaError("the Gini coefficient needs non-negative values with a positive mean")
    over, under = _positive_gap_sums(y, y)
    return float((over + under) / (2 * len(y) ** 2 * y.mean()))


@dataclass(frozen=True)
class DagumGini:
    """Dagum (1997) Gini decomposition per period.

    ``summary``: period, ``gini``, ``within`` (G_w), ``between_net`` (G_nb), ``transvariation``
    (G_t) and their shares of the total. ``within_groups``: period, group, n, mean, ``gini``
    (G_jj). ``between_groups``: period, ``group_1`` (the richer), ``group_2``, ``gini`` (G_jh),
    ``affluence`` (D_jh), ``net`` and ``transvariation`` (the pair's contributions).
    """

    summary: pd.DataFrame
    within_groups: pd.DataFrame
    between_groups: pd.DataFrame
    options: dict[str, Any] = field(default_factory=dict)


def dagum_gini(
    data: pd.DataFrame | SpatialPanel,
    value: str,
    *,
    group: str,
    id: str | None = None,
    time: str | None = None,
    singletons: SingletonOption = "error",
) -> DagumGini:
    """Dagum Gini coefficient and its decomposition into within, net between and transvariation.

    Parameters
    ----------
    value
        A non-negative variable with a positive mean in every group.
    group
        A text column of groups, or ``"china_region"``.
    singletons
        ``"error"`` refuses a group with a single unit; ``"allow"`` keeps it (its G_jj is 0).

    Raises
    ------
    SchemaError
        Negative values, a group with mean 0, a group of one unit, fewer than 2 groups.
    MissingDataError
        Missing values or groups.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"id": list("abcdef"), "y": [1.0, 2.0, 3.0, 4.0, 8.0, 9.0],
    ...                      "zone": ["x", "x", "y", "y", "z", "z"]})
    >>> g = dagum_gini(data, "y", id="id", group="zone")
    >>> g.summary[["gini", "within", "between_net", "transvariation"]].round(4)
         gini  within  between_net  transvariation
    0  0.3642  0.0185       0.3457             0.0
    """
    table = _grouped(
        data, value, id=id, time=time, group=group, weight=None, singletons=singletons, what="the Gini data"
    )
    frame = table.frame
    check_positive(frame, value, allow_zero=True, why="the Gini coefficient needs non-negative values")
    rows, within_rows, between_rows = [], [], []
    for period, block in _periods(frame):
        y = block[value].to_numpy()
        labels = block["group"].to_numpy()
        names = list(pd.unique(labels))
        if len(names) < 2:
            raise SchemaError(f"period {period}: the Dagum decomposition needs at least 2 groups, found {names}")
        n, mu = len(y), y.mean()
        if not mu > 0:
            raise SchemaError(f"period {period}: the mean of {value!r} is 0; the Gini coefficient is undefined")
        members = {g: y[labels == g] for g in names}
        means = {g: v.mean() for g, v in members.items()}
        zero = [g for g, m in means.items() if not m > 0]
        if zero:
            raise SchemaError(f"period {period}: groups with mean 0 ({first_items(zero)}) have no Gini coefficient")
        order = sorted(names, key=lambda g: -means[g])  # richer first, as Dagum orders them
        p = {g: len(members[g]) / n for g in order}
        s = {g: len(members[g]) * means[g] / (n * mu) for g in order}
        g_w = 0.0
        for g in order:
            over, under = _positive_gap_sums(members[g], members[g])
            g_jj = (over + under) / (2 * means[g] * len(members[g]) ** 2)
            g_w += g_jj * p[g] * s[g]
            within_rows.append({"period": period, "group": g, "n": len(members[g]), "mean": means[g], "gini": g_jj})
        g_nb = g_t = 0.0
        for i, j in enumerate(order):
            for h in order[i + 1 :]:
                over, under = _positive_gap_sums(members[j], members[h])  # d_jh, p_jh (times n_j n_h)
                g_jh = (over + under) / (len(members[j]) * len(members[h]) * (means[j] + means[h]))
                affluence = (over - under) / (over + under) if over + under > 0 else 0.0
                weight = p[j] * s[h] + p[h] * s[j]
                net, trans = g_jh * weight * affluence, g_jh * weight * (1 - affluence)
                g_nb, g_t = g_nb + net, g_t + trans
                between_rows.append(
                    {
                        "period": period,
                        "group_1": j,
                        "group_2": h,
                        "gini": g_jh,
                        "affluence": affluence,
                        "net": net,
                        "transvariation": trans,
                    }
                )
        total = gini(y)
        rows.append(
            {
                "period": period,
                "gini": total,
                "within": g_w,
                "between_net": g_nb,
                "transvariation": g_t,
                "within_share": g_w / total if total > 0 else np.nan,
                "between_net_share": g_nb / total if total > 0 else np.nan,
                "transvariation_share": g_t / total if total > 0 else np.nan,
            }
        )
    options = {"value": value, "group": group, "singletons": singletons}
    return DagumGini(
        table.labelled(pd.DataFrame(rows)),
        table.labelled(pd.DataFrame(within_rows)),
        table.labelled(pd.DataFrame(between_rows)),
        options,
    )


# ------------------------------------------------------------------------------------------ CV, sigma


def _dispersion(y: np.ndarray, w: np.ndarray | None, ddof: int) -> tuple[float, float]:
    if w is None:
        return float(y.mean()), float(y.std(ddof=ddof)) if len(y) > ddof else np.nan
    mean = float((w * y).sum() / w.sum())
    return mean, float(np.sqrt((w * (y - mean) ** 2).sum() / w.sum()))


def coefficient_of_variation(
    data: pd.DataFrame | SpatialPanel,
    value: str,
    *,
    id: str | None = None,
    time: str | None = None,
    group: str | None = None,
    weight: str | None = None,
    ddof: int = 0,
    singletons: SingletonOption = "error",
) -> pd.DataFrame:
    """Coefficient of variation ``sd / mean`` per period, for all units and for each group.

    With ``weight`` (e.g. population) it is Williamson's weighted CV,
    ``sqrt(sum w (y - ybar_w)^2 / sum w) / ybar_w``; ``ddof`` applies to the unweighted sd
    (0: the units are the whole population of regions).

    Raises
    ------
    SchemaError
        A zero mean, ``ddof`` other than 0 with weights, a group of one unit.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"id": list("abcd"), "y": [1.0, 2.0, 3.0, 6.0]})
    >>> coefficient_of_variation(data, "y", id="id").round(4)
      group  n  mean      sd      cv
    0   all  4   3.0  1.8708  0.6236
    """
    if weight and ddof != 0:
        raise SchemaError("the weighted CV (Williamson) uses the population form; leave ddof=0 with weights")
    table = _grouped(
        data, value, id=id, time=time, group=group, weight=weight, singletons=singletons, what="the CV data"
    )
    rows = []
    for period, block in _periods(table.frame):
        for name, part in _parts(block, group is not None):
            y = part[value].to_numpy()
            mean, sd = _dispersion(y, part["weight"].to_numpy() if weight else None, ddof)
            if mean == 0:
                raise SchemaError(f"period {period}, group {name}: the mean of {value!r} is 0; the CV is undefined")
            rows.append({"period": period, "group": name, "n": len(y), "mean": mean, "sd": sd, "cv": sd / mean})
    return table.labelled(pd.DataFrame(rows))


@dataclass(frozen=True)
class SigmaConvergence:
    """Sigma convergence: ``series`` (period, group, sigma) and ``trend`` per group (slope of sigma
    on time, its p-value, and ``converging`` = slope < 0 at the 5% level)."""

    series: pd.DataFrame
    trend: pd.DataFrame
    options: dict[str, Any] = field(default_factory=dict)


def sigma_convergence(
    data: pd.DataFrame | SpatialPanel,
    value: str,
    *,
    id: str | None = None,
    time: str | None = None,
    group: str | None = None,
    statistic: Dispersion = "sd_log",
    ddof: int = 0,
    singletons: SingletonOption = "error",
) -> SigmaConvergence:
    """Dispersion across units per period (sd of ln y, or CV) and whether it falls over time.

    The trend is an OLS line of sigma on the period (numeric periods; otherwise their order,
    recorded in ``options["time_axis"]``).

    Raises
    ------
    SchemaError
        Non-positive values for ``sd_log``, fewer than 2 periods.

    Examples
    --------
    >>> from spatial import datasets
    >>> result = sigma_convergence(datasets.load("us_produc"), "gsp", id="fips", time="year")
    >>> result.trend[["group", "converging"]].to_dict("records")
    [{'group': 'all', 'converging': True}]
    """
    from scipy import stats

    check_option("statistic", statistic, Dispersion)
    table = _grouped(
        data, value, id=id, time=time, group=group, weight=None, singletons=singletons, what="the convergence data"
    )
    frame = table.frame
    if statistic == "sd_log":
        check_positive(
            frame, value, allow_zero=False, why="sigma convergence on logs needs positive values (use statistic='cv')"
        )
    rows = []
    for period, block in _periods(frame):
        for name, part in _parts(block, group is not None):
            y = part[value].to_numpy()
            if statistic == "sd_log":
                sigma = float(np.log(y).std(ddof=ddof))
            else:
                mean, sd = _dispersion(y, None, ddof)
                sigma = sd / mean
            rows.append({"period": period, "group": name, "sigma": sigma})
    series = pd.DataFrame(rows)
    periods = pd.unique(frame["period"])
    if len(periods) < 2:
        raise SchemaError("sigma convergence needs at least 2 periods")
    numeric = pd.api.types.is_numeric_dtype(pd.Series(periods))
    position = {p: (float(p) if numeric else float(i)) for i, p in enumerate(periods)}
    trend = []
    for name, part in series.groupby("group", sort=False):
        t = part["period"].map(position).to_numpy()
        fit = stats.linregress(t, part["sigma"].to_numpy()) if len(t) > 2 else None
        slope = fit.slope if fit else (part["sigma"].iloc[-1] - part["sigma"].iloc[0]) / (t[-1] - t[0])
        p_value = fit.pvalue if fit else np.nan
        trend.append(
            {
                "group": name,
                "first": part["sigma"].iloc[0],
                "last": part["sigma"].iloc[-1],
                "slope": slope,
                "p_value": p_value,
                "converging": bool(slope < 0 and p_value < 0.05),
            }
        )
    options = {
        "value": value,
        "statistic": statistic,
        "ddof": ddof,
        "group": group,
        "time_axis": "period" if numeric else "order",
    }
    return SigmaConvergence(table.labelled(series), pd.DataFrame(trend), options)


# ------------------------------------------------------------------------------------------ kernel densities


@dataclass(frozen=True)
class KernelDensity:
    """Gaussian kernel density of a variable per period on a common grid.

    ``curves``: period, x, density. ``bandwidths``: period, n, ``factor`` (scipy's bandwidth
    factor) and ``bandwidth`` (the kernel's standard deviation in units of the variable).
    """

    curves: pd.DataFrame
    bandwidths: pd.DataFrame
    options: dict[str, Any] = field(default_factory=dict)

    def plot(self, path, **kwargs):
        """Write the figure papers print (one curve per period) as PNG (300 dpi) and SVG.

        See :func:`spatial.indices.figures.plot_kernel_density`.
        """
        from spatial.indices.figures import plot_kernel_density

        return plot_kernel_density(self, path, **kwargs)


def kernel_density(
    data: pd.DataFrame | SpatialPanel,
    value: str,
    *,
    id: str | None = None,
    time: str | None = None,
    periods: Sequence | None = None,
    bandwidth: Literal["scott", "silverman"] | float = "scott",
    grid_size: int = 256,
) -> KernelDensity:
    """Gaussian kernel density estimates of ``value`` for each (chosen) period.

    Parameters
    ----------
    periods
        Periods to estimate (default: all).
    bandwidth
        ``"scott"`` or ``"silverman"`` rule (scipy), or a fixed bandwidth in units of the variable.
    grid_size
        Number of grid points; the grid spans every chosen period +- 3 bandwidths.

    Raises
    ------
    SchemaError
        Unknown periods, a period with fewer than 2 distinct values, a non-positive bandwidth.

    Examples
    --------
    >>> from spatial import datasets
    >>> kde = kernel_density(datasets.load("us_produc"), "unemp", id="fips", time="year", periods=[1970, 1986])
    >>> kde.bandwidths["period" if "period" in kde.bandwidths else "year"].tolist()
    [1970, 1986]
    """
    from scipy import stats

    if not (isinstance(bandwidth, str) or (np.isfinite(bandwidth) and bandwidth > 0)):
        raise SchemaError(f"bandwidth must be 'scott', 'silverman' or a positive number, got {bandwidth!r}")
    if isinstance(bandwidth, str):
        check_option("bandwidth", bandwidth, Literal["scott", "silverman"])
    if grid_size < 16:
        raise SchemaError(f"grid_size must be at least 16, got {grid_size}")
    table = long_table(data, id=id, time=time, values=[value], what="the density data")
    frame = table.frame
    available = list(pd.unique(frame["period"]))
    chosen = available if periods is None else list(periods)
    unknown = [p for p in chosen if p not in set(available)]
    if unknown:
        raise SchemaError(f"periods not in the data: {first_items(unknown)}; available: {first_items(available)}")
    fits, bands = [], []
    for period in chosen:
        y = frame.loc[frame["period"] == period, value].to_numpy()
        if len(np.unique(y)) < 2:
            raise SchemaError(f"period {period}: {value!r} needs at least 2 distinct values for a kernel density")
        sd = y.std(ddof=1)
        method = bandwidth if isinstance(bandwidth, str) else float(bandwidth) / sd
        kde = stats.gaussian_kde(y, bw_method=method)
        fits.append((period, kde, y))
        bands.append(
            {
                "period": period,
                "n": len(y),
                "factor": float(kde.factor),
                "bandwidth": float(np.sqrt(kde.covariance[0, 0])),
            }
        )
    widest = max(b["bandwidth"] for b in bands)
    low = min(y.min() for _, _, y in fits) - 3 * widest
    high = max(y.max() for _, _, y in fits) + 3 * widest
    grid = np.linspace(low, high, grid_size)
    curves = pd.concat(
        [pd.DataFrame({"period": period, "x": grid, "density": kde(grid)}) for period, kde, _ in fits],
        ignore_index=True,
    )
    options = {
        "value": value,
        "bandwidth": bandwidth,
        "grid_size": grid_size,
        "periods": chosen,
        "time": table.time_name,
    }
    return KernelDensity(table.labelled(curves), table.labelled(pd.DataFrame(bands)), options)
