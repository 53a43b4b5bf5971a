"""HIPS autograd's differential operators over funcgrad's transforms.

Each operator takes ``(fun, argnum=0)`` (an int, or a tuple of ints: the
argument is then the tuple of those arguments) and returns a function of
``fun``'s arguments, exactly as autograd's ``unary_to_nary`` operators do.
"""
from __future__ import annotations

import functools
import inspect
import warnings
from collections import OrderedDict
from typing import Any, Callable

import numpy as np

from .. import numpy as fnp
from .. import transforms as _t
from ..numpy._registry import dtype_of
from ..tree_util import tree_map

__all__ = ["grad", "elementwise_grad", "deriv", "jacobian", "holomorphic_grad", "grad_named",
           "hessian", "make_hvp", "hessian_tensor_product", "hessian_vector_product",
           "tensor_jacobian_product", "vector_jacobian_product", "make_jvp_reversemode",
           "make_ggnvp", "value_and_grad", "grad_and_aux", "multigrad_dict", "checkpoint",
           "make_vjp", "make_jvp"]


def unary_to_nary(unary_operator: Callable[..., Any]) -> Callable[..., Any]:
    """autograd's wrapper: ``op(fun, argnum=0, *op_args, **op_kwargs)(*args, **kwargs)``
    calls ``unary_operator(f_of_x, x, *op_args, **op_kwargs)``."""
    @functools.wraps(unary_operator)
    def nary_operator(fun, argnum=0, *op_args, **op_kwargs):
        if type(argnum) not in (int, tuple, list):
            raise TypeError(f"argnum must be an int or a tuple of ints, got {argnum!r}")

        @functools.wraps(fun)
        def nary_f(*args, **kwargs):
            def unary_f(x):
                full = list(args)
                if isinstance(argnum, int):
                    full[argnum] = x
                else:
                    for i, v in zip(argnum, x):
                        full[i] = v
                return fun(*full, **kwargs)
            x = args[argnum] if isinstance(argnum, int) else tuple(args[i] for i in argnum)
            return unary_operator(unary_f, x, *op_args, **op_kwargs)
        return nary_f
    return nary_operator


def _like(ct: Any, out: Any) -> Any:
    """A cotangent as the output's dtype and shape (autograd accepts any number)."""
    return tree_map(lambda c, o: np.broadcast_to(np.asarray(c, dtype=dtype_of(o)),
                                                 np.shape(o)), ct, out)


def _ones(out: Any) -> Any:
    return tree_map(lambda o: np.ones(np.shape(o), dtype_of(o)), out)


def _zeros(out: Any) -> Any:
    return tree_map(lambda o: np.zeros(np.shape(o), dtype_of(o)), out)


def _make_vjp(fun: Callable[..., Any], x: Any) -> tuple:
    out, f_vjp = _t.vjp(fun, x)
    return (lambda g: f_vjp(_like(g, out))[0]), out


def _make_jvp(fun: Callable[..., Any], x: Any) -> Callable[..., Any]:
    def jvp(v):
        return _t.jvp(fun, (x,), (tree_map(lambda t, p: np.asarray(t, dtype_of(p)), v, x),))
    return jvp


make_vjp = unary_to_nary(_make_vjp)
make_jvp = unary_to_nary(_make_jvp)


@unary_to_nary
def grad(fun, x):
    """The gradient of a scalar-output ``fun`` (an output of size 1)."""
    vjp, ans = _make_vjp(fun, x)
    if int(np.prod(fnp.shape(ans))) != 1 or dtype_of(ans).kind == "c":
        raise TypeError("Grad only applies to real scalar-output functions. Try jacobian, "
                        "elementwise_grad or holomorphic_grad.")
    return vjp(_ones(ans))


@unary_to_nary
def elementwise_grad(fun, x):
    """The sum of each column of the Jacobian (the diagonal, for elementwise ``fun``)."""
    vjp, ans = _make_vjp(fun, x)
    if dtype_of(ans).kind == "c":
        raise TypeError("Elementwise_grad only applies to real-output functions.")
    return vjp(_ones(ans))


@unary_to_nary
def deriv(fun, x):
    return _make_jvp(fun, x)(_ones(x))[1]


@unary_to_nary
def jacobian(fun, x):
    """The Jacobian, of shape ``out.shape + x.shape``."""
    vjp, ans = _make_vjp(fun, x)
    shape = tuple(fnp.shape(ans))
    rows = []
    for k in range(int(np.prod(shape, dtype=np.int64))):
        e = np.zeros(shape, dtype_of(ans))
        e.flat[k] = 1
        rows.append(vjp(e))
    return fnp.reshape(fnp.stack(rows), shape + tuple(fnp.shape(x)))


