"""The GMM/IV estimator family: spatial 2SLS (SAR, SDM; OLS and SLX with endogenous regressors),
het-robust GM for the spatial error (SEM, SDEM) and GS2SLS for SARAR (SAC), cross-section.

Instruments: the exogenous regressors X (with W X in Durbin models), the external ``instruments``
Q, and their spatial lags W^j [X, Q] for j = 1..``w_lags`` (X's starting at W^2 where X already holds
W X: [W^2 X, W^3 X, W Q, W^2 Q], as splm), as Kelejian and Prucha (1998) and spreg's ``GM_Lag(w_lags=2)``;
error models without a lag
of y need no spatial instruments. The numerics are in :mod:`spatial.models._iv` and
:mod:`spatial.models._gm_error`; the result has no log-likelihood (``loglik``, AIC, BIC None).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from spatial.errors import IdentificationError, SpatialPanelError, SpatialWarning, WeakInstrumentsWarning
from spatial.models._design import CONST, build_design
from spatial.models._gm_error import gm_error_het, gs2sls_het
from spatial.models._gm_error_hom import gm_error_hom, gm_error_kp98, gs2sls_hom, gs2sls_kp98
from spatial.models._gmm_panel import (
    BOUND,
    random_error,
    random_lag,
    random_sarar,
    within_error,
    within_lag,
    within_sarar,
)
from spatial.models._iv import anselin_kelejian, check_instruments, first_stage, lag_powers, two_stage
from spatial.linalg import DENSE_LIMIT, rho_interval
from spatial.models._panel import demean, fixed_effects_design
from spatial.models._postestimation import (
    build_result,
    coefficient_effects_of,
    coefficient_inference,
    effects_undefined,
    lag_effects_of,
)
from spatial.linalg import weights_matrix
from spatial.models.catalog import model_info
from spatial.models.result import ModelSpec, Result, TestResult

__all__ = ["fit_gmm", "GmmErrors", "WEAK_F"]

GmmErrors = Literal["het", "hom", "kp98"]
WEAK_F = 10.0  # Staiger and Stock's rule of thumb for the first-stage F


def _names(values: Sequence[str] | str | None) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [str(v).strip() for v in values if str(v).strip()]


class _PerPeriod:
    """W applied in every period of unit-major stacked arrays (what lag_powers multiplies by)."""

    def __init__(self, lag, nobs: int) -> None:
        self._lag = lag
        self.shape = (nobs, nobs)

    def __matmul__(self, values):
        return self._lag(values)


def _append_lambda(fitted, names: list[str]):
    """The panel GM's coefficients with lambda last (``names`` gains it), and their covariance with lambda's row
    and column NaN: splm's spgm gives lambda no standard error."""
    k = len(fitted.beta)
    cov = np.full((k + 1, k + 1), np.nan)
    cov[:k, :k] = fitted.cov
    names.append("lambda")
    return np.concatenate([fitted.beta, [fitted.lam]]), cov


