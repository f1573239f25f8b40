"""Shared by the categorical maps (LISA, significance, hot spots, ordered categories): values as a
wide frame, the period shown first, and one view per period with a legend of category counts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from maps._escape import safe_text
from maps._i18n import Lang, word
from maps._leaflet import View, legend_table, style
from maps.errors import MapError


def wide(values: Any, name: str) -> pd.DataFrame:
    """A Series as a one-column frame (named ``name`` if unnamed); a wide DataFrame as it is."""
    if isinstance(values, pd.Series):
        return values.to_frame(name=values.name if values.name is not None else name)
    if isinstance(values, pd.DataFrame):
        return values
    raise TypeError(f"{name} must be a Series indexed by unit id or a wide DataFrame (one column per period)")


def initial_index(columns: pd.Index, period: Any) -> int:
    """Position of ``period`` among the columns (``-1``, the last, when ``period`` is None)."""
    if period is None:
        return -1
    for i, column in enumerate(columns):
        if column == period or str(column) == str(period):
            return i
    raise MapError(f"period {period!r} is not among the columns; available: {', '.join(map(repr, list(columns)[:20]))}")


def category_views(codes: pd.DataFrame, texts: pd.DataFrame, categories: list[tuple[str, str, dict]],
                   lang: Lang, note: str | None, no_data: dict | None = None) -> list[View]:
    """One view per column of ``codes`` (category keys); ``categories`` are ``(key, legend text, style)``;
    ``no_data`` the style of units without a category (grey, dashed outline, unless given)."""
    keys = [c[0] for c in categories]
    styles = tuple(c[2] for c in categories) + (no_data or style("#d9d9d9", outline="#999999", dash="3 3"),)
    views = []
    for column in codes.columns:
        column_codes = [keys.index(v) if v in keys else len(keys) for v in codes[column]]
        counts = np.bincount(column_codes, minlength=len(keys) + 1)
        rows = [(styles[i], safe_text(label), int(counts[i])) for i, (_, label, _) in enumerate(categories)]
        if counts[-1]:
            rows.append((styles[-1], safe_text(word("no_data", lang)), int(counts[-1])))
        legend = legend_table(rows) + (f'<div class="spatial-note">{safe_text(note)}</div>' if note else "")
        views.append(View(str(column), styles, tuple(column_codes), tuple(texts[column]), legend))
    return views
