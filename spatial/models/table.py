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

import pandas as pd

from spatial.choices import Language, Layout, Position, TableStat
from spatial._fs import PathLike, atomic_path, check_output, write_text_atomic
from spatial._options import check_option
from spatial.errors import SpatialPanelError
from spatial.models._table_docx import Paper
from spatial.models.catalog import MODELS
from spatial.models.result import Result, stars

__all__ = ["compare", "effects_table", "ComparisonTable", "TableStat", "Language"]


_WORDS = {
    "en": {
        "estimator": "Estimator", "ak_test": "Anselin-Kelejian [p]", "first_stage_f": "First-stage F (min)",
        "const": "Constant", "sigma2": "sigma2", "loglik": "Log-likelihood", "aic": "AIC", "bic": "BIC",
        "r2": "R2", "pseudo_r2": "Pseudo R2", "nobs": "N", "unit_fe": "Unit fixed effects",
        "time_fe": "Time fixed effects", "yes": "Yes", "no": "No", "direct": "Direct effect",
        "indirect": "Indirect effect", "total": "Total effect", "variable": "Variable",
        "dependent": "Dependent variable", "colon": ": ", "comma": ", ", "direct_col": "Direct", "indirect_col": "Indirect", "total_col": "Total",
        "se": "Standard errors in parentheses.", "z": "z statistics in parentheses (t for OLS and SLX).",
        "p": "p-values in parentheses.", "stars": "*** p<{2}, ** p<{1}, * p<{0}.",
        "tau": "y(t-1)", "eta": "W*y(t-1)", "sr": "Short-run ", "lr": "Long-run ",
        "dynamic": "The first period is the initial condition of the dynamic models (T-1 periods estimated).",
        "cov": "Covariance: {}.",
    },
    "zh": {
        "estimator": "估计方法", "ak_test": "Anselin-Kelejian 检验 [p]", "first_stage_f": "第一阶段 F 值 (最小)",
        "const": "常数项", "sigma2": "σ²", "loglik": "对数似然值", "aic": "AIC", "bic": "BIC",
        "r2": "R²", "pseudo_r2": "伪R²", "nobs": "观测值", "unit_fe": "个体固定效应", "time_fe": "时间固定效应",
        "yes": "是", "no": "否", "direct": "直接效应", "indirect": "间接效应", "total": "总效应",
        "variable": "变量", "dependent": "被解释变量", "colon": "：", "comma": "、", "direct_col": "直接效应", "indirect_col": "间接效应",
        "total_col": "总效应",
        "se": "注：括号内为标准误。", "z": "注：括号内为z统计量（OLS与SLX为t统计量）。", "p": "注：括号内为p值。",
        "stars": "***、**、*分别表示在{2}、{1}、{0}的水平上显著。",
        "tau": "y(t-1)", "eta": "W*y(t-1)", "sr": "短期", "lr": "长期",
        "dynamic": "动态模型以第一期为初始条件（估计T-1期）。",
        "cov": "协方差矩阵：{}。",
    },
}
# The statistic rows in LaTeX (math mode, so plain pdflatex compiles them).
_LATEX_WORDS = {"tau": r"$y_{t-1}$", "eta": r"$W y_{t-1}$", "rho": r"$\rho$", "lambda": r"$\lambda$", "sigma2": r"$\sigma^2$", "r2": r"$R^2$",
                "pseudo_r2": {"en": r"Pseudo $R^2$", "zh": r"伪$R^2$"}}


def check_digits(digits: object) -> None:
    """Refuse a number of decimals that is not an integer from 0 to 10."""
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 10:
        raise SpatialPanelError(f"digits must be an integer from 0 to 10, got {digits!r}")


def _pct(level: float) -> str:
    return f"{level * 100:g}%"


