"""``spatial fit`` as a user runs it: summary, JSON keys, tables, exit codes, no overwriting."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from spatial.cli import main
from tests.conftest import folder_snapshot

REF = Path(__file__).resolve().parents[1] / "reference" / "columbus_models"


@pytest.fixture
def columbus(tmp_path):
    for name in ("columbus.csv", "columbus_queen.gal"):
        shutil.copy(REF / name, tmp_path / name)
    return tmp_path


def test_fit_prints_and_writes_json(columbus, capsys):
    code = main(["fit", str(columbus / "columbus.csv"), "--id", "POLYID", "--y", "CRIME", "--x", "INC", "HOVAL",
                 "--model", "sdm", "--weights", str(columbus / "columbus_queen.gal"), "--effects-draws", "200",
                 "--seed", "4", "--json", str(columbus / "sdm.json"), "--table", str(columbus / "sdm.csv")])
    assert code == 0
    out = capsys.readouterr().out
    assert "SDM (spatial Durbin)" in out and "W*INC" in out and "Effects" in out
    data = json.loads((columbus / "sdm.json").read_text(encoding="utf-8"))
    assert data["model"] == "sdm" and data["nobs"] == 49
    assert data["params"]["rho"]["estimate"] == pytest.approx(0.403462617682371, rel=1e-6)
    assert set(data["params"]["W*INC"]) == {"estimate", "std_error", "z", "p_value"}
    assert data["loglik"] == pytest.approx(-181.639254440351, rel=1e-8)
    assert data["effects"]["INC"]["direct"]["estimate"] == pytest.approx(-1.02498783531283, rel=1e-6)
    assert set(data["effects"]["INC"]) == {"direct", "indirect", "total"}
    assert data["effects_method"]["seed"] == 4 and data["effects_method"]["draws"] == 200
    for key in ("sigma2", "aic", "tests"):
        assert key in data
    assert (columbus / "sdm.csv").exists()


def test_fit_with_comma_separated_terms_and_logs(columbus, capsys):
    code = main(["fit", "--data", str(columbus / "columbus.csv"), "--id", "POLYID", "--y", "log(CRIME)",
                 "--x", "log(INC),HOVAL", "--model", "sem", "--weights", str(columbus / "columbus_queen.gal")])
    assert code == 0
    assert "log(INC)" in capsys.readouterr().out


def test_fit_contiguity_from_boundaries(tmp_path, capsys):
    from spatial import datasets

    table = datasets.load("us_produc")
    table[table["year"].astype(int) == 1986].to_csv(tmp_path / "produc86.csv", index=False)
    code = main(["fit", str(tmp_path / "produc86.csv"), "--id", "fips", "--y", "log(gsp)",
                 "--x", "log(pcap)", "log(emp)", "--model", "sar", "--contiguity", "queen",
                 "--boundaries", str(datasets.path("us48_states")), "--effects-draws", "0"])
    assert code == 0
    assert "48 units" in capsys.readouterr().out


def test_fit_refuses_existing_output_before_estimating(columbus, capsys):
    (columbus / "out.json").write_text("keep me")
    before = folder_snapshot(columbus)
    code = main(["fit", str(columbus / "columbus.csv"), "--id", "POLYID", "--y", "CRIME", "--x", "INC",
                 "--weights", str(columbus / "columbus_queen.gal"), "--json", str(columbus / "out.json")])
    assert code == 2
    assert "already exists" in capsys.readouterr().err
    assert folder_snapshot(columbus) == before


def test_fit_unknown_variable_is_exit_2_with_a_suggestion(columbus, capsys):
    before = folder_snapshot(columbus)
    code = main(["fit", str(columbus / "columbus.csv"), "--id", "POLYID", "--y", "CRIME", "--x", "INCOME",
                 "--weights", str(columbus / "columbus_queen.gal"), "--json", str(columbus / "x.json")])
    assert code == 2
    err = capsys.readouterr().err
    assert "INCOME" in err and "INC" in err
    assert folder_snapshot(columbus) == before


def test_fit_needs_exactly_one_weights_source(columbus, capsys):
    code = main(["fit", str(columbus / "columbus.csv"), "--id", "POLYID", "--y", "CRIME", "--x", "INC"])
    assert code == 2
    assert "--weights" in capsys.readouterr().err


def test_fit_table_with_labels_digits_and_columns(columbus, capsys):
    (columbus / "labels.csv").write_text("variable,label\nHOVAL,房价\n", encoding="utf-8-sig")
    code = main(["fit", str(columbus / "columbus.csv"), "--id", "POLYID", "--y", "CRIME", "--x", "INC", "HOVAL",
                 "--model", "sdm", "--weights", str(columbus / "columbus_queen.gal"), "--effects-draws", "50",
                 "--labels", "INC=收入", "--labels", str(columbus / "labels.csv"), "--digits", "2",
                 "--table-layout", "columns", "--lang", "zh", "--table", str(columbus / "sdm.tex")])
    assert code == 0
    latex = (columbus / "sdm.tex").read_text(encoding="utf-8")
    assert "收入" in latex and "房价" in latex and "HOVAL" not in latex and r"W$\times$X" in latex
    assert "-181.64" in latex and "-181.639" not in latex  # the log-likelihood to 2 decimals


def test_fit_refuses_a_label_typo_before_estimating(columbus, capsys):
    before = folder_snapshot(columbus)
    code = main(["fit", str(columbus / "columbus.csv"), "--id", "POLYID", "--y", "CRIME", "--x", "INC",
                 "--model", "sar", "--weights", str(columbus / "columbus_queen.gal"), "--labels", "HOVL=x",
                 "--table", str(columbus / "t.docx")])
    assert code == 2
    err = capsys.readouterr().err
    assert "--labels names ['HOVL']" in err and "CRIME, INC" in err
    assert folder_snapshot(columbus) == before
