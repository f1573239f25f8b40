"""The geographical detector (Wang et al. 2010, 2016): factor, interaction, risk and ecological detectors.

For a response ``y`` stratified by a factor into strata ``h = 1..L`` (sizes ``N_h``):

* factor detector: ``q = 1 - SSW / SST`` in [0, 1] (``SSW = sum_h N_h var_h``,
  ``SST = N var``); its test statistic ``F = (N - L) / (L - 1) * q / (1 - q)`` follows a
  noncentral F(L - 1, N - L) with noncentrality
  ``lambda = (sum_h ybar_h^2 - (sum_h sqrt(N_h) ybar_h)^2 / N) / sigma^2`` where ``sigma^2`` is
  the population variance ``SST / N`` (Wang, Zhang & Fu 2016, Ecological Indicators 67: 250-256;
  as R gdverse. The CRAN package *geodetector* divides by the sample variance instead, which
  changes the p-value slightly, never q);
* interaction detector: ``q`` of the overlay of two factors' strata compared with each factor's
  ``q``: weaken nonlinear, weaken uni-, enhance bi-, independent, enhance nonlinear;
* risk detector: the mean of ``y`` per stratum and Welch t-tests between every two strata;
* ecological detector: ``F = N_1 (N_2 - 1) SSW_1 / (N_2 (N_1 - 1) SSW_2)`` with
  (N_1 - 1, N_2 - 1) degrees of freedom, upper tail (Wang et al. 2010; as gdverse).

Numeric factors are discretised (``quantile``, ``natural_breaks`` = Fisher-Jenks, or
``equal_interval``, all by mapclassify) unless listed in ``categorical``, or text, or with no more
distinct values than classes; the choice per factor is recorded in the factor table.

A stratum with a single observation has no within variance. ``singletons="keep"`` counts it
with variance 0 (as the GeoDetector software and the CRAN package do), ``"drop"`` removes its
observation for that factor (as gdverse), ``"error"`` refuses; the count is reported either way.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from spatial._options import check_option
from spatial.choices import DiscretizeOption, SingletonStrata
from spatial.errors import SchemaError, first_items
from spatial.hints import hint
from spatial.indices._common import _numbers, long_table

if TYPE_CHECKING:
    from spatial.panel import SpatialPanel

__all__ = ["GeoDetectorResult", "geodetector", "factor_q", "DiscretizeOption", "INTERACTIONS"]


# code -> (English, Chinese)
INTERACTIONS = {
    "weaken_nonlinear": ("Weaken, nonlinear", "非线性减弱"),
    "weaken_uni": ("Weaken, uni-", "单因子非线性减弱"),
    "enhance_bi": ("Enhance, bi-", "双因子增强"),
    "independent": ("Independent", "独立"),
    "enhance_nonlinear": ("Enhance, nonlinear", "非线性增强"),
}


@dataclass(frozen=True)
class _Stratified:
    q: float
    f: float
    p_value: float
    n: int
    n_strata: int
    singletons: int
    ssw: float
    noncentrality: float


def factor_q(
    y: Sequence[float] | np.ndarray,
    strata: Sequence | np.ndarray,
    *,
    singletons: SingletonStrata = "keep",
    what: str = "factor",
) -> dict[str, float]:
    """The q statistic of ``y`` stratified by ``strata``, its F statistic and p-value.

    Raises
    ------
    SchemaError
        A constant ``y``, a single stratum, or (with ``singletons="error"``) a stratum of one.

    Examples
    --------
    >>> r = factor_q([1, 2, 3, 4, 5, 6, 7], ["x", "y", "y", "y", "z", "z", "z"], singletons="drop")
    >>> round(r["q"], 5), round(r["p_value"], 5)
    (0.77143, 0.07936)
    """
    s = _stratify(np.asarray(y, dtype=float), np.asarray(strata).astype(str), singletons, what)
    return {
        "q": s.q,
        "F": s.f,
        "p_value": s.p_value,
        "n": s.n,
        "n_strata": s.n_strata,
        "singleton_strata": s.singletons,
        "noncentrality": s.noncentrality,
    }


def _stratify(y: np.ndarray, strata: np.ndarray, singletons: str, what: str) -> _Stratified:
    from scipy import stats

    labels, codes, counts = np.unique(strata, return_inverse=True, return_counts=True)
    lonely = counts == 1
    if lonely.any() and singletons == "error":
        raise SchemaError(
            f"{what}: {int(lonely.sum())} strata hold a single observation ({first_items(labels[lonely].tolist(), 5)});"
            f" use fewer classes, or {hint('index.singletons', 'keep')} (variance 0, as GeoDetector) or "
            f"{hint('index.singletons', 'drop')} (as gdverse)"
        )
    n_single = int(lonely.sum())
    if lonely.any() and singletons == "drop":
        keep = ~lonely[codes]
        y, strata = y[keep], strata[keep]
        labels, codes, counts = np.unique(strata, return_inverse=True, return_counts=True)
    n, n_strata = len(y), len(labels)
    if n_strata < 2:
        raise SchemaError(f"{what}: only {n_strata} stratum left; the q statistic needs at least 2 strata")
    sst = float(((y - y.mean()) ** 2).sum())
    if not sst > 0:
        raise SchemaError(f"{what}: the response is constant; there is no variance to explain")
    sums = np.bincount(codes, weights=y)
    means = sums / counts
    ssw = float(((y - means[codes]) ** 2).sum())
    q = min(max(1.0 - ssw / sst, 0.0), 1.0)
    noncentrality = (float((means**2).sum()) - float((np.sqrt(counts) * means).sum()) ** 2 / n) / (sst / n)
    df1, df2 = n_strata - 1, n - n_strata
    if df2 <= 0:
        f_stat, p_value = np.nan, np.nan
    elif q >= 1.0:
        f_stat, p_value = np.inf, 0.0
    else:
        f_stat = df2 / df1 * q / (1.0 - q)
        p_value = float(stats.ncf.sf(f_stat, df1, df2, max(noncentrality, 0.0)))
    return _Stratified(q, f_stat, p_value, n, n_strata, n_single, ssw, noncentrality)


@dataclass(frozen=True)
class GeoDetectorResult:
    """Results of the four detectors, with every discretisation recorded.

    Attributes
    ----------
    factor
        One row per factor: q, F, p_value, significant, n, n_strata, singleton_strata,
        strata_from (how the strata were formed), breaks (upper class bounds).
    interaction
        One row per pair: q_1, q_2, q_12, interaction (code), label_en, label_zh.
    risk_means
        Mean of y per factor and stratum (n, mean, and the class bounds of discretised factors).
    risk
        Welch t-tests between every two strata of each factor: t, df, p_value, significant.
    ecological
        One row per pair: F, df_1, df_2, p_value, significant (the two factors' effects differ).
    strata
        The stratum of every observation for every factor (keys, y and one column per factor).
    options
        y, factors, discretize, k, categorical, singletons, alpha, period.
    """

    factor: pd.DataFrame
    interaction: pd.DataFrame
    risk_means: pd.DataFrame
    risk: pd.DataFrame
    ecological: pd.DataFrame
    strata: pd.DataFrame
    options: dict[str, Any] = field(default_factory=dict)


def _discretize(x: np.ndarray, method: str, k: int) -> tuple[np.ndarray, np.ndarray]:
    import mapclassify

    classifier = {
        "quantile": mapclassify.Quantiles,
        "natural_breaks": mapclassify.FisherJenks,
        "equal_interval": mapclassify.EqualInterval,
    }[method]
    with warnings.catch_warnings():
        # Fisher-Jenks runs in pure Python without numba (deliberately not a dependency): O(k n^2)
        warnings.filterwarnings("ignore", message="Numba not installed", category=UserWarning)
        fitted = classifier(x, k=k)
    return np.asarray(fitted.yb) + 1, np.asarray(fitted.bins, dtype=float)


def _strata(frame: pd.DataFrame, factor: str, categorical: bool, method: str, k: int):
    """Stratum labels of one factor, how they were formed, and the class bounds."""
    raw = frame[factor]
    if not categorical:
        try:
            x = _numbers(raw, factor).to_numpy()
        except SchemaError:
            x = None  # text: its categories are the strata
        if x is not None and len(np.unique(x)) > k:
            classes, bins = _discretize(x, method, k)
            lower = np.concatenate([[x.min()], bins[:-1]])
            bounds = pd.DataFrame({"stratum": [str(i) for i in range(1, len(bins) + 1)], "lower": lower, "upper": bins})
            return classes.astype(str), f"{method} (k={k})", bins, bounds
        if x is not None:
            labels = pd.Series(x).map(lambda v: str(int(v)) if float(v).is_integer() else repr(v)).to_numpy()
            return labels, f"categories ({len(np.unique(x))} distinct values <= k={k})", None, None
    labels = raw.map(lambda v: str(v).strip()).to_numpy()
    return labels, "categories", None, None


def _interaction(q1: float, q2: float, q12: float) -> str:
    tol = 1e-12  # q values equal up to rounding count as equal
    if q12 < min(q1, q2) - tol:
        return "weaken_nonlinear"
    if q12 <= max(q1, q2) + tol:
        return "weaken_uni"
    if abs(q12 - (q1 + q2)) <= tol:
        return "independent"
    return "enhance_bi" if q12 < q1 + q2 else "enhance_nonlinear"


def geodetector(
    data: pd.DataFrame | SpatialPanel,
    y: str,
    factors: Sequence[str],
    *,
    id: str | None = None,
    time: str | None = None,
    period=None,
    discretize: DiscretizeOption | Mapping[str, DiscretizeOption] = "quantile",
    k: int | Mapping[str, int] = 5,
    categorical: Sequence[str] = (),
    singletons: SingletonStrata = "keep",
    alpha: float = 0.05,
) -> GeoDetectorResult:
    """Run the factor, interaction, risk and ecological detectors of ``y`` on ``factors``.

    Parameters
    ----------
    y
        The response variable (numeric).
    factors
        Explanatory factors: numeric (discretised) or categorical (text, or listed in ``categorical``).
    period
        Use only this period; by default every row (all periods pooled, recorded in ``options``).
    discretize, k
        Discretisation of numeric factors and its number of classes (one value, or per factor).
    categorical
        Numeric factors whose values are already strata codes (e.g. a land-use class).
    singletons
        Strata with a single observation: ``keep`` (default), ``drop`` or ``error``.
    alpha
        Significance level of the ``significant`` columns.

    Raises
    ------
    SchemaError
        Unknown columns or periods, a constant response, a factor with a single stratum,
        singleton strata under ``singletons="error"``, k < 2.
    MissingDataError
        Missing values of y or a factor (unit and period).

    Examples
    --------
    >>> from spatial import datasets
    >>> produc = datasets.load("us_produc")
    >>> gd = geodetector(produc, "unemp", ["pcap", "emp", "region"], id="fips", time="year", period=1986,
    ...                  categorical=["region"], k=4)
    >>> gd.factor[["factor", "strata_from"]].to_dict("records")[0]
    {'factor': 'pcap', 'strata_from': 'quantile (k=4)'}
    >>> bool(((gd.factor["q"] >= 0) & (gd.factor["q"] <= 1)).all())
    True
    """
    check_option("singletons", singletons, SingletonStrata)
    factors = list(dict.fromkeys(factors))
    if not factors:
        raise SchemaError("geodetector needs at least one factor")
    if y in factors:
        raise SchemaError(f"{y!r} is both the response and a factor")
    unknown_cat = [c for c in categorical if c not in factors]
    if unknown_cat:
        raise SchemaError(f"categorical names columns that are not factors: {first_items(unknown_cat)}")
    if not 0 < alpha < 1:
        raise SchemaError(f"alpha must lie in (0, 1), got {alpha}")
    methods = {f: discretize[f] if isinstance(discretize, Mapping) else discretize for f in factors}
    classes = {f: k[f] if isinstance(k, Mapping) else k for f in factors}
    for f in factors:
        check_option(f"discretize[{f}]", methods[f], DiscretizeOption)
        if not isinstance(classes[f], int | np.integer) or classes[f] < 2:
            raise SchemaError(f"k for {f!r} must be an integer >= 2, got {classes[f]!r}")
    table = long_table(data, id=id, time=time, values=[y], text=factors, what="the geodetector data")
    frame = table.frame
    if period is not None:
        if not table.has_time or period not in set(frame["period"]):
            raise SchemaError(
                f"period {period!r} is not in the data; periods: {first_items(pd.unique(frame['period']))}"
            )
        frame = frame[frame["period"] == period].reset_index(drop=True)
    response = frame[y].to_numpy()
    strata_cols, factor_rows, bounds_of = {}, [], {}
    for f in factors:
        labels, how, bins, bounds = _strata(frame, f, f in categorical, methods[f], classes[f])
        strata_cols[f] = labels
        bounds_of[f] = bounds
        s = _stratify(response, labels, singletons, f"factor {f!r}")
        factor_rows.append(
            {
                "factor": f,
                "q": s.q,
                "F": s.f,
                "p_value": s.p_value,
                "significant": s.p_value < alpha,
                "n": s.n,
                "n_strata": s.n_strata,
                "singleton_strata": s.singletons,
                "noncentrality": s.noncentrality,
                "strata_from": how,
                "breaks": None if bins is None else ", ".join(f"{b:.6g}" for b in bins),
            }
        )
    factor_table = pd.DataFrame(factor_rows)
    q_of = dict(zip(factor_table["factor"], factor_table["q"], strict=True))
    stats_of = {f: _stratify(response, strata_cols[f], singletons, f"factor {f!r}") for f in factors}

    interaction_rows, ecological_rows = [], []
    from scipy import stats

    for f1, f2 in itertools.combinations(factors, 2):
        overlay = np.char.add(np.char.add(strata_cols[f1].astype(str), "∩"), strata_cols[f2].astype(str))
        q12 = _stratify(response, overlay, singletons, f"the overlay of {f1!r} and {f2!r}").q
        code = _interaction(q_of[f1], q_of[f2], q12)
        interaction_rows.append(
            {
                "factor_1": f1,
                "factor_2": f2,
                "q_1": q_of[f1],
                "q_2": q_of[f2],
                "q_12": q12,
                "interaction": code,
                "label_en": INTERACTIONS[code][0],
                "label_zh": INTERACTIONS[code][1],
            }
        )
        a, b = stats_of[f1], stats_of[f2]
        f_stat = (a.n * (b.n - 1) * a.ssw) / (b.n * (a.n - 1) * b.ssw) if b.ssw > 0 else np.inf
        p_value = float(stats.f.sf(f_stat, a.n - 1, b.n - 1)) if np.isfinite(f_stat) else 0.0
        ecological_rows.append(
            {
                "factor_1": f1,
                "factor_2": f2,
                "F": f_stat,
                "df_1": a.n - 1,
                "df_2": b.n - 1,
                "p_value": p_value,
                "significant": p_value < alpha,
            }
        )

    mean_rows, risk_rows = [], []
    for f in factors:
        labels = strata_cols[f]
        names = sorted(pd.unique(labels), key=lambda v: (len(v), v))
        for name in names:
            values = response[labels == name]
            row = {"factor": f, "stratum": name, "n": len(values), "mean": values.mean()}
            if bounds_of[f] is not None:
                bound = bounds_of[f].set_index("stratum").loc[name]
                row.update(lower=bound["lower"], upper=bound["upper"])
            mean_rows.append(row)
        for s1, s2 in itertools.combinations(names, 2):
            v1, v2 = response[labels == s1], response[labels == s2]
            if len(v1) < 2 or len(v2) < 2:
                t, df, p_value = np.nan, np.nan, np.nan
            else:
                test = stats.ttest_ind(v1, v2, equal_var=False)
                t, p_value = float(test.statistic), float(test.pvalue)
                df = float(getattr(test, "df", np.nan))
            risk_rows.append(
                {
                    "factor": f,
                    "stratum_1": s1,
                    "stratum_2": s2,
                    "mean_1": v1.mean(),
                    "mean_2": v2.mean(),
                    "t": t,
                    "df": df,
                    "p_value": p_value,
                    "significant": bool(p_value < alpha) if np.isfinite(p_value) else False,
                }
            )
    strata = frame[["id", "period", y]].copy()
    for f in factors:
        strata[f] = strata_cols[f]
    options = {
        "y": y,
        "factors": factors,
        "discretize": methods,
        "k": classes,
        "categorical": list(categorical),
        "singletons": singletons,
        "alpha": alpha,
        "period": period if period is not None else ("all periods pooled" if table.has_time else None),
    }
    empty_pairs = ["factor_1", "factor_2"]
    return GeoDetectorResult(
        factor=factor_table,
        interaction=pd.DataFrame(interaction_rows, columns=None if interaction_rows else empty_pairs),
        risk_means=pd.DataFrame(mean_rows),
        risk=pd.DataFrame(risk_rows, columns=None if risk_rows else ["factor", "stratum_1", "stratum_2"]),
        ecological=pd.DataFrame(ecological_rows, columns=None if ecological_rows else empty_pairs),
        strata=table.labelled(strata),
        options=options,
    )
