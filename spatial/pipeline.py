"""The analysis path run from a configuration: inputs -> SpatialPanel -> (later) weights, ESDA,
models, report.

Each step is a plain function of a :class:`RunContext`; later steps register themselves with
:func:`register_step`. Outputs are checked before any computation (never over an input, never
over an existing file without ``overwrite``), written atomically, and described in ``run.json``
(inputs with checksums, options, package versions, everything dropped).
"""

from __future__ import annotations

import contextlib
import json
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

import pandas as pd

from spatial import datasets
from spatial._fs import check_output, display_path, not_recording, safe_name, sha256, sweep_stale, write_text_atomic
from spatial._run import folder_lock, move_staged, now, provenance, public_options, staging, write_record
from spatial.config import Config
from spatial.errors import ConfigError, OutputError
from spatial.hints import hint
from spatial.run_results import RunResults
from spatial.csv_output import formula_safe, write_csv_file

__all__ = ["RunContext", "register_step", "planned_outputs", "load_panel", "run", "write_csv"]


@dataclass
class RunContext:
    """What the steps share: the configuration, the validated panel, the typed results of the steps
    so far (:class:`~spatial.run_results.RunResults`) and the outputs.

    Steps write into ``output``: the run's staging folder inside ``target`` (the user's output
    folder), from which every file moves into ``target`` once all steps have succeeded.
    """

    config: Config
    output: Path | None
    overwrite: bool = False
    echo: Callable[[str], None] = print
    panel: Any = None
    inputs: list[dict] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    results: RunResults = field(default_factory=RunResults)
    target: Path | None = None
    warnings: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)
    _names: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.results, RunResults):  # a mapping of step results: typed (and checked) at once
            given, self.results = self.results, RunResults()
            for key, value in given.items():
                self.results[key] = value

    def output_path(self, name: str) -> Path | None:
        """The path of an output file, checked; ``None`` when the run writes no files.

        ``name`` is made a safe file name (user strings in it never create a path); two outputs
        that would end up with the same name are an error.
        """
        if self.output is None:
            return None
        safe = safe_name(name, limit=200)
        if self._names.setdefault(safe, name) != name:
            raise OutputError(
                f"outputs {self._names[safe]!r} and {name!r} would both be written as {safe!r}; "
                "rename one of the variables or weights"
            )
        inputs = [i["path"] for i in self.inputs if i.get("path")]
        check_output((self.target or self.output) / safe, inputs=inputs, overwrite=self.overwrite)
        return self.output / safe

    def wrote(self, path: Path) -> None:
        if path.name not in self.outputs:
            self.outputs.append(path.name)

    def uses_weights(self, name: str, graph: Any, step: str, *, since: int | None = None) -> None:
        """Note that ``step`` uses weights ``name`` (D2: several components warn once per matrix).

        ``since`` is the length of :attr:`warnings` before the matrix was built: a warning about its
        components raised by the builder since then is not repeated.
        """
        from spatial.connectivity import COMPONENTS_PHRASE, note_components

        reported = since is not None and any(COMPONENTS_PHRASE in w for w in self.warnings[since:])
        note_components(graph, name, self.results.connectivity, step=step, reported=reported)

    def mark_partial(self, name: str) -> None:
        """Record that output ``name`` holds partial results (listed in run.json)."""
        if name not in self.partial:
            self.partial.append(name)


Step = Callable[[RunContext], None]
Plan = Callable[[Config], list[str]]
_STEPS: dict[str, Step] = {}
_PLANS: dict[str, Plan] = {}


def register_step(name: str, step: Step, plan: Plan | None = None) -> None:
    """Add (or replace) a pipeline step.

    ``plan(config)`` lists the file names the step will write (a name ending in ``*`` stands for
    every name with that prefix, e.g. figures per variable); the run checks them all before any
    step starts.

    Steps run in the order of their modules in :data:`STEP_MODULES` (the panel step first),
    whatever order the modules happened to be imported in; steps from other modules run last,
    in registration order.
    """
    _STEPS.pop(name, None)
    _STEPS[name] = step
    _PLANS.pop(name, None)
    if plan is not None:
        _PLANS[name] = plan


def planned_outputs(config: Config) -> list[str]:
    """Every output the registered steps declare for ``config`` (names and ``prefix*`` patterns)."""
    names = []
    for step_name, _ in ordered_steps():
        if step_name in _PLANS:
            names += _PLANS[step_name](config)
    return [*dict.fromkeys([*names, "run.json"])]


