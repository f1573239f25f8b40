"""Text columns are parsed in one vectorised pass with exactly the cell-by-cell rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spatial.panel import _parse_numbers, _parse_text_column

CELLS = ["1.5", " 2 ", "-3e-2", "+4", ".5", "6.", "NA", "", "n/a", "#N/A", ".", "null", "0.1", "123456789.123456789",
         "1_000", "\u0663", "1e308", "2.2250738585072014e-308"]


@pytest.mark.parametrize("coerce", [False, True])
def test_vectorised_parse_equals_the_cell_path(coerce):
    rng = np.random.default_rng(0)
    cells = list(rng.choice(CELLS, size=400)) + (["1,234", "5 000"] if coerce else [])
    fast, bad = _parse_numbers(pd.Series(cells, dtype="str"), coerce)
    # an int among the cells forces the cell-by-cell path for the same text
    slow, slow_bad = _parse_numbers(pd.Series([*cells, 7], dtype=object), coerce)
    assert bad == slow_bad == []
    np.testing.assert_array_equal(fast.to_numpy(), slow.to_numpy()[:-1])  # bit for bit, NaN where missing


def test_cells_that_are_not_numbers_go_to_the_cell_path_and_are_reported():
    for cells in (["1", "x"], ["1", "TRUE"], ["1", "inf"], ["1", "1,5"]):
        assert _parse_text_column(pd.Series(cells, dtype="str"), False) is None
    numbers, bad = _parse_numbers(pd.Series(["1", "x", "inf"], dtype="str"), False)
    assert [row for row, _, _ in bad] == [1, 2] and numbers.iloc[0] == 1.0
