"""Markov chains against giddy's published test values (see tests/reference/markov_giddy/README.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spatial.errors import IdMismatchError, SchemaError
from spatial.indices import lisa_markov, markov_chain, mean_first_passage, spatial_markov, steady_state


@pytest.fixture(scope="module")
def usjoin():
    import libpysal

    wide = pd.read_csv(libpysal.examples.get_path("usjoin.csv"))
    years = [str(y) for y in range(1929, 2010)]
    pci = wide[years].to_numpy(dtype=float)
    rpci = pci / pci.mean(axis=0)
    ids = [str(i) for i in range(len(wide))]
    long = pd.DataFrame(
        {
            "id": np.repeat(ids, len(years)),
            "year": np.tile(np.arange(1929, 2010), len(ids)),
            "pci": pci.reshape(-1),
            "rpci": rpci.reshape(-1),
        }
    ).sample(frac=1.0, random_state=0)  # shuffled: everything is keyed by id and year
    w = libpysal.io.open(libpysal.examples.get_path("states48.gal")).read()
    return long, w


def test_classic_markov_reproduces_giddy(usjoin):
    long, _ = usjoin
    m = markov_chain(long, "pci", id="id", time="year", k=5)
    expected = [[729, 71, 1, 0, 0], [72, 567, 80, 3, 0], [0, 81, 631, 86, 2], [0, 3, 86, 573, 56], [0, 0, 1, 57, 741]]
    np.testing.assert_array_equal(m.transitions, expected)
    p = [
        [0.91011236, 0.0886392, 0.00124844, 0.0, 0.0],
        [0.09972299, 0.78531856, 0.11080332, 0.00415512, 0.0],
        [0.0, 0.10125, 0.78875, 0.1075, 0.0025],
        [0.0, 0.00417827, 0.11977716, 0.79805014, 0.07799443],
        [0.0, 0.0, 0.00125156, 0.07133917, 0.92740926],
    ]
    np.testing.assert_allclose(m.p, p, atol=1e-8)
    np.testing.assert_allclose(m.steady_state, [0.20774716, 0.18725774, 0.20740537, 0.18821787, 0.20937187], atol=1e-8)
    mfpt = [
        [4.81354357, 11.50292712, 29.60921231, 53.38594954, 103.59816743],
        [42.04774505, 5.34023324, 18.74455332, 42.50023268, 92.71316899],
        [69.25849753, 27.21075248, 4.82147603, 25.27184624, 75.43305672],
        [84.90689329, 42.85914824, 17.18082642, 5.31299186, 51.60953369],
        [98.41295543, 56.36521038, 30.66046735, 14.21158356, 4.77619083],
    ]
    np.testing.assert_allclose(m.mfpt, mfpt, rtol=1e-7)
    np.testing.assert_allclose(m.sojourn, [11.125, 4.65806452, 4.73372781, 4.95172414, 13.77586207], rtol=1e-7)
    table = m.table()
    assert table.columns.tolist() == ["t \\ t+1", "n", "Q1", "Q2", "Q3", "Q4", "Q5"]
    assert table["n"].tolist() == [801, 722, 800, 718, 799]


def test_spatial_markov_reproduces_giddy(usjoin):
    long, w = usjoin
    sm = spatial_markov(long, "rpci", w, id="id", time="year", k=5, m=5, pooling="pooled")
    s = [
        [0.43509425, 0.2635327, 0.20363044, 0.06841983, 0.02932278],
        [0.13391287, 0.33993305, 0.25153036, 0.23343016, 0.04119356],
        [0.12124869, 0.21137444, 0.2635101, 0.29013417, 0.1137326],
        [0.0776413, 0.19748806, 0.25352636, 0.22480415, 0.24654013],
        [0.01776781, 0.19964349, 0.19009833, 0.25524697, 0.3372434],
    ]
    np.testing.assert_allclose(sm.S, s, atol=1e-7)
    f0 = [
        [2.29835259, 28.95614035, 46.14285714, 80.80952381, 279.42857143],
        [33.86549708, 3.79459555, 22.57142857, 57.23809524, 255.85714286],
        [43.60233918, 9.73684211, 4.91085714, 34.66666667, 233.28571429],
        [46.62865497, 12.76315789, 6.25714286, 14.61564626, 198.61904762],
        [52.62865497, 18.76315789, 12.25714286, 6.0, 34.1031746],
    ]
    np.testing.assert_allclose(sm.F[0], f0, rtol=1e-7)
    chi = [
        [4.05598541e01, 6.44644317e-04, 16],
        [5.54751974e01, 2.97033748e-06, 16],
        [1.77528996e01, 3.38563882e-01, 16],
        [4.00390961e01, 7.68422046e-04, 16],
        [4.67966803e01, 7.32512065e-05, 16],
    ]
    np.testing.assert_allclose(sm.chi2[["chi2", "pvalue", "dof"]].to_numpy(dtype=float), chi, rtol=1e-6)
    tests = sm.tests()
    assert tests["test"].iloc[0].startswith("Q") and tests["dof"].iloc[0] > 0
    assert sm.table()["lag"].iloc[0] == "all" and len(sm.table()) == 6 * 5


def test_spatial_markov_with_cutoffs_reproduces_giddy(usjoin):
    long, w = usjoin
    cc = [0.8, 0.9, 1, 1.2]
    sm = spatial_markov(long, "rpci", w, id="id", time="year", breaks=cc, lag_breaks=cc)
    np.testing.assert_allclose(sm.P[0][0], [0.96703297, 0.03296703, 0.0, 0.0, 0.0], atol=1e-8)
    np.testing.assert_allclose(sm.P[2][2], [0.0, 0.05919003, 0.84735202, 0.09034268, 0.00311526], atol=1e-8)
    np.testing.assert_allclose(sm.P[4][4], [0.0, 0.0, 0.0, 0.03932584, 0.96067416], atol=1e-8)
    assert not sm.P[4][:2].any()  # no transitions from the two lowest classes with the richest neighbours


def test_lisa_markov_reproduces_giddy(usjoin):
    long, w = usjoin
    lm = lisa_markov(long, "pci", w, id="id", time="year")
    transitions = [[1087, 44, 4, 34], [41, 470, 36, 1], [5, 34, 1422, 39], [30, 1, 40, 552]]
    np.testing.assert_array_equal(lm.transitions, transitions)
    np.testing.assert_allclose(lm.steady_state, [0.28561505, 0.14190226, 0.40493672, 0.16754598], atol=1e-8)
    assert lm.labels == ["HH", "LH", "LL", "HL"]


def test_chain_formulas_by_hand():
    p = np.array([[0.9, 0.1], [0.5, 0.5]])
    pi = steady_state(p)
    assert pi == pytest.approx([5 / 6, 1 / 6])
    m = mean_first_passage(p)
    assert m[0, 1] == pytest.approx(10.0) and m[1, 0] == pytest.approx(2.0)  # geometric waiting times
    assert np.diag(m) == pytest.approx(1 / pi)
    assert np.isnan(mean_first_passage(np.array([[1.0, 0.0], [0.5, 0.5]]))).all()  # absorbing: reducible


def test_bad_inputs():
    d = pd.DataFrame({"id": list("abc") * 2, "t": [1] * 3 + [2] * 3, "y": [1.0, 2, 3, 2, 1, 3]})
    with pytest.raises(SchemaError, match="5 quantile classes of 'y' need at least 5 units .period 1 has 3"):
        markov_chain(d, "y", id="id", time="t", k=5)
    with pytest.raises(SchemaError, match=r"missing: '\(c, 2\)'"):
        markov_chain(d.iloc[:-1], "y", id="id", time="t", k=2)
    with pytest.raises(SchemaError, match="too many tied values"):
        markov_chain(d.assign(y=1.0), "y", id="id", time="t", k=2)
    from libpysal.graph import Graph

    other = Graph.from_arrays(["a", "b", "x", "b"], ["b", "a", "b", "x"], [1.0] * 4)
    with pytest.raises(IdMismatchError, match="only in the data 'c', only in the weights 'x'"):
        spatial_markov(d, "y", other, id="id", time="t", k=2)
