"""GM for the spatial error under homoskedasticity: Drukker, Egger and Prucha (2013) ("hom") and the
original Kelejian and Prucha (1998, 1999) estimator ("kp98"), as spreg's ``GM_Error_Hom``/
``GM_Endog_Error_Hom``/``GM_Combo_Hom`` (``A1="hom_sc"``, ``max_iter=1``) and ``GM_Error``/
``GM_Endog_Error``/``GM_Combo``.

hom: moments E[eps' A_r eps]/n = 0 with A1 = {1 + [tr(W'W)/n]^2}^-1 (W'W - tr(W'W)/n I) and
A2 = (W + W')/2, weighted in the second step by the inverse of their covariance under
homoskedasticity (with the third and fourth moments of eps); the joint covariance of the
coefficients and lambda is Drukker et al.'s Omega. kp98: the three moment conditions in
(lambda, lambda^2, sigma2), unweighted, one step; lambda has no standard error (nor in spreg).
Every minimisation is exact (see :func:`spatial.models._gm_error.solve_lambda` and
:func:`spatial.models._gmm_panel.solve_lambda_sigma`).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from spatial.models._gm_error import LAMBDA_BOUND, GMError, _filter, solve_lambda
from spatial.models._gmm_panel import solve_lambda_sigma
from spatial.models._iv import _inverse, two_stage

__all__ = ["gm_error_hom", "gs2sls_hom", "gm_error_kp98", "gs2sls_kp98"]


def _a_matrices(W: sparse.csr_matrix):
    n = W.shape[0]
    wtw = sparse.csr_matrix(W.T @ W)
    t = wtw.diagonal().sum() / n
    A1 = sparse.csr_matrix((wtw - t * sparse.identity(n)) / (1.0 + t ** 2))
    A2 = sparse.csr_matrix((W + W.T) / 2.0)
    return A1, A2


def _moments_hom(A1, A2, W, u):
    n = len(u)
    wu = W @ u
    g = np.array([u @ (A1 @ u), u @ (A2 @ u)]) / n
    G = np.array([[2 * (wu @ (A1 @ u)), -(wu @ (A1 @ wu))],
                  [2 * (wu @ (A2 @ u)), -(wu @ (A2 @ wu))]]) / n
    return G, g


def _psi_hom(A1, A2, H, eps, zs):
    """Psi of the two moments (and a1, a2, P when ``zs`` is given), spreg's ``get_vc_hom``."""
    n = len(eps)
    sig2 = eps @ eps / n
    mu3, mu4 = np.sum(eps ** 3) / n, np.sum(eps ** 4) / n
    d1 = A1.diagonal()
    psi11 = 2 * sig2 ** 2 * A1.multiply(A1.T).sum() + (mu4 - 3 * sig2 ** 2) * (d1 @ d1)
    psi12 = sig2 ** 2 * 2 * A1.multiply(A2.T).sum()
    psi22 = sig2 ** 2 * 2 * A2.multiply(A2.T).sum()
    a1 = a2 = P = None
    if zs is not None:
        alpha1 = (-2.0 / n) * (zs.T @ (A1 @ eps))
        alpha2 = (-2.0 / n) * (zs.T @ (A2 @ eps))
        hz = H.T @ zs / n
        p1 = _inverse(H.T @ H / n, "H'H") @ hz
        P = p1 @ _inverse(hz.T @ p1, "the filtered Z'P_H Z")
        hp = H @ P
        a1, a2 = hp @ alpha1, hp @ alpha2
        psi11 += sig2 * (a1 @ a1) + 2 * mu3 * (a1 @ d1)
        psi12 += sig2 * (a1 @ a2) + mu3 * (a2 @ d1)
        psi22 += sig2 * (a2 @ a2)
    return np.array([[psi11, psi12], [psi12, psi22]]) / n, a1, a2, P


def gm_error_hom(y: np.ndarray, X: np.ndarray, W: sparse.csr_matrix) -> GMError:
    n = len(y)
    A1, A2 = _a_matrices(W)
    u = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
    lam1 = solve_lambda(*_moments_hom(A1, A2, W, u))
    beta = np.linalg.lstsq(_filter(W, lam1, X), _filter(W, lam1, y), rcond=None)[0]
    u = y - X @ beta
    psi = _psi_hom(A1, A2, None, _filter(W, lam1, u), None)[0]
    G, g = _moments_hom(A1, A2, W, u)
    lam = solve_lambda(G, g, psi)
    eps = _filter(W, lam, u)
    xs = _filter(W, lam, X)
    sig2 = eps @ eps / n
    p = _inverse(xs.T @ xs / n, "the filtered X'X")
    psi = _psi_hom(A1, A2, None, eps, None)[0]
    j = G @ np.array([1.0, 2.0 * lam])
    psii = _inverse(psi, "Psi")
    o_ll = 1.0 / float(j @ psii @ j) / n
    mu3 = np.sum(eps ** 3) / n
    psi_dl = mu3 * np.column_stack([X.T @ A1.diagonal(), np.zeros(X.shape[1])]) / n
    o_dl = p.T @ psi_dl @ psii @ j * o_ll
    return _assemble(beta, lam, sig2 * _inverse(xs.T @ xs, "the filtered X'X"), o_dl, o_ll, u, eps, lam1)


