"""Which weights a step uses: one name, a robustness set (a list of names), or the default.

``[esda]`` and ``[models]`` take ``weights = "queen"`` or ``weights = ["w1", "w2", "w3"]`` (papers
show Moran's I and the models under W1, W2, W3 side by side); without the key they use the first
matrix of the weights step, and without a weights step queen contiguity of the boundaries.
"""

from __future__ import annotations

from typing import Any

from spatial.errors import ConfigError

__all__ = ["chosen_weights"]


def chosen_weights(ctx, spec: dict[str, Any], section: str, *, row_standardise: bool) -> dict[str, Any]:
    """Name -> graph of the weights ``[section]`` asks for (see :func:`_chosen`), each noted as used by
    the step: a matrix in several components warns once per run (D2)."""
    since = len(ctx.warnings)
    chosen = _chosen(ctx, spec, section, row_standardise=row_standardise)
    for name, graph in chosen.items():
        ctx.uses_weights(name, graph, section, since=since)
    return chosen


def _chosen(ctx, spec: dict[str, Any], section: str, *, row_standardise: bool) -> dict[str, Any]:
    """Name -> graph of the weights ``[section]`` asks for, in the order given (the first is the main W).

    Raises
    ------
    ConfigError
        A name not built by the weights step (the built ones listed), a repeated or blank name, or no
        weights and no boundaries to build queen contiguity from.
    """
    available = ctx.results.weights
    asked = spec.get("weights")
    names = asked if isinstance(asked, list) else [asked] if asked else []
    if any(not isinstance(n, str) or not n.strip() for n in names) or len(set(names)) < len(names) or (
            isinstance(asked, list) and not asked):
        raise ConfigError(f"[{section}] weights must name weights of the weights step, each once; got {asked!r}")
    if names:
        missing = [n for n in names if n not in available]
        if missing:
            built = ", ".join(available) if available else "none; add [weights.<name>] tables"
            raise ConfigError(f"[{section}] weights = {', '.join(map(repr, missing))} is not among the weights built: "
                              f"{built}")
        return {n: available[n] for n in names}
    if available:
        first = next(iter(available))
        return {first: available[first]}
    if ctx.panel.geometry is None:
        raise ConfigError(f"[{section}] needs weights: add [boundaries] (queen contiguity is built from them) or "
                          "[weights]")
    import weights

    queen = weights.queen(ctx.panel.geometry)
    if row_standardise:
        return {"queen contiguity (row-standardised)": weights.row_standardize(queen)}
    return {"queen contiguity": queen}
