"""The grid of every layer of a raster stack, checked once (RELIABILITY A3).

Layers of one stack must share CRS, resolution and grid (origin and size): otherwise the same
polygon would be measured on different pixels from one period to the next, and a trend could be
an artefact of the data provider. Polygons in another CRS than the rasters are reprojected to the
rasters' CRS (the rasters are never resampled); that reprojection is stated, never silent.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from spatial.errors import CRSError, RasterFileError, SpatialWarning, first_items

__all__ = ["LayerGrid", "ReprojectionWarning", "check_stack", "reprojection"]


class ReprojectionWarning(SpatialWarning):
    """Inputs in different CRSs were brought to one CRS; the message states both."""


def crs_label(crs) -> str:
    """``EPSG:4326 (WGS 84)``, or the CRS name when it has no EPSG code."""
    import pyproj

    crs = pyproj.CRS.from_user_input(crs.to_wkt() if hasattr(crs, "to_wkt") else crs)
    code = crs.to_epsg()
    return f"EPSG:{code} ({crs.name})" if code else crs.name


@dataclass(frozen=True)
class LayerGrid:
    """What must agree between the layers of a stack."""

    name: str
    crs: str
    resolution: tuple[float, float]
    origin: tuple[float, float]
    shape: tuple[int, int]

    @classmethod
    def of(cls, name: str, dataset) -> LayerGrid:
        t = dataset.transform
        return cls(name=name, crs=dataset.crs.to_wkt(), resolution=(abs(t.a), abs(t.e)), origin=(t.c, t.f),
                   shape=(dataset.height, dataset.width))


def _close(a: tuple[float, ...], b: tuple[float, ...], scale: float) -> bool:
    return all(abs(x - y) <= 1e-9 * max(scale, 1.0) for x, y in zip(a, b, strict=True))


def check_stack(grids: list[LayerGrid]) -> None:
    """Refuse a stack whose layers differ in CRS, resolution or grid, naming the layers.

    Raises
    ------
    CRSError
        Layers in different CRSs (each CRS with its layers).
    RasterFileError
        Layers with another pixel size, origin or number of rows and columns than the first.
    """
    if len(grids) < 2:
        return
    first = grids[0]
    by_crs: dict[str, list[str]] = {}
    for grid in grids:
        by_crs.setdefault(grid.crs, []).append(grid.name)
    if len(by_crs) > 1:
        import pyproj

        listed = "; ".join(f"{crs_label(pyproj.CRS.from_wkt(crs))}: {first_items(names, 5)}"
                           for crs, names in by_crs.items())
        raise CRSError(
            f"the layers of the raster stack are in {len(by_crs)} different CRSs ({listed}); a stack must share one "
            "CRS, resolution and grid: reproject the odd layers onto the grid of the others (e.g. gdalwarp -tr -te)"
        )
    for what, differs in (
        ("resolution", lambda g: not _close(g.resolution, first.resolution, max(first.resolution))),
        ("grid (origin or rows x columns)",
         lambda g: g.shape != first.shape or not _close(g.origin, first.origin, max(map(abs, first.origin)))),
    ):
        odd = [g for g in grids if differs(g)]
        if odd:
            def describe(g: LayerGrid) -> str:
                return (f"{g.name} ({g.resolution[0]:.6g} x {g.resolution[1]:.6g}, {g.shape[0]} x {g.shape[1]} "
                        f"pixels from ({g.origin[0]:.6g}, {g.origin[1]:.6g}))")

            raise RasterFileError(
                f"the layers of the raster stack differ in {what}: {first_items([describe(g) for g in odd], 5)} "
                f"against {describe(first)}; a stack must share one CRS, resolution and grid, or the same polygon "
                "is measured on different pixels in each period: resample the odd layers onto one grid "
                "(e.g. gdalwarp -tr -te)"
            )


def reprojection(boundaries_crs, grids: list[LayerGrid]) -> str | None:
    """The statement of the reprojection of the polygons to the rasters' CRS, if one is needed (and warn it)."""
    import pyproj

    if not grids:
        return None
    target = pyproj.CRS.from_wkt(grids[0].crs)
    source = pyproj.CRS.from_user_input(boundaries_crs)
    if source.equals(target):
        return None
    text = (f"the boundaries were reprojected from {crs_label(source)} to the rasters' CRS {crs_label(target)} for "
            "the zonal statistics; the rasters were not resampled")
    warnings.warn(text, ReprojectionWarning, stacklevel=3)
    return text