def gs2sls_hom(y: np.ndarray, Z: np.ndarray, H: np.ndarray, W: sparse.csr_matrix) -> GMError:
    n = len(y)
    A1, A2 = _a_matrices(W)
    first = two_stage(y, Z, H)
    lam1 = solve_lambda(*_moments_hom(A1, A2, W, first.e))
    zs1 = _filter(W, lam1, Z)
    beta = two_stage(_filter(W, lam1, y), zs1, H).beta
    u = y - Z @ beta
    psi = _psi_hom(A1, A2, H, _filter(W, lam1, u), zs1)[0]
    G, g = _moments_hom(A1, A2, W, u)
    lam = solve_lambda(G, g, psi)
    eps = _filter(W, lam, u)
    zs = _filter(W, lam, Z)
    sig2 = eps @ eps / n
    mu3 = np.sum(eps ** 3) / n
    psi, a1, a2, P = _psi_hom(A1, A2, H, eps, zs)
    j = G @ np.array([1.0, 2.0 * lam])
    psii = _inverse(psi, "Psi")
    psi_dl = (mu3 * np.column_stack([H.T @ A1.diagonal(), np.zeros(H.shape[1])])
              + sig2 * (H.T @ np.column_stack([a1, a2]))) / n
    hhi_hz = _inverse(H.T @ H, "H'H") @ (H.T @ zs)
    o_dd = sig2 * _inverse(zs.T @ (H @ hhi_hz), "the filtered Z'P_H Z")
    o_ll = 1.0 / float(j @ psii @ j) / n
    o_dl = P.T @ psi_dl @ psii @ j * o_ll
    return _assemble(beta, lam, o_dd, o_dl, o_ll, u, eps, lam1)


def _assemble(beta, lam, o_dd, o_dl, o_ll, u, eps, lam1) -> GMError:
    k = len(beta)
    cov = np.zeros((k + 1, k + 1))
    cov[:k, :k], cov[:k, k], cov[k, :k], cov[k, k] = o_dd, o_dl, o_dl, o_ll
    return GMError(beta=beta, lam=lam, cov=cov, u=u, eps=eps, lambda_first=lam1)


def _moments_kp98(W, u):
    n = len(u)
    wu = W @ u
    wwu = W @ wu
    trace = float(W.multiply(W).sum())
    G = np.array([[2 * (u @ wu), -(wu @ wu), n],
                  [2 * (wu @ wwu), -(wwu @ wwu), trace],
                  [u @ wwu + wu @ wu, -(wu @ wwu), 0.0]]) / n
    g = np.array([u @ u, wu @ wu, u @ wu]) / n
    return G, g


def gm_error_kp98(y: np.ndarray, X: np.ndarray, W: sparse.csr_matrix) -> GMError:
    n = len(y)
    u = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
    lam, _ = solve_lambda_sigma(*_moments_kp98(W, u), bound=LAMBDA_BOUND)
    xs, ys = _filter(W, lam, X), _filter(W, lam, y)
    beta = np.linalg.lstsq(xs, ys, rcond=None)[0]
    es = ys - xs @ beta
    cov = _nan_lambda(es @ es / n * _inverse(xs.T @ xs, "the filtered X'X"))
    u = y - X @ beta
    return GMError(beta=beta, lam=lam, cov=cov, u=u, eps=_filter(W, lam, u), lambda_first=lam)


def gs2sls_kp98(y: np.ndarray, Z: np.ndarray, H: np.ndarray, W: sparse.csr_matrix) -> GMError:
    n = len(y)
    first = two_stage(y, Z, H)
    lam, _ = solve_lambda_sigma(*_moments_kp98(W, first.e), bound=LAMBDA_BOUND)
    second = two_stage(_filter(W, lam, y), _filter(W, lam, Z), H)
    cov = _nan_lambda(float(second.e @ second.e) / n * second.varb)
    u = y - Z @ second.beta
    return GMError(beta=second.beta, lam=lam, cov=cov, u=u, eps=_filter(W, lam, u), lambda_first=lam)


def _nan_lambda(cov_beta: np.ndarray) -> np.ndarray:
    k = cov_beta.shape[0]
    cov = np.full((k + 1, k + 1), np.nan)
    cov[:k, :k] = cov_beta
    return cov
