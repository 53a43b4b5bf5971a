"""Joining, splitting and building arrays from pieces.

``concatenate`` and ``split`` are primitives (see :mod:`.shaping`), each the
other's VJP; the stacking and splitting variants are compositions of them
with reshapes. ``array``/``asarray`` of (nested) lists holding traced values
stack them into one traced array (never an object array). ``insert``,
``delete`` and ``resize`` run NumPy on integer labels of the elements and
gather with them, so they copy NumPy's semantics exactly and their gradients
accumulate repeated elements.
"""
from __future__ import annotations

import operator
from typing import Any, Optional

import numpy as np
from . import _compat
from ._compat import normalize_axis_index

from .._core.batching import all_values as _all_values
from .._core import Box, concrete as _concrete
from ._registry import namespace as _fnp
from ._registry import alias, dtype_of, register
from .shaping import (_concatenate, _holds_box, _ndim, _reshape, _shape, _split, as_array,
                      atleast_1d, atleast_2d, atleast_3d, broadcast_arrays, ravel)

F = "shaping"


# --- concatenate and stack ------------------------------------------------------
def concatenate(arrays: Any, axis: Optional[int] = 0, out: None = None, *, dtype: Any = None,
                casting: str = "same_kind") -> Any:
    """Differentiable ``numpy.concatenate`` (``axis=None`` joins the flattened
    arrays; negative axes count from the end).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.concatenate([np.ones(2), np.zeros(3)]).shape
    (5,)
    """
    if out is not None:
        raise TypeError("funcgrad.numpy.concatenate does not support out=: use the returned "
                        "value")
    arrays = [as_array(a) for a in arrays]
    if not arrays:
        raise ValueError("need at least one array to concatenate")
    if axis is None:
        arrays = [_reshape(a, (-1,)) for a in arrays]
        axis = 0
    if _ndim(arrays[0]) == 0:
        raise ValueError("zero-dimensional arrays cannot be concatenated")
    axis = normalize_axis_index(axis, _ndim(arrays[0]))
    return _concatenate(*arrays, axis=axis, dtype=dtype, casting=casting)


def stack(arrays: Any, axis: int = 0, out: None = None, *, dtype: Any = None,
          casting: str = "same_kind") -> Any:
    """Differentiable ``numpy.stack``: join equal-shaped arrays along a new axis.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.stack([np.ones(2), np.zeros(2)], axis=-1).shape
    (2, 2)
    """
    if out is not None:
        raise TypeError("funcgrad.numpy.stack does not support out=: use the returned value")
    arrays = [as_array(a) for a in arrays]
    if not arrays:
        raise ValueError("need at least one array to stack")
    shape = _shape(arrays[0])
    if any(_shape(a) != shape for a in arrays):
        raise ValueError("all input arrays must have the same shape")
    axis = normalize_axis_index(axis, len(shape) + 1)
    new = shape[:axis] + (1,) + shape[axis:]
    return _concatenate(*(_reshape(a, new) for a in arrays), axis=axis, dtype=dtype,
                        casting=casting)


def _each(fix: Any, tup: Any) -> list:
    return [fix(a) for a in tup]


def hstack(tup: Any, *, dtype: Any = None, casting: str = "same_kind") -> Any:
    """Differentiable ``numpy.hstack`` (axis 0 for 1-d inputs, else axis 1).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.hstack([np.ones(2), np.zeros(1)])
    array([1., 1., 0.])
    """
    arrs = _each(atleast_1d, tup)
    axis = 0 if arrs and _ndim(arrs[0]) == 1 else 1
    return concatenate(arrs, axis, dtype=dtype, casting=casting)


def vstack(tup: Any, *, dtype: Any = None, casting: str = "same_kind") -> Any:
    """Differentiable ``numpy.vstack``: rows joined after ``atleast_2d``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.vstack([np.ones(2), np.zeros(2)]).shape
    (2, 2)
    """
    return concatenate(_each(atleast_2d, tup), 0, dtype=dtype, casting=casting)


