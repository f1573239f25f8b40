"""Direct, indirect and total effects: moved to :mod:`spatial.models.effects`.

``spatial.effects`` stays importable: its public names are those of the new module, and any
other name (private helpers included) is looked up there.

Examples
--------
>>> import spatial.effects, spatial.models.effects
>>> spatial.effects.lag_effects is spatial.models.effects.lag_effects
True
"""

from spatial.models import effects as _effects
from spatial.models.effects import *  # noqa: F403
from spatial.models.effects import __all__  # noqa: F401


def __getattr__(name: str):
    return getattr(_effects, name)
