"""``F.conv1d/2d/3d``, ``F.conv_transpose1d/2d/3d``, ``F.pad`` and the pooling
functions, on the kernels of :mod:`funcgrad.torch.nn._kernels`, with
PyTorch's argument handling and error messages.

>>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
>>> x = torch.arange(16.0).reshape(1, 1, 4, 4)
>>> F.max_pool2d(x, 2)
tensor([[[[ 5.,  7.],
          [13., 15.]]]])
>>> F.conv2d(x, torch.ones(1, 1, 3, 3), padding="same").shape
torch.Size([1, 1, 4, 4])
"""
from __future__ import annotations

import math
from typing import Any, List, Optional, Sequence, Tuple, Union

import numpy as np

import funcgrad.torch as torch

from . import _kernels as K
from ..._core.primitive import Box
from .._functions import np_dtype as _np_dtype, values as _values

Tensor = Any
IntOrTuple = Union[int, Sequence[int]]

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "pad", "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d",
           "avg_pool2d", "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "max_pool1d_with_indices",
           "max_pool2d_with_indices", "adaptive_max_pool2d_with_indices"]


def ntuple(value: IntOrTuple, n: int, name: str = "argument") -> Tuple[int, ...]:
    """``value`` repeated ``n`` times if it is one int, else checked to hold ``n`` ints."""
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    out = tuple(int(v) for v in value)
    if len(out) == 1 and n > 1:
        return out * n
    if len(out) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} "
                           f"values to match the convolution dimensions, but got "
                           f"{name}={list(out)}")
    return out


def _sizes(shape: Sequence[int]) -> str:
    return " x ".join(str(s) for s in shape)


def _batched(input: Tensor, nd: int, name: str) -> Tuple[Tensor, bool]:
    """``input`` with a batch dimension (added for an unbatched input), and
    whether one was added; PyTorch's message for any other rank."""
    if input.dim() == nd + 2:
        return input, False
    if input.dim() == nd + 1:
        return input.unsqueeze(0), True
    raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, "
                       f"but got input of size: {list(input.shape)}")


