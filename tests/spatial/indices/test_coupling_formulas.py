"""Coupling degree formulas against hand-computed values.

Classical: C = [prod U / (mean U)^n]^k, k = 1/n by default (k = 5 as in two-subsystem studies);
revised (Wang Shujia et al. 2021, 自然资源学报 36(3): 793-810):
C = sqrt[(1 - sum_{i<j} |U_i - U_j| / sum_{m=1}^{n-1} m) * prod (U_i / max U)^(1/(n-1))].
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from spatial.errors import SchemaError
from spatial.indices import coupling_coordination
from spatial.indices.coupling import coupling_degree


def test_two_subsystems_by_hand():
    u = pd.DataFrame({"id": ["a", "b"], "x": [0.2, 0.5], "y": [0.8, 0.5]})
    classical = coupling_coordination(u, ["x", "y"], id="id").table
    assert classical["C"].tolist() == pytest.approx([0.8, 1.0], rel=1e-12)
    k5 = coupling_coordination(u, ["x", "y"], id="id", exponent=5).table
    assert k5["C"].tolist() == pytest.approx([0.64**5, 1.0], rel=1e-12)
    assert k5["D"].iloc[0] == pytest.approx(math.sqrt(0.64**5 * 0.5), rel=1e-12)
    assert k5["formula"].iloc[0] == "classical: C = [prod U_i / (mean U)^n]^k, n = 2, k = 5"
    revised = coupling_coordination(u, ["x", "y"], id="id", formula="revised")
    assert revised.table["C"].tolist() == pytest.approx([math.sqrt(0.4 * 0.25), 1.0], rel=1e-12)
    assert revised.options["exponent"] is None and revised.table["formula"].str.startswith("revised").all()


def test_three_subsystems_by_hand():
    u = np.array([[0.2, 0.4, 0.8]])
    # classical: 3 * (0.064)^(1/3) / 1.4
    assert coupling_degree(u)[0] == pytest.approx(3 * 0.064 ** (1 / 3) / 1.4, rel=1e-12)
    # revised: spread (0.2 + 0.6 + 0.4) / 3 = 0.4; ratios 0.25 * 0.5 * 1 = 0.125, ^(1/2)
    assert coupling_degree(u, formula="revised")[0] == pytest.approx(math.sqrt(0.6 * math.sqrt(0.125)), rel=1e-12)


def test_revised_is_less_compressed_near_one():
    u = np.column_stack([np.full(5, 0.5), np.linspace(0.3, 0.7, 5)])
    classical, revised = coupling_degree(u), coupling_degree(u, formula="revised")
    assert classical.min() > 0.96 and revised.min() < 0.75
    assert np.all(revised <= classical + 1e-12)


def test_zero_and_option_errors():
    assert coupling_degree(np.array([[0.0, 0.5]]), formula="revised")[0] == 0.0
    u = pd.DataFrame({"id": ["a"], "x": [0.2], "y": [0.8]})
    with pytest.raises(SchemaError, match="has no adjustment exponent"):
        coupling_coordination(u, ["x", "y"], id="id", formula="revised", exponent=2)
    with pytest.raises(SchemaError, match="exponent must be a positive number"):
        coupling_coordination(u, ["x", "y"], id="id", exponent=0)
    with pytest.raises(ValueError, match="formula='wang' is not allowed"):
        coupling_coordination(u, ["x", "y"], id="id", formula="wang")
