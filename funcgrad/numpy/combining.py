"""Functions that combine neighbouring or paired elements: differences,
convolution and correlation, Kronecker and cross products, polynomial
evaluation and linear interpolation.

One primitive, the full 1-d convolution, whose VJPs are convolutions with the
other operand reversed; everything else composes slicing, reshaping,
broadcasting and elementwise arithmetic, so every rule is exact at any order.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from .._core import Box
from ._registry import dtype_of, primitive, register
from .assembly import concatenate
from .shaping import (_broadcast_to, _flip, _ndim, _reshape, _shape, as_array, moveaxis,
                      ravel)

F = "shaping"


def _fnp():
    from .. import numpy as fnp
    return fnp


def _concrete(x: Any) -> Any:
    while isinstance(x, Box):
        x = x._value
    return x


# --- differences ------------------------------------------------------------------
def _along(axis: int, ndim: int, sl: slice) -> tuple:
    return (slice(None),) * axis + (sl,) + (slice(None),) * (ndim - axis - 1)


def diff(a: Any, n: int = 1, axis: int = -1, prepend: Any = np._NoValue,
         append: Any = np._NoValue) -> Any:
    """Differentiable ``numpy.diff``: ``n``-th differences along ``axis``, with
    optional values joined before/after (scalars broadcast to one slice).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.diff(np.array([1.0, 4.0, 9.0]), prepend=0.0)
    array([1., 3., 5.])
    """
    if n == 0:
        return a
    if n < 0:
        raise ValueError("order must be non-negative but got " + repr(n))
    a = as_array(a)
    nd = _ndim(a)
    if nd == 0:
        raise ValueError("diff requires input that is at least one dimensional")
    axis = normalize_axis_index(axis, nd)
    parts = []
    for extra in (prepend, None, append):
        if extra is None:
            parts.append(a)
        elif extra is not np._NoValue:
            extra = as_array(extra)
            if _ndim(extra) == 0:
                shape = list(_shape(a))
                shape[axis] = 1
                extra = _broadcast_to(extra, tuple(shape))
            parts.append(extra)
    if len(parts) > 1:
        a = concatenate(parts, axis=axis)
    getitem = _fnp().getitem
    hi, lo = _along(axis, nd, slice(1, None)), _along(axis, nd, slice(None, -1))
    for _ in range(n):
        a = getitem(a, hi) - getitem(a, lo)
    return a


def ediff1d(ary: Any, to_end: Any = None, to_begin: Any = None) -> Any:
    """Differentiable ``numpy.ediff1d``: differences of the flattened array,
    with optional values before and after.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.ediff1d(np.array([1.0, 2.0, 4.0]), to_begin=-1.0)
    array([-1.,  1.,  2.])
    """
    ary = ravel(as_array(ary))
    dt = dtype_of(ary)
    getitem = _fnp().getitem
    parts = [getitem(ary, slice(1, None)) - getitem(ary, slice(None, -1))]
    if to_begin is not None:
        parts.insert(0, ravel(as_array(to_begin)))
    if to_end is not None:
        parts.append(ravel(as_array(to_end)))
    for i, p in enumerate(parts):
        if dtype_of(p) != dt:
            if not np.can_cast(dtype_of(p), dt, casting="same_kind"):
                raise TypeError("dtype of `to_begin`/`to_end` must be compatible with input "
                                "`ary` under the `same_kind` rule.")
            parts[i] = _fnp().astype(p, dt)
    return parts[0] if len(parts) == 1 else concatenate(parts)


# --- products of pairs ---------------------------------------------------------------
def kron(a: Any, b: Any) -> Any:
    """Differentiable ``numpy.kron`` (one broadcast product and a reshape).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.kron(np.eye(2), np.ones((1, 2)))
    array([[1., 1., 0., 0.],
           [0., 0., 1., 1.]])
    """
    a, b = as_array(a), as_array(b)
    if _ndim(a) == 0 or _ndim(b) == 0:
        return _fnp().multiply(a, b)
    nd = max(_ndim(a), _ndim(b))
    sa = (1,) * (nd - _ndim(a)) + _shape(a)
    sb = (1,) * (nd - _ndim(b)) + _shape(b)
    wide_a = _reshape(a, tuple(v for s in sa for v in (s, 1)))
    wide_b = _reshape(b, tuple(v for s in sb for v in (1, s)))
    return _reshape(_fnp().multiply(wide_a, wide_b), tuple(x * y for x, y in zip(sa, sb)))


def cross(a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1,
          axis: Optional[int] = None) -> Any:
    """Differentiable ``numpy.cross`` of 3-vectors (2-vectors are taken to have
    a zero third component; two 2-vectors give the scalar z-component).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.cross(np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]))
    array([0., 0., 1.])
    """
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = as_array(a), as_array(b)
    a = moveaxis(a, normalize_axis_index(axisa, _ndim(a)), -1)
    b = moveaxis(b, normalize_axis_index(axisb, _ndim(b)), -1)
    na, nb = _shape(a)[-1], _shape(b)[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ValueError("incompatible dimensions for cross product\n"
                         "(dimension must be 2 or 3)")
    getitem = _fnp().getitem
    a0, a1 = getitem(a, (Ellipsis, 0)), getitem(a, (Ellipsis, 1))
    b0, b1 = getitem(b, (Ellipsis, 0)), getitem(b, (Ellipsis, 1))
    z = a0 * b1 - a1 * b0
    if na == 2 and nb == 2:
        return z
    if na == 3 and nb == 3:
        a2, b2 = getitem(a, (Ellipsis, 2)), getitem(b, (Ellipsis, 2))
        x, y = a1 * b2 - a2 * b1, a2 * b0 - a0 * b2
    elif na == 2:
        b2 = getitem(b, (Ellipsis, 2))
        x, y = a1 * b2, -(a0 * b2)
    else:
        a2 = getitem(a, (Ellipsis, 2))
        x, y = -(a2 * b1), a2 * b0
    from .assembly import stack
    x, y, z = _fnp().broadcast_arrays(x, y, z)
    out = stack([x, y, z], axis=-1)
    return moveaxis(out, -1, normalize_axis_index(axisc, _ndim(out)))


# --- convolution and correlation ---------------------------------------------------------
def _conv_rule(g, ans, a, w, which):
    # d out[k] / d a[n] = w[k - n]: a correlation of g with w, i.e. a full
    # convolution with w reversed, of which the part aligned with a is kept.
    other = w if which == 0 else a
    n = _shape(a if which == 0 else w)[0]
    m = _shape(other)[0]
    full = _conv_full(g, _flip(other, axes=(0,)))
    return _fnp().getitem(full, slice(m - 1, m - 1 + n))


_conv_full = primitive("convolve", lambda a, w: np.convolve(a, w, "full"),
                       lambda g, ans, a, w: _conv_rule(g, ans, a, w, 0),
                       lambda g, ans, a, w: _conv_rule(g, ans, a, w, 1),
                       family=F, register_as="_convolve_full")

_MODES = {"v": 0, "s": 1, "f": 2}


def _mode(mode: Any) -> int:
    if isinstance(mode, str):
        try:
            return _MODES[mode.lower()[0]]
        except (KeyError, IndexError):
            raise ValueError(f"mode must be one of 'valid', 'same', or 'full' (got {mode!r})")
    return int(mode)


def _vectors(a: Any, v: Any) -> tuple:
    a, v = as_array(a), as_array(v)
    a = _reshape(a, (1,)) if _ndim(a) == 0 else a
    v = _reshape(v, (1,)) if _ndim(v) == 0 else v
    if _ndim(a) != 1 or _ndim(v) != 1:
        raise ValueError("object too deep for desired array")
    if _shape(a)[0] == 0:
        raise ValueError("a cannot be empty")
    if _shape(v)[0] == 0:
        raise ValueError("v cannot be empty")
    return a, v


def _keep(full: Any, n: int, m: int, mode: int, correlate: bool) -> Any:
    small, big = min(n, m), max(n, m)
    if mode == 2:
        return full
    if mode == 0:
        start, length = small - 1, big - small + 1
    else:
        start = small // 2 if correlate and n < m else (small - 1) // 2
        length = big
    return _fnp().getitem(full, slice(start, start + length))


def convolve(a: Any, v: Any, mode: str = "full") -> Any:
    """Differentiable ``numpy.convolve`` (modes ``full``, ``same``, ``valid``);
    gradients reach both operands.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.convolve(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5]), "same")
    array([1. , 2.5, 4. ])
    """
    a, v = _vectors(a, v)
    n, m = _shape(a)[0], _shape(v)[0]
    return _keep(_conv_full(a, v), n, m, _mode(mode), False)


def correlate(a: Any, v: Any, mode: str = "valid") -> Any:
    """Differentiable ``numpy.correlate``: ``c[k] = sum_n a[n + k] * conj(v[n])``
    (modes ``valid``, ``same``, ``full``); gradients reach both operands.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.correlate(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5]), "full")
    array([0.5, 2. , 3.5, 3. , 0. ])
    """
    a, v = _vectors(a, v)
    n, m = _shape(a)[0], _shape(v)[0]
    if dtype_of(v).kind == "c":
        v = _fnp().conjugate(v)
    return _keep(_conv_full(a, _flip(v, axes=(0,))), n, m, _mode(mode), True)


# --- polynomials and interpolation ---------------------------------------------------
def polyval(p: Any, x: Any) -> Any:
    """Differentiable ``numpy.polyval`` (Horner's scheme; gradients reach the
    coefficients and the points).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.polyval(np.array([1.0, 0.0, -1.0]), np.array([2.0, 3.0]))
    array([3., 8.])
    """
    p, x = as_array(p), as_array(x)
    y = np.zeros(_shape(x), dtype_of(x))
    getitem = _fnp().getitem
    for i in range(_shape(p)[0] if _ndim(p) else 1):
        pv = getitem(p, i) if _ndim(p) else p
        y = y * x + pv
    return y


def interp(x: Any, xp: Any, fp: Any, left: Any = None, right: Any = None,
           period: Any = None) -> Any:
    """Differentiable ``numpy.interp``: gradients reach ``fp`` (the weights of
    the two neighbouring points), ``x`` (the slope of its segment; at a knot
    the segment to its right, 0 outside ``[xp[0], xp[-1]]`` and at ``xp[-1]``)
    and ``xp``. Like NumPy, the result is float64 (complex128 for complex
    ``fp``).

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> xp, fp = np.array([0.0, 1.0, 2.0]), np.array([0.0, 10.0, 0.0])
    >>> funcgrad.grad(lambda f: fnp.interp(0.25, xp, f))(fp)
    array([0.75, 0.25, 0.  ])
    """
    fnp = _fnp()
    x, xp, fp = as_array(x), as_array(xp), as_array(fp)
    if _ndim(xp) != 1 or _ndim(fp) != 1:
        raise ValueError("object too deep for desired array")
    if _shape(xp)[0] != _shape(fp)[0]:
        raise ValueError("fp and xp are not of the same length.")
    if _shape(xp)[0] == 0:
        raise ValueError("array of sample points is empty")
    out_dt = np.complex128 if dtype_of(fp).kind == "c" else np.float64
    xp = fnp.astype(xp, np.float64) if dtype_of(xp) != np.float64 else xp
    fp = fnp.astype(fp, out_dt) if dtype_of(fp) != out_dt else fp
    x = fnp.astype(x, np.float64) if dtype_of(x) != np.float64 else x
    if period is not None:
        if period == 0:
            raise ValueError("period must be a non-zero value")
        period = abs(period)
        left = right = None
        x = x % period
        xp = xp % period
        order = np.argsort(_concrete(xp), kind="stable")
        xp, fp = fnp.getitem(xp, order), fnp.getitem(fp, order)
        xp = concatenate([fnp.getitem(xp, slice(-1, None)) - period, xp,
                          fnp.getitem(xp, slice(0, 1)) + period])
        fp = concatenate([fnp.getitem(fp, slice(-1, None)), fp, fnp.getitem(fp, slice(0, 1))])
    m = _shape(xp)[0]
    first, last = fnp.getitem(xp, 0), fnp.getitem(xp, -1)
    f_first, f_last = fnp.getitem(fp, 0), fnp.getitem(fp, -1)
    if m == 1:
        inside = _broadcast_to(f_first, _shape(x))
    else:
        xc, xpc = _concrete(x), _concrete(xp)
        j = np.clip(np.searchsorted(xpc, xc, side="right") - 1, 0, m - 2)
        x0, x1 = fnp.getitem(xp, j), fnp.getitem(xp, j + 1)
        f0, f1 = fnp.getitem(fp, j), fnp.getitem(fp, j + 1)
        width = x1 - x0
        safe = fnp.where(fnp.equal(width, 0), 1.0, width)
        slope = fnp.where(fnp.equal(width, 0), 0.0, (f1 - f0) / safe)
        inside = slope * (x - x0) + f0
    left = f_first if left is None else as_array(left)
    right = f_last if right is None else as_array(right)
    out = fnp.where(fnp.less(x, first), left,
                    fnp.where(fnp.greater(x, last), right,
                              fnp.where(fnp.equal(x, last), f_last, inside)))
    return fnp.astype(out, out_dt) if dtype_of(out) != out_dt else out


_NOTES = {
    "convolve": "1-d, modes full/same/valid; gradients reach both operands.",
    "correlate": "1-d, modes valid/same/full, conjugates v (as NumPy); gradients reach both.",
    "cross": "2-vectors have a zero third component; two 2-vectors give the z-component.",
    "interp": "Gradients reach fp, x and xp. At a knot x takes the slope of the segment to "
              "its right; 0 outside [xp[0], xp[-1]] and at xp[-1]. period= supported. "
              "The result is float64/complex128, as in NumPy.",
}

for _name, _fn in [("diff", diff), ("ediff1d", ediff1d), ("kron", kron),
                   ("cross", cross), ("convolve", convolve), ("correlate", correlate),
                   ("polyval", polyval), ("interp", interp)]:
    register(_name, _fn, F, notes=_NOTES.get(_name, ""))
