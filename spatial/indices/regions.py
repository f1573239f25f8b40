"""The four economic regions of mainland China (东部 / 中部 / 西部 / 东北), by province.

The official grouping of the National Bureau of Statistics (2011): East 北京 天津 河北 上海 江苏
浙江 福建 山东 广东 海南; Central 山西 安徽 江西 河南 湖北 湖南; West 内蒙古 广西 重庆 四川 贵州
云南 西藏 陕西 甘肃 青海 宁夏 新疆; Northeast 辽宁 吉林 黑龙江. It equals the ``region``
column of the bundled ``data/china/provinces.parquet`` (checked by the tests).

Provinces are recognised by 6-digit adcode (``110000``), its 2-digit prefix (``11``), a
prefecture or county adcode (first two digits), the short or full Chinese name (``北京``,
``北京市``) or the English / pinyin name.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from spatial.errors import SchemaError, first_items

__all__ = ["CHINA_PROVINCES", "CHINA_REGION_NAMES", "CHINA_GROUPINGS", "china_region", "china_grouping"]

# adcode prefix, short name, English name, region
_PROVINCES = [
    ("11", "北京", "Beijing", "East"),
    ("12", "天津", "Tianjin", "East"),
    ("13", "河北", "Hebei", "East"),
    ("14", "山西", "Shanxi", "Central"),
    ("15", "内蒙古", "Inner Mongolia", "West"),
    ("21", "辽宁", "Liaoning", "Northeast"),
    ("22", "吉林", "Jilin", "Northeast"),
    ("23", "黑龙江", "Heilongjiang", "Northeast"),
    ("31", "上海", "Shanghai", "East"),
    ("32", "江苏", "Jiangsu", "East"),
    ("33", "浙江", "Zhejiang", "East"),
    ("34", "安徽", "Anhui", "Central"),
    ("35", "福建", "Fujian", "East"),
    ("36", "江西", "Jiangxi", "Central"),
    ("37", "山东", "Shandong", "East"),
    ("41", "河南", "Henan", "Central"),
    ("42", "湖北", "Hubei", "Central"),
    ("43", "湖南", "Hunan", "Central"),
    ("44", "广东", "Guangdong", "East"),
    ("45", "广西", "Guangxi", "West"),
    ("46", "海南", "Hainan", "East"),
    ("50", "重庆", "Chongqing", "West"),
    ("51", "四川", "Sichuan", "West"),
    ("52", "贵州", "Guizhou", "West"),
    ("53", "云南", "Yunnan", "West"),
    ("54", "西藏", "Tibet", "West"),
    ("61", "陕西", "Shaanxi", "West"),
    ("62", "甘肃", "Gansu", "West"),
    ("63", "青海", "Qinghai", "West"),
    ("64", "宁夏", "Ningxia", "West"),
    ("65", "新疆", "Xinjiang", "West"),
]
CHINA_PROVINCES = pd.DataFrame(_PROVINCES, columns=["prefix", "short_zh", "name_en", "region"])
CHINA_REGION_NAMES = {"East": "东部", "Central": "中部", "West": "西部", "Northeast": "东北",
                      "North": "北方", "South": "南方"}

# The traditional three belts (NBS, since the 2000 Western Development policy): the four regions
# with the Northeast split, Liaoning to the East and Jilin/Heilongjiang to the Centre
# (East 11, Central 8, West 12).
_THREE = {**{p: r for p, _, _, r in _PROVINCES if r != "Northeast"}, "21": "East", "22": "Central", "23": "Central"}
# North and South along the Qinling-Huaihe line, with the provinces it crosses (Jiangsu, Anhui,
# Henan, Shaanxi) placed as the NBS-based literature does: North 15, South 16.
_NORTH = {"11", "12", "13", "14", "15", "21", "22", "23", "37", "41", "61", "62", "63", "64", "65"}
_NORTH_SOUTH = {p: "North" if p in _NORTH else "South" for p, _, _, _ in _PROVINCES}
CHINA_GROUPINGS = ("three_regions", "four_regions", "north_south")
# The order papers (and the NBS) list the groups in: East, Central, West (then the Northeast); North, South.
CHINA_GROUP_ORDER = ("East", "Central", "West", "Northeast", "North", "South")

_ALIASES = {"Xizang": "54", "Neimenggu": "15", "Inner Mongolia Autonomous Region": "15", "Nei Mongol": "15"}
_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市")


def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for prefix, short, english, _ in _PROVINCES:
        for key in (prefix, prefix + "0000", short, english):
            table[key.casefold()] = prefix
    for key, prefix in _ALIASES.items():
        table[key.casefold()] = prefix
    return table


_LOOKUP = _lookup()
_REGION = dict(zip(CHINA_PROVINCES["prefix"], CHINA_PROVINCES["region"], strict=True))


def _prefix(unit: str) -> str | None:
    text = str(unit).strip()
    if text.casefold() in _LOOKUP:
        return _LOOKUP[text.casefold()]
    if text.isdigit() and len(text) in (4, 6, 9, 12) and text[:2] in _REGION:
        return text[:2]  # prefecture, county or township code: its province
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and text[: -len(suffix)].casefold() in _LOOKUP:
            return _LOOKUP[text[: -len(suffix)].casefold()]
    return None


def china_grouping(units: Iterable[str], preset: str, *, language: str = "en") -> pd.Series:
    """The group of each province code or name under one of the usual groupings of mainland China.

    Parameters
    ----------
    units
        As for :func:`china_region`.
    preset
        ``"three_regions"`` (East 11 / Central 8 / West 12, 东中西), ``"four_regions"`` (East 10 /
        Central 6 / West 12 / Northeast 3, NBS 2011) or ``"north_south"`` (North 15 / South 16
        along the Qinling-Huaihe line).
    language
        ``"en"`` or ``"zh"`` group names.

    Raises
    ------
    SchemaError
        An unknown preset, or units that are not mainland provinces.

    Examples
    --------
    >>> china_grouping(["110000", "吉林", "Sichuan"], "three_regions").tolist()
    ['East', 'Central', 'West']
    >>> china_grouping(["江苏", "河南"], "north_south", language="zh").tolist()
    ['南方', '北方']
    """
    tables = {"three_regions": _THREE, "four_regions": _REGION, "north_south": _NORTH_SOUTH}
    if preset not in tables:
        raise SchemaError(f"grouping {preset!r} is not one of the presets {', '.join(CHINA_GROUPINGS)}; "
                          "otherwise give a column of the panel or its boundaries")
    units = list(units)
    regions = china_region(units)  # refuses units that are not mainland provinces
    groups = [tables[preset][_prefix(u)] for u in units]
    if language == "zh":
        groups = [CHINA_REGION_NAMES[g] for g in groups]
    return pd.Series(groups, index=regions.index, name=preset, dtype=object)


def china_region(units: Iterable[str], *, language: str = "en") -> pd.Series:
    """The region (East, Central, West, Northeast) of each province code or name.

    Parameters
    ----------
    units
        Adcodes (``110000``, ``11``, prefecture codes such as ``320100``) or names
        (``北京``, ``北京市``, ``Beijing``).
    language
        ``"en"`` (East ...) or ``"zh"`` (东部 ...).

    Raises
    ------
    SchemaError
        Listing the units that are not mainland provinces (Hong Kong, Macau and Taiwan are not
        in the four regions), with the accepted forms.

    Examples
    --------
    >>> china_region(["110000", "湖北省", "Xinjiang", "210100"]).tolist()
    ['East', 'Central', 'West', 'Northeast']
    >>> china_region(["吉林"], language="zh").tolist()
    ['东北']
    """
    units = list(units)
    prefixes = [_prefix(u) for u in units]
    unknown = [u for u, p in zip(units, prefixes, strict=True) if p is None]
    if unknown:
        raise SchemaError(
            f"{len(unknown)} units are not mainland Chinese provinces: {first_items(unknown)}; the built-in "
            "East/Central/West/Northeast grouping takes adcodes (110000 or 11), prefecture codes, or names "
            "(北京, 北京市, Beijing); otherwise give your own group column"
        )
    regions = [_REGION[p] for p in prefixes]
    if language == "zh":
        regions = [CHINA_REGION_NAMES[r] for r in regions]
    elif language != "en":
        raise SchemaError(f"language={language!r} is not allowed; choose one of 'en', 'zh'")
    return pd.Series(regions, index=range(len(units)), name="region", dtype=object)
