"""The report's tables read like a paper's (issue 14 item 2): the journal tables of the files, in the
report's language, the effects as Direct | Indirect | Total, Moran's I by year, the selection table."""

from __future__ import annotations

import re

import pytest

from spatial.config import validate_config
from spatial.pipeline import run
from spatial.steps.report import build_report


@pytest.fixture(scope="module")
def zh_report():
    cfg = validate_config({
        "panel": {"dataset": "us_produc", "id": "fips", "time": "year", "variables": ["gsp", "pcap", "emp", "unemp"]},
        "boundaries": {"dataset": "us48_states"},
        "weights": {"queen": {"kind": "queen"}},
        "esda": {"variables": ["unemp", "gsp"], "periods": [1970, 1978, 1986], "permutations": 0},
        "models": {"y": "log(gsp)", "x": ["log(pcap)", "log(emp)"], "models": ["ols", "sar", "sdm"],
                   "fe": "twoway", "select": True, "draws": 50, "seed": 1, "labels": {"log(emp)": "就业"}},
        "report": {"lang": "zh", "variables": ["unemp"]}})
    ctx = run(cfg, write=False, echo=lambda text: None)
    report = build_report(ctx)
    return {s.key: s for s in report.sections}, report.to_html()


def _tables(section):
    return [b for b in section.blocks if b.kind == "table"]


def test_effects_are_direct_indirect_total_columns_with_stars(zh_report):
    sections, _ = zh_report
    (effects,) = _tables(sections["effects"])
    assert effects.columns[0] == "变量" and effects.journal
    assert [c for c in effects.columns[1:]] == [f"({i}) {m} {k}" for i, m in ((2, "SAR"), (3, "SDM"))
                                               for k in ("直接效应", "间接效应", "总效应")]
    cells = [c for row in effects.rows for c in row[1:] if c]
    assert any(c.endswith("***") for c in cells)
    assert all(re.fullmatch(r"\(?-?\d+\.\d{3}\)?\**", c) for c in cells)  # one precision, no exponent
    assert [row[0] for row in effects.rows if row[0]] == ["log(pcap)", "就业"]
    # the regression table no longer repeats the effects as rows
    (models,) = _tables(sections["models"])
    assert not any(row[0].startswith("直接效应") for row in models.rows)


def test_moran_by_year_table(zh_report):
    sections, _ = zh_report
    (moran,) = _tables(sections["moran"])
    assert moran.columns == ("年份", "I (unemp)", "p (unemp)", "I (gsp)", "p (gsp)")
    assert [row[0] for row in moran.rows] == ["1970", "1978", "1986"]  # years never get separators
    assert all(re.fullmatch(r"-?\d+\.\d{3}\**", row[1]) for row in moran.rows)


def test_selection_table_localised_numbers_once(zh_report):
    sections, html = zh_report
    selection = _tables(sections["selection"])[0]  # (a Bayesian comparison may follow)
    assert selection.columns == ("步骤", "模型", "检验", "统计量", "自由度", "p 值", "结论")
    assert selection.rows[0][0] == "1 固定效应" and "需要" in selection.rows[0][-1] or "不显著" in selection.rows[0][-1]
    assert all("e-" not in c and "," not in c for row in selection.rows for c in row[3:6])
    assert all(re.fullmatch(r"\d+", row[4]) for row in selection.rows if row[4])


def test_zh_report_shows_no_internal_names(zh_report):
    """Headers, captions, titles and notes of the Chinese report: no internal names (``links``,
    ``role``, ``p_value``, ``composite.normalized``...) and no English sentences; allowed are the
    user's own names (variables, W names), statistics and proper names (tests/report_text.ALLOWED)."""
    from tests.report_text import ALLOWED, INTERNAL, latin_words, visible_texts

    _, html = zh_report
    user = {"gsp", "pcap", "emp", "unemp", "queen", "fips", "us", "produc", "states"}
    body = html.split('data-section="reproducibility"')[0]  # package names and config keys follow
    leftovers = set()
    for tag, text in visible_texts(body):
        if tag not in ("th", "caption", "figcaption", "h1", "h2", "h3", "div", "p", "text"):
            continue
        words = [w for w in latin_words(text) if w not in ALLOWED and w.lower() not in user]
        if any(w in INTERNAL for w in words) or (tag in ("div", "p") and len(words) >= 3):
            leftovers.add((tag, text[:80]))
    assert not leftovers, sorted(leftovers)
