"""The LSTM cell as two engine primitives (one node per time step instead of
about fifteen), so a recurrent step costs little Python overhead:

=======================================  ==============================================
primitive                                what it computes
=======================================  ==============================================
``lstm_cell(gates, c)``                  ``(h', c')`` from the pre-activations
                                         ``gates = [i, f, g, o]`` (PyTorch's order)
``lstm_cell_backward(gates, c, gh, gc)`` the cotangents ``(d gates, d c)`` of
                                         ``lstm_cell`` for cotangents ``(gh, gc)``
=======================================  ==============================================

Each is written once (:func:`_cell`, :func:`_cell_backward`) over an array
namespace: with NumPy it is the primitive's kernel; with
:mod:`funcgrad.numpy` (and the differentiable sigmoid) it is the composed
reference from which the derivatives of the primitives follow -- the VJP of
``lstm_cell`` is ``lstm_cell_backward``; the VJP of ``lstm_cell_backward``
and both JVPs differentiate the composed reference -- so gradients of any
order and forward mode stay exact.

>>> import numpy as np
>>> h, c = lstm_cell(np.zeros((1, 4)), np.ones((1, 1)))
>>> float(h[0, 0]), float(c[0, 0])
(0.0, 0.5)
"""
from __future__ import annotations

from typing import Any

import numpy as np

import funcgrad
import funcgrad.numpy as fnp
from funcgrad._core import Primitive, defvjp_joint
from funcgrad._core.primitive import defjvp_joint

from .functional import _sigmoid


def _gates(m: Any, sigmoid: Any, gates: Any, hidden: int) -> tuple:
    s = sigmoid(gates)  # one call for i, f and o (the g quarter is unused)
    g = m.tanh(gates[..., 2 * hidden:3 * hidden])
    return s[..., :hidden], s[..., hidden:2 * hidden], g, s[..., 3 * hidden:]


def _fast_sigmoid(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-x))``: exact to rounding (``exp`` overflowing to ``inf``
    gives the correct 0)."""
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


def _cell(m: Any, sigmoid: Any, gates: Any, c: Any) -> tuple:
    i, f, g, o = _gates(m, sigmoid, gates, c.shape[-1])
    c_new = f * c + i * g
    return o * m.tanh(c_new), c_new


def _cell_backward(m: Any, sigmoid: Any, gates: Any, c: Any, gh: Any, gc: Any) -> tuple:
    i, f, g, o = _gates(m, sigmoid, gates, c.shape[-1])
    tc = m.tanh(f * c + i * g)
    dc = gc + gh * o * (1 - tc * tc)
    d_gates = m.concatenate([dc * g * i * (1 - i), dc * c * f * (1 - f), dc * i * (1 - g * g),
                             gh * tc * o * (1 - o)], axis=-1)
    return d_gates, dc * f


def _reference(fn: Any) -> Any:
    return lambda *args: fn(fnp, _sigmoid, *args)


def _zeros_for(tangents: Any, args: Any) -> tuple:
    return tuple(fnp.zeros_like(a) if t is None else t for t, a in zip(tangents, args))


lstm_cell = Primitive("lstm_cell", lambda gates, c: _cell(np, _fast_sigmoid, gates, c),
                      multiple_results=True)
lstm_cell_backward = Primitive("lstm_cell_backward",
                               lambda *args: _cell_backward(np, _fast_sigmoid, *args),
                               multiple_results=True)

defvjp_joint(lstm_cell, lambda g, ans, gates, c: lstm_cell_backward(gates, c, g[0], g[1]))
defvjp_joint(lstm_cell_backward, lambda g, ans, *args:
             funcgrad.vjp(_reference(_cell_backward), *args)[1](tuple(g)))
for _prim, _fn in ((lstm_cell, _cell), (lstm_cell_backward, _cell_backward)):
    defjvp_joint(_prim, lambda ts, ans, *args, _fn=_fn:
                 funcgrad.jvp(_reference(_fn), args, _zeros_for(ts, args))[1])

# --- batching rules (vmap) ------------------------------------------------
from funcgrad.numpy._batching import declare_looped  # noqa: E402

declare_looped(lstm_cell, lstm_cell_backward)  # no rule yet: one call per example
