"""Normalisation and indicator weights: a hand-worked entropy example, invariances, CRITIC and CV
against their formulas written out independently here."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from spatial.errors import SchemaError
from spatial.indices import (
    IndicatorWarning,
    composite_index,
    critic_weights,
    cv_weights,
    entropy_weights,
    indicator_system,
    normalize,
)
from spatial.indices.weighting import entropy_proportions

# Hand-worked example: 3 units, x1 positive (larger is better), x2 negative.
#   x1 = 2, 4, 8    -> min-max (x - 2) / 6        = 0, 1/3, 1
#   x2 = 30, 10, 20 -> min-max (30 - x) / 20      = 0, 1, 1/2
#   p1 = x1' / (4/3) = 0, 1/4, 3/4 ;  p2 = x2' / (3/2) = 0, 2/3, 1/3
#   e1 = -(1/4 ln 1/4 + 3/4 ln 3/4) / ln 3 = 0.5623351 / 1.0986123 = 0.5118595
#   e2 = -(2/3 ln 2/3 + 1/3 ln 1/3) / ln 3 = 0.6365142 / 1.0986123 = 0.5793802
#   d1 = 0.4881405, d2 = 0.4206198 ; w1 = d1 / (d1 + d2) = 0.5371499, w2 = 0.4628501
HAND = pd.DataFrame({"unit": ["a", "b", "c"], "x1": [2.0, 4.0, 8.0], "x2": [30.0, 10.0, 20.0]})
DIRECTIONS = {"x1": "positive", "x2": "negative"}


def test_entropy_hand_worked_every_step():
    x = normalize(HAND[["x1", "x2"]], DIRECTIONS)
    np.testing.assert_allclose(x["x1"], [0, 1 / 3, 1], rtol=1e-12)
    np.testing.assert_allclose(x["x2"], [0, 1, 1 / 2], rtol=1e-12)
    p = entropy_proportions(x)
    np.testing.assert_allclose(p["x1"], [0, 1 / 4, 3 / 4], rtol=1e-12)
    np.testing.assert_allclose(p["x2"], [0, 2 / 3, 1 / 3], rtol=1e-12)
    table = entropy_weights(x).set_index("indicator")
    e1 = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75)) / math.log(3)
    e2 = -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3)) / math.log(3)
    np.testing.assert_allclose(table["entropy"], [e1, e2], rtol=1e-12)
    np.testing.assert_allclose(table["entropy"], [0.5118595, 0.5793802], atol=5e-8)
    np.testing.assert_allclose(table["redundancy"], [0.4881405, 0.4206198], atol=5e-8)
    np.testing.assert_allclose(table["weight"], [0.5371499, 0.4628501], atol=5e-8)
    assert table["weight"].sum() == pytest.approx(1.0, abs=1e-15)

    result = composite_index(HAND, DIRECTIONS, id="unit")
    w1, w2 = table["weight"]
    np.testing.assert_allclose(result.scores["index"], [0.0, w1 / 3 + w2, w1 + w2 / 2], rtol=1e-12)
    assert result.ranks["index"].tolist() == [3, 2, 1]


def test_scaling_an_indicator_keeps_min_max_weights():
    rng = np.random.default_rng(7)
    data = pd.DataFrame(rng.lognormal(size=(40, 3)), columns=["a", "b", "c"]).assign(
        unit=[f"{i:03d}" for i in range(40)]
    )
    system = {"a": "positive", "b": "negative", "c": "positive"}
    base = composite_index(data, system, id="unit")
    scaled = composite_index(data.assign(a=data["a"] * 1000.0 + 5.0, b=data["b"] * 0.01), system, id="unit")
    for method in ("entropy", "critic", "cv"):
        w0 = composite_index(data, system, id="unit", weighting=method).weights["weight"]
        w1 = composite_index(data.assign(a=data["a"] * 1000.0), system, id="unit", weighting=method).weights["weight"]
        np.testing.assert_allclose(w0, w1, rtol=1e-12)
    np.testing.assert_allclose(base.scores["index"], scaled.scores["index"], rtol=1e-10)


def test_constant_indicator_gets_weight_zero_with_a_warning():
    data = HAND.assign(flat=5.0)
    with pytest.warns(IndicatorWarning, match="constant indicators.*'flat'"):
        result = composite_index(data, {**DIRECTIONS, "flat": "positive"}, id="unit")
    weights = result.weights.set_index("indicator")["weight"]
    assert weights["flat"] == 0.0
    np.testing.assert_allclose(weights[["x1", "x2"]], [0.5371499, 0.4628501], atol=5e-8)
    for method in ("critic", "cv"):
        with pytest.warns(IndicatorWarning):
            w = composite_index(data, {**DIRECTIONS, "flat": "positive"}, id="unit", weighting=method).weights
        assert w.set_index("indicator").loc["flat", "weight"] == 0.0


def test_shift_avoids_log_zero_and_is_recorded():
    result = composite_index(HAND, DIRECTIONS, id="unit", shift=0.01)
    assert result.options["shift"] == 0.01
    assert result.normalized[["x1", "x2"]].min().min() == pytest.approx(0.01)
    p = entropy_proportions(result.normalized[["x1", "x2"]])
    assert (p.to_numpy() > 0).all()


def test_critic_matches_its_formula():
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.uniform(size=(25, 4)), columns=list("abcd"))
    sd = x.std(ddof=1).to_numpy()
    r = np.array([[np.corrcoef(x[i], x[j])[0, 1] for j in x] for i in x])
    c = sd * (1 - r).sum(axis=1)
    np.testing.assert_allclose(critic_weights(x)["weight"], c / c.sum(), rtol=1e-12)


def test_cv_matches_its_formula():
    rng = np.random.default_rng(4)
    x = pd.DataFrame(rng.uniform(0.1, 1, size=(25, 3)), columns=list("abc"))
    v = x.std(ddof=1) / x.mean()
    np.testing.assert_allclose(cv_weights(x)["weight"], v / v.sum(), rtol=1e-12)


def test_zscore_normalisation_and_entropy_refusal():
    x = normalize(HAND[["x1", "x2"]], DIRECTIONS, method="zscore")
    np.testing.assert_allclose(x["x1"], (HAND["x1"] - HAND["x1"].mean()) / HAND["x1"].std(ddof=1))
    np.testing.assert_allclose(x["x2"], -(HAND["x2"] - HAND["x2"].mean()) / HAND["x2"].std(ddof=1))
    with pytest.raises(SchemaError, match="non-negative normalised values.*minmax"):
        composite_index(HAND, DIRECTIONS, id="unit", normalize="zscore")
    critic = composite_index(HAND, DIRECTIONS, id="unit", normalize="zscore", weighting="critic")
    assert critic.options["normalize"] == "zscore"


def test_per_period_pooling_normalises_and_weights_each_period():
    data = pd.concat([HAND.assign(year=2000), HAND.assign(year=2001, x1=HAND["x1"] * 10)], ignore_index=True)
    pooled = composite_index(data, DIRECTIONS, id="unit", time="year")
    per = composite_index(data, DIRECTIONS, id="unit", time="year", pooling="per_period")
    assert set(per.weights["year"]) == {2000, 2001}
    assert set(pooled.weights["year"]) == {"pooled"}
    # each period alone is the hand-worked example up to scale: the same weights
    np.testing.assert_allclose(per.weights["weight"], [0.5371499, 0.4628501] * 2, atol=5e-8)
    assert not np.allclose(pooled.scores["index"], per.scores["index"])


def test_user_and_equal_weights():
    spec = pd.DataFrame({"indicator": ["x1", "x2"], "direction": ["+", "负向"], "weight": [0.7, 0.3]})
    user = composite_index(HAND, spec, id="unit", weighting="user")
    np.testing.assert_allclose(user.weights["weight"], [0.7, 0.3])
    equal = composite_index(HAND, spec, id="unit", weighting="equal")
    np.testing.assert_allclose(equal.scores["index"], [0.0, (1 / 3 + 1) / 2, (1 + 0.5) / 2])


def test_indicator_system_directions_and_subsystems():
    system = indicator_system(
        pd.DataFrame(
            {
                "indicator": ["a", "b", "c"],
                "direction": ["Positive", "cost", "正"],
                "subsystem": ["eco", "eco", "env"],
            }
        )
    )
    assert system.directions == {"a": "positive", "b": "negative", "c": "positive"}
    assert system.subsystems == ["eco", "env"]
    assert system.members("eco") == ["a", "b"]
