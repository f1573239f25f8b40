"""Concentrated maximum likelihood: SAR, SEM, SDM, SDEM and SAC, pooled or with fixed effects.

The coefficients and sigma2 are concentrated out; rho and/or lambda are found by a coarse grid
followed by a bounded search (Brent in one dimension, nested in two) on the log-determinant of
:mod:`spatial.linalg` (exact interpolated windows refine a coarse Monte Carlo search with sparse LU).
The model's spatial terms come from its catalog row (``lag``, ``error``, ``durbin``), never from
its name. Covariance: the inverse analytical information matrix (``cov="information"``) or observed
Hessian (``cov="hessian"``); with fixed effects, the Lee and Yu (2010) correction as an option.

Examples
--------
>>> from spatial.models.catalog import model_info
>>> from spatial.models.families import FitOptions, get_family
>>> get_family("concentrated_ml").check(model_info("sac"), FitOptions(model="sac", fe="twoway"))
Traceback (most recent call last):
...
spatial.errors.SpatialPanelError: SAC with time or two-way fixed effects is not available (the demeaned W y and W (demeaned y) differ there); use fe='unit', or SAR/SEM/SDM/SDEM
"""

from __future__ import annotations

import math
import warnings
from dataclasses import replace
from functools import partial
from typing import Any

import numpy as np

from spatial.errors import BoundaryWarning, ConvergenceWarning, NumericalError, SpatialPanelError
from spatial.linalg import DENSE_LIMIT, Interval, LULogDet, lower_bound_from_eigensolver
from spatial.models import _diagnostics as diag
from spatial.models._design import CONST, Design
from spatial.models._information import information_matrix, invert, observed_hessian
from spatial.models._likelihood import ErrorProfile, LagProfile, SacProfile, concentrated, full_loglik, residuals
from spatial.models._optimize import Maximum
from spatial.models._panel import check_lee_yu, lee_yu_correction, recover_fixed_effects
from spatial.models._postestimation import BOUNDARY, cov_details, near_bound
from spatial.models._robust import ROBUST, ml_covariance, ml_scores
from spatial.models._scaling import check_residual_variance
from spatial.models.families import Estimate, Family, FitOptions, Problem, problem
from spatial.models.families.least_squares import ols
from spatial.models.result import TestResult

__all__ = ["FAMILY", "search_1d", "search_2d"]


def _check(info, options: FitOptions) -> None:
    if options.fe != "none" and info.lag and info.error and options.fe != "unit":
        raise SpatialPanelError("SAC with time or two-way fixed effects is not available (the demeaned W y and "
                                "W (demeaned y) differ there); use fe='unit', or SAR/SEM/SDM/SDEM")


def _setup(panel, weights, info, options: FitOptions) -> Problem:
    if options.lee_yu:
        check_lee_yu(options.fe, info, weights)
    return problem(panel, weights, info, options, constant=options.constant, fe=options.fe,
                   n_spatial=info.n_spatial)


# ---------------------------------------------------------------------------------------- search


def _window_function(window):
    return lambda r: float(window.derivative(np.array([r]), 0)[0])


def _half_width(value: float, lo: float, hi: float) -> float:
    return max(min(0.05, 0.15 * min(value - lo, hi - value)), 1e-4)


def _refine_1d(loglik, ld: LULogDet, interval: Interval, start: float, maximise_1d) -> Maximum:
    """Maximise with the exact (interpolated) log-determinant on windows around ``start``.

    The interpolant is checked against the exact value at the maximum (the factorisation that
    the final log-likelihood needs anyway) and refined if they disagree.
    """
    lo_i, hi_i = interval.inner()
    x0, nodes = start, None
    found = None
    for _ in range(8):
        half = _half_width(x0, lo_i, hi_i)
        window = ld.window(x0 - half, x0 + half, check=False, **({} if nodes is None else {"nodes": nodes}))
        f_window = _window_function(window)
        found = maximise_1d(lambda r, f=f_window: loglik(r, f), window.lo, window.hi, grid=11)
        x = found.x[0]
        span = window.hi - window.lo
        at_edge = (x - window.lo < 1e-3 * span and window.lo > lo_i + 1e-9) or (
            window.hi - x < 1e-3 * span and window.hi < hi_i - 1e-9)
        if at_edge:
            x0 = x
            continue
        if ld.agrees(window, x) or window.nodes >= 64:
            break
        nodes = 2 * window.nodes
    return found


