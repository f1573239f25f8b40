"""The pipeline configuration: a TOML file that names the inputs, keys and steps of an analysis.

Shape (every section but ``[panel]`` is optional; later steps register their own sections)::

    [project]
    name = "US productivity"
    output = "output"            # folder for results, relative to this file

    [panel]
    path = "produc.csv"          # or: dataset = "us_produc" (a bundled dataset)
    id = "fips"
    time = "year"
    variables = ["gsp", "pcap", "pc", "emp", "unemp"]
    balance = "error"            # or "drop_units"
    missing = "error"            # or "drop_units"

    [boundaries]
    path = "us48.shp"            # or: dataset = "us48_states"
    id = "STATE_FIPS"
    assume_crs = "EPSG:4326"     # only for files without a CRS
    restrict = "error"           # or "intersection"

Unknown sections and keys are errors that suggest the closest valid name, so a typo never
silently falls back to a default.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from spatial._fs import PathLike, display_path
from spatial.choices import CsvEncoding, Restrict
from spatial.errors import ConfigError
from spatial.io import close_matches

__all__ = ["Key", "register_section", "load_config", "validate_config", "SECTIONS"]


@dataclass(frozen=True)
class Key:
    """One allowed key of a section: its type, default, allowed values and whether required."""

    type: type | tuple[type, ...]
    default: Any = None
    choices: tuple[Any, ...] | None = None  # for a list: the values each element may take
    required: bool = False
    path: bool = False  # resolved relative to the config file
    help: str = ""
    items: type | None = None  # for lists: the type of every element (text must not be blank)
    min_items: int = 0  # for lists: the fewest elements that make sense


SECTIONS: dict[str, dict[str, Key]] = {}
# A section whose keys are names the user chooses (e.g. one table per weights matrix,
# [weights.queen], [weights.invdist]) declares the key "*"; its `check` validates the values.
CHECKS: dict[str, Callable[..., dict[str, Any]]] = {}


def register_section(name: str, keys: dict[str, Key], check: Callable[..., dict[str, Any]] | None = None) -> None:
    """Declare a config section; each step module registers the section it reads.

    ``check(values, base=..., where=...)``, if given, receives the section after the generic
    checks and returns it validated (raising :class:`ConfigError` otherwise).
    """
    SECTIONS[name] = keys
    if check is not None:
        CHECKS[name] = check


register_section(
    "project",
    {
        "name": Key(str, "analysis", help="a title for outputs and reports"),
        "output": Key(str, "output", path=True, help="folder for results"),
        "csv_encoding": Key(str, "utf-8-sig", choices=get_args(CsvEncoding),
                            help="encoding of CSV outputs; utf-8-sig (UTF-8 with BOM) opens correctly in Excel"),
        "partial": Key(bool, False, help="when a variable or period fails, keep the others (marked partial)"),
    },
)
_SOURCE_KEYS = {
    "path": Key(str, path=True, help="file to read"),
    "dataset": Key(str, help="name of a bundled dataset instead of a path"),
    "encoding": Key(str, help="text encoding (CSV, DBF without .cpg), e.g. gbk"),
}
register_section(
    "panel",
    {
        **_SOURCE_KEYS,
        "id": Key(str, required=True, help="unit id column"),
        "time": Key(str, help="period column; omit for a cross-section"),
        "variables": Key(list, help="numeric variables to keep (default: all numeric columns)", items=str,
                         min_items=1),
        "sheet": Key((str, int), help="Excel sheet"),
        "sep": Key(str, ",", help="CSV separator"),
        "balance": Key(str, "error", choices=("error", "drop_units")),
        "missing": Key(str, "error", choices=("error", "drop_units")),
        "coerce_numeric": Key(bool, False, help="read numbers written with thousands separators"),
        "id_normalize": Key(str, help="e.g. 'strip,zfill5', applied to panel and boundary ids"),
    },
)
register_section(
    "boundaries",
    {
        **_SOURCE_KEYS,
        "id": Key(str, help="id column of the boundaries (default: the panel's id)"),
        "layer": Key(str),
        "assume_crs": Key(str, help="CRS for files without one, e.g. EPSG:4326"),
        "match_names": Key((list, bool), help="columns that name the units; true = the bundled dataset's name columns"),
        "match_parent": Key(str, help="column of the table naming each row's parent (province or prefecture) "
                            "for names repeated across parents, e.g. 朝阳区"),
        "keep": Key(str, help="study area: a true/false column ('mainland'), 'column=value,...' "
                    "('region=East,Central') or '@ids.txt' (relative to this file); removed units are recorded"),
        "restrict": Key(str, "error", choices=get_args(Restrict)),
        "repair": Key(str, "none", choices=("none", "make_valid")),
        "bad_geometry": Key(str, "error", choices=("error", "drop_units")),
        "duplicate_geometry": Key(str, "error", choices=("error", "dissolve")),
    },
)


@dataclass(frozen=True)
class Config:
    """A validated configuration: every section with its defaults filled in."""

    sections: dict[str, dict[str, Any]]
    source: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> dict[str, Any]:
        return self.sections[name]

    def __contains__(self, name: str) -> bool:
        return name in self.sections


def _suggest(name: str, options: list[str], section: str | None = None) -> str:
    """The closest valid name; a known alias of a key (``fixed_effects`` for ``fe``) wins."""
    from spatial.hints import aliases_for

    alias = aliases_for(section).get(name.lower()) if section else None
    near = [alias] if alias in options else close_matches(name, options, n=1)
    return f" (did you mean {near[0]!r}?)" if near else ""


def validate_config(raw: dict[str, Any], base: Path | None = None, *, where: str = "config") -> Config:
    """Check a parsed configuration and fill in defaults.

    Raises
    ------
    ConfigError
        For unknown sections or keys (with the closest valid name), wrong types, values not in
        the allowed set, missing required keys, and a source given both as path and dataset.

    Examples
    --------
    >>> cfg = validate_config({"panel": {"dataset": "us_produc", "id": "fips", "time": "year"}})
    >>> cfg["panel"]["balance"], cfg["project"]["name"]
    ('error', 'analysis')
    >>> validate_config({"panel": {"id": "fips", "tiem": "year", "dataset": "us_produc"}})
    Traceback (most recent call last):
    ...
    spatial.errors.ConfigError: config: unknown key 'tiem' in [panel] (did you mean 'time'?)
    """
    from spatial.pipeline import load_steps

    load_steps()  # step modules register their sections
    if "panel" not in raw:
        raise ConfigError(f"{where}: a [panel] section is required (the table to analyse)")
    sections: dict[str, dict[str, Any]] = {}
    for name, values in raw.items():
        if name not in SECTIONS:
            raise ConfigError(f"{where}: unknown section [{name}]{_suggest(name, list(SECTIONS))}")
        if not isinstance(values, dict):
            raise ConfigError(f"{where}: [{name}] must be a table of keys")
    for name, keys in SECTIONS.items():
        if name not in raw and name not in {"project"}:
            continue
        values = raw.get(name, {})
        checked: dict[str, Any] = {}
        for key, value in values.items():
            if key not in keys and "*" not in keys:
                raise ConfigError(f"{where}: unknown key {key!r} in [{name}]{_suggest(key, list(keys), name)}")
            spec = keys.get(key) or keys["*"]
            expected = spec.type if isinstance(spec.type, tuple) else (spec.type,)
            if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
                names = " or ".join(t.__name__ for t in expected)
                raise ConfigError(f"{where}: [{name}] {key} must be {names}, got {value!r}")
            if isinstance(value, list):
                _check_list(value, spec, f"{where}: [{name}] {key}")
            if spec.choices is not None:  # a list's elements each (models = ["sar", "sdm"])
                bad = [v for v in (value if isinstance(value, list) else [value]) if v not in spec.choices]
                if bad:
                    shown = value if not isinstance(value, list) else bad[0] if len(bad) == 1 else bad
                    raise ConfigError(
                        f"{where}: [{name}] {key} = {shown!r} is not allowed; choose "
                        + ("one of " if not isinstance(value, list) else "from ")
                        + ", ".join(repr(c) for c in spec.choices)
                    )
            if spec.path and base is not None:
                value = str((base / Path(value).expanduser()).resolve()) if not Path(value).is_absolute() else value
            checked[key] = value
        for key, spec in keys.items():
            if key == "*":
                continue
            if spec.required and key not in checked:
                raise ConfigError(f"{where}: [{name}] needs {key!r}")
            checked.setdefault(key, spec.default)
        if name in {"panel", "boundaries"} and (checked.get("path") is None) == (checked.get("dataset") is None):
            raise ConfigError(f"{where}: [{name}] needs exactly one of 'path' or 'dataset'")
        if name in CHECKS:
            checked = CHECKS[name](checked, base=base, where=where)
        sections[name] = checked
    project = sections["project"]
    if base is not None and "output" not in raw.get("project", {}):
        project["output"] = str(base / project["output"])
    return Config(sections=sections, source=None, raw=raw)


def _check_list(value: list, spec: Key, what: str) -> None:
    """Refuse a list that is too short, or whose elements are not of the declared type."""
    if len(value) < spec.min_items:
        about = f" ({spec.help})" if spec.help else ""
        raise ConfigError(f"{what} = {value!r} has fewer than {spec.min_items} element(s){about}; "
                          "name what it should list, or leave the key out")
    if spec.items is None:
        return
    bad = [v for v in value if not isinstance(v, spec.items) or isinstance(v, bool) and spec.items is not bool
           or isinstance(v, str) and not v.strip()]
    if bad:
        raise ConfigError(f"{what} must list {spec.items.__name__} values that are not blank; got {bad[0]!r}")


def load_config(path: PathLike) -> Config:
    """Read and validate a pipeline configuration file.

    Raises
    ------
    ConfigError
        If the file is missing, is not valid TOML, or fails :func:`validate_config`.
    """
    source = Path(path).expanduser()
    shown = display_path(source)
    if not source.is_file():
        raise ConfigError(f"configuration file {shown} does not exist")
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{shown} is not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{shown} is not UTF-8 text") from None
    config = validate_config(raw, base=source.resolve().parent, where=shown)
    return Config(sections=config.sections, source=source.resolve(), raw=raw)
