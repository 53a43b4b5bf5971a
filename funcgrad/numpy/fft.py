"""Differentiable ``numpy.fft``: functions registered as ``"fft.<name>"``.

Four primitives carry every transform: the complex ``fft``/``ifft``, and
``rfft``/``irfft``. The multi-dimensional transforms, ``hfft``/``ihfft`` and
the 2-d variants are composed from them exactly as NumPy composes them, so
values are NumPy's own.

Gradients (JAX's convention: a cotangent ``c`` of ``z`` stands for
``dz -> Re(sum(c * dz))``). The DFT matrix is symmetric, so the transpose of
``fft`` (``ifft``) with a given ``norm`` is ``fft`` (``ifft``) with the same
``norm``, followed by undoing the zero-padding or cropping that ``n``
applied. ``rfft`` is the first ``n//2 + 1`` rows of the DFT of a real
signal: its transpose zero-pads the cotangent to ``n`` and takes the real
part of its ``fft``. ``irfft`` reads only the real parts of the zero and
Nyquist frequencies and counts every other frequency twice: its transpose
is ``ifft`` of the (real) cotangent, cut to ``n//2 + 1`` frequencies,
weighted by 1 (zero, Nyquist) or 2 (others).

>>> import funcgrad, funcgrad.numpy as fnp, numpy as np
>>> funcgrad.grad(lambda x: fnp.sum(fnp.abs(fnp.fft.fft(x)) ** 2))(np.array([1.0, 2.0]))
array([4., 8.])
"""
from __future__ import annotations

from typing import Any as _Any, Optional as _Optional, Sequence as _Sequence

import numpy as _np

from .._core.primitive import defjvp_linear as _defjvp_linear
from . import _compat

from ._registry import dtype_of as _dtype_of, primitive as _primitive, register as _register
from ._registry import shape_of as _shape_of
from .products import fnp as _fnp

_F = "fft"
_SWAP = {"backward": "forward", None: "forward", "ortho": "ortho", "forward": "backward"}


def _swap(norm: _Optional[str]) -> str:
    try:
        return _SWAP[norm]
    except KeyError:
        raise ValueError(f'Invalid norm value {norm}; should be "backward", "ortho" or '
                         '"forward".') from None


def _fit_length(x: _Any, axis: int, length: int) -> _Any:
    """Crop ``x`` along ``axis`` to ``length``, or zero-pad it at the end."""
    shape = tuple(_shape_of(x))
    nd = len(shape)
    ax = axis % nd
    have = shape[ax]
    if have == length:
        return x
    if have > length:
        index = [slice(None)] * nd
        index[ax] = slice(0, length)
        return x[tuple(index)]
    pad_shape = list(shape)
    pad_shape[ax] = length - have
    return _fnp.concatenate([x, _np.zeros(tuple(pad_shape), _dtype_of(x))], axis=ax)


# --- the four primitives ---------------------------------------------------------
def _c2c_impl(a, n=None, axis=-1, norm=None, inverse=False):
    return (_np.fft.ifft if inverse else _np.fft.fft)(a, n=n, axis=axis, norm=norm)


def _c2c_rule(g, ans, a, n=None, axis=-1, norm=None, inverse=False):
    ct = _c2c(g, axis=axis, norm=norm, inverse=inverse)
    return _fit_length(ct, axis, _shape_of(a)[axis])


_c2c = _primitive("fft", _c2c_impl, _c2c_rule, family=_F, register_as="fft._c2c",
                  saves_values=False)


def _rfft_impl(a, n=None, axis=-1, norm=None):
    return _np.fft.rfft(a, n=n, axis=axis, norm=norm)


def _rfft_rule(g, ans, a, n=None, axis=-1, norm=None):
    length = _shape_of(a)[axis]
    full = length if n is None else n
    ct = _c2c(_fit_length(g, axis, full), axis=axis, norm=norm)
    return _fit_length(ct, axis, length)


_rfft = _primitive("rfft", _rfft_impl, _rfft_rule, family=_F, register_as="fft._rfft",
                   saves_values=False)


def _irfft_impl(a, n=None, axis=-1, norm=None):
    return _np.fft.irfft(a, n=n, axis=axis, norm=norm)


def _irfft_rule(g, ans, a, n=None, axis=-1, norm=None):
    shape = tuple(_shape_of(a))
    nd = len(shape)
    length = shape[axis]
    full = 2 * (length - 1) if n is None else n
    half = full // 2 + 1
    ct = _fit_length(_c2c(g, axis=axis, norm=norm, inverse=True), axis, half)
    weights = _np.full(half, 2.0, dtype=_np.finfo(_dtype_of(g)).dtype)
    weights[0] = 1.0
    if full % 2 == 0:
        weights[-1] = 1.0
    wshape = [1] * nd
    wshape[axis % nd] = half
    return _fit_length(ct * weights.reshape(wshape), axis, length)


