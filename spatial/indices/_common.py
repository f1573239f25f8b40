"""Shared input handling of :mod:`spatial.indices`: one long table of (unit, period, values).

Every public function takes either a plain long DataFrame (one row per unit and period) or a
:class:`spatial.SpatialPanel`, and turns it here into a :class:`LongTable` whose ids are text,
whose values are finite floats, and whose problems are reported with the unit, period and row.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from spatial.errors import MissingDataError, SchemaError, SpatialWarning, first_items
from spatial.io import MISSING_TOKENS, ids_as_strings, require_columns
from spatial.periods import parse_periods

if TYPE_CHECKING:
    from spatial.panel import SpatialPanel

__all__ = ["IndicatorWarning", "LongTable", "long_table", "rank_within"]

CROSS_SECTION = "(all)"  # the period label of a table without a time column


class IndicatorWarning(SpatialWarning):
    """A degenerate input that is handled by a documented rule (constant indicator, one-indicator
    subsystem, undefined coupling degree); the rule applied is named in the message."""


@dataclass(frozen=True)
class LongTable:
    """Validated long data: ``frame`` has columns ``id`` (text), ``period`` and the values."""

    frame: pd.DataFrame
    id_name: str
    time_name: str | None

    @property
    def has_time(self) -> bool:
        return self.time_name is not None

    def keys(self) -> pd.DataFrame:
        """The (id, period) columns under the user's names (``period`` dropped for a cross-section)."""
        keys = self.frame[["id", "period"]].rename(columns={"id": self.id_name, "period": self.time_name or "period"})
        return keys if self.has_time else keys.drop(columns="period")

    def labelled(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Rename the internal ``id`` / ``period`` columns of a result to the user's names."""
        out = frame.rename(columns={"id": self.id_name, "period": self.time_name or "period"})
        if not self.has_time and "period" in out.columns:
            out = out.drop(columns="period")
        return out


def _is_panel(data: Any) -> bool:
    from spatial.panel import SpatialPanel

    return isinstance(data, SpatialPanel)


def _panel_frame(panel: SpatialPanel) -> tuple[pd.DataFrame, str, str | None]:
    frame = panel.data.join(panel.labels) if not panel.labels.empty else panel.data
    frame = frame.reset_index()
    time = panel.time_name
    if time is None:
        frame = frame.drop(columns=frame.columns[1])
    return frame, panel.id_name, time


def _numbers(values: pd.Series, column: str) -> pd.Series:
    """Parse a column to floats; text and infinite cells are errors, missing tokens become NaN."""
    if pd.api.types.is_bool_dtype(values):
        raise SchemaError(f"column {column!r} holds booleans, not numbers")
    if pd.api.types.is_numeric_dtype(values):
        parsed = values.astype("float64")
    else:

        def cell(v: object) -> object:
            if v is None or (isinstance(v, float) and math.isnan(v)):
                return np.nan
            if isinstance(v, str) and v.strip().casefold() in MISSING_TOKENS:
                return np.nan
            return v

        cleaned = values.map(cell)
        parsed = pd.to_numeric(cleaned, errors="coerce").astype("float64")
        bad = parsed.isna() & cleaned.notna()
        if bad.any():
            shown = "; ".join(f"row {int(r) + 1} {values.iloc[r]!r}" for r in np.flatnonzero(bad)[:5])
            raise SchemaError(
                f"column {column!r} has {int(bad.sum())} cells that are not numbers ({shown}; rows counted from 1 "
                "after the header); fix them or leave the column out"
            )
    infinite = np.isinf(parsed.to_numpy())
    if infinite.any():
        shown = first_items([int(r) + 1 for r in np.flatnonzero(infinite)], 5)
        raise SchemaError(f"column {column!r} has infinite values (rows {shown}); every value must be finite")
    return parsed


def long_table(
    data: pd.DataFrame | SpatialPanel,
    *,
    id: str | None,
    time: str | None,
    values: Sequence[str],
    text: Sequence[str] = (),
    what: str = "the table",
) -> LongTable:
    """Validate ``data`` and return the (id, period) keys with ``values`` as floats and ``text`` as is.

    For a :class:`~spatial.SpatialPanel`, ``id`` and ``time`` default to the panel's keys and
    ``text`` columns are looked up in :attr:`~spatial.SpatialPanel.labels`.

    Raises
    ------
    SchemaError
        Missing columns (with close matches), duplicate (id, period) rows, cells that are not numbers.
    MissingDataError
        Missing ids, periods or values, naming the column, units and periods.

    Examples
    --------
    >>> import pandas as pd
    >>> t = long_table(pd.DataFrame({"code": ["01", "02"], "x": ["1.5", "2"]}), id="code", time=None, values=["x"])
    >>> t.frame.to_dict("list")
    {'id': ['01', '02'], 'period': ['(all)', '(all)'], 'x': [1.5, 2.0]}
    """
    if _is_panel(data):
        frame, panel_id, panel_time = _panel_frame(data)
        if id not in (None, panel_id) or (time is not None and time != panel_time):
            raise SchemaError(
                f"the panel is keyed by id={panel_id!r}, time={panel_time!r}; leave id and time unset for a panel"
            )
        id, time = panel_id, panel_time
    elif isinstance(data, pd.DataFrame):
        frame = data.reset_index(drop=True)
        if id is None:
            raise SchemaError("id= (the unit id column) is required for a plain table")
    else:
        raise SchemaError(f"data must be a pandas DataFrame or a SpatialPanel, got {type(data).__name__}")
    values, text = list(dict.fromkeys(values)), list(dict.fromkeys(text))
    keys = [id] + ([time] if time is not None else [])
    require_columns(frame, keys + values + text, what)
    for name in values + text:
        if name in keys:
            raise SchemaError(f"{name!r} is a key column ({'id' if name == id else 'time'}); it cannot be a value")
    ids = ids_as_strings(frame[id], id)
    blank = ids.isna() | ids.map(lambda v: isinstance(v, str) and v.strip() == "")
    if blank.any():
        rows = first_items([int(p) + 1 for p in np.flatnonzero(blank)], 5)
        raise MissingDataError(f"{int(blank.sum())} rows of {what} have no unit id in {id!r} (rows {rows})")
    periods = parse_periods(frame[time], time) if time is not None else pd.Series(CROSS_SECTION, index=frame.index)
    out = pd.DataFrame({"id": ids.to_numpy(), "period": periods.to_numpy()})
    repeated = out[out.duplicated(keep=False)]
    if not repeated.empty:
        listed = [f"({i}, {p})" if time else str(i) for i, p in repeated.drop_duplicates().itertuples(index=False)]
        raise SchemaError(
            f"{len(listed)} {'(id, period) keys' if time else 'ids'} of {what} appear on several rows: "
            f"{first_items(listed)}; each unit and period must appear once"
        )
    for name in values:
        out[name] = _numbers(frame[name], name).to_numpy()
    for name in text:
        out[name] = frame[name].to_numpy()
    _check_missing(out, values + text, what)
    return LongTable(out, id, time)


def _check_missing(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    problems = []
    for name in columns:
        gaps = frame[name].isna()
        if not pd.api.types.is_numeric_dtype(frame[name]):
            gaps |= frame[name].map(lambda v: isinstance(v, str) and v.strip() == "")
        if gaps.any():
            problems.append(f"{name!r}: {int(gaps.sum())} ({cells(frame, gaps.to_numpy())})")
    if problems:
        raise MissingDataError(
            f"missing values in {what}: "
            + "; ".join(problems)
            + ". Indices are not computed on incomplete data: fill the gaps or drop those units first"
        )


def rank_within(frame: pd.DataFrame, column: str, by: str = "period") -> pd.Series:
    """Rank ``column`` within each ``by`` group, 1 = largest; ties share the best rank."""
    return frame.groupby(by, sort=False)[column].rank(ascending=False, method="min").astype("int64")


def cells(frame: pd.DataFrame, mask, limit: int = 5) -> str:
    """The (unit, period) cells where ``mask`` holds, for a message: ``'a'`` or ``'(a, 2010)'``."""
    rows = frame.loc[np.asarray(mask), ["id", "period"]].itertuples(index=False)
    return first_items([str(i) if p == CROSS_SECTION else f"({i}, {p})" for i, p in rows], limit)


def check_positive(frame: pd.DataFrame, column: str, *, allow_zero: bool, why: str) -> None:
    """Raise :class:`SchemaError` naming the (unit, period) cells that are negative (or zero)."""
    values = frame[column].to_numpy()
    bad = values < 0 if allow_zero else values <= 0
    if bad.any():
        where = cells(frame, bad)
        kind = "negative" if allow_zero else "zero or negative"
        raise SchemaError(f"{int(bad.sum())} {kind} values of {column!r} at {where}; {why}")
