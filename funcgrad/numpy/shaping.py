"""Shape manipulation and the broadcasting helpers the engine relies on."""
from __future__ import annotations

from typing import Any

import numpy as np

from ._registry import primitive, register

F = "shaping"


def _reshape_impl(x, shape, order="C"):
    return np.reshape(x, shape, order=order)


_reshape = primitive("reshape", _reshape_impl,
                     lambda g, ans, x, shape, order="C": _reshape(g, x.shape, order=order),
                     family=F, saves_values=False, register_as="_reshape_prim")


def reshape(a: Any, shape: Any = None, order: str = "C", **kwargs: Any) -> Any:
    """Differentiable ``numpy.reshape``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.reshape(np.arange(6.0), (2, 3)).shape
    (2, 3)
    """
    if shape is None:
        shape = kwargs.pop("newshape")
    return _reshape(a, tuple(shape) if isinstance(shape, (list, tuple)) else shape, order=order)


register("reshape", reshape, F)

broadcast_to = primitive("broadcast_to", lambda x, shape: np.broadcast_to(x, shape),
                         lambda g, ans, x, shape: g, family=F, saves_values=False)


def _transpose_impl(x, axes=None):
    return np.transpose(x, axes)


def _transpose_rule(g, ans, x, axes=None):
    if axes is None:
        return _transpose(g)
    return _transpose(g, tuple(np.argsort([a % len(x.shape) for a in axes])))


_transpose = primitive("transpose", _transpose_impl, _transpose_rule, family=F,
                       saves_values=False, register_as="_transpose_prim")


def transpose(a: Any, axes: Any = None) -> Any:
    """Differentiable ``numpy.transpose``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.transpose(np.zeros((2, 3))).shape
    (3, 2)
    """
    return _transpose(a, tuple(axes) if axes is not None else None)


register("transpose", transpose, F)

swapaxes = primitive("swapaxes", np.swapaxes,
                     lambda g, ans, x, axis1, axis2: swapaxes(g, axis1, axis2),
                     family=F, saves_values=False)


def expand_reduced(g: Any, ndim: int, axis: Any, keepdims: bool) -> Any:
    """Re-insert the axes a reduction removed, so ``g`` broadcasts against its input."""
    if keepdims or axis is None and ndim == 0:
        return g
    if axis is None:
        return _reshape(g, (1,) * ndim)
    axes = (axis,) if isinstance(axis, int) else axis
    axes = sorted(a % ndim for a in axes)
    shape = list(np.shape(g) if not hasattr(g, "shape") else g.shape)
    for a in axes:
        shape.insert(a, 1)
    return _reshape(g, tuple(shape))


def unbroadcast(ct: Any, shape: tuple) -> Any:
    """Sum ``ct`` over the axes broadcasting added or stretched, to ``shape``."""
    from .reductions import sum as _sum
    extra = len(ct.shape) - len(shape)
    if extra > 0:
        ct = _sum(ct, axis=tuple(range(extra)))
    axes = tuple(i for i, (s, c) in enumerate(zip(shape, ct.shape)) if s == 1 and c != 1)
    if axes:
        ct = _sum(ct, axis=axes, keepdims=True)
    if tuple(ct.shape) != tuple(shape):
        ct = broadcast_to(ct, shape)
    return ct


def _split_along(g: Any, sizes: list, axis: int) -> list:
    from .indexing import getitem
    parts, start = [], 0
    ndim = len(g.shape)
    for n in sizes:
        index = [slice(None)] * ndim
        index[axis % ndim] = slice(start, start + n)
        parts.append(getitem(g, tuple(index)))
        start += n
    return parts


def _concatenate_rule(g, ans, *xs, axis=0):
    if axis is None:
        return [reshape(p, x.shape) for p, x in zip(_split_along(g, [int(np.prod(x.shape)) for x in xs], 0), xs)]
    return _split_along(g, [x.shape[axis] for x in xs], axis)


def _stack_rule(g, ans, *xs, axis=0):
    from .indexing import getitem
    ndim = len(g.shape)
    ax = axis % ndim
    return [getitem(g, (slice(None),) * ax + (i,)) for i in range(len(xs))]


from ._registry import joint_primitive  # noqa: E402

_concatenate = joint_primitive("concatenate", lambda *xs, axis=0: np.concatenate(xs, axis=axis),
                               _concatenate_rule, family=F, saves_values=False,
                               register_as="_concatenate_prim")
_stack = joint_primitive("stack", lambda *xs, axis=0: np.stack(xs, axis=axis), _stack_rule,
                         family=F, saves_values=False, register_as="_stack_prim")


def concatenate(arrays: Any, axis: Any = 0, out: None = None, **kwargs: Any) -> Any:
    """Differentiable ``numpy.concatenate``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.concatenate([np.ones(2), np.zeros(3)]).shape
    (5,)
    """
    return _concatenate(*arrays, axis=axis)


def stack(arrays: Any, axis: int = 0, out: None = None, **kwargs: Any) -> Any:
    """Differentiable ``numpy.stack``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.stack([np.ones(2), np.zeros(2)], axis=1).shape
    (2, 2)
    """
    return _stack(*arrays, axis=axis)


register("concatenate", concatenate, F)
register("stack", stack, F)
