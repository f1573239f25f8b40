"""SpatialPanel: alignment by key, validation, opt-in repairs, and everything dropped listed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spatial import SpatialPanel
from spatial.errors import (
    DroppedDataWarning,
    IdMismatchError,
    MissingDataError,
    SchemaError,
    UnbalancedPanelError,
)
from tests.helpers import grid_layer, long_panel

IDS = ["01001", "01003", "02010", "10001"]


def test_bundled_us_panel_aligns_to_boundaries(produc, us_states):
    panel = SpatialPanel(produc, id="fips", time="year", geometry=us_states)
    assert (panel.n_units, panel.n_periods, panel.nobs) == (48, 17, 816)
    assert panel.entities.tolist() == us_states["fips"].tolist()  # the boundary order
    assert panel.geometry.index.tolist() == panel.entities.tolist()
    assert panel.labels.columns.tolist() == ["postal", "state"]
    assert panel.dropped.empty


def test_shuffled_rows_give_the_same_panel(produc, us_states):
    reference = SpatialPanel(produc, id="fips", time="year", geometry=us_states)
    rng = np.random.default_rng(7)
    shuffled_rows = produc.iloc[rng.permutation(len(produc))]
    shuffled_geo = us_states.iloc[rng.permutation(len(us_states))]
    panel = SpatialPanel(shuffled_rows, id="fips", time="year", geometry=shuffled_geo)
    aligned = panel.align(reference.entities)
    pd.testing.assert_frame_equal(aligned.data, reference.data)
    assert aligned.geometry.geometry.geom_equals(reference.geometry.geometry).all()


def test_input_frames_are_not_mutated(produc, us_states):
    before_table, before_geo = produc.copy(), us_states.copy()
    SpatialPanel(produc, id="fips", time="year", geometry=us_states)
    pd.testing.assert_frame_equal(produc, before_table)
    pd.testing.assert_frame_equal(us_states, before_geo)


def test_leading_zeros_kept_and_ids_compared_exactly():
    panel = SpatialPanel(long_panel(IDS, [2000, 2001]), id="code", time="year", geometry=grid_layer(IDS))
    assert panel.entities.tolist() == IDS
    stripped = long_panel([i.lstrip("0") for i in IDS], [2000, 2001])
    with pytest.raises(IdMismatchError, match="id_normalize='zfill5'"):
        SpatialPanel(stripped, id="code", time="year", geometry=grid_layer(IDS))
    fixed = SpatialPanel(stripped, id="code", time="year", geometry=grid_layer(IDS), id_normalize="zfill5")
    assert fixed.entities.tolist() == IDS


def test_integer_ids_become_text_but_float_ids_are_refused():
    frame = long_panel(["1", "2"], [2000])
    as_int = frame.assign(code=[1, 2])
    assert SpatialPanel(as_int, id="code", time="year").entities.tolist() == ["1", "2"]
    with pytest.raises(SchemaError, match="leading zeros"):
        SpatialPanel(frame.assign(code=[1.0, 2.0]), id="code", time="year")


def test_cross_section_without_time():
    frame = long_panel(IDS, [2000]).drop(columns="year")
    panel = SpatialPanel(frame, id="code")
    assert (panel.n_units, panel.n_periods) == (4, 1)
    assert panel.cross_section(0).index.tolist() == sorted(IDS)


def test_text_cells_parsed_and_reported():
    frame = long_panel(IDS, [2000]).astype({"gdp": object})
    frame.loc[1, "gdp"] = "1,234"
    frame.loc[3, "gdp"] = "n/a"
    with pytest.raises(MissingDataError):
        SpatialPanel(frame.assign(gdp=frame["gdp"].replace("1,234", "5")), id="code", time="year")
    with pytest.raises(SchemaError, match=r"'gdp': row 2 '1,234'"):
        SpatialPanel(frame.assign(gdp=frame["gdp"].replace("n/a", "1")), id="code", time="year")
    coerced = SpatialPanel(frame.assign(gdp=frame["gdp"].replace("n/a", "1")), id="code", time="year",
                           coerce_numeric=True)
    assert coerced.data.loc[("01003", 2000), "gdp"] == 1234.0


def test_infinite_and_boolean_cells_refused():
    frame = long_panel(IDS, [2000])
    frame.loc[2, "pop"] = np.inf
    with pytest.raises(SchemaError, match="'pop': row 3"):
        SpatialPanel(frame, id="code", time="year")
    with pytest.raises(SchemaError, match="gdp"):
        SpatialPanel(long_panel(IDS, [2000]).assign(gdp=True), id="code", time="year")


def test_duplicate_unit_period_rows():
    frame = long_panel(IDS, [2000, 2001])
    frame = pd.concat([frame, frame.iloc[[1]]], ignore_index=True)
    with pytest.raises(SchemaError, match=r"\(01001, 2001\) x2"):
        SpatialPanel(frame, id="code", time="year")


def test_unbalanced_panel_error_and_opt_in_drop():
    frame = long_panel(IDS, [2000, 2001, 2002]).iloc[:-1]  # 10001 lacks 2002
    with pytest.raises(UnbalancedPanelError, match="10001 lacks 2002"):
        SpatialPanel(frame, id="code", time="year")
    with pytest.warns(DroppedDataWarning):
        panel = SpatialPanel(frame, id="code", time="year", geometry=grid_layer(IDS), balance="drop_units")
    assert panel.entities.tolist() == IDS[:3]
    assert panel.geometry.index.tolist() == IDS[:3]  # the drop carries through to the boundaries
    dropped = panel.dropped
    assert dropped["id"].tolist() == ["10001", "10001"]
    assert "unbalanced" in dropped["reason"].iloc[0]


def test_missing_values_error_and_whole_unit_drop():
    frame = long_panel(IDS, [2000, 2001])
    frame.loc[3, "gdp"] = np.nan
    with pytest.raises(MissingDataError, match=r"gdp: 1.*2001: 1"):
        SpatialPanel(frame, id="code", time="year")
    with pytest.warns(DroppedDataWarning):
        panel = SpatialPanel(frame, id="code", time="year", missing="drop_units")
    assert "01003" not in panel.entities
    assert panel.dropped.loc[0, "reason"] == "missing values in gdp"


def test_missing_ids_and_periods_are_always_errors():
    frame = long_panel(IDS, [2000])
    with pytest.raises(MissingDataError, match="rows 2"):
        SpatialPanel(frame.assign(code=[IDS[0], None, *IDS[2:]]), id="code", time="year")
    with pytest.raises(MissingDataError, match="no period"):
        SpatialPanel(frame.assign(year=[2000, np.nan, 2000, 2000]), id="code", time="year")


def test_missing_column_suggests_close_match():
    with pytest.raises(SchemaError, match="did you mean 'year'"):
        SpatialPanel(long_panel(IDS, [2000]), id="code", time="yaer")


def test_id_on_one_side_only_and_intersection():
    frame = long_panel(IDS[:3] + ["99999"], [2000])
    with pytest.raises(IdMismatchError) as info:
        SpatialPanel(frame, id="code", time="year", geometry=grid_layer(IDS))
    message = str(info.value)
    assert "1 only in the panel ('99999')" in message and "1 only in the boundaries ('10001')" in message
    with pytest.warns(DroppedDataWarning):
        panel = SpatialPanel(frame, id="code", time="year", geometry=grid_layer(IDS), restrict="intersection")
    assert panel.entities.tolist() == IDS[:3]
    assert set(panel.dropped["id"]) == {"99999", "10001"}


def test_align_refuses_other_ids():
    panel = SpatialPanel(long_panel(IDS, [2000]), id="code", time="year")
    with pytest.raises(IdMismatchError, match="only in the weights"):
        panel.align(IDS[:3] + ["x"])
    reordered = panel.align(IDS[::-1])
    assert reordered.entities.tolist() == IDS[::-1]
    assert reordered.data.index.get_level_values(0).tolist() == IDS[::-1]


def test_options_are_validated():
    with pytest.raises(ValueError, match="choose one of 'error', 'drop_units'"):
        SpatialPanel(long_panel(IDS, [2000]), id="code", time="year", balance="pad")


def test_wide_and_summary(produc):
    panel = SpatialPanel(produc, id="fips", time="year", variables=["gsp", "emp"])
    assert panel.variables == ["gsp", "emp"]
    assert "state" in panel.labels.columns and "pcap" in panel.labels.columns  # kept, not dropped
    assert panel.wide("gsp").shape == (48, 17)
    text = panel.summary()
    assert "48 units x 17 periods" in text and "gsp" in text
    assert panel.to_dict()["periods"][0] == 1970
