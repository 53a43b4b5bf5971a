"""Primitives behind facade operations that need one node of their own.

PyTorch records some operations as a single ``grad_fn`` (``MeanBackward0``,
``SigmoidBackward0``, ``BinaryCrossEntropyWithLogitsBackward0``) and
computes them in the input's precision. These primitives do the same. Their
VJP rules are written with :mod:`funcgrad.numpy` calls and the primitives
below, so they run on arrays (plain backward) and on tensors
(``create_graph=True``, or under ``funcgrad.grad``) alike.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import numpy as fnp
from .._core import Primitive, defvjp, defvjp_joint
from ..numpy.shaping import expand_reduced

__all__ = [
    "mean", "sigmoid", "relu", "log1p", "expm1", "softmax", "log_softmax", "logsumexp",
    "amax", "amin", "gather", "clamp", "pow_scalar", "clone", "zero_grad_op", "index_put",
    "bce_with_logits", "bce", "mse_loss", "nll_loss", "norm2", "cumsum", "reduce_back",
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


# --- elementwise ------------------------------------------------------------
def _sigmoid_impl(x: Any) -> Any:
    # 1 / (1 + exp(-x)) in the input's precision, as PyTorch computes it
    # (exp overflows to inf for very negative x, giving exactly 0).
    with np.errstate(over="ignore"):
        one = np.ones((), x.dtype)
        return (one / (one + np.exp(-x))).astype(x.dtype, copy=False)


sigmoid = _prim("sigmoid", _sigmoid_impl, lambda g, ans, x: g * ans * (1 - ans))
relu = _prim("relu", lambda x: np.maximum(x, 0).astype(x.dtype, copy=False),
             lambda g, ans, x: fnp.where(fnp.greater(ans, 0), g, 0))
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


def _pow_scalar_impl(x: Any, exponent: Any) -> Any:
    out = np.power(x, exponent)
    return out


pow_scalar = _prim("pow_scalar", _pow_scalar_impl, _pow_scalar_rule)


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
                  lambda g, ans, x, v, index: _index_put_impl_traced(g, index),
                  lambda g, ans, x, v, index: fnp.getitem(g, index),
                  saves_values=False)


def _index_put_impl_traced(g: Any, index: Any) -> Any:
    return index_put(g, 0, index)


# --- losses ------------------------------------------------------------------
def reduce_back(g: Any, shape: tuple, reduction: str) -> Any:
    """The cotangent of a loss's elementwise terms from that of its reduction."""
    if reduction == "none":
        return g
    g = fnp.broadcast_to(g, shape)
    if reduction == "mean":
        n = int(np.prod(shape, dtype=np.int64))
        return g / n if n else g
    return g


def _reduce(v: Any, reduction: str) -> Any:
    if reduction == "mean":
        return np.mean(v, dtype=v.dtype)
    if reduction == "sum":
        return np.sum(v, dtype=v.dtype)
    return v


def _bce_logits_terms(x: Any, y: Any, pos_weight: Any) -> Any:
    # max(x, 0) - x*y + log(1 + exp(-|x|)), with pos_weight as in PyTorch:
    # (1 - y) * x + (1 + (pw - 1) * y) * softplus(-x)
    with np.errstate(over="ignore"):
        softplus_neg = np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))
    if pos_weight is None:
        return (1 - y) * x + softplus_neg
    return (1 - y) * x + (1 + (pos_weight - 1) * y) * softplus_neg


def _bce_logits_impl(x: Any, y: Any, weight: Any = None, pos_weight: Any = None,
                     reduction: str = "mean") -> Any:
    v = _bce_logits_terms(x, y, pos_weight)
    if weight is not None:
        v = v * weight
    return _reduce(np.asarray(v, dtype=np.result_type(x, y)), reduction)


def _bce_logits_dx(g: Any, ans: Any, x: Any, y: Any, weight: Any = None, pos_weight: Any = None,
                   reduction: str = "mean") -> Any:
    g = reduce_back(g, _shape(x), reduction)
    if pos_weight is None:
        d = sigmoid(x) - y
    else:
        d = (1 + (pos_weight - 1) * y) * sigmoid(x) - pos_weight * y
    if weight is not None:
        d = d * weight
    return g * d


