"""GM/IV for spatial panels as R splm's ``spgm``: within (fixed effects) and random effects, lag (2SLS,
EC2SLS), error (Kapoor-Kelejian-Prucha moments "initial", "weights" or "fullweights", then feasible GLS)
and SARAR (both), with or without endogenous regressors. The within case in detail:

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

__all__ = ["PanelGM", "within_lag", "within_error", "kkp_within_moments", "solve_lambda_sigma", "random_lag", "random_error",
           "random_error_components", "solve_moments", "weight_traces", "GmmMoments", "within_sarar",
           "random_sarar"]

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


def solve_moments(G: np.ndarray, g: np.ndarray, *, weights: np.ndarray | None = None,
                  bound: float = BOUND) -> tuple[float, np.ndarray]:
    """argmin (G t - g)' Omega (G t - g), t = [l, l^2, s_1, ..., s_m], over l in [-bound, bound] and s >= 0, exactly.

    ``weights`` is Omega (symmetric positive definite; the identity when None). For a given l the optimal s
    is a non-negative least-squares fit, linear in (l, l^2) on each set of free s; so on each such set the
    profile is a quartic in l, minimised at a real root of its derivative or an end. Every candidate l of
    every set is then evaluated with its exact non-negative s, and the best kept: the global minimum has
    some set of positive s, and its l is a stationary point (or an end) of that set's quartic.
    """
    P = np.polynomial.polynomial
    if weights is not None:
        root = np.linalg.cholesky(weights)  # Omega = R R': the objective is |R'(G t - g)|^2
        G, g = root.T @ G, root.T @ g
    a, b, C = G[:, 0], G[:, 1], G[:, 2:]
    m = C.shape[1]
    subsets = [[j for j in range(m) if mask >> j & 1] for mask in range(2 ** m)]

    def projector(free):
        if not free:
            return np.eye(len(g))
        Cs = C[:, free]
        return np.eye(len(g)) - Cs @ np.linalg.pinv(Cs)

    def quartic(M):
        r0, r1, r2 = M @ g, -(M @ a), -(M @ b)
        poly = np.zeros(5)
        for i in range(len(g)):
            p = np.array([r0[i], r1[i], r2[i]])
            poly += np.convolve(p, p)
        return poly

    candidates = [-bound, bound]
    for free in subsets:
        roots = P.polyroots(P.polyder(quartic(projector(free))))
        candidates += [float(r.real) for r in roots if abs(r.imag) <= 1e-9 * max(1.0, abs(r)) and
                       -bound < r.real < bound]

    def best_s(lam):
        r = g - a * lam - b * lam ** 2
        best = (float(r @ r), np.zeros(m))
        for free in subsets[1:]:
            s = np.zeros(m)
            s[free] = np.linalg.lstsq(C[:, free], r, rcond=None)[0]
            if (s[free] < 0).any():
                continue
            rest = r - C @ s
            if float(rest @ rest) < best[0]:
                best = (float(rest @ rest), s)
        return best

    values = [best_s(v) for v in candidates]
    i = int(np.argmin([v[0] for v in values]))
    return candidates[i], values[i][1]


def solve_lambda_sigma(G: np.ndarray, g: np.ndarray, *, bound: float = BOUND) -> tuple[float, float]:
    """argmin |G [l, l^2, s]' - g|^2 over l in [-bound, bound] (0.999 by default, splm's), s >= 0, exactly
    (:func:`solve_moments` with one variance)."""
    lam, s = solve_moments(G, g, bound=bound)
    return lam, float(s[0])


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


def weight_traces(W) -> np.ndarray:
    """The 3 x 3 trace matrix T_W of KKP's "fullweights" (splm ``tw``): traces of W'W, (W'W)^2, W'W(W' + W) and
    WW + W'W, divided by N, from the sparse W (no dense N x N)."""
    n = W.shape[0]
    wtw = (W.T @ W).tocsr()
    tr1 = float(W.multiply(W).sum()) / n
    tr2 = float(wtw.multiply(wtw).sum()) / n  # W'W is symmetric: tr((W'W)^2) = |W'W|_F^2
    tr3 = 2.0 * float(wtw.multiply(W.T).sum()) / n  # tr(W'W W') = tr(W'W W) = sum((W'W) o W')
    tr4 = (float(W.multiply(W.T).sum()) + tr1 * n) / n
    return np.array([[2.0, 2.0 * tr1, 0.0], [2.0 * tr1, 2.0 * tr2, tr3], [0.0, tr3, tr4]])


GmmMoments = ("initial", "weights", "fullweights")


def random_error_components(u_w, u_b, lag, W, n_units: int, n_periods: int, moments: str = "initial"):
    """lambda, sigma_v^2 and sigma_1^2 of KKP's random-effects GM (splm ``sperrorgm``/``spsarargm``).

    ``u_w`` are the within (Q0) residuals, stacked unit-major, and ``u_b`` the N between residuals scaled by
    sqrt(T) (so that u_b'u_b = u'Q1 u). "initial": the three Q0 moments give lambda and sigma_v^2, then
    sigma_1^2 = |u_b - lambda W u_b|^2 / N. "weights" and "fullweights" then minimise all six moments (the
    Q1 ones add sigma_1^2), weighted by the inverse of Gamma = diag(sigma_v^4 / (T - 1), sigma_1^4) kron I_3
    or kron T_W (:func:`weight_traces`), Gamma taken at the initial estimates, as splm does.
    """
    N, T = n_units, n_periods
    trace = float(W.multiply(W).sum())
    G0, g0 = kkp_within_moments(u_w, lag, N, T, trace)
    lam, sigma_v2 = solve_lambda_sigma(G0, g0)
    ur = u_b - lam * (W @ u_b)
    sigma_12 = float(ur @ ur) / N
    if moments == "initial":
        return lam, sigma_v2, sigma_12
    G1, g1 = kkp_within_moments(u_b, lambda v: W @ v, N, 2, trace)  # scale 1 / N: the Q1 moments
    G = np.zeros((6, 4))
    G[:3, :3], G[3:, :2], G[3:, 3] = G0, G1[:, :2], G1[:, 2]
    g = np.concatenate([g0, g1])
    gamma = np.diag([sigma_v2 ** 2 / (T - 1), sigma_12 ** 2])
    inner = np.eye(3) if moments == "weights" else weight_traces(W)
    lam, (sigma_v2, sigma_12) = solve_moments(G, g, weights=np.linalg.inv(np.kron(gamma, inner)))
    return lam, float(sigma_v2), float(sigma_12)


def _random_gls(u_w, u_b, lag, W, N: int, T: int, moments: str):
    """lambda, sigma_v^2, sigma_1^2 (:func:`random_error_components`) and the GLS transformation they define,
    a -> a_s - theta mean_i(a_s) with a_s = a - lambda W a and theta = 1 - sigma_v / sigma_1."""
    lam, sigma_v2, sigma_12 = random_error_components(u_w, u_b, lag, W, N, T, moments)
    theta = 1.0 - np.sqrt(sigma_v2 / sigma_12)

    def gls(a):
        a = a - lam * lag(a)
        return a - theta * np.repeat(_unit_means(a, N, T), T, axis=0)

    return lam, sigma_v2, sigma_12, gls


def _unit_means(a, N: int, T: int):
    return a.reshape(N, T, *a.shape[1:]).mean(axis=1)


def _tsls(y, Z, H):
    """2SLS on a rank-tolerant projection: coefficients and P_H Z."""
    Zp = _projector(H)(Z)
    return np.linalg.lstsq(Zp, y, rcond=None)[0], Zp


def random_error(y, X, lag, W, n_units: int, n_periods: int, *, moments: str = "initial", endog=None,
                 Q=None) -> PanelGM:
    """KKP random-effects GM and feasible GLS for the spatial error (splm ``sperrorgm``, model "random").

    Without ``endog`` the residuals are those of pooled OLS; with it, u_w from the within 2SLS (instruments
    [X_w, Q_w]) and u_b from the between 2SLS (sqrt(T) [X_b, Q_b]), and the GLS step is 2SLS with the
    instruments [X_f, Q_w, Q_b] (X_f the filtered, theta-transformed X; Q not filtered), as splm. V =
    sigma_v^2 (Z_f' P_H Z_f)^-1 (splm's PSI / NT). Coefficients in the order of [X, endog].
    """
    N, T = n_units, n_periods
    root_t = np.sqrt(T)

    def repeat(a):
        return np.repeat(a, T, axis=0)

    if endog is None:
        u = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
        ubar = _unit_means(u, N, T)
        u_w, u_b = u - repeat(ubar), root_t * ubar
    else:
        Z = np.column_stack([X, endog])
        Zbar, Qbar, ybar = _unit_means(Z, N, T), _unit_means(Q, N, T), _unit_means(y, N, T)
        Zw, Qw, yw = Z - repeat(Zbar), Q - repeat(Qbar), y - repeat(ybar)
        keep = np.abs(Zw).max(axis=0) > 0  # the constant has no within part
        Xw = Zw[:, : X.shape[1]][:, keep[: X.shape[1]]]
        beta_w, _ = _tsls(yw, Zw[:, keep], np.column_stack([Xw, Qw]))
        u_w = yw - Zw[:, keep] @ beta_w
        beta_b, _ = _tsls(root_t * ybar, root_t * Zbar, root_t * np.column_stack([Zbar[:, : X.shape[1]], Qbar]))
        u_b = root_t * (ybar - Zbar @ beta_b)
    lam, sigma_v2, sigma_12, gls = _random_gls(u_w, u_b, lag, W, N, T, moments)
    yf, xf = gls(y), gls(X)
    if endog is None:
        beta = np.linalg.lstsq(xf, yf, rcond=None)[0]
        cov = sigma_v2 * _inverse(xf.T @ xf, "the GLS-transformed X'X")
        e = yf - xf @ beta
    else:
        zf = np.column_stack([xf, gls(endog)])
        beta, zp = _tsls(yf, zf, np.column_stack([xf, Qw, repeat(Qbar)]))
        cov = sigma_v2 * _inverse(zp.T @ zp, "the GLS-transformed Z'P_H Z")
        e = yf - zf @ beta
    return PanelGM(beta=beta, cov=cov, e=e, lam=lam, sigma_v2=sigma_v2, sigma_12=sigma_12)


def _filtered_2sls(yf, Zf, H, n_exog: int, sigma_v2: float, *, project_exog: bool):
    """OLS of yf on [X_f, P_H Zf_endog] (``project_exog=False``: splm's spgm.tsls with instr = TRUE, which
    projects only the endogenous columns) or 2SLS with the instruments [X_f, H]; V = sigma_v^2 (Zp'Zp)^-1."""
    if project_exog:
        beta, Zp = _tsls(yf, Zf, np.column_stack([Zf[:, :n_exog], H]))
    else:
        Zp = Zf.copy()
        Zp[:, n_exog:] = _projector(H)(Zf[:, n_exog:])
        beta = np.linalg.lstsq(Zp, yf, rcond=None)[0]
    return beta, sigma_v2 * _inverse(Zp.T @ Zp, "the filtered Z'P_H Z")


def within_sarar(y, Z, H, lag, n_units: int, n_periods: int, trace_wtw: float, *, n_exog: int) -> PanelGM:
    """Within SARAR by GM (splm ``spsarargm``, model "within"), arrays within-demeaned and unit-major.

    Z = [X, Y_endog, W y] (the first ``n_exog`` columns exogenous), H the within instruments [X, Q, W^j [X, Q]].
    The within spatial 2SLS residuals give lambda and sigma_v^2 (the three KKP moments); then y, Z are
    filtered by (I - lambda W) and y_f regressed on [X_f, P_H [Y_endog, W y]_f] (H not filtered), as splm.
    """
    u = y - Z @ _tsls(y, Z, H)[0]
    lam, sigma_v2 = solve_lambda_sigma(*kkp_within_moments(u, lag, n_units, n_periods, trace_wtw))
    yf, Zf = y - lam * lag(y), Z - lam * lag(Z)
    beta, cov = _filtered_2sls(yf, Zf, H, n_exog, sigma_v2, project_exog=False)
    return PanelGM(beta=beta, cov=cov, e=yf - Zf @ beta, lam=lam, sigma_v2=sigma_v2)


def random_sarar(y, Z, X, Q, lag, W, n_units: int, n_periods: int, *, w_lags: int = 2,
                 moments: str = "initial") -> PanelGM:
    """Random-effects SARAR by GM (splm ``spsarargm``, model "random"), arrays in levels, unit-major.

    Z = [X (with the constant), Y_endog, W y]; ``Q`` the external instruments with their lags [Q, W Q, W^2 Q]
    (empty without endog). The within 2SLS (instruments [X_w, Q_w, W^j X_w]) and the between 2SLS (sqrt(T)
    [X_b, Q_b, W^j X_b], X_b with the constant) give the residuals of KKP's random-effects moments
    (:func:`random_error_components`); then 2SLS of the GLS-transformed y on the transformed Z with the
    instruments [Z_f's X, 1, X_w, Q_w, W^j X_w, Q_b, W^j X_b], V = sigma_v^2 (Z_f' P_H Z_f)^-1, as splm.
    """
    N, T = n_units, n_periods
    root_t = np.sqrt(T)

    def repeat(a):
        return np.repeat(a, T, axis=0)

    def split(a):
        means = _unit_means(np.asarray(a, dtype=float), N, T)
        return a - repeat(means), means

    (yw, yb), (Zw, Zb), (Xw, Xb), (Qw, Qb) = split(y), split(Z), split(X), split(Q)
    varying = np.abs(Xw).max(axis=0) > 0  # the constant has no within part
    Xw = Xw[:, varying]
    keep = np.abs(Zw).max(axis=0) > 0
    Hw = np.column_stack([Qw, lag_powers_of(lag, Xw, w_lags)])
    Hb = np.column_stack([Qb, lag_powers_of(lambda v: W @ v, Xb, w_lags)])
    beta_w, _ = _tsls(yw, Zw[:, keep], np.column_stack([Xw, Hw]))
    u_w = yw - Zw[:, keep] @ beta_w
    beta_b, _ = _tsls(root_t * yb, root_t * Zb, root_t * np.column_stack([Xb, Hb]))
    u_b = root_t * (yb - Zb @ beta_b)
    lam, sigma_v2, sigma_12, gls = _random_gls(u_w, u_b, lag, W, N, T, moments)
    yf, Zf = gls(y), gls(Z)
    H = np.column_stack([np.ones(N * T), Xw, Hw, repeat(Hb)])
    beta, cov = _filtered_2sls(yf, Zf, H, X.shape[1], sigma_v2, project_exog=True)
    return PanelGM(beta=beta, cov=cov, e=yf - Zf @ beta, lam=lam, sigma_v2=sigma_v2, sigma_12=sigma_12)


def lag_powers_of(lag, values: np.ndarray, last: int) -> np.ndarray:
    """[lag(v), lag(lag(v)), ...] up to ``last`` powers, side by side."""
    out, current = [], values
    for _ in range(last):
        current = lag(current)
        out.append(current)
    return np.column_stack(out) if out else np.empty((values.shape[0], 0))
