"""Dense LAPACK on tall, thin matrices (n x a few columns) in one BLAS thread.

OpenBLAS splits even the QR or least squares of a 3,025 x 8 matrix over its threads, and its threads
meet at a barrier after every column. When the machine's other cores are busy each barrier waits for
a time slice: measured on 2 shared cores with load average ~7, ``np.linalg.qr(H, mode="r")`` of a
3,025 x 8 H took 36-70 ms with two threads and 0.8 ms with one (``lstsq``: 36-46 ms against 0.9 ms).
These decompositions are O(n k^2) with k below ~20, far too small to gain from threads, so they run
in one; the limit is process-wide while the block runs and restored after it (threadpoolctl). Small
k x k inverses (``scipy.linalg.inv`` of 8 x 8) also took 6-17 ms at times with threads on the busy machine.

Examples
--------
>>> import numpy as np
>>> from spatial.linalg.threads import serial_blas
>>> H = np.column_stack([np.ones(600), np.arange(600.0)])
>>> with serial_blas(len(H)):
...     R = np.linalg.qr(H, mode="r")
>>> round(abs(float(R[0, 0])) ** 2, 6)  # |R_00|^2 = ||H_0||^2 = 600
600.0
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

__all__ = ["serial_blas", "SERIAL_FROM_ROWS"]

#: Below this many rows OpenBLAS kept these decompositions in one thread by itself (the smallest threaded one
#: measured: lstsq of 500 x 8), so no limit is set and threadpoolctl's library scan (~20 ms of CPU) is skipped.
SERIAL_FROM_ROWS = 500

_CONTROLLER: list[Any] = []  # one threadpoolctl controller, made at first use (it scans the loaded libraries)


def serial_blas(rows: int):
    """A context manager in which BLAS and LAPACK (numpy's and scipy's OpenBLAS) run in one thread, for a
    block working on matrices of ``rows`` rows (a no-op below :data:`SERIAL_FROM_ROWS`)."""
    if rows < SERIAL_FROM_ROWS:
        return nullcontext()
    if not _CONTROLLER:
        import scipy.linalg  # noqa: F401  (scipy's own OpenBLAS must be loaded for the controller to see it)
        from threadpoolctl import ThreadpoolController

        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1, user_api="blas")
