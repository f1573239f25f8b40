"""The frozen result of a fitted model and its renderings (text, HTML, LaTeX, tidy frame, JSON).

Conventions, stated once: ``sigma2`` is the ML value SSR/N; the log-likelihood is the full
Gaussian one; AIC = -2 lnL + 2 p and BIC = -2 lnL + ln(N) p count every coefficient, each
spatial parameter and sigma2 in p (R's convention; spreg leaves sigma2 out, so its AIC is 2
lower). OLS and SLX standard errors use SSR/(N - k) and t distributions (as R's ``lm``); ML models
use the inverse information matrix (or Hessian) and normal distributions.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from spatial._options import check_option
from spatial.models.catalog import MODELS
from spatial.models.effects import Effects

__all__ = ["Result", "TestResult", "ModelSpec", "MODEL_LABELS", "stars"]

MODEL_LABELS = {name: info.label_en for name, info in MODELS.items()}  # kept for callers; see catalog
SummaryFormat = Literal["text", "html", "latex"]


def stars(p: float, levels: tuple[float, ...] = (0.1, 0.05, 0.01)) -> str:
    """``*``, ``**``, ``***`` for p below each of ``levels`` (10%, 5%, 1% by default).

    Examples
    --------
    >>> stars(0.003), stars(0.04), stars(0.2)
    ('***', '**', '')
    """
    if p is None or not math.isfinite(p):
        return ""
    return "*" * sum(p < level for level in levels)


@dataclass(frozen=True)
class TestResult:
    """A test statistic with its degrees of freedom and p-value."""

    __test__ = False  # not a pytest class
    name: str
    statistic: float
    df: float | None
    p_value: float
    distribution: str = "chi2"
    note: str = ""

    def to_dict(self) -> dict:
        return {"statistic": _num(self.statistic), "df": self.df, "p_value": _num(self.p_value),
                "distribution": self.distribution, "note": self.note}


@dataclass(frozen=True)
class ModelSpec:
    """What was asked for: model, variables, options (recorded in every output)."""

    model: str
    y: str
    x: tuple[str, ...]
    wx: tuple[str, ...]
    constant: bool
    fe: str
    period: Any
    logdet: str
    cov: str
    effects: str
    inference: str
    draws: int
    seed: int
    allow_islands: bool
    collinear: str
    per_unit: bool
    lee_yu: bool = False
    random_effects: bool = False
    conditional_se: bool = False  # random effects: coefficient SEs given phi and rho (R splm's)
    estimator: str = "ml"  # "ml" (least squares for OLS/SLX) or "gmm"
    endog: tuple[str, ...] = ()  # GMM: endogenous regressors
    instruments: tuple[str, ...] = ()  # GMM: external instruments
    w_lags: int | None = None  # GMM lag models: powers of W in the spatial instruments
    gmm_errors: str | None = None  # GMM error models: the moment conditions ("het")
    gmm_moments: str | None = None  # GMM random-effects error panels: splm's moments ("initial", "weights", ...)
    bandwidth: int | None = None  # Driscoll-Kraay lags (cov="driscoll_kraay"), else None
    bandwidth_given: bool = False  # the user's bandwidth (else the rule floor(4 (T/100)^(2/9)))
    dynamic: str | None = None  # "tau", "eta" or "both": lags of y in time (see spatial.models._dynamic)

    def to_dict(self) -> dict:
        out = dict(self.__dict__)
        out["x"], out["wx"] = list(self.x), list(self.wx)
        out["endog"], out["instruments"] = list(self.endog), list(self.instruments)
        out["period"] = _plain(self.period)
        return out


@dataclass(frozen=True)
class Result:
    """A fitted spatial model. Build it with :func:`spatial.models.fit`.

    ``params``, ``std_errors``, ``zstats``, ``pvalues`` are Series indexed by parameter name
    (``const``, regressors, ``W*<regressor>``, then ``rho`` and/or ``lambda``); ``cov`` is their
    covariance. ``residuals`` and ``fitted`` are indexed by (id, period) with the original ids.
    """

    model: str
    spec: ModelSpec
    params: pd.Series
    std_errors: pd.Series
    zstats: pd.Series
    pvalues: pd.Series
    cov: pd.DataFrame
    sigma2: float
    sigma2_se: float | None
    loglik: float | None  # None for an estimator without a likelihood (then AIC and BIC are None)
    nobs: int
    n_units: int
    n_periods: int
    n_params: int  # counted in AIC/BIC: coefficients, spatial parameters and sigma2
    rho_bounds: tuple[float, float] | None
    effects: Effects | None
    tests: dict[str, TestResult]
    dropped: pd.DataFrame
    converged: bool
    at_boundary: bool
    r2: float
    pseudo_r2: float
    residuals: pd.Series
    fitted: pd.Series
    dist: str  # "t" (OLS, SLX) or "normal"
    df_resid: int | None
    details: dict = field(default_factory=dict)
    fixed_effects: dict | None = None  # panels: recovered unit/time intercepts (Elhorst), see spatial.models.fit
    diagnostics: dict = field(default_factory=dict)  # least squares with a constant: F, JB, BP, KB, White
    long_run_effects: Effects | None = None  # dynamic models: long-run effects (``effects`` is the short run)

    # ------------------------------------------------------------------ derived values

    @property
    def tstats(self) -> pd.Series:
        """Same as :attr:`zstats` (t statistics for OLS and SLX)."""
        return self.zstats

    @property
    def aic(self) -> float | None:
        return None if self.loglik is None else -2.0 * self.loglik + 2.0 * self.n_params

    @property
    def bic(self) -> float | None:
        return None if self.loglik is None else -2.0 * self.loglik + math.log(self.nobs) * self.n_params

    @property
    def effects_undefined(self) -> str | None:
        """Why the effects are undefined (rho on a bound of its interval), or None."""
        reason = self.details.get("effects")
        return reason if isinstance(reason, str) and reason.startswith("undefined") else None

    @property
    def rho(self) -> float | None:
        return float(self.params["rho"]) if "rho" in self.params else None

    @property
    def lam(self) -> float | None:
        return float(self.params["lambda"]) if "lambda" in self.params else None

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Confidence intervals (normal, or t for OLS and SLX)."""
        from scipy import special

        q = special.stdtrit(self.df_resid, 0.5 + level / 2) if self.dist == "t" else special.ndtri(0.5 + level / 2)
        return pd.DataFrame({"lower": self.params - q * self.std_errors, "upper": self.params + q * self.std_errors})

    # ------------------------------------------------------------------ renderings

    def to_frame(self) -> pd.DataFrame:
        """One tidy row per parameter: estimate, std_error, z (or t), p_value, confidence interval."""
        ci = self.conf_int()
        return pd.DataFrame({
            "model": self.model,
            "parameter": self.params.index,
            "estimate": self.params.to_numpy(),
            "std_error": self.std_errors.to_numpy(),
            "z": self.zstats.to_numpy(),
            "p_value": self.pvalues.to_numpy(),
            "ci_lower": ci["lower"].to_numpy(),
            "ci_upper": ci["upper"].to_numpy(),
        })

    def to_dict(self) -> dict:
        """The machine-readable form (what :meth:`to_json` writes)."""
        return {
            "model": self.model,
            "label": MODELS[self.model].label_en,
            "dependent": self.spec.y,
            "nobs": self.nobs,
            "n_units": self.n_units,
            "n_periods": self.n_periods,
            "fe": self.spec.fe,
            "random_effects": bool(self.spec.random_effects),
            "estimator": self.spec.estimator,
            "lee_yu": bool(self.spec.lee_yu),
            "dynamic": self.spec.dynamic,
            "params": {
                name: {"estimate": _num(self.params[name]), "std_error": _num(self.std_errors[name]),
                       "z": _num(self.zstats[name]), "p_value": _num(self.pvalues[name])}
                for name in self.params.index
            },
            "statistic": "t" if self.dist == "t" else "z",
            "sigma2": _num(self.sigma2),
            "sigma2_std_error": _num(self.sigma2_se),
            "loglik": _num(self.loglik),
            "aic": _num(self.aic),
            "bic": _num(self.bic),
            "n_params": self.n_params,
            "aic_convention": "p counts coefficients, spatial parameters and sigma2 (as R)",
            "r2": _num(self.r2),
            "pseudo_r2": _num(self.pseudo_r2),
            "rho_bounds": None if self.rho_bounds is None else [_num(b) for b in self.rho_bounds],
            "converged": bool(self.converged),
            "at_boundary": bool(self.at_boundary),
            "effects": None if self.effects is None else self.effects.to_dict(),
            "effects_undefined": self.effects_undefined,
            "effects_horizon": "short_run" if self.spec.dynamic else None,
            "long_run_effects": None if self.long_run_effects is None else self.long_run_effects.to_dict(),
            "unit_effects": _unit_effects(self.effects),
            "long_run_unit_effects": _unit_effects(self.long_run_effects),
            "effects_method": None if self.effects is None else {
                "method": self.effects.method, "inference": self.effects.inference,
                "draws": self.effects.draws, "seed": self.effects.seed},
            "tests": {name: test.to_dict() for name, test in self.tests.items()},
            "diagnostics": {name: test.to_dict() for name, test in self.diagnostics.items()},
            "dropped": [{k: _plain(v) for k, v in row.items()} for row in self.dropped.to_dict(orient="records")],
            "spec": self.spec.to_dict(),
            "details": _plain(self.details),
            "fixed_effects": _fixed_effects_dict(self.fixed_effects),
        }

    def to_json(self, path=None, *, overwrite: bool = False) -> str:
        """JSON text; also written atomically to ``path`` when given (never over an existing file)."""
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        if path is not None:
            from spatial._fs import check_output, write_text_atomic

            write_text_atomic(check_output(path, overwrite=overwrite), text)
        return text

    def summary(self, format: SummaryFormat = "text") -> str:
        """The estimates, fit statistics, tests and effects as text, HTML (escaped) or LaTeX."""
        check_option("format", format, SummaryFormat)
        from spatial.models._render import render_summary

        return render_summary(self, format)

    def __repr__(self) -> str:
        loglik = "None" if self.loglik is None else f"{self.loglik:.6g}"
        return (f"Result(model={self.model!r}, nobs={self.nobs}, loglik={loglik}, "
                f"params={len(self.params)}, converged={self.converged})")

    def _repr_html_(self) -> str:
        return self.summary("html")


def _fixed_effects_dict(fixed: dict | None) -> dict | None:
    if fixed is None:
        return None
    out: dict = {"intercept": _num(fixed.get("intercept")), "intercept_std_error": _num(fixed.get("intercept_se"))}
    for kind in ("unit", "time"):
        frame = fixed.get(kind)
        if frame is not None:
            out[kind] = {str(_plain(k)): {"effect": _num(r.effect), "std_error": _num(r.std_error), "t": _num(r.t)}
                         for k, r in zip(frame.index, frame.itertuples(index=False), strict=True)}
    return out


def _num(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _unit_effects(effects) -> list[dict] | None:
    """Per-unit effects (``Effects.per_unit``) as JSON rows: id, variable, direct, received, emitted,
    total_received, total_emitted; what ``spatial map --kind effects`` draws. None when not computed."""
    frame = getattr(effects, "per_unit", None)
    if frame is None:
        return None
    rows = []
    for unit, row in zip(frame.index, frame.to_dict(orient="records"), strict=True):
        rows.append({"id": str(unit), "variable": str(row.pop("variable")),
                     **{str(k): _num(v) for k, v in row.items()}})
    return rows
