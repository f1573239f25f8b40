"""``spatial weights``: build, info, convert, as a user runs them (exit codes, outputs, messages)."""

from __future__ import annotations

from spatial import datasets
from spatial.cli import main
from tests.weights.helpers import edges_of
from weights import read_weights


def test_build_queen_with_connect_prints_the_summary_and_writes(tmp_path, capsys):
    out = tmp_path / "queen.gal"
    code = main(["weights", "build", str(datasets.path("china_provinces")), "--id", "adcode", "--kind", "queen",
                 "--islands", "connect", "--out", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    assert "34 units" in text and "460000 <-> 440000" in text and "710000 <-> 350000" in text
    graph = read_weights(out)
    assert graph.neighbors["460000"] == ("440000",)


def test_build_inverse_distance_between_capitals(tmp_path, capsys):
    out = tmp_path / "w.mat"
    code = main(["weights", "build", str(datasets.path("china_capitals")), "--id", "province_adcode", "--xy", "lon,lat",
                 "--kind", "inverse_distance", "--alpha", "2", "--metric", "haversine", "--transform", "row",
                 "--out", str(out)])
    assert code == 0
    assert "metric=haversine, unit=km" in capsys.readouterr().out
    assert read_weights(out).n_edges == 34 * 33


def test_info_in_both_spellings(tmp_path, capsys):
    target = tmp_path / "us.gal"
    assert main(["weights", "build", str(datasets.path("us48_states")), "--id", "fips", "--kind", "queen",
                 "--out", str(target)]) == 0
    capsys.readouterr()
    assert main(["weights", "--info", str(target)]) == 0
    first = capsys.readouterr().out
    assert main(["weights", "info", str(target)]) == 0
    assert capsys.readouterr().out == first
    assert "48 units, 214 links" in first and "rho interval" in first


def test_convert_with_a_transform(tmp_path, capsys):
    source = tmp_path / "us.gal"
    main(["weights", "build", str(datasets.path("us48_states")), "--id", "fips", "--kind", "rook",
          "--out", str(source)])
    assert main(["weights", "convert", str(source), "--out", str(tmp_path / "us.gwt"), "--transform", "row"]) == 0
    converted = read_weights(tmp_path / "us.gwt")
    assert edges_of(converted) == edges_of(read_weights(source)) and converted.adjacency.max() <= 1


def test_user_errors_exit_2_with_one_line(tmp_path, capsys):
    code = main(["weights", "build", str(datasets.path("us48_states")), "--id", "fips", "--kind", "knn", "--k", "4"])
    assert code == 2
    err = capsys.readouterr().err
    assert "geographic CRS" in err and "--metric haversine" in err and "Traceback" not in err
    code = main(["weights", "build", str(datasets.path("us48_states")), "--id", "fips", "--kind", "economic"])
    assert code == 2


def test_economic_weights_from_a_panel_table(tmp_path, capsys):
    out = tmp_path / "econ.csv"
    code = main(["weights", "build", str(datasets.path("us_produc")), "--id", "fips", "--kind", "economic",
                 "--variable", "unemp", "--time", "year", "--periods", "1985:1986", "--ties", "drop",
                 "--transform", "row", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    assert read_weights(out).n == 48
