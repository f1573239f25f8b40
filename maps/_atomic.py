"""Atomic output for maps and reports: write beside the target, then move into place."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from maps.errors import MapError, hint


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_target(target: Path, *, overwrite: bool, suffix: str = ".part") -> Iterator[Path]:
    """Yield a temporary path beside ``target``; it replaces ``target`` only if the block succeeds.

    Raises
    ------
    MapError
        If ``target`` exists and ``overwrite`` is false.
    """
    if target.exists() and not overwrite:
        raise MapError(f"{target.name} already exists; pass {hint('overwrite', True)} to replace it")
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.spatial-{os.getpid()}-", suffix=suffix, dir=target.parent)
    os.close(fd)
    try:
        yield Path(name)
        os.chmod(name, _default_mode())  # mkstemp creates 0600; outputs get the usual permissions
        os.replace(name, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
