"""Indicator systems and the normalisation of indicators.

An indicator system is a table with one row per indicator: its ``direction`` (positive: larger
is better; negative: smaller is better), optionally the ``subsystem`` it belongs to and a
user-given ``weight`` (e.g. from AHP). Normalisation brings the indicators to one scale:

* ``minmax``: positive ``(x - min) / (max - min)``, negative ``(max - x) / (max - min)``;
* ``zscore``: positive ``(x - mean) / sd``, negative ``(mean - x) / sd`` (sample sd, ddof = 1);

plus an optional ``shift`` added to every value (e.g. 0.0001 so the entropy method never meets
``log 0``). ``pooling="pooled"`` takes min, max, mean and sd over all periods, so scores are
comparable over time; ``"per_period"`` takes them within each period.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from spatial.choices import NormalizeOption, PoolingOption
from spatial._options import check_option
from spatial.errors import SchemaError, first_items
from spatial.indices._common import IndicatorWarning
from spatial.io import require_columns

__all__ = ["IndicatorSystem", "indicator_system", "normalize", "NormalizeOption", "PoolingOption", "DIRECTIONS"]


# Accepted spellings of the two directions (compared after strip + casefold).
DIRECTIONS = {
    "positive": ("positive", "pos", "+", "1", "benefit", "正", "正向", "正指标"),
    "negative": ("negative", "neg", "-", "-1", "cost", "负", "负向", "逆向", "负指标"),
}
_DIRECTION_OF = {spelling: name for name, spellings in DIRECTIONS.items() for spelling in spellings}


@dataclass(frozen=True)
class IndicatorSystem:
    """A validated indicator table: ``indicator``, ``direction``, ``subsystem`` and ``weight`` (or NaN).

    Build it with :func:`indicator_system`.
    """

    table: pd.DataFrame

    @property
    def indicators(self) -> list[str]:
        return self.table["indicator"].tolist()

    @property
    def subsystems(self) -> list[str]:
        """Subsystem names in first-appearance order (empty when the system has none)."""
        if self.table["subsystem"].isna().all():
            return []
        return list(dict.fromkeys(self.table["subsystem"]))

    @property
    def directions(self) -> dict[str, str]:
        return dict(zip(self.table["indicator"], self.table["direction"], strict=True))

    @property
    def has_weights(self) -> bool:
        return bool(self.table["weight"].notna().any())

    def members(self, subsystem: str) -> list[str]:
        return self.table.loc[self.table["subsystem"] == subsystem, "indicator"].tolist()


def _as_frame(spec) -> pd.DataFrame:
    if isinstance(spec, pd.DataFrame):
        return spec.reset_index(drop=True)
    if isinstance(spec, Mapping):
        return pd.DataFrame({"indicator": list(spec), "direction": list(spec.values())})
    if isinstance(spec, (str, Path)):
        from spatial.io import read_table

        return read_table(spec)
    raise SchemaError(
        f"indicators must be a table (DataFrame or file) or a mapping indicator -> direction, got {type(spec).__name__}"
    )


def indicator_system(spec) -> IndicatorSystem:
    """Validate an indicator table (DataFrame, CSV/XLSX path, or mapping ``{indicator: direction}``).

    Columns: ``indicator`` and ``direction`` (required), ``subsystem`` and ``weight`` (optional).
    Directions may be written ``positive``/``negative``, ``+``/``-``, ``benefit``/``cost`` or
    ``正向``/``负向``.

    Raises
    ------
    SchemaError
        Missing columns, empty or repeated indicator names, unknown directions (with the rows),
        weights that are not finite non-negative numbers.

    Examples
    --------
    >>> system = indicator_system({"gdp_pc": "positive", "unemployment": "负向"})
    >>> system.directions
    {'gdp_pc': 'positive', 'unemployment': 'negative'}
    """
    if isinstance(spec, IndicatorSystem):
        return spec
    frame = _as_frame(spec)
    require_columns(frame, ["indicator", "direction"], "the indicator table")
    names = frame["indicator"].map(lambda v: "" if v is None or v != v else str(v).strip())
    if (names == "").any():
        rows = first_items([int(r) + 2 for r in np.flatnonzero(names == "")], 5)
        raise SchemaError(f"the indicator table has rows without an indicator name (lines {rows})")
    repeated = sorted(set(names[names.duplicated()]))
    if repeated:
        raise SchemaError(f"indicators listed twice in the indicator table: {first_items(repeated)}")
    raw = frame["direction"].map(lambda v: "" if v is None or v != v else str(v).strip())
    directions = raw.map(lambda v: _DIRECTION_OF.get(v.casefold()))
    unknown = directions.isna()
    if unknown.any():
        listed = [f"{n}: {v!r}" for n, v in zip(names[unknown], raw[unknown], strict=True)]
        raise SchemaError(
            f"unknown direction for {int(unknown.sum())} indicators ({first_items(listed, 5)}); write 'positive' "
            "(larger is better) or 'negative' (smaller is better); also accepted: "
            + ", ".join(DIRECTIONS["positive"][1:] + DIRECTIONS["negative"][1:])
        )
    subsystem = (
        frame["subsystem"].map(lambda v: None if v is None or v != v or str(v).strip() == "" else str(v).strip())
        if "subsystem" in frame.columns
        else pd.Series(None, index=frame.index, dtype=object)
    )
    if subsystem.notna().any() and subsystem.isna().any():
        missing = first_items(names[subsystem.isna()].tolist())
        raise SchemaError(f"indicators without a subsystem ({missing}); give every indicator one, or none")
    weight = pd.Series(np.nan, index=frame.index)
    if "weight" in frame.columns:
        weight = pd.to_numeric(
            frame["weight"].map(lambda v: np.nan if isinstance(v, str) and not v.strip() else v), errors="coerce"
        )
        given = frame["weight"].map(lambda v: not (v is None or v != v or (isinstance(v, str) and not v.strip())))
        bad = (given & weight.isna()) | (weight < 0) | np.isinf(weight)
        if bad.any():
            listed = [f"{n}: {v!r}" for n, v in zip(names[bad], frame["weight"][bad], strict=True)]
            raise SchemaError(f"indicator weights must be finite and >= 0: {first_items(listed, 5)}")
        if weight.notna().any() and weight.isna().any():
            raise SchemaError(
                f"weights are given for some indicators only; missing for {first_items(names[weight.isna()].tolist())}"
            )
    table = pd.DataFrame({"indicator": names, "direction": directions, "subsystem": subsystem, "weight": weight})
    return IndicatorSystem(table)


def _scale(values: pd.DataFrame, directions: dict[str, str], method: str) -> tuple[pd.DataFrame, list[str]]:
    """Normalise each column of one block (all periods, or one period); return the constant columns."""
    out = pd.DataFrame(index=values.index)
    constant = []
    for name in values.columns:
        x = values[name].to_numpy(dtype=float)
        sign = 1.0 if directions[name] == "positive" else -1.0
        with np.errstate(divide="ignore", invalid="ignore"):  # constant columns are replaced below
            if method == "minmax":
                low, high = x.min(), x.max()
                spread = high - low
                scaled = (x - low) / spread if sign > 0 else (high - x) / spread
            else:
                spread = x.std(ddof=1) if len(x) > 1 else 0.0
                scaled = sign * (x - x.mean()) / spread
        if not spread > 0 or not np.isfinite(spread):
            constant.append(name)
            scaled = np.zeros_like(x)
        out[name] = scaled
    return out, constant


def normalize(
    values: pd.DataFrame,
    directions: Mapping[str, str],
    *,
    periods: pd.Series | None = None,
    method: NormalizeOption = "minmax",
    pooling: PoolingOption = "pooled",
    shift: float = 0.0,
) -> pd.DataFrame:
    """Normalise indicator columns by their direction.

    Parameters
    ----------
    values
        One column per indicator, one row per observation (unit and period).
    directions
        ``{indicator: "positive" | "negative"}``.
    periods
        The period of each row (needed for ``pooling="per_period"``).
    method, pooling, shift
        See the module description. A constant indicator (zero spread within the pool) is set to
        ``0 + shift`` with an :class:`IndicatorWarning`: it carries no information, so the
        entropy, CRITIC and CV methods give it weight 0.

    Raises
    ------
    SchemaError
        An unknown option, a non-finite shift, or ``per_period`` without periods.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"gdp": [1.0, 2.0, 3.0], "pollution": [10.0, 30.0, 20.0]})
    >>> normalize(x, {"gdp": "positive", "pollution": "negative"})
       gdp  pollution
    0  0.0        1.0
    1  0.5        0.0
    2  1.0        0.5
    """
    check_option("normalize", method, NormalizeOption)
    check_option("pooling", pooling, PoolingOption)
    if not np.isfinite(shift):
        raise SchemaError(f"shift must be a finite number, got {shift!r}")
    missing = [c for c in values.columns if c not in directions]
    if missing:
        raise SchemaError(f"no direction for {first_items(missing)}")
    if pooling == "pooled":
        blocks = [(None, values)]
    else:
        if periods is None:
            raise SchemaError("pooling='per_period' needs the period of every row")
        labels = np.asarray(periods)
        blocks = [(p, values.loc[labels == p]) for p in pd.unique(labels)]
    parts, constants = [], []
    for period, block in blocks:
        scaled, constant = _scale(block, dict(directions), method)
        parts.append(scaled)
        constants += [name if period is None else f"{name} in {period}" for name in constant]
    if constants:
        warnings.warn(
            f"{len(constants)} constant indicators ({first_items(constants, 5)}): they carry no information, so "
            f"they are set to {shift:g} and get weight 0 from the entropy, CRITIC and CV methods",
            IndicatorWarning,
            stacklevel=2,
        )
    out = pd.concat(parts).reindex(values.index)
    return out + shift if shift else out
