"""The core operations declared once: loading inputs (``spatial check``), reshape, run, report, demo.

``LOADER`` is the option group every command that reads a table shares (files or bundled dataset
names, name matching, id normalisation, the study-area filter, encodings, the opt-in repairs of an
unbalanced panel, missing values and numbers with thousands separators; ``LOADER_WEIGHTS``:
``--weights`` or ``--contiguity``); :func:`spatial.cli.inputs.input_options` builds their click options from it and
:func:`spatial.inputs.inputs_config` turns the values into the ``[panel]`` / ``[boundaries]``
entries a config run reads. ``CHECK`` is loading the inputs and nothing else: its Python function
is :func:`spatial.inputs.load_inputs`, whose keywords are these parameters.

Examples
--------
>>> CHECK.param("bad_geometry").flag, CHECK.param("bad_geometry").key
('--drop-bad-geometry', 'boundaries.bad_geometry')
>>> [p.flag for p in LOADER][:3]
['--id', '--time', '--sheet']
"""

from __future__ import annotations

from pathlib import Path

from maps.choices import Lang, Scheme, Tiles
from spatial.choices import (Balance, BadGeometry, CsvEncoding, DuplicateGeometry, Language, Missing, Restrict,
                             RepairOption)
from spatial.operation import FOLDER, Operation, Param
from weights.choices import Rule

__all__ = ["LOADER", "LOADER_WEIGHTS", "CHECK", "RESHAPE", "RUN", "REPORT", "DEMO", "CONFIG_TEMPLATE", "MATCH_PARENT_HELP", "KEEP_HELP"]

MATCH_PARENT_HELP = ("Table column naming each row's parent (province or prefecture) for names repeated across "
                     "parents, e.g. 朝阳区 in Beijing and in Changchun; with --match-names.")
KEEP_HELP = ("Study area: a true/false boundary column (mainland), column=value,... (region=East,Central) or "
             "@ids.txt; boundaries, weights, maps and table rows follow it and removed units are recorded.")

_TABLE_ARGUMENT = "the command's TABLE argument (a file or a bundled dataset name); Python: load_inputs(table)"
_BOUNDARIES = ("a config names them in [boundaries] path, or dataset for a bundled one; Python: "
               "load_inputs(boundaries=)")

# -- the shared loader: table, boundaries, name matching, study area, encodings; weights on analyses --
LOADER: tuple[Param, ...] = (
    Param("id", str, None, "Unit id column of the table.", required=True, dest="id_column"),
    Param("time", str, None, "Period column (omit for a cross-section).", dest="time_column"),
    Param("sheet", str, None, "Excel sheet name.", key_type=(str, int)),
    Param("encoding", str, None, "Text encoding of a CSV table (e.g. gbk)."),
    Param("boundaries", Path, None, "Boundary file or bundled dataset name (china_provinces); contiguity weights "
          "are built from it unless --weights is given.", key=None, why=_BOUNDARIES),
    Param("boundary_id", str, None, "Id column of the boundaries (default: --id).", key="boundaries.id"),
    Param("layer", str, None, "Layer of the boundary file.", key="boundaries.layer"),
    Param("boundary_encoding", str, None, "Encoding of a shapefile .dbf without .cpg (e.g. gbk).",
          key="boundaries.encoding"),
    Param("assume_crs", str, None, "CRS for a boundary file without one, e.g. EPSG:4326.",
          key="boundaries.assume_crs"),
    Param("match_names", list, None, "Comma-separated boundary columns that name the units.", items=str,
          key="boundaries.match_names", key_type=(list, bool),
          why="in a config also true: the bundled dataset's name columns"),
    Param("match_parent", str, None, MATCH_PARENT_HELP, key="boundaries.match_parent"),
    Param("id_normalize", str, None, "Id normalisation for both sides, e.g. strip,zfill5."),
    Param("keep", str, None, KEEP_HELP, key="boundaries.keep"),
    Param("restrict", Restrict, "error", "intersection: keep only the units common to the table and the boundaries "
          "(recorded).", key="boundaries.restrict"),
    Param("balance", Balance, "error", "An unbalanced panel: refuse, or drop the units with missing periods "
          "(recorded)."),
    Param("missing", Missing, "error", "Missing values: refuse, or drop the units that have them (recorded)."),
    Param("coerce_numeric", bool, False, "Read numbers written with thousands separators."),
)
#: The weights options of the analyses (moran, lisa, hotspots, fit, select, bayes), after LOADER.
LOADER_WEIGHTS: tuple[Param, ...] = (
    Param("weights", Path, None, "Weights file: .gal, .gwt, edge-list or matrix .csv, .xlsx, .mtx, .mat, .dta.",
          dest="weights_file", key=None, keyword=False,
          why="a config names its matrices in [weights.NAME] (kind = 'file' reads one); Python: "
              "spatial.weights_file.read_aligned_weights(path, panel)"),
    Param("contiguity", Rule, "queen", "Contiguity built from --boundaries when no --weights file is given.",
          key=None, keyword=False,
          why="a config builds [weights.NAME] kind = 'queen'; Python: weights.queen(panel.geometry)"),
)