def check_gmm_request(info, *, x: list[str], endog: list[str], instruments: list[str], fe: str, random_effects: bool,
                      lee_yu: bool, w_lags: int) -> None:
    """Refuse what the GMM family does not cover, and contradictory variable lists (naming them)."""
    from spatial.models._design import parse_term

    if random_effects and fe == "none" and not lee_yu and (info.lag or info.error):
        pass  # EC2SLS (lag), the KKP random-effects GM (error) or both (sarar), as splm's spgm(model="random")
    elif random_effects or lee_yu or fe not in ("none", "unit"):
        what = ("random_effects=True" + (f" with fe={fe!r}" if fe != "none" else f" for {info.name!r}")
                if random_effects else ("lee_yu=True" if lee_yu else f"fe={fe!r}"))
        raise SpatialPanelError(
            f"estimator='gmm' with {what} is not available: GMM covers cross-sections (one period, "
            "period=...) of sar, sdm, sem, sdem, sac and ols/slx with endogenous regressors, panels with unit "
            "fixed effects (fe='unit': sar, sdm, sem, sdem, sac, as splm's spgm within) and random-effects panels of "
            "sar, sdm, sem, sdem and sac (random_effects=True, as splm's spgm random); use the maximum likelihood "
            "estimator for the others")
    if fe == "unit" and info.family == "least_squares":
        raise SpatialPanelError(
            f"estimator='gmm' with fe='unit' covers sar, sdm, sem, sdem and sac; not {info.name!r} (use the cross-section "
            "GMM with period=..., or maximum likelihood)")
    if isinstance(w_lags, bool) or not isinstance(w_lags, int | np.integer) or w_lags < 1:
        raise SpatialPanelError(f"w_lags must be a positive integer (powers of W in the instruments), got {w_lags!r}")
    xs, en, qs = ({parse_term(t).name for t in group} for group in (x, endog, instruments))
    both = sorted(xs & en)
    if both:
        raise SpatialPanelError(
            f"{', '.join(both)} listed both as exogenous (x) and endogenous (endog); an endogenous regressor is "
            "instrumented, so list it in endog only")
    for group, label in ((xs, "a regressor (x)"), (en, "an endogenous variable (endog)")):
        clash = sorted(qs & group)
        if clash:
            raise SpatialPanelError(
                f"{', '.join(clash)} is both an instrument and {label}; an excluded instrument must not enter the "
                "equation: remove it from instruments")
    if instruments and not endog:
        raise SpatialPanelError(
            "instruments are given but no endogenous variable (endog); name the regressors they instrument, "
            "or drop instruments")
    if len(instruments) < len(endog):
        raise IdentificationError(
            f"{len(endog)} endogenous variables ({', '.join(endog)}) but {len(instruments)} external instruments: "
            "each endogenous variable needs at least one instrument of its own (the order condition); add "
            "instruments")
    if info.family == "least_squares" and not endog:
        raise SpatialPanelError(
            f"estimator='gmm' of {info.name!r} without endogenous regressors is least squares itself; give endog "
            "and instruments, or use estimator='ml' (least squares)")


