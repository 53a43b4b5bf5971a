"""Convolution layers: ``Conv1d/2d/3d`` and ``ConvTranspose1d/2d/3d`` with
PyTorch's parameters (``weight``, ``bias``), default initialisation
(``kaiming_uniform_(a=sqrt(5))``), padding modes and reprs.

>>> import funcgrad.torch as torch
>>> conv = torch.nn.Conv2d(3, 8, 3, padding=1)
>>> conv
Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
>>> conv(torch.zeros(2, 3, 5, 5)).shape, conv.weight.shape
(torch.Size([2, 8, 5, 5]), torch.Size([8, 3, 3, 3]))
"""
from __future__ import annotations

import math
from typing import Any, Optional, Tuple, Union

import funcgrad.torch as torch

from . import _convolution as C
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d",
           "ConvTranspose3d"]

Tensor = Any
_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _dtype(dtype: Any) -> Any:
    return torch.get_default_dtype() if dtype is None else dtype


class _ConvNd(Module):
    _nd = 0
    transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None,
                 output_padding: Any = 0) -> None:
        super().__init__()
        nd = self._nd
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {set(_PADDING_MODES)}, but got "
                             f"padding_mode='{padding_mode}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = C.ntuple(kernel_size, nd, "kernel_size")
        self.stride = C.ntuple(stride, nd, "stride")
        self.dilation = C.ntuple(dilation, nd, "dilation")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 "{'valid', 'same'}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
            self.padding = padding
        else:
            self.padding = C.ntuple(padding, nd, "padding")
        self.output_padding = C.ntuple(output_padding, nd, "output_padding")
        self.groups = groups
        self.padding_mode = padding_mode
        # F.pad's (left, right) pairs from the last dimension backwards
        pairs = C.conv_padding(self.padding, nd, self.kernel_size, self.stride, self.dilation,
                               ValueError)
        self._reversed_padding_repeated_twice = [p for pair in reversed(pairs) for p in pair]
        dtype = _dtype(dtype)
        if self.transposed:
            shape = (in_channels, out_channels // groups) + self.kernel_size
        else:
            shape = (out_channels, in_channels // groups) + self.kernel_size
        self.weight = Parameter(torch.empty(*shape, dtype=dtype))
        if bias:
            self.bias = Parameter(torch.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: ``kaiming_uniform_(a=sqrt(5))`` for the weight and
        ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` for the bias.

        >>> import funcgrad.torch as torch
        >>> conv = torch.nn.Conv1d(2, 3, 4); conv.reset_parameters()
        >>> bool((conv.bias.abs() <= 1 / 8 ** 0.5).all())
        True
        """
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        nd = self._nd
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}"
        s += f", stride={self.stride}"
        if self.padding != (0,) * nd:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * nd:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * nd:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _Conv(_ConvNd):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Union[str, Any] = 0, dilation: Any = 1, groups: int = 1,
                 bias: bool = True, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)

    def _conv_forward(self, input: Tensor, weight: Tensor, bias: Optional[Tensor]) -> Tensor:
        fn = (C.conv1d, C.conv2d, C.conv3d)[self._nd - 1]
        if self.padding_mode != "zeros":
            mode = "constant" if self.padding_mode == "zeros" else self.padding_mode
            return fn(C.pad(input, self._reversed_padding_repeated_twice, mode=mode), weight,
                      bias, self.stride, 0, self.dilation, self.groups)
        return fn(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input: Tensor) -> Tensor:
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_Conv):
    """1-D convolution over ``(N, C_in, L)`` or ``(C_in, L)``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.Conv1d(2, 2, 3, padding="same")
    Conv1d(2, 2, kernel_size=(3,), stride=(1,), padding=same)
    """
    _nd = 1


class Conv2d(_Conv):
    """2-D convolution over ``(N, C_in, H, W)`` or ``(C_in, H, W)``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.Conv2d(4, 4, (3, 5), stride=2, groups=2, bias=False, padding_mode="reflect")
    Conv2d(4, 4, kernel_size=(3, 5), stride=(2, 2), groups=2, bias=False, padding_mode=reflect)
    """
    _nd = 2


class Conv3d(_Conv):
    """3-D convolution over ``(N, C_in, D, H, W)`` or ``(C_in, D, H, W)``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.Conv3d(1, 2, 2)(torch.zeros(1, 1, 3, 3, 3)).shape
    torch.Size([1, 2, 2, 2, 2])
    """
    _nd = 3


class _ConvTranspose(_ConvNd):
    transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for '
                             f"{type(self).__name__}")
        if isinstance(padding, str):
            raise ValueError(f"{type(self).__name__} does not support string padding")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype, output_padding)

    def _output_padding(self, input: Tensor, output_size: Optional[Any]) -> Tuple[int, ...]:
        if output_size is None:
            return self.output_padding
        nd = self._nd
        output_size = list(output_size)[-nd:]
        pads = tuple((p, p) for p in self.padding)
        smallest = C.transposed_size(input.shape[-nd:], self.kernel_size, self.stride, pads,
                                     self.dilation, (0,) * nd)
        extra = []
        for want, small, s in zip(output_size, smallest, self.stride):
            if not small <= want < small + s:
                raise ValueError(f"requested an output size of {output_size}, but valid sizes "
                                 f"range from {smallest} to "
                                 f"{[m + s - 1 for m, s in zip(smallest, self.stride)]} "
                                 f"(for an input of {list(input.shape[-nd:])})")
            extra.append(want - small)
        return tuple(extra)

    def forward(self, input: Tensor, output_size: Optional[Any] = None) -> Tensor:
        fn = (C.conv_transpose1d, C.conv_transpose2d, C.conv_transpose3d)[self._nd - 1]
        return fn(input, self.weight, self.bias, self.stride, self.padding,
                  self._output_padding(input, output_size), self.groups, self.dilation)


class ConvTranspose1d(_ConvTranspose):
    """1-D transposed convolution; weight ``(C_in, C_out / groups, kW)``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.ConvTranspose1d(2, 3, 4, stride=2)(torch.zeros(1, 2, 5)).shape
    torch.Size([1, 3, 12])
    """
    _nd = 1


class ConvTranspose2d(_ConvTranspose):
    """2-D transposed convolution; weight ``(C_in, C_out / groups, kH, kW)``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.ConvTranspose2d(3, 4, 3, stride=2, output_padding=1)
    ConvTranspose2d(3, 4, kernel_size=(3, 3), stride=(2, 2), output_padding=(1, 1))
    """
    _nd = 2


class ConvTranspose3d(_ConvTranspose):
    """3-D transposed convolution.

    >>> import funcgrad.torch as torch
    >>> torch.nn.ConvTranspose3d(1, 1, 2)(torch.zeros(1, 1, 2, 2, 2)).shape
    torch.Size([1, 1, 3, 3, 3])
    """
    _nd = 3
