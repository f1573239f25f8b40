"""A provincial study of mainland China (31 provinces x 12 years) reported in Chinese: under the size
budget, Taiwan, Hong Kong and Macau drawn as units without data, no internal names (issue 14); and a
robustness set of two W with East/Central/West heterogeneity (issue 13) shown as the paper's tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spatial import datasets
from spatial.config import load_config
from spatial.pipeline import run
from tests.helpers import mainland_by_name


def _panel(folder):
    provinces = datasets.load("china_provinces")
    rng = np.random.default_rng(3)
    rows = [{"province": name, "year": year, "dig": rng.lognormal(1, 0.4), "fin": rng.normal(0.5, 0.1),
             "edu": rng.normal(9, 1), "rd": rng.lognormal(0, 0.5)}
            for name in provinces.loc[provinces["mainland"], "name_zh"] for year in range(2011, 2023)]
    frame = pd.DataFrame(rows)
    frame["inn"] = np.exp(0.3 * np.log(frame["dig"]) + 0.2 * frame["fin"] + rng.normal(0, 0.1, len(frame)))
    frame.to_csv(folder / "panel.csv", index=False, encoding="utf-8-sig")
    pd.DataFrame({"indicator": ["dig", "fin", "edu", "rd"], "direction": ["+", "+", "+", "+"],
                  "subsystem": ["A", "A", "B", "B"]}).to_csv(folder / "indicators.csv", index=False)



@pytest.fixture(scope="module")
def study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("china")
    _panel(folder)
    (folder / "study.toml").write_text("""
