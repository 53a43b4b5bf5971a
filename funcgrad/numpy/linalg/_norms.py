"""norm, vector_norm, matrix_norm, cond.

Vector norms are one primitive with a rule per ``ord``; matrix norms are
built from it, from sums of absolute values with a tie-sharing max/min, and
from singular values. Conventions at non-differentiable points:

* every norm has gradient 0 at ``x == 0`` (not NaN);
* ``ord=1`` (and the p-norms) use ``fnp.sign(x)`` (0 at 0) for ``|x|``;
* ``inf``/``-inf`` (and matrix ``1``/``-1``/``inf``/``-inf``): ties share
  the gradient equally;
* ``ord=0`` (a count) has gradient 0;
* ``'nuc'``, ``2``, ``-2`` go through singular values (``U Vh`` for ``'nuc'``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..._core.primitive import defjvp
from .. import _compat
from .._arraytypes import is_foreign_array
from .._jvp import vjp_weights

from .._registry import dtype_of, primitive, register, shape_of
from ..products import fnp, reshape
from ._decomp import _svdvals
from ._basic import _inv
from ._util import F, expand_reduced, is_complex

_INF = float("inf")


def _phase(x: Any, absx: Any) -> Any:
    """d|x|: fnp.sign(x) for real x, conj(x)/|x| for complex x (0 at 0)."""
    if is_complex(x):
        zero = fnp.equal(absx, 0)
        return fnp.where(zero, 0.0, fnp.conjugate(x) / fnp.where(zero, 1.0, absx))
    return fnp.sign(x)


def _vnorm_impl(x, ord=2, axis=None, keepdims=False):
    if is_foreign_array(x) and ord == 2:  # (Dask has no vector_norm)
        return np.sqrt(np.sum(abs(x) ** 2, axis=axis, keepdims=keepdims))
    return _compat.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord)


def _vnorm_rule(g, ans, x, ord=2, axis=None, keepdims=False):
    nd = len(shape_of(x))
    ge = expand_reduced(g, nd, axis, keepdims)
    ae = expand_reduced(ans, nd, axis, keepdims)
    if ord == 0:
        return None
    if ord == 2:
        zero = fnp.equal(ae, 0)
        return fnp.where(zero, 0.0, ge * (fnp.conjugate(x) if is_complex(x) else x) / fnp.where(zero, 1.0, ae))
    absx = fnp.absolute(x)
    phase = _phase(x, absx)
    if ord == 1:
        return ge * phase
    if ord in (_INF, -_INF):
        hit = fnp.equal(absx, ae)
        hit = np.asarray(_value(hit))
        share = hit / np.sum(hit, axis=axis, keepdims=True)
        return ge * phase * share.astype(_real_dtype(x))
    p = float(ord)
    zero = fnp.equal(absx, 0) | fnp.equal(ae, 0)
    safe_abs = fnp.where(zero, 1.0, absx)
    safe_ans = fnp.where(zero, 1.0, ae)
    return fnp.where(zero, 0.0, ge * fnp.power(safe_ans, 1.0 - p) * fnp.power(safe_abs, p - 1.0) * phase)


def _real_dtype(x: Any) -> np.dtype:
    return np.finfo(dtype_of(x)).dtype


def _value(x: Any) -> Any:
    from .._dispatch import strip
    return strip(x)


_vnorm = primitive("vector_norm", _vnorm_impl, _vnorm_rule, family=F,
                   register_as="linalg._vector_norm")


def _extreme_impl(x, axis, kind):
    return np.max(x, axis=axis) if kind == "max" else np.min(x, axis=axis)


def _extreme_rule(g, ans, x, axis, kind):
    nd = len(shape_of(x))
    hit = np.asarray(_value(fnp.equal(x, expand_reduced(ans, nd, axis, False))))
    share = hit / np.sum(hit, axis=axis, keepdims=True)
    return expand_reduced(g, nd, axis, False) * share.astype(_real_dtype(x))


_extreme = primitive("extreme", _extreme_impl, _extreme_rule, family=F,
                     register_as="linalg._extreme")


def _normalize_axis(axis: Any, nd: int) -> tuple:
    if isinstance(axis, (int, np.integer)):
        axis = (axis,)
    try:
        axis = tuple(int(a) for a in axis)
    except TypeError:
        raise TypeError("'axis' must be None, an integer or a tuple of integers") from None
    return tuple(a % nd if -nd <= a < nd else _bad_axis(a, nd) for a in axis)


def _bad_axis(a: int, nd: int) -> int:
    raise np.exceptions.AxisError(a, nd)


def _matrix(x: Any, ord: Any, row: int, col: int, keepdims: bool) -> Any:
    nd = len(shape_of(x))
    if row == col:
        raise ValueError("Duplicate axes given.")
    if ord in (None, "fro", "f"):
        out = _vnorm(x, ord=2, axis=(row, col), keepdims=False)
    elif ord in (2, -2, "nuc"):
        perm = tuple(k for k in range(nd) if k not in (row, col)) + (row, col)
        s = _svdvals(fnp.transpose(x, perm))
        if ord == "nuc":
            out = fnp.sum(s, axis=-1)
        else:
            out = s[..., 0 if ord == 2 else -1]
    elif ord in (1, -1, _INF, -_INF):
        absx = fnp.absolute(x)
        inner, outer = (row, col) if ord in (1, -1) else (col, row)
        sums = fnp.sum(absx, axis=inner)
        if outer > inner:
            outer -= 1
        out = _extreme(sums, axis=outer, kind="max" if ord in (1, _INF) else "min")
    else:
        raise ValueError("Invalid norm order for matrices.")
    if keepdims:
        shape = list(shape_of(out))
        for k in sorted((row, col)):
            shape.insert(k, 1)
        out = reshape(out, tuple(shape))
    return out


def _as_float(x: Any) -> Any:
    if not hasattr(x, "shape"):
        x = np.asarray(x)
    if dtype_of(x).kind not in "fc":
        x = np.asarray(x, dtype=float)
    return x


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:
    """Differentiable ``numpy.linalg.norm``: vector norms (``ord`` None/2,
    1, inf, -inf, 0, any p) and matrix norms (``'fro'``, ``'nuc'``, 1, -1, 2,
    -2, inf, -inf), ``axis`` (int or pair) and ``keepdims`` as in NumPy.
    Gradients at ``x == 0`` are 0; see the module notes for ties.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(fnp.linalg.norm)(np.array([3.0, 4.0]))
    array([0.6, 0.8])
    >>> funcgrad.grad(fnp.linalg.norm)(np.zeros(2))
    array([0., 0.])
    """
    x = _as_float(x)
    nd = len(shape_of(x))
    if axis is None:
        if ord is None:
            return _vnorm(x, ord=2, axis=None, keepdims=keepdims) if not keepdims else \
                reshape(_vnorm(x, ord=2, axis=None), (1,) * nd)
        if nd == 1:
            axis = (0,)
        elif nd == 2:
            axis = (0, 1)
        else:
            raise ValueError("Improper number of dimensions to norm.")
    axis = _normalize_axis(axis, nd)
    if len(axis) == 1:
        if isinstance(ord, str):
            raise ValueError(f"Invalid norm order '{ord}' for vectors")
        return _vnorm(x, ord=2 if ord is None else ord, axis=axis, keepdims=keepdims)
    if len(axis) == 2:
        return _matrix(x, ord, axis[0], axis[1], keepdims)
    raise ValueError("Improper number of dimensions to norm.")


def vector_norm(x: Any, /, *, axis: Any = None, keepdims: bool = False, ord: Any = 2) -> Any:
    """Differentiable ``numpy.linalg.vector_norm`` (``axis=None`` flattens any
    number of dimensions; a tuple of axes is one flattened vector).

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda v: fnp.linalg.vector_norm(v, ord=1))(np.array([-2.0, 0.0, 3.0]))
    array([-1.,  0.,  1.])
    """
    x = _as_float(x)
    if isinstance(axis, list):
        axis = tuple(axis)
    return _vnorm(x, ord=ord, axis=axis, keepdims=keepdims)


def matrix_norm(x: Any, /, *, keepdims: bool = False, ord: Any = "fro") -> Any:
    """Differentiable ``numpy.linalg.matrix_norm`` over the last two axes.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> float(fnp.linalg.matrix_norm(np.eye(3), ord="nuc"))
    3.0
    """
    x = _as_float(x)
    nd = len(shape_of(x))
    return _matrix(x, ord, nd - 2, nd - 1, keepdims)


def cond(x: Any, p: Any = None) -> Any:
    """Differentiable ``numpy.linalg.cond``: ``s_max / s_min`` for ``p`` in
    (None, 2, -2), else ``norm(x, p) * norm(inv(x), p)``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> float(fnp.linalg.cond(np.diag([1.0, 4.0])))
    4.0
    """
    x = _as_float(x)
    nd = len(shape_of(x))
    if p in (None, 2, -2):
        s = _svdvals(x)
        first, last = s[..., 0], s[..., -1]
        return first / last if p != -2 else last / first
    return _matrix(x, p, nd - 2, nd - 1, False) * _matrix(_inv(x), p, nd - 2, nd - 1, False)


register("linalg.norm", norm, F, notes="Vector ords None/2/1/inf/-inf/0/p, matrix ords "
         "fro/nuc/1/-1/2/-2/inf/-inf; gradient 0 at x == 0; ties share the gradient.")
register("linalg.vector_norm", vector_norm, F, notes="Gradient 0 at x == 0.")
register("linalg.matrix_norm", matrix_norm, F)
register("linalg.cond", cond, F)

__all__ = ["norm", "vector_norm", "matrix_norm", "cond"]


# --- JVP rules (forward mode) -----------------------------------------------
defjvp(_vnorm, lambda t, ans, x, ord=2, axis=None, keepdims=False: fnp.sum(
    t * vjp_weights(_vnorm_rule, ans, x, ord, axis, keepdims), axis=axis, keepdims=keepdims)
    if ord != 0 else None)
defjvp(_extreme, lambda t, ans, x, axis, kind: fnp.sum(
    t * vjp_weights(_extreme_rule, ans, x, axis, kind), axis=axis))

# --- batching rules (vmap) ------------------------------------------------
from ..._core import defbatch as _defbatch  # noqa: E402
from .. import _batching as _B  # noqa: E402

_defbatch(_B.axis_rule(pos=2), _vnorm)
_defbatch(_B.axis_rule(), _extreme)