def dstack(tup: Any) -> Any:
    """Differentiable ``numpy.dstack``: joined along axis 2 after ``atleast_3d``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.dstack([np.ones(2), np.zeros(2)]).shape
    (1, 2, 2)
    """
    return concatenate(_each(atleast_3d, tup), 2)


def column_stack(tup: Any) -> Any:
    """Differentiable ``numpy.column_stack``: 1-d arrays become columns.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.column_stack([np.ones(2), np.zeros(2)]).shape
    (2, 2)
    """
    def fix(v):
        v = as_array(v)
        return _reshape(v, (-1, 1)) if _ndim(v) < 2 else v
    return concatenate(_each(fix, tup), 1)


def _block_depth(obj: Any, where: str = "arrays") -> tuple:
    """(list depth, largest leaf ndim) of ``numpy.block``'s nested lists."""
    if isinstance(obj, tuple):
        raise TypeError(f"{where} is a tuple. Only lists can be used to arrange blocks, "
                        "and np.block does not allow implicit conversion from tuple to "
                        "ndarray.")
    if not isinstance(obj, list):
        return 0, _ndim(as_array(obj))
    if not obj:
        raise ValueError(f"{where} is an empty list. Lists cannot be empty.")
    infos = [_block_depth(o, f"{where}[{i}]") for i, o in enumerate(obj)]
    depths = {d for d, _ in infos}
    if len(depths) != 1:
        raise ValueError("List depths are mismatched. First element was at depth "
                         f"{infos[0][0] + 1}, but there is an element at depth "
                         f"{max(depths - {infos[0][0]}) + 1}")
    return infos[0][0] + 1, max(n for _, n in infos)


def block(arrays: Any) -> Any:
    """Differentiable ``numpy.block``: assemble an array from nested lists of
    blocks (the innermost lists join along the last axis).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.block([[np.eye(2), np.zeros((2, 1))], [np.ones((1, 2)), 5.0]])
    array([[1., 0., 0.],
           [0., 1., 0.],
           [1., 1., 5.]])
    """
    depth, leaf_ndim = _block_depth(arrays)
    ndim = max(depth, leaf_ndim)

    def build(obj: Any, level: int) -> Any:
        if level == depth:
            a = as_array(obj)
            return a if _ndim(a) == ndim else _reshape(a, (1,) * (ndim - _ndim(a)) + _shape(a))
        parts = [build(o, level + 1) for o in obj]
        return parts[0] if len(parts) == 1 else _concatenate(*parts, axis=ndim - depth + level)

    return build(arrays, 0)


# --- splitting ------------------------------------------------------------------
def _bounds(n: int, indices_or_sections: Any, even: bool) -> tuple:
    if np.ndim(indices_or_sections) == 0:
        sections = operator.index(indices_or_sections)
        if sections <= 0:
            raise ValueError("number sections must be larger than 0.")
        if even and n % sections:
            raise ValueError("array split does not result in an equal division")
        each, extra = divmod(n, sections)
        sizes = [each + 1] * extra + [each] * (sections - extra)
        out, start = [], 0
        for s in sizes:
            out.append((start, start + s))
            start += s
        return tuple(out)
    points = [0] + [operator.index(i) for i in indices_or_sections] + [n]
    out = []
    for a, b in zip(points, points[1:]):
        s, e, _ = slice(a, b).indices(n)
        out.append((s, max(s, e)))
    return tuple(out)


def _split_into(ary: Any, indices_or_sections: Any, axis: int, even: bool) -> list:
    ary = as_array(ary)
    axis = normalize_axis_index(axis, _ndim(ary))
    bounds = _bounds(_shape(ary)[axis], indices_or_sections, even)
    return list(_split(ary, bounds=bounds, axis=axis))


def split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list:
    """Differentiable ``numpy.split`` (one multiple-result primitive; its
    gradient is one concatenation).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> [p.tolist() for p in fnp.split(np.arange(4.0), [1])]
    [[0.0], [1.0, 2.0, 3.0]]
    """
    return _split_into(ary, indices_or_sections, axis, True)


