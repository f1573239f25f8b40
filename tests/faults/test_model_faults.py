"""Bad input and numerical faults of the spatial regression engine (RELIABILITY B6, C1, D1, D3, D4,
E1-E4, E6). Each case asserts the exception or warning class and part of the message; CLI cases
also assert the exit code and that no output file was created."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from libpysal.graph import Graph, read_gal

from spatial import SpatialPanel
from spatial.cli import main
from spatial.errors import (
    BoundaryWarning,
    ConvergenceWarning,
    IdentificationError,
    IdMismatchError,
    NumericalError,
    SchemaError,
    SpatialPanelError,
)
from spatial.models import fit
from spatial.models._information import invert
from tests.conftest import folder_snapshot
from tests.spatial.models.synthetic import knn_graph, lattice_graph
from weights.errors import WeightsError

REF = Path(__file__).resolve().parents[1] / "reference" / "columbus_models"


@pytest.fixture(scope="module")
def columbus():
    data = pd.read_csv(REF / "columbus.csv")
    data["INC2"] = 2 * data["INC"] - data["HOVAL"]
    data["FLAT"] = 3.0
    panel = SpatialPanel(data, id="POLYID", variables=["CRIME", "INC", "HOVAL", "INC2", "FLAT", "OPEN"])
    return panel, read_gal(str(REF / "columbus_queen.gal")).transform("r")


# ------------------------------------------------------------------ B6 identification


def test_b6_collinear_regressors_are_named(columbus):
    panel, w = columbus
    with pytest.raises(IdentificationError, match=r"INC2 = combination of INC, HOVAL"):
        fit(panel, w, y="CRIME", x=["INC", "HOVAL", "INC2"], model="sar")


def test_b6_constant_regressor_is_named(columbus):
    panel, w = columbus
    with pytest.raises(IdentificationError, match="without variation: 'FLAT'"):
        fit(panel, w, y="CRIME", x=["INC", "FLAT"], model="ols")


def test_b6_opt_in_drop_is_reported(columbus):
    panel, w = columbus
    r = fit(panel, w, y="CRIME", x=["INC", "HOVAL", "INC2"], model="sar", collinear="drop", draws=0)
    assert "INC2" not in r.params.index
    assert "INC2" in set(r.dropped["what"]) and "collinear" in r.dropped.set_index("what").at["INC2", "reason"]


def test_b6_lagged_constant_with_non_row_standardised_weights_is_kept(columbus):
    panel, w = columbus
    binary = read_gal(str(REF / "columbus_queen.gal"))  # W*1 = number of neighbours: a real regressor
    r = fit(panel, binary, y="CRIME", x=["INC", "HOVAL"], model="sdm", draws=0)
    assert "W*const" in r.params.index
    assert r.rho_bounds[1] < 1  # 1/lambda_max of the binary matrix


def test_b6_lag_of_a_regressor_not_in_x(columbus):
    panel, w = columbus
    with pytest.raises(IdentificationError, match="not in x: 'OPEN'"):
        fit(panel, w, y="CRIME", x=["INC"], model="sdm", wx=["OPEN"])


def test_b6_too_few_observations():
    graph, ids = lattice_graph(2)
    frame = pd.DataFrame({"id": ids, "y": [1.0, 2.0, 4.0, 3.0], "a": [1.0, 0.0, 2.0, 5.0], "b": [0.0, 1.0, 1.0, 7.0]})
    with pytest.raises(IdentificationError, match="4 observations for 5 parameters"):
        fit(SpatialPanel(frame, id="id"), graph, y="y", x=["a", "b"], model="sar")


def test_log_of_non_positive_values_names_the_units(columbus):
    panel, w = columbus
    frame = panel.data.reset_index()
    frame.loc[3, "HOVAL"] = -1.0
    bad = SpatialPanel(frame, id="POLYID", variables=["CRIME", "INC", "HOVAL"])
    with pytest.raises(SchemaError, match=r"log\(HOVAL\).*not positive"):
        fit(bad, w, y="CRIME", x=["log(HOVAL)"], model="sar")


def test_unknown_option_and_variable(columbus):
    panel, w = columbus
    with pytest.raises(SpatialPanelError, match="model='spatial' is not allowed"):
        fit(panel, w, y="CRIME", x=["INC"], model="spatial")
    with pytest.raises(SchemaError, match="did you mean 'HOVAL'"):
        fit(panel, w, y="CRIME", x=["HOVAl"], model="sar")


# ------------------------------------------------------------------ C1 / D1 / D3 / D4 weights


def test_c1_weights_ids_differ_from_the_panel(columbus):
    panel, _ = columbus
    other, _ = lattice_graph(7)
    with pytest.raises(IdMismatchError, match="only in the panel"):
        fit(panel, other, y="CRIME", x=["INC"], model="sar")


def test_d1_islands_are_an_error_by_default_and_numeric_when_allowed():
    rng = np.random.default_rng(1)
    ids = [f"r{i}" for i in range(30)]
    focal, neighbor, weight = [], [], []
    for i in range(28):  # a chain of 29 units and one island
        focal += [ids[i], ids[i + 1]]
        neighbor += [ids[i + 1], ids[i]]
        weight += [1.0, 1.0]
    focal.append(ids[29])
    neighbor.append(ids[29])
    weight.append(0.0)
    graph = Graph.from_arrays(focal, neighbor, weight).transform("r")
    frame = pd.DataFrame({"id": ids, "y": rng.standard_normal(30), "x": rng.standard_normal(30)})
    panel = SpatialPanel(frame, id="id")
    with pytest.raises(WeightsError, match="no neighbours \\('r29'\\).*allow_islands=True"):
        fit(panel, graph, y="y", x=["x"], model="sar")
    r = fit(panel, graph, y="y", x=["x"], model="sar", allow_islands=True, draws=0)
    beta, rho = r.params["x"], r.params["rho"]
    assert r.effects.total["x"] != pytest.approx(beta / (1 - rho), rel=1e-6)  # E6: numeric, islands break it
    W = np.asarray(graph.sparse.toarray())
    assert r.effects.total["x"] == pytest.approx(beta * np.linalg.inv(np.eye(30) - rho * W).sum() / 30, rel=1e-10)
    assert r.details["weights"]["islands"] == ["r29"]


def test_d3_asymmetric_weights_use_complex_eigenvalues_and_sparse_lu():
    graph, ids = knn_graph(60, k=3, seed=4)
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"id": ids, "y": rng.standard_normal(60), "x": rng.standard_normal(60)})
    panel = SpatialPanel(frame, id="id")
    eigen = fit(panel, graph, y="y", x=["x"], model="sar", draws=0)
    lu = fit(panel, graph, y="y", x=["x"], model="sar", logdet="lu", cov="information", draws=0)
    assert eigen.details["weights"]["symmetric"] is False and not eigen.details["weights"]["similar_to_symmetric"]
    assert eigen.params["rho"] == pytest.approx(lu.params["rho"], rel=1e-7)
    ols = fit(panel, graph, y="y", x=["x"], model="ols")
    assert np.isfinite(ols.tests["lm_lag"].statistic) and np.isfinite(ols.tests["moran"].statistic)


def test_d4_negative_and_self_weights_name_the_units():
    bad = Graph.from_arrays(["a", "b", "c", "c"], ["b", "a", "a", "c"], [1.0, 1.0, 1.0, 2.0])
    frame = pd.DataFrame({"id": ["a", "b", "c"], "y": [1.0, 2.0, 3.0], "x": [0.0, 1.0, 0.5]})
    with pytest.raises(WeightsError, match="own neighbours \\('c'\\)"):
        fit(SpatialPanel(frame, id="id"), bad, y="y", x=["x"], model="sar")


# ------------------------------------------------------------------ E1-E4 numerics


def test_e1_estimate_on_the_bound_warns_and_is_flagged():
    graph, ids = lattice_graph(8)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"id": ids, "y": 5 + 1e-4 * rng.standard_normal(64), "x": rng.standard_normal(64)})
    with pytest.warns(BoundaryWarning, match="on the bound of its interval"):
        r = fit(SpatialPanel(frame, id="id"), graph, y="y", x=["x"], model="sar", constant=False, draws=0)
    assert r.at_boundary
    assert "WARNING" in r.summary()


def test_e2_singular_information_matrix_names_the_stage():
    with pytest.raises(NumericalError, match="information matrix: the matrix is singular \\(condition number"):
        invert(np.array([[1.0, 1.0], [1.0, 1.0]]), stage="information matrix")


def test_e2_singular_i_minus_rho_w():
    from spatial.models._logdet import LULogDet, rho_interval
    from spatial.models._weights import weights_matrix

    weights = weights_matrix(lattice_graph(6)[0])
    logdet = LULogDet(weights, rho_interval(weights, use_eigenvalues=True))
    with pytest.raises(NumericalError, match="I - 1 W is singular"):
        logdet(1.0)


def test_e3_non_convergence_is_flagged_and_the_cli_exits_3(columbus, monkeypatch, tmp_path, capsys):
    import spatial.models._fit as engine
    from spatial.models._optimize import Maximum

    original = engine.maximise_1d

    def stubborn(*args, **kwargs):
        found = original(*args, **kwargs)
        return Maximum(found.x, found.value, False, "maximum number of function evaluations exceeded", 1)

    monkeypatch.setattr(engine, "maximise_1d", stubborn)
    panel, w = columbus
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        r = fit(panel, w, y="CRIME", x=["INC"], model="sar", draws=0)
    assert not r.converged
    for name in ("columbus.csv", "columbus_queen.gal"):
        shutil.copy(REF / name, tmp_path / name)
    before = folder_snapshot(tmp_path)
    args = ["fit", str(tmp_path / "columbus.csv"), "--id", "POLYID", "--y", "CRIME", "--x", "INC",
            "--weights", str(tmp_path / "columbus_queen.gal"), "--json", str(tmp_path / "r.json")]
    assert main(args) == 3
    assert "did not converge" in capsys.readouterr().err
    assert folder_snapshot(tmp_path) == before
    assert main([*args, "--allow-nonconverged"]) == 0
    assert (tmp_path / "r.json").exists()


def test_cli_islands_exit_2_and_nothing_written(tmp_path, capsys):
    frame = pd.DataFrame({"id": ["a", "b", "c", "d"], "y": [1.0, 2.0, 0.5, 3.0], "x": [0.0, 1.0, 2.0, 0.3]})
    frame.to_csv(tmp_path / "data.csv", index=False)
    (tmp_path / "w.gal").write_text("4\na 1\nb\nb 1\na\nc 1\nd\nd 0\n\n")
    before = folder_snapshot(tmp_path)
    code = main(["fit", str(tmp_path / "data.csv"), "--id", "id", "--y", "y", "--x", "x",
                 "--weights", str(tmp_path / "w.gal"), "--json", str(tmp_path / "out.json")])
    assert code == 2
    assert "no neighbours" in capsys.readouterr().err
    assert folder_snapshot(tmp_path) == before


def test_panel_must_be_a_spatial_panel(columbus):
    _, w = columbus
    with pytest.raises(SchemaError, match="expected a spatial.SpatialPanel"):
        fit(pd.DataFrame({"a": [1]}), w, y="a", x=["a"])


def test_fixed_effects_option_is_validated(columbus):
    panel, w = columbus
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(SpatialPanelError, match="fe='both' is not allowed"):
            fit(panel, w, y="CRIME", x=["INC"], model="sar", fe="both")
