"""The update formulas of the optimizers, on NumPy arrays, in place.

These are PyTorch 2.x's single-tensor algorithms (``torch/optim/sgd.py``,
``adam.py``, ``adamw.py``, ``rmsprop.py``, ``adagrad.py``, ``adadelta.py``,
``adamax.py``, ``nadam.py``, ``radam.py``: the ones PyTorch runs on the CPU)
written with NumPy, in the same order of operations (``lerp`` where PyTorch
uses it), so that the steps agree to rounding: the optimizer classes hand
them each parameter's data, gradient and state buffers, and they update the
parameter and the buffers in place. Arithmetic stays in the parameter's
dtype (a float32 model is updated in float32). Complex parameters are handed
over as real views (``view_as_real``), as PyTorch does.

>>> import numpy as np
>>> p, g = np.array([1.0, 2.0]), np.array([0.5, -0.5])
>>> sgd_step(p, g, None, lr=0.1, momentum=0.0, dampening=0.0, weight_decay=0.0,
...          nesterov=False, maximize=False)
>>> p
array([0.95, 2.05])
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

__all__ = ["sgd_step", "adam_step", "rmsprop_step", "adagrad_step", "adadelta_step",
           "adamax_step", "nadam_step", "radam_step"]


def sgd_step(param: np.ndarray, grad: np.ndarray, momentum_buffer: Optional[np.ndarray], *,
             lr: float, momentum: float, dampening: float, weight_decay: float,
             nesterov: bool, maximize: bool) -> Optional[np.ndarray]:
    """One SGD update of ``param`` (in place); returns the momentum buffer.

    PyTorch's algorithm: ``g = -grad if maximize else grad``; ``g += wd * p``;
    with momentum ``b = g`` on the first step, then ``b = mu * b + (1 - tau) * g``
    (in place); ``g = g + mu * b`` (Nesterov) or ``g = b``; ``p -= lr * g``.
    ``momentum_buffer`` is ``None`` before the first step with momentum.

    >>> import numpy as np
    >>> p = np.array([1.0]); b = sgd_step(p, np.array([1.0]), None, lr=0.1, momentum=0.9,
    ...     dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False)
    >>> p, b
    (array([0.9]), array([1.]))
    """
    d_p = -grad if maximize else grad
    if weight_decay != 0:
        d_p = d_p + _scalar(weight_decay, param) * param
    if momentum != 0:
        if momentum_buffer is None:
            momentum_buffer = np.array(d_p, dtype=param.dtype, copy=True)
        else:
            momentum_buffer *= _scalar(momentum, param)
            momentum_buffer += _scalar(1 - dampening, param) * d_p
        if nesterov:
            d_p = d_p + _scalar(momentum, param) * momentum_buffer
        else:
            d_p = momentum_buffer
    param -= _scalar(lr, param) * d_p
    return momentum_buffer


def adam_step(param: np.ndarray, grad: np.ndarray, exp_avg: np.ndarray, exp_avg_sq: np.ndarray,
              max_exp_avg_sq: Optional[np.ndarray], step: int, *, lr: float, beta1: float,
              beta2: float, eps: float, weight_decay: float, amsgrad: bool, maximize: bool,
              decoupled: bool = False) -> None:
    """One Adam (``decoupled=False``) or AdamW (``decoupled=True``) update, in place.

    ``step`` is the step number *after* incrementing (1 on the first update).
    Adam adds ``weight_decay * p`` to the gradient (L2 penalty); AdamW instead
    multiplies ``p`` by ``1 - lr * weight_decay`` before the update. Then::

        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        v_max = max(v_max, v)                       (amsgrad only)
        denom = sqrt(v or v_max) / sqrt(1 - beta2 ** step) + eps
        p -= lr / (1 - beta1 ** step) * m / denom

    >>> import numpy as np
    >>> p, m, v = np.array([1.0]), np.zeros(1), np.zeros(1)
    >>> adam_step(p, np.array([2.0]), m, v, None, 1, lr=0.1, beta1=0.9, beta2=0.999,
    ...           eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False)
    >>> np.round(p, 6)
    array([0.9])
    """
    g = _start(param, grad, weight_decay, maximize, decoupled, lr)
    exp_avg *= _scalar(beta1, param)
    exp_avg += _scalar(1 - beta1, param) * g
    exp_avg_sq *= _scalar(beta2, param)
    exp_avg_sq += _scalar(1 - beta2, param) * (g * g)
    bias_correction1 = 1 - beta1 ** step
    bias_correction2_sqrt = math.sqrt(1 - beta2 ** step)
    step_size = lr / bias_correction1
    if amsgrad:
        assert max_exp_avg_sq is not None
        np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        second = max_exp_avg_sq
    else:
        second = exp_avg_sq
    denom = np.sqrt(second) / _scalar(bias_correction2_sqrt, param) + _scalar(eps, param)
    param -= _scalar(step_size, param) * (exp_avg / denom)


def _start(param: np.ndarray, grad: np.ndarray, weight_decay: float, maximize: bool,
           decoupled: bool = False, lr: float = 0.0) -> np.ndarray:
    """The gradient the update uses: negated to maximise, plus the L2 penalty --
    or, ``decoupled`` (AdamW-style), ``param`` shrunk in place by ``1 - lr * wd``."""
    g = -grad if maximize else grad
    if weight_decay != 0:
        if decoupled:
            param *= _scalar(1 - lr * weight_decay, param)
        else:
            g = g + _scalar(weight_decay, param) * param
    return g


def _lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """``start.lerp_(end, weight)`` in place, with PyTorch's two formulas."""
    w = _scalar(weight, start)
    if weight < 0.5:
        start += w * (end - start)
    else:
        start[...] = end - (end - start) * _scalar(1 - weight, start)


