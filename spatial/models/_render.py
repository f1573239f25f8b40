"""Rendering of one result as text, HTML (every user-derived string escaped) or LaTeX."""

from __future__ import annotations

import math

from maps.shared import safe_text

__all__ = ["render_summary", "latex_escape"]

_LATEX = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
          "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}"}


def latex_escape(text: object) -> str:
    r"""Text safe inside a LaTeX table.

    Examples
    --------
    >>> latex_escape("W*log(gdp)_pc & 5%")
    'W*log(gdp)\\_pc \\& 5\\%'
    """
    return "".join(_LATEX.get(ch, ch) for ch in str(text))


def _f(value, digits: int = 4) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
        return f"{value:.{digits}e}"
    return f"{value:.{digits}f}"


def _p(value) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return "<0.0001" if value < 1e-4 else f"{value:.4f}"


def _header(result) -> list[tuple[str, str]]:
    from spatial.models.catalog import MODELS

    spec = result.spec
    shape = f"{result.n_units} units" + (f" x {result.n_periods} periods" if result.n_periods > 1 else "")
    if spec.period is not None:
        shape += f", period {spec.period}"
    weights = result.details.get("weights", {})
    w_text = f"{weights.get('n', '?')} units, {weights.get('links', '?')} links"
    if weights.get("row_stochastic"):
        w_text += ", rows sum to 1"
    if weights.get("islands"):
        w_text += f", {len(weights['islands'])} islands"
    rows = [
        ("Model", MODELS[result.model].label_en + _method_label(result)),
        ("Dependent variable", spec.y),
        ("Observations", f"{result.nobs} ({shape})"),
        ("Fixed effects", _effects_label(spec)),
        ("Weights", w_text),
        ("Log-likelihood", _f(result.loglik)),
        ("AIC / BIC", f"{_f(result.aic, 3)} / {_f(result.bic, 3)} (p = {result.n_params}, sigma2 counted)"
         if result.loglik is not None else "n/a (no likelihood)"),
        ("sigma2" if getattr(result.spec, "estimator", "ml") == "gmm" else "sigma2 (ML)", _f(result.sigma2)),
        ("R2 / pseudo R2", f"{_f(result.r2)} / {_f(result.pseudo_r2)}"),
    ]
    if result.rho_bounds is not None:
        rows.append(("Admissible interval", f"({_f(result.rho_bounds[0])}, {_f(result.rho_bounds[1])}) "
                     f"from {result.details.get('interval_source', '')}"))
    if getattr(result.spec, "estimator", "ml") == "gmm":
        rows.append(("Covariance", str(result.details.get("cov"))))
    elif MODELS[result.model].family != "least_squares":
        rows.append(("Log-determinant / covariance", f"{result.details.get('logdet')} / {result.details.get('cov')}"))
    if result.spec.cov in ("robust", "cluster", "driscoll_kraay"):
        rows.append(("Covariance", result.details.get("cov_label", result.spec.cov)))
    if not result.converged:
        rows.append(("WARNING", "the optimiser did not converge: " + str(result.details.get("optimizer", ""))))
    if result.at_boundary:
        rows.append(("WARNING", "a spatial parameter is on the boundary of its interval: standard errors unreliable"))
    if result.effects_undefined:
        rows.append(("WARNING", f"effects {result.effects_undefined}"))
    rows += _dynamic_rows(result)
    return rows


def _method_label(result) -> str:
    from spatial.models.catalog import MODELS

    spec = result.spec
    if getattr(spec, "estimator", "ml") == "gmm":
        info = MODELS[result.model]
        moments = {"het": "het-robust GM (Arraiz et al. 2010)", "hom": "GM (Drukker et al. 2013)",
                   "kp98": "GM (Kelejian-Prucha 1998/99)"}.get(spec.gmm_errors or "", "")
        if getattr(spec, "random_effects", False):
            gm = f"random-effects GM (Kapoor-Kelejian-Prucha, moments {spec.gmm_moments or 'initial'})"
            how = (f"{gm} and GLS spatial 2SLS" if info.error and info.lag else f"{gm} and feasible GLS" if info.error
                   else "EC2SLS, random unit effects")
        elif spec.fe == "unit":
            how = ("within GM (Kapoor-Kelejian-Prucha) and spatial 2SLS" if info.lag and info.error else
                   "within spatial 2SLS" if info.lag else "within GM (Kapoor-Kelejian-Prucha)")
        else:
            how = (f"GS2SLS with {moments} for lambda" if info.lag and info.error else moments if info.error else
                   "spatial 2SLS" if info.lag else "2SLS")
        extra = f"; endogenous: {', '.join(spec.endog)}; instruments: {', '.join(spec.instruments)}" if spec.endog else ""
        return f" by GMM/IV ({how}{extra})"
    return " by least squares" if MODELS[result.model].family == "least_squares" else " by maximum likelihood"


