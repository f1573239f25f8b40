"""Fixtures of the weights tests: the bundled boundary layers, and small hand-made layers."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest


@pytest.fixture(scope="session")
def provinces() -> gpd.GeoDataFrame:
    from spatial import datasets

    return datasets.load("china_provinces")


@pytest.fixture(scope="session")
def mainland(provinces) -> gpd.GeoDataFrame:
    return provinces[provinces["mainland"]].reset_index(drop=True)


@pytest.fixture(scope="session")
def prefectures() -> gpd.GeoDataFrame:
    from spatial import datasets

    return datasets.load("china_prefectures")


@pytest.fixture(scope="session")
def capitals() -> pd.DataFrame:
    from spatial import datasets

    return datasets.load("china_capitals")


@pytest.fixture(scope="session")
def columbus() -> gpd.GeoDataFrame:
    from libpysal.examples import get_path

    frame = gpd.read_file(get_path("columbus.shp"))
    frame["POLYID"] = frame["POLYID"].astype(int).astype(str)
    return frame
