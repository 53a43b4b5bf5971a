"""Decompositions: cholesky, eigh, eigvalsh, svd, svdvals, qr, eig, eigvals.

Rules follow JAX's complex convention (a cotangent ``c`` of ``z`` stands for
``dz -> Re(sum(c * dz))``); each is the transpose of the corresponding JAX
JVP, written with funcgrad.numpy operations so it can be differentiated
again. Where NumPy reads only one triangle of its input (``eigh``,
``cholesky``, ``svd(hermitian=True)``), the gradient lands on that triangle
only, exactly matching the function NumPy computes.

Conventions at degenerate points: pairs of equal eigenvalues (singular
values) contribute 0 to eigenvector (singular vector) gradients instead of
``inf``; zero singular values contribute 0 where ``1/s`` appears.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .._dispatch import strip
from .._registry import dtype_of, primitive, register, shape_of
from ..products import expand, fnp, matmul
from ._basic import _inv, _solve
from ..._core.primitive import defjvp
from .._jvp import defjvp_transposed
from ._util import (F, conj, diag_embed, diagonal, hermitian_part, is_complex, mH, mT,
                    reciprocal_or_zero, tril)

from .._compat import EighResult as _EighResult, EigResult as _EigResult, \
    QRResult as _QRResult, SVDResult as _SVDResult


def _is_zero(g: Any) -> bool:
    """True for a cotangent the engine filled in for an unused output."""
    return isinstance(g, np.ndarray) and not g.any()


def _pair_reciprocals(w: Any) -> Any:
    """``F[..., i, j] = 1 / (w_j - w_i)``, 0 on the diagonal and at ties."""
    return reciprocal_or_zero(expand(w, -2) - expand(w, -1))


# --- cholesky --------------------------------------------------------------------
def _cholesky_rule(g, ans, a):
    # PyTorch's form  S = L^{-H} Phi(L^H gL) L^{-1},  A_bar = (S + S^H) / 2  for
    # the conjugate convention; JAX's cotangent is its conjugate.
    n = shape_of(a)[-1]
    phi = (np.tril(np.ones((n, n))) - 0.5 * np.eye(n)).astype(np.finfo(dtype_of(a)).dtype)
    L = ans
    L_inv = _inv(L)
    p = matmul(mH(L), conj(g)) * phi
    s = matmul(matmul(mH(L_inv), p), L_inv)
    return conj(0.5 * (s + mH(s)))


_cholesky = primitive("cholesky", np.linalg.cholesky, _cholesky_rule, family=F,
                      register_as="linalg._cholesky")


def cholesky(a: Any, /, *, upper: bool = False) -> Any:
    """Differentiable ``numpy.linalg.cholesky``: ``L`` with ``A = L L^H``
    (``upper=True``: ``U = L^H``). Like NumPy, only the lower (upper) triangle
    of ``a`` is read, so the gradient lives on that triangle.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda m: fnp.sum(fnp.linalg.cholesky(m)))(np.array([[4.0, 0.0], [0.0, 1.0]]))
    array([[0.25, 0.  ],
           [0.5 , 0.5 ]])
    """
    L = _cholesky(hermitian_part(a, lower=not upper))
    return mH(L) if upper else L


# --- eigh ------------------------------------------------------------------------
def _eigh_rule(g, ans, a):
    w, v = ans
    g_w, g_v = g
    x = diag_embed(g_w)
    if not _is_zero(g_v):
        x = x + _pair_reciprocals(w) * matmul(mT(v), g_v)
    return matmul(matmul(conj(v), x), mT(v))


_eigh = primitive("eigh", np.linalg.eigh, _eigh_rule, family=F, register_as="linalg._eigh",
                  multiple_results=True)


def eigh(a: Any, UPLO: str = "L") -> Any:
    """Differentiable ``numpy.linalg.eigh``: ``(eigenvalues, eigenvectors)``
    of Hermitian matrices, reading the ``UPLO`` triangle as NumPy does.

    Eigenvalue cotangents give ``V diag(gw) V^H``; eigenvector gradients need
    distinct eigenvalues (ties contribute 0) and, for complex input, a loss
    that does not depend on the eigenvectors' phases.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda m: fnp.linalg.eigh(m)[0][1])(np.diag([1.0, 2.0]))
    array([[0., 0.],
           [0., 1.]])
    """
    UPLO = UPLO.upper()
    if UPLO not in ("L", "U"):
        raise ValueError("UPLO argument must be 'L' or 'U'")
    w, v = _eigh(hermitian_part(a, lower=UPLO == "L"))
    return _EighResult(w, v)


def eigvalsh(a: Any, UPLO: str = "L") -> Any:
    """Differentiable ``numpy.linalg.eigvalsh``: eigenvalues of Hermitian
    matrices in ascending order; gradient ``V diag(g) V^H``.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> np.round(funcgrad.grad(lambda m: fnp.sum(fnp.linalg.eigvalsh(m)))(np.ones((2, 2))), 12)
    array([[1., 0.],
           [0., 1.]])
    """
    return eigh(a, UPLO)[0]


# --- svd -------------------------------------------------------------------------
def _svd_impl(a, full_matrices=True, hermitian=False):
    return np.linalg.svd(a, full_matrices=full_matrices, compute_uv=True, hermitian=hermitian)


def _svd_rule(g, ans, a, full_matrices=True, hermitian=False):
    u, s, vt = ans
    c_u, c_s, c_vt = g
    m, n = shape_of(a)[-2:]
    k = min(m, n)
    if full_matrices and m != n:
        extra_u = strip(c_u)[..., :, k:]
        extra_vt = strip(c_vt)[..., k:, :]
        if np.any(extra_u) or np.any(extra_vt):
            raise ValueError(
                "The gradient of numpy.linalg.svd(full_matrices=True) through the extra "
                "columns of U (rows of Vh) of a non-square matrix is not unique. Use "
                "full_matrices=False.")
        u = u[..., :, :k]
        vt = vt[..., :k, :]
        c_u = c_u[..., :, :k] if not _is_zero(c_u) else np.zeros(shape_of(u), c_u.dtype)
        c_vt = c_vt[..., :k, :] if not _is_zero(c_vt) else np.zeros(shape_of(vt), c_vt.dtype)
    v = mH(vt)
    s_row = expand(s, -2)
    s_col = expand(s, -1)
    f = reciprocal_or_zero((s_row + s_col) * (s_row - s_col))
    s_inv = reciprocal_or_zero(s)
    s_inv_row = expand(s_inv, -2)
    ct_ds = diag_embed(c_s)
    use_u, use_v = not _is_zero(c_u), not _is_zero(c_vt)
    if use_u:
        ci = matmul(mT(u), c_u)
        fci = f * ci
        ct_ds = ct_ds + s_row * (fci + mH(fci))
        if is_complex(a):
            cd = diag_embed(0.5 * s_inv * diagonal(ci))
            ct_ds = ct_ds + (cd - mH(cd))
    if use_v:
        c_v = mH(c_vt)
        cv = matmul(mT(v), c_v)
        fcv = f * cv
        ct_ds = ct_ds + s_col * (fcv + mH(fcv))
    ct_a = matmul(matmul(conj(u), ct_ds), mT(v))
    if m > k and use_u:
        ce = c_u * s_inv_row
        ct_av = ce - matmul(conj(u), matmul(mT(u), ce))
        ct_a = ct_a + matmul(ct_av, mT(v))
    if n > k and use_v:
        cf = mH(c_vt) * s_inv_row
        ct_ahu = cf - matmul(mT(vt), matmul(conj(vt), cf))
        ct_a = ct_a + mH(matmul(ct_ahu, mT(u)))
    return ct_a


_svd = primitive("svd", _svd_impl, _svd_rule, family=F, register_as="linalg._svd",
                 multiple_results=True)


def _svdvals_impl(a, hermitian=False):
    return np.linalg.svd(a, compute_uv=False, hermitian=hermitian)


def _svdvals_rule(g, ans, a, hermitian=False):
    u, _, vt = _svd(a, full_matrices=False, hermitian=hermitian)
    return matmul(conj(u) * expand(g, -2), conj(vt))


_svdvals = primitive("svdvals", _svdvals_impl, _svdvals_rule, family=F,
                     register_as="linalg._svdvals")


def svd(a: Any, full_matrices: bool = True, compute_uv: bool = True,
        hermitian: bool = False) -> Any:
    """Differentiable ``numpy.linalg.svd``: ``(U, S, Vh)``, or ``S`` with
    ``compute_uv=False``.

    Gradients through ``S`` always work (``U diag(g) Vh``); through ``U`` and
    ``Vh`` they need distinct singular values, ``full_matrices=False`` for
    non-square input, and for complex input a loss independent of the
    singular vectors' phases.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda m: fnp.sum(fnp.linalg.svd(m, compute_uv=False)))(np.diag([2.0, -3.0]))
    array([[ 1.,  0.],
           [ 0., -1.]])
    """
    if hermitian:
        a = hermitian_part(a, lower=True)
    if not compute_uv:
        return _svdvals(a, hermitian=hermitian)
    u, s, vt = _svd(a, full_matrices=full_matrices, hermitian=hermitian)
    return _SVDResult(u, s, vt)


def svdvals(x: Any, /) -> Any:
    """Differentiable ``numpy.linalg.svdvals``: singular values, descending.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.linalg.svdvals(np.diag([1.0, -3.0]))
    array([3., 1.])
    """
    return _svdvals(x)


# --- qr ----------------------------------------------------------------------------
def _qr_impl(a, mode="reduced"):
    return tuple(np.linalg.qr(a, mode=mode))


def _qr_rule(g, ans, a, mode="reduced"):
    q, r = ans
    c_q, c_r = g
    m, n = shape_of(a)[-2:]
    if m > n and mode == "complete":
        raise ValueError("The gradient of numpy.linalg.qr(mode='complete') of a tall matrix "
                         "is not unique; use mode='reduced'.")
    c1 = matmul(c_r, mT(r))
    c2 = matmul(mT(q), c_q)
    c3 = c2 - c1
    ct_c = c1 - c2 + tril(c3 - mH(c3), -1)
    if is_complex(a):
        ct_c = ct_c + diag_embed(1j * fnp.imag(diagonal(c3)))
    ct_b = c_q + matmul(conj(q), ct_c)
    # ct_a = ct_b R^{-T}, i.e. ct_a^T = R^{-1} ct_b^T
    return mT(_solve(r, mT(ct_b)))


_qr = primitive("qr", _qr_impl, _qr_rule, family=F, register_as="linalg._qr",
                multiple_results=True)


def qr(a: Any, mode: str = "reduced") -> Any:
    """Differentiable ``numpy.linalg.qr`` for ``mode`` ``'reduced'``,
    ``'complete'`` and ``'r'`` (``'raw'`` gives constants). Wide matrices
    (``m < n``) are handled as ``Q, R1 = qr(A[:, :m])``, ``R2 = Q^H A[:, m:]``.
    The gradient of ``mode='complete'`` for tall matrices is not unique and
    raises.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> q, r = fnp.linalg.qr(np.array([[3.0, 1.0], [4.0, 2.0]]))
    >>> np.round(r, 6)
    array([[-5. , -2.2],
           [ 0. ,  0.4]])
    """
    if mode == "raw":
        return np.linalg.qr(strip(a), mode="raw")
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"Unrecognized mode '{mode}'")
    m, n = shape_of(a)[-2:]
    if m >= n:
        q, r = _qr(a, mode="complete" if mode == "complete" else "reduced")
    else:
        x = a[..., :, :m]
        y = a[..., :, m:]
        q, r1 = _qr(x, mode="reduced")
        r = fnp.concatenate([r1, matmul(mH(q), y)], axis=-1)
    if mode == "r":
        return r
    return _QRResult(q, r)


# --- eig ----------------------------------------------------------------------------
def _eig_rule(g, ans, a):
    w, v = ans
    c_w, c_v = g
    if _is_zero(c_w) and _is_zero(c_v):
        return None
    v_inv = _inv(v)
    ct_m = diag_embed(c_w) if not _is_zero(c_w) else 0.0
    if not _is_zero(c_v):
        # du = V (F o M) - V diag(Re(diag(V^H V (F o M)))) with M = V^{-1} dA V.
        ct_r = -fnp.real(diagonal(matmul(mT(v), c_v)))
        ct_du0 = c_v + conj(v) * expand(ct_r, -2)
        ct_m = ct_m + _pair_reciprocals(w) * matmul(mT(v), ct_du0)
    return matmul(matmul(mT(v_inv), ct_m), mT(v))


_eig = primitive("eig", np.linalg.eig, _eig_rule, family=F, register_as="linalg._eig",
                 multiple_results=True)


def eig(a: Any) -> Any:
    """Differentiable ``numpy.linalg.eig``: ``(eigenvalues, eigenvectors)`` of
    general square matrices (complex in general, as in NumPy).

    Eigenvalue gradients are ``V^{-T} diag(g) V^T``; eigenvectors are
    normalized to unit length, and their gradients need distinct eigenvalues
    and a loss independent of each eigenvector's phase.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> a = np.array([[2.0, 1.0], [0.0, 3.0]])
    >>> np.round(funcgrad.grad(lambda m: fnp.sum(fnp.linalg.eig(m)[0]))(a), 12) + 0.0
    array([[1., 0.],
           [0., 1.]])
    """
    w, v = _eig(a)
    return _EigResult(w, v)


def eigvals(a: Any) -> Any:
    """Differentiable ``numpy.linalg.eigvals`` (see :func:`eig`).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.linalg.eigvals(np.diag([1.0, 2.0]))
    array([1., 2.])
    """
    return _eig(a)[0]


register("linalg.cholesky", cholesky, F, notes="Reads one triangle, like NumPy; the "
         "gradient lives on that triangle.")
register("linalg.eigh", eigh, F, notes="Reads the UPLO triangle; eigenvector gradients need "
         "distinct eigenvalues (ties contribute 0) and, for complex input, a phase-invariant loss.")
register("linalg.eigvalsh", eigvalsh, F)
register("linalg.svd", svd, F, notes="U/Vh gradients need distinct singular values and "
         "full_matrices=False for non-square input; compute_uv=False always differentiable.")
register("linalg.svdvals", svdvals, F)
register("linalg.qr", qr, F, notes="reduced, complete (square or wide) and r modes; wide "
         "input via QR of the leading square block.")
register("linalg.eig", eig, F, notes="Eigenvector gradients need distinct eigenvalues and a "
         "phase-invariant loss.")
register("linalg.eigvals", eigvals, F)

__all__ = ["cholesky", "eigh", "eigvalsh", "svd", "svdvals", "qr", "eig", "eigvals"]


# --- JVP rules (forward mode) -----------------------------------------------
def _cholesky_jvp(t, ans, a):
    # A = L L^H (A Hermitian: the public function passes the triangle NumPy
    # reads): dL = L Phi(L^{-1} dA L^{-H}), Phi the lower triangle, half diagonal.
    n = shape_of(a)[-1]
    phi = (np.tril(np.ones((n, n))) - 0.5 * np.eye(n)).astype(np.finfo(dtype_of(a)).dtype)
    L_inv = _inv(ans)
    return matmul(ans, matmul(matmul(L_inv, t), mH(L_inv)) * phi)


def _eigh_jvp(t, ans, a):
    # A = V diag(w) V^H: dw = Re diag(V^H dA V), dV = V (F o V^H dA V), F_ij = 1/(w_j - w_i).
    w, v = ans
    m = matmul(matmul(mH(v), t), v)
    return fnp.real(diagonal(m)), matmul(v, _pair_reciprocals(w) * m)


defjvp(_cholesky, _cholesky_jvp)
defjvp(_eigh, _eigh_jvp)
# svd, svdvals, qr, eig: the transpose of their VJP rules (exact; see defjvp_transposed)
for _p in (_svd, _svdvals, _qr, _eig):
    defjvp_transposed(_p)

# --- batching rules (vmap) ------------------------------------------------
from ..._core import defbatch as _defbatch  # noqa: E402
from .. import _batching as _B  # noqa: E402

_defbatch(_B.stacked, _cholesky, _eig, _eigh, _qr, _svd, _svdvals)
