"""The helpers of ``maps`` that the application shares: escaping (pages and figures), number formatting, words,
CJK font, the default name columns of tooltips (``name_columns``), and the self-contained Leaflet map
(``OfflineMap``: no tiles, run-time text never a template) for custom layers.

Public so that ``spatial`` never imports a private module of ``maps`` (the import contract of
``tests/test_import_contract.py``).
"""

from maps._display import name_columns
from maps._escape import figure_text, safe_text
from maps._fonts import cjk_font
from maps._format import format_number
from maps._i18n import word

__all__ = ["safe_text", "figure_text", "cjk_font", "format_number", "word", "name_columns", "OfflineMap"]


def __getattr__(name: str):
    """``OfflineMap`` loads folium, so it is imported on first use only (the CLI starts without folium)."""
    if name == "OfflineMap":
        from maps._leaflet import OfflineMap

        return OfflineMap
    raise AttributeError(f"module 'maps.shared' has no attribute {name!r}")