CHECK = Operation(
    "check", command="check", section="panel", function="spatial.inputs:load_inputs", positional=("table",),
    params=(
        *LOADER[:4],
        Param("variables", list, None, "Comma-separated numeric variables to keep.", items=str, min_items=1),
        *LOADER[4:],
        Param("repair", RepairOption, "none", "Repair invalid polygons (bow-ties, spikes) with make_valid; each "
              "repair is listed.", key="boundaries.repair"),
        Param("bad_geometry", BadGeometry, "error", "Drop units with missing/empty/non-polygon geometry.",
              flag="--drop-bad-geometry", flag_value="drop_units", key="boundaries.bad_geometry",
              hint="drop_bad_geometry"),
        Param("duplicate_geometry", DuplicateGeometry, "error", "Union boundary rows that share an id.",
              flag="--dissolve-by-id", flag_value="dissolve", key="boundaries.duplicate_geometry",
              hint="dissolve_by_id"),
        Param("sep", str, ",", "CSV separator", flag=None,
              why="a CSV separated by ; or tabs: config and Python (the command reads commas)"),
        Param("path", str, None, "file to read", flag=None, keyword=False, hint=None, why=_TABLE_ARGUMENT),
        Param("dataset", str, None, "name of a bundled dataset instead of a path", flag=None, keyword=False,
              hint=None, why=_TABLE_ARGUMENT),
        Param("boundary_path", str, None, "file to read", flag=None, key="boundaries.path", keyword=False,
              hint=None, why="the command's --boundaries (a file or a bundled dataset name)"),
        Param("boundary_dataset", str, None, "name of a bundled dataset instead of a path", flag=None,
              key="boundaries.dataset", keyword=False, hint=None,
              why="the command's --boundaries (a file or a bundled dataset name)"),
    ),
)

# -- reshape: a wide table (one column per period) to the long form every other command reads -------
_NO_STEP = "reshape has no config step: reshape the table once, then name the long table in [panel]"
RESHAPE = Operation(
    "reshape", command="reshape", function="spatial.io:wide_to_long", positional=("frame",),
    params=(
        Param("id", str, None, "Unit id column.", required=True, dest="id_column", key=None, why=_NO_STEP),
        Param("output", Path, None, "Long table to write (.csv).", flag="--out", required=True, key=None,
              keyword=False, why="the command writes the table; Python: the returned frame's to_csv"),
        Param("pattern", str, r"^(?P<variable>.*?)[_\s.-]?(?P<period>\d{4})$", "Regex splitting column names into "
              "(?P<variable>) and (?P<period>).", key=None, why=_NO_STEP),
        Param("value_name", str, None, "Variable name for columns named by a bare period (2010, 2011, ...).",
              key=None, why=_NO_STEP),
        Param("time_name", str, "year", "Name of the period column.", key=None, why=_NO_STEP),
        Param("keep", list, None, "Comma-separated columns copied to every row (names, groups).", items=str,
              key=None, hint=None, why=_NO_STEP),
        Param("sheet", str, None, "Excel sheet name.", key=None, keyword=False,
              why="Python: read_table(sheet=) before wide_to_long"),
        Param("encoding", str, None, "Text encoding of a CSV table.", key=None, keyword=False,
              why="Python: read_table(encoding=) before wide_to_long"),
        Param("overwrite", bool, False, "Replace --out if it exists.", key=None, keyword=False,
              why="a command-line choice of each call; Python: the caller writes the file"),
    ),
)