[project]
name = "数字经济与创新"
output = "out"
""" + mainland_by_name() + """[weights.queen]
kind = "queen"
islands = "connect"
[esda]
variables = ["inn", "dig"]
permutations = 0
lisa = ["inn"]
language = "zh"
[models]
y = "log(inn)"
x = ["log(dig)", "fin", "edu"]
models = ["ols", "sar", "sdm"]
fe = "twoway"
draws = 0
inference = "delta"
language = "zh"
[models.labels]
"log(dig)" = "数字经济"
[indices]
indicators = "indicators.csv"
inequality = ["inn"]
[report]
lang = "zh"
""", encoding="utf-8")
    run(load_config(folder / "study.toml"), echo=ECHOED.append)
    return folder / "out"


ECHOED: list[str] = []


def test_the_report_line_names_where_the_report_lands(study):
    line = next(text for text in ECHOED if text.startswith("report: "))
    assert ".spatial-staging" not in line and line.split()[1].endswith("report.html")


def test_size_budget_and_full_tables_beside_the_report(study):
    html = (study / "report.html").read_text(encoding="utf-8")
    assert len(html.encode("utf-8")) < 1.5e6
    normalised = study / "report_indices_composite.normalized.csv"
    assert normalised.is_file() and len(pd.read_csv(normalised)) == 31 * 12  # the whole table, linked
    assert 'href="report_indices_composite.normalized.csv"' in html


def test_taiwan_is_drawn_as_no_data(study):
    html = (study / "report.html").read_text(encoding="utf-8")
    for code in ("710000", "810000", "820000"):  # Taiwan, Hong Kong, Macau: in the maps, without values
        assert f"({code})" in html
    assert "\\u4e0d\\u5728\\u6837\\u672c\\u4e2d" in html or "不在样本中" in html  # the weights map says so


def test_no_internal_names(study):
    from tests.report_text import ALLOWED, INTERNAL, latin_words, visible_texts

    html = (study / "report.html").read_text(encoding="utf-8")
    user = {"dig", "fin", "edu", "rd", "inn", "queen", "index", "a", "b", "index_d", "province", "year"}
    body = html.split('data-section="reproducibility"')[0]
    leftovers = set()
    for tag, text in visible_texts(body):
        if tag not in ("th", "caption", "figcaption", "h1", "h2", "h3"):
            continue
        words = [w for w in latin_words(text) if w not in ALLOWED and w.lower() not in user]
        if any(w in INTERNAL for w in words):
            leftovers.add((tag, text[:80]))
    assert not leftovers, sorted(leftovers)


def test_sentences_from_other_steps_are_in_chinese(study):
    """The repairs table (Taiwan, HK, Macau outside the study area), the warnings and the coupling
    formula come from other steps in English; the zh report shows them in Chinese (report_words.phrase)."""
    from tests.report_text import ALLOWED, latin_words, visible_texts

    html = (study / "report.html").read_text(encoding="utf-8")
    body = html.split('data-section="reproducibility"')[0]
    assert "位于研究区域之外（keep mainland：mainland 为真）" in body and "剔除" in body
    assert "见“剔除或修复”表" in body and "经典公式：C = " in body
    user = {"inn", "dig", "fin", "edu", "rd", "province", "year", "queen", "mainland", "adcode", "prod", "mean",
            "panel", "csv", "provinces", "parquet", "indicators"}  # the user's names and input files
    english = [text for tag, text in visible_texts(body) if tag == "td"
               and len([w for w in latin_words(text) if len(w) > 2 and w not in ALLOWED and w.lower() not in user]) >= 2]
    assert english == []


def test_queen_w_shows_hainans_island_link_listed_drawn_and_in_the_matrix(study):
    """Issue 14: the contiguity W with its island link (Hainan--Guangdong, added by islands = "connect")
    is listed in a table, drawn dashed on the weights map (its legend names it, a click lists it as an
    island link) and outlined in the matrix heatmap; every name escaped."""
    import re

    from tests.hostile import decoded
    from tests.report_text import visible_texts

    html = (study / "report.html").read_text(encoding="utf-8")
    body = html.split('data-section="weights"')[1].split('data-section=')[0]
    texts = visible_texts(body)
    caption = next(text for tag, text in texts if tag == "caption" and "为连接孤岛而添加的连接" in text)
    assert caption.startswith("queen：") and "单位 km" in caption
    cells = [text for tag, text in texts if tag == "td"]
    at = cells.index("海南省 (460000)")
    assert cells[at + 1] == "广东省 (440000)" and 10 < float(cells[at + 2]) < 20  # km across the Qiongzhou Strait
    assert "空间权重矩阵（行为单元，列为邻居，颜色表示权重）" in decoded(body) and 'src="data:image/png;base64,' in body
    # the map's data and scripts sit outside the section: the weights map is the one with island links
    shown = decoded(html)
    assert "孤岛修复连接" in shown and re.search(r"为连接孤岛而添加的连接：广东省[^<]*\(440000\) – 海南省[^<]*\(460000\)",
                                                 shown)
    (payload,) = re.findall(r"spatialNeighbours\.attach\([^,]+, [^,]+, (.*)\);", html)
    assert re.search(r'"island":\[\[\d+,\d+\]\]', payload) and '"rt":["1"]' in payload  # raw binary weights
    assert '"dashArray": "6 4"' in html  # the island link drawn dashed


@pytest.fixture(scope="module")
def robust_study(tmp_path_factory):
    """Contiguity and capital-to-capital 1/d^2 W as a robustness set; SDM by East/Central/West."""
    folder = tmp_path_factory.mktemp("china_robust")
    _panel(folder)
    (folder / "study.toml").write_text("""
