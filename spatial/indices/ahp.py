"""Analytic hierarchy process (AHP) and combined subjective-objective weights.

AHP (Saaty 1977, 1980): a positive reciprocal pairwise comparison matrix ``A`` (``a_ij`` = how
much more important i is than j on the 1-9 scale, ``a_ji = 1 / a_ij``) gives the weights as its
principal eigenvector (or by the geometric or arithmetic mean of the rows), the largest eigenvalue
``lambda_max``, the consistency index ``CI = (lambda_max - n) / (n - 1)`` and the consistency
ratio ``CR = CI / RI(n)`` with Saaty's random index ``RI``. A matrix with ``CR > 0.1`` is refused
unless ``force=True`` (the result then says it was forced).

Combined weights of a subjective vector ``s`` (e.g. AHP) and an objective one ``o`` (entropy,
CRITIC):

* ``multiplicative``: ``w_j = s_j o_j / sum_k s_k o_k``;
* ``linear``: ``w_j = alpha s_j + (1 - alpha) o_j`` (``alpha`` the subjective share, 0.5 by default).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from spatial.choices import AHPMethod, CombineRule
from spatial._options import check_option
from spatial.errors import SchemaError, first_items
from spatial.hints import hint

__all__ = ["RANDOM_INDEX", "AHPResult", "ahp_weights", "combine_weights", "CombineRule", "AHPMethod"]

# Saaty's random consistency index RI(n), n = 1 .. 15, as tabulated in Saaty (1980) The Analytic Hierarchy
# Process; n <= 2 is always consistent.
RANDOM_INDEX = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
    11: 1.51,
    12: 1.48,
    13: 1.56,
    14: 1.57,
    15: 1.59,
}


@dataclass(frozen=True)
class AHPResult:
    """Weights of one pairwise comparison matrix with its consistency check.

    ``weights`` is a table (``indicator``, ``weight``); ``lambda_max``, ``ci``, ``ri``, ``cr``;
    ``consistent`` is ``cr <= threshold``; ``forced`` says an inconsistent matrix was accepted.
    """

    weights: pd.DataFrame
    lambda_max: float
    ci: float
    ri: float
    cr: float
    consistent: bool
    forced: bool
    method: str
    threshold: float

    def summary(self) -> pd.DataFrame:
        """One row: n, lambda_max, CI, RI, CR, the verdict and the method (the table papers print)."""
        return pd.DataFrame(
            {
                "n": [len(self.weights)],
                "lambda_max": [self.lambda_max],
                "CI": [self.ci],
                "RI": [self.ri],
                "CR": [self.cr],
                "consistent": [self.consistent],
                "forced": [self.forced],
                "method": [self.method],
                "threshold": [self.threshold],
            }
        )


def _matrix(matrix) -> tuple[np.ndarray, list[str]]:
    if isinstance(matrix, pd.DataFrame):
        labels = [str(c) for c in matrix.columns]
        if [str(i) for i in matrix.index] != labels:
            raise SchemaError(
                "the pairwise comparison matrix needs the same labels, in the same order, on its rows and columns; "
                f"rows {first_items([str(i) for i in matrix.index])}, columns {first_items(labels)}"
            )
        values = matrix.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    else:
        values = np.asarray(matrix, dtype=float)
        labels = [f"c{i + 1}" for i in range(values.shape[0])] if values.ndim == 2 else []
    if values.ndim != 2 or values.shape[0] != values.shape[1] or values.shape[0] < 1:
        raise SchemaError(f"the pairwise comparison matrix must be square, got shape {values.shape}")
    n = values.shape[0]
    if n > max(RANDOM_INDEX):
        raise SchemaError(f"Saaty's random index is tabulated up to n = {max(RANDOM_INDEX)}; split the {n} criteria")
    if not np.isfinite(values).all() or (values <= 0).any():
        bad = [f"({labels[i]}, {labels[j]})" for i, j in zip(*np.nonzero(~(np.isfinite(values) & (values > 0))))]
        raise SchemaError(f"pairwise comparisons must be positive numbers; bad cells {first_items(bad)}")
    if not np.allclose(np.diag(values), 1.0):
        raise SchemaError("the diagonal of a pairwise comparison matrix must be 1 (each criterion against itself)")
    off = ~np.isclose(values * values.T, 1.0, rtol=1e-3)
    if off.any():
        cells = [f"({labels[i]}, {labels[j]})" for i, j in zip(*np.nonzero(np.triu(off)))]
        raise SchemaError(
            f"the matrix is not reciprocal (a_ji must be 1 / a_ij) at {first_items(cells)}; "
            "enter the upper triangle and its reciprocals"
        )
    return values, labels


def ahp_weights(
    matrix: pd.DataFrame | np.ndarray,
    *,
    method: AHPMethod = "eigenvector",
    threshold: float = 0.1,
    force: bool = False,
) -> AHPResult:
    """AHP weights of a pairwise comparison matrix, with Saaty's consistency ratio.

    Parameters
    ----------
    matrix
        Square positive reciprocal matrix; a DataFrame with the criteria as its index and columns
        names the weights.
    method
        ``eigenvector`` (Saaty's principal eigenvector), ``geometric`` (normalised geometric row
        means) or ``arithmetic`` (mean of the column-normalised rows). ``lambda_max`` is always
        ``mean((A w) / w)`` of the chosen ``w`` (the eigenvalue itself for the eigenvector).
    threshold
        Largest acceptable CR (Saaty: 0.1).
    force
        Accept an inconsistent matrix (``CR > threshold``); the result records ``forced=True``.

    Raises
    ------
    SchemaError
        A matrix that is not square, not positive, without a unit diagonal or not reciprocal
        (naming the cells), or inconsistent (CR above the threshold, with the CR and the fix).

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]], index=list("xyz"), columns=list("xyz"))
    >>> r = ahp_weights(a)
    >>> r.weights["weight"].round(4).tolist(), round(r.cr, 4), r.consistent
    ([0.637, 0.2583, 0.1047], 0.0332, True)
    """
    check_option("method", method, AHPMethod)
    if not (np.isfinite(threshold) and threshold > 0):
        raise SchemaError(f"threshold must be a positive number (Saaty: 0.1), got {threshold!r}")
    a, labels = _matrix(matrix)
    n = len(a)
    if method == "eigenvector":
        values, vectors = np.linalg.eig(a)
        k = int(np.argmax(values.real))
        w = np.abs(vectors[:, k].real)
    elif method == "geometric":
        w = np.exp(np.log(a).mean(axis=1))
    else:
        w = (a / a.sum(axis=0)).mean(axis=1)
    w = w / w.sum()
    lam = float(np.mean((a @ w) / w))
    ci = (lam - n) / (n - 1) if n > 2 else 0.0
    ci = max(ci, 0.0) if abs(ci) < 1e-12 else ci
    ri = RANDOM_INDEX[n]
    cr = ci / ri if ri > 0 else 0.0
    consistent = cr <= threshold
    if not consistent and not force:
        raise SchemaError(
            f"the pairwise comparison matrix is inconsistent: CR = {cr:.4f} > {threshold:g} "
            f"(lambda_max = {lam:.4f}, CI = {ci:.4f}, RI({n}) = {ri}); revise the judgements "
            f"(the largest a_ik against a_ij a_jk first), or pass {hint('index.ahp.force', 'true')} to accept it"
        )
    table = pd.DataFrame({"indicator": labels, "weight": w})
    return AHPResult(table, lam, ci, ri, cr, consistent, not consistent, method, threshold)


def combine_weights(
    subjective: pd.Series,
    objective: pd.Series,
    *,
    rule: CombineRule = "multiplicative",
    alpha: float = 0.5,
) -> pd.DataFrame:
    """Combine subjective (e.g. AHP) and objective (entropy, CRITIC) weights of the same indicators.

    Both are rescaled to sum 1 first. Returns a table with ``indicator``, ``subjective_weight``,
    ``objective_weight``, ``weight`` and ``rule`` (the rule stated, with ``alpha`` for ``linear``).

    Raises
    ------
    SchemaError
        Indicators in one vector and not the other, negative weights, weights summing to 0,
        ``alpha`` outside [0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> s, o = pd.Series({"a": 0.6, "b": 0.4}), pd.Series({"a": 0.2, "b": 0.8})
    >>> combine_weights(s, o)["weight"].round(4).tolist()
    [0.2727, 0.7273]
    >>> combine_weights(s, o, rule="linear", alpha=0.5)["weight"].round(4).tolist()
    [0.4, 0.6]
    """
    check_option("rule", rule, CombineRule)
    if not (np.isfinite(alpha) and 0 <= alpha <= 1):
        raise SchemaError(f"alpha (the subjective share of the linear rule) must lie in [0, 1], got {alpha!r}")
    s, o = pd.Series(subjective, dtype=float), pd.Series(objective, dtype=float)
    s.index, o.index = s.index.map(str), o.index.map(str)
    only = sorted(set(s.index) ^ set(o.index))
    if only:
        raise SchemaError(
            f"subjective and objective weights must cover the same indicators; unmatched: {first_items(only)}"
        )
    o = o.reindex(s.index)
    for what, v in (("subjective", s), ("objective", o)):
        if v.isna().any() or (v < 0).any() or not v.sum() > 0:
            raise SchemaError(
                f"the {what} weights must be non-negative numbers with a positive sum, got {v.to_dict()}"
            )
    s, o = s / s.sum(), o / o.sum()
    if rule == "multiplicative":
        product = s * o
        if not product.sum() > 0:
            raise SchemaError("the multiplicative rule gives 0 for every indicator (no indicator has both weights > 0)")
        w, text = product / product.sum(), "multiplicative: w = s o / sum(s o)"
    else:
        w, text = alpha * s + (1 - alpha) * o, f"linear: w = {alpha:g} s + {1 - alpha:g} o"
    return pd.DataFrame(
        {
            "indicator": list(s.index),
            "subjective_weight": s.to_numpy(),
            "objective_weight": o.to_numpy(),
            "weight": w.to_numpy(),
            "rule": text,
        }
    )