# --- convolution ------------------------------------------------------------------------------
def _same_padding(kernel, dilation) -> K.Pads:
    pads = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def conv_padding(padding: Union[str, IntOrTuple], nd: int, kernel, stride,
                 dilation, error: type = RuntimeError) -> K.Pads:
    """``padding`` (an int, a tuple, ``"valid"`` or ``"same"``) as (low, high) pairs."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * nd
        if padding == "same":
            if any(s != 1 for s in stride):
                raise error("padding='same' is not supported for strided convolutions")
            return _same_padding(kernel, dilation)
        if error is ValueError:
            raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                             "{'valid', 'same'}")
        raise RuntimeError(f"Invalid padding string: {padding!r}")
    return tuple((p, p) for p in ntuple(padding, nd, "padding"))


def _check_conv(input: Tensor, weight: Tensor, nd: int, groups: int, name: str,
                transposed: bool = False) -> Tuple[Tensor, bool]:
    if weight.dim() != nd + 2:
        raise RuntimeError(f"weight should have at least three dimensions")
    x, squeeze = _batched(input, nd, name)
    channels = x.shape[1]
    expected = weight.shape[0] if transposed else weight.shape[1] * groups
    if channels != expected:
        if transposed:
            raise RuntimeError(
                f"Given transposed=1, weight of size {list(weight.shape)}, expected "
                f"input{list(x.shape)} to have {weight.shape[0]} channels, but got "
                f"{channels} channels instead")
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
            f"input{list(x.shape)} to have {expected} channels, but got {channels} "
            f"channels instead")
    if x.dtype != weight.dtype:
        raise RuntimeError(f"Input type ({_type_name(x.dtype)}) and weight type "
                           f"({_type_name(weight.dtype)}) should be the same")
    return x, squeeze


def _type_name(dtype: Any) -> str:
    return {"float32": "float", "float64": "double", "float16": "half"}.get(
        str(dtype).replace("torch.", ""), str(dtype))


def _conv(nd: int, name: str, input: Tensor, weight: Tensor, bias: Optional[Tensor],
          stride: IntOrTuple, padding: Union[str, IntOrTuple], dilation: IntOrTuple,
          groups: int) -> Tensor:
    x, squeeze = _check_conv(input, weight, nd, groups, name)
    stride = ntuple(stride, nd, "stride")
    dilation = ntuple(dilation, nd, "dilation")
    kernel = tuple(weight.shape[2:])
    pads = conv_padding(padding, nd, kernel, stride, dilation)
    padded = [s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pads)]
    effective = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    if any(p < e for p, e in zip(padded, effective)):
        raise RuntimeError(f"Calculated padded input size per channel: ({_sizes(padded)}). "
                           f"Kernel size: ({_sizes(effective)}). Kernel size can't be greater "
                           "than actual input size")
    y = K.conv(x, weight, bias, stride=stride, padding=pads, dilation=dilation, groups=groups)
    return y.squeeze(0) if squeeze else y


def conv1d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None,
           stride: IntOrTuple = 1, padding: Union[str, IntOrTuple] = 0,
           dilation: IntOrTuple = 1, groups: int = 1) -> Tensor:
    """1-D convolution (cross-correlation) of ``(N, C_in, L)`` or ``(C_in, L)``
    with a ``(C_out, C_in / groups, kW)`` weight (``ConvolutionBackward0``).

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.conv1d(torch.tensor([[[1.0, 2.0, 3.0]]]), torch.tensor([[[1.0, -1.0]]]))
    tensor([[[-1., -1.]]])
    """
    return _conv(1, "conv1d", input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None,
           stride: IntOrTuple = 1, padding: Union[str, IntOrTuple] = 0,
           dilation: IntOrTuple = 1, groups: int = 1) -> Tensor:
    """2-D convolution of ``(N, C_in, H, W)`` or ``(C_in, H, W)`` with a
    ``(C_out, C_in / groups, kH, kW)`` weight; ``padding`` may be ``"same"``
    or ``"valid"``.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.conv2d(torch.ones(1, 1, 3, 3), torch.ones(1, 1, 2, 2), stride=2, padding=1)
    tensor([[[[1., 2.],
              [2., 4.]]]])
    """
    return _conv(2, "conv2d", input, weight, bias, stride, padding, dilation, groups)


def conv3d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None,
           stride: IntOrTuple = 1, padding: Union[str, IntOrTuple] = 0,
           dilation: IntOrTuple = 1, groups: int = 1) -> Tensor:
    """3-D convolution of ``(N, C_in, D, H, W)`` or ``(C_in, D, H, W)``.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.conv3d(torch.ones(1, 1, 2, 2, 2), torch.ones(1, 1, 2, 2, 2))
    tensor([[[[[8.]]]]])
    """
    return _conv(3, "conv3d", input, weight, bias, stride, padding, dilation, groups)


def transposed_size(size, kernel, stride, pads, dilation, output_padding) -> List[int]:
    return [(s - 1) * st - lo - hi + d * (k - 1) + op + 1
            for s, k, st, (lo, hi), d, op in zip(size, kernel, stride, pads, dilation,
                                                   output_padding)]


def _conv_transpose(nd: int, name: str, input: Tensor, weight: Tensor, bias: Optional[Tensor],
                    stride: IntOrTuple, padding: IntOrTuple, output_padding: IntOrTuple,
                    groups: int, dilation: IntOrTuple) -> Tensor:
    x, squeeze = _check_conv(input, weight, nd, groups, name, transposed=True)
    stride = ntuple(stride, nd, "stride")
    dilation = ntuple(dilation, nd, "dilation")
    output_padding = ntuple(output_padding, nd, "output_padding")
    pads = tuple((p, p) for p in ntuple(padding, nd, "padding"))
    for op, st, d in zip(output_padding, stride, dilation):
        if op >= st and op >= d:
            raise RuntimeError("output padding must be smaller than either stride or dilation, "
                               f"but got output_padding: {list(output_padding)}, stride: "
                               f"{list(stride)}, dilation: {list(dilation)}")
    kernel = tuple(weight.shape[2:])
    size = transposed_size(x.shape[2:], kernel, stride, pads, dilation, output_padding)
    if any(s <= 0 for s in size):
        raise RuntimeError(f"Given input size per channel: ({_sizes(x.shape[2:])}). Calculated "
                           f"output size per channel: ({_sizes(size)}). Output size is too small")
    # the transposed convolution is the input-adjoint of the convolution whose
    # weight has the in/out roles swapped: (C_in, C_out / g, *k) -> conv weight
    xshape = (x.shape[0], weight.shape[1] * groups) + tuple(size)
    y = K.conv_input(x, weight, xshape=xshape, stride=stride, padding=pads, dilation=dilation,
                     groups=groups)
    if bias is not None:
        y = y + bias.reshape(-1, *([1] * nd))
    return y.squeeze(0) if squeeze else y


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None,
                     stride: IntOrTuple = 1, padding: IntOrTuple = 0,
                     output_padding: IntOrTuple = 0, groups: int = 1,
                     dilation: IntOrTuple = 1) -> Tensor:
    """1-D transposed convolution ("deconvolution") with a
    ``(C_in, C_out / groups, kW)`` weight: the adjoint of ``conv1d``.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.conv_transpose1d(torch.tensor([[[1.0, 2.0]]]), torch.tensor([[[1.0, 1.0]]]))
    tensor([[[1., 3., 2.]]])
    """
    return _conv_transpose(1, "conv_transpose1d", input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None,
                     stride: IntOrTuple = 1, padding: IntOrTuple = 0,
                     output_padding: IntOrTuple = 0, groups: int = 1,
                     dilation: IntOrTuple = 1) -> Tensor:
    """2-D transposed convolution with a ``(C_in, C_out / groups, kH, kW)`` weight.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.conv_transpose2d(torch.ones(1, 1, 2, 2), torch.ones(1, 1, 2, 2), stride=2).shape
    torch.Size([1, 1, 4, 4])
    """
    return _conv_transpose(2, "conv_transpose2d", input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None,
                     stride: IntOrTuple = 1, padding: IntOrTuple = 0,
                     output_padding: IntOrTuple = 0, groups: int = 1,
                     dilation: IntOrTuple = 1) -> Tensor:
    """3-D transposed convolution.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.conv_transpose3d(torch.ones(1, 1, 1, 1, 1), torch.ones(1, 2, 2, 2, 2)).shape
    torch.Size([1, 2, 2, 2, 2])
    """
    return _conv_transpose(3, "conv_transpose3d", input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


# --- padding ----------------------------------------------------------------------------------
_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def _pad_index(size: int, lo: int, hi: int, mode: str) -> np.ndarray:
    pos = np.arange(-lo, size + hi)
    if mode == "reflect":
        if lo >= size or hi >= size:
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({lo}, {hi}) at dimension "
                               f"of input {size}")
        period = 2 * (size - 1)
        pos = np.abs(pos) % period if period else np.zeros_like(pos)
        return np.where(pos >= size, period - pos, pos)
    if mode == "replicate":
        return np.clip(pos, 0, size - 1)
    if lo > size or hi > size:
        raise RuntimeError("Padding value causes wrapping around more than once.")
    return pos % size


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant",
        value: Optional[float] = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dimensions, ``pad`` listing (left, right)
    pairs from the last dimension backwards, as PyTorch does. ``"constant"``
    (negative amounts crop), ``"reflect"``, ``"replicate"``, ``"circular"``.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.pad(torch.tensor([[1.0, 2.0, 3.0]]), (2, 1), mode="reflect")
    tensor([[3., 2., 1., 2., 3., 2.]])
    >>> F.pad(torch.tensor([1.0, 2.0]), (1, 1), value=9.0)
    tensor([9., 1., 2., 9.])
    """
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    n = len(pad) // 2
    if n > input.dim():
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           "dimension but got padding length {} and input of dimension {}"
                           .format(len(pad), input.dim()))
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if mode != "constant":
        if value is not None and value != 0:
            raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
        if n > 3 or input.dim() not in (n + 1, n + 2):
            raise NotImplementedError(
                f"Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now")
    out = input
    for i in range(n):
        dim = input.dim() - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        if lo == 0 and hi == 0:
            continue
        size = out.shape[dim]
        if mode == "constant":
            out = _constant_pad(out, dim, lo, hi, 0.0 if value is None else value)
        else:
            idx = torch.from_numpy(_pad_index(size, lo, hi, mode))
            out = out.index_select(dim, idx)
    return out


