"""Reference covariances of linearmodels for the robust covariances of spatial.models (issue 15).

Run from the repository root with a Python that has linearmodels (NOT a runtime dependency):

    python3 -m venv /tmp/lmvenv && /tmp/lmvenv/bin/pip install linearmodels==7.1
    /tmp/lmvenv/bin/python tests/reference/robust_linearmodels/make_fixture.py

It writes ``expected.json`` beside itself. Data: Munnell's Produc panel as copied in
``tests/reference/produc/produc.csv`` (48 states x 1970-1986); model
``log(gsp) ~ log(pcap) + log(pc) + log(emp) + unemp``. The panel is fitted by linearmodels' own
``PanelOLS`` (its own demeaning) and ``IV2SLS`` (cross-section 1986); nothing of ``spatial`` is
imported.

Two sets per case:

* ``default``: the small-sample factors that spatial.models uses for least squares, which are
  linearmodels' ``debiased=True`` with ``group_debias=True`` for clusters (Stata's ``vce(cluster)``);
  effects counted as linearmodels does (``auto_df``: unit effects under unit clusters are not).
* ``raw``: ``debiased=False``, ``group_debias=False`` and ``count_effects=False`` (no factor at all):
  the plain sandwich (X'X)^-1 M (X'X)^-1, which the ML sandwich with rho fixed at 0 reproduces up to
  its own documented factor (N/(N-1) robust, G/(G-1) cluster, 1 Driscoll-Kraay).
"""

from __future__ import annotations

import json
import platform
from pathlib import Path

import linearmodels
import numpy as np
import pandas as pd
from linearmodels.iv import IV2SLS
from linearmodels.panel import PanelOLS

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "produc" / "produc.csv"
X = ["log(pcap)", "log(pc)", "log(emp)", "unemp"]
FE = {"none": (False, False), "unit": (True, False), "time": (False, True), "twoway": (True, True)}


def load() -> pd.DataFrame:
    table = pd.read_csv(DATA)
    frame = pd.DataFrame({
        "state": table["state"], "year": table["year"], "log(gsp)": np.log(table["gsp"]),
        "log(pcap)": np.log(table["pcap"]), "log(pc)": np.log(table["pc"]), "log(emp)": np.log(table["emp"]),
        "unemp": table["unemp"].astype(float),
    })
    return frame.set_index(["state", "year"]).sort_index()


def as_dict(res, names) -> dict:
    cov = res.cov.loc[names, names]
    return {"names": names, "params": res.params[names].tolist(), "cov": cov.to_numpy().tolist()}


def panel_cases(frame: pd.DataFrame) -> dict:
    out = {}
    for fe, (entity, time) in FE.items():
        exog = frame[X].copy()
        names = list(X)
        if fe == "none":
            exog.insert(0, "const", 1.0)
            names = ["const", *X]
        model = PanelOLS(frame["log(gsp)"], exog, entity_effects=entity, time_effects=time)
        for kind, options in (("robust", dict(cov_type="robust")),
                              ("cluster", dict(cov_type="clustered", cluster_entity=True)),
                              ("driscoll_kraay", dict(cov_type="kernel")),
                              ("driscoll_kraay_bw1", dict(cov_type="kernel", bandwidth=1))):
            default = dict(options, debiased=True)
            if kind == "cluster":
                default["group_debias"] = True
            raw = dict(options, debiased=False, auto_df=False, count_effects=False)
            out[f"{fe}/{kind}"] = {"default": as_dict(model.fit(**default), names),
                                   "raw": as_dict(model.fit(**raw), names)}
    return out


def cross_section(frame: pd.DataFrame) -> dict:
    one = frame.xs(1986, level="year")
    exog = one[X].copy()
    exog.insert(0, "const", 1.0)
    names = ["const", *X]
    model = IV2SLS(one["log(gsp)"], exog, None, None)
    return {"default": as_dict(model.fit(cov_type="robust", debiased=True), names),
            "raw": as_dict(model.fit(cov_type="robust", debiased=False), names)}


def main() -> None:
    frame = load()
    expected = {
        "software": {"linearmodels": linearmodels.__version__, "numpy": np.__version__, "pandas": pd.__version__,
                     "python": platform.python_version()},
        "data": "tests/reference/produc/produc.csv",
        "y": "log(gsp)", "x": X,
        "bandwidth_rule": "floor(4 (T/100)^(2/9)) = 2 for T = 17 (linearmodels' default for cov_type='kernel')",
        "panel": panel_cases(frame),
        "cross_section_1986/robust": cross_section(frame),
    }
    (HERE / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")


if __name__ == "__main__":
    main()
