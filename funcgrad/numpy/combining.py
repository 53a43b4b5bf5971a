"""Functions that combine neighbouring or paired elements: differences,
convolution and correlation, Kronecker and cross products, polynomial
evaluation and linear interpolation.

One primitive, the full 1-d convolution, whose VJPs are convolutions with the
other operand reversed; everything else composes slicing, reshaping,
broadcasting and elementwise arithmetic, so every rule is exact at any order.
"""
from __future__ import annotations

from typing import Any, Optional

import operator

import numpy as np

from .._core.primitive import defjvp_multilinear
from ._compat import normalize_axis_index, normalize_axis_tuple

from .._core import concrete as _concrete
from ._registry import namespace as _fnp
from ._registry import dtype_of, primitive, register
from .assembly import concatenate
from .shaping import (_broadcast_to, _flip, _ndim, _reshape, _shape, as_array, moveaxis,
                      ravel)

F = "shaping"


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


def _poly_pair(a1: Any, a2: Any) -> tuple:
    a1, a2 = as_array(a1), as_array(a2)
    a1 = _reshape(a1, (1,)) if _ndim(a1) == 0 else a1
    a2 = _reshape(a2, (1,)) if _ndim(a2) == 0 else a2
    n1, n2 = _shape(a1)[0], _shape(a2)[0]
    if n2 > n1:
        a1 = concatenate([np.zeros(n2 - n1, dtype_of(a1)), a1])
    elif n1 > n2:
        a2 = concatenate([np.zeros(n1 - n2, dtype_of(a2)), a2])
    return a1, a2


def polyadd(a1: Any, a2: Any) -> Any:
    """Differentiable ``numpy.polyadd`` (coefficient arrays, highest power first).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.polyadd(np.array([1.0, 2.0]), np.array([1.0, 0.0, 3.0]))
    array([1., 1., 5.])
    """
    a1, a2 = _poly_pair(a1, a2)
    return a1 + a2


def polysub(a1: Any, a2: Any) -> Any:
    """Differentiable ``numpy.polysub`` (coefficient arrays, highest power first).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.polysub(np.array([1.0, 2.0]), np.array([1.0, 0.0, 3.0]))
    array([-1.,  1., -1.])
    """
    a1, a2 = _poly_pair(a1, a2)
    return a1 - a2


def polymul(a1: Any, a2: Any) -> Any:
    """Differentiable ``numpy.polymul``: the coefficients' full convolution
    (leading zero coefficients dropped first, as NumPy's ``poly1d`` does).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.polymul(np.array([1.0, 1.0]), np.array([1.0, -1.0]))
    array([ 1.,  0., -1.])
    """
    return convolve(_trim_leading_zeros(a1), _trim_leading_zeros(a2))


def _trim_leading_zeros(a: Any) -> Any:
    # numpy.polymul goes through poly1d, which drops leading zero coefficients
    # (all zeros leave one); the dropped ones get no gradient.
    a = as_array(a)
    a = _reshape(a, (1,)) if _ndim(a) == 0 else a
    nz = np.flatnonzero(_concrete(a))
    start = int(nz[0]) if nz.size else _shape(a)[0] - 1
    return _fnp().getitem(a, slice(start, None)) if start else a


def polyder(p: Any, m: int = 1) -> Any:
    """Differentiable ``numpy.polyder``: coefficients of the ``m``-th derivative.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.polyder(np.array([1.0, 1.0, 1.0]))
    array([2., 1.])
    """
    m = int(m)
    if m < 0:
        raise ValueError("Order of derivative must be positive (see polyint)")
    p = as_array(p)
    for _ in range(m):
        n = _shape(p)[0] - 1
        p = _fnp().getitem(p, slice(None, -1)) * np.arange(n, 0, -1)
    return p


