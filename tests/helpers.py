"""Builders of small hostile inputs, made inside each test (never committed as binaries)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely import box


def grid_layer(ids: list[str], crs: str | None = "EPSG:3857", **columns) -> gpd.GeoDataFrame:
    """A row of unit squares keyed by ``ids`` (neighbours share an edge)."""
    frame = gpd.GeoDataFrame(
        {"code": ids, **columns}, geometry=[box(i, 0, i + 1, 1) for i in range(len(ids))], crs=crs
    )
    return frame


def long_panel(ids: list[str], periods: list[int], seed: int = 0) -> pd.DataFrame:
    """A balanced long table with two variables, rows in id-period order."""
    import numpy as np

    rng = np.random.default_rng(seed)
    rows = [(i, t) for i in ids for t in periods]
    frame = pd.DataFrame(rows, columns=["code", "year"])
    frame["gdp"] = rng.normal(10, 2, len(frame))
    frame["pop"] = rng.normal(5, 1, len(frame))
    return frame


def write_shapefile(frame: gpd.GeoDataFrame, folder: Path, name: str = "units", **kwargs) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.shp"
    frame.to_file(path, driver="ESRI Shapefile", **kwargs)
    return path


def zip_files(paths: list[Path], target: Path, arcnames: list[str] | None = None) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for i, path in enumerate(paths):
            archive.write(path, arcnames[i] if arcnames else path.name)
    return target


PRODUC_X = ["log(pcap)", "log(pc)", "log(emp)", "unemp"]


def produc_run_config(models: str, *, name: str | None = None, variables: bool = False,
                      x: list[str] = PRODUC_X) -> str:
    """A ``spatial run`` config on the bundled Produc panel and US-48 boundaries, y = log(gsp).

    ``models`` is the rest of the file after the ``[models]`` section's ``y`` and ``x`` lines (more keys,
    then any further sections); ``name`` sets ``[project] name``; ``variables`` lists the panel's five
    columns in ``[panel] variables``.
    """
    project = f'name = "{name}"\n' if name else ""
    panel = 'variables = ["gsp", "pcap", "pc", "emp", "unemp"]\n' if variables else ""
    return (f'\n[project]\n{project}output = "out"\n'
            f'[panel]\ndataset = "us_produc"\nid = "fips"\ntime = "year"\n{panel}'
            f'[boundaries]\ndataset = "us48_states"\nid = "fips"\n'
            f'[models]\ny = "log(gsp)"\nx = {json.dumps(x, ensure_ascii=False)}\n{models.lstrip(chr(10))}')


def mainland_by_name(names: str = "name_zh") -> str:
    """The [panel] and [boundaries] tables of a study whose panel.csv names the provinces as the
    bundled layer's ``names`` column does (北京市), keyed by adcode, mainland only."""
    return f"""[panel]
path = "panel.csv"
id = "province"
time = "year"
[boundaries]
dataset = "china_provinces"
id = "adcode"
match_names = ["{names}"]
keep = "mainland"
"""
