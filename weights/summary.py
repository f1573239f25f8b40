"""The summary of a weights graph: size, links, neighbours, islands, components, symmetry, row
sums and the valid interval of rho, as a frozen record that prints as text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from weights.choices import EigenOption
from weights._checks import check_option, first_items
from weights._graph import graph_ids, matrix_of
from weights.errors import WeightsError
from weights.spectrum import EigenRange, eigen_range
from weights.transform import TRANSFORM_NAMES

__all__ = ["WeightsSummary", "summarize", "EigenOption"]



@dataclass(frozen=True, repr=False)
class WeightsSummary:
    """Facts about a weights matrix; ``str(summary)`` (and its repr) is the printed form."""

    n: int
    n_links: int
    density: float  # links / (n (n - 1))
    neighbours_min: int
    neighbours_mean: float
    neighbours_max: int
    histogram: tuple[tuple[str, int], ...]  # (number of neighbours or a range, units)
    islands: tuple[str, ...]
    component_sizes: tuple[int, ...]
    symmetric: bool
    asymmetric_links: int  # links without a reverse link of the same weight
    symmetric_links: bool  # every link has a reverse link (weights may differ, e.g. row-standardised)
    weight_min: float
    weight_max: float
    row_sum_min: float  # over units with neighbours
    row_sum_max: float
    transformation: str
    rho_interval: tuple[float, float] | None
    eigen_method: str
    name: str | None = None
    notes: tuple[str, ...] = field(default=())
    #: (lower end, upper end) of ``rho_interval`` that are bounds: the exact interval reaches further
    rho_interval_wider: tuple[bool, bool] = (False, False)

    @property
    def n_components(self) -> int:
        return len(self.component_sizes)

    def to_dict(self) -> dict:
        """Machine-readable form (for run.json and reports)."""
        out = asdict(self)
        out["histogram"] = [list(h) for h in self.histogram]
        out["islands"] = list(self.islands)
        out["component_sizes"] = list(self.component_sizes)
        out["notes"] = list(self.notes)
        out["rho_interval_wider"] = list(self.rho_interval_wider)
        if self.rho_interval is not None:
            out["rho_interval"] = [float(v) for v in self.rho_interval]
        return out

    def __repr__(self) -> str:
        return str(self)

    def __str__(self) -> str:
        title = f"Spatial weights {self.name!r}" if self.name else "Spatial weights"
        lines = [
            f"{title}: {self.n} units, {self.n_links} links ({100 * self.density:.3g}% of all pairs)",
            f"  transformation: {self.transformation}",
            f"  neighbours: min {self.neighbours_min}, mean {self.neighbours_mean:.3g}, max {self.neighbours_max}",
        ]
        width = max((len(label) for label, _ in self.histogram), default=1)
        top = max((count for _, count in self.histogram), default=1)
        for label, count in self.histogram:
            bar = "#" * max(1 if count else 0, round(30 * count / top))
            lines.append(f"    {label:>{width}} | {bar} {count}")
        lines.append(
            f"  islands: {len(self.islands)}" + (f" ({first_items(self.islands)})" if self.islands else "")
        )
        if self.n_components <= 1:
            lines.append(f"  components: {self.n_components} (connected)")
        else:
            lines.append(
                f"  components: {self.n_components}, sizes {first_items(self.component_sizes)}; "
                "spillovers cannot cross components"
            )
        if self.symmetric:
            lines.append("  symmetric: yes")
        elif self.symmetric_links:
            lines.append(f"  symmetric: no ({self.asymmetric_links} weights differ from their reverse; every link "
                         "has a reverse link)")
        else:
            lines.append(f"  symmetric: no ({self.asymmetric_links} links lack an equal reverse link)")
        lines.append(f"  weights: min {self.weight_min:.6g}, max {self.weight_max:.6g}")
        lines.append(f"  row sums (units with neighbours): min {self.row_sum_min:.6g}, max {self.row_sum_max:.6g}")
        if self.rho_interval is None:
            lines.append(f"  rho interval: not computed ({self.eigen_method})")
        else:
            (low, high), (low_wider, high_wider) = self.rho_interval, self.rho_interval_wider
            ends = f"{low:.6g}{' or wider' if low_wider else ''}, {high:.6g}{' or wider' if high_wider else ''}"
            lines.append(f"  rho interval: ({ends})  [1/lambda_min, 1/lambda_max; {self.eigen_method}]")
        lines += [f"  {note}" for note in self.notes]
        return "\n".join(lines)


def _histogram(cards: np.ndarray) -> tuple[tuple[str, int], ...]:
    if cards.size == 0:
        return ()
    low, high = int(cards.min()), int(cards.max())
    if high - low < 15:
        counts = np.bincount(cards - low, minlength=high - low + 1)
        return tuple((str(low + k), int(c)) for k, c in enumerate(counts))
    edges = np.unique(np.linspace(low, high + 1, 13).astype(int))
    counts, _ = np.histogram(cards, bins=edges)
    return tuple((f"{a}-{b - 1}", int(c)) for a, b, c in zip(edges[:-1], edges[1:], counts, strict=True))


def summarize(graph, *, name: str | None = None, notes: tuple[str, ...] | list[str] = (),
              eigen: EigenOption = "auto") -> WeightsSummary:
    """Summarise a weights graph.

    Parameters
    ----------
    graph
        A libpysal ``Graph``.
    name
        A label shown in the title.
    notes
        Lines added at the end (choices made when building: island policy, links added, ...).
    eigen
        How to get the rho interval: ``"auto"`` (dense for n <= 2000, sparse above), ``"dense"``,
        ``"sparse"``, or ``"none"`` to skip it.

    Examples
    --------
    >>> from spatial import datasets
    >>> from weights.contiguity import queen
    >>> s = summarize(queen(datasets.load("us48_states"), id="fips"), name="queen")
    >>> s.n, s.n_links, s.neighbours_max, s.islands, s.symmetric
    (48, 214, 8, (), True)
    >>> print(str(s).splitlines()[0])
    Spatial weights 'queen': 48 units, 214 links (9.49% of all pairs)
    """
    check_option("eigen", eigen, EigenOption)
    ids = graph_ids(graph)
    matrix = matrix_of(graph)
    n = matrix.shape[0]
    cards = np.diff(matrix.indptr)
    islands = tuple(ids[i] for i in np.flatnonzero(cards == 0))
    _, labels = csgraph.connected_components(matrix, directed=True, connection="weak")
    sizes = tuple(sorted(np.bincount(labels).tolist(), reverse=True))
    transposed = sparse.csr_array(matrix.T)
    difference = sparse.csr_array(matrix - transposed)
    difference.data[np.abs(difference.data) <= 1e-12 * max(1.0, np.abs(matrix.data).max(initial=0.0))] = 0
    difference.eliminate_zeros()
    asymmetric = int((matrix != 0).multiply(difference != 0).count_nonzero())
    pattern = sparse.csr_array(matrix != 0, dtype="float64")
    symmetric_links = (pattern - sparse.csr_array(pattern.T)).count_nonzero() == 0
    sums = np.asarray(matrix.sum(axis=1)).ravel()[cards > 0]
    rho, method, wider = None, "skipped", (False, False)
    if eigen != "none" and matrix.nnz:
        try:
            found: EigenRange = eigen_range(graph, method=eigen)
            rho, method, wider = found.rho_interval, found.method, found.wider
        except WeightsError as exc:
            method = str(exc)
    elif not matrix.nnz:
        method = "no links"
    links = int(matrix.nnz)
    return WeightsSummary(
        n=n,
        n_links=links,
        density=links / (n * (n - 1)) if n > 1 else 0.0,
        neighbours_min=int(cards.min()) if n else 0,
        neighbours_mean=float(cards.mean()) if n else 0.0,
        neighbours_max=int(cards.max()) if n else 0,
        histogram=_histogram(cards),
        islands=islands,
        component_sizes=sizes,
        symmetric=asymmetric == 0,
        asymmetric_links=asymmetric,
        symmetric_links=bool(symmetric_links),
        weight_min=float(matrix.data.min()) if links else 0.0,
        weight_max=float(matrix.data.max()) if links else 0.0,
        row_sum_min=float(sums.min()) if sums.size else 0.0,
        row_sum_max=float(sums.max()) if sums.size else 0.0,
        transformation=TRANSFORM_NAMES.get(str(graph.transformation), str(graph.transformation)),
        rho_interval=rho,
        rho_interval_wider=wider,
        eigen_method=method,
        name=name,
        notes=tuple(notes),
    )
