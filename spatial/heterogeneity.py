"""Regional heterogeneity: the same model by group of units, and whether its coefficients differ.

Papers on Chinese provinces split the sample into East / Central / West (or the four NBS regions,
or North / South), fit the model in each group with W restricted to the group, print the groups
side by side and test whether a coefficient differs between groups. Two tests are given:

* a **Wald test** on the difference of coefficients from independent subsamples (the groups share
  no unit and no link once W is restricted, so their estimates are independent and the variance of
  a difference is the sum of the variances): per coefficient across all groups (df = G - 1), jointly
  for all compared coefficients (df = k (G - 1)), and pairwise (z = d / sqrt(v_a + v_b));
* the **permutation test** of coefficient differences that applied papers report (Fisher's
  permutation test, Stata ``bdiff``): for each pair of groups, the units of both are regrouped at
  random keeping the group sizes, the model is refitted in both and the difference recomputed;
  the p-value is the share of regroupings whose difference is at least as large in absolute value
  as the observed one, ``(1 + #{|d*| >= |d|}) / (1 + P)``. Draws follow the sorted unit ids, so a
  seed gives the same p-values whatever the row order of the inputs.
"""

from __future__ import annotations

import itertools
import json
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from spatial.choices import GroupIslands, Language
from spatial._options import check_seed
from spatial.errors import NumericalError, SchemaError, SpatialPanelError, first_items
from weights.errors import WeightsError
from spatial.indices.regions import CHINA_GROUP_ORDER, CHINA_GROUPINGS, CHINA_REGION_NAMES, china_grouping
from spatial.models import GroupResults, fit_by_group
from spatial.models.result import stars
from spatial.models.table import ComparisonTable, _number, _pct

__all__ = ["Heterogeneity", "GroupDifferences", "heterogeneity", "group_labels", "wald_differences",
           "CHINA_GROUPINGS"]

_NOT_COMPARED = ("const", "sigma2")
_MAX_FAILED_SHARE = 0.05
_NOTE_WORDS = {
    "en": {"wald": "Wald tests of equal coefficients across groups (independent subsamples)", "by": "groups:",
           "joint": "joint", "see": "each coefficient in the table of group differences",
           "permutation": "Permutation test of differences, p ({n} regroupings, seed {seed})",
           "title": "Tests of equal coefficients across groups", "stub": "Coefficient", "chi2": "Wald chi2",
           "p": "p", "perm_p": "p (perm.)",
           "note_wald": "Wald chi2: equal coefficient in all groups (df = {df}); joint: all compared coefficients "
                        "(df = {joint_df}).",
           "note_pairs": "Pairs: the first group's coefficient minus the second's, stars from the Wald z of the "
                         "difference (independent subsamples).",
           "note_perm": "p (perm.): share of {n} random regroupings keeping the group sizes (seed {seed}) with a "
                        "difference at least as large.",
           "stars": "*** p<{2}, ** p<{1}, * p<{0}."},
    "zh": {"wald": "组间系数差异 Wald 检验（独立子样本）", "by": "分组：", "joint": "联合检验",
           "see": "逐个系数的检验见组间系数差异检验表",
           "permutation": "组间系数差异置换检验 p 值（{n} 次随机重新分组，种子 {seed}）",
           "title": "组间系数差异检验", "stub": "系数", "chi2": "Wald χ²", "p": "p 值", "perm_p": "置换 p 值",
           "note_wald": "注：Wald χ² 检验各组系数相等（自由度 {df}）；联合检验针对全部比较的系数（自由度 {joint_df}）。",
           "note_pairs": "组对列：前一组系数减后一组系数，星号来自该差异的 Wald z 检验（独立子样本）。",
           "note_perm": "置换 p 值：保持组规模不变随机重新分组 {n} 次（种子 {seed}）中差异不小于观测值的比例。",
           "stars": "***、**、*分别表示在{2}、{1}、{0}的水平上显著。"},
}


_PRESET_NAMES = {"en": {"three_regions": "East/Central/West", "four_regions": "East/Central/West/Northeast",
                         "north_south": "North/South"},
                 "zh": {"three_regions": "东中西三大地区", "four_regions": "东中西及东北四大地区", "north_south": "南北方"}}


