"""Spatial regression fits against spreg (ML_Lag, ML_Error) on the same data, in the same run.

Cases: Columbus (49 units), a 55 x 55 queen lattice (3,025 units) and a 317 x 317 lattice
(100,489 units). Ours runs end to end (estimation, covariance, tests, and for SAR/SDM the effects
with 1000 simulation draws); spreg estimates only (it has no effects inference). Each fit runs in
a fresh process, so the time includes nothing cached and the peak memory (max RSS) is its own.
spreg is not run on the largest lattice: its ML_Lag computes the inverse of I - rho W for the
information matrix (dense with method="full"/"ord", a fully filled sparse matrix with "LU"),
n^2 = 1e10 entries, about 80 GB dense.

Run: ``python -m bench models``. Prints seconds, peak memory and ratios (spreg / ours).
"""

from __future__ import annotations

import textwrap

from bench._common import QUEEN_W, run_script

_SETUP = QUEEN_W + textwrap.dedent("""
    import json, resource, sys, time, warnings
    import numpy as np, pandas as pd
    from scipy import sparse
    from scipy.sparse.linalg import splu
    warnings.simplefilter("ignore")

    def lattice(side):
        n = side * side
        W = queen_w(side)
        ids = np.array([f"u{i:06d}" for i in range(n)], dtype=object)
        rng = np.random.default_rng(1)
        X = rng.standard_normal((n, 2))
        mean = 1 + X @ [1.0, -0.5] + (W @ X) @ [0.3, 0.2]
        y = splu(sparse.csc_matrix(sparse.identity(n) - 0.5 * W)).solve(mean + rng.standard_normal(n))
        frame = pd.DataFrame({"id": ids, "y": y, "x1": X[:, 0], "x2": X[:, 1]})
        return frame, sparse.csr_matrix(W), ids, ["x1", "x2"], "y"

    def columbus():
        import pathlib
        from libpysal.graph import read_gal
        ref = pathlib.Path(sys.argv[1]) / "tests" / "reference" / "columbus_models"
        frame = pd.read_csv(ref / "columbus.csv")
        graph = read_gal(str(ref / "columbus_queen.gal")).transform("r")
        ids = [str(i) for i in graph.unique_ids]
        frame["id"] = frame["POLYID"].astype(str)
        frame = frame.set_index("id").loc[ids].reset_index()
        return frame, sparse.csr_matrix(graph.sparse), np.array(ids, dtype=object), ["INC", "HOVAL"], "CRIME"

    case, tool, model = sys.argv[2], sys.argv[3], sys.argv[4]
    frame, W, ids, xs, yname = columbus() if case == "columbus" else lattice(int(case))
""")

_OURS = textwrap.dedent("""
    from libpysal.graph import Graph
    from spatial import SpatialPanel
    from spatial.models import fit
    coo = W.tocoo()
    graph = Graph.from_arrays(ids[coo.row], ids[coo.col], coo.data)
    panel = SpatialPanel(frame[["id", yname, *xs]], id="id")
    start = time.perf_counter()
    result = fit(panel, graph, y=yname, x=xs, model=model, draws=1000, seed=1)
    seconds = time.perf_counter() - start
    rho = result.params.get("rho", result.params.get("lambda"))
""")

_SPREG = textwrap.dedent("""
    import libpysal, spreg
    neighbors = {i: list(W.indices[W.indptr[i]:W.indptr[i + 1]]) for i in range(W.shape[0])}
    weights = {i: list(W.data[W.indptr[i]:W.indptr[i + 1]]) for i in range(W.shape[0])}
    w = libpysal.weights.W(neighbors, weights, silence_warnings=True)
    y = frame[[yname]].to_numpy(); X = frame[xs].to_numpy()
    start = time.perf_counter()
    if model == "sem":
        out = spreg.ML_Error(y, X, w, method="full")
        rho = float(out.lam)
    else:
        out = spreg.ML_Lag(y, X, w, method="full", slx_lags=1 if model == "sdm" else 0)
        rho = float(out.rho)
    seconds = time.perf_counter() - start
""")


def _run(case: str, tool: str, model: str) -> dict | None:
    return run_script(_SETUP + (_OURS if tool == "ours" else _SPREG), case, tool, model, timeout=1800)


def main() -> None:
    cases = [("columbus", "Columbus (n = 49)"), ("55", "queen lattice 55 x 55 (n = 3,025)"),
             ("317", "queen lattice 317 x 317 (n = 100,489)")]
    print(f"{'case':<38} {'model':<5} {'ours s':>8} {'spreg s':>8} {'ratio':>7} {'ours MB':>8} {'spreg MB':>9}  "
          "rho (ours / spreg)")
    for case, label in cases:
        for model in ("sar", "sdm", "sem"):
            ours = _run(case, "ours", model)
            peer = _run(case, "spreg", model) if case != "317" else None
            if ours is None:
                continue
            ratio = f"{peer['seconds'] / ours['seconds']:.1f}x" if peer else "-"
            peer_s = f"{peer['seconds']:.2f}" if peer else "n/a"
            peer_mb = f"{peer['rss_mb']:.0f}" if peer else "n/a"
            rhos = f"{ours['rho']:.6f} / {peer['rho']:.6f}" if peer else f"{ours['rho']:.6f} / (spreg: dense inverse)"
            print(f"{label:<38} {model:<5} {ours['seconds']:>8.2f} {peer_s:>8} {ratio:>7} {ours['rss_mb']:>8.0f} "
                  f"{peer_mb:>9}  {rhos}")
    print("ours: estimation + covariance + tests + effects with 1000 draws (SAR, SDM); spreg: estimation only.")


if __name__ == "__main__":
    main()
