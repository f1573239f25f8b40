"""Fonts for figures with Chinese (and other CJK) labels.

matplotlib's default font (DejaVu Sans) has no Chinese glyphs: labels like 北京 would show as
empty boxes. :func:`cjk_family` finds a CJK-capable font (Noto Sans CJK SC from Debian's
``fonts-noto-cjk``, installed by ``make system-deps``; Source Han, WenQuanYi, Microsoft YaHei,
SimHei, PingFang...), with the search the maps use.
Figures use it as a per-glyph fallback after DejaVu Sans. When no such font exists,
:func:`renderable` tells which labels cannot be drawn, so that figures warn
(:class:`FontWarning`) and leave those labels out instead of printing boxes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from spatial.errors import SpatialWarning

__all__ = ["FontWarning", "cjk_family", "font_families", "renderable"]

BASE_FAMILY = "DejaVu Sans"


class FontWarning(SpatialWarning):
    """Some labels cannot be drawn with the fonts installed (e.g. Chinese without a CJK font)."""


def cjk_family() -> str | None:
    """The name of an installed CJK-capable font family, or ``None`` when there is none.

    The search (preferred families, and font files installed after matplotlib cached its font
    list) is the one the maps use: :func:`maps._fonts.cjk_font`.
    """
    from maps.shared import cjk_font

    return cjk_font()


def font_families() -> list[str]:
    """The font family list for figures: DejaVu Sans, then the CJK family as glyph fallback."""
    family = cjk_family()
    return [BASE_FAMILY] + ([family] if family else [])


@functools.cache
def _font(family: str):
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    return FT2Font(font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False))


def renderable(texts: Iterable[str], families: list[str] | None = None) -> list[bool]:
    """For each text, whether every character has a glyph in one of ``families``.

    Examples
    --------
    >>> renderable(["Ohio", "North Dakota"], ["DejaVu Sans"])
    [True, True]
    """
    families = font_families() if families is None else families
    fonts = [_font(f) for f in families]
    out = []
    for text in texts:
        out.append(all(
            ch.isspace() or any(font.get_char_index(ord(ch)) for font in fonts) for ch in str(text)
        ))
    return out
