"""AHP, combined weights and the obstacle degree against hand-derived values.

AHP references: for a consistent matrix a_ij = w_i / w_j the weights are w and CR = 0; for any
3 x 3 reciprocal matrix with a12 = a, a13 = b, a23 = c the principal eigenvalue has the closed
form lambda_max = 1 + (b / (a c))^(1/3) + (a c / b)^(1/3) (the characteristic polynomial is
lambda^3 - 3 lambda^2 - (b / (a c) + a c / b - 2) = 0), which is checked independently of
numpy's eigen-solver. The textbook matrix [[1, 3, 5], [1/3, 1, 3], [1/5, 1/3, 1]] gives the
commonly printed w = (0.637, 0.258, 0.105), CR = 0.033.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spatial import datasets
from spatial.errors import SchemaError
from spatial.indices import RANDOM_INDEX, ahp_weights, combine_weights, composite_index, obstacle_degree


def test_consistent_matrix_recovers_its_weights():
    w = np.array([0.5, 0.25, 0.15, 0.1])
    result = ahp_weights(w[:, None] / w[None, :])
    assert result.weights["weight"].to_numpy() == pytest.approx(w, rel=1e-10)
    assert result.lambda_max == pytest.approx(4.0, rel=1e-12) and abs(result.cr) < 1e-10
    for method in ("geometric", "arithmetic"):
        assert ahp_weights(w[:, None] / w[None, :], method=method).weights["weight"].to_numpy() == pytest.approx(w)


def test_three_by_three_closed_form_and_textbook_values():
    a, b, c = 3.0, 5.0, 3.0
    matrix = np.array([[1, a, b], [1 / a, 1, c], [1 / b, 1 / c, 1]])
    result = ahp_weights(matrix)
    lam = 1 + (b / (a * c)) ** (1 / 3) + (a * c / b) ** (1 / 3)
    assert result.lambda_max == pytest.approx(lam, rel=1e-10)
    assert result.ci == pytest.approx((lam - 3) / 2, rel=1e-10)
    assert result.cr == pytest.approx((lam - 3) / 2 / 0.58, rel=1e-10) and result.ri == RANDOM_INDEX[3] == 0.58
    assert result.weights["weight"].round(3).tolist() == [0.637, 0.258, 0.105]
    summary = result.summary()
    assert summary.loc[0, ["n", "consistent", "forced"]].tolist() == [3, True, False]


def test_inconsistent_and_malformed_matrices_are_refused():
    bad = np.array([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])  # a > b > c > a
    with pytest.raises(SchemaError, match=r"inconsistent: CR = \d+\.\d+ > 0.1 .*force=True"):
        ahp_weights(bad)
    forced = ahp_weights(bad, force=True)
    assert forced.forced and not forced.consistent and forced.cr > 0.1
    labelled = pd.DataFrame([[1, 2], [0.4, 1]], index=["x", "y"], columns=["x", "y"])
    with pytest.raises(SchemaError, match=r"not reciprocal .* at .\(x, y\)"):
        ahp_weights(labelled)
    with pytest.raises(SchemaError, match="must be positive"):
        ahp_weights(np.array([[1, -2], [-0.5, 1]]))
    with pytest.raises(SchemaError, match="must be square"):
        ahp_weights(np.ones((2, 3)))


def test_combine_rules_by_hand():
    s, o = pd.Series({"a": 3.0, "b": 1.0}), pd.Series({"a": 0.2, "b": 0.8})  # s rescaled to (0.75, 0.25)
    product = combine_weights(s, o)
    assert product["weight"].tolist() == pytest.approx([0.15 / 0.35, 0.2 / 0.35], rel=1e-12)
    linear = combine_weights(s, o, rule="linear", alpha=0.3)
    assert linear["weight"].tolist() == pytest.approx([0.3 * 0.75 + 0.7 * 0.2, 0.3 * 0.25 + 0.7 * 0.8], rel=1e-12)
    assert linear["rule"].iloc[0] == "linear: w = 0.3 s + 0.7 o"
    with pytest.raises(SchemaError, match="unmatched: 'b', 'c'"):
        combine_weights(s, pd.Series({"a": 1.0, "c": 1.0}))


@pytest.fixture
def produc_system():
    produc = datasets.load("us_produc")
    system = pd.DataFrame(
        {
            "indicator": ["gsp", "pcap", "emp", "unemp"],
            "direction": ["positive", "positive", "positive", "negative"],
            "subsystem": ["economy", "economy", "labour", "labour"],
            "weight": [0.4, 0.1, 0.3, 0.2],
        }
    )
    return produc, system


def test_composite_index_with_combined_weights(produc_system):
    produc, system = produc_system
    entropy = composite_index(produc, system, id="fips", time="year")
    combined = composite_index(produc, system, id="fips", time="year", combine="multiplicative")
    overall = entropy.weights[entropy.weights["scope"] == "index"].set_index("indicator")["weight"]
    s = system.set_index("indicator")["weight"]
    expected = s * overall / (s * overall).sum()
    got = combined.weights[combined.weights["scope"] == "index"].set_index("indicator")["weight"]
    assert got.to_numpy() == pytest.approx(expected.reindex(got.index).to_numpy(), rel=1e-12)
    assert combined.options["combine"] == "multiplicative: w = s o / sum(s o)"
    with pytest.raises(SchemaError, match="is not objective"):
        composite_index(produc, system, id="fips", time="year", weighting="equal", combine="linear")


def test_obstacle_degree_by_hand():
    data = pd.DataFrame({"id": ["a", "b", "c"], "x": [0.0, 5.0, 10.0], "y": [0.0, 2.0, 4.0]})
    system = pd.DataFrame({"indicator": ["x", "y"], "direction": ["positive", "negative"], "weight": [0.75, 0.25]})
    index = composite_index(data, system, id="id", weighting="user")
    result = obstacle_degree(index)
    table = result.indicators.set_index(["id", "indicator"])
    # b: normalised x = 0.5, y = 0.5 -> deviations 0.5, 0.5 -> 0.375 / 0.5 and 0.125 / 0.5
    assert table.loc[("b", "x"), "obstacle"] == pytest.approx(0.75) and table.loc[("b", "y"), "obstacle"] == 0.25
    # a: x = 0 (deviation 1), y = 0 at its best (deviation 0) -> x holds all the obstacle
    assert table.loc[("a", "x"), "obstacle"] == 1.0 and table.loc[("a", "x"), "rank"] == 1
    assert result.top(1).set_index("id").loc["a", "obstacle_1"] == "x"
    assert table.loc[("c", "y"), "obstacle"] == 1.0
    best = pd.concat([data, pd.DataFrame({"id": ["d"], "x": [10.0], "y": [0.0]})])
    with pytest.raises(SchemaError, match=r"reach the best value of every weighted indicator \(\['d'\]\)"):
        obstacle_degree(composite_index(best, system, id="id", weighting="user"))


def test_obstacle_degree_by_subsystem_and_period(produc_system):
    produc, system = produc_system
    for pooling in ("pooled", "per_period"):
        result = obstacle_degree(composite_index(produc, system, id="fips", time="year", pooling=pooling))
        sums = result.indicators.groupby(["fips", "year"])["obstacle"].sum()
        assert np.allclose(sums, 1.0)
        sub = result.subsystems.groupby(["fips", "year"])["obstacle"].sum()
        assert np.allclose(sub, 1.0) and set(result.subsystems["subsystem"]) == {"economy", "labour"}
        assert result.top(3).shape[0] == produc.shape[0]
    with pytest.raises(SchemaError, match="normalize='minmax'"):
        obstacle_degree(composite_index(produc, system, id="fips", time="year", normalize="zscore", weighting="cv"))
