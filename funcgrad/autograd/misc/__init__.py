"""``autograd.misc``: ``flatten`` and ``optimizers``."""
from .flatten import flatten  # noqa: F401
from . import optimizers  # noqa: F401


def __getattr__(name):
    if name == "const_graph":
        from .._unsupported import internals_error
        raise internals_error("autograd.misc.const_graph (graph caching of its tracer)")
    raise AttributeError(f"module 'funcgrad.autograd.misc' has no attribute {name!r}")
