"""Telling NumPy's own values from other array types (Dask arrays).

Implementations keep their NumPy shortcuts (``np.add.reduce``, views made
by hand, ``np.asarray`` of a scalar) for NumPy's values, and give any other
array type to the NumPy function of the same name, which dispatches to that
type's namespace (NEP 13/18): a Dask array stays a lazy Dask array.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .._core import Box
from .._core.staging import Abstract

_ndarray = np.ndarray
_generic = np.generic


def is_foreign_array(x: Any) -> bool:
    """Whether ``x`` is an array of another library that implements NumPy's
    dispatch protocols (not an ndarray, a NumPy scalar, a Python number, a
    funcgrad box or a value staged by ``funcgrad.jit``).

    >>> import numpy as np
    >>> is_foreign_array(np.ones(2)), is_foreign_array(2.0)
    (False, False)
    """
    t = type(x)
    return (t is not _ndarray and hasattr(t, "__array_function__")
            and not issubclass(t, (_ndarray, _generic, Box, Abstract)))


def asarray(x: Any, dtype: Any = None) -> Any:
    """``numpy.asarray(x, dtype)``, except that another library's array stays
    of its own type (converting a Dask array would compute it).

    >>> import numpy as np
    >>> asarray([1.0, 2.0])
    array([1., 2.])
    """
    if is_foreign_array(x):
        return x if dtype is None or x.dtype == dtype else x.astype(dtype)
    return np.asarray(x, dtype)


def may_be_true(mask: Any) -> bool:
    """``mask.any()`` for NumPy values; ``True`` for another library's array,
    whose value is not computed for a shortcut: the caller then takes its
    general (branch-free) path.

    >>> import numpy as np
    >>> may_be_true(np.array([False, False]))
    False
    """
    return True if is_foreign_array(mask) else bool(np.any(mask))
