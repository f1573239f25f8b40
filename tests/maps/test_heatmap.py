"""The weights matrix heatmap: every cell is W's weight (checked against libpysal's own matrix), units
ordered by region then id, island links outlined, labels up to 60 units (Chinese in a CJK font), and a
clear refusal above 400 units."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle

from maps.errors import MapInputError
from maps.heatmap import heatmap_order, weights_heatmap

GUANGDONG, HAINAN = "440000", "460000"


@pytest.fixture(scope="module")
def provinces():
    from spatial import datasets

    frame = datasets.load("china_provinces")
    mainland = frame[frame["mainland"]].copy()
    mainland.index = pd.Index(mainland["adcode"].astype(str), name="id")
    return mainland


@pytest.fixture(scope="module")
def queen(provinces):
    from weights.builder import build

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Hainan has no land neighbour before the island policy
        return build(provinces, kind="queen", islands="connect", transform="row")


def _cells(fig) -> np.ndarray:
    data = fig.axes[0].images[0].get_array()
    return np.ma.filled(data.astype(float), 0.0)


def _outlines(fig) -> set[tuple[int, int]]:
    """(row, column) of every outlined cell."""
    return {(round(p.get_y() + 0.5), round(p.get_x() + 0.5)) for p in fig.axes[0].patches if isinstance(p, Rectangle)}


def test_cells_are_the_weights_in_region_then_id_order(queen, provinces):
    graph = queen.graph
    added = [(link.island, link.neighbor) for link in queen.islands.added]
    assert added == [(HAINAN, GUANGDONG)]
    fig = weights_heatmap(graph.adjacency.reset_index(), ids=provinces.index, labels=provinces["name_zh"],
                          groups=provinces["region"], island_links=added, lang="zh")
    order = sorted(provinces.index, key=lambda i: (provinces.loc[i, "region"], int(i)))
    # the reference: libpysal's sparse matrix of the same graph, reordered
    ids = [str(i) for i in graph.unique_ids]
    dense = graph.sparse.toarray()
    at = [ids.index(i) for i in order]
    np.testing.assert_allclose(_cells(fig), dense[np.ix_(at, at)], rtol=0, atol=0)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [provinces.loc[i, "name_zh"] for i in order]
    assert [t.get_text() for t in ax.get_xticklabels()] == [provinces.loc[i, "name_zh"] for i in order]
    regions = [provinces.loc[i, "region"] for i in order]
    cuts = sum(1 for a, b in zip(regions, regions[1:], strict=False) if a != b)
    separators = [line for line in ax.get_lines() if line.get_color() == "#555555"]
    assert len(separators) == 2 * cuts and cuts == provinces["region"].nunique() - 1
    g, h = order.index(GUANGDONG), order.index(HAINAN)
    assert _outlines(fig) == {(h, g), (g, h)}
    assert ax.get_title() == "空间权重矩阵（31 个单元，69 条连接）"
    assert fig.legends and "为连接孤岛而添加的连接（1 条）" in fig.legends[0].get_texts()[0].get_text()


def test_chinese_labels_are_drawn_with_a_cjk_font(queen, provinces):
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    from maps._fonts import cjk_font

    family = cjk_font()
    assert family is not None, "no CJK font: run `make system-deps` (installs fonts-noto-cjk)"
    fig = weights_heatmap(queen.graph.adjacency.reset_index(), labels=provinces["name_zh"], lang="zh")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing" when it draws an empty box
        fig.savefig(io.BytesIO(), format="png", dpi=60)
    label = fig.axes[0].get_yticklabels()[0]
    assert any(c >= "\u4e00" for c in label.get_text())
    path = font_manager.findfont(label.get_fontproperties(), fallback_to_default=False)
    families = label.get_fontproperties().get_family()
    assert family in families
    cjk = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    assert FT2Font(cjk).get_char_index(ord(label.get_text()[0])) > 0 and path


def test_ids_order_without_groups_and_no_labels_above_60_units():
    n = 80
    ids = [f"{i:03d}" for i in range(n)]
    rows = [(ids[i], ids[j], 0.5) for i in range(n) for j in (i - 1, i + 1) if 0 <= j < n]
    edges = pd.DataFrame(rows, columns=["focal", "neighbor", "weight"])
    shuffled = edges.sample(frac=1, random_state=1)
    fig = weights_heatmap(shuffled, ids=list(reversed(ids)))
    cells = _cells(fig)
    assert np.allclose(np.diag(cells, 1), 0.5) and np.allclose(np.diag(cells, -1), 0.5)  # a band: numeric order
    assert cells.sum() == pytest.approx(0.5 * len(rows))
    assert fig.axes[0].get_xticks().size == 0 and fig.axes[0].get_yticks().size == 0
    assert fig.axes[0].get_xlabel() == "Neighbour (ordered by id)"
    assert heatmap_order(["10", "9", "100"]) == ["9", "10", "100"]


def test_an_island_is_an_empty_row_and_column():
    edges = pd.DataFrame({"focal": ["a", "b"], "neighbor": ["b", "a"], "weight": [1.0, 1.0]})
    fig = weights_heatmap(edges, ids=["c", "b", "a"])
    np.testing.assert_array_equal(_cells(fig), [[0, 1, 0], [1, 0, 0], [0, 0, 0]])


def test_more_than_400_units_are_refused_with_what_to_do():
    ids = [str(i) for i in range(401)]
    edges = pd.DataFrame({"focal": ids[:-1], "neighbor": ids[1:], "weight": 1.0})
    with pytest.raises(MapInputError, match=r"at most 400 units and W has 401.*links_map"):
        weights_heatmap(edges, ids=ids)
    weights_heatmap(edges.iloc[:399], ids=ids[:400])  # 400 is drawn


def test_bad_input_names_the_problem():
    edges = pd.DataFrame({"focal": ["a", "b"], "neighbor": ["b", "zz"], "weight": [1.0, np.inf]})
    with pytest.raises(MapInputError, match=r"1 weights are not finite numbers \(first: b->zz\)"):
        weights_heatmap(edges, ids=["a", "b"])
    with pytest.raises(MapInputError, match="names 1 ids that are not in ids: 'zz'"):
        weights_heatmap(edges.assign(weight=1.0), ids=["a", "b"])
    with pytest.raises(MapInputError, match="2 units have no group"):
        weights_heatmap(edges.iloc[:1], ids=["a", "b", "c"], groups={"a": "x"})
    with pytest.raises(MapInputError, match="island_links: 1 pairs are not pairs of units"):
        weights_heatmap(edges.iloc[:1], ids=["a", "b"], island_links=[("a", "q")])
