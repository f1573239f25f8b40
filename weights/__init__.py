"""Spatial weights for regional analysis: builders, transforms, file formats and summaries.

Weights are libpysal :class:`~libpysal.graph.Graph` objects keyed by the original unit ids.
This package imports nothing else of the application.
"""

from weights.errors import IslandWarning, WeightsError

__all__ = ["WeightsError", "IslandWarning"]
