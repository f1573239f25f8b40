"""Coupling coordination of two or more subsystems, with grading tables in Chinese and English.

For subsystem indices ``U_1 .. U_n`` in [0, 1] of one unit and period:

* coupling degree ``C`` in [0, 1] by one of two formulas (``formula=``):

  - ``"classical"``: ``C = [U_1 U_2 ... U_n / (mean U)^n]^k`` with ``k = 1/n`` by default, i.e.
    ``C = n (U_1 ... U_n)^(1/n) / (U_1 + ... + U_n)`` (two subsystems: ``2 sqrt(U_1 U_2) / (U_1 + U_2)``);
    ``exponent=k`` sets the adjustment exponent some papers use (e.g. ``k = 5`` for two
    subsystems, which spreads the values the classical C compresses near 1);
  - ``"revised"`` (Wang Shujia, Kong Wei, Ren Liang, Zhi Dandan, Dai Bingtao 2021, 自然资源学报
    36(3): 793-810, the corrected model): ``C = sqrt{[1 - sum_{i<j} |U_i - U_j| / sum_{m=1}^{n-1} m]
    * prod_i (U_i / max U)^(1/(n-1))}`` (two subsystems: ``sqrt[(1 - |U_1 - U_2|) min U / max U]``);

  the formula actually used, with its exponent, is written in the ``formula`` column;
* comprehensive index ``T = a_1 U_1 + ... + a_n U_n`` (weights ``a_i`` summing to 1, equal by
  default);
* coupling coordination degree ``D = sqrt(C T)``;
* relative development degree ``U_1 / U_2`` (two subsystems) and the lagging subsystem (the
  smallest ``U``; ``synchronous`` when ``U_1 / U_2`` lies in the band, default (0.8, 1.2]).

``D`` is graded by a :class:`GradingTable`: the common ten-level scale (极度失调 ... 优质协调),
the three-class grouping of it, a four-level scale, the coupling stages of ``C``, or your own.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from spatial.choices import CouplingFormula
from spatial._options import check_option
from spatial.errors import SchemaError, first_items
from spatial.indices._common import IndicatorWarning, LongTable, cells, check_positive, long_table

if TYPE_CHECKING:
    from spatial.indices.composite import CompositeIndex
    from spatial.panel import SpatialPanel

__all__ = [
    "CouplingFormula",
    "GradingTable",
    "GRADINGS",
    "grading_table",
    "CouplingResult",
    "coupling_coordination",
    "coupling_degree",
    "formula_text",
]


@dataclass(frozen=True)
class GradingTable:
    """Classes of a value in [0, 1]: ``edges`` (k + 1 ascending bounds) and bilingual labels.

    ``closed="left"`` makes classes ``[a, b)`` (the last one ``[a, b]``); ``"right"`` makes them
    ``(a, b]`` (the first one ``[a, b]``).

    Examples
    --------
    >>> GRADINGS["ten_level"].classify([0.05, 0.55, 1.0])[["level", "grade_zh", "grade_en"]]
       level grade_zh                   grade_en
    0      1     极度失调        extreme imbalance
    1      6     勉强协调      barely coordinated
    2     10     优质协调  high-quality coordination
    """

    name: str
    edges: tuple[float, ...]
    labels_zh: tuple[str, ...]
    labels_en: tuple[str, ...]
    closed: Literal["left", "right"] = "left"

    def __post_init__(self) -> None:
        edges = np.asarray(self.edges, dtype=float)
        k = len(edges) - 1
        if k < 1 or not np.all(np.diff(edges) > 0) or not np.isfinite(edges).all():
            raise SchemaError(f"grading {self.name!r}: edges must be at least 2 finite, strictly increasing numbers")
        if len(self.labels_zh) != k or len(self.labels_en) != k:
            raise SchemaError(f"grading {self.name!r}: {k} classes need {k} Chinese and {k} English labels")
        check_option("closed", self.closed, Literal["left", "right"])

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, name: str = "custom", closed: Literal["left", "right"] = "left"):
        """A table with ``lower``, ``upper``, ``label_zh``, ``label_en`` rows (contiguous classes).

        Raises
        ------
        SchemaError
            Missing columns, gaps or overlaps between classes.
        """
        from spatial.io import require_columns

        require_columns(frame, ["lower", "upper", "label_zh", "label_en"], "the grading table")
        lower = pd.to_numeric(frame["lower"], errors="coerce").to_numpy()
        upper = pd.to_numeric(frame["upper"], errors="coerce").to_numpy()
        if np.isnan(lower).any() or np.isnan(upper).any() or not np.allclose(lower[1:], upper[:-1]):
            raise SchemaError(
                "the grading table needs numeric lower/upper bounds, each class starting where the last ends"
            )
        return cls(
            name, (*lower, upper[-1]), tuple(map(str, frame["label_zh"])), tuple(map(str, frame["label_en"])), closed
        )

    def classify(self, values: Sequence[float] | np.ndarray | pd.Series) -> pd.DataFrame:
        """``level`` (1 = lowest class), ``grade_zh`` and ``grade_en`` of each value (NaN stays empty).

        Raises
        ------
        SchemaError
            For values outside the table's range.
        """
        x = np.asarray(values, dtype=float)
        edges = np.asarray(self.edges)
        outside = ~np.isnan(x) & ((x < edges[0] - 1e-12) | (x > edges[-1] + 1e-12))
        if outside.any():
            raise SchemaError(
                f"grading {self.name!r} covers [{edges[0]:g}, {edges[-1]:g}]; values outside: "
                f"{first_items(np.round(x[outside], 6).tolist(), 5)}"
            )
        side = "right" if self.closed == "left" else "left"
        level = np.clip(np.searchsorted(edges, x, side=side), 1, len(edges) - 1)
        valid = ~np.isnan(x)
        zh = np.where(valid, np.asarray(self.labels_zh, dtype=object)[level - 1], None)
        en = np.where(valid, np.asarray(self.labels_en, dtype=object)[level - 1], None)
        levels = pd.array([int(v) if ok else None for v, ok in zip(level, valid, strict=True)], dtype="Int64")
        return pd.DataFrame({"level": levels, "grade_zh": zh, "grade_en": en})

    def to_frame(self) -> pd.DataFrame:
        """The classes as rows: level, lower, upper, label_zh, label_en."""
        return pd.DataFrame(
            {
                "level": range(1, len(self.edges)),
                "lower": self.edges[:-1],
                "upper": self.edges[1:],
                "label_zh": self.labels_zh,
                "label_en": self.labels_en,
            }
        )


GRADINGS: dict[str, GradingTable] = {
    "ten_level": GradingTable(
        "ten_level",
        tuple(np.round(np.linspace(0, 1, 11), 1)),
        (
            "极度失调",
            "严重失调",
            "中度失调",
            "轻度失调",
            "濒临失调",
            "勉强协调",
            "初级协调",
            "中级协调",
            "良好协调",
            "优质协调",
        ),
        (
            "extreme imbalance",
            "serious imbalance",
            "moderate imbalance",
            "mild imbalance",
            "verge of imbalance",
            "barely coordinated",
            "primary coordination",
            "intermediate coordination",
            "good coordination",
            "high-quality coordination",
        ),
    ),
    "three_level": GradingTable(
        "three_level",
        (0.0, 0.4, 0.6, 1.0),
        ("失调衰退", "过渡调和", "协调发展"),
        ("imbalanced decline", "transitional", "coordinated development"),
    ),
    "four_level": GradingTable(
        "four_level",
        (0.0, 0.3, 0.5, 0.8, 1.0),
        ("低度协调", "中度协调", "高度协调", "极度协调"),
        ("low coordination", "moderate coordination", "high coordination", "extreme coordination"),
    ),
    "coupling_stage": GradingTable(
        "coupling_stage",
        (0.0, 0.3, 0.5, 0.8, 1.0),
        ("低水平耦合", "拮抗", "磨合", "高水平耦合"),
        ("low-level coupling", "antagonism", "running-in", "high-level coupling"),
        closed="right",
    ),
}


def grading_table(grading: str | GradingTable | pd.DataFrame) -> GradingTable:
    """A built-in table by name (``ten_level``, ``three_level``, ``four_level``, ``coupling_stage``),
    a :class:`GradingTable`, or a frame for :meth:`GradingTable.from_frame`.

    Raises
    ------
    SchemaError
        For an unknown name, listing the built-in ones.
    """
    if isinstance(grading, GradingTable):
        return grading
    if isinstance(grading, pd.DataFrame):
        return GradingTable.from_frame(grading)
    if grading not in GRADINGS:
        raise SchemaError(
            f"grading={grading!r} is not built in; choose one of {', '.join(map(repr, GRADINGS))} "
            "or pass a GradingTable"
        )
    return GRADINGS[grading]


@dataclass(frozen=True)
class CouplingResult:
    """Coupling coordination per unit and period.

    ``table`` columns: the keys, the subsystem indices ``U``, ``C``, ``T``, ``D``, ``level``,
    ``grade_zh``, ``grade_en`` (of D), ``stage_zh``, ``stage_en`` (of C), ``relative`` (U1/U2, two
    subsystems only) and ``lagging`` (the lagging subsystem, or ``synchronous``).
    """

    table: pd.DataFrame
    grading: GradingTable
    options: dict[str, Any] = field(default_factory=dict)

    def map(self, units, *, lang: Literal["en", "zh"] = "en", period=None, id: str | None = None, **kwargs):
        """Interactive map of the grades of D with a categorical legend (every grade, lowest first).

        ``units`` are the boundaries (indexed by unit id, or with the id in column ``id``); with
        several periods a selector moves through them. Other keywords go to
        :func:`maps.categories.category_map`.

        Raises
        ------
        MapError, FieldError
            As :func:`maps.categories.category_map` (e.g. ids not in the boundaries).
        """
        from maps.categories import category_map

        unit, time = self.options["id"], self.options["time"]
        table = self.table
        levels = table.pivot(index=unit, columns=time, values="level") if time else table.set_index(unit)["level"]
        grades = self.grading.to_frame()
        labels = grades["label_zh"] if lang == "zh" else grades["label_en"]
        categories = [
            (int(level), f"{label} [{low:g}, {high:g}{']' if level == len(grades) else ')'}")
            for level, label, low, high in zip(grades["level"], labels, grades["lower"], grades["upper"], strict=True)
        ]
        title = kwargs.pop("title", "耦合协调度" if lang == "zh" else "Coupling coordination degree")
        return category_map(
            units,
            levels.astype("Int64").astype(object),
            categories,
            id=id,
            period=period,
            lang=lang,
            title=title,
            **kwargs,
        )

    def counts(self) -> pd.DataFrame:
        """How many units fall in each grade per period (the table papers print)."""
        time = self.options["time"]
        keys = [time] if time else []
        counts = self.table.groupby([*keys, "level"], observed=True).size().rename("units").reset_index()
        labels = self.grading.to_frame()[["level", "label_zh", "label_en"]]
        return counts.merge(labels, on="level", how="left")


def _input(data, subsystems, id, time) -> LongTable:
    from spatial.indices.composite import CompositeIndex, panel_table

    if isinstance(data, CompositeIndex):
        missing = [s for s in subsystems if s not in data.scores.columns]
        if missing:
            raise SchemaError(f"the composite index has no subsystem {first_items(missing)}; it has {data.columns}")
        return panel_table(data)
    return long_table(data, id=id, time=time, values=subsystems, what="the subsystem indices")


def coupling_coordination(
    data: pd.DataFrame | SpatialPanel | CompositeIndex,
    subsystems: Sequence[str] | None = None,
    *,
    id: str | None = None,
    time: str | None = None,
    weights: Sequence[float] | None = None,
    grading: str | GradingTable | pd.DataFrame = "ten_level",
    synchronous: tuple[float, float] = (0.8, 1.2),
    scale: float = 1.0,
    formula: CouplingFormula = "classical",
    exponent: float | None = None,
) -> CouplingResult:
    """Coupling degree C, comprehensive index T and coupling coordination degree D with grades.

    Parameters
    ----------
    data
        Long table or panel with one column per subsystem index, or a :class:`CompositeIndex`
        (its subsystem scores are used).
    subsystems
        Names of the subsystem columns (at least 2); default: the composite index's subsystems.
    weights
        Contribution ``a_i`` of each subsystem to T (summing to 1); equal by default.
    grading
        Grading of D (see :func:`grading_table`).
    synchronous
        Band ``(low, high]`` of ``U1 / U2`` in which neither subsystem is called lagging (two subsystems).
    scale
        Divide the indices by this first (e.g. 100 for indices published on a 0-100 scale).
    formula
        ``"classical"`` or ``"revised"`` (Wang Shujia et al. 2021), see the module docstring.
    exponent
        Adjustment exponent ``k`` of the classical formula (default ``1/n``); the revised
        formula has none.

    Raises
    ------
    SchemaError
        An exponent that is not a positive number or given with the revised formula; fewer
        than 2 subsystems, weights of the wrong length or not summing to 1, negative
        indices, indices above 1 (with the ``scale`` that would fix them).
    MissingDataError
        Missing indices (the unit and period).

    Examples
    --------
    >>> import pandas as pd
    >>> u = pd.DataFrame({"id": ["a", "b"], "economy": [0.6, 0.2], "environment": [0.4, 0.5]})
    >>> coupling_coordination(u, ["economy", "environment"], id="id").table[["C", "D", "grade_en", "lagging"]].round(4)
            C       D              grade_en      lagging
    0  0.9798  0.6999  primary coordination  environment
    1  0.9035  0.5623    barely coordinated      economy
    >>> revised = coupling_coordination(u, ["economy", "environment"], id="id", formula="revised")
    >>> revised.table["C"].round(4).tolist(), revised.options["formula"][:8]
    ([0.7303, 0.5292], 'revised:')
    """
    from spatial.indices.composite import CompositeIndex

    if subsystems is None:
        if not isinstance(data, CompositeIndex):
            raise SchemaError("subsystems= is required: the columns holding the subsystem indices")
        subsystems = data.subsystems
    subsystems = list(subsystems)
    if len(subsystems) < 2 or len(set(subsystems)) != len(subsystems):
        raise SchemaError(f"coupling needs at least 2 distinct subsystems, got {subsystems}")
    n = len(subsystems)
    check_option("formula", formula, CouplingFormula)
    k = _exponent(formula, exponent, n)
    a = np.full(n, 1.0 / n) if weights is None else np.asarray(weights, dtype=float)
    if a.shape != (n,) or not np.isfinite(a).all() or (a < 0).any() or abs(a.sum() - 1) > 1e-9:
        raise SchemaError(f"weights must be {n} non-negative numbers summing to 1 (one per subsystem), got {weights}")
    if not (np.isfinite(scale) and scale > 0):
        raise SchemaError(f"scale must be a positive number, got {scale!r}")
    low, high = synchronous
    if not 0 < low <= 1 <= high:
        raise SchemaError(f"synchronous must be a band (low, high] around 1, got {synchronous}")
    table = _input(data, subsystems, id, time)
    frame = table.frame[["id", "period", *subsystems]].copy()
    for s in subsystems:
        frame[s] = frame[s] / scale
        check_positive(frame, s, allow_zero=True, why="coupling needs non-negative subsystem indices")
    u = frame[subsystems].to_numpy()
    if (u > 1 + 1e-12).any():
        top = u.max()
        hint = f"; pass scale={10 ** int(np.ceil(np.log10(top * scale)))}" if top * scale <= 1000 else ""
        raise SchemaError(
            f"subsystem indices must lie in [0, 1] (max found {top * scale:g}); normalise them, or divide by the "
            f"scale they are published on{hint}"
        )
    total = u.sum(axis=1)
    c = coupling_degree(u, formula=formula, exponent=k)
    zero = total == 0
    if zero.any():
        warnings.warn(
            f"all subsystem indices are 0 at {cells(frame, zero)}: C is undefined there (left empty) and D = 0",
            IndicatorWarning,
            stacklevel=2,
        )
    t = u @ a
    d = np.where(zero, 0.0, np.sqrt(np.nan_to_num(c) * t))
    frame["C"], frame["T"], frame["D"] = c, t, d
    grades = grading_table(grading).classify(d)
    stages = GRADINGS["coupling_stage"].classify(c)
    for column in ("level", "grade_zh", "grade_en"):
        frame[column] = grades[column].to_numpy()
    frame["stage_zh"], frame["stage_en"] = stages["grade_zh"].to_numpy(), stages["grade_en"].to_numpy()
    lagging = np.asarray(subsystems, dtype=object)[u.argmin(axis=1)]
    if n == 2:
        with np.errstate(invalid="ignore", divide="ignore"):
            relative = u[:, 0] / u[:, 1]
        frame["relative"] = relative
        balanced = (relative > low) & (relative <= high)
        lagging = np.where(balanced | zero, "synchronous", lagging)
    frame["lagging"] = lagging
    statement = formula_text(formula, k, n)
    frame["formula"] = statement
    options = {
        "formula": statement,
        "exponent": k,
        "subsystems": subsystems,
        "weights": a.tolist(),
        "grading": grading_table(grading).name,
        "synchronous": [low, high],
        "scale": scale,
        "id": table.id_name,
        "time": table.time_name,
    }
    return CouplingResult(table.labelled(frame), grading_table(grading), options)


def _exponent(formula: str, exponent: float | None, n: int) -> float | None:
    if formula == "revised":
        if exponent is not None:
            raise SchemaError(
                "the revised coupling formula (Wang Shujia et al. 2021) has no adjustment exponent; "
                "leave exponent unset or use formula='classical'"
            )
        return None
    if exponent is None:
        return 1.0 / n
    try:
        k = float(exponent)
    except (TypeError, ValueError):
        k = float("nan")
    if not (np.isfinite(k) and k > 0):
        raise SchemaError(
            f"exponent must be a positive number (e.g. 5, or 1/n = {1 / n:g} classically), got {exponent!r}"
        )
    return k


def formula_text(formula: str, exponent: float | None, n: int) -> str:
    """The coupling formula in words, with the exponent used (the text every output carries).

    Examples
    --------
    >>> formula_text("classical", 0.5, 2)
    'classical: C = [prod U_i / (mean U)^n]^k, n = 2, k = 0.5'
    """
    if formula == "revised":
        return (
            "revised: C = sqrt[(1 - sum_{i<j} |U_i - U_j| / sum_{m=1}^{n-1} m) * prod (U_i / max U)^(1/(n-1))]"
        )
    return f"classical: C = [prod U_i / (mean U)^n]^k, n = {n}, k = {exponent:g}"


def coupling_degree(u: np.ndarray, *, formula: str = "classical", exponent: float | None = None) -> np.ndarray:
    """Coupling degree C of each row of ``u`` (rows: observations, columns: subsystems in [0, 1]).

    A row with a zero index gets ``C = 0``; a row of zeros gets NaN (C undefined).

    Examples
    --------
    >>> import numpy as np
    >>> coupling_degree(np.array([[0.2, 0.8]])).round(6).tolist()
    [0.8]
    >>> coupling_degree(np.array([[0.2, 0.8]]), exponent=5).round(6).tolist()
    [0.107374]
    >>> coupling_degree(np.array([[0.2, 0.8]]), formula="revised").round(6).tolist()
    [0.316228]
    """
    u = np.asarray(u, dtype=float)
    n = u.shape[1]
    zero = u.sum(axis=1) == 0
    with np.errstate(invalid="ignore", divide="ignore"):
        if formula == "revised":
            i, j = np.triu_indices(n, 1)
            spread = np.abs(u[:, i] - u[:, j]).sum(axis=1) / (n * (n - 1) / 2)
            ratio = np.prod(u / u.max(axis=1, keepdims=True), axis=1) ** (1.0 / (n - 1))
            c = np.sqrt(np.clip(1.0 - spread, 0.0, None) * ratio)
        else:
            k = 1.0 / n if exponent is None else exponent
            # [prod U / mean^n]^k computed in logs: n k (mean log U - log mean U)
            c = np.exp(n * k * (np.log(u).mean(axis=1) - np.log(u.mean(axis=1))))
    c = np.where(u.min(axis=1) == 0, 0.0, c)
    return np.where(zero, np.nan, np.minimum(c, 1.0))
