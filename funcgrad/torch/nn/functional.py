"""``funcgrad.torch.nn.functional``: activations and losses (PyTorch 2.x semantics).

Losses and log-softmax are single engine primitives, named as PyTorch names
their backward nodes (``binary_cross_entropy_with_logits`` ->
``BinaryCrossEntropyWithLogitsBackward0``), with numerically stable NumPy
implementations and VJP rules written with :mod:`funcgrad.numpy`, so they
differentiate to any order and work under the functional transforms too.

>>> import funcgrad.torch as torch
>>> import funcgrad.torch.nn.functional as F
>>> z = torch.tensor([0.5, -1.0], requires_grad=True)
>>> loss = F.binary_cross_entropy_with_logits(z, torch.tensor([1.0, 0.0]))
>>> loss.grad_fn.name()
'BinaryCrossEntropyWithLogitsBackward0'
"""
from __future__ import annotations

import warnings
from typing import Any, Optional

import numpy as np

import funcgrad.numpy as fnp
import funcgrad.torch as torch
from funcgrad._core import Primitive, defvjp
from funcgrad._core.staging import is_abstract as _is_abstract, shape_dtype as _shape_dtype
from funcgrad.torch._dims import wrap_dim as _wrap_dim

__all__ = [
    "relu", "sigmoid", "tanh", "softmax", "log_softmax", "linear", "dropout", "one_hot",
    "mse_loss", "l1_loss", "nll_loss", "cross_entropy", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "embedding",
]

Tensor = Any

_REDUCTIONS = ("none", "mean", "sum")


# --- helpers -------------------------------------------------------------------
def _apply(prim: Primitive, *args: Any, **params: Any) -> Tensor:
    """Apply an engine primitive to tensors and return a tensor."""
    out = prim(*args, **params)
    if isinstance(out, np.ndarray):  # no tensor among the arguments
        out = torch.from_numpy(out)
    return out


def _legacy_reduction(size_average: Optional[bool], reduce: Optional[bool], reduction: str,
                      stacklevel: int) -> str:
    """``reduction``, or the one the deprecated ``size_average`` / ``reduce``
    arguments stand for (with PyTorch's warning, ``stacklevel`` counted from
    this function's caller)."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "mean" if (size_average and reduce) else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use "
                  f"reduction='{reduction}' instead.", UserWarning, stacklevel=stacklevel + 1)
    return reduction


def _reduction(size_average: Optional[bool], reduce: Optional[bool], reduction: str) -> str:
    reduction = _legacy_reduction(size_average, reduce, reduction, stacklevel=3)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce_value(loss: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "mean":
        return np.mean(loss, dtype=loss.dtype) if loss.size else np.array(np.nan, loss.dtype)
    if reduction == "sum":
        return np.sum(loss, dtype=loss.dtype)
    return loss


def _seed(g: Any, reduction: str, count: int) -> Any:
    """The cotangent of each element of the unreduced loss."""
    return g / count if reduction == "mean" else g


def _softmax_dim(name: str, ndim: int) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", UserWarning, stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def _np(x: Any) -> np.ndarray:
    """The values of a tensor (or of a traced tensor, inside a functional
    transform), for checks and integer bookkeeping only."""
    return np.asarray(_concrete(x))


def _size(shape: Any) -> str:
    return f"torch.Size({list(shape)})"


# --- private elementwise primitives used by the rules ---------------------------------
def _sigmoid_impl(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(np.result_type(x), copy=False)


def _softplus_impl(x: np.ndarray) -> np.ndarray:
    return (np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))).astype(np.result_type(x),
                                                                       copy=False)


_sigmoid = defvjp(Primitive("sigmoid", _sigmoid_impl), lambda g, ans, x: g * ans * (1 - ans))
_softplus = defvjp(Primitive("softplus", _softplus_impl), lambda g, ans, x: g * _sigmoid(x))


# --- softmax and log-softmax ----------------------------------------------------------
def _log_softmax_impl(x: np.ndarray, dim: int) -> np.ndarray:
    if x.ndim == 0:
        return x - x
    shifted = x - np.max(x, axis=dim, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True))


def _softmax_impl(x: np.ndarray, dim: int) -> np.ndarray:
    if x.ndim == 0:
        return np.ones_like(x)
    e = np.exp(x - np.max(x, axis=dim, keepdims=True))
    return e / np.sum(e, axis=dim, keepdims=True)


def _axis(dim: int, ans: Any) -> Optional[int]:
    return None if len(ans.shape) == 0 else dim


_log_softmax = defvjp(
    Primitive("log_softmax", _log_softmax_impl),
    lambda g, ans, x, dim: g - fnp.exp(ans) * fnp.sum(g, axis=_axis(dim, ans), keepdims=True))
_softmax = defvjp(
    Primitive("softmax", _softmax_impl),
    lambda g, ans, x, dim: ans * (g - fnp.sum(g * ans, axis=_axis(dim, ans), keepdims=True)))


def softmax(input: Tensor, dim: Optional[int] = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """``exp(x) / exp(x).sum(dim)``, computed stably (``SoftmaxBackward0``).

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.softmax(torch.tensor([1.0, 2.0, 3.0]), dim=0)
    tensor([0.0900, 0.2447, 0.6652])
    """
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        dim = _softmax_dim("softmax", input.dim())
    return _apply(_softmax, input, dim=_wrap_dim(dim, input.dim()))


def log_softmax(input: Tensor, dim: Optional[int] = None, _stacklevel: int = 3,
                dtype: Any = None) -> Tensor:
    """``log(softmax(x))`` computed stably as ``x - max - log(sum(exp(x - max)))``
    (``LogSoftmaxBackward0``): no overflow for large logits.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.log_softmax(torch.tensor([1000.0, 0.0]), dim=0)
    tensor([    0., -1000.])
    """
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim())
    return _apply(_log_softmax, input, dim=_wrap_dim(dim, input.dim()))


# --- activations and layers -------------------------------------------------------------
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(x, 0)`` (``ReluBackward0``; gradient 0 at 0, as PyTorch).

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.relu(torch.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """
    return input.relu_() if inplace else input.relu()


