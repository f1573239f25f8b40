"""Dynamic spatial panels: quasi-ML of the time-space dynamic SAR / SDM with fixed effects.

The model (Yu, de Jong and Lee 2008; Lee and Yu 2010; Elhorst 2014, ch. 4), for periods t = 1..T-1
with the first period of the panel as the initial condition y_0 (so T - 1 periods are estimated):

    y_t = tau y_{t-1} + eta W y_{t-1} + rho W y_t + X_t beta + W X_t theta + mu + alpha_t + e_t

``lags="tau"`` keeps tau only, ``"eta"`` eta only, ``"both"`` both (xsmle's ``dlag(1)``,
``dlag(2)``, ``dlag(3)``). Conditional on y_0 the likelihood is that of a static lag model whose
regressors Z_t = (y_{t-1}, W y_{t-1}, X_t, W X_t) include the lagged outcomes, so rho is found by
maximising the concentrated likelihood on the n x n sparse W (never nT x nT).

Fixed effects are removed as follows (n units, T' = T - 1 estimated periods):

``unit``
    within transformation over the T' periods (Yu, de Jong and Lee 2008).
``time``
    demeaning across units in each period.
``twoway``
    both.

With ``bias_correction`` (default for fixed effects) time effects are removed by the orthogonal
transformation F_n' of Lee and Yu (2010): the (n - 1)-dimensional model in F_n' W F_n. For a
row-standardised W this equals demeaning across units with the likelihood counting (n - 1) T'
observations and the log-determinant ln|I - rho W| - ln(1 - rho); traces of functions f(W) become
tr(f(W)) - f(1), so nothing dense is needed. Then the O(1/T) bias from the unit effects is removed
(Yu, de Jong and Lee 2008, Theorem 3; Lee and Yu 2010, the transformation approach):

    theta_c = theta - B/T',   B = -Sigma^-1 phi

with Sigma the information matrix per observation and phi (entries for tau, eta, rho, sigma2; zero
for beta and theta), with S = I - rho W, G = W S^-1 and C = ((1 - tau) I - (rho + eta) W)^-1
(= (I - A)^-1 S^-1 for A = S^-1 (tau I + eta W)):

    phi_tau = tr(C)/n,  phi_eta = tr(W C)/n,
    phi_rho = tau tr(G C)/n + eta tr(G W C)/n + tr(G)/n,  phi_sigma2 = 1/(2 sigma2).

Traces come from the eigenvalues (n up to 2000) or, for larger n, from seeded Rademacher probes
through sparse LU solves (Hutchinson); the probes and seed are recorded. The covariance is the
inverse information matrix at the reported (corrected) estimates; the term of Yu, de Jong and
Lee's sandwich that involves the fourth moment of the errors (zero for normal errors) is omitted.

Stability: the process is stationary when every eigenvalue of A = (I - rho W)^-1 (tau I + eta W)
lies inside the unit circle; for real eigenvalues omega of W this is |tau + eta omega| < 1 - rho omega
at omega_min and at omega_max (Elhorst 2014, section 4.2), i.e. tau + rho + eta < 1 for a
row-standardised W (omega_max = 1) together with the condition at omega_min. Estimates that violate
it are reported with a NonStationaryWarning and without long-run effects.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import linalg as sla

from spatial.choices import DynamicLags
from spatial.errors import (
    IdentificationError,
    NumericalError,
    SpatialPanelError,
    SpatialWarning,
    first_items,
)
from spatial.models._design import CONST, _identify
from spatial.models._panel import _absorbed, demean

__all__ = ["DynamicLags", "DynamicData", "dynamic_data", "check_periods", "estimate_dynamic", "DynamicEstimate",
           "stability", "NonStationaryWarning", "TRACE_PROBES"]

TRACE_PROBES = 100  # Rademacher probes of the stochastic traces above DENSE_LIMIT units (fewer for large n:
# the relative error of a Hutchinson trace of these diagonally dominant functions falls like 1/sqrt(n probes))
_PROBE_BUDGET = 1_000_000  # n x probes above which the number of probes shrinks (to no fewer than 20)
_LAG_NAMES = {"tau": ("tau",), "eta": ("eta",), "both": ("tau", "eta")}


class NonStationaryWarning(SpatialWarning):
    """The estimated dynamic process is not stationary: long-run effects do not exist."""


# ---------------------------------------------------------------------------------------- data


def check_periods(panel, *, lags: str) -> None:
    """Dynamics need at least 3 consecutive periods, equally spaced.

    Raises
    ------
    SpatialPanelError
        A cross-section, fewer than 3 periods, or a gap in the periods (named, with the units).
    """
    T = panel.n_periods
    if panel.time_name is None or T <= 1:
        raise SpatialPanelError(
            f"dynamic={lags!r} needs a panel: a lag of y in time does not exist in a cross-section; build the "
            "panel with time=<period column>, or drop dynamic"
        )
    if T < 3:
        raise SpatialPanelError(
            f"dynamic={lags!r} needs at least 3 periods (the first is the initial condition, and the fixed effects "
            f"need 2 more); the panel has {T}: {first_items(list(panel.periods))}"
        )
    periods = list(panel.periods)
    steps = _period_steps(periods)
    if steps is None:
        return
    unit = min(steps)
    if unit <= 0:
        return
    gaps = [(periods[i], periods[i + 1]) for i, s in enumerate(steps) if s != unit]
    if gaps:
        shown = "; ".join(f"{a} -> {b}" for a, b in gaps[:5])
        units = list(panel.entities)
        raise SpatialPanelError(
            f"dynamic={lags!r} needs consecutive periods, but the periods jump ({shown}; the usual step is {unit}) "
            f"for all {len(units)} units ({first_items(units, 5)}); y(t-1) would be taken from the wrong period. "
            "Add the missing periods, or estimate the periods on either side of the gap separately"
        )


def _period_steps(periods: list) -> list[int] | None:
    """Steps between consecutive periods in their natural unit (years, months, quarters, days)."""
    if all(isinstance(p, int | np.integer) for p in periods):
        return [int(b) - int(a) for a, b in zip(periods, periods[1:], strict=False)]
    text = [str(p) for p in periods]
    if all(len(t) == 7 and t[4] == "-" and t[5:].isdigit() for t in text):  # YYYY-MM
        months = [int(t[:4]) * 12 + int(t[5:]) for t in text]
        return [b - a for a, b in zip(months, months[1:], strict=False)]
    if all(len(t) == 7 and t[4:6] == "-Q" for t in text):  # YYYY-Qn
        quarters = [int(t[:4]) * 4 + int(t[6]) for t in text]
        return [b - a for a, b in zip(quarters, quarters[1:], strict=False)]
    try:
        days = pd.to_datetime(pd.Series(text), format="%Y-%m-%d")
    except (ValueError, TypeError):
        return None
    months = [d.year * 12 + d.month for d in days]
    month_steps = [b - a for a, b in zip(months, months[1:], strict=False)]
    if len(set(month_steps)) == 1 and month_steps[0] > 0:
        return month_steps  # e.g. year-end or month-end dates
    return [int((b - a).days) for a, b in zip(days, days[1:], strict=False)]


@dataclass(frozen=True, eq=False)
class DynamicData:
    """The transformed arrays of a dynamic model on the T' = T - 1 estimated periods (unit-major)."""

    y: np.ndarray  # transformed y_t
    Wy: np.ndarray  # transformed W y_t
    Z: np.ndarray  # transformed (y_{t-1}, W y_{t-1}, X_t, W X_t)
    names: tuple[str, ...]  # of Z's columns: "tau", "eta", regressors, "W*<regressor>"
    n_units: int
    n_periods: int  # T' (estimated periods)
    n_eff: int  # n, or n - 1 when time effects are removed by the orthogonal transformation
    transformed: bool  # F_n' transformation of the time effects (needs a row-standardised W)
    fe: str
    weights: Any
    index: pd.MultiIndex  # (id, period) of the estimated rows
    y_name: str
    lagged: tuple[str, ...]
    dropped: tuple[dict, ...]
    raw: dict = field(default_factory=dict, repr=False)  # untransformed y, Wy, Z (fitted values, residuals)

    @property
    def nobs(self) -> int:
        return self.n_units * self.n_periods

    @property
    def n_eff_obs(self) -> int:
        """Observations the likelihood counts: n_eff T'."""
        return self.n_eff * self.n_periods

    def lag(self, values: np.ndarray) -> np.ndarray:
        return self.weights.lag(values, self.n_periods)


