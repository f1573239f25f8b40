"""The input options every analysis command shares, turned into one config entry for ``load_panel``.

``spatial check``, ``moran``, ``lisa``, ``hotspots``, ``fit`` and ``select`` read their table and
boundaries through :func:`panel_config` and :func:`spatial.pipeline.load_panel`, exactly as a
config run does: files or bundled dataset names, name matching, id normalisation, the study-area
filter, ``restrict``, encodings and ``assume_crs`` mean the same on every command.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from spatial.operations_core import KEEP_HELP, LOADER, LOADER_WEIGHTS, MATCH_PARENT_HELP

__all__ = ["KEEP_HELP", "MATCH_PARENT_HELP", "LOADER_KEYS", "input_options", "panel_config", "split_list"]

#: The loader's options as the command's function receives them (then passed to panel_config);
#: the table's id and period, the boundaries and match_names are handled by each command.
LOADER_KEYS = tuple(p.name for p in LOADER if p.name not in ("id", "time", "boundaries", "match_names"))


def input_options(*operations, contiguity: str | None = "queen", argument: str = "table", required: bool = True,
                  weights: bool = True, id_required: bool = True, metavar: str | None = None,
                  several_weights: bool = False):
    """The loader's options (table, boundaries or weights, name matching, study area, encodings),
    generated from :data:`spatial.operations_core.LOADER` and the same on every command that reads
    a table, then the options of each of ``operations``.

    ``contiguity`` is the default of ``--contiguity`` (None: give it or ``--weights``); ``argument``
    names the table argument for the command's function (``required=False`` when ``--data`` may give it);
    ``weights=False`` for a command that reads no weights (``spatial map``); ``several_weights=True``
    makes ``--weights`` repeatable (a robustness set: the analysis under each W side by side; the
    command's function then receives a tuple, empty when none is given).
    """
    import click

    loader = list(LOADER)
    if not id_required:
        loader[0] = replace(loader[0], required=False, help="Unit id column (of the table; of FILE when it is a "
                            "boundary file).")
    if weights:
        rule, file = LOADER_WEIGHTS[1], LOADER_WEIGHTS[0]
        if several_weights:
            file = replace(file, click={"multiple": True}, help=f"{file.help} Repeat it for a robustness set: the "
                           "analysis under each W side by side, named by the file stems.")
        loader += [file, rule if contiguity == rule.default else replace(
            rule, default=contiguity, help="Build contiguity weights from --boundaries (or give --weights FILE).")]
    decorators = [
        click.argument(argument, required=required, metavar=metavar,
                       type=click.Path(dir_okay=False, path_type=Path)),
        *(param.click_option() for param in loader),
        *(operation.options() for operation in operations),
    ]

    def decorate(func):
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return decorate


def split_list(text: str | list[str] | None) -> list[str] | None:
    """``"a, b"`` -> ``["a", "b"]`` (a declared list option arrives split already); None for none."""
    if isinstance(text, (list, tuple)):
        return list(text) or None
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


def panel_config(table: Path | str, id_column: str, *, boundaries: Path | str | None = None,
                 **options: Any) -> dict[str, dict[str, Any]]:
    """The ``[panel]`` (and ``[boundaries]``) entries of the command-line inputs
    (:func:`spatial.inputs.inputs_raw`; ``options`` by their Python keyword, None: not given)."""
    from spatial.inputs import inputs_raw

    return inputs_raw(table, boundaries=boundaries, id=id_column, **options)
