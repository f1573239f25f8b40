"""Maps of per-unit effects: the direct effect at each unit and the spillovers it receives and emits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, get_args

import numpy as np
import pandas as pd

from maps._classify import Scheme, check_choice, classify
from maps._continuous import continuous_views
from maps._display import align_values, display_layer
from maps._i18n import Lang, word
from maps._leaflet import OfflineMap, build_map
from maps._choropleth import class_views, numeric_columns
from maps.errors import MapError

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["effects_map"]

_KNOWN = ("direct", "indirect", "received", "emitted", "total", "total_received", "total_emitted")


def effects_map(
    units: gpd.GeoDataFrame,
    effects: pd.DataFrame,
    *,
    variable: str,
    id: str | None = None,
    names: list[str] | None = None,
    scheme: Scheme | Literal["continuous"] = "continuous",
    k: int = 5,
    cmap: str | None = None,
    fmt: str | None = None,
    title: str | None = None,
    tiles: str | None = None,
    lang: Lang = "en",
    simplify: float | str | None = "auto",
    height: int | str = "100%",
) -> OfflineMap:
    """One map with a selector between per-unit effects of ``variable``.

    Parameters
    ----------
    effects
        Indexed by unit id; columns such as ``direct`` (the diagonal of S_k: the effect of a
        unit's own change on itself), ``received`` (row sums minus the diagonal: what a unit
        gains when every other unit changes) and ``emitted`` (column sums minus the diagonal:
        what a unit's change does to all others). Each column has its own scale; values
        spanning zero get a diverging palette centred on 0.
    scheme
        ``"continuous"`` by default: each unit coloured by its value on a ramp that reaches 0
        (from 0 to the largest value, or from -m to m when the values change sign; the rule is
        in :mod:`maps._continuous`), a labelled colourbar marking where the data lie and the
        range stated in the legend, so that a range of 1.204 to 1.248 shows as close shades of
        one hue, not as five classes that make trivial differences look large. A
        classification scheme (``"equal_interval"``, ``"quantiles"``...) when chosen; ``k`` is
        its class count.
    variable
        The regressor whose effects are shown (in the title).

    Raises
    ------
    MapError
        For an empty ``effects`` frame.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely import box
    >>> units = gpd.GeoDataFrame(geometry=[box(i, 0, i + 1, 1) for i in range(3)], crs=4326, index=["a", "b", "c"])
    >>> fx = pd.DataFrame({"direct": [1.1, 1.2, 1.0], "received": [0.3, 0.5, 0.2]}, index=["a", "b", "c"])
    >>> "Spillover received" in effects_map(units, fx, variable="log(pcap)").to_html()
    True
    """
    if not isinstance(effects, pd.DataFrame) or effects.shape[1] == 0:
        raise MapError("effects must be a DataFrame indexed by unit id with columns such as direct, received, emitted")
    layer = display_layer(units, id=id, names=names, simplify=simplify)
    frame = align_values(layer, effects, f"effects of {variable!r}")
    shown = {str(c): word(str(c), lang) if str(c) in _KNOWN else str(c) for c in frame.columns}
    frame = frame.rename(columns=shown)
    columns = numeric_columns(frame, f"effects of {variable}")
    check_choice("scheme", scheme, ("continuous", *get_args(Scheme)))

    def classes_for(column, numbers):
        finite = numbers[np.isfinite(numbers)]
        diverging = finite.size and finite.min() < 0 < finite.max()
        return classify(numbers, scheme=scheme, k=k, cmap=cmap or ("RdBu_r" if diverging else "PuBuGn"))

    if scheme == "continuous":
        views = continuous_views(columns, cmap=cmap, lang=lang, fmt=fmt)
    else:
        views = class_views(columns, classes_for, lang=lang, fmt=fmt, pooled_note=None)
    return build_map(layer, views, title=title or f"{variable}", value_label=variable, selector=word("view", lang),
                     lang=lang, initial=0, tiles=tiles, height=height)
