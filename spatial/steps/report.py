"""The report step: the last step of the pipeline turns what earlier steps stored into one HTML page.

Config section ``[report]`` (the step runs only when the section is present; ``spatial report``
and ``spatial demo`` add it)::

    [report]
    title = "Provincial growth"   # default: [project] name
    lang = "zh"                   # en or zh
    variables = ["gdp_pc"]        # variables to map (default: the panel's, at most 8)
    periods = [2010, 2019]        # periods of the LISA maps (default: first and last)
    tiles = "OpenStreetMap"       # optional base map (needs the network); default none

Each result of the run (:class:`spatial.run_results.RunResults`) adds its section; absent ones
are simply not shown. This module is the only place that translates our objects (SpatialPanel,
libpysal ``Graph``, ESDA and model results) into the plain frames that :mod:`maps` takes. It reads
the typed fields each step stores, never a table recognised by its columns:

* ``weights``: ``{name: libpysal.graph.Graph}`` -> summary table, a links map (a click on a unit
  lists its neighbours and weights) and the matrix heatmap (n <= 400) of each; with
  ``weights_built`` (how each was built), the links an island policy added are listed in a table,
  drawn dashed in red on the map and outlined in the heatmap, and a contiguity W's raw (binary)
  weights are listed beside its row-standardised ones;
* ``esda``: :class:`~spatial.run_results.EsdaResults`: its global result gives the Moran series
  (two-sided p-values of the randomisation inference) and the journal table by year, its LISA
  and hot-spot results the cluster and Gi* maps (permutation p-values when permutations were run,
  else the normal ones), its robustness table the W side by side;
* ``models``: :class:`~spatial.run_results.ModelsResults`: the journal tables of the results
  (rebuilt in the report's language with the step's table options), effects maps from the
  per-unit effects of each result, the selection table, the Bayesian comparison, the models under
  each W and the model by group with its tests;
* ``indices``: :class:`~spatial.run_results.IndicesResults`: its named tables and Markov chains,
  and the figures the step saved.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import metadata
from typing import Any, get_args

import pandas as pd

from maps.choices import Lang, Scheme, Tiles
from spatial._fs import display_path, write_text_atomic
from spatial.config import Key, register_section
from spatial.errors import SchemaError
from spatial.pipeline import RunContext, register_step, with_context
from spatial.steps.report_words import bayes_note as _bayes_note
from spatial.steps.report_words import caption as _caption
from spatial.steps.report_words import localised_table as _table
from spatial.unit_label import display_units

__all__ = ["build_report", "REPORT_FILE"]

REPORT_FILE = "report.html"
_MAX_VARIABLES = 8
_MAX_WEIGHT_MAPS = 3
_TABLE_ROWS = 30
_IMAGE_WIDTH = 960  # pixels of an embedded figure (the 300 dpi files stay beside the report)
_EXTRA_PACKAGES = ("folium", "mapclassify", "matplotlib", "jinja2", "django-js-lib-leaflet")

register_section(
    "report",
    {
        "title": Key(str, help="title of the report (default: [project] name)"),
        "lang": Key(str, "en", choices=get_args(Lang), help="language of the fixed labels"),
        "file": Key(str, REPORT_FILE, help="file name inside the output folder"),
        "variables": Key(list, help="variables to map (default: the panel's, at most 8)", items=str, min_items=1),
        "periods": Key(list, help="periods of the LISA maps (default: the first and last)"),
        "tiles": Key(str, choices=get_args(Tiles), help="optional base map by name (needs the network)"),
        "scheme": Key(str, "quantiles", choices=tuple(s for s in get_args(Scheme) if s != "user_defined"),
                      help="classification of the choropleths (user_defined: spatial map --breaks)"),
        "k": Key(int, 5, help="number of classes of the choropleths"),
        "names": Key(list, help="boundary columns naming the units in tooltips (default: the user's unit names when "
                      "the table was matched by name, else found)", items=str),
    },
)


def _words(lang: str) -> dict[str, str]:
    en = {
        "units": "units", "periods": "periods", "obs": "observations", "variables": "Variables",
        "inputs": "Input files", "dropped": "Dropped or repaired", "describe": "Summary of the variables",
        "weights_summary": "Weights matrices", "seed": "Seeds", "versions": "Package versions",
        "options": "Options",
        "first_rows": "First {n} of {total} rows.", "components_note":
        "Spillovers cannot cross components: {n} disconnected components (sizes {sizes}).",
        "islands_note": "Islands (no neighbours): {ids}.", "no_seed": "No randomness was used.",
        "warnings": "Warnings of this run",
        "reprojection": "Reprojection",
        "robust_esda": "Global statistics under each weights matrix",
        "robust_models": "The models under each weights matrix",
        "group_tests": "Tests of equal coefficients across groups (Wald on independent subsamples; permutation p "
                       "from random regroupings keeping group sizes)",
        "year": "Year",
        "full_table": "The whole table: {file}",
        "bayes": "Bayesian model comparison: log-marginal likelihoods and posterior model probabilities",
        "island_links": "{name}: links added to connect islands, each to its nearest unit (drawn dashed in red on "
                        "the map); distance between {measured}, {unit}",
        "boundary": "boundaries", "points": "points",
        "heatmap": "{name}: the weights matrix (row: unit, column: neighbour; colour: weight)",
        "no_heatmap": "{name}: the matrix heatmap is drawn for at most {max} units and this W has {n} (a "
                      "cell would be smaller than a dot); its summary is in the table above.",
    }
    zh = {
        "units": "个单元", "periods": "个时期", "obs": "个观测", "variables": "变量",
        "inputs": "输入文件", "dropped": "剔除或修复", "describe": "变量描述统计",
        "weights_summary": "空间权重矩阵", "seed": "随机数种子", "versions": "软件包版本",
        "options": "选项",
        "first_rows": "共 {total} 行，显示前 {n} 行。",
        "components_note": "溢出效应无法跨越不连通的分量：共 {n} 个分量（大小 {sizes}）。",
        "islands_note": "孤岛（无邻居）：{ids}。", "no_seed": "未使用随机数。",
        "warnings": "本次运行的警告",
        "reprojection": "坐标系转换",
        "robust_esda": "各空间权重矩阵下的全局统计量",
        "robust_models": "各空间权重矩阵下的模型估计",
        "group_tests": "组间系数差异检验（独立子样本 Wald 检验；置换检验 p 值来自保持组规模的随机重新分组）",
        "year": "年份",
        "full_table": "完整表格：{file}",
        "bayes": "贝叶斯模型比较：对数边际似然与后验模型概率",
        "island_links": "{name}：为连接孤岛而添加的连接（各连至最近的单元，地图上以红色虚线表示）；{measured}距离，单位 {unit}",
        "boundary": "边界间", "points": "点间",
        "heatmap": "{name}：空间权重矩阵（行为单元，列为邻居，颜色表示权重）",
        "no_heatmap": "{name}：矩阵热图仅在单元数不超过 {max} 时绘制，该权重矩阵有 {n} 个单元（每格小于一个点）；其概要见上表。",
    }
    return zh if lang == "zh" else en


# ---------------------------------------------------------------- small helpers


def _head(frame: pd.DataFrame, words: dict[str, str]) -> tuple[pd.DataFrame, str]:
    if len(frame) <= _TABLE_ROWS:
        return frame, ""
    return frame.head(_TABLE_ROWS), words["first_rows"].format(n=_TABLE_ROWS, total=len(frame))


def _long_table(report, ctx: RunContext, frame: pd.DataFrame, words: dict[str, str], key: str, caption: str):
    """A long table as its first rows, the whole of it written beside the report as
    ``report_<key>.csv`` and linked from the page (not dumped into it: the page stays small); a
    table keyed by unit shows the user's unit names beside the ids (a table matched by name)."""
    from dataclasses import replace

    from spatial.panel import with_unit_labels
    from spatial.pipeline import write_csv

    labelled = with_unit_labels(frame, ctx.panel)  # the user's unit names beside the ids (matched by name)
    if labelled is not frame and labelled["label"].notna().any():  # not for units the user's table lacks
        frame = labelled
    shown, note = _head(frame, words)
    block = _table(report.lang, shown, caption=caption, note=note)
    if note and ctx.output is not None:
        path = write_csv(ctx, f"report_{key}.csv", frame, index=False)
        if path is not None:
            block = replace(block, link=(path.name, words["full_table"].format(file=path.name)))
    return block


