"""Random unit effects for spatial panels (Elhorst 2003, 2014): SAR and SEM (and SDM, SDEM: the same
likelihoods with W X among the regressors) by exact ML, and the
spatial Hausman test of fixed against random effects.

With unit effects mu_i ~ N(0, sigma_mu^2) and phi = sigma_mu^2 / sigma2:

SAR  y = rho W y + X b + mu + e. The GLS transformation v* = v - (1 - theta) mean_t(v)_i with
     theta = 1 / sqrt(1 + T phi) whitens the errors and commutes with W, so
     ln L = -NT/2 ln(2 pi sigma2) + n ln theta + T ln|I - rho W| - e*'e* / (2 sigma2).
SEM  y = X b + mu + u, u = lambda W u + e. With B = I - lambda W, C = B'B, r = y - X b split into
     unit means rbar and deviations r~:
     ln L = -NT/2 ln(2 pi sigma2) + T ln|B| - 1/2 ln|I + T phi C|
            - [sum_t |B r~_t|^2 + T rbar' C (I + T phi C)^-1 rbar] / (2 sigma2),
     every term from sparse n x n products and one sparse factorisation of I + T phi C.

b and sigma2 are concentrated out; (rho or lambda, theta) are found by the bounded grid-then-Brent
search of part 1. phi = 0 (theta = 1) is the pooled model; phi -> infinity approaches the
unit fixed-effects (within) estimator. Standard errors come from the numerical Hessian of the full
log-likelihood in (b, rho or lambda, phi, sigma2). With ``conditional_se=True`` the coefficients'
block is R splm's instead: sigma2 (X' Omega^-1 X)^-1 at the estimated phi and rho (lambda),
conditional on them (it ignores their estimation error and, for the SAR, the rho-beta covariance),
with zero covariance between the coefficients and (rho or lambda, phi), whose block stays the
inverse Hessian (the same as splm's Hessian of the concentrated likelihood).

The tests check these estimates against R splm's ``spreml`` on Produc
(``tests/reference/produc_random``), against a brute-force maximisation of the dense
nT-dimensional Gaussian likelihood written independently in the test, and against the pooled limit.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import replace

import numpy as np
from scipy import sparse, special
from scipy.sparse import linalg as sla

from spatial.errors import BoundaryWarning, ConvergenceWarning, NumericalError, SpatialPanelError
from spatial.models._design import Design
from spatial.models._information import invert, numerical_hessian
from spatial.models._likelihood import LagProfile, concentrated
from spatial.models._postestimation import near_bound
from spatial.models._scaling import check_residual_variance
from spatial.models.families import Estimate, Family, FitOptions, Problem, problem
from spatial.models.result import TestResult

__all__ = ["FAMILY"]

_THETA_MIN = 1e-4  # theta = 1/sqrt(1 + T phi); 1e-4 is phi ~ 1e8 / T, indistinguishable from fixed effects


def _quasi_demean(values: np.ndarray, n: int, T: int, theta: float) -> np.ndarray:
    block = values.reshape(n, T, -1)
    return (block - (1.0 - theta) * block.mean(axis=1, keepdims=True)).reshape(values.shape)


class _SarRandom:
    """Concentrated log-likelihood of the random-effects SAR in (rho, theta)."""

    def __init__(self, design: Design, logdet) -> None:
        self.design, self.logdet = design, logdet
        self._profiles: dict[float, LagProfile] = {}

    def profile(self, theta: float) -> LagProfile:
        if theta not in self._profiles:
            d = self.design
            n, T = d.n_units, d.n_periods
            star = replace(d, y=_quasi_demean(d.y, n, T, theta), X=_quasi_demean(d.X, n, T, theta), _lags={})
            star._lags["Wy"] = _quasi_demean(d.Wy, n, T, theta)
            if len(self._profiles) > 64:
                self._profiles.clear()
            self._profiles[theta] = LagProfile(star)
        return self._profiles[theta]

    def loglik(self, rho: float, theta: float) -> float:
        d = self.design
        return self.profile(theta).loglik(rho, self.logdet) + d.n_units * math.log(theta)

    def beta(self, rho: float, theta: float) -> np.ndarray:
        return self.profile(theta).beta(rho)

    def gls_matrix(self, rho: float, theta: float) -> np.ndarray:
        """X' Omega^-1 X (Omega the error covariance over sigma2): X*'X* of the quasi-demeaned X."""
        X = self.profile(theta).design.X
        return X.T @ X

    def full(self, beta: np.ndarray, rho: float, phi: float, sigma2: float) -> float:
        d = self.design
        n, T = d.n_units, d.n_periods
        theta = 1.0 / math.sqrt(1.0 + T * phi)
        e = _quasi_demean(d.y - rho * d.Wy - d.X @ beta, n, T, theta)
        return (-0.5 * d.nobs * math.log(2 * math.pi * sigma2) + n * math.log(theta) + T * self.logdet(rho)
                - float(e @ e) / (2 * sigma2))


class _SemRandom:
    """Concentrated log-likelihood of the random-effects SEM in (lambda, theta)."""

    def __init__(self, design: Design, logdet) -> None:
        self.design, self.logdet = design, logdet
        d = design
        n, T = d.n_units, d.n_periods
        self.ybar = d.y.reshape(n, T).mean(axis=1)
        self.Xbar = d.X.reshape(n, T, -1).mean(axis=1)
        self.ytil = (d.y.reshape(n, T) - self.ybar[:, None]).ravel()
        self.Xtil = (d.X.reshape(n, T, -1) - self.Xbar[:, None, :]).reshape(d.X.shape)
        self.Wytil = d.lag(self.ytil)
        self.WXtil = d.lag(self.Xtil)
        self.W = d.weights.matrix
        self.eye = sparse.identity(n, format="csc")

    def _parts(self, lam: float, theta: float):
        d = self.design
        T = d.n_periods
        phi = (1.0 / theta**2 - 1.0) / T
        B = (self.eye - lam * self.W).tocsc()
        C = (B.T @ B).tocsc()
        try:
            lu = sla.splu((self.eye + (T * phi) * C).tocsc())
        except RuntimeError as exc:
            raise NumericalError(
                f"random-effects SEM: I + T phi B'B is singular at lambda = {lam:.6g}: {exc}") from None
        logdet_v = float(np.sum(np.log(np.abs(lu.U.diagonal()))))
        ys = self.ytil - lam * self.Wytil
        Xs = self.Xtil - lam * self.WXtil
        cz_X = C @ lu.solve(self.Xbar)
        cz_y = C @ lu.solve(self.ybar)
        M = Xs.T @ Xs + T * (self.Xbar.T @ cz_X)
        m = Xs.T @ ys + T * (self.Xbar.T @ cz_y)
        q_yy = float(ys @ ys) + T * float(self.ybar @ cz_y)
        return M, m, q_yy, logdet_v, phi

    def _fit(self, lam: float, theta: float):
        M, m, q_yy, logdet_v, phi = self._parts(lam, theta)
        beta = np.linalg.solve(M, m)
        sse = q_yy - float(m @ beta)
        return beta, sse, logdet_v

    def loglik(self, lam: float, theta: float) -> float:
        d = self.design
        _, sse, logdet_v = self._fit(lam, theta)
        return d.n_periods * self.logdet(lam) - 0.5 * logdet_v + concentrated(sse, d.nobs)

    def beta(self, lam: float, theta: float) -> np.ndarray:
        return self._fit(lam, theta)[0]

    def gls_matrix(self, lam: float, theta: float) -> np.ndarray:
        """X' Omega^-1 X (Omega the error covariance over sigma2) at (lambda, theta)."""
        return self._parts(lam, theta)[0]

    def sse(self, lam: float, theta: float) -> float:
        return self._fit(lam, theta)[1]

    def full(self, beta: np.ndarray, lam: float, phi: float, sigma2: float) -> float:
        d = self.design
        T = d.n_periods
        theta = 1.0 / math.sqrt(1.0 + T * phi)
        M, m, q_yy, logdet_v, _ = self._parts(lam, theta)
        q = q_yy - 2 * float(m @ beta) + float(beta @ M @ beta)
        return (-0.5 * d.nobs * math.log(2 * math.pi * sigma2) + T * self.logdet(lam) - 0.5 * logdet_v
                - q / (2 * sigma2))


