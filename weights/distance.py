"""Distance-based weights: k nearest neighbours, distance bands, inverse distance and kernels.

Every builder takes a GeoDataFrame (points, or polygons reduced to centroids or representative
points) or a table with coordinate columns (``xy=("lon", "lat")``, e.g. the bundled provincial
capitals), and an explicit distance ``metric``: ``"euclidean"`` in a projected CRS, or the
great-circle ``"haversine"`` / ellipsoidal ``"geodesic"`` distance in km for longitude/latitude.
A lon/lat layer without a chosen metric is refused rather than measured in degrees.

Searches use a KD-tree; the number of links is counted before anything is allocated, and a
request above ``max_links`` (default 5e7) fails early with the count and a suggestion.
"""

from __future__ import annotations


import numpy as np

from weights.choices import DuplicateOption, KernelFunction
from weights._checks import MAX_LINKS, check_option, first_items
from weights._graph import graph_from_pairs
from weights._locations import Locations, Metric, PointsOption, locate
from weights.errors import WeightsError, hint

__all__ = ["knn", "distance_band", "inverse_distance", "kernel", "KernelFunction", "DuplicateOption"]


BANDWIDTH_MARGIN = 1.0000001
"""A bandwidth taken from a k-th neighbour distance is widened by this factor (as libpysal and
GeoDa do), so that the k-th neighbour keeps a positive kernel weight."""


def knn(
    data,
    *,
    k: int,
    id: str | None = None,
    metric: Metric | None = None,
    points: PointsOption = "centroid",
    xy: tuple[str, str] | None = None,
    duplicates: DuplicateOption = "error",
):
    """Binary weights linking each unit to its ``k`` nearest other units (asymmetric).

    Ties at the k-th distance are broken by id (text order), so shuffled rows give the same
    graph.

    Parameters
    ----------
    data
        GeoDataFrame of points or polygons, or a table with coordinate columns ``xy``.
    k
        Number of neighbours, 1 <= k < n.
    id
        Id column (default: the index).
    metric
        ``"euclidean"``, ``"haversine"`` or ``"geodesic"``; required for lon/lat data.
    points
        ``"centroid"`` or ``"representative"`` point of each polygon.
    xy
        Coordinate columns of a plain table.
    duplicates
        Units at exactly the same location are an error (``"error"``), or are kept as
        neighbours at distance 0 (``"keep"``).

    Returns
    -------
    libpysal.graph.Graph

    Raises
    ------
    WeightsError
        For a geographic CRS without a great-circle metric, duplicate locations (listed), or
        k out of range.

    Examples
    --------
    >>> from spatial import datasets
    >>> w = knn(datasets.load("us48_states"), id="fips", k=4, metric="haversine")
    >>> w.n_edges, int(w.cardinalities.min())
    (192, 4)
    """
    check_option("duplicates", duplicates, DuplicateOption)
    locations = locate(data, id=id, metric=metric, points=points, xy=xy)
    if duplicates == "error":
        _refuse_duplicates(locations, "k nearest neighbours")
    rows, cols, _ = locations.knn(int(k))
    return graph_from_pairs(rows, cols, np.ones(rows.size), locations.ids)


def distance_band(
    data,
    *,
    threshold: float,
    binary: bool = True,
    alpha: float = 1.0,
    id: str | None = None,
    metric: Metric | None = None,
    points: PointsOption = "centroid",
    xy: tuple[str, str] | None = None,
    allow_islands: bool = False,
    max_links: int = MAX_LINKS,
):
    """Weights between units closer than ``threshold``: 1, or ``1 / d**alpha`` if not ``binary``.

    Parameters
    ----------
    threshold
        Distance band (inclusive) in the metric's unit: km for great-circle metrics, CRS units
        (usually metres) for Euclidean.
    binary
        ``True`` for 0/1 weights; ``False`` for inverse-distance weights within the band.
    alpha
        Distance decay power for non-binary weights.
    allow_islands
        Accept a threshold that leaves units without neighbours (kept as zero rows).
    max_links
        Refuse to build more directed links than this.

    Returns
    -------
    libpysal.graph.Graph

    Raises
    ------
    WeightsError
        A threshold that leaves units isolated (naming the smallest one that gives every unit a
        neighbour), one that would create more than ``max_links`` links (suggesting knn), or
        units at the same location with inverse weights.

    Examples
    --------
    >>> from spatial import datasets
    >>> states = datasets.load("us48_states")
    >>> w = distance_band(states, id="fips", threshold=600, metric="haversine")
    >>> w.n, len(w.isolates)
    (48, 0)
    """
    _check_positive("threshold", threshold)
    locations = locate(data, id=id, metric=metric, points=points, xy=xy)
    rows, cols, dist = _within(locations, threshold, allow_islands=allow_islands, max_links=max_links)
    if binary:
        return graph_from_pairs(rows, cols, np.ones(rows.size), locations.ids)
    return graph_from_pairs(rows, cols, _decay(locations, rows, cols, dist, alpha), locations.ids)


