"""Shape manipulation: the structural primitives and the functions built on them.

Eight primitives carry every gradient in this family and in
:mod:`.assembly`: ``reshape``, ``transpose``, ``swapaxes``, ``broadcast_to``,
``flip``, ``roll``, ``concatenate`` and ``split`` (a multiple-result
primitive; ``concatenate`` and ``split`` are each other's VJP). Everything
else (``moveaxis``, ``squeeze``, ``tile``, ``repeat``, ``rot90``, ``pad``,
``diag``, ``triu``, ``sort``, ...) is composed from them, from indexing
(``getitem``, whose VJP accumulates repeated indices) and from ``where``, so
every rule is exact at any order.

This module also holds the broadcasting helpers the engine relies on
(:func:`unbroadcast`, :func:`expand_reduced`).
"""
from __future__ import annotations

import operator
from typing import Any, Optional, Sequence

import numpy as np

from .._core.primitive import defjvp_linear
from ._compat import normalize_axis_index, normalize_axis_tuple

from .._core import Box, concrete as _concrete
from ._registry import namespace as _fnp
from ._registry import alias, dtype_of, joint_primitive, primitive, register

F = "shaping"


def as_array(x: Any) -> Any:
    """``x`` itself if it is a traced value or an ndarray; a (nested) list or
    tuple holding traced values stacked into one traced array; anything else
    through ``numpy.asarray``."""
    if isinstance(x, (Box, np.ndarray)):
        return x
    if isinstance(x, (list, tuple)) and _holds_box(x):
        from .assembly import array
        return array(x)
    return np.asarray(x)


def _holds_box(x: Any) -> bool:
    if isinstance(x, Box):
        return True
    if isinstance(x, (list, tuple)):
        return any(_holds_box(v) for v in x)
    return False


def _shape(x: Any) -> tuple:
    return tuple(x.shape)


def _ndim(x: Any) -> int:
    return len(x.shape)


def _as_shape(shape: Any) -> tuple:
    # (a tuple or list first: np.ndim would raise and catch an error inside)
    if not isinstance(shape, (tuple, list)) and np.ndim(shape) == 0:
        return (operator.index(shape),)
    return tuple(operator.index(s) for s in shape)


# --- reshape ----------------------------------------------------------------
def _reshape_impl(x, shape, order="C"):
    return np.reshape(x, shape, order=order)


_reshape = primitive("reshape", _reshape_impl,
                     lambda g, ans, x, shape, order="C": _reshape(g, _shape(x), order=order),
                     family=F, saves_values=False, register_as="_reshape_prim")


def reshape(a: Any, shape: Any = None, order: str = "C", **kwargs: Any) -> Any:
    """Differentiable ``numpy.reshape`` (``-1`` infers a size; ``order`` "C" or "F").

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.reshape(np.arange(6.0), (2, -1)).shape
    (2, 3)
    """
    if shape is None:
        shape = kwargs.pop("newshape")
    a = as_array(a)
    if order not in ("C", "F"):
        order = _resolve_order(a, order)
    return _reshape(a, _as_shape(shape), order=order)


def _resolve_order(a: Any, order: Any) -> str:
    # "A" and "K": Fortran order for a Fortran-contiguous (and not C-contiguous)
    # value, C order otherwise (other memory layouts of "K" read in C order).
    if order is None:
        return "C"
    if order in ("A", "K"):
        v = a
        while isinstance(v, Box):
            v = v._value
        flags = getattr(v, "flags", None)
        if flags is not None and flags.f_contiguous and not flags.c_contiguous:
            return "F"
        return "C"
    if order in ("C", "F"):
        return order
    raise ValueError(f"order must be one of 'C', 'F', 'A' or 'K' (got {order!r})")


def ravel(a: Any, order: str = "C") -> Any:
    """Differentiable ``numpy.ravel``: a 1-d array of the elements in ``order``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.ravel(np.arange(6.0).reshape(2, 3), order="F")
    array([0., 3., 1., 4., 2., 5.])
    """
    a = as_array(a)
    return _reshape(a, (-1,), order=_resolve_order(a, order))


def flatten(a: Any, order: str = "C") -> Any:
    """``a.flatten(order)`` as a function (the method of traced arrays): a
    1-d copy of ``a``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.flatten(np.ones((2, 2)))
    array([1., 1., 1., 1.])
    """
    return ravel(a, order)


# --- transpose, swapaxes, moveaxis --------------------------------------------
def _transpose_impl(x, axes=None):
    return np.transpose(x, axes)


