"""funcgrad.numpy.random: NumPy's random module, as constants.

Random draws carry no gradient: every public name of ``numpy.random``
resolves here to NumPy's own object (``normal``, ``default_rng``,
``Generator``, ...), so code written against ``numpy.random`` runs
unchanged inside transformed functions. A draw whose *parameters* are
traced (``normal(loc=traced)``) raises :class:`funcgrad.ConcretizationError`
rather than dropping the gradient: write it as ``loc + scale * standard_normal(...)``
(the reparameterisation) to differentiate through it.

>>> import funcgrad, funcgrad.numpy as fnp, numpy as np
>>> rng = fnp.random.default_rng(0)
>>> noise = rng.standard_normal(3)
>>> funcgrad.grad(lambda mu: (mu + noise).sum())(0.0)
np.float64(3.0)
"""
from __future__ import annotations

from typing import Any

import numpy as _np


def __getattr__(name: str) -> Any:
    return getattr(_np.random, name)


def __dir__() -> list:
    return sorted(set(globals()) | set(dir(_np.random)))
