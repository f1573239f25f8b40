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


#: Largest seed accepted anywhere (CLI, config, Python): 32-bit, as R, Stata and numpy's legacy
#: generator take, and small enough for every integer column and JSON reader that records it.
MAX_SEED = 2**32 - 1


def check_seed(seed: Any, name: str = "seed") -> int:
    """Return ``seed`` as an int if it is a whole number in 0..MAX_SEED.

    Raises
    ------
    SpatialPanelError
        Naming the option, the value given and the allowed range.

    Examples
    --------
    >>> check_seed(20240601)
    20240601
    >>> check_seed(2**64)
    Traceback (most recent call last):
    ...
    spatial.errors.SpatialPanelError: seed=18446744073709551616 is out of range; a seed is a whole number from 0 to 4294967295 (it is recorded in the results)
    """
    import numpy as np

    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= seed <= MAX_SEED:
        what = "is out of range" if isinstance(seed, int | np.integer) and not isinstance(seed, bool) else "is not a whole number"
        raise SpatialPanelError(
            f"{name}={seed!r} {what}; a seed is a whole number from 0 to {MAX_SEED} (it is recorded in the results)"
        )
    return int(seed)


def config_seed(seed: Any, key: str) -> int:
    """:func:`check_seed` for a config key: the same rule, raised as a ConfigError naming the key."""
    from spatial.errors import ConfigError

    try:
        return check_seed(seed, key)
    except SpatialPanelError as exc:
        raise ConfigError(str(exc).replace(f"{key}=", f"{key} = ", 1)) from None
