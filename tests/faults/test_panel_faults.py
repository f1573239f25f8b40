"""Bad input for spatial panel models (RELIABILITY B3, B6, E3 for panels; issue 6 "Bad input"). Each case
asserts the exception class and part of the message; CLI cases the exit code and that nothing was written."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from spatial import SpatialPanel
from spatial.cli import main
from spatial.errors import DroppedDataWarning, IdentificationError, SpatialPanelError, UnbalancedPanelError
from spatial.models import fit, fit_by_group
from tests.conftest import folder_snapshot
from tests.spatial.models.test_panel_scale import grid_graph, simulate_sdm


@pytest.fixture(scope="module")
def small():
    graph = grid_graph(5)
    ids = [str(i) for i in graph.unique_ids]
    frame = simulate_sdm(sparse.csr_matrix(graph.sparse), ids, 4, rho=0.3, beta=np.array([1.0, 0.5]),
                         theta=np.array([0.0, 0.0]), seed=2)
    frame["region"] = np.where(frame["id"].str[-2:].astype(int) < 20, "A", "B")
    frame["area"] = frame["id"].str[-2:].astype(float)  # time-invariant
    frame["trend"] = frame["year"] - 2000.0  # the same for every unit in a period
    return frame, graph


def test_unbalanced_panel_names_the_missing_cells(small):
    frame, _ = small
    with pytest.raises(UnbalancedPanelError, match="u00003"):
        SpatialPanel(frame.drop(index=[13]), id="id", time="year")


def test_dropping_incomplete_units_then_mismatched_weights_is_refused(small):
    frame, graph = small
    with pytest.warns(DroppedDataWarning):
        panel = SpatialPanel(frame.drop(index=[13]), id="id", time="year", balance="drop_units")
    assert "u00003" in set(panel.dropped["id"])
    with pytest.raises(SpatialPanelError, match="only in the weights"):
        fit(panel, graph, y="y", x=["x1"], model="sar", fe="unit")


def test_time_invariant_regressor_under_unit_effects_is_named(small):
    frame, graph = small
    panel = SpatialPanel(frame, id="id", time="year")
    with pytest.raises(IdentificationError, match=r"'area', 'W\*area' are time-invariant"):
        fit(panel, graph, y="y", x=["x1", "area"], model="sdm", fe="unit")
    with pytest.raises(IdentificationError, match=r"'trend'.*two-way fixed effects absorb"):
        fit(panel, graph, y="y", x=["x1", "trend"], model="sar", fe="twoway")
    assert fit(panel, graph, y="y", x=["x1", "area"], model="sar", fe="time", draws=0).converged


def test_one_period_with_fixed_effects_is_refused(small):
    frame, graph = small
    one = SpatialPanel(frame[frame["year"] == 2000], id="id", time="year")
    with pytest.raises(SpatialPanelError, match="at least 2 periods"):
        fit(one, graph, y="y", x=["x1"], model="sar", fe="unit")
    panel = SpatialPanel(frame, id="id", time="year")
    with pytest.raises(SpatialPanelError, match="period=2000 fits one cross-section"):
        fit(panel, graph, y="y", x=["x1"], model="sar", fe="unit", period=2000)


def test_option_combinations_are_refused(small):
    frame, graph = small
    panel = SpatialPanel(frame, id="id", time="year")
    with pytest.raises(SpatialPanelError, match="corrects fixed-effects estimates"):
        fit(panel, graph, y="y", x=["x1"], model="sar", lee_yu=True)
    with pytest.raises(SpatialPanelError, match="SAC with time or two-way"):
        fit(panel, graph, y="y", x=["x1"], model="sac", fe="twoway")
    with pytest.raises(SpatialPanelError, match="SAR, SEM, SDM and SDEM, not 'sac'"):
        fit(panel, graph, y="y", x=["x1"], model="sac", random_effects=True)
    with pytest.raises(SpatialPanelError, match="leave fe='none'"):
        fit(panel, graph, y="y", x=["x1"], model="sar", fe="unit", random_effects=True)
    binary = graph.transform("b")
    with pytest.raises(SpatialPanelError, match="row-standardised"):
        fit(panel, binary, y="y", x=["x1"], model="sar", fe="twoway", lee_yu=True)


def test_subgroup_too_small_and_unknown_group_column(small):
    frame, graph = small
    panel = SpatialPanel(frame, id="id", time="year")
    tiny = {i: ("few" if i in ("u00000", "u00001") else "many") for i in panel.entities}
    with pytest.raises(SpatialPanelError, match="group 'few' has 2 units"):
        fit_by_group(panel, graph, group=tiny, y="y", x=["x1"], model="sar", fe="unit")
    with pytest.raises(SpatialPanelError, match="regoin"):
        fit_by_group(panel, graph, group="regoin", y="y", x=["x1"], model="sar", fe="unit")
    moving = frame.copy()
    moving.loc[moving.index[1], "region"] = "B" if moving.loc[moving.index[1], "region"] == "A" else "A"
    with pytest.raises(SpatialPanelError, match="changes over time"):
        fit_by_group(SpatialPanel(moving, id="id", time="year", variables=["y", "x1"]), graph, group="region",
                     y="y", x=["x1"], model="sar")


def test_cli_fe_without_time_and_absorbed_regressor_exit_2(small, tmp_path, capsys):
    frame, graph = small
    frame.to_csv(tmp_path / "panel.csv", index=False)
    from weights import write_weights

    write_weights(graph, tmp_path / "w.gal")
    before = folder_snapshot(tmp_path)
    base = ["fit", str(tmp_path / "panel.csv"), "--id", "id", "--y", "y", "--weights", str(tmp_path / "w.gal"),
            "--json", str(tmp_path / "out.json"), "--model", "sar"]
    assert main([*base, "--x", "x1", "--fe", "unit"]) == 2
    assert main([*base, "--x", "x1", "area", "--time", "year", "--fe", "unit"]) == 2
    assert "absorbed by the fixed effects" in capsys.readouterr().err
    assert folder_snapshot(tmp_path) == before
    assert main([*base, "--x", "x1", "--time", "year", "--fe", "twoway", "--lee-yu", "--effects-draws", "10"]) == 0
    assert (tmp_path / "out.json").exists()
