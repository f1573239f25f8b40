"""Exceptions and warnings raised by the application.

Every error caused by the user's input subclasses :class:`SpatialPanelError` (itself a
``ValueError``); the CLI turns it into one line on stderr and exit code 2. Numerical failures
raise :class:`NumericalError` (exit code 3). Messages say what was expected, what was found
(counts and the first offending ids or rows) and the option that changes the behaviour.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "WeakInstrumentsWarning",
    "SpatialPanelError",
    "SchemaError",
    "InputFileError",
    "BoundaryFileError",
    "RasterFileError",
    "IdMismatchError",
    "UnbalancedPanelError",
    "MissingDataError",
    "GeometryError",
    "CRSError",
    "ConfigError",
    "OutputError",
    "IdentificationError",
    "NumericalError",
    "SpatialWarning",
    "DroppedDataWarning",
    "BoundaryWarning",
    "ConvergenceWarning",
    "CoverageWarning",
    "first_items",
]


class _Hinted:
    """Messages carry hint tokens (:mod:`spatial.hints`); ``str()`` spells them as Python keywords.

    The raw message stays in ``args[0]``, so the CLI and the config runner render the same tokens as
    flags and config keys.
    """

    def __str__(self) -> str:
        from spatial.hints import render

        return render(super().__str__())


class SpatialPanelError(_Hinted, ValueError):
    """Bad input: the user can fix it (CLI exit code 2)."""


class SchemaError(SpatialPanelError):
    """Missing or misspelled columns, wrong types, duplicate keys, infinite values."""


class InputFileError(SpatialPanelError):
    """A table file that cannot be read (format, encoding, sheet)."""


class BoundaryFileError(InputFileError):
    """A boundary file that cannot be read (unreadable, truncated, missing sidecars, layers)."""


class RasterFileError(InputFileError):
    """A raster that cannot be used: unreadable, truncated, no CRS, rotated, or a file pattern that fails."""


class IdMismatchError(SpatialPanelError):
    """Ids differ between the panel, the boundaries or the weights, or are duplicated."""


class UnbalancedPanelError(SpatialPanelError):
    """Some unit x period cells are missing."""


class MissingDataError(SpatialPanelError):
    """Missing values in ids, periods or variables."""


class GeometryError(SpatialPanelError):
    """Missing, empty, non-polygonal or invalid geometries."""


class CRSError(SpatialPanelError):
    """A missing coordinate reference system, or incompatible ones."""


class ConfigError(SpatialPanelError):
    """A pipeline configuration file with unknown or invalid entries."""


class OutputError(SpatialPanelError):
    """An output that would overwrite an input or an existing file, or cannot be written."""


class IdentificationError(SpatialPanelError):
    """Regressors that are collinear or absorbed by the fixed effects."""


class NumericalError(_Hinted, ValueError):
    """A numerical failure: singular matrices, failed factorisations (CLI exit code 3)."""


class SpatialWarning(_Hinted, UserWarning):
    """Base class of the application's warnings."""


class DroppedDataWarning(SpatialWarning):
    """Data were removed by an opt-in repair; the removal is listed in ``dropped``."""


class BoundaryWarning(SpatialWarning):
    """An estimate lies on the boundary of its parameter space."""


class ConvergenceWarning(SpatialWarning):
    """The optimiser did not converge."""


class CoverageWarning(SpatialWarning):
    """Polygons that a raster does not cover (wholly or partly): their statistics are NaN or partial."""


class WeakInstrumentsWarning(SpatialWarning):
    """A first-stage F below 10: 2SLS/GMM estimates are biased towards OLS and their tests unreliable."""


def first_items(items: Iterable[object], limit: int = 10) -> str:
    """Format the first ``limit`` items for an error message, with the count of the rest.

    Examples
    --------
    >>> first_items(["01", "02", "03"], limit=2)
    "'01', '02' and 1 more"
    >>> first_items([])
    '(none)'
    """
    items = list(items)
    if not items:
        return "(none)"
    shown = ", ".join(repr(i) for i in items[:limit])
    rest = len(items) - limit
    return f"{shown} and {rest} more" if rest > 0 else shown
