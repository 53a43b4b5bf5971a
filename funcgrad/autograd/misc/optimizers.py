"""``autograd.misc.optimizers``: ``sgd``, ``rmsprop`` and ``adam`` with autograd's
signatures and formulas: ``optimizer(grad, x0, callback=None, num_iters=..., ...)``
where ``grad(x, i)`` is the gradient at iteration ``i`` and ``callback(x, i, g)``
is called before each step; ``x0`` may be any pytree. (For optax-style
``init``/``update`` pairs see :mod:`funcgrad.optimizers`.)"""
from __future__ import annotations

import functools
from typing import Any, Callable, Optional

from ... import numpy as fnp
from ...flatten_util import ravel_pytree

__all__ = ["sgd", "rmsprop", "adam", "unflatten_optimizer"]


def unflatten_optimizer(optimize: Callable[..., Any]) -> Callable[..., Any]:
    """An optimizer over flat vectors, made to take and return pytrees."""
    @functools.wraps(optimize)
    def _optimize(grad, x0, callback=None, *args, **kwargs):
        flat0, unflatten = ravel_pytree(x0)

        def flat_grad(x, i):
            return ravel_pytree(grad(unflatten(x), i))[0]
        flat_callback: Optional[Callable[..., Any]] = None
        if callback:
            def flat_callback(x, i, g):
                return callback(unflatten(x), i, unflatten(g))
        return unflatten(optimize(flat_grad, flat0, flat_callback, *args, **kwargs))
    return _optimize


@unflatten_optimizer
def sgd(grad, x, callback=None, num_iters=200, step_size=0.1, mass=0.9):
    """Gradient descent with momentum: ``v = mass v - (1 - mass) g``; ``x += step_size v``."""
    velocity = fnp.zeros(len(x))
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        velocity = mass * velocity - (1.0 - mass) * g
        x = x + step_size * velocity
    return x


@unflatten_optimizer
def rmsprop(grad, x, callback=None, num_iters=100, step_size=0.1, gamma=0.9, eps=10**-8):
    """RMSProp from a mean square of 1: ``x -= step_size g / (sqrt(avg) + eps)``."""
    avg_sq_grad = fnp.ones(len(x))
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        avg_sq_grad = avg_sq_grad * gamma + g ** 2 * (1 - gamma)
        x = x - step_size * g / (fnp.sqrt(avg_sq_grad) + eps)
    return x


@unflatten_optimizer
def adam(grad, x, callback=None, num_iters=100, step_size=0.001, b1=0.9, b2=0.999, eps=10**-8):
    """Adam with bias correction (Kingma & Ba)."""
    m = fnp.zeros(len(x))
    v = fnp.zeros(len(x))
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        m = (1 - b1) * g + b1 * m
        v = (1 - b2) * (g ** 2) + b2 * v
        mhat = m / (1 - b1 ** (i + 1))
        vhat = v / (1 - b2 ** (i + 1))
        x = x - step_size * mhat / (fnp.sqrt(vhat) + eps)
    return x
