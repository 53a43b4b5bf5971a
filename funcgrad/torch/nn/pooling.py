"""Pooling layers: ``MaxPool1d/2d/3d``, ``AvgPool1d/2d/3d``,
``AdaptiveAvgPool1d/2d``, ``AdaptiveMaxPool1d/2d`` (PyTorch's arguments and reprs).

>>> import funcgrad.torch as torch
>>> pool = torch.nn.MaxPool2d(2)
>>> pool
MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
>>> pool(torch.zeros(1, 3, 8, 8)).shape
torch.Size([1, 3, 4, 4])
"""
from __future__ import annotations

from typing import Any, Optional

from . import _convolution as C
from .module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
           "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d"]

Tensor = Any


class _MaxPoolNd(Module):
    _fn = None

    def __init__(self, kernel_size: Any, stride: Optional[Any] = None, padding: Any = 0,
                 dilation: Any = 1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Any:
        return type(self)._fn(input, self.kernel_size, self.stride, self.padding, self.dilation,
                              ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """Max pooling over ``(N, C, L)`` or ``(C, L)``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.MaxPool1d(2, return_indices=True)(torch.tensor([[1.0, 3.0, 2.0, 0.0]]))
    (tensor([[3., 2.]]), tensor([[1, 2]]))
    """
    _fn = staticmethod(C.max_pool1d)


class MaxPool2d(_MaxPoolNd):
    """Max pooling over ``(N, C, H, W)`` or ``(C, H, W)``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.MaxPool2d(3, stride=2, ceil_mode=True)(torch.zeros(1, 1, 6, 6)).shape
    torch.Size([1, 1, 3, 3])
    """
    _fn = staticmethod(C.max_pool2d)


class MaxPool3d(_MaxPoolNd):
    """Max pooling over ``(N, C, D, H, W)`` or ``(C, D, H, W)``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.MaxPool3d(2)(torch.zeros(1, 1, 4, 4, 4)).shape
    torch.Size([1, 1, 2, 2, 2])
    """
    _fn = staticmethod(C.max_pool3d)


class AvgPool1d(Module):
    """Average pooling over ``(N, C, L)`` or ``(C, L)``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.AvgPool1d(2)
    AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))
    """

    def __init__(self, kernel_size: Any, stride: Optional[Any] = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size = C.ntuple(kernel_size, 1, "kernel_size")
        self.stride = C.ntuple(stride if stride is not None else kernel_size, 1, "stride")
        self.padding = C.ntuple(padding, 1, "padding")
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return C.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AvgPoolNd(Module):
    _fn = None

    def __init__(self, kernel_size: Any, stride: Optional[Any] = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: Optional[int] = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return type(self)._fn(input, self.kernel_size, self.stride, self.padding,
                              self.ceil_mode, self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_AvgPoolNd):
    """Average pooling over ``(N, C, H, W)`` or ``(C, H, W)``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)
    AvgPool2d(kernel_size=3, stride=2, padding=1)
    """
    _fn = staticmethod(C.avg_pool2d)


class AvgPool3d(_AvgPoolNd):
    """Average pooling over ``(N, C, D, H, W)`` or ``(C, D, H, W)``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.AvgPool3d(2)(torch.ones(1, 1, 2, 2, 2))
    tensor([[[[[1.]]]]])
    """
    _fn = staticmethod(C.avg_pool3d)


class _AdaptivePool(Module):
    _fn = None

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size = output_size
        if return_indices:
            self.return_indices = return_indices

    def forward(self, input: Tensor) -> Any:
        if hasattr(self, "return_indices"):
            return type(self)._fn(input, self.output_size, self.return_indices)
        return type(self)._fn(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptivePool):
    """Average over ``output_size`` adaptive bins of ``(N, C, L)``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.AdaptiveAvgPool1d(2)(torch.tensor([[1.0, 2.0, 3.0, 4.0]]))
    tensor([[1.5000, 3.5000]])
    """
    _fn = staticmethod(C.adaptive_avg_pool1d)

    def __init__(self, output_size: Any) -> None:
        super().__init__(output_size)


class AdaptiveAvgPool2d(_AdaptivePool):
    """Average over adaptive bins of ``(N, C, H, W)``; ``(1, 1)`` is global pooling.

    >>> import funcgrad.torch as torch
    >>> torch.nn.AdaptiveAvgPool2d((1, 1))(torch.ones(2, 3, 5, 5)).shape
    torch.Size([2, 3, 1, 1])
    """
    _fn = staticmethod(C.adaptive_avg_pool2d)

    def __init__(self, output_size: Any) -> None:
        super().__init__(output_size)


class AdaptiveMaxPool1d(_AdaptivePool):
    """Maximum over ``output_size`` adaptive bins of ``(N, C, L)``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.AdaptiveMaxPool1d(1)(torch.tensor([[1.0, 4.0, 2.0]]))
    tensor([[4.]])
    """
    _fn = staticmethod(C.adaptive_max_pool1d)

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = return_indices


class AdaptiveMaxPool2d(_AdaptivePool):
    """Maximum over adaptive bins of ``(N, C, H, W)``.

    >>> import funcgrad.torch as torch
    >>> torch.nn.AdaptiveMaxPool2d(2)
    AdaptiveMaxPool2d(output_size=2)
    """
    _fn = staticmethod(C.adaptive_max_pool2d)

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = return_indices