def search_1d(loglik, ld, interval: Interval, maximise_1d, maximise_2d) -> Maximum:
    lo, hi = interval.inner()
    coarse = ld.coarse()
    found = maximise_1d(lambda r: loglik(r, coarse), lo, hi)
    if coarse is not ld:
        found = _refine_1d(loglik, ld, interval, found.x[0], maximise_1d)
    return found


def search_2d(loglik, ld, interval: Interval, maximise_1d, maximise_2d) -> Maximum:
    lo, hi = interval.inner()
    coarse = ld.coarse()
    found = maximise_2d(lambda a, b: loglik(a, b, coarse, coarse), ((lo, hi), (lo, hi)))
    if coarse is ld:
        return found
    nodes = None
    for _ in range(8):
        windows = []
        for value in found.x:
            half = _half_width(value, lo, hi)
            windows.append(ld.window(value - half, value + half, check=False,
                                     **({} if nodes is None else {"nodes": nodes})))
        f_rho, f_lam = (_window_function(w_) for w_ in windows)
        refined = maximise_2d(lambda a, b, f_rho=f_rho, f_lam=f_lam: loglik(a, b, f_rho, f_lam),
                              ((windows[0].lo, windows[0].hi), (windows[1].lo, windows[1].hi)), grid=9)
        moved = any(min(v - w_.lo, w_.hi - v) < 1e-3 * (w_.hi - w_.lo) and lo + 1e-9 < v < hi - 1e-9
                    for v, w_ in zip(refined.x, windows, strict=True))
        found = refined
        if moved:
            continue
        if all(ld.agrees(w_, v) for w_, v in zip(windows, refined.x, strict=True)) or windows[0].nodes >= 64:
            break
        nodes = 2 * max(w_.nodes for w_ in windows)
    return found


def _search(design: Design, info, ld, interval: Interval, optimisers):
    """The ML estimate of the spatial parameter(s); the spectral-radius interval is extended once
    (by a sparse eigensolver) if the estimate reaches its lower end."""
    two = info.n_spatial == 2
    if two:
        profile = SacProfile(design)
        search = partial(search_2d, lambda r, l_, f, g: profile.loglik(r, l_, f, g))
    else:
        profile = LagProfile(design) if info.lag else ErrorProfile(design)
        search = partial(search_1d, lambda r, f: profile.loglik(r, f))
    for _ in range(2):
        found = search(ld, interval, *optimisers)
        low_end = interval.source == "spectral radius" and any(
            v - interval.lower < BOUNDARY * interval.width for v in found.x)
        if not low_end:
            break
        interval = lower_bound_from_eigensolver(design.weights, interval.upper)
        if isinstance(ld, LULogDet):
            ld.interval = interval
    if two:
        rho, lam = found.x
        beta, sse, loglik = profile.beta(rho, lam), profile.sse(rho, lam), profile.loglik(rho, lam, ld)
    else:
        value = found.x[0]
        rho, lam = (value, None) if info.lag else (None, value)
        beta, sse, loglik = profile.beta(value), profile.sse(value), profile.loglik(value, ld)
    return found, interval, rho, lam, beta, sse, loglik


# ---------------------------------------------------------------------------------------- estimate


