"""LaTeX of a journal table: booktabs rules, a threeparttable note, symbols in math mode.

The output compiles with plain pdflatex when every label is ASCII: the statistic rows carry
their own LaTeX (``$\\rho$``, ``$\\sigma^2$``, ``$R^2$``), the few Unicode symbols that reach a
label (ρ λ σ ² × ≤ ≥) become math, significance stars are superscripts and ``<`` / ``>`` in notes
are set in math (text-mode ``<`` prints as an inverted exclamation mark under OT1). Labels with
Chinese characters need xeCJK and xelatex; the standalone document then loads it.
"""

from __future__ import annotations

import re

from spatial.models._render import latex_escape

__all__ = ["latex_text", "latex_cell", "latex_table"]

_SYMBOLS = {"ρ": r"$\rho$", "λ": r"$\lambda$", "σ": r"$\sigma$", "²": r"$^2$", "×": r"$\times$",
            "≤": r"$\leq$", "≥": r"$\geq$", "<": r"$<$", ">": r"$>$", "χ": r"$\chi$"}
_NUMBER = re.compile(r"^(\(?-?[0-9][0-9.eE+-]*\)?)(\*+)$")


def latex_text(text: object) -> str:
    r"""Escape text for LaTeX and set the known symbols in math mode.

    Examples
    --------
    >>> latex_text("σ² & p<1%")
    '$\\sigma$$^2$ \\& p$<$1\\%'
    """
    return "".join(_SYMBOLS.get(ch, ch) for ch in latex_escape(text))


def latex_cell(text: object) -> str:
    r"""A table cell: stars after a number become a superscript.

    Examples
    --------
    >>> latex_cell("-0.266***"), latex_cell("(0.089)")
    ('-0.266$^{***}$', '(0.089)')
    """
    match = _NUMBER.match(str(text))
    if match:
        return f"{match.group(1)}$^{{{match.group(2)}}}$"
    return latex_text(text)


_WIDE = 7  # more data columns than this: a wide table (small type; landscape page as a document)


def latex_table(columns: list[str], rows: list[tuple[str, list[str]]], notes: tuple[str, ...], title: str,
                *, document: bool = False, stub: str = "") -> str:
    """A ``table`` float holding a ``threeparttable`` with a booktabs tabular; rows are (LaTeX label, cells); notes under the rule.

    With ``document=True`` a complete file: ``\\documentclass{article}`` with booktabs and
    threeparttable, and xeCJK when any text is not ASCII (compile it with xelatex then). A table of
    more than seven data columns is set in ``\\small`` with tighter columns, on a landscape A4 page
    in a document.
    """
    wide = len(columns) > _WIDE
    body = [r"\begin{table}[htbp]\centering"]
    if wide:  # e.g. 4 models + W*X + Direct | Indirect | Total: smaller type and tighter columns
        body += [r"\small", r"\setlength{\tabcolsep}{3pt}"]
    body.append(r"\begin{threeparttable}")
    if title:
        body.append(r"\caption{" + latex_text(title) + "}")
    body += [r"\begin{tabular}{l" + "c" * len(columns) + "}", r"\toprule",
             latex_text(stub) + " & " + " & ".join(latex_text(c) for c in columns) + r" \\", r"\midrule"]
    body += [label + " & " + " & ".join(latex_cell(v) for v in cells) + r" \\" for label, cells in rows]
    body += [r"\bottomrule", r"\end{tabular}"]
    if notes:
        body.append(r"\begin{tablenotes}\footnotesize")
        body += [r"\item " + latex_text(n) for n in notes]
        body.append(r"\end{tablenotes}")
    body += [r"\end{threeparttable}", r"\end{table}"]
    text = "\n".join(body)
    if not document:
        return text
    cjk = not text.isascii()
    head = [r"\documentclass{article}", r"\usepackage{booktabs}", r"\usepackage{threeparttable}"]
    if wide:  # a wide table is set on a landscape A4 page
        head.append(r"\usepackage[a4paper,landscape,margin=2cm]{geometry}")
    if cjk:
        head.insert(0, "% Chinese labels: compile with xelatex")
        head.append(r"\usepackage{xeCJK}")
    return "\n".join(head + [r"\begin{document}", text, r"\end{document}"])