def sigmoid(input: Tensor) -> Tensor:
    """``1 / (1 + exp(-x))``.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.sigmoid(torch.tensor([0.0]))
    tensor([0.5000])
    """
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.tanh(torch.tensor([0.0]))
    tensor([0.])
    """
    return input.tanh()


def _addmm_impl(b: np.ndarray, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    return x @ w.T + b


# One node for a 2-D input with bias, as PyTorch records it (AddmmBackward0).
_addmm = defvjp(Primitive("addmm", _addmm_impl),
                lambda g, ans, b, x, w: g,
                lambda g, ans, b, x, w: fnp.matmul(g, w),
                lambda g, ans, b, x, w: fnp.matmul(fnp.transpose(g), x))


def linear(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None) -> Tensor:
    """``input @ weight.T + bias`` (weight has shape ``(out_features, in_features)``);
    a 2-D input with a bias is one ``AddmmBackward0`` node, as in PyTorch.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.linear(torch.ones(1, 2), torch.tensor([[1.0, 2.0]]), torch.tensor([0.5]))
    tensor([[3.5000]])
    """
    if (bias is not None and input.dim() == 2 and weight.dim() == 2
            and input.dtype == weight.dtype == bias.dtype):
        if input.shape[1] != weight.shape[1]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({input.shape[0]}x"
                               f"{input.shape[1]} and {weight.shape[1]}x{weight.shape[0]})")
        return _apply(_addmm, bias, input, weight)
    out = torch.matmul(input, weight.t() if weight.dim() == 2 else weight)
    return out if bias is None else out + bias


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by
    ``1 / (1 - p)`` -- only when ``training``; otherwise return ``input``.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> x = torch.ones(4)
    >>> F.dropout(x, 0.5, training=False) is x
    True
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        mask = torch.zeros_like(input)
    else:
        keep = (torch.rand(*input.shape) >= p).to(input.dtype)
        mask = keep / (1.0 - p)
    return input.mul_(mask) if inplace else input * mask


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Integer class indices -> one-hot ``int64`` vectors along a new last dimension.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.one_hot(torch.tensor([0, 2]), num_classes=3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    idx = _np(tensor)
    if idx.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if idx.size and idx.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if idx.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(idx.max()) + 1
    elif idx.size and idx.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = (idx[..., None] == np.arange(num_classes)).astype(np.int64)
    return torch.from_numpy(out)


# --- regression losses ----------------------------------------------------------------------
def _mse_impl(x: np.ndarray, t: np.ndarray, reduction: str) -> np.ndarray:
    d = x - t
    return _reduce_value(d * d, reduction)


def _mse_rule(wrt_target: bool):
    # d/dx = 2 (x - t), d/dt = 2 (t - x): the difference is taken in that
    # order (as PyTorch swaps the arguments) rather than negated, so that the
    # target's gradient at x == t is 0., not -0.
    def rule(g, ans, x, t, reduction):
        n = int(np.prod(np.broadcast_shapes(tuple(x.shape), tuple(t.shape)), dtype=np.int64))
        diff = (t - x) if wrt_target else (x - t)
        return _seed(g, reduction, n) * 2 * diff
    return rule


_mse_loss = defvjp(Primitive("mse_loss", _mse_impl), _mse_rule(False), _mse_rule(True))


def _check_same_size(input: Tensor, target: Tensor, stacklevel: int = 3) -> None:
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({_size(target.shape)}) that is different to the "
                      f"input size ({_size(input.shape)}). This will likely lead to incorrect "
                      "results due to broadcasting. Please ensure they have the same size.",
                      UserWarning, stacklevel=stacklevel)


def mse_loss(input: Tensor, target: Tensor, size_average: Optional[bool] = None,
             reduce: Optional[bool] = None, reduction: str = "mean") -> Tensor:
    """Mean (or summed, or elementwise) squared error (``MseLossBackward0``).

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.mse_loss(torch.tensor([1.0, 3.0]), torch.tensor([0.0, 0.0]))
    tensor(5.)
    """
    reduction = _reduction(size_average, reduce, reduction)
    _check_same_size(input, target)
    return _apply(_mse_loss, input, target, reduction=reduction)


def l1_loss(input: Tensor, target: Tensor, size_average: Optional[bool] = None,
            reduce: Optional[bool] = None, reduction: str = "mean") -> Tensor:
    """Mean (or summed, or elementwise) absolute error; gradient 0 where
    ``input == target``.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.l1_loss(torch.tensor([1.0, -3.0]), torch.tensor([0.0, 0.0]))
    tensor(2.)
    """
    reduction = _reduction(size_average, reduce, reduction)
    _check_same_size(input, target)
    loss = (input - target).abs()
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


# --- classification losses ----------------------------------------------------------------
def _nll_parts(x: np.ndarray, target: np.ndarray, weight: Optional[np.ndarray],
               ignore_index: int) -> tuple:
    """Per-sample weights and the one-hot mask (class dim at axis 1, or 0 for
    an unbatched input) of an NLL loss."""
    class_axis = 0 if x.ndim == 1 else 1
    n_classes = x.shape[class_axis]
    ignored = target == ignore_index
    safe = np.where(ignored, 0, target)
    w = np.ones(target.shape, x.dtype) if weight is None else np.asarray(weight)[safe]
    w = np.where(ignored, 0, w).astype(x.dtype)
    mask = (safe[..., None] == np.arange(n_classes)).astype(x.dtype)
    mask = np.moveaxis(mask, -1, class_axis)
    return w, mask, class_axis


def _nll_impl(x, target, weight, reduction, ignore_index):
    w, _, axis = _nll_parts(x, target, weight, ignore_index)
    safe = np.where(target == ignore_index, 0, target)
    # pick by indexing (not by a one-hot product: -inf elsewhere must not give nan)
    picked = np.take_along_axis(x, np.expand_dims(safe, axis), axis=axis).squeeze(axis)
    loss = np.where(target == ignore_index, 0, -w * picked).astype(x.dtype)
    if reduction == "mean":
        return np.asarray(np.sum(loss) / np.sum(w), x.dtype)
    if reduction == "sum":
        return np.asarray(np.sum(loss), x.dtype)
    return loss


def _nll_backward_impl(g, target, weight, xshape, reduction, ignore_index):
    g = np.asarray(g)
    x = np.broadcast_to(np.zeros((), g.dtype), xshape)  # (what _nll_parts reads: a shape)
    w, mask, axis = _nll_parts(x, target, weight, ignore_index)
    coef = -w / np.sum(w) if reduction == "mean" else -w
    per_sample = (g * coef).reshape(_with_axis(coef.shape, axis))
    return np.where(mask != 0, per_sample, 0.0).astype(g.dtype)  # +0 off the targets (not -0)


def _with_axis(shape: tuple, axis: int) -> tuple:
    shape = tuple(shape)
    return shape[:axis] + (1,) + shape[axis:]


def _concrete(x: Any) -> Any:
    """The value behind a (possibly boxed) array, for shapes/dtypes and
    integer bookkeeping only."""
    while hasattr(x, "_value"):
        x = x._value
    return x


# nll_loss is linear in its input, and its VJP (a primitive of its own, so
# that the target's values are read by primitives only: vmap and jit) is the
# transpose; the VJP's own VJP is nll_loss again.
_nll_loss = Primitive("nll_loss", _nll_impl)
_nll_backward = Primitive("nll_loss_backward", _nll_backward_impl)
defvjp(_nll_loss, lambda g, ans, x, target, weight, reduction, ignore_index: _nll_backward(
    g, target, weight, xshape=tuple(x.shape), reduction=reduction, ignore_index=ignore_index),
    None, None)
defvjp(_nll_backward, lambda h, ans, g, target, weight, xshape, reduction, ignore_index:
       _nll_loss(h, target, weight, reduction=reduction, ignore_index=ignore_index), None, None)


def _check_targets(input: Tensor, target: Tensor, ignore_index: int) -> Any:
    """The class indices ``target`` as int64 values, checked as PyTorch does
    (under ``vmap``/``jit``: the traced target, its shape and dtype checked)."""
    tshape, tdtype = _shape_dtype(target)
    if tdtype.kind not in "iu":
        raise RuntimeError(f"expected scalar type Long but found {_dtype_name(tdtype)}")
    ndim = input.dim()
    if ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {ndim})")
    if ndim == 1:
        if len(tshape) != 0:
            raise RuntimeError(f"0D or 1D target tensor expected, multi-target not supported")
    elif input.shape[0] != (tshape[0] if tshape else -1):
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({tshape[0] if tshape else 0}).")
    if _is_abstract(target):  # (no values to check: each example's are its own)
        return target if tdtype == np.int64 else fnp.astype(target, np.int64)
    t = _np(target)
    n_classes = input.shape[0 if ndim == 1 else 1]
    bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
    if np.any(bad):
        raise IndexError(f"Target {int(t[bad].flat[0])} is out of bounds.")
    return t.astype(np.int64, copy=False)


def _dtype_name(dtype: np.dtype) -> str:
    return {"float32": "Float", "float64": "Double", "float16": "Half", "int32": "Int",
            "bool": "Bool"}.get(str(dtype), str(dtype))


def nll_loss(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
             size_average: Optional[bool] = None, ignore_index: int = -100,
             reduce: Optional[bool] = None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` (``(N, C)``,
    ``(C,)`` or ``(N, C, d1, ...)``) at integer ``target`` classes
    (``NllLossBackward0``). ``weight`` rescales classes; targets equal to
    ``ignore_index`` contribute nothing; ``mean`` divides by the total weight.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.nll_loss(torch.tensor([[-1.0, -2.0], [-3.0, -0.5]]), torch.tensor([0, 1]))
    tensor(0.7500)
    """
    reduction = _reduction(size_average, reduce, reduction)
    t = _check_targets(input, target, ignore_index)
    w = None if weight is None else _np(weight)
    return _apply(_nll_loss, input, t, w, reduction=reduction, ignore_index=ignore_index)


