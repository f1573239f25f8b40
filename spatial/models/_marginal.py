"""Log-marginal likelihoods of the spatial regressions under LeSage's diffuse priors (numerics only).

Priors (LeSage and Pace 2009, ch. 6; LeSage 2014): p(beta, sigma) proportional to 1/sigma, and
rho (or lambda) uniform on the admissible interval (lo, hi), density 1/D with D = hi - lo.
beta and sigma integrate out analytically; with Z the regressors, N = n T observations and
``dof = (N - p - a) / 2`` (p = columns of Z including the constant, a = the fixed effects removed
by demeaning: n unit, T time, n + T - 1 two-way, 0 none), LeSage's constant is

    C = lgamma(dof) - dof ln(2 pi) - ln D                       (SAR, SDM, SEM, SDEM; no ln D for OLS, SLX)

and the log-marginal is C + ln integral exp(g(r)) dr over (lo, hi) with the log integrand

    lag models (SAR, SDM):    g(rho) = -dof ln Q(rho) + T ln|I - rho W| - ln|Z'Z| / 2,
                              Q(rho) = e(rho)'e(rho), e(rho) = e_o - rho e_d (residuals of y and of W y on Z);
    error models (SEM, SDEM): g(lam) = -dof ln Q(lam) + T ln|I - lam W| - ln|Z(lam)'Z(lam)| / 2,
                              Z(lam) = Z - lam W Z, Q(lam) the residual sum of squares of
                              y - lam W y on Z(lam);
    OLS, SLX:                 C - dof ln(e'e) - ln|Z'Z| / 2, no integral.

(The -ln|Z'Z|/2 of the lag models is a constant; it is kept inside g here for one code path.)
With improper flat priors on beta the comparison of models with different numbers of regressors
rests on this normalisation (LeSage's, which R SDPDmod's ``blmpSDPD`` also uses); models with the
same regressors (SAR/SEM/OLS, SDM/SDEM/SLX) compare free of it.

The integral is computed on the log scale: g is shifted by its maximum g*, then integrated by
adaptive Gauss-Kronrod quadrature (QUADPACK ``qags`` through ``scipy.integrate.quad``, 21-point
rule) over the part of the interval where g > g* - 60 (found on a scan of the whole interval;
what lies outside is below exp(-60) relative and is added as an error bound). The quadrature's own
error estimate, the truncation bound and, for an interpolated log-determinant, the largest
deviation of the interpolant from exact values (times T) make up the reported error of the
log-marginal (absolute, in log units).

The log-determinant is exact: from all eigenvalues (any r, at every quadrature node) up to
``DENSE_LIMIT`` units, otherwise piecewise Chebyshev interpolants of sparse-LU values on the window
of posterior mass, each checked against further exact values (:mod:`spatial.linalg.grid`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import integrate, optimize

from spatial.errors import NumericalError

__all__ = ["Integrand", "MarginalValue", "lag_integrand", "error_integrand", "least_squares_marginal",
           "integrate_log", "log_constant"]

_CUT = 60.0  # g below g* - _CUT is truncated (relative contribution below exp(-60) ~ 1e-26 per unit width)
_SCAN = 2001  # points of the scan over the interval


@dataclass(frozen=True)
class MarginalValue:
    """One model's log-marginal likelihood and how it was computed."""

    log_marginal: float
    mode: float  # posterior mode of rho / lambda (nan for OLS, SLX)
    error: float  # estimated absolute error of log_marginal
    evaluations: int  # integrand evaluations of the quadrature
    support: tuple[float, float]  # the part of the interval integrated (nan, nan without integral)


def log_constant(dof: float, D: float | None) -> float:
    """LeSage's constant lgamma(dof) - dof ln(2 pi) (- ln D with a uniform prior on the interval)."""
    out = math.lgamma(dof) - dof * math.log(2.0 * math.pi)
    return out - math.log(D) if D is not None else out


def _logdet_zz(Z: np.ndarray) -> float:
    sign, value = np.linalg.slogdet(Z.T @ Z)
    if sign <= 0:
        raise NumericalError("Z'Z is singular: the regressors are collinear")
    return float(value)


def least_squares_marginal(y: np.ndarray, Z: np.ndarray, dof: float) -> MarginalValue:
    """OLS / SLX: C - dof ln(e'e) - ln|Z'Z| / 2."""
    beta, *_ = np.linalg.lstsq(Z, y, rcond=None)
    e = y - Z @ beta
    value = log_constant(dof, None) - dof * math.log(float(e @ e)) - 0.5 * _logdet_zz(Z)
    return MarginalValue(value, float("nan"), 0.0, 0, (float("nan"), float("nan")))


class Integrand:
    """g(r) without the log-determinant term: ``part(r)`` for an array r; ``T`` multiplies ln|I - r W|."""

    def __init__(self, part, T: int) -> None:
        self.part, self.T = part, T


def lag_integrand(y: np.ndarray, Wy: np.ndarray, Z: np.ndarray, dof: float, T: int) -> Integrand:
    """-dof ln Q(rho) - ln|Z'Z|/2 with Q(rho) = |e_o - rho e_d|^2 (quadratic in rho)."""
    coef, *_ = np.linalg.lstsq(Z, np.column_stack([y, Wy]), rcond=None)
    resid = np.column_stack([y, Wy]) - Z @ coef
    eo, ed = resid[:, 0], resid[:, 1]
    a, b, c = float(eo @ eo), float(ed @ eo), float(ed @ ed)
    half = 0.5 * _logdet_zz(Z)

    def part(r):
        r = np.asarray(r, dtype="float64")
        q = a - 2.0 * r * b + r * r * c
        return -dof * np.log(q) - half

    return Integrand(part, T)


