"""Distances, normalisation and resampling of ``funcgrad.torch.nn.functional``:
``normalize``, ``cosine_similarity``, ``pairwise_distance``, ``interpolate``
(composed from differentiable tensor operations; interpolation is one
matrix product per resized dimension).

>>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
>>> F.normalize(torch.tensor([[3.0, 4.0]]))
tensor([[0.6000, 0.8000]])
>>> F.interpolate(torch.tensor([[[1.0, 2.0]]]), scale_factor=2)
tensor([[[1., 1., 2., 2.]]])
"""
from __future__ import annotations

import math
from typing import Any, Optional, Sequence

import numpy as np

import funcgrad.torch as torch

Tensor = Any

__all__ = ["normalize", "cosine_similarity", "pairwise_distance", "interpolate"]


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Any = None) -> Tensor:
    """``input / max(||input||_p, eps)`` along ``dim``.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.normalize(torch.tensor([1.0, 1.0]), p=1, dim=0)
    tensor([0.5000, 0.5000])
    """
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps)
    return input / denom


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``x1 . x2 / (max(||x1||, eps) max(||x2||, eps))`` along ``dim`` (broadcasting).

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.cosine_similarity(torch.tensor([[1.0, 0.0]]), torch.tensor([[1.0, 1.0]]))
    tensor([0.7071])
    """
    n1 = x1.norm(2, dim, keepdim=True).clamp_min(eps)
    n2 = x2.norm(2, dim, keepdim=True).clamp_min(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` along the last dimension.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.pairwise_distance(torch.tensor([[3.0, 0.0]]), torch.tensor([[0.0, 4.0]]), eps=0.0)
    tensor([5.])
    """
    return (x1 - x2 + eps).norm(p, -1, keepdim=keepdim)


# --- interpolate ------------------------------------------------------------------------------
_MODES = {"nearest": None, "nearest-exact": None, "linear": 3, "bilinear": 4, "trilinear": 5}


def _nearest_matrix(size: int, out: int, scale: float, exact: bool) -> np.ndarray:
    dst = np.arange(out)
    src = np.floor((dst + 0.5) * scale) if exact else np.floor(dst * scale)
    src = np.minimum(src.astype(np.int64), size - 1)
    return (src[:, None] == np.arange(size)).astype(np.float64)


def _linear_matrix(size: int, out: int, scale: float, align_corners: bool) -> np.ndarray:
    dst = np.arange(out, dtype=np.float64)
    if align_corners:
        src = dst * ((size - 1) / (out - 1)) if out > 1 else np.zeros(out)
    else:
        src = np.maximum((dst + 0.5) * scale - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), size - 1)
    i1 = np.minimum(i0 + 1, size - 1)
    lam = src - i0
    m = np.zeros((out, size))
    np.add.at(m, (np.arange(out), i0), 1 - lam)
    np.add.at(m, (np.arange(out), i1), lam)
    return m


def interpolate(input: Tensor, size: Optional[Any] = None, scale_factor: Optional[Any] = None,
                mode: str = "nearest", align_corners: Optional[bool] = None,
                recompute_scale_factor: Optional[bool] = None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial dimensions of ``(N, C, *spatial)`` to ``size`` or by
    ``scale_factor``: ``"nearest"``, ``"nearest-exact"``, ``"linear"`` (3-D),
    ``"bilinear"`` (4-D), ``"trilinear"`` (5-D), with PyTorch's source-index
    rules (``align_corners``). Each resized dimension is one matrix product,
    so gradients follow.

    >>> import funcgrad.torch as torch, funcgrad.torch.nn.functional as F
    >>> F.interpolate(torch.tensor([[[0.0, 1.0]]]), size=4, mode="linear")
    tensor([[[0.0000, 0.2500, 0.7500, 1.0000]]])
    """
    if mode not in _MODES:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported "
                                  f"(got {input.dim()}D) for the modes: nearest | linear | "
                                  f"bilinear | bicubic | trilinear | area | nearest-exact "
                                  f"(got {mode})")
    if antialias:
        raise NotImplementedError("funcgrad's interpolate does not support antialias=True")
    need = _MODES[mode]
    if need is None:
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif input.dim() != need:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {need}D "
                                  "input")
    align = bool(align_corners)
    nd = input.dim() - 2
    if nd < 1:
        raise ValueError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                         f"{input.dim()}D) for the modes: nearest | linear | bilinear | bicubic "
                         f"| trilinear | area | nearest-exact (got {mode})")
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined" if size is not None
                         else "either size or scale_factor should be defined")
    sizes = input.shape[2:]
    if size is not None:
        out = [int(size)] * nd if isinstance(size, (int, np.integer)) else [int(s) for s in size]
        if len(out) != nd:
            raise ValueError(f"Input and output must have the same number of spatial dimensions,"
                             f" but got input with spatial dimensions of {list(sizes)} and "
                             f"output size of {out}. Please provide input tensor in (N, C, d1, "
                             "d2, ...,dK) format and output size in (o1, o2, ...,oK) format.")
        scales = [s / o for s, o in zip(sizes, out)]
    else:
        factors = ([float(scale_factor)] * nd if isinstance(scale_factor, (int, float))
                   else [float(f) for f in scale_factor])
        out = [int(math.floor(s * f)) for s, f in zip(sizes, factors)]
        scales = ([s / o for s, o in zip(sizes, out)] if recompute_scale_factor
                  else [1.0 / f for f in factors])
    y = input
    dtype = np.dtype(str(input.dtype).replace("torch.", ""))
    for i in range(nd):
        if out[i] == sizes[i] and (need is None or not align) and scales[i] == 1.0:
            continue
        if need is None:
            m = _nearest_matrix(sizes[i], out[i], scales[i], mode == "nearest-exact")
        else:
            m = _linear_matrix(sizes[i], out[i], scales[i], align)
        m = torch.from_numpy(m.T.astype(dtype))
        y = torch.matmul(y.transpose(2 + i, -1), m).transpose(2 + i, -1)
    return y