def _transpose_rule(g, ans, x, axes=None):
    if axes is None:
        return _transpose(g)
    return _transpose(g, tuple(int(i) for i in np.argsort([a % _ndim(x) for a in axes])))


_transpose = primitive("transpose", _transpose_impl, _transpose_rule, family=F,
                       saves_values=False, register_as="_transpose_prim")


def transpose(a: Any, axes: Any = None) -> Any:
    """Differentiable ``numpy.transpose`` (``axes`` may be negative).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.transpose(np.zeros((2, 3, 4)), (2, 0, 1)).shape
    (4, 2, 3)
    """
    a = as_array(a)
    if axes is not None:
        axes = normalize_axis_tuple(tuple(axes), _ndim(a), "axes")
        if len(axes) != _ndim(a):
            raise ValueError("axes don't match array")
    return _transpose(a, axes)


swapaxes = primitive("swapaxes", np.swapaxes,
                     lambda g, ans, x, axis1, axis2: swapaxes(g, axis1, axis2),
                     family=F, saves_values=False)


def moveaxis(a: Any, source: Any, destination: Any) -> Any:
    """Differentiable ``numpy.moveaxis``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.moveaxis(np.zeros((2, 3, 4)), 0, -1).shape
    (3, 4, 2)
    """
    a = as_array(a)
    n = _ndim(a)
    src = normalize_axis_tuple(source, n, "source")
    dst = normalize_axis_tuple(destination, n, "destination")
    if len(src) != len(dst):
        raise ValueError("`source` and `destination` arguments must have the same number "
                         "of elements")
    order = [i for i in range(n) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return _transpose(a, tuple(order))


def rollaxis(a: Any, axis: int, start: int = 0) -> Any:
    """Differentiable ``numpy.rollaxis``: move ``axis`` to sit before ``start``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.rollaxis(np.zeros((2, 3, 4)), 2).shape
    (4, 2, 3)
    """
    a = as_array(a)
    n = _ndim(a)
    axis = normalize_axis_index(axis, n)
    start = operator.index(start)
    if start < 0:
        start += n
    if not 0 <= start < n + 1:
        raise np.exceptions.AxisError(
            f"'start' arg requires {-n} <= start < {n + 1}, but {start} was passed in")
    if axis < start:
        start -= 1
    if axis == start:
        return a
    order = [i for i in range(n) if i != axis]
    order.insert(start, axis)
    return _transpose(a, tuple(order))


def matrix_transpose(x: Any, /) -> Any:
    """Differentiable ``numpy.matrix_transpose``: swap the last two axes.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.matrix_transpose(np.zeros((5, 2, 3))).shape
    (5, 3, 2)
    """
    x = as_array(x)
    if _ndim(x) < 2:
        raise ValueError("Input array must be at least 2-dimensional")
    return swapaxes(x, -1, -2)


# --- broadcasting -------------------------------------------------------------
def _broadcast_impl(x: Any, shape: tuple) -> Any:
    """``np.broadcast_to(x, shape)``. An array of one element (a full
    reduction's cotangent) becomes the same read-only all-zero-strides view
    directly: NumPy's general set-up costs 2 µs, this 0.5 µs."""
    if type(x) is not np.ndarray:
        x = np.asarray(x)
    if x.size == 1 and x.ndim <= len(shape) and min(shape, default=0) >= 0:
        view = np.ndarray(shape, x.dtype, x, 0, (0,) * len(shape))
        view.setflags(write=False)
        return view
    return np.broadcast_to(x, shape)


_broadcast_to = primitive("broadcast_to", _broadcast_impl,
                          lambda g, ans, x, shape: g, family=F, saves_values=False,
                          register_as="_broadcast_to_prim",
                          notes="The gradient sums over the broadcast axes.")


def broadcast_to(array: Any, shape: Any, subok: bool = False) -> Any:
    """Differentiable ``numpy.broadcast_to``; the gradient sums over the
    broadcast axes.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.broadcast_to(np.array([1.0, 2.0]), (2, 2))
    array([[1., 2.],
           [1., 2.]])
    """
    if type(shape) is not tuple:
        shape = _as_shape(shape)
    return _broadcast_to(as_array(array), shape)


def broadcast_arrays(*args: Any, subok: bool = False) -> tuple:
    """Differentiable ``numpy.broadcast_arrays``: a tuple of the arguments
    broadcast against each other.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> [x.shape for x in fnp.broadcast_arrays(np.ones(3), np.ones((2, 1)))]
    [(2, 3), (2, 3)]
    """
    arrays = [as_array(a) for a in args]
    shape = np.broadcast_shapes(*(_shape(a) for a in arrays))
    return tuple(a if _shape(a) == shape else _broadcast_to(a, shape) for a in arrays)


def expand_reduced(g: Any, ndim: int, axis: Any, keepdims: bool) -> Any:
    """Re-insert the axes a reduction removed, so ``g`` broadcasts against its
    input (a full reduction's ``g`` is 0-d and broadcasts as it is)."""
    if keepdims or axis is None:
        return g
    axes = (axis,) if isinstance(axis, int) else axis
    axes = sorted(a % ndim for a in axes)
    shape = list(np.shape(g) if not hasattr(g, "shape") else g.shape)
    for a in axes:
        shape.insert(a, 1)
    return _reshape(g, tuple(shape))


def unbroadcast(ct: Any, shape: tuple) -> Any:
    """Sum ``ct`` over the axes broadcasting added or stretched, to ``shape``."""
    _sum = _fnp().sum
    extra = len(ct.shape) - len(shape)
    if extra > 0:
        ct = _sum(ct, axis=tuple(range(extra)))
    axes = tuple(i for i, (s, c) in enumerate(zip(shape, ct.shape)) if s == 1 and c != 1)
    if axes:
        ct = _sum(ct, axis=axes, keepdims=True)
    if tuple(ct.shape) != tuple(shape):
        ct = _broadcast_to(ct, tuple(shape))
    return ct


# --- adding and removing unit axes --------------------------------------------
def squeeze(a: Any, axis: Any = None) -> Any:
    """Differentiable ``numpy.squeeze``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.squeeze(np.zeros((1, 3, 1)), axis=-1).shape
    (1, 3)
    """
    a = as_array(a)
    shape = _shape(a)
    if axis is None:
        new = tuple(s for s in shape if s != 1)
    else:
        axes = normalize_axis_tuple(axis, len(shape))
        if any(shape[i] != 1 for i in axes):
            raise ValueError("cannot select an axis to squeeze out which has size not "
                             "equal to one")
        new = tuple(s for i, s in enumerate(shape) if i not in axes)
    return _reshape(a, new)


def expand_dims(a: Any, axis: Any) -> Any:
    """Differentiable ``numpy.expand_dims`` (``axis`` an int or a tuple, negative
    counted in the result).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.expand_dims(np.zeros((2, 3)), (0, -1)).shape
    (1, 2, 3, 1)
    """
    a = as_array(a)
    if not isinstance(axis, (tuple, list)):
        axis = (axis,)
    n = _ndim(a) + len(axis)
    axes = normalize_axis_tuple(axis, n)
    rest = iter(_shape(a))
    return _reshape(a, tuple(1 if i in axes else next(rest) for i in range(n)))


def _atleast(arrays: tuple, fix: Any) -> Any:
    out = tuple(fix(as_array(a)) for a in arrays)
    return out[0] if len(out) == 1 else out  # () for no arguments, as NumPy


def atleast_1d(*arys: Any) -> Any:
    """Differentiable ``numpy.atleast_1d``.

    >>> import funcgrad.numpy as fnp
    >>> fnp.atleast_1d(2.0)
    array([2.])
    """
    return _atleast(arys, lambda a: _reshape(a, (1,)) if _ndim(a) == 0 else a)


def atleast_2d(*arys: Any) -> Any:
    """Differentiable ``numpy.atleast_2d``: 0-d to (1, 1), (n,) to (1, n).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.atleast_2d(np.ones(3)).shape
    (1, 3)
    """
    def fix(a):
        return a if _ndim(a) >= 2 else _reshape(a, (1,) * (2 - _ndim(a)) + _shape(a))
    return _atleast(arys, fix)


def atleast_3d(*arys: Any) -> Any:
    """Differentiable ``numpy.atleast_3d``: 0-d to (1, 1, 1), (n,) to (1, n, 1),
    (m, n) to (m, n, 1).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.atleast_3d(np.ones(3)).shape
    (1, 3, 1)
    """
    def fix(a):
        n = _ndim(a)
        if n >= 3:
            return a
        new = {0: (1, 1, 1), 1: (1,) + _shape(a) + (1,), 2: _shape(a) + (1,)}[n]
        return _reshape(a, new)
    return _atleast(arys, fix)


# --- concatenate and split: each other's VJP ------------------------------------
def _concatenate_rule(g, ans, *xs, axis=0, dtype=None, casting="same_kind"):
    sizes = [_shape(x)[axis] for x in xs]
    bounds, start = [], 0
    for s in sizes:
        bounds.append((start, start + s))
        start += s
    return list(_split(g, bounds=tuple(bounds), axis=axis))


def _concatenate_impl(*xs, axis=0, dtype=None, casting="same_kind"):
    return np.concatenate(xs, axis=axis, dtype=dtype, casting=casting)


_concatenate = joint_primitive("concatenate", _concatenate_impl, _concatenate_rule,
                               family=F, saves_values=False, register_as="_concatenate_prim")


def _split_impl(x, bounds, axis):
    lead = (slice(None),) * axis
    return tuple(x[lead + (slice(s, e),)] for s, e in bounds)


def _split_rule(g, ans, x, bounds, axis):
    n = _shape(x)[axis]
    pieces = [p for p, (s, e) in zip(g, bounds) if e > s]
    spans = [(s, e) for s, e in bounds if e > s]
    if not spans:
        return np.zeros(_shape(x), dtype_of(g[0]))
    dt = np.result_type(*(dtype_of(p) for p in g))
    contiguous = spans[0][0] == 0 and spans[-1][1] == n and all(
        a[1] == b[0] for a, b in zip(spans, spans[1:]))
    if contiguous:
        return pieces[0] if len(pieces) == 1 else _concatenate(*pieces, axis=axis)
    # Overlapping or partial pieces: place each in zeros and sum.
    total = None
    for p, (s, e) in zip(pieces, spans):
        parts = []
        for width in (s, None, n - e):
            if width is None:
                parts.append(p)
            elif width:
                shape = list(_shape(x))
                shape[axis] = width
                parts.append(np.zeros(shape, dt))
        placed = parts[0] if len(parts) == 1 else _concatenate(*parts, axis=axis)
        total = placed if total is None else total + placed
    return total


_split = primitive("split", _split_impl, _split_rule, family=F, multiple_results=True,
                   register_as="_split_prim",
                   notes="Pieces are slices [start, stop) along one axis.")


# --- flips, rolls, rotations ------------------------------------------------------
_flip = primitive("flip", lambda x, axes: np.flip(x, axes),
                  lambda g, ans, x, axes: _flip(g, axes=axes),
                  family=F, saves_values=False, register_as="_flip_prim")


def flip(m: Any, axis: Any = None) -> Any:
    """Differentiable ``numpy.flip`` (``axis`` None, an int or a tuple).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.flip(np.arange(3.0))
    array([2., 1., 0.])
    """
    m = as_array(m)
    axes = tuple(range(_ndim(m))) if axis is None else normalize_axis_tuple(axis, _ndim(m))
    return _flip(m, axes=axes) if axes else m


def fliplr(m: Any) -> Any:
    """Differentiable ``numpy.fliplr`` (reverse axis 1).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.fliplr(np.eye(2))
    array([[0., 1.],
           [1., 0.]])
    """
    m = as_array(m)
    if _ndim(m) < 2:
        raise ValueError("Input must be >= 2-d.")
    return _flip(m, axes=(1,))


def flipud(m: Any) -> Any:
    """Differentiable ``numpy.flipud`` (reverse axis 0).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.flipud(np.arange(2.0))
    array([1., 0.])
    """
    m = as_array(m)
    if _ndim(m) < 1:
        raise ValueError("Input must be >= 1-d.")
    return _flip(m, axes=(0,))


_roll = primitive("roll", lambda x, shift, axis: np.roll(x, shift, axis),
                  lambda g, ans, x, shift, axis: _roll(g, shift=tuple(-s for s in shift),
                                                       axis=axis),
                  family=F, saves_values=False, register_as="_roll_prim")


def roll(a: Any, shift: Any, axis: Any = None) -> Any:
    """Differentiable ``numpy.roll`` (shifts and axes may be tuples).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.roll(np.arange(4.0), 1)
    array([3., 0., 1., 2.])
    """
    a = as_array(a)
    if axis is None:
        return _reshape(roll(_reshape(a, (-1,)), shift, 0), _shape(a))
    shifts, axes = np.broadcast_arrays(np.asarray(shift), np.asarray(axis))
    axes = normalize_axis_tuple(tuple(int(v) for v in axes.ravel()), _ndim(a),
                                allow_duplicate=True)
    return _roll(a, shift=tuple(int(v) for v in shifts.ravel()), axis=axes)


def rot90(m: Any, k: int = 1, axes: Sequence[int] = (0, 1)) -> Any:
    """Differentiable ``numpy.rot90``: rotate by 90 degrees ``k`` times in the
    plane of ``axes`` (first towards second).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.rot90(np.array([[1.0, 2.0], [3.0, 4.0]]))
    array([[2., 4.],
           [1., 3.]])
    """
    m = as_array(m)
    axes = tuple(axes)
    if len(axes) != 2:
        raise ValueError("len(axes) must be 2.")
    n = _ndim(m)
    a0, a1 = normalize_axis_index(axes[0], n), normalize_axis_index(axes[1], n)
    if a0 == a1:
        raise ValueError("Axes must be different.")
    k = operator.index(k) % 4
    if k == 0:
        return m
    if k == 2:
        return _flip(m, axes=(a0, a1))
    perm = list(range(n))
    perm[a0], perm[a1] = perm[a1], perm[a0]
    if k == 1:
        return _transpose(_flip(m, axes=(a1,)), tuple(perm))
    return _flip(_transpose(m, tuple(perm)), axes=(a1,))


# --- tiling and repetition ----------------------------------------------------------
def tile(A: Any, reps: Any) -> Any:
    """Differentiable ``numpy.tile`` (one broadcast; the gradient sums the tiles).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.tile(np.array([1.0, 2.0]), 2)
    array([1., 2., 1., 2.])
    """
    A = as_array(A)
    reps = tuple(operator.index(r) for r in reps) if np.iterable(reps) else (operator.index(reps),)
    n = max(len(reps), _ndim(A))
    reps = (1,) * (n - len(reps)) + reps
    shape = (1,) * (n - _ndim(A)) + _shape(A)
    inter = tuple(v for s in shape for v in (1, s))
    wide = tuple(v for r, s in zip(reps, shape) for v in (r, s))
    out = tuple(r * s for r, s in zip(reps, shape))
    return _reshape(_broadcast_to(_reshape(A, inter), wide), out)


def repeat(a: Any, repeats: Any, axis: Optional[int] = None) -> Any:
    """Differentiable ``numpy.repeat`` (scalar repeats broadcast, per-element
    repeats gather; the gradient sums the copies).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.repeat(np.array([1.0, 2.0]), [1, 2])
    array([1., 2., 2.])
    """
    a = as_array(a)
    if axis is None:
        a = _reshape(a, (-1,))
        axis = 0
    axis = normalize_axis_index(axis, _ndim(a))
    reps = np.asarray(repeats)
    shape = _shape(a)
    if reps.size == 1:
        r = int(reps.reshape(()))
        if r < 0:
            raise ValueError("negative dimensions are not allowed")
        inter = shape[:axis + 1] + (1,) + shape[axis + 1:]
        wide = shape[:axis + 1] + (r,) + shape[axis + 1:]
        out = shape[:axis] + (shape[axis] * r,) + shape[axis + 1:]
        return _reshape(_broadcast_to(_reshape(a, inter), wide), out)
    index = np.repeat(np.arange(shape[axis]), reps)
    return _fnp().getitem(a, (slice(None),) * axis + (index,))


# --- padding -------------------------------------------------------------------------
_PAD_STATS = {"maximum": "max", "minimum": "min", "mean": "mean", "median": "median"}
_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap", "linear_ramp") + tuple(
    _PAD_STATS)