def dynamic_data(design, *, lags: str, fe: str, bias_correction: bool, collinear: str) -> DynamicData:
    """From the full-panel design (T periods) to the dynamic arrays on periods 2..T.

    Raises
    ------
    SpatialPanelError
        The orthogonal transformation of time effects with a W that is not row-standardised.
    IdentificationError
        Regressors absorbed by the fixed effects or collinear with the lags of y.
    """
    w = design.weights
    n, T = design.n_units, design.n_periods
    Tp = T - 1
    Y = design.y.reshape(n, T)
    X = design.X.reshape(n, T, design.k)
    y_cur, y_lag = Y[:, 1:], Y[:, :-1]
    columns, names = [], []
    if lags in ("tau", "both"):
        columns.append(y_lag.reshape(-1))
        names.append("tau")
    if lags in ("eta", "both"):
        columns.append(np.asarray(w.matrix @ y_lag).reshape(-1))
        names.append("eta")
    Z_raw = np.column_stack(columns + [X[:, 1:, :].reshape(n * Tp, design.k)])
    names += list(design.names)
    y_raw = y_cur.reshape(-1)
    Wy_raw = np.asarray(w.matrix @ y_cur).reshape(-1)
    transformed = bool(bias_correction and fe in ("time", "twoway"))
    if transformed and (not w.row_stochastic or w.islands):
        why = (f"W has {len(w.islands)} islands (rows of zeros: {first_items(list(w.islands), 5)})" if w.islands
               else "W is not row-standardised")
        raise SpatialPanelError(
            "the bias-corrected dynamic model removes time effects by the orthogonal transformation of Lee and Yu "
            f"(2010), which needs every row of W to sum to one; {why}. Pass w.transform('r') (and connect or "
            "drop the islands), use fe='unit', or lee_yu=False"
        )
    if fe == "none":
        y_t, Wy_t, Z_t = y_raw, Wy_raw, Z_raw
    else:
        y_t, Wy_t, Z_t = (demean(v, n, Tp, fe) for v in (y_raw, Wy_raw, Z_raw))
        _absorbed(Z_raw, Z_t, tuple(names), fe)
        if not np.ptp(y_t) > 0:
            raise IdentificationError(f"the dependent variable {design.y_name} is absorbed by the fixed effects ({fe})")
    Z_t, labels, dropped = _identify(Z_t, names, y_t, constant=fe == "none" and CONST in names, collinear=collinear,
                                     n_spatial=1)
    keep = [names.index(c) for c in labels]
    for lag in _LAG_NAMES[lags]:
        if lag not in labels:
            raise IdentificationError(
                f"the lag {lag} ({'y(t-1)' if lag == 'tau' else 'W y(t-1)'}) is collinear with the regressors; "
                "it cannot be estimated"
            )
    index = design.index
    keep_rows = np.tile(np.arange(1, T), n) + np.repeat(np.arange(n) * T, Tp)
    est_index = index[keep_rows]
    return DynamicData(
        y=y_t, Wy=Wy_t, Z=Z_t, names=tuple(labels), n_units=n, n_periods=Tp, n_eff=n - int(transformed),
        transformed=transformed, fe=fe, weights=w, index=est_index, y_name=design.y_name,
        lagged=tuple(c for c in design.lagged if f"W*{c}" in labels), dropped=design.dropped + tuple(dropped),
        raw={"y": y_raw, "Wy": Wy_raw, "Z": Z_raw[:, keep]},
    )


