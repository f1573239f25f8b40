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


def test_series_order_is_the_smallest_order_meeting_the_tail_bound():
    """tail of a2 after k terms <= r q^k / (1 - q), q = |rho| r (|tr(W^m)| <= n r^m); with the delta method also
    r^2 (k q^(k-1) / (1 - q) + q^k / (1 - q)^2); never below 30 terms; None (sparse LU) above 1000 or for q >= 1."""
    from spatial.models.effects import MAX_ORDER, MIN_ORDER, TRUNCATION_TOL, series_order

    def bound(k, rho, r, derivative):
        q = abs(rho) * r
        tail = r * q**k / (1 - q)
        if derivative:
            tail += r * r * (k * q ** (k - 1) / (1 - q) + q**k / (1 - q) ** 2)
        return max(1.0, abs(rho)) * tail

    assert series_order(1.0, 0.3) == series_order(1.0, -0.6) == MIN_ORDER  # moderate rho: the old 30 terms
    for rho, r, derivative in ((0.85, 1.0, False), (0.9, 1.0, True), (-0.95, 1.0, False), (0.3, 3.0, True)):
        k = series_order(r, rho, derivative=derivative)
        assert MIN_ORDER < k <= MAX_ORDER
        assert bound(k, rho, r, derivative) <= TRUNCATION_TOL < bound(k - 1, rho, r, derivative)
    assert series_order(1.0, 0.99) is None and series_order(1.0, 1.0) is None and series_order(2.0, 0.5) is None


def _lattice_900():
    from tests.spatial.models.synthetic import lattice_graph

    return weights_matrix(lattice_graph(30)[0])  # 900 units: traces exact from the eigenvalues, no probe error


@pytest.mark.parametrize("rho", [0.9, 0.95])
def test_traces_order_from_rho_removes_the_truncation_error_at_high_rho(rho):
    """With exact traces the series' only error is its truncation: the order chosen from rho brings the
    direct and indirect effects within 1e-5 (relative) of the exact ones; 30 terms were 1e-3 to 1e-2 off."""
    matrix = _lattice_900()
    interval = rho_interval(matrix, use_eigenvalues=True)
    kwargs = dict(names=["a", "b"], rho=rho, beta=np.array([1.0, -0.5]), theta=np.array([0.4, 0.0]),
                  has_theta=np.array([True, False]), cov=None, interval=(interval.lower, interval.upper),
                  inference="delta", draws=0, seed=0)
    exact = lag_effects(matrix, method="exact", **kwargs)
    chosen = lag_effects(matrix, method="traces", **kwargs)
    thirty = lag_effects(matrix, method="traces", order=30, **kwargs)
    assert chosen.method == "traces"
    cols = ["direct", "indirect"]
    np.testing.assert_allclose(chosen.estimates[cols], exact.estimates[cols], rtol=1e-5)
    assert np.max(np.abs(thirty.estimates[cols].to_numpy() / exact.estimates[cols].to_numpy() - 1)) > 1e-3


def test_traces_order_covers_every_draw_and_the_delta_gradient():
    """rho = 0.8 with a standard error of 0.05, so draws reach about 0.97: simulated and delta-method standard
    errors from the traces series equal the exact ones (same draws) within 1e-6 (2.5e-10 seen). An order taken
    from the estimate alone (80 terms) put the simulated ones 6.2e-4 off (measured when writing this test)."""
    matrix = _lattice_900()
    interval = rho_interval(matrix, use_eigenvalues=True)
    cov = np.diag([0.05**2, 0.01, 0.02])
    kwargs = dict(names=["a"], rho=0.8, beta=np.array([1.0]), theta=np.array([0.4]), has_theta=np.array([True]),
                  cov=cov, interval=(interval.lower, interval.upper), draws=2000, seed=5)
    exact = lag_effects(matrix, method="exact", inference="simulation", **kwargs)
    traces = lag_effects(matrix, method="traces", inference="simulation", **kwargs)
    assert traces.method == "traces" and traces.draws == 2000
    for kind in ("direct", "indirect"):
        np.testing.assert_allclose(traces.simulation_std_errors[kind], exact.simulation_std_errors[kind], rtol=1e-6)
        np.testing.assert_allclose(traces.delta_std_errors[kind], exact.delta_std_errors[kind], rtol=1e-6)


def test_traces_switch_to_sparse_lu_when_rho_is_too_close_to_its_bound():
    """rho = 0.99 would need more than 1000 terms: the effects are computed by sparse LU and say so."""
    matrix = _lattice_900()
    interval = rho_interval(matrix, use_eigenvalues=True)
    kwargs = dict(names=["a"], rho=0.99, beta=np.array([1.0]), theta=np.array([0.4]), has_theta=np.array([True]),
                  cov=None, interval=(interval.lower, interval.upper), inference="delta", draws=0, seed=0)
    traces = lag_effects(matrix, method="traces", **kwargs)
    exact = lag_effects(matrix, method="exact", **kwargs)
    assert traces.method == "lu"
    np.testing.assert_allclose(traces.estimates, exact.estimates, rtol=1e-7)


def test_dynamic_long_run_effects_get_the_terms_their_rho_star_needs():
    """Dynamic models: the long-run multiplier has rho* = (rho + eta) / (1 - tau), here (0.6 + 0.3) / 0.95 = 0.947
    while rho = 0.6; the series' order comes from rho* (and the draws), so the long-run effects and their
    standard errors by traces equal the exact ones (exact traces, 900 units) within 1e-6."""
    from spatial.models._dynamic_effects import dynamic_effects

    matrix = _lattice_900()
    interval = rho_interval(matrix, use_eigenvalues=True)
    names = ["tau", "eta", "x", "W*x", "rho"]
    estimates = np.array([0.05, 0.3, 1.0, 0.4, 0.6])
    cov = np.diag([0.002**2, 0.002**2, 0.01, 0.02, 0.002**2])
    kwargs = dict(regressors=["x"], names=names, estimates=estimates, cov=cov,
                  interval=(interval.lower, interval.upper), draws=500, seed=3)
    exact_short, exact_long = dynamic_effects(matrix, method="exact", **kwargs)
    short, long = dynamic_effects(matrix, method="traces", **kwargs)
    assert long.method == "traces"
    for ours, theirs in ((short, exact_short), (long, exact_long)):
        np.testing.assert_allclose(ours.estimates, theirs.estimates, rtol=1e-6)
        np.testing.assert_allclose(ours.std_errors, theirs.std_errors, rtol=1e-6)
        np.testing.assert_allclose(ours.delta_std_errors, theirs.delta_std_errors, rtol=1e-6)