def _journal(journal, caption: str = ""):
    """A report table from a journal table (models, effects, Moran by year): the same cells as the
    files, the label column headed by the table's stub, numbers right-aligned, its notes below."""
    from maps.report import table

    frame = journal.frame.rename_axis(journal.stub or "")
    return table(frame, index=True, caption=caption or journal.title, note=" ".join(journal.notes),
                 numeric=tuple(str(c) for c in frame.columns), journal=True)


# ---------------------------------------------------------------- sections


def _inputs_section(report, ctx: RunContext, words: dict[str, str]) -> None:
    from maps.report import Paragraph

    panel = ctx.panel
    blocks = []
    if panel is not None:
        blocks.append(Paragraph(f"{panel.n_units} {words['units']} × {panel.n_periods} {words['periods']} = "
                                f"{panel.nobs} {words['obs']}; {words['variables']}: {', '.join(panel.variables)}"))
    if ctx.inputs:
        rows = [{"role": i.get("role", ""), "file": i.get("file", ""), "dataset": i.get("dataset", ""),
                 "sha256": (i.get("sha256") or "")[:16]} for i in ctx.inputs]
        blocks.append(_table(report.lang, pd.DataFrame(rows), caption=words["inputs"]))
    rasters = ctx.results.rasters
    if rasters is not None and rasters.spec["reprojection"]:  # set by zonal_panel (None: not reprojected)
        blocks.append(Paragraph(f"{words['reprojection']}: {rasters.spec['reprojection']}"))
    if panel is not None:
        dropped = panel.dropped
        if dropped.empty:
            from maps.shared import word

            blocks.append(Paragraph(word("nothing_dropped", report.lang)))
        else:
            blocks.append(_long_table(report, ctx, dropped, words, "dropped", words["dropped"]))
        blocks.append(_table(report.lang, panel.describe().rename_axis("variable"), index=True, caption=words["describe"]))
    if ctx.warnings:  # e.g. D2, weights in several components: also in run.json
        blocks.append(_table(report.lang, pd.DataFrame({"warning": ctx.warnings}), caption=words["warnings"]))
    if blocks:
        report.add("inputs", *blocks)