# ---------------------------------------------------------------------------------------- likelihood


class DynamicProfile:
    """SSE(rho) = e0'e0 - 2 rho eL'e0 + rho^2 eL'eL and the concentrated log-likelihood."""

    def __init__(self, data: DynamicData) -> None:
        self.data = data
        Z = data.Z
        self.b0, self.bL = np.linalg.lstsq(Z, np.column_stack([data.y, data.Wy]), rcond=None)[0].T
        q, _ = np.linalg.qr(Z)
        e0 = data.y - q @ (q.T @ data.y)
        eL = data.Wy - q @ (q.T @ data.Wy)
        self._a, self._b, self._c = float(e0 @ e0), float(eL @ e0), float(eL @ eL)

    def sse(self, rho: float) -> float:
        return self._a - 2.0 * rho * self._b + rho * rho * self._c

    def logdet(self, rho: float, f) -> float:
        """T' times the log-determinant of the (transformed) I - rho W."""
        d = self.data
        value = f(rho)
        if d.transformed:
            value -= math.log(1.0 - rho)
        return d.n_periods * value

    def loglik(self, rho: float, f) -> float:
        N = self.data.n_eff_obs
        sse = self.sse(rho)
        if not sse > 0:
            return -math.inf
        return self.logdet(rho, f) - 0.5 * N * (math.log(2 * math.pi) + math.log(sse / N) + 1.0)

    def delta(self, rho: float) -> np.ndarray:
        return self.b0 - rho * self.bL


