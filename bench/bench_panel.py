"""Fixed-effects spatial panels against spreg's Panel_FE_Lag, on the same data in the same run.

Cases: Produc (48 states x 17 years), a 55 x 55 queen lattice x 10 periods (3,025 units, county
scale) and a 224 x 224 lattice x 10 periods (50,176 units, sparse path). Ours: the SDM with unit
fixed effects and with two-way fixed effects, end to end (estimation, covariance, tests, effects
with 1000 simulation draws). spreg: ``Panel_FE_Lag`` with the W X columns added by hand (an SDM
with unit effects; spreg has no two-way effects and no effects inference), estimation only. spreg
is not run on the largest case: its variance uses the dense inverse of I - rho W (n^2 = 2.5e9
entries, 20 GB). Each fit runs in a fresh process: the time includes nothing cached and the peak
memory (max RSS) is its own.

Run: ``python -m bench panel``. Prints seconds, peak memory and ratios (spreg / ours).
"""

from __future__ import annotations

import sys
import textwrap

from bench._common import QUEEN_W, run_script

_SETUP = QUEEN_W + textwrap.dedent("""
    import json, resource, sys, time, warnings
    import numpy as np, pandas as pd
    from scipy import sparse
    from scipy.sparse.linalg import splu
    warnings.simplefilter("ignore")
    T = 10

    def lattice(side):
        n = side * side
        W = queen_w(side)
        ids = np.array([f"u{i:06d}" for i in range(n)], dtype=object)
        rng = np.random.default_rng(1)
        X = rng.standard_normal((n, T, 2))
        mu, gamma = rng.standard_normal(n), rng.standard_normal(T)
        lu = splu(sparse.csc_matrix(sparse.identity(n) - 0.5 * W))
        y = np.empty((n, T))
        for t in range(T):
            mean = X[:, t] @ [1.0, -0.5] + (W @ X[:, t]) @ [0.3, 0.2] + mu + gamma[t]
            y[:, t] = lu.solve(mean + rng.standard_normal(n))
        frame = pd.DataFrame({"id": np.repeat(ids, T), "year": np.tile(np.arange(T), n), "y": y.ravel(),
                              "x1": X[:, :, 0].ravel(), "x2": X[:, :, 1].ravel()})
        return frame, W, ids, ["x1", "x2"], "y"

    def produc():
        import pathlib
        from libpysal.graph import read_gal
        ref = pathlib.Path(sys.argv[1]) / "tests" / "reference"
        frame = pd.read_csv(ref / "produc" / "produc.csv")
        states = pd.read_csv(ref / "produc" / "produc_states.csv")
        frame["id"] = frame["state"].map(dict(zip(states["produc_state"], states["id"].astype(str))))
        graph = read_gal(str(ref / "produc_effects" / "us48_queen_produc.gal")).transform("r")
        ids = np.array([str(i) for i in graph.unique_ids], dtype=object)
        for column in ("gsp", "pcap", "pc", "emp"):
            frame[column] = np.log(frame[column])
        order = {i: k for k, i in enumerate(ids)}
        frame = frame.sort_values(["id", "year"], key=lambda s: s.map(order) if s.name == "id" else s)
        return frame, sparse.csr_matrix(graph.sparse), ids, ["pcap", "pc", "emp", "unemp"], "gsp"

    case, tool, fe = sys.argv[2], sys.argv[3], sys.argv[4]
    frame, W, ids, xs, yname = produc() if case == "produc" else lattice(int(case))
""")

_OURS = textwrap.dedent("""
    from libpysal.graph import Graph
    from spatial import SpatialPanel
    from spatial.models import fit
    coo = W.tocoo()
    graph = Graph.from_arrays(ids[coo.row], ids[coo.col], coo.data)
    panel = SpatialPanel(frame[["id", "year", yname, *xs]], id="id", time="year")
    start = time.perf_counter()
    result = fit(panel, graph, y=yname, x=xs, model="sdm", fe=fe, draws=1000, seed=1)
    seconds = time.perf_counter() - start
    rho = result.params["rho"]
""")

_SPREG = textwrap.dedent("""
    import libpysal, spreg
    n = W.shape[0]
    periods = frame["year"].nunique()
    neighbors = {i: list(W.indices[W.indptr[i]:W.indptr[i + 1]]) for i in range(n)}
    weights = {i: list(W.data[W.indptr[i]:W.indptr[i + 1]]) for i in range(n)}
    w = libpysal.weights.W(neighbors, weights, silence_warnings=True)
    def long(block):  # units x periods -> spreg's long layout (all units of period 1, then period 2, ...)
        return block.reshape(-1, order="F")

    y = long(frame[yname].to_numpy().reshape(n, periods))[:, None]
    blocks = [frame[x].to_numpy().reshape(n, periods) for x in xs]
    blocks += [W @ b for b in blocks]  # the W X columns of the SDM
    X = np.column_stack([long(b) for b in blocks])
    start = time.perf_counter()
    out = spreg.Panel_FE_Lag(y, X, w)
    seconds = time.perf_counter() - start
    rho = float(out.rho)
""")


def _run(case: str, tool: str, fe: str) -> dict | None:
    return run_script(_SETUP + (_OURS if tool == "ours" else _SPREG), case, tool, fe, timeout=3600)


def main(cases: list[str] | None = None) -> None:
    labels = {"produc": "Produc (48 x 17)", "55": "lattice 55 x 55 x 10 (n = 3,025)",
              "224": "lattice 224 x 224 x 10 (n = 50,176)"}
    print(f"{'case':<36} {'fe':<7} {'ours s':>8} {'spreg s':>8} {'ratio':>7} {'ours MB':>8} {'spreg MB':>9}  "
          "rho (ours / spreg)")
    for case in cases or list(labels):
        for fe in ("unit", "twoway"):
            ours = _run(case, "ours", fe)
            peer = _run(case, "spreg", fe) if fe == "unit" and case != "224" else None
            if ours is None:
                continue
            ratio = f"{peer['seconds'] / ours['seconds']:.1f}x" if peer else "-"
            peer_s = f"{peer['seconds']:.2f}" if peer else "n/a"
            peer_mb = f"{peer['rss_mb']:.0f}" if peer else "n/a"
            rhos = f"{ours['rho']:.6f} / {peer['rho']:.6f}" if peer else f"{ours['rho']:.6f} / (n/a)"
            print(f"{labels[case]:<36} {fe:<7} {ours['seconds']:>8.2f} {peer_s:>8} {ratio:>7} "
                  f"{ours['rss_mb']:>8.0f} {peer_mb:>9}  {rhos}")
    print("ours: SDM estimation + covariance + tests + effects with 1000 draws; spreg: Panel_FE_Lag with W X columns,"
          " estimation only (no two-way effects, no effects inference).")


if __name__ == "__main__":
    main(sys.argv[1:] or None)
