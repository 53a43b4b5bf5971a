"""JVP rule helpers that need the NumPy layer (the engine's own are in
:mod:`funcgrad._core.primitive`: ``defjvp``, ``defjvp_linear``, ...)."""
from __future__ import annotations

from typing import Any

import numpy as np

from .._core import Box, Node, Primitive, new_trace
from .._core.backward import backward_pass
from .._core.primitive import defjvp_joint
from .._core.trace import ops
from ._registry import namespace


def defjvp_transposed(prim: Primitive) -> Primitive:
    """The JVP of ``prim`` as the transpose of its own VJP rule: the VJP
    ``g -> J^T g`` is linear, so ``J t`` is the gradient in ``g`` of
    ``Re(sum_i <J^T g, t_i>)`` (exact under the complex convention, where
    a cotangent ``c`` is ``dz -> Re(c dz)``), found by one reverse sweep
    over the rule's own operations. For primitives whose JVP has no simpler
    closed form here (decompositions): every operation of the rule is
    recorded on traces as usual, so higher orders work."""
    fnp = namespace()

    def jvp(tangents, ans, *args, **params):
        trace = new_trace()
        outs = ans if prim.multiple_results else (ans,)
        seeds = [trace.new_input(ops.zeros_like(o)) for o in outs]
        node = Node(prim, list(args), params, ans,
                    [(i, i) for i, t in enumerate(tangents) if t is not None])
        try:
            total = None
            for i, ct in node.contributions(tuple(seeds) if prim.multiple_results else seeds[0]):
                term = fnp.real(fnp.sum(ct * tangents[i]))
                total = term if total is None else total + term
        finally:
            trace.alive = False
        if not (isinstance(total, Box) and total._trace is trace):
            return tuple(None for _ in outs) if prim.multiple_results else None
        leaves = backward_pass([total._node], [np.array(1.0, total._value.dtype)])
        result = [leaves.get(s._node) for s in seeds]
        return tuple(result) if prim.multiple_results else result[0]
    return defjvp_joint(prim, jvp)


def vjp_weights(rule: Any, ans: Any, *args: Any, **params: Any) -> Any:
    """A reduction's VJP ``rule`` applied to a cotangent of ones: the weights
    ``W`` (in the input's shape) of a reduction whose VJP is ``g``, expanded,
    times ``W`` (``max``, ``prod``, norms). Its JVP is then ``sum(t * W)``
    over the reduced axes: each input element reaches one output."""
    from ._registry import dtype_of, shape_of
    one = np.ones(shape_of(ans), np.zeros((), dtype_of(ans)).real.dtype)
    return rule(one, ans, *args, **params)
