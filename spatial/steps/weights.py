"""Pipeline step ``[weights]``: the spatial weights of the analysis, one table per matrix.

A study usually reports a robustness set (contiguity, inverse distance, economic distance, nested
economic-geographic); each gets a name and a table. The first matrix is the main one; later steps
(ESDA, models, report) find every matrix in ``ctx.results.weights`` (name -> libpysal ``Graph``,
in the panel's unit order), how each was built in ``ctx.results.weights_built`` (``weights.BuiltWeights``)
and that record as run.json keeps it in ``ctx.results.weights_info``.

Shape::

    [weights.queen]
    kind = "queen"              # queen, rook, knn, distance_band, inverse_distance, kernel,
                                # block, economic, nested, mixed, file
    islands = "connect"         # keep (default), connect (each island to its nearest unit)
    transform = "row"           # row (default), none, binary, spectral, double, symmetric

    [weights.invdist]
    kind = "inverse_distance"
    alpha = 2
    metric = "haversine"        # required for longitude/latitude boundaries (km)
    points_dataset = "china_capitals"   # or points_path = "capitals.csv"; default: centroids
    points_id = "province_adcode"
    xy = ["lon", "lat"]

    [weights.econ]
    kind = "economic"
    variable = "gdp_pc"
    periods = "2010:2019"       # or a list of periods; default all

    [weights.nested]
    kind = "nested"
    distance = "invdist"        # a matrix defined above
    variable = "gdp_pc"

    [weights.mixed]
    kind = "mixed"
    of = ["invdist", "econ"]
    phi = 0.5

    [weights.own]
    kind = "file"
    path = "W.xlsx"             # .gal .gwt .csv .xlsx .mtx .mat .dta; ids checked against the panel

Outputs (when the run writes files): ``weights_<name>.<format>`` for each format in ``formats``
(default ``["csv"]``, the edge list) and ``weights_summary.txt`` with every summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

from weights.choices import DuplicateOption, Format, IslandPolicy, KernelFunction, Metric, PointsOption, TieOption, Transform
from spatial._fs import write_text_atomic
from spatial.config import Key, register_section
from spatial.errors import ConfigError
from spatial.io import close_matches
from spatial.pipeline import RunContext, register_step

__all__: list[str] = []

_LOCATION = {
    "metric": Key(str, choices=get_args(Metric), help="distance: euclidean (projected), haversine or geodesic km"),
    "points": Key(str, choices=get_args(PointsOption), help="points of the polygons"),
    "points_path": Key(str, help="table of points (e.g. capitals), relative to the config file"),
    "points_dataset": Key(str, help="bundled points dataset, e.g. china_capitals"),
    "points_id": Key(str, help="id column of the points table (default: the bundled dataset's id, or the panel's id)"),
    "xy": Key(list, help="coordinate columns of the points table, e.g. ['lon', 'lat']"),
    "max_links": Key(int),
}
_VALUES = {
    "variable": Key(str, required=True, help="panel variable, e.g. per-capita GDP"),
    "periods": Key((str, list), help="'2010:2019' or a list of periods (default all)"),
}
_COMMON = {
    "kind": Key(str, required=True),
    "transform": Key(str, "row", choices=get_args(Transform), help="transformation applied last"),
    "islands": Key(str, "keep", choices=tuple(p for p in get_args(IslandPolicy) if p != "drop"),
                   help="units without neighbours: keep (zero rows) or connect to the nearest (recorded)"),
    "connect_k": Key(int, 1),
    "formats": Key(list, ["csv"], help="files written: " + ", ".join(get_args(Format)), items=str),
}
_CONTIGUITY = {"order": Key(int, 1), "cumulative": Key(bool, False), "strict": Key(bool, False),
               "tolerance": Key((int, float), 0.0)}
_KEYS: dict[str, dict[str, Key]] = {
    "queen": _CONTIGUITY,
    "rook": _CONTIGUITY,
    "knn": {"k": Key(int, required=True), "duplicates": Key(str, "error", choices=get_args(DuplicateOption)), **_LOCATION},
    "distance_band": {"threshold": Key((int, float), required=True), "inverse": Key(bool, False),
                      "alpha": Key((int, float), 1.0), **_LOCATION},
    "inverse_distance": {"alpha": Key((int, float), 1.0), "cutoff": Key((int, float)), **_LOCATION},
    "kernel": {"function": Key(str, "triangular", choices=get_args(KernelFunction)),
               "bandwidth": Key((int, float)), "k": Key(int, 6), "adaptive": Key(bool, False), **_LOCATION},
    "block": {"group": Key(str, required=True, help="boundary or panel text column, e.g. region")},
    "economic": {**_VALUES, "ties": Key(str, "error", choices=get_args(TieOption))},
    "nested": {**_VALUES, "distance": Key(str, required=True, help="name of a distance matrix defined above")},
    "mixed": {"of": Key(list, required=True, help="two matrices defined above"),
              "phi": Key((int, float), required=True, help="weight of the first, in [0, 1]")},
    "file": {"path": Key(str, required=True), "format": Key(str), "encoding": Key(str)},
}
COMMON_KEYS = _COMMON  # public for the config reference (spatial.config_docs)
KIND_KEYS = _KEYS
_FORMATS = get_args(Format)
_EXTENSION = {"csv": "csv", "gal": "gal", "gwt": "gwt", "matrix": "matrix.csv", "xlsx": "xlsx", "mtx": "mtx",
              "mat": "mat", "dta": "dta"}


def _suggest(name: str, options) -> str:
    near = close_matches(name, list(options), n=1)
    return f" (did you mean {near[0]!r}?)" if near else ""


def _check_matrix(name: str, table: Any, earlier: list[str], where: str) -> dict[str, Any]:
    label = f"{where}: [weights.{name}]"
    if not isinstance(table, dict):
        raise ConfigError(f"{label} must be a table (write [weights.{name}] with kind = ...)")
    kind = table.get("kind")
    if kind not in _KEYS:
        raise ConfigError(
            f"{label} needs kind = one of {', '.join(map(repr, _KEYS))}"
            + (f"; got {kind!r}{_suggest(str(kind), _KEYS)}" if kind is not None else "")
        )
    keys = {**_COMMON, **_KEYS[kind]}
    checked: dict[str, Any] = {}
    for key, value in table.items():
        if key not in keys:
            raise ConfigError(f"{label}: unknown key {key!r} for {kind} weights{_suggest(key, keys)}")
        spec = keys[key]
        if key == "islands" and value == "drop":
            raise ConfigError(
                f"{label} islands = 'drop' would remove units from the weights but not from the panel; remove "
                "them from the panel table instead, or use islands = 'connect' (or 'keep')"
            )
        expected = spec.type if isinstance(spec.type, tuple) else (spec.type,)
        if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
            raise ConfigError(f"{label} {key} must be {' or '.join(t.__name__ for t in expected)}, got {value!r}")
        if spec.choices is not None and value not in spec.choices:
            raise ConfigError(f"{label} {key} = {value!r} is not allowed; choose one of "
                              + ", ".join(map(repr, spec.choices)))
        checked[key] = value
    for key, spec in keys.items():
        if spec.required and key not in checked:
            raise ConfigError(f"{label} ({kind}) needs {key!r}")
        checked.setdefault(key, spec.default)
    unknown_formats = [f for f in checked["formats"] if f not in _FORMATS]
    if unknown_formats:
        raise ConfigError(f"{label} formats {unknown_formats!r} unknown; choose from {', '.join(_FORMATS)}")
    references = checked.get("of", []) if kind == "mixed" else [checked["distance"]] if kind == "nested" else []
    if kind == "mixed" and len(references) != 2:
        raise ConfigError(f"{label} of must name two matrices defined above, got {references!r}")
    for ref in references:
        if ref not in earlier:
            raise ConfigError(
                f"{label} refers to {ref!r}, which is not a matrix defined above it"
                + (f"; defined: {', '.join(earlier)}" if earlier else "")
            )
    if kind == "mixed" and not 0 <= checked["phi"] <= 1:
        raise ConfigError(f"{label} phi = {checked['phi']!r} must lie in [0, 1]")
    if checked.get("points_path") and checked.get("points_dataset"):
        raise ConfigError(f"{label}: give points_path or points_dataset, not both")
    xy = checked.get("xy")
    if xy is not None and (len(xy) != 2 or not all(isinstance(c, str) for c in xy)):
        raise ConfigError(f"{label} xy must name two columns, e.g. ['lon', 'lat']")
    return checked


def _check_section(values: dict[str, Any], *, base: Path | None, where: str) -> dict[str, Any]:
    if not values:
        raise ConfigError(f"{where}: [weights] names no matrix; add e.g. [weights.queen] with kind = \"queen\"")
    checked: dict[str, Any] = {}
    for name, table in values.items():
        checked[name] = _check_matrix(name, table, list(checked), where)
    return checked


register_section(
    "weights",
    {"*": Key(dict, help="one table per matrix: [weights.<name>] kind = ...")},
    check=_check_section,
)


# ---------------------------------------------------------------------------------------------


def _config_path(ctx: RunContext, value: str) -> Path:
    path = Path(value).expanduser()
    if not path.is_absolute() and ctx.config.source is not None:
        path = ctx.config.source.parent / path
    return path


def _locations(ctx: RunContext, spec: dict[str, Any]):
    """The units' locations: the boundaries (centroids / points) or a points table keyed like the panel."""
    if not (spec.get("points_path") or spec.get("points_dataset")):
        return _geometry(ctx, spec["kind"]), {}
    from spatial import datasets
    from spatial.io import ids_as_strings, read_table, require_columns

    if spec.get("points_dataset"):
        source = datasets.path(spec["points_dataset"])
    else:
        source = _config_path(ctx, spec["points_path"])
    table = read_table(source)
    default = datasets.info(spec["points_dataset"]).id if spec.get("points_dataset") else ctx.panel.id_name
    id_column = spec.get("points_id") or default
    xy = tuple(spec.get("xy") or ("lon", "lat"))
    require_columns(table, [id_column, *xy], f"points table {source.name}")
    table[id_column] = ids_as_strings(table[id_column], id_column)
    entities = [str(e) for e in ctx.panel.entities]
    present = set(table[id_column])
    missing = [e for e in entities if e not in present]
    if missing:
        from weights.errors import WeightsError

        raise WeightsError(
            f"the points table {source.name} has no row for {len(missing)} panel units ({missing[:10]}); "
            f"its {id_column!r} column must hold the panel's ids"
        )
    table = table.set_index(id_column).loc[entities].reset_index()
    return table, {"xy": xy, "id": id_column}


