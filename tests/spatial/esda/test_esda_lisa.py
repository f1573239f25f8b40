"""Local Moran (LISA): spdep 1.2-7 reference (tests/reference/columbus), esda's conditional
randomisation on the same draws, clusters, multiple testing, islands, reproducibility."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from spatial import SpatialPanel
from spatial.esda import LocalMoran, PermutationWarning, local_moran
from spatial.esda._input import significant
from spatial.esda._permutation import conditional_simulation, folded_pvalue, neighbour_draws, split_self_weights


def _by_reference_order(result: LocalMoran, reference: dict) -> pd.DataFrame:
    return result.table.set_index("id").loc[[str(i) for i in reference["local_moran"]["ids"]]]


@pytest.mark.parametrize(("moments", "key"), [("conditional", "conditional_TRUE_default"),
                                              ("total", "conditional_FALSE_total_randomisation")])
def test_local_moran_matches_spdep(columbus_panel, columbus_graph, columbus_reference, moments, key):
    result = local_moran(columbus_panel, columbus_graph, "CRIME", permutations=0, moments=moments)
    table = _by_reference_order(result, columbus_reference)
    ref = columbus_reference["local_moran"][key]
    for column, name in (("I", "Ii"), ("expected", "E_Ii"), ("variance", "Var_Ii"), ("z", "Z_Ii"),
                         ("p_norm", "p_two_sided")):
        np.testing.assert_allclose(table[column].to_numpy(), ref[name], rtol=1e-6, err_msg=column)


def test_quadrants_match_spdep(columbus_panel, columbus_graph, columbus_reference):
    result = local_moran(columbus_panel, columbus_graph, "CRIME", permutations=0)
    names = {"HH": "High-High", "LL": "Low-Low", "LH": "Low-High", "HL": "High-Low"}
    quadrants = _by_reference_order(result, columbus_reference)["quadrant"].map(names).tolist()
    assert quadrants == columbus_reference["local_moran"]["quadrant_mean"]


def test_scale_convention_n_minus_1_is_esda(columbus_panel, columbus_graph, columbus_reference):
    import esda

    n = 49
    by_n = local_moran(columbus_panel, columbus_graph, "CRIME", permutations=0)
    by_n1 = local_moran(columbus_panel, columbus_graph, "CRIME", permutations=0, scale="n-1")
    y = columbus_panel.wide("CRIME").loc[[str(i) for i in columbus_graph.unique_ids], 0].to_numpy()
    np.testing.assert_allclose(by_n1.table["I"], esda.Moran_Local(y, columbus_graph, permutations=0).Is, rtol=1e-12)
    np.testing.assert_allclose(by_n.table["I"], by_n1.table["I"] * n / (n - 1), rtol=1e-12)
    np.testing.assert_allclose(by_n.table["z"], by_n1.table["z"], rtol=1e-12)
    # with row-standardised weights the n-scaled I_i average to the global I (spdep, GeoDa)
    ref = columbus_reference["global_moran"]["normality"]["I"]
    assert by_n.table["I"].mean() == pytest.approx(ref, rel=1e-10)


def test_conditional_randomisation_equals_esda_on_the_same_draws(columbus_graph, columbus_frame):
    from esda.crand import compute_chunk
    from esda.moran import _moran_local_crand

    graph = columbus_graph.transform("R")
    y = columbus_frame.set_index(columbus_frame["POLYID"].astype(str)).loc[list(graph.unique_ids), "CRIME"].to_numpy()
    z = (y - y.mean()) / y.std()
    n = len(z)
    off, self_weights = split_self_weights(graph.sparse)
    scaling = (n - 1) / (z @ z)
    observed = scaling * z * (off @ z)
    draws = neighbour_draws(n, int(np.diff(off.indptr).max()), 999, np.random.default_rng(5))
    _, sims = compute_chunk(0, z, z, observed, np.diff(off.indptr), self_weights, off.data, draws, scaling, True,
                            _moran_local_crand, 0, alternative="directed")
    ours = conditional_simulation(z, off, observed, lambda rows, lags: scaling * z[rows, None] * lags, draws)
    np.testing.assert_allclose(ours.mean, sims.mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(ours.std, sims.std(axis=1), rtol=1e-12)
    tol = 1e-10 * np.abs(observed)[:, None]
    n_upper = (sims >= observed[:, None] - tol).sum(axis=1)
    np.testing.assert_array_equal(folded_pvalue(ours.n_upper, 999), folded_pvalue(n_upper, 999))


def test_blocks_do_not_change_the_simulation(columbus_graph, columbus_frame, monkeypatch):
    from spatial.esda import _permutation

    graph = columbus_graph.transform("R")
    y = columbus_frame["CRIME"].to_numpy()
    off, _ = split_self_weights(graph.sparse)
    draws = neighbour_draws(len(y), int(np.diff(off.indptr).max()), 99, np.random.default_rng(1))
    whole = conditional_simulation(y, off, y, lambda rows, lags: lags, draws)
    monkeypatch.setattr(_permutation, "_BUDGET", 300)  # about 3 units per block
    blocked = conditional_simulation(y, off, y, lambda rows, lags: lags, draws)
    np.testing.assert_array_equal(whole.n_upper, blocked.n_upper)
    np.testing.assert_allclose(whole.mean, blocked.mean, rtol=1e-13)


def test_seeded_clusters_reproducible_and_floor(us_panel, us_graph):
    np.random.seed(1)
    state = np.random.get_state()[1].copy()
    first = local_moran(us_panel, us_graph, ["unemp", "gsp"], periods=[1970, 1986], seed=4)
    assert np.array_equal(np.random.get_state()[1], state)
    again = local_moran(us_panel, us_graph, ["unemp", "gsp"], periods=[1970, 1986], seed=4)
    pd.testing.assert_frame_equal(first.table, again.table)
    alone = local_moran(us_panel, us_graph, "gsp", periods=1986, seed=4).table
    part = first.table[(first.table["variable"] == "gsp") & (first.table["period"] == 1986)].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone, part)
    assert first.table["p_sim"].min() >= 1 / 1000
    assert set(first.table["seed"]) == {4} and set(first.table["permutations"]) == {999}
    with pytest.warns(PermutationWarning, match="smallest attainable pseudo p-value"):
        few = local_moran(us_panel, us_graph, "unemp", periods=1986, permutations=19, seed=1)
    assert few.table["p_sim"].min() >= 1 / 20


def test_cluster_labels_follow_significance_and_adjustments(us_panel, us_graph):
    results = {adjust: local_moran(us_panel, us_graph, "unemp", periods=1986, seed=8, adjust=adjust)
               for adjust in ("none", "fdr", "bonferroni")}
    counts = {a: int((r.table["cluster"] != "not significant").sum()) for a, r in results.items()}
    assert counts["bonferroni"] <= counts["fdr"] <= counts["none"] and counts["none"] > 0
    table = results["none"].table
    significant_rows = table["p_sim"] <= 0.05
    assert (table.loc[significant_rows, "cluster"] == table.loc[significant_rows, "quadrant"]).all()
    assert (table.loc[~significant_rows, "cluster"] == "not significant").all()
    assert results["bonferroni"].cutoffs["cutoff"].iloc[0] == pytest.approx(0.05 / 48)


def test_significance_helper_against_benjamini_hochberg_and_esda():
    import esda

    rng = np.random.default_rng(0)
    p = np.concatenate([rng.uniform(0, 0.01, 8), rng.uniform(0, 1, 40)])
    mask, cut = significant(p, 0.05, "fdr")
    ordered = np.sort(p)
    k = max(i for i in range(1, len(p) + 1) if ordered[i - 1] <= 0.05 * i / len(p))
    assert mask.sum() == k and cut == ordered[k - 1]
    assert mask.sum() == (p <= esda.fdr(p, 0.05)).sum()  # no ties here: the same decisions as esda
    assert significant(p, 0.05, "bonferroni")[0].sum() == (p <= 0.05 / len(p)).sum()
    with pytest.raises(ValueError, match="alpha must lie between 0 and 1"):
        significant(p, 1.5, "none")


def test_islands_labelled_not_counted_as_not_significant(columbus_frame, columbus_graph):
    import esda
    from libpysal.graph import Graph

    extra = pd.concat([columbus_frame, columbus_frame.iloc[[0]].assign(POLYID=99, CRIME=80.0)], ignore_index=True)
    panel = SpatialPanel(extra, id="POLYID", variables=["CRIME"])
    adjacency = columbus_graph.adjacency
    graph = Graph.from_arrays(
        np.append(adjacency.index.get_level_values(0), "99"), np.append(adjacency.index.get_level_values(1), "99"),
        np.append(adjacency.to_numpy(), 0.0),
    )
    result = local_moran(panel, graph, "CRIME", seed=2)
    island = result.table[result.table["id"] == "99"].iloc[0]
    assert island["cluster"] == "island" and island["quadrant"] == "island" and np.isnan(island["I"])
    assert island["value"] == 80.0
    assert result.counts().loc[(0, "CRIME"), "island"] == 1 and result.n_islands == 1
    rest = result.table[result.table["id"] != "99"]
    y = columbus_frame.set_index(columbus_frame["POLYID"].astype(str)).loc[list(columbus_graph.unique_ids), "CRIME"]
    np.testing.assert_allclose(rest["I"] * 48 / 49, esda.Moran_Local(y.to_numpy(), columbus_graph, permutations=0).Is,
                               rtol=1e-12)
    assert "1 islands labelled 'island'" in result.summary()


def test_outputs(us_panel, us_graph):
    result = local_moran(us_panel, us_graph, "unemp", periods=[1970, 1986], seed=1)
    assert len(result.table) == 96 and list(result.clusters(period=1986).index[:2]) == list(us_graph.unique_ids[:2])
    data = json.loads(result.to_json())
    assert data["settings"]["seed"] == 1 and len(data["local_moran"]) == 96
    with pytest.raises(ValueError, match="choose period="):
        result.clusters()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        local_moran(us_panel, us_graph, "unemp", periods=1986, permutations=0)
