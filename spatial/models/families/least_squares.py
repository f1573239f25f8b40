"""Least squares: OLS and SLX (y = X b + W X t), pooled or with fixed effects.

Standard errors from SSR / (N - k - absorbed fixed effects) and t distributions (as R's ``lm`` and
``plm``); the log-likelihood is the Gaussian one at sigma2 = SSR / N; the LM tests of a spatial lag
and error, and with a constant the regression diagnostics of spreg (F, Jarque-Bera, Breusch-Pagan,
Koenker-Bassett, White, condition number, VIF).

Examples
--------
>>> from spatial.models.catalog import model_info
>>> from spatial.models.families import FitOptions, get_family
>>> get_family("least_squares").check(model_info("slx"), FitOptions(model="slx"))  # nothing to refuse
"""

from __future__ import annotations

import numpy as np

from spatial.models import _diagnostics as diag
from spatial.models._design import CONST, Design
from spatial.models._likelihood import concentrated
from spatial.models._panel import recover_fixed_effects
from spatial.models._postestimation import cov_details
from spatial.models._regression_diagnostics import condition_number, regression_diagnostics, variance_inflation
from spatial.models._robust import ROBUST, ls_covariance, ls_scores
from spatial.models._scaling import check_residual_variance
from spatial.models.families import Estimate, Family, FitOptions, Problem, problem

__all__ = ["FAMILY", "ols"]


def ols(design: Design) -> tuple[np.ndarray, np.ndarray, float]:
    """Coefficients, residuals and SSR of the least-squares fit of ``design``."""
    beta = np.linalg.lstsq(design.X, design.y, rcond=None)[0]
    e = design.y - design.X @ beta
    return beta, e, float(e @ e)


def _check(info, options: FitOptions) -> None:
    return None


def _setup(panel, weights, info, options: FitOptions) -> Problem:
    return problem(panel, weights, info, options, constant=options.constant, fe=options.fe, n_spatial=0)


def _estimate(prob: Problem) -> Estimate:
    design, spec = prob.design, prob.spec
    beta, e, sse = ols(design)
    check_residual_variance(design, sse, spec.model)
    N, k = design.nobs, design.k
    absorbed = {"none": 0, "unit": design.n_units, "time": design.n_periods,
                "twoway": design.n_units + design.n_periods - 1}[spec.fe]
    df = N - (k + absorbed)  # degrees of freedom used by the coefficients and the fixed effects (as plm)
    if spec.cov in ROBUST:
        cov = ls_covariance(design.X, e, spec.cov, n_units=design.n_units, n_periods=design.n_periods, fe=spec.fe,
                            bandwidth=spec.bandwidth)
    else:
        cov = sse / df * np.linalg.inv(design.X.T @ design.X)
    details = cov_details(spec, design, "least_squares")
    names = tuple(design.names)
    fixed = None
    if spec.fe != "none":
        fixed = recover_fixed_effects(design, spec.fe, beta, sse / N, rho=None, index=design.index)
    checks, extra = {}, details
    if CONST in design.names:
        checks = regression_diagnostics(design.X, list(names), design.y, e)
        extra = {**details, "condition_number": condition_number(design.X),
                 "vif": variance_inflation(design.X, list(names))}
    s2 = sse / N

    def scores() -> np.ndarray:  # Gaussian scores in (b, sigma2) at the ML sigma2
        return np.column_stack([ls_scores(design.X, e) / s2, -0.5 / s2 + e * e / (2 * s2**2)])

    return Estimate(
        names=names, estimates=beta, cov=cov, beta=beta, sigma2=sse / N, residuals=e, prediction=design.X @ beta,
        loglik=concentrated(sse, N), n_params=k + 1, dist="t", df_resid=df, tests=diag.lm_tests(design, beta, e),
        details=extra, fixed_effects=fixed, diagnostics=checks, scores=scores)


FAMILY = Family(name="least_squares", check=_check, setup=_setup, estimate=_estimate)
