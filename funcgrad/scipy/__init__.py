"""funcgrad.scipy: SciPy's functions, differentiable (optional extra ``scipy``).

SciPy's names, signatures and semantics; the values come from SciPy itself and
the derivatives from SciPy functions too (``digamma`` for ``gammaln``, ...).
Submodules: ``special``, ``stats``, ``linalg``, ``signal``, ``integrate``, ``optimize``.
Every public function is in :data:`REGISTRY` (``"special.erf"``, ...), which the
tests walk; see ``docs/scipy.md``.

>>> import funcgrad, numpy as np
>>> from funcgrad.scipy import special
>>> float(funcgrad.grad(special.gammaln)(1.0))  # digamma(1) = -Euler's gamma
-0.5772156649015329
"""
from __future__ import annotations

try:
    import scipy as _scipy  # noqa: F401
except ImportError as e:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "funcgrad.scipy needs SciPy, which is not installed: pip install funcgrad[scipy]"
    ) from e

from ._registry import REGISTRY  # noqa: E402
from . import special, stats, linalg, signal, integrate, optimize  # noqa: E402,F401

__all__ = ["special", "stats", "linalg", "signal", "integrate", "optimize", "REGISTRY"]
