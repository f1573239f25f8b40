"""Estimator families: how a model is estimated, behind one small protocol.

:func:`spatial.models.fit` validates its options, looks the model up in the catalog
(:mod:`spatial.models.catalog`), asks :func:`family_for` which family estimates it, and runs
:func:`run`: the family's ``setup`` (data -> :class:`Problem`), its ``estimate`` (-> :class:`Estimate`)
and the one shared post-estimation (:func:`spatial.models._postestimation.finish`: standard errors,
z and p-values, effects, the frozen :class:`~spatial.models.result.Result`, the map back to the
data's units). The families today:

``least_squares`` (:mod:`~spatial.models.families.least_squares`)
    OLS and SLX (pooled, fixed effects), t inference with the residual degrees of freedom.
``concentrated_ml`` (:mod:`~spatial.models.families.concentrated_ml`)
    SAR, SEM, SDM, SDEM, SAC by maximum likelihood concentrated in rho and/or lambda (pooled and
    fixed effects, Lee-Yu correction), on the numerical floor :mod:`spatial.linalg`.
``random_effects`` (:mod:`~spatial.models.families.random_effects`)
    SAR, SEM, SDM, SDEM with random unit effects (Elhorst's ML in (rho or lambda, phi)).

The contract: adding a family
-----------------------------
A family is **one module** in this package that defines ``FAMILY = Family(name, check, setup,
estimate)``, plus **one line** in :data:`REGISTRY` (name -> module, imported on first use):

``check(info, options) -> None``
    Refuse what the family cannot do for this catalog row and these options, with a
    :class:`~spatial.errors.SpatialPanelError` naming the option to change (e.g. SAC with two-way
    effects). Called before any data are touched.
``setup(panel, weights, info, options) -> Problem``
    Build the (scaled) design and the :class:`~spatial.models.result.ModelSpec`; :func:`problem`
    does the common part (design, fixed-effects demeaning, scaling, log-determinant, interval).
``estimate(problem) -> Estimate``
    The numbers. Fill the required fields of :class:`Estimate`; warn (``ConvergenceWarning``,
    ``BoundaryWarning``) here, where the optimiser is known.

A **model** (a new row of the catalog: which spatial terms it has, its default ``family``, its
labels) needs nothing else when an existing family handles its terms: the concentrated-ML family
reads ``lag``/``error``/``durbin`` from the row, never the model's name. A family that is chosen by
an option rather than by the model (random effects today; ``estimator="gmm"`` or dynamic lags
tomorrow) adds its selection rule to :func:`family_for` and its keyword to :class:`FitOptions`
(and to the CLI flag and config key, declared in :mod:`spatial.hints`).

For robust covariances (``cov=`` options) an ML family exposes, on its :class:`Estimate`:

* ``hessian``: a zero-argument callable returning the Hessian of the log-likelihood at the
  estimate with respect to ``names + ("sigma2",)`` (analytical for concentrated ML, numerical for
  random effects);
* ``loglik_at``: the full log-likelihood at any vector ordered as ``names + ("sigma2",)``, for
  finite-difference checks;
* ``scores``: a zero-argument callable returning the per-observation scores, an ``nobs x (p + 1)``
  array in the same order (None where a family has not written them yet: add them there).

All three are on the *scaled* design (see :mod:`spatial.models._scaling`); a covariance built from
them in :func:`~spatial.models._postestimation.finish` (before the map back) is unscaled like every
other. ``covariances`` holds alternative covariances by name (random effects: ``"conditional"``,
splm's beta block conditional on phi and rho); :func:`finish` uses the one named by the options.

Examples
--------
>>> from spatial.models.catalog import model_info
>>> from spatial.models.families import FitOptions, family_for
>>> family_for(model_info("sdm"), FitOptions()).name
'concentrated_ml'
>>> family_for(model_info("sem"), FitOptions(random_effects=True)).name
'random_effects'
>>> family_for(model_info("slx"), FitOptions()).name
'least_squares'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING, Any

import numpy as np

from spatial.errors import SpatialPanelError

if TYPE_CHECKING:
    from spatial.linalg import Interval, LogDet, WeightsMatrix
    from spatial.models._design import Design
    from spatial.models._scaling import Scales
    from spatial.models.catalog import ModelInfo
    from spatial.models.result import ModelSpec, Result

__all__ = ["Estimate", "Problem", "Family", "FitOptions", "REGISTRY", "family_for", "get_family", "refusal", "run",
           "problem"]

# name -> module defining FAMILY; imported on first use
REGISTRY: dict[str, str] = {
    "least_squares": "spatial.models.families.least_squares",
    "concentrated_ml": "spatial.models.families.concentrated_ml",
    "random_effects": "spatial.models.families.random_effects",
    "gmm": "spatial.models.families.gmm",
    "dynamic": "spatial.models.families.dynamic",
}


@dataclass(frozen=True)
class FitOptions:
    """Every keyword of :func:`spatial.models.fit` after validation (the variables aside)."""

    y: str = ""
    x: tuple[str, ...] = ()
    model: str = "sar"
    fe: str = "none"
    wx: tuple[str, ...] | None = None
    constant: bool = True
    period: Any = None
    logdet: str = "auto"
    cov: str = "auto"
    bandwidth: int | None = None
    effects: str = "auto"
    inference: str = "simulation"
    draws: int = 1000
    seed: int = 12345
    per_unit: bool | None = None
    allow_islands: bool = False
    collinear: str = "error"
    lee_yu: bool | None = None  # None: the family's default (off; on for dynamic models with fixed effects)
    random_effects: bool = False
    conditional_se: bool = False
    estimator: str = "ml"
    endog: Sequence[str] | None = None
    instruments: Sequence[str] | None = None
    w_lags: int = 2
    gmm_errors: str = "het"
    gmm_moments: str = "initial"
    dynamic: str | None = None


@dataclass(frozen=True, eq=False)
class Problem:
    """What a family estimates: the scaled design, the spec, and the numerical floor set up for it."""

    panel: Any
    info: ModelInfo
    options: FitOptions
    design: Design  # scaled (see spatial.models._scaling)
    scales: Scales
    spec: ModelSpec
    logdet: LogDet | None = None
    interval: Interval | None = None
    method: str = "none"  # the log-determinant method ("eigen", "lu", "mc"; "none" without spatial parameters)
    # the bounded optimisers (spatial.models._optimize), injected by fit() so that one place can replace them
    maximise_1d: Callable | None = None
    maximise_2d: Callable | None = None


@dataclass(frozen=True, eq=False)
class Estimate:
    """A family's estimate, before post-estimation turns it into a :class:`Result`.

    Required: ``names`` and ``estimates`` (the reported parameters: the design's columns in order,
    then ``rho``, ``lambda`` and any other parameter such as ``phi``), their covariance ``cov``,
    ``beta`` (the coefficients of the design's columns), ``sigma2`` and the ``residuals`` and
    ``prediction`` (the fitted values, through the reduced form for lag models).
    """

    names: tuple[str, ...]
    estimates: np.ndarray
    cov: np.ndarray
    beta: np.ndarray
    sigma2: float
    residuals: np.ndarray
    prediction: np.ndarray
    sigma2_se: float | None = None
    loglik: float | None = None  # None for an estimator without a likelihood (GMM): no AIC, BIC or LR
    n_params: int | None = None  # counted in AIC/BIC; default len(names) + 1 (sigma2)
    spatial: Mapping[str, float] = field(default_factory=dict)  # {"rho": ..., "lambda": ...}
    interval: Interval | None = None  # the admissible interval when the family refined the problem's
    dist: str = "normal"  # or "t" with df_resid
    df_resid: int | None = None
    converged: bool = True
    at_boundary: bool = False
    tests: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    fixed_effects: dict | None = None
    diagnostics: dict = field(default_factory=dict)
    # for robust covariances (see the module docstring): on the scaled design, order names + ("sigma2",)
    hessian: Callable[[], np.ndarray] | None = None
    scores: Callable[[], np.ndarray] | None = None
    loglik_at: Callable[[np.ndarray], float] | None = None
    covariances: Mapping[str, Callable[[], np.ndarray]] = field(default_factory=dict)

    @property
    def rho(self) -> float | None:
        return self.spatial.get("rho")

    @property
    def lam(self) -> float | None:
        return self.spatial.get("lambda")


@dataclass(frozen=True)
class Family:
    """An estimator family: see the contract in the module docstring.

    ``fit`` (panel, raw weights, info, options -> Result) replaces setup/estimate/finish for a family
    that still builds its Result itself (GMM and dynamic panels, written before this protocol);
    new families use ``setup`` and ``estimate``.
    """

    name: str
    check: Callable[[ModelInfo, FitOptions], None]
    setup: Callable[[Any, WeightsMatrix, ModelInfo, FitOptions], Problem] | None = None
    estimate: Callable[[Problem], Estimate] | None = None
    fit: Callable[[Any, Any, ModelInfo, FitOptions], Result] | None = None


def get_family(name: str) -> Family:
    """The registered family ``name`` (its module imported on first use)."""
    try:
        module = REGISTRY[name]
    except KeyError:
        raise SpatialPanelError(f"no estimator family {name!r}; the families are {', '.join(REGISTRY)}") from None
    return import_module(module).FAMILY


def family_for(info: ModelInfo, options: FitOptions) -> Family:
    """The family that estimates ``info`` with ``options``: the catalog's, unless an option chooses another
    (``estimator="gmm"``, ``dynamic=...``, ``random_effects=True``, in that order)."""
    if options.estimator == "gmm":
        return get_family("gmm")
    if options.dynamic is not None:
        return get_family("dynamic")
    if options.random_effects:
        return get_family("random_effects")
    return get_family(info.family)


def refusal(info: ModelInfo, options: FitOptions) -> str | None:
    """Why the family that ``options`` choose cannot fit ``info`` (None when it can): a config check
    asks this before any data are read."""
    try:
        family_for(info, options).check(info, options)
    except SpatialPanelError as exc:
        return str(exc)
    return None


def run(panel, w: Any, info: ModelInfo, options: FitOptions, *,
        optimisers: tuple[Callable, Callable] | None = None) -> Result:
    """Check, set up, estimate and finish: the path of every model through its family.

    ``w`` is the user's weights (a libpysal ``Graph``), checked here by
    :func:`spatial.linalg.weights_matrix`. ``optimisers`` replaces the bounded 1-D and 2-D
    maximisers of :mod:`spatial.models._optimize`.
    """
    from dataclasses import replace

    from spatial.linalg import weights_matrix
    from spatial.models._optimize import maximise_1d, maximise_2d
    from spatial.models._postestimation import finish

    family = family_for(info, options)
    family.check(info, options)
    if family.fit is not None:
        return family.fit(panel, w, info, options)
    weights = weights_matrix(w, allow_islands=options.allow_islands)
    prepared = family.setup(panel, weights, info, options)
    one, two = optimisers or (maximise_1d, maximise_2d)
    prepared = replace(prepared, maximise_1d=one, maximise_2d=two)
    return finish(prepared, family.estimate(prepared))


def problem(panel, weights: WeightsMatrix, info: ModelInfo, options: FitOptions, *, constant: bool, fe: str,
            n_spatial: int, spec_changes: Mapping[str, Any] | None = None) -> Problem:
    """The common set-up: design (demeaned for fixed effects), spec, scaling, log-determinant and interval.

    ``n_spatial`` is the number of parameters beside the coefficients that the identification
    check counts; the log-determinant and interval are set up when the model has spatial terms.
    """
    from spatial.linalg import DENSE_LIMIT, default_method, make_logdet, rho_interval
    from spatial.models._design import CONST, build_design
    from spatial.models._panel import fixed_effects_design
    from spatial.models._robust import ROBUST, check_robust
    from spatial.models._scaling import scale_design
    from spatial.models.result import ModelSpec

    design = build_design(panel, weights, y=options.y, x=list(options.x),
                          wx=None if options.wx is None else list(options.wx),
                          constant=constant and fe == "none", durbin=info.durbin, period=options.period,
                          collinear=options.collinear, n_spatial=n_spatial)
    if fe != "none":
        design = fixed_effects_design(design, fe, lag_model=info.lag, collinear=options.collinear,
                                      n_spatial=n_spatial)
        constant = False
    n = weights.n
    spatial = info.n_spatial > 0
    method = (options.logdet if options.logdet != "auto" else default_method(n)) if spatial else "none"
    cov = options.cov if options.cov != "auto" else ("information" if method == "eigen" else "hessian")
    bandwidth = options.bandwidth
    if cov in ROBUST:
        n_params = design.k + (info.n_spatial + 1 if spatial else 0)
        bandwidth = check_robust(cov, n_units=design.n_units, n_periods=design.n_periods, n_params=n_params,
                                 bandwidth=bandwidth, model=info.name)
    fields = dict(
        model=info.name, y=design.y_name,
        x=tuple(nm for nm in design.names if nm != CONST and not nm.startswith("W*")),
        wx=tuple(design.lagged), constant=constant, fe=fe, period=options.period,
        logdet=method, cov=cov if spatial or cov in ROBUST else "ols", bandwidth=bandwidth,
        bandwidth_given=options.bandwidth is not None, effects=options.effects, inference=options.inference,
        draws=int(options.draws), seed=int(options.seed), allow_islands=options.allow_islands,
        collinear=options.collinear,
        per_unit=bool(design.n_units <= DENSE_LIMIT if options.per_unit is None else options.per_unit),
        lee_yu=bool(options.lee_yu))
    spec = ModelSpec(**{**fields, **(spec_changes or {})})
    design, scales = scale_design(design)
    logdet = interval = None
    if spatial:
        interval = rho_interval(weights, use_eigenvalues=method == "eigen" or n <= DENSE_LIMIT)
        logdet = make_logdet(weights, method, interval, seed=options.seed)
    return Problem(panel=panel, info=info, options=options, design=design, scales=scales, spec=spec,
                   logdet=logdet, interval=interval, method=method)


def names_of(design: Design, spatial: Sequence[str] = ()) -> tuple[str, ...]:
    """The reported parameter names: the design's columns, then the spatial (and other) parameters."""
    return (*design.names, *spatial)