_irfft = _primitive("irfft", _irfft_impl, _irfft_rule, family=_F, register_as="fft._irfft",
                    saves_values=False)


# --- public functions ------------------------------------------------------------
def _prep(a: _Any, out: _Any, name: str) -> _Any:
    if out is not None:
        raise TypeError(f"funcgrad.numpy.fft.{name} does not support out=: use the "
                        "returned value")
    if not hasattr(a, "shape"):
        a = _np.asarray(a)
    if _dtype_of(a).kind not in "fc":
        a = _np.asarray(a, dtype=float)
    return a


def _check_n(n: _Optional[int]) -> _Optional[int]:
    if n is not None:
        n = int(n)
        if n < 1:
            raise ValueError(f"Invalid number of FFT data points ({n}) specified.")
    return n


def fft(a: _Any, n: _Optional[int] = None, axis: int = -1, norm: _Optional[str] = None,
        out: None = None) -> _Any:
    """Differentiable ``numpy.fft.fft``; the gradient is ``fft`` of the
    cotangent (same ``norm``) with ``n``'s padding or cropping undone.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.fft.fft(np.array([1.0, 0.0, 0.0]))
    array([1.+0.j, 1.+0.j, 1.+0.j])
    """
    _swap(norm)
    return _c2c(_prep(a, out, "fft"), n=_check_n(n), axis=axis, norm=norm)


def ifft(a: _Any, n: _Optional[int] = None, axis: int = -1, norm: _Optional[str] = None,
         out: None = None) -> _Any:
    """Differentiable ``numpy.fft.ifft``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.fft.ifft(np.array([3.0, 0.0, 0.0]))
    array([1.+0.j, 1.+0.j, 1.+0.j])
    """
    _swap(norm)
    return _c2c(_prep(a, out, "ifft"), n=_check_n(n), axis=axis, norm=norm, inverse=True)


def rfft(a: _Any, n: _Optional[int] = None, axis: int = -1, norm: _Optional[str] = None,
         out: None = None) -> _Any:
    """Differentiable ``numpy.fft.rfft`` (real input, ``n//2 + 1`` outputs).

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda x: fnp.real(fnp.fft.rfft(x)[1]))(np.zeros(4))
    array([ 1.,  0., -1.,  0.])
    """
    _swap(norm)
    return _rfft(_prep(a, out, "rfft"), n=_check_n(n), axis=axis, norm=norm)


def irfft(a: _Any, n: _Optional[int] = None, axis: int = -1, norm: _Optional[str] = None,
          out: None = None) -> _Any:
    """Differentiable ``numpy.fft.irfft`` (a real signal of length ``n``,
    default ``2 * (m - 1)``, from ``m`` half-spectrum values). Like NumPy,
    it ignores the imaginary parts of the zero and Nyquist frequencies, so
    their gradients are real.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda z: fnp.fft.irfft(z)[0])(np.zeros(3, complex))
    array([0.25+0.j, 0.5 +0.j, 0.25+0.j])
    """
    _swap(norm)
    return _irfft(_prep(a, out, "irfft"), n=_check_n(n), axis=axis, norm=norm)


def hfft(a: _Any, n: _Optional[int] = None, axis: int = -1, norm: _Optional[str] = None,
         out: None = None) -> _Any:
    """Differentiable ``numpy.fft.hfft``: ``irfft(conj(a))`` with the opposite
    normalization, as NumPy computes it.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.fft.hfft(np.array([1.0, 0.0, 0.0]))
    array([1., 1., 1., 1.])
    """
    a = _prep(a, out, "hfft")
    if n is None:
        n = (_shape_of(a)[axis] - 1) * 2
    conj = _fnp.conjugate(a) if _dtype_of(a).kind == "c" else a
    return _irfft(conj, n=_check_n(n), axis=axis, norm=_swap(norm))


def ihfft(a: _Any, n: _Optional[int] = None, axis: int = -1, norm: _Optional[str] = None,
          out: None = None) -> _Any:
    """Differentiable ``numpy.fft.ihfft``: ``conj(rfft(a))`` with the opposite
    normalization, as NumPy computes it.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.fft.ihfft(np.array([2.0, 0.0]))
    array([1.-0.j, 1.-0.j])
    """
    a = _prep(a, out, "ihfft")
    return _fnp.conjugate(_rfft(a, n=_check_n(n), axis=axis, norm=_swap(norm)))


