"""The allowed values of the weights options, declared once as ``Literal`` types.

The builders annotate and check their keywords with these types; ``spatial`` builds the
command-line choices of ``spatial weights`` and the ``[weights.NAME]`` config values from the same
types. This module imports nothing, so a command line can list the choices without loading numpy.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["Kind", "Rule", "Metric", "PointsOption", "KernelFunction", "DuplicateOption", "TieOption", "Format",
           "IslandPolicy", "EigenOption", "Transform"]

Kind = Literal["queen", "rook", "knn", "distance_band", "inverse_distance", "kernel", "block", "economic", "nested"]
Rule = Literal["queen", "rook"]
Metric = Literal["euclidean", "haversine", "geodesic"]
PointsOption = Literal["centroid", "representative"]
KernelFunction = Literal["triangular", "uniform", "epanechnikov", "bisquare", "gaussian"]
DuplicateOption = Literal["error", "keep"]
TieOption = Literal["error", "drop"]
Format = Literal["gal", "gwt", "csv", "matrix", "xlsx", "mtx", "mat", "dta"]
IslandPolicy = Literal["keep", "drop", "connect"]
EigenOption = Literal["auto", "dense", "sparse", "none"]
Transform = Literal["none", "row", "binary", "spectral", "double", "symmetric"]
