"""Validation shared by every builder and reader: ids, options and the entries of a matrix.

The weights package imports nothing of the application, so it owns these small helpers (the
application's ``spatial._options.check_option`` and ``spatial.errors.first_items`` raise the
application's errors, which this package cannot import). Every message names the problem, the
first offending ids and the option that changes the behaviour.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, get_args

import numpy as np
import pandas as pd
from scipy import sparse

from weights.errors import WeightsError

__all__ = ["check_option", "first_items", "unit_ids", "check_entries", "match_ids", "MAX_LINKS"]

MAX_LINKS = 50_000_000
"""Largest number of links a builder allocates unless told otherwise (``max_links=``)."""


def first_items(items: Iterable[object], limit: int = 10) -> str:
    """The first ``limit`` items for a message, with the count of the rest.

    Examples
    --------
    >>> first_items(["01", "02", "03"], limit=2)
    "'01', '02' and 1 more"
    """
    items = list(items)
    if not items:
        return "(none)"
    shown = ", ".join(repr(i) for i in items[:limit])
    rest = len(items) - limit
    return f"{shown} and {rest} more" if rest > 0 else shown


def check_option(name: str, value: Any, allowed: Any) -> Any:
    """Return ``value`` if it is one of the values of the ``Literal`` type ``allowed``.

    Raises
    ------
    WeightsError
        Naming the option, the value given and the allowed values.

    Examples
    --------
    >>> from typing import Literal
    >>> check_option("rule", "bishop", Literal["queen", "rook"])
    Traceback (most recent call last):
    ...
    weights.errors.WeightsError: rule='bishop' is not allowed; choose one of 'queen', 'rook'
    """
    choices = get_args(allowed) or tuple(allowed)
    if value not in choices:
        raise WeightsError(f"{name}={value!r} is not allowed; choose one of {', '.join(map(repr, choices))}")
    return value


def _as_text(value: object, column: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        raise WeightsError(f"id column {column!r} has missing values; every unit needs an id")
    if isinstance(value, bool | np.bool_):
        raise WeightsError(f"id column {column!r} holds booleans; ids must be codes or names")
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        raise WeightsError(
            f"id column {column!r} holds the number {value!r}; store ids as text (a float may have lost "
            "leading zeros), e.g. frame[col].astype('Int64').astype(str)"
        )
    return str(value)


def unit_ids(frame: pd.DataFrame | pd.Series, id: str | None) -> pd.Index:
    """The unit ids of ``frame`` as text, in row order: column ``id``, or the index if ``id`` is None.

    Integers become their digits; text is kept exactly (never stripped or re-cased).

    Raises
    ------
    WeightsError
        For a missing column, missing, float or boolean ids, and repeated ids (listed).

    Examples
    --------
    >>> unit_ids(pd.DataFrame({"code": ["01", "02"]}), "code").tolist()
    ['01', '02']
    """
    if id is None:
        values = frame.index
        column = frame.index.name or "index"
    else:
        if not isinstance(frame, pd.DataFrame) or id not in frame.columns:
            available = list(map(str, getattr(frame, "columns", [])))
            raise WeightsError(f"no id column {id!r}; available columns: {first_items(available, 15)}")
        values = frame[id]
        column = id
    if pd.api.types.is_float_dtype(values) and len(values):
        raise WeightsError(
            f"id column {column!r} holds floating-point numbers; leading zeros may have been lost: "
            "read it as text (dtype=str) or convert it with .astype('Int64').astype(str)"
        )
    if pd.api.types.is_integer_dtype(values) and not pd.api.types.is_bool_dtype(values):
        texts = np.asarray(values).astype("int64").astype(str).astype(object)
    elif pd.api.types.infer_dtype(values, skipna=False) == "string":  # text already: kept exactly
        texts = np.asarray(values, dtype=object)
    else:
        texts = [_as_text(v, column) for v in values]
    ids = pd.Index(texts, dtype=object, name=None)
    if ids.has_duplicates:
        repeated = ids[ids.duplicated()].unique().tolist()
        raise WeightsError(
            f"{len(repeated)} ids of {column!r} appear on several rows ({first_items(repeated)}); "
            "weights need one row per unit (dissolve multi-part regions first)"
        )
    return ids


def check_entries(matrix: sparse.sparray, ids: Sequence[str], *, allow_self: bool = False, what: str = "weights",
                  allow_empty: bool = False) -> None:
    """Check a square weights matrix: finite, non-negative, zero diagonal (unless ``allow_self``),
    and at least one link (unless ``allow_empty``).

    Raises
    ------
    WeightsError
        Naming the first offending (row id, column id) pair and the count of such entries.
    """
    n_rows, n_cols = matrix.shape
    if n_rows != n_cols:
        raise WeightsError(f"{what}: the matrix is {n_rows} x {n_cols}; a weights matrix must be square")
    if n_rows != len(ids):
        raise WeightsError(f"{what}: the matrix is {n_rows} x {n_cols} but there are {len(ids)} ids")
    coo = sparse.coo_array(matrix)
    data = coo.data
    for problem, mask in (
        ("missing (NaN)", np.isnan(data)),
        ("infinite", np.isinf(data)),
        ("negative", data < 0),
    ):
        if mask.any():
            k = int(np.flatnonzero(mask)[0])
            raise WeightsError(
                f"{what}: {int(mask.sum())} {problem} weights, the first at ({ids[coo.row[k]]!r}, "
                f"{ids[coo.col[k]]!r}) = {data[k]!r}; weights must be finite and non-negative"
            )
    if not allow_empty and not np.any(data != 0):
        raise WeightsError(f"{what}: every weight is zero, so no unit has a neighbour; check the file or the matrix")
    if not allow_self:
        diagonal = (coo.row == coo.col) & (data != 0)
        if diagonal.any():
            selves = [ids[i] for i in coo.row[diagonal]]
            raise WeightsError(
                f"{what}: {len(selves)} units are their own neighbours ({first_items(selves)}); the "
                "diagonal must be zero, or pass allow_self=True if self-weights are intended"
            )


def match_ids(found: Sequence[str], expected: Sequence[str], *, what: str) -> None:
    """Check that two id collections are the same set, naming the ids only on each side.

    Raises
    ------
    WeightsError
        With both differences (counts and the first ids) and a hint when only the spelling differs.

    Examples
    --------
    >>> match_ids(["01", "02"], ["1", "2"], what="the file")
    Traceback (most recent call last):
    ...
    weights.errors.WeightsError: the file and the data have different ids: 2 only in the file ('01', '02'), ...
    """
    found_set, expected_set = set(map(str, found)), set(map(str, expected))
    if found_set == expected_set:
        return
    only_found = sorted(found_set - expected_set)
    only_expected = sorted(expected_set - found_set)
    hint = _spelling_hint(only_found, only_expected)
    raise WeightsError(
        f"{what} and the data have different ids: {len(only_found)} only in {what} "
        f"({first_items(only_found)}), {len(only_expected)} only in the data ({first_items(only_expected)})"
        + (f"; {hint}" if hint else "; weights and data must describe the same units")
    )


def _spelling_hint(left: list[str], right: list[str]) -> str:
    if not left or not right:
        return ""
    for label, norm in (
        ("after removing leading zeros", lambda s: s.strip().lstrip("0") or "0"),
        ("after removing spaces", lambda s: s.strip()),
        ("ignoring case", lambda s: s.strip().casefold()),
    ):
        if {norm(s) for s in left} == {norm(s) for s in right}:
            return f"the ids match {label}: write them the same way in both"
    return ""