def pad(array: Any, pad_width: Any, mode: str = "constant", **kwargs: Any) -> Any:
    """Differentiable ``numpy.pad`` for modes ``constant``, ``edge``, ``reflect``,
    ``symmetric``, ``wrap`` (the gradient of a padded copy flows back to the
    element it copies; ``reflect_type="odd"`` too), ``linear_ramp``, ``maximum``, ``minimum``, ``mean``
    and ``median`` (through the ramps and statistics of the edges).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.pad(np.array([1.0, 2.0, 3.0]), (1, 2), mode="reflect")
    array([2., 1., 2., 3., 2., 1.])
    """
    array = as_array(array)
    n = _ndim(array)
    if n == 0:
        return array
    if isinstance(mode, str) and mode not in _PAD_MODES or not isinstance(mode, str):
        raise NotImplementedError(
            f"funcgrad.numpy.pad supports modes {', '.join(_PAD_MODES)}; got {mode!r}.")
    widths = np.asarray(pad_width)
    if widths.dtype.kind not in "iu":
        raise TypeError("`pad_width` must be of integral type.")
    widths = np.broadcast_to(widths.astype(np.int64), (n, 2))
    if np.any(widths < 0):
        raise ValueError("index can't contain negative values")
    if mode == "constant":
        return _pad_constant(array, widths, kwargs.pop("constant_values", 0), kwargs)
    if mode in _PAD_STATS or mode == "linear_ramp":
        return _pad_computed(array, widths, mode, kwargs)
    if kwargs.get("reflect_type", "even") == "odd" and mode in ("reflect", "symmetric"):
        return _pad_linear(array, widths, mode, kwargs)
    # Every other mode copies elements: pad each axis's index range with NumPy
    # itself and gather once.
    maps = [np.pad(np.arange(s), tuple(w), mode=mode, **kwargs)
            for s, w in zip(_shape(array), widths.tolist())]
    if all(len(m) == s for m, s in zip(maps, _shape(array))):
        return array
    return _fnp().getitem(array, np.ix_(*maps))