@dataclass(frozen=True)
class GroupDifferences:
    """Tests of equal coefficients across groups.

    ``wald``: one row per coefficient and a final ``joint`` row (statistic, df, p_value).
    ``pairwise``: one row per pair of groups and coefficient: difference (a - b), std_error, z,
    p_value and, when permutations were run, ``permutation_p`` and ``permutations`` (successful
    regroupings used for that pair).
    """

    wald: pd.DataFrame
    pairwise: pd.DataFrame
    permutations: int = 0
    seed: int | None = None
    failed: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"wald": _records(self.wald.reset_index()), "pairwise": _records(self.pairwise),
                "permutations": self.permutations, "seed": self.seed, "failed_permutations": self.failed}


@dataclass(frozen=True)
class Heterogeneity:
    """A model by group (:class:`spatial.models.GroupResults`), the grouping and the difference tests."""

    groups: GroupResults
    labels: pd.Series
    by: str
    differences: GroupDifferences

    def table(self, **kwargs) -> ComparisonTable:
        """The groups side by side (:meth:`GroupResults.table`), the joint difference test as a note.

        Keywords are those of :func:`spatial.models.compare` (``lang``, ``stat``, ``digits``, ...).
        Each coefficient's tests are in :meth:`differences_table`. The groups of a preset are named
        in the table's language (East -> 东部).
        """
        lang = kwargs.get("lang", "en")
        base = self.groups.table(**kwargs)
        frame = base.frame.rename(columns=self._group_names(lang))
        return replace(base, frame=frame, notes=base.notes + self._notes(lang))

    def tables(self, **kwargs) -> tuple[ComparisonTable, ComparisonTable]:
        """The groups side by side (:meth:`table`) and the tests of equal coefficients
        (:meth:`differences_table`) from the same keywords of :func:`spatial.models.compare`: what
        the files, the report and ``spatial fit --by --table`` print."""
        shared = {k: v for k, v in kwargs.items() if k in ("lang", "digits", "levels", "labels")}
        return self.table(**kwargs), self.differences_table(**shared)

    def _group_names(self, lang: str) -> dict[str, str]:
        """Group -> its name in ``lang`` (only the presets' names are translated)."""
        if self.by not in CHINA_GROUPINGS:
            return {}
        if lang == "zh":
            return {g: CHINA_REGION_NAMES.get(g, g) for g in self.groups.results}
        english = {zh: en for en, zh in CHINA_REGION_NAMES.items()}
        return {g: english.get(g, g) for g in self.groups.results}

    def _notes(self, lang: str) -> tuple[str, ...]:
        words = _NOTE_WORDS[lang]
        joint = self.differences.wald.loc["joint"]
        separator = "；" if lang == "zh" else "; "
        by = _PRESET_NAMES[lang].get(self.by, self.by)
        return (f"{words['wald']}（{words['by']}{by}）：{words['joint']} χ²({int(joint['df'])}) = "
                f"{joint['statistic']:.3f}, p = {joint['p_value']:.4f}{separator}{words['see']}。"
                if lang == "zh" else
                f"{words['wald']} ({words['by']} {by}): {words['joint']} chi2({int(joint['df'])}) = "
                f"{joint['statistic']:.3f}, p = {joint['p_value']:.4f}{separator}{words['see']}.",)

    def differences_table(self, *, lang: Language = "en", digits: int = 3,
                          levels: tuple[float, float, float] = (0.1, 0.05, 0.01),
                          labels: Mapping[str, str] | None = None) -> ComparisonTable:
        """The tests of equal coefficients as a journal table: one row per coefficient (and the joint
        test), the Wald chi2 and its p across all groups, then per pair of groups the difference
        (stars from its Wald z) and, with the permutation test, its permutation p-value.

        Examples
        --------
        >>> from libpysal.graph import Graph
        >>> from spatial import SpatialPanel, datasets
        >>> states = datasets.load("us48_states").set_index("fips")
        >>> panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year")
        >>> w = Graph.build_contiguity(states, rook=False).transform("r")
        >>> side = {i: "west" if states.geometry[i].centroid.x < -100 else "east" for i in panel.entities}
        >>> het = heterogeneity(panel, w, by=side, y="log(gsp)", x=["log(emp)"], model="sar", fe="twoway", draws=0)
        >>> t = het.differences_table()
        >>> list(t.frame.columns), list(t.frame.index)
        (['Wald chi2', 'p', 'east - west'], ['log(emp)', 'rho', 'joint'])
        """
        words = _NOTE_WORDS[lang]
        names = self._group_names(lang)
        mapping = dict(labels or {})

        def shown(name: str) -> str:
            if name == "joint":
                return words["joint"]
            if name in ("rho", "lambda"):
                return {"rho": "ρ", "lambda": "λ"}[name] if lang == "zh" else name
            if name.startswith("W*") and name not in mapping:
                return "W*" + mapping.get(name[2:], name[2:])
            return mapping.get(name, name)

        wald, pairs = self.differences.wald, self.differences.pairwise
        permuted = bool(self.differences.permutations) and "permutation_p" in pairs.columns
        columns: dict[str, list[str]] = {
            words["chi2"]: [_number(v, digits) + stars(p, levels) for v, p in zip(wald["statistic"], wald["p_value"],
                                                                                    strict=True)],
            words["p"]: [_number(v, digits) for v in wald["p_value"]],
        }
        dash = " − " if lang == "zh" else " - "
        for (a, b), part in pairs.groupby(["group_a", "group_b"], sort=False):
            part = part.set_index("coefficient")
            pair = f"{names.get(a, a)}{dash}{names.get(b, b)}"
            columns[pair] = [_number(part.at[c, "difference"], digits) + stars(part.at[c, "p_value"], levels)
                             if c in part.index else "" for c in wald.index]
            if permuted:
                columns[f"{pair}: {words['perm_p']}"] = [_number(part.at[c, "permutation_p"], digits)
                                                         if c in part.index else "" for c in wald.index]
        frame = pd.DataFrame(columns, index=[shown(str(c)) for c in wald.index])
        joint_df = int(wald.loc["joint", "df"]) if "joint" in wald.index else 0
        per_df = int(wald["df"].iloc[0]) if len(wald) else 0
        notes = [words["note_wald"].format(df=per_df, joint_df=joint_df),
                 words["note_pairs"]]
        if permuted:
            notes.append(words["note_perm"].format(n=self.differences.permutations, seed=self.differences.seed))
        notes.append(words["stars"].format(*[_pct(v) for v in levels]))
        return ComparisonTable(frame=frame, notes=(" ".join(notes),), title=words["title"], stub=words["stub"])

    def tests_frame(self) -> pd.DataFrame:
        """Every difference test in one tidy frame (``test`` = ``wald`` or ``pairwise``)."""
        wald = self.differences.wald.reset_index().assign(test="wald")
        pairs = self.differences.pairwise.assign(test="pairwise")
        columns = ["test", "coefficient", "group_a", "group_b", "statistic", "df", "difference", "std_error", "z",
                   "p_value", "permutation_p", "permutations"]
        return pd.concat([wald, pairs], ignore_index=True).reindex(columns=columns)

    def summary(self) -> str:
        wald = self.differences.wald
        lines = [self.groups.summary(), "", f"Tests of equal coefficients across groups ({self.by})",
                 f"{'':<24}{'Wald chi2':>12}{'df':>5}{'p':>9}"]
        for name, row in wald.iterrows():
            lines.append(f"{str(name):<24}{row['statistic']:>12.4f}{int(row['df']):>5}{row['p_value']:>9.4f}")
        pairs = self.differences.pairwise
        if self.differences.permutations:
            failed = sum(self.differences.failed.values())
            left_out = f"; {failed} could not be fitted and were left out" if failed else ""
            lines += ["", f"Permutation test of differences ({self.differences.permutations} regroupings, "
                          f"seed {self.differences.seed}{left_out})",
                      f"{'pair':<24}{'coefficient':<18}{'difference':>12}{'p (Wald)':>10}{'p (perm.)':>10}"]
            for row in pairs.itertuples():
                lines.append(f"{_pad(row.group_a + ' - ' + row.group_b, 24)}{_pad(row.coefficient, 18)}"
                             f"{row.difference:>12.4f}"
                             f"{row.p_value:>10.4f}{row.permutation_p:>10.4f}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """The machine-readable form: the grouping, each group's result and the difference tests."""
        return {"by": self.by, "units": {g: list(ids) for g, ids in self.groups.units.items()},
                "islands": {g: list(ids) for g, ids in self.groups.islands.items()},
                "dropped": list(self.groups.dropped),
                "results": {g: r.to_dict() for g, r in self.groups.results.items()},
                "differences": self.differences.to_dict()}

    def to_json(self) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _pad(text: str, width: int) -> str:
    """Left-aligned in a terminal column; CJK characters take two cells."""
    cells = sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)
    return text + " " * max(1, width - cells)


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in row.items()}
            for row in frame.to_dict(orient="records")]