def _weights_section(report, ctx: RunContext, units, words: dict[str, str], spec: dict) -> None:
    import maps
    from maps.report import Paragraph, Report

    weights = ctx.results.weights
    if not weights:
        return
    rows, blocks = [], []
    for name, graph in weights.items():
        cards = graph.cardinalities
        isolates = list(graph.isolates)
        n_components = int(graph.n_components)
        sizes = pd.Series(graph.component_labels).value_counts().tolist()
        rows.append({"name": str(name), "n": int(graph.n), "links": int(graph.n_edges),
                     "min": int(cards.min()), "mean": float(cards.mean()), "max": int(cards.max()),
                     "islands": len(isolates), "components": n_components,
                     "transform": str(graph.transformation)})
        if isolates:
            blocks.append(Paragraph(f"{name}: " + words["islands_note"].format(ids=", ".join(map(str, isolates[:20])))))
        if n_components > 1:
            blocks.append(Paragraph(f"{name}: " + words["components_note"].format(n=n_components, sizes=sizes[:10])))
        built = ctx.results.weights_built.get(name)  # None for a W given without the weights step
        added = pd.DataFrame([vars(link) for link in (built.islands.added if built is not None else ())],
                             columns=["island", "neighbor", "distance", "unit", "measured"])
        if len(added):
            blocks.append(_island_links_table(report.lang, str(name), added, units, spec, words))
        if units is not None and len([b for b in blocks if b.kind == "map"]) < _MAX_WEIGHT_MAPS:
            edges = graph.adjacency.reset_index()
            raw = None
            if built is not None and built.kind in ("queen", "rook") and built.transform != "none":
                edges["raw"] = 1.0  # contiguity is binary before the transformation, and so are island links
                raw = "raw"
            outside = [str(i) for i in units.index if i not in set(ctx.panel.geometry.index)]
            m = maps.links_map(units, edges, names=spec["names"], lang=report.lang, tiles=spec["tiles"],
                               outside=outside, island_links=added if len(added) else None, raw=raw)
            blocks.append(Report.map_block(str(name), m))
        if len([b for b in blocks if b.kind == "image"]) < _MAX_WEIGHT_MAPS:
            blocks.append(_heatmap_block(report.lang, str(name), graph, units, spec, added, words))
    summary = _table(report.lang, pd.DataFrame(rows), caption=words["weights_summary"]) if rows else None
    report.add("weights", *([summary] if summary else []), *blocks)


