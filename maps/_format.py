"""Numbers formatted in Python (never by JavaScript ``localize``), the same on maps and in tables."""

from __future__ import annotations

import math

import numpy as np


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
    return format_numbers([number], fmt, missing=missing)[0]


def format_numbers(values, fmt: str | None = None, *, missing: str = "") -> list[str]:
    """Many numbers as :func:`format_number` writes each (the one implementation), without its
    per-value cost: the digits are chosen for all values at once (a map of 50,000 units over 10
    periods formats half a million values).

    Examples
    --------
    >>> format_numbers([57123.4, 0.034512, float("inf"), 0.0, -0.0001, 2e9], missing="n/a")
    ['57,123', '0.03451', 'n/a', '0', '-0.0001', '2e+09']
    """
    numbers = np.asarray(values, dtype=float).ravel()
    out = np.full(len(numbers), missing, dtype=object)
    finite = np.isfinite(numbers)
    if fmt:
        out[finite] = [format(x, fmt) for x in numbers[finite].tolist()]
        return out.tolist()
    size = np.abs(numbers)
    short = finite & (size != 0) & ((size >= 1e9) | (size < 1e-4))
    out[short] = [f"{x:.3g}" for x in numbers[short].tolist()]
    plain = finite & ~short
    with np.errstate(divide="ignore"):
        digits = np.where(size[plain] == 0, 0, np.maximum(0, 3 - np.floor(np.log10(size[plain])))).astype(int)
    texts = []
    for x, d in zip(numbers[plain].tolist(), digits.tolist(), strict=True):
        text = f"{x:,.{d}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        texts.append("0" if text in ("-0", "") else text)
    out[plain] = texts
    return out.tolist()


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