def inverse_distance(
    data,
    *,
    alpha: float = 1.0,
    cutoff: float | None = None,
    id: str | None = None,
    metric: Metric | None = None,
    points: PointsOption = "centroid",
    xy: tuple[str, str] | None = None,
    allow_islands: bool = False,
    max_links: int = MAX_LINKS,
):
    """Inverse-distance weights ``w_ij = 1 / d_ij**alpha`` between all units, or within ``cutoff``.

    Many Chinese provincial studies use ``alpha=2`` between provincial capitals on great-circle
    distance: ``inverse_distance(capitals, id="province_adcode", xy=("lon", "lat"),
    metric="haversine", alpha=2)``.

    Parameters
    ----------
    alpha
        Decay power (1 for 1/d, 2 for 1/d^2, ...); must be positive.
    cutoff
        Only link units closer than this (inclusive), in the metric's unit; ``None`` links every
        pair (n(n-1) links, refused above ``max_links``).
    allow_islands
        Accept a cutoff that leaves units without neighbours.

    Returns
    -------
    libpysal.graph.Graph
        Weights in the metric's unit (km^-alpha for great-circle metrics); row-standardise or
        spectrally normalise them with :mod:`weights.transform`.

    Raises
    ------
    WeightsError
        Units at the same location (infinite weight), a cutoff leaving islands, or more links
        than ``max_links``.

    Examples
    --------
    >>> import pandas as pd
    >>> towns = pd.DataFrame({"id": ["a", "b", "c"], "x": [0.0, 3.0, 0.0], "y": [0.0, 0.0, 4.0]})
    >>> w = inverse_distance(towns, id="id", xy=("x", "y"), metric="euclidean", alpha=2)
    >>> float(w.adjacency[("b", "c")])   # 1 / 5**2
    0.04
    """
    if not np.isfinite(alpha) or alpha <= 0:
        raise WeightsError(f"alpha={alpha!r} must be a positive decay power (1 for 1/d, 2 for 1/d^2)")
    locations = locate(data, id=id, metric=metric, points=points, xy=xy)
    if cutoff is None:
        n = locations.n
        if n * (n - 1) > max_links:
            raise WeightsError(
                f"inverse distance between all {n} units would create {n * (n - 1):,} links (more than "
                f"max_links={max_links:,}); give a cutoff distance, or use k nearest neighbours (knn)"
            )
        rows, cols, dist = locations.all_pairs()
    else:
        _check_positive("cutoff", cutoff)
        rows, cols, dist = _within(locations, cutoff, allow_islands=allow_islands, max_links=max_links)
    return graph_from_pairs(rows, cols, _decay(locations, rows, cols, dist, alpha), locations.ids)


def kernel(
    data,
    *,
    function: KernelFunction = "triangular",
    bandwidth: float | None = None,
    k: int = 6,
    adaptive: bool = False,
    id: str | None = None,
    metric: Metric | None = None,
    points: PointsOption = "centroid",
    xy: tuple[str, str] | None = None,
    max_links: int = MAX_LINKS,
):
    """Kernel weights ``K(d_ij / h_i)`` for units within the bandwidth (the diagonal stays 0).

    Kernels (z = d / h <= 1): triangular 1 - z; uniform 1; epanechnikov 3/4 (1 - z^2);
    bisquare 15/16 (1 - z^2)^2; gaussian exp(-z^2 / 2) / sqrt(2 pi), truncated at z = 1 (as
    libpysal).

    Parameters
    ----------
    function
        The kernel.
    bandwidth
        A fixed bandwidth in the metric's unit. ``None`` takes it from the data: the largest
        distance to the ``k``-th nearest neighbour (fixed), or each unit's own k-th neighbour
        distance with ``adaptive=True``; either is widened by 1e-7 so the k-th neighbour keeps
        a positive weight.
    k
        Neighbours that define a data-driven bandwidth.
    adaptive
        One bandwidth per unit (rows then differ in reach; the graph is asymmetric).

    Returns
    -------
    libpysal.graph.Graph

    Raises
    ------
    WeightsError
        For a non-positive bandwidth, ``adaptive`` together with a fixed ``bandwidth``, or more
        links than ``max_links``.

    Examples
    --------
    >>> from spatial import datasets
    >>> w = kernel(datasets.load("us48_states"), id="fips", metric="haversine", k=4, adaptive=True)
    >>> int(w.cardinalities.min()) >= 4
    True
    """
    check_option("function", function, KernelFunction)
    locations = locate(data, id=id, metric=metric, points=points, xy=xy)
    if bandwidth is not None:
        if adaptive:
            raise WeightsError("adaptive=True takes its bandwidths from the k-th neighbours: give no bandwidth")
        _check_positive("bandwidth", bandwidth)
        rows, cols, dist = _within(locations, float(bandwidth), allow_islands=True, max_links=max_links)
        reach = np.full(locations.n, float(bandwidth))
    else:
        _, _, kth = locations.knn(int(k))
        kth = kth.reshape(locations.n, int(k))[:, -1] * BANDWIDTH_MARGIN
        if adaptive:
            reach = kth
            rows, cols, dist = _within_each(locations, reach)
        else:
            reach = np.full(locations.n, kth.max())
            rows, cols, dist = _within(locations, float(kth.max()), allow_islands=True, max_links=max_links)
    z = dist / reach[rows]
    values = _KERNELS[function](z)
    keep = values > 0
    return graph_from_pairs(rows[keep], cols[keep], values[keep], locations.ids)


