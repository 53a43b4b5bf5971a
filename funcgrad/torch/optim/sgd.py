"""Stochastic gradient descent, with momentum, dampening, Nesterov momentum,
weight decay and maximisation (PyTorch 2.x semantics)."""
from __future__ import annotations

from typing import Any, Callable, Optional

from ._functional import sgd_step
from .optimizer import (Optimizer, ParamsT, _array, _bump_version, _no_grad_step, _real_view,
                        _state_tensor)

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum).

    For each parameter ``p`` with gradient ``g`` (PyTorch's algorithm)::

        g = -g if maximize else g
        g = g + weight_decay * p                       (if weight_decay != 0)
        b = g  (first step),  b = momentum * b + (1 - dampening) * g  (later)
        g = g + momentum * b  (nesterov)  or  g = b    (if momentum != 0)
        p = p - lr * g

    The momentum buffer is kept in ``optimizer.state[p]["momentum_buffer"]``.

    >>> import funcgrad.torch as torch
    >>> w = torch.nn.Parameter(torch.tensor([1.0, -1.0]))
    >>> opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.zero_grad(); (w ** 2).sum().backward(); opt.step()
    >>> w.detach()
    tensor([ 0.4600, -0.4600])
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: Optional[bool] = None,
                 differentiable: bool = False, fused: Optional[bool] = None) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    @_no_grad_step
    def step(self, closure: Optional[Callable[[], Any]] = None) -> Any:  # type: ignore[override]
        """Update every parameter that has a gradient; returns ``closure()``'s
        loss when a closure is given.

        >>> import funcgrad.torch as torch
        >>> w = torch.nn.Parameter(torch.ones(2))
        >>> opt = torch.optim.SGD([w], lr=0.1)
        >>> w.sum().backward(); opt.step()
        >>> w.detach()
        tensor([0.9000, 0.9000])
        """
        for group in self.param_groups:
            for p in group["params"]:
                grad = self._grad_array(p)
                if grad is None:
                    continue
                # as PyTorch: no state at all for a parameter without momentum
                state = self.state[p] if group["momentum"] != 0 else {}
                buf_t = state.get("momentum_buffer")
                buf = None if buf_t is None else _real_view(_array(buf_t))
                new = sgd_step(_real_view(_array(p)), _real_view(grad), buf, lr=group["lr"],
                               momentum=group["momentum"], dampening=group["dampening"],
                               weight_decay=group["weight_decay"], nesterov=group["nesterov"],
                               maximize=group["maximize"])
                _bump_version(p)
                if group["momentum"] != 0 and buf_t is None:
                    state["momentum_buffer"] = _state_tensor(new, p)
