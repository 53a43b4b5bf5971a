"""The batch trace: what ``vmap`` runs a function on.

A :class:`BatchTrace` is one ``vmap`` call. Its boxes carry the batched
value with the batch axis always at axis 0 (the canonical position: every
rule reads and writes the batch at 0; ``vmap`` moves ``in_axes`` there once
on entry and to ``out_axes`` on exit, views in NumPy, so nothing is copied).
A value that does not depend on the mapped arguments is never boxed.

User code sees the per-example view (the box's ``shape`` drops the batch
axis; see :class:`funcgrad.numpy._tracer.BatchTracer`). Each primitive
applied to a box of this trace goes to the primitive's batching rule
(:func:`~funcgrad._core.primitive.defbatch`), differentiable or not::

    rule(prim, vals, batched, params) -> result with the batch axis at 0

``vals`` are the arguments with this trace's boxes opened (boxes of outer
traces stay boxed: the rule's own primitive calls reach them, so the traces
nest in any order and with themselves), ``batched[i]`` says whether
argument ``i`` was one of this trace's boxes. A primitive without a rule
runs once per example (:func:`loop_rule`); docs/numpy-coverage.md lists
those. The batch size is ``trace.size``.
"""
from __future__ import annotations

from typing import Any, Callable

from .primitive import Box, Primitive
from .trace import Trace, _escaped, _levels


class _BatchOps:
    """Array operations the batch trace needs, installed by funcgrad.numpy:
    ``getitem(x, i)`` (example ``i`` of a batched value), ``stack(xs)``
    (along a new axis 0)."""

    getitem: Callable[[Any, int], Any]
    stack: Callable[[list], Any]


bops = _BatchOps()
_new = object.__new__
_box_types: dict = {}
_default_box_type: list = [Box]


def register_batch_box_type(value_type: Any, box_type: type) -> None:
    """Box batched values of ``value_type`` (``None``: every other type) as
    ``box_type``, a :class:`Box` subclass that adds no state and presents
    the per-example view."""
    if value_type is None:
        _default_box_type[0] = box_type
    else:
        _box_types[value_type] = box_type


class BatchTrace(Trace):
    """The trace of one ``vmap`` call over ``size`` examples."""

    __slots__ = ("size",)
    concrete_values = False

    def __init__(self, level: int, size: int) -> None:
        Trace.__init__(self, level)
        self.size = size

    def box(self, value: Any, node: Any = None) -> Box:
        box = _new(_box_types.get(type(value), _default_box_type[0]))
        box._value = value
        box._node = None
        box._trace = self
        return box

    def process(self, prim: Primitive, args: Any, params: dict) -> Any:
        if not self.alive:
            raise _escaped()
        vals = list(args)
        batched = [False] * len(vals)
        for i, a in enumerate(args):
            if isinstance(a, Box) and a._trace is self:
                vals[i] = a._value
                batched[i] = True
        rule = prim.batch or loop_rule
        out = rule(prim, vals, tuple(batched), params)
        if prim.multiple_results:
            return tuple(self.box(o) for o in out)
        return self.box(out)

    process_nondiff = process

    def no_concrete_value(self) -> None:
        raise TypeError(
            "vmap: a batched value has no single concrete value (each example has its "
            "own), but funcgrad was asked for one: a function or rule read the value "
            "of a traced array with NumPy directly. Compute with funcgrad.numpy "
            "functions on it instead, or keep the value out of the vmapped arguments "
            "(in_axes=None) if it is the same for every example.")


def new_batch_trace(size: int) -> BatchTrace:
    """Open a batch trace innermost to every trace opened so far."""
    return BatchTrace(next(_levels), size)


def batched_traces(xs: Any) -> list:
    """The batch traces of the boxes in ``xs`` (nested lists/tuples too),
    innermost first."""
    found: dict = {}
    _collect(xs, found)
    return sorted(found.values(), key=lambda t: -t.level)


def _collect(x: Any, found: dict) -> None:
    if isinstance(x, Box):
        while isinstance(x, Box):
            if type(x._trace) is BatchTrace:
                found[id(x._trace)] = x._trace
            x = x._value
    elif type(x) in (list, tuple):
        for v in x:
            _collect(v, found)
    elif type(x) is dict:
        for v in x.values():
            _collect(v, found)


def loop_rule(prim: Primitive, vals: list, batched: tuple, params: dict) -> Any:
    """The fallback for a primitive with no batching rule: ``prim`` once per
    example, results stacked (docs/numpy-coverage.md lists who uses it)."""
    size = next(v.shape[0] for v, b in zip(vals, batched) if b)
    if size == 0:
        raise ValueError(f"vmap: {prim.name} has no batching rule, and its per-example "
                         "loop cannot work out the result's shape of an empty batch")
    outs = []
    for k in range(size):
        args = [bops.getitem(v, k) if b else v for v, b in zip(vals, batched)]
        outs.append(prim(*args, **params))
    if prim.multiple_results:
        return tuple(bops.stack([o[j] for o in outs]) for j in range(len(outs[0])))
    return bops.stack(outs)


def all_values(x: Any) -> Any:
    """The concrete values of every example of ``x`` at once (batched values
    keep their batch axes): for checks that must hold for every example
    (``np.any(values == 0)``), never for values that shape a result."""
    while isinstance(x, Box):
        x = x._value
    return x
