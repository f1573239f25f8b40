"""Instrumental variables for spatial models: two-stage least squares, spatial instruments, first-stage
diagnostics and the Anselin-Kelejian test. Arrays in, arrays out; W is the n x n sparse matrix.

Spatial two-stage least squares (Kelejian and Prucha 1998; Anselin 1988) of

    y = Z delta + u,   Z = [X, Y_endog, W y]

uses the instruments H = [X, Q, W [X, Q], W^2 [X, Q], ...] (``w_lags`` powers; for a Durbin model X
already holds W X, so the powers of X start at W^2 while those of Q still start at W, as splm's
``lag.instruments``). With P_H the projection on H:

    delta = (Z' P_H Z)^-1 Z' P_H y,   V = sigma2 (Z' P_H Z)^-1,   sigma2 = e'e / n

(spreg's ``sig2n``), or White's V = (Z'P_H Z)^-1 Z'H (H'H)^-1 (H' diag(e^2) H) (H'H)^-1 H'Z (Z'P_H Z)^-1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg, sparse, special

from spatial.errors import IdentificationError, NumericalError
from spatial.linalg.threads import serial_blas

__all__ = ["TwoStage", "two_stage", "lag_powers", "first_stage", "anselin_kelejian"]


@dataclass(frozen=True)
class TwoStage:
    """A 2SLS fit: coefficients, residuals and the pieces the covariances and GMM steps reuse."""

    beta: np.ndarray
    e: np.ndarray
    varb: np.ndarray  # (Z' P_H Z)^-1
    zh_hhi: np.ndarray  # Z'H (H'H)^-1
    hhi: np.ndarray  # (H'H)^-1
    n: int

    @property
    def sigma2(self) -> float:
        return float(self.e @ self.e) / self.n

    def cov(self, kind: str = "homoskedastic", H: np.ndarray | None = None) -> np.ndarray:
        """``"homoskedastic"`` sigma2 (Z'P_H Z)^-1 or ``"robust"`` (White, needs H)."""
        if kind == "homoskedastic":
            return self.sigma2 * self.varb
        he = H * self.e[:, None]
        outer = self.varb @ self.zh_hhi
        return outer @ (he.T @ he) @ outer.T

    def p_hat(self) -> np.ndarray:
        """n (H'H)^-1 H'Z (Z'P_H Z)^-1 (Kelejian-Prucha's P, Arraiz et al. appendix B)."""
        return self.n * self.zh_hhi.T @ self.varb


def _inverse(matrix: np.ndarray, stage: str) -> np.ndarray:
    try:
        return linalg.inv(matrix)
    except (linalg.LinAlgError, ValueError):
        raise NumericalError(f"{stage} is singular (condition number {np.linalg.cond(matrix):.3g})") from None


def two_stage(y: np.ndarray, Z: np.ndarray, H: np.ndarray) -> TwoStage:
    """2SLS of y on Z with instruments H (H holds the exogenous columns of Z)."""
    with serial_blas(len(H)):  # H'H and h x h inverses: threads only wait on a busy machine (spatial.linalg.threads)
        hhi = _inverse(H.T @ H, "H'H (the instruments' cross-products)")
        zh = Z.T @ H
        zh_hhi = zh @ hhi
        varb = _inverse(zh_hhi @ zh.T, "Z'H (H'H)^-1 H'Z (the instruments do not identify the regressors)")
    beta = varb @ (zh_hhi @ (H.T @ y))
    e = y - Z @ beta
    return TwoStage(beta=beta, e=e, varb=varb, zh_hhi=zh_hhi, hhi=hhi, n=len(y))


def lag_powers(W: sparse.spmatrix, values: np.ndarray, first: int, last: int) -> np.ndarray:
    """[W^first v, ..., W^last v] side by side (an empty (n, 0) array when last < first)."""
    out, current = [], values
    for power in range(1, last + 1):
        current = W @ current
        if power >= first:
            out.append(current)
    return np.column_stack(out) if out else np.empty((values.shape[0], 0))


def first_stage(endog: np.ndarray, names: list[str], included: np.ndarray, excluded: np.ndarray) -> dict:
    """F and partial R^2 of the excluded instruments in each endogenous variable's first stage.

    F = ((SSR_r - SSR_u) / q) / (SSR_u / (n - k_u)), partial R^2 = (SSR_r - SSR_u) / SSR_r, with the
    restricted regression on the included exogenous columns only (Staiger-Stock's rule: F below 10
    signals weak instruments).
    """
    n = endog.shape[0]
    full = np.column_stack([included, excluded])
    q, k_u = excluded.shape[1], full.shape[1]
    out = {}
    for j, name in enumerate(names):
        target = endog[:, j]
        ssr_u = _ssr(full, target)
        ssr_r = _ssr(included, target)
        f = ((ssr_r - ssr_u) / q) / (ssr_u / (n - k_u)) if ssr_u > 0 else float("inf")
        out[name] = {"f": float(f), "df": [int(q), int(n - k_u)], "p_value": float(special.fdtrc(q, n - k_u, f)),
                     "partial_r2": float((ssr_r - ssr_u) / ssr_r) if ssr_r > 0 else float("nan")}
    return out


def _ssr(X: np.ndarray, target: np.ndarray) -> float:
    with serial_blas(len(X)):  # n x k: threads only wait on a busy machine (spatial.linalg.threads)
        coef = np.linalg.lstsq(X, target, rcond=None)[0]
    r = target - X @ coef
    return float(r @ r)


def anselin_kelejian(W: sparse.spmatrix, fit: TwoStage, Z: np.ndarray) -> tuple[float, float, float]:
    """Anselin and Kelejian (1997) test of residual spatial autocorrelation after (spatial) 2SLS.

    Moran's I of the 2SLS residuals, I = n e'We / (S0 e'e), corrected for the endogenous regressors:
    AK = n I^2 / phi2, phi2 = (tr(W'W + W W) + 4 a / sigma2) / (n (S0/n)^2), a = e'WZ V Z'W'e (spreg's akTest), V =
    (Z'P_H Z)^-1, chi2(1). Returns (I, AK, p).
    """
    n = fit.n
    e = fit.e
    we = W @ e
    s0 = float(W.sum())
    moran = n * float(e @ we) / (s0 * float(e @ e))
    ewz = e @ (W @ Z)  # e'W Z, as spreg's akTest
    a = float(ewz @ fit.varb @ ewz)
    trace = float(((W.T + W).multiply(W.T)).sum())  # tr((W' + W) W)
    phi2 = (trace + 4.0 / fit.sigma2 * a) / ((s0 / n) ** 2 * n)
    ak = n * moran ** 2 / phi2
    return moran, float(ak), float(special.chdtrc(1, ak))


def check_instruments(H: np.ndarray, names: list[str], n_regressors: int, tol: float = 1e-8) -> None:
    """Refuse collinear instruments (naming them) and too few instruments for the regressors.

    Column j is dependent when |R_jj| <= tol ||H_j|| in the QR decomposition of H (its distance to the
    span of the columns before it, as Gram-Schmidt in order; one Householder QR of n x h).
    """
    norms = np.linalg.norm(H, axis=0)
    with serial_blas(len(H)):  # n x h: threads only wait on a busy machine (spatial.linalg.threads)
        R = np.linalg.qr(H, mode="r")
    dependent = [j for j in range(H.shape[1]) if norms[j] == 0 or abs(R[j, j]) <= tol * norms[j]]
    if dependent:
        kept = [i for i in range(H.shape[1]) if i not in dependent]
        described = []
        for j in dependent[:5]:
            before = [i for i in kept if i < j]
            coef = np.linalg.lstsq(H[:, before], H[:, j], rcond=None)[0] if before else np.empty(0)
            parts = [names[i] for i, c in zip(before, coef, strict=True) if abs(c) > 1e-8]
            described.append(f"{names[j]} = combination of {', '.join(parts) or '(nothing)'}")
        raise IdentificationError(
            f"collinear instruments: {'; '.join(described)}. An instrument must add information beyond the "
            "regressors and the other instruments (e.g. an instrument equal to a regressor or to its W lag); "
            "remove it from instruments"
        )
    if H.shape[1] < n_regressors:
        raise IdentificationError(
            f"{H.shape[1]} instruments for {n_regressors} regressors: the model is not identified; add external "
            "instruments (one at least per endogenous variable) or raise w_lags"
        )
