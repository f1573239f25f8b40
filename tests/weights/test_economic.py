"""Economic distance, nested economic-geographic and mixed weights, against hand and dense computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from tests.weights.helpers import edges_of
from weights import (
    WeightsError,
    economic_distance,
    inverse_distance,
    mixed,
    nested,
    period_means,
    row_standardize,
)
from weights._graph import graph_from_sparse, matrix_of

# per-capita GDP of three units over three years; means 10, 12, 16 over 2010-2012
WIDE = pd.DataFrame({2010: [9.0, 11.0, 15.0], 2011: [10.0, 12.0, 16.0], 2012: [11.0, 13.0, 17.0]},
                    index=pd.Index(["010", "020", "030"], name="code"))


def _long(wide: pd.DataFrame) -> pd.DataFrame:
    return wide.rename_axis(columns="year").stack().rename("gdp_pc").reset_index()


def test_economic_distance_by_hand():
    w = economic_distance(WIDE)
    expected = {("010", "020"): 1 / 2, ("010", "030"): 1 / 6, ("020", "030"): 1 / 4}
    for (i, j), value in expected.items():
        assert w.adjacency[(i, j)] == pytest.approx(value, rel=1e-15)
        assert w.adjacency[(j, i)] == pytest.approx(value, rel=1e-15)
    row = row_standardize(w)  # row 010: (1/2, 1/6) / (2/3)
    assert row.adjacency[("010", "020")] == pytest.approx(0.75, rel=1e-15)
    assert row.adjacency[("010", "030")] == pytest.approx(0.25, rel=1e-15)


def test_long_wide_and_series_inputs_agree_and_periods_are_chosen():
    long = _long(WIDE).sample(frac=1, random_state=4)  # shuffled rows
    from_long = economic_distance(long, id="code", time="year", variable="gdp_pc")
    assert from_long.adjacency.sort_index().equals(economic_distance(WIDE).adjacency.sort_index())
    assert period_means(long, id="code", time="year", variable="gdp_pc", periods=[2012]).to_dict() == \
        {"010": 11.0, "020": 13.0, "030": 17.0}
    assert period_means(WIDE, periods=slice(2011, 2012)).tolist() == [10.5, 12.5, 16.5]
    series = pd.Series([10.0, 12.0, 16.0], index=["010", "020", "030"])
    assert economic_distance(series).adjacency.equals(economic_distance(WIDE).adjacency)


def test_equal_means_are_an_error_or_an_explicit_choice():
    tied = WIDE.copy()
    tied.loc["030"] = tied.loc["020"]
    with pytest.raises(WeightsError, match=r"'020=030'.*ties='drop'"):
        economic_distance(tied)
    w = economic_distance(tied, ties="drop")
    assert ("020", "030") not in edges_of(w) and ("010", "030") in edges_of(w)


def test_all_equal_values_are_refused():
    flat = pd.Series([5.0, 5.0, 5.0], index=["a", "b", "c"], name="gdp_pc")
    with pytest.raises(WeightsError, match="all 3 units have the same mean"):
        economic_distance(flat, ties="drop")


def test_missing_values_are_named_not_skipped():
    gappy = WIDE.copy()
    gappy.loc["020", 2011] = np.nan
    with pytest.raises(WeightsError, match="020/2011"):
        economic_distance(gappy)
    assert economic_distance(gappy, periods=[2010, 2012]).n_edges == 6  # a period without the gap


def test_unknown_periods_are_listed():
    with pytest.raises(WeightsError, match="periods 1999"):
        period_means(WIDE, periods=[1999])


def test_nested_equals_the_explicit_dense_formula(capitals):
    ids = capitals["province_adcode"].tolist()
    rng = np.random.default_rng(3)
    panel = pd.DataFrame(rng.lognormal(10, 0.6, size=(len(ids), 5)), index=ids, columns=range(2015, 2020))
    wd = inverse_distance(capitals, id="province_adcode", xy=("lon", "lat"), metric="haversine", alpha=2)
    we = nested(wd, panel)
    # W_e = W_d diag(Ybar_i / Ybar), Ybar_i over periods, Ybar over all units and periods
    dense_wd = matrix_of(wd).toarray()
    expected = dense_wd @ np.diag(panel.mean(axis=1).to_numpy() / panel.to_numpy().mean())
    assert_allclose(matrix_of(we).toarray(), expected, rtol=1e-14, atol=0)
    shuffled = nested(wd, panel.sample(frac=1, random_state=2))  # values aligned by id, not by row
    assert shuffled.adjacency.equals(we.adjacency)


def test_nested_checks_ids_and_signs():
    wd = graph_from_sparse(np.array([[0, 1.0], [1.0, 0]]), ["a", "b"])
    with pytest.raises(WeightsError, match="1 only in the values .*'c'"):
        nested(wd, pd.Series([1.0, 2.0], index=["a", "c"]))
    with pytest.raises(WeightsError, match="positive values"):
        nested(wd, pd.Series([1.0, -2.0], index=["a", "b"]))


def test_mixed_weights_by_hand():
    geo = graph_from_sparse(np.array([[0, 1.0, 0], [0.5, 0, 0.5], [0, 1.0, 0]]), ["a", "b", "c"])
    econ = graph_from_sparse(np.array([[0, 0.2, 0.8], [0.6, 0, 0.4], [0.3, 0.7, 0]]), ["a", "b", "c"])
    w = mixed(geo, econ, phi=0.4)
    expected = 0.4 * matrix_of(geo).toarray() + 0.6 * matrix_of(econ).toarray()
    assert_allclose(matrix_of(w).toarray(), expected, rtol=1e-15)
    with pytest.raises(WeightsError, match="phi"):
        mixed(geo, econ, phi=1.5)
