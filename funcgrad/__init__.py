"""funcgrad: reverse-mode automatic differentiation for NumPy code.

Two faces over one engine:

* functional, JAX-style: ``funcgrad.grad(f)(x)``, ``value_and_grad``, ``vjp``,
  ``jacobian``, ``hessian``, ``jvp`` (forward mode), ``linearize``, composable to any order;
* a PyTorch-like facade: ``import funcgrad.torch as torch``.

>>> import funcgrad, numpy as np
>>> funcgrad.grad(lambda x: np.sum(np.tanh(x)))(np.zeros(2))
array([1., 1.])
"""
from . import numpy, tree_util
from .numpy._tracer import ConcretizationError, Tracer
from ._core import EscapedTracerError
from ._jit import jit, make_jaxpr
from .transforms import (
    checkpoint,
    custom_vjp,
    float0,
    grad,
    hessian,
    jacobian,
    jacrev,
    jacfwd,
    jvp,
    linearize,
    stop_gradient,
    value_and_grad,
    vjp,
)

from ._vmap import vmap

__version__ = "0.1.0"


def _public_submodules() -> frozenset:
    """The package's public submodules and subpackages, as they exist at
    import time (one directory listing: no module is imported)."""
    import os

    names = set()
    for entry in os.listdir(__path__[0]):
        name, ext = os.path.splitext(entry)
        if name.startswith("_") or not name.isidentifier():
            continue
        if ext == ".py" or (not ext and os.path.isfile(
                os.path.join(__path__[0], entry, "__init__.py"))):
            names.add(name)
    return frozenset(names)


_SUBMODULES = _public_submodules()


def __getattr__(name: str):  # PEP 562: ``funcgrad.viz`` etc. imported on first use
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list:
    return sorted(set(globals()) | _SUBMODULES)

__all__ = [
    "grad", "value_and_grad", "vjp", "jacobian", "jacrev", "jacfwd", "hessian", "jvp",
    "linearize", "stop_gradient", "custom_vjp", "vmap", "checkpoint", "float0", "tree_util", "numpy",
    "ConcretizationError", "EscapedTracerError", "Tracer", "jit", "make_jaxpr", "lax",
]

