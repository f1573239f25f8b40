"""The input options every analysis command shares, turned into one config entry for ``load_panel``.

``spatial check``, ``moran``, ``lisa``, ``hotspots``, ``fit`` and ``select`` read their table and
boundaries through :func:`panel_config` and :func:`spatial.pipeline.load_panel`, exactly as a
config run does: files or bundled dataset names, name matching, id normalisation, the study-area
filter, ``restrict``, encodings and ``assume_crs`` mean the same on every command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["KEEP_HELP", "panel_config", "split_list"]

KEEP_HELP = ("Study area: a true/false boundary column (mainland), column=value,... (region=East,Central) or "
             "@ids.txt; boundaries, weights, maps and table rows follow it and removed units are recorded.")


def split_list(text: str | None) -> list[str] | None:
    """``"a, b"`` -> ``["a", "b"]``; None for no text."""
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


def panel_config(table: Path | str, id_column: str, *, boundaries: Path | str | None = None,
                 **options: Any) -> dict[str, dict[str, Any]]:
    """The ``[panel]`` (and ``[boundaries]``) entries of the command-line inputs.

    ``options`` are the command's values by config key; ``None`` means not given. Panel keys:
    time, variables, sheet, encoding, id_normalize, balance, missing, coerce_numeric. Boundary keys
    (prefixed ``boundary_`` where the panel has the same name): boundary_id, layer,
    boundary_encoding, assume_crs, match_names, keep, restrict, repair, bad_geometry,
    duplicate_geometry.
    """
    from spatial.sources import source_spec

    panel_keys = ("time", "variables", "sheet", "encoding", "id_normalize", "balance", "missing", "coerce_numeric")
    boundary_keys = {"boundary_id": "id", "layer": "layer", "boundary_encoding": "encoding",
                     "assume_crs": "assume_crs", "match_names": "match_names", "keep": "keep",
                     "restrict": "restrict", "repair": "repair", "bad_geometry": "bad_geometry",
                     "duplicate_geometry": "duplicate_geometry"}
    unknown = set(options) - set(panel_keys) - set(boundary_keys)
    if unknown:
        raise TypeError(f"panel_config got unknown options {sorted(unknown)}")
    panel = {**source_spec(table), "id": id_column}
    panel.update({k: options[k] for k in panel_keys if options.get(k) is not None})
    raw: dict[str, dict[str, Any]] = {"panel": panel}
    if boundaries is not None:
        bounds = source_spec(boundaries, kinds=("boundaries",))
        bounds.update({key: options[name] for name, key in boundary_keys.items() if options.get(name) is not None})
        raw["boundaries"] = bounds
    return raw