def _cook(a: _Any, s: _Any, axes: _Any, invreal: bool = False) -> tuple:
    """NumPy's ``_cook_nd_args``: the lengths and axes of an n-d transform."""
    shape = tuple(_shape_of(a))
    shapeless = s is None
    if s is None:
        s = list(shape) if axes is None else [shape[ax] for ax in axes]
    s = list(s)
    if axes is None:
        if not shapeless:
            import warnings
            warnings.warn("`axes` should not be `None` if `s` is not `None` (Deprecated in "
                          "NumPy 2.0).", DeprecationWarning, stacklevel=3)
        axes = list(range(-len(s), 0))
    axes = list(axes)
    if len(s) != len(axes):
        raise ValueError("Shape and axes have different lengths.")
    if invreal and shapeless:
        s[-1] = (shape[axes[-1]] - 1) * 2
    s = [shape[ax] if n == -1 else n for n, ax in zip(s, axes)]
    return s, axes


def _c2c_nd(a: _Any, s: _Any, axes: _Any, norm: _Optional[str], inverse: bool,
            out: _Any, name: str) -> _Any:
    _swap(norm)
    a = _prep(a, out, name)
    s, axes = _cook(a, s, axes)
    for k in reversed(range(len(axes))):
        a = _c2c(a, n=s[k], axis=axes[k], norm=norm, inverse=inverse)
    return a


def fftn(a: _Any, s: _Optional[_Sequence[int]] = None, axes: _Optional[_Sequence[int]] = None,
         norm: _Optional[str] = None, out: None = None) -> _Any:
    """Differentiable ``numpy.fft.fftn`` (1-d transforms over ``axes``, last first).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.fft.fftn(np.ones((2, 2))).real
    array([[4., 0.],
           [0., 0.]])
    """
    return _c2c_nd(a, s, axes, norm, False, out, "fftn")


def ifftn(a: _Any, s: _Optional[_Sequence[int]] = None, axes: _Optional[_Sequence[int]] = None,
          norm: _Optional[str] = None, out: None = None) -> _Any:
    """Differentiable ``numpy.fft.ifftn``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.fft.ifftn(np.ones((2, 2))).real
    array([[1., 0.],
           [0., 0.]])
    """
    return _c2c_nd(a, s, axes, norm, True, out, "ifftn")


def fft2(a: _Any, s: _Optional[_Sequence[int]] = None, axes: _Sequence[int] = (-2, -1),
         norm: _Optional[str] = None, out: None = None) -> _Any:
    """Differentiable ``numpy.fft.fft2`` (``fftn`` over the last two axes).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.fft.fft2(np.ones((3, 2, 2))).shape
    (3, 2, 2)
    """
    return _c2c_nd(a, s, axes, norm, False, out, "fft2")


def ifft2(a: _Any, s: _Optional[_Sequence[int]] = None, axes: _Sequence[int] = (-2, -1),
          norm: _Optional[str] = None, out: None = None) -> _Any:
    """Differentiable ``numpy.fft.ifft2``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.fft.ifft2(np.ones((2, 2))).real
    array([[1., 0.],
           [0., 0.]])
    """
    return _c2c_nd(a, s, axes, norm, True, out, "ifft2")


def rfftn(a: _Any, s: _Optional[_Sequence[int]] = None, axes: _Optional[_Sequence[int]] = None,
          norm: _Optional[str] = None, out: None = None) -> _Any:
    """Differentiable ``numpy.fft.rfftn``: ``rfft`` over the last axis, then
    ``fft`` over the others.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.fft.rfftn(np.ones((2, 4))).shape
    (2, 3)
    """
    _swap(norm)
    a = _prep(a, out, "rfftn")
    s, axes = _cook(a, s, axes)
    a = _rfft(a, n=s[-1], axis=axes[-1], norm=norm)
    for k in range(len(axes) - 1):
        a = _c2c(a, n=s[k], axis=axes[k], norm=norm)
    return a


def irfftn(a: _Any, s: _Optional[_Sequence[int]] = None, axes: _Optional[_Sequence[int]] = None,
           norm: _Optional[str] = None, out: None = None) -> _Any:
    """Differentiable ``numpy.fft.irfftn``: ``ifft`` over all but the last
    axis, then ``irfft`` over the last.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.fft.irfftn(np.ones((2, 3))).shape
    (2, 4)
    """
    _swap(norm)
    a = _prep(a, out, "irfftn")
    s, axes = _cook(a, s, axes, invreal=True)
    for k in range(len(axes) - 1):
        a = _c2c(a, n=s[k], axis=axes[k], norm=norm, inverse=True)
    return _irfft(a, n=s[-1], axis=axes[-1], norm=norm)


def rfft2(a: _Any, s: _Optional[_Sequence[int]] = None, axes: _Sequence[int] = (-2, -1),
          norm: _Optional[str] = None, out: None = None) -> _Any:
    """Differentiable ``numpy.fft.rfft2``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.fft.rfft2(np.ones((2, 4))).shape
    (2, 3)
    """
    return rfftn(a, s, axes, norm, out)