def group_labels(panel, by: str | Mapping | pd.Series, *, language: str = "en") -> pd.Series:
    """Unit id -> group: a preset for mainland China, a panel or boundary column, or a mapping.

    Parameters
    ----------
    panel
        A :class:`spatial.SpatialPanel`.
    by
        ``"three_regions"`` (East 11 / Central 8 / West 12), ``"four_regions"`` (with the
        Northeast), ``"north_south"`` (unit ids or names must be mainland province, prefecture or
        county codes or names), a column of the panel or of its boundaries, or a mapping.
    language
        Group names of the presets in ``"en"`` or ``"zh"``.

    Examples
    --------
    >>> from spatial import SpatialPanel, datasets
    >>> provinces = datasets.load("china_provinces")
    >>> mainland = provinces[provinces["mainland"]]
    >>> frame = mainland[["adcode"]].assign(year=2020, x=1.0)
    >>> panel = SpatialPanel(frame, id="adcode", time="year", geometry=mainland)
    >>> group_labels(panel, "three_regions").value_counts().to_dict()
    {'West': 12, 'East': 11, 'Central': 8}
    """
    ids = list(panel.entities)
    if isinstance(by, str) and by in CHINA_GROUPINGS:
        return pd.Series(china_grouping(ids, by, language=language).to_numpy(), index=ids, name=by)
    from spatial.models.numerics import unit_groups  # the column/mapping rules of fit_by_group

    if isinstance(by, str):
        _check_grouping(panel, by)
    return unit_groups(panel, by).rename(by if isinstance(by, str) else "group")


