"""Errors and warnings of the weights package (it imports nothing of ours, so it owns them)."""

from __future__ import annotations


class WeightsError(ValueError):
    """Invalid weights: bad entries, wrong shape, mismatched ids, unusable thresholds."""


class IslandWarning(UserWarning):
    """Units without neighbours, or a graph split into several components."""
