"""Weights files: round trips in every format, reference files, id checks, hostile cells."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from tests.weights.helpers import REFERENCE, edges_of, quiet
from weights import WeightsError, inverse_distance, queen, read_weights, row_standardize, write_weights
from weights._graph import graph_from_sparse, matrix_of

FORMATS = [("w.gal", None), ("w.gwt", None), ("w.csv", None), ("w_full.csv", "matrix"), ("w.xlsx", None),
           ("w.mtx", None), ("w.mat", None), ("w.dta", None)]


@pytest.fixture(scope="module")
def chinese_weights(provinces, capitals):
    named = provinces.assign(name=provinces["name_zh"])
    binary = quiet(queen, named, id="name")  # Chinese ids, two islands
    weighted = row_standardize(inverse_distance(capitals, id="province_adcode", xy=("lon", "lat"),
                                                metric="haversine", alpha=2))
    return binary, weighted


@pytest.mark.parametrize(("name", "fmt"), FORMATS)
def test_round_trip_keeps_ids_islands_and_every_digit(tmp_path, chinese_weights, name, fmt):
    for graph in chinese_weights:
        if name.endswith(".gal") and graph.transformation == "R":
            continue  # GAL stores neighbours only (tested below)
        path = tmp_path / f"{graph.transformation}_{name}"
        write_weights(graph, path, format=fmt)
        back = read_weights(path, ids=list(graph.unique_ids), format=fmt)
        assert back.adjacency.index.equals(graph.adjacency.index)
        assert_allclose(back.adjacency.to_numpy(), graph.adjacency.to_numpy(), rtol=1e-15, atol=0)
        assert list(map(str, back.isolates)) == list(map(str, graph.isolates))


def test_the_reference_gal_files_read_with_text_ids():
    columbus = read_weights(REFERENCE / "weights_columbus_queen" / "columbus_queen.gal")
    assert columbus.n == 49 and columbus.n_edges == 236 and columbus.unique_ids[0] == "1"
    edges = read_weights(REFERENCE / "weights_columbus_queen" / "columbus_queen_edges.csv")
    assert edges_of(edges) == edges_of(columbus)
    us = read_weights(REFERENCE / "weights_us48_queen" / "us48_queen_produc.gal")
    assert us.n_edges == 214


def test_reading_reorders_to_the_data_and_checks_ids(tmp_path):
    g = graph_from_sparse(np.array([[0, 1.0, 0], [1.0, 0, 2.0], [0, 2.0, 0]]), ["01", "02", "03"])
    write_weights(g, tmp_path / "w.gwt")
    back = read_weights(tmp_path / "w.gwt", ids=["03", "01", "02"])
    assert list(back.unique_ids) == ["03", "01", "02"] and back.adjacency[("03", "02")] == 2.0
    with pytest.raises(WeightsError, match=r"3 only in the weights file w.gwt .* leading zeros"):
        read_weights(tmp_path / "w.gwt", ids=["1", "2", "3"])


def test_gal_refuses_weighted_links(tmp_path, chinese_weights):
    with pytest.raises(WeightsError, match="GAL files store neighbours only"):
        write_weights(chinese_weights[1], tmp_path / "w.gal")
    assert not (tmp_path / "w.gal").exists()


def test_geoda_gwt_without_island_lines_needs_the_data_ids(tmp_path):
    (tmp_path / "geoda.gwt").write_text("0 3 units code\na b 1.5\nb a 1.5\n", encoding="utf-8")
    with pytest.raises(WeightsError, match="1 islands are unnamed"):
        read_weights(tmp_path / "geoda.gwt")
    g = read_weights(tmp_path / "geoda.gwt", ids=["a", "b", "c"])
    assert list(map(str, g.isolates)) == ["c"] and g.adjacency[("a", "b")] == 1.5


def test_full_matrix_columns_are_matched_by_id_and_mislabelled_ones_refused(tmp_path):
    (tmp_path / "ok.csv").write_text("id,b,a\na,1,0\nb,0,1\n", encoding="utf-8")
    g = read_weights(tmp_path / "ok.csv")
    assert list(g.unique_ids) == ["a", "b"] and g.adjacency[("a", "b")] == 1.0
    (tmp_path / "bad.csv").write_text("id,a,c\na,0,1\nb,1,0\n", encoding="utf-8")
    with pytest.raises(WeightsError, match=r"1 only in the columns of bad.csv \('c'\), 1 only in the data \('b'\)"):
        read_weights(tmp_path / "bad.csv")


def test_leading_zero_ids_survive_excel(tmp_path):
    g = graph_from_sparse(np.array([[0, 1.0], [1.0, 0]]), ["01001", "=cmd"])
    write_weights(g, tmp_path / "w.xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "w.xlsx").active
    assert sheet.cell(row=1, column=3).data_type == "s"  # a formula-looking id is stored as text
    assert list(read_weights(tmp_path / "w.xlsx").unique_ids) == ["01001", "=cmd"]
    write_weights(g, tmp_path / "w.csv")
    assert "'=cmd" in (tmp_path / "w.csv").read_text(encoding="utf-8")
    assert list(read_weights(tmp_path / "w.csv").unique_ids) == ["01001", "=cmd"]


def test_files_without_ids(tmp_path):
    from scipy.io import mmwrite, savemat
    from scipy.sparse import coo_matrix

    dense = np.array([[0, 1.0, 0], [1.0, 0, 1.0], [0, 1.0, 0]])
    savemat(tmp_path / "elhorst.mat", {"W": dense})
    assert list(read_weights(tmp_path / "elhorst.mat").unique_ids) == ["1", "2", "3"]
    named = read_weights(tmp_path / "elhorst.mat", ids=["x", "y", "z"])
    assert named.neighbors["y"] == ("x", "z")
    mmwrite(tmp_path / "plain.mtx", coo_matrix(dense))
    with pytest.raises(WeightsError, match="3 x 3 but 2 ids"):
        read_weights(tmp_path / "plain.mtx", ids=["x", "y"])


def test_existing_files_are_not_overwritten(tmp_path, chinese_weights):
    target = tmp_path / "w.gwt"
    target.write_text("keep me", encoding="utf-8")
    with pytest.raises(WeightsError, match="already exists"):
        write_weights(chinese_weights[1], target)
    assert target.read_text(encoding="utf-8") == "keep me"
    write_weights(chinese_weights[1], target, overwrite=True)
    assert read_weights(target).n == 34


def test_a_full_matrix_above_5000_units_needs_force(tmp_path):
    n = 5001
    chain = graph_from_sparse(_sparse_chain(n), [f"u{k}" for k in range(n)])
    with pytest.raises(WeightsError, match="full 5001 x 5001 matrix"):
        write_weights(chain, tmp_path / "w.xlsx")
    assert list(tmp_path.iterdir()) == []


def _sparse_chain(n: int):
    from scipy import sparse

    return sparse.diags_array([np.ones(n - 1), np.ones(n - 1)], offsets=[1, -1], shape=(n, n))


def test_ids_with_spaces_need_a_csv(tmp_path):
    g = graph_from_sparse(np.array([[0, 1.0], [1.0, 0]]), ["New York", "Ohio"])
    with pytest.raises(WeightsError, match="cannot contain spaces"):
        write_weights(g, tmp_path / "w.gal")
    write_weights(g, tmp_path / "w.csv")
    assert list(read_weights(tmp_path / "w.csv").unique_ids) == ["New York", "Ohio"]


def test_unknown_extensions_are_named(tmp_path):
    with pytest.raises(WeightsError, match="unknown weights format '.txt'"):
        write_weights(graph_from_sparse(np.zeros((1, 1)), ["a"]), tmp_path / "w.txt")


def test_matrix_of_a_libpysal_graph_with_integer_ids():
    from libpysal.graph import Graph

    g = Graph.from_dicts({2: [1], 1: [2, 3], 3: [1]})
    assert_allclose(matrix_of(g).toarray(), [[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    assert pd.Index(g.unique_ids).tolist() == [2, 1, 3]
