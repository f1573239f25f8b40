"""Messages suggest only options that exist where they are shown (issue 12 A2/A5/A6/A7, issue 13 item 1).

Each option a message may suggest is declared once in :mod:`spatial.hints`; messages carry hint
tokens, and each surface (a command, a config run, Python) renders them. These tests check the
declarations against the real commands and config sections, that every token in the source is
declared, and that real errors suggest flags that parse on the command named beside them.
"""

from __future__ import annotations

import ast
import functools
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
        from spatial.operations import SUBSECTIONS

        assert key in (SECTIONS.get(section) or SUBSECTIONS[section]), f"[{section}] has no key {key!r}"


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


# -- every hint a message carries, rendered on every command, parses there (issue 13 "Done when") ------

def _command_paths(group: click.Group | None = None, prefix: str = "") -> list[str]:
    """Every runnable command, subcommands of groups included (``index lq``, ``weights build``, ``config template``)."""
    group = group or cli
    paths = []
    for name in group.list_commands(click.Context(group)):
        command = group.get_command(click.Context(group), name)
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            paths += _command_paths(command, path + " ")
            if command.callback is not None and command.invoke_without_command:
                paths.append(path)
        else:
            paths.append(path)
    return paths


@functools.lru_cache(maxsize=1)
def _message_hints() -> frozenset[tuple[str, str | None]]:
    """(name, value) of every hint(...) call in spatial/, weights/ and maps/ (value None when the
    message passes none; a sample value of the option's type when it passes a variable)."""
    found = set()
    for package in ("spatial", "weights", "maps"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("hint", "option_hint")
                        and node.args and isinstance(node.args[0], ast.Constant)):
                    continue
                name = node.args[0].value if package == "spatial" else f"{package}.{node.args[0].value}"
                if len(node.args) < 2:
                    found.add((name, None))
                elif isinstance(node.args[1], ast.Constant):
                    found.add((name, str(node.args[1].value)))
                else:
                    found.add((name, _SAMPLE))
    return frozenset(found)


_SAMPLE = "\0sample"  # a value the message computes: a valid value of the option is used


def _sample_value(command: click.Command, flag: str) -> str:
    param = next(p for p in command.params if flag in p.opts)
    if isinstance(param.type, click.Choice):
        return param.type.choices[-1]
    return "1" if isinstance(param.type, (click.types.IntParamType, click.types.FloatParamType)) else "strip,zfill5"


def _parses(path: str, flag: str, value: str | None) -> None:
    """``spatial PATH FLAG [VALUE]`` gets through click's parsing: the flag exists, and a value shown
    with it is one it takes and accepts (a click.Choice refuses one it does not list). A flag named
    without a value refers to the option (``(given with --assume-crs)``)."""
    command = _command(path)
    assert flag in _flags(command), f"spatial {path} has no {flag}"
    param = next(p for p in command.params if flag in (*p.opts, *p.secondary_opts))
    if value is not None:
        assert not getattr(param, "is_flag", False), f"spatial {path} {flag} is an on/off flag, shown with {value!r}"
        param.type_cast_value(click.Context(command), value)


_RENDERED = re.compile(r"(?:spatial ((?:weights |index |config )?[a-z]+) )?(--[a-z][a-z-]*)(?: ([^\s;,()]+))?")


def test_the_scan_sees_the_messages_hints():
    found = _message_hints()
    assert ("balance", "drop_units") in found and ("weights.islands", "connect") in found and len(found) >= 40


