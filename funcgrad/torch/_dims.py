"""Dimension arguments of the facade: PyTorch's wrapping and its errors.

Every facade operation that takes a ``dim`` (``sum``, ``softmax``,
``gather``, ``permute``, ``nn.Softmax``, ...) normalises it here, so an
out-of-range dimension raises PyTorch's ``IndexError`` everywhere instead of
wrapping around (``dim % ndim``) into a silently wrong result. A 0-d tensor
accepts ``0`` and ``-1``, as in PyTorch.

>>> wrap_dim(-1, 2)
1
>>> wrap_dim(5, 2)
Traceback (most recent call last):
    ...
IndexError: Dimension out of range (expected to be in range of [-2, 1], but got 5)
>>> wrap_dim(1, 0)
Traceback (most recent call last):
    ...
IndexError: Dimension out of range (expected to be in range of [-1, 0], but got 1)
>>> wrap_dims((0, -2), 2)
Traceback (most recent call last):
    ...
RuntimeError: dim 0 appears multiple times in the list of dims
"""
from __future__ import annotations

import operator
from typing import Any, Iterable, Tuple

__all__ = ["wrap_dim", "wrap_dims", "dim_list"]


def wrap_dim(dim: Any, ndim: int, scalar: bool = True) -> int:
    """``dim`` as an index in ``range(max(ndim, 1))``; PyTorch's
    ``IndexError`` when it is outside ``[-ndim, ndim - 1]`` (``[-1, 0]`` for
    a 0-d tensor, or always an error with ``scalar=False``, as
    ``Tensor.size`` and ``linalg.cross`` have). Pass ``ndim + 1`` for a
    dimension to be inserted (``unsqueeze``, ``stack``).

    >>> wrap_dim(0, 0, scalar=False)
    Traceback (most recent call last):
        ...
    IndexError: Dimension specified as 0 but tensor has no dimensions
    """
    d = operator.index(dim)  # TypeError for floats, as PyTorch
    if ndim <= 0 and not scalar:
        raise IndexError(f"Dimension specified as {d} but tensor has no dimensions")
    n = ndim if ndim > 0 else 1
    if not -n <= d < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {d})")
    return d + n if d < 0 else d


def dim_list(dims: Any) -> Tuple[Any, ...]:
    """An int or a sequence of ints as a tuple (``flip(0)``, ``flip([0, 1])``)."""
    if isinstance(dims, (list, tuple)):
        return tuple(dims)
    return (dims,)


def wrap_dims(dims: Iterable[Any], ndim: int) -> Tuple[int, ...]:
    """Each of ``dims`` wrapped by :func:`wrap_dim`; PyTorch's
    ``RuntimeError`` when one dimension appears twice."""
    out = tuple(wrap_dim(d, ndim) for d in dims)
    if len(set(out)) != len(out):
        seen = set()
        for d in out:
            if d in seen:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
            seen.add(d)
    return out
