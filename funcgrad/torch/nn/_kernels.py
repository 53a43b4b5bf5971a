"""NumPy kernels of the convolution and pooling layers, as engine primitives.

A convolution is "pad, take strided windows, contract with the weight":
:func:`_windows` is a read-only ``as_strided`` view ``(N, C, *out, *kernel)``
of the padded input, and the contraction is one (batched) matrix product.
Its two adjoints are primitives too, and the three close under
differentiation, so gradients of any order stay convolutions:

========================  =========================  ===========================
primitive                 VJP of its 1st argument    VJP of its 2nd argument
========================  =========================  ===========================
``conv(x, w)``            ``conv_input(g, w)``       ``conv_weight(x, g)``
``conv_input(g, w)``      ``conv(h, w)``             ``conv_weight(h, g)``
``conv_weight(x, g)``     ``conv_input(g, h)``       ``conv(x, h)``
========================  =========================  ===========================

``conv_input`` (the transposed convolution, also the forward pass of
``ConvTranspose``) scatters the window cotangents back with one strided slice
addition per kernel tap (each over every position at once). Max pooling is a
gather at the argmax indices (``take``), whose adjoint scatters with
``np.bincount``; average pooling is a depthwise sum of windows.

>>> import numpy as np
>>> x = np.arange(16.0).reshape(1, 1, 4, 4); w = np.ones((1, 1, 2, 2))
>>> conv(x, w, None, stride=(2, 2), padding=((0, 0), (0, 0)), dilation=(1, 1), groups=1)
array([[[[10., 18.],
         [42., 50.]]]])
"""
from __future__ import annotations

import itertools
from typing import Tuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

import funcgrad.numpy as fnp
from funcgrad._core import Primitive, defvjp
from funcgrad._core.staging import shape_dtype
from funcgrad._core.primitive import defjvp, defjvp_linear

Pads = Tuple[Tuple[int, int], ...]


def _pad(x: np.ndarray, padding: Pads, value: float = 0.0) -> np.ndarray:
    if not any(lo or hi for lo, hi in padding):
        return x
    shape = x.shape[:2] + tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[2:], padding))
    out = np.full(shape, value, dtype=x.dtype)
    out[(slice(None), slice(None)) + tuple(slice(lo, lo + s) for s, (lo, _) in
                                           zip(x.shape[2:], padding))] = x
    return out


def out_shape(size: Tuple[int, ...], kernel, stride, padding: Pads, dilation) -> Tuple[int, ...]:
    """Output sizes of a window operation over spatial ``size``."""
    return tuple((s + lo + hi - d * (k - 1) - 1) // st + 1
                 for s, k, st, (lo, hi), d in zip(size, kernel, stride, padding, dilation))


def _windows(xp: np.ndarray, kernel, stride, dilation, out) -> np.ndarray:
    """The read-only view ``(N, C, *out, *kernel)`` of windows of ``xp``."""
    st = xp.strides
    shape = xp.shape[:2] + tuple(out) + tuple(kernel)
    strides = (st[:2] + tuple(s * k for s, k in zip(st[2:], stride))
               + tuple(s * d for s, d in zip(st[2:], dilation)))
    return as_strided(xp, shape, strides, writeable=False)