def array_split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list:
    """Differentiable ``numpy.array_split`` (sections need not divide evenly).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> [len(p) for p in fnp.array_split(np.arange(5.0), 3)]
    [2, 2, 1]
    """
    return _split_into(ary, indices_or_sections, axis, False)


def hsplit(ary: Any, indices_or_sections: Any) -> list:
    """Differentiable ``numpy.hsplit`` (axis 1, or 0 for 1-d input).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> [p.shape for p in fnp.hsplit(np.ones((2, 4)), 2)]
    [(2, 2), (2, 2)]
    """
    ary = as_array(ary)
    if _ndim(ary) == 0:
        raise ValueError("hsplit only works on arrays of 1 or more dimensions")
    return split(ary, indices_or_sections, 1 if _ndim(ary) > 1 else 0)


def vsplit(ary: Any, indices_or_sections: Any) -> list:
    """Differentiable ``numpy.vsplit`` (axis 0 of an at least 2-d array).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> [p.shape for p in fnp.vsplit(np.ones((4, 2)), 2)]
    [(2, 2), (2, 2)]
    """
    ary = as_array(ary)
    if _ndim(ary) < 2:
        raise ValueError("vsplit only works on arrays of 2 or more dimensions")
    return split(ary, indices_or_sections, 0)


def dsplit(ary: Any, indices_or_sections: Any) -> list:
    """Differentiable ``numpy.dsplit`` (axis 2 of an at least 3-d array).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> [p.shape for p in fnp.dsplit(np.ones((1, 1, 4)), [1])]
    [(1, 1, 1), (1, 1, 3)]
    """
    ary = as_array(ary)
    if _ndim(ary) < 3:
        raise ValueError("dsplit only works on arrays of 3 or more dimensions")
    return split(ary, indices_or_sections, 2)


def unstack(x: Any, /, *, axis: int = 0) -> tuple:
    """Differentiable ``numpy.unstack``: the slices along ``axis``, as a tuple.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> [p.shape for p in fnp.unstack(np.ones((2, 3)), axis=1)]
    [(2,), (2,), (2,)]
    """
    x = as_array(x)
    if _ndim(x) == 0:
        raise ValueError("Input array must be at least 1-d.")
    axis = normalize_axis_index(axis, _ndim(x))
    shape = _shape(x)
    rest = shape[:axis] + shape[axis + 1:]
    pieces = _split(x, bounds=tuple((i, i + 1) for i in range(shape[axis])), axis=axis)
    return tuple(_reshape(p, rest) for p in pieces)


# --- building arrays ----------------------------------------------------------------
def _assemble(obj: Any) -> Any:
    if isinstance(obj, Box):
        return obj
    if isinstance(obj, (list, tuple)) and _holds_box(obj):
        if not obj:
            return np.asarray(obj)
        return stack([_assemble(o) for o in obj])
    return np.asarray(obj)


def _from_traced(obj: Any, dtype: Any, ndmin: int) -> Any:
    x = _assemble(obj)
    if dtype is not None and np.dtype(dtype) != dtype_of(x):
        x = _fnp().astype(x, dtype)
    if ndmin > _ndim(x):
        x = _reshape(x, (1,) * (ndmin - _ndim(x)) + _shape(x))
    return x


def array(object: Any, dtype: Any = None, *, copy: Any = True, order: str = "K",
          subok: bool = False, ndmin: int = 0, like: Any = None) -> Any:
    """``numpy.array`` that keeps traced values traced: a traced array, or a
    (nested) list of traced and plain values, is stacked into one traced
    array (never an object array). Traced arrays are immutable, so ``copy``
    and ``order`` do not matter for them.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda x: fnp.sum(fnp.array([x, 2 * x, [1.0, 1.0]])))(np.ones(2))
    array([3., 3.])
    """
    if _holds_box(object):
        return _from_traced(object, dtype, ndmin)
    return np.array(object, dtype=dtype, copy=copy, order=order, subok=subok, ndmin=ndmin)


