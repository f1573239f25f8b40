"""D2: weights that fall apart into several components.

Spillovers cannot cross components, so a disconnected W is allowed but always reported: one
warning per weights matrix (whichever step or command uses it first), and a record of the
components that run.json, the sidecars and the report show.
"""

from __future__ import annotations

import warnings
from collections.abc import MutableMapping
from typing import Any

import numpy as np

from spatial.errors import first_items

__all__ = ["components", "note_components", "COMPONENTS_PHRASE"]

# Words every warning about several components carries (here and in the weights package), so that
# a step can tell whether the builder of a matrix already reported it.
COMPONENTS_PHRASE = "cannot cross components"


def components(graph) -> dict[str, Any] | None:
    """The components of ``graph`` when units with neighbours form more than one, else ``None``.

    Weak connectivity (a one-way link joins two units); an island (a unit with no link at all) is
    listed apart (case D1), not counted as a component here.

    Examples
    --------
    >>> from scipy import sparse
    >>> from weights import graph_from_sparse
    >>> pairs = sparse.csr_array(([1.0] * 4, ([0, 1, 2, 3], [1, 0, 3, 2])), shape=(4, 4))
    >>> components(graph_from_sparse(pairs, ["a", "b", "c", "d"]))
    {'components': 2, 'sizes': [2, 2], 'islands': 0}
    """
    from scipy.sparse.csgraph import connected_components

    from weights import matrix_of

    matrix = matrix_of(graph)
    n, labels = connected_components(matrix, directed=True, connection="weak")
    sizes = np.bincount(labels, minlength=n)
    linked = sorted((int(s) for s in sizes if s > 1), reverse=True)
    if len(linked) <= 1:
        return None
    return {"components": len(linked), "sizes": linked, "islands": int((sizes == 1).sum())}


def note_components(graph, name: str, record: MutableMapping[str, Any], *, step: str,
                    reported: bool = False) -> dict[str, Any] | None:
    """Record the components of weights ``name`` in ``record`` and warn once per name.

    ``reported`` says that the builder of the matrix already warned about its components (the
    warning is then not repeated). Returns the record of ``name`` (``None`` when connected).
    """
    if name in record:
        entry = record[name]
        if entry is not None and step not in entry["steps"]:
            entry["steps"].append(step)
        return entry
    found = components(graph)
    record[name] = None if found is None else {**found, "steps": [step]}
    if found is not None and not reported:
        from weights.errors import IslandWarning

        warnings.warn(
            f"weights {name!r} are not connected: {found['components']} components of units with neighbours "
            f"(sizes {first_items(found['sizes'], 5)}); spillovers {COMPONENTS_PHRASE}, and effects and "
            "autocorrelation stay within each one. Join them (e.g. islands='connect', k-nearest neighbours) if "
            "they should interact",
            IslandWarning,
            stacklevel=2,
        )
    return record[name]