def _island_links_table(lang: str, name: str, added: pd.DataFrame, units, spec: dict, words: dict[str, str]):
    """The links an island policy added to a W (Hainan--Guangdong), units named as on the maps."""
    label = _unit_labels(units, spec, lang)
    frame = pd.DataFrame({"island": [label.get(str(i), str(i)) for i in added["island"]],
                          "neighbor": [label.get(str(i), str(i)) for i in added["neighbor"]],
                          "distance": added["distance"].astype(float).round(2)})
    measured = words.get(str(added["measured"].iloc[0]), str(added["measured"].iloc[0]))
    caption = words["island_links"].format(name=name, measured=measured, unit=added["unit"].iloc[0])
    return _table(lang, frame, caption=caption, formats={"distance": ".2f"})


def _heatmap_block(lang: str, name: str, graph, units, spec: dict, added: pd.DataFrame, words: dict[str, str]):
    """The W as a matrix heatmap (units by region when the boundaries have a ``region`` column, then
    by id; island links outlined), or a sentence saying why it is not drawn (more than 400 units)."""
    import io

    from maps.heatmap import MAX_UNITS, weights_heatmap
    from maps.report import Paragraph, image

    ids = [str(i) for i in graph.unique_ids]
    if len(ids) > MAX_UNITS:
        return Paragraph(words["no_heatmap"].format(name=name, n=len(ids), max=MAX_UNITS))
    names = _unit_labels(units, spec, lang, with_id=False)
    regions = None
    if units is not None and "region" in units.columns:
        region = units["region"].set_axis(units.index.astype(str))
        if set(ids) <= set(region.index) and region.reindex(ids).notna().all():
            regions = region.reindex(ids)
    fig = weights_heatmap(graph.adjacency.reset_index(), ids=ids, labels=names or None, groups=regions,
                          island_links=list(added[["island", "neighbor"]].itertuples(index=False, name=None)),
                          lang=lang, figsize=(6.4, 5.6))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    return image(buffer.getvalue(), words["heatmap"].format(name=name), colors=128)


def _unit_labels(units, spec: dict, lang: str, *, with_id: bool = True) -> dict[str, str]:
    """``name (id)`` (or the name alone) of each unit, with the name column the maps use (``[report] names``
    or the usual ones)."""
    if units is None:
        return {}
    preferred = ("name_zh", "name", "name_en") if lang == "zh" else ("name_en", "name", "name_zh")
    columns = list(spec.get("names") or [c for c in (*preferred, "state", "NAME", "province") if c in units.columns][:1])
    if not columns:
        return {}
    names = units[columns[0]].astype(str)
    return {str(i): (f"{n} ({i})" if with_id else n) if n and n != str(i) else str(i)
            for i, n in zip(units.index, names, strict=True)}


def _variable_maps(report, ctx: RunContext, units, spec: dict) -> None:
    import maps
    from maps.report import Report

    panel = ctx.panel
    variables = spec["variables"] or panel.variables[:_MAX_VARIABLES]
    missing = [v for v in variables if v not in panel.variables]
    if missing:
        raise SchemaError(f"[report] variables {missing!r} are not panel variables; choose from {panel.variables}")
    for variable in variables:
        m = maps.choropleth(units, panel.wide(variable), label=variable, names=spec["names"],
                            scheme=spec["scheme"], k=spec["k"], tiles=spec["tiles"], lang=report.lang)
        report.add("maps", Report.map_block(variable, m))


