"""``autograd.misc.fixed_points.fixed_point(f, a, x0, distance, tol)``: iterate
``x = f(a)(x)`` from ``x0`` until ``distance(x, x_prev) <= tol``, differentiable
in ``a`` by the implicit function theorem: the cotangent ``w`` of the fixed
point solves ``w = (df(a)/dx)^T w + g`` (iterated the same way), and ``a``'s
cotangent is ``(df(a)/da)^T w`` at the fixed point."""
from __future__ import annotations

from typing import Any, Callable

from ...transforms import custom_vjp, vjp
from ...tree_util import tree_map

__all__ = ["fixed_point"]


def _iterate(step: Callable[[Any], Any], x0: Any, distance: Callable[..., Any], tol: float) -> Any:
    x, x_prev = step(x0), x0
    while distance(x, x_prev) > tol:
        x, x_prev = step(x), x
    return x


def _fixed_point(f, x0, distance, tol, a):
    return _iterate(f(a), x0, distance, tol)


def _fwd(f, x0, distance, tol, a):
    x_star = _iterate(f(a), x0, distance, tol)
    return x_star, (a, x_star)


def _bwd(f, x0, distance, tol, res, g):
    a, x_star = res
    _, vjp_x = vjp(f(a), x_star)
    w = _iterate(lambda w: tree_map(lambda u, v: u + v, vjp_x(w)[0], g),
                 tree_map(lambda v: v * 0.0, g), distance, tol)
    _, vjp_a = vjp(lambda aa: f(aa)(x_star), a)
    return vjp_a(w)


_fp = custom_vjp(_fixed_point, nondiff_argnums=(0, 1, 2, 3))
_fp.defvjp(_fwd, _bwd)


def fixed_point(f: Callable[[Any], Callable[[Any], Any]], a: Any, x0: Any,
                distance: Callable[[Any, Any], Any], tol: float) -> Any:
    """The fixed point of ``f(a)`` reached from ``x0`` (gradient in ``a`` only)."""
    return _fp(f, x0, distance, tol, a)
