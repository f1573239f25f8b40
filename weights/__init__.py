"""Spatial weights for regional analysis: builders, transforms, islands, file formats and summaries.

Weights are libpysal :class:`~libpysal.graph.Graph` objects keyed by the original unit ids (text),
in the order of the input rows; islands are explicit zero rows. This package imports nothing else
of the application.

Examples
--------
>>> import weights
>>> from spatial import datasets
>>> built = weights.build(datasets.load("us48_states"), kind="queen", id="fips", transform="row")
>>> built.graph.n, int(built.graph.n_edges)
(48, 214)
>>> print(built.summary(name="queen").rho_interval)
(-1.392..., 1.0...)
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from weights.errors import IslandWarning, WeightsError

# public name -> module; loaded on first use so that importing weights.errors stays cheap. The modules
# contiguity, block and transform keep their names (weights.transform.transform(g, "row")).
_LAZY = {
    "build": "weights.builder",
    "BuiltWeights": "weights.builder",
    "KINDS": "weights.builder",
    "queen": "weights.contiguity",
    "rook": "weights.contiguity",
    "higher_order": "weights.contiguity",
    "knn": "weights.distance",
    "distance_band": "weights.distance",
    "inverse_distance": "weights.distance",
    "kernel": "weights.distance",
    "economic_distance": "weights.economic",
    "nested": "weights.economic",
    "mixed": "weights.economic",
    "period_means": "weights.economic",
    "from_edges": "weights.block",
    "from_matrix": "weights.block",
    "row_standardize": "weights.transform",
    "binary": "weights.transform",
    "spectral_normalize": "weights.transform",
    "double_standardize": "weights.transform",
    "symmetrize": "weights.transform",
    "apply_island_policy": "weights.islands",
    "components": "weights.islands",
    "IslandReport": "weights.islands",
    "AddedLink": "weights.islands",
    "summarize": "weights.summary",
    "WeightsSummary": "weights.summary",
    "rho_interval": "weights.spectrum",
    "eigen_range": "weights.spectrum",
    "spectral_radius": "weights.spectrum",
    "read_weights": "weights.io",
    "read_matrix": "weights.io",
    "SparseWeights": "weights._graph",
    "write_weights": "weights.io",
    "reorder": "weights._graph",
    "graph_from_sparse": "weights._graph",
    "graph_ids": "weights._graph",
    "matrix_of": "weights._graph",
}

__all__ = ["WeightsError", "IslandWarning", *_LAZY]

if TYPE_CHECKING:
    from weights.block import from_edges, from_matrix  # noqa: F401
    from weights.builder import KINDS, BuiltWeights, build  # noqa: F401
    from weights.contiguity import higher_order, queen, rook  # noqa: F401
    from weights.distance import distance_band, inverse_distance, kernel, knn  # noqa: F401
    from weights.economic import economic_distance, mixed, nested, period_means  # noqa: F401
    from weights._graph import SparseWeights, graph_from_sparse, graph_ids, matrix_of, reorder  # noqa: F401
    from weights.io import read_matrix, read_weights, write_weights  # noqa: F401
    from weights.islands import AddedLink, IslandReport, apply_island_policy, components  # noqa: F401
    from weights.spectrum import eigen_range, rho_interval, spectral_radius  # noqa: F401
    from weights.summary import WeightsSummary, summarize  # noqa: F401
    from weights.transform import (  # noqa: F401
        binary,
        double_standardize,
        row_standardize,
        spectral_normalize,
        symmetrize,  # noqa: F401
    )


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'weights' has no attribute {name!r}")
    value = getattr(import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
