"""Choropleth maps of a variable, one period or many (with a period selector and slider)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from maps.choices import Tiles
from maps._classify import NO_DATA_COLOR, Classes, Scheme, classify
from maps._display import align_values, display_layer, plain_values, require_fields
from maps._escape import safe_text
from maps._format import format_numbers
from maps._i18n import Lang, word
from maps._leaflet import OfflineMap, View, build_map, legend_table, style

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["choropleth", "class_views", "numeric_columns"]


def _values_frame(units: gpd.GeoDataFrame, values: Any, id: str | None) -> tuple[pd.DataFrame, str]:
    """The values as a wide frame (index = unit id, one column per period) and their label."""
    if isinstance(values, str):
        require_fields(units, [values])
        ids = units.index if id is None else units[id]
        return pd.DataFrame({values: units[values].to_numpy()}, index=ids), values
    if isinstance(values, pd.Series):
        return values.to_frame(name=values.name if values.name is not None else "value"), str(values.name or "value")
    if isinstance(values, pd.DataFrame):
        return values, str(values.columns.name or "value")
    raise TypeError("values must be a column name of units, a Series indexed by unit id, "
                    "or a wide DataFrame (index = unit id, one column per period)")


def numeric_columns(frame: pd.DataFrame, what: str) -> dict[Any, np.ndarray]:
    """Each column of ``frame`` as numbers (Decimals to float, infinities to missing, warned once)."""
    return {column: plain_values(frame[column], f"{what} [{column}]") for column in frame.columns}


def class_views(
    columns: dict[Any, np.ndarray],
    classes_for: Any,
    *,
    lang: Lang,
    fmt: str | None,
    pooled_note: str | None,
) -> list[View]:
    """One view per column: colours by class, tooltip values, legend with counts."""
    views = []
    for column, numbers in columns.items():
        classes: Classes = classes_for(column, numbers)
        styles = tuple(style(c) for c in classes.colors) + (style(NO_DATA_COLOR, outline="#999999", dash="3 3"),)
        codes = classes.codes(numbers)
        codes[codes < 0] = classes.k
        counts, missing = classes.counts(numbers)
        rows = [(styles[i], safe_text(label), counts[i]) for i, label in enumerate(classes.labels(fmt))]
        if missing or classes.k == 0:
            rows.append((styles[-1], safe_text(word("no_data", lang)), missing))
        caption = f'<div class="spatial-caption">{safe_text(classes.describe(lang))}</div>'
        note = f'<div class="spatial-note">{safe_text(pooled_note)}</div>' if pooled_note else ""
        texts = tuple(format_numbers(numbers, fmt, missing=word("no_data", lang)))
        views.append(View(str(column), styles, tuple(int(c) for c in codes), texts,
                          caption + legend_table(rows) + note))
    return views


def choropleth(
    units: gpd.GeoDataFrame,
    values: str | pd.Series | pd.DataFrame,
    *,
    id: str | None = None,
    names: list[str] | None = None,
    label: str | None = None,
    scheme: Scheme = "quantiles",
    k: int = 5,
    breaks: list[float] | None = None,
    cmap: str | None = None,
    title: str | None = None,
    period: Any = None,
    fmt: str | None = None,
    tiles: Tiles | None = None,
    lang: Lang = "en",
    simplify: float | str | None = "auto",
    height: int | str = "100%",
) -> OfflineMap:
    """An interactive choropleth; with several periods, a selector and a slider move through them.

    Classes are computed once over all periods (pooled), so a colour means the same value in
    every year and the map shows how the variable moves; the legend states the scheme and the
    number of units in each class for the period shown.

    Parameters
    ----------
    units
        Boundaries (any CRS; shown in EPSG:4326), one row per unit.
    values
        A column of ``units``; a Series indexed by unit id; or a wide DataFrame indexed by unit
        id with one column per period (e.g. ``panel.wide("gsp")``). Matched by id, never by
        position; units without a value show in the no-data colour.
    id
        Column of ``units`` holding the ids (default: the index).
    names
        Columns naming units in the tooltip (default: the usual name columns found).
    label
        Name of the variable in the title, legend and tooltip.
    scheme, k, breaks, cmap
        Classification (see :func:`maps._classify.classify`).
    period
        The period shown first (default: the last).
    fmt
        Format spec for values (e.g. ``",.1f"``); default about 4 significant digits.
    tiles
        ``None`` (no base map: works offline) or a tile provider by name, e.g.
        ``"OpenStreetMap"``, ``"CartoDB positron"``.
    lang
        ``"en"`` or ``"zh"`` for the fixed labels.
    simplify
        Display simplification: ``"auto"``, a tolerance in metres, or ``None``.

    Returns
    -------
    OfflineMap
        A folium map; ``.save(path)`` or ``.to_html()`` give a self-contained page.

    Raises
    ------
    FieldError
        For a column that does not exist (the message lists those that do).
    MapInputError
        For units without a CRS, repeated ids, or values for ids that are not units.
    MapError
        For an unknown scheme or colormap, or bad ``breaks``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> units = gpd.GeoDataFrame({"code": ["a", "b", "c"], "gdp": [1.0, 2.0, None]},
    ...                          geometry=[box(i, 0, i + 1, 1) for i in range(3)], crs=4326)
    >>> m = choropleth(units, "gdp", id="code", k=2)
    >>> html = m.to_html()
    >>> "L.map(" in html and "<script src=" not in html and "<link" not in html
    True
    """
    from maps._classify import check_choice

    check_choice("lang", lang, Lang)
    layer = display_layer(units, id=id, names=names, simplify=simplify)
    frame, default_label = _values_frame(units, values, id)
    label = label or default_label
    frame = align_values(layer, frame, f"values of {label!r}")
    columns = numeric_columns(frame, label)
    classes = classify(np.concatenate(list(columns.values())), scheme=scheme, k=k, breaks=breaks, cmap=cmap)
    several = frame.shape[1] > 1
    views = class_views(
        columns, lambda column, numbers: classes, lang=lang, fmt=fmt,
        pooled_note=word("pooled", lang, what=word("periods", lang)) if several else None,
    )
    initial = -1 if period is None else _position(frame.columns, period)
    return build_map(
        layer, views, title=title or label, value_label=label, selector=word("period", lang), lang=lang,
        slider=several, initial=initial, tiles=tiles, height=height,
    )


def _position(columns: pd.Index, period: Any) -> int:
    from maps.errors import FieldError

    for i, column in enumerate(columns):
        if column == period or str(column) == str(period):
            return i
    shown = ", ".join(repr(c) for c in list(columns)[:20])
    raise FieldError(f"period {period!r} is not among the columns of values; available: {shown}")
