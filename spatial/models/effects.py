"""Direct, indirect and total effects (LeSage and Pace 2009) with their inference.

For a lag model (SAR, SDM, SAC) a change in regressor k moves y through

    S_k = (I - rho W)^-1 (beta_k I + theta_k W)

and the average effects are: direct = mean of diag(S_k), total = mean row sum of S_k,
indirect = total - direct. They are computed numerically, never by the closed form
beta / (1 - rho), which is wrong when W has islands or is not row-standardised (RELIABILITY E6):

    direct = beta_k tr(A^-1)/n + theta_k tr(A^-1 W)/n,  with tr(A^-1) = n + rho tr(A^-1 W)
    total  = beta_k 1'A^-1 1/n + theta_k 1'A^-1 W 1/n

tr(A^-1 W) = -d ln|A| / d rho comes from the log-determinant: ``exact`` (all eigenvalues; dense,
the default up to 2000 units), ``lu`` (sparse LU with an interpolant in rho; never dense) or
``traces`` (the power series sum_j rho^j tr(W^(j+1)) truncated after ``order`` terms, with traces
exact from eigenvalues or estimated by random probes for large n). The totals use the moments
1'W^j 1 / n, which sparse products give exactly for any n.

Order of the ``traces`` series (unless given): the smallest order k >= 30 at which a rigorous bound
on the dropped tail is at most ``TRUNCATION_TOL`` = 1e-5 for every rho the effects are evaluated at
(the estimate and each simulation draw). With q = max |rho| r (r the spectral radius of W, 1 when
row-standardised) and |tr(W^m)| <= n r^m, the tail of a2 = tr(A^-1 W)/n after k terms is at most
r q^k / (1 - q), and that of a1 = tr(A^-1)/n at most |rho| times it; so each direct and indirect
effect moves by at most (|beta_k| + |theta_k|) max(1, |rho|) r q^k / (1 - q). For the delta method
the tail of d a2 / d rho, r^2 (k q^(k-1) / (1 - q) + q^k / (1 - q)^2), is bounded too. Above
``MAX_ORDER`` = 1000 terms (q above 0.977 with the delta method, above 0.984 without) the effects use
``lu`` instead, and report ``method = "lu"``.

Accuracy of ``traces`` with probes (above 2000 units; 50 probes), measured against ``lu`` on
row-standardised queen lattices: the direct and indirect effects within 8.5e-5 (relative) at
n = 100,489 and rho = 0.63 (standard errors within 3.5e-4), 4e-4 at n = 3,025 and rho = 0.6; the
totals are exact. With the order fixed at 30 the truncation grew with rho (at n = 3,025: 8e-5 for
rho = 0.90, 1.4e-2 for rho = 0.95; 1.2e-3 at n = 4,900 and rho = 0.81); the order chosen from rho
removes that error (tests in tests/spatial/models/test_effects.py with exact traces). What stays is the
probes' Monte Carlo error, which grows with rho and shrinks with n: at n = 3,025 its standard deviation
over 20 probe seeds is 2.1e-4 of the direct effect at rho = 0.6, 1.1e-3 at 0.85 and 1.6e-3 at 0.9
(more probes, or ``lu``, when that matters).

Inference: by simulation from the estimated asymptotic distribution of (rho, beta, theta) (draws
outside the admissible rho interval are redrawn; ``seed`` and ``draws`` are recorded), and by the
delta method with the analytical gradient. SLX and SDEM effects are the coefficients themselves
(direct = beta, indirect = theta) with standard errors from linear combinations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import sparse, special
from scipy.sparse import linalg as sla

from spatial.progress import progress
from spatial.choices import EffectsInference, EffectsMethod
from spatial._options import check_option
from spatial.errors import NumericalError, SpatialPanelError

if TYPE_CHECKING:
    from spatial.linalg import WeightsMatrix

__all__ = ["Effects", "effects_from_coefficients", "EffectsMethod", "EffectsInference"]

KINDS = ("direct", "indirect", "total")
_SERIES_TOL = 1e-15
TRUNCATION_TOL = 1e-5  # bound on the dropped tail of the traces series (per unit of |beta| + |theta|)
MIN_ORDER = 30  # the traces series never has fewer terms (the order used before it was chosen from rho)
MAX_ORDER = 1000  # above this the effects use sparse LU instead of the traces series


def series_order(spectral_radius: float, rho_max: float, *, derivative: bool = False) -> int | None:
    """Terms of the traces series for effects at every |rho| <= ``rho_max``: the smallest k >= ``MIN_ORDER``
    whose tail bound (see the module docstring) is at most ``TRUNCATION_TOL``; with ``derivative`` also the
    bound for d a2 / d rho (delta method). None when more than ``MAX_ORDER`` terms would be needed.

    Examples
    --------
    >>> series_order(1.0, 0.6), series_order(1.0, 0.85), series_order(1.0, 0.99)
    (30, 83, None)
    """
    r = float(spectral_radius)
    q = abs(float(rho_max)) * r
    if not q < 1.0:
        return None
    scale = max(1.0, abs(float(rho_max)))
    for k in range(MIN_ORDER, MAX_ORDER + 1):
        bound = r * q**k / (1.0 - q)
        if derivative:
            bound += r * r * (k * q ** (k - 1) / (1.0 - q) + q**k / (1.0 - q) ** 2)
        if scale * bound <= TRUNCATION_TOL:
            return k
    return None


@dataclass(frozen=True)
class Effects:
    """Average direct, indirect and total effects per regressor, with their inference.

    ``estimates``, ``std_errors``, ``zstats`` and ``pvalues`` are frames indexed by regressor with
    columns ``direct``, ``indirect``, ``total``. ``std_errors`` come from ``inference``
    (``"simulation"``, ``"delta"`` or ``"linear"`` for SLX/SDEM); both simulated and delta-method
    standard errors are kept when computed. ``z = estimate / std_error``.
    """

    variables: tuple[str, ...]
    estimates: pd.DataFrame
    std_errors: pd.DataFrame
    zstats: pd.DataFrame
    pvalues: pd.DataFrame
    method: str
    inference: str
    seed: int | None = None
    draws: int = 0
    redrawn: int = 0
    delta_std_errors: pd.DataFrame | None = None
    simulation_std_errors: pd.DataFrame | None = None
    simulation_means: pd.DataFrame | None = None
    per_unit: pd.DataFrame | None = None

    def units(self, variable: str) -> pd.DataFrame:
        """Per-unit effects of one regressor, indexed by unit id (for maps): ``direct`` (own effect),
        ``received`` and ``emitted`` (spillovers, the own effect excluded), ``total_received``,
        ``total_emitted``.

        Raises
        ------
        SpatialPanelError
            When per-unit effects were not computed, or for an unknown regressor.
        """
        if self.per_unit is None:
            raise SpatialPanelError("per-unit effects were not computed; fit with per_unit=True")
        if variable not in self.variables:
            raise SpatialPanelError(f"no effects for {variable!r}; regressors: {', '.join(self.variables)}")
        return self.per_unit[self.per_unit["variable"] == variable].drop(columns="variable")

    @property
    def direct(self) -> pd.Series:
        return self.estimates["direct"]

    @property
    def indirect(self) -> pd.Series:
        return self.estimates["indirect"]

    @property
    def total(self) -> pd.Series:
        return self.estimates["total"]

    def to_frame(self) -> pd.DataFrame:
        """One tidy row per regressor and effect: estimate, std_error, z, p_value."""
        rows = []
        for variable in self.variables:
            for kind in KINDS:
                rows.append({
                    "variable": variable, "effect": kind,
                    "estimate": self.estimates.at[variable, kind],
                    "std_error": self.std_errors.at[variable, kind],
                    "z": self.zstats.at[variable, kind],
                    "p_value": self.pvalues.at[variable, kind],
                })
        return pd.DataFrame(rows)

    def to_dict(self) -> dict:
        """The JSON form: regressor -> direct/indirect/total -> estimate, std_error, z, p_value."""
        out: dict[str, Any] = {}
        for variable in self.variables:
            out[variable] = {
                kind: {
                    "estimate": _num(self.estimates.at[variable, kind]),
                    "std_error": _num(self.std_errors.at[variable, kind]),
                    "z": _num(self.zstats.at[variable, kind]),
                    "p_value": _num(self.pvalues.at[variable, kind]),
                }
                for kind in KINDS
            }
        return out

    def summary(self) -> str:
        """A plain-text table of the effects."""
        width = max([len(v) for v in self.variables] + [8])
        how = {"simulation": f"simulation, {self.draws} draws, seed {self.seed}", "delta": "delta method",
               "linear": "linear combinations of the coefficients"}.get(self.inference, self.inference)
        lines = [f"Effects ({self.method}; standard errors by {how})",
                 f"{'':<{width}}  {'effect':<8} {'estimate':>12} {'std.err':>11} {'z':>8} {'p':>8}"]
        for variable in self.variables:
            for kind in KINDS:
                lines.append(
                    f"{variable if kind == 'direct' else '':<{width}}  {kind:<8} "
                    f"{_fmt(self.estimates.at[variable, kind], 12)} {_fmt(self.std_errors.at[variable, kind], 11)} "
                    f"{_fmt(self.zstats.at[variable, kind], 8, 'z')} {_fmt(self.pvalues.at[variable, kind], 8, 'p')}"
                )
        if self.redrawn:
            lines.append(f"({self.redrawn} draws outside the admissible rho interval (dynamic models: or not "
                         "stationary) were redrawn)")
        return "\n".join(lines)


def _num(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _fmt(value: float, width: int, kind: str = "number") -> str:
    if value is None or not math.isfinite(value):
        return f"{'n/a':>{width}}"
    if kind == "p":
        return f"{'<0.0001':>{width}}" if value < 1e-4 else f"{value:>{width}.4f}"
    if kind == "z":
        return f"{value:>{width}.3f}"
    return f"{value:>{width}.6g}"


# ---------------------------------------------------------------------------------------- kernels


class _Kernel:
    """The functions of rho behind the average effects: a2 = tr(A^-1 W)/n, t1, t2 (totals)."""

    def __init__(self, weights: WeightsMatrix, method: str, *, logdet=None, order: int = 30,
                 traces: np.ndarray | None = None) -> None:
        self.weights = weights
        self.n = weights.n
        self.method = method
        self.logdet = logdet
        self.order = order
        self.traces = traces
        self._moments: np.ndarray | None = None

    # tr(A^-1 W) / n and its derivative tr((W A^-1)^2) / n
    def a2(self, rho: np.ndarray) -> np.ndarray:
        if self.method == "traces":
            j = np.arange(self.order)
            return np.sum(rho[:, None] ** j[None, :] * self.traces[None, :self.order], axis=1) / self.n
        return -self.logdet.derivative(rho, 1) / self.n

    def a2_prime(self, rho: float) -> float:
        if self.method == "traces":
            j = np.arange(1, self.order)
            return float(np.sum(j * rho ** (j - 1) * self.traces[1:self.order]) / self.n)
        return float(-self.logdet.derivative(np.array([rho]), 2)[0] / self.n)

    # totals through the moments m_j = 1'W^j 1 / n
    def _moments_upto(self, terms: int) -> np.ndarray:
        """Scaled moments 1'(W/r)^j 1 / n (r the spectral radius, so they stay bounded)."""
        have = 0 if self._moments is None else len(self._moments)
        if have < terms + 2:
            W = self.weights.matrix / self.weights.spectral_radius()
            vector = np.ones(self.n)
            values = [1.0]
            for _ in range(terms + 1):
                vector = W @ vector
                values.append(float(vector.mean()))
            self._moments = np.array(values)
        return self._moments

    def _terms(self, rho_max: float) -> int | None:
        q = abs(rho_max) * self.weights.spectral_radius()
        if q >= 0.999:
            return None
        return max(10, int(math.ceil(math.log(_SERIES_TOL) / math.log(max(q, 1e-3)))) + 5)

    def totals(self, rho: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.weights.row_stochastic and not self.weights.islands:
            # every row sums to one: W 1 = 1, so A^-1 1 = A^-1 W 1 = 1 / (1 - rho) exactly
            value = 1.0 / (1.0 - rho)
            return value, value.copy()
        near = np.abs(rho) * self.weights.spectral_radius() >= 0.999
        if near.any():  # the series converges too slowly there: sparse solves for those draws only
            t1, t2 = np.empty(len(rho)), np.empty(len(rho))
            t1[near], t2[near] = self._totals_by_solves(rho[near])
            if (~near).any():
                t1[~near], t2[~near] = self.totals(rho[~near])
            return t1, t2
        terms = self._terms(float(np.max(np.abs(rho))))
        m, r = self._moments_upto(terms), self.weights.spectral_radius()
        j = np.arange(terms + 1)
        powers = (rho[:, None] * r) ** j[None, :]  # rho^j m_j = (rho r)^j (scaled m_j)
        return powers @ m[: terms + 1], r * (powers @ m[1 : terms + 2])

    def totals_prime(self, rho: float) -> tuple[float, float]:
        if self.weights.row_stochastic and not self.weights.islands:
            value = 1.0 / (1.0 - rho) ** 2  # d/drho of 1 / (1 - rho), as in totals
            return value, value
        terms = self._terms(abs(rho))
        if terms is None:
            return self._totals_prime_by_solves(rho)
        m, r = self._moments_upto(terms), self.weights.spectral_radius()
        j = np.arange(1, terms + 1)
        weights = j * (rho * r) ** (j - 1)
        return float(r * (weights @ m[1 : terms + 1])), float(r * r * (weights @ m[2 : terms + 2]))

    def _solver(self, rho: float):
        a = sparse.csc_matrix(sparse.identity(self.n) - rho * self.weights.matrix)
        try:
            return sla.splu(a)
        except RuntimeError as exc:
            raise NumericalError(f"I - {rho:.6g} W is singular while computing effects: {exc}") from None

    def _totals_by_solves(self, rho: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        W = self.weights.matrix
        ones = np.ones(self.n)
        w1 = W @ ones
        t1, t2 = np.empty(len(rho)), np.empty(len(rho))
        with progress("effects draws (sparse solves)", len(rho)) as advance:
            for i, r in enumerate(rho):
                lu = self._solver(float(r))
                z = lu.solve(np.column_stack([ones, w1]))
                t1[i], t2[i] = z[:, 0].mean(), z[:, 1].mean()
                advance()
        return t1, t2

    def _totals_prime_by_solves(self, rho: float) -> tuple[float, float]:
        W = self.weights.matrix
        lu = self._solver(rho)
        ones = np.ones(self.n)
        z = lu.solve(np.column_stack([ones, W @ ones]))
        left = lu.solve(ones, trans="T")  # A^-T 1
        return float(left @ (W @ z[:, 0]) / self.n), float(left @ (W @ z[:, 1]) / self.n)


def _make_kernel(weights: WeightsMatrix, method: str, *, logdet=None, order: int | None = None, seed: int = 0,
                 probes: int = 50, rho_max: float | None = None, rho_delta: float | None = None) -> _Kernel:
    """The kernel of ``method``; for ``traces`` without an ``order``, the order comes from :func:`series_order`
    at ``rho_max`` (the largest |rho| the kernel will see) and, with the derivative bound, at ``rho_delta`` (the
    estimate, when delta-method standard errors are wanted); above ``MAX_ORDER`` terms the kernel is ``lu``."""
    from spatial.linalg import DENSE_LIMIT, EigenLogDet, Interval, LULogDet, power_traces, rho_interval

    if method == "traces" and order is None:
        orders = [MIN_ORDER]
        if rho_max is not None:
            orders.append(series_order(weights.spectral_radius(), rho_max))
        if rho_delta is not None:
            orders.append(series_order(weights.spectral_radius(), rho_delta, derivative=True))
        order = None if None in orders else max(orders)
        if order is None:
            method = "lu"
    if method == "exact":
        return _Kernel(weights, method, logdet=logdet if isinstance(logdet, EigenLogDet) else EigenLogDet(weights))
    if method == "lu":
        if not isinstance(logdet, LULogDet):
            interval = rho_interval(weights, use_eigenvalues=weights.n <= DENSE_LIMIT)
            logdet = LULogDet(weights, Interval(interval.lower, interval.upper, interval.source))
        return _Kernel(weights, method, logdet=logdet)
    traces = power_traces(weights, order, exact=weights.n <= DENSE_LIMIT, probes=probes, seed=seed)
    return _Kernel(weights, method, order=order, traces=traces)


# ---------------------------------------------------------------------------------------- effects


def _frames(variables: list[str], values: dict[str, np.ndarray]) -> pd.DataFrame:
    return pd.DataFrame({k: values[k] for k in KINDS}, index=pd.Index(variables, name="variable"))


def _lag_point(kernel: _Kernel, rho: np.ndarray, beta: np.ndarray, theta: np.ndarray) -> dict[str, np.ndarray]:
    """Effects for draws: rho (D,), beta and theta (D, K) -> arrays (D, K)."""
    a2 = kernel.a2(rho)
    a1 = 1.0 + rho * a2
    t1, t2 = kernel.totals(rho)
    direct = beta * a1[:, None] + theta * a2[:, None]
    total = beta * t1[:, None] + theta * t2[:, None]
    return {"direct": direct, "indirect": total - direct, "total": total}


def _delta(kernel: _Kernel, rho: float, beta: np.ndarray, theta: np.ndarray, cov: np.ndarray,
           has_theta: np.ndarray) -> dict[str, np.ndarray]:
    """Delta-method standard errors; ``cov`` is ordered (rho, beta_1..K, theta_1..K)."""
    a2 = float(kernel.a2(np.array([rho]))[0])
    a1 = 1.0 + rho * a2
    d_a2 = kernel.a2_prime(rho)
    d_a1 = a2 + rho * d_a2
    t1, t2 = (float(v[0]) for v in kernel.totals(np.array([rho])))
    d_t1, d_t2 = kernel.totals_prime(rho)
    K = len(beta)
    out = {kind: np.empty(K) for kind in KINDS}
    for k in range(K):
        grads = {}
        g = np.zeros(1 + 2 * K)
        g[0], g[1 + k], g[1 + K + k] = beta[k] * d_a1 + theta[k] * d_a2, a1, a2 if has_theta[k] else 0.0
        grads["direct"] = g
        g = np.zeros(1 + 2 * K)
        g[0], g[1 + k], g[1 + K + k] = beta[k] * d_t1 + theta[k] * d_t2, t1, t2 if has_theta[k] else 0.0
        grads["total"] = g
        grads["indirect"] = grads["total"] - grads["direct"]
        for kind in KINDS:
            out[kind][k] = math.sqrt(max(float(grads[kind] @ cov @ grads[kind]), 0.0))
    return out


def truncated_draws(mean: np.ndarray, cov: np.ndarray, draws: int, seed: int, accept,
                    what: str = "draw of rho falls outside its admissible interval") -> tuple[np.ndarray, int]:
    """``draws`` rows from N(mean, cov) for which ``accept(sample) -> bool array`` holds (the others are
    redrawn and counted), with the numpy generator seeded by ``seed``."""
    rng = np.random.default_rng(seed)
    kept: list[np.ndarray] = []
    redrawn = 0
    need = draws
    for _ in range(100):
        sample = rng.multivariate_normal(mean, cov, size=need, method="eigh")
        inside = accept(sample)
        kept.append(sample[inside])
        redrawn += int((~inside).sum())
        need = draws - sum(len(k) for k in kept)
        if need <= 0:
            break
    sample = np.vstack(kept)[:draws]
    if len(sample) < draws:
        raise NumericalError(f"effects simulation: almost every {what}")
    return sample, redrawn


def _simulate(kernel: _Kernel, sample: np.ndarray, K: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Standard deviations and means of the effects over draws of (rho, beta, theta) (rows of ``sample``)."""
    values = _lag_point(kernel, sample[:, 0], sample[:, 1 : 1 + K], sample[:, 1 + K : 1 + 2 * K])
    sd = {kind: values[kind].std(axis=0, ddof=1) for kind in KINDS}
    means = {kind: values[kind].mean(axis=0) for kind in KINDS}
    return sd, means


def _per_unit(weights: WeightsMatrix, rho: float, names: list[str], beta: np.ndarray,
              theta: np.ndarray) -> pd.DataFrame:
    """Per unit: direct effect (diagonal of S_k), spillover received (row sum - diagonal) and emitted
    (column sum - diagonal), and the totals received and emitted."""
    W = weights.matrix
    n = weights.n
    Ainv = weights.dense_inverse(rho)
    diag_a = np.diag(Ainv)
    diag_aw = np.asarray((W.T.multiply(Ainv)).sum(axis=1)).ravel()  # diag(A^-1 W)_i = sum_j A^-1_ij W_ji
    ones = np.ones(n)
    row_a, row_aw = Ainv @ ones, Ainv @ (W @ ones)
    col_a = ones @ Ainv
    col_aw = W.T @ col_a  # (1'A^-1 W)'
    frames = []
    for k, name in enumerate(names):
        direct = beta[k] * diag_a + theta[k] * diag_aw
        received = beta[k] * row_a + theta[k] * row_aw
        emitted = beta[k] * col_a + theta[k] * col_aw
        frames.append(pd.DataFrame({
            "variable": name, "direct": direct, "received": received - direct,
            "emitted": emitted - direct, "total_received": received, "total_emitted": emitted,
        }, index=pd.Index(list(weights.ids), name="id")))
    return pd.concat(frames)


def lag_effects(
    weights: WeightsMatrix,
    *,
    names: list[str],
    rho: float,
    beta: np.ndarray,
    theta: np.ndarray,
    has_theta: np.ndarray,
    cov: np.ndarray | None,
    interval: tuple[float, float],
    method: str,
    inference: str,
    draws: int,
    seed: int,
    logdet=None,
    per_unit: bool = False,
    order: int | None = None,
) -> Effects:
    """Effects of a lag model; ``cov`` is ordered (rho, beta_1..K, theta_1..K) (None: no inference).

    ``order`` fixes the terms of the ``traces`` series; None chooses them from the largest |rho| used (the
    estimate and every simulation draw; see :func:`series_order`)."""
    sample, redrawn = None, 0
    if cov is not None and inference == "simulation" and draws > 0:
        # drawn before the kernel is built so that the traces series is long enough for every draw
        mean = np.concatenate([[rho], beta, np.where(has_theta, theta, 0.0)])
        cov_draw = cov.copy()
        # regressors without a W lag have theta fixed at zero: no variance
        fixed = np.concatenate([[False], np.zeros(len(beta), bool), ~has_theta])
        cov_draw[fixed, :] = 0.0
        cov_draw[:, fixed] = 0.0
        sample, redrawn = truncated_draws(mean, cov_draw, draws, seed,
                                          lambda s: (s[:, 0] > interval[0]) & (s[:, 0] < interval[1]))
    rho_max = abs(rho) if sample is None else max(abs(rho), float(np.max(np.abs(sample[:, 0]))))
    kernel = _make_kernel(weights, method, logdet=logdet, order=order, seed=seed, rho_max=rho_max,
                          rho_delta=abs(rho) if cov is not None else None)
    method = kernel.method
    point = _lag_point(kernel, np.array([rho]), beta[None, :], theta[None, :])
    estimates = _frames(names, {k: v[0] for k, v in point.items()})
    delta_se = sim_se = sim_mean = None
    if cov is not None:
        delta_se = _frames(names, _delta(kernel, rho, beta, theta, cov, has_theta))
        if sample is not None:
            sd, means = _simulate(kernel, sample, len(beta))
            sim_se, sim_mean = _frames(names, sd), _frames(names, means)
    if cov is None:
        se = estimates * np.nan
        used = "none"
    elif inference == "simulation" and sim_se is not None:
        se, used = sim_se, "simulation"
    else:
        se, used = delta_se, "delta"
    z = estimates / se
    p = pd.DataFrame(2 * special.ndtr(-np.abs(z.to_numpy())), index=z.index, columns=z.columns)
    units = _per_unit(weights, rho, names, beta, theta) if per_unit else None
    return Effects(
        variables=tuple(names), estimates=estimates, std_errors=se, zstats=z, pvalues=p, method=method,
        inference=used, seed=seed if used == "simulation" else None, draws=draws if used == "simulation" else 0,
        redrawn=redrawn, delta_std_errors=delta_se, simulation_std_errors=sim_se, simulation_means=sim_mean,
        per_unit=units,
    )


def coefficient_effects(names: list[str], beta: np.ndarray, theta: np.ndarray, cov: np.ndarray,
                        has_theta: np.ndarray, *, dist: str = "normal", df: int | None = None) -> Effects:
    """SLX / SDEM: direct = beta, indirect = theta, total = beta + theta; ``cov`` over (beta, theta)."""
    K = len(names)
    est, se = {k: np.empty(K) for k in KINDS}, {k: np.empty(K) for k in KINDS}
    for k in range(K):
        gradients = {"direct": np.zeros(2 * K), "indirect": np.zeros(2 * K)}
        gradients["direct"][k] = 1.0
        if has_theta[k]:
            gradients["indirect"][K + k] = 1.0
        gradients["total"] = gradients["direct"] + gradients["indirect"]
        values = np.concatenate([beta, np.where(has_theta, theta, 0.0)])
        for kind in KINDS:
            est[kind][k] = float(gradients[kind] @ values)
            se[kind][k] = math.sqrt(max(float(gradients[kind] @ cov @ gradients[kind]), 0.0))
    estimates, std = _frames(names, est), _frames(names, se)
    z = estimates / std
    tail = special.stdtr(df, -np.abs(z.to_numpy())) if dist == "t" else special.ndtr(-np.abs(z.to_numpy()))
    p = pd.DataFrame(2 * tail, index=z.index, columns=z.columns)
    return Effects(variables=tuple(names), estimates=estimates, std_errors=std, zstats=z, pvalues=p,
                   method="coefficients", inference="linear")


def effects_from_coefficients(
    weights: Any,
    *,
    rho: float,
    beta: dict[str, float],
    theta: dict[str, float] | None = None,
    method: EffectsMethod = "auto",
    order: int | None = None,
    per_unit: bool = False,
) -> Effects:
    """Effects implied by given coefficients, e.g. to check a published table.

    Parameters
    ----------
    weights
        The weights (libpysal ``Graph`` or ``W``) as used in the model, e.g. row-standardised.
    rho
        The spatial lag coefficient.
    beta, theta
        Coefficients of each regressor and of its spatial lag (SDM); theta defaults to zero.
    method
        ``"exact"`` (all eigenvalues; default up to 2000 units), ``"lu"`` (sparse, any n) or
        ``"traces"`` (power series with ``order`` terms; by default as many as rho needs for a truncation
        error below 1e-5, see :mod:`spatial.models.effects`; sparse LU when that is more than 1000).
    per_unit
        Also return each unit's direct effect and the spillovers it receives and emits (dense).

    Raises
    ------
    SpatialPanelError
        For unknown names in ``theta``, or rho outside the admissible interval.
    WeightsError
        For invalid weights (see :func:`spatial.models.fit`); islands are allowed here.

    Examples
    --------
    >>> from libpysal.graph import Graph
    >>> from spatial import datasets
    >>> from spatial.models.effects import effects_from_coefficients
    >>> w = Graph.build_contiguity(datasets.load("us48_states").set_index("fips"), rook=False).transform("r")
    >>> eff = effects_from_coefficients(w, rho=0.4, beta={"x": 1.0}, theta={"x": 0.5})
    >>> round(float(eff.total["x"]), 6)  # (1 + 0.5) / (1 - 0.4) for a row-standardised W without islands
    2.5
    >>> round(float(eff.direct["x"] + eff.indirect["x"]), 6)
    2.5
    """
    from spatial.linalg import DENSE_LIMIT, rho_interval
    from spatial.linalg import weights_matrix

    check_option("method", method, EffectsMethod)
    matrix = weights_matrix(weights, allow_islands=True)
    theta = dict(theta or {})
    unknown = [name for name in theta if name not in beta]
    if unknown:
        raise SpatialPanelError(f"theta names regressors that beta lacks: {unknown}; give beta for each")
    names = list(beta)
    interval = rho_interval(matrix, use_eigenvalues=matrix.n <= DENSE_LIMIT)
    if not interval.lower < rho < interval.upper:
        raise SpatialPanelError(
            f"rho = {rho} is outside the admissible interval ({interval.lower:.6g}, {interval.upper:.6g}) "
            "of these weights"
        )
    if method == "auto":
        method = "exact" if matrix.n <= DENSE_LIMIT else "lu"
    b = np.array([float(beta[name]) for name in names])
    t = np.array([float(theta.get(name, 0.0)) for name in names])
    return lag_effects(
        matrix, names=names, rho=float(rho), beta=b, theta=t, has_theta=np.array([n in theta for n in names]),
        cov=None, interval=(interval.lower, interval.upper), method=method, inference="delta", draws=0, seed=0,
        per_unit=per_unit, order=order,
    )
