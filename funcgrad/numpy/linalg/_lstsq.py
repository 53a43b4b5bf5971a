"""pinv, lstsq, matrix_rank, and numpy.linalg's array-API helpers
(matrix_transpose, diagonal, trace, cross).

The pseudo-inverse gradient is the Golub-Pereyra formula for constant rank,

    dP = -P dA P + P P^H dA^H (I - A P) + (I - P A) dA^H P^H P,

transposed under JAX's convention; ``lstsq``'s solution ``x = pinv(A) b``
reuses it.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import _compat
from .._jvp import defjvp_transposed

from .._dispatch import strip
from .._registry import dtype_of, joint_primitive, primitive, register, shape_of
from ..products import _contract, expand, fnp, matmul
from ._decomp import _svdvals
from ._util import F, conj, hermitian_part, is_complex, mH, mT

_NOVALUE = np._NoValue


def _pinv_vjp(a: Any, p: Any, c: Any) -> Any:
    """Cotangent of ``a`` for cotangent ``c`` of ``p = pinv(a)``."""
    m = shape_of(a)[-2]
    n = shape_of(a)[-1]
    eye_m = np.eye(m, dtype=dtype_of(a))
    eye_n = np.eye(n, dtype=dtype_of(a))
    pt = mT(p)
    ct = -matmul(matmul(pt, c), pt)
    ch = mH(c)
    m1 = matmul(p, mH(p))            # n x n
    m2 = eye_m - matmul(a, p)        # m x m
    ct = ct + matmul(matmul(conj(m2), ch), conj(m1))
    n1 = eye_n - matmul(p, a)        # n x n
    n2 = matmul(mH(p), p)            # m x m
    return ct + matmul(matmul(conj(n2), ch), conj(n1))


def _pinv_impl(a, rcond=None, hermitian=False, rtol=_NOVALUE):
    return _compat.pinv(a, rcond=rcond, hermitian=hermitian, rtol=rtol)


_pinv = primitive("pinv", _pinv_impl,
                  lambda g, ans, a, **kw: _pinv_vjp(a, ans, g),
                  family=F, register_as="linalg._pinv")


def pinv(a: Any, rcond: Any = None, hermitian: bool = False, *, rtol: Any = _NOVALUE) -> Any:
    """Differentiable ``numpy.linalg.pinv``. The gradient assumes the rank
    stays constant near ``a`` (singular values below the cutoff are zero).

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda m: fnp.sum(fnp.linalg.pinv(m)))(np.array([[2.0, 0.0], [0.0, 4.0]]))
    array([[-0.25  , -0.125 ],
           [-0.125 , -0.0625]])
    """
    if hermitian:
        a = hermitian_part(a, lower=True)
    return _pinv(a, rcond=rcond, hermitian=hermitian, rtol=rtol)


def _lstsq_x_impl(a, b, rcond=None):
    return np.linalg.lstsq(a, b, rcond=rcond)[0]


def _lstsq_x_rule(g, ans, a, b, rcond=None):
    # pinv with lstsq's own cutoff (rcond * largest singular value; default
    # eps * max(M, N)), so rank-deficient systems get the same minimum-norm x.
    m, n = shape_of(a)[-2:]
    eps = np.finfo(np.finfo(dtype_of(a)).dtype).eps
    cutoff = eps * max(m, n) if rcond is None or rcond < 0 else rcond
    p = _pinv(a, rtol=cutoff)
    b_bar = matmul(mT(p), g)
    if len(shape_of(b)) == 1:
        c_p = _contract(g, b, ins=((0,), (1,)), out=(0, 1))
    else:
        c_p = matmul(g, mT(b))
    return _pinv_vjp(a, p, c_p), b_bar


_lstsq_x = joint_primitive("lstsq", _lstsq_x_impl, _lstsq_x_rule, family=F,
                           register_as="linalg._lstsq")


def lstsq(a: Any, b: Any, rcond: Any = None) -> tuple:
    """Differentiable ``numpy.linalg.lstsq``: ``(x, residuals, rank, s)``.

    ``x`` is differentiable in ``a`` and ``b`` (as ``pinv(a) @ b``, for
    constant rank), ``residuals`` (squared 2-norms of ``b - a x``, present
    only when ``rank == N`` and ``M > N``) and the singular values ``s`` are
    differentiable too; ``rank`` is an int.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> a = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> x, res, rank, s = fnp.linalg.lstsq(a, np.array([1.0, 2.0, 4.0]))
    >>> np.round(x, 6), rank
    (array([1.333333, 2.333333]), np.int32(2))
    """
    a_val, b_val = strip(a), strip(b)
    _, res_val, rank, _ = np.linalg.lstsq(a_val, b_val, rcond=rcond)
    x = _lstsq_x(a, b, rcond=rcond)
    m, n = shape_of(a)
    if len(shape_of(res_val)) and shape_of(res_val)[0]:
        x_col = expand(x, -1) if len(shape_of(b)) == 1 else x
        r = (expand(b, -1) if len(shape_of(b)) == 1 else b) - matmul(a, x_col)
        sq = fnp.real(fnp.conjugate(r) * r) if is_complex(r) else r * r
        resid = fnp.sum(sq, axis=0)
    else:
        resid = res_val
    s = _svdvals(a)
    return x, resid, rank, s


def matrix_transpose(x: Any, /) -> Any:
    """Differentiable ``numpy.linalg.matrix_transpose`` (swap the last two axes).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.linalg.matrix_transpose(np.zeros((4, 2, 3))).shape
    (4, 3, 2)
    """
    if len(shape_of(x)) < 2:
        raise ValueError("Input array must be at least 2-dimensional")
    return mT(x)


def _offset_block(x: Any, offset: int) -> Any:
    if offset > 0:
        return x[..., :, offset:]
    if offset < 0:
        return x[..., -offset:, :]
    return x


def diagonal(x: Any, /, *, offset: int = 0) -> Any:
    """Differentiable ``numpy.linalg.diagonal``: the ``offset`` diagonal of the
    last two axes.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.linalg.diagonal(np.arange(9.0).reshape(3, 3), offset=1)
    array([1., 5.])
    """
    block = _offset_block(x, offset)
    r, c = shape_of(block)[-2:]
    k = min(r, c)
    block = block[..., :k, :k]
    nd = len(shape_of(block))
    batch = tuple(range(2, nd))
    return _contract(block, ins=(batch + (0, 0),), out=batch + (0,))


def trace(x: Any, /, *, offset: int = 0, dtype: Any = None) -> Any:
    """Differentiable ``numpy.linalg.trace``: sums along the ``offset``
    diagonal of the last two axes.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(fnp.linalg.trace)(np.ones((2, 2)))
    array([[1., 0.],
           [0., 1.]])
    """
    d = diagonal(x, offset=offset)
    out = fnp.sum(d, axis=-1)
    if dtype is not None:
        out = fnp.astype(out, dtype)
    return out


def cross(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    """Differentiable ``numpy.linalg.cross`` of 3-vectors along ``axis``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.linalg.cross(np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]))
    array([0., 0., 1.])
    """
    if shape_of(x1)[axis] != 3 or shape_of(x2)[axis] != 3:
        raise ValueError("Both input arrays must be (arrays of) 3-dimensional vectors, "
                         f"but they are {shape_of(x1)[axis]} and {shape_of(x2)[axis]} "
                         "dimensional instead.")
    nd1 = len(shape_of(x1))
    nd2 = len(shape_of(x2))

    def comp(x, nd, k):
        index = [slice(None)] * nd
        index[axis % nd] = k
        return x[tuple(index)]
    a = [comp(x1, nd1, k) for k in range(3)]
    b = [comp(x2, nd2, k) for k in range(3)]
    parts = [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
    out_nd = len(np.broadcast_shapes(tuple(shape_of(parts[0])), tuple(shape_of(parts[1])))) + 1
    return fnp.stack(parts, axis=axis % out_nd if axis >= 0 else axis)


register("linalg.pinv", pinv, F, notes="Gradient for constant rank (Golub-Pereyra).")
register("linalg.lstsq", lstsq, F, notes="x, residuals and s are differentiable; rank is an int.")
register("linalg.matrix_transpose", matrix_transpose, F)
register("linalg.diagonal", diagonal, F)
register("linalg.trace", trace, F)
register("linalg.cross", cross, F)

__all__ = ["pinv", "lstsq", "matrix_transpose", "diagonal", "trace", "cross"]


# --- JVP rules (forward mode) -----------------------------------------------
for _p in (_pinv, _lstsq_x):  # the transpose of their VJP rules (see defjvp_transposed)
    defjvp_transposed(_p)

# --- batching rules (vmap) ------------------------------------------------
from ..._core import defbatch as _defbatch  # noqa: E402
from .. import _batching as _B  # noqa: E402

_B.loop_functions(globals(), "linalg.lstsq")

_defbatch(_B.stacked, _pinv)
