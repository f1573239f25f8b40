"""spreg's own GMM/IV results on Columbus and Baltimore: the reference of the cross-section GMM estimators.

Run from the repository root with the project's venv (spreg is installed there):

    .venv/bin/python tests/reference/gmm_spreg/make_fixture.py

Writes ``expected.json`` (one entry per case: spreg's class and arguments, parameter names in our
naming, estimates, the covariance, sigma2, the Anselin-Kelejian test where spreg computes it) and
records the spreg version. Data: ``../columbus_models/columbus.csv`` with
``../columbus_models/columbus_queen.gal`` and ``../ols_diagnostics/baltimore.csv`` with libpysal's
bundled ``baltim_k4.gwt`` (copied here), both row-standardised.

spreg solves the moment conditions of lambda with L-BFGS-B and a numerical gradient inside
(-0.99, 0.99) (``spreg.utils.optim_moments``), whose stopping rule leaves lambda accurate to about
1e-6 only; those estimates are stored as ``spreg_lambda`` and the test compares them at that
tolerance. For the rtol 1e-6 check the script also re-solves spreg's own moment equations (its
``G`` and ``g``, weighted as spreg weights them) to machine precision with the same polynomial in
lambda and stores the GMM estimates spreg's formulas give at that exact minimum: the step that
follows (filtered least squares / GS2SLS and the covariance) is spreg's code, called with that lambda.

First-stage diagnostics (F and partial R^2 of the excluded instruments for each endogenous
variable) are not in spreg; they are computed here from two spreg.OLS fits each (with and without
the excluded instruments): F = ((SSR_r - SSR_u) / q) / (SSR_u / (n - k_u)), partial R^2 =
(SSR_r - SSR_u) / SSR_r.
"""

from __future__ import annotations

import json
from pathlib import Path

import libpysal
import numpy as np
import pandas as pd
import spreg
from spreg import utils as sp_utils

HERE = Path(__file__).resolve().parent
REF = HERE.parent


def load(case: str):
    if case == "columbus":
        data = pd.read_csv(REF / "columbus_models" / "columbus.csv")
        w = libpysal.io.open(str(REF / "columbus_models" / "columbus_queen.gal")).read()
    else:
        data = pd.read_csv(REF / "ols_diagnostics" / "baltimore.csv")
        w = libpysal.io.open(str(HERE / "baltim_k4.gwt")).read()
    w.transform = "r"
    return data, w


def col(data, names):
    return data[names].to_numpy(dtype=float)


def names_of(x, wx, endog, lag, error):
    return ["const", *x, *[f"W*{n}" for n in wx], *endog, *(["rho"] if lag else []), *(["lambda"] if error else [])]


def pack(reg, names, **extra):
    betas = np.asarray(reg.betas, dtype=float).ravel()
    vm = np.asarray(reg.vm, dtype=float)
    out = {"names": names, "estimates": betas.tolist(), "cov": vm.tolist(), "std_errors": np.sqrt(np.diag(vm)).tolist()}
    if hasattr(reg, "sig2"):
        out["sig2"] = float(np.asarray(reg.sig2).ravel()[0])
    ak = getattr(reg, "ak_test", None)
    if ak is not None:
        out["ak_test"] = [float(ak[0]), float(ak[1])]
    if hasattr(reg, "pr2"):
        out["pr2"] = float(reg.pr2)
    multipliers = getattr(reg, "sp_multipliers", None)
    if multipliers and "full" in multipliers:  # average direct, indirect, total of a unit change (dense inverse)
        out["multipliers_full"] = [float(v) for v in multipliers["full"]]
    if hasattr(reg, "pr2_e"):
        out["pr2_e"] = float(reg.pr2_e)
    out.update(extra)
    return out


def first_stage(data, y_endog, x, q_cols):
    """F and partial R^2 of the excluded instruments, from two spreg.OLS fits per endogenous variable."""
    out = {}
    for name, column in y_endog.items():
        unrestricted = spreg.OLS(column, np.column_stack([x, q_cols]))
        restricted = spreg.OLS(column, x)
        ssr_u, ssr_r = float(unrestricted.utu), float(restricted.utu)
        q = q_cols.shape[1]
        n, k_u = unrestricted.n, unrestricted.k
        out[name] = {"f": ((ssr_r - ssr_u) / q) / (ssr_u / (n - k_u)), "df": [q, n - k_u],
                     "partial_r2": (ssr_r - ssr_u) / ssr_r}
    return out


# --------------------------------------------------------------------------------------------------------
# exact minimisation of spreg's moment conditions


def exact_optim_moments(moments_in, vcX=np.array([0]), all_par=False, start=None, hard_bound=False):
    """Drop-in for spreg.utils.optim_moments solving the same problem to machine precision."""
    if np.asarray(moments_in[0]).shape[0] == 3:
        return exact_lambda_kp98(moments_in)
    return exact_lambda(moments_in, vcX if np.asarray(vcX).any() else None)


