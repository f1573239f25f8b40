"""GM lag (spatial 2SLS) against spreg's GM_Lag on the same data, in the same run.

The queen lattices of ``bench_models`` (Columbus, 3,025 and 100,489 units; y from a SAR with rho
= 0.5). Ours: ``fit(model="sar", estimator="gmm")`` end to end (instruments W X, W^2 X, 2SLS,
covariance, Anselin-Kelejian test, first-stage F, effects with 1000 simulation draws from the 2SLS
covariance). spreg: ``GM_Lag(w_lags=2)`` with its defaults (2SLS, covariance, the Anselin-Kelejian test, the "simple"
closed-form impacts without inference; its summary output). Each fit runs in a fresh process.

Run: ``python -m bench gmm``. Prints seconds, peak memory and ratios (spreg / ours).
"""

from __future__ import annotations

from bench._common import run_script
from bench.bench_models import _SETUP

_OURS = """
from libpysal.graph import Graph
from spatial import SpatialPanel
from spatial.models import fit
coo = W.tocoo()
graph = Graph.from_arrays(ids[coo.row], ids[coo.col], coo.data)
panel = SpatialPanel(frame[["id", yname, *xs]], id="id")
start = time.perf_counter()
result = fit(panel, graph, y=yname, x=xs, model="sar", estimator="gmm", draws=1000, seed=1)
seconds = time.perf_counter() - start
assert result.effects is not None and result.effects.draws == 1000
rho = result.params["rho"]
"""

_SPREG = """
import libpysal, spreg
neighbors = {i: list(W.indices[W.indptr[i]:W.indptr[i + 1]]) for i in range(W.shape[0])}
weights = {i: list(W.data[W.indptr[i]:W.indptr[i + 1]]) for i in range(W.shape[0])}
w = libpysal.weights.W(neighbors, weights, silence_warnings=True)
y = frame[[yname]].to_numpy(); X = frame[xs].to_numpy()
start = time.perf_counter()
out = spreg.GM_Lag(y, X, w=w, w_lags=2)
seconds = time.perf_counter() - start
rho = float(np.asarray(out.rho).ravel()[0])
"""


def main() -> None:
    cases = [("columbus", "Columbus (n = 49)"), ("55", "queen lattice 55 x 55 (n = 3,025)"),
             ("317", "queen lattice 317 x 317 (n = 100,489)")]
    print(f"{'case':<38} {'ours s':>8} {'spreg s':>8} {'ratio':>7} {'ours MB':>8} {'spreg MB':>9}  rho (ours / spreg)")
    for case, label in cases:
        ours = run_script(_SETUP + _OURS, case, "ours", "gm_lag", timeout=1800)
        peer = run_script(_SETUP + _SPREG, case, "spreg", "gm_lag", timeout=1800)
        if ours is None or peer is None:
            continue
        print(f"{label:<38} {ours['seconds']:>8.2f} {peer['seconds']:>8.2f} {peer['seconds'] / ours['seconds']:>6.1f}x "
              f"{ours['rss_mb']:>8.0f} {peer['rss_mb']:>9.0f}  {ours['rho']:.8f} / {peer['rho']:.8f}")
    print("ours: 2SLS + covariance + AK test + first-stage F + effects with 1000 draws; spreg: GM_Lag(w_lags=2) "
          "defaults (2SLS, covariance, AK test, closed-form impacts without inference).")


if __name__ == "__main__":
    main()
