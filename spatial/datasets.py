"""The bundled real datasets: where they are, what they are, and how to load them.

The files live in the repository's ``data/`` folder; a wheel carries them as
``spatial/_data``. ``data/datasets.toml`` is the manifest (name, file, kind, keys, rows,
checksum, source, licence) and ``data/README.md`` their provenance.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from spatial.errors import SpatialPanelError, first_items

__all__ = ["Dataset", "data_dir", "catalog", "info", "path", "load"]


@dataclass(frozen=True)
class Dataset:
    """One bundled dataset as described by the manifest."""

    name: str
    kind: str  # "panel", "boundaries", "points", "lines" or "raster"
    file: str
    title: str
    rows: int  # table rows, features, or pixel rows of a raster
    sha256: str
    source: str
    license: str
    id: str | None = None  # the unit key; a raster has none
    time: str | None = None
    crs: str | None = None
    aliases: tuple[str, ...] = ()
    joins: str | None = None


def data_dir() -> Path:
    """The folder holding the bundled data (inside the installed package, or the checkout's ``data/``).

    Examples
    --------
    >>> (data_dir() / "datasets.toml").is_file()
    True
    """
    installed = Path(__file__).resolve().parent / "_data"
    if (installed / "datasets.toml").is_file():
        return installed
    checkout = Path(__file__).resolve().parent.parent / "data"
    if (checkout / "datasets.toml").is_file():
        return checkout
    raise FileNotFoundError(
        "the bundled data folder is missing: reinstall the package (pip install .) from a full checkout"
    )


@cache
def catalog() -> dict[str, Dataset]:
    """Every bundled dataset by name, in manifest order.

    Examples
    --------
    >>> "us_produc" in catalog()
    True
    """
    with open(data_dir() / "datasets.toml", "rb") as handle:
        manifest = tomllib.load(handle)
    entries = {}
    for name, entry in manifest["dataset"].items():
        entry = dict(entry)
        entry["aliases"] = tuple(entry.get("aliases", ()))
        entries[name] = Dataset(name=name, **entry)
    return entries


def info(name: str) -> Dataset:
    """The manifest entry of one dataset.

    Raises
    ------
    SpatialPanelError
        For an unknown name, listing the bundled ones.
    """
    entries = catalog()
    if name not in entries:
        raise SpatialPanelError(
            f"no bundled dataset {name!r}; bundled: {first_items(list(entries))} (see `spatial datasets`)"
        )
    return entries[name]


def path(name: str) -> Path:
    """The file of a bundled dataset.

    Examples
    --------
    >>> path("us_produc").name
    'produc.csv'
    """
    return data_dir() / info(name).file


def load(name: str):
    """Read a bundled dataset through the same readers a user's files go through.

    Returns a GeoDataFrame for boundaries, lines and points (``lon``/``lat`` columns become point
    geometries in the dataset's CRS), and a DataFrame (cells as text, ids kept exactly) for panels.
    For a raster it returns the values of the first band as a masked array (nodata masked), one
    array row per pixel row; zonal statistics take the file itself, :func:`path`.

    Examples
    --------
    >>> load("us_produc")[["fips", "state"]].iloc[0].tolist()
    ['01', 'Alabama']
    >>> load("china_dem").shape
    (225, 350)
    """
    from spatial.io import read_boundaries, read_table

    entry = info(name)
    if entry.kind == "raster":
        from spatial.raster import open_raster

        with open_raster(path(name)) as raster:
            return raster.read(1, masked=True)
    if entry.kind == "boundaries":
        return read_boundaries(path(name), id_column=entry.id)
    if entry.kind == "lines":  # map furniture (the South China Sea line), read as it is
        import geopandas as gpd

        return gpd.read_file(path(name))
    table = read_table(path(name))
    if entry.kind == "points":
        import geopandas as gpd
        import pandas as pd

        lon, lat = (pd.to_numeric(table[c], errors="raise") for c in ("lon", "lat"))
        table = table.assign(lon=lon, lat=lat)
        return gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(lon, lat), crs=entry.crs)
    return table
