"""Specification tests: LM tests on OLS residuals, LR, Wald (incl. the common factor), Hausman.

LM tests (Anselin 1988; robust forms Anselin, Bera, Florax and Yoon 1996), as spdep's
``lm.LMtests``, for T periods stacked with the same W (Elhorst's pooled forms; T = 1 for a
cross-section). With e the OLS residuals, s2 = e'e/N, TW = T tr(W'W + W W):

    LM-error = (e'We/s2)^2 / TW,   LM-lag = (e'Wy/s2)^2 / (N J),
    N J = [(W X b)' M (W X b) + TW s2] / s2,
    robust LM-error = (e'We/s2 - TW/(N J) e'Wy/s2)^2 / (TW (1 - TW/(N J))),
    robust LM-lag = (e'Wy/s2 - e'We/s2)^2 / (N J - TW),  SARMA = robust LM-lag + LM-error.

TW = tr(W'W + WW) holds for any W, symmetric or not (the derivation does not assume symmetry;
GeoDa's kNN problem, geoda#202, came from a trace that did). Moran's I of the residuals uses the
exact moments of :func:`spatial.esda.moran_residuals`, which depend only on (W + W')/2.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse, special
from scipy.sparse import linalg as sla

from spatial.models._design import Design
from spatial.linalg import as_graph
from spatial.models.result import TestResult

__all__ = ["lm_tests", "lr_test", "wald_test", "common_factor_test", "hausman_test", "lag_residual_lm"]


def _chi2(name: str, statistic: float, df: float, note: str = "") -> TestResult:
    p = float(special.chdtrc(df, statistic)) if math.isfinite(statistic) else float("nan")
    return TestResult(name=name, statistic=float(statistic), df=float(df), p_value=p, note=note)


def lm_tests(d: Design, beta: np.ndarray, residuals: np.ndarray) -> dict[str, TestResult]:
    """Moran's I (cross-sections) and the five LM tests on OLS residuals."""
    W = d.weights.matrix
    N, T = d.nobs, d.n_periods
    e = residuals
    s2 = float(e @ e) / N
    tw = T * float(W.multiply(W).sum() + W.multiply(W.T).sum())
    we = d.lag(e)
    yhat = d.X @ beta
    wyhat = d.lag(yhat)
    xtw = d.X.T @ wyhat
    xtx_inv_xtw = np.linalg.solve(d.X.T @ d.X, xtw)
    nj = (float(wyhat @ wyhat) - float(xtw @ xtx_inv_xtw) + tw * s2) / s2
    d_err = float(e @ we) / s2
    d_lag = float(e @ d.Wy) / s2
    out: dict[str, TestResult] = {}
    if T == 1:
        out["moran"] = _moran(d, e)
    out["lm_error"] = _chi2("LM-error", d_err**2 / tw, 1)
    out["lm_lag"] = _chi2("LM-lag", d_lag**2 / nj, 1)
    if abs(nj - tw) <= 1e-10 * max(abs(nj), 1.0):
        # W X b lies in the span of X (e.g. a constant-only model on a row-standardised W): the lag and
        # error alternatives cannot be told apart, so the robust tests have no variance.
        note = "undefined: W times the fitted values lies in the span of X, so lag and error are not separable"
        for key, name, df in (("robust_lm_error", "Robust LM-error", 1), ("robust_lm_lag", "Robust LM-lag", 1),
                              ("sarma", "SARMA", 2)):
            out[key] = TestResult(name=name, statistic=float("nan"), df=float(df), p_value=float("nan"), note=note)
        return out
    out["robust_lm_error"] = _chi2("Robust LM-error", (d_err - tw / nj * d_lag) ** 2 / (tw * (1 - tw / nj)), 1)
    out["robust_lm_lag"] = _chi2("Robust LM-lag", (d_lag - d_err) ** 2 / (nj - tw), 1)
    out["sarma"] = _chi2("SARMA", (d_lag - d_err) ** 2 / (nj - tw) + d_err**2 / tw, 2)
    return out


def _moran(d: Design, e: np.ndarray) -> TestResult:
    import warnings

    import pandas as pd

    from spatial.esda.residual import moran_residuals

    ids = list(d.weights.ids)
    graph = as_graph(d.weights.graph)  # a Graph, also when the fit was given SparseWeights
    exog = pd.DataFrame(d.X, index=pd.Index(ids), columns=list(d.names))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # islands are reported with the weights
        test = moran_residuals(pd.Series(e, index=pd.Index(ids)), graph, exog=exog, transform="as_given")
    return TestResult(name="Moran's I (residuals)", statistic=test.z, df=None, p_value=test.p_upper,
                      distribution="normal", note=f"I = {test.I:.6g}, E[I] = {test.expected:.6g}, "
                      f"Var[I] = {test.variance:.6g}; one-sided p for positive autocorrelation")


def lr_test(name: str, loglik_unrestricted: float, loglik_restricted: float, df: int, note: str = "") -> TestResult:
    """Likelihood ratio 2 (lnL_u - lnL_r) ~ chi2(df)."""
    return _chi2(name, 2.0 * (loglik_unrestricted - loglik_restricted), df, note)


