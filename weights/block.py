"""Block weights (units of the same group are neighbours) and user-supplied adjacency.

Block weights link every pair of units that share a group: the same province for prefectures,
the same region (East / Central / West / Northeast) for provinces. A user's own adjacency comes
as an edge list (focal, neighbour, optional weight) or a full labelled matrix.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from weights._checks import MAX_LINKS, check_entries, first_items, match_ids, unit_ids
from weights._graph import graph_from_sparse
from weights.errors import WeightsError

__all__ = ["block", "from_edges", "from_matrix"]


def block(table: pd.DataFrame, *, group: str, id: str | None = None, max_links: int = MAX_LINKS):
    """Binary weights linking the units of each group (a unit alone in its group is an island).

    Parameters
    ----------
    table
        One row per unit with the ``group`` column (a GeoDataFrame works too).
    group
        The grouping column (e.g. province, region).
    id
        Id column (default: the index).

    Raises
    ------
    WeightsError
        For a missing group column, missing group values (listed) or too many links.

    Examples
    --------
    >>> units = pd.DataFrame({"id": ["a", "b", "c", "d"], "region": ["E", "W", "E", "E"]})
    >>> w = block(units, id="id", group="region")
    >>> sorted(w.neighbors["a"]), w.isolates.tolist()
    (['c', 'd'], ['b'])
    """
    ids = unit_ids(table, id)
    if group not in table.columns:
        raise WeightsError(f"no group column {group!r}; available columns: {first_items(list(table.columns), 15)}")
    labels = table[group]
    missing = labels.isna().to_numpy()
    if missing.any():
        raise WeightsError(f"{int(missing.sum())} units have no {group!r} ({first_items(ids[missing].tolist())})")
    codes, _ = pd.factorize(labels.astype(str))
    sizes = np.bincount(codes)
    links = int((sizes * (sizes - 1)).sum())
    if links > max_links:
        raise WeightsError(
            f"block weights by {group!r} would create {links:,} links (more than max_links={max_links:,}); "
            "use smaller groups"
        )
    order = np.argsort(codes, kind="stable")
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    rows, cols = [], []
    for start, size in zip(starts, sizes, strict=True):
        members = order[start:start + size]
        if size > 1:
            r, c = np.meshgrid(members, members, indexing="ij")
            keep = r != c
            rows.append(r[keep])
            cols.append(c[keep])
    n = len(ids)
    rows_ = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    cols_ = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    matrix = sparse.csr_array((np.ones(rows_.size), (rows_, cols_)), shape=(n, n))
    return graph_from_sparse(matrix, list(ids))


def from_edges(
    edges: pd.DataFrame,
    *,
    ids: Sequence[str] | None = None,
    focal: str = "focal",
    neighbor: str = "neighbor",
    weight: str | None = None,
    symmetric: bool = False,
    allow_self: bool = False,
):
    """Weights from an edge list: one row per link (focal, neighbour, optional weight).

    Parameters
    ----------
    edges
        The links. Ids are compared as text.
    ids
        All units, in order. Units absent from the list are islands; ids in the list but not
        in ``ids`` are an error. Default: the ids of the list in order of appearance.
    weight
        Weight column (default: every link weighs 1).
    symmetric
        Also add every link in the reverse direction (for lists that give each pair once).
    allow_self
        Accept self-links (a nonzero diagonal).

    Raises
    ------
    WeightsError
        Missing columns, missing or non-numeric weights, repeated links, negative or infinite
        weights, self-links, ids not among ``ids``.

    Examples
    --------
    >>> pairs = pd.DataFrame({"focal": ["01", "02"], "neighbor": ["02", "03"]})
    >>> w = from_edges(pairs, ids=["01", "02", "03", "04"], symmetric=True)
    >>> int(w.n_edges), w.isolates.tolist()
    (4, ['04'])
    """
    needed = [c for c in (focal, neighbor, weight) if c is not None]
    absent = [c for c in needed if c not in edges.columns]
    if absent:
        columns = first_items(list(edges.columns))
        raise WeightsError(f"the edge list has no column {first_items(absent)}; columns: {columns}")
    head = [_edge_id(v, focal) for v in edges[focal]]
    tail = [_edge_id(v, neighbor) for v in edges[neighbor]]
    if weight is None:
        values = np.ones(len(edges))
    else:
        values = pd.to_numeric(edges[weight], errors="coerce").to_numpy(dtype="float64")
        bad = np.isnan(values)
        if bad.any():
            rows = (np.flatnonzero(bad) + 1).tolist()
            raise WeightsError(
                f"{int(bad.sum())} links have a missing or non-numeric weight in {weight!r} (rows {first_items(rows)})"
            )
    if ids is None:
        ids = list(dict.fromkeys(head + tail))
    ids = [str(i) for i in ids]
    position = {u: i for i, u in enumerate(ids)}
    unknown = sorted({u for u in head + tail if u not in position})
    if unknown:
        raise WeightsError(
            f"the edge list names {len(unknown)} ids that are not among the {len(ids)} units ({first_items(unknown)}); "
            "weights and data must describe the same units"
        )
    frame = pd.DataFrame({"head": head, "tail": tail})
    repeated = frame.duplicated(keep=False)
    if repeated.any():
        shown = [f"{a}->{b}" for a, b in frame[repeated].drop_duplicates().itertuples(index=False)]
        raise WeightsError(f"{int(repeated.sum())} rows repeat a link ({first_items(shown)}); give each link once")
    rows = np.array([position[u] for u in head], dtype=np.int64)
    cols = np.array([position[u] for u in tail], dtype=np.int64)
    n = len(ids)
    matrix = sparse.coo_array((values, (rows, cols)), shape=(n, n))
    check_entries(matrix, ids, allow_self=allow_self, what="the edge list")
    matrix = sparse.csr_array(matrix)
    if symmetric:
        transposed = sparse.csr_array(matrix.T)
        both = (matrix != 0).multiply(transposed != 0)
        conflict = sparse.coo_array((matrix - transposed).multiply(both))
        conflict.eliminate_zeros()
        if conflict.nnz:
            i, j = conflict.row[0], conflict.col[0]
            raise WeightsError(
                f"symmetric=True, but {conflict.nnz // 2} pairs are given both ways with different weights "
                f"(e.g. {ids[i]}->{ids[j]}); give each pair once or with equal weights"
            )
        matrix = matrix.maximum(transposed)
    return graph_from_sparse(matrix, ids)


def _edge_id(value, column: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        raise WeightsError(f"the edge list has missing ids in {column!r}")
    if isinstance(value, float | np.floating):
        raise WeightsError(f"the edge list holds the number {value!r} in {column!r}; store ids as text")
    if isinstance(value, int | np.integer):
        return str(int(value))
    return str(value)


def from_matrix(matrix: pd.DataFrame, *, allow_self: bool = False, what: str = "the matrix"):
    """Weights from a full n x n table labelled by ids in its index and its columns.

    Columns are matched to rows by id (so their order may differ); row and column ids must be the
    same set. Empty cells are an error, never read as zero.

    Raises
    ------
    WeightsError
        Non-square or mislabelled matrices (the differing ids), repeated ids, missing or
        non-numeric cells (with their row and column ids), negative or infinite weights, and a
        nonzero diagonal unless ``allow_self``.

    Examples
    --------
    >>> table = pd.DataFrame([[0, 1], [2, 0]], index=["a", "b"], columns=["a", "b"])
    >>> from_matrix(table).sparse.toarray().tolist()
    [[0.0, 1.0], [2.0, 0.0]]
    """
    rows = [str(i) for i in matrix.index]
    cols = [str(c) for c in matrix.columns]
    if len(rows) != len(cols):
        raise WeightsError(f"{what} is {len(rows)} x {len(cols)}; a weights matrix must be square (n x n)")
    for label, labels in (("row", rows), ("column", cols)):
        seen = pd.Index(labels)
        if seen.has_duplicates:
            raise WeightsError(f"{what} repeats {label} ids: {first_items(seen[seen.duplicated()].unique().tolist())}")
    if rows != cols:
        match_ids(cols, rows, what=f"the columns of {what}")
    numbers = matrix.copy()
    numbers.index, numbers.columns = rows, cols
    numbers = numbers.loc[:, rows]
    values = numbers.apply(pd.to_numeric, errors="coerce").to_numpy(dtype="float64")
    bad = np.isnan(values)
    if bad.any():
        r, c = np.nonzero(bad)
        shown = [f"({rows[i]}, {rows[j]}) = {numbers.iat[i, j]!r}" for i, j in zip(r[:5], c[:5], strict=True)]
        raise WeightsError(
            f"{what} has {int(bad.sum())} empty or non-numeric cells ({first_items(shown, 5)}); every cell needs a "
            "number (0 for no link)"
        )
    dense = sparse.coo_array(values)
    check_entries(dense, rows, allow_self=allow_self, what=what)
    return graph_from_sparse(dense, rows)
