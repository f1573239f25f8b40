"""``fit``: one function for every model, from a validated panel and a weights graph to a Result."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import Any

import numpy as np

from spatial.choices import Collinear, CovMethod, Estimator, FixedEffects, GmmErrors, LogdetMethod, ModelName
from spatial._options import check_option, check_seed
from spatial.errors import (
    BoundaryWarning,
    ConvergenceWarning,
    NumericalError,
    SpatialPanelError,
)
from spatial.models import _diagnostics as diag
from spatial.models._design import CONST, Design, build_design, check_panel
from spatial.models._dynamic import DynamicLags
from spatial.models._information import information_matrix, invert, observed_hessian
from spatial.models._likelihood import ErrorProfile, LagProfile, SacProfile, concentrated, residuals
from spatial.models._logdet import (
    DENSE_LIMIT,
    Interval,
    LULogDet,
    lower_bound_from_eigensolver,
    make_logdet,
    rho_interval,
)
from spatial.models._optimize import Maximum, maximise_1d, maximise_2d
from spatial.models._panel import check_lee_yu, fixed_effects_design, lee_yu_correction, recover_fixed_effects
from spatial.models._regression_diagnostics import condition_number, regression_diagnostics, variance_inflation
from spatial.hints import hint
from spatial.models._robust import ROBUST, check_robust, describe_cov, ls_covariance, ml_covariance
from spatial.models._postestimation import (
    BOUNDARY,
    build_result,
    coefficient_effects_of,
    coefficient_inference,
    effects_undefined,
    lag_effects_of,
    near_bound,
)
from spatial.models._scaling import check_residual_variance, scale_design, unscale_result
from spatial.models._weights import weights_matrix
from spatial.models.catalog import MODELS, model_info
from spatial.models.effects import EffectsInference, EffectsMethod
from spatial.models.result import ModelSpec, Result, TestResult

__all__ = ["fit", "ModelName", "FixedEffects", "LogdetMethod", "CovMethod", "Collinear", "Estimator", "GmmErrors"]




def fit(
    panel,
    w: Any,
    *,
    y: str,
    x: Sequence[str],
    model: ModelName = "sar",
    fe: FixedEffects = "none",
    wx: Sequence[str] | None = None,
    constant: bool = True,
    period: Any = None,
    logdet: LogdetMethod = "auto",
    cov: CovMethod = "auto",
    bandwidth: int | None = None,
    effects: EffectsMethod = "auto",
    inference: EffectsInference = "simulation",
    draws: int = 1000,
    seed: int = 12345,
    per_unit: bool | None = None,
    allow_islands: bool = False,
    collinear: Collinear = "error",
    lee_yu: bool | None = None,
    random_effects: bool = False,
    estimator: Estimator = "ml",
    endog: Sequence[str] | None = None,
    instruments: Sequence[str] | None = None,
    w_lags: int = 2,
    gmm_errors: GmmErrors = "het",
    dynamic: DynamicLags | None = None,
) -> Result:
    """Fit a spatial regression by maximum likelihood (OLS and SLX by least squares) or by GMM/IV.

    Parameters
    ----------
    panel
        A :class:`spatial.SpatialPanel`. A cross-section is a panel built with ``time=None``; a
        panel with several periods and ``fe="none"`` is the pooled model.
    w
        The spatial weights (libpysal ``Graph``, or ``W``) keyed by the panel's unit ids, used as
        given: pass ``w.transform("r")`` for the usual row-standardised W. The panel is aligned to
        the weights by id, never by position.
    y, x
        Dependent variable and regressors: column names or ``log(column)``.
    model
        ``"ols"``, ``"slx"`` (y = Xb + WX t), ``"sar"`` (lag), ``"sem"`` (error), ``"sdm"``
        (lag + WX), ``"sdem"`` (error + WX) or ``"sac"`` (lag + error).
    fe
        Fixed effects of a panel: ``"none"`` (pooled when there are several periods), ``"unit"``,
        ``"time"`` or ``"twoway"``, removed by demeaning y, X, W y and W X (Elhorst's convention,
        consistent with Lee and Yu (2010) for a row-standardised W; R splm applies W to the
        demeaned y instead, see :mod:`spatial.models._panel`). The intercept is absorbed; the
        recovered unit and time intercepts are in ``result.fixed_effects``.
    wx
        Regressors whose spatial lag enters Durbin models (default: all of ``x``). ``W*const``
        enters only when W's rows do not all sum to one (otherwise it equals ``const`` and is
        dropped, as in spatialreg; the drop is listed in ``dropped``).
    constant
        Add the intercept ``const``.
    period
        Fit one period of a multi-period panel (a cross-section).
    logdet
        ``"eigen"`` (exact, dense; default up to 2000 units), ``"lu"`` (exact, sparse LU; default
        above) or ``"mc"`` (Barry-Pace Monte Carlo approximation, fastest).
    cov
        ``"information"`` (analytical information matrix with the rho-beta block, dense; default
        with ``eigen``) or ``"hessian"`` (analytical observed Hessian; default otherwise); OLS and
        SLX use s2 (X'X)^-1 with both. Robust sandwiches (see :mod:`spatial.models._robust`):
        ``"robust"`` (heteroskedasticity-robust), ``"cluster"`` (cluster-robust by unit; panels)
        and ``"driscoll_kraay"`` (Driscoll-Kraay: heteroskedasticity, correlation between units and
        serial correlation; panels with more periods than parameters). Tests (Wald, common factor)
        and the effects' standard errors use the chosen covariance.
    bandwidth
        Bartlett-kernel bandwidth (lags) of ``cov="driscoll_kraay"``; default floor(4 (T/100)^(2/9)),
        as Stata ``xtscc`` and linearmodels. It must be below the number of periods.
    effects, inference, draws, seed, per_unit
        Effects method (``"exact"``, ``"lu"``, ``"traces"``; see :mod:`spatial.effects`), their
        standard errors by ``"simulation"`` (``draws`` from the asymptotic distribution with the
        numpy generator seeded by ``seed``, recorded) or ``"delta"``, and per-unit effects
        (default: up to 2000 units).
    allow_islands
        Keep units without neighbours (default: error). Their effects are computed numerically.
    collinear
        ``"error"`` (default) refuses constant or collinear regressors, naming them; ``"drop"``
        drops the later ones of each collinear set and lists them in ``dropped``.
    lee_yu
        Lee and Yu (2010) bias correction of a fixed-effects model, as Elhorst implements it (default
        off). For a dynamic model the Yu, de Jong and Lee (2008) / Lee and Yu (2010) correction,
        default on with fixed effects.
    random_effects
        Random unit effects (SAR, SEM, SDM, SDEM; Elhorst's ML with phi = sigma_mu^2 / sigma2), see
        :func:`spatial.models.fit_random_effects`.
    estimator
        ``"ml"`` (default: maximum likelihood; least squares for OLS and SLX) or ``"gmm"``: spatial
        two-stage least squares for SAR and SDM (instruments W X, W^2 X, ... and the external
        ``instruments``), het-robust GM for the spatial error of SEM and SDEM (Arraiz et al. 2010),
        GS2SLS for SAC, and 2SLS for OLS/SLX with endogenous regressors, for a cross-section (one
        period); with ``fe="unit"`` the within GM of R splm's ``spgm`` (Kapoor-Kelejian-Prucha
        moments for SEM/SDEM, within spatial 2SLS for SAR/SDM). The result has no log-likelihood (``loglik``, AIC, BIC are None); it carries the
        first-stage F and partial R2 of each endogenous variable and, for 2SLS, the
        Anselin-Kelejian test. ``cov="robust"`` gives White standard errors for 2SLS. See
        :mod:`spatial.models._fit_gmm`.
    endog, instruments
        GMM: endogenous regressors (not in ``x``) and their external instruments (at least one per
        endogenous variable; lagged by W in lag models as the exogenous regressors are).
    w_lags
        GMM lag models: powers of W applied to [X, instruments] to instrument W y (default 2).
    gmm_errors
        GMM error models: the moment conditions; ``"het"`` (heteroskedasticity-robust, Arraiz et al.).
    dynamic
        A dynamic SAR or SDM with the first period as initial condition (T - 1 periods estimated):
        ``"tau"`` adds y(t-1), ``"eta"`` W y(t-1), ``"both"`` both (xsmle ``dlag(1|2|3)``). Needs at
        least 3 consecutive periods. ``effects`` are then the short-run effects and
        ``long_run_effects`` the long-run ones; see :mod:`spatial.models._dynamic`.

    Returns
    -------
    Result
        Frozen: ``params``, ``std_errors``, ``zstats``, ``pvalues``, ``cov``, ``loglik``, ``aic``,
        ``bic``, ``effects``, ``tests``, ``dropped``, ``converged``, ``at_boundary``, ...

    Raises
    ------
    IdMismatchError
        When the panel's and the weights' ids differ.
    WeightsError
        Invalid weights; islands unless ``allow_islands``.
    IdentificationError
        Collinear or constant regressors, regressors absorbed by the fixed effects (named), too
        few observations.
    SchemaError
        Unknown variables, log of non-positive values, an unknown period.
    NumericalError
        A singular I - rho W or information matrix.

    Warns
    -----
    ConvergenceWarning
        The optimiser did not converge (``converged`` is False).
    BoundaryWarning
        A spatial parameter on the bound of its interval (``at_boundary`` is True).

    Examples
    --------
    >>> from libpysal.graph import Graph
    >>> from spatial import SpatialPanel, datasets
    >>> from spatial.models import fit
    >>> states = datasets.load("us48_states")
    >>> panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year", geometry=states)
    >>> w = Graph.build_contiguity(states.set_index("fips"), rook=False).transform("r")
    >>> result = fit(panel, w, y="log(gsp)", x=["log(pcap)", "log(pc)", "log(emp)", "unemp"],
    ...              model="sdm", period=1986, draws=200, seed=1)
    >>> round(result.rho, 4), result.converged
    (0.3032, True)
    >>> round(float(result.effects.direct["log(emp)"]), 4)
    0.7348
    """
    check_option("model", model, ModelName)
    check_option("estimator", estimator, Estimator)
    if estimator != "gmm" and (endog or instruments):
        raise SpatialPanelError("endog and instruments need estimator='gmm' (instrumental variables); maximum "
                                "likelihood treats every regressor as exogenous")
    check_option("fe", fe, FixedEffects)
    check_option("logdet", logdet, LogdetMethod)
    if estimator != "gmm":  # GMM has its own covariances (checked there)
        check_option("cov", cov, CovMethod)
    check_option("effects", effects, EffectsMethod)
    check_option("inference", inference, EffectsInference)
    check_option("collinear", collinear, Collinear)
    if dynamic is not None:
        check_option("dynamic", dynamic, DynamicLags)
    check_panel(panel)
    info = model_info(model)
    if isinstance(x, str):
        x = [x]
    if not any(str(name).strip() for name in x):
        raise SpatialPanelError("x names no regressor; a spatial regression needs at least one explanatory variable")
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 0:
        raise SpatialPanelError(f"draws must be a non-negative integer, got {draws!r}")
    check_seed(seed)
    if wx is not None and not info.durbin:
        raise SpatialPanelError(f"wx applies to the Durbin models (slx, sdm, sdem), not to {model!r}")
    if estimator == "gmm":
        check_option("gmm_errors", gmm_errors, GmmErrors)
        if bandwidth is not None:
            raise SpatialPanelError(f"bandwidth={bandwidth!r} sets the Driscoll-Kraay kernel of the maximum "
                                    "likelihood and least-squares estimators; estimator='gmm' has no such covariance: "
                                    "leave bandwidth out")
        if dynamic is not None:
            raise SpatialPanelError(f"estimator='gmm' with dynamic={dynamic!r} is not available: GMM covers "
                                    "cross-sections; use the maximum likelihood estimator for dynamic panels")
        from spatial.models._fit_gmm import fit_gmm

        return fit_gmm(panel, w, y=y, x=list(x), model=model, wx=wx, constant=constant, period=period, endog=endog,
                       instruments=instruments, w_lags=w_lags, gmm_errors=gmm_errors, cov=cov, effects=effects,
                       inference=inference, draws=draws, seed=seed, per_unit=per_unit, allow_islands=allow_islands,
                       collinear=collinear, fe=fe, random_effects=random_effects, lee_yu=lee_yu)
    if cov in ROBUST and dynamic is not None:
        raise SpatialPanelError(f"cov={cov!r} is not available for dynamic models (dynamic={dynamic!r}) yet; use "
                                f"{hint('cov', 'hessian')}, or a static model with cov={cov!r}")
    if cov in ROBUST and random_effects:
        raise SpatialPanelError(f"cov={cov!r} is not available for random-effects models (random_effects=True): "
                                "their scores are per unit, not per observation; use fixed effects "
                                f"({hint('fe', 'unit')}) with cov={cov!r}, or {hint('cov', 'hessian')}")
    if cov in ROBUST and lee_yu:
        raise SpatialPanelError(f"cov={cov!r} with lee_yu=True is not available: the scores are zero at the ML "
                                "estimates, not at the Lee-Yu corrected ones; fit without the correction, or use "
                                f"{hint('cov', 'hessian')}")
    if cov not in ROBUST and bandwidth is not None:
        check_robust(cov, n_units=0, n_periods=0, n_params=0, bandwidth=bandwidth, model=model)
    if dynamic is not None:
        from spatial.models._dynamic_fit import fit_dynamic

        return fit_dynamic(panel, w, y=y, x=x, model=model, fe=fe, wx=wx, constant=constant, logdet=logdet, cov=cov,
                           effects=effects, inference=inference, draws=draws, seed=seed, per_unit=per_unit,
                           allow_islands=allow_islands, collinear=collinear, lee_yu=lee_yu, dynamic=dynamic,
                           period=period, random_effects=random_effects)
    if random_effects:
        if fe != "none" or lee_yu:
            raise SpatialPanelError("random_effects=True replaces the unit fixed effects: leave fe='none' and "
                                    "lee_yu=False")
        from spatial.models._random_effects import fit_random_effects

        return fit_random_effects(panel, w, y=y, x=x, model=model, constant=constant, logdet=logdet,
                                  effects=effects, inference=inference, draws=draws, seed=seed, per_unit=per_unit,
                                  allow_islands=allow_islands, collinear=collinear, wx=wx)
    if fe != "none" and period is not None:
        raise SpatialPanelError(f"period={period!r} fits one cross-section, where fe={fe!r} has nothing to remove; "
                                "drop one of them")
    if fe != "none" and info.lag and info.error and fe != "unit":
        raise SpatialPanelError("SAC with time or two-way fixed effects is not available (the demeaned W y and "
                                "W (demeaned y) differ there); use fe='unit', or SAR/SEM/SDM/SDEM")

    weights = weights_matrix(w, allow_islands=allow_islands)
    if lee_yu:
        check_lee_yu(fe, model, weights)
    n_spatial = info.n_spatial
    design = build_design(panel, weights, y=y, x=list(x), wx=None if wx is None else list(wx),
                          constant=constant and fe == "none", durbin=info.durbin, period=period,
                          collinear=collinear, n_spatial=n_spatial)
    if fe != "none":
        design = fixed_effects_design(design, fe, lag_model=info.lag, collinear=collinear, n_spatial=n_spatial)
        constant = False
    n = weights.n
    method = logdet if logdet != "auto" else ("eigen" if n <= DENSE_LIMIT else "lu")
    cov_method = cov if cov != "auto" else ("information" if method == "eigen" else "hessian")
    given_bandwidth = bandwidth
    if cov in ROBUST:
        n_params = design.k + (n_spatial + 1 if info.n_spatial else 0)
        bandwidth = check_robust(cov, n_units=design.n_units, n_periods=design.n_periods, n_params=n_params,
                                 bandwidth=bandwidth, model=model)
    spec = ModelSpec(
        model=model, y=design.y_name, x=tuple(n for n in design.names if n != CONST and not n.startswith("W*")),
        wx=tuple(design.lagged), constant=constant, fe=fe, period=period,
        logdet=method if info.n_spatial else "none",
        cov=cov_method if info.n_spatial or cov in ROBUST else "ols", bandwidth=bandwidth,
        bandwidth_given=given_bandwidth is not None,
        effects=effects, inference=inference, draws=int(draws),
        seed=int(seed), allow_islands=allow_islands, collinear=collinear,
        per_unit=bool(design.n_units <= DENSE_LIMIT if per_unit is None else per_unit), lee_yu=bool(lee_yu),
    )
    design, scales = scale_design(design)
    if info.family == "least_squares":
        return unscale_result(_finish_ols(design, spec, panel), scales)
    interval = rho_interval(weights, use_eigenvalues=method == "eigen" or n <= DENSE_LIMIT)
    ld = make_logdet(weights, method, interval, seed=seed)
    return unscale_result(_fit_spatial(design, spec, panel, ld, interval, method, cov_method), scales)


# ---------------------------------------------------------------------------------------- OLS / SLX


def _ols(design: Design) -> tuple[np.ndarray, np.ndarray, float]:
    beta = np.linalg.lstsq(design.X, design.y, rcond=None)[0]
    e = design.y - design.X @ beta
    return beta, e, float(e @ e)


def _finish_ols(design: Design, spec: ModelSpec, panel) -> Result:
    beta, e, sse = _ols(design)
    check_residual_variance(design, sse, spec.model)
    N, k = design.nobs, design.k
    absorbed = {"none": 0, "unit": design.n_units, "time": design.n_periods,
                "twoway": design.n_units + design.n_periods - 1}[spec.fe]
    k_df = k + absorbed  # degrees of freedom used by the coefficients and the fixed effects (as plm)
    s2_unbiased = sse / (N - k_df)
    details: dict[str, Any] = {}
    if spec.cov in ROBUST:
        cov = ls_covariance(design.X, e, spec.cov, n_units=design.n_units, n_periods=design.n_periods, fe=spec.fe,
                            bandwidth=spec.bandwidth)
    else:
        cov = s2_unbiased * np.linalg.inv(design.X.T @ design.X)
    details.update(_cov_details(spec, design, "least_squares"))
    names = list(design.names)
    se, t, p = coefficient_inference(beta, cov, names, dist="t", df=N - k_df, model=spec.model)
    loglik = concentrated(sse, N)
    tests = diag.lm_tests(design, beta, e)
    effects = None
    if MODELS[spec.model].durbin:
        effects = coefficient_effects_of(design, beta, cov, dist="t", df=N - k_df)
    fitted = design.X @ beta
    fixed = None
    if spec.fe != "none":
        fixed = recover_fixed_effects(design, spec.fe, beta, sse / N, rho=None, index=design.index)
    checks, extra = {}, details
    if CONST in design.names:
        checks = regression_diagnostics(design.X, names, design.y, e)
        extra = {**details, "condition_number": condition_number(design.X), "vif": variance_inflation(design.X, names)}
    return build_result(design, spec, panel, names=names, estimates=beta, se=se, z=t, p=p, cov=cov, sigma2=sse / N,
                   sigma2_se=None, loglik=loglik, n_params=k + 1, bounds=None, effects=effects, tests=tests,
                   converged=True, at_boundary=False, e=e, prediction=fitted, dist="t", df_resid=N - k_df,
                   details=extra, fixed_effects=fixed, diagnostics=checks)


# ---------------------------------------------------------------------------------------- ML models


def _window_function(window):
    return lambda r: float(window.derivative(np.array([r]), 0)[0])


def _half_width(value: float, lo: float, hi: float) -> float:
    return max(min(0.05, 0.15 * min(value - lo, hi - value)), 1e-4)


def _refine_1d(loglik, ld: LULogDet, interval: Interval, start: float) -> Maximum:
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


def _search_1d(loglik, ld, interval: Interval) -> Maximum:
    lo, hi = interval.inner()
    coarse = ld.coarse()
    found = maximise_1d(lambda r: loglik(r, coarse), lo, hi)
    if coarse is not ld:
        found = _refine_1d(loglik, ld, interval, found.x[0])
    return found


def _search_2d(loglik, ld, interval: Interval) -> Maximum:
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


def _estimate(design: Design, model: str, ld, interval: Interval):
    """The ML estimate of the spatial parameter(s); the spectral-radius interval is extended once
    (by a sparse eigensolver) if the estimate reaches its lower end."""
    two = MODELS[model].n_spatial == 2
    if two:
        profile = SacProfile(design)
        search = partial(_search_2d, lambda r, l_, f, g: profile.loglik(r, l_, f, g))
    else:
        profile = LagProfile(design) if MODELS[model].lag else ErrorProfile(design)
        search = partial(_search_1d, lambda r, f: profile.loglik(r, f))
    for _ in range(2):
        found = search(ld, interval)
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
        rho, lam = (value, None) if MODELS[model].lag else (None, value)
        beta, sse, loglik = profile.beta(value), profile.sse(value), profile.loglik(value, ld)
    return found, interval, rho, lam, beta, sse, loglik


def _fit_spatial(design: Design, spec: ModelSpec, panel, ld, interval: Interval, method: str,
                 cov_method: str) -> Result:
    model = spec.model
    details: dict[str, Any] = {"logdet": method, "cov": cov_method}
    info = MODELS[model]
    lag, error = info.lag, info.error
    found, interval, rho, lam, beta, sse, loglik = _estimate(design, model, ld, interval)
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
                      ConvergenceWarning, stacklevel=3)
    at_boundary = any(near_bound(v, interval) for v in values)
    if at_boundary:
        warnings.warn(
            f"{model}: the spatial parameter {', '.join(f'{v:.6g}' for v in values)} lies on the bound of its "
            f"interval ({interval.lower:.6g}, {interval.upper:.6g}); standard errors are unreliable",
            BoundaryWarning, stacklevel=3)
    N = design.nobs
    sigma2 = sse / N
    if spec.lee_yu:
        beta, rho, lam, sigma2, loglik, corrected = lee_yu_correction(
            design, spec.fe, beta=beta, rho=rho, lam=lam, sigma2=sigma2, loglik=loglik, logdet=ld,
            cov_method=cov_method)
        details.update(corrected)
    if cov_method == "information":
        matrix = information_matrix(design, beta, sigma2, rho=rho, lam=lam)
        full_cov = invert(matrix, stage="information matrix")
    else:
        f2_rho = float(ld.derivative(np.array([rho]), 2)[0]) if rho is not None else 0.0
        f2_lam = float(ld.derivative(np.array([lam]), 2)[0]) if lam is not None else 0.0
        hessian = observed_hessian(design, beta, sigma2, rho=rho, lam=lam, f2_rho=f2_rho, f2_lam=f2_lam)
        if cov_method in ROBUST:
            full_cov = ml_covariance(design, beta, sigma2, hessian, cov_method, rho=rho, lam=lam,
                                     bandwidth=spec.bandwidth)
        else:
            full_cov = invert(-hessian, stage="Hessian")
    details.update(_cov_details(spec, design, "ml"))
    if isinstance(ld, LULogDet):
        details["lu_factorisations"] = ld.factorisations
    names = list(design.names) + (["rho"] if lag else []) + (["lambda"] if error else [])
    estimates = np.concatenate([beta, [rho] if lag else [], [lam] if error else []])
    cov = full_cov[:-1, :-1]
    se, z, p = coefficient_inference(estimates, cov, names, model=model)
    s2_var = full_cov[-1, -1]
    e = residuals(design, beta, rho or 0.0, lam or 0.0)
    rho_se = float(se[names.index("rho")]) if lag else None
    if lag and cov_method in ROBUST:  # the LM test of residual correlation is built on the model-based variance
        rho_se = math.sqrt(invert(-hessian, stage="Hessian")[design.k, design.k])
    tests = _spatial_tests(design, spec, beta, names, estimates, cov, loglik, sigma2, rho, lam, rho_se, e, method)
    if spec.lee_yu:
        tests = _lee_yu_notes(tests, details.get("lee_yu_loglik", ""))
    effects = None
    if info.lag_effects:
        undefined = effects_undefined(rho, interval)
        if undefined:
            details["effects"] = undefined
        else:
            effects = lag_effects_of(design, spec, beta, rho, names, cov, ld, interval, method)
    elif info.durbin:
        effects = coefficient_effects_of(design, beta, cov[: design.k, : design.k])
    prediction = design.weights.reduced_form(rho, design.X @ beta) if lag else design.X @ beta
    fixed = None
    if spec.fe != "none":
        fixed = recover_fixed_effects(design, spec.fe, beta, sigma2, rho=rho, index=design.index)
    return build_result(design, spec, panel, names=names, estimates=estimates, se=se, z=z, p=p, cov=cov, sigma2=sigma2,
                   sigma2_se=math.sqrt(s2_var) if s2_var > 0 else None, loglik=loglik,
                   n_params=len(names) + 1, bounds=(interval.lower, interval.upper), effects=effects, tests=tests,
                   converged=converged, at_boundary=at_boundary, e=e, prediction=prediction, dist="normal",
                   df_resid=None, details=details, fixed_effects=fixed)


def _cov_details(spec: ModelSpec, design: Design, family: str) -> dict[str, Any]:
    """What the output says about the covariance (``cov_label``; the bandwidth of Driscoll-Kraay)."""
    kind = spec.cov
    out: dict[str, Any] = {"cov_label": describe_cov(kind, family=family, bandwidth=spec.bandwidth,
                                                      n_periods=design.n_periods,
                                                      user_bandwidth=spec.bandwidth_given)}
    if kind == "driscoll_kraay":
        out["bandwidth"] = spec.bandwidth
    return out


def _lee_yu_notes(tests: dict[str, TestResult], loglik_note: str) -> dict[str, TestResult]:
    """Say which estimates each test of a Lee-Yu corrected fit uses (as Elhorst prints it)."""
    out = {}
    for key, test in tests.items():
        used = (f"log-likelihood {loglik_note}" if key.startswith("lr") else
                "on the Lee-Yu bias-corrected estimates and their covariance")
        out[key] = replace(test, note=f"{test.note}; {used}" if test.note else used)
    return out


def _spatial_tests(design: Design, spec: ModelSpec, beta, names, estimates, cov, loglik, sigma2, rho, lam, rho_se,
                   e, method) -> dict[str, TestResult]:
    info = MODELS[spec.model]
    tests: dict[str, TestResult] = {}
    _, _, sse_ols = _ols(design)
    base = MODELS[info.base].short
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
