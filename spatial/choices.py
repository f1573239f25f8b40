"""The allowed values of every option that is a choice, declared once as ``Literal`` types.

The numerical modules annotate their keywords with these types and validate with
:func:`spatial._options.check_option`; :mod:`spatial.operations` builds the command-line choices
and the config keys' allowed values from the same types. This module imports nothing, so the
command line can build its options without loading numpy.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["Statistic", "Transform", "Adjust", "Errors", "Moments", "Scale", "Language"]

# esda
Statistic = Literal["moran", "geary", "getis_ord"]
Transform = Literal["r", "b", "as_given"]
Adjust = Literal["none", "fdr", "bonferroni"]
Errors = Literal["raise", "record"]
Moments = Literal["conditional", "total"]
Scale = Literal["n", "n-1"]
Language = Literal["en", "zh"]
