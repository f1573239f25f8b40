"""Structure of the estimation engine (issue 15 items 2-3): one model table, one post-estimation
module, effects under the models, no private import circle, optional likelihood, JSON of every
model family, and one source of truth for the Lee-Yu tests of the SDM."""

from __future__ import annotations

import ast
import json
from dataclasses import replace
from pathlib import Path
from typing import get_args

import pandas as pd
import pytest
from libpysal.graph import read_gal

from spatial import SpatialPanel
from spatial.cli import main
from spatial.errors import SpatialPanelError
from spatial.models import fit, lr_test
from spatial.models._fit import ModelName
from spatial.models.catalog import MODEL_NAMES, MODELS, model_info
from tests.spatial.models.test_panel_pipeline import CONFIG
from tests.spatial.models.test_panel_random import random_effects_panel

ROOT = Path(__file__).resolve().parents[3]
REF = ROOT / "tests" / "reference" / "columbus_models"


@pytest.fixture(scope="module")
def columbus():
    data = pd.read_csv(REF / "columbus.csv")
    panel = SpatialPanel(data, id="POLYID", variables=["CRIME", "INC", "HOVAL"])
    return panel, read_gal(str(REF / "columbus_queen.gal")).transform("r")


def test_one_model_table_drives_fit_the_cli_and_the_config():
    from spatial.cli.fit import fit_cmd
    from spatial.steps import models as step

    assert get_args(ModelName) == MODEL_NAMES
    choices = next(p for p in fit_cmd.params if p.name == "model").type.choices
    assert tuple(choices) == MODEL_NAMES and step.MODELS_KEYS["models"].choices == MODEL_NAMES
    assert {m.name for m in MODELS.values() if m.lag} == {"sar", "sdm", "sac"}
    assert {m.name for m in MODELS.values() if m.error} == {"sem", "sdem", "sac"}
    assert {m.name for m in MODELS.values() if m.durbin} == {"slx", "sdm", "sdem"}
    assert all(m.label_zh and m.label_en for m in MODELS.values())
    with pytest.raises(SpatialPanelError, match="model='gmm' is not allowed; choose one of ols, slx"):
        model_info("gmm")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_no_private_import_circle_and_effects_live_under_models():
    models = ROOT / "spatial" / "models"
    assert "spatial.models._fit" not in _imports(models / "_random_effects.py")
    for name in ("_postestimation.py", "_scaling.py", "catalog.py", "effects.py", "result.py"):
        assert "spatial.models._fit" not in _imports(models / name), name
    assert _imports(models / "catalog.py") <= {"__future__", "dataclasses", "spatial.errors"}
    import spatial.effects
    import spatial.models.effects

    assert spatial.effects.lag_effects is spatial.models.effects.lag_effects
    assert spatial.effects._per_unit is spatial.models.effects._per_unit


FAMILIES = [("ols", {}), ("slx", {}), ("sar", {}), ("sem", {}), ("sdm", {}), ("sdem", {}), ("sac", {})]


@pytest.mark.parametrize("model", [m for m, _ in FAMILIES])
def test_to_json_of_every_cross_section_model(columbus, model):
    panel, w = columbus
    r = fit(panel, w, y="CRIME", x=["INC", "HOVAL"], model=model, draws=20)
    data = json.loads(r.to_json())
    assert data["model"] == model and data["label"] == MODELS[model].label_en
    assert isinstance(data["converged"], bool) and isinstance(data["at_boundary"], bool)


@pytest.mark.parametrize("model", ["sar", "sem"])
def test_to_json_of_random_effects_and_fixed_effects_panels(model, tmp_path):
    panel, w = random_effects_panel(model)
    for kwargs in ({"random_effects": True}, {"fe": "unit"}, {"fe": "twoway", "lee_yu": True}):
        r = fit(panel, w, y="y", x=["x1", "x2"], model=model, draws=20, **kwargs)
        data = json.loads(r.to_json())  # numpy bools were not JSON serialisable (issue 15)
        assert data["random_effects"] is bool(kwargs.get("random_effects", False))
        assert isinstance(data["at_boundary"], bool)
    frame = panel.data.reset_index()
    frame.to_csv(tmp_path / "panel.csv", index=False)
    lines = [f"0 {w.n}"]
    for unit in w.unique_ids:
        lines += [f"{unit} {len(w[unit])}", " ".join(str(v) for v in w[unit].index)]
    (tmp_path / "w.gal").write_text("\n".join(lines) + "\n")
    args = ["fit", str(tmp_path / "panel.csv"), "--id", "id", "--time", "year", "--y", "y", "--x", "x1,x2",
            "--model", model, "--random-effects", "--weights", str(tmp_path / "w.gal"), "--effects-draws", "20",
            "--json", str(tmp_path / "re.json")]
    assert main(args) == 0
    assert json.loads((tmp_path / "re.json").read_text())["random_effects"] is True


def test_an_estimate_without_likelihood_renders_and_refuses_lr(columbus):
    panel, w = columbus
    ols = fit(panel, w, y="CRIME", x=["INC", "HOVAL"], model="ols")
    sar = fit(panel, w, y="CRIME", x=["INC", "HOVAL"], model="sar", draws=0)
    free = replace(sar, loglik=None)  # e.g. a GMM estimate
    assert free.aic is None and free.bic is None
    data = json.loads(free.to_json())
    assert data["loglik"] is None and data["aic"] is None
    assert "n/a (no likelihood)" in free.summary() and "None" in repr(free)
    with pytest.raises(SpatialPanelError, match="an LR test needs two likelihoods; sar has none"):
        lr_test(free, ols)


def test_lee_yu_tests_of_the_sdm_are_the_same_in_the_fit_and_the_selection(tmp_path, capsys):
    config = CONFIG.replace('models = ["ols", "sar", "sdm"]', 'models = ["sdm"]').replace("draws = 100", "draws = 0")
    (tmp_path / "panel.toml").write_text(config, encoding="utf-8")
    assert main(["run", str(tmp_path / "panel.toml")]) == 0
    capsys.readouterr()
    tests = pd.read_csv(tmp_path / "out" / "models_tests.csv")
    selection = pd.read_csv(tmp_path / "out" / "models_selection.csv")
    for name in ("Wald theta = 0 (SDM vs SAR)", "Wald common factor (SDM vs SEM): theta = -rho beta"):
        own = tests.loc[(tests["model"] == "sdm") & (tests["test"] == name), "statistic"]
        chosen = selection.loc[selection["test"] == name, ["statistic", "model"]]
        assert len(own) == 1 and len(chosen) == 1
        assert chosen["statistic"].iloc[0] == pytest.approx(own.iloc[0], rel=1e-10)
        assert "Lee-Yu bias-corrected estimates" in chosen["model"].iloc[0]
    sdm = json.loads((tmp_path / "out" / "models_sdm.json").read_text(encoding="utf-8"))
    assert "Lee-Yu bias-corrected" in sdm["tests"]["wald_theta"]["note"]
