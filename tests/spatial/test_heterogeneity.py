"""Group-difference tests of regional heterogeneity, checked against independent computations.

References: the Wald test across G independent estimates of one coefficient equals the weighted
dispersion sum_g (b_g - b_w)^2 / v_g with b_w the inverse-variance mean (a different formula from
the contrast form the module uses); the permutation test is re-implemented here with numpy least
squares on the same regroupings (OLS fitted by group equals lstsq on the group's rows).
"""

import numpy as np
import pandas as pd
import pytest
from libpysal.graph import Graph
from scipy import stats

from spatial import SpatialPanel, datasets
from spatial.errors import SchemaError, SpatialPanelError
from spatial.heterogeneity import group_labels, heterogeneity, wald_differences
from spatial.models import fit_by_group


@pytest.fixture(scope="module")
def produc():
    states = datasets.load("us48_states").set_index("fips")
    frame = datasets.load("us_produc")
    w = Graph.build_contiguity(states, rook=False).transform("r")
    side = {i: ("west" if states.geometry[i].centroid.x < -100 else
                "south" if states.geometry[i].centroid.y < 37 else "north") for i in states.index}
    return frame, w, side


def _panel(frame, rows=None):
    frame = frame if rows is None else frame.iloc[rows]
    return SpatialPanel(frame, id="fips", time="year")


def test_wald_equals_weighted_dispersion_per_coefficient(produc):
    frame, w, side = produc
    by = fit_by_group(_panel(frame), w, group=side, y="log(gsp)", x=["log(pcap)", "log(emp)"], model="sar",
                      fe="twoway", draws=0)
    wald, pairwise = wald_differences(by.results)
    for name in ["log(pcap)", "log(emp)", "rho"]:
        b = np.array([r.params[name] for r in by.results.values()])
        v = np.array([r.cov.loc[name, name] for r in by.results.values()])
        mean = (b / v).sum() / (1 / v).sum()
        expected = float(((b - mean) ** 2 / v).sum())
        assert wald.loc[name, "statistic"] == pytest.approx(expected, rel=1e-10)
        assert wald.loc[name, "df"] == 2
        assert wald.loc[name, "p_value"] == pytest.approx(stats.chi2.sf(expected, 2), rel=1e-10)
    assert wald.loc["joint", "df"] == 6
    row = pairwise[(pairwise.group_a == "north") & (pairwise.group_b == "south")
                   & (pairwise.coefficient == "rho")].iloc[0]
    a, b = by.results["north"], by.results["south"]
    se = np.sqrt(a.cov.loc["rho", "rho"] + b.cov.loc["rho", "rho"])
    assert row.difference == pytest.approx(a.params["rho"] - b.params["rho"], rel=1e-12)
    assert row.z == pytest.approx(row.difference / se, rel=1e-12)


def test_joint_wald_two_groups_is_the_quadratic_form(produc):
    frame, w, side = produc
    two = {i: "west" if g == "west" else "east" for i, g in side.items()}
    by = fit_by_group(_panel(frame), w, group=two, y="log(gsp)", x=["log(pcap)", "log(emp)"], model="sdm",
                      fe="unit", draws=0)
    wald, _ = wald_differences(by.results)
    names = [c for c in wald.index if c != "joint"]
    d = by.results["east"].params[names] - by.results["west"].params[names]
    v = by.results["east"].cov.loc[names, names] + by.results["west"].cov.loc[names, names]
    assert wald.loc["joint", "statistic"] == pytest.approx(float(d @ np.linalg.inv(v) @ d), rel=1e-9)
    assert wald.loc["joint", "df"] == len(names) == 5


def _lstsq_by_group(frame, mapping, group):
    rows = frame[frame["fips"].map(mapping) == group]
    design = np.column_stack([np.ones(len(rows)), np.log(rows["pcap"].astype(float))])
    return np.linalg.lstsq(design, np.log(rows["gsp"].astype(float)), rcond=None)[0]


def test_permutation_p_values_equal_an_independent_lstsq_implementation(produc):
    frame, w, side = produc
    two = {i: "west" if g == "west" else "east" for i, g in side.items()}
    het = heterogeneity(_panel(frame), w, by=two, y="log(gsp)", x=["log(pcap)"], model="ols",
                        coefficients=["log(pcap)"], permutations=49, seed=7)
    observed = _lstsq_by_group(frame, two, "east")[1] - _lstsq_by_group(frame, two, "west")[1]
    pooled = sorted(two)
    size_east = sum(1 for i in pooled if two[i] == "east")
    rng = np.random.default_rng(7)
    exceed = 0
    for _ in range(49):
        order = rng.permutation(len(pooled))
        mapping = {pooled[j]: ("east" if rank < size_east else "west") for rank, j in enumerate(order)}
        d = _lstsq_by_group(frame, mapping, "east")[1] - _lstsq_by_group(frame, mapping, "west")[1]
        exceed += abs(d) >= abs(observed) - 1e-12 * abs(observed)
    row = het.differences.pairwise.iloc[0]
    assert row.difference == pytest.approx(observed, rel=1e-8)
    assert row.permutation_p == pytest.approx((1 + exceed) / 50, abs=1e-12)
    assert row.permutations == 49


def test_permutation_p_values_do_not_depend_on_row_order(produc):
    frame, w, side = produc
    options = dict(by=side, y="log(gsp)", x=["log(pcap)", "log(emp)"], model="sar", fe="unit", draws=0,
                   permutations=9, seed=11)
    first = heterogeneity(_panel(frame), w, **options).differences.pairwise
    shuffled = np.random.default_rng(0).permutation(len(frame))
    second = heterogeneity(_panel(frame, shuffled), w, **options).differences.pairwise
    pd.testing.assert_frame_equal(first, second, rtol=1e-9)
    assert ((first.permutation_p >= 0.1) & (first.permutation_p <= 1)).all()


def test_china_presets_on_the_bundled_provinces():
    provinces = datasets.load("china_provinces")
    mainland = provinces[provinces["mainland"]]
    panel = SpatialPanel(mainland[["adcode", "name_zh"]].assign(year=2020, x=1.0), id="adcode", time="year",
                         geometry=mainland)
    assert group_labels(panel, "three_regions").value_counts().to_dict() == {"West": 12, "East": 11, "Central": 8}
    four = group_labels(panel, "four_regions")
    expected = mainland.set_index("adcode")["region"].reindex(four.index)
    assert (four == expected).all()  # the preset equals the region column of the bundled boundaries
    assert group_labels(panel, "north_south", language="zh").value_counts().to_dict() == {"南方": 16, "北方": 15}


def test_bad_requests_name_the_problem(produc):
    frame, w, side = produc
    with pytest.raises(SpatialPanelError, match="needs a seed"):
        heterogeneity(_panel(frame), w, by=side, y="log(gsp)", x=["log(pcap)"], model="ols", permutations=10)
    with pytest.raises(SchemaError, match="not estimated in every group"):
        heterogeneity(_panel(frame), w, by=side, y="log(gsp)", x=["log(pcap)"], model="ols",
                      coefficients=["log(emp)"])
    with pytest.raises(SchemaError, match="did you mean .three_regions"):
        heterogeneity(_panel(frame), w, by="three_region", y="log(gsp)", x=["log(pcap)"], model="ols")
