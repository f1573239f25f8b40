"""Bayesian model comparison (six models) against R SDPDmod's blmpSDPD, on the same data in the same run.

Cases: Produc (48 states x 17 years), a 20 x 20 queen lattice x 10 periods (n = 400) and a
55 x 55 lattice x 10 periods (n = 3,025, the issue's size). Ours: ``compare_bayes`` of OLS, SLX,
SAR, SDM, SEM, SDEM with unit and with two-way fixed effects (eigenvalues up to 2,000 units, sparse
LU above), timed from the panel to the table. SDPDmod 0.0.6: ``blmpSDPD`` of the same six models,
timed inside R (``system.time``), run only when ``SDPDMOD_LIB`` names the R library it is installed
in (see tests/reference/bayes_comparison/sdpdmod_blmp.R). SDPDmod is not run at n = 3,025: it forms
``kronecker(diag(T), W)`` densely (30,250^2 doubles = 7.3 GB). At n = 3,025 our LU path is also
compared with the exact dense eigenvalue path (``logdet="eigen"``, asked for explicitly): the
largest difference of the six log-marginals is printed. Each run is a fresh process.

Run: ``SDPDMOD_LIB=/path/to/lib python -m bench bayes``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from bench._common import QUEEN_W, ROOT

_DATA = QUEEN_W + textwrap.dedent("""
    import json, sys, time, warnings
    import numpy as np, pandas as pd
    from scipy import sparse
    from scipy.sparse.linalg import splu
    warnings.simplefilter("ignore")

    def lattice(side, T=10):
        n = side * side
        W = queen_w(side)
        ids = np.array([f"u{i:06d}" for i in range(n)], dtype=object)
        rng = np.random.default_rng(1)
        X = rng.standard_normal((n, T, 2))
        mu, gamma = rng.standard_normal(n), rng.standard_normal(T)
        lu = splu(sparse.csc_matrix(sparse.identity(n) - 0.5 * W))
        y = np.empty((n, T))
        for t in range(T):
            y[:, t] = lu.solve(X[:, t] @ [1.0, -0.5] + (W @ X[:, t]) @ [0.3, 0.2] + rng.standard_normal(n)) \\
                + mu + gamma[t]
        frame = pd.DataFrame({"id": np.repeat(ids, T), "year": np.tile(np.arange(T), n), "y": y.ravel(),
                              "x1": X[:, :, 0].ravel(), "x2": X[:, :, 1].ravel()})
        return frame, W, ids, ["x1", "x2"]

    def produc():
        import pathlib
        from libpysal.graph import read_gal
        ref = pathlib.Path(sys.argv[1]) / "tests" / "reference"
        frame = pd.read_csv(ref / "produc" / "produc.csv")
        states = pd.read_csv(ref / "produc" / "produc_states.csv")
        frame["id"] = frame["state"].map(dict(zip(states["produc_state"], states["id"].astype(str))))
        graph = read_gal(str(ref / "produc_effects" / "us48_queen_produc.gal")).transform("r")
        ids = np.array([str(i) for i in graph.unique_ids], dtype=object)
        frame["y"] = np.log(frame["gsp"])
        for c in ("pcap", "pc", "emp"):
            frame[c] = np.log(frame[c])
        return frame[["id", "year", "y", "pcap", "pc", "emp", "unemp"]], sparse.csr_matrix(graph.sparse), ids, \\
            ["pcap", "pc", "emp", "unemp"]

    case, tool, fe = sys.argv[2], sys.argv[3], sys.argv[4]
    frame, W, ids, xs = produc() if case == "produc" else lattice(int(case))
""")

_OURS = textwrap.dedent("""
    import resource
    from libpysal.graph import Graph
    from spatial import SpatialPanel
    from spatial.models import compare_bayes
    coo = W.tocoo()
    graph = Graph.from_arrays(ids[coo.row], ids[coo.col], coo.data)
    start = time.perf_counter()
    panel = SpatialPanel(frame, id="id", time="year")
    out = compare_bayes(panel, graph, y="y", x=xs, fe=fe, logdet="eigen" if tool == "ours-eigen" else "auto")
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "log_marginal": out.log_marginals.to_dict(), "best": out.best, "logdet": out.logdet,
                      "error": float(out.table["integration_error"].max())}))
