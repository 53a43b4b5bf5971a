"""``funcgrad.torch.nn.init``: in-place initialisation of parameters (PyTorch 2.x).

Every function fills its tensor in place without recording a graph and
returns it. Random fills draw from the facade's generator, so
``torch.manual_seed`` makes them reproducible.

>>> import funcgrad.torch as torch
>>> w = torch.nn.init.xavier_uniform_(torch.zeros(3, 4))
>>> bool((w.abs() <= (6 / 7) ** 0.5).all())
True
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Optional, Tuple

import funcgrad.torch as torch

__all__ = ["calculate_gain", "uniform_", "normal_", "constant_", "zeros_", "ones_",
           "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"]

Tensor = Any


def calculate_gain(nonlinearity: str, param: Optional[float] = None) -> float:
    """The recommended gain for a nonlinearity (PyTorch's table).

    >>> import funcgrad.torch as torch
    >>> torch.nn.init.calculate_gain("tanh")
    1.6666666666666667
    """
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                  "conv_transpose2d", "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _fill(tensor: Tensor, values: Tensor) -> Tensor:
    with torch.no_grad():
        tensor.copy_(values)
    return tensor


def _empty_check(tensor: Tensor) -> bool:
    if tensor.numel() == 0:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with values drawn from U(a, b).

    >>> import funcgrad.torch as torch
    >>> t = torch.nn.init.uniform_(torch.zeros(100), -2.0, -1.0)
    >>> bool(((t >= -2) & (t <= -1)).all())
    True
    """
    r = torch.rand(*tensor.shape, dtype=tensor.dtype, generator=generator)
    return _fill(tensor, r * (b - a) + a)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with values drawn from N(mean, std**2).

    >>> import funcgrad.torch as torch
    >>> torch.nn.init.normal_(torch.zeros(2, 2), std=0.0)
    tensor([[0., 0.],
            [0., 0.]])
    """
    r = torch.randn(*tensor.shape, dtype=tensor.dtype, generator=generator)
    return _fill(tensor, r * std + mean)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with the constant ``val``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.init.constant_(torch.zeros(2), 0.5)
    tensor([0.5000, 0.5000])
    """
    with torch.no_grad():
        tensor.fill_(val)
    return tensor


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with zeros.

    >>> import funcgrad.torch as torch
    >>> torch.nn.init.zeros_(torch.ones(2))
    tensor([0., 0.])
    """
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with ones.

    >>> import funcgrad.torch as torch
    >>> torch.nn.init.ones_(torch.zeros(2))
    tensor([1., 1.])
    """
    return constant_(tensor, 1.0)


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> Tuple[int, int]:
    dims = tensor.dim()
    if dims < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than "
                         "2 dimensions")
    receptive = 1
    for s in tuple(tensor.shape)[2:]:
        receptive *= s
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Glorot uniform: U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.init.xavier_uniform_(torch.zeros(2, 2)).shape
    torch.Size([2, 2])
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    a = math.sqrt(3.0) * gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Glorot normal: N(0, std**2) with ``std = gain * sqrt(2 / (fan_in + fan_out))``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.init.xavier_normal_(torch.zeros(2, 2)).shape
    torch.Size([2, 2])
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator: Any = None) -> Tensor:
    """He uniform: U(-b, b), ``b = gain * sqrt(3 / fan)`` with the gain of
    ``nonlinearity`` (negative slope ``a`` for leaky_relu). ``nn.Linear`` uses
    ``a = sqrt(5)``, which gives ``b = 1 / sqrt(fan_in)``.

    >>> import math, funcgrad.torch as torch
    >>> w = torch.nn.init.kaiming_uniform_(torch.zeros(50, 4), a=math.sqrt(5))
    >>> bool((w.abs() <= 0.5).all())
    True
    """
    if _empty_check(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    bound = math.sqrt(3.0) * calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator: Any = None) -> Tensor:
    """He normal: N(0, std**2), ``std = gain / sqrt(fan)``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.init.kaiming_normal_(torch.zeros(3, 2)).shape
    torch.Size([3, 2])
    """
    if _empty_check(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(fan), generator)