def exact_lambda(moments, vcX=None):
    """argmin over (-0.99, 0.99) of |E(g - G [l, l^2]')|^2 with spreg's weighting E = chol(inv(vcX))'."""
    G, g = (np.asarray(m, dtype=float) for m in moments)
    if vcX is not None:
        E = np.linalg.cholesky(np.linalg.inv(vcX)).T
        G, g = E @ G, E @ g
    g = g.ravel()
    # f(l) = sum_i (g_i - G_i1 l - G_i2 l^2)^2: a quartic; its stationary points solve a cubic
    a, b, c = g, -G[:, 0], -G[:, 1]
    poly = np.zeros(5)  # coefficients in l^0..l^4
    for i in range(len(g)):
        p = np.array([a[i], b[i], c[i]])
        poly += np.convolve(p, p)
    deriv = np.polynomial.polynomial.polyder(poly)
    roots = np.polynomial.polynomial.polyroots(deriv)
    cands = [r.real for r in roots if abs(r.imag) < 1e-9 and -0.99 < r.real < 0.99] + [-0.99, 0.99]
    values = [np.polynomial.polynomial.polyval(r, poly) for r in cands]
    return float(cands[int(np.argmin(values))])


def exact_lambda_kp98(moments):
    """The 3-equation KP98 moments in (lambda, lambda^2, sigma2): sigma2 >= 0 profiled out in closed form,
    then the profile in lambda minimised on a fine grid and polished by bounded Brent to 1e-14."""
    from scipy import optimize

    G, g = (np.asarray(m, dtype=float) for m in moments)
    g = g.ravel()

    def profile(lam):
        r = g - G[:, 0] * lam - G[:, 1] * lam ** 2
        s2 = max((G[:, 2] @ r) / (G[:, 2] @ G[:, 2]), 0.0)
        r = r - G[:, 2] * s2
        return r @ r

    grid = np.linspace(-0.99, 0.99, 1981)
    i = int(np.argmin([profile(v) for v in grid]))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    found = optimize.minimize_scalar(profile, bounds=(lo, hi), method="bounded", options={"xatol": 1e-14})
    return float(found.x)


class exact_moments:
    """Within the block, spreg's optim_moments is the exact minimiser (every module that imported it)."""

    MODULES = ("spreg.utils", "spreg.error_sp", "spreg.error_sp_hom")

    def __enter__(self):
        import importlib

        self.saved = []
        for name in self.MODULES:
            module = importlib.import_module(name)
            self.saved.append((module, module.optim_moments))
            module.optim_moments = exact_optim_moments

    def __exit__(self, *exc):
        for module, original in self.saved:
            module.optim_moments = original


def add(cases, key, meta, call, names, **extra):
    """spreg as it is; for models with lambda also spreg with the exact minimiser of its moments."""
    entry = {**meta, "call": call.__doc__ or "", **pack(call(), names, **extra)}
    if "lambda" in names:
        with exact_moments():
            entry["exact"] = pack(call(), names)
    cases[key] = entry


