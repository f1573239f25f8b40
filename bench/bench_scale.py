"""Issue 19's end-to-end ratios, each tool in a fresh process, whole-process wall time, one run.

1. Two-way FE SDM, n = 3,025 (55 x 55 queen lattice) x T = 10, effects with 1000 draws:
   ``spatial fit`` (the CLI, from the CSV and the GAL file) against R splm 1.6-5 (``spml`` within
   two-ways with ``lag=TRUE``, then ``impacts(R = 1000)``), Rscript from the same files. splm's ML
   has no Durbin option, so its W X columns are computed in R and enter as regressors (its effects
   then treat them as plain regressors: a timing peer, same likelihood). Goal: ours 50x faster.
2. The same model at n = 199,809 (447 x 447) x T = 10: the CLI against the Python API in a script
   (pandas CSV, ``SpatialPanel``, ``weights.read_weights``, ``fit``). Goal: CLI within 1.3x.
3. Cross-sectional SAR, n = 100,489 (317 x 317), effects with 1000 draws: the CLI against
   spatialreg 1.2-6 ``lagsarlm(method = "Matrix")`` + ``impacts(tr = trW(type = ...), R = 1000)``
   (Rscript, same files). Goal: ours 3x faster. The traces are spatialreg's Monte Carlo ones
   (``type = "MC"``, what its documentation advises for large n, and what our effects use above
   2,000 units); ``BENCH_SCALE_TRW=mult`` gives the exact powers, which at this n take longer than
   the fit (W^30 of a lattice has ~3,700 non-zeros per row).

spatialreg's simulated impacts (``R = 1000``) fail at this n ("'Sigma' is not positive definite" in
``mvrnorm``: its numerical covariance of the fit), so the peer computes the point impacts only,
which favours the peer (ours includes 1000 draws).

``BENCH_SCALE_CASES=3`` (any of 1, 2, 3, comma-separated) runs only those cases.

The rho of both sides is printed as a check that the same model was fitted (ours without the
Lee-Yu correction, as splm's default).

splm is not on CRAN's Debian packages: install it from its source, e.g.
``git clone https://github.com/cran/splm && R CMD INSTALL -l LIB splm`` (1.6-5), then run with
``R_LIBS=LIB python -m bench scale``. Without splm the R side of case 1 is skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.linalg import splu

_R_SPLM = textwrap.dedent("""
    args <- commandArgs(TRUE)
    suppressPackageStartupMessages({library(splm); library(spdep)})
    d <- read.csv(args[1])
    lw <- nb2listw(read.gal(args[2], override.id = TRUE), style = "W")
    d <- d[order(d$t, d$id), ]
    for (v in c("x1", "x2")) d[[paste0("w", v)]] <- unlist(lapply(split(d[[v]], d$t), function(x) lag.listw(lw, x)))
    d <- d[order(d$id, d$t), ]
    fit <- spml(y ~ x1 + x2 + wx1 + wx2, data = d, index = c("id", "t"), listw = lw, model = "within",
                effect = "twoways", lag = TRUE, spatial.error = "none")
    set.seed(1)
    imp <- impacts(fit, listw = lw, time = length(unique(d$t)), R = 1000)
    s <- summary(imp, zstats = TRUE)
    cat(sprintf('{"rho": %.10f}\\n', coef(fit)[["lambda"]]))
""")

_R_SPATIALREG = textwrap.dedent("""
    args <- commandArgs(TRUE)
    suppressPackageStartupMessages({library(spatialreg); library(spdep)})
    d <- read.csv(args[1])
    lw <- nb2listw(read.gal(args[2], override.id = TRUE), style = "W")
    d <- d[order(d$id), ]
    fit <- lagsarlm(y ~ x1 + x2, data = d, listw = lw, method = "Matrix")
    tr <- trW(as(lw, "CsparseMatrix"), type = args[3])
    imp <- impacts(fit, tr = tr)
    cat(sprintf('{"rho": %.10f}\\n', fit$rho))
