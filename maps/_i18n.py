"""The fixed words of maps, figures and reports in English and Chinese.

User-derived text (names, columns, titles) is never translated; only our own labels are.
"""

from __future__ import annotations

from maps.choices import Lang

_WORDS: dict[str, tuple[str, str]] = {
    # legends and tooltips
    "no_data": ("no data", "无数据"),
    "constant": ("constant value", "常数值"),
    "fewer_classes": ("{k} classes < {requested} requested (too few distinct values)",
                      "{k} 类 < 请求的 {requested} 类（不同取值太少）"),
    "classes": ("{k} classes", "{k} 类"),
    "pooled": ("breaks pooled over {what}", "分级断点基于全部{what}"),
    "periods": ("all periods", "时期"),
    "quantiles": ("Quantiles", "分位数"),
    "natural_breaks": ("Natural breaks (Fisher-Jenks)", "自然断点 (Fisher-Jenks)"),
    "equal_interval": ("Equal interval", "等间距"),
    "std_mean": ("Standard deviation", "标准差"),
    "user_defined": ("User-defined breaks", "自定义断点"),
    "continuous": ("Continuous scale", "连续色阶"),
    "continuous_diverging": ("Continuous scale, centred on 0", "连续色阶，以 0 为中心"),
    "legend_hide": ("Hide the legend", "隐藏图例"),
    "legend_show": ("Show the legend", "显示图例"),
    "scale_from_zero": ("the scale starts at 0: colours differ in proportion to the values (the bar marks where "
                        "they lie)", "色阶从 0 起：颜色差异与数值差异成比例（色条下的黑线标出数据所在区间）"),
    "value_range": ("range {low} to {high} (spread {spread})", "取值范围 {low} 至 {high}（极差 {spread}）"),
    "name": ("Unit", "单元"),
    "period": ("Period", "时期"),
    "view": ("Show", "显示"),
    "HH": ("High-High", "高-高"),
    "LL": ("Low-Low", "低-低"),
    "HL": ("High-Low", "高-低"),
    "LH": ("Low-High", "低-高"),
    "ns": ("Not significant", "不显著"),
    "island": ("Island (no neighbours)", "孤岛（无邻居）"),
    "lisa_title": ("LISA clusters", "LISA 聚类"),
    "significance_title": ("LISA significance", "LISA 显著性"),
    "cluster": ("Cluster", "聚类"),
    "p_value": ("p-value", "p 值"),
    "hot": ("Hot spot {c}%", "热点 {c}%"),
    "cold": ("Cold spot {c}%", "冷点 {c}%"),
    "hotspot_title": ("Getis-Ord Gi* hot and cold spots", "Getis-Ord Gi* 冷热点"),
    "gi_z": ("Gi* z", "Gi* z 值"),
    "alpha_note": ("significance level {alpha}", "显著性水平 {alpha}"),
    "direct": ("Direct effect", "直接效应"),
    "received": ("Spillover received", "接收的溢出效应"),
    "emitted": ("Spillover emitted", "发出的溢出效应"),
    "total_received": ("Total received (own effect included)", "接收的总效应（含自身）"),
    "total_emitted": ("Total emitted (own effect included)", "发出的总效应（含自身）"),
    "total": ("Total effect", "总效应"),
    "indirect": ("Indirect effect", "间接效应"),
    "neighbours": ("Connectivity", "邻接情况"),  # the tooltip row: "Connectivity  4 neighbours"
    "n_neighbours": ("{n} neighbours", "{n} 个邻居"),
    "outside": ("Not in the sample (no data)", "不在样本中（无数据）"),
    "top_k_links": ("the {k} strongest links of each unit", "每个单元权重最大的 {k} 条连接"),
    "width_by_weight": ("line width: weight", "线宽表示权重"),
    "links": ("Links", "连接"),
    "units": ("Units", "单元"),
    "has_neighbours": ("Has neighbours", "有邻居"),
    "weights_title": ("Spatial weights: {links} links, {islands} islands",
                      "空间权重：{links} 条连接，{islands} 个孤岛"),
    "island_links": ("Island-repair links", "孤岛修复连接"),
    "island_links_list": ("links added to connect islands: {pairs}", "为连接孤岛而添加的连接：{pairs}"),
    "click_neighbours": ("click a unit to list its neighbours and weights", "点击单元查看其邻居及权重"),
    "heatmap_title": ("Spatial weights matrix ({n} units, {links} links)", "空间权重矩阵（{n} 个单元，{links} 条连接）"),
    "heatmap_by_region": ("ordered by region, then id", "按区域、编号排序"),
    "heatmap_by_id": ("ordered by id", "按编号排序"),
    "heatmap_unit": ("Unit", "单元"),
    "heatmap_island": ("outlined in red: links added to connect islands ({n})", "红框：为连接孤岛而添加的连接（{n} 条）"),
    # the connectivity view (click a unit, maps/templates/neighbours.js)
    "nv_neighbour": ("Neighbour", "邻居"),
    "nv_weight": ("Weight", "权重"),
    "nv_weight_row": ("Weight (row-standardised)", "权重（行标准化）"),
    "nv_row": ("Row-standardised", "行标准化"),
    "nv_raw": ("Raw weight", "原始权重"),
    "nv_count": ("{n} neighbours", "{n} 个邻居"),
    "nv_one": ("1 neighbour", "1 个邻居"),
    "nv_more": ("the {k} strongest of {n} listed", "列出权重最大的 {k} 个（共 {n} 个）"),
    "nv_island": ("island link", "孤岛连接"),
    "nv_clear": ("Clear", "清除"),
    "simplified": ("geometry simplified for display (tolerance {tol})",
                   "显示用几何已简化（容差 {tol}）"),
    "not_drawn": ("{n} units without geometry not drawn", "{n} 个无几何的单元未绘制"),
    "north": ("N", "北"),
    "scs_inset": ("South China Sea Islands", "南海诸岛"),
    # report sections and labels
    "sec_inputs": ("Inputs and what was dropped", "输入数据与剔除记录"),
    "sec_weights": ("Spatial weights", "空间权重"),
    "sec_maps": ("Maps of the variables", "变量地图"),
    "sec_moran": ("Global Moran's I over time", "全局莫兰指数时序"),
    "sec_lisa": ("Local clusters (LISA) and hot spots", "局部空间聚类 (LISA) 与冷热点"),
    "sec_selection": ("Model selection", "模型选择"),
    "sec_models": ("Regression results", "回归结果"),
    "sec_effects": ("Direct, indirect and total effects", "直接、间接与总效应"),
    "sec_effects_maps": ("Effects maps", "效应地图"),
    "sec_heterogeneity": ("Regional heterogeneity", "区域异质性"),
    "sec_robustness": ("Robustness across weights matrices", "不同空间权重矩阵下的稳健性检验"),
    "sec_indices": ("Indices", "指数"),
    "sec_reproducibility": ("Reproducibility", "可重复性"),
    "contents": ("Contents", "目录"),
    "generated": ("Generated by spatial {version} on {date}", "由 spatial {version} 生成于 {date}"),
    "nothing_dropped": ("Nothing was dropped or repaired.", "没有剔除或修复任何数据。"),
    "assets": ("Inlined scripts (the page needs no network)", "内嵌脚本（页面无需联网）"),
    "licence": ("Licence", "许可证"),
    "significant_marker": ("filled marker: p < {alpha}", "实心点：p < {alpha}"),
}


def word(key: str, lang: Lang = "en", **values: object) -> str:
    """One fixed label in ``lang``, with ``{placeholders}`` filled in.

    Examples
    --------
    >>> word("no_data", "zh")
    '无数据'
    >>> word("classes", "en", k=5)
    '5 classes'
    """
    text = _WORDS[key][0 if lang == "en" else 1]
    return text.format(**values) if values else text