def _bce_logits_dy(g: Any, ans: Any, x: Any, y: Any, weight: Any = None, pos_weight: Any = None,
                   reduction: str = "mean") -> Any:
    g = reduce_back(g, _shape(x), reduction)
    if pos_weight is None:
        d = -x
    else:
        d = -x - (pos_weight - 1) * fnp.log(sigmoid(x))
    if weight is not None:
        d = d * weight
    return g * d


bce_with_logits = _prim("binary_cross_entropy_with_logits", _bce_logits_impl,
                        _bce_logits_dx, _bce_logits_dy)


def _bce_impl(p: Any, y: Any, weight: Any = None, reduction: str = "mean") -> Any:
    with np.errstate(divide="ignore"):
        lp = np.maximum(np.log(p), -100)
        l1p = np.maximum(np.log1p(-p), -100)
    v = -(y * lp + (1 - y) * l1p)
    if weight is not None:
        v = v * weight
    return _reduce(np.asarray(v, dtype=p.dtype), reduction)


def _bce_dp(g: Any, ans: Any, p: Any, y: Any, weight: Any = None, reduction: str = "mean") -> Any:
    g = reduce_back(g, _shape(p), reduction)
    d = (p - y) / fnp.maximum((1 - p) * p, 1e-12)
    if weight is not None:
        d = d * weight
    return g * d


def _bce_dy(g: Any, ans: Any, p: Any, y: Any, weight: Any = None, reduction: str = "mean") -> Any:
    g = reduce_back(g, _shape(p), reduction)
    d = fnp.log(1 - p) - fnp.log(p)
    if weight is not None:
        d = d * weight
    return g * d


bce = _prim("binary_cross_entropy", _bce_impl, _bce_dp, _bce_dy)


def _mse_impl(x: Any, y: Any, reduction: str = "mean") -> Any:
    d = x - y
    return _reduce(d * d, reduction)


mse_loss = _prim("mse_loss", _mse_impl,
                 lambda g, ans, x, y, reduction="mean":
                 reduce_back(g, np.broadcast_shapes(_shape(x), _shape(y)), reduction)
                 * (2 * (x - y)),
                 lambda g, ans, x, y, reduction="mean":
                 reduce_back(g, np.broadcast_shapes(_shape(x), _shape(y)), reduction)
                 * (-2 * (x - y)))


def _nll_parts(logp_shape: tuple, target: Any, weight: Any, ignore_index: int) -> tuple:
    """Index of each picked entry, and each sample's weight (0 if ignored)."""
    target = np.asarray(target)
    valid = target != ignore_index
    safe_t = np.where(valid, target, 0)
    w = np.ones(safe_t.shape) if weight is None else np.asarray(weight)[safe_t]
    w = np.where(valid, w, 0.0)
    return safe_t, w


def _nll_impl(logp: Any, target: Any, weight: Any = None, reduction: str = "mean",
              ignore_index: int = -100) -> Any:
    t, w = _nll_parts(logp.shape, target, weight, ignore_index)
    if logp.ndim == 1:
        picked = logp[t]
    else:
        picked = np.take_along_axis(logp, np.expand_dims(t, 1), axis=1).squeeze(1)
    losses = (-picked * w).astype(logp.dtype)
    if reduction == "none":
        return losses
    if reduction == "sum":
        return np.sum(losses, dtype=logp.dtype)
    return (np.sum(losses, dtype=logp.dtype) / np.asarray(np.sum(w), logp.dtype)).astype(logp.dtype)


def _nll_rule(g: Any, ans: Any, logp: Any, target: Any, weight: Any = None,
              reduction: str = "mean", ignore_index: int = -100) -> Any:
    t, w = _nll_parts(_shape(logp), target, weight, ignore_index)
    coef = -w
    if reduction == "mean":
        coef = coef / np.sum(w)
    coef = coef.astype(_dt(logp))
    if reduction == "none":
        gs = g * coef
    else:
        gs = fnp.broadcast_to(g, coef.shape) * coef
    if len(logp.shape) == 1:
        return scatter_add_along(fnp.reshape(gs, (1,)), np.reshape(t, (1,)), 0, _shape(logp))
    return scatter_add_along(fnp.reshape(gs, (-1, 1)), np.expand_dims(t, 1), 1, _shape(logp))


nll_loss = _prim("nll_loss", _nll_impl, _nll_rule, None)
