"""GMM/IV (``estimator="gmm"``): spatial 2SLS, het-robust GM, GS2SLS and 2SLS, cross-sections;
within panels (``fe="unit"``) and random-effects panels (EC2SLS; KKP GM and FGLS).

The numerics and the Result are built by :func:`spatial.models._fit_gmm.fit_gmm`, written before the
family protocol; this module registers it (``Family.fit``). Moving it to ``setup``/``estimate``
(an :class:`~spatial.models.families.Estimate` with ``loglik=None``) would let the shared
post-estimation do its standard errors and effects.

Examples
--------
>>> from spatial.models.catalog import model_info
>>> from spatial.models.families import FitOptions, family_for
>>> family_for(model_info("sar"), FitOptions(estimator="gmm")).name
'gmm'
"""

from __future__ import annotations

from spatial.models.families import Family, FitOptions

__all__ = ["FAMILY"]


def _check(info, options: FitOptions) -> None:
    return None  # fit_gmm checks its request (check_gmm_request) before reading the weights


def _fit(panel, w, info, options: FitOptions):
    from spatial.models._fit_gmm import fit_gmm

    return fit_gmm(panel, w, y=options.y, x=list(options.x), model=info.name, wx=options.wx,
                   constant=options.constant, period=options.period, endog=options.endog,
                   instruments=options.instruments, w_lags=options.w_lags, gmm_errors=options.gmm_errors,
                   gmm_moments=options.gmm_moments,
                   cov=options.cov, effects=options.effects, inference=options.inference, draws=options.draws,
                   seed=options.seed, per_unit=options.per_unit, allow_islands=options.allow_islands,
                   collinear=options.collinear, fe=options.fe, random_effects=options.random_effects,
                   lee_yu=options.lee_yu)


FAMILY = Family(name="gmm", check=_check, fit=_fit)
