"""Dynamic spatial panels: the dynamic two-way FE SDM against the static one, and against R SDPDmod.

Cases: Produc (48 states x 17 years), a 55 x 55 queen lattice x 10 periods (n = 3,025) and a
224 x 224 lattice x 10 periods (n = 50,176, the sparse path), the data of ``bench_panel`` with y
regenerated from a stationary dynamic SDM (tau 0.4, eta -0.1, rho 0.3). Ours, end to end: the
static two-way FE SDM (estimation, covariance, tests, effects with 1000 draws) and the dynamic one
(``dynamic="both"``, bias correction, short- and long-run effects with 1000 draws). SDPDmod 0.0.6
(``SDPDm``, ``dynamic = TRUE``, ``LYtrans = TRUE``; no effects) only on Produc: it forms the dense
nT x nT matrix kronecker(diag(T), W) (30,000^2 doubles, 7 GB at n = 3,025). Each fit runs in a
fresh process (times include nothing cached; peak memory is its own).

Run: ``python -m bench dynamic``. Prints seconds, peak memory and the ratio dynamic / static.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from bench._common import ROOT, run_script
from bench.bench_panel import _SETUP

_DYNAMIC_Y = textwrap.dedent("""
    if case != "produc":
        n = W.shape[0]
        rng = np.random.default_rng(2)
        X = np.stack([frame[x].to_numpy().reshape(n, T) for x in xs], axis=2)
        mu, gamma = rng.standard_normal(n), rng.standard_normal(T)
        lu = splu(sparse.csc_matrix(sparse.identity(n) - 0.3 * W))
        y = np.empty((n, T))
        previous = np.zeros(n)
        for t in range(T):
            mean = (0.4 * previous - 0.1 * (W @ previous) + X[:, t] @ [1.0, -0.5] + (W @ X[:, t]) @ [0.3, 0.2]
                    + mu + gamma[t])
            y[:, t] = previous = lu.solve(mean + rng.standard_normal(n))
        frame[yname] = y.ravel()
""")

_OURS = textwrap.dedent("""
    from libpysal.graph import Graph
    from spatial import SpatialPanel
    from spatial.models import fit
    coo = W.tocoo()
    graph = Graph.from_arrays(ids[coo.row], ids[coo.col], coo.data)
    panel = SpatialPanel(frame[["id", "year", yname, *xs]], id="id", time="year")
    start = time.perf_counter()
    dynamic = None if fe == "static" else "both"
    result = fit(panel, graph, y=yname, x=xs, model="sdm", fe="twoway", draws=1000, seed=1, dynamic=dynamic)
    seconds = time.perf_counter() - start
    rho = result.params["rho"]
""")

_SDPD = """
suppressPackageStartupMessages(library(SDPDmod))
d <- read.csv(file.path(Sys.getenv("ROOT"), "tests/reference/produc/produc.csv"))
d <- d[order(d$state, d$year), ]
lines <- scan(file.path(Sys.getenv("ROOT"), "tests/reference/produc_effects/us48_queen_produc.gal"),
              what = integer(), quiet = TRUE)
n <- lines[1]; W <- matrix(0, n, n); pos <- 2
for (i in 1:n) { id <- lines[pos]; k <- lines[pos + 1]
  if (k > 0) W[id, lines[(pos + 2):(pos + 1 + k)]] <- 1
  pos <- pos + 2 + k }
W <- W / rowSums(W)
m <- SDPDm(log(gsp) ~ log(pcap) + log(pc) + log(emp) + unemp, data = d, W = W, index = c("state", "year"),
           model = "sdm", effect = "twoways", dynamic = TRUE, LYtrans = TRUE)
cat(m$rho, "\\n")
"""


def _sdpdmod() -> float | None:
    """Seconds of Rscript running SDPDm on Produc (process start and package load included), or None."""
    if shutil.which("Rscript") is None:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as handle:
        handle.write(_SDPD)
    start = time.perf_counter()
    done = subprocess.run(["Rscript", handle.name], capture_output=True, text=True, env={"ROOT": ROOT, "PATH": "/usr/bin:/bin"})
    seconds = time.perf_counter() - start
    Path(handle.name).unlink()
    return seconds if done.returncode == 0 else None


def main(cases: list[str] | None = None) -> None:
    labels = {"produc": "Produc (48 x 17)", "55": "lattice 55 x 55 x 10 (n = 3,025)",
              "224": "lattice 224 x 224 x 10 (n = 50,176)"}
    print(f"{'case':<36} {'static s':>9} {'dynamic s':>10} {'dyn/static':>10} {'static MB':>10} {'dynamic MB':>11}")
    for case in cases or list(labels):
        runs = {v: run_script(_SETUP + _DYNAMIC_Y + _OURS, case, "ours", v, timeout=3600) for v in ("static", "dynamic")}
        if None in runs.values():
            continue
        s, d = runs["static"], runs["dynamic"]
        print(f"{labels[case]:<36} {s['seconds']:>9.2f} {d['seconds']:>10.2f} {d['seconds'] / s['seconds']:>9.2f}x "
              f"{s['rss_mb']:>10.0f} {d['rss_mb']:>11.0f}")
    if cases is None or "produc" in cases:
        peer = _sdpdmod()
        print("SDPDmod SDPDm on Produc (dynamic two-way SDM, Rscript incl. start-up, no effects): "
              + (f"{peer:.2f} s" if peer else "not installed"))
    print("ours: two-way FE SDM, estimation + covariance + tests + effects with 1000 draws (dynamic: short and long "
          "run, bias-corrected).")


if __name__ == "__main__":
    main(sys.argv[1:] or None)