_KERNELS = {
    "triangular": lambda z: 1.0 - z,
    "uniform": lambda z: np.ones_like(z),
    "epanechnikov": lambda z: 0.75 * (1.0 - z**2),
    "bisquare": lambda z: (15.0 / 16.0) * (1.0 - z**2) ** 2,
    "gaussian": lambda z: np.exp(-0.5 * z**2) / np.sqrt(2.0 * np.pi),
}


# ---------------------------------------------------------------------------------------------


def _check_positive(name: str, value: float) -> None:
    if not np.isfinite(value) or value <= 0:
        raise WeightsError(f"{name}={value!r} must be a positive distance")


def _refuse_duplicates(locations: Locations, what: str) -> None:
    groups = locations.duplicate_groups()
    if groups:
        shown = ["=".join(map(str, g)) for g in groups]
        raise WeightsError(
            f"{what}: {len(groups)} locations are shared by several units ({first_items(shown, 5)}); their "
            "neighbours are undefined. Merge or move those units, or pass duplicates='keep' to treat them "
            "as neighbours at distance 0"
        )


def _within(locations: Locations, threshold: float, *, allow_islands: bool, max_links: int):
    """Pairs within ``threshold`` after checking the link budget and the islands it would leave."""
    count = locations.count_within(threshold)
    if count > max_links:
        raise WeightsError(
            f"a distance of {threshold:g} {locations.unit} would link about {count:,} pairs (more than "
            f"max_links={max_links:,}) among {locations.n} units; use k nearest neighbours (knn) or a "
            "smaller distance"
        )
    rows, cols, dist = locations.within(threshold)
    linked = np.zeros(locations.n, dtype=bool)
    linked[rows] = True
    # Islands may be kept on request, but a W without any link is no weights matrix (no reader accepts it).
    if not linked.all() and (not allow_islands or not linked.any()):
        nearest = locations.nearest_distance()
        lonely = locations.ids[~linked].tolist()
        raise WeightsError(
            f"a distance of {threshold:g} {locations.unit} leaves {len(lonely)} of {locations.n} units "
            f"without neighbours ({first_items(lonely)}); the smallest distance that gives every unit a "
            f"neighbour is {nearest.max():.6g} {locations.unit} (the largest nearest-neighbour distance). "
            + ("Use at least that, or k nearest neighbours" if not linked.any() else
               "Use at least that, use k nearest neighbours, or keep them as islands explicitly (an island "
               f"policy: {hint('islands', 'keep')} or {hint('islands', 'connect')})")
        )
    return rows, cols, dist


def _within_each(locations: Locations, reach: np.ndarray):
    """Pairs (i, j) with d_ij <= reach_i: one search radius per unit."""
    radii = locations._search_radius(reach)
    found = locations.tree.query_ball_point(locations._search, r=radii)
    sizes = np.fromiter((len(f) for f in found), dtype=np.int64, count=len(found))
    rows = np.repeat(np.arange(locations.n), sizes)
    cols = np.fromiter((j for f in found for j in f), dtype=np.int64, count=int(sizes.sum()))
    other = rows != cols
    rows, cols = rows[other], cols[other]
    dist = locations.distance(rows, cols)
    keep = dist <= reach[rows]
    return rows[keep], cols[keep], dist[keep]


def _decay(locations: Locations, rows, cols, dist, alpha: float) -> np.ndarray:
    zero = dist == 0
    if zero.any():
        pairs = sorted({"=".join(sorted((str(locations.ids[i]), str(locations.ids[j])))) for i, j in
                        zip(rows[zero], cols[zero], strict=True)})
        raise WeightsError(
            f"inverse-distance weights are infinite for units at the same location ({first_items(pairs, 5)}); "
            "merge or move those units, or use contiguity or k nearest neighbours"
        )
    if not np.isfinite(alpha) or alpha <= 0:
        raise WeightsError(f"alpha={alpha!r} must be a positive decay power (1 for 1/d, 2 for 1/d^2)")
    return dist ** (-float(alpha))
