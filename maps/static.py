"""Static figures for papers: choropleth and LISA maps (north arrow, scale bar, optional South
China Sea inset), the Moran scatter plot and the Moran's I series; PNG at 300 dpi or SVG.

Figures are :class:`matplotlib.figure.Figure` objects made without pyplot (no global state).
Lon/lat data are drawn in an equal-area projection (Albers for China, Lambert azimuthal
elsewhere) so that the scale bar means something; Chinese labels use an installed CJK font.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from maps.choices import Inset
from maps._atomic import atomic_target
from maps._classify import NO_DATA_COLOR, Scheme, check_choice, classify
from maps._display import plain_values, require_fields
from maps._escape import figure_text
from maps._fonts import font_rc
from maps._i18n import Lang, word
from maps.clusters import LISA_COLORS, LISA_NO_DATA, NO_DATA_HATCH, _normalise_labels
from maps.errors import MapError, MapInputError

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.figure import Figure

__all__ = ["choropleth_figure", "lisa_figure", "moran_scatter", "moran_series", "save_figure", "CHINA_ALBERS"]

CHINA_ALBERS = "+proj=aea +lat_1=25 +lat_2=47 +lon_0=105 +datum=WGS84 +units=m"
# Lon/lat boxes: the mainland view of a national China map and the South China Sea inset.
_CHINA_MAIN = (72.0, 17.0, 136.0, 54.5)
_SCS_BOX = (105.5, 2.5, 123.0, 24.5)


def _crs_for(units: gpd.GeoDataFrame, crs: str | None) -> Any:
    if crs not in (None, "auto"):
        return crs
    if units.crs is None:
        raise MapInputError("the units have no CRS; set the one they are in, e.g. units.set_crs('EPSG:4326')")
    if units.crs.is_projected:
        return units.crs
    minx, miny, maxx, maxy = units.to_crs(4326).total_bounds
    if minx > 70 and maxx < 140 and miny > 0 and maxy < 56:
        return CHINA_ALBERS
    return f"+proj=laea +lat_0={(miny + maxy) / 2:.3f} +lon_0={(minx + maxx) / 2:.3f} +datum=WGS84 +units=m"


def _box(lonlat: tuple[float, float, float, float], crs: Any) -> tuple[float, float, float, float]:
    import geopandas as gpd
    from shapely import box

    edge = gpd.GeoSeries([box(*lonlat).segmentize(0.5)], crs=4326).to_crs(crs)
    return tuple(edge.total_bounds)


def _nice_length(span_m: float) -> float:
    target = span_m / 5
    power = 10 ** np.floor(np.log10(target))
    return float(max(m * power for m in (1, 2, 5) if m * power <= target))


def _scale_bar(ax) -> None:
    from matplotlib.patches import Rectangle

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length(x1 - x0)
    height = (y1 - y0) * 0.012
    left, bottom = x0 + (x1 - x0) * 0.05, y0 + (y1 - y0) * 0.05
    for i in range(2):
        ax.add_patch(Rectangle((left + i * length / 2, bottom), length / 2, height, facecolor="black" if i == 0 else "white",
                               edgecolor="black", linewidth=0.6, zorder=5))
    text = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    for x, label in ((left, "0"), (left + length, text)):
        ax.text(x, bottom + height * 1.8, label, ha="center", va="bottom", fontsize=7, zorder=5)


def _north_arrow(ax, lang: Lang) -> None:
    ax.annotate(word("north", lang), xy=(0.95, 0.95), xytext=(0.95, 0.84), xycoords="axes fraction",
                ha="center", va="center", fontsize=10, fontweight="bold",
                arrowprops={"facecolor": "black", "width": 3, "headwidth": 9, "headlength": 8})


def _figure(figsize: tuple[float, float]):
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, layout="constrained")


def _draw_layer(ax, frame: gpd.GeoDataFrame, colors: list[str], hatches: list[str | None], edge: str = "#444444") -> None:
    for (color, hatch), part in frame.groupby([pd.Series(colors, index=frame.index), pd.Series([h or "" for h in hatches], index=frame.index)]):
        part.plot(ax=ax, color=color, edgecolor=edge, linewidth=0.3, hatch=hatch or None)


def _map_axes(fig, units: gpd.GeoDataFrame, colors: list[str], hatches: list[str | None], *, crs: Any, inset: str,
              inset_lines: gpd.GeoDataFrame | None, north_arrow: bool, scale_bar: bool, lang: Lang):
    ax = fig.add_subplot()
    projected = units.to_crs(crs)
    _draw_layer(ax, projected, colors, hatches)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if inset == "south_china_sea":
        minx, miny, maxx, maxy = _box(_CHINA_MAIN, crs)
        ax.set_xlim(minx, maxx)
        ax.set_ylim(miny, maxy)
        sub = ax.inset_axes([0.80, 0.0, 0.20, 0.30])
        _draw_layer(sub, projected, colors, hatches, edge="#666666")
        if inset_lines is not None:
            inset_lines.to_crs(crs).plot(ax=sub, color="#333333", linewidth=0.8)
        sx0, sy0, sx1, sy1 = _box(_SCS_BOX, crs)
        sub.set_xlim(sx0, sx1)
        sub.set_ylim(sy0, sy1)
        sub.set_aspect("equal")
        sub.set_xticks([])
        sub.set_yticks([])
        sub.set_xlabel("")
        sub.set_ylabel("")
        sub.set_facecolor("white")
        for spine in sub.spines.values():
            spine.set_linewidth(0.8)
        sub.text(0.5, 0.02, word("scs_inset", lang), transform=sub.transAxes, ha="center", va="bottom", fontsize=6)
    if north_arrow:
        _north_arrow(ax, lang)
    if scale_bar:
        _scale_bar(ax)
    return ax


def _legend(ax, entries: list[tuple[str, str, str | None]], title: str, scale_bar: bool) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=color, edgecolor="#444444", hatch=hatch, label=figure_text(label))
               for color, label, hatch in entries]
    ax.legend(handles=handles, title=figure_text(title), loc="lower left", bbox_to_anchor=(0, 0.12 if scale_bar else 0),
              fontsize=7, title_fontsize=8, frameon=True, framealpha=0.9)


def _values(units: gpd.GeoDataFrame, values: Any, id: str | None, period: Any) -> tuple[np.ndarray, str]:
    ids = pd.Index([str(i) for i in (units.index if id is None else units[id])])
    if isinstance(values, str):
        require_fields(units, [values])
        return plain_values(units[values], values), values
    if isinstance(values, pd.DataFrame):
        if period is None:
            period = values.columns[-1]
        if period not in values.columns:
            raise MapError(f"period {period!r} is not among the columns; available: {', '.join(map(repr, list(values.columns)[:20]))}")
        values = values[period].rename(f"{values.columns.name or 'value'} {period}")
    if not isinstance(values, pd.Series):
        raise TypeError("values must be a column name, a Series indexed by unit id or a wide DataFrame")
    series = _by_unit(values, ids, "values")
    return plain_values(series, str(series.name)), str(series.name or "value")


def _by_unit(values: pd.Series, ids: pd.Index, what: str) -> pd.Series:
    """``values`` in the order of the units' ids (as text); ids that are not units are refused."""
    series = values.copy()
    series.index = pd.Index([str(i) for i in series.index])
    unknown = sorted(set(series.index) - set(ids))
    if unknown:
        raise MapInputError(f"{what} for ids that are not units: {', '.join(map(repr, unknown[:10]))}")
    return series.reindex(ids)


