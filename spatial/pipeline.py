"""The analysis path run from a configuration: inputs -> SpatialPanel -> (later) weights, ESDA,
models, report.

Each step is a plain function of a :class:`RunContext`; later steps register themselves with
:func:`register_step`. Outputs are checked before any computation (never over an input, never
over an existing file without ``overwrite``), written atomically, and described in ``run.json``
(inputs with checksums, options, package versions, everything dropped).
"""

from __future__ import annotations

import datetime as _dt
import json
import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module, metadata
from pathlib import Path
from typing import Any

import pandas as pd

from spatial import datasets
from spatial._fs import check_output, display_path, sha256, write_text_atomic
from spatial.config import Config
from spatial.errors import ConfigError, OutputError

__all__ = ["RunContext", "register_step", "load_panel", "run", "write_csv"]

_PACKAGES = ("numpy", "scipy", "pandas", "geopandas", "shapely", "pyproj", "pyogrio", "libpysal", "esda", "spreg")


@dataclass
class RunContext:
    """What the steps share: the configuration, the validated panel and the outputs so far."""

    config: Config
    output: Path | None
    overwrite: bool = False
    echo: Callable[[str], None] = print
    panel: Any = None
    inputs: list[dict] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)

    def output_path(self, name: str) -> Path | None:
        """The path of an output file, checked; ``None`` when the run writes no files."""
        if self.output is None:
            return None
        inputs = [i["path"] for i in self.inputs if i.get("path")]
        return check_output(self.output / name, inputs=inputs, overwrite=self.overwrite)

    def wrote(self, path: Path) -> None:
        self.outputs.append(path.name)


Step = Callable[[RunContext], None]
_STEPS: dict[str, Step] = {}


def register_step(name: str, step: Step) -> None:
    """Add (or replace) a pipeline step.

    Steps run in the order of their modules in :data:`STEP_MODULES` (the panel step first),
    whatever order the modules happened to be imported in; steps from other modules run last,
    in registration order.
    """
    _STEPS.pop(name, None)
    _STEPS[name] = step


def ordered_steps() -> list[tuple[str, Step]]:
    """The registered steps in the order they run."""
    rank = {module: i for i, module in enumerate(("spatial.pipeline", *STEP_MODULES))}
    entries = list(_STEPS.items())
    return sorted(entries, key=lambda item: rank.get(item[1].__module__, len(rank) + entries.index(item)))


def _source(section: dict[str, Any], role: str) -> tuple[Path, dict]:
    if section.get("dataset"):
        path = datasets.path(section["dataset"])
        record = {"role": role, "dataset": section["dataset"], "file": path.name}
    else:
        path = Path(section["path"]).expanduser()
        record = {"role": role, "file": path.name}
    if path.is_file():
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

    inputs = inputs if inputs is not None else []
    spec = config["panel"]
    table_path, record = _source(spec, "panel")
    inputs.append(record)
    table = read_table(table_path, sheet=spec["sheet"], encoding=spec["encoding"], sep=spec["sep"])
    geometry = None
    geometry_id = None
    match_names = None
    options: dict[str, Any] = {}
    if "boundaries" in config:
        bspec = config["boundaries"]
        boundary_path, record = _source(bspec, "boundaries")
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
            geometry = _keep_rows(geometry, bspec["keep"])
        options = {k: bspec[k] for k in ("restrict", "repair", "bad_geometry", "duplicate_geometry")}
    return SpatialPanel(
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


def _keep_rows(geometry, column: str):
    """Keep the boundary rows whose boolean ``column`` is true (an explicit study-area choice)."""
    from spatial.io import require_columns

    require_columns(geometry, [column], "the boundary layer")
    if not pd.api.types.is_bool_dtype(geometry[column]):
        raise ConfigError(f"[boundaries] keep = {column!r} must name a true/false column")
    return geometry[geometry[column]].reset_index(drop=True)


def _csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Quote text cells that a spreadsheet would run as a formula (CWE-1236)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):  # pandas 3: 'str' dtype
            out[column] = out[column].map(
                lambda v: "'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r") else v
            )
    return out


def write_csv(ctx: RunContext, name: str, frame: pd.DataFrame, **kwargs) -> Path | None:
    """Write a table to the run's output folder atomically (formula-injection safe)."""
    path = ctx.output_path(name)
    if path is None:
        return None
    write_text_atomic(path, _csv_safe(frame).to_csv(**kwargs))
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


register_step("panel", _panel_step)

# Modules that register a config section and a step when imported, in the order the steps run.
# Each feature adds one line here (weights, esda, models, report, ...).
STEP_MODULES: tuple[str, ...] = (
    "spatial.steps.rasters",  # first: zonal statistics become panel variables that every later step sees
    "spatial.steps.indices",  # before weights/ESDA/models: composite indices become panel variables
    "spatial.steps.weights",  # before ESDA/models: ctx.results["weights"] (name -> Graph, in unit order)
    "spatial.steps.esda",  # after weights (uses ctx.results["weights"]; else queen contiguity)
    "spatial.steps.models",  # after weights: spatial regressions with ctx.results["weights"]
    "spatial.steps.report",  # keep LAST: the report shows what every earlier step stored in ctx.results
)


def load_steps() -> None:
    """Import every step module so that its config section and step are registered."""
    for module in STEP_MODULES:
        import_module(module)


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in ("spatial-panel", *_PACKAGES):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def _public_options(config: Config) -> dict[str, Any]:
    def public(value: Any) -> Any:  # basenames only, also inside nested tables such as [weights.<name>]
        if isinstance(value, dict):
            return {k: public(v) for k, v in value.items()}
        return Path(value).name if isinstance(value, str) and ("/" in value or "\\" in value) else value

    return {section: public(values) for section, values in config.sections.items()}


def run(
    config: Config,
    *,
    output: str | Path | None = None,
    write: bool = True,
    overwrite: bool = False,
    echo: Callable[[str], None] = print,
) -> RunContext:
    """Run every registered step on ``config``.

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
        Before any computation, if an output would overwrite an input or an existing file.
    """
    load_steps()
    started = _dt.datetime.now(_dt.UTC)
    folder = None
    if write:
        folder = Path(output or config["project"]["output"]).expanduser()
        if folder.exists() and not folder.is_dir():
            raise OutputError(f"output {display_path(folder)} exists and is not a folder")
        folder.mkdir(parents=True, exist_ok=True)
    ctx = RunContext(config=config, output=folder, overwrite=overwrite, echo=echo)
    run_json = ctx.output_path("run.json")  # checked before the long work starts
    for _, step in ordered_steps():
        step(ctx)
    if run_json is not None:
        record = {
            "tool": "spatial",
            "started": started.isoformat(timespec="seconds"),
            "finished": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "config": None if config.source is None else {"file": config.source.name, "sha256": sha256(config.source)},
            "inputs": [{k: v for k, v in i.items() if k != "path"} for i in ctx.inputs],
            "options": _public_options(config),
            "panel": ctx.panel.to_dict() if ctx.panel is not None else None,
            "outputs": ctx.outputs + ["run.json"],
            "versions": _versions(),
        }
        write_text_atomic(run_json, json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n")
        ctx.wrote(run_json)
    return ctx
