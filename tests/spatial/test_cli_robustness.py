"""Robustness sets on the command line (issue 13): ``spatial moran`` and ``spatial fit`` with ``--weights``
repeated give the same tables as a config's ``[esda] weights = [...]`` and ``[models] weights = [...]`` on
the same data.

Reference: the config run (tests/spatial/test_robustness_sets.py checks it against one-W runs). Data: the
bundled ``china_provinces`` with a seeded synthetic panel keyed by Chinese names, ``--keep mainland``;
W1 = 1/d^2 between the bundled provincial capitals (``spatial weights build china_capitals``), W2 = an
economic W built from the panel table (``spatial weights build panel.csv --kind economic``).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from spatial import datasets
from spatial.cli import main
from tests.conftest import folder_snapshot
from tests.helpers import mainland_by_name

CONFIG = """
[project]
name = "robustness"
output = "out"
""" + mainland_by_name() + """[weights.capitals]
kind = "file"
path = "capitals.gwt"
[weights.economic]
kind = "file"
path = "economic.gwt"
[esda]
variables = ["inn"]
permutations = 0
weights = ["capitals", "economic"]
figures = false
table_formats = ["csv"]
[models]
y = "log(inn)"
x = ["log(dig)", "fin"]
models = ["sdm"]
fe = "twoway"
draws = 0
inference = "delta"
weights = ["capitals", "economic"]
table_formats = ["csv"]
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clirobust")
    provinces = datasets.load("china_provinces")
    rng = np.random.default_rng(13)
    rows = [{"province": name, "year": year, "dig": rng.lognormal(1, 0.4), "fin": rng.normal(0.5, 0.1)}
            for name in provinces.loc[provinces["mainland"], "name_zh"] for year in range(2011, 2021)]
    frame = pd.DataFrame(rows)
    frame["inn"] = np.exp(0.3 * np.log(frame["dig"]) + 0.2 * frame["fin"] + rng.normal(0, 0.1, len(frame)))
    frame.to_csv(folder / "panel.csv", index=False, encoding="utf-8-sig")
    assert main(["weights", "build", str(datasets.path("china_capitals")), "--id", "province_adcode", "--xy",
                 "lon,lat", "--kind", "inverse_distance", "--alpha", "2", "--metric", "haversine",
                 "--out", str(folder / "capitals.gwt")]) == 0
    assert main(["weights", "build", str(folder / "panel.csv"), "--id", "province", "--time", "year", "--kind",
                 "economic", "--variable", "dig", "--out", str(folder / "economic.gwt")]) == 0
    (folder / "study.toml").write_text(CONFIG, encoding="utf-8")
    assert main(["run", str(folder / "study.toml")]) == 0
    return folder


def _loader(folder):
    return [str(folder / "panel.csv"), "--id", "province", "--time", "year", "--boundaries", "china_provinces",
            "--match-names", "name_zh", "--keep", "mainland", "--weights", str(folder / "capitals.gwt"),
            "--weights", str(folder / "economic.gwt")]


def _csv(path):
    return pd.read_csv(path, encoding="utf-8-sig", dtype={"period": str})


def test_moran_under_each_weights_equals_the_config_run(folder, capsys):
    capsys.readouterr()
    out = folder / "moran.csv"
    assert main(["moran", *_loader(folder), "--variables", "inn", "--permutations", "0", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    config = _csv(folder / "out" / "esda_global_weights.csv")
    mine = _csv(out)
    assert list(dict.fromkeys(mine["weights"])) == ["capitals", "economic"]
    columns = [c for c in config.columns if c in mine.columns]
    assert {"weights", "value", "z", "p_two_sided"} <= set(columns)
    pd.testing.assert_frame_equal(mine[columns], config[columns], check_dtype=False, rtol=1e-12)
    table = pd.read_csv(folder / "out" / "esda_moran_robustness_table.csv", encoding="utf-8-sig", dtype=str)
    assert "I (inn, capitals)" in table.columns and "I (inn, economic)" in table.columns
    for cell in table["I (inn, economic)"].dropna():  # the journal table printed is the config's
        assert cell in printed


def test_moran_json_names_each_weights(folder, capsys):
    out = folder / "moran.json"
    assert main(["moran", *_loader(folder), "--variables", "inn", "--permutations", "0", "--out", str(out)]) == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    assert {row["weights"] for row in document["statistics"]} == {"capitals", "economic"}
    assert set(document["islands"]) == {"capitals", "economic"}


def test_fit_under_each_weights_equals_the_config_run(folder, capsys):
    table, out = folder / "fit.csv", folder / "fit.json"
    assert main(["fit", *_loader(folder), "--y", "log(inn)", "--x", "log(dig)", "fin", "--model", "sdm", "--fe",
                 "twoway", "--effects-draws", "0", "--inference", "delta", "--table", str(table), "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    config = pd.read_csv(folder / "out" / "models_robustness_table.csv", encoding="utf-8-sig")
    mine = pd.read_csv(table, encoding="utf-8-sig")
    assert [c for c in mine.columns if c.startswith("(")] == ["(1) SDM capitals", "(2) SDM economic"]
    pd.testing.assert_frame_equal(mine, config)
    assert "(2) SDM economic" in printed
    document = json.loads(out.read_text(encoding="utf-8"))
    params = _csv(folder / "out" / "models_robustness_params.csv")
    for name in ("capitals", "economic"):
        rho = params[(params["weights"] == name) & (params["parameter"] == "rho")]["estimate"].iloc[0]
        got = document["robustness"][name]["params"]["rho"]["estimate"]
        assert got == pytest.approx(rho, rel=1e-10)


def test_one_weights_file_keeps_the_plain_outputs(folder, capsys):
    single = _loader(folder)[:-2]  # --weights capitals.gwt only
    out = folder / "single.csv"
    assert main(["moran", *single, "--variables", "inn", "--permutations", "0", "--out", str(out)]) == 0
    assert "weights" not in _csv(out).columns
    record = json.loads((folder / "single.csv.run.json").read_text(encoding="utf-8"))
    assert record["options"]["weights_file"] == "capitals.gwt"  # recorded as before --weights was repeatable


@pytest.mark.parametrize(("extra", "message"), [
    (["fit", "--y", "log(inn)", "--x", "fin", "--by", "region"], "--by with several --weights is not supported"),
    (["moran", "--permutations", "0", "--figure", "f"], "--figure with several --weights is not supported"),
])
def test_unsupported_combinations_are_refused_before_writing(folder, capsys, extra, message):
    before = folder_snapshot(folder)
    assert main([extra[0], *_loader(folder), *extra[1:]]) == 2
    assert message in capsys.readouterr().err
    assert folder_snapshot(folder) == before


def test_two_files_of_the_same_name_are_refused(folder, tmp_path, capsys):
    other = tmp_path / "capitals.gwt"
    other.write_bytes((folder / "capitals.gwt").read_bytes())
    args = _loader(folder)
    args[-1] = str(other)
    assert main(["moran", *args, "--permutations", "0"]) == 2
    assert "share the name 'capitals'" in capsys.readouterr().err
