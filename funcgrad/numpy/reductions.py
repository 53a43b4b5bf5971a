"""Reductions (sum, mean, ...) and their VJP rules."""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ._registry import primitive, register
from .shaping import broadcast_to, expand_reduced

F = "reductions"


def _norm_axis(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, list) else axis


def _sum_rule(g, ans, x, axis=None, keepdims=False, dtype=None):
    return broadcast_to(expand_reduced(g, len(x.shape), axis, keepdims), x.shape)


_sum = primitive("sum", lambda x, axis=None, keepdims=False, dtype=None:
                 np.sum(x, axis=axis, keepdims=keepdims, dtype=dtype),
                 _sum_rule, family=F, saves_values=False, register_as="_sum_prim")


def sum(a: Any, axis: Any = None, dtype: Any = None, out: None = None, keepdims: bool = False,
        **kwargs: Any) -> Any:
    """Differentiable ``numpy.sum``.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda x: fnp.sum(x * x))(np.array([1.0, 2.0]))
    array([2., 4.])
    """
    _no_out(out, "sum")
    return _sum(a, axis=_norm_axis(axis), keepdims=keepdims, dtype=dtype)


def mean(a: Any, axis: Any = None, dtype: Any = None, out: None = None, keepdims: bool = False,
         **kwargs: Any) -> Any:
    """Differentiable ``numpy.mean``.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(fnp.mean)(np.array([1.0, 2.0, 3.0, 5.0]))
    array([0.25, 0.25, 0.25, 0.25])
    """
    _no_out(out, "mean")
    axis = _norm_axis(axis)
    shape = np.shape(a) if not hasattr(a, "shape") else a.shape
    total = sum(a, axis=axis, dtype=dtype, keepdims=keepdims)
    count = _count(shape, axis)
    return total / count if count else total * np.nan


def _count(shape: tuple, axis: Any) -> int:
    if axis is None:
        return int(np.prod(shape, dtype=np.int64))
    axes = (axis,) if isinstance(axis, int) else axis
    return int(np.prod([shape[a] for a in axes], dtype=np.int64))


def _no_out(out: Optional[Any], name: str) -> None:
    if out is not None:
        raise TypeError(f"funcgrad.numpy.{name} does not support out=: write the result to a new array")


register("sum", sum, F)
register("mean", mean, F)
