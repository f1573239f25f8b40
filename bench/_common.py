"""Helpers shared by the benchmarks that run each fit in a fresh Python process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

#: Appended to a benchmark script: prints its ``seconds``, peak memory and ``rho`` as one JSON line.
REPORT = 'print(json.dumps({"seconds": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "rho": float(rho)}))\n'  # noqa: E501

ROOT = str(Path(__file__).resolve().parent.parent)


def run_script(code: str, case: str, tool: str, variant: str, timeout: float) -> dict | None:
    """Run ``code + REPORT`` in a fresh process with argv ``root case tool variant``; its JSON report, or None."""
    done = subprocess.run([sys.executable, "-c", code + REPORT, ROOT, case, tool, variant], capture_output=True,
                          text=True, timeout=timeout)
    if done.returncode != 0:
        print(f"   {tool} {variant} on {case}: failed ({done.stderr.strip().splitlines()[-1:]})")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])
