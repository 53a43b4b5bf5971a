"""NumPy functions whose results carry no gradient, usable on traced values.

Shape and dtype queries, index finders (``argmax``, ``nonzero``,
``searchsorted``), counts, histograms, ``zeros_like``/``ones_like`` and
similar functions run on the concrete values of traced arrays and return
constants, both as ``funcgrad.numpy.<name>`` and as plain ``numpy.<name>``
on a traced value. Each is registered as non-differentiable with a note, so
``docs/numpy-coverage.md`` lists it.

This module is imported after every rule family: a name some family
registers with its own implementation (``isclose``, ``sign``, ...) keeps it.
``full_like`` and ``full`` (family "creation") are special: constant in the
array argument, differentiable in ``fill_value``.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from .._core import Box, concrete as _concrete
from ._dispatch import constant_function
from ._registry import ALIASES, REGISTRY, dtype_of, exports, register

F = "constants"

_IDX = "Integer indices: a constant."
_BOOL = "A boolean result: a constant."
_QUERY = "A shape/dtype query: a constant."
_VALUES = "Returns values of the input as constants: no gradient flows to them."

# name -> (doctest example on plain arrays, notes, keyword arguments that must not be traced)
CONSTANTS: dict = {
    "shape": ("fnp.shape(np.zeros((2, 3)))", _QUERY, ()),
    "ndim": ("fnp.ndim(np.zeros((2, 3)))", _QUERY, ()),
    "size": ("fnp.size(np.zeros((2, 3)))", _QUERY, ()),
    "iscomplexobj": ("fnp.iscomplexobj(np.zeros(2))", _QUERY, ()),
    "isrealobj": ("fnp.isrealobj(np.zeros(2))", _QUERY, ()),
    "result_type": ("fnp.result_type(np.zeros(2, np.float32), 1.0)", _QUERY, ()),
    "can_cast": ("fnp.can_cast(np.zeros(2), np.float32)", _QUERY, ()),
    "min_scalar_type": ("fnp.min_scalar_type(np.zeros(2))", _QUERY, ()),
    "common_type": ("fnp.common_type(np.zeros(2, np.float32))", _QUERY, ()),
    "zeros_like": ("fnp.zeros_like(np.ones(2))", "Zeros: a constant.", ()),
    "ones_like": ("fnp.ones_like(np.zeros(2))", "Ones: a constant.", ()),
    "empty_like": ("fnp.empty_like(np.zeros(2)).shape", "Uninitialised: a constant.", ()),
    "argmax": ("fnp.argmax(np.array([1.0, 3.0, 2.0]))", _IDX, ()),
    "argmin": ("fnp.argmin(np.array([1.0, 3.0, 2.0]))", _IDX, ()),
    "argsort": ("fnp.argsort(np.array([1.0, 3.0, 2.0]))", _IDX, ()),
    "argpartition": ("fnp.argpartition(np.array([3.0, 1.0, 2.0]), 0)[0]", _IDX, ()),
    "nanargmax": ("fnp.nanargmax(np.array([1.0, np.nan, 2.0]))", _IDX, ()),
    "nanargmin": ("fnp.nanargmin(np.array([1.0, np.nan, 2.0]))", _IDX, ()),
    "nonzero": ("fnp.nonzero(np.array([0.0, 1.5, 2.0]))", _IDX, ()),
    "argwhere": ("fnp.argwhere(np.array([0.0, 1.5]))", _IDX, ()),
    "flatnonzero": ("fnp.flatnonzero(np.array([[0.0, 1.5], [2.0, 0.0]]))", _IDX, ()),
    "count_nonzero": ("fnp.count_nonzero(np.array([0.0, 1.5, 2.0]))", "A count: a constant.", ()),
    "searchsorted": ("fnp.searchsorted(np.array([1.0, 2.0, 3.0]), 2.5)", _IDX, ()),
    "digitize": ("fnp.digitize(np.array([0.5, 2.5]), np.array([0.0, 1.0, 2.0]))", _IDX, ()),
    "lexsort": ("fnp.lexsort((np.array([1.0, 0.0]), np.array([2.0, 2.0])))", _IDX, ()),
    "diag_indices_from": ("fnp.diag_indices_from(np.zeros((2, 2)))", _IDX, ()),
    "tril_indices_from": ("fnp.tril_indices_from(np.zeros((2, 2)))", _IDX, ()),
    "triu_indices_from": ("fnp.triu_indices_from(np.zeros((2, 2)))", _IDX, ()),
    "unique": ("fnp.unique(np.array([2.0, 1.0, 2.0]))", _VALUES, ()),
    "isin": ("fnp.isin(np.array([1.0, 2.0]), [2.0])", _BOOL, ()),
    "histogram": ("fnp.histogram(np.array([0.1, 0.4, 0.9]), bins=2)[0]",
                  "Counts and bin edges are constants; a traced weights= raises.", ("weights",)),
    "histogram_bin_edges": ("fnp.histogram_bin_edges(np.array([0.0, 1.0]), bins=2)",
                            "Bin edges: a constant.", ("weights",)),
    "histogram2d": ("fnp.histogram2d(np.array([0.1, 0.9]), np.array([0.2, 0.8]), bins=2)[0]",
                    "Counts and bin edges are constants; a traced weights= raises.", ("weights",)),
    "histogramdd": ("fnp.histogramdd(np.array([[0.1, 0.2], [0.9, 0.8]]), bins=2)[0]",
                    "Counts and bin edges are constants; a traced weights= raises.", ("weights",)),
    "array_str": ("fnp.array_str(np.array([1.5, 2.0]))", "Text: a constant.", ()),
    "array_repr": ("fnp.array_repr(np.array([1.5, 2.0]))", "Text: a constant.", ()),
    "array2string": ("fnp.array2string(np.array([1.5, 2.0]))", "Text: a constant.", ()),
    "all": ("fnp.all(np.array([1.0, 0.0]))", _BOOL, ()),
    "any": ("fnp.any(np.array([1.0, 0.0]))", _BOOL, ()),
    "isclose": ("fnp.isclose(np.array([1.0, 2.0]), 1.0)", _BOOL, ()),
    "allclose": ("fnp.allclose(np.array([1.0, 2.0]), 1.0)", _BOOL, ()),
    "array_equal": ("fnp.array_equal(np.array([1.0]), np.array([1.0]))", _BOOL, ()),
    "array_equiv": ("fnp.array_equiv(np.array([1.0, 1.0]), 1.0)", _BOOL, ()),
    "logical_and": ("fnp.logical_and(np.array([1.0, 0.0]), 1.0)", _BOOL, ()),
    "logical_or": ("fnp.logical_or(np.array([1.0, 0.0]), 0.0)", _BOOL, ()),
    "logical_xor": ("fnp.logical_xor(np.array([1.0, 0.0]), 1.0)", _BOOL, ()),
    "logical_not": ("fnp.logical_not(np.array([1.0, 0.0]))", _BOOL, ()),
    "isnan": ("fnp.isnan(np.array([1.0, np.nan]))", _BOOL, ()),
    "isinf": ("fnp.isinf(np.array([1.0, np.inf]))", _BOOL, ()),
    "isfinite": ("fnp.isfinite(np.array([1.0, np.inf]))", _BOOL, ()),
    "isposinf": ("fnp.isposinf(np.array([1.0, np.inf]))", _BOOL, ()),
    "isneginf": ("fnp.isneginf(np.array([1.0, -np.inf]))", _BOOL, ()),
    "iscomplex": ("fnp.iscomplex(np.array([1.0, 2.0]))", _BOOL, ()),
    "isreal": ("fnp.isreal(np.array([1.0, 2.0]))", _BOOL, ()),
    "signbit": ("fnp.signbit(np.array([-1.0, 2.0]))", _BOOL, ()),
    "linalg.matrix_rank": ("fnp.linalg.matrix_rank(np.eye(3))", "An integer rank: a constant.", ()),
}


def _numpy_object(name: str) -> Any:
    obj: Any = np
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def _taken(name: str) -> bool:
    return name in REGISTRY or name in ALIASES


REGISTERED: list = []
for _name, (_example, _notes, _reject) in CONSTANTS.items():
    if _taken(_name):
        continue  # a rule family already provides it
    register(_name, constant_function(_numpy_object(_name), reject=_reject, name=_name), F,
             differentiable=False, notes=_notes)
    REGISTERED.append(_name)


def full_like(a: Any, fill_value: Any, dtype: Any = None, order: str = "K", subok: bool = True,
              shape: Any = None, *, device: Any = None) -> Any:
    """``numpy.full_like``: constant in ``a`` (only its shape and dtype are
    used), differentiable in ``fill_value`` (its gradient is the sum of the
    result's).

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> fnp.full_like(np.zeros(3), 2.5)
    array([2.5, 2.5, 2.5])
    >>> funcgrad.grad(lambda v: fnp.full_like(np.zeros(3), v).sum())(2.5)
    np.float64(3.0)
    """
    concrete = a
    while isinstance(concrete, Box):
        concrete = concrete._value
    if not isinstance(fill_value, Box):
        return np.full_like(concrete, fill_value, dtype=dtype, order=order, subok=subok,
                            shape=shape)
    from .. import numpy as fnp
    out_dtype = np.dtype(dtype) if dtype is not None else dtype_of(concrete)
    out_shape = np.shape(concrete) if shape is None else (
        (shape,) if isinstance(shape, int) else tuple(shape))
    if out_dtype.kind not in "fc":
        return np.full(out_shape, np.asarray(_concrete(fill_value)).astype(out_dtype))
    v = fill_value if dtype_of(fill_value) == out_dtype else fnp.astype(fill_value, out_dtype)
    return fnp.broadcast_to(v, out_shape)


def full(shape: Any, fill_value: Any, dtype: Any = None, order: str = "C", *,
         device: Any = None, like: Any = None) -> Any:
    """``numpy.full``, differentiable in ``fill_value`` (NumPy's own stores a
    traced fill value with ``copyto``, which cannot be recorded).

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> fnp.full((2,), 1.5)
    array([1.5, 1.5])
    >>> funcgrad.grad(lambda v: fnp.full((2, 3), v).sum())(1.5)
    np.float64(6.0)
    """
    if not isinstance(fill_value, Box):
        return np.full(shape, fill_value, dtype=dtype, order=order)
    from .. import numpy as fnp
    out_dtype = np.dtype(dtype) if dtype is not None else dtype_of(fill_value)
    out_shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if out_dtype.kind not in "fc":
        return np.full(out_shape, np.asarray(_concrete(fill_value)).astype(out_dtype))
    v = fill_value if dtype_of(fill_value) == out_dtype else fnp.astype(fill_value, out_dtype)
    return fnp.broadcast_to(v, out_shape)


if not _taken("full"):
    register("full", full, "creation", notes="Differentiable in fill_value (the sum of the result's "
                                    "gradient).")
    REGISTERED.append("full")


if not _taken("full_like"):
    register("full_like", full_like, "creation",
             notes="Constant in a; differentiable in fill_value (the sum of the result's "
                   "gradient).")
    REGISTERED.append("full_like")


def _add_examples() -> None:
    scope = {"np": np, "fnp": SimpleNamespace(**exports(""),
                                              linalg=SimpleNamespace(**exports("linalg.")))}
    for name in REGISTERED:
        if name in ("full_like", "full"):
            continue
        example = CONSTANTS[name][0]
        fn = REGISTRY[name].fn
        result = eval(example, scope)
        fn.__doc__ += (f"\n>>> import funcgrad.numpy as fnp, numpy as np\n>>> {example}\n"
                       f"{result!r}\n")


_add_examples()
