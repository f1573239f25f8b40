"""Theil, Dagum Gini, CV, sigma convergence and kernel densities: decomposition identities, an
independent O(n^2) Dagum implementation written here, PySAL ``inequality`` as an oracle for the
Theil decomposition, closed-form special cases, and the China regions."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spatial import datasets
from spatial.indices import (
    china_region,
    coefficient_of_variation,
    dagum_gini,
    gini,
    kernel_density,
    sigma_convergence,
    theil,
)


def _panel(seed: int, n_groups: int = 4, per_group: int = 6, periods=(2000, 2001)) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for period in periods:
        for g in range(n_groups):
            for i in range(per_group):
                rows.append(
                    {
                        "id": f"{g}{i:02d}",
                        "year": period,
                        "group": f"g{g}",
                        "y": float(rng.lognormal(mean=g * 0.4, sigma=0.5)),
                        "pop": float(rng.uniform(1, 5)),
                    }
                )
    return pd.DataFrame(rows)


def _dagum_naive(y: np.ndarray, groups: np.ndarray) -> dict:
    """Dagum (1997) written out pair by pair, O(n^2), independent of the library's sorted sums."""
    n, mu = len(y), y.mean()
    total = sum(abs(a - b) for a in y for b in y) / (2 * n * n * mu)
    names = sorted(set(groups), key=lambda g: -y[groups == g].mean())
    part = {g: y[groups == g] for g in names}
    p = {g: len(part[g]) / n for g in names}
    s = {g: len(part[g]) * part[g].mean() / (n * mu) for g in names}
    g_w = 0.0
    for g in names:
        v = part[g]
        g_jj = sum(abs(a - b) for a in v for b in v) / (2 * v.mean() * len(v) ** 2)
        g_w += g_jj * p[g] * s[g]
    g_nb = g_t = 0.0
    for j, h in itertools.combinations(names, 2):  # j richer than h
        a, b = part[j], part[h]
        g_jh = sum(abs(x - z) for x in a for z in b) / (len(a) * len(b) * (a.mean() + b.mean()))
        d_jh = sum(max(x - z, 0) for x in a for z in b) / (len(a) * len(b))
        p_jh = sum(max(z - x, 0) for x in a for z in b) / (len(a) * len(b))
        affluence = (d_jh - p_jh) / (d_jh + p_jh) if d_jh + p_jh > 0 else 0.0
        g_nb += g_jh * (p[j] * s[h] + p[h] * s[j]) * affluence
        g_t += g_jh * (p[j] * s[h] + p[h] * s[j]) * (1 - affluence)
    return {"gini": total, "within": g_w, "between_net": g_nb, "transvariation": g_t}


def test_dagum_gini_against_the_naive_implementation():
    data = _panel(1)
    result = dagum_gini(data, "y", id="id", time="year", group="group")
    for period, block in data.groupby("year"):
        expected = _dagum_naive(block["y"].to_numpy(), block["group"].to_numpy())
        row = result.summary.set_index("year").loc[period]
        for key, value in expected.items():
            assert row[key] == pytest.approx(value, rel=1e-12), key
    assert set(result.between_groups.columns) >= {"group_1", "group_2", "gini", "affluence"}
    # richer group first, so the relative affluence D_jh is non-negative
    assert (result.between_groups["affluence"] >= 0).all()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(min_value=0.01, max_value=1e4), min_size=6, max_size=30), st.integers(2, 4))
def test_dagum_components_sum_to_the_total(values, k):
    y = np.asarray(values)
    groups = np.array([f"g{i % k}" for i in range(len(y))])
    data = pd.DataFrame({"id": [str(i) for i in range(len(y))], "y": y, "group": groups})
    row = dagum_gini(data, "y", id="id", group="group", singletons="allow").summary.iloc[0]
    assert row["within"] + row["between_net"] + row["transvariation"] == pytest.approx(row["gini"], rel=1e-9, abs=1e-12)
    assert row["gini"] == pytest.approx(_dagum_naive(y, groups)["gini"], rel=1e-9, abs=1e-12)


def test_plain_gini_equals_the_mean_difference_formula():
    rng = np.random.default_rng(2)
    y = rng.lognormal(size=50)
    mean_difference = np.abs(y[:, None] - y[None, :]).mean()
    assert gini(y) == pytest.approx(mean_difference / (2 * y.mean()), rel=1e-12)
    # closed form: one unit holds everything among n -> (n - 1) / n
    assert gini([0, 0, 0, 0, 10]) == pytest.approx(4 / 5)


def test_theil_decomposition_against_pysal_inequality():
    from inequality.theil import TheilD

    data = _panel(3)
    result = theil(data, "y", id="id", time="year", group="group")
    for period, block in data.groupby("year"):
        oracle = TheilD(block["y"].to_numpy(), block["group"].to_numpy())
        row = result.summary.set_index("year").loc[period]
        assert row["theil"] == pytest.approx(float(np.squeeze(oracle.T)), rel=1e-10)
        assert row["between"] == pytest.approx(float(np.squeeze(oracle.bg)), rel=1e-10)
        assert row["within"] == pytest.approx(float(np.squeeze(oracle.wg)), rel=1e-10)
        assert row["between"] + row["within"] == pytest.approx(row["theil"], rel=1e-12)