def rmsprop_step(param: np.ndarray, grad: np.ndarray, square_avg: np.ndarray,
                 grad_avg: Optional[np.ndarray], momentum_buffer: Optional[np.ndarray], *,
                 lr: float, alpha: float, eps: float, weight_decay: float, momentum: float,
                 centered: bool, maximize: bool) -> None:
    """One RMSprop update, in place::

        v = alpha * v + (1 - alpha) * g**2
        avg = sqrt(v - mean_g**2) + eps  (centered: mean_g = lerp(mean_g, g, 1 - alpha))
            or sqrt(v) + eps
        b = momentum * b + g / avg; p -= lr * b   (momentum > 0)
        p -= lr * g / avg                          (otherwise)

    >>> p, v = np.array([1.0]), np.zeros(1)
    >>> rmsprop_step(p, np.array([1.0]), v, None, None, lr=0.01, alpha=0.99, eps=0.0,
    ...              weight_decay=0.0, momentum=0.0, centered=False, maximize=False)
    >>> np.round(p, 4)
    array([0.9])
    """
    g = _start(param, grad, weight_decay, maximize)
    square_avg *= _scalar(alpha, param)
    square_avg += _scalar(1 - alpha, param) * (g * g)
    if centered:
        assert grad_avg is not None
        _lerp_(grad_avg, g, 1 - alpha)
        avg = np.sqrt(square_avg - grad_avg * grad_avg)
    else:
        avg = np.sqrt(square_avg)
    avg += _scalar(eps, param)
    if momentum > 0:
        assert momentum_buffer is not None
        momentum_buffer *= _scalar(momentum, param)
        momentum_buffer += g / avg
        param -= _scalar(lr, param) * momentum_buffer
    else:
        param -= _scalar(lr, param) * (g / avg)


def adagrad_step(param: np.ndarray, grad: np.ndarray, state_sum: np.ndarray, step: int, *,
                 lr: float, lr_decay: float, weight_decay: float, eps: float,
                 maximize: bool) -> None:
    """One Adagrad update, in place: ``s += g**2``, then
    ``p -= lr / (1 + (step - 1) * lr_decay) * g / (sqrt(s) + eps)``.

    >>> p, s = np.array([1.0]), np.zeros(1)
    >>> adagrad_step(p, np.array([2.0]), s, 1, lr=0.1, lr_decay=0.0, weight_decay=0.0,
    ...              eps=0.0, maximize=False)
    >>> p, s
    (array([0.9]), array([4.]))
    """
    g = _start(param, grad, weight_decay, maximize)
    clr = lr / (1 + (step - 1) * lr_decay)
    state_sum += g * g
    std = np.sqrt(state_sum)
    std += _scalar(eps, param)
    param -= _scalar(clr, param) * (g / std)


def adadelta_step(param: np.ndarray, grad: np.ndarray, square_avg: np.ndarray,
                  acc_delta: np.ndarray, *, lr: float, rho: float, eps: float,
                  weight_decay: float, maximize: bool) -> None:
    """One Adadelta update, in place::

        v = rho * v + (1 - rho) * g**2
        delta = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta**2
        p -= lr * delta

    >>> p, v, u = np.array([1.0]), np.zeros(1), np.zeros(1)
    >>> adadelta_step(p, np.array([1.0]), v, u, lr=1.0, rho=0.0, eps=1.0, weight_decay=0.0,
    ...               maximize=False)
    >>> np.round(p, 4)
    array([0.2929])
    """
    g = _start(param, grad, weight_decay, maximize)
    square_avg *= _scalar(rho, param)
    square_avg += _scalar(1 - rho, param) * (g * g)
    std = np.sqrt(square_avg + _scalar(eps, param))
    delta = np.sqrt(acc_delta + _scalar(eps, param))
    delta /= std
    delta *= g
    acc_delta *= _scalar(rho, param)
    acc_delta += _scalar(1 - rho, param) * (delta * delta)
    param -= _scalar(lr, param) * delta


