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
>>> MORAN.param("lisa").flag is None, MORAN.param("lisa").why != ""  # config only, and says why
(True, True)
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from spatial.choices import (
    Adjust,
    Backend,
    BayesLogdet,
    BayesModel,
    Collinear,
    DynamicLags,
    CovMethod,
    EffectsInference,
    EffectsMethod,
    Estimator,
    Errors,
    FixedEffects,
    GmmErrors,
    GmmMoments,
    GroupIslands,
    Language,
    Layout,
    LogdetMethod,
    ModelName,
    Moments,
    PixelRule,
    Scale,
    Stat,
    Statistic,
    TableStat,
    RepairOption,
    Transform,
    WeightsTransform,
)
from maps.choices import Inset, Lang, MapKind, Scheme, Tiles
from weights.choices import DuplicateOption, EigenOption, Format, IslandPolicy, KernelFunction, Kind, Metric, \
    PointsOption, TieOption
from weights.choices import Transform as MatrixTransform
from spatial.operation import Operation, Param, section_keys
from spatial.operations_core import CHECK, CONFIG_TEMPLATE, DEMO, LOADER, LOADER_WEIGHTS, REPORT, RESHAPE, RUN
from spatial.operations_indices import INDEX_GEODETECTOR, INDEX_LQ, INDEX_OPERATIONS  # the index commands

__all__ = ["CHECK", "RESHAPE", "RUN", "REPORT", "DEMO", "LOADER", "LOADER_WEIGHTS", "GMM_KEYWORDS", "without_ml_defaults", "MAP", "ZONAL", "WEIGHTS_BUILD", "WEIGHTS_INFO", "WEIGHTS_CONVERT", "INDEX_GEODETECTOR", "INDEX_LQ", "RASTERS_KEYS", "MORAN", "LISA", "HOTSPOTS", "FIT", "TABLE", "FIT_BY", "SELECT", "BAYES", "OPERATIONS", "ESDA_KEYS", "MODELS_KEYS",
           "HETEROGENEITY_KEYS", "SUBSECTIONS"]

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

# -- models: fit (with its journal table and --by groups) and select share [models] ---------------
_FIT_TRANSFORM = Param("transform", WeightsTransform, "r", "r: row-standardise the weights; none: use them as given.",
                       key=None, keyword=False,
                       why="in a config each [weights.NAME] table has its own transform; Python: pass the W you want")
_SAME_AS_FIT = "one option of spatial fit / [models] (declared in FIT), passed on"

