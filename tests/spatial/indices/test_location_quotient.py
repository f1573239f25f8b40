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