@pytest.mark.parametrize("path", _command_paths())
def test_every_message_hint_rendered_on_a_command_parses_there(path):
    """Every hint any message carries, rendered on ``spatial PATH``: each flag it names (on this
    command, or on the command named before it) exists there and accepts the value shown."""
    command = _command(path)
    surface = cli_surface(path, _flags(command))
    seen = 0
    for name, value in sorted(_message_hints(), key=str):
        if value == _SAMPLE:
            flags = OPTIONS[name].flags
            where = path if path in flags else next(iter(flags), None)
            value = None if where is None or OPTIONS[name].flag_value else _sample_value(_command(where), flags[where])
        text = render(f"use {hint(name, value)}", surface)
        assert "\u27e6" not in text, text
        for elsewhere, flag, shown in _RENDERED.findall(text):
            on = elsewhere or path
            option = OPTIONS[name]
            takes = not option.flag_value and value is not None
            _parses(on, flag, shown if takes else None)
            seen += 1
    assert seen, f"no hint renders a flag on spatial {path}"


def test_message_hints_render_the_flag_of_the_command_with_its_value():
    text = render(f"pass {hint('restrict', 'intersection')}", cli_surface("fit", _flags(_command("fit"))))
    assert text == "pass --restrict intersection"
    text = render(f"pass {hint('weights.islands', 'connect')}", cli_surface("weights build",
                                                                            _flags(_command("weights build"))))
    assert text == "pass --islands connect"
    text = render(f"pass {hint('boundary_encoding', 'gbk')}", cli_surface("weights build",
                                                                          _flags(_command("weights build"))))
    assert text == "pass --encoding gbk"  # weights build's --encoding is the boundary file's
    on_moran = render(f"choose {hint('weights.islands', 'connect')}", cli_surface("moran", _flags(_command("moran"))))
    assert "[weights.NAME] islands = \"connect\"" in on_moran and "spatial weights build --islands connect" in on_moran


def test_options_are_generated_from_the_declarations():
    """The hint table is the declarations: each option's flags are those of the parameters that answer it."""
    from spatial.hints import _NOT_YET_DECLARED, _SAME_OPTION, _hosts

    for name, option in OPTIONS.items():
        if name in _NOT_YET_DECLARED or name in _SAME_OPTION:
            continue
        declared = {command: p.flags[0] for _, p, command in _hosts() if p.hint == name and p.flag and command}
        assert option.flags == declared, name
    assert OPTIONS["fe"].flags == {"fit": "--fe", "bayes": "--fe"}
    assert OPTIONS["drop_collinear"].key == "models.collinear" and OPTIONS["drop_collinear"].keyword == "collinear"


def test_the_fix_fit_suggests_for_an_unbalanced_panel_works_on_fit(unbalanced, capsys):
    """The loader's repairs (--balance, --missing, --coerce-numeric) are on every command that reads a
    table, so fit suggests its own --balance drop_units, and running it with that flag succeeds."""
    args = ["fit", str(unbalanced / "panel.csv"), "--id", "POLYID", "--time", "year", "--y", "CRIME", "--x", "INC",
            "--model", "sar", "--weights", str(unbalanced / "w.gal"), "--effects-draws", "0"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "--balance drop_units" in err and "spatial check" not in err
    assert main([*args, "--balance", "drop_units"]) == 2  # unit 49 left the panel, not the weights file:
    err = capsys.readouterr().err
    assert "48 units x 2 periods" in err and "--restrict intersection" in err  # the next fix, on fit too
    assert main([*args, "--balance", "drop_units", "--restrict", "intersection"]) == 0, capsys.readouterr().err


def test_map_and_moran_read_thousands_separators_with_coerce_numeric(tmp_path, capsys):
    table = pd.read_csv(REF / "columbus.csv")
    table["INC"] = table["INC"].map(lambda v: f"{v * 1000:,.0f}")  # 19,531 as Excel shows it
    table.to_csv(tmp_path / "t.csv", index=False)
    shutil.copy(REF / "columbus_queen.gal", tmp_path / "w.gal")
    moran = ["moran", str(tmp_path / "t.csv"), "--id", "POLYID", "--variables", "INC", "--weights",
             str(tmp_path / "w.gal"), "--permutations", "0"]
    assert main(moran) == 2
    assert "--coerce-numeric" in capsys.readouterr().err
    assert main([*moran, "--coerce-numeric"]) == 0, capsys.readouterr().err