def _constant_pad(x: Tensor, dim: int, lo: int, hi: int, value: float) -> Tensor:
    size = x.shape[dim]
    if lo < 0 or hi < 0:
        x = x.narrow(dim, max(-lo, 0), size - max(-lo, 0) - max(-hi, 0))
        lo, hi = max(lo, 0), max(hi, 0)
    parts = []
    shape = list(x.shape)
    if lo:
        shape[dim] = lo
        parts.append(torch.full(shape, value, dtype=x.dtype))
    parts.append(x)
    if hi:
        shape[dim] = hi
        parts.append(torch.full(shape, value, dtype=x.dtype))
    return torch.cat(parts, dim) if len(parts) > 1 else x


# --- pooling ----------------------------------------------------------------------------------
def _pool_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    num = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _pool_args(nd: int, input: Tensor, kernel_size, stride, padding, dilation, ceil_mode,
               name: str, max_pool: bool):
    if input.dim() not in (nd + 1, nd + 2) or input.numel() == 0 and input.dim() == nd + 1:
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for "
                           "input")
    x, squeeze = (input.unsqueeze(0), True) if input.dim() == nd + 1 else (input, False)
    kernel = ntuple(kernel_size, nd, "kernel_size")
    stride = kernel if stride is None or (not isinstance(stride, int) and len(stride) == 0) \
        else ntuple(stride, nd, "stride")
    padding = ntuple(padding, nd, "padding")
    dilation = ntuple(dilation, nd, "dilation")
    for k, p, d in zip(kernel, padding, dilation):
        if max_pool and p > ((k - 1) * d + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={d}")
        if not max_pool and p > k // 2:
            raise RuntimeError(f"pad should be at most half of kernel size, but got pad={p} and "
                               f"kernel_size={k}")
    size = tuple(x.shape[2:])
    out = tuple(_pool_size(*a, ceil_mode) for a in zip(size, kernel, stride, padding, dilation))
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Given input size: ({'x'.join(str(s) for s in x.shape[1:])}). "
                           f"Calculated output size: ({'x'.join(str(s) for s in (x.shape[1],) + out)}). "
                           "Output size is too small")
    # the padding (low, high): the high side grows so that the ceil-mode windows fit
    pads = tuple((p, max(0, (o - 1) * s + d * (k - 1) + 1 - sz - p))
                 for sz, k, s, p, d, o in zip(size, kernel, stride, padding, dilation, out))
    return x, squeeze, kernel, stride, padding, dilation, pads


