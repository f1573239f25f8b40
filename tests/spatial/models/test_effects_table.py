"""The standalone effects table (OUTPUTS.md section 2): regressors as rows, Direct | Indirect | Total."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from libpysal.graph import read_gal

from spatial import SpatialPanel
from spatial.errors import SpatialPanelError
from spatial.models import effects_table, fit

REF = Path(__file__).resolve().parents[2] / "reference" / "columbus_models"


@pytest.fixture(scope="module")
def fitted():
    data = pd.read_csv(REF / "columbus.csv")
    panel = SpatialPanel(data, id="POLYID", variables=["CRIME", "INC", "HOVAL"])
    w = read_gal(str(REF / "columbus_queen.gal")).transform("r")
    kw = dict(y="CRIME", x=["INC", "HOVAL"], draws=0, inference="delta")
    return {"sar": fit(panel, w, model="sar", **kw), "sdm": fit(panel, w, model="sdm", **kw),
            "ols": fit(panel, w, model="ols", **kw), "w": w}


def test_estimates_are_the_effects_of_the_model(fitted):
    """Direct = mean diag((I - rho W)^-1) beta, total = beta / (1 - rho) for a row-standardised W,
    computed here with a dense inverse, independently of spatial.models.effects."""
    sar, w = fitted["sar"], fitted["w"]
    dense = w.sparse.toarray()  # the trace and the row sums do not depend on the order of the units
    rho = float(sar.params["rho"])
    inverse = np.linalg.inv(np.eye(len(dense)) - rho * dense)
    table = effects_table(sar, digits=4)
    for name in ("INC", "HOVAL"):
        beta = float(sar.params[name])
        direct, total = np.trace(inverse) / len(dense) * beta, beta / (1 - rho)
        assert table.frame.loc[name, "Direct"].rstrip("*") == f"{direct:.4f}"
        assert table.frame.loc[name, "Total"].rstrip("*") == f"{total:.4f}"
        assert table.frame.loc[name, "Indirect"].rstrip("*") == f"{total - direct:.4f}"


def test_stars_statistic_below_one_precision(fitted):
    sar = fitted["sar"]
    table = effects_table(sar, stat="z", digits=3)
    frame = table.frame
    assert list(frame.columns) == ["Direct", "Indirect", "Total"] and table.stub == "Variable"
    row = list(frame.index).index("INC")
    assert frame.index[row + 1] == ""
    z = sar.effects.zstats.at["INC", "direct"]
    assert frame.iloc[row + 1]["Direct"] == f"({z:.3f})"
    p = sar.effects.pvalues.at["INC", "direct"]
    assert frame.iloc[row]["Direct"].endswith("***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else "")
    for cell in frame.to_numpy().ravel():  # every number with three decimals, no exponent, no separator
        number = cell.strip("()*")
        assert "e" not in number and "," not in number and len(number.split(".")[1]) == 3
    assert "z statistics" in table.notes[0] and "*** p<1%" in table.notes[0]


def test_beside_chinese_labels_and_blocks(fitted):
    table = effects_table({"W1": fitted["sar"], "W2": fitted["sdm"], "OLS": fitted["ols"]}, lang="zh",
                          position="beside", labels={"INC": "收入", "HOVAL": "房价"})
    assert list(table.frame.columns) == ["W1 直接效应", "W1 间接效应", "W1 总效应",
                                         "W2 直接效应", "W2 间接效应", "W2 总效应"]  # OLS has no effects
    assert list(table.frame.index) == ["收入", "房价"] and table.stub == "变量"
    assert table.frame.loc["收入", "W1 直接效应"].endswith(")") and " (" in table.frame.loc["收入", "W1 直接效应"]
    assert table.notes[0].startswith("注：括号内为z统计量")
    assert "<th>变量</th>" in table.to_html() and "| 变量 |" in table.to_markdown()
    assert table.to_latex().count("变量 &") == 1


def test_refusals(fitted):
    with pytest.raises(SpatialPanelError, match="no result has effects"):
        effects_table(fitted["ols"])
    with pytest.raises(SpatialPanelError, match="position"):
        effects_table(fitted["sar"], position="left")
    with pytest.raises(SpatialPanelError, match="in no model"):
        effects_table(fitted["sar"], labels={"INCOME": "x"})


@pytest.mark.skipif(shutil.which("xelatex") is None or shutil.which("kpsewhich") is None,
                    reason="xelatex not installed (Debian: texlive-xetex texlive-lang-chinese)")
def test_chinese_tables_compile_with_xelatex(fitted, tmp_path):
    """Chinese labels need xeCJK: the standalone documents compile with xelatex (effects and models)."""
    import subprocess

    from spatial.models import compare

    if not subprocess.run(["kpsewhich", "xeCJK.sty"], capture_output=True, text=True).stdout.strip():
        pytest.skip("xeCJK not installed (Debian: texlive-lang-chinese)")
    labels = {"INC": "收入 & 100%", "HOVAL": "房价"}
    documents = {"effects": effects_table([fitted["sar"], fitted["sdm"]], lang="zh", labels=labels),
                 "models": compare([fitted["ols"], fitted["sar"], fitted["sdm"]], lang="zh", effects=True,
                                   layout="columns", labels=labels)}
    for name, table in documents.items():
        (tmp_path / f"{name}.tex").write_text(table.to_latex(document=True), encoding="utf-8")
        run = subprocess.run(["xelatex", "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stdout[-2000:]
        assert "Missing character" not in (tmp_path / f"{name}.log").read_text(encoding="utf-8", errors="replace")