def _pad_computed(array: Any, widths: np.ndarray, mode: str, kwargs: dict) -> Any:
    # Axis by axis, as NumPy: the blocks of axis i are statistics (or ramps)
    # of the array padded along the axes before i.
    fnp = _fnp()
    n = _ndim(array)
    if mode == "linear_ramp":
        extra = set(kwargs) - {"end_values"}
        ends = np.broadcast_to(np.asarray(kwargs.get("end_values", 0)), (n, 2)).tolist()
    else:
        extra = set(kwargs) - {"stat_length"}
        lengths = kwargs.get("stat_length")
        lengths = [[None, None]] * n if lengths is None else np.broadcast_to(
            np.asarray(lengths, dtype=np.int64), (n, 2)).tolist()
    if extra:
        raise TypeError(f"unsupported keyword arguments for mode {mode!r}: {extra}")
    out = array
    for ax, (before, after) in enumerate(widths.tolist()):
        size = _shape(out)[ax]
        if mode != "linear_ramp" and size == 0 and (before or after):
            raise ValueError("can't extend empty axis {} using modes other than "
                             "'constant' or 'empty'".format(ax))
        blocks = []
        for side, width in ((0, before), (1, after)):
            if not width:
                blocks.append(None)
                continue
            lead = (slice(None),) * ax
            if mode == "linear_ramp":
                edge = fnp.getitem(out, lead + ((0 if side == 0 else size - 1),))
                ramp = fnp.linspace(ends[ax][side], edge, num=width, endpoint=False, axis=ax)
                if dtype_of(ramp) != dtype_of(out):
                    ramp = fnp.astype(ramp, dtype_of(out))
                blocks.append(ramp if side == 0 else _flip(ramp, axes=(ax,)))
                continue
            length = lengths[ax][side]
            length = size if length is None or length > size else length
            if length == 0 and mode in ("maximum", "minimum"):
                raise ValueError("stat_length of 0 yields no value for padding")
            chunk = fnp.getitem(out, lead + ((slice(0, length) if side == 0
                                              else slice(size - length, size)),))
            stat = getattr(fnp, _PAD_STATS[mode])(chunk, axis=ax, keepdims=True)
            shape = list(_shape(out))
            shape[ax] = width
            blocks.append(_broadcast_to(stat, tuple(shape)))
        parts = [b for b in (blocks[0], out, blocks[1]) if b is not None]
        out = parts[0] if len(parts) == 1 else _concatenate(*parts, axis=ax)
    return out


