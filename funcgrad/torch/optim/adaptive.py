"""RMSprop, Adagrad, Adadelta, Adamax, NAdam and RAdam (PyTorch 2.x semantics).

Each class validates its arguments with PyTorch's messages, keeps PyTorch's
state names (so ``state_dict`` keys match), and applies the update formula
of :mod:`funcgrad.torch.optim._functional` to each parameter.

>>> import funcgrad.torch as torch
>>> w = torch.nn.Parameter(torch.tensor([1.0, -1.0]))
>>> opt = torch.optim.RMSprop([w], lr=0.01)
>>> opt.zero_grad(); (w ** 2).sum().backward(); opt.step()
>>> w.detach()
tensor([ 0.9000, -0.9000])
>>> torch.optim.Adagrad([w], lr=-1)
Traceback (most recent call last):
    ...
ValueError: Invalid learning rate: -1
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

import numpy as np

import funcgrad.torch as torch

from . import _functional as K
from .optimizer import PerParameterOptimizer, ParamsT, _array, check_hyperparameters

__all__ = ["RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam"]


class RMSprop(PerParameterOptimizer):
    """RMSprop (Hinton): divide the gradient by a running RMS of recent gradients.

    State: ``step``, ``square_avg``, ``momentum_buffer`` (``momentum > 0``),
    ``grad_avg`` (``centered``). See :func:`~funcgrad.torch.optim._functional.rmsprop_step`.

    >>> import funcgrad.torch as torch
    >>> w = torch.nn.Parameter(torch.tensor(2.0))
    >>> opt = torch.optim.RMSprop([w], lr=0.1, momentum=0.9, centered=True)
    >>> w.backward(); opt.step(); sorted(opt.state[w])
    ['grad_avg', 'momentum_buffer', 'square_avg', 'step']
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, capturable: bool = False,
                 foreach: Optional[bool] = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_hyperparameters(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay,
                              alpha=alpha)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _buffers(self, group: Dict[str, Any]) -> Tuple[str, ...]:
        return (("square_avg",) + (("momentum_buffer",) if group["momentum"] > 0 else ())
                + (("grad_avg",) if group["centered"] else ()))

    def _update(self, param: np.ndarray, grad: np.ndarray, buffers: Dict[str, np.ndarray],
                step: int, group: Dict[str, Any]) -> None:
        K.rmsprop_step(param, grad, buffers["square_avg"], buffers.get("grad_avg"),
                       buffers.get("momentum_buffer"), lr=group["lr"], alpha=group["alpha"],
                       eps=group["eps"], weight_decay=group["weight_decay"],
                       momentum=group["momentum"], centered=group["centered"],
                       maximize=group["maximize"])


