"""Batched linear programs of DEA: many units' envelopment problems solved together by HiGHS.

Every DEA model here evaluates a unit ``o`` with a program of the same shape::

    minimise    c_o' e
    subject to  R lam + A_o e  (<= or =)  b_o      (one row per input / output / convexity)
                lam >= 0, e within its bounds

where ``R`` (rows x K) holds the reference units (the same for every evaluated unit) and the
small block ``A_o``, ``b_o``, ``c_o`` the unit's own data. Two ideas make thousands of these fast:

* **column generation**: only units on the frontier ever get ``lam > 0``, so each program is first
  solved over a small shared set of candidate reference units; the duals of that restricted
  program price *all* K columns at once (one matrix product), and any column with a negative
  reduced cost is added and the program solved again. When no column prices out the restricted
  optimum is the optimum of the full program (LP duality), so the answer is exact;
* **batching**: the restricted programs of a few hundred units are stacked block-diagonally into
  one sparse program, so HiGHS is called a handful of times instead of once per unit.

A batch that HiGHS reports infeasible is solved unit by unit over all K columns, which names the
units whose own program is infeasible. :func:`solve_each` is that plain per-unit loop, kept as
the reference the batched solver is tested and benchmarked against.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

__all__ = ["Programs", "Solution", "solve_batched", "solve_each"]

_TOL = 1e-9  # reduced cost below -_TOL (data scaled to mean 1) brings a column in
_BATCH = 400  # units per stacked program
_ADD = 6  # columns added per unit and round
_SHARED = 24  # columns most used by earlier batches, offered to every unit of the next


@dataclass(frozen=True)
class Programs:
    """The programs of n units sharing the reference matrix ``ref`` (q x K).

    ``a`` (n, q, p), ``b`` (n, q) and ``c`` (n, p) are each unit's block; ``eq`` (q,) marks
    equality rows; ``lower`` / ``upper`` (n, p) bound the unit's own variables (``None`` means
    0 and unbounded); ``exclude`` (n,) is a reference column a unit may not use (-1: none);
    ``own`` (n,) a reference column always open to the unit (its own data when it belongs to the
    reference set, so that every restricted program stays feasible).
    """

    ref: np.ndarray
    eq: np.ndarray
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    lower: np.ndarray | None = None
    upper: np.ndarray | None = None
    exclude: np.ndarray | None = None
    own: np.ndarray | None = None

    @property
    def n(self) -> int:
        return self.a.shape[0]

    def subset(self, rows: np.ndarray) -> Programs:
        pick = lambda v: None if v is None else v[rows]  # noqa: E731
        return Programs(
            self.ref, self.eq, self.a[rows], self.b[rows], self.c[rows], pick(self.lower), pick(self.upper),
            pick(self.exclude), pick(self.own),
        )

    def opened(self) -> Programs:
        """The own reference column of each unit moved into its block (a last own variable >= 0)."""
        if self.own is None:
            return self
        column = self.ref[:, self.own].T[:, :, None]
        n, p = self.n, self.a.shape[2]
        lower = np.zeros((n, p + 1)) if self.lower is None else np.column_stack([self.lower, np.zeros(n)])
        upper = np.full((n, p + 1), np.inf) if self.upper is None else np.column_stack([self.upper, np.full(n, np.inf)])
        return Programs(
            self.ref, self.eq, np.concatenate([self.a, column], axis=2), self.b,
            np.column_stack([self.c, np.zeros(n)]), lower, upper, self.exclude, None,
        )


@dataclass(frozen=True)
class Solution:
    """``objective`` (n,), own variables ``e`` (n, p), ``lam_sum`` (n,) and ``status`` (n,):
    0 solved, 2 infeasible, 3 unbounded, 4 numerical trouble (values NaN unless solved)."""

    objective: np.ndarray
    e: np.ndarray
    lam_sum: np.ndarray
    status: np.ndarray
    rounds: int = 0
    programs: int = 0


def _bounds(prog: Programs, allowed: np.ndarray) -> np.ndarray:
    """Bounds of the stacked variables: lam in [0, inf) (0 where not allowed), then the unit's own."""
    n, width = allowed.shape[0], allowed.shape[1] + prog.a.shape[2]
    lower = np.zeros((n, width))
    upper = np.full((n, width), np.inf)
    upper[:, : allowed.shape[1]] = np.where(allowed, np.inf, 0.0)
    if prog.lower is not None:
        lower[:, allowed.shape[1] :] = prog.lower
    if prog.upper is not None:
        upper[:, allowed.shape[1] :] = prog.upper
    return np.column_stack([lower.reshape(-1), upper.reshape(-1)])


def _solve_stacked(prog: Programs, cols: np.ndarray, allowed: np.ndarray):
    """The block-diagonal program of all units, unit i over reference columns ``cols[i]``.

    Returns ``(lam, own variables, duals)`` or ``None`` when HiGHS finds no optimum.
    """
    n, q, p = prog.a.shape
    k = cols.shape[1]
    width = k + p
    block = np.concatenate([prog.ref[:, cols].transpose(1, 0, 2), prog.a], axis=2)
    rows = np.broadcast_to((np.arange(n)[:, None] * q + np.arange(q)[None, :])[:, :, None], (n, q, width))
    columns = np.broadcast_to((np.arange(n)[:, None] * width + np.arange(width)[None, :])[:, None, :], (n, q, width))
    values = block.reshape(-1)
    keep = values != 0
    matrix = sp.csr_matrix(
        (values[keep], (rows.reshape(-1)[keep], columns.reshape(-1)[keep])), shape=(n * q, n * width)
    )
    is_eq = np.tile(prog.eq, n)
    cost = np.concatenate([np.zeros((n, k)), prog.c], axis=1).reshape(-1)
    rhs = prog.b.reshape(-1)
    ub, eq = ~is_eq, is_eq
    res = linprog(
        cost,
        A_ub=matrix[ub] if ub.any() else None,
        b_ub=rhs[ub] if ub.any() else None,
        A_eq=matrix[eq] if eq.any() else None,
        b_eq=rhs[eq] if eq.any() else None,
        bounds=_bounds(prog, allowed),
        method="highs-ds",
    )
    if res.status != 0:
        return None
    duals = np.zeros(n * q)
    if ub.any():
        duals[ub] = res.ineqlin.marginals
    if eq.any():
        duals[eq] = res.eqlin.marginals
    x = res.x.reshape(n, width)
    return x[:, :k], x[:, k:], duals.reshape(n, q)


