"""``scipy.optimize.minimize`` over pytree parameters, with funcgrad's gradient,
Hessian and Hessian-vector product (the recipe is in docs/scipy.md).

>>> import numpy as np
>>> from funcgrad.scipy.optimize import minimize
>>> res = minimize(lambda p: (p["a"] - 1.0) ** 2 + np.sum((p["b"] + 2.0) ** 2),
...                {"a": 0.0, "b": np.zeros(2)}, method="BFGS")
>>> bool(res.success), np.round(res.x["b"], 6)
(True, array([-2., -2.]))
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import scipy.optimize as _so

from ..flatten_util import ravel_pytree
from ..transforms import grad, hessian, value_and_grad
from ..tree_util import tree_map

__all__ = ["minimize", "flat_functions"]

_NEEDS_HESSIAN = {"newton-cg", "dogleg", "trust-ncg", "trust-krylov", "trust-exact",
                  "trust-constr"}


def flat_functions(fun: Callable[..., Any], x0: Any, args: tuple = ()) -> tuple:
    """``(x0_flat, unravel, value_and_grad, hess, hessp)`` for ``fun(params, *args)``
    over pytree ``x0``: plain float64 NumPy functions of one flat vector, the
    shapes ``scipy.optimize`` wants (``jac=True`` takes ``value_and_grad``)."""
    x0 = tree_map(lambda v: np.asarray(v, dtype=np.float64), x0)
    flat0, unravel = ravel_pytree(x0)

    def f(x: Any) -> Any:
        return fun(unravel(x), *args)

    vg = value_and_grad(f)

    def value_and_gradient(x: np.ndarray) -> tuple:
        v, g = vg(np.asarray(x, np.float64))
        return float(v), np.asarray(g, np.float64)

    def hess(x: np.ndarray) -> np.ndarray:
        return np.asarray(hessian(f)(np.asarray(x, np.float64)))

    def hessp(x: np.ndarray, p: np.ndarray) -> np.ndarray:
        p = np.asarray(p, np.float64)
        return np.asarray(grad(lambda y: np.dot(grad(f)(y), p))(np.asarray(x, np.float64)))

    return np.asarray(flat0, np.float64), unravel, value_and_gradient, hess, hessp


def minimize(fun: Callable[..., Any], x0: Any, args: tuple = (), method: Any = None,
             hess: Any = None, hessp: Any = None, **kwargs: Any) -> _so.OptimizeResult:
    """``scipy.optimize.minimize(fun, x0, args, method, ...)`` with ``x0`` any pytree
    of arrays and the derivatives from funcgrad: the gradient always
    (``jac=True``); for the methods that use second derivatives a
    Hessian-vector product (``hessp``), or the full Hessian with
    ``hess=True``. ``res.x`` has ``x0``'s structure; the other fields are
    SciPy's. Other keyword arguments go to SciPy unchanged.
    """
    if "jac" in kwargs:
        raise TypeError("minimize: jac is computed by funcgrad; do not pass it")
    flat0, unravel, vg, h, hp = flat_functions(fun, x0, args)
    opts: dict = dict(kwargs)
    name = (method or "").lower() if isinstance(method, str) else ""
    if hess is True:
        opts["hess"] = h
    elif hess is not None:
        opts["hess"] = hess
    elif hessp is not None and hessp is not False:
        opts["hessp"] = hp if hessp is True else hessp
    elif name in _NEEDS_HESSIAN:
        opts["hess" if name in ("trust-exact", "dogleg") else "hessp"] = \
            h if name in ("trust-exact", "dogleg") else hp
    res = _so.minimize(vg, flat0, method=method, jac=True, **opts)
    res.x = unravel(res.x)
    return res
