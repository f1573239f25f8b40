"""`spatial index ...` commands and the `[indices]` pipeline step, end to end on bundled data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from spatial import datasets
from spatial.cli import main
from spatial.config import validate_config
from spatial.pipeline import run

REFERENCE = Path(__file__).resolve().parents[2] / "reference" / "coupling_western_resilience"


@pytest.fixture
def produc_csv(tmp_path: Path) -> Path:
    frame = datasets.load("us_produc")
    frame["zone"] = "z" + frame["region"].astype(str)
    path = tmp_path / "produc.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def indicators_csv(tmp_path: Path) -> Path:
    path = tmp_path / "indicators.csv"
    path.write_text(
        "indicator,direction,subsystem\ngsp,positive,economy\npcap,+,economy\nemp,正向,labour\nunemp,负向,labour\n",
        encoding="utf-8",
    )
    return path


def test_composite_command_writes_scores_and_weights(tmp_path, produc_csv, indicators_csv, capsys):
    out = tmp_path / "scores.csv"
    code = main(
        [
            "index",
            "composite",
            str(produc_csv),
            "--id",
            "fips",
            "--time",
            "year",
            "--indicators",
            str(indicators_csv),
            "--out",
            str(out),
            "--method",
            "topsis",
        ]
    )
    assert code == 0, capsys.readouterr().err
    scores = pd.read_csv(out, dtype={"fips": str})
    assert scores.columns.tolist() == [
        "fips",
        "year",
        "economy",
        "labour",
        "index",
        "rank_economy",
        "rank_labour",
        "rank_index",
    ]
    assert scores["fips"].iloc[0] == "01"
    weights = pd.read_csv(tmp_path / "scores_weights.csv")
    assert weights.groupby("scope")["weight"].sum().round(12).eq(1).all()
    assert (tmp_path / "scores_distances.csv").is_file()


def test_coupling_command_reproduces_the_published_table(tmp_path, capsys):
    out = tmp_path / "d.csv"
    code = main(
        [
            "index",
            "coupling",
            str(REFERENCE / "western_resilience_hqd.csv"),
            "--id",
            "region",
            "--time",
            "year",
            "--subsystems",
            "resilience_index,hq_development_index",
            "--scale",
            "100",
            "--out",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    table = pd.read_csv(out)
    assert table.loc[(table["region"] == "四川") & (table["year"] == 2019), "D"].round(2).item() == 0.53
    assert {"grade_zh", "grade_en", "lagging"} <= set(table.columns)
    assert (tmp_path / "d_counts.csv").is_file()
    assert (table["formula"] == "classical: C = [prod U_i / (mean U)^n]^k, n = 2, k = 0.5").all()


def test_coupling_command_states_the_revised_formula_and_refuses_its_exponent(tmp_path, capsys):
    base = ["index", "coupling", str(REFERENCE / "western_resilience_hqd.csv"), "--id", "region", "--time", "year",
            "--subsystems", "resilience_index,hq_development_index", "--scale", "100"]
    assert main([*base, "--formula", "revised", "--out", str(tmp_path / "r.csv")]) == 0, capsys.readouterr().err
    table = pd.read_csv(tmp_path / "r.csv")
    u = table[["resilience_index", "hq_development_index"]].to_numpy()  # written divided by --scale
    expected = np.sqrt((1 - np.abs(u[:, 0] - u[:, 1])) * u.min(axis=1) / u.max(axis=1))
    assert np.allclose(table["C"], expected, rtol=1e-10) and table["formula"].str.startswith("revised").all()
    code = main([*base, "--formula", "revised", "--exponent", "5", "--out", str(tmp_path / "x.csv")])
    assert code == 2 and "has no adjustment exponent" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(
    ("command", "extra", "siblings"),
    [
        ("theil", ["--value", "gsp", "--group", "zone"], ["_groups"]),
        ("gini", ["--value", "gsp", "--group", "zone"], ["_within", "_between"]),
        ("convergence", ["--value", "gsp", "--group", "zone"], ["_trend", "_cv"]),
        (
            "geodetector",
            ["--y", "unemp", "--factors", "pcap,emp,zone", "--period", "1986", "--k", "4"],
            ["_interaction", "_risk", "_risk_means", "_ecological"],
        ),
        ("lq", ["--industries", "hwy,water,util"], []),
    ],
)
def test_inequality_and_detector_commands(tmp_path, produc_csv, capsys, command, extra, siblings):
    out = tmp_path / f"{command}.csv"
    code = main(["index", command, str(produc_csv), "--id", "fips", "--time", "year", "--out", str(out), *extra])
    assert code == 0, capsys.readouterr().err
    assert out.is_file()
    for suffix in siblings:
        assert (tmp_path / f"{command}{suffix}.csv").is_file(), suffix


def test_kde_command_writes_figures(tmp_path, produc_csv, capsys):
    out = tmp_path / "kde.csv"
    code = main(
        [
            "index",
            "kde",
            str(produc_csv),
            "--id",
            "fips",
            "--time",
            "year",
            "--value",
            "unemp",
            "--periods",
            "1970,1986",
            "--out",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    png = tmp_path / "kde.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "kde.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    from PIL import Image

    with Image.open(png) as image:
        assert round(image.info["dpi"][0]) == 300


def test_pipeline_step_adds_panel_variables_and_writes_tables(tmp_path, produc_csv, indicators_csv):
    raw = {
        "panel": {"path": str(produc_csv), "id": "fips", "time": "year"},
        "indices": {
            "indicators": str(indicators_csv),
            "inequality": ["index"],
            "group": "zone",
            "geodetector_y": "unemp",
            "geodetector_factors": ["index", "zone"],
            "geodetector_period": 1986,
            "lq_industries": ["hwy", "water", "util"],
            "lq_score": [50, 100],
            "obstacle": True,
            "coupling_formula": "revised",
            "markov": ["unemp"],
        },
    }
    config = validate_config(raw)
    ctx = run(config, output=tmp_path / "out", echo=lambda _: None)
    assert {"index", "economy", "labour", "index_D"} <= set(ctx.panel.variables)
    results = ctx.results["indices"]
    assert set(results) >= {"composite", "coupling", "theil", "dagum_gini", "sigma", "cv", "kde", "geodetector", "lq"}
    assert results["coupling"].options["formula"].startswith("revised")
    assert results["lq"]["score"].between(50, 100).all()
    written = set(ctx.outputs)
    for name in (
        "indices_scores.csv",
        "indices_weights.csv",
        "indices_coupling.csv",
        "indices_theil_index.csv",
        "indices_gini_index_between.csv",
        "indices_kde_index.png",
        "indices_geodetector_factor.csv",
        "indices_lq.csv",
        "indices_obstacle.csv",
        "indices_obstacle_top.csv",
        "indices_markov_unemp.csv",
        "indices_markov_unemp.png",
        "run.json",
    ):
        assert name in written and (tmp_path / "out" / name).is_file(), name
    record = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert any(i["role"] == "indicators" and "sha256" in i for i in record["inputs"])
    assert "index_D" in record["panel"]["variables"]


def test_pipeline_refuses_existing_outputs_before_computing(tmp_path, produc_csv, indicators_csv):
    from spatial.errors import OutputError

    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "indices_weights.csv").write_text("keep me", encoding="utf-8")
    config = validate_config(
        {
            "panel": {"path": str(produc_csv), "id": "fips", "time": "year"},
            "indices": {"indicators": str(indicators_csv)},
        }
    )
    with pytest.raises(OutputError, match="indices_weights.csv already exists"):
        run(config, output=folder, echo=lambda _: None)
    assert (folder / "indices_weights.csv").read_text(encoding="utf-8") == "keep me"
    assert not (folder / "indices_scores.csv").exists()


def test_ahp_and_obstacle_commands(tmp_path, capsys, produc_csv, indicators_csv):
    matrix = tmp_path / "ahp.csv"
    matrix.write_text("criterion,gsp,pcap,emp\ngsp,1,3,5\npcap,0.3333333333,1,3\nemp,0.2,0.3333333333,1\n")
    out = tmp_path / "ahp_weights.csv"
    assert main(["index", "ahp", str(matrix), "--out", str(out)]) == 0, capsys.readouterr().err
    assert pd.read_csv(out)["weight"].round(3).tolist() == [0.637, 0.258, 0.105]
    assert pd.read_csv(tmp_path / "ahp_weights_consistency.csv")["CR"].round(3).item() == 0.033
    matrix.write_text("criterion,a,b,c\na,1,9,0.1111111111\nb,0.1111111111,1,9\nc,9,0.1111111111,1\n")
    code = main(["index", "ahp", str(matrix), "--out", str(tmp_path / "bad.csv")])
    assert code == 2 and "inconsistent: CR =" in capsys.readouterr().err
    out = tmp_path / "obstacle.csv"
    code = main(["index", "obstacle", str(produc_csv), "--id", "fips", "--time", "year", "--indicators",
                 str(indicators_csv), "--out", str(out), "--top", "2"])
    assert code == 0, capsys.readouterr().err
    table = pd.read_csv(out, dtype={"fips": str})
    assert np.allclose(table.groupby(["fips", "year"])["obstacle"].sum(), 1.0)
    assert {"obstacle_1", "obstacle_2", "degree_2"} <= set(pd.read_csv(tmp_path / "obstacle_top.csv").columns)


def test_dea_and_productivity_commands(tmp_path, capsys, produc_csv):
    base = ["--id", "fips", "--time", "year", "--inputs", "pcap,emp", "--outputs", "gsp"]
    out = tmp_path / "eff.csv"
    code = main(["index", "dea", str(produc_csv), *base, "--undesirable", "unemp", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    table = pd.read_csv(out, dtype={"fips": str})
    assert len(table) == 816 and table["super_efficient"].any() and table["model"].str.startswith("super-SBM").all()
    out = tmp_path / "gml.csv"
    code = main(["index", "productivity", str(produc_csv), *base, "--undesirable", "unemp", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    index = pd.read_csv(out, dtype={"fips": str})
    assert np.allclose(index["gml"], index["ec"] * index["bpc"]) and (tmp_path / "gml_distances.csv").is_file()
    code = main(["index", "productivity", str(produc_csv), *base, "--undesirable", "unemp", "--method", "malmquist",
                 "--out", str(tmp_path / "m.csv")])
    assert code == 2 and "no undesirable outputs" in capsys.readouterr().err


def test_pipeline_step_adds_dea_and_gtfp(tmp_path, produc_csv):
    raw = {
        "panel": {"path": str(produc_csv), "id": "fips", "time": "year"},
        "indices": {"dea_inputs": ["pcap", "emp"], "dea_outputs": ["gsp"], "dea_undesirable": ["unemp"],
                    "productivity": "gml"},
    }
    ctx = run(validate_config(raw), output=tmp_path / "out", echo=lambda _: None)
    assert {"dea_efficiency", "gtfp"} <= set(ctx.panel.variables)
    assert (ctx.panel.data.xs(1970, level="year")["gtfp"] == 1).all()
    assert (tmp_path / "out" / "indices_gml.csv").is_file() and (tmp_path / "out" / "indices_dea.csv").is_file()


def test_markov_command_spatial_with_a_gal_file(tmp_path, capsys):
    import libpysal

    wide = pd.read_csv(libpysal.examples.get_path("usjoin.csv"))
    years = [str(y) for y in range(1929, 2010)]
    pci = wide[years].to_numpy(dtype=float)
    long = pd.DataFrame({"state": np.repeat(np.arange(48), 81), "year": np.tile(np.arange(1929, 2010), 48),
                         "rpci": (pci / pci.mean(axis=0)).reshape(-1)})
    table = tmp_path / "usjoin_long.csv"
    long.to_csv(table, index=False)
    out = tmp_path / "sm.csv"
    code = main(["index", "markov", str(table), "--id", "state", "--time", "year", "--value", "rpci", "--kind",
                 "spatial", "--weights", libpysal.examples.get_path("states48.gal"), "--out", str(out), "--lang", "zh"])
    assert code == 0, capsys.readouterr().err
    printed = pd.read_csv(out)
    assert printed["lag"].iloc[0] == "all" and len(printed) == 30
    tests = pd.read_csv(tmp_path / "sm_tests.csv")
    assert tests.loc[tests["test"] == "chi2 lag L1 vs pooled", "statistic"].round(4).item() == 40.5599  # giddy
    assert (tmp_path / "sm.png").is_file() and (tmp_path / "sm_summary.csv").is_file()
    code = main(["index", "markov", str(table), "--id", "state", "--time", "year", "--value", "rpci", "--kind",
                 "lisa", "--out", str(tmp_path / "l.csv")])
    assert code == 2 and "needs --weights" in capsys.readouterr().err


def test_gravity_command(tmp_path, capsys):
    data = pd.DataFrame({"city": ["a", "b", "c", "d"] * 2, "year": [2000] * 4 + [2010] * 4,
                         "lon": [110.0, 114.0, 112.0, 112.0] * 2, "lat": [30.0, 30.0, 31.0, 29.0] * 2,
                         "gdp": [1.0, 1.0, 1.0, 1.0, 1.0, 4.0, 1.0, 1.0]})
    table = tmp_path / "cities.csv"
    data.to_csv(table, index=False)
    out = tmp_path / "centre.csv"
    code = main(["index", "gravity", str(table), "--id", "city", "--time", "year", "--weight", "gdp", "--out",
                 str(out), "--lang", "zh"])
    assert code == 0, capsys.readouterr().err
    moves = pd.read_csv(tmp_path / "centre_moves.csv")
    assert moves["direction_zh"].tolist() == ["东"] and moves["distance_km"].iloc[0] > 0
    assert pd.read_csv(tmp_path / "centre_ellipses.csv")["correction"].eq("sqrt(2)").all()
    assert all((tmp_path / f"centre{s}").is_file() for s in (".png", ".svg", ".html"))
    code = main(["index", "gravity", str(table), "--id", "city", "--time", "year", "--weight", "gdp", "--out",
                 str(out)])
    assert code != 0 and "exists" in capsys.readouterr().err


def test_pipeline_step_gravity(tmp_path):
    data = pd.DataFrame({"city": ["a", "b", "c", "d"] * 2, "year": [2000] * 4 + [2010] * 4,
                         "lon": [110.0, 114.0, 112.0, 112.0] * 2, "lat": [30.0, 30.0, 31.0, 29.0] * 2,
                         "gdp": [1.0, 1.0, 1.0, 1.0, 1.0, 4.0, 1.0, 1.0]})
    data.to_csv(tmp_path / "cities.csv", index=False)
    raw = {"panel": {"path": str(tmp_path / "cities.csv"), "id": "city", "time": "year"},
           "indices": {"gravity_weight": "gdp"}}
    ctx = run(validate_config(raw), output=tmp_path / "out", echo=lambda _: None)
    assert ctx.results["indices"]["gravity"].moves["direction"].tolist() == ["E"]
    assert (tmp_path / "out" / "indices_gravity_ellipses.csv").is_file()
    assert (tmp_path / "out" / "indices_gravity_map.png").is_file()


def test_report_embeds_the_indices_figures_and_markov_tables(tmp_path, produc_csv, indicators_csv):
    import base64
    import re

    config = tmp_path / "study.toml"
    config.write_text(
        f'[project]\noutput = "out"\n[panel]\npath = "{produc_csv.as_posix()}"\nid = "fips"\ntime = "year"\n'
        f'[indices]\nindicators = "{indicators_csv.as_posix()}"\ninequality = ["index"]\nmarkov = ["unemp"]\n'
        '[report]\nvariables = ["unemp"]\n', encoding="utf-8")
    assert main(["report", str(config)]) == 0
    html = next((tmp_path / "out").glob("*.html")).read_text(encoding="utf-8")
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)"', html)
    captions = {alt for _, alt in images}
    assert {"Kernel density: index", "Markov chain: unemp"} <= captions  # captions in words, not file names
    for data, _ in images:
        assert base64.b64decode(data).startswith(b"\x89PNG\r\n\x1a\n")
    assert "Markov chain unemp: transition probabilities" in html and "Markov chain unemp: summary" in html
