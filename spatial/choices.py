"""The allowed values of every option that is a choice, declared once as ``Literal`` types.

The numerical modules annotate their keywords with these types and validate with
:func:`spatial._options.check_option`; :mod:`spatial.operations` builds the command-line choices
and the config keys' allowed values from the same types. This module imports nothing, so the
command line can build its options without loading numpy.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["Statistic", "Transform", "Adjust", "Errors", "Moments", "Scale", "Language"]

# esda
Statistic = Literal["moran", "geary", "getis_ord"]
Transform = Literal["r", "b", "as_given"]
Adjust = Literal["none", "fdr", "bonferroni"]
Errors = Literal["raise", "record"]
Moments = Literal["conditional", "total"]
Scale = Literal["n", "n-1"]
Language = Literal["en", "zh"]
CsvEncoding = Literal["utf-8-sig", "utf-8", "gbk", "gb18030"]  # CSV outputs; utf-8-sig (with BOM) opens in Excel

# models (spatial.models.catalog.MODEL_NAMES lists the same names with their descriptions; a test
# keeps them equal)
ModelName = Literal["ols", "slx", "sar", "sem", "sdm", "sdem", "sac"]
FixedEffects = Literal["none", "unit", "time", "twoway"]
LogdetMethod = Literal["auto", "eigen", "lu", "mc"]
CovMethod = Literal["auto", "information", "hessian", "robust", "cluster", "driscoll_kraay"]
Collinear = Literal["error", "drop"]
Estimator = Literal["ml", "gmm"]
GmmErrors = Literal["het", "hom", "kp98"]
GmmMoments = Literal["initial", "weights", "fullweights"]  # the panel GM of the spatial error (splm's moments)
EffectsMethod = Literal["auto", "exact", "lu", "traces"]
EffectsInference = Literal["simulation", "delta"]
BayesModel = Literal["ols", "slx", "sar", "sdm", "sem", "sdem"]  # the Bayesian comparison (LeSage 2014)
BayesLogdet = Literal["auto", "eigen", "lu"]
GroupIslands = Literal["keep", "drop", "error"]
TableStat = Literal["se", "z", "p"]
Layout = Literal["rows", "columns"]
Position = Literal["below", "beside"]  # the statistic of a journal table: on the line below, or beside
DynamicLags = Literal["tau", "eta", "both"]  # y(t-1), W y(t-1), or both (xsmle dlag(1|2|3))
WeightsTransform = Literal["r", "none"]  # fit and select: row-standardise the weights, or use them as given

# inputs
Restrict = Literal["error", "intersection"]
Balance = Literal["error", "drop_units"]  # an unbalanced panel: refuse, or drop the incomplete units (recorded)
Missing = Literal["error", "drop_units"]  # missing values: refuse, or drop the units that have them (recorded)
BadGeometry = Literal["error", "drop_units"]  # missing/empty/non-polygon geometry: refuse, or drop the units
DuplicateGeometry = Literal["error", "dissolve"]  # boundary rows sharing an id: refuse, or union them
RepairOption = Literal["none", "make_valid"]  # invalid polygons: refuse, or repair with make_valid (recorded)  # units in the table but not the boundaries (or weights)

# rasters (zonal statistics)
Stat = Literal["mean", "sum", "area_sum", "min", "max", "median", "std", "count", "share"]
PixelRule = Literal["fraction", "all_touched"]  # exact area fractions, or every pixel a polygon touches
Backend = Literal["single", "dask"]

# indices (geographical detector)
DiscretizeOption = Literal["quantile", "natural_breaks", "equal_interval"]  # classes of a numeric factor
SingletonStrata = Literal["keep", "drop", "error"]  # strata with one observation

# indices (location quotients)
LQBasis = Literal["employment", "output", "firms", "other"]  # what the industry sizes measure
ScoreAnchor = Literal["mean", "one"]  # m of the LQ score: the industry's mean LQ in the period, or 1

# indices (composite indices, coupling, inequality, AHP, DEA, Markov chains)
NormalizeOption = Literal["minmax", "zscore"]  # normalisation of the indicators
PoolingOption = Literal["pooled", "per_period"]  # normalise and weight over all periods or within each
WeightingOption = Literal["entropy", "critic", "cv", "equal", "user"]  # objective (or equal/user) weights
AggregationOption = Literal["weighted_sum", "topsis"]
CombineRule = Literal["multiplicative", "linear"]  # objective with subjective (AHP) weights
CouplingFormula = Literal["classical", "revised"]  # revised: Wang Shujia et al. 2021
Grading = Literal["ten_level", "three_level", "four_level", "coupling_stage"]  # bundled gradings of D
SingletonOption = Literal["error", "allow"]  # groups with a single unit (inequality)
TheilKind = Literal["T", "L"]
Dispersion = Literal["sd_log", "cv"]  # the statistic of sigma convergence
AHPMethod = Literal["eigenvector", "geometric", "arithmetic"]
DEAModel = Literal["ccr", "bcc", "sbm", "super_sbm"]
Orientation = Literal["input", "output"]
RTS = Literal["crs", "vrs"]
Frontier = Literal["contemporaneous", "global"]
Infeasible = Literal["error", "nan"]  # DEA units without a solution: stop, or leave them empty
Solver = Literal["batched", "loop"]  # DEA programs: batched column generation, or one per unit
ProductivityMethod = Literal["gml", "malmquist"]
MarkovKind = Literal["classic", "spatial", "lisa"]
MarkovPooling = Literal["per_period", "pooled"]  # quantile classes per period or of all periods