def _pad_linear(array: Any, widths: np.ndarray, mode: str, kwargs: dict) -> Any:
    # An odd reflection (2 * edge - mirrored value) is linear in the input:
    # along each axis, NumPy pads the identity matrix's rows to give the map.
    fnp = _fnp()
    out = array
    for ax, (before, after) in enumerate(widths.tolist()):
        if not before and not after:
            continue
        n = _shape(out)[ax]
        basis = np.eye(n, dtype=dtype_of(out))
        mapping = np.pad(basis, ((0, 0), (before, after)), mode=mode, **kwargs)
        moved = moveaxis(out, ax, -1)
        out = moveaxis(fnp.matmul(moved, mapping), -1, ax)
    return out


def _pad_constant(array: Any, widths: np.ndarray, values: Any, kwargs: dict) -> Any:
    if kwargs:
        raise TypeError(f"unsupported keyword arguments for mode 'constant': {set(kwargs)}")
    dt = dtype_of(array)
    if isinstance(values, Box):
        vals = [[values, values]] * _ndim(array)
    else:
        vals = np.broadcast_to(np.asarray(values), (_ndim(array), 2)).tolist()
    out = array
    for ax, ((before, after), (vb, va)) in enumerate(zip(widths.tolist(), vals)):
        if not before and not after:
            continue
        parts = []
        for width, v in ((before, vb), (None, None), (after, va)):
            if width is None:
                parts.append(out)
            elif width:
                shape = list(_shape(out))
                shape[ax] = width
                if isinstance(v, Box):
                    parts.append(_broadcast_to(_fnp().astype(v, dt), tuple(shape)))
                else:
                    parts.append(np.full(shape, v, dtype=dt))
        out = _concatenate(*parts, axis=ax)
    return out


