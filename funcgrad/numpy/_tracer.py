"""The NumPy-flavoured box: what a function under a transform receives.

A :class:`Tracer` behaves like an ndarray: Python operators, methods,
indexing, and plain NumPy calls (``np.sin(t)``, ``np.sum(t)``) through
``__array_ufunc__`` / ``__array_function__`` all route to
:mod:`funcgrad.numpy`, which records them. Comparisons and Python control
flow work on the concrete value (the graph is rebuilt on every call).
Converting a tracer to a concrete ``float`` or ``ndarray`` raises
:class:`ConcretizationError`, because the gradient would be silently lost.
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .._core import Box, Primitive
from .._core.primitive import _NO_PARAMS
from .._core.staging import ConcretizationError, concretization_error, staged_value
from ._registry import namespace as _fnp


def _concretization_error(what: str, box: Any = None) -> ConcretizationError:
    aval = staged_value(box)
    if aval is not None:  # under jit: the value does not exist yet
        return concretization_error(what, aval)
    return ConcretizationError(
        f"Cannot convert a traced value to {what}: its gradient would be lost. "
        "Inside a function being differentiated, keep computing with funcgrad.numpy "
        "(or plain numpy) functions on the traced value instead of converting it. "
        "If you really need the number without its gradient, use "
        "funcgrad.stop_gradient(x) and convert that, or move the conversion "
        "outside the transformed function."
    )


class Tracer(Box):
    """An array recorded on a transform's trace (see module docstring)."""

    __slots__ = ()
    __array_priority__ = 1000.0

    # --- array attributes (the value's; C-level getters, no Python frame) --
    shape = property(operator.attrgetter("_value.shape"), doc="The value's shape.")
    dtype = property(operator.attrgetter("_value.dtype"), doc="The value's dtype.")
    ndim = property(operator.attrgetter("_value.ndim"), doc="The value's number of axes.")
    size = property(operator.attrgetter("_value.size"), doc="The value's number of elements.")

    def __len__(self) -> int:
        return len(self._value)

    def __iter__(self):
        for i in range(len(self._value)):
            yield self[i]

    def __repr__(self) -> str:
        return f"Tracer({self._value!r}, level={self._trace.level})"

    __hash__ = object.__hash__

    # --- concretization ---------------------------------------------------
    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise _concretization_error("a NumPy array (np.asarray / np.array)", self)

    def __float__(self) -> float:
        raise _concretization_error("a Python float", self)

    def __int__(self) -> int:
        raise _concretization_error("a Python int", self)

    def __complex__(self) -> complex:
        raise _concretization_error("a Python complex", self)

    def __index__(self) -> int:
        raise _concretization_error("an index", self)

    def item(self, *args: Any) -> Any:
        raise _concretization_error("a Python scalar (.item())", self)

    def tolist(self) -> Any:
        raise _concretization_error("a Python list (.tolist())", self)

    def __bool__(self) -> bool:
        return bool(self._value)

    # Operators (``x * y`` is ``multiply(x, y)``...) and the ndarray methods
    # that are namespace functions (``x.sum(axis=0)``) are installed by
    # :func:`install` once funcgrad.numpy has made its primitives.

    def __getitem__(self, index: Any) -> Any:
        return _fnp().getitem(self, index)

    def __setitem__(self, index: Any, value: Any) -> None:
        raise TypeError(
            "Traced arrays are immutable: in-place assignment x[idx] = v would "
            "break the recorded graph. Use the functional form "
            "x = x.at[idx].set(v) (also .add, .multiply, .min, .max)."
        )

    def _in_place(self, method: str, instead: str) -> TypeError:
        return TypeError(
            f"ndarray.{method} modifies the array in place, which a traced computation "
            f"cannot record (traced arrays are immutable). Use {instead} instead.")

    def sort(self, *args: Any, **kwargs: Any) -> None:
        raise self._in_place("sort", "x = np.sort(x)")

    def partition(self, *args: Any, **kwargs: Any) -> None:
        raise self._in_place("partition", "x = np.partition(x, kth)")

    def fill(self, value: Any) -> None:
        raise self._in_place("fill", "x = np.full_like(x, value)")

    def put(self, *args: Any, **kwargs: Any) -> None:
        raise self._in_place("put", "x = x.at[idx].set(v)")

    def resize(self, *args: Any, **kwargs: Any) -> None:
        raise self._in_place("resize", "x = np.resize(x, shape)")

    # --- NumPy protocol ---------------------------------------------------
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return _fnp()._dispatch_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        return _fnp()._dispatch_function(func, args, kwargs)

    # --- methods (the ndarray ones that make sense on traced values) ------
    @property
    def T(self): return _fnp().transpose(self)
    @property
    def mT(self): return _fnp().swapaxes(self, -1, -2)
    @property
    def real(self): return _fnp().real(self)
    @property
    def imag(self): return _fnp().imag(self)
    @property
    def at(self): return _fnp()._IndexUpdateHelper(self)

    def conj(self): return _fnp().conjugate(self)
    conjugate = conj

    def astype(self, dtype: Any, copy: bool = True): return _fnp().astype(self, dtype)

    def reshape(self, *shape: Any, order: str = "C"):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _fnp().reshape(self, shape, order=order)

    def transpose(self, *axes: Any):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)) or axes == (None,):
            axes = axes[0]
        return _fnp().transpose(self, axes or None)


