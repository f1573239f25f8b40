"""One way to load inputs (issue 13 item 2): bundled dataset names and the study-area filter
(``--keep mainland``, ``--keep region=East,Central``, ``--keep @ids.txt``) on every command that
reads boundaries, and in config; removed units are recorded, never silently dropped."""

from __future__ import annotations

import json
import numpy as np
import pandas as pd
import pytest

from spatial import datasets
from spatial.cli import main
from tests.conftest import folder_snapshot


@pytest.fixture
def provinces(tmp_path):
    """All 34 provinces of the bundled layer by Chinese name (as a user's table has them), 3 years."""
    layer = datasets.load("china_provinces")
    rng = np.random.default_rng(7)
    rows = [{"province": name, "year": year, "y": float(rng.normal()), "x": float(rng.normal())}
            for name in layer["name_zh"] for year in (2017, 2018, 2019)]
    pd.DataFrame(rows).to_csv(tmp_path / "panel.csv", index=False)
    return tmp_path


def _check(folder, *extra):
    return main(["check", str(folder / "panel.csv"), "--id", "province", "--time", "year",
                 "--boundaries", "china_provinces", "--match-names", "name_zh", *extra])


def test_check_keeps_the_mainland_and_records_the_rest(provinces, capsys):
    assert _check(provinces, "--keep", "mainland") == 0
    out = capsys.readouterr().out
    assert "31 units" in out
    assert out.count("outside the study area") == 3 and "810000" in out


def test_keep_by_column_values_and_by_id_file(provinces, capsys):
    assert _check(provinces, "--keep", "region=East,Central") == 0
    assert "16 units" in capsys.readouterr().out
    (provinces / "ids.txt").write_text("# three municipalities\n110000\n120000\n310000\n", encoding="utf-8")
    assert _check(provinces, "--keep", f"@{provinces / 'ids.txt'}") == 0
    assert "3 units" in capsys.readouterr().out


def test_a_keep_value_that_does_not_exist_lists_the_values(provinces, capsys):
    before = folder_snapshot(provinces)
    assert _check(provinces, "--keep", "region=Eats") == 2
    err = capsys.readouterr().err
    assert "'Eats' not found in column 'region'" in err and "'East'" in err and "--keep" in err
    assert folder_snapshot(provinces) == before