# --- diagonals and triangles -----------------------------------------------------------
def diagonal(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    """Differentiable ``numpy.diagonal``: the diagonal becomes the last axis.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.diagonal(np.arange(9.0).reshape(3, 3), offset=1)
    array([1., 5.])
    """
    a = as_array(a)
    n = _ndim(a)
    if n < 2:
        raise ValueError("diag requires an array of at least two dimensions")
    ax1, ax2 = normalize_axis_index(axis1, n), normalize_axis_index(axis2, n)
    if ax1 == ax2:
        raise ValueError("axis1 and axis2 cannot be the same")
    rows, cols = _shape(a)[ax1], _shape(a)[ax2]
    offset = operator.index(offset)
    if offset >= 0:
        length = max(0, min(rows, cols - offset))
        i = np.arange(length)
        j = i + offset
    else:
        length = max(0, min(rows + offset, cols))
        j = np.arange(length)
        i = j - offset
    moved = moveaxis(a, (ax1, ax2), (-2, -1))
    return _fnp().getitem(moved, (Ellipsis, i, j))


def diag(v: Any, k: int = 0) -> Any:
    """Differentiable ``numpy.diag``: the ``k``-th diagonal of a 2-d array, or a
    2-d array with the 1-d ``v`` on its ``k``-th diagonal.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.diag(np.array([1.0, 2.0]), k=1)
    array([[0., 1., 0.],
           [0., 0., 2.],
           [0., 0., 0.]])
    """
    v = as_array(v)
    k = operator.index(k)
    if _ndim(v) == 2:
        return diagonal(v, k)
    if _ndim(v) != 1:
        raise ValueError("Input must be 1- or 2-d.")
    m = _shape(v)[0]
    n = m + abs(k)
    mask = np.eye(n, n, k, dtype=bool)
    padded = _pad_constant(v, np.array([[0, abs(k)]]), 0, {}) if k else v
    placed = _reshape(padded, (n, 1) if k >= 0 else (1, n))
    return _fnp().where(mask, placed, np.zeros((), dtype_of(v)))


def diagflat(v: Any, k: int = 0) -> Any:
    """Differentiable ``numpy.diagflat``: ``diag`` of the flattened input.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.diagflat(np.array([[1.0, 2.0]]))
    array([[1., 0.],
           [0., 2.]])
    """
    return diag(_reshape(as_array(v), (-1,)), k)


def trace(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None,
          out: None = None) -> Any:
    """Differentiable ``numpy.trace``: the sum along a diagonal.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.trace(np.arange(4.0).reshape(2, 2))
    np.float64(3.0)
    """
    if out is not None:
        raise TypeError("funcgrad.numpy.trace does not support out=: use the returned value")
    return _fnp().sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)