def wald_test(name: str, values: np.ndarray, cov: np.ndarray, note: str = "") -> TestResult:
    """Wald test that ``values`` are jointly zero: v' V^-1 v ~ chi2(len(v))."""
    values = np.atleast_1d(values)
    cov = np.atleast_2d(cov)
    statistic = float(values @ np.linalg.solve(cov, values))
    return _chi2(name, statistic, len(values), note)


def common_factor_test(beta: np.ndarray, theta: np.ndarray, rho: float, cov: np.ndarray) -> TestResult:
    """Wald test of the common factor restriction theta + rho beta = 0 (SDM reduces to SEM).

    ``cov`` is ordered (beta_1..K, theta_1..K, rho) for the K lagged regressors.
    """
    K = len(beta)
    g = theta + rho * beta
    jac = np.zeros((K, 2 * K + 1))
    jac[:, :K] = np.eye(K) * rho
    jac[:, K:2 * K] = np.eye(K)
    jac[:, 2 * K] = beta
    return wald_test("Wald common factor (SDM vs SEM): theta = -rho beta", g, jac @ cov @ jac.T)


def _per_period_solve(lu, d: Design, M: np.ndarray, trans: str = "N") -> np.ndarray:
    n, T = d.n_units, d.n_periods
    k = M.shape[1]
    blocks = M.reshape(n, T * k)
    return lu.solve(blocks, trans=trans).reshape(M.shape)


def hausman_test(d: Design, beta_error: np.ndarray, lam: float, sigma2: float) -> TestResult:
    """Pace and LeSage (2008) Hausman test of OLS against the spatial error model.

    Under the error model both estimators are consistent; the statistic is
    (b_OLS - b_SEM)' [V_OLS - V_SEM]^-1 (b_OLS - b_SEM) with V_OLS = s2 R X' B^-1 B^-T X R,
    R = (X'X)^-1 and V_SEM = s2 (X*'X*)^-1.
    """
    X = d.X
    R = np.linalg.inv(X.T @ X)
    b_ols = R @ (X.T @ d.y)
    a = sparse.csc_matrix(sparse.identity(d.n_units) - lam * d.weights.matrix)
    lu = sla.splu(a)
    Z = _per_period_solve(lu, d, X, trans="T")  # B^-T X
    v_ols = sigma2 * R @ (Z.T @ Z) @ R
    Xs = X - lam * d.WX
    v_sem = sigma2 * np.linalg.inv(Xs.T @ Xs)
    diff = b_ols - beta_error
    middle = v_ols - v_sem
    eigenvalues = np.linalg.eigvalsh((middle + middle.T) / 2)
    if eigenvalues.min() <= 1e-10 * max(abs(eigenvalues).max(), 1e-300):
        return TestResult(name="Hausman (SEM vs OLS)", statistic=float("nan"), df=float(len(diff)),
                          p_value=float("nan"), note="undefined: V_OLS - V_SEM is not positive definite "
                          "(lambda close to 0, or a small sample)")
    statistic = float(diff @ np.linalg.solve(middle, diff))
    return _chi2("Hausman (SEM vs OLS)", statistic, len(diff), "Pace and LeSage (2008)")


def lag_residual_lm(d: Design, residuals: np.ndarray, rho: float, rho_se: float, sigma2: float) -> TestResult:
    """LM test for residual autocorrelation after a lag model (Anselin 1988; spatialreg's ``LMtest``)."""
    W = d.weights.matrix.toarray()
    A = d.weights.dense_inverse(rho)
    TW = W @ W + W.T @ W
    t22 = float(np.trace(TW))
    t21a = float(np.sum(TW * A.T))
    r = residuals
    statistic = (float(r @ d.lag(r)) / sigma2) ** 2 / (t22 - t21a**2 * rho_se**2)
    return _chi2("LM residual autocorrelation", statistic, 1)


def compare_lr(unrestricted, restricted) -> TestResult:
    """Likelihood ratio test of two nested fitted models on the same data.

    Raises
    ------
    SpatialPanelError
        When the models have different observations or dependent variables, or the
        "unrestricted" model does not have more parameters.
    """
    from spatial.errors import SpatialPanelError

    if unrestricted.nobs != restricted.nobs or unrestricted.spec.y != restricted.spec.y:
        raise SpatialPanelError(
            "LR tests compare models of the same dependent variable on the same observations; got "
            f"{unrestricted.spec.y} (N = {unrestricted.nobs}) and {restricted.spec.y} (N = {restricted.nobs})"
        )
    missing = [r.model for r in (unrestricted, restricted) if r.loglik is None]
    if missing:
        raise SpatialPanelError(f"an LR test needs two likelihoods; {', '.join(missing)} has none (an estimator "
                                "without a likelihood): compare with a Wald test instead")
    df = unrestricted.n_params - restricted.n_params
    if df < 1:
        raise SpatialPanelError(
            f"the unrestricted model ({unrestricted.model}, {unrestricted.n_params} parameters) must have more "
            f"parameters than the restricted one ({restricted.model}, {restricted.n_params}); swap them"
        )
    return lr_test(f"LR {unrestricted.model.upper()} vs {restricted.model.upper()}", unrestricted.loglik,
                   restricted.loglik, df)