def ordered_steps() -> list[tuple[str, Step]]:
    """The registered steps in the order they run."""
    rank = {module: i for i, module in enumerate(("spatial.pipeline", *STEP_MODULES))}
    entries = list(_STEPS.items())
    return sorted(entries, key=lambda item: rank.get(item[1].__module__, len(rank) + entries.index(item)))


def _source(section: dict[str, Any], role: str, *, checksum: bool) -> tuple[Path, dict]:
    """The file of a [panel]/[boundaries] section and its input record (hashed only when ``checksum``)."""
    if section.get("dataset"):
        path = datasets.path(section["dataset"])
        record = {"role": role, "dataset": section["dataset"], "file": path.name}
    else:
        path = Path(section["path"]).expanduser()
        record = {"role": role, "file": path.name}
    if checksum and path.is_file():
        record["sha256"] = sha256(path)
    record["path"] = str(path)
    return path, record


def load_panel(config: Config, inputs: list[dict] | None = None):
    """Read the configured table and boundaries and build the validated :class:`SpatialPanel`.

    Examples
    --------
    >>> from spatial.config import validate_config
    >>> cfg = validate_config({"panel": {"dataset": "us_produc", "id": "fips", "time": "year",
    ...                                  "variables": ["gsp", "emp"]},
    ...                        "boundaries": {"dataset": "us48_states"}})
    >>> load_panel(cfg).nobs
    816
    """
    from spatial.io import read_boundaries, read_table
    from spatial.panel import SpatialPanel

    # Hash the inputs only for a caller that records them (a run); single commands hash theirs in
    # their sidecars, so hashing here too would read every input file twice.
    checksum = inputs is not None
    inputs = inputs if inputs is not None else []
    spec = config["panel"]
    table_path, record = _source(spec, "panel", checksum=checksum)
    inputs.append(record)
    table = read_table(table_path, sheet=spec["sheet"], encoding=spec["encoding"], sep=spec["sep"])
    geometry = None
    geometry_id = None
    match_names = None
    options: dict[str, Any] = {}
    if "boundaries" in config:
        bspec = config["boundaries"]
        boundary_path, record = _source(bspec, "boundaries", checksum=checksum)
        inputs.append(record)
        geometry_id = bspec["id"] or (datasets.info(bspec["dataset"]).id if bspec["dataset"] else spec["id"])
        geometry = read_boundaries(
            boundary_path, layer=bspec["layer"], encoding=bspec["encoding"], assume_crs=bspec["assume_crs"],
            id_column=geometry_id,
        )
        match_names = bspec["match_names"]
        if match_names is True:
            if not bspec["dataset"]:
                raise ConfigError(
                    "[boundaries] match_names = true needs a bundled dataset; list the name columns instead"
                )
            match_names = list(datasets.info(bspec["dataset"]).aliases)
        if bspec["keep"]:
            geometry, table, removed = _study_area(geometry, table, bspec["keep"], geometry_id=geometry_id,
                                                   id_column=spec["id"], match_names=match_names,
                                                   base=config.source.parent if config.source else None)
        options = {k: bspec[k] for k in ("restrict", "repair", "bad_geometry", "duplicate_geometry", "match_parent")}
    panel = SpatialPanel(
        table,
        id=spec["id"],
        time=spec["time"],
        variables=spec["variables"],
        geometry=geometry,
        geometry_id=geometry_id,
        match_names=match_names,
        id_normalize=spec["id_normalize"],
        balance=spec["balance"],
        missing=spec["missing"],
        coerce_numeric=spec["coerce_numeric"],
        **options,
    )
    if "boundaries" in config and config["boundaries"]["keep"] and removed:
        panel = panel.restrict_units(list(panel.entities), reason="", also=removed)
    return panel


def with_context(config, panel):
    """The panel's boundaries plus the units a ``[boundaries] keep`` filter (or the panel's own
    checks) removed, for maps drawn on the whole area: a study of the mainland still draws Taiwan,
    Hong Kong and Macau, as units without data (never left out of a map of China).

    Returns ``panel.geometry`` itself when nothing was removed or there are no boundaries.
    """
    import geopandas as gpd

    from spatial.io import read_boundaries

    units = getattr(panel, "geometry", None)
    if units is None or "boundaries" not in config or not config["boundaries"]["keep"]:
        return units
    bspec = config["boundaries"]
    path, _ = _source(bspec, "boundaries", checksum=False)
    geometry_id = bspec["id"] or (datasets.info(bspec["dataset"]).id if bspec["dataset"] else config["panel"]["id"])
    full = read_boundaries(path, layer=bspec["layer"], encoding=bspec["encoding"], assume_crs=bspec["assume_crs"],
                           id_column=geometry_id)
    ids = full[geometry_id].astype(str)
    outside = full.loc[~ids.isin({str(i) for i in units.index}).to_numpy()].copy()
    if outside.empty:
        return units
    outside.index = pd.Index(ids.loc[outside.index], name=units.index.name)
    outside = outside[[c for c in units.columns if c in outside.columns]].to_crs(units.crs)
    return gpd.GeoDataFrame(pd.concat([units, outside]), geometry=units.geometry.name, crs=units.crs)


