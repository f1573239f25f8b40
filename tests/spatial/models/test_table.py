"""Journal tables: several models side by side, in English and Chinese, in every export format."""

from __future__ import annotations

import shutil
import subprocess
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
    table = compare(results, digits=4)
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


def test_one_precision_per_table(results):
    frame = compare(results).frame  # 3 decimals by default, in every estimate and summary row
    assert frame.loc["HOVAL", "(2) SAR"] == "-0.266***"
    assert frame.loc["Log-likelihood", "(2) SAR"] == "-182.674"
    assert frame.loc["AIC", "(2) SAR"].count(".") == 1 and len(frame.loc["AIC", "(2) SAR"].split(".")[1]) == 3
    assert all("," not in v for v in frame.to_numpy().ravel())  # never thousands separators
    assert compare(results, digits=2).frame.loc["Log-likelihood", "(2) SAR"] == "-182.67"
    with pytest.raises(SpatialPanelError, match="digits"):
        compare(results, digits=-1)


def test_chinese_labels_and_z_statistics(results):
    table = compare(results, lang="zh", stat="z", effects=True, digits=4)
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


def _balanced(text: str) -> bool:
    depth = 0
    for i, ch in enumerate(text):
        if ch in "{}" and (i == 0 or text[i - 1] != "\\"):
            depth += 1 if ch == "{" else -1
            if depth < 0:
                return False
    return depth == 0


def test_latex_is_ascii_math_with_a_real_table_note(results):
    latex = compare(results, effects=True, labels={"HOVAL": "house_value & 100%"}).to_latex()
    assert latex.isascii()  # plain pdflatex: no Unicode rho, sigma or superscript two
    assert r"$\rho$" in latex and r"$\sigma^2$" in latex and r"$R^2$" in latex
    assert r"\begin{threeparttable}" in latex and r"\item Standard errors in parentheses." in latex
    assert r"p$<$1\%" in latex and "\n%" not in latex  # the note is a tablenote, not a comment
    assert r"house\_value \& 100\%" in latex and r"W*house\_value \& 100\%" in latex
    assert r"$^{***}$" in latex and _balanced(latex)
    zh = compare(results, lang="zh", labels={"HOVAL": "房价"}).to_latex(document=True)
    assert r"\usepackage{xeCJK}" in zh and r"$\rho$" in zh and "ρ" not in zh and "σ" not in zh and _balanced(zh)
    assert r"\usepackage{xeCJK}" not in compare(results).to_latex(document=True)


def test_labels_apply_in_every_format(results, tmp_path):
    table = compare(results, effects=True, labels={"HOVAL": "数字经济", "CRIME": "犯罪率"}, lang="zh")
    assert "数字经济" in table.frame.index and "W*数字经济" in table.frame.index
    assert "直接效应: 数字经济" in table.frame.index and "HOVAL" not in table.to_text()
    assert table.title == "被解释变量：犯罪率"  # full-width colon in Chinese
    for suffix in ("txt", "csv", "html", "tex", "xlsx", "docx"):
        table.write(tmp_path / f"t.{suffix}")
    assert "数字经济" in (tmp_path / "t.html").read_text() and "HOVAL" not in (tmp_path / "t.tex").read_text()
    with zipfile.ZipFile(tmp_path / "t.docx") as archive:
        assert "数字经济" in archive.read("word/document.xml").decode()
    from openpyxl import load_workbook

    assert "数字经济" in [c.value for row in load_workbook(tmp_path / "t.xlsx").active.iter_rows() for c in row]


def test_labels_refuse_typos_and_clashes(results):
    with pytest.raises(SpatialPanelError, match=r"labels given for \['HOVL'\].*HOVAL"):
        compare(results, labels={"HOVL": "house value"})
    with pytest.raises(SpatialPanelError, match="same name"):
        compare(results, labels={"HOVAL": "x", "CRIME": "x"})
    with pytest.raises(SpatialPanelError, match="same name"):
        compare(results, labels={"HOVAL": "CRIME"})


