"""Matrix and vector products: matmul, dot and friends."""
from __future__ import annotations

import numpy as np

from ._registry import primitive
from .shaping import swapaxes

F = "linalg"


def _mT(x):
    return swapaxes(x, -1, -2)


def _matmul_lhs(g, ans, a, b):
    if len(b.shape) == 1:
        if len(a.shape) == 1:
            return g * b
        return expand(g, -1) * b
    if len(a.shape) == 1:
        return squeeze_last(matmul(b, expand(g, -1)))
    return matmul(g, _mT(b))


def _matmul_rhs(g, ans, a, b):
    if len(a.shape) == 1:
        if len(b.shape) == 1:
            return g * a
        return expand(a, -1) * expand(g, -2)
    if len(b.shape) == 1:
        return squeeze_last(matmul(_mT(a), expand(g, -1)))
    return matmul(_mT(a), g)


def expand(x, axis):
    from .shaping import reshape
    shape = list(x.shape)
    shape.insert(axis % (len(shape) + 1), 1)
    return reshape(x, tuple(shape))


def squeeze_last(x):
    from .shaping import reshape
    return reshape(x, tuple(x.shape[:-1]))


matmul = primitive("matmul", np.matmul, _matmul_lhs, _matmul_rhs, family=F,
                   notes="Any ranks, with NumPy's 1-d promotion and batch broadcasting.")
