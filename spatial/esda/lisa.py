"""Local Moran's I (LISA) by period with seeded conditional permutation inference and cluster labels.

Scale: spdep, GeoDa and Anselin (1995) write I_i = z_i lag(z)_i / m2 with m2 = sum(z^2) / n, so
that with row-standardised weights the I_i average to the global I. esda divides by n - 1
instead of n but gives the moments on the n scale. Here both I_i and its moments are on one
scale, ``scale="n"`` (default, equal to spdep's ``localmoran``) or ``scale="n-1"`` (equal to
esda's ``Is``); z-scores and p-values do not depend on the choice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import special

from spatial.choices import Moments, Scale
from spatial._options import check_option
from spatial.esda._input import (
    FAILED_COLUMNS,
    Adjust,
    Errors,
    Transform,
    check_permutations,
    finish,
    prepare,
    rng_for,
    select_periods,
    select_variables,
    significant,
    unit_table,
)
from spatial.esda._permutation import (
    conditional_simulation,
    folded_pvalue,
    neighbour_draws,
    split_self_weights,
)

if TYPE_CHECKING:
    from spatial.panel import SpatialPanel

__all__ = ["LocalMoran", "local_moran", "QUADRANTS", "CLUSTERS"]


# esda's quadrant codes: 1 HH, 2 LH, 3 LL, 4 HL (value, then spatial lag).
QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
CLUSTERS = ("HH", "LL", "LH", "HL", "not significant", "island")
COLUMNS = [
    "period", "variable", "id", "value", "std_value", "lag", "I", "expected", "variance", "z",
    "p_norm", "p_sim", "p_sim_two_sided", "quadrant", "cluster", "permutations", "seed",
]
_CUTOFF_COLUMNS = ["period", "variable", "p_column", "alpha", "adjust", "cutoff", "n_significant"]


@dataclass(frozen=True)
class LocalMoran:
    """Local Moran's I for each unit, variable and period, with quadrant and cluster labels.

    Columns of :attr:`table`: ``value`` (the variable), ``std_value`` (standardised over the units
    with neighbours), ``lag`` (spatial lag of ``std_value``), ``I``, ``expected``, ``variance``
    and ``z`` (analytical moments, ``moments``), ``p_norm`` (two-sided, normal approximation),
    ``p_sim`` (pseudo p-value of conditional permutations on the side of the observed value, as
    esda and GeoDa report it), ``p_sim_two_sided`` (twice ``p_sim``, capped at 1), ``quadrant``
    (HH, LH, LL, HL; ``island`` for units without neighbours) and ``cluster`` (the quadrant when
    significant, else ``not significant``; ``island`` for islands).
    """

    table: pd.DataFrame
    cutoffs: pd.DataFrame
    failed: pd.DataFrame
    islands: tuple[str, ...] = ()
    permutations: int = 0
    seed: int | None = None
    alpha: float = 0.05
    adjust: str = "none"
    transform: str = "r"
    moments: str = "conditional"
    scale: str = "n"
    p_column: str = "p_sim"
    id_name: str = "id"
    time_name: str | None = None

    @property
    def n_islands(self) -> int:
        return len(self.islands)

    def clusters(self, variable: str | None = None, period: Any = None) -> pd.Series:
        """Cluster labels of one variable and period, indexed by id (the only ones if omitted)."""
        rows = self._select(variable, period)
        return rows.set_index("id")["cluster"].rename(f"{rows['variable'].iloc[0]} {rows['period'].iloc[0]}")

    def counts(self) -> pd.DataFrame:
        """Number of units in each cluster class by (period, variable), islands included."""
        counts = self.table.groupby(["period", "variable"], sort=False)["cluster"].value_counts().unstack(fill_value=0)
        return counts.reindex(columns=list(CLUSTERS), fill_value=0)

    def _select(self, variable, period) -> pd.DataFrame:
        table = self.table
        for name, value in (("variable", variable), ("period", period)):
            options = list(dict.fromkeys(table[name]))
            if value is None:
                if len(options) != 1:
                    raise ValueError(f"choose {name}= among {options}")
                value = options[0]
            elif value not in options:
                raise ValueError(f"{name} {value!r} is not in this result; choose among {options}")
            table = table[table[name] == value]
        return table

    def summary(self) -> str:
        """Cluster counts per period and variable, with the inference settings."""
        lines = [
            f"Local Moran (LISA), {self.transform} weights, significance {self.p_column} <= cut-off "
            f"(alpha {self.alpha}, adjust {self.adjust})"
            + (f", {self.permutations} conditional permutations, seed {self.seed}" if self.permutations else "")
            + (f"; {self.n_islands} islands labelled 'island'" if self.n_islands else "")
        ]
        lines.append(self.counts().to_string())
        return "\n".join(lines)

    def to_json(self) -> str:
        """The table and its settings as JSON (NaN becomes null)."""
        return json.dumps(
            {
                "local_moran": json.loads(self.table.to_json(orient="records")),
                "cutoffs": json.loads(self.cutoffs.to_json(orient="records")),
                "failed": json.loads(self.failed.to_json(orient="records")),
                "islands": list(self.islands),
                "settings": {
                    "permutations": self.permutations, "seed": self.seed, "alpha": self.alpha,
                    "adjust": self.adjust, "transform": self.transform, "moments": self.moments,
                    "scale": self.scale, "p_column": self.p_column,
                },
            },
            indent=2,
            ensure_ascii=False,
        )


def local_moran(
    panel: SpatialPanel,
    w: Any,
    variables: str | Sequence[str] | None = None,
    *,
    periods: Any = None,
    permutations: int = 999,
    seed: int | None = None,
    alpha: float = 0.05,
    adjust: Adjust = "none",
    transform: Transform = "r",
    moments: Moments = "conditional",
    scale: Scale = "n",
    errors: Errors = "raise",
) -> LocalMoran:
    """Local Moran's I (LISA) of each variable in each period, with cluster labels.

    Parameters
    ----------
    panel, w, variables, periods, transform, errors
        As :func:`spatial.esda.global_autocorrelation`.
    permutations
        Conditional permutations (seeded; 0 for analytical p-values only). The smallest pseudo
        p-value is 1 / (permutations + 1).
    seed
        Required with permutations; recorded.
    alpha
        Significance level of the cluster labels (default 0.05).
    adjust
        ``"none"``, ``"fdr"`` (Benjamini-Hochberg) or ``"bonferroni"``, over the units with
        neighbours of each variable and period.
    moments
        Analytical moments under ``"conditional"`` randomisation (spdep's default) or
        ``"total"`` randomisation (Sokal et al. 1998).
    scale
        ``"n"`` (spdep, GeoDa) or ``"n-1"`` (esda) in the denominator of I_i.

    Returns
    -------
    LocalMoran
        One row per (period, variable, unit), islands included and labelled ``"island"``.

    Raises
    ------
    IdMismatchError
        When the ids of the panel and of the weights differ.
    SchemaError
        Unknown variables or periods; fewer than 4 units with neighbours.
    UndefinedStatisticError
        For constant or missing variables (``errors="raise"``), with the other results attached.
    SpatialPanelError
        Permutations without a seed; an option or ``alpha`` that is not allowed.

    Examples
    --------
    >>> from libpysal.graph import Graph
    >>> from spatial import SpatialPanel, datasets
    >>> from spatial.esda import local_moran
    >>> panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year",
    ...                      geometry=datasets.load("us48_states"))
    >>> w = Graph.build_contiguity(panel.geometry, rook=False)
    >>> lisa = local_moran(panel, w, "unemp", periods=1986, seed=42)
    >>> lisa.counts()
    cluster          HH  LL  LH  HL  not significant  island
    period variable
    1986   unemp      5   7   0   0               36       0
    """
    check_option("adjust", adjust, Adjust)
    check_option("transform", transform, Transform)
    check_option("moments", moments, Moments)
    check_option("scale", scale, Scale)
    check_option("errors", errors, Errors)
    permutations = check_permutations(permutations, seed)
    significant(np.array([0.5]), alpha, adjust)  # validates alpha before the work
    names = select_variables(panel, variables)
    chosen = select_periods(panel, periods)
    prep = prepare(panel, w, transform=transform)
    off_diagonal, self_weights = split_self_weights(prep.graph.sparse)
    p_column = "p_sim" if permutations else "p_norm"
    frames, cutoffs, failed = [], [], []
    for variable, period, y in prep.defined_values(names, chosen, "local_moran", failed):
        frame = _one(y, prep, off_diagonal, self_weights, moments, scale, permutations,
                     rng_for(seed, "local_moran", variable, period) if permutations else None)
        mask, cutoff = significant(frame[p_column].to_numpy(), alpha, adjust)
        frame["cluster"] = np.where(mask, frame["quadrant"], "not significant")
        cutoffs.append({"period": period, "variable": variable, "p_column": p_column, "alpha": alpha,
                        "adjust": adjust, "cutoff": cutoff, "n_significant": int(mask.sum())})
        frame.insert(0, "period", period)
        frame.insert(1, "variable", variable)
        frame.insert(2, "id", prep.ids)
        frame.insert(3, "value", y)
        frame = prep.with_islands(frame, variable, period, quadrant="island", cluster="island")
        frames.append(frame.reindex(columns=COLUMNS))
    result = LocalMoran(
        table=unit_table(frames, COLUMNS, permutations, seed),
        cutoffs=pd.DataFrame(cutoffs, columns=_CUTOFF_COLUMNS),
        failed=pd.DataFrame(failed, columns=FAILED_COLUMNS),
        islands=prep.islands,
        permutations=permutations,
        seed=seed if permutations else None,
        alpha=alpha,
        adjust=adjust,
        transform=prep.transform,
        moments=moments,
        scale=scale,
        p_column=p_column,
        id_name=panel.id_name,
        time_name=panel.time_name,
    )
    return finish(result, failed, errors, "the local Moran's I")


def _one(y, prep, off_diagonal, self_weights, moments, scale, permutations, rng) -> pd.DataFrame:
    import esda

    graph = prep.graph
    n = len(y)
    result = esda.Moran_Local(y, graph, transformation=graph.transformation, permutations=0)
    # esda: Is on the n-1 scale, moments on the n scale (spdep's); put both on the chosen scale.
    factor = n / (n - 1.0) if scale == "n" else 1.0
    moment_factor = 1.0 if scale == "n" else (n - 1.0) / n
    local = result.Is * factor
    expected = (result.EIc if moments == "conditional" else result.EI) * moment_factor
    variance = (result.VIc if moments == "conditional" else result.VI) * moment_factor**2
    z = (local - expected) / np.sqrt(variance)
    lag = graph.sparse @ result.z
    frame = pd.DataFrame({
        "std_value": result.z, "lag": lag, "I": local, "expected": expected, "variance": variance, "z": z,
        "p_norm": 2 * special.ndtr(-np.abs(z)),
        "quadrant": [QUADRANTS[q] for q in result.q],
    })
    if permutations:
        draws = neighbour_draws(n, int(np.diff(off_diagonal.indptr).max()), permutations, rng)
        std = result.z
        scaling = factor * (n - 1.0) / (std @ std)

        def statistic(rows: slice, lags: np.ndarray) -> np.ndarray:
            return scaling * std[rows, None] * (lags + self_weights[rows, None] * std[rows, None])

        sim = conditional_simulation(std, off_diagonal, local, statistic, draws)
        frame["p_sim"] = folded_pvalue(sim.n_upper, permutations)
        frame["p_sim_two_sided"] = np.minimum(1.0, 2 * frame["p_sim"])
    else:
        frame["p_sim"] = np.nan
        frame["p_sim_two_sided"] = np.nan
    return frame
