"""A weights file whose ids differ from the panel's (RELIABILITY C1/C2 for weights files).

``--restrict`` and ``--id-normalize`` apply to a .gal/.gwt file exactly as to a boundary file;
a mismatch names both differences and the fix, float-looking ids (``110000.0``) included. Each
failing case asserts exit code 2, the message and an unchanged folder.
"""

from __future__ import annotations

import pytest

from spatial.errors import IdMismatchError
from spatial.panel import SpatialPanel
from spatial.weights_file import read_aligned_weights
from tests.faults.test_fuzz_cli import IDS, _csv_text, _neighbours
from tests.faults.test_input_faults import expect_error, run_cli


def write_gal(path, neighbours: dict[str, list[str]]):
    lines = [str(len(neighbours))]
    for unit, near in neighbours.items():
        lines += [f"{unit} {len(near)}", " ".join(near)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def renamed(rename) -> dict[str, list[str]]:
    return {rename(u): [rename(v) for v in near] for u, near in _neighbours().items()}


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "panel.csv").write_text(_csv_text(), encoding="utf-8")
    return tmp_path


def moran(folder, gal, *extra):
    return ["moran", folder / "panel.csv", "--id", "code", "--time", "year", "--variables", "gdp",
            "--weights", gal, "--permutations", "0", *extra]


def test_c1_extra_unit_in_the_weights_file_names_both_sides(folder, capsys):
    near = _neighbours()
    near["10"] = ["09"]
    near["09"] = [*near["09"], "10"]
    gal = write_gal(folder / "w.gal", near)
    expect_error(moran(folder, gal), folder, capsys, "0 only in the panel", "1 only in the weights file ('10')",
                 "--restrict intersection")
    code, err = run_cli(moran(folder, gal, "--restrict", "intersection"), folder, capsys)
    assert code == 0, err
    assert "repair 10: dropped from the weights" in err


def test_c1_restrict_drops_panel_units_and_reports_new_islands(folder, capsys):
    near = {u: v for u, v in _neighbours().items() if u not in ("02", "04")}
    near = {u: [v for v in vs if v not in ("02", "04")] for u, vs in near.items()}
    gal = write_gal(folder / "w.gal", near)  # unit 01 loses both its neighbours with 02 and 04
    expect_error(moran(folder, gal), folder, capsys, "2 only in the panel ('02', '04')")
    code, err = run_cli(moran(folder, gal, "--restrict", "intersection"), folder, capsys)
    assert code == 0, err
    assert "repair 02: dropped" in err and "repair 04: dropped" in err


def test_c1_restriction_recorded_in_the_panel_and_islands_warned(tmp_path):
    import io

    import pandas as pd
    from weights.errors import IslandWarning

    frame = pd.read_csv(io.StringIO(_csv_text()), dtype=str)
    keep = [u for u in IDS if u not in ("02", "04")]
    panel = SpatialPanel(frame[frame["code"].isin(keep)], id="code", time="year")
    path = write_gal(tmp_path / "w.gal", _neighbours())  # 01 keeps no neighbour once 02 and 04 go
    with pytest.warns(IslandWarning, match=r"left 1 units without neighbours \('01'\)"):
        restricted, graph = read_aligned_weights(path, panel, restrict="intersection")
    assert list(restricted.entities) == keep and [str(i) for i in graph.unique_ids] == keep
    assert set(restricted.dropped["id"]) == {"02", "04"}
    assert set(restricted.dropped["what"]) == {"dropped from the weights"}
    assert panel.n_units == 7 and panel.dropped.empty  # the original panel is untouched


def test_c2_lost_leading_zeros_suggest_the_normalisation_that_works(folder, capsys):
    gal = write_gal(folder / "w.gal", renamed(lambda u: str(int(u))))
    expect_error(moran(folder, gal), folder, capsys, "9 only in the panel", "--id-normalize zfill2")
    code, err = run_cli(moran(folder, gal, "--id-normalize", "zfill2"), folder, capsys)
    assert code == 0, err


