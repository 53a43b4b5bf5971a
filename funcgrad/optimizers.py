"""Functional optimizers over pytrees, in the spirit of optax.

An optimizer is a :class:`GradientTransformation`, a pair of pure functions:

* ``state = opt.init(params)``
* ``updates, state = opt.update(grads, state, params=None)``

and :func:`apply_updates` adds the updates to the parameters. Nothing is
modified in place, so a training loop can itself be differentiated (``grad``
through unrolled steps, for meta-learning). ``learning_rate`` is a number or
a schedule ``step -> rate`` (:func:`exponential_decay`, ...); the step count is
part of the state.

>>> import funcgrad, numpy as np
>>> from funcgrad import optimizers as optim
>>> loss = lambda p: np.sum((p["w"] - 3.0) ** 2)
>>> opt = optim.adam(0.1)
>>> params = {"w": np.zeros(2)}
>>> state = opt.init(params)
>>> for _ in range(200):
...     updates, state = opt.update(funcgrad.grad(loss)(params), state, params)
...     params = optim.apply_updates(params, updates)
>>> np.round(params["w"], 3)
array([3., 3.])

The update rules (``g`` the gradient, ``t`` the 1-based step, ``lr`` the rate
at step ``t - 1``) are optax's:

======================  ====================================================================
``sgd(lr, momentum)``   ``m = g + momentum * m``; ``u = -lr * m`` (Nesterov: ``-lr * (g + momentum * m)``)
``adam(lr, b1, b2)``    ``m = b1 m + (1-b1) g``, ``v = b2 v + (1-b2) g^2``; ``u = -lr m_hat / (sqrt(v_hat) + eps)``
``adamw(..., wd)``      adam's, plus ``-lr * wd * params`` (decoupled weight decay)
``rmsprop(lr, decay)``  ``v = decay v + (1-decay) g^2``; ``u = -lr g / sqrt(v + eps)``
``adagrad(lr)``         ``s = s + g^2`` (from ``initial_accumulator_value``); ``u = -lr g / sqrt(s + eps)``
======================  ====================================================================
"""
from __future__ import annotations

import math
from typing import Any, Callable, NamedTuple, Optional, Sequence, Union

import numpy as np

from . import numpy as fnp
from ._core import Box
from .tree_util import tree_map

__all__ = ["GradientTransformation", "apply_updates", "sgd", "momentum", "nesterov", "adam",
           "adamw", "rmsprop", "adagrad", "constant_schedule", "exponential_decay",
           "linear_schedule", "cosine_decay_schedule", "piecewise_constant_schedule",
           "warmup_cosine_decay_schedule"]

Schedule = Callable[[Any], Any]
ScalarOrSchedule = Union[float, Schedule]


class GradientTransformation(NamedTuple):
    """``init(params) -> state`` and ``update(grads, state, params=None) -> (updates, state)``."""

    init: Callable[[Any], Any]
    update: Callable[..., tuple]


def apply_updates(params: Any, updates: Any) -> Any:
    """``params + updates``, leaf by leaf (each result in its parameter's dtype).

    >>> apply_updates({"a": 1.0}, {"a": -0.5})
    {'a': 0.5}
    """
    def add(p, u):
        out = p + u
        d = getattr(p, "dtype", None)
        return fnp.astype(out, d) if d is not None and getattr(out, "dtype", d) != d else out
    return tree_map(add, params, updates)


def _rate(lr: ScalarOrSchedule, count: Any) -> Any:
    return lr(count) if callable(lr) else lr


def _zeros(params: Any) -> Any:
    return tree_map(lambda p: np.zeros(np.shape(p), getattr(p, "dtype", np.float64)), params)


def _check_rate(lr: ScalarOrSchedule, who: str) -> None:
    """A rate is a schedule, a traced value (meta-learning it) or a number >= 0."""
    if callable(lr) or isinstance(lr, Box):
        return
    if not (isinstance(lr, (int, float, np.number, np.ndarray)) and np.all(np.asarray(lr) >= 0)):
        raise ValueError(f"{who}: learning_rate must be a non-negative number or a schedule, "
                         f"got {lr!r}")


class SgdState(NamedTuple):
    count: Any
    trace: Any


