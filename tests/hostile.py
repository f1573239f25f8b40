"""The one corpus of hostile strings, and how to tell that a page or figure showed them as text.

Every surface that turns user text into a page or figure (``spatial map`` of each kind,
``spatial report``/``run``, ``fit --table x.html``, static SVG figures, the Python API) is driven
with these strings in ``tests/test_hostile.py`` and in the browser tests of ``tests/maps``.
A string counts as *shown as text* when the decoded page (JSON ``\\uXXXX`` escapes, then HTML
entities) or the text matplotlib draws contains it unchanged; it counts as *evaluated* when a
template engine's result appears instead (``Q49Q`` for ``Q{{7*7}}Q``, ``L0L1L2`` for the loop) or
the environment marker of the ``lipsum`` payload is set.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
from collections.abc import Iterator

# The first four are the payloads the map tests have always used (tests/maps/conftest.py).
PAYLOADS: tuple[str, ...] = (
    "</script><script>document.title='x'</script>",
    "<img src=x onerror=document.title='y'>",
    "${document.title='z'}",
    "`backtick` \\x3cimg src=x onerror=alert(1)\\x3e",
    "Q{{7*7}}Q",
    "{% for i in range(3) %}L{{ i }}{% endfor %}",
    "{{ lipsum.__globals__.os.environ.setdefault('SPATIAL_HOSTILE_EVALUATED', 'yes') }}",
    "{{ lipsum.__globals__['os'].popen('echo PWNED').read() }}",
    "\\x3cscript\\x3edocument.title='hex'\\x3c/script\\x3e",
    "line\u2028sep\u2029para",
    "\" onmouseover=\"document.title='attr'\" x=\"",
    "' autofocus onfocus='document.title=`attr2`' '",
    "javascript:document.title='js'",
    "$x^2$ \\$ $\\frac{a}{b}$",
)

# What an evaluation by Jinja (or by a shell it reached) would leave in the output.
EVALUATED: tuple[str, ...] = ("Q49Q", "L0L1L2", "PWNED\n", "PWNED\\n")
ENV_MARKER = "SPATIAL_HOSTILE_EVALUATED"

# Raw forms that must never appear in page source: each would run or break code.
RAW: tuple[str, ...] = ("<script>document.title", "<img src=x", "${document", "`backtick`", "\\x3cimg", "\\u003cimg",
                        "{{", "{%", "onmouseover=\"", "onfocus='")

JOINED = " | ".join(PAYLOADS)


def short(i: int) -> str:
    """A payload made usable where a name must be short and free of commas and spaces
    (command-line column lists, formula terms): its index and its first characters without blanks."""
    core = re.sub(r"[\s,()]", "", PAYLOADS[i])[:24]
    return f"p{i}{core}"


def decoded(page: str) -> str:
    """The text a reader would get back from a page: JSON ``\\uXXXX`` escapes, then HTML entities."""
    unjson = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)
    return html.unescape(unjson)


def assert_page_shows(page: str, texts: tuple[str, ...] | list[str] = PAYLOADS) -> int:
    """Each text is in the decoded page, no evaluation result is, and no raw payload is in the source.

    Returns the number of texts checked (for the payload x surface count).
    """
    shown = decoded(page)
    for text in texts:
        assert text in shown, f"not shown as text: {text!r}"
    assert_not_evaluated(page)
    for raw in RAW:
        assert raw not in page, f"raw in the page source: {raw!r}"
    return len(texts)


def assert_not_evaluated(text: str) -> None:
    """No result of a template evaluation in ``text``, and the environment marker is unset."""
    for result in EVALUATED:
        assert result not in text, f"evaluated: {result!r}"
    shown = decoded(text)
    for result in EVALUATED:
        assert result not in shown, f"evaluated: {result!r}"
    assert ENV_MARKER not in os.environ, "a template evaluated the lipsum payload"


def drawn_texts(fig) -> list[str]:
    """The strings matplotlib draws for every text artist of ``fig`` (after mathtext preprocessing);
    a text that would be parsed as mathtext is returned as ``"<mathtext>" + text``."""
    from matplotlib.text import Text

    fig.draw_without_rendering()
    out = []
    for artist in fig.findobj(Text):
        text, math = artist._preprocess_math(artist.get_text())
        out.append(f"<mathtext>{text}" if math else text)
    return out


def assert_figure_shows(texts_drawn: list[str], texts: tuple[str, ...] | list[str]) -> int:
    """Each text is drawn literally (never as mathtext) by some artist; no evaluation result drawn."""
    joined = "\n".join(texts_drawn)
    assert "<mathtext>" not in joined, [t for t in texts_drawn if t.startswith("<mathtext>")]
    for text in texts:
        assert text in joined, f"not drawn as text: {text!r}"
    assert_not_evaluated(joined)
    return len(texts)


@contextlib.contextmanager
def recorded_figures() -> Iterator[list[list[str]]]:
    """Record what every matplotlib figure saved inside the block draws (one list per savefig)."""
    from matplotlib.figure import Figure

    original = Figure.savefig
    saved: list[list[str]] = []

    def savefig(self, *args, **kwargs):
        saved.append(drawn_texts(self))
        return original(self, *args, **kwargs)

    Figure.savefig = savefig
    try:
        yield saved
    finally:
        Figure.savefig = original
