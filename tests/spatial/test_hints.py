"""Messages suggest only options that exist where they are shown (issue 12 A2/A5/A6/A7, issue 13 item 1).

Each option a message may suggest is declared once in :mod:`spatial.hints`; messages carry hint
tokens, and each surface (a command, a config run, Python) renders them. These tests check the
declarations against the real commands and config sections, that every token in the source is
declared, and that real errors suggest flags that parse on the command named beside them.
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import click
import pandas as pd
import pytest

from spatial.cli import cli, main
from spatial.hints import CONFIG, OPTIONS, PYTHON, cli_surface, hint, render
from tests.conftest import folder_snapshot

ROOT = Path(__file__).resolve().parents[2]
REF = ROOT / "tests" / "reference" / "columbus_models"


def _command(path: str) -> click.Command:
    command = cli
    for name in path.split():
        command = command.get_command(click.Context(command), name)
        assert command is not None, f"no command `spatial {path}`"
    return command


def _flags(command: click.Command) -> set[str]:
    return {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}


def _accepts(path: str, flag: str, value: str | None) -> None:
    """``spatial PATH FLAG [VALUE]`` gets past click's option parsing (a rejected value or flag raises)."""
    command = _command(path)
    assert flag in _flags(command), f"spatial {path} has no {flag}"
    param = next(p for p in command.params if flag in p.opts)
    if value is not None and not getattr(param, "is_flag", False):
        ctx = click.Context(command)
        param.type_cast_value(ctx, value)  # e.g. click.Choice rejects a value it does not list


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_every_declared_flag_exists_on_its_commands(name):
    option = OPTIONS[name]
    for path, flag in option.flags.items():
        _accepts(path, flag, None)


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_every_declared_config_key_exists(name):
    from spatial.config import SECTIONS
    from spatial.pipeline import load_steps

    load_steps()
    option = OPTIONS[name]
    if option.key is None:
        return
    section, _, key = option.key.rpartition(".")
    if section.endswith(".*"):  # a key of every named table ([weights.NAME])
        from spatial.steps import weights as step

        keys = set(step._COMMON).union(*step._KEYS.values())
        assert key in keys, f"[{section}] has no key {key!r}"
    else:
        assert key in SECTIONS[section], f"[{section}] has no key {key!r}"


_TOKENS = {
    "spatial": re.compile(r"""(?<![\w.])(?:hint|option_hint)\(\s*['"]([\w.]+)['"]"""),
    "weights": re.compile(r"""(?<![\w.])hint\(\s*['"](\w+)['"]"""),
    "maps": re.compile(r"""(?<![\w.])hint\(\s*['"](\w+)['"]"""),
}


def _used_tokens() -> set[tuple[str, str]]:
    used = set()
    for package, pattern in _TOKENS.items():
        for path in (ROOT / package).rglob("*.py"):
            for name in pattern.findall(path.read_text(encoding="utf-8")):
                used.add((name if package == "spatial" else f"{package}.{name}", str(path.relative_to(ROOT))))
    return used


def test_every_hint_in_the_source_is_declared():
    used = _used_tokens()
    assert len(used) >= 25  # the scan sees the messages (it cannot pass by finding nothing)
    missing = sorted(f"{name} ({where})" for name, where in used if name not in OPTIONS)
    assert not missing, missing


def _message_strings(tree: ast.AST):
    """(line, text) of every string literal inside a ``raise ...(...)`` or a ``warnings.warn(...)``,
    and of the strings assigned to names that messages are built from (``hint = ...``, ``fix = ...``)."""
    for node in ast.walk(tree):
        roots = []
        if isinstance(node, ast.Raise) and node.exc is not None:
            roots.append(node.exc)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "warn":
            roots.extend(node.args[:1])
        elif isinstance(node, ast.Assign) and any(getattr(t, "id", "") in ("hint", "fix", "advice", "message")
                                                  for t in node.targets):
            roots.append(node.value)
        for root in roots:
            for inner in ast.walk(root):
                if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
                    yield inner.lineno, inner.value


def test_no_message_spells_a_flag_literally_outside_the_cli():
    """Outside spatial/cli, a `--flag` in an error or warning message must be a hint token instead."""
    literal = re.compile(r"(?<![\w-])--[a-z][a-z-]+")
    offenders = []
    for package in ("spatial", "weights", "maps"):
        for path in (ROOT / package).rglob("*.py"):
            rel = path.relative_to(ROOT)
            if rel.parts[:2] == ("spatial", "cli"):
                continue
            for number, text in _message_strings(ast.parse(path.read_text(encoding="utf-8"))):
                if literal.search(text):
                    offenders.append(f"{rel}:{number}: {text[:100]}")
    assert not offenders, "\n".join(offenders)


