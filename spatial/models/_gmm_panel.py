"""GM/IV for fixed-effects (within) spatial panels: the Kapoor-Kelejian-Prucha within moments for the
spatial error and within spatial 2SLS for the lag, as R splm's ``spgm(model="within")``.

Arrays are stacked unit-major and already demeaned by unit (the within transformation commutes with
W, which acts within each period); ``lag`` applies W to every period.

* Lag (``spgm(lag=TRUE, spatial.error=FALSE)``): 2SLS of y on [X, Y_endog, W y] with instruments
  [X, Q, W [X, Q], W^2 [X, Q]] (the external Q lagged as splm's ``lag.instruments=TRUE``);
  V = SSR / (NT - p) (Z'P_H Z)^-1, p the number of coefficients: the covariance splm reports
  (``vcov``, from ``lm``'s residual degrees of freedom; it also stores a ``var`` rescaled to
  N (T - 1) - p, which its summary does not use).
* Error (``spgm(lag=FALSE, spatial.error=TRUE)``, moments "initial"): the within OLS (or 2SLS)
  residuals u give the three moment conditions of Kapoor, Kelejian and Prucha (2007) for
  (lambda, lambda^2, sigma_v^2), G and g as splm's ``fswithin``; they are minimised exactly (sigma_v^2
  >= 0 profiled out, the quartic in lambda solved by its stationary points) on lambda in
  [-0.999, 0.999]; then least squares (2SLS with Q) on the spatially filtered within data. Without
  endogenous regressors V = SSR / (NT - k) (X*'X*)^-1 (splm uses ``lm``'s residual degrees of
  freedom, which ignore the N absorbed effects); with them V = sigma_v^2 (Z*'P_H Z*)^-1. splm gives no
  standard error for lambda, nor do we.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spatial.models._iv import _inverse, two_stage

__all__ = ["PanelGM", "within_lag", "within_error", "kkp_within_moments", "solve_lambda_sigma", "random_lag", "random_error"]

BOUND = 0.999


@dataclass(frozen=True)
class PanelGM:
    beta: np.ndarray  # coefficients of Z (lag: X, Y_endog, W y; error: X, Y_endog)
    cov: np.ndarray
    e: np.ndarray  # residuals (error model: the filtered ones)
    lam: float | None = None
    sigma_v2: float | None = None
    sigma_12: float | None = None  # random effects: sigma_1^2 = T sigma_mu^2 + sigma_v^2


def within_lag(y, Z, H, n_units: int, n_periods: int) -> PanelGM:
    fit = two_stage(y, Z, H)
    sse = float(fit.e @ fit.e)
    df = n_units * n_periods - Z.shape[1]
    return PanelGM(beta=fit.beta, cov=sse / df * fit.varb, e=fit.e)


def kkp_within_moments(u: np.ndarray, lag, n_units: int, n_periods: int, trace_wtw: float):
    """G (3 x 3, columns lambda, lambda^2, sigma_v^2) and g (3) of the within moments (splm ``fswithin``)."""
    ub = lag(u)
    ubb = lag(ub)
    scale = 1.0 / (n_units * (n_periods - 1))
    G = np.array([
        [2 * (u @ ub) * scale, -(ub @ ub) * scale, 1.0],
        [2 * (ubb @ ub) * scale, -(ubb @ ubb) * scale, trace_wtw / n_units],
        [((u @ ubb) + (ub @ ub)) * scale, -(ub @ ubb) * scale, 0.0],
    ])
    g = np.array([u @ u, ub @ ub, u @ ub]) * scale
    return G, g


def solve_lambda_sigma(G: np.ndarray, g: np.ndarray, *, bound: float = BOUND) -> tuple[float, float]:
    """argmin |G [l, l^2, s]' - g|^2 over l in [-bound, bound] (0.999 by default, splm's), s >= 0, exactly.

    With s free the optimal s is linear in (l, l^2), so the profile is a quartic in l (minimised at a
    real root of its derivative or an end); the same with s = 0. Every candidate is evaluated with s
    clamped at 0 and the best kept.
    """
    P = np.polynomial.polynomial
    c = G[:, 2]
    project = np.eye(len(g)) - np.outer(c, c) / (c @ c)

    def quartic(M):
        a, b, d = M @ g, -(M @ G[:, 0]), -(M @ G[:, 1])
        poly = np.zeros(5)
        for i in range(len(g)):
            p = np.array([a[i], b[i], d[i]])
            poly += np.convolve(p, p)
        return poly

    candidates = [-bound, bound]
    for M in (project, np.eye(len(g))):
        roots = P.polyroots(P.polyder(quartic(M)))
        candidates += [float(r.real) for r in roots if abs(r.imag) <= 1e-9 * max(1.0, abs(r)) and
                       -bound < r.real < bound]

    def best_s(lam):
        r = g - G[:, 0] * lam - G[:, 1] * lam ** 2
        s = max(float(c @ r) / float(c @ c), 0.0)
        rest = r - c * s
        return float(rest @ rest), s

    values = [best_s(v) for v in candidates]
    i = int(np.argmin([v[0] for v in values]))
    return candidates[i], values[i][1]


def within_error(y, X, lag, n_units: int, n_periods: int, trace_wtw: float, *, endog=None, Q=None) -> PanelGM:
    """KKP within GM for the spatial error (with ``endog`` instrumented by [X, Q] when given)."""
    N = len(y)
    if endog is None:
        beta0 = np.linalg.lstsq(X, y, rcond=None)[0]
        u = y - X @ beta0
    else:
        Z0 = np.column_stack([X, endog])
        u = two_stage(y, Z0, np.column_stack([X, Q])).e
    lam, sigma_v2 = solve_lambda_sigma(*kkp_within_moments(u, lag, n_units, n_periods, trace_wtw))
    ys = y - lam * lag(y)
    xs = X - lam * lag(X)
    if endog is None:
        beta = np.linalg.lstsq(xs, ys, rcond=None)[0]
        e = ys - xs @ beta
        cov = float(e @ e) / (N - X.shape[1]) * _inverse(xs.T @ xs, "the filtered X'X")
    else:
        zs = np.column_stack([xs, endog - lam * lag(endog)])
        fit = two_stage(ys, zs, np.column_stack([xs, Q]))
        beta, e = fit.beta, fit.e
        cov = sigma_v2 * fit.varb
    return PanelGM(beta=beta, cov=cov, e=e, lam=lam, sigma_v2=sigma_v2)


def _projector(A: np.ndarray):
    """Orthogonal projection on the column space of A (rank-deficient A allowed: splm's instrument sets repeat
    columns, and the within part of the constant is zero)."""
    u, d, _ = np.linalg.svd(A, full_matrices=False)
    basis = u[:, d > d[0] * max(A.shape) * np.finfo(float).eps]
    return lambda v: basis @ (basis.T @ v)


def _tsls_ssr(y, Z, exog_and_instruments) -> tuple[np.ndarray, float]:
    """2SLS coefficients and the sum of squared structural residuals (y - Z beta)."""
    project = _projector(exog_and_instruments)
    Zp = project(Z)
    beta = np.linalg.lstsq(Zp, y, rcond=None)[0]
    e = y - Z @ beta
    return beta, float(e @ e)


def random_lag(y, Z, H, n_units: int, n_periods: int, *, n_endog: int, n_const_free: int) -> PanelGM:
    """EC2SLS of the random-effects lag panel (splm ``ivplm.ec2sls``), arrays stacked unit-major.

    Z = [X (with the constant), Y_endog, W y] and H = [X, Q, W^j [X, Q]] in levels; ``n_endog`` counts the
    columns of Z that are instrumented (W y and Y_endog), ``n_const_free`` the columns of X other than the
    constant.
    """
    N, T = n_units, n_periods

    def split(a):
        a = np.asarray(a, dtype=float).reshape(N * T, -1)
        means = a.reshape(N, T, -1).mean(axis=1)
        return a - np.repeat(means, T, axis=0), means

    (yw, yb), (Zw, Zb), (Hw, Hb) = split(y), split(Z), split(H)
    yw, yb = yw[:, 0], yb[:, 0]
    keep = np.abs(Zw).max(axis=0) > 0  # the constant has no within part
    _, ssr_w = _tsls_ssr(yw, Zw[:, keep], Hw)
    sigma_v2 = ssr_w / (N * (T - 1) - n_const_free - n_endog)
    root_t = np.sqrt(T)
    _, ssr_b = _tsls_ssr(root_t * yb, root_t * Zb, root_t * Hb)
    sigma_12 = ssr_b / (N - Z.shape[1])
    sv, s1 = np.sqrt(sigma_v2), np.sqrt(sigma_12)
    ys = yw / sv + np.repeat(yb, T) / s1
    Zs = Zw / sv + np.repeat(Zb, T, axis=0) / s1
    A = np.column_stack([np.ones(N * T), Hw, np.repeat(Hb, T, axis=0)])
    project = _projector(A)
    Zp = project(Zs)
    beta = np.linalg.lstsq(Zp, ys, rcond=None)[0]
    e = ys - Zs @ beta
    cov = float(e @ e) / (N * T - Z.shape[1]) * _inverse(Zp.T @ Zp, "the EC2SLS Z*'P_A Z*")
    return PanelGM(beta=beta, cov=cov, e=e, sigma_v2=sigma_v2, sigma_12=sigma_12)


def random_error(y, X, lag, n_units: int, n_periods: int, trace_wtw: float) -> PanelGM:
    """KKP random-effects GM ("initial" moments) and feasible GLS for the spatial error (splm ``sperrorgm``)."""
    N, T = n_units, n_periods

    def unit_means(a):
        return np.repeat(a.reshape(N, T, *a.shape[1:]).mean(axis=1), T, axis=0)

    u = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
    lam, sigma_v2 = solve_lambda_sigma(*kkp_within_moments(u - unit_means(u), lag, N, T, trace_wtw))
    ur = u - lam * lag(u)
    sigma_12 = float(ur @ unit_means(ur)) / N
    theta = 1.0 - np.sqrt(sigma_v2 / sigma_12)
    ys, xs = y - lam * lag(y), X - lam * lag(X)
    yf, xf = ys - theta * unit_means(ys), xs - theta * unit_means(xs)
    beta = np.linalg.lstsq(xf, yf, rcond=None)[0]
    cov = sigma_v2 * _inverse(xf.T @ xf, "the GLS-transformed X'X")
    return PanelGM(beta=beta, cov=cov, e=yf - xf @ beta, lam=lam, sigma_v2=sigma_v2, sigma_12=sigma_12)
