"""Classification of values into coloured classes (mapclassify), shared by web maps and figures.

Degenerate inputs never fail: all-missing values give no classes, a constant gives one class
labelled "constant value", and fewer distinct values than classes give fewer classes with a
note. Missing values get their own no-data colour, never the top class.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np

from maps.choices import Scheme
from maps._format import format_number
from maps._i18n import Lang, word
from maps.errors import MapError

__all__ = ["Scheme", "Classes", "classify", "check_choice", "palette", "NO_DATA_COLOR"]

NO_DATA_COLOR = "#d9d9d9"
# Fisher-Jenks is exact but quadratic (and slow without numba): above this many values it runs
# on this many evenly spaced order statistics of the data (deterministic, no random sample).
_JENKS_MAX = 300


def check_choice(name: str, value: Any, allowed: Any) -> Any:
    """Return ``value`` if it is one of the values of the ``Literal`` type ``allowed``.

    Raises
    ------
    MapError
        Naming the option, the value given and the allowed values.

    Examples
    --------
    >>> check_choice("scheme", "quantiles", Scheme)
    'quantiles'
    >>> check_choice("scheme", "jenks", Scheme)
    Traceback (most recent call last):
    ...
    maps.errors.MapError: scheme='jenks' is not allowed; choose one of 'quantiles', 'natural_breaks', 'equal_interval', 'std_mean', 'user_defined'
    """
    choices = get_args(allowed) or tuple(allowed)
    if value not in choices:
        raise MapError(f"{name}={value!r} is not allowed; choose one of {', '.join(repr(c) for c in choices)}")
    return value


def palette(cmap: str, k: int) -> tuple[str, ...]:
    """``k`` hex colours sampled from a matplotlib colormap (light to dark for sequential ones).

    Examples
    --------
    >>> palette("YlOrRd", 3)
    ('#ffe998', '#fd7435', '#970026')
    """
    import matplotlib
    from matplotlib.colors import to_hex

    try:
        colormap = matplotlib.colormaps[cmap]
    except KeyError:
        raise MapError(f"cmap={cmap!r} is not a matplotlib colormap (e.g. 'YlOrRd', 'Blues', 'RdBu_r')") from None
    if k <= 0:
        return ()
    positions = [0.6] if k == 1 else np.linspace(0.15, 0.95, k)
    return tuple(to_hex(colormap(float(p))) for p in positions)


@dataclass(frozen=True)
class Classes:
    """Class upper bounds and colours; :meth:`codes` puts values into classes (-1 = no data)."""

    scheme: str
    k_requested: int
    lower: float | None
    bins: tuple[float, ...]
    colors: tuple[str, ...]
    note: Literal["", "no_data", "constant", "fewer"] = ""

    @property
    def k(self) -> int:
        return len(self.bins)

    def codes(self, values: Any) -> np.ndarray:
        """Class index of each value; -1 for missing values."""
        values = np.asarray(values, dtype=float)
        out = np.full(values.shape, -1, dtype=int)
        if self.k == 0:
            return out
        ok = np.isfinite(values)
        out[ok] = np.minimum(np.searchsorted(np.asarray(self.bins), values[ok], side="left"), self.k - 1)
        return out

    def counts(self, values: Any) -> tuple[list[int], int]:
        """Units per class and the number without data."""
        codes = self.codes(values)
        return [int((codes == i).sum()) for i in range(self.k)], int((codes < 0).sum())

    def labels(self, fmt: str | None = None) -> list[str]:
        """Range text of each class (``lower – upper``)."""
        if self.k == 0:
            return []
        if self.note == "constant":
            return [format_number(self.bins[0], fmt)]
        edges = [self.lower, *self.bins]
        return [f"{format_number(edges[i], fmt)} – {format_number(edges[i + 1], fmt)}" for i in range(self.k)]

    def describe(self, lang: Lang = "en") -> str:
        """Scheme and class count as the legend states them."""
        if self.note == "no_data":
            return word("no_data", lang)
        if self.note == "constant":
            return word("constant", lang)
        text = word(self.scheme, lang) + ("，" if lang == "zh" else ", ")
        if self.note == "fewer":
            return text + word("fewer_classes", lang, k=self.k, requested=self.k_requested)
        return text + word("classes", lang, k=self.k)


def _jenks_sample(values: np.ndarray) -> np.ndarray:
    if values.size <= _JENKS_MAX:
        return values
    probabilities = np.linspace(0, 1, _JENKS_MAX)
    return np.quantile(values, probabilities, method="inverted_cdf")


def classify(
    values: Any,
    *,
    scheme: Scheme = "quantiles",
    k: int = 5,
    breaks: Any = None,
    cmap: str | None = None,
) -> Classes:
    """Classify ``values`` (missing and infinite values ignored) with a mapclassify scheme.

    Parameters
    ----------
    scheme
        ``"quantiles"``, ``"natural_breaks"`` (Fisher-Jenks, the exact optimum of Jenks' natural
        breaks), ``"equal_interval"``, ``"std_mean"`` (mean ± 1 and 2 standard deviations) or
        ``"user_defined"`` with ``breaks`` (increasing class upper bounds).
    k
        Number of classes requested (ignored by ``std_mean`` and ``user_defined``).
    cmap
        matplotlib colormap; default ``"YlOrRd"`` (``"RdBu_r"`` for ``std_mean``).

    Raises
    ------
    MapError
        For an unknown scheme, ``k < 1``, or ``user_defined`` without increasing ``breaks``.

    Examples
    --------
    >>> c = classify([1, 2, 3, 4, 5, 6, float("nan")], scheme="quantiles", k=3)
    >>> c.bins, c.counts([1, 2, 3, 4, 5, 6, float("nan")])
    ((2.666666666666667, 4.333333333333334, 6.0), ([2, 2, 2], 1))
    >>> classify([2, 2, 2]).describe()
    'constant value'
    """
    import mapclassify

    check_choice("scheme", scheme, Scheme)
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise MapError(f"k={k!r} must be a positive whole number of classes")
    cmap = cmap or ("RdBu_r" if scheme == "std_mean" else "YlOrRd")
    palette(cmap, 1)  # validates the name early
    y = np.asarray(values, dtype=float).ravel()
    y = y[np.isfinite(y)]
    if scheme == "user_defined":
        if breaks is None or len(breaks) == 0:
            raise MapError("scheme='user_defined' needs breaks=[...] (increasing class upper bounds)")
        upper = np.asarray(breaks, dtype=float)
        if not np.all(np.isfinite(upper)) or np.any(np.diff(upper) <= 0):
            raise MapError(f"breaks={list(breaks)!r} must be finite and strictly increasing")
    if y.size == 0:
        return Classes(scheme, int(k), None, (), (), "no_data")
    low, high = float(y.min()), float(y.max())
    if low == high:
        return Classes(scheme, int(k), low, (high,), palette(cmap, 1), "constant")
    k_eff = int(min(k, np.unique(y).size))  # never more classes than distinct values
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Numba not installed", "not enough unique values"
        if scheme == "quantiles":
            bins = mapclassify.Quantiles(y, k=k_eff).bins
        elif scheme == "natural_breaks":
            bins = mapclassify.FisherJenks(_jenks_sample(y), k=k_eff).bins
        elif scheme == "equal_interval":
            bins = mapclassify.EqualInterval(y, k=k_eff).bins
        elif scheme == "std_mean":
            bins = mapclassify.StdMean(y).bins
        else:
            bins = mapclassify.UserDefined(y, list(upper)).bins
    bins = np.unique(np.asarray(bins, dtype=float))
    bins = bins[bins >= low] if scheme == "std_mean" else bins  # bands below the minimum hold nobody
    bins = bins[: int(np.searchsorted(bins, high)) + 1]  # nor do bands above the maximum
    bins[-1] = high  # the top class ends at the maximum
    requested = int(len(bins)) if scheme in ("std_mean", "user_defined") else int(k)
    note = "fewer" if len(bins) < requested else ""
    return Classes(scheme, requested, low, tuple(float(b) for b in bins), palette(cmap, len(bins)), note)
