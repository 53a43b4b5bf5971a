"""Differentiable ``numpy.linalg``: functions registered as ``"linalg.<name>"``.

``funcgrad.numpy.linalg.<name>`` is funcgrad's differentiable version where
one exists (inv, solve, det, slogdet, cholesky, eigh, eigvalsh, eig, eigvals,
svd, svdvals, qr, lstsq, pinv, norm, vector_norm, matrix_norm, cond,
matrix_power, multi_dot, tensorinv, tensorsolve, matrix_transpose, diagonal,
trace, cross, matmul, tensordot, vecdot, outer) and NumPy's own object
otherwise (``LinAlgError``, ...)::

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda a: fnp.linalg.slogdet(a)[1])(2 * np.eye(2))
    array([[0.5, 0. ],
           [0. , 0.5]])

Plain ``numpy.linalg.<name>(traced)`` calls land here too.
"""

from typing import Any as _Any

import numpy as _np

from .._registry import exports as _exports
from . import _basic, _decomp, _norms, _lstsq  # noqa: F401  (register their functions)

LinAlgError = _np.linalg.LinAlgError

# Module attributes (not only __getattr__): NumPy's dispatch looks names up in
# this module's __dict__.
globals().update(_exports("linalg."))


def __getattr__(name: str) -> _Any:
    fns = _exports("linalg.")
    if name in fns:
        return fns[name]
    return getattr(_np.linalg, name)


def __dir__() -> list:
    return sorted(set(globals()) | set(_exports("linalg.")) | set(dir(_np.linalg)))
