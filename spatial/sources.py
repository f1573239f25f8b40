"""One way to name an input: a file, or the name of a bundled dataset, on every command and in config.

``--boundaries china_provinces``, ``spatial weights build china_capitals`` and ``[boundaries]
dataset = "china_provinces"`` all go through :func:`resolve_source`: an existing file is used as
it is; otherwise a bundled dataset of that name is used (with its id column and coordinate
columns as defaults); otherwise the error says the file does not exist and names the closest dataset.

Examples
--------
>>> path, dataset = resolve_source("china_capitals")
>>> path.name, dataset.id
('capitals.csv', 'province_adcode')
>>> resolve_source("nope.csv")
Traceback (most recent call last):
...
spatial.errors.InputFileError: nope.csv does not exist; no bundled dataset has that name either (spatial datasets lists them)
"""

from __future__ import annotations

from pathlib import Path

from spatial import datasets
from spatial.errors import InputFileError

__all__ = ["resolve_source", "source_spec", "POINT_COLUMNS"]

POINT_COLUMNS = ("lon", "lat")  # the coordinate columns of the bundled points datasets


def resolve_source(value: str | Path, *, kinds: tuple[str, ...] | None = None):
    """The file behind ``value`` and its bundled :class:`~spatial.datasets.Dataset` (None for a file).

    Parameters
    ----------
    value
        A path, or the name of a bundled dataset.
    kinds
        The dataset kinds that fit where it is used (``("boundaries",)``); a dataset of another
        kind is refused with the kinds that fit.

    Raises
    ------
    InputFileError
        When ``value`` is neither an existing file nor a bundled dataset (closest name suggested),
        or is a dataset of the wrong kind.
    """
    path = Path(value).expanduser()
    if path.exists():
        return path, None
    name = str(value)
    entries = datasets.catalog()
    if name not in entries:
        from spatial.io import close_matches

        near = close_matches(name, list(entries), n=1)
        suggestion = (f"did you mean the bundled dataset {near[0]!r}?" if near
                      else "no bundled dataset has that name either (spatial datasets lists them)")
        raise InputFileError(f"{path.name} does not exist; {suggestion}")
    entry = entries[name]
    if kinds is not None and entry.kind not in kinds:
        fitting = [n for n, e in entries.items() if e.kind in kinds]
        raise InputFileError(f"the bundled dataset {name!r} holds {entry.kind}, not {' or '.join(kinds)}; "
                             f"bundled {' or '.join(kinds)}: {', '.join(fitting) or '(none)'}")
    return datasets.path(name), entry


def source_spec(value: str | Path, *, kinds: tuple[str, ...] | None = None) -> dict[str, str]:
    """The config entry for ``value``: ``{"path": ...}`` for a file, ``{"dataset": ...}`` for a bundled one."""
    path, entry = resolve_source(value, kinds=kinds)
    return {"dataset": entry.name} if entry is not None else {"path": str(path)}