def asarray(a: Any, dtype: Any = None, order: Any = None, *, device: Any = None,
            copy: Any = None, like: Any = None) -> Any:
    """``numpy.asarray`` that keeps traced values traced (see :func:`array`).

    >>> import funcgrad.numpy as fnp
    >>> fnp.asarray([1.0, 2.0]).shape
    (2,)
    """
    if _holds_box(a):
        return _from_traced(a, dtype, 0)
    return _compat.asarray(a, dtype=dtype, order=order, device=device, copy=copy)


def asanyarray(a: Any, dtype: Any = None, order: Any = None, *, device: Any = None,
               copy: Any = None, like: Any = None) -> Any:
    """``numpy.asanyarray`` that keeps traced values traced (see :func:`array`).

    >>> import funcgrad.numpy as fnp
    >>> fnp.asanyarray([[1.0], [2.0]]).shape
    (2, 1)
    """
    if _holds_box(a):
        return _from_traced(a, dtype, 0)
    return _compat.asanyarray(a, dtype=dtype, order=order, device=device, copy=copy)


def copy(a: Any, order: str = "K", subok: bool = False) -> Any:
    """Differentiable ``numpy.copy``. A traced array is immutable, so its copy
    is itself; lists holding traced values are stacked as by :func:`array`.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.copy(np.ones(2))
    array([1., 1.])
    """
    if _holds_box(a):
        return _from_traced(a, None, 0)
    return np.copy(a, order=order, subok=subok)


def ascontiguousarray(a: Any, dtype: Any = None, *, like: Any = None) -> Any:
    """``numpy.ascontiguousarray`` that keeps traced values traced (at least 1-d,
    as in NumPy; memory layout does not apply to traced values).

    >>> import funcgrad.numpy as fnp
    >>> fnp.ascontiguousarray(2.0).shape
    (1,)
    """
    if _holds_box(a):
        return _from_traced(a, dtype, 1)
    return np.ascontiguousarray(a, dtype=dtype)


def asfortranarray(a: Any, dtype: Any = None, *, like: Any = None) -> Any:
    """``numpy.asfortranarray`` that keeps traced values traced (at least 1-d,
    as in NumPy; memory layout does not apply to traced values).

    >>> import funcgrad.numpy as fnp
    >>> fnp.asfortranarray([[1.0, 2.0]]).flags.f_contiguous
    True
    """
    if _holds_box(a):
        return _from_traced(a, dtype, 1)
    return np.asfortranarray(a, dtype=dtype)


def require(a: Any, dtype: Any = None, requirements: Any = None, *, like: Any = None) -> Any:
    """``numpy.require`` that keeps traced values traced (a traced value meets
    the layout requirements by construction; ``dtype`` casts).

    >>> import funcgrad.numpy as fnp
    >>> fnp.require([1.0], dtype="float32").dtype
    dtype('float32')
    """
    if _holds_box(a):
        return _from_traced(a, dtype, 0)
    return np.require(a, dtype=dtype, requirements=requirements)


def asarray_chkfinite(a: Any, dtype: Any = None, order: Any = None) -> Any:
    """``numpy.asarray_chkfinite`` that keeps traced values traced: raises
    ``ValueError`` if any element is infinite or NaN.

    >>> import funcgrad.numpy as fnp
    >>> fnp.asarray_chkfinite([1.0, 2.0])
    array([1., 2.])
    """
    if not _holds_box(a):
        return np.asarray_chkfinite(a, dtype=dtype, order=order)
    x = _from_traced(a, dtype, 0)
    v = _concrete(x)
    if dtype_of(v).kind in "fc" and not np.isfinite(v).all():
        raise ValueError("array must not contain infs or NaNs")
    return x


# --- ranges with traced endpoints ----------------------------------------------------
def _weak_result_type(*values: Any) -> np.dtype:
    # Python scalars stay weak, as in NumPy's own promotion of these arguments
    # (and 0-d values count as scalars under NumPy 1.x's value-based casting).
    return np.result_type(*(v if isinstance(v, (int, float, complex)) else
                            np.zeros(() if _ndim(v) == 0 else (1,), dtype_of(v))
                            for v in values))


