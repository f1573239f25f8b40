"""Robust covariances of the estimates: heteroskedasticity-robust, cluster-robust by unit and
Driscoll-Kraay, for least squares and for the ML spatial models.

Everything here needs only the design (y, X, W y, W X, stacked unit-major: row ``i * T + t`` is
unit ``i`` in period ``t``), the weights and the estimates; it is the same sandwich for every
estimator,

    V = B^-1 M B^-1 * c,

with B the bread, M the meat built from per-observation scores s_it and c a small-sample factor.

Meat (``kind``)
    ``robust``          sum_it s_it s_it'                      (White / Huber)
    ``cluster``         sum_i S_i S_i',  S_i = sum_t s_it      (clusters = units; serial correlation
                                                                and heteroskedasticity within a unit)
    ``driscoll_kraay``  Z_t = sum_i s_it (the cross-section sum of period t: any correlation
                        between units), then the Newey-West (Bartlett) long-run covariance of Z_t:
                        sum_t Z_t Z_t' + sum_{l=1..L} (1 - l/(L+1)) sum_t (Z_t Z_{t-l}' + Z_{t-l} Z_t').
                        Bandwidth L: the user's ``bandwidth``, else floor(4 (T/100)^(2/9)) (Stata
                        ``xtscc`` and linearmodels' rule); it must be below T.

Least squares (OLS, SLX; pooled or fixed effects, on the demeaned data)
    B = X'X, s_it = x_it e_it. Small-sample factors as linearmodels ``PanelOLS`` with
    ``debiased=True`` (and ``group_debias=True`` for clusters), which is also Stata's
    ``regress/xtreg, vce(robust|cluster)``: robust and Driscoll-Kraay N/(N - k - d); cluster
    G/(G - 1) (N - 1)/(N - k - d), where d counts the absorbed fixed effects (unit n, time T,
    two-way n + T - 1) except unit effects under unit clusters (nested, d = 0), as linearmodels.

ML spatial models (SAR, SEM, SDM, SDEM, SAC; pooled or fixed effects)
    B = -H, the analytical observed Hessian of the full log-likelihood in (b, [rho], [lambda],
    sigma2) (:func:`spatial.models._information.observed_hessian`). Per-observation scores of

        l_it = -1/2 ln(2 pi sigma2) - e_it^2 / (2 sigma2) + c_i(rho) + c_i(lambda),

    where c_i(r) = -int_0^r [W (I - s W)^-1]_ii ds is unit i's share of ln|I - r W| (the shares sum
    to it exactly, and each has expectation zero in its score under the model):

        s_b = (X - lambda W X)_it e_it / sigma2
        s_rho = (W y - lambda W W y)_it e_it / sigma2 - [W (I - rho W)^-1]_ii
        s_lambda = (W u)_it e_it / sigma2 - [W (I - lambda W)^-1]_ii,  u = y - rho W y - X b
        s_sigma2 = -1 / (2 sigma2) + e_it^2 / (2 sigma2^2)

    These are the exact gradients of the l_it (checked against finite differences). For the meat
    the quadratic part of each spatial score, sum_t e_t' M e_t (M = W A^-1, W B^-1, or B W A^-1 B^-1
    for the rho of SAC), is regrouped into martingale differences over the units,
    M_ii e_it^2 + e_it sum_{j<i} (M_ij + M_ji) e_jt (Kelejian and Prucha 2010; Lin and Lee 2010),
    centred by M_ii: the plain outer products of (M e)_it e_it miss the covariances of the pairs
    e_it e_jt, and a Monte Carlo showed rho intervals covering 84% instead of 95%
    (:func:`robust_scores`). The period sums, and so Driscoll-Kraay, are unchanged. Stata's ``ml``
    (and so xsmle) uses the plain outer products.

    Small-sample factors as Stata's ``ml`` (which xsmle's ``vce(robust|cluster)`` use): robust
    N/(N - 1), cluster G/(G - 1); Driscoll-Kraay none. With rho (lambda) fixed at 0 the b block
    is exactly the least-squares sandwich of the same data (the Hessian is block diagonal at the
    OLS estimate), which the reference tests check against linearmodels.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from scipy import sparse
from scipy.sparse import linalg as sla

from spatial.errors import NumericalError, SpatialPanelError
from spatial.hints import hint
from spatial.models._likelihood import residuals

__all__ = ["ROBUST", "RobustKind", "default_bandwidth", "check_robust", "jacobian_diagonal", "ml_scores",
           "robust_scores",
           "ls_scores", "meat", "ls_covariance", "ml_covariance", "describe_cov"]

RobustKind = Literal["robust", "cluster", "driscoll_kraay"]
ROBUST: tuple[str, ...] = ("robust", "cluster", "driscoll_kraay")

COV_LABELS = {
    "information": "inverse information matrix",
    "hessian": "inverse observed Hessian",
    "ols": "classical OLS, s2 (X'X)^-1",
    "robust": "heteroskedasticity-robust sandwich",
    "cluster": "cluster-robust sandwich (clusters: units)",
    "driscoll_kraay": "Driscoll-Kraay sandwich",
}


def default_bandwidth(n_periods: int) -> int:
    """floor(4 (T/100)^(2/9)): the Bartlett-kernel rule of Stata ``xtscc`` and linearmodels.

    Examples
    --------
    >>> default_bandwidth(17), default_bandwidth(30), default_bandwidth(100)
    (2, 3, 4)
    """
    return int(math.floor(4.0 * (n_periods / 100.0) ** (2.0 / 9.0)))


def check_robust(kind: str, *, n_units: int, n_periods: int, n_params: int, bandwidth: int | None,
                 model: str) -> int | None:
    """Refuse a robust covariance the data cannot support; return the Driscoll-Kraay bandwidth.

    Raises
    ------
    SpatialPanelError
        Cluster or Driscoll-Kraay on a cross-section; too few units (clusters) or periods for the
        number of parameters; a bandwidth not below T; a bandwidth with another covariance.
    """
    if bandwidth is not None and kind != "driscoll_kraay":
        raise SpatialPanelError(f"bandwidth={bandwidth!r} sets the kernel of the Driscoll-Kraay covariance; use it "
                                f"with {hint('cov', 'driscoll_kraay')} or leave it out")
    if kind == "robust":
        return None
    name = "cluster-robust (by unit)" if kind == "cluster" else "Driscoll-Kraay"
    if n_periods < 2:
        raise SpatialPanelError(
            f"{model}: cov={kind!r} ({name}) needs a panel, and this fit is a cross-section (1 period); use "
            f"{hint('cov', 'robust')} (heteroskedasticity-robust) for a cross-section")
    if kind == "cluster":
        if n_units <= n_params:
            raise SpatialPanelError(
                f"{model}: cov='cluster' needs more units (clusters) than parameters: {n_units} units, {n_params} "
                f"parameters, so the clustered covariance is singular; use {hint('cov', 'driscoll_kraay')} or "
                f"{hint('cov', 'robust')}, or fewer regressors")
        return None
    lag = default_bandwidth(n_periods) if bandwidth is None else bandwidth
    if isinstance(lag, bool) or not isinstance(lag, int | np.integer) or lag < 0:
        raise SpatialPanelError(f"bandwidth={bandwidth!r} must be a whole number of periods (0 or more)")
    if lag >= n_periods:
        raise SpatialPanelError(
            f"{model}: the Driscoll-Kraay bandwidth {lag} must be below the number of periods ({n_periods}): the "
            f"period sums of the scores have autocovariances up to lag {n_periods - 1}; give a smaller "
            f"{hint('bandwidth')}")
    if n_periods <= n_params:
        raise SpatialPanelError(
            f"{model}: cov='driscoll_kraay' needs more periods than parameters ({n_periods} periods, {n_params} "
            f"parameters): the period sums of the scores span at most {n_periods} dimensions, so the covariance "
            f"is singular. Driscoll-Kraay is a large-T method; use {hint('cov', 'cluster')} (by unit) instead, "
            "or fewer regressors")
    return int(lag)


def jacobian_diagonal(weights, value: float) -> np.ndarray:
    """diag(W (I - value W)^-1): each unit's share of the derivative of ln|I - value W|.

    Dense up to the dense limit (the cached inverse), above it by one sparse LU factorisation and
    a solve per unit (never an n x n array; about a second per few thousand units).
    """
    from spatial.linalg import DENSE_LIMIT

    n = weights.n
    if value == 0.0:
        return np.asarray(weights.matrix.diagonal(), dtype="float64")
    if n <= DENSE_LIMIT:
        inverse = weights.dense_inverse(value)
        return np.asarray((weights.matrix.multiply(inverse.T)).sum(axis=1)).ravel()
    W = sparse.csr_matrix(weights.matrix)
    try:
        lu = sla.splu(sparse.csc_matrix(sparse.identity(n) - value * W), permc_spec="MMD_AT_PLUS_A")
    except RuntimeError as exc:
        raise NumericalError(f"I - {value:.6g} W is singular ({exc}); the robust covariance cannot be computed") from None
    out = np.empty(n)
    unit = np.zeros(n)
    indptr, indices, data = W.indptr, W.indices, W.data
    for i in range(n):  # one column at a time: SuperLU is ~10x slower per column on a block of right-hand sides
        unit[i] = 1.0
        column = lu.solve(unit)  # (I - value W)^-1 e_i
        unit[i] = 0.0
        row = slice(indptr[i], indptr[i + 1])
        out[i] = data[row] @ column[indices[row]]
    return out


def ml_scores(d, beta: np.ndarray, sigma2: float, *, rho: float | None, lam: float | None) -> np.ndarray:
    """Per-observation scores (N x p) of the Gaussian log-likelihood in (b, [rho], [lambda], sigma2)."""
    return _scores(d, beta, sigma2, rho=rho, lam=lam, spatial=_exact_spatial)


def _exact_spatial(d, which: str, raw: np.ndarray, e: np.ndarray, sigma2: float, rho, lam) -> np.ndarray:
    value = rho if which == "rho" else lam
    own = np.repeat(jacobian_diagonal(d.weights, value or 0.0), d.n_periods)
    return raw * e / sigma2 - own


def _scores(d, beta, sigma2, *, rho, lam, spatial) -> np.ndarray:
    r = rho or 0.0
    l_ = lam or 0.0
    e = residuals(d, beta, r, l_)
    cols = [(d.X - l_ * d.WX) * (e / sigma2)[:, None]]
    if rho is not None:
        cols.append(spatial(d, "rho", d.Wy - l_ * d.WWy, e, sigma2, rho, lam)[:, None])
    if lam is not None:
        cols.append(spatial(d, "lam", d.Wy - r * d.WWy - d.WX @ beta, e, sigma2, rho, lam)[:, None])
    cols.append((-0.5 / sigma2 + e * e / (2.0 * sigma2**2))[:, None])
    return np.hstack(cols)


def ls_scores(X: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Per-observation least-squares scores x_it e_it."""
    return X * e[:, None]