FIT = Operation(
    "fit", command="fit", section="models", function="spatial.models:fit", positional=("panel", "w"), inputs=True,
    params=(
        Param("y", str, None, "Dependent variable: a column or log(column).", required=True),
        Param("x", list, None, "Regressors: --x x1 x2 log(x3) (or comma-separated, or repeated).", items=str,
              required=True, variadic=True, min_items=1),
        Param("model", ModelName, "sar", "The model.", key="models", key_type=list,
              key_default=["ols", "sar", "sem", "sdm"], min_items=1,
              why="a config fits a list of models side by side (models = [\"sar\", \"sdm\"])"),
        Param("fe", FixedEffects, "none", "Fixed effects of a panel (none: pooled over periods); needs --time.",
              aliases=("fixed_effects", "fixed-effects", "fixedeffects")),
        Param("wx", list, None, "Regressors whose W* lag enters SLX/SDM/SDEM (default: all).", items=str,
              variadic=True),
        Param("constant", bool, True, "Include the intercept.", flag="--constant/--no-constant"),
        Param("period", str, None, "Fit only this period of a panel (a cross-section).", key_type=(int, str)),
        Param("logdet", LogdetMethod, "auto", "Log-determinant method."),
        Param("cov", CovMethod, "auto", "Covariance: information or hessian (ML default by size), or a robust "
              "sandwich: robust (heteroskedasticity), cluster (by unit) or driscoll_kraay (cross-sectional and serial "
              "correlation). Tests and effects use it.", aliases=("vce", "covariance", "se_type", "cov_type")),
        Param("estimator", Estimator, "ml", "ml: maximum likelihood (least squares for OLS/SLX); gmm: spatial 2SLS / "
              "het-robust GM / GS2SLS (a cross-section: one period; or --fe unit / --random-effects: splm's within / "
              "random-effects GM for SAR, SDM, SEM, SDEM, SAC), with --endog and --instruments."),
        Param("endog", list, None, "With --estimator gmm: endogenous regressors (not in --x).", items=str,
              variadic=True),
        Param("instruments", list, None, "With --estimator gmm: external instruments of the --endog regressors (at "
              "least one each).", items=str, variadic=True),
        Param("w_lags", int, 2, "With --estimator gmm: powers of W in the instruments of W y (W X, W^2 X, ...).",
              low=1, high=10),
        Param("gmm_errors", GmmErrors, "het", "With --estimator gmm: the moment conditions of the spatial error: het "
              "(heteroskedasticity-robust, Arraiz et al. 2010), hom (Drukker et al. 2013) or kp98 (Kelejian-Prucha "
              "1998/99, no standard error for lambda)."),
        Param("gmm_moments", GmmMoments, "initial", "With --estimator gmm and --random-effects: the panel GM of the "
              "spatial error (sem, sdem, sac), as splm's moments: initial (the three within moments, then sigma_1^2), "
              "weights or fullweights (all six Kapoor-Kelejian-Prucha moments, weighted by the initial variances, "
              "fullweights also by the traces of W)."),
        Param("bandwidth", int, None, "Driscoll-Kraay Bartlett bandwidth in periods (default floor(4 (T/100)^(2/9))).",
              low=0, aliases=("bw", "maxlag", "kernel_bandwidth")),
        Param("effects", EffectsMethod, "auto", "Computation of the direct/indirect/total effects."),
        Param("inference", EffectsInference, "simulation", "Standard errors of the effects."),
        Param("draws", int, 1000, "Simulation draws for the effects' standard errors.", low=0, flag="--effects-draws"),
        Param("seed", int, 12345, "Seed of the effects draws (recorded).", low=0, high=_MAX_SEED, key_default=20240601,
              why="the config's default seed differs (20240601) and is documented; both are recorded"),
        Param("per_unit", bool, None, "", flag=None, key=None,
              why="Python only: per-unit effects are kept when n <= 2000 unless per_unit says otherwise"),
        Param("allow_islands", bool, False, "Keep units without neighbours."),
        Param("collinear", Collinear, "error", "Drop (and report) collinear regressors instead of stopping.",
              flag="--drop-collinear", flag_value="drop", hint="drop_collinear"),
        Param("lee_yu", bool, None, "Lee-Yu (2010) bias correction of a fixed-effects model (static: off by default; "
              "dynamic: the Yu-de Jong-Lee correction, on by default with --fe).", flag="--lee-yu/--no-lee-yu"),
        Param("random_effects", bool, False, "Random unit effects (SAR, SEM, SDM, SDEM; needs --time, with --fe none)."),
        Param("conditional_se", bool, False, "With --random-effects: coefficient standard errors conditional on phi and "
              "rho, sigma2 (X' Omega^-1 X)^-1, as R splm reports them (default: the full information)."),
        Param("dynamic", DynamicLags, None, "Dynamic SAR/SDM: tau adds y(t-1), eta W*y(t-1), both both (xsmle "
              "dlag(1|2|3)); the first period is the initial condition. Short- and long-run effects."),
        Param("allow_nonconverged", bool, False, "Write results even if the optimiser did not converge or rho is on a "
              "bound (effects undefined).", keyword=False,
              why="Python returns the result (result.converged, result.effects_undefined); the caller decides"),
        _FIT_TRANSFORM,
        Param("data", Path, None, "The table (CSV, XLSX, Parquet); or give it as the first argument.", key=None,
              keyword=False, why="the config names its table in [panel] (inputs)"),
        Param("json", Path, None, "Write the results as JSON.", key=None, keyword=False, why=_CLI_OUTPUTS),
        Param("out", Path, None, "Same as --json.", key=None, keyword=False, why=_CLI_OUTPUTS),
        Param("table", Path, None, "Also write a journal table (.txt, .md, .csv, .html, .tex, .xlsx, .docx).",
              key=None, keyword=False, why=_CLI_OUTPUTS),
        Param("overwrite", bool, False, "Replace existing output files (never the inputs).", key=None, keyword=False,
              why="spatial run --overwrite, for the whole run"),
        # config only
        Param("weights", (str, list), None, "name of the weights from the weights step (default: its first), or a "
              "list of names (a robustness set: every model under each W)", flag=None, keyword=False,
              why="a config names a matrix of its [weights.NAME] tables; a command reads --weights FILE or builds "
                  "--contiguity (inputs)"),
        Param("select", bool, False, "run the panel model selection procedure and show its table", flag=None,
              keyword=False, why="on the command line: spatial select"),
        Param("heterogeneity", dict, None, "[models.heterogeneity]: the model by group of units and tests of equal "
              "coefficients (keys by, model, groups, coefficients, permutations, islands)", flag=None, keyword=False,
              why="its keys are the FIT_BY operation's (spatial fit --by ...)"),
    ),
)

