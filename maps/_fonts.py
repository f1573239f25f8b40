"""A CJK-capable font for matplotlib figures, so Chinese labels never render as empty boxes."""

from __future__ import annotations

import re
import warnings
from functools import cache

from maps.errors import MapWarning

__all__ = ["cjk_font", "font_rc", "has_cjk"]

# Family names and file-name fragments of common CJK fonts, preferred first.
_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "SimHei", "Heiti SC", "Noto Serif CJK SC",
             "AR PL UMing CN")
_FILES = re.compile(r"(NotoSansCJK|NotoSansSC|SourceHanSans|wqy|msyh|PingFang|simhei|STHeiti|NotoSerifCJK|uming)",
                    re.IGNORECASE)
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds Chinese, Japanese or Korean characters.

    Examples
    --------
    >>> has_cjk("北京 Beijing"), has_cjk("Beijing")
    (True, False)
    """
    return bool(_CJK.search(text))


@cache
def cjk_font() -> str | None:
    """The family name of an installed CJK font, or ``None`` (fonts installed after matplotlib
    built its cache are found by scanning the system font folders once)."""
    from matplotlib import font_manager

    def known() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((family for family in _FAMILIES if family in names), None)

    found = known()
    if found is None:
        for path in font_manager.findSystemFonts():
            if _FILES.search(path):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = known()
    return found


def font_rc(texts: list[str] | tuple[str, ...] = ()) -> dict:
    """matplotlib settings with a CJK font in the fallback chain; warns once when Chinese text is
    drawn and no CJK font is installed (install ``fonts-noto-cjk`` on Debian/Ubuntu)."""
    family = cjk_font()
    if family is None:
        if any(has_cjk(str(t)) for t in texts):
            warnings.warn("no CJK font is installed, so Chinese labels will show as boxes; install one "
                          "(Debian/Ubuntu: apt-get install fonts-noto-cjk)", MapWarning, stacklevel=3)
        return {"font.family": ["DejaVu Sans"]}
    return {"font.family": ["DejaVu Sans", family], "axes.unicode_minus": False}