def _study_area(geometry, table: pd.DataFrame, keep: str, *, geometry_id: str, id_column: str,
                match_names, base: Path | None):
    """Apply the ``keep`` filter (:mod:`spatial.subset`) to the boundaries and the table's rows.

    Returns the kept boundaries, the table without the rows of removed units (matched by id or by
    the name columns) and one ``dropped`` record per removed unit.
    """
    from spatial.subset import keep_mask, parse_keep

    study = parse_keep(keep, base=base)
    mask = keep_mask(geometry, study, id_column=geometry_id)
    removed = geometry.loc[~mask.to_numpy()]
    labels = set(removed[geometry_id].astype(str))
    for column in match_names or []:
        if column in removed.columns:
            labels |= set(removed[column].dropna().astype(str))
    if id_column in table.columns:
        table = table.loc[~table[id_column].astype(str).str.strip().isin(labels)]
    records = [{"id": str(i), "what": "dropped", "reason": study.reason()} for i in removed[geometry_id]]
    return geometry.loc[mask.to_numpy()].reset_index(drop=True), table, records


_csv_safe = formula_safe  # the name the steps have imported


def partial_json(text: str, failed: pd.DataFrame) -> str:
    """A result's JSON marked as partial, with what could not be computed (the user opted in)."""
    record = json.loads(text)
    record = {"partial": True, "failed": json.loads(failed.to_json(orient="records")), **record}
    return json.dumps(record, indent=2, ensure_ascii=False)


def write_csv(ctx: RunContext, name: str, frame: pd.DataFrame, **kwargs) -> Path | None:
    """Write a table to the run's output folder atomically (formula-injection safe), in
    ``[project] csv_encoding`` (UTF-8 with BOM by default, so Excel opens it correctly); a table
    keyed by unit ``id`` gets the user's unit names as a ``label`` column when they were matched by name."""
    path = ctx.output_path(name)
    if path is None:
        return None
    from spatial.panel import with_unit_labels

    frame = with_unit_labels(frame, ctx.panel)  # the user's unit names beside the ids (matched by name)
    write_csv_file(path, frame, encoding=ctx.config["project"]["csv_encoding"], **kwargs)
    ctx.wrote(path)
    return path


def echo_repairs(dropped: pd.DataFrame, echo: Callable[[str], None], limit: int = 20) -> None:
    """List the first ``limit`` repairs (all of them are in run.json and dropped.csv)."""
    for row in dropped.head(limit).itertuples(index=False):
        echo(f"  repair {row.id}: {row.what} - {row.reason}")
    if len(dropped) > limit:
        echo(f"  ... and {len(dropped) - limit} more repairs")


def _panel_step(ctx: RunContext) -> None:
    ctx.panel = load_panel(ctx.config, ctx.inputs)
    ctx.echo(ctx.panel.summary())
    dropped = ctx.panel.dropped
    echo_repairs(dropped, ctx.echo)
    summary = ctx.output_path("panel_summary.txt")
    if summary is not None:
        write_text_atomic(summary, ctx.panel.summary() + "\n")
        ctx.wrote(summary)
        write_csv(ctx, "panel_variables.csv", ctx.panel.describe(), index_label="variable")
        if not dropped.empty:
            write_csv(ctx, "dropped.csv", dropped, index=False)


register_step("panel", _panel_step, plan=lambda config: ["panel_summary.txt", "panel_variables.csv", "dropped.csv"])

# Modules that register a config section and a step when imported, in the order the steps run.
# Each feature adds one line here (weights, esda, models, report, ...).
STEP_MODULES: tuple[str, ...] = (
    "spatial.steps.rasters",  # first: zonal statistics become panel variables that every later step sees
    "spatial.steps.indices",  # before weights/ESDA/models: composite indices become panel variables
    "spatial.steps.weights",  # before ESDA/models: ctx.results.weights (name -> Graph, in unit order)
    "spatial.steps.esda",  # after weights (uses ctx.results.weights; else queen contiguity)
    "spatial.steps.models",  # after weights: spatial regressions with ctx.results.weights
    "spatial.steps.report",  # keep LAST: the report shows the typed results of every earlier step
)


