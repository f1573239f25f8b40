"""The pipeline's [models] section with panel options, and ``spatial select`` (CLI)."""

from __future__ import annotations

import json

from spatial.cli import main
from tests.conftest import folder_snapshot
from tests.helpers import produc_run_config

CONFIG = produc_run_config("""
models = ["ols", "sar", "sdm"]
fe = "twoway"
lee_yu = true
select = true
draws = 100
table_formats = ["csv"]
table_layout = "columns"
[models.labels]
"log(pcap)" = "公共资本"
""", variables=True)


def test_pipeline_fits_two_way_panels_and_writes_the_selection(tmp_path, capsys):
    (tmp_path / "panel.toml").write_text(CONFIG, encoding="utf-8")
    assert main(["run", str(tmp_path / "panel.toml")]) == 0
    out = capsys.readouterr().out
    assert "Model selection (spatial panel)" in out and "Recommended: SDM with two-way" in out
    sdm = json.loads((tmp_path / "out" / "models_sdm.json").read_text(encoding="utf-8"))
    assert (sdm["fe"], sdm["lee_yu"], sdm["n_units"], sdm["n_periods"]) == ("twoway", True, 48, 17)
    assert abs(sdm["params"]["rho"]["estimate"] - 0.411281305988404) < 1e-6  # Elhorst's Lee-Yu SDM
    assert set(sdm["effects"]) == {"log(pcap)", "log(pc)", "log(emp)", "unemp"}
    table = (tmp_path / "out" / "models_selection.csv").read_text(encoding="utf-8-sig")
    assert "LR unit fixed effects jointly = 0" in table and "Hausman" in table
    models = (tmp_path / "out" / "models_table.csv").read_text(encoding="utf-8-sig")
    assert "公共资本" in models and "log(pcap)" not in models and "(3) SDM W×X" in models  # labels, layout


def test_pipeline_refuses_a_label_for_a_variable_not_in_the_model(tmp_path, capsys):
    (tmp_path / "bad.toml").write_text(CONFIG.replace('"log(pcap)" = ', '"log(pcapx)" = '), encoding="utf-8")
    before = folder_snapshot(tmp_path)
    assert main(["run", str(tmp_path / "bad.toml")]) == 2
    assert "[models.labels] names ['log(pcapx)']" in capsys.readouterr().err
    assert folder_snapshot(tmp_path) == before


def test_pipeline_refuses_fixed_effects_with_one_period(tmp_path, capsys):
    (tmp_path / "bad.toml").write_text(CONFIG.replace('lee_yu = true', 'period = 1986'), encoding="utf-8")
    before = folder_snapshot(tmp_path)
    assert main(["run", str(tmp_path / "bad.toml")]) == 2
    assert "fe and period exclude each other" in capsys.readouterr().err
    assert folder_snapshot(tmp_path) == before


def test_select_command_prints_and_writes(produc, us_states, tmp_path, capsys):
    produc.to_csv(tmp_path / "produc.csv", index=False)
    us_states.to_file(tmp_path / "states.geojson", driver="GeoJSON")
    args = ["select", str(tmp_path / "produc.csv"), "--id", "fips", "--time", "year", "--y", "log(gsp)",
            "--x", "log(pcap)", "log(pc)", "log(emp)", "unemp", "--contiguity", "queen",
            "--boundaries", str(tmp_path / "states.geojson"), "--json", str(tmp_path / "sel.json")]
    assert main(args) == 0
    assert "Recommended: SDM with two-way (unit and time) fixed effects" in capsys.readouterr().out
    record = json.loads((tmp_path / "sel.json").read_text(encoding="utf-8"))
    assert record["model"] == "sdm" and record["fe"] == "twoway" and len(record["table"]) >= 10
    before = folder_snapshot(tmp_path)
    assert main(args) == 2  # the JSON exists: never overwritten without --overwrite
    assert folder_snapshot(tmp_path) == before