def _cols(x: np.ndarray, kernel, stride, padding: Pads, dilation, groups: int) -> tuple:
    """The im2col matrix ``(N, G, Cg * K, P)`` of ``x`` and the output sizes."""
    out = out_shape(x.shape[2:], kernel, stride, padding, dilation)
    win = _windows(_pad(x, padding), kernel, stride, dilation, out)
    nd = len(kernel)
    # (N, C, *out, *k) -> (N, C, *k, *out), one copy into the matrix layout
    perm = (0, 1) + tuple(range(2 + nd, 2 + 2 * nd)) + tuple(range(2, 2 + nd))
    n, c = x.shape[:2]
    cols = np.ascontiguousarray(win.transpose(perm)).reshape(
        n, groups, (c // groups) * int(np.prod(kernel)), int(np.prod(out)))
    return cols, out


def _conv_impl(x, w, b, stride, padding, dilation, groups):
    kernel = w.shape[2:]
    cols, out = _cols(x, kernel, stride, padding, dilation, groups)
    o = w.shape[0]
    wm = w.reshape(groups, o // groups, -1)
    y = np.matmul(wm, cols).reshape(x.shape[0], o, -1)  # (N, O, P)
    if b is not None:
        y += b[:, None]
    return y.reshape((x.shape[0], o) + out)


def _conv_input_impl(g, w, xshape, stride, padding, dilation, groups):
    n, o = g.shape[:2]
    kernel = w.shape[2:]
    out = g.shape[2:]
    c = xshape[1]
    wm = w.reshape(groups, o // groups, -1)
    gm = g.reshape(n, groups, o // groups, -1)
    dcols = np.matmul(wm.swapaxes(-1, -2), gm)  # (N, G, Cg*K, P)
    dcols = dcols.reshape((n, c) + tuple(kernel) + tuple(out))
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(xshape[2:], padding))
    xp = np.zeros((n, c) + padded, dtype=np.result_type(g, w))
    for tap in itertools.product(*(range(k) for k in kernel)):
        index = (slice(None), slice(None)) + tuple(
            slice(t * d, t * d + st * (p - 1) + 1, st)
            for t, d, st, p in zip(tap, dilation, stride, out))
        xp[index] += dcols[(slice(None), slice(None)) + tap]
    return xp[(slice(None), slice(None)) + tuple(slice(lo, lo + s) for s, (lo, _) in
                                                 zip(xshape[2:], padding))]


def _conv_weight_impl(x, g, wshape, stride, padding, dilation, groups):
    kernel = wshape[2:]
    cols, out = _cols(x, kernel, stride, padding, dilation, groups)
    n, o = g.shape[:2]
    gm = g.reshape(n, groups, o // groups, -1)
    gw = np.matmul(gm, cols.swapaxes(-1, -2)).sum(axis=0)  # (G, Og, Cg*K)
    return gw.reshape(wshape).astype(np.result_type(x, g), copy=False)


conv = Primitive("convolution", _conv_impl)
conv_input = Primitive("convolution_backward_input", _conv_input_impl)
conv_weight = Primitive("convolution_backward_weight", _conv_weight_impl)


def _shape(a) -> tuple:
    return shape_dtype(a)[0]  # (per example under vmap)


def _bias_rule(g, ans, x, w, b, **p):
    return fnp.sum(g, axis=(0,) + tuple(range(2, len(_shape(g)))))


defvjp(conv,
       lambda g, ans, x, w, b, **p: conv_input(g, w, xshape=_shape(x), **p),
       lambda g, ans, x, w, b, **p: conv_weight(x, g, wshape=_shape(w), **p),
       _bias_rule)
defvjp(conv_input,
       lambda h, ans, g, w, xshape, **p: conv(h, w, None, **p),
       lambda h, ans, g, w, xshape, **p: conv_weight(h, g, wshape=_shape(w), **p))
defvjp(conv_weight,
       lambda h, ans, x, g, wshape, **p: conv_input(g, h, xshape=_shape(x), **p),
       lambda h, ans, x, g, wshape, **p: conv(x, h, None, **p))


# --- pooling ----------------------------------------------------------------------------
def max_pool_indices(x: np.ndarray, kernel, stride, padding: Pads, dilation) -> np.ndarray:
    """Flat indices (into each input plane, as PyTorch's ``return_indices``)
    of every window's maximum, shape ``(N, C, *out)``; NaN counts as maximal."""
    out = out_shape(x.shape[2:], kernel, stride, padding, dilation)
    xp = _pad(x, padding, -np.inf)
    nd = len(kernel)
    win = _windows(xp, kernel, stride, dilation, out)
    flat = win.reshape(win.shape[:2 + nd] + (-1,))
    arg = np.argmax(np.where(np.isnan(flat), np.inf, flat), axis=-1)
    taps = np.unravel_index(arg, tuple(kernel))
    # padded coordinates -> input coordinates -> flat index in the plane
    coords = []
    for i in range(nd):
        pos = np.arange(out[i]).reshape((-1,) + (1,) * (nd - 1 - i)) * stride[i]
        coords.append(pos + taps[i] * dilation[i] - padding[i][0])
    return np.ravel_multi_index(tuple(coords), x.shape[2:]).astype(np.int64)


pool_argmax = Primitive("max_pool_indices", max_pool_indices, differentiable=False)
""":func:`max_pool_indices` as a primitive: what max pooling calls on a value
that has no one concrete value (batched by ``vmap``, staged by ``jit``)."""


def _take_impl(x, idx):
    n, c = x.shape[:2]
    plane = x.reshape(n, c, -1)
    return np.take_along_axis(plane, idx.reshape(n, c, -1), axis=2).reshape(idx.shape)


def _put_impl(g, idx, xshape):
    n, c = xshape[:2]
    size = int(np.prod(xshape[2:]))
    base = (np.arange(n * c) * size).reshape(n, c, *([1] * (idx.ndim - 2)))
    out = np.bincount((idx + base).ravel(), weights=np.asarray(g).ravel(),
                      minlength=n * c * size)
    return out.astype(g.dtype, copy=False).reshape(xshape)


take_planes = Primitive("max_pool_with_indices", _take_impl)
put_planes = Primitive("max_pool_backward", _put_impl)
defvjp(take_planes, lambda g, ans, x, idx: put_planes(g, idx, xshape=_shape(x)), None)
defvjp(put_planes, lambda h, ans, g, idx, xshape: take_planes(h, idx), None)


def _avg_impl(x, divisor, kernel, stride, padding):
    nd = len(kernel)
    out = out_shape(x.shape[2:], kernel, stride, padding, (1,) * nd)
    win = _windows(_pad(x, padding), kernel, stride, (1,) * nd, out)
    s = win.sum(axis=tuple(range(2 + nd, 2 + 2 * nd)))
    return (s / divisor).astype(x.dtype, copy=False)


def _avg_backward_impl(g, divisor, xshape, kernel, stride, padding):
    g = (np.asarray(g) / divisor).astype(np.asarray(g).dtype, copy=False)
    n, c = xshape[:2]
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(xshape[2:], padding))
    xp = np.zeros((n, c) + padded, dtype=g.dtype)
    out = g.shape[2:]
    for tap in itertools.product(*(range(k) for k in kernel)):
        xp[(slice(None), slice(None)) + tuple(slice(t, t + st * (p - 1) + 1, st)
                                              for t, st, p in zip(tap, stride, out))] += g
    return xp[(slice(None), slice(None)) + tuple(slice(lo, lo + s) for s, (lo, _) in
                                                 zip(xshape[2:], padding))]


avg_pool = Primitive("avg_pool", _avg_impl)
avg_pool_backward = Primitive("avg_pool_backward", _avg_backward_impl)
defvjp(avg_pool, lambda g, ans, x, divisor, **p: avg_pool_backward(g, divisor, xshape=_shape(x),
                                                                    **p), None)
defvjp(avg_pool_backward, lambda h, ans, g, divisor, xshape, **p: avg_pool(h, divisor, **p), None)


def avg_divisor(size, kernel, stride, padding: Pads, ceil_extra, count_include_pad: bool,
                divisor_override) -> np.ndarray:
    """The divisor of every output of an average pool (PyTorch's rule: the
    window clipped to the padded input, or to the input itself without
    ``count_include_pad``), broadcastable against ``(N, C, *out)``."""
    nd = len(kernel)
    full = tuple((lo, hi + e) for (lo, hi), e in zip(padding, ceil_extra))
    out = out_shape(size, kernel, stride, full, (1,) * nd)
    if divisor_override:
        return np.array(float(divisor_override))
    counts = np.ones(())
    for i in range(nd):
        start = np.arange(out[i]) * stride[i] - padding[i][0]
        end = start + kernel[i]
        if count_include_pad:
            start_c = np.maximum(start, -padding[i][0])
            end_c = np.minimum(end, size[i] + padding[i][1])
        else:
            start_c = np.maximum(start, 0)
            end_c = np.minimum(end, size[i])
        counts = np.multiply.outer(counts, end_c - start_c)
    return counts.astype(np.float64)


# --- JVP rules (forward mode) -----------------------------------------------
# conv, conv_input and conv_weight are bilinear: each argument's tangent
# contribution is the primitive itself with that argument replaced by its tangent.
def _bias_tangent(t, ans, x, w, b, **p):
    nd = len(_shape(ans)) - 2
    return fnp.broadcast_to(fnp.reshape(t, (1, -1) + (1,) * nd), _shape(ans))


defjvp(conv,
       lambda t, ans, x, w, b, **p: conv(t, w, None, **p),
       lambda t, ans, x, w, b, **p: conv(x, t, None, **p),
       _bias_tangent)
defjvp(conv_input,
       lambda t, ans, g, w, **p: conv_input(t, w, **p),
       lambda t, ans, g, w, **p: conv_input(g, t, **p))
defjvp(conv_weight,
       lambda t, ans, x, g, **p: conv_weight(t, g, **p),
       lambda t, ans, x, g, **p: conv_weight(x, t, **p))
for _p in (take_planes, put_planes, avg_pool, avg_pool_backward):  # linear in argument 0
    defjvp_linear(_p, (0,))

# --- batching rules (vmap) ------------------------------------------------
from funcgrad._core import defbatch  # noqa: E402
from funcgrad._core.batching import loop_rule  # noqa: E402
from funcgrad.numpy._batching import declare_looped  # noqa: E402


def _samples_batch(*shared):
    """The rule of a kernel that maps over the samples (axis 0) of its array
    arguments: the batch axis is merged into the samples (one call), unless
    an argument in ``shared`` (a weight, a bias: used by every sample) is
    batched, which takes one call per example; a ``xshape`` parameter (the
    input's shape) is merged likewise."""
    def rule(prim, vals, batched, params):
        if any(batched[i] for i in shared if i < len(vals)):
            return loop_rule(prim, vals, batched, params)
        size = next(_shape(v)[0] for v, b in zip(vals, batched) if b)
        args = list(vals)
        for i, (v, b) in enumerate(zip(vals, batched)):
            if i in shared or v is None:
                continue
            s = _shape(v)
            if not b:
                v, s = fnp.broadcast_to(v, (size,) + s), (size,) + s
            args[i] = fnp.reshape(v, (s[0] * s[1],) + s[2:])
        if "xshape" in params:
            xs = params["xshape"]
            params = dict(params, xshape=(size * xs[0],) + tuple(xs[1:]))
        out = prim(*args, **params)
        s = _shape(out)
        return fnp.reshape(out, (size, s[0] // size) + s[1:])
    return rule


defbatch(_samples_batch(1, 2), conv)            # (input; weight, bias shared)
defbatch(_samples_batch(1), conv_input)         # (grad; weight shared)
defbatch(_samples_batch(), pool_argmax, take_planes)
# otherwise (a batched weight, conv_weight, the pooling backward passes): one
# call per example under vmap (docs/facade.md)
declare_looped(conv, conv_input, conv_weight, take_planes, put_planes, avg_pool,
               avg_pool_backward)