def polyint(p: Any, m: int = 1, k: Any = None) -> Any:
    """Differentiable ``numpy.polyint``: coefficients of the ``m``-th
    antiderivative with integration constants ``k`` (which may be traced).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.polyint(np.array([3.0, 2.0]), k=5.0)
    array([1.5, 2. , 5. ])
    """
    m = int(m)
    if m < 0:
        raise ValueError("Order of integral must be positive (see polyder)")
    k = np.zeros(m, float) if k is None else as_array(k)
    k = _reshape(k, (1,)) if _ndim(k) == 0 else k
    if _shape(k)[0] == 1 and m > 1:
        k = _fnp().getitem(k, 0) * np.ones(m, float)
    if _shape(k)[0] < m:
        raise ValueError("k must be a scalar or a rank-1 array of length 1 or >m.")
    p = as_array(p)
    getitem = _fnp().getitem
    for i in range(m):
        p = concatenate([p / np.arange(_shape(p)[0], 0, -1), _reshape(getitem(k, i), (1,))])
    return p


def polydiv(u: Any, v: Any) -> tuple:
    """Differentiable ``numpy.polydiv``: quotient and remainder of polynomial
    long division (leading remainder terms within 1e-14 of zero dropped, as
    NumPy decides on the values).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.polydiv(np.array([1.0, 0.0, -1.0]), np.array([1.0, 1.0]))
    (array([ 1., -1.]), array([0.]))
    """
    fnp = _fnp()
    u, v = as_array(u), as_array(v)
    u = (_reshape(u, (1,)) if _ndim(u) == 0 else u) + 0.0
    v = (_reshape(v, (1,)) if _ndim(v) == 0 else v) + 0.0
    getitem = fnp.getitem
    dt = np.result_type(dtype_of(u), dtype_of(v))
    u = u if dtype_of(u) == dt else fnp.astype(u, dt)
    m, n = _shape(u)[0] - 1, _shape(v)[0] - 1
    scale = 1.0 / getitem(v, 0)
    r = u
    q = []
    for k in range(m - n + 1):
        d = scale * getitem(r, k)
        q.append(d)
        parts = [np.zeros(k, dt), d * v, np.zeros(m - n - k, dt)]
        r = r - concatenate([p for p in parts if _shape(p)[0]])
    quotient = (_fnp().stack(q) if q else np.zeros(1, dt))
    if dtype_of(quotient) != dt:
        quotient = fnp.astype(quotient, dt)
    start = 0
    rv = _concrete(r)
    while start < len(rv) - 1 and np.allclose(rv[start], 0, rtol=1e-14):
        start += 1
    return quotient, (getitem(r, slice(start, None)) if start else r)


def poly(seq_of_zeros: Any) -> Any:
    """Differentiable ``numpy.poly``: coefficients of the monic polynomial with
    the given roots, or the characteristic polynomial of a square matrix
    (NumPy's value; the gradient of the Faddeev-LeVerrier recurrence, exact
    also where eigenvalues repeat).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.poly(np.array([1.0, 2.0]))
    array([ 1., -3.,  2.])
    """
    fnp = _fnp()
    z = as_array(seq_of_zeros)
    z = _reshape(z, (1,)) if _ndim(z) == 0 else z
    sh = _shape(z)
    if len(sh) == 2 and sh[0] == sh[1] and sh[0] != 0:
        return _charpoly(z)
    elif len(sh) == 1:
        want = np.dtype(np.mintypecode(dtype_of(z).char))
        z = z if dtype_of(z) == want else fnp.astype(z, want)
    else:
        raise ValueError("input must be 1d or non-empty square 2d array.")
    if _shape(z)[0] == 0:
        return 1.0
    dt = dtype_of(z)
    a = np.ones((1,), dtype=dt)
    for i in range(_shape(z)[0]):
        factor = concatenate([np.ones((1,), dt), _reshape(-fnp.getitem(z, i), (1,))])
        a = convolve(a, factor, mode="full")
    if dtype_of(a).kind == "c":
        roots_ = np.asarray(_concrete(z), complex)
        if np.all(np.sort(roots_) == np.sort(roots_.conjugate())):
            a = fnp.real(a)
    return a