def _triangle(m: Any, k: int, upper: bool) -> Any:
    m = as_array(m)
    shape = _shape(m)
    if len(shape) == 0:
        raise ValueError("input array must be at least 1-d")
    rows, cols = shape[-2:] if len(shape) >= 2 else (shape[-1], shape[-1])
    k = operator.index(k)
    keep = ~np.tri(rows, cols, k - 1, dtype=bool) if upper else np.tri(rows, cols, k, dtype=bool)
    return _fnp().where(keep, m, np.zeros((), dtype_of(m)))


def triu(m: Any, k: int = 0) -> Any:
    """Differentiable ``numpy.triu``: zero below the ``k``-th diagonal.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.triu(np.ones((2, 2)))
    array([[1., 1.],
           [0., 1.]])
    """
    return _triangle(m, k, True)


def tril(m: Any, k: int = 0) -> Any:
    """Differentiable ``numpy.tril``: zero above the ``k``-th diagonal.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.tril(np.ones((2, 2)))
    array([[1., 0.],
           [1., 1.]])
    """
    return _triangle(m, k, False)


# --- sorting -----------------------------------------------------------------------

def _gather_along(a: Any, index: np.ndarray, axis: int) -> Any:
    full = list(np.indices(index.shape, sparse=True))
    full[axis] = index
    return _fnp().getitem(a, tuple(full))


def sort(a: Any, axis: Optional[int] = -1, kind: Any = None, order: Any = None,
         *, stable: Any = None) -> Any:
    """Differentiable ``numpy.sort``: the gradient follows the sorting
    permutation (ties keep their original order, as a stable sort does).

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda x: fnp.sort(x)[0])(np.array([3.0, 1.0, 2.0]))
    array([0., 1., 0.])
    """
    if order is not None:
        raise TypeError("funcgrad.numpy.sort does not support order= (structured arrays)")
    a = as_array(a)
    if axis is None:
        a = _reshape(a, (-1,))
        axis = 0
    axis = normalize_axis_index(axis, _ndim(a))
    perm = _fnp().argsort(a, axis=axis, kind="stable")  # (batched under vmap)
    return _gather_along(a, perm, axis)