TABLE = Operation(
    "table", command="fit", section="models", function="spatial.models:compare", positional=("results",),
    params=(
        Param("stat", TableStat, "se", "The statistic under each estimate: standard error, z or p.",
              flag="--table-stat", key="table_stat"),
        Param("lang", Language, "en", "Table labels.", key="language"),
        Param("digits", int, 3, "Decimals of every number in the table.", low=0, high=10, key="table_digits"),
        Param("layout", Layout, "rows", "columns: W*X and Direct | Indirect | Total beside the model, as papers "
              "print an SDM.", flag="--table-layout", key="table_layout"),
        Param("labels", dict, None, "Names of the variables in the table: NAME=LABEL (repeatable, e.g. dig=数字经济) "
              "or a CSV file with columns variable,label.", click={"multiple": True},
              why="[models.labels] in a config: dig = \"数字经济\""),
        Param("levels", tuple, (0.1, 0.05, 0.01), "", flag=None, key=None,
              why="Python only for now: the star cut-offs"),
        Param("effects", bool, False, "", flag=None, key=None,
              why="follows the results: effects rows when the models have effects"),
        Param("title", str, "", "", flag=None, key=None, why="Python only: a title above the table"),
        Param("table_formats", list, ["csv", "txt", "tex", "html"], "csv, txt, md, tex, html, xlsx, docx",
              items=Literal["csv", "txt", "md", "tex", "html", "xlsx", "docx"], flag=None, keyword=False,
              why="a command writes one --table file whose suffix names the format; Python: table.write(path)"),
    ),
)

FIT_BY = Operation(
    "fit_by", command="fit", section="models.heterogeneity", function="spatial.heterogeneity:heterogeneity",
    positional=("panel", "w"),
    params=(
        Param("by", str, None, "Fit by group of units, W restricted to each group, and test whether coefficients "
              "differ: a column of the table or boundaries, or for mainland China three_regions (East/Central/West), "
              "four_regions (with the Northeast) or north_south. With a table file T, the tests of equal "
              "coefficients go to T_tests (same format)."),
        Param("model", ModelName, None, "the model fitted in each group (default: the last of [models] models)",
              flag=None, keyword=False, why="spatial fit --model; Python: passed on to fit(model=)"),
        Param("groups", list, None, "With --by: the groups to fit, comma-separated, in this order (default: all).",
              items=str),
        Param("coefficients", list, None, "With --by: the coefficients to compare (default: all but the constant).",
              items=str, variadic=True, flag="--compare"),
        Param("permutations", int, 0, "With --by: random regroupings per pair of groups for the permutation test of "
              "coefficient differences (uses --seed; 0: Wald tests only).", low=0, high=100_000),
        Param("islands", GroupIslands, "keep", "With --by: units left without a neighbour inside their group.",
              flag="--group-islands"),
        *(Param(name, str, None, "", flag=None, key=None, why=_SAME_AS_FIT) for name in ("y", "x", "seed")),
        Param("language", Language, "en", "", flag=None, key=None, why="spatial fit --lang / [models] language"),
        Param("progress", object, None, "", flag=None, key=None,
              why="Python only: a callback; commands and runs show a progress bar"),
    ),
)

_PRIORS = Param("priors", dict, None, "Prior probability of each model in the Bayesian comparison: MODEL=P (repeatable; "
                "together they sum to 1; default: equal).", flag="--prior", key="bayes_priors",
                click={"multiple": True, "metavar": "MODEL=P"})

SELECT = Operation(
    "select", command="select", section="models", function="spatial.models:select", positional=("panel", "w"),
    inputs=True,
    params=(
        Param("y", str, None, "Dependent variable: a column or log(column).", required=True),
        Param("x", list, None, "Regressors: --x x1 x2 log(x3).", items=str, required=True, variadic=True,
              min_items=1),
        Param("alpha", float, 0.05, "Significance level of the decisions.", low=0, high=1, open=True, key=None,
              why="not in the config yet: a config run uses 0.05"),
        Param("random_effects", bool, True, "Also fit the random-effects models and run the Hausman test.",
              flag="--random-effects/--no-random-effects", key=None,
              why="[models] random_effects is fit's (random unit effects); a config selection runs them"),
        Param("draws", int, 0, "", flag=None, key=None, why="Python only: effects draws of the selected fits"),
        Param("seed", int, 12345, "", flag=None, key=None, why="Python only: with draws"),
        Param("lee_yu", bool, False, "Lee-Yu bias correction of the fixed-effects estimates.", flag=None,
              key_default=None, why="not on spatial select yet; [models] lee_yu is shared with fit (default: unset)"),
        Param("allow_islands", bool, False, "Keep units without neighbours.", keyword=False,
              why="passed on to fit(allow_islands=) through **options"),
        Param("bayes", bool, True, "The Bayesian comparison (posterior model probabilities) beside the tests.",
              flag="--bayes/--no-bayes", key_default=None),
        _PRIORS,
        _FIT_TRANSFORM,
        Param("json", Path, None, "Write the selection as JSON.", key=None, keyword=False, why=_CLI_OUTPUTS),
        Param("csv", Path, None, "Write the table as CSV.", key=None, keyword=False, why=_CLI_OUTPUTS),
        Param("overwrite", bool, False, "Replace existing output files (never the inputs).", key=None, keyword=False,
              why="spatial run --overwrite, for the whole run"),
    ),
)

