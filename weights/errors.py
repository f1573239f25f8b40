"""Errors and warnings of the weights package (it imports nothing of ours, so it owns them)."""

from __future__ import annotations

import re

# A message that suggests an option carries a hint token, ⟦weights.keyword⟧ or ⟦weights.keyword=value⟧.
# ``str()`` spells it as the Python keyword; ``spatial`` (which declares every option's flag and
# config key) renders the raw message, ``args[0]``, as the flag of the command or the config key.
_TOKEN = re.compile(r"\u27e6weights\.([a-z_][a-z0-9_]*)(?:=([^\u27e6\u27e7]*))?\u27e7")


def hint(keyword: str, value: object = None) -> str:
    """The token of a message that suggests ``keyword`` (with ``value``)."""
    return f"\u27e6weights.{keyword}\u27e7" if value is None else f"\u27e6weights.{keyword}={value}\u27e7"


def _keyword(match: re.Match) -> str:
    keyword, value = match.group(1), match.group(2)
    if value is None:
        return f"{keyword}="
    shown = value if value in ("True", "False") or value.lstrip("-").replace(".", "", 1).isdigit() else repr(value)
    return f"{keyword}={shown}"


class _Hinted:
    def __str__(self) -> str:
        return _TOKEN.sub(_keyword, super().__str__())


class WeightsError(_Hinted, ValueError):
    """Invalid weights: bad entries, wrong shape, mismatched ids, unusable thresholds."""


class IslandWarning(_Hinted, UserWarning):
    """Units without neighbours, or a graph split into several components."""
