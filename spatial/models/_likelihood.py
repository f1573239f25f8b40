"""Gaussian log-likelihoods of the spatial models, full and concentrated.

For n units observed over T periods (N = n T observations, stacked unit-major) the general
model is  y = rho W y + X b + u,  u = lambda W u + e,  e ~ N(0, sigma2 I):

    ln L = T ln|I - rho W| + T ln|I - lambda W| - N/2 ln(2 pi sigma2) - e'e / (2 sigma2),
    e = (I - lambda W)((I - rho W) y - X b).

SAR/SDM fix lambda = 0, SEM/SDEM rho = 0. Concentrating out b and sigma2 leaves a function of
the spatial parameter(s) alone:  T f(rho) + T f(lambda) - N/2 (ln(2 pi) + ln(SSE/N) + 1),
with f the log-determinant. A cross-section is T = 1; fixed-effects panels pass demeaned arrays.
"""

from __future__ import annotations

import math

import numpy as np

from spatial.models._design import Design

__all__ = ["LagProfile", "ErrorProfile", "SacProfile", "concentrated", "full_loglik", "residuals"]


def concentrated(sse: float, nobs: int) -> float:
    """-N/2 (ln(2 pi) + ln(SSE/N) + 1): the Gaussian log-likelihood at sigma2 = SSE/N."""
    if not sse > 0:
        return -math.inf
    return -0.5 * nobs * (math.log(2 * math.pi) + math.log(sse / nobs) + 1.0)


def _qr_residual(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    return v - q @ (q.T @ v)


class LagProfile:
    """SAR / SDM: SSE(rho) = e0'e0 - 2 rho eL'e0 + rho^2 eL'eL from two OLS fits on X."""

    def __init__(self, design: Design) -> None:
        self.design = design
        X = design.X
        self.b0, self.bL = np.linalg.lstsq(X, np.column_stack([design.y, design.Wy]), rcond=None)[0].T
        q, _ = np.linalg.qr(X)
        e0 = _qr_residual(q, design.y)
        eL = _qr_residual(q, design.Wy)
        self._a, self._b, self._c = float(e0 @ e0), float(eL @ e0), float(eL @ eL)

    def sse(self, rho: float) -> float:
        return self._a - 2.0 * rho * self._b + rho * rho * self._c

    def loglik(self, rho: float, logdet) -> float:
        d = self.design
        return d.n_periods * logdet(rho) + concentrated(self.sse(rho), d.nobs)

    def beta(self, rho: float) -> np.ndarray:
        return self.b0 - rho * self.bL


class ErrorProfile:
    """SEM / SDEM: SSE(lambda) of the regression of (y - lambda Wy) on (X - lambda WX)."""

    def __init__(self, design: Design) -> None:
        self.design = design

    def _fit(self, lam: float) -> tuple[np.ndarray, np.ndarray]:
        d = self.design
        ys = d.y - lam * d.Wy
        Xs = d.X - lam * d.WX
        beta = np.linalg.lstsq(Xs, ys, rcond=None)[0]
        return beta, ys - Xs @ beta

    def sse(self, lam: float) -> float:
        _, e = self._fit(lam)
        return float(e @ e)

    def loglik(self, lam: float, logdet) -> float:
        d = self.design
        return d.n_periods * logdet(lam) + concentrated(self.sse(lam), d.nobs)

    def beta(self, lam: float) -> np.ndarray:
        return self._fit(lam)[0]


class SacProfile:
    """SAC: SSE(rho, lambda) of the regression of B A y on B X (A = I - rho W, B = I - lambda W)."""

    def __init__(self, design: Design) -> None:
        self.design = design

    def _fit(self, rho: float, lam: float) -> tuple[np.ndarray, np.ndarray]:
        d = self.design
        ay = d.y - rho * d.Wy
        ys = ay - lam * (d.Wy - rho * d.WWy)
        Xs = d.X - lam * d.WX
        beta = np.linalg.lstsq(Xs, ys, rcond=None)[0]
        return beta, ys - Xs @ beta

    def sse(self, rho: float, lam: float) -> float:
        _, e = self._fit(rho, lam)
        return float(e @ e)

    def loglik(self, rho: float, lam: float, logdet, logdet_lam=None) -> float:
        d = self.design
        second = logdet if logdet_lam is None else logdet_lam
        return d.n_periods * (logdet(rho) + second(lam)) + concentrated(self.sse(rho, lam), d.nobs)

    def beta(self, rho: float, lam: float) -> np.ndarray:
        return self._fit(rho, lam)[0]


def residuals(design: Design, beta: np.ndarray, rho: float = 0.0, lam: float = 0.0) -> np.ndarray:
    """e = (I - lambda W)((I - rho W) y - X b), stacked like y."""
    d = design
    u = d.y - rho * d.Wy - d.X @ beta
    if lam == 0.0:
        return u
    return u - lam * d.lag(u)


def full_loglik(design: Design, logdet, beta: np.ndarray, sigma2: float, rho: float = 0.0, lam: float = 0.0) -> float:
    """The full Gaussian log-likelihood at any parameter value (LR tests, Hessian checks)."""
    d = design
    e = residuals(d, beta, rho, lam)
    value = -0.5 * d.nobs * math.log(2 * math.pi * sigma2) - float(e @ e) / (2.0 * sigma2)
    if rho != 0.0:
        value += d.n_periods * logdet(rho)
    if lam != 0.0:
        value += d.n_periods * logdet(lam)
    return value