BAYES = Operation(
    "bayes", command="bayes", section="models", function="spatial.models:compare_bayes", positional=("panel", "w"),
    inputs=True,
    params=(
        Param("y", str, None, "Dependent variable: a column or log(column).", required=True),
        Param("x", list, None, "Regressors: --x x1 x2 log(x3).", items=str, required=True, variadic=True,
              min_items=1),
        Param("models", list, list(BayesModel.__args__), "Models compared.", items=BayesModel, variadic=True,
              key="bayes_models", min_items=1),
        Param("fe", FixedEffects, "none", "Fixed effects of a panel, removed by demeaning (none: pooled)."),
        _PRIORS,
        Param("wx", list, None, "Regressors whose W* lag enters SLX/SDM/SDEM (default: all).", items=str,
              variadic=True),
        Param("period", str, None, "Use only this period of a panel (a cross-section).", key_type=(int, str)),
        Param("logdet", BayesLogdet, "auto", "Log-determinant method of the integration.", key=None,
              why="[models] logdet is fit's (it also has mc); a config comparison uses auto"),
        Param("allow_islands", bool, False, "Keep units without neighbours."),
        Param("collinear", Collinear, "error", "Drop (and report) collinear regressors instead of stopping.",
              flag=None, why="not on spatial bayes yet", hint="drop_collinear"),
        _FIT_TRANSFORM,
        Param("json", Path, None, "Write the comparison as JSON.", key=None, keyword=False, why=_CLI_OUTPUTS),
        Param("csv", Path, None, "Write the table as CSV.", key=None, keyword=False, why=_CLI_OUTPUTS),
        Param("table", Path, None, "Also write a journal table (.txt, .md, .csv, .html, .tex, .xlsx, .docx), as "
              "spatial fit --table.", key=None, keyword=False, why=_CLI_OUTPUTS),
        Param("lang", Language, "en", "Labels of the --table.", key=None, keyword=False,
              why="a config run writes models_bayes_table.* in its [models] language"),
        Param("digits", int, 3, "Decimals of the --table.", low=0, high=10, flag="--table-digits", key=None,
              keyword=False, why="a config run uses [models] table_digits"),
        Param("overwrite", bool, False, "Replace existing output files (never the inputs).", key=None, keyword=False,
              why="spatial run --overwrite, for the whole run"),
    ),
)

