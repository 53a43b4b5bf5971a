"""funcgrad.numpy.random: NumPy's random module, as constants.

Random draws carry no gradient: every public name of ``numpy.random``
resolves here to NumPy's own object (``normal``, ``default_rng``,
``Generator``, ...), so code written against ``numpy.random`` runs
unchanged inside transformed functions. A draw whose *parameters* are
traced (``normal(loc=traced)``) raises :class:`funcgrad.ConcretizationError`
rather than dropping the gradient: write it as ``loc + scale * standard_normal(...)``
(the reparameterisation) to differentiate through it.

Two module-level functions also accept a traced *population*:
``permutation(x)`` and ``choice(a, ...)`` draw their indices from NumPy's
global generator exactly as ``numpy.random`` would (same seed, same
result) and return ``x[indices]``, so gradients flow to the selected
elements. ``shuffle`` of a traced array raises (it works in place; use
``permutation``). ``Generator`` methods (``default_rng().permutation``)
are NumPy's own and need concrete arrays.

>>> import funcgrad, funcgrad.numpy as fnp, numpy as np
>>> rng = fnp.random.default_rng(0)
>>> noise = rng.standard_normal(3)
>>> funcgrad.grad(lambda mu: (mu + noise).sum())(0.0)
np.float64(3.0)
"""
from __future__ import annotations

from typing import Any

import numpy as _np


def _traced(x: Any) -> bool:
    from .._core import Box
    return isinstance(x, Box)


def permutation(x: Any) -> Any:
    """``numpy.random.permutation``; a traced array is permuted along its
    first axis by indexing, so its gradient flows (the permutation itself,
    drawn from NumPy's global generator, is a constant).

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> _ = np.random.seed(0)
    >>> funcgrad.grad(lambda v: (fnp.random.permutation(v) * np.arange(3.0)).sum())(np.ones(3))
    array([2., 1., 0.])
    """
    if not _traced(x):
        return _np.random.permutation(x)
    if len(x.shape) < 1:
        raise IndexError("x must be an integer or at least 1-dimensional")
    return x[_np.random.permutation(x.shape[0])]


def choice(a: Any, size: Any = None, replace: bool = True, p: Any = None) -> Any:
    """``numpy.random.choice``; a traced 1-d population ``a`` gives
    ``a[indices]`` with indices drawn exactly as NumPy would, so gradients
    flow to the chosen elements (repeats accumulate). Probabilities ``p``
    must be concrete.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> _ = np.random.seed(1)
    >>> funcgrad.grad(lambda v: fnp.random.choice(v, size=4).sum())(np.zeros(3))
    array([2., 2., 0.])
    """
    if not _traced(a):
        return _np.random.choice(a, size=size, replace=replace, p=p)
    if len(a.shape) != 1:
        raise ValueError("a must be 1-dimensional")
    return a[_np.random.choice(a.shape[0], size=size, replace=replace, p=p)]


def shuffle(x: Any) -> None:
    """``numpy.random.shuffle`` (in place); traced arrays are immutable, so
    for them this raises and points to :func:`permutation`.

    >>> import numpy as np, funcgrad.numpy as fnp
    >>> a = np.arange(3); fnp.random.shuffle(a); sorted(a.tolist())
    [0, 1, 2]
    """
    if _traced(x):
        raise TypeError("numpy.random.shuffle works in place, and traced arrays are "
                        "immutable: use x = funcgrad.numpy.random.permutation(x) instead.")
    _np.random.shuffle(x)


def __getattr__(name: str) -> Any:
    return getattr(_np.random, name)


def __dir__() -> list:
    return sorted(set(globals()) | set(dir(_np.random)))