def _check_grouping(panel, by: str) -> None:
    """Refuse a name that is neither a column of the panel or its boundaries nor a preset."""
    from spatial.io import close_matches

    columns = [*panel.labels.columns, *panel.data.columns]
    if panel.geometry is not None:
        columns += [c for c in panel.geometry.columns if c != panel.geometry.geometry.name]
    if by in columns:
        return
    near = close_matches(by, [*CHINA_GROUPINGS, *columns], n=1)
    raise SchemaError(f"grouping {by!r} is neither a column of the panel or its boundaries nor a preset "
                      f"({', '.join(CHINA_GROUPINGS)})" + (f"; did you mean {near[0]!r}?" if near else ""))


def _without_se(results: Mapping[str, Any], name: str) -> list[str]:
    """The groups where ``name`` has no standard error (lambda of the panel GM and of kp98: splm and spreg give
    none), so that its difference cannot be tested."""
    return [g for g, r in results.items() if not np.isfinite(float(r.cov.loc[name, name]))]


def _compared(results: Mapping[str, Any], coefficients: Sequence[str] | None) -> list[str]:
    import warnings

    from spatial.errors import SpatialWarning

    common = [c for c in next(iter(results.values())).params.index
              if all(c in r.params.index for r in results.values())]
    if coefficients is None:
        untested = [c for c in common if c not in _NOT_COMPARED and _without_se(results, c)]
        if untested:
            warnings.warn(f"{', '.join(untested)} not compared across groups: no standard error in "
                          f"{first_items(_without_se(results, untested[0]))} (the GMM estimator gives none)",
                          SpatialWarning, stacklevel=3)
        return [c for c in common if c not in _NOT_COMPARED and c not in untested]
    unknown = [c for c in coefficients if c not in common]
    if unknown:
        raise SchemaError(f"coefficients {first_items(unknown)} are not estimated in every group; "
                          f"choose among {first_items(common)}")
    untested = {c: _without_se(results, c) for c in coefficients if _without_se(results, c)}
    if untested:
        name, groups = next(iter(untested.items()))
        raise SpatialPanelError(f"{name} has no standard error in group(s) {first_items(groups)} (the GMM "
                                "estimator gives none), so its difference cannot be tested; leave it out of "
                                "the coefficients compared")
    return list(coefficients)


def _wald(estimates: list[np.ndarray], covariances: list[np.ndarray]) -> tuple[float, int]:
    """Wald statistic of b_1 = ... = b_G for independent estimates, with its df."""
    k, groups = len(estimates[0]), len(estimates)
    contrasts = np.concatenate([estimates[g] - estimates[0] for g in range(1, groups)])
    blocks = [[covariances[0] + (covariances[g] if g == h else 0) for h in range(1, groups)]
              for g in range(1, groups)]
    variance = np.block(blocks)
    try:
        statistic = float(contrasts @ np.linalg.solve(variance, contrasts))
    except np.linalg.LinAlgError as error:
        raise NumericalError("the covariance of the coefficient differences is singular; compare fewer "
                             "coefficients") from error
    return statistic, k * (groups - 1)


