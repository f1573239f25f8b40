"""The display copy of a layer: what a web page may show, never the analysis data itself.

* fields are checked up front (:class:`FieldError` lists the available columns);
* geometry is simplified with topology kept (shared edges stay shared) in a metric projection,
  the tolerance recorded, then reprojected to EPSG:4326 for display only;
* datetimes become ISO text, Decimals floats, infinities missing (with a warning that counts
  them); extra geometry columns are dropped;
* every text value is escaped with :func:`maps._escape.safe_text` before it reaches folium.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from maps._escape import safe_text
from maps.errors import FieldError, MapInputError, MapWarning

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["DisplayLayer", "display_layer", "require_fields", "align_values", "plain_values", "name_columns"]

# Columns that name units in the bundled and common boundary files, tried in this order.
NAME_COLUMNS = ("name", "name_zh", "name_en", "state", "NAME", "Name", "NAME_1", "province", "city")
_SIMPLIFY_SHARE = 0.001  # auto tolerance: this share of the diagonal extent (about a pixel at first view)


@dataclass(frozen=True)
class DisplayLayer:
    """Units ready to draw: EPSG:4326 geometry, escaped names, and what was changed for display."""

    frame: Any  # GeoDataFrame: columns "_id" (original ids, text), "_name" (escaped), geometry
    ids: pd.Index
    tolerance_m: float | None
    not_drawn: tuple[str, ...]
    precision: int = 6  # decimal places of the displayed lon/lat
    metric: bool = False  # the units came in a projected CRS measured in metres

    @property
    def n(self) -> int:
        return len(self.frame)


def name_columns(units: pd.DataFrame, id: str | None = None) -> list[str]:
    """The columns that name the units in tooltips when none are given: the first two of the usual
    name columns present (other than the id column).

    Examples
    --------
    >>> name_columns(pd.DataFrame({"code": ["a"], "name_en": ["A"], "name_zh": ["甲"]}), id="code")
    ['name_zh', 'name_en']
    """
    return [c for c in NAME_COLUMNS if c in units.columns and c != id][:2]


def require_fields(frame: pd.DataFrame, fields: list[str], what: str = "the layer") -> None:
    """Raise :class:`FieldError` naming each missing field and listing the available columns.

    Examples
    --------
    >>> require_fields(pd.DataFrame({"gdp": [1]}), ["gpd"])
    Traceback (most recent call last):
    ...
    maps.errors.FieldError: field 'gpd' is not in the layer; available columns: 'gdp'
    """
    missing = [f for f in fields if f not in frame.columns]
    if missing:
        available = [str(c) for c in frame.columns if c != getattr(frame, "_geometry_column_name", None)]
        shown = ", ".join(repr(c) for c in available[:30]) + (" ..." if len(available) > 30 else "")
        names = ", ".join(repr(m) for m in missing)
        raise FieldError(f"field{'s' if len(missing) > 1 else ''} {names} {'are' if len(missing) > 1 else 'is'} "
                         f"not in {what}; available columns: {shown or '(none)'}")


def plain_values(values: pd.Series, what: str) -> np.ndarray:
    """Numbers for classification: Decimals to float, infinities to NaN (with a warning).

    Raises
    ------
    FieldError
        For a column that is neither numeric nor convertible (e.g. text, dates).
    """
    series = values
    if (pd.api.types.is_datetime64_any_dtype(series) or pd.api.types.is_timedelta64_dtype(series)
            or isinstance(series.dtype, pd.PeriodDtype)):
        raise FieldError(f"{what} holds dates or periods (dtype {values.dtype}), not numbers; map a numeric column")
    if series.dtype == object:
        series = series.map(lambda v: float(v) if isinstance(v, decimal.Decimal) else v)
    if pd.api.types.is_bool_dtype(series):
        series = series.astype(float)
    try:
        numbers = pd.to_numeric(series, errors="raise").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        raise FieldError(f"{what} is not numeric (dtype {values.dtype}); map a numeric column") from None
    infinite = np.isinf(numbers)
    if infinite.any():
        warnings.warn(f"{what}: {int(infinite.sum())} infinite values shown as no data", MapWarning, stacklevel=3)
        numbers = np.where(infinite, np.nan, numbers)
    return numbers


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(float(value))
    return str(value)


def _ids(frame: pd.DataFrame, id: str | None) -> pd.Index:
    if id is None:
        ids = pd.Index([str(i) for i in frame.index])
    else:
        require_fields(frame, [id])
        ids = pd.Index([_text(v) for v in frame[id].tolist()])
    duplicated = ids[ids.duplicated()].unique().tolist()
    if duplicated:
        shown = ", ".join(repr(d) for d in duplicated[:10])
        raise MapInputError(f"unit ids repeat ({len(duplicated)}: {shown}); each unit must be one row "
                            "(dissolve multi-part units first)")
    return ids


def _metric_crs(frame: gpd.GeoDataFrame) -> str:
    minx, miny, maxx, maxy = frame.to_crs(4326).total_bounds
    return f"+proj=laea +lat_0={(miny + maxy) / 2:.4f} +lon_0={(minx + maxx) / 2:.4f} +datum=WGS84 +units=m"


def _simplified(frame: gpd.GeoDataFrame, simplify: float | str | None) -> tuple[gpd.GeoDataFrame, float | None]:
    import shapely

    if simplify is None or simplify == 0:
        return frame, None
    metric = frame.to_crs(_metric_crs(frame)) if not frame.crs.is_projected else frame
    if simplify == "auto":
        minx, miny, maxx, maxy = metric.total_bounds
        tolerance = float(np.hypot(maxx - minx, maxy - miny) * _SIMPLIFY_SHARE)
    else:
        tolerance = float(simplify)
        if not np.isfinite(tolerance) or tolerance < 0:
            raise MapInputError(f"simplify={simplify!r} must be 'auto', None or a tolerance in metres >= 0")
    if tolerance == 0:
        return frame, None
    geoms = metric.geometry.to_numpy()
    try:
        simple = shapely.coverage_simplify(geoms, tolerance)
    except shapely.errors.GEOSException:  # not a coverage: simplify each unit, topology kept per unit
        simple = shapely.simplify(geoms, tolerance, preserve_topology=True)
    out = metric.set_geometry(pd.Series(simple, index=metric.index), crs=metric.crs)
    return out, tolerance


def display_layer(
    units: gpd.GeoDataFrame,
    *,
    id: str | None = None,
    names: list[str] | None = None,
    simplify: float | str | None = "auto",
    precision: int | None = None,
) -> DisplayLayer:
    """Build the display copy of ``units``.

    Parameters
    ----------
    id
        Column holding the unit ids; default the index.
    names
        Columns naming the units in tooltips (e.g. ``["name_zh", "name_en"]``); default the
        first of the usual name columns present, and the id.
    simplify
        ``"auto"`` (0.1 % of the layer's diagonal), a tolerance in metres, or ``None``.
    precision
        Decimal places of the displayed lon/lat; default a tenth of the tolerance (at least 3,
        about 100 m; 6 without simplification). Shared vertices round alike, so edges stay shared.

    Raises
    ------
    FieldError
        For an ``id`` or ``names`` column that does not exist.
    MapInputError
        For a layer without CRS or with repeated ids.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> units = gpd.GeoDataFrame({"code": ["a", "b"], "name": ["<b>A</b>", "B"]},
    ...                          geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=3857)
    >>> layer = display_layer(units, id="code", simplify=None)
    >>> layer.frame["_name"].tolist(), layer.frame.crs.to_epsg()
    (['&lt;b&gt;A&lt;/b&gt; (a)', 'B (b)'], 4326)
    """
    import geopandas as gpd
    import shapely

    if not isinstance(units, gpd.GeoDataFrame):
        raise MapInputError(f"units must be a GeoDataFrame (got {type(units).__name__})")
    if units.crs is None:
        raise MapInputError("the units have no CRS, so they cannot be placed on a web map; "
                            "set the one they are in, e.g. units.set_crs('EPSG:4326')")
    ids = _ids(units, id)
    if names is None:
        names = name_columns(units, id)
    require_fields(units, list(names))
    texts = [[_text(v) for v in units[column].tolist()] for column in names]
    label = []
    for position, unit_id in enumerate(ids):
        shown = " · ".join(t[position] for t in texts if t[position])
        label.append(f"{shown} ({unit_id})" if shown and shown != unit_id else unit_id)
    frame = gpd.GeoDataFrame(
        {"_id": list(ids), "_name": [safe_text(v) for v in label]},
        geometry=units.geometry.to_numpy(), crs=units.crs,
    )
    metric = bool(units.crs.is_projected) and any(
        str(getattr(axis, "unit_name", "")).lower() in ("metre", "meter") for axis in units.crs.axis_info)
    empty = frame.geometry.isna() | frame.geometry.is_empty
    not_drawn = tuple(frame.loc[empty, "_id"])
    if not_drawn:
        warnings.warn(f"{len(not_drawn)} units have no geometry and are not drawn: "
                      f"{', '.join(map(repr, not_drawn[:10]))}", MapWarning, stacklevel=2)
        frame = frame.loc[~empty]
    if len(frame):
        frame, tolerance = _simplified(frame, simplify)
        frame = frame.to_crs(4326)
        if precision is None:
            precision = 6 if not tolerance else int(np.clip(np.ceil(np.log10(111_000 * 10 / tolerance)), 3, 6))
        frame = frame.set_geometry(
            shapely.transform(frame.geometry.to_numpy(), lambda xy: np.round(xy, precision)), crs=4326
        )
    else:
        tolerance, precision = None, 6
    return DisplayLayer(frame.reset_index(drop=True), pd.Index(frame["_id"]), tolerance, not_drawn, int(precision),
                        metric)


def align_values(layer: DisplayLayer, values: pd.DataFrame | pd.Series, what: str) -> pd.DataFrame:
    """Values (a Series, or a wide frame with one column per period or view) in the layer's order.

    Rows are matched by id (as text), never by position; units without values show as no data.

    Raises
    ------
    MapInputError
        For values whose ids are not units of the layer (they could not be drawn).
    """
    frame = values.to_frame() if isinstance(values, pd.Series) else values
    frame = frame.copy()
    frame.index = pd.Index([_text(i) for i in frame.index])
    if frame.index.has_duplicates:
        dup = frame.index[frame.index.duplicated()].unique().tolist()
        raise MapInputError(f"{what}: ids repeat ({', '.join(map(repr, dup[:10]))}); give one row per unit")
    known = set(layer.ids) | set(layer.not_drawn)
    unknown = [i for i in frame.index if i not in known]
    if unknown:
        raise MapInputError(
            f"{what}: {len(unknown)} ids are not units of the map ({', '.join(map(repr, unknown[:10]))}); "
            "values are matched to the units by id, so check the id column of both"
        )
    return frame.reindex(layer.ids)
