"""Geographical detector: gdverse's published unit test, the PyPI ``geodetector`` package as an
oracle, a hand-worked q, and the interaction, risk and ecological detectors against formulas."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from spatial import datasets
from spatial.errors import SchemaError
from spatial.indices import factor_q, geodetector

REFERENCE = Path(__file__).resolve().parents[2] / "reference" / "geodetector_gdverse"


def test_gdverse_factor_detector_reference():
    case = json.loads((REFERENCE / "gdverse_factor_detector.json").read_text(encoding="utf-8"))
    result = factor_q(case["y"], case["x"], singletons="drop")
    assert round(result["q"], case["rounding"]) == case["q"]
    assert round(result["p_value"], case["rounding"]) == case["p_value"]
    assert result["singleton_strata"] == 1


def test_hand_worked_q():
    # y = 1..6 in strata {1,2,3} and {4,5,6}: SST = 17.5, SSW = 2 + 2 = 4, q = 1 - 4 / 17.5
    result = factor_q([1, 2, 3, 4, 5, 6], ["a", "a", "a", "b", "b", "b"])
    assert result["q"] == pytest.approx(1 - 4 / 17.5, rel=1e-14)
    assert result["F"] == pytest.approx((6 - 2) / (2 - 1) * (1 - 4 / 17.5) / (4 / 17.5), rel=1e-14)
    # noncentrality: (2^2 + 5^2 - (sqrt(3) 2 + sqrt(3) 5)^2 / 6) / (17.5 / 6)
    lam = (4 + 25 - (np.sqrt(3) * 7) ** 2 / 6) / (17.5 / 6)
    assert result["noncentrality"] == pytest.approx(lam, rel=1e-12)
    assert result["p_value"] == pytest.approx(stats.ncf.sf(result["F"], 1, 4, lam), rel=1e-12)


def test_against_the_pypi_geodetector_package():
    from geodetector._stats import q_significance_test, q_statistic

    rng = np.random.default_rng(8)
    for trial in range(5):
        n = 60
        strata = rng.integers(0, 4 + trial, size=n)
        y = strata * rng.uniform(0.2, 1.0) + rng.normal(size=n)
        ours = factor_q(y, strata, singletons="drop")
        assert ours["q"] == pytest.approx(q_statistic(y, strata), rel=1e-12)
        assert ours["p_value"] == pytest.approx(q_significance_test(y, strata), rel=1e-8, abs=1e-14)


def _toy() -> pd.DataFrame:
    rng = np.random.default_rng(21)
    n = 80
    x1 = rng.uniform(0, 10, size=n)
    x2 = rng.choice(["north", "south", "west"], size=n)
    y = 0.5 * x1 + np.where(x2 == "north", 3.0, 0.0) + rng.normal(scale=1.0, size=n)
    return pd.DataFrame(
        {"id": [f"u{i:03d}" for i in range(n)], "y": y, "x1": x1, "x2": x2, "noise": rng.normal(size=n)}
    )


def test_detectors_against_formulas():
    data = _toy()
    gd = geodetector(data, "y", ["x1", "x2", "noise"], id="id", k=4)
    factor = gd.factor.set_index("factor")
    assert factor["q"].between(0, 1).all()
    assert factor.loc["x1", "strata_from"] == "quantile (k=4)"
    assert factor.loc["x2", "strata_from"] == "categories"
    strata = gd.strata
    for f in ("x1", "x2", "noise"):
        assert factor.loc[f, "q"] == pytest.approx(factor_q(data["y"], strata[f])["q"], rel=1e-12)
    # interaction: q of the overlay
    overlay = strata["x1"].astype(str) + "|" + strata["x2"].astype(str)
    pair = gd.interaction.set_index(["factor_1", "factor_2"]).loc[("x1", "x2")]
    assert pair["q_12"] == pytest.approx(factor_q(data["y"], overlay)["q"], rel=1e-12)
    assert pair["q_12"] >= max(pair["q_1"], pair["q_2"])
    assert pair["label_zh"] in {"双因子增强", "非线性增强"}
    # risk: Welch t-test between two strata
    risk = gd.risk[(gd.risk["factor"] == "x2")].set_index(["stratum_1", "stratum_2"]).loc[("north", "south")]
    a = data.loc[data["x2"] == "north", "y"]
    b = data.loc[data["x2"] == "south", "y"]
    test = stats.ttest_ind(a, b, equal_var=False)
    assert risk["t"] == pytest.approx(test.statistic, rel=1e-12)
    assert risk["p_value"] == pytest.approx(test.pvalue, rel=1e-12)
    # ecological: F = (1 - q1) / (1 - q2) with N - 1, N - 1 degrees of freedom (no strata dropped)
    eco = gd.ecological.set_index(["factor_1", "factor_2"]).loc[("x1", "noise")]
    f_stat = (1 - factor.loc["x1", "q"]) / (1 - factor.loc["noise", "q"])
    assert eco["F"] == pytest.approx(f_stat, rel=1e-12)
    assert eco["p_value"] == pytest.approx(stats.f.sf(f_stat, 79, 79), rel=1e-12)
    means = gd.risk_means[gd.risk_means["factor"] == "x1"]
    assert means["n"].sum() == 80 and {"lower", "upper"} <= set(means.columns)


@pytest.mark.filterwarnings("ignore:Numba not installed:UserWarning")
def test_discretisation_choices_are_recorded():
    data = _toy()
    jenks = geodetector(data, "y", ["x1"], id="id", discretize="natural_breaks", k=3)
    assert jenks.factor["strata_from"].iloc[0] == "natural_breaks (k=3)"
    import mapclassify

    assert jenks.factor["breaks"].iloc[0] == ", ".join(
        f"{b:.6g}" for b in mapclassify.FisherJenks(data["x1"], k=3).bins
    )
    coded = geodetector(data.assign(code=np.arange(80) % 3), "y", ["code"], id="id", k=5)
    assert coded.factor["strata_from"].iloc[0].startswith("categories (3 distinct values")
    assert jenks.options["discretize"] == {"x1": "natural_breaks"}


def test_singleton_policies():
    y = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    x = ["x", "y", "y", "y", "z", "z", "z"]
    keep = factor_q(y, x, singletons="keep")
    drop = factor_q(y, x, singletons="drop")
    assert keep["q"] == pytest.approx(1 - 4 / 28, rel=1e-14)  # the singleton counts with variance 0
    assert drop["q"] == pytest.approx(1 - 4 / 17.5, rel=1e-14)
    with pytest.raises(SchemaError, match="single observation.*'x'"):
        factor_q(y, x, singletons="error")


def test_panel_period_selection():
    produc = datasets.load("us_produc")
    gd = geodetector(produc, "unemp", ["pcap", "region"], id="fips", time="year", period=1986, categorical=["region"])
    assert gd.factor["n"].tolist() == [48, 48]
    assert gd.options["period"] == 1986
    pooled = geodetector(produc, "unemp", ["region"], id="fips", time="year", categorical=["region"])
    assert pooled.factor["n"].iloc[0] == 816 and pooled.options["period"] == "all periods pooled"
