"""``torch.linalg``: linear algebra on facade tensors, differentiable.

The computations are ``funcgrad.numpy.linalg``'s (the same rules as the
functional side); results carry PyTorch's ``grad_fn`` names and return
types.

>>> import funcgrad.torch as torch
>>> A = torch.tensor([[2.0, 1.0], [1.0, 3.0]], requires_grad=True)
>>> torch.linalg.det(A)
tensor(5., grad_fn=<LinalgDetBackward0>)
>>> torch.linalg.solve(A, torch.tensor([1.0, 2.0]))
tensor([0.2000, 0.6000], grad_fn=<LinalgSolveExBackward0>)
"""
from __future__ import annotations

import collections
from typing import Any, Optional

import numpy as np

from .. import numpy as fnp
from . import _functions as F
from ._dims import wrap_dim as _wrap_dim
from ._graph import set_name

__all__ = ["inv", "det", "slogdet", "solve", "norm", "vector_norm", "matrix_norm", "cholesky",
           "qr", "eigh", "eigvalsh", "svd", "svdvals", "pinv", "matrix_power", "cross",
           "matmul", "multi_dot"]


def _types(name: str, fields: list) -> type:
    base = collections.namedtuple(name, fields)

    def __repr__(self: Any) -> str:
        body = ",\n".join(f"{f}={getattr(self, f)!r}" for f in fields)
        return f"torch.return_types.{name}(\n{body})"
    return type(name, (base,), {"__repr__": __repr__, "__slots__": ()})


_slogdet_t = _types("linalg_slogdet", ["sign", "logabsdet"])
_eigh_t = _types("linalg_eigh", ["eigenvalues", "eigenvectors"])
_qr_t = _types("linalg_qr", ["Q", "R"])
_svd_t = _types("linalg_svd", ["U", "S", "Vh"])


def _named(t: Any, name: str) -> Any:
    return set_name(t, name)


def _f(x: Any) -> Any:
    return F._float_input(x)


_WIDE = {np.dtype(np.float32): np.dtype(np.float64), np.dtype(np.complex64): np.dtype(np.complex128),
         np.dtype(np.float16): np.dtype(np.float64)}


def _wide(x: Any) -> tuple:
    """``x`` in double precision, and its own dtype: single-precision
    factorizations are computed in double and rounded back, which matches
    PyTorch's LAPACK results to the printed digits (and gives gradients
    such as ``d det / dA`` without visible rounding noise)."""
    x = _f(x)
    dt = F.np_dtype(x)
    return (F.cast(x, _WIDE[dt]) if dt in _WIDE else x), dt


def _back(t: Any, dt: Any, name: str) -> Any:
    t = F.as_box(t)
    if F.np_dtype(t) != dt:
        t = F.cast(t, dt)
    return _named(t, name)


def inv(A: Any) -> Any:
    """Inverse of a square matrix (or a batch).

    >>> import funcgrad.torch as torch
    >>> torch.linalg.inv(torch.tensor([[2.0, 0.0], [0.0, 4.0]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    """
    a, dt = _wide(A)
    return _back(fnp.linalg.inv(a), dt, "LinalgInvExBackward0")


def det(A: Any) -> Any:
    """Determinant.

    >>> import funcgrad.torch as torch
    >>> torch.linalg.det(torch.tensor([[2.0, 1.0], [1.0, 3.0]]))
    tensor(5.)
    """
    a, dt = _wide(A)
    return _back(fnp.linalg.det(a), dt, "LinalgDetBackward0")


def slogdet(A: Any) -> Any:
    """``(sign, logabsdet)`` of the determinant.

    >>> import funcgrad.torch as torch
    >>> torch.linalg.slogdet(torch.eye(2)).logabsdet
    tensor(0.)
    """
    a, dt = _wide(A)
    sign, logabs = fnp.linalg.slogdet(a)
    return _slogdet_t(_back(sign, dt, "LinalgSlogdetBackward0"),
                      _back(logabs, np.empty(0, dt).real.dtype, "LinalgSlogdetBackward0"))


