"""The dynamic model through every surface: CLI, config run (tables, CSV, JSON, report), bad input at the CLI."""

from __future__ import annotations

import json

import pandas as pd

from spatial.cli import main
from tests.conftest import folder_snapshot
from tests.helpers import produc_run_config

CONFIG = produc_run_config("""
models = ["sar", "sdm"]
fe = "twoway"
dynamic = "both"
draws = 100
seed = 3
table_formats = ["csv", "md", "html"]
table_layout = "columns"
[report]
""", name="dynamic")


def test_config_run_writes_short_and_long_run_effects(tmp_path):
    (tmp_path / "study.toml").write_text(CONFIG, encoding="utf-8")
    assert main(["run", str(tmp_path / "study.toml")]) == 0
    out = tmp_path / "out"
    data = json.loads((out / "models_sdm.json").read_text(encoding="utf-8"))
    assert data["dynamic"] == "both" and data["lee_yu"] is True and data["n_periods"] == 16
    assert set(data["long_run_effects"]) == {"log(pcap)", "log(pc)", "log(emp)", "unemp"}
    long_run = pd.read_csv(out / "models_effects_long_run.csv", encoding="utf-8-sig")
    assert set(long_run["model"]) == {"sar", "sdm"} and len(long_run) == 2 * 4 * 3
    table = pd.read_csv(out / "models_table.csv", encoding="utf-8-sig", index_col=0)
    assert any("Short-run Direct" in c for c in table.columns) and any("Long-run Total" in c for c in table.columns)
    assert "y(t-1)" in table.index and "W*y(t-1)" in table.index
    md = (out / "models_table.md").read_text(encoding="utf-8")
    assert "initial condition" in md
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Long-run Direct" in report and "Short-run Direct" in report
    effects = pd.read_csv(out / "models_effects_table.csv", encoding="utf-8-sig", index_col=0)
    assert [c for c in effects.columns if "(2) SDM" in c] == [
        f"(2) SDM {h} {k}" for h in ("Short-run", "Long-run") for k in ("Direct", "Indirect", "Total")]


def test_config_refuses_dynamic_static_models(tmp_path, capsys):
    (tmp_path / "study.toml").write_text(CONFIG.replace('models = ["sar", "sdm"]', 'models = ["sem"]'),
                                         encoding="utf-8")
    before = folder_snapshot(tmp_path)
    assert main(["run", str(tmp_path / "study.toml")]) == 2
    assert "applies to models sar and sdm" in capsys.readouterr().err
    assert folder_snapshot(tmp_path) == before


def _csv(tmp_path, periods):
    rows = []
    for i in range(1, 10):
        for t in periods:
            rows.append({"id": f"{i:02d}", "t": t, "y": (i * 7 + t * 3) % 11 + 1.0, "x": (i * 5 + t) % 7 + 0.5})
    pd.DataFrame(rows).to_csv(tmp_path / "d.csv", index=False)
    lines = []
    for i in range(9):
        nb = [j for j in range(9) if abs(i // 3 - j // 3) + abs(i % 3 - j % 3) == 1]
        lines.append(f"{i + 1:02d} {len(nb)}\n" + " ".join(f"{j + 1:02d}" for j in nb))
    (tmp_path / "w.gal").write_text("9\n" + "\n".join(lines) + "\n")


def test_cli_dynamic_refuses_a_period_gap_and_writes_nothing(tmp_path, capsys):
    _csv(tmp_path, [2001, 2002, 2004, 2005])
    before = folder_snapshot(tmp_path)
    code = main(["fit", str(tmp_path / "d.csv"), "--id", "id", "--time", "t", "--y", "y", "--x", "x", "--fe", "unit",
                 "--dynamic", "tau", "--weights", str(tmp_path / "w.gal"), "--json", str(tmp_path / "o.json")])
    assert code == 2
    err = capsys.readouterr().err
    assert "2002 -> 2004" in err and "consecutive" in err
    assert folder_snapshot(tmp_path) == before


def test_cli_dynamic_needs_a_panel(tmp_path, capsys):
    _csv(tmp_path, [2001])
    code = main(["fit", str(tmp_path / "d.csv"), "--id", "id", "--y", "y", "--x", "x", "--dynamic", "tau",
                 "--weights", str(tmp_path / "w.gal")])
    assert code == 2
    assert "--dynamic needs a panel" in capsys.readouterr().err


def test_cli_dynamic_fit_prints_both_horizons_and_writes_json(tmp_path, capsys):
    _csv(tmp_path, [2001, 2002, 2003, 2004, 2005, 2006])
    code = main(["fit", str(tmp_path / "d.csv"), "--id", "id", "--time", "t", "--y", "y", "--x", "x", "--fe", "unit",
                 "--dynamic", "tau", "--model", "sdm", "--weights", str(tmp_path / "w.gal"), "--effects-draws", "50",
                 "--json", str(tmp_path / "o.json"), "--allow-nonconverged"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Short-run effects" in out and "initial condition" in out
    data = json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))
    assert data["dynamic"] == "tau" and data["nobs"] == 9 * 5
