"""Everything that differs between the NumPy versions funcgrad supports
(1.26 to the newest; CI runs the core and NumPy-family tests on both ends:
.ci/run). Every version check lives here; the rest of funcgrad imports the
names below and never asks which NumPy it runs on.

* names whose home moved in NumPy 2.0 (``normalize_axis_index``, linalg's
  named-tuple results);
* NumPy 2 functions and keywords funcgrad's implementations call, written
  here for NumPy 1.26 with NumPy 2's semantics (``vector_norm``,
  ``pinv(rtol=)``, ``asarray(copy=)``, ``device=``);
* :data:`LEGACY_PROMOTION`: NumPy 1.x's value-based casting, where a NumPy
  scalar meeting a Python scalar (``np.float32(2) * 3.0``) gives float64,
  while NumPy 2 (NEP 50) keeps float32;
* :data:`NEW_IN_NUMPY`: the NumPy 2 names funcgrad.numpy provides (with
  the NumPy version that added them), so the coverage table can say which
  exist on NumPy 1.26 only through funcgrad.

>>> from funcgrad.numpy._compat import NEW_IN_NUMPY
>>> NEW_IN_NUMPY["vecdot"], NEW_IN_NUMPY["matvec"]
('2.0', '2.2')
"""
from __future__ import annotations

from typing import Any

import numpy as np

NUMPY2 = int(np.__version__.split(".")[0]) >= 2

try:  # NumPy >= 2.0: the public home
    from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple
except ImportError:  # NumPy 1.26: numpy.core, public in 1.x
    from numpy.core.multiarray import normalize_axis_index  # type: ignore[no-redef]
    from numpy.core.numeric import normalize_axis_tuple  # type: ignore[no-redef]

__all__ = ["normalize_axis_index", "normalize_axis_tuple"]

# NumPy's named-tuple results of linalg (numpy.linalg._linalg in 2.x,
# numpy.linalg.linalg in 1.26), found from what the public functions return.
_I1 = np.eye(1)
SlogdetResult = type(np.linalg.slogdet(_I1))
EighResult = type(np.linalg.eigh(_I1))
SVDResult = type(np.linalg.svd(_I1))
QRResult = type(np.linalg.qr(_I1))
EigResult = type(np.linalg.eig(_I1))
del _I1
__all__ += ["SlogdetResult", "EighResult", "SVDResult", "QRResult", "EigResult"]

#: NumPy 1.x value-based casting: NumPy scalars (and 0-d arrays) meeting
#: Python scalars promote by the Python scalar's default dtype.
LEGACY_PROMOTION: bool = np.result_type(np.float32(1), 1.0) == np.float64

#: NumPy names that NumPy 1.26 lacks and funcgrad.numpy provides on every
#: NumPy (its own implementations), with the NumPy version that added them.
#: tests/numpy/test_namespace.py checks this table against the installed NumPy.
NEW_IN_NUMPY: dict = {
    **dict.fromkeys([
        "astype", "matrix_transpose", "trapezoid", "vecdot", "permute_dims", "concat", "pow",
        "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "bitwise_invert",
        "bitwise_left_shift", "bitwise_right_shift", "linalg.cross", "linalg.diagonal",
        "linalg.matrix_norm", "linalg.matrix_transpose", "linalg.svdvals", "linalg.trace",
        "linalg.vector_norm", "linalg.matmul", "linalg.outer", "linalg.tensordot",
        "linalg.vecdot"], "2.0"),
    **dict.fromkeys(["cumulative_sum", "cumulative_prod", "unstack"], "2.1"),
    **dict.fromkeys(["matvec", "vecmat"], "2.2"),
}
__all__ += ["NUMPY2", "LEGACY_PROMOTION", "NEW_IN_NUMPY"]


def weak_scalar(value: Any, dtype: Any) -> Any:
    """A Python-number constant that takes the precision of the ``dtype``
    operand it meets: ``value`` itself (weakly typed, NEP 50), or under NumPy
    1.x's value-based casting, which widens NumPy scalars and 0-d arrays
    meeting Python numbers, a scalar of the floating or complex ``dtype``.

    >>> type(weak_scalar(2.0, np.float32)).__name__ in ("float", "float32")
    True
    """
    if LEGACY_PROMOTION:
        dtype = np.dtype(dtype)
        if dtype.kind in "fc":
            return dtype.type(value)
    return value


def legacy_quantile_dtype(a_dtype: Any, q: np.ndarray, kept_ndim: int, method: str) -> np.dtype:
    """NumPy 1.x's result dtype of an interpolating ``quantile`` (value-based
    casting of its interpolation weights: float64 for a 0-d result or an
    array ``q``, ``a``'s precision otherwise), found by asking NumPy on a
    2-element array of the same dtype and number of kept axes."""
    probe = np.zeros((2,) + (1,) * kept_ndim, a_dtype)
    return np.quantile(probe, q, axis=0, method=method).dtype