def solve(A: Any, B: Any, *, left: bool = True) -> Any:
    """The solution ``X`` of ``A X = B``.

    >>> import funcgrad.torch as torch
    >>> torch.linalg.solve(torch.eye(2) * 2, torch.tensor([2.0, 4.0]))
    tensor([1., 2.])
    """
    a, b = F._promote(_f(A), _f(B))
    dt = F.np_dtype(a)
    a, _ = _wide(a)
    b, _ = _wide(b)
    if not left:
        x = F.transpose(fnp.linalg.solve(F.transpose(a, -2, -1), F.transpose(b, -2, -1)), -2, -1)
    else:
        x = fnp.linalg.solve(a, b)
    return _back(x, dt, "LinalgSolveExBackward0")


def vector_norm(x: Any, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None) -> Any:
    """The ``ord``-norm of ``x`` as a vector (all elements, or along ``dim``).

    >>> import funcgrad.torch as torch
    >>> torch.linalg.vector_norm(torch.tensor([3.0, 4.0]))
    tensor(5.)
    """
    return F.norm(x, p=ord, dim=dim, keepdim=keepdim)


def matrix_norm(A: Any, ord: Any = "fro", dim: tuple = (-2, -1), keepdim: bool = False, *,
                dtype: Any = None) -> Any:
    """Frobenius (default) or other matrix norm over the last two dimensions.

    >>> import funcgrad.torch as torch
    >>> torch.linalg.matrix_norm(torch.ones(2, 2))
    tensor(2.)
    """
    if ord == "fro":
        if F._ndim(A) == 2 and not keepdim:
            return F.norm(A)
        return F.norm(A, p=2, dim=dim, keepdim=keepdim)
    return _named(fnp.linalg.matrix_norm(_f(A), ord=ord, keepdims=keepdim),
                  "LinalgMatrixNormBackward0")


def norm(A: Any, ord: Any = None, dim: Any = None, keepdim: bool = False, *,
         dtype: Any = None) -> Any:
    """``vector_norm`` for vectors (or with an int ``dim``), ``matrix_norm``
for matrices; ``ord=None`` is the 2-norm / Frobenius norm.

    >>> import funcgrad.torch as torch
    >>> torch.linalg.norm(torch.tensor([3.0, 4.0]))
    tensor(5.)
    """
    if ord is None:
        return F.norm(A, p=2, dim=dim, keepdim=keepdim)
    if dim is None and F._ndim(A) == 2 or isinstance(dim, tuple) and len(dim) == 2:
        return matrix_norm(A, ord, dim if dim is not None else (-2, -1), keepdim)
    return vector_norm(A, ord, dim, keepdim)


def _hermitian_from(a: Any, uplo: str) -> Any:
    """The Hermitian matrix built from ``a``'s lower (or upper) triangle,
    whose gradient flows back symmetrized, as PyTorch's ``cholesky`` and
    ``eigh`` gradients are."""
    sym = (a + F.conj(F.transpose(a, -2, -1))) / 2
    v = F.concrete(a)
    if uplo == "U":
        v = np.conj(np.swapaxes(v, -1, -2))
    herm = np.tril(v) + np.conj(np.swapaxes(np.tril(v, -1), -1, -2))
    return sym + (F.as_box(herm) - sym).detach()


def cholesky(A: Any, *, upper: bool = False) -> Any:
    """Lower (or upper) Cholesky factor. As in PyTorch, only the lower
triangle of ``A`` is read and the gradient is symmetric.

    >>> import funcgrad.torch as torch
    >>> torch.linalg.cholesky(torch.tensor([[4.0, 2.0], [2.0, 5.0]]))
    tensor([[2., 0.],
            [1., 2.]])
    """
    a, dt = _wide(A)
    L = fnp.linalg.cholesky(_hermitian_from(a, "L"))
    if upper:
        L = F.conj(F.transpose(L, -2, -1))
    return _back(L, dt, "LinalgCholeskyExBackward0")


def qr(A: Any, mode: str = "reduced") -> Any:
    """``(Q, R)``.

    >>> import funcgrad.torch as torch
    >>> torch.linalg.qr(torch.eye(2)).R.shape
    torch.Size([2, 2])
    """
    a, dt = _wide(A)
    q, r = fnp.linalg.qr(a, mode=mode)
    return _qr_t(_back(q, dt, "LinalgQrBackward0"), _back(r, dt, "LinalgQrBackward0"))


