"""Block weights and user-supplied adjacency (edge lists and full matrices)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.weights.helpers import edges_of
from weights import WeightsError, from_edges, from_matrix
from weights.block import block


def test_block_weights_by_region(mainland):
    w = block(mainland, id="adcode", group="region")
    sizes = mainland["region"].value_counts()
    assert w.n_edges == int((sizes * (sizes - 1)).sum())
    east = set(mainland.loc[mainland["region"] == mainland.loc[0, "region"], "adcode"]) - {mainland.loc[0, "adcode"]}
    assert set(w.neighbors[mainland.loc[0, "adcode"]]) == east


def test_block_shuffled_and_missing_groups():
    units = pd.DataFrame({"id": ["a", "b", "c", "d"], "g": ["x", "y", "x", "x"]})
    assert edges_of(block(units.iloc[::-1], id="id", group="g")) == edges_of(block(units, id="id", group="g"))
    with pytest.raises(WeightsError, match="1 units have no 'g'"):
        block(units.assign(g=["x", None, "x", "x"]), id="id", group="g")
    with pytest.raises(WeightsError, match="no group column 'grp'"):
        block(units, id="id", group="grp")


def test_edge_list_with_islands_and_weights():
    edges = pd.DataFrame({"from": ["01", "02"], "to": ["02", "03"], "w": ["0.5", "2"]})
    g = from_edges(edges, ids=["01", "02", "03", "04"], focal="from", neighbor="to", weight="w", symmetric=True)
    assert g.adjacency[("02", "01")] == 0.5 and g.adjacency[("03", "02")] == 2.0
    assert list(map(str, g.isolates)) == ["04"]


@pytest.mark.parametrize(("rows", "message"), [
    ({"focal": ["a", "a"], "neighbor": ["b", "b"]}, "repeat a link"),
    ({"focal": ["a"], "neighbor": ["a"]}, "own neighbours"),
    ({"focal": ["a"], "neighbor": ["zz"]}, "not among the 2 units"),
])
def test_bad_edge_lists(rows, message):
    with pytest.raises(WeightsError, match=message):
        from_edges(pd.DataFrame(rows), ids=["a", "b"])


def test_negative_and_missing_edge_weights_are_located():
    edges = pd.DataFrame({"focal": ["a", "b"], "neighbor": ["b", "a"], "weight": [1.0, -1.0]})
    with pytest.raises(WeightsError, match=r"negative weights, the first at \('b', 'a'\)"):
        from_edges(edges, weight="weight")
    with pytest.raises(WeightsError, match=r"rows 2"):
        from_edges(edges.assign(weight=[1.0, "x"]), weight="weight")


def test_full_matrix_checks():
    with pytest.raises(WeightsError, match="2 x 3"):
        from_matrix(pd.DataFrame(np.zeros((2, 3)), index=["a", "b"], columns=["a", "b", "c"]))
    with pytest.raises(WeightsError, match=r"\(b, a\) = ''"):
        from_matrix(pd.DataFrame([[0, 1], ["", 0]], index=["a", "b"], columns=["a", "b"]))
    with pytest.raises(WeightsError, match=r"infinite weights, the first at \('a', 'b'\)"):
        from_matrix(pd.DataFrame([[0, np.inf], [1, 0]], index=["a", "b"], columns=["a", "b"]))
    with pytest.raises(WeightsError, match="repeats row ids"):
        from_matrix(pd.DataFrame(np.zeros((2, 2)), index=["a", "a"], columns=["a", "b"]))
    allowed = from_matrix(pd.DataFrame([[1, 1], [1, 0]], index=["a", "b"], columns=["a", "b"]), allow_self=True)
    assert allowed.adjacency[("a", "a")] == 1.0
