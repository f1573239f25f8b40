"""Moran scatter and Moran-over-time figures: content, PNG at 300 dpi and SVG, Chinese labels
rendered with a CJK glyph, graceful fallback (a warning, ids instead of boxes) without a CJK font."""

from __future__ import annotations

import struct
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from spatial import SpatialPanel
from spatial.errors import OutputError
from spatial.esda import FontWarning, font, local_moran, moran, moran_over_time, moran_scatter, save_figure


@pytest.fixture(scope="module")
def china():
    from spatial.datasets import data_dir

    provinces = gpd.read_parquet(data_dir() / "china" / "provinces.parquet")
    provinces = provinces[provinces["mainland"]].assign(adcode=lambda f: f["adcode"].astype(str))
    rng = np.random.default_rng(0)
    rows = [(a, t, 5 + x / 20 + rng.normal()) for a, x in zip(provinces["adcode"], provinces["rep_lon"], strict=True)
            for t in (2010, 2020)]
    table = pd.DataFrame(rows, columns=["adcode", "year", "gdp"])
    panel = SpatialPanel(table, id="adcode", time="year", geometry=provinces[["adcode", "short_zh", "geometry"]])
    from libpysal.graph import Graph

    graph = Graph.build_contiguity(panel.geometry, rook=False)
    return panel, graph, provinces.set_index("adcode")["short_zh"]


def _shares(ax) -> list[str]:
    """The quadrant shares: the last four entries of the legend beside the plot, under a heading."""
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[-5] in ("Units by quadrant", "各象限单元占比")
    return texts[-4:]


def _png_size(path) -> tuple[int, int, float]:
    data = path.read_bytes()
    width, height = struct.unpack(">II", data[16:24])
    at = data.find(b"pHYs")
    ppm = struct.unpack(">I", data[at + 4 : at + 8])[0]
    return width, height, ppm * 0.0254


def test_scatter_content_and_files(us_panel, us_graph, us_states, tmp_path):
    lisa = local_moran(us_panel, us_graph, "unemp", periods=1986, seed=1)
    fig = moran_scatter(lisa, labels=us_states.set_index("fips")["postal"])
    ax = fig.axes[0]
    texts = {t.get_text() for t in ax.texts}
    assert {"CA", "NY", "TX"} <= texts
    shares = _shares(ax)
    assert not [t for t in texts if t.startswith(("HH ", "LL ", "LH ", "HL "))]  # beside the plot, not in it
    assert [t.split()[0] for t in shares] == ["HH", "LH", "LL", "HL"]
    assert len(shares) == 4 and sum(float(t.split()[1].rstrip("%")) for t in shares) == pytest.approx(100, abs=0.2)
    global_i = moran(us_panel, us_graph, "unemp", periods=1986, permutations=0).table["value"].iloc[0]
    assert f"Moran's I = {global_i:.3f}" in [line.get_label() for line in ax.get_lines()]
    paths = save_figure(fig, tmp_path / "scatter")
    assert [p.name for p in paths] == ["scatter.png", "scatter.svg"]
    width, height, dpi = _png_size(paths[0])
    assert dpi == pytest.approx(300, abs=1) and width == round(fig.get_figwidth() * 300)
    assert paths[1].read_text().lstrip().startswith("<?xml")
    with pytest.raises(OutputError, match="already exists"):
        save_figure(fig, tmp_path / "scatter")


