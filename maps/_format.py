"""Numbers formatted in Python (never by JavaScript ``localize``), the same on maps and in tables."""

from __future__ import annotations

import math


def format_number(value: object, fmt: str | None = None, *, missing: str = "") -> str:
    """A number as short, readable text: about 4 significant digits, thousands separators.

    ``fmt`` is a format spec (``",.2f"``) that overrides the automatic choice. Missing and
    infinite values give ``missing``.

    Examples
    --------
    >>> format_number(57123.4), format_number(0.034512), format_number(7.2), format_number(-3.0)
    ('57,123', '0.03451', '7.2', '-3')
    >>> format_number(1.5e-7), format_number(float("nan"), missing="n/a")
    ('1.5e-07', 'n/a')
    """
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return missing
    if fmt:
        return format(number, fmt)
    size = abs(number)
    if size != 0 and (size >= 1e9 or size < 1e-4):
        return f"{number:.3g}"
    digits = 0 if size == 0 else max(0, 3 - math.floor(math.log10(size)))
    text = f"{number:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_p(value: object) -> str:
    """A p-value as text: three decimals, ``<0.001`` below that.

    Examples
    --------
    >>> format_p(0.0312), format_p(0.00001)
    ('0.031', '<0.001')
    """
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return ""
    return "<0.001" if number < 0.001 else f"{number:.3f}"


def p_phrase(value: object) -> str:
    """``p = 0.031`` or ``p < 0.001``.

    Examples
    --------
    >>> p_phrase(0.0312), p_phrase(0.00001)
    ('p = 0.031', 'p < 0.001')
    """
    text = format_p(value)
    return f"p < {text[1:]}" if text.startswith("<") else f"p = {text}"
