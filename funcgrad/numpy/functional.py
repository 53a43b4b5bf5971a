"""NumPy functions that take functions (``apply_along_axis``,
``apply_over_axes``, ``piecewise``), and ``trim_zeros``.

They are differentiable whenever the functions passed in are: funcgrad
records what those functions do, like any other code. Each is registered
only if no rule family provides it already.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .._core import Box, concrete as _concrete
from ._registry import namespace as _fnp
from ._registry import ALIASES, REGISTRY, register, shape_of

F = "functional"


def apply_along_axis(func1d: Callable[..., Any], axis: int, arr: Any, *args: Any,
                     **kwargs: Any) -> Any:
    """Differentiable ``numpy.apply_along_axis``: ``func1d`` applied to every
    1-d slice along ``axis``; its result's dimensions replace ``axis``.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> x = np.arange(6.0).reshape(2, 3)
    >>> fnp.apply_along_axis(lambda r: r[::-1] * r[0], 1, x)
    array([[ 0.,  0.,  0.],
           [15., 12.,  9.]])
    >>> funcgrad.grad(lambda x: fnp.apply_along_axis(np.max, 0, x).sum())(x)
    array([[0., 0., 0.],
           [1., 1., 1.]])
    """
    fnp = _fnp()
    shape = tuple(shape_of(arr))
    nd = len(shape)
    if nd == 0:
        raise ValueError("apply_along_axis: the input must have at least one dimension")
    ax = axis % nd if -nd <= axis < nd else None
    if ax is None:
        raise np.exceptions.AxisError(axis, nd)
    moved = fnp.moveaxis(arr, ax, -1) if ax != nd - 1 else arr
    outer = shape[:ax] + shape[ax + 1:]
    if any(s == 0 for s in outer):
        raise ValueError("Cannot apply_along_axis when any iteration dimensions are 0")
    results = [func1d(moved[ind], *args, **kwargs) for ind in np.ndindex(*outer)]
    res_shape = tuple(shape_of(results[0]))
    out = fnp.reshape(fnp.stack(results), outer + res_shape)
    n_outer, n_res = len(outer), len(res_shape)
    perm = (tuple(range(ax)) + tuple(range(n_outer, n_outer + n_res))
            + tuple(range(ax, n_outer)))
    return fnp.transpose(out, perm) if perm != tuple(range(n_outer + n_res)) else out


def apply_over_axes(func: Callable[..., Any], a: Any, axes: Any) -> Any:
    """Differentiable ``numpy.apply_over_axes``: ``func(a, axis)`` for each
    axis in turn, keeping the reduced axes with length 1.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.apply_over_axes(fnp.sum, np.arange(6.0).reshape(2, 3), [0, 1])
    array([[15.]])
    """
    fnp = _fnp()
    val = a
    nd = len(shape_of(a))
    for axis in np.atleast_1d(np.asarray(axes)).tolist():
        axis = axis + nd if axis < 0 else axis
        res = func(val, axis)
        if len(shape_of(res)) != len(shape_of(val)):
            res = fnp.expand_dims(res, axis)
            if len(shape_of(res)) != len(shape_of(val)):
                raise ValueError("function is not returning an array of the correct shape")
        val = res
    return val


def piecewise(x: Any, condlist: Any, funclist: Sequence[Any], *args: Any, **kw: Any) -> Any:
    """Differentiable ``numpy.piecewise``: where ``condlist[k]`` holds,
    ``funclist[k]`` (a function of the selected elements, or a constant);
    one extra function is the default; 0 elsewhere. Later conditions win
    where several hold, as in NumPy. The conditions are constants.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> x = np.array([-2.0, 0.5, 3.0])
    >>> f = lambda x: fnp.piecewise(x, [x < 0, x > 1], [lambda t: -t, lambda t: t ** 2, 1.0])
    >>> f(x)
    array([2., 1., 9.])
    >>> funcgrad.grad(lambda x: f(x).sum())(x)
    array([-1.,  0.,  6.])
    """
    fnp = _fnp()
    xv = np.asarray(_concrete(x))
    n2 = len(funclist)
    if np.isscalar(condlist) or (not isinstance(condlist[0], (list, np.ndarray))
                                 and xv.ndim != 0):
        condlist = [condlist]
    conds = np.asarray([np.asarray(_concrete(c)) for c in condlist], dtype=bool)
    n = len(conds)
    if n == n2 - 1:
        conds = np.concatenate([conds, ~np.any(conds, axis=0, keepdims=True)], axis=0)
        n += 1
    elif n != n2:
        raise ValueError(f"with {n} condition(s), either {n} or {n + 1} functions are expected")
    y = np.zeros(xv.shape, xv.dtype)
    for cond, func in zip(conds, funclist):
        if not callable(func):
            y = _at(y, cond, func)
        else:
            vals = x[cond]
            if vals.size > 0:
                y = _at(y, cond, func(vals, *args, **kw))
    return y


def _at(y: Any, cond: np.ndarray, values: Any) -> Any:
    from .indexing import at
    return at(y)[cond].set(values)


def trim_zeros(filt: Any, trim: str = "fb", axis: Any = None) -> Any:
    """Differentiable ``numpy.trim_zeros``: ``filt`` without its leading
    and/or trailing zeros (along ``axis``, all axes by default). Where the
    zeros are is a constant; the kept values carry their gradients.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.trim_zeros(np.array([0.0, 1.5, 0.0, 2.0, 0.0]))
    array([1.5, 0. , 2. ])
    """
    from .indexing import getitem
    v = np.asarray(_concrete(filt))
    trim = trim.lower()
    if trim not in {"fb", "bf", "f", "b"}:
        raise ValueError(f"unexpected character(s) in `trim`: {trim!r}")
    nd = v.ndim
    if axis is None:
        axes = tuple(range(nd))
    else:
        axes = tuple(a % nd for a in (axis if isinstance(axis, (tuple, list)) else (axis,)))
    if not axes:
        return filt
    nz = np.argwhere(v != 0)
    if nz.size == 0:
        start = stop = [0] * nd
    else:
        start = nz.min(axis=0).tolist() if "f" in trim else [None] * nd
        stop = (nz.max(axis=0) + 1).tolist() if "b" in trim else [None] * nd
    index = tuple(slice(start[d], stop[d]) if d in axes else slice(None) for d in range(nd))
    if not isinstance(filt, Box) and not isinstance(filt, np.ndarray):
        return filt[index[0]] if nd == 1 else np.asarray(filt)[index]
    return getitem(filt, index)


for _name, _fn, _notes in [
        ("apply_along_axis", apply_along_axis,
         "Differentiable when func1d is; one call per 1-d slice."),
        ("apply_over_axes", apply_over_axes, "Differentiable when func is."),
        ("piecewise", piecewise, "Conditions are constants; differentiable when the "
                                 "functions are (constant pieces have zero gradient)."),
        ("trim_zeros", trim_zeros, "The trimmed region is a constant; kept values carry their "
                                   "gradients. N-d arrays and axis= as in NumPy 2.2, on every "
                                   "NumPy.")]:
    if _name not in REGISTRY and _name not in ALIASES:
        register(_name, _fn, F, notes=_notes)


# --- batching rules (vmap) ------------------------------------------------
from . import _batching as _B  # noqa: E402

_B.loop_functions(globals(), "piecewise", "trim_zeros")  # (conditions decide per example)
