"""A hook for progress bars of long builds; ``weights`` draws nothing itself.

Long loops (the row blocks of an all-pairs distance matrix) count their steps through
:func:`steps`. By default it does nothing; an application installs a bar with
:func:`set_progress` (``spatial`` installs its rich bar, shown on a terminal only), so this
package keeps importing nothing of the application.

Examples
--------
>>> with steps("distances", total=3) as advance:  # no bar installed: nothing is drawn
...     for _ in range(3):
...         advance()
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["set_progress", "steps"]

_FACTORY: Callable[..., Any] | None = None


def set_progress(factory: Callable[..., Any] | None) -> None:
    """Install ``factory(description, total)``, a context manager yielding ``advance(n=1)``; None removes it."""
    global _FACTORY
    _FACTORY = factory


def _nothing(n: int = 1) -> None:
    return None


@contextmanager
def steps(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """``advance(n=1)`` for ``total`` steps of ``description`` (a bar when one is installed)."""
    if _FACTORY is None:
        yield _nothing
        return
    with _FACTORY(description, total) as advance:
        yield advance
