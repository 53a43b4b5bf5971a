"""Differentiable ``scipy.linalg`` (square 2-D matrices; real, except where noted).

Conventions:

* A function that reads one triangle (``cholesky``, ``cho_solve``,
  ``solve_triangular``, ``solve(assume_a="sym"/"pos")``, ``eigh``) gives
  gradient only to that triangle, as finite differences of SciPy do.
* ``cho_factor`` returns ``(c, lower)`` with zeros in the unused triangle
  (SciPy leaves arbitrary values there); ``lu_factor`` returns ``(lu, piv)``
  with ``piv`` a constant.
* ``expm``, ``sqrtm`` and ``solve_sylvester`` differentiate to any order
  (their VJPs are written with themselves), ``logm`` too (its VJP solves an n^2 x n^2
  system built from ``expm``'s Frechet derivatives).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg as _sl

from .. import numpy as fnp
from .._core import concrete as _strip, defbatch
from .._core.primitive import defjvp, defjvp_joint, defjvp_linear
from ..numpy import _batching as _B
from ..numpy._jvp import defjvp_transposed
from ._registry import exports, joint_primitive, primitive, register

F = "linalg"
_TRANS = {0: 0, "N": 0, 1: 1, "T": 1, 2: 2, "C": 2}


def _t(x: Any) -> Any:
    return fnp.swapaxes(x, -1, -2)


def _mask(x: Any, lower: bool, unit_diagonal: bool) -> Any:
    """The triangle of ``x`` a triangular solve reads."""
    if lower:
        return fnp.tril(x, -1 if unit_diagonal else 0)
    return fnp.triu(x, 1 if unit_diagonal else 0)


def _outer(u: Any, v: Any) -> Any:
    """``u v^T`` for vectors or matrices of right-hand sides."""
    return fnp.outer(u, v) if fnp.ndim(u) == 1 else u @ _t(v)


def _trans(trans: Any, a: Any) -> int:
    t = _TRANS.get(trans)
    if t is None:
        raise ValueError(f"solve_triangular: trans must be 0, 1, 2, 'N', 'T' or 'C', got {trans!r}")
    if t == 2 and np.iscomplexobj(_strip(a)):
        raise NotImplementedError("funcgrad.scipy.linalg.solve_triangular: trans='C' with a "
                                  "complex matrix is not differentiable here; conjugate "
                                  "explicitly and use trans='T'")
    return 1 if t == 2 else t


def _st_impl(a, b, trans=0, lower=False, unit_diagonal=False):
    return _sl.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal)


def _st_rule(g, ans, a, b, trans=0, lower=False, unit_diagonal=False):
    t = _trans(trans, a)
    b_bar = _solve_triangular(a, g, trans=1 - t, lower=lower, unit_diagonal=unit_diagonal)
    a_bar = -(_outer(ans, b_bar) if t else _outer(b_bar, ans))
    return _mask(a_bar, lower, unit_diagonal), b_bar


_solve_triangular = joint_primitive("solve_triangular", _st_impl, _st_rule, family=F,
                                    public=False)


def solve_triangular(a: Any, b: Any, trans: Any = 0, lower: bool = False,
                     unit_diagonal: bool = False, overwrite_b: bool = False,
                     check_finite: bool = True) -> Any:
    """Differentiable ``scipy.linalg.solve_triangular``: ``a x = b`` (``trans=0``)
    or ``a^T x = b`` (``trans=1``) reading one triangle of ``a``.

    >>> import funcgrad, numpy as np
    >>> from funcgrad.scipy.linalg import solve_triangular
    >>> a = np.array([[2.0, 0.0], [1.0, 1.0]])
    >>> solve_triangular(a, np.array([2.0, 2.0]), lower=True)
    array([1., 1.])
    """
    _trans(trans, a)
    return _solve_triangular(a, b, trans=trans, lower=bool(lower),
                             unit_diagonal=bool(unit_diagonal))


register("linalg.solve_triangular", solve_triangular, F,
         notes="Gradient to the triangle read (strictly, with unit_diagonal=True).")


def _symmetric_from(a: Any, lower: bool) -> Any:
    """The symmetric matrix one triangle of ``a`` stands for."""
    if lower:
        return fnp.tril(a) + _t(fnp.tril(a, -1))
    return fnp.triu(a) + _t(fnp.triu(a, 1))


def cholesky(a: Any, lower: bool = False, overwrite_a: bool = False,
             check_finite: bool = True) -> Any:
    """Differentiable ``scipy.linalg.cholesky``: upper ``U`` with ``a = U^T U``
    by default (SciPy's), lower ``L`` with ``lower=True``.

    >>> import numpy as np
    >>> from funcgrad.scipy.linalg import cholesky
    >>> cholesky(np.array([[4.0, 2.0], [2.0, 2.0]]))
    array([[2., 1.],
           [0., 1.]])
    """
    if lower:
        return fnp.linalg.cholesky(a)
    return _t(fnp.linalg.cholesky(_symmetric_from(a, False)))


register("linalg.cholesky", cholesky, F, notes="Reads the upper triangle (lower with lower=True).")


def cho_factor(a: Any, lower: bool = False, overwrite_a: bool = False,
               check_finite: bool = True) -> tuple:
    """Differentiable ``scipy.linalg.cho_factor``: ``(c, lower)``; the unused
    triangle of ``c`` is zero."""
    return cholesky(a, lower=lower), lower


register("linalg.cho_factor", cho_factor, F, notes="The unused triangle of c is zero.")


def cho_solve(c_and_lower: tuple, b: Any, overwrite_b: bool = False,
              check_finite: bool = True) -> Any:
    """Differentiable ``scipy.linalg.cho_solve((c, lower), b)``: solves ``a x = b``
    from ``a``'s Cholesky factor; differentiable in ``c`` and ``b``.

    >>> import numpy as np
    >>> from funcgrad.scipy.linalg import cho_factor, cho_solve
    >>> a = np.array([[4.0, 2.0], [2.0, 2.0]])
    >>> cho_solve(cho_factor(a), np.array([6.0, 4.0]))
    array([1., 1.])
    """
    c, lower = c_and_lower
    if lower:
        y = _solve_triangular(c, b, trans=0, lower=True, unit_diagonal=False)
        return _solve_triangular(c, y, trans=1, lower=True, unit_diagonal=False)
    y = _solve_triangular(c, b, trans=1, lower=False, unit_diagonal=False)
    return _solve_triangular(c, y, trans=0, lower=False, unit_diagonal=False)


register("linalg.cho_solve", cho_solve, F, notes="Reads c's triangle only.")


def _permutation(piv: Any) -> np.ndarray:
    """LAPACK's row interchanges as a permutation: ``a[perm] = L @ U``."""
    piv = np.asarray(_strip(piv))
    perm = np.arange(piv.shape[0])
    for i, p in enumerate(piv):
        perm[i], perm[p] = perm[p], perm[i]
    return perm


def _lu_factor_impl(a):
    lu, piv = _sl.lu_factor(a)
    return lu, piv


def _lu_factor_rule(g, ans, a):
    # a = P L U, M = L^-1 P^T da U^-1 = L^-1 dL + dU U^-1; the VJP of the packed factors
    # is P L^-T (tril(L^T Lbar, -1) + triu(Ubar U^T)) U^-T.
    lu, piv = ans
    lu_bar = g[0]
    l_part = _mask(lu, True, True) + fnp.eye(lu.shape[-1])
    u_part = fnp.triu(lu)
    x = fnp.tril(_t(l_part) @ fnp.tril(lu_bar, -1), -1) + fnp.triu(fnp.triu(lu_bar) @ _t(u_part))
    y = _solve_triangular(lu, x, trans=1, lower=True, unit_diagonal=True)
    y = _t(_solve_triangular(lu, _t(y), trans=0, lower=False, unit_diagonal=False))
    return y[np.argsort(_permutation(piv))]


_lu_factor = primitive("lu_factor", _lu_factor_impl, _lu_factor_rule, family=F, public=False,
                       multiple_results=True)


def lu_factor(a: Any, overwrite_a: bool = False, check_finite: bool = True) -> tuple:
    """Differentiable ``scipy.linalg.lu_factor``: ``(lu, piv)``, ``piv`` constant."""
    lu, piv = _lu_factor(a)
    return lu, _strip(piv)


register("linalg.lu_factor", lu_factor, F, notes="piv is a constant (integer row interchanges).")


def lu_solve(lu_and_piv: tuple, b: Any, trans: Any = 0, overwrite_b: bool = False,
             check_finite: bool = True) -> Any:
    """Differentiable ``scipy.linalg.lu_solve((lu, piv), b, trans=0)``.

    >>> import numpy as np
    >>> from funcgrad.scipy.linalg import lu_factor, lu_solve
    >>> a = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> lu_solve(lu_factor(a), np.array([3.0, 7.0]))
    array([1., 1.])
    """
    lu, piv = lu_and_piv
    perm = _permutation(piv)
    t = _TRANS.get(trans)
    if t is None:
        raise ValueError(f"lu_solve: trans must be 0, 1, 2, 'N', 'T' or 'C', got {trans!r}")
    if t == 0:
        y = _solve_triangular(lu, b[perm], trans=0, lower=True, unit_diagonal=True)
        return _solve_triangular(lu, y, trans=0, lower=False, unit_diagonal=False)
    if t == 2:
        lu = fnp.conj(lu)
    y = _solve_triangular(lu, b, trans=1, lower=False, unit_diagonal=False)
    z = _solve_triangular(lu, y, trans=1, lower=True, unit_diagonal=True)
    return z[np.argsort(perm)]


register("linalg.lu_solve", lu_solve, F)

_GENERAL = (None, "gen", "general")
_SYMMETRIC = ("sym", "symmetric", "her", "hermitian", "pos", "positive definite")


def solve(a: Any, b: Any, lower: bool = False, overwrite_a: bool = False,
          overwrite_b: bool = False, check_finite: bool = True, assume_a: Any = None,
          transposed: bool = False) -> Any:
    """Differentiable ``scipy.linalg.solve``; ``assume_a`` general, symmetric /
    hermitian / positive definite (one triangle read, by ``lower``), diagonal,
    upper or lower triangular.

    >>> import numpy as np
    >>> from funcgrad.scipy.linalg import solve
    >>> solve(np.array([[2.0, 1.0], [1.0, 3.0]]), np.array([3.0, 4.0]), assume_a="pos")
    array([1., 1.])
    """
    if transposed:
        a = _t(a)
    if assume_a in _GENERAL:
        return fnp.linalg.solve(a, b)
    if assume_a in _SYMMETRIC:
        if assume_a in ("her", "hermitian") and np.iscomplexobj(_strip(a)):
            s = fnp.tril(a) + fnp.conj(_t(fnp.tril(a, -1))) if lower else \
                fnp.triu(a) + fnp.conj(_t(fnp.triu(a, 1)))
            return fnp.linalg.solve(s, b)
        return fnp.linalg.solve(_symmetric_from(a, lower), b)
    if assume_a in ("diagonal",):
        d = fnp.diagonal(a)
        return b / (d if fnp.ndim(b) == 1 else d[:, None])
    if assume_a in ("upper triangular", "lower triangular"):
        return solve_triangular(a, b, lower=assume_a == "lower triangular")
    raise NotImplementedError(f"funcgrad.scipy.linalg.solve: assume_a={assume_a!r} is not "
                              f"supported (use 'gen', 'sym', 'her', 'pos', 'diagonal', "
                              f"'upper triangular' or 'lower triangular')")


register("linalg.solve", solve, F, notes="assume_a gen/sym/her/pos/diagonal/triangular.")


def _from_banded(l_and_u: tuple, ab: Any) -> Any:
    """The square matrix whose bands ``ab`` holds (LAPACK's banded layout:
    ``a[i, j] = ab[u + i - j, j]``), built differentiably from ``ab``."""
    lower, upper = (int(v) for v in l_and_u)
    n = fnp.shape(ab)[-1]
    # -upper <= i - j <= lower
    band = np.tri(n, n, upper, dtype=bool) & ~np.tri(n, n, -lower - 1, dtype=bool)
    rows, cols = np.nonzero(band)
    zeros = np.zeros((n, n), np.asarray(_strip(ab)).dtype)
    return fnp.at(zeros)[rows, cols].set(ab[upper + rows - cols, cols])


def solve_banded(l_and_u: tuple, ab: Any, b: Any, overwrite_ab: bool = False,
                 overwrite_b: bool = False, check_finite: bool = True) -> Any:
    """Differentiable ``scipy.linalg.solve_banded((l, u), ab, b)``: gradient to the
    band entries of ``ab`` and to ``b`` (the unused corners of ``ab`` get 0).

    >>> import numpy as np
    >>> from funcgrad.scipy.linalg import solve_banded
    >>> ab = np.array([[0.0, 1.0, 1.0], [2.0, 2.0, 2.0], [1.0, 1.0, 0.0]])  # tridiagonal
    >>> solve_banded((1, 1), ab, np.array([3.0, 4.0, 3.0]))
    array([1., 1., 1.])
    """
    return fnp.linalg.solve(_from_banded(l_and_u, ab), b)


register("linalg.solve_banded", solve_banded, F, notes="Gradient to the bands read.")


def inv(a: Any, overwrite_a: bool = False, check_finite: bool = True) -> Any:
    """Differentiable ``scipy.linalg.inv`` (general matrices)."""
    return fnp.linalg.inv(a)


def det(a: Any, overwrite_a: bool = False, check_finite: bool = True) -> Any:
    """Differentiable ``scipy.linalg.det``."""
    return fnp.linalg.det(a)


register("linalg.inv", inv, F)
register("linalg.det", det, F)


def eigh(a: Any, b: Any = None, *, lower: bool = True, eigvals_only: bool = False,
         **kwargs: Any) -> Any:
    """Differentiable ``scipy.linalg.eigh`` (standard problem, ``b=None``):
    ``(w, v)``, or ``w`` with ``eigvals_only=True``."""
    if b is not None or kwargs.get("subset_by_index") is not None \
            or kwargs.get("subset_by_value") is not None:
        raise NotImplementedError("funcgrad.scipy.linalg.eigh: the generalized problem (b=) "
                                  "and subsets are not supported")
    uplo = "L" if lower else "U"
    if eigvals_only:
        return fnp.linalg.eigvalsh(a, UPLO=uplo)
    w, v = fnp.linalg.eigh(a, UPLO=uplo)
    return w, v


register("linalg.eigh", eigh, F, notes="Eigenvector gradients need distinct eigenvalues.")


def svd(a: Any, full_matrices: bool = True, compute_uv: bool = True, overwrite_a: bool = False,
        check_finite: bool = True, lapack_driver: str = "gesdd") -> Any:
    """Differentiable ``scipy.linalg.svd``: ``(U, s, Vh)``, or ``s``."""
    if not compute_uv:
        return fnp.linalg.svd(a, compute_uv=False)
    u, s, vh = fnp.linalg.svd(a, full_matrices=full_matrices)
    return u, s, vh


register("linalg.svd", svd, F, notes="U/Vh gradients need distinct singular values.")


def _block(a: Any, e: Any) -> Any:
    """``[[a, e], [0, a]]``."""
    z = fnp.zeros_like(_strip(a))
    return fnp.concatenate([fnp.concatenate([a, e], axis=-1),
                            fnp.concatenate([z, a], axis=-1)], axis=-2)


def _expm_rule(g, ans, a):
    # The VJP is the Frechet derivative at a^T in direction g: the top-right block of
    # expm([[a^T, g], [0, a^T]]) (Higham, Functions of Matrices, 3.2).
    n = fnp.shape(a)[-1]
    return expm(_block(_t(a), g))[..., :n, n:]


expm = primitive("expm", _sl.expm, _expm_rule, family=F,
                 notes="VJP: the Frechet derivative at a^T (block-matrix form); any order.")


def _sylvester_rule(g, ans, a, b, q):
    # a x + x b = q: the VJP solves a^T y + y b^T = g; then a gets -y x^T, b -x^T y.
    y = solve_sylvester(_t(a), _t(b), g)
    return -(y @ _t(ans)), -(_t(ans) @ y), y


solve_sylvester = joint_primitive(
    "solve_sylvester", _sl.solve_sylvester, _sylvester_rule,
    family=F, notes="a x + x b = q; differentiable in a, b and q to any order.")


def _sqrtm_rule(g, ans, a):
    # x x = a  =>  x dx + dx x = da; the VJP solves x^T y + y x^T = g.
    xt = _t(ans)
    return solve_sylvester(xt, xt, g)


_sqrtm = primitive("sqrtm", lambda a: _sl.sqrtm(a), _sqrtm_rule, family=F, public=False)


def sqrtm(A: Any, disp: Any = None, blocksize: Any = None) -> Any:
    """Differentiable ``scipy.linalg.sqrtm`` (principal square root).

    >>> import numpy as np
    >>> from funcgrad.scipy.linalg import sqrtm
    >>> np.round(sqrtm(np.array([[4.0, 0.0], [0.0, 9.0]])), 12)
    array([[2., 0.],
           [0., 3.]])
    """
    return _sqrtm(A)


register("linalg.sqrtm", sqrtm, F, notes="VJP solves a Sylvester equation; any order.")


def _frechet_exp_matrix(x: Any) -> Any:
    """The n^2 x n^2 matrix of E -> L_exp(x, E) (column k: direction e_k), each
    column a block-matrix ``expm``: differentiable in ``x``."""
    n = fnp.shape(x)[-1]
    cols = []
    for k in range(n * n):
        e = np.zeros((n, n))
        e.flat[k] = 1.0
        cols.append(fnp.reshape(expm(_block(x, e))[:n, n:], (n * n,)))
    return fnp.stack(cols, axis=1)


def _frechet_exp_solve(x: Any, g: Any) -> Any:
    """``y`` with ``L_exp(x, y) = g``: a logarithm's derivative (``a = expm(x)``)."""
    n = fnp.shape(x)[-1]
    return fnp.reshape(fnp.linalg.solve(_frechet_exp_matrix(x), fnp.reshape(g, (n * n,))),
                       (n, n))


logm = primitive("logm", lambda a: _sl.logm(a),
                 lambda g, ans, a: _frechet_exp_solve(_t(ans), g), family=F,
                 notes="x = logm(a): the VJP solves L_exp(x^T, y) = g (n^2 x n^2); any order.")


def _block_diag_rule(g, ans, *arrs):
    out, r, c = [], 0, 0
    for x in arrs:
        shp = np.shape(_strip(x))
        h, w = (1, 1) if len(shp) == 0 else (1, shp[0]) if len(shp) == 1 else shp
        out.append(fnp.reshape(g[r:r + h, c:c + w], shp))
        r, c = r + h, c + w
    return out


block_diag = joint_primitive("block_diag", _sl.block_diag, _block_diag_rule, family=F,
                             saves_values=False)


# --- JVP rules (forward mode) -----------------------------------------------
def _st_jvp(tangents, ans, a, b, trans=0, lower=False, unit_diagonal=False):
    # x = op(A)^-1 b: dx = op(A)^-1 (db - op(dA) x), dA in the triangle read
    t = _trans(trans, a)
    ta, tb = tangents
    rhs = None if tb is None else tb
    if ta is not None:
        da = _mask(ta, lower, unit_diagonal)
        da_x = (_t(da) if t else da) @ ans
        rhs = -da_x if rhs is None else rhs - da_x
    return _solve_triangular(a, rhs, trans=t, lower=lower, unit_diagonal=unit_diagonal)


def _expm_jvp(t, ans, a):
    n = fnp.shape(a)[-1]
    return expm(_block(a, t))[..., :n, n:]


def _sylvester_jvp(tangents, ans, a, b, q):
    # a x + x b = q: a dx + dx b = dq - da x - x db
    ta, tb, tq = tangents
    rhs = fnp.zeros_like(_strip(ans)) if tq is None else tq
    if ta is not None:
        rhs = rhs - ta @ ans
    if tb is not None:
        rhs = rhs - ans @ tb
    return solve_sylvester(a, b, rhs)


defjvp_joint(_solve_triangular, _st_jvp)
defjvp(expm, _expm_jvp)
defjvp_joint(solve_sylvester, _sylvester_jvp)
defjvp(_sqrtm, lambda t, ans, a: solve_sylvester(ans, ans, t))   # x dx + dx x = da
defjvp(logm, lambda t, ans, a: _frechet_exp_solve(ans, t))      # da = L_exp(x, dx)
defjvp_transposed(_lu_factor)
defjvp_linear(block_diag, None)


# --- batching rules (vmap) ------------------------------------------------
defbatch(_B.stacked, expm)  # SciPy's expm maps over leading axes
# no rule yet: one call per example under vmap (docs/scipy.md)
_B.declare_looped(_solve_triangular, solve_sylvester, _sqrtm, logm, _lu_factor, block_diag)

globals().update(exports("linalg."))
__all__ = sorted(exports("linalg."))