def load_steps() -> None:
    """Import every step module so that its config section and step are registered."""
    for module in STEP_MODULES:
        import_module(module)


def _check_plan(folder: Path, planned: list[str], overwrite: bool) -> None:
    """Refuse at once when the folder already holds a file the run would write."""
    if overwrite:
        return
    exact = {safe_name(n, limit=200) for n in planned if not n.endswith("*")}
    prefixes = tuple(safe_name(n[:-1], limit=200) for n in planned if n.endswith("*"))
    existing = sorted((e.name for e in os.scandir(folder)
                       if not e.name.startswith(".") and (e.name in exact or e.name.startswith(prefixes))),
                      key=lambda name: (name != "run.json", name))  # run.json first: it marks an earlier run
    if existing:
        more = f" and {len(existing) - 5} more" if len(existing) > 5 else ""
        raise OutputError(
            f"{display_path(folder)}: {', '.join(existing[:5])}{more} already exist{'s' if len(existing) == 1 else ''} "
            f"(outputs of an earlier run); pass {hint('overwrite', True)} to replace them, or choose another {hint('output')}"
        )


def run(
    config: Config,
    *,
    output: str | Path | None = None,
    write: bool = True,
    overwrite: bool = False,
    echo: Callable[[str], None] = print,
) -> RunContext:
    """Run every registered step on ``config``.

    Before any step, the output folder is locked (``.spatial-run.lock``) and every output the
    steps declare is checked. Outputs are written into a hidden staging folder and moved into
    the output folder only when every step has succeeded; ``run.json`` is written last and lists
    each output with its SHA-256. An error or an interrupt leaves the folder as it was.

    Parameters
    ----------
    config
        A validated configuration (:func:`spatial.config.load_config`).
    output
        Folder for the results; defaults to ``[project] output``. Created if missing.
    write
        ``False`` runs the steps and prints, writing nothing.
    overwrite
        Replace existing output files (inputs are never overwritten).

    Raises
    ------
    OutputError
        Before any computation, if an output would overwrite an input or an existing file, the
        folder cannot be written, or another run holds its lock.
    """
    load_steps()
    started = now()
    if not write:
        ctx = RunContext(config=config, output=None, overwrite=overwrite, echo=echo)
        with _recording_warnings(ctx):
            _run_steps(ctx)
        return ctx
    folder = Path(output or config["project"]["output"]).expanduser()
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"output {display_path(folder)} exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder {display_path(folder)} ({exc.strerror or exc}); "
                          f"choose another {hint('output')}") from None
    with not_recording(), folder_lock(folder):
        sweep_stale(folder)
        _check_plan(folder, planned_outputs(config), overwrite)
        check_output(folder / "run.json", overwrite=overwrite)
        with staging(folder) as area:
            ctx = RunContext(config=config, output=area, target=folder, overwrite=overwrite, echo=echo)
            with _recording_warnings(ctx):
                _run_steps(ctx)
            move_staged(area, folder, ctx.outputs, overwrite=overwrite)
        record = provenance(
            command="run", started=started,
            inputs=[{k: v for k, v in i.items() if k != "path"} for i in ctx.inputs],
            options=public_options(config.sections),
            outputs=[folder / name for name in ctx.outputs],
            seed=_seeds(config), warnings_seen=ctx.warnings, partial=ctx.partial,
            config=None if config.source is None else {"file": config.source.name, "sha256": sha256(config.source)},
            panel=ctx.panel.to_dict() if ctx.panel is not None else None,
            connectivity={k: v for k, v in ctx.results.connectivity.items() if v is not None},
        )
        record["outputs"].append("run.json")
        write_record(folder / "run.json", record)
        ctx.wrote(folder / "run.json")
        ctx.output = folder
    return ctx


def _run_steps(ctx: RunContext) -> None:
    for _, step in ordered_steps():
        step(ctx)


def _seeds(config: Config) -> dict[str, Any]:
    """The seed of every section that has one (permutations, simulations)."""
    return {name: values["seed"] for name, values in config.sections.items()
            if isinstance(values, dict) and values.get("seed") is not None}


@contextlib.contextmanager
def _recording_warnings(ctx: RunContext):
    """Show warnings as usual and keep their text for run.json and the report."""
    with warnings.catch_warnings():
        shown = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None):
            text = str(message)
            if text not in ctx.warnings:
                ctx.warnings.append(text)
            shown(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        yield
