"""Small-T Monte Carlo: the Yu-de Jong-Lee / Lee-Yu bias correction of the dynamic spatial panel.

DGP (two-way fixed effects, 10 x 10 rook lattice, row-standardised W, n = 100):
y_t = tau y_{t-1} + eta W y_{t-1} + rho W y_t + x_t beta + W x_t theta + mu + alpha_t + e_t with
tau 0.5, eta -0.1, rho 0.3, beta 1, theta 0.5, mu ~ N(0, 1) (x correlated with mu), alpha_t ~ N(0, 1),
e ~ N(0, 1), 50 burn-in periods; T' = 5 and 10 estimated periods (plus the initial one).
Each replication fits the dynamic SDM with ``lee_yu=False`` (ML on the transformed data) and with
the correction (default). Prints bias, standard deviation and RMSE of each estimator.

Run: ``python -m bench.dynamic_bias [replications]`` (default 200; seeded, about 2 minutes).
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pandas as pd


def lattice(side: int) -> np.ndarray:
    n = side * side
    W = np.zeros((n, n))
    for r in range(side):
        for c in range(side):
            for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                if 0 <= r + dr < side and 0 <= c + dc < side:
                    W[r * side + c, (r + dr) * side + c + dc] = 1.0
    return W / W.sum(axis=1, keepdims=True)


TRUE = {"tau": 0.5, "eta": -0.1, "rho": 0.3, "x": 1.0, "W*x": 0.5}


def simulate(W: np.ndarray, periods: int, rng: np.random.Generator, burn: int = 50) -> tuple[np.ndarray, np.ndarray]:
    n = W.shape[0]
    Sinv = np.linalg.inv(np.eye(n) - TRUE["rho"] * W)
    mu = rng.standard_normal(n)
    y = np.zeros(n)
    ys, xs = [], []
    for t in range(burn + periods + 1):
        x = rng.standard_normal(n) + 0.5 * mu
        y = Sinv @ (TRUE["tau"] * y + TRUE["eta"] * W @ y + TRUE["x"] * x + TRUE["W*x"] * W @ x + mu
                    + rng.standard_normal() + rng.standard_normal(n))
        if t >= burn:
            ys.append(y)
            xs.append(x)
    return np.column_stack(ys), np.column_stack(xs)


def main(replications: int = 200) -> pd.DataFrame:
    from libpysal.graph import Graph

    from spatial import SpatialPanel
    from spatial.models import fit

    W = lattice(10)
    n = W.shape[0]
    ids = [f"u{i:03d}" for i in range(n)]
    focal, neighbor = np.nonzero(W)
    graph = Graph.from_arrays([ids[i] for i in focal], [ids[j] for j in neighbor], W[focal, neighbor])
    rng = np.random.default_rng(20261206)
    rows = []
    for periods in (5, 10):
        for rep in range(replications):
            Y, X = simulate(W, periods, rng)
            frame = pd.DataFrame({"id": np.repeat(ids, periods + 1), "t": np.tile(np.arange(periods + 1), n),
                                  "y": Y.ravel(), "x": X.ravel()})
            panel = SpatialPanel(frame, id="id", time="t")
            for corrected in (False, True):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    r = fit(panel, graph, y="y", x=["x"], model="sdm", fe="twoway", dynamic="both", lee_yu=corrected,
                            draws=0, per_unit=False)
                rows += [{"T": periods, "estimator": "corrected" if corrected else "ML (uncorrected)", "rep": rep,
                          "parameter": k, "error": float(r.params[k]) - v} for k, v in TRUE.items()]
    errors = pd.DataFrame(rows)
    table = errors.groupby(["T", "parameter", "estimator"])["error"].agg(
        bias="mean", sd="std", rmse=lambda e: float(np.sqrt(np.mean(e**2)))).round(4)
    print(f"n = {n}, {replications} replications per T; true values {TRUE}")
    print(table.to_string())
    return table


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