def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
             retstep: bool = False, dtype: Any = None, axis: int = 0, *,
             device: Any = None) -> Any:
    """``numpy.linspace``, differentiable in ``start`` and ``stop`` (array
    endpoints included); the last sample is ``stop`` itself when
    ``endpoint`` is true, as in NumPy.

    >>> import funcgrad, funcgrad.numpy as fnp
    >>> funcgrad.grad(lambda b: fnp.sum(fnp.linspace(0.0, b, 5)))(2.0)
    np.float64(2.5)
    """
    if not (_holds_box(start) or _holds_box(stop)):
        return _compat.linspace(start, stop, num, endpoint, retstep, dtype, axis, device=device)
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    div = num - 1 if endpoint else num
    dt = _weak_result_type(start, stop, float(num))  # (as NumPy's linspace)
    if dt.kind not in "fc":
        dt = np.result_type(dt, np.float64)
    fnp = _fnp()
    start, stop = as_array(start), as_array(stop)
    start = start if dtype_of(start) == dt else fnp.astype(start, dt)
    stop = stop if dtype_of(stop) == dt else fnp.astype(stop, dt)
    delta = stop - start
    y = np.arange(0, num, dtype=dt).reshape((-1,) + (1,) * _ndim(delta))
    if div > 0:
        step = delta / div
        if np.any(_all_values(step) == 0):
            y = (y / div) * delta
        else:
            y = y * step
    else:
        step = np.nan
        y = y * delta
    y = y + start
    if endpoint and num > 1:
        tail = _reshape(_fnp().broadcast_to(stop, _shape(y)[1:]), (1,) + _shape(y)[1:])
        y = _concatenate(_fnp().getitem(y, slice(None, -1)), tail, axis=0)
    if axis != 0:
        y = _fnp().moveaxis(y, 0, axis)
    if dtype is not None and np.dtype(dtype) != dt:
        if np.issubdtype(dtype, np.integer):
            y = fnp.floor(y)
        y = fnp.astype(y, dtype)
    return (y, step) if retstep else y


def logspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
             base: Any = 10.0, dtype: Any = None, axis: int = 0) -> Any:
    """``numpy.logspace``, differentiable in ``start``, ``stop`` and ``base``.

    >>> import funcgrad, funcgrad.numpy as fnp
    >>> round(funcgrad.grad(lambda b: fnp.logspace(0.0, b, 3)[-1])(2.0), 9)  # d 10**b / db
    np.float64(230.258509299)
    """
    if not (_holds_box(start) or _holds_box(stop) or _holds_box(base)):
        return np.logspace(start, stop, num, endpoint, base, dtype, axis)
    fnp = _fnp()
    if not isinstance(base, (float, int)) and _ndim(as_array(base)):
        start, stop, base = as_array(start), as_array(stop), as_array(base)
        n = len(np.broadcast_shapes(_shape(start), _shape(stop), _shape(base)))
        start, stop, base = (_from_traced(a, None, n) if _holds_box(a) else np.array(a, ndmin=n)
                             for a in (start, stop, base))
        base = fnp.expand_dims(base, axis)
    y = linspace(start, stop, num=num, endpoint=endpoint, axis=axis)
    out = fnp.power(base, y)
    return out if dtype is None else fnp.astype(out, dtype)


def geomspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None,
              axis: int = 0) -> Any:
    """``numpy.geomspace``, differentiable in ``start`` and ``stop`` (the end
    samples are ``start`` and ``stop`` themselves, as in NumPy).

    >>> import funcgrad, funcgrad.numpy as fnp
    >>> round(funcgrad.grad(lambda a: fnp.geomspace(a, 16.0, 3)[1])(1.0), 12)  # sqrt(16 a)
    np.float64(2.0)
    """
    if not (_holds_box(start) or _holds_box(stop)):
        return np.geomspace(start, stop, num, endpoint, dtype, axis)
    fnp = _fnp()
    start, stop = as_array(start), as_array(stop)
    if np.any(_all_values(start) == 0) or np.any(_all_values(stop) == 0):
        raise ValueError("Geometric sequence cannot include zero")
    dt = np.result_type(dtype_of(start), dtype_of(stop), float(num), np.zeros((), dtype))
    dtype = dt if dtype is None else np.dtype(dtype)
    start = start if dtype_of(start) == dt else fnp.astype(start, dt)
    stop = stop if dtype_of(stop) == dt else fnp.astype(stop, dt)
    out_sign = fnp.sign(start)  # (a constant; batched under vmap)
    start = start / out_sign
    stop = stop / out_sign
    result = logspace(fnp.log10(start), fnp.log10(stop), num=num, endpoint=endpoint,
                      base=10.0, dtype=dt)
    if num > 0:
        rest = _shape(result)[1:]
        first = _reshape(fnp.broadcast_to(start, rest), (1,) + rest)
        parts = [first]
        if num > 1:
            middle_end = -1 if endpoint else None
            parts.append(fnp.getitem(result, slice(1, middle_end)))
            if endpoint:
                parts.append(_reshape(fnp.broadcast_to(stop, rest), (1,) + rest))
        result = parts[0] if len(parts) == 1 else _concatenate(*parts, axis=0)
    result = result * out_sign
    if axis != 0:
        result = fnp.moveaxis(result, 0, axis)
    return result if dtype_of(result) == dtype else fnp.astype(result, dtype)


# --- appending, inserting, deleting, resizing ------------------------------------------
def append(arr: Any, values: Any, axis: Optional[int] = None) -> Any:
    """Differentiable ``numpy.append`` (flattened when ``axis`` is None).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.append(np.ones((1, 2)), [3.0])
    array([1., 1., 3.])
    """
    arr, values = as_array(arr), as_array(values)
    if axis is None:
        arr = arr if _ndim(arr) == 1 else ravel(arr)
        values = ravel(values)
        axis = _ndim(arr) - 1
    return concatenate((arr, values), axis=axis)


def _size(x: Any) -> int:
    return int(np.prod(_shape(x), dtype=np.int64))


def _labels(x: Any, start: int = 0) -> np.ndarray:
    return np.arange(start, start + _size(x), dtype=np.intp).reshape(_shape(x))


def insert(arr: Any, obj: Any, values: Any, axis: Optional[int] = None) -> Any:
    """Differentiable ``numpy.insert`` (gradients reach ``arr`` and ``values``;
    values broadcast into several places accumulate).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.insert(np.array([1.0, 2.0]), 1, 5.0)
    array([1., 5., 2.])
    """
    arr, values = as_array(arr), as_array(values)
    where = np.insert(_labels(arr), _concrete(obj), _labels(values, _size(arr)), axis=axis)
    flat = _concatenate(_reshape(arr, (-1,)), _reshape(values, (-1,)), axis=0)
    out = _fnp().getitem(flat, where)
    want = dtype_of(arr)
    return out if dtype_of(out) == want else _fnp().astype(out, want)


def delete(arr: Any, obj: Any, axis: Optional[int] = None) -> Any:
    """Differentiable ``numpy.delete`` (deleted elements get no gradient).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.delete(np.arange(4.0), [0, 2])
    array([1., 3.])
    """
    arr = as_array(arr)
    keep = np.delete(_labels(arr), _concrete(obj), axis=axis)
    return _fnp().getitem(_reshape(arr, (-1,)), keep)


def resize(a: Any, new_shape: Any) -> Any:
    """Differentiable ``numpy.resize``: the elements repeated cyclically to fill
    ``new_shape`` (the gradient sums the copies).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.resize(np.array([1.0, 2.0]), 3)
    array([1., 2., 1.])
    """
    a = as_array(a)
    if _size(a) == 0:
        return np.zeros(new_shape, dtype_of(a))
    return _fnp().getitem(_reshape(a, (-1,)), np.resize(_labels(a), new_shape))


