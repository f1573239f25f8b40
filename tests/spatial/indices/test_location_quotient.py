"""Location quotients against the formula, with and without unit totals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spatial.errors import SchemaError
from spatial.indices import location_quotient


def test_location_quotient_formula_and_classes():
    data = pd.DataFrame(
        {
            "city": ["a", "b", "c"] * 2,
            "year": [2010] * 3 + [2020] * 3,
            "steel": [30.0, 10.0, 5.0, 20.0, 20.0, 20.0],
            "services": [70.0, 90.0, 45.0, 80.0, 80.0, 80.0],
            "workers": [120.0, 100.0, 50.0, 100.0, 100.0, 100.0],
        }
    )
    lq = location_quotient(data, ["steel", "services"], id="city", time="year", total="workers")
    row = lq[(lq["year"] == 2010) & (lq["city"] == "a") & (lq["industry"] == "steel")].iloc[0]
    assert row["lq"] == pytest.approx((30 / 120) / (45 / 270), rel=1e-14)
    assert row["class"] == "cluster" and row["class_zh"] == "产业集聚"
    assert np.allclose(lq[lq["year"] == 2020]["lq"], 1.0)
    assert (lq[lq["year"] == 2020]["class"] == "not_specialised").all()
    summed = location_quotient(data, ["steel", "services"], id="city", time="year")
    row = summed[(summed["year"] == 2010) & (summed["city"] == "a") & (summed["industry"] == "steel")].iloc[0]
    assert row["lq"] == pytest.approx((30 / 100) / (45 / 250), rel=1e-14)


def test_location_quotient_refuses_totals_below_the_industries():
    data = pd.DataFrame({"city": ["a", "b"], "steel": [30.0, 10.0], "services": [70.0, 90.0], "all": [50.0, 100.0]})
    with pytest.raises(SchemaError, match=r"smaller than the sum of the industries at .a.$"):
        location_quotient(data, ["steel", "services"], id="city", total="all")


def test_location_quotient_variants_by_hand():
    # LQ of steel: a 1.5, b 0.5 (reference share 0.2); mean 1.0 -> [0.5, 2] maps onto [50, 100]
    data = pd.DataFrame({"city": ["a", "b"], "steel": [30.0, 10.0], "services": [70.0, 90.0]})
    lq = location_quotient(data, ["steel", "services"], id="city", basis="output", exponent=0.5, score=(50, 100))
    steel = lq[lq["industry"] == "steel"].set_index("city")
    assert steel.loc["a", "lq_adjusted"] == pytest.approx(1.5**0.5, rel=1e-14)
    assert steel.loc["a", "score"] == pytest.approx(50 + (1.5 - 0.5) / 1.5 * 50, rel=1e-14)
    assert steel.loc["b", "score"] == pytest.approx(50.0)  # at m/2: the bottom of the range
    assert (lq["basis"] == "output").all() and lq["score_rule"].str.startswith("linear: [m/2, 2m] -> [50, 100]").all()
    anchored = location_quotient(data, ["steel"], id="city", total=None, score=(0, 1), score_anchor="one")
    # only one industry: every LQ is 1 -> the score of m = 1 is (1 - 0.5) / 1.5
    assert np.allclose(anchored["score"], 1 / 3)


def test_location_quotient_variant_options_are_checked():
    data = pd.DataFrame({"city": ["a", "b"], "steel": [30.0, 10.0], "services": [70.0, 90.0]})
    with pytest.raises(SchemaError, match="exponent must be a positive number"):
        location_quotient(data, ["steel"], id="city", exponent=-1)
    with pytest.raises(SchemaError, match="score must be an increasing range"):
        location_quotient(data, ["steel"], id="city", score=(100, 50))
    with pytest.raises(ValueError, match="basis='jobs' is not allowed"):
        location_quotient(data, ["steel"], id="city", basis="jobs")