def check_device(device: Any) -> None:
    """NumPy 2's ``device=`` keyword: only the CPU (``None`` or ``"cpu"``)."""
    if device not in (None, "cpu"):
        raise ValueError(f'Device not understood. Only "cpu" is allowed, but received: {device}')


if NUMPY2:
    asarray = np.asarray
    asanyarray = np.asanyarray
    linspace = np.linspace
    fftfreq = np.fft.fftfreq
    rfftfreq = np.fft.rfftfreq
    pinv = np.linalg.pinv
    vector_norm = np.linalg.vector_norm
    solve = np.linalg.solve
else:
    def _no_copy(a: Any, out: Any) -> Any:
        if not (isinstance(a, np.ndarray) and np.may_share_memory(a, out)):
            raise ValueError("Unable to avoid copy while creating an array as requested.")
        return out

    def asarray(a: Any, dtype: Any = None, order: Any = None, *, device: Any = None,
                copy: Any = None) -> Any:
        """``numpy.asarray`` with NumPy 2's ``device`` and ``copy`` keywords."""
        check_device(device)
        if copy:
            return np.array(a, dtype=dtype, order=order, copy=True)
        out = np.asarray(a, dtype=dtype, order=order)
        return out if copy is None else _no_copy(a, out)

    def asanyarray(a: Any, dtype: Any = None, order: Any = None, *, device: Any = None,
                   copy: Any = None) -> Any:
        """``numpy.asanyarray`` with NumPy 2's ``device`` and ``copy`` keywords."""
        check_device(device)
        if copy:
            return np.array(a, dtype=dtype, order=order, copy=True, subok=True)
        out = np.asanyarray(a, dtype=dtype, order=order)
        return out if copy is None else _no_copy(a, out)

    def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
                 retstep: bool = False, dtype: Any = None, axis: int = 0, *,
                 device: Any = None) -> Any:
        """``numpy.linspace`` with NumPy 2's ``device`` keyword."""
        check_device(device)
        return np.linspace(start, stop, num, endpoint, retstep, dtype, axis)

    def fftfreq(n: int, d: Any = 1.0, device: Any = None) -> Any:
        """``numpy.fft.fftfreq`` with NumPy 2's ``device`` keyword."""
        check_device(device)
        return np.fft.fftfreq(n, d)

    def rfftfreq(n: int, d: Any = 1.0, device: Any = None) -> Any:
        """``numpy.fft.rfftfreq`` with NumPy 2's ``device`` keyword."""
        check_device(device)
        return np.fft.rfftfreq(n, d)

    def pinv(a: Any, rcond: Any = None, hermitian: bool = False, *,
             rtol: Any = np._NoValue) -> Any:
        """``numpy.linalg.pinv`` with NumPy 2's ``rtol`` (a relative cutoff;
        ``None``: ``max(M, N) * eps``)."""
        if rcond is None:
            if rtol is np._NoValue:
                rcond = 1e-15
            elif rtol is None:
                a = np.asarray(a)
                rcond = max(a.shape[-2:]) * np.finfo(a.dtype).eps
            else:
                rcond = rtol
        elif rtol is not np._NoValue:
            raise ValueError("`rtol` and `rcond` can't be both set.")
        return np.linalg.pinv(a, rcond=rcond, hermitian=hermitian)

    def vector_norm(x: Any, /, *, axis: Any = None, keepdims: bool = False,
                    ord: Any = 2) -> Any:
        """``numpy.linalg.vector_norm``: ``numpy.linalg.norm`` of the vectors
        along ``axis`` (all axes for ``None``; a tuple is flattened into one)."""
        x = np.asanyarray(x)
        shape = x.shape
        if axis is None:
            axes = tuple(range(x.ndim))
        else:
            axes = normalize_axis_tuple(axis, x.ndim)
        rest = tuple(i for i in range(x.ndim) if i not in axes)
        flat = np.transpose(x, axes + rest).reshape(
            (int(np.prod([shape[i] for i in axes], dtype=np.int64)),) + tuple(shape[i] for i in rest))
        res = np.linalg.norm(flat, axis=0, ord=ord)
        if keepdims:
            res = np.reshape(res, tuple(1 if i in axes else n for i, n in enumerate(shape)))
        return res

    def solve(a: Any, b: Any) -> Any:
        """``numpy.linalg.solve`` with NumPy 2's rule for ``b``: a vector only
        when it is 1-d, otherwise a (stack of) matrices, batch axes broadcast
        (NumPy 1.x reads ``b`` as a stack of vectors when ``b.ndim == a.ndim - 1``)."""
        a, b = np.asarray(a), np.asarray(b)
        vector = b.ndim == 1
        if vector:
            b = b[:, None]
        if b.ndim < a.ndim:  # (leading batch axes of length 1: a matrix for NumPy 1.x too)
            b = b.reshape((1,) * (a.ndim - b.ndim) + b.shape)
        x = np.linalg.solve(a, b)
        return x[..., 0] if vector else x

__all__ += ["legacy_quantile_dtype", "solve", "check_device", "asarray", "asanyarray", "linspace", "fftfreq", "rfftfreq", "pinv",
            "vector_norm"]