def _geometry(ctx: RunContext, kind: str):
    geometry = ctx.panel.geometry
    if geometry is None:
        raise ConfigError(f"{kind} weights need boundaries: add a [boundaries] section (or points_path for distances)")
    return geometry


def _group_table(ctx: RunContext, column: str):
    import pandas as pd

    geometry = ctx.panel.geometry
    if geometry is not None and column in geometry.columns:
        return pd.DataFrame({column: geometry[column].to_numpy()}, index=[str(i) for i in geometry.index])
    labels = ctx.panel.labels
    if column in labels.columns:
        per_unit = labels[column].groupby(level=0).nunique(dropna=False)
        varying = per_unit[per_unit > 1].index.tolist()
        if varying:
            raise ConfigError(f"[weights] group {column!r} changes over time for {varying[:10]}; use a fixed grouping")
        first = labels[column].groupby(level=0).first().reindex(ctx.panel.entities)
        return pd.DataFrame({column: first.to_numpy()}, index=[str(i) for i in ctx.panel.entities])
    available = ([] if geometry is None else [c for c in geometry.columns if c != geometry.geometry.name]) + list(
        labels.columns)
    raise ConfigError(f"[weights] group column {column!r} is neither a boundary nor a panel text column; "
                      f"available: {available}")


def _periods(value):
    if value is None or isinstance(value, list):
        return value

    def label(token: str):
        token = token.strip()
        return int(token) if token.lstrip("-").isdigit() else token

    if ":" in value:
        first, last = value.split(":", 1)
        return slice(label(first), label(last))
    return [label(value)]


