"""Per operation: the command's flags, the config section's keys and the Python keywords are the
declared ones (spatial.operations), and each option missing from a surface says why."""

from __future__ import annotations

import importlib
import inspect
import typing

import click
import pytest

from spatial.config import SECTIONS
from spatial.operations import LOADER, LOADER_WEIGHTS, OPERATIONS, SUBSECTIONS
from spatial.pipeline import load_steps

# The options of the shared loader (spatial check's inputs), present on every command that reads a
# table, generated from spatial.operations_core.LOADER: config keys of [panel] / [boundaries] and, in
# Python, keywords of spatial.inputs.load_inputs (CHECK), not of the analysis.
LOADER_FLAGS = {flag for p in (*LOADER, *LOADER_WEIGHTS) for flag in p.flags}


def _command(path: str) -> click.Command:
    from spatial.cli import cli

    command: click.Command = cli
    for name in path.split():
        command = command.get_command(click.Context(command), name)
    return command


def _flags(command: click.Command) -> set[str]:
    return {opt for p in command.params if isinstance(p, click.Option) for opt in (*p.opts, *p.secondary_opts)
            if opt.startswith("--") and opt != "--help"}


def _function(path: str):
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


OPS = sorted(OPERATIONS)


@pytest.mark.parametrize("name", OPS)
def test_every_missing_surface_is_explained(name):
    for param in OPERATIONS[name].params:
        missing = [s for s, on in (("flag", param.flag), ("key", param.key), ("keyword", param.keyword)) if not on]
        assert not missing or param.why.strip(), f"{name}.{param.name} lacks {missing} without a reason (why=)"


@pytest.mark.parametrize("name", OPS)
def test_command_flags_are_the_declared_ones(name):
    op = OPERATIONS[name]
    hosted = [o for o in OPERATIONS.values() if o.command == op.command]  # fit hosts fit, its table and --by
    declared = {flag for o in hosted for p in o.params for flag in p.flags}
    inputs = next((o.inputs for o in hosted if o.inputs), False)
    loader = {True: LOADER_FLAGS, "boundaries": LOADER_FLAGS - {"--weights", "--contiguity"}}.get(inputs, set())
    expected = declared | loader
    assert _flags(_command(op.command)) == expected


@pytest.mark.parametrize("name", OPS)
def test_config_keys_are_the_declared_ones(name):
    load_steps()
    op = OPERATIONS[name]
    section = SECTIONS.get(op.section) or SUBSECTIONS.get(op.section) or _matrix_keys(op.section)
    for param in op.params:
        if not param.key:
            continue
        where, _, key = param.key.rpartition(".")
        keys = SECTIONS[where] if where else section
        assert key in keys, f"{name}.{param.name}: no key {param.key!r} in [{where or op.section}]"
        if (param.choices is not None or param.key_type is not None) and not where:  # as the config spells it
            expected = param.config_key().choices
            assert keys[key].choices == _CONFIG_CHOICES.get((op.section, key), expected), (name, key)
    if section and op.section not in _PARTLY_DECLARED:  # every key of the section belongs to an operation
        claimed = {p.key for o in OPERATIONS.values() if o.section == op.section for p in o.params if p.key}
        assert set(section) - claimed == set(), f"[{op.section}] keys no operation declares"


# Sections whose operations are not all declared yet (so not every key is claimed), and what is missing.
_PARTLY_DECLARED: dict[str, str] = {}  # [indices] left it when every index command was declared


def test_the_indices_section_is_the_declarations():
    """[indices] is validated with the keys of the index operations, nothing typed beside them."""
    from spatial.operations_indices import INDEX_OPERATIONS, INDICES_KEYS

    load_steps()
    assert SECTIONS["indices"] == INDICES_KEYS
    commands = {op.command for op in OPERATIONS.values() if op.command and op.command.startswith("index ")}
    assert commands == {f"index {name}" for name in _command("index").commands}
    assert set(INDEX_OPERATIONS) == commands


