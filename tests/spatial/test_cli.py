"""The command line as a user runs it: help, datasets, demo, run, check, reshape, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from spatial.cli import main
from tests.helpers import long_panel


def test_help_lists_commands(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("datasets", "demo", "run", "check", "reshape"):
        assert command in out


def test_datasets_lists_every_bundled_dataset(capsys):
    from spatial import datasets

    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    for name in datasets.catalog():
        assert name in out


def test_demo_prints_the_panel_summary(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "48 units x 17 periods = 816 observations" in out
    assert "aligned by id" in out


def test_demo_writes_outputs_and_run_json(tmp_path, capsys):
    import os
    import stat

    previous = os.umask(0o022)
    try:
        assert main(["demo", "--out", str(tmp_path / "out")]) == 0
    finally:
        os.umask(previous)
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    for section in ("Spatial weights", "Model selection", "Regression results", "Effects maps"):
        assert f"<h2>{section}" in report, section
    for path in (tmp_path / "out").iterdir():  # atomic writes must not leave mkstemp's 0600
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path.name
    record = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert record["panel"]["n_units"] == 48
    assert {i["file"] for i in record["inputs"]} == {"produc.csv", "us48_states.geojson"}
    assert all(len(i["sha256"]) == 64 for i in record["inputs"])
    assert "/" not in json.dumps(record["options"]).replace("EPSG:", "")  # no absolute paths leak
    assert set(record["outputs"]) >= {"panel_summary.txt", "panel_variables.csv", "run.json"}


def test_run_config_with_relative_paths(tmp_path, capsys):
    long_panel(["a", "b"], [2000, 2001]).to_csv(tmp_path / "t.csv", index=False)
    (tmp_path / "a.toml").write_text(
        '[project]\noutput = "res"\n[panel]\npath = "t.csv"\nid = "code"\ntime = "year"\n', encoding="utf-8"
    )
    assert main(["run", str(tmp_path / "a.toml")]) == 0
    assert (tmp_path / "res" / "run.json").is_file()
    summary = (tmp_path / "res" / "panel_summary.txt").read_text(encoding="utf-8")
    assert "2 units x 2 periods" in summary


def test_dry_run_writes_nothing(tmp_path, capsys):
    long_panel(["a", "b"], [2000]).to_csv(tmp_path / "t.csv", index=False)
    (tmp_path / "a.toml").write_text('[panel]\npath = "t.csv"\nid = "code"\ntime = "year"\n', encoding="utf-8")
    assert main(["run", str(tmp_path / "a.toml"), "--dry-run"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.toml", "t.csv"]


def test_reshape_writes_long_table(tmp_path, capsys):
    (tmp_path / "w.csv").write_text("code,gdp_2010,gdp_2011,pop_2010,pop_2011\n01,1,2,3,4\n", encoding="utf-8")
    assert main(["reshape", str(tmp_path / "w.csv"), "--id", "code", "--out", str(tmp_path / "l.csv")]) == 0
    assert (tmp_path / "l.csv").read_text(encoding="utf-8-sig").splitlines() == [
        "code,year,gdp,pop", "01,2010,1,3", "01,2011,2,4",
    ]


def test_internal_error_exit_code_1(monkeypatch, capsys):
    import spatial.cli.core as core

    def boom(*args, **kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(core, "_run_config", boom)
    assert main(["demo"]) == 1
    assert "this is a bug" in capsys.readouterr().err


def test_usage_error_exit_code_2(capsys):
    assert main(["check"]) == 2
    assert main(["no-such-command"]) == 2


@pytest.mark.slow
def test_console_script_runs_as_a_process(tmp_path):
    result = subprocess.run([sys.executable, "-m", "spatial", "datasets"], cwd=tmp_path, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "us_produc" in result.stdout
