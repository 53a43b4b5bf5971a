"""Indexing of traced arrays, gathers and selections, and JAX-style
functional updates (``x.at[idx].set(v)``).

Every gather here (``x[idx]``, ``take``, ``take_along_axis``, ``compress``,
``extract``, ``choose``) is the ``getitem`` primitive, whose VJP scatters the
cotangent back with ``np.add.at``: repeated integer indices accumulate. The
VJP of that scatter is the gather again, so indexing is exact at any order.

Traced arrays are immutable. ``x.at[idx].set(v)`` (or
``funcgrad.numpy.at(x)[idx].set(v)``, which works on plain ndarrays too)
returns the updated array; it is differentiable in ``x`` and ``v``. With
repeated indices, ``add``/``multiply``/``min``/``max`` apply every update
(as ``np.add.at`` and friends) and ``set`` keeps the last write in the
index's C order (as NumPy's ``x[idx] = v`` does in practice).
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from .._core.primitive import defjvp_linear

from .._core import Box, concrete as _concrete
from .._core.staging import strip_to_staged
from ._registry import namespace as _fnp
from ._registry import REGISTRY, dtype_of, primitive, register, shape_of

F = "indexing"


def _batching() -> Any:
    from . import _batching
    return _batching


# --- index normalisation ------------------------------------------------------
def _index_part(i: Any) -> Any:
    if isinstance(i, Box):
        v = np.asarray(_concrete(i))
        if v.dtype.kind not in "iub":
            raise IndexError(
                "only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) "
                f"and integer or boolean arrays are valid indices; got a traced {v.dtype} "
                "array. Indices carry no gradient: compute them from concrete values "
                "(or funcgrad.stop_gradient(...)) and cast them to an integer dtype.")
        return v
    if isinstance(i, list):
        v = np.asarray([_concrete(e) for e in i])
        return v.astype(np.intp) if v.size == 0 else v
    return i


def normalize_index(index: Any) -> tuple:
    """``index`` as a tuple of slices, ints, ``None``, ``...`` and ndarrays,
    with any traced integer/boolean arrays replaced by their values (indices
    are constants). A bare list is an integer/boolean array, as in NumPy.

    >>> from funcgrad.numpy.indexing import normalize_index
    >>> normalize_index([0, 2])
    (array([0, 2]),)
    >>> normalize_index((slice(1, None), None))
    (slice(1, None, None), None)
    """
    if isinstance(index, tuple):
        return tuple(_index_part(i) for i in index)
    return (_index_part(index),)


def _has_advanced(index: tuple) -> bool:
    return any(isinstance(i, np.ndarray) for i in index)


# --- the gather and scatter primitives --------------------------------------------
def _scatter_add_impl(v: Any, shape: tuple, index: tuple) -> np.ndarray:
    v = np.asarray(v)
    out = np.zeros(shape, dtype=v.dtype)
    if _has_advanced(index) and any(i.dtype.kind != "b" for i in index
                                    if isinstance(i, np.ndarray)):
        np.add.at(out, index, v)  # integer arrays may repeat an element: accumulate
    else:
        out[index] = v  # basic indices and masks select every element at most once
    return out


_getitem = primitive("getitem", lambda x, index: np.asarray(x)[index],
                     lambda g, ans, x, index: _scatter_add(g, shape=tuple(x.shape), index=index),
                     family=F, saves_values=False, register_as="_getitem",
                     notes="Basic, integer-array and boolean indices, None and Ellipsis; "
                           "repeated integer indices accumulate in the gradient.")

_scatter_add = primitive("scatter_add", _scatter_add_impl,
                         lambda g, ans, v, shape, index: _getitem(g, index=index),
                         family=F, saves_values=False, register_as="_scatter_add",
                         notes="zeros(shape) with v added at index (repeats accumulate).")


def getitem(x: Any, index: Any) -> Any:
    """``x[index]``, differentiable in ``x`` (what ``Tracer.__getitem__`` calls).

    >>> import funcgrad, numpy as np
    >>> from funcgrad.numpy import getitem
    >>> funcgrad.grad(lambda x: getitem(x, [0, 0, 2]).sum())(np.ones(3))
    array([2., 0., 1.])
    """
    if isinstance(index, Box) or type(index) is tuple and any(isinstance(i, Box) for i in index):
        if _batched_traces(index):  # indices batched by vmap
            return _batching().gather(x, index)
    return _getitem(x, index=normalize_index(index))


def scatter_add(v: Any, shape: Sequence[int], index: Any) -> Any:
    """A zero array of ``shape`` with ``v`` added at ``index`` (the transpose
    of ``getitem``; repeated indices accumulate).

    >>> import numpy as np
    >>> from funcgrad.numpy import scatter_add
    >>> scatter_add(np.array([1.0, 2.0, 3.0]), (3,), [0, 0, 2])
    array([3., 0., 3.])
    """
    return _scatter_add(v, shape=tuple(shape), index=normalize_index(index))


def _positions(shape: tuple, index: tuple) -> np.ndarray:
    """The flat position (into ``x.ravel()``) of every element of ``x[index]``."""
    return np.arange(int(np.prod(shape, dtype=np.int64)), dtype=np.intp).reshape(shape)[index]


def _no_out(out: Any, name: str) -> None:
    if out is not None:
        raise TypeError(f"funcgrad.numpy.{name} does not support out=: traced arrays are "
                        "immutable; use the returned array")


def _fix_indices(indices: np.ndarray, n: int, mode: str, name: str) -> np.ndarray:
    if mode == "raise":
        return indices
    if mode == "wrap":
        return np.mod(indices, n) if n else indices
    if mode == "clip":
        return np.clip(indices, 0, max(n - 1, 0))
    raise ValueError(f"{name}: mode must be 'raise', 'wrap' or 'clip', got {mode!r}")


def _int_indices(indices: Any, name: str) -> np.ndarray:
    v = np.asarray(_concrete(indices))
    if v.size == 0 and v.dtype.kind == "f":
        v = v.astype(np.intp)
    if v.dtype.kind not in "iu":
        raise TypeError(f"{name}: indices must be integers, got dtype {v.dtype}")
    return v


# --- public gathers ------------------------------------------------------------------
def take(a: Any, indices: Any, axis: Optional[int] = None, out: None = None,
         mode: str = "raise") -> Any:
    """Differentiable ``numpy.take``: elements of ``a`` at ``indices`` along
    ``axis`` (the flattened array if ``axis`` is None). Repeated indices
    accumulate in the gradient.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda x: fnp.take(x, [1, 1, 0]).sum())(np.zeros(3))
    array([1., 2., 0.])
    """
    _no_out(out, "take")
    idx = _int_indices(indices, "take")
    fnp = _fnp()
    if axis is None:
        a = fnp.reshape(a, (-1,))
        axis = 0
    shape = shape_of(a)
    ax = axis % len(shape) if shape else axis
    idx = _fix_indices(idx, shape[ax], mode, "take")
    return getitem(a, (slice(None),) * ax + (idx,))


def _along_axis_index(shape: tuple, indices: np.ndarray, axis: int) -> tuple:
    """The fancy index that makes ``x[index]`` equal ``take_along_axis(x, indices, axis)``."""
    nd = len(shape)
    if indices.ndim != nd:
        raise ValueError("take_along_axis: `indices` and `arr` must have the same number of "
                         f"dimensions, got {indices.ndim} and {nd}")
    out = []
    for d in range(nd):
        if d == axis:
            out.append(indices)
        else:
            view = [1] * nd
            view[d] = shape[d]
            out.append(np.arange(shape[d]).reshape(view))
    return tuple(out)


def _batched_traces(x: Any) -> list:
    from .._core.batching import batched_traces
    return batched_traces(x)


def take_along_axis(arr: Any, indices: Any, axis: Optional[int] = -1) -> Any:
    """Differentiable ``numpy.take_along_axis`` (gathers like ``argsort``
    results; repeated indices accumulate in the gradient).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> x = np.array([[3.0, 1.0, 2.0]])
    >>> fnp.take_along_axis(x, np.argsort(x, axis=1), axis=1)
    array([[1., 2., 3.]])
    """
    idx = indices if _batched_traces(indices) else _int_indices(indices, "take_along_axis")
    if axis is None:
        if idx.ndim != 1:
            raise ValueError("take_along_axis: when axis=None, `indices` must have a single "
                             "dimension.")
        return getitem(_fnp().reshape(arr, (-1,)), (idx,))
    shape = shape_of(arr)
    ax = axis % len(shape) if shape else axis
    return getitem(arr, _along_axis_index(shape, idx, ax))


def put_along_axis(arr: Any, indices: Any, values: Any, axis: Optional[int],
                   inplace: bool = True) -> Any:
    """``numpy.put_along_axis``, with a functional form ``inplace=False``
    (as in JAX) that returns the updated array, differentiable in ``arr``
    and ``values``. The default in-place form works only on plain arrays
    with plain values, exactly like NumPy (it returns None).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.put_along_axis(np.zeros((1, 3)), np.array([[2]]), 5.0, axis=1, inplace=False)
    array([[0., 0., 5.]])
    """
    traced = isinstance(arr, Box) or isinstance(values, Box)
    if inplace:
        if traced:
            raise TypeError(
                "numpy.put_along_axis writes into its first argument in place, which a "
                "traced computation cannot record. Use the functional form "
                "funcgrad.numpy.put_along_axis(arr, indices, values, axis, inplace=False) "
                "or x.at[idx].set(v).")
        return np.put_along_axis(arr, indices, values, axis)
    idx = _int_indices(indices, "put_along_axis")
    if axis is None:
        flat = _fnp().reshape(arr, (-1,))
        return _fnp().reshape(at(flat)[(idx.ravel(),)].set(values), shape_of(arr))
    shape = shape_of(arr)
    ax = axis % len(shape) if shape else axis
    return at(arr)[_along_axis_index(shape, idx, ax)].set(values)


def _in_place_only(name: str, traced: bool) -> None:
    if traced:
        raise TypeError(
            f"numpy.{name} writes into its first argument in place, which a traced "
            f"computation cannot record. Use the functional form "
            f"funcgrad.numpy.{name}(..., inplace=False), which returns the new array, "
            "or x.at[idx].set(v).")


def _cyclic(values: Any, n: int, name: str) -> Any:
    """``values`` flattened and repeated cyclically to length ``n`` (NumPy's rule
    for flat assignments); repeated entries accumulate their gradients."""
    fnp = _fnp()
    flat = fnp.reshape(values, (-1,))
    m = shape_of(flat)[0]
    if m == n:
        return flat
    if m == 0:
        if n == 0:
            return flat
        raise ValueError(f"{name}: cannot repeat an empty array of values")
    return getitem(flat, (np.arange(n) % m,))


def _flat_set(a: Any, positions: np.ndarray, values: Any) -> Any:
    fnp = _fnp()
    shape = shape_of(a)
    return fnp.reshape(at(fnp.reshape(a, (-1,)))[(positions,)].set(values), shape)


def _is_traced(*xs: Any) -> bool:
    return any(isinstance(x, Box) for x in xs)


def put(a: Any, ind: Any, v: Any, mode: str = "raise", inplace: bool = True) -> Any:
    """``numpy.put`` (``a.flat[ind] = v``, ``v`` repeated as needed), with a
    functional form ``inplace=False`` (as JAX's) that returns the new array,
    differentiable in ``a`` and ``v``. Repeated indices: the last write wins.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.put(np.zeros(4), [0, 2], [1.0, 2.0], inplace=False)
    array([1., 0., 2., 0.])
    """
    if inplace:
        _in_place_only("put", _is_traced(a, v))
        return np.put(a, ind, v, mode=mode)
    idx = _int_indices(ind, "put").ravel()
    n = int(np.prod(shape_of(a), dtype=np.int64))
    idx = _fix_indices(idx, n, mode, "put")
    return _flat_set(a, idx, _cyclic(v, idx.size, "put"))


def place(arr: Any, mask: Any, vals: Any, inplace: bool = True) -> Any:
    """``numpy.place`` (``arr[mask] = vals``, ``vals`` repeated as needed), with
    a functional form ``inplace=False`` that returns the new array,
    differentiable in ``arr`` and ``vals``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.place(np.zeros(4), np.array([True, False, True, True]), [1.0, 2.0], inplace=False)
    array([1., 0., 2., 1.])
    """
    if inplace:
        _in_place_only("place", _is_traced(arr, vals))
        return np.place(arr, mask, vals)
    m = np.asarray(_concrete(mask), bool).ravel()
    positions = np.flatnonzero(m)
    return _flat_set(arr, positions, _cyclic(vals, positions.size, "place"))


def putmask(a: Any, mask: Any, values: Any, inplace: bool = True) -> Any:
    """``numpy.putmask`` (``a[mask] = values[i]`` for the flat position ``i``,
    ``values`` repeated as needed), with a functional form ``inplace=False``
    that returns the new array, differentiable in ``a`` and ``values``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.putmask(np.zeros(4), np.array([True, False, True, False]), [1.0, 2.0], inplace=False)
    array([1., 0., 1., 0.])
    """
    if inplace:
        _in_place_only("putmask", _is_traced(a, values))
        return np.putmask(a, mask, values)
    shape = shape_of(a)
    m = np.broadcast_to(np.asarray(_concrete(mask), bool), shape)
    n = int(np.prod(shape, dtype=np.int64))
    positions = np.flatnonzero(m)
    full = _cyclic(values, n, "putmask")
    return _flat_set(a, positions, getitem(full, (positions,)))


def fill_diagonal(a: Any, val: Any, wrap: bool = False, inplace: bool = True) -> Any:
    """``numpy.fill_diagonal``, with a functional form ``inplace=False`` that
    returns the new array, differentiable in ``a`` and ``val``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.fill_diagonal(np.zeros((2, 2)), 5.0, inplace=False)
    array([[5., 0.],
           [0., 5.]])
    """
    if inplace:
        _in_place_only("fill_diagonal", _is_traced(a, val))
        return np.fill_diagonal(a, val, wrap=wrap)
    shape = shape_of(a)
    if len(shape) < 2:
        raise ValueError("array must be at least 2-d")
    end = None
    if len(shape) == 2:
        step = shape[1] + 1
        if not wrap:
            end = shape[1] * shape[1]
    else:
        if len(set(shape)) != 1:
            raise ValueError("All dimensions of input must be of equal length")
        step = 1 + int(np.cumprod(shape[:-1]).sum())
    positions = np.arange(int(np.prod(shape, dtype=np.int64)))[:end:step]
    return _flat_set(a, positions, _cyclic(val, positions.size, "fill_diagonal"))


def compress(condition: Any, a: Any, axis: Optional[int] = None, out: None = None) -> Any:
    """Differentiable ``numpy.compress``: the slices of ``a`` along ``axis``
    where the 1-d ``condition`` is true.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.compress([True, False, True], np.array([1.0, 2.0, 3.0]))
    array([1., 3.])
    """
    _no_out(out, "compress")
    cond = np.asarray(_concrete(condition))
    if cond.ndim != 1:
        raise ValueError("condition must be a 1-d array")
    return take(a, np.flatnonzero(cond), axis=axis)


def extract(condition: Any, arr: Any) -> Any:
    """Differentiable ``numpy.extract``: ``ravel(arr)`` where ``ravel(condition)``
    is nonzero.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.extract(np.array([[1, 0], [0, 1]]), np.array([[1.0, 2.0], [3.0, 4.0]]))
    array([1., 4.])
    """
    cond = np.asarray(_concrete(condition))
    return take(arr, np.flatnonzero(cond.ravel()))


def choose(a: Any, choices: Any, out: None = None, mode: str = "raise") -> Any:
    """Differentiable ``numpy.choose``: ``choices[a[i]][i]`` for every ``i``
    (all broadcast together); the gradient flows to the chosen entries.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.choose(np.array([0, 1, 0]), [np.zeros(3), np.ones(3)])
    array([0., 1., 0.])
    """
    _no_out(out, "choose")
    fnp = _fnp()
    sel = _int_indices(a, "choose")
    if isinstance(choices, (list, tuple)):
        items = list(choices)
    else:
        n = shape_of(choices)[0]
        items = [getitem(choices, k) for k in range(n)]
    sel = _fix_indices(sel, len(items), mode, "choose")
    shape = np.broadcast_shapes(sel.shape, *(shape_of(c) for c in items))
    stacked = fnp.stack([fnp.broadcast_to(c, shape) for c in items])
    grids = np.indices(shape, sparse=True) if shape else ()
    return getitem(stacked, (np.broadcast_to(sel, shape),) + tuple(grids))


def select(condlist: Sequence[Any], choicelist: Sequence[Any], default: Any = 0) -> Any:
    """Differentiable ``numpy.select``: where ``condlist[k]`` is the first true
    condition, ``choicelist[k]``; ``default`` where none is. Gradients flow to
    the chosen entries and to ``default``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> x = np.array([-1.0, 0.5, 3.0])
    >>> fnp.select([x < 0, x > 1], [-x, x * 10], default=x)
    array([ 1. ,  0.5, 30. ])
    """
    if len(condlist) != len(choicelist):
        raise ValueError("list of cases must be same length as list of conditions")
    if len(choicelist) == 0:
        raise ValueError("select with an empty condition list is not possible")
    conds = [np.asarray(_concrete(c)) for c in condlist]
    for c in conds:
        if c.dtype != np.bool_:
            raise TypeError(f"invalid entry in condlist: should be boolean ndarray, got {c.dtype}")
    dtype = np.result_type(*(dtype_of(c) if hasattr(c, "dtype") else c for c in choicelist),
                           dtype_of(default) if hasattr(default, "dtype") else default)
    fnp = _fnp()
    result = fnp.astype(default, dtype) if dtype.kind in "fc" else default
    for c, choice in zip(reversed(conds), reversed(list(choicelist))):
        result = _where_prim(c, choice, result)
    shape = np.broadcast_shapes(*(c.shape for c in conds), *(shape_of(c) for c in choicelist),
                                shape_of(default))
    if shape_of(result) != shape:
        result = fnp.broadcast_to(result, shape)
    if dtype_of(result) != dtype:
        result = fnp.astype(result, dtype)
    return result


from .elementwise import where as _where_prim  # noqa: E402  (the 3-argument primitive)


def where(condition: Any, x: Any = None, y: Any = None) -> Any:
    """Differentiable ``numpy.where``. With three arguments: ``x`` where
    ``condition`` holds, else ``y`` (differentiable in ``x`` and ``y``; the
    condition is a constant). With only ``condition``: its nonzero indices,
    a constant (``numpy.nonzero``).

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda x: fnp.where(x > 0, x, 0.0).sum())(np.array([-1.0, 2.0]))
    array([0., 1.])
    >>> fnp.where(np.array([0, 3, 5]))
    (array([1, 2]),)
    """
    if x is None and y is None:
        return np.nonzero(np.asarray(_concrete(condition)))
    if x is None or y is None:
        raise ValueError("either both or neither of x and y should be given")
    return _where_prim(condition if _batched_traces(condition) else strip_to_staged(condition), x, y)


def bincount(x: Any, weights: Any = None, minlength: int = 0) -> Any:
    """``numpy.bincount``, differentiable in ``weights`` (the counts of ``x``
    are constants): the sum of the weights that fall in each bin.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda w: fnp.bincount([0, 2, 2], w)[2])(np.ones(3))
    array([0., 1., 1.])
    """
    xs = np.asarray(_concrete(x))
    if weights is None or not isinstance(weights, Box):
        return np.bincount(xs, weights=weights, minlength=minlength)
    if xs.ndim != 1:
        raise ValueError("object too deep for desired array")
    if dtype_of(weights).kind == "c":
        raise TypeError("Cannot cast array data from dtype('complex128') to dtype('float64')")
    n = max(int(xs.max()) + 1 if xs.size else 0, int(minlength))
    w = _fnp().astype(weights, np.float64)
    return scatter_add(w, (n,), (xs,))


# The 3-argument ``where`` primitive is defined with the elementwise rules (which
# use it); the public ``where`` is this module's wrapper, which adds the
# one-argument form, so it replaces the primitive's public registration.
if "where" in REGISTRY and REGISTRY["where"].fn is _where_prim:
    del REGISTRY["where"]

for _name, _fn in [("take", take), ("take_along_axis", take_along_axis),
                   ("compress", compress), ("extract", extract), ("choose", choose),
                   ("select", select), ("where", where)]:
    register(_name, _fn, F, notes={
        "take": "Repeated indices accumulate; mode 'raise', 'wrap', 'clip'.",
        "take_along_axis": "Repeated indices accumulate.",
        "compress": "The condition is a constant.",
        "extract": "The condition is a constant.",
        "choose": "The index array is a constant; mode 'raise', 'wrap', 'clip'.",
        "select": "Conditions are constants; the first true condition wins.",
        "where": "The condition is a constant; where(condition) (one argument) returns "
                 "constant indices like nonzero.",
    }[_name])
register("put_along_axis", put_along_axis, F,
         notes="Functional form put_along_axis(..., inplace=False) is differentiable in arr "
               "and values; the in-place form rejects traced arrays.")
for _name, _fn in [("put", put), ("place", place), ("putmask", putmask),
                   ("fill_diagonal", fill_diagonal)]:
    register(_name, _fn, F, notes="Functional form (..., inplace=False) is differentiable in "
                                  "the array and the values (repeated cyclically, as NumPy); "
                                  "the in-place form rejects traced arrays.")
register("bincount", bincount, F,
         notes="Differentiable in weights (float64, as NumPy); counts are constants.")


# --- functional updates: x.at[idx].op(v) ---------------------------------------------
class _IndexUpdateHelper:
    """What ``x.at`` returns: index it to get an :class:`_IndexUpdateRef`.

    >>> import numpy as np
    >>> from funcgrad.numpy import at
    >>> at(np.zeros(3))[1].set(5.0)
    array([0., 5., 0.])
    """

    __slots__ = ("array",)

    def __init__(self, array: Any) -> None:
        self.array = array

    def __getitem__(self, index: Any) -> "_IndexUpdateRef":
        return _IndexUpdateRef(self.array, index)

    def __repr__(self) -> str:
        return f"_IndexUpdateHelper({self.array!r})"


_MODES = (None, "raise", "promise_in_bounds")


class _IndexUpdateRef:
    """``x.at[index]``: each method returns a new array, ``x`` is unchanged.

    Methods: ``get()``, ``set(v)``, ``add(v)``, ``subtract(v)``,
    ``multiply(v)``, ``divide(v)``, ``power(v)``, ``min(v)``, ``max(v)``,
    ``apply(func)``. ``v`` broadcasts
    to the shape of ``x[index]`` and is cast to ``x``'s dtype. Out-of-bounds
    indices raise ``IndexError`` (NumPy's behaviour; JAX's ``mode='drop'``
    and ``'clip'`` are not supported). JAX's ``indices_are_sorted`` and
    ``unique_indices`` hints are accepted and ignored.
    """

    __slots__ = ("array", "index")

    def __init__(self, array: Any, index: Any) -> None:
        self.array = array
        self.index = index

    def __repr__(self) -> str:
        return f"_IndexUpdateRef({self.array!r}, {self.index!r})"

    def get(self, *, indices_are_sorted: bool = False, unique_indices: bool = False,
            mode: Optional[str] = None, fill_value: Any = None) -> Any:
        """``x[index]``.

        >>> import numpy as np
        >>> from funcgrad.numpy import at
        >>> at(np.arange(4.0))[1:3].get()
        array([1., 2.])
        """
        _check_mode(mode, fill_value)
        return getitem(self.array, self.index)

    def set(self, values: Any, *, indices_are_sorted: bool = False, unique_indices: bool = False,
            mode: Optional[str] = None) -> Any:
        """A copy of ``x`` with ``x[index] = values``; with repeated indices the
        last write in C order wins (its value gets the gradient, the
        overwritten ones get zero).

        >>> import numpy as np
        >>> from funcgrad.numpy import at
        >>> at(np.zeros(3))[[0, 0]].set(np.array([1.0, 2.0]))
        array([2., 0., 0.])
        """
        _check_mode(mode)
        return _update(self.array, self.index, values, "set")

    def add(self, values: Any, *, indices_are_sorted: bool = False, unique_indices: bool = False,
            mode: Optional[str] = None) -> Any:
        """A copy of ``x`` with ``values`` added at ``index`` (repeats accumulate,
        like ``np.add.at``).

        >>> import numpy as np
        >>> from funcgrad.numpy import at
        >>> at(np.zeros(3))[[0, 0, 2]].add(1.0)
        array([2., 0., 1.])
        """
        _check_mode(mode)
        return _update(self.array, self.index, values, "add")

    def subtract(self, values: Any, *, indices_are_sorted: bool = False,
                 unique_indices: bool = False, mode: Optional[str] = None) -> Any:
        """A copy of ``x`` with ``values`` subtracted at ``index`` (repeats accumulate).

        >>> import numpy as np
        >>> from funcgrad.numpy import at
        >>> at(np.zeros(2))[1].subtract(3.0)
        array([ 0., -3.])
        """
        _check_mode(mode)
        return _update(self.array, self.index, _fnp().negative(values), "add")

    def multiply(self, values: Any, *, indices_are_sorted: bool = False,
                 unique_indices: bool = False, mode: Optional[str] = None) -> Any:
        """A copy of ``x`` multiplied by ``values`` at ``index`` (repeats multiply
        in turn, like ``np.multiply.at``; exact gradients even with zeros).

        >>> import numpy as np
        >>> from funcgrad.numpy import at
        >>> at(np.ones(3))[[1, 1]].multiply(3.0)
        array([1., 9., 1.])
        """
        _check_mode(mode)
        return _update(self.array, self.index, values, "multiply")

    def divide(self, values: Any, *, indices_are_sorted: bool = False,
               unique_indices: bool = False, mode: Optional[str] = None) -> Any:
        """A copy of ``x`` divided by ``values`` at ``index``.

        >>> import numpy as np
        >>> from funcgrad.numpy import at
        >>> at(np.ones(2))[0].divide(4.0)
        array([0.25, 1.  ])
        """
        _check_mode(mode)
        return _update(self.array, self.index, _fnp().divide(1.0, values), "multiply")

    def min(self, values: Any, *, indices_are_sorted: bool = False, unique_indices: bool = False,
            mode: Optional[str] = None) -> Any:
        """A copy of ``x`` with ``minimum(x[index], values)`` at ``index``
        (repeats apply in turn; ties share the gradient like ``minimum``).

        >>> import numpy as np
        >>> from funcgrad.numpy import at
        >>> at(np.array([1.0, 5.0]))[:].min(2.0)
        array([1., 2.])
        """
        _check_mode(mode)
        return _update(self.array, self.index, values, "min")

    def max(self, values: Any, *, indices_are_sorted: bool = False, unique_indices: bool = False,
            mode: Optional[str] = None) -> Any:
        """A copy of ``x`` with ``maximum(x[index], values)`` at ``index``
        (repeats apply in turn; ties share the gradient like ``maximum``).

        >>> import numpy as np
        >>> from funcgrad.numpy import at
        >>> at(np.array([1.0, 5.0]))[:].max(2.0)
        array([2., 5.])
        """
        _check_mode(mode)
        return _update(self.array, self.index, values, "max")


    def power(self, values: Any, *, indices_are_sorted: bool = False,
              unique_indices: bool = False, mode: Optional[str] = None) -> Any:
        """A copy of ``x`` with ``x[index] ** values`` at ``index`` (repeats apply
        in turn).

        >>> import numpy as np
        >>> from funcgrad.numpy import at
        >>> at(np.array([2.0, 3.0]))[1].power(2.0)
        array([2., 9.])
        """
        _check_mode(mode)
        return _update(self.array, self.index, values, "power")

    def apply(self, func: Any, *, indices_are_sorted: bool = False,
              unique_indices: bool = False, mode: Optional[str] = None) -> Any:
        """A copy of ``x`` with the elementwise function ``func`` applied at
        ``index`` (once per occurrence of a repeated index); ``func`` is
        differentiated like any other code.

        >>> import numpy as np
        >>> from funcgrad.numpy import at
        >>> at(np.array([4.0, 9.0]))[[1, 1]].apply(np.sqrt)
        array([4.        , 1.73205081])
        """
        _check_mode(mode)
        return _update(self.array, self.index, func, "apply")


def _check_mode(mode: Optional[str], fill_value: Any = None) -> None:
    if mode not in _MODES or fill_value is not None:
        raise NotImplementedError(
            f"x.at[...]: mode={mode!r} is not supported; funcgrad follows NumPy and raises "
            "IndexError for out-of-bounds indices (clip or filter the indices yourself).")


def at(x: Any) -> _IndexUpdateHelper:
    """JAX-style functional updates for any array, traced or plain:
    ``at(x)[idx].set(v)`` is ``x.at[idx].set(v)`` (plain ndarrays have no
    ``.at``). Returns new arrays; ``x`` is never modified.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> fnp.at(np.zeros(3))[1].add(2.0)
    array([0., 2., 0.])
    >>> funcgrad.grad(lambda v: fnp.at(np.zeros(3))[[0, 0]].add(v).sum())(1.5)
    np.float64(2.0)
    """
    if not isinstance(x, Box):
        x = np.asarray(x)
    return _IndexUpdateHelper(x)


def _rounds(p: np.ndarray) -> list:
    """Split the entries of ``p`` into rounds in which no position repeats
    (round k holds the k-th occurrence of each position, in C order)."""
    if p.size == 0:
        return []
    order = np.argsort(p, kind="stable")
    sp = p[order]
    starts = np.flatnonzero(np.r_[True, sp[1:] != sp[:-1]])
    group_start = np.repeat(starts, np.diff(np.r_[starts, sp.size]))
    rank = np.empty(p.size, np.intp)
    rank[order] = np.arange(sp.size) - group_start
    return [np.flatnonzero(rank == k) for k in range(int(rank.max()) + 1)]


def _update(x: Any, index: Any, values: Any, op: str) -> Any:
    fnp = _fnp()
    idx = normalize_index(index)
    shape = tuple(shape_of(x))
    dtype = dtype_of(x)
    pos = _positions(shape, idx)
    if op == "apply":
        func = values
        v = np.zeros(pos.shape, dtype)  # placeholder: the updates come from func
    else:
        v = values if dtype_of(values) == dtype else fnp.astype(values, dtype) \
            if dtype.kind in "fc" else np.asarray(_concrete(values)).astype(dtype)
        v = fnp.broadcast_to(v, pos.shape) if shape_of(v) != pos.shape else v
    if op == "add":
        return fnp.add(x, _scatter_add(v, shape=shape, index=idx))
    n = int(np.prod(shape, dtype=np.int64))
    p = pos.ravel()
    u = fnp.reshape(v, (-1,))
    flat = fnp.reshape(x, (-1,))
    if op == "set":
        rev_first = np.unique(p[::-1], return_index=True)[1]
        if rev_first.size != p.size:  # repeated positions: only the last write lands
            last = np.sort(p.size - 1 - rev_first)
            p = p[last]
            u = _getitem(u, index=(last,))
        hit = np.zeros(n, bool)
        hit[p] = True
        out = _where_prim(hit, _scatter_add(u, shape=(n,), index=(p,)), flat)
        return fnp.reshape(out, shape)
    for sel in _rounds(p):
        pk = p[sel]
        hit = np.zeros(n, bool)
        hit[pk] = True
        if op == "apply":
            new = func(_getitem(flat, index=(pk,)))
            if dtype_of(new) != dtype:
                new = fnp.astype(new, dtype)
            flat = _where_prim(hit, _scatter_add(new, shape=(n,), index=(pk,)), flat)
            continue
        uk = _scatter_add(_getitem(u, index=(sel,)), shape=(n,), index=(pk,))
        if op == "power":
            flat = fnp.power(flat, _where_prim(hit, uk, np.ones((), dtype)))
        elif op == "multiply":
            flat = fnp.multiply(flat, _where_prim(hit, uk, np.ones((), dtype)))
        elif op == "min":
            flat = fnp.minimum(flat, _where_prim(hit, uk, flat))
        elif op == "max":
            flat = fnp.maximum(flat, _where_prim(hit, uk, flat))
        else:
            raise ValueError(f"unknown update {op!r}")
    return fnp.reshape(flat, shape)


__all__ = ["getitem", "scatter_add", "normalize_index", "at", "take", "take_along_axis",
           "put_along_axis", "put", "place", "putmask", "fill_diagonal", "compress", "extract", "choose", "select", "where", "bincount"]


# --- JVP rules (forward mode) -----------------------------------------------
defjvp_linear(_getitem)  # linear: the tangent is indexed (scattered) likewise
defjvp_linear(_scatter_add)

# --- batching rules (vmap) ------------------------------------------------
from .._core import defbatch as _defbatch  # noqa: E402
from . import _batching as _B  # noqa: E402

_defbatch(_B.getitem, _getitem)
_defbatch(_B.scatter_add, _scatter_add)
