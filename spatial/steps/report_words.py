"""The column headers and table captions of the report in its language.

The report shows frames that the steps store for machines (``role``, ``links``, ``p_value``,
``composite.normalized``); here they get the words a reader expects, in English or Chinese.
Headers not listed (the user's variable names) are kept as they are. Columns that come in two
languages (``grade_zh`` / ``grade_en``) are shown once, in the report's language.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["localised_table", "header", "caption", "phrase"]

_HEADERS: dict[str, tuple[str, str]] = {
    "role": ("Role", "角色"), "file": ("File", "文件"), "dataset": ("Dataset", "数据集"), "sha256": ("SHA-256", "SHA-256"),
    "period": ("Period", "时期"), "what": ("What", "内容"), "reason": ("Reason", "原因"), "variable": ("Variable", "变量"),
    "count": ("N", "观测数"), "mean": ("Mean", "均值"), "std": ("Std. dev.", "标准差"), "min": ("Min", "最小值"),
    "max": ("Max", "最大值"), "warning": ("Warning", "警告"), "name": ("Name", "名称"), "n": ("Units", "单元数"),
    "links": ("Links", "连接数"), "islands": ("Islands", "孤岛数"), "components": ("Components", "连通分量数"),
    "transform": ("Transform", "标准化方式"), "model": ("Model", "模型"),
    "log-marginal": ("Log-marginal likelihood", "对数边际似然"), "prior": ("Prior", "先验概率"),
    "posterior probability": ("Posterior probability", "后验概率"),
    "posterior mode of rho/lambda": ("Posterior mode of ρ/λ", "ρ/λ 后验众数"),
    "integration error": ("Integration error", "积分误差"), "year": ("Year", "年份"), "index": ("Index", "综合指数"),
    "scope": ("Scope", "范围"), "indicator": ("Indicator", "指标"), "direction": ("Direction", "方向"),
    "entropy": ("Entropy", "信息熵"), "redundancy": ("Redundancy", "信息效用值"), "weight": ("Weight", "权重"),
    "level": ("Level", "水平"), "grade": ("Grade", "等级"), "stage": ("Stage", "阶段"),
    "relative": ("Relative development", "相对发展度"), "lagging": ("Lagging subsystem", "滞后子系统"),
    "formula": ("Formula", "公式"), "group": ("Group", "组别"), "section": ("Section", "配置节"),
    "seed": ("Seed", "随机数种子"), "package": ("Package", "软件包"), "version": ("Version", "版本"),
    "key": ("Key", "键"), "value": ("Value", "取值"), "statistic": ("Statistic", "统计量"),
    "p_value": ("p-value", "p 值"), "p": ("p", "p 值"), "z": ("z", "z 值"), "test": ("Test", "检验"),
    "decision": ("Decision", "结论"), "df": ("df", "自由度"), "coefficient": ("Coefficient", "系数"),
    "permutation_p": ("Permutation p", "置换检验 p 值"), "wald": ("Wald", "Wald 统计量"),
    "id": ("Unit", "单元"), "unit": ("Unit", "单元"), "rank": ("Rank", "排名"), "score": ("Score", "得分"),
    "estimate": ("Estimate", "估计值"), "std_error": ("Std. error", "标准误"), "effect": ("Effect", "效应"),
    "ci_low": ("95% CI low", "95% 置信下限"), "ci_high": ("95% CI high", "95% 置信上限"),
    "groups": ("Groups", "组"), "pair": ("Pair", "组对"), "state": ("State", "状态"), "from": ("From", "初始状态"),
    "to": ("To", "终止状态"), "share": ("Share", "占比"), "theil": ("Theil", "泰尔指数"),
    "within": ("Within", "组内"), "between": ("Between", "组间"), "total": ("Total", "总体"),
    "cv": ("CV", "变异系数"), "sigma": ("σ", "σ 值"), "gini": ("Gini", "基尼系数"), "coupling": ("C", "耦合度"),
    "coordination": ("D", "耦合协调度"), "development": ("T", "综合发展指数"), "efficiency": ("Efficiency", "效率"),
    "contribution": ("Contribution", "贡献率"), "obstacle": ("Obstacle degree", "障碍度"), "q": ("q", "q 值"),
    "factor": ("Factor", "因子"), "interaction": ("Interaction", "交互作用"), "strata": ("Strata", "分层数"),
    "n_units": ("Units", "单元数"), "nobs": ("N", "样本数"), "periods": ("Periods", "时期数"),
    "between_share": ("Between share", "组间贡献率"), "within_share": ("Within share", "组内贡献率"),
    "between_net": ("Between (net)", "组间净差距"), "transvariation": ("Transvariation", "超变密度"),
    "between_net_share": ("Between (net) share", "组间净差距贡献率"),
    "transvariation_share": ("Transvariation share", "超变密度贡献率"), "value_share": ("Value share", "数值占比"),
    "weight_share": ("Weight share", "权重占比"), "contribution_share": ("Contribution share", "贡献占比"),
    "sd": ("Std. dev.", "标准差"), "label": ("Label", "名称"),
    "island": ("Island", "孤岛"), "neighbor": ("Neighbour", "邻居"), "distance": ("Distance", "距离"),
    "group_1": ("Group 1", "组别 1"), "group_2": ("Group 2", "组别 2"), "affluence": ("Affluence", "相对富裕度"),
    "net": ("Net difference", "净差距"), "first": ("First period", "期初"), "last": ("Last period", "期末"),
    "slope": ("Slope", "斜率"), "converging": ("Converging", "是否收敛"),
}
_CAPTIONS: dict[str, tuple[str, str]] = {
    "composite.normalized": ("Normalised indicators", "标准化指标"), "composite.scores": ("Composite scores", "综合得分"),
    "composite.ranks": ("Ranks", "综合得分排名"), "composite.weights": ("Indicator weights", "指标权重"),
    "composite.subsystems": ("Subsystem scores", "子系统得分"), "coupling": ("Coupling coordination", "耦合协调度"),
    "cv": ("Coefficient of variation", "变异系数"), "theil": ("Theil index", "泰尔指数"), "sigma": ("σ convergence", "σ 收敛"),
    "dagum": ("Dagum Gini", "Dagum 基尼系数"), "geodetector": ("Geographical detector", "地理探测器"),
    "dea": ("DEA efficiency", "DEA 效率"), "obstacle": ("Obstacle degree", "障碍度"), "lq": ("Location quotients", "区位熵"),
    "gravity": ("Centre of gravity", "重心"), "productivity": ("Productivity index", "生产率指数"),
    "markov": ("Markov chain", "马尔可夫链"), "transitions": ("transition probabilities", "转移概率"),
    "summary": ("summary", "概要"), "tests": ("tests", "检验"), "kde": ("Kernel density", "核密度估计"),
    "indices": ("", ""), "moran": ("Moran", "莫兰"),
}
_SUFFIXES = ("_zh", "_en")


def header(name: object, lang: str) -> str:
    """The header of a column in ``lang`` (the name itself when it is not one of ours).

    Examples
    --------
    >>> header("links", "zh"), header("p_value", "en"), header("gdp_pc", "zh")
    ('连接数', 'p-value', 'gdp_pc')
    """
    words = _HEADERS.get(str(name))
    return str(name) if words is None else words[1 if lang == "zh" else 0]


def caption(name: str, lang: str) -> str:
    """A table or figure name such as ``composite.normalized``, ``cv.inn`` or ``indices_kde_inn`` in
    ``lang``: known parts translated, the rest (a variable) kept.

    Examples
    --------
    >>> caption("composite.normalized", "zh"), caption("cv.inn", "zh"), caption("indices_kde_inn", "en")
    ('标准化指标', '变异系数: inn', 'Kernel density: inn')
    """
    i = 1 if lang == "zh" else 0
    if name in _CAPTIONS:
        return _CAPTIONS[name][i]
    for separator in (".", "_"):
        parts = [p for p in name.split(separator) if p not in ("", "indices")]
        known = [p for p in parts if p in _CAPTIONS]
        if known:
            first = parts.index(known[0])
            rest = separator.join(parts[first + 1:])
            head = " ".join(_CAPTIONS[p][i] for p in parts[: first + 1] if p in _CAPTIONS)
            return f"{head}: {rest}" if rest else head
    return name


def _columns(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    drop = [c for c in frame.columns if isinstance(c, str) and c.endswith(_SUFFIXES)
            and not c.endswith("_" + lang) and c[:-3] + "_" + lang in frame.columns]
    frame = frame.drop(columns=drop)
    return frame.rename(columns=lambda c: c[:-3] if isinstance(c, str) and c.endswith(_SUFFIXES) else c)


# Sentences other steps store in English (repairs, warnings, formulas), as Chinese patterns; the
# user's names inside them (\\1...) are kept. A sentence not listed stays as it is.
_PHRASES_ZH: list[tuple[str, str]] = [
    (r"dropped from the weights", "从权重中剔除"), (r"dropped", "剔除"), (r"dissolved", "合并"), (r"repaired", "修复"),
    (r"outside the study area \(keep (.+?): (.+) is true\)", r"位于研究区域之外（keep \1：\2 为真）"),
    (r"outside the study area \(keep (.+?): the ids listed in (.+)\)", r"位于研究区域之外（keep \1：\2 所列单元之外）"),
    (r"outside the study area \(keep (.+?): (.+?) in (.+)\)", r"位于研究区域之外（keep \1：\2 属于 \3）"),
    (r"boundary removed with its panel unit", "面板单元已移除，其边界随之移除"),
    (r"unit not in the boundaries", "单元不在边界数据中"), (r"boundary not in the panel", "边界不在面板数据中"),
    (r"missing values in (.+)", r"\1 存在缺失值"), (r"unbalanced: no data for (.+)", r"非平衡：\1 无数据"),
    (r"(\d+) boundary rows unioned into one", r"\1 行边界合并为一个"),
    (r"(\d+) repairs removed or changed data; see panel\.dropped", r"\1 项修复删除或更改了数据；见“剔除或修复”表"),
    (r"in the weights file but not in the panel \(restrict='intersection'\)", "在权重文件中但不在面板中（restrict='intersection'）"),
    (r"not in (.+) \(restrict='intersection'\)", r"不在 \1 中（restrict='intersection'）"),
    (r"dropped: no variation \(duplicates the constant\)", "剔除：无变异（与常数项重复）"),
    (r"dropped: collinear \((.+) = combination of (.+)\)", r"剔除：共线（\1 为 \2 的线性组合）"),
    (r"not estimated: every row of W sums to one, so W\*const = const \(as spatialreg\)",
     "未估计：W 每行之和为 1，故 W*const = const（与 spatialreg 相同）"),
    (r"classical: (.+)", r"经典公式：\1"), (r"revised: (.+)", r"修正公式：\1"),
]
_TRANSLATED_COLUMNS = ("what", "reason", "warning", "formula")
# Values other steps store as our own words (a file's role, an indicator's direction, the NBS regions
# of the bundled China data, the balanced case of a coupling...), by column, in Chinese; any other value
# (the user's names) is kept. "pooled" is the period of a pooled estimate, whatever the column's name.
_REGIONS_ZH = {"all": "全部", "East": "东部", "Central": "中部", "West": "西部", "Northeast": "东北",
               "North": "北方", "South": "南方"}
_VALUES_ZH: dict[str, dict[object, str]] = {
    "role": {"panel": "面板数据", "boundaries": "边界", "indicators": "指标表", "raster": "栅格", "points": "点位"},
    "direction": {"positive": "正向", "negative": "负向"},
    "lagging": {"synchronous": "同步发展"},
    "group": _REGIONS_ZH, "group_1": _REGIONS_ZH, "group_2": _REGIONS_ZH,
    "converging": {True: "是", False: "否"},
}
_ANY_COLUMN_ZH = {"pooled": "全部时期"}


def _values(frame: pd.DataFrame) -> pd.DataFrame:
    """Our own words among the cells in Chinese (:data:`_VALUES_ZH`); the user's values unchanged."""
    def translate(column, value):
        try:
            return _VALUES_ZH.get(column, {}).get(value, _ANY_COLUMN_ZH.get(value, value))
        except TypeError:  # an unhashable cell
            return value
    columns = []
    for position, column in enumerate(frame.columns):
        cells = frame.iloc[:, position]
        types = pd.api.types
        if not types.is_numeric_dtype(cells) or types.is_bool_dtype(cells) or column in _VALUES_ZH:
            cells = cells.map(lambda v, c=column: translate(c, v)).astype(object)
        columns.append(cells)
    return pd.concat(columns, axis=1, keys=range(len(columns))).set_axis(frame.columns, axis=1)