def sgd(learning_rate: ScalarOrSchedule, momentum: Optional[float] = None,
        nesterov: bool = False) -> GradientTransformation:
    """Stochastic gradient descent, with optional (Nesterov) momentum.

    >>> opt = sgd(0.1)
    >>> opt.update({"w": np.array([1.0])}, opt.init({"w": np.array([0.0])}))[0]
    {'w': array([-0.1])}
    """
    _check_rate(learning_rate, "sgd")

    def init(params: Any) -> SgdState:
        return SgdState(np.zeros((), np.int64), _zeros(params) if momentum else None)

    def update(grads: Any, state: SgdState, params: Any = None) -> tuple:
        lr = _rate(learning_rate, state.count)
        trace = state.trace
        if momentum:
            trace = tree_map(lambda g, m: g + momentum * m, grads, trace)
            step = tree_map(lambda g, m: g + momentum * m, grads, trace) if nesterov else trace
        else:
            step = grads
        return tree_map(lambda s: -lr * s, step), SgdState(state.count + 1, trace)

    return GradientTransformation(init, update)


def momentum(learning_rate: ScalarOrSchedule, beta: float = 0.9,
             nesterov: bool = False) -> GradientTransformation:
    """SGD with heavy-ball momentum ``beta`` (``sgd(lr, momentum=beta)``)."""
    return sgd(learning_rate, momentum=beta, nesterov=nesterov)


def nesterov(learning_rate: ScalarOrSchedule, beta: float = 0.9) -> GradientTransformation:
    """SGD with Nesterov momentum (``sgd(lr, momentum=beta, nesterov=True)``)."""
    return sgd(learning_rate, momentum=beta, nesterov=True)


class AdamState(NamedTuple):
    count: Any
    mu: Any
    nu: Any


def _adam(learning_rate: ScalarOrSchedule, b1: float, b2: float, eps: float,
          weight_decay: float, who: str) -> GradientTransformation:
    _check_rate(learning_rate, who)

    def init(params: Any) -> AdamState:
        return AdamState(np.zeros((), np.int64), _zeros(params), _zeros(params))

    def update(grads: Any, state: AdamState, params: Any = None) -> tuple:
        if weight_decay and params is None:
            raise ValueError(f"{who}: update needs params for weight decay")
        lr = _rate(learning_rate, state.count)
        t = state.count + 1
        mu = tree_map(lambda g, m: b1 * m + (1 - b1) * g, grads, state.mu)
        nu = tree_map(lambda g, v: b2 * v + (1 - b2) * (g * g), grads, state.nu)
        c1, c2 = 1 - b1 ** float(t), 1 - b2 ** float(t)

        def step(m, v, p=None):
            u = (m / c1) / (fnp.sqrt(v / c2) + eps)
            if weight_decay:
                u = u + weight_decay * p
            return -lr * u
        updates = tree_map(step, mu, nu, params) if weight_decay else tree_map(step, mu, nu)
        return updates, AdamState(t, mu, nu)

    return GradientTransformation(init, update)


def adam(learning_rate: ScalarOrSchedule, b1: float = 0.9, b2: float = 0.999,
         eps: float = 1e-8) -> GradientTransformation:
    """Adam (Kingma & Ba), with bias correction."""
    return _adam(learning_rate, b1, b2, eps, 0.0, "adam")


def adamw(learning_rate: ScalarOrSchedule, b1: float = 0.9, b2: float = 0.999,
          eps: float = 1e-8, weight_decay: float = 1e-4) -> GradientTransformation:
    """AdamW (Loshchilov & Hutter): Adam with decoupled weight decay; ``update``
    needs ``params``."""
    return _adam(learning_rate, b1, b2, eps, weight_decay, "adamw")


class RmsState(NamedTuple):
    count: Any
    nu: Any


def rmsprop(learning_rate: ScalarOrSchedule, decay: float = 0.9,
            eps: float = 1e-8) -> GradientTransformation:
    """RMSProp: ``g / sqrt(v + eps)`` with ``v`` a decaying mean of ``g^2``."""
    _check_rate(learning_rate, "rmsprop")

    def init(params: Any) -> RmsState:
        return RmsState(np.zeros((), np.int64), _zeros(params))

    def update(grads: Any, state: RmsState, params: Any = None) -> tuple:
        lr = _rate(learning_rate, state.count)
        nu = tree_map(lambda g, v: decay * v + (1 - decay) * (g * g), grads, state.nu)
        updates = tree_map(lambda g, v: -lr * g / fnp.sqrt(v + eps), grads, nu)
        return updates, RmsState(state.count + 1, nu)

    return GradientTransformation(init, update)


