"""Activation modules: ``GELU``, ``SiLU``, ``ELU``, ``LeakyReLU``, ``PReLU``,
``Softplus``, ``LogSigmoid``, ``Hardtanh``, ``Mish`` (PyTorch's arguments,
defaults and reprs).

>>> import funcgrad.torch as torch
>>> torch.nn.GELU(approximate="tanh")
GELU(approximate='tanh')
>>> torch.nn.PReLU().weight
Parameter containing:
tensor([0.2500], requires_grad=True)
"""
from __future__ import annotations

from typing import Any

import funcgrad.torch as torch

from . import _activations as A
from .module import Module
from .parameter import Parameter

__all__ = ["GELU", "SiLU", "ELU", "LeakyReLU", "PReLU", "Softplus", "LogSigmoid", "Hardtanh",
           "Mish"]

Tensor = Any


class GELU(Module):
    """Gaussian error linear unit ``x * Phi(x)`` (``approximate="none"`` or ``"tanh"``).

    >>> import funcgrad.torch as torch
    >>> torch.nn.GELU()(torch.tensor([0.0]))
    tensor([0.])
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return A.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class _Inplace(Module):
    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class SiLU(_Inplace):
    """``x * sigmoid(x)``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.SiLU()
    SiLU()
    """

    def forward(self, input: Tensor) -> Tensor:
        return A.silu(input, inplace=self.inplace)


class Mish(_Inplace):
    """``x * tanh(softplus(x))``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.Mish()(torch.tensor([0.0]))
    tensor([0.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return A.mish(input, inplace=self.inplace)


class ELU(Module):
    """``x`` if positive, else ``alpha * (exp(x) - 1)``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.ELU(alpha=0.5, inplace=True)
    ELU(alpha=0.5, inplace=True)
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return A.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class LeakyReLU(Module):
    """``x`` if positive, else ``negative_slope * x``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.LeakyReLU(0.2)
    LeakyReLU(negative_slope=0.2)
    """

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return A.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace
                                                          else "")


class PReLU(Module):
    """Leaky ReLU with a learnt slope ``weight`` of ``num_parameters`` entries
    (1, or one per channel), initialised to ``init``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.PReLU(3, 0.1)
    PReLU(num_parameters=3)
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        dtype = torch.get_default_dtype() if dtype is None else dtype
        self.weight = Parameter(torch.full((num_parameters,), init, dtype=dtype))

    def reset_parameters(self) -> None:
        """Set every slope back to ``init``.

        >>> import funcgrad.torch as torch
        >>> torch.nn.PReLU().reset_parameters()
        """
        with torch.no_grad():
            self.weight.fill_(self.init)

    def forward(self, input: Tensor) -> Tensor:
        return A.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Softplus(Module):
    """``log(1 + exp(beta x)) / beta``, linear above ``threshold``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.Softplus()
    Softplus(beta=1.0, threshold=20.0)
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        return A.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class LogSigmoid(Module):
    """``log(sigmoid(x))``, stable.

    >>> import funcgrad.torch as torch
    >>> torch.nn.LogSigmoid()(torch.tensor([0.0]))
    tensor([-0.6931])
    """

    def forward(self, input: Tensor) -> Tensor:
        return A.logsigmoid(input)


class Hardtanh(Module):
    """``x`` clipped to ``[min_val, max_val]``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.Hardtanh(-2, 3)
    Hardtanh(min_val=-2, max_val=3)
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        if min_val > max_val:
            raise ValueError("min_val cannot be greater than max_val")
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return A.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return (f"min_val={self.min_val}, max_val={self.max_val}"
                + (", inplace=True" if self.inplace else ""))
