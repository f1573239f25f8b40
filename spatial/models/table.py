"""Several models side by side, as journals print them.

Coefficients with significance stars and their standard errors (or z / t statistics, or p-values)
in parentheses below, the spatial parameters rho and lambda, sigma2, log-likelihood, AIC, BIC,
R2, N and fixed-effects rows; optionally the direct, indirect and total effects. Labels in English
or Chinese (the wording of Chinese journals: 常数项, 对数似然值, 个体固定效应 ...). Exported as
text, CSV, HTML (escaped), LaTeX (booktabs), Excel and Word (a three-line table).

Number cells are generated here from floats (digits, sign, stars, parentheses) and cannot carry
a formula; every cell that comes from the user's names is neutralised for spreadsheets
(RELIABILITY F6): CSV cells starting with = + - @ get a leading apostrophe and Excel cells are
written as text, never as formulas.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from spatial._fs import PathLike, atomic_path, check_output, write_text_atomic
from spatial._options import check_option
from spatial.errors import SpatialPanelError
from spatial.models.catalog import MODELS
from spatial.models.result import Result, stars

__all__ = ["compare", "ComparisonTable", "TableStat", "Language"]

TableStat = Literal["se", "z", "p"]
Language = Literal["en", "zh"]

_WORDS = {
    "en": {
        "const": "Constant", "sigma2": "sigma2", "loglik": "Log-likelihood", "aic": "AIC", "bic": "BIC",
        "r2": "R2", "pseudo_r2": "Pseudo R2", "nobs": "N", "unit_fe": "Unit fixed effects",
        "time_fe": "Time fixed effects", "yes": "Yes", "no": "No", "direct": "Direct effect",
        "indirect": "Indirect effect", "total": "Total effect", "variable": "Variable",
        "dependent": "Dependent variable",
        "se": "Standard errors in parentheses.", "z": "z statistics in parentheses (t for OLS and SLX).",
        "p": "p-values in parentheses.", "stars": "*** p<{2}, ** p<{1}, * p<{0}.",
    },
    "zh": {
        "const": "常数项", "sigma2": "σ²", "loglik": "对数似然值", "aic": "AIC", "bic": "BIC",
        "r2": "R²", "pseudo_r2": "伪R²", "nobs": "观测值", "unit_fe": "个体固定效应", "time_fe": "时间固定效应",
        "yes": "是", "no": "否", "direct": "直接效应", "indirect": "间接效应", "total": "总效应",
        "variable": "变量", "dependent": "被解释变量",
        "se": "注：括号内为标准误。", "z": "注：括号内为z统计量（OLS与SLX为t统计量）。", "p": "注：括号内为p值。",
        "stars": "***、**、*分别表示在{2}、{1}、{0}的水平上显著。",
    },
}


def _pct(level: float) -> str:
    return f"{level * 100:g}%"


@dataclass(frozen=True)
class ComparisonTable:
    """A journal table: ``frame`` holds the display strings (rows x models)."""

    frame: pd.DataFrame
    notes: tuple[str, ...]
    title: str = ""

    def __str__(self) -> str:
        return self.to_text()

    def to_text(self) -> str:
        """Aligned plain text."""
        frame = self.frame
        first = max([len(str(i)) for i in frame.index] + [1])
        widths = [max([len(str(c))] + [len(str(v)) for v in frame[c]]) for c in frame.columns]
        rule = "-" * (first + sum(w + 2 for w in widths))
        lines = [self.title] if self.title else []
        header = "".join(f"  {str(c):>{w}}" for c, w in zip(frame.columns, widths, strict=True))
        lines += [rule, " " * first + header, rule]
        for label, row in frame.iterrows():
            lines.append(f"{label:<{first}}" + "".join(f"  {str(v):>{w}}" for v, w in zip(row, widths, strict=True)))
        lines.append(rule)
        lines += list(self.notes)
        return "\n".join(lines)

    def to_html(self) -> str:
        """An HTML table; every label is escaped (names may come from user data)."""
        from maps.shared import safe_text as e

        parts = ["<table class='spatial-compare'>"]
        if self.title:
            parts.append(f"<caption>{e(self.title)}</caption>")
        heads = "".join(f"<th>{e(c)}</th>" for c in self.frame.columns)
        parts.append(f"<thead><tr><th></th>{heads}</tr></thead><tbody>")
        for label, row in self.frame.iterrows():
            cells = "".join(f"<td>{e(v)}</td>" for v in row)
            parts.append(f"<tr><th style='text-align:left'>{e(label)}</th>{cells}</tr>")
        parts.append("</tbody></table>")
        parts += [f"<p>{e(n)}</p>" for n in self.notes]
        return "\n".join(parts)

    def to_latex(self) -> str:
        """A booktabs tabular (needs ``\\usepackage{booktabs}``)."""
        from spatial.models._render import latex_escape as x

        cols = "l" + "c" * len(self.frame.columns)
        lines = [f"\\begin{{tabular}}{{{cols}}}", r"\toprule",
                 " & " + " & ".join(x(c) for c in self.frame.columns) + r" \\", r"\midrule"]
        for label, row in self.frame.iterrows():
            lines.append(x(label) + " & " + " & ".join(x(v) for v in row) + r" \\")
        lines += [r"\bottomrule", r"\end{tabular}"]
        lines += [f"% {x(n)}" for n in self.notes]
        return "\n".join(lines)

    def _cells(self) -> list[list[str]]:
        header = [""] + [str(c) for c in self.frame.columns]
        rows = [[str(label)] + [str(v) for v in row] for label, row in self.frame.iterrows()]
        return [header, *rows, *[[n] for n in self.notes]]

    def to_csv(self, path: PathLike | None = None, *, overwrite: bool = False) -> str:
        """CSV text (UTF-8 with BOM when written, so Excel reads Chinese labels); formula-safe."""
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for i, row in enumerate(self._cells()):
            writer.writerow([_sheet_safe(c) if (j == 0 or i == 0) else c for j, c in enumerate(row)])
        text = buffer.getvalue()
        if path is not None:
            target = check_output(path, overwrite=overwrite)
            with atomic_path(target) as tmp:
                tmp.write_text(text, encoding="utf-8-sig")
        return text

    def to_xlsx(self, path: PathLike, *, overwrite: bool = False) -> None:
        """An Excel sheet; every cell is stored as text, never as a formula."""
        from openpyxl import Workbook

        target = check_output(path, overwrite=overwrite)
        book = Workbook()
        sheet = book.active
        sheet.title = "models"
        for r, row in enumerate(self._cells(), start=1):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c)
                cell.value = value
                cell.data_type = "s"
        with atomic_path(target) as tmp:
            book.save(tmp)

    def to_docx(self, path: PathLike, *, overwrite: bool = False) -> None:
        """A Word document with the table in the three-line style (top, header and bottom rules)."""
        from docx import Document
        from docx.shared import Pt

        target = check_output(path, overwrite=overwrite)
        document = Document()
        if self.title:
            document.add_paragraph(self.title)
        cells = self._cells()[: len(self.frame) + 1]
        table = document.add_table(rows=len(cells), cols=len(cells[0]))
        for r, row in enumerate(cells):
            for c, value in enumerate(row):
                cell = table.cell(r, c)
                cell.text = value
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = Pt(9)
        _three_line(table)
        for note in self.notes:
            document.add_paragraph(note)
        with atomic_path(target) as tmp:
            document.save(str(tmp))

    def write(self, path: PathLike, *, overwrite: bool = False) -> None:
        """Write by extension: .txt, .csv, .html, .tex, .xlsx or .docx."""
        from pathlib import Path

        suffix = Path(path).suffix.lower()
        if suffix == ".csv":
            self.to_csv(path, overwrite=overwrite)
        elif suffix == ".xlsx":
            self.to_xlsx(path, overwrite=overwrite)
        elif suffix == ".docx":
            self.to_docx(path, overwrite=overwrite)
        elif suffix in (".txt", ".html", ".htm", ".tex"):
            text = {".txt": self.to_text, ".html": self.to_html, ".htm": self.to_html, ".tex": self.to_latex}[suffix]()
            write_text_atomic(check_output(path, overwrite=overwrite), text + "\n")
        else:
            raise SpatialPanelError(f"unknown table format {suffix!r}; use .txt, .csv, .html, .tex, .xlsx or .docx")


def _sheet_safe(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _three_line(table) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def border(cell, edge: str, size: int) -> None:
        properties = cell._tc.get_or_add_tcPr()
        borders = properties.find(qn("w:tcBorders"))
        if borders is None:
            borders = OxmlElement("w:tcBorders")
            properties.append(borders)
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), str(size))
        element.set(qn("w:color"), "000000")
        borders.append(element)

    rows = table.rows
    for cell in rows[0].cells:
        border(cell, "top", 12)
        border(cell, "bottom", 6)
    for cell in rows[-1].cells:
        border(cell, "bottom", 12)


def _number(value: float, digits: int) -> str:
    if value is None or not math.isfinite(value):
        return ""
    return f"{value:.{digits}f}"


def _parenthesis(value: float, digits: int) -> str:
    value = float(value)
    return f"({_number(value, digits)})" if math.isfinite(value) else "(n/a)"


def compare(
    results: Sequence[Result] | Mapping[str, Result],
    *,
    stat: TableStat = "se",
    levels: tuple[float, float, float] = (0.1, 0.05, 0.01),
    lang: Language = "en",
    digits: int = 4,
    effects: bool = False,
    title: str = "",
) -> ComparisonTable:
    """Put fitted models side by side.

    Parameters
    ----------
    results
        Results, or a mapping from column label to result (labels default to "(1) SAR", ...).
    stat
        What the parentheses hold: ``"se"`` (standard errors), ``"z"`` (z or t) or ``"p"``.
    levels
        Significance levels for one, two and three stars (10%, 5%, 1%).
    lang
        ``"en"`` or ``"zh"`` row labels and notes.
    effects
        Add the direct, indirect and total effects of the models that have them.

    Raises
    ------
    SpatialPanelError
        For an empty list, or objects that are not results.

    Examples
    --------
    >>> from libpysal.graph import Graph
    >>> from spatial import SpatialPanel, datasets
    >>> from spatial.models import fit, compare
    >>> states = datasets.load("us48_states")
    >>> panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year", geometry=states)
    >>> w = Graph.build_contiguity(states.set_index("fips"), rook=False).transform("r")
    >>> kw = dict(y="log(gsp)", x=["log(pcap)", "log(emp)"], period=1986, draws=0)
    >>> table = compare([fit(panel, w, model=m, **kw) for m in ("ols", "sar", "sem")], lang="zh")
    >>> list(table.frame.columns)
    ['(1) OLS', '(2) SAR', '(3) SEM']
    >>> table.frame.loc["对数似然值", "(2) SAR"]
    '50.9632'
    """
    check_option("stat", stat, TableStat)
    check_option("lang", lang, Language)
    items = list(results.items()) if isinstance(results, Mapping) else [(None, r) for r in results]
    if not items:
        raise SpatialPanelError("compare() needs at least one fitted result")
    for _, r in items:
        if not isinstance(r, Result):
            raise SpatialPanelError(f"compare() takes results of spatial.models.fit, got {type(r).__name__}")
    words = _WORDS[lang]
    labels = [label or f"({i}) {MODELS[r.model].short}"
              for i, (label, r) in enumerate(items, start=1)]
    ordered: list[str] = []
    for _, r in items:
        for name in r.params.index:
            if name not in ordered:
                ordered.append(name)
    plain = [n for n in ordered if not n.startswith("W*") and n not in ("const", "rho", "lambda")]
    lagged = [n for n in ordered if n.startswith("W*")]
    order = plain + lagged + [n for n in ("rho", "lambda", "const") if n in ordered]
    rows: dict[str, list[str]] = {}
    for name in order:
        greek = {"rho": "ρ", "lambda": "λ"} if lang == "zh" else {}
        shown = {"const": words["const"], **greek}.get(name, name)
        est_row, stat_row = [], []
        for _, r in items:
            if name in r.params.index:
                p = float(r.pvalues[name])
                est_row.append(_number(float(r.params[name]), digits) + stars(p, levels))
                value = {"se": r.std_errors[name], "z": r.zstats[name], "p": r.pvalues[name]}[stat]
                stat_row.append(_parenthesis(value, digits))
            else:
                est_row.append("")
                stat_row.append("")
        rows[shown] = est_row
        rows[f"{shown} "] = stat_row  # the parenthesis row; its label is blank when shown
    if effects:
        for kind in ("direct", "indirect", "total"):
            variables: list[str] = []
            for _, r in items:
                if r.effects is not None:
                    variables += [v for v in r.effects.variables if v not in variables]
            for variable in variables:
                est_row, stat_row = [], []
                for _, r in items:
                    eff = r.effects
                    if eff is not None and variable in eff.variables:
                        p = float(eff.pvalues.at[variable, kind])
                        est_row.append(_number(float(eff.estimates.at[variable, kind]), digits) + stars(p, levels))
                        value = {"se": eff.std_errors, "z": eff.zstats, "p": eff.pvalues}[stat].at[variable, kind]
                        stat_row.append(_parenthesis(value, digits))
                    else:
                        est_row.append("")
                        stat_row.append("")
                label = f"{words[kind]}: {variable}"
                rows[label] = est_row
                rows[f"{label} "] = stat_row
    rows[words["sigma2"]] = [_number(r.sigma2, digits) for _, r in items]
    rows[words["loglik"]] = [_number(r.loglik, digits) for _, r in items]
    rows[words["aic"]] = [_number(r.aic, 2) for _, r in items]
    rows[words["bic"]] = [_number(r.bic, 2) for _, r in items]
    rows[words["r2"]] = [_number(r.r2, digits) for _, r in items]
    rows[words["pseudo_r2"]] = [_number(r.pseudo_r2, digits) for _, r in items]
    rows[words["nobs"]] = [str(r.nobs) for _, r in items]
    rows[words["unit_fe"]] = [words["yes"] if r.spec.fe in ("unit", "twoway") else words["no"] for _, r in items]
    rows[words["time_fe"]] = [words["yes"] if r.spec.fe in ("time", "twoway") else words["no"] for _, r in items]
    frame = pd.DataFrame(rows, index=labels).T
    frame.index = [label if not label.endswith(" ") else "" for label in frame.index]
    dependents = sorted({r.spec.y for _, r in items})
    heading = title or f"{words['dependent']}: {', '.join(dependents)}"
    notes = (words[stat] + (" " if lang == "en" else "") + words["stars"].format(*[_pct(v) for v in levels]),)
    return ComparisonTable(frame=frame, notes=notes, title=heading)