def main() -> None:
    cases: dict[str, dict] = {}
    for data_name in ("columbus", "baltimore"):
        data, w = load(data_name)
        if data_name == "columbus":
            y_name, x_names = "CRIME", ["INC", "HOVAL"]
        else:
            y_name, x_names = "PRICE", ["NROOM", "NBATH", "PATIO", "FIREPL", "AC", "GAR", "AGE", "LOTSZ", "SQFT"]
        y, X = col(data, [y_name]), col(data, x_names)
        common = {"data": data_name, "y": y_name, "x": x_names}

        # spatial 2SLS: lag and Durbin, w_lags = 2 (instruments WX, W^2X; W^2X, W^3X for the SDM)
        def sar():
            """GM_Lag(w_lags=2, spat_diag=True, spat_impacts='full')"""
            return spreg.GM_Lag(y, X, w=w, w_lags=2, spat_diag=True, spat_impacts="full")

        def sar_white():
            """GM_Lag(w_lags=2, robust='white')"""
            return spreg.GM_Lag(y, X, w=w, w_lags=2, robust="white")

        def sdm():
            """GM_Lag(w_lags=2, slx_lags=1, spat_diag=True)"""
            return spreg.GM_Lag(y, X, w=w, w_lags=2, slx_lags=1, spat_diag=True)

        add(cases, f"{data_name}_sar", {**common, "model": "sar"}, sar, names_of(x_names, [], [], True, False))
        add(cases, f"{data_name}_sar_white", {**common, "model": "sar", "cov_type": "robust"}, sar_white,
            names_of(x_names, [], [], True, False))
        add(cases, f"{data_name}_sdm", {**common, "model": "sdm"}, sdm, names_of(x_names, x_names, [], True, False))

        # error models and SARAR: het (Arraiz et al. 2010), hom (Drukker et al. 2013), kp98
        for estimator in ("het", "hom", "kp98"):
            def sem(estimator=estimator):
                return spreg.GMM_Error(y, X, w=w, estimator=estimator)

            def sac(estimator=estimator):
                return spreg.GMM_Error(y, X, w=w, estimator=estimator, add_wy=True, w_lags=2)

            sem.__doc__ = f"GMM_Error(estimator={estimator!r})"
            sac.__doc__ = f"GMM_Error(estimator={estimator!r}, add_wy=True, w_lags=2)"
            add(cases, f"{data_name}_sem_{estimator}", {**common, "model": "sem", "gmm": estimator}, sem,
                names_of(x_names, [], [], False, True))
            add(cases, f"{data_name}_sac_{estimator}", {**common, "model": "sac", "gmm": estimator}, sac,
                names_of(x_names, [], [], True, True))

        def sdem():
            """GMM_Error(estimator='het', slx_lags=1)"""
            return spreg.GMM_Error(y, X, w=w, estimator="het", slx_lags=1)

        add(cases, f"{data_name}_sdem_het", {**common, "model": "sdem", "gmm": "het"}, sdem,
            names_of(x_names, x_names, [], False, True))

    # endogenous regressor with an external instrument (spreg's own Columbus example)
    data, w = load("columbus")
    y, X, yd, q = col(data, ["HOVAL"]), col(data, ["INC"]), col(data, ["CRIME"]), col(data, ["DISCBD"])
    endog = {"data": "columbus", "y": "HOVAL", "x": ["INC"], "endog": ["CRIME"], "instruments": ["DISCBD"]}
    const_x = np.column_stack([np.ones(len(y)), X])

    def iv_ols():
        """TSLS(spat_diag=True)"""
        return spreg.TSLS(y, X, yd, q, w=w, spat_diag=True)

    def iv_sar():
        """GM_Lag(yend, q, w_lags=2, spat_diag=True)"""
        return spreg.GM_Lag(y, X, yend=yd, q=q, w=w, w_lags=2, spat_diag=True)

    add(cases, "columbus_iv_ols", {**endog, "model": "ols"}, iv_ols, ["const", "INC", "CRIME"],
        first_stage=first_stage(data, {"CRIME": yd}, const_x, q))
    W = w.sparse
    H_x = np.column_stack([X, q])
    lags = np.column_stack([W @ H_x, W @ (W @ H_x)])
    add(cases, "columbus_iv_sar", {**endog, "model": "sar"}, iv_sar, ["const", "INC", "CRIME", "rho"],
        first_stage=first_stage(data, {"CRIME": yd, "W*HOVAL": W @ y}, const_x, np.column_stack([q, lags])))
    # The Durbin lag model with an endogenous regressor: W X is a regressor, so X is lagged from W (W X) and the
    # external instrument from W q: [W^2 X, W^3 X, W q, W^2 q] (splm's set, see ../produc_gmm). spreg's GM_Lag
    # (yend, slx_lags=1) lags W^2 X once more (W^3 X, W^4 X; without yend it uses W^2 X, W^3 X), so the
    # reference is spreg's TSLS with these instruments given explicitly.
    def iv_sdm():
        """TSLS([INC, W INC], yend=[CRIME, W HOVAL], q=[DISCBD, W^2 INC, W^3 INC, W DISCBD, W^2 DISCBD])"""
        wx, wq = W @ X, W @ q
        return spreg.TSLS(y, np.column_stack([X, wx]), np.column_stack([yd, W @ y]),
                          np.column_stack([q, W @ wx, W @ (W @ wx), wq, W @ wq]))

    add(cases, "columbus_iv_sdm", {**endog, "model": "sdm"}, iv_sdm, ["const", "INC", "W*INC", "CRIME", "rho"])
    for estimator in ("het", "hom", "kp98"):
        def sem(estimator=estimator):
            return spreg.GMM_Error(y, X, w=w, yend=yd, q=q, estimator=estimator)

        def sac(estimator=estimator):
            return spreg.GMM_Error(y, X, w=w, yend=yd, q=q, estimator=estimator, add_wy=True, w_lags=2)

        sem.__doc__ = f"GMM_Error(yend, q, estimator={estimator!r})"
        sac.__doc__ = f"GMM_Error(yend, q, estimator={estimator!r}, add_wy=True, w_lags=2)"
        add(cases, f"columbus_iv_sem_{estimator}", {**endog, "model": "sem", "gmm": estimator}, sem,
            ["const", "INC", "CRIME", "lambda"])
        add(cases, f"columbus_iv_sac_{estimator}", {**endog, "model": "sac", "gmm": estimator}, sac,
            ["const", "INC", "CRIME", "rho", "lambda"])

    out = {"software": f"spreg {spreg.__version__}, libpysal {libpysal.__version__}, numpy {np.__version__}",
           "script": "tests/reference/gmm_spreg/make_fixture.py", "cases": cases}
    (HERE / "expected.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
