"""The helpers of ``maps`` that the application shares: escaping (pages and figures), number formatting, words, CJK font.

Public so that ``spatial`` never imports a private module of ``maps`` (the import contract of
``tests/test_import_contract.py``).
"""

from maps._escape import figure_text, safe_text
from maps._fonts import cjk_font
from maps._format import format_number
from maps._i18n import word

__all__ = ["safe_text", "figure_text", "cjk_font", "format_number", "word"]
