"""The one validated input object: a panel of units x periods, keyed by id, aligned to boundaries.

:class:`SpatialPanel` takes the user's frames, checks them once (columns, ids, periods,
duplicates, numbers, missing values, balance, geometries, id sets) and aligns them by key.
Every later step (weights, statistics, models, maps) takes it and trusts it. Repairs are opt-in
and everything they remove is listed in :attr:`SpatialPanel.dropped`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from spatial.choices import Balance, Missing, Restrict
from spatial._options import check_option
from spatial.errors import (
    DroppedDataWarning,
    IdMismatchError,
    MissingDataError,
    SchemaError,
    UnbalancedPanelError,
    first_items,
)
from spatial.geometry import BadGeometryOption, DuplicateOption, RepairOption, check_geometries
from spatial.io import MISSING_TOKENS, ids_as_strings, require_columns
from spatial.names import normalize_ids, resolve_keys, suggest_normalization
from spatial.hints import hint
from spatial.periods import parse_periods

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["SpatialPanel", "BalanceOption", "MissingOption", "RestrictOption", "with_unit_labels"]

BalanceOption = Balance
MissingOption = Missing
RestrictOption = Restrict

_DROPPED_COLUMNS = ["id", "period", "what", "reason"]


def _rows(positions: Sequence[int] | np.ndarray, limit: int = 5) -> str:
    return first_items([int(p) + 1 for p in positions], limit)


class SpatialPanel:
    """A validated panel of units x periods, optionally aligned to boundary polygons.

    Parameters
    ----------
    data
        Long table: one row per unit and period (a cross-section needs no ``time``).
    id
        Unit key column. Ids are text and compared exactly; integers become their digits.
    time
        Period column (years or other labels); ``None`` for a single cross-section.
    variables
        Numeric variables. By default every column except the keys whose cells parse as
        numbers, and columns with no number at all are kept as text labels (:attr:`labels`).
        When given, every other column is kept as a label (nothing is dropped).
    geometry
        Boundary layer (GeoDataFrame) to align to; its ``geometry_id`` column is matched to
        ``id``, and the units take its row order.
    geometry_id
        Key column of ``geometry`` (defaults to ``id``).
    match_names
        Columns of ``geometry`` that also name the units (e.g. ``name_zh``, ``short_zh``,
        ``name_en``). Panel keys are then resolved to ``geometry_id`` by code or name, and the
        mapping kept in :attr:`id_map`.
    match_parent
        Column of ``data`` naming each row's parent unit (province or prefecture, e.g. 北京市 /
        长春市), used with ``match_names`` to resolve names repeated across parents (朝阳区). A
        parent can also be written before the name in the key itself ("北京市朝阳区").
    id_normalize
        Explicit id normalisation for both sides, e.g. ``"strip,zfill5"``.
    balance
        ``"drop_units"`` removes units with missing periods (listed in :attr:`dropped`);
        ``"error"`` refuses an unbalanced panel. Cells are never padded.
    missing
        ``"drop_units"`` removes every unit with a missing value in a variable (the whole unit:
        listwise deletion would break the weights); ``"error"`` refuses.
    restrict
        ``"intersection"`` keeps the units present in both the panel and the boundaries;
        ``"error"`` refuses any difference.
    coerce_numeric
        Remove thousands separators (``"1,234"``) before parsing numbers.
    repair, bad_geometry, duplicate_geometry
        Opt-in geometry repairs, see :func:`spatial.geometry.check_geometries`.

    Raises
    ------
    SchemaError
        Missing columns (with close matches), duplicate (id, period) rows, non-numeric or
        infinite cells (per column, with rows), boolean columns.
    MissingDataError
        Missing ids, periods or values (counts per variable and period).
    UnbalancedPanelError
        Missing unit x period cells (the units and their missing periods).
    IdMismatchError
        Ids only on one side (both differences), duplicates in the boundaries, unknown names.
    GeometryError
        Missing, empty, non-polygonal or invalid geometries.

    Examples
    --------
    >>> from spatial import SpatialPanel, datasets
    >>> panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year",
    ...                      geometry=datasets.load("us48_states"))
    >>> panel.n_units, panel.n_periods, panel.nobs
    (48, 17, 816)
    >>> panel.entities[:3].tolist()
    ['53', '30', '23']
    >>> float(panel.wide("gsp").loc["01", 1970])
    28418.0
    """

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        id: str,
        time: str | None = None,
        variables: Sequence[str] | None = None,
        geometry: gpd.GeoDataFrame | None = None,
        geometry_id: str | None = None,
        match_names: Sequence[str] | None = None,
        match_parent: str | None = None,
        id_normalize: str | None = None,
        balance: BalanceOption = "error",
        missing: MissingOption = "error",
        restrict: RestrictOption = "error",
        coerce_numeric: bool = False,
        repair: RepairOption = "none",
        bad_geometry: BadGeometryOption = "error",
        duplicate_geometry: DuplicateOption = "error",
    ) -> None:
        check_option("balance", balance, BalanceOption)
        check_option("missing", missing, MissingOption)
        check_option("restrict", restrict, RestrictOption)
        if not isinstance(data, pd.DataFrame):
            raise SchemaError(f"data must be a pandas DataFrame, got {type(data).__name__}")
        geometry_id = geometry_id or id
        self._dropped: list[dict] = []
        self._options = {
            "balance": balance, "missing": missing, "restrict": restrict,
            "coerce_numeric": coerce_numeric, "id_normalize": id_normalize,
            "match_names": list(match_names) if match_names else None, "match_parent": match_parent,
            "repair": repair, "bad_geometry": bad_geometry, "duplicate_geometry": duplicate_geometry,
        }
        if variables is not None and not isinstance(variables, str) and len(list(variables)) == 0:
            raise SchemaError("variables is an empty list; name the numeric variables to keep, or leave it out "
                              "to keep every numeric column")
        keys = [id] if time is None else [id, time]
        if match_parent is not None:
            if not match_names:
                raise SchemaError("match_parent needs match_names: name the columns of the boundaries to match")
            keys.append(match_parent)
        require_columns(data, keys + list(variables or []), "the panel table")
        frame = data.reset_index(drop=True)  # row positions = the user's data rows (1-based in messages)
        ids = self._check_ids(frame[id], id)
        periods = parse_periods(frame[time], time) if time is not None else pd.Series(0, index=frame.index)

        geo = None
        if geometry is not None:
            geo = self._prepare_geometry(geometry, geometry_id, id_normalize)
        if id_normalize:
            ids = normalize_ids(ids, id_normalize)
        self._id_map = None
        if match_names:
            if geo is None:
                raise SchemaError("match_names needs a geometry to match against")
            if match_parent is None:
                self._id_map = resolve_keys(ids, geo, geometry_id, match_names)
                ids = ids.map(dict(zip(self._id_map["key"], self._id_map["id"], strict=True)))
            else:
                parents = frame[match_parent].astype("string").fillna("").astype(str)
                self._id_map = resolve_keys(ids, geo, geometry_id, match_names, parents=parents)
                lookup = dict(zip(zip(self._id_map["parent"], self._id_map["key"]), self._id_map["id"], strict=True))
                ids = pd.Series([lookup[pair] for pair in zip(parents, ids.astype(str))], index=ids.index,
                                name=ids.name)

        self._check_duplicates(ids, periods, id, time)
        values, labels = self._numeric_columns(frame, keys, variables, coerce_numeric)
        values.index = pd.MultiIndex.from_arrays([ids, periods], names=[id, time or "period"])
        labels.index = values.index

        if geo is not None:
            geo, records = check_geometries(
                geo, geometry_id, repair=repair, bad_geometry=bad_geometry, duplicates=duplicate_geometry
            )
            self._record(records)
            values, geo = self._match_ids(values, geo, geometry_id, restrict)
        values = self._handle_missing(values, missing, time)
        values = self._handle_balance(values, balance, time)
        order = self._unit_order(values, geo, geometry_id)
        if geo is not None:
            gone = [u for u in geo[geometry_id] if u not in set(order)]
            self._record([{"id": u, "what": "dropped", "reason": "boundary removed with its panel unit"} for u in gone])
            geo = geo.set_index(geometry_id).loc[order]
            geo.index.name = id
        period_order = sorted(values.index.get_level_values(1).unique())
        full = pd.MultiIndex.from_product([order, period_order], names=values.index.names)
        self._data = values.reindex(full)
        self._labels = labels.loc[labels.index.isin(full)].reindex(full)
        self._geometry = geo
        self._entities = pd.Index(order, name=id)
        self._periods = pd.Index(period_order, name=time or "period")
        self.id_name, self.time_name = id, time
        if self._dropped:
            warnings.warn(
                f"{len(self._dropped)} repairs removed or changed data; see panel.dropped",
                DroppedDataWarning,
                stacklevel=2,
            )

    # ------------------------------------------------------------------ validation steps

    def _record(self, records: list[dict]) -> None:
        for record in records:
            self._dropped.append({"period": None, **record})

    @staticmethod
    def _check_ids(values: pd.Series, column: str) -> pd.Series:
        ids = ids_as_strings(values, column)
        blank = ids.isna() | (ids.map(lambda v: isinstance(v, str) and v.strip() == ""))
        if blank.any():
            raise MissingDataError(
                f"{int(blank.sum())} rows have no unit id in {column!r} (rows {_rows(np.flatnonzero(blank))}, "
                "counted from 1 after the header); every row needs an id"
            )
        return ids

    @staticmethod
    def _check_duplicates(ids: pd.Series, periods: pd.Series, id: str, time: str | None) -> None:
        keys = pd.DataFrame({"id": ids, "period": periods})
        repeated = keys[keys.duplicated(keep=False)]
        if repeated.empty:
            return
        counts = repeated.value_counts(sort=False)
        listed = [f"({i}, {p}) x{n}" if time else f"{i} x{n}" for (i, p), n in counts.items()]
        what = f"({id}, {time})" if time else id
        raise SchemaError(
            f"{len(counts)} {what} keys appear on several rows: {first_items(listed)}; "
            "each unit and period must appear once (rows are never aggregated silently)"
        )

    @staticmethod
    def _numeric_columns(
        frame: pd.DataFrame, keys: list[str], variables: Sequence[str] | None, coerce: bool
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        candidates = list(variables) if variables else [c for c in frame.columns if c not in keys]
        numeric, labels, problems = {}, {}, []
        if variables:  # columns not chosen as variables stay as labels: nothing is dropped
            labels = {c: frame[c] for c in frame.columns if c not in keys and c not in candidates}
        for column in candidates:
            parsed, bad = _parse_numbers(frame[column], coerce)
            if variables is None and parsed.notna().sum() == 0 and len(bad) > 0 and not bad[0][2]:
                labels[column] = frame[column]
                continue
            if bad:
                shown = "; ".join(f"row {r + 1} {v!r}" for r, v, _ in bad[:5])
                more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
                problems.append(f"{column!r}: {shown}{more}")
            numeric[column] = parsed
        if problems:
            raise SchemaError(
                "cells that are not finite numbers (rows counted from 1 after the header): "
                + " | ".join(problems)
                + f". Fix them; numbers written with thousands separators are read with {hint('coerce_numeric', True)}"
                f"; text columns can be left out with {hint('variables')}"
            )
        if not numeric:
            raise SchemaError("the panel table has no numeric variable besides its keys")
        return pd.DataFrame(numeric), pd.DataFrame(labels, index=frame.index)

    @staticmethod
    def _prepare_geometry(geometry, geometry_id: str, id_normalize: str | None):
        require_columns(geometry, [geometry_id], "the boundary layer")
        geo = geometry.reset_index(drop=True).copy()
        geo[geometry_id] = ids_as_strings(geo[geometry_id], geometry_id)
        if id_normalize:
            geo[geometry_id] = normalize_ids(geo[geometry_id], id_normalize)
        return geo

    def _match_ids(self, values: pd.DataFrame, geo, geometry_id: str, restrict: str):
        panel_ids = set(values.index.get_level_values(0))
        geo_ids = set(geo[geometry_id])
        only_panel = sorted(panel_ids - geo_ids)
        only_geo = sorted(geo_ids - panel_ids)
        if not only_panel and not only_geo:
            return values, geo
        if restrict == "error" or not (panel_ids & geo_ids):
            normalization = suggest_normalization(panel_ids, geo_ids)
            fix = (
                f"the ids match after normalisation: pass {hint('id_normalize', normalization)}"
                if normalization
                else f"correct the ids, match names with {hint('match_names')}, or keep the common "
                f"units with {hint('restrict', 'intersection')}"
            )
            raise IdMismatchError(
                f"panel and boundary ids differ: {len(only_panel)} only in the panel ({first_items(only_panel)}), "
                f"{len(only_geo)} only in the boundaries ({first_items(only_geo)}); {fix}"
            )
        self._record([{"id": u, "what": "dropped", "reason": "unit not in the boundaries"} for u in only_panel])
        self._record([{"id": u, "what": "dropped", "reason": "boundary not in the panel"} for u in only_geo])
        return values.loc[values.index.get_level_values(0).isin(geo_ids)], geo[~geo[geometry_id].isin(only_geo)]

    def _handle_missing(self, values: pd.DataFrame, missing: str, time: str | None) -> pd.DataFrame:
        gaps = values.isna()
        if not gaps.any().any():
            return values
        per_variable = gaps.sum()
        per_variable = per_variable[per_variable > 0]
        units = sorted(set(values.index[gaps.any(axis=1)].get_level_values(0)))
        if missing == "error":
            per_period = gaps.any(axis=1).groupby(level=1).sum()
            per_period = per_period[per_period > 0]
            by_var = ", ".join(f"{k}: {v}" for k, v in per_variable.items())
            by_period = ", ".join(f"{k}: {v}" for k, v in list(per_period.items())[:10])
            raise MissingDataError(
                f"missing values ({by_var})"
                + (f"; rows with gaps per period ({by_period})" if time else "")
                + f"; units affected: {first_items(units)}. Spatial models cannot drop single rows; "
                f"fill the gaps, or drop whole units with {hint('missing', 'drop_units')}"
            )
        for unit in units:
            cols = sorted(values.columns[gaps.loc[unit].any()].tolist())
            self._record([{"id": unit, "what": "dropped", "reason": f"missing values in {', '.join(cols)}"}])
        return values.loc[~values.index.get_level_values(0).isin(units)]

    def _handle_balance(self, values: pd.DataFrame, balance: str, time: str | None) -> pd.DataFrame:
        if time is None:
            return values
        ids = values.index.get_level_values(0)
        periods = sorted(values.index.get_level_values(1).unique())
        counts = pd.Series(ids).value_counts()
        short = counts[counts < len(periods)]
        if short.empty:
            return values
        present = values.index.to_frame(index=False).groupby(values.index.names[0])[values.index.names[1]].agg(set)
        described = [
            f"{u} lacks {first_items(sorted(set(periods) - present[u]), 3)}" for u in sorted(short.index)
        ]
        if balance == "error":
            raise UnbalancedPanelError(
                f"unbalanced panel: {len(short)} of {len(counts)} units miss some of the {len(periods)} periods "
                f"({first_items(described, 5)}); cells are never padded: complete the data, or drop those units "
                f"with {hint('balance', 'drop_units')}"
            )
        for unit in sorted(short.index):
            gone = sorted(set(periods) - present[unit])
            self._record([{"id": unit, "what": "dropped", "reason": f"unbalanced: no data for {first_items(gone, 5)}"}])
        return values.loc[~ids.isin(short.index)]

    @staticmethod
    def _unit_order(values: pd.DataFrame, geo, geometry_id: str) -> list[str]:
        present = set(values.index.get_level_values(0))
        if geo is not None:
            return [u for u in geo[geometry_id] if u in present]
        return sorted(present)

    # ------------------------------------------------------------------ public interface

    @property
    def data(self) -> pd.DataFrame:
        """The variables (float), indexed by (id, period) in unit order then period order."""
        return self._data

    @property
    def labels(self) -> pd.DataFrame:
        """Text columns of the panel table (names, groups), same index as :attr:`data`."""
        return self._labels

    @property
    def geometry(self) -> gpd.GeoDataFrame | None:
        """The boundaries indexed by id in unit order, or ``None``."""
        return self._geometry

    @property
    def entities(self) -> pd.Index:
        """Unit ids (text) in the order every matrix and vector follows."""
        return self._entities

    @property
    def periods(self) -> pd.Index:
        """Periods in ascending order."""
        return self._periods

    @property
    def variables(self) -> list[str]:
        """Names of the numeric variables."""
        return list(self._data.columns)

    @property
    def n_units(self) -> int:
        return len(self._entities)

    @property
    def n_periods(self) -> int:
        return len(self._periods)

    @property
    def nobs(self) -> int:
        return len(self._data)

    @property
    def dropped(self) -> pd.DataFrame:
        """Everything an opt-in repair removed or changed: id, period, what, reason."""
        return pd.DataFrame(self._dropped, columns=_DROPPED_COLUMNS)

    @property
    def id_map(self) -> pd.DataFrame | None:
        """How the panel's keys were matched to boundary ids by name, if ``match_names`` was used."""
        return self._id_map

    @property
    def unit_labels(self) -> pd.Series | None:
        """The user's own name of each unit (北京市) by id (110000), when the table's keys were matched to
        the boundaries by name (``match_names``); None when the table is keyed by the ids themselves.

        Outputs keyed by id carry it as a ``label`` column (:func:`with_unit_labels`)."""
        if self._id_map is None:
            return None
        first = self._id_map.drop_duplicates("id")
        labels = pd.Series(first["key"].astype(str).to_numpy(), index=first["id"].astype(str), name="label")
        return labels.reindex(pd.Index(self._entities).astype(str))

    @property
    def options(self) -> dict:
        """The validation options chosen (recorded in run.json and reports)."""
        return dict(self._options)

    def wide(self, variable: str) -> pd.DataFrame:
        """One variable as a units x periods table (rows in unit order).

        Examples
        --------
        >>> from spatial import SpatialPanel, datasets
        >>> panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year")
        >>> panel.wide("unemp").shape
        (48, 17)
        """
        require_columns(self._data, [variable], "the panel")
        return self._data[variable].unstack(level=1).reindex(self._entities)

    def cross_section(self, period) -> pd.DataFrame:
        """The variables of one period, indexed by id in unit order.

        Raises
        ------
        SchemaError
            For a period that is not in the panel.
        """
        if period not in set(self._periods):
            raise SchemaError(f"period {period!r} is not in the panel; periods: {first_items(self._periods.tolist())}")
        return self._data.xs(period, level=1).reindex(self._entities)

    def align(self, ids: Sequence[str], *, what: str = "the weights") -> SpatialPanel:
        """Check that ``ids`` are exactly this panel's units and return the panel in that order.

        This is the invariant checked before any matrix product: data and weights share their
        ids, and their order is the same.

        Raises
        ------
        IdMismatchError
            Listing the ids only in the panel and only in ``what``.
        """
        ids = [str(i) for i in ids]
        if len(set(ids)) != len(ids):
            repeated = pd.Index(ids)[pd.Index(ids).duplicated()].tolist()
            raise IdMismatchError(f"{what} repeat ids: {first_items(repeated)}")
        entities = self._entities.tolist()
        mine, theirs = set(entities), set(ids)
        if mine != theirs:
            raise IdMismatchError(
                f"panel and {what} ids differ: {len(mine - theirs)} only in the panel "
                f"({first_items(sorted(mine - theirs))}), {len(theirs - mine)} only in {what} "
                f"({first_items(sorted(theirs - mine))}); build {what} from the panel's units"
            )
        if entities == ids:
            return self
        return self._with_units(pd.Index(ids, name=self.id_name))

    def _with_units(self, order: pd.Index, **changes) -> SpatialPanel:
        """A copy whose units are ``order`` (data, labels and geometry reindexed to it)."""
        full = pd.MultiIndex.from_product([order, self._periods], names=self._data.index.names)
        return self._replaced(
            _entities=order,
            _data=self._data.reindex(full),
            _labels=self._labels.reindex(full),
            _geometry=None if self._geometry is None else self._geometry.loc[order],
            **changes,
        )

    def restrict_units(self, keep: Sequence[str], *, reason: str, also: Sequence[dict] = ()) -> SpatialPanel:
        """A copy with only the units in ``keep`` (in this panel's order); the others are recorded.

        Every removed unit appears in :attr:`dropped` with ``reason``; ``also`` adds records of
        things removed elsewhere (e.g. weights-file units not in the panel). A
        :class:`DroppedDataWarning` says how many records were added.
        """
        wanted = {str(k) for k in keep}
        order = pd.Index([u for u in self._entities if u in wanted], name=self._entities.name)
        gone = [u for u in self._entities if u not in wanted]
        records = [{"id": u, "period": None, "what": "dropped", "reason": reason} for u in gone]
        records += [{"period": None, **record} for record in also]
        if not records:
            return self
        clone = self._with_units(order, _dropped=[*self._dropped, *records])
        warnings.warn(f"{len(records)} repairs removed or changed data; see panel.dropped", DroppedDataWarning,
                      stacklevel=2)
        return clone

    def _replaced(self, **attributes) -> SpatialPanel:
        """A copy sharing everything validated, with some attributes replaced (no re-validation)."""
        clone = object.__new__(SpatialPanel)
        clone.__dict__.update(self.__dict__, **attributes)
        return clone

    def with_variables(self, values: pd.DataFrame) -> SpatialPanel:
        """A new panel with extra numeric variables (e.g. a composite index), matched by (id, period).

        ``values`` is indexed like :attr:`data` (by id, or by (id, period)); its rows may come in any
        order. The panel itself is not changed.

        Raises
        ------
        SchemaError
            Names already in the panel, index keys that are not the panel's, non-finite values.
        MissingDataError
            Unit x period cells of the panel that ``values`` does not cover.

        Examples
        --------
        >>> from spatial import SpatialPanel, datasets
        >>> panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year", variables=["gsp"])
        >>> extra = (panel.data["gsp"] / 1000).rename("gsp_bn").to_frame()
        >>> panel.with_variables(extra.iloc[::-1]).variables
        ['gsp', 'gsp_bn']
        """
        clash = [c for c in values.columns if c in self._data.columns or c in self._labels.columns]
        if clash:
            raise SchemaError(f"the panel already has variables named {first_items(clash)}; choose other names")
        if self.time_name is None and values.index.nlevels == 1:
            values = values.set_axis(pd.MultiIndex.from_arrays(
                [values.index.astype(str), np.zeros(len(values), dtype="int64")], names=self._data.index.names))
        values = values.set_axis(values.index.set_names(self._data.index.names))
        extra = set(values.index) - set(self._data.index)
        if extra:
            listed = first_items(sorted(extra, key=str))
            raise SchemaError(f"{len(extra)} rows of the new variables are not panel cells: {listed}")
        if values.index.duplicated().any():
            repeated = values.index[values.index.duplicated()].tolist()
            raise SchemaError(f"repeated keys in the new variables: {first_items(repeated)}")
        aligned = values.reindex(self._data.index).astype("float64")
        if aligned.isna().any().any():
            gaps = aligned.index[aligned.isna().any(axis=1)].tolist()
            raise MissingDataError(f"the new variables miss {len(gaps)} panel cells: {first_items(gaps)}")
        if not np.isfinite(aligned.to_numpy()).all():
            raise SchemaError("the new variables hold infinite values")
        return self._replaced(_data=pd.concat([self._data, aligned], axis=1))

    def describe(self) -> pd.DataFrame:
        """Count, mean, standard deviation, min and max of every variable."""
        return self._data.describe().T[["count", "mean", "std", "min", "max"]]

    def summary(self) -> str:
        """A plain-text summary: dimensions, periods, variables, alignment and repairs."""
        first, last = (self._periods[0], self._periods[-1]) if self.n_periods else ("", "")
        periods = "period" if self.n_periods == 1 else "periods"
        lines = [
            f"SpatialPanel: {self.n_units} units x {self.n_periods} {periods} = {self.nobs} observations (balanced)",
            f"  unit id: {self.id_name}   period: {self.time_name or '(cross-section)'}"
            + (f" {first}..{last}" if self.time_name else ""),
            f"  boundaries: {'aligned by id, CRS ' + self._crs_name() if self._geometry is not None else 'none'}",
        ]
        if self._id_map is not None:
            by = self._id_map["matched_by"].value_counts()
            lines.append("  names matched: " + ", ".join(f"{k} {v}" for k, v in by.items()))
        if not self._labels.empty:
            lines.append(f"  text columns: {', '.join(self._labels.columns)}")
        lines.append(f"  repairs: {len(self._dropped)}" + (" (see dropped)" if self._dropped else " (none)"))
        stats = self.describe()
        width = max(len(v) for v in stats.index)
        lines.append(f"  {'variable':<{width}}  {'mean':>12} {'std':>12} {'min':>12} {'max':>12}")
        for name, row in stats.iterrows():
            lines.append(
                f"  {name:<{width}}  {row['mean']:>12.6g} {row['std']:>12.6g} {row['min']:>12.6g} {row['max']:>12.6g}"
            )
        return "\n".join(lines)

    def _crs_name(self) -> str:
        crs = self._geometry.crs
        if crs is None:
            return "none"
        epsg = crs.to_epsg()
        return f"EPSG:{epsg}" if epsg else crs.name

    def to_dict(self) -> dict:
        """Machine-readable description (for run.json)."""
        return {
            "n_units": self.n_units,
            "n_periods": self.n_periods,
            "nobs": self.nobs,
            "id": self.id_name,
            "time": self.time_name,
            "periods": [p.item() if hasattr(p, "item") else p for p in self._periods],
            "variables": self.variables,
            "labels": list(self._labels.columns),
            "crs": self._crs_name() if self._geometry is not None else None,
            "options": self.options,
            "dropped": self._dropped,
        }

    def __repr__(self) -> str:
        return (
            f"SpatialPanel(n_units={self.n_units}, n_periods={self.n_periods}, "
            f"variables={self.variables}, dropped={len(self._dropped)})"
        )


