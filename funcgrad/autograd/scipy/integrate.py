"""``autograd.scipy.integrate``: ``odeint(func, y0, t, args=(), **kwargs)`` with
autograd's (and SciPy's) signature, over :func:`funcgrad.scipy.integrate.odeint`
(adjoint gradients in ``y0``, ``t`` and ``args``)."""
from __future__ import annotations

from typing import Any, Callable

from funcgrad.scipy.integrate import odeint as _odeint

__all__ = ["odeint"]


def odeint(func: Callable[..., Any], y0: Any, t: Any, args: tuple = (), **kwargs: Any) -> Any:
    """``scipy.integrate.odeint``'s call, differentiable (``func(y, t, *args)``)."""
    options = {k: kwargs.pop(k) for k in ("rtol", "atol", "mxstep", "hmax") if k in kwargs}
    if kwargs:
        raise TypeError(f"odeint: unsupported keyword argument(s) {', '.join(kwargs)}")
    return _odeint(func, y0, t, *tuple(args), **options)
