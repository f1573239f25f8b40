"""Productivity change between consecutive periods: Malmquist index and global Malmquist-Luenberger.

**Malmquist** (Färe, Grosskopf, Norris and Zhang 1994), from radial efficiencies ``E^a(b)`` of a
unit's period-b data against the period-a frontier (input orientation: ``theta``; output
orientation: ``1 / phi``; both give the same index under CRS)::

    M      = sqrt[ E_c^t(t+1) / E_c^t(t)  *  E_c^{t+1}(t+1) / E_c^{t+1}(t) ]       (TFPCH)
    EFFCH  = E_c^{t+1}(t+1) / E_c^t(t)          TECHCH = M / EFFCH
    PECH   = E_v^{t+1}(t+1) / E_v^t(t)          SECH   = EFFCH / PECH

(``c``: CRS, ``v``: VRS). ``M > 1`` is productivity growth; ``M = EFFCH * TECHCH`` and
``EFFCH = PECH * SECH`` hold exactly.

**Global Malmquist-Luenberger** (GML, Oh 2010) with undesirable outputs, from the directional
distance function with direction ``g = (y, -b)`` under CRS and weak disposability of the bad
outputs::

    D(x, y, b) = max beta:  X lam <= x,  Y lam >= (1 + beta) y,  B lam = (1 - beta) b,  lam >= 0

against the global frontier ``D^G`` (all periods pooled) and the contemporaneous one ``D^t``::

    GML = (1 + D^G(t)) / (1 + D^G(t+1))
    EC  = (1 + D^t(t)) / (1 + D^{t+1}(t+1))      BPC = GML / EC

The global frontier makes the index circular and always feasible. Without undesirable outputs
it is the global Malmquist index of the DDF. ``cumulative`` multiplies the index from the first
period (= 1), the usual "green TFP" level variable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from spatial.choices import Solver
from spatial._options import check_option
from spatial.errors import NumericalError, SchemaError
from spatial.indices._common import cells
from spatial.indices._lp import Programs
from spatial.indices.dea import DEAData, Orientation, dea_data, radial_programs, solve

if TYPE_CHECKING:
    from spatial.panel import SpatialPanel

__all__ = ["ProductivityResult", "malmquist", "gml", "ddf_programs"]


@dataclass(frozen=True)
class ProductivityResult:
    """Index per unit and pair of consecutive periods (``table``), and the distance functions.

    ``table``: the id, ``period_from``, ``period`` (the later period), the index and its
    components, ``cumulative`` and ``index`` (the method stated). ``distances``: the distance
    functions (efficiencies) per unit and period that the index is built from.
    """

    table: pd.DataFrame
    distances: pd.DataFrame
    options: dict[str, Any] = field(default_factory=dict)

    def panel_variable(self, name: str | None = None) -> pd.DataFrame:
        """The cumulative index as a panel variable (keys, ``name``): 1 in the first period."""
        id_name, time_name = self.options["id"], self.options["time"]
        name = name or self.options["method"]
        first = self.distances[[id_name, time_name]].copy()
        later = self.table[[id_name, "period", "cumulative"]].rename(columns={"period": time_name})
        out = first.merge(later, on=[id_name, time_name], how="left")
        out["cumulative"] = out["cumulative"].fillna(1.0)
        return out.rename(columns={"cumulative": name})


def _prepare(data, inputs, outputs, undesirable, id, time) -> tuple[DEAData, list, np.ndarray]:
    prepared = dea_data(data, inputs, outputs, undesirable, id=id, time=time)
    if not prepared.table.has_time:
        raise SchemaError("productivity indices compare periods: give time= (the period column)")
    frame = prepared.table.frame
    periods = sorted(prepared.periods)
    if len(periods) < 2:
        raise SchemaError(f"productivity indices need at least 2 periods, found {periods}")
    ids = pd.Index(pd.unique(frame["id"]))
    counts = frame.groupby("period")["id"].nunique()
    if (counts != len(ids)).any():
        short = counts[counts != len(ids)]
        missing = [
            f"{p}: {', '.join(sorted(set(ids) - set(frame.loc[frame['period'] == p, 'id'])))[:80]}" for p in short.index
        ]
        raise SchemaError(
            "productivity indices need a balanced panel (every unit in every period); missing units by period: "
            + "; ".join(missing[:5])
        )
    index = np.empty((len(periods), len(ids)), dtype=np.int64)
    position = pd.Series(np.arange(len(frame)), index=pd.MultiIndex.from_frame(frame[["period", "id"]]))
    for t, period in enumerate(periods):
        index[t] = position.loc[period].reindex(ids).to_numpy()
    return prepared, periods, index


def _efficiency(prepared, ref_rows, rows, orientation, rts, own, solver) -> np.ndarray:
    x, y = prepared.x, prepared.y
    programs = radial_programs(x[ref_rows], y[ref_rows], x[rows], y[rows], orientation=orientation, rts=rts, own=own)
    sol = solve(programs, solver=solver)
    value = sol.e[:, 0]
    return value if orientation == "input" else 1.0 / value


def malmquist(
    data: pd.DataFrame | SpatialPanel,
    inputs: Sequence[str],
    outputs: Sequence[str],
    *,
    id: str | None = None,
    time: str | None = None,
    orientation: Orientation = "input",
    solver: Solver = "batched",
) -> ProductivityResult:
    """Malmquist productivity index with EFFCH, TECHCH, PECH and SECH (see the module docstring).

    Raises
    ------
    SchemaError
        No period column, fewer than 2 periods, an unbalanced panel (missing units named),
        non-positive data.
    NumericalError
        A cross-period program without solution (named).

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"firm": ["a", "b"] * 2, "year": [1, 1, 2, 2],
    ...                       "x": [1.0, 2.0, 1.0, 2.0], "y": [1.0, 1.0, 2.0, 1.0]})
    >>> malmquist(panel, ["x"], ["y"], id="firm", time="year").table[["firm", "tfpch", "effch", "techch"]]
      firm  tfpch  effch  techch
    0    a    2.0    1.0     2.0
    1    b    1.0    0.5     2.0
    """
    check_option("orientation", orientation, Orientation)
    prepared, periods, index = _prepare(data, inputs, outputs, (), id, time)
    n = index.shape[1]
    own = np.arange(n)
    crs, vrs = (
        np.vstack([_efficiency(prepared, rows, rows, orientation, rts, own, solver) for rows in index])
        for rts in ("crs", "vrs")
    )
    parts = []
    for t in range(len(periods) - 1):
        forward = _efficiency(prepared, index[t], index[t + 1], orientation, "crs", None, solver)  # E^t(t+1)
        backward = _efficiency(prepared, index[t + 1], index[t], orientation, "crs", None, solver)  # E^{t+1}(t)
        bad = ~(np.isfinite(forward) & np.isfinite(backward) & (forward > 0) & (backward > 0))
        if bad.any():
            frame = prepared.table.frame.iloc[index[t + 1]]
            raise NumericalError(
                f"cross-period programs between {periods[t]} and {periods[t + 1]} have no solution for "
                f"{cells(frame, bad)}; check those units' data"
            )
        tfpch = np.sqrt(forward / crs[t] * crs[t + 1] / backward)
        effch = crs[t + 1] / crs[t]
        pech = vrs[t + 1] / vrs[t]
        parts.append(
            _pair(prepared, periods, index, t, tfpch=tfpch, effch=effch, techch=tfpch / effch, pech=pech,
                  sech=effch / pech)
        )
    table = _finish(parts, "tfpch", f"Malmquist (Färe et al. 1994), {orientation}-oriented radial DEA")
    distances = _distances(prepared, periods, index, {"crs": crs, "vrs": vrs})
    return _result(prepared, table, distances, "malmquist", {"orientation": orientation})


def ddf_programs(ref_x, ref_y, ref_b, x, y, bad, *, own: np.ndarray | None = None) -> Programs:
    """Directional distance function programs, direction (y, -b), CRS, weak disposability of b."""
    n, m = x.shape
    s1, s2 = y.shape[1], bad.shape[1]
    ref = np.vstack([ref_x.T, -ref_y.T, ref_b.T])
    q = ref.shape[0]
    a, b = np.zeros((n, q, 1)), np.zeros((n, q))
    b[:, :m] = x
    a[:, m : m + s1, 0], b[:, m : m + s1] = y, -y
    a[:, m + s1 :, 0], b[:, m + s1 :] = bad, bad
    eq = np.zeros(q, bool)
    eq[m + s1 :] = True
    lower = np.full((n, 1), -np.inf)
    return Programs(ref, eq, a, b, -np.ones((n, 1)), lower=lower, own=own)


def gml(
    data: pd.DataFrame | SpatialPanel,
    inputs: Sequence[str],
    outputs: Sequence[str],
    undesirable: Sequence[str] = (),
    *,
    id: str | None = None,
    time: str | None = None,
    solver: Solver = "batched",
) -> ProductivityResult:
    """Global Malmquist-Luenberger index (Oh 2010) with EC and BPC (see the module docstring).

    Raises
    ------
    SchemaError
        As :func:`malmquist`.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"firm": ["a", "b"] * 2, "year": [1, 1, 2, 2],
    ...                       "x": [1.0, 2.0, 1.0, 2.0], "y": [1.0, 1.0, 2.0, 1.0]})
    >>> gml(panel, ["x"], ["y"], id="firm", time="year").table[["firm", "gml", "ec", "bpc"]]
      firm  gml   ec  bpc
    0    a  2.0  1.0  2.0
    1    b  1.0  0.5  2.0
    """
    prepared, periods, index = _prepare(data, inputs, outputs, undesirable, id, time)
    x, y, b = prepared.x, prepared.y, prepared.b
    every = index.reshape(-1)
    glob = solve(ddf_programs(x[every], y[every], b[every], x[every], y[every], b[every], own=np.arange(every.size)),
                 solver=solver)
    d_global = glob.objective.reshape(index.shape) * -1.0
    own = np.arange(index.shape[1])
    d_cont = np.vstack(
        [
            -solve(ddf_programs(x[r], y[r], b[r], x[r], y[r], b[r], own=own), solver=solver).objective
            for r in index
        ]
    )
    parts = []
    for t in range(len(periods) - 1):
        value = (1 + d_global[t]) / (1 + d_global[t + 1])
        ec = (1 + d_cont[t]) / (1 + d_cont[t + 1])
        parts.append(_pair(prepared, periods, index, t, gml=value, ec=ec, bpc=value / ec))
    bads = "with undesirable outputs, " if undesirable else ""
    table = _finish(parts, "gml", f"GML (Oh 2010), DDF g = (y, -b), {bads}CRS, global frontier")
    distances = _distances(prepared, periods, index, {"ddf_global": d_global, "ddf_contemporaneous": d_cont})
    return _result(prepared, table, distances, "gml", {})


def _pair(prepared: DEAData, periods: list, index: np.ndarray, t: int, **values: np.ndarray) -> pd.DataFrame:
    """The units' rows of the pair of periods ``t``, ``t + 1``: keys, then ``values`` in order."""
    ids = prepared.table.frame["id"].to_numpy()[index[t + 1]]
    return pd.DataFrame({"id": ids, "period_from": periods[t], "period": periods[t + 1], **values})


def _finish(parts: list[pd.DataFrame], column: str, text: str) -> pd.DataFrame:
    table = pd.concat(parts, ignore_index=True)
    table["cumulative"] = table.groupby("id", sort=False)[column].cumprod()
    table["index"] = text
    return table


def _distances(prepared: DEAData, periods: list, index: np.ndarray, values: dict[str, np.ndarray]) -> pd.DataFrame:
    frame = prepared.table.frame
    out = pd.DataFrame(
        {"id": frame["id"].to_numpy()[index.reshape(-1)], "period": np.repeat(periods, index.shape[1])}
    )
    for name, value in values.items():
        out[name] = value.reshape(-1)
    return out


def _result(prepared: DEAData, table, distances, method: str, extra: dict) -> ProductivityResult:
    id_name, time_name = prepared.table.id_name, prepared.table.time_name
    options = {
        "method": method,
        "id": id_name,
        "time": time_name,
        "inputs": prepared.inputs,
        "outputs": prepared.outputs,
        "undesirable": prepared.undesirable,
        "index": table["index"].iloc[0],
        **extra,
    }
    table = table.rename(columns={"id": id_name})
    distances = distances.rename(columns={"id": id_name, "period": time_name})
    return ProductivityResult(table, distances, options)