# Operator -> (namespace function, reflected?); comparisons need no reflection.
_OPERATORS = {
    "__add__": ("add", False), "__radd__": ("add", True),
    "__sub__": ("subtract", False), "__rsub__": ("subtract", True),
    "__mul__": ("multiply", False), "__rmul__": ("multiply", True),
    "__truediv__": ("divide", False), "__rtruediv__": ("divide", True),
    "__pow__": ("power", False), "__rpow__": ("power", True),
    "__matmul__": ("matmul", False), "__rmatmul__": ("matmul", True),
    "__mod__": ("remainder", False), "__rmod__": ("remainder", True),
    "__floordiv__": ("floor_divide", False), "__rfloordiv__": ("floor_divide", True),
    "__lt__": ("less", False), "__le__": ("less_equal", False),
    "__gt__": ("greater", False), "__ge__": ("greater_equal", False),
    "__eq__": ("equal", False), "__ne__": ("not_equal", False),
}
_UNARY = {"__neg__": "negative", "__abs__": "absolute"}

# ndarray methods a Tracer offers: t.sum(axis=0) is sum(t, axis=0).
METHODS = frozenset({
    "sum", "mean", "prod", "max", "min", "var", "std", "cumsum", "cumprod", "ravel",
    "flatten", "squeeze", "swapaxes", "repeat", "clip", "dot", "round", "argmax",
    "argmin", "argsort", "nonzero", "trace", "diagonal", "take", "all", "any",
    "ptp", "copy", "flip",
})


def _binary(fn: Any, reflected: bool) -> Any:
    if not (isinstance(fn, Primitive) and fn.differentiable):
        if reflected:
            def op(self, other): return fn(other, self)
        else:
            def op(self, other): return fn(self, other)
        return op
    # ``tracer op constant``: this tracer's trace is the innermost one, so
    # the call goes to it directly (what ``fn(self, other)`` would find).
    if reflected:
        def op(self, other):
            if isinstance(other, Box):
                return fn(other, self)
            return self._trace.process(fn, (other, self), _NO_PARAMS)
    else:
        def op(self, other):
            if isinstance(other, Box):
                return fn(self, other)
            return self._trace.process(fn, (self, other), _NO_PARAMS)
    return op


def _unary(fn: Any) -> Any:
    if isinstance(fn, Primitive) and fn.differentiable:
        def op(self): return self._trace.process(fn, (self,), _NO_PARAMS)
    else:
        def op(self): return fn(self)
    return op


def _method(fn: Any) -> Any:
    def method(self, *args: Any, **kwargs: Any) -> Any:
        return fn(self, *args, **kwargs)
    return method


def install(namespace: Any) -> None:
    """Give :class:`Tracer` its operators and ndarray methods, each calling
    ``namespace``'s function directly (funcgrad.numpy calls this once its
    primitives exist)."""
    for dunder, (name, reflected) in _OPERATORS.items():
        setattr(Tracer, dunder, _binary(getattr(namespace, name), reflected))
    for dunder, name in _UNARY.items():
        setattr(Tracer, dunder, _unary(getattr(namespace, name)))
    for name in METHODS:
        method = _method(getattr(namespace, name))
        method.__name__ = method.__qualname__ = name
        method.__doc__ = f"``{name}(self, ...)``: see ``funcgrad.numpy.{name}``."
        setattr(Tracer, name, method)


class BatchTracer(Tracer):
    """A batched value under ``vmap``, seen as one example: ``shape``,
    ``ndim``, ``size``, ``len`` and iteration drop the batch axis (axis 0
    of ``_value``), and every operation goes through batching rules."""

    __slots__ = ()

    @property
    def shape(self) -> tuple:
        """The per-example shape."""
        return tuple(self._value.shape[1:])

    @property
    def ndim(self) -> int:
        """The per-example number of axes."""
        return len(self._value.shape) - 1

    @property
    def size(self) -> int:
        """The per-example number of elements."""
        n = 1
        for d in self._value.shape[1:]:
            n *= d
        return n

    def __len__(self) -> int:
        shape = self._value.shape
        if len(shape) < 2:
            raise TypeError("len() of unsized object")
        return shape[1]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __repr__(self) -> str:
        return (f"BatchTracer(shape={self.shape}, dtype={self.dtype}, "
                f"batch_size={self._value.shape[0]}, level={self._trace.level})")

    def __bool__(self) -> bool:
        raise ConcretizationError(
            "The truth value of a batched value is ambiguous under vmap (each example "
            "has its own): Python control flow (if/while/and/or) cannot depend on it. "
            "Use funcgrad.numpy.where (or select) to choose per example instead.")
