"""HIPS autograd's API over funcgrad: change ``autograd`` to ``funcgrad.autograd``.

Same module layout and names: ``funcgrad.autograd.numpy`` (with ``random``,
``linalg``, ``fft``), ``.scipy`` (``special``, ``stats``, ``linalg``, ``signal``,
``integrate``, ``misc``), ``.extend``, ``.misc`` (``flatten``, ``optimizers``),
``.builtins``, ``.test_util``, and the differential operators at the top level.
It is a thin layer: the transforms are funcgrad's. Autograd's internals
(``tracer``, ``core``, ``VSpace``, boxes) raise ImportError. See docs/from-autograd.md.

>>> import funcgrad.autograd.numpy as np
>>> from funcgrad.autograd import grad, elementwise_grad
>>> float(grad(np.tanh)(0.0))
1.0
>>> elementwise_grad(lambda x: x ** 2)(np.array([1.0, 2.0]))
array([2., 4.])
"""
from __future__ import annotations

from .builtins import dict, isinstance, list, tuple, type  # noqa: F401,A004
from .differential_operators import (  # noqa: F401
    checkpoint, deriv, elementwise_grad, grad, grad_and_aux, grad_named, hessian,
    hessian_tensor_product, hessian_vector_product, holomorphic_grad, jacobian, make_ggnvp,
    make_hvp, make_jvp, make_vjp, multigrad_dict, tensor_jacobian_product, value_and_grad,
    vector_jacobian_product)
from .extend import primitive  # noqa: F401

__all__ = ["grad", "elementwise_grad", "deriv", "jacobian", "holomorphic_grad", "grad_named",
           "hessian", "make_hvp", "hessian_tensor_product", "hessian_vector_product",
           "tensor_jacobian_product", "vector_jacobian_product", "make_ggnvp",
           "value_and_grad", "grad_and_aux", "multigrad_dict", "checkpoint", "make_vjp",
           "make_jvp", "primitive", "tuple", "list", "dict", "isinstance", "type"]
