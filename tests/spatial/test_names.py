"""China name matching: codes and names in several spellings join the bundled boundaries."""

from __future__ import annotations

import pandas as pd
import pytest

from spatial import SpatialPanel, datasets
from spatial.errors import IdMismatchError, SpatialPanelError
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
    with pytest.raises(IdMismatchError,
                       match=r"1 ambiguous: \"'Suzhou' -> \['320500', '341300'\] \(江苏省 苏州市; 安徽省 宿州市\)\""):
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


@pytest.fixture(scope="module")
def counties():
    return datasets.load("china_counties")


COUNTY_ALIASES = ["name_zh", "short_zh"]


@pytest.mark.parametrize(
    ("key", "adcode"),
    [
        ("北京市朝阳区", "110105"), ("北京朝阳区", "110105"), ("北京 朝阳", "110105"), ("长春市朝阳区", "220104"),
        ("吉林省长春市朝阳区", "220104"), ("吉林朝阳区", "220104"), ("朝阳县", "211321"), ("辽宁朝阳县", "211321"),
        ("辽宁省朝阳市朝阳县", "211321"), ("朝阳市朝阳县", "211321"), ("110105", "110105"),
        ("江苏省南京市鼓楼区", "320106"), ("徐州鼓楼区", "320302"), ("长阳土家族自治县", "420528"),
    ],
)
def test_county_names_resolve_through_their_parents(counties, key, adcode):
    assert resolve_keys([key], counties, "adcode", COUNTY_ALIASES)["id"].tolist() == [adcode]


def test_repeated_county_name_without_parent_lists_candidates_with_parents(counties):
    message = r"'朝阳区' -> \['110105', '220104'\] \(北京市 朝阳区; 吉林省 长春市 朝阳区\)"
    with pytest.raises(IdMismatchError, match=message):
        resolve_keys(["朝阳区"], counties, "adcode", COUNTY_ALIASES)
    with pytest.raises(IdMismatchError, match=r"name the parent before a repeated name"):
        resolve_keys(["朝阳"], counties, "adcode", COUNTY_ALIASES)


def test_a_parent_that_does_not_hold_the_name_fails(counties):
    with pytest.raises(IdMismatchError, match=r"1 unknown: '上海市朝阳区'"):
        resolve_keys(["上海市朝阳区"], counties, "adcode", COUNTY_ALIASES)
    with pytest.raises(IdMismatchError, match=r"'上海 / 朝阳县'"):
        resolve_keys(["朝阳县"], counties, "adcode", COUNTY_ALIASES, parents=["上海"])


def test_parent_column_resolves_each_row(counties):
    out = resolve_keys(["朝阳区", "朝阳区", "朝阳区", "鼓楼区"], counties, "adcode", COUNTY_ALIASES,
                       parents=["北京", "长春市", "北京", "福州"])
    assert out[["parent", "key", "id"]].values.tolist() == [
        ["北京", "朝阳区", "110105"], ["长春市", "朝阳区", "220104"], ["福州", "鼓楼区", "350102"],
    ]
    with pytest.raises(SpatialPanelError, match="2 parent names for 1 keys"):
        resolve_keys(["朝阳区"], counties, "adcode", COUNTY_ALIASES, parents=["北京", "长春"])


def test_every_county_resolves_by_province_prefecture_and_name(counties):
    keys = (counties["province_zh"] + counties["prefecture_zh"] + counties["name_zh"]).tolist()
    keys = [k.replace("台湾省台湾省台湾省", "台湾省") for k in keys]
    assert resolve_keys(keys, counties, "adcode", COUNTY_ALIASES)["id"].tolist() == counties["adcode"].tolist()


def test_panel_with_a_parent_column_joins_repeated_county_names(counties):
    table = pd.DataFrame({
        "county": ["朝阳区", "朝阳区", "朝阳县", "北京市朝阳区", "长春朝阳区", "朝阳县"],
        "city": ["北京", "长春市", "朝阳市", "", "", "辽宁"],
        "year": [2020, 2020, 2020, 2021, 2021, 2021],
        "y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    })
    panel = SpatialPanel(table, id="county", time="year", geometry=counties, geometry_id="adcode",
                         match_names=COUNTY_ALIASES, match_parent="city", restrict="intersection")
    assert panel.entities.tolist() == ["110105", "211321", "220104"]
    assert panel.wide("y").loc["220104"].tolist() == [2.0, 5.0]
    with pytest.raises(IdMismatchError, match=r"'朝阳区' -> \['110105', '220104'\]"):
        SpatialPanel(table.assign(city=""), id="county", time="year", geometry=counties, geometry_id="adcode",
                     match_names=COUNTY_ALIASES, match_parent="city", restrict="intersection")


def test_config_match_parent_reaches_the_panel(tmp_path):
    from spatial.config import validate_config
    from spatial.pipeline import load_panel

    pd.DataFrame({"county": ["朝阳区", "朝阳区"], "city": ["北京市", "长春"], "y": ["1", "2"]}).to_csv(
        tmp_path / "counties.csv", index=False)
    cfg = validate_config({
        "panel": {"path": str(tmp_path / "counties.csv"), "id": "county", "variables": ["y"]},
        "boundaries": {"dataset": "china_counties", "match_names": True, "match_parent": "city",
                       "restrict": "intersection"},
    })
    panel = load_panel(cfg)
    assert panel.entities.tolist() == ["110105", "220104"]


def test_cli_match_parent_joins_repeated_county_names(tmp_path, capsys):
    from spatial.cli import main

    table = tmp_path / "counties.csv"
    pd.DataFrame({"county": ["朝阳区", "朝阳区", "朝阳区", "朝阳区"], "city": ["北京市", "长春", "北京市", "长春"],
                  "year": [2020, 2020, 2021, 2021], "y": ["1", "2", "3", "4"]}).to_csv(table, index=False)
    common = ["check", str(table), "--id", "county", "--time", "year", "--boundaries", "china_counties",
              "--match-names", ",".join(COUNTY_ALIASES), "--restrict", "intersection"]
    assert main([*common, "--match-parent", "city"]) == 0
    assert "2 units x 2 periods" in capsys.readouterr().out.replace("×", "x")
    assert main(common) == 2  # without the parent the repeated name is ambiguous, and the message says so
    err = capsys.readouterr().err
    assert "'朝阳区' -> ['110105', '220104']" in err and "--match-parent COLUMN" in err
    map_out = tmp_path / "m.html"
    assert main(["map", str(table), "--column", "y", "--id", "county", "--time", "year", "--boundaries",
                 "china_counties", "--match-names", ",".join(COUNTY_ALIASES), "--match-parent", "city",
                 "--restrict", "intersection", "--out", str(map_out)]) == 0
    assert map_out.exists()
    assert main(["map", str(map_out), "--column", "y", "--match-parent", "city", "--out", str(tmp_path / "n.html")]) == 2
    assert "--match-parent" in capsys.readouterr().err
