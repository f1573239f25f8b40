"""Every operation a user runs, declared once: its options for the command, the config and Python.

Each :class:`~spatial.operation.Operation` below lists its parameters once (Python keyword,
type, default, help). The commands build their click options from it
(``@MORAN.options()``), the pipeline steps their config keys (:func:`section_keys`), and
``tests/test_operations.py`` checks, per operation, that the command's flags, the section's keys
and the Python function's keywords are the declared ones, each missing one with its reason.

To add an option to an operation: add one :class:`Param` here (and the keyword to the Python
function); the flag and the config key follow, and ``docs/config.md`` is regenerated with
``python -m spatial.config_docs > docs/config.md``.

Examples
--------
>>> LISA.param("adjust").choices
('none', 'fdr', 'bonferroni')
>>> sorted(p.name for p in MORAN.params if p.flag is None)
['figures', 'hot_spots', 'labels', 'lisa', 'weights']
"""

from __future__ import annotations

from pathlib import Path

from spatial.choices import Adjust, Errors, Language, Moments, Scale, Statistic, Transform
from spatial.operation import Operation, Param, section_keys

__all__ = ["MORAN", "LISA", "HOTSPOTS", "OPERATIONS", "ESDA_KEYS"]

_MAX_SEED = 2**32 - 1  # spatial._options.MAX_SEED (kept import-free here; the test compares them)

# -- esda: moran, lisa, hotspots share their inference options and the [esda] section ------------
_CLI_OUTPUTS = "an output file of the command; a config run names its outputs in its folder"
_ESDA_INFERENCE = (
    Param("permutations", int, 999, "Random permutations for pseudo p-values (0: analytical only).", low=0),
    Param("seed", int, None, "Random seed; required with permutations > 0 (recorded in the outputs).",
          low=0, high=_MAX_SEED),
    Param("transform", Transform, "r", "Weights transform: r row-standardised, b binary, as_given."),
    Param("errors", Errors, "raise", "When some variables or periods fail, write the others (marked partial); by "
          "default nothing is written.", flag="--partial", flag_value="record", key="project.partial",
          key_type=bool, why="one switch of the whole run in a config ([project] partial = true)"),
    Param("output", Path, None, "Results table (.csv or .json); printed summary only when omitted.", flag="--out",
          key=None, keyword=False, why=_CLI_OUTPUTS),
    Param("overwrite", bool, False, "Replace existing outputs (never the inputs).", key=None, keyword=False,
          why="spatial run --overwrite, for the whole run"),
)
_ESDA_CONFIG_ONLY = (
    Param("weights", (str, list), None, "name of the weights from the weights step (default: its first), or a list "
          "of names (a robustness set: global statistics under each)", flag=None, keyword=False,
          why="a config names a matrix of its [weights.NAME] tables; a command reads --weights FILE or builds "
              "--contiguity (inputs)"),
    Param("lisa", list, [], "variables for local Moran (LISA)", items=str, flag=None, keyword=False,
          why="a config runs several statistics in one step: the variables of each have their own key "
              "(spatial lisa --variables)"),
    Param("hot_spots", list, [], "variables for Getis-Ord Gi* hot spots", items=str, flag=None, keyword=False,
          why="as lisa (spatial hotspots --variables)"),
    Param("labels", str, None, "boundary column with short names for the scatter plots", flag=None,
          keyword=False, why="spatial lisa --labels; Python: esda.moran_scatter(labels=)"),
    Param("figures", bool, True, "draw the figures (Moran's I over time, scatter plots)", flag=None, keyword=False,
          why="a command draws a figure when given --figure PATH"),
    Param("table_formats", list, ["csv", "txt", "tex", "html"], "formats of esda_moran_table (Moran's I by year): "
          "csv, txt, md, tex, html, xlsx, docx", items=str, flag=None, keyword=False,
          why="a config run writes its tables into its folder; Python: esda.moran_table(result).write(path)"),
)
_FIGURE_WHY = "the figure's path; a config run draws figures into its folder ([esda] figures)"