def cross_entropy(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                  size_average: Optional[bool] = None, ignore_index: int = -100,
                  reduce: Optional[bool] = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy between logits ``input`` and ``target``, which holds either
    class indices (int64) or class probabilities (float, the shape of
    ``input``); ``weight``, ``ignore_index`` (indices only), ``label_smoothing``
    and ``reduction`` as in PyTorch. Computed as ``log_softmax`` + NLL
    (``NllLossBackward0``), so large logits are safe.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> logits = torch.tensor([[2.0, 0.0, -1.0]], requires_grad=True)
    >>> loss = F.cross_entropy(logits, torch.tensor([0]))
    >>> round(loss.item(), 4), loss.grad_fn.name()
    (0.1698, 'NllLossBackward0')
    """
    reduction = _reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 0 if input.dim() == 1 else 1
    n_classes = input.shape[class_dim]
    log_probs = log_softmax(input, class_dim)
    if target.is_floating_point():  # class probabilities
        if tuple(target.shape) != tuple(input.shape):
            raise RuntimeError(f"Expected target size {_size(input.shape)}, got "
                               f"{_size(target.shape)}")
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        terms = log_probs * target
        if weight is not None:
            terms = terms * _class_view(weight, input.dim(), class_dim)
        if reduction == "mean":
            return -terms.sum() / (input.numel() // n_classes if n_classes else 1)
        if reduction == "sum":
            return -terms.sum()
        return -terms.sum(class_dim)
    nll = nll_loss(log_probs, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing <= 0.0:
        return nll
    t = _np(target)
    ignored = torch.from_numpy(t == ignore_index)
    if weight is not None:
        smooth = -(log_probs * _class_view(weight, input.dim(), class_dim)).sum(class_dim)
    else:
        smooth = -log_probs.sum(class_dim)
    smooth = torch.where(ignored, torch.zeros_like(smooth), smooth)
    if reduction == "mean":
        if weight is not None:
            kept = t[t != ignore_index]
            denom = float(np.sum(_np(weight)[kept]))
        else:
            denom = float(np.sum(t != ignore_index))
        smooth = smooth.sum() / denom
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


def _class_view(weight: Tensor, ndim: int, class_dim: int) -> Tensor:
    shape = [1] * ndim
    shape[class_dim] = weight.shape[0]
    return weight.reshape(*shape)


# --- binary losses ----------------------------------------------------------------------------
def _bce_impl(x, t, w, reduction):
    with np.errstate(divide="ignore"):
        log_x = np.maximum(np.log(x), -100)
        log_1mx = np.maximum(np.log1p(-x), -100)
    loss = -(t * log_x + (1 - t) * log_1mx)
    if w is not None:
        loss = loss * w
    return _reduce_value(np.asarray(loss, x.dtype), reduction)


def _bce_count(x, t, w) -> int:
    shapes = [tuple(a.shape) for a in (x, t, w) if a is not None]
    return int(np.prod(np.broadcast_shapes(*shapes), dtype=np.int64))


def _bce_input_rule(g, ans, x, t, w, reduction):
    grad = (x - t) / fnp.maximum((1 - x) * x, 1e-12)
    if w is not None:
        grad = grad * w
    return _seed(g, reduction, _bce_count(x, t, w)) * grad


def _bce_target_rule(g, ans, x, t, w, reduction):
    grad = fnp.maximum(fnp.log(1 - x), -100) - fnp.maximum(fnp.log(x), -100)
    if w is not None:
        grad = grad * w
    return _seed(g, reduction, _bce_count(x, t, w)) * grad


_bce = defvjp(Primitive("binary_cross_entropy", _bce_impl), _bce_input_rule, _bce_target_rule,
              None)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                         size_average: Optional[bool] = None, reduce: Optional[bool] = None,
                         reduction: str = "mean") -> Tensor:
    """Binary cross-entropy between probabilities ``input`` (in [0, 1]) and
    ``target``: ``-w (t log x + (1 - t) log(1 - x))``, logs clamped at -100 as
    PyTorch does (``BinaryCrossEntropyBackward0``).

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.binary_cross_entropy(torch.tensor([0.5, 0.5]), torch.tensor([1.0, 0.0]))
    tensor(0.6931)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({_size(target.shape)}) that is different to the "
                         f"input size ({_size(input.shape)}) is deprecated. Please ensure they "
                         "have the same size.")
    x = _np(input)
    if x.size and (np.any(x < 0) or np.any(x > 1) or np.any(np.isnan(x))):
        raise RuntimeError("all elements of input should be between 0 and 1")
    w = None if weight is None else _np(weight)
    return _apply(_bce, input, target, w, reduction=reduction)