def _max_pool(nd: int, input: Tensor, kernel_size, stride, padding, dilation, ceil_mode,
              return_indices: bool, name: str):
    x, squeeze, kernel, stride, _, dilation, pads = _pool_args(
        nd, input, kernel_size, stride, padding, dilation, ceil_mode, name, True)
    v = _values(x)
    if isinstance(v, Box):  # (batched by vmap or staged by jit: the primitive)
        idx = indices = K.pool_argmax(v, kernel=kernel, stride=stride, padding=pads,
                                       dilation=dilation)
    else:
        idx = K.max_pool_indices(v, kernel, stride, pads, dilation)
        indices = torch.from_numpy(idx)
    y = K.take_planes(x, idx)
    if squeeze:
        y, indices = y.squeeze(0), indices.squeeze(0)
    return (y, indices) if return_indices else y


def _np(x: Any) -> np.ndarray:
    while hasattr(x, "_value"):
        x = x._value
    return np.asarray(x)


def max_pool1d_with_indices(input: Tensor, kernel_size: IntOrTuple,
                            stride: Optional[IntOrTuple] = None, padding: IntOrTuple = 0,
                            dilation: IntOrTuple = 1, ceil_mode: bool = False,
                            return_indices: bool = True):
    """:func:`max_pool1d` returning ``(values, indices)``.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.max_pool1d_with_indices(torch.tensor([[1.0, 3.0, 2.0, 0.0]]), 2)
    (tensor([[3., 2.]]), tensor([[1, 2]]))
    """
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices, "max_pool1d")


def max_pool1d(input: Tensor, kernel_size: IntOrTuple, stride: Optional[IntOrTuple] = None,
               padding: IntOrTuple = 0, dilation: IntOrTuple = 1, ceil_mode: bool = False,
               return_indices: bool = False):
    """Maximum over sliding windows of ``(N, C, L)`` or ``(C, L)``; ``stride``
    defaults to ``kernel_size``; ``return_indices`` also gives each maximum's
    flat position in its input plane.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.max_pool1d(torch.tensor([[1.0, 3.0, 2.0]]), 2, ceil_mode=True)
    tensor([[3., 2.]])
    """
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices, "max_pool1d")


def max_pool2d_with_indices(input: Tensor, kernel_size: IntOrTuple,
                            stride: Optional[IntOrTuple] = None, padding: IntOrTuple = 0,
                            dilation: IntOrTuple = 1, ceil_mode: bool = False,
                            return_indices: bool = True):
    """:func:`max_pool2d` returning ``(values, indices)``.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.max_pool2d_with_indices(torch.arange(4.0).reshape(1, 2, 2), 2)[1]
    tensor([[[3]]])
    """
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices, "max_pool2d")


