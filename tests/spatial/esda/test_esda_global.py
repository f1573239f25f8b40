"""Global Moran's I, Geary's C, Getis-Ord G and bivariate Moran by period.

References: spdep 1.2-7 (tests/reference/columbus/README.md) for Moran's I of CRIME; esda for the
statistics it computes; the analytical randomisation moments for the permutation engine (they are
the exact moments of the permutation distribution).
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from spatial import SpatialPanel
from spatial.esda import (
    PermutationWarning,
    UndefinedStatisticError,
    UndefinedStatisticWarning,
    geary,
    getis_ord,
    global_autocorrelation,
    moran,
    moran_bv,
)
from spatial.esda._input import rng_for


def _row(result, inference, statistic="moran_i"):
    table = result.table
    rows = table[(table["inference"] == inference) & (table["statistic"] == statistic)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_moran_matches_spdep(columbus_panel, columbus_graph, columbus_reference):
    ref = columbus_reference["global_moran"]
    result = moran(columbus_panel, columbus_graph, "CRIME", seed=20240601)
    for inference, key in (("normality", "normality"), ("randomisation", "randomisation")):
        row = _row(result, inference)
        np.testing.assert_allclose(row["value"], ref[key]["I"], rtol=1e-6)
        np.testing.assert_allclose(row["expected"], ref[key]["expectation"], rtol=1e-6)
        np.testing.assert_allclose(row["variance"], ref[key]["variance"], rtol=1e-6)
        np.testing.assert_allclose(row["z"], ref[key]["z"], rtol=1e-6)
        np.testing.assert_allclose(row["p_upper"], ref[key]["p_value_greater"], rtol=1e-6)
        assert row["p_two_sided"] == pytest.approx(2 * ref[key]["p_value_greater"], rel=1e-6)
    assert round(float(_row(result, "normality")["value"]), 6) == 0.500189
    assert round(float(_row(result, "normality")["z"]), 4) == 5.6303
    assert round(float(_row(result, "randomisation")["z"]), 4) == 5.5894
    # spdep's 999 permutations rank the observed I first: p = 1/(999+1), the floor.
    assert _row(result, "permutation")["p_upper"] == pytest.approx(ref["permutation"]["p_value_greater"])


def test_permutation_pvalue_floor_and_warning(columbus_panel, columbus_graph):
    with pytest.warns(PermutationWarning, match=r"1/\(49\+1\) = 0.02"):
        result = moran(columbus_panel, columbus_graph, "CRIME", permutations=49, seed=1)
    row = _row(result, "permutation")
    assert row["p_upper"] == pytest.approx(1 / 50)
    assert row["p_two_sided"] == pytest.approx(2 / 50)
    assert row["permutations"] == 49 and row["seed"] == 1


def test_same_seed_same_pvalues_and_global_state_untouched(us_panel, us_graph):
    np.random.seed(123)
    before = np.random.get_state()
    first = moran(us_panel, us_graph, ["gsp", "pc"], periods=[1975, 1980], seed=11)
    after = np.random.get_state()
    assert before[0] == after[0] and np.array_equal(before[1], after[1]) and before[2:] == after[2:]
    again = moran(us_panel, us_graph, ["gsp", "pc"], periods=[1975, 1980], seed=11)
    pd.testing.assert_frame_equal(first.table, again.table)
    other = moran(us_panel, us_graph, ["gsp", "pc"], periods=[1975, 1980], seed=12)
    sims = first.table["inference"] == "permutation"
    assert not np.allclose(first.table.loc[sims, "expected"], other.table.loc[sims, "expected"])
    # a variable's results do not depend on what else was in the call
    alone = moran(us_panel, us_graph, "pc", periods=1980, seed=11).table
    part = first.table[(first.table["variable"] == "pc") & (first.table["period"] == 1980)].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone, part)


def test_permutation_statistics_equal_esda_on_the_same_permutations(columbus_panel, columbus_graph):
    import esda

    from weights import reorder

    permutations = 199
    result = moran(columbus_panel, columbus_graph, "CRIME", permutations=permutations, seed=5)
    ids = sorted(str(i) for i in columbus_graph.unique_ids)  # draws follow the sorted ids (C3)
    graph = reorder(columbus_graph, ids)
    y = columbus_panel.wide("CRIME").loc[ids, 0].to_numpy()
    rng = rng_for(5, "moran_i", "CRIME", 0)  # the stream of this (statistic, variable, period)
    order = rng.permuted(np.broadcast_to(np.arange(len(y)), (permutations, len(y))), axis=1)
    sims = np.array([esda.Moran(y[o], graph, permutations=0).I for o in order])
    row = _row(result, "permutation")
    np.testing.assert_allclose(row["expected"], sims.mean(), rtol=1e-10)
    np.testing.assert_allclose(row["variance"], sims.var(), rtol=1e-10)
    assert row["p_upper"] == pytest.approx(((sims >= row["value"]).sum() + 1) / (permutations + 1))


@pytest.mark.parametrize("statistic", ["moran_i", "geary_c", "getis_ord_g"])
def test_permutation_moments_agree_with_randomisation_moments(us_panel, us_graph, statistic):
    # Under randomisation, E and Var are the exact moments of the permutation distribution.
    name = {"moran_i": "moran", "geary_c": "geary", "getis_ord_g": "getis_ord"}[statistic]
    permutations = 4999
    result = global_autocorrelation(us_panel, us_graph, "unemp", statistics=[name], periods=1980,
                                    permutations=permutations, seed=3)
    analytic = _row(result, "randomisation", statistic)
    simulated = _row(result, "permutation", statistic)
    assert abs(simulated["expected"] - analytic["expected"]) < 4 * np.sqrt(analytic["variance"] / permutations)
    assert simulated["variance"] == pytest.approx(analytic["variance"], rel=0.08)


def test_geary_and_general_g_equal_esda(us_panel, us_graph):
    import esda

    y = us_panel.wide("emp").loc[[str(i) for i in us_graph.unique_ids], 1986].to_numpy()
    c = esda.Geary(y, us_graph, permutations=0)
    g = esda.G(y, us_graph, permutations=0)
    row = _row(geary(us_panel, us_graph, "emp", periods=1986, permutations=0), "randomisation", "geary_c")
    np.testing.assert_allclose([row["value"], row["variance"], row["z"]], [c.C, c.VC_rand, c.z_rand], rtol=1e-10)
    norm = _row(geary(us_panel, us_graph, "emp", periods=1986, permutations=0), "normality", "geary_c")
    np.testing.assert_allclose([norm["variance"], norm["z"]], [c.VC_norm, c.z_norm], rtol=1e-10)
    row = _row(getis_ord(us_panel, us_graph, "emp", periods=1986, permutations=0), "randomisation", "getis_ord_g")
    np.testing.assert_allclose([row["value"], row["expected"], row["variance"], row["z"]],
                               [g.G, g.EG, g.VG, g.z_norm], rtol=1e-10)
    assert row["transform"] == "b"


def test_panel_periods_align_by_key_with_shuffled_rows_and_text_ids(produc, us_states, us_graph):
    import esda

    shuffled = produc.sample(frac=1, random_state=4).reset_index(drop=True)
    panel = SpatialPanel(shuffled, id="fips", time="year")  # no geometry: units in sorted id order
    assert list(panel.entities) != [str(i) for i in us_graph.unique_ids]
    result = moran(panel, us_graph, "unemp", periods=[1970, 1986], permutations=0)
    ids = [str(i) for i in us_graph.unique_ids]
    for period in (1970, 1986):
        rows = produc[pd.to_numeric(produc["year"]) == period].set_index("fips")
        expected = esda.Moran(pd.to_numeric(rows.loc[ids, "unemp"]).to_numpy(), us_graph, permutations=0)
        row = result.table[(result.table["period"] == period) & (result.table["inference"] == "randomisation")]
        np.testing.assert_allclose(row["value"], expected.I, rtol=1e-12)
        np.testing.assert_allclose(row["z"], expected.z_rand, rtol=1e-10)


def test_islands_are_left_out_and_counted(columbus_frame, columbus_graph):
    import esda
    from libpysal.graph import Graph

    extra = pd.concat([columbus_frame, columbus_frame.iloc[[0]].assign(POLYID=99, CRIME=80.0)], ignore_index=True)
    panel = SpatialPanel(extra, id="POLYID", variables=["CRIME"])
    adjacency = columbus_graph.adjacency
    graph = Graph.from_arrays(
        np.append(adjacency.index.get_level_values(0), "99"), np.append(adjacency.index.get_level_values(1), "99"),
        np.append(adjacency.to_numpy(), 0.0),
    )
    assert list(graph.isolates) == ["99"]
    result = moran(panel, graph, "CRIME", permutations=0)
    assert result.islands == ("99",) and set(result.table["n"]) == {49} and set(result.table["n_islands"]) == {1}
    y = columbus_frame.set_index(columbus_frame["POLYID"].astype(str)).loc[list(columbus_graph.unique_ids), "CRIME"]
    np.testing.assert_allclose(_row(result, "randomisation")["value"], esda.Moran(y.to_numpy(), columbus_graph).I,
                               rtol=1e-12)


def test_binary_transform_matches_esda(columbus_panel, columbus_graph):
    import esda

    y = columbus_panel.wide("CRIME").loc[[str(i) for i in columbus_graph.unique_ids], 0].to_numpy()
    expected = esda.Moran(y, columbus_graph, transformation="B", permutations=0)
    result = moran(columbus_panel, columbus_graph, "CRIME", permutations=0, transform="b")
    row = _row(result, "randomisation")
    np.testing.assert_allclose([row["value"], row["z"]], [expected.I, expected.z_rand], rtol=1e-10)
    assert result.transform == "b"


def test_bivariate_moran(us_panel, us_graph):
    import esda

    result = moran_bv(us_panel, us_graph, "unemp", "emp", periods=[1970, 1986], seed=9)
    ids = [str(i) for i in us_graph.unique_ids]
    for period in (1970, 1986):
        x = us_panel.wide("unemp").loc[ids, period].to_numpy()
        y = us_panel.wide("emp").loc[ids, period].to_numpy()
        row = result.table[result.table["period"] == period].iloc[0]
        np.testing.assert_allclose(row["value"], esda.Moran_BV(x, y, us_graph, permutations=0).I, rtol=1e-12)
        assert row["lag_variable"] == "emp" and row["inference"] == "permutation"
    with pytest.raises(ValueError, match="no analytical inference"):
        moran_bv(us_panel, us_graph, "unemp", "emp", permutations=0)


def test_constant_variable_error_keeps_the_others(produc, us_states, us_graph):
    data = produc.assign(flat=3.0)
    panel = SpatialPanel(data, id="fips", time="year", geometry=us_states)
    with pytest.raises(UndefinedStatisticError, match="'flat'.*constant") as caught:
        moran(panel, us_graph, ["gsp", "flat", "unemp"], periods=[1970, 1971], seed=2)
    partial = caught.value.partial
    assert set(partial.table["variable"]) == {"gsp", "unemp"}
    assert len(caught.value.failed) == 2 and set(caught.value.failed["variable"]) == {"flat"}
    alone = moran(panel, us_graph, ["gsp", "unemp"], periods=[1970, 1971], seed=2)
    pd.testing.assert_frame_equal(partial.table, alone.table)
    with pytest.warns(UndefinedStatisticWarning, match="flat"):
        recorded = moran(panel, us_graph, ["gsp", "flat"], periods=1970, seed=2, errors="record")
    assert list(recorded.failed["variable"]) == ["flat"] and set(recorded.table["variable"]) == {"gsp"}


def test_general_g_refuses_negative_values(produc, us_states, us_graph):
    data = produc.assign(change=pd.to_numeric(produc["unemp"]) - 6)
    panel = SpatialPanel(data, id="fips", time="year", geometry=us_states)
    with pytest.raises(UndefinedStatisticError, match="General G needs non-negative values"):
        getis_ord(panel, us_graph, "change", periods=1986, permutations=0)


def test_outputs_series_summary_json(us_panel, us_graph):
    result = global_autocorrelation(us_panel, us_graph, ["unemp", "gsp"], statistics=["moran", "geary"],
                                    periods=[1970, 1986], seed=1)
    series = result.series("moran_i")
    assert series.shape == (2, 2) and list(series.index) == [1970, 1986]
    text = result.summary()
    assert "Moran's I by period" in text and "Geary's C by period" in text and "***" in text
    data = json.loads(result.to_json())
    assert data["seed"] == 1 and data["permutations"] == 999 and len(data["statistics"]) == len(result.table)
    assert result.table["seed"].dtype == "Int64"


def test_permutations_need_a_seed(us_panel, us_graph):
    with pytest.raises(ValueError, match="needs seed="):
        moran(us_panel, us_graph, "gsp")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        moran(us_panel, us_graph, "gsp", periods=1970, permutations=0)  # no seed needed, no warning
