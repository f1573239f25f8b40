"""Data envelopment analysis (DEA): radial CCR / BCC, SBM with undesirable outputs, super-SBM.

Each unit ``o`` of a period is compared with the frontier of the units of that period
(``frontier="contemporaneous"``) or of all periods (``"global"``). Inputs ``x`` (m), desirable
outputs ``y`` (s1) and undesirable outputs ``b`` (s2); ``lam`` the intensity of each reference
unit; ``rts="crs"`` (constant returns) or ``"vrs"`` (variable: ``sum lam = 1``).

* ``model="ccr"`` / ``"bcc"`` (Charnes-Cooper-Rhodes 1978, Banker-Charnes-Cooper 1984), radial:
  input orientation ``min theta: X lam <= theta x_o, Y lam >= y_o`` (efficiency ``theta``), or
  output orientation ``max phi: X lam <= x_o, Y lam >= phi y_o`` (efficiency ``1 / phi``). No
  undesirable outputs; ``bcc`` is ``ccr`` with ``sum lam = 1``.
* ``model="sbm"`` (Tone 2001; undesirable outputs as in Tone 2004 / Cooper, Seiford and Tone
  2007, ch. 13), non-oriented::

      rho = min [1 - (1/m) sum s-_i / x_io] / [1 + 1/(s1 + s2) (sum sg_r / y_ro + sum sb_k / b_ko)]
      x_o = X lam + s-,  y_o = Y lam - sg,  b_o = B lam + sb,  lam, s >= 0

  solved as a linear program by the Charnes-Cooper transformation.
* ``model="super_sbm"`` (Tone 2002, with undesirable outputs): ``rho`` of ``sbm`` for the
  inefficient units, and for the efficient ones (``rho = 1``) the super-efficiency against the
  frontier without them::

      delta = min [1 + (1/m) sum s-_i / x_io] / [1 - 1/(s1 + s2) (sum sg_r / y_ro + sum sb_k / b_ko)]
      X lam - s- <= x_o,  Y lam + sg >= y_o,  B lam - sb <= b_o,  sg <= y_o,  lam (o excluded), s >= 0

  (``delta >= 1``). Under ``vrs`` it can be infeasible; those units are named.

Every input and output must be positive (SBM divides by them); the error names the cells.
Programs are solved by HiGHS in batches with exact column generation
(:mod:`spatial.indices._lp`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from spatial.choices import RTS, DEAModel, Frontier, Infeasible, Orientation, Solver
from spatial._options import check_option
from spatial.errors import NumericalError, SchemaError, first_items
from spatial.hints import hint
from spatial.indices._common import IndicatorWarning, LongTable, cells, long_table
from spatial.indices._lp import Programs, Solution, solve_batched, solve_each

if TYPE_CHECKING:
    from spatial.panel import SpatialPanel

__all__ = ["DEAModel", "Orientation", "RTS", "Frontier", "DEAResult", "dea", "DEAData", "dea_data"]


FORMULAS = {
    "ccr": "radial CCR ({orientation}-oriented, CRS)",
    "bcc": "radial BCC ({orientation}-oriented, VRS)",
    "sbm": "SBM, non-oriented, undesirable outputs by Tone (2004), {rts}",
    "super_sbm": "super-SBM (Tone 2002) for efficient units, SBM (Tone 2004) for the others, non-oriented, {rts}",
}


@dataclass(frozen=True)
class DEAData:
    """Validated DEA data: the keys and the (scaled) inputs, good and bad outputs as arrays."""

    table: LongTable
    inputs: list[str]
    outputs: list[str]
    undesirable: list[str]
    x: np.ndarray
    y: np.ndarray
    b: np.ndarray

    @property
    def periods(self) -> list:
        return list(pd.unique(self.table.frame["period"]))

    def rows(self, period) -> np.ndarray:
        return np.flatnonzero((self.table.frame["period"] == period).to_numpy())


def dea_data(
    data: pd.DataFrame | SpatialPanel,
    inputs: Sequence[str],
    outputs: Sequence[str],
    undesirable: Sequence[str] = (),
    *,
    id: str | None = None,
    time: str | None = None,
) -> DEAData:
    """Check and scale DEA data (each variable divided by its mean; the models are unit-free).

    Raises
    ------
    SchemaError
        No input or no desirable output, a column used twice, zero or negative values (naming
        the variable and the first units and periods, with the usual remedies).
    MissingDataError
        Missing values.
    """
    inputs, outputs, undesirable = list(inputs), list(outputs), list(undesirable)
    if not inputs or not outputs:
        raise SchemaError("DEA needs at least one input and one desirable output")
    names = inputs + outputs + undesirable
    if len(set(names)) != len(names):
        raise SchemaError(f"a column is used twice among inputs, outputs and undesirable outputs: {names}")
    table = long_table(data, id=id, time=time, values=names, what="the DEA data")
    frame = table.frame
    for name in names:
        bad = frame[name].to_numpy() <= 0
        if bad.any():
            role = "input" if name in inputs else "undesirable output" if name in undesirable else "output"
            raise SchemaError(
                f"DEA {role} {name!r} has {int(bad.sum())} zero or negative values at {cells(frame, bad)}; the models "
                "here divide by every input and output, so they must be positive. Usual remedies: replace zeros by a "
                "small positive number (e.g. 1e-6 of the mean), or translate the variable by a constant (radial BCC "
                "inputs under output orientation and outputs under input orientation are translation invariant), or "
                "leave those units out"
            )
    scaled = {name: frame[name].to_numpy() / frame[name].mean() for name in names}
    stack = lambda cols: np.column_stack([scaled[c] for c in cols]) if cols else np.zeros((len(frame), 0))  # noqa: E731
    return DEAData(table, inputs, outputs, undesirable, stack(inputs), stack(outputs), stack(undesirable))


def _ones(n: int) -> np.ndarray:
    return np.ones((1, n))


def radial_programs(
    ref_x, ref_y, x, y, *, orientation: str, rts: str, own: np.ndarray | None = None
) -> Programs:
    """Envelopment programs of the radial models (one own variable: theta or phi)."""
    n, m = x.shape
    s = y.shape[1]
    k = ref_x.shape[0]
    vrs = rts == "vrs"
    ref = np.vstack([ref_x.T, -ref_y.T] + ([_ones(k)] if vrs else []))
    q = ref.shape[0]
    a, b = np.zeros((n, q, 1)), np.zeros((n, q))
    if orientation == "input":
        a[:, :m, 0] = -x
        b[:, m : m + s] = -y
        c = np.ones((n, 1))
    else:
        b[:, :m] = x
        a[:, m : m + s, 0] = y
        c = -np.ones((n, 1))
    if vrs:
        b[:, -1] = 1.0
    eq = np.zeros(q, bool)
    eq[-1] = vrs
    return Programs(ref, eq, a, b, c, own=own)


def sbm_programs(ref_x, ref_y, ref_b, x, y, bad, *, rts: str, own: np.ndarray | None = None) -> Programs:
    """Charnes-Cooper form of the SBM with undesirable outputs; own variables t, s-, sg, sb."""
    n, m = x.shape
    s1, s2 = y.shape[1], bad.shape[1]
    k = ref_x.shape[0]
    vrs = rts == "vrs"
    ref = np.vstack([np.zeros((1, k)), ref_x.T, ref_y.T, ref_b.T] + ([_ones(k)] if vrs else []))
    q, p = ref.shape[0], 1 + m + s1 + s2
    a, b = np.zeros((n, q, p)), np.zeros((n, q))
    a[:, 0, 0], b[:, 0] = 1.0, 1.0
    a[:, 0, 1 + m : 1 + m + s1] = 1.0 / ((s1 + s2) * y)
    a[:, 0, 1 + m + s1 :] = 1.0 / ((s1 + s2) * bad) if s2 else 0.0
    rows = np.arange(m)
    a[:, 1 + rows, 0], a[:, 1 + rows, 1 + rows] = -x, 1.0
    rows = np.arange(s1)
    a[:, 1 + m + rows, 0], a[:, 1 + m + rows, 1 + m + rows] = -y, -1.0
    rows = np.arange(s2)
    a[:, 1 + m + s1 + rows, 0], a[:, 1 + m + s1 + rows, 1 + m + s1 + rows] = -bad, 1.0
    if vrs:
        a[:, -1, 0] = -1.0
    c = np.zeros((n, p))
    c[:, 0] = 1.0
    c[:, 1 : 1 + m] = -1.0 / (m * x)
    return Programs(ref, np.ones(q, bool), a, b, c, own=own)


def super_sbm_programs(ref_x, ref_y, ref_b, x, y, bad, *, rts: str, exclude: np.ndarray) -> Programs:
    """Charnes-Cooper form of the super-SBM with undesirable outputs (the unit itself excluded)."""
    n, m = x.shape
    s1, s2 = y.shape[1], bad.shape[1]
    k = ref_x.shape[0]
    vrs = rts == "vrs"
    blocks = [np.zeros((1, k)), ref_x.T, -ref_y.T, np.zeros((s1, k)), ref_b.T] + ([_ones(k)] if vrs else [])
    ref = np.vstack(blocks)
    q, p = ref.shape[0], 1 + m + s1 + s2
    a, b = np.zeros((n, q, p)), np.zeros((n, q))
    a[:, 0, 0], b[:, 0] = 1.0, 1.0
    a[:, 0, 1 + m : 1 + m + s1] = -1.0 / ((s1 + s2) * y)
    a[:, 0, 1 + m + s1 :] = -1.0 / ((s1 + s2) * bad) if s2 else 0.0
    rows = np.arange(m)
    a[:, 1 + rows, 0], a[:, 1 + rows, 1 + rows] = -x, -1.0
    rows = np.arange(s1)
    a[:, 1 + m + rows, 0], a[:, 1 + m + rows, 1 + m + rows] = y, -1.0
    a[:, 1 + m + s1 + rows, 0], a[:, 1 + m + s1 + rows, 1 + m + rows] = -y, 1.0
    rows = np.arange(s2)
    base = 1 + m + 2 * s1
    a[:, base + rows, 0], a[:, base + rows, 1 + m + s1 + rows] = -bad, -1.0
    eq = np.zeros(q, bool)
    eq[0] = True
    if vrs:
        a[:, -1, 0] = -1.0
        eq[-1] = True
    c = np.zeros((n, p))
    c[:, 0] = 1.0
    c[:, 1 : 1 + m] = 1.0 / (m * x)
    return Programs(ref, eq, a, b, c, exclude=exclude)


def solve(programs: Programs, *, solver: Solver = "batched") -> Solution:
    """Solve the programs by batched column generation (default) or the plain per-unit loop."""
    return solve_batched(programs) if solver == "batched" else solve_each(programs)


@dataclass(frozen=True)
class DEAResult:
    """Efficiency per unit and period.

    ``table``: the keys, ``efficiency``, and per model: ``theta`` / ``phi`` (radial), ``lambda_sum``
    (returns to scale), ``slack_<variable>`` (SBM models, in the variable's own units),
    ``super_efficient`` (super-SBM: the score is the super-efficiency), ``model`` (the formula
    stated). ``infeasible`` lists the (unit, period) whose program had no solution.
    """

    table: pd.DataFrame
    infeasible: pd.DataFrame
    options: dict[str, Any] = field(default_factory=dict)


def _reference(data: DEAData, rows: np.ndarray, frontier: str) -> np.ndarray:
    return np.arange(len(data.table.frame)) if frontier == "global" else rows


def dea(
    data: pd.DataFrame | SpatialPanel,
    inputs: Sequence[str],
    outputs: Sequence[str],
    undesirable: Sequence[str] = (),
    *,
    id: str | None = None,
    time: str | None = None,
    model: DEAModel = "super_sbm",
    orientation: Orientation = "input",
    rts: RTS = "crs",
    frontier: Frontier = "contemporaneous",
    infeasible: Infeasible = "error",
    solver: Solver = "batched",
) -> DEAResult:
    """DEA efficiency of every unit in every period.

    Parameters
    ----------
    data
        Long table (one row per unit and period) or a :class:`~spatial.SpatialPanel`.
    inputs, outputs, undesirable
        Input columns, desirable output columns, undesirable output columns (SBM models only).
    model
        ``ccr``, ``bcc``, ``sbm`` or ``super_sbm`` (see the module docstring).
    orientation
        ``input`` or ``output`` (radial models; the SBM models are non-oriented).
    rts
        ``crs`` or ``vrs`` for the SBM models (``ccr`` is CRS and ``bcc`` VRS by definition).
    frontier
        ``contemporaneous`` (each period its own frontier) or ``global`` (all periods pooled).
    infeasible
        ``error`` names the units whose program is infeasible; ``nan`` leaves them empty with a warning.
    solver
        ``batched`` (column generation, the default) or ``loop`` (one full program per unit; the
        reference the batched solver is tested against).

    Raises
    ------
    SchemaError
        Bad options, undesirable outputs with a radial model, non-positive data (named cells).
    NumericalError
        Infeasible programs (named units and periods) under ``infeasible="error"``.

    Examples
    --------
    >>> import pandas as pd
    >>> shops = pd.DataFrame({"shop": list("ABCDEFGH"), "staff": [2, 3, 3, 4, 5, 5, 6, 8],
    ...                       "sales": [1, 3, 2, 3, 4, 2, 3, 5]})
    >>> dea(shops, ["staff"], ["sales"], id="shop", model="ccr").table["efficiency"].round(4).tolist()
    [0.5, 1.0, 0.6667, 0.75, 0.8, 0.4, 0.5, 0.625]
    """
    check_option("model", model, DEAModel)
    check_option("orientation", orientation, Orientation)
    check_option("rts", rts, RTS)
    check_option("frontier", frontier, Frontier)
    check_option("infeasible", infeasible, Infeasible)
    check_option("solver", solver, Solver)
    radial = model in ("ccr", "bcc")
    if radial and undesirable:
        raise SchemaError(
            f"model={model!r} has no undesirable outputs; use model='sbm' or 'super_sbm' (Tone 2004), or enter them "
            "as inputs"
        )
    if radial:
        rts = "crs" if model == "ccr" else "vrs"
    prepared = dea_data(data, inputs, outputs, undesirable, id=id, time=time)
    _check_size(prepared)
    frame = prepared.table.frame
    n = len(frame)
    out = frame[["id", "period"]].copy()
    efficiency, lam_sum = np.full(n, np.nan), np.full(n, np.nan)
    slacks = np.full((n, len(inputs) + len(outputs) + len(undesirable)), np.nan)
    extra, status = np.full(n, np.nan), np.zeros(n, int)
    is_super = np.zeros(n, bool)
    x, y, b = prepared.x, prepared.y, prepared.b
    for period in prepared.periods:
        rows = prepared.rows(period)
        ref = _reference(prepared, rows, frontier)
        own = np.searchsorted(ref, rows)
        if radial:
            programs = radial_programs(x[ref], y[ref], x[rows], y[rows], orientation=orientation, rts=rts, own=own)
            sol = solve(programs, solver=solver)
            value = sol.e[:, 0]
            extra[rows] = value
            efficiency[rows] = value if orientation == "input" else 1.0 / value
        else:
            programs = sbm_programs(x[ref], y[ref], b[ref], x[rows], y[rows], b[rows], rts=rts, own=own)
            sol = solve(programs, solver=solver)
            efficiency[rows] = sol.objective
            t = sol.e[:, :1]
            slacks[rows] = sol.e[:, 1:] / t
            if model == "super_sbm":
                top = np.flatnonzero(sol.objective > 1 - 1e-7)
                if top.size:
                    sup = solve(
                        super_sbm_programs(
                            x[ref], y[ref], b[ref], x[rows[top]], y[rows[top]], b[rows[top]], rts=rts,
                            exclude=own[top],
                        ),
                        solver=solver,
                    )
                    efficiency[rows[top]] = np.where(sup.status == 0, sup.objective, np.nan)
                    slacks[rows[top]] = sup.e[:, 1:] / sup.e[:, :1]
                    status[rows[top]] = sup.status
                    is_super[rows[top]] = True
        lam_sum[rows] = sol.lam_sum
        status[rows] = np.maximum(status[rows], sol.status)
    failed = status != 0
    listed = frame.loc[failed, ["id", "period"]]
    if failed.any() and infeasible == "error":
        raise NumericalError(
            f"the {model} program has no solution for {int(failed.sum())} units and periods: {cells(frame, failed)} "
            f"(super-efficiency under VRS is often infeasible for extreme units); use {hint('index.dea_rts', 'crs')}, "
            f"or {hint('index.dea.infeasible', 'nan')} to keep them empty"
        )
    if failed.any():
        efficiency[failed], extra[failed], lam_sum[failed], slacks[failed] = np.nan, np.nan, np.nan, np.nan
        warnings.warn(
            f"no solution for {cells(frame, failed)}: their efficiency is left empty", IndicatorWarning, stacklevel=2
        )
    out["efficiency"] = efficiency
    if radial:
        out["theta" if orientation == "input" else "phi"] = extra
        out["lambda_sum"] = lam_sum
    else:
        means = [frame[c].mean() for c in prepared.inputs + prepared.outputs + prepared.undesirable]
        for j, column in enumerate(prepared.inputs + prepared.outputs + prepared.undesirable):
            out[f"slack_{column}"] = slacks[:, j] * means[j]
        if model == "super_sbm":
            out["super_efficient"] = is_super
    text = FORMULAS[model].format(orientation=orientation, rts=rts.upper())
    out["model"] = f"{text}, {frontier} frontier"
    options = {
        "model": model,
        "orientation": orientation if radial else None,
        "rts": rts,
        "frontier": frontier,
        "inputs": prepared.inputs,
        "outputs": prepared.outputs,
        "undesirable": prepared.undesirable,
        "formula": out["model"].iloc[0],
        "id": prepared.table.id_name,
        "time": prepared.table.time_name,
    }
    return DEAResult(prepared.table.labelled(out), prepared.table.labelled(listed.reset_index(drop=True)), options)


def _check_size(data: DEAData) -> None:
    """Warn when a period has fewer units than the usual rule max(m s, 3 (m + s)) asks for."""
    m, s = len(data.inputs), len(data.outputs) + len(data.undesirable)
    need = max(m * s, 3 * (m + s))
    small = [p for p in data.periods if len(data.rows(p)) < need]
    if small:
        warnings.warn(
            f"periods {first_items([str(p) for p in small])} have fewer units than max(m*s, 3(m+s)) = {need} for "
            f"{m} inputs and {s} outputs: many units will be efficient (Cooper, Seiford and Tone's rule of thumb)",
            IndicatorWarning,
            stacklevel=3,
        )
