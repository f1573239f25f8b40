"""Options declared once, and the fixes that messages suggest rendered for the caller's surface.

Every option a message may suggest comes from its declaration (:mod:`spatial.operations`): the
:class:`Option` of a hint name has the flag of each command that declares the parameter, its config
key and its Python keyword (:func:`declared_options`). A message never spells a flag or a keyword itself; it carries a
hint token built by :func:`hint` (``weights`` and ``maps``, which import nothing of ours, build the
same token with their own ``hint``), and the surface that shows the message renders it:

* Python (``str(exc)``): the keyword, ``balance='drop_units'``;
* a config run (``spatial run``): the key, ``[panel] balance = "drop_units"`` (or the flag of ``run`` itself, ``--out``);
* a command: the flag when the command has it, ``--balance drop_units``; otherwise the config key
  and the commands that do have the flag (never a flag the command would reject).

Examples
--------
>>> message = f"the panel is unbalanced; drop whole units with {hint('balance', 'drop_units')}"
>>> render(message, PYTHON)
"the panel is unbalanced; drop whole units with balance='drop_units'"
>>> render(message, CONFIG)
'the panel is unbalanced; drop whole units with [panel] balance = "drop_units"'
>>> render(message, cli_surface("check", {"--balance"}))
'the panel is unbalanced; drop whole units with --balance drop_units'
>>> render(message, cli_surface("fit", {"--fe"}))  # doctest: +NORMALIZE_WHITESPACE
'the panel is unbalanced; drop whole units with balance (not an option of spatial fit: use the config key
 [panel] balance = "drop_units" (spatial run); or spatial check --balance drop_units)'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Option", "OPTIONS", "Surface", "PYTHON", "CONFIG", "cli_surface", "hint", "render", "TOKEN",
           "aliases_for", "declared_options"]

# ⟦name⟧ or ⟦name=value⟧: brackets no keyboard produces by accident; the same grammar in weights/maps
TOKEN = re.compile(r"\u27e6([a-z_][a-z0-9_.]*)(?:=([^\u27e6\u27e7]*))?\u27e7")


@dataclass(frozen=True)
class Option:
    """One option as every surface spells it.

    Parameters
    ----------
    name
        The id messages use in their hint tokens (``weights.NAME`` / ``maps.NAME`` for the
        keywords of those packages).
    key
        The config key as ``section.key`` (``panel.balance``; ``weights.*.islands`` for a key of
        every named table); None when the config has none.
    keyword
        The Python keyword of the function that takes it.
    flags
        Command -> its flag for this option (``{"check": "--balance"}``); a message raised on
        another command points to these and to the config key.
    flag_value
        True for an on/off flag: the value is implied by the flag (``--drop-collinear``).
    aliases
        Spellings users type for it (a config typo ``fixed_effects`` suggests ``fe``).
    keyword_values, key_values
        Value -> its Python (TOML) spelling where it differs from the value's repr.
    """

    name: str
    key: str | None = None
    keyword: str | None = None
    flags: dict[str, str] = field(default_factory=dict)
    flag_value: bool = False
    aliases: tuple[str, ...] = ()
    keyword_values: dict[str, str] = field(default_factory=dict)
    key_values: dict[str, str] = field(default_factory=dict)  # value -> its TOML spelling where it differs

    def python(self, value: str | None) -> str:
        name = self.keyword or self.name
        if value is None:
            return f"{name}="
        return f"{name}={self.keyword_values.get(value, repr(_typed(value)))}"

    def config(self, value: str | None) -> str | None:
        if self.key is None:
            return None
        section, _, key = self.key.rpartition(".")
        section = section.replace(".*", ".NAME")
        if value is None:
            return f"[{section}] {key}"
        if value in self.key_values:
            return f"[{section}] {key} = {self.key_values[value]}"
        typed = _typed(value)
        shown = f'"{typed}"' if isinstance(typed, str) else str(typed).lower() if isinstance(typed, bool) else typed
        return f"[{section}] {key} = {shown}"

    def cli(self, command: str, value: str | None) -> str:
        flag = self.flags[command]
        if self.flag_value or value is None:
            return flag
        return f"{flag} {value}"


def _typed(value: str):
    """The value as Python/TOML would hold it ('true' -> True, '5' -> 5, else the text)."""
    if value in ("true", "True"):
        return True
    if value in ("false", "False"):
        return False
    try:
        return int(value)
    except ValueError:
        return value


# Tokens that weights/ and maps/ raise for an option every writer shares: the same option as spatial's.
_SAME_OPTION = {"weights.overwrite": "overwrite", "maps.overwrite": "overwrite", "weights.repair": "repair"}

# The Python keyword where the function raising the message spells it otherwise than load_inputs: the
# boundary encoding is read_boundaries(encoding=) (load_inputs(boundary_encoding=) calls it).
_RAISED_AS = {"boundary_encoding": "encoding"}

# Options of commands not declared yet (spatial.operations): their flags, until their declarations
# replace these entries (tests/spatial/test_hints.py fails once a declaration covers one).
_NOT_YET_DECLARED: dict[str, dict] = {}  # (allow_singletons: declared by the index commands)


def _full_key(operation, param) -> str | None:
    """``section.key`` of a parameter (``weights.*.islands`` for a key of every named matrix)."""
    if not param.key:
        return None
    key = param.key if "." in param.key else f"{operation.section}.{param.key}" if operation.section else None
    return key.replace("weights.NAME.", "weights.*.") if key else None


def _hosts():
    """(operation, parameter, command) for every declared parameter, the shared loader's on each command
    that reads a table, in declaration order."""
    from spatial.operations import LOADER, LOADER_WEIGHTS, OPERATIONS

    for operation in OPERATIONS.values():
        for param in operation.params:
            yield operation, param, operation.command
        if operation.inputs and operation.command:
            for param in (*LOADER, *(LOADER_WEIGHTS if operation.inputs is True else ())):
                yield operation, param, operation.command


def declared_options() -> dict[str, Option]:
    """Every option a message may suggest, from the declarations (:mod:`spatial.operations`).

    A parameter answers the hint named ``param.hint``; its flag on each command that declares it,
    its config key and its Python keyword come from the first declaration that has a config key
    (else the first). Parameters of several operations with one hint are one option to a message.
    """
    found: dict[str, dict] = {}
    for operation, param, command in _hosts():
        if not param.hint:
            continue
        entry = found.setdefault(param.hint, {"homes": [], "flags": {}, "aliases": (), "flag_value": False})
        entry["homes"].append((operation, param))
        entry["aliases"] += tuple(a for a in param.aliases if a not in entry["aliases"])
        if param.flag and command and command not in entry["flags"]:
            entry["flags"][command] = param.flags[0]
            entry["flag_value"] = entry["flag_value"] or param.flag_value is not None or param.type is bool
    options = {}
    for name, entry in found.items():
        operation, param = next(((o, p) for o, p in entry["homes"] if p.key), entry["homes"][0])
        keyword = _RAISED_AS.get(name) or (param.name if param.keyword else name.rpartition(".")[2])
        switch = {str(param.flag_value): "true"} if param.flag_value is not None and param.key_type is bool else {}
        options[name] = Option(name, _full_key(operation, param), keyword, entry["flags"],
                               flag_value=entry["flag_value"], aliases=entry["aliases"], key_values=switch)
    for name, spec in _NOT_YET_DECLARED.items():
        if name in options:  # declared by now: the declaration is the one source
            continue
        spec = dict(spec)
        flag, commands = spec.pop("flag"), spec.pop("commands")
        options[name] = Option(name, flags={c: flag for c in commands}, **spec)
    for token, same in _SAME_OPTION.items():
        options[token] = Option(token, options[same].key, options[same].keyword, options[same].flags,
                                flag_value=options[same].flag_value)
    return options


class _Options(dict):
    """:func:`declared_options`, built on first use (the declarations import click's types lazily, but
    the modules raising messages import this one at start-up)."""

    def _fill(self) -> None:
        if not dict.__len__(self):
            self.update(declared_options())

    def __getitem__(self, name):
        self._fill()
        return dict.__getitem__(self, name)

    def __contains__(self, name) -> bool:
        self._fill()
        return dict.__contains__(self, name)

    def __iter__(self):
        self._fill()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._fill()
        return dict.__len__(self)

    def get(self, name, default=None):
        self._fill()
        return dict.get(self, name, default)

    def keys(self):
        self._fill()
        return dict.keys(self)

    def values(self):
        self._fill()
        return dict.values(self)

    def items(self):
        self._fill()
        return dict.items(self)


#: Hint name -> :class:`Option`, generated from the declarations.
OPTIONS: dict[str, Option] = _Options()


def aliases_for(section: str) -> dict[str, str]:
    """Alias -> key of the options of one config section (for typo suggestions)."""
    found = {}
    for option in OPTIONS.values():
        if option.key and option.key.rpartition(".")[0].split(".")[0] == section.split(".")[0]:
            key = option.key.rpartition(".")[2]
            for alias in option.aliases:
                found[alias] = key
    return found


def hint(name: str, value: object = None) -> str:
    """The token a message carries where it suggests option ``name`` (with ``value``).

    Examples
    --------
    >>> hint("balance", "drop_units") == "\\u27e6balance=drop_units\\u27e7"
    True
    """
    if name not in OPTIONS:
        raise KeyError(f"no option {name!r} is declared in spatial.hints.OPTIONS")
    return f"\u27e6{name}\u27e7" if value is None else f"\u27e6{name}={value}\u27e7"


@dataclass(frozen=True)
class Surface:
    """Where a message is shown: ``python``, ``config`` or ``cli`` (then the command and its flags)."""

    kind: str
    command: str = ""
    flags: frozenset[str] = frozenset()


PYTHON = Surface("python")
CONFIG = Surface("config")


def cli_surface(command: str, flags, *, config: bool = False) -> Surface:
    """The surface of ``spatial COMMAND`` whose options are ``flags`` (``--balance``, ``-q``...).

    ``config=True`` for the commands that run a config file: their own flags, else the config keys.
    """
    return Surface("config" if config else "cli", command, frozenset(flags))


def _render_one(option: Option, value: str | None, surface: Surface) -> str:
    if surface.kind == "python":
        return option.python(value)
    flag = option.flags.get(surface.command)
    if surface.kind == "config":  # the command's own flags (--out, --overwrite) first, then the config keys
        if flag is not None and flag in surface.flags:
            return option.cli(surface.command, value)
        return option.config(value) or option.python(value) + " (Python only)"
    if flag is not None and flag in surface.flags:
        return option.cli(surface.command, value)
    where = []
    config = option.config(value)
    if config:
        where.append(f"the config key {config} (spatial run)")
    elsewhere = [c for c in option.flags if c != surface.command][:1]  # the first command declaring it
    if elsewhere:
        where.append(" or ".join(f"spatial {c} {option.cli(c, value)}" for c in elsewhere))
    if not where:
        where.append(f"{option.python(value)} in Python")
    what = (option.keyword or option.name).replace("_", " ")
    return f"{what} (not an option of spatial {surface.command}: use " + "; or ".join(where) + ")"


def render(message: str, surface: Surface = PYTHON) -> str:
    """``message`` with each hint token spelled for ``surface``; unknown names stay plain words."""

    def replace(match: re.Match) -> str:
        name, value = match.group(1), match.group(2)
        option = OPTIONS.get(name)
        if option is None:  # a keyword of weights/maps that no surface but Python has
            name = name.rpartition(".")[2]
            return f"{name}=" if value is None else f"{name}={value!r}"
        return _render_one(option, value, surface)

    return TOKEN.sub(replace, message)
