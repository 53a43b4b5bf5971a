"""Reductions and scans (sum, mean, prod, max, var, quantile, cumsum, ...) and their VJP rules.

Every function takes NumPy's ``axis`` (int, tuple, negative, ``None``) and
``keepdims``, and ``dtype=`` where NumPy has it. Conventions:

* ``max``/``min``/``amax``/``amin``/``nanmax``/``nanmin``: ties share the
  gradient equally (``max([1, 3, 3])`` sends 0.5 to each 3).
* ``prod``/``cumprod`` are exact when the input holds zeros (the gradient of
  an element is the product of the others, computed without division);
  ``cumprod``'s rule costs O(n**2) along the axis when an element is 0 or
  smaller than 1e-8 in magnitude, O(n) otherwise.
* ``std``/``nanstd``: the gradient at zero spread is 0 (the subgradient of
  least norm), never NaN.
* ``median``/``quantile``/``percentile``: the gradient goes to the one or two
  order statistics the result interpolates (methods ``linear``, ``lower``,
  ``higher``, ``nearest``, ``midpoint``); ``q`` may be traced too.
* ``nan*`` functions: NaN entries get gradient 0.

A numerically stable log-sum-exp is an ordinary composition; the shift by the
maximum cancels in the gradient, which is ``softmax(x)``:

>>> import funcgrad, funcgrad.numpy as fnp, numpy as np
>>> def logsumexp(x):
...     m = funcgrad.stop_gradient(fnp.max(x))
...     return m + fnp.log(fnp.sum(fnp.exp(x - m)))
>>> x = np.array([1000.0, 1000.0])
>>> float(logsumexp(x)), funcgrad.grad(logsumexp)(x)
(1000.6931471805599, array([0.5, 0.5]))
"""
from __future__ import annotations

import builtins
from typing import Any, Optional

import numpy as np

from .._core.batching import all_values as _all_values
from . import _batching as _B
from .._core.primitive import defjvp, defjvp_from_vjp, defjvp_linear
from ._jvp import vjp_weights

from .._core import Box, concrete as _strip
from ._arraytypes import asarray as _asarray, is_foreign_array, may_be_true
from ._compat import LEGACY_PROMOTION, legacy_quantile_dtype, weak_scalar
from ._registry import dtype_of, nondiff, primitive, register, shape_of
from .elementwise import (
    conjugate, divide, equal, imag, isnan, less, logical_and, logical_not, maximum, minimum, real,
    rint, sqrt, where,
)
from .elementwise import astype as _astype
from .shaping import _broadcast_to, broadcast_to, expand_reduced, reshape, transpose

F = "reductions"
_NOVALUE: Any = np._NoValue


def _norm_axis(axis: Any) -> Any:
    if isinstance(axis, list):
        return tuple(axis)
    if isinstance(axis, np.integer):
        return int(axis)
    return axis


