"""Continuous colour scales for maps of a measure whose differences matter more than its ranks
(per-unit effects), with a labelled colourbar and the data's range stated.

The rule, so that a trivial range is not exaggerated: **the ramp always reaches 0**, the reference
of an effect (no effect). Values of one sign run from 0 to the largest magnitude (0..max, or min..0
with the darkest colour at the most negative value); values of both signs run from -m to m around 0
on a diverging ramp. A unit's colour is then in proportion to its value, as the length of a bar in a
bar chart that starts at zero: two units differ in colour by the share of the scale that their
values differ by. Effects of 1.204 to 1.248 (a spread of 3.5 % of their size) take about two of the
64 steps, close shades of one hue, and the legend states the range and marks where the data lie on
the bar; 0.1 to 1.0 use most of the ramp, as their differences are large. A user who wants the
small differences brought out chooses a classification (``scheme="quantiles"``...), which the
legend then names.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from maps._classify import NO_DATA_COLOR, palette
from maps._escape import safe_text
from maps._format import format_number, format_numbers
from maps._i18n import Lang, word
from maps._leaflet import View, legend_table, style

__all__ = ["continuous_views", "ramp"]

STEPS = 64  # colour steps along the ramp: finer than the eye separates on a map


def ramp(numbers: np.ndarray, cmap: str | None = None) -> tuple[float, float, bool, str]:
    """The scale's ends (one of them 0, see the module's rule), whether it is diverging and its colormap.

    Examples
    --------
    >>> ramp(np.array([1.204, 1.248, np.nan]))
    (0.0, 1.248, False, 'PuBuGn')
    >>> ramp(np.array([-0.3, -0.1]))
    (-0.3, 0.0, False, 'PuBuGn_r')
    >>> ramp(np.array([-0.2, 0.5]))
    (-0.5, 0.5, True, 'RdBu_r')
    """
    finite = numbers[np.isfinite(numbers)]
    if not finite.size:
        return 0.0, 0.0, False, cmap or "PuBuGn"
    low, high = float(finite.min()), float(finite.max())
    if low < 0 < high:
        m = max(-low, high)
        return -m, m, True, cmap or "RdBu_r"
    if high <= 0 and low < 0:  # negative values: darkest at the largest magnitude
        return low, 0.0, False, cmap or "PuBuGn_r"
    return 0.0, high, False, cmap or "PuBuGn"


def _codes(numbers: np.ndarray, low: float, high: float) -> np.ndarray:
    """Each value's step on the ramp (0..STEPS-1); STEPS for missing values."""
    out = np.full(numbers.shape, STEPS, dtype=int)
    ok = np.isfinite(numbers)
    if high > low:
        out[ok] = np.clip(np.rint((numbers[ok] - low) / (high - low) * (STEPS - 1)), 0, STEPS - 1).astype(int)
    else:
        out[ok] = (STEPS - 1) // 2
    return out


def _colourbar(colors: tuple[str, ...], ticks: list[str], span: tuple[float, float]) -> str:
    """A gradient bar (our colours) with tick labels (escaped) under it, and a dark mark under the
    stretch of the bar where the data lie (``span``: its ends as shares of the bar)."""
    stops = ", ".join(colors[i] for i in list(range(0, len(colors), 7)) + [len(colors) - 1])
    bar = (f'<div class="spatial-colourbar" style="width:220px;height:12px;border:1px solid #666;'
           f'background:linear-gradient(to right, {stops});margin-top:4px"></div>')
    left, right = (round(100 * min(max(v, 0.0), 1.0), 2) for v in span)
    width = round(max(right - left, 0.5), 2)  # a single value still shows as a tick
    mark = (f'<div class="spatial-data-span" style="position:relative;width:222px;height:4px">'
            f'<div style="position:absolute;left:{min(left, 100 - width)}%;width:{width}%;height:4px;'
            f'background:#222"></div></div>')
    labels = "".join(f"<span>{safe_text(t)}</span>" for t in ticks)
    return bar + mark + f'<div style="display:flex;justify-content:space-between;width:222px;font-size:11px">{labels}</div>'


def continuous_views(columns: dict[Any, np.ndarray], *, cmap: str | None, lang: Lang, fmt: str | None) -> list[View]:
    """One view per column on its own continuous scale: the colour of each unit (styles only for the
    ramp steps in use, codes index them), a colourbar
    labelled at its ends (and at 0 or the middle), the data's range and spread, no-data units counted."""
    views = []
    for column, numbers in columns.items():
        low, high, diverging, name = ramp(numbers, cmap)
        colors = palette(name, STEPS)
        steps = _codes(numbers, low, high)
        used, codes = np.unique(steps, return_inverse=True)  # only the steps some unit shows: a smaller page
        styles = tuple(style(colors[s]) if s < STEPS else style(NO_DATA_COLOR, outline="#999999", dash="3 3")
                       for s in used)
        finite = numbers[np.isfinite(numbers)]
        missing = int(numbers.size - finite.size)
        legend = f'<div class="spatial-caption">{safe_text(word("continuous_diverging" if diverging else "continuous", lang))}</div>'
        if finite.size:
            ticks = [format_number(low, fmt) if low else "0",
                     "0" if diverging else format_number((low + high) / 2, fmt), format_number(high, fmt) if high else "0"]
            lo, hi = float(finite.min()), float(finite.max())
            width = high - low
            span = ((lo - low) / width, (hi - low) / width) if width > 0 else (0.5, 0.5)
            legend += _colourbar(colors, ticks, span)
            legend += '<div class="spatial-note">' + safe_text(word(
                "value_range", lang, low=format_number(lo, fmt), high=format_number(hi, fmt),
                spread=format_number(hi - lo, fmt))) + "</div>"
            if not diverging:
                legend += f'<div class="spatial-note">{safe_text(word("scale_from_zero", lang))}</div>'
        if missing or not finite.size:
            no_data = style(NO_DATA_COLOR, outline="#999999", dash="3 3")
            legend += legend_table([(no_data, safe_text(word("no_data", lang)), missing)])
        texts = tuple(format_numbers(numbers, fmt, missing=word("no_data", lang)))
        views.append(View(str(column), styles, tuple(int(c) for c in codes), texts, legend))
    return views
