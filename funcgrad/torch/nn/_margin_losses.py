"""The robust-regression, divergence and margin losses of
``funcgrad.torch.nn.functional``: ``huber_loss``, ``smooth_l1_loss``,
``kl_div``, ``cosine_embedding_loss``, ``triplet_margin_loss``,
``margin_ranking_loss`` (composed from differentiable tensor operations; the
reductions and legacy ``size_average``/``reduce`` arguments as PyTorch's).

>>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
>>> F.huber_loss(torch.tensor([0.5, 3.0]), torch.tensor([0.0, 0.0]))
tensor(1.3125)
"""
from __future__ import annotations

import warnings
from typing import Any, Optional

import funcgrad.torch as torch

from . import _distances as D

Tensor = Any

__all__ = ["huber_loss", "smooth_l1_loss", "kl_div", "cosine_embedding_loss",
           "triplet_margin_loss", "margin_ranking_loss"]


def _reduction(size_average, reduce, reduction):
    from .functional import _reduction as shared
    return shared(size_average, reduce, reduction)


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _same_size(input: Tensor, target: Tensor) -> None:
    from .functional import _check_same_size
    _check_same_size(input, target, stacklevel=4)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Optional[Tensor] = None) -> Tensor:
    """``0.5 d^2`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)``.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.huber_loss(torch.tensor([3.0]), torch.tensor([0.0]), delta=2.0)
    tensor(4.)
    """
    reduction = _reduction(None, None, reduction)
    _same_size(input, target)
    d = input - target
    a = d.abs()
    loss = torch.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: Optional[bool] = None,
                   reduce: Optional[bool] = None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """``0.5 d^2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta``
    (``beta=0`` is the L1 loss).

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.smooth_l1_loss(torch.tensor([0.5, 3.0]), torch.tensor([0.0, 0.0]))
    tensor(1.3125)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _same_size(input, target)
    d = input - target
    a = d.abs()
    if beta == 0:
        return _reduce(a, reduction)
    return _reduce(torch.where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta), reduction)


def kl_div(input: Tensor, target: Tensor, size_average: Optional[bool] = None,
           reduce: Optional[bool] = None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence ``target * (log(target) - input)`` of
    log-probabilities ``input`` (0 where ``target == 0``); ``log_target``:
    the target is given as log-probabilities. ``"batchmean"`` divides the sum
    by the batch size (the mathematical KL divergence); ``"mean"`` warns, as
    PyTorch does.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.kl_div(torch.tensor([[-1.0, -2.0]]), torch.tensor([[0.0, 1.0]]),
    ...          reduction="batchmean")
    tensor(2.)
    """
    if reduction == "batchmean":
        if size_average is not None or reduce is not None:
            reduction = _reduction(size_average, reduce, "mean")
    else:
        reduction = _reduction(size_average, reduce, reduction)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        safe = torch.where(target > 0, target, torch.ones_like(target))
        loss = torch.where(target > 0, target * (safe.log() - input),
                           torch.zeros_like(input * target))
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", UserWarning, stacklevel=2)
        return loss.mean()
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.dim() != 0 else loss.sum()
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average: Optional[bool] = None, reduce: Optional[bool] = None,
                          reduction: str = "mean") -> Tensor:
    """``1 - cos(x1, x2)`` for ``target == 1``, ``max(0, cos(x1, x2) - margin)``
    for ``target == -1`` (cosine along the last dimension, eps 1e-12 as PyTorch).

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.cosine_embedding_loss(torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 1.0]]),
    ...                         torch.tensor([1]))
    tensor(1.)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if input1.dim() not in (1, 2):
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with "
                           f"sizes {list(input1.shape)} and {list(input2.shape)}.")
    eps = 1e-12
    dim = input1.dim() - 1
    dot = (input1 * input2).sum(dim)
    mag = ((input1 * input1).sum(dim) + eps) * ((input2 * input2).sum(dim) + eps)
    cos = dot / mag.sqrt()
    zeros = torch.zeros_like(cos)
    loss = torch.where(target == 1, 1 - cos, zeros) + torch.where(
        target == -1, (cos - margin).clamp_min(0.0), zeros)
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2, eps: float = 1e-6, swap: bool = False,
                        size_average: Optional[bool] = None, reduce: Optional[bool] = None,
                        reduction: str = "mean") -> Tensor:
    """``max(d(a, p) - d(a, n) + margin, 0)`` with ``d`` the
    :func:`pairwise_distance`; ``swap`` uses ``min(d(a, n), d(p, n))``.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> a, p, n = torch.tensor([[0.0]]), torch.tensor([[1.0]]), torch.tensor([[3.0]])
    >>> F.triplet_margin_loss(a, p, n, margin=3.0, eps=0.0)
    tensor(1.)
    """
    reduction = _reduction(size_average, reduce, reduction)
    dims = (anchor.dim(), positive.dim(), negative.dim())
    if len(set(dims)) != 1 or dims[0] not in (1, 2):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {dims[0]}D, positive "
                           f"{dims[1]}D, and negative {dims[2]}D inputs")
    d_pos = D.pairwise_distance(anchor, positive, p, eps)
    d_neg = D.pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = torch.minimum(d_neg, D.pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + d_pos - d_neg).clamp_min(0.0), reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average: Optional[bool] = None, reduce: Optional[bool] = None,
                        reduction: str = "mean") -> Tensor:
    """``max(0, -target * (x1 - x2) + margin)``.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.margin_ranking_loss(torch.tensor([1.0]), torch.tensor([2.0]), torch.tensor([1.0]))
    tensor(1.)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if not (input1.dim() == input2.dim() == target.dim()):
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.shape}, input2: {input2.shape}, "
                           f"target: {target.shape} ")
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0.0), reduction)
