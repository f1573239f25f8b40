"""One reader of a user's weights file aligned to the panel, with the id options of the boundaries.

A weights file (.gal, .gwt, .csv, ...) names units by id, exactly as a boundary file does, so the
same options apply (RELIABILITY C1/C2): ``id_normalize`` is applied to the file's ids as to the
panel's, ``restrict="intersection"`` keeps the units common to both (the excluded ids are listed
in ``panel.dropped`` and islands created by the cut are reported), and a mismatch is an
:class:`~spatial.errors.IdMismatchError` with both differences and the fix: the normalisation
under which the ids would match, or the remedy for ids written as floats (``110000.0``).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from spatial._options import check_option
from spatial.errors import IdMismatchError, first_items
from spatial.hints import hint as option_hint
from spatial.names import normalize_ids, suggest_normalization
from spatial.subset import OUTSIDE
from spatial.panel import RestrictOption, SpatialPanel

__all__ = ["read_aligned_weights"]

_FLOAT_ID = re.compile(r"^[+-]?\d+\.0+$")


def _float_hint(file_ids: list[str], panel_ids: set[str]) -> str:
    looks_float = [i for i in file_ids if _FLOAT_ID.match(i)]
    if not looks_float:
        return ""
    as_int = {i.split(".")[0] for i in looks_float}
    matched = len(as_int & panel_ids)
    return (
        f"; the weights file writes {len(looks_float)} ids as floating-point numbers (e.g. {looks_float[0]!r})"
        + (f", {matched} of which match the panel without '.0'" if matched else "")
        + ": a spreadsheet or pandas turned the codes into numbers on export. Write the ids as text "
        "(e.g. with .astype('Int64').astype(str)) and export the weights again; "
        "ids are never cast to numbers because leading zeros would be lost"
    )


def read_aligned_weights(
    path: str | Path,
    panel: SpatialPanel,
    *,
    restrict: RestrictOption = "error",
    id_normalize: str | None = None,
    format: str | None = None,
    encoding: str | None = None,
    matrix: bool = False,
) -> tuple[SpatialPanel, object]:
    """Read a weights file and align it to ``panel`` by key.

    Parameters
    ----------
    path
        The weights file (any format of :func:`weights.read_weights`).
    panel
        The validated panel; its ids are already normalised by ``id_normalize`` if one was given.
    restrict
        ``"error"`` (default): the id sets must agree. ``"intersection"``: keep the common units,
        in the panel (recorded in ``panel.dropped``) and in the weights.
    id_normalize
        The normalisation applied to the panel's ids (e.g. ``"strip,zfill5"``), applied to the
        file's ids too.
    format, encoding
        Passed to :func:`weights.read_weights`.
    matrix
        When the ids agree as given, return :class:`weights.SparseWeights` (what the estimators
        need) instead of building a ``Graph``: libpysal is then not imported.

    Returns
    -------
    (SpatialPanel, libpysal.graph.Graph)
        The panel (restricted if asked) and the weights in the panel's unit order.

    Raises
    ------
    IdMismatchError
        Ids that differ, with both differences and the fix; ids that collide after normalisation.
    weights.WeightsError
        A file that cannot be read, or invalid entries.
    """
    import weights
    from weights import graph_from_sparse, graph_ids, matrix_of, reorder
    from weights.errors import WeightsError

    check_option("restrict", restrict, RestrictOption)
    ids = [str(e) for e in panel.entities]
    what = f"the weights file {Path(path).name}"
    try:
        reader = weights.read_matrix if matrix else weights.read_weights
        return panel, reader(path, ids=ids, format=format, encoding=encoding)
    except WeightsError as exc:
        strict_error = exc
    try:  # the file's own ids, to compare (files without ids or with unnamed islands cannot be)
        graph = weights.read_weights(path, format=format, encoding=encoding)
    except WeightsError:
        raise strict_error from None
    file_ids = graph_ids(graph)
    if id_normalize:
        normalised = normalize_ids(pd.Series(file_ids, dtype=object), id_normalize).tolist()
        collided = pd.Index(normalised)[pd.Index(normalised).duplicated()].unique().tolist()
        if collided:
            raise IdMismatchError(
                f"{what}: ids collide after {option_hint('id_normalize', id_normalize)}: {first_items(collided)}; "
                "choose a normalisation that keeps the units apart"
            )
        graph = graph_from_sparse(matrix_of(graph), normalised, transformation=graph.transformation)
        file_ids = normalised
    mine, theirs = set(ids), set(file_ids)
    if mine != theirs:  # a file keyed by the user's own unit names (北京市) while the panel matched them to codes
        translated = _by_user_keys(panel, file_ids)
        if translated is not None:
            graph = graph_from_sparse(matrix_of(graph), translated, transformation=graph.transformation)
            file_ids, theirs = translated, set(translated)
    if mine == theirs:
        return panel, reorder(graph, ids, what=what)
    only_panel, only_file = sorted(mine - theirs), sorted(theirs - mine)
    common = [i for i in ids if i in theirs]
    if restrict == "intersection" and common:
        return _intersection(panel, graph, common, only_panel, only_file, what)
    outside = _outside_study_area(panel)
    if not only_panel and set(only_file) <= outside:  # the study area (keep) applies to the weights too
        return _intersection(panel, graph, common, only_panel, only_file, what,
                             reason=f"{OUTSIDE}: removed from the weights with its unit")
    hint = _float_hint(only_file, mine)
    if not hint:
        spec = suggest_normalization(mine, theirs)
        hint = (
            f"; the ids match after normalisation: pass {option_hint('id_normalize', spec)}"
            if spec
            else "; no unit is in both, so keeping the common units leaves nothing: correct the ids"
            if restrict == "intersection"  # the user asked for the common units already
            else f"; correct the ids, or keep the common units with {option_hint('restrict', 'intersection')}"
        )
    raise IdMismatchError(
        f"panel and {what} ids differ: {len(only_panel)} only in the panel ({first_items(only_panel)}), "
        f"{len(only_file)} only in the weights file ({first_items(only_file)}){hint}"
    )


def _by_user_keys(panel: SpatialPanel, file_ids: list[str]) -> list[str] | None:
    """The file's ids as panel ids when every one of them is a key the user's table named a unit by
    (``match_names``: 北京市 -> 110000) or already a panel id; None when they are not."""
    id_map = panel.id_map
    if id_map is None:
        return None
    pairs = id_map[["key", "id"]].astype(str).drop_duplicates()
    unique = pairs[~pairs["key"].duplicated(keep=False)]  # a key naming two units (with parents) is no key
    lookup = dict(zip(unique["key"], unique["id"], strict=True))
    known = {str(e) for e in panel.entities}
    translated = [lookup.get(i, i) for i in file_ids]
    if not any(i in lookup for i in file_ids) or len(set(translated)) < len(translated):
        return None
    outside = _outside_study_area(panel)
    return translated if all(t in known or t in outside for t in translated) else None


def _outside_study_area(panel: SpatialPanel) -> set[str]:
    """Ids the study-area filter (``keep``) removed from the panel and its boundaries."""
    dropped = panel.dropped
    removed = dropped["reason"].astype(str).str.startswith(OUTSIDE)
    return set(dropped.loc[removed & dropped["id"].notna(), "id"].astype(str))


def _intersection(panel: SpatialPanel, graph, common: list[str], only_panel, only_file, what: str,
                  reason: str = "in the weights file but not in the panel (restrict='intersection')"):
    from weights import graph_from_sparse, graph_ids, matrix_of
    from weights.errors import IslandWarning

    full, file_ids = matrix_of(graph), graph_ids(graph)
    already = {file_ids[k] for k in np.flatnonzero(np.diff(full.indptr) == 0)}  # islands before the cut
    position = pd.Index(file_ids).get_indexer(common)
    matrix = full[position][:, position]
    cut = graph_from_sparse(matrix, common, transformation=graph.transformation)
    restricted = panel.restrict_units(
        common,
        reason=f"not in {what} (restrict='intersection')",
        also=[{"id": i, "what": "dropped from the weights",
               "reason": reason} for i in only_file],
    )
    islands = [common[k] for k in np.flatnonzero(np.diff(matrix.indptr) == 0) if common[k] not in already]
    if islands:
        warnings.warn(
            f"keeping the units common to the panel and {what} left {len(islands)} units without neighbours "
            f"({first_items(islands)}); they are islands in every statistic",
            IslandWarning,
            stacklevel=2,
        )
    return restricted, cut
