"""The config documented from its declarations (issue 13 item 3): docs/config.md is generated and
current, `spatial config template` writes a complete commented TOML that validates, and
`spatial run --dry-run` validates and lists outputs without estimating."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from spatial.cli import main
from spatial.config import SECTIONS, validate_config
from spatial.config_docs import config_reference, config_template
from tests.conftest import folder_snapshot

ROOT = Path(__file__).resolve().parents[2]


def test_docs_config_md_is_generated_from_the_declarations():
    current = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    assert current == config_reference(), "docs/config.md is out of date: python -m spatial.config_docs > docs/config.md"


def test_the_reference_lists_every_section_and_key():
    text = config_reference()
    for name, keys in SECTIONS.items():
        for key in keys:
            if key != "*":
                assert f"| `{key}` |" in text, (name, key)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_template_validates_and_names_every_key(lang):
    text = config_template(lang)
    raw = tomllib.loads(text)
    config = validate_config(raw)
    assert config["models"]["fe"] == "twoway" and set(raw["weights"]) == {"contiguity", "capitals"}
    for name, keys in SECTIONS.items():
        for key in keys:
            if key != "*":
                assert re.search(rf"^#? ?{re.escape(key)} = ", text, re.MULTILINE), (name, key)
    if lang == "zh":
        assert "面板数据表" in text


def test_every_key_has_a_chinese_description_in_the_zh_template():
    """`config template --lang zh` describes every key in Chinese (a new key without one fails here)."""
    from spatial.config import SECTIONS
    from spatial.config_docs import _sections, _weights_keys, config_template
    from spatial.config_zh import ZH

    names = set()
    for section in _sections():
        if section == "weights":
            common, kinds = _weights_keys()
            names |= {f"weights.{k}" for keys in (common, *kinds.values()) for k in keys if k != "*"}
        else:
            names |= {f"{section}.{k}" for k in SECTIONS[section] if k != "*"}
    assert sorted(names - set(ZH)) == []
    text = config_template("zh")
    assert "one of " not in text and "relative to the config file" not in text
    assert "# hot_spots = []   # Getis-Ord Gi* 热点分析的变量" in text


def test_config_template_command_writes_the_file_and_refuses_to_overwrite(tmp_path, capsys):
    target = tmp_path / "analysis.toml"
    assert main(["config", "template", "--out", str(target), "--lang", "zh"]) == 0
    assert "双向固定效应" in target.read_text(encoding="utf-8")
    before = folder_snapshot(tmp_path)
    assert main(["config", "template", "--out", str(target)]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert folder_snapshot(tmp_path) == before
    assert main(["config", "template"]) == 0
    assert "[models]" in capsys.readouterr().out


def test_dry_run_validates_lists_outputs_and_estimates_nothing(tmp_path, capsys, monkeypatch):
    import spatial.pipeline as pipeline

    (tmp_path / "a.toml").write_text(
        '[panel]\ndataset = "us_produc"\nid = "fips"\ntime = "year"\nvariables = ["gsp", "emp"]\n'
        '[boundaries]\ndataset = "us48_states"\n[weights.queen]\nkind = "queen"\n'
        '[esda]\nvariables = ["gsp"]\nseed = 1\n[models]\ny = "log(gsp)"\nx = ["log(emp)"]\nfe = "twoway"\n',
        encoding="utf-8")
    monkeypatch.setattr(pipeline, "_run_steps", lambda ctx: pytest.fail("--dry-run ran the steps"))
    before = folder_snapshot(tmp_path)
    assert main(["run", str(tmp_path / "a.toml"), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "816 observations" in out or "48 units" in out
    assert "run.json" in out and "would write" in out
    assert folder_snapshot(tmp_path) == before


def test_dry_run_reports_a_bad_input_as_a_run_would(tmp_path, capsys):
    (tmp_path / "a.toml").write_text('[panel]\npath = "missing.csv"\nid = "fips"\n', encoding="utf-8")
    assert main(["run", str(tmp_path / "a.toml"), "--dry-run"]) == 2
    assert "missing.csv" in capsys.readouterr().err