@dataclass(frozen=True)
class ComparisonTable:
    """A journal table: ``frame`` holds the display strings (rows x models)."""

    frame: pd.DataFrame
    notes: tuple[str, ...]
    title: str = ""
    latex_index: tuple[str, ...] = ()  # the row labels as LaTeX (math symbols); empty: escaped frame labels
    stub: str = ""  # the header of the label column ("变量", "年份"); empty in a models table

    def __str__(self) -> str:
        return self.to_text()

    def to_text(self) -> str:
        """Aligned plain text (Chinese characters count two columns, as terminals draw them)."""
        frame = self.frame
        first = max([_width(i) for i in frame.index] + [1])
        widths = [max([_width(c)] + [_width(v) for v in frame.iloc[:, j]]) for j, c in enumerate(frame.columns)]
        rule = "-" * (first + sum(w + 2 for w in widths))
        lines = [self.title] if self.title else []
        header = "".join("  " + _pad(c, w, right=True) for c, w in zip(frame.columns, widths, strict=True))
        first = max(first, _width(self.stub))
        lines += [rule, _pad(self.stub, first) + header, rule]
        for label, row in frame.iterrows():
            lines.append(_pad(label, first) + "".join("  " + _pad(v, w, right=True)
                                                      for v, w in zip(row, widths, strict=True)))
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
        parts.append(f"<thead><tr><th>{e(self.stub)}</th>{heads}</tr></thead><tbody>")
        for label, row in self.frame.iterrows():
            cells = "".join(f"<td>{e(v)}</td>" for v in row)
            parts.append(f"<tr><th style='text-align:left'>{e(label)}</th>{cells}</tr>")
        parts.append("</tbody></table>")
        parts += [f"<p>{e(n)}</p>" for n in self.notes]
        return "\n".join(parts)

    def to_markdown(self) -> str:
        """A pipe table (GitHub / Pandoc), numbers right-aligned, the notes below; ``|`` in labels escaped."""

        def cell(text: object) -> str:
            return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")

        lines = [f"**{cell(self.title)}**", ""] if self.title else []
        lines.append(f"| {cell(self.stub)} | " + " | ".join(cell(c) for c in self.frame.columns) + " |")
        lines.append("|:---|" + "---:|" * len(self.frame.columns))
        lines += ["| " + cell(label) + " | " + " | ".join(cell(v) for v in row) + " |"
                  for label, row in self.frame.iterrows()]
        lines += [""] + [cell(n) for n in self.notes]
        return "\n".join(lines)

    def to_latex(self, *, document: bool = False) -> str:
        r"""A ``table`` float with a booktabs tabular in a threeparttable, the note as its table note.

        Needs ``\usepackage{booktabs,threeparttable}``; ``document=True`` gives a complete file
        (with xeCJK, for xelatex, when a label is Chinese). Symbols are in math mode, so English
        tables with ASCII labels compile with plain pdflatex.
        """
        from spatial.models._table_latex import latex_table, latex_text

        index = self.latex_index or tuple(latex_text(label) for label in self.frame.index)
        rows = [(label, [str(v) for v in row]) for label, (_, row) in zip(index, self.frame.iterrows(), strict=True)]
        return latex_table([str(c) for c in self.frame.columns], rows, self.notes, self.title, document=document,
                           stub=self.stub)

    def _cells(self) -> list[list[str]]:
        header = [self.stub] + [str(c) for c in self.frame.columns]
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

    def to_docx(self, path: PathLike, *, overwrite: bool = False, paper: Paper = "a4") -> None:
        """A Word document: a three-line table in Times New Roman (宋体 for Chinese), compact rows,
        numbers aligned on the decimal point, the note under the bottom rule; A4 or ``paper="letter"``."""
        from spatial.models._table_docx import write_docx

        check_option("paper", paper, Paper)
        target = check_output(path, overwrite=overwrite)
        cells = self._cells()
        with atomic_path(target) as tmp:
            write_docx(tmp, cells[0], cells[1: len(self.frame) + 1], self.notes, self.title, paper=paper)

    def write(self, path: PathLike, *, overwrite: bool = False) -> None:
        """Write by extension: .txt, .md, .csv, .html, .tex, .xlsx or .docx."""
        from pathlib import Path

        suffix = Path(path).suffix.lower()
        if suffix == ".csv":
            self.to_csv(path, overwrite=overwrite)
        elif suffix == ".xlsx":
            self.to_xlsx(path, overwrite=overwrite)
        elif suffix == ".docx":
            self.to_docx(path, overwrite=overwrite)
        elif suffix in (".txt", ".html", ".htm", ".tex", ".md"):
            text = {".txt": self.to_text, ".html": self.to_html, ".htm": self.to_html, ".tex": self.to_latex,
                    ".md": self.to_markdown}[suffix]()
            write_text_atomic(check_output(path, overwrite=overwrite), text + "\n")
        else:
            raise SpatialPanelError(f"unknown table format {suffix!r}; use .txt, .md, .csv, .html, .tex, .xlsx or .docx")


def _width(text: object) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text))


