"""Flattening a pytree into one vector and back (``jax.flatten_util``).

>>> import numpy as np
>>> from funcgrad.flatten_util import ravel_pytree
>>> flat, unravel = ravel_pytree({"w": np.ones((2, 2)), "b": np.float32(3.0)})
>>> flat
array([3., 1., 1., 1., 1.])
>>> unravel(flat)["b"].dtype
dtype('float32')
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import numpy as fnp
from .numpy._registry import dtype_of, shape_of
from .tree_util import tree_flatten, tree_unflatten

__all__ = ["ravel_pytree"]


def ravel_pytree(pytree: Any) -> tuple[Any, Callable[[Any], Any]]:
    """``(flat, unravel)``: the leaves of ``pytree`` raveled and concatenated into
    one 1-D array of their common dtype (``numpy.result_type``), and the
    function that rebuilds a pytree of the same structure from such a vector,
    each leaf with its own shape and dtype again. Works on traced values in
    both directions, so gradients flow through it.

    >>> import funcgrad, numpy as np
    >>> params = (np.array([1.0, 2.0]), {"s": np.array(3.0)})
    >>> flat, unravel = ravel_pytree(params)
    >>> funcgrad.grad(lambda p: np.sum(ravel_pytree(p)[0] ** 2))(params)[1]
    {'s': array(6.)}
    """
    leaves, treedef = tree_flatten(pytree)
    shapes = [tuple(shape_of(x)) for x in leaves]
    dtypes = [dtype_of(x) for x in leaves]
    sizes = [int(np.prod(s, dtype=np.int64)) for s in shapes]
    common = np.result_type(*dtypes) if dtypes else np.dtype(np.float64)
    if leaves:
        flat = fnp.concatenate([fnp.ravel(fnp.astype(x, common) if d != common else x)
                                for x, d in zip(leaves, dtypes)])
    else:
        flat = np.zeros(0, common)
    total = sum(sizes)
    offsets = np.cumsum([0] + sizes)

    def unravel(vector: Any) -> Any:
        if tuple(shape_of(vector)) != (total,):
            raise ValueError(f"unravel: expected a vector of shape ({total},), got shape "
                             f"{tuple(shape_of(vector))}")
        parts = []
        for lo, size, shape, d in zip(offsets[:-1], sizes, shapes, dtypes):
            piece = fnp.reshape(vector[int(lo):int(lo) + size], shape)
            parts.append(fnp.astype(piece, d) if dtype_of(piece) != d else piece)
        return tree_unflatten(treedef, parts)

    return flat, unravel
