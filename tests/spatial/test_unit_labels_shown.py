"""The unit names the user keyed the table by travel with the ids into maps, figures and report tables
(issue 13, item 6): a table keyed by 北京 (the boundaries say 北京市 · Beijing) shows 北京 in the
tooltips, the Moran scatter and the report's unit tables; units without a name of the user's (Taiwan,
drawn for context in a mainland study) keep the boundary layer's names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spatial import datasets
from spatial.cli import main
from spatial.config import load_config
from spatial.pipeline import run
from tests.maps.pagedata import units_data, view_specs
from tests.helpers import mainland_by_name


def _panel(names: pd.Series) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = [{"province": name, "year": year, "x": rng.lognormal(1, 0.3), "z": rng.normal(5, 1)}
            for name in names for year in (2020, 2021)]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def provinces():
    return datasets.load("china_provinces")


@pytest.fixture(scope="module")
def study(tmp_path_factory, provinces):
    folder = tmp_path_factory.mktemp("labels")
    short = provinces.loc[provinces["mainland"], "short_zh"]
    _panel(short).sample(frac=1, random_state=1).to_csv(folder / "panel.csv", index=False, encoding="utf-8-sig")
    pd.DataFrame({"indicator": ["x", "z"], "direction": ["+", "+"]}).to_csv(folder / "ind.csv", index=False)
    (folder / "study.toml").write_text("""
[project]
name = "labels"
output = "out"
""" + mainland_by_name("short_zh") + """[weights.queen]
kind = "queen"
islands = "connect"
[indices]
indicators = "ind.csv"
[esda]
variables = ["x"]
permutations = 0
lisa = ["x"]
lisa_periods = [2021]
[report]
lang = "zh"
variables = ["x"]
""", encoding="utf-8")
    drawn = []
    from spatial import esda

    real = esda.moran_scatter

    def spy(*args, **kwargs):  # the real figure, kept to read the texts it draws
        figure = real(*args, **kwargs)
        drawn.append(figure)
        return figure

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(esda, "moran_scatter", spy)
        run(load_config(folder / "study.toml"), echo=lambda text: None)
    return folder / "out", drawn


def _names(html: str) -> set[str]:
    """The tooltip names of every map of a page: a map's own units, or (in a report, where maps of the
    same units share their outlines) the names given with ``spatialPanel.shape(key, names)``."""
    import json
    import re

    shared = re.findall(r'spatialPanel\.shape\("[0-9a-f]+",\s*(\[.*?\])\)\);', html, flags=re.S)
    return {name for layer in units_data(html) for name in layer["names"]} | {
        name for names in shared for name in json.loads(names)}


def test_report_maps_name_units_as_the_table_does(study, provinces):
    out, _ = study
    names = _names((out / "report.html").read_text(encoding="utf-8"))
    assert "北京 (110000)" in names and "广东 (440000)" in names
    mainland = set(provinces.loc[provinces["mainland"], "name_zh"])
    assert not any(name.split(" ")[0] in mainland for name in names)  # never 北京市 for a unit of the table
    taiwan = provinces.set_index("adcode").loc["710000"]
    assert f"{taiwan['name_zh']} · {taiwan['name_en']} (710000)" in names  # outside the study: the boundary's


def test_moran_scatter_labels_points_by_the_tables_names(study):
    _, drawn = study
    assert drawn
    texts = {t.get_text() for t in drawn[0].axes[0].texts}
    assert {"北京", "上海", "广东"} <= texts
    assert not texts & {"北京市", "110000"}


def test_report_unit_tables_carry_the_label_beside_the_id(study):
    out, _ = study
    scores = pd.read_csv(out / "report_indices_composite.scores.csv", dtype={"province": str})
    assert scores.columns[:2].tolist() == ["province", "label"]
    assert scores.set_index("province").loc["110000", "label"].iloc[0] == "北京"
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<th>名称</th>" in html or ">名称<" in html  # the label column, headed in the report's language
    lisa = pd.read_csv(out / "esda_lisa.csv", dtype={"id": str})
    assert lisa.set_index("id").loc["440000", "label"] == "广东"


def test_map_command_tooltips_use_english_keys(tmp_path, provinces):
    english = provinces.loc[provinces["mainland"], "name_en"]
    table = _panel(english)
    table.to_csv(tmp_path / "en.csv", index=False)
    out = tmp_path / "x.html"
    assert main(["map", str(tmp_path / "en.csv"), "--id", "province", "--time", "year", "--column", "x",
                 "--boundaries", "china_provinces", "--boundary-id", "adcode", "--match-names", "name_en",
                 "--keep", "mainland", "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    names = _names(html)
    assert "Beijing (110000)" in names and "Guangdong (440000)" in names
    assert not any(name.startswith("北京市") for name in names)
    assert view_specs(html)  # a map was drawn
    chosen = tmp_path / "y.html"  # --names chooses boundary columns: the user's choice wins
    assert main(["map", str(tmp_path / "en.csv"), "--id", "province", "--time", "year", "--column", "x",
                 "--boundaries", "china_provinces", "--boundary-id", "adcode", "--match-names", "name_en",
                 "--keep", "mainland", "--names", "name_zh", "--out", str(chosen)]) == 0
    assert "北京市 (110000)" in _names(chosen.read_text(encoding="utf-8"))


def test_labels_reach_the_page_escaped(provinces):
    """A user's label is text: escaped like every name before it reaches the page (F1/F2)."""
    import maps
    from spatial import SpatialPanel
    from spatial.unit_label import display_units

    geometry = provinces.loc[provinces["mainland"]].copy()
    hostile = "<img src=x onerror=alert(1)>${x}`"
    geometry.loc[geometry["adcode"] == "110000", "short_zh"] = hostile
    table = _panel(geometry["short_zh"])
    panel = SpatialPanel(table, id="province", time="year", variables=["x"], geometry=geometry,
                         geometry_id="adcode", match_names=["short_zh"])
    units, names = display_units(panel.geometry, panel.unit_labels)
    html = maps.choropleth(units, panel.wide("x"), names=names, label="x").to_html()
    assert hostile not in html and "<img src=x" not in html and "${x}" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;&#36;&#123;x&#125;&#96; (110000)" in _names(html)