def choropleth_figure(
    units: gpd.GeoDataFrame,
    values: str | pd.Series | pd.DataFrame,
    *,
    id: str | None = None,
    period: Any = None,
    label: str | None = None,
    scheme: Scheme = "quantiles",
    k: int = 5,
    breaks: list[float] | None = None,
    cmap: str | None = None,
    fmt: str | None = None,
    title: str | None = None,
    lang: Lang = "en",
    crs: str | None = "auto",
    inset: Inset = "none",
    inset_lines: gpd.GeoDataFrame | None = None,
    north_arrow: bool = True,
    scale_bar: bool = True,
    figsize: tuple[float, float] = (7.0, 5.5),
) -> Figure:
    """A choropleth for print, with the scheme and class counts in the legend.

    Parameters
    ----------
    values
        A column of ``units``, a Series indexed by unit id, or a wide DataFrame (one column per
        period: ``period`` chooses it, default the last).
    crs
        ``"auto"``: lon/lat data are drawn in an equal-area projection (Albers for China);
        projected data keep their CRS. Or any CRS pyproj understands.
    inset
        ``"south_china_sea"`` for national China maps: the main map shows the mainland and an
        inset the South China Sea islands as the boundary data provide them.
    inset_lines
        Optional lines for the inset (e.g. the maritime boundary line from an approved source).

    Raises
    ------
    FieldError, MapInputError, MapError
        For missing columns, layers without CRS, unknown options.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> units = gpd.GeoDataFrame({"gdp": [1.0, 2.0, 3.0]}, geometry=[box(i, 0, i + 1, 1) for i in range(3)], crs=3857)
    >>> fig = choropleth_figure(units, "gdp", k=3)
    >>> fig.axes[0].get_legend().get_title().get_text()
    'gdp'
    """
    import matplotlib

    check_choice("inset", inset, Inset)
    numbers, default_label = _values(units, values, id, period)
    label = label or default_label
    classes = classify(numbers, scheme=scheme, k=k, breaks=breaks, cmap=cmap)
    codes = classes.codes(numbers)
    colors = [classes.colors[c] if c >= 0 else NO_DATA_COLOR for c in codes]
    counts, missing = classes.counts(numbers)
    entries = [(classes.colors[i], f"{text} ({counts[i]})", None) for i, text in enumerate(classes.labels(fmt))]
    if missing:
        entries.append((NO_DATA_COLOR, f"{word('no_data', lang)} ({missing})", None))
    with matplotlib.rc_context(font_rc([label, title or ""])):
        fig = _figure(figsize)
        ax = _map_axes(fig, units, colors, [None] * len(colors), crs=_crs_for(units, crs), inset=inset,
                       inset_lines=inset_lines, north_arrow=north_arrow, scale_bar=scale_bar, lang=lang)
        _legend(ax, entries, label, scale_bar)
        fig.text(0.01, 0.005, figure_text(classes.describe(lang)), fontsize=6, color="#555555")
        if title:
            ax.set_title(figure_text(title), fontsize=11)
    return fig