def adagrad(learning_rate: ScalarOrSchedule, initial_accumulator_value: float = 0.1,
            eps: float = 1e-7) -> GradientTransformation:
    """Adagrad: ``g / sqrt(s + eps)`` with ``s`` the running sum of ``g^2``."""
    _check_rate(learning_rate, "adagrad")

    def init(params: Any) -> RmsState:
        return RmsState(np.zeros((), np.int64),
                        tree_map(lambda z: z + initial_accumulator_value, _zeros(params)))

    def update(grads: Any, state: RmsState, params: Any = None) -> tuple:
        lr = _rate(learning_rate, state.count)
        acc = tree_map(lambda g, s: s + g * g, grads, state.nu)
        updates = tree_map(lambda g, s: -lr * g / fnp.sqrt(s + eps), grads, acc)
        return updates, RmsState(state.count + 1, acc)

    return GradientTransformation(init, update)


# --- schedules: step count -> learning rate -------------------------------------------------
def constant_schedule(value: float) -> Schedule:
    """``value`` at every step."""
    return lambda count: value


def exponential_decay(init_value: float, transition_steps: int, decay_rate: float,
                      staircase: bool = False, end_value: Optional[float] = None) -> Schedule:
    """``init_value * decay_rate ** (count / transition_steps)`` (floored with
    ``staircase``), bounded by ``end_value`` if given.

    >>> float(exponential_decay(1.0, 10, 0.5)(20))
    0.25
    """
    def schedule(count: Any) -> Any:
        p = np.asarray(count) / transition_steps
        v = init_value * decay_rate ** (np.floor(p) if staircase else p)
        if end_value is not None:
            v = np.maximum(v, end_value) if decay_rate < 1 else np.minimum(v, end_value)
        return v
    return schedule


def linear_schedule(init_value: float, end_value: float, transition_steps: int,
                    transition_begin: int = 0) -> Schedule:
    """From ``init_value`` to ``end_value`` linearly over ``transition_steps``."""
    def schedule(count: Any) -> Any:
        frac = np.clip((np.asarray(count) - transition_begin) / transition_steps, 0.0, 1.0)
        return init_value + (end_value - init_value) * frac
    return schedule


def cosine_decay_schedule(init_value: float, decay_steps: int, alpha: float = 0.0) -> Schedule:
    """``init_value * ((1 - alpha) * (1 + cos(pi * t / decay_steps)) / 2 + alpha)``.

    >>> float(cosine_decay_schedule(1.0, 10)(5))
    0.5
    """
    def schedule(count: Any) -> Any:
        t = np.minimum(np.asarray(count), decay_steps) / decay_steps
        return init_value * ((1 - alpha) * 0.5 * (1 + np.cos(math.pi * t)) + alpha)
    return schedule


def warmup_cosine_decay_schedule(init_value: float, peak_value: float, warmup_steps: int,
                                 decay_steps: int, end_value: float = 0.0) -> Schedule:
    """Linear warm-up to ``peak_value``, then cosine decay to ``end_value`` at ``decay_steps``."""
    def schedule(count: Any) -> Any:
        c = np.asarray(count)
        warm = init_value + (peak_value - init_value) * np.clip(c / max(warmup_steps, 1), 0, 1)
        t = np.clip((c - warmup_steps) / max(decay_steps - warmup_steps, 1), 0.0, 1.0)
        cos = end_value + (peak_value - end_value) * 0.5 * (1 + np.cos(math.pi * t))
        return np.where(c < warmup_steps, warm, cos)
    return schedule


def piecewise_constant_schedule(init_value: float,
                                boundaries_and_scales: Optional[dict] = None) -> Schedule:
    """``init_value``, multiplied by ``scale`` from each boundary step on.

    >>> float(piecewise_constant_schedule(1.0, {10: 0.1, 20: 0.5})(25))
    0.05
    """
    items: Sequence = sorted((boundaries_and_scales or {}).items())

    def schedule(count: Any) -> Any:
        v = init_value
        for boundary, scale in items:
            v = np.where(np.asarray(count) >= boundary, v * scale, v)
        return v
    return schedule
