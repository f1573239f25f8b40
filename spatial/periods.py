"""Period labels, parsed once and strictly (RELIABILITY B5).

Every reader of a time column (panels, indices) goes through :func:`parse_periods`. A column of
periods is either whole numbers (years such as ``2003``, or a period index ``1, 2, 3``) or
date-like labels of one format and frequency: ``2019-01`` (months), ``2019Q1`` / ``2019-Q1``
(quarters) or ``2019-01-31`` (days; spreadsheet dates become this form). Anything else is an
error that names the rows: mixed formats or frequencies, labels that are not periods (``20o3``),
non-finite (``inf``, ``1e309``) or absurd years (``99999``). Nothing is cast silently.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd

from spatial.errors import MissingDataError, SchemaError, first_items

__all__ = ["parse_periods", "MAX_PERIOD"]

#: Largest whole-number period accepted (a four-digit year); larger values are typing errors.
MAX_PERIOD = 9999

_FORMATS = {
    "month": (re.compile(r"^(\d{4})-(\d{2})$"), "YYYY-MM (months)"),
    "quarter": (re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE), "YYYYQn (quarters)"),
    "date": (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "YYYY-MM-DD (days)"),
}
_WHOLE = re.compile(r"^[+-]?\d+(\.0*)?$")
_KIND_NAMES = {"integer": "whole numbers (years)", **{k: v[1] for k, v in _FORMATS.items()}}


def _rows(positions: list[int]) -> str:
    return first_items([p + 1 for p in positions], 5)


def _classify(value: object) -> tuple[str, object] | tuple[None, str]:
    """The kind of one non-blank label and its parsed value, or ``(None, reason)``."""
    if isinstance(value, bool | np.bool_):
        return None, "a boolean"
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date | np.datetime64):
        stamp = pd.Timestamp(value)
        if stamp != stamp.normalize():
            return None, "a date with a time of day"
        return "date", stamp.strftime("%Y-%m-%d")
    if isinstance(value, int | np.integer):
        number = int(value)
    elif isinstance(value, float | np.floating):
        if not math.isfinite(value):
            return None, "not a finite number"
        if value != round(value):
            return None, "not a whole number"
        number = int(value)
    else:
        text = str(value).strip()
        if _WHOLE.match(text):
            number = int(text.split(".")[0])
        else:
            for kind, (pattern, _) in _FORMATS.items():
                match = pattern.match(text)
                if match:
                    if kind == "month" and not 1 <= int(match.group(2)) <= 12:
                        return None, "month out of range"
                    if kind == "date":
                        try:
                            dt.date(*map(int, match.groups()))
                        except ValueError:
                            return None, "not a calendar date"
                    return kind, text.upper() if kind == "quarter" else text
            try:
                float(text)
            except ValueError:
                return None, "not a period label"
            return None, "not a finite whole number" if not math.isfinite(float(text)) else "not a whole number"
    if not 0 <= number <= MAX_PERIOD:
        return None, f"outside 0..{MAX_PERIOD}"
    return "integer", number


def parse_periods(values: pd.Series, column: str) -> pd.Series:
    """Parse a time column once, strictly; whole numbers become ``int64``, date labels text.

    Parameters
    ----------
    values
        The time column as read (text from CSV, typed cells from Excel or Parquet).
    column
        Its name, for messages.

    Returns
    -------
    pandas.Series
        ``int64`` for whole-number periods; otherwise the labels as text in one canonical form
        (quarters upper-case, ``2019-Q1`` as ``2019-Q1``), so that they sort in time order.

    Raises
    ------
    MissingDataError
        Blank periods (with their rows).
    SchemaError
        Labels that are not periods, non-finite or out-of-range numbers, or a mix of formats
        or frequencies; the message names the values and their rows (counted from 1 after the
        header).

    Examples
    --------
    >>> parse_periods(pd.Series(["2001", "2002"]), "year").tolist()
    [2001, 2002]
    >>> parse_periods(pd.Series(["2001", "20o3"]), "year")
    Traceback (most recent call last):
    ...
    spatial.errors.SchemaError: period column 'year' has labels that are not periods: row 2 '20o3' (not a period label); ...
    """
    # each distinct label is classified once (a panel has few periods and many rows)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    labels = list(uniques)
    empty = [i for i, v in enumerate(labels) if v is pd.NaT or (isinstance(v, str) and v.strip() == "")]
    blank = np.flatnonzero((codes < 0) | np.isin(codes, empty)).tolist()
    if blank:
        raise MissingDataError(
            f"{len(blank)} rows have no period in {column!r} (rows {_rows(blank)}); every row needs a period"
        )
    classified = [_classify(v) for v in labels]
    failed = [i for i, (kind, _) in enumerate(classified) if kind is None]
    bad = [f"row {position + 1} {str(labels[codes[position]]).strip()!r} ({classified[codes[position]][1]})"
           for position in np.flatnonzero(np.isin(codes, failed))[:5].tolist()]
    n_bad = int(np.isin(codes, failed).sum())
    kinds: dict[str, list[int]] = {}
    for kind in dict.fromkeys(k for k, _ in classified if k is not None):
        members = [i for i, (k, _) in enumerate(classified) if k == kind]
        kinds[kind] = np.flatnonzero(np.isin(codes, members)).tolist()
    kinds = dict(sorted(kinds.items(), key=lambda item: item[1][0]))  # in the order the rows show them
    parsed = np.array([result if kind is not None else None for kind, result in classified] or [None],
                      dtype=object)[codes]
    if n_bad:
        more = f" and {n_bad - 5} more" if n_bad > 5 else ""
        raise SchemaError(
            f"period column {column!r} has labels that are not periods: {'; '.join(bad[:5])}{more}; "
            f"periods are whole-number years 0..{MAX_PERIOD} or dates of one format "
            "(YYYY-MM, YYYYQn, YYYY-MM-DD): correct these cells"
        )
    if len(kinds) > 1:
        listed = "; ".join(
            f"{_KIND_NAMES[k]} in rows {_rows(rows)} (e.g. {str(values.iloc[rows[0]]).strip()!r})"
            for k, rows in kinds.items()
        )
        raise SchemaError(
            f"period column {column!r} mixes formats or frequencies: {listed}; "
            "write every period in one format (one frequency per panel)"
        )
    if "quarter" in kinds:
        parsed = np.array([f"{p[:4]}-Q{p[-1]}" for p in parsed], dtype=object)  # 2019Q1 and 2019-Q1: one quarter
    out = pd.Series(parsed, index=values.index, name=values.name)
    return out.astype("int64") if "integer" in kinds else out.astype(object)
