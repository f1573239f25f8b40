"""Random unit effects: :func:`fit_random_effects` (the ``random_effects`` estimator family, see
:mod:`spatial.models.families.random_effects`) and the spatial Hausman test of fixed against random
effects.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from spatial.errors import SpatialPanelError
from spatial.models._design import CONST
from spatial.models.result import Result, TestResult

__all__ = ["fit_random_effects", "hausman_fe_re"]


def fit_random_effects(panel, w, *, y: str, x, model: str = "sar", constant: bool = True, logdet: str = "auto",
                       effects: str = "auto", inference: str = "simulation", draws: int = 1000, seed: int = 12345,
                       per_unit: bool | None = None, allow_islands: bool = False,
                       collinear: str = "error", wx=None, conditional_se: bool = False) -> Result:
    """Random-effects SAR, SEM, SDM or SDEM by maximum likelihood (also ``fit(..., random_effects=True)``).

    The result's parameters are the coefficients (with ``const``; ``W*x`` for the Durbin models,
    ``wx`` choosing them as in :func:`spatial.models.fit`), ``rho`` or ``lambda`` and ``phi`` =
    sigma_mu^2 / sigma2; ``details["theta"]`` = 1 / sqrt(1 + T phi). ``conditional_se=True`` gives the
    coefficients R splm's standard errors, conditional on phi and rho (see
    :mod:`spatial.models.families.random_effects`). The estimation is the ``random_effects`` family. The SDM (xsmle's default
    random-effects model) is the SAR likelihood with W X among the regressors, its effects those of
    a lag model with theta; the SDEM is the SEM likelihood with W X, its effects the coefficients.

    Raises
    ------
    SpatialPanelError
        For SAC or a non-spatial model, or a panel with one period.
    NumericalError
        A singular Hessian.

    Examples
    --------
    >>> from libpysal.graph import Graph
    >>> from spatial import SpatialPanel, datasets
    >>> from spatial.models import fit
    >>> states = datasets.load("us48_states")
    >>> panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year", geometry=states)
    >>> w = Graph.build_contiguity(states.set_index("fips"), rook=False).transform("r")
    >>> re = fit(panel, w, y="log(gsp)", x=["log(pcap)", "log(pc)", "log(emp)", "unemp"], model="sem",
    ...          random_effects=True)
    >>> round(re.lam, 3), round(float(re.params["phi"]), 2)
    (0.539, 7.5)
    """
    from spatial.models import fit

    return fit(panel, w, y=y, x=x, model=model, constant=constant, logdet=logdet, effects=effects,
               inference=inference, draws=draws, seed=seed, per_unit=per_unit, allow_islands=allow_islands,
               collinear=collinear, wx=wx, random_effects=True, conditional_se=conditional_se)


def hausman_fe_re(fixed: Result, random: Result) -> TestResult:
    """Spatial Hausman test of random against fixed unit effects (Elhorst's panel version).

    H = d' (V_FE - V_RE)^-1 d with d the difference of the common slope coefficients and the
    spatial parameter; chi2 with as many degrees of freedom. A rejection favours fixed effects.
    Pass the fixed-effects fit with ``lee_yu=True``: its sigma2 = SSR/(n(T-1)) is consistent, while
    the uncorrected SSR/(nT) understates V_FE. If V_FE - V_RE is not positive definite the
    statistic is reported as undefined (NaN, with a note), never forced through a pseudo-inverse.

    Raises
    ------
    SpatialPanelError
        When the two results do not share a spatial parameter and slopes.
    """
    common = [nm for nm in fixed.params.index if nm in random.params.index and nm != CONST and nm != "phi"]
    if not common or not any(nm in ("rho", "lambda") for nm in common):
        raise SpatialPanelError("the Hausman test compares a fixed- and a random-effects fit of the same model "
                                "(same regressors and spatial parameter)")
    d = fixed.params[common].to_numpy() - random.params[common].to_numpy()
    V = fixed.cov.loc[common, common].to_numpy() - random.cov.loc[common, common].to_numpy()
    V = (V + V.T) / 2
    eigenvalues = np.linalg.eigvalsh(V)
    name = "Hausman (fixed vs random effects)"
    if eigenvalues.min() <= 1e-12 * max(abs(eigenvalues).max(), 1e-300):
        return TestResult(name=name, statistic=float("nan"), df=float(len(d)), p_value=float("nan"),
                          note="undefined: V_FE - V_RE is not positive definite (common in finite samples when "
                               "phi is large and the two estimates nearly coincide)")
    statistic = float(d @ np.linalg.solve(V, d))
    return TestResult(name=name, statistic=statistic, df=float(len(d)), p_value=float(special.chdtrc(len(d), statistic)),
                      note=f"compares {', '.join(common)}; a small p-value favours fixed effects")