def _estimate(prob: Problem) -> Estimate:
    design, spec, info, ld, method = prob.design, prob.spec, prob.info, prob.logdet, prob.method
    model = spec.model
    cov_method = spec.cov
    details: dict[str, Any] = {"logdet": method, "cov": cov_method}
    lag, error = info.lag, info.error
    found, interval, rho, lam, beta, sse, loglik = _search(design, info, ld, prob.interval,
                                                           (prob.maximise_1d, prob.maximise_2d))
    values = list(found.x)
    if not all(math.isfinite(v) for v in values) or not math.isfinite(loglik):
        raise NumericalError(
            f"{model}: the concentrated log-likelihood is not finite anywhere in the admissible interval"
        )
    check_residual_variance(design, sse, model)
    converged = bool(found.converged)
    details.update(optimizer=found.message, grid_local_maxima=found.local_maxima, interval_source=interval.source)
    if not converged:
        warnings.warn(f"{model}: the optimiser did not converge ({found.message}); see result.converged",
                      ConvergenceWarning, stacklevel=4)
    at_boundary = any(near_bound(v, interval) for v in values)
    if at_boundary:
        warnings.warn(
            f"{model}: the spatial parameter {', '.join(f'{v:.6g}' for v in values)} lies on the bound of its "
            f"interval ({interval.lower:.6g}, {interval.upper:.6g}); standard errors are unreliable",
            BoundaryWarning, stacklevel=4)
    N = design.nobs
    sigma2 = sse / N
    if spec.lee_yu:
        beta, rho, lam, sigma2, loglik, corrected = lee_yu_correction(
            design, spec.fe, beta=beta, rho=rho, lam=lam, sigma2=sigma2, loglik=loglik, logdet=ld,
            cov_method=cov_method)
        details.update(corrected)

    def hessian(beta=beta, sigma2=sigma2, rho=rho, lam=lam) -> np.ndarray:
        f2_rho = float(ld.derivative(np.array([rho]), 2)[0]) if rho is not None else 0.0
        f2_lam = float(ld.derivative(np.array([lam]), 2)[0]) if lam is not None else 0.0
        return observed_hessian(design, beta, sigma2, rho=rho, lam=lam, f2_rho=f2_rho, f2_lam=f2_lam)

    if cov_method == "information":
        full_cov = invert(information_matrix(design, beta, sigma2, rho=rho, lam=lam), stage="information matrix")
    elif cov_method in ROBUST:
        full_cov = ml_covariance(design, beta, sigma2, hessian(), cov_method, rho=rho, lam=lam,
                                 bandwidth=spec.bandwidth)
    else:
        full_cov = invert(-hessian(), stage="Hessian")
    details.update(cov_details(spec, design, "ml"))
    if isinstance(ld, LULogDet):
        details["lu_factorisations"] = ld.factorisations
    names = list(design.names) + (["rho"] if lag else []) + (["lambda"] if error else [])
    estimates = np.concatenate([beta, [rho] if lag else [], [lam] if error else []])
    cov = full_cov[:-1, :-1]
    s2_var = full_cov[-1, -1]
    e = residuals(design, beta, rho or 0.0, lam or 0.0)
    rho_se = None
    if lag:
        i = names.index("rho")
        rho_se = float(np.sqrt(cov[i, i])) if cov[i, i] > 0 else float("nan")
        if cov_method in ROBUST:  # the LM test of residual correlation is built on the model-based variance
            rho_se = math.sqrt(invert(-hessian(), stage="Hessian")[design.k, design.k])
    tests = _spatial_tests(design, spec, info, beta, names, estimates, cov, loglik, sigma2, rho, lam, rho_se, e)
    if spec.lee_yu:
        tests = _lee_yu_notes(tests, details.get("lee_yu_loglik", ""))
    prediction = design.weights.reduced_form(rho, design.X @ beta) if lag else design.X @ beta
    fixed = None
    if spec.fe != "none":
        fixed = recover_fixed_effects(design, spec.fe, beta, sigma2, rho=rho, index=design.index)
    k = design.k

    def loglik_at(v: np.ndarray) -> float:
        v = np.asarray(v, dtype="float64")
        r = float(v[k]) if lag else 0.0
        l_ = float(v[k + int(lag)]) if error else 0.0
        return full_loglik(design, ld, v[:k], float(v[-1]), r, l_)

    spatial = {**({"rho": rho} if lag else {}), **({"lambda": lam} if error else {})}
    return Estimate(
        names=tuple(names), estimates=estimates, cov=cov, beta=beta, sigma2=sigma2, residuals=e,
        prediction=prediction, sigma2_se=math.sqrt(s2_var) if s2_var > 0 else None, loglik=loglik,
        spatial=spatial, interval=interval, converged=converged, at_boundary=at_boundary, tests=tests, details=details,
        fixed_effects=fixed, hessian=hessian, loglik_at=loglik_at,
        scores=lambda: ml_scores(design, beta, sigma2, rho=rho, lam=lam))


