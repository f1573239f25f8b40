"""Figures of the indices (matplotlib, Agg backend, imported only when a figure is drawn).

Chinese labels need a CJK font. Fonts are not changed globally: each figure is drawn inside an
``rc_context`` that puts the first installed font of :data:`CJK_FONTS` before the default, and a
:class:`FontWarning` says so when the labels contain Chinese but no such font is installed.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from maps.shared import figure_text
from spatial._fs import PathLike, atomic_path, check_output
from spatial.errors import SpatialWarning

if TYPE_CHECKING:
    from spatial.indices.inequality import KernelDensity

__all__ = [
    "CJK_FONTS",
    "FontWarning",
    "cjk_font",
    "plot_kernel_density",
    "plot_transition_heatmaps",
    "plot_gravity",
    "gravity_map",
]

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Hiragino Sans GB",
    "Arial Unicode MS",
    "Droid Sans Fallback",
    "AR PL UMing CN",
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class FontWarning(SpatialWarning):
    """No installed font can draw the Chinese labels of a figure."""


def cjk_font() -> str | None:
    """The first installed font of :data:`CJK_FONTS`, or ``None``."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def _font_settings(texts: Iterable[str]) -> dict:
    if not any(_CJK.search(str(t)) for t in texts):
        return {}
    font = cjk_font()
    if font is None:
        warnings.warn(
            "the figure has Chinese labels but no CJK font is installed (tried "
            f"{', '.join(CJK_FONTS[:4])}, ...); they may show as boxes: install one, e.g. fonts-noto-cjk",
            FontWarning,
            stacklevel=3,
        )
        return {}
    import matplotlib

    return {
        "font.sans-serif": [font, *matplotlib.rcParams["font.sans-serif"]],
        "font.family": "sans-serif",
        "axes.unicode_minus": False,
    }


def _render(path: PathLike, texts: Iterable[str], draw, *, overwrite: bool, **subplots) -> list[Path]:
    """Check ``<path>.png`` and ``<path>.svg``, draw a new figure (``draw(fig, axes)``) with the
    fonts its ``texts`` need, and write it (PNG at 300 dpi, SVG) atomically; the figure is closed."""
    base = Path(path).expanduser()
    targets = [check_output(base.with_suffix(s), overwrite=overwrite) for s in (".png", ".svg")]
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    with matplotlib.rc_context(_font_settings(texts)), warnings.catch_warnings():
        # without a CJK font the FontWarning says it once; matplotlib would repeat it per glyph
        warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
        fig, axes = plt.subplots(**subplots)
        try:
            draw(fig, axes)
            fig.tight_layout()
            for target, fmt in zip(targets, ("png", "svg"), strict=True):
                with atomic_path(target) as tmp:
                    fig.savefig(tmp, format=fmt, dpi=300 if fmt == "png" else None)
        finally:
            plt.close(fig)
    return targets


def plot_kernel_density(
    result: KernelDensity,
    path: PathLike,
    *,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    lang: str = "en",
    overwrite: bool = False,
) -> list[Path]:
    """Draw one kernel density curve per period and write ``<path>.png`` (300 dpi) and ``<path>.svg``.

    The axis and legend titles are in ``lang`` ("en" or "zh": 核密度, 时期) unless given; every
    text, the legend title included, is drawn in a CJK-capable font when it holds Chinese.

    Parameters
    ----------
    result
        From :func:`spatial.indices.kernel_density`.
    path
        Output path without or with a suffix (the suffix is replaced).
    title, xlabel, ylabel
        Labels (Chinese works when a CJK font is installed); ``ylabel`` defaults to "density" / "核密度".
    lang
        Language of the default labels.

    Raises
    ------
    OutputError
        If an output exists (without ``overwrite``) or its folder is missing.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from spatial import datasets
    >>> from spatial.indices import kernel_density
    >>> kde = kernel_density(datasets.load("us_produc"), "unemp", id="fips", time="year", periods=[1970, 1986])
    >>> [p.suffix for p in plot_kernel_density(kde, pathlib.Path(tempfile.mkdtemp()) / "unemp_kde")]
    ['.png', '.svg']
    """
    time = result.options.get("time") or "period"
    curves = result.curves
    periods = list(result.options["periods"])
    xlabel = xlabel if xlabel is not None else result.options["value"]
    ylabel = ylabel if ylabel is not None else ("核密度" if lang == "zh" else "density")
    legend = None if time == "period" and lang != "zh" else time
    if lang == "zh" and str(time).isascii():  # the period column's own name is English: say 时期
        legend = "时期"

    def draw(fig, ax) -> None:
        import matplotlib

        colors = matplotlib.colormaps["viridis"]
        for i, period in enumerate(periods):
            part = curves[curves[time] == period] if time in curves.columns else curves
            ax.plot(
                part["x"],
                part["density"],
                color=colors(0.85 * i / max(len(periods) - 1, 1)),
                label=figure_text(period),
                linewidth=1.4,
            )
        ax.set_xlabel(figure_text(xlabel))
        ax.set_ylabel(figure_text(ylabel))
        if title:
            ax.set_title(figure_text(title))
        ax.legend(title=None if legend is None else figure_text(legend), frameon=False, fontsize="small")
        ax.spines[["top", "right"]].set_visible(False)

    texts = [title or "", xlabel, ylabel, legend or "", *map(str, periods)]  # the legend title needs its font too
    return _render(path, texts, draw, overwrite=overwrite, figsize=(6.4, 4.2))