def phrase(text: object, lang: str) -> object:
    """A stored English sentence in ``lang`` (kept when it is not one of ours, or not text).

    Examples
    --------
    >>> phrase("outside the study area (keep mainland: mainland is true)", "zh")
    '位于研究区域之外（keep mainland：mainland 为真）'
    >>> phrase("missing values in gdp", "zh"), phrase("dropped", "en")
    ('gdp 存在缺失值', 'dropped')
    """
    import re

    if lang != "zh" or not isinstance(text, str):
        return text
    for pattern, replacement in _PHRASES_ZH:
        match = re.fullmatch(pattern, text)
        if match:
            return match.expand(replacement)
    return text


def localised_table(lang: str, frame: pd.DataFrame, *, index: bool = False, **options: Any):
    """:func:`maps.report.table` with the headers in ``lang``, and the sentences other steps store
    in English (``what``, ``reason``, ``warning``, ``formula``) in ``lang``; ``pvalues``, ``formats``
    and ``numeric`` name the columns as stored."""
    from maps.report import table

    shown = _columns(frame.reset_index() if index else frame, lang)
    if lang == "zh":
        shown = shown.assign(**{c: shown[c].map(lambda v: phrase(v, lang))
                                for c in _TRANSLATED_COLUMNS if c in shown.columns})
        shown = _values(shown)
    names = {c: header(c, lang) for c in shown.columns}
    if len(set(names.values())) < len(names):  # two columns would get one header: keep the stored names
        names = {c: str(c) for c in shown.columns}
    for key in ("pvalues", "numeric"):
        if key in options:
            options[key] = tuple(names.get(c, c) for c in options[key])
    if "formats" in options:
        options["formats"] = {names.get(c, c): f for c, f in options["formats"].items()}
    return table(shown.rename(columns=names), **options)


def bayes_note(comparison, lang: str) -> str:
    """The note under the Bayesian comparison in ``lang`` (:func:`spatial.models.bayes_table.bayes_note`)."""
    from spatial.models.bayes_table import bayes_note as note

    return note(comparison, lang)
