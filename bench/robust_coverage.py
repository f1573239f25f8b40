"""Monte Carlo coverage of the robust covariances (issue 15 item 4): not part of ``make test``.

Three seeded designs on a queen lattice (row-standardised), each where the default (information
matrix / Hessian) intervals should fail and one robust covariance should not:

``hetero``   cross-section SAR, y = rho W y + 1 + x1 - 0.5 x2 + e, e_i ~ N(0, exp(1.5 x1_i)):
             heteroskedasticity tied to a regressor. Default vs ``cov="robust"``.
``cluster``  unit-FE SAR panel, e_it = 0.8 e_i,t-1 + v_it and x1_it = 0.8 x1_i,t-1 + w_it (serial
             correlation within units). Default vs ``cov="cluster"``.
``dk``       two-way FE SAR panel with a common factor, e_it = 0.5 g_i f_t + v_it and
             x1_it = g_i h_t + w_it (f_t, h_t AR(1) with 0.5; loadings g_i ~ N(0, 1), so the time
             effects do not absorb the factor): correlation between all units in a period and
             across periods. Default vs ``cov="cluster"`` vs ``cov="driscoll_kraay"``. The target
             is x1; rho is reported too, but a factor in the errors moves the ML rho by an amount
             fixed over time (g'Wg != 0 and sum g_i^2 != n at finite n: the Jacobian term assumes
             equal variances), which no covariance can see. (With loadings of mean 1 and unit
             effects only the common shock is indistinguishable from the spatial lag.)
``dk_ols``   the ``dk`` design with rho = 0, fitted by two-way FE least squares: x1 only.

Coverage = share of replications whose 95% interval (estimate +- 1.96 se) covers the true value,
for x1's coefficient and for rho. Monte Carlo standard error of a coverage near 0.95 with R
replications: sqrt(0.95 * 0.05 / R) (0.015 with R = 200).

Usage: ``python -m bench.robust_coverage [--reps 200] [--side 20] [--designs hetero cluster dk] [--periods T]``
"""

from __future__ import annotations

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # before numpy: on a shared
    os.environ.setdefault(_name, "1")  # machine threaded BLAS on 400 x 400 matrices is ~15x slower

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import sparse  # noqa: E402
from scipy.sparse.linalg import splu  # noqa: E402

from spatial import SpatialPanel  # noqa: E402
from spatial.models import fit  # noqa: E402
from tests.spatial.models.synthetic import lattice_graph  # noqa: E402

TRUE = {"x1": 1.0, "rho": 0.4}
Z = 1.959963984540054


def _solver(graph, rho):
    W = sparse.csr_matrix(graph.sparse)
    n = W.shape[0]
    return W, splu(sparse.csc_matrix(sparse.identity(n) - rho * W))


def _hetero(graph, ids, rng, periods):
    W, A = _solver(graph, TRUE["rho"])
    n = W.shape[0]
    x1, x2 = rng.standard_normal(n), rng.standard_normal(n)
    e = rng.standard_normal(n) * np.exp(0.75 * x1)
    y = A.solve(1.0 + TRUE["x1"] * x1 - 0.5 * x2 + e)
    return pd.DataFrame({"id": ids, "y": y, "x1": x1, "x2": x2}), None


def _ar1(rng, n, periods, phi, burn=20):
    out = np.zeros((n, periods + burn))
    for t in range(1, periods + burn):
        out[:, t] = phi * out[:, t - 1] + rng.standard_normal(n)
    return out[:, burn:]


def _panel(graph, ids, y_fn, x1, x2, e, rho=TRUE["rho"]):
    W, A = _solver(graph, rho)
    n, periods = x1.shape
    mu = np.repeat(np.linspace(-1, 1, n)[:, None], periods, axis=1)  # unit effects
    y = A.solve(mu + TRUE["x1"] * x1 - 0.5 * x2 + e)
    return pd.DataFrame({"id": np.repeat(ids, periods), "t": np.tile(np.arange(periods), n), "y": y.ravel(),
                         "x1": x1.ravel(), "x2": x2.ravel()}), "t"