def test_columns_layout_puts_wx_and_effects_beside_the_model(results):
    table = compare(results, effects=True, layout="columns", digits=4)
    frame = table.frame
    assert list(frame.columns) == ["(1) OLS", "(2) SAR", "(2) SAR Direct", "(2) SAR Indirect", "(2) SAR Total",
                                   "(3) SDM", "(3) SDM W×X", "(3) SDM Direct", "(3) SDM Indirect", "(3) SDM Total"]
    sdm, sar = results[2], results[1]
    assert not any(str(i).startswith("W*") for i in frame.index)  # the W*X terms sit in their column
    assert frame.loc["HOVAL", "(3) SDM W×X"].startswith(f"{sdm.params['W*HOVAL']:.4f}")
    assert frame.loc["HOVAL", "(3) SDM"].startswith(f"{sdm.params['HOVAL']:.4f}")
    assert frame.loc["HOVAL", "(2) SAR Indirect"].startswith(f"{sar.effects.estimates.at['HOVAL', 'indirect']:.4f}")
    row = list(frame.index).index("HOVAL") + 1
    assert frame.iloc[row]["(2) SAR Total"] == f"({sar.effects.std_errors.at['HOVAL', 'total']:.4f})"
    assert frame.loc["N", "(3) SDM Direct"] == "" and frame.loc["N", "(3) SDM"] == "49"
    assert not any(str(i).startswith("Direct effect") for i in frame.index)


def test_docx_is_a_compact_three_line_a4_table_in_journal_fonts(results, tmp_path):
    table = compare(results, lang="zh", labels={"HOVAL": "数字经济"}, effects=True, layout="columns")
    table.to_docx(tmp_path / "t.docx")
    with zipfile.ZipFile(tmp_path / "t.docx") as archive:
        document = archive.read("word/document.xml").decode()
        styles = archive.read("word/styles.xml").decode()
    assert 'w:ascii="Times New Roman"' in styles and 'w:eastAsia="宋体"' in styles
    assert 'w:w="11906"' in document or 'w:w="16838"' in document  # A4, portrait or landscape
    assert 'w:val="decimal"' in document  # numbers aligned on the point by the cell's decimal stop,
    assert "<w:tab/>" not in document  # without a tab character (LibreOffice wrapped the numbers after one)
    assert 'w:after="0"' in styles or 'w:after="0"' in document
    table.to_docx(tmp_path / "letter.docx", paper="letter")
    with zipfile.ZipFile(tmp_path / "letter.docx") as archive:
        assert 'w:w="12240"' in archive.read("word/document.xml").decode() or \
            'w:w="15840"' in archive.read("word/document.xml").decode()
    from docx import Document

    word = Document(str(tmp_path / "t.docx"))
    cells = [[c.text.strip() for c in row.cells] for row in word.tables[0].rows]
    assert cells[0] == [""] + list(table.frame.columns)
    assert [r[0] for r in cells[1:]] == list(table.frame.index)