def _build_one(ctx: RunContext, name: str, spec: dict[str, Any], built: dict[str, Any]):
    """One named matrix as :class:`weights.BuiltWeights`, keyed and ordered like the panel."""
    from weights.builder import BuiltWeights, build
    from weights.economic import mixed, nested
    from weights.islands import IslandReport
    from weights.transform import transform

    kind = spec["kind"]
    common = {"islands": spec["islands"], "connect_k": spec["connect_k"], "transform": spec["transform"]}
    if kind in ("queen", "rook"):
        options = {k: spec[k] for k in _CONTIGUITY}
        return build(_geometry(ctx, kind), kind=kind, **common, **options)
    if kind in ("knn", "distance_band", "inverse_distance", "kernel"):
        data, extra = _locations(ctx, spec)
        options = {k: spec[k] for k in _KEYS[kind] if k not in _LOCATION and k != "inverse" and spec[k] is not None}
        if kind == "distance_band" and spec["inverse"]:
            options["binary"] = False
        for key in ("metric", "points", "max_links"):
            if spec.get(key) is not None:
                options[key] = spec[key]
        if "xy" in extra:
            options["xy"] = extra["xy"]
        return build(data, kind=kind, id=extra.get("id"), **common, **options)
    if kind == "block":
        return build(_group_table(ctx, spec["group"]), kind="block", group=spec["group"], **common)
    if kind == "economic":
        from dataclasses import replace

        values = ctx.panel.wide(spec["variable"])  # units x periods
        result = build(values, kind="economic", periods=_periods(spec["periods"]), ties=spec["ties"], **common)
        return replace(result, options={**result.options, "variable": spec["variable"]})
    if kind == "nested":
        graph = nested(built[spec["distance"]].graph, ctx.panel.wide(spec["variable"]),
                       periods=_periods(spec["periods"]))
        options = {"distance": spec["distance"], "variable": spec["variable"], "periods": spec["periods"] or "all"}
    elif kind == "mixed":
        first, second = spec["of"]
        graph = mixed(built[first].graph, built[second].graph, phi=float(spec["phi"]))
        options = {"of": f"{first}, {second}", "phi": float(spec["phi"])}
    else:  # file
        from spatial.weights_file import read_aligned_weights

        restrict = ctx.config["boundaries"]["restrict"] if "boundaries" in ctx.config else "error"
        aligned, graph = read_aligned_weights(_config_path(ctx, spec["path"]), ctx.panel, format=spec["format"],
                                              encoding=spec["encoding"], restrict=restrict,
                                              id_normalize=ctx.config["panel"]["id_normalize"])
        if aligned.n_units != ctx.panel.n_units:  # the file lacks units of the panel every other step uses
            from spatial.errors import first_items

            lacking = [i for i in ctx.panel.entities if i not in set(aligned.entities)]
            raise ConfigError(
                f"[weights.{name}] the file {Path(spec['path']).name} lacks {len(lacking)} units of the panel "
                f"({first_items(lacking)}); restrict = 'intersection' leaves out units of the file that are not in the "
                "panel, never units of the panel at this step. Add them to the file, or remove them from the table "
                "(or with [boundaries] keep)")
        options = {"file": Path(spec["path"]).name}
    from weights.islands import apply_island_policy

    graph, report = apply_island_policy(graph, spec["islands"], frame=ctx.panel.geometry, k=spec["connect_k"]) \
        if spec["islands"] == "connect" else (graph, IslandReport("keep", tuple(map(str, graph.isolates))))
    graph = transform(graph, spec["transform"])
    return BuiltWeights(graph=graph, kind=kind, options=options, islands=report, transform=spec["transform"])


