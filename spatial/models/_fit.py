"""``fit``: one function for every model: validation, then the estimator family from the catalog.

The estimation itself is in :mod:`spatial.models.families` (least squares, concentrated ML, random
effects, GMM, dynamic panels); :func:`fit` checks the options once, looks the model up in
:mod:`spatial.models.catalog` and hands over to the family that ``family_for`` names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from spatial._options import check_option, check_seed
from spatial.choices import Collinear, CovMethod, Estimator, FixedEffects, GmmErrors, GmmMoments, LogdetMethod, ModelName
from spatial.errors import SpatialPanelError
from spatial.hints import hint
from spatial.models._design import check_panel
from spatial.models._dynamic import DynamicLags
from spatial.models._optimize import maximise_1d, maximise_2d
from spatial.models._robust import ROBUST, check_robust
from spatial.models.catalog import model_info
from spatial.models.effects import EffectsInference, EffectsMethod
from spatial.models.families import FitOptions, family_for, run
from spatial.models.families import concentrated_ml, least_squares, random_effects  # noqa: F401
from spatial.models.result import Result

# The three default families load with fit (as the estimator did before them): the first fit does not
# pay their import. GMM and dynamic panels load on first use.

__all__ = ["fit", "ModelName", "FixedEffects", "LogdetMethod", "CovMethod", "Collinear", "Estimator", "GmmErrors"]


def fit(
    panel,
    w: Any,
    *,
    y: str,
    x: Sequence[str],
    model: ModelName = "sar",
    fe: FixedEffects = "none",
    wx: Sequence[str] | None = None,
    constant: bool = True,
    period: Any = None,
    logdet: LogdetMethod = "auto",
    cov: CovMethod = "auto",
    bandwidth: int | None = None,
    effects: EffectsMethod = "auto",
    inference: EffectsInference = "simulation",
    draws: int = 1000,
    seed: int = 12345,
    per_unit: bool | None = None,
    allow_islands: bool = False,
    collinear: Collinear = "error",
    lee_yu: bool | None = None,
    random_effects: bool = False,
    estimator: Estimator = "ml",
    endog: Sequence[str] | None = None,
    instruments: Sequence[str] | None = None,
    w_lags: int = 2,
    gmm_errors: GmmErrors = "het",
    gmm_moments: GmmMoments = "initial",
    dynamic: DynamicLags | None = None,
    conditional_se: bool = False,
) -> Result:
    """Fit a spatial regression by maximum likelihood (OLS and SLX by least squares) or by GMM/IV.

    Parameters
    ----------
    panel
        A :class:`spatial.SpatialPanel`. A cross-section is a panel built with ``time=None``; a
        panel with several periods and ``fe="none"`` is the pooled model.
    w
        The spatial weights (libpysal ``Graph``, or ``W``) keyed by the panel's unit ids, used as
        given: pass ``w.transform("r")`` for the usual row-standardised W. The panel is aligned to
        the weights by id, never by position.
    y, x
        Dependent variable and regressors: column names or ``log(column)``.
    model
        ``"ols"``, ``"slx"`` (y = Xb + WX t), ``"sar"`` (lag), ``"sem"`` (error), ``"sdm"``
        (lag + WX), ``"sdem"`` (error + WX) or ``"sac"`` (lag + error).
    fe
        Fixed effects of a panel: ``"none"`` (pooled when there are several periods), ``"unit"``,
        ``"time"`` or ``"twoway"``, removed by demeaning y, X, W y and W X (Elhorst's convention,
        consistent with Lee and Yu (2010) for a row-standardised W; R splm applies W to the
        demeaned y instead, see :mod:`spatial.models._panel`). The intercept is absorbed; the
        recovered unit and time intercepts are in ``result.fixed_effects``.
    wx
        Regressors whose spatial lag enters Durbin models (default: all of ``x``). ``W*const``
        enters only when W's rows do not all sum to one (otherwise it equals ``const`` and is
        dropped, as in spatialreg; the drop is listed in ``dropped``).
    constant
        Add the intercept ``const``.
    period
        Fit one period of a multi-period panel (a cross-section).
    logdet
        ``"eigen"`` (exact, dense; default up to 2000 units), ``"lu"`` (exact, sparse LU; default
        above) or ``"mc"`` (Barry-Pace Monte Carlo approximation, fastest).
    cov
        ``"information"`` (analytical information matrix with the rho-beta block, dense; default
        with ``eigen``) or ``"hessian"`` (analytical observed Hessian; default otherwise); OLS and
        SLX use s2 (X'X)^-1 with both. Robust sandwiches (see :mod:`spatial.models._robust`):
        ``"robust"`` (heteroskedasticity-robust), ``"cluster"`` (cluster-robust by unit; panels)
        and ``"driscoll_kraay"`` (Driscoll-Kraay: heteroskedasticity, correlation between units and
        serial correlation; panels with more periods than parameters). Tests (Wald, common factor)
        and the effects' standard errors use the chosen covariance.
    bandwidth
        Bartlett-kernel bandwidth (lags) of ``cov="driscoll_kraay"``; default floor(4 (T/100)^(2/9)),
        as Stata ``xtscc`` and linearmodels. It must be below the number of periods.
    effects, inference, draws, seed, per_unit
        Effects method (``"exact"``, ``"lu"``, ``"traces"``; see :mod:`spatial.effects`), their
        standard errors by ``"simulation"`` (``draws`` from the asymptotic distribution with the
        numpy generator seeded by ``seed``, recorded) or ``"delta"``, and per-unit effects
        (default: up to 2000 units).
    allow_islands
        Keep units without neighbours (default: error). Their effects are computed numerically.
    collinear
        ``"error"`` (default) refuses constant or collinear regressors, naming them; ``"drop"``
        drops the later ones of each collinear set and lists them in ``dropped``.
    lee_yu
        Lee and Yu (2010) bias correction of a fixed-effects model, as Elhorst implements it (default
        off). For a dynamic model the Yu, de Jong and Lee (2008) / Lee and Yu (2010) correction,
        default on with fixed effects.
    random_effects
        Random unit effects (SAR, SEM, SDM, SDEM; Elhorst's ML with phi = sigma_mu^2 / sigma2), see
        :func:`spatial.models.fit_random_effects`.
    conditional_se
        With ``random_effects``: the coefficients' standard errors conditional on phi and rho
        (lambda), sigma2 (X' Omega^-1 X)^-1, as R splm reports them, instead of the inverse of the
        full information (which accounts for the estimation of phi and rho; default). The spatial
        parameter and phi keep their standard errors; effects inference uses the chosen covariance.
    estimator
        ``"ml"`` (default: maximum likelihood; least squares for OLS and SLX) or ``"gmm"``: spatial
        two-stage least squares for SAR and SDM (instruments W X, W^2 X, ... and the external
        ``instruments``), het-robust GM for the spatial error of SEM and SDEM (Arraiz et al. 2010),
        GS2SLS for SAC, and 2SLS for OLS/SLX with endogenous regressors, for a cross-section (one
        period); with ``fe="unit"`` the within GM of R splm's ``spgm`` (Kapoor-Kelejian-Prucha
        moments for SEM/SDEM, within spatial 2SLS for SAR/SDM, both for SAC); with
        ``random_effects=True`` as ``spgm(model="random")``: Baltagi's EC2SLS for SAR/SDM, the KKP
        random-effects GM (``gmm_moments``) and feasible GLS (2SLS with endogenous regressors) for
        SEM/SDEM, and for SAC that GM then spatial 2SLS on the GLS-transformed data. The result has no log-likelihood (``loglik``, AIC, BIC are None); it carries the
        first-stage F and partial R2 of each endogenous variable and, for 2SLS, the
        Anselin-Kelejian test. ``cov="robust"`` gives White standard errors for 2SLS. See
        :mod:`spatial.models._fit_gmm`.
    endog, instruments
        GMM: endogenous regressors (not in ``x``) and their external instruments (at least one per
        endogenous variable; lagged by W in lag models as the exogenous regressors are).
    w_lags
        GMM lag models: powers of W applied to [X, instruments] to instrument W y (default 2).
    gmm_errors
        GMM error models: the moment conditions; ``"het"`` (heteroskedasticity-robust, Arraiz et al.).
    gmm_moments
        GMM random-effects panels with a spatial error (sem, sdem, sac): splm's ``moments``; ``"initial"``
        (the three within moments, then sigma_1^2), ``"weights"`` or ``"fullweights"`` (all six
        Kapoor-Kelejian-Prucha moments, weighted at the initial variances; fullweights also by the
        traces of W).
    dynamic
        A dynamic SAR or SDM with the first period as initial condition (T - 1 periods estimated):
        ``"tau"`` adds y(t-1), ``"eta"`` W y(t-1), ``"both"`` both (xsmle ``dlag(1|2|3)``). Needs at
        least 3 consecutive periods. ``effects`` are then the short-run effects and
        ``long_run_effects`` the long-run ones; see :mod:`spatial.models._dynamic`.

    Returns
    -------
    Result
        Frozen: ``params``, ``std_errors``, ``zstats``, ``pvalues``, ``cov``, ``loglik``, ``aic``,
        ``bic``, ``effects``, ``tests``, ``dropped``, ``converged``, ``at_boundary``, ...

    Raises
    ------
    IdMismatchError
        When the panel's and the weights' ids differ.
    WeightsError
        Invalid weights; islands unless ``allow_islands``.
    IdentificationError
        Collinear or constant regressors, regressors absorbed by the fixed effects (named), too
        few observations.
    SchemaError
        Unknown variables, log of non-positive values, an unknown period.
    NumericalError
        A singular I - rho W or information matrix.

    Warns
    -----
    ConvergenceWarning
        The optimiser did not converge (``converged`` is False).
    BoundaryWarning
        A spatial parameter on the bound of its interval (``at_boundary`` is True).

    Examples
    --------
    >>> from libpysal.graph import Graph
    >>> from spatial import SpatialPanel, datasets
    >>> from spatial.models import fit
    >>> states = datasets.load("us48_states")
    >>> panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year", geometry=states)
    >>> w = Graph.build_contiguity(states.set_index("fips"), rook=False).transform("r")
    >>> result = fit(panel, w, y="log(gsp)", x=["log(pcap)", "log(pc)", "log(emp)", "unemp"],
    ...              model="sdm", period=1986, draws=200, seed=1)
    >>> round(result.rho, 4), result.converged
    (0.3032, True)
    >>> round(float(result.effects.direct["log(emp)"]), 4)
    0.7348
    """
    check_option("model", model, ModelName)
    check_option("estimator", estimator, Estimator)
    if estimator != "gmm" and (endog or instruments):
        raise SpatialPanelError("endog and instruments need estimator='gmm' (instrumental variables); maximum "
                                "likelihood treats every regressor as exogenous")
    check_option("fe", fe, FixedEffects)
    check_option("logdet", logdet, LogdetMethod)
    if estimator != "gmm":  # GMM has its own covariances (checked there)
        check_option("cov", cov, CovMethod)
    check_option("effects", effects, EffectsMethod)
    check_option("inference", inference, EffectsInference)
    check_option("collinear", collinear, Collinear)
    if dynamic is not None:
        check_option("dynamic", dynamic, DynamicLags)
    check_panel(panel)
    info = model_info(model)
    if isinstance(x, str):
        x = [x]
    if not any(str(name).strip() for name in x):
        raise SpatialPanelError("x names no regressor; a spatial regression needs at least one explanatory variable")
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 0:
        raise SpatialPanelError(f"draws must be a non-negative integer, got {draws!r}")
    check_seed(seed)
    if wx is not None and not info.durbin:
        raise SpatialPanelError(f"wx applies to the Durbin models (slx, sdm, sdem), not to {model!r}")
    if conditional_se and not random_effects:
        raise SpatialPanelError("conditional_se applies to random-effects fits (the coefficients' standard errors "
                                f"given phi and rho, as R splm); add {hint('random_effects', True)} or leave it out")
    if estimator == "gmm":
        check_option("gmm_errors", gmm_errors, GmmErrors)
        check_option("gmm_moments", gmm_moments, GmmMoments)
        if bandwidth is not None:
            raise SpatialPanelError(f"bandwidth={bandwidth!r} sets the Driscoll-Kraay kernel of the maximum "
                                    "likelihood and least-squares estimators; estimator='gmm' has no such covariance: "
                                    "leave bandwidth out")
        if dynamic is not None:
            raise SpatialPanelError(f"estimator='gmm' with dynamic={dynamic!r} is not available: GMM covers "
                                    "cross-sections; use the maximum likelihood estimator for dynamic panels")
    else:
        if cov in ROBUST and dynamic is not None:
            raise SpatialPanelError(f"cov={cov!r} is not available for dynamic models (dynamic={dynamic!r}) yet; use "
                                    f"{hint('cov', 'hessian')}, or a static model with cov={cov!r}")
        if cov in ROBUST and random_effects:
            raise SpatialPanelError(f"cov={cov!r} is not available for random-effects models (random_effects=True): "
                                    "their scores are per unit, not per observation; use fixed effects "
                                    f"({hint('fe', 'unit')}) with cov={cov!r}, or {hint('cov', 'hessian')}")
        if cov in ROBUST and lee_yu:
            raise SpatialPanelError(f"cov={cov!r} with lee_yu=True is not available: the scores are zero at the ML "
                                    "estimates, not at the Lee-Yu corrected ones; fit without the correction, or use "
                                    f"{hint('cov', 'hessian')}")
        if cov not in ROBUST and bandwidth is not None:
            check_robust(cov, n_units=0, n_periods=0, n_params=0, bandwidth=bandwidth, model=model)
        if fe != "none" and period is not None and not random_effects and dynamic is None:
            raise SpatialPanelError(f"period={period!r} fits one cross-section, where fe={fe!r} has nothing to "
                                    "remove; drop one of them")
    options = FitOptions(
        y=y, x=tuple(x), model=model, fe=fe, wx=None if wx is None else tuple(wx), constant=constant, period=period,
        logdet=logdet, cov=cov, bandwidth=bandwidth, effects=effects, inference=inference, draws=int(draws),
        seed=int(seed), per_unit=per_unit, allow_islands=allow_islands, collinear=collinear, lee_yu=lee_yu,
        random_effects=bool(random_effects), conditional_se=bool(conditional_se), estimator=estimator,
        endog=endog, instruments=instruments, w_lags=w_lags, gmm_errors=gmm_errors,
        gmm_moments=gmm_moments, dynamic=dynamic)
    family_for(info, options).check(info, options)  # before the weights are read: option conflicts first
    # the optimisers are passed from here (read at call time): the one place a caller or test replaces them
    return run(panel, w, info, options, optimisers=(maximise_1d, maximise_2d))
