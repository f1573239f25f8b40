"""Spatial econometrics and GIS analysis for regional panels.

The path: boundary files + panel tables -> :class:`SpatialPanel` -> spatial weights -> Moran's I,
LISA, hot spots -> SAR / SEM / SDM estimation with effects -> maps and an HTML report.

Examples
--------
>>> import spatial
>>> panel = spatial.SpatialPanel(spatial.datasets.load("us_produc"), id="fips", time="year")
>>> panel.n_units
48
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_LAZY = {
    "SpatialPanel": "spatial.panel",
    "read_boundaries": "spatial.io",
    "read_table": "spatial.io",
    "wide_to_long": "spatial.io",
    "datasets": "spatial.datasets",
    "errors": "spatial.errors",
    "models": "spatial.models",
    "effects": "spatial.effects",
    "effects_from_coefficients": "spatial.models.effects",
}

__all__ = ["__version__", *_LAZY]

if TYPE_CHECKING:
    from spatial import datasets, effects, errors, models  # noqa: F401
    from spatial.effects import effects_from_coefficients  # noqa: F401
    from spatial.io import read_boundaries, read_table, wide_to_long  # noqa: F401
    from spatial.panel import SpatialPanel  # noqa: F401


def __getattr__(name: str):
    # Heavy imports (geopandas, pyogrio) load only when first used, so the CLI starts fast.
    if name not in _LAZY:
        raise AttributeError(f"module 'spatial' has no attribute {name!r}")
    module = import_module(_LAZY[name])
    value = module if _LAZY[name] == f"spatial.{name}" else getattr(module, name)
    globals()[name] = value
    return value
