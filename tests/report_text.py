"""The visible text of a report page, by kind of element, for tests that read it as a person would."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Words a Chinese report may show in Latin letters: statistics, models, tests, proper names, units.
ALLOWED = {
    "AIC", "BIC", "OLS", "SAR", "SEM", "SDM", "SDEM", "SAC", "SLX", "LISA", "Moran", "Geary", "Getis", "Ord", "Gi",
    "Wald", "Hausman", "Mundlak", "Lee", "Yu", "LM", "LR", "Robust", "lag", "error", "ML", "DEA", "SBM", "Theil",
    "Gini", "Dagum", "Markov", "CV", "TOPSIS", "CRITIC", "Fisher", "Jenks", "km", "SHA", "LeSage", "QUADPACK",
    "Gauss", "Kronrod", "qags", "Chebyshev", "V_FE", "V_RE", "Leaflet", "BSD", "Clause", "spatial", "https", "leafletjs", "com", "via",
    "django", "js", "lib", "leaflet", "OpenStreetMap", "log", "exp", "I", "p", "z", "q", "N", "W", "R", "D", "C",
    "T", "U_i",
}
# Our internal names: never shown to a reader of a Chinese report.
INTERNAL = {
    "name", "links", "role", "variable", "count", "total_received", "total_emitted", "normalized", "composite",
    "index", "period", "mean", "std", "min", "max", "warning", "section", "seed", "package", "version", "key",
    "value", "dataset", "file", "reason", "what", "islands", "components", "transform", "indicator", "direction",
    "entropy", "redundancy", "weight", "level", "grade_zh", "grade_en", "stage_zh", "stage_en", "relative",
    "lagging", "formula", "group", "model", "statistic", "p_value", "decision", "density", "neighbours",
    "indices", "cv", "scope", "prior", "posterior", "marginal", "mi", "rank", "score", "coupling",
    "moran_i", "geary_c", "getis_ord_g", "group_a", "group_b", "difference", "permutations", "pairwise",
    "permutation_p", "sigma2", "Direct", "Indirect", "Total", "effect", "likelihood", "Yes",
}


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.skip = 0
        self.texts: list[tuple[str, str]] = []  # (enclosing tag, text)

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "details"):
            self.skip += 1
        if tag not in ("br", "img", "meta", "link", "input", "hr", "col"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "details"):
            self.skip -= 1
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.texts.append((self.stack[-1] if self.stack else "", data.strip()))


def visible_texts(html: str) -> list[tuple[str, str]]:
    """(tag, text) of every visible text node (scripts, styles and collapsed details left out)."""
    parser = _Visible()
    parser.feed(html)
    return parser.texts


def latin_words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z][A-Za-z_]*", text)