def max_pool2d(input: Tensor, kernel_size: IntOrTuple, stride: Optional[IntOrTuple] = None,
               padding: IntOrTuple = 0, dilation: IntOrTuple = 1, ceil_mode: bool = False,
               return_indices: bool = False):
    """Maximum over sliding windows of ``(N, C, H, W)`` or ``(C, H, W)``.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.max_pool2d(torch.arange(9.0).reshape(1, 3, 3), 2, stride=1)
    tensor([[[4., 5.],
             [7., 8.]]])
    """
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices, "max_pool2d")


def max_pool3d(input: Tensor, kernel_size: IntOrTuple, stride: Optional[IntOrTuple] = None,
               padding: IntOrTuple = 0, dilation: IntOrTuple = 1, ceil_mode: bool = False,
               return_indices: bool = False):
    """Maximum over sliding windows of ``(N, C, D, H, W)`` or ``(C, D, H, W)``.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.max_pool3d(torch.arange(8.0).reshape(1, 2, 2, 2), 2)
    tensor([[[[7.]]]])
    """
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices, "max_pool3d")


def _avg_pool(nd: int, input: Tensor, kernel_size, stride, padding, ceil_mode: bool,
              count_include_pad: bool, divisor_override: Optional[int], name: str) -> Tensor:
    x, squeeze, kernel, stride, padding, _, pads = _pool_args(
        nd, input, kernel_size, stride, padding, 1, ceil_mode, name, False)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    size = tuple(x.shape[2:])
    extra = tuple(hi - p for (lo, hi), p in zip(pads, padding))
    sym = tuple((p, p) for p in padding)
    divisor = K.avg_divisor(size, kernel, stride, sym, extra, count_include_pad,
                            divisor_override).astype(_np_dtype(x))
    y = K.avg_pool(x, divisor, kernel=kernel, stride=stride, padding=pads)
    return y.squeeze(0) if squeeze else y


def avg_pool1d(input: Tensor, kernel_size: IntOrTuple, stride: Optional[IntOrTuple] = None,
               padding: IntOrTuple = 0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """Mean over sliding windows of ``(N, C, L)``; ``count_include_pad``
    counts the zero padding in the divisor.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.avg_pool1d(torch.tensor([[1.0, 2.0, 3.0]]), 2, stride=1, padding=1)
    tensor([[0.5000, 1.5000, 2.5000, 1.5000]])
    """
    return _avg_pool(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     None, "avg_pool1d")


def avg_pool2d(input: Tensor, kernel_size: IntOrTuple, stride: Optional[IntOrTuple] = None,
               padding: IntOrTuple = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: Optional[int] = None) -> Tensor:
    """Mean over sliding windows of ``(N, C, H, W)`` or ``(C, H, W)``.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.avg_pool2d(torch.arange(4.0).reshape(1, 2, 2), 2)
    tensor([[[1.5000]]])
    """
    return _avg_pool(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, "avg_pool2d")


def avg_pool3d(input: Tensor, kernel_size: IntOrTuple, stride: Optional[IntOrTuple] = None,
               padding: IntOrTuple = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: Optional[int] = None) -> Tensor:
    """Mean over sliding windows of ``(N, C, D, H, W)`` or ``(C, D, H, W)``.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.avg_pool3d(torch.arange(8.0).reshape(1, 2, 2, 2), 2)
    tensor([[[[3.5000]]]])
    """
    return _avg_pool(3, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, "avg_pool3d")


# --- adaptive pooling -------------------------------------------------------------------------
def _adaptive_out(nd: int, input: Tensor, output_size, name: str) -> Tuple[Tensor, bool, tuple]:
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got "
                           f"{list(input.shape)}")
    x, squeeze = (input.unsqueeze(0), True) if input.dim() == nd + 1 else (input, False)
    if isinstance(output_size, (int, np.integer)) or output_size is None:
        output_size = (output_size,) * nd
    out = tuple(x.shape[2 + i] if o is None else int(o) for i, o in enumerate(output_size))
    if len(out) != nd:
        raise RuntimeError(f"{name}: output_size must be {nd}")
    return x, squeeze, out


def _bins(size: int, out: int) -> Tuple[np.ndarray, np.ndarray]:
    i = np.arange(out)
    return (i * size) // out, -((-(i + 1) * size) // out)