def _moran_series(result) -> pd.DataFrame:
    """Moran's I by period and variable (columns period, variable, I, p_value) of a global result:
    the randomisation inference when present, else the permutation or normality one."""
    data = result.table[result.table["statistic"] == "moran_i"]
    present = set(data["inference"])
    chosen = next((m for m in ("randomisation", "permutation", "normality") if m in present), None)
    data = data[data["inference"] == chosen]
    return pd.DataFrame({"period": data["period"].to_numpy(), "I": data["value"].to_numpy(dtype=float),
                         "p_value": data["p_two_sided"].to_numpy(dtype=float),
                         "variable": data["variable"].astype(str).to_numpy()})


def _moran_section(report, ctx: RunContext, words: dict[str, str]) -> None:
    from maps.report import moran_chart

    esda = ctx.results.esda
    if esda is None:
        return
    series = _moran_series(esda.global_autocorrelation)
    if series.empty:
        return
    by = "variable" if series["variable"].nunique() > 1 else None
    report.add("moran", moran_chart(series, by=by, lang=report.lang))
    if esda.moran_table is not None:  # rebuilt in the report's language (the files use [esda] language)
        from spatial.esda import moran_table

        report.add("moran", _journal(moran_table(esda.global_autocorrelation, lang=report.lang)))


