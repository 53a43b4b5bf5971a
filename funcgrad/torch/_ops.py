"""Primitives behind facade operations that need one node of their own.

PyTorch records some operations as a single ``grad_fn`` (``MeanBackward0``,
``SigmoidBackward0``, ``SoftmaxBackward0``) and computes them in the input's
precision (the losses of ``nn.functional`` are in ``funcgrad.torch.nn``). These primitives do the same. Their
VJP rules are written with :mod:`funcgrad.numpy` calls and the primitives
below, so they run on arrays (plain backward) and on tensors
(``create_graph=True``, or under ``funcgrad.grad``) alike.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import numpy as fnp
from .._core import Primitive, concrete, defvjp
from .._core.staging import is_abstract, shape_dtype
from ..numpy.shaping import expand_reduced

__all__ = [
    "mean", "sigmoid", "relu", "log1p", "expm1", "softmax", "log_softmax", "logsumexp",
    "amax", "amin", "gather", "clamp", "pow_scalar", "clone", "zero_grad_op", "index_put",
    "norm2", "cumsum", "scatter_add_along", "prod",
]


def _prim(name: str, impl: Any, *rules: Any, **flags: Any) -> Primitive:
    return defvjp(Primitive(name, impl, **flags), *rules)


def _shape(x: Any) -> tuple:
    return tuple(x.shape)


def _count(shape: tuple, axis: Any) -> int:
    if axis is None:
        return int(np.prod(shape, dtype=np.int64))
    axes = (axis,) if isinstance(axis, int) else axis
    return int(np.prod([shape[a] for a in axes], dtype=np.int64))


def _dt(x: Any) -> np.dtype:
    d = x.dtype
    return d if isinstance(d, np.dtype) else np.dtype(d)


def _broadcast_back(g: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    return fnp.broadcast_to(expand_reduced(g, len(x.shape), axis, keepdims), _shape(x))


# --- reductions -------------------------------------------------------------
def _mean_impl(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    return np.mean(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


mean = _prim("mean", _mean_impl,
             lambda g, ans, x, axis=None, keepdims=False:
             _broadcast_back(g, x, axis, keepdims) / _count(_shape(x), axis),
             saves_values=False)


def _amax_rule(g: Any, ans: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    # Ties share the gradient evenly, as PyTorch's amax/max() do.
    a = expand_reduced(ans, len(x.shape), axis, keepdims)
    mask = fnp.astype(fnp.equal(x, a), _dt(x))
    share = fnp.sum(mask, axis=axis, keepdims=True)
    return _broadcast_back(g, x, axis, keepdims) * mask / share


amax = _prim("amax", lambda x, axis=None, keepdims=False: np.amax(x, axis=axis, keepdims=keepdims),
             _amax_rule)
amin = _prim("amin", lambda x, axis=None, keepdims=False: np.amin(x, axis=axis, keepdims=keepdims),
             _amax_rule)


def _gather_impl(x: Any, index: Any, axis: int) -> Any:
    return np.take_along_axis(x, index, axis=axis)


def _scatter_impl(g: Any, index: Any, axis: int, shape: tuple) -> Any:
    out = np.zeros(shape, g.dtype)
    idx = list(np.indices(index.shape, sparse=True))
    idx[axis] = index
    np.add.at(out, tuple(idx), g)
    return out


gather = _prim("gather", _gather_impl,
               lambda g, ans, x, index, axis: scatter_add_along(g, index, axis, _shape(x)),
               saves_values=False)
scatter_add_along = _prim("scatter_add_along", _scatter_impl,
                          lambda g, ans, v, index, axis, shape: gather(g, index, axis),
                          saves_values=False)


def _cumsum_rule(g: Any, ans: Any, x: Any, axis: int) -> Any:
    rev = (slice(None),) * (axis % len(x.shape)) + (slice(None, None, -1),)
    return fnp.getitem(cumsum(fnp.getitem(g, rev), axis), rev)


cumsum = _prim("cumsum", lambda x, axis: np.cumsum(x, axis=axis, dtype=x.dtype), _cumsum_rule,
               saves_values=False)


def _norm_rule(g: Any, ans: Any, x: Any) -> Any:
    safe = fnp.where(fnp.equal(ans, 0), 1.0, ans)
    scale = fnp.where(fnp.equal(ans, 0), 0.0, g / safe)
    if _dt(x).kind == "c":
        return scale * fnp.conjugate(x)
    return scale * x


norm2 = _prim("norm2", lambda x: np.sqrt(np.sum(np.abs(x) ** 2)).astype(np.abs(x).dtype),
              _norm_rule)


def _prod_impl(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    return np.prod(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


def _prod_others(x: Any, axis: Any, xp: Any = np) -> Any:
    """Product of all other elements along ``axis`` (exact with zeros);
    ``xp``: NumPy, or funcgrad.numpy for a value batched or staged."""
    dt = np.dtype(shape_dtype(x)[1])
    if axis is None:
        flat = xp.reshape(x, (-1,))
        left = xp.concatenate([np.ones(1, dt), xp.cumprod(flat[:-1], dtype=dt)])
        right = xp.concatenate([xp.cumprod(flat[:0:-1], dtype=dt)[::-1], np.ones(1, dt)])
        return xp.reshape(left * right, shape_dtype(x)[0])
    xm = xp.moveaxis(x, axis, -1)
    ones = np.ones(shape_dtype(xm)[0][:-1] + (1,), dt)
    left = xp.concatenate([ones, xp.cumprod(xm[..., :-1], axis=-1, dtype=dt)], axis=-1)
    right = xp.concatenate([xp.cumprod(xm[..., :0:-1], axis=-1, dtype=dt)[..., ::-1], ones],
                           axis=-1)
    return xp.moveaxis(left * right, -1, axis)


def _prod_rule(g: Any, ans: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    # ans / x where x != 0 (differentiable again); the exact product of the
    # other elements where x == 0 (a constant there).
    a = expand_reduced(ans, len(x.shape), axis, keepdims)
    if is_abstract(x):  # (batched or staged: no values to look at)
        zero = fnp.equal(x, 0)
        return _broadcast_back(g, x, axis, keepdims) * fnp.where(
            zero, _prod_others(x, axis, fnp), a / fnp.where(zero, 1, x))
    xv = np.asarray(concrete(x))
    zero = xv == 0
    if zero.any():
        others = _prod_others(xv, axis)
        safe = fnp.where(zero, 1, x)
        d = fnp.where(zero, others, a / safe)
    else:
        d = a / x
    return _broadcast_back(g, x, axis, keepdims) * d


prod = _prim("prod", _prod_impl, _prod_rule)


# --- elementwise ------------------------------------------------------------
def _sigmoid_impl(x: Any) -> Any:
    # 1 / (1 + exp(-x)) in the input's precision, as PyTorch computes it
    # (exp overflows to inf for very negative x, giving exactly 0).
    with np.errstate(over="ignore"):
        one = np.ones((), x.dtype)
        return (one / (one + np.exp(-x))).astype(x.dtype, copy=False)


# sigmoid's VJP as one primitive (PyTorch's sigmoid_backward): a gradient
# of sigmoid recorded for a higher order is one node, not three.
_sigmoid_grad = _prim("_sigmoid_grad", lambda g, ans: g * ans * (1 - ans),
                      lambda gg, out, g, ans: _sigmoid_grad(gg, ans),
                      lambda gg, out, g, ans: gg * g * (1 - 2 * ans))
sigmoid = _prim("sigmoid", _sigmoid_impl, lambda g, ans, x: _sigmoid_grad(g, ans))
_INT_OF_SIZE = {2: np.int16, 4: np.int32, 8: np.int64}


def _relu_rule(g: Any, ans: Any, x: Any) -> Any:
    """``where(ans > 0, g, 0)``. For a concrete floating ``g`` (first
    order), the same bits by an integer AND with an all-ones/all-zeros mask:
    ~15x faster than ``np.where`` on the unpredictable mask of a relu layer
    (a product with the mask would be as fast but turns ``inf``/``NaN`` into
    ``NaN`` and gives ``-0.`` for negative ``g``)."""
    if isinstance(g, (np.ndarray, np.generic)) and isinstance(ans, np.ndarray) \
            and g.dtype.kind == "f" and np.shape(g) == ans.shape:
        ints = _INT_OF_SIZE.get(g.dtype.itemsize)
        if ints is not None:
            mask = np.array(np.greater(ans, 0), dtype=ints)
            np.negative(mask, out=mask)  # 1 -> all bits set
            np.bitwise_and(mask, np.asarray(g).view(ints), out=mask)
            return mask.view(g.dtype)
    return fnp.where(fnp.greater(ans, 0), g, 0)


relu = _prim("relu", lambda x: np.maximum(x, 0).astype(x.dtype, copy=False), _relu_rule)
log1p = _prim("log1p", np.log1p, lambda g, ans, x: g / (1 + x))
expm1 = _prim("expm1", np.expm1, lambda g, ans, x: g * (ans + 1))
clone = _prim("clone", lambda x: np.array(x, copy=True), lambda g, ans, x: g, saves_values=False)


def _zero_grad_rule(g: Any, ans: Any, x: Any, fn: Any = None) -> Any:
    return g * 0


zero_grad_op = _prim("zero_grad_op", lambda x, fn: fn(x), _zero_grad_rule, saves_values=False)


def _clamp_rule(g: Any, ans: Any, x: Any, lo: Any = None, hi: Any = None) -> Any:
    keep = None
    if lo is not None:
        keep = fnp.greater_equal(x, lo)
    if hi is not None:
        up = fnp.less_equal(x, hi)
        keep = up if keep is None else fnp.logical_and(keep, up)
    return g if keep is None else fnp.where(keep, g, 0)


def _clamp_impl(x: Any, lo: Any = None, hi: Any = None) -> Any:
    out = x
    if lo is not None:
        out = np.maximum(out, lo)
    if hi is not None:
        out = np.minimum(out, hi)
    return np.asarray(out).astype(x.dtype, copy=False)


clamp = _prim("clamp", _clamp_impl, _clamp_rule)


def _pow_scalar_rule(g: Any, ans: Any, x: Any, exponent: Any) -> Any:
    if exponent == 0:
        return g * 0
    return g * (exponent * pow_scalar(x, exponent=exponent - 1))


pow_scalar = _prim("pow_scalar", lambda x, exponent: np.power(x, exponent), _pow_scalar_rule)


# --- softmax family ---------------------------------------------------------
def _softmax_impl(x: Any, axis: int) -> Any:
    # exp of float32 in float64, rounded: correctly rounded like PyTorch's
    # vectorised exp (NumPy's float32 exp may be one ulp off).
    z = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(z.astype(np.float64) if z.dtype == np.float32 else z).astype(z.dtype)
    return e * (1 / np.sum(e, axis=axis, keepdims=True))


def _log_softmax_impl(x: Any, axis: int) -> Any:
    z = x - np.max(x, axis=axis, keepdims=True)
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


softmax = _prim("softmax", _softmax_impl,
                lambda g, ans, x, axis: ans * (g - fnp.sum(g * ans, axis=axis, keepdims=True)))
log_softmax = _prim("log_softmax", _log_softmax_impl,
                    lambda g, ans, x, axis:
                    g - fnp.exp(ans) * fnp.sum(g, axis=axis, keepdims=True))


def _logsumexp_impl(x: Any, axis: Any, keepdims: bool = False) -> Any:
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


logsumexp = _prim("logsumexp", _logsumexp_impl,
                  lambda g, ans, x, axis, keepdims=False:
                  _broadcast_back(g, x, axis, keepdims)
                  * fnp.exp(x - expand_reduced(ans, len(x.shape), axis, keepdims)))


# --- in-place assignment ----------------------------------------------------
def _index_put_impl(x: Any, v: Any, index: Any) -> Any:
    out = np.array(x, copy=True)
    out[index] = v
    return out


index_put = _prim("index_put", _index_put_impl,
                  lambda g, ans, x, v, index: index_put(g, 0, index),
                  lambda g, ans, x, v, index: fnp.getitem(g, index),
                  saves_values=False)


# --- JVP rules (forward mode) -----------------------------------------------
from ..numpy._jvp import vjp_weights  # noqa: E402
from .._core.primitive import defjvp, defjvp_from_vjp, defjvp_linear  # noqa: E402

for _p in (mean, clone, cumsum, gather, scatter_add_along):  # linear
    defjvp_linear(_p)
defjvp_linear(index_put, argnums=(0, 1))
for _p in (sigmoid, _sigmoid_grad, relu, log1p, expm1, clamp, pow_scalar, zero_grad_op,
           softmax):  # elementwise, or (softmax) a symmetric Jacobian: the VJP rule is the JVP
    defjvp_from_vjp(_p)
defjvp(log_softmax, lambda t, ans, x, axis:
       t - fnp.sum(t * fnp.exp(ans), axis=axis, keepdims=True))
# one output per slice, each input with the weight its VJP gives it: sum(t * W)
for _p, _rule in ((amax, _amax_rule), (amin, _amax_rule), (prod, _prod_rule)):
    defjvp(_p, lambda t, ans, x, axis=None, keepdims=False, _rule=_rule: fnp.sum(
        t * vjp_weights(_rule, ans, x, axis, keepdims), axis=axis, keepdims=keepdims))
defjvp(logsumexp, lambda t, ans, x, axis, keepdims=False: fnp.sum(
    t * vjp_weights(logsumexp.vjps[0], ans, x, axis, keepdims), axis=axis, keepdims=keepdims))
defjvp(norm2, lambda t, ans, x: fnp.sum(t * vjp_weights(_norm_rule, ans, x)))

# --- batching rules (vmap) ------------------------------------------------
from .._core import defbatch as _defbatch  # noqa: E402
from ..numpy import _batching as _B  # noqa: E402

_defbatch(_B.broadcasting, _sigmoid_grad, sigmoid, relu, clone, clamp, pow_scalar, expm1, log1p)
_defbatch(_B.axis_rule(), amax, amin, mean, prod, logsumexp)
_defbatch(_B.axis_rule(none="flat"), cumsum)
_defbatch(_B.axis_rule(), softmax, log_softmax)
# gather, scatter_add_along, index_put, norm2 and zero_grad_op (an arbitrary
# function of the array) batch by the per-example loop (batching.loop_rule).
