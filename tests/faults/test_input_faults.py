"""Bad input through the CLI, as a user meets it (shared/RELIABILITY.md sections A, B, C, G).

Each case asserts the exit code, one line on stderr naming the problem and the fix, no
traceback, and that no file in the working folder was created or changed.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely import Point, Polygon

from spatial.cli import main
from tests.conftest import folder_snapshot
from tests.helpers import grid_layer, long_panel, write_shapefile, zip_files

IDS = ["01", "02", "03"]


def run_cli(args: list[str], folder: Path, capsys) -> tuple[int, str]:
    before = folder_snapshot(folder)
    code = main([str(a) for a in args])
    err = capsys.readouterr().err
    assert folder_snapshot(folder) == before, "a failing command must not write or change files"
    return code, err


def expect_error(args, folder, capsys, *fragments: str, code: int = 2) -> str:
    exit_code, err = run_cli(args, folder, capsys)
    assert exit_code == code, err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith(("error:", "numerical error:"))]
    assert len(errors) == 1 and err.strip().endswith(errors[0]), err
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    return err


@pytest.fixture
def inputs(tmp_path):
    long_panel(IDS, [2000, 2001]).to_csv(tmp_path / "panel.csv", index=False)
    grid_layer(IDS).to_file(tmp_path / "units.gpkg")
    return tmp_path


def check(folder, *extra):
    return ["check", folder / "panel.csv", "--id", "code", "--time", "year", *extra]


def test_valid_input_passes(inputs, capsys):
    before = folder_snapshot(inputs)
    assert main([str(a) for a in check(inputs, "--boundaries", inputs / "units.gpkg")]) == 0
    assert "3 units x 2 periods" in capsys.readouterr().out
    assert folder_snapshot(inputs) == before


# A1: unreadable, truncated or incomplete datasets
@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("garbage.gpkg", b"\x00garbage" * 50, "cannot open garbage.gpkg"),
        ("empty.geojson", b"", "cannot open empty.geojson"),
    ],
)
def test_a1_unreadable_files(inputs, capsys, name, content, fragment):
    (inputs / name).write_bytes(content)
    expect_error(check(inputs, "--boundaries", inputs / name), inputs, capsys, fragment)


def test_a1_truncated_shapefile(inputs, capsys):
    shp = write_shapefile(grid_layer(IDS), inputs / "shp")
    shp.write_bytes(shp.read_bytes()[:120])
    expect_error(check(inputs, "--boundaries", shp), inputs, capsys, "units.shp")


def test_a1_missing_sidecar(inputs, capsys):
    shp = write_shapefile(grid_layer(IDS), inputs / "shp")
    shp.with_suffix(".shx").unlink()
    expect_error(check(inputs, "--boundaries", shp), inputs, capsys, "missing its .shx")


def test_a1_zero_features(inputs, capsys):
    grid_layer(IDS).iloc[:0].to_file(inputs / "none.gpkg")
    expect_error(check(inputs, "--boundaries", inputs / "none.gpkg"), inputs, capsys, "0 features")


def test_a1_several_layers(inputs, capsys):
    grid_layer(IDS).to_file(inputs / "two.gpkg", layer="a")
    grid_layer(IDS).to_file(inputs / "two.gpkg", layer="b")
    expect_error(check(inputs, "--boundaries", inputs / "two.gpkg"), inputs, capsys, "2 layers", "--layer")


def test_a2_missing_crs(inputs, capsys):
    shp = write_shapefile(grid_layer(IDS, crs=None), inputs / "shp")
    expect_error(check(inputs, "--boundaries", shp), inputs, capsys, "no coordinate reference system", "--assume-crs")
    code, _ = run_cli(check(inputs, "--boundaries", shp, "--assume-crs", "EPSG:3857"), inputs, capsys)
    assert code == 0


def test_a4_invalid_polygon(inputs, capsys):
    layer = grid_layer(IDS)
    layer.loc[1, "geometry"] = Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    layer.to_file(inputs / "bowtie.gpkg")
    err = expect_error(check(inputs, "--boundaries", inputs / "bowtie.gpkg"), inputs, capsys,
                       "1 invalid polygons", "Self-intersection", "--repair make_valid")
    assert "02" in err
    code, _ = run_cli(check(inputs, "--boundaries", inputs / "bowtie.gpkg", "--repair", "make_valid"), inputs, capsys)
    assert code == 0


def test_a5_missing_empty_and_point_geometries(inputs, capsys):
    layer = gpd.GeoDataFrame({"code": IDS}, geometry=[None, Polygon(), Point(0, 0)], crs="EPSG:3857")
    layer.to_file(inputs / "bad.gpkg")
    err = expect_error(check(inputs, "--boundaries", inputs / "bad.gpkg"), inputs, capsys, "3 units")
    assert "01 (missing)" in err and "02 (empty)" in err and "03 (Point)" in err


def test_a7_gbk_dbf_without_cpg(inputs, capsys):
    layer = grid_layer(["110000", "120000"], name=["北京市", "天津市"])
    shp = write_shapefile(layer, inputs / "gbk", encoding="GBK")
    shp.with_suffix(".cpg").unlink()
    expect_error(check(inputs, "--boundaries", shp), inputs, capsys, "--boundary-encoding gbk")


def test_b1_misspelled_column(inputs, capsys):
    expect_error(["check", inputs / "panel.csv", "--id", "code", "--time", "yr"], inputs, capsys,
                 "no column 'yr'", "did you mean 'year'")


def test_b1_text_in_numbers(inputs, capsys):
    frame = long_panel(IDS, [2000]).astype({"gdp": object})
    frame.loc[0, "gdp"] = "1,234"
    frame.to_csv(inputs / "panel.csv", index=False)
    expect_error(check(inputs), inputs, capsys, "'gdp': row 1 '1,234'", "--coerce-numeric")


def test_b2_duplicate_rows(inputs, capsys):
    frame = long_panel(IDS, [2000])
    frame.iloc[[0, 0, 1, 2]].to_csv(inputs / "panel.csv", index=False)
    expect_error(check(inputs), inputs, capsys, "(01, 2000) x2")


def test_b3_unbalanced(inputs, capsys):
    long_panel(IDS, [2000, 2001]).iloc[:-1].to_csv(inputs / "panel.csv", index=False)
    expect_error(check(inputs), inputs, capsys, "unbalanced panel", "03 lacks 2001", "--balance drop_units")


def test_b4_missing_values(inputs, capsys):
    frame = long_panel(IDS, [2000])
    frame.loc[0, "pop"] = None
    frame.to_csv(inputs / "panel.csv", index=False)
    expect_error(check(inputs), inputs, capsys, "missing values (pop: 1)", "--missing drop_units")


def test_c1_id_on_one_side(inputs, capsys):
    grid_layer(["01", "02", "04"]).to_file(inputs / "other.gpkg")
    expect_error(check(inputs, "--boundaries", inputs / "other.gpkg"), inputs, capsys,
                 "only in the panel ('03')", "only in the boundaries ('04')", "--restrict intersection")


def test_c2_leading_zeros_lost(inputs, capsys):
    grid_layer(["001", "002", "003"]).to_file(inputs / "padded.gpkg")
    expect_error(check(inputs, "--boundaries", inputs / "padded.gpkg"), inputs, capsys, "--id-normalize zfill3")


def test_c4_duplicate_boundary_ids(inputs, capsys):
    grid_layer(["01", "02", "03", "03"]).to_file(inputs / "dupes.gpkg")
    expect_error(check(inputs, "--boundaries", inputs / "dupes.gpkg"), inputs, capsys, "03 x2", "--dissolve-by-id")
    code, _ = run_cli(check(inputs, "--boundaries", inputs / "dupes.gpkg", "--dissolve-by-id"), inputs, capsys)
    assert code == 0


def test_g1_zip_with_several_shapefiles(inputs, capsys):
    a = write_shapefile(grid_layer(IDS), inputs / "a", name="first")
    b = write_shapefile(grid_layer(IDS), inputs / "b", name="second")
    archive = zip_files([*sorted(a.parent.iterdir()), *sorted(b.parent.iterdir())], inputs / "two.zip")
    expect_error(check(inputs, "--boundaries", archive), inputs, capsys, "2 layers", "--layer")
    code, _ = run_cli(check(inputs, "--boundaries", archive, "--layer", "second"), inputs, capsys)
    assert code == 0


def test_g1_zip_slip_member_is_never_extracted(inputs, capsys):
    shp = write_shapefile(grid_layer(IDS), inputs / "src")
    archive = inputs / "slip.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted(shp.parent.iterdir()):
            z.write(path, path.name)
        z.writestr("../../evil.txt", "owned")
    code, _ = run_cli(check(inputs, "--boundaries", archive), inputs, capsys)
    assert code == 0
    assert not (inputs.parent / "evil.txt").exists() and not (inputs.parent.parent / "evil.txt").exists()


def test_g1_zip_shapefile_without_sidecars(inputs, capsys):
    shp = write_shapefile(grid_layer(IDS), inputs / "src")
    zip_files([shp], inputs / "lonely.zip")
    expect_error(check(inputs, "--boundaries", inputs / "lonely.zip"), inputs, capsys, "missing its .shx and .dbf")


def test_g2_reshape_refuses_to_overwrite_input(inputs, capsys):
    expect_error(["reshape", inputs / "panel.csv", "--id", "code", "--out", inputs / "panel.csv"], inputs, capsys,
                 "one of the inputs")


def test_g2_existing_output_needs_overwrite(inputs, capsys):
    wide = inputs / "wide.csv"
    wide.write_text("code,gdp_2010,gdp_2011\n01,1,2\n02,3,4\n", encoding="utf-8")
    (inputs / "long.csv").write_text("keep me", encoding="utf-8")
    expect_error(["reshape", wide, "--id", "code", "--out", inputs / "long.csv"], inputs, capsys, "--overwrite")
    assert main(["reshape", str(wide), "--id", "code", "--out", str(inputs / "long.csv"), "--overwrite"]) == 0
    assert (inputs / "long.csv").read_text(encoding="utf-8-sig").startswith("code,year,gdp")


def test_g2_run_refuses_previous_outputs(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["demo", "--out", str(out)]) == 0
    capsys.readouterr()
    before = folder_snapshot(out)
    expect_error(["demo", "--out", out], tmp_path, capsys, "outputs of an earlier run", "out: run.json, ", "--overwrite")
    assert folder_snapshot(out) == before


def test_g4_unknown_dataset_and_config_errors(tmp_path, capsys):
    config = tmp_path / "bad.toml"
    config.write_text('[panel]\ndataset = "us_produc"\nid = "fips"\ntiem = "year"\n', encoding="utf-8")
    expect_error(["run", config], tmp_path, capsys, "unknown key 'tiem'", "did you mean 'time'")
    config.write_text('[panel]\ndataset = "nope"\nid = "fips"\n', encoding="utf-8")
    expect_error(["run", config, "--dry-run"], tmp_path, capsys, "no bundled dataset 'nope'")


def test_g4_debug_shows_traceback(tmp_path):
    with pytest.raises(Exception, match="does not exist"):
        main(["--debug", "check", str(tmp_path / "missing.csv"), "--id", "x"])


def test_g4_unicode_and_space_paths(tmp_path, capsys):
    folder = tmp_path / "数据 文件"
    folder.mkdir()
    long_panel(IDS, [2000]).to_csv(folder / "面板 数据.csv", index=False)
    grid_layer(IDS).to_file(folder / "边界.gpkg")
    code, _ = run_cli(["check", folder / "面板 数据.csv", "--id", "code", "--time", "year",
                       "--boundaries", folder / "边界.gpkg"], tmp_path, capsys)
    assert code == 0