def fit_gmm(panel, w: Any, *, y: str, x: Sequence[str], model: str, wx=None, constant: bool = True, period=None,
            endog=None, instruments=None, w_lags: int = 2, gmm_errors: GmmErrors = "het",
            gmm_moments: str = "initial", cov: str = "auto",
            effects: str = "auto", inference: str = "simulation", draws: int = 1000, seed: int = 12345,
            per_unit: bool | None = None, allow_islands: bool = False, collinear: str = "error",
            fe: str = "none", random_effects: bool = False, lee_yu: bool = False) -> Result:
    """Fit ``model`` by GMM/IV; see :func:`spatial.models.fit` (``estimator="gmm"``) for the arguments."""
    info = model_info(model)
    x, endog, instruments = _names(x), _names(endog), _names(instruments)
    check_gmm_request(info, x=x, endog=endog, instruments=instruments, fe=fe, random_effects=random_effects,
                      lee_yu=lee_yu, w_lags=w_lags)
    if gmm_moments != "initial" and not (random_effects and info.error):
        raise SpatialPanelError(
            f"gmm_moments={gmm_moments!r} applies to the random-effects GM of a spatial error (random_effects=True "
            f"with sem, sdem or sac, as splm's spgm(model='random', moments=...)); {info.name!r} "
            + ("with fe='unit' uses the three within moments only" if fe == "unit" else
               "has no panel error moments" if not info.error else "is not a random-effects panel")
            + ": leave gmm_moments out (or 'initial')")
    if cov not in ("auto", "robust"):
        raise SpatialPanelError(f"cov={cov!r} is not available with estimator='gmm'; choose 'auto' (homoskedastic "
                                "2SLS; het-robust GM for error models) or 'robust' (White)")
    weights = weights_matrix(w, allow_islands=allow_islands)
    within = fe == "unit"
    random = bool(random_effects)
    if random and period is not None:
        raise SpatialPanelError(f"period={period!r} fits one cross-section, where random_effects=True has no "
                                "effects to estimate; drop one of them")
    if within and period is not None:
        raise SpatialPanelError(f"period={period!r} fits one cross-section, where fe='unit' has nothing to remove; "
                                "drop one of them")
    design = build_design(panel, weights, y=y, x=x, wx=None if wx is None else _names(wx),
                          constant=constant and not within, durbin=info.durbin, period=period, collinear=collinear,
                          n_spatial=info.n_spatial + len(endog))
    if within:
        design = fixed_effects_design(design, "unit", lag_model=info.lag, collinear=collinear,
                                      n_spatial=info.n_spatial + len(endog))
    elif design.n_periods != 1 and not random:
        raise SpatialPanelError(
            f"estimator='gmm' fits a cross-section or a panel with unit fixed effects; this panel has "
            f"{design.n_periods} periods: pass period=... (one cross-section) or fe='unit'")
    extra_y = None
    if endog:
        extra = build_design(panel, weights, y=y, x=endog + instruments, wx=None, constant=False, durbin=False,
                             period=period, collinear="error")
        values = demean(extra.X, design.n_units, design.n_periods, "unit") if within else extra.X
        extra_y = values[:, : len(endog)]
        Q = values[:, len(endog):]
        endog_names, q_names = list(extra.names[: len(endog)]), list(extra.names[len(endog):])
    else:
        Q = np.empty((design.nobs, 0))
        endog_names, q_names = [], []
    W = weights.matrix
    lag = design.lag  # W in every period
    X, yv = design.X, design.y
    own = [j for j, name in enumerate(design.names) if name != CONST and not name.startswith("W*")]
    lag_base = np.column_stack([X[:, own], Q])
    names = list(design.names) + endog_names
    Z = np.column_stack([X, extra_y]) if endog else X
    H_names = list(design.names) + q_names
    H = np.column_stack([X, Q])
    if info.lag:
        first = 2 if info.durbin and design.lagged else 1
        per_period = _PerPeriod(lag, design.nobs)
        if first == 2 and q_names:
            # W X is a regressor, so X is lagged from W (W X), the external instruments from W Q (splm's
            # lag.instruments): [W^2 X, .., W^(L+1) X, W Q, .., W^L Q]
            x_names = [design.names[j] for j in own]
            lagged = np.column_stack([lag_powers(per_period, X[:, own], 2, w_lags + 1),
                                      lag_powers(per_period, Q, 1, w_lags)])
            H_names += [f"W^{p}*{name}" for p in range(2, w_lags + 2) for name in x_names]
            H_names += [f"W^{p}*{name}" for p in range(1, w_lags + 1) for name in q_names]
        else:
            lagged = lag_powers(per_period, lag_base, first, first + w_lags - 1)
            base_names = [design.names[j] for j in own] + q_names
            H_names += [f"W^{p}*{name}" for p in range(first, first + w_lags) for name in base_names]
        H = np.column_stack([H, lagged])
        Z = np.column_stack([Z, design.Wy])
        names.append("rho")
    check_instruments(H, H_names, Z.shape[1])
    spec = ModelSpec(
        model=model, y=design.y_name, x=tuple(n for n in design.names if n != CONST and not n.startswith("W*")),
        wx=tuple(design.lagged), constant=constant and not within, fe=fe, period=period, logdet="none",
        cov="robust" if (cov == "robust" or (info.error and gmm_errors == "het")) and not within and not random
        else "homoskedastic", random_effects=random, effects=effects, inference=inference,
        draws=int(draws), seed=int(seed), allow_islands=allow_islands, collinear=collinear,
        per_unit=bool(design.n_units <= DENSE_LIMIT if per_unit is None else per_unit),
        estimator="gmm", endog=tuple(endog_names), instruments=tuple(q_names),
        w_lags=int(w_lags) if info.lag else None,
        gmm_errors=gmm_errors if info.error and not (within or random) else None,  # the panels use KKP's moments
        gmm_moments=gmm_moments if info.error and random else None,
    )
    details: dict[str, Any] = {"estimator": "gmm", "instruments": H_names, "cov": spec.cov}
    if spec.cov == "robust":
        details["cov_label"] = ("heteroskedasticity-robust GMM (Arraiz et al. 2010)" if info.error else
                                "heteroskedasticity-robust (White) 2SLS")
    tests: dict[str, TestResult] = {}
    excluded = H[:, X.shape[1]:]
    endog_columns = ([extra_y] if endog else []) + ([Z[:, -1:]] if info.lag else [])
    if endog_columns:
        fs = first_stage(np.column_stack(endog_columns), endog_names + ([f"W*{design.y_name}"] if info.lag else []),
                         X, excluded)
        details["first_stage"] = fs
        for name, stats in fs.items():
            tests[f"first_stage[{name}]"] = TestResult(
                f"First-stage F ({name})", stats["f"], float(stats["df"][0]), stats["p_value"], distribution="F",
                note=f"F({stats['df'][0]}, {stats['df'][1]}); partial R2 = {stats['partial_r2']:.4f}")
        weak = {name: s["f"] for name, s in fs.items() if name in endog_names and s["f"] < WEAK_F}
        if weak:
            warnings.warn(
                "weak instruments: first-stage F " + ", ".join(f"{k} = {v:.3g}" for k, v in weak.items())
                + f" (below {WEAK_F:g}); the 2SLS estimates are biased towards OLS and their tests unreliable. "
                "Use stronger instruments", WeakInstrumentsWarning, stacklevel=3)
    if random:
        if cov == "robust":
            raise SpatialPanelError("cov='robust' is not available for the random-effects GMM panel (splm's spgm "
                                    "gives the homoskedastic EC2SLS covariance); use cov='auto'")
        if design.n_periods < 2:
            raise SpatialPanelError("random_effects=True needs at least two periods per unit; this panel has one")
        if info.error and info.lag:
            q_lagged = np.column_stack([Q, lag_powers(_PerPeriod(lag, design.nobs), Q, 1, w_lags)]) if endog else Q
            fitted = random_sarar(yv, Z, X, q_lagged, lag, W, design.n_units, design.n_periods, w_lags=w_lags,
                                  moments=gmm_moments)
            estimates, cov_matrix = _append_lambda(fitted, names)
            e = yv - Z @ fitted.beta
            details.update(lambda_interval=[-BOUND, BOUND], method=f"random-effects SARAR by GM (KKP moments "
                           f"{gmm_moments!r}) and GLS spatial 2SLS, as splm's spgm(model='random', lag=TRUE, "
                           "spatial.error=TRUE)", theta=1.0 - float(np.sqrt(fitted.sigma_v2 / fitted.sigma_12)))
        elif info.error:
            fitted = random_error(yv, X, lag, W, design.n_units, design.n_periods, moments=gmm_moments,
                                  endog=extra_y if endog else None, Q=Q if endog else None)
            estimates, cov_matrix = _append_lambda(fitted, names)
            e = yv - Z @ fitted.beta  # the composite error (spatially autocorrelated)
            details.update(lambda_interval=[-BOUND, BOUND], method=f"KKP random-effects GM (moments {gmm_moments!r}) "
                           "and feasible GLS" + (" by 2SLS" if endog else "") + ", as splm's spgm(model='random')",
                           theta=1.0 - float(np.sqrt(fitted.sigma_v2 / fitted.sigma_12)))
        else:
            n_own = sum(1 for name in design.names if name != CONST)
            fitted = random_lag(yv, Z, H, design.n_units, design.n_periods, n_endog=len(endog) + 1,
                                n_const_free=n_own)
            estimates, cov_matrix = fitted.beta, fitted.cov
            e = yv - Z @ estimates  # the composite error mu_i + v_it (fitted.e is the EC2SLS-scaled one)
            details.update(method="EC2SLS (Baltagi), as splm's spgm(model='random')", df="NT - p (lm's, as splm)")
        sigma2 = fitted.sigma_v2
        details.update(sigma_v2=fitted.sigma_v2, sigma_1_2=fitted.sigma_12,
                       sigma_mu2=(fitted.sigma_12 - fitted.sigma_v2) / design.n_periods)
    elif within:
        if cov == "robust":
            raise SpatialPanelError("cov='robust' is not available for the within GMM panels (splm's spgm gives "
                                    "the homoskedastic covariance); use cov='auto'")
        n, T = design.n_units, design.n_periods
        if info.error and info.lag:
            fitted = within_sarar(yv, Z, H, lag, n, T, float(W.multiply(W).sum()), n_exog=X.shape[1])
            estimates, cov_matrix = _append_lambda(fitted, names)
            details.update(sigma_v2=fitted.sigma_v2, lambda_interval=[-BOUND, BOUND])
        elif info.error:
            trace = float(W.multiply(W).sum())
            fitted = within_error(yv, X, lag, n, T, trace, endog=extra_y if endog else None,
                                  Q=Q if endog else None)
            estimates, cov_matrix = _append_lambda(fitted, names)
            details.update(sigma_v2=fitted.sigma_v2, lambda_interval=[-BOUND, BOUND])
        else:
            fitted = within_lag(yv, Z, H, n, T)
            estimates, cov_matrix = fitted.beta, fitted.cov
        e = fitted.e
        sigma2 = float(e @ e) / design.nobs
        details["df"] = ("sigma_v2" if info.error and (info.lag or endog) else "NT - p (lm's, as splm)" if info.lag
                         else "NT - k (lm's, as splm)")
    elif info.error:
        if info.lag or endog:
            fitted = (gs2sls_het(yv, Z, H, W, lag=info.lag) if gmm_errors == "het" else
                      gs2sls_hom(yv, Z, H, W) if gmm_errors == "hom" else gs2sls_kp98(yv, Z, H, W))
        else:
            fitted = {"het": gm_error_het, "hom": gm_error_hom, "kp98": gm_error_kp98}[gmm_errors](yv, X, W)
        estimates = np.concatenate([fitted.beta, [fitted.lam]])
        names.append("lambda")
        cov_matrix = fitted.cov
        e, sigma2 = fitted.eps, float(fitted.eps @ fitted.eps) / design.nobs
        details.update(lambda_first_step=fitted.lambda_first, lambda_interval=[-0.99, 0.99])
    else:
        stage = two_stage(yv, Z, H)
        estimates = stage.beta
        cov_matrix = stage.cov("robust" if cov == "robust" else "homoskedastic", H)
        e, sigma2 = stage.e, stage.sigma2
        moran, ak, p = anselin_kelejian(W, stage, Z)
        tests["anselin_kelejian"] = TestResult("Anselin-Kelejian (residual spatial autocorrelation)", ak, 1.0, p,
                                               note=f"Moran's I of the 2SLS residuals = {moran:.6g}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lambda of the within GM has no standard error (said in details)
        se, z, p = coefficient_inference(estimates, cov_matrix, names, model=model)
    if info.error and (within or random or gmm_errors == "kp98"):
        source = "the panel GM (Kapoor-Kelejian-Prucha, as splm's spgm)" if within or random else \
            "the Kelejian-Prucha (1998/99) GM (gmm_errors='kp98', as spreg's GM_Error)"
        details["lambda_std_error"] = f"not available from {source}"
        warnings.warn(f"{model}: {source} gives no standard error for lambda; it is reported as n/a (het or hom "
                      "moments give one)", SpatialWarning, stacklevel=3)
    rho = float(estimates[names.index("rho")]) if info.lag else None
    interval = rho_interval(weights, use_eigenvalues=design.n_units <= DENSE_LIMIT) if info.lag else None
    effects_result = None
    if interval is not None:
        details["interval_source"] = interval.source
    if info.lag:
        undefined = effects_undefined(rho, interval) if interval.lower < rho < interval.upper else (
            f"undefined: rho = {rho:.6g} lies outside its admissible interval ({interval.lower:.6g}, "
            f"{interval.upper:.6g}); no effects are reported")
        if undefined:
            details["effects"] = undefined
        else:
            # no log-determinant is needed for the estimates: above DENSE_LIMIT the effects use power traces
            # (tr W^j by random probes, as spatialreg's trW(type="MC")); effects="lu" gives the exact ones
            method = "eigen" if design.n_units <= DENSE_LIMIT else "mc"
            effects_result = lag_effects_of(design, spec, estimates, rho, names, cov_matrix, None, interval, method,
                                            endog=tuple(endog_names))
    elif info.durbin:
        effects_result = coefficient_effects_of(design, estimates, cov_matrix[: design.k, : design.k])
    prediction = Z @ estimates[: Z.shape[1]]
    if info.lag:
        prediction = weights.reduced_form(rho, Z[:, :-1] @ estimates[: Z.shape[1] - 1])
    return build_result(design, spec, panel, names=names, estimates=estimates, se=se, z=z, p=p, cov=cov_matrix,
                        sigma2=sigma2, sigma2_se=None, loglik=None, n_params=len(names),
                        bounds=None if interval is None else (interval.lower, interval.upper), effects=effects_result,
                        tests=tests, converged=True, at_boundary=False, e=e,
                        prediction=prediction, dist="normal", df_resid=None,
                        details={**details, "sigma2_from": "filtered residuals" if info.error else "2SLS residuals"})