def test_chinese_labels_render_with_a_cjk_glyph(china):
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    family = font.cjk_family()
    assert family is not None, "no CJK font: run `make system-deps` (installs fonts-noto-cjk)"
    path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    assert "DejaVu" not in path and FT2Font(path).get_char_index(ord("北")) > 0
    panel, graph, short = china
    lisa = local_moran(panel, graph, "gdp", periods=2020, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing" when it draws a box
        fig = moran_scatter(lisa, labels=short, language="zh")
        fig.savefig(__import__("io").BytesIO(), format="png", dpi=50)
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert "北京" in texts and _shares(fig.axes[0])[0].startswith("高-高")
    assert lisa.n_islands == 1 and "1 个孤岛未显示" in texts  # Hainan has no land neighbour


def test_without_cjk_font_labels_fall_back_with_a_warning(china, monkeypatch):
    panel, graph, short = china
    lisa = local_moran(panel, graph, "gdp", periods=2020, seed=3)
    monkeypatch.setattr(font, "cjk_family", lambda: None)
    with pytest.warns(FontWarning, match="no CJK font was found"):
        fig = moran_scatter(lisa, labels=short)
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert "110000" in texts and "北京" not in texts


def test_moran_over_time_marks_significance(us_panel, us_graph):
    result = moran(us_panel, us_graph, ["unemp", "gsp"], seed=2)
    fig = moran_over_time(result, names={"unemp": "unemployment"})
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[:2] == ["unemployment", "gsp"] and labels[2].startswith("E[I] = -0.021")
    table = result.table[result.table["inference"] == "permutation"]
    filled = sum(len(c.get_offsets()) for c in ax.collections)
    assert filled == int((table["p_upper"] <= 0.05).sum())
    stars = [t.get_text() for t in ax.texts]
    assert stars.count("***") == int((table["p_upper"] < 0.01).sum())
    with pytest.raises(ValueError, match="'geary_c' is not in the result"):
        moran_over_time(result, statistic="geary_c")


def _overlaps(fig) -> int:
    fig.draw_without_rendering()
    renderer = fig._get_renderer()
    boxes = [t.get_window_extent(renderer) for t in fig.axes[0].texts]
    return sum(1 for i in range(len(boxes)) for j in range(i) if boxes[i].overlaps(boxes[j]))


def test_scatter_labels_and_over_time_stars_do_not_collide():
    """Labels move to a free place around their point (8 overlapping pairs before, on these data)."""
    from libpysal.graph import Graph

    from spatial import SpatialPanel, datasets, esda

    states = datasets.load("us48_states")
    panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year", geometry=states)
    w = Graph.build_contiguity(panel.geometry, rook=False)
    lisa = esda.local_moran(panel, w, ["unemp"], periods=[1986], permutations=0)
    fig = esda.moran_scatter(lisa, variable="unemp", period=1986, labels=states.set_index("fips")["postal"])
    assert len(fig.axes[0].texts) == 48 and _overlaps(fig) == 0  # the 48 labels (quadrant shares beside the plot)
    result = esda.global_autocorrelation(panel, w, ["unemp", "pcap", "emp"], permutations=0)
    assert _overlaps(esda.moran_over_time(result)) == 0


def test_scatter_labels_clear_points_and_each_other_on_the_provinces(china):
    """The zh provincial scatter: 吉林 sat under "高-高 38.7%" and 重庆 on 广西's marker; labels now
    overlap no other label, no other unit's marker and stay inside the plot."""
    from matplotlib.transforms import Bbox

    panel, graph, short = china
    lisa = local_moran(panel, graph, "gdp", periods=2020, seed=3)
    fig = moran_scatter(lisa, labels=short, language="zh")
    ax = fig.axes[0]
    fig.draw_without_rendering()
    renderer = fig._get_renderer()
    frame = ax.get_window_extent(renderer)
    notes = [t for t in ax.texts if hasattr(t, "xyann")]
    assert len(notes) == 30  # 31 provinces, Hainan an island (not drawn)
    radius = 2.35 * fig.dpi / 72  # s=22 points^2
    boxes = [t.get_window_extent(renderer) for t in notes]
    clashes = []
    for note, box in zip(notes, boxes, strict=True):
        own = ax.transData.transform([note.xy])[0]
        for other in notes:
            if other is note:
                continue
            px, py = ax.transData.transform([other.xy])[0]
            if box.overlaps(Bbox.from_extents(px - radius, py - radius, px + radius, py + radius)):
                clashes.append((note.get_text(), "on the marker of", other.get_text()))
        if not (frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)):
            clashes.append((note.get_text(), "outside the plot", ""))
        assert np.allclose(own, ax.transData.transform([note.xy])[0])
    clashes += [(a.get_text(), "on", b.get_text()) for i, (a, p) in enumerate(zip(notes, boxes, strict=True))
                for b, q in zip(notes[:i], boxes[:i], strict=True) if p.overlaps(q)]
    assert clashes == []
    legend, page = ax.get_legend().get_window_extent(renderer), fig.bbox
    assert page.x0 <= legend.x0 and legend.x1 <= page.x1 and page.y0 <= legend.y0 and legend.y1 <= page.y1
