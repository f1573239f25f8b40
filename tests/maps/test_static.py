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
