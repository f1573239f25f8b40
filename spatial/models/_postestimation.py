"""Post-estimation, written once for every estimator family: standard errors, z (or t) and
p-values from a covariance, the effects (or why they are undefined), and the frozen Result.

An estimator (least squares, concentrated ML, random-effects ML) supplies its estimates, their
covariance and its fit statistics; this module turns them into :class:`Result`. ``loglik`` may be
None for an estimator without a likelihood (then AIC and BIC are None too).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import special

from spatial.errors import SpatialWarning
from spatial.models._design import CONST, Design
from spatial.linalg import Interval
from spatial.models.effects import coefficient_effects, lag_effects
from spatial.models.result import ModelSpec, Result

__all__ = ["coefficient_inference", "coefficient_effects_of", "lag_effects_of", "effects_undefined", "near_bound",
           "build_result", "cov_details", "finish", "BOUNDARY"]

BOUNDARY = 1e-4  # relative distance to a bound flagged as "on the boundary"


def coefficient_inference(estimates: np.ndarray, cov: np.ndarray, names: list[str], *, dist: str = "normal",
              df: int | None = None, model: str = "") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standard errors, z (t when ``dist == "t"``, with ``df``) and two-sided p-values.

    A non-positive variance gives a NaN standard error ("n/a" in the summary) and a warning naming
    the parameters, never a silent NaN (RELIABILITY E2).
    """
    variances = np.diag(cov)
    bad = ~(variances > 0)
    if bad.any():
        warnings.warn(f"{model}: non-positive variance for {', '.join(names[i] for i in np.flatnonzero(bad))}; "
                      "their standard errors are n/a", SpatialWarning, stacklevel=3)
    se = np.sqrt(np.where(bad, np.nan, variances))
    z = estimates / se
    tail = special.stdtr(df, -np.abs(z)) if dist == "t" else special.ndtr(-np.abs(z))
    return se, z, 2 * tail


def coefficient_effects_of(design: Design, beta: np.ndarray, cov: np.ndarray, *, dist: str = "normal",
                         df: int | None = None):
    names = [n for n in design.names if n != CONST and not n.startswith("W*")]
    if not names:
        return None
    index = {name: i for i, name in enumerate(design.names)}
    b_idx = [index[n] for n in names]
    has_theta = np.array([f"W*{n}" in index for n in names])
    t_idx = [index.get(f"W*{n}", b_idx[j]) for j, n in enumerate(names)]
    sel = b_idx + t_idx
    sub = cov[np.ix_(sel, sel)].copy()
    K = len(names)
    for j in range(K):
        if not has_theta[j]:
            sub[K + j, :] = 0.0
            sub[:, K + j] = 0.0
    theta = np.where(has_theta, beta[t_idx], 0.0)
    return coefficient_effects(names, beta[b_idx], theta, sub, has_theta, dist=dist, df=df)


def near_bound(value: float, interval: Interval) -> bool:
    return min(value - interval.lower, interval.upper - value) < BOUNDARY * interval.width


def effects_undefined(rho: float, interval: Interval) -> str | None:
    """Why the effects of a lag model are undefined at ``rho`` (None when they are defined).

    On a bound of the admissible interval I - rho W is singular (or nearly), so (I - rho W)^-1, and
    with it every direct, indirect and total effect, does not exist (RELIABILITY E2).
    """
    if not near_bound(rho, interval):
        return None
    side = "upper" if abs(rho - interval.upper) <= abs(rho - interval.lower) else "lower"
    return (f"undefined: rho = {rho:.6g} is on the {side} bound of its interval ({interval.lower:.6g}, "
            f"{interval.upper:.6g}), where I - rho W is singular; no effects are reported")


def _effects_method(spec: ModelSpec, method: str, n: int) -> str:
    if spec.effects != "auto":
        return spec.effects
    if method == "eigen":
        return "exact"
    return "lu" if method == "lu" else "traces"


def lag_effects_of(design: Design, spec: ModelSpec, beta: np.ndarray, rho: float, names: list[str], cov: np.ndarray,
                 ld, interval: Interval, method: str, *, endog: tuple[str, ...] = ()):
    """Effects of a lag model for the regressors of ``design`` and the GMM ``endog`` regressors."""
    regressors = [n for n in design.names if n != CONST and not n.startswith("W*")] + list(endog)
    if not regressors:
        return None
    index = {name: i for i, name in enumerate(names)}
    K = len(regressors)
    has_theta = np.array([f"W*{r}" in index for r in regressors])
    b_idx = [index[r] for r in regressors]
    t_idx = [index.get(f"W*{r}", index[r]) for r in regressors]
    sel = [index["rho"], *b_idx, *t_idx]
    sub = cov[np.ix_(sel, sel)].copy()
    for j in range(K):
        if not has_theta[j]:
            sub[1 + K + j, :] = 0.0
            sub[:, 1 + K + j] = 0.0
    theta = np.where(has_theta, beta[t_idx], 0.0)
    effects_method = _effects_method(spec, method, design.n_units)
    if not np.all(np.isfinite(sub)):
        sub = None
    return lag_effects(
        design.weights, names=regressors, rho=rho, beta=beta[b_idx], theta=theta, has_theta=has_theta, cov=sub,
        interval=(interval.lower, interval.upper), method=effects_method, inference=spec.inference,
        draws=spec.draws, seed=spec.seed, logdet=ld, per_unit=spec.per_unit,
    )