MORAN = Operation(
    "moran", command="moran", section="esda", function="spatial.esda:global_autocorrelation",
    positional=("panel", "w"), inputs=True,
    params=(
        Param("variables", list, None, "Variables for the global statistics (default: every numeric column).",
              items=str, min_items=1),
        Param("statistics", list, ["moran"], "Global statistics (getis_ord: General G, non-negative variables).",
              items=Statistic, min_items=1),
        Param("periods", list, None, "Periods (default: all)."),
        *_ESDA_INFERENCE,
        Param("lag_variable", str, None, "Bivariate Moran's I: each variable against the spatial lag of this one.",
              flag="--bivariate", key=None, keyword=False,
              why="Python: esda.moran_bv(panel, w, x, y); not a config step yet"),
        Param("figure", Path, None, "Also draw the statistic over time: FIGURE.png (300 dpi) and FIGURE.svg.",
              key=None, keyword=False, why=_FIGURE_WHY),
        Param("language", Language, "en", "Language of figure texts.", keyword=False,
              why="figure texts; Python: esda.moran_over_time(language=)"),
        *_ESDA_CONFIG_ONLY,
    ),
)

LISA = Operation(
    "lisa", command="lisa", section="esda", function="spatial.esda:local_moran", positional=("panel", "w"),
    inputs=True,
    params=(
        Param("variables", list, None, "Variables for local Moran (default: every numeric column).", items=str,
              key="lisa", key_default=[]),
        Param("periods", list, None, "Periods (default: all; in a config: the first and last).",
              key="lisa_periods"),
        *_ESDA_INFERENCE,
        Param("alpha", float, 0.05, "Significance level of the cluster labels.", low=0, high=1, open=True),
        Param("adjust", Adjust, "none", "Multiple-testing adjustment over the units of each period."),
        Param("moments", Moments, "conditional", "Moments of the permutation inference.", key=None,
              why="not in the config yet: a config run uses the default (conditional)"),
        Param("scale", Scale, "n", "Denominator of I_i: n (spdep, GeoDa) or n-1 (esda).", key=None,
              why="not in the config yet: a config run uses the default (n)"),
        Param("transition_periods", list, None, "START,END: also write quadrant transitions (OUT_transitions.csv) "
              "between two periods.", flag="--transitions", key=None, keyword=False,
              why="a config run writes the transitions between the first and last LISA period; Python: "
                  "esda.transitions(result, variable=, start=, end=)"),
        Param("figure", Path, None, "Moran scatter plot of the last period of the first variable: FIGURE.png and "
              "FIGURE.svg.", key=None, keyword=False, why=_FIGURE_WHY),
        Param("labels", str, None, "Boundary or table column with short names for the scatter plot.",
              keyword=False, why="Python: esda.moran_scatter(labels=)"),
        Param("language", Language, "en", "Language of figure texts.", keyword=False,
              why="figure texts; Python: esda.moran_scatter(language=)"),
    ),
)

HOTSPOTS = Operation(
    "hotspots", command="hotspots", section="esda", function="spatial.esda:hot_spots", positional=("panel", "w"),
    inputs=True,
    params=(
        Param("variables", list, None, "Variables for Getis-Ord Gi* (default: every numeric column).", items=str,
              key="hot_spots", key_default=[]),
        Param("periods", list, None, "Periods (default: all; in a config: the LISA periods).",
              key="lisa_periods"),
        *_ESDA_INFERENCE,
        Param("adjust", Adjust, "none", "Multiple-testing adjustment at each confidence level."),
    ),
)

OPERATIONS: dict[str, Operation] = {op.name: op for op in (MORAN, LISA, HOTSPOTS)}

#: The keys of the ``[esda]`` section, from the three operations.
ESDA_KEYS = section_keys("esda", (MORAN, LISA, HOTSPOTS))
