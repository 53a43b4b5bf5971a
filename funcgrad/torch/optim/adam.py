"""Adam and AdamW (PyTorch 2.x semantics, including ``amsgrad`` and ``maximize``)."""
from __future__ import annotations

from typing import Any, Callable, Optional, Tuple

import funcgrad.torch as torch

from ._functional import adam_step
from .optimizer import (Optimizer, ParamsT, _array, _bump_version, _no_grad_step, _real_view,
                        _zeros_state, check_hyperparameters)

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam: adaptive moment estimation (Kingma & Ba), PyTorch's variant.

    For each parameter ``p`` with gradient ``g``, at step ``t`` (from 1)::

        g = -g if maximize else g
        g = g + weight_decay * p                       (L2 penalty, if nonzero)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        v_max = max(v_max, v)                          (amsgrad)
        p = p - lr / (1 - beta1**t) * m / (sqrt(v or v_max) / sqrt(1 - beta2**t) + eps)

    The state of ``p`` is ``step`` (a float tensor), ``exp_avg``, ``exp_avg_sq``
    and, with amsgrad, ``max_exp_avg_sq``.

    >>> import funcgrad.torch as torch
    >>> w = torch.nn.Parameter(torch.tensor([1.0, -1.0]))
    >>> opt = torch.optim.Adam([w], lr=0.1)
    >>> opt.zero_grad(); (w ** 2).sum().backward(); opt.step()
    >>> w.detach()
    tensor([ 0.9000, -0.9000])
    """

    _decoupled = False

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: Optional[bool] = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False,
                 fused: Optional[bool] = None) -> None:
        check_hyperparameters(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    @_no_grad_step
    def step(self, closure: Optional[Callable[[], Any]] = None) -> Any:  # type: ignore[override]
        """Update every parameter that has a gradient; returns ``closure()``'s
        loss when a closure is given.

        >>> import funcgrad.torch as torch
        >>> w = torch.nn.Parameter(torch.ones(2))
        >>> opt = torch.optim.Adam([w], lr=0.1)
        >>> w.sum().backward(); opt.step()
        >>> w.detach()
        tensor([0.9000, 0.9000])
        """
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                grad = self._grad_array(p)
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = torch.tensor(0.0)
                    state["exp_avg"] = _zeros_state(p)
                    state["exp_avg_sq"] = _zeros_state(p)
                    if group["amsgrad"]:
                        state["max_exp_avg_sq"] = _zeros_state(p)
                step_arr = _array(state["step"])
                step_arr += 1
                max_sq = state.get("max_exp_avg_sq") if group["amsgrad"] else None
                adam_step(_real_view(_array(p)), _real_view(grad),
                          _real_view(_array(state["exp_avg"])),
                          _real_view(_array(state["exp_avg_sq"])),
                          None if max_sq is None else _real_view(_array(max_sq)),
                          int(step_arr), lr=group["lr"], beta1=beta1, beta2=beta2,
                          eps=group["eps"], weight_decay=group["weight_decay"],
                          amsgrad=group["amsgrad"], maximize=group["maximize"],
                          decoupled=self._decoupled)
                _bump_version(p)


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter).

    Identical to :class:`Adam` except that weight decay shrinks the parameter
    directly, ``p = p * (1 - lr * weight_decay)``, before the Adam update
    (instead of adding ``weight_decay * p`` to the gradient). The default
    ``weight_decay`` is ``1e-2``.

    >>> import funcgrad.torch as torch
    >>> w = torch.nn.Parameter(torch.tensor([1.0]))
    >>> opt = torch.optim.AdamW([w], lr=0.1, weight_decay=0.5)
    >>> opt.zero_grad(); (w * 0).sum().backward(); opt.step()
    >>> w.detach()
    tensor([0.9500])
    """

    _decoupled = True

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: Optional[bool] = None,
                 capturable: bool = False, differentiable: bool = False,
                 fused: Optional[bool] = None) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused)
