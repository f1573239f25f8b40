"""Model selection for spatial panels: the usual procedure in one table (Elhorst 2010, 2014).

1. Non-spatial models (pooled OLS, unit, time and two-way fixed effects) and LR tests of the
   fixed effects: unit effects jointly (two-way against time only, df n - 1) and time effects
   jointly (two-way against unit only, df T - 1), on the log-likelihoods of the demeaned
   regressions (Elhorst's convention, sigma2 = SSR/NT). Both significant: two-way effects.
2. Classic and robust LM-lag and LM-error on the chosen non-spatial fixed-effects model.
3. The SDM with those effects; Wald and LR tests of its simplification to the SAR
   (theta = 0) and to the SEM (theta + rho beta = 0).
4. Decision (Elhorst 2010): both hypotheses rejected -> SDM. If the SAR hypothesis is not rejected
   and the robust LM tests point to the lag model -> SAR; likewise for the SEM. Otherwise the
   SDM, which nests both.
5. Fixed against random effects: the spatial Hausman test on the SAR (or SEM) with unit effects
   (the fixed-effects fit with the Lee-Yu correction, whose sigma2 = SSR/(n(T-1)) is consistent;
   the uncorrected SSR/(nT) understates V_FE by (T-1)/T and makes V_FE - V_RE indefinite).

6. Beside the tests: the Bayesian comparison (LeSage 2014) of OLS, SLX, SAR, SDM, SEM and SDEM with
   the fixed effects of step 1, its log-marginal likelihoods and posterior model probabilities
   (:func:`spatial.models.compare_bayes`). It is shown next to the procedure, not used by it.

The recommendation says what the tests favour and why; the user can still fit any model.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from spatial.errors import NumericalError, SpatialPanelError, SpatialWarning
from spatial.models._diagnostics import lr_test
from spatial.models.catalog import MODELS
from spatial.models.result import Result, TestResult
from spatial.progress import progress

__all__ = ["select", "Selection"]

_COLUMNS = ["step", "model", "test", "statistic", "df", "p_value", "decision"]


@dataclass(frozen=True)
class Selection:
    """The outcome of :func:`select`: the table of tests, the recommended model and why."""

    table: pd.DataFrame
    model: str
    fe: str
    random_effects: bool
    reasons: tuple[str, ...]
    results: dict[str, Result] = field(repr=False)
    alpha: float = 0.05
    bayes: Any = None  # the BayesComparison of step 6 (None when not asked for)

    @property
    def recommendation(self) -> str:
        """One line: e.g. ``"SDM with two-way fixed effects"``."""
        effects = "random unit effects" if self.random_effects else {
            "none": "no fixed effects (pooled)", "unit": "unit fixed effects", "time": "time fixed effects",
            "twoway": "two-way (unit and time) fixed effects"}[self.fe]
        return f"{self.model.upper()} with {effects}"

    def summary(self) -> str:
        """The table as text, then the recommendation and the reasons."""
        frame = self.table.copy()
        frame["statistic"] = frame["statistic"].map(lambda v: "" if v is None or not math.isfinite(v) else f"{v:.4f}")
        frame["df"] = frame["df"].map(lambda v: "" if v is None or not math.isfinite(v) else f"{v:g}")
        frame["p_value"] = frame["p_value"].map(
            lambda v: "" if v is None or not math.isfinite(v) else ("<0.0001" if v < 1e-4 else f"{v:.4f}"))
        widths = {c: max(len(c), *(len(str(v)) for v in frame[c])) for c in frame.columns}
        lines = ["Model selection (spatial panel)", "  ".join(f"{c:<{widths[c]}}" for c in frame.columns)]
        lines.append("-" * len(lines[-1]))
        for row in frame.itertuples(index=False):
            lines.append("  ".join(f"{str(v):<{widths[c]}}" for v, c in zip(row, frame.columns, strict=True)))
        lines += ["", f"Recommended: {self.recommendation}"] + [f"  - {r}" for r in self.reasons]
        lines.append(f"  (tests at the {self.alpha:g} level; any model can still be fitted with spatial.models.fit)")
        if self.bayes is not None:
            lines += ["", self.bayes.summary()]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """Machine-readable form (JSON)."""
        rows = self.table.astype(object).where(self.table.notna(), None).to_dict(orient="records")
        for row in rows:
            for key in ("statistic", "df", "p_value"):
                if isinstance(row[key], float) and not math.isfinite(row[key]):
                    row[key] = None
        return {"recommendation": self.recommendation, "model": self.model, "fe": self.fe,
                "random_effects": self.random_effects, "reasons": list(self.reasons), "alpha": self.alpha,
                "table": rows, "bayesian": None if self.bayes is None else self.bayes.to_dict()}


def _row(step: str, model: str, test: TestResult | None, decision: str, name: str | None = None) -> dict:
    if test is None:
        return {"step": step, "model": model, "test": name or "", "statistic": float("nan"), "df": float("nan"),
                "p_value": float("nan"), "decision": decision}
    return {"step": step, "model": model, "test": name or test.name, "statistic": test.statistic,
            "df": test.df if test.df is not None else float("nan"), "p_value": test.p_value, "decision": decision}


def _significant(test: TestResult, alpha: float) -> bool:
    return math.isfinite(test.p_value) and test.p_value < alpha


def select(panel, w: Any, *, y: str, x: Sequence[str], alpha: float = 0.05, random_effects: bool = True,
           draws: int = 0, seed: int = 12345, lee_yu: bool = False, bayes: bool = True,
           priors: Mapping[str, float] | None = None, **options) -> Selection:
    """Run the usual specification search for a spatial panel and recommend a model.

    Parameters
    ----------
    panel, w, y, x
        As for :func:`spatial.models.fit` (a balanced panel with at least 2 periods).
    alpha
        Significance level of every decision.
    random_effects
        Also fit random-effects models and run the Hausman test (step 5).
    draws, seed
        Effects simulation of the SDM kept in ``results`` (0: delta method only).
    lee_yu
        Fit the spatial models of step 3 with the Lee-Yu bias correction (when fixed effects are
        chosen), so that their Wald, common-factor and LR tests are those of a
        ``fit(..., lee_yu=True)`` of the same model: one source of truth. The table says which
        estimates each test uses.
    bayes, priors
        Also compute the Bayesian comparison (step 6) with the fixed effects of step 1, and the
        prior model probabilities it uses (one per model of ols, slx, sar, sdm, sem, sdem,
        summing to 1; default equal).
    **options
        Passed to :func:`spatial.models.fit` (``logdet``, ``allow_islands``, ``wx``, ...).

    Returns
    -------
    Selection
        ``table`` (step, model, test, statistic, df, p_value, decision), ``recommendation``,
        ``reasons``, ``results`` (every fitted model by name), ``bayes`` (the
        :class:`~spatial.models.BayesComparison`, or None) and ``summary()``.

    Raises
    ------
    SpatialPanelError
        A panel with fewer than 2 periods, priors that are negative, do not sum to 1 or do not
        name the six models, or anything :func:`spatial.models.fit` refuses.

    Examples
    --------
    >>> from libpysal.graph import Graph
    >>> from spatial import SpatialPanel, datasets
    >>> from spatial.models import select
    >>> states = datasets.load("us48_states")
    >>> panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year", geometry=states)
    >>> w = Graph.build_contiguity(states.set_index("fips"), rook=False).transform("r")
    >>> choice = select(panel, w, y="log(gsp)", x=["log(pcap)", "log(pc)", "log(emp)", "unemp"])
    >>> choice.recommendation
    'SDM with two-way (unit and time) fixed effects'
    """
    from spatial.models._fit import fit
    from spatial.models._mundlak import mundlak_test
    from spatial.models._random_effects import hausman_fe_re

    if not 0 < alpha < 1:
        raise SpatialPanelError(f"alpha must be between 0 and 1, got {alpha!r}")
    if getattr(panel, "n_periods", 1) < 2:
        raise SpatialPanelError("model selection for panels needs at least 2 periods; for a cross-section fit "
                                "OLS and compare the LM tests in its result")
    x = [x] if isinstance(x, str) else list(x)
    if bayes:
        from spatial.models._bayes import BAYES_MODELS, check_priors

        check_priors(BAYES_MODELS, priors)  # refused before any fit
    elif priors is not None:
        raise SpatialPanelError("priors are the prior model probabilities of the Bayesian comparison; "
                                "they need bayes=True")
    common = dict(y=y, x=x, **options)
    rows: list[dict] = []
    reasons: list[str] = []
    results: dict[str, Result] = {}
    with progress("model search: OLS fixed effects", 4) as advance:
        for fe in ("none", "unit", "time", "twoway"):
            results[f"ols_{fe}"] = fit(panel, w, model="ols", fe=fe, **common)
            advance(1)
    ll = {fe: results[f"ols_{fe}"].loglik for fe in ("none", "unit", "time", "twoway")}
    n, T = panel.n_units, panel.n_periods
    lr_unit = lr_test("LR unit fixed effects jointly = 0", ll["twoway"], ll["time"], n - 1)
    lr_time = lr_test("LR time fixed effects jointly = 0", ll["twoway"], ll["unit"], T - 1)
    unit_sig, time_sig = _significant(lr_unit, alpha), _significant(lr_time, alpha)
    rows.append(_row("1 fixed effects", "OLS two-way vs time FE", lr_unit,
                     "unit effects needed" if unit_sig else "unit effects not significant"))
    rows.append(_row("1 fixed effects", "OLS two-way vs unit FE", lr_time,
                     "time effects needed" if time_sig else "time effects not significant"))
    fe = {(True, True): "twoway", (True, False): "unit", (False, True): "time", (False, False): "none"}[
        (unit_sig, time_sig)]
    reasons.append(f"fixed effects: {fe} (LR unit effects p = {lr_unit.p_value:.3g}, "
                   f"time effects p = {lr_time.p_value:.3g})")
    base = results[f"ols_{fe}"]
    lm = {key: base.tests[key] for key in ("lm_lag", "lm_error", "robust_lm_lag", "robust_lm_error")}
    for test in lm.values():
        rows.append(_row("2 LM tests", f"OLS {fe} FE", test, "reject no spatial dependence"
                         if _significant(test, alpha) else "not significant"))
    lag_robust, err_robust = _significant(lm["robust_lm_lag"], alpha), _significant(lm["robust_lm_error"], alpha)
    if not any(_significant(t, alpha) for t in lm.values()):
        reasons.append("no LM test rejects the non-spatial model; the spatial models below are shown for "
                       "completeness")
    corrected = bool(lee_yu) and fe != "none"
    if lee_yu and not corrected:
        reasons.append("lee_yu: no fixed effects were chosen, so the step-3 models are uncorrected ML estimates")
    with progress("model search: SDM, SAR, SEM", 3) as advance:
        for model in ("sdm", "sar", "sem"):
            kwargs = {"draws": draws, "seed": seed} if model == "sdm" else {"draws": 0}
            results[f"{model}_{fe}"] = fit(panel, w, model=model, fe=fe, lee_yu=corrected, **common, **kwargs)
            advance(1)
    sdm, sar, sem = results[f"sdm_{fe}"], results[f"sar_{fe}"], results[f"sem_{fe}"]
    estimates = "Lee-Yu bias-corrected" if corrected else "ML"
    k_theta = sum(1 for name in sdm.params.index if name.startswith("W*"))
    wald_sar, wald_sem = sdm.tests.get("wald_theta"), sdm.tests.get("common_factor")
    lr_sar = lr_test("LR SDM vs SAR (theta = 0)", sdm.loglik, sar.loglik, k_theta)
    lr_sem = lr_test("LR SDM vs SEM (theta = -rho beta)", sdm.loglik, sem.loglik, k_theta)
    for test, label in ((wald_sar, "SAR"), (lr_sar, "SAR"), (wald_sem, "SEM"), (lr_sem, "SEM")):
        if test is not None:
            rows.append(_row("3 SDM simplification", f"SDM {fe} FE ({estimates} estimates)", test,
                             f"reject {label}" if _significant(test, alpha) else f"{label} not rejected"))
    reject_sar = all(_significant(t, alpha) for t in (wald_sar, lr_sar) if t is not None)
    reject_sem = all(_significant(t, alpha) for t in (wald_sem, lr_sem) if t is not None)
    if reject_sar and reject_sem:
        model = "sdm"
        reasons.append("the Wald and LR tests reject both the SAR (theta = 0) and the SEM (common factor) "
                       "simplifications of the SDM")
    elif not reject_sar and lag_robust and not err_robust:
        model = "sar"
        reasons.append("theta = 0 is not rejected and the robust LM tests point to a spatial lag")
    elif not reject_sem and err_robust and not lag_robust:
        model = "sem"
        reasons.append("the common-factor restriction is not rejected and the robust LM tests point to "
                       "spatial error")
    else:
        model = "sdm"
        reasons.append("the simplification tests and the robust LM tests do not point to the same simpler "
                       "model, so the SDM, which nests both, is kept (Elhorst 2010)")
    use_random = False
    if random_effects:
        re_model = "sem" if MODELS[model].error else "sar"  # the random-effects check of the chosen form
        try:
            fixed = fit(panel, w, model=re_model, fe="unit", lee_yu=True, **common, draws=0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SpatialWarning)
                random = fit(panel, w, model=re_model, random_effects=True, **common, draws=0)
        except (NumericalError, SpatialPanelError) as exc:
            rows.append(_row("4 fixed vs random", f"{re_model.upper()} unit FE vs RE", None,
                             f"not available: {exc}", name="Hausman"))
        else:
            results[f"{re_model}_unit_lee_yu"], results[f"{re_model}_random"] = fixed, random
            hausman = hausman_fe_re(fixed, random)
            classic_defined = math.isfinite(hausman.p_value)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", SpatialWarning)
                    mundlak, augmented = mundlak_test(panel, w, model=re_model, **common)
                results[f"{re_model}_random_mundlak"] = augmented
            except (NumericalError, SpatialPanelError) as exc:
                mundlak = None
                rows.append(_row("4 fixed vs random", f"{re_model.upper()} RE + unit means", None,
                                 f"not available: {exc}", name="Hausman, Mundlak version"))
            decided_by = hausman if classic_defined or mundlak is None else mundlak
            if not math.isfinite(decided_by.p_value):
                decision = "undefined (V_FE - V_RE not positive definite): keep fixed effects"
            elif _significant(decided_by, alpha):
                decision = "reject random effects: fixed effects"
            else:
                decision = "random effects not rejected"
                use_random = fe in ("unit", "none") and not MODELS[model].durbin
            used = "classic" if decided_by is hausman else "Mundlak (regression-based), the classic one being undefined"
            rows.append(_row("4 fixed vs random", f"{re_model.upper()} unit FE vs RE", hausman,
                             decision if decided_by is hausman else "undefined (V_FE - V_RE not positive definite)"))
            if mundlak is not None:
                rows.append(_row("4 fixed vs random", f"{re_model.upper()} RE + unit means", mundlak,
                                 decision if decided_by is mundlak else
                                 ("reject random effects" if _significant(mundlak, alpha) else
                                  "random effects not rejected") + " (the classic test decides)"))
            reasons.append(f"Hausman test on the {re_model.upper()} ({used}): {decision}")
    comparison = None
    if bayes:
        from spatial.models._bayes import compare_bayes

        logdet = options.get("logdet", "auto")
        comparison = compare_bayes(panel, w, y=y, x=x, fe=fe, priors=priors, wx=options.get("wx"),
                                   logdet=logdet if logdet in ("eigen", "lu") else "auto",
                                   allow_islands=options.get("allow_islands", False),
                                   collinear=options.get("collinear", "error"))
        best = comparison.best
        reasons.append(f"Bayesian comparison ({fe} fixed effects; shown beside the tests, not used by them): "
                       f"{best.upper()} is the most probable model (posterior probability "
                       f"{float(comparison.probabilities[best]):.3g})")
    table = pd.DataFrame(rows, columns=_COLUMNS)
    return Selection(table=table, model=model, fe="none" if use_random else fe, random_effects=use_random,
                     reasons=tuple(reasons), results=results, alpha=alpha, bayes=comparison)
