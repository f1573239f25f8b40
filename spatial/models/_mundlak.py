"""A fixed- versus random-effects test that always answers: Mundlak's regression-based version.

The classic spatial Hausman statistic d' (V_FE - V_RE)^-1 d (:func:`hausman_fe_re`) is undefined
whenever V_FE - V_RE is not positive definite, which happens on real data (Produc, Cigar).
Mundlak (1978) adds the unit means of the time-varying regressors to the random-effects model;
the random-effects assumption (unit effects uncorrelated with the regressors) is that their
coefficients are zero. The Wald test of that restriction (df = number of time-varying
regressors) is defined whenever the augmented model is identified, and in the linear model it
is the regression-based form of the Hausman test (Wooldridge 2010, section 10.7.3). Here the
augmented model is the random-effects SAR or SEM estimated by ML, and the Wald statistic uses
its covariance (the numerical Hessian; not cluster-robust).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from spatial.errors import SpatialPanelError
from spatial.models._design import parse_term
from spatial.models._diagnostics import wald_test
from spatial.models.result import Result, TestResult

__all__ = ["mundlak_test"]

VERSION = "Mundlak (1978) regression-based Hausman test"


def mundlak_test(panel, w: Any, *, y: str, x, model: str = "sar", **options) -> tuple[TestResult, Result]:
    """Wald test that the unit means of the time-varying regressors enter the random-effects model.

    Parameters
    ----------
    panel, w, y, x, model
        As for :func:`spatial.models.fit_random_effects` (``model`` ``"sar"`` or ``"sem"``).
    **options
        Passed to :func:`spatial.models.fit` with ``random_effects=True`` (``logdet``, ``allow_islands``, ...).

    Returns
    -------
    (TestResult, Result)
        The test (chi2, df = number of time-varying regressors; a small p-value rejects random
        effects in favour of fixed effects) and the augmented random-effects fit.

    Raises
    ------
    SpatialPanelError
        When no regressor varies over time within units (there is nothing to test).

    Examples
    --------
    >>> from libpysal.graph import Graph
    >>> from spatial import SpatialPanel, datasets
    >>> from spatial.models import mundlak_test
    >>> states = datasets.load("us48_states")
    >>> panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year", geometry=states)
    >>> w = Graph.build_contiguity(states.set_index("fips"), rook=False).transform("r")
    >>> test, _ = mundlak_test(panel, w, y="log(gsp)", x=["log(pcap)", "log(pc)", "log(emp)", "unemp"])
    >>> test.df, test.p_value < 0.05
    (4.0, True)
    """
    from spatial.models._fit import fit

    x = [x] if isinstance(x, str) else list(x)
    frame = panel.data
    means: dict[str, pd.Series] = {}
    for term in (parse_term(t) for t in x):
        values = pd.Series(term.values(frame), index=frame.index)
        unit_mean = values.groupby(level=0, sort=False).transform("mean")
        if np.allclose(values.to_numpy(), unit_mean.to_numpy(), rtol=1e-12, atol=0.0):
            continue  # constant within units: no within variation, its mean is itself
        means[f"mean[{term.name}]"] = unit_mean
    if not means:
        raise SpatialPanelError("the Mundlak test needs a regressor that varies over time within units; "
                                f"none of {', '.join(x)} does")
    augmented = panel.with_variables(pd.DataFrame(means))
    options.setdefault("draws", 0)
    result = fit(augmented, w, y=y, x=[*x, *means], model=model, random_effects=True, **options)
    names = list(means)
    values = result.params[names].to_numpy()
    cov = result.cov.loc[names, names].to_numpy()
    test = wald_test(f"Hausman, Mundlak version (fixed vs random effects, {model.upper()})", values, cov,
                     note=f"{VERSION}: Wald test that the unit means of {', '.join(names)} are zero in the "
                          f"random-effects {model.upper()} (df {len(names)}, ML Hessian covariance); a small "
                          "p-value favours fixed effects")
    return test, result