def wald_differences(results: Mapping[str, Any], coefficients: Sequence[str] | None = None) -> tuple[
        pd.DataFrame, pd.DataFrame]:
    """Wald tests of equal coefficients across independent group estimates.

    Parameters
    ----------
    results
        Group name -> :class:`spatial.models.Result` (from :func:`spatial.models.fit_by_group`).
    coefficients
        The coefficients to compare (default: all estimated in every group except the constant).

    Returns
    -------
    wald, pairwise : DataFrame
        Per coefficient and ``joint`` (statistic, df, p_value); per pair and coefficient
        (difference, std_error, z, p_value).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> a = SimpleNamespace(params=pd.Series({"x": 1.0}), cov=pd.DataFrame([[0.04]], ["x"], ["x"]))
    >>> b = SimpleNamespace(params=pd.Series({"x": 0.5}), cov=pd.DataFrame([[0.05]], ["x"], ["x"]))
    >>> wald, pairs = wald_differences({"East": a, "West": b})
    >>> round(float(wald.loc["x", "statistic"]), 4), round(float(pairs["z"].iloc[0]), 4)
    (2.7778, 1.6667)
    """
    if len(results) < 2:
        raise SpatialPanelError(f"group differences need at least two groups, got {len(results)}")
    names = _compared(results, coefficients)
    params = {g: r.params[names].to_numpy(float) for g, r in results.items()}
    covs = {g: r.cov.loc[names, names].to_numpy(float) for g, r in results.items()}
    rows = {}
    for i, name in enumerate(names):
        statistic, df = _wald([params[g][[i]] for g in results], [covs[g][np.ix_([i], [i])] for g in results])
        rows[name] = (statistic, df, float(stats.chi2.sf(statistic, df)))
    statistic, df = _wald(list(params.values()), list(covs.values()))
    rows["joint"] = (statistic, df, float(stats.chi2.sf(statistic, df)))
    wald = pd.DataFrame.from_dict(rows, orient="index", columns=["statistic", "df", "p_value"])
    wald.index.name = "coefficient"
    pairwise = []
    for a, b in itertools.combinations(results, 2):
        difference = params[a] - params[b]
        se = np.sqrt(np.diag(covs[a]) + np.diag(covs[b]))
        z = difference / se
        for i, name in enumerate(names):
            pairwise.append({"group_a": a, "group_b": b, "coefficient": name, "difference": float(difference[i]),
                             "std_error": float(se[i]), "z": float(z[i]),
                             "p_value": float(2 * stats.norm.sf(abs(z[i])))})
    return wald, pd.DataFrame(pairwise)


def _permuted_differences(panel, w, *, a: str, b: str, labels: pd.Series, names: list[str], y: str,
                          x: Sequence[str], permutations: int, rng: np.random.Generator, islands: str,
                          progress: Callable[[int], None] | None, options: dict) -> tuple[np.ndarray, int]:
    pooled = sorted(i for i in labels.index if labels[i] in (a, b))
    size_a = int((labels[pooled] == a).sum())
    draws, failed = [], 0
    for _ in range(permutations):
        order = rng.permutation(len(pooled))
        mapping = labels.to_dict() | {pooled[j]: (a if rank < size_a else b) for rank, j in enumerate(order)}
        try:
            refit = fit_by_group(panel, w, group=mapping, groups=[a, b], y=y, x=x, islands=islands, **options)
        except (SpatialPanelError, NumericalError, WeightsError):
            failed += 1
        else:
            draws.append(refit.results[a].params[names].to_numpy(float)
                         - refit.results[b].params[names].to_numpy(float))
        if progress is not None:
            progress(1)
    return np.array(draws).reshape(-1, len(names)), failed


