"""The update formulas of the optimizers, on NumPy arrays, in place.

These are PyTorch 2.x's single-tensor algorithms (``torch/optim/sgd.py``,
``adam.py``, ``adamw.py``) written with NumPy: the optimizer classes hand
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

__all__ = ["sgd_step", "adam_step"]


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
    g = -grad if maximize else grad
    if weight_decay != 0:
        if decoupled:
            param *= _scalar(1 - lr * weight_decay, param)
        else:
            g = g + _scalar(weight_decay, param) * param
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


def _scalar(value: float, like: np.ndarray) -> np.generic:
    """``value`` as a NumPy scalar of ``like``'s real precision (no upcasting)."""
    dtype = like.dtype
    if dtype.kind != "f":
        dtype = np.dtype(np.float64)
    return dtype.type(value)