# ---------------------------------------------------------------------------------------- traces


class Traces:
    """Traces of the functions of W the information matrix and the bias need, per unit of n_eff.

    ``exact`` (eigenvalues and a dense G, n up to DENSE_LIMIT) or ``probes`` (Hutchinson with
    Rademacher vectors through sparse LU solves, ``seed`` recorded; tr(G) and tr(G^2) exact from
    the log-determinant). With the orthogonal transformation each trace is tr(f(W)) - f(1).
    """

    def __init__(self, data: DynamicData, logdet, *, exact: bool, seed: int, probes: int = TRACE_PROBES) -> None:
        self.data = data
        self.w = data.weights
        self.logdet = logdet
        self.exact = exact
        self.seed = seed
        self.probes = max(20, min(probes, _PROBE_BUDGET // max(self.w.n, 1)))

    def _adjust(self, value: float, at_one: float) -> float:
        return value - at_one if self.data.transformed else value

    def information_traces(self, rho: float) -> dict[str, float]:
        """tr(G), tr(G^2), tr(G G') of the (transformed) model."""
        W = self.w.matrix
        n = self.w.n
        if self.exact:
            omega = self.w.eigenvalues()
            g = omega / (1.0 - rho * omega)
            tr_g, tr_g2 = float(np.real(g.sum())), float(np.real((g * g).sum()))
            G = np.asarray(W @ self.w.dense_inverse(rho))
            tr_ggt = float(np.sum(G * G))
            column_sums = G.sum(axis=0)  # G' 1
        else:
            tr_g = float(-self.logdet.derivative(np.array([rho]), 1)[0])
            tr_g2 = float(-self.logdet.derivative(np.array([rho]), 2)[0])
            z = np.column_stack([self._probe_vectors(), np.ones(n)])
            gtz = _inverse_apply(W.T, 1.0, rho, np.asarray(W.T @ z), "I - rho W'")  # G' z = (I - rho W)^-T W' z
            tr_ggt = float(np.mean(np.einsum("ij,ij->j", gtz[:, :-1], gtz[:, :-1])))
            column_sums = gtz[:, -1]
        one = 1.0 / (1.0 - rho)
        # tr(F'GF F'G'F) = tr(G J G' J) = tr(G G') - ||G' 1||^2 / n (G 1 = 1 / (1 - rho) 1)
        return {"G": self._adjust(tr_g, one), "G2": self._adjust(tr_g2, one * one),
                "GGt": self._adjust(tr_ggt, float(column_sums @ column_sums) / n)}

    def bias_traces(self, rho: float, tau: float, eta: float) -> dict[str, float]:
        """tr(C), tr(WC), tr(GC), tr(GWC), tr(G) with C = ((1 - tau) I - (rho + eta) W)^-1."""
        W = self.w.matrix
        n = self.w.n
        a, b = 1.0 - tau, rho + eta
        if self.exact:
            omega = self.w.eigenvalues()
            c = 1.0 / (a - b * omega)
            s = 1.0 / (1.0 - rho * omega)
            out = {"C": c.sum(), "WC": (omega * c).sum(), "GC": (omega * s * c).sum(),
                   "GWC": (omega * omega * s * c).sum(), "G": (omega * s).sum()}
            out = {k: float(np.real(v)) for k, v in out.items()}
        else:
            z = self._probe_vectors()
            u = _inverse_apply(W, a, b, z, "(1 - tau) I - (rho + eta) W")  # C z
            wu = np.asarray(W @ u)
            both = _inverse_apply(W, 1.0, rho, np.column_stack([u, wu]), "I - rho W")
            gu = np.asarray(W @ both[:, : z.shape[1]])  # G C z
            gwu = np.asarray(W @ both[:, z.shape[1]:])  # G W C z

            def mean(v: np.ndarray) -> float:
                return float(np.mean(np.einsum("ij,ij->j", z, v)))

            out = {"C": mean(u), "WC": mean(wu), "GC": mean(gu), "GWC": mean(gwu),
                   "G": float(-self.logdet.derivative(np.array([rho]), 1)[0])}
        c1, s1 = 1.0 / (a - b), 1.0 / (1.0 - rho)
        at_one = {"C": c1, "WC": c1, "GC": s1 * c1, "GWC": s1 * c1, "G": s1}
        return {k: self._adjust(v, at_one[k]) for k, v in out.items()}

    def _probe_vectors(self) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        return rng.choice(np.array([-1.0, 1.0]), size=(self.w.n, self.probes))

    def describe(self) -> str:
        if self.exact:
            return "exact (eigenvalues and dense G)"
        return f"Hutchinson estimates with {self.probes} Rademacher probes (seed {self.seed}), tr(G), tr(G^2) exact"


def _inverse_apply(matrix, a: float, b: float, block: np.ndarray, what: str) -> np.ndarray:
    """(a I - b M)^-1 block: the Neumann series sum_j (b/a)^j M^j block / a when it converges fast
    (|b/a| times the spectral radius, bounded by the largest absolute row sum, below 0.9), else a
    sparse LU solved column by column (SuperLU's solve of a wide block is several times slower)."""
    absolute = abs(matrix)
    q = abs(b / a) * min(float(absolute.sum(axis=1).max()), float(absolute.sum(axis=0).max()))
    if q < 0.9:
        total = block / a
        term = total
        for _ in range(2000):
            term = (b / a) * np.asarray(matrix @ term)
            total = total + term
            if np.max(np.abs(term)) <= 1e-14 * np.max(np.abs(total)):
                break
        return total
    lu = _splu(a * sparse.identity(matrix.shape[0], format="csc") - b * matrix, what)
    return np.column_stack([lu.solve(np.ascontiguousarray(block[:, j])) for j in range(block.shape[1])])


def _splu(matrix, what: str):
    """Sparse LU with a fill-reducing symmetric ordering (W's pattern is symmetric or nearly)."""
    try:
        return sla.splu(sparse.csc_matrix(matrix), permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.1,
                        options={"SymmetricMode": True})
    except RuntimeError as exc:
        raise NumericalError(f"{what} is singular (sparse LU failed: {exc})") from None
    except MemoryError:
        raise NumericalError(f"out of memory in the sparse LU of {what} (n = {matrix.shape[0]})") from None


# ---------------------------------------------------------------------------------------- information, bias


def _g_apply(data: DynamicData, rho: float, values: np.ndarray) -> np.ndarray:
    """G v = W (I - rho W)^-1 v per period, demeaned across units under the transformation."""
    out = data.lag(data.weights.reduced_form(rho, values))
    if data.transformed:
        block = out.reshape(data.n_units, data.n_periods)
        out = (block - block.mean(axis=0, keepdims=True)).reshape(-1)
    return out


def information_matrix(data: DynamicData, traces: Traces, delta: np.ndarray, rho: float, sigma2: float) -> np.ndarray:
    """The information matrix in (delta, rho, sigma2) of the (transformed) likelihood (Lee and Yu 2010)."""
    Z = data.Z
    T = data.n_periods
    N = data.n_eff_obs
    kz = Z.shape[1]
    tr = traces.information_traces(rho)
    gzb = _g_apply(data, rho, Z @ delta)
    out = np.zeros((kz + 2, kz + 2))
    out[:kz, :kz] = Z.T @ Z / sigma2
    out[:kz, kz] = out[kz, :kz] = Z.T @ gzb / sigma2
    out[kz, kz] = float(gzb @ gzb) / sigma2 + T * (tr["G2"] + tr["GGt"])
    out[kz, kz + 1] = out[kz + 1, kz] = T * tr["G"] / sigma2
    out[kz + 1, kz + 1] = N / (2.0 * sigma2 * sigma2)
    return out


def bias_vector(data: DynamicData, traces: Traces, names: tuple[str, ...], rho: float, sigma2: float,
                tau: float, eta: float) -> np.ndarray:
    """phi of Yu, de Jong and Lee (2008): entries for tau, eta, rho and sigma2, zero for beta and theta."""
    n = data.n_eff
    tr = traces.bias_traces(rho, tau, eta)
    kz = len(names)
    phi = np.zeros(kz + 2)
    if "tau" in names:
        phi[names.index("tau")] = tr["C"] / n
    if "eta" in names:
        phi[names.index("eta")] = tr["WC"] / n
    phi[kz] = (tau * tr["GC"] + eta * tr["GWC"] + tr["G"]) / n
    phi[kz + 1] = 1.0 / (2.0 * sigma2)
    return phi


# ---------------------------------------------------------------------------------------- stability


def largest_moduli(rho: np.ndarray, tau: np.ndarray, eta: np.ndarray, omega: np.ndarray) -> np.ndarray:
    """Per (rho, tau, eta): max over the eigenvalues ``omega`` of W of |(tau + eta omega) / (1 - rho omega)|
    (infinite where a denominator vanishes)."""
    denominator = 1.0 - rho[:, None] * omega[None, :]
    singular = (np.abs(denominator) < 1e-300).any(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        moduli = np.abs((tau[:, None] + eta[:, None] * omega[None, :]) / denominator).max(axis=1)
    return np.where(singular, np.inf, moduli)


def stability(weights, rho: float, tau: float, eta: float, *, omega_range: tuple[float, float] | None = None,
              refine=None) -> float:
    """The largest modulus of the eigenvalues of A = (I - rho W)^-1 (tau I + eta W): below 1 is stationary.

    From all eigenvalues when given ``weights`` with a dense spectrum (``omega_range`` None), else
    at the ends of the real interval [omega_min, omega_max] (the map omega -> (tau + eta omega) /
    (1 - rho omega) is monotone on it, so the ends are the extremes for real spectra). A range wider
    than the spectrum (e.g. (-r, r) from the spectral radius r) can only overstate the value; when it
    reaches 1, ``refine()`` (if given) returns the exact range and the value is computed again.

    Examples
    --------
    >>> round(stability(None, 0.3, 0.5, 0.1, omega_range=(-0.7, 1.0)), 6)  # (0.5 + 0.1) / (1 - 0.3)
    0.857143
    """
    omega = weights.eigenvalues() if omega_range is None else np.array(omega_range, dtype="float64")
    value = float(largest_moduli(np.array([rho]), np.array([tau]), np.array([eta]), omega)[0])
    if value >= 1.0 and refine is not None:
        return stability(weights, rho, tau, eta, omega_range=refine())
    return value


# ---------------------------------------------------------------------------------------- estimate


@dataclass(frozen=True)
class DynamicEstimate:
    """What the dynamic estimator hands to post-estimation."""

    names: list[str]  # parameters: coefficients of Z then "rho"
    estimates: np.ndarray
    cov: np.ndarray  # of ``estimates``
    sigma2: float
    sigma2_se: float | None
    loglik: float
    uncorrected: dict[str, float]  # ML estimates before the bias correction
    residuals: np.ndarray
    fitted: np.ndarray
    converged: bool
    optimizer: str
    stability: float
    details: dict


def lag_values(names, estimates) -> tuple[float, float]:
    index = {n: i for i, n in enumerate(names)}
    tau = float(estimates[index["tau"]]) if "tau" in index else 0.0
    eta = float(estimates[index["eta"]]) if "eta" in index else 0.0
    return tau, eta


def estimate_dynamic(data: DynamicData, *, logdet, interval, search, exact_traces: bool, bias_correction: bool,
                     seed: int, omega_range: tuple[float, float] | None, refine=None) -> DynamicEstimate:
    """ML of rho on the concentrated likelihood, then (optionally) the bias correction and the covariance.

    ``search(loglik, logdet, interval)`` maximises ``loglik(rho, f)`` over the interval.
    """
    profile = DynamicProfile(data)
    found = search(lambda r, f: profile.loglik(r, f), logdet, interval)
    rho = float(found.x[0])
    loglik = profile.loglik(rho, logdet)
    if not (math.isfinite(rho) and math.isfinite(loglik)):
        raise NumericalError("dynamic model: the concentrated log-likelihood is not finite anywhere in the "
                             "admissible interval of rho")
    N = data.n_eff_obs
    delta = profile.delta(rho)
    sigma2 = profile.sse(rho) / N
    names = list(data.names)
    traces = Traces(data, logdet, exact=exact_traces, seed=seed)
    tau, eta = lag_values(names, delta)
    details: dict[str, Any] = {"optimizer": found.message, "grid_local_maxima": found.local_maxima,
                               "interval_source": interval.source, "traces": traces.describe(),
                               "estimated_periods": data.n_periods,
                               "initial_period": "the first period is the initial condition y_0 (not estimated)"}
    uncorrected = {**dict(zip(names, map(float, delta), strict=True)), "rho": rho, "sigma2": sigma2}
    stat = stability(data.weights, rho, tau, eta, omega_range=omega_range, refine=refine)
    corrected = False
    if bias_correction:
        if stat >= 1.0:
            details["bias_correction"] = (f"not applied: the ML estimates are not stationary (largest eigenvalue "
                                          f"modulus of A = {stat:.6g} >= 1)")
        else:
            info = information_matrix(data, traces, delta, rho, sigma2) / N
            phi = bias_vector(data, traces, tuple(names), rho, sigma2, tau, eta)
            shift = np.linalg.solve(info, phi) / data.n_periods
            theta = np.concatenate([delta, [rho, sigma2]]) + shift
            delta, rho, sigma2 = theta[:-2], float(theta[-2]), float(theta[-1])
            if not (interval.lower < rho < interval.upper) or not sigma2 > 0:
                raise NumericalError(
                    f"the bias correction moved rho to {rho:.6g} (interval {interval.lower:.6g}, "
                    f"{interval.upper:.6g}) or sigma2 to {sigma2:.6g}; refit with bias_correction=False"
                )
            corrected = True
            details["bias_correction"] = (
                "Yu, de Jong and Lee (2008) / Lee and Yu (2010): theta - B/T' with B = -Sigma^-1 phi"
                + (" after the orthogonal transformation of the time effects" if data.transformed else ""))
            details["bias_shift"] = {name: float(s) for name, s in
                                     zip([*names, "rho", "sigma2"], shift, strict=True)}
            tau, eta = lag_values(names, delta)
            stat = stability(data.weights, rho, tau, eta, omega_range=omega_range, refine=refine)
    else:
        details["bias_correction"] = "not applied"
    info = information_matrix(data, traces, delta, rho, sigma2)
    try:
        full_cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        raise NumericalError(f"the information matrix of the dynamic model is singular (condition number "
                             f"{np.linalg.cond(info):.3g})") from None
    kz = len(names)
    s2_var = float(full_cov[kz + 1, kz + 1])
    e = data.y - rho * data.Wy - data.Z @ delta
    fitted = data.y - e
    details["corrected"] = corrected
    details["loglik_at"] = "the maximum-likelihood (uncorrected) estimates of the " + (
        "transformed model, (n - 1)(T - 1) observations" if data.transformed else "within-transformed model"
        if data.fe != "none" else "pooled model")
    return DynamicEstimate(
        names=[*names, "rho"], estimates=np.concatenate([delta, [rho]]), cov=full_cov[: kz + 1, : kz + 1],
        sigma2=sigma2, sigma2_se=math.sqrt(s2_var) if s2_var > 0 else None, loglik=loglik,
        uncorrected=uncorrected, residuals=e, fitted=fitted, converged=bool(found.converged),
        optimizer=found.message, stability=stat, details=details,
    )


def warn_nonstationary(stat: float) -> str | None:
    if stat < 1.0:
        return None
    message = (f"the estimated dynamic process is not stationary: the largest eigenvalue modulus of "
               f"(I - rho W)^-1 (tau I + eta W) is {stat:.6g} >= 1 (for a row-standardised W: tau + rho + eta >= 1); "
               "long-run effects do not exist and are not reported. Consider first differences or a model "
               "without the time lag")
    warnings.warn(message, NonStationaryWarning, stacklevel=4)
    return message
