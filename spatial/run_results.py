"""Typed results between the pipeline's steps: what each step passes on, as the result objects themselves.

A run keeps its results in one :class:`RunResults` (``RunContext.results``): the weights, the
indices step's :class:`IndicesResults`, the ESDA step's :class:`EsdaResults` and the models step's
:class:`ModelsResults`. The report and the writers read their named fields; nothing downstream
recognises a table by its column names or looks for a key in a dict of unknown shape.

Scripts that indexed the old dict (``ctx.results["models"]["results"]["sar"]``) still can: every
class here also answers ``obj["field"]`` for its own fields (an unknown name is a ``KeyError``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import Any

import pandas as pd

__all__ = ["RunResults", "EsdaResults", "ModelsResults", "ModelsRobustness", "IndicesResults"]


class _Fields:
    """``obj["name"]`` for a dataclass's own fields (the dict access of earlier versions)."""

    def __getitem__(self, key: str) -> Any:
        if key not in _names(self):
            raise KeyError(f"{key!r}: not a field of {type(self).__name__}; fields: {', '.join(_names(self))}")
        return getattr(self, key)


def _names(obj: Any) -> tuple[str, ...]:
    return tuple(f.name for f in fields(obj))


@dataclass(frozen=True)
class EsdaResults(_Fields):
    """What the ESDA step passes on (to the report): the result objects, not frames to recognise.

    ``weights`` names the matrix of the main results; ``robustness`` is the long table of the global
    statistics under every W of a robustness set (None with one W); ``failed`` lists what could
    not be computed (None when nothing failed)."""

    weights: str
    global_autocorrelation: Any  # spatial.esda.GlobalAutocorrelation
    moran_table: Any = None  # the journal table of Moran's I by year (None without moran)
    lisa: Any = None  # spatial.esda.LocalMoran
    transitions: list = field(default_factory=list)  # spatial.esda transitions, one per variable
    hot_spots: Any = None  # spatial.esda.HotSpots
    failed: pd.DataFrame | None = None
    robustness: pd.DataFrame | None = None


@dataclass(frozen=True)
class ModelsRobustness(_Fields):
    """The same models under every W of a robustness set: ``results[w][model]``, the side-by-side
    journal table (model-major, then W) and the models in their order."""

    weights: tuple[str, ...]
    results: dict[str, dict[str, Any]]  # weights name -> model -> spatial.models.Result
    table: Any  # spatial.models.ComparisonTable
    models: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelsResults(_Fields):
    """What the models step passes on: the fitted results and everything run beside them.

    ``results`` maps each configured model to its :class:`spatial.models.Result` (in the order
    fitted under ``weights``); ``table`` and ``effects_table`` are the journal tables the files hold
    and ``table_options`` the keywords they were built with (the report rebuilds them in its
    language); ``selection`` is the :class:`spatial.models.Selection` (``select = true``), ``bayes``
    the :class:`spatial.models.BayesComparison`, ``robustness`` the fits under a set of W and
    ``heterogeneity`` the :class:`spatial.heterogeneity.Heterogeneity` of ``[models.heterogeneity]``
    (each None when not run)."""

    weights: str
    results: dict[str, Any]
    table: Any
    effects_table: Any = None
    table_options: dict[str, Any] = field(default_factory=dict)
    selection: Any = None
    bayes: Any = None
    robustness: ModelsRobustness | None = None
    heterogeneity: Any = None


# The tables of each index result the report shows, by result kind: (name suffix, attribute).
# A suffix "" names the table after the result itself ("coupling", "lq.<var>"...).
_INDEX_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "composite": (("normalized", "normalized"), ("ranks", "ranks"), ("scores", "scores"), ("weights", "weights"),
                  ("distances", "distances")),
    "obstacle": (("indicators", "indicators"), ("subsystems", "subsystems")),
    "coupling": (("", "table"),),
    "theil": (("", "summary"), ("groups", "groups")),
    "dagum_gini": (("", "summary"),),
    "sigma": (("", "series"),),
    "geodetector": (("ecological", "ecological"), ("factor", "factor"), ("interaction", "interaction"),
                    ("risk", "risk"), ("risk_means", "risk_means"), ("strata", "strata")),
    "dea": (("", "table"), ("infeasible", "infeasible")),
    "gml": (("", "table"), ("distances", "distances")),
    "malmquist": (("", "table"), ("distances", "distances")),
    "gravity": (("centres", "centres"), ("ellipses", "ellipses"), ("moves", "moves")),
}
_TABLE_NAMES = {"dagum_gini": "dagum"}  # shown as "Dagum Gini" (report_words captions)


