"""Generalised moments for the spatial error: heteroskedasticity-robust GM/GMM (Arraiz, Drukker,
Kelejian and Prucha 2010; Kelejian and Prucha 2010) for SEM, SDEM and SARAR (GS2SLS).

u = lambda W u + eps, eps independent with possibly different variances. The two moment conditions

    E[eps' A1 eps] / n = 0,   A1 = W'W - diag(w_.i' w_.i)
    E[eps' W eps] / n = 0

written in lambda as g - G [lambda, lambda^2]' = 0 (G, g from the residuals u, W u, W W u), are
solved by minimising the (weighted) quadratic form, a quartic in lambda whose stationary points are
the real roots of a cubic: solved exactly, not by a numerical optimiser, on (-0.99, 0.99).

The steps (as spreg's ``GM_Error_Het``/``GM_Endog_Error_Het``/``GM_Combo_Het`` with
``max_iter=1, step1c=False``): (1) OLS or 2SLS residuals; (2) lambda1 from the unweighted moments;
(3) least squares (or 2SLS) on the spatially filtered variables y - lambda1 W y, Z - lambda1 W Z:
the coefficients; (4) lambda from the moments of the new residuals, weighted by the inverse of their
estimated covariance Psi at lambda1; (5) the joint covariance of (coefficients, lambda) at that
lambda: Omega of Arraiz et al. (2010, eq. 19) with Kelejian-Prucha's P and a1, a2 for 2SLS.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from spatial.models._iv import TwoStage, _inverse, two_stage

__all__ = ["GMError", "a1_het", "moments", "solve_lambda", "gm_error_het", "gs2sls_het"]

LAMBDA_BOUND = 0.99


@dataclass(frozen=True)
class GMError:
    """Coefficients (beta, then rho for SARAR), lambda, their joint covariance and the residuals."""

    beta: np.ndarray
    lam: float
    cov: np.ndarray  # (k + 1) x (k + 1), lambda last
    u: np.ndarray  # y - Z beta
    eps: np.ndarray  # u - lambda W u
    lambda_first: float  # the unweighted (step 2) estimate


def a1_het(W: sparse.csr_matrix) -> sparse.csr_matrix:
    """A1 = W'W - diag(W'W) (Arraiz et al. 2010)."""
    sts = sparse.csr_matrix(W.T @ W)
    return sparse.csr_matrix(sts - sparse.diags(sts.diagonal()))


def moments(A1: sparse.csr_matrix, W: sparse.csr_matrix, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """G (2 x 2) and g (2) of the moment conditions in (lambda, lambda^2)."""
    n = len(u)
    wu = W @ u
    a1u, a1wu = A1 @ u, A1 @ wu
    g = np.array([u @ a1u, u @ wu]) / n
    G = np.array([
        [u @ a1wu + wu @ a1u, -(wu @ a1wu)],
        [u @ (W @ wu) + wu @ wu, -(wu @ (W @ wu))],
    ]) / n
    return G, g


def solve_lambda(G: np.ndarray, g: np.ndarray, psi: np.ndarray | None = None) -> float:
    """argmin over [-0.99, 0.99] of r' Psi^-1 r, r = g - G [l, l^2]' (unweighted when psi is None).

    The objective is a quartic in l: its minimum is at a real root of the derivative (a cubic) or at
    an end of the interval; all are compared, so the global minimum is found exactly.
    """
    if psi is not None:
        root = np.linalg.cholesky(_inverse(psi, "the covariance of the moment conditions (Psi)")).T
        G, g = root @ G, root @ g
    poly = np.zeros(5)  # coefficients of l^0..l^4
    for i in range(len(g)):
        p = np.array([g[i], -G[i, 0], -G[i, 1]])
        poly += np.convolve(p, p)
    P = np.polynomial.polynomial
    roots = P.polyroots(P.polyder(poly))
    candidates = [float(r.real) for r in roots if abs(r.imag) <= 1e-9 * max(1.0, abs(r)) and
                  -LAMBDA_BOUND < r.real < LAMBDA_BOUND]
    candidates += [-LAMBDA_BOUND, LAMBDA_BOUND]
    values = [P.polyval(c, poly) for c in candidates]
    return candidates[int(np.argmin(values))]


def _psi_moments(W: sparse.csr_matrix, A1: sparse.csr_matrix, eps2: np.ndarray) -> np.ndarray:
    """Psi of the two quadratic moments: (1 / 2n) tr(A_r Sigma A_s Sigma) with A_1 = 2 A1, A_2 = W + W'."""
    n = len(eps2)
    S = sparse.diags(eps2)
    a = 2.0 * (A1 @ S)
    b = (W + W.T) @ S
    psi11 = a.multiply(a.T).sum()
    psi12 = a.multiply(b.T).sum()
    psi22 = b.multiply(b.T).sum()
    return np.array([[psi11, psi12], [psi12, psi22]]) / (2.0 * n)


def _filter(W, lam: float, values: np.ndarray) -> np.ndarray:
    return values - lam * (W @ values)