def reads_as_numbers(column: pd.Series, *, coerce_numeric: bool = False) -> bool:
    """Whether every cell of ``column`` is a number (or missing) as the panel reads it, with
    ``coerce_numeric`` numbers written with thousands separators too.

    Examples
    --------
    >>> reads_as_numbers(pd.Series(["1,234", "5"])), reads_as_numbers(pd.Series(["1,234", "5"]), coerce_numeric=True)
    (False, True)
    """
    return not _parse_numbers(column.reset_index(drop=True), coerce_numeric)[1]


def _parse_numbers(column: pd.Series, coerce: bool) -> tuple[pd.Series, list[tuple[int, object, bool]]]:
    """Parse a column as floats; return the numbers and the bad cells (row, value, is_numberlike)."""
    if pd.api.types.is_bool_dtype(column):
        return pd.Series(np.nan, index=column.index), [(int(i), v, True) for i, v in column.items()]
    if pd.api.types.is_numeric_dtype(column):
        parsed = column.astype("float64")
        infinite = np.isinf(parsed.to_numpy())
        return parsed, [(int(i), column.iloc[i], True) for i in np.flatnonzero(infinite)]
    fast = _parse_text_column(column, coerce)
    if fast is not None:
        return pd.Series(fast, index=column.index, dtype="float64"), []

    def cell(value):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return np.nan, None
        if isinstance(value, bool):
            return np.nan, "bool"
        if isinstance(value, (int, float, np.integer, np.floating)):
            number = float(value)
            return (number, None) if math.isfinite(number) else (np.nan, "inf")
        text = str(value).strip()
        if text.casefold() in MISSING_TOKENS:
            return np.nan, None
        if text.casefold() in {"true", "false"}:
            return np.nan, "bool"
        if coerce:
            text = text.replace(",", "").replace("\u00a0", "").replace(" ", "").replace("'", "")
        try:
            number = float(text)
        except ValueError:
            return np.nan, "text"
        return (number, None) if math.isfinite(number) else (np.nan, "inf")

    parsed, bad = [], []
    for position, value in enumerate(column.tolist()):
        number, problem = cell(value)
        parsed.append(number)
        if problem is not None:
            bad.append((position, value, problem != "text"))
    return pd.Series(parsed, index=column.index, dtype="float64"), bad


