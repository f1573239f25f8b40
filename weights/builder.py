"""One front for every kind of weights: build, apply the island policy, transform, and record
every choice for the report.

:func:`build` returns :class:`BuiltWeights`: the ``graph`` (a libpysal ``Graph``) together with
the kind, the resolved options (metric and unit, how points were taken, ...), the island report
(policy, islands, links added, units dropped) and the transformation. ``summary()`` prints all
of it.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, get_args

import numpy as np
import pandas as pd

from weights.choices import Kind
from weights import distance as _distance
from weights import economic as _economic
from weights._checks import check_option, first_items
from weights._graph import matrix_of
from weights._locations import locate
from weights.block import block as _block_graph
from weights.contiguity import _contiguity as _contiguity_graph
from weights.contiguity import warn_topology
from weights.errors import IslandWarning, WeightsError
from weights.islands import IslandPolicy, IslandReport, apply_island_policy
from weights.summary import EigenOption, WeightsSummary, summarize
from weights.transform import Transform
from weights.transform import transform as _transform

__all__ = ["Kind", "KINDS", "BuiltWeights", "build", "BUILD_OPTIONS"]

KINDS: tuple[str, ...] = get_args(Kind)

_LOCATION = ("metric", "points", "xy")
_VALUES = ("values", "values_id", "variable", "time", "periods")
_OPTIONS: dict[str, tuple[str, ...]] = {
    "queen": ("order", "cumulative", "strict", "tolerance"),
    "rook": ("order", "cumulative", "strict", "tolerance"),
    "knn": ("k", "duplicates", *_LOCATION),
    "distance_band": ("threshold", "binary", "alpha", "max_links", *_LOCATION),
    "inverse_distance": ("alpha", "cutoff", "max_links", *_LOCATION),
    "kernel": ("function", "bandwidth", "k", "adaptive", "max_links", *_LOCATION),
    "block": ("group",),
    "economic": ("variable", "time", "periods", "ties", "max_links"),
    "nested": ("distance", "alpha", "cutoff", "max_links", *_LOCATION, *_VALUES),
}
#: Every keyword ``build(**options)`` accepts for some kind.
BUILD_OPTIONS: tuple[str, ...] = tuple(dict.fromkeys(name for names in _OPTIONS.values() for name in names))
_DISTANCE_KINDS = ("knn", "distance_band", "inverse_distance", "kernel", "nested")


@dataclass(frozen=True, eq=False, repr=False)
class BuiltWeights:
    """Weights with the record of how they were built.

    Attributes
    ----------
    graph
        The final weights (after the island policy and the transformation).
    kind
        The builder used.
    options
        Resolved options: parameters, distance metric and unit, point source, method.
    islands
        The island policy and what it did (islands found, links added, units dropped).
    transform
        The transformation applied (``"none"``, ``"row"``, ...).
    notes
        Other recorded choices (ties dropped, ...).
    """

    graph: Any
    kind: str
    options: dict = field(default_factory=dict)
    islands: IslandReport = field(default_factory=lambda: IslandReport("keep", ()))
    transform: str = "none"
    notes: tuple[str, ...] = ()

    @property
    def ids(self) -> list[str]:
        return [str(i) for i in self.graph.unique_ids]

    def __repr__(self) -> str:
        islands = self.islands
        if not islands.islands:
            fate = "no islands"
        elif islands.policy == "connect":
            fate = f"islands connected: {len(islands.islands)} (links added: {len(islands.added)})"
        elif islands.policy == "drop":
            fate = f"units dropped: {len(islands.dropped)}"
        else:
            fate = f"islands kept: {len(islands.islands)}"
        return (f"<BuiltWeights {self.kind}: {self.graph.n} units, {int(self.graph.n_edges)} links, {fate}, "
                f"transform {self.transform}>")

    def describe(self) -> list[str]:
        """The recorded choices, one line each."""
        shown = ", ".join(f"{k}={v}" for k, v in self.options.items() if v is not None)
        lines = [f"built: {self.kind}" + (f" ({shown})" if shown else "")]
        lines += self.islands.lines() if self.islands.islands else []
        lines.append(f"transform: {self.transform}")
        lines += list(self.notes)
        return lines

    def summary(self, *, name: str | None = None, eigen: EigenOption = "auto") -> WeightsSummary:
        """The summary of the final graph, with the recorded choices as notes."""
        return summarize(self.graph, name=name, notes=self.describe(), eigen=eigen)

    def to_dict(self) -> dict:
        """Machine-readable record (for run.json)."""
        return {
            "kind": self.kind,
            "options": {k: (v if isinstance(v, str | int | float | bool | type(None)) else str(v))
                        for k, v in self.options.items()},
            "islands": self.islands.to_dict(),
            "transform": self.transform,
            "notes": list(self.notes),
        }


def _check_options(kind: str, options: dict) -> None:
    allowed = _OPTIONS[kind]
    for key in options:
        if key not in allowed:
            near = difflib.get_close_matches(key, allowed, n=1)
            raise WeightsError(
                f"option {key!r} does not apply to {kind} weights"
                + (f" (did you mean {near[0]!r}?)" if near else "")
                + f"; {kind} takes {', '.join(allowed)}"
            )


def build(
    data,
    *,
    kind: Kind,
    id: str | None = None,
    islands: IslandPolicy | None = None,
    connect_k: int = 1,
    transform: Transform = "none",
    **options,
) -> BuiltWeights:
    """Build weights of any kind, apply an island policy and a transformation, record it all.

    Parameters
    ----------
    data
        Polygons (contiguity, and points taken from them for distance kinds), points or a table
        with coordinate columns (``xy=``), a table with a ``group`` column (block), or the values
        table (economic).
    kind
        ``"queen"``, ``"rook"``, ``"knn"``, ``"distance_band"``, ``"inverse_distance"``,
        ``"kernel"``, ``"block"``, ``"economic"`` or ``"nested"``.
    id
        Id column (default: the index).
    islands
        ``"keep"``, ``"drop"`` or ``"connect"`` (each island linked both ways to its
        ``connect_k`` nearest units, by boundary distance for polygons). Default: keep, except
        that a distance band or cutoff leaving units isolated is an error until a policy is chosen.
    transform
        Applied last: ``"none"``, ``"row"``, ``"binary"``, ``"spectral"``, ``"double"``,
        ``"symmetric"``.
    **options
        Options of the builder (see :mod:`weights.contiguity`, :mod:`weights.distance`,
        :mod:`weights.block`, :mod:`weights.economic`). For ``"nested"``: ``values`` (a values
        table or Series), ``values_id``, ``variable``, ``time``, ``periods`` and the inverse-
        distance options, or ``distance=`` an existing distance graph.

    Returns
    -------
    BuiltWeights

    Warns
    -----
    IslandWarning
        Islands kept by default, or several components (spillovers cannot cross them).

    Raises
    ------
    WeightsError
        For an unknown kind or option (with the closest name) and every builder's errors.

    Examples
    --------
    >>> from spatial import datasets
    >>> provinces = datasets.load("china_provinces")
    >>> mainland = provinces[provinces["mainland"]]
    >>> built = build(mainland, kind="queen", id="adcode", islands="connect", transform="row")
    >>> [line.strip() for line in built.islands.lines()][1].split(" (")[0]
    '460000 <-> 440000'
    >>> int(built.graph.cardinalities["460000"]), built.graph.transformation
    (1, 'R')
    >>> built
    <BuiltWeights queen: 31 units, 138 links, islands connected: 1 (links added: 1), transform row>
    """
    check_option("kind", kind, Kind)
    if islands is not None:
        check_option("islands", islands, IslandPolicy)
    check_option("transform", transform, Transform)
    _check_options(kind, options)
    notes: list[str] = []
    locations = None
    location_options = {k: options.pop(k) for k in _LOCATION if k in options}
    if kind in _DISTANCE_KINDS and not (kind == "nested" and "distance" in options):
        locations = locate(data, id=id, **location_options)
    graph, record = _raw(kind, data, id=id, locations=locations, explicit_policy=islands is not None,
                         notes=notes, **options)
    policy = islands or "keep"
    geometry_frame = data if _is_geo(data) else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IslandWarning)
        graph, report = apply_island_policy(
            graph, policy, frame=geometry_frame, id=id, locations=None if geometry_frame is not None else locations,
            k=connect_k, weight=_link_weight(kind, record),
        )
    if kind in ("queen", "rook") and record["order"] > 1:
        pass  # higher orders split into components by construction (a chain's odd and even units)
    elif kind in ("queen", "rook") and islands is None:
        warn_topology(graph, rule=kind, strict=bool(record.get("method") != "vertex"), stacklevel=3)
    else:
        _warn_split(graph, policy)
    if matrix_of(graph).count_nonzero() == 0:
        raise WeightsError(
            f"{kind} weights of these {len(graph.unique_ids)} units have no link at all: every unit is an island, "
            "and such a matrix cannot be used or read back; check the data, or choose another kind "
            "(e.g. k nearest neighbours), or connect each island to its nearest unit (island policy 'connect')"
        )
    graph = _transform(graph, transform)
    return BuiltWeights(graph=graph, kind=kind, options=record, islands=report, transform=transform,
                        notes=tuple(notes))


def _is_geo(data) -> bool:
    import geopandas as gpd

    return isinstance(data, gpd.GeoDataFrame | gpd.GeoSeries)


def _link_weight(kind: str, record: dict) -> float | Callable[[np.ndarray], np.ndarray]:
    """The weight of a link added to an island: 1, or the builder's decay at the link's distance."""
    if kind == "inverse_distance" or (kind == "distance_band" and not record.get("binary", True)):
        alpha = float(record.get("alpha", 1.0))
        return lambda d: np.power(np.maximum(d, np.finfo(float).tiny), -alpha)
    if kind in ("kernel", "economic", "nested"):
        return _refuse_connect(kind)
    return 1.0


def _refuse_connect(kind: str) -> Callable[[np.ndarray], np.ndarray]:
    def refuse(_: np.ndarray) -> np.ndarray:
        raise WeightsError(
            f"islands='connect' has no natural weight for {kind} weights; widen the bandwidth or cutoff, or "
            "keep/drop the islands"
        )

    return refuse


def _warn_split(graph, policy: str) -> None:
    isolates = set(map(str, graph.isolates))
    n_components = int(graph.n_components)
    linked = n_components - len(isolates)
    if linked <= 1 and not (isolates and policy == "keep"):
        return
    sizes = pd.Series(graph.component_labels).value_counts().tolist()
    parts = []
    if isolates:
        parts.append(f"{len(isolates)} islands kept as zero rows ({first_items(sorted(isolates))})")
    if linked > 1:
        parts.append(f"{n_components} components (sizes {first_items(sizes)}); spillovers cannot cross components")
    warnings.warn("weights: " + "; ".join(parts), IslandWarning, stacklevel=3)


def _raw(kind: str, data, *, id, locations, explicit_policy: bool, notes: list[str], **options):
    """The raw graph of a kind and the record of its resolved options."""
    if kind in ("queen", "rook"):
        graph = _contiguity_graph(
            data, id=id, rule=kind, order=options.get("order", 1), cumulative=options.get("cumulative", False),
            strict=options.get("strict", False), tolerance=options.get("tolerance", 0.0),
        )
        tolerance = float(options.get("tolerance", 0.0))
        method = "tolerance" if tolerance > 0 else ("strict" if options.get("strict") else "vertex")
        record = {"rule": kind, "order": options.get("order", 1), "cumulative": options.get("cumulative", False),
                  "method": method}
        if tolerance > 0:
            record["tolerance"] = tolerance
        return graph, record
    if kind == "block":
        if "group" not in options:
            raise WeightsError("block weights need group= (the column that groups the units)")
        return _block_graph(data, id=id, group=options["group"]), {"group": options["group"]}
    if kind == "economic":
        return _economic_raw(data, id=id, notes=notes, **options)
    location_record = {} if locations is None else {
        "metric": locations.metric, "unit": locations.unit, "points": locations.source}
    if kind == "knn":
        if "k" not in options:
            raise WeightsError("knn weights need k= (the number of neighbours)")
        duplicates = options.get("duplicates", "error")
        graph = _distance.knn(locations, k=int(options["k"]), duplicates=duplicates)
        return graph, {"k": int(options["k"]), **location_record}
    allow = explicit_policy
    max_links = options.get("max_links", _distance.MAX_LINKS)
    if kind == "distance_band":
        if "threshold" not in options:
            raise WeightsError("distance_band weights need threshold= (in km for great-circle metrics)")
        binary = bool(options.get("binary", True))
        graph = _distance.distance_band(locations, threshold=float(options["threshold"]), binary=binary,
                                        alpha=float(options.get("alpha", 1.0)), allow_islands=allow,
                                        max_links=max_links)
        record = {"threshold": float(options["threshold"]), "binary": binary, **location_record}
        if not binary:
            record["alpha"] = float(options.get("alpha", 1.0))
        return graph, record
    if kind == "inverse_distance":
        graph = _distance.inverse_distance(locations, alpha=float(options.get("alpha", 1.0)),
                                           cutoff=options.get("cutoff"), allow_islands=allow, max_links=max_links)
        return graph, {"alpha": float(options.get("alpha", 1.0)), "cutoff": options.get("cutoff"), **location_record}
    if kind == "kernel":
        graph = _distance.kernel(locations, function=options.get("function", "triangular"),
                                 bandwidth=options.get("bandwidth"), k=int(options.get("k", 6)),
                                 adaptive=bool(options.get("adaptive", False)), max_links=max_links)
        record = {"function": options.get("function", "triangular"), "bandwidth": options.get("bandwidth"),
                  "k": int(options.get("k", 6)), "adaptive": bool(options.get("adaptive", False)), **location_record}
        return graph, record
    return _nested_raw(data, id=id, locations=locations, allow=allow, location_record=location_record, **options)


def _economic_raw(data, *, id, notes: list[str], variable=None, time=None, periods=None, ties="error",
                  max_links=_distance.MAX_LINKS):
    graph = _economic.economic_distance(data, id=id, time=time, variable=variable, periods=periods, ties=ties,
                                        max_links=max_links)
    if ties == "drop":
        means = _economic.period_means(data, id=id, time=time, variable=variable, periods=periods)
        tied = _economic.tied_pairs(means)
        if tied:
            shown = first_items(["=".join(t) for t in tied], 5)
            notes.append(f"ties: {len(tied)} pairs with equal means left unlinked ({shown})")
    return graph, {"variable": variable, "periods": _periods_text(periods), "ties": ties}


def _nested_raw(data, *, id, locations, allow, location_record, values=None, values_id=None, variable=None,
                time=None, periods=None, distance=None, alpha=1.0, cutoff=None, max_links=_distance.MAX_LINKS):
    if values is None:
        raise WeightsError("nested weights need values= (the table or Series of the economic variable)")
    if distance is None:
        distance = _distance.inverse_distance(locations, alpha=float(alpha), cutoff=cutoff, allow_islands=allow,
                                              max_links=max_links)
        record = {"distance": "inverse_distance", "alpha": float(alpha), "cutoff": cutoff, **location_record}
    else:
        record = {"distance": "given graph"}
    if values_id is None and isinstance(values, pd.DataFrame) and id in values.columns:
        values_id = id  # the values table names the units like the geometry
    graph = _economic.nested(distance, values, id=values_id, time=time, variable=variable, periods=periods)
    record.update({"variable": variable, "periods": _periods_text(periods)})
    return graph, record


def _periods_text(periods) -> str:
    if periods is None:
        return "all"
    if isinstance(periods, slice):
        return f"{periods.start}..{periods.stop}"
    return ", ".join(map(str, periods))