def test_partly_declared_sections_still_have_unclaimed_keys():
    """A section leaves _PARTLY_DECLARED as soon as its operations claim every key."""
    load_steps()
    for section in _PARTLY_DECLARED:
        claimed = {p.key for o in OPERATIONS.values() if o.section == section for p in o.params if p.key}
        assert set(SECTIONS[section]) - claimed, f"[{section}] is fully declared: remove it from _PARTLY_DECLARED"


# Where a config key allows other values than the declared Literal, and why.
_CONFIG_CHOICES = {
    ("weights.NAME", "kind"): None,  # a run also has kind = 'mixed' and 'file' (checked by the weights step)
    ("weights.NAME", "islands"): ("keep", "connect"),  # a run cannot drop units from the weights but not the panel
    ("report", "scheme"): ("quantiles", "natural_breaks", "equal_interval", "std_mean"),  # user_defined: map --breaks
}


@pytest.mark.parametrize("section", ["panel", "boundaries"])
def test_every_input_key_is_declared_by_check(section):
    """[panel] and [boundaries] are the keys of the loader (spatial check, load_inputs), each declared
    once with the same allowed values."""
    from spatial.operations import CHECK

    declared = {}
    for param in CHECK.params:
        where, _, key = param.key.rpartition(".") if param.key else ("", "", None)
        if key is not None and (where or CHECK.section) == section:
            declared[key] = param
    assert set(declared) == set(SECTIONS[section])
    for key, param in declared.items():
        if param.choices is not None:
            assert SECTIONS[section][key].choices == param.choices, (section, key)


def test_load_inputs_reads_as_a_config_run_and_check_do():
    """The Python function, the pipeline's panel step and spatial check read the same panel."""
    from click.testing import CliRunner

    from spatial.cli import cli
    from spatial.config import validate_config
    from spatial.inputs import load_inputs
    from spatial.pipeline import load_panel

    keywords = {"id": "fips", "time": "year", "variables": ["gsp", "emp"], "keep": "fips=01,04,05,06"}
    from spatial.errors import DroppedDataWarning

    with pytest.warns(DroppedDataWarning, match="44 repairs"):  # the 44 states outside the study area
        panel = load_inputs("us_produc", boundaries="us48_states", **keywords)
    config = validate_config({"panel": {"dataset": "us_produc", "id": "fips", "time": "year",
                                        "variables": ["gsp", "emp"]},
                              "boundaries": {"dataset": "us48_states", "keep": keywords["keep"]}})
    with pytest.warns(DroppedDataWarning):
        assert panel.n_units == 4 and panel.summary() == load_panel(config).summary()
    result = CliRunner().invoke(cli, ["check", "us_produc", "--id", "fips", "--time", "year", "--variables",
                                      "gsp,emp", "--boundaries", "us48_states", "--keep", keywords["keep"]])
    assert result.exit_code == 0, result.output
    assert panel.summary() in result.output


def _matrix_keys(section: str | None) -> dict:
    """The keys of a ``[weights.NAME]`` table: the common ones and those of every kind."""
    if section != "weights.NAME":
        return {}
    from spatial.steps.weights import COMMON_KEYS, KIND_KEYS

    return {key: spec for keys in (COMMON_KEYS, *KIND_KEYS.values()) for key, spec in keys.items()}


@pytest.mark.parametrize("name", OPS)
def test_python_keywords_are_the_declared_ones(name):
    op = OPERATIONS[name]
    function = _function(op.function)
    signature = inspect.signature(function)
    keywords = {n for n, p in signature.parameters.items()
                if p.kind is not p.VAR_KEYWORD and n not in op.positional}
    if op.options_of:  # build(**options): the keywords some kind accepts
        keywords |= set(_function(op.options_of))
    assert keywords == {p.name for p in op.params if p.keyword}
    namespace = vars(importlib.import_module(function.__module__))
    for param in op.params:  # the keyword's Literal is the declared one (declared once, in spatial.choices)
        if not param.keyword or param.choices is None or param.name not in signature.parameters:
            continue
        annotation = signature.parameters[param.name].annotation
        hint = eval(annotation, namespace) if isinstance(annotation, str) else annotation
        literal = next((a for a in (hint, *typing.get_args(hint)) if typing.get_origin(a) is typing.Literal), None)
        assert literal is not None and typing.get_args(literal) == param.choices, (name, param.name, hint)


