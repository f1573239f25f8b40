"""Spatio-temporal class dynamics: classic, spatial (Rey 2001) and LISA Markov chains.

A variable is cut into ``k`` classes (quantiles of each period or of all periods pooled, or
fixed breaks); the transitions of every unit between consecutive periods are counted
(``T[i, j]``: from class i in t to class j in t+1) and row-normalised into the transition
probabilities ``P``. The spatial Markov chain conditions ``T`` and ``P`` on the class of the
unit's spatial lag in the starting period (Rey 2001), which shows whether rich or poor
neighbourhoods change a unit's chances of moving up or down. The LISA Markov chain counts moves
between the Moran scatterplot quadrants (1 HH, 2 LH, 3 LL, 4 HL).

Also: the steady state (the left eigenvector of ``P`` for eigenvalue 1), the mean first passage
times ``m_ij`` (``M = (I - Z + E Z_dg) D`` with ``Z = (I - P + 1 pi')^-1``, ``D = diag(1 / pi)``,
so the diagonal holds the mean recurrence times ``1 / pi_i``; Kemeny and Snell 1976), sojourn
times ``1 / (1 - p_ii)``, and the tests that the conditional matrices equal the pooled one: per
lag class the chi-square test of giddy's ``Spatial_Markov.chi2``, and overall the
Bickenbach-Bode (2003) ``Q`` (chi-square) and ``LR`` statistics with
``dof = sum_i (b_i - 1)(a_i - 1)`` (``b_i``: lag classes with transitions from class i;
``a_i``: non-zero cells of row i of the pooled matrix).

The numbers follow PySAL giddy's ``Markov``, ``Spatial_Markov`` and ``LISA_Markov`` (our tests
reproduce giddy's published test values); giddy itself is not a dependency (it pulls in numba).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from spatial.choices import MarkovPooling as Pooling
from spatial._options import check_option
from spatial.errors import IdMismatchError, SchemaError, first_items
from spatial.indices._common import IndicatorWarning, long_table

if TYPE_CHECKING:
    from spatial.panel import SpatialPanel

__all__ = [
    "MarkovResult",
    "SpatialMarkovResult",
    "markov_chain",
    "spatial_markov",
    "lisa_markov",
    "steady_state",
    "mean_first_passage",
]

QUADRANTS = {1: ("HH", "高-高"), 2: ("LH", "低-高"), 3: ("LL", "低-低"), 4: ("HL", "高-低")}


def steady_state(p: np.ndarray) -> np.ndarray:
    """The stationary distribution ``pi = pi P`` of an irreducible transition matrix.

    Examples
    --------
    >>> steady_state(np.array([[0.9, 0.1], [0.5, 0.5]])).round(4).tolist()
    [0.8333, 0.1667]
    """
    values, vectors = np.linalg.eig(np.asarray(p, dtype=float).T)
    i = int(np.argmin(np.abs(values - 1.0)))
    v = np.abs(vectors[:, i].real)
    return v / v.sum()


def _irreducible(p: np.ndarray) -> bool:
    from scipy.sparse.csgraph import connected_components

    n_components, _ = connected_components(p > 0, directed=True, connection="strong")
    return n_components == 1


def mean_first_passage(p: np.ndarray) -> np.ndarray:
    """Mean first passage times of an irreducible chain (diagonal: mean recurrence times 1 / pi).

    A reducible chain (some class cannot be reached from another) gets NaN.

    Examples
    --------
    >>> mean_first_passage(np.array([[0.9, 0.1], [0.5, 0.5]])).round(4).tolist()
    [[1.2, 10.0], [2.0, 6.0]]
    """
    p = np.asarray(p, dtype=float)
    k = len(p)
    if not _irreducible(p):
        return np.full((k, k), np.nan)
    pi = steady_state(p)
    z = np.linalg.inv(np.eye(k) - p + np.outer(np.ones(k), pi))
    return (np.eye(k) - z + np.ones((k, k)) @ np.diag(np.diag(z))) @ np.diag(1.0 / pi)


def _normalise(t: np.ndarray) -> np.ndarray:
    rows = t.sum(axis=-1, keepdims=True)
    return np.divide(t, rows, out=np.zeros_like(t, dtype=float), where=rows > 0)


def _chain(t: np.ndarray) -> dict[str, np.ndarray]:
    p = _normalise(t)
    ok = (t.sum(axis=1) > 0).all() and _irreducible(p)
    with np.errstate(divide="ignore"):
        sojourn = np.where(np.diag(p) < 1, 1.0 / (1.0 - np.diag(p)), np.inf)
    return {
        "p": p,
        "steady_state": steady_state(p) if ok else np.full(len(p), np.nan),
        "mfpt": mean_first_passage(p) if ok else np.full(p.shape, np.nan),
        "sojourn": sojourn,
    }


def chi2_test(t1: np.ndarray, t2: np.ndarray) -> tuple[float, float, int]:
    """Chi-square test that the transitions ``t1`` follow the probabilities of ``t2`` (giddy's ``chi2``)."""
    rs1, rs2 = t1.sum(axis=1), t2.sum(axis=1)
    dof = int(((rs1 > 0).sum() - 1) * ((rs2 > 0).sum() - 1))
    p = t2 / (rs2 + (rs2 == 0))[:, None]
    expected = rs1[:, None] * p
    value = float((((t1 - expected) ** 2) / (expected + (expected == 0))).sum())
    return value, float(stats.chi2.sf(value, dof)) if dof > 0 else np.nan, dof


def homogeneity(conditional: np.ndarray) -> dict[str, float]:
    """Bickenbach-Bode (2003) Q and LR tests that the conditional matrices equal the pooled one."""
    pooled = conditional.sum(axis=0)
    n_i = pooled.sum(axis=1)
    p = pooled / (n_i + (n_i == 0))[:, None]
    a_i = (pooled > 0).sum(axis=1)
    b_i = np.zeros(len(pooled))
    q = lr = 0.0
    for t in conditional:
        n_im = t.sum(axis=1)
        b_i += n_im > 0
        p_m = t / (n_im + (n_im == 0))[:, None]
        q += float((n_im[:, None] * (p_m - p) ** 2 / (p + (p == 0))).sum())
        mask = (t > 0) & (p > 0)
        lr += float((t * np.log(np.where(mask, p_m, 1.0) / np.where(mask, p, 1.0))).sum())
    dof = int(((b_i - 1) * (a_i - 1)).sum())
    lr *= 2.0
    sf = (lambda v: float(stats.chi2.sf(v, dof))) if dof > 0 else (lambda v: np.nan)
    return {"Q": q, "Q_pvalue": sf(q), "LR": lr, "LR_pvalue": sf(lr), "dof": dof}


def _matrix_table(p: np.ndarray, t: np.ndarray, labels: list[str]) -> pd.DataFrame:
    """One transition matrix as papers print it: ``t \\ t+1``, ``n`` (transitions from the class), probabilities."""
    out = pd.DataFrame(p, columns=labels)
    out.insert(0, "n", t.sum(axis=1).astype(int))
    out.insert(0, "t \\ t+1", labels)
    return out


@dataclass(frozen=True)
class MarkovResult:
    """A Markov chain of classes (or LISA quadrants).

    ``transitions`` (k x k counts), ``p``, ``steady_state``, ``mfpt``, ``sojourn``; ``states``:
    one row per unit and period with the value and its class; ``classes``: the class table
    (``class``, ``lower``, ``upper`` or the quadrant labels); ``options`` record the choices.
    """

    transitions: np.ndarray
    p: np.ndarray
    steady_state: np.ndarray
    mfpt: np.ndarray
    sojourn: np.ndarray
    states: pd.DataFrame
    classes: pd.DataFrame
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return [str(v) for v in self.classes["label"]]

    def table(self) -> pd.DataFrame:
        """The layout papers print: ``t \\ t+1``, ``n`` (transitions from the class), probabilities."""
        return _matrix_table(self.p, self.transitions, self.labels)

    def summary(self) -> pd.DataFrame:
        """Per class: steady state, sojourn time and the mean first passage times to each class."""
        out = pd.DataFrame({"class": self.labels, "steady_state": self.steady_state, "sojourn": self.sojourn})
        for j, label in enumerate(self.labels):
            out[f"mfpt_to_{label}"] = self.mfpt[:, j]
        return out

    def plot(self, path, *, lang: Literal["en", "zh"] = "en", title: str | None = None, overwrite: bool = False):
        """Heatmap of the transition probabilities, PNG (300 dpi) and SVG; returns the paths."""
        from spatial.indices.figures import plot_transition_heatmaps

        name = title or ("马尔可夫转移概率矩阵" if lang == "zh" else "Markov transition probabilities")
        return plot_transition_heatmaps([(None, self.p, self.transitions)], self.labels, path, title=name,
                                        lang=lang, overwrite=overwrite)


@dataclass(frozen=True)
class SpatialMarkovResult:
    """Spatial Markov chain (Rey 2001): ``markov`` (the pooled chain) and per lag class ``l``:
    ``T[l]``, ``P[l]``, ``S[l]`` (steady state), ``F[l]`` (mean first passage times); ``chi2``
    (per lag class: statistic, p-value, dof against the pooled matrix); ``homogeneity``
    (Bickenbach-Bode Q and LR); ``lag_classes``: the class table of the spatial lag.
    """

    markov: MarkovResult
    T: np.ndarray
    P: np.ndarray
    S: np.ndarray
    F: np.ndarray
    chi2: pd.DataFrame
    homogeneity: dict[str, float]
    lag_classes: pd.DataFrame
    dropped: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        """The layout papers print: one block per lag class (``lag``, ``t \\ t+1``, ``n``, probabilities)."""
        labels = self.markov.labels
        blocks = []
        for lag, label in enumerate(self.lag_classes["label"]):
            block = _matrix_table(self.P[lag], self.T[lag], labels)
            block.insert(0, "lag", str(label))
            blocks.append(block)
        pooled = self.markov.table()
        pooled.insert(0, "lag", "all")
        return pd.concat([pooled, *blocks], ignore_index=True)

    def tests(self) -> pd.DataFrame:
        """Q and LR homogeneity tests and the per-lag-class chi-square tests as one table."""
        h = self.homogeneity
        rows = [
            {"test": "Q (Bickenbach-Bode)", "statistic": h["Q"], "pvalue": h["Q_pvalue"], "dof": h["dof"]},
            {"test": "LR (Bickenbach-Bode)", "statistic": h["LR"], "pvalue": h["LR_pvalue"], "dof": h["dof"]},
        ]
        rows += [
            {"test": f"chi2 lag {label} vs pooled", "statistic": s, "pvalue": p, "dof": d}
            for label, s, p, d in self.chi2[["lag", "chi2", "pvalue", "dof"]].itertuples(index=False)
        ]
        return pd.DataFrame(rows)

    def plot(self, path, *, lang: Literal["en", "zh"] = "en", title: str | None = None, overwrite: bool = False):
        """Heatmaps of the pooled and each conditional matrix, PNG (300 dpi) and SVG; returns the paths."""
        from spatial.indices.figures import plot_transition_heatmaps

        lag = "邻域类型" if lang == "zh" else "lag class"
        panels = [("全部" if lang == "zh" else "all", self.markov.p, self.markov.transitions)]
        panels += [(f"{lag} {label}", self.P[i], self.T[i]) for i, label in enumerate(self.lag_classes["label"])]
        zh = "空间马尔可夫转移概率矩阵"
        name = title or (zh if lang == "zh" else "Spatial Markov transition probabilities")
        return plot_transition_heatmaps(panels, self.markov.labels, path, title=name, lang=lang,
                                        overwrite=overwrite)


def _wide(data, value, id, time) -> tuple[pd.DataFrame, Any]:
    table = long_table(data, id=id, time=time, values=[value], what="the Markov data")
    if not table.has_time:
        raise SchemaError("a Markov chain needs periods: give time= (the period column)")
    wide = table.frame.pivot(index="id", columns="period", values=value)
    wide = wide[sorted(wide.columns)]
    if wide.isna().any().any():
        gaps = wide.isna().stack()
        cells = [f"({i}, {p})" for (i, p), gap in gaps.items() if gap]
        raise SchemaError(
            f"a Markov chain needs every unit in every period; missing: {first_items(cells)}; balance the panel first"
        )
    if wide.shape[1] < 2:
        raise SchemaError(f"a Markov chain needs at least 2 periods, found {list(wide.columns)}")
    return wide, table


def _classify(y: np.ndarray, k: int, pooling: str, breaks, what: str, periods) -> tuple[np.ndarray, pd.DataFrame]:
    """Class codes 0..k-1 of ``y`` (units x periods) and the class table."""
    if breaks is not None:
        cut = np.asarray(breaks, dtype=float)
        if cut.ndim != 1 or cut.size < 1 or not np.all(np.diff(cut) > 0):
            raise SchemaError(
                f"breaks of {what} must be increasing numbers (the upper bounds of all but the last class)"
            )
        codes = np.searchsorted(cut, y, side="left")
        lower, upper = np.r_[-np.inf, cut], np.r_[cut, np.inf]
        return codes, _class_table(lower, upper)
    if int(k) < 2:
        raise SchemaError(f"k must be at least 2 classes, got {k}")
    q = np.minimum(np.arange(100.0 / k, 100.0 + 100.0 / k, 100.0 / k)[:k], 100.0)  # as mapclassify.Quantiles
    if pooling == "pooled":
        bins = np.percentile(y.reshape(-1), q)
        _check_bins(bins, k, what, "all periods pooled", y.size)
        codes = np.searchsorted(bins, y, side="left")
        return codes, _class_table(np.r_[-np.inf, bins[:-1]], bins)
    codes = np.empty(y.shape, dtype=np.int64)
    for t in range(y.shape[1]):
        bins = np.percentile(y[:, t], q)
        _check_bins(bins, k, what, f"period {periods[t]}", y.shape[0])
        codes[:, t] = np.searchsorted(bins, y[:, t], side="left")
    table = _class_table(np.full(k, np.nan), np.full(k, np.nan))
    table["label"] = [f"Q{i + 1}" for i in range(k)]
    return codes, table


def _check_bins(bins: np.ndarray, k: int, what: str, where: str, n: int) -> None:
    if n < k:
        raise SchemaError(
            f"{k} quantile classes of {what} need at least {k} units ({where} has {n}); use fewer classes (k)"
        )
    if len(np.unique(bins)) < k:
        raise SchemaError(
            f"{what} has too many tied values in {where} for {k} quantile classes "
            f"(bounds {np.round(bins, 6).tolist()}); "
            "use fewer classes or fixed breaks"
        )


def _class_table(lower: np.ndarray, upper: np.ndarray) -> pd.DataFrame:
    k = len(upper)
    labels = [f"{i + 1}" for i in range(k)]
    return pd.DataFrame({"class": np.arange(1, k + 1), "lower": lower, "upper": upper, "label": labels})


def _count(codes_from: np.ndarray, codes_to: np.ndarray, k: int) -> np.ndarray:
    return np.bincount((codes_from * k + codes_to).reshape(-1), minlength=k * k).reshape(k, k).astype(float)


def _states(wide: pd.DataFrame, table, value: str, codes: np.ndarray, labels: Sequence[str]) -> pd.DataFrame:
    states = pd.DataFrame(
        {
            "id": np.repeat(wide.index.to_numpy(), wide.shape[1]),
            "period": np.tile(wide.columns.to_numpy(), wide.shape[0]),
            value: wide.to_numpy().reshape(-1),
            "class": codes.reshape(-1) + 1,
        }
    )
    states["label"] = np.asarray(labels, dtype=object)[codes.reshape(-1)]
    return table.labelled(states)


def _result(t: np.ndarray, states, classes, options) -> MarkovResult:
    chain = _chain(t)
    return MarkovResult(t, chain["p"], chain["steady_state"], chain["mfpt"], chain["sojourn"], states, classes, options)


def markov_chain(
    data: pd.DataFrame | SpatialPanel,
    value: str,
    *,
    id: str | None = None,
    time: str | None = None,
    k: int = 5,
    pooling: Pooling = "per_period",
    breaks: Sequence[float] | None = None,
) -> MarkovResult:
    """Classic Markov chain of the classes of ``value``.

    Parameters
    ----------
    k
        Number of quantile classes.
    pooling
        Quantiles of each period (``per_period``, relative position) or of all periods pooled.
    breaks
        Fixed upper bounds of the first k - 1 classes instead of quantiles (a value equal to a
        bound falls in the lower class).

    Raises
    ------
    SchemaError
        No periods or fewer than 2, an unbalanced panel (missing cells named), fewer units than
        classes or too many ties for the quantiles, breaks not increasing.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"id": list("abcd") * 2, "t": [1] * 4 + [2] * 4, "y": [1, 2, 3, 4, 2, 1, 3, 4]})
    >>> markov_chain(d, "y", id="id", time="t", k=2).transitions.tolist()
    [[2.0, 0.0], [0.0, 2.0]]
    """
    check_option("pooling", pooling, Pooling)
    wide, table = _wide(data, value, id, time)
    y = wide.to_numpy(dtype=float)
    codes, classes = _classify(y, k, pooling, breaks, repr(value), list(wide.columns))
    kk = len(classes)
    t = _count(codes[:, :-1], codes[:, 1:], kk)
    options = {"value": value, "k": kk, "pooling": pooling if breaks is None else "breaks", "id": table.id_name,
               "time": table.time_name, "n_units": wide.shape[0], "n_periods": wide.shape[1]}
    return _result(t, _states(wide, table, value, codes, classes["label"]), classes, options)


def _lag_matrix(weights, ids: pd.Index):
    """Row-standardised sparse weights ordered like ``ids``; islands (no neighbours) listed."""
    from libpysal.graph import Graph
    from libpysal.weights import W

    if isinstance(weights, W):
        weights = Graph.from_W(weights)
    if not isinstance(weights, Graph):
        raise SchemaError(
            f"weights must be a libpysal Graph (or W) keyed by the unit ids, got {type(weights).__name__}"
        )
    graph = weights
    graph_ids = pd.Index([str(i) for i in graph.unique_ids])
    data_ids = pd.Index([str(i) for i in ids])
    if set(graph_ids) != set(data_ids):
        raise IdMismatchError(
            "the ids of the weights and of the data differ: only in the data "
            f"{first_items(sorted(set(data_ids) - set(graph_ids)))}, only in the weights "
            f"{first_items(sorted(set(graph_ids) - set(data_ids)))}"
        )
    matrix = graph.transform("R").sparse.tocsr()
    order = graph_ids.get_indexer(data_ids)
    matrix = matrix[order][:, order]
    islands = data_ids[np.asarray(matrix.sum(axis=1)).ravel() == 0]
    return matrix, [str(i) for i in islands]


def spatial_markov(
    data: pd.DataFrame | SpatialPanel,
    value: str,
    weights,
    *,
    id: str | None = None,
    time: str | None = None,
    k: int = 5,
    m: int | None = None,
    pooling: Pooling = "pooled",
    breaks: Sequence[float] | None = None,
    lag_breaks: Sequence[float] | None = None,
) -> SpatialMarkovResult:
    """Spatial Markov chain (Rey 2001): transitions of ``value``'s classes by the class of its spatial lag.

    The lag is ``W y`` with row-standardised ``weights`` (a libpysal ``Graph`` or ``W`` keyed by
    the unit ids), classed like ``value`` (``m`` quantile classes, default ``k``, or
    ``lag_breaks``) in the starting period of each transition. Units without neighbours
    (islands) have no lag: their transitions are left out of the conditional matrices and listed
    in ``dropped``.

    Raises
    ------
    SchemaError
        As :func:`markov_chain`; also for the lag.
    IdMismatchError
        Ids of the weights and of the data differ (both differences named).

    Examples
    --------
    >>> from libpysal.graph import Graph
    >>> import pandas as pd
    >>> d = pd.DataFrame({"id": list("abcd") * 2, "t": [1] * 4 + [2] * 4, "y": [1, 2, 3, 4, 2, 1, 3, 4]})
    >>> line = Graph.from_arrays(list("abbccd"), list("bacbdc"), [1.0] * 6)
    >>> float(spatial_markov(d, "y", line, id="id", time="t", k=2).T.sum())
    4.0
    """
    check_option("pooling", pooling, Pooling)
    wide, table = _wide(data, value, id, time)
    y = wide.to_numpy(dtype=float)
    matrix, islands = _lag_matrix(weights, wide.index)
    lag = matrix @ y
    periods = list(wide.columns)
    codes, classes = _classify(y, k, pooling, breaks, repr(value), periods)
    keep = ~wide.index.isin(islands)
    if keep.sum() == 0:
        raise SchemaError("no unit has neighbours in the weights: the spatial lag is undefined")
    lag_codes, lag_classes = _classify(lag[keep], m or k, pooling, lag_breaks, f"the spatial lag of {value!r}", periods)
    if islands:
        warnings.warn(
            f"{len(islands)} units without neighbours ({first_items(islands)}) have no spatial lag: their transitions "
            "count in the pooled chain only",
            IndicatorWarning,
            stacklevel=2,
        )
    kk, mm = len(classes), len(lag_classes)
    t_all = _count(codes[:, :-1], codes[:, 1:], kk)
    cond = np.zeros((mm, kk, kk))
    start, end, where = codes[keep][:, :-1], codes[keep][:, 1:], lag_codes[:, :-1]
    for lag_class in range(mm):
        hit = where == lag_class
        cond[lag_class] = _count(start[hit], end[hit], kk)
    chains = [_chain(t) for t in cond]
    pooled_cond = cond.sum(axis=0)
    chi = [chi2_test(t, pooled_cond) for t in cond]
    options = {"value": value, "k": kk, "m": mm, "pooling": pooling if breaks is None else "breaks",
               "id": table.id_name, "time": table.time_name, "n_units": wide.shape[0], "n_periods": wide.shape[1],
               "weights": "row-standardised"}
    markov = _result(t_all, _states(wide, table, value, codes, classes["label"]), classes, options)
    lag_classes = lag_classes.assign(label=[f"L{i}" for i in lag_classes["label"]])
    chi2 = pd.DataFrame(chi, columns=["chi2", "pvalue", "dof"]).assign(lag=lag_classes["label"].to_numpy())
    return SpatialMarkovResult(
        markov,
        cond,
        np.array([c["p"] for c in chains]),
        np.array([c["steady_state"] for c in chains]),
        np.array([c["mfpt"] for c in chains]),
        chi2[["lag", "chi2", "pvalue", "dof"]],
        homogeneity(cond),
        lag_classes,
        tuple(islands),
        options,
    )


def lisa_markov(
    data: pd.DataFrame | SpatialPanel,
    value: str,
    weights,
    *,
    id: str | None = None,
    time: str | None = None,
) -> MarkovResult:
    """Markov chain of the Moran scatterplot quadrants (1 HH, 2 LH, 3 LL, 4 HL) of ``value``.

    Each period's value is centred on its mean and its spatial lag taken with row-standardised
    weights, as in giddy's ``LISA_Markov`` (no significance filter).

    Raises
    ------
    SchemaError, IdMismatchError
        As :func:`spatial_markov`; and units without neighbours (they have no quadrant).
    """
    wide, table = _wide(data, value, id, time)
    y = wide.to_numpy(dtype=float)
    matrix, islands = _lag_matrix(weights, wide.index)
    if islands:
        raise SchemaError(
            f"units without neighbours have no LISA quadrant: {first_items(islands)}; drop them or use weights that "
            "connect them"
        )
    z = y - y.mean(axis=0)
    lag = matrix @ z
    high, high_lag = z > 0, lag > 0
    codes = np.select([high & high_lag, ~high & high_lag, ~high & ~high_lag], [0, 1, 2], default=3)
    classes = pd.DataFrame(
        {"class": [1, 2, 3, 4], "label": [QUADRANTS[i][0] for i in range(1, 5)],
         "label_zh": [QUADRANTS[i][1] for i in range(1, 5)]}
    )
    t = _count(codes[:, :-1], codes[:, 1:], 4)
    options = {"value": value, "k": 4, "states": "LISA quadrants", "id": table.id_name, "time": table.time_name,
               "n_units": wide.shape[0], "n_periods": wide.shape[1], "weights": "row-standardised"}
    return _result(t, _states(wide, table, value, codes, classes["label"]), classes, options)
