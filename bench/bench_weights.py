"""Weights builders against libpysal's own (``libpysal.graph.Graph.build_*``), in the same run.

Cases: queen and rook contiguity on the bundled prefecture layer (372 polygons) and on a synthetic
grid of 100,000 squares; k nearest neighbours (k = 6) and inverse distance within a cutoff on
100,000 random points. Each case checks that both libraries give the same links, then prints the
times and the ratio libpysal / ours (above 1: we are faster).

Run with ``python -m bench weights``.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable

import numpy as np


def _timed(func: Callable, repeat: int) -> tuple[float, object]:
    best, result = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def _links(graph) -> set:
    adjacency = graph.adjacency
    return set(adjacency[adjacency != 0].index)


def _case(name: str, ours: Callable, theirs: Callable, repeat: int, compare: Callable | None = None) -> None:
    t_ours, g_ours = _timed(ours, repeat)
    t_theirs, g_theirs = _timed(theirs, repeat)
    same = (compare or (lambda a, b: _links(a) == _links(b)))(g_ours, g_theirs)
    print(f"{name:<44} ours {t_ours:8.3f} s   libpysal {t_theirs:8.3f} s   ratio {t_theirs / t_ours:6.2f}x"
          f"   same links: {'yes' if same else 'NO'}")


def _grid(n_side: int):
    import geopandas as gpd
    import shapely

    x, y = np.meshgrid(np.arange(n_side, dtype=float), np.arange(n_side, dtype=float))
    cells = shapely.box(x.ravel(), y.ravel(), x.ravel() + 1, y.ravel() + 1)
    ids = [f"c{k:06d}" for k in range(cells.size)]
    return gpd.GeoDataFrame({"id": ids}, geometry=cells, crs="EPSG:3857")


def _points(n: int):
    import geopandas as gpd
    import pandas as pd

    rng = np.random.default_rng(0)
    xy = rng.random((n, 2)) * 100_000.0  # metres, a 100 km square
    table = pd.DataFrame({"id": [f"p{k:06d}" for k in range(n)], "x": xy[:, 0], "y": xy[:, 1]})
    layer = gpd.GeoDataFrame({"id": table["id"]}, geometry=gpd.points_from_xy(table.x, table.y), crs="EPSG:3857")
    return table, layer.set_index("id")


def _same_weights(ours, theirs) -> bool:
    a = ours.adjacency[ours.adjacency != 0].sort_index()
    b = theirs.adjacency[theirs.adjacency != 0].sort_index()
    return a.index.equals(b.index) and np.allclose(a.to_numpy(), b.to_numpy(), rtol=1e-9)


def main() -> None:
    from libpysal.graph import Graph

    import weights
    from spatial import datasets

    warnings.simplefilter("ignore")  # island warnings are expected on these layers
    prefectures = datasets.load("china_prefectures")
    indexed = prefectures.set_index("adcode")
    _case("queen, 372 prefectures", lambda: weights.queen(prefectures, id="adcode"),
          lambda: Graph.build_contiguity(indexed, rook=False), repeat=3)
    _case("rook, 372 prefectures", lambda: weights.rook(prefectures, id="adcode"),
          lambda: Graph.build_contiguity(indexed, rook=True), repeat=3)

    grid = _grid(317)  # 100,489 squares
    grid_indexed = grid.set_index("id")
    _case(f"queen, grid of {len(grid):,} squares", lambda: weights.queen(grid, id="id"),
          lambda: Graph.build_contiguity(grid_indexed, rook=False), repeat=1)
    _case(f"rook, grid of {len(grid):,} squares", lambda: weights.rook(grid, id="id"),
          lambda: Graph.build_contiguity(grid_indexed, rook=True), repeat=1)

    def build_and_summarise(transform: str):  # what `spatial weights build` does by default (eigen="auto")
        built = weights.build(grid, kind="queen", id="id", transform=transform)
        summary = built.summary()
        print(f"   rho interval {summary.rho_interval}, or wider: {summary.rho_interval_wider}")
        return built.graph

    for transform in ("none", "row"):
        _case(f"build + summary, queen {len(grid):,}, {transform}", lambda t=transform: build_and_summarise(t),
              lambda t=transform: Graph.build_contiguity(grid_indexed, rook=False).transform(
                  "R" if t == "row" else "O"), repeat=1,
              compare=lambda a, b: _links(a) == _links(b))

    table, layer = _points(100_000)
    _case("knn k=6, 100,000 points", lambda: weights.knn(table, id="id", xy=("x", "y"), metric="euclidean", k=6),
          lambda: Graph.build_knn(layer, k=6), repeat=1)
    cutoff = 600.0  # about 11 neighbours per point
    _case(f"inverse distance within {cutoff:g} m, 100,000 points",
          lambda: weights.inverse_distance(table, id="id", xy=("x", "y"), metric="euclidean", cutoff=cutoff,
                                           allow_islands=True),
          lambda: Graph.build_distance_band(layer, cutoff, binary=False, alpha=-1.0), repeat=1,
          compare=_same_weights)


if __name__ == "__main__":
    main()
