"""Activation functions of ``funcgrad.torch.nn.functional`` (PyTorch 2.x
semantics, including the gradient at the kinks), composed from the facade's
differentiable tensor operations plus one primitive, ``erf`` (for the exact
GELU).

>>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
>>> F.gelu(torch.tensor([-1.0, 0.0, 1.0]))
tensor([-0.1587,  0.0000,  0.8413])
>>> F.leaky_relu(torch.tensor([-2.0, 3.0]), 0.1)
tensor([-0.2000,  3.0000])
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

import funcgrad.numpy as fnp
import funcgrad.torch as torch
from funcgrad._core import Primitive, defvjp
from funcgrad._core.primitive import defjvp_from_vjp

Tensor = Any

__all__ = ["gelu", "silu", "elu", "leaky_relu", "prelu", "softplus", "logsigmoid", "hardtanh",
           "mish", "erf"]

_erf_ufunc = np.frompyfunc(math.erf, 1, 1)


def _erf_impl(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x)
    return np.asarray(_erf_ufunc(x), dtype=x.dtype if x.dtype.kind == "f" else np.float64)


_erf = defvjp(Primitive("erf", _erf_impl),
              lambda g, ans, x: g * (2 / math.sqrt(math.pi)) * fnp.exp(-x * x))


def erf(input: Tensor) -> Tensor:
    """The error function ``2/sqrt(pi) * integral_0^x exp(-t^2) dt`` (``ErfBackward0``).

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.erf(torch.tensor([0.0, 1.0]))
    tensor([0.0000, 0.8427])
    """
    return _erf(input)


def _inplace(input: Tensor, out: Tensor, inplace: bool) -> Tensor:
    """``out``, or (``inplace=True``) ``input`` overwritten with it."""
    return input.copy_(out) if inplace else out


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Phi(x)`` with the normal CDF ``Phi``; ``approximate="tanh"`` uses
    ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.gelu(torch.tensor([1.0]), approximate="tanh")
    tensor([0.8412])
    """
    if approximate == "none":
        return input * 0.5 * (1.0 + _erf(input * (1 / math.sqrt(2.0))))
    if approximate == "tanh":
        inner = math.sqrt(2 / math.pi) * (input + 0.044715 * input * input * input)
        return 0.5 * input * (1.0 + inner.tanh())
    raise RuntimeError(f"approximate argument must be either none or tanh.")


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)`` (a.k.a. swish).

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.silu(torch.tensor([0.0, 1.0]))
    tensor([0.0000, 0.7311])
    """
    return _inplace(input, input * input.sigmoid(), inplace)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.elu(torch.tensor([-1.0, 2.0]))
    tensor([-0.6321,  2.0000])
    """
    neg = input.clamp(max=0.0).expm1() * alpha
    return _inplace(input, torch.where(input > 0, input, neg), inplace)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` for ``x > 0``, else ``negative_slope * x`` (slope ``negative_slope`` at 0).

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.leaky_relu(torch.tensor([-1.0]))
    tensor([-0.0100])
    """
    return _inplace(input, torch.where(input > 0, input, input * negative_slope), inplace)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """Leaky ReLU with a learnt slope: one (``weight.numel() == 1``) or one per
    channel (dimension 1).

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.prelu(torch.tensor([[-1.0, -1.0]]), torch.tensor([0.1, 0.2]))
    tensor([[-0.1000, -0.2000]])
    """
    if weight.numel() != 1:
        channels = input.shape[1] if input.dim() >= 2 else 1
        if weight.numel() != channels:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {weight.numel()} and channel size = "
                               f"{channels}.")
        weight = weight.reshape(*([-1] + [1] * (input.dim() - 2)))
    else:
        weight = weight.reshape(())
    return torch.where(input > 0, input, input * weight)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta x)) / beta``, linear where ``beta x > threshold``.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.softplus(torch.tensor([0.0, 30.0]))
    tensor([ 0.6931, 30.0000])
    """
    from .functional import _softplus
    scaled = input * beta
    soft = _softplus(scaled) / beta if beta != 1 else _softplus(scaled)
    return torch.where(scaled > threshold, input, soft)


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x)) = -softplus(-x)``, stable for any ``x``.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.logsigmoid(torch.tensor([-100.0, 0.0]))
    tensor([-100.0000,   -0.6931])
    """
    from .functional import _softplus
    return -_softplus(-input)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """``x`` clipped to ``[min_val, max_val]``; gradient 1 strictly inside, 0
    elsewhere (including the bounds), as PyTorch.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.hardtanh(torch.tensor([-2.0, 0.5, 2.0]))
    tensor([-1.0000,  0.5000,  1.0000])
    """
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    inside = (input > min_val) & (input < max_val)
    clipped = input.detach().clamp(min_val, max_val)
    return _inplace(input, torch.where(inside, input, clipped), inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))``.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.mish(torch.tensor([1.0]))
    tensor([0.8651])
    """
    from .functional import _softplus
    return _inplace(input, input * _softplus(input).tanh(), inplace)


# --- JVP rules (forward mode) -----------------------------------------------
defjvp_from_vjp(_erf)

# --- batching rules (vmap) ------------------------------------------------
from funcgrad._core import defbatch  # noqa: E402
from funcgrad.numpy._batching import broadcasting  # noqa: E402

defbatch(broadcasting, _erf)
