"""How LISA quadrants moved between two periods (space-time transitions, Rey 2001).

Each unit's quadrant has two letters: its own value (H/L) and its neighbours' (H/L). Between two
periods a transition is of type 0 (no change), I (only the unit moved: HH -> LH), II (only the
neighbours moved: HH -> HL) or III (both moved: HH -> LL). Islands have no quadrant; they are
listed, not counted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

from spatial.errors import SchemaError
from spatial.esda.lisa import LocalMoran

__all__ = ["LisaTransitions", "transitions"]

_ORDER = ["HH", "LH", "LL", "HL"]
TYPES = {
    0: "type 0: no change",
    1: "type I: the unit moved",
    2: "type II: its neighbours moved",
    3: "type III: both moved",
}


@dataclass(frozen=True)
class LisaTransitions:
    """Quadrant transitions of every unit between ``start`` and ``end``.

    :attr:`units` has one row per unit (``quadrant_start``, ``quadrant_end``, ``cluster_start``,
    ``cluster_end``, ``transition`` such as ``"HH->LH"``, ``type``); :attr:`matrix` counts units
    by quadrant at start (rows) and end (columns); :attr:`types` counts and shares each type.
    """

    variable: str
    start: Any
    end: Any
    units: pd.DataFrame
    matrix: pd.DataFrame
    types: pd.DataFrame
    islands: tuple[str, ...] = ()

    @property
    def cohesion(self) -> float:
        """Share of units (islands excluded) whose quadrant did not change (type 0)."""
        return float(self.types.loc[TYPES[0], "share"]) if len(self.units) else float("nan")

    def summary(self) -> str:
        lines = [f"LISA quadrant transitions of {self.variable}, {self.start} -> {self.end}"
                 + (f" ({len(self.islands)} islands not counted)" if self.islands else "")]
        lines.append(self.matrix.to_string())
        lines.append(self.types.to_string())
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps(
            {
                "variable": self.variable, "start": self.start, "end": self.end,
                "units": json.loads(self.units.to_json(orient="records")),
                "matrix": json.loads(self.matrix.to_json(orient="index")),
                "types": json.loads(self.types.to_json(orient="index")),
                "islands": list(self.islands),
            },
            indent=2,
            ensure_ascii=False,
            default=str,
        )


def _type(before: str, after: str) -> int:
    unit_moved = before[0] != after[0]
    neighbours_moved = before[1] != after[1]
    return {(False, False): 0, (True, False): 1, (False, True): 2, (True, True): 3}[(unit_moved, neighbours_moved)]


def transitions(
    lisa: LocalMoran, *, variable: str | None = None, start: Any = None, end: Any = None
) -> LisaTransitions:
    """Transitions of each unit's LISA quadrant between two periods of a :class:`LocalMoran`.

    Parameters
    ----------
    lisa
        Local Moran results that include both periods.
    variable
        The variable (may be omitted when ``lisa`` has one).
    start, end
        The two periods (default: the first and the last of ``lisa``).

    Raises
    ------
    SchemaError
        When the variable or a period is not in ``lisa``, or ``start`` equals ``end``.

    Examples
    --------
    >>> from libpysal.graph import Graph
    >>> from spatial import SpatialPanel, datasets
    >>> from spatial.esda import local_moran, transitions
    >>> panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year",
    ...                      geometry=datasets.load("us48_states"))
    >>> w = Graph.build_contiguity(panel.geometry, rook=False)
    >>> lisa = local_moran(panel, w, "unemp", periods=[1970, 1986], permutations=0)
    >>> moved = transitions(lisa)
    >>> int(moved.matrix.to_numpy().sum())
    48
    """
    table = lisa.table
    variables = list(dict.fromkeys(table["variable"]))
    if variable is None:
        if len(variables) != 1:
            raise SchemaError(f"choose variable= among {variables}")
        variable = variables[0]
    elif variable not in variables:
        raise SchemaError(f"variable {variable!r} is not in the LISA results; they have {variables}")
    rows = table[table["variable"] == variable]
    periods = list(dict.fromkeys(rows["period"]))
    start = periods[0] if start is None else start
    end = periods[-1] if end is None else end
    for name, period in (("start", start), ("end", end)):
        if period not in periods:
            raise SchemaError(
                f"{name} period {period!r} is not in the LISA results of {variable!r}; they have {periods}"
            )
    if start == end:
        raise SchemaError(f"start and end are both {start!r}; choose two different periods")
    before = rows[rows["period"] == start].set_index("id")
    after = rows[rows["period"] == end].set_index("id").reindex(before.index)
    units = pd.DataFrame({
        "id": before.index,
        "quadrant_start": before["quadrant"].to_numpy(),
        "quadrant_end": after["quadrant"].to_numpy(),
        "cluster_start": before["cluster"].to_numpy(),
        "cluster_end": after["cluster"].to_numpy(),
    })
    island = (units["quadrant_start"] == "island") | (units["quadrant_end"] == "island")
    units["transition"] = (units["quadrant_start"] + "->" + units["quadrant_end"]).where(~island, "island")
    units["type"] = [
        "island" if isl else TYPES[_type(a, b)]
        for isl, a, b in zip(island, units["quadrant_start"], units["quadrant_end"], strict=True)
    ]
    counted = units[~island]
    matrix = (
        pd.crosstab(pd.Categorical(counted["quadrant_start"], _ORDER), pd.Categorical(counted["quadrant_end"], _ORDER),
                    dropna=False)
        .rename_axis(index=f"{start}", columns=f"{end}")
    )
    counts = counted["type"].value_counts().reindex(list(TYPES.values()), fill_value=0)
    types = pd.DataFrame({"units": counts, "share": counts / max(len(counted), 1)}).rename_axis("type")
    return LisaTransitions(
        variable=variable, start=start, end=end, units=units, matrix=matrix, types=types,
        islands=tuple(units.loc[island, "id"]),
    )