def adaptive_avg_pool_matrix(size: int, out: int, dtype: Any) -> np.ndarray:
    """The ``(out, size)`` averaging matrix of PyTorch's adaptive bins."""
    start, end = _bins(size, out)
    pos = np.arange(size)
    inside = (pos >= start[:, None]) & (pos < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def _adaptive_avg(nd: int, input: Tensor, output_size, name: str) -> Tensor:
    x, squeeze, out = _adaptive_out(nd, input, output_size, name)
    y = x
    for i in range(nd):  # one matrix product per spatial dimension
        m = adaptive_avg_pool_matrix(x.shape[2 + i], out[i], _np_dtype(x))
        y = torch.matmul(y.transpose(2 + i, -1), torch.from_numpy(m.T)).transpose(2 + i, -1)
    return y.squeeze(0) if squeeze else y


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """Mean over ``output_size`` adaptive bins of the last dimension.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.adaptive_avg_pool1d(torch.tensor([[1.0, 2.0, 3.0]]), 2)
    tensor([[1.5000, 2.5000]])
    """
    return _adaptive_avg(1, input, output_size, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Mean over adaptive bins (``output_size`` an int, a pair, ``None`` keeps a size).

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.adaptive_avg_pool2d(torch.arange(4.0).reshape(1, 2, 2), 1)
    tensor([[[1.5000]]])
    """
    return _adaptive_avg(2, input, output_size, "adaptive_avg_pool2d")


def _adaptive_max(nd: int, input: Tensor, output_size, return_indices: bool, name: str):
    x, squeeze, out = _adaptive_out(nd, input, output_size, name)
    v = _np(x)
    size = v.shape[2:]
    # gather every bin padded to the longest bin (padding entries repeat the
    # bin's last index and are masked to -inf), then argmax over the bins
    index, valid = [], []
    for i in range(nd):
        start, end = _bins(size[i], out[i])
        width = int((end - start).max())
        pos = start[:, None] + np.arange(width)
        valid.append(pos < end[:, None])
        index.append(np.minimum(pos, end[:, None] - 1))
    grids = np.ix_(*[ix.ravel() for ix in index])
    flat = np.ravel_multi_index(tuple(np.broadcast_arrays(*grids)), size)
    ok = np.ones((), bool)
    for m in valid:
        ok = np.multiply.outer(ok, m.ravel())
    shape = sum(((o, w) for o, w in zip(out, (ix.shape[1] for ix in index))), ())
    flat = flat.reshape(shape)
    ok = ok.reshape(shape)
    perm = tuple(range(0, 2 * nd, 2)) + tuple(range(1, 2 * nd, 2))
    flat = flat.transpose(perm).reshape(out + (-1,))
    ok = ok.transpose(perm).reshape(out + (-1,))
    planes = v.reshape(v.shape[:2] + (-1,))
    vals = planes[:, :, flat]
    vals = np.where(ok, np.where(np.isnan(vals), np.inf, vals), -np.inf)
    idx = np.take_along_axis(np.broadcast_to(flat, vals.shape),
                             np.argmax(vals, axis=-1)[..., None], axis=-1)[..., 0]
    idx = idx.astype(np.int64)
    y = K.take_planes(x, idx)
    indices = torch.from_numpy(idx)
    if squeeze:
        y, indices = y.squeeze(0), indices.squeeze(0)
    return (y, indices) if return_indices else y


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False):
    """Maximum over ``output_size`` adaptive bins of the last dimension.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.adaptive_max_pool1d(torch.tensor([[1.0, 5.0, 3.0]]), 2)
    tensor([[5., 5.]])
    """
    return _adaptive_max(1, input, output_size, return_indices, "adaptive_max_pool1d")


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False):
    """Maximum over adaptive bins of the last two dimensions.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.adaptive_max_pool2d(torch.arange(9.0).reshape(1, 3, 3), 2)
    tensor([[[4., 5.],
             [7., 8.]]])
    """
    return _adaptive_max(2, input, output_size, return_indices, "adaptive_max_pool2d")


def adaptive_max_pool2d_with_indices(input: Tensor, output_size: Any,
                                     return_indices: bool = True):
    """:func:`adaptive_max_pool2d` returning ``(values, indices)``.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.adaptive_max_pool2d_with_indices(torch.arange(4.0).reshape(1, 2, 2), 1)[1]
    tensor([[[3]]])
    """
    return _adaptive_max(2, input, output_size, return_indices, "adaptive_max_pool2d")