def _bce_logits_impl(x, t, w, pw, reduction):
    neg_part = _softplus_impl(-x)  # log(1 + exp(-x)), stable for any x
    if pw is None:
        loss = (1 - t) * x + neg_part
    else:
        loss = (1 - t) * x + ((pw - 1) * t + 1) * neg_part
    if w is not None:
        loss = loss * w
    return _reduce_value(np.asarray(loss, x.dtype), reduction)


def _bce_logits_count(x, t, w, pw) -> int:
    shapes = [tuple(a.shape) for a in (x, t, w, pw) if a is not None]
    return int(np.prod(np.broadcast_shapes(*shapes), dtype=np.int64))


def _bce_logits_input_rule(g, ans, x, t, w, pw, reduction):
    if pw is None:
        grad = _sigmoid(x) - t
    else:
        grad = (1 - t) - ((pw - 1) * t + 1) * _sigmoid(-x)
    if w is not None:
        grad = grad * w
    return _seed(g, reduction, _bce_logits_count(x, t, w, pw)) * grad


def _bce_logits_target_rule(g, ans, x, t, w, pw, reduction):
    grad = -x if pw is None else (pw - 1) * _softplus(-x) - x
    if w is not None:
        grad = grad * w
    return _seed(g, reduction, _bce_logits_count(x, t, w, pw)) * grad


