"""Checked inputs shared by every statistic: the panel aligned to the weights, islands set aside.

The panel is reordered to the weights' ids by key (never by position). Islands (units without
neighbours) are removed from the graph before it is transformed, so that every statistic is
computed on the units that have neighbours, and the islands are listed for the outputs.
"""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from spatial.choices import Adjust, Errors, Transform
from spatial._options import check_option, check_seed
from spatial.errors import SchemaError, SpatialPanelError, first_items
from spatial.io import require_columns
from weights import reorder

if TYPE_CHECKING:
    from libpysal.graph import Graph

    from spatial.panel import SpatialPanel


# A p-value below 1 / (P + 1) cannot come out of P permutations; below 99 the floor is 0.01.
MIN_PERMUTATIONS = 99
FAILED_COLUMNS = ["period", "variable", "statistic", "reason"]


class UndefinedStatisticError(SpatialPanelError):
    """A statistic is undefined for a variable (constant, missing or unsuitable values).

    The statistics of the other variables and periods of the same call were computed; they are
    in :attr:`partial`, and :attr:`failed` lists what could not be computed and why;
    :attr:`what` is the message without the advice, for surfaces that advise differently.
    """

    def __init__(self, message: str, *, partial: Any = None, failed: pd.DataFrame | None = None,
                 what: str | None = None) -> None:
        super().__init__(message)
        self.partial = partial
        self.failed = failed
        self.what = what or message

    def advised(self, advice: str) -> UndefinedStatisticError:
        """The same error with the advice of another surface (a CLI flag, a config key)."""
        return UndefinedStatisticError(f"{self.what}; {advice}", partial=self.partial, failed=self.failed,
                                       what=self.what)


class PermutationWarning(UserWarning):
    """Few permutations: the smallest attainable pseudo p-value is 1 / (permutations + 1)."""


class UndefinedStatisticWarning(UserWarning):
    """Some statistics could not be computed (``errors="record"``); see ``result.failed``."""


@dataclass(frozen=True)
class Prepared:
    """The panel and the graph restricted to the units that have neighbours, both in one order."""

    panel: SpatialPanel
    graph: Graph  # transformed, islands removed
    ids: pd.Index  # ids of graph rows (units with neighbours), the order of every vector
    islands: tuple[str, ...]
    transform: str  # what was applied, as recorded in outputs
    order: pd.Index | None = None  # the weights' ids as given: the order of output rows
    _wide: dict[str, pd.DataFrame] = field(default_factory=dict, init=False, repr=False, compare=False)

    def wide(self, variable: str) -> pd.DataFrame:
        """One variable as units x periods (reshaped once per variable, not once per period)."""
        if variable not in self._wide:
            self._wide[variable] = self.panel.wide(variable)
        return self._wide[variable]

    def values(self, variable: str, period: Any) -> np.ndarray:
        """One variable in one period for the units with neighbours, in graph order."""
        return self.wide(variable).loc[self.ids, period].to_numpy(dtype="float64")

    def defined_values(
        self, variables: Sequence[str], periods: Sequence[Any], statistic: str, failed: list[dict],
        *, nonnegative_for: str | None = None,
    ) -> Iterator[tuple[str, Any, np.ndarray]]:
        """``(variable, period, values)`` for each variable and period where the statistic is
        defined; the others are appended to ``failed`` with the reason (see :func:`undefined_reason`)."""
        for variable in variables:
            for period in periods:
                y = self.values(variable, period)
                reason = undefined_reason(y, self.ids, nonnegative_for=nonnegative_for)
                if reason:
                    failed.append({"period": period, "variable": variable, "statistic": statistic, "reason": reason})
                    continue
                yield variable, period, y

    def with_islands(self, frame: pd.DataFrame, variable: str, period: Any, **labels: Any) -> pd.DataFrame:
        """``frame`` (one row per unit with neighbours) and one row per island, with its value and
        the given ``labels`` (e.g. ``category="island"``), in the order of the weights' ids as given
        (computations run in sorted id order; the rows keep the user's order)."""
        if self.islands:
            islands = list(self.islands)
            rows = pd.DataFrame({
                "period": period, "variable": variable, "id": islands,
                "value": self.wide(variable).loc[islands, period].to_numpy(dtype="float64"), **labels,
            })
            frame = pd.concat([frame, rows], ignore_index=True)
        if self.order is None:
            return frame
        position = self.order.get_indexer(frame["id"].astype(str))
        return frame.iloc[np.argsort(position, kind="stable")].reset_index(drop=True)


