"""Dynamic spatial panels (``dynamic="tau"|"eta"|"both"``): SAR and SDM with lags of y in time.

The numerics and the Result (short- and long-run effects) are built by
:func:`spatial.models._dynamic_fit.fit_dynamic`, written before the family protocol; this module
registers it (``Family.fit``) and gives it the concentrated-ML search of rho.

Examples
--------
>>> from spatial.models.catalog import model_info
>>> from spatial.models.families import FitOptions, family_for
>>> family_for(model_info("sdm"), FitOptions(dynamic="both", fe="twoway")).name
'dynamic'
"""

from __future__ import annotations

from spatial.models.families import Family, FitOptions

__all__ = ["FAMILY"]


def _check(info, options: FitOptions) -> None:
    """Refuse, before any data are read, what the dynamic family does not do (static-only models,
    one period, random effects, robust covariances, the delta method, Lee-Yu without fixed effects)."""
    from spatial.models._dynamic_fit import check_dynamic_options

    check_dynamic_options(model=info.name, dynamic=options.dynamic, fe=options.fe, period=options.period,
                          random_effects=options.random_effects, lee_yu=options.lee_yu,
                          inference=options.inference, cov=options.cov)


def _fit(panel, w, info, options: FitOptions):
    from spatial.models._dynamic_fit import fit_dynamic

    return fit_dynamic(panel, w, y=options.y, x=list(options.x), model=info.name, fe=options.fe, wx=options.wx,
                       constant=options.constant, logdet=options.logdet, cov=options.cov, effects=options.effects,
                       inference=options.inference, draws=options.draws, seed=options.seed,
                       per_unit=options.per_unit, allow_islands=options.allow_islands, collinear=options.collinear,
                       lee_yu=options.lee_yu, dynamic=options.dynamic, period=options.period,
                       random_effects=options.random_effects)


FAMILY = Family(name="dynamic", check=_check, fit=_fit)
