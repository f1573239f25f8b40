"""Moved to :mod:`spatial.linalg.weights` (the numerical floor); the old import path stays for the tests that use it."""

from spatial.linalg.weights import WeightsMatrix, as_graph, weights_matrix

__all__ = ["WeightsMatrix", "weights_matrix", "as_graph"]
