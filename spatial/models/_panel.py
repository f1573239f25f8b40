"""Fixed-effects spatial panels: Elhorst's demeaning, the Lee-Yu correction, the recovered effects.

For a balanced panel of n units and T periods (stacked unit-major: row ``i * T + t``) the fixed
effects are removed by demeaning, never by dummies and never with an nT x nT matrix:

``unit``
    subtract each unit's mean over the periods;
``time``
    subtract each period's mean over the units;
``twoway``
    both, adding back the grand mean.

Elhorst's convention (his ``sar_panel_FE`` / ``sem_panel_FE``), which is also ours: y, X and the
spatial lags W y and W X of the *raw* data are demeaned, so for lag models the regressor is
demean(W y). For a row-standardised W this is consistent with Lee and Yu (2010). R's splm applies
W to the demeaned y instead, W demean(y); the two agree for unit effects (demeaning over time
commutes with W) and differ slightly with time effects (Produc two-way SAR: rho 0.196914 here and
in Elhorst's code, 0.196664 in splm). Error models filter the demeaned residuals, W demean(u), in
both.

The Lee and Yu (2010) bias correction, as Elhorst implements it (``info.bc = 1``): with unit
effects sigma2 is scaled by T/(T-1) (the other estimates are consistent); with time effects by
n/(n-1); with both, the parameters move by Sigma^-1 a / n, Sigma the information matrix per
observation and a = (0, ..., 0, 1/(1 - rho), 1/(2 sigma2)), then sigma2 is scaled by T/(T-1),
and the covariance is evaluated at the corrected values. Elhorst reports the log-likelihood at
the corrected sigma2 for one-way effects and at the uncorrected estimates for two-way effects;
we do the same so that the numbers match his.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd

from spatial.errors import IdentificationError, SpatialPanelError, first_items
from spatial.models._design import Design, _identify

__all__ = ["demean", "fixed_effects_design", "lee_yu", "recover_fixed_effects", "FE_LABELS"]

FE_LABELS = {"none": "none (pooled)", "unit": "unit", "time": "time", "twoway": "unit and time (two-way)"}


def demean(values: np.ndarray, n: int, T: int, fe: str) -> np.ndarray:
    """Remove unit means (``unit``), period means (``time``) or both (``twoway``) from stacked values.

    Examples
    --------
    >>> import numpy as np
    >>> v = np.array([1.0, 2.0, 3.0, 5.0])  # unit a: periods 1, 2; unit b: periods 1, 2
    >>> demean(v, 2, 2, "unit").tolist()
    [-0.5, 0.5, -1.0, 1.0]
    >>> demean(v, 2, 2, "twoway").tolist()
    [0.25, -0.25, -0.25, 0.25]
    """
    values = np.asarray(values, dtype="float64")
    block = values.reshape(n, T, -1)
    out = block
    if fe in ("unit", "twoway"):
        out = out - block.mean(axis=1, keepdims=True)
    if fe in ("time", "twoway"):
        out = out - block.mean(axis=0, keepdims=True)
    if fe == "twoway":
        out = out + block.mean(axis=(0, 1), keepdims=True)
    return out.reshape(values.shape)


def _absorbed(raw: np.ndarray, within: np.ndarray, labels: tuple[str, ...], fe: str) -> None:
    """Refuse regressors that the fixed effects absorb, saying why for each."""
    bad = []
    for j, name in enumerate(labels):
        scale = max(float(np.linalg.norm(raw[:, j])), 1e-300)
        if float(np.linalg.norm(within[:, j])) <= 1e-10 * scale:
            bad.append(name)
    if not bad:
        return
    why = {
        "unit": "time-invariant (constant within every unit), so the unit fixed effects absorb them",
        "time": "the same for every unit in each period, so the time fixed effects absorb them",
        "twoway": "the sum of a unit-specific and a period-specific part (e.g. time-invariant), so the two-way "
                  "fixed effects absorb them",
    }[fe]
    instead = {"unit": "fe='time' or 'none' (or random effects)", "time": "fe='unit' or 'none'",
               "twoway": "one-way effects (fe='unit' or 'time')"}[fe]
    raise IdentificationError(
        f"regressors absorbed by the fixed effects: {first_items(bad)} are {why}. Remove them, or use "
        f"{instead} to estimate their coefficients"
    )


def fixed_effects_design(design: Design, fe: str, *, lag_model: bool, collinear: str = "error",
                         n_spatial: int = 0) -> Design:
    """The demeaned design of a fixed-effects model (Elhorst's convention, see the module notes).

    Raises
    ------
    SpatialPanelError
        Fewer than 2 periods (unit or two-way effects) or 2 units (time or two-way effects).
    IdentificationError
        Regressors absorbed by the fixed effects, naming them.
    """
    n, T = design.n_units, design.n_periods
    if fe in ("unit", "twoway") and T < 2:
        raise SpatialPanelError(
            f"fe={fe!r} needs at least 2 periods (the panel has {T}); with one period use fe='none' (a cross-section)"
        )
    if fe in ("time", "twoway") and n < 2:
        raise SpatialPanelError(f"fe={fe!r} needs at least 2 units")
    X = demean(design.X, n, T, fe)
    _absorbed(design.X, X, design.names, fe)
    y = demean(design.y, n, T, fe)
    if not np.ptp(y) > 0:
        raise IdentificationError(f"the dependent variable {design.y_name} is absorbed by the fixed effects ({fe})")
    X, labels, dropped = _identify(X, list(design.names), y, constant=False, collinear=collinear,
                                   n_spatial=n_spatial)
    keep = [design.names.index(name) for name in labels]
    raw_X = design.X[:, keep]
    lagged = tuple(c for c in design.lagged if f"W*{c}" in labels)
    out = replace(design, y=y, X=X, names=tuple(labels), lagged=lagged, dropped=design.dropped + tuple(dropped),
                  _lags={})
    if lag_model:
        out._lags["Wy"] = demean(design.Wy, n, T, fe)
    out._lags["raw"] = (design.y, raw_X, design.Wy)
    return out


def check_lee_yu(fe: str, info, weights) -> None:
    """Lee-Yu applies to fixed effects; with time effects it assumes a row-standardised W."""
    if fe == "none":
        raise SpatialPanelError("lee_yu=True corrects fixed-effects estimates; choose fe='unit', 'time' or 'twoway'")
    if fe in ("time", "twoway") and not weights.row_stochastic:
        raise SpatialPanelError(
            "the Lee-Yu correction with time effects assumes a row-standardised W (rows summing to one); "
            "pass w.transform('r') or use lee_yu=False"
        )
    if info.lag and info.error:
        raise SpatialPanelError("the Lee-Yu correction is implemented for SAR, SDM, SEM and SDEM, not SAC")


def sigma2_factor(fe: str, n: int, T: int) -> float:
    """Elhorst's one-way correction of sigma2: T/(T-1) (unit), n/(n-1) (time), T/(T-1) (two-way, last)."""
    return {"unit": T / (T - 1), "time": n / (n - 1), "twoway": T / (T - 1)}[fe]


def lee_yu(params: np.ndarray, sigma2: float, information: np.ndarray, *, spatial: float, n: int, T: int) -> tuple:
    """Two-way correction: (params, sigma2) + (I/N)^-1 a / n, then sigma2 * T/(T-1).

    ``params`` are the coefficients and the spatial parameter (last), ``information`` the
    information matrix (or minus the Hessian) in (params, sigma2) at the ML estimates.
    """
    N = n * T
    a = np.zeros(len(params) + 1)
    a[-2] = 1.0 / (1.0 - spatial)
    a[-1] = 1.0 / (2.0 * sigma2)
    shift = np.linalg.solve(information / N, a) / n
    corrected = np.concatenate([params, [sigma2]]) + shift
    return corrected[:-1], corrected[-1] * T / (T - 1)


def recover_fixed_effects(design: Design, fe: str, beta: np.ndarray, sigma2: float, *, rho: float | None,
                          index: pd.MultiIndex) -> dict:
    """Unit and time intercepts as in Elhorst's code: deviations from a common intercept, with t-values.

    mu_i = mean_t(y - rho W y - X b)_i - c,  gamma_t = mean_i(y - rho W y - X b)_t - c,
    c = the grand mean; standard errors sqrt(sigma2/T + sigma2 xbar_i (X~'X~)^-1 xbar_i') (units)
    and with T -> n (periods), X~ the demeaned regressors.
    """
    y_raw, X_raw, Wy_raw = design._lags["raw"]
    n, T = design.n_units, design.n_periods
    r = y_raw - (rho or 0.0) * Wy_raw - X_raw @ beta
    block = r.reshape(n, T)
    intercept = float(block.mean())
    xtx_inv = np.linalg.inv(design.X.T @ design.X)
    X_block = X_raw.reshape(n, T, -1)
    out: dict = {"intercept": intercept}
    xbar_all = X_raw.mean(axis=0)
    out["intercept_se"] = math.sqrt(sigma2 / (n * T) + sigma2 * float(xbar_all @ xtx_inv @ xbar_all))
    units = pd.Index(index.get_level_values(0)[::T], name=index.names[0])
    periods = pd.Index(index.get_level_values(1)[:T], name=index.names[1])
    if fe in ("unit", "twoway"):
        xbar = X_block.mean(axis=1)
        value = block.mean(axis=1) - intercept
        se = np.sqrt(sigma2 / T + sigma2 * np.einsum("ij,jk,ik->i", xbar, xtx_inv, xbar))
        out["unit"] = pd.DataFrame({"effect": value, "std_error": se, "t": value / se}, index=units)
    if fe in ("time", "twoway"):
        xbar = X_block.mean(axis=0)
        value = block.mean(axis=0) - intercept
        se = np.sqrt(sigma2 / n + sigma2 * np.einsum("ij,jk,ik->i", xbar, xtx_inv, xbar))
        out["time"] = pd.DataFrame({"effect": value, "std_error": se, "t": value / se}, index=periods)
    return out


def lee_yu_correction(design: Design, fe: str, *, beta: np.ndarray, rho: float | None, lam: float | None,
                      sigma2: float, loglik: float, logdet, cov_method: str) -> tuple:
    """Apply Elhorst's Lee-Yu correction; returns (beta, rho, lam, sigma2, loglik, details)."""
    from spatial.models._information import information_matrix, observed_hessian
    from spatial.models._likelihood import full_loglik

    n, T = design.n_units, design.n_periods
    details = {"lee_yu": f"sigma2 x {sigma2_factor(fe, n, T):.6g}"}
    if fe in ("unit", "time"):
        sigma2 = sigma2 * sigma2_factor(fe, n, T)
        loglik = full_loglik(design, logdet, beta, sigma2, rho or 0.0, lam or 0.0)
        details["lee_yu_loglik"] = "at the corrected sigma2 (as Elhorst)"
        return beta, rho, lam, sigma2, loglik, details
    spatial = rho if rho is not None else lam
    if cov_method == "information":
        information = information_matrix(design, beta, sigma2, rho=rho, lam=lam)
    else:
        f2 = float(logdet.derivative(np.array([spatial]), 2)[0])
        information = -observed_hessian(design, beta, sigma2, rho=rho, lam=lam,
                                        f2_rho=f2 if rho is not None else 0.0, f2_lam=f2 if lam is not None else 0.0)
    params, sigma2_c = lee_yu(np.concatenate([beta, [spatial]]), sigma2, information, spatial=spatial, n=n, T=T)
    beta_c, spatial_c = params[:-1], float(params[-1])
    details["lee_yu"] = (f"parameters + (I/N)^-1 a / n (a = 1/(1 - {'rho' if rho is not None else 'lambda'}), "
                         "1/(2 sigma2)), then sigma2 x T/(T-1)")
    details["lee_yu_loglik"] = "at the uncorrected ML estimates (as Elhorst)"
    details["lee_yu_shift"] = {"spatial": spatial_c - spatial, "sigma2": sigma2_c - sigma2}
    if rho is not None:
        return beta_c, spatial_c, None, sigma2_c, loglik, details
    return beta_c, None, spatial_c, sigma2_c, loglik, details
