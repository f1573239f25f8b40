"""Small layers for map tests: a row of squares keyed by text ids, and the bundled US states."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely import box

from tests.hostile import PAYLOADS as CORPUS

# The first four strings of the one hostile corpus (tests/hostile.py); tests/test_hostile.py drives all of it.
PAYLOADS = CORPUS[:4]


def squares(ids: list[str], crs: str = "EPSG:4326", **columns) -> gpd.GeoDataFrame:
    """Unit squares in a row (neighbours share an edge), keyed by ``code``."""
    return gpd.GeoDataFrame({"code": ids, **columns}, geometry=[box(i, 0, i + 1, 1) for i in range(len(ids))], crs=crs)


@pytest.fixture(scope="session")
def us_panel():
    from spatial import SpatialPanel, datasets

    return SpatialPanel(datasets.load("us_produc"), id="fips", time="year", geometry=datasets.load("us48_states"),
                        variables=["gsp", "unemp"])


@pytest.fixture
def hostile_units():
    """Four units whose names (and a text column) carry script-injection payloads."""
    names = list(PAYLOADS)
    return squares(["01", "02", "03", "04"], name=names, gdp=[1.0, 2.0, 3.0, 4.0])


def payload_series(values, ids=("01", "02", "03", "04")) -> pd.Series:
    return pd.Series(values, index=list(ids))