def _charpoly(a: Any) -> Any:
    # The characteristic polynomial is smooth in the matrix even where its
    # eigenvalues collide, so its gradient comes from the Faddeev-LeVerrier
    # recurrence (matrix products and traces); the value is NumPy's own
    # (through the eigenvalues), added as a constant correction.
    fnp = _fnp()
    n = _shape(a)[0]
    eye = np.eye(n, dtype=dtype_of(a))
    coeffs = [np.ones((), dtype_of(a))]
    m = None
    for k in range(1, n + 1):
        m = eye * coeffs[-1] if m is None else fnp.matmul(a, m) + eye * coeffs[-1]
        coeffs.append(-fnp.trace(fnp.matmul(a, m)) / k)
    smooth = fnp.stack([fnp.asarray(c) for c in coeffs])
    value = np.poly(_concrete(a))
    if value.dtype.kind != "c" and dtype_of(smooth).kind == "c":
        smooth = fnp.real(smooth)
    return smooth + (value - _concrete(smooth))


def roots(p: Any) -> Any:
    """Differentiable ``numpy.roots``: the eigenvalues of the companion matrix
    (through ``linalg.eigvals``; complex in general). Roots must be simple for
    the gradient to exist. Zero coefficients at either end are stripped on
    the values, as NumPy does, so the roots at 0 that trailing zeros give are
    constants.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> np.sort(fnp.roots(np.array([1.0, -3.0, 2.0])))
    array([1., 2.])
    """
    fnp = _fnp()
    p = as_array(p)
    p = _reshape(p, (1,)) if _ndim(p) == 0 else p
    if _ndim(p) != 1:
        raise ValueError("Input must be a rank-1 array.")
    nz = np.flatnonzero(_concrete(p))
    if nz.size == 0:
        return np.array([])
    trailing = _shape(p)[0] - int(nz[-1]) - 1
    p = fnp.getitem(p, slice(int(nz[0]), int(nz[-1]) + 1))
    if dtype_of(p).kind not in "fc":
        p = fnp.astype(p, np.float64)
    n = _shape(p)[0]
    if n > 1:
        first = _reshape(-fnp.getitem(p, slice(1, None)) / fnp.getitem(p, 0), (1, n - 1))
        companion = concatenate([first, np.eye(n - 2, n - 1, dtype=dtype_of(p))], axis=0)
        found = fnp.linalg.eigvals(companion)
    else:
        found = np.array([])
    if trailing:
        found = concatenate([found, np.zeros(trailing, dtype_of(found))])
    return found


def polyfit(x: Any, y: Any, deg: int, rcond: Any = None, full: bool = False, w: Any = None,
            cov: Any = False) -> Any:
    """Differentiable ``numpy.polyfit``: least-squares coefficients (through
    ``linalg.lstsq``), differentiable in ``x``, ``y`` and ``w``. ``cov=True``
    is not supported.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> x = np.array([0.0, 1.0, 2.0])
    >>> np.round(fnp.polyfit(x, 2 * x + 1, 1), 12)
    array([2., 1.])
    """
    if cov:
        raise NotImplementedError("funcgrad.numpy.polyfit does not support cov=")
    fnp = _fnp()
    order = int(deg) + 1
    x, y = as_array(x) + 0.0, as_array(y) + 0.0
    if deg < 0:
        raise ValueError("expected deg >= 0")
    if _ndim(x) != 1:
        raise TypeError("expected 1D vector for x")
    if _shape(x)[0] == 0:
        raise TypeError("expected non-empty vector for x")
    if _ndim(y) < 1 or _ndim(y) > 2:
        raise TypeError("expected 1D or 2D array for y")
    if _shape(x)[0] != _shape(y)[0]:
        raise TypeError("expected x and y to have same length")
    if rcond is None:
        rcond = _shape(x)[0] * np.finfo(dtype_of(x)).eps
    lhs = vander(x, order)
    rhs = y
    if w is not None:
        w = as_array(w) + 0.0
        if _ndim(w) != 1:
            raise TypeError("expected a 1-d array for weights")
        if _shape(w)[0] != _shape(y)[0]:
            raise TypeError("expected w and y to have the same length")
        column = _reshape(w, (-1, 1))
        lhs = lhs * column
        rhs = rhs * (column if _ndim(rhs) == 2 else w)
    scale = fnp.sqrt(fnp.sum(lhs * lhs, axis=0))
    lhs = lhs / scale
    c, resids, rank, s = fnp.linalg.lstsq(lhs, rhs, rcond)
    c = fnp.transpose(fnp.transpose(c) / scale)
    if rank != order and not full:
        import warnings
        warnings.warn("Polyfit may be poorly conditioned", np.exceptions.RankWarning,
                      stacklevel=2)
    if full:
        return c, resids, rank, s, rcond
    return c


