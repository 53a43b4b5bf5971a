"""Routing plain NumPy calls on traced values to funcgrad.numpy.

``np.sin(t)`` reaches :func:`dispatch_ufunc` through ``__array_ufunc__``;
``np.sum(t)`` reaches :func:`dispatch_function` through
``__array_function__``. A NumPy function with no rule raises a
:class:`TypeError` naming it.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .._core import Box

_UFUNC_METHODS = {
    ("add", "reduce"): "sum",
    ("multiply", "reduce"): "prod",
    ("maximum", "reduce"): "amax",
    ("minimum", "reduce"): "amin",
    ("add", "accumulate"): "cumsum",
    ("multiply", "accumulate"): "cumprod",
}


def no_rule_error(qualname: str) -> TypeError:
    return TypeError(
        f"funcgrad has no gradient rule for {qualname}, which was called on a traced "
        "value. Write the computation with functions funcgrad supports (see "
        "docs/numpy-coverage.md), or define its gradient with funcgrad.custom_vjp. "
        "If no gradient is needed through it, apply it to funcgrad.stop_gradient(x)."
    )


def _namespace(module_name: str) -> Any:
    from .. import numpy as fnp
    if module_name in ("numpy", "numpy._core.fromnumeric", "numpy.core.fromnumeric"):
        return fnp
    if module_name.startswith("numpy."):
        sub = module_name.split(".")[1]
        return getattr(fnp, sub, None) if sub in ("linalg", "fft", "random") else fnp
    return None


def dispatch_ufunc(ufunc: np.ufunc, method: str, inputs: tuple, kwargs: dict) -> Any:
    from .. import numpy as fnp
    out = kwargs.pop("out", None)
    if out is not None:
        raise TypeError(
            f"numpy.{ufunc.__name__}(..., out=...) would write a traced value into an "
            "existing array; funcgrad arrays are immutable. Use the returned value "
            "instead (for indexed updates: x.at[idx].set(v))."
        )
    name = ufunc.__name__
    if method == "__call__":
        fn = fnp.__dict__.get(name)
        if fn is None:
            raise no_rule_error(f"numpy.{name}")
        return fn(*inputs, **kwargs)
    if method == "at":
        raise TypeError(
            f"numpy.{name}.at mutates its first argument in place, which a traced "
            "computation cannot record. Use the functional form "
            "x = x.at[idx].add(v) (or .multiply / .min / .max / .set)."
        )
    if method == "outer":
        fn = fnp.__dict__.get(name)
        if fn is None:
            raise no_rule_error(f"numpy.{name}.outer")
        a, b = inputs
        a_shape = np.shape(a) if not hasattr(a, "shape") else a.shape
        b_ndim = np.ndim(b) if not hasattr(b, "shape") else len(b.shape)
        return fn(fnp.reshape(a, tuple(a_shape) + (1,) * b_ndim), b, **kwargs)
    target = _UFUNC_METHODS.get((name, method))
    fn = fnp.__dict__.get(target) if target else None
    if fn is None:
        raise no_rule_error(f"numpy.{name}.{method}")
    kwargs.setdefault("axis", 0)
    return fn(*inputs, **kwargs)


def dispatch_function(func: Any, args: tuple, kwargs: dict) -> Any:
    ns = _namespace(getattr(func, "__module__", "") or "")
    name = func.__name__
    fn = ns.__dict__.get(name) if ns is not None else None
    if fn is None or fn is func:
        raise no_rule_error(f"{_public_module(func)}.{name}")
    return fn(*args, **kwargs)


def _public_module(func: Any) -> str:
    mod = getattr(func, "__module__", "numpy") or "numpy"
    return "numpy" if mod.startswith("numpy._core") or mod.startswith("numpy.core") else mod


def strip(x: Any) -> Any:
    """The concrete value under every box of ``x`` (lists and tuples too)."""
    while isinstance(x, Box):
        x = x._value
    if isinstance(x, (list, tuple)):
        return type(x)(strip(v) for v in x) if type(x) in (list, tuple) else x
    return x


def constant_function(numpy_fn: Any) -> Any:
    """Wrap a NumPy function whose result carries no gradient (``argmax``,
    ``shape``, ``zeros_like``): it runs on the concrete values."""

    def fn(*args: Any, **kwargs: Any) -> Any:
        return numpy_fn(*(strip(a) for a in args), **{k: strip(v) for k, v in kwargs.items()})

    fn.__name__ = numpy_fn.__name__
    fn.__qualname__ = numpy_fn.__name__
    fn.__doc__ = (f"``numpy.{numpy_fn.__name__}`` on concrete values: accepts traced "
                  "arrays, returns a constant (no gradient flows through it).")
    fn.__module__ = __name__
    return fn