def check_graph(w: Any) -> Graph:
    """Accept a libpysal ``Graph`` (or a legacy ``W``, converted); refuse anything else."""
    from libpysal.graph import Graph
    from libpysal.weights import W

    if isinstance(w, Graph):
        return w
    if isinstance(w, W):
        return Graph.from_W(w)
    raise SchemaError(
        f"weights must be a libpysal Graph (or W), got {type(w).__name__}; build them with "
        "libpysal.graph.Graph.build_contiguity(boundaries) or the weights package"
    )


def prepare(panel: SpatialPanel, w: Any, *, transform: str) -> Prepared:
    """Align the panel to the weights' ids, set islands aside and transform the graph.

    Units are put in sorted id order (the order of every vector, permutation draw and output row),
    so that results with a given seed do not depend on the order of the input rows.

    Raises
    ------
    IdMismatchError
        When the ids of the panel and of the weights differ (both differences are listed).
    SchemaError
        When fewer than 4 units have neighbours (the moments are undefined).
    """
    from spatial.panel import SpatialPanel

    if not isinstance(panel, SpatialPanel):
        raise SchemaError(f"expected a spatial.SpatialPanel, got {type(panel).__name__}")
    graph = check_graph(w)
    given = graph.unique_ids.tolist()  # one conversion: iterating an Arrow-backed index is slow
    if [str(i) for i in given] != given:
        graph = _with_text_ids(graph)
    # Every vector, and so every permutation draw, follows the sorted ids: with a given seed the
    # p-values do not depend on the row order of the boundary file, the table or the weights file.
    ids = sorted(str(i) for i in given)
    order = pd.Index([str(i) for i in given])
    aligned = panel.align(ids, what="the weights")  # IdMismatchError naming both differences
    graph = reorder(graph, ids, what="the weights")
    islands: list[str] = []
    isolated = [str(i) for i in graph.isolates]
    # Dropping an island can isolate a unit whose only (one-way) neighbour it was: repeat.
    while isolated and len(ids) - len(islands) - len(isolated) >= 4:
        islands.extend(isolated)
        graph = graph.subgraph([i for i in graph.unique_ids if i not in set(isolated)])
        isolated = [str(i) for i in graph.isolates]
    if isolated:
        islands.extend(isolated)
    if len(ids) - len(islands) < 4:
        raise SchemaError(
            f"only {len(ids) - len(islands)} of {len(ids)} units have neighbours; spatial autocorrelation "
            f"needs at least 4 (islands: {first_items(islands)}); use weights that connect more units"
        )
    applied = transform
    if transform != "as_given":
        graph = graph.transform(transform.upper())
    else:
        applied = f"as_given ({graph.transformation})"
    return Prepared(
        panel=aligned,
        graph=graph,
        ids=pd.Index([str(i) for i in graph.unique_ids.tolist()] if islands else ids, name=aligned.id_name),
        islands=tuple(islands),
        transform=applied,
        order=None if order.equals(pd.Index(ids)) else order,
    )


def _with_text_ids(graph: Graph) -> Graph:
    from libpysal.graph import Graph

    adjacency = graph.adjacency
    focal = adjacency.index.get_level_values(0).astype(str)
    neighbor = adjacency.index.get_level_values(1).astype(str)
    return Graph.from_arrays(focal, neighbor, adjacency.to_numpy(), transformation=graph.transformation)


def select_variables(panel: SpatialPanel, variables: str | Sequence[str] | None) -> list[str]:
    """The variables to analyse (all numeric ones by default); unknown names get close matches."""
    if variables is None:
        return list(panel.variables)
    chosen = [variables] if isinstance(variables, str) else list(variables)
    if not chosen:
        raise SchemaError("no variable chosen; name at least one, or pass variables=None for all")
    require_columns(panel.data, chosen, "the panel")
    return chosen


def select_periods(panel: SpatialPanel, periods: Any) -> list[Any]:
    """The periods to analyse, in the panel's order (all by default). ``"1990"`` matches 1990.

    Raises
    ------
    SchemaError
        Naming the periods that are not in the panel and the ones that are.
    """
    available = list(panel.periods)
    if periods is None:
        return available
    single = isinstance(periods, str | int | np.integer) or not isinstance(periods, Iterable)
    wanted = [periods] if single else list(periods)
    by_text = {str(p): p for p in available}
    chosen, absent = [], []
    for period in wanted:
        if period in set(available):
            chosen.append(period)
        elif str(period).strip() in by_text:
            chosen.append(by_text[str(period).strip()])
        else:
            absent.append(period)
    if absent:
        shown = f"{available[0]}..{available[-1]}" if len(available) > 10 else ", ".join(map(str, available))
        listed = ", ".join(str(p) for p in absent)
        raise SchemaError(
            f"period {listed} is not in the panel (periods: {shown}); choose periods that exist"
        )
    wanted_set = set(chosen)
    return [p for p in available if p in wanted_set]  # in the panel's order, each once