@unary_to_nary
def holomorphic_grad(fun, x):
    if dtype_of(x).kind != "c":
        warnings.warn("Input to holomorphic_grad is not complex")
    return grad(lambda x: fnp.real(fun(x)))(x)


def grad_named(fun: Callable[..., Any], argname: str) -> Callable[..., Any]:
    """The gradient with respect to the argument named ``argname``."""
    return grad(fun, inspect.getfullargspec(fun).args.index(argname))


@unary_to_nary
def hessian(fun, x):
    return jacobian(jacobian(fun))(x)


@unary_to_nary
def make_hvp(fun, x):
    """``(hvp, grad)`` at ``x``: ``hvp(v)`` is the Hessian-vector product."""
    return _make_vjp(grad(fun), x)


def hessian_tensor_product(fun: Callable[..., Any], argnum: int = 0) -> Callable[..., Any]:
    """``f(*args, tensor)``: the Hessian (in ``argnum``) contracted with ``tensor``."""
    fun_grad = grad(fun, argnum)

    def vector_dot_grad(*args, **kwargs):
        args, vector = args[:-1], args[-1]
        return fnp.tensordot(fun_grad(*args, **kwargs), vector, np.ndim(vector))
    return grad(vector_dot_grad, argnum)


hessian_vector_product = hessian_tensor_product


def tensor_jacobian_product(fun: Callable[..., Any], argnum: int = 0) -> Callable[..., Any]:
    """``f(*args, tensor)``: ``tensor`` contracted with the Jacobian (from the left)."""
    def vector_dot_fun(*args, **kwargs):
        args, vector = args[:-1], args[-1]
        return fnp.tensordot(vector, fun(*args, **kwargs), axes=np.ndim(vector))
    return jacobian(vector_dot_fun, argnum)


vector_jacobian_product = tensor_jacobian_product


@unary_to_nary
def make_jvp_reversemode(fun, x):
    """A JVP function by transposing the VJP (two reverse passes)."""
    vjp, y = _make_vjp(fun, x)
    vjp_vjp, _ = _make_vjp(vjp, _zeros(y))
    return vjp_vjp


def make_ggnvp(f: Callable[..., Any], g: Callable[..., Any] = None,
               f_argnum: int = 0) -> Callable[..., Any]:
    """Generalized Gauss-Newton-vector products of ``g(f(x))`` (``g`` defaults to
    ``sum(x**2, axis=-1) / 2``)."""
    if g is None:
        def g(y):
            return 0.5 * fnp.sum(y ** 2, axis=-1)

    @unary_to_nary
    def _make_ggnvp(f, x):
        f_vjp, f_x = _make_vjp(f, x)
        g_hvp, grad_g_x = _make_vjp(grad(g), f_x)
        f_jvp, _ = _make_vjp(f_vjp, _zeros(grad_g_x))
        return lambda v: f_vjp(g_hvp(f_jvp(v)))
    return _make_ggnvp(f, f_argnum)


@unary_to_nary
def value_and_grad(fun, x):
    """``(value, gradient)``: suitable for ``scipy.optimize.minimize(jac=True)``."""
    vjp, ans = _make_vjp(fun, x)
    if int(np.prod(fnp.shape(ans))) != 1:
        raise TypeError("value_and_grad only applies to real scalar-output functions. Try "
                        "jacobian, elementwise_grad or holomorphic_grad.")
    return ans, vjp(_ones(ans))


@unary_to_nary
def grad_and_aux(fun, x):
    """``(gradient of the first output, second output)``."""
    def first(x):
        out, aux = fun(x)
        return out, _t.stop_gradient(aux)
    out, f_vjp = _t.vjp(first, x)
    ans, aux = out
    return f_vjp((_like(_ones(ans), ans), _zeros(aux)))[0], aux


def multigrad_dict(fun: Callable[..., Any]) -> Callable[..., Any]:
    """Gradients with respect to every argument at once, as an ``OrderedDict``
    from argument name to gradient (defaults filled in)."""
    sig = inspect.signature(fun)

    def gradfun(*args, **kwargs):
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        names = list(bound.arguments)

        def of_dict(d):
            b = sig.bind_partial()
            b.arguments.update(d)
            return fun(*b.args, **b.kwargs)
        g = grad(of_dict)(dict(bound.arguments))
        return OrderedDict((n, g[n]) for n in names)
    return gradfun


def checkpoint(fun: Callable[..., Any]) -> Callable[..., Any]:
    """Intermediate values are recomputed for the backward pass (funcgrad.checkpoint)."""
    return _t.checkpoint(fun)
