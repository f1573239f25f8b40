"""Dense LAPACK on tall, thin matrices (n x a few columns) in one BLAS thread.

OpenBLAS splits even the QR or least squares of a 3,025 x 8 matrix over its threads, and its threads
meet at a barrier after every column. When the machine's other cores are busy each barrier waits for
a time slice: measured on 2 shared cores with load average ~7, ``np.linalg.qr(H, mode="r")`` of a
3,025 x 8 H took 36-70 ms with two threads and 0.8 ms with one (``lstsq``: 36-46 ms against 0.9 ms).
These decompositions are O(n k^2) with k below ~20, far too small to gain from threads, so they run
in one; the limit is process-wide while the block runs and restored after it (threadpoolctl).

Examples
--------
>>> import numpy as np
>>> from spatial.linalg.threads import serial_blas
>>> H = np.column_stack([np.ones(50), np.arange(50.0)])
>>> with serial_blas():
...     R = np.linalg.qr(H, mode="r")
>>> round(abs(float(R[0, 0])) ** 2, 9)  # |R_00|^2 = ||H_0||^2 = 50
50.0
"""

from __future__ import annotations

from typing import Any

__all__ = ["serial_blas"]

_CONTROLLER: list[Any] = []  # one threadpoolctl controller, made at first use (it scans the loaded libraries)


def serial_blas():
    """A context manager in which BLAS and LAPACK (numpy's and scipy's OpenBLAS) run in one thread."""
    if not _CONTROLLER:
        import scipy.linalg  # noqa: F401  (scipy's own OpenBLAS must be loaded for the controller to see it)
        from threadpoolctl import ThreadpoolController

        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1, user_api="blas")