def lisa_figure(
    units: gpd.GeoDataFrame,
    clusters: pd.Series,
    *,
    id: str | None = None,
    title: str | None = None,
    lang: Lang = "en",
    crs: str | None = "auto",
    inset: Inset = "none",
    inset_lines: gpd.GeoDataFrame | None = None,
    north_arrow: bool = True,
    scale_bar: bool = True,
    figsize: tuple[float, float] = (7.0, 5.5),
) -> Figure:
    """A LISA cluster map for print (islands hatched and labelled).

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely import box
    >>> units = gpd.GeoDataFrame(geometry=[box(i, 0, i + 1, 1) for i in range(3)], crs=3857, index=["a", "b", "c"])
    >>> fig = lisa_figure(units, pd.Series(["HH", "ns", "island"], index=["a", "b", "c"]))
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()][0]
    'High-High (1)'
    """
    import matplotlib

    check_choice("inset", inset, Inset)
    ids = pd.Index([str(i) for i in (units.index if id is None else units[id])])
    labels = _normalise_labels(_by_unit(clusters, ids, "clusters").to_frame("c"))["c"]
    colors = [LISA_COLORS[v] if isinstance(v, str) and v in LISA_COLORS else LISA_NO_DATA for v in labels]
    hatches = ["////" if v == "island" else None if v in LISA_COLORS else NO_DATA_HATCH for v in labels]
    entries = []
    for key in ("HH", "LL", "HL", "LH", "ns", "island"):
        entries.append((LISA_COLORS[key], f"{word(key, lang)} ({int((labels == key).sum())})", "////" if key == "island" else None))
    if labels.isna().any():
        entries.append((LISA_NO_DATA, f"{word('no_data', lang)} ({int(labels.isna().sum())})", NO_DATA_HATCH))
    with matplotlib.rc_context(font_rc([title or "", word("HH", lang)])):
        fig = _figure(figsize)
        ax = _map_axes(fig, units, colors, hatches, crs=_crs_for(units, crs), inset=inset, inset_lines=inset_lines,
                       north_arrow=north_arrow, scale_bar=scale_bar, lang=lang)
        _legend(ax, entries, word("lisa_title", lang), scale_bar)
        if title:
            ax.set_title(figure_text(title), fontsize=11)
    return fig