def test_the_message_scan_sees_literal_flags():
    tree = ast.parse('def f():\n    raise ValueError(f"pass --balance {x}")\n')
    assert [t for _, t in _message_strings(tree)] == ["pass --balance "]


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_rendering_on_every_command_suggests_only_flags_that_parse(name):
    """Render the hint on each command; every flag it names parses on the command it is named with."""
    from spatial.cli import _COMMANDS

    paths = [c for c in _COMMANDS if not isinstance(_command(c), click.Group)]
    paths += [f"weights {c}" for c in ("build", "info", "convert")]
    value = "x" if not OPTIONS[name].flag_value else None
    for path in paths:
        text = render(f"use {hint(name, value)}", cli_surface(path, _flags(_command(path))))
        for elsewhere, flag in re.findall(r"spatial ((?:weights |index )?[a-z]+) (--[a-z-]+)", text):
            _accepts(elsewhere, flag, None)
        bare = re.sub(r"spatial ((?:weights |index )?[a-z]+) --[a-z-]+", "", text)
        for flag in re.findall(r"(?<![\w-])--[a-z][a-z-]+", bare):
            _accepts(path, flag, None)


def test_surfaces_spell_the_same_hint_three_ways():
    message = f"drop whole units with {hint('balance', 'drop_units')}"
    assert render(message, PYTHON) == "drop whole units with balance='drop_units'"
    assert render(message, CONFIG) == 'drop whole units with [panel] balance = "drop_units"'
    assert render(message, cli_surface("check", {"--balance"})) == "drop whole units with --balance drop_units"
    on_fit = render(message, cli_surface("fit", {"--fe"}))
    assert "--balance" not in on_fit.replace("spatial check --balance", "")
    assert '[panel] balance = "drop_units"' in on_fit and "spatial check --balance drop_units" in on_fit


def test_python_messages_name_keywords_not_flags(tmp_path):
    from spatial import SpatialPanel
    from spatial.errors import UnbalancedPanelError

    frame = pd.DataFrame({"id": ["a", "a", "b"], "t": [1, 2, 1], "y": [1.0, 2.0, 3.0]})
    with pytest.raises(UnbalancedPanelError) as info:
        SpatialPanel(frame, id="id", time="t")
    assert "balance='drop_units'" in str(info.value) and "--" not in str(info.value)


def test_weights_messages_name_keywords_in_python():
    import weights
    from spatial import datasets

    states = datasets.load("us48_states")
    with pytest.raises(weights.WeightsError) as info:
        weights.distance_band(states.to_crs(4326), threshold=1.0)
    assert "metric='haversine'" in str(info.value) and "--metric" not in str(info.value)


def _suggested_flags_parse(err: str, path: str) -> int:
    """Every `--flag` in ``err`` parses on ``spatial PATH`` or on the command named just before it."""
    count = 0
    for elsewhere, flag in re.findall(r"spatial ((?:weights |index )?[a-z]+) (--[a-z-]+)", err):
        _accepts(elsewhere, flag, None)
        count += 1
    for flag in re.findall(r"(?<![\w-])--[a-z][a-z-]+", re.sub(r"spatial ((?:weights |index )?[a-z]+) --[a-z-]+", "", err)):
        _accepts(path, flag, None)
        count += 1
    return count


@pytest.fixture
def unbalanced(tmp_path):
    table = pd.read_csv(REF / "columbus.csv")
    long = pd.concat([table.assign(year=2000), table.assign(year=2001)]).iloc[:-1]
    long.to_csv(tmp_path / "panel.csv", index=False)
    shutil.copy(REF / "columbus_queen.gal", tmp_path / "w.gal")
    return tmp_path


def test_fit_on_an_unbalanced_panel_suggests_what_fit_accepts(unbalanced, capsys):
    before = folder_snapshot(unbalanced)
    code = main(["fit", str(unbalanced / "panel.csv"), "--id", "POLYID", "--time", "year", "--y", "CRIME",
                 "--x", "INC", "--model", "sar", "--weights", str(unbalanced / "w.gal")])
    err = capsys.readouterr().err
    assert code == 2 and ("unbalanced" in err.lower() or "missing" in err.lower()), err
    assert _suggested_flags_parse(err, "fit") >= 1
    assert folder_snapshot(unbalanced) == before


def test_check_suggests_its_own_flag(unbalanced, capsys):
    code = main(["check", str(unbalanced / "panel.csv"), "--id", "POLYID", "--time", "year"])
    err = capsys.readouterr().err
    assert code == 2 and "--balance drop_units" in err
    assert _suggested_flags_parse(err, "check") >= 1


def test_config_run_suggests_config_keys(unbalanced, capsys):
    (unbalanced / "a.toml").write_text(
        '[panel]\npath = "panel.csv"\nid = "POLYID"\ntime = "year"\n', encoding="utf-8")
    code = main(["run", str(unbalanced / "a.toml"), "--dry-run"])
    err = capsys.readouterr().err
    assert code == 2 and '[panel] balance = "drop_units"' in err and "--balance" not in err


def test_config_typo_suggests_the_key_by_its_meaning():
    from spatial.config import validate_config
    from spatial.errors import ConfigError

    raw = {"panel": {"dataset": "us_produc", "id": "fips"}, "models": {"y": "gsp", "fixed_effects": "twoway"}}
    with pytest.raises(ConfigError, match=r"unknown key 'fixed_effects' in \[models\] \(did you mean 'fe'\?\)"):
        validate_config(raw)
