"""Shared inputs of the ESDA tests: Columbus (spdep references) and the bundled US panel."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

REFERENCE = Path(__file__).resolve().parents[2] / "reference" / "columbus"


def read_gal(path: Path):
    import weights

    return weights.read_weights(path)


@pytest.fixture(scope="session")
def columbus_reference() -> dict:
    return json.loads((REFERENCE / "columbus_moran.json").read_text())


@pytest.fixture(scope="session")
def columbus_ols_reference() -> dict:
    return json.loads((REFERENCE / "columbus_ols.json").read_text())


@pytest.fixture(scope="session")
def columbus_frame() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "columbus.csv")


@pytest.fixture(scope="session")
def columbus_graph():
    return read_gal(REFERENCE / "columbus_queen.gal")


@pytest.fixture(scope="session")
def columbus_panel(columbus_frame):
    from spatial import SpatialPanel

    return SpatialPanel(columbus_frame, id="POLYID", variables=["CRIME", "INC", "HOVAL"])


@pytest.fixture(scope="session")
def us_panel(produc, us_states):
    from spatial import SpatialPanel

    return SpatialPanel(produc, id="fips", time="year", geometry=us_states)


@pytest.fixture(scope="session")
def us_graph(us_panel):
    from libpysal.graph import Graph

    return Graph.build_contiguity(us_panel.geometry, rook=False)
