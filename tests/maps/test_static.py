"""Static figures: 300 dpi PNG and SVG, north arrow and scale bar, South China Sea inset, CJK glyphs."""

from __future__ import annotations

import struct
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from maps.errors import MapError
from maps.static import choropleth_figure, lisa_figure, moran_scatter, moran_series, save_figure
from tests.maps.conftest import squares


@pytest.fixture(scope="module")
def provinces():
    from spatial import datasets

    return gpd.read_parquet(datasets.data_dir() / "china" / "provinces.parquet")


def _png_dpi(path) -> float:
    data = path.read_bytes()
    at = data.index(b"pHYs")
    per_metre = struct.unpack(">I", data[at + 4:at + 8])[0]
    return per_metre * 0.0254


def test_png_is_300_dpi_and_svg_is_written(tmp_path, us_panel):
    fig = choropleth_figure(us_panel.geometry, us_panel.wide("unemp"), period=1986, title="unemp 1986")
    png = save_figure(fig, tmp_path / "unemp.png")
    assert round(_png_dpi(png)) == 300
    svg = save_figure(fig, tmp_path / "unemp.svg")
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    with pytest.raises(MapError, match="already exists"):
        save_figure(fig, png)
    with pytest.raises(MapError, match=r"\.png, \.svg or \.pdf"):
        save_figure(fig, tmp_path / "x.gif")
    ax = fig.axes[0]
    assert any(t.get_text().endswith("km") for t in ax.texts)  # scale bar
    assert any(t.get_text() == "N" for t in ax.texts)  # north arrow
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(legend) == 5 and all(text.endswith(")") for text in legend)  # class counts


def test_china_inset_and_chinese_glyphs(tmp_path, provinces):
    values = pd.Series(np.arange(len(provinces), dtype=float), index=provinces["adcode"], name="人均GDP")
    fig = choropleth_figure(provinces, values, id="adcode", lang="zh", inset="south_china_sea", title="各省人均GDP")
    (inset,) = fig.axes[0].child_axes
    assert any("南海诸岛" in t.get_text() for t in inset.texts)
    assert inset.get_ylim()[0] < fig.axes[0].get_ylim()[0]  # the inset reaches south of the main view
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        save_figure(fig, tmp_path / "cn.png")
    assert not [w for w in caught if "missing from" in str(w.message)], [str(w.message) for w in caught]


def test_lisa_figure_and_moran_plots(tmp_path):
    units = squares(["a", "b", "c"], crs="EPSG:3857")
    fig = lisa_figure(units, pd.Series(["HH", "ns", "island"], index=["a", "b", "c"]), id="code")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[0] == "High-High (1)" and labels[-1] == "Island (no neighbours) (1)"
    scatter = moran_scatter(np.arange(10.0), np.arange(10.0) * 0.5 + 2, labels=list("abcdefghij"))
    assert "I = 0.5000" in scatter.axes[0].get_title()
    with pytest.raises(MapError, match="constant or missing"):
        moran_scatter([1.0, 1.0], [1.0, 1.0])
    series = pd.DataFrame({"period": [1, 2, 1, 2], "I": [0.1, 0.2, 0.3, 0.1], "p_value": [0.2, 0.01, 0.04, 0.5],
                           "variable": ["x", "x", "y", "y"]})
    fig = moran_series(series, by="variable", lang="zh")
    assert len(fig.axes[0].lines) == 3  # two variables and the zero line
    save_figure(fig, tmp_path / "series.svg")


def test_lisa_no_data_is_distinct_from_not_significant_in_the_figure_and_the_map():
    """Taiwan beside a mainland sample: no data is light sand (hatched in print), far from the grey
    of "not significant" and from the white of islands, and labelled 无数据 / no data."""
    from matplotlib.colors import to_rgb

    import maps
    from maps.clusters import LISA_COLORS, LISA_NO_DATA
    from tests.maps.pagedata import view_specs

    units = squares(["a", "b", "c", "d"])
    labels = pd.Series(["HH", "ns", "island", None], index=["a", "b", "c", "d"], dtype=object)
    distance = lambda a, b: float(np.abs(np.subtract(to_rgb(a), to_rgb(b))).sum())  # noqa: E731
    chroma = lambda c: max(to_rgb(c)) - min(to_rgb(c))  # noqa: E731
    # a coloured tint, not another grey beside the grey of "not significant" (old no data: #d9d9d9 vs #eeeeee)
    assert chroma(LISA_NO_DATA) > 0.2 and chroma(LISA_COLORS["ns"]) == 0
    assert distance(LISA_NO_DATA, LISA_COLORS["island"]) > 0.3
    fig = lisa_figure(units, labels, id="code", lang="zh")
    legend = fig.axes[0].get_legend()
    patch = legend.get_patches()[-1]
    assert legend.get_texts()[-1].get_text() == "无数据 (1)"
    assert patch.get_hatch() == "xxx" and distance(patch.get_facecolor()[:3], LISA_NO_DATA) < 0.01
    assert distance(legend.get_patches()[4].get_facecolor()[:3], LISA_COLORS["ns"]) < 0.01  # 不显著
    for make in (maps.lisa_map, maps.significance_map):
        args = (labels,) if make is maps.lisa_map else (pd.Series([0.01, 0.5, 0.2, np.nan], index=labels.index),)
        spec = view_specs(make(units, *args, id="code", lang="en").to_html())[0]
        no_data = spec["styles"][0][spec["codes"][0][3]]
        assert no_data["fillColor"] == LISA_NO_DATA and "no data" in spec["legends"][0]
        assert spec["styles"][0][spec["codes"][0][1]]["fillColor"] == LISA_COLORS["ns"]
    plt_close(fig)


def plt_close(fig):
    import matplotlib.pyplot as plt

    plt.close(fig)
