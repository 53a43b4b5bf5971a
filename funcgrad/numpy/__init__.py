"""funcgrad.numpy: NumPy's namespace, differentiable.

Use it like ``numpy``::

    import funcgrad, funcgrad.numpy as np
    funcgrad.grad(lambda x: np.sum(np.sin(x) ** 2))(np.linspace(0, 1, 5))

Plain ``import numpy as np`` works as well inside a transformed function:
NumPy hands calls on traced values to this namespace. Every public NumPy
name resolves here: functions with gradient rules are funcgrad's own (see
``docs/numpy-coverage.md``); constants, dtypes and functions whose result
carries no gradient come from NumPy.
"""
from __future__ import annotations

import sys as _sys
from typing import Any

import numpy as _np

from .._core import ops as _ops
from ._tracer import ConcretizationError, Tracer
from ._tracer import install as _install_tracer_methods
from ._registry import REGISTRY, dtype_of as _dtype_of
from ._dispatch import (
    constant_function as _constant_function,
    dispatch_function as _dispatch_function,
    dispatch_ufunc as _dispatch_ufunc,
    no_rule_error as _no_rule_error,
)
# Family modules: each registers its functions in REGISTRY as it is imported.
from . import elementwise, reductions, shaping, assembly, combining, indexing, products  # noqa: E402,F401
from . import linalg  # noqa: E402,F401
from . import fft  # noqa: E402,F401  (numpy.fft: registers "fft.<name>")
# Keep these last among the family imports: they register only names no family provides.
from . import functional  # noqa: E402,F401  (apply_along_axis, piecewise, ...)
from . import constants  # noqa: E402,F401
from . import random  # noqa: E402,F401  (numpy.random: draws are constants)
from ._registry import exports as _exports  # noqa: E402

globals().update(_exports(""))
from .shaping import unbroadcast as _unbroadcast  # noqa: E402
from .indexing import at, getitem, scatter_add, _IndexUpdateHelper  # noqa: E402,F401
from .._core import register_box_type as _register_box_type

_register_box_type(None, Tracer)
from .._core import batching as _batching_core  # noqa: E402
from ._tracer import BatchTracer as _BatchTracer  # noqa: E402

_batching_core.register_batch_box_type(None, _BatchTracer)
_batching_core.bops.getitem = getitem
_batching_core.bops.stack = lambda xs: stack(xs)

_install_tracer_methods(_sys.modules[__name__])  # operators and ndarray methods


# --- what the engine borrows --------------------------------------------
def _fit(ct: Any, primal: Any) -> Any:
    """Shape and dtype a cotangent like its primal (sum broadcast axes, drop
    the imaginary part for a real primal, cast to the primal's precision)."""
    try:
        # The common case, first and cheap: nothing to do. (NumPy's built-in
        # dtypes are singletons, so ``is`` settles most dtype comparisons.)
        if ct.dtype is primal.dtype and ct.shape == primal.shape:
            return ct
    except AttributeError:  # a Python scalar
        ct = _np.asarray(ct)
    if ct.shape != primal.shape:
        ct = _unbroadcast(ct, tuple(primal.shape))
    want = primal.dtype
    have = ct.dtype
    if have != want:
        want = _np.dtype(want)
        if _np.dtype(have).kind == "c" and want.kind != "c":
            ct = real(ct)
        if ct.dtype != want:
            ct = astype(ct, want)
    return ct


def _fit_tangent(t: Any, primal: Any) -> Any:
    """Shape and dtype a JVP rule's tangent like its primal (the forward
    counterpart of :func:`_fit`: broadcast instead of summing)."""
    if not hasattr(t, "shape"):  # a Python scalar
        t = _np.asarray(t)
    want = _np.dtype(primal.dtype)
    if t.dtype != want:
        if _np.dtype(t.dtype).kind == "c" and want.kind != "c":
            t = real(t)
        if t.dtype != want:
            t = astype(t, want)
    shape = tuple(primal.shape)
    if tuple(t.shape) != shape:
        t = broadcast_to(t, shape)
    return t


def _zeros_like(x: Any) -> Any:
    return _np.zeros(tuple(x.shape), _dtype_of(x))


_ops.add = add
_ops.fit = _fit
_ops.zeros_like = _zeros_like
_ops.fit_tangent = _fit_tangent
# NumPy's numeric scalar types: each fixes its instances' dtype (and shape, ())
_ops.scalar_types = frozenset(_np.dtype(c).type for c in "?bhilqpBHILQPefdgFDG")


def __getattr__(name: str) -> Any:
    """Every other public NumPy name resolves to NumPy's own object: constants
    and dtypes work as usual, and a NumPy function without a gradient rule,
    called on a traced value, raises a TypeError naming it (through NumPy's
    own dispatch to the tracer)."""
    return getattr(_np, name)
