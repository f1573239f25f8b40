"""Moran's I of regression residuals, with the exact moments of Cliff and Ord (1981).

For OLS residuals e = M y, M = I - X (X'X)^-1 X', I = (n / S0) e'We / e'e has

    E[I]   = (n / S0) tr(MW) / (n - k)
    Var[I] = (n / S0)^2 [tr(MWMW') + tr(MWMW) + tr(MW)^2] / ((n - k)(n - k + 2)) - E[I]^2

under normal errors (spdep's ``lm.morantest``). The traces are computed from k x k products of
the sparse W with X, never from an n x n matrix. Without X the intercept alone is assumed, which
gives the usual moments of Moran's I under normality.

Islands stay in: the residuals belong to the whole sample, so their lag is zero (as with spdep's
``zero.policy=TRUE``); their number is reported.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse, special

from spatial._options import check_option
from spatial.errors import IdMismatchError, MissingDataError, SchemaError, SpatialPanelError, first_items
from spatial.esda._input import Transform, check_graph, check_permutations, rng_for
from spatial.esda._permutation import count_tails, permutation_distribution, tail_pvalues
from weights.errors import IslandWarning

__all__ = ["ResidualMoran", "moran_residuals"]


@dataclass(frozen=True)
class ResidualMoran:
    """Moran's I of residuals with its exact moments under normal errors.

    ``p_upper`` is the one-sided p-value for positive autocorrelation (spdep's default
    ``alternative="greater"``); ``p_two_sided`` twice the smaller tail. ``p_sim_upper`` and
    ``p_sim_two_sided`` come from permuting the residuals (``NaN`` without permutations).
    """

    I: float  # noqa: E741
    expected: float
    variance: float
    z: float
    p_upper: float
    p_two_sided: float
    n: int
    k: int
    n_islands: int
    transform: str
    permutations: int = 0
    seed: int | None = None
    p_sim_upper: float = float("nan")
    p_sim_two_sided: float = float("nan")

    def to_frame(self) -> pd.DataFrame:
        """One row with every field."""
        return pd.DataFrame([asdict(self)])


def _align_residuals(residuals: pd.Series, ids: list[str]) -> pd.Series:
    if not isinstance(residuals, pd.Series):
        raise SchemaError(
            f"residuals must be a pandas Series indexed by unit id, got {type(residuals).__name__}"
        )
    index = residuals.index.map(str)
    if index.has_duplicates:
        raise IdMismatchError(f"the residuals repeat ids: {first_items(index[index.duplicated()].tolist())}")
    mine, theirs = set(index), set(ids)
    if mine != theirs:
        raise IdMismatchError(
            f"residual and weights ids differ: {len(mine - theirs)} only in the residuals "
            f"({first_items(sorted(mine - theirs))}), {len(theirs - mine)} only in the weights "
            f"({first_items(sorted(theirs - mine))}); compute the residuals on the weights' units"
        )
    values = pd.Series(residuals.to_numpy(dtype="float64"), index=index).reindex(ids)
    missing = values.isna()
    if missing.all():
        raise MissingDataError("all residuals are missing; Moran's I is undefined")
    if missing.any():
        raise MissingDataError(
            f"{int(missing.sum())} residuals are missing (units {first_items(values.index[missing].tolist())}); "
            "Moran's I needs a residual for every unit of the weights"
        )
    if np.ptp(values.to_numpy()) == 0:
        raise SpatialPanelError("the residuals are constant; Moran's I is undefined")
    return values


def _exog(exog: Any, ids: list[str], n: int) -> np.ndarray:
    if exog is None:
        return np.ones((n, 1))
    if isinstance(exog, pd.DataFrame | pd.Series):
        frame = exog.to_frame() if isinstance(exog, pd.Series) else exog
        index = frame.index.map(str)
        if set(index) != set(ids) or index.has_duplicates:
            raise IdMismatchError(
                "the regressors' ids differ from the weights' ids "
                f"(only in the regressors: {first_items(sorted(set(index) - set(ids)))}; only in the weights: "
                f"{first_items(sorted(set(ids) - set(index)))})"
            )
        values = frame.set_axis(index).reindex(ids).to_numpy(dtype="float64")
    else:
        values = np.asarray(exog, dtype="float64")
        if values.ndim == 1:
            values = values[:, None]
        if values.shape[0] != n:
            raise SchemaError(f"exog has {values.shape[0]} rows for {n} residuals")
    if not np.isfinite(values).all():
        raise MissingDataError("the regressors contain missing or infinite values")
    return values


def moran_residuals(
    residuals: pd.Series,
    w: Any,
    *,
    exog: Any = None,
    permutations: int = 0,
    seed: int | None = None,
    transform: Transform = "r",
) -> ResidualMoran:
    """Moran's I of regression residuals with exact moments (the test after estimation).

    Parameters
    ----------
    residuals
        Residuals indexed by unit id (aligned to the weights by key).
    w
        Spatial weights (libpysal ``Graph``) keyed by the same ids.
    exog
        The regressors X, including the constant, as a frame indexed by id (or an array in the
        order of ``residuals``). ``None``: the constant only.
    permutations, seed
        Optional permutation p-values (seed required with permutations).
    transform
        ``"r"`` (default), ``"b"`` or ``"as_given"``.

    Raises
    ------
    IdMismatchError
        When the ids of the residuals (or of ``exog``) and the weights differ.
    MissingDataError
        When residuals are missing.
    SpatialPanelError
        Constant residuals; permutations without a seed.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from libpysal.graph import Graph
    >>> from spatial import datasets
    >>> from spatial.esda import moran_residuals
    >>> states = datasets.load("us48_states")
    >>> w = Graph.build_contiguity(states.set_index("fips"), rook=False)
    >>> produc = datasets.load("us_produc")
    >>> data = produc[produc["year"] == "1986"].set_index("fips")[["gsp", "emp"]].astype(float)
    >>> X = pd.DataFrame({"const": 1.0, "log_emp": np.log(data["emp"])})
    >>> beta = np.linalg.lstsq(X.to_numpy(), np.log(data["gsp"]).to_numpy(), rcond=None)[0]
    >>> test = moran_residuals(np.log(data["gsp"]) - X @ beta, w, exog=X)
    >>> round(test.I, 4), round(test.z, 3)
    (0.1451, 1.782)
    """
    check_option("transform", transform, Transform)
    permutations = check_permutations(permutations, seed)
    graph = check_graph(w)
    ids = [str(i) for i in graph.unique_ids]
    e = _align_residuals(residuals, ids).to_numpy()
    n = len(e)
    X = _exog(exog, ids, n)
    k = X.shape[1]
    if n - k < 3:
        raise SchemaError(f"{n} units and {k} regressors: Moran's I of residuals needs n - k >= 3")
    if transform != "as_given":
        graph = graph.transform(transform.upper())
    n_islands = len(graph.isolates)
    if n_islands:
        warnings.warn(
            f"{n_islands} islands stay in the residual Moran test with a zero spatial lag "
            f"({first_items([str(i) for i in graph.isolates])})",
            IslandWarning,
            stacklevel=2,
        )
    W = sparse.csr_matrix(graph.sparse)
    s0 = W.sum()
    value = n / s0 * (e @ (W @ e)) / (e @ e)
    expected, variance = _moments(W, X, n, k, s0)
    z = (value - expected) / np.sqrt(variance)
    upper = float(special.ndtr(-z))
    result = {
        "I": float(value), "expected": float(expected), "variance": float(variance), "z": float(z),
        "p_upper": upper, "p_two_sided": min(1.0, 2 * min(upper, float(special.ndtr(z)))),
        "n": n, "k": k, "n_islands": n_islands,
        "transform": transform if transform != "as_given" else f"as_given ({graph.transformation})",
    }
    if permutations:
        scale = n / s0 / (e @ e)
        simulated = permutation_distribution(
            e, lambda Z: scale * np.einsum("ij,ij->j", Z, W @ Z), permutations, rng_for(seed, "moran_residuals")
        )
        p_upper, _, p_two = tail_pvalues(*count_tails(simulated, value), permutations)
        result.update(permutations=permutations, seed=seed, p_sim_upper=float(p_upper), p_sim_two_sided=float(p_two))
    return ResidualMoran(**result)


def _moments(W: sparse.csr_matrix, X: np.ndarray, n: int, k: int, s0: float) -> tuple[float, float]:
    """E[I] and Var[I] of Moran's I of OLS residuals, from k x k products only."""
    A = np.linalg.inv(X.T @ X)
    WX = W @ X
    WtX = W.T @ X
    B = X.T @ WX  # X'WX
    tr_w = W.diagonal().sum()
    tr_mw = tr_w - np.trace(A @ B)
    tr_wwt = W.multiply(W).sum()
    tr_ww = W.multiply(W.T).sum()
    tr_mwmwt = tr_wwt - np.trace(A @ (WtX.T @ WtX)) - np.trace(A @ (WX.T @ WX)) + np.trace(A @ B @ A @ B.T)
    tr_mwmw = tr_ww - 2 * np.trace(A @ (WtX.T @ WX)) + np.trace(A @ B @ A @ B)
    factor = n / s0
    expected = factor * tr_mw / (n - k)
    variance = factor**2 * (tr_mwmwt + tr_mwmw + tr_mw**2) / ((n - k) * (n - k + 2)) - expected**2
    return expected, variance