_DYNAMIC_TERMS = {"tau": "tau y(t-1)", "eta": "eta W y(t-1)", "both": "tau y(t-1) + eta W y(t-1)"}


def _dynamic_rows(result) -> list[tuple[str, str]]:
    """A dynamic model: its lags, the initial period, the bias correction and the stability condition."""
    spec = result.spec
    if not getattr(spec, "dynamic", None):
        return []
    d = result.details
    rows = [("Dynamics", f"{_DYNAMIC_TERMS[spec.dynamic]}; first period {d.get('first_period')} is the initial "
                         f"condition, {result.n_periods} of {d.get('panel_periods')} periods estimated"),
            ("Bias correction", str(d.get("bias_correction", ""))),
            ("Stability", f"largest |eigenvalue| of (I - rho W)^-1 (tau I + eta W) = {_f(d.get('stability'))} "
                          f"({'stationary' if (d.get('stability') or 2) < 1 else 'NOT stationary'})")]
    if d.get("long_run_effects"):
        rows.append(("WARNING", str(d["long_run_effects"])))
    return rows


def _effects_blocks(result) -> list[tuple[str, object]]:
    """(title, Effects) blocks: one for a static model, short- and long-run for a dynamic one."""
    if result.effects is None:
        return []
    if not getattr(result.spec, "dynamic", None):
        return [("", result.effects)]
    blocks = [("Short-run effects", result.effects)]
    if result.long_run_effects is not None:
        blocks.append(("Long-run effects", result.long_run_effects))
    return blocks


def _effects_label(spec) -> str:
    if getattr(spec, "random_effects", False):
        if getattr(spec, "estimator", "ml") == "gmm":
            return "random unit effects (sigma_v^2, and sigma_1^2 = T sigma_mu^2 + sigma_v^2)"
        return "random unit effects (phi = sigma_mu^2 / sigma2)"
    label = {"none": "none", "unit": "unit", "time": "time", "twoway": "unit and time (two-way)"}.get(spec.fe, spec.fe)
    return label + (", Lee-Yu bias correction" if getattr(spec, "lee_yu", False) else "")


def _coef_rows(result) -> list[tuple[str, str, str, str, str, str]]:
    from spatial.models.result import stars

    rows = []
    for name in result.params.index:
        p = result.pvalues[name]
        rows.append((name, _f(result.params[name]), _f(result.std_errors[name]), _f(result.zstats[name], 3),
                     _p(p), stars(p)))
    return rows


def _notes(result) -> list[str]:
    notes = []
    for row in result.dropped.itertuples(index=False):
        who = f"{row.id}: " if row.id is not None else ""
        notes.append(f"{who}{row.what} - {row.reason}")
    return notes


def render_summary(result, fmt: str) -> str:
    if fmt == "html":
        return _html(result)
    if fmt == "latex":
        return _latex(result)
    return _text(result)


def _text(result) -> str:
    header = _header(result)
    width = max(len(k) for k, _ in header)
    lines = [f"{k:<{width}}  {v}" for k, v in header]
    rows = _coef_rows(result)
    name_w = max([len(r[0]) for r in rows] + [10])
    stat = "t" if result.dist == "t" else "z"
    rule = "-" * (name_w + 52)
    lines += [rule, f"{'':<{name_w}} {'estimate':>12} {'std.err':>12} {stat:>9} {'p':>10}", rule]
    for name, est, se, z, p, star in rows:
        lines.append(f"{name:<{name_w}} {est:>12} {se:>12} {z:>9} {p:>10} {star}")
    lines += [rule, "Significance: *** p<0.01, ** p<0.05, * p<0.1"]
    if result.tests:
        lines += ["", "Tests", *_test_lines(result.tests)]
    if result.diagnostics:
        lines += ["", "Regression diagnostics", *_test_lines(result.diagnostics)]
        lines += [f"  {row}" for row in _collinearity(result)]
    for title, effects in _effects_blocks(result):
        lines += ["", *([title] if title else []), effects.summary()]
    notes = _notes(result)
    if notes:
        lines += ["", "Notes"] + [f"  {n}" for n in notes]
    return "\n".join(lines)


