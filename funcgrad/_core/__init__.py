"""funcgrad's engine: primitives, traces, graph nodes and the backward pass.

Nothing here knows the NumPy API; the array operations the engine itself
needs (adding cotangents, fitting them to a primal's shape and dtype, making
zeros) are plugged in by :mod:`funcgrad.numpy` through :data:`ops`.
"""
from .primitive import Box, Primitive, bind, concrete, defbatch, defvjp, defvjp_joint
from .trace import (
    EscapedTracerError,
    Node,
    ItemNode,
    ReverseTrace,
    Trace,
    new_trace,
    ops,
    register_box_type,
)
from .backward import backward_pass

__all__ = [
    "Box", "Primitive", "bind", "concrete", "defbatch", "defvjp", "defvjp_joint", "EscapedTracerError", "Node", "ItemNode",
    "ReverseTrace", "Trace", "new_trace", "ops", "register_box_type", "backward_pass",
]
