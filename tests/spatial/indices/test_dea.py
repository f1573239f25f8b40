"""DEA models against the Cooper-Seiford-Tone stores example, hand-derived values and identities.

See tests/reference/dea_cst/README.md. Undesirable outputs by hand, units A (x=1, y=1, b=1) and
B (x=1, y=1, b=2), CRS: B is A with one more unit of the bad output, so SBM(B) =
1 / (1 + (1/2)(0/1 + 1/2)) = 0.8. Super-SBM of A against {B}: with lam in [1/2, 1], sg = 1 - lam
and sb = 2 lam - 1, the ratio 1 / (1 - lam / 2) is smallest at lam = 1/2: 4/3; lam < 1/2 is worse.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from spatial.errors import NumericalError, SchemaError
from spatial.indices import dea, gml, malmquist

REFERENCE = Path(__file__).resolve().parents[2] / "reference" / "dea_cst"


@pytest.fixture(scope="module")
def stores():
    return pd.read_csv(REFERENCE / "stores.csv")


@pytest.mark.parametrize(
    ("model", "orientation", "column"),
    [
        ("ccr", "input", "ccr"),
        ("ccr", "output", "ccr"),
        ("bcc", "input", "bcc_input"),
        ("bcc", "output", "bcc_output"),
        ("sbm", "input", "sbm"),
        ("super_sbm", "input", "super_sbm"),
    ],
)
@pytest.mark.parametrize("solver", ["batched", "loop"])
def test_stores_example(stores, model, orientation, column, solver):
    result = dea(stores, ["employees"], ["sales"], id="store", model=model, orientation=orientation, solver=solver)
    assert result.table["efficiency"].to_numpy() == pytest.approx(stores[column].to_numpy(), rel=1e-7)
    assert result.table["store"].tolist() == stores["store"].tolist()


def test_undesirable_outputs_by_hand():
    data = pd.DataFrame({"u": ["A", "B"], "x": [1.0, 1.0], "y": [1.0, 1.0], "b": [1.0, 2.0]})
    with pytest.warns(UserWarning, match="fewer units than"):
        sbm = dea(data, ["x"], ["y"], ["b"], id="u", model="sbm").table
    assert sbm["efficiency"].tolist() == pytest.approx([1.0, 0.8], rel=1e-8)
    assert sbm["slack_b"].tolist() == pytest.approx([0.0, 1.0], abs=1e-8)
    with pytest.warns(UserWarning, match="fewer units than"):
        sup = dea(data, ["x"], ["y"], ["b"], id="u", model="super_sbm").table
    assert sup["efficiency"].tolist() == pytest.approx([4 / 3, 0.8], rel=1e-8)
    assert sup["super_efficient"].tolist() == [True, False]
    assert sup["model"].iloc[0].startswith("super-SBM (Tone 2002)")


def _panel(n=40, periods=3, seed=0):
    rng = np.random.default_rng(seed)
    size = np.repeat(rng.lognormal(0, 1, n), periods)
    x = size[:, None] * rng.lognormal(0, 0.3, (n * periods, 2))
    y = np.sqrt(x.prod(axis=1)) * rng.uniform(0.4, 1, n * periods)
    bad = size * rng.lognormal(0, 0.4, n * periods)
    return pd.DataFrame(
        {
            "id": np.repeat([f"u{i:02d}" for i in range(n)], periods),
            "year": np.tile(np.arange(2000, 2000 + periods), n),
            "k": x[:, 0], "l": x[:, 1], "gdp": y, "co2": bad,
        }
    ).sample(frac=1.0, random_state=1)  # shuffled rows: results are keyed by id, not position


@pytest.mark.parametrize("model", ["ccr", "bcc", "sbm", "super_sbm"])
@pytest.mark.parametrize("frontier", ["contemporaneous", "global"])
def test_batched_column_generation_equals_the_plain_loop(model, frontier):
    data = _panel()
    bad = ["co2"] if "sbm" in model else []
    kwargs = dict(id="id", time="year", model=model, frontier=frontier, rts="vrs" if model == "sbm" else "crs")
    fast = dea(data, ["k", "l"], ["gdp"], bad, **kwargs).table
    slow = dea(data, ["k", "l"], ["gdp"], bad, solver="loop", **kwargs).table
    assert fast["efficiency"].to_numpy() == pytest.approx(slow["efficiency"].to_numpy(), rel=1e-7, abs=1e-9)
    assert (fast["efficiency"] <= 1 + 1e-9).all() or model == "super_sbm"


def test_malmquist_decomposition_and_single_ratio():
    data = _panel()
    result = malmquist(data, ["k", "l"], ["gdp"], id="id", time="year")
    table = result.table
    assert table["tfpch"].to_numpy() == pytest.approx((table["effch"] * table["techch"]).to_numpy(), rel=1e-12)
    assert table["effch"].to_numpy() == pytest.approx((table["pech"] * table["sech"]).to_numpy(), rel=1e-12)
    loop = malmquist(data, ["k", "l"], ["gdp"], id="id", time="year", solver="loop").table
    assert table["tfpch"].to_numpy() == pytest.approx(loop["tfpch"].to_numpy(), rel=1e-7)
    # one input, one output, CRS: the index is the unit's own productivity ratio
    one = malmquist(data, ["k"], ["gdp"], id="id", time="year", orientation="output").table
    wide = data.assign(p=data["gdp"] / data["k"]).pivot(index="id", columns="year", values="p")
    expected = (wide[2001] / wide[2000]).reindex(one.loc[one["period"] == 2001, "id"]).to_numpy()
    assert one.loc[one["period"] == 2001, "tfpch"].to_numpy() == pytest.approx(expected, rel=1e-7)


def test_gml_identities():
    data = _panel()
    result = gml(data, ["k", "l"], ["gdp"], ["co2"], id="id", time="year")
    table = result.table
    assert table["gml"].to_numpy() == pytest.approx((table["ec"] * table["bpc"]).to_numpy(), rel=1e-12)
    d = result.distances.pivot(index="id", columns="year", values="ddf_global")
    # circular: the product over 2000 -> 2002 is (1 + D^G(2000)) / (1 + D^G(2002))
    chained = table[table["period"] == 2002].set_index("id")["cumulative"]
    assert chained.to_numpy() == pytest.approx(((1 + d[2000]) / (1 + d[2002])).reindex(chained.index).to_numpy())
    loop = gml(data, ["k", "l"], ["gdp"], ["co2"], id="id", time="year", solver="loop").table
    assert table["gml"].to_numpy() == pytest.approx(loop["gml"].to_numpy(), rel=1e-7)
    one = gml(data, ["k"], ["gdp"], id="id", time="year").table  # no bad output: productivity ratio
    wide = data.assign(p=data["gdp"] / data["k"]).pivot(index="id", columns="year", values="p")
    expected = (wide[2002] / wide[2001]).reindex(one.loc[one["period"] == 2002, "id"]).to_numpy()
    assert one.loc[one["period"] == 2002, "gml"].to_numpy() == pytest.approx(expected, rel=1e-7)
    variable = result.panel_variable("gtfp")
    assert len(variable) == len(data) and (variable.loc[variable["year"] == 2000, "gtfp"] == 1).all()


def test_bad_inputs_are_named():
    data = _panel()
    zero = data.copy()
    zero.loc[zero.index[0], "k"] = 0.0
    with pytest.raises(SchemaError, match=r"input 'k' has 1 zero or negative values at .*remedies"):
        dea(zero, ["k", "l"], ["gdp"], id="id", time="year")
    with pytest.raises(SchemaError, match="has no undesirable outputs"):
        dea(data, ["k"], ["gdp"], ["co2"], id="id", time="year", model="ccr")
    with pytest.raises(SchemaError, match="balanced panel.*2001: u00"):
        malmquist(data[~((data["id"] == "u00") & (data["year"] == 2001))], ["k"], ["gdp"], id="id", time="year")
    with pytest.raises(SchemaError, match="at least 2 periods"):
        gml(data[data["year"] == 2000], ["k"], ["gdp"], id="id", time="year")


def test_infeasible_programs_are_named(monkeypatch):
    import importlib

    from spatial.indices._lp import Solution

    module = importlib.import_module("spatial.indices.dea")  # the module, not the function of that name

    real = module.solve

    def failing(programs, *, solver="batched"):
        sol = real(programs, solver=solver)
        status = sol.status.copy()
        status[0] = 2
        return Solution(sol.objective, sol.e, sol.lam_sum, status)

    monkeypatch.setattr(module, "solve", failing)
    data = _panel(periods=1).drop(columns="year")
    with pytest.raises(NumericalError, match=r"no solution for 1 units and periods: 'u\d\d'"):
        dea(data, ["k"], ["gdp"], id="id", model="ccr")
    with pytest.warns(UserWarning, match="left empty"):
        table = dea(data, ["k"], ["gdp"], id="id", model="ccr", infeasible="nan").table
    assert table["efficiency"].isna().sum() == 1
