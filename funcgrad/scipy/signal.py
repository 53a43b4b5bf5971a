"""Differentiable ``scipy.signal`` convolutions (n-d, real or complex).

One primitive, the full n-d convolution; every mode and every function is a
slice of it (``correlate(a, v) = convolve(a, flip(conj(v)))``, as in SciPy), and
its VJP is again a convolution, so all of them differentiate to any order.
``convolve2d``/``correlate2d`` support ``boundary="fill"`` with ``fillvalue=0``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import scipy.signal as _ss

from .. import numpy as fnp
from .._core import concrete as _strip
from .._core.primitive import defjvp_multilinear
from ..numpy import _batching as _B
from ._registry import exports, joint_primitive, register

F = "signal"
_MODES = ("full", "same", "valid")


def _shape(x: Any) -> tuple:
    return tuple(fnp.shape(x))


def _block(x: Any, start: Any, size: Any) -> Any:
    """``x[start:start + size]`` on every axis."""
    return x[tuple(slice(b, b + n) for b, n in zip(start, size))]


def _full_rule(g, ans, a, v, method="auto"):
    # ans = a * v (full), so a_bar[i] = sum_k g[i + k] v[k]: with h = g * flip(v) (full),
    # a_bar[i] = h[i + m - 1] on every axis (m: v's size); likewise for v.
    sa, sv = _shape(a), _shape(v)
    a_bar = _block(_conv_full(g, fnp.flip(v), method=method), [m - 1 for m in sv], sa)
    v_bar = _block(_conv_full(g, fnp.flip(a), method=method), [n - 1 for n in sa], sv)
    return a_bar, v_bar


_conv_full = joint_primitive(
    "convolve_full", lambda a, v, method="auto": _ss.convolve(a, v, "full", method=method),
    _full_rule, family=F, public=False)


def _mode_block(full: Any, sa: tuple, sv: tuple, mode: str) -> Any:
    """The part of a full convolution SciPy returns for ``mode`` (centred, as
    ``scipy.signal``'s ``_centered``)."""
    if mode == "full":
        return full
    if mode == "same":
        size = sa
    elif mode == "valid":
        if not (all(n >= m for n, m in zip(sa, sv)) or all(m >= n for n, m in zip(sa, sv))):
            raise ValueError("For 'valid' mode, one must be at least as large as the other "
                             "in every dimension")
        size = tuple(abs(n - m) + 1 for n, m in zip(sa, sv))
    else:
        raise ValueError(f"acceptable mode flags are 'valid', 'same', or 'full', got {mode!r}")
    fs = _shape(full)
    return _block(full, [(f - n) // 2 for f, n in zip(fs, size)], size)


def _check(in1: Any, in2: Any, who: str) -> None:
    if fnp.ndim(in1) != fnp.ndim(in2):
        raise ValueError(f"{who}: in1 and in2 should have the same dimensionality")


def convolve(in1: Any, in2: Any, mode: str = "full", method: str = "auto") -> Any:
    """Differentiable ``scipy.signal.convolve`` (n-d; modes full, same, valid).

    >>> import funcgrad, numpy as np
    >>> from funcgrad.scipy.signal import convolve
    >>> convolve(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5]))
    array([0. , 1. , 2.5, 4. , 1.5])
    >>> funcgrad.grad(lambda v: convolve(np.array([1.0, 2.0, 3.0]), v, "valid")[0])(np.ones(2))
    array([2., 1.])
    """
    _check(in1, in2, "convolve")
    if fnp.ndim(in1) == 0:
        return in1 * in2
    full = _conv_full(in1, in2, method=method)
    return _mode_block(full, _shape(in1), _shape(in2), mode)


def _reverse_conj(x: Any) -> Any:
    x = fnp.flip(x)
    return fnp.conj(x) if np.iscomplexobj(_strip(x)) else x


def correlate(in1: Any, in2: Any, mode: str = "full", method: str = "auto") -> Any:
    """Differentiable ``scipy.signal.correlate``: ``convolve(in1, flip(conj(in2)))``."""
    _check(in1, in2, "correlate")
    if fnp.ndim(in1) == 0:
        return in1 * fnp.conj(in2)
    if mode == "valid" and all(m >= n for n, m in zip(_shape(in1), _shape(in2))) \
            and _shape(in1) != _shape(in2):
        # SciPy swaps the inputs, and the result is the reversed conjugate
        return _reverse_conj(convolve(in2, _reverse_conj(in1), mode, method))
    return convolve(in1, _reverse_conj(in2), mode, method)


def fftconvolve(in1: Any, in2: Any, mode: str = "full", axes: Any = None) -> Any:
    """Differentiable ``scipy.signal.fftconvolve`` (over all axes)."""
    if axes is not None:
        raise NotImplementedError("funcgrad.scipy.signal.fftconvolve: axes= is not supported; "
                                  "it convolves over every axis")
    return convolve(in1, in2, mode, method="fft")


def _two_d(in1: Any, in2: Any, boundary: str, fillvalue: Any, who: str) -> None:
    if fnp.ndim(in1) != 2 or fnp.ndim(in2) != 2:
        raise ValueError(f"{who} inputs must both be 2-D arrays")
    if boundary not in ("fill", "pad") or fillvalue != 0:
        raise NotImplementedError(f"funcgrad.scipy.signal.{who}: only boundary='fill' with "
                                  f"fillvalue=0 is supported")


def convolve2d(in1: Any, in2: Any, mode: str = "full", boundary: str = "fill",
               fillvalue: Any = 0) -> Any:
    """Differentiable ``scipy.signal.convolve2d`` (``boundary="fill"``, ``fillvalue=0``)."""
    _two_d(in1, in2, boundary, fillvalue, "convolve2d")
    return convolve(in1, in2, mode, method="direct")


def correlate2d(in1: Any, in2: Any, mode: str = "full", boundary: str = "fill",
                fillvalue: Any = 0) -> Any:
    """Differentiable ``scipy.signal.correlate2d`` (``boundary="fill"``, ``fillvalue=0``)."""
    _two_d(in1, in2, boundary, fillvalue, "correlate2d")
    if mode == "same":  # centred one element later than correlate's 'same' (even kernels)
        full = correlate(in1, in2, "full", method="direct")
        return _block(full, [m // 2 for m in _shape(in2)], _shape(in1))
    return correlate(in1, in2, mode, method="direct")


# --- JVP rules (forward mode) -----------------------------------------------
defjvp_multilinear(_conv_full)  # bilinear in (a, v)

# --- batching rules (vmap) ------------------------------------------------
_B.declare_looped(_conv_full)  # no rule yet: one call per example under vmap (docs/scipy.md)

for _fn in (convolve, correlate, fftconvolve, convolve2d, correlate2d):
    register(f"signal.{_fn.__name__}", _fn, F)

globals().update(exports("signal."))
__all__ = sorted(exports("signal."))
