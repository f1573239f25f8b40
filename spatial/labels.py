"""Variable labels for journal tables: ``name=label`` pairs or a two-column CSV file.

    spatial fit ... --labels dig=数字经济 --labels "log(gdp)=人均GDP"
    spatial fit ... --labels labels.csv        # columns: variable,label (UTF-8 or UTF-8 with BOM)
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from spatial.errors import SpatialPanelError

__all__ = ["parse_labels", "check_labels"]


def parse_labels(items: Iterable[str]) -> dict[str, str]:
    """Labels from ``name=label`` items and ``.csv`` files (columns ``variable`` and ``label``).

    Raises
    ------
    SpatialPanelError
        For an item that is neither, a file without those columns, a blank label, or one
        variable given two different labels.

    Examples
    --------
    >>> parse_labels(["dig=数字经济", "log(gdp)=lnGDP"])
    {'dig': '数字经济', 'log(gdp)': 'lnGDP'}
    """
    labels: dict[str, str] = {}
    for item in items:
        pairs = _read_csv(Path(item)) if item.lower().endswith(".csv") and "=" not in item else [_pair(item)]
        for name, label in pairs:
            if name in labels and labels[name] != label:
                raise SpatialPanelError(f"variable {name!r} is labelled twice ({labels[name]!r} and {label!r}); "
                                        "keep one label")
            labels[name] = label
    return labels


def check_labels(labels: dict[str, str], variables: Iterable[str], where: str = "--labels") -> None:
    """Refuse labels for variables that are not in the model (a typo would silently do nothing)."""
    known = list(dict.fromkeys(variables))
    unknown = [name for name in labels if name not in known]
    if unknown:
        raise SpatialPanelError(f"{where} names {unknown}, which are not variables of the model "
                                f"({', '.join(known)}); fix or remove those labels")


def _pair(item: str) -> tuple[str, str]:
    name, sep, label = item.partition("=")
    if not sep or not name.strip() or not label.strip():
        raise SpatialPanelError(f"label {item!r} is not NAME=LABEL (e.g. dig=数字经济) nor a .csv file")
    return name.strip(), label.strip()


def _read_csv(path: Path) -> list[tuple[str, str]]:
    if not path.is_file():
        raise SpatialPanelError(f"labels file {path} does not exist; give NAME=LABEL or a CSV with columns "
                                "variable,label")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or not {"variable", "label"} <= set(rows[0]):
        raise SpatialPanelError(f"labels file {path} needs the columns variable,label (UTF-8); "
                                f"found {list(rows[0]) if rows else 'no rows'}")
    pairs = []
    for line, row in enumerate(rows, start=2):
        name, label = (row["variable"] or "").strip(), (row["label"] or "").strip()
        if not name or not label:
            raise SpatialPanelError(f"labels file {path} line {line}: variable and label must both be given")
        pairs.append((name, label))
    return pairs
