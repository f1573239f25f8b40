"""Regional indices against peers: Theil decomposition vs PySAL ``inequality`` (TheilD), the
geographical detector's q and p-value vs the PyPI ``geodetector`` package, and our O(n log n)
Dagum Gini against the textbook O(n^2) pairwise formula. Ratios > 1 mean we are faster.

Peers are test extras (``pip install -e '.[test]'``), not runtime dependencies.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd


def _best(func, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def _cross_section(n: int, groups: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "id": [f"{i:05d}" for i in range(n)],
            "y": rng.lognormal(size=n),
            "group": [f"g{i % groups}" for i in range(n)],
            "x": rng.integers(0, 6, size=n),
        }
    )


def bench_theil(n: int) -> None:
    from inequality.theil import TheilD

    from spatial.indices import theil

    data = _cross_section(n, 4)
    ours = _best(lambda: theil(data, "y", id="id", group="group"))
    peer = _best(lambda: TheilD(data["y"].to_numpy(), data["group"].to_numpy()))
    a = theil(data, "y", id="id", group="group").summary.iloc[0]
    b = TheilD(data["y"].to_numpy(), data["group"].to_numpy())
    assert np.isclose(a["between"], float(np.squeeze(b.bg)), rtol=1e-10)
    print(
        f"theil decomposition n={n:>6}: ours {ours * 1e3:8.2f} ms, inequality.TheilD {peer * 1e3:8.2f} ms, "
        f"ratio {peer / ours:6.2f}"
    )


def bench_q(n: int) -> None:
    from geodetector._stats import q_significance_test, q_statistic

    from spatial.indices import factor_q

    data = _cross_section(n, 4)
    y, x = data["y"].to_numpy(), data["x"].to_numpy()
    ours = _best(lambda: factor_q(y, x))
    peer = _best(lambda: (q_statistic(y, x), q_significance_test(y, x)))
    assert np.isclose(factor_q(y, x)["q"], q_statistic(y, x), rtol=1e-12)
    print(
        f"geodetector q + p  n={n:>6}: ours {ours * 1e3:8.2f} ms, geodetector 0.2 {peer * 1e3:8.2f} ms, "
        f"ratio {peer / ours:6.2f}"
    )


def bench_dagum(n: int) -> None:
    from spatial.indices import dagum_gini

    data = _cross_section(n, 4)
    y, g = data["y"].to_numpy(), data["group"].to_numpy()

    def pairwise() -> float:  # the textbook formula, vectorised O(n^2) memory and time
        return float(np.abs(y[:, None] - y[None, :]).sum() / (2 * n * n * y.mean()))

    ours = _best(lambda: dagum_gini(data, "y", id="id", group="group"))
    peer = _best(pairwise)
    assert np.isclose(dagum_gini(data, "y", id="id", group="group").summary["gini"].iloc[0], pairwise(), rtol=1e-10)
    _ = g
    print(
        f"dagum gini         n={n:>6}: ours (full decomposition) {ours * 1e3:8.2f} ms, "
        f"dense pairwise total only {peer * 1e3:8.2f} ms, ratio {peer / ours:6.2f}"
    )


def main() -> None:
    for n in (300, 3000):
        bench_theil(n)
        bench_q(n)
    for n in (300, 3000, 10000):
        bench_dagum(n)