def test_c2_float_looking_ids_get_the_fix(folder, capsys):
    gal = write_gal(folder / "w.gal", renamed(lambda u: f"{int(u) + 110000}.0"))
    (folder / "panel.csv").write_text(_csv_text().replace("\n0", "\n11000"), encoding="utf-8")
    expect_error(moran(folder, gal), folder, capsys, "writes 9 ids as floating-point numbers (e.g. '110001.0')",
                 "9 of which match the panel without '.0'", "Write the ids as text")


def test_c2_ids_colliding_after_normalisation_are_refused(tmp_path):
    import pandas as pd

    frame = pd.DataFrame({"code": ["1", "2"], "year": [2001, 2001], "gdp": [1.0, 2.0]})
    panel = SpatialPanel(frame, id="code", time="year", id_normalize="zfill2")
    path = write_gal(tmp_path / "w.gal", {"1": ["01"], "01": ["1"], "2": []})
    with pytest.raises(IdMismatchError, match=r"ids collide after id_normalize='zfill2'.*'01'"):
        read_aligned_weights(path, panel, id_normalize="zfill2")


def test_c2_config_weights_file_gets_the_panel_normalisation(folder, capsys):
    gal = write_gal(folder / "w.gal", renamed(lambda u: str(int(u))))
    (folder / "panel.csv").write_text(_csv_text().replace("\n0", "\n"), encoding="utf-8")  # ids 1..9 as well
    config = folder / "a.toml"
    config.write_text('[panel]\npath = "panel.csv"\nid = "code"\ntime = "year"\nid_normalize = "zfill2"\n\n'
                      f'[weights.file]\nkind = "file"\npath = "{gal.name}"\n', encoding="utf-8")
    code, err = run_cli(["run", config, "--dry-run"], folder, capsys)
    assert code == 0, err
    config.write_text('[panel]\npath = "panel.csv"\nid = "code"\ntime = "year"\n\n'
                      '[weights.file]\nkind = "file"\npath = "w.gal"\n', encoding="utf-8")
    write_gal(gal, renamed(lambda u: f"{int(u)}.0"))
    err = expect_error(["run", config, "--dry-run"], folder, capsys, "writes 9 ids as floating-point numbers")
    assert "9 of which match the panel without '.0'" in err


def test_c1_config_restrict_applies_to_a_weights_file(tmp_path, capsys):
    """[boundaries] restrict = 'intersection' leaves out units of a weights file that are not in the
    panel; a file lacking units of the panel is refused with the units named."""
    from tests.faults.test_fuzz_cli import write_project

    folder = write_project(tmp_path / "p")
    extra = _neighbours() | {"99": [next(iter(_neighbours()))]}
    extra[next(iter(_neighbours()))] = [*extra[next(iter(_neighbours()))], "99"]
    write_gal(folder / "w.gal", extra)
    base = ('[panel]\npath = "panel.csv"\nid = "code"\ntime = "year"\n\n'
            '[boundaries]\npath = "units.geojson"\nid = "code"\n{restrict}\n'
            '[weights.file]\nkind = "file"\npath = "w.gal"\n')
    config = folder / "a.toml"
    config.write_text(base.format(restrict=""), encoding="utf-8")
    expect_error(["run", config, "--dry-run"], folder, capsys, "only in the weights file ('99')")
    config.write_text(base.format(restrict='restrict = "intersection"'), encoding="utf-8")
    code, err = run_cli(["run", config, "--dry-run"], folder, capsys)
    assert code == 0, err
    first = next(iter(_neighbours()))
    write_gal(folder / "w.gal", {u: [v for v in near if v != first] for u, near in _neighbours().items() if u != first})
    expect_error(["run", config, "--dry-run"], folder, capsys, f"lacks 1 units of the panel ('{first}')")
