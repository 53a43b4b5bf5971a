"""Small differentiable helpers shared by the linalg rules (built from
primitives of the other families, so rules that use them stay traceable)."""
from __future__ import annotations

from typing import Any

import numpy as np

from .._registry import dtype_of, shape_of
from ..products import _contract, conjugate, expand, fnp, reshape, swapaxes

F = "linalg"


def is_complex(x: Any) -> bool:
    return dtype_of(x).kind == "c"


def mT(x: Any) -> Any:
    """Swap the last two axes."""
    return swapaxes(x, -1, -2)


def mH(x: Any) -> Any:
    """Conjugate transpose of the last two axes."""
    return conjugate(mT(x)) if is_complex(x) else mT(x)


def conj(x: Any) -> Any:
    return conjugate(x) if is_complex(x) else x


def diagonal(x: Any) -> Any:
    """The main diagonal of the last two axes, ``(..., n, n) -> (..., n)``."""
    nd = len(shape_of(x))
    batch = tuple(range(2, nd))
    return _contract(x, ins=(batch + (0, 0),), out=batch + (0,))


def diag_embed(v: Any) -> Any:
    """``(..., n) -> (..., n, n)`` with ``v`` on the diagonal."""
    n = shape_of(v)[-1]
    return expand(v, -1) * np.eye(n, dtype=np.result_type(dtype_of(v), np.float16))


def tril(x: Any, k: int = 0) -> Any:
    """The lower triangle (``k``: diagonal offset) of the last two axes."""
    m, n = shape_of(x)[-2:]
    return fnp.where(np.tri(m, n, k, dtype=bool), x, 0.0)


def hermitian_part(a: Any, lower: bool = True) -> Any:
    """The Hermitian matrix LAPACK sees when it reads only one triangle of
    ``a`` (``lower``: the lower one), and the real part of the diagonal, as
    ``numpy.linalg.eigh``/``cholesky`` do. Its gradient therefore lands on
    that triangle only, exactly like the function NumPy computes."""
    if not lower:
        a = mT(a)
    n = shape_of(a)[-1]
    strict = tril(a, -1)
    diag = fnp.where(np.eye(n, dtype=bool), fnp.real(a) if is_complex(a) else a, 0.0)
    out = strict + mH(strict) + diag
    return out


def reciprocal_or_zero(x: Any) -> Any:
    """``1 / x`` with 0 where ``x == 0`` (no inf, no NaN, also in gradients)."""
    zero = fnp.equal(x, 0)
    return fnp.where(zero, 0.0, 1.0 / fnp.where(zero, 1.0, x))


def expand_reduced(g: Any, ndim: int, axis: Any, keepdims: bool) -> Any:
    """Re-insert the axes a reduction removed, so ``g`` broadcasts against its input."""
    if keepdims:
        return g
    if axis is None:
        return reshape(g, (1,) * ndim)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else axis
    shape = list(shape_of(g))
    for a in sorted(int(a) % ndim for a in axes):
        shape.insert(a, 1)
    return reshape(g, tuple(shape))


def eye_like(x: Any) -> np.ndarray:
    n = shape_of(x)[-1]
    return np.eye(n, dtype=dtype_of(x))


__all__ = ["mT", "mH", "conj", "diagonal", "diag_embed", "tril", "hermitian_part",
           "reciprocal_or_zero", "eye_like", "is_complex", "expand_reduced"]