def test_map_of_a_results_table_uses_its_label_column(tmp_path, provinces):
    """`spatial lisa` writes the user's names beside the ids (label); `spatial map --kind lisa` of that file
    names the units by them, though it is keyed by the boundary ids."""
    short = provinces.loc[provinces["mainland"], "short_zh"]  # Hainan an island: its p-value cells are empty
    _panel(short).to_csv(tmp_path / "t.csv", index=False)
    area = ["--boundaries", "china_provinces", "--boundary-id", "adcode", "--keep", "mainland"]
    assert main(["lisa", str(tmp_path / "t.csv"), "--id", "province", "--time", "year", "--variables", "x", *area,
                 "--match-names", "short_zh", "--permutations", "99", "--seed", "1",
                 "--out", str(tmp_path / "lisa.csv")]) == 0
    assert main(["map", str(tmp_path / "lisa.csv"), "--kind", "lisa", "--column", "x", *area,
                 "--out", str(tmp_path / "lisa.html")]) == 0
    html = (tmp_path / "lisa.html").read_text(encoding="utf-8")
    names = _names(html)
    assert {"北京 (110000)", "上海 (310000)", "海南 (460000)"} <= names and not any(n.startswith("北京市") for n in names)
    assert "Island (no neighbours)</td><td class=\"n\">(1)" in view_specs(html)[0]["legends"][0]  # drawn, no error
    assert main(["hotspots", str(tmp_path / "t.csv"), "--id", "province", "--time", "year", "--variables", "x", *area,
                 "--match-names", "short_zh", "--permutations", "99", "--seed", "1",
                 "--out", str(tmp_path / "hot.csv")]) == 0
    assert main(["map", str(tmp_path / "hot.csv"), "--kind", "hotspots", "--column", "x", *area,
                 "--out", str(tmp_path / "hot.html")]) == 0  # the island's empty z and p: missing, not an error
    assert {"北京 (110000)", "海南 (460000)"} <= _names((tmp_path / "hot.html").read_text(encoding="utf-8"))
