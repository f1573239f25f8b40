"""Getis-Ord Gi*: equal to esda's G_Local for binary weights, invariant to the transform (where
esda's z is not), Ord-Getis (1995) variance for general weights, seeded categories."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spatial import SpatialPanel
from spatial.esda import UndefinedStatisticError, hot_spots
from spatial.esda.hot_spot import gi_star, star_weights


def _y(panel, graph, variable, period):
    return panel.wide(variable).loc[[str(i) for i in graph.unique_ids], period].to_numpy()


def test_gi_star_equals_esda_for_binary_weights(us_panel, us_graph):
    import esda

    y = _y(us_panel, us_graph, "unemp", 1986)
    reference = esda.G_Local(y, us_graph.transform("B").assign_self_weight(1), transform="B", star=None,
                             permutations=0)
    result = hot_spots(us_panel, us_graph, "unemp", periods=1986, permutations=0, transform="b")
    np.testing.assert_allclose(result.table["G"], reference.Gs, rtol=1e-12)
    np.testing.assert_allclose(result.table["expected"], reference.EGs, rtol=1e-12)
    np.testing.assert_allclose(result.table["z"], reference.Zs, rtol=1e-10)


def test_z_does_not_depend_on_the_transform(us_panel, us_graph):
    tables = {t: hot_spots(us_panel, us_graph, "emp", periods=1975, permutations=0, transform=t).table
              for t in ("b", "r", "as_given")}
    np.testing.assert_allclose(tables["r"]["z"], tables["b"]["z"], rtol=1e-10)
    np.testing.assert_allclose(tables["as_given"]["z"], tables["b"]["z"], rtol=1e-10)
    assert not np.allclose(tables["r"]["G"], tables["b"]["G"])


def test_general_weights_use_the_ord_getis_variance(us_graph):
    rng = np.random.default_rng(2)
    decay = us_graph.transform("B")
    decay = type(decay).from_arrays(
        decay.adjacency.index.get_level_values(0), decay.adjacency.index.get_level_values(1),
        rng.uniform(0.2, 1.0, len(decay.adjacency)),
    )
    W = star_weights(decay, "as_given").sparse.toarray()
    y = rng.gamma(2.0, 3.0, W.shape[0])
    g, expected, variance, z = gi_star(y, W)
    n, mean = len(y), y.mean()
    s = np.sqrt((y**2).mean() - mean**2)
    wi, s1 = W.sum(1), (W**2).sum(1)
    direct = (W @ y - wi * mean) / (s * np.sqrt((n * s1 - wi**2) / (n - 1)))
    np.testing.assert_allclose(z, direct, rtol=1e-10)
    np.testing.assert_allclose(g, W @ y / y.sum(), rtol=1e-12)


def test_permutations_equal_esda_on_the_same_draws(us_panel, us_graph):
    from esda.crand import compute_chunk
    from esda.getisord import _g_local_star_crand

    from spatial.esda._permutation import conditional_simulation, neighbour_draws, split_self_weights

    y = _y(us_panel, us_graph, "unemp", 1980)
    star = star_weights(us_graph, "r").sparse
    off, self_weights = split_self_weights(star)
    observed = gi_star(y, star)[0]
    draws = neighbour_draws(len(y), int(np.diff(off.indptr).max()), 499, np.random.default_rng(3))
    _, sims = compute_chunk(0, y, y, observed, np.diff(off.indptr), self_weights, off.data, draws, y.sum(), True,
                            _g_local_star_crand, 0, alternative="directed")
    ours = conditional_simulation(y, off, observed,
                                  lambda rows, lags: (lags + (self_weights[rows] * y[rows])[:, None]) / y.sum(), draws)
    np.testing.assert_allclose(ours.mean, sims.mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(ours.std, sims.std(axis=1), rtol=1e-10)


def test_categories_levels_and_reproducibility(us_panel, us_graph):
    result = hot_spots(us_panel, us_graph, "unemp", periods=[1976, 1986], seed=6)
    again = hot_spots(us_panel, us_graph, "unemp", periods=[1976, 1986], seed=6)
    pd.testing.assert_frame_equal(result.table, again.table)
    table = result.table
    for level, limit in ((99, 0.01), (95, 0.05), (90, 0.10)):
        hot = table["category"] == f"hot spot {level}%"
        assert (table.loc[hot, "z"] > 0).all() and (table.loc[hot, "p_sim_two_sided"] <= limit).all()
    ns = table["category"] == "not significant"
    assert (table.loc[ns, "p_sim_two_sided"] > 0.10).all()
    assert (table["category"] != "not significant").any()
    normal = hot_spots(us_panel, us_graph, "unemp", periods=1986, permutations=0)
    assert normal.p_column == "p_norm"
    strong = normal.table["category"].str.endswith("99%")
    assert (normal.table.loc[strong, "z"].abs() > 2.5758).all()


def test_negative_values_are_refused(produc, us_states, us_graph):
    panel = SpatialPanel(produc.assign(change=pd.to_numeric(produc["unemp"]) - 6), id="fips", time="year",
                         geometry=us_states)
    with pytest.raises(UndefinedStatisticError, match=r"Gi\* needs non-negative values"):
        hot_spots(panel, us_graph, "change", periods=1986, permutations=0)