def vander(x: Any, N: Optional[int] = None, increasing: bool = False) -> Any:
    """Differentiable ``numpy.vander``: columns are powers of ``x`` (built by
    repeated multiplication, as NumPy's cumulative product does).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.vander(np.array([2.0, 3.0]), 3)
    array([[4., 2., 1.],
           [9., 3., 1.]])
    """
    x = as_array(x)
    if _ndim(x) != 1:
        raise ValueError("x must be a one-dimensional array or sequence.")
    n = _shape(x)[0]
    N = n if N is None else operator.index(N)
    dt = np.promote_types(dtype_of(x), int)
    if dtype_of(x) != dt:
        x = _fnp().astype(x, dt)
    if N == 0:
        return np.ones((n, 0), dt)
    column = _reshape(x, (n, 1))
    cols = [np.ones((n, 1), dt)]
    if N > 1:
        cols.append(column)
    for _ in range(N - 2):
        cols.append(cols[-1] * column)
    out = concatenate(cols, axis=1) if len(cols) > 1 else _broadcast_to(cols[0], (n, 1))
    return out if increasing else _flip(out, axes=(1,))


def unwrap(p: Any, discont: Any = None, axis: int = -1, *, period: float = 2 * np.pi) -> Any:
    """Differentiable ``numpy.unwrap``: the added multiples of ``period`` are
    constants, so the gradient passes through unchanged.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.unwrap(np.array([0.0, 3.0, 6.5]), period=4.0)
    array([ 0. , -1. , -1.5])
    """
    p = as_array(p)
    v = _concrete(p)
    jumps = np.unwrap(v, discont=discont, axis=axis, period=period) - v
    return p + jumps


def gradient(f: Any, *varargs: Any, axis: Any = None, edge_order: int = 1) -> Any:
    """Differentiable ``numpy.gradient`` in ``f`` (spacings and coordinates are
    constants): second-order central differences inside, one-sided
    differences of order ``edge_order`` at the edges.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.gradient(np.array([1.0, 2.0, 4.0, 7.0]))
    array([1. , 1.5, 2.5, 3. ])
    """
    f = as_array(f)
    n = _ndim(f)
    axes = tuple(range(n)) if axis is None else normalize_axis_tuple(axis, n)
    if len(varargs) == 0:
        spacing = [1.0] * len(axes)
    elif len(varargs) == 1 and np.ndim(_concrete(varargs[0])) == 0:
        spacing = [_concrete(varargs[0])] * len(axes)
    elif len(varargs) == len(axes):
        spacing = [_concrete(v) for v in varargs]
    else:
        raise TypeError("invalid number of arguments")
    if edge_order > 2:
        raise ValueError("'edge_order' greater than 2 not supported")
    outs = [_gradient_along(f, ax, d, edge_order) for ax, d in zip(axes, spacing)]
    return outs[0] if len(outs) == 1 else tuple(outs)


