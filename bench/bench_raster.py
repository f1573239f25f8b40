"""Zonal means of a large raster over China's 372 prefectures: spatial.raster vs peers, same run.

A synthetic elevation-like raster (int16, tiled 512 x 512, ZSTD) covering 72-136°E, 17-55°N is
generated in a temporary folder and deleted afterwards. Each method runs in its own process, so
its peak resident memory (``ru_maxrss``) is its own:

* ``spatial``: :func:`spatial.raster.zonal_stats` (exact coverage fractions, pixel areas,
  windows of at most ``max_pixels``);
* ``rasterstats``: ``rasterstats.zonal_stats(..., stats="mean")`` (pixel centres, no weights),
  if installed (it is not a dependency: ``pip install rasterstats`` for the bench);
* ``mask loop``: the naive loop, ``rasterio.mask.mask(crop=True)`` then the mean of each polygon.

The means differ by design (the peers count a pixel fully or not at all, by its centre, and
ignore pixel areas), so the bench also reports how far apart they are.

Usage: ``python -m bench raster`` (20,000 x 20,000 pixels; ``BENCH_RASTER_SIZE=10000`` for a
quicker run).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SIZE = int(os.environ.get("BENCH_RASTER_SIZE", "20000"))
BOUNDS = (72.0, 17.0, 136.0, 55.0)


def make_raster(path: Path, size: int) -> None:
    """A smooth synthetic surface with noise, written row block by row block (bounded memory)."""
    import rasterio
    from affine import Affine

    west, south, east, north = BOUNDS
    transform = Affine((east - west) / size, 0, west, 0, -(north - south) / size, north)
    profile = {"driver": "GTiff", "width": size, "height": size, "count": 1, "dtype": "int16", "nodata": -32768,
               "crs": "EPSG:4326", "transform": transform, "tiled": True, "blockxsize": 512, "blockysize": 512,
               "compress": "zstd", "predictor": 2, "BIGTIFF": "IF_SAFER"}
    rng = np.random.default_rng(0)
    x = np.linspace(0, 12 * np.pi, size, dtype="float32")
    with rasterio.open(path, "w", **profile) as out:
        for row in range(0, size, 512):
            rows = min(512, size - row)
            y = np.linspace(row, row + rows, rows, endpoint=False, dtype="float32")[:, None] / size * 9 * np.pi
            block = 1500 + 1200 * np.sin(x)[None, :] * np.cos(y) + rng.normal(0, 40, (rows, size)).astype("float32")
            block[:, : size // 50] = -32768  # a nodata strip in the west
            out.write(block.astype("int16"), 1, window=rasterio.windows.Window(0, row, size, rows))


def _method(name: str, raster: str) -> dict:
    """Run one method in this process; return its means by adcode and its wall time."""
    from spatial import datasets

    prefectures = datasets.load("china_prefectures")
    started = time.perf_counter()
    if name == "spatial":
        import warnings

        from spatial.raster import zonal_stats

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            means = zonal_stats(prefectures, raster, id="adcode", stats="mean", name="v")["v_mean"].tolist()
    elif name == "rasterstats":
        from rasterstats import zonal_stats as rs_zonal_stats

        rows = rs_zonal_stats(list(prefectures.geometry), raster, stats="mean")
        means = [r["mean"] for r in rows]
    else:
        import rasterio
        import rasterio.mask

        means = []
        with rasterio.open(raster) as source:
            for geometry in prefectures.geometry:
                try:
                    data, _ = rasterio.mask.mask(source, [geometry], crop=True, filled=False)
                except ValueError:  # the polygon does not overlap the raster
                    means.append(None)
                    continue
                means.append(float(data.mean()) if data.count() else None)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "means": means}


def _run(name: str, raster: Path) -> dict:
    # the child reports its own peak RSS, so its output pipes can be drained while it runs (no deadlock on
    # a chatty stderr, as waiting for it with os.wait4 before reading them could)
    code = (f"import json, resource, bench.bench_raster as b; r = b._method({name!r}, {str(raster)!r}); "
            "r['peak_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024; print(json.dumps(r))")
    process = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             cwd=Path(__file__).resolve().parent.parent)
    if process.returncode != 0:
        raise RuntimeError(f"{name} failed: {process.stderr[-2000:]}")
    return json.loads(process.stdout.strip().splitlines()[-1])


def main() -> None:
    methods = ["spatial", "mask loop"]
    try:
        import rasterstats  # noqa: F401

        methods.insert(1, "rasterstats")
    except ImportError:
        print("rasterstats is not installed: comparing with the rasterio mask loop only")
    folder = Path(tempfile.mkdtemp(prefix="bench_raster_"))
    try:
        raster = folder / f"synthetic_{SIZE}.tif"
        started = time.perf_counter()
        make_raster(raster, SIZE)
        print(f"raster {SIZE:,} x {SIZE:,} int16 ({raster.stat().st_size / 2**20:,.0f} MiB on disk, "
              f"{SIZE * SIZE * 2 / 2**30:.2f} GiB in memory) written in {time.perf_counter() - started:.0f} s; "
              "372 prefectures")
        results = {name: _run(name, raster) for name in methods}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    ours = results["spatial"]
    print(f"{'method':<12} {'seconds':>9} {'peak MiB':>9} {'time ratio':>11} {'memory ratio':>13}")
    for name, result in results.items():
        print(f"{name:<12} {result['seconds']:>9.1f} {result['peak_mb']:>9.0f} "
              f"{result['seconds'] / ours['seconds']:>10.2f}x {result['peak_mb'] / ours['peak_mb']:>12.2f}x")
    for name, result in results.items():
        if name == "spatial":
            continue
        pairs = [(a, b) for a, b in zip(ours["means"], result["means"], strict=True) if a is not None and b is not None
                 and np.isfinite(a) and np.isfinite(b)]
        diff = np.abs(np.array([a - b for a, b in pairs])) / np.maximum(np.abs([b for _, b in pairs]), 1e-9)
        print(f"means vs {name}: median relative difference {np.median(diff):.1e}, max {np.max(diff):.1e} "
              "(coverage fractions and pixel areas vs pixel centres)")
