"""Property tests on random weights and data (hypothesis, small budgets)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from libpysal.graph import Graph

from spatial import SpatialPanel
from spatial.effects import effects_from_coefficients
from spatial.errors import SpatialPanelError
from spatial.models import fit, lr_test
from spatial.models._logdet import EigenLogDet, rho_interval
from spatial.models._weights import weights_matrix


def random_graph(n: int, seed: int, row_standardise: bool) -> Graph:
    """A random connected graph: a ring plus random chords (symmetric, binary)."""
    rng = np.random.default_rng(seed)
    ids = [f"id{i:03d}" for i in range(n)]
    pairs = {(min(i, (i + 1) % n), max(i, (i + 1) % n)) for i in range(n)}
    for _ in range(n):
        a, b = rng.integers(0, n, 2)
        if a != b:
            pairs.add((int(min(a, b)), int(max(a, b))))
    focal = [ids[a] for a, b in pairs] + [ids[b] for a, b in pairs]
    neighbor = [ids[b] for a, b in pairs] + [ids[a] for a, b in pairs]
    graph = Graph.from_arrays(focal, neighbor, np.ones(len(focal)))
    return graph.transform("r") if row_standardise else graph


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(8, 40), seed=st.integers(0, 10_000), row=st.booleans(), share=st.floats(-0.95, 0.95),
       beta=st.floats(-3, 3), theta=st.floats(-3, 3))
def test_effects_equal_the_dense_inverse_and_add_up(n, seed, row, share, beta, theta):
    graph = random_graph(n, seed, row)
    matrix = weights_matrix(graph)
    interval = rho_interval(matrix, use_eigenvalues=True)
    rho = share * (interval.upper if share > 0 else -interval.lower)
    eff = effects_from_coefficients(graph, rho=rho, beta={"x": beta}, theta={"x": theta})
    W = matrix.matrix.toarray()
    S = np.linalg.inv(np.eye(n) - rho * W) @ (beta * np.eye(n) + theta * W)
    scale = max(1.0, np.abs(S).sum() / n)
    assert eff.direct["x"] == pytest.approx(np.trace(S) / n, rel=1e-8, abs=1e-10 * scale)
    assert eff.total["x"] == pytest.approx(S.sum() / n, rel=1e-8, abs=1e-10 * scale)
    assert abs(eff.direct["x"] + eff.indirect["x"] - eff.total["x"]) <= 1e-12 * scale


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(12, 40), seed=st.integers(0, 10_000), model=st.sampled_from(["sar", "sem", "sdm"]))
def test_random_data_fit_is_finite_and_order_free(n, seed, model):
    graph = random_graph(n, seed, True)
    rng = np.random.default_rng(seed)
    ids = [str(i) for i in graph.unique_ids]
    frame = pd.DataFrame({"id": ids, "y": rng.standard_normal(n), "x": rng.standard_normal(n)})
    panel = SpatialPanel(frame, id="id")
    shuffled = SpatialPanel(frame.sample(frac=1.0, random_state=seed % 97), id="id")
    a = fit(panel, graph, y="y", x=["x"], model=model, draws=0)
    b = fit(shuffled, graph, y="y", x=["x"], model=model, draws=0)
    assert np.isfinite(a.loglik) and np.all(np.isfinite(a.params))
    pd.testing.assert_series_equal(a.params, b.params, rtol=1e-8)
    lower, upper = a.rho_bounds
    logdet = EigenLogDet(weights_matrix(graph))
    for value in np.linspace(lower, upper, 9)[1:-1]:
        assert np.isfinite(logdet(value))


def test_lr_test_of_nested_models():
    graph = random_graph(30, 1, True)
    rng = np.random.default_rng(1)
    ids = [str(i) for i in graph.unique_ids]
    panel = SpatialPanel(pd.DataFrame({"id": ids, "y": rng.standard_normal(30), "x": rng.standard_normal(30)}), id="id")
    sdm = fit(panel, graph, y="y", x=["x"], model="sdm", draws=0)
    sar = fit(panel, graph, y="y", x=["x"], model="sar", draws=0)
    test = lr_test(sdm, sar)
    assert test.df == 1 and test.statistic == pytest.approx(2 * (sdm.loglik - sar.loglik))
    with pytest.raises(SpatialPanelError, match="swap them"):
        lr_test(sar, sdm)
