"""The input options every analysis command shares, turned into one config entry for ``load_panel``.

``spatial check``, ``moran``, ``lisa``, ``hotspots``, ``fit`` and ``select`` read their table and
boundaries through :func:`panel_config` and :func:`spatial.pipeline.load_panel`, exactly as a
config run does: files or bundled dataset names, name matching, id normalisation, the study-area
filter, ``restrict``, encodings and ``assume_crs`` mean the same on every command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

from spatial.choices import Restrict
from weights.choices import Rule

__all__ = ["KEEP_HELP", "MATCH_PARENT_HELP", "LOADER_KEYS", "input_options", "panel_config", "split_list"]

MATCH_PARENT_HELP = ("Table column naming each row's parent (province or prefecture) for names repeated across "
                     "parents, e.g. 朝阳区 in Beijing and in Changchun; with --match-names.")
KEEP_HELP = ("Study area: a true/false boundary column (mainland), column=value,... (region=East,Central) or "
             "@ids.txt; boundaries, weights, maps and table rows follow it and removed units are recorded.")


#: The loader's options as the command's function receives them (then passed to panel_config).
LOADER_KEYS = ("sheet", "encoding", "boundary_id", "layer", "boundary_encoding", "assume_crs", "id_normalize", "keep",
               "restrict", "match_parent")


def input_options(*operations, contiguity: str | None = "queen", argument: str = "table", required: bool = True,
                  weights: bool = True, id_required: bool = True, metavar: str | None = None):
    """The loader's options (table, boundaries or weights, name matching, study area, encodings),
    the same on every command that reads a table, then the options of each of ``operations``.

    ``contiguity`` is the default of ``--contiguity`` (None: give it or ``--weights``); ``argument``
    names the table argument for the command's function (``required=False`` when ``--data`` may give it);
    ``weights=False`` for a command that reads no weights (``spatial map``).
    """
    import click

    help_contiguity = ("Contiguity built from --boundaries when no --weights file is given." if contiguity else
                       "Build contiguity weights from --boundaries (or give --weights FILE).")
    decorators = [
        click.argument(argument, required=required, metavar=metavar,
                       type=click.Path(dir_okay=False, path_type=Path)),
        click.option("--id", "id_column", required=id_required,
                     help="Unit id column of the table." if id_required else
                     "Unit id column (of the table; of FILE when it is a boundary file)."),
        click.option("--time", "time_column", help="Period column (omit for a cross-section)."),
        click.option("--sheet", help="Excel sheet name."),
        click.option("--encoding", help="Text encoding of a CSV table (e.g. gbk)."),
        click.option("--boundaries", type=click.Path(dir_okay=False, path_type=Path),
                     help="Boundary file or bundled dataset name (china_provinces); contiguity weights are built "
                     "from it unless --weights is given."),
        click.option("--boundary-id", help="Id column of the boundaries (default: --id)."),
        click.option("--layer", help="Layer of the boundary file."),
        click.option("--boundary-encoding", help="Encoding of a shapefile .dbf without .cpg (e.g. gbk)."),
        click.option("--assume-crs", help="CRS for a boundary file without one, e.g. EPSG:4326."),
        click.option("--match-names", help="Comma-separated boundary columns that name the units."),
        click.option("--match-parent", help=MATCH_PARENT_HELP),
        click.option("--id-normalize", help="Id normalisation for both sides, e.g. strip,zfill5."),
        click.option("--keep", help=KEEP_HELP),
        click.option("--restrict", type=click.Choice(get_args(Restrict)), default="error", show_default=True,
                     help="intersection: keep only the units common to the table and the boundaries (recorded)."),
        *((click.option("--weights", "weights_file", type=click.Path(dir_okay=False, path_type=Path),
                        help="Weights file: .gal, .gwt, edge-list or matrix .csv, .xlsx, .mtx, .mat, .dta."),
           click.option("--contiguity", type=click.Choice(get_args(Rule)), default=contiguity,
                        show_default=contiguity is not None, help=help_contiguity)) if weights else ()),
        *(operation.options() for operation in operations),
    ]

    def decorate(func):
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return decorate


def split_list(text: str | None) -> list[str] | None:
    """``"a, b"`` -> ``["a", "b"]``; None for no text."""
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


def panel_config(table: Path | str, id_column: str, *, boundaries: Path | str | None = None,
                 **options: Any) -> dict[str, dict[str, Any]]:
    """The ``[panel]`` (and ``[boundaries]``) entries of the command-line inputs.

    ``options`` are the command's values by config key; ``None`` means not given. Panel keys:
    time, variables, sheet, encoding, id_normalize, balance, missing, coerce_numeric. Boundary keys
    (prefixed ``boundary_`` where the panel has the same name): boundary_id, layer,
    boundary_encoding, assume_crs, match_names, match_parent, keep, restrict, repair, bad_geometry,
    duplicate_geometry.
    """
    from spatial.sources import source_spec

    panel_keys = ("time", "variables", "sheet", "encoding", "id_normalize", "balance", "missing", "coerce_numeric")
    boundary_keys = {"boundary_id": "id", "layer": "layer", "boundary_encoding": "encoding",
                     "assume_crs": "assume_crs", "match_names": "match_names",
                     "match_parent": "match_parent", "keep": "keep",
                     "restrict": "restrict", "repair": "repair", "bad_geometry": "bad_geometry",
                     "duplicate_geometry": "duplicate_geometry"}
    unknown = set(options) - set(panel_keys) - set(boundary_keys)
    if unknown:
        raise TypeError(f"panel_config got unknown options {sorted(unknown)}")
    panel = {**source_spec(table), "id": id_column}
    panel.update({k: options[k] for k in panel_keys if options.get(k) is not None})
    raw: dict[str, dict[str, Any]] = {"panel": panel}
    if boundaries is not None:
        bounds = source_spec(boundaries, kinds=("boundaries",))
        bounds.update({key: options[name] for name, key in boundary_keys.items() if options.get(name) is not None})
        raw["boundaries"] = bounds
    return raw
