"""Escaping of every user-derived string before it reaches folium, an HTML page or a figure.

folium puts tooltip and popup text raw into JavaScript template literals and ``innerHTML``,
so HTML escaping alone is not enough: backslashes, backticks and ``$`` (which opens ``${...}``)
are entity-encoded as well (see shared/RELIABILITY.md, F1/F2). ``{`` and ``}`` are entities too,
so that no template engine that might parse the page again sees ``{{ ... }}`` or ``{% ... %}``
in user text (our pages render folium's templates once, see :mod:`maps._literal`; this is the
second wall).

Static figures (matplotlib) parse text between two ``$`` as mathtext: :func:`figure_text`
escapes every ``$`` so that user text is drawn literally.
"""

from __future__ import annotations

import html

_EXTRA = str.maketrans({"\\": "&#92;", "`": "&#96;", "$": "&#36;", "{": "&#123;", "}": "&#125;"})


def safe_text(value: object) -> str:
    """Text that is inert in HTML, in attributes, inside a JavaScript template literal and to a
    template engine.

    Examples
    --------
    >>> safe_text("</script><script>alert(1)</script>")
    '&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;'
    >>> safe_text("${x} `y` \\\\x3c")
    '&#36;&#123;x&#125; &#96;y&#96; &#92;x3c'
    >>> safe_text("{{7*7}}")
    '&#123;&#123;7*7&#125;&#125;'
    """
    return html.escape(str(value), quote=True).translate(_EXTRA)


def figure_text(value: object) -> str:
    """Text that matplotlib draws literally: every ``$`` escaped, so no mathtext is parsed.

    Examples
    --------
    >>> figure_text("cost $x^2$ in $")
    'cost \\\\$x^2\\\\$ in \\\\$'
    """
    return str(value).replace("$", "\\$")


_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027",
                              "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(data: object) -> str:
    """``data`` as a JavaScript literal that is safe inside ``<script>``: JSON with ``<``, ``>``,
    ``&``, ``'`` and the line separators as ``\\uXXXX`` escapes (what Jinja's ``tojson`` writes), so
    no ``</script>`` or ``<!--`` can end or change the script. Texts in ``data`` stay data; user text
    in it is escaped with :func:`safe_text` first, as everywhere.

    Examples
    --------
    >>> script_json({"name": "</script><b>"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    import json

    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).translate(_SCRIPT_SAFE)