def irfft2(a: _Any, s: _Optional[_Sequence[int]] = None, axes: _Sequence[int] = (-2, -1),
           norm: _Optional[str] = None, out: None = None) -> _Any:
    """Differentiable ``numpy.fft.irfft2``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.fft.irfft2(np.ones((2, 3))).shape
    (2, 4)
    """
    return irfftn(a, s, axes, norm, out)


# --- shifts and frequencies ---------------------------------------------------------
def _shift_impl(x, axes=None, inverse=False):
    return (_np.fft.ifftshift if inverse else _np.fft.fftshift)(x, axes)


_shift = _primitive("fftshift", _shift_impl,
                    lambda g, ans, x, axes=None, inverse=False:
                    _shift(g, axes=axes, inverse=not inverse),
                    family=_F, register_as="fft._shift", saves_values=False)


def _axes_param(axes: _Any) -> _Any:
    if axes is None or isinstance(axes, (int, _np.integer)):
        return axes
    return tuple(axes)


def fftshift(x: _Any, axes: _Any = None) -> _Any:
    """Differentiable ``numpy.fft.fftshift``; its gradient is ``ifftshift``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.fft.fftshift(np.arange(5.0))
    array([3., 4., 0., 1., 2.])
    """
    return _shift(x, axes=_axes_param(axes))


def ifftshift(x: _Any, axes: _Any = None) -> _Any:
    """Differentiable ``numpy.fft.ifftshift``; its gradient is ``fftshift``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.fft.ifftshift(np.arange(5.0))
    array([2., 3., 4., 0., 1.])
    """
    return _shift(x, axes=_axes_param(axes), inverse=True)


def _is_traced(x: _Any) -> bool:
    from .._core import Box
    return isinstance(x, Box)


def fftfreq(n: int, d: _Any = 1.0, device: _Any = None) -> _Any:
    """``numpy.fft.fftfreq``: sample frequencies. A constant, except that a
    traced sample spacing ``d`` is differentiated (the result is ``k / (n d)``).

    >>> import funcgrad.numpy as fnp
    >>> fnp.fft.fftfreq(4, d=0.5)
    array([ 0. ,  0.5, -1. , -0.5])
    """
    if _is_traced(d):
        return _np.fft.fftfreq(n, 1.0) / d
    return _compat.fftfreq(n, d, device=device)


def rfftfreq(n: int, d: _Any = 1.0, device: _Any = None) -> _Any:
    """``numpy.fft.rfftfreq``: sample frequencies of ``rfft``; differentiable
    in a traced ``d`` like :func:`fftfreq`.

    >>> import funcgrad.numpy as fnp
    >>> fnp.fft.rfftfreq(4)
    array([0.  , 0.25, 0.5 ])
    """
    if _is_traced(d):
        return _np.fft.rfftfreq(n, 1.0) / d
    return _compat.rfftfreq(n, d, device=device)


for _name, _fn, _notes in [
    ("fft", fft, "Gradient: fft of the cotangent (same norm), padding/cropping undone."),
    ("ifft", ifft, "Gradient: ifft of the cotangent (same norm), padding/cropping undone."),
    ("rfft", rfft, "Real input; gradient: real part of fft of the zero-padded cotangent."),
    ("irfft", irfft, "Imaginary parts of the zero and Nyquist inputs are ignored (zero "
     "gradient), as in NumPy."),
    ("hfft", hfft, "irfft(conj(a)) with swapped norm."),
    ("ihfft", ihfft, "conj(rfft(a)) with swapped norm."),
    ("fftn", fftn, ""), ("ifftn", ifftn, ""), ("fft2", fft2, ""), ("ifft2", ifft2, ""),
    ("rfftn", rfftn, ""), ("irfftn", irfftn, ""), ("rfft2", rfft2, ""), ("irfft2", irfft2, ""),
    ("fftshift", fftshift, "Gradient: ifftshift."),
    ("ifftshift", ifftshift, "Gradient: fftshift."),
    ("fftfreq", fftfreq, "A constant unless d is traced (then k / (n d))."),
    ("rfftfreq", rfftfreq, "A constant unless d is traced (then k / (n d))."),
]:
    _register(f"fft.{_name}", _fn, _F, notes=_notes)


def __getattr__(name: str) -> _Any:
    return getattr(_np.fft, name)


def __dir__() -> list:
    return sorted(set(globals()) | set(dir(_np.fft)))


# --- JVP rules (forward mode) -----------------------------------------------
for _p in (_c2c, _rfft, _irfft, _shift):  # linear transforms
    _defjvp_linear(_p)

# --- batching rules (vmap) ------------------------------------------------
from .._core import defbatch as _defbatch  # noqa: E402
from . import _batching as _B  # noqa: E402

_defbatch(_B.axis_rule(pos=2, none="keep", default=-1), _c2c, _rfft, _irfft)
_defbatch(_B.axis_rule("axes", none="all"), _shift)
