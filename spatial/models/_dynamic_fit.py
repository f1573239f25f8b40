"""The dynamic family: ``fit(..., dynamic="tau" | "eta" | "both")`` from a panel to a frozen Result.

The estimator is :mod:`spatial.models._dynamic`, the effects :mod:`spatial.models._dynamic_effects`.
``result.effects`` holds the short-run effects and ``result.long_run_effects`` the long-run ones
(None, with the reason in ``result.details["long_run_effects"]``, when the estimate is not
stationary).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import replace
from types import SimpleNamespace

import numpy as np

from spatial.errors import BoundaryWarning, ConvergenceWarning, SpatialPanelError
from spatial.models import _diagnostics as diag
from spatial.models._design import CONST, build_design
from spatial.models._dynamic import check_periods, dynamic_data, estimate_dynamic, warn_nonstationary
from spatial.models._dynamic_effects import dynamic_effects
from spatial.linalg import DENSE_LIMIT, lower_bound_from_eigensolver, make_logdet, rho_interval
from spatial.models._postestimation import build_result, coefficient_inference, near_bound
from spatial.linalg import weights_matrix
from spatial.models.catalog import MODELS, model_info
from spatial.models.result import ModelSpec, Result

__all__ = ["fit_dynamic", "DYNAMIC_MODELS"]

DYNAMIC_MODELS = tuple(m.name for m in MODELS.values() if m.lag and not m.error)  # sar, sdm


def check_dynamic_options(*, model: str, dynamic: str, fe: str, period, random_effects: bool, lee_yu,
                          inference: str, cov: str) -> bool:
    """Refuse what the dynamic family does not do; return whether the bias correction applies."""
    if model not in DYNAMIC_MODELS:
        raise SpatialPanelError(
            f"dynamic={dynamic!r} applies to the lag models {', '.join(DYNAMIC_MODELS)} (xsmle dlag, SDPDmod), "
            f"not to {model!r}"
        )
    if period is not None:
        raise SpatialPanelError(f"dynamic={dynamic!r} needs the whole panel: a lag in time does not exist in one "
                                f"period (period={period!r}); drop period or dynamic")
    if random_effects:
        raise SpatialPanelError("dynamic models are estimated with fixed effects (or pooled), not random effects")
    if inference != "simulation":
        raise SpatialPanelError("the effects of a dynamic model are inferred by simulation; use "
                                "inference='simulation'")
    if cov not in ("auto", "information"):
        raise SpatialPanelError(f"cov={cov!r}: a dynamic model uses the information matrix (cov='information')")
    if lee_yu and fe == "none":
        raise SpatialPanelError("the Yu-de Jong-Lee bias correction removes the bias of fixed effects; choose "
                                "fe='unit', 'time' or 'twoway', or lee_yu=False")
    return bool(fe != "none" if lee_yu is None else lee_yu)


def fit_dynamic(panel, w, *, y, x, model, fe, wx, constant, logdet, cov, effects, inference, draws, seed, per_unit,
                allow_islands, collinear, lee_yu, dynamic, period=None, random_effects=False) -> Result:
    """Fit a dynamic SAR or SDM (see :func:`spatial.models.fit`, argument ``dynamic``)."""
    from functools import partial

    from spatial.models._optimize import maximise_1d, maximise_2d
    from spatial.models.families.concentrated_ml import search_1d

    bias_correction = check_dynamic_options(model=model, dynamic=dynamic, fe=fe, period=period,
                                            random_effects=random_effects, lee_yu=lee_yu, inference=inference, cov=cov)
    check_periods(panel, lags=dynamic)
    info = model_info(model)
    weights = weights_matrix(w, allow_islands=allow_islands)
    design = build_design(panel, weights, y=y, x=list(x), wx=None if wx is None else list(wx),
                          constant=constant and fe == "none", durbin=info.durbin, collinear=collinear, n_spatial=1)
    data = dynamic_data(design, lags=dynamic, fe=fe, bias_correction=bias_correction, collinear=collinear)
    n = weights.n
    dense = n <= DENSE_LIMIT
    method = logdet if logdet != "auto" else ("eigen" if dense else "lu")
    interval = rho_interval(weights, use_eigenvalues=method == "eigen" or dense)
    omega_range = refine = None
    found: list = []
    if not (method == "eigen" or dense):
        # (-r, r) from the spectral radius: the stationarity check is conservative there; the smallest
        # eigenvalue (a sparse eigensolver) is computed only if that check fails
        omega_range = (1.0 / interval.lower, 1.0 / interval.upper)
        if weights.symmetric_similar:
            def refine():
                if not found:
                    found.append((1.0 / lower_bound_from_eigensolver(weights, interval.upper).lower,
                                  1.0 / interval.upper))
                return found[0]
    ld = make_logdet(weights, method, interval, seed=seed)
    search = partial(search_1d, maximise_1d=maximise_1d, maximise_2d=maximise_2d)
    est = estimate_dynamic(data, logdet=ld, interval=interval, search=search, exact_traces=dense,
                           bias_correction=bias_correction, seed=seed, omega_range=omega_range, refine=refine)
    if found:
        omega_range = found[0]
    names, estimates, vcov = est.names, est.estimates, est.cov
    rho = float(estimates[-1])
    if not est.converged:
        warnings.warn(f"{model} (dynamic): the optimiser did not converge ({est.optimizer}); see result.converged",
                      ConvergenceWarning, stacklevel=3)
    at_boundary = near_bound(float(est.uncorrected["rho"]), interval)
    if at_boundary:
        warnings.warn(f"{model} (dynamic): rho = {est.uncorrected['rho']:.6g} lies on the bound of its interval "
                      f"({interval.lower:.6g}, {interval.upper:.6g}); standard errors are unreliable",
                      BoundaryWarning, stacklevel=3)
    se, z, p = coefficient_inference(estimates, vcov, names, model=model)
    effects_method = effects if effects != "auto" else ("exact" if method == "eigen" else
                                                       "lu" if method == "lu" else "traces")
    spec = ModelSpec(
        model=model, y=design.y_name,
        x=tuple(c for c in names if c not in (CONST, "tau", "eta", "rho") and not c.startswith("W*")),
        wx=tuple(data.lagged), constant=CONST in names, fe=fe, period=None, logdet=method, cov="information",
        effects=effects_method, inference="simulation", draws=int(draws), seed=int(seed),
        allow_islands=allow_islands, collinear=collinear,
        per_unit=bool(dense if per_unit is None else per_unit), lee_yu=bias_correction, dynamic=dynamic,
    )
    details = {**est.details, "logdet": method, "cov": "information (at the reported estimates)",
               "uncorrected": est.uncorrected, "stability": est.stability,
               "panel_periods": data.n_periods + 1, "first_period": _plain(panel.periods[0])}
    nonstationary = warn_nonstationary(est.stability)
    if nonstationary:
        details["long_run_effects"] = nonstationary
    regressors = [c for c in spec.x]
    short = long = None
    if regressors:
        short, long = dynamic_effects(
            weights, regressors=regressors, names=names, estimates=estimates, cov=vcov,
            interval=(interval.lower, interval.upper), method=effects_method, draws=int(draws), seed=int(seed),
            logdet=ld, per_unit=spec.per_unit, omega_range=omega_range, long_run=nonstationary is None)
    tests = _tests(names, estimates, vcov, model)
    shell = SimpleNamespace(y=data.y, index=data.index, dropped=data.dropped, weights=weights, nobs=data.nobs,
                            n_units=data.n_units, n_periods=data.n_periods)
    result = build_result(
        shell, spec, panel, names=names, estimates=estimates, se=se, z=z, p=p, cov=vcov, sigma2=est.sigma2,
        sigma2_se=est.sigma2_se, loglik=est.loglik, n_params=len(names) + 1, bounds=(interval.lower, interval.upper),
        effects=short, tests=tests, converged=est.converged, at_boundary=at_boundary, e=est.residuals,
        prediction=est.fitted, dist="normal", df_resid=None, details=details)
    if not math.isfinite(rho):  # pragma: no cover - estimate_dynamic raises before
        raise SpatialPanelError("rho is not finite")
    return replace(result, long_run_effects=long)


def _tests(names, estimates, cov, model) -> dict:
    index = {n: i for i, n in enumerate(names)}
    tests = {}
    for key in ("rho", "tau", "eta"):
        if key in index:
            i = index[key]
            tests[f"wald_{key}"] = diag.wald_test(f"Wald {key} = 0", estimates[i], cov[i, i])
    lags = [n for n in names if n.startswith("W*") and n != f"W*{CONST}"]
    if MODELS[model].durbin and lags:
        idx = [index[n] for n in lags]
        tests["wald_theta"] = diag.wald_test("Wald theta = 0 (SDM vs SAR)", estimates[idx], cov[np.ix_(idx, idx)])
    return tests


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value