def _gradient_along(f: Any, axis: int, d: Any, edge_order: int) -> Any:
    n = _ndim(f)
    length = _shape(f)[axis]
    if length < edge_order + 1:
        raise ValueError("Shape of array too small to calculate a numerical gradient, "
                         "at least (edge_order + 1) elements are required.")
    getitem = _fnp().getitem

    def at(sl: Any) -> Any:
        return getitem(f, _along(axis, n, sl))

    if dtype_of(f).kind not in "fc":
        f = _fnp().astype(f, np.float64)
    otype = dtype_of(f)
    if np.ndim(d) == 1 and len(d) == length:
        d = np.asarray(d)
        if d.dtype.kind in "iu":
            d = d.astype(np.float64)
        dx = np.diff(d)
        if np.all(dx == dx[0]):  # uniform coordinates: NumPy uses the spacing
            d = dx[0]
    if np.ndim(d) == 0:
        inner = (at(slice(2, None)) - at(slice(None, -2))) / (2.0 * d)
        if edge_order == 1:
            first = (at(slice(1, 2)) - at(slice(0, 1))) / d
            last = (at(slice(-1, None)) - at(slice(-2, -1))) / d
        else:
            first = (-1.5 / d) * at(slice(0, 1)) + (2.0 / d) * at(slice(1, 2)) + (
                -0.5 / d) * at(slice(2, 3))
            last = (0.5 / d) * at(slice(-3, -2)) + (-2.0 / d) * at(slice(-2, -1)) + (
                1.5 / d) * at(slice(-1, None))
    else:
        d = np.asarray(d)
        if d.ndim != 1 or len(d) != length:
            raise ValueError("when 1d, distances must match the length of the "
                             "corresponding dimension")
        shape = [1] * n
        shape[axis] = -1

        def col(c: np.ndarray) -> np.ndarray:
            return c.reshape(shape)

        dx1, dx2 = dx[:-1], dx[1:]
        a = -dx2 / (dx1 * (dx1 + dx2))
        b = (dx2 - dx1) / (dx1 * dx2)
        c = dx1 / (dx2 * (dx1 + dx2))
        inner = col(a) * at(slice(None, -2)) + col(b) * at(slice(1, -1)) + col(c) * at(
            slice(2, None))
        if edge_order == 1:
            first = (at(slice(1, 2)) - at(slice(0, 1))) / dx[0]
            last = (at(slice(-1, None)) - at(slice(-2, -1))) / dx[-1]
        else:
            d1, d2 = dx[0], dx[1]
            a0, b0, c0 = (-(2.0 * d1 + d2) / (d1 * (d1 + d2)), (d1 + d2) / (d1 * d2),
                          -d1 / (d2 * (d1 + d2)))
            first = a0 * at(slice(0, 1)) + b0 * at(slice(1, 2)) + c0 * at(slice(2, 3))
            d1, d2 = dx[-2], dx[-1]
            a1, b1, c1 = (d2 / (d1 * (d1 + d2)), -(d2 + d1) / (d1 * d2),
                          (2.0 * d2 + d1) / (d2 * (d1 + d2)))
            last = a1 * at(slice(-3, -2)) + b1 * at(slice(-2, -1)) + c1 * at(slice(-1, None))
    out = concatenate([first, inner, last], axis=axis)
    return out if dtype_of(out) == otype else _fnp().astype(out, otype)


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
    "polydiv": "Which leading remainder terms are dropped is decided on the values.",
    "roots": "Through linalg.eigvals of the companion matrix: needs simple roots. Leading "
             "and trailing zero coefficients are stripped on the values, as NumPy does: "
             "the roots at 0 of trailing zeros are constants.",
    "polyfit": "Through linalg.lstsq; differentiable in x, y and w; cov= unsupported.",
    "unwrap": "The added multiples of period are constants: the gradient passes through.",
    "gradient": "Differentiable in f; spacings and coordinates are constants.",
    "vander": "Powers by repeated multiplication, as NumPy (float32 becomes float64, as NumPy).",
    "interp": "Gradients reach fp, x and xp. At a knot x takes the slope of the segment to "
              "its right; 0 outside [xp[0], xp[-1]] and at xp[-1]. period= supported. "
              "The result is float64/complex128, as in NumPy.",
}

for _name, _fn in [("diff", diff), ("ediff1d", ediff1d), ("kron", kron),
                   ("cross", cross), ("convolve", convolve), ("correlate", correlate),
                   ("polyval", polyval), ("interp", interp), ("polyadd", polyadd),
                   ("polysub", polysub), ("polymul", polymul), ("polyder", polyder),
                   ("polyint", polyint), ("vander", vander), ("unwrap", unwrap),
                   ("gradient", gradient), ("polydiv", polydiv), ("poly", poly),
                   ("roots", roots), ("polyfit", polyfit)]:
    register(_name, _fn, F, notes=_NOTES.get(_name, ""))


# --- JVP rules (forward mode) -----------------------------------------------
defjvp_multilinear(_conv_full)  # bilinear in signal and kernel

# --- batching rules (vmap) ------------------------------------------------
from . import _batching as _B  # noqa: E402

# Functions whose results' shapes or values NumPy works out from concrete
# values (leading zeros, sign changes, sorted abscissae): one call per example.
_B.loop_functions(globals(), "polymul", "polydiv", "poly", "roots", "polyfit", "unwrap", "interp")
