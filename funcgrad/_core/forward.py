"""Forward mode: the JVP trace, whose boxes carry a primal and a tangent.

A :class:`JVPTrace` takes its level from the counter every trace uses, so
it nests in any order with the reverse traces of ``grad``/``vjp`` and with
other JVP traces. Its boxes are the ordinary box types (the NumPy layer's
``Tracer``, the facade's tensor box): ``_value`` is the primal and the
``_node`` slot holds the tangent (a JVP box has no graph node). A tangent
is never ``None`` on a box: an operation whose result has a zero tangent
returns the plain primal, so values a tangent never reaches cost nothing.

Per primitive, :meth:`JVPTrace.process` computes the primal with ``bind``
on the unboxed values (so outer traces record it) and the tangent with the
primitive's JVP rule (:data:`Primitive.jvp`), written with
:mod:`funcgrad.numpy` calls, so outer traces record the tangent computation
too: that is what makes ``jvp`` of ``grad``, ``grad`` of ``jvp`` and
``jvp`` of ``jvp`` work. A box of another trace is a constant here, and a
tangent of this trace never leaks into another (perturbation confusion is
impossible by construction, as for nested ``grad``).
"""
from __future__ import annotations

from typing import Any

from .primitive import _NO_PARAMS, Box, Primitive, bind
from .trace import Trace, _levels, ops


class JVPTrace(Trace):
    """The trace of one forward-mode transform call (``jvp``, ``linearize``)."""

    __slots__ = ()

    def new_input(self, value: Any, tangent: Any = None) -> Any:  # type: ignore[override]
        """``value`` with ``tangent`` (itself when the tangent is ``None``)."""
        return value if tangent is None else self.box(value, tangent)

    def process(self, prim: Primitive, args: Any, params: dict) -> Any:
        vals, boxed = self.unbox(args)  # (a JVP box's "node" is its tangent)
        tangents: list = [None] * len(vals)
        for i, t in boxed:
            tangents[i] = t
        out = bind(prim, vals, params)  # outer traces see the primal computation
        rule = prim.jvp
        if rule is None:
            raise TypeError(
                f"funcgrad has no JVP rule for {prim.name!r}: it cannot be used under "
                "forward-mode differentiation (jvp, linearize, jacfwd).")
        if prim.rule_params and params:
            t_out = rule(tangents, out, *vals, **params)
        else:
            t_out = rule(tangents, out, *vals)
        if prim.multiple_results:
            if t_out is None:
                return out
            return tuple(o if t is None else self.box(o, fit_tangent(t, o))
                         for o, t in zip(out, t_out))
        if t_out is None:
            return out
        return self.box(out, fit_tangent(t_out, out))


def fit_tangent(t: Any, primal: Any) -> Any:
    """A rule's tangent in its primal's shape and dtype: broadcast (an
    elementwise rule returns an argument's tangent in the argument's shape)
    and cast (a real tangent of a complex result; float32 stays float32)."""
    try:
        if t.dtype is primal.dtype and t.shape == primal.shape:
            return t
    except AttributeError:  # a Python scalar
        pass
    return ops.fit_tangent(t, primal)


def new_jvp_trace() -> JVPTrace:
    """Open a JVP trace innermost to every trace opened so far."""
    return JVPTrace(next(_levels))


def tangent_of(x: Any, trace: JVPTrace) -> Any:
    """``x``'s tangent on ``trace`` (``None``: zero)."""
    if isinstance(x, Box) and x._trace is trace:
        return x._node
    return None


__all__ = ["JVPTrace", "new_jvp_trace", "fit_tangent", "tangent_of", "_NO_PARAMS"]
