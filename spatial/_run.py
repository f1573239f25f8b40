"""Runs that write into a folder: a lock on the folder, a staging area, and the provenance record.

A run (``spatial run``/``report``/``demo``) takes ``.spatial-run.lock`` in its output folder, writes
every output into a hidden staging folder inside it, and moves them in only when every step has
succeeded; ``run.json`` comes last and lists every output with its SHA-256, so a folder without a
complete ``run.json`` is recognisably interrupted. Single commands (``fit``, ``moran``, ...) write
the same record beside each output as ``<out>.run.json`` (:func:`write_sidecars`). The format is
described in ``docs/run-record.md``.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import platform
import shutil
import tempfile
import warnings
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from spatial._fs import (
    PathLike,
    check_output,
    display_path,
    pid_alive,
    sha256,
    sidecar_path,
    sweep_stale,
    write_text_atomic,
)
from spatial.errors import OutputError, SpatialWarning
from spatial.hints import hint

__all__ = ["LOCK_NAME", "folder_lock", "staging", "move_staged", "provenance", "write_record", "write_sidecars"]

LOCK_NAME = ".spatial-run.lock"
FORMAT = "spatial-run/1"
_PACKAGES = ("numpy", "scipy", "pandas", "geopandas", "shapely", "pyproj", "pyogrio", "libpysal", "esda", "spreg")


class StaleLockWarning(SpatialWarning):
    """A run took over the lock that a process which no longer exists left on its output folder."""


def _lock_owner(lock: Path) -> int | None:
    try:
        return int(lock.read_text(encoding="utf-8").split()[0])
    except (OSError, ValueError, IndexError):
        return None


@contextlib.contextmanager
def folder_lock(folder: PathLike) -> Iterator[Path]:
    """Hold ``.spatial-run.lock`` in ``folder`` for the duration of the block.

    Raises
    ------
    OutputError
        When another live process holds the lock. A lock whose process no longer exists is taken
        over with a :class:`StaleLockWarning`.
    """
    lock = Path(folder) / LOCK_NAME
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            owner = _lock_owner(lock)
            if owner is not None and (owner == os.getpid() or pid_alive(owner)):
                raise OutputError(
                    f"another spatial run (pid {owner}) is writing to {display_path(folder)}; wait for it to "
                    f"finish or choose another {hint('output')} (if no run is active, delete {LOCK_NAME} in that folder)"
                ) from None
            warnings.warn(
                f"{display_path(folder)}: taking over the lock of a run that no longer exists "
                f"(pid {owner if owner is not None else 'unknown'})",
                StaleLockWarning,
                stacklevel=3,
            )
            with contextlib.suppress(FileNotFoundError):
                lock.unlink()
            continue
        except OSError as exc:
            raise OutputError(f"cannot write in {display_path(folder)} ({exc.strerror or exc}); "
                              f"choose another {hint('output')}") from None
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
        break
    else:  # pragma: no cover - another process re-created the lock between our two attempts
        raise OutputError(f"another spatial run is writing to {display_path(folder)}; choose another {hint('output')}")
    try:
        yield lock
    finally:
        if _lock_owner(lock) == os.getpid():
            with contextlib.suppress(FileNotFoundError):
                lock.unlink()


@contextlib.contextmanager
def staging(folder: PathLike) -> Iterator[Path]:
    """A hidden folder inside ``folder`` for a run's outputs; removed on every exit path."""
    sweep_stale(folder)
    area = Path(tempfile.mkdtemp(prefix=f".spatial-staging-{os.getpid()}-", dir=folder))
    try:
        yield area
    finally:
        shutil.rmtree(area, ignore_errors=True)


def move_staged(area: Path, folder: Path, names: Iterable[str], *, overwrite: bool) -> None:
    """Move the staged outputs ``names`` into ``folder``, after checking every one of them first."""
    names = list(names)
    for name in names:
        check_output(folder / name, overwrite=overwrite)
    for name in names:
        os.replace(area / name, folder / name)


def versions() -> dict[str, str]:
    """Python and the versions of the packages that shape the results."""
    found = {"python": platform.python_version()}
    for name in ("spatial-panel", *_PACKAGES):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def now() -> str:
    """The current UTC time as recorded (ISO 8601, seconds)."""
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def provenance(
    *,
    command: str,
    started: str,
    inputs: list[dict],
    options: dict[str, Any],
    outputs: Iterable[Path],
    seed: Any = None,
    warnings_seen: Iterable[str] = (),
    partial: Iterable[str] = (),
    **extra: Any,
) -> dict[str, Any]:
    """The record of one run or command, in the one format of ``run.json`` and sidecars."""
    outputs = list(outputs)
    partial = list(partial)
    return {
        "format": FORMAT,
        "tool": "spatial",
        "command": command,
        "status": "partial" if partial else "complete",
        "partial": partial,
        "started": started,
        "finished": now(),
        "inputs": inputs,
        "options": options,
        "seed": seed,
        **extra,
        "warnings": list(dict.fromkeys(warnings_seen)),
        "outputs": [p.name for p in outputs],
        "checksums": {p.name: sha256(p) for p in outputs if p.is_file()},
        "versions": versions(),
    }


def write_record(path: Path, record: dict[str, Any]) -> Path:
    """Write a record as JSON, atomically."""
    return write_text_atomic(path, json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n")


def _public(value: Any) -> Any:
    """Option values as recorded: basenames for paths (no local folders in shared records)."""
    if isinstance(value, dict):
        return {k: _public(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_public(v) for v in value]
    if isinstance(value, os.PathLike):
        return Path(value).name
    if isinstance(value, str) and ("/" in value or "\\" in value):
        return Path(value).name
    return value


def public_options(options: dict[str, Any]) -> dict[str, Any]:
    """``options`` with every path reduced to its basename."""
    return {k: _public(v) for k, v in options.items()}


def input_record(path: PathLike, role: str) -> dict[str, Any]:
    """An input as recorded: role, basename and SHA-256 of its content."""
    path = Path(path)
    record: dict[str, Any] = {"role": role, "file": path.name}
    if path.is_file():
        record["sha256"] = sha256(path)
    return record


def write_sidecars(command: str, started: str, params: dict[str, Any], outputs: Iterable[Path],
                   warnings_seen: Iterable[str] = (), partial: Iterable[str] = ()) -> list[Path]:
    """Write ``<out>.run.json`` beside every output of a single command (inputs, options, seed)."""
    outputs = [Path(p) for p in dict.fromkeys(outputs) if Path(p).is_file()]
    if not outputs:
        return []
    resolved = {p.resolve() for p in outputs}
    inputs = []
    for role, value in params.items():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, (str, os.PathLike)) and str(item) and not str(item).startswith("-"):
                path = Path(item).expanduser()
                with contextlib.suppress(OSError):
                    if path.is_file() and path.resolve() not in resolved:
                        inputs.append(input_record(path, role))
    record = provenance(command=command, started=started, inputs=inputs, options=public_options(params),
                        outputs=outputs, seed=params.get("seed"), warnings_seen=warnings_seen, partial=partial)
    return [write_record(sidecar_path(p), record) for p in outputs]
