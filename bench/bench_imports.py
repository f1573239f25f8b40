"""Start-up cost: what each command path imports, measured with ``python -X importtime``, against a budget.

Each path runs in a fresh interpreter 3 times; the best total import time is kept (the machine is
shared, the minimum is the least disturbed). ``floor`` is numpy + scipy.sparse + pandas, which any
fit needs; the budget is on the time a path adds above that floor. The heavy modules (libpysal,
scikit-learn, scipy.stats, matplotlib, folium, geopandas) must not appear on the fit path; the test
``tests/spatial/test_imports.py`` checks that, this benchmark reports the seconds.

Run: ``python -m bench imports``.
"""

from __future__ import annotations

import re
import subprocess
import sys

#: path -> (statement, budget in seconds above the floor)
PATHS = {
    "floor (numpy, scipy.sparse, pandas)": ("import numpy, scipy.sparse, pandas", None),
    "spatial --help": ("import spatial.cli", 0.15),
    "fit path (cli.fit, panel, models, weights.io)":
        ("import spatial.cli.fit, spatial.panel, spatial.models, weights.io, spatial.io", 1.0),
    "libpysal (the Graph, for comparison)": ("import libpysal.graph", None),
}
HEAVY = ("libpysal", "sklearn", "scipy.stats", "matplotlib", "folium", "geopandas")
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def _import_seconds(statement: str) -> tuple[float, list[str]]:
    """Total import time of ``statement`` (sum over top-level imports) and the heavy modules it loaded."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", statement], capture_output=True, text=True,
                          timeout=300)
    total, names = 0, set()
    for line in done.stderr.splitlines():
        match = _LINE.match(line)
        if match:
            names.add(match.group(4))
            if len(match.group(3)) == 1:  # a top-level import: its cumulative time counts once
                total += int(match.group(2))
    heavy = sorted(h for h in HEAVY if h in names)
    return total / 1e6, heavy


def main() -> None:
    results = {}
    for label, (statement, budget) in PATHS.items():
        runs = [_import_seconds(statement) for _ in range(3)]
        results[label] = (min(r[0] for r in runs), runs[0][1], budget)
    floor = results["floor (numpy, scipy.sparse, pandas)"][0]
    print(f"{'path':<48} {'import s':>9} {'above floor':>12} {'budget':>7}  heavy modules")
    for label, (seconds, heavy, budget) in results.items():
        extra = seconds - floor
        verdict = "" if budget is None else (f"{budget:>7.2f}" + ("" if extra <= budget else "  OVER BUDGET"))
        print(f"{label:<48} {seconds:>9.3f} {extra:>12.3f} {verdict:>7}  {', '.join(heavy) or '-'}")


if __name__ == "__main__":
    main()