def heterogeneity(panel, w: Any, *, by: str | Mapping | pd.Series, y: str, x: Sequence[str],
                  groups: Sequence[str] | None = None, coefficients: Sequence[str] | None = None,
                  permutations: int = 0, seed: int | None = None, islands: GroupIslands = "keep",
                  language: Language = "en", progress: Callable[[int], None] | None = None,
                  **options) -> Heterogeneity:
    """Fit a model by group of units (W restricted to each group) and test its group differences.

    Parameters
    ----------
    panel, w, y, x
        As for :func:`spatial.models.fit`.
    by
        A preset (``"three_regions"``, ``"four_regions"``, ``"north_south"``; see
        :func:`group_labels`), a column of the panel or its boundaries, or a mapping id -> group.
    groups
        The groups to fit, in this order (default: all; a preset's in its usual order, East, Central,
        West, Northeast or North, South; others sorted).
    coefficients
        The coefficients to compare (default: all estimated in every group except the constant).
    permutations
        Regroupings per pair of groups for the permutation test (0: Wald tests only; papers use
        500-1000). Needs ``seed``.
    seed
        Seed of the regroupings (recorded); also the seed of the effects draws of every fit.
    islands
        As for :func:`spatial.models.fit_by_group`.
    language
        Group names of the presets (``"en"``, ``"zh"``).
    progress
        Called with 1 after each refit (default: a progress bar on a terminal, see
        :mod:`spatial.progress`).
    **options
        Passed to :func:`spatial.models.fit` (``model``, ``fe``, ``lee_yu``, ``draws``, ...).

    Raises
    ------
    SchemaError
        An unknown grouping, group or coefficient.
    SpatialPanelError
        Fewer than two groups, a missing seed with permutations, or more than 5 % of the
        regroupings of a pair failing to fit.

    Examples
    --------
    >>> from libpysal.graph import Graph
    >>> from spatial import SpatialPanel, datasets
    >>> states = datasets.load("us48_states").set_index("fips")
    >>> panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year")
    >>> w = Graph.build_contiguity(states, rook=False).transform("r")
    >>> side = {i: "west" if states.geometry[i].centroid.x < -100 else "east" for i in panel.entities}
    >>> het = heterogeneity(panel, w, by=side, y="log(gsp)", x=["log(pcap)", "log(emp)"], model="sar",
    ...                     fe="twoway", draws=0)
    >>> het.differences.wald.index.tolist()
    ['log(pcap)', 'log(emp)', 'rho', 'joint']
    """
    if isinstance(permutations, bool) or not isinstance(permutations, int | np.integer) or permutations < 0:
        raise SpatialPanelError(f"permutations must be a non-negative integer, got {permutations!r}")
    if permutations and seed is None:
        raise SpatialPanelError("the permutation test needs a seed (seed=...) so that its p-values can be "
                                "reproduced")
    if seed is not None:
        options["seed"] = seed  # also the seed of the effects draws of every fit (one seed, recorded)
    labels = group_labels(panel, by, language=language)
    name = by if isinstance(by, str) else "group"
    if groups is None and isinstance(by, str) and by in CHINA_GROUPINGS:  # East, Central, West: as papers list them
        order = [CHINA_REGION_NAMES[g] if language == "zh" else g for g in CHINA_GROUP_ORDER]
        groups = [g for g in order if g in set(labels)]
    fitted = fit_by_group(panel, w, group=labels, groups=groups, y=y, x=x, islands=islands, **options)
    if len(fitted.results) < 2:
        raise SpatialPanelError(f"group differences need at least two groups; {name!r} gives "
                                f"{first_items(fitted.results)}")
    wald, pairwise = wald_differences(fitted.results, coefficients)
    names = [c for c in wald.index if c != "joint"]
    failed: dict[str, int] = {}
    if permutations:
        from spatial.progress import progress as bar

        rng = np.random.default_rng(check_seed(seed))
        perm_p, used = [], []
        pairs = list(itertools.combinations(fitted.results, 2))
        with bar("regroupings (permutation test)", total=permutations * len(pairs)) as advance:
            outcomes = [_permuted_differences(panel, w, a=a, b=b, labels=labels, names=names, y=y, x=x,
                                              permutations=permutations, rng=rng, islands=islands,
                                              progress=progress or advance, options=options) for a, b in pairs]
        for (a, b), (draws, failures) in zip(pairs, outcomes, strict=True):
            if failures > _MAX_FAILED_SHARE * permutations:
                raise SpatialPanelError(
                    f"{failures} of {permutations} random regroupings of {a!r} and {b!r} could not be fitted "
                    "(too few units or no neighbours inside a random group); use the Wald test (permutations=0) "
                    "or larger groups")
            failed[f"{a} - {b}"] = failures
            observed = fitted.results[a].params[names].to_numpy(float) - fitted.results[b].params[names].to_numpy(float)
            exceed = (np.abs(draws) >= np.abs(observed) - 1e-12 * np.abs(observed)).sum(axis=0)
            perm_p += list((1 + exceed) / (1 + len(draws)))
            used += [len(draws)] * len(names)
        pairwise = pairwise.assign(permutation_p=perm_p, permutations=used)
    differences = GroupDifferences(wald=wald, pairwise=pairwise, permutations=int(permutations), seed=seed,
                                   failed=failed)
    return Heterogeneity(groups=fitted, labels=labels, by=str(name), differences=differences)
