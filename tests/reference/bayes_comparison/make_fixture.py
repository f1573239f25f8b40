"""Independent reference for the Bayesian model comparison (LeSage 2014), written apart from the engine.

Dense and plain on purpose: W read from the .gal file and row-standardised by hand, the data
demeaned with pandas group means, ln|I - r W| by numpy's slogdet of the dense matrix at every grid
point (no eigenvalues), every least-squares fit by numpy.linalg.lstsq, and the integral over
rho / lambda by the trapezoid rule on a uniform grid of the whole open interval
(1/lambda_min, 1/lambda_max) with 2**16 + 1 points, computed again with 2**15 + 1 points: the two
values are stored and their difference is the grid error stated in the fixture.

Formulas (LeSage and Pace 2009, ch. 6; LeSage 2014): priors p(beta, sigma) ~ 1/sigma and a uniform
prior 1/D on the interval, D = 1/lambda_max - 1/lambda_min; dof = (N - p - a)/2 with p the columns
of Z (constant included) and a = 0, n, T, n + T - 1 for none, unit, time, two-way effects;

  OLS/SLX : lgamma(dof) - dof ln(2 pi) - ln|Z'Z|/2 - dof ln(e'e)
  SAR/SDM : lgamma(dof) - dof ln(2 pi) - ln D - ln|Z'Z|/2 + ln int |I - r W|^T Q(r)^-dof dr,
            Q(r) = |(y - Z b_o) - r (W y - Z b_d)|^2
  SEM/SDEM: lgamma(dof) - dof ln(2 pi) - ln D + ln int |I - r W|^T |Z_r'Z_r|^-1/2 Q(r)^-dof dr,
            Z_r = Z - r W Z, Q(r) the residual sum of squares of y - r W y on Z_r.

Also computed, to check these integrands against R SDPDmod 0.0.6's ``blmpSDPD`` (its output is in
``sdpdmod_blmp.json``, made by ``sdpdmod_blmp.R`` beside this script): SDPDmod's own number on its
own grid (step 0.001 from 1/lambda_min + 0.001 to 1/lambda_max - 0.001), which is NOT the log of
the integral: its code adds the "trapezoid" sum of r d(exp(g - g*)) to g* instead of adding the log
of the integral of exp(g - g*) dr (as LeSage's MATLAB code it follows). Reproducing that number to
1e-9 here shows that the log integrands agree; the engine is compared with the proper integral.

Run: python make_fixture.py  (numpy, pandas; writes bayes_reference.json)
"""

from __future__ import annotations

import json
import math
import platform
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
FINE, COARSE = 2**16 + 1, 2**15 + 1


def read_gal(path: Path, ids: list[str]) -> np.ndarray:
    lines = path.read_text().split("\n")
    pos = {i: k for k, i in enumerate(ids)}
    W = np.zeros((len(ids), len(ids)))
    k = 1
    while k < len(lines) and lines[k].strip():
        unit, count = lines[k].split()[:2]
        neighbours = lines[k + 1].split() if int(count) else []
        for j in neighbours:
            W[pos[unit], pos[j]] = 1.0
        k += 2
    return W / W.sum(axis=1, keepdims=True)


def ls_resid(Z, v):
    coef = np.linalg.lstsq(Z, v, rcond=None)[0]
    return v - Z @ coef


def lag(W, v, n, T):  # v stacked period-major: rows t * n + i
    return (W @ v.reshape(T, n, -1).transpose(1, 0, 2).reshape(n, -1)).reshape(n, T, -1).transpose(1, 0, 2).reshape(v.shape)


def integrands(y, Z, W, n, T, fe_adj, r):
    N = len(y)
    Wy = lag(W, y, n, T)
    WZ = lag(W, Z, n, T)
    I = np.eye(n)
    lndet = np.array([np.linalg.slogdet(I - v * W)[1] for v in r])
    dof = 0.5 * (N - Z.shape[1] - fe_adj)
    eo, ed = ls_resid(Z, y), ls_resid(Z, Wy)
    q_lag = np.array([float(np.sum((eo - v * ed) ** 2)) for v in r])
    g_lag = -dof * np.log(q_lag) + T * lndet
    g_err = np.empty(len(r))
    for k, v in enumerate(r):
        Zr = Z - v * WZ
        e = ls_resid(Zr, y - v * Wy)
        g_err[k] = -dof * math.log(float(e @ e)) + T * lndet[k] - 0.5 * np.linalg.slogdet(Zr.T @ Zr)[1]
    half = 0.5 * np.linalg.slogdet(Z.T @ Z)[1]
    e = ls_resid(Z, y)
    ls = math.lgamma(dof) - dof * math.log(2 * math.pi) - half - dof * math.log(float(e @ e))
    base = math.lgamma(dof) - dof * math.log(2 * math.pi)
    return dof, ls, base - half, g_lag, base, g_err


def log_trapezoid(r, g):
    top = g.max()
    f = np.exp(g - top)
    return top + math.log(float(np.sum((f[1:] + f[:-1]) * np.diff(r) / 2)))


def sdpdmod_convention(r, g):
    top = g.max()
    f = np.exp(g - top)
    return top + float(np.sum((r[1:] + r[:-1]) * (f[1:] - f[:-1]) / 2))


