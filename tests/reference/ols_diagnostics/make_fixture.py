"""Generate the spreg reference values of the OLS regression diagnostics (issue 15 item 6).

Run from the repository root:  python tests/reference/ols_diagnostics/make_fixture.py
Writes baltimore.csv (from libpysal's bundled ``baltim`` example) and expected.json with the
values of spreg.OLS(..., spat_diag=False) and spreg.diagnostics.vif, and the spreg version.
"""

from __future__ import annotations

import json
from pathlib import Path

import libpysal
import numpy as np
import pandas as pd
import spreg

HERE = Path(__file__).resolve().parent
CASES = {
    "columbus": {"table": HERE.parent / "columbus_models" / "columbus.csv", "y": "CRIME", "x": ["INC", "HOVAL"]},
    "baltimore": {"table": HERE / "baltimore.csv", "y": "PRICE",
                  "x": ["NROOM", "NBATH", "PATIO", "FIREPL", "AC", "GAR", "AGE", "LOTSZ", "SQFT"]},
}


def main() -> None:
    dbf = libpysal.io.open(libpysal.examples.get_path("baltim.dbf"))
    frame = pd.DataFrame({name: dbf.by_col(name) for name in ["STATION", "PRICE", *CASES["baltimore"]["x"]]})
    frame.to_csv(HERE / "baltimore.csv", index=False)
    out = {"software": f"spreg {spreg.__version__}", "script": "tests/reference/ols_diagnostics/make_fixture.py"}
    for case, spec in CASES.items():
        data = pd.read_csv(spec["table"])
        y = data[[spec["y"]]].to_numpy(dtype=float)
        X = data[spec["x"]].to_numpy(dtype=float)
        ols = spreg.OLS(y, X, name_y=spec["y"], name_x=spec["x"], white_test=True)
        white = ols.white if isinstance(ols.white, dict) else {"wh": float("nan"), "df": None}  # refused above CI 30
        vif = spreg.diagnostics.vif(ols)
        out[case] = {
            "y": spec["y"], "x": spec["x"],
            "f": [float(ols.f_stat[0]), float(ols.f_stat[1])],
            "jarque_bera": [float(ols.jarque_bera["jb"]), int(ols.jarque_bera["df"])],
            "breusch_pagan": [float(ols.breusch_pagan["bp"]), int(ols.breusch_pagan["df"])],
            "koenker_bassett": [float(ols.koenker_bassett["kb"]), int(ols.koenker_bassett["df"])],
            "white": [float(white["wh"]), white["df"]],
            "condition_number": float(np.real(ols.mulColli)),
            "vif": {name: float(v[0]) for name, v in zip(spec["x"], vif[1:], strict=True)},
        }
    (HERE / "expected.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
