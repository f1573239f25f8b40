"""Regression diagnostics of a least-squares fit, as spreg prints them (issue 15 item 6).

With residuals e (N of them), k coefficients including the constant and SSE = e'e:

* F: (regression sum of squares / (k - 1)) / (SSE / (N - k)), F(k - 1, N - k): all slopes zero.
* Jarque-Bera: N (S^2 / 6 + (K - 3)^2 / 24) with the ML moments S = m3 / m2^1.5, K = m4 / m2^2;
  chi2(2).
* Breusch-Pagan: half the explained sum of squares of g = e^2 / (SSE / N) - 1 regressed on Z;
  Koenker-Bassett (studentised): the explained sum of squares of e^2 - SSE / N on Z divided by
  the variance of e^2; both chi2(p - 1). Z is spreg's default: the squares of the regressors
  (the constant's square is the constant), exact duplicate columns dropped.
* White: N R^2 of e^2 regressed on a constant, the regressors and all their squares and cross
  products (constant and duplicate columns dropped); chi2(p - 1). spreg refuses it when the
  condition number exceeds 30; here it is computed with a rank-revealing solver and that note.
* Condition number: sqrt(lambda_max / lambda_min) of X'X with unit diagonal (Belsley, as spreg).
* VIF of each regressor: 1 / (1 - R^2) of its regression on the others (the constant included).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from spatial.models._design import CONST
from spatial.models.result import TestResult

__all__ = ["regression_diagnostics", "condition_number", "variance_inflation"]


def _chi2(name: str, statistic: float, df: int, note: str = "") -> TestResult:
    p = float(special.chdtrc(df, statistic)) if math.isfinite(statistic) and df > 0 else float("nan")
    return TestResult(name=name, statistic=float(statistic), df=float(df), p_value=p, note=note)


def _unique_columns(Z: np.ndarray, *, drop_constant: bool = False) -> np.ndarray:
    keep: list[int] = []
    for j in range(Z.shape[1]):
        column = Z[:, j]
        if drop_constant and np.ptp(column) == 0:
            continue
        if any(np.array_equal(column, Z[:, i]) for i in keep):
            continue
        keep.append(j)
    return Z[:, keep]


def _explained(Z: np.ndarray, v: np.ndarray) -> float:
    """v' Z (Z'Z)^- Z' v: the (uncentred) explained sum of squares of v on Z."""
    coef = np.linalg.lstsq(Z, v, rcond=None)[0]
    fitted = Z @ coef
    return float(fitted @ fitted)


def condition_number(X: np.ndarray) -> float:
    """Belsley's condition number of X (columns scaled to unit length, not centred)."""
    xtx = X.T @ X
    d = np.sqrt(np.diag(xtx))
    eig = np.linalg.eigvalsh(xtx / np.outer(d, d))
    return float(math.sqrt(eig.max() / eig.min())) if eig.min() > 0 else float("inf")


def variance_inflation(X: np.ndarray, names: list[str]) -> dict[str, float]:
    """VIF of every column but the constant: 1 / (1 - R^2) of its regression on the other columns."""
    out: dict[str, float] = {}
    for j, name in enumerate(names):
        if name == CONST:
            continue
        others = np.delete(X, j, axis=1)
        target = X[:, j]
        resid = target - others @ np.linalg.lstsq(others, target, rcond=None)[0]
        total = float(np.sum((target - target.mean()) ** 2))
        out[name] = total / float(resid @ resid) if resid @ resid > 0 else float("inf")
    return out


def regression_diagnostics(X: np.ndarray, names: list[str], y: np.ndarray, e: np.ndarray) -> dict[str, TestResult]:
    """F, Jarque-Bera, Breusch-Pagan, Koenker-Bassett and White tests of a least-squares fit with a
    constant (see the module docstring for the formulas and their spreg conventions)."""
    N, k = X.shape
    sse = float(e @ e)
    out: dict[str, TestResult] = {}
    ssr = float(np.sum((y - e - y.mean()) ** 2))
    if k > 1:
        f = (ssr / (k - 1)) / (sse / (N - k))
        out["f_test"] = TestResult(name="F (all slopes = 0)", statistic=f, df=float(k - 1),
                                   p_value=float(special.fdtrc(k - 1, N - k, f)), distribution="F",
                                   note=f"F({k - 1}, {N - k})")
    m2, m3, m4 = (float(np.mean(e**p)) for p in (2, 3, 4))
    skew, kurt = m3 / m2**1.5, m4 / m2**2
    out["jarque_bera"] = _chi2("Jarque-Bera (normality)", N * (skew**2 / 6 + (kurt - 3) ** 2 / 24), 2)
    e2 = e**2
    Z = _unique_columns(X * X)
    df = Z.shape[1] - 1
    g = e2 / (sse / N) - 1.0
    out["breusch_pagan"] = _chi2("Breusch-Pagan (heteroskedasticity)", 0.5 * _explained(Z, g), df,
                                 "Z = squared regressors (spreg's default)")
    centred = e2 - sse / N
    variance = float(np.mean(centred**2))
    out["koenker_bassett"] = _chi2("Koenker-Bassett (heteroskedasticity)", _explained(Z, centred) / variance, df,
                                   "Z = squared regressors (spreg's default)")
    products = [X[:, i] * X[:, j] for i in range(k) for j in range(i, k)]
    A = _unique_columns(np.column_stack([X, *products]), drop_constant=True)
    A = np.column_stack([np.ones(N), A])
    coef = np.linalg.lstsq(A, e2, rcond=None)[0]
    resid = e2 - A @ coef
    r2 = 1.0 - float(resid @ resid) / float(np.sum((e2 - e2.mean()) ** 2))
    rank = int(np.linalg.matrix_rank(A))
    out["white"] = _chi2("White (heteroskedasticity)", N * r2, rank - 1,
                         "squares and cross products of the regressors"
                         + ("; X is ill-conditioned (condition number > 30), where spreg does not compute it"
                            if condition_number(X) > 30 else ""))
    return out
