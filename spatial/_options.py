"""One helper that validates every ``Literal`` option, so a wrong value always gets the same message."""

from __future__ import annotations

from typing import Any, get_args

from spatial.errors import SpatialPanelError


def check_option(name: str, value: Any, allowed: Any) -> Any:
    """Return ``value`` if it is one of the values of the ``Literal`` type ``allowed``.

    Raises
    ------
    SpatialPanelError
        Naming the option, the value given and the allowed values.

    Examples
    --------
    >>> from typing import Literal
    >>> check_option("balance", "error", Literal["error", "drop_units"])
    'error'
    >>> check_option("balance", "pad", Literal["error", "drop_units"])
    Traceback (most recent call last):
    ...
    spatial.errors.SpatialPanelError: balance='pad' is not allowed; choose one of 'error', 'drop_units'
    """
    choices = get_args(allowed) or tuple(allowed)
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise SpatialPanelError(f"{name}={value!r} is not allowed; choose one of {listed}")
    return value
