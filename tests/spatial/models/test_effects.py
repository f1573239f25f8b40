"""The effects engine: references, islands, non-row-standardised W, methods agreeing, per-unit sums."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from libpysal.graph import Graph, read_gal

from spatial.effects import effects_from_coefficients, lag_effects
from spatial.errors import SpatialPanelError
from spatial.models._logdet import rho_interval
from spatial.models._weights import weights_matrix

REF = Path(__file__).resolve().parents[2] / "reference" / "produc_effects"


def chain_with_island(row_standardise: bool = True) -> Graph:
    """Units a-b-c-d-e in a chain and an island f (RELIABILITY, numerics)."""
    focal = ["a", "b", "b", "c", "c", "d", "d", "e", "f"]
    neighbor = ["b", "a", "c", "b", "d", "c", "e", "d", "f"]
    weight = [1.0] * 8 + [0.0]
    graph = Graph.from_arrays(focal, neighbor, weight)
    return graph.transform("r") if row_standardise else graph


def test_island_total_effect_is_numeric_not_closed_form():
    eff = effects_from_coefficients(chain_with_island(), rho=0.5, beta={"x": 2.0})
    assert eff.total["x"] == pytest.approx(11.0 / 3.0, rel=1e-12)  # 3.667, where beta/(1-rho) = 4
    assert eff.total["x"] != pytest.approx(4.0)


def test_binary_weights_use_their_own_interval_and_effects():
    w = chain_with_island(row_standardise=False)
    matrix = weights_matrix(w, allow_islands=True)
    interval = rho_interval(matrix, use_eigenvalues=True)
    assert interval.upper == pytest.approx(1 / np.sqrt(3), rel=1e-12)  # 0.577, not 1
    eff = effects_from_coefficients(w, rho=0.3, beta={"x": 1.0}, theta={"x": 0.5})
    W = matrix.matrix.toarray()
    S = np.linalg.inv(np.eye(6) - 0.3 * W) @ (np.eye(6) + 0.5 * W)
    assert eff.direct["x"] == pytest.approx(np.trace(S) / 6, rel=1e-12)
    assert eff.total["x"] == pytest.approx(S.sum() / 6, rel=1e-12)
    with pytest.raises(SpatialPanelError, match="outside the admissible interval"):
        effects_from_coefficients(w, rho=0.6, beta={"x": 1.0})


@pytest.mark.parametrize("method", ["exact", "lu", "traces"])
def test_methods_agree_with_the_dense_inverse(method):
    graph = read_gal(str(REF / "us48_queen_produc.gal")).transform("r")
    eff = effects_from_coefficients(graph, rho=0.42, beta={"a": 1.5, "b": -0.7}, theta={"a": 0.3}, method=method,
                                    order=60)
    W = np.asarray(graph.sparse.toarray())
    Ainv = np.linalg.inv(np.eye(48) - 0.42 * W)
    for name, beta, theta in (("a", 1.5, 0.3), ("b", -0.7, 0.0)):
        S = Ainv @ (beta * np.eye(48) + theta * W)
        assert eff.direct[name] == pytest.approx(np.trace(S) / 48, rel=1e-9)
        assert eff.total[name] == pytest.approx(S.sum() / 48, rel=1e-9)
        assert eff.direct[name] + eff.indirect[name] == pytest.approx(eff.total[name], abs=1e-12)


def test_per_unit_effects_sum_to_the_averages():
    graph = read_gal(str(REF / "us48_queen_produc.gal")).transform("r")
    eff = effects_from_coefficients(graph, rho=0.3, beta={"x": 1.0}, theta={"x": -0.4}, per_unit=True)
    units = eff.per_unit
    assert list(units.index[:3]) == ["1", "2", "3"] and units.index.name == "id"
    assert units["direct"].mean() == pytest.approx(eff.direct["x"], rel=1e-12)
    assert units["total_received"].mean() == pytest.approx(eff.total["x"], rel=1e-12)
    assert units["total_emitted"].mean() == pytest.approx(eff.total["x"], rel=1e-12)
    np.testing.assert_allclose(units["direct"] + units["received"], units["total_received"], atol=1e-12)
    wide = eff.units("x")
    assert list(wide.columns) == ["direct", "received", "emitted", "total_received", "total_emitted"]
    assert wide.index.name == "id" and len(wide) == 48


def _reference_inputs(model: str, fe: str, key: str):
    data = json.loads((REF / f"produc_panel_{model}_fe_{fe}.json").read_text())
    block = data[key]
    names = block["vcov"]["rownames"]
    V = np.array(block["vcov"]["values"])
    xs = data["regressors"]
    K = len(xs)
    has = np.array([f"W*{x}" in names for x in xs])
    sel = [names.index("rho")] + [names.index(x) for x in xs]
    sel += [names.index(f"W*{x}") if f"W*{x}" in names else names.index(x) for x in xs]
    cov = V[np.ix_(sel, sel)].copy()
    for j in range(K):
        if not has[j]:
            cov[1 + K + j, :] = 0.0
            cov[:, 1 + K + j] = 0.0
    coef = block["coefficients"]
    beta = np.array([coef[x] for x in xs])
    theta = np.array([coef.get(f"W*{x}", 0.0) for x in xs])
    return xs, coef["rho"], beta, theta, has, cov, block["effects"]


@pytest.mark.parametrize("model", ["sar", "sdm"])
@pytest.mark.parametrize("fe", ["individual", "twoways"])
@pytest.mark.parametrize("key", ["own_elhorst_ML", "own_elhorst_LeeYu"])
def test_delta_method_against_the_produc_reference(model, fe, key):
    matrix = weights_matrix(read_gal(str(REF / "us48_queen_produc.gal")).transform("r"))
    names, rho, beta, theta, has, cov, expected = _reference_inputs(model, fe, key)
    interval = rho_interval(matrix, use_eigenvalues=True)
    eff = lag_effects(matrix, names=names, rho=rho, beta=beta, theta=theta, has_theta=has, cov=cov,
                      interval=(interval.lower, interval.upper), method="exact", inference="delta", draws=0, seed=0)
    for kind in ("direct", "indirect", "total"):
        np.testing.assert_allclose(eff.estimates[kind], expected["point"][kind], rtol=1e-10)
        np.testing.assert_allclose(eff.std_errors[kind], expected["delta_se"][kind], rtol=1e-8)
    assert eff.inference == "delta"


def test_simulation_against_the_produc_reference():
    """R's draws differ (MASS::mvrnorm): standard deviations within 10 percent; same seed, same draws."""
    matrix = weights_matrix(read_gal(str(REF / "us48_queen_produc.gal")).transform("r"))
    names, rho, beta, theta, has, cov, expected = _reference_inputs("sdm", "twoways", "own_elhorst_ML")
    interval = rho_interval(matrix, use_eigenvalues=True)
    kwargs = dict(names=names, rho=rho, beta=beta, theta=theta, has_theta=has, cov=cov,
                  interval=(interval.lower, interval.upper), method="exact", inference="simulation", draws=4000)
    first = lag_effects(matrix, seed=11, **kwargs)
    again = lag_effects(matrix, seed=11, **kwargs)
    other = lag_effects(matrix, seed=12, **kwargs)
    for kind in ("direct", "indirect", "total"):
        np.testing.assert_allclose(first.std_errors[kind], expected["simulation"]["sd"][kind], rtol=0.10)
        np.testing.assert_array_equal(first.std_errors[kind], again.std_errors[kind])
    assert not np.allclose(first.std_errors["direct"], other.std_errors["direct"], rtol=1e-12)
    assert (first.seed, first.draws) == (11, 4000)


def test_theta_for_an_unknown_regressor_is_refused():
    with pytest.raises(SpatialPanelError, match="theta names regressors"):
        effects_from_coefficients(chain_with_island(), rho=0.2, beta={"x": 1.0}, theta={"z": 1.0})


def test_derivative_of_the_totals_closed_form_for_row_standardised_w():
    """Row sums of one, no islands: d/drho 1'A^-1 1/n = d/drho 1'A^-1 W 1/n = 1/(1 - rho)^2 (the delta method's
    gradient), equal to the one from sparse solves (A^-T 1)' W (A^-1 1)/n."""
    from spatial.models.effects import _Kernel

    matrix = weights_matrix(read_gal(str(REF / "us48_queen_produc.gal")).transform("r"))
    kernel = _Kernel(matrix, "lu")
    for rho in (-0.6, 0.0, 0.42, 0.97):
        closed = kernel.totals_prime(rho)
        solved = kernel._totals_prime_by_solves(rho)
        np.testing.assert_allclose(closed, solved, rtol=1e-10)
        assert closed[0] == pytest.approx(1.0 / (1.0 - rho) ** 2, rel=1e-14)
