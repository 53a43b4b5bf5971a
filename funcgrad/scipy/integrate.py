"""``odeint`` with an adjoint gradient (the semantics of JAX's
``jax.experimental.ode.odeint`` and autograd's ``autograd.scipy.integrate.odeint``).

``odeint(func, y0, t, *args)`` solves ``dy/dt = func(y, t, *args)`` with SciPy's
LSODA (``scipy.integrate.odeint``) and returns ``y`` at the times ``t`` (shape
``t.shape + y0.shape``). Its VJP integrates the adjoint system backwards in
time (Pontryagin; Chen et al. 2018), with ``func``'s VJPs from funcgrad, giving
the gradients with respect to ``y0``, every time point and every argument in
``args`` (arrays or pytrees of arrays). Parameters must be passed in ``args``,
not captured by ``func`` from a traced scope. First order only: a gradient of
a gradient through ``odeint`` raises ``NotImplementedError``.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import scipy.integrate as _si

from .._core import Box
from ..flatten_util import ravel_pytree
from ..transforms import custom_vjp, vjp
from ..tree_util import tree_leaves
from ._registry import register

F = "integrate"


def _plain(x: Any, what: str) -> Any:
    if isinstance(x, Box):
        raise NotImplementedError(
            f"funcgrad.scipy.integrate.odeint: {what} is traced by an outer transform; "
            "higher-order differentiation through odeint is not supported (first order only)")
    return x


def _rhs(func: Callable[..., Any], shape: tuple, args: tuple) -> Callable[..., Any]:
    def rhs(y, t):
        out = func(np.reshape(y, shape), t, *args)
        if isinstance(out, Box):
            raise TypeError(
                "funcgrad.scipy.integrate.odeint: func returned a traced value for plain "
                "inputs: pass the parameters it differentiates as extra arguments, "
                "odeint(func, y0, t, *args), instead of capturing them in a closure")
        return np.ravel(np.asarray(out, dtype=np.float64))
    return rhs


def _solve(func, opts, y0, t, args):
    y0 = np.asarray(y0, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    ys = _si.odeint(_rhs(func, y0.shape, tuple(args)), np.ravel(y0), t, **opts)
    return ys.reshape(t.shape + y0.shape)


def _fwd(func, opts, y0, t, args):
    for name, v in (("y0", y0), ("t", t)):
        _plain(v, name)
    for a in tree_leaves(args):
        _plain(a, "an argument")
    ys = _solve(func, opts, y0, t, args)
    return ys, (ys, np.asarray(y0, np.float64), np.asarray(t, np.float64), args)


def _bwd(func, opts, res, g):
    ys, y0, t, args = res
    g = np.asarray(g, dtype=np.float64)
    shape, n = y0.shape, y0.size
    flat_args, unravel = ravel_pytree(args)
    flat_args = np.asarray(flat_args, dtype=np.float64)
    p = flat_args.size

    def f_and_vjp(y, tt, ybar):
        out, f_vjp = vjp(lambda yy, aa: func(yy, tt, *unravel(aa)), np.reshape(y, shape),
                         flat_args)
        gy, ga = f_vjp(np.reshape(ybar, np.shape(out)).astype(np.asarray(out).dtype))
        return np.ravel(out), np.ravel(gy), np.ravel(ga)

    def augmented(state, tt):
        fy, gy, ga = f_and_vjp(state[:n], tt, state[n:2 * n])
        return np.concatenate([fy, -gy, -ga])

    def f_at(i):
        return np.ravel(np.asarray(func(np.reshape(ys[i], shape), t[i], *args), np.float64))

    ybar = np.ravel(g[-1]).copy()
    abar = np.zeros(p)
    t_bar = np.zeros(t.shape)
    for i in range(len(t) - 1, 0, -1):
        t_bar[i] = np.dot(f_at(i), np.ravel(g[i]))  # moving an observation time
        state = np.concatenate([np.ravel(ys[i]), ybar, abar])
        back = _si.odeint(augmented, state, np.array([t[i], t[i - 1]]), **opts)[-1]
        ybar = back[n:2 * n] + np.ravel(g[i - 1])
        abar = back[2 * n:]
    # moving the start time shifts the whole trajectory: -a(t0) . f(y0, t0), where a(t0)
    # is the adjoint without g[0] (ys[0] is y0 whatever t0 is)
    if len(t):
        t_bar[0] = -np.dot(ybar - np.ravel(g[0]), f_at(0))
    return ybar.reshape(shape), t_bar, unravel(abar) if p else args


def odeint_adjoint(func, opts, y0, t, args):
    """The solve, as a custom_vjp (named so that errors say which function)."""
    return _solve(func, opts, y0, t, args)


_odeint = custom_vjp(odeint_adjoint, nondiff_argnums=(0, 1))
_odeint.defvjp(_fwd, _bwd)


def odeint(func: Callable[..., Any], y0: Any, t: Any, *args: Any, rtol: float = 1.4e-8,
           atol: float = 1.4e-8, mxstep: int = 0, hmax: float = 0.0, **kwargs: Any) -> Any:
    """Solve ``dy/dt = func(y, t, *args)`` from ``y0`` at ``t[0]``; the states at
    the times ``t`` (increasing or decreasing), differentiable in ``y0``, ``t``
    and ``args``. ``args=(...)`` as a keyword (autograd's and SciPy's form) is
    accepted too.

    >>> import funcgrad, numpy as np
    >>> from funcgrad.scipy.integrate import odeint
    >>> decay = lambda y, t, k: -k * y
    >>> t = np.array([0.0, 1.0])
    >>> loss = lambda y0, k: odeint(decay, y0, t, k)[-1]
    >>> g = funcgrad.grad(loss, argnums=(0, 1))(2.0, 0.5)  # y(1) = y0 exp(-k)
    >>> np.allclose(g, (np.exp(-0.5), -2.0 * np.exp(-0.5)), rtol=1e-6)
    True
    """
    if "args" in kwargs:
        if args:
            raise TypeError("odeint: give the arguments positionally or as args=, not both")
        args = tuple(kwargs.pop("args"))
    if kwargs:
        raise TypeError(f"odeint: unexpected keyword argument(s) {', '.join(kwargs)}")
    opts = (("rtol", rtol), ("atol", atol), ("mxstep", mxstep), ("hmax", hmax))
    return _odeint(func, dict(opts), y0, t, tuple(args))


register("integrate.odeint", odeint, F, notes="Adjoint gradient in y0, t and args (first "
                                              "order).")
__all__ = ["odeint"]