""")

_EXPORT = textwrap.dedent("""
    coo = W.tocoo()
    folder = sys.argv[5]
    frame.assign(id=frame["id"].map({k: i + 1 for i, k in enumerate(ids)})).to_csv(f"{folder}/data.csv", index=False)
    pd.DataFrame({"i": coo.row + 1, "j": coo.col + 1, "w": coo.data}).to_csv(f"{folder}/w.csv", index=False)
    json.dump({"n": int(W.shape[0]), "x": xs}, open(f"{folder}/meta.json", "w"))
""")

_R = textwrap.dedent("""
    suppressMessages({library(SDPDmod); library(jsonlite)})
    args <- commandArgs(TRUE); folder <- args[1]; effect <- args[2]
    meta <- fromJSON(file.path(folder, "meta.json"))
    d <- read.csv(file.path(folder, "data.csv")); t3 <- read.csv(file.path(folder, "w.csv"))
    W <- matrix(0, meta$n, meta$n); W[cbind(t3$i, t3$j)] <- t3$w
    f <- as.formula(paste("y ~", paste(meta$x, collapse = " + ")))
    tm <- system.time(r <- suppressMessages(blmpSDPD(f, d, W, index = c("id", "year"), effect = effect,
        model = list("ols", "slx", "sar", "sdm", "sem", "sdem"))))
    p <- unlist(r$probs)
    cat(toJSON(list(seconds = unname(tm["elapsed"]), best = names(p)[which.max(p)]), auto_unbox = TRUE), "\\n")
""")


def _python(code: str, *args: str) -> dict | None:
    done = subprocess.run([sys.executable, "-c", code, ROOT, *args], capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        print(f"   failed: {done.stderr.strip().splitlines()[-1:]}")
        return None
    lines = done.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


def _sdpdmod(case: str, fe: str) -> dict | None:
    lib = os.environ.get("SDPDMOD_LIB")
    if not lib:
        return None
    with tempfile.TemporaryDirectory() as folder:
        if _python(_DATA + _EXPORT, case, "export", fe, folder) is None:
            return None
        (Path(folder) / "run.R").write_text(_R)
        effect = {"unit": "individual", "twoway": "twoways"}[fe]
        done = subprocess.run(["Rscript", str(Path(folder) / "run.R"), folder, effect], capture_output=True,
                              text=True, timeout=3600, env={**os.environ, "R_LIBS": lib})
        if done.returncode != 0:
            print(f"   SDPDmod failed: {done.stderr.strip().splitlines()[-1:]}")
            return None
        return json.loads(done.stdout.strip().splitlines()[-1])


def main(cases: list[str] | None = None) -> None:
    labels = {"produc": "Produc (48 x 17)", "20": "lattice 20 x 20 x 10 (n = 400)",
              "55": "lattice 55 x 55 x 10 (n = 3,025)"}
    print(f"{'case':<34} {'fe':<7} {'ours s':>7} {'SDPDmod s':>10} {'ratio':>7} {'ours MB':>8}  best (ours / SDPDmod)"
          "  logdet  error")
    for case in cases or list(labels):
        for fe in ("unit", "twoway"):
            ours = _python(_DATA + _OURS, case, "ours", fe)
            if ours is None:
                continue
            peer = _sdpdmod(case, fe) if case != "55" else None
            ratio = f"{peer['seconds'] / ours['seconds']:.1f}x" if peer else "-"
            peer_s = f"{peer['seconds']:.2f}" if peer else "n/a"
            print(f"{labels[case]:<34} {fe:<7} {ours['seconds']:>7.2f} {peer_s:>10} {ratio:>7} {ours['rss_mb']:>8.0f}  "
                  f"{ours['best']} / {peer['best'] if peer else 'n/a'}  {ours['logdet']}  {ours['error']:.1e}")
            if case == "55" and fe == "unit":
                exact = _python(_DATA + _OURS, case, "ours-eigen", fe)
                if exact is not None:
                    diff = max(abs(ours["log_marginal"][m] - exact["log_marginal"][m]) for m in exact["log_marginal"])
                    print(f"   n = 3,025: sparse LU vs dense eigenvalues ({exact['seconds']:.1f} s): largest "
                          f"|difference| of the six log-marginals {diff:.2e}")
    print("ours: compare_bayes, six models, from the panel to the table; SDPDmod: blmpSDPD, six models, inside R. "
          "SDPDmod's spatial log-marginals differ by design (see tests/reference/bayes_comparison/README.md).")


if __name__ == "__main__":
    main(sys.argv[1:] or None)