_bce_logits = defvjp(Primitive("binary_cross_entropy_with_logits", _bce_logits_impl),
                     _bce_logits_input_rule, _bce_logits_target_rule, None, None)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Optional[Tensor] = None,
                                     size_average: Optional[bool] = None,
                                     reduce: Optional[bool] = None, reduction: str = "mean",
                                     pos_weight: Optional[Tensor] = None) -> Tensor:
    """Sigmoid + binary cross-entropy in one stable step
    (``BinaryCrossEntropyWithLogitsBackward0``): with ``l = log(1 + exp(-x))``
    computed without overflow, the loss is ``w ((1 - t) x + (1 + (p - 1) t) l)``
    for ``pos_weight`` p (default 1). Exact for logits of any size.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.binary_cross_entropy_with_logits(torch.tensor([100.0, -100.0]),
    ...                                    torch.tensor([0.0, 1.0]))
    tensor(100.)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({_size(target.shape)}) must be the same as input size "
                         f"({_size(input.shape)})")
    w = None if weight is None else _np(weight)
    pw = None if pos_weight is None else _np(pos_weight)
    return _apply(_bce_logits, input, target, w, pw, reduction=reduction)


# --- embedding ------------------------------------------------------------------------------
def _embedding_impl(weight: np.ndarray, idx: np.ndarray, padding_idx: Optional[int]) -> np.ndarray:
    return weight[idx]


def _embedding_rule(g, ans, weight, idx, padding_idx):
    w = _concrete(weight)
    rows, dim = w.shape
    flat = np.asarray(idx).reshape(-1)
    onehot = (flat[:, None] == np.arange(rows)).astype(w.dtype)
    if padding_idx is not None:
        onehot[:, padding_idx] = 0
    return fnp.matmul(onehot.T, fnp.reshape(g, (flat.size, dim)))


_embedding = defvjp(Primitive("embedding", _embedding_impl), _embedding_rule, None)


def embedding(input: Tensor, weight: Tensor, padding_idx: Optional[int] = None,
              max_norm: Optional[float] = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` at the integer indices ``input`` (``EmbeddingBackward0``);
    the row ``padding_idx`` gets no gradient. With ``max_norm``, the looked-up
    rows whose norm exceeds it are first rescaled in place, as PyTorch does.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.embedding(torch.tensor([1, 0]), torch.tensor([[0.0, 1.0], [2.0, 3.0]]))
    tensor([[2., 3.],
            [0., 1.]])
    """
    if scale_grad_by_freq or sparse:
        raise NotImplementedError("funcgrad's embedding does not support scale_grad_by_freq "
                                  "or sparse gradients")
    idx = _np(input)
    if idx.dtype.kind not in "iu":
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got "
                           f"torch.{_dtype_name(idx.dtype)}Tensor instead (while checking "
                           "arguments for embedding)")
    rows = weight.shape[0]
    if idx.size and (idx.min() < -rows or idx.max() >= rows):
        raise IndexError("index out of range in self")
    idx = np.where(idx < 0, idx + rows, idx).astype(np.int64)
    if padding_idx is not None and padding_idx < 0:
        padding_idx += rows
    if max_norm is not None:
        used = np.unique(idx)
        with torch.no_grad():
            table = _np(weight)[used]
            norms = np.linalg.norm(table, ord=norm_type, axis=1)
            scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
            rescaled = (table * scale[:, None]).astype(table.dtype)
            weight[torch.from_numpy(used)] = torch.from_numpy(rescaled)
    return _apply(_embedding, weight, idx, padding_idx=padding_idx)