def _axes(axis: Any, ndim: int) -> tuple:
    """The reduced axes as sorted non-negative ints (all axes for ``None``)."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        a = int(a)
        if not -ndim <= a < ndim:
            raise np.exceptions.AxisError(a, ndim)
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError("duplicate value in 'axis'")
    return tuple(sorted(out))


def _count(shape: tuple, axis: Any) -> int:
    if axis is None:
        return int(np.prod(shape, dtype=np.int64))
    return int(np.prod([shape[a] for a in _axes(axis, len(shape))], dtype=np.int64))


def _no_out(out: Optional[Any], name: str) -> None:
    if out is not None:
        raise TypeError(f"funcgrad.numpy.{name} does not support out=: use the returned value")


def _arr(a: Any) -> Any:
    """A list or tuple (possibly holding traced values) as one array."""
    if isinstance(a, (list, tuple)):
        from .. import numpy as fnp
        return fnp.asarray(a)
    return a


def _given(v: Any) -> bool:
    return v is not _NOVALUE and v is not None


def _expand(g: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    """``g`` (a reduction's output) reshaped to broadcast against ``x``."""
    return expand_reduced(g, len(x.shape), axis, keepdims)


def _flip(x: Any, axis: int) -> Any:
    from .indexing import getitem
    ndim = len(x.shape)
    return getitem(x, (slice(None),) * (axis % ndim) + (slice(None, None, -1),))


def _to_last(x: Any, axes: tuple) -> tuple:
    """``x`` with ``axes`` moved to the end and flattened into one: returns
    ``(x2, kept_shape, undo)`` where ``undo(y)`` maps an array of ``x2``'s
    shape back to ``x``'s layout."""
    shape = tuple(x.shape)
    ndim = len(shape)
    keep = [i for i in range(ndim) if i not in axes]
    perm = keep + list(axes)
    kept = tuple(shape[i] for i in keep)
    n = int(np.prod([shape[i] for i in axes], dtype=np.int64))
    xt = transpose(x, perm) if perm != list(range(ndim)) else x
    x2 = reshape(xt, kept + (n,))

    def undo(y: Any) -> Any:
        y = reshape(y, kept + tuple(shape[i] for i in axes))
        if perm != list(range(ndim)):
            y = transpose(y, tuple(np.argsort(perm)))
        return y
    return x2, kept, undo


# --- sum, mean ----------------------------------------------------------------
_add_reduce = np.add.reduce  # what np.sum calls, without its Python wrapper
_ndarray = np.ndarray


def _sum_impl(x, axis=None, keepdims=False, dtype=None):
    # np.add.reduce for NumPy's own values (np.sum's Python wrapper costs a
    # frame); np.sum for every other array type, which dispatches to its
    # namespace (Dask: NEP 18)
    if type(x) is _ndarray or not is_foreign_array(x):
        return _add_reduce(x, axis=axis, dtype=dtype, keepdims=keepdims)
    return np.sum(x, axis=axis, dtype=dtype, keepdims=keepdims)


def _sum_rule(g, ans, x, axis=None, keepdims=False, dtype=None):
    if axis is not None and not keepdims:  # (a full reduction's 0-d g broadcasts as it is)
        g = _expand(g, x, axis, keepdims)
    if is_foreign_array(x):
        # A Dask array: the cotangent takes x's chunks (broadcast_to would make one
        # chunk of x's shape, which every elementwise consumer then rechunks).
        return g * np.ones_like(x, dtype=dtype_of(g))
    return _broadcast_to(g, tuple(x.shape))


_sum = primitive("sum", _sum_impl, _sum_rule, family=F, saves_values=False, register_as="_sum_prim")


def _masked(a: Any, where_: Any, fill: Any) -> Any:
    if where_ is _NOVALUE or where_ is True:
        return a
    mask = where_ if _B._core.batched_traces(where_) else _asarray(_strip(where_), bool)
    return where(mask, a, weak_scalar(fill, dtype_of(a)))


def sum(a: Any, axis: Any = None, dtype: Any = None, out: None = None, keepdims: bool = False,
        initial: Any = _NOVALUE, where: Any = _NOVALUE) -> Any:
    """Differentiable ``numpy.sum`` (``initial`` and ``where`` supported).

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda x: fnp.sum(x * x))(np.array([1.0, 2.0]))
    array([2., 4.])
    """
    if out is None and initial is _NOVALUE and where is _NOVALUE and (
            axis is None or type(axis) is int) and not isinstance(a, (list, tuple)):
        return _sum(a, axis=axis, keepdims=keepdims, dtype=dtype)  # the usual call, directly
    _no_out(out, "sum")
    a = _arr(a)
    a = _masked(a, where, 0)
    r = _sum(a, axis=_norm_axis(axis), keepdims=keepdims, dtype=dtype)
    return r if not _given(initial) else r + weak_scalar(initial, dtype_of(r))


def _mean_dtype(a: Any, dtype: Any) -> Any:
    """NumPy accumulates float16 means in float32 and integer means in float64."""
    if dtype is not None:
        return np.dtype(dtype), None
    kind = dtype_of(a)
    if kind == np.float16:
        return np.dtype(np.float32), kind
    if kind.kind in "iub":
        return np.dtype(np.float64), None
    return None, None


def mean(a: Any, axis: Any = None, dtype: Any = None, out: None = None, keepdims: bool = False,
         *, where: Any = _NOVALUE) -> Any:
    """Differentiable ``numpy.mean`` (``where`` supported).

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(fnp.mean)(np.array([1.0, 2.0, 3.0, 5.0]))
    array([0.25, 0.25, 0.25, 0.25])
    """
    _no_out(out, "mean")
    a = _arr(a)
    axis = _norm_axis(axis)
    acc, result = _mean_dtype(a, dtype)
    total = sum(a, axis=axis, dtype=acc, keepdims=keepdims, where=where)
    r = total / _like(_where_count(shape_of(a), axis, keepdims, where), total)
    return _astype(r, result) if result is not None else r


_mean = mean  # var's and std's keyword ``mean`` shadows the function there


def _where_count(shape: tuple, axis: Any, keepdims: bool, where_: Any) -> Any:
    """How many elements each output of a reduction sees (a float or an array)."""
    if where_ is _NOVALUE or where_ is True:
        n = _count(shape, axis)
        return float(n) if n else np.nan
    if _B._core.batched_traces(where_):  # vmap: a count per example
        c = sum(_astype(broadcast_to(where_, shape), np.float64), axis=axis, keepdims=keepdims)
        return where(c == 0, np.nan, c)
    mask = np.broadcast_to(np.asarray(_strip(where_), bool), shape)
    c = np.sum(mask, axis=axis, keepdims=keepdims).astype(float)
    return np.where(c == 0, np.nan, c)


def _like(c: Any, like: Any) -> Any:
    """A constant divisor that keeps ``like``'s precision: a Python float for
    a scalar (weakly typed), else an array of ``like``'s real dtype."""
    if isinstance(c, Box):  # (a count per example, under vmap)
        return _astype(c, np.zeros((), dtype_of(like)).real.dtype)
    c = np.asarray(c)
    if c.ndim == 0:
        return weak_scalar(float(c), np.zeros((), dtype_of(like)).real.dtype)
    return c.astype(np.zeros((), dtype_of(like)).real.dtype)


# --- prod --------------------------------------------------------------------
def _others_product(x: Any, axes: tuple) -> Any:
    """For each element, the product of the other elements of its slice along
    ``axes``: the exclusive prefix product times the exclusive suffix product.
    Exact with zeros and tiny values (no division), O(n)."""
    from .indexing import getitem
    from .. import numpy as fnp
    x2, kept, undo = _to_last(x, axes)
    if x2.shape[-1] == 0:
        return undo(x2)
    ones = np.ones(kept + (1,), dtype_of(x2))
    head = (Ellipsis, slice(None, -1))
    left = fnp.concatenate([ones, cumprod(getitem(x2, head), axis=-1)], axis=-1)
    right = fnp.concatenate([ones, cumprod(getitem(_flip(x2, -1), head), axis=-1)], axis=-1)
    return undo(left * _flip(right, -1))


def _prod_rule(g, ans, x, axis=None, keepdims=False, dtype=None):
    G = _expand(g, x, axis, keepdims)
    return G * _others_product(x, _axes(axis, len(x.shape)))


_prod = primitive("prod", lambda x, axis=None, keepdims=False, dtype=None:
                  np.prod(x, axis=axis, keepdims=keepdims, dtype=dtype),
                  _prod_rule, family=F, register_as="_prod_prim",
                  notes="Exact with zeros (the gradient of an element is the product of the "
                        "others, without division).")


def prod(a: Any, axis: Any = None, dtype: Any = None, out: None = None, keepdims: bool = False,
         initial: Any = _NOVALUE, where: Any = _NOVALUE) -> Any:
    """Differentiable ``numpy.prod``, exact where the input holds zeros.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(fnp.prod)(np.array([2.0, 0.0, 3.0]))
    array([0., 6., 0.])
    """
    _no_out(out, "prod")
    a = _arr(a)
    a = _masked(a, where, 1)
    r = _prod(a, axis=_norm_axis(axis), keepdims=keepdims, dtype=dtype)
    return r if not _given(initial) else r * initial


# --- max, min ---------------------------------------------------------------
def _extreme_rule(g, ans, x, axis=None, keepdims=False):
    xv = _asarray(_strip(x))
    av = _asarray(_strip(_expand(ans, x, axis, keepdims)))
    hit = (xv == av) | (np.isnan(xv) & np.isnan(av))
    axes = _axes(axis, xv.ndim)
    count = np.sum(hit, axis=axes, keepdims=True)
    share = (hit / np.maximum(count, 1)).astype(np.zeros((), dtype_of(x)).real.dtype)
    return _expand(g, x, axis, keepdims) * share


def _extreme(name: str, impl: Any, notes: str):
    return primitive(name, lambda x, axis=None, keepdims=False:
                     impl(x, axis=axis, keepdims=keepdims),
                     _extreme_rule, family=F, register_as=f"_{name}_prim", notes=notes)


_TIES = "Ties share the gradient equally."
_max = _extreme("max", np.max, _TIES)
_min = _extreme("min", np.min, _TIES)
_nanmax = _extreme("nanmax", np.nanmax, _TIES + " NaNs are ignored (gradient 0).")
_nanmin = _extreme("nanmin", np.nanmin, _TIES + " NaNs are ignored (gradient 0).")


def _extreme_api(prim: Any, combine: Any, a: Any, axis: Any, keepdims: bool,
                 initial: Any, where_: Any) -> Any:
    if where_ is not _NOVALUE and where_ is not True:
        if not _given(initial):
            raise ValueError("reduction operation with where= requires an initial value")
        a = _masked(a, where_, initial)
    r = prim(a, axis=_norm_axis(axis), keepdims=keepdims)
    return combine(r, initial) if _given(initial) else r


def max(a: Any, axis: Any = None, out: None = None, keepdims: bool = False,
        initial: Any = _NOVALUE, where: Any = _NOVALUE) -> Any:
    """Differentiable ``numpy.max`` (alias ``amax``); ties share the gradient.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(fnp.max)(np.array([1.0, 3.0, 3.0]))
    array([0. , 0.5, 0.5])
    """
    _no_out(out, "max")
    a = _arr(a)
    return _extreme_api(_max, maximum, a, axis, keepdims, initial, where)


def min(a: Any, axis: Any = None, out: None = None, keepdims: bool = False,
        initial: Any = _NOVALUE, where: Any = _NOVALUE) -> Any:
    """Differentiable ``numpy.min`` (alias ``amin``); ties share the gradient.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda x: fnp.min(x, axis=0).sum())(np.array([[1.0, 4.0], [2.0, 4.0]]))
    array([[1. , 0.5],
           [0. , 0.5]])
    """
    _no_out(out, "min")
    a = _arr(a)
    return _extreme_api(_min, minimum, a, axis, keepdims, initial, where)


def nanmax(a: Any, axis: Any = None, out: None = None, keepdims: bool = False,
           initial: Any = _NOVALUE, where: Any = _NOVALUE) -> Any:
    """Differentiable ``numpy.nanmax``: NaNs are ignored and get gradient 0.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(fnp.nanmax)(np.array([1.0, np.nan, 3.0]))
    array([0., 0., 1.])
    """
    _no_out(out, "nanmax")
    a = _arr(a)
    return _extreme_api(_nanmax, maximum, a, axis, keepdims, initial, where)


def nanmin(a: Any, axis: Any = None, out: None = None, keepdims: bool = False,
           initial: Any = _NOVALUE, where: Any = _NOVALUE) -> Any:
    """Differentiable ``numpy.nanmin``: NaNs are ignored and get gradient 0.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(fnp.nanmin)(np.array([1.0, np.nan, 3.0]))
    array([1., 0., 0.])
    """
    _no_out(out, "nanmin")
    a = _arr(a)
    return _extreme_api(_nanmin, minimum, a, axis, keepdims, initial, where)


def ptp(a: Any, axis: Any = None, out: None = None, keepdims: bool = False) -> Any:
    """Differentiable ``numpy.ptp`` (``max - min``); ties share the gradient.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(fnp.ptp)(np.array([1.0, 5.0, 2.0]))
    array([-1.,  1.,  0.])
    """
    _no_out(out, "ptp")
    a = _arr(a)
    return max(a, axis=axis, keepdims=keepdims) - min(a, axis=axis, keepdims=keepdims)


# --- variance, standard deviation, average ------------------------------------
def _sqrt0_rule(g, ans, x):
    at0 = equal(ans, 0)  # (a primitive: batches under vmap, stages under jit)
    return where(at0, 0, g / where(at0, 1, ans * 2))


_sqrt0 = primitive("sqrt_zero_safe", np.sqrt, _sqrt0_rule, family=F, register_as="_sqrt0",
                   notes="sqrt whose gradient at 0 is 0: std at zero spread.")


def _abs2(d: Any) -> Any:
    if dtype_of(d).kind == "c":
        re, im = real(d), imag(d)
        return re * re + im * im
    return d * d


def _ddof(ddof: Any, correction: Any) -> Any:
    if correction is not _NOVALUE:
        if ddof != 0:
            raise ValueError("ddof and correction can't be provided simultaneously.")
        return correction
    return ddof


def var(a: Any, axis: Any = None, dtype: Any = None, out: None = None, ddof: float = 0,
        keepdims: bool = False, *, where: Any = _NOVALUE, mean: Any = _NOVALUE,
        correction: Any = _NOVALUE) -> Any:
    """Differentiable ``numpy.var`` (``ddof``/``correction``, ``where``, ``mean``).

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda x: fnp.var(x, ddof=1))(np.array([1.0, 2.0, 6.0]))
    array([-2., -1.,  3.])
    """
    _no_out(out, "var")
    a = _arr(a)
    axis = _norm_axis(axis)
    ddof = _ddof(ddof, correction)
    x = _astype(a, dtype) if dtype is not None else a
    if dtype_of(x).kind in "iub":
        x = _astype(x, np.float64)
    m = mean if mean is not _NOVALUE else _mean(x, axis=axis, keepdims=True, where=where)
    sq = _abs2(x - m)
    total = sum(sq, axis=axis, keepdims=keepdims, where=where)
    n = _where_count(shape_of(x), axis, keepdims, where)
    dof = maximum(n - ddof, 0) if isinstance(n, Box) else np.maximum(np.asarray(n) - ddof, 0)
    return total / _like(dof, total)


def std(a: Any, axis: Any = None, dtype: Any = None, out: None = None, ddof: float = 0,
        keepdims: bool = False, *, where: Any = _NOVALUE, mean: Any = _NOVALUE,
        correction: Any = _NOVALUE) -> Any:
    """Differentiable ``numpy.std``; the gradient at zero spread is 0.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(fnp.std)(np.array([2.0, 2.0]))
    array([0., 0.])
    """
    _no_out(out, "std")
    return _sqrt0(var(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims, where=where,
                      mean=mean, correction=correction))


def average(a: Any, axis: Any = None, weights: Any = None, returned: bool = False, *,
            keepdims: Any = _NOVALUE) -> Any:
    """Differentiable ``numpy.average``, in ``a`` and in ``weights``.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda w: fnp.average(np.array([1.0, 3.0]), weights=w))(np.array([1.0, 1.0]))
    array([-0.5,  0.5])
    """
    a = _arr(a)
    axis = _norm_axis(axis)
    kd = False if keepdims is _NOVALUE else bool(keepdims)
    if weights is None:
        avg = mean(a, axis=axis, keepdims=kd)
        if not returned:
            return avg
        n = _count(shape_of(a), axis)
        return avg, broadcast_to(np.asarray(n, dtype_of(avg)), shape_of(avg))
    ashape, wshape = shape_of(a), shape_of(weights)
    w = weights
    if ashape != wshape:
        if axis is None:
            raise TypeError("Axis must be specified when shapes of a and weights differ.")
        if len(wshape) != 1:
            raise TypeError("1D weights expected when shapes of a and weights differ.")
        axes = _axes(axis, len(ashape))
        if len(axes) != 1 or wshape[0] != ashape[axes[0]]:
            raise ValueError("Shape of weights must be consistent with shape of a along "
                             "specified axis.")
        shape = [1] * len(ashape)
        shape[axes[0]] = wshape[0]
        w = reshape(w, tuple(shape))
    scl = sum(w, axis=axis, keepdims=kd) if shape_of(w) == ashape else \
        sum(broadcast_to(w, ashape), axis=axis, keepdims=kd)
    if np.any(np.asarray(_all_values(scl)) == 0.0):
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    avg = sum(a * w, axis=axis, keepdims=kd) / scl
    if returned:
        if shape_of(scl) != shape_of(avg):
            scl = broadcast_to(scl, shape_of(avg))
        return avg, scl
    return avg


def cov(m: Any, y: Any = None, rowvar: bool = True, bias: bool = False, ddof: Any = None,
        fweights: Any = None, aweights: Any = None, *, dtype: Any = None) -> Any:
    """Differentiable ``numpy.cov`` (in ``m``, ``y`` and the weights).

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda x: fnp.cov(x))(np.array([1.0, 2.0, 6.0]))  # d var(x, ddof=1)
    array([-2., -1.,  3.])
    """
    from .. import numpy as fnp
    if ddof is not None and ddof != int(ddof):
        raise ValueError("ddof must be integer")
    m = _arr(m)
    if dtype is None:
        dtype = np.result_type(dtype_of(m), np.float64) if y is None else \
            np.result_type(dtype_of(m), dtype_of(_arr(y)), np.float64)
    X = _as_rows(m, rowvar, dtype)
    if y is not None:
        X = fnp.concatenate([X, _as_rows(_arr(y), rowvar, dtype)], axis=0)
    if ddof is None:
        ddof = 0 if bias else 1
    w = None
    if fweights is not None:
        fw = np.asarray(_strip(fweights))
        if fw.ndim > 1 or np.any(fw != np.around(fw)) or np.any(fw < 0):
            raise ValueError("fweights must be a 1-D array of non-negative integers")
        w = fweights
    if aweights is not None:
        if np.any(np.asarray(_all_values(aweights)) < 0):
            raise ValueError("aweights cannot be negative")
        w = aweights if w is None else w * aweights
    n = X.shape[1]
    if w is None:
        avg = mean(X, axis=1, keepdims=True)
        fact: Any = builtins.max(n - ddof, 0)
        Xw = X
    else:
        w_sum = sum(w)
        avg = reshape(sum(X * w, axis=1) / w_sum, (X.shape[0], 1))
        if ddof == 0:
            fact = w_sum
        elif aweights is None:
            fact = w_sum - ddof
        else:
            fact = w_sum - ddof * sum(w * aweights) / w_sum
        Xw = X * w
    D = X - avg
    Dw = D if w is None else Xw - avg * w
    c = fnp.matmul(D, conjugate(transpose(Dw))) / fact
    return fnp.squeeze(c)


def _as_rows(m: Any, rowvar: bool, dtype: Any) -> Any:
    if len(shape_of(m)) > 2:
        raise ValueError("m has more than 2 dimensions")
    X = _astype(m, dtype) if dtype_of(m) != np.dtype(dtype) else m
    if len(shape_of(X)) < 2:
        X = reshape(X, (1, -1))
    if not rowvar and X.shape[0] != 1:
        X = transpose(X)
    return X


def corrcoef(x: Any, y: Any = None, rowvar: bool = True, *, dtype: Any = None) -> Any:
    """Differentiable ``numpy.corrcoef`` (Pearson correlation coefficients).

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> a, b = np.array([1.0, 2.0, 4.0]), np.array([2.0, 1.0, 5.0])
    >>> round(float(fnp.corrcoef(a, b)[0, 1]), 6)  # 48 / sqrt(42 * 78)
    0.838628
    """
    from .. import numpy as fnp
    c = cov(x, y, rowvar, dtype=dtype)
    if len(shape_of(c)) == 0:
        return c / c
    d = fnp.diagonal(c)
    s = sqrt(real(d))
    c = c / reshape(s, (-1, 1)) / reshape(s, (1, -1))
    if dtype_of(c).kind == "c":
        from .elementwise import clip as _clip
        return _clip(real(c), -1, 1) + _clip(imag(c), -1, 1) * 1j
    from .elementwise import clip as _clip
    return _clip(c, -1, 1)


# --- NaN-ignoring reductions --------------------------------------------------
def _nan_filled(a: Any, fill: float) -> Any:
    mask = isnan(a)  # (a batched mask under vmap: every example filled alike)
    return where(mask, weak_scalar(fill, dtype_of(a)), a) if may_be_true(_all_values(mask)) else a


def nansum(a: Any, axis: Any = None, dtype: Any = None, out: None = None, keepdims: bool = False,
           initial: Any = _NOVALUE, where: Any = _NOVALUE) -> Any:
    """Differentiable ``numpy.nansum``: NaNs count as 0 and get gradient 0.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(fnp.nansum)(np.array([1.0, np.nan]))
    array([1., 0.])
    """
    _no_out(out, "nansum")
    a = _arr(a)
    return sum(_nan_filled(a, 0), axis=axis, dtype=dtype, keepdims=keepdims, initial=initial,
               where=where)


def nanprod(a: Any, axis: Any = None, dtype: Any = None, out: None = None, keepdims: bool = False,
            initial: Any = _NOVALUE, where: Any = _NOVALUE) -> Any:
    """Differentiable ``numpy.nanprod``: NaNs count as 1 and get gradient 0.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(fnp.nanprod)(np.array([2.0, np.nan, 3.0]))
    array([3., 0., 2.])
    """
    _no_out(out, "nanprod")
    a = _arr(a)
    return prod(_nan_filled(a, 1), axis=axis, dtype=dtype, keepdims=keepdims, initial=initial,
                where=where)


def _nan_where(a: Any, where_: Any) -> Any:
    """The ``where=`` mask that also leaves out NaN entries."""
    valid = logical_not(isnan(a))  # (batched under vmap)
    if where_ is not _NOVALUE and where_ is not True:
        valid = logical_and(valid, np.asarray(_strip(where_), bool))
    return valid


def nanmean(a: Any, axis: Any = None, dtype: Any = None, out: None = None, keepdims: bool = False,
            *, where: Any = _NOVALUE) -> Any:
    """Differentiable ``numpy.nanmean``: the mean of the non-NaN entries.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(fnp.nanmean)(np.array([1.0, np.nan, 3.0]))
    array([0.5, 0. , 0.5])
    """
    _no_out(out, "nanmean")
    a = _arr(a)
    return mean(_nan_filled(a, 0), axis=axis, dtype=dtype, keepdims=keepdims,
                where=_nan_where(a, where))


def nanvar(a: Any, axis: Any = None, dtype: Any = None, out: None = None, ddof: float = 0,
           keepdims: bool = False, *, where: Any = _NOVALUE, mean: Any = _NOVALUE,
           correction: Any = _NOVALUE) -> Any:
    """Differentiable ``numpy.nanvar``: the variance of the non-NaN entries.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(fnp.nanvar)(np.array([1.0, np.nan, 3.0]))
    array([-1.,  0.,  1.])
    """
    _no_out(out, "nanvar")
    a = _arr(a)
    return var(_nan_filled(a, 0), axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims,
               where=_nan_where(a, where), mean=mean, correction=correction)


def nanstd(a: Any, axis: Any = None, dtype: Any = None, out: None = None, ddof: float = 0,
           keepdims: bool = False, *, where: Any = _NOVALUE, mean: Any = _NOVALUE,
           correction: Any = _NOVALUE) -> Any:
    """Differentiable ``numpy.nanstd``; the gradient at zero spread is 0.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(fnp.nanstd)(np.array([1.0, np.nan, 3.0]))
    array([-0.5,  0. ,  0.5])
    """
    _no_out(out, "nanstd")
    return _sqrt0(nanvar(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims, where=where,
                         mean=mean, correction=correction))


# --- cumulative sums and products -----------------------------------------------
def _rev_cumsum(g: Any, axis: int) -> Any:
    return _flip(cumsum(_flip(g, axis), axis=axis), axis)


def _cumsum_rule(g, ans, x, axis=None, dtype=None):
    if axis is None:
        return reshape(_rev_cumsum(g, 0), tuple(x.shape))
    return _rev_cumsum(g, axis)


_cumsum = primitive("cumsum", lambda x, axis=None, dtype=None: np.cumsum(x, axis=axis, dtype=dtype),
                    _cumsum_rule, family=F, saves_values=False, register_as="_cumsum_prim")


def _partial_products(x: Any, axis: int) -> tuple:
    """``P[..., i, k] = prod_{j <= k, j != i} x_j`` along ``axis`` (moved last),
    the mask ``k >= i`` where it is a term of cumprod's derivative, the kept
    shape and the function moving the axis back: exact with zeros, O(n**2)."""
    x2, kept, undo = _to_last(x, (axis,))
    n = x2.shape[-1]
    rows = where(np.eye(n, dtype=bool), 1, reshape(x2, kept + (1, n)))   # [..., i, j]
    return cumprod(rows, axis=-1), np.triu(np.ones((n, n), bool)), kept, undo


def _cumprod_zero_safe(g: Any, x: Any, axis: int) -> Any:
    """sum_{k >= i} g_k prod_{j <= k, j != i} x_j, exact with zeros, O(n**2)."""
    partial, upper, kept, undo = _partial_products(x, axis)
    g2, _, _ = _to_last(g, (axis,))
    terms = where(upper, reshape(g2, kept + (1, g2.shape[-1])) * partial, 0)
    return undo(sum(terms, axis=-1))


def _cumprod_rule(g, ans, x, axis=None, dtype=None):
    if axis is None:
        flat = reshape(x, (-1,))
        return reshape(_cumprod_rule(g, ans, flat, axis=0), tuple(x.shape))
    axis = axis % len(x.shape)
    if np.all(np.abs(np.asarray(_strip(x))) >= _TINY):
        return _rev_cumsum(g * ans, axis) / x
    return _cumprod_zero_safe(g, x, axis)


# Below this magnitude cumprod's rule avoids dividing by the element: the quotient
# ans / x is accurate, but its own derivative cancels catastrophically (x/x - x/x**2).
_TINY = 1e-8


_cumprod = primitive("cumprod", lambda x, axis=None, dtype=None:
                     np.cumprod(x, axis=axis, dtype=dtype),
                     _cumprod_rule, family=F, register_as="_cumprod_prim",
                     notes="Exact with zeros (O(n**2) along the axis when an element is 0 or "
                           "below 1e-8).")


def cumsum(a: Any, axis: Any = None, dtype: Any = None, out: None = None) -> Any:
    """Differentiable ``numpy.cumsum`` (``axis=None`` scans the flattened array).

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda x: fnp.cumsum(x).sum())(np.array([1.0, 2.0, 3.0]))
    array([3., 2., 1.])
    """
    _no_out(out, "cumsum")
    a = _arr(a)
    return _cumsum(a, axis=_norm_axis(axis), dtype=dtype)


def cumprod(a: Any, axis: Any = None, dtype: Any = None, out: None = None) -> Any:
    """Differentiable ``numpy.cumprod``, exact with zeros.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda x: fnp.cumprod(x).sum())(np.array([2.0, 0.0, 3.0]))
    array([1., 8., 0.])
    """
    _no_out(out, "cumprod")
    a = _arr(a)
    return _cumprod(a, axis=_norm_axis(axis), dtype=dtype)


def nancumsum(a: Any, axis: Any = None, dtype: Any = None, out: None = None) -> Any:
    """Differentiable ``numpy.nancumsum``: NaNs count as 0 and get gradient 0.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.nancumsum(np.array([1.0, np.nan, 2.0]))
    array([1., 1., 3.])
    """
    _no_out(out, "nancumsum")
    a = _arr(a)
    return cumsum(_nan_filled(a, 0), axis=axis, dtype=dtype)


def nancumprod(a: Any, axis: Any = None, dtype: Any = None, out: None = None) -> Any:
    """Differentiable ``numpy.nancumprod``: NaNs count as 1 and get gradient 0.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.nancumprod(np.array([2.0, np.nan, 3.0]))
    array([2., 2., 6.])
    """
    _no_out(out, "nancumprod")
    a = _arr(a)
    return cumprod(_nan_filled(a, 1), axis=axis, dtype=dtype)


def _cumulative(scan: Any, name: str, start: float, x: Any, axis: Any, dtype: Any, out: Any,
                include_initial: bool) -> Any:
    _no_out(out, name)
    ndim = len(shape_of(x))
    if axis is None:
        if ndim > 1:
            raise ValueError("For arrays which have more than one dimension ``axis`` "
                             "argument is required.")
        axis = 0
    if ndim == 0:
        raise ValueError(f"{name} requires an array with at least one dimension")
    r = scan(x, axis=axis, dtype=dtype)
    if not include_initial:
        return r
    from .. import numpy as fnp
    shape = list(shape_of(r))
    shape[axis % ndim] = 1
    return fnp.concatenate([np.full(shape, start, dtype_of(r)), r], axis=axis)


def cumulative_sum(x: Any, /, *, axis: Any = None, dtype: Any = None, out: None = None,
                   include_initial: bool = False) -> Any:
    """Differentiable ``numpy.cumulative_sum`` (the array-API scan; ``include_initial``
    prepends the 0).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.cumulative_sum(np.array([1.0, 2.0]), include_initial=True)
    array([0., 1., 3.])
    """
    return _cumulative(cumsum, "cumulative_sum", 0.0, x, axis, dtype, out, include_initial)


def cumulative_prod(x: Any, /, *, axis: Any = None, dtype: Any = None, out: None = None,
                    include_initial: bool = False) -> Any:
    """Differentiable ``numpy.cumulative_prod``, exact with zeros.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.cumulative_prod(np.array([2.0, 3.0]), include_initial=True)
    array([1., 2., 6.])
    """
    return _cumulative(cumprod, "cumulative_prod", 1.0, x, axis, dtype, out, include_initial)


def trapezoid(y: Any, x: Any = None, dx: Any = 1.0, axis: int = -1) -> Any:
    """Differentiable ``numpy.trapezoid`` (the trapezoidal rule), in ``y``,
    ``x`` and ``dx``.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda y: fnp.trapezoid(y, dx=0.5))(np.ones(3))
    array([0.25, 0.5 , 0.25])
    """
    from .indexing import getitem
    nd = len(shape_of(y))
    ax = axis % nd
    lead = (slice(None),) * ax
    upper, lower = lead + (slice(1, None),), lead + (slice(None, -1),)
    if x is None:
        d = dx
    else:
        xs = shape_of(x)
        if len(xs) == 1:
            d = getitem(x, slice(1, None)) - getitem(x, slice(None, -1))
            shape = [1] * nd
            shape[ax] = d.shape[0]
            d = reshape(d, tuple(shape))
        else:
            xl = len(xs)
            xa = axis % xl
            d = getitem(x, (slice(None),) * xa + (slice(1, None),)) - \
                getitem(x, (slice(None),) * xa + (slice(None, -1),))
    return sum(d * (getitem(y, upper) + getitem(y, lower)) / 2.0, axis=axis)


# --- order statistics: median, quantile, percentile ---------------------------
_METHODS = ("linear", "lower", "higher", "nearest", "midpoint")


def _weak_q(q: Any) -> bool:
    """Does ``q`` leave the result's precision to ``a``? A Python number does (NEP 50)."""
    return isinstance(q, (int, float))


def _quantile(a: Any, q: Any, axis: Any, method: str, keepdims: bool, ignore_nan: bool,
              name: str, weak_q: Optional[bool] = None) -> Any:
    if method not in _METHODS:
        raise NotImplementedError(
            f"funcgrad.numpy.{name} supports method in {_METHODS}, not {method!r}")
    if weak_q is None:
        weak_q = _weak_q(q)
    batch = _B.batched_box(a)
    if _B._core.batched_traces(q):  # vmap over q: one call per example
        return _B.per_example_call(lambda a, q: _quantile(a, q, axis, method, keepdims,
                                                          ignore_nan, name, weak_q),
                                   (a, q), {}, f"numpy.{name}")
    if batch is not None:  # vmap: the rows of every example at once
        return _B.quantile_batched(_quantile, a, q, axis, method, keepdims, ignore_nan, name,
                                   weak_q)
    qv = np.asarray(_strip(q))
    if qv.dtype.kind not in "iuf" or np.any(qv < 0) or np.any(qv > 1) or np.any(np.isnan(qv)):
        raise ValueError("Quantiles must be in the range [0, 1]")
    shape = shape_of(a)
    ndim = len(shape)
    axes = _axes(_norm_axis(axis), ndim)
    if ndim == 0:
        a, axes, shape, ndim = reshape(a, (1,)), (0,), (1,), 1
        squeeze0 = True
    else:
        squeeze0 = False
    x2, kept, _ = _to_last(a, axes)
    n = x2.shape[-1]
    m = int(np.prod(kept, dtype=np.int64))
    x2 = reshape(x2, (m, n))
    xv = np.asarray(_strip(x2))
    order = np.argsort(xv, axis=-1, kind="stable")    # NaNs last
    nans = np.isnan(xv)
    count = n - nans.sum(-1) if ignore_nan else np.full(m, n)
    k = qv.size
    last = np.maximum(count - 1, 0).astype(np.float64)                  # (m,)
    traced_q = isinstance(q, Box)
    if traced_q:
        qdt = dtype_of(q)
        pos = reshape(q, (k, 1)) * last.astype(qdt)
    else:
        pos = qv.reshape(-1).astype(np.float64)[:, None] * last
    # NumPy's result dtype: x's for the selecting methods, else x with q (weak if a
    # Python number).
    out_dt = np.result_type(dtype_of(a), 0.5 if weak_q else qv.dtype) if not traced_q \
        else np.result_type(dtype_of(a), dtype_of(q))
    if LEGACY_PROMOTION and method not in ("lower", "higher", "nearest") \
            and name not in ("median", "nanmedian"):  # (NumPy 1.x: a mean, in a's dtype)
        out_dt = legacy_quantile_dtype(dtype_of(a), qv, len(kept), method)
    posv = np.asarray(_strip(pos), np.float64)
    rows = np.broadcast_to(np.arange(m)[None, :], (k, m))
    top = np.maximum(count - 1, 0)[None, :]
    lo = np.minimum(np.floor(posv).astype(np.intp), top)
    if method == "lower":
        idx = lo
    elif method == "higher":
        idx = np.minimum(np.ceil(posv).astype(np.intp), top)
    elif method == "nearest":
        idx = np.minimum(np.around(posv).astype(np.intp), top)
    else:
        idx = None
    if idx is not None:
        result = _getitem2(x2, rows, order[rows, idx])
    else:
        hi = np.minimum(lo + 1, top)
        va = _getitem2(x2, rows, order[rows, lo])
        vb = _getitem2(x2, rows, order[rows, hi])
        if method == "midpoint":
            t = np.where(posv == lo, 0.0, 0.5).astype(out_dt)
        elif traced_q:
            t = pos - lo.astype(qdt)
            t = t if dtype_of(t) == out_dt else _astype(t, out_dt)
        else:
            t = (posv - lo).astype(out_dt)
        diff = vb - va
        result = where(np.asarray(_strip(t)) >= 0.5, vb - diff * (1 - t), va + diff * t)
    bad = (count == 0) if ignore_nan else nans.any(-1)
    if bad.any():
        result = where(np.broadcast_to(bad[None, :], (k, m)), np.nan, result)
    out_shape = kept
    if keepdims:
        full = list(shape)
        for ax in axes:
            full[ax] = 1
        out_shape = tuple(full) if not squeeze0 else ()
    elif squeeze0:
        out_shape = ()
    result = reshape(result, qv.shape + tuple(out_shape))
    if not isinstance(result, Box) and np.ndim(result) == 0:
        return result[()]  # a NumPy scalar, as NumPy returns
    return result


def _getitem2(x2: Any, rows: np.ndarray, cols: np.ndarray) -> Any:
    from .indexing import getitem
    return getitem(x2, (rows, cols))


def quantile(a: Any, q: Any, axis: Any = None, out: None = None, overwrite_input: bool = False,
             method: str = "linear", keepdims: bool = False, *, weights: Any = None,
             interpolation: Any = None) -> Any:
    """Differentiable ``numpy.quantile``: the gradient goes to the order
    statistics the result interpolates (and to ``q`` if it is traced).

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda x: fnp.quantile(x, 0.25))(np.array([4.0, 1.0, 3.0]))
    array([0. , 0.5, 0.5])
    """
    _no_out(out, "quantile")
    a = _arr(a)
    _check_quantile_args(weights, interpolation)
    return _quantile(a, q, axis, method, keepdims, False, "quantile")


def percentile(a: Any, q: Any, axis: Any = None, out: None = None, overwrite_input: bool = False,
               method: str = "linear", keepdims: bool = False, *, weights: Any = None,
               interpolation: Any = None) -> Any:
    """Differentiable ``numpy.percentile`` (``q`` in [0, 100]).

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda x: fnp.percentile(x, 50))(np.array([4.0, 1.0, 3.0]))
    array([0., 0., 1.])
    """
    _no_out(out, "percentile")
    a = _arr(a)
    _check_quantile_args(weights, interpolation)
    return _quantile(a, divide(q, 100) if isinstance(q, Box) else np.true_divide(q, 100),
                     axis, method, keepdims, False, "percentile", _weak_q(q))


def median(a: Any, axis: Any = None, out: None = None, overwrite_input: bool = False,
           keepdims: bool = False) -> Any:
    """Differentiable ``numpy.median``: the gradient goes to the middle
    element(s), half each for an even count.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(fnp.median)(np.array([4.0, 1.0, 3.0, 2.0]))
    array([0. , 0. , 0.5, 0.5])
    """
    _no_out(out, "median")
    a = _arr(a)
    return _quantile(a, 0.5, axis, "linear", keepdims, False, "median", True)


def nanquantile(a: Any, q: Any, axis: Any = None, out: None = None, overwrite_input: bool = False,
                method: str = "linear", keepdims: bool = False, *, weights: Any = None,
                interpolation: Any = None) -> Any:
    """Differentiable ``numpy.nanquantile``: quantiles of the non-NaN entries.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.nanquantile(np.array([np.nan, 1.0, 3.0]), 0.5)
    np.float64(2.0)
    """
    _no_out(out, "nanquantile")
    a = _arr(a)
    _check_quantile_args(weights, interpolation)
    return _quantile(a, q, axis, method, keepdims, True, "nanquantile")


def nanpercentile(a: Any, q: Any, axis: Any = None, out: None = None,
                  overwrite_input: bool = False, method: str = "linear", keepdims: bool = False,
                  *, weights: Any = None, interpolation: Any = None) -> Any:
    """Differentiable ``numpy.nanpercentile``: percentiles of the non-NaN entries.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.nanpercentile(np.array([np.nan, 1.0, 3.0]), 50)
    np.float64(2.0)
    """
    _no_out(out, "nanpercentile")
    a = _arr(a)
    _check_quantile_args(weights, interpolation)
    return _quantile(a, divide(q, 100) if isinstance(q, Box) else np.true_divide(q, 100),
                     axis, method, keepdims, True, "nanpercentile", _weak_q(q))


def nanmedian(a: Any, axis: Any = None, out: None = None, overwrite_input: bool = False,
              keepdims: bool = False) -> Any:
    """Differentiable ``numpy.nanmedian``: the median of the non-NaN entries.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(fnp.nanmedian)(np.array([np.nan, 1.0, 3.0]))
    array([0. , 0.5, 0.5])
    """
    _no_out(out, "nanmedian")
    a = _arr(a)
    return _quantile(a, 0.5, axis, "linear", keepdims, True, "nanmedian", True)


def _check_quantile_args(weights: Any, interpolation: Any) -> None:
    if weights is not None:
        raise NotImplementedError("funcgrad.numpy quantiles do not support weights= "
                                  "(NumPy allows them only for method='inverted_cdf')")
    if interpolation is not None:
        raise TypeError("interpolation= was renamed method= in NumPy 1.22; use method=")


# --- not differentiable: index-valued and boolean reductions --------------------
argmax = nondiff("argmax", np.argmax, family=F, notes="Index-valued: a constant.")
argmin = nondiff("argmin", np.argmin, family=F, notes="Index-valued: a constant.")
nanargmax = nondiff("nanargmax", np.nanargmax, family=F, notes="Index-valued: a constant.")
nanargmin = nondiff("nanargmin", np.nanargmin, family=F, notes="Index-valued: a constant.")
all = nondiff("all", np.all, family=F)
any = nondiff("any", np.any, family=F)
count_nonzero = nondiff("count_nonzero", np.count_nonzero, family=F)

_NOTES = {
    "sum": "initial= and where= supported.",
    "mean": "where= supported; float16 accumulates in float32, as NumPy.",
    "prod": "Exact where the input holds zeros: prefix times suffix products, no division.",
    "max": "Ties share the gradient equally; initial= and where= supported.",
    "min": "Ties share the gradient equally; initial= and where= supported.",
    "nanmax": "Ties share the gradient equally; NaNs get gradient 0.",
    "nanmin": "Ties share the gradient equally; NaNs get gradient 0.",
    "ptp": "max - min; ties share the gradient equally.",
    "var": "ddof/correction, where= and mean= supported.",
    "std": "Gradient 0 at zero spread (never NaN).",
    "average": "Differentiable in a and weights; returned=True gives (average, sum of weights).",
    "nansum": "NaNs get gradient 0.",
    "nanprod": "NaNs get gradient 0; exact with zeros.",
    "nanmean": "NaNs get gradient 0.",
    "nanvar": "NaNs get gradient 0.",
    "nanstd": "NaNs get gradient 0; gradient 0 at zero spread.",
    "cumsum": "axis=None scans the flattened array.",
    "cumprod": "Exact with zeros (O(n**2) along the axis when an element is 0 or below 1e-8).",
    "nancumsum": "NaNs get gradient 0.",
    "nancumprod": "NaNs get gradient 0.",
    "quantile": "Methods linear, lower, higher, nearest, midpoint; q may be traced.",
    "percentile": "Methods linear, lower, higher, nearest, midpoint; q may be traced.",
    "median": "The gradient goes to the middle element(s).",
    "nanquantile": "Quantiles of the non-NaN entries; NaNs get gradient 0.",
    "nanpercentile": "Percentiles of the non-NaN entries; NaNs get gradient 0.",
    "nanmedian": "The median of the non-NaN entries; NaNs get gradient 0.",
    "cumulative_sum": "axis required for ndim > 1; include_initial supported.",
    "cumulative_prod": "Exact with zeros; include_initial supported.",
    "trapezoid": "Differentiable in y, x and dx.",
    "cov": "Differentiable in m, y, fweights and aweights; float64 at least, as NumPy.",
    "corrcoef": "Values clipped to [-1, 1] as NumPy (the clip passes the gradient at the "
                "bounds).",
}
for _name, _fn in [("sum", sum), ("mean", mean), ("prod", prod), ("max", max), ("min", min),
                   ("nanmax", nanmax), ("nanmin", nanmin), ("ptp", ptp), ("var", var),
                   ("std", std), ("average", average), ("nansum", nansum), ("nanprod", nanprod),
                   ("nanmean", nanmean), ("nanvar", nanvar), ("nanstd", nanstd),
                   ("cumsum", cumsum), ("cumprod", cumprod), ("nancumsum", nancumsum),
                   ("nancumprod", nancumprod), ("quantile", quantile),
                   ("percentile", percentile), ("median", median),
                   ("nanquantile", nanquantile), ("nanpercentile", nanpercentile),
                   ("nanmedian", nanmedian), ("cumulative_sum", cumulative_sum),
                   ("cumulative_prod", cumulative_prod), ("trapezoid", trapezoid),
                   ("cov", cov), ("corrcoef", corrcoef)]:
    register(_name, _fn, F, notes=_NOTES[_name])

from ._registry import alias  # noqa: E402

alias("amax", "max")
alias("amin", "min")


# --- JVP rules (forward mode) -----------------------------------------------
defjvp_linear(_sum)
defjvp_linear(_cumsum)
defjvp_from_vjp(_sqrt0)  # elementwise
# prod, max, min: each input element reaches one output, with the weight the
# VJP gives it (ties share equally; no division by zeros): JVP = sum(t * W).
for _p, _rule in ((_prod, _prod_rule), (_max, _extreme_rule), (_min, _extreme_rule),
                  (_nanmax, _extreme_rule), (_nanmin, _extreme_rule)):
    defjvp(_p, lambda t, ans, x, axis=None, keepdims=False, _rule=_rule, **kw: _sum(
        t * vjp_weights(_rule, ans, x, axis, keepdims), axis=axis, keepdims=keepdims))


def _cumprod_jvp(t, ans, x, axis=None, dtype=None):
    # y_k = prod_{j <= k} x_j: dy_k = sum_{i <= k} t_i prod_{j <= k, j != i} x_j
    if axis is None:
        return reshape(_cumprod_jvp(reshape(t, (-1,)), reshape(ans, (-1,)),
                                    reshape(x, (-1,)), axis=0), tuple(ans.shape))
    axis = axis % len(x.shape)
    if np.all(np.abs(np.asarray(_strip(x))) >= _TINY):
        return ans * cumsum(t / x, axis=axis)
    partial, upper, kept, undo = _partial_products(x, axis)
    t2, _, _ = _to_last(t, (axis,))
    terms = where(upper, reshape(t2, kept + (t2.shape[-1], 1)) * partial, 0)
    return undo(sum(terms, axis=-2))


defjvp(_cumprod, _cumprod_jvp)

# --- batching rules (vmap) ------------------------------------------------
from .._core import defbatch as _defbatch  # noqa: E402
from . import _batching as _B  # noqa: E402

_defbatch(_B.axis_rule(), _sum, _prod, _max, _min, _nanmax, _nanmin, all, any, count_nonzero)
_defbatch(_B.axis_rule(none="flat"), argmax, argmin, nanargmax, nanargmin, _cumsum, _cumprod)
_defbatch(_B.broadcasting, _sqrt0)