def meat(scores: np.ndarray, kind: str, *, n_units: int, n_periods: int, bandwidth: int | None = None) -> np.ndarray:
    """The middle of the sandwich from unit-major per-observation scores (see the module notes)."""
    p = scores.shape[1]
    if kind == "robust":
        return scores.T @ scores
    block = scores.reshape(n_units, n_periods, p)
    if kind == "cluster":
        sums = block.sum(axis=1)
        return sums.T @ sums
    if kind == "driscoll_kraay":
        z = block.sum(axis=0)  # period sums, in time order
        out = z.T @ z
        for lag in range(1, int(bandwidth) + 1):
            gamma = z[lag:].T @ z[:-lag]
            out += (1.0 - lag / (bandwidth + 1.0)) * (gamma + gamma.T)
        return out
    raise ValueError(f"unknown robust covariance {kind!r}")


def _sandwich(bread_inverse: np.ndarray, middle: np.ndarray, factor: float) -> np.ndarray:
    out = bread_inverse @ middle @ bread_inverse * factor
    return (out + out.T) / 2.0


def absorbed_effects(fe: str, n_units: int, n_periods: int) -> int:
    """Fixed effects absorbed by the demeaning (the d of the small-sample factors)."""
    return {"none": 0, "unit": n_units, "time": n_periods, "twoway": n_units + n_periods - 1}[fe]