def adamax_step(param: np.ndarray, grad: np.ndarray, exp_avg: np.ndarray,
                exp_inf: np.ndarray, step: int, *, lr: float, beta1: float, beta2: float,
                eps: float, weight_decay: float, maximize: bool) -> None:
    """One Adamax update, in place: ``m = lerp(m, g, 1 - beta1)``,
    ``u = max(beta2 * u, |g| + eps)``, ``p -= lr / (1 - beta1**step) * m / u``.

    >>> p, m, u = np.array([1.0]), np.zeros(1), np.zeros(1)
    >>> adamax_step(p, np.array([3.0]), m, u, 1, lr=0.1, beta1=0.9, beta2=0.999, eps=0.0,
    ...             weight_decay=0.0, maximize=False)
    >>> np.round(p, 6)
    array([0.9])
    """
    g = _start(param, grad, weight_decay, maximize)
    _lerp_(exp_avg, g, 1 - beta1)
    exp_inf *= _scalar(beta2, param)
    np.maximum(exp_inf, np.abs(g) + _scalar(eps, param), out=exp_inf)
    clr = lr / (1 - beta1 ** step)
    param -= _scalar(clr, param) * (exp_avg / exp_inf)


def nadam_step(param: np.ndarray, grad: np.ndarray, exp_avg: np.ndarray,
               exp_avg_sq: np.ndarray, mu_product: np.ndarray, step: int, *, lr: float,
               beta1: float, beta2: float, eps: float, weight_decay: float,
               momentum_decay: float, decoupled_weight_decay: bool, maximize: bool) -> None:
    """One NAdam update, in place (``mu_product``, a 0-d array in the default
    float dtype as PyTorch keeps it, is updated too)::

        mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
        prod *= mu_t
        m = lerp(m, g, 1 - beta1); v = beta2 * v + (1 - beta2) * g**2
        denom = sqrt(v / (1 - beta2**t)) + eps
        p -= lr * (1 - mu_t) / (1 - prod) * g / denom
        p -= lr * mu_{t+1} / (1 - prod * mu_{t+1}) * m / denom

    >>> p, m, v, prod = np.array([1.0]), np.zeros(1), np.zeros(1), np.array(1.0, np.float32)
    >>> nadam_step(p, np.array([1.0]), m, v, prod, 1, lr=0.1, beta1=0.9, beta2=0.999,
    ...            eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
    ...            decoupled_weight_decay=False, maximize=False)
    >>> np.round(p, 4)
    array([0.8944])
    """
    g = _start(param, grad, weight_decay, maximize, decoupled_weight_decay, lr)
    bias_correction2 = 1 - beta2 ** step
    mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
    mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
    mu_product *= mu_product.dtype.type(mu)
    prod = float(mu_product)
    _lerp_(exp_avg, g, 1 - beta1)
    exp_avg_sq *= _scalar(beta2, param)
    exp_avg_sq += _scalar(1 - beta2, param) * (g * g)
    denom = np.sqrt(exp_avg_sq / _scalar(bias_correction2, param))
    denom += _scalar(eps, param)
    param -= _scalar(lr * (1.0 - mu) / (1.0 - prod), param) * (g / denom)
    param -= _scalar(lr * mu_next / (1.0 - prod * mu_next), param) * (exp_avg / denom)


def radam_step(param: np.ndarray, grad: np.ndarray, exp_avg: np.ndarray,
               exp_avg_sq: np.ndarray, step: int, *, lr: float, beta1: float, beta2: float,
               eps: float, weight_decay: float, decoupled_weight_decay: bool,
               maximize: bool) -> None:
    """One RAdam update, in place: Adam's moments; while the variance of the
    adaptive rate is intractable (``rho_t <= 5``) an SGD-with-momentum step
    ``p -= lr * m_hat``, afterwards ``p -= lr * m_hat * r_t * sqrt(1 - beta2**t) / (sqrt(v) + eps)``.

    >>> p, m, v = np.array([1.0]), np.zeros(1), np.zeros(1)
    >>> radam_step(p, np.array([2.0]), m, v, 1, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8,
    ...            weight_decay=0.0, decoupled_weight_decay=False, maximize=False)
    >>> np.round(p, 6)
    array([0.8])
    """
    g = _start(param, grad, weight_decay, maximize, decoupled_weight_decay, lr)
    _lerp_(exp_avg, g, 1 - beta1)
    exp_avg_sq *= _scalar(beta2, param)
    exp_avg_sq += _scalar(1 - beta2, param) * (g * g)
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    corrected = exp_avg / _scalar(bias_correction1, param)
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
    if rho_t > 5.0:
        rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        root = np.sqrt(exp_avg_sq)
        root += _scalar(eps, param)
        adaptive = _scalar(bias_correction2 ** 0.5, param) / root
        param -= corrected * _scalar(lr, param) * adaptive * _scalar(rect, param)
    else:
        param -= corrected * _scalar(lr, param)


def _scalar(value: float, like: np.ndarray) -> np.generic:
    """``value`` as a NumPy scalar of ``like``'s real precision (no upcasting)."""
    dtype = like.dtype
    if dtype.kind != "f":
        dtype = np.dtype(np.float64)
    return dtype.type(value)