def _cluster(graph, ids, rng, periods):
    n = len(ids)
    e = _ar1(rng, n, periods, 0.8)
    x1 = _ar1(rng, n, periods, 0.8)
    return _panel(graph, ids, None, x1, rng.standard_normal((n, periods)), e)


def _dk(graph, ids, rng, periods):
    n = len(ids)
    g = rng.standard_normal(n)
    f = _ar1(rng, 1, periods, 0.5)[0]
    h = _ar1(rng, 1, periods, 0.5)[0]
    e = 0.5 * np.outer(g, f) + rng.standard_normal((n, periods))
    x1 = np.outer(g, h) + rng.standard_normal((n, periods))
    return _panel(graph, ids, None, x1, rng.standard_normal((n, periods)), e)


def _dk_ols(graph, ids, rng, periods):
    """The ``dk`` design without the spatial lag (rho = 0), fitted by FE least squares."""
    n = len(ids)
    g = rng.standard_normal(n)
    f = _ar1(rng, 1, periods, 0.5)[0]
    h = _ar1(rng, 1, periods, 0.5)[0]
    e = 0.5 * np.outer(g, f) + rng.standard_normal((n, periods))
    x1 = np.outer(g, h) + rng.standard_normal((n, periods))
    return _panel(graph, ids, None, x1, rng.standard_normal((n, periods)), e, rho=0.0)


DESIGNS = {
    "hetero": (_hetero, 1, "none", ("auto", "robust")),
    "cluster": (_cluster, 10, "unit", ("auto", "cluster", "driscoll_kraay")),
    "dk": (_dk, 30, "twoway", ("auto", "cluster", "driscoll_kraay")),
    "dk_ols": (_dk_ols, 30, "twoway", ("auto", "cluster", "driscoll_kraay")),
}
MODEL = {"dk_ols": "ols"}  # the others: SAR


def run(design: str, reps: int, side: int, seed: int = 20261206, periods: int | None = None) -> pd.DataFrame:
    make, default_periods, fe, covs = DESIGNS[design]
    periods = default_periods if periods is None or default_periods == 1 else periods
    graph, _ = lattice_graph(side)
    ids = np.array([str(i) for i in graph.unique_ids], dtype=object)
    rng = np.random.default_rng([seed, list(DESIGNS).index(design)])
    parameters = ["x1"] if design in MODEL else list(TRUE)
    hits = {(c, p): 0 for c in covs for p in parameters}
    widths = {(c, p): [] for c in covs for p in parameters}
    for _ in range(reps):
        frame, time_col = make(graph, ids, rng, periods)
        panel = SpatialPanel(frame, id="id", time=time_col)
        for cov in covs:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = fit(panel, graph, y="y", x=["x1", "x2"], model=MODEL.get(design, "sar"), fe=fe, cov=cov,
                        draws=0)
            for p, value in TRUE.items():
                if p not in r.params.index:
                    continue
                se = float(r.std_errors[p])
                hits[(cov, p)] += abs(float(r.params[p]) - value) <= Z * se
                widths[(cov, p)].append(se)
    rows = [{"design": design, "n": side * side, "T": periods, "cov": c, "parameter": p,
             "coverage": hits[(c, p)] / reps, "mean_se": float(np.mean(widths[(c, p)])), "reps": reps}
            for c in covs for p in parameters]
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--side", type=int, default=20)
    parser.add_argument("--designs", nargs="+", default=list(DESIGNS), choices=list(DESIGNS))
    parser.add_argument("--periods", type=int, help="T of the panel designs (default: 10 cluster, 30 dk)")
    args = parser.parse_args(argv)
    frames = []
    for design in args.designs:
        start = time.perf_counter()
        table = run(design, args.reps, args.side, periods=args.periods)
        frames.append(table)
        print(table.to_string(index=False), flush=True)
        print(f"({design}: {time.perf_counter() - start:.0f} s)", flush=True)
    print("Monte Carlo s.e. of a coverage of 0.95:", f"{np.sqrt(0.95 * 0.05 / args.reps):.3f}")
    table = pd.concat(frames)
    print("| " + " | ".join(table.columns) + " |")
    print("|" + "---|" * len(table.columns))
    for row in table.itertuples(index=False):
        print("| " + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
