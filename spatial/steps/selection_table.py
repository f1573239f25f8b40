"""The model selection table as the report shows it: localised headers and wording, one precision.

The selection procedure (:func:`spatial.models.select`) writes its table in English words; the
report translates its fixed phrases (steps, tests, decisions) and formats the numbers once:
statistics with three decimals, degrees of freedom as integers, p-values as ``<0.001`` or three
decimals (never ``1.12e-48``). Text it does not know (an error message) stays as it is.
"""

from __future__ import annotations

import math
import re

import pandas as pd

__all__ = ["selection_frame", "bayes_frame", "COLUMNS"]

COLUMNS = ("step", "model", "test", "statistic", "df", "p_value", "decision")

_HEADERS = {
    "en": ("Step", "Model", "Test", "Statistic", "df", "p-value", "Decision"),
    "zh": ("步骤", "模型", "检验", "统计量", "自由度", "p 值", "结论"),
}
# Longest first, so that a phrase inside a longer one is not replaced before it.
_PHRASES_ZH = {
    "1 fixed effects": "1 固定效应", "2 LM tests": "2 LM 检验", "3 SDM simplification": "3 SDM 简化检验",
    "4 fixed vs random": "4 固定效应与随机效应",
    "OLS two-way vs time FE": "OLS 双向固定效应 vs 时间固定效应",
    "OLS two-way vs unit FE": "OLS 双向固定效应 vs 个体固定效应",
    "Lee-Yu bias-corrected estimates": "Lee-Yu 偏误修正估计", "ML estimates": "ML 估计",
    "twoway FE": "双向固定效应", "unit FE": "个体固定效应", "time FE": "时间固定效应", "none FE": "无固定效应",
    "RE + unit means": "随机效应 + 个体均值", "vs RE": "vs 随机效应",
    "LR unit fixed effects jointly = 0": "LR 检验：个体固定效应联合为 0",
    "LR time fixed effects jointly = 0": "LR 检验：时间固定效应联合为 0",
    "Wald theta = 0 (SDM vs SAR)": "Wald 检验：θ = 0（SDM vs SAR）",
    "LR SDM vs SAR (theta = 0)": "LR 检验：SDM vs SAR（θ = 0）",
    "Wald common factor (SDM vs SEM): theta = -rho beta": "Wald 共同因子检验（SDM vs SEM）：θ = -ρβ",
    "LR SDM vs SEM (theta = -rho beta)": "LR 检验：SDM vs SEM（θ = -ρβ）",
    "Hausman, Mundlak version (fixed vs random effects, SAR)": "Hausman 检验（Mundlak 形式，固定 vs 随机效应，SAR）",
    "Hausman, Mundlak version (fixed vs random effects, SEM)": "Hausman 检验（Mundlak 形式，固定 vs 随机效应，SEM）",
    "Hausman, Mundlak version": "Hausman 检验（Mundlak 形式）",
    "Hausman (fixed vs random effects)": "Hausman 检验（固定 vs 随机效应）",
    "unit effects needed": "需要个体固定效应", "unit effects not significant": "个体固定效应不显著",
    "time effects needed": "需要时间固定效应", "time effects not significant": "时间固定效应不显著",
    "reject no spatial dependence": "拒绝无空间相关", "not significant": "不显著",
    "reject SAR": "拒绝 SAR", "SAR not rejected": "不拒绝 SAR", "reject SEM": "拒绝 SEM",
    "SEM not rejected": "不拒绝 SEM",
    "undefined (V_FE - V_RE not positive definite)": "无定义（V_FE − V_RE 非正定）",
    ": keep fixed effects": "：保留固定效应", "reject random effects: fixed effects": "拒绝随机效应：选择固定效应",
    "reject random effects": "拒绝随机效应", "random effects not rejected": "不拒绝随机效应",
    " (the classic test decides)": "（以经典检验为准）", "not available: ": "不可用：",
}
_PATTERN = re.compile("|".join(re.escape(k) for k in sorted(_PHRASES_ZH, key=len, reverse=True)))


def _translate(text: object, lang: str) -> str:
    text = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    return _PATTERN.sub(lambda m: _PHRASES_ZH[m.group(0)], text) if lang == "zh" else text


def _fixed(value: object, digits: int) -> str:
    number = pd.to_numeric(value, errors="coerce")
    return "" if pd.isna(number) or not math.isfinite(number) else f"{float(number):.{digits}f}"


def _p(value: object) -> str:
    number = pd.to_numeric(value, errors="coerce")
    if pd.isna(number) or not math.isfinite(number):
        return ""
    return "<0.001" if number < 0.001 else f"{float(number):.3f}"


def selection_frame(table: pd.DataFrame, lang: str = "en", *, digits: int = 3) -> pd.DataFrame:
    """The selection table (:attr:`spatial.models.Selection.table`, columns :data:`COLUMNS`) with headers
    and fixed phrases in ``lang`` and formatted numbers.

    Examples
    --------
    >>> raw = pd.DataFrame([{"step": "2 LM tests", "model": "OLS twoway FE", "test": "LM-lag",
    ...                      "statistic": 73.866301, "df": 1.0, "p_value": 8.4e-18,
    ...                      "decision": "reject no spatial dependence"}])
    >>> selection_frame(raw, "zh").iloc[0].tolist()
    ['2 LM 检验', 'OLS 双向固定效应', 'LM-lag', '73.866', '1', '<0.001', '拒绝无空间相关']
    """
    headers = _HEADERS["zh" if lang == "zh" else "en"]
    rows = []
    for record in table.to_dict(orient="records"):
        rows.append([_translate(record["step"], lang), _translate(record["model"], lang),
                     _translate(record["test"], lang), _fixed(record["statistic"], digits),
                     _fixed(record["df"], 0), _p(record["p_value"]), _translate(record["decision"], lang)])
    return pd.DataFrame(rows, columns=list(headers))


def bayes_frame(comparison, lang: str = "en", *, digits: int = 3) -> pd.DataFrame:
    """The Bayesian comparison as the report shows it (:func:`spatial.models.bayes_table.bayes_frame`, the frame
    of its journal table).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> table = pd.DataFrame({"model": ["sar", "sem"], "log_marginal": [-201.98252, -201.81298],
    ...                       "prior": [0.5, 0.5], "probability": [0.457712, 0.542288],
    ...                       "mode": [0.4176, 0.5944], "integration_error": [4.3e-13, 1.5e-14]})
    >>> bayes_frame(SimpleNamespace(table=table), "zh").iloc[0].tolist()
    ['SAR', '-201.983', '0.500', '0.458', '0.418', '4.3e-13']
    """
    from spatial.models.bayes_table import bayes_frame as frame

    return frame(comparison, lang, digits=digits)
