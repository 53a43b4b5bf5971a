"""Defining new operations that work under every transform (the public API).

A primitive is one operation funcgrad does not look inside: an implementation
on plain values, a VJP rule per argument (reverse mode: ``grad``, ``vjp``,
``jacobian``) and a JVP rule (forward mode: ``jvp``, ``linearize``,
``jacfwd``). Rules are written with :mod:`funcgrad.numpy`, so they are
recorded by outer transforms and the operation differentiates to any order.

>>> import numpy as np
>>> import funcgrad, funcgrad.numpy as fnp
>>> from funcgrad.extend import primitive
>>> softplus = primitive(
...     "softplus", lambda x: np.logaddexp(0.0, x),
...     vjp=[lambda g, ans, x: g * fnp.exp(x - ans)],   # d/dx = sigmoid(x)
...     jvp=[lambda t, ans, x: t * fnp.exp(x - ans)])
>>> float(funcgrad.grad(softplus)(0.0))
0.5
>>> funcgrad.jvp(softplus, (0.0,), (2.0,))[1]
np.float64(1.0)
>>> round(float(funcgrad.grad(funcgrad.grad(softplus))(0.0)), 6)   # sigmoid'(0)
0.25

Rule signatures: a VJP rule ``rule(g, ans, *args, **params)`` returns the
cotangent of its argument (``None``: no gradient); a JVP rule ``rule(t, ans,
*args, **params)`` returns that argument's contribution to the result's tangent
(contributions are summed). ``defvjp_joint``/``defjvp_joint`` declare one rule
for all arguments; ``defjvp_from_vjp`` (elementwise functions),
``defjvp_linear`` and ``defjvp_multilinear`` derive the JVP. For a function
whose VJP is most easily written around its forward pass, see
:class:`funcgrad.custom_vjp`; for HIPS autograd's ``defvjp`` makers,
:mod:`funcgrad.autograd.extend`.
"""
from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

from ._core import Primitive, defvjp, defvjp_joint
from ._core.primitive import (defjvp, defjvp_from_vjp, defjvp_joint, defjvp_linear,
                              defjvp_multilinear)

__all__ = ["primitive", "Primitive", "defvjp", "defvjp_joint", "defjvp", "defjvp_joint",
           "defjvp_from_vjp", "defjvp_linear", "defjvp_multilinear"]


def primitive(name: str, impl: Callable[..., Any],
              vjp: Optional[Sequence[Optional[Callable[..., Any]]]] = None,
              jvp: Optional[Sequence[Optional[Callable[..., Any]]]] = None, *,
              multiple_results: bool = False) -> Primitive:
    """A new primitive ``name`` computing ``impl(*args, **params)`` on plain values,
    with one VJP rule and one JVP rule per positional argument (either may be
    given later with :func:`defvjp` / :func:`defjvp`)."""
    prim = Primitive(name, impl, multiple_results=multiple_results)
    if vjp is not None:
        defvjp(prim, *vjp)
    if jvp is not None:
        defjvp(prim, *jvp)
    return prim