def _parse_text_column(column: pd.Series, coerce: bool) -> np.ndarray | None:
    """A text column parsed in one vectorised pass (Arrow compute), or None for the cell-by-cell path.

    Same rules as the cell path: strip, missing tokens, optional separator removal. Arrow's
    number syntax is a subset of Python's (no ``1_000``, no non-ASCII digits) with the same
    correctly rounded values; any cell it refuses, any boolean word and any infinity return None,
    so that the cell path parses or reports them by row.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if pd.api.types.infer_dtype(column, skipna=True) not in ("string", "empty"):
        return None  # mixed Python objects (e.g. from a spreadsheet): the cell path
    try:
        text = pc.utf8_trim_whitespace(pa.array(column.array, type=pa.string(), from_pandas=True))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    folded = pc.utf8_lower(text)
    if pc.any(pc.is_in(folded, value_set=pa.array(["true", "false"]))).as_py():
        return None
    missing = pc.fill_null(pc.is_in(folded, value_set=pa.array(sorted(MISSING_TOKENS))), True)
    if coerce:
        for mark in (",", "\u00a0", " ", "'"):
            text = pc.replace_substring(text, mark, "")
    try:
        numbers = pc.cast(pc.if_else(missing, pa.scalar(None, pa.string()), text), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    values = np.asarray(numbers.to_numpy(zero_copy_only=False), dtype="float64")
    if not np.isfinite(values[~np.asarray(missing.to_numpy(zero_copy_only=False), dtype=bool)]).all():
        return None
    return values


def with_unit_labels(frame: pd.DataFrame, panel: SpatialPanel | None, column: str | None = None) -> pd.DataFrame:
    """``frame`` with a ``label`` column (the user's unit names) right after its id column, when the
    panel's ids were matched by name; ``frame`` itself otherwise (or when it has no id column).

    The id column is ``column``, else ``id`` (the results of ESDA and the repairs), else the panel's
    own id column (the tables of the indices, keyed like the user's table).

    Examples
    --------
    >>> with_unit_labels(pd.DataFrame({"id": ["1"]}), None).columns.tolist()
    ['id']
    """
    labels = panel.unit_labels if panel is not None else None
    if labels is None or "label" in frame.columns:
        return frame
    column = column or next((c for c in ("id", panel.id_name) if c in frame.columns), None)
    if column is None or column not in frame.columns:
        return frame
    out = frame.copy()
    out.insert(out.columns.get_loc(column) + 1, "label", out[column].astype(str).map(labels).to_numpy())
    return out
