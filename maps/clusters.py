"""LISA cluster and significance maps, and Getis-Ord Gi* hot and cold spot maps.

Colours follow GeoDa: High-High red, Low-Low blue, High-Low pink, Low-High light blue, not
significant grey; islands (units without neighbours) are white with a dashed outline and
labelled, never counted as "not significant". The legend lists every category with its count,
so an all-not-significant map says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from maps._categorical import category_views, initial_index, wide
from maps._display import align_values, display_layer
from maps._format import format_p, p_phrase
from maps._i18n import Lang, word
from maps._leaflet import OfflineMap, build_map, style
from maps.errors import MapError

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["lisa_clusters", "lisa_map", "significance_map", "hotspot_map", "LISA_COLORS", "LISA_NO_DATA"]

LISA_COLORS = {"HH": "#e31a1c", "LL": "#1f4fd8", "HL": "#f4a6a6", "LH": "#a6c8f4", "ns": "#eeeeee",
               "island": "#ffffff"}
_ALIASES = {
    "hh": "HH", "high-high": "HH", "high high": "HH",
    "ll": "LL", "low-low": "LL", "low low": "LL",
    "hl": "HL", "high-low": "HL", "high low": "HL",
    "lh": "LH", "low-high": "LH", "low high": "LH",
    "ns": "ns", "not significant": "ns", "n.s.": "ns", "insignificant": "ns",
    "island": "island", "isolate": "island", "no neighbours": "island", "no neighbors": "island",
}
_ISLAND_STYLE = style(LISA_COLORS["island"], outline="#000000", weight=1.6, dash="4 3", opacity=1)
# Units without data (e.g. Taiwan beside a mainland sample): light sand, far from the grey of "not
# significant" and from the white of islands; the print figure hatches them as well.
LISA_NO_DATA = "#f1dfb4"
NO_DATA_HATCH = "xxx"
_NO_DATA_STYLE = style(LISA_NO_DATA, outline="#8c6d31", weight=0.8, dash="2 3", opacity=1)


def lisa_clusters(values: Any, lag: Any, pvalues: Any, *, alpha: float = 0.05, islands: Any = None) -> np.ndarray:
    """LISA cluster labels from values, their spatial lag and local p-values.

    The quadrant compares ``values - mean(values)`` and ``lag - mean(lag)`` (R spdep's
    ``quadr$mean``; a value equal to the mean counts as low); a unit is significant when
    ``p < alpha`` (esda's convention). Islands are labelled ``"island"`` whatever their p-value.

    Raises
    ------
    MapError
        For arrays of different lengths or ``alpha`` outside (0, 1).

    Examples
    --------
    >>> lisa_clusters([1, 2, 9, 10], [2, 1, 9, 8], [0.01, 0.2, 0.03, 0.5], islands=[False, False, False, True]).tolist()
    ['LL', 'ns', 'HH', 'island']
    """
    x, lx, p = (np.asarray(a, dtype=float) for a in (values, lag, pvalues))
    if not (x.shape == lx.shape == p.shape):
        raise MapError(f"values, lag and pvalues differ in length ({x.size}, {lx.size}, {p.size})")
    if not 0 < alpha < 1:
        raise MapError(f"alpha={alpha!r} must lie between 0 and 1")
    island = np.zeros(x.shape, bool) if islands is None else np.asarray(islands, dtype=bool)
    keep = ~island
    high = x - np.nanmean(x[keep]) > 0
    lag_high = lx - np.nanmean(lx[keep]) > 0
    quadrant = np.where(high, np.where(lag_high, "HH", "HL"), np.where(lag_high, "LH", "LL")).astype(object)
    quadrant[~(p < alpha)] = "ns"
    quadrant[island] = "island"
    return quadrant


def _normalise_labels(frame: pd.DataFrame) -> pd.DataFrame:
    def one(value: Any) -> Any:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return None
        key = str(value).strip()
        return _ALIASES.get(key.lower(), key if key in LISA_COLORS else "?" + key)

    out = frame.map(one)
    bad = sorted({v[1:] for v in out.to_numpy().ravel() if isinstance(v, str) and v.startswith("?")})
    if bad:
        raise MapError(f"unknown LISA cluster labels {', '.join(map(repr, bad[:10]))}; use HH, LL, HL, LH, "
                       "ns (not significant) or island (or High-High, Low-Low, ... as esda writes them)")
    return out


def _like(frame: pd.DataFrame | None, reference: pd.DataFrame) -> pd.DataFrame | None:
    """``frame`` with the columns (periods) of ``reference``; a single column is matched to a single one."""
    if frame is None:
        return None
    if frame.shape[1] == 1 and reference.shape[1] == 1:
        frame = frame.set_axis(reference.columns, axis=1)
    return frame.reindex(columns=reference.columns)


def _texts(labels: pd.DataFrame, names: dict[str, str], pvalues: pd.DataFrame | None, lang: Lang) -> pd.DataFrame:
    out = labels.map(lambda v: names.get(v, word("no_data", lang)) if v is not None else word("no_data", lang))
    if pvalues is not None:
        p = pvalues.reindex(index=labels.index, columns=labels.columns)
        for column in out.columns:
            out[column] = [t if lab in (None, "island") or not np.isfinite(pv) else f"{t} ({p_phrase(pv)})"
                           for t, lab, pv in zip(out[column], labels[column], p[column].astype(float), strict=True)]
    return out


def lisa_map(
    units: gpd.GeoDataFrame,
    clusters: pd.Series | pd.DataFrame,
    *,
    pvalues: pd.Series | pd.DataFrame | None = None,
    id: str | None = None,
    names: list[str] | None = None,
    alpha: float | None = None,
    title: str | None = None,
    label: str | None = None,
    period: Any = None,
    tiles: str | None = None,
    lang: Lang = "en",
    simplify: float | str | None = "auto",
    height: int | str = "100%",
) -> OfflineMap:
    """LISA cluster map: HH, LL, HL, LH, not significant and islands, one period or several.

    Parameters
    ----------
    clusters
        Labels indexed by unit id (a Series), or a wide DataFrame with one column per period.
        Accepted labels: ``HH LL HL LH ns island`` or esda's ``High-High``, ``Not significant``...
    pvalues
        Optional p-values of the same shape, shown in the tooltip.
    alpha
        Significance level used, stated in the legend.

    Raises
    ------
    MapError
        For unknown labels.
    FieldError, MapInputError
        As for :func:`maps.choropleth`.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely import box
    >>> units = gpd.GeoDataFrame(geometry=[box(i, 0, i + 1, 1) for i in range(3)], crs=4326, index=["a", "b", "c"])
    >>> m = lisa_map(units, pd.Series(["HH", "ns", "island"], index=["a", "b", "c"]))
    >>> "High-High" in m.to_html()
    True
    """
    layer = display_layer(units, id=id, names=names, simplify=simplify)
    labels = _normalise_labels(align_values(layer, wide(clusters, "cluster"), "LISA clusters"))
    p = None if pvalues is None else _like(align_values(layer, wide(pvalues, "p"), "LISA p-values"), labels)
    keys = ["HH", "LL", "HL", "LH", "ns", "island"]
    names_ = {key: word(key, lang) for key in keys}
    categories = [(key, names_[key], style(LISA_COLORS[key]) if key != "island" else _ISLAND_STYLE) for key in keys]
    note = word("alpha_note", lang, alpha=alpha) if alpha is not None else None
    views = category_views(labels, _texts(labels, names_, p, lang), categories, lang, note,
                           no_data=_NO_DATA_STYLE)
    return build_map(layer, views, title=title or (label or word("lisa_title", lang)), value_label=word("cluster", lang),
                     selector=word("period", lang), lang=lang, initial=initial_index(labels.columns, period),
                     tiles=tiles, height=height)


def significance_map(
    units: gpd.GeoDataFrame,
    pvalues: pd.Series | pd.DataFrame,
    *,
    islands: Any = None,
    id: str | None = None,
    names: list[str] | None = None,
    levels: tuple[float, ...] = (0.05, 0.01, 0.001),
    title: str | None = None,
    period: Any = None,
    tiles: str | None = None,
    lang: Lang = "en",
    simplify: float | str | None = "auto",
    height: int | str = "100%",
) -> OfflineMap:
    """LISA significance map: p-values in classes (``p < 0.05``, ``< 0.01``, ``< 0.001``).

    ``islands`` lists the ids of units without neighbours (shown as islands).

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely import box
    >>> units = gpd.GeoDataFrame(geometry=[box(i, 0, i + 1, 1) for i in range(2)], crs=4326, index=["a", "b"])
    >>> m = significance_map(units, pd.Series([0.03, 0.4], index=["a", "b"]))
    >>> "u0026lt; 0.05" in m.to_html()  # "p < 0.05", html-escaped, then JSON-escaped in the script
    True
    """
    levels = tuple(sorted(float(v) for v in levels))[::-1]
    if not levels or not all(0 < v < 1 for v in levels):
        raise MapError(f"levels={levels!r} must be p-value thresholds between 0 and 1")
    layer = display_layer(units, id=id, names=names, simplify=simplify)
    p = align_values(layer, wide(pvalues, "p"), "p-values").astype(float)
    island_ids = {str(i) for i in (islands if islands is not None else [])}
    greens = ["#c7e9c0", "#74c476", "#238b45", "#00441b"]
    keys = [f"p{v}" for v in levels]
    labels = pd.DataFrame(index=p.index, columns=p.columns, dtype=object)
    for column in p.columns:
        cells = []
        for unit, value in zip(p.index, p[column], strict=True):
            if unit in island_ids:
                cells.append("island")
            elif not np.isfinite(value):
                cells.append(None)
            else:
                passed = [key for key, level in zip(keys, levels, strict=True) if value < level]
                cells.append(passed[-1] if passed else "ns")
        labels[column] = cells
    categories = [(key, f"p < {level:g}", style(greens[min(i, 3)])) for i, (key, level) in enumerate(zip(keys, levels, strict=True))]
    categories += [("ns", word("ns", lang), style(LISA_COLORS["ns"])), ("island", word("island", lang), _ISLAND_STYLE)]
    texts = p.map(lambda v: format_p(v) if np.isfinite(v) else word("no_data", lang))
    for column in texts.columns:
        texts.loc[labels[column] == "island", column] = word("island", lang)
    views = category_views(labels, texts, categories, lang, None, no_data=_NO_DATA_STYLE)
    return build_map(layer, views, title=title or word("significance_title", lang), value_label=word("p_value", lang),
                     selector=word("period", lang), lang=lang, initial=initial_index(p.columns, period),
                     tiles=tiles, height=height)


def hotspot_map(
    units: gpd.GeoDataFrame,
    z: pd.Series | pd.DataFrame,
    pvalues: pd.Series | pd.DataFrame,
    *,
    categories: pd.Series | pd.DataFrame | None = None,
    islands: Any = None,
    id: str | None = None,
    names: list[str] | None = None,
    title: str | None = None,
    period: Any = None,
    tiles: str | None = None,
    lang: Lang = "en",
    simplify: float | str | None = "auto",
    height: int | str = "100%",
) -> OfflineMap:
    """Getis-Ord Gi* hot and cold spots at 90, 95 and 99 percent confidence.

    A unit is a hot spot when its Gi* z-score is positive and ``p < 0.10`` (90 %), ``< 0.05``
    (95 %), ``< 0.01`` (99 %); cold spots likewise with a negative z. ``categories`` (same shape,
    labels such as ``hot spot 99%``, ``cold spot 90%``, ``not significant``, ``island``) takes
    precedence, e.g. when the decision used a multiple-testing adjustment.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely import box
    >>> units = gpd.GeoDataFrame(geometry=[box(i, 0, i + 1, 1) for i in range(2)], crs=4326, index=["a", "b"])
    >>> m = hotspot_map(units, pd.Series([2.9, -1.7], index=["a", "b"]), pd.Series([0.004, 0.08], index=["a", "b"]))
    >>> "Hot spot 99%" in m.to_html() and "Cold spot 90%" in m.to_html()
    True
    """
    layer = display_layer(units, id=id, names=names, simplify=simplify)
    zs = align_values(layer, wide(z, "z"), "Gi* z-scores").astype(float)
    ps = _like(align_values(layer, wide(pvalues, "p"), "Gi* p-values"), zs).astype(float)
    island_ids = {str(i) for i in (islands if islands is not None else [])}
    given = None if categories is None else _like(align_values(layer, wide(categories, "category"), "Gi* categories"), zs)
    hot = ["#d7191c", "#f07c4a", "#fdc086"]
    cold = ["#2c7bb6", "#74add1", "#abd9e9"]
    confidence = [(99, 0.01), (95, 0.05), (90, 0.10)]
    categories = [(f"hot{c}", word("hot", lang, c=c), style(hot[i])) for i, (c, _) in enumerate(confidence)]
    categories.append(("ns", word("ns", lang), style(LISA_COLORS["ns"])))
    categories += [(f"cold{c}", word("cold", lang, c=c), style(cold[i])) for i, (c, _) in reversed(list(enumerate(confidence)))]
    categories.append(("island", word("island", lang), _ISLAND_STYLE))
    labels = pd.DataFrame(index=zs.index, columns=zs.columns, dtype=object)
    texts = pd.DataFrame(index=zs.index, columns=zs.columns, dtype=object)
    for column in zs.columns:
        cells, shown = [], []
        for unit, zv, pv in zip(zs.index, zs[column], ps[column], strict=True):
            key = _hotspot_key(given.at[unit, column]) if given is not None else None
            if unit in island_ids or key == "island":
                cells.append("island")
                shown.append(word("island", lang))
                continue
            if not (np.isfinite(zv) and np.isfinite(pv)):
                cells.append(key)
                shown.append(word("no_data", lang))
                continue
            if key is None:
                level = next((c for c, cut in confidence if pv < cut), None)
                key = "ns" if level is None else f"{'hot' if zv > 0 else 'cold'}{level}"
            cells.append(key)
            shown.append(f"z = {zv:.2f}, {p_phrase(pv)}")
        labels[column], texts[column] = cells, shown
    views = category_views(labels, texts, categories, lang, None, no_data=_NO_DATA_STYLE)
    return build_map(layer, views, title=title or word("hotspot_title", lang), value_label=word("gi_z", lang),
                     selector=word("period", lang), lang=lang, initial=initial_index(zs.columns, period),
                     tiles=tiles, height=height)


def _hotspot_key(label: Any) -> str | None:
    if label is None or (isinstance(label, float) and np.isnan(label)):
        return None
    text = str(label).strip().lower()
    if text in ("island", "isolate"):
        return "island"
    if text in ("ns", "not significant"):
        return "ns"
    for side in ("hot", "cold"):
        for level in (99, 95, 90):
            if text.startswith(side) and str(level) in text:
                return f"{side}{level}"
    raise MapError(f"unknown hot-spot category {label!r}; use e.g. 'hot spot 99%', 'cold spot 90%', "
                   "'not significant' or 'island'")

