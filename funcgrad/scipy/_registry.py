"""The table of every function funcgrad.scipy defines, for the docs and the tests.

Elementwise functions are declared with their partial derivatives
(:func:`elementwise`): ``d_i(ans, *args)`` is the derivative of the result in
argument ``i``, written with differentiable operations, so the VJP rule is
``g * d_i(...)`` and higher orders differentiate ``d_i`` itself. The
derivatives are kept on the primitive (``prim.derivatives``), from which a
forward-mode rule is ``sum_i t_i * d_i(...)`` and batching is broadcasting.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np

from .._core import Primitive, defbatch, defvjp, defvjp_joint
from .._core.primitive import defjvp
from ..numpy import _batching
from ..numpy._dispatch import register_ufunc
from ..numpy._registry import FunctionInfo, record

REGISTRY: dict[str, FunctionInfo] = {}


def register(name: str, fn: Callable[..., Any], family: str, *, differentiable: bool = True,
             notes: str = "") -> Callable[..., Any]:
    """Record ``fn`` as ``funcgrad.scipy.<name>`` (``"special.erf"``) and return it."""
    return record(REGISTRY, "funcgrad.scipy", name, fn, family, differentiable=differentiable,
                  notes=notes)


def _doc(name: str, notes: str) -> str:
    return f"Differentiable ``scipy.{name}`` (same arguments and result).\n\n{notes}\n"


def _derivative_rule(d: Optional[Callable[..., Any]]) -> Optional[Callable[..., Any]]:
    if d is None:
        return None

    def rule(g, ans, *args):
        return g * d(ans, *args)
    return rule


def _tangent_rule(d: Optional[Callable[..., Any]]) -> Optional[Callable[..., Any]]:
    if d is None:
        return None

    def rule(t, ans, *args):
        return t * d(ans, *args)
    return rule


def elementwise(name: str, impl: Callable[..., Any], *derivatives: Optional[Callable[..., Any]],
                family: str, notes: str = "", public: bool = True) -> Primitive:
    """An elementwise primitive from its implementation and partial derivatives.

    ``derivatives[i](ans, *args)`` is d(result)/d(args[i]) elementwise, or
    ``None`` for an argument with no gradient (an integer order, say).
    """
    prim = Primitive(f"scipy.{family}.{name}", impl, rule_params=False)
    defvjp(prim, *(_derivative_rule(d) for d in derivatives))
    defjvp(prim, *(_tangent_rule(d) for d in derivatives))  # the same derivatives, forward
    defbatch(_batching.broadcasting, prim)  # elementwise: vmap broadcasts the batch axis
    prim.derivatives = derivatives
    prim.__doc__ = _doc(f"{family}.{name}", notes)
    if isinstance(impl, np.ufunc):  # plain scipy.special.<name>(traced) runs the primitive
        register_ufunc(impl, prim)
    if public:
        register(f"{family}.{name}", prim, family, notes=notes)
    return prim


def primitive(name: str, impl: Callable[..., Any], *rules: Optional[Callable[..., Any]],
              family: str, notes: str = "", public: bool = True, **flags: Any) -> Primitive:
    """A primitive with one VJP rule per positional argument."""
    prim = defvjp(Primitive(f"scipy.{family}.{name}", impl, **flags), *rules)
    prim.__doc__ = _doc(f"{family}.{name}", notes)
    if public:
        register(f"{family}.{name}", prim, family, notes=notes)
    return prim


def joint_primitive(name: str, impl: Callable[..., Any], rule: Callable[..., Any], *,
                    family: str, notes: str = "", public: bool = True,
                    **flags: Any) -> Primitive:
    """A primitive with one rule returning every argument's cotangent."""
    prim = defvjp_joint(Primitive(f"scipy.{family}.{name}", impl, **flags), rule)
    prim.__doc__ = _doc(f"{family}.{name}", notes)
    if public:
        register(f"{family}.{name}", prim, family, notes=notes)
    return prim


def exports(prefix: str) -> dict:
    """Public names -> functions of one submodule (``"special."``)."""
    return {full[len(prefix):]: info.fn for full, info in REGISTRY.items()
            if full.startswith(prefix) and "." not in full[len(prefix):]}
