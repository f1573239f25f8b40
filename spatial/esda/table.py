"""Moran's I by year as papers print it (OUTPUTS.md section 4): years as rows, per variable I with
stars then z or p, the same decimals in every row; every format of a journal table."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from spatial._options import check_option
from spatial.errors import SpatialPanelError
from spatial.models.result import stars
from spatial.models.table import ComparisonTable, Language, _number, _pct, check_digits

__all__ = ["moran_table"]

Stat = Literal["p", "z"]
_WORDS = {
    "en": {"year": "Year", "p": "p-values two-sided ({inference}).", "z": "z statistics ({inference}).",
           "stars": "*** p<{2}, ** p<{1}, * p<{0}.", "title": "Global Moran's I by year",
           "permutation": "permutation", "randomisation": "randomisation", "normality": "normality"},
    "zh": {"year": "年份", "p": "注：p值为双侧（{inference}）。", "z": "注：z为标准化统计量（{inference}）。",
           "stars": "***、**、*分别表示在{2}、{1}、{0}的水平上显著。", "title": "全局莫兰指数",
           "permutation": "置换检验", "randomisation": "随机化假设", "normality": "正态假设"},
}


def moran_table(result, *, statistic: str = "moran_i", stat: Stat = "p", inference: str | None = None,
                levels: tuple[float, float, float] = (0.1, 0.05, 0.01), lang: Language = "en", digits: int = 3,
                labels: dict[str, str] | None = None, title: str = "") -> ComparisonTable:
    """Years as rows and, per variable, ``I`` with stars then its ``p`` (or ``z``) column.

    Parameters
    ----------
    result
        A :class:`~spatial.esda.GlobalAutocorrelation` (or its tidy ``table``). A table with a
        ``weights`` column naming several matrices (a robustness set) gets, per variable, the
        columns of each W side by side: ``I (gdp, W1)``, ``p (gdp, W1)``, ``I (gdp, W2)``, ...
    statistic
        The statistic shown (``"moran_i"``, ``"geary_c"``, ``"getis_ord_g"``).
    stat
        The second column of each variable: ``"p"`` (two-sided) or ``"z"``.
    inference
        ``"permutation"``, ``"randomisation"`` or ``"normality"``; default: permutation when it
        was run, else randomisation. The note names it.
    levels, lang, digits, labels, title
        As in :func:`spatial.models.compare`; ``labels`` renames the variables.

    Raises
    ------
    SpatialPanelError
        When the table has no row of ``statistic`` under ``inference``.

    Examples
    --------
    >>> from libpysal.graph import Graph
    >>> from spatial import SpatialPanel, datasets, esda
    >>> panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year",
    ...                      geometry=datasets.load("us48_states"))
    >>> w = Graph.build_contiguity(panel.geometry, rook=False)
    >>> result = esda.global_autocorrelation(panel, w, ["unemp"], periods=[1970, 1986], permutations=0)
    >>> t = esda.moran_table(result, lang="zh")
    >>> t.stub, list(t.frame.columns), t.frame.loc["1970", "I (unemp)"]
    ('年份', ['I (unemp)', 'p (unemp)'], '0.270***')
    """
    check_option("stat", stat, Stat)
    check_option("lang", lang, Language)
    check_digits(digits)
    data = getattr(result, "table", result)
    if not isinstance(data, pd.DataFrame):
        raise SpatialPanelError(f"moran_table() takes a global autocorrelation result, got {type(result).__name__}")
    data = data[data["statistic"] == statistic]
    methods = list(dict.fromkeys(data["inference"]))
    if inference is None:
        inference = next((m for m in ("permutation", "randomisation", "normality") if m in methods), None)
    if inference not in methods:
        raise SpatialPanelError(f"no {statistic} rows with inference {inference!r}; the table has "
                                f"{sorted(set(methods)) or 'none'}")
    data = data[data["inference"] == inference]
    words = _WORDS[lang]
    names = dict(labels or {})
    periods = list(dict.fromkeys(data["period"]))
    columns: dict[str, list[str]] = {}
    several = "weights" in data.columns and data["weights"].nunique() > 1  # a robustness set: W1, W2 side by side
    keys = ["variable", "weights"] if several else ["variable"]
    parts = dict(iter(data.groupby(keys, sort=False)))
    variables = list(dict.fromkeys(data["variable"]))
    matrices = list(dict.fromkeys(data["weights"])) if several else [None]
    for variable, w in ((v, w) for v in variables for w in matrices):  # per variable, each W side by side
        part = parts.get((variable, w) if several else (variable,), parts.get(variable))
        if part is None:
            continue
        part = part.set_index("period")
        shown = names.get(str(variable), str(variable)) + (f", {w}" if several else "")
        columns[f"I ({shown})"] = [_number(part.at[t, "value"], digits) + stars(part.at[t, "p_two_sided"], levels)
                                   if t in part.index else "" for t in periods]
        key = {"p": "p_two_sided", "z": "z"}[stat]
        columns[f"{stat} ({shown})"] = [_number(part.at[t, key], digits) if t in part.index else "" for t in periods]
    frame = pd.DataFrame(columns, index=[str(t) for t in periods])
    note = words[stat].format(inference=words.get(inference, inference))
    note += (" " if lang == "en" else "") + words["stars"].format(*[_pct(v) for v in levels])
    return ComparisonTable(frame=frame, notes=(note,), title=title or words["title"], stub=words["year"])
