"""Helpers shared by the benchmarks that run each fit in a fresh Python process."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from scipy import sparse

#: Appended to a benchmark script: prints its ``seconds``, peak memory and ``rho`` as one JSON line.
#: ``cpu_seconds`` (process CPU time of the timed part, all threads) is reported when the script sets it.
REPORT = 'print(json.dumps({"seconds": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "rho": float(rho), "cpu_seconds": globals().get("cpu_seconds")}))\n'  # noqa: E501

ROOT = str(Path(__file__).resolve().parent.parent)


def run_script(code: str, case: str, tool: str, variant: str, timeout: float) -> dict | None:
    """Run ``code + REPORT`` in a fresh process with argv ``root case tool variant``; its JSON report, or None."""
    done = subprocess.run([sys.executable, "-c", code + REPORT, ROOT, case, tool, variant], capture_output=True,
                          text=True, timeout=timeout)
    if done.returncode != 0:
        print(f"   {tool} {variant} on {case}: failed ({done.stderr.strip().splitlines()[-1:]})")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def queen_w(side: int) -> sparse.csr_matrix:
    """Row-standardised queen contiguity of a ``side`` x ``side`` lattice (n = side^2), sparse."""
    n = side * side
    index = np.arange(n).reshape(side, side)
    rows, cols = [], []
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            if dr or dc:
                a = index[max(0, -dr):side - max(0, dr), max(0, -dc):side - max(0, dc)]
                b = index[max(0, dr):side - max(0, -dr), max(0, dc):side - max(0, -dc)]
                rows.append(a.ravel())
                cols.append(b.ravel())
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    C = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    return sparse.csr_matrix(sparse.diags(1 / np.asarray(C.sum(axis=1)).ravel()) @ C)


#: The source of :func:`queen_w` with its imports, to put at the head of a benchmark script run in a fresh process.
QUEEN_W = "import numpy as np\nfrom scipy import sparse\n\n\n" + inspect.getsource(queen_w) + "\n"
