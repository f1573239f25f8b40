"""Maps, static figures and the HTML report, built from plain frames.

This package imports nothing else of the application; every user-derived string passes through
:func:`maps._escape.safe_text` before it reaches a page.
"""

from maps._escape import safe_text

__all__ = ["safe_text"]
