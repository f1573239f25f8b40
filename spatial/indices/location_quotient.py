"""Location quotients (区位熵) for industry specialisation and clusters.

``LQ_ij = (e_ij / e_i) / (E_j / E)``: the share of industry j in region i's total, relative to
the industry's share in the reference economy (by default the sum of all units in the same
period). ``LQ > 1`` marks specialisation; ``LQ >= cluster`` (default 1.5) an industrial cluster.

Variants papers use, each stated in the output columns:

* ``exponent=k``: the adjusted quotient ``lq_adjusted = LQ^k`` (k < 1 damps extreme quotients of
  small units, k > 1 stretches them); classes stay those of the plain LQ;
* ``score=(low, high)``: a linear score of the LQ, mapping ``[m / 2, 2 m]`` onto ``[low, high]``
  (m the mean LQ of the industry in the period; ``score_anchor="one"`` uses ``m = 1``), clipped
  to the range, e.g. ``(50, 100)``;
* ``basis``: what the sizes measure (``employment``, ``output``, ``firms`` or ``other``), written
  into the ``basis`` column so tables say which LQ they hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from spatial._options import check_option
from spatial.choices import LQBasis, ScoreAnchor
from spatial.errors import SchemaError, first_items
from spatial.indices._common import cells, check_positive, long_table

if TYPE_CHECKING:
    from spatial.panel import SpatialPanel

__all__ = ["location_quotient", "LQ_CLASSES", "LQBasis"]


# class -> (English, Chinese)
LQ_CLASSES = {
    "cluster": ("industrial cluster", "产业集聚"),
    "specialised": ("specialised", "专业化"),
    "not_specialised": ("not specialised", "非专业化"),
}


def location_quotient(
    data: pd.DataFrame | SpatialPanel,
    industries: Sequence[str],
    *,
    id: str | None = None,
    time: str | None = None,
    total: str | None = None,
    specialised: float = 1.0,
    cluster: float = 1.5,
    basis: LQBasis = "employment",
    exponent: float | None = None,
    score: tuple[float, float] | None = None,
    score_anchor: ScoreAnchor = "mean",
) -> pd.DataFrame:
    """Location quotient of every industry in every unit and period, with its class.

    Parameters
    ----------
    industries
        Columns with the size of each industry (employment, output value, ...).
    total
        Column with each unit's total (all industries). By default the sum of ``industries``.
    specialised, cluster
        Thresholds of the classes ``specialised`` (LQ > specialised) and ``cluster`` (LQ >= cluster).
    basis
        What the sizes measure: ``employment``, ``output``, ``firms`` (firm counts) or ``other``.
    exponent
        Adjustment exponent k: adds ``lq_adjusted = LQ^k`` and ``exponent``.
    score, score_anchor
        Range ``(low, high)`` of a linear score: ``[m / 2, 2 m]`` maps onto it (clipped), with
        ``m`` the industry's mean LQ in the period (``"mean"``) or 1 (``"one"``); adds ``score``
        and ``score_rule``.

    Returns
    -------
    DataFrame
        Keys, ``industry``, ``share`` (e_ij / e_i), ``reference_share`` (E_j / E), ``lq``,
        ``class``, ``class_en``, ``class_zh``, ``basis``, and the variants asked for.

    Raises
    ------
    SchemaError
        An exponent that is not positive, a score range that is not increasing;
        Negative sizes, a unit with total 0, an industry absent from a whole period, totals
        smaller than the sum of the industries, thresholds out of order.
    MissingDataError
        Missing sizes (unit and period).

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"city": ["a", "b"], "steel": [30.0, 10.0], "services": [70.0, 90.0]})
    >>> location_quotient(data, ["steel", "services"], id="city")[["city", "industry", "lq", "class"]].round(3)
      city  industry     lq            class
    0    a     steel  1.500          cluster
    1    b     steel  0.500  not_specialised
    2    a  services  0.875  not_specialised
    3    b  services  1.125      specialised
    """
    industries = list(dict.fromkeys(industries))
    if not industries:
        raise SchemaError("location quotients need at least one industry column")
    check_option("basis", basis, LQBasis)
    check_option("score_anchor", score_anchor, ScoreAnchor)
    if exponent is not None and not (np.isfinite(float(exponent)) and float(exponent) > 0):
        raise SchemaError(f"exponent must be a positive number (e.g. 0.5), got {exponent!r}")
    if score is not None:
        low, high = (float(v) for v in score)
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            raise SchemaError(f"score must be an increasing range (low, high), e.g. (50, 100), got {score!r}")
    if not 0 < specialised <= cluster:
        raise SchemaError(f"thresholds must satisfy 0 < specialised <= cluster, got {specialised}, {cluster}")
    values = industries + ([total] if total else [])
    table = long_table(data, id=id, time=time, values=values, what="the industry table")
    frame = table.frame
    for column in values:
        check_positive(frame, column, allow_zero=True, why="industry sizes cannot be negative")
    sizes = frame[industries].to_numpy()
    totals = frame[total].to_numpy() if total else sizes.sum(axis=1)
    if total and (totals < sizes.sum(axis=1) - 1e-9 * np.abs(totals)).any():
        bad = totals < sizes.sum(axis=1) - 1e-9 * np.abs(totals)
        raise SchemaError(f"{total!r} is smaller than the sum of the industries at {cells(frame, bad)}")
    empty = totals == 0
    if empty.any():
        raise SchemaError(
            f"units with total 0 at {cells(frame, empty)}: their industry shares are undefined; leave them out"
        )
    parts = []
    for period in pd.unique(frame["period"]):
        rows = (frame["period"] == period).to_numpy()
        grand = totals[rows].sum()
        industry_totals = sizes[rows].sum(axis=0)
        absent = [ind for ind, v in zip(industries, industry_totals, strict=True) if v == 0]
        if absent:
            raise SchemaError(
                f"period {period}: industries with size 0 in every unit ({first_items(absent)}) have no "
                "location quotient; leave them out"
            )
        share = sizes[rows] / totals[rows, None]
        reference = industry_totals / grand
        for j, industry in enumerate(industries):
            parts.append(
                pd.DataFrame(
                    {
                        "id": frame.loc[rows, "id"].to_numpy(),
                        "period": period,
                        "industry": industry,
                        "share": share[:, j],
                        "reference_share": reference[j],
                        "lq": share[:, j] / reference[j],
                    }
                )
            )
    out = pd.concat(parts, ignore_index=True)
    lq = out["lq"].to_numpy()
    tol = 1e-12 * np.maximum(lq, 1.0)  # 0.3 / 0.2 is 1.4999999999999998 in floating point
    out["class"] = np.where(
        lq >= cluster - tol, "cluster", np.where(lq > specialised + tol, "specialised", "not_specialised")
    )
    out["class_en"] = out["class"].map(lambda c: LQ_CLASSES[c][0])
    out["class_zh"] = out["class"].map(lambda c: LQ_CLASSES[c][1])
    out["basis"] = basis
    if exponent is not None:
        out["exponent"] = float(exponent)
        out["lq_adjusted"] = lq ** float(exponent)
    if score is not None:
        out["score"], out["score_rule"] = _score(out, low, high, score_anchor)
    return table.labelled(out)


def _score(out: pd.DataFrame, low: float, high: float, anchor: str) -> tuple[np.ndarray, str]:
    """Linear map of ``[m / 2, 2 m]`` onto ``[low, high]``, clipped, per industry and period."""
    if anchor == "mean":
        m = out.groupby(["period", "industry"], sort=False)["lq"].transform("mean").to_numpy()
    else:
        m = np.ones(len(out))
    lo, hi = m / 2, 2 * m
    value = low + (out["lq"].to_numpy() - lo) / (hi - lo) * (high - low)
    where = "the industry's mean LQ in the period" if anchor == "mean" else "1"
    rule = f"linear: [m/2, 2m] -> [{low:g}, {high:g}], clipped; m = {where}"
    return np.clip(value, low, high), rule
