"""The study-area filter (``--keep`` / ``[boundaries] keep``): which boundary units an analysis keeps.

Three forms, one syntax on every surface:

* ``mainland`` - a true/false column of the boundaries: keep its true rows;
* ``region=East,Central`` - a column and the values to keep;
* ``@ids.txt`` - a text file with one unit id per line (``#`` starts a comment).

The filter applies to the boundaries before the panel is built, so the weights and the maps are
built from the kept units only; rows of the table that belong to removed units are dropped too,
and every removed unit is recorded in ``panel.dropped`` with the filter that removed it.

Examples
--------
>>> import pandas as pd
>>> layer = pd.DataFrame({"code": ["11", "12", "81"], "region": ["East", "East", "HK"],
...                       "mainland": [True, True, False]})
>>> keep = parse_keep("region=East")
>>> keep_mask(layer, keep, id_column="code").tolist()
[True, True, False]
>>> keep_mask(layer, parse_keep("mainland"), id_column="code").tolist()
[True, True, False]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from spatial.errors import SchemaError, SpatialPanelError, first_items
from spatial.hints import hint

__all__ = ["KeepFilter", "parse_keep", "keep_mask", "OUTSIDE"]

#: How every record of a unit the study area removed begins (panel.dropped, the weights it leaves).
OUTSIDE = "outside the study area"


@dataclass(frozen=True)
class KeepFilter:
    """A parsed ``keep`` filter: a boolean column, a column with values, or a file of ids."""

    text: str
    column: str | None = None
    values: tuple[str, ...] | None = None
    ids_file: Path | None = None

    def describe(self) -> str:
        if self.ids_file is not None:
            return f"the ids listed in {self.ids_file.name}"
        if self.values is not None:
            return f"{self.column} in {', '.join(self.values)}"
        return f"{self.column} is true"

    def reason(self) -> str:
        """The ``dropped`` reason of a unit this filter removes."""
        return f"{OUTSIDE} (keep {self.text}: {self.describe()})"


def parse_keep(text: str, base: Path | None = None) -> KeepFilter:
    """Parse ``mainland``, ``region=East,Central`` or ``@ids.txt`` (relative to ``base``).

    Raises
    ------
    SpatialPanelError
        For an empty filter, an empty value list or a missing ids file.
    """
    text = str(text).strip()
    if not text:
        raise SpatialPanelError(f"the study-area filter {hint('keep')} is empty; name a column, "
                                "column=value,... or @file")
    if text.startswith("@"):
        path = Path(text[1:]).expanduser()
        if base is not None and not path.is_absolute():
            path = base / path
        if not path.is_file():
            raise SpatialPanelError(f"{hint('keep')} {text}: the ids file {path.name} does not exist")
        return KeepFilter(text, ids_file=path)
    if "=" in text:
        column, _, listed = text.partition("=")
        values = tuple(v.strip() for v in listed.split(",") if v.strip())
        if not column.strip() or not values:
            raise SpatialPanelError(f"{hint('keep')} {text!r}: write column=value1,value2")
        return KeepFilter(text, column=column.strip(), values=values)
    return KeepFilter(text, column=text)


def _read_ids(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise SpatialPanelError(f"the ids file {path.name} is not UTF-8 text") from None
    ids = [line.split("#", 1)[0].strip() for line in lines]
    ids = [i for i in ids if i]
    if not ids:
        raise SpatialPanelError(f"the ids file {path.name} lists no id")
    return ids


def _values(column: pd.Series) -> list[str]:
    return sorted({str(v) for v in column.dropna()})


def keep_mask(layer: pd.DataFrame, keep: KeepFilter, *, id_column: str) -> pd.Series:
    """True for the rows of ``layer`` that ``keep`` retains.

    Raises
    ------
    SchemaError
        When the column does not exist (closest names listed), a boolean filter names a column
        that is not true/false, values or ids are not found in the layer (the available ones
        listed), or nothing would be kept.
    """
    from spatial.io import require_columns

    if keep.ids_file is not None:
        wanted = _read_ids(keep.ids_file)
        have = layer[id_column].astype(str)
        unknown = sorted(set(wanted) - set(have))
        if unknown:
            raise SchemaError(f"{hint('keep')} {keep.text}: {len(unknown)} ids are not in the boundaries "
                              f"({first_items(unknown)}); the boundaries' ids look like {first_items(list(have), 3)}")
        mask = have.isin(set(wanted))
    else:
        require_columns(layer, [keep.column], "the boundary layer")
        column = layer[keep.column]
        if keep.values is None:
            if not pd.api.types.is_bool_dtype(column):
                raise SchemaError(f"{hint('keep')} {keep.text}: column {keep.column!r} is not true/false; keep "
                                  f"some of its values with {keep.column}=value1,value2 (values: "
                                  f"{first_items(_values(column), 8)})")
            mask = column.astype(bool)
        else:
            text = column.map(lambda v: None if pd.isna(v) else str(v))
            unknown = sorted(set(keep.values) - set(text.dropna()))
            if unknown:
                raise SchemaError(f"{hint('keep')} {keep.text}: {first_items(unknown)} not found in column "
                                  f"{keep.column!r} (values: {first_items(_values(column), 12)})")
            mask = text.isin(set(keep.values))
    if not mask.any():
        raise SchemaError(f"{hint('keep')} {keep.text} keeps none of the {len(layer)} boundary units")
    return pd.Series(mask.to_numpy(), index=layer.index)
