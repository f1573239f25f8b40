"""Contiguity weights: queen and rook, higher orders, and a tolerance for imperfect topology.

Three methods, from fastest to most forgiving:

* **vertex** (default): polygons are queen neighbours when they share a vertex and rook
  neighbours when they share an edge (two consecutive vertices), compared exactly. This is the
  rule of GeoDa, R ``spdep::poly2nb`` and libpysal, computed here with sorted coordinate keys
  in numpy (no Python loop over vertices).
* **strict** (``strict=True``): geometric predicates, for boundaries that meet without sharing
  vertices: queen when the polygons intersect, rook when their boundaries share a segment of
  positive length or their interiors overlap.
* **tolerance** (``tolerance > 0``, in CRS units): like strict, but polygons closer than the
  tolerance are queen neighbours, and rook neighbours when their boundaries share a segment
  after snapping each to the other within the tolerance. It bridges slivers and small gaps
  between boundaries that come from different sources.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import sparse

from weights.choices import Rule
from weights._checks import check_option, first_items, unit_ids
from weights._graph import graph_from_sparse, graph_ids, matrix_of
from weights.errors import IslandWarning, WeightsError, hint

__all__ = ["Rule", "contiguity", "queen", "rook", "higher_order"]


ISLAND_SHARE_WARNING = 0.01
"""Share of units without neighbours above which contiguity warns of topology defects."""


def contiguity(
    frame,
    *,
    id: str | None = None,
    rule: Rule = "queen",
    order: int = 1,
    cumulative: bool = False,
    strict: bool = False,
    tolerance: float = 0.0,
):
    """Contiguity weights (binary) between polygons, keyed by ``id`` in row order.

    Parameters
    ----------
    frame
        GeoDataFrame (or GeoSeries) of Polygons/MultiPolygons, in any CRS.
    id
        Id column (default: the index). Ids become text; their row order is the graph's order.
    rule
        ``"queen"`` (a shared point suffices) or ``"rook"`` (a shared edge is needed).
    order
        Contiguity order: 2 links neighbours of neighbours that are not first-order neighbours.
    cumulative
        With ``order > 1``, link every unit within ``order`` steps (orders 1..order).
    strict
        Use geometric predicates instead of shared vertices (see the module docstring).
    tolerance
        Snapping distance in CRS units (degrees for a lon/lat layer); implies ``strict``.

    Returns
    -------
    libpysal.graph.Graph
        Binary weights; islands are explicit zero rows.

    Warns
    -----
    IslandWarning
        When more than 1 % of the units have no neighbour or the graph splits into several
        components, suggesting ``strict=True`` or a ``tolerance`` if they come from gaps.

    Raises
    ------
    WeightsError
        For missing, empty or non-polygonal geometries, repeated or missing ids, a negative
        tolerance or an order below 1.

    Examples
    --------
    >>> from spatial import datasets
    >>> states = datasets.load("us48_states")
    >>> w = queen(states, id="fips")
    >>> w.n, int(w.n_edges), int(w.cardinalities["04"])   # Arizona touches Colorado at the Four Corners
    (48, 214, 5)
    >>> int(rook(states, id="fips").cardinalities["04"])
    4
    """
    return _warned(frame, id=id, rule=rule, order=order, cumulative=cumulative, strict=strict, tolerance=tolerance)


def queen(frame, *, id: str | None = None, order: int = 1, cumulative: bool = False, strict: bool = False,
          tolerance: float = 0.0):
    """Queen contiguity: polygons sharing at least one point. See :func:`contiguity`."""
    return _warned(frame, id=id, rule="queen", order=order, cumulative=cumulative, strict=strict, tolerance=tolerance)


def rook(frame, *, id: str | None = None, order: int = 1, cumulative: bool = False, strict: bool = False,
         tolerance: float = 0.0):
    """Rook contiguity: polygons sharing at least one edge. See :func:`contiguity`."""
    return _warned(frame, id=id, rule="rook", order=order, cumulative=cumulative, strict=strict, tolerance=tolerance)


def _warned(frame, *, id, rule, order, cumulative, strict, tolerance):
    """:func:`_contiguity`, warning of topology defects at the caller of the public function."""
    graph = _contiguity(frame, id=id, rule=rule, order=order, cumulative=cumulative, strict=strict,
                        tolerance=tolerance)
    if order == 1:  # topology defects show in first-order contiguity
        warn_topology(graph, rule=rule, strict=strict or tolerance > 0, stacklevel=4)
    return graph


def _contiguity(frame, *, id, rule, order, cumulative, strict, tolerance):
    check_option("rule", rule, Rule)
    if not (isinstance(order, int | np.integer) and order >= 1):
        raise WeightsError(f"order={order!r}: the contiguity order must be an integer >= 1")
    if not np.isfinite(tolerance) or tolerance < 0:
        raise WeightsError(f"tolerance={tolerance!r} must be a distance >= 0 (in the layer's CRS units)")
    ids = unit_ids(frame, id)
    geoms = _polygons(frame, ids)
    if strict or tolerance > 0:
        pairs = _geometric_pairs(geoms, ids, rook=rule == "rook", tolerance=float(tolerance))
    else:
        pairs = _vertex_pairs(geoms, rook=rule == "rook")
    n = len(ids)
    adjacency = sparse.csr_array((np.ones(len(pairs[0])), pairs), shape=(n, n))
    adjacency.sum_duplicates()
    adjacency.data[:] = 1.0
    if order > 1:
        adjacency = _higher_order_matrix(adjacency, order, cumulative)
    return graph_from_sparse(adjacency, ids)


def _polygons(frame, ids: pd.Index):
    import geopandas as gpd

    if not isinstance(frame, gpd.GeoDataFrame | gpd.GeoSeries):
        raise WeightsError(f"contiguity needs a GeoDataFrame of polygons, got {type(frame).__name__}")
    geoms = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else frame
    missing = geoms.isna().to_numpy()
    empty = geoms.is_empty.to_numpy() & ~missing
    kinds = geoms.geom_type.to_numpy(dtype=object)
    wrong = ~missing & ~empty & ~np.isin(kinds, ["Polygon", "MultiPolygon"])
    if (missing | empty | wrong).any():
        bad = [f"{i} ({'missing' if m else ('empty' if e else k)})"
               for i, m, e, k in zip(ids, missing, empty, kinds, strict=True) if m or e or k not in
               ("Polygon", "MultiPolygon")]
        raise WeightsError(
            f"contiguity needs one non-empty polygon per unit; {len(bad)} units have missing, empty or "
            f"non-polygon geometries: {first_items(bad)}"
        )
    return geoms.to_numpy()


def _group_keys(coords: np.ndarray) -> np.ndarray:
    """An integer key per coordinate pair: equal points get equal keys (0.0 == -0.0)."""
    coords = coords + 0.0  # turns -0.0 into 0.0
    order = np.lexsort((coords[:, 1], coords[:, 0]))
    sorted_coords = coords[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = np.any(sorted_coords[1:] != sorted_coords[:-1], axis=1)
    keys = np.empty(len(order), dtype=np.int64)
    keys[order] = np.cumsum(new) - 1
    return keys


def _pairs_sharing(keys: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All ordered pairs of distinct owners that share a key (a vertex or an edge)."""
    n_owners = int(owners.max(initial=0)) + 1
    combined = np.sort(keys.astype(np.int64) * n_owners + owners)
    combined = combined[np.r_[True, combined[1:] != combined[:-1]]]  # one entry per (key, owner)
    keys, owners = combined // n_owners, combined % n_owners
    start = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    size = np.diff(np.r_[start, len(keys)])
    shared = size > 1
    if not shared.any():
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    start, size = start[shared], size[shared]
    # every member of a shared group is paired with every member of the same group
    members = _ragged_range(start, size)
    member_start, member_size = np.repeat(start, size), np.repeat(size, size)
    left = np.repeat(members, member_size)
    right = _ragged_range(member_start, member_size)
    keep = left != right
    return owners[left[keep]], owners[right[keep]]