def compare(y, X, WX_source, W, n, T, fe_adj):
    emin, emax = np.linalg.eigvals(W).real.min(), np.linalg.eigvals(W).real.max()
    lo, hi = 1 / emin, 1 / emax
    D = hi - lo
    out = {"interval": [lo, hi]}
    Zd = np.column_stack([X, lag(W, WX_source, n, T)])
    for label, Z, ls_name, lag_name, err_name in (("plain", X, "ols", "sar", "sem"),
                                                  ("durbin", Zd, "slx", "sdm", "sdem")):
        values = {}
        for points in (FINE, COARSE):
            r = np.linspace(lo, hi, points)[1:-1]  # the integrand is 0 at the bounds (|I - r W| = 0)
            r_full = np.concatenate([[lo], r, [hi]])
            dof, ls, c_lag, g_lag, c_err, g_err = integrands(y, Z, W, n, T, fe_adj, r)
            pad = lambda g: np.concatenate([[-np.inf], g, [-np.inf]])  # noqa: E731
            values[points] = (ls, c_lag - math.log(D) + log_trapezoid(r_full, pad(g_lag)),
                              c_err - math.log(D) + log_trapezoid(r_full, pad(g_err)))
        fine, coarse = values[FINE], values[COARSE]
        out[ls_name] = {"log_marginal": fine[0], "grid_error": 0.0}
        out[lag_name] = {"log_marginal": fine[1], "grid_error": abs(fine[1] - coarse[1])}
        out[err_name] = {"log_marginal": fine[2], "grid_error": abs(fine[2] - coarse[2])}
        # SDPDmod's grid and convention
        r = np.arange(lo + 0.001, hi - 0.001 + 1e-12, 0.001)
        r = r[r <= hi - 0.001 + 1e-12]
        dof, ls, c_lag, g_lag, c_err, g_err = integrands(y, Z, W, n, T, fe_adj, r)
        out[lag_name]["sdpdmod_convention"] = c_lag - math.log(D) + sdpdmod_convention(r, g_lag)
        out[err_name]["sdpdmod_convention"] = c_err - math.log(D) + sdpdmod_convention(r, g_err)
    return out


def demean(frame: pd.DataFrame, cols, fe: str) -> pd.DataFrame:
    out = frame[cols].copy()
    if fe in ("unit", "twoway"):
        out = out - frame.groupby("unit")[cols].transform("mean")
    if fe in ("time", "twoway"):
        out = out - frame.groupby("period")[cols].transform("mean")
    if fe == "twoway":
        out = out + frame[cols].mean()
    return out


def probabilities(block: dict) -> dict:
    models = ["ols", "slx", "sar", "sdm", "sem", "sdem"]
    lm = np.array([block[m]["log_marginal"] for m in models])
    p = np.exp(lm - lm.max())
    return dict(zip(models, (p / p.sum()).tolist(), strict=True))


def main() -> None:
    result = {"software": {"python": platform.python_version(), "numpy": np.__version__, "pandas": pd.__version__},
              "script": "tests/reference/bayes_comparison/make_fixture.py",
              "grid": f"trapezoid, {FINE} points on the whole interval; grid_error = |value - value with {COARSE}|"}
    col = pd.read_csv(HERE.parent / "columbus_models" / "columbus.csv")
    ids = [str(i) for i in col["POLYID"]]
    W = read_gal(HERE.parent / "columbus_models" / "columbus_queen.gal", ids)
    y = col["CRIME"].to_numpy(float)
    X = np.column_stack([np.ones(len(y)), col["INC"], col["HOVAL"]])
    block = compare(y, X, X[:, 1:], W, len(y), 1, 0)
    block["probability"] = probabilities(block)
    result["columbus_none"] = block

    pr = pd.read_csv(HERE.parent / "produc" / "produc.csv")
    st = pd.read_csv(HERE.parent / "produc" / "produc_states.csv")
    pr["unit"] = pr["state"].map(dict(zip(st["produc_state"], st["id"].astype(str), strict=True)))
    pr["period"] = pr["year"]
    units = [str(i) for i in range(1, 49)]
    pr["order"] = pr["unit"].map({u: k for k, u in enumerate(units)})
    pr = pr.sort_values(["period", "order"]).reset_index(drop=True)  # period-major
    for c in ("gsp", "pcap", "pc", "emp"):
        pr[f"l{c}"] = np.log(pr[c])
    cols = ["lgsp", "lpcap", "lpc", "lemp", "unemp"]
    W = read_gal(HERE.parent / "produc_effects" / "us48_queen_produc.gal", units)
    n, T = 48, pr["period"].nunique()
    for fe, adj in (("none", 0), ("unit", n), ("time", T), ("twoway", n + T - 1)):
        d = demean(pr, cols, fe)
        y = d["lgsp"].to_numpy(float)
        Xr = d[cols[1:]].to_numpy(float)
        X = np.column_stack([np.ones(len(y)), Xr]) if fe == "none" else Xr
        block = compare(y, X, Xr, W, n, T, adj)
        block["probability"] = probabilities(block)
        result[f"produc_{fe}"] = block
    (HERE / "bayes_reference.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