def _check(info, options: FitOptions) -> None:
    if options.fe != "none" or options.lee_yu:
        raise SpatialPanelError("random_effects=True replaces the unit fixed effects: leave fe='none' and "
                                "lee_yu=False")
    if info.n_spatial != 1:
        raise SpatialPanelError(f"random effects are available for SAR, SEM, SDM and SDEM, not {info.name!r}")


def _setup(panel, weights, info, options: FitOptions) -> Problem:
    prob = problem(panel, weights, info, options, constant=options.constant, fe="none", n_spatial=2,
                   spec_changes={"cov": "hessian", "random_effects": True, "constant": options.constant,
                                 "conditional_se": bool(options.conditional_se)})
    if prob.design.n_periods < 2:
        raise SpatialPanelError(f"random unit effects need at least 2 periods (the panel has {prob.design.n_periods})")
    return prob


def _estimate(prob: Problem) -> Estimate:
    design, spec, info, ld, interval = prob.design, prob.spec, prob.info, prob.logdet, prob.interval
    model = spec.model
    n, T = design.n_units, design.n_periods
    lo, hi = interval.inner()
    engine = _SarRandom(design, ld) if info.lag else _SemRandom(design, ld)
    found = prob.maximise_2d(lambda a, t: engine.loglik(a, t), ((lo, hi), (_THETA_MIN, 1.0)))
    spatial, theta = found.x
    if not all(math.isfinite(v) for v in found.x):
        raise NumericalError(f"random-effects {model}: the log-likelihood is not finite in the admissible region")
    beta = engine.beta(spatial, theta)
    phi = (1.0 / theta**2 - 1.0) / T
    sse = engine.profile(theta).sse(spatial) if info.lag else engine.sse(spatial, theta)
    check_residual_variance(design, sse, f"random-effects {model}")
    sigma2 = sse / design.nobs
    loglik = engine.loglik(spatial, theta)
    converged = bool(found.converged)
    if not converged:
        warnings.warn(f"random-effects {model}: the optimiser did not converge ({found.message})",
                      ConvergenceWarning, stacklevel=4)
    at_boundary = bool(theta >= 1.0 - 1e-6 or theta <= _THETA_MIN * 1.01 or near_bound(spatial, interval))
    if at_boundary:
        where = ("phi = 0: no variance between units, the pooled model" if theta >= 1.0 - 1e-6 else
                 "phi at its upper limit: the unit effects dominate, use fixed effects" if theta <= _THETA_MIN * 1.01
                 else f"{'rho' if info.lag else 'lambda'} on the bound of its interval")
        warnings.warn(f"random-effects {model}: estimate on the boundary ({where}); standard errors are unreliable",
                      BoundaryWarning, stacklevel=4)
    k = design.k
    point = np.concatenate([beta, [spatial, phi, sigma2]])

    def full(v: np.ndarray) -> float:
        # phi slightly below 0 is still a valid covariance (1 + T phi > 0): the Hessian at phi = 0 needs it
        if 1.0 + T * v[k + 1] <= 0 or v[k + 2] <= 0:
            return -math.inf
        return engine.full(v[:k], float(v[k]), float(v[k + 1]), float(v[k + 2]))

    hessian = numerical_hessian(full, point)
    full_cov = invert(-hessian, stage="random-effects Hessian")
    spatial_name = "rho" if info.lag else "lambda"
    names = list(design.names) + [spatial_name, "phi"]
    estimates = point[:-1]
    cov = full_cov[:-1, :-1]
    if info.lag:
        e = _quasi_demean(design.y - spatial * design.Wy - design.X @ beta, n, T, theta)
        prediction = design.weights.reduced_form(spatial, design.X @ beta)
    else:
        u = design.y - design.X @ beta
        e = _quasi_demean(u - spatial * design.lag(u), n, T, theta)
        prediction = design.X @ beta
    pooled = concentrated(float(np.sum((design.y - design.X @ np.linalg.lstsq(design.X, design.y, rcond=None)[0])
                                       ** 2)), design.nobs)
    tests = {
        "lr_random_and_spatial": TestResult(
            name=f"LR phi = {spatial_name} = 0 (vs pooled OLS)", statistic=2 * (loglik - pooled), df=2.0,
            p_value=float(special.chdtrc(2, 2 * (loglik - pooled))),
            note="phi = 0 is on the boundary: the chi2(2) p-value is conservative"),
    }

    def conditional() -> np.ndarray:
        """splm's covariance: sigma2 (X' Omega^-1 X)^-1 for the coefficients, given phi and rho (lambda)."""
        out = np.zeros_like(cov)
        out[:k, :k] = sigma2 * np.linalg.inv(engine.gls_matrix(spatial, theta))
        out[k:, k:] = cov[k:, k:]
        return out

    chosen = conditional() if prob.options.conditional_se else cov
    i = names.index(spatial_name)
    variance = chosen[i, i]
    wald = float(estimates[i] ** 2 / variance) if variance > 0 else float("nan")
    tests[f"wald_{spatial_name}"] = TestResult(name=f"Wald {spatial_name} = 0", statistic=wald, df=1.0,
                                               p_value=float(special.chdtrc(1, wald)))
    details = {"logdet": prob.method, "cov": "numerical Hessian", "theta": theta, "phi": phi,
               "sigma_mu2": phi * sigma2, "optimizer": found.message, "interval_source": interval.source,
               "grid_local_maxima": found.local_maxima}
    notes = ()
    if prob.options.conditional_se:
        details["cov"] = "conditional (splm): sigma2 (X' Omega^-1 X)^-1 given phi and " + spatial_name
        notes = (f"coefficient standard errors conditional on phi and {spatial_name} (as R splm), "
                 "not from the full information",)
    return Estimate(
        names=tuple(names), estimates=estimates, cov=cov, beta=beta, sigma2=sigma2, residuals=e,
        prediction=prediction, sigma2_se=math.sqrt(full_cov[-1, -1]) if full_cov[-1, -1] > 0 else None,
        loglik=loglik, spatial={spatial_name: spatial}, converged=converged, at_boundary=at_boundary, tests=tests,
        details=details, notes=notes, hessian=lambda: hessian, loglik_at=full,
        covariances={"conditional": conditional})


FAMILY = Family(name="random_effects", check=_check, setup=_setup, estimate=_estimate)