""")

_PYTHON_API = textwrap.dedent("""
    import json, sys, time
    import pandas as pd
    import weights
    from spatial import SpatialPanel
    from spatial.models import fit
    frame = pd.read_csv(sys.argv[1], dtype={"id": str})
    panel = SpatialPanel(frame, id="id", time="t", variables=["y", "x1", "x2"])
    graph = weights.read_weights(sys.argv[2], ids=list(panel.entities)).transform("r")
    start = time.perf_counter()
    result = fit(panel, graph, y="y", x=["x1", "x2"], model="sdm", fe="twoway", lee_yu=False, draws=1000, seed=1)
    print(json.dumps({"rho": float(result.rho), "fit": time.perf_counter() - start}))
""")


def queen_lattice(side: int) -> sparse.csr_matrix:
    """Row-standardised queen contiguity of a side x side lattice (Kronecker products of a path)."""
    path = sparse.diags([np.ones(side - 1), np.ones(side - 1)], [-1, 1], format="csr")
    eye = sparse.identity(side, format="csr")
    binary = (sparse.kron(path, eye) + sparse.kron(eye, path) + sparse.kron(path, path)).tocsr()
    return sparse.diags(1.0 / np.asarray(binary.sum(axis=1)).ravel()) @ binary


def write_gal(binary: sparse.csr_matrix, path: Path) -> None:
    """GAL file, ids 1..n (the panel's ids)."""
    lines = [str(binary.shape[0])]
    for i in range(binary.shape[0]):
        neighbours = binary.indices[binary.indptr[i]:binary.indptr[i + 1]] + 1
        lines.append(f"{i + 1} {len(neighbours)}")
        lines.append(" ".join(map(str, neighbours)))
    path.write_text("\n".join(lines) + "\n", encoding="ascii")


def write_case(side: int, periods: int, folder: Path, *, rho: float = 0.4) -> tuple[Path, Path]:
    """An SDM panel (two-way effects) on the lattice, as CSV, and its GAL file."""
    W = queen_lattice(side)
    n = W.shape[0]
    rng = np.random.default_rng(side)
    solver = splu(sparse.csc_matrix(sparse.identity(n) - rho * W))
    unit = rng.standard_normal(n)
    rows = []
    for t in range(periods):
        x = rng.standard_normal((n, 2))
        mean = x @ [1.0, -0.5] + (W @ x) @ [0.3, 0.2] + unit + 0.5 * t
        y = solver.solve(mean + rng.standard_normal(n))
        rows.append(pd.DataFrame({"id": np.arange(1, n + 1), "t": 2000 + t, "y": y, "x1": x[:, 0], "x2": x[:, 1]}))
    table = folder / f"panel_{side}_{periods}.csv"
    pd.concat(rows).to_csv(table, index=False, float_format="%.10g")
    gal = folder / f"queen_{side}.gal"
    write_gal((W > 0).astype(np.int8).tocsr(), gal)
    return table, gal


def timed(command: list[str], timeout: float = 3600) -> tuple[float, float, str] | None:
    """(wall seconds, peak memory MB of that process, stdout) of one process, or None when it failed."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            print(f"   failed: {' '.join(command[:4])} ...: {err.read().strip().splitlines()[-3:]}")
            return None
        return seconds, usage.ru_maxrss / 1024, out.read()


def _cli(table: Path, gal: Path, out: Path, model: str, fe: str | None) -> list[str]:
    command = [sys.executable, "-m", "spatial", "fit", str(table), "--id", "id", "--weights", str(gal),
               "--y", "y", "--x", "x1", "x2", "--model", model, "--effects-draws", "1000", "--seed", "1",
               "--json", str(out), "--overwrite"]
    if fe:
        command += ["--time", "t", "--fe", fe, "--no-lee-yu"]
    return command


def _rho_of(path: Path) -> float:
    return float(json.loads(path.read_text(encoding="utf-8"))["params"]["rho"]["estimate"])


def _r_available(package: str) -> bool:
    done = subprocess.run(["Rscript", "-e", f"suppressPackageStartupMessages(library({package}))"],
                          capture_output=True, text=True)
    return done.returncode == 0


def _line(label: str, ours, theirs, who: str, rho_ours: float | None, rho_theirs: float | None) -> None:
    if ours is None:
        return
    text = f"{label}: ours {ours[0]:.1f} s ({ours[1]:.0f} MB)"
    if theirs is not None:
        text += f", {who} {theirs[0]:.1f} s ({theirs[1]:.0f} MB), {who}/ours {theirs[0] / ours[0]:.1f}x"
    if rho_ours is not None:
        text += f"; rho {rho_ours:.6f}" + (f" / {rho_theirs:.6f}" if rho_theirs is not None else "")
    print(text)


def main() -> None:
    env_r = os.environ.get("R_LIBS")
    cases = set(os.environ.get("BENCH_SCALE_CASES", "1,2,3").replace(" ", "").split(","))
    trw = os.environ.get("BENCH_SCALE_TRW", "MC")
    with tempfile.TemporaryDirectory(prefix="bench_scale_") as tmp:
        folder = Path(tmp)
        rscript = folder / "peer.R"
        if "1" in cases:
            _splm_case(folder, rscript, env_r)
        if "2" in cases:
            _api_case(folder)
        if "3" in cases:
            _spatialreg_case(folder, rscript, trw)


def _splm_case(folder: Path, rscript: Path, env_r: str | None) -> None:
    table, gal = write_case(55, 10, folder)
    ours = timed(_cli(table, gal, folder / "sdm.json", "sdm", "twoway"))
    peer = None
    rho_peer = None
    if _r_available("splm"):
        rscript.write_text(_R_SPLM, encoding="utf-8")
        peer = timed(["Rscript", str(rscript), str(table), str(gal)])
        rho_peer = json.loads(peer[2].strip().splitlines()[-1])["rho"] if peer else None
    else:
        print(f"   splm is not installed (R_LIBS={env_r!r}); see this module's docstring")
    _line("two-way FE SDM n=3,025 x T=10, 1000 draws, CLI vs R splm", ours, peer, "splm",
          _rho_of(folder / "sdm.json") if ours else None, rho_peer)


def _api_case(folder: Path) -> None:
    table, gal = write_case(447, 10, folder)
    script = folder / "api.py"
    script.write_text(_PYTHON_API, encoding="utf-8")
    api = timed([sys.executable, str(script), str(table), str(gal)])
    cli = timed(_cli(table, gal, folder / "big.json", "sdm", "twoway"))
    if api and cli:
        inside = json.loads(api[2].strip().splitlines()[-1])
        print(f"two-way FE SDM n=199,809 x T=10, 1000 draws: CLI {cli[0]:.1f} s ({cli[1]:.0f} MB), Python API "
              f"{api[0]:.1f} s ({api[1]:.0f} MB; fit() alone {inside['fit']:.1f} s), CLI/API "
              f"{cli[0] / api[0]:.2f}x; rho {_rho_of(folder / 'big.json'):.6f} / {inside['rho']:.6f}")


def _spatialreg_case(folder: Path, rscript: Path, trw: str) -> None:
    table, gal = write_case(317, 1, folder)
    ours = timed(_cli(table, gal, folder / "sar.json", "sar", None))
    rscript.write_text(_R_SPATIALREG, encoding="utf-8")
    peer = timed(["Rscript", str(rscript), str(table), str(gal), trw])
    _line(f"SAR n=100,489 with effects (1000 draws), CLI vs spatialreg Matrix (trW {trw})", ours, peer,
          "spatialreg",
          _rho_of(folder / "sar.json") if ours else None,
          json.loads(peer[2].strip().splitlines()[-1])["rho"] if peer else None)


if __name__ == "__main__":
    main()
