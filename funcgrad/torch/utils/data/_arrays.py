"""Plain-data views of facade tensors for the data pipeline.

Data loading moves values, never gradients, so a tensor that does not
require grad is handled as the NumPy array it holds: selecting a sample is
NumPy indexing wrapped back into a tensor (a view sharing the version
counter, as ``t[i]`` is), and collating is one ``np.stack``. Tensors that
require grad go through the facade's ops and keep their graph.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from ..._tensor import Tensor

__all__ = ["plain_array", "select", "stack"]


def plain_array(t: Any) -> Optional[np.ndarray]:
    """The array of a plain (not grad-requiring, eager) :class:`Tensor`, else None."""
    if type(t) is Tensor and t._node is None:
        v = t._value
        if type(v) is np.ndarray:
            return v
    return None


def select(t: Any, index: Any) -> Any:
    """``t[index]``; for a plain tensor and an integer index, by NumPy directly.

    >>> import funcgrad.torch as torch
    >>> select(torch.arange(6).reshape(3, 2), 1), select(torch.arange(3), -1)
    (tensor([2, 3]), tensor(2))
    """
    if type(t) is Tensor and t._node is None and type(index) is int:
        v = t._value
        if type(v) is np.ndarray and v.ndim:
            # a view (0-d for an element of a 1-d tensor), sharing the version counter
            return Tensor._wrap(v[index, ...], None, t._version_counter)
    return t[index]


def stack(tensors: Sequence[Any]) -> Any:
    """``torch.stack(tensors, 0)``; one NumPy copy when no tensor requires grad
    and all have the same shape and dtype.

    >>> import funcgrad.torch as torch
    >>> stack([torch.ones(2), torch.zeros(2)])
    tensor([[1., 1.],
            [0., 0.]])
    """
    arrays = [plain_array(t) for t in tensors]
    first = arrays[0]
    if first is None or not all(a is not None and a.shape == first.shape
                                and a.dtype == first.dtype for a in arrays):
        import funcgrad.torch as torch
        return torch.stack(list(tensors), 0)
    return Tensor._wrap(np.array(arrays), None)
