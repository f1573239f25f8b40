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


def _compare(label: str, ours, peer, peer_name: str, ours_name: str = "ours") -> None:
    """Time ``ours`` and ``peer`` (best of 3) and print both with the ratio (> 1: ours is faster)."""
    mine, theirs = _best(ours), _best(peer)
    print(f"{label}: {ours_name} {mine * 1e3:8.2f} ms, {peer_name} {theirs * 1e3:8.2f} ms, ratio {theirs / mine:6.2f}")


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
    y, g = data["y"].to_numpy(), data["group"].to_numpy()
    a = theil(data, "y", id="id", group="group").summary.iloc[0]
    assert np.isclose(a["between"], float(np.squeeze(TheilD(y, g).bg)), rtol=1e-10)
    _compare(
        f"theil decomposition n={n:>6}",
        lambda: theil(data, "y", id="id", group="group"),
        lambda: TheilD(y, g),
        "inequality.TheilD",
    )


def bench_q(n: int) -> None:
    from geodetector._stats import q_significance_test, q_statistic

    from spatial.indices import factor_q

    data = _cross_section(n, 4)
    y, x = data["y"].to_numpy(), data["x"].to_numpy()
    assert np.isclose(factor_q(y, x)["q"], q_statistic(y, x), rtol=1e-12)
    _compare(
        f"geodetector q + p  n={n:>6}",
        lambda: factor_q(y, x),
        lambda: (q_statistic(y, x), q_significance_test(y, x)),
        "geodetector 0.2",
    )


def bench_dagum(n: int) -> None:
    from spatial.indices import dagum_gini

    data = _cross_section(n, 4)
    y = data["y"].to_numpy()

    def pairwise() -> float:  # the textbook formula, vectorised O(n^2) memory and time
        return float(np.abs(y[:, None] - y[None, :]).sum() / (2 * n * n * y.mean()))

    assert np.isclose(dagum_gini(data, "y", id="id", group="group").summary["gini"].iloc[0], pairwise(), rtol=1e-10)
    _compare(
        f"dagum gini         n={n:>6}",
        lambda: dagum_gini(data, "y", id="id", group="group"),
        pairwise,
        "dense pairwise total only",
        ours_name="ours (full decomposition)",
    )


def main() -> None:
    for n in (300, 3000):
        bench_theil(n)
        bench_q(n)
    for n in (300, 3000, 10000):
        bench_dagum(n)