def test_moran_reads_bundled_boundaries_with_the_filter(provinces, capsys):
    code = main(["moran", str(provinces / "panel.csv"), "--id", "province", "--time", "year", "--variables", "y",
                 "--boundaries", "china_provinces", "--match-names", "name_zh", "--keep", "mainland",
                 "--permutations", "0"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "30 units, 1 islands left out" in captured.out  # Hainan: no land neighbour among the 31


def test_fit_reads_bundled_boundaries_with_names_and_the_filter(provinces, capsys):
    code = main(["fit", str(provinces / "panel.csv"), "--id", "province", "--time", "year", "--y", "y", "--x", "x",
                 "--model", "sar", "--fe", "twoway", "--contiguity", "queen", "--boundaries", "china_provinces",
                 "--match-names", "name_zh", "--keep", "mainland", "--allow-islands", "--effects-draws", "0"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "31 units x 3 periods" in captured.err


def test_an_unknown_source_names_the_closest_dataset(provinces, capsys):
    code = main(["fit", str(provinces / "panel.csv"), "--id", "province", "--y", "y", "--x", "x", "--model", "ols",
                 "--contiguity", "queen", "--boundaries", "china_provinces_"])
    assert code == 2 and "did you mean the bundled dataset 'china_provinces'" in capsys.readouterr().err


def test_weights_build_from_a_bundled_points_dataset(tmp_path, capsys):
    out = tmp_path / "w.gal"
    assert main(["weights", "build", "china_capitals", "--kind", "knn", "--k", "3", "--metric", "haversine",
                 "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").split()[0] == "34"


def test_config_keep_forms_apply_to_the_panel(provinces):
    from spatial.config import validate_config
    from spatial.pipeline import load_panel

    raw = {"panel": {"path": str(provinces / "panel.csv"), "id": "province", "time": "year"},
           "boundaries": {"dataset": "china_provinces", "match_names": True, "keep": "region=West"}}
    with pytest.warns(UserWarning, match="repairs"):
        panel = load_panel(validate_config(raw))
    assert panel.n_units == 12 and len(panel.geometry) == 12
    assert (panel.dropped["reason"].str.contains("outside the study area")).sum() == 34 - 12


def test_map_reads_bundled_boundaries_with_names_and_the_filter(provinces, capsys):
    """spatial map takes the loader's options as every command does: the mainland filter keeps 31 units."""
    out = provinces / "y.svg"
    code = main(["map", str(provinces / "panel.csv"), "--id", "province", "--time", "year", "--column", "y",
                 "--boundaries", "china_provinces", "--match-names", "name_zh", "--keep", "mainland",
                 "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert out.is_file() and out.stat().st_size > 0


def test_map_of_a_gbk_table_with_an_id_file(provinces, capsys):
    """--encoding (of the table) and --keep @ids.txt reach the map, as on check."""
    table = pd.read_csv(provinces / "panel.csv")
    table.to_csv(provinces / "gbk.csv", index=False, encoding="gbk")
    (provinces / "ids.txt").write_text("110000\n120000\n310000\n", encoding="utf-8")
    out = provinces / "m.html"
    code = main(["map", str(provinces / "gbk.csv"), "--encoding", "gbk", "--id", "province", "--time", "year",
                 "--column", "x", "--boundaries", "china_provinces", "--match-names", "name_zh",
                 "--keep", f"@{provinces / 'ids.txt'}", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    page = out.read_text(encoding="utf-8")
    escaped = [json.dumps(name)[1:-1] for name in ("北京市", "广东省")]  # tooltips live in the page's JSON
    # the map keeps the whole area: a unit outside the study (广东) is drawn, as no data (issue 14)
    assert escaped[0] in page and escaped[1] in page


def test_map_of_a_boundary_file_refuses_table_options_by_name(provinces, capsys):
    shp = provinces / "p.gpkg"
    datasets.load("china_provinces").to_file(shp)
    code = main(["map", str(shp), "--column", "adcode", "--keep", "mainland", "--out", str(provinces / "m.svg")])
    assert code == 2 and "--keep need a table and --boundaries" in capsys.readouterr().err


def test_fit_reads_a_boundary_file_without_crs_with_assume_crs(provinces, capsys):
    """fit has --assume-crs, --layer and --boundary-encoding, as check and moran."""
    layer = datasets.load("china_provinces")
    layer.set_crs(None, allow_override=True).to_file(provinces / "nocrs.gpkg", layer="prov")
    code = main(["fit", str(provinces / "panel.csv"), "--id", "province", "--time", "year", "--y", "y", "--x", "x",
                 "--model", "sar", "--fe", "twoway", "--contiguity", "queen", "--boundaries",
                 str(provinces / "nocrs.gpkg"), "--layer", "prov", "--assume-crs", "EPSG:4326",
                 "--boundary-id", "adcode", "--match-names", "name_zh", "--keep", "mainland", "--allow-islands",
                 "--effects-draws", "0"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "31 units x 3 periods" in captured.err


def test_unit_names_travel_into_the_lisa_table(provinces, capsys):
    """A table keyed by Chinese names: the LISA CSV has the ids and the user's names (label) side by side."""
    out = provinces / "lisa.csv"
    code = main(["lisa", str(provinces / "panel.csv"), "--id", "province", "--time", "year", "--variables", "y",
                 "--boundaries", "china_provinces", "--match-names", "name_zh", "--keep", "mainland",
                 "--permutations", "0", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    table = pd.read_csv(out, encoding="utf-8-sig", dtype={"id": str})
    assert list(table.columns[:4]) == ["period", "variable", "id", "label"]
    beijing = table[table["id"] == "110000"]
    assert set(beijing["label"]) == {"北京市"}


def test_unit_names_travel_into_the_run_outputs(provinces):
    """A config run keyed by names writes the same label column beside the ids of its unit tables."""
    from spatial.config import validate_config
    from spatial.pipeline import run

    table = pd.read_csv(provinces / "panel.csv")
    table.assign(g=np.exp(table["y"])).to_csv(provinces / "positive.csv", index=False)  # Gi*: non-negative
    config = validate_config({
        "panel": {"path": str(provinces / "positive.csv"), "id": "province", "time": "year"},
        "boundaries": {"dataset": "china_provinces", "match_names": True, "keep": "mainland"},
        "weights": {"queen": {"kind": "queen", "islands": "connect"}},
        "esda": {"variables": ["g"], "permutations": 0, "lisa": ["g"], "hot_spots": ["g"], "figures": False},
    })
    with pytest.warns(UserWarning):
        run(config, output=provinces / "out", echo=lambda _: None)
    for name in ("esda_lisa.csv", "esda_hot_spots.csv", "esda_transitions.csv"):
        table = pd.read_csv(provinces / "out" / name, encoding="utf-8-sig", dtype={"id": str})
        assert "label" in table.columns, name
        assert set(table.loc[table["id"] == "440000", "label"]) == {"广东省"}, name


def test_a_weights_file_of_all_34_units_follows_the_mainland_filter(provinces, capsys):
    """--keep names the study area once: a weights file built on the whole layer (34 capitals) loses the
    three units outside it, recorded, on moran and fit alike (a W of the user's own is not re-built)."""
    w = provinces / "w.gwt"
    assert main(["weights", "build", "china_capitals", "--kind", "inverse_distance", "--alpha", "2",
                 "--metric", "haversine", "--out", str(w)]) == 0
    loader = ["--id", "province", "--time", "year", "--boundaries", "china_provinces", "--match-names", "name_zh",
              "--keep", "mainland", "--weights", str(w)]
    capsys.readouterr()
    moran = provinces / "moran.csv"
    assert main(["moran", str(provinces / "panel.csv"), *loader, "--variables", "y", "--permutations", "0",
                 "--out", str(moran)]) == 0, capsys.readouterr().err
    assert set(pd.read_csv(moran, encoding="utf-8-sig")["n"]) == {31}
    code = main(["fit", str(provinces / "panel.csv"), *loader, "--y", "y", "--x", "x", "--model", "sar",
                 "--fe", "twoway", "--effects-draws", "0", "--json", str(provinces / "sar.json")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert json.loads((provinces / "sar.json").read_text(encoding="utf-8"))["nobs"] == 31 * 3


def test_a_weights_file_with_other_extra_units_is_still_refused(provinces, capsys):
    """Only the units the study area removed leave the weights (recorded); a file whose ids differ
    otherwise is an id mismatch the user resolves, named in the message."""
    w = provinces / "w.gal"
    assert main(["weights", "build", "china_capitals", "--kind", "knn", "--k", "3", "--metric", "haversine",
                 "--out", str(w)]) == 0
    w.write_text(w.read_text(encoding="utf-8").replace("650000", "659999"), encoding="utf-8")  # 新疆 mistyped
    capsys.readouterr()
    code = main(["moran", str(provinces / "panel.csv"), "--id", "province", "--time", "year", "--variables", "y",
                 "--boundaries", "china_provinces", "--match-names", "name_zh", "--keep", "mainland",
                 "--weights", str(w), "--permutations", "0"])
    err = capsys.readouterr().err
    assert code == 2 and "'650000'" in err and "'659999'" in err and "--restrict intersection" in err


def test_fit_and_select_apply_restrict_and_id_normalize_to_a_weights_file(tmp_path, capsys):
    """--restrict intersection and --id-normalize act on a --weights file on fit and select as on moran:
    the suggested fix works where it is suggested (it used to be ignored by fit, which then repeated it)."""
    rng = np.random.default_rng(3)
    w = tmp_path / "w.gal"
    assert main(["weights", "build", "china_capitals", "--kind", "knn", "--k", "4", "--metric", "haversine",
                 "--out", str(w)]) == 0  # all 34 units, keyed by adcode
    codes = list(datasets.load("china_capitals")["province_adcode"].astype(str))
    rows = [{"code": c, "year": t, "y": float(rng.normal()), "x": float(rng.normal())}
            for c in codes[:-1] + ["999999"] for t in (1, 2, 3)]  # one unit missing from the table, one extra
    pd.DataFrame(rows).to_csv(tmp_path / "panel.csv", index=False)
    base = ["fit", str(tmp_path / "panel.csv"), "--id", "code", "--time", "year", "--weights", str(w), "--y", "y",
            "--x", "x", "--model", "sar", "--fe", "unit", "--effects-draws", "0", "--allow-islands"]
    capsys.readouterr()
    assert main(base) == 2
    assert "--restrict intersection" in capsys.readouterr().err
    out = tmp_path / "sar.json"
    code = main([*base, "--restrict", "intersection", "--json", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert json.loads(out.read_text(encoding="utf-8"))["nobs"] == 33 * 3
    assert "999999" in captured.err  # the table's unit without weights is listed as removed
    code = main(["select", str(tmp_path / "panel.csv"), "--id", "code", "--time", "year", "--weights", str(w),
                 "--y", "y", "--x", "x", "--restrict", "intersection", "--no-bayes", "--no-random-effects",
                 "--allow-islands"])
    assert code == 0, capsys.readouterr().err
    # ids written with a leading zero match the file's after --id-normalize zfill7, as the message says
    pd.DataFrame([{"code": "0" + c, "year": t, "y": float(rng.normal()), "x": float(rng.normal())}
                  for c in codes for t in (1, 2, 3)]).to_csv(tmp_path / "padded.csv", index=False)
    padded = ["fit", str(tmp_path / "padded.csv"), "--id", "code", "--time", "year", "--weights", str(w), "--y", "y",
              "--x", "x", "--model", "sar", "--fe", "unit", "--effects-draws", "0", "--allow-islands"]
    capsys.readouterr()
    assert main(padded) == 2
    assert "--id-normalize zfill7" in capsys.readouterr().err
    code = main([*padded, "--id-normalize", "zfill7", "--json", str(out), "--overwrite"])
    assert code == 0, capsys.readouterr().err
    assert json.loads(out.read_text(encoding="utf-8"))["nobs"] == 34 * 3
    # the common units asked for when there are none: the message does not repeat --restrict intersection
    pd.DataFrame([{"code": "p" + c, "year": t, "y": float(rng.normal()), "x": float(rng.normal())}
                  for c in codes for t in (1, 2, 3)]).to_csv(tmp_path / "other.csv", index=False)
    assert main(["fit", str(tmp_path / "other.csv"), *padded[2:], "--restrict", "intersection"]) == 2
    err = capsys.readouterr().err
    assert "no unit is in both" in err and "--restrict" not in err


def test_a_weights_file_keyed_by_the_users_unit_names_is_read_through_the_name_match(provinces, capsys):
    """An economic W built from the user's own table is keyed by its names (北京市); the panel matched
    those names to codes (110000): the file is read through the same match, and gives what the
    same W keyed by codes gives."""
    table = pd.read_csv(provinces / "panel.csv")
    table["gdp"] = np.exp(table["x"])
    table.to_csv(provinces / "panel.csv", index=False)
    by_name = provinces / "econ.gwt"
    assert main(["weights", "build", str(provinces / "panel.csv"), "--id", "province", "--kind", "economic",
                 "--variable", "gdp", "--time", "year", "--out", str(by_name)]) == 0
    layer = datasets.load("china_provinces")
    codes = dict(zip(layer["name_zh"], layer["adcode"].astype(str), strict=True))
    table.assign(code=table["province"].map(codes)).to_csv(provinces / "coded.csv", index=False)
    by_code = provinces / "econ_codes.gwt"
    assert main(["weights", "build", str(provinces / "coded.csv"), "--id", "code", "--kind", "economic",
                 "--variable", "gdp", "--time", "year", "--out", str(by_code)]) == 0
    out = {}
    for name, w in (("names", by_name), ("codes", by_code)):
        out[name] = provinces / f"moran_{name}.csv"
        code = main(["moran", str(provinces / "panel.csv"), "--id", "province", "--time", "year", "--variables", "y",
                     "--boundaries", "china_provinces", "--match-names", "name_zh", "--weights", str(w),
                     "--permutations", "0", "--out", str(out[name])])
        assert code == 0, capsys.readouterr().err
    names, codes_ = (pd.read_csv(out[k], encoding="utf-8-sig") for k in ("names", "codes"))
    np.testing.assert_allclose(names["value"], codes_["value"], rtol=1e-12)
