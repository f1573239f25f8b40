"""From a panel, a weights matrix and the user's terms to the arrays the likelihoods use.

Terms are column names or ``log(column)`` (natural logarithm), so users need not pre-transform:
``y="log(gsp)", x=["log(pcap)", "unemp"]``. The constant is named ``const`` and a spatially lagged
regressor ``W*<term>``.

Every array is stacked unit-major in the order of the weights' ids: row ``i * T + t`` is unit
``i`` in period ``t``, so W applies to all periods at once as an n x (T k) product, and a
cross-section is the case T = 1. Nothing n T x n T is ever formed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from spatial.errors import IdentificationError, SchemaError, first_items
from spatial.io import require_columns
from spatial.linalg import WeightsMatrix
from spatial.linalg.threads import serial_blas
from spatial.hints import hint

__all__ = ["Term", "parse_term", "Design", "build_design", "check_panel", "CONST"]

CONST = "const"
_LOG = re.compile(r"^\s*(?:log|ln)\s*\(\s*(?P<column>.+?)\s*\)\s*$")


@dataclass(frozen=True)
class Term:
    """One variable of a model: a panel column, optionally log-transformed."""

    name: str  # as shown in results: "unemp", "log(pcap)"
    column: str
    transform: str  # "none" or "log"

    def values(self, frame: pd.DataFrame) -> np.ndarray:
        raw = frame[self.column].to_numpy(dtype="float64")
        if self.transform == "none":
            return raw
        bad = ~(raw > 0)
        if bad.any():
            keys = [k if not isinstance(k, tuple) or len(k) > 1 else k[0] for k in frame.index[bad]]
            raise SchemaError(
                f"{self.name}: {int(bad.sum())} values of {self.column!r} are not positive, so their logarithm is "
                f"undefined (at {first_items(keys, 5)}); use the untransformed variable or fix those values"
            )
        return np.log(raw)


def parse_term(text: str) -> Term:
    """Parse ``"name"`` or ``"log(name)"`` (also ``ln(name)``).

    Examples
    --------
    >>> parse_term("log(pcap)")
    Term(name='log(pcap)', column='pcap', transform='log')
    >>> parse_term("unemp").transform
    'none'
    """
    if not isinstance(text, str) or not text.strip():
        raise SchemaError(f"a variable must be a non-empty column name or log(column), got {text!r}")
    match = _LOG.match(text)
    if match:
        column = match.group("column")
        return Term(name=f"log({column})", column=column, transform="log")
    return Term(name=text.strip(), column=text.strip(), transform="none")


@dataclass(frozen=True, eq=False)
class Design:
    """The stacked arrays of one model (unit-major), with names and the weights."""

    y: np.ndarray
    X: np.ndarray
    names: tuple[str, ...]
    n_units: int
    n_periods: int
    weights: WeightsMatrix
    index: pd.MultiIndex  # (id, period) of every row
    y_name: str
    lagged: tuple[str, ...]  # regressors whose W* lag is in X
    dropped: tuple[dict, ...] = ()
    _lags: dict = field(default_factory=dict, repr=False)

    @property
    def nobs(self) -> int:
        return len(self.y)

    @property
    def k(self) -> int:
        return self.X.shape[1]

    def lag(self, values: np.ndarray) -> np.ndarray:
        return self.weights.lag(values, self.n_periods)

    @property
    def Wy(self) -> np.ndarray:
        if "Wy" not in self._lags:
            self._lags["Wy"] = self.lag(self.y)
        return self._lags["Wy"]

    @property
    def WX(self) -> np.ndarray:
        if "WX" not in self._lags:
            self._lags["WX"] = self.lag(self.X)
        return self._lags["WX"]

    @property
    def WWy(self) -> np.ndarray:
        if "WWy" not in self._lags:
            self._lags["WWy"] = self.lag(self.Wy)
        return self._lags["WWy"]


def build_design(
    panel,
    weights: WeightsMatrix,
    *,
    y: str,
    x: list[str],
    wx: list[str] | None,
    constant: bool,
    durbin: bool,
    period=None,
    collinear: str = "error",
    n_spatial: int = 0,
) -> Design:
    """Align the panel to the weights by id and build y, X (with W*X for Durbin models).

    Raises
    ------
    SchemaError
        Unknown columns (with close matches), a repeated term, log of non-positive values, a
        period not in the panel, a constant dependent variable.
    IdMismatchError
        When the panel's and the weights' ids differ.
    IdentificationError
        Constant or collinear regressors (named, with what they depend on), a W*X term for a
        variable not in X, too few observations for the parameters.
    """
    y_term = parse_term(y)
    x_terms = [parse_term(t) for t in x]
    names = [t.name for t in x_terms]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise SchemaError(f"regressors repeated in x: {first_items(repeated)}")
    if CONST in names:
        raise SchemaError(f"{CONST!r} is added by constant=True; do not list it in x")
    if y_term.name in names:
        raise SchemaError(f"{y_term.name} is both the dependent variable and a regressor")
    aligned = panel.align(list(weights.ids), what="the weights")
    data = aligned.data
    require_columns(data, sorted({t.column for t in [y_term, *x_terms]}), "the panel")
    if period is not None:
        data = _one_period(aligned, period)
        n_periods = 1
    else:
        n_periods = aligned.n_periods
    yv = y_term.values(data)
    if np.ptp(yv) == 0:
        raise SchemaError(f"the dependent variable {y_term.name} is constant; there is nothing to explain")
    columns, labels = [], []
    if constant:
        columns.append(np.ones(len(yv)))
        labels.append(CONST)
    for term in x_terms:
        columns.append(term.values(data))
        labels.append(term.name)
    X = np.column_stack(columns) if columns else np.empty((len(yv), 0))
    dropped: list[dict] = []
    lagged: list[str] = []
    if durbin:
        chosen = names if wx is None else [parse_term(t).name for t in wx]
        unknown = [c for c in chosen if c not in names]
        if unknown:
            raise IdentificationError(
                f"W* terms must lag regressors of x; not in x: {first_items(unknown)} (x: {first_items(names)})"
            )
        lag_source = X[:, [labels.index(c) for c in chosen]] if chosen else np.empty((len(yv), 0))
        lags = weights.lag(lag_source, n_periods) if chosen else lag_source
        lagged = list(chosen)
        lag_labels = [f"W*{c}" for c in chosen]
        if constant:
            if weights.row_stochastic:
                dropped.append({
                    "id": None, "period": None, "what": f"W*{CONST}",
                    "reason": "not estimated: every row of W sums to one, so W*const = const (as spatialreg)",
                })
            else:
                lags = np.column_stack([weights.lag(np.ones(len(yv)), n_periods), lags])
                lag_labels = [f"W*{CONST}", *lag_labels]
        X = np.column_stack([X, lags])
        labels += lag_labels
    X, labels, more = _identify(X, labels, yv, constant=constant, collinear=collinear, n_spatial=n_spatial)
    dropped += more
    lagged = [c for c in lagged if f"W*{c}" in labels]
    index = data.index if period is None else pd.MultiIndex.from_arrays(
        [data.index, [period] * len(data)], names=aligned.data.index.names
    )
    return Design(
        y=yv, X=X, names=tuple(labels), n_units=aligned.n_units, n_periods=n_periods, weights=weights,
        index=index, y_name=y_term.name, lagged=tuple(lagged), dropped=tuple(dropped),
    )


def check_panel(panel) -> None:
    from spatial.panel import SpatialPanel

    if not isinstance(panel, SpatialPanel):
        raise SchemaError(
            f"expected a spatial.SpatialPanel, got {type(panel).__name__}; build one with "
            "SpatialPanel(table, id=..., time=...) (time=None for a cross-section)"
        )


def _one_period(panel, period) -> pd.DataFrame:
    periods = list(panel.periods)
    match = [p for p in periods if p == period or str(p) == str(period).strip()]
    if not match:
        shown = f"{periods[0]}..{periods[-1]}" if len(periods) > 10 else first_items(periods)
        raise SchemaError(f"period {period!r} is not in the panel (periods: {shown})")
    return panel.cross_section(match[0])


def _independent_columns(X: np.ndarray, tol: float = 1e-8) -> tuple[list[int], list[int]]:
    """Columns in order: each is dependent if it lies in the span of the kept ones before it."""
    kept: list[int] = []
    dropped: list[int] = []
    basis = np.empty((X.shape[0], 0))
    for j in range(X.shape[1]):
        column = X[:, j]
        norm = np.linalg.norm(column)
        residual = column - basis @ (basis.T @ column) if basis.shape[1] else column
        residual = residual - basis @ (basis.T @ residual) if basis.shape[1] else residual  # reorthogonalise
        if norm == 0 or np.linalg.norm(residual) <= tol * norm:
            dropped.append(j)
            continue
        kept.append(j)
        basis = np.column_stack([basis, residual / np.linalg.norm(residual)])
    return kept, dropped


def _identify(X: np.ndarray, labels: list[str], y: np.ndarray, *, constant: bool, collinear: str, n_spatial: int):
    """Refuse (or, opted in, drop and report) constant and collinear regressors; check the sample size."""
    dropped: list[dict] = []
    if not np.all(np.isfinite(X)):
        bad = [labels[j] for j in range(X.shape[1]) if not np.all(np.isfinite(X[:, j]))]
        raise SchemaError(f"regressors with missing or infinite values: {first_items(bad)}")
    flat = [labels[j] for j in range(X.shape[1]) if labels[j] != CONST and np.ptp(X[:, j]) == 0]
    if flat and (constant or len(flat) > 1):
        if collinear == "error":
            raise IdentificationError(
                f"regressors without variation: {first_items(flat)}; they duplicate the constant"
                + (" (a W* lag of a regressor that is constant in the sample)"
                   if any(f.startswith("W*") for f in flat) else "")
                + f". Remove them, or pass {hint('drop_collinear', 'drop')} to drop and report them"
            )
        for name in flat:
            dropped.append({"id": None, "period": None, "what": name,
                            "reason": "dropped: no variation (duplicates the constant)"})
        keep = [j for j in range(X.shape[1]) if labels[j] not in flat]
        X, labels = X[:, keep], [labels[j] for j in keep]
    with serial_blas(len(X)):  # n x k products: threads only wait on a busy machine (spatial.linalg.threads)
        independent, dependent = _independent_columns(X)
    if dependent:
        described = []
        for j in dependent:
            coef = np.linalg.lstsq(X[:, independent], X[:, j], rcond=None)[0]
            parts = [labels[i] for i, c in zip(independent, coef, strict=True) if abs(c) > 1e-8]
            described.append(f"{labels[j]} = combination of {', '.join(parts) or '(nothing)'}")
        if collinear == "error":
            raise IdentificationError(
                f"collinear regressors: {'; '.join(described)}. Remove one of each set, or pass "
                f"{hint('drop_collinear', 'drop')} to drop the later ones and report them"
            )
        for j, text in zip(dependent, described, strict=True):
            dropped.append({"id": None, "period": None, "what": labels[j], "reason": f"dropped: collinear ({text})"})
        X, labels = X[:, independent], [labels[i] for i in independent]
    n_params = X.shape[1] + n_spatial + 1
    if len(y) <= n_params:
        raise IdentificationError(
            f"{len(y)} observations for {n_params} parameters ({X.shape[1]} coefficients, {n_spatial} spatial, "
            "sigma2): the model needs more observations than parameters"
        )
    return X, labels, dropped