def gm_error_het(y: np.ndarray, X: np.ndarray, W: sparse.csr_matrix) -> GMError:
    """SEM/SDEM by het-robust GM (spreg ``GM_Error_Het``): exogenous regressors only."""
    n = len(y)
    A1 = a1_het(W)
    u = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
    lam1 = solve_lambda(*moments(A1, W, u))
    xs, ys = _filter(W, lam1, X), _filter(W, lam1, y)
    beta = np.linalg.lstsq(xs, ys, rcond=None)[0]
    u = y - X @ beta
    psi = _psi_moments(W, A1, _filter(W, lam1, u) ** 2)
    G, g = moments(A1, W, u)
    lam = solve_lambda(G, g, psi)
    eps = _filter(W, lam, u)
    psi = _psi_moments(W, A1, eps ** 2)
    zs = _filter(W, lam, X)
    zzi = _inverse(zs.T @ zs, "the filtered X'X")
    omega11 = zzi @ ((zs * (eps ** 2)[:, None]).T @ zs) @ zzi
    J = G @ np.array([1.0, 2.0 * lam])
    omega22 = 1.0 / float(J @ _inverse(psi, "Psi") @ J) / n
    k = X.shape[1]
    cov = np.zeros((k + 1, k + 1))
    cov[:k, :k], cov[k, k] = omega11, omega22
    return GMError(beta=beta, lam=lam, cov=cov, u=u, eps=eps, lambda_first=lam1)


def _a1a2(W, A1, H, P, zs, eps) -> tuple[np.ndarray, np.ndarray]:
    """Kelejian-Prucha's a1, a2 (filtered form): H P alpha_r, alpha_1 = -2/n Zs' A1 eps, alpha_2 = -1/n Zs'(W+W')eps."""
    n = len(eps)
    alpha1 = (-2.0 / n) * (zs.T @ (A1 @ eps))
    alpha2 = (-1.0 / n) * (zs.T @ ((W + W.T) @ eps))
    hp = H @ P
    return hp @ alpha1, hp @ alpha2


def _psi_2sls(W, A1, H, P, zs, eps) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(eps)
    eps2 = eps ** 2
    a1, a2 = _a1a2(W, A1, H, P, zs, eps)
    extra = np.array([[a1 @ (eps2 * a1), a1 @ (eps2 * a2)], [a2 @ (eps2 * a1), a2 @ (eps2 * a2)]]) / n
    return _psi_moments(W, A1, eps2) + extra, a1, a2


def _p_hat(H: np.ndarray, hhi: np.ndarray, zs: np.ndarray) -> np.ndarray:
    n = H.shape[0]
    hz = H.T @ zs
    p1 = hhi @ hz
    return n * p1 @ _inverse(hz.T @ p1, "the filtered Z'P_H Z")


def gs2sls_het(y: np.ndarray, Z: np.ndarray, H: np.ndarray, W: sparse.csr_matrix, *, lag: bool) -> GMError:
    """Endogenous regressors and/or W y (SARAR) by het-robust GS2SLS (spreg ``GM_Endog_Error_Het``,
    ``GM_Combo_Het``). ``Z`` = [X, Y_endog, (W y)], ``H`` the instruments. With ``lag`` the estimate
    of rho (last column of Z) is clamped to [-0.9, 0.9] in the intermediate steps, as spreg does."""
    n = len(y)
    A1 = a1_het(W)
    first = _clamped(two_stage(y, Z, H), y, Z, lag)
    lam1 = solve_lambda(*moments(A1, W, first.e))
    ys, zs1 = _filter(W, lam1, y), _filter(W, lam1, Z)
    second = _clamped(two_stage(ys, zs1, H), ys, zs1, lag)
    beta = second.beta
    u = y - Z @ beta
    psi, _, _ = _psi_2sls(W, A1, H, second.p_hat(), zs1, _filter(W, lam1, u))
    G, g = moments(A1, W, u)
    lam = solve_lambda(G, g, psi)
    eps = _filter(W, lam, u)
    zs = _filter(W, lam, Z)
    P = _p_hat(H, first.hhi, zs)
    psi, a1, a2 = _psi_2sls(W, A1, H, P, zs, eps)
    # Omega (Arraiz et al. 2010 eq. 19): [P' 0; 0 om1] Psi_o [P 0; 0 om2] / n
    he = H * (eps ** 2)[:, None]
    psi_dd = H.T @ he / n
    psi_dl = he.T @ np.column_stack([a1, a2]) / n
    psi_o = np.block([[psi_dd, psi_dl], [psi_dl.T, psi]])
    psii = _inverse(psi, "Psi")
    j = G @ np.array([1.0, 2.0 * lam])
    jpj = 1.0 / float(j @ psii @ j)
    om1 = jpj * (j @ psii)  # (2,)
    left = np.block([[P.T, np.zeros((P.shape[1], 2))], [np.zeros((1, P.shape[0])), om1[None, :]]])
    cov = left @ psi_o @ left.T / n
    return GMError(beta=beta, lam=lam, cov=cov, u=u, eps=eps, lambda_first=lam1)


def _clamped(fit: TwoStage, y, Z, lag: bool) -> TwoStage:
    if not lag or abs(fit.beta[-1]) <= 0.9:
        return fit
    beta = fit.beta.copy()
    beta[-1] = np.clip(beta[-1], -0.9, 0.9)
    return TwoStage(beta=beta, e=y - Z @ beta, varb=fit.varb, zh_hhi=fit.zh_hhi, hhi=fit.hhi, n=fit.n)
