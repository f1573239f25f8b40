"""Small builders and comparisons shared by the weights tests."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
from shapely import box

REFERENCE = Path(__file__).resolve().parent.parent / "reference"


def squares(ids: list[str], columns: int = 3, crs: str | None = "EPSG:3857") -> gpd.GeoDataFrame:
    """Unit squares on a grid, row by row, keyed by ``ids``."""
    cells = [box(k % columns, k // columns, k % columns + 1, k // columns + 1) for k in range(len(ids))]
    return gpd.GeoDataFrame({"code": ids}, geometry=cells, crs=crs)


def edges_of(graph) -> set[tuple[str, str]]:
    """The directed links of a graph as (focal, neighbour) id pairs (islands excluded)."""
    adjacency = graph.adjacency
    adjacency = adjacency[adjacency != 0]
    return {(str(a), str(b)) for a, b in adjacency.index}


def quiet(func, *args, **kwargs):
    """Call ``func`` with IslandWarning silenced (for tests about something else)."""
    from weights.errors import IslandWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IslandWarning)
        return func(*args, **kwargs)