@dataclass(frozen=True)
class IndicesResults(_Fields):
    """What the indices step passes on: each index's result object (None, or an empty mapping, when
    not computed). Results by variable (``theil``, ``cv``...) map the variable to its result.

    Iterating gives the names of the results computed; :meth:`tables` the tables the report shows."""

    composite: Any = None  # spatial.indices.CompositeIndex
    obstacle: Any = None  # ObstacleResult
    coupling: Any = None  # CouplingResult
    theil: dict[str, Any] = field(default_factory=dict)  # variable -> TheilResult
    dagum_gini: dict[str, Any] = field(default_factory=dict)  # variable -> DagumGini
    sigma: dict[str, Any] = field(default_factory=dict)  # variable -> SigmaConvergence
    cv: dict[str, pd.DataFrame] = field(default_factory=dict)  # variable -> coefficient of variation by period
    kde: dict[str, Any] = field(default_factory=dict)  # variable -> KernelDensity (a figure)
    geodetector: Any = None  # GeoDetectorResult
    lq: pd.DataFrame | None = None  # location quotients
    dea: Any = None  # DEAResult
    gml: Any = None  # ProductivityResult (productivity = "gml")
    malmquist: Any = None  # ProductivityResult (productivity = "malmquist")
    markov: dict[str, Any] = field(default_factory=dict)  # variable -> MarkovResult / SpatialMarkovResult
    gravity: Any = None  # GravityResult

    def __iter__(self) -> Iterator[str]:
        return (name for name in _names(self) if _computed(getattr(self, name)))

    def __contains__(self, name: object) -> bool:
        return name in set(self)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables of the results computed, named ``<result>[.<variable>][.<part>]`` (e.g.
        ``composite.normalized``, ``coupling``, ``theil.inn``, ``geodetector.factor``); the Markov
        chains, which hold matrices, are not among them."""
        out: dict[str, pd.DataFrame] = {}
        for name in self:
            value = getattr(self, name)
            shown = _TABLE_NAMES.get(name, name)
            if name == "lq":
                out["lq"] = value
            elif name == "cv":
                out.update({f"cv.{variable}": frame for variable, frame in value.items()})
            elif name in _INDEX_TABLES:
                by_variable = value if isinstance(value, dict) else {"": value}
                for variable, result in by_variable.items():
                    stem = ".".join(p for p in (shown, str(variable)) if p)
                    for part, attribute in _INDEX_TABLES[name]:
                        frame = getattr(result, attribute)
                        if frame is not None:
                            out[".".join(p for p in (stem, part) if p)] = frame
        return out


def _computed(value: Any) -> bool:
    return value is not None and not (isinstance(value, dict) and not value)


@dataclass
class RunResults(_Fields):
    """Every step's results of one run (``RunContext.results``).

    ``weights`` maps each weights name to its libpysal ``Graph`` (in the panel's unit order),
    ``weights_built`` to its :class:`weights.BuiltWeights` (the kind, the island policy and the links
    it added, the transformation) and ``weights_info`` to that record as run.json keeps it; ``connectivity`` holds the components
    noted per matrix; ``rasters`` is the zonal statistics' result; ``indices``, ``esda`` and
    ``models`` the typed results of those steps (None when the step did not run)."""

    weights: dict[str, Any] = field(default_factory=dict)
    weights_built: dict[str, Any] = field(default_factory=dict)  # name -> weights.BuiltWeights
    weights_info: dict[str, dict] = field(default_factory=dict)
    connectivity: dict[str, Any] = field(default_factory=dict)
    rasters: Any = None
    indices: IndicesResults | None = None
    esda: EsdaResults | None = None
    models: ModelsResults | None = None

    def __getitem__(self, key: str) -> Any:
        """A field, or (read only) a result the models step used to store under its own key:
        ``models_robustness``, ``heterogeneity``, ``bayes`` and ``selection`` (the selection's table)."""
        if key in _MODELS_PARTS:
            part = getattr(self.models, _MODELS_PARTS[key], None) if self.models is not None else None
            if part is None:
                raise KeyError(f"{key!r}: not run")
            return part.table if key == "selection" else part
        return super().__getitem__(key)

    def __setitem__(self, key: str, value: Any) -> None:
        expected = _TYPES.get(key)
        if key not in _names(self):
            raise KeyError(f"{key!r}: not a step result; fields: {', '.join(_names(self))}")
        if expected is not None and value is not None and not isinstance(value, expected):
            raise TypeError(f"results[{key!r}] must be a {expected.__name__} (got {type(value).__name__})")
        setattr(self, key, value)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in _names(self) and _computed(getattr(self, key))

    def get(self, key: str, default: Any = None) -> Any:
        """The result ``key`` when the step stored one, else ``default``."""
        return getattr(self, key) if key in self else default


_MODELS_PARTS = {"models_robustness": "robustness", "heterogeneity": "heterogeneity", "bayes": "bayes",
                 "selection": "selection"}
_TYPES: dict[str, type] = {"weights": dict, "weights_built": dict, "weights_info": dict, "connectivity": dict, "indices": IndicesResults,
                           "esda": EsdaResults, "models": ModelsResults}