def _weights_step(ctx: RunContext) -> None:
    if "weights" not in ctx.config or ctx.panel is None:
        return
    from weights import reorder

    specs: dict[str, dict[str, Any]] = ctx.config["weights"]
    # outputs are checked before any matrix is built
    targets = {name: [(fmt, ctx.output_path(f"weights_{name}.{_EXTENSION[fmt]}")) for fmt in spec["formats"]]
               for name, spec in specs.items()}
    summary_path = ctx.output_path("weights_summary.txt")
    built: dict[str, Any] = {}
    texts = []
    entities = [str(e) for e in ctx.panel.entities]
    for name, spec in specs.items():
        since = len(ctx.warnings)
        result = _build_one(ctx, name, spec, built)
        graph = reorder(result.graph, entities, what=f"weights {name!r}")
        if graph is not result.graph:
            from dataclasses import replace

            result = replace(result, graph=graph)
        built[name] = result
        ctx.uses_weights(name, graph, "weights", since=since)
        text = str(result.summary(name=name))
        texts.append(text)
        ctx.echo(text)
    ctx.results.weights = {name: b.graph for name, b in built.items()}
    ctx.results.weights_built = dict(built)
    ctx.results.weights_info = {name: {**b.to_dict(), "summary": b.summary(name=name, eigen="none").to_dict()}
                                   for name, b in built.items()}
    if summary_path is None:
        return
    from weights.io import write_weights

    for name, files in targets.items():
        for fmt, path in files:
            write_weights(built[name].graph, path, format=fmt, overwrite=ctx.overwrite, force=False)
            ctx.wrote(path)
    write_text_atomic(summary_path, "\n\n".join(texts) + "\n")
    ctx.wrote(summary_path)


def _planned(config) -> list[str]:
    """Every file the step writes: each weights in each format, and the summary."""
    if "weights" not in config:
        return []
    specs = config["weights"]
    return [f"weights_{name}.{_EXTENSION[fmt]}" for name, spec in specs.items() for fmt in spec["formats"]] + [
        "weights_summary.txt"
    ]


register_step("weights", _weights_step, plan=_planned)
