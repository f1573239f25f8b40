"""One declaration per operation, from which its command-line options and config keys are made.

An :class:`Operation` (``spatial.operations`` declares them: moran, lisa, hotspots, fit, ...)
lists its :class:`Param` s once: the Python keyword, the type (a ``Literal`` for a choice), the
default and the help text. From it come

* the click options of its command (:meth:`Operation.options`): a ``Literal`` becomes a
  ``click.Choice`` of its values, a bounded number an ``IntRange``/``FloatRange``, a list a
  comma-separated value, an on/off default a flag;
* the config keys of its section (:func:`section_keys`), with the same allowed values and help;
* and the Python keywords, which ``tests/test_operations.py`` compares with the function's
  signature, as it compares the command's flags and the section's keys with the declaration.

A parameter that is not on every surface says why (``why``); the test refuses one that does not.
This module imports only click's types lazily, so the command line still starts fast.

Examples
--------
>>> from typing import Literal
>>> op = Operation("demo", section="demo", function="x:y", params=(
...     Param("adjust", Literal["none", "fdr"], "none", "multiple-testing adjustment"),
...     Param("permutations", int, 999, "random permutations", low=0),
... ))
>>> section_keys("demo", [op])["adjust"].choices
('none', 'fdr')
>>> op.param("permutations").flag
'--permutations'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

__all__ = ["Param", "Operation", "SAME", "FOLDER", "Variadic", "choices_of", "section_keys", "split_list"]


class _Same:
    """The default spelling: ``--name-with-dashes`` for a flag, ``name`` for a config key."""

    def __repr__(self) -> str:
        return "SAME"


SAME: Any = _Same()
#: ``click={"type": FOLDER}`` on a ``Path`` parameter: the command takes a folder, not a file.
FOLDER = "folder"


def choices_of(kind: Any) -> tuple[Any, ...] | None:
    """The values of a ``Literal`` type (None for any other type)."""
    return get_args(kind) if get_origin(kind) is Literal else None


def split_list(text: str | None) -> list[str] | None:
    """``"a, b"`` -> ``["a", "b"]``; None for no text."""
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


@dataclass(frozen=True)
class Param:
    """One option of an operation, as every surface spells it.

    Parameters
    ----------
    name
        The Python keyword (and the name the command's function receives).
    type
        ``str``, ``int``, ``float``, ``bool``, ``Path``, ``list`` or a ``Literal`` of the allowed values.
    default, help
        The default and one line of help (shared by ``--help``, ``docs/config.md`` and the template).
    flag
        The command-line flag; ``SAME`` is ``--name-with-dashes``; None: not on the command line.
        ``--a/--no-a`` for an on/off option whose default is on.
    key
        The config key in the operation's section; ``SAME`` is ``name``; ``section.key`` for a key
        of another section; None: not in the config.
    keyword
        False when the operation's Python function has no such keyword.
    why
        Why the option is missing from a surface (required then; the test checks it).
    items
        For a list: the type of each element (a ``Literal`` for a choice); with ``key_type=list``, of
        the config's list (``inequality = ["gdp"]`` lists the command's one ``--value``).
    low, high, open
        Bounds of a number (``open=True``: the bounds themselves are excluded).
    flag_value
        For an on/off flag standing for a value (``--partial`` is ``errors="record"``).
    required
        Required on the command line and in the config.
    variadic
        A list given as following words on the command line (``--x a b c``; commas too).
    min_items
        For a list in the config: the fewest elements that make sense.
    key_type, key_default
        The config's type or default where they differ (``models = ["sar", "sdm"]`` is a list of
        the ``--model`` values); say why in ``why``.
    click
        More keywords for ``click.option`` (``multiple``, ``cls``, ``required``...).
    dest
        The name the command's function receives where it differs from the keyword (the shared
        loader's ``--id`` arrives as ``id_column``, as the commands' run.json has always recorded it).
    hint
        The name messages use to suggest this option (:func:`spatial.hints.hint`); ``SAME`` is
        ``name``; None when messages never suggest it (``reshape --keep`` lists columns, not the
        study area). Parameters of several operations that share a hint are one option to a message.
    aliases
        Spellings users type for its config key (``fixed_effects`` suggests ``fe``).
    """

    name: str
    type: Any = str
    default: Any = None
    help: str = ""
    flag: Any = SAME
    key: Any = SAME
    keyword: bool = True
    why: str = ""
    items: Any = None
    low: float | None = None
    high: float | None = None
    open: bool = False
    flag_value: Any = None
    key_type: Any = None
    key_default: Any = SAME
    min_items: int = 0
    required: bool = False
    variadic: bool = False
    click: dict[str, Any] = field(default_factory=dict)
    dest: str | None = None
    hint: Any = SAME
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.flag is SAME:
            object.__setattr__(self, "flag", "--" + self.name.replace("_", "-"))
        if self.key is SAME:
            object.__setattr__(self, "key", self.name)
        if self.hint is SAME:
            object.__setattr__(self, "hint", self.name)

    @property
    def flags(self) -> tuple[str, ...]:
        """Every flag the command accepts for it (``--constant/--no-constant`` is two)."""
        return tuple(self.flag.split("/")) if self.flag else ()

    @property
    def choices(self) -> tuple[Any, ...] | None:
        return choices_of(self.items if self.items is not None else self.type)

    def click_option(self):
        """The ``click.option`` decorator of this parameter."""
        import click

        kwargs: dict[str, Any] = {"help": self.help or None, "required": self.required}
        names = [self.flag, self.dest or self.name]
        choices = self.choices
        if self.flag_value is not None:
            kwargs.update(is_flag=True, flag_value=self.flag_value, default=self.default)
        elif self.type is bool and "/" in self.flag:  # --a/--no-a: on, off, or (default None) not said
            kwargs.update(default=self.default, show_default=self.default is not None)
        elif self.type is bool:
            if self.default:
                raise ValueError(f"{self.name}: an option on by default needs an off flag too (two flags with a slash)")
            kwargs.update(is_flag=True, default=False)
        elif self.variadic:
            kwargs.update(multiple=True, cls=__getattr__("Variadic"))
        elif self.type is list or self.items is not None and self.key_type is None:  # else: the config's list
            kwargs.update(callback=_split_callback, metavar="A,B,...")  # None when not given: the default
            if choices:
                kwargs["help"] = f"{self.help} One or more of: {', '.join(map(str, choices))}."
            if self.default:
                kwargs["help"] += f"  [default: {','.join(map(str, self.default))}]"
        elif choices is not None:
            kwargs.update(type=click.Choice([str(c) for c in choices]), default=self.default, show_default=True)
        elif self.type in (int, float) and (self.low is not None or self.high is not None):
            kind = click.IntRange if self.type is int else click.FloatRange
            extra = {"min_open": True, "max_open": True} if self.open else {}
            kwargs.update(type=kind(self.low, self.high, **extra), default=self.default, show_default=True)
        elif self.type in (int, float):
            kwargs.update(type=self.type, default=self.default, show_default=self.default is not None)
        elif self.type is Path and self.click.get("type") == FOLDER:
            kwargs.update(type=click.Path(file_okay=False, path_type=Path), default=self.default)
        elif self.type is Path:
            kwargs.update(type=click.Path(dir_okay=False, path_type=Path))
        else:
            kwargs.update(default=self.default, show_default=self.default is not None)
        kwargs.update({k: v for k, v in self.click.items() if (k, v) != ("type", FOLDER)})
        if kwargs.get("callback") is _split_callback and kwargs.get("multiple"):
            del kwargs["callback"]  # variadic/multiple options split their own values
        option = click.option(*names, **kwargs)
        if choices is None or "callback" not in kwargs:
            return option

        def decorate(func):  # the split callback checks each element against the Literal
            func = option(func)
            func.__click_params__[-1].choices_declared = tuple(map(str, choices))
            return func

        return decorate

    def config_key(self):
        """The :class:`spatial.config.Key` of this parameter (its section is the operation's)."""
        from spatial.config import Key

        kind = self.key_type or self.type
        choices = (choices_of(self.items) or choices_of(self.type)) if kind is list else choices_of(kind)
        python = {Path: str}.get(kind, kind)
        if choices_of(python) is not None:
            python = type(choices_of(python)[0])
        item = self.items
        if item is None and kind is list and choices_of(self.type):  # models = [...] of the --model values
            item = self.type
        if item is not None and choices_of(item) is not None:
            item = type(choices_of(item)[0])
        default = self.default if self.key_default is SAME else self.key_default
        if self.flag_value is not None and self.key_type is bool:
            default = False
        return Key(python, default, choices=choices, help=self.help, path=kind is Path, required=self.required,
                   items=item if python is list else None, min_items=self.min_items)


def _variadic_class():
    import click

    class _Variadic(click.Option):
        """An option that takes every following word up to the next option: ``--x a b c``."""

        def add_to_parser(self, parser, ctx):
            super().add_to_parser(parser, ctx)
            for name in self.opts:
                option = parser._long_opt.get(name) or parser._short_opt.get(name)
                if option is None:
                    continue
                original = option.process

                def process(value, state, original=original):
                    values = [value]
                    while state.rargs and not state.rargs[0].startswith("-"):
                        values.append(state.rargs.pop(0))
                    for item in values:
                        original(item, state)

                option.process = process

    return _Variadic


def __getattr__(name: str):
    if name == "Variadic":  # click is imported when an option is built, not with this module
        globals()["Variadic"] = _variadic_class()
        return globals()["Variadic"]
    raise AttributeError(name)


def _split_callback(ctx, param, value):
    """Split ``a,b``; refuse an element outside the declared values (before anything is read)."""
    values = value if isinstance(value, list) else split_list(value)
    allowed = getattr(param, "choices_declared", None)
    bad = [v for v in values or () if allowed is not None and v not in allowed]
    if bad:
        import click

        raise click.BadParameter(f"{', '.join(map(repr, bad))} not known; choose from "
                                 + ", ".join(map(str, allowed)))
    return values


@dataclass(frozen=True)
class Operation:
    """One operation a user runs: its command, config section, Python function and parameters.

    ``inputs`` is True when the command also reads a table (and boundaries or weights) with the
    options of ``spatial check`` (the shared loader), ``"boundaries"`` when it reads a table and
    boundaries only (no weights); ``positional`` names the Python arguments
    that are the data (``panel``, ``w``), not options; ``options_of`` (``module:NAME``) names the
    keywords a function taking ``**options`` accepts (``weights.builder:BUILD_OPTIONS``).
    """

    name: str
    params: tuple[Param, ...]
    command: str | None = None
    section: str | None = None
    function: str | None = None
    positional: tuple[str, ...] = ()
    inputs: bool | str = False
    options_of: str | None = None

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        raise KeyError(f"{self.name} declares no parameter {name!r}")

    def options(self, *names: str, exclude: tuple[str, ...] = ()):
        """A decorator adding the click options of ``names`` (default: every parameter with a flag)."""
        chosen = [self.param(n) for n in names] if names else [p for p in self.params
                                                               if p.flag and p.name not in exclude]

        def decorate(func):
            for param in reversed(chosen):
                func = param.click_option()(func)
            return func

        return decorate

    def keywords(self, values: dict[str, Any], **given: Any) -> dict[str, Any]:
        """The Python keywords from config values (``values`` by key) or command values (by name).

        ``given`` sets keywords outright; a keyword whose config key has another shape
        (``models`` for ``model``, ``period`` as int or text) must be given when its key is set:
        otherwise the value would be lost silently, so that is a programming error.
        """
        out = {}
        for param in self.params:
            if not param.keyword:
                continue
            if param.name in given:
                out[param.name] = given[param.name]
            elif param.key and param.key in values:
                if param.key_type is not None:
                    raise TypeError(f"{self.name}: keyword {param.name!r} has a config key {param.key!r} of another "
                                    "shape; pass it to keywords() explicitly")
                out[param.name] = values[param.key]
        return out

    def received(self, values: dict[str, Any]) -> dict[str, Any]:
        """The values a command's function received (by ``dest`` where declared) under their Python names.

        Examples
        --------
        >>> op = Operation("demo", params=(Param("id", str, dest="id_column"), Param("k", int)))
        >>> op.received({"id_column": "fips", "k": 5, "other": 1})
        {'id': 'fips', 'k': 5}
        """
        return {p.name: values[p.dest or p.name] for p in self.params if (p.dest or p.name) in values}

    def keys(self) -> dict[str, Any]:
        """Config key -> :class:`spatial.config.Key` of the parameters in this operation's own section."""
        return {p.key: p.config_key() for p in self.params if p.key and "." not in p.key}


def section_keys(section: str, operations, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The keys of config section ``section``: those of every operation declared in it, in order.

    An operation's key that another has already declared must agree with it (type, default, values).
    """
    keys: dict[str, Any] = {}
    for operation in operations:
        if operation.section != section:
            continue
        for key, spec in operation.keys().items():
            if key in keys:
                same = (keys[key].type, keys[key].default, keys[key].choices) == (spec.type, spec.default, spec.choices)
                if not same:
                    raise ValueError(f"[{section}] {key}: {operation.name} declares it unlike an earlier operation")
                continue
            keys[key] = spec
    return {**keys, **(extra or {})}
