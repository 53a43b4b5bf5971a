"""``funcgrad.torch.nn.utils``: gradient clipping, parameter flattening and
(in :mod:`funcgrad.torch.nn.utils.rnn`) padded/packed sequences (PyTorch 2.x)."""
from __future__ import annotations

import math
from typing import Any, Iterable, Union

import numpy as np

import funcgrad.torch as torch

__all__ = ["clip_grad_norm_", "clip_grad_value_", "zero_grads_", "parameters_to_vector",
           "vector_to_parameters", "rnn"]

Params = Union[Any, Iterable[Any]]


def _grads(parameters: Params) -> list:
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def zero_grads_(parameters: Iterable[Any], set_to_none: bool = True) -> None:
    """Reset the ``.grad`` of each parameter, as ``Module.zero_grad`` and
    ``Optimizer.zero_grad`` do: to ``None``, or (``set_to_none=False``) to
    zeros in place, detached from any graph a ``create_graph`` backward left.

    >>> import funcgrad.torch as torch
    >>> w = torch.nn.Parameter(torch.ones(2)); w.sum().backward()
    >>> zero_grads_([w], set_to_none=False); print(w.grad)
    tensor([0., 0.])
    """
    for p in parameters:
        if p.grad is None:
            continue
        if set_to_none:
            p.grad = None
            continue
        grad = p.grad
        if grad.grad_fn is not None:
            grad = grad.detach()
            p.grad = grad
        else:
            grad.requires_grad_(False)
        grad.zero_()


def clip_grad_norm_(parameters: Params, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: Any = None) -> Any:
    """Scale the gradients in place so that their total ``norm_type``-norm
    (all gradients seen as one vector) is at most ``max_norm``; returns the
    total norm before clipping. Scaling uses ``max_norm / (norm + 1e-6)``,
    capped at 1, as PyTorch does.

    >>> import funcgrad.torch as torch
    >>> w = torch.nn.Parameter(torch.zeros(2))
    >>> (w * torch.tensor([3.0, 4.0])).sum().backward()
    >>> torch.nn.utils.clip_grad_norm_([w], max_norm=1.0)
    tensor(5.)
    >>> w.grad
    tensor([0.6000, 0.8000])
    """
    grads = _grads(parameters)
    if not grads:
        return torch.tensor(0.0)
    norm_type = float(norm_type)
    arrays = [g.detach().numpy() for g in grads]
    if math.isinf(norm_type):
        per = [np.max(np.abs(a)) if a.size else 0.0 for a in arrays]
        total = float(max(per))
    else:
        per = [np.sum(np.abs(a).astype(np.float64) ** norm_type) for a in arrays]
        total = float(np.sum(per) ** (1.0 / norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
    coef = min(max_norm / (total + 1e-6), 1.0)
    for g, a in zip(grads, arrays):
        a *= a.dtype.type(coef) if a.dtype.kind in "fc" else coef
        g._bump_version()
    return torch.tensor(total, dtype=grads[0].dtype if grads[0].dtype.is_floating_point
                        else None)


def clip_grad_value_(parameters: Params, clip_value: float, foreach: Any = None) -> None:
    """Clamp every gradient in place to ``[-clip_value, clip_value]``.

    >>> import funcgrad.torch as torch
    >>> w = torch.nn.Parameter(torch.zeros(2))
    >>> (w * torch.tensor([3.0, -0.5])).sum().backward()
    >>> torch.nn.utils.clip_grad_value_([w], 1.0); w.grad
    tensor([ 1.0000, -0.5000])
    """
    clip_value = float(clip_value)
    for g in _grads(parameters):
        a = g.detach().numpy()
        np.clip(a, -clip_value, clip_value, out=a)
        g._bump_version()


def parameters_to_vector(parameters: Iterable[Any]) -> Any:
    """Every parameter flattened and concatenated into one vector (differentiable).

    >>> import funcgrad.torch as torch
    >>> layer = torch.nn.Linear(2, 3)
    >>> torch.nn.utils.parameters_to_vector(layer.parameters()).shape
    torch.Size([9])
    """
    if isinstance(parameters, torch.Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(parameters).__name__}")
    return torch.cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Any, parameters: Iterable[Any]) -> None:
    """Copy consecutive slices of ``vec`` into the parameters (replacing their data).

    >>> import funcgrad.torch as torch
    >>> layer = torch.nn.Linear(1, 1)
    >>> torch.nn.utils.vector_to_parameters(torch.tensor([2.0, 3.0]), layer.parameters())
    >>> layer.weight.item(), layer.bias.item()
    (2.0, 3.0)
    """
    if not isinstance(vec, torch.Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    offset = 0
    with torch.no_grad():
        for p in parameters:
            n = p.numel()
            p.copy_(vec[offset:offset + n].reshape(*p.shape))
            offset += n


from . import rnn  # noqa: E402
