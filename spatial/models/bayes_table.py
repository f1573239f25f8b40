"""The Bayesian model comparison as a journal table: the same :class:`~spatial.models.ComparisonTable`
as ``spatial fit --table`` writes (text, Markdown, CSV, HTML, LaTeX, Excel, Word), in English or Chinese.

One row per model: log-marginal likelihood, prior and posterior probability, the posterior mode of
rho/lambda and the integration error; the note states the priors, the interval and the quadrature.
The report shows the same frame (:func:`bayes_frame`) and note (:func:`bayes_note`).

Examples
--------
>>> from types import SimpleNamespace
>>> import pandas as pd
>>> table = pd.DataFrame({"model": ["sar", "sem"], "log_marginal": [-201.98252, -201.81298],
...                       "prior": [0.5, 0.5], "probability": [0.457712, 0.542288],
...                       "mode": [0.4176, 0.5944], "integration_error": [4.3e-13, 1.5e-14]})
>>> comparison = SimpleNamespace(table=table, interval=(-1.5, 1.0), notes=(), quadrature="none", fe="unit",
...                              nobs=49, note="Log-marginal likelihoods (LeSage 2014).")
>>> print(bayes_table(comparison, lang="zh").to_text().splitlines()[4])
SAR       -201.983     0.500     0.458         0.418   4.3e-13
"""

from __future__ import annotations

import math

import pandas as pd

from spatial.models.table import ComparisonTable, check_digits

__all__ = ["bayes_table", "bayes_frame", "bayes_note"]

_HEADERS = {
    "en": ("Model", "Log-marginal likelihood", "Prior", "Posterior probability", "Posterior mode of rho/lambda",
           "Integration error"),
    "zh": ("模型", "对数边际似然", "先验概率", "后验概率", "ρ/λ 后验众数", "积分误差"),
}
_TITLE = {"en": "Bayesian model comparison", "zh": "贝叶斯模型比较"}
_FE_ZH = {"twoway": "双向固定效应", "unit": "个体固定效应", "time": "时间固定效应", "none": "无"}
_NOTES_ZH = {
    "models with and without W*X compare under LeSage's normalisation of the flat prior on beta":
        "含与不含 W*X 的模型按 LeSage 对 β 平坦先验的标准化进行比较",
    "W applied to the demeaned data (LeSage's and SDPDmod's convention)": "W 作用于去均值后的数据（LeSage 与 SDPDmod 的约定）",
}


def _fixed(value: object, digits: int) -> str:
    number = pd.to_numeric(value, errors="coerce")
    return "" if pd.isna(number) or not math.isfinite(number) else f"{float(number):.{digits}f}"


def _probability(value: float, digits: int) -> str:
    return f"<{10 ** -digits:.{digits}f}" if 0 <= value < 10 ** -digits else f"{value:.{digits}f}"


def bayes_frame(comparison, lang: str = "en", *, digits: int = 3) -> pd.DataFrame:
    """The comparison's rows as display strings, headers in ``lang``: probabilities below the last decimal
    show as ``<0.001``, the integration error in scientific notation."""
    rows = []
    for record in comparison.table.to_dict(orient="records"):
        rows.append([str(record["model"]).upper(), _fixed(record["log_marginal"], digits),
                     _fixed(record["prior"], digits), _probability(float(record["probability"]), digits),
                     _fixed(record["mode"], digits), f"{float(record['integration_error']):.1e}"])
    return pd.DataFrame(rows, columns=list(_HEADERS["zh" if lang == "zh" else "en"]))


def bayes_note(comparison, lang: str) -> str:
    """The note under the table in ``lang`` (the comparison's own English note for "en")."""
    if lang != "zh":
        return comparison.note
    lo, hi = comparison.interval
    interval = f"ρ/λ 在 ({lo:.6g}, {hi:.6g}) 上服从均匀分布；" if math.isfinite(lo) else ""
    notes = "".join(_NOTES_ZH.get(n, n) + "。" for n in comparison.notes)
    quadrature = str(comparison.quadrature)
    if quadrature.startswith("none"):
        quadrature = "无（仅 OLS/SLX）"
    elif quadrature.startswith("adaptive Gauss-Kronrod"):
        logdet = "每个节点由特征值精确计算" if "eigenvalues" in quadrature else "稀疏 LU 值的分段 Chebyshev 插值"
        quadrature = f"自适应 Gauss-Kronrod 求积（QUADPACK qags，21 点），对数行列式{logdet}"
    return (f"注：对数边际似然（LeSage 2014），先验 p(β, σ) ∝ 1/σ；{interval}固定效应："
            f"{_FE_ZH.get(comparison.fe, comparison.fe)}；N = {comparison.nobs}。数值积分：{quadrature}。{notes}")


def bayes_table(comparison, *, lang: str = "en", digits: int = 3, title: str | None = None) -> ComparisonTable:
    """The comparison (:class:`spatial.models.BayesComparison`) as a journal table: models as rows, the note
    below; ``.write(path)`` by extension (.txt, .md, .csv, .html, .tex, .xlsx, .docx), as ``spatial fit --table``.

    Parameters
    ----------
    comparison
        The result of :func:`spatial.models.compare_bayes` (or ``Selection.bayes``).
    lang
        "en" or "zh": headers, title and note.
    digits
        Decimals of the log-marginals, priors, probabilities and modes (0 to 10).
    title
        Above the table; default "Bayesian model comparison" / "贝叶斯模型比较" ("" for none).
    """
    from spatial._options import check_option
    from spatial.choices import Language

    check_option("lang", lang, Language)
    check_digits(digits)
    frame = bayes_frame(comparison, lang, digits=digits)
    stub = frame.columns[0]
    frame = frame.set_index(stub)
    frame.index.name = None
    return ComparisonTable(frame=frame, notes=(bayes_note(comparison, lang),),
                           title=_TITLE[lang] if title is None else title, stub=stub)