def _pivot(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return frame.pivot(index="id", columns="period", values=column)


def _chosen_periods(available: list, chosen: list | None, what: str) -> list:
    if chosen:
        keep = [p for p in available if p in chosen or str(p) in {str(c) for c in chosen}]
        if not keep:
            raise SchemaError(f"[report] periods {chosen!r} have no {what}; available: {available[:20]}")
        return keep
    return [available[0], available[-1]] if len(available) > 1 else available


def _lisa_section(report, ctx: RunContext, units, words: dict[str, str], spec: dict) -> None:
    esda = ctx.results.esda
    if units is None or esda is None:
        return
    for result, kind in ((esda.lisa, "lisa"), (esda.hot_spots, "hot")):
        if result is not None and not result.table.empty:
            _local_maps(report, result, kind, units, spec)


def _local_maps(report, result, kind: str, units, spec: dict) -> None:
    """LISA cluster maps or Gi* hot-spot maps of a local result, one per variable (the chosen periods).

    The p-values are the permutation ones when the result has permutations, else the normal ones."""
    import maps
    from maps.report import Report

    data = result.table.assign(id=result.table["id"].astype(str))
    pvalue = "p_sim" if result.permutations else "p_norm"
    keep = _chosen_periods(list(pd.unique(data["period"])), spec["periods"], "local results")
    for name, part in data.groupby("variable", sort=False):
        part = part[part["period"].isin(keep)]
        title = f"{'LISA' if kind == 'lisa' else 'Gi*'}: {name}"
        if kind == "lisa":
            m = maps.lisa_map(units, _pivot(part, "cluster"), pvalues=_pivot(part, pvalue), names=spec["names"],
                              title=title, lang=report.lang, tiles=spec["tiles"])
        else:
            m = maps.hotspot_map(units, _pivot(part, "z"), _pivot(part, pvalue), categories=_pivot(part, "category"),
                                 names=spec["names"], title=title, lang=report.lang, tiles=spec["tiles"])
        report.add("lisa", Report.map_block(title, m))


def _unit_effects(result: Any) -> dict[str, pd.DataFrame]:
    """Per-unit direct effects and spillovers received/emitted of each regressor, when the result
    computed them (short- and long-run ones of a dynamic model)."""
    out = {}
    dynamic = bool(result.spec.dynamic)
    for prefix, effects in (("short-run " if dynamic else "", result.effects),
                            ("long-run ", result.long_run_effects)):
        if effects is not None and effects.per_unit is not None:
            out.update({f"{prefix}{variable}": effects.units(variable) for variable in effects.variables})
    return out


def _models_sections(report, ctx: RunContext, units, words: dict[str, str], spec: dict) -> None:
    import maps
    from maps.report import Report

    models = ctx.results.models
    if models is None:
        return
    if models.selection is not None:
        from spatial.steps.selection_table import selection_frame

        shown = selection_frame(models.selection.table, report.lang)
        report.add("selection", _table(report.lang, shown, numeric=tuple(shown.columns[3:6])))
    if models.bayes is not None:
        from spatial.steps.selection_table import bayes_frame

        shown = bayes_frame(models.bayes, report.lang)
        report.add("selection", _table(report.lang, shown, caption=words["bayes"],
                                       note=_bayes_note(models.bayes, report.lang), numeric=tuple(shown.columns[1:])))
    from spatial.steps.models import journal_tables

    # rebuilt in the report's language; the effects have their own table below, so the regression
    # table keeps the coefficients
    journal, effects_journal = journal_tables(models.results, {**models.table_options, "lang": report.lang},
                                              effects_rows=False)
    report.add("models", _journal(journal))
    if effects_journal is not None:
        report.add("effects", _journal(effects_journal))
    if units is None:
        return
    labels = dict(models.table_options.get("labels") or {})
    for name, result in models.results.items():
        for variable, frame in _unit_effects(result).items():
            title = f"{name.upper()}: {labels.get(variable, variable)}"  # the map's legend says it too
            m = maps.effects_map(units, frame, variable=variable, names=spec["names"], lang=report.lang,
                                 tiles=spec["tiles"], title=title)
            report.add("effects_maps", Report.map_block(title, m))


def _robustness_section(report, ctx: RunContext, words: dict[str, str]) -> None:
    """Moran's I by year and the models under each W of a robustness set, side by side, as the
    files print them but in the report's language."""
    from spatial.esda import moran_table

    esda = ctx.results.esda
    long = esda.robustness if esda is not None else None
    if long is not None and not long.empty and (long["statistic"] == "moran_i").any():
        report.add("robustness", _journal(moran_table(long, lang=report.lang), caption=words["robust_esda"]))
    models = ctx.results.models
    if models is not None and models.robustness is not None:  # rebuilt in the report's language
        from spatial.steps.models import robustness_table

        robust = models.robustness
        journal = robustness_table(robust.results, list(robust.models), {**models.table_options, "lang": report.lang})
        report.add("robustness", _journal(journal, caption=words["robust_models"]))


def _heterogeneity_section(report, ctx: RunContext, words: dict[str, str]) -> None:
    """The model by group side by side, then the tests of equal coefficients as a journal table."""

    models = ctx.results.models
    het = models.heterogeneity if models is not None else None
    if het is None:
        return
    side, tests = het.tables(**{**models.table_options, "lang": report.lang})
    report.add("heterogeneity", _journal(side))
    report.add("heterogeneity", _journal(tests, caption=words["group_tests"]))


def _indices_section(report, ctx: RunContext, words: dict[str, str]) -> None:

    indices = ctx.results.indices
    if indices is None:
        return
    for name, frame in indices.tables().items():
        report.add("indices", _long_table(report, ctx, frame, words, f"indices_{name}", _caption(name, report.lang)))
    from spatial.indices import SpatialMarkovResult

    for variable, chain in indices.markov.items():  # Markov results hold arrays, not frames
        spatial = isinstance(chain, SpatialMarkovResult)  # a spatial chain carries its classic chain and tests
        frames = {"transitions": chain.table(), "summary": (chain.markov if spatial else chain).summary()}
        if spatial:
            frames["tests"] = chain.tests()
        for part, frame in frames.items():
            title = f"{_caption('markov', report.lang)} {variable}: {_caption(part, report.lang)}"
            report.add("indices", _long_table(report, ctx, frame, words, f"indices_markov_{variable}_{part}", title))
    _indices_figures(report, ctx)


def _indices_figures(report, ctx: RunContext) -> None:
    """The figures the indices step saved (kernel densities, Markov heatmaps, centre of gravity), embedded."""
    from maps.report import image

    if ctx.output is None:
        return
    for name in ctx.outputs:
        if name.startswith("indices_") and name.endswith(".png") and (ctx.output / name).is_file():
            report.add("indices", image((ctx.output / name).read_bytes(), _caption(name.removesuffix(".png"),
                                                                                    report.lang), max_width=_IMAGE_WIDTH))


def _seeds(ctx: RunContext) -> list[dict]:
    # as text: a seed is an identifier, never printed with thousands separators (20240601, not 20,240,601)
    return [{"section": f"[{section}]", "seed": str(values["seed"])} for section, values in ctx.config.sections.items()
            if values.get("seed") is not None]


def _reproducibility_section(report, ctx: RunContext, words: dict[str, str]) -> None:
    from maps.report import Paragraph
    from spatial._run import versions as _versions

    versions = _versions()
    versions.update((name, version) for name in _EXTRA_PACKAGES if (version := _version(name)) is not None)
    seeds = _seeds(ctx)
    blocks = [_table(report.lang, pd.DataFrame(seeds), caption=words["seed"]) if seeds else Paragraph(words["no_seed"]),
              _table(report.lang, pd.DataFrame({"package": list(versions), "version": list(versions.values())}),
                    caption=words["versions"])]
    options = [{"section": f"[{s}]", "key": k, "value": json.dumps(v, ensure_ascii=False, default=str)}
               for s, values in ctx.config.raw.items() if isinstance(values, Mapping)
               for k, v in values.items() if k != "path"]
    if options:
        blocks.append(_table(report.lang, pd.DataFrame(options), caption=words["options"]))
    report.add("reproducibility", *blocks)


def build_report(ctx: RunContext):
    """The :class:`maps.report.Report` of a pipeline run, from the panel and the run's typed results.

    Examples
    --------
    >>> from spatial.config import validate_config
    >>> from spatial.pipeline import run
    >>> cfg = validate_config({"panel": {"dataset": "us_produc", "id": "fips", "time": "year",
    ...                                  "variables": ["unemp"]},
    ...                        "boundaries": {"dataset": "us48_states"}, "report": {}})
    >>> ctx = run(cfg, write=False, echo=lambda text: None)
    >>> [s.key for s in build_report(ctx).sections]
    ['inputs', 'maps', 'reproducibility']
    """
    from maps.report import Report

    spec = ctx.config.sections.get("report") or {
        "title": None, "lang": "en", "variables": None, "periods": None, "tiles": None, "scheme": "quantiles",
        "k": 5, "names": None}
    words = _words(spec["lang"])
    report = Report(spec["title"] or ctx.config["project"]["name"], lang=spec["lang"],
                    version=_version("spatial-panel") or "")
    # the whole area: units outside the study (Taiwan in a mainland study) drawn as no data, never left out
    units = with_context(ctx.config, ctx.panel) if ctx.panel is not None else None
    # tooltips name the units as the user's table does (北京 where the boundaries say 北京市)
    units, names = display_units(units, ctx.panel.unit_labels if ctx.panel is not None else None, spec["names"])
    spec = {**spec, "names": names}
    _inputs_section(report, ctx, words)
    _weights_section(report, ctx, units, words, spec)
    if units is not None and ctx.panel is not None:
        _variable_maps(report, ctx, units, spec)
    _moran_section(report, ctx, words)
    _lisa_section(report, ctx, units, words, spec)
    _models_sections(report, ctx, units, words, spec)
    _robustness_section(report, ctx, words)
    _heterogeneity_section(report, ctx, words)
    _indices_section(report, ctx, words)
    _reproducibility_section(report, ctx, words)
    return report


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _report_step(ctx: RunContext) -> None:
    if "report" not in ctx.config:
        return
    from maps.errors import MapError

    path = ctx.output_path(ctx.config["report"]["file"])
    try:
        html = build_report(ctx).to_html()
    except MapError as exc:
        raise SchemaError(f"report: {exc}") from None
    if path is None:
        ctx.echo("report: built (not written: dry run)")
        return
    write_text_atomic(path, html)
    ctx.wrote(path)
    final = (ctx.target or ctx.output) / path.name  # where it lands once the run succeeds, not the staging area
    ctx.echo(f"report: {display_path(final)} ({len(html.encode('utf-8')) / 1e6:.1f} MB)")


register_step("report", _report_step,
              plan=lambda config: [config["report"]["file"], "report_*"] if "report" in config else [])
