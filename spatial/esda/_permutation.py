"""Seeded permutation inference, vectorised, with a ``numpy.random.Generator`` (never numpy's
global random state, which esda's global statistics use and its conditional randomisation seeds).

Global statistics permute the whole vector. Local statistics use conditional randomisation as in
esda's ``crand``: one set of draws of neighbour positions is shared by all units, and for unit i
the draws index the other n-1 units. Given the same draws, the simulated statistics equal
esda's (tested). Work is split into blocks so that memory stays bounded for any n.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from spatial.progress import progress

# Elements of the largest temporary array (float64): about 8 MB, small enough to stay in cache
# and to reuse memory between blocks (measured faster than larger blocks).
_BUDGET = 1_000_000
# A simulated value within this relative distance of the observed one is a tie, counted in both
# tails: a draw that reproduces the observed neighbours must not depend on summation order.
_TIE = 1e-10


def tie_tolerance(observed):
    """Absolute tolerance under which a simulated and an observed statistic are equal."""
    return _TIE * np.maximum(np.abs(observed), 1e-300)


def count_tails(simulated: np.ndarray, observed) -> tuple[np.ndarray, np.ndarray]:
    """How many simulated values are >= and <= the observed one (ties in both), along the last axis."""
    observed = np.asarray(observed)[..., None] if np.ndim(observed) else observed
    tol = tie_tolerance(observed)
    return (simulated >= observed - tol).sum(axis=-1), (simulated <= observed + tol).sum(axis=-1)


def permutation_distribution(
    z: np.ndarray, statistic: Callable[[np.ndarray], np.ndarray], permutations: int, rng: np.random.Generator
) -> np.ndarray:
    """The statistic on ``permutations`` random permutations of ``z``.

    ``statistic`` maps an (n, m) array of m permuted columns to m values. Blocks of m columns
    keep memory bounded (about 8 MB); permutation k is ``rng.permutation(z)``, the k-th draw of
    the generator, so a seed gives the same permutations whatever the block size.
    """
    z = np.asarray(z, dtype="float64")
    n = len(z)
    out = np.empty(permutations)
    block = max(1, min(permutations, _BUDGET // max(n, 1)))
    rows = np.empty((block, n))
    with progress("permutations", permutations) as advance:
        for start in range(0, permutations, block):
            m = min(block, permutations - start)
            for k in range(m):  # the values shuffled directly: no index array, no gather
                rows[k] = rng.permutation(z)
            out[start : start + m] = statistic(np.ascontiguousarray(rows[:m].T))
            advance(m)
    return out


def tail_pvalues(n_upper, n_lower, permutations: int):
    """Pseudo p-values (count + 1) / (P + 1): upper tail, lower tail and two-sided.

    The two-sided value is twice the smaller tail, capped at 1. Its floor, like the floor of each
    tail, is set by the number of permutations: 1 / (P + 1) for one tail.
    """
    p_upper = (np.asarray(n_upper) + 1.0) / (permutations + 1.0)
    p_lower = (np.asarray(n_lower) + 1.0) / (permutations + 1.0)
    return p_upper, p_lower, np.minimum(1.0, 2.0 * np.minimum(p_upper, p_lower))


def folded_pvalue(n_upper: np.ndarray, permutations: int) -> np.ndarray:
    """esda's and GeoDa's pseudo p-value: the tail on the side of the observed value."""
    n_upper = np.asarray(n_upper)
    return (np.minimum(n_upper, permutations - n_upper) + 1.0) / (permutations + 1.0)


@dataclass(frozen=True)
class LocalSimulation:
    """Per unit: how many simulated values were >= and <= the observed one, and their mean and sd."""

    n_upper: np.ndarray
    n_lower: np.ndarray
    mean: np.ndarray
    std: np.ndarray


def neighbour_draws(n: int, max_neighbours: int, permutations: int, rng: np.random.Generator) -> np.ndarray:
    """(permutations, max_neighbours) positions among the n-1 other units, distinct within a row."""
    draws = np.empty((permutations, max_neighbours), dtype=np.int64)
    with progress("drawing permutations", permutations) as advance:
        for k in range(permutations):
            draws[k] = rng.choice(n - 1, size=max_neighbours, replace=False)
            if k % 256 == 255:
                advance(256)
    return draws


def conditional_simulation(
    values: np.ndarray,
    weights: sparse.csr_matrix,
    observed: np.ndarray,
    statistic: Callable[[slice, np.ndarray], np.ndarray],
    draws: np.ndarray,
) -> LocalSimulation:
    """Conditional randomisation of a local statistic.

    For each unit i, the values of its neighbours are replaced by the values of units drawn from
    the other n-1 (``draws``), while its own value stays; ``statistic(rows, lags)`` turns the
    simulated spatial lags (units of ``rows`` x permutations) into simulated statistics.
    ``weights`` must have a zero diagonal (self-weights enter through ``statistic``).
    """
    weights = sparse.csr_matrix(weights)
    n = weights.shape[0]
    indptr, data = weights.indptr, weights.data
    cardinality = np.diff(indptr)
    permutations = draws.shape[0]
    index = np.int32 if n < 2**31 - 1 else np.int64
    positions = np.ascontiguousarray(draws.T, dtype=index)  # row j: the draws for a unit's j-th neighbour
    n_upper = np.zeros(n, dtype=np.int64)
    n_lower = np.zeros(n, dtype=np.int64)
    mean = np.zeros(n)
    std = np.zeros(n)
    per_block = max(1, _BUDGET // permutations)
    start = 0
    with progress("local permutations (units)", n) as advance:
        while start < n:
            stop = int(np.searchsorted(indptr, indptr[start] + per_block, side="right")) - 1
            stop = min(n, max(stop, start + 1))
            first, last = indptr[start], indptr[stop]
            rows = np.repeat(np.arange(start, stop, dtype=index), cardinality[start:stop])
            slot = np.arange(first, last) - np.repeat(indptr[start:stop], cardinality[start:stop])
            drawn = positions[slot]  # (edges, P)
            drawn += drawn >= rows[:, None]  # positions among the n-1 others: skip the unit itself
            contributions = values[drawn]
            contributions *= data[first:last, None]
            gather = sparse.csr_matrix(
                (np.ones(last - first), (rows - start, np.arange(last - first))), shape=(stop - start, last - first)
            )
            lags = gather @ contributions  # (units, P)
            simulated = statistic(slice(start, stop), lags)
            n_upper[start:stop], n_lower[start:stop] = count_tails(simulated, observed[start:stop])
            mean[start:stop] = simulated.mean(axis=1)
            std[start:stop] = simulated.std(axis=1)
            advance(stop - start)
            start = stop
    return LocalSimulation(n_upper=n_upper, n_lower=n_lower, mean=mean, std=std)


def split_self_weights(weights: sparse.spmatrix) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Off-diagonal weights (explicit zeros removed, rows sorted) and the diagonal."""
    matrix = sparse.csr_matrix(weights, dtype="float64")
    diagonal = matrix.diagonal().copy()
    off = sparse.csr_matrix(matrix - sparse.diags(diagonal))
    off.eliminate_zeros()
    off.sort_indices()
    return off, diagonal