# -- map: one choropleth of a column; a run draws its maps in the report ([report]) ----------------
_PYTHON_ONLY = "Python only: a keyword of maps.choropleth"
MAP = Operation(
    "map", command="map", function="maps:choropleth", positional=("units", "values"), inputs="boundaries",
    params=(
        Param("column", str, None, "Column to map; with --kind lisa, hotspots or effects the variable (regressor) "
              "whose results are shown (default: the only one in the file).", key="report.variables", key_type=list,
              keyword=False, why="Python: choropleth(units, values=COLUMN); a run maps the [report] variables"),
        Param("kind", MapKind, None, "What the map shows: choropleth (a numeric column), lisa (clusters of `spatial "
              "lisa --out`), hotspots (`spatial hotspots --out`), effects (per-unit effects of `spatial fit --json`, "
              "or their CSV), links (a weights file over --boundaries, or the queen contiguity of a boundary file), "
              "categories (any text column). Default: detected from the file.", key=None, keyword=False,
              hint="maps.kind", why="Python has one function per kind (maps.choropleth, lisa_map, hotspot_map, effects_map, links_map, "
                  "maps.categories.category_map); a run draws each kind its steps produce"),
        Param("output", Path, None, "Map to write: .html (interactive, self-contained), .png (300 dpi), .svg or .pdf.",
              flag="--out", required=True, key=None, keyword=False, why=_CLI_OUTPUTS),
        Param("period", str, None, "Period shown (figures: default the last; HTML: the one shown first).", key=None,
              why="a run's HTML maps have a period selector"),
        Param("seed", int, None, "With --kind lisa and a numeric --column of a table: compute its LISA clusters "
              "(queen contiguity of --boundaries, 999 permutations, alpha 0.05) with this seed.", low=0,
              high=_MAX_SEED, key=None, keyword=False,
              why="a run computes LISA in its [esda] step (its seed there); Python: esda.local_moran, then "
                  "maps.lisa_map"),
        Param("names", list, None, "Columns naming units in tooltips.", items=str, key="report.names"),
        Param("scheme", Scheme, "quantiles", "Classification of the values.", key="report.scheme"),
        Param("k", int, 5, "Number of classes.", low=2, key="report.k"),
        Param("breaks", list, None, "Class upper bounds (with --scheme user_defined).", items=float, key=None,
              why="user-defined classes: command line and Python"),
        Param("cmap", str, None, "matplotlib colormap (default YlOrRd; RdBu_r for std_mean).", key=None,
              why="the report uses its own palettes"),
        Param("title", str, None, "Title of the map.", key=None, why="[report] title is the report's"),
        Param("lang", Lang, "en", "Language of the legend and labels.", key="report.lang"),
        Param("tiles", Tiles, None, "Base map (needs the network); default none.", key="report.tiles"),
        Param("inset", Inset, "none", "Figures of China: South China Sea islands in an inset.", key=None,
              keyword=False, why="static figures: maps.static.choropleth_figure(inset=)"),
        Param("overwrite", bool, False, "Replace --out if it exists.", key=None, keyword=False,
              why="spatial run --overwrite, for the whole run"),
        Param("id", str, None, "", flag=None, key=None, why="the loader's --id / [panel] id"),
        *(Param(name, str, None, "", flag=None, key=None, why=_PYTHON_ONLY)
          for name in ("label", "fmt", "simplify", "height")),
    ),
)

# -- zonal: statistics of rasters per polygon; a run's [rasters] step adds them to the panel ---------
ZONAL = Operation(
    "zonal", command="zonal", section="rasters", function="spatial.raster:zonal_panel",
    positional=("boundaries", "source"),
    params=(
        Param("stats", list, ["mean"], "Statistics per polygon.", items=Stat),
        Param("pattern", str, None, r"Regex with (?P<period>...) read from each file name of a stack, e.g. "
              r"'_(?P<period>\d{4})'."),
        Param("band", int, None, "Band to read (required for multi-band files read one band at a time)."),
        Param("band_periods", list, None, "Bands are periods: 'descriptions' or labels, one per band.",
              key_type=(str, list)),
        Param("classes", list, None, "Raster values measured by the 'share' statistic."),
        Param("pixels", PixelRule, "fraction", "Count every pixel a polygon touches fully (default: exact "
              "fractions).", flag="--all-touched", flag_value="all_touched"),
        Param("nodata", float, None, "A value to treat as missing, besides the file's own nodata.",
              key_type=(int, float)),
        Param("assume_crs", str, None, "CRS for rasters without one, e.g. EPSG:4326.", hint="raster_assume_crs"),
        Param("name", str, None, "Prefix of the output columns (default: the file name without its period)."),
        Param("backend", Backend, "single", "Compute the layers on a Dask cluster (local by default).",
              flag="--dask", flag_value="dask"),
        Param("dask_address", str, None, "Scheduler of an existing Dask cluster, e.g. tcp://host:8786 (implies "
              "--dask)."),
        Param("dask_workers", int, None, "Worker processes of the local Dask cluster (default 2).", flag="--workers"),
        Param("max_pixels", int, None, "Most pixels in memory at once per process (about 40 bytes each).", low=1),
        Param("periods", list, None, "", flag=None, key=None,
              why="Python only: the period of each file of a list of rasters"),
        Param("time", str, "period", "", flag=None, key=None, why="Python only: the name of the period column"),
        Param("id", str, None, "Id column of the boundaries (default: the bundled dataset's id).",
              key="boundaries.id"),
        Param("boundaries", str, None, "Polygon file (or a bundled boundaries dataset, e.g. china_provinces).",
              required=True, key=None, keyword=False,
              why="a run uses its [boundaries]; Python: zonal_panel(boundaries, source)"),
        Param("layer", str, None, "Layer of the boundary file.", key="boundaries.layer", keyword=False,
              why="Python: read_boundaries(layer=)"),
        Param("boundary_encoding", str, None, "Encoding of a shapefile .dbf without .cpg (e.g. gbk).",
              key="boundaries.encoding", keyword=False, why="Python: read_boundaries(encoding=)"),
        Param("keep", str, None, "Study area: a true/false boundary column (mainland), column=value,... "
              "(region=East,Central) or @ids.txt; only the kept polygons are measured.", key="boundaries.keep",
              keyword=False, why="Python: spatial.subset.keep_mask on the polygons before zonal_panel"),
        Param("output", Path, None, "Table to write (.csv): id, period (for a stack) and one column per statistic.",
              flag="--out", required=True, key=None, keyword=False, why=_CLI_OUTPUTS),
        Param("overwrite", bool, False, "Replace --out if it exists.", key=None, keyword=False,
              why="spatial run --overwrite, for the whole run"),
        Param("path", str, None, "raster file, folder or glob", flag=None, keyword=False,
              why="the command's SOURCE argument (a file, folder, glob or bundled raster)", key_type=Path),
        Param("dataset", str, None, "a bundled raster instead of a path, e.g. china_dem", flag=None, keyword=False,
              why="the command's SOURCE argument takes a bundled raster's name too"),
        Param("maps", bool, True, "write a PNG choropleth per variable", flag=None, keyword=False,
              why="a run draws the maps; on the command line: spatial map of the table"),
    ),
)