def _test_lines(tests: dict) -> list[str]:
    width = max(len(t.name) for t in tests.values())
    lines = []
    for test in tests.values():
        df = "" if test.df is None else f"df {test.df:g}"
        lines.append(f"  {test.name:<{width}}  {_f(test.statistic):>12}  {df:<7} p {_p(test.p_value)}"
                     + (f"  ({test.note})" if test.note else ""))
    return lines


def _test_table(tests: dict, opening: str) -> list[str]:
    e = safe_text
    parts = [opening + "<thead><tr><th>test</th><th>statistic</th><th>df</th><th>p</th></tr></thead><tbody>"]
    for t in tests.values():
        df = "" if t.df is None else f"{t.df:g}"
        parts.append(f"<tr><td>{e(t.name)}</td><td>{e(_f(t.statistic))}</td><td>{e(df)}</td>"
                     f"<td>{e(_p(t.p_value))}</td></tr>")
    parts.append("</tbody></table>")
    return parts


def _collinearity(result) -> list[str]:
    rows = []
    if "condition_number" in result.details:
        rows.append(f"Condition number {_f(result.details['condition_number'], 3)} (spreg/Belsley; above 30: "
                    "strong multicollinearity)")
    vif = result.details.get("vif") or {}
    if vif:
        rows.append("VIF " + ", ".join(f"{name} {_f(value, 3)}" for name, value in vif.items()))
    return rows


def _html(result) -> str:
    e = safe_text
    parts = ["<div class='spatial-result'>", "<table class='spatial-header'>"]
    for k, v in _header(result):
        parts.append(f"<tr><th style='text-align:left'>{e(k)}</th><td>{e(v)}</td></tr>")
    parts.append("</table>")
    stat = "t" if result.dist == "t" else "z"
    parts.append("<table class='spatial-coef'><thead><tr><th></th><th>estimate</th><th>std.err</th>"
                 f"<th>{stat}</th><th>p</th><th></th></tr></thead><tbody>")
    for row in _coef_rows(result):
        parts.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>")
    parts.append("</tbody></table><p>Significance: *** p&lt;0.01, ** p&lt;0.05, * p&lt;0.1</p>")
    if result.tests:
        parts += _test_table(result.tests, "<table class='spatial-tests'>")
    if result.diagnostics:
        parts += _test_table(result.diagnostics,
                             "<table class='spatial-diagnostics'><caption>Regression diagnostics</caption>")
        parts.append("<p>" + "<br>".join(e(row) for row in _collinearity(result)) + "</p>")
    for title, eff in _effects_blocks(result):
        parts.append(f"<p>{e(title or 'Effects')} ({e(eff.method)}; standard errors by {e(eff.inference)})</p>")
        parts.append("<table class='spatial-effects'><thead><tr><th></th><th>effect</th><th>estimate</th>"
                     "<th>std.err</th><th>z</th><th>p</th></tr></thead><tbody>")
        for row in eff.to_frame().itertuples(index=False):
            parts.append(f"<tr><td>{e(row.variable)}</td><td>{e(row.effect)}</td><td>{e(_f(row.estimate))}</td>"
                         f"<td>{e(_f(row.std_error))}</td><td>{e(_f(row.z, 3))}</td><td>{e(_p(row.p_value))}</td></tr>")
        parts.append("</tbody></table>")
    notes = _notes(result)
    if notes:
        parts.append("<ul>" + "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul>")
    parts.append("</div>")
    return "\n".join(parts)


def _latex(result) -> str:
    x = latex_escape
    stat = "t" if result.dist == "t" else "z"
    lines = [r"\begin{tabular}{lrrrrl}", r"\hline",
             f" & estimate & std.\\ err. & ${stat}$ & $p$ & \\\\", r"\hline"]
    for name, est, se, z, p, star in _coef_rows(result):
        lines.append(f"{x(name)} & {est} & {se} & {z} & {p} & {x(star)} \\\\")
    lines.append(r"\hline")
    for k, v in _header(result):
        lines.append(f"\\multicolumn{{6}}{{l}}{{{x(k)}: {x(v)}}} \\\\")
    lines += [r"\hline", r"\end{tabular}"]
    return "\n".join(lines)