def ls_factor(kind: str, *, nobs: int, k: int, fe: str, n_units: int, n_periods: int) -> float:
    """Small-sample factor of a least-squares sandwich (linearmodels ``debiased=True``,
    ``group_debias=True``; Stata ``vce(robust|cluster)``)."""
    d = absorbed_effects(fe, n_units, n_periods)
    if kind == "cluster":
        d = 0 if fe == "unit" else d  # unit effects nested in unit clusters are not counted
        return n_units / (n_units - 1) * (nobs - 1) / (nobs - k - d)
    return nobs / (nobs - k - d)


def ml_factor(kind: str, *, nobs: int, n_units: int) -> float:
    """Small-sample factor of an ML sandwich (Stata ``ml``: N/(N-1), G/(G-1); none for Driscoll-Kraay)."""
    if kind == "robust":
        return nobs / (nobs - 1)
    if kind == "cluster":
        return n_units / (n_units - 1)
    return 1.0


def ls_covariance(X: np.ndarray, e: np.ndarray, kind: str, *, n_units: int, n_periods: int, fe: str,
                  bandwidth: int | None = None) -> np.ndarray:
    """Robust covariance of least-squares coefficients (X and e demeaned for fixed effects)."""
    bread = np.linalg.inv(X.T @ X)
    middle = meat(ls_scores(X, e), kind, n_units=n_units, n_periods=n_periods, bandwidth=bandwidth)
    factor = ls_factor(kind, nobs=len(e), k=X.shape[1], fe=fe, n_units=n_units, n_periods=n_periods)
    return _sandwich(bread, middle, factor)


