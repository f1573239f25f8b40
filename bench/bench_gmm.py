"""GM lag (spatial 2SLS) against spreg's GM_Lag on the same data, in the same run.

The queen lattices of ``bench_models`` (Columbus, 3,025 and 100,489 units; y from a SAR with rho
= 0.5). Ours: ``fit(model="sar", estimator="gmm")`` end to end (instruments W X, W^2 X, 2SLS,
covariance, Anselin-Kelejian test, first-stage F, effects with 1000 simulation draws from the 2SLS
covariance). spreg: ``GM_Lag(w_lags=2)`` with its defaults (2SLS, covariance, the Anselin-Kelejian test, the "simple"
closed-form impacts without inference; its summary output). Each fit runs in a fresh process; both sides'
modules are imported before the clock starts (``import spreg`` loads GM_Lag's; our GMM family is imported lazily by
``fit``, so the bench imports it: with PYTHONDONTWRITEBYTECODE set, as on the shared machine, its first import
compiles the sources, 40-80 ms that a normal install does not pay).

Run: ``python -m bench gmm``. Prints the median seconds over repeats (``BENCH_GMM_REPEATS``, default 5; ours and
spreg alternate), their median CPU seconds, peak memory, the ratios of the medians (spreg / ours) and the load
average around each case.
"""

from __future__ import annotations

import os
import statistics

from bench._common import run_script
from bench.bench_models import _SETUP

_OURS = """
from libpysal.graph import Graph
from spatial import SpatialPanel
from spatial.models import fit
import spatial.models._fit_gmm  # the family's modules, imported before the clock as `import spreg` imports GM_Lag's
coo = W.tocoo()
graph = Graph.from_arrays(ids[coo.row], ids[coo.col], coo.data)
panel = SpatialPanel(frame[["id", yname, *xs]], id="id")
start, cpu_start = time.perf_counter(), time.process_time()
result = fit(panel, graph, y=yname, x=xs, model="sar", estimator="gmm", draws=1000, seed=1)
seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
assert result.effects is not None and result.effects.draws == 1000
rho = result.params["rho"]
"""

_SPREG = """
import libpysal, spreg
neighbors = {i: list(W.indices[W.indptr[i]:W.indptr[i + 1]]) for i in range(W.shape[0])}
weights = {i: list(W.data[W.indptr[i]:W.indptr[i + 1]]) for i in range(W.shape[0])}
w = libpysal.weights.W(neighbors, weights, silence_warnings=True)
y = frame[[yname]].to_numpy(); X = frame[xs].to_numpy()
start, cpu_start = time.perf_counter(), time.process_time()
out = spreg.GM_Lag(y, X, w=w, w_lags=2)
seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
rho = float(np.asarray(out.rho).ravel()[0])
"""


def main() -> None:
    repeats = int(os.environ.get("BENCH_GMM_REPEATS", "5"))
    cases = [("columbus", "Columbus (n = 49)"), ("55", "queen lattice 55 x 55 (n = 3,025)"),
             ("317", "queen lattice 317 x 317 (n = 100,489)")]
    print(f"{repeats} repeats per case, ours and spreg alternating, each fit in a fresh process; medians "
          "(min-max); load average (1 min) of the machine before and after each case")
    print(f"{'case':<38} {'ours s':>16} {'spreg s':>16} {'ratio':>6} {'ours cpu':>7} {'spreg cpu':>7} {'ratio':>5} "
          f"{'ours MB':>8} {'spreg MB':>9}  "
          f"{'load':>10}  rho (ours / spreg)")
    for case, label in cases:
        load_before = os.getloadavg()[0]
        runs: dict[str, list[dict]] = {"ours": [], "spreg": []}
        for _ in range(repeats):
            for tool, code in (("ours", _OURS), ("spreg", _SPREG)):
                done = run_script(_SETUP + code, case, tool, "gm_lag", timeout=1800)
                if done is not None:
                    runs[tool].append(done)
        if not runs["ours"] or not runs["spreg"]:
            continue
        ours, peer = ([r["seconds"] for r in runs[t]] for t in ("ours", "spreg"))
        spread = {t: f"{statistics.median(v):.2f} ({min(v):.2f}-{max(v):.2f})" for t, v in (("ours", ours), ("spreg", peer))}
        ratio = statistics.median(peer) / statistics.median(ours)
        cpu = {t: statistics.median(r["cpu_seconds"] for r in runs[t]) for t in runs}
        load = f"{load_before:.1f}-{os.getloadavg()[0]:.1f}"
        print(f"{label:<38} {spread['ours']:>16} {spread['spreg']:>16} {ratio:>5.1f}x "
              f"{cpu['ours']:>7.2f} {cpu['spreg']:>7.2f} {cpu['spreg'] / cpu['ours']:>5.1f}x "
              f"{max(r['rss_mb'] for r in runs['ours']):>8.0f} {max(r['rss_mb'] for r in runs['spreg']):>9.0f}  "
              f"{load:>10}  {runs['ours'][0]['rho']:.8f} / {runs['spreg'][0]['rho']:.8f}")
    print("ours: 2SLS + covariance + AK test + first-stage F + effects with 1000 draws; spreg: GM_Lag(w_lags=2) "
          "defaults (2SLS, covariance, AK test, closed-form impacts without inference). ratio = median spreg / "
          "median ours (wall clock); cpu: median process CPU seconds of the timed part (all threads), less "
          "sensitive to the machine's load. BENCH_GMM_REPEATS sets the repeats.")


if __name__ == "__main__":
    main()
