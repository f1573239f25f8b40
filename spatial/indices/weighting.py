"""Weights of indicators: entropy, CRITIC, coefficient of variation, equal, and user-given.

Each method takes the normalised indicators (rows: observations, columns: indicators) and
returns a table with one row per indicator: the intermediate quantities of the method and the
``weight`` (summing to 1). Constant indicators get weight 0 under entropy, CRITIC and CV.

* entropy: ``p_ij = x_ij / sum_i x_ij``; ``e_j = -k sum_i p_ij ln p_ij`` with ``k = 1 / ln m``
  (m observations, ``0 ln 0 = 0``); ``d_j = 1 - e_j``; ``w_j = d_j / sum d``.
* CRITIC (Diakoulaki et al. 1995): ``C_j = sd_j * sum_k (1 - r_jk)``; ``w_j = C_j / sum C``;
  correlations are taken among the non-constant indicators.
* cv: ``v_j = sd_j / mean_j`` of the normalised values; ``w_j = v_j / sum v``.
* equal: ``1 / n``. user: the ``weight`` column of the indicator table, rescaled to sum 1.
"""

from __future__ import annotations


import numpy as np
import pandas as pd

from spatial.choices import WeightingOption
from spatial._options import check_option
from spatial.errors import SchemaError, first_items

__all__ = ["WeightingOption", "indicator_weights", "entropy_weights", "critic_weights", "cv_weights"]


def _constant(x: np.ndarray) -> np.ndarray:
    return np.ptp(x, axis=0) == 0


def entropy_proportions(x: pd.DataFrame) -> pd.DataFrame:
    """The proportions ``p_ij = x_ij / sum_i x_ij`` (a constant all-zero column gives ``1 / m``).

    Examples
    --------
    >>> import pandas as pd
    >>> entropy_proportions(pd.DataFrame({"a": [1.0, 3.0]}))["a"].tolist()
    [0.25, 0.75]
    """
    values = x.to_numpy(dtype=float)
    totals = values.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(totals > 0, values / totals, 1.0 / len(values))
    return pd.DataFrame(p, index=x.index, columns=x.columns)


def entropy_weights(x: pd.DataFrame) -> pd.DataFrame:
    """Entropy weights with their steps: ``entropy`` (e_j), ``redundancy`` (d_j = 1 - e_j), ``weight``.

    Raises
    ------
    SchemaError
        Negative normalised values (z-scores), fewer than 2 observations, all indicators constant.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"a": [0.0, 0.5, 1.0], "b": [0.0, 0.0, 1.0]})
    >>> entropy_weights(x).round(4)
      indicator  entropy  redundancy  weight
    0         a   0.5794      0.4206  0.2961
    1         b   0.0000      1.0000  0.7039
    """
    values = x.to_numpy(dtype=float)
    m = len(values)
    if m < 2:
        raise SchemaError("the entropy method needs at least 2 observations per indicator")
    if (values < 0).any():
        bad = first_items([c for c in x.columns if (x[c] < 0).any()], 5)
        raise SchemaError(
            f"the entropy method needs non-negative normalised values, but {bad} have negative ones "
            "(z-scores are negative below the mean): use normalize='minmax', or a shift larger than the "
            "most negative value"
        )
    p = entropy_proportions(x).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        plnp = np.where(p > 0, p * np.log(p), 0.0)
    entropy = 0.0 - plnp.sum(axis=0) / np.log(m)
    entropy[_constant(values)] = 1.0  # exactly, not 1 - rounding error
    redundancy = 1.0 - entropy
    return _table(x.columns, {"entropy": entropy, "redundancy": redundancy}, redundancy, "entropy")