# --- convolution, padding and pooling (funcgrad.torch.nn._convolution) -------------------------
from ._convolution import (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_max_pool1d,  # noqa: E402
                           adaptive_max_pool2d, adaptive_max_pool2d_with_indices, avg_pool1d,
                           avg_pool2d, avg_pool3d, conv1d, conv2d, conv3d, conv_transpose1d,
                           conv_transpose2d, conv_transpose3d, max_pool1d,
                           max_pool1d_with_indices, max_pool2d, max_pool2d_with_indices,
                           max_pool3d, pad)

__all__ += ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
            "conv_transpose3d", "pad", "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d",
            "avg_pool2d", "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
            "adaptive_max_pool1d", "adaptive_max_pool2d", "max_pool1d_with_indices",
            "max_pool2d_with_indices", "adaptive_max_pool2d_with_indices"]


from ._normalization import batch_norm, group_norm, instance_norm, layer_norm  # noqa: E402

__all__ += ["batch_norm", "group_norm", "instance_norm", "layer_norm"]


from ._activations import (elu, erf, gelu, hardtanh, leaky_relu, logsigmoid, mish,  # noqa: E402
                           prelu, silu, softplus)

__all__ += ["gelu", "silu", "elu", "leaky_relu", "prelu", "softplus", "logsigmoid", "hardtanh",
            "mish"]