def error_integrand(y: np.ndarray, Wy: np.ndarray, Z: np.ndarray, WZ: np.ndarray, dof: float, T: int) -> Integrand:
    """-dof ln Q(lam) - ln|Z(lam)'Z(lam)|/2 from the cross-products of [Z, y] and [WZ, Wy]."""
    P = np.column_stack([Z, y])
    WP = np.column_stack([WZ, Wy])
    A0, A1, A2 = P.T @ P, P.T @ WP, WP.T @ WP
    A1 = A1 + A1.T
    p = Z.shape[1]

    def part(r):
        r = np.atleast_1d(np.asarray(r, dtype="float64"))
        M = A0[None] - r[:, None, None] * A1[None] + (r * r)[:, None, None] * A2[None]
        Mxx, Mxy, Myy = M[:, :p, :p], M[:, :p, p], M[:, p, p]
        sign, logdet = np.linalg.slogdet(Mxx)
        b = np.linalg.solve(Mxx, Mxy[..., None])[..., 0]
        q = Myy - np.einsum("mi,mi->m", Mxy, b)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = -dof * np.log(q) - 0.5 * logdet
        return np.where((sign > 0) & (q > 0), out, -np.inf)

    return Integrand(part, T)


def integrate_log(integrand: Integrand, logdet, lo: float, hi: float) -> MarginalValue:
    """ln of the integral of exp(g) over (lo, hi) (without the constant), with its error.

    ``logdet`` is a callable on an array of r giving ln|I - r W| (exact or interpolated) with
    attributes ``window(a, b)`` returning a (possibly more accurate) callable for [a, b] and its
    absolute error bound (0 for exact values).
    """
    T = integrand.T
    pad = 1e-10 * (hi - lo)
    grid = np.linspace(lo + pad, hi - pad, _SCAN)
    coarse = integrand.part(grid) + T * logdet.coarse(grid)
    finite = np.isfinite(coarse)
    if not np.any(finite):
        raise NumericalError("the log-marginal integrand is not finite anywhere on the interval")
    coarse = np.where(finite, coarse, -np.inf)
    peak = float(np.max(coarse))
    keep = np.flatnonzero(coarse > peak - _CUT)
    first, last = max(int(keep.min()) - 1, 0), min(int(keep.max()) + 1, _SCAN - 1)
    s_lo, s_hi = float(grid[first]), float(grid[last])
    while True:  # the support, checked with the accurate log-determinant and widened until g falls _CUT
        fine, ld_error = logdet.window(s_lo, s_hi)
        dense = np.linspace(s_lo, s_hi, 401)
        values = integrand.part(dense) + T * fine(dense)
        peak = float(np.max(values))  # from the accurate log-determinant (the scan's may be off)
        wider_lo = s_lo > grid[0] and values[0] > peak - _CUT
        wider_hi = s_hi < grid[-1] and values[-1] > peak - _CUT
        if not (wider_lo or wider_hi):
            break
        width = s_hi - s_lo
        s_lo = max(float(grid[0]), s_lo - width) if wider_lo else s_lo
        s_hi = min(float(grid[-1]), s_hi + width) if wider_hi else s_hi
    first = int(np.searchsorted(grid, s_lo))
    last = int(np.searchsorted(grid, s_hi, side="right")) - 1
    s_lo = lo if first == 0 else s_lo
    s_hi = hi if last == _SCAN - 1 else s_hi
    top = int(np.argmax(values))
    a, b = dense[max(top - 1, 0)], dense[min(top + 1, len(dense) - 1)]

    def g(r):
        return float(integrand.part(np.array([r]))[0] + T * fine(np.array([r]))[0])

    found = optimize.minimize_scalar(lambda r: -g(r), bounds=(a, b), method="bounded",
                                     options={"xatol": 1e-12 * (hi - lo)})
    mode = float(found.x)
    peak = max(peak, -float(found.fun))
    evaluations = 0

    def f(r):
        nonlocal evaluations
        evaluations += 1
        value = integrand.part(np.array([r]))[0] + T * fine(np.array([r]))[0] - peak
        return math.exp(value) if np.isfinite(value) else 0.0

    points = [mode] if s_lo < mode < s_hi else None
    value, abserr = integrate.quad(f, s_lo, s_hi, points=points, epsabs=0.0, epsrel=1e-11, limit=500)
    if not value > 0 or not math.isfinite(value):
        raise NumericalError("the log-marginal integral is not positive; the integrand underflowed everywhere")
    outside = np.concatenate([coarse[:first], coarse[last + 1:]])
    width_out = (hi - lo) - (s_hi - s_lo)
    tail = width_out * math.exp(min(float(np.max(outside)) - peak, 0.0)) if outside.size else 0.0
    error = abserr / value + tail / value + T * ld_error
    return MarginalValue(math.log(value) + peak, mode, float(error), evaluations, (s_lo, s_hi))
