"""``F.batch_norm``, ``F.instance_norm``, ``F.layer_norm``, ``F.group_norm``:
composed from the facade's differentiable tensor operations (so every order
of gradient follows), the running statistics updated in place as PyTorch does
(biased variance normalises, the unbiased one enters ``running_var``).

>>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
>>> F.layer_norm(torch.tensor([[1.0, 2.0, 3.0]]), (3,))
tensor([[-1.2247,  0.0000,  1.2247]])
"""
from __future__ import annotations

from typing import Any, List, Optional, Sequence, Union

import funcgrad.torch as torch

Tensor = Any

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm"]


def _normalize(x: Tensor, dims: tuple, eps: float) -> tuple:
    mean = x.mean(dim=dims, keepdim=True)
    centred = x - mean
    var = (centred * centred).mean(dim=dims, keepdim=True)
    return centred * (var + eps).rsqrt(), mean, var


def _channel_view(t: Tensor, ndim: int) -> Tensor:
    return t.reshape(*([1, -1] + [1] * (ndim - 2)))


def _update(running: Tensor, value: Tensor, momentum: float) -> None:
    with torch.no_grad():
        running.mul_(1 - momentum).add_(value.detach().to(running.dtype) * momentum)


def batch_norm(input: Tensor, running_mean: Optional[Tensor], running_var: Optional[Tensor],
               weight: Optional[Tensor] = None, bias: Optional[Tensor] = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) by the batch statistics when ``training``
    (updating ``running_mean``/``running_var`` in place with ``momentum``),
    else by the running statistics; then scale by ``weight``, shift by ``bias``.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> mean, var = torch.zeros(2), torch.ones(2)
    >>> F.batch_norm(torch.tensor([[1.0, 2.0], [3.0, 6.0]]), mean, var, training=True)
    tensor([[-1.0000, -1.0000],
            [ 1.0000,  1.0000]])
    >>> mean, var
    (tensor([0.2000, 0.4000]), tensor([1.1000, 1.7000]))
    """
    if input.dim() < 2:
        raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")
    ndim = input.dim()
    dims = (0,) + tuple(range(2, ndim))
    if training:
        count = input.numel() // input.shape[1] if input.shape[1] else 0
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {input.shape}")
        out, mean, var = _normalize(input, dims, eps)
        if running_mean is not None:
            _update(running_mean, mean.reshape(-1), momentum)
        if running_var is not None:
            _update(running_var, var.reshape(-1) * (count / (count - 1)), momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
        scale = (_channel_view(running_var, ndim) + eps).rsqrt()
        out = (input - _channel_view(running_mean, ndim)) * scale
    if weight is not None:
        out = out * _channel_view(weight, ndim)
    if bias is not None:
        out = out + _channel_view(bias, ndim)
    return out


def instance_norm(input: Tensor, running_mean: Optional[Tensor] = None,
                  running_var: Optional[Tensor] = None, weight: Optional[Tensor] = None,
                  bias: Optional[Tensor] = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise every (sample, channel) plane over its spatial dimensions.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.instance_norm(torch.tensor([[[1.0, 3.0]]]))
    tensor([[[-1.0000,  1.0000]]])
    """
    ndim = input.dim()
    dims = tuple(range(2, ndim))
    if use_input_stats:
        out, mean, var = _normalize(input, dims, eps)
        count = 1
        for d in dims:
            count *= input.shape[d]
        if running_mean is not None:
            _update(running_mean, mean.mean(dim=0).reshape(-1), momentum)
        if running_var is not None:
            unbiased = var * (count / max(count - 1, 1))
            _update(running_var, unbiased.mean(dim=0).reshape(-1), momentum)
    else:
        out = (input - _channel_view(running_mean, ndim)) * (
            _channel_view(running_var, ndim) + eps).rsqrt()
    if weight is not None:
        out = out * _channel_view(weight, ndim)
    if bias is not None:
        out = out + _channel_view(bias, ndim)
    return out


def layer_norm(input: Tensor, normalized_shape: Sequence[int], weight: Optional[Tensor] = None,
               bias: Optional[Tensor] = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` dimensions.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.layer_norm(torch.tensor([[0.0, 2.0]]), (2,), torch.tensor([2.0, 2.0]))
    tensor([[-2.0000,  2.0000]])
    """
    shape = tuple(normalized_shape)
    n = len(shape)
    if tuple(input.shape[input.dim() - n:]) != shape or input.dim() < n:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(str(s) for s in shape)}], but got input of size"
                           f"{list(input.shape)}")
    out, _, _ = _normalize(input, tuple(range(input.dim() - n, input.dim())), eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def group_norm(input: Tensor, num_groups: int, weight: Optional[Tensor] = None,
               bias: Optional[Tensor] = None, eps: float = 1e-5) -> Tensor:
    """Normalise channels in ``num_groups`` groups over (group channels, spatial).

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.group_norm(torch.tensor([[1.0, 3.0, 5.0, 7.0]]), 2)
    tensor([[-1.0000,  1.0000, -1.0000,  1.0000]])
    """
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.dim()}")
    n, c = input.shape[:2]
    if c % num_groups != 0:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {input.shape} and "
                           f"num_groups={num_groups}")
    grouped = input.reshape(n, num_groups, -1)
    out, _, _ = _normalize(grouped, (2,), eps)
    out = out.reshape(*input.shape)
    ndim = input.dim()
    if weight is not None:
        out = out * _channel_view(weight, ndim)
    if bias is not None:
        out = out + _channel_view(bias, ndim)
    return out