@pytest.mark.parametrize("kind", ["T", "L"])
def test_weighted_theil_formula_and_decomposition(kind):
    data = _panel(5)
    result = theil(data, "y", id="id", time="year", group="group", weight="pop", kind=kind)
    block = data[data["year"] == 2000]
    s = (block["pop"] * block["y"]) / (block["pop"] * block["y"]).sum()
    p = block["pop"] / block["pop"].sum()
    expected = (s * np.log(s / p)).sum() if kind == "T" else (p * np.log(p / s)).sum()
    row = result.summary.iloc[0]
    assert row["theil"] == pytest.approx(expected, rel=1e-12)
    assert row["between"] + row["within"] == pytest.approx(row["theil"], rel=1e-12)
    groups = result.groups[result.groups["year"] == 2000]
    assert groups["contribution"].sum() == pytest.approx(row["within"], rel=1e-12)
    assert groups["value_share"].sum() == pytest.approx(1.0)


def test_theil_of_equal_values_is_zero_and_handles_zeros():
    data = pd.DataFrame({"id": list("abcd"), "y": [3.0, 3.0, 3.0, 3.0]})
    assert theil(data, "y", id="id").summary["theil"].iloc[0] == pytest.approx(0.0, abs=1e-15)
    # Theil T with one zero: 0 ln 0 = 0; closed form ln(n / (n - 1)) for equal positive rest
    zero = pd.DataFrame({"id": list("abcd"), "y": [0.0, 2.0, 2.0, 2.0]})
    assert theil(zero, "y", id="id").summary["theil"].iloc[0] == pytest.approx(np.log(4 / 3), rel=1e-12)


def test_cv_and_sigma_convergence():
    data = _panel(6, periods=(2000, 2001, 2002))
    cv = coefficient_of_variation(data, "y", id="id", time="year", group="group")
    block = data[data["year"] == 2001]["y"]
    row = cv[(cv["year"] == 2001) & (cv["group"] == "all")].iloc[0]
    assert row["cv"] == pytest.approx(block.std(ddof=0) / block.mean(), rel=1e-12)
    weighted = coefficient_of_variation(data, "y", id="id", time="year", weight="pop")
    b = data[data["year"] == 2000]
    mean = np.average(b["y"], weights=b["pop"])
    williamson = np.sqrt(np.average((b["y"] - mean) ** 2, weights=b["pop"])) / mean
    assert weighted["cv"].iloc[0] == pytest.approx(williamson, rel=1e-12)

    sigma = sigma_convergence(data, "y", id="id", time="year", group="group")
    first = sigma.series[(sigma.series["year"] == 2000) & (sigma.series["group"] == "all")]["sigma"].iloc[0]
    assert first == pytest.approx(np.log(data[data["year"] == 2000]["y"]).std(ddof=0), rel=1e-12)
    assert set(sigma.trend["group"]) == {"all", "g0", "g1", "g2", "g3"}
    all_series = sigma.series[sigma.series["group"] == "all"]["sigma"].to_numpy()
    slope = np.polyfit([2000, 2001, 2002], all_series, 1)[0]
    assert sigma.trend.set_index("group").loc["all", "slope"] == pytest.approx(slope, rel=1e-9)


def test_kernel_density_integrates_to_one_and_records_the_bandwidth():
    produc = datasets.load("us_produc")
    kde = kernel_density(produc, "unemp", id="fips", time="year", periods=[1970, 1986])
    for period, curve in kde.curves.groupby("year"):
        assert np.trapezoid(curve["density"], curve["x"]) == pytest.approx(1.0, abs=1e-3)
        y = produc.loc[produc["year"].astype(int) == period, "unemp"].astype(float)
        scott = len(y) ** (-1 / 5) * y.std(ddof=1)
        assert kde.bandwidths.set_index("year").loc[period, "bandwidth"] == pytest.approx(scott, rel=1e-12)
    fixed = kernel_density(produc, "unemp", id="fips", time="year", periods=[1970], bandwidth=0.5)
    assert fixed.bandwidths["bandwidth"].iloc[0] == pytest.approx(0.5, rel=1e-12)


def test_china_regions_match_the_bundled_provinces():
    import geopandas as gpd

    provinces = gpd.read_parquet(datasets.data_dir() / "china" / "provinces.parquet")
    mainland = provinces[provinces["region"].notna()]
    assert len(mainland) == 31
    assert china_region(mainland["adcode"].astype(str)).tolist() == mainland["region"].tolist()
    assert china_region(mainland["name_zh"]).tolist() == mainland["region"].tolist()
    assert china_region(mainland["short_zh"]).tolist() == mainland["region"].tolist()
    counts = pd.Series(china_region(mainland["adcode"].astype(str))).value_counts().to_dict()
    assert counts == {"West": 12, "East": 10, "Central": 6, "Northeast": 3}


def test_china_region_grouping_in_theil():
    codes = ["110000", "310000", "140000", "340000", "510000", "520000", "210000", "220000"]
    data = pd.DataFrame({"adcode": codes, "gdp_pc": [19.0, 18.0, 7.0, 7.5, 6.5, 5.0, 6.8, 5.5]})
    result = theil(data, "gdp_pc", id="adcode", group="china_region")
    assert sorted(result.groups["group"]) == ["Central", "East", "Northeast", "West"]
    assert result.options["group"] == "china_region"