class _SpatialOperator:
    """M = W (I - r W)^-1 (or B G B^-1 for the rho of SAC), by columns: M e_i and M' e_i.

    Dense up to the dense limit; above it from sparse LU factorisations, one solve per column
    (never an n x n array).
    """

    def __init__(self, weights, rho: float | None, lam: float | None, which: str) -> None:
        from spatial.linalg import DENSE_LIMIT

        self.n = n = weights.n
        self.W = sparse.csr_matrix(weights.matrix)
        self.which, self.rho, self.lam = which, rho, lam
        self.dense = None
        if n <= DENSE_LIMIT:
            if which == "lam":
                M = self.W @ weights.dense_inverse(lam)
            else:
                M = self.W @ weights.dense_inverse(rho)
                if lam is not None:  # SAC: B G B^-1
                    B = np.eye(n) - lam * self.W.toarray()
                    M = B @ M @ weights.dense_inverse(lam)
            self.dense = np.asarray(M)
            return
        def factor(value):
            try:
                return sla.splu(sparse.csc_matrix(sparse.identity(n) - value * self.W), permc_spec="MMD_AT_PLUS_A")
            except RuntimeError as exc:
                raise NumericalError(f"I - {value:.6g} W is singular ({exc}); the robust covariance cannot be "
                                     "computed") from None
        self.A = factor(rho) if which == "rho" else None
        self.B = factor(lam) if lam is not None else None

    def _B(self, v):
        return v - self.lam * (self.W @ v)

    def _Bt(self, v):
        return v - self.lam * (self.W.T @ v)

    def column(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """(M e_i, M' e_i)."""
        if self.dense is not None:
            return self.dense[:, i], self.dense[i, :]
        unit = np.zeros(self.n)
        unit[i] = 1.0
        if self.which == "lam":
            return self.W @ self.B.solve(unit), self.B.solve(self.W.T @ unit, trans="T")
        if self.lam is None:
            return self.W @ self.A.solve(unit), self.A.solve(self.W.T @ unit, trans="T")
        col = self._B(self.W @ self.A.solve(self.B.solve(unit)))
        row = self.B.solve(self.A.solve(self.W.T @ self._Bt(unit), trans="T"), trans="T")
        return col, row


def _martingale_quadratic(op: _SpatialOperator, E: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For residuals E (n x T, a column per period): diag(M), M E and the martingale-difference
    pieces Q_it = M_ii e_it^2 + e_it sum_{j<i} (M_ij + M_ji) e_jt, whose sum over i is e_t' M e_t."""
    n = op.n
    if op.dense is not None:
        M = op.dense
        lower = np.tril(M + M.T, -1)
        diag = np.diag(M).copy()
        return diag, M @ E, diag[:, None] * E**2 + E * (lower @ E)
    diag = np.empty(n)
    ME = np.empty_like(E)
    Q = np.empty_like(E)
    for i in range(n):
        col, row = op.column(i)
        diag[i] = col[i]
        ME[i] = row @ E
        Q[i] = diag[i] * E[i] ** 2 + E[i] * ((col[:i] + row[:i]) @ E[:i])
    return diag, ME, Q


def robust_scores(d, beta: np.ndarray, sigma2: float, *, rho: float | None, lam: float | None) -> np.ndarray:
    """Per-observation scores for the meat: those of :func:`ml_scores`, with the quadratic part of
    each spatial score written as martingale differences.

    The score of a spatial parameter is  sum_t (m_t + M e_t)' e_t / sigma2 - T tr M  (M = W A^-1
    for rho, W B^-1 for lambda, B W A^-1 B^-1 for the rho of SAC; m_t the part linear in e). The
    outer products of the per-observation pieces (M e)_it e_it miss the covariances of the pairs
    e_it e_jt (the sum over i != j of M_ij M_ji sigma_i^2 sigma_j^2 of the quadratic form's
    variance), so intervals for rho would be too narrow. Ordering the units, e_t' M e_t =
    sum_i [M_ii e_it^2 + e_it sum_{j<i} (M_ij + M_ji) e_jt], whose terms are martingale
    differences when units are independent (Kelejian and Prucha 2010; Lin and Lee 2010): their
    outer products (and sums by unit) estimate the variance consistently under heteroskedasticity
    (and serial correlation within units). The period sums equal those of :func:`ml_scores`, so
    Driscoll-Kraay is unchanged.
    """
    return _scores(d, beta, sigma2, rho=rho, lam=lam, spatial=_martingale_spatial)


def _martingale_spatial(d, which: str, raw: np.ndarray, e: np.ndarray, sigma2: float, rho, lam) -> np.ndarray:
    n, T = d.n_units, d.n_periods
    E = e.reshape(n, T)
    diag, ME, Q = _martingale_quadratic(_SpatialOperator(d.weights, rho, lam, which), E)
    linear = raw.reshape(n, T) - ME  # m_t: the part of the score's regressor that is not M e_t
    return ((linear * E + Q) / sigma2 - diag[:, None]).ravel()


def ml_covariance(d, beta: np.ndarray, sigma2: float, hessian: np.ndarray, kind: str, *, rho: float | None,
                  lam: float | None, bandwidth: int | None = None) -> np.ndarray:
    """Robust covariance of all ML parameters (b, [rho], [lambda], sigma2): (-H)^-1 M (-H)^-1 c,
    the meat from :func:`robust_scores`."""
    from spatial.models._information import invert

    bread_inverse = invert(-hessian, stage="Hessian")
    scores = robust_scores(d, beta, sigma2, rho=rho, lam=lam)
    middle = meat(scores, kind, n_units=d.n_units, n_periods=d.n_periods, bandwidth=bandwidth)
    return _sandwich(bread_inverse, middle, ml_factor(kind, nobs=d.nobs, n_units=d.n_units))


def describe_cov(kind: str, *, family: str, bandwidth: int | None = None, n_periods: int = 1,
                 user_bandwidth: bool = False) -> str:
    """One line naming the covariance (shown under tables, in summaries and in the JSON).

    Examples
    --------
    >>> describe_cov("driscoll_kraay", family="ml", bandwidth=2, n_periods=17)
    'Driscoll-Kraay sandwich (Bartlett kernel, bandwidth 2 = floor(4 (T/100)^(2/9)), T = 17); no small-sample factor'
    """
    label = COV_LABELS.get(kind, kind)
    if kind == "driscoll_kraay":
        rule = "given" if user_bandwidth else "floor(4 (T/100)^(2/9))"
        label += f" (Bartlett kernel, bandwidth {bandwidth} = {rule}, T = {n_periods})"
    if kind not in ROBUST:
        return label
    if family == "least_squares":
        factor = {"robust": "N/(N-k-d)", "cluster": "G/(G-1) (N-1)/(N-k-d)", "driscoll_kraay": "N/(N-k-d)"}[kind]
    else:
        factor = {"robust": "N/(N-1)", "cluster": "G/(G-1)", "driscoll_kraay": None}[kind]
    return f"{label}; " + (f"small-sample factor {factor}" if factor else "no small-sample factor")
