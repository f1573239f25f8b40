"""`spatial map --kind`: every map the Python API draws from the files our commands write, the kind
read from the file when omitted, and errors that name the missing columns and the fix."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from spatial import datasets
from spatial.cli import main
from tests.maps.pagedata import units_data, view_specs

BOUNDS = ["--boundaries", "us48_states", "--boundary-id", "fips"]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """A LISA table, a hot-spot table, a fit JSON and a weights file, each written by its command."""
    folder = tmp_path_factory.mktemp("kinds")
    table = str(datasets.path("us_produc"))
    inputs = [table, "--id", "fips", "--time", "year", *BOUNDS]
    run = ["--periods", "1970,1986", "--seed", "1", "--permutations", "99", "-q"]
    files = {name: folder / name for name in ("lisa.csv", "hot.csv", "fit.json", "inv.gwt")}
    assert main(["lisa", *inputs, "--variables", "gsp,unemp", *run, "--out", str(files["lisa.csv"])]) == 0
    assert main(["hotspots", *inputs, "--variables", "gsp", *run, "--out", str(files["hot.csv"])]) == 0
    assert main(["fit", *inputs, "--period", "1986", "--contiguity", "queen", "--y", "log(gsp)", "--x",
                 "log(pcap),unemp", "--model", "sar", "--effects-draws", "20", "--json", str(files["fit.json"])]) == 0
    assert main(["weights", "build", "us48_states", "--kind", "inverse_distance", "--metric", "haversine",
                 "--out", str(files["inv.gwt"])]) == 0
    return files


def _map(capsys, *args) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["map", *map(str, args)])
    return code, capsys.readouterr().err


def _spec(path):
    return view_specs(path.read_text(encoding="utf-8"))[0]


def test_lisa_table_detected_and_mapped_per_variable(outputs, tmp_path, capsys):
    lisa = pd.read_csv(outputs["lisa.csv"], dtype={"id": str})
    out = tmp_path / "lisa.html"
    code, err = _map(capsys, outputs["lisa.csv"], *BOUNDS, "--out", out)  # two variables: which one?
    assert code == 2 and "choose one with --column" in err and "gsp" in err and "unemp" in err
    assert _map(capsys, outputs["lisa.csv"], *BOUNDS, "--column", "unemp", "--out", out)[0] == 0
    spec = _spec(out)
    assert spec["views"] == ["1970", "1986"] and "High-High" in spec["legends"][0]
    rows = lisa[(lisa["variable"] == "unemp") & (lisa["period"] == 1986)]
    expected = rows["cluster"].value_counts()
    counts = dict(zip(*_legend_counts(spec["legends"][1]), strict=True))
    for label, n in expected.items():
        shown = {"not significant": "Not significant", "HH": "High-High", "LL": "Low-Low", "LH": "Low-High",
                 "HL": "High-Low", "island": "Island (no neighbours)"}[label]
        assert counts[shown] == n, (label, counts)
    assert "LISA: unemp" in spec["title"]
    # the same file, --kind given, as a 300 dpi figure
    assert _map(capsys, outputs["lisa.csv"], *BOUNDS, "--kind", "lisa", "--column", "gsp", "--out",
                tmp_path / "lisa.png")[0] == 0
    assert (tmp_path / "lisa.png").read_bytes()[:4] == b"\x89PNG"


def _legend_counts(legend: str) -> tuple[list[str], list[int]]:
    import re

    rows = re.findall(r"<td>([^<]+)</td><td class=\"n\">\((\d+)\)</td>", legend)
    return [r[0] for r in rows], [int(r[1]) for r in rows]


def test_hotspot_table_detected_with_its_categories(outputs, tmp_path, capsys):
    hot = pd.read_csv(outputs["hot.csv"], dtype={"id": str})
    out = tmp_path / "hot.html"
    assert _map(capsys, outputs["hot.csv"], *BOUNDS, "--out", out)[0] == 0
    spec = _spec(out)
    labels, counts = _legend_counts(spec["legends"][-1])
    shown = dict(zip(labels, counts, strict=True))
    last = hot[hot["period"] == 1986]["category"].value_counts()
    assert shown["Not significant"] == last["not significant"]
    for category, n in last.items():
        if category != "not significant":
            assert shown[category[0].upper() + category[1:]] == n


def test_effects_from_the_fit_json_on_a_continuous_scale(outputs, tmp_path, capsys):
    data = json.loads(outputs["fit.json"].read_text(encoding="utf-8"))
    rows = pd.DataFrame(data["unit_effects"])
    assert set(rows["variable"]) == {"log(pcap)", "unemp"} and len(rows) == 96
    out = tmp_path / "fx.html"
    code, err = _map(capsys, outputs["fit.json"], *BOUNDS, "--out", out)
    assert code == 2 and "--column log(pcap)" in err
    assert _map(capsys, outputs["fit.json"], *BOUNDS, "--column", "unemp", "--out", out)[0] == 0
    spec = _spec(out)
    assert [v.split(" (")[0] for v in spec["views"]] == ["Direct effect", "Spillover received", "Spillover emitted",
                                                         "Total received", "Total emitted"]
    assert "Continuous scale" in spec["legends"][0]
    from maps._format import format_number

    texas = rows[(rows["variable"] == "unemp") & (rows["id"].astype(str) == "48")].iloc[0]
    k = next(k for k, name in enumerate(units_data(out.read_text(encoding="utf-8"))[0]["names"]) if name.endswith("(48)"))
    assert spec["texts"][0][k] == format_number(texas["direct"])
    assert spec["texts"][4][k] == format_number(texas["total_emitted"])
    # the same effects as a CSV table (id, variable, direct, ...) map alike
    rows.to_csv(tmp_path / "fx.csv", index=False)
    assert _map(capsys, tmp_path / "fx.csv", *BOUNDS, "--column", "unemp", "--out", tmp_path / "fx2.html")[0] == 0
    assert _spec(tmp_path / "fx2.html")["legends"] == spec["legends"]


def test_links_from_a_weights_file_and_from_boundaries(outputs, tmp_path, capsys):
    out = tmp_path / "links.html"
    assert _map(capsys, outputs["inv.gwt"], "--boundaries", "us48_states", "--out", out)[0] == 0
    spec = _spec(out)
    assert "the 8 strongest links of each unit" in spec["legends"][0] and "line width: weight" in spec["legends"][0]
    html = out.read_text(encoding="utf-8")
    assert html.count("L.polyline(") > 3  # several widths
    assert _map(capsys, "us48_states", "--kind", "links", "--out", tmp_path / "queen.html")[0] == 0
    # the queen W of the weights doctest: 214 directed pairs, 107 lines
    assert "Spatial weights: 107 links, 0 islands" in _spec(tmp_path / "queen.html")["title"]
    code, err = _map(capsys, outputs["inv.gwt"], "--out", tmp_path / "x.html")
    assert code == 2 and "give --boundaries" in err
    code, err = _map(capsys, outputs["inv.gwt"], "--boundaries", "china_provinces", "--out", tmp_path / "x.html")
    assert code == 2 and "not in the boundaries" in err and "--boundary-id" in err
    assert not (tmp_path / "x.html").exists()


def test_categories_of_any_column(tmp_path, capsys):
    states = datasets.load("us48_states")
    table = pd.DataFrame({"id": states["fips"], "grade": [(i % 3) + 1 for i in range(len(states))]})
    table.to_csv(tmp_path / "grades.csv", index=False)
    out = tmp_path / "grades.html"
    args = [tmp_path / "grades.csv", "--id", "id", *BOUNDS, "--column", "grade", "--out", out]
    assert _map(capsys, *args)[0] == 0 and "Continuous" not in out.read_text(encoding="utf-8")
    assert "quantiles" in _spec(out)["legends"][0].lower()  # numbers: a choropleth without --kind
    assert _map(capsys, *args, "--kind", "categories", "--overwrite")[0] == 0
    labels, counts = _legend_counts(_spec(out)["legends"][0])
    assert labels == ["1", "2", "3"] and counts == [16, 16, 16]


def test_missing_columns_are_named_with_the_fix(outputs, tmp_path, capsys):
    table = pd.read_csv(outputs["lisa.csv"], dtype={"id": str}).drop(columns=["cluster"])
    table.to_csv(tmp_path / "nocluster.csv", index=False)
    code, err = _map(capsys, tmp_path / "nocluster.csv", *BOUNDS, "--kind", "lisa", "--column", "gsp", "--out",
                     tmp_path / "x.html")
    assert code == 2 and "'cluster'" in err and "spatial lisa" in err
    code, err = _map(capsys, outputs["lisa.csv"], *BOUNDS, "--kind", "effects", "--column", "gsp", "--out",
                     tmp_path / "x.html")
    assert code == 2 and "'direct'" in err and "spatial fit" in err
    code, err = _map(capsys, outputs["lisa.csv"], *BOUNDS, "--kind", "hotspots", "--column", "gsp", "--out",
                     tmp_path / "x.html")
    assert code == 2 and "is a LISA table" in err
    code, err = _map(capsys, datasets.path("us_produc"), "--id", "fips", "--time", "year", *BOUNDS, "--kind", "lisa",
                     "--column", "gsp", "--out", tmp_path / "x.html")
    assert code == 2 and "holds numbers, not LISA cluster labels" in err and "--seed" in err and "spatial lisa" in err
    code, err = _map(capsys, outputs["hot.csv"], *BOUNDS, "--seed", "3", "--out", tmp_path / "x.html")
    assert code == 2 and "--seed is for --kind lisa" in err
    code, err = _map(capsys, outputs["hot.csv"], *BOUNDS, "--out", tmp_path / "x.png")
    assert code == 2 and "write .html" in err
    code, err = _map(capsys, "us48_states", "--out", tmp_path / "x.html")
    assert code == 2 and "--column is required" in err
    assert not (tmp_path / "x.html").exists() and not (tmp_path / "x.png").exists()


def test_lisa_computed_by_the_map_command_equals_spatial_lisa(tmp_path, capsys):
    """`spatial map TABLE --kind lisa --column gsp --seed 7` computes the clusters as `spatial lisa` does by
    default (queen, 999 permutations, alpha 0.05): the same cluster and p-value for every state."""
    produc = pd.read_csv(datasets.path("us_produc"), dtype={"fips": str})
    produc.loc[produc["year"] == 1986, ["fips", "gsp"]].to_csv(tmp_path / "t.csv", index=False)
    args = [tmp_path / "t.csv", "--id", "fips", *BOUNDS]
    assert main(["lisa", *map(str, args), "--variables", "gsp", "--seed", "7", "--out", str(tmp_path / "l.csv"),
                 "-q"]) == 0
    out = tmp_path / "computed.html"
    assert _map(capsys, *args, "--kind", "lisa", "--column", "gsp", "--seed", "7", "--out", out)[0] == 0
    html = out.read_text(encoding="utf-8")
    spec = _spec(out)
    assert "seed 7" in spec["title"] and "999 permutations" in spec["title"]
    keys = ["HH", "LL", "HL", "LH", "ns", "island"]
    lisa = pd.read_csv(tmp_path / "l.csv", dtype={"id": str}).set_index("id")
    short = {"not significant": "ns"}
    ids = [name.rsplit("(", 1)[1].rstrip(")") for name in units_data(html)[0]["names"]]
    assert [keys[c] for c in spec["codes"][0]] == [short.get(v, v) for v in lisa.loc[ids, "cluster"]]
    from maps._format import p_phrase

    mt = ids.index("30")  # Montana, Low-Low at p_sim 0.001
    assert p_phrase(lisa.loc["30", "p_sim"]) in spec["texts"][0][mt]
