"""Load the inputs of an analysis (a table, and boundaries) as a command and a config run do.

:func:`load_inputs` is the Python form of ``spatial check`` and of ``[panel]`` / ``[boundaries]``
in a config: its keywords are the declared options (:data:`spatial.operations_core.CHECK`), turned
into the config entries by :func:`inputs_config` and read by :func:`spatial.pipeline.load_panel`,
the one reader every command and the pipeline's panel step use.

Examples
--------
>>> panel = load_inputs("us_produc", id="fips", time="year", variables=["gsp", "emp"],
...                     boundaries="us48_states")
>>> panel.n_units, panel.n_periods
(48, 17)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from spatial.choices import BadGeometry, Balance, DuplicateGeometry, Missing, RepairOption, Restrict

if TYPE_CHECKING:
    from spatial.config import Config
    from spatial.panel import SpatialPanel

__all__ = ["load_inputs", "inputs_config", "inputs_raw"]


def inputs_raw(table: str | Path, *, boundaries: str | Path | None = None, **options: Any) -> dict[str, dict]:
    """The ``[panel]`` (and ``[boundaries]``) entries of these inputs, before validation.

    ``table`` and ``boundaries`` are files or bundled dataset names; ``options`` are keywords of
    :func:`load_inputs` (None: not given), each put under its declared config key. Options of the
    boundaries are ignored without them.

    Raises
    ------
    TypeError
        For an option that ``spatial check`` does not declare.
    """
    from spatial.operations_core import CHECK
    from spatial.sources import source_spec

    raw: dict[str, dict[str, Any]] = {"panel": source_spec(table)}
    if boundaries is not None:
        raw["boundaries"] = source_spec(boundaries, kinds=("boundaries",))
    declared = {p.name: p for p in CHECK.params if p.keyword}
    unknown = sorted(set(options) - set(declared))
    if unknown:
        raise TypeError(f"inputs got unknown options {unknown}")
    for name, value in options.items():
        section, _, key = declared[name].key.rpartition(".")
        if value is None or section == "boundaries" and boundaries is None:
            continue
        raw[section or "panel"][key] = list(value) if isinstance(value, tuple) else value
    return raw


def inputs_config(table: str | Path, *, boundaries: str | Path | None = None, where: str = "command line",
                  **options: Any) -> Config:
    """:func:`inputs_raw`, validated as a config's sections are (``where`` names the surface in messages)."""
    from spatial.config import validate_config

    return validate_config(inputs_raw(table, boundaries=boundaries, **options), where=where)


def load_inputs(
    table: str | Path,
    *,
    id: str,
    time: str | None = None,
    variables: list[str] | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    sep: str = ",",
    boundaries: str | Path | None = None,
    boundary_id: str | None = None,
    layer: str | None = None,
    boundary_encoding: str | None = None,
    assume_crs: str | None = None,
    match_names: list[str] | bool | None = None,
    match_parent: str | None = None,
    id_normalize: str | None = None,
    keep: str | None = None,
    restrict: Restrict = "error",
    balance: Balance = "error",
    missing: Missing = "error",
    repair: RepairOption = "none",
    bad_geometry: BadGeometry = "error",
    duplicate_geometry: DuplicateGeometry = "error",
    coerce_numeric: bool = False,
) -> SpatialPanel:
    """Read a table (and boundaries), apply the study area and build the validated panel.

    The same reader as ``spatial check`` and a config's ``[panel]`` / ``[boundaries]``: every option
    means the same on every surface, and a message that suggests one names it as a keyword here.

    Parameters
    ----------
    table, boundaries
        Files, or names of bundled datasets (``"us_produc"``, ``"china_provinces"``).
    id, time, variables, sheet, encoding, sep
        The table: unit id and period columns, numeric variables to keep (default all), Excel
        sheet, text encoding and separator of a CSV.
    boundary_id, layer, boundary_encoding, assume_crs
        The boundaries: id column (default: the dataset's id or ``id``), layer, ``.dbf``
        encoding, CRS for a file without one.
    match_names, match_parent, id_normalize
        Join the table to the boundaries by unit names (columns of the boundaries; True: the
        bundled dataset's), with the parent column for repeated names; normalise ids on both sides.
    keep, restrict
        Study area (``"mainland"``, ``"region=East,Central"``, ``"@ids.txt"``); keep only the
        units common to the table and the boundaries (``"intersection"``). Removals are recorded.
    balance, missing, repair, bad_geometry, duplicate_geometry, coerce_numeric
        Repairs, each opt-in and listed in ``panel.dropped``.

    Returns
    -------
    SpatialPanel

    Raises
    ------
    SpatialPanelError
        Any problem of the inputs, with the rows or ids concerned and the keyword that changes it.
    """
    from spatial.pipeline import load_panel

    options = {k: v for k, v in locals().items() if k not in ("table", "boundaries", "load_panel")}
    return load_panel(inputs_config(table, boundaries=boundaries, where="load_inputs", **options))