def _single(prog: Programs, i: int):
    """One unit's program over all reference columns (the plain loop)."""
    one = prog.subset(np.array([i]))
    k = prog.ref.shape[1]
    allowed = np.ones((1, k), bool)
    if one.exclude is not None and one.exclude[0] >= 0:
        allowed[0, one.exclude[0]] = False
    res = _solve_stacked(one, np.arange(k)[None, :], allowed)
    if res is None:
        return 2, np.nan, np.full(one.a.shape[2], np.nan), np.nan
    lam, own, _ = res
    return 0, float(one.c[0] @ own[0]), own[0], float(lam.sum())


def solve_each(prog: Programs) -> Solution:
    """Every unit's program over all K reference columns, one HiGHS call each (the reference)."""
    n, p = prog.n, prog.a.shape[2]
    objective, e, lam, status = np.full(n, np.nan), np.full((n, p), np.nan), np.full(n, np.nan), np.zeros(n, int)
    for i in range(n):
        status[i], objective[i], e[i], lam[i] = _single(prog, i)
    return Solution(objective, e, lam, status, rounds=1, programs=n)


def solve_batched(prog: Programs, *, batch: int = _BATCH, max_rounds: int = 60) -> Solution:
    """Every unit's program by batched column generation (exact; see the module docstring).

    Each unit starts from a few shared candidate columns (the reference units best on each row,
    and those most used by the previous batch) and gains, round by round, the columns its duals
    price out, so every block of the stacked program stays a few dozen columns wide.
    """
    n, p = prog.n, prog.a.shape[2]
    own = prog.own is not None
    full, prog = prog, prog.opened()
    k = prog.ref.shape[1]
    objective, e, lam, status = np.full(n, np.nan), np.full((n, p), np.nan), np.full(n, np.nan), np.zeros(n, int)
    seed = np.unique(np.concatenate([np.argmax(prog.ref, axis=1), np.argmin(prog.ref, axis=1)]))
    usage = np.zeros(k)
    rounds = programs = 0
    for start in range(0, n, batch):
        todo = np.arange(start, min(start + batch, n))
        popular = np.argsort(-usage)[: _SHARED] if usage.any() else np.array([], dtype=np.int64)
        shared = np.unique(np.concatenate([seed, popular[usage[popular] > 0]]))
        cols = np.broadcast_to(shared, (todo.size, shared.size)).copy()
        for _ in range(max_rounds):
            if todo.size == 0:
                break
            sub = prog.subset(todo)
            allowed = cols >= 0
            if sub.exclude is not None:
                allowed &= cols != sub.exclude[:, None]
            solved = _solve_stacked(sub, np.maximum(cols, 0), allowed)
            rounds, programs = rounds + 1, programs + 1
            if solved is None:  # an infeasible (or troubled) restricted batch: settle it unit by unit
                for i in todo:
                    status[i], objective[i], e[i], lam[i] = _single(full, i)
                    programs += 1
                todo = np.array([], dtype=np.int64)
                break
            lam_part, mine, duals = solved
            np.add.at(usage, np.maximum(cols, 0)[lam_part > 1e-12], 1.0)
            reduced = -(duals @ prog.ref)  # (units, K): the price of every reference column
            rows = np.arange(todo.size)[:, None]
            reduced[np.broadcast_to(rows, cols.shape)[cols >= 0], cols[cols >= 0]] = np.inf
            if sub.exclude is not None:
                mask = sub.exclude >= 0
                reduced[np.flatnonzero(mask), sub.exclude[mask]] = np.inf
            done = reduced.min(axis=1) >= -_TOL
            best = np.zeros((todo.size, _ADD), dtype=np.int64)
            if (~done).any():
                open_rows = reduced[~done]
                best[~done] = np.argpartition(open_rows, min(_ADD, k - 1), axis=1)[:, :_ADD]
            entering = (np.take_along_axis(reduced, best, axis=1) < -_TOL) & ~done[:, None]
            for row, i in zip(np.flatnonzero(done), todo[done], strict=True):
                objective[i] = float(sub.c[row] @ mine[row])
                e[i] = mine[row, :p]
                lam[i] = float(lam_part[row].sum() + (mine[row, p] if own else 0.0))
            keep = ~done
            cols = np.concatenate([cols[keep], np.where(entering[keep], best[keep], -1)], axis=1)
            cols = _compact(cols)
            todo = todo[keep]
        else:
            for i in todo:  # did not settle in max_rounds: the plain program
                status[i], objective[i], e[i], lam[i] = _single(full, i)
                programs += 1
    return Solution(objective, e, lam, status, rounds=rounds, programs=programs)


def _compact(cols: np.ndarray) -> np.ndarray:
    """Move the -1 paddings of each row to the end and drop all-padding columns."""
    order = np.argsort(cols < 0, axis=1, kind="stable")
    cols = np.take_along_axis(cols, order, axis=1)
    used = (cols >= 0).any(axis=0)
    return cols[:, used]
