"""Internal rescaling of y and X by powers of two, and the map back (RELIABILITY E2).

Badly scaled data break the numerics in ways that look like results: y x 1e150 overflows the
information matrix (sigma2^2, sigma2^3), y x 1e-300 underflows every sum of squares to 0, and a
regressor on a 1e-13 scale falls below the rank tolerance of the least-squares solver, which
then sets its coefficient to 0 without a word. Every estimator therefore works on a design
whose y and X columns have been divided by powers of two (exact in floating point) so that
each has a root mean square between 0.5 and 2; :func:`unscale_result` maps the result back:

* a coefficient of column j by s_y / s_j, its covariance by the outer product of those
  factors; rho, lambda, phi, test statistics, z and p-values are scale-free;
* sigma2 and its standard error by s_y^2; residuals, fitted values and fixed effects by s_y;
* the log-likelihood by - N ln s_y (the Jacobian of y -> y / s_y).

A W* lag shares the scale of its regressor, so that direct + indirect = total holds in the
original units. When a mapped-back value is not representable in double precision (sigma2 of
y x 1e-300 is about 1e-600), estimation is refused with :class:`NumericalError` naming the
variable and the rescaling to apply.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from spatial.errors import NumericalError
from spatial.models._design import CONST, Design

__all__ = ["Scales", "scale_design", "unscale_result", "check_residual_variance", "PERFECT_FIT"]

PERFECT_FIT = 1e-20  # sigma2 / var(y) below this: y is an exact function of the regressors


@dataclass(frozen=True)
class Scales:
    """Powers of two dividing y and each column of X (by name)."""

    y: float
    columns: dict[str, float]
    y_name: str

    def factor(self, name: str) -> float:
        """s_y / s_j for a coefficient (1 for spatial and variance-ratio parameters)."""
        if name in self.columns:
            return self.y / self.columns[name]
        return 1.0


def _power_of_two(values: np.ndarray) -> float:
    """2^k nearest the root mean square of ``values`` (computed without overflow or underflow)."""
    peak = float(np.max(np.abs(values))) if values.size else 0.0
    if not (peak > 0 and math.isfinite(peak)):
        return 1.0
    relative = float(np.sqrt(np.mean(np.square(values / peak))))
    exponent = round(math.log2(peak) + math.log2(relative))
    return math.ldexp(1.0, min(max(exponent, -1020), 1020))


def scale_design(design: Design) -> tuple[Design, Scales]:
    """A copy of ``design`` with y (and W y) and each X column (and W X) divided by a power of two.

    A column ``W*v`` uses the scale of ``v``; ``const`` keeps scale 1.
    """
    sy = _power_of_two(design.y)
    own: dict[str, float] = {}
    for j, name in enumerate(design.names):
        if not name.startswith("W*"):
            own[name] = 1.0 if name == CONST else _power_of_two(design.X[:, j])
    for j, name in enumerate(design.names):
        if name.startswith("W*"):
            own[name] = own.get(name[2:], _power_of_two(design.X[:, j]))
    sx = np.array([own[name] for name in design.names]) if design.names else np.empty(0)
    lags: dict = {}
    for key, value in design._lags.items():
        if key in ("Wy", "WWy"):
            lags[key] = value / sy
        elif key == "WX":
            lags[key] = value / sx
        elif key == "raw":
            y_raw, X_raw, Wy_raw = value
            lags[key] = (y_raw / sy, X_raw / sx, Wy_raw / sy)
        else:
            lags[key] = value
    scaled = replace(design, y=design.y / sy, X=design.X / sx if sx.size else design.X, _lags=lags)
    return scaled, Scales(y=sy, columns=own, y_name=design.y_name)


def check_residual_variance(design: Design, sse: float, model: str) -> None:
    """Refuse a perfect fit: sigma2 ~ 0 makes the likelihood unbounded and every standard error 0.

    Raises
    ------
    NumericalError
        When SSE / N is below ``PERFECT_FIT`` times the variance of y.
    """
    var_y = float(np.var(design.y))
    if not (sse / design.nobs > PERFECT_FIT * var_y):
        raise NumericalError(
            f"{model}: perfect fit, the residual variance is {sse / design.nobs / var_y:.3g} times the variance of "
            f"{design.y_name} (sigma2 ~ 0), so the likelihood and the standard errors are undefined. "
            f"{design.y_name} is an exact linear function of the regressors (and their spatial lags): check that it "
            "was not built from them"
        )


def _frame_by_row(frame: pd.DataFrame | None, factors: pd.Series) -> pd.DataFrame | None:
    if frame is None:
        return None
    return frame.mul(factors.reindex(frame.index).fillna(1.0), axis=0)


def _effects(effects, scales: Scales):
    if effects is None:
        return None
    factors = pd.Series({v: scales.factor(v) for v in effects.variables})
    per_unit = effects.per_unit
    if per_unit is not None:
        row = per_unit["variable"].map(factors).to_numpy()
        numeric = [c for c in per_unit.columns if c != "variable"]
        per_unit = per_unit.copy()
        per_unit[numeric] = per_unit[numeric].to_numpy() * row[:, None]
    return replace(
        effects,
        estimates=_frame_by_row(effects.estimates, factors),
        std_errors=_frame_by_row(effects.std_errors, factors),
        delta_std_errors=_frame_by_row(effects.delta_std_errors, factors),
        simulation_std_errors=_frame_by_row(effects.simulation_std_errors, factors),
        simulation_means=_frame_by_row(effects.simulation_means, factors),
        per_unit=per_unit,
    )


def _fixed_effects(fixed: dict | None, sy: float) -> dict | None:
    if fixed is None:
        return None
    out = dict(fixed)
    for key in ("intercept", "intercept_se"):
        if out.get(key) is not None:
            out[key] = out[key] * sy
    for kind in ("unit", "time"):
        if out.get(kind) is not None:
            frame = out[kind].copy()
            frame[["effect", "std_error"]] = frame[["effect", "std_error"]] * sy
            out[kind] = frame
    return out


def _details(details: dict, sy: float) -> dict:
    out = dict(details)
    if "sigma_mu2" in out:
        out["sigma_mu2"] = out["sigma_mu2"] * sy**2
    shift = out.get("lee_yu_shift")
    if isinstance(shift, dict) and "sigma2" in shift:
        out["lee_yu_shift"] = {**shift, "sigma2": shift["sigma2"] * sy**2}
    return out


def _representable(scaled: np.ndarray, mapped: np.ndarray) -> np.ndarray:
    """True where a finite non-zero value stayed finite and non-zero after mapping back."""
    live = np.isfinite(scaled) & (scaled != 0)
    return ~live | (np.isfinite(mapped) & (mapped != 0))


def unscale_result(result, scales: Scales):
    """Map a result estimated on :func:`scale_design`'s copy back to the user's units.

    Raises
    ------
    NumericalError
        When sigma2, a coefficient or its variance is not representable in double precision in the
        original units (the variable and the rescaling to apply are named).
    """
    sy = scales.y
    names = list(result.params.index)
    f = np.array([scales.factor(n) for n in names])
    params = result.params * f
    se = result.std_errors * f
    with np.errstate(over="ignore", under="ignore"):
        sy2 = np.square(np.float64(sy))  # inf, not OverflowError, when y is near the top of the range
        cov = result.cov * np.outer(f, f)
        sigma2 = result.sigma2 * sy2
    if not _representable(np.array([result.sigma2]), np.array([sigma2])).all():
        size = math.log10(sy) if sy > 0 else 0.0
        raise NumericalError(
            f"{scales.y_name} is on a scale of about 1e{size:.0f}: its residual variance (sigma2 ~ 1e{2 * size:.0f}) "
            f"is outside the range of double precision. Rescale {scales.y_name} (e.g. multiply it by "
            f"1e{-size:.0f}); the estimates scale with it"
        )
    bad = [n for n, ok_p, ok_v in zip(names, _representable(result.params.to_numpy(), params.to_numpy()),
                                       _representable(np.diag(result.cov.to_numpy()), np.diag(cov.to_numpy())),
                                       strict=True) if not (ok_p and ok_v)]
    if bad:
        raise NumericalError(
            f"the coefficients of {', '.join(bad)} (or their variances) are outside the range of double precision in "
            f"the units of the data ({scales.y_name} and {', '.join(bad)} differ in scale by more than 1e150); "
            "rescale those variables"
        )
    return replace(
        result,
        params=params, std_errors=se, cov=cov, sigma2=float(sigma2),
        sigma2_se=None if result.sigma2_se is None else result.sigma2_se * sy2,
        loglik=None if result.loglik is None else result.loglik - result.nobs * math.log(sy),
        effects=_effects(result.effects, scales),
        residuals=result.residuals * sy, fitted=result.fitted * sy,
        fixed_effects=_fixed_effects(result.fixed_effects, sy),
        details={**_details(result.details, sy), "scaling": {
            "y": sy, **{n: s for n, s in scales.columns.items() if s != 1.0}}},
    )
