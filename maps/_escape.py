"""Escaping of every user-derived string before it reaches folium or an HTML page.

folium puts tooltip and popup text raw into JavaScript template literals and ``innerHTML``,
so HTML escaping alone is not enough: backslashes, backticks and ``$`` (which opens ``${...}``)
are entity-encoded as well (see shared/RELIABILITY.md, F1/F2).
"""

from __future__ import annotations

import html

_EXTRA = str.maketrans({"\\": "&#92;", "`": "&#96;", "$": "&#36;"})


def safe_text(value: object) -> str:
    """Text that is inert in HTML, in attributes and inside a JavaScript template literal.

    Examples
    --------
    >>> safe_text("</script><script>alert(1)</script>")
    '&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;'
    >>> safe_text("${x} `y` \\\\x3c")
    '&#36;{x} &#96;y&#96; &#92;x3c'
    """
    return html.escape(str(value), quote=True).translate(_EXTRA)
