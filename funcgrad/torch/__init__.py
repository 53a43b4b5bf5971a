"""funcgrad.torch: a PyTorch-like facade over funcgrad's engine.

``import funcgrad.torch as torch`` runs PyTorch autograd tutorial code:
tensors with ``requires_grad``, ``.grad`` accumulation, ``backward``,
``grad_fn`` with PyTorch's names, ``no_grad``, ``detach``, in-place checks,
``torch.autograd`` (``grad``, ``Function``, ``Variable``, anomaly detection,
``gradcheck``). A tensor is a box of the facade's never-closing eager
trace; the gradients come from the same primitives and backward pass as
``funcgrad.grad``. See ``docs/facade.md``.

>>> import funcgrad.torch as torch
>>> x = torch.tensor(2.0, requires_grad=True)
>>> y = torch.tensor(2.0, requires_grad=True)
>>> f = x**2 + x * y + (x + y)**2
>>> f
tensor(24., grad_fn=<AddBackward0>)
>>> f.backward(); print(x.grad, y.grad)
tensor(14.) tensor(10.)
"""
from __future__ import annotations

from typing import Any

from ._dtype import (as_dtype as _as_dtype, bool, cdouble, cfloat, complex64, complex128, double,
                     dtype, float, float16, float32, float64, get_default_dtype, half, int,
                     int8, int16, int32, int64, long, set_default_dtype, short, uint8)
from ._grad_mode import (enable_grad, inference_mode, is_grad_enabled,
                         is_inference_mode_enabled, no_grad, set_grad_enabled)
from ._tensor import Size, Tensor
from ._printing import get_printoptions, printoptions, set_printoptions
from ._functions import (abs, absolute, add, all, allclose, amax, amin, any, argmax, argmin,
                         bmm, broadcast_to, cat, ceil, chunk, clamp, clamp_max, clamp_min, clip,
                         clone, concat, concatenate, conj, cos, cumsum, detach, diag, div,
                         divide, dot, eq, equal, exp, expand, expm1, flatten, flip, floor,
                         floor_divide, gather, ge, ger, greater, greater_equal, gt, imag,
                         is_complex, is_floating_point, is_tensor, isclose, isfinite, isinf,
                         isnan, le, less, less_equal, log, log1p, log2, log10, log_softmax,
                         logical_and, logical_not, logical_or, logsumexp, lt, masked_fill,
                         matmul, max, maximum, mean, min, minimum, mm, mul, multiply, mv,
                         narrow, ne, neg, negative, nonzero, norm, numel, outer, permute, pow,
                         prod, promote_types, real, reciprocal, relu, remainder, repeat,
                         reshape, result_type, round, rsqrt, rsub, sigmoid, sign, sin, softmax,
                         split, sqrt, square, squeeze, stack, std, sub, subtract, sum,
                         swapaxes, swapdims, t, tan, tanh, trace, transpose, true_divide,
                         trunc, unbind, unsqueeze, var, view, where, asin, arcsin, acos, arccos,
                         atan, arctan, sinh, cosh, asinh, arcsinh, acosh, arccosh, atanh,
                         arctanh, exp2, atan2, arctan2, sort, argsort, topk, index_select,
                         masked_select, einsum)
from ._device import device, get_default_device, set_default_device
from ._creation import (Generator, arange, as_tensor, default_generator, empty,
                        empty_like, eye, from_numpy, full, full_like, initial_seed, linspace,
                        manual_seed, normal, ones, ones_like, rand, rand_like, randint, randn,
                        randn_like, randperm, seed, tensor, zeros, zeros_like)
from . import autograd  # noqa: E402
from . import linalg  # noqa: E402
from .linalg import det, inv as inverse  # noqa: E402

# Legacy typed-tensor names used in old tutorials and by ``Tensor.type()``.
FloatTensor = DoubleTensor = LongTensor = Tensor

__all__ = [name for name in dir() if not name.startswith("_") and name != "annotations"]


def typename(obj: Any) -> str:
    """``torch.typename``: ``"torch.FloatTensor"`` for a float32 tensor.

    >>> import funcgrad.torch as torch
    >>> torch.typename(torch.ones(1))
    'torch.FloatTensor'
    """
    if isinstance(obj, Tensor):
        return obj.type()
    module = type(obj).__module__
    name = type(obj).__qualname__
    return name if module in (None, "builtins") else f"{module}.{name}"


def __getattr__(name: str) -> Any:
    # Submodules written on top of the Tensor (nn, optim) and save/load are
    # imported on first use, so that they can import this package freely.
    import importlib
    if name in ("nn", "optim", "serialization", "utils", "func", "cuda", "accelerator",
                "backends"):
        return importlib.import_module(f"{__name__}.{name}")
    if name in ("save", "load"):
        return getattr(importlib.import_module(f"{__name__}.serialization"), name)
    if name == "compile":
        return importlib.import_module(f"{__name__}._compile").compile
    raise AttributeError(f"module 'funcgrad.torch' has no attribute {name!r}")
