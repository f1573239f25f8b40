"""Pipeline step ``[rasters]``: zonal statistics of a raster (or a raster stack) as panel variables.

It runs right after the panel is loaded (first in :data:`spatial.pipeline.STEP_MODULES`), so
that later steps (indices, weights, ESDA, models, maps) see the new variables. The zonal
statistics are computed on the panel's own boundaries (already matched to the panel's ids and
checked), joined to the panel by (id, period) with :meth:`SpatialPanel.with_variables`, and
``ctx.panel`` becomes the new panel. A raster without a period (elevation) is time-invariant:
its values are given to every period. A stack must have a raster for every panel period
(``SchemaError`` otherwise); rasters for other periods are not read and are listed.

Shape::

    [rasters]
    path = "lights/"                  # a file, a folder, a glob ("lights/*.tif"); or dataset = "china_dem"
    pattern = "_(?P<period>\\d{4})"   # period in each file name (stacks)
    band_periods = "descriptions"     # or: bands of one file are periods (or a list of labels)
    band = 1                          # band of multi-band files read one band at a time
    stats = ["mean", "std"]           # mean, sum, area_sum, min, max, median, std, count, share
    classes = [10, 20]                # raster values measured by "share"
    name = "lights"                   # variable prefix: lights_mean, lights_std
    pixels = "fraction"               # or "all_touched"
    nodata = -1                       # an extra value to treat as missing
    assume_crs = "EPSG:4326"          # only for rasters without a CRS
    backend = "single"                # or "dask" (local cluster, or dask_address)
    dask_address = "tcp://host:8786"
    dask_workers = 2
    max_pixels = 4194304              # memory bound per process (about 40 bytes per pixel)
    maps = true                       # a PNG choropleth per variable

Units without any valid pixel (outside the raster, or on nodata only) stop the run with a
``MissingDataError`` naming them: a panel variable is never filled with 0 or left NaN.

Outputs: ``rasters_zonal.csv`` (id, period, variables), ``rasters_<variable>.png``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from maps.shared import figure_text
from spatial import datasets
from spatial._fs import atomic_path, sha256
from spatial.config import register_section
from spatial.errors import ConfigError, MissingDataError, first_items
from spatial.operations import RASTERS_KEYS
from spatial.pipeline import RunContext, register_step, write_csv

__all__: list[str] = []

_HASH_LIMIT = 1 << 30  # files above 1 GiB are recorded by size only (hashing them would take minutes)

register_section("rasters", RASTERS_KEYS)  # declared in spatial.operations (ZONAL)


def _source(spec: dict[str, Any]) -> Path:
    if (spec["path"] is None) == (spec["dataset"] is None):
        raise ConfigError("[rasters] needs exactly one of 'path' or 'dataset'")
    if spec["dataset"] is not None:
        entry = datasets.info(spec["dataset"])
        if entry.kind != "raster":
            raise ConfigError(f"[rasters] dataset {spec['dataset']!r} is a {entry.kind} dataset, not a raster")
        return datasets.path(spec["dataset"])
    return Path(spec["path"])


def _record_inputs(ctx: RunContext, layers, reprojected: str | None = None) -> None:
    """Every raster read, in run.json, with the reprojection of the boundaries to its CRS (if any)."""
    if reprojected:
        ctx.echo(f"  {reprojected}")
    for layer in layers:
        path = Path(layer.path)
        record = {"role": "raster", "file": path.name, "path": str(path), "band": layer.band or 1,
                  "period": layer.period}
        if reprojected:
            record["reprojection"] = reprojected
        size = path.stat().st_size
        record.update({"sha256": sha256(path)} if size <= _HASH_LIMIT else {"bytes": size})
        ctx.inputs.append(record)


def _panel_values(result, panel) -> pd.DataFrame:
    """The zonal statistics indexed like the panel's data (a time-invariant raster fills every period)."""
    values = result.values()
    if result.time is None and panel.time_name is not None:
        cells = pd.MultiIndex.from_product([values.index, panel.periods])
        values = values.reindex(cells.get_level_values(0)).set_axis(cells)
    return values


def _check_missing(result) -> None:
    if result.missing.empty:
        return
    cells = [f"{row.id}" + ("" if row.period is None else f" ({row.period})") + f": {row.reason}"
             for row in result.missing.itertuples(index=False)]
    raise MissingDataError(
        f"{len(cells)} unit x period cells have no valid raster pixel: {first_items(cells)}; use a raster that "
        "covers these units, or leave them out of the panel (e.g. restrict the boundaries), since a variable is "
        "never filled with 0"
    )