# -- weights build: one matrix from boundaries, points or a values table ---------------------------
_RUN_READS = "a run reads its boundaries once with [boundaries] {key}; Python: read_boundaries({keyword}=)"
_FILE_KIND = "[weights.NAME] kind = 'file' reads a matrix; on the command line: spatial weights convert/info"
WEIGHTS_BUILD = Operation(
    "weights build", command="weights build", section="weights.NAME", function="weights.builder:build",
    positional=("data",), options_of="weights.builder:BUILD_OPTIONS",
    params=(
        Param("id", str, None, "Unit id column (ids are kept as text); default for a bundled dataset: its id.",
              key=None, why="a run keys every matrix by the panel's units ([panel] id; points_id for points)"),
        Param("kind", Kind, None, "Kind of weights.", required=True),
        Param("output", Path, None, "Weights file to write (.gal .gwt .csv .xlsx .mtx .mat .dta); only the summary "
              "when omitted.", flag="--out", key=None, keyword=False,
              why="a run writes weights_NAME.<format> into its folder (formats); Python: write_weights(path)"),
        Param("format", Format, None, "Output format (default: from the extension; 'matrix' writes a full-matrix "
              ".csv).", key=None, keyword=False,
              why="a run writes every format listed in formats; Python: write_weights(format=)"),
        Param("overwrite", bool, False, "Replace --out if it exists (never an input).", key=None, keyword=False,
              why="spatial run --overwrite, for the whole run"),
        Param("force", bool, False, "Write a full matrix (csv/xlsx/dta) above n = 5000.", key=None, keyword=False,
              why="Python: write_weights(force=); a run writes sparse formats", hint="weights.force"),
        Param("layer", str, None, "Layer of the boundary file.", key=None, keyword=False,
              why=_RUN_READS.format(key="layer", keyword="layer")),
        Param("encoding", str, None, "Encoding of a .dbf without .cpg, or of a CSV table (e.g. gbk).", key=None,
              keyword=False, why=_RUN_READS.format(key="encoding", keyword="encoding"), hint="boundary_encoding"),
        Param("assume_crs", str, None, "CRS for a boundary file without one, e.g. EPSG:4326.", key=None,
              keyword=False, why=_RUN_READS.format(key="assume_crs", keyword="assume_crs")),
        Param("xy", str, None, "Coordinate columns of a points table, e.g. lon,lat.", key_type=list),
        Param("metric", Metric, None, "Distance: euclidean (projected CRS) or great-circle haversine/geodesic in km "
              "(lon/lat).", hint="weights.metric"),
        Param("points", PointsOption, None, "Points of polygons."),
        Param("order", int, None, "Contiguity order (2: neighbours of neighbours).", low=1, key_default=1),
        Param("cumulative", bool, None, "Contiguity of orders 1..--order.", click={"default": None},
              key_default=False),
        Param("strict", bool, None, "Contiguity by geometric predicates, not shared vertices.",
              click={"default": None}, key_default=False, hint="weights.strict"),
        Param("tolerance", float, None, "Contiguity snapping distance in CRS units (gaps, slivers).",
              key_type=(int, float), hint="weights.tolerance"),
        Param("k", int, None, "Neighbours (knn; kernel bandwidth from the k-th).", low=1),
        Param("threshold", float, None, "Distance band (km for great-circle metrics).", key_type=(int, float)),
        Param("inverse", bool, None, "Distance band with 1/d^alpha weights instead of 0/1.",
              click={"default": None}, keyword=False, why="Python: binary=False"),
        Param("binary", bool, True, "", flag=None, key=None,
              why="the builder's keyword; the command's --inverse and the key inverse = true set it to False"),
        Param("alpha", float, None, "Distance decay power: 1/d^alpha.", key_type=(int, float)),
        Param("cutoff", float, None, "Inverse distance only within this distance.", key_type=(int, float)),
        Param("function", KernelFunction, None, "Kernel function."),
        Param("bandwidth", float, None, "Fixed kernel bandwidth.", key_type=(int, float), hint="weights.bandwidth"),
        Param("adaptive", bool, None, "Kernel bandwidth per unit (its k-th neighbour).", click={"default": None},
              key_default=False),
        Param("duplicates", DuplicateOption, None, "Units at the same location (knn)."),
        Param("group", str, None, "Group column for block weights (e.g. province, region)."),
        Param("values", Path, None, "Table of the economic variable (nested); for --kind economic the SOURCE is "
              "that table.", key=None, why="a run takes the variable from its panel"),
        Param("values_id", str, None, "", flag=None, key=None,
              why="Python only: the id column of the values table (the command uses --id, a run the panel's)"),
        Param("variable", str, None, "Economic variable (e.g. gdp_pc)."),
        Param("time", str, None, "Period column of the values table.", key=None,
              why="a run uses the panel's period ([panel] time)"),
        Param("periods", str, None, "Periods averaged: 2010:2019 or 2010,2015,2019 (default all).",
              key_type=(str, list)),
        Param("ties", TieOption, None, "Equal means in economic distance."),
        Param("max_links", int, None, "Refuse to build more links (default 50,000,000).", low=1),
        Param("islands", IslandPolicy, None, "Island policy: keep zero rows, drop them, or connect each to its "
              "nearest unit(s).", hint="weights.islands"),
        Param("connect_k", int, 1, "Nearest units each island is connected to.", low=1),
        Param("transform", MatrixTransform, "none", "Transformation applied last.", key_default="row",
              why="a run row-standardises by default (as its models need); the command and Python write as built"),
        Param("repair", RepairOption, "none", "Repair invalid polygons (bow-ties, spikes) with make_valid; each "
              "repair is listed.", key="boundaries.repair", keyword=False,
              why="Python: spatial.geometry.check_geometries(repair=) before build"),
        Param("drop_bad_geometry", bool, False, "Drop units with missing/empty/non-polygon geometry.",
              key="boundaries.bad_geometry", keyword=False,
              why="Python: check_geometries(bad_geometry='drop_units'); config: bad_geometry = 'drop_units'"),
        Param("dissolve_by_id", bool, False, "Union boundary rows that share an id.",
              key="boundaries.duplicate_geometry", keyword=False,
              why="Python: check_geometries(duplicates='dissolve'); config: duplicate_geometry = 'dissolve'"),
        Param("eigen", EigenOption, "auto", "How the rho interval is computed (dense up to n = 2000).", key=None,
              keyword=False, why="Python: BuiltWeights.summary(eigen=); a run computes the interval as needed"),
        Param("formats", list, ["csv"], "files written", flag=None, keyword=False,
              why="the command writes one file (--out, --format); Python: write_weights"),
        Param("points_path", str, None, "table of points", flag=None, keyword=False,
              why="the command's SOURCE is the points table; Python: the points are build's data"),
        Param("points_dataset", str, None, "bundled points dataset", flag=None, keyword=False,
              why="the command's SOURCE takes a bundled name (china_capitals); Python: datasets.load"),
        Param("points_id", str, None, "id column of the points table", flag=None, keyword=False,
              why="the command's --id; Python: id="),
        Param("distance", str, None, "name of a distance matrix defined above", flag=None,
              why="a command builds one matrix; nested on the command line builds its inverse distance from SOURCE"),
        Param("of", list, None, "two matrices defined above", flag=None, keyword=False,
              why="Python: weights.economic.mixed(w1, w2, phi); a command builds one matrix"),
        Param("phi", float, None, "weight of the first", flag=None, keyword=False,
              why="as of (weights.economic.mixed)"),
        Param("path", str, None, "a weights file", flag=None, keyword=False, why=_FILE_KIND),
        Param("file_format", str, None, "format of the weights file", flag=None, key="format", keyword=False,
              why=_FILE_KIND),
        Param("file_encoding", str, None, "encoding of the weights file", flag=None, key="encoding",
              keyword=False, why=_FILE_KIND, hint="weights.encoding"),
    ),
)

