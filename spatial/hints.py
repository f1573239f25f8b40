"""Options declared once, and the fixes that messages suggest rendered for the caller's surface.

Every option a message may suggest is declared here once (:class:`Option`): its CLI flag, its
config key and its Python keyword. A message never spells a flag or a keyword itself; it carries a
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
           "aliases_for"]

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


_ESDA = ("moran", "lisa", "hotspots")
_LOADERS = ("check", *_ESDA)
# every command that reads a table (and boundaries) with the loader's options (spatial.cli.inputs)
_READERS = (*_LOADERS, "fit", "select", "bayes", "map")
_WRITERS = ("moran", "lisa", "hotspots", "fit", "select", "map", "report", "run", "demo", "reshape",
            "weights build", "weights convert", "zonal")


def _o(name: str, key: str | None, keyword: str | None = None, *, flag: str | None = None,
       commands: tuple[str, ...] = (), more: dict[str, str] | None = None, **rest) -> Option:
    flags = {command: flag for command in commands} | (more or {})
    return Option(name, key, keyword if keyword is not None else name.rpartition(".")[2], flags, **rest)


OPTIONS: dict[str, Option] = {o.name: o for o in [
    # reading inputs
    _o("encoding", "panel.encoding", flag="--encoding", commands=(*_READERS, "reshape")),
    _o("boundary_encoding", "boundaries.encoding", "encoding", flag="--boundary-encoding", commands=(*_READERS, "zonal"),
       more={"weights build": "--encoding"}),
    _o("sheet", "panel.sheet", flag="--sheet", commands=(*_READERS, "reshape")),
    _o("layer", "boundaries.layer", flag="--layer", commands=(*_READERS, "zonal", "weights build")),
    _o("assume_crs", "boundaries.assume_crs", flag="--assume-crs", commands=(*_READERS, "weights build")),
    _o("raster_assume_crs", "rasters.assume_crs", "assume_crs", flag="--assume-crs", commands=("zonal",)),
    _o("variables", "panel.variables", flag="--variables", commands=_LOADERS),
    _o("coerce_numeric", "panel.coerce_numeric", flag="--coerce-numeric", commands=("check",), flag_value=True),
    _o("id_normalize", "panel.id_normalize", flag="--id-normalize", commands=_READERS),
    _o("match_names", "boundaries.match_names", flag="--match-names", commands=_READERS),
    _o("match_parent", "boundaries.match_parent", flag="--match-parent", commands=_READERS),
    _o("keep", "boundaries.keep", flag="--keep", commands=(*_READERS, "zonal")),
    _o("restrict", "boundaries.restrict", flag="--restrict", commands=_READERS),
    _o("balance", "panel.balance", flag="--balance", commands=("check",)),
    _o("missing", "panel.missing", flag="--missing", commands=("check",)),
    _o("repair", "boundaries.repair", flag="--repair", commands=("check", "weights build")),
    _o("drop_bad_geometry", "boundaries.bad_geometry", "bad_geometry", flag="--drop-bad-geometry",
       commands=("check", "weights build"), flag_value=True, keyword_values={"drop_units": "'drop_units'"}),
    _o("dissolve_by_id", "boundaries.duplicate_geometry", "duplicates", flag="--dissolve-by-id",
       commands=("check", "weights build"), flag_value=True, keyword_values={"dissolve": "'dissolve'"}),
    # models
    _o("allow_islands", "models.allow_islands", flag="--allow-islands", commands=("fit", "select"), flag_value=True),
    _o("drop_collinear", None, "collinear", flag="--drop-collinear", commands=("fit",), flag_value=True,
       keyword_values={"drop": "'drop'"}),
    _o("fe", "models.fe", flag="--fe", commands=("fit",), aliases=("fixed_effects", "fixed-effects", "fixedeffects")),
    _o("random_effects", "models.random_effects", flag="--random-effects", commands=("fit",), flag_value=True),
    _o("conditional_se", "models.conditional_se", flag="--conditional-se", commands=("fit",), flag_value=True),
    _o("cov", "models.cov", flag="--cov", commands=("fit",), aliases=("vce", "covariance", "se_type", "cov_type")),
    _o("bandwidth", "models.bandwidth", flag="--bandwidth", commands=("fit",), aliases=("bw", "maxlag", "kernel_bandwidth")),
    # rasters and indices
    _o("band", "rasters.band", flag="--band", commands=("zonal",)),
    _o("allow_singletons", "indices.allow_singletons", "singletons", flag="--allow-singletons",
       commands=("index theil", "index gini", "index convergence"), flag_value=True, key_values={"allow": "true"}),
    # outputs
    _o("out", "project.output", "output", flag="--out",
       commands=("run", "report", "demo", "moran", "lisa", "hotspots", "reshape", "zonal", "weights build",
                 "weights convert", "map")),
    _o("overwrite", None, flag="--overwrite", commands=_WRITERS, flag_value=True),
    # raised inside weights/ (tokens weights.KEYWORD)
    _o("weights.islands", "weights.*.islands", flag="--islands", commands=("weights build",)),
    _o("weights.strict", "weights.*.strict", flag="--strict", commands=("weights build",), flag_value=True),
    _o("weights.tolerance", "weights.*.tolerance", flag="--tolerance", commands=("weights build",)),
    _o("weights.metric", "weights.*.metric", flag="--metric", commands=("weights build",)),
    _o("weights.repair", "boundaries.repair", flag="--repair", commands=("check",)),
    _o("weights.force", None, flag="--force", commands=("weights build", "weights convert"), flag_value=True),
    _o("weights.encoding", None, flag="--encoding", commands=("weights info", "weights convert")),
    _o("weights.overwrite", None, flag="--overwrite", commands=_WRITERS, flag_value=True),
    # raised inside maps/ (tokens maps.KEYWORD)
    _o("maps.overwrite", None, flag="--overwrite", commands=_WRITERS, flag_value=True),
]}


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
    elsewhere = [c for c in option.flags if c != surface.command][:3]
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
