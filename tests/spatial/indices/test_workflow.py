"""One workflow per index operation (spatial.indices.workflow): the command, a config run and Python
compute the same tables from the same declared options; [indices] keys that need each other are
refused when the config is read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from spatial import datasets
from spatial.cli import main
from spatial.config import validate_config
from spatial.errors import ConfigError, SchemaError
from spatial.indices import workflow
from spatial.pipeline import run

PANEL = {"dataset": "us_produc", "id": "fips", "time": "year"}


@pytest.fixture(scope="module")
def produc() -> pd.DataFrame:
    frame = datasets.load("us_produc")
    frame["zone"] = "z" + frame["region"].astype(str)
    return frame


@pytest.fixture
def produc_csv(tmp_path: Path, produc) -> Path:
    path = tmp_path / "produc.csv"
    produc.to_csv(path, index=False)
    return path


def _cli(out: Path, capsys, *args: str) -> pd.DataFrame:
    assert main(["index", *args, "--out", str(out)]) == 0, capsys.readouterr().err
    return pd.read_csv(out)


def test_theil_l_and_sd_log_sigma_same_from_command_config_and_python(tmp_path, capsys, produc, produc_csv):
    """theil_kind / --kind and sigma_statistic / --statistic are one option each (new config keys)."""
    base = [str(produc_csv), "--id", "fips", "--time", "year", "--value", "gsp", "--group", "zone"]
    command_theil = _cli(tmp_path / "theil.csv", capsys, "theil", *base, "--kind", "L")
    command_sigma = _cli(tmp_path / "sigma.csv", capsys, "convergence", *base, "--statistic", "sd_log")
    raw = {"panel": {"path": str(produc_csv), "id": "fips", "time": "year"},
           "indices": {"inequality": ["gsp"], "group": "zone", "theil_kind": "L", "sigma_statistic": "sd_log",
                       "kde": False}}
    ctx = run(validate_config(raw), output=tmp_path / "out", echo=lambda _: None)
    results = ctx.results["indices"]
    python = workflow.run_theil(produc, "gsp", id="fips", time="year", group="zone", kind="L")
    np.testing.assert_allclose(command_theil["theil"], python.tables[""]["theil"], rtol=1e-12)
    np.testing.assert_allclose(results["theil"]["gsp"].summary["theil"], python.tables[""]["theil"], rtol=1e-12)
    theil_t = workflow.run_theil(produc, "gsp", id="fips", time="year", group="zone").tables[""]["theil"]
    assert not np.allclose(python.tables[""]["theil"], theil_t)  # the key changed the index
    sigma = results["sigma"]["gsp"]
    assert sigma.options["statistic"] == "sd_log"
    np.testing.assert_allclose(sigma.series.sort_values(["group", "year"])["sigma"].to_numpy(),
                               command_sigma.sort_values(["group", "year"])["sigma"].to_numpy(), rtol=1e-12)


def test_a_run_keeps_its_defaults_theil_t_and_sigma_of_the_cv(tmp_path, produc):
    ctx = run(validate_config({"panel": PANEL, "indices": {"inequality": ["gsp"], "kde": False}}),
              output=tmp_path / "out", echo=lambda _: None)
    results = ctx.results["indices"]
    expected = workflow.run_theil(produc, "gsp", id="fips", time="year").tables[""]["theil"]
    np.testing.assert_allclose(results["theil"]["gsp"].summary["theil"], expected, rtol=1e-12)
    assert results["sigma"]["gsp"].options["statistic"] == "cv"


def test_gravity_projection_key_reaches_the_centre(tmp_path):
    data = pd.DataFrame({"city": ["a", "b", "c", "d"] * 2, "year": [2000] * 4 + [2010] * 4,
                         "lon": [100.0, 101, 100, 101] * 2, "lat": [30.0, 30, 31, 31] * 2,
                         "gdp": [1.0, 1, 1, 1, 1, 3, 1, 3]})
    path = tmp_path / "cities.csv"
    data.to_csv(path, index=False)
    projection = "+proj=aea +lat_1=25 +lat_2=47 +lon_0=105 +datum=WGS84 +units=m"
    raw = {"panel": {"path": str(path), "id": "city", "time": "year"},
           "indices": {"gravity_weight": "gdp", "gravity_projection": projection}}
    ctx = run(validate_config(raw), output=tmp_path / "out", echo=lambda _: None)
    python = workflow.run_gravity(data, "gdp", id="city", time="year", projection=projection)
    assert ctx.results["indices"]["gravity"].options["projection"] == python.result.options["projection"]
    pd.testing.assert_frame_equal(ctx.results["indices"]["gravity"].centres, python.tables[""])


@pytest.mark.parametrize("indices, message", [
    ({"geodetector_factors": ["gsp"]}, r"geodetector_factors needs geodetector_y"),
    ({"dea_inputs": ["pcap"]}, r"dea_inputs needs dea_outputs"),
    ({"productivity": "gml"}, r"productivity needs dea_inputs"),
    ({"lq_industries": ["hwy"], "lq_score": [50, 75, 100]}, r"lq_score must be \[low, high\]"),
    ({"dea_inputs": ["pcap"], "dea_outputs": ["gsp"], "dea_undesirable": ["unemp"], "productivity": "malmquist"},
     r"'malmquist' has no undesirable outputs; use 'gml'"),
    ({"theil_kind": "X"}, r"theil_kind = 'X' is not allowed; choose one of 'T', 'L'"),
])
def test_keys_that_need_each_other_are_refused_when_the_config_is_read(indices, message):
    with pytest.raises(ConfigError, match=message):
        validate_config({"panel": PANEL, "indices": indices})


def test_python_workflow_refuses_what_the_command_refuses(produc):
    with pytest.raises(SchemaError, match="needs weights="):
        workflow.run_markov(produc, "gsp", id="fips", time="year", kind="spatial")
    with pytest.raises(SchemaError, match="no undesirable outputs; use method='gml'"):
        workflow.run_productivity(produc, ["pcap"], ["gsp"], ["unemp"], id="fips", time="year", method="malmquist")


def test_obstacle_of_a_built_composite_equals_the_command_path(tmp_path, capsys, produc, produc_csv):
    indicators = {"gsp": "positive", "pcap": "positive", "unemp": "negative"}
    system = tmp_path / "system.csv"
    pd.DataFrame({"indicator": list(indicators), "direction": list(indicators.values())}).to_csv(system, index=False)
    command = _cli(tmp_path / "obstacle.csv", capsys, "obstacle", str(produc_csv), "--id", "fips", "--time", "year", "--indicators",
                   str(system), "--top", "2")
    composite = workflow.run_composite(produc, indicators, id="fips", time="year").result
    python = workflow.run_obstacle(composite, top=2)
    np.testing.assert_allclose(command["obstacle"], python.tables[""]["obstacle"], rtol=1e-12)
    assert list(python.tables) == ["", "subsystems", "top"]


def test_the_grading_names_are_the_bundled_gradings():
    """The config's grading values (spatial.choices.Grading) are the tables spatial.indices bundles."""
    from typing import get_args

    from spatial.choices import Grading
    from spatial.indices import GRADINGS

    assert get_args(Grading) == tuple(GRADINGS)


def test_index_messages_suggest_the_fix_in_the_callers_spelling(tmp_path, capsys):
    """A fix a message suggests is declared with its index command (spatial.operations_indices): the
    command names its flag, Python the keyword."""
    from spatial.indices import ahp_weights

    matrix = tmp_path / "bad.csv"
    matrix.write_text("criterion,a,b,c\na,1,9,0.1111111111\nb,0.1111111111,1,9\nc,9,0.1111111111,1\n")
    assert main(["index", "ahp", str(matrix), "--out", str(tmp_path / "w.csv")]) == 2
    err = capsys.readouterr().err
    assert "pass --force to accept it" in err and "force=True" not in err
    assert main(["index", "ahp", str(matrix), "--out", str(tmp_path / "w.csv"), "--force"]) == 0
    with pytest.raises(SchemaError, match="pass force=True to accept it"):
        ahp_weights(pd.read_csv(matrix, index_col=0))
