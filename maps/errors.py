"""Errors and warnings of the maps package (it imports nothing of ours, so it owns them)."""

from __future__ import annotations

import re

# A message that suggests an option carries a hint token, ⟦maps.keyword⟧ or ⟦maps.keyword=value⟧.
# ``str()`` spells it as the Python keyword; ``spatial`` (which declares every option's flag and
# config key) renders the raw message, ``args[0]``, as the flag of the command or the config key.
_TOKEN = re.compile(r"\u27e6maps\.([a-z_][a-z0-9_]*)(?:=([^\u27e6\u27e7]*))?\u27e7")


def hint(keyword: str, value: object = None) -> str:
    """The token of a message that suggests ``keyword`` (with ``value``)."""
    return f"\u27e6maps.{keyword}\u27e7" if value is None else f"\u27e6maps.{keyword}={value}\u27e7"


def _keyword(match: re.Match) -> str:
    keyword, value = match.group(1), match.group(2)
    if value is None:
        return f"{keyword}="
    shown = value if value in ("True", "False") or value.lstrip("-").replace(".", "", 1).isdigit() else repr(value)
    return f"{keyword}={shown}"


class _Hinted:
    def __str__(self) -> str:
        return _TOKEN.sub(_keyword, super().__str__())

__all__ = ["MapError", "FieldError", "MapInputError", "AssetError", "MapWarning"]


class MapError(_Hinted, ValueError):
    """Bad input to a map, figure or report: the user can fix it."""


class FieldError(MapError):
    """A column that the map needs does not exist (the message lists the available ones)."""


class MapInputError(MapError):
    """Unusable geometry or keys: no CRS, duplicate ids, values for units that are not drawn."""


class AssetError(RuntimeError):
    """A script or stylesheet that pages inline (Leaflet) is not installed."""


class MapWarning(_Hinted, UserWarning):
    """Something was changed for display (infinite values shown as no data, units without shape)."""