# -- weights info / convert: a weights file read (and written in another format) --------------------
_READ_FILE = "a file read on the command line; a run reads one with [weights.NAME] kind = 'file' ({key})"
_NO_CONFIG_STEP = "a command on one file; a run writes its matrices in every format listed in [weights.NAME] formats"
_WEIGHTS_FORMAT = Param("format", Format, None, "Format (default: from the extension).", key=None, dest="fmt",
                        why=_READ_FILE.format(key="format"))
_WEIGHTS_ENCODING = Param("encoding", str, None, "Text encoding of a CSV/GAL/GWT file (default UTF-8).", key=None,
                          hint="weights.encoding", why=_READ_FILE.format(key="encoding"))
_EIGEN = Param("eigen", EigenOption, "auto", "How the rho interval is computed (dense up to n = 2000).", key=None,
               keyword=False, why="Python: weights.summary.summarize(graph, eigen=)")
WEIGHTS_INFO = Operation(
    "weights info", command="weights info", function="weights.io:read_weights", positional=("path",),
    params=(
        _WEIGHTS_FORMAT,
        _WEIGHTS_ENCODING,
        _EIGEN,
        *(Param(name, kind, default, "", flag=None, key=None, why="Python only: read_weights(" + name + "=)")
          for name, kind, default in (("ids", list, None), ("allow_self", bool, False), ("variable", str, "W"))),
    ),
)
WEIGHTS_CONVERT = Operation(
    "weights convert", command="weights convert", function="weights.io:write_weights", positional=("graph", "path"),
    params=(
        Param("output", Path, None, "File to write; the format comes from its extension.", flag="--out", required=True,
              key=None, keyword=False, why="write_weights(graph, path): the path is its second argument"),
        Param("source_format", Format, None, "Format of SOURCE (default: its extension).", flag="--from",
              dest="from_fmt", key=None, keyword=False, why="Python: read_weights(format=)"),
        Param("format", Format, None, "Output format (default: from the extension).", key=None, dest="fmt",
              why=_NO_CONFIG_STEP),
        Param("transform", MatrixTransform, "none", "Transformation applied before writing.", dest="transform_name",
              key=None, keyword=False, why="Python: weights.transform.transform(graph, how)"),
        Param("encoding", str, None, "Text encoding of SOURCE (CSV/GAL/GWT).", key=None, keyword=False,
              hint="weights.encoding", why="Python: read_weights(encoding=)"),
        Param("overwrite", bool, False, "Replace --out if it exists (never the input).", key=None,
              why=_NO_CONFIG_STEP),
        Param("force", bool, False, "Write a full matrix (csv/xlsx/dta) above n = 5000.", key=None,
              hint="weights.force", why=_NO_CONFIG_STEP),
    ),
)