def build_result(design: Design, spec: ModelSpec, panel, *, names, estimates, se, z, p, cov, sigma2, sigma2_se,
                 loglik, n_params, bounds, effects, tests, converged, at_boundary, e, prediction, dist, df_resid,
                 details, fixed_effects=None, diagnostics=None) -> Result:
    index = pd.Index(names, name="parameter")
    y = design.y
    sst = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - float(e @ e) / sst
    pseudo = float(np.corrcoef(y, prediction)[0, 1] ** 2) if np.ptp(prediction) > 0 else float("nan")
    dropped = panel.dropped
    extra = pd.DataFrame(list(design.dropped), columns=dropped.columns)
    if not extra.empty:
        dropped = extra if dropped.empty else pd.concat([dropped, extra], ignore_index=True)
    details = {**details, "weights": design.weights.describe()}
    return Result(
        model=spec.model, spec=spec,
        params=pd.Series(estimates, index=index, name="estimate"),
        std_errors=pd.Series(se, index=index, name="std_error"),
        zstats=pd.Series(z, index=index, name="t" if dist == "t" else "z"),
        pvalues=pd.Series(p, index=index, name="p_value"),
        cov=pd.DataFrame(cov, index=index, columns=index),
        sigma2=float(sigma2), sigma2_se=sigma2_se, loglik=None if loglik is None else float(loglik), nobs=design.nobs, n_units=design.n_units,
        n_periods=design.n_periods, n_params=int(n_params), rho_bounds=bounds, effects=effects, tests=tests,
        dropped=dropped.reset_index(drop=True), converged=converged, at_boundary=at_boundary, r2=r2, pseudo_r2=pseudo,
        residuals=pd.Series(e, index=design.index, name="residual"),
        fitted=pd.Series(y - e, index=design.index, name="fitted"),
        dist=dist, df_resid=df_resid, details=details, fixed_effects=fixed_effects, diagnostics=diagnostics or {},
    )


def cov_details(spec: ModelSpec, design: Design, family: str) -> dict:
    """What the output says about the covariance (``cov_label``; the bandwidth of Driscoll-Kraay)."""
    from spatial.models._robust import describe_cov

    kind = spec.cov
    out: dict = {"cov_label": describe_cov(kind, family=family, bandwidth=spec.bandwidth, n_periods=design.n_periods,
                                           user_bandwidth=spec.bandwidth_given)}
    if kind == "driscoll_kraay":
        out["bandwidth"] = spec.bandwidth
    return out


def finish(problem, estimate) -> Result:
    """The frozen :class:`Result` of a family's :class:`~spatial.models.families.Estimate`.

    Standard errors, z (t) and p-values from the estimate's covariance (or the alternative named by
    the options, e.g. ``conditional_se``), the effects (through (I - rho W)^-1 for lag models, the
    coefficients themselves for the other Durbin models; undefined on a bound of rho), the Result,
    and the map back from the scaled design to the data's units.
    """
    from spatial.models._scaling import unscale_result

    design, spec, info = problem.design, problem.spec, problem.info
    names = list(estimate.names)
    cov = estimate.cov
    details = dict(estimate.details)
    if problem.options.conditional_se:
        cov = estimate.covariances["conditional"]()
    label = f"random-effects {spec.model}" if spec.random_effects else spec.model
    se, z, p = coefficient_inference(estimate.estimates, cov, names, dist=estimate.dist, df=estimate.df_resid,
                                     model=label)
    effects = None
    rho = estimate.rho
    interval = estimate.interval or problem.interval
    if info.lag_effects and rho is not None:
        undefined = effects_undefined(rho, interval)
        if undefined:
            details["effects"] = undefined
        else:
            effects = lag_effects_of(design, spec, estimate.beta, rho, names, cov, problem.logdet, interval,
                                     problem.method)
    elif info.durbin:
        effects = coefficient_effects_of(design, estimate.beta, cov[: design.k, : design.k], dist=estimate.dist,
                                         df=estimate.df_resid)
    if estimate.notes:
        details["notes"] = list(estimate.notes)
    result = build_result(
        design, spec, problem.panel, names=names, estimates=estimate.estimates, se=se, z=z, p=p, cov=cov,
        sigma2=estimate.sigma2, sigma2_se=estimate.sigma2_se, loglik=estimate.loglik,
        n_params=len(names) + 1 if estimate.n_params is None else estimate.n_params,
        bounds=None if interval is None or not estimate.spatial else (interval.lower, interval.upper),
        effects=effects, tests=estimate.tests, converged=bool(estimate.converged),
        at_boundary=bool(estimate.at_boundary), e=estimate.residuals, prediction=estimate.prediction,
        dist=estimate.dist, df_resid=estimate.df_resid, details=details, fixed_effects=estimate.fixed_effects,
        diagnostics=estimate.diagnostics)
    return unscale_result(result, problem.scales)