def check_permutations(permutations: int, seed: int | None) -> int:
    """Validate the number of permutations and the seed; warn below 99 permutations.

    Raises
    ------
    SpatialPanelError
        For a negative number, or permutations without an integer ``seed``.
    """
    if isinstance(permutations, bool) or not isinstance(permutations, int | np.integer) or permutations < 0:
        raise SpatialPanelError(f"permutations must be a non-negative integer, got {permutations!r}")
    if permutations and seed is None:
        raise SpatialPanelError(
            "permutation inference needs seed= (a whole number, recorded in the results); "
            "or pass permutations=0 for analytical inference only"
        )
    if permutations:
        check_seed(seed)
    if 0 < permutations < MIN_PERMUTATIONS:
        warnings.warn(
            f"only {permutations} permutations: the smallest attainable pseudo p-value is "
            f"1/({permutations}+1) = {1 / (permutations + 1):.3g}; use at least 99 (999 for publication)",
            PermutationWarning,
            stacklevel=3,
        )
    return int(permutations)


def rng_for(seed: int, *key: object) -> np.random.Generator:
    """An independent generator for one (statistic, variable, period): results do not depend on
    which other variables or periods were in the same call."""
    tag = zlib.crc32("|".join(map(str, key)).encode("utf-8"))
    return np.random.default_rng([int(seed), tag])


def undefined_reason(y: np.ndarray, ids: pd.Index, *, nonnegative_for: str | None = None) -> str | None:
    """Why a statistic cannot be computed on ``y`` (missing, constant, negative), or ``None``.

    ``nonnegative_for`` names a statistic that needs non-negative values (General G, Gi*).
    """
    missing = np.isnan(y)
    if missing.all():
        return "all values are missing"
    if missing.any():
        return f"{int(missing.sum())} missing values (units {first_items(ids[missing].tolist(), 5)})"
    if np.ptp(y) <= 1e-12 * max(1.0, float(np.abs(y).max())):
        return f"it is constant ({y[0]:g} for all {len(y)} units with neighbours), so the statistic is undefined"
    if nonnegative_for and (y < 0).any():
        neg = y < 0
        return (
            f"{nonnegative_for} needs non-negative values; {int(neg.sum())} are negative "
            f"(units {first_items(ids[neg].tolist(), 5)})"
        )
    return None


def unit_table(frames: list[pd.DataFrame], columns: list[str], permutations: int, seed: int | None) -> pd.DataFrame:
    """The per-unit frames in one table, with the permutations and seed (if used) on every row."""
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    table["permutations"] = permutations
    table["seed"] = pd.array([seed if permutations else None] * len(table), dtype="Int64")
    return table


def finish(result, failed: list[dict], errors: str, what: str):
    """Return ``result``, or raise/warn about what could not be computed (the rest is kept)."""
    if not failed:
        return result
    by_variable: dict[str, list] = {}
    for item in failed:
        by_variable.setdefault(f"{item['variable']!r} ({item['reason']})", []).append(item["period"])
    listed = "; ".join(f"{k} in {first_items(v, 5)}" for k, v in by_variable.items())
    message = f"{what} could not be computed for {listed}"
    if errors == "record":
        warnings.warn(message + "; see result.failed", UndefinedStatisticWarning, stacklevel=3)
        return result
    raise UndefinedStatisticError(
        message + "; every other variable and period was computed: they are in the error's .partial "
        "(or pass errors='record' to receive them with the failures listed in result.failed)",
        partial=result,
        failed=result.failed,
        what=message,
    )


def significant(p: np.ndarray, alpha: float, adjust: str) -> tuple[np.ndarray, float]:
    """Which p-values are significant at ``alpha`` after a multiple-testing adjustment.

    ``"bonferroni"`` compares each p with alpha / m; ``"fdr"`` is Benjamini-Hochberg: the largest
    p_(k) <= k alpha / m and every smaller p are significant. Returns the mask and the cut-off
    used (p <= cut-off is significant).

    Examples
    --------
    >>> import numpy as np
    >>> mask, cut = significant(np.array([0.001, 0.008, 0.039, 0.041, 0.6]), 0.05, "fdr")
    >>> mask.tolist(), round(cut, 3)
    ([True, True, False, False, False], 0.008)
    """
    check_option("adjust", adjust, Adjust)
    if not 0 < alpha < 1:
        raise SpatialPanelError(f"alpha must lie between 0 and 1, got {alpha!r}")
    m = len(p)
    if adjust == "none":
        cut = alpha
    elif adjust == "bonferroni":
        cut = alpha / m
    else:
        ordered = np.sort(p)
        passed = np.flatnonzero(ordered <= alpha * np.arange(1, m + 1) / m)
        cut = float(ordered[passed[-1]]) if len(passed) else 0.0
    return p <= cut, float(cut)
