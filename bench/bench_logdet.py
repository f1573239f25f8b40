"""The sparse factorisation behind ln|I - rho W| (spatial.linalg.logdet, method "lu"): is a
Cholesky-type factorisation worth it for a W similar to a symmetric matrix?

For a row-standardised symmetric-pattern W, ``spatial.linalg`` factorises the symmetric
I - rho D^1/2 W D^-1/2 without pivoting (SuperLU's SymmetricMode with a minimum-degree ordering
of A + A'): in effect an LDL' factorisation, positive definite inside the interval of rho. The
alternative is the general pivoted LU of I - rho W. Both on queen lattices, best of 3 (the
machine is shared). A supernodal Cholesky (CHOLMOD) would need scikit-sparse and SuiteSparse,
which are not dependencies.

Run: ``python -m bench logdet``. Prints seconds, fill (nnz of L + U) and the ratio general / ours.
"""

from __future__ import annotations

import time

import numpy as np
from scipy import sparse
from scipy.sparse import linalg as sla

from bench._common import queen_w


def _lattice(side: int):
    from weights import SparseWeights

    n = side * side
    W = queen_w(side)
    return SparseWeights(unique_ids=tuple(f"u{i}" for i in range(n)), sparse=sparse.csr_array(W), transformation="R")


def _best(factorise, repeats: int = 3) -> tuple[float, int]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        lu = factorise()
        times.append(time.perf_counter() - start)
    return min(times), lu.L.nnz + lu.U.nnz


def main() -> None:
    from spatial.linalg import weights_matrix

    rho = 0.5
    print(f"{'lattice':<22} {'ours s':>8} {'general s':>10} {'ratio':>7} {'ours fill':>11} {'general fill':>13}")
    for side in (55, 317):
        w = weights_matrix(_lattice(side))
        eye = sparse.identity(w.n, format="csc")
        symmetric = (eye - rho * sparse.csc_matrix(w.symmetric_form())).tocsc()
        general = (eye - rho * sparse.csc_matrix(w.matrix)).tocsc()
        ours = _best(lambda: sla.splu(symmetric, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0,
                                      options={"SymmetricMode": True}))
        peer = _best(lambda: sla.splu(general))
        print(f"{side} x {side} (n = {w.n:,})".ljust(22) + f" {ours[0]:>8.3f} {peer[0]:>10.3f} "
              f"{peer[0] / ours[0]:>6.1f}x {ours[1]:>11,} {peer[1]:>13,}")
    print("ours: symmetric form, unpivoted (LDL'-like); general: SuperLU with partial pivoting and COLAMD.")


if __name__ == "__main__":
    main()