def moran_scatter(
    values: Any,
    lag: Any,
    *,
    labels: list[str] | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    lang: Lang = "en",
    figsize: tuple[float, float] = (5.5, 5.0),
) -> Figure:
    """Moran scatter plot: standardised values against their spatial lag, with the fitted slope
    (Moran's I for a row-standardised W), the quadrant shares and optional unit labels.

    Examples
    --------
    >>> fig = moran_scatter([1.0, 2.0, 3.0, 4.0], [1.5, 2.0, 3.0, 3.5], labels=["a", "b", "c", "d"])
    >>> "I = " in fig.axes[0].get_title()
    True
    """
    import matplotlib

    x = np.asarray(values, dtype=float)
    lx = np.asarray(lag, dtype=float)
    if x.shape != lx.shape:
        raise MapError(f"values and lag differ in length ({x.size} and {lx.size})")
    ok = np.isfinite(x) & np.isfinite(lx)
    sd = x[ok].std()
    if not ok.any() or sd == 0:
        raise MapError("the values are constant or missing, so the Moran scatter plot is undefined")
    z = (x - x[ok].mean()) / sd
    lz = (lx - x[ok].mean()) / sd
    slope, intercept = (float(c) for c in np.polyfit(z[ok], lz[ok], 1))
    quadrants = {"HH": (z > 0) & (lz > 0), "LH": (z <= 0) & (lz > 0), "LL": (z <= 0) & (lz <= 0), "HL": (z > 0) & (lz <= 0)}
    with matplotlib.rc_context(font_rc([*(labels or []), title or "", xlabel or ""])):
        fig = _figure(figsize)
        ax = fig.add_subplot()
        ax.axhline(0, color="#999999", linewidth=0.8)
        ax.axvline(0, color="#999999", linewidth=0.8)
        ax.scatter(z[ok], lz[ok], s=14, color="#3b4cc0", alpha=0.8, edgecolor="white", linewidth=0.4)
        grid = np.linspace(z[ok].min(), z[ok].max(), 2)
        ax.plot(grid, intercept + slope * grid, color="#d7191c", linewidth=1.2)
        if labels is not None:
            for xi, yi, text, good in zip(z, lz, labels, ok, strict=True):
                if good:
                    ax.annotate(figure_text(text), (xi, yi), fontsize=6, xytext=(2, 2), textcoords="offset points")
        n = int(ok.sum())
        for key, (hx, hy) in {"HH": (0.98, 0.98), "LH": (0.02, 0.98), "LL": (0.02, 0.02), "HL": (0.98, 0.02)}.items():
            share = quadrants[key][ok].sum() / n
            ax.text(hx, hy, f"{word(key, lang)} {share:.0%}", transform=ax.transAxes, fontsize=7, color="#555555",
                    ha="right" if hx > 0.5 else "left", va="top" if hy > 0.5 else "bottom")
        ax.set_xlabel(figure_text(xlabel or "z"))
        ax.set_ylabel(figure_text(f"W {xlabel or 'z'}"))
        ax.set_title(figure_text(f"{title + ': ' if title else ''}I = {slope:.4f}"), fontsize=10)
    return fig


def moran_series(
    series: pd.DataFrame,
    *,
    period: str = "period",
    statistic: str = "I",
    pvalue: str = "p_value",
    by: str | None = None,
    alpha: float = 0.05,
    title: str | None = None,
    lang: Lang = "en",
    figsize: tuple[float, float] = (6.5, 3.8),
) -> Figure:
    """Moran's I over time, one line per variable (``by``); filled markers where ``p < alpha``.

    Examples
    --------
    >>> frame = pd.DataFrame({"period": [2000, 2001, 2002], "I": [0.2, 0.31, 0.28], "p_value": [0.08, 0.01, 0.02]})
    >>> fig = moran_series(frame)
    >>> len(fig.axes[0].lines)  # the series and the zero line
    2
    """
    import matplotlib

    require_fields(series, [period, statistic, pvalue] + ([by] if by else []), "the Moran series")
    groups = [(None, series)] if by is None else list(series.groupby(by, sort=False))
    with matplotlib.rc_context(font_rc([title or "", *(str(g) for g, _ in groups)])):
        fig = _figure(figsize)
        ax = fig.add_subplot()
        for name, part in groups:
            part = part.sort_values(period)
            # text periods become tick labels: escaped like every other text drawn
            x = part[period] if pd.api.types.is_numeric_dtype(part[period]) else part[period].map(figure_text)
            line = ax.plot(x, part[statistic], marker="", linewidth=1.3,
                           label=None if name is None else figure_text(name))[0]
            significant = part[pvalue].astype(float) < alpha
            ax.scatter(x[significant], part[statistic][significant], color=line.get_color(), s=22, zorder=3)
            ax.scatter(x[~significant], part[statistic][~significant], facecolor="white",
                       edgecolor=line.get_color(), s=22, zorder=3)
        ax.axhline(0, color="#999999", linewidth=0.8)
        ax.set_xlabel(word("period", lang))
        ax.set_ylabel("Moran's I")
        if by is not None:
            ax.legend(fontsize=7)
        ax.set_title(figure_text(title) if title else f"Moran's I ({word('alpha_note', lang, alpha=alpha)}: ●)", fontsize=10)
    return fig


def save_figure(fig: Figure, path: str | os.PathLike, *, overwrite: bool = False, dpi: int = 300) -> Path:
    """Write a figure as PNG (``dpi``, default 300), SVG or PDF by suffix, atomically.

    Raises
    ------
    MapError
        For another suffix, or an existing file without ``overwrite``.
    """
    target = Path(path).expanduser()
    suffix = target.suffix.lower()
    if suffix not in (".png", ".svg", ".pdf"):
        raise MapError(f"{target.name}: figures are written as .png, .svg or .pdf")
    with atomic_target(target, overwrite=overwrite, suffix=suffix) as tmp:
        fig.savefig(tmp, dpi=dpi, format=suffix[1:], metadata={"Software": None} if suffix == ".png" else None)
    return target