def _ragged_range(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(s, s + m)`` for every (s, m), without a Python loop."""
    total = int(sizes.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(np.cumsum(sizes) - sizes, sizes)
    return np.repeat(starts, sizes) + (np.arange(total) - offsets)


def _vertex_pairs(geoms: np.ndarray, *, rook: bool) -> tuple[np.ndarray, np.ndarray]:
    import shapely

    if not rook:  # a shared vertex suffices: no need to know the rings
        coords, owner = shapely.get_coordinates(geoms, return_index=True)
        return _pairs_sharing(_group_keys(coords), owner)
    parts, part_owner = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    owner = part_owner[ring_part[coord_ring]]
    keys = _group_keys(coords)
    same_ring = coord_ring[1:] == coord_ring[:-1]
    a, b = keys[:-1][same_ring], keys[1:][same_ring]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    edge_owner = owner[:-1][same_ring]
    proper = lo != hi  # repeated vertices are not edges
    edge_keys = lo[proper] * (int(keys.max(initial=0)) + 1) + hi[proper]
    return _pairs_sharing(edge_keys, edge_owner[proper])


def _geometric_pairs(geoms: np.ndarray, ids: pd.Index, *, rook: bool, tolerance: float):
    import shapely

    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        reasons = [f"{i}: {r}" for i, r in zip(ids[invalid], shapely.is_valid_reason(geoms[invalid]), strict=True)]
        raise WeightsError(
            f"strict/tolerance contiguity needs valid polygons; {int(invalid.sum())} are invalid "
            f"({first_items(reasons, 5)}); repair them (shapely.make_valid, or {hint('repair', 'make_valid')}) first"
        )
    tree = shapely.STRtree(geoms)
    if tolerance > 0:
        left, right = tree.query(geoms, predicate="dwithin", distance=tolerance)
    else:
        left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if rook and left.size:
        a, b = geoms[left], geoms[right]
        shared = _shares_segment(a, b, tolerance) | _shares_segment(b, a, tolerance)
        shared |= shapely.area(shapely.intersection(a, b)) > 0
        left, right = left[shared], right[shared]
    return np.concatenate([left, right]), np.concatenate([right, left])


def _shares_segment(a: np.ndarray, b: np.ndarray, tolerance: float) -> np.ndarray:
    import shapely

    edge_a, edge_b = shapely.boundary(a), shapely.boundary(b)
    if tolerance > 0:
        edge_a = shapely.snap(edge_a, edge_b, tolerance)
    return shapely.length(shapely.intersection(edge_a, edge_b)) > 0


def _higher_order_matrix(adjacency: sparse.csr_array, order: int, cumulative: bool) -> sparse.csr_array:
    """Units linked by a shortest path of exactly ``order`` steps (or 1..order if cumulative)."""
    step = _pattern(adjacency)
    reached = step.copy()  # units within j steps
    frontier = step.copy()  # units at exactly j steps
    for _ in range(order - 1):
        further = _pattern(frontier @ step)
        frontier = _pattern(_without_diagonal(further - further.multiply(reached)))
        reached = _pattern(reached + frontier)
    return reached if cumulative else frontier


def _pattern(matrix) -> sparse.csr_array:
    """The nonzero pattern of ``matrix`` as a float CSR array of ones."""
    out = sparse.csr_array(matrix, dtype="float64")
    out.eliminate_zeros()
    out.data[:] = 1.0
    return out


def _without_diagonal(matrix) -> sparse.csr_array:
    coo = sparse.coo_array(matrix)
    keep = coo.row != coo.col
    return sparse.csr_array((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=coo.shape)


def higher_order(graph, *, order: int = 2, cumulative: bool = False):
    """Contiguity of a given order built from a first-order graph (binary result).

    Units are ``order``-th order neighbours when their shortest path in ``graph`` has exactly
    ``order`` links; with ``cumulative`` every unit within ``order`` links is a neighbour.

    Raises
    ------
    WeightsError
        For an order below 1.

    Examples
    --------
    >>> import numpy as np
    >>> from weights._graph import graph_from_sparse
    >>> chain = graph_from_sparse(np.eye(4, k=1) + np.eye(4, k=-1), ["a", "b", "c", "d"])
    >>> sorted(higher_order(chain, order=2).neighbors["a"])
    ['c']
    >>> sorted(higher_order(chain, order=2, cumulative=True).neighbors["a"])
    ['b', 'c']
    """
    if not (isinstance(order, int | np.integer) and order >= 1):
        raise WeightsError(f"order={order!r}: the contiguity order must be an integer >= 1")
    binary = matrix_of(graph)
    binary.data[:] = 1.0
    return graph_from_sparse(_higher_order_matrix(binary, order, cumulative), graph_ids(graph))


def warn_topology(graph, *, rule: str = "queen", strict: bool = False, stacklevel: int = 2) -> None:
    """Warn when islands (> 1 % of units) or several components may come from topology defects."""
    n = graph.n
    islands = [str(i) for i in graph.isolates]
    n_components = int(graph.n_components)
    linked_components = n_components - len(islands)
    if len(islands) <= ISLAND_SHARE_WARNING * n and linked_components <= 1:
        return
    advice = (
        f"If they are real (an island such as Hainan), choose an island policy ({hint('islands', 'connect')} "
        "links each to its nearest unit and records the link). If they come from gaps or slivers between "
        "boundaries, "
        + (f"increase the snapping tolerance ({hint('tolerance')})" if strict
           else f"retry with {hint('strict', True)} or a snapping tolerance ({hint('tolerance')})")
        + "."
    )
    sizes = pd.Series(graph.component_labels).value_counts().tolist()
    warnings.warn(
        f"{rule} contiguity: {len(islands)} of {n} units have no neighbour ({first_items(islands)}) and the "
        f"graph has {n_components} components (sizes {first_items(sizes)}); spillovers cannot cross "
        f"components. {advice}",
        IslandWarning,
        stacklevel=stacklevel,
    )
