"""Exploratory spatial data analysis for panels: global and local autocorrelation by period.

Global Moran's I, Geary's C and Getis-Ord General G (and the bivariate Moran's I) for every
period in one tidy table; Moran's I of regression residuals; local Moran (LISA) clusters and
Getis-Ord Gi* hot spots with seeded conditional permutation inference; transitions of LISA
quadrants between periods; Moran scatter and Moran-over-time figures.

Statistics come from esda; this package adds panel awareness, alignment by id, seeded permutation
inference (numpy's global random state is never touched), island handling (islands are left out of
every statistic and labelled ``"island"``) and tables ready for reports.

Examples
--------
>>> from libpysal.graph import Graph
>>> from spatial import SpatialPanel, datasets, esda
>>> panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year",
...                      geometry=datasets.load("us48_states"))
>>> w = Graph.build_contiguity(panel.geometry, rook=False)
>>> esda.moran(panel, w, "unemp", permutations=0).series("moran_i").shape
(17, 1)
"""

from __future__ import annotations

from spatial.esda._input import PermutationWarning, UndefinedStatisticError, select_periods
from spatial.esda.figure import moran_over_time, moran_scatter, save_figure
from spatial.esda.font import FontWarning
from spatial.esda.global_autocorrelation import (
    GlobalAutocorrelation,
    UndefinedStatisticWarning,
    geary,
    getis_ord,
    global_autocorrelation,
    moran,
    moran_bv,
)
from spatial.esda.hot_spot import HotSpots, hot_spots
from spatial.esda.lisa import LocalMoran, local_moran
from spatial.esda.residual import ResidualMoran, moran_residuals
from spatial.esda.table import moran_table
from spatial.esda.transition import LisaTransitions, transitions

__all__ = [
    "select_periods",
    "FontWarning",
    "GlobalAutocorrelation",
    "HotSpots",
    "LisaTransitions",
    "LocalMoran",
    "PermutationWarning",
    "ResidualMoran",
    "UndefinedStatisticError",
    "UndefinedStatisticWarning",
    "geary",
    "getis_ord",
    "global_autocorrelation",
    "hot_spots",
    "local_moran",
    "moran",
    "moran_bv",
    "moran_table",
    "moran_over_time",
    "moran_residuals",
    "moran_scatter",
    "save_figure",
    "transitions",
]
