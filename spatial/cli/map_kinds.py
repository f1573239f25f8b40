"""``spatial map --kind``: which map a file asks for, and the inputs of each kind read from the files
our commands write, so that every map the Python API draws is one command.

* lisa: the table of ``spatial lisa --out`` (``cluster``, with ``p_sim`` in the tooltip);
* hotspots: the table of ``spatial hotspots --out`` (``z``, ``p_sim_two_sided`` or ``p_norm``,
  ``category``);
* effects: per-unit effects, the ``unit_effects`` of ``spatial fit --json`` or a table with
  ``direct`` (and ``received``, ``emitted``...);
* links: a weights file (``.gal .gwt .mtx .mat .dta``, an edge-list ``.csv``) over ``--boundaries``,
  or the queen contiguity of a boundary file.

Result tables are joined to ``--boundaries`` as every table is (``spatial check``'s options), through a
row number, so text, missing p-values and islands pass through unchanged. When ``--kind`` is omitted
it is read from the file's columns; a file without them keeps the old behaviour (a numeric column is a
choropleth, a text column categories or LISA labels).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from spatial.errors import SchemaError

__all__ = ["detect_kind", "result_frames", "links_inputs", "WEIGHTS_SUFFIXES"]

WEIGHTS_SUFFIXES = (".gal", ".gwt", ".mtx", ".mat", ".dta")
_EDGE_HEADS = ("focal", "from", "origin", "source")

# the columns that mark a results table of our commands, and what a map of each kind needs
_MARKS = {"lisa": ("cluster", "quadrant"), "hotspots": ("category", "G"), "effects": ("direct",)}
_WRITER = {"lisa": "spatial lisa ... --out lisa.csv", "hotspots": "spatial hotspots ... --out hot.csv",
           "effects": "spatial fit ... --json fit.json"}
_SELECTOR = {"lisa": "cluster", "hotspots": "category", "effects": None}


def read_results(file: Path, loader: dict) -> pd.DataFrame:
    """The table of ``file``; for a ``spatial fit --json`` file its per-unit effects (one row per unit
    and regressor), short-run and long-run of a dynamic model told apart by the regressor's name."""
    from spatial.io import read_table

    if file.suffix.lower() != ".json":
        return read_table(file, sheet=loader.get("sheet"), encoding=loader.get("encoding"))
    try:
        data = json.loads(file.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SchemaError(f"{file.name} is not a JSON file of `spatial fit --json` ({exc})") from None
    if not isinstance(data, dict) or not data.get("unit_effects"):
        raise SchemaError(f"{file.name} holds no per-unit effects ('unit_effects'): write it with `spatial fit ... "
                          "--json FILE` (a model with a spatial lag: SAR, SDM, SAC; n <= 2000 units), or give a "
                          "table with columns id, variable, direct, received, emitted")
    rows = pd.DataFrame(data["unit_effects"])
    if data.get("long_run_unit_effects"):
        long_run = pd.DataFrame(data["long_run_unit_effects"])
        long_run["variable"] = "long-run " + long_run["variable"].astype(str)
        rows = pd.concat([rows.assign(variable="short-run " + rows["variable"].astype(str)), long_run])
    return rows.astype({"id": str})


def detect_kind(file: Path, column: str | None, boundaries: str | None, loader: dict) -> str | None:
    """The kind a file asks for; None: by the type of ``column`` (numeric: choropleth, text: categories
    or LISA labels), as before ``--kind`` existed."""
    suffix = file.suffix.lower()
    if suffix in WEIGHTS_SUFFIXES:
        return "links"
    if suffix == ".json":
        return "effects"
    if boundaries is None:  # a boundary file mapped as it is
        return None
    table = read_results(file, loader)
    columns = [str(c) for c in table.columns]
    if columns and columns[0].strip().lower() in _EDGE_HEADS and suffix == ".csv":
        return "links"
    variables = set(table["variable"].astype(str)) if "variable" in table.columns else set()
    for kind, marks in _MARKS.items():
        if set(marks) <= set(columns) and (column is None or column == _SELECTOR[kind] or column in variables):
            return kind
    return None


def _variable(table: pd.DataFrame, column: str | None, kind: str, name: str) -> tuple[pd.DataFrame, str | None]:
    """The rows of one variable (``--column``) of a long results table."""
    if "variable" not in table.columns:
        return table, column if column not in (None, _SELECTOR[kind]) else None
    values = list(dict.fromkeys(table["variable"].astype(str)))
    if column in (None, _SELECTOR[kind]):
        if len(values) > 1:
            raise SchemaError(f"{name} holds the {kind} of {len(values)} variables ({', '.join(values[:10])}): "
                              f"choose one with --column, e.g. --column {values[0]}")
        column = values[0]
    if column not in values:
        raise SchemaError(f"--column {column!r} is not a variable of {name}; its variables: {', '.join(values[:20])}")
    return table.loc[table["variable"].astype(str) == column], column


def _require(table: pd.DataFrame, columns: list[str], kind: str, name: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        found = ", ".join(map(str, list(table.columns)[:20]))
        raise SchemaError(f"{name} has no column {', '.join(map(repr, missing))}, which a {kind} map needs; its "
                          f"columns: {found}. Write the table with `{_WRITER[kind]}` (its columns as written), or "
                          "choose the kind of map with --kind")


def _first(table: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in table.columns), None)


def result_frames(file: Path, kind: str, column: str | None, id_column: str | None, time_column: str | None,
                  boundaries: str | None, loader: dict, names: list[str] | None = None,
                  ) -> tuple[Any, dict[str, pd.DataFrame], str | None, list[str] | None]:
    """(units, wide frames by column, the variable shown, the ``names`` of the tooltips) of a LISA,
    hot-spot or effects table.

    Each frame is indexed by unit id with one column per period (a single column for effects). The
    tooltips name the units by the table's ``label`` column (the user's unit names our commands write
    beside the ids), or as the joined table names them, unless ``names`` chooses boundary columns."""
    name = file.name
    if boundaries is None:
        raise SchemaError(f"--kind {kind} maps a table of results by unit id: give --boundaries (a boundary file "
                          "or a bundled name such as us48_states) and --boundary-id, as for the command that "
                          "wrote it")
    table = read_results(file, loader)
    table, variable = _variable(table, column, kind, name)
    if kind == "lisa":
        needed = ["cluster"]
        extra = [c for c in (_first(table, ("p_sim", "p_norm")),) if c]
    elif kind == "hotspots":
        if {"I", "cluster"} <= set(table.columns):
            raise SchemaError(f"{name} is a LISA table (local Moran's I, its z is not a Gi* z-score): map it with "
                              "--kind lisa, or compute hot spots with `spatial hotspots ... --out hot.csv`")
        needed = ["z"]
        p = _first(table, ("p_sim_two_sided", "p_norm", "p_sim", "p"))
        if p is None:
            _require(table, ["p_sim_two_sided"], kind, name)
        extra = [p] + (["category"] if "category" in table.columns else [])
    else:
        needed = ["direct"]
        extra = [c for c in ("received", "emitted", "total_received", "total_emitted", "indirect", "total")
                 if c in table.columns]
    _require(table, needed, kind, name)
    id_column = id_column or ("id" if "id" in table.columns else None)
    if id_column is None:
        raise SchemaError(f"{name} has no 'id' column: give the unit id column with --id")
    if time_column is None and "period" in table.columns and kind != "effects":
        time_column = "period"
    units, rows, labels = _joined(table, id_column, time_column, boundaries, loader)
    if "label" in table.columns and id_column != "label":
        named = table.dropna(subset=["label"])
        labels = named.groupby(named[id_column].astype(str))["label"].first().astype(str)
    from spatial.unit_label import display_units

    units, names = display_units(units, labels, names)
    frames = {}
    for col in needed + extra:
        source = table[col].reset_index(drop=True)
        frames[col] = rows.apply(lambda c, s=source: c.map(lambda r: s.iloc[int(r)] if r == r else None))
    return units, frames, variable, names


def _joined(table: pd.DataFrame, id_column: str, time_column: str | None, boundaries: str, loader: dict):
    """The units (with those outside the study area), per unit and period the table's row number, and the
    table's own unit names (matched by name; else None)."""
    import tempfile

    from spatial.cli.inputs import panel_config, split_list
    from spatial.config import validate_config
    from spatial.pipeline import load_panel, with_context

    numbered = table.reset_index(drop=True).assign(_row=range(len(table)))
    with tempfile.TemporaryDirectory() as folder:
        coded = Path(folder) / "rows.csv"
        numbered.to_csv(coded, index=False, encoding="utf-8")
        options = {**loader, "match_names": split_list(loader["match_names"]), "sheet": None, "encoding": "utf-8"}
        raw = panel_config(coded, id_column, boundaries=boundaries, time=time_column, variables=["_row"], **options)
        config = validate_config(raw, where="command line")
        panel = load_panel(config)
    return with_context(config, panel), panel.wide("_row"), panel.unit_labels


def links_inputs(file: Path, id_column: str | None, boundaries: str | None, loader: dict):
    """(units indexed by id, edge list, ids outside the weights) of a links map."""
    from spatial.io import read_boundaries
    from spatial.sources import resolve_source

    import weights

    given = [f"--{k.replace('_', '-')}" for k in ("keep", "restrict", "match_names", "match_parent", "id_normalize",
                                                  "sheet") if loader.get(k) not in (None, "error")]
    if given:
        raise SchemaError(f"{', '.join(given)} do not apply to --kind links: the weights file's ids are matched to "
                          "the boundary ids as they are")
    weights_file = file.suffix.lower() in WEIGHTS_SUFFIXES or boundaries is not None
    source = boundaries if weights_file else file
    if weights_file and boundaries is None:
        raise SchemaError(f"--kind links draws {file.name} over the units it names: give --boundaries (a boundary "
                          "file or a bundled name) and --boundary-id")
    path, entry = resolve_source(source, kinds=("boundaries",))
    key = loader.get("boundary_id") or id_column or (entry.id if entry is not None else None)
    units = read_boundaries(path, layer=loader["layer"], encoding=loader["boundary_encoding"] or loader["encoding"],
                            id_column=key, assume_crs=loader["assume_crs"])
    if key is not None:
        units = units.set_index(units[key].astype(str))
    if weights_file:
        graph = weights.read_weights(file, encoding=loader.get("encoding"))
    else:
        graph = weights.build(units, kind="queen").graph
    ids = {str(i) for i in graph.unique_ids}
    outside = [str(i) for i in units.index if str(i) not in ids]
    unknown = sorted(ids - {str(i) for i in units.index})
    if unknown:
        raise SchemaError(f"{file.name} names {len(unknown)} units that are not in the boundaries "
                          f"({', '.join(map(repr, unknown[:10]))}): give the boundary id column that the weights use "
                          f"with --boundary-id (boundary columns: {', '.join(map(str, list(units.columns)[:15]))})")
    return units, graph.adjacency.reset_index(), outside