def _map_png(ctx: RunContext, geometry, values: pd.DataFrame, variable: str, time: str | None) -> None:
    """A static choropleth of one variable (up to four periods side by side), written atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = ctx.output_path(f"rasters_{variable}.png")
    if path is None:
        return
    column = values[variable]
    if time is None:
        panels = [(None, column.groupby(level=0).first())]
    else:
        periods = list(column.index.get_level_values(1).unique())
        picks = sorted({periods[round(i * (len(periods) - 1) / 3)] for i in range(4)}) if len(periods) > 4 else periods
        panels = [(p, column.xs(p, level=1)) for p in picks]
    low, high = float(column.min()), float(column.max())
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4.8), squeeze=False)
    for ax, (period, series) in zip(axes[0], panels, strict=True):
        frame = geometry.assign(value=series.reindex(geometry.index).to_numpy())
        frame.plot(column="value", ax=ax, cmap="viridis", vmin=low, vmax=high, linewidth=0.2, edgecolor="white",
                   missing_kwds={"color": "lightgrey", "label": "no data"})
        ax.set_axis_off()
        ax.set_title(figure_text(variable if period is None else f"{variable}, {period}"), fontsize=10)
    mappable = plt.cm.ScalarMappable(cmap="viridis", norm=plt.Normalize(low, high))
    fig.colorbar(mappable, ax=axes[0].tolist(), shrink=0.7, label=figure_text(variable))
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    ctx.wrote(path)


def _rasters_step(ctx: RunContext) -> None:
    if "rasters" not in ctx.config:
        return
    from spatial.raster import (
        DEFAULT_MAX_PIXELS,
        ZonalSpec,
        default_variable_name,
        raster_layers,
        select_periods,
        zonal_panel,
    )

    spec = ctx.config["rasters"]
    panel = ctx.panel
    if panel is None or panel.geometry is None:
        raise ConfigError("[rasters] needs the units' polygons: add a [boundaries] section")
    source = _source(spec)
    periods = list(panel.periods) if panel.time_name is not None else None
    layers = raster_layers(source, pattern=spec["pattern"], band=spec["band"], band_periods=spec["band_periods"])
    chosen, _ = select_periods(layers, periods)
    name = spec["name"] or default_variable_name(chosen)
    options = {"classes": spec["classes"], "pixels": spec["pixels"], "nodata": spec["nodata"],
               "assume_crs": spec["assume_crs"], "max_pixels": spec["max_pixels"] or DEFAULT_MAX_PIXELS}
    variables = ZonalSpec.build(spec["stats"], **options).columns(name)
    planned = ["rasters_zonal.csv"] + ([f"rasters_{v}.png" for v in variables] if spec["maps"] else [])
    for file in planned:  # checked before the long work
        ctx.output_path(file)
    result = zonal_panel(
        panel.geometry.reset_index(), source, id=panel.id_name, stats=spec["stats"], pattern=spec["pattern"],
        band=spec["band"], band_periods=spec["band_periods"], periods=periods, name=name,
        time=panel.time_name or "period", backend=spec["backend"], dask_address=spec["dask_address"],
        dask_workers=spec["dask_workers"], **options,
    )
    _record_inputs(ctx, chosen, result.spec.get("reprojection"))
    ctx.results.rasters = result
    _check_missing(result)
    values = _panel_values(result, panel)
    ctx.panel = panel.with_variables(values)
    where = "time-invariant" if result.time is None else f"{len(result.layers)} periods"
    ctx.echo(f"Rasters: {len(result.layers)} layers ({where}); variables added: {', '.join(result.variables)}")
    if result.skipped:
        ctx.echo(f"  raster periods not in the panel, not read: {first_items(result.skipped)}")
    if not result.partial.empty:
        ctx.echo(f"  {result.partial['id'].nunique()} units extend beyond the raster (statistics of the part inside): "
                 + first_items([f"{r.id} {r.inside}" for r in result.partial.itertuples(index=False)]))
    write_csv(ctx, "rasters_zonal.csv", result.table, index=False)
    if spec["maps"]:
        geometry = ctx.panel.geometry
        for variable in result.variables:
            _map_png(ctx, geometry, values, variable, result.time)


register_step("rasters", _rasters_step, plan=lambda config: ["rasters_zonal.csv", "rasters_*"] if "rasters" in config else [])
