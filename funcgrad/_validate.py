"""Argument checks shared by the functional transforms (one helper per kind).

Every transform (``grad``, ``vjp``, ``jacobian``, ``custom_vjp``, ...) checks
its function with :func:`check_callable` when it is *called*, so a mistake
fails at the line that made it, and the values it differentiates with
:func:`check_array_args` before anything is recorded.

>>> check_callable(3, "grad")
Traceback (most recent call last):
    ...
TypeError: grad: Expected a callable value, got 3
>>> check_array_args(("abc",), (0,), "grad")
Traceback (most recent call last):
    ...
TypeError: grad: argument 0 is not an array type: Argument 'abc' of type <class 'str'> is not a valid funcgrad type. Differentiable arguments are NumPy arrays, NumPy scalars, Python bool/int/float/complex, or pytrees (tuples, lists, dicts, None, registered nodes) of them.
"""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ._core import Box
from .tree_util import tree_flatten

ACCEPTED = ("NumPy arrays, NumPy scalars, Python bool/int/float/complex, or pytrees "
            "(tuples, lists, dicts, None, registered nodes) of them")

_SCALARS = (Box, np.ndarray, np.generic, bool, int, float, complex)


def check_callable(fun: Any, who: str) -> None:
    """``TypeError`` (JAX's phrase) unless ``fun`` is callable."""
    if not callable(fun):
        raise TypeError(f"{who}: Expected a callable value, got {fun!r}")


def is_array_leaf(x: Any) -> bool:
    """Whether a pytree leaf is a value funcgrad can differentiate or carry:
    an array, a scalar, a box, or any object with ``shape`` and ``dtype``."""
    return isinstance(x, _SCALARS) or (hasattr(x, "shape") and hasattr(x, "dtype"))


def check_array_args(args: tuple, positions: Iterable[int], who: str) -> None:
    """``TypeError`` naming the first argument among ``positions`` of
    ``args`` that has a leaf which is not an array type (a string, an
    object, a function, ...)."""
    for i in positions:
        leaves, _ = tree_flatten(args[i])
        for leaf in leaves:
            if not is_array_leaf(leaf):
                raise TypeError(
                    f"{who}: argument {i} is not an array type: Argument {leaf!r} of type "
                    f"{type(leaf)} is not a valid funcgrad type. Differentiable arguments "
                    f"are {ACCEPTED}.")