def _pad(text: object, width: int, *, right: bool = False) -> str:
    fill = " " * max(0, width - _width(text))
    return fill + str(text) if right else str(text) + fill


def _sheet_safe(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _number(value: float, digits: int) -> str:
    if value is None or not math.isfinite(value):
        return ""
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text  # -0.000 prints as 0.000


def _parenthesis(value: float, digits: int) -> str:
    value = float(value)
    return f"({_number(value, digits)})" if math.isfinite(value) else "(n/a)"


_EFFECTS = ("direct", "indirect", "total")
_LONG_RUN = tuple(f"lr_{kind}" for kind in _EFFECTS)  # dynamic models: the long-run block
_SPATIAL = ("tau", "eta", "rho", "lambda", "const")  # rows after the regressors, in this order


def compare(
    results: Sequence[Result] | Mapping[str, Result],
    *,
    stat: TableStat = "se",
    levels: tuple[float, float, float] = (0.1, 0.05, 0.01),
    lang: Language = "en",
    digits: int = 3,
    effects: bool = False,
    layout: Layout = "rows",
    labels: Mapping[str, str] | None = None,
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
        Significance levels for one, two and three stars (10%, 5%, 1%); stated in the note.
    lang
        ``"en"`` or ``"zh"`` row labels and notes.
    digits
        Decimals of every estimate, statistic and summary row (AIC and log-likelihood included).
    effects
        Add the direct, indirect and total effects of the models that have them.
    layout
        ``"rows"``: W*X coefficients and effects as rows below the coefficients; ``"columns"``:
        as papers print a spatial Durbin model, a W*X column beside each model that has lagged
        regressors and Direct | Indirect | Total columns beside each model with effects, the
        regressors as rows.
    labels
        Display names of the variables, e.g. ``{"dig": "数字经济"}``; applied to W*X rows, effects,
        the dependent variable and every format.

    Raises
    ------
    SpatialPanelError
        For an empty list, objects that are not results, labels for variables that are in no model,
        or labels that give two rows the same name.

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
    '50.963'
    """
    check_option("stat", stat, TableStat)
    check_option("lang", lang, Language)
    check_option("layout", layout, Layout)
    check_digits(digits)
    items = list(results.items()) if isinstance(results, Mapping) else [(None, r) for r in results]
    if not items:
        raise SpatialPanelError("compare() needs at least one fitted result")
    for _, r in items:
        if not isinstance(r, Result):
            raise SpatialPanelError(f"compare() takes results of spatial.models.fit, got {type(r).__name__}")
    words = _WORDS[lang]
    names = [label or f"({i}) {MODELS[r.model].short}" for i, (label, r) in enumerate(items, start=1)]
    ordered: list[str] = []
    for _, r in items:
        ordered += [n for n in r.params.index if n not in ordered]
    shown = _labels(labels, ordered, [r.spec.y for _, r in items])
    columns = _columns(items, names, words, effects, layout)
    builder = _Rows(columns, digits, levels, stat)
    plain = [n for n in ordered if not n.startswith("W*") and n not in _SPATIAL]
    lagged = [n for n in ordered if n.startswith("W*")]
    effect_variables = [v for _, r in items if effects and r.effects is not None for v in r.effects.variables]
    if layout == "columns":
        plain += [v for v in dict.fromkeys(effect_variables) if v not in plain]
        lagged = [n for n in lagged if n[2:] not in plain]  # lagged terms without their own X stay rows
    for name in plain + lagged + [n for n in _SPATIAL if n in ordered]:
        text = words["const"] if name == "const" else _symbol(name, lang) if name in ("rho", "lambda") else \
            words[name] if name in ("tau", "eta") else shown(name)
        latex = _LATEX_WORDS[name] if name in _LATEX_WORDS and name != "const" else None
        builder.coefficient(name, text, latex)
    dynamic = any(r.spec.dynamic for _, r in items)
    if effects and layout == "rows":
        for horizon in (("sr", "lr") if dynamic else ("",)):
            for kind in _EFFECTS:
                for variable in dict.fromkeys(effect_variables):
                    word = words[kind] if not horizon or lang == "zh" else words[kind].lower()
                    builder.effect(kind, variable, f"{words[horizon] if horizon else ''}{word}: {shown(variable)}",
                                   long_run=horizon == "lr")
    builder.summary("sigma2", words["sigma2"], lambda r: _number(r.sigma2, digits), _LATEX_WORDS["sigma2"])
    if any(r.loglik is not None for _, r in items):  # no likelihood rows for a table of GMM fits
        builder.summary("loglik", words["loglik"], lambda r: _number(r.loglik, digits))
        builder.summary("aic", words["aic"], lambda r: _number(r.aic, digits))
        builder.summary("bic", words["bic"], lambda r: _number(r.bic, digits))
    if any(r.spec.estimator == "gmm" for _, r in items):
        _gmm_rows(builder, items, words, digits)
    builder.summary("r2", words["r2"], lambda r: _number(r.r2, digits), _LATEX_WORDS["r2"])
    builder.summary("pseudo_r2", words["pseudo_r2"], lambda r: _number(r.pseudo_r2, digits),
                    _LATEX_WORDS["pseudo_r2"][lang])
    builder.summary("nobs", words["nobs"], lambda r: str(int(r.nobs)))
    builder.summary("unit_fe", words["unit_fe"],
                    lambda r: words["yes"] if r.spec.fe in ("unit", "twoway") else words["no"])
    builder.summary("time_fe", words["time_fe"],
                    lambda r: words["yes"] if r.spec.fe in ("time", "twoway") else words["no"])
    frame = pd.DataFrame([cells for _, _, cells in builder.rows], index=[t for t, _, _ in builder.rows],
                         columns=[c.name for c in columns])
    dependents = list(dict.fromkeys(shown(r.spec.y) for _, r in items))
    heading = title or f"{words['dependent']}{words['colon']}{words['comma'].join(dependents)}"
    notes = (words[stat] + (" " if lang == "en" else "") + words["stars"].format(*[_pct(v) for v in levels]),)
    if dynamic:
        notes += (words["dynamic"],)
    notes += _cov_note(items, names, words)
    return ComparisonTable(frame=frame, notes=notes, title=heading,
                           latex_index=tuple(latex for _, latex, _ in builder.rows))


def _gmm_rows(builder, items, words, digits: int) -> None:
    """Estimator, Anselin-Kelejian test and the smallest first-stage F of tables with GMM fits."""
    builder.summary("estimator", words["estimator"], lambda r: "GMM/IV" if r.spec.estimator == "gmm" else "ML")

    def ak(r):
        test = r.tests.get("anselin_kelejian")
        return "" if test is None else f"{_number(test.statistic, digits)} [{_number(test.p_value, digits)}]"

    def weakest(r):
        stages = r.details.get("first_stage") or {}
        return "" if not stages else _number(min(s["f"] for s in stages.values()), digits)

    if any("anselin_kelejian" in r.tests for _, r in items):
        builder.summary("ak_test", words["ak_test"], ak)
    if any(r.details.get("first_stage") for _, r in items):
        builder.summary("first_stage_f", words["first_stage_f"], weakest)


def _cov_note(items, names: list[str], words: dict) -> tuple[str, ...]:
    """A note naming the covariance when any model uses a robust one (the default needs none)."""
    from spatial.models._robust import ROBUST

    labels = [r.details.get("cov_label", "") for _, r in items]
    if not any(r.spec.cov in ROBUST for _, r in items):
        return ()
    if len(set(labels)) == 1:
        return (words["cov"].format(labels[0]),)
    return (words["cov"].format("; ".join(f"{n} {label}" for n, label in zip(names, labels, strict=True))),)


def _symbol(name: str, lang: str) -> str:
    return {"rho": "ρ", "lambda": "λ"}[name] if lang == "zh" else name


def _labels(labels: Mapping[str, str] | None, names: list[str], dependents: list[str]):
    """The display name of a term: its label, ``W*`` + label for lagged terms, else the term itself."""
    mapping = dict(labels or {})
    for key, value in mapping.items():
        if not isinstance(key, str) or not isinstance(value, str) or not value.strip():
            raise SpatialPanelError(f"labels map variable names to non-blank text; got {key!r}: {value!r}")
    known = set(names) | {n[2:] for n in names if n.startswith("W*")} | set(dependents)
    unknown = [k for k in mapping if k not in known]
    if unknown:
        raise SpatialPanelError(f"labels given for {unknown}, which are in no model of the table; the variables "
                                f"are {sorted(known - {'const', 'rho', 'lambda'})}: fix or remove those labels")
    targets: dict[str, list[str]] = {}
    for key, value in mapping.items():
        targets.setdefault(value, []).append(key)
    clashes = {value: keys for value, keys in targets.items() if len(keys) > 1}
    taken = {n: [n] for n in known if n not in mapping and n in targets}  # a label equal to another name
    if clashes or taken:
        both = {v: targets[v] + taken.get(v, []) for v in {**clashes, **taken}}
        raise SpatialPanelError(f"labels would give two rows the same name: {both}; choose distinct labels")

    def shown(name: str) -> str:
        if name.startswith("W*") and name not in mapping:
            return "W*" + mapping.get(name[2:], name[2:])
        return mapping.get(name, name)

    return shown


@dataclass(frozen=True)
class _Column:
    """One column: which result it reads and what (the coefficients, the W*X terms or one effect)."""

    name: str
    result: Result
    part: str  # "model", "wx", "direct", "indirect", "total"


def _columns(items, names: list[str], words: dict, effects: bool, layout: str) -> list[_Column]:
    columns = []
    for name, (_, r) in zip(names, items, strict=True):
        columns.append(_Column(name, r, "model"))
        if layout != "columns":
            continue
        if any(n.startswith("W*") for n in r.params.index):
            columns.append(_Column(f"{name} W×X", r, "wx"))
        if effects and r.effects is not None:
            short = words["sr"] if r.spec.dynamic else ""
            columns += [_Column(f"{name} {short}{words[kind + '_col']}", r, kind) for kind in _EFFECTS]
        if effects and r.long_run_effects is not None:
            columns += [_Column(f"{name} {words['lr']}{words[kind + '_col']}", r, f"lr_{kind}") for kind in _EFFECTS]
    return columns


class _Rows:
    """Collects (label, LaTeX label or None, cells) rows; a statistic row follows each estimate row."""

    def __init__(self, columns: list[_Column], digits: int, levels, stat: str) -> None:
        self.columns, self.digits, self.levels, self.stat = columns, digits, levels, stat
        self.rows: list[tuple[str, str, list[str]]] = []

    def _add(self, label: str, latex: str | None, cells: list[str]) -> None:
        from spatial.models._table_latex import latex_text

        self.rows.append((label, latex or latex_text(label), cells))

    def _pair(self, estimate: float, error: float, z: float, p: float) -> tuple[str, str]:
        value = {"se": error, "z": z, "p": p}[self.stat]
        return _number(float(estimate), self.digits) + stars(float(p), self.levels), _parenthesis(value, self.digits)

    def _effect_pair(self, effects, variable: str, kind: str) -> tuple[str, str]:
        return self._pair(effects.estimates.at[variable, kind], effects.std_errors.at[variable, kind],
                          effects.zstats.at[variable, kind], effects.pvalues.at[variable, kind])

    def coefficient(self, name: str, label: str, latex: str | None) -> None:
        top, below = [], []
        for column in self.columns:
            r, pair = column.result, ("", "")
            if column.part in _EFFECTS + _LONG_RUN:
                eff = r.long_run_effects if column.part in _LONG_RUN else r.effects
                if eff is not None and name in eff.variables:
                    pair = self._effect_pair(eff, name, column.part.removeprefix("lr_"))
            else:
                term = "W*" + name if column.part == "wx" else name
                if term in r.params.index:
                    pair = self._pair(r.params[term], r.std_errors[term], r.zstats[term], r.pvalues[term])
            top.append(pair[0])
            below.append(pair[1])
        self._add(label, latex, top)
        self._add("", "", below)

    def effect(self, kind: str, variable: str, label: str, *, long_run: bool = False) -> None:
        top, below = [], []
        for column in self.columns:
            eff = column.result.long_run_effects if long_run else column.result.effects
            pair = ("", "")
            if column.part == "model" and eff is not None and variable in eff.variables:
                pair = self._effect_pair(eff, variable, kind)
            top.append(pair[0])
            below.append(pair[1])
        self._add(label, None, top)
        self._add("", "", below)

    def summary(self, key: str, label: str, value, latex: str | None = None) -> None:
        self._add(label, latex, [value(c.result) if c.part == "model" else "" for c in self.columns])


def effects_table(
    results: Result | Sequence[Result] | Mapping[str, Result],
    *,
    stat: TableStat = "z",
    levels: tuple[float, float, float] = (0.1, 0.05, 0.01),
    lang: Language = "en",
    digits: int = 3,
    position: Position = "below",
    labels: Mapping[str, str] | None = None,
    title: str = "",
) -> ComparisonTable:
    """The effects table of a paper: regressors as rows, Direct | Indirect | Total as columns.

    Every estimate carries its stars; the statistic (``stat``) sits in parentheses on the line
    below (``position="below"``) or beside it (``"beside"``: ``0.395*** (4.339)``). Several results
    (under several W, or by group) give blocks of three columns side by side, each headed by the
    result's name. Every number has ``digits`` decimals, so effects of very different sizes
    (0.002 beside -10.272) line up with the same precision.

    Parameters
    ----------
    results
        One result, a list (blocks named "(1) SDM", ...) or a mapping block name -> result; only
        results with effects are shown.
    stat, levels, lang, digits, labels, title
        As in :func:`compare`.
    position
        ``"below"`` (a statistic row under each regressor) or ``"beside"`` (one row per regressor).

    Raises
    ------
    SpatialPanelError
        When no result has effects (OLS, SEM, SLX without effects), or for bad options.

    Examples
    --------
    >>> from libpysal.graph import Graph
    >>> from spatial import SpatialPanel, datasets
    >>> from spatial.models import fit, effects_table
    >>> states = datasets.load("us48_states")
    >>> panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year", geometry=states)
    >>> w = Graph.build_contiguity(states.set_index("fips"), rook=False).transform("r")
    >>> sar = fit(panel, w, y="log(gsp)", x=["log(pcap)", "log(emp)"], model="sar", period=1986, draws=0,
    ...           inference="delta")
    >>> table = effects_table(sar, lang="zh", position="beside")
    >>> list(table.frame.columns), table.stub
    (['直接效应', '间接效应', '总效应'], '变量')
    >>> table.frame.loc["log(emp)", "直接效应"]
    '0.774*** (14.950)'
    """
    check_option("stat", stat, TableStat)
    check_option("lang", lang, Language)
    check_option("position", position, Position)
    check_digits(digits)
    if isinstance(results, Result):
        items = [("", results)]
    elif isinstance(results, Mapping):
        items = list(results.items())
    else:
        items = [(f"({i}) {MODELS[r.model].short}" if isinstance(r, Result) else "", r)
                 for i, r in enumerate(results, start=1)]
    for _, r in items:
        if not isinstance(r, Result):
            raise SpatialPanelError(f"effects_table() takes results of spatial.models.fit, got {type(r).__name__}")
    items = [(name, r) for name, r in items if r.effects is not None]
    if not items:
        raise SpatialPanelError("effects_table(): no result has effects (they exist for SAR, SDM, SAC and SLX "
                                "models fitted with effects)")
    words = _WORDS[lang]
    # a dynamic model gives two blocks side by side: its short-run and its long-run effects
    blocks = []
    for name, r in items:
        if r.spec.dynamic:
            blocks.append((f"{name} {words['sr'].strip()}".strip(), r, r.effects))
            if r.long_run_effects is not None:
                blocks.append((f"{name} {words['lr'].strip()}".strip(), r, r.long_run_effects))
        else:
            blocks.append((name, r, r.effects))
    variables = list(dict.fromkeys(v for _, r in items for v in r.effects.variables))
    shown = _labels(labels, variables + [n for _, r in items for n in r.params.index], [r.spec.y for _, r in items])
    heads = [words[kind + "_col"] for kind in _EFFECTS]
    columns = [f"{name} {head}".strip() for name, _, _ in blocks for head in heads]
    builder = _Rows([], digits, levels, stat)
    rows: list[tuple[str, list[str]]] = []
    for variable in variables:
        top, below = [], []
        for _, _, eff in blocks:
            for kind in _EFFECTS:
                pair = builder._effect_pair(eff, variable, kind) if variable in eff.variables else ("", "")
                top.append(pair[0])
                below.append(pair[1])
        if position == "beside":
            rows.append((shown(variable), [f"{a} {b}".strip() for a, b in zip(top, below, strict=True)]))
        else:
            rows += [(shown(variable), top), ("", below)]
    frame = pd.DataFrame([cells for _, cells in rows], index=[label for label, _ in rows], columns=columns)
    dependents = list(dict.fromkeys(shown(r.spec.y) for _, r in items))
    heading = title or f"{words['dependent']}{words['colon']}{words['comma'].join(dependents)}"
    notes = (words[stat] + (" " if lang == "en" else "") + words["stars"].format(*[_pct(v) for v in levels]),)
    if any(r.spec.dynamic for _, r in items):
        notes += (words["dynamic"],)
    return ComparisonTable(frame=frame, notes=notes, title=heading, stub=words["variable"])
