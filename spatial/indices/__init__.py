"""Regional development indices: composite indices, coupling coordination, inequality, geographic
detector and location quotients.

Every function takes a plain long table (one row per unit and period, with ``id=`` and
``time=``) or a :class:`spatial.SpatialPanel`, and returns frozen results or tidy tables that
record the choices made (normalisation, pooling, weighting, discretisation, grouping).

* :func:`composite_index`: normalise an indicator system, weight it (entropy, CRITIC, CV, equal,
  user) and aggregate (weighted sum or TOPSIS) per subsystem and overall;
  :meth:`CompositeIndex.add_to` makes the scores panel variables for Moran, models and maps.
* :func:`coupling_coordination`: C, T, D, relative development and graded classes
  (:data:`GRADINGS`, bilingual).
* :func:`theil`, :func:`dagum_gini`, :func:`coefficient_of_variation`,
  :func:`sigma_convergence`, :func:`kernel_density`: inequality, its decompositions by group
  (``group="china_region"`` for East / Central / West / Northeast) and convergence.
* :func:`geodetector`: factor, interaction, risk and ecological detectors.
* :func:`location_quotient`: industry specialisation (区位熵), with adjusted and scored variants.
* :func:`ahp_weights`, :func:`combine_weights`: AHP with Saaty's consistency ratio and combined
  subjective-objective weights (also ``composite_index(..., combine=...)``).
* :func:`obstacle_degree`: obstacle degree model (障碍度) of a composite index.
* :func:`markov_chain`, :func:`spatial_markov`, :func:`lisa_markov`: class dynamics (Rey 2001).
* :func:`gravity_centre`: centre of gravity, its migration and standard deviational ellipses.
* :func:`dea`: DEA efficiency (CCR, BCC, SBM with undesirable outputs, super-SBM);
  :func:`malmquist` and :func:`gml`: productivity change and its decomposition.
* :mod:`spatial.indices.workflow`: one ``run_<operation>`` per ``spatial index`` command, returning
  the result and the tables the command and a config run write (the command, the ``[indices]``
  step and Python share it).

Examples
--------
>>> from spatial import datasets
>>> from spatial.indices import composite_index, theil
>>> produc = datasets.load("us_produc")
>>> index = composite_index(produc, {"gsp": "positive", "unemp": "negative"}, id="fips", time="year")
>>> index.options["weighting"], index.options["pooling"]
('entropy', 'pooled')
>>> round(float(theil(produc, "gsp", id="fips", time="year").summary["theil"].iloc[0]), 4)
0.4968
"""

from __future__ import annotations

from spatial.indices._common import IndicatorWarning
from spatial.indices.ahp import RANDOM_INDEX, AHPResult, ahp_weights, combine_weights
from spatial.indices.centrography import GravityResult, ellipse_moments, gravity_centre
from spatial.indices.composite import CompositeIndex, composite_index
from spatial.indices.coupling import GRADINGS, CouplingResult, GradingTable, coupling_coordination, grading_table
from spatial.indices.dea import DEAResult, dea
from spatial.indices.geodetector import GeoDetectorResult, factor_q, geodetector
from spatial.indices.inequality import (
    CHINA_REGION,
    DagumGini,
    KernelDensity,
    SigmaConvergence,
    TheilResult,
    coefficient_of_variation,
    dagum_gini,
    gini,
    kernel_density,
    sigma_convergence,
    theil,
)
from spatial.indices.location_quotient import location_quotient
from spatial.indices.markov import (
    MarkovResult,
    SpatialMarkovResult,
    lisa_markov,
    markov_chain,
    mean_first_passage,
    spatial_markov,
    steady_state,
)
from spatial.indices.obstacle import ObstacleResult, obstacle_degree
from spatial.indices.normalize import IndicatorSystem, indicator_system, normalize
from spatial.indices.productivity import ProductivityResult, gml, malmquist
from spatial.indices.regions import china_region
from spatial.indices.weighting import critic_weights, cv_weights, entropy_weights, indicator_weights

__all__ = [
    "RANDOM_INDEX",
    "AHPResult",
    "ObstacleResult",
    "DEAResult",
    "GravityResult",
    "ellipse_moments",
    "gravity_centre",
    "MarkovResult",
    "SpatialMarkovResult",
    "lisa_markov",
    "markov_chain",
    "mean_first_passage",
    "spatial_markov",
    "steady_state",
    "ProductivityResult",
    "dea",
    "gml",
    "malmquist",
    "ahp_weights",
    "combine_weights",
    "obstacle_degree",
    "CHINA_REGION",
    "GRADINGS",
    "CompositeIndex",
    "CouplingResult",
    "DagumGini",
    "GeoDetectorResult",
    "GradingTable",
    "IndicatorSystem",
    "IndicatorWarning",
    "KernelDensity",
    "SigmaConvergence",
    "TheilResult",
    "china_region",
    "coefficient_of_variation",
    "composite_index",
    "coupling_coordination",
    "critic_weights",
    "cv_weights",
    "dagum_gini",
    "entropy_weights",
    "factor_q",
    "geodetector",
    "gini",
    "grading_table",
    "indicator_system",
    "indicator_weights",
    "kernel_density",
    "location_quotient",
    "normalize",
    "sigma_convergence",
    "theil",
]