def partition(a: Any, kth: Any, axis: Optional[int] = -1, kind: str = "introselect",
              order: Any = None) -> Any:
    """Differentiable ``numpy.partition``: the gradient follows the permutation
    ``numpy.argpartition`` picks.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> float(fnp.partition(np.array([3.0, 1.0, 2.0]), 1)[1])
    2.0
    """
    if order is not None:
        raise TypeError("funcgrad.numpy.partition does not support order=")
    a = as_array(a)
    if axis is None:
        a = _reshape(a, (-1,))
        axis = 0
    axis = normalize_axis_index(axis, _ndim(a))
    perm = _fnp().argpartition(a, kth, axis=axis, kind=kind)
    return _gather_along(a, perm, axis)


def sort_complex(a: Any) -> Any:
    """Differentiable ``numpy.sort_complex``: sort by real part, then imaginary
    part; the result is complex (complex128 for real inputs, as in NumPy).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.sort_complex(np.array([2.0, 1.0]))
    array([1.+0.j, 2.+0.j])
    """
    b = sort(a)
    kind = dtype_of(b).char
    if kind in "bBhH":
        want = np.dtype("F")
    elif kind == "g":
        want = np.dtype("G")
    elif dtype_of(b).kind == "c":
        return b
    else:
        want = np.dtype("D")
    return _fnp().astype(b, want)


_NOTES = {
    "ravel": "order 'A'/'K' read Fortran order only for Fortran-contiguous values.",
    "flatten": "The ndarray method as a function (not a NumPy function).",
    "broadcast_to": "The gradient sums over the broadcast axes.",
    "tile": "The gradient sums the tiles.",
    "repeat": "The gradient sums the copies.",
    "pad": "Modes constant, edge, reflect, symmetric, wrap: a copied element's gradient "
           "flows to its source (reflect_type='odd' as a linear map); constant_values may "
           "be traced. "
           "Modes linear_ramp, maximum, minimum (ties share), mean, median: through the "
           "ramps and statistics of the edges.",
    "sort": "The gradient follows the sorting permutation; tied elements keep their order "
            "(stable), so each receives the gradient of its own output position.",
    "partition": "The gradient follows the permutation numpy.argpartition picks.",
    "triu": "Zeroed entries get no gradient.",
    "tril": "Zeroed entries get no gradient.",
}

for _name, _fn in [("reshape", reshape), ("ravel", ravel), ("flatten", flatten),
                   ("transpose", transpose), ("moveaxis", moveaxis),
                   ("broadcast_to", broadcast_to), ("broadcast_arrays", broadcast_arrays),
                   ("squeeze", squeeze), ("expand_dims", expand_dims),
                   ("atleast_1d", atleast_1d), ("atleast_2d", atleast_2d),
                   ("atleast_3d", atleast_3d), ("flip", flip), ("fliplr", fliplr),
                   ("flipud", flipud), ("roll", roll), ("rot90", rot90), ("tile", tile),
                   ("repeat", repeat), ("pad", pad), ("diagonal", diagonal), ("diag", diag),
                   ("diagflat", diagflat), ("trace", trace), ("triu", triu), ("tril", tril),
                   ("sort", sort), ("partition", partition), ("rollaxis", rollaxis),
                   ("matrix_transpose", matrix_transpose), ("sort_complex", sort_complex)]:
    register(_name, _fn, F, notes=_NOTES.get(_name, ""))
alias("permute_dims", "transpose")


# --- JVP rules (forward mode) -----------------------------------------------
# Every primitive here is linear: the tangent goes through the primitive itself.
for _p in (_reshape, _transpose, swapaxes, _broadcast_to, _flip, _roll, _split):
    defjvp_linear(_p)
defjvp_linear(_concatenate, argnums=None)

# --- batching rules (vmap) ------------------------------------------------
from .._core import defbatch as _defbatch  # noqa: E402
from . import _batching as _B  # noqa: E402

_defbatch(_B.reshape, _reshape)
_defbatch(_B.transpose, _transpose)
_defbatch(_B.axis_pair_rule(1, 2), swapaxes)
_defbatch(_B.broadcast_to, _broadcast_to)
_defbatch(_B.concatenate, _concatenate)
_defbatch(_B.axis_rule(pos=2), _split)
_defbatch(_B.axis_rule("axes", none="all"), _flip)
_defbatch(_B.axis_rule(pos=2, none="flat"), _roll)
