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
from .transforms import (
    checkpoint,
    custom_vjp,
    float0,
    grad,
    hessian,
    jacobian,
    jacrev,
    jvp,
    linearize,
    stop_gradient,
    value_and_grad,
    vjp,
)

__version__ = "0.1.0"

__all__ = [
    "grad", "value_and_grad", "vjp", "jacobian", "jacrev", "hessian", "jvp",
    "linearize", "stop_gradient", "custom_vjp", "checkpoint", "float0", "tree_util", "numpy",
    "ConcretizationError", "EscapedTracerError", "Tracer",
]
