"""Tools for testing gradients.

* :func:`check_grads`: derivatives (reverse and forward mode, to any order)
  against central finite differences in float64;
* ready-made properties (:mod:`funcgrad.testing.properties`):
  :func:`assert_vjp_jvp_consistent`, :func:`assert_vjp_linear`,
  :func:`assert_hessian_symmetric`, :func:`assert_functional_facade_agree`;
* :mod:`funcgrad.testing.strategies`: hypothesis strategies for
  differentiable inputs and random programs (needs ``hypothesis``);
* :mod:`funcgrad.testing.profiles`: the ``ci`` / ``dev`` / ``thorough``
  hypothesis profiles, chosen by ``FUNCGRAD_PROFILE``.

>>> import numpy as np
>>> from funcgrad.testing import check_grads
>>> check_grads(lambda x: np.sum(x ** 3), (np.array([1.0, -2.0]),), order=3)
"""
from ._check import check_grads
from .properties import (
    assert_functional_facade_agree,
    assert_hessian_symmetric,
    assert_vjp_jvp_consistent,
    assert_vjp_linear,
)

__all__ = ["check_grads", "assert_vjp_jvp_consistent", "assert_vjp_linear",
           "assert_hessian_symmetric", "assert_functional_facade_agree"]
