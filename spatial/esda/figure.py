"""The two figures regional papers print: the Moran scatter plot and Moran's I over time.

Labels may be Chinese or English (``language="zh"`` or ``"en"``); a CJK font is used as glyph
fallback when installed (:mod:`spatial.esda.font`), otherwise labels that cannot be drawn are
replaced by the unit ids (or left out) with a :class:`~spatial.esda.font.FontWarning`.
:func:`save_figure` writes PNG at 300 dpi and SVG, atomically, never over an input.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from maps.shared import figure_text
from spatial.choices import Language
from spatial._fs import PathLike, atomic_path, check_output
from spatial._options import check_option
from spatial.esda import font

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from spatial.esda.global_autocorrelation import GlobalAutocorrelation
    from spatial.esda.lisa import LocalMoran

__all__ = ["moran_scatter", "moran_over_time", "save_figure"]

Annotate = Literal["all", "significant", "none"]
PValue = Literal["one_sided", "two_sided"]

COLOURS = {
    "HH": "#d7191c", "LL": "#2c7bb6", "LH": "#abd9e9", "HL": "#fdae61", "not significant": "#bdbdbd",
}
_TEXT = {
    "en": {
        "x": "{variable} (standardised)", "y": "spatial lag of {variable}", "slope_i": "Moran's I = {value:.3f}",
        "slope": "slope = {value:.3f}", "period": "period", "moran": "Moran's I", "geary_c": "Geary's C",
        "getis_ord_g": "Getis-Ord G", "bivariate_moran_i": "bivariate Moran's I", "expected": "E[I] = {value:.3f}",
        "filled": "filled: {p} p <= {alpha}", "one_sided": "one-sided", "two_sided": "two-sided",
        "stars": "* p<0.1  ** p<0.05  *** p<0.01", "islands": "{n} islands not shown", "shares": "Units by quadrant",
        "clusters": {"HH": "HH", "LL": "LL", "LH": "LH", "HL": "HL", "not significant": "not significant"},
    },
    "zh": {
        "x": "{variable}（标准化）", "y": "{variable}的空间滞后", "slope_i": "莫兰指数 I = {value:.3f}",
        "slope": "斜率 = {value:.3f}", "period": "年份", "moran": "莫兰指数", "geary_c": "吉尔里指数 C",
        "getis_ord_g": "Getis-Ord G", "bivariate_moran_i": "双变量莫兰指数", "expected": "E[I] = {value:.3f}",
        "filled": "实心：{p} p ≤ {alpha}", "one_sided": "单侧", "two_sided": "双侧",
        "stars": "* p<0.1  ** p<0.05  *** p<0.01", "islands": "{n} 个孤岛未显示", "shares": "各象限单元占比",
        "clusters": {"HH": "高-高", "LL": "低-低", "LH": "低-高", "HL": "高-低", "not significant": "不显著"},
    },
}


@contextlib.contextmanager
def _style() -> Any:
    """Fonts with CJK fallback; glyphs stored as paths in SVG (no font needed to view it)."""
    import matplotlib

    with matplotlib.rc_context({"font.family": font.font_families(), "svg.fonttype": "path"}):
        yield


def _axes(ax: Any, size: tuple[float, float]) -> tuple[Figure, Any]:
    """The given axes, or a new figure outside pyplot (no GUI backend, no global figure list)."""
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.subplots()


def _drawable(texts: list[str], fallback: list[str], what: str) -> list[str | None]:
    """Texts that the installed fonts can draw; the others are replaced by ``fallback`` or dropped.

    Every text returned is escaped for matplotlib (:func:`maps._escape.figure_text`): drawn literally.
    """
    ok = font.renderable(texts)
    if all(ok):
        return [figure_text(t) for t in texts]
    fallback_ok = font.renderable(fallback)
    out = [figure_text(t) if good else (figure_text(f) if f_ok else None)
           for t, good, f, f_ok in zip(texts, ok, fallback, fallback_ok, strict=True)]
    bad = [t for t, good in zip(texts, ok, strict=True) if not good]
    warnings.warn(
        f"{len(bad)} {what} cannot be drawn with the installed fonts (e.g. {bad[0]!r}): no CJK font was found; "
        "they are replaced by unit ids or left out. Install a CJK font (Debian: apt-get install fonts-noto-cjk, "
        "or `make system-deps`)",
        font.FontWarning,
        stacklevel=3,
    )
    return out


def moran_scatter(
    lisa: LocalMoran,
    *,
    variable: str | None = None,
    period: Any = None,
    labels: Mapping[str, str] | pd.Series | None = None,
    annotate: Annotate = "all",
    language: Language = "en",
    title: str | None = None,
    ax: Any = None,
) -> Figure:
    """Moran scatter plot: standardised values against their spatial lag, with quadrant shares.

    Points are coloured by LISA cluster and labelled with ``labels`` (e.g. short names, indexed
    by id; the ids by default). The slope of the fitted line equals the global Moran's I for
    row-standardised weights. Islands are not shown (the caption says how many).

    Parameters
    ----------
    lisa
        Local Moran results (:func:`spatial.esda.local_moran`).
    variable, period
        Which map to draw (may be omitted when ``lisa`` holds only one).
    labels
        Display names by unit id, e.g. ``provinces.set_index("adcode")["short_zh"]``.
    annotate
        Label ``"all"`` points, the ``"significant"`` ones, or ``"none"``.
    language
        ``"en"`` or ``"zh"`` for axis texts and the legend.

    Raises
    ------
    ValueError
        When ``variable`` or ``period`` is not in ``lisa`` (or must be chosen).

    Examples
    --------
    >>> from libpysal.graph import Graph
    >>> from spatial import SpatialPanel, datasets
    >>> from spatial.esda import local_moran, moran_scatter
    >>> states = datasets.load("us48_states")
    >>> panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year", geometry=states)
    >>> w = Graph.build_contiguity(panel.geometry, rook=False)
    >>> lisa = local_moran(panel, w, "unemp", periods=1986, seed=1)
    >>> fig = moran_scatter(lisa, labels=states.set_index("fips")["postal"])
    >>> fig.axes[0].get_xlabel()
    'unemp (standardised)'
    """
    check_option("annotate", annotate, Annotate)
    check_option("language", language, Language)
    text = _TEXT[language]
    rows = lisa._select(variable, period)
    variable, period = rows["variable"].iloc[0], rows["period"].iloc[0]
    islands = int((rows["quadrant"] == "island").sum())
    rows = rows[rows["quadrant"] != "island"]
    x, y = rows["std_value"].to_numpy(), rows["lag"].to_numpy()
    slope = float(x @ y / (x @ x))
    with _style():
        fig, ax = _axes(ax, (7.6, 5.6))
        for cluster, colour in COLOURS.items():
            chosen = rows["cluster"].to_numpy() == cluster
            if chosen.any():
                ax.scatter(x[chosen], y[chosen], s=22, color=colour, edgecolor="#333333", linewidth=0.4,
                           label=f"{text['clusters'][cluster]} ({int(chosen.sum())})", zorder=3)
        ax.axhline(0, color="#777777", linewidth=0.7, zorder=1)
        ax.axvline(0, color="#777777", linewidth=0.7, zorder=1)
        span = np.array([min(x.min(), -abs(x).max() * 0.05), x.max()])
        line_label = text["slope_i" if lisa.transform == "r" else "slope"].format(value=slope)
        ax.plot(span, slope * span, color="#333333", linewidth=1.1, label=line_label, zorder=2)
        notes: list = []
        if annotate != "none":
            ids = rows["id"].astype(str).tolist()
            names = [str(labels.get(i, i)) if labels is not None else i for i in ids]
            names = _drawable(names, ids, "labels")
            show = np.ones(len(ids), bool) if annotate == "all" else rows["cluster"].to_numpy() != "not significant"
            notes = [ax.annotate(name, (xi, yi), xytext=(3, 2), textcoords="offset points", fontsize=6.5,
                                 color="#222222", zorder=4)
                     for xi, yi, name, shown in zip(x, y, names, show, strict=True) if shown and name]

        label = _drawable([str(variable)], ["x"], "variable names")[0] or "x"
        ax.set_xlabel(text["x"].format(variable=label))
        ax.set_ylabel(text["y"].format(variable=label))
        heading = title if title is not None else f"{variable}, {period}"  # escaped once, below
        ax.set_title(_drawable([heading], [str(period)], "titles")[0] or "")
        _legend_with_shares(ax, rows["quadrant"], language)
        if islands:
            ax.text(0.01, -0.1, text["islands"].format(n=islands), transform=ax.transAxes, fontsize=7, color="#555555")
        # 云南/贵州/重庆/四川 close together, 吉林 under a quadrant share: once the layout is final, each
        # label moves to a free place around its point, clear of the other labels and points
        _declutter(fig, notes, [t for t in ax.texts if t not in notes], _LABEL_PLACES, points=np.column_stack([x, y]))
    return fig


_LABEL_PLACES = ((3, 2), (3, -8), (-3, 2), (-3, -8), (0, 6), (0, -12), (6, -3), (-6, -3),
                 (7, 6), (-7, 6), (7, -13), (-7, -13), (0, 13), (0, -19))
_STAR_PLACES = ((0, 4), (0, -11), (0, 11), (0, -18))
_MARKER_RADIUS_PT = 3.0  # the scatter markers (s=22: 4.7 pt across) with a little air


def _declutter(fig, notes: list, fixed: list, places: tuple[tuple[int, int], ...], *,
               points: np.ndarray | None = None) -> None:
    """Move each annotation (offset in points from its point) to the first of ``places`` where it
    overlaps no label placed before it, none of the ``fixed`` texts, no marker of the other
    ``points`` (data coordinates) and stays inside the axes; with no such place, to the place
    with the fewest overlaps. Greedy, in the order given; positions are measured after the layout."""
    if not notes:
        return
    from matplotlib.transforms import Bbox

    fig.draw_without_rendering()
    renderer = fig._get_renderer()
    taken = [t.get_window_extent(renderer) for t in fixed]
    ax = notes[0].axes
    frame = ax.get_window_extent(renderer)
    centres = np.empty((0, 2)) if points is None else ax.transData.transform(points)
    r = _MARKER_RADIUS_PT * fig.dpi / 72
    markers = [Bbox.from_extents(px - r, py - r, px + r, py + r) for px, py in centres]

    def place(note, dx, dy):
        note.set_horizontalalignment("right" if dx < 0 else "center" if dx == 0 else "left")
        note.xyann = (dx, dy)
        return note.get_window_extent(renderer)

    for note in notes:
        own = ax.transData.transform(np.atleast_2d(note.xy))[0]
        mine = int(np.argmin(((centres - own) ** 2).sum(axis=1))) if len(centres) else -1
        others = [m for i, m in enumerate(markers) if i != mine]  # a unit's marker, even on top of another's
        best = None
        for dx, dy in places:
            box = place(note, dx, dy)
            clashes = sum(box.overlaps(other) for other in taken) + sum(box.overlaps(m) for m in others)
            clashes += 0 if frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1) else 1
            if best is None or clashes < best[0]:
                best = (clashes, dx, dy)
            if clashes == 0:
                break
        taken.append(place(note, best[1], best[2]))


def _legend_with_shares(ax, quadrants: pd.Series, language: str) -> None:
    """The legend beside the plot: clusters, Moran's I, then the share of units in each quadrant
    (in the corners of the plot the shares covered points and labels: 吉林 under "高-高 38.7%").
    One legend, so that the constrained layout keeps room for all of it."""
    from matplotlib.lines import Line2D

    handles, labels = ax.get_legend_handles_labels()
    shares = quadrants.value_counts(normalize=True)
    names = _TEXT[language]["clusters"]
    blank = Line2D([], [], linestyle="none")
    labels += ["", _TEXT[language]["shares"]] + [f"{names[q]} {100 * shares.get(q, 0.0):.1f}%"
                                                 for q in ("HH", "LH", "LL", "HL")]
    handles += [blank] * 6
    ax.legend(handles, labels, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)


def _stars(p: float) -> str:
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


def moran_over_time(
    result: GlobalAutocorrelation,
    *,
    statistic: str = "moran_i",
    inference: str | None = None,
    p: PValue = "one_sided",
    alpha: float = 0.05,
    variables: Iterable[str] | None = None,
    names: Mapping[str, str] | None = None,
    language: Language = "en",
    title: str | None = None,
    ax: Any = None,
) -> Figure:
    """A global statistic over time, one line per variable, significance marked.

    Markers are filled when p <= ``alpha`` and hollow otherwise; stars give the level
    (* 0.1, ** 0.05, *** 0.01). ``p="one_sided"`` uses the tail of positive autocorrelation
    (upper for Moran's I and G, lower for Geary's C); ``"two_sided"`` the two-sided p-value.

    Parameters
    ----------
    result
        From :func:`spatial.esda.moran` (or :func:`~spatial.esda.global_autocorrelation`).
    statistic
        ``"moran_i"``, ``"geary_c"``, ``"getis_ord_g"`` or ``"bivariate_moran_i"``.
    inference
        ``"permutation"`` when available, else ``"randomisation"`` (default).
    names
        Display names of the variables (e.g. Chinese).

    Raises
    ------
    ValueError
        When the statistic or inference is not in ``result``.

    Examples
    --------
    >>> from libpysal.graph import Graph
    >>> from spatial import SpatialPanel, datasets
    >>> from spatial.esda import moran, moran_over_time
    >>> panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year",
    ...                      geometry=datasets.load("us48_states"))
    >>> w = Graph.build_contiguity(panel.geometry, rook=False)
    >>> fig = moran_over_time(moran(panel, w, ["unemp", "gsp"], permutations=0))
    >>> [line.get_label() for line in fig.axes[0].get_lines()][:2]
    ['unemp', 'gsp']
    """
    check_option("p", p, PValue)
    check_option("language", language, Language)
    text = _TEXT[language]
    table = result.table[result.table["statistic"] == statistic]
    if table.empty:
        raise ValueError(f"{statistic!r} is not in the result; it has {sorted(set(result.table['statistic']))}")
    available = list(dict.fromkeys(table["inference"]))
    inference = inference or ("permutation" if "permutation" in available else available[0])
    if inference not in available:
        raise ValueError(f"inference {inference!r} is not in the result; it has {available}")
    table = table[table["inference"] == inference]
    tail = "p_two_sided" if p == "two_sided" else ("p_lower" if statistic == "geary_c" else "p_upper")
    chosen = list(variables) if variables is not None else list(dict.fromkeys(table["variable"]))
    with _style():
        fig, ax = _axes(ax, (7.0, 4.2))
        periods = list(dict.fromkeys(table["period"]))
        numeric = all(isinstance(t, int | float | np.integer | np.floating) for t in periods)
        position = {t: (t if numeric else i) for i, t in enumerate(periods)}
        shown = _drawable([str((names or {}).get(v, v)) for v in chosen], chosen, "variable names")
        stars: list = []
        for variable, display in zip(chosen, shown, strict=True):
            rows = table[table["variable"] == variable]
            xs = np.array([position[t] for t in rows["period"]], dtype=float)
            values, pvalues = rows["value"].to_numpy(), rows[tail].to_numpy()
            (line,) = ax.plot(xs, values, marker="o", markersize=5, linewidth=1.3, label=display or figure_text(variable))
            colour = line.get_color()
            filled = pvalues <= alpha
            line.set_markerfacecolor("none")
            ax.scatter(xs[filled], values[filled], s=25, color=colour, zorder=3)
            stars += [ax.annotate(_stars(pi), (xi, vi), xytext=(0, 4), textcoords="offset points", ha="center",
                                  fontsize=7, color=colour)
                      for xi, vi, pi in zip(xs, values, pvalues, strict=True) if _stars(pi)]
        if statistic in ("moran_i", "geary_c"):
            expected = -1.0 / (float(table["n"].iloc[0]) - 1) if statistic == "moran_i" else 1.0
            label = text["expected"].format(value=expected)
            ax.axhline(expected, color="#999999", linestyle="--", linewidth=0.8,
                       label=label.replace("[I]", "[C]") if statistic == "geary_c" else label)
        if numeric:
            from matplotlib.ticker import MaxNLocator

            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        else:
            ax.set_xticks(range(len(periods)), [figure_text(t) for t in periods], rotation=45, ha="right")
        ax.set_xlabel(text["period"])
        ax.set_ylabel(text.get(statistic, statistic) if statistic != "moran_i" else text["moran"])
        note = text["filled"].format(p=text[p], alpha=alpha) + "; " + text["stars"]
        ax.set_title(figure_text(title) if title is not None else note, fontsize=9 if title is None else None)
        ax.legend(fontsize=8, frameon=False)
        _declutter(fig, stars, [], _STAR_PLACES)  # stars of close series above or below their own marker
    return fig


def save_figure(
    fig: Figure, path: PathLike, *, formats: Iterable[str] = ("png", "svg"), dpi: int = 300,
    inputs: Iterable[PathLike] = (), overwrite: bool = False,
) -> list[Path]:
    """Write ``fig`` as PNG (300 dpi) and SVG next to each other, atomically.

    ``path`` is the file name without suffix (a suffix is replaced). Every output is checked
    before anything is written: never over an input, never over an existing file unless
    ``overwrite``.

    Raises
    ------
    OutputError
        If an output would overwrite an input or an existing file, or its folder is missing.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from matplotlib.figure import Figure
    >>> fig = Figure()
    >>> _ = fig.subplots().plot([1, 2], [3, 4])
    >>> paths = save_figure(fig, pathlib.Path(tempfile.mkdtemp()) / "line")
    >>> [p.name for p in paths]
    ['line.png', 'line.svg']
    """
    stem = Path(path).expanduser()
    targets = [check_output(stem.with_suffix(f".{fmt}"), inputs=inputs, overwrite=overwrite) for fmt in formats]
    with _style():
        for target in targets:
            with atomic_path(target) as tmp:
                fig.savefig(tmp, format=target.suffix[1:], dpi=dpi)
    return targets
