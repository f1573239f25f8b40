"""The Bayesian comparison in the selection, the CLI (``spatial bayes``, ``spatial select``), the config and the report."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from libpysal.graph import Graph

from spatial import SpatialPanel, datasets
from spatial.cli import main
from spatial.errors import SpatialPanelError
from spatial.models import compare_bayes, select
from tests.conftest import folder_snapshot
from tests.helpers import produc_run_config

X = ["log(pcap)", "log(pc)", "log(emp)", "unemp"]


@pytest.fixture(scope="module")
def produc():
    states = datasets.load("us48_states")
    panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year", geometry=states)
    w = Graph.build_contiguity(states.set_index("fips"), rook=False).transform("r")
    return panel, w


@pytest.fixture(scope="module")
def choice(produc):
    panel, w = produc
    return select(panel, w, y="log(gsp)", x=X, random_effects=False)


def test_selection_shows_the_bayesian_table_beside_the_tests(produc, choice):
    panel, w = produc
    assert choice.fe == "twoway" and choice.bayes is not None and choice.bayes.fe == "twoway"
    alone = compare_bayes(panel, w, y="log(gsp)", x=X, fe="twoway")
    np.testing.assert_allclose(choice.bayes.log_marginals, alone.log_marginals, rtol=0, atol=1e-9)
    text = choice.summary()
    assert text.index("Recommended:") < text.index("Bayesian model comparison") and "SDEM" in text
    assert any(r.startswith("Bayesian comparison (twoway fixed effects") for r in choice.reasons)
    data = json.loads(json.dumps(choice.to_dict(), allow_nan=False))
    assert [row["model"] for row in data["bayesian"]["table"]] == ["ols", "slx", "sar", "sdm", "sem", "sdem"]
    assert data["bayesian"]["best"] == alone.best


def test_selection_refuses_bad_priors_before_fitting(produc):
    panel, w = produc
    with pytest.raises(SpatialPanelError, match="sum to 1"):
        select(panel, w, y="log(gsp)", x=X, priors={m: 0.2 for m in ("ols", "slx", "sar", "sdm", "sem", "sdem")})
    with pytest.raises(SpatialPanelError, match="missing: ols, slx"):
        select(panel, w, y="log(gsp)", x=X, priors={"sar": 0.25, "sdm": 0.25, "sem": 0.25, "sdem": 0.25})
    with pytest.raises(SpatialPanelError, match="need bayes=True"):
        select(panel, w, y="log(gsp)", x=X, bayes=False, priors={"sar": 1.0})


def _produc_csv(tmp_path):
    path = tmp_path / "produc.csv"
    datasets.load("us_produc").to_csv(path, index=False)
    return path


def test_cli_bayes_writes_json_and_csv(tmp_path, capsys):
    data = _produc_csv(tmp_path)
    args = ["bayes", str(data), "--id", "fips", "--time", "year", "--fe", "unit", "--y", "log(gsp)", "--x", *X,
            "--contiguity", "queen", "--boundaries", "us48_states", "--models", "sar", "sdm", "sem", "sdem",
            "--prior", "sar=0.4", "--prior", "sdm=0.2", "--prior", "sem=0.2", "--prior", "sdem=0.2",
            "--json", str(tmp_path / "b.json"), "--csv", str(tmp_path / "b.csv")]
    assert main(args) == 0
    assert "Bayesian model comparison" in capsys.readouterr().out
    data = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert data["fe"] == "unit" and [r["prior"] for r in data["table"]] == [0.4, 0.2, 0.2, 0.2]
    table = pd.read_csv(tmp_path / "b.csv", encoding="utf-8-sig")
    assert list(table["model"]) == ["sar", "sdm", "sem", "sdem"]
    assert table["probability"].sum() == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("extra, message", [
    (["--prior", "sar=0.5", "--prior", "sem=0.6", "--models", "sar", "sem"], "must sum to 1"),
    (["--prior", "sar=-0.5", "--prior", "sem=1.5", "--models", "sar", "sem"], "is negative"),
    (["--prior", "sar:0.5"], "MODEL=PROBABILITY"),
    (["--models", "sar", "sac"], "not covered: sac"),
])
def test_cli_bayes_refuses_bad_input_and_writes_nothing(tmp_path, capsys, extra, message):
    data = _produc_csv(tmp_path)
    before = folder_snapshot(tmp_path)
    args = ["bayes", str(data), "--id", "fips", "--time", "year", "--y", "log(gsp)", "--x", *X,
            "--contiguity", "queen", "--boundaries", "us48_states", "--json", str(tmp_path / "b.json"), *extra]
    assert main(args) == 2
    assert message in capsys.readouterr().err
    assert folder_snapshot(tmp_path) == before


def test_cli_select_json_has_the_bayesian_table_unless_turned_off(tmp_path, capsys):
    data = _produc_csv(tmp_path)
    base = ["select", str(data), "--id", "fips", "--time", "year", "--y", "log(gsp)", "--x", *X,
            "--contiguity", "queen", "--boundaries", "us48_states", "--no-random-effects"]
    assert main([*base, "--json", str(tmp_path / "a.json")]) == 0
    assert json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["bayesian"]["fe"] == "twoway"
    assert main([*base, "--no-bayes", "--json", str(tmp_path / "b.json")]) == 0
    assert json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["bayesian"] is None
    capsys.readouterr()
    assert main([*base, "--no-bayes", "--prior", "sar=1"]) == 2
    assert "--no-bayes" in capsys.readouterr().err


CONFIG = produc_run_config("""
models = ["ols", "sar"]
period = 1986
bayes = true
bayes_models = ["sar", "sem"]
draws = 0
table_formats = ["csv"]
[models.bayes_priors]
sar = 0.5
sem = 0.5
[report]
""", variables=True)


def test_config_runs_the_comparison_alone_and_the_report_shows_it(tmp_path, capsys):
    (tmp_path / "c.toml").write_text(CONFIG, encoding="utf-8")
    assert main(["report", str(tmp_path / "c.toml")]) == 0
    out = tmp_path / "out"
    data = json.loads((out / "models_bayes.json").read_text(encoding="utf-8"))
    assert data["n_periods"] == 1 and [r["model"] for r in data["table"]] == ["sar", "sem"]
    assert pd.read_csv(out / "models_bayes.csv", encoding="utf-8-sig")["probability"].sum() == pytest.approx(1.0)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "posterior model probabilities" in html and "Gauss-Kronrod" in html and "Posterior probability" in html


def test_the_report_in_chinese_labels_the_table(tmp_path, capsys):
    (tmp_path / "c.toml").write_text(CONFIG.replace("[report]", '[report]\nlang = "zh"'), encoding="utf-8")
    assert main(["report", str(tmp_path / "c.toml")]) == 0
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "贝叶斯模型比较" in html and "后验概率" in html and "对数边际似然" in html


def test_config_refuses_bad_priors_before_any_output(tmp_path, capsys):
    (tmp_path / "c.toml").write_text(CONFIG.replace("sem = 0.5", "sem = 0.7"), encoding="utf-8")
    before = folder_snapshot(tmp_path)
    assert main(["run", str(tmp_path / "c.toml")]) == 2
    assert "bayes_priors" in capsys.readouterr().err
    assert folder_snapshot(tmp_path) == before
    (tmp_path / "c.toml").write_text(CONFIG.replace('["sar", "sem"]', '["sar", "sac"]'), encoding="utf-8")
    assert main(["run", str(tmp_path / "c.toml")]) == 2
    assert "bayes_models = 'sac' is not allowed; choose from 'ols', 'slx'" in capsys.readouterr().err


def test_bayes_journal_table_in_every_format_and_in_chinese(produc, tmp_path):
    """The comparison through the journal-table builder of spatial fit --table: the numbers as the comparison
    holds them (3 decimals), the note with the priors and the quadrature, headers and note in Chinese."""
    from docx import Document

    from spatial.models import bayes_table

    panel, w = produc
    comparison = compare_bayes(panel, w, y="log(gsp)", x=X, fe="unit", models=["sar", "sem"])
    en, zh = bayes_table(comparison), bayes_table(comparison, lang="zh", digits=4)
    best = comparison.table.set_index("model").loc[comparison.best]
    row = comparison.best.upper()
    assert list(en.frame.index) == ["SAR", "SEM"]
    assert en.frame.loc[row, "Log-marginal likelihood"] == f"{best['log_marginal']:.3f}"
    assert zh.frame.loc[row, "后验概率"] == f"{best['probability']:.4f}" and float(zh.frame.loc[row, "后验概率"]) > 0.5
    assert zh.title == "贝叶斯模型比较" and zh.notes[0].startswith("注：对数边际似然") and "个体固定效应" in zh.notes[0]
    assert "Gauss-Kronrod" in en.notes[0]
    for suffix in ("txt", "md", "csv", "html", "tex", "xlsx", "docx"):
        zh.write(tmp_path / f"b.{suffix}")
    tex = (tmp_path / "b.tex").read_text(encoding="utf-8")
    assert r"\toprule" in tex and "对数边际似然" in tex and f"{best['log_marginal']:.4f}" in tex
    cells = [c.text.strip() for r in Document(str(tmp_path / "b.docx")).tables[0].rows for c in r.cells]
    assert "后验概率" in cells and row in cells and f"{best['probability']:.4f}" in cells
    with pytest.raises(SpatialPanelError, match="digits must be an integer from 0 to 10"):
        bayes_table(comparison, digits=11)


def test_cli_bayes_table_and_config_bayes_tables(tmp_path, capsys):
    data = _produc_csv(tmp_path)
    args = ["bayes", str(data), "--id", "fips", "--time", "year", "--fe", "unit", "--y", "log(gsp)", "--x", *X,
            "--contiguity", "queen", "--boundaries", "us48_states", "--models", "sar", "sem", "--lang", "zh",
            "--table", str(tmp_path / "b.tex"), "--json", str(tmp_path / "b.json")]
    assert main(args) == 0, capsys.readouterr().err
    assert "对数边际似然" in (tmp_path / "b.tex").read_text(encoding="utf-8")
    capsys.readouterr()
    assert main([*args[:-4], "--table", str(tmp_path / "same.json"), "--json", str(tmp_path / "same.json")]) == 2
    assert "--json and --table name the same file" in capsys.readouterr().err

    config = CONFIG.replace('table_formats = ["csv"]', 'table_formats = ["docx", "tex"]\nlanguage = "zh"')
    (tmp_path / "c.toml").write_text(config, encoding="utf-8")
    assert main(["run", str(tmp_path / "c.toml")]) == 0, capsys.readouterr().err
    out = tmp_path / "out"
    assert "贝叶斯模型比较" in (out / "models_bayes_table.tex").read_text(encoding="utf-8")
    assert (out / "models_bayes_table.docx").stat().st_size > 0
