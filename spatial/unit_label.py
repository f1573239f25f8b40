"""The user's own unit names on maps, figures and tables.

A table keyed by the user's names (北京, or Beijing) and matched to the boundaries' ids by name
(``match_names``) carries those names as :attr:`spatial.SpatialPanel.unit_labels`. Every output
that names a unit shows them: CSVs and report tables get a ``label`` column beside the id
(:func:`spatial.panel.with_unit_labels`), interactive maps name the units by them in their
tooltips (:func:`display_units`), and Moran scatter plots label their points with them. Units
without a label of the user's (units outside the study drawn for context) keep the boundary
layer's names.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["display_units"]


def display_units(units: Any, labels: pd.Series | None,
                  names: list[str] | None = None) -> tuple[Any, list[str] | None]:
    """``units`` and the ``names`` to pass to a :mod:`maps` function, so that its tooltips name each
    unit as the user's table does.

    ``labels`` are the user's unit names by id (``panel.unit_labels``, or the ``label`` column of
    a table our commands wrote). With labels and no ``names`` chosen, returns a copy of ``units``
    with one more column: the user's label of each unit, or for a unit without one the boundary
    names the map would show (the usual name columns found); and ``[that column]``. Otherwise
    (no labels, or name columns chosen explicitly: the user's choice wins) ``units`` and ``names``
    as given. The text is escaped by :mod:`maps`, like every name.

    Examples
    --------
    >>> import pandas as pd
    >>> from spatial import SpatialPanel, datasets
    >>> provinces = datasets.load("china_provinces")
    >>> table = pd.DataFrame({"province": ["北京", "天津"], "gdp": [1.0, 2.0]})
    >>> panel = SpatialPanel(table, id="province", geometry=provinces, geometry_id="adcode",
    ...                      match_names=["short_zh"], restrict="intersection")
    >>> shown, names = display_units(panel.geometry, panel.unit_labels)
    >>> shown[names[0]].tolist()
    ['北京', '天津']
    """
    if units is None or labels is None or names is not None:
        return units, names
    from maps.shared import name_columns

    columns = name_columns(units)
    boundary = pd.Series([" · ".join(str(v) for v in row if pd.notna(v) and str(v)) for row in
                          units[columns].itertuples(index=False, name=None)] if columns else [""] * len(units),
                         index=units.index, dtype=object)
    own = labels.reindex(pd.Index(units.index).astype(str))
    text = pd.Series(own.to_numpy(dtype=object), index=units.index).where(own.notna().to_numpy(), boundary)
    column = _free(units, "label")
    return units.assign(**{column: text.to_numpy(dtype=object)}), [column]


def _free(frame: pd.DataFrame, name: str) -> str:
    """``name``, or ``name_2``, ``name_3``... the first that is not a column of ``frame``."""
    candidate, n = name, 1
    while candidate in frame.columns:
        n += 1
        candidate = f"{name}_{n}"
    return candidate