def test_a_four_model_ten_regressor_table_is_planned_on_one_a4_page():
    from spatial.models._table_docx import _PAPER_CM, _plan

    header = ["", "(1) SEM", "(2) SAR", "(3) SAC", "(4) SDM", "(4) SDM W×X", "(4) SDM 直接效应", "(4) SDM 间接效应",
              "(4) SDM 总效应"]
    rows = []
    for i in range(10):
        rows += [[f"数字经济{i}"] + ["-10.123***"] * 8, [""] + ["(12.345)"] * 8]
    rows += [[label] + ["-1234.567"] * 8 for label in ("ρ", "", "λ", "", "常数项", "", "σ²", "对数似然值", "AIC",
                                                        "BIC", "R²", "伪R²", "观测值", "个体固定效应", "时间固定效应")]
    size, landscape, first, widths, _, _ = _plan(header, rows, ("注：括号内为z统计量。",), "表1", "a4")
    assert not landscape and size >= 8
    assert first + sum(widths) <= _PAPER_CM["a4"][0] - 2 * 2.5 + 1e-9  # inside the text width
    assert (len(rows) + 4) * size * 1.2 * 2.54 / 72 <= _PAPER_CM["a4"][1] - 2 * 2.5  # rows, header, note: one page


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed (Debian: libreoffice-writer-nogui)")
def test_the_provincial_main_table_prints_on_one_a4_page_in_libreoffice(tmp_path):
    """Issue 14's table (4 models, 10 regressors, W×X and effects columns, Chinese labels) as a word
    processor lays it out: one page. With a tab before each number LibreOffice wrapped the
    negative numbers over two lines and the table took two pages (docs/gallery.md's study)."""
    import re

    from spatial.models._table_docx import write_docx

    header = ["", "(1) OLS", "(2) SAR", "(2) SAR 直接效应", "(2) SAR 间接效应", "(2) SAR 总效应", "(3) SEM", "(4) SDM",
              "(4) SDM W×X", "(4) SDM 直接效应", "(4) SDM 间接效应", "(4) SDM 总效应"]
    rows = []
    for label in ("数字经济", "金融发展", "人力资本", "研发投入", "对外开放", "城镇化率", "产业结构", "政府干预",
                  "经济发展水平", "基础设施"):
        rows += [[label] + ["-0.314***"] * 11, [""] + ["(-14.131)"] * 11]
    rows += [[label] + ["-1081.097"] * 4 + [""] * 7 for label in ("ρ", "", "λ", "", "σ²", "对数似然值", "AIC", "BIC",
                                                                     "R²", "伪R²", "观测值", "个体固定效应", "时间固定效应")]
    write_docx(tmp_path / "t.docx", header, rows, ("注：括号内为z统计量（OLS与SLX为t统计量）。***、**、*分别表示在1%、5%、"
                                                   "10%的水平上显著。",), "被解释变量：log(inn)")
    run = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "t.docx")],
                         capture_output=True, text=True, timeout=300, env={**__import__("os").environ, "HOME": str(tmp_path)})
    assert run.returncode == 0, run.stderr
    pdf = (tmp_path / "t.pdf").read_bytes()
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no pdflatex on this machine (Debian: texlive-latex-extra)")
def test_latex_compiles_with_plain_pdflatex(results, tmp_path):
    table = compare(results, effects=True, layout="columns", labels={"HOVAL": "house_value & 100% #1 {x}"})
    (tmp_path / "t.tex").write_text(table.to_latex(document=True), encoding="ascii")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "t.tex"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "t.pdf").stat().st_size > 1000


def test_markdown_is_a_pipe_table_with_escaped_labels(results, tmp_path):
    table = compare(results, labels={"HOVAL": "a|b"})
    table.write(tmp_path / "t.md")
    text = (tmp_path / "t.md").read_text(encoding="utf-8")
    assert "| a\\|b | " in text and "|:---|---:|---:|---:|" in text and "| N | 49 | 49 | 49 |" in text
    lines = [line for line in text.splitlines() if line.startswith("| ")]
    assert len({line.replace("\\|", "").count("|") for line in lines}) == 1  # every row has the same cells


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no pdflatex on this machine (Debian: texlive-latex-extra)")
def test_a_wide_table_fits_its_page(tmp_path):
    """4 models, W*X and Direct | Indirect | Total: 12 columns ran 170 pt past the page; a wide table
    is set small on a landscape page and pdflatex reports no overfull box."""
    from spatial.models.table import ComparisonTable

    columns = [f"({i}) SDM" for i in range(1, 5)] + ["W*X (1)", "W*X (2)", "W*X (3)", "W*X (4)",
                                                      "Direct", "Indirect", "Total", "W*X (5)"]
    rows = {f"x{k}": ["-10.992***"] * len(columns) for k in range(10)}
    table = ComparisonTable(frame=pd.DataFrame(rows, index=columns).T, notes=("Standard errors in parentheses.",),
                            title="Dependent variable: y")
    (tmp_path / "t.tex").write_text(table.to_latex(document=True), encoding="ascii")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "t.tex"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    assert "Overfull \\hbox" not in (tmp_path / "t.log").read_text(encoding="latin-1")
