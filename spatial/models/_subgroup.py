"""Heterogeneity: the same model estimated by subgroup of units, each with W restricted to it.

A grouping is a column of the panel (text label or number, constant within each unit), a column
of its boundaries (the bundled China provinces know the National Bureau of Statistics regions
East / Central / West / Northeast in ``region``), or a mapping from unit id to group. For each
group the weights keep only the links inside the group and are row-standardised again when the
given W was; units left without a neighbour inside their group (islands) are reported and, by
default, kept (their spatial lag is zero and their effects are computed numerically).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from spatial.choices import GroupIslands as IslandPolicy
from spatial._options import check_option
from spatial.errors import SchemaError, SpatialPanelError, first_items
from spatial.models.result import Result
from spatial.models.table import ComparisonTable, compare

__all__ = ["fit_by_group", "GroupResults", "IslandPolicy"]

_MIN_UNITS = 3


@dataclass(frozen=True)
class GroupResults:
    """Results by subgroup: ``results`` (group -> Result), ``units`` (group -> ids), ``islands``
    (group -> ids without a neighbour inside the group), ``dropped`` (ids removed by ``islands="drop"``)."""

    results: dict[str, Result]
    units: dict[str, tuple[str, ...]]
    islands: dict[str, tuple[str, ...]]
    dropped: tuple[str, ...] = ()
    options: dict = field(default_factory=dict)

    def table(self, **kwargs) -> ComparisonTable:
        """The groups side by side (:func:`spatial.models.compare`; effects included by default)."""
        kwargs.setdefault("effects", any(r.effects is not None for r in self.results.values()))
        return compare(self.results, **kwargs)

    def summary(self) -> str:
        lines = [f"Estimates by group ({len(self.results)} groups)"]
        for group, ids in self.units.items():
            note = f"; islands kept: {first_items(self.islands[group], 5)}" if self.islands.get(group) else ""
            lines.append(f"  {group}: {len(ids)} units{note}")
        if self.dropped:
            lines.append(f"  dropped (no neighbour inside their group): {first_items(self.dropped)}")
        return "\n".join(lines + ["", self.table().to_text()])


def _as_labels(values: pd.Series) -> pd.Series:
    """Group labels as text; whole numbers read as floats (region 5.0) print as integers (5)."""
    if pd.api.types.is_float_dtype(values):
        finite = values.dropna()
        if len(finite) and (finite == finite.round()).all():
            return values.map(lambda v: str(int(v)) if pd.notna(v) else str(v))
    return values.astype(str)


def _groups(panel, group) -> pd.Series:
    """Unit id -> group label, checked constant within each unit."""
    ids = pd.Index(panel.entities)
    if isinstance(group, Mapping | pd.Series):
        mapping = pd.Series(dict(group) if isinstance(group, Mapping) else group)
        mapping.index = mapping.index.astype(str)
        missing = [i for i in ids if i not in mapping.index]
        if missing:
            raise SchemaError(f"the grouping gives no group for {len(missing)} units: {first_items(missing)}")
        return mapping.reindex(ids).astype(str)
    if not isinstance(group, str):
        raise SchemaError(f"group must be a column name or a mapping from unit id to group, got {type(group).__name__}")
    for frame in (panel.labels, panel.data):
        if group in frame.columns:
            values = frame[group]
            per_unit = values.groupby(level=0, sort=False).nunique(dropna=False)
            varying = per_unit[per_unit > 1].index.tolist()
            if varying:
                raise SchemaError(f"group column {group!r} changes over time within {len(varying)} units "
                                  f"({first_items(varying)}); a unit must stay in one group")
            return _as_labels(values.groupby(level=0, sort=False).first().reindex(ids))
    if panel.geometry is not None and group in panel.geometry.columns:
        return _as_labels(panel.geometry[group].reindex(ids))
    from spatial.io import close_matches

    columns = list(panel.labels.columns) + list(panel.data.columns) + (
        list(panel.geometry.columns) if panel.geometry is not None else [])
    near = close_matches(group, columns)
    hint = f" (did you mean {', '.join(near)}?)" if near else f" (columns: {first_items(columns)})"
    raise SchemaError(f"group column {group!r} is not in the panel or its boundaries{hint}")


def _subpanel(panel, ids: list[str]):
    from spatial.panel import SpatialPanel

    data = panel.data.loc[panel.data.index.get_level_values(0).isin(ids)]
    frame = pd.concat([data, panel.labels.loc[data.index]], axis=1).reset_index()
    time = panel.time_name
    if time is None:
        frame = frame.drop(columns=[panel.data.index.names[1]])
    return SpatialPanel(frame, id=panel.id_name, time=time, variables=panel.variables)


def _subweights(graph, ids: list[str], row_standardise: bool):
    from libpysal.graph import Graph

    adjacency = graph.adjacency.reset_index()
    adjacency.columns = ["focal", "neighbor", "weight"]
    keep = set(ids)
    inside = adjacency[adjacency["focal"].astype(str).isin(keep) & adjacency["neighbor"].astype(str).isin(keep)
                       & (adjacency["focal"] != adjacency["neighbor"])]
    inside = inside[inside["weight"] > 0]
    linked = set(inside["focal"].astype(str))
    islands = [i for i in ids if i not in linked]
    focal = [*inside["focal"].astype(str), *islands]
    neighbor = [*inside["neighbor"].astype(str), *islands]
    weight = [*inside["weight"].astype(float), *([0.0] * len(islands))]
    sub = Graph.from_arrays(np.array(focal, dtype=object), np.array(neighbor, dtype=object), np.array(weight))
    if row_standardise:
        sub = sub.transform("r")
    return sub, islands


def fit_by_group(panel, w: Any, *, group: str | Mapping | pd.Series, y: str, x: Sequence[str],
                 groups: Sequence[str] | None = None, islands: IslandPolicy = "keep", **options) -> GroupResults:
    """Fit the same model separately for each group of units, with W restricted to the group.

    Parameters
    ----------
    panel, w, y, x
        As for :func:`spatial.models.fit`.
    group
        A panel column, a boundary column (e.g. ``"region"`` of the bundled China provinces) or a
        mapping unit id -> group.
    groups
        The groups to fit, in this order (default: all, sorted).
    islands
        Units without a neighbour inside their group: ``"keep"`` (default, reported in
        ``islands``), ``"drop"`` (removed from the group, listed in ``dropped``) or ``"error"``.
    **options
        Passed to :func:`spatial.models.fit` (``model``, ``fe``, ``lee_yu``, ``draws``, ...).

    Raises
    ------
    SchemaError
        An unknown group column, a group that varies within a unit, units without a group.
    SpatialPanelError
        A group with fewer than 3 units, or islands with ``islands="error"``.

    Examples
    --------
    >>> from libpysal.graph import Graph
    >>> from spatial import SpatialPanel, datasets
    >>> from spatial.models import fit_by_group
    >>> states = datasets.load("us48_states")
    >>> panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year", geometry=states)
    >>> w = Graph.build_contiguity(states.set_index("fips"), rook=False).transform("r")
    >>> west = {i: "west" if float(states.set_index("fips").geometry[i].centroid.x) < -100 else "east"
    ...         for i in panel.entities}
    >>> by = fit_by_group(panel, w, group=west, y="log(gsp)", x=["log(pcap)", "log(emp)"], model="sar", fe="twoway",
    ...                   draws=0)
    >>> sorted(by.results), all(r.converged for r in by.results.values())
    (['east', 'west'], True)
    """
    from spatial.models._fit import fit
    from spatial.linalg import as_graph, weights_matrix

    check_option("islands", islands, IslandPolicy)
    labels = _groups(panel, group)
    available = sorted(labels.unique())
    chosen = list(groups) if groups is not None else available
    unknown = [g for g in chosen if g not in available]
    if unknown:
        raise SchemaError(f"groups not in the grouping: {first_items(unknown)} (groups: {first_items(available)})")
    graph = as_graph(w)
    row_standardise = weights_matrix(graph, allow_islands=True).row_stochastic
    results, units, found_islands, dropped = {}, {}, {}, []
    for name in chosen:
        ids = [i for i in panel.entities if labels[i] == name]
        sub, isolated = _subweights(graph, ids, row_standardise)
        if isolated and islands == "error":
            raise SpatialPanelError(
                f"group {name!r}: {len(isolated)} units have no neighbour inside the group ({first_items(isolated)}); "
                "pass islands='keep' or 'drop'")
        if isolated and islands == "drop":
            dropped += isolated
            ids = [i for i in ids if i not in isolated]
            sub, isolated = _subweights(graph, ids, row_standardise)
        if len(ids) < _MIN_UNITS:
            raise SpatialPanelError(
                f"group {name!r} has {len(ids)} units ({first_items(ids)}); at least {_MIN_UNITS} are needed to "
                "estimate a spatial model. Merge it with another group or leave it out with groups=[...]")
        allow = bool(isolated) or bool(options.get("allow_islands", False))
        rest = {k: v for k, v in options.items() if k != "allow_islands"}
        results[name] = fit(_subpanel(panel, ids), sub, y=y, x=x, allow_islands=allow, **rest)
        units[name] = tuple(ids)
        found_islands[name] = tuple(isolated)
    return GroupResults(results=results, units=units, islands=found_islands, dropped=tuple(dropped),
                        options={"islands": islands, "row_standardised": row_standardise, **options})
