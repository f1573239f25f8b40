"""Short- and long-run effects of a dynamic spatial panel (Debarsy, Ertur and LeSage 2012; Elhorst 2014).

For regressor k, with S = I - rho W:

    short run  S_k = (I - rho W)^-1 (beta_k I + theta_k W)
    long run   L_k = ((1 - tau) I - (rho + eta) W)^-1 (beta_k I + theta_k W)
                   = (I - rho* W)^-1 (beta_k I + theta_k W) / (1 - tau),  rho* = (rho + eta) / (1 - tau)

Direct = mean diagonal, total = mean row sum, indirect = total - direct, computed numerically by
the kernels of :mod:`spatial.models.effects` (never the closed forms, which islands or a W that is
not row-standardised break). Long-run effects exist only for a stationary process.

Inference by simulation: (rho, tau, eta, beta, theta) are drawn from the estimated asymptotic
normal distribution (``draws`` and ``seed`` recorded); a draw with rho outside its interval, or
(for the long run) a non-stationary draw, is redrawn and counted, so both blocks use the same draws.
Delta-method standard errors (central-difference gradient) are kept beside them
(``delta_std_errors``) and used when ``draws=0``. Near the stationarity bound the long-run effects
are heavy-tailed in the draws (1/(1 - tau - rho - eta)), so their simulated standard errors can be
much larger than the delta-method ones; both are reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from spatial.progress import progress
from spatial.models._dynamic import largest_moduli
from spatial.models.effects import KINDS, Effects, _frames, _lag_point, _make_kernel, _per_unit, truncated_draws

__all__ = ["dynamic_effects"]


def _long_run_args(rho, tau, eta, beta, theta):
    """rho* and the scaled coefficients of the long-run multiplier (arrays over draws)."""
    scale = 1.0 / (1.0 - tau)
    return (rho + eta) * scale, beta * scale[:, None], theta * scale[:, None]


def _stationary(weights, rho, tau, eta, omega_range) -> np.ndarray:
    """Per draw: is the process stationary (largest eigenvalue modulus of A below 1, and tau < 1)?

    Over all eigenvalues of W when they are known, else over the ends of ``omega_range`` (see
    :func:`stability`)."""
    omega = weights.eigenvalues() if omega_range is None else np.array(omega_range, dtype="float64")
    out = np.empty(len(rho), bool)
    with progress("effects draws: stationarity (blocks of 64)", -(-len(rho) // 64)) as advance:
        for start in range(0, len(rho), 64):
            block = slice(start, start + 64)
            out[block] = largest_moduli(rho[block], tau[block], eta[block], omega) < 1.0
            advance()
    return out & (tau < 1.0)


def _finish(names, estimates: pd.DataFrame, se: pd.DataFrame | None, means, method, draws, seed, redrawn,
            units, delta: pd.DataFrame | None = None) -> Effects:
    used = "simulation" if draws else "delta" if delta is not None else "none"
    if se is None:
        se = delta if delta is not None else estimates * np.nan
    z = estimates / se
    p = pd.DataFrame(2 * special.ndtr(-np.abs(z.to_numpy())), index=z.index, columns=z.columns)
    return Effects(variables=tuple(names), estimates=estimates, std_errors=se, zstats=z, pvalues=p, method=method,
                   inference=used, seed=seed if draws else None, draws=draws, redrawn=redrawn,
                   delta_std_errors=delta, simulation_std_errors=se if draws else None, simulation_means=means,
                   per_unit=units)


def dynamic_effects(weights, *, regressors: list[str], names: list[str], estimates: np.ndarray, cov: np.ndarray,
                    interval: tuple[float, float], method: str, draws: int, seed: int, logdet=None,
                    per_unit: bool = False, omega_range: tuple[float, float] | None = None,
                    long_run: bool = True) -> tuple[Effects, Effects | None]:
    """Short-run and (for a stationary estimate, ``long_run``) long-run effects with simulated inference.

    ``names`` and ``estimates`` are the model's parameters (``tau``, ``eta``, regressors,
    ``W*<regressor>``, ``rho``); ``cov`` their covariance.
    """
    index = {n: i for i, n in enumerate(names)}
    K = len(regressors)
    has_theta = np.array([f"W*{r}" in index for r in regressors])
    # positions in the draw vector: rho, tau, eta, beta_1..K, theta_1..K (absent terms fixed at zero)
    wanted = ["rho", "tau", "eta", *regressors, *[f"W*{r}" for r in regressors]]
    present = np.array([w in index for w in wanted])
    mean = np.array([float(estimates[index[w]]) if w in index else 0.0 for w in wanted])
    sub = np.zeros((len(wanted), len(wanted)))
    pos = [index[w] for w in wanted if w in index]
    sub[np.ix_(present, present)] = cov[np.ix_(pos, pos)]
    rho, tau, eta = mean[0:1], mean[1:2], mean[2:3]
    beta, theta = mean[None, 3:3 + K], mean[None, 3 + K:]
    sample, redrawn = None, 0
    if draws > 0 and np.all(np.isfinite(sub)):  # drawn first: the traces series must be long enough for each draw
        sample, redrawn = _draw(weights, mean, sub, draws, seed, interval, omega_range, long_run)
    # every rho the kernel sees: the short-run rho and the long-run rho* = (rho + eta) / (1 - tau), of the
    # estimate (also where the delta method differentiates) and of each draw
    point_rhos = np.abs(np.concatenate([rho, _long_run_args(rho, tau, eta, beta, theta)[0] if long_run else []]))
    drawn_rhos = [] if sample is None else np.abs(np.concatenate(
        [sample[:, 0], (sample[:, 0] + sample[:, 2]) / (1.0 - sample[:, 1]) if long_run else []]))
    kernel = _make_kernel(weights, method, logdet=logdet, seed=seed,
                          rho_max=float(np.max(np.concatenate([point_rhos, drawn_rhos]))),
                          rho_delta=float(np.max(point_rhos)) if np.all(np.isfinite(sub)) else None)
    method = kernel.method
    point_sr = _lag_point(kernel, rho, beta, theta)
    sr_est = _frames(regressors, {k: v[0] for k, v in point_sr.items()})
    lr_est = None
    if long_run:
        point_lr = _lag_point(kernel, *_long_run_args(rho, tau, eta, beta, theta))
        lr_est = _frames(regressors, {k: v[0] for k, v in point_lr.items()})
    sr_se = lr_se = sr_mean = lr_mean = None
    if sample is not None:
        d_rho, d_tau, d_eta = sample[:, 0], sample[:, 1], sample[:, 2]
        d_beta, d_theta = sample[:, 3:3 + K], sample[:, 3 + K:]
        values = _lag_point(kernel, d_rho, d_beta, d_theta)
        sr_se = _frames(regressors, {k: values[k].std(axis=0, ddof=1) for k in KINDS})
        sr_mean = _frames(regressors, {k: values[k].mean(axis=0) for k in KINDS})
        if long_run:
            values = _lag_point(kernel, *_long_run_args(d_rho, d_tau, d_eta, d_beta, d_theta))
            lr_se = _frames(regressors, {k: values[k].std(axis=0, ddof=1) for k in KINDS})
            lr_mean = _frames(regressors, {k: values[k].mean(axis=0) for k in KINDS})
    sr_delta = lr_delta = None
    if np.all(np.isfinite(sub)):
        sr_delta, lr_delta = _delta(kernel, mean, sub, K, regressors, long_run)
    theta_point = np.where(has_theta, theta[0], 0.0)
    sr_units = lr_units = None
    if per_unit:
        sr_units = _per_unit(weights, float(rho[0]), regressors, beta[0], theta_point)
        if long_run:
            r_star, b_star, t_star = _long_run_args(rho, tau, eta, beta, theta)
            lr_units = _per_unit(weights, float(r_star[0]), regressors, b_star[0], np.where(has_theta, t_star[0], 0.0))
    short = _finish(regressors, sr_est, sr_se, sr_mean, method, draws if sr_se is not None else 0, seed, redrawn,
                    sr_units, sr_delta)
    long = None
    if long_run:
        long = _finish(regressors, lr_est, lr_se, lr_mean, method, draws if lr_se is not None else 0, seed, redrawn,
                       lr_units, lr_delta)
    return short, long


def _delta(kernel, mean: np.ndarray, cov: np.ndarray, K: int, regressors: list[str], long_run: bool):
    """Delta-method standard errors with a central-difference gradient in (rho, tau, eta, beta, theta)."""

    def point(vector: np.ndarray, long: bool) -> np.ndarray:
        rho, tau, eta = vector[0:1], vector[1:2], vector[2:3]
        beta, theta = vector[None, 3:3 + K], vector[None, 3 + K:]
        args = _long_run_args(rho, tau, eta, beta, theta) if long else (rho, beta, theta)
        values = _lag_point(kernel, *args)
        return np.concatenate([values[k][0] for k in KINDS])

    out = []
    for long in (False, True) if long_run else (False,):
        columns = []
        for j in range(len(mean)):
            if cov[j, j] <= 0:
                columns.append(np.zeros(3 * K))
                continue
            h = 1e-6 * max(1.0, abs(mean[j]))
            up, down = mean.copy(), mean.copy()
            up[j] += h
            down[j] -= h
            columns.append((point(up, long) - point(down, long)) / (2 * h))
        jacobian = np.column_stack(columns)
        se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", jacobian, cov, jacobian), 0.0)).reshape(3, K)
        out.append(_frames(regressors, {k: se[i] for i, k in enumerate(KINDS)}))
    return out[0], (out[1] if long_run else None)


def _draw(weights, mean, cov, draws, seed, interval, omega_range, long_run) -> tuple[np.ndarray, int]:
    def accept(sample: np.ndarray) -> np.ndarray:
        inside = (sample[:, 0] > interval[0]) & (sample[:, 0] < interval[1])
        if long_run:
            inside &= _stationary(weights, sample[:, 0], sample[:, 1], sample[:, 2], omega_range)
        return inside

    return truncated_draws(mean, cov, draws, seed, accept,
                           what="draw is outside the admissible rho interval or not stationary; the long-run "
                                "effects are not estimable")