# -- run, report and demo: the pipeline on a config file ([project], [report]) -------------------
_EACH_CALL = "a choice of each run, never stored in the config"
_PYTHON_RUN = "Python only: run(config, {name}=)"
_RUN_PYTHON = tuple(Param(name, bool if name == "write" else object, True if name == "write" else None, "",
                          flag=None, key=None, why=_PYTHON_RUN.format(name=name)) for name in ("write", "echo"))
_FOLDER = ("Output folder (default: [project] output in the config).")

RUN = Operation(
    "run", command="run", section="project", function="spatial.pipeline:run", positional=("config",),
    params=(
        Param("output", Path, None, _FOLDER, flag="--out", key_default="output", click={"type": FOLDER}),
        Param("overwrite", bool, False, "Replace existing output files (never the inputs).", key=None,
              why=_EACH_CALL),
        Param("dry_run", bool, False, "Validate the config and the inputs and list the outputs; estimate and write "
              "nothing.", key=None, keyword=False,
              why="Python: spatial.pipeline.planned_outputs(config) lists them; load_inputs validates the inputs"),
        Param("name", str, "analysis", "a title for outputs and reports", flag=None, keyword=False,
              why="the config's title; a command names its outputs with --out"),
        Param("csv_encoding", CsvEncoding, "utf-8-sig", "encoding of CSV outputs; utf-8-sig (UTF-8 with BOM) opens correctly "
              "in Excel", flag=None, keyword=False,
              why="the global option spatial --csv-encoding (before or after the command)"),
        Param("partial", bool, False, "when a variable or period fails, keep the others (marked partial)",
              flag=None, keyword=False, why="spatial moran/lisa/hotspots --partial; Python: errors='record'"),
        *_RUN_PYTHON,
    ),
)

REPORT = Operation(
    "report", command="report", section="report", function="spatial.pipeline:run", positional=("config",),
    params=(
        Param("output", Path, None, _FOLDER, flag="--out", key="project.output", click={"type": FOLDER}),
        Param("lang", Lang, None, "Language of the report (default: [report] lang or en).", key_default="en",
              keyword=False, why="Python: [report] lang of the config given to run()"),
        Param("title", str, None, "Title of the report (default: [report] title or [project] name).",
              keyword=False, why="Python: [report] title of the config given to run()"),
        Param("overwrite", bool, False, "Replace existing output files (never the inputs).", key=None,
              why=_EACH_CALL),
        *(Param(name, kind, default, text, flag=None, keyword=False, items=items, min_items=least,
                why="what the report shows is chosen in the config ([report]); spatial map draws one map")
          for name, kind, default, text, items, least in (
              ("file", str, "report.html", "file name inside the output folder", None, 0),
              ("variables", list, None, "variables to map (default: the panel's, at most 8)", str, 1),
              ("periods", list, None, "periods of the LISA maps (default: the first and last)", None, 0),
              ("tiles", Tiles, None, "optional base map by name (needs the network)", None, 0),
              ("scheme", Scheme, "quantiles", "classification of the choropleths (user_defined: spatial map "
               "--breaks)", None, 0),
              ("k", int, 5, "number of classes of the choropleths", None, 0),
              ("names", list, None, "boundary columns naming the units in tooltips (default: found)", str, 0))),
        *_RUN_PYTHON,
    ),
)

CONFIG_TEMPLATE = Operation(
    "config template", command="config template", function="spatial.config_docs:config_template",
    params=(
        Param("output", Path, None, "File to write (default: print to standard output).", flag="--out", key=None,
              keyword=False, why="Python: the returned text; write it where you like"),
        Param("lang", Language, "en", "Language of the comments.", key=None,
              why="the template is written before any config exists"),
        Param("overwrite", bool, False, "Replace --out if it exists.", key=None, keyword=False,
              why="a command-line choice of each call; Python: the caller writes the file"),
    ),
)

DEMO = Operation(
    "demo", command="demo", function="spatial.pipeline:run", positional=("config",),
    params=(
        Param("output", Path, Path("spatial-demo"), "Folder for the report (report.html), tables and run.json.",
              flag="--out", key=None, click={"type": FOLDER, "show_default": True},
              why="the demo runs the bundled config (data/demo/us_produc.toml) into this folder"),
        Param("overwrite", bool, False, "Replace the files of an earlier demo in --out.", key=None, why=_EACH_CALL),
        *_RUN_PYTHON,
    ),
)