def critic_weights(x: pd.DataFrame) -> pd.DataFrame:
    """CRITIC weights with their steps: ``sd``, ``conflict`` (sum of 1 - r), ``information``, ``weight``.

    Raises
    ------
    SchemaError
        Fewer than 2 observations or all indicators constant.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"a": [0.0, 0.5, 1.0], "b": [1.0, 0.0, 0.5], "c": [0.0, 1.0, 1.0]})
    >>> critic_weights(x)["weight"].round(4).tolist()
    [0.2235, 0.4605, 0.3159]
    """
    values = x.to_numpy(dtype=float)
    if len(values) < 2:
        raise SchemaError("the CRITIC method needs at least 2 observations per indicator")
    sd = values.std(axis=0, ddof=1)
    varying = ~_constant(values)
    conflict = np.zeros(values.shape[1])
    if varying.sum() > 1:
        r = np.corrcoef(values[:, varying], rowvar=False)
        conflict[varying] = (1.0 - r).sum(axis=0)
    elif varying.sum() == 1:
        conflict[varying] = 1.0  # a single informative indicator takes all the weight
    information = sd * conflict
    return _table(x.columns, {"sd": sd, "conflict": conflict, "information": information}, information, "CRITIC")


def cv_weights(x: pd.DataFrame) -> pd.DataFrame:
    """Coefficient-of-variation weights with their steps: ``mean``, ``sd``, ``cv``, ``weight``.

    Raises
    ------
    SchemaError
        A non-positive mean (z-scores have mean 0: use min-max), fewer than 2 observations.

    Examples
    --------
    >>> import pandas as pd
    >>> cv_weights(pd.DataFrame({"a": [1.0, 3.0], "b": [2.0, 2.0]}))["weight"].tolist()
    [1.0, 0.0]
    """
    values = x.to_numpy(dtype=float)
    if len(values) < 2:
        raise SchemaError("the CV method needs at least 2 observations per indicator")
    mean = values.mean(axis=0)
    sd = values.std(axis=0, ddof=1)
    varying = ~_constant(values)
    if (mean[varying] <= 0).any():
        bad = first_items([c for c, m, v in zip(x.columns, mean, varying, strict=True) if v and m <= 0])
        raise SchemaError(
            f"the CV method needs positive means of the normalised indicators, not so for {bad}; "
            "use normalize='minmax' (z-scores have mean 0)"
        )
    cv = np.where(varying, sd / np.where(mean == 0, 1.0, mean), 0.0)
    return _table(x.columns, {"mean": mean, "sd": sd, "cv": cv}, cv, "CV")


def _table(columns, steps: dict[str, np.ndarray], score: np.ndarray, method: str) -> pd.DataFrame:
    total = score.sum()
    if not total > 0:
        raise SchemaError(
            f"the {method} method cannot weight {first_items(list(columns))}: every indicator is constant "
            "(no variation to weight)"
        )
    return pd.DataFrame({"indicator": list(columns), **steps, "weight": score / total})


def indicator_weights(
    x: pd.DataFrame,
    method: WeightingOption = "entropy",
    *,
    given: pd.Series | None = None,
) -> pd.DataFrame:
    """Weights of the columns of ``x`` by ``method``; ``given`` holds the user weights for ``"user"``.

    Raises
    ------
    SchemaError
        An unknown method, user weights missing or summing to 0, and the errors of each method.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"a": [0.0, 1.0], "b": [1.0, 0.0]})
    >>> indicator_weights(x, "user", given=pd.Series({"a": 3.0, "b": 1.0}))
      indicator  given_weight  weight
    0         a           3.0    0.75
    1         b           1.0    0.25
    """
    check_option("weighting", method, WeightingOption)
    if method == "entropy":
        return entropy_weights(x)
    if method == "critic":
        return critic_weights(x)
    if method == "cv":
        return cv_weights(x)
    if method == "equal":
        n = x.shape[1]
        return pd.DataFrame({"indicator": list(x.columns), "weight": np.full(n, 1.0 / n)})
    if given is None or given.reindex(x.columns).isna().any():
        raise SchemaError(
            "weighting='user' needs a 'weight' column in the indicator table with a weight for every indicator"
        )
    values = given.reindex(x.columns).to_numpy(dtype=float)
    if not values.sum() > 0:
        raise SchemaError(f"the user weights of {first_items(list(x.columns))} sum to 0")
    return pd.DataFrame({"indicator": list(x.columns), "given_weight": values, "weight": values / values.sum()})
