"""Journal tables: several models side by side, in English and Chinese, in every export format."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from libpysal.graph import read_gal

from spatial import SpatialPanel
from spatial.errors import OutputError, SpatialPanelError
from spatial.models import compare, fit

REF = Path(__file__).resolve().parents[2] / "reference" / "columbus_models"


@pytest.fixture(scope="module")
def results():
    data = pd.read_csv(REF / "columbus.csv").rename(columns={"INC": "=HYPERLINK(1)"})
    panel = SpatialPanel(data, id="POLYID", variables=["CRIME", "=HYPERLINK(1)", "HOVAL"])
    w = read_gal(str(REF / "columbus_queen.gal")).transform("r")
    return [fit(panel, w, y="CRIME", x=["=HYPERLINK(1)", "HOVAL"], model=m, draws=100, seed=1)
            for m in ("ols", "sar", "sdm")]


def test_side_by_side_with_stars_and_parentheses(results):
    table = compare(results)
    frame = table.frame
    assert list(frame.columns) == ["(1) OLS", "(2) SAR", "(3) SDM"]
    assert frame.loc["HOVAL", "(2) SAR"] == "-0.2663***"
    row = list(frame.index).index("HOVAL") + 1
    assert frame.iloc[row]["(2) SAR"] == "(0.0891)"
    assert frame.loc["rho", "(1) OLS"] == ""
    assert frame.loc["Log-likelihood", "(2) SAR"] == "-182.6740"
    assert frame.loc["N", "(3) SDM"] == "49"
    assert frame.loc["Unit fixed effects", "(1) OLS"] == "No"
    assert "*** p<1%" in table.notes[0]
    text = table.to_text()
    assert "W*HOVAL" in text and "(0.0891)" in text


def test_chinese_labels_and_z_statistics(results):
    table = compare(results, lang="zh", stat="z", effects=True)
    assert "常数项" in table.frame.index and "对数似然值" in table.frame.index and "个体固定效应" in table.frame.index
    assert any(str(i).startswith("直接效应") for i in table.frame.index)
    assert table.notes[0].startswith("注：括号内为z统计量")
    assert table.frame.loc["ρ", "(2) SAR"].startswith("0.4233")


def test_exports_are_escaped_and_formula_safe(results, tmp_path):
    table = compare(results)
    html = table.to_html()
    assert "<script" not in html
    csv_text = table.to_csv(tmp_path / "t.csv")
    assert "'=HYPERLINK(1)" in csv_text and "\n=HYPERLINK" not in csv_text
    assert (tmp_path / "t.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    table.to_xlsx(tmp_path / "t.xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "t.xlsx").active
    cells = [c.value for row in sheet.iter_rows() for c in row if c.value]
    assert "=HYPERLINK(1)" in cells and all(c.data_type == "s" for row in sheet.iter_rows() for c in row if c.value)
    table.to_docx(tmp_path / "t.docx")
    with zipfile.ZipFile(tmp_path / "t.docx") as archive:
        document = archive.read("word/document.xml").decode()
    assert "HOVAL" in document and "w:tcBorders" in document
    latex = table.to_latex()
    assert r"\toprule" in latex and r"\bottomrule" in latex


def test_write_never_overwrites(results, tmp_path):
    table = compare(results)
    target = tmp_path / "table.tex"
    table.write(target)
    before = target.read_text()
    with pytest.raises(OutputError, match="already exists"):
        table.write(target)
    assert target.read_text() == before
    with pytest.raises(SpatialPanelError, match="unknown table format"):
        table.write(tmp_path / "table.pdf")


def test_compare_refuses_non_results():
    with pytest.raises(SpatialPanelError, match="at least one"):
        compare([])
    with pytest.raises(SpatialPanelError, match="takes results"):
        compare(["sar"])