def plot_transition_heatmaps(
    panels: list[tuple[str | None, object, object]],
    labels: list[str],
    path: PathLike,
    *,
    title: str | None = None,
    lang: str = "en",
    overwrite: bool = False,
) -> list[Path]:
    """Heatmaps of transition probability matrices side by side, written as PNG (300 dpi) and SVG.

    ``panels`` are ``(heading, P, T)`` triples (heading ``None`` for a single matrix); each cell
    shows the probability and, below it, the count of transitions.

    Raises
    ------
    OutputError
        If an output exists (without ``overwrite``) or its folder is missing.
    """
    import numpy as np

    axis_from, axis_to = ("t 期类型", "t+1 期类型") if lang == "zh" else ("class in t", "class in t+1")
    texts = [title or "", axis_from, axis_to, *labels, *[h or "" for h, _, _ in panels]]
    k = len(labels)
    columns = min(len(panels), 3)
    rows = -(-len(panels) // columns)
    size = 0.55 * k + 1.2

    def draw(fig, axes) -> None:
        for ax in axes.ravel()[len(panels) :]:
            ax.set_axis_off()
        for ax, (heading, p, t) in zip(axes.ravel(), panels, strict=False):
            p, t = np.asarray(p, dtype=float), np.asarray(t, dtype=float)
            ax.imshow(p, cmap="Blues", vmin=0, vmax=1)
            for i in range(k):
                for j in range(k):
                    color = "white" if p[i, j] > 0.6 else "black"
                    ax.text(j, i, f"{p[i, j]:.3f}\n({int(t[i, j])})", ha="center", va="center", fontsize=6,
                            color=color)
            ax.set_xticks(range(k), [figure_text(v) for v in labels], fontsize=7)
            ax.set_yticks(range(k), [figure_text(v) for v in labels], fontsize=7)
            ax.set_xlabel(figure_text(axis_to), fontsize=8)
            ax.set_ylabel(figure_text(axis_from), fontsize=8)
            if heading:
                ax.set_title(figure_text(heading), fontsize=9)
        if title:
            fig.suptitle(figure_text(title))

    return _render(path, texts, draw, overwrite=overwrite, nrows=rows, ncols=columns,
                   figsize=(size * columns, size * rows + 0.6), squeeze=False)


def plot_gravity(result, path: PathLike, *, lang: str = "en", title: str | None = None,
                 overwrite: bool = False) -> list[Path]:
    """Static figure of the centres of gravity (path with arrows) and their ellipses, PNG and SVG.

    Raises
    ------
    OutputError
        If an output exists (without ``overwrite``) or its folder is missing.
    """
    time = result.options.get("time") or "period"
    centres, ellipses = result.centres, result.ellipses
    zh = "重心迁移轨迹与标准差椭圆"
    heading = title or (zh if lang == "zh" else "Centre of gravity and standard deviational ellipses")
    lon_label, lat_label = ("经度", "纬度") if lang == "zh" else ("longitude", "latitude")

    def draw(fig, ax) -> None:
        import matplotlib

        colors = matplotlib.colormaps["viridis"]
        periods = list(ellipses[time])
        for i, period in enumerate(periods):
            shape = result.outline(period)
            color = colors(0.85 * i / max(len(periods) - 1, 1))
            ax.plot(shape["lon"], shape["lat"], color=color, linewidth=1.0, label=figure_text(period))
        ax.plot(centres["lon"], centres["lat"], color="black", linewidth=0.8, marker="o", markersize=3)
        for a, b in zip(centres.itertuples(index=False), list(centres.itertuples(index=False))[1:], strict=False):
            ax.annotate("", xy=(b.lon, b.lat), xytext=(a.lon, a.lat),
                        arrowprops={"arrowstyle": "->", "color": "black", "lw": 0.8})
        ax.set_xlabel(figure_text(lon_label))
        ax.set_ylabel(figure_text(lat_label))
        ax.set_title(figure_text(heading), fontsize=10)
        ax.legend(frameon=False, fontsize="small")
        ax.spines[["top", "right"]].set_visible(False)

    texts = [heading, lon_label, lat_label, *map(str, centres[time])]
    return _render(path, texts, draw, overwrite=overwrite, figsize=(6.4, 5.0))


def gravity_map(result, *, lang: str = "en"):
    """Self-contained map (no tiles): the centres' path, a marker per period, each period's ellipse
    (own layer). Every label is escaped (:func:`maps._escape.safe_text`).
    """
    import pandas as pd

    import folium

    from maps.shared import OfflineMap, safe_text

    time = result.options.get("time") or "period"
    centres = result.centres
    title = "重心迁移与标准差椭圆" if lang == "zh" else "Centre of gravity and standard deviational ellipses"
    fmap = OfflineMap(title=title, location=[float(centres["lat"].mean()), float(centres["lon"].mean())],
                      zoom_start=5)
    folium.PolyLine(list(zip(centres["lat"], centres["lon"], strict=True)), color="black", weight=2).add_to(fmap)
    word = "重心" if lang == "zh" else "centre"
    for row in centres.itertuples(index=False):
        period = getattr(row, time) if time in centres.columns else row.period
        folium.CircleMarker([row.lat, row.lon], radius=4, color="black", fill=True,
                            tooltip=safe_text(f"{word} {period}: {row.lon:.4f}, {row.lat:.4f}")).add_to(fmap)
    outlines = {period: result.outline(period) for period in result.ellipses[time]}
    for period, shape in outlines.items():
        layer = folium.FeatureGroup(name=safe_text(f"{'标准差椭圆' if lang == 'zh' else 'ellipse'} {period}"))
        folium.Polygon(list(zip(shape["lat"], shape["lon"], strict=True)), weight=1, fill=False,
                       tooltip=safe_text(period)).add_to(layer)
        layer.add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    outline = pd.concat(list(outlines.values()))
    fmap.fit_bounds([[outline["lat"].min(), outline["lon"].min()], [outline["lat"].max(), outline["lon"].max()]])
    return fmap
