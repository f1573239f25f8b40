"""D2: weights in several components are allowed but reported: one warning per matrix, from the
step or command that uses it, recorded in run.json / the sidecar and shown in the report."""

from __future__ import annotations

import json

from shapely import box

from spatial.cli import main
from tests.conftest import folder_snapshot
from tests.helpers import grid_layer, long_panel

IDS = [f"u{i}" for i in range(8)]


def _inputs(folder):
    layer = grid_layer(IDS)
    layer["geometry"] = [box(i + (10 if i >= 4 else 0), 0, i + 1 + (10 if i >= 4 else 0), 1) for i in range(8)]
    layer.to_file(folder / "units.geojson", driver="GeoJSON")
    long_panel(IDS, [2000, 2001]).to_csv(folder / "panel.csv", index=False)
    (folder / "w.gal").write_text("0 8\n" + "".join(
        f"{a} {len(n)}\n{' '.join(n)}\n" for a, n in [
            ("u0", ["u1"]), ("u1", ["u0", "u2"]), ("u2", ["u1", "u3"]), ("u3", ["u2"]),
            ("u4", ["u5"]), ("u5", ["u4", "u6"]), ("u6", ["u5", "u7"]), ("u7", ["u6"])]), encoding="utf-8")


def _component_warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("warning:") and "cannot cross components" in line]


def test_command_with_a_disconnected_weights_file_warns_once_and_records_it(tmp_path, capsys):
    _inputs(tmp_path)
    out = tmp_path / "moran.csv"
    code = main(["moran", str(tmp_path / "panel.csv"), "--id", "code", "--time", "year", "--variables", "gdp,pop",
                 "--weights", str(tmp_path / "w.gal"), "--permutations", "0", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    shown = _component_warnings(err)
    assert len(shown) == 1 and "weights 'w.gal' are not connected: 2 components" in shown[0], err
    assert "(sizes 4, 4)" in shown[0]
    record = json.loads((tmp_path / "moran.csv.run.json").read_text(encoding="utf-8"))
    assert sum("cannot cross components" in w for w in record["warnings"]) == 1


def test_command_with_contiguity_built_from_boundaries_warns_once(tmp_path, capsys):
    _inputs(tmp_path)
    before = folder_snapshot(tmp_path)
    code = main(["lisa", str(tmp_path / "panel.csv"), "--id", "code", "--time", "year", "--variables", "gdp",
                 "--boundaries", str(tmp_path / "units.geojson"), "--boundary-id", "code", "--permutations", "0"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert len(_component_warnings(err)) == 1, err
    assert folder_snapshot(tmp_path) == before  # no --out: nothing written


def test_run_warns_once_per_matrix_and_records_it_in_run_json_and_the_report(tmp_path, capsys):
    _inputs(tmp_path)
    (tmp_path / "a.toml").write_text(
        '[project]\noutput = "out"\n[panel]\npath = "panel.csv"\nid = "code"\ntime = "year"\n'
        'variables = ["gdp", "pop"]\n[boundaries]\npath = "units.geojson"\n'
        '[weights.file]\nkind = "file"\npath = "w.gal"\n'
        '[esda]\nweights = "file"\nvariables = ["gdp", "pop"]\npermutations = 0\nfigures = false\n[report]\n',
        encoding="utf-8")
    code = main(["run", str(tmp_path / "a.toml")])
    err = capsys.readouterr().err
    assert code == 0, err
    shown = _component_warnings(err)
    assert len(shown) == 1 and "weights 'file' are not connected: 2 components" in shown[0], err
    record = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert record["connectivity"] == {"file": {"components": 2, "sizes": [4, 4], "islands": 0,
                                               "steps": ["weights", "esda"]}}
    assert sum("cannot cross components" in w for w in record["warnings"]) == 1
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "weights &#x27;file&#x27; are not connected: 2 components" in html or \
        "weights &#39;file&#39; are not connected: 2 components" in html