class Adagrad(PerParameterOptimizer):
    """Adagrad (Duchi et al.): per-coordinate rates from the sum of squared gradients.

    As in PyTorch the state (``step`` and ``sum``, filled with
    ``initial_accumulator_value``) exists from construction.

    >>> import funcgrad.torch as torch
    >>> w = torch.nn.Parameter(torch.tensor([1.0]))
    >>> opt = torch.optim.Adagrad([w], lr=0.5, initial_accumulator_value=0.1)
    >>> opt.state[w]["sum"]
    tensor([0.1000])
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: Optional[bool] = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: Optional[bool] = None) -> None:
        check_hyperparameters(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                              initial_accumulator_value=initial_accumulator_value)
        check_hyperparameters(eps=eps)
        if fused:
            raise RuntimeError("`fused` is not supported by funcgrad's Adagrad")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p].update(self._init_state(p, group))

    def _init_state(self, p: Any, group: Dict[str, Any]) -> Dict[str, Any]:
        value = group["initial_accumulator_value"]
        a = _array(p)
        fill = complex(value, value) if a.dtype.kind == "c" else value
        return {"step": torch.tensor(0.0), "sum": torch.from_numpy(np.full(a.shape, fill, a.dtype))}

    def _update(self, param: np.ndarray, grad: np.ndarray, buffers: Dict[str, np.ndarray],
                step: int, group: Dict[str, Any]) -> None:
        K.adagrad_step(param, grad, buffers["sum"], step, lr=group["lr"],
                       lr_decay=group["lr_decay"], weight_decay=group["weight_decay"],
                       eps=group["eps"], maximize=group["maximize"])


class Adadelta(PerParameterOptimizer):
    """Adadelta (Zeiler): rates from running averages of squared gradients and updates.

    >>> import funcgrad.torch as torch
    >>> w = torch.nn.Parameter(torch.tensor([1.0]))
    >>> opt = torch.optim.Adadelta([w])
    >>> w.sum().backward(); opt.step(); sorted(opt.state[w])
    ['acc_delta', 'square_avg', 'step']
    """

    def __init__(self, params: ParamsT, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: Optional[bool] = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_hyperparameters(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _buffers(self, group: Dict[str, Any]) -> Tuple[str, ...]:
        return ("square_avg", "acc_delta")

    def _update(self, param: np.ndarray, grad: np.ndarray, buffers: Dict[str, np.ndarray],
                step: int, group: Dict[str, Any]) -> None:
        K.adadelta_step(param, grad, buffers["square_avg"], buffers["acc_delta"],
                        lr=group["lr"], rho=group["rho"], eps=group["eps"],
                        weight_decay=group["weight_decay"], maximize=group["maximize"])


class Adamax(PerParameterOptimizer):
    """Adamax (Kingma & Ba): Adam with the infinity norm of past gradients.

    >>> import funcgrad.torch as torch
    >>> w = torch.nn.Parameter(torch.tensor([1.0]))
    >>> opt = torch.optim.Adamax([w], lr=0.1)
    >>> w.sum().backward(); opt.step(); w.detach()
    tensor([0.9000])
    """

    def __init__(self, params: ParamsT, lr: float = 2e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: Optional[bool] = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        check_hyperparameters(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _buffers(self, group: Dict[str, Any]) -> Tuple[str, ...]:
        return ("exp_avg", "exp_inf")

    def _update(self, param: np.ndarray, grad: np.ndarray, buffers: Dict[str, np.ndarray],
                step: int, group: Dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        K.adamax_step(param, grad, buffers["exp_avg"], buffers["exp_inf"], step,
                      lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"],
                      weight_decay=group["weight_decay"], maximize=group["maximize"])


class NAdam(PerParameterOptimizer):
    """NAdam (Dozat): Adam with Nesterov momentum and a momentum schedule.

    State: ``step``, ``mu_product`` (a 0-d tensor of the default float
    dtype, as PyTorch keeps it), ``exp_avg``, ``exp_avg_sq``.

    >>> import funcgrad.torch as torch
    >>> w = torch.nn.Parameter(torch.tensor([1.0]))
    >>> opt = torch.optim.NAdam([w], lr=0.1)
    >>> w.sum().backward(); opt.step(); w.detach()
    tensor([0.8944])
    """

    def __init__(self, params: ParamsT, lr: float = 2e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: Optional[bool] = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        check_hyperparameters(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay,
                              momentum_decay=momentum_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p: Any, group: Dict[str, Any]) -> Dict[str, Any]:
        state = super()._init_state(p, group)
        state["mu_product"] = torch.tensor(1.0)
        return state

    def _buffers(self, group: Dict[str, Any]) -> Tuple[str, ...]:
        return ("exp_avg", "exp_avg_sq")

    def _update(self, param: np.ndarray, grad: np.ndarray, buffers: Dict[str, np.ndarray],
                step: int, group: Dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        K.nadam_step(param, grad, buffers["exp_avg"], buffers["exp_avg_sq"],
                     buffers["mu_product"], step, lr=group["lr"], beta1=beta1, beta2=beta2,
                     eps=group["eps"], weight_decay=group["weight_decay"],
                     momentum_decay=group["momentum_decay"],
                     decoupled_weight_decay=group["decoupled_weight_decay"],
                     maximize=group["maximize"])


class RAdam(PerParameterOptimizer):
    """RAdam (Liu et al.): Adam with a rectified adaptive learning rate.

    >>> import funcgrad.torch as torch
    >>> w = torch.nn.Parameter(torch.tensor([1.0]))
    >>> opt = torch.optim.RAdam([w], lr=0.1)
    >>> w.sum().backward(); opt.step(); w.detach()
    tensor([0.9000])
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: Optional[bool] = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        check_hyperparameters(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _buffers(self, group: Dict[str, Any]) -> Tuple[str, ...]:
        return ("exp_avg", "exp_avg_sq")

    def _update(self, param: np.ndarray, grad: np.ndarray, buffers: Dict[str, np.ndarray],
                step: int, group: Dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        K.radam_step(param, grad, buffers["exp_avg"], buffers["exp_avg_sq"], step,
                     lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"],
                     weight_decay=group["weight_decay"],
                     decoupled_weight_decay=group["decoupled_weight_decay"],
                     maximize=group["maximize"])
