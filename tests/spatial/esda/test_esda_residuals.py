"""Moran's I of regression residuals: spdep 1.2-7 lm.morantest (tests/reference/columbus)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spatial.errors import IdMismatchError, MissingDataError
from spatial.esda import moran_residuals


@pytest.fixture
def columbus_ols(columbus_frame):
    data = columbus_frame.set_index(columbus_frame["POLYID"].astype(str))
    X = pd.DataFrame({"const": 1.0, "INC": data["INC"], "HOVAL": data["HOVAL"]})
    beta = np.linalg.lstsq(X.to_numpy(), data["CRIME"].to_numpy(), rcond=None)[0]
    return data["CRIME"] - X @ beta, X


def test_matches_lm_morantest(columbus_ols, columbus_graph, columbus_ols_reference):
    residuals, X = columbus_ols
    ref = columbus_ols_reference["moran_residuals"]
    test = moran_residuals(residuals.sample(frac=1, random_state=3), columbus_graph,
                           exog=X.sample(frac=1, random_state=4))
    np.testing.assert_allclose([test.I, test.expected, test.variance, test.z, test.p_upper],
                               [ref["I"], ref["expectation"], ref["variance"], ref["z"], ref["p_value_greater"]],
                               rtol=1e-6)
    assert test.k == 3 and test.n == 49 and test.to_frame().shape == (1, 14)


def test_traces_equal_the_dense_formula(columbus_ols, columbus_graph):
    residuals, X = columbus_ols
    W = columbus_graph.transform("R").sparse.toarray()
    Xv = X.loc[[str(i) for i in columbus_graph.unique_ids]].to_numpy()
    n, k = Xv.shape
    M = np.eye(n) - Xv @ np.linalg.solve(Xv.T @ Xv, Xv.T)
    MW = M @ W
    expected = np.trace(MW) / (n - k)
    variance = (np.trace(MW @ M @ W.T) + np.trace(MW @ MW) + np.trace(MW) ** 2) / ((n - k) * (n - k + 2)) - expected**2
    test = moran_residuals(residuals, columbus_graph, exog=X)
    np.testing.assert_allclose([test.expected, test.variance], [expected, variance], rtol=1e-12)


def test_without_regressors_gives_moran_normality_moments(columbus_frame, columbus_graph):
    import esda

    y = columbus_frame.set_index(columbus_frame["POLYID"].astype(str))["CRIME"]
    test = moran_residuals(y - y.mean(), columbus_graph)
    reference = esda.Moran(y.loc[list(columbus_graph.unique_ids)].to_numpy(), columbus_graph, permutations=0)
    np.testing.assert_allclose([test.I, test.expected, test.variance], [reference.I, reference.EI, reference.VI_norm],
                               rtol=1e-10)


def test_permutations_and_errors(columbus_ols, columbus_graph):
    residuals, X = columbus_ols
    test = moran_residuals(residuals, columbus_graph, exog=X, permutations=199, seed=1)
    assert test.p_sim_upper >= 1 / 200 and test.seed == 1
    assert moran_residuals(residuals, columbus_graph, exog=X, permutations=199, seed=1) == test
    with pytest.raises(IdMismatchError, match=r"1 only in the residuals \('x'\), 1 only in the weights \('49'\)"):
        moran_residuals(residuals.rename({"49": "x"}), columbus_graph)
    with pytest.raises(MissingDataError, match="all residuals are missing"):
        moran_residuals(residuals * np.nan, columbus_graph)
    with pytest.raises(MissingDataError, match=r"1 residuals are missing \(units '3'\)"):
        moran_residuals(residuals.where(residuals.index != "3"), columbus_graph)
