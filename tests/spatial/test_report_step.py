"""`spatial map`, `spatial report`, `spatial demo` and the report step's reading of ctx.results."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from spatial import datasets
from spatial.cli import main
from spatial.config import validate_config
from spatial.pipeline import run
from spatial.steps.report import build_report
from tests.maps.pagedata import view_specs


def test_map_command_html_and_png(tmp_path, capsys):
    table = datasets.path("us_produc")
    out = tmp_path / "unemp.html"
    args = ["map", str(table), "--id", "fips", "--time", "year", "--column", "unemp", "--boundaries", "us48_states"]
    assert main([*args, "--out", str(out), "--scheme", "natural_breaks"]) == 0, capsys.readouterr().err
    spec = view_specs(out.read_text(encoding="utf-8"))[0]
    assert len(spec["views"]) == 17 and "Natural breaks (Fisher-Jenks), 5 classes" in spec["legends"][0]
    png = tmp_path / "unemp.png"
    assert main([*args, "--out", str(png), "--period", "1975", "--lang", "zh"]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG"
    capsys.readouterr()
    assert main([*args, "--out", str(png)]) == 2
    assert "already exists; pass --overwrite" in capsys.readouterr().err
    assert main([*args, "--out", str(tmp_path / "x.html"), "--period", "2999"]) == 2
    assert "--period '2999' is not in the panel" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()


def _config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "a.toml"
    path.write_text('[project]\nname = "Produc"\noutput = "out"\n[panel]\ndataset = "us_produc"\nid = "fips"\n'
                    'time = "year"\nvariables = ["gsp", "unemp"]\n[boundaries]\ndataset = "us48_states"\n' + extra,
                    encoding="utf-8")
    return path


def test_report_command_writes_one_report_and_refuses_to_overwrite(tmp_path, capsys):
    config = _config(tmp_path)
    assert main(["report", str(config), "--lang", "zh"]) == 0, capsys.readouterr().err
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in html and "输入数据与剔除记录" in html and html.count("L.map(") == 2
    assert "report written to" in capsys.readouterr().out
    assert main(["report", str(config)]) == 2
    assert "report.html already exists; pass --overwrite" in capsys.readouterr().err
    assert main(["report", str(config), "--overwrite", "--title", "Again"]) == 0
    assert "<title>Again</title>" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_run_without_report_section_writes_no_report(tmp_path, capsys):
    assert main(["run", str(_config(tmp_path))]) == 0
    assert not (tmp_path / "out" / "report.html").exists()
    assert main(["run", str(_config(tmp_path, '[report]\nvariables = ["nope"]\n')), "--overwrite"]) == 2
    assert "[report] variables ['nope'] are not panel variables" in capsys.readouterr().err


def test_demo_writes_the_report_and_says_where(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "spatial-demo/report.html" in out
    html = Path("spatial-demo/report.html").read_text(encoding="utf-8")
    assert "US states productivity" in html and html.count("L.map(") >= 4
    assert len(html.encode("utf-8")) < 3_000_000  # the demo report stays small
    assert "20240601" in html and "20,240,601" not in html  # seeds print as identifiers
    assert main(["demo"]) == 2  # an earlier demo is never overwritten silently
    err = capsys.readouterr().err
    assert "spatial-demo: run.json, " in err and "(outputs of an earlier run); pass --overwrite" in err
    assert main(["demo", "--overwrite"]) == 0


def test_report_reads_every_result_that_earlier_steps_store():
    """Typed results, as the steps pass them (spatial.run_results): the result objects themselves."""
    from libpysal.graph import Graph

    from spatial import esda
    from spatial.indices import coefficient_of_variation
    from spatial.models import fit, select
    from spatial.run_results import EsdaResults, IndicesResults, ModelsResults
    from spatial.steps.models import journal_tables

    cfg = validate_config({"panel": {"dataset": "us_produc", "id": "fips", "time": "year",
                                     "variables": ["unemp", "gsp", "pcap"]},
                           "boundaries": {"dataset": "us48_states"},
                           "report": {"periods": [1986], "variables": ["unemp"]}})
    ctx = run(cfg, write=False, echo=lambda text: None)
    ctx.results["weights"] = {"queen": Graph.build_contiguity(ctx.panel.geometry, rook=False).transform("r")}
    periods = list(ctx.panel.periods)
    queen = ctx.results["weights"]["queen"]
    glob = esda.global_autocorrelation(ctx.panel, queen, "unemp", permutations=0)
    ctx.results["esda"] = EsdaResults(
        weights="queen", global_autocorrelation=glob, moran_table=esda.moran_table(glob),
        lisa=esda.local_moran(ctx.panel, queen, "unemp", periods=[1986], permutations=0),
        hot_spots=esda.hot_spots(ctx.panel, queen, "unemp", periods=[1986], permutations=0))
    model = {"y": "log(gsp)", "x": ["log(pcap)", "unemp"]}
    fitted = {m: fit(ctx.panel, queen, **model, model=m, fe="twoway", draws=0, inference="delta", per_unit=True)
              for m in ("sar", "sdm")}
    table, effects = journal_tables(fitted, {})
    ctx.results["models"] = ModelsResults(weights="queen", results=fitted, table=table, effects_table=effects,
                                          selection=select(ctx.panel, queen, **model, random_effects=False))
    ctx.results["indices"] = IndicesResults(cv={"unemp": coefficient_of_variation(ctx.panel, "unemp")})
    report = build_report(ctx)
    keys = [s.key for s in report.sections]
    assert keys == ["inputs", "weights", "maps", "moran", "lisa", "selection", "models", "effects", "effects_maps",
                    "indices", "reproducibility"]
    html = report.to_html()
    assert "214" in html  # queen links of the 48 states
    assert html.count("<circle") == len(periods)  # one Moran series: the randomisation rows only
    lisa = [s for s in report.sections if s.key == "lisa"][0]
    assert [b.title for b in lisa.blocks] == ["LISA: unemp", "Gi*: unemp"]
    rho = fitted["sar"].params["rho"]
    assert re.search(rf"{rho:.3f}\*\*\*", html)  # the journal table: fixed decimals with stars
    assert f"({fitted['sar'].std_errors['rho']:.3f})" in html  # and the standard error in parentheses
    assert "LR SDM vs SAR" in html and "Coefficient of variation: unemp" in html
    maps_ = [b.title for s in report.sections if s.key == "effects_maps" for b in s.blocks]
    assert "SAR: log(pcap)" in maps_ and "SDM: unemp" in maps_  # per-unit effects of each result


def test_results_are_typed_fields():
    """A run's results hold the step results as typed fields; a result of the wrong kind is refused."""
    import pytest

    from spatial.run_results import RunResults

    results = RunResults()
    with pytest.raises(TypeError, match="results\\['models'\\] must be a ModelsResults"):
        results["models"] = {"SAR": object()}
    with pytest.raises(KeyError, match="not a step result"):
        results["selection"] = pd.DataFrame()
    assert "models" not in results and results.get("esda") is None