from ._distances import cosine_similarity, interpolate, normalize, pairwise_distance  # noqa: E402
from ._margin_losses import (cosine_embedding_loss, huber_loss, kl_div,  # noqa: E402
                             margin_ranking_loss, smooth_l1_loss, triplet_margin_loss)

__all__ += ["normalize", "cosine_similarity", "pairwise_distance", "interpolate", "huber_loss",
            "smooth_l1_loss", "kl_div", "cosine_embedding_loss", "triplet_margin_loss",
            "margin_ranking_loss"]


from ._attention import multi_head_attention_forward, scaled_dot_product_attention  # noqa: E402

__all__ += ["scaled_dot_product_attention", "multi_head_attention_forward"]


# --- JVP rules (forward mode) -----------------------------------------------
from funcgrad._core.primitive import defjvp, defjvp_from_vjp, defjvp_linear  # noqa: E402
from funcgrad.numpy._jvp import defjvp_transposed, vjp_weights  # noqa: E402

for _p in (_sigmoid, _softplus, _softmax):  # elementwise, or a symmetric Jacobian (softmax)
    defjvp_from_vjp(_p)
defjvp(_log_softmax, lambda t, ans, x, dim:
       t - fnp.sum(t * fnp.exp(ans), axis=_axis(dim, ans), keepdims=True))
defjvp(_addmm, lambda t, ans, b, x, w: t,
       lambda t, ans, b, x, w: fnp.matmul(t, fnp.transpose(w)),
       lambda t, ans, b, x, w: fnp.matmul(x, fnp.transpose(t)))


def _mse_jvp(wrt_target: bool):
    rule = _mse_rule(wrt_target)

    def jvp(t, ans, x, target, reduction):
        weighted = t * vjp_weights(rule, ans, x, target, reduction)
        return weighted if reduction == "none" else fnp.sum(weighted)
    return jvp


defjvp(_mse_loss, _mse_jvp(False), _mse_jvp(True))
for _p in (_bce, _bce_logits, _embedding):  # the transpose of their VJP rules
    defjvp_transposed(_p)
defjvp_linear(_nll_loss, (0,))
defjvp_linear(_nll_backward, (0,))

# --- batching rules (vmap) ------------------------------------------------
from funcgrad._core import defbatch  # noqa: E402
from funcgrad.numpy import _batching as _B  # noqa: E402


def _softmax_batch(prim: Primitive, vals: list, batched: tuple, params: dict) -> Any:
    """(log-)softmax along ``dim`` shifted past the batch axis; 0-d examples
    as one-element vectors (their result is 1 or 0, as PyTorch's)."""
    x, dim = vals if len(vals) == 2 else (vals[0], params["dim"])  # (positional or keyword)
    if len(x.shape) == 1:
        return fnp.reshape(prim(fnp.reshape(x, (-1, 1)), 1), (-1,))
    return prim(x, _B.shift_axis(dim, len(x.shape) - 1))


def _addmm_batch(prim: Primitive, vals: list, batched: tuple, params: dict) -> Any:
    """``x @ w.T + b`` with a batch axis on any of them (matmul broadcasts)."""
    b, x, w = vals
    out = fnp.matmul(x, fnp.swapaxes(w, -1, -2))
    if not batched[0]:
        return out + b
    return out + _B.lift(b, len(out.shape) - (batched[1] or batched[2]))


defbatch(_B.broadcasting, _sigmoid, _softplus)
defbatch(_softmax_batch, _softmax, _log_softmax)
defbatch(_addmm_batch, _addmm)
# no rule yet: one call per example under vmap (docs/facade.md)
_B.declare_looped(_mse_loss, _nll_loss, _nll_backward, _bce, _bce_logits, _embedding)
