"""``autograd.misc``: ``flatten`` and ``optimizers``."""
from .flatten import flatten  # noqa: F401
from . import optimizers  # noqa: F401
