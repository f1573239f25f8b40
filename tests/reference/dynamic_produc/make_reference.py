"""Independent dense reference for the dynamic spatial panel (written apart from spatial/models/_dynamic.py).

Everything here is dense numpy/scipy on small n, following the papers directly rather than the
engine's algebra:

* Yu, de Jong and Lee (2008), J. Econometrics 146: QML of
  y_t = tau y_{t-1} + eta W y_{t-1} + rho W y_t + X_t b + W X_t theta + mu + e_t on t = 1..T-1,
  within transformation with the explicit matrix I_n (x) (I_T' - 1 1'/T'), bias correction
  theta - B/T' with B = -Sigma^-1 phi, every trace from explicit dense matrices (S^-1, G = W S^-1,
  A = S^-1 (tau I + eta W), (I - A)^-1 S^-1).
* Lee and Yu (2010), Econometric Theory 26: time effects removed by the orthogonal
  transformation F_n' (eigenvectors of J_n = I - 1 1'/n with eigenvalue one, computed here), the
  model in (n - 1) dimensions with W* = F_n' W F_n, the log-determinant ln|I - rho W*| by slogdet.
* Long-run effects (Debarsy, Ertur and LeSage 2012): dense ((1 - tau) I - (rho + eta) W)^-1 (b I + t W).

The maximum is found by scipy's bounded scalar search on the exact concentrated likelihood, then
polished by Newton steps on its derivative (numerical), so rho is exact to ~1e-12.

Run (from the repository root, any Python with numpy, scipy, pandas):

    python tests/reference/dynamic_produc/make_reference.py

Writes ``expected.json`` beside this script. Data: ``tests/reference/produc/produc.csv`` (Munnell's
Produc, 48 states x 1970-1986) and ``tests/reference/produc_effects/us48_queen_produc.gal`` (queen
contiguity, row-standardised here), and a synthetic panel generated below from a known dynamic SDM.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pandas as pd
from scipy import optimize

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]


def read_gal(path: pathlib.Path) -> np.ndarray:
    lines = path.read_text().split()
    n = int(lines[0])
    W = np.zeros((n, n))
    pos = 1
    for _ in range(n):
        i, k = int(lines[pos]), int(lines[pos + 1])
        neighbours = [int(v) for v in lines[pos + 2: pos + 2 + k]]
        for j in neighbours:
            W[i - 1, j - 1] = 1.0
        pos += 2 + k
    return W / W.sum(axis=1, keepdims=True)


def within_matrix(T: int) -> np.ndarray:
    return np.eye(T) - np.ones((T, T)) / T


def fit_reference(Y: np.ndarray, X: np.ndarray, W: np.ndarray, *, lags: str, durbin: bool, fe: str,
                  correct: bool) -> dict:
    """Y (n x T), X (n x T x k): the dynamic model on periods 1..T-1, period-major stacking here."""
    n, T = Y.shape
    Tp = T - 1
    k = X.shape[2]
    # period-major stacking: observation (t, i) at t * n + i (the engine uses unit-major; results agree)
    y = np.concatenate([Y[:, t] for t in range(1, T)])
    cols = []
    names = []
    if lags in ("tau", "both"):
        cols.append(np.concatenate([Y[:, t - 1] for t in range(1, T)]))
        names.append("tau")
    if lags in ("eta", "both"):
        cols.append(np.concatenate([W @ Y[:, t - 1] for t in range(1, T)]))
        names.append("eta")
    for j in range(k):
        cols.append(np.concatenate([X[:, t, j] for t in range(1, T)]))
    if durbin:
        for j in range(k):
            cols.append(np.concatenate([W @ X[:, t, j] for t in range(1, T)]))
    Z = np.column_stack(cols)
    # W y_t of the raw data, transformed like y (Elhorst's convention for the direct demeaning; under
    # the orthogonal transformation F' W y = (F' W F) F' y exactly for a row-standardised W)
    Wy = np.concatenate([W @ Y[:, t] for t in range(1, T)])
    transform = correct and fe == "twoway"
    if transform:
        values, vectors = np.linalg.eigh(np.eye(n) - np.ones((n, n)) / n)
        F = vectors[:, values > 0.5]  # n x (n - 1), orthonormal
        P = np.kron(np.eye(Tp), F.T)
        y, Z, Wy = P @ y, P @ Z, P @ Wy
        Ws = F.T @ W @ F
        nn = n - 1
        Q = np.kron(within_matrix(Tp), np.eye(nn))
        y, Z, Wy = Q @ y, Q @ Z, Q @ Wy
    else:
        Ws = W
        nn = n
        if fe == "unit":
            Q = np.kron(within_matrix(Tp), np.eye(n))
        elif fe == "twoway":
            Q = np.kron(within_matrix(Tp), np.eye(n)) @ np.kron(np.eye(Tp), np.eye(n) - np.ones((n, n)) / n)
        else:
            raise ValueError(fe)
        y, Z, Wy = Q @ y, Q @ Z, Q @ Wy
    N = nn * Tp
    omega = np.linalg.eigvals(W).real
    lo, hi = 1 / omega.min(), 1 / omega.max()

    def conc(r: float) -> float:
        b = np.linalg.lstsq(Z, y - r * Wy, rcond=None)[0]
        e = y - r * Wy - Z @ b
        s2 = e @ e / N
        sign, ld = np.linalg.slogdet(np.eye(nn) - r * Ws)
        return Tp * ld - N / 2 * (np.log(2 * np.pi * s2) + 1)

    res = optimize.minimize_scalar(lambda r: -conc(r), bounds=(lo + 1e-6, hi - 1e-6), method="bounded",
                                   options={"xatol": 1e-12})
    rho = res.x
    for _ in range(5):  # Newton polish on the numerical derivative
        h = 1e-5
        d1 = (conc(rho + h) - conc(rho - h)) / (2 * h)
        d2 = (conc(rho + h) - 2 * conc(rho) + conc(rho - h)) / h**2
        rho = rho - d1 / d2
    delta = np.linalg.lstsq(Z, y - rho * Wy, rcond=None)[0]
    e = y - rho * Wy - Z @ delta
    sigma2 = e @ e / N
    loglik = conc(rho)
    I = np.eye(nn)

    def information(d, r, s2):
        S = I - r * Ws
        Sinv = np.linalg.inv(S)
        G = Ws @ Sinv
        Gbig = np.kron(np.eye(Tp), G)
        kz = Z.shape[1]
        M = np.zeros((kz + 2, kz + 2))
        GZd = Gbig @ Z @ d
        M[:kz, :kz] = Z.T @ Z / s2
        M[:kz, kz] = M[kz, :kz] = Z.T @ GZd / s2
        M[kz, kz] = GZd @ GZd / s2 + Tp * np.trace(G @ G + G @ G.T)
        M[kz, kz + 1] = M[kz + 1, kz] = Tp * np.trace(G) / s2
        M[kz + 1, kz + 1] = N / (2 * s2**2)
        return M, Sinv, G

    def lag(d, name):
        return d[names.index(name)] if name in names else 0.0

    uncorrected = {"rho": rho, "sigma2": sigma2, **dict(zip(names + [f"x{j}" for j in range(Z.shape[1] - len(names))],
                                                             delta, strict=True))}
    if correct:
        M, Sinv, G = information(delta, rho, sigma2)
        tau, eta = lag(delta, "tau"), lag(delta, "eta")
        A = Sinv @ (tau * I + eta * Ws)
        C = np.linalg.inv(I - A) @ Sinv
        kz = Z.shape[1]
        phi = np.zeros(kz + 2)
        if "tau" in names:
            phi[names.index("tau")] = np.trace(C) / nn
        if "eta" in names:
            phi[names.index("eta")] = np.trace(Ws @ C) / nn
        phi[kz] = (tau * np.trace(G @ C) + eta * np.trace(G @ Ws @ C) + np.trace(G)) / nn
        phi[kz + 1] = 1 / (2 * sigma2)
        B = -np.linalg.solve(M / N, phi)
        theta = np.concatenate([delta, [rho, sigma2]]) - B / Tp
        delta, rho, sigma2 = theta[:-2], theta[-2], theta[-1]
    M, _, _ = information(delta, rho, sigma2)
    V = np.linalg.inv(M)
    se = np.sqrt(np.diag(V))
    tau, eta = lag(delta, "tau"), lag(delta, "eta")
    # effects on the original n-dimensional W
    In = np.eye(n)
    b = delta[len(names): len(names) + k]
    th = delta[len(names) + k:] if durbin else np.zeros(k)
    short = np.linalg.inv(In - rho * W)
    long = np.linalg.inv((1 - tau) * In - (rho + eta) * W)
    eff = {}
    for label, inv in (("short_run", short), ("long_run", long)):
        rows = []
        for j in range(k):
            Sk = inv @ (b[j] * In + th[j] * W)
            direct = np.trace(Sk) / n
            total = Sk.sum() / n
            rows.append({"direct": direct, "indirect": total - direct, "total": total})
        eff[label] = rows
    A = np.linalg.inv(In - rho * W) @ (tau * In + eta * W)
    return {
        "names": names, "delta": delta.tolist(), "rho": rho, "sigma2": sigma2, "se": se.tolist(),
        "loglik": loglik, "uncorrected": {k_: float(v) for k_, v in uncorrected.items()}, "effects": eff,
        "stability": float(np.abs(np.linalg.eigvals(A)).max()),
    }


def produc() -> tuple[np.ndarray, np.ndarray, list[str]]:
    data = pd.read_csv(ROOT / "tests/reference/produc/produc.csv")
    data = data.sort_values(["state", "year"])
    states = list(pd.unique(data["state"]))
    years = sorted(data["year"].unique())
    n, T = len(states), len(years)
    Y = np.log(data["gsp"].to_numpy()).reshape(n, T)
    cols = [np.log(data["pcap"]), np.log(data["pc"]), np.log(data["emp"]), data["unemp"]]
    X = np.stack([np.asarray(c, dtype=float).reshape(n, T) for c in cols], axis=2)
    return Y, X, states


def synthetic(seed: int = 20261206) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """A known dynamic SDM on a 12 x 12 rook lattice (n = 144), T = 30 after 50 burn-in periods."""
    rng = np.random.default_rng(seed)
    side = 12
    n = side * side
    W = np.zeros((n, n))
    for r in range(side):
        for c in range(side):
            i = r * side + c
            for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                rr, cc = r + dr, c + dc
                if 0 <= rr < side and 0 <= cc < side:
                    W[i, rr * side + cc] = 1
    W = W / W.sum(axis=1, keepdims=True)
    true = {"tau": 0.4, "eta": -0.1, "rho": 0.3, "beta": [1.0, -0.5], "theta": [0.5, 0.3], "sigma2": 1.0}
    burn, T = 50, 30
    mu = rng.normal(size=n)
    alpha = rng.normal(size=burn + T)
    Sinv = np.linalg.inv(np.eye(n) - true["rho"] * W)
    y = np.zeros(n)
    Ys, Xs = [], []
    for t in range(burn + T):
        x = rng.normal(size=(n, 2)) + 0.5 * mu[:, None]
        rhs = (true["tau"] * y + true["eta"] * W @ y + x @ np.array(true["beta"]) + W @ x @ np.array(true["theta"])
               + mu + alpha[t] + rng.normal(scale=np.sqrt(true["sigma2"]), size=n))
        y = Sinv @ rhs
        if t >= burn:
            Ys.append(y.copy())
            Xs.append(x)
    return np.column_stack(Ys), np.stack(Xs, axis=1), W, true


def main() -> None:
    W = read_gal(ROOT / "tests/reference/produc_effects/us48_queen_produc.gal")
    Y, X, states = produc()
    out = {"software": "own dense numpy implementation (this script), numpy " + np.__version__, "produc": {},
           "synthetic": {}}
    cases = {
        "sdm_both_unit_corrected": dict(lags="both", durbin=True, fe="unit", correct=True),
        "sdm_both_twoway_corrected": dict(lags="both", durbin=True, fe="twoway", correct=True),
        "sar_tau_unit_corrected": dict(lags="tau", durbin=False, fe="unit", correct=True),
        "sdm_eta_twoway_corrected": dict(lags="eta", durbin=True, fe="twoway", correct=True),
        "sdm_both_twoway_uncorrected": dict(lags="both", durbin=True, fe="twoway", correct=False),
    }
    for name, case in cases.items():
        out["produc"][name] = {"case": case, **fit_reference(Y, X, W, **case)}
    Ys, Xs, Wsyn, true = synthetic()
    np.savez_compressed(HERE / "synthetic.npz", Y=Ys, X=Xs, W=Wsyn)
    out["synthetic"] = {"true": true, "sdm_both_twoway_corrected": fit_reference(
        Ys, Xs, Wsyn, lags="both", durbin=True, fe="twoway", correct=True)}
    (HERE / "expected.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
