"""Covariance of the ML estimates: analytical information matrix, analytical Hessian, numerical check.

Parameter order everywhere: the coefficients b, then rho (lag models), lambda (error models), then
sigma2. With A = I - rho W, B = I - lambda W, G = W A^-1, H = W B^-1 and T periods:

* information matrix (expected, as spatialreg ``method="eigen"`` and Elhorst's code; needs the
  traces of dense n x n matrices, so it is used up to a few thousand units):

  - SAR/SDM: I_bb = X'X/s2, I_b,rho = X'G X b / s2, I_rho,rho = T (tr G^2 + tr G'G) + |G X b|^2 / s2,
    I_rho,s2 = T tr G / s2, I_s2,s2 = N / (2 s2^2)   (the rho-beta block included)
  - SEM/SDEM: I_bb = X*'X*/s2 (X* = B X), I_lam,lam = T (tr H^2 + tr H'H), I_lam,s2 = T tr H / s2
  - SAC: as LeSage's sac.m / spatialreg ``sacsarlm``, with the rho-lambda block
    T (tr(H' B G B^-1) + tr(W G B^-1)).

* observed Hessian (analytical): needs only f''(rho) = -tr(G^2), which the sparse log-determinant
  supplies for any n; the default above the dense limit.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg

from spatial.errors import NumericalError
from spatial.models._design import Design
from spatial.models._likelihood import residuals

__all__ = ["observed_hessian", "information_matrix", "numerical_hessian", "invert"]


def observed_hessian(d: Design, beta: np.ndarray, sigma2: float, *, rho: float | None, lam: float | None,
                     f2_rho: float = 0.0, f2_lam: float = 0.0) -> np.ndarray:
    """Analytical Hessian of the full log-likelihood in (b, [rho], [lambda], sigma2)."""
    r = rho or 0.0
    l_ = lam or 0.0
    e = residuals(d, beta, r, l_)
    cols = [-(d.X - l_ * d.WX)]  # de/db
    k = d.k
    curvature = []
    if rho is not None:
        cols.append(-(d.Wy - l_ * d.WWy)[:, None])
        curvature.append(d.n_periods * f2_rho)
    if lam is not None:
        cols.append(-(d.Wy - r * d.WWy - d.WX @ beta)[:, None])
        curvature.append(d.n_periods * f2_lam)
    J = np.hstack(cols)
    p = J.shape[1]
    H = -(J.T @ J) / sigma2
    if lam is not None:
        j_lam = p - 1
        # d2e/db dlambda = WX, d2e/drho dlambda = WWy
        cross = (e @ d.WX) / sigma2
        H[:k, j_lam] -= cross
        H[j_lam, :k] -= cross
        if rho is not None:
            value = float(e @ d.WWy) / sigma2
            H[k, j_lam] -= value
            H[j_lam, k] -= value
    for offset, c in enumerate(curvature):
        H[k + offset, k + offset] += c
    g = (J.T @ e) / sigma2**2
    full = np.zeros((p + 1, p + 1))
    full[:p, :p] = H
    full[:p, p] = full[p, :p] = g
    full[p, p] = d.nobs / (2 * sigma2**2) - float(e @ e) / sigma2**3
    return full


def _per_period(d: Design, dense: np.ndarray, v: np.ndarray) -> np.ndarray:
    return (dense @ v.reshape(d.n_units, -1)).reshape(v.shape)


def information_matrix(d: Design, beta: np.ndarray, sigma2: float, *, rho: float | None,
                       lam: float | None) -> np.ndarray:
    """Expected information in (b, [rho], [lambda], sigma2); dense traces (n up to a few thousand)."""
    W = d.weights.matrix
    T, N, s2 = d.n_periods, d.nobs, sigma2
    k = d.k
    if rho is not None and lam is None:  # SAR / SDM
        Ainv = d.weights.dense_inverse(rho)
        G = W @ Ainv
        gxb = _per_period(d, G, d.X @ beta)
        info = np.zeros((k + 2, k + 2))
        info[:k, :k] = d.X.T @ d.X / s2
        info[:k, k] = info[k, :k] = d.X.T @ gxb / s2
        info[k, k] = T * (np.sum(G * G.T) + np.sum(G * G)) + float(gxb @ gxb) / s2
        info[k, k + 1] = info[k + 1, k] = T * np.trace(G) / s2
        info[k + 1, k + 1] = N / (2 * s2**2)
        return info
    if lam is not None and rho is None:  # SEM / SDEM
        Binv = d.weights.dense_inverse(lam)
        H = W @ Binv
        Xs = d.X - lam * d.WX
        info = np.zeros((k + 2, k + 2))
        info[:k, :k] = Xs.T @ Xs / s2
        info[k, k] = T * (np.sum(H * H.T) + np.sum(H * H))
        info[k, k + 1] = info[k + 1, k] = T * np.trace(H) / s2
        info[k + 1, k + 1] = N / (2 * s2**2)
        return info
    # SAC
    Ainv = d.weights.dense_inverse(rho)
    Binv = d.weights.dense_inverse(lam)
    G = W @ Ainv
    H = W @ Binv
    Wd = W.toarray()
    B = np.eye(d.n_units) - lam * Wd
    BGBi = B @ G @ Binv
    Xs = d.X - lam * d.WX
    bgxb = _per_period(d, B @ G, d.X @ beta)
    info = np.zeros((k + 3, k + 3))
    info[:k, :k] = Xs.T @ Xs / s2
    info[:k, k] = info[k, :k] = Xs.T @ bgxb / s2
    info[k, k] = T * (np.sum(G * G.T) + np.sum(BGBi * BGBi)) + float(bgxb @ bgxb) / s2
    info[k + 1, k + 1] = T * (np.sum(H * H.T) + np.sum(H * H))
    info[k, k + 1] = info[k + 1, k] = T * (np.sum(H * BGBi) + np.sum((Wd @ G) * Binv.T))
    info[k, k + 2] = info[k + 2, k] = T * np.trace(G) / s2
    info[k + 1, k + 2] = info[k + 2, k + 1] = T * np.trace(H) / s2
    info[k + 2, k + 2] = N / (2 * s2**2)
    return info


def invert(matrix: np.ndarray, *, stage: str) -> np.ndarray:
    """The inverse of an information matrix (or of minus a Hessian).

    Raises
    ------
    NumericalError
        When the matrix is singular or not finite, with its condition number and the stage.
    """
    if not np.all(np.isfinite(matrix)):
        raise NumericalError(f"{stage}: the matrix has non-finite entries; the covariance cannot be computed")
    scale = np.sqrt(np.abs(np.diag(matrix)))
    scale[scale == 0] = 1.0
    scaled = matrix / np.outer(scale, scale)
    condition = np.linalg.cond(scaled)
    if not np.isfinite(condition) or condition > 1e14:
        raise NumericalError(
            f"{stage}: the matrix is singular (condition number {condition:.3g} after scaling); the parameters "
            "are not identified at the estimate (collinear regressors, or a spatial parameter on its bound)"
        )
    inverse = linalg.inv(scaled)
    return inverse / np.outer(scale, scale)


def numerical_hessian(fun, x: np.ndarray, *, step: float = 1e-4) -> np.ndarray:
    """Central-difference Hessian of ``fun`` at ``x`` with relative steps (a cross-check)."""
    x = np.asarray(x, dtype="float64")
    h = step * np.maximum(np.abs(x), 1e-2)
    p = len(x)
    out = np.empty((p, p))
    for i in range(p):
        for j in range(i, p):
            ei = np.zeros(p)
            ej = np.zeros(p)
            ei[i] = h[i]
            ej[j] = h[j]
            value = (fun(x + ei + ej) - fun(x + ei - ej) - fun(x - ei + ej) + fun(x - ei - ej)) / (4 * h[i] * h[j])
            out[i, j] = out[j, i] = value
    return out
