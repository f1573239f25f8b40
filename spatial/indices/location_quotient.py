"""Location quotients (区位熵) for industry specialisation and clusters.

``LQ_ij = (e_ij / e_i) / (E_j / E)``: the share of industry j in region i's total, relative to
the industry's share in the reference economy (by default the sum of all units in the same
period). ``LQ > 1`` marks specialisation; ``LQ >= cluster`` (default 1.5) an industrial cluster.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from spatial.errors import SchemaError, first_items
from spatial.indices._common import cells, check_positive, long_table

if TYPE_CHECKING:
    from spatial.panel import SpatialPanel

__all__ = ["location_quotient", "LQ_CLASSES"]

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

    Returns
    -------
    DataFrame
        Keys, ``industry``, ``share`` (e_ij / e_i), ``reference_share`` (E_j / E), ``lq``,
        ``class``, ``class_en``, ``class_zh``.

    Raises
    ------
    SchemaError
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
    return table.labelled(out)
