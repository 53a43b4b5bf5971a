"""inv, solve, det, slogdet, tensorinv, tensorsolve.

These are holomorphic, so under JAX's complex convention the rules use plain
transposes (never conjugates): ``inv``: ``-Y^T g Y^T``; ``solve``:
``b̄ = solve(A^T, g)``, ``Ā = -b̄ x^T``; ``det``: ``g det(A) A^{-T}``.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from .._dispatch import strip
from .._registry import dtype_of, joint_primitive, primitive, register, shape_of
from ..products import expand, fnp, matmul, reshape, squeeze_last
from ._util import F, conj, is_complex, mT
from ..._core.primitive import defjvp, defjvp_joint
from .._jvp import vjp_weights

from .. import _compat
from .._compat import SlogdetResult as _SlogdetResult


def _inv_rule(g, ans, a):
    yt = mT(ans)
    return -matmul(matmul(yt, g), yt)


_inv = primitive("inv", np.linalg.inv, _inv_rule, family=F, register_as="linalg._inv")


def inv(a: Any) -> Any:
    """Differentiable ``numpy.linalg.inv`` (stacks of square matrices).

    The gradient is ``-A^{-T} g A^{-T}``.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda m: fnp.sum(fnp.linalg.inv(m)))(2 * np.eye(2))
    array([[-0.25, -0.25],
           [-0.25, -0.25]])
    """
    return _inv(a)


def _solve_rule(g, ans, a, b):
    vector = len(b.shape) == 1
    g_col = expand(g, -1) if vector else g
    x_col = expand(ans, -1) if vector else ans
    b_bar = _solve(mT(a), g_col)
    a_bar = -matmul(b_bar, mT(x_col))
    return a_bar, (squeeze_last(b_bar) if vector else b_bar)


_solve = joint_primitive("solve", _compat.solve, _solve_rule, family=F,
                         register_as="linalg._solve")


def solve(a: Any, b: Any) -> Any:
    """Differentiable ``numpy.linalg.solve`` with NumPy 2's rules: ``b`` is a
    vector only when it is 1-d, otherwise a (stack of) matrices; batch
    dimensions broadcast.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> a = np.array([[2.0, 0.0], [0.0, 4.0]])
    >>> funcgrad.grad(lambda b: fnp.sum(fnp.linalg.solve(a, b)))(np.ones(2))
    array([0.5 , 0.25])
    """
    return _solve(a, b)


def _det_rule(g, ans, a):
    # d det = tr(adj(A) dA): the cotangent is g * adj(A)^T, with adj(A) = det(A) A^{-1}
    # when A is invertible, and from the SVD at singular matrices (still finite).
    if np.all(np.asarray(strip(ans)) != 0):
        try:
            return expand(expand(g * ans, -1), -1) * mT(_inv(a))
        except np.linalg.LinAlgError:
            pass
    return expand(expand(g, -1), -1) * _adjugate_transpose(a)


def _adjugate_transpose(a: Any) -> Any:
    """``adj(A)^T`` for any square ``A`` (singular included), from the SVD
    ``A = U S V^H``: ``adj(A) = det(U) det(V^H) V diag(p) U^H`` with
    ``p_i`` the product of the other singular values."""
    from ._decomp import _svd
    u, s, vt = _svd(a, full_matrices=False)
    n = shape_of(s)[-1]
    one = np.ones(tuple(shape_of(s)[:-1]), dtype=np.finfo(dtype_of(s)).dtype)
    before, acc = [], one
    for k in range(n):
        before.append(acc)
        acc = acc * s[..., k]
    after, acc = [None] * n, one
    for k in reversed(range(n)):
        after[k] = acc
        acc = acc * s[..., k]
    p = fnp.stack([before[k] * after[k] for k in range(n)], axis=-1)
    phase = expand(expand(_det(u) * _det(vt), -1), -1)
    return phase * matmul(conj(u) * expand(p, -2), conj(vt))


_det = primitive("det", np.linalg.det, _det_rule, family=F, register_as="linalg._det")


def det(a: Any) -> Any:
    """Differentiable ``numpy.linalg.det``; the gradient is the transposed
    adjugate, ``det(A) A^{-T}`` for invertible ``A`` and computed from the SVD
    at singular matrices (finite there too).

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(fnp.linalg.det)(np.array([[2.0, 1.0], [0.0, 3.0]]))
    array([[ 3.,  0.],
           [-1.,  2.]])
    """
    return _det(a)


def _slogdet_rule(g, ans, a):
    g_sign, g_log = g
    coef = g_log
    if is_complex(a):
        sign = ans[0]
        coef = g_log + 1j * fnp.imag(g_sign * sign)
    return expand(expand(coef, -1), -1) * mT(_inv(a))


_slogdet = primitive("slogdet", np.linalg.slogdet, _slogdet_rule, family=F,
                     register_as="linalg._slogdet", multiple_results=True)


def slogdet(a: Any) -> Any:
    """Differentiable ``numpy.linalg.slogdet``: ``(sign, logabsdet)``.

    ``logabsdet`` has gradient ``A^{-T}``; for real input ``sign`` is a
    constant, for complex input it is differentiable too (JAX's convention).

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda m: fnp.linalg.slogdet(m)[1])(np.diag([2.0, -4.0])) + 0.0
    array([[ 0.5 ,  0.  ],
           [ 0.  , -0.25]])
    """
    sign, logabsdet = _slogdet(a)
    return _SlogdetResult(sign, logabsdet)


def tensorinv(a: Any, ind: int = 2) -> Any:
    """Differentiable ``numpy.linalg.tensorinv``: the inverse of ``a`` seen
    as a matrix with rows ``a.shape[:ind]`` and columns ``a.shape[ind:]``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.linalg.tensorinv(np.eye(4).reshape(4, 2, 2), ind=1).shape
    (2, 2, 4)
    """
    shape = tuple(shape_of(a))
    if ind <= 0:
        raise ValueError("Invalid ind argument.")
    rows, cols = shape[:ind], shape[ind:]
    n = int(np.prod(rows))
    m = reshape(a, (n, -1))
    return reshape(_inv(m), cols + rows)


def tensorsolve(a: Any, b: Any, axes: Optional[tuple] = None) -> Any:
    """Differentiable ``numpy.linalg.tensorsolve``: ``x`` with
    ``tensordot(a, x, axes=x.ndim) == b``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.linalg.tensorsolve(np.eye(6).reshape(6, 2, 3), np.ones(6)).shape
    (2, 3)
    """
    nd = len(shape_of(a))
    if axes is not None:
        order = [k for k in range(nd) if k not in [x % nd for x in axes]]
        order += [x % nd for x in axes]
        a = fnp.transpose(a, tuple(order))
    shape = tuple(shape_of(a))
    b_nd = len(shape_of(b))
    x_shape = shape[b_nd:]
    n = int(np.prod(x_shape))
    m = reshape(a, (-1, n))
    return reshape(_solve(m, reshape(b, (-1,))), x_shape)


register("linalg.inv", inv, F, notes="Gradient -A^{-T} g A^{-T}.")
register("linalg.solve", solve, F, notes="b is a vector only when 1-d (NumPy 2); "
         "batch dimensions broadcast.")
register("linalg.det", det, F, notes="Gradient adj(A)^T = det(A) A^{-T}; finite at singular "
         "A (from the SVD).")
register("linalg.slogdet", slogdet, F, notes="sign is constant for real input; "
         "logabsdet has gradient A^{-T}.")
register("linalg.tensorinv", tensorinv, F)
register("linalg.tensorsolve", tensorsolve, F)

__all__ = ["inv", "solve", "det", "slogdet", "tensorinv", "tensorsolve"]


# --- JVP rules (forward mode) -----------------------------------------------
def _solve_jvp(ts, ans, a, b):
    # x = A^{-1} b: dx = A^{-1} (db - dA x)
    ta, tb = ts
    vector = len(b.shape) == 1
    rhs = None if tb is None else (expand(tb, -1) if vector else tb)
    if ta is not None:
        part = -matmul(ta, expand(ans, -1) if vector else ans)
        rhs = part if rhs is None else rhs + part
    dx = _solve(a, rhs)
    return squeeze_last(dx) if vector else dx


def _trace_product(t, w):
    """``sum_ij t_ij w_ij`` over the last two axes (``tr(w^T t)``)."""
    return fnp.sum(t * w, axis=(-2, -1))


defjvp(_inv, lambda t, ans, a: -matmul(matmul(ans, t), ans))
defjvp_joint(_solve, _solve_jvp)
# det and slogdet: the VJP of a scalar result is g times a weight matrix W,
# so the JVP is the pairing of the tangent with W (finite at singular A for det).
defjvp(_det, lambda t, ans, a: _trace_product(t, vjp_weights(_det_rule, ans, a)))


def _slogdet_jvp(ts, ans, a):
    d = _trace_product(ts[0], mT(_inv(a)))  # tr(A^{-1} dA)
    if is_complex(a):
        return ans[0] * (1j * fnp.imag(d)), fnp.real(d)
    return None, d


defjvp_joint(_slogdet, _slogdet_jvp)

# --- batching rules (vmap) ------------------------------------------------
from ..._core import defbatch as _defbatch  # noqa: E402
from .. import _batching as _B  # noqa: E402

_defbatch(_B.stacked, _det, _inv, _slogdet)
_defbatch(_B.solve, _solve)
