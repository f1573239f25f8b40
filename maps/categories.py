"""Maps of ordered categories (e.g. coupling coordination grades) with a categorical legend.

The legend lists every category in the given order with its colour and the number of units in
it for the period shown (categories with no unit stay listed, with 0), so a reader sees the
whole scale; units without a category show in the no-data colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from maps._categorical import category_views, initial_index, wide
from maps._classify import palette
from maps._display import align_values, display_layer
from maps._i18n import Lang, word
from maps._leaflet import OfflineMap, build_map, style
from maps.errors import MapError

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["category_map"]


def _key(value: Any) -> str:
    """One spelling per key: 3, 3.0 and "3" are the same category (NaN-padded columns become floats)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        return str(int(value))
    return str(value)


def category_map(
    units: gpd.GeoDataFrame,
    labels: pd.Series | pd.DataFrame,
    categories: Sequence[tuple[Any, str]],
    *,
    colors: Sequence[str] | None = None,
    cmap: str = "RdYlGn",
    id: str | None = None,
    names: list[str] | None = None,
    title: str | None = None,
    label: str | None = None,
    period: Any = None,
    tiles: str | None = None,
    lang: Lang = "en",
    simplify: float | str | None = "auto",
    height: int | str = "100%",
) -> OfflineMap:
    """An interactive map of categories, one period or several (a selector moves through them).

    Parameters
    ----------
    units
        Boundaries, one row per unit.
    labels
        Category keys indexed by unit id (a Series), or a wide DataFrame with one column per period.
    categories
        ``(key, legend text)`` pairs in legend order (e.g. lowest grade first).
    colors
        One colour per category; by default sampled from ``cmap``.

    Raises
    ------
    MapError
        Keys not among ``categories``, or a wrong number of colours.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely import box
    >>> units = gpd.GeoDataFrame(geometry=[box(i, 0, i + 1, 1) for i in range(3)], crs=4326, index=["a", "b", "c"])
    >>> m = category_map(units, pd.Series([1, 3, 3], index=["a", "b", "c"]),
    ...                  [(1, "low"), (2, "middle"), (3, "high")], title="grades")
    >>> "middle" in m.to_html()
    True
    """
    keys = [key for key, _ in categories]
    if len(set(map(_key, keys))) != len(keys) or not keys:
        raise MapError("categories must be a non-empty list of (key, text) pairs with distinct keys")
    fills = tuple(colors) if colors is not None else palette(cmap, len(keys))
    if len(fills) != len(keys):
        raise MapError(f"{len(keys)} categories need {len(keys)} colours, got {len(fills)}")
    layer = display_layer(units, id=id, names=names, simplify=simplify)
    values = align_values(layer, wide(labels, label or "category"), "categories")
    by_text = {_key(k): _key(k) for k in keys}
    codes = values.map(lambda v: None if pd.isna(v) else by_text.get(_key(v), "?"))
    unknown = sorted(
        {str(v) for v, c in zip(values.to_numpy().ravel(), codes.to_numpy().ravel(), strict=True) if c == "?"}
    )
    if unknown:
        raise MapError(f"labels not among the categories: {', '.join(map(repr, unknown[:10]))}")
    text_of = {_key(k): t for k, t in categories}
    texts = codes.map(lambda v: text_of.get(v, word("no_data", lang)) if v is not None else word("no_data", lang))
    entries = [(_key(k), t, style(c)) for (k, t), c in zip(categories, fills, strict=True)]
    views = category_views(codes, texts, entries, lang, None)
    return build_map(
        layer,
        views,
        title=title or label or "",
        value_label=label or title or "",
        selector=word("period", lang),
        lang=lang,
        initial=initial_index(codes.columns, period),
        tiles=tiles,
        height=height,
    )
