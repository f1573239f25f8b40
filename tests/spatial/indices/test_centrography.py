"""Centre of gravity and standard deviational ellipse against hand values, ArcGIS's formulas and pointpats.

Hand example: points (+-3, 0), (0, +-1) with equal weights have Sxx = 4.5, Syy = 0.5, Sxy = 0;
ArcGIS's one-standard-deviation ellipse (correction sqrt(2)) has semi-axes sqrt(2 * 4.5) = 3 and
sqrt(2 * 0.5) = 1, the major axis east-west (bearing 90). Rotating the points turns the bearing
by the same angle. pointpats 2.5 (``centrography.ellipse(points, weights, method="yuill",
crimestatCorr=True, degfreedCorr=False)``: weighted, sqrt(2), no n - 2 correction) is the same
convention; its axes must equal ours.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from spatial.errors import SchemaError
from spatial.indices import ellipse_moments, gravity_centre


def test_axis_aligned_and_rotated_ellipse_by_hand():
    x, y = np.array([3.0, -3, 0, 0]), np.array([0.0, 0, 1, -1])
    m = ellipse_moments(x, y, np.ones(4))
    assert (m["major"], m["minor"], m["rotation"]) == pytest.approx((3.0, 1.0, 90.0))
    assert m["area"] == pytest.approx(math.pi * 3.0) and m["flattening"] == pytest.approx(2 / 3)
    angle = math.radians(60)  # counterclockwise by 60 degrees: bearing 90 -> 30
    xr, yr = x * math.cos(angle) - y * math.sin(angle), x * math.sin(angle) + y * math.cos(angle)
    r = ellipse_moments(xr + 10, yr - 5, np.ones(4))
    assert (r["major"], r["minor"], r["rotation"]) == pytest.approx((3.0, 1.0, 30.0))
    assert (r["x"], r["y"]) == pytest.approx((10.0, -5.0))


def test_weighted_ellipse_equals_pointpats():
    centrography = pytest.importorskip("pointpats.centrography")
    rng = np.random.default_rng(3)
    points = rng.normal(size=(200, 2)) @ np.array([[3.0, 1.0], [0.0, 1.0]])
    w = rng.uniform(0.1, 5, 200)
    ours = ellipse_moments(points[:, 0], points[:, 1], w)
    major, minor, _ = centrography.ellipse(points, w, method="yuill", crimestatCorr=True, degfreedCorr=False)
    assert (ours["major"], ours["minor"]) == pytest.approx((major, minor), rel=1e-10)
    assert [ours["x"], ours["y"]] == pytest.approx(list(centrography.weighted_mean_center(points, w)), rel=1e-12)


def _cities():
    return pd.DataFrame(
        {
            "city": ["a", "b", "c", "d"] * 2,
            "year": [2000] * 4 + [2010] * 4,
            "lon": [110.0, 114.0, 112.0, 112.0] * 2,
            "lat": [30.0, 30.0, 31.0, 29.0] * 2,
            "gdp": [1.0, 1.0, 1.0, 1.0, 1.0, 4.0, 1.0, 1.0],
        }
    )


def test_gravity_centre_moves_and_units():
    result = gravity_centre(_cities(), "gdp", id="city", time="year")
    centres = result.centres
    assert centres["year"].tolist() == [2000, 2010]
    assert centres["lon"].iloc[0] == pytest.approx(112.0, abs=1e-6)  # symmetric points, equal weights
    move = result.moves.iloc[0]
    a, b = centres.iloc[0], centres.iloc[1]
    # haversine on a sphere of radius 6371 km: within 0.5 % of the WGS84 geodesic
    p1, p2 = math.radians(a["lat"]), math.radians(b["lat"])
    dl = math.radians(b["lon"] - a["lon"])
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    assert move["distance_km"] == pytest.approx(2 * 6371 * math.asin(math.sqrt(h)), rel=5e-3)
    assert move["direction"] == "E" and move["direction_zh"] == "东" and 80 < move["bearing"] < 100
    ellipse = result.ellipses.iloc[0]
    assert ellipse["rotation"] == pytest.approx(90.0, abs=1.0) and ellipse["major_km"] > ellipse["minor_km"] > 0
    assert ellipse["correction"] == "sqrt(2)" and "+proj=aea" in result.options["projection"]
    outline = result.outline(2000)
    assert outline["lon"].between(105, 119).all() and len(outline) == 90


def test_gravity_bad_inputs():
    data = _cities()
    with pytest.raises(SchemaError, match=r"'gdp' has 1 negative values at '\(b, 2010\)'"):
        gravity_centre(data.assign(gdp=np.where((data.city == "b") & (data.year == 2010), -1.0, data.gdp)), "gdp",
                       id="city", time="year")
    with pytest.raises(SchemaError, match="period 2000: the weights 'gdp' sum to 0"):
        gravity_centre(data.assign(gdp=np.where(data.year == 2000, 0.0, data.gdp)), "gdp", id="city", time="year")
    with pytest.raises(SchemaError, match="out of range"):
        gravity_centre(data.assign(lat=data.lat + 100), "gdp", id="city", time="year")


def test_gravity_figures(tmp_path):
    result = gravity_centre(_cities(), "gdp", id="city", time="year")
    paths = result.plot(tmp_path / "gravity", lang="zh")
    assert [p.suffix for p in paths] == [".png", ".svg"] and all(p.stat().st_size > 0 for p in paths)
    html = result.map().get_root().render()
    assert "2010" in html and "<script>alert" not in html
