"""China name matching: codes and names in several spellings join the bundled boundaries."""

from __future__ import annotations

import pandas as pd
import pytest

from spatial import SpatialPanel, datasets
from spatial.errors import IdMismatchError
from spatial.names import resolve_keys

ALIASES = ["name_zh", "short_zh", "name_en", "name_pinyin"]


@pytest.fixture(scope="module")
def provinces():
    return datasets.load("china_provinces")


@pytest.fixture(scope="module")
def prefectures():
    return datasets.load("china_prefectures")


@pytest.mark.parametrize(
    ("key", "adcode"),
    [
        ("北京市", "110000"), ("北京", "110000"), ("Beijing", "110000"), ("110000", "110000"),
        ("内蒙古自治区", "150000"), ("内蒙古", "150000"), ("Inner Mongolia", "150000"), ("Neimenggu", "150000"),
        ("inner mongolia", "150000"), ("广西壮族自治区", "450000"), ("广西", "450000"), ("Guangxi", "450000"),
        ("新疆", "650000"), ("Xinjiang Uygur Autonomous Region", "650000"), ("陕西省", "610000"),
        ("Shaanxi", "610000"), ("山西", "140000"), ("Hong Kong", "810000"), ("香港特别行政区", "810000"),
        ("黑龙江省", "230000"), ("Heilongjiang Province", "230000"),
    ],
)
def test_province_spellings(provinces, key, adcode):
    assert resolve_keys([key], provinces, "adcode", ALIASES)["id"].tolist() == [adcode]


def test_prefecture_spellings(prefectures):
    keys = ["石家庄市", "石家庄", "Shijiazhuang", "130100", "延边朝鲜族自治州", "延边", "克孜勒苏柯尔克孜自治州"]
    ids = resolve_keys(keys, prefectures, "adcode", ["name_zh", "short_zh", "name_pinyin"])["id"].tolist()
    assert ids[:4] == ["130100"] * 4
    assert ids[4] == ids[5] and ids[4].startswith("2224")
    assert ids[6].startswith("6530")


def test_ambiguous_pinyin_lists_candidates(prefectures):
    with pytest.raises(IdMismatchError, match=r"1 ambiguous: \"'Suzhou' -> \['320500', '341300'\]\""):
        resolve_keys(["Suzhou"], prefectures, "adcode", ["name_zh", "short_zh", "name_pinyin"])


def test_unknown_name_lists_closest(provinces):
    with pytest.raises(IdMismatchError, match=r"'黑龙红' \(closest: 黑龙江"):
        resolve_keys(["黑龙红"], provinces, "adcode", ALIASES)


def test_panel_in_three_spellings_joins_the_provinces(provinces):
    mainland = provinces[provinces["mainland"]]
    spellings = [mainland["name_zh"], mainland["short_zh"], mainland["name_en"]]
    rows = []
    for year, names in zip([2019, 2020, 2021], spellings, strict=True):
        rows += [{"province": n, "year": year, "gdp": float(i)} for i, n in enumerate(names)]
    table = pd.DataFrame(rows).sample(frac=1.0, random_state=3)
    panel = SpatialPanel(table, id="province", time="year", geometry=mainland, geometry_id="adcode",
                         match_names=ALIASES)
    assert (panel.n_units, panel.n_periods) == (31, 3)
    assert panel.entities.tolist() == mainland["adcode"].tolist()
    assert panel.wide("gdp").loc["150000"].tolist() == [4.0, 4.0, 4.0]  # Inner Mongolia, any spelling
    assert set(panel.id_map["matched_by"]) >= {"name_zh", "short_zh", "name_en"}


def test_same_province_twice_in_a_period_is_a_duplicate(provinces):
    table = pd.DataFrame({"province": ["北京", "北京市"], "year": [2020, 2020], "gdp": [1.0, 2.0]})
    with pytest.raises(ValueError, match=r"\(110000, 2020\) x2"):
        SpatialPanel(table, id="province", time="year", geometry=provinces, geometry_id="adcode",
                     match_names=ALIASES, restrict="intersection")