def sliding_window_view(x: Any, window_shape: Any, axis: Any = None, *, subok: bool = False,
                        writeable: bool = False) -> Any:
    """Differentiable ``numpy.lib.stride_tricks.sliding_window_view``: every
    window of ``x`` (a copy, not a view, for traced values; the gradient sums
    over the windows each element belongs to).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.sliding_window_view(np.arange(4.0), 2)
    array([[0., 1.],
           [1., 2.],
           [2., 3.]])
    """
    if not _holds_box(x):
        return np.lib.stride_tricks.sliding_window_view(x, window_shape, axis, subok=subok,
                                                        writeable=writeable)
    x = as_array(x)
    where = np.lib.stride_tricks.sliding_window_view(_labels(x), window_shape, axis)
    return _fnp().getitem(_reshape(x, (-1,)), where)


def meshgrid(*xi: Any, copy: bool = True, sparse: bool = False, indexing: str = "xy") -> tuple:
    """Differentiable ``numpy.meshgrid`` (``xy`` or ``ij`` indexing, dense or sparse).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> [g.shape for g in fnp.meshgrid(np.ones(2), np.ones(3))]
    [(3, 2), (3, 2)]
    """
    if indexing not in ("xy", "ij"):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    n = len(xi)
    ones = (1,) * n
    out = [_reshape(as_array(x), ones[:i] + (-1,) + ones[i + 1:]) for i, x in enumerate(xi)]
    if indexing == "xy" and n > 1:
        out[0] = _reshape(out[0], (1, -1) + ones[2:])
        out[1] = _reshape(out[1], (-1, 1) + ones[2:])
    if not sparse:
        out = list(broadcast_arrays(*out))
    return tuple(out)


_STACKS = "Lists holding traced values are stacked into one traced array (no object arrays)."
_NOTES = {
    "split": "One multiple-result primitive; its gradient is one concatenation.",
    "array_split": "One multiple-result primitive; its gradient is one concatenation.",
    "array": _STACKS,
    "asarray": _STACKS,
    "asanyarray": _STACKS,
    "copy": "A traced value is immutable: its copy is itself. " + _STACKS,
    "insert": "Gradients reach arr and values; values placed several times accumulate.",
    "delete": "Deleted elements get no gradient.",
    "resize": "The gradient sums the cyclic copies.",
    "block": "Nested lists of blocks; one concatenation per list.",
    "ascontiguousarray": _STACKS,
    "asfortranarray": _STACKS,
    "require": _STACKS,
    "asarray_chkfinite": "Checks the concrete values. " + _STACKS,
    "sliding_window_view": "numpy.lib.stride_tricks.sliding_window_view; a copy for traced "
                           "values; the gradient sums over the windows.",
    "linspace": "Differentiable in start and stop; the last sample is stop itself.",
    "logspace": "Differentiable in start, stop and base.",
    "geomspace": "Differentiable in start and stop; the end samples are start and stop "
                 "themselves.",
}

for _name, _fn in [("concatenate", concatenate), ("stack", stack), ("hstack", hstack),
                   ("vstack", vstack), ("dstack", dstack), ("column_stack", column_stack),
                   ("split", split), ("array_split", array_split), ("hsplit", hsplit),
                   ("vsplit", vsplit), ("dsplit", dsplit), ("unstack", unstack),
                   ("array", array), ("asarray", asarray), ("asanyarray", asanyarray),
                   ("copy", copy), ("append", append), ("insert", insert),
                   ("delete", delete), ("resize", resize), ("meshgrid", meshgrid),
                   ("block", block), ("ascontiguousarray", ascontiguousarray),
                   ("asfortranarray", asfortranarray), ("require", require),
                   ("asarray_chkfinite", asarray_chkfinite), ("linspace", linspace),
                   ("logspace", logspace), ("geomspace", geomspace),
                   ("sliding_window_view", sliding_window_view)]:
    register(_name, _fn, F, notes=_NOTES.get(_name, ""))
alias("concat", "concatenate")
alias("row_stack", "vstack")
