"""E5: a failing variable or period stops before anything is written, unless the user opted into
partial results (``--partial``, ``[project] partial = true``); then the partial outputs are marked
as such in the file and in ``run.json`` / the ``.run.json`` sidecar."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from spatial import datasets
from spatial.cli import main
from tests.conftest import folder_snapshot


@pytest.fixture
def flat_table(tmp_path, produc):
    path = tmp_path / "panel.csv"
    produc.assign(flat=1.5).to_csv(path, index=False)  # 'flat' is constant: Moran's I is undefined
    return path


def _moran(table, out, *extra):
    return ["moran", str(table), "--id", "fips", "--time", "year", "--variables", "unemp,flat", "--periods",
            "1985,1986", "--boundaries", str(datasets.path("us48_states")), "--permutations", "0", "--out", str(out),
            *extra]


def test_cli_failing_variable_stops_before_anything_is_written(tmp_path, flat_table, capsys):
    before = folder_snapshot(tmp_path)
    code = main(_moran(flat_table, tmp_path / "moran.csv"))
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "could not be computed for 'flat'" in err and "nothing was written. Pass --partial" in err
    assert "errors='record'" not in err  # the Python keyword is not advice on the command line
    assert folder_snapshot(tmp_path) == before


def test_cli_partial_writes_the_others_marked_partial(tmp_path, flat_table, capsys):
    out = tmp_path / "moran.csv"
    code = main(_moran(flat_table, out, "--partial"))
    err = capsys.readouterr().err
    assert code == 0, err
    assert "warning: partial results (--partial): " in err and "'flat'" in err
    table = pd.read_csv(out)
    assert set(table["variable"]) == {"unemp"} and table["partial"].all()
    record = json.loads((tmp_path / "moran.csv.run.json").read_text(encoding="utf-8"))
    assert record["status"] == "partial" and record["partial"] == ["moran.csv"]
    json_out = tmp_path / "moran.json"
    assert main(_moran(flat_table, json_out, "--partial")) == 0
    data = json.loads(json_out.read_text(encoding="utf-8"))
    assert data["partial"] is True and {f["variable"] for f in data["failed"]} == {"flat"}


def _config(tmp_path, table, partial: bool):
    path = tmp_path / "a.toml"
    path.write_text(
        "[project]\noutput = \"out\"\n" + ("partial = true\n" if partial else "")
        + f'[panel]\npath = "{table.name}"\nid = "fips"\ntime = "year"\nvariables = ["unemp", "flat"]\n'
        '[boundaries]\ndataset = "us48_states"\n[esda]\nvariables = ["unemp", "flat"]\nperiods = [1985, 1986]\n'
        'permutations = 0\nfigures = false\n', encoding="utf-8")
    return path


def test_run_failing_variable_stops_and_writes_nothing(tmp_path, flat_table, capsys):
    config = _config(tmp_path, flat_table, partial=False)
    before = folder_snapshot(tmp_path)
    code = main(["run", str(config)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "could not be computed for 'flat'" in err and "Set [project] partial = true" in err
    assert folder_snapshot(tmp_path) == before
    assert list((tmp_path / "out").iterdir()) == []


def test_run_partial_marks_the_outputs_and_run_json(tmp_path, flat_table, capsys):
    code = main(["run", str(_config(tmp_path, flat_table, partial=True))])
    err = capsys.readouterr().err
    assert code == 0, err
    out = tmp_path / "out"
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert record["status"] == "partial"
    assert sorted(record["partial"]) == ["esda_global.csv", "esda_global.json"]
    assert pd.read_csv(out / "esda_global.csv")["partial"].all()
    assert json.loads((out / "esda_global.json").read_text(encoding="utf-8"))["partial"] is True
    assert any("could not be computed for 'flat'" in w for w in record["warnings"])