def eigh(A: Any, UPLO: str = "L") -> Any:
    """Eigenvalues (ascending) and eigenvectors of a symmetric matrix.

    >>> import funcgrad.torch as torch
    >>> torch.linalg.eigh(torch.tensor([[2.0, 0.0], [0.0, 1.0]])).eigenvalues
    tensor([1., 2.])
    """
    a, dt = _wide(A)
    w, v = fnp.linalg.eigh(_hermitian_from(a, UPLO))
    return _eigh_t(_back(w, np.empty(0, dt).real.dtype, "LinalgEighBackward0"),
                   _back(v, dt, "LinalgEighBackward0"))


def eigvalsh(A: Any, UPLO: str = "L") -> Any:
    """Eigenvalues (ascending) of a symmetric matrix.

    >>> import funcgrad.torch as torch
    >>> torch.linalg.eigvalsh(torch.tensor([[2.0, 0.0], [0.0, 1.0]]))
    tensor([1., 2.])
    """
    return eigh(A, UPLO).eigenvalues


def svd(A: Any, full_matrices: bool = True) -> Any:
    """``(U, S, Vh)``.

    >>> import funcgrad.torch as torch
    >>> torch.linalg.svd(torch.eye(2)).S
    tensor([1., 1.])
    """
    a, dt = _wide(A)
    u, s, vh = fnp.linalg.svd(a, full_matrices=full_matrices)
    real = np.empty(0, dt).real.dtype
    return _svd_t(_back(u, dt, "LinalgSvdBackward0"), _back(s, real, "LinalgSvdBackward0"),
                  _back(vh, dt, "LinalgSvdBackward0"))


def svdvals(A: Any) -> Any:
    """Singular values, descending.

    >>> import funcgrad.torch as torch
    >>> torch.linalg.svdvals(torch.tensor([[3.0, 0.0], [0.0, 4.0]]))
    tensor([4., 3.])
    """
    a, dt = _wide(A)
    return _back(fnp.linalg.svd(a, compute_uv=False), np.empty(0, dt).real.dtype,
                 "LinalgSvdBackward0")


def pinv(A: Any, *, hermitian: bool = False) -> Any:
    """Moore-Penrose pseudo-inverse.

    >>> import funcgrad.torch as torch
    >>> torch.linalg.pinv(torch.tensor([[2.0, 0.0], [0.0, 0.0]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.0000]])
    """
    a, dt = _wide(A)
    return _back(fnp.linalg.pinv(a, hermitian=hermitian), dt, "LinalgPinvBackward0")


def matrix_power(A: Any, n: int) -> Any:
    """``A`` to the integer power ``n`` (negative: of the inverse).

    >>> import funcgrad.torch as torch
    >>> torch.linalg.matrix_power(torch.tensor([[1.0, 1.0], [0.0, 1.0]]), 3)
    tensor([[1., 3.],
            [0., 1.]])
    """
    out: Optional[Any] = None
    if n < 0:
        A, n = inv(A), -n
    if n == 0:
        from ._creation import eye
        return eye(F._shape(A)[-1], dtype=A.dtype)
    for _ in range(n):
        out = A if out is None else F.matmul(out, A)
    return out


def cross(input: Any, other: Any, *, dim: int = -1) -> Any:
    """Cross product of 3-vectors along ``dim``.

    >>> import funcgrad.torch as torch
    >>> torch.linalg.cross(torch.tensor([1.0, 0.0, 0.0]), torch.tensor([0.0, 1.0, 0.0]))
    tensor([0., 0., 1.])
    """
    a, b = F._promote(F.as_box(input), F.as_box(other))
    dim = _wrap_dim(dim, F._py_max(F._ndim(a), F._ndim(b)), scalar=False)
    return _named(fnp.linalg.cross(a, b, axis=dim), "LinalgCrossBackward0")


def matmul(input: Any, other: Any) -> Any:
    """``torch.matmul``.

    >>> import funcgrad.torch as torch
    >>> torch.linalg.matmul(torch.ones(1, 2), torch.ones(2, 1))
    tensor([[2.]])
    """
    return F.matmul(input, other)


def multi_dot(tensors: Any) -> Any:
    """Product of a sequence of matrices.

    >>> import funcgrad.torch as torch
    >>> torch.linalg.multi_dot([torch.eye(2), torch.ones(2, 2)])
    tensor([[1., 1.],
            [1., 1.]])
    """
    out = None
    for t in tensors:
        out = t if out is None else F.matmul(out, t)
    return out