@pytest.mark.parametrize("name", OPS)
def test_choices_on_the_command_line_are_the_literal(name):
    op = OPERATIONS[name]
    command = _command(op.command)
    by_flag = {flag: p for p in command.params for flag in p.opts}
    for param in op.params:
        if param.flag and isinstance(by_flag[param.flags[0]].type, click.Choice):
            assert tuple(by_flag[param.flags[0]].type.choices) == tuple(str(c) for c in param.choices)


def test_seed_bound_is_the_one_of_spatial_options():
    from spatial._options import MAX_SEED
    from spatial.operations import MORAN

    assert MORAN.param("seed").high == MAX_SEED


def test_list_options_split_on_commas_and_parse(tmp_path):
    """A generated list option and a generated choice parse on the command line as a user types them."""
    from click.testing import CliRunner

    from spatial.cli import cli

    result = CliRunner().invoke(cli, ["moran", "t.csv", "--id", "id", "--statistics", "moran,nope", "--seed", "1"])
    assert result.exit_code != 0
    assert "nope" in result.output
    result = CliRunner().invoke(cli, ["lisa", "t.csv", "--id", "id", "--adjust", "holm"])
    assert result.exit_code == 2 and "'holm' is not one of 'none', 'fdr', 'bonferroni'" in result.output


def test_config_refuses_a_value_outside_the_literal_in_a_list():
    from spatial.config import validate_config
    from spatial.errors import ConfigError

    raw = {"panel": {"dataset": "us_produc", "id": "fips", "time": "year"}, "esda": {"statistics": ["moran", "gery"]}}
    with pytest.raises(ConfigError, match=r"\[esda\] statistics = 'gery' is not allowed; choose from 'moran'"):
        validate_config(raw)


def test_model_names_are_the_catalog():
    from typing import get_args

    from spatial.choices import ModelName
    from spatial.models.catalog import MODEL_NAMES

    assert get_args(ModelName) == MODEL_NAMES


def test_no_command_restates_the_values_of_a_literal():
    """Every choice list of the converted commands is the values of a declared Literal (spatial.choices,
    maps.choices, weights.choices), never a list typed again beside it."""
    from typing import Literal, get_args, get_origin

    import maps.choices
    import spatial.choices
    import weights.choices

    declared = {get_args(v) for module in (spatial.choices, maps.choices, weights.choices)
                for v in vars(module).values() if get_origin(v) is Literal}
    for path in ("check", "reshape", "run", "report", "demo", "config template", "moran", "lisa", "hotspots", "fit",
                 "select", "bayes", "map", "weights", "weights build", "weights info", "weights convert",
                 *(f"index {name}" for name in _command("index").commands)):
        for param in _command(path).params:
            if isinstance(param.type, click.Choice):
                assert tuple(param.type.choices) in declared, (path, param.name, param.type.choices)


def test_the_global_options_choose_from_declared_literals():
    """``spatial --lang`` and ``--csv-encoding`` list the values of spatial.choices (as [project] csv_encoding)."""
    from typing import get_args

    from spatial.choices import CsvEncoding, Language
    from spatial.cli import cli
    from spatial.config import SECTIONS

    by_name = {p.name: p for p in cli.params}
    assert tuple(by_name["lang"].type.choices) == get_args(Language)
    assert tuple(by_name["csv_encoding"].type.choices) == get_args(CsvEncoding) == SECTIONS["project"]["csv_encoding"].choices
