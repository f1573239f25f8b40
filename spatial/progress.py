"""Progress bars for long steps: shown on a terminal, silent when piped, redirected or quiet.

Long loops (permutations, simulation draws, zonal statistics, the model search) wrap their work in
:func:`progress`; it yields a function that advances the bar. Nothing is drawn unless standard
error is a terminal and :func:`set_quiet` was not called with True (the CLI's ``-q``), so logs,
pipes and tests see no bar. The bar uses rich (a pinned dependency) and disappears when done.

Examples
--------
>>> with progress("permutations", total=3) as advance:  # not a terminal here: draws nothing
...     for _ in range(3):
...         advance()
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

__all__ = ["progress", "set_quiet", "is_quiet", "bars_enabled"]

_QUIET = False
MIN_TOTAL = 2  # a single step gets no bar


def set_quiet(quiet: bool) -> None:
    """Turn bars off (True) or back on for the rest of the process (the CLI's ``-q``)."""
    global _QUIET
    _QUIET = bool(quiet)


def is_quiet() -> bool:
    """True after ``set_quiet(True)``."""
    return _QUIET


def bars_enabled(stream: TextIO | None = None) -> bool:
    """True when a bar would be drawn on ``stream`` (default: standard error)."""
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return not _QUIET and callable(isatty) and bool(isatty())


def _nothing(n: int = 1) -> None:
    return None


@contextmanager
def progress(description: str, total: int, *, stream: TextIO | None = None) -> Iterator[Callable[[int], None]]:
    """A bar of ``total`` steps labelled ``description``; yields ``advance(n=1)``.

    Parameters
    ----------
    description
        What is counted, e.g. ``"LISA permutations"``.
    total
        The number of steps.
    stream
        Where to draw (default: standard error); nothing is drawn unless it is a terminal.
    """
    stream = sys.stderr if stream is None else stream
    if total < MIN_TOTAL or not bars_enabled(stream):
        yield _nothing
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(file=stream, force_terminal=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(description, total=total)

        def advance(n: int = 1) -> None:
            bar.advance(task, n)

        yield advance


def _install_in_weights() -> None:
    """Long weights builds (weights.progress) draw this bar too."""
    from weights.progress import set_progress

    set_progress(progress)


_install_in_weights()
