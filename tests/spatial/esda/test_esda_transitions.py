"""LISA quadrant transitions between two periods (Rey 2001 types)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spatial.esda import LocalMoran, local_moran, transitions


def _lisa(start: list[str], end: list[str]) -> LocalMoran:
    ids = [f"u{i}" for i in range(len(start))]
    rows = []
    for period, quadrants in ((2000, start), (2010, end)):
        for unit, quadrant in zip(ids, quadrants, strict=True):
            rows.append({"period": period, "variable": "gdp", "id": unit, "quadrant": quadrant,
                         "cluster": "island" if quadrant == "island" else "not significant"})
    empty = pd.DataFrame()
    return LocalMoran(table=pd.DataFrame(rows), cutoffs=empty, failed=empty)


def test_types_and_matrix():
    moved = transitions(_lisa(["HH", "HH", "HH", "LH", "HL", "island"], ["HH", "LH", "HL", "HL", "HL", "island"]))
    assert moved.units["type"].tolist() == [
        "type 0: no change", "type I: the unit moved", "type II: its neighbours moved", "type III: both moved",
        "type 0: no change", "island",
    ]
    assert moved.units["transition"].tolist()[:4] == ["HH->HH", "HH->LH", "HH->HL", "LH->HL"]
    assert int(moved.matrix.to_numpy().sum()) == 5 and moved.matrix.loc["HH", "LH"] == 1
    assert moved.types["units"].sum() == 5 and moved.cohesion == pytest.approx(2 / 5)
    assert moved.islands == ("u5",)


def test_errors():
    lisa = _lisa(["HH", "LL"], ["LL", "LL"])
    with pytest.raises(ValueError, match="start period 1999"):
        transitions(lisa, start=1999)
    with pytest.raises(ValueError, match="both 2000"):
        transitions(lisa, start=2000, end=2000)
    with pytest.raises(ValueError, match="'gsp' is not in the LISA results"):
        transitions(lisa, variable="gsp")


def test_on_the_us_panel(us_panel, us_graph):
    lisa = local_moran(us_panel, us_graph, ["unemp", "gsp"], periods=[1970, 1986], permutations=0)
    moved = transitions(lisa, variable="unemp")
    start = lisa.table[(lisa.table["variable"] == "unemp") & (lisa.table["period"] == 1970)]
    np.testing.assert_array_equal(moved.matrix.sum(axis=1).to_numpy(),
                                  start["quadrant"].value_counts().reindex(["HH", "LH", "LL", "HL"]).to_numpy())
    assert "unemp, 1970 -> 1986" in moved.summary()
