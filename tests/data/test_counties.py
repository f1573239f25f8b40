"""The bundled China counties: parents consistent with the prefecture layer, names as expected.

Queen contiguity identical to the unsimplified source and every build check are asserted by
data/build/build_china_counties.py; here the shipped file is checked against the other shipped
layers, which were simplified separately.
"""

from __future__ import annotations

import pytest
import shapely

from spatial import datasets


@pytest.fixture(scope="module")
def counties():
    return datasets.load("china_counties")


@pytest.fixture(scope="module")
def prefectures():
    return datasets.load("china_prefectures")


def test_every_county_has_its_prefecture_and_province(counties, prefectures):
    parents = prefectures.set_index("adcode")
    assert counties["adcode"].is_unique and counties["adcode"].str.fullmatch(r"\d{6}").all()
    assert set(counties["prefecture_adcode"]) == set(parents.index)
    assert (counties["province_adcode"] == counties["prefecture_adcode"].map(parents["province_adcode"])).all()
    assert (counties["prefecture_zh"] == counties["prefecture_adcode"].map(parents["name_zh"])).all()
    # A county's code starts with its province's two digits, except units that are their own parent.
    assert (counties["adcode"].str[:2] == counties["province_adcode"].str[:2]).all()


def test_county_points_lie_in_their_prefecture(counties, prefectures):
    # The layers are simplified separately (0.01 vs 0.006 degrees): allow that much slack.
    parents = prefectures.set_index("adcode").geometry
    area = shapely.buffer(parents.loc[counties["prefecture_adcode"]].to_numpy(), 0.02)
    points = shapely.points(counties["rep_lon"].to_numpy(), counties["rep_lat"].to_numpy())
    outside = counties.loc[~shapely.covers(area, points), "name_zh"].tolist()
    assert outside == []


def test_repeated_names_and_their_parents(counties):
    chaoyang = counties[counties["name_zh"].isin(["朝阳区", "朝阳县"])].sort_values("adcode")
    assert chaoyang[["adcode", "name_zh", "prefecture_zh", "province_zh"]].values.tolist() == [
        ["110105", "朝阳区", "北京市", "北京市"],
        ["211321", "朝阳县", "朝阳市", "辽宁省"],
        ["220104", "朝阳区", "长春市", "吉林省"],
    ]
    assert set(chaoyang["short_zh"]) == {"朝阳"}
    assert not counties.duplicated(["prefecture_adcode", "name_zh"]).any()


def test_short_names(counties):
    short = counties.set_index("name_zh")["short_zh"]
    assert short["长阳土家族自治县"] == "长阳"
    assert short["和县"] == "和县"  # a one-character stem keeps its suffix
    assert short["鄂伦春自治旗"] == "鄂伦春"
