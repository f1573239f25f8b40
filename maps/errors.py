"""Errors and warnings of the maps package (it imports nothing of ours, so it owns them)."""

from __future__ import annotations

__all__ = ["MapError", "FieldError", "MapInputError", "AssetError", "MapWarning"]


class MapError(ValueError):
    """Bad input to a map, figure or report: the user can fix it."""


class FieldError(MapError):
    """A column that the map needs does not exist (the message lists the available ones)."""


class MapInputError(MapError):
    """Unusable geometry or keys: no CRS, duplicate ids, values for units that are not drawn."""


class AssetError(RuntimeError):
    """A script or stylesheet that pages inline (Leaflet) is not installed."""


class MapWarning(UserWarning):
    """Something was changed for display (infinite values shown as no data, units without shape)."""
