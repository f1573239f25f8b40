"""C3: permutation p-values with a given seed do not depend on the row order of the boundary file or
the table; the draws follow the sorted ids. Output rows keep the order of the weights' ids as given
(the boundary file's order when the weights are built from it)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import weights
from spatial import SpatialPanel
from spatial.cli import main
from spatial.esda import global_autocorrelation, hot_spots, local_moran


def _panel(produc, us_states, seed: int | None):
    table, bounds = produc, us_states
    if seed is not None:
        rng = np.random.default_rng(seed)
        table = produc.iloc[rng.permutation(len(produc))].reset_index(drop=True)
        bounds = us_states.iloc[rng.permutation(len(us_states))].reset_index(drop=True)
    panel = SpatialPanel(table, id="fips", time="year", variables=["unemp", "gsp"], geometry=bounds)
    return panel, weights.queen(panel.geometry), [str(i) for i in bounds["fips"]]


@pytest.mark.parametrize("shuffle", [11, 12])
def test_permutation_pvalues_do_not_depend_on_row_order(produc, us_states, shuffle):
    base, w, _ = _panel(produc, us_states, None)
    shuffled, w_shuffled, boundary_order = _panel(produc, us_states, shuffle)
    options = {"periods": [1986], "permutations": 199, "seed": 3}

    moran_a = global_autocorrelation(base, w, ["unemp", "gsp"], **options).table
    moran_b = global_autocorrelation(shuffled, w_shuffled, ["unemp", "gsp"], **options).table
    pd.testing.assert_frame_equal(moran_a, moran_b)

    for compute, columns in ((local_moran, ["I", "p_sim", "cluster"]), (hot_spots, ["G", "p_sim", "category"])):
        a = compute(base, w, "unemp", **options).table
        b = compute(shuffled, w_shuffled, "unemp", **options).table
        assert b["id"].tolist() == boundary_order  # rows in the user's (boundary file) order
        a, b = a.set_index("id").sort_index(), b.set_index("id").sort_index()
        pd.testing.assert_frame_equal(a[columns], b[columns], check_exact=False, rtol=1e-12)


def test_cli_lisa_pvalues_do_not_depend_on_row_order(tmp_path, produc, us_states, capsys):
    frames, orders = {}, {}
    for name, seed in (("sorted", None), ("shuffled", 5)):
        table, bounds = produc, us_states
        if seed is not None:
            rng = np.random.default_rng(seed)
            table = produc.iloc[rng.permutation(len(produc))]
            bounds = us_states.iloc[rng.permutation(len(us_states))]
        orders[name] = [str(i) for i in bounds["fips"]]
        table.to_csv(tmp_path / f"{name}.csv", index=False)
        bounds.to_file(tmp_path / f"{name}.geojson", driver="GeoJSON")
        out = tmp_path / f"{name}_lisa.csv"
        code = main(["lisa", str(tmp_path / f"{name}.csv"), "--id", "fips", "--time", "year", "--variables",
                     "unemp", "--periods", "1986", "--boundaries", str(tmp_path / f"{name}.geojson"),
                     "--permutations", "199", "--seed", "9", "--out", str(out)])
        assert code == 0, capsys.readouterr().err
        frames[name] = pd.read_csv(out, dtype={"id": str})
    assert orders["sorted"] != orders["shuffled"]
    assert frames["shuffled"]["id"].tolist() == orders["shuffled"]  # the user's (boundary file) order
    a = frames["sorted"].set_index("id").sort_index()
    b = frames["shuffled"].set_index("id").sort_index()
    pd.testing.assert_series_equal(a["p_sim"], b["p_sim"])
    pd.testing.assert_series_equal(a["cluster"], b["cluster"])