#: The keys of ``[rasters]``.
RASTERS_KEYS = section_keys("rasters", (ZONAL,))

#: fit()'s GMM keywords: passed only with estimator='gmm' (fit refuses endog and instruments otherwise).
GMM_KEYWORDS = ("estimator", "endog", "instruments", "w_lags", "gmm_errors", "gmm_moments")


def without_ml_defaults(keywords: dict) -> dict:
    """``keywords`` of fit() without the GMM ones unless ``estimator='gmm'``, and without ``dynamic=None``."""
    drop = (GMM_KEYWORDS if keywords.get("estimator", "ml") != "gmm" else ()) + (
        ("dynamic",) if keywords.get("dynamic") is None else ())
    return {k: v for k, v in keywords.items() if k not in drop}


OPERATIONS: dict[str, Operation] = {op.name: op for op in (CHECK, RESHAPE, RUN, REPORT, DEMO, CONFIG_TEMPLATE, MORAN, LISA, HOTSPOTS,
                                                            FIT, TABLE, FIT_BY, SELECT, BAYES, MAP, ZONAL,
                                                            WEIGHTS_BUILD, WEIGHTS_INFO, WEIGHTS_CONVERT,
                                                            INDEX_GEODETECTOR, INDEX_LQ)}
OPERATIONS.update(INDEX_OPERATIONS)  # every spatial index command, declared in spatial.operations_indices

#: The keys of the ``[esda]`` section, from the three operations.
ESDA_KEYS = section_keys("esda", (MORAN, LISA, HOTSPOTS))
#: The keys of ``[models]`` (fit, its table, select) and of ``[models.heterogeneity]`` (fit --by).
MODELS_KEYS = section_keys("models", (FIT, TABLE, SELECT, BAYES))
HETEROGENEITY_KEYS = section_keys("models.heterogeneity", (FIT_BY,))
#: Tables inside a section, validated by its step with these keys.
SUBSECTIONS = {"models.heterogeneity": HETEROGENEITY_KEYS}
