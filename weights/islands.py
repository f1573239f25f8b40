"""Islands (units without neighbours) and components, with an explicit, recorded policy.

* ``"keep"``: islands stay zero rows (reported);
* ``"drop"``: islands are removed from the graph (their ids are recorded; the data must drop the
  same units);
* ``"connect"``: each island is linked, both ways, to its ``k`` nearest units, by the distance
  between boundaries for polygons (so Hainan joins Guangdong across the Qiongzhou Strait, the
  usual fix in Chinese provincial studies) or between points. Every added link is recorded
  with its distance.

The :class:`IslandReport` is what a report prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from weights.choices import IslandPolicy
from weights._checks import check_option, first_items, match_ids, unit_ids
from weights._graph import graph_from_sparse, graph_ids, matrix_of
from weights.errors import WeightsError

__all__ = ["IslandPolicy", "AddedLink", "IslandReport", "apply_island_policy", "components"]



@dataclass(frozen=True)
class AddedLink:
    """A link added to connect an island: ``island`` <-> ``neighbor``, at ``distance`` ``unit``."""

    island: str
    neighbor: str
    distance: float
    unit: str
    measured: str  # "boundary" or "points"

    def describe(self) -> str:
        return f"{self.island} <-> {self.neighbor} ({self.measured} distance {self.distance:.4g} {self.unit})"


@dataclass(frozen=True)
class IslandReport:
    """What the island policy found and did."""

    policy: str
    islands: tuple[str, ...]
    added: tuple[AddedLink, ...] = ()
    dropped: tuple[str, ...] = ()
    k: int = 1

    def lines(self) -> list[str]:
        """Sentences for a summary or report."""
        if not self.islands:
            return ["islands: none"]
        found = f"islands: {len(self.islands)} ({first_items(self.islands)})"
        if self.policy == "keep":
            return [found + "; kept as zero rows (policy 'keep')"]
        if self.policy == "drop":
            return [found + f"; dropped from the weights (policy 'drop'): {first_items(self.dropped)}"]
        lines = [found + f"; each connected to its {self.k} nearest unit(s) (policy 'connect'), links added:"]
        lines += [f"  {link.describe()}" for link in self.added]
        return lines

    def to_dict(self) -> dict:
        return {
            "policy": self.policy,
            "islands": list(self.islands),
            "k": self.k,
            "added": [link.__dict__.copy() for link in self.added],
            "dropped": list(self.dropped),
        }


def components(graph) -> pd.DataFrame:
    """Connected components (links taken both ways): one row per component, largest first.

    Examples
    --------
    >>> from weights._graph import graph_from_sparse
    >>> g = graph_from_sparse(np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]]), ["a", "b", "c"])
    >>> components(g)[["size", "units"]].values.tolist()
    [[2, ['a', 'b']], [1, ['c']]]
    """
    from scipy.sparse import csgraph

    ids = np.asarray(graph_ids(graph), dtype=object)
    _, labels = csgraph.connected_components(matrix_of(graph), directed=True, connection="weak")
    frame = pd.DataFrame({"label": labels, "id": ids})
    grouped = frame.groupby("label", sort=False)["id"].agg(list)
    out = pd.DataFrame({"size": grouped.map(len), "units": grouped}).sort_values("size", ascending=False, kind="stable")
    return out.reset_index(drop=True)


def _islands(matrix: sparse.csr_array, ids: list[str]) -> list[str]:
    return [ids[i] for i in np.flatnonzero(np.diff(matrix.indptr) == 0)]


def apply_island_policy(
    graph,
    policy: IslandPolicy,
    *,
    frame=None,
    id: str | None = None,
    locations=None,
    k: int = 1,
    weight: float | Callable[[np.ndarray], np.ndarray] = 1.0,
):
    """Apply an island policy and return the new graph with its :class:`IslandReport`.

    Parameters
    ----------
    graph
        The weights.
    policy
        ``"keep"``, ``"drop"`` or ``"connect"``.
    frame
        For ``"connect"``: the GeoDataFrame the graph was built from (polygons or points),
        keyed by ``id`` (default: its index). Polygons are joined by boundary distance,
        measured in km (geodesic) for a lon/lat layer and in CRS units otherwise.
    locations
        For ``"connect"`` on a points table: the units' locations (see ``weights._locations``).
    k
        Number of nearest units each island is linked to.
    weight
        Weight of each added link: a number, or a function of the distance array.

    Returns
    -------
    (Graph, IslandReport)

    Raises
    ------
    WeightsError
        For ``"connect"`` without a frame or locations, or ids that differ from the graph's.

    Examples
    --------
    >>> import warnings
    >>> from spatial import datasets
    >>> from weights.contiguity import queen
    >>> provinces = datasets.load("china_provinces")
    >>> mainland = provinces[provinces["mainland"]]
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")      # queen warns: Hainan has no neighbour
    ...     w = queen(mainland, id="adcode")
    >>> fixed, report = apply_island_policy(w, "connect", frame=mainland, id="adcode")
    >>> [(a.island, a.neighbor) for a in report.added], int(fixed.cardinalities["460000"])
    ([('460000', '440000')], 1)
    """
    check_option("islands", policy, IslandPolicy)
    ids = graph_ids(graph)
    matrix = matrix_of(graph)
    islands = _islands(matrix, ids)
    if policy == "keep" or not islands:
        return graph, IslandReport(policy=policy, islands=tuple(islands), k=k)
    if policy == "drop":
        return _drop(graph, matrix, ids, islands, k)
    if not (isinstance(k, int | np.integer) and 1 <= k < len(ids)):
        raise WeightsError(f"k={k!r}: each island needs 1 <= k < n nearest units")
    if frame is not None:
        nearest = _nearest_by_geometry(frame, id, ids, islands, k)
    elif locations is not None:
        nearest = _nearest_by_locations(locations, ids, islands, k)
    else:
        raise WeightsError("islands='connect' needs the units' geometries or points to find the nearest units")
    position = {u: i for i, u in enumerate(ids)}
    new_links: dict[tuple[int, int], float] = {}  # links both ways, never over an existing one
    added = []
    for island, neighbor, distance, unit, measured in nearest:
        added.append(AddedLink(island, neighbor, float(distance), unit, measured))
        for a, b in ((position[island], position[neighbor]), (position[neighbor], position[island])):
            if matrix[a, b] == 0:
                new_links[(a, b)] = float(distance)
    pairs = np.asarray(list(new_links), dtype=np.int64).reshape(-1, 2)
    gaps = np.asarray(list(new_links.values()))
    values = weight(gaps) if callable(weight) else np.full(gaps.size, float(weight))
    extra = sparse.csr_array((values, (pairs[:, 0], pairs[:, 1])), shape=matrix.shape)
    connected = graph_from_sparse(matrix + extra, ids, transformation=graph.transformation)
    return connected, IslandReport(policy="connect", islands=tuple(islands), added=tuple(added), k=int(k))


def _drop(graph, matrix, ids, islands, k):
    keep = np.ones(len(ids), dtype=bool)
    dropped: list[str] = []
    current = matrix
    while True:  # dropping units can strand others whose only links went to them
        lonely = np.flatnonzero(keep & (np.diff(current.indptr) == 0))
        if lonely.size == 0:
            break
        keep[lonely] = False
        dropped += [ids[i] for i in lonely]
        mask = sparse.diags_array(keep.astype(float))
        current = sparse.csr_array(mask @ matrix @ mask)
        current.eliminate_zeros()
    kept_ids = [u for u, flag in zip(ids, keep, strict=True) if flag]
    if not kept_ids:
        raise WeightsError("islands='drop' would drop every unit: the weights have no links")
    sub = matrix[keep][:, keep]
    result = graph_from_sparse(sub, kept_ids, transformation=graph.transformation)
    return result, IslandReport(policy="drop", islands=tuple(islands), dropped=tuple(dropped), k=k)


def _ranked(order_key: np.ndarray, ids: list[str], candidates: np.ndarray, k: int) -> np.ndarray:
    """The k candidates with the smallest key, ties broken by id text."""
    names = np.asarray([ids[c] for c in candidates], dtype=str)
    return candidates[np.lexsort((names, order_key))[:k]]


def _nearest_by_geometry(frame, id, ids, islands, k):
    import geopandas as gpd
    import shapely

    from weights._geodesy import geodesic_km

    frame_ids = unit_ids(frame, id)
    geoms = gpd.GeoSeries(frame.geometry.to_numpy(), index=frame_ids, crs=frame.crs)
    if list(frame_ids) != ids:
        match_ids(list(frame_ids), ids, what="the geometries")
        geoms = geoms.loc[ids]
    geographic = geoms.crs is not None and geoms.crs.is_geographic
    if geographic:
        minx, miny, maxx, maxy = geoms.total_bounds
        local = f"+proj=aeqd +lat_0={(miny + maxy) / 2} +lon_0={(minx + maxx) / 2} +datum=WGS84 +units=m"
        work = geoms.to_crs(local)
    else:
        work = geoms
    shapes = work.to_numpy()
    position = {u: i for i, u in enumerate(ids)}
    others = np.arange(len(ids))
    found = []
    for island in islands:
        i = position[island]
        candidates = others[others != i]
        gaps = shapely.distance(shapes[i], shapes[candidates])
        chosen = _ranked(gaps, ids, candidates, k)
        for j in chosen:
            if geographic:
                line = shapely.shortest_line(shapes[i], shapes[j])
                ends = gpd.GeoSeries(shapely.get_parts(shapely.points(shapely.get_coordinates(line))),
                                     crs=work.crs).to_crs("EPSG:4326")
                distance = float(geodesic_km(ends.x.iloc[0], ends.y.iloc[0], ends.x.iloc[1], ends.y.iloc[1]))
                unit = "km"
            else:
                distance = float(shapely.distance(shapes[i], shapes[j]))
                unit = "CRS units"
            measured = "points" if geoms.geom_type.iloc[i] == "Point" else "boundary"
            found.append((island, ids[j], distance, unit, measured))
    return found


def _nearest_by_locations(locations, ids, islands, k):
    if list(map(str, locations.ids)) != ids:
        match_ids(list(map(str, locations.ids)), ids, what="the locations")
        index = pd.Index(list(map(str, locations.ids)))
        order = index.get_indexer(ids)
    else:
        order = np.arange(len(ids))
    position = {u: i for i, u in enumerate(ids)}
    found = []
    everyone = np.arange(len(ids))
    for island in islands:
        i = position[island]
        candidates = everyone[everyone != i]
        dist = locations.distance(np.full(candidates.size, order[i]), order[candidates])
        chosen = _ranked(dist, ids, candidates, k)
        chosen_dist = dict(zip(candidates.tolist(), dist.tolist(), strict=True))
        found += [(island, ids[j], chosen_dist[int(j)], locations.unit, "points") for j in chosen]
    return found