def _lee_yu_notes(tests: dict[str, TestResult], loglik_note: str) -> dict[str, TestResult]:
    """Say which estimates each test of a Lee-Yu corrected fit uses (as Elhorst prints it)."""
    out = {}
    for key, test in tests.items():
        used = (f"log-likelihood {loglik_note}" if key.startswith("lr") else
                "on the Lee-Yu bias-corrected estimates and their covariance")
        out[key] = replace(test, note=f"{test.note}; {used}" if test.note else used)
    return out


def _spatial_tests(design: Design, spec, info, beta, names, estimates, cov, loglik, sigma2, rho, lam, rho_se,
                   e) -> dict[str, TestResult]:
    from spatial.models.catalog import model_info

    tests: dict[str, TestResult] = {}
    _, _, sse_ols = ols(design)
    base = model_info(info.base).short
    index = {n: i for i, n in enumerate(names)}
    df_spatial = int(rho is not None) + int(lam is not None)
    tests["lr_spatial"] = diag.lr_test(f"LR spatial parameters = 0 (vs {base})", loglik,
                                       concentrated(sse_ols, design.nobs), df_spatial)
    for key, label in (("rho", "rho"), ("lambda", "lambda")):
        if key in index:
            i = index[key]
            tests[f"wald_{key}"] = diag.wald_test(f"Wald {label} = 0", estimates[i], cov[i, i])
    if info.lag and info.error:
        i, j = index["rho"], index["lambda"]
        tests["wald_spatial"] = diag.wald_test("Wald rho = lambda = 0", estimates[[i, j]], cov[np.ix_([i, j], [i, j])])
    lags = [n for n in names if n.startswith("W*") and n != f"W*{CONST}"]
    if info.lag and info.durbin and lags:
        idx = [index[n] for n in lags]
        tests["wald_theta"] = diag.wald_test("Wald theta = 0 (SDM vs SAR)", estimates[idx], cov[np.ix_(idx, idx)])
        own = [index[n[2:]] for n in lags]
        sel = own + idx + [index["rho"]]
        tests["common_factor"] = diag.common_factor_test(estimates[own], estimates[idx], rho, cov[np.ix_(sel, sel)])
    if info.error and info.durbin and lags:
        idx = [index[n] for n in lags]
        tests["wald_theta"] = diag.wald_test("Wald theta = 0 (SDEM vs SEM)", estimates[idx], cov[np.ix_(idx, idx)])
    if info.error and not info.lag:
        tests["hausman"] = diag.hausman_test(design, beta, lam, sigma2)
    if info.lag and not info.error and design.n_periods == 1 and design.n_units <= DENSE_LIMIT and rho_se is not None:
        tests["lm_residual"] = diag.lag_residual_lm(design, e, rho, rho_se, sigma2)
    return tests


FAMILY = Family(name="concentrated_ml", check=_check, setup=_setup, estimate=_estimate)
