"""Bayesian comparison of OLS, SLX, SAR, SDM, SEM and SDEM: log-marginal likelihoods and posterior model
probabilities (LeSage and Pace 2009, ch. 6; LeSage 2014), cross-section and static fixed-effects panels.

The data of a fixed-effects panel are demeaned first (unit, time or two-way means removed from y
and X) and W is applied to the demeaned values, as LeSage's ``lmarginal`` code and R SDPDmod's
``blmpSDPD`` do; the degrees of freedom lose n, T or n + T - 1 for the effects. The priors, the
formulas and the quadrature are in :mod:`spatial.models._marginal`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, get_args

import numpy as np
import pandas as pd

from spatial.choices import BayesLogdet as LogdetMethod
from spatial.choices import BayesModel, Collinear, FixedEffects
from spatial._options import check_option
from spatial.errors import SpatialPanelError
from spatial.models._design import CONST, build_design, check_panel, parse_term
from spatial.linalg import DENSE_LIMIT, lower_bound_from_eigensolver, make_logdet, rho_interval
from spatial.linalg.grid import logdet_grid
from spatial.models._marginal import (
    error_integrand,
    integrate_log,
    lag_integrand,
    least_squares_marginal,
    log_constant,
)
from spatial.models._panel import fixed_effects_design
from spatial.models.catalog import MODELS
from spatial.linalg import weights_matrix

__all__ = ["compare_bayes", "BayesComparison", "BAYES_MODELS", "check_priors", "check_models"]

BAYES_MODELS: tuple[str, ...] = get_args(BayesModel)  # declared once in spatial.choices
_DURBIN = {m for m in BAYES_MODELS if MODELS[m].durbin}
_COLUMNS = ["model", "log_marginal", "prior", "probability", "mode", "integration_error"]


@dataclass(frozen=True)
class BayesComparison:
    """Log-marginal likelihoods and posterior probabilities of the models compared.

    ``table`` has one row per model: ``model``, ``log_marginal``, ``prior``, ``probability``,
    ``mode`` (posterior mode of rho or lambda; NaN for OLS and SLX) and ``integration_error`` (the
    estimated absolute error of ``log_marginal`` from the quadrature over rho / lambda).
    """

    table: pd.DataFrame
    fe: str
    nobs: int
    n_units: int
    n_periods: int
    interval: tuple[float, float]
    interval_source: str
    logdet: str
    quadrature: str
    notes: tuple[str, ...] = field(default=())

    @property
    def best(self) -> str:
        """The model with the largest posterior probability."""
        return str(self.table.loc[self.table["probability"].idxmax(), "model"])

    @property
    def probabilities(self) -> pd.Series:
        """Posterior probabilities indexed by model."""
        return self.table.set_index("model")["probability"]

    @property
    def log_marginals(self) -> pd.Series:
        """Log-marginal likelihoods indexed by model."""
        return self.table.set_index("model")["log_marginal"]

    @property
    def note(self) -> str:
        """One paragraph: priors, interval, quadrature and caveats, for under the table."""
        lo, hi = self.interval
        interval = "" if not math.isfinite(lo) else (f" rho/lambda uniform on ({lo:.6g}, {hi:.6g}) "
                                                     f"({self.interval_source});")
        return (f"Log-marginal likelihoods (LeSage 2014) with p(beta, sigma) ~ 1/sigma;{interval} fixed effects: "
                f"{self.fe}; N = {self.nobs}. Integration: {self.quadrature}. " + " ".join(
                    f"{note[0].upper()}{note[1:]}." for note in self.notes)).strip()

    def summary(self) -> str:
        """The table as text with the priors, interval and quadrature stated."""
        lines = ["Bayesian model comparison (LeSage 2014; diffuse priors, rho/lambda uniform on the interval)",
                 f"{'model':<6}  {'log-marginal':>14}  {'prior':>7}  {'probability':>11}  {'mode':>8}  "
                 f"{'error':>8}"]
        lines.append("-" * len(lines[-1]))
        for row in self.table.itertuples(index=False):
            mode = "" if not math.isfinite(row.mode) else f"{row.mode:.4f}"
            lines.append(f"{row.model.upper():<6}  {row.log_marginal:>14.4f}  {row.prior:>7.4f}  "
                         f"{row.probability:>11.4f}  {mode:>8}  {row.integration_error:>8.1e}")
        lo, hi = self.interval
        lines.append(f"Most probable: {self.best.upper()}; fixed effects: {self.fe}; N = {self.nobs}; "
                     f"interval ({lo:.6g}, {hi:.6g}) from the {self.interval_source}")
        lines.append(f"Integration: {self.quadrature}")
        lines += [f"  - {note}" for note in self.notes]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """Machine-readable form (JSON): no NaN, a missing mode is null."""
        rows = []
        for row in self.table.to_dict(orient="records"):
            rows.append({k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()})
        return {"method": "LeSage (2014) log-marginal likelihoods, diffuse priors", "fe": self.fe,
                "nobs": self.nobs, "n_units": self.n_units, "n_periods": self.n_periods,
                "interval": list(self.interval), "interval_source": self.interval_source, "logdet": self.logdet,
                "quadrature": self.quadrature, "best": self.best, "notes": list(self.notes), "table": rows}


def check_priors(models: Sequence[str], priors: Mapping[str, float] | None) -> dict[str, float]:
    """The prior model probabilities (equal by default), refused when negative, not summing to 1 or not
    one per model."""
    if priors is None:
        return {m: 1.0 / len(models) for m in models}
    if not isinstance(priors, Mapping):
        raise SpatialPanelError(f"priors must map each model to its prior probability, got {type(priors).__name__}")
    missing = [m for m in models if m not in priors]
    extra = [m for m in priors if m not in models]
    if missing or extra:
        raise SpatialPanelError(
            f"priors must give one probability for each model compared ({', '.join(models)}); "
            + (f"missing: {', '.join(missing)}" if missing else "")
            + ("; " if missing and extra else "")
            + (f"not compared: {', '.join(map(str, extra))}" if extra else "")
        )
    values = {}
    for m in models:
        v = priors[m]
        if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating) or not math.isfinite(v):
            raise SpatialPanelError(f"prior of {m} must be a finite number, got {v!r}")
        if v < 0:
            raise SpatialPanelError(f"prior of {m} is negative ({v!r}); prior model probabilities are >= 0 and sum to 1")
        values[m] = float(v)
    total = sum(values.values())
    if abs(total - 1.0) > 1e-9:
        listed = ", ".join(f"{m} = {v:g}" for m, v in values.items())
        raise SpatialPanelError(f"prior model probabilities must sum to 1, they sum to {total:.10g} ({listed}); "
                                "divide each by their sum, or omit priors for equal ones")
    return values


def check_models(models: Sequence[str]) -> list[str]:
    """The models of a comparison as a list, refused when empty, repeated or not covered (SAC).

    Examples
    --------
    >>> check_models(["sar", "sdm"])
    ['sar', 'sdm']
    """
    models = [models] if isinstance(models, str) else list(models)
    if not models:
        raise SpatialPanelError(f"models is empty; choose from {', '.join(BAYES_MODELS)}")
    not_covered = [m for m in models if m not in BAYES_MODELS]
    if not_covered:
        why = (" (SAC has two spatial parameters: its marginal needs a 2-D integral, not offered)"
               if "sac" in not_covered else "")
        raise SpatialPanelError(f"the Bayesian comparison covers {', '.join(BAYES_MODELS)}; not covered: "
                                f"{', '.join(map(str, not_covered))}{why}")
    repeated = sorted({m for m in models if models.count(m) > 1})
    if repeated:
        raise SpatialPanelError(f"models repeated: {', '.join(repeated)}")
    return models


def compare_bayes(panel, w: Any, *, y: str, x: Sequence[str], models: Sequence[BayesModel] = BAYES_MODELS,
                  fe: FixedEffects = "none", priors: Mapping[str, float] | None = None,
                  wx: Sequence[str] | None = None, period: Any = None, logdet: LogdetMethod = "auto",
                  allow_islands: bool = False, collinear: Collinear = "error") -> BayesComparison:
    """Log-marginal likelihoods and posterior model probabilities of OLS, SLX, SAR, SDM, SEM, SDEM.

    Parameters
    ----------
    panel, w, y, x
        As for :func:`spatial.models.fit`: a cross-section (or one ``period``) or a balanced panel,
        weights keyed by the unit ids (used as given; LeSage's setting is a row-standardised W).
    models
        The models compared (default all six).
    fe
        Fixed effects of a panel, removed by demeaning (``"unit"``, ``"time"``, ``"twoway"``), or
        ``"none"`` (pooled, with an intercept).
    priors
        Prior model probabilities, one per model, non-negative and summing to 1 (default: equal).
    wx
        Regressors lagged in SLX/SDM/SDEM (default: all of ``x``).
    period
        Use one period of a panel (a cross-section).
    logdet
        ``"eigen"`` (exact, dense; default up to 2000 units) or ``"lu"`` (sparse LU; default above).
    allow_islands, collinear
        As for :func:`spatial.models.fit`.

    Returns
    -------
    BayesComparison
        ``table`` (model, log_marginal, prior, probability, mode, integration_error), ``best``,
        ``summary()``, ``to_dict()``.

    Raises
    ------
    SpatialPanelError
        A model not covered (SAC, unknown names), priors that are negative, do not sum to 1 or do
        not match the models; anything :func:`spatial.models.fit` refuses for these data.
    NumericalError
        An integrand that is not finite anywhere, a singular Z'Z.

    Examples
    --------
    >>> from libpysal.graph import Graph
    >>> from spatial import SpatialPanel, datasets
    >>> from spatial.models import compare_bayes
    >>> states = datasets.load("us48_states")
    >>> panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year", geometry=states)
    >>> w = Graph.build_contiguity(states.set_index("fips"), rook=False).transform("r")
    >>> out = compare_bayes(panel, w, y="log(gsp)", x=["log(pcap)", "log(pc)", "log(emp)", "unemp"], fe="twoway")
    >>> out.best, round(float(out.probabilities.sum()), 12)
    ('sem', 1.0)
    """
    check_option("fe", fe, FixedEffects)
    check_option("logdet", logdet, LogdetMethod)
    check_panel(panel)
    models = check_models(models)
    model_priors = check_priors(models, priors)
    if isinstance(x, str):
        x = [x]
    if fe != "none" and period is not None:
        raise SpatialPanelError(f"period={period!r} selects a cross-section, where fe={fe!r} has nothing to remove")
    weights = weights_matrix(w, allow_islands=allow_islands)
    design = build_design(panel, weights, y=y, x=list(x), wx=None, constant=fe == "none", durbin=False,
                          period=period, collinear=collinear)
    if fe != "none":
        design = fixed_effects_design(design, fe, lag_model=False, collinear=collinear)
    n, T = design.n_units, design.n_periods
    nobs = n * T
    absorbed = {"none": 0, "unit": n, "time": T, "twoway": n + T - 1}[fe]
    yv, X = design.y, design.X
    Wy = design.lag(yv)
    names = list(design.names)
    chosen = [c for c in names if c != CONST] if wx is None else [parse_term(t).name for t in wx]
    unknown = [c for c in chosen if c not in names or c == CONST]
    if unknown:
        raise SpatialPanelError(f"wx must name regressors of x; not in x: {', '.join(unknown)}")
    lag_cols = [names.index(c) for c in chosen]
    WX = design.lag(X[:, lag_cols]) if lag_cols else np.empty((nobs, 0))
    if fe == "none" and not weights.row_stochastic:
        WX = np.column_stack([design.lag(np.ones(nobs)), WX])  # W*const differs from const
    Zd = np.column_stack([X, WX])
    spatial = [m for m in models if MODELS[m].n_spatial]
    method = logdet if logdet != "auto" else ("eigen" if n <= DENSE_LIMIT else "lu")
    notes = []
    interval = source = None
    grid = None
    if spatial:
        if method == "eigen":
            iv = rho_interval(weights, use_eigenvalues=True)
        else:
            iv = rho_interval(weights, use_eigenvalues=False)
            iv = lower_bound_from_eigensolver(weights, iv.upper)
        interval, source = (iv.lower, iv.upper), {"eigenvalues": "eigenvalues of W",
                                                    "eigensolver": "extreme eigenvalues of W (sparse eigensolver)",
                                                    "spectral radius": "spectral radius of W"}[iv.source]
        grid = logdet_grid(make_logdet(weights, method, iv))
    D = None if interval is None else interval[1] - interval[0]
    values = {}
    for m in models:
        Z = Zd if m in _DURBIN else X
        dof = 0.5 * (nobs - Z.shape[1] - absorbed)
        if dof <= 0:
            raise SpatialPanelError(f"{m.upper()}: {Z.shape[1]} regressors and {absorbed} fixed effects leave no "
                                    f"degrees of freedom in {nobs} observations")
        if not MODELS[m].n_spatial:
            values[m] = least_squares_marginal(yv, Z, dof)
            continue
        if MODELS[m].lag:
            g = lag_integrand(yv, Wy, Z, dof, T)
        else:
            g = error_integrand(yv, Wy, Z, design.lag(Z), dof, T)
        raw = integrate_log(g, grid, *interval)
        values[m] = type(raw)(raw.log_marginal + log_constant(dof, D), raw.mode, raw.error, raw.evaluations,
                              raw.support)
    log_post = np.array([values[m].log_marginal + (math.log(model_priors[m]) if model_priors[m] > 0 else -np.inf)
                         for m in models])
    top = np.max(log_post)
    weights_ = np.exp(log_post - top)
    probability = weights_ / weights_.sum()
    table = pd.DataFrame({
        "model": models, "log_marginal": [values[m].log_marginal for m in models],
        "prior": [model_priors[m] for m in models], "probability": probability,
        "mode": [values[m].mode for m in models], "integration_error": [values[m].error for m in models],
    }, columns=_COLUMNS)
    quadrature = ("none (OLS/SLX only)" if not spatial else
                  "adaptive Gauss-Kronrod (QUADPACK qags, 21 points) of exp(g - max g) over the part of the "
                  "interval where g > max g - 60; log-determinant "
                  + ("exact from the eigenvalues at every node" if method == "eigen" else
                     "piecewise Chebyshev interpolants of sparse-LU values, each checked at 2 further exact values"))
    if set(models) - _DURBIN and _DURBIN & set(models):
        notes.append("models with and without W*X compare under LeSage's normalisation of the flat prior on beta")
    if fe in ("time", "twoway"):
        notes.append("W applied to the demeaned data (LeSage's and SDPDmod's convention)")
    return BayesComparison(table=table, fe=fe, nobs=nobs, n_units=n, n_periods=T,
                           interval=interval or (float("nan"), float("nan")), interval_source=source or "",
                           logdet=method if spatial else "none", quadrature=quadrature, notes=tuple(notes))