[project]
output = "out"
""" + mainland_by_name() + """[weights.queen]
kind = "queen"
islands = "connect"
[weights.capitals]
kind = "inverse_distance"
alpha = 2
metric = "haversine"
points_dataset = "china_capitals"
[esda]
variables = ["inn", "dig"]
weights = ["queen", "capitals"]
permutations = 0
figures = false
[models]
y = "log(inn)"
x = ["log(dig)", "fin", "edu"]
models = ["sdm"]
fe = "twoway"
draws = 0
inference = "delta"
weights = ["queen", "capitals"]
seed = 5
table_formats = ["csv", "docx"]
[models.labels]
"log(dig)" = "数字经济"
[models.heterogeneity]
by = "three_regions"
permutations = 4
[report]
lang = "zh"
""", encoding="utf-8")
    run(load_config(folder / "study.toml"), echo=lambda text: None)
    return folder / "out"


def test_robustness_and_heterogeneity_read_as_the_papers_tables(robust_study):
    """Moran's I by year under each W side by side (I with stars, p), the models under each W and the
    groups in Chinese with the user's labels, East/Central/West in that order, and the tests of equal
    coefficients as a table of their own (no run-on note); the same tables written as files."""
    from tests.report_text import visible_texts

    html = (robust_study / "report.html").read_text(encoding="utf-8")
    robust = html.split('data-section="robustness"')[1].split('data-section="')[0]
    heads = [text for tag, text in visible_texts(robust) if tag in ("th", "td")]
    assert "I (inn, queen)" in heads and "p (inn, capitals)" in heads and "moran_i" not in robust
    assert "直接效应: 数字经济" in heads and "Direct effect" not in robust and "个体固定效应" in heads
    het = html.split('data-section="heterogeneity"')[1].split('data-section="')[0]
    heads = [text for tag, text in visible_texts(het) if tag in ("th", "td")]
    assert heads.index("东部") < heads.index("中部") < heads.index("西部")
    assert "数字经济" in heads and "联合检验" in heads and "东部 − 中部: 置换 p 值" in heads
    for internal in ("group_a", "pairwise", "permutation_p", ">East<"):
        assert internal not in het, internal
    moran = pd.read_csv(robust_study / "esda_moran_robustness_table.csv", encoding="utf-8-sig")
    assert [c for c in moran.columns if c.startswith("I (inn")] == ["I (inn, queen)", "I (inn, capitals)"]
    tests = pd.read_csv(robust_study / "models_heterogeneity_tests_table.csv", encoding="utf-8-sig")
    assert "East - Central" in tests.columns  # the files keep [models] language (English by default)
    assert (robust_study / "models_heterogeneity_tests_table.docx").is_file()


def test_robust_study_shows_no_internal_names(robust_study):
    from tests.report_text import ALLOWED, INTERNAL, latin_words, visible_texts

    html = (robust_study / "report.html").read_text(encoding="utf-8")
    user = {"dig", "fin", "edu", "inn", "queen", "capitals", "province", "year"}
    body = html.split('data-section="reproducibility"')[0]
    leftovers = {(tag, text[:80]) for tag, text in visible_texts(body) if tag in ("th", "caption", "h2", "h3")
                 and any(w in INTERNAL for w in latin_words(text) if w not in ALLOWED and w.lower() not in user)}
    assert not leftovers, sorted(leftovers)


def test_effects_maps_are_titled_with_the_model_and_the_label(study):
    """The legend of an effects map said 'sar: log(dig)' under the caption 'SAR: 数字经济'."""
    import json
    import re

    html = (study / "report.html").read_text(encoding="utf-8")
    titles = {json.loads(f'"{t}"') for t in re.findall(r'"title": "((?:[^"\\]|\\.)*)"', html)}
    assert {"SAR: 数字经济", "SDM: 数字经济", "SDM: fin"} <= titles
    assert not [t for t in titles if t.startswith(("sar: ", "sdm: "))]


def test_our_words_among_the_cells_are_in_chinese():
    """Cells the steps store as our own words read in Chinese in a zh report (seen in the gallery's
    provincial study: 'pooled', 'positive', 'synchronous', 'East', 'all', 'boundaries', False); the
    user's values stay as they are."""
    from spatial.steps.report_words import localised_table

    frame = pd.DataFrame({"role": ["panel", "boundaries"], "year": ["pooled", "2011"],
                          "direction": ["positive", "negative"], "lagging": ["synchronous", "数字经济"],
                          "group": ["all", "East"], "group_1": ["Central", "Northeast"], "converging": [False, True],
                          "scope": ["East", "dig"]})
    block = localised_table("zh", frame)
    assert block.rows == (("面板数据", "全部时期", "正向", "同步发展", "全部", "中部", "否", "East"),
                          ("边界", "2011", "负向", "数字经济", "东部", "东北", "是", "dig"))
    assert block.columns[:7] == ("角色", "年份", "方向", "滞后子系统", "组别", "组别 1", "是否收敛")
    assert localised_table("en", frame).rows[0][:3] == ("panel", "pooled", "positive")  # English as stored
